/* Files beneath a folder, never through a symbolic link, a junction or
 * any other reparse point (platform.h, "Files beneath a folder").
 *
 * Windows has no openat(2): each folder of rel's way is opened by its
 * path, one part at a time, with FILE_FLAG_OPEN_REPARSE_POINT |
 * FILE_FLAG_BACKUP_SEMANTICS, so that a reparse point opens as itself and
 * is refused (FILE_ATTRIBUTE_REPARSE_POINT on the handle, and on the name
 * for systems whose handles do not show it: wine shows a Unix symbolic
 * link as a reparse point by name only). Each of those folders stays open
 * without FILE_SHARE_DELETE until the operation ends, so that none of
 * them can be renamed, removed or replaced by a link in between: the path
 * that was checked is the path that is used. The last part is then opened
 * with FILE_FLAG_OPEN_REPARSE_POINT too, or replaced or removed by name
 * (MoveFileExW, DeleteFileW, RemoveDirectoryW act on a link itself). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include "platform.h"
#include "platform_windows.h"
#include "util.h"

/* False unless rel is relative with '/' separators, without empty, "."
 * or ".." parts, and without '\' or ':' (a ':' names an NTFS alternate
 * data stream, "file:stream"). */
static bool
beneath_rel_ok(const char *rel)
{
	const char *s, *end;
	size_t n;

	if (*rel == '\0' || *rel == '/' || strpbrk(rel, "\\:") != NULL)
		return false;
	for (s = rel;; s = end + 1) {
		end = s + strcspn(s, "/");
		n = (size_t)(end - s);
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (*end == '\0')
			return true;
	}
}

/* Why an operation failed, beyond a Win32 error code. */
enum beneath_why { BW_WIN32, BW_LINK, BW_NOTDIR, BW_MISSING, BW_BADREL };

/* One operation on dir/rel: the folders of rel's way, open. */
struct beneath {
	const char *dir, *rel, *verb;
	HANDLE *held;		/* the folders on the way, held open */
	size_t nheld;
	wchar_t *wparent;	/* the folder that holds the last part */
	wchar_t *wlast;		/* wparent + the last part */
	const char *last;	/* rel's last part */
	char *link;		/* the part of rel that is a link (BW_LINK) */
};

/* Record why verb failed on dir/rel. */
static void
beneath_err(struct es_err *e, struct beneath *b, enum beneath_why why,
    DWORD err)
{
	char mnt[1024];

	if (e == NULL)
		return;
	switch (why) {
	case BW_LINK:
		err_set(e, ES_EINSTALL, "cannot %s %s/%s: %s/%s is a symbolic "
		    "link or junction, which engine-setup never follows there, "
		    "so that a link in the payload cannot lead the installer's "
		    "own files elsewhere. A payload may not place a link where "
		    "the installer keeps its files: build it without that "
		    "link.", b->verb, b->dir, b->rel, b->dir, b->link);
		return;
	case BW_BADREL:
		err_set(e, ES_EINTERNAL, "cannot %s %s/%s: not a plain "
		    "relative path inside %s", b->verb, b->dir, b->rel, b->dir);
		return;
	case BW_NOTDIR:
		err_set(e, ES_EINSTALL, "cannot %s %s/%s: a part of that path "
		    "is a file, not a folder. Move it away, or fix the "
		    "payload that put it there.", b->verb, b->dir, b->rel);
		return;
	case BW_MISSING:
		err = ERROR_PATH_NOT_FOUND;
		break;
	case BW_WIN32:
		break;
	}
	if ((err == ERROR_DISK_FULL || err == ERROR_HANDLE_DISK_FULL) &&
	    plat_mount_point(b->dir, mnt, sizeof mnt))
		err_set(e, ES_EINSTALL, "no space left on the volume %s "
		    "(writing %s/%s). Free space on it, or choose another "
		    "install_dir.", mnt, b->dir, b->rel);
	else
		win_file_err(e, err, "cannot %s %s/%s", b->verb, b->dir,
		    b->rel);
}

static void
beneath_close(struct beneath *b)
{
	size_t i;

	for (i = 0; i < b->nheld; i++)
		CloseHandle(b->held[i]);
	free(b->held);
	free(b->wparent);
	free(b->wlast);
	free(b->link);
	memset(b, 0, sizeof *b);
}

/* Whether the open handle h or the name w is a reparse point. */
static bool
beneath_is_link(HANDLE h, const wchar_t *w)
{
	BY_HANDLE_FILE_INFORMATION bi;
	DWORD a = GetFileAttributesW(w);

	if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_REPARSE_POINT))
		return true;
	return h != INVALID_HANDLE_VALUE && GetFileInformationByHandle(h, &bi)
	    && (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
}

/* Open b for verb on dir/rel: every folder of rel's way checked and held
 * open; with mk the missing ones are made (0755: what dir passes on).
 * False with *why and *err set (BW_MISSING: a folder on the way is
 * missing). beneath_close(b) in every case. */
