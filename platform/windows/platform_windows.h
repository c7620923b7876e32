/* What the Windows platform files share and nothing else sees.
 *
 * Paths. The core speaks UTF-8 with '/' separators; an absolute path is a
 * drive path, "C:/Program Files/Rapid7/Nexpose" (plat_path_is_absolute;
 * "C:\..." is accepted where a user types it). Every Windows call takes
 * UTF-16 through the wide (W) API: win_wpath() makes the form a call
 * wants, "\\?\C:\Program Files\..." for an absolute path, so that a path
 * longer than MAX_PATH (260) still opens (Naming Files, Paths, and
 * Namespaces: "Maximum Path Length Limitation").
 *
 * A "root" of "/" is the live system; any other root R is a folder that
 * stands in for it: the path "C:/X" inside R is "R/C/X" (plat_join_root). */
#ifndef ES_PLATFORM_WINDOWS_H
#define ES_PLATFORM_WINDOWS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <wchar.h>

#include <windows.h>

#include "error.h"

/* UTF-8 to UTF-16, as it stands (no separator or prefix change). NULL
 * (errno EILSEQ) when s is not valid UTF-8. Caller frees. */
wchar_t *win_wide(const char *s);
/* UTF-16 to UTF-8, as it stands. NULL (errno EILSEQ) on an unpaired
 * surrogate. Caller frees. */
char *win_utf8(const wchar_t *w);
/* A core path (UTF-8, '/' or '\' separators) as Windows calls take it:
 * '\' separators, and an absolute drive path ("C:/x") prefixed with
 * "\\?\" so that it may exceed MAX_PATH; a relative path keeps its form
 * (the "\\?\" prefix turns off the relative-path handling it needs). NULL
 * (errno EILSEQ) on invalid UTF-8. Caller frees. */
wchar_t *win_wpath(const char *path);
/* A path a Windows call gave back, as the core speaks it: UTF-8, '/'
 * separators, without a "\\?\" prefix ("\\?\UNC\srv\share" becomes
 * "//srv/share"). Caller frees. */
char *win_path_utf8(const wchar_t *w);
/* The errno value closest to a Win32 error code (GetLastError()), for the
 * core's errno-shaped answers (plat_dir_writable, plat_file_usable):
 * ERROR_FILE_NOT_FOUND and ERROR_PATH_NOT_FOUND give ENOENT,
 * ERROR_ACCESS_DENIED EACCES, ERROR_ALREADY_EXISTS and ERROR_FILE_EXISTS
 * EEXIST, ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL ENOSPC,
 * ERROR_WRITE_PROTECT EROFS, ERROR_DIR_NOT_EMPTY ENOTEMPTY,
 * ERROR_DIRECTORY ENOTDIR, ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION
 * EBUSY, ERROR_NOT_ENOUGH_MEMORY and ERROR_OUTOFMEMORY ENOMEM,
 * ERROR_FILENAME_EXCED_RANGE ENAMETOOLONG, ERROR_INVALID_NAME EINVAL,
 * anything else EIO. */
int win_errno(DWORD err);
/* The system's own text for a Win32 error code (FormatMessageW, English
 * where the system has it), one line, without its trailing full stop,
 * into buf; "error N" when it has none. Returns buf. */
const char *win_strerror(DWORD err, char *buf, size_t bufsz);
/* err_set() with ": <the system's text for err>" appended, as err_sys()
 * appends strerror(3). */
void err_win(struct es_err *e, int code, DWORD err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The owner-only security descriptor of plat_create_private() and of mode
 * 0600/0700 (plat_chmod): a protected DACL (nothing inherited) that gives
 * full control to SYSTEM and BUILTIN\Administrators and nothing to anyone
 * else; folders pass it on to what is made in them. Fills sa for
 * CreateFileW/CreateDirectoryW; win_private_sa_free() releases it. False
 * with GetLastError() set. */
bool win_private_sa(SECURITY_ATTRIBUTES *sa, bool folder);
void win_private_sa_free(SECURITY_ATTRIBUTES *sa);
/* Give the file or folder wpath (a win_wpath() form) the owner-only DACL
 * above (SetNamedSecurityInfoW, PROTECTED_DACL_SECURITY_INFORMATION), for
 * registry-free helpers such as the services part. 0, or the Win32 error
 * code. */
DWORD win_set_private(const wchar_t *wpath);

/* Replace the file name in the folder wdir (a win_wpath() form) with len
 * bytes of data, all or nothing: a new file ".NAME.es-XXXXXXXX" (8
 * lower-case hex digits) beside it, written, given mode (plat_chmod's
 * mapping) and FlushFileBuffers()ed, then MoveFileExW(MOVEFILE_REPLACE_
 * EXISTING | MOVEFILE_WRITE_THROUGH) over name (a read-only target is
 * made writable first). A link at name is replaced itself, never
 * followed. 0, or the Win32 error code of the step that failed with
 * *stage set to "create", "write" or "rename"; the temporary file is
 * removed on failure. */
DWORD win_replace_in(const wchar_t *wdir, const char *name, const void *data,
    size_t len, unsigned mode, const char **stage);
/* Give the object open as h (READ_CONTROL | WRITE_DAC |
 * FILE_WRITE_ATTRIBUTES), whose path is wpath, the Windows form of mode:
 * owner-only (no group or other bits) gives the owner-only DACL, any other
 * mode the DACL inherited from its folder; a file without the owner's
 * write bit gets FILE_ATTRIBUTE_READONLY. 0 or the Win32 error code. */
DWORD win_apply_mode(HANDLE h, const wchar_t *wpath, unsigned mode);
/* What plat_file_mode() says of an object open as h (READ_CONTROL). */
int win_mode_of(HANDLE h);
/* A message for "what" failing on path with the Win32 error err, with
 * advice (ES_EINSTALL; a full disk names the volume). */
void win_file_err(struct es_err *e, DWORD err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* dir + '\' + name, wide. Caller frees. */
wchar_t *win_wjoin(const wchar_t *dir, const wchar_t *name);
/* Remove the file (made writable first when read-only); 0 or the Win32
 * error code. */
DWORD win_delete_file(const wchar_t *w);
/* Remove the file, link or empty folder w whose attributes are a: a link
 * or junction itself, never its target; 0 or the Win32 error code. */
DWORD win_remove_one(const wchar_t *w, DWORD a);
/* Read all of the open file h, at most max bytes, NUL-terminated (*len
 * set); NULL with *too_big set, or with the Win32 error in *err. */
char *win_read_handle(HANDLE h, size_t max, size_t *len, bool *too_big,
    DWORD *err);
/* A FILE reading ("rb") or appending ("ab") through the open handle h,
 * which it then owns; NULL with e set, h closed. */
FILE *win_fdopen(HANDLE h, bool append, const char *path, struct es_err *e);
/* What the open handle h is when it is not a regular file ("a folder",
 * "a named pipe, ..."), for a message; NULL for a regular file. */
const char *win_handle_kind(HANDLE h);

/* The console control handler that plat_signals_install() installs
 * (platform_windows_misc.c): counts the event as a signal, and for
 * CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT and CTRL_SHUTDOWN_EVENT waits there
 * while the main thread rolls back. Tests call it for the events Wine
 * cannot send. */
BOOL WINAPI win_console_ctrl(DWORD type);

#endif
