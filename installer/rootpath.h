/* The rules that keep a path engine-setup reads from its own files (the
 * install pointer, the install record, the journal) inside --root, so
 * that none of them can lead a command to read, write or remove anything
 * outside it (docs/security.md, "Paths engine-setup reads back"). Paths
 * here are as the host sees them ("/opt/rapid7/nexpose", without the
 * --root prefix) unless a function says otherwise. */
#ifndef ES_ROOTPATH_H
#define ES_ROOTPATH_H

#include <stdbool.h>

#include "error.h"

/* Is p an absolute path without empty, "." or ".." parts? One trailing
 * '/' (a folder, as plat_service_paths() writes it) is allowed; "/" is
 * clean. */
bool rootpath_clean(const char *p);
/* Where p lies strictly below the folder dir (both clean; p without a
 * trailing '/'): the part of p after dir's "/", a relative path that the
 * plat_*_beneath functions take. NULL when p is not clean, ends in '/',
 * or is not strictly below dir (dir itself, a sibling "/opt/xy" of
 * "/opt/x", or anything with ".."). */
const char *rootpath_below(const char *dir, const char *p);
/* True when path, a path inside root with root's prefix, stays inside
 * root once the symbolic links on its way are followed
 * (plat_path_in_root); always true for the live root "/". Else false
 * with e set (code) to "<part> leads out of --root <root>: a symbolic
 * link on the way resolves to <where>", and what to do. */
bool rootpath_inside(const char *root, const char *path, int code,
    struct es_err *e);

#endif