static bool
beneath_open(struct beneath *b, const char *dir, const char *rel,
    const char *verb, bool mk, enum beneath_why *why, DWORD *err)
{
	char *up = NULL, *cur = NULL, *old, *s, *part;
	wchar_t *w = NULL, *wl;
	BY_HANDLE_FILE_INFORMATION bi;
	HANDLE h;
	DWORD a;
	bool ok = false;

	memset(b, 0, sizeof *b);
	b->dir = dir;
	b->rel = rel;
	b->verb = verb;
	*why = BW_WIN32;
	*err = 0;
	if (!beneath_rel_ok(rel)) {
		*why = BW_BADREL;
		return false;
	}
	/* dir itself is the caller's, taken as it is. */
	if ((w = win_wpath(dir)) == NULL) {
		*err = ERROR_INVALID_NAME;
		return false;
	}
	a = GetFileAttributesW(w);
	if (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_DIRECTORY)) {
		*err = a == INVALID_FILE_ATTRIBUTES ? GetLastError() :
		    ERROR_DIRECTORY;
		goto out;
	}
	b->last = strrchr(rel, '/') != NULL ? strrchr(rel, '/') + 1 : rel;
	up = xstrndup(rel, (size_t)(b->last - rel));
	cur = xstrdup(dir);
	for (part = up; *part != '\0'; part = s + 1) {
		s = part + strcspn(part, "/");
		*s = '\0';
		old = cur;
		cur = xasprintf("%s/%s", old, part);
		free(old);
		free(w);
		if ((w = win_wpath(cur)) == NULL) {
			*err = ERROR_INVALID_NAME;
			goto out;
		}
		if (mk && !CreateDirectoryW(w, NULL) &&
		    GetLastError() != ERROR_ALREADY_EXISTS) {
			*err = GetLastError();
			goto out;
		}
		h = CreateFileW(w, FILE_READ_ATTRIBUTES, FILE_SHARE_READ |
		    FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
		    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
		    NULL);
		if (h == INVALID_HANDLE_VALUE) {
			*err = GetLastError();
			if (*err == ERROR_FILE_NOT_FOUND ||
			    *err == ERROR_PATH_NOT_FOUND)
				*why = BW_MISSING;
			goto out;
		}
		b->held = xrealloc(b->held, (b->nheld + 1) * sizeof *b->held);
		b->held[b->nheld++] = h;
		if (beneath_is_link(h, w)) {
			*why = BW_LINK;
			b->link = xstrdup(cur + strlen(dir) + 1);
			goto out;
		}
		if (!GetFileInformationByHandle(h, &bi) ||
		    !(bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
			*why = BW_NOTDIR;
			goto out;
		}
	}
	if ((wl = win_wide(b->last)) == NULL) {
		*err = ERROR_INVALID_NAME;
		goto out;
	}
	b->wparent = w;
	w = NULL;
	b->wlast = win_wjoin(b->wparent, wl);
	free(wl);
	ok = true;
out:
	free(w);
	free(up);
	free(cur);
	return ok;
}

/* The regular file dir/rel, open for reading through b (beneath_close(b)
 * in every case); INVALID_HANDLE_VALUE with e set when it cannot be
 * opened or is not a regular file (a link as its last part included). */
static HANDLE
beneath_open_file(struct beneath *b, const char *dir, const char *rel,
    struct es_err *e)
{
	enum beneath_why why;
	HANDLE h;
	DWORD err;

	if (!beneath_open(b, dir, rel, "read", false, &why, &err)) {
		beneath_err(e, b, why, err);
		return INVALID_HANDLE_VALUE;
	}
	h = CreateFileW(b->wlast, GENERIC_READ, FILE_SHARE_READ |
	    FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
	    FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT |
	    FILE_FLAG_BACKUP_SEMANTICS, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		beneath_err(e, b, BW_WIN32, GetLastError());
		return INVALID_HANDLE_VALUE;
	}
	if (beneath_is_link(h, b->wlast)) {
		b->link = xstrdup(rel);
		beneath_err(e, b, BW_LINK, 0);
		CloseHandle(h);
		return INVALID_HANDLE_VALUE;
	}
	if (win_handle_kind(h) != NULL) {
		err_set(e, ES_EINSTALL, "cannot read %s/%s: it is not a "
		    "regular file", dir, rel);
		CloseHandle(h);
		return INVALID_HANDLE_VALUE;
	}
	return h;
}

