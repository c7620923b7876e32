/* The rules for the text of a path engine-setup reads from its own files
 * (the install pointer, the install record, the journal), so that none of
 * them can lead a command out of --root with ".." (docs/security.md,
 * "Paths engine-setup reads back"); plat_path_in_root() checks where the
 * links on the way lead. Paths here are as the host sees them
 * ("/opt/rapid7/nexpose", without the --root prefix). */
#ifndef ES_ROOTPATH_H
#define ES_ROOTPATH_H

#include <stdbool.h>

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

#endif
