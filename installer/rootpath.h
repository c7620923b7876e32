/* The text of absolute paths as the core speaks them: the rules for a
 * path engine-setup reads from its own files (the install pointer, the
 * install record, the journal), so that none of them can lead a command
 * out of --root with ".." (docs/security.md, "Paths engine-setup reads
 * back"), and the normal form of a path a user typed. plat_path_in_root()
 * checks where the links on the way lead.
 *
 * Paths here are as the host sees them, without the --root prefix, in the
 * core's form: UTF-8, '/' separators, and a root part that names a file
 * system's root as the platform tells it (plat_path_root_len): "/" on
 * Linux ("/opt/rapid7/nexpose"), a drive's "C:/" on Windows
 * ("C:/Program Files/Rapid7/Nexpose"). */
#ifndef ES_ROOTPATH_H
#define ES_ROOTPATH_H

#include <stdbool.h>
#include <stddef.h>

/* How an OS writes an absolute path: the platform's answers, or, in a
 * test, another OS's (rootpath_test_rules). */
struct rootpath_rules {
	/* plat_path_root_len(): the length of path's root part, 0 when
	 * path is not absolute. */
	size_t (*root_len)(const char *path);
	/* plat_path_backslash_is_separator(). */
	bool backslash;
};

/* Tests only: take r instead of the platform's rules, so that the Linux
 * tests prove the Windows shapes; NULL gives the platform's back. */
void rootpath_test_rules(const struct rootpath_rules *r);

/* The length of p's root part under the rules in force ("/" 1, "C:/" 3),
 * 0 when p is NULL or not absolute. */
size_t rootpath_root_len(const char *p);
/* Is p an absolute path without empty, "." or ".." parts, in the core's
 * form (no '\' where '\' separates)? One trailing '/' (a folder, as
 * plat_service_paths() writes it) is allowed; a root alone ("/", "C:/")
 * is clean. */
bool rootpath_clean(const char *p);
/* Is p what follows a --root folder other than "/" in a path joined
 * under it (plat_join_root): '/' and one or more parts, none empty, "."
 * or "..", one trailing '/' allowed, and no '\' where it separates
 * ("/opt/x", "/etc/systemd/system/", Windows "/C/X")? */
bool rootpath_clean_tail(const char *p);
/* Is p a clean root alone: "/", "C:/"? */
bool rootpath_is_root(const char *p);
/* Where p lies strictly below the folder dir (both clean; p without a
 * trailing '/'): the part of p after dir's "/", a relative path that the
 * plat_*_beneath functions take. NULL when p is not clean, ends in '/',
 * or is not strictly below dir (dir itself, a sibling "/opt/xy" of
 * "/opt/x", or anything with ".."). */
const char *rootpath_below(const char *dir, const char *p);
/* rootpath_below() of the root p starts with: where p lies strictly below
 * its own file system's root ("opt/x" of "/opt/x", "X" of "C:/X"). */
const char *rootpath_below_root(const char *p);
/* The normal form of v, an absolute path a user typed: '/' for every
 * separator ('\' too where it separates), the root part in upper case
 * ("c:\" gives "C:/": Windows writes drive letters so), no empty or "."
 * parts, no trailing '/'; the root alone ("/", "C:/") for a file system's
 * root. *dotdot is set when a part is "..", which is not resolved (a link
 * on the way changes what it means). NULL when v is not absolute. Caller
 * frees. */
char *rootpath_normal(const char *v, bool *dotdot);
/* v, a path a user typed (--root), in the core's form: '/' for every
 * separator where '\' separates too, the root part in upper case; nothing
 * else changes. Caller frees. */
char *rootpath_from_user(const char *v);
/* The folder that holds the absolute path p (no trailing '/' unless it is
 * a root: "C:/" for "C:/X", "/" for "/opt"); p itself when p is a root.
 * Caller frees. */
char *rootpath_parent(const char *p);
/* dir "/" name, without doubling the '/' after a root ("/" and "x" give
 * "/x", "C:/" and "x" "C:/x"). Caller frees. */
char *rootpath_join(const char *dir, const char *name);

#endif
