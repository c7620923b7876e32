/* tests/unit/fixture.h for a Windows build (cmake/windows.cmake picks this
 * file instead of tests/unit/fixture.c): the same fresh temporary folder per
 * test, with Win32 calls. Paths are UTF-8 with '/' separators, as the core
 * speaks them ("C:/users/me/Temp/es-test-1a2b3c"). */
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

int
fixture_setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	const char *env = getenv("TMPDIR");
	wchar_t tmp[MAX_PATH + 1], *wdir;
	char *base;
	unsigned tries;

	if (env != NULL && *env != '\0' && strchr(env, ':') != NULL) {
		base = xstrdup(env);
	} else {
		if (GetTempPathW(MAX_PATH + 1, tmp) == 0) {
			free(f);
			return -1;
		}
		base = fx_utf8(tmp);
	}
	if (base[0] != '\0' && base[strlen(base) - 1] == '/')
		base[strlen(base) - 1] = '\0';
	/* mkdtemp(3): a new name, made exclusively. */
	for (tries = 0; tries < 100; tries++) {
		snprintf(f->dir, sizeof f->dir, "%s/es-test-%06lx", base,
		    (unsigned long)((GetTickCount() ^ GetCurrentProcessId() *
		    2654435761u ^ tries * 40503u) & 0xffffff));
		wdir = fx_wide(f->dir);
		if (CreateDirectoryW(wdir, NULL)) {
			free(wdir);
			free(base);
			*state = f;
			return 0;
		}
		free(wdir);
		if (GetLastError() != ERROR_ALREADY_EXISTS)
			break;
	}
	free(base);
	free(f);
	return -1;
}

int
fixture_teardown(void **state)
{
	struct fixture *f = *state;

	if (f == NULL)
		return 0;
	/* cmocka runs teardown after a failure too; keep the folder when
	 * ES_KEEP_TEST_DIRS is set so it can be inspected. */
	if (getenv("ES_KEEP_TEST_DIRS") == NULL)
		fixture_rm_rf(f->dir);
	else
		fprintf(stderr, "kept test folder %s\n", f->dir);
	free(f);
	return 0;
}

char *
fixture_path(const struct fixture *f, const char *rel)
{
	return xasprintf("%s/%s", f->dir, rel);
}

void
fixture_write(const struct fixture *f, const char *rel, const char *text)
{
	char *path = fixture_path(f, rel);
	char *slash = strrchr(path, '/');
	wchar_t *w;
	FILE *fp;

	*slash = '\0';
	fixture_mkdirs(path);
	*slash = '/';
	w = fx_wide(path);
	fp = _wfopen(w, L"wb");
	free(w);
	if (fp == NULL)
		fatal("fixture_write %s: %s", path, strerror(errno));
	fputs(text, fp);
	fclose(fp);
	free(path);
}

char *
fixture_read(const char *path, size_t *len)
{
	wchar_t *w = fx_wide(path);
	FILE *fp = _wfopen(w, L"rb");
	struct sbuf b;
	char buf[4096];
	size_t n;

	free(w);
	if (fp == NULL)
		return NULL;
	sbuf_init(&b);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sbuf_addn(&b, buf, n);
	fclose(fp);
	if (len != NULL)
		*len = b.len;
	return sbuf_detach(&b);
}
