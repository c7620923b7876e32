/* tests/unit/fixture.h on Windows: what differs between systems
 * (cmake/windows.cmake builds this file instead of tests/unit/
 * fixture_posix.c), with Win32 calls. Paths are UTF-8 with '/' separators,
 * as the core speaks them ("C:/users/me/Temp/es-test-1a2b3c"). */
#include "fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <windows.h>

#include "util.h"

/* UTF-8 to UTF-16 and back; fatal on a string neither can be. */
static wchar_t *
fx_wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1,
	    NULL, 0);
	wchar_t *w;

	if (n <= 0)
		fatal("fixture: %s is not UTF-8", s);
	w = xmalloc((size_t)n * sizeof *w);
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

static char *
fx_utf8(const wchar_t *w)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	char *s, *p;

	if (n <= 0)
		fatal("fixture: a path is not valid UTF-16");
	s = xmalloc((size_t)n);
	WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	for (p = s; *p != '\0'; p++)
		if (*p == '\\')
			*p = '/';
	return s;
}

/* Remove path and what is below it; a link or junction is removed itself,
 * never followed. */
static void
fx_rm_rf_w(const wchar_t *path)
{
	DWORD attr = GetFileAttributesW(path);
	WIN32_FIND_DATAW fd;
	HANDLE h;
	size_t n = wcslen(path);
	wchar_t *pattern, *child;

	if (attr == INVALID_FILE_ATTRIBUTES)
		return;
	if (attr & FILE_ATTRIBUTE_READONLY)
		SetFileAttributesW(path, attr & ~(DWORD)FILE_ATTRIBUTE_READONLY);
	if (!(attr & FILE_ATTRIBUTE_DIRECTORY)) {
		DeleteFileW(path);
		return;
	}
	if (!(attr & FILE_ATTRIBUTE_REPARSE_POINT)) {
		pattern = xmalloc((n + 3) * sizeof *pattern);
		swprintf(pattern, n + 3, L"%ls\\*", path);
		h = FindFirstFileW(pattern, &fd);
		free(pattern);
		if (h != INVALID_HANDLE_VALUE) {
			do {
				if (wcscmp(fd.cFileName, L".") == 0 ||
				    wcscmp(fd.cFileName, L"..") == 0)
					continue;
				child = xmalloc((n + wcslen(fd.cFileName) + 2) *
				    sizeof *child);
				swprintf(child, n + wcslen(fd.cFileName) + 2,
				    L"%ls\\%ls", path, fd.cFileName);
				fx_rm_rf_w(child);
				free(child);
			} while (FindNextFileW(h, &fd));
			FindClose(h);
		}
	}
	RemoveDirectoryW(path);
}

void
fixture_rm_rf(const char *path)
{
	wchar_t *w = fx_wide(path);

	fx_rm_rf_w(w);
	free(w);
}

void
fixture_mkdirs(const char *path)
{
	wchar_t *w = fx_wide(path);
	wchar_t *s, c;

	/* Past a drive ("C:/") before the first folder is made. */
	for (s = w + 1; *s != L'\0'; s++) {
		if ((*s == L'/' || *s == L'\\') && s[-1] != L':') {
			c = *s;
			*s = L'\0';
			CreateDirectoryW(w, NULL);
			*s = c;
		}
	}
	CreateDirectoryW(w, NULL);
	free(w);
}

bool
fixture_mkdtemp(char *dir, size_t dirsz)
{
	const char *env = getenv("TMPDIR");
	wchar_t tmp[MAX_PATH + 1], *wdir;
	char *base;
	unsigned tries;
	bool ok = false;

	if (env != NULL && *env != '\0' && strchr(env, ':') != NULL) {
		base = xstrdup(env);
	} else {
		if (GetTempPathW(MAX_PATH + 1, tmp) == 0)
			return false;
		base = fx_utf8(tmp);
	}
	if (base[0] != '\0' && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	/* As mkdtemp(3): a new name, made exclusively. */
	for (tries = 0; tries < 100 && !ok; tries++) {
		snprintf(dir, dirsz, "%s/es-test-%06lx", base,
		    (unsigned long)((GetTickCount() ^ GetCurrentProcessId() *
		    2654435761u ^ tries * 40503u) & 0xffffff));
		wdir = fx_wide(dir);
		ok = CreateDirectoryW(wdir, NULL) != 0;
		free(wdir);
		if (!ok && GetLastError() != ERROR_ALREADY_EXISTS)
			break;
	}
	free(base);
	return ok;
}

FILE *
fixture_fopen(const char *path, const char *mode)
{
	wchar_t *w = fx_wide(path), *wmode = fx_wide(mode);
	FILE *fp = _wfopen(w, wmode);

	free(w);
	free(wmode);
	return fp;
}
