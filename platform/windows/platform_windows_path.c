/* How Windows writes a path, for the core's path text
 * (installer/rootpath.c): plat_path_root_len and
 * plat_path_backslash_is_separator of platform.h.
 *
 * Plain C without <windows.h> on purpose: tests/unit/test_rootpath.c
 * compiles this file on Linux too (under other names), so that the Linux
 * tests prove the Windows shapes with the code Windows runs. */
#include <stdbool.h>
#include <stddef.h>

#include "platform.h"

size_t
plat_path_root_len(const char *path)
{
	/* Naming Files, Paths, and Namespaces ("Fully qualified vs.
	 * relative paths"): a drive letter, a colon and a separator name a
	 * drive's root. "C:" alone and "C:x" are relative to the drive's
	 * current folder, "\x" to the current drive's root; a UNC path
	 * "\\srv\share" and a device path "\\?\C:\" are no drive path. */
	if (path == NULL)
		return 0;
	if (((path[0] >= 'A' && path[0] <= 'Z') ||
	    (path[0] >= 'a' && path[0] <= 'z')) && path[1] == ':' &&
	    (path[2] == '/' || path[2] == '\\'))
		return 3;
	return 0;
}

bool
plat_path_backslash_is_separator(void)
{
	return true;
}
