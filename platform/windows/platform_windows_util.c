/* UTF-8/UTF-16 paths and Win32 error codes, for the Windows platform files
 * (platform_windows.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform_windows.h"

wchar_t *
win_wide(const char *s)
{
	int n;
	wchar_t *w;

	n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0) {
		errno = EILSEQ;
		return NULL;
	}
	if ((w = malloc((size_t)n * sizeof *w)) == NULL)
		return NULL;
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

char *
win_utf8(const wchar_t *w)
{
	int n;
	char *s;

	n = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, NULL, 0,
	    NULL, NULL);
	if (n <= 0) {
		errno = EILSEQ;
		return NULL;
	}
	if ((s = malloc((size_t)n)) == NULL)
		return NULL;
	WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, -1, s, n, NULL,
	    NULL);
	return s;
}

/* "C:/" or "C:\": a drive's root and what follows it. */
static bool
win_is_drive_path(const wchar_t *w)
{
	return ((w[0] >= L'A' && w[0] <= L'Z') ||
	    (w[0] >= L'a' && w[0] <= L'z')) && w[1] == L':' &&
	    (w[2] == L'/' || w[2] == L'\\');
}

wchar_t *
win_wpath(const char *path)
{
	static const wchar_t prefix[] = L"\\\\?\\";
	const size_t plen = sizeof prefix / sizeof prefix[0] - 1;
	wchar_t *w, *out, *p;
	size_t n;

	if ((w = win_wide(path)) == NULL)
		return NULL;
	for (p = w; *p != L'\0'; p++)
		if (*p == L'/')
			*p = L'\\';
	if (!win_is_drive_path(w))
		return w;
	n = wcslen(w);
	if ((out = malloc((plen + n + 1) * sizeof *out)) == NULL) {
		free(w);
		return NULL;
	}
	memcpy(out, prefix, plen * sizeof *out);
	memcpy(out + plen, w, (n + 1) * sizeof *out);
	free(w);
	/* "\\?\" paths are taken literally: "." and ".." parts and doubled
	 * separators are not folded away, so fold the doubled ones here (the
	 * core never passes "." or ".." parts). */
	for (p = out + plen; *p != L'\0'; p++)
		while (p[0] == L'\\' && p[1] == L'\\')
			memmove(p, p + 1, wcslen(p + 1) * sizeof *p +
			    sizeof *p);
	return out;
}

char *
win_path_utf8(const wchar_t *w)
{
	char *s, *c;
	bool unc = false;

	if (wcsncmp(w, L"\\\\?\\UNC\\", 8) == 0) {
		w += 7;		/* keep one '\': "\srv\share" */
		unc = true;
	} else if (wcsncmp(w, L"\\\\?\\", 4) == 0) {
		w += 4;
	}
	if ((s = win_utf8(w)) == NULL)
		return NULL;
	if (unc) {
		/* "\srv\share" to "//srv/share". */
		char *t = malloc(strlen(s) + 2);

		if (t == NULL) {
			free(s);
			return NULL;
		}
		t[0] = '/';
		strcpy(t + 1, s);
		free(s);
		s = t;
	}
	for (c = s; *c != '\0'; c++)
		if (*c == '\\')
			*c = '/';
	return s;
}

int
win_errno(DWORD err)
{
	switch (err) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE:
		return ENOENT;
	case ERROR_ACCESS_DENIED:
	case ERROR_PRIVILEGE_NOT_HELD:
		return EACCES;
	case ERROR_ALREADY_EXISTS:
	case ERROR_FILE_EXISTS:
		return EEXIST;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return ENOSPC;
	case ERROR_WRITE_PROTECT:
		return EROFS;
	case ERROR_DIR_NOT_EMPTY:
		return ENOTEMPTY;
	case ERROR_DIRECTORY:
		return ENOTDIR;
	case ERROR_SHARING_VIOLATION:
	case ERROR_LOCK_VIOLATION:
		return EBUSY;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		return ENOMEM;
	case ERROR_FILENAME_EXCED_RANGE:
		return ENAMETOOLONG;
	case ERROR_INVALID_NAME:
	case ERROR_BAD_PATHNAME:
		return EINVAL;
	default:
		return EIO;
	}
}

const char *
win_strerror(DWORD err, char *buf, size_t bufsz)
{
	wchar_t w[512];
	char *s;
	size_t n;
	DWORD len;

	len = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
	    FORMAT_MESSAGE_IGNORE_INSERTS | FORMAT_MESSAGE_MAX_WIDTH_MASK,
	    NULL, err, MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), w,
	    sizeof w / sizeof w[0], NULL);
	if (len == 0)
		len = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
		    FORMAT_MESSAGE_IGNORE_INSERTS |
		    FORMAT_MESSAGE_MAX_WIDTH_MASK, NULL, err, 0, w,
		    sizeof w / sizeof w[0], NULL);
	if (len == 0 || (s = win_utf8(w)) == NULL) {
		snprintf(buf, bufsz, "error %lu", (unsigned long)err);
		return buf;
	}
	/* One line, no trailing blanks or full stop: the core adds its own
	 * where the message is shown (err_sentence). */
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r' ||
	    s[n - 1] == '\n' || s[n - 1] == '.'))
		s[--n] = '\0';
	snprintf(buf, bufsz, "%s", s);
	free(s);
	return buf;
}

void
err_win(struct es_err *e, int code, DWORD err, const char *fmt, ...)
{
	char what[ES_ERR_MSG_MAX], text[512];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err_set(e, code, "%s: %s", what, win_strerror(err, text, sizeof text));
}
