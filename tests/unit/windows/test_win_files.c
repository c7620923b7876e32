/* The Windows platform's paths, files, durable records, *_beneath calls
 * and run lock (platform/windows/platform_windows.c and
 * platform_windows_beneath.c), on the real Win32 API: under wine in CI,
 * on Windows where it is run there.
 *
 * wine 8 differs from Windows in three ways these tests know about: it
 * keeps no ACLs (a DACL set on an existing file becomes Unix mode bits,
 * so the mode round trip is checked on Windows only), it cannot make
 * symbolic links or junctions (CreateSymbolicLinkW answers yes and makes
 * nothing; FSCTL_SET_REPARSE_POINT is not supported), and it shows a Unix
 * symbolic link as a reparse point by name. The "link on the way" tests
 * therefore make a junction on Windows and, under wine, a Unix symbolic
 * link (/bin/ln, which wine starts as a Unix program). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <windows.h>
#include <shellapi.h>

#include "platform.h"
#include "util.h"

static char *self_path;	/* argv[0] as the system gives it */

/* True under wine (ntdll exports wine_get_version). */
static bool
on_wine(void)
{
	return GetProcAddress(GetModuleHandleW(L"ntdll.dll"),
	    "wine_get_version") != NULL;
}

/* A fresh folder of its own under ProgramData (the folder engine-setup's
 * own state lives in, whose inherited ACL lets Users read: the user's
 * temporary folder lets nobody but its owner in, so every file there
 * reads back as owner-only), as a core path ('/' separators). */
static int
setup(void **state)
{
	wchar_t base[MAX_PATH + 1];
	char *b, *dir, *c;
	struct es_err e;
	unsigned n;
	DWORD len;

	len = GetEnvironmentVariableW(L"ProgramData", base, MAX_PATH + 1);
	if (len == 0 || len > MAX_PATH)
		len = GetTempPathW(MAX_PATH + 1, base);
	if (len == 0 || len > MAX_PATH)
		return -1;
	b = xmalloc(4 * MAX_PATH + 4);
	WideCharToMultiByte(CP_UTF8, 0, base, -1, b, 4 * MAX_PATH + 4, NULL,
	    NULL);
	for (c = b; *c != '\0'; c++)
		if (*c == '\\')
			*c = '/';
	n = (unsigned)GetTickCount() ^ (unsigned)GetCurrentProcessId() << 16;
	dir = xasprintf("%s%ses-test-%08x", b, b[strlen(b) - 1] == '/' ? "" :
	    "/", n);
	free(b);
	err_clear(&e);
	if (!plat_mkdirs(dir, 0755, NULL, &e)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int
teardown(void **state)
{
	struct es_err e;

	err_clear(&e);
	if (getenv("ES_KEEP_TEST_DIRS") == NULL)
		plat_remove_tree(*state, &e);
	free(*state);
	return 0;
}

/* Start cmdline (wide) and wait up to ms for it. */
static void
run_wait(wchar_t *cmd, DWORD ms)
{
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;

	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si,
	    &pi))
		return;
	WaitForSingleObject(pi.hProcess, ms);
	CloseHandle(pi.hThread);
	CloseHandle(pi.hProcess);
}

/* s in UTF-16, '/' turned into '\\' when back is set. Caller frees. */
static wchar_t *
wide(const char *s, bool back)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
	wchar_t *w = xmalloc((size_t)n * sizeof *w), *p;

	MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
	for (p = w; back && *p != L'\0'; p++)
		if (*p == L'/')
			*p = L'\\';
	return w;
}

/* Run the Unix program line under wine, which starts it as such, with
 * the Unix names of the Windows paths a and b as its arguments. */
static void
wine_unix(const char *program, const char *a, const char *b)
{
	typedef char *(__cdecl *unix_name_fn)(const wchar_t *);
	unix_name_fn unix_name = (unix_name_fn)(void (*)(void))
	    GetProcAddress(GetModuleHandleW(L"kernel32.dll"),
	    "wine_get_unix_file_name");
	wchar_t *wa = wide(a, true), *wb = b != NULL ? wide(b, true) : NULL;
	wchar_t *wcmd;
	char *ua, *ub = NULL, *cmd;

	if (unix_name != NULL && (ua = unix_name(wa)) != NULL &&
	    (wb == NULL || (ub = unix_name(wb)) != NULL)) {
		cmd = xasprintf("%s \"%s\"%s%s%s", program, ua,
		    ub != NULL ? " \"" : "", ub != NULL ? ub : "",
		    ub != NULL ? "\"" : "");
		wcmd = wide(cmd, false);
		run_wait(wcmd, 10000);
		free(wcmd);
		free(cmd);
	}
	free(wa);
	free(wb);
}

/* Wait up to 5 s for path to be of type t (wine starts a Unix program
 * without waiting for it). */