bool
plat_write_file_beneath(const char *dir, const char *rel, const void *data,
    size_t len, unsigned mode, struct es_err *e)
{
	enum beneath_why why;
	struct beneath b;
	const char *stage;
	DWORD err;
	bool ok = false;

	if (!beneath_open(&b, dir, rel, "write", true, &why, &err)) {
		beneath_err(e, &b, why, err);
		goto out;
	}
	/* Beside the file, so that MoveFileExW replaces it as one rename;
	 * a link there is replaced itself. */
	err = win_replace_in(b.wparent, b.last, data, len, mode, &stage);
	if (err != 0)
		beneath_err(e, &b, BW_WIN32, err);
	ok = err == 0;
out:
	beneath_close(&b);
	return ok;
}

char *
plat_read_file_beneath(const char *dir, const char *rel, size_t max,
    size_t *len, struct es_err *e)
{
	struct beneath b;
	char *buf = NULL, n[32];
	bool too_big;
	HANDLE h;
	DWORD err;

	if ((h = beneath_open_file(&b, dir, rel, e)) == INVALID_HANDLE_VALUE)
		goto out;
	buf = win_read_handle(h, max, len, &too_big, &err);
	CloseHandle(h);
	if (too_big) {
		snprintf(n, sizeof n, "%zu", max);
		err_set(e, ES_EINSTALL, "cannot read %s/%s: it is larger than "
		    "the %s bytes expected", dir, rel, n);
	} else if (buf == NULL) {
		beneath_err(e, &b, BW_WIN32, err);
	}
out:
	beneath_close(&b);
	return buf;
}

FILE *
plat_fopen_beneath(const char *dir, const char *rel, struct es_err *e)
{
	struct beneath b;
	FILE *f = NULL;
	char *path;
	HANDLE h;

	if ((h = beneath_open_file(&b, dir, rel, e)) != INVALID_HANDLE_VALUE) {
		path = xasprintf("%s/%s", dir, rel);
		f = win_fdopen(h, false, path, e);
		free(path);
	}
	beneath_close(&b);
	return f;
}

bool
plat_chmod_beneath(const char *dir, const char *rel, unsigned mode,
    struct es_err *e)
{
	enum beneath_why why;
	struct beneath b;
	HANDLE h = INVALID_HANDLE_VALUE;
	DWORD err;
	bool ok = false;

	if (!beneath_open(&b, dir, rel, "set the mode of", false, &why,
	    &err)) {
		beneath_err(e, &b, why, err);
		goto out;
	}
	h = CreateFileW(b.wlast, READ_CONTROL | WRITE_DAC |
	    FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES, FILE_SHARE_READ |
	    FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
	    FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		beneath_err(e, &b, BW_WIN32, GetLastError());
		goto out;
	}
	if (beneath_is_link(h, b.wlast)) {
		b.link = xstrdup(rel);
		beneath_err(e, &b, BW_LINK, 0);
		goto out;
	}
	if ((err = win_apply_mode(h, b.wlast, mode)) != 0) {
		beneath_err(e, &b, BW_WIN32, err);
		goto out;
	}
	ok = true;
out:
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	beneath_close(&b);
	return ok;
}

enum plat_ftype
plat_file_type_beneath(const char *dir, const char *rel)
{
	enum plat_ftype t = PLAT_NONE;
	enum beneath_why why;
	struct beneath b;
	DWORD a, err;

	if (beneath_open(&b, dir, rel, "look at", false, &why, &err) &&
	    (a = GetFileAttributesW(b.wlast)) != INVALID_FILE_ATTRIBUTES)
		t = a & FILE_ATTRIBUTE_REPARSE_POINT ? PLAT_LINK :
		    a & FILE_ATTRIBUTE_DIRECTORY ? PLAT_DIR :
		    a & FILE_ATTRIBUTE_DEVICE ? PLAT_OTHER : PLAT_FILE;
	beneath_close(&b);
	return t;
}

bool
plat_remove_beneath(const char *dir, const char *rel, bool *removed,
    struct es_err *e)
{
	enum beneath_why why;
	struct beneath b;
	DWORD a, err;
	bool ok = false;

	*removed = false;
	if (!beneath_open(&b, dir, rel, "remove", false, &why, &err)) {
		/* A missing folder on the way: nothing to remove. */
		if (why == BW_MISSING)
			ok = true;
		else
			beneath_err(e, &b, why, err);
		goto out;
	}
	if ((a = GetFileAttributesW(b.wlast)) == INVALID_FILE_ATTRIBUTES) {
		err = GetLastError();
		if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
			ok = true;
		else
			beneath_err(e, &b, BW_WIN32, err);
		goto out;
	}
	if ((err = win_remove_one(b.wlast, a)) != 0) {
		if (err == ERROR_DIR_NOT_EMPTY)
			err_set(e, ES_EINSTALL, "cannot remove folder %s/%s: it "
			    "is not empty; something else put files there. "
			    "Move them away and remove it yourself.", dir, rel);
		else
			beneath_err(e, &b, BW_WIN32, err);
		goto out;
	}
	*removed = true;
	ok = true;
out:
	beneath_close(&b);
	return ok;
}
