/* What the Linux platform files share and nothing else sees. */
#ifndef ES_PLATFORM_LINUX_H
#define ES_PLATFORM_LINUX_H

#include <stddef.h>

/* Replace name in the folder open as pfd with len bytes of data and the
 * permission bits of mode, all or nothing: a new file beside it, written,
 * fchmod(2)ed and fsync(2)ed, then renameat(2) over name and the folder
 * fsync(2)ed so that the new name is durable (rename(2): the replacement is
 * atomic within one folder). name is never followed when it is a link: the
 * link itself is replaced. The temporary file is ".NAME.es-XXXXXXXX" (8
 * lower-case hex digits from getrandom(2)), the one scheme
 * plat_remove_write_leftovers() knows; it is removed on failure. Returns
 * 0, or the errno of the step that failed with *stage set to what that
 * step was: "create" (the temporary file), "write" (its bytes, mode or
 * fsync) or "rename". */
int lx_replace_at(int pfd, const char *name, const void *data, size_t len,
    unsigned mode, const char **stage);

/* Whether name is a temporary file of lx_replace_at() for target (a
 * single name, no folder). */
int lx_is_replace_temp(const char *name, const char *target);

#endif