static bool
wait_type(const char *path, enum plat_ftype t)
{
	int i;

	for (i = 0; i < 250 && plat_file_type(path) != t; i++)
		Sleep(20);
	return plat_file_type(path) == t;
}

/* Make linkpath a link to the folder target (both core paths): a
 * junction on Windows, a Unix symbolic link under wine. */
static bool
make_dir_link(const char *target, const char *linkpath)
{
	struct es_err e;

	err_clear(&e);
	if (on_wine()) {
		wine_unix("/bin/ln -s", target, linkpath);
	} else {
		/* A junction: FSCTL_SET_REPARSE_POINT on an empty folder
		 * with IO_REPARSE_TAG_MOUNT_POINT and "\??\C:\target" as
		 * its substitute name (no privilege needed, unlike a
		 * symbolic link). */
		wchar_t *wt = wide(target, true), *wl = wide(linkpath, true);
		wchar_t sub[2048];
		BYTE buf[4096];
		HANDLE h;
		DWORD n;
		size_t sl;

		swprintf(sub, 2048, L"\\??\\%ls", wt);
		sl = wcslen(sub) * sizeof(wchar_t);
		memset(buf, 0, sizeof buf);
		*(DWORD *)buf = IO_REPARSE_TAG_MOUNT_POINT;
		*(WORD *)(buf + 4) = (WORD)(8 + sl + 2 + 2);
		*(WORD *)(buf + 10) = (WORD)sl;		/* substitute length */
		*(WORD *)(buf + 12) = (WORD)(sl + 2);	/* print offset */
		memcpy(buf + 16, sub, sl);
		if (plat_mkdirs(linkpath, 0755, NULL, &e) &&
		    (h = CreateFileW(wl, GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
		    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
		    NULL)) != INVALID_HANDLE_VALUE) {
			DeviceIoControl(h, FSCTL_SET_REPARSE_POINT, buf,
			    (DWORD)(8 + 8 + sl + 2 + 2), NULL, 0, &n, NULL);
			CloseHandle(h);
		}
		free(wt);
		free(wl);
	}
	return wait_type(linkpath, PLAT_LINK);
}

/* Remove a link made by make_dir_link (wine cannot remove a Unix link to
 * a folder through the Win32 API: /bin/rm there). */
static void
remove_dir_link(const char *linkpath)
{
	struct es_err e;

	err_clear(&e);
	if (plat_remove(linkpath, &e) || !on_wine())
		return;
	wine_unix("/bin/rm -f", linkpath, NULL);
	(void)wait_type(linkpath, PLAT_NONE);
}

/* A path of more than 260 characters below dir, with spaces and
 * non-ASCII names. Caller frees. */
static char *
long_path(const char *dir)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_addf(&b, "%s/Ünïcödé földer", dir);
	while (b.len < 320)
		sbuf_add(&b, "/a folder name with spaces and ßpecial ünits");
	return sbuf_detach(&b);
}

static void
test_paths(void **state)
{
	char *s, mnt[64];
	size_t pm, nm;

	(void)state;
	/* Known Folders, never a hard-coded drive; '/' separators. */
	assert_true(plat_path_is_absolute(plat_default_install_dir()));
	assert_true(str_has_suffix(plat_default_install_dir(),
	    "/Rapid7/Nexpose"));
	assert_null(strchr(plat_default_install_dir(), '\\'));
	s = plat_state_file("/");
	assert_true(plat_path_is_absolute(s));
	assert_true(str_has_suffix(s, "/engine-setup/installation"));
	free(s);
	s = plat_state_file("C:/r");
	assert_true(str_has_prefix(s, "C:/r/C/"));
	assert_true(str_has_suffix(s, "/engine-setup/installation"));
	free(s);
	s = plat_join_root("C:/r/", "C:/Program Files/X");
	assert_string_equal(s, "C:/r/C/Program Files/X");
	free(s);
	s = plat_join_root("/", "D:/x");
	assert_string_equal(s, "D:/x");
	free(s);
	s = plat_self_exe();
	assert_non_null(s);
	assert_int_equal(plat_file_type(s), PLAT_FILE);
	assert_true(str_has_suffix(s, ".exe"));
	free(s);
	assert_true(plat_path_is_absolute("C:/x"));
	assert_true(plat_path_is_absolute("d:\\x"));
	assert_false(plat_path_is_absolute("/x"));
	assert_false(plat_path_is_absolute("x/y"));
	assert_false(plat_path_is_absolute("C:x"));
	plat_path_limits(&pm, &nm);
	assert_int_equal(pm, 32767);
	assert_int_equal(nm, 255);
	assert_true(plat_mount_point("C:/no/such/folder", mnt, sizeof mnt));
	assert_string_equal(mnt, "C:/");
	assert_false(plat_mount_point("relative", mnt, sizeof mnt));
}

static void
test_install_path_problem(void **state)
{
	static const char *const bad[] = {
		"C:/a/CON", "C:/a/nul.txt", "C:/a/Com1", "C:/a/LPT9.log",
		"C:/a/aux /b", "C:/a/x.", "C:/a /x", "C:/a/x|y", "C:/a/x?",
		"C:/a/x*", "C:/a/x<y", "C:/a/x:y", "C:/a/\"x\"", "C:/a/%x%",
		"C:/a/tab\there", "//server/share/x", "\\\\server\\share\\x",
		"relative/x",
	};
	static const char *const good[] = {
		"C:/Program Files/Rapid7/Nexpose", "D:/Nexpose", "C:/a/COM10",
		"C:/a/console", "C:/a/nul2", "C:/a/.hidden", "C:/Ünïcödé/x",
		"C:/a/./b",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (plat_install_path_problem(bad[i]) == NULL)
			fail_msg("%s was accepted", bad[i]);
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (plat_install_path_problem(good[i]) != NULL)
			fail_msg("%s was refused: %s", good[i],
			    plat_install_path_problem(good[i]));
}

static bool
collect(const char *rel, enum plat_ftype t, unsigned mode, void *arg)
{
	(void)mode;
	strlist_add(arg, rel);
	return t != PLAT_OTHER;
}

static void
test_long_unicode_paths(void **state)
{
	const char *dir = *state;
	char *lp = long_path(dir), *fp, *data, *cwd, *now, *real;
	struct strlist made, seen;
	struct es_err e;
	size_t len, i, n;
	const char *c;

	err_clear(&e);
	strlist_init(&made);
	assert_true(strlen(lp) > 260);
	assert_true(plat_mkdirs(lp, 0755, &made, &e));
	/* Each folder made, top first. */
	assert_true(made.n >= 2);
	assert_true(str_has_suffix(made.v[0], "/Ünïcödé földer"));
	assert_string_equal(made.v[made.n - 1], lp);
	for (i = 1; i < made.n; i++)
		assert_true(str_has_prefix(made.v[i], made.v[i - 1]));
	assert_int_equal(plat_file_type(lp), PLAT_DIR);
	/* Making it again makes nothing. */
	strlist_free(&made);
	strlist_init(&made);
	assert_true(plat_mkdirs(lp, 0755, &made, &e));
	assert_int_equal(made.n, 0);

	fp = xasprintf("%s/fïlé — ✓.txt", lp);
	assert_true(plat_write_file_atomic(fp, "ünïcödé\n", 10, 0644, &e));
	data = plat_read_file(fp, 100, &len, &e);
	assert_non_null(data);
	assert_int_equal(len, 10);
	assert_memory_equal(data, "ünïcödé\n", 10);
	free(data);
	assert_int_equal(plat_file_type(fp), PLAT_FILE);
	assert_int_equal(plat_file_usable(fp, false), 0);
	assert_int_equal(plat_file_usable(fp, true), 0);

	/* The walk gives the names back in UTF-8, parents first. */
	strlist_init(&seen);
	assert_true(plat_walk(dir, collect, &seen, &e));
	/* Every folder of lp below dir, and the file. */
	for (n = 2, c = lp + strlen(dir) + 1; *c != '\0'; c++)
		n += *c == '/';
	assert_int_equal(seen.n, n);
	assert_string_equal(seen.v[0], "Ünïcödé földer");
	assert_true(str_has_suffix(seen.v[seen.n - 1], "/fïlé — ✓.txt"));
	for (i = 0; i < seen.n; i++)
		assert_null(strchr(seen.v[i], '\\'));
	strlist_free(&seen);

	/* The current folder: Windows keeps it under MAX_PATH unless the
	 * program and the system opt in to long paths (wine does not
	 * limit it), so the long one only where it can be entered. */
	cwd = plat_getcwd();
	assert_non_null(cwd);
	if (!plat_chdir(lp, &e)) {
		assert_false(on_wine());
		assert_int_equal(e.code, ES_EINSTALL);
		err_clear(&e);
		assert_true(plat_chdir(dir, &e));
		free(lp);
		lp = xstrdup(dir);
	}
	now = plat_getcwd();
	assert_non_null(now);
	assert_int_equal(_stricmp(now, lp), 0);
	assert_true(plat_write_file_atomic("relative.txt", "r", 1, 0644, &e));
	assert_true(plat_chdir(cwd, &e));
	free(now);
	now = xasprintf("%s/relative.txt", lp);
	assert_int_equal(plat_file_type(now), PLAT_FILE);
	real = plat_real_path(now);
	assert_non_null(real);
	assert_int_equal(_stricmp(real, now), 0);
	free(real);
	free(now);
	free(cwd);
	assert_false(plat_chdir("C:/no/such/folder", &e));
	assert_int_equal(e.code, ES_EINSTALL);

	assert_true(plat_remove_tree(dir, &e));
	assert_int_equal(plat_file_type(dir), PLAT_NONE);
	assert_true(plat_remove_tree(dir, &e));	/* missing is success */
	assert_true(plat_mkdirs(dir, 0755, NULL, &e));
	strlist_free(&made);
	free(fp);
	free(lp);
}

static bool
count(const char *rel, enum plat_ftype t, unsigned mode, void *arg)
{
	(void)rel;
	(void)t;
	(void)mode;
	(*(int *)arg)++;
	return true;
}

static void
test_atomic_replace(void **state)
{
	const char *dir = *state;
	char *fp = xasprintf("%s/conf.xml", dir), *data, *left, *other;
	struct es_err e;
	size_t len;
	int n = 0;

	err_clear(&e);
	assert_true(plat_write_file_atomic(fp, "old", 3, 0644, &e));
	/* Over a read-only file, as rename(2) replaces whatever the mode. */
	assert_true(plat_chmod(fp, 0444, &e));
	assert_int_equal(plat_file_mode(fp) & 0222, 0);
	assert_true(plat_write_file_atomic(fp, "new content", 11, 0644, &e));
	data = plat_read_file(fp, 100, &len, &e);
	assert_non_null(data);
	assert_int_equal(len, 11);
	assert_memory_equal(data, "new content", 11);
	free(data);
	assert_int_equal(plat_file_mode(fp) & 0200, 0200);
	/* No temporary file is left beside it. */
	assert_true(plat_walk(dir, count, &n, &e));
	assert_int_equal(n, 1);
	/* What an interrupted write leaves goes; nothing else. */
	left = xasprintf("%s/.conf.xml.es-0123abcd", dir);
	other = xasprintf("%s/.conf.xml.es-keepme", dir);
	assert_true(plat_write_file_atomic(left, "x", 1, 0444, &e));
	assert_true(plat_write_file_atomic(other, "x", 1, 0644, &e));
	plat_remove_write_leftovers(fp);
	assert_int_equal(plat_file_type(left), PLAT_NONE);
	assert_int_equal(plat_file_type(other), PLAT_FILE);
	assert_int_equal(plat_file_type(fp), PLAT_FILE);
	/* A folder in the way is not replaced. */
	assert_true(plat_mkdirs(left, 0755, NULL, &e));
	assert_false(plat_write_file_atomic(left, "x", 1, 0644, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	free(left);
	free(other);
	free(fp);
}

static void
test_refusals(void **state)
{
	const char *dir = *state;
	char *fp = xasprintf("%s/big", dir);
	struct es_err e;
	size_t len;
	FILE *f;

	err_clear(&e);
	assert_true(plat_write_file_atomic(fp, "0123456789", 10, 0644, &e));
	assert_null(plat_read_file(fp, 9, &len, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, "larger than the 9 bytes"));
	err_clear(&e);
	assert_null(plat_read_file(dir, 100, &len, &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_non_null(strstr(e.msg, "it is a folder"));
	/* Devices and pipes are refused at once, never read. */
	err_clear(&e);
	assert_null(plat_read_file("NUL", 100, &len, &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_non_null(strstr(e.msg, "device"));
	err_clear(&e);
	assert_null(plat_fopen_regular("CON", "rb", &e));
	assert_int_equal(e.code, ES_EUSAGE);
	err_clear(&e);
	assert_false(plat_check_regular("C:/x/nul.txt", "--answers", &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_true(str_has_prefix(e.msg, "--answers C:/x/nul.txt: it is a "
	    "device"));
	err_clear(&e);
	assert_false(plat_check_regular("\\\\.\\pipe\\es-test", "--answers",
	    &e));
	assert_non_null(strstr(e.msg, "named pipe"));
	err_clear(&e);
	assert_false(plat_check_regular(dir, "--answers", &e));
	assert_true(plat_check_regular(fp, "--answers", &e));
	assert_true(plat_check_regular("C:/no/such/file", "--answers", &e));
	assert_int_equal(plat_file_usable(dir, false), EISDIR);
	assert_int_equal(plat_file_usable("C:/no/such/file", false), ENOENT);
	assert_int_equal(plat_file_usable("C:/no/such/file", true), ENOENT);
	assert_int_equal(plat_file_usable("NUL", false), EINVAL);
	f = plat_fopen_regular(fp, "rb", &e);
	assert_non_null(f);
	fclose(f);
	free(fp);
}

static void
test_remove(void **state)
{
	const char *dir = *state;
	char *fp = xasprintf("%s/sub/ro.txt", dir), *sub;
	struct es_err e;

	err_clear(&e);
	sub = xasprintf("%s/sub", dir);
	assert_true(plat_mkdirs(sub, 0755, NULL, &e));
	assert_true(plat_write_file_atomic(fp, "r", 1, 0444, &e));
	assert_int_equal(plat_file_mode(fp) & 0222, 0);
	/* A folder that is not empty stays, with a message that says so. */
	assert_false(plat_remove(sub, &e));
	assert_non_null(strstr(e.msg, "not empty"));
	err_clear(&e);
	/* A read-only file is removed like any other. */
	assert_true(plat_remove(fp, &e));
	assert_int_equal(plat_file_type(fp), PLAT_NONE);
	assert_true(plat_remove(sub, &e));
	assert_int_equal(plat_file_type(sub), PLAT_NONE);
	assert_false(plat_remove(sub, &e));
	/* And in a tree. */
	err_clear(&e);
	assert_true(plat_write_file_atomic(fp, "r", 1, 0444, &e) ||
	    (plat_mkdirs(sub, 0755, NULL, &e) &&
	    plat_write_file_atomic(fp, "r", 1, 0444, &e)));
	assert_true(plat_remove_tree(sub, &e));
	assert_int_equal(plat_file_type(sub), PLAT_NONE);
	/* plat_rename replaces a file. */
	free(fp);
	fp = xasprintf("%s/a", dir);
	free(sub);
	sub = xasprintf("%s/b", dir);
	assert_true(plat_write_file_atomic(fp, "a", 1, 0644, &e));
	assert_true(plat_write_file_atomic(sub, "b", 1, 0644, &e));
	assert_true(plat_rename(fp, sub, &e));
	assert_int_equal(plat_file_type(fp), PLAT_NONE);
	assert_int_equal(plat_file_type(sub), PLAT_FILE);
	free(fp);
	free(sub);
}

static void
test_modes(void **state)
{
	const char *dir = *state;
	char *fp = xasprintf("%s/key.pem", dir), *pp, *lp, *sub;
	struct es_err e;
	FILE *f;

	err_clear(&e);
	pp = xasprintf("%s/answers.private", dir);
	lp = xasprintf("%s/install.log", dir);
	sub = xasprintf("%s/record", dir);
	assert_true(plat_write_file_atomic(fp, "k", 1, 0600, &e));
	assert_true(plat_create_private(pp, &e));
	assert_true(plat_create_private(pp, &e));	/* exists: still fine */
	assert_false(plat_create_private(dir, &e));
	assert_int_equal(e.code, ES_EUSAGE);
	err_clear(&e);
	f = plat_fopen_regular(lp, "a", &e);
	assert_non_null(f);
	fputs("line\n", f);
	fclose(f);
	assert_true(plat_mkdirs(sub, 0700, NULL, &e));
	if (on_wine()) {
		/* wine keeps no ACLs: the calls succeed, the modes are not
		 * read back. */
		assert_true(plat_chmod(fp, 0644, &e));
		assert_true(plat_chmod(fp, 0600, &e));
		skip();
	}
	/* Owner-only modes are the protected SYSTEM + Administrators
	 * DACL; other modes what the folder passes on. */
	assert_int_equal(plat_file_mode(fp), 0600);
	assert_int_equal(plat_file_mode(pp), 0600);
	assert_int_equal(plat_file_mode(lp), 0600);
	assert_int_equal(plat_file_mode(sub), 0700);
	assert_int_equal(plat_file_mode(dir), 0755);
	assert_true(plat_chmod(fp, 0644, &e));
	assert_int_equal(plat_file_mode(fp), 0644);
	assert_true(plat_chmod(fp, 0640, &e));
	assert_int_equal(plat_file_mode(fp), 0644);
	assert_true(plat_chmod(fp, 0400, &e));
	assert_int_equal(plat_file_mode(fp), 0400);
	assert_true(plat_chmod(fp, 0600, &e));
	assert_int_equal(plat_file_mode(fp), 0600);
	assert_true(plat_chmod(sub, 0755, &e));
	assert_int_equal(plat_file_mode(sub), 0755);
	free(fp);
	free(pp);
	free(lp);
	free(sub);
}

static void
test_append(void **state)
{
	const char *dir = *state;
	char *jp = xasprintf("%s/journal", dir), *data;
	char *cp = xasprintf("%s/journal.committed", dir);
	struct plat_append_file *a;
	struct es_err e;
	size_t len;

	err_clear(&e);
	a = plat_append_create(jp, &e);
	assert_non_null(a);
	assert_true(plat_append_durable(a, "one\n", 4, &e));
	/* Renamed while open (the journal's commit point), it goes on
	 * taking records under its new name, as on Linux. */
	assert_true(plat_rename(jp, cp, &e));
	assert_true(plat_append_durable(a, "two\n", 4, &e));
	plat_append_close(a);
	assert_int_equal(plat_file_type(jp), PLAT_NONE);
	assert_true(plat_rename(cp, jp, &e));
	plat_append_close(NULL);
	assert_null(plat_append_create(jp, &e));
	assert_int_equal(e.code, ES_EEXISTS);
	err_clear(&e);
	/* A torn record after the first 4 bytes goes on opening. */
	a = plat_append_open(jp, 4, &e);
	assert_non_null(a);
	data = plat_read_file(jp, 100, &len, &e);
	assert_int_equal(len, 4);
	free(data);
	assert_true(plat_append_durable(a, "three\n", 6, &e));
	plat_append_close(a);
	data = plat_read_file(jp, 100, &len, &e);
	assert_int_equal(len, 10);
	assert_memory_equal(data, "one\nthree\n", 10);
	free(data);
	/* Longer than the file: not the file it was. */
	assert_null(plat_append_open(jp, 11, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	if (!on_wine())
		assert_int_equal(plat_file_mode(jp), 0600);
	free(jp);
	free(cp);
}

static void
test_beneath(void **state)
{
	const char *dir = *state;
	char *data, *p;
	struct es_err e;
	bool removed;
	size_t len;
	FILE *f;

	err_clear(&e);
	assert_true(plat_write_file_beneath(dir, "a/b/c.txt", "abc", 3, 0644,
	    &e));
	data = plat_read_file_beneath(dir, "a/b/c.txt", 10, &len, &e);
	assert_non_null(data);
	assert_int_equal(len, 3);
	free(data);
	assert_null(plat_read_file_beneath(dir, "a/b/c.txt", 2, &len, &e));
	err_clear(&e);
	f = plat_fopen_beneath(dir, "a/b/c.txt", &e);
	assert_non_null(f);
	fclose(f);
	assert_int_equal(plat_file_type_beneath(dir, "a/b/c.txt"), PLAT_FILE);
	assert_int_equal(plat_file_type_beneath(dir, "a/b"), PLAT_DIR);
	assert_int_equal(plat_file_type_beneath(dir, "a/x/y"), PLAT_NONE);
	assert_true(plat_chmod_beneath(dir, "a/b/c.txt", 0600, &e));
	p = xasprintf("%s/a/b/c.txt", dir);
	if (!on_wine())
		assert_int_equal(plat_file_mode(p), 0600);
	free(p);
	/* Not a plain relative path: refused before anything is opened. */
	assert_false(plat_write_file_beneath(dir, "a/../x", "x", 1, 0644, &e));
	assert_int_equal(e.code, ES_EINTERNAL);
	err_clear(&e);
	assert_false(plat_write_file_beneath(dir, "a/b/c.txt:stream", "x", 1,
	    0644, &e));
	assert_int_equal(e.code, ES_EINTERNAL);
	err_clear(&e);
	assert_false(plat_write_file_beneath(dir, "a\\b\\d", "x", 1, 0644,
	    &e));
	err_clear(&e);
	/* A file on the way. */
	assert_false(plat_write_file_beneath(dir, "a/b/c.txt/d", "x", 1, 0644,
	    &e));
	assert_non_null(strstr(e.msg, "is a file, not a folder"));
	err_clear(&e);
	assert_true(plat_remove_beneath(dir, "a/b/c.txt", &removed, &e));
	assert_true(removed);
	assert_true(plat_remove_beneath(dir, "a/b/c.txt", &removed, &e));
	assert_false(removed);
	assert_true(plat_remove_beneath(dir, "a/no/c.txt", &removed, &e));
	assert_false(removed);
	assert_true(plat_write_file_beneath(dir, "a/b/c.txt", "abc", 3, 0644,
	    &e));
	assert_false(plat_remove_beneath(dir, "a/b", &removed, &e));
	assert_non_null(strstr(e.msg, "not empty"));
}

/* Security: a junction (or link) the payload placed on the way cannot
 * lead the installer's writes, reads or removals out of its folder. */
static void
test_beneath_junction_attack(void **state)
{
	const char *dir = *state;
	char *outside = xasprintf("%s-outside", dir), *link, *victim;
	struct es_err e;
	bool removed;
	size_t len;

	err_clear(&e);
	link = xasprintf("%s/nse/conf", dir);
	victim = xasprintf("%s/victim.txt", outside);
	assert_true(plat_mkdirs(outside, 0755, NULL, &e));
	assert_true(plat_write_file_atomic(victim, "keep", 4, 0644, &e));
	assert_true(plat_mkdirs(dir, 0755, NULL, &e));
	{
		char *nse = xasprintf("%s/nse", dir);

		assert_true(plat_mkdirs(nse, 0755, NULL, &e));
		free(nse);
	}
	if (!make_dir_link(outside, link)) {
		plat_remove_tree(outside, &e);
		free(outside);
		free(link);
		free(victim);
		skip();
	}
	assert_int_equal(plat_file_type(link), PLAT_LINK);
	assert_false(plat_write_file_beneath(dir, "nse/conf/victim.txt", "x",
	    1, 0644, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, "nse/conf is a symbolic link or "
	    "junction"));
	err_clear(&e);
	assert_false(plat_write_file_beneath(dir, "nse/conf/new/x.txt", "x",
	    1, 0644, &e));
	err_clear(&e);
	assert_null(plat_read_file_beneath(dir, "nse/conf/victim.txt", 100,
	    &len, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	err_clear(&e);
	assert_null(plat_fopen_beneath(dir, "nse/conf/victim.txt", &e));
	err_clear(&e);
	assert_false(plat_chmod_beneath(dir, "nse/conf/victim.txt", 0600, &e));
	err_clear(&e);
	assert_false(plat_remove_beneath(dir, "nse/conf/victim.txt", &removed,
	    &e));
	assert_false(removed);
	err_clear(&e);
	assert_int_equal(plat_file_type_beneath(dir, "nse/conf/victim.txt"),
	    PLAT_NONE);
	assert_int_equal(plat_file_type_beneath(dir, "nse/conf"), PLAT_LINK);
	/* The link itself as the last part is not read, nor followed. */
	assert_null(plat_read_file_beneath(dir, "nse/conf", 100, &len, &e));
	err_clear(&e);
	{
		char *data = plat_read_file(victim, 100, &len, &e);

		assert_non_null(data);
		assert_memory_equal(data, "keep", 4);
		free(data);
	}
	assert_int_equal(plat_file_type(victim), PLAT_FILE);
	{
		char *nx = xasprintf("%s/new", outside);

		assert_int_equal(plat_file_type(nx), PLAT_NONE);
		free(nx);
	}

	/* plat_path_in_root: a state folder through the junction leads
	 * out of the root; one beside it does not. */
	{
		char *through = xasprintf("%s/nse/conf/engine-setup/x", dir);
		char *beside = xasprintf("%s/nse/other/x", dir);
		char *upper = xstrdup(dir);
		char *c;

		assert_false(plat_path_in_root(dir, through, ES_EREQ, &e));
		assert_int_equal(e.code, ES_EREQ);
		assert_non_null(strstr(e.msg, "leads out of --root"));
		err_clear(&e);
		assert_true(plat_path_in_root(dir, beside, ES_EREQ, &e));
		/* NTFS names compare without case. */
		for (c = upper; *c != '\0'; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A');
		assert_true(plat_path_in_root(upper, beside, ES_EREQ, &e));
		assert_true(plat_path_in_root("/", through, ES_EREQ, &e));
		free(through);
		free(beside);
		free(upper);
	}
	{
		char *to = plat_read_link(link);

		assert_non_null(to);
		assert_int_equal(_stricmp(to, outside), 0);
		free(to);
	}

	/* plat_remove_tree never follows it: the junction goes (on
	 * Windows), what it leads to stays. */
	if (!on_wine()) {
		assert_true(plat_remove_beneath(dir, "nse/conf", &removed, &e));
		assert_true(removed);
		assert_true(make_dir_link(outside, link));
		assert_true(plat_remove_tree(dir, &e));
		assert_int_equal(plat_file_type(dir), PLAT_NONE);
		assert_true(plat_mkdirs(dir, 0755, NULL, &e));
	} else {
		char *nse = xasprintf("%s/nse", dir);

		/* wine cannot remove a Unix link to a folder; it must
		 * still not enter it. */
		assert_false(plat_remove_tree(nse, &e));
		err_clear(&e);
		remove_dir_link(link);
		assert_true(plat_remove_tree(nse, &e));
		free(nse);
	}
	assert_int_equal(plat_file_type(victim), PLAT_FILE);
	assert_true(plat_remove_tree(outside, &e));
	free(outside);
	free(link);
	free(victim);
}

static void
test_symlink(void **state)
{
	const char *dir = *state;
	char *lp = xasprintf("%s/link", dir);
	struct es_err e;

	err_clear(&e);
	if (on_wine()) {
		/* wine makes no links: the call must say so, not claim to
		 * have made one. */
		assert_false(plat_symlink("target", lp, &e));
		assert_int_equal(e.code, ES_EINSTALL);
		assert_non_null(strstr(e.msg, "cannot create link"));
		free(lp);
		skip();
	}
	if (!plat_symlink("target.txt", lp, &e)) {
		/* No SeCreateSymbolicLinkPrivilege and no Developer Mode:
		 * the message says which. */
		assert_non_null(strstr(e.msg, "cannot create link"));
		free(lp);
		skip();
	}
	assert_int_equal(plat_file_type(lp), PLAT_LINK);
	{
		char *to = plat_read_link(lp);

		assert_non_null(to);
		assert_string_equal(to, "target.txt");
		free(to);
	}
	assert_int_equal(plat_file_mode(lp), 0777);
	assert_false(plat_symlink("other", lp, &e));
	assert_non_null(strstr(e.msg, "already exists"));
	free(lp);
}

/* The child of test_run_lock: take root's lock and hold it. */
static int
hold_lock(const char *root, const char *seconds)
{
	struct plat_run_lock *l;
	struct es_err e;
	long pid;

	err_clear(&e);
	if (!plat_run_lock_acquire(root, 0, &l, &pid, &e)) {
		fprintf(stderr, "child: %s\n", e.msg);
		return 3;
	}
	Sleep((DWORD)atoi(seconds) * 1000);
	plat_run_lock_release(l);
	return 0;
}

/* Start this program again to hold root's lock for seconds. */
static HANDLE
start_holder(const char *root, int seconds, DWORD *pid)
{
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	wchar_t *cmd;
	char *c;
	BOOL ok;

	c = xasprintf("\"%s\" --hold-lock \"%s\" %d", self_path, root, seconds);
	cmd = wide(c, false);
	free(c);
	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	ok = CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si,
	    &pi);
	free(cmd);
	if (!ok)
		return NULL;
	CloseHandle(pi.hThread);
	*pid = pi.dwProcessId;
	return pi.hProcess;
}

static void
test_run_lock(void **state)
{
	const char *dir = *state;
	char *root = xasprintf("%s/root ü", dir), *state_dir, *state_file;
	struct plat_run_lock *l;
	struct es_err e;
	long pid, held;
	HANDLE child;
	DWORD cpid;
	int i;

	err_clear(&e);
	assert_true(plat_mkdirs(root, 0755, NULL, &e));
	state_file = plat_state_file(root);
	state_dir = xstrndup(state_file, (size_t)(strrchr(state_file, '/') -
	    state_file));
	assert_false(plat_run_lock_held(root, &held));
	assert_int_equal(held, 0);
	assert_true(plat_run_lock_acquire(root, 0, &l, &pid, &e));
	assert_true(plat_run_lock_held(root, &held));
	assert_int_equal(held, (long)GetCurrentProcessId());
	plat_run_lock_release(l);
	assert_false(plat_run_lock_held(root, &held));
	/* The folders only the lock needed go with it. */
	assert_int_equal(plat_file_type(state_dir), PLAT_NONE);
	{
		char *c = xasprintf("%s/C", root);

		assert_int_equal(plat_file_type(c), PLAT_NONE);
		free(c);
	}

	/* Another process holds it: busy, named; it dies: free. */
	child = start_holder(root, 30, &cpid);
	assert_non_null(child);
	for (i = 0; i < 500 && !plat_run_lock_held(root, &held); i++)
		Sleep(20);
	assert_true(plat_run_lock_held(root, &held));
	assert_int_equal(held, (long)cpid);
	assert_false(plat_run_lock_acquire(root, 0, &l, &pid, &e));
	assert_int_equal(e.code, ES_EBUSY);
	assert_int_equal(pid, (long)cpid);
	err_clear(&e);
	assert_false(plat_run_lock_acquire(root, 0.3, &l, &pid, &e));
	assert_int_equal(e.code, ES_EBUSY);
	err_clear(&e);
	TerminateProcess(child, 9);
	WaitForSingleObject(child, 10000);
	CloseHandle(child);
	assert_true(plat_run_lock_acquire(root, 10, &l, &pid, &e));
	plat_run_lock_release(l);

	/* A holder that finishes: the waiter gets it. */
	child = start_holder(root, 1, &cpid);
	assert_non_null(child);
	for (i = 0; i < 500 && !plat_run_lock_held(root, &held); i++)
		Sleep(20);
	assert_true(plat_run_lock_acquire(root, 20, &l, &pid, &e));
	assert_true(plat_run_lock_held(root, &held));
	assert_int_equal(held, (long)GetCurrentProcessId());
	plat_run_lock_release(l);
	WaitForSingleObject(child, 10000);
	CloseHandle(child);
	assert_int_equal(plat_file_type(state_dir), PLAT_NONE);
	free(state_dir);
	free(state_file);
	free(root);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_install_path_problem),
		cmocka_unit_test_setup_teardown(test_long_unicode_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_atomic_replace, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_beneath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_beneath_junction_attack,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_lock, setup,
		    teardown),
	};

	self_path = plat_self_exe();
	if (argc == 4 && strcmp(argv[1], "--hold-lock") == 0) {
		/* argv is in the ANSI code page: the root, in UTF-8, from
		 * the wide command line. */
		int n;
		wchar_t **wv = CommandLineToArgvW(GetCommandLineW(), &n);
		char root[4096];

		if (wv == NULL || n != 4)
			return 2;
		WideCharToMultiByte(CP_UTF8, 0, wv[2], -1, root, sizeof root,
		    NULL, NULL);
		return hold_lock(root, argv[3]);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
