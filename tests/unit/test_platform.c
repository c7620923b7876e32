/* Tests of platform/linux/platform_linux.c.
 *
 * systemd-analyze verify (systemd 252, Debian 12): `systemd-analyze
 * --root=DIR verify NAME.service` fails on an installed-only root ("Unit
 * sysinit.target not found"), because the root holds no systemd units of
 * its own. What works, also where systemd is not PID 1 (containers), is
 * `systemd-analyze verify ROOT/etc/systemd/system/NAME.service` with the
 * ExecStart program existing on this host at the path the unit names; so
 * the service tests point exec at a program inside the fixture folder. */
#include "fixture.h"

#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "platform.h"
#include "util.h"

extern char **environ;

/* Run argv[0] found in PATH, with output to ours; its exit status or -1. */
static int
run(char *const argv[])
{
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* True when a program is on PATH. */
static bool
have_program(const char *name)
{
	char *argv[] = { (char *)"sh", (char *)"-c", NULL, NULL };
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", name);
	int rc;

	argv[2] = cmd;
	rc = run(argv);
	free(cmd);
	return rc == 0;
}

/* Make an executable shell script at path. */
static void
write_program(const char *path, const char *body)
{
	FILE *fp;
	char *dir = xstrdup(path);

	*strrchr(dir, '/') = '\0';
	fixture_mkdirs(dir);
	free(dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);
}

static char *
read_link(const char *path)
{
	char buf[4096];
	ssize_t n = readlink(path, buf, sizeof buf - 1);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static void
test_join_root(void **state)
{
	char *p;

	(void)state;
	p = plat_join_root(NULL, "/etc/x");
	assert_string_equal(p, "/etc/x");
	free(p);
	p = plat_join_root("/", "/etc/x");
	assert_string_equal(p, "/etc/x");
	free(p);
	p = plat_join_root("/tmp/r", "/etc/x");
	assert_string_equal(p, "/tmp/r/etc/x");
	free(p);
	p = plat_join_root("/tmp/r//", "/etc/x");
	assert_string_equal(p, "/tmp/r/etc/x");
	free(p);
	p = plat_state_file("/tmp/r/");
	assert_string_equal(p, "/tmp/r/var/lib/engine-setup/installation");
	free(p);
	p = plat_state_file("/");
	assert_string_equal(p, "/var/lib/engine-setup/installation");
	free(p);
	assert_true(plat_path_is_absolute("/opt"));
	assert_false(plat_path_is_absolute("opt"));
	assert_string_equal(plat_default_install_dir(), "/opt/rapid7/nexpose");
}

static void
test_mkdirs_records_created(void **state)
{
	struct fixture *f = *state;
	struct strlist made;
	struct es_err e = { 0 };
	char *top = fixture_path(f, "a"), *deep = fixture_path(f, "a/b/c/");
	char *b = fixture_path(f, "a/b"), *c = fixture_path(f, "a/b/c");
	mode_t old = umask(077);

	fixture_mkdirs(top);
	strlist_init(&made);
	assert_true(plat_mkdirs(deep, 0755, &made, &e));
	umask(old);
	assert_int_equal(made.n, 2);
	assert_string_equal(made.v[0], b);
	assert_string_equal(made.v[1], c);
	/* The umask does not narrow the mode asked for. */
	assert_int_equal(plat_file_mode(c), 0755);
	assert_int_equal(plat_file_type(c), PLAT_DIR);
	/* Again: nothing new is made. */
	assert_true(plat_mkdirs(deep, 0755, &made, NULL));
	assert_int_equal(made.n, 2);
	strlist_free(&made);
	free(top);
	free(deep);
	free(b);
	free(c);
}

static void
test_mkdirs_file_in_the_way(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *p = fixture_path(f, "file/sub"), *file = fixture_path(f, "file");

	fixture_write(f, "file", "x");
	assert_false(plat_mkdirs(p, 0755, NULL, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, file));
	assert_non_null(strstr(e.msg, "not a folder"));
	free(p);
	free(file);
}

static void
test_mkdirs_permission_denied(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *ro, *p;

	if (geteuid() == 0)
		skip();
	ro = fixture_path(f, "ro");
	p = fixture_path(f, "ro/x");
	fixture_mkdirs(ro);
	chmod(ro, 0555);
	assert_false(plat_mkdirs(p, 0755, NULL, &e));
	assert_non_null(strstr(e.msg, p));
	assert_non_null(strstr(e.msg, "--root"));
	chmod(ro, 0755);
	free(ro);
	free(p);
}

static bool
count_entry(const char *rel, enum plat_ftype t, unsigned mode, void *arg)
{
	(void)rel;
	(void)t;
	(void)mode;
	(*(int *)arg)++;
	return true;
}

static void
test_write_file_atomic(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *p = fixture_path(f, "d/conf.xml"), *d = fixture_path(f, "d");
	char *text;
	size_t len;
	int n = 0;

	fixture_mkdirs(d);
	assert_true(plat_write_file_atomic(p, "hello\n", 6, 0640, &e));
	text = fixture_read(p, &len);
	assert_int_equal(len, 6);
	assert_string_equal(text, "hello\n");
	free(text);
	assert_int_equal(plat_file_mode(p), 0640);

	/* Replace: new content and mode, and no temporary file left. */
	assert_true(plat_write_file_atomic(p, "bye", 3, 0600, &e));
	text = fixture_read(p, NULL);
	assert_string_equal(text, "bye");
	free(text);
	assert_int_equal(plat_file_mode(p), 0600);
	assert_true(plat_walk(d, count_entry, &n, &e));
	assert_int_equal(n, 1);

	/* Empty content is a valid file. */
	assert_true(plat_write_file_atomic(p, "", 0, 0644, &e));
	text = fixture_read(p, &len);
	assert_int_equal(len, 0);
	free(text);
	assert_int_equal(e.code, 0);
	free(p);
	free(d);
}

static void
test_write_file_atomic_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *p = fixture_path(f, "nodir/x");
	int n = 0;

	assert_false(plat_write_file_atomic(p, "x", 1, 0644, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, p));
	assert_true(plat_walk(f->dir, count_entry, &n, NULL));
	assert_int_equal(n, 0);
	/* e may be NULL. */
	assert_false(plat_write_file_atomic(p, "x", 1, 0644, NULL));
	free(p);
}

/* What an interrupted write leaves is found by its one naming scheme,
 * ".NAME.es-" and 8 hex digits, and nothing else is touched. */
static void
test_remove_write_leftovers(void **state)
{
	struct fixture *f = *state;
	static const char *const keep[] = { "conf.xml", ".conf.xml.es-0123abcX",
	    ".conf.xml.es-0123abc", ".other.es-0123abcd",
	    ".conf.xml.es-staging-1", ".conf.xml.es-0123abcd0" };
	char *d = fixture_path(f, "d"), *p = fixture_path(f, "d/conf.xml");
	char *q;
	size_t i;
	int n = 0;

	fixture_mkdirs(d);
	for (i = 0; i < sizeof keep / sizeof *keep; i++) {
		q = xasprintf("%s/%s", d, keep[i]);
		assert_true(plat_write_file_atomic(q, "k", 1, 0600, NULL));
		free(q);
	}
	q = xasprintf("%s/.conf.xml.es-0123abcd", d);
	assert_true(plat_write_file_atomic(q, "t", 1, 0600, NULL));
	free(q);
	plat_remove_write_leftovers(p);
	assert_true(plat_walk(d, count_entry, &n, NULL));
	assert_int_equal(n, (int)(sizeof keep / sizeof *keep));
	q = xasprintf("%s/.conf.xml.es-0123abcd", d);
	assert_int_equal(plat_file_type(q), PLAT_NONE);
	free(q);
	free(p);
	free(d);
}

/* A full disk: a 64 KiB tmpfs (needs root and mount(2), skipped without). */
static void
test_write_file_atomic_no_space(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *mnt = fixture_path(f, "small"), *p = fixture_path(f, "small/big");
	size_t len = 1024 * 1024;
	char *data;
	int n = 0;

	fixture_mkdirs(mnt);
	if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0,
	    "size=64k") != 0) {
		free(mnt);
		free(p);
		skip();
	}
	data = xcalloc(1, len);
	assert_false(plat_write_file_atomic(p, data, len, 0644, &e));
	n = 0;
	plat_walk(mnt, count_entry, &n, NULL);
	umount(mnt);
	{
		/* The message names the file system by its mount point. */
		char *want = xasprintf("no space left on the file system "
		    "mounted at %s (writing %s)", mnt, p);

		assert_non_null(strstr(e.msg, want));
		free(want);
	}
	/* The temporary file was removed. */
	assert_int_equal(n, 0);
	free(data);
	free(mnt);
	free(p);
}

/* plat_mount_point: the folder where the file system of a path begins,
 * for a path that does not exist yet too. */
static void
test_mount_point(void **state)
{
	struct fixture *f = *state;
	char *mnt = fixture_path(f, "m");
	char *deep = fixture_path(f, "m/a/b/not-yet");
	char buf[4096];

	assert_true(plat_mount_point("/", buf, sizeof buf));
	assert_string_equal(buf, "/");
	assert_true(plat_mount_point("/proc/self/status", buf, sizeof buf));
	assert_string_equal(buf, "/proc");
	assert_false(plat_mount_point("relative", buf, sizeof buf));
	assert_false(plat_mount_point("/", buf, 1));
	fixture_mkdirs(mnt);
	if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0,
	    "size=64k") != 0) {
		free(mnt);
		free(deep);
		skip();
	}
	assert_true(plat_mount_point(deep, buf, sizeof buf));
	umount(mnt);
	assert_string_equal(buf, mnt);
	free(mnt);
	free(deep);
}

static void
test_read_file_limits(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *p = fixture_path(f, "ten"), *missing = fixture_path(f, "none");
	char *text;
	size_t len = 99;

	fixture_write(f, "ten", "0123456789");
	text = plat_read_file(p, 10, &len, &e);
	assert_non_null(text);
	assert_int_equal(len, 10);
	assert_string_equal(text, "0123456789");
	free(text);

	assert_null(plat_read_file(p, 9, &len, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, p));
	assert_non_null(strstr(e.msg, "larger"));
	err_clear(&e);

	assert_null(plat_read_file(missing, 100, &len, &e));
	assert_non_null(strstr(e.msg, missing));
	err_clear(&e);

	assert_null(plat_read_file(f->dir, 100, &len, &e));
	assert_non_null(strstr(e.msg, "folder"));
	err_clear(&e);

	/* Files whose size stat does not know (procfs) are limited too. */
	assert_null(plat_read_file("/proc/self/status", 16, &len, NULL));
	text = plat_read_file("/proc/self/status", 1 << 20, &len, &e);
	assert_non_null(text);
	assert_true(len > 16);
	assert_int_equal(strlen(text), len);
	free(text);
	free(p);
	free(missing);
}

/* Attack: a link inside the tree to a folder outside it must not make
 * remove_tree delete the outside folder's files. */
static void
test_remove_tree_does_not_follow_links(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *tree = fixture_path(f, "tree"), *outside = fixture_path(f, "out");
	char *keep = fixture_path(f, "out/keep");
	char *l1 = fixture_path(f, "tree/to-out");
	char *l2 = fixture_path(f, "tree/a/to-keep");
	char *top = fixture_path(f, "toplink");

	fixture_write(f, "out/keep", "precious");
	fixture_write(f, "tree/a/b/file", "x");
	fixture_write(f, "tree/c", "y");
	assert_int_equal(symlink(outside, l1), 0);
	assert_int_equal(symlink(keep, l2), 0);

	assert_true(plat_remove_tree(tree, &e));
	assert_int_equal(plat_file_type(tree), PLAT_NONE);
	assert_int_equal(plat_file_type(keep), PLAT_FILE);

	/* A link given as the tree itself: only the link goes. */
	assert_int_equal(symlink(outside, top), 0);
	assert_true(plat_remove_tree(top, &e));
	assert_int_equal(plat_file_type(top), PLAT_NONE);
	assert_int_equal(plat_file_type(keep), PLAT_FILE);

	/* Missing is success. */
	assert_true(plat_remove_tree(tree, &e));
	assert_int_equal(e.code, 0);
	free(tree);
	free(outside);
	free(keep);
	free(l1);
	free(l2);
	free(top);
}

static void
test_remove_rename_chmod_symlink(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *a = fixture_path(f, "a"), *b = fixture_path(f, "b");
	char *d = fixture_path(f, "d"), *l = fixture_path(f, "l");
	char *t;

	fixture_write(f, "a", "x");
	fixture_write(f, "d/inner", "x");
	assert_true(plat_rename(a, b, &e));
	assert_int_equal(plat_file_type(a), PLAT_NONE);
	assert_true(plat_chmod(b, 0600, &e));
	assert_int_equal(plat_file_mode(b), 0600);
	assert_true(plat_symlink("b", l, &e));
	assert_int_equal(plat_file_type(l), PLAT_LINK);
	t = read_link(l);
	assert_string_equal(t, "b");
	free(t);
	assert_false(plat_symlink("b", l, &e));
	assert_non_null(strstr(e.msg, l));
	err_clear(&e);
	assert_false(plat_remove(d, &e));
	assert_non_null(strstr(e.msg, "not empty"));
	err_clear(&e);
	assert_true(plat_remove(l, &e));
	assert_true(plat_remove(b, &e));
	assert_false(plat_remove(b, &e));
	assert_non_null(strstr(e.msg, b));
	assert_int_equal(plat_file_mode(b), -1);
	plat_sync_fs(d);
	plat_sync_fs("/nonexistent/deep/path");
	free(a);
	free(b);
	free(d);
	free(l);
}

/* The plat_*_beneath tests run twice: through openat2(2), and through the
 * O_NOFOLLOW walk that kernels without it get (ES_TEST_NO_OPENAT2). */
static void
beneath_mode(bool walk)
{
	if (walk)
		setenv("ES_TEST_NO_OPENAT2", "1", 1);
	else
		unsetenv("ES_TEST_NO_OPENAT2");
}

/* tree/ with a folder outside it holding one file; returns tree's path. */
static char *
beneath_setup(const struct fixture *f)
{
	char *tree = fixture_path(f, "tree"), *out = fixture_path(f, "outside");

	fixture_write(f, "outside/victim", "precious");
	fixture_mkdirs(tree);
	assert_int_equal(chmod(out, 0755), 0);
	free(out);
	return tree;
}

/* The outside folder still holds only "victim", unchanged, mode 0755. */
static void
beneath_outside_untouched(const struct fixture *f)
{
	char *out = fixture_path(f, "outside"), *v = fixture_path(f,
	    "outside/victim"), *text;
	int n = 0;
	DIR *d = opendir(out);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	assert_int_equal(n, 1);
	text = fixture_read(v, NULL);
	assert_string_equal(text, "precious");
	assert_int_equal(plat_file_mode(out), 0755);
	free(text);
	free(out);
	free(v);
}

/* Attack: a link in the folder leads a write, read, chmod or removal out
 * of it, directly or through "q -> ." loops ("conf ->
 * q/q/../../outside": inside by its text, outside once q resolves). */
static void
beneath_link_escapes(const struct fixture *f, bool walk)
{
	struct es_err e = { 0 };
	char *tree = beneath_setup(f), *p, *text;
	bool removed;
	size_t len;
	static const char *const via[] = { "direct/victim", "loop/victim",
	    "sub/deep/victim", "conf/victim" };
	size_t i;

	beneath_mode(walk);
	p = fixture_path(f, "tree/direct");
	assert_int_equal(symlink("../outside", p), 0);
	free(p);
	p = fixture_path(f, "tree/q");
	assert_int_equal(symlink(".", p), 0);
	free(p);
	p = fixture_path(f, "tree/loop");
	assert_int_equal(symlink("q/q/../outside", p), 0);
	free(p);
	fixture_write(f, "tree/sub/keep", "k");
	p = fixture_path(f, "tree/sub/deep");
	assert_int_equal(symlink("../../outside", p), 0);
	free(p);
	/* The planted config folder of the issue, with an absolute target. */
	p = fixture_path(f, "tree/conf");
	text = fixture_path(f, "outside");
	assert_int_equal(symlink(text, p), 0);
	free(text);
	free(p);

	for (i = 0; i < sizeof via / sizeof via[0]; i++) {
		const char *rel = via[i];
		char *newrel = xstrdup(rel);

		memcpy(strrchr(newrel, '/') + 1, "new", 4);
		err_clear(&e);
		assert_false(plat_write_file_beneath(tree, newrel, "x", 1, 0600,
		    &e));
		assert_int_equal(e.code, ES_EINSTALL);
		assert_non_null(strstr(e.msg, "symbolic link"));
		err_clear(&e);
		assert_false(plat_write_file_beneath(tree, rel, "x", 1, 0600,
		    &e));
		err_clear(&e);
		assert_null(plat_read_file_beneath(tree, rel, 100, &len, &e));
		assert_non_null(strstr(e.msg, "symbolic link"));
		err_clear(&e);
		assert_null(plat_fopen_beneath(tree, rel, &e));
		assert_non_null(strstr(e.msg, "symbolic link"));
		err_clear(&e);
		assert_false(plat_chmod_beneath(tree, rel, 0700, &e));
		err_clear(&e);
		assert_false(plat_remove_beneath(tree, rel, &removed, &e));
		assert_false(removed);
		assert_int_equal(plat_file_type_beneath(tree, rel), PLAT_NONE);
		free(newrel);
	}
	/* The message names the link that stopped it. */
	err_clear(&e);
	assert_false(plat_write_file_beneath(tree, "sub/deep/a/b", "x", 1,
	    0600, &e));
	assert_non_null(strstr(e.msg, "tree/sub/deep is a symbolic link"));
	/* The link given as the folder to change (the record folder's
	 * chmod 0700 of the issue): refused, the outside keeps 0755. */
	err_clear(&e);
	assert_false(plat_chmod_beneath(tree, "direct", 0700, &e));
	assert_false(plat_chmod_beneath(tree, "conf", 0700, &e));
	beneath_outside_untouched(f);
	beneath_mode(false);
	free(tree);
}

static void
test_beneath_link_escapes_openat2(void **state)
{
	beneath_link_escapes(*state, false);
}

static void
test_beneath_link_escapes_walk(void **state)
{
	beneath_link_escapes(*state, true);
}

/* A link as the last part: replaced or removed itself, never followed. */
static void
beneath_last_part_link(const struct fixture *f, bool walk)
{
	struct es_err e = { 0 };
	char *tree = beneath_setup(f), *p, *text;
	bool removed;

	beneath_mode(walk);
	p = fixture_path(f, "tree/key");
	assert_int_equal(symlink("../outside/victim", p), 0);
	assert_null(plat_read_file_beneath(tree, "key", 100, NULL, &e));
	err_clear(&e);
	assert_null(plat_fopen_beneath(tree, "key", &e));
	err_clear(&e);
	assert_false(plat_chmod_beneath(tree, "key", 0600, &e));
	err_clear(&e);
	assert_int_equal(plat_file_type_beneath(tree, "key"), PLAT_LINK);
	assert_true(plat_write_file_beneath(tree, "key", "new", 3, 0600, &e));
	assert_int_equal(plat_file_type(p), PLAT_FILE);
	text = fixture_read(p, NULL);
	assert_string_equal(text, "new");
	free(text);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("../outside", p), 0);
	assert_true(plat_remove_beneath(tree, "key", &removed, &e));
	assert_true(removed);
	assert_int_equal(plat_file_type(p), PLAT_NONE);
	beneath_outside_untouched(f);
	beneath_mode(false);
	free(p);
	free(tree);
}

static void
test_beneath_last_part_link_openat2(void **state)
{
	beneath_last_part_link(*state, false);
}

static void
test_beneath_last_part_link_walk(void **state)
{
	beneath_last_part_link(*state, true);
}

/* What the installer does with it: folders made with exactly 0755 (the
 * umask narrows nothing), files written, read, chmod'ed and removed. */
static void
beneath_plain(const struct fixture *f, bool walk)
{
	struct es_err e = { 0 };
	char *tree = beneath_setup(f), *p, *text;
	bool removed;
	size_t len;
	mode_t old = umask(077);
	char buf[16];
	FILE *fp;

	beneath_mode(walk);
	assert_true(plat_write_file_beneath(tree, "a/b/c/file", "data", 4,
	    0640, &e));
	umask(old);
	p = fixture_path(f, "tree/a/b");
	assert_int_equal(plat_file_mode(p), 0755);
	free(p);
	p = fixture_path(f, "tree/a/b/c/file");
	assert_int_equal(plat_file_mode(p), 0640);
	free(p);
	assert_true(plat_write_file_beneath(tree, "a/b/c/file", "again", 5,
	    0600, &e));
	text = plat_read_file_beneath(tree, "a/b/c/file", 100, &len, &e);
	assert_non_null(text);
	assert_int_equal(len, 5);
	assert_string_equal(text, "again");
	free(text);
	assert_null(plat_read_file_beneath(tree, "a/b/c/file", 4, &len, &e));
	assert_non_null(strstr(e.msg, "larger than"));
	err_clear(&e);
	fp = plat_fopen_beneath(tree, "a/b/c/file", &e);
	assert_non_null(fp);
	assert_int_equal(fread(buf, 1, sizeof buf, fp), 5);
	assert_memory_equal(buf, "again", 5);
	fclose(fp);
	assert_null(plat_fopen_beneath(tree, "a/b", &e));
	assert_non_null(strstr(e.msg, "not a regular file"));
	err_clear(&e);
	assert_null(plat_fopen_beneath(tree, "a/none", &e));
	err_clear(&e);
	assert_true(plat_write_file_beneath(tree, "top", "", 0, 0644, &e));
	assert_int_equal(plat_file_type_beneath(tree, "top"), PLAT_FILE);
	assert_int_equal(plat_file_type_beneath(tree, "a/b"), PLAT_DIR);
	assert_int_equal(plat_file_type_beneath(tree, "a/none"), PLAT_NONE);
	assert_true(plat_chmod_beneath(tree, "a/b/c", 0700, &e));
	p = fixture_path(f, "tree/a/b/c");
	assert_int_equal(plat_file_mode(p), 0700);
	free(p);
	/* A file on the way is not a folder. */
	assert_false(plat_write_file_beneath(tree, "top/x", "x", 1, 0600, &e));
	assert_non_null(strstr(e.msg, "not a folder"));
	err_clear(&e);
	assert_false(plat_remove_beneath(tree, "a/b", &removed, &e));
	assert_non_null(strstr(e.msg, "not empty"));
	err_clear(&e);
	assert_true(plat_remove_beneath(tree, "a/b/c/file", &removed, &e));
	assert_true(removed);
	assert_true(plat_remove_beneath(tree, "a/b/c", &removed, &e));
	assert_true(removed);
	assert_true(plat_remove_beneath(tree, "a/b/c", &removed, &e));
	assert_false(removed);
	assert_true(plat_remove_beneath(tree, "x/y/z", &removed, &e));
	assert_false(removed);
	assert_int_equal(e.code, 0);
	/* Only plain relative paths. */
	assert_false(plat_write_file_beneath(tree, "../outside/victim", "x",
	    1, 0600, &e));
	err_clear(&e);
	assert_false(plat_write_file_beneath(tree, "/etc/x", "x", 1, 0600,
	    &e));
	err_clear(&e);
	assert_false(plat_write_file_beneath(tree, "a//x", "x", 1, 0600, &e));
	err_clear(&e);
	assert_false(plat_write_file_beneath(tree, "a/./x", "x", 1, 0600, &e));
	err_clear(&e);
	assert_false(plat_remove_beneath(tree, "a/..", &removed, &e));
	beneath_outside_untouched(f);
	beneath_mode(false);
	free(tree);
}

static void
test_beneath_plain_openat2(void **state)
{
	beneath_plain(*state, false);
}

static void
test_beneath_plain_walk(void **state)
{
	beneath_plain(*state, true);
}

/* mkdir -p of rel inside the fixture. */
static void
fixture_mkdirs_in(const struct fixture *f, const char *rel)
{
	char *p = fixture_path(f, rel);

	fixture_mkdirs(p);
	free(p);
}

/* link NAME (inside the fixture) -> TARGET. */
static void
fixture_link(const struct fixture *f, const char *name, const char *target)
{
	char *p = fixture_path(f, name);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

/* Whether root/rel stays inside root (plat_path_in_root); when it leads
 * out, the message names at (the part, relative to the fixture), the root
 * and to (where it leads, relative to the fixture; NULL: a link to
 * nothing). */
static void
path_in_root_is(const struct fixture *f, const char *rel, bool in,
    const char *at, const char *to)
{
	struct es_err e = { 0 };
	char *root = fixture_path(f, "root"), *path = xasprintf("%s/%s", root,
	    rel), *want, *o, *real;

	assert_int_equal(plat_path_in_root(root, path, ES_EREQ, &e), in);
	if (in) {
		assert_int_equal(e.code, 0);
	} else {
		assert_int_equal(e.code, ES_EREQ);
		/* The fixture folder may itself lie behind a link. */
		o = to != NULL ? fixture_path(f, to) : NULL;
		real = o != NULL ? realpath(o, NULL) : NULL;
		want = xasprintf("%s/%s leads out of --root %s: a symbolic link "
		    "on the way resolves to %s. ", f->dir, at, root,
		    real != NULL ? real : "nothing that exists");
		if (!str_has_prefix(e.msg, want))
			fail_msg("%s: got \"%s\", want \"%s...\"", rel,
			    e.msg, want);
		assert_non_null(strstr(e.msg, "give the link a target that stays inside it"));
		free(want);
		free(real);
		free(o);
	}
	free(path);
	free(root);
}

/* Attack: links in a --root that lead a path out of it, absolute or
 * relative, through a missing part below them, to nothing, or in a
 * loop; links that stay inside are followed. */
static void
test_path_in_root(void **state)
{
	struct fixture *f = *state;
	char *out = fixture_path(f, "outside"), *p, *root;
	struct es_err e = { 0 };

	fixture_write(f, "outside/victim", "precious");
	fixture_write(f, "root/srv/data/file", "x");
	fixture_mkdirs_in(f, "root/etc");
	fixture_link(f, "root/opt", out);
	fixture_link(f, "root/etc/systemd", "../../outside");
	fixture_link(f, "root/inside", "srv/data");
	fixture_link(f, "root/dangling", "/nonexistent-es-test/x");
	fixture_link(f, "root/loop1", "loop2");
	fixture_link(f, "root/loop2", "loop1");
	fixture_link(f, "root/srv/up", "../..");

	path_in_root_is(f, "srv/data/file", true, NULL, NULL);
	path_in_root_is(f, "srv/data/new/deeper", true, NULL, NULL);
	path_in_root_is(f, "inside/file", true, NULL, NULL);
	path_in_root_is(f, "inside/missing/x", true, NULL, NULL);
	path_in_root_is(f, "missing/x", true, NULL, NULL);
	path_in_root_is(f, "opt", false, "root/opt", "outside");
	path_in_root_is(f, "opt/rapid7/nexpose", false, "root/opt", "outside");
	path_in_root_is(f, "opt/victim", false, "root/opt/victim",
	    "outside/victim");
	path_in_root_is(f, "etc/systemd/system/x.service", false,
	    "root/etc/systemd", "outside");
	path_in_root_is(f, "srv/up/outside", false, "root/srv/up/outside",
	    "outside");
	path_in_root_is(f, "dangling/x", false, "root/dangling", NULL);
	path_in_root_is(f, "loop1/x", false, "root/loop1", NULL);

	/* A root spelt with "..", as --root may be given, and the live
	 * root, which holds everything. */
	p = fixture_path(f, "root/srv/../srv/data/file");
	root = fixture_path(f, "root/srv/..");
	assert_true(plat_path_in_root(root, p, ES_EREQ, &e));
	free(p);
	p = fixture_path(f, "root/srv/../opt/x");
	assert_false(plat_path_in_root(root, p, ES_EREQ, &e));
	free(p);
	free(root);
	err_clear(&e);
	assert_true(plat_path_in_root("/", "/etc/../tmp", ES_EREQ, &e));
	assert_int_equal(e.code, 0);
	free(out);
}

/* Attack: a --root whose folder for service definitions is a link out
 * of it (absolute or relative, systemd or SysV): the definition is not
 * installed there, nor removed from there, and nothing outside
 * changes. */
static void
test_service_link_out(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	struct plat_service s = { "es-test", "test", "/opt/x/run", "/opt/x", NULL };
	char *root = fixture_path(f, "root"), *out = fixture_path(f, "outside");
	char *unit = fixture_path(f, "outside/es-test.service"), *p, *text;
	static const char *const links[][2] = {
		{ "root/etc/systemd/system", "OUT" },
		{ "root/etc/systemd", "../../outside" },
		{ "root/etc", "../outside" },
		{ "root/etc/systemd/system/multi-user.target.wants", "OUT" },
	};
	size_t i;

	unsetenv("ES_INIT_SYSTEM");
	for (i = 0; i < sizeof links / sizeof links[0]; i++) {
		fixture_rm_rf(root);
		fixture_rm_rf(out);
		fixture_write(f, "outside/victim", "precious");
		assert_int_equal(chmod(out, 0755), 0);
		p = fixture_path(f, links[i][0]);
		*strrchr(p, '/') = '\0';
		fixture_mkdirs(p);
		free(p);
		fixture_link(f, links[i][0], strcmp(links[i][1], "OUT") == 0 ?
		    out : links[i][1]);
		err_clear(&e);
		assert_false(plat_service_install(root, &s, NULL, &e));
		assert_int_equal(e.code, ES_EINSTALL);
		assert_non_null(strstr(e.msg, "leads out of --root"));
		beneath_outside_untouched(f);
	}
	/* A definition there, as an install before the link came left it:
	 * not removed through the link. */
	fixture_rm_rf(root);
	fixture_write(f, "outside/es-test.service", "[Unit]\n");
	fixture_mkdirs_in(f, "root/etc/systemd");
	fixture_link(f, "root/etc/systemd/system", out);
	err_clear(&e);
	assert_false(plat_service_remove(root, "es-test", &e));
	assert_non_null(strstr(e.msg, "leads out of --root"));
	text = fixture_read(unit, NULL);
	assert_string_equal(text, "[Unit]\n");
	free(text);

	/* SysV: one rc folder leads out. */
	setenv("ES_INIT_SYSTEM", "sysv", 1);
	fixture_rm_rf(root);
	fixture_rm_rf(out);
	fixture_write(f, "outside/victim", "precious");
	assert_int_equal(chmod(out, 0755), 0);
	fixture_mkdirs_in(f, "root/etc/init.d");
	fixture_link(f, "root/etc/rc3.d", "../../outside");
	err_clear(&e);
	assert_false(plat_service_install(root, &s, NULL, &e));
	assert_non_null(strstr(e.msg, "leads out of --root"));
	beneath_outside_untouched(f);
	unsetenv("ES_INIT_SYSTEM");
	free(root);
	free(out);
	free(unit);
}

struct walk_log {
	struct sbuf s;
	const char *stop_at;
};

static bool
log_entry(const char *rel, enum plat_ftype t, unsigned mode, void *arg)
{
	struct walk_log *w = arg;
	static const char types[] = "-fdlo";

	(void)mode;
	sbuf_addf(&w->s, "%c:%s ", types[t], rel);
	return w->stop_at == NULL || strcmp(rel, w->stop_at) != 0;
}

static void
test_walk_order(void **state)
{
	struct fixture *f = *state;
	struct walk_log w = { { NULL, 0, 0 }, NULL };
	struct es_err e = { 0 };
	char *l = fixture_path(f, "l"), *a = fixture_path(f, "a");

	fixture_write(f, "c", "x");
	fixture_write(f, "a/z", "x");
	fixture_write(f, "a/y/x", "x");
	fixture_write(f, "B/k", "x");
	assert_int_equal(symlink(a, l), 0);

	sbuf_init(&w.s);
	assert_true(plat_walk(f->dir, log_entry, &w, &e));
	/* Parents first, bytewise order, links reported and not followed. */
	assert_string_equal(w.s.s,
	    "d:B f:B/k d:a d:a/y f:a/y/x f:a/z f:c l:l ");
	sbuf_free(&w.s);

	w.stop_at = "a/y";
	assert_false(plat_walk(f->dir, log_entry, &w, &e));
	assert_string_equal(w.s.s, "d:B f:B/k d:a d:a/y ");
	assert_int_equal(e.code, 0);
	sbuf_free(&w.s);
	free(l);
	free(a);
}

static void
test_facts(void **state)
{
	struct plat_facts pf;
	char *exe;

	(void)state;
	unsetenv("ES_FAKE_HYPERVISOR");
	plat_facts(&pf);
	assert_true(pf.mem_total > 0);
	assert_true(pf.cpu_count >= 1);
	assert_string_equal(pf.os_family, "linux");
	assert_true(pf.arch[0] != '\0');
	assert_true(pf.os_id[0] != '\0');
	assert_true(pf.os_name[0] != '\0');

	setenv("ES_FAKE_HYPERVISOR", "vmware", 1);
	plat_facts(&pf);
	assert_string_equal(pf.hypervisor, "vmware");
	setenv("ES_FAKE_HYPERVISOR", "", 1);
	plat_facts(&pf);
	assert_string_equal(pf.hypervisor, "");
	unsetenv("ES_FAKE_HYPERVISOR");

	exe = plat_self_exe();
	assert_non_null(exe);
	assert_true(str_has_suffix(exe, "/test_platform"));
	free(exe);
	assert_int_equal(plat_is_admin(), geteuid() == 0);
}

/* addr_text() writes what glibc's inet_ntop(3) writes, so that the
 * platforms that use it (Windows) print an address as Linux does. */
static void
test_text_as_inet_ntop(void **state)
{
	static const char *v6[] = { "::", "::1", "::2", "1::", "1::2",
	    "::ffff:127.0.0.1", "::ffff:0:1.2.3.4", "::1.2.3.4", "::0.0.0.1",
	    "::0.1.0.0", "::ffff:0.0.0.0", "64:ff9b::1.2.3.4",
	    "1:2:3:4:5:6:1.2.3.4", "1:0:1:1:1:1:1:1", "1:0:0:1:0:0:1:1",
	    "0:0:1::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
	    "1:0:0:2:0:0:0:3", "1:0:0:0:2:0:0:3", "fe80::abcd:ef01",
	    "2001:db8:0:0:1:0:0:1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "0:0:0:0:0:ffff:0:0", "::ffff:1:2" };
	static const char *v4[] = { "0.0.0.0", "192.0.2.1",
	    "255.255.255.255", "10.0.0.5" };
	struct addr_raw a;
	char want[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
		memset(&a, 0, sizeof a);
		a.v6 = true;
		assert_int_equal(inet_pton(AF_INET6, v6[i], a.bytes), 1);
		assert_non_null(inet_ntop(AF_INET6, a.bytes, want,
		    sizeof want));
		addr_text(&a, got, sizeof got);
		if (strcmp(got, want) != 0)
			fail_msg("addr_text(%s) is \"%s\", inet_ntop says "
			    "\"%s\"", v6[i], got, want);
	}
	for (i = 0; i < sizeof v4 / sizeof v4[0]; i++) {
		memset(&a, 0, sizeof a);
		assert_int_equal(inet_pton(AF_INET, v4[i], a.bytes), 1);
		addr_text(&a, got, sizeof got);
		assert_string_equal(got, v4[i]);
	}
}

static void
test_disk_free(void **state)
{
	struct fixture *f = *state;
	char *p = fixture_path(f, "not/yet/made");
	uint64_t n = 0;

	assert_true(plat_disk_free(p, &n));
	assert_true(n > 0);
	assert_true(plat_disk_free("/", &n));
	free(p);
}

static void
test_port_in_use(void **state)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;
	int fd;
	unsigned port;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	port = ntohs(sin.sin_port);
	assert_true(plat_port_in_use(port));
	close(fd);
	assert_false(plat_port_in_use(port));
	assert_false(plat_port_in_use(0));
	assert_false(plat_port_in_use(70000));
}

static void
test_init_detection(void **state)
{
	struct fixture *f = *state;
	char *root = fixture_path(f, "root");

	unsetenv("ES_INIT_SYSTEM");
	fixture_mkdirs(root);
	/* An empty root gets systemd units. */
	assert_int_equal(plat_init_system(root), PLAT_INIT_SYSTEMD);
	fixture_write(f, "root/etc/init.d/README", "x");
	assert_int_equal(plat_init_system(root), PLAT_INIT_SYSV);
	fixture_write(f, "root/usr/lib/systemd/systemd", "x");
	assert_int_equal(plat_init_system(root), PLAT_INIT_SYSTEMD);
	fixture_rm_rf(root);
	fixture_write(f, "root/etc/init.d/README", "x");
	fixture_write(f, "root/lib/systemd/systemd", "x");
	assert_int_equal(plat_init_system(root), PLAT_INIT_SYSTEMD);
	fixture_rm_rf(root);
	fixture_write(f, "root/etc/init.d/README", "x");
	fixture_write(f, "root/run/systemd/system/x", "x");
	assert_int_equal(plat_init_system(root), PLAT_INIT_SYSTEMD);

	setenv("ES_INIT_SYSTEM", "sysv", 1);
	assert_int_equal(plat_init_system(root), PLAT_INIT_SYSV);
	setenv("ES_INIT_SYSTEM", "systemd", 1);
	fixture_rm_rf(root);
	fixture_write(f, "root/etc/init.d/README", "x");
	assert_int_equal(plat_init_system(root), PLAT_INIT_SYSTEMD);
	unsetenv("ES_INIT_SYSTEM");

	/* Services never start inside a --root folder. */
	assert_false(plat_service_manager_running(root));
	free(root);
}

static const char *const systemd_files[] = {
	"/etc/",
	"/etc/systemd/",
	"/etc/systemd/system/",
	"/etc/systemd/system/es-test.service",
	"/etc/systemd/system/multi-user.target.wants/",
	"/etc/systemd/system/multi-user.target.wants/es-test.service",
};

/* Install into an empty root, check the unit, let systemd-analyze verify
 * it, then remove it. prog is the program folder below the fixture. */
static void
check_systemd_install(struct fixture *f, const char *prog,
    const char *exec_line, const char *workdir_line)
{
	struct strlist files;
	struct es_err e = { 0 };
	struct plat_service s;
	char *root = fixture_path(f, "root"), *dir = fixture_path(f, prog);
	char *exe = xasprintf("%s/run", dir);
	char *unit = fixture_path(f, "root/etc/systemd/system/es-test.service");
	char *wants = fixture_path(f, "root/etc/systemd/system/"
	    "multi-user.target.wants/es-test.service");
	char *text, *target, *line, state[64];
	char *argv[4];
	size_t i;

	unsetenv("ES_INIT_SYSTEM");
	fixture_mkdirs(root);
	write_program(exe, "exit 0");
	s.name = "es-test";
	s.description = "Engine setup test, 100% fake";
	s.exec = exe;
	s.workdir = dir;
	s.check = exe;
	strlist_init(&files);
	assert_true(plat_service_install(root, &s, &files, &e));
	assert_int_equal(e.code, 0);

	assert_int_equal(files.n, sizeof systemd_files / sizeof *systemd_files);
	for (i = 0; i < files.n; i++)
		assert_string_equal(files.v[i], systemd_files[i]);

	assert_int_equal(plat_file_mode(unit), 0644);
	text = fixture_read(unit, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "[Unit]\nDescription=Engine setup test,"
	    " 100%% fake\nAfter=network-online.target\n"
	    "Wants=network-online.target\n"));
	assert_non_null(strstr(text, "\n[Service]\nType=simple\n"));
	line = xasprintf("\nExecStart=%s\n", exec_line);
	assert_non_null(strstr(text, line));
	free(line);
	/* The identity check before every start (identity.h), quoted as
	 * ExecStart= is. */
	line = xasprintf("\nExecStartPre=%s identity check\n", exec_line);
	assert_non_null(strstr(text, line));
	free(line);
	line = xasprintf("\nWorkingDirectory=%s\n", workdir_line);
	assert_non_null(strstr(text, line));
	free(line);
	assert_non_null(strstr(text, "\nRestart=on-failure\nRestartSec=10\n"
	    "KillMode=mixed\nTimeoutStopSec=60\n"));
	assert_non_null(strstr(text, "\n[Install]\n"
	    "WantedBy=multi-user.target\n"));
	free(text);

	/* Enabled as systemctl --root does: absolute target without root. */
	target = read_link(wants);
	assert_non_null(target);
	assert_string_equal(target, "/etc/systemd/system/es-test.service");
	free(target);

	if (have_program("systemd-analyze")) {
		argv[0] = (char *)"systemd-analyze";
		argv[1] = (char *)"verify";
		argv[2] = unit;
		argv[3] = NULL;
		assert_int_equal(run(argv), 0);
	} else
		fprintf(stderr, "systemd-analyze not found: verify skipped\n");

	plat_service_state(root, "es-test", state, sizeof state);
	assert_string_equal(state, "installed, not started");

	/* Installing again changes nothing and succeeds. */
	assert_true(plat_service_install(root, &s, NULL, &e));

	assert_true(plat_service_remove(root, "es-test", &e));
	assert_int_equal(plat_file_type(unit), PLAT_NONE);
	assert_int_equal(plat_file_type(wants), PLAT_NONE);
	plat_service_state(root, "es-test", state, sizeof state);
	assert_string_equal(state, "not installed");
	/* Removing twice is fine. */
	assert_true(plat_service_remove(root, "es-test", &e));

	/* Only the folders remain; the record's undo removes those. */
	for (i = files.n; i-- > 0;) {
		if (str_has_suffix(files.v[i], "/")) {
			line = plat_join_root(root, files.v[i]);
			assert_int_equal(rmdir(line), 0);
			free(line);
		}
	}
	assert_int_equal(rmdir(root), 0);
	strlist_free(&files);
	free(root);
	free(dir);
	free(exe);
	free(unit);
	free(wants);
}

static void
test_service_systemd(void **state)
{
	struct fixture *f = *state;
	char *dir = fixture_path(f, "prog"), *exe = xasprintf("%s/run", dir);

	check_systemd_install(f, "prog", exe, dir);
	free(dir);
	free(exe);
}

/* An install_dir with a space and a '%' still gives a valid unit. */
static void
test_service_systemd_quoting(void **state)
{
	struct fixture *f = *state;
	char *exec = xasprintf("\"%s/my prog%%%%1/run\"", f->dir);
	char *work = xasprintf("%s/my prog%%%%1", f->dir);

	check_systemd_install(f, "my prog%1", exec, work);
	free(exec);
	free(work);
}

static void
test_service_bad_input(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	struct plat_service s = { "../evil", "x", "/bin/true", "/", NULL };
	char *root = fixture_path(f, "root");
	int n = 0;

	assert_false(plat_service_install(root, &s, NULL, &e));
	err_clear(&e);
	s.name = "ok";
	s.exec = "relative/prog";
	assert_false(plat_service_install(root, &s, NULL, &e));
	err_clear(&e);
	s.exec = "/bin/true\n[Service]\nUser=root";
	assert_false(plat_service_install(root, &s, NULL, &e));
	err_clear(&e);
	/* systemd refuses quotes and backslashes in an ExecStart= program. */
	s.exec = "/opt/it's/prog";
	assert_false(plat_service_install(root, &s, NULL, &e));
	assert_non_null(strstr(e.msg, "install_dir"));
	s.exec = "/opt/back\\slash/prog";
	assert_false(plat_service_install(root, &s, NULL, NULL));
	assert_false(plat_service_remove(root, "a/b", &e));
	assert_true(plat_walk(f->dir, count_entry, &n, NULL));
	assert_int_equal(n, 0);
	free(root);
}

static void
test_service_sysv(void **state)
{
	struct fixture *f = *state;
	struct strlist files;
	struct es_err e = { 0 };
	struct plat_service s;
	char *root = fixture_path(f, "root"), *exe = fixture_path(f, "prog/d");
	char *script = fixture_path(f, "root/etc/init.d/es-test");
	char *text, *p, *t, st[64];
	char *argv[4];
	const char *c;

	setenv("ES_INIT_SYSTEM", "sysv", 1);
	fixture_mkdirs(root);
	write_program(exe, "exec sleep 60");
	memset(&s, 0, sizeof s);
	s.name = "es-test";
	s.description = "Engine setup test";
	s.exec = exe;
	s.workdir = f->dir;
	strlist_init(&files);
	assert_true(plat_service_install(root, &s, &files, &e));
	assert_int_equal(e.code, 0);

	assert_int_equal(plat_file_mode(script), 0755);
	text = fixture_read(script, NULL);
	assert_true(str_has_prefix(text, "#!/bin/sh\n### BEGIN INIT INFO\n"
	    "# Provides:          es-test\n"));
	assert_non_null(strstr(text, "# Default-Start:     2 3 4 5\n"
	    "# Default-Stop:      0 1 6\n"));
	assert_non_null(strstr(text, "PIDFILE=/run/$NAME.pid\n"));
	free(text);
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-n";
	argv[2] = script;
	argv[3] = NULL;
	assert_int_equal(run(argv), 0);

	assert_true(strlist_contains(&files, "/etc/"));
	assert_true(strlist_contains(&files, "/etc/init.d/"));
	assert_true(strlist_contains(&files, "/etc/init.d/es-test"));
	for (c = "0123456"; *c != '\0'; c++) {
		p = xasprintf("/etc/rc%c.d/%c20es-test", *c,
		    strchr("2345", *c) != NULL ? 'S' : 'K');
		assert_true(strlist_contains(&files, p));
		t = plat_join_root(root, p);
		free(p);
		p = read_link(t);
		assert_non_null(p);
		assert_string_equal(p, "../init.d/es-test");
		free(p);
		free(t);
	}
	plat_service_state(root, "es-test", st, sizeof st);
	assert_string_equal(st, "installed, not started");

	assert_true(plat_service_remove(root, "es-test", &e));
	for (c = "0123456"; *c != '\0'; c++) {
		p = xasprintf("%s/etc/rc%c.d", root, *c);
		assert_int_equal(rmdir(p), 0);   /* empty again */
		free(p);
	}
	assert_int_equal(plat_file_type(script), PLAT_NONE);
	unsetenv("ES_INIT_SYSTEM");
	strlist_free(&files);
	free(root);
	free(exe);
	free(script);
}

/* Run the generated init script for real: start, status, stop. Needs root
 * for its pid file in /run. */
static void
test_service_sysv_script_runs(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	struct plat_service s;
	char *root, *exe, *script, *check, *checked, *body;
	char *argv[3];

	if (geteuid() != 0 || access("/run", W_OK) != 0)
		skip();
	root = fixture_path(f, "root");
	exe = fixture_path(f, "prog/d");
	script = fixture_path(f, "root/etc/init.d/es-test-run");
	setenv("ES_INIT_SYSTEM", "sysv", 1);
	fixture_mkdirs(root);
	write_program(exe, "exec sleep 60");
	/* The identity check runs before the daemon (identity.h); one that
	 * fails fails the start. */
	checked = fixture_path(f, "checked");
	check = fixture_path(f, "prog/check");
	body = xasprintf("echo \"$@\" >> '%s'", checked);
	write_program(check, body);
	free(body);
	s.name = "es-test-run";
	s.description = "Engine setup test";
	s.exec = exe;
	s.workdir = f->dir;
	s.check = check;
	assert_true(plat_service_install(root, &s, NULL, &e));
	unsetenv("ES_INIT_SYSTEM");

	argv[0] = script;
	argv[2] = NULL;
	argv[1] = (char *)"status";
	assert_int_equal(run(argv), 3);
	argv[1] = (char *)"start";
	assert_int_equal(run(argv), 0);
	argv[1] = (char *)"status";
	assert_int_equal(run(argv), 0);
	argv[1] = (char *)"stop";
	assert_int_equal(run(argv), 0);
	argv[1] = (char *)"status";
	assert_int_equal(run(argv), 3);
	argv[1] = (char *)"stop";
	assert_int_equal(run(argv), 0);
	assert_int_equal(plat_file_type("/run/es-test-run.pid"), PLAT_NONE);
	body = fixture_read(checked, NULL);
	assert_string_equal(body, "identity check\n");
	free(body);
	write_program(check, "exit 6");
	argv[1] = (char *)"start";
	assert_int_not_equal(run(argv), 0);
	argv[1] = (char *)"status";
	assert_int_equal(run(argv), 3);
	free(check);
	free(checked);
	free(root);
	free(exe);
	free(script);
}

static void
test_service_start_without_manager(void **state)
{
	struct es_err e = { 0 };
	char st[64];

	(void)state;
	if (plat_service_manager_running("/"))
		skip();
	assert_false(plat_service_start("es-test-none", &e));
	assert_non_null(strstr(e.msg, "no service manager"));
	plat_service_state("/", "es-test-none", st, sizeof st);
	assert_string_equal(st, "not installed");
}

static void
test_signals(void **state)
{
	(void)state;
	plat_signals_install();
	plat_signals_reset();
	assert_int_equal(plat_signals_pending(), 0);
	raise(SIGINT);
	raise(SIGTERM);
	assert_int_equal(plat_signals_pending(), 2);
	plat_signals_reset();
	assert_int_equal(plat_signals_pending(), 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

/* True when folder dir has no entries. */
static bool
dir_empty(const char *dir)
{
	char *argv[] = { (char *)"sh", (char *)"-c", NULL, NULL };
	char *cmd = xasprintf("test -z \"$(ls -A '%s')\"", dir);
	int rc;

	argv[2] = cmd;
	rc = run(argv);
	free(cmd);
	return rc == 0;
}

/* The holder's pid in the lock file, as a number. */
static long
lock_file_pid(const char *path)
{
	char *text = fixture_read(path, NULL);
	long pid = text != NULL ? strtol(text, NULL, 10) : -1;

	free(text);
	return pid;
}

static void
test_run_lock_excludes(void **state)
{
	struct fixture *f = *state;
	struct plat_run_lock *l = NULL, *l2 = NULL;
	struct es_err e = { 0 };
	char *path = fixture_path(f, "var/lib/engine-setup/lock");
	long holder = -1;
	mode_t old = umask(077);

	assert_true(plat_run_lock_acquire(f->dir, 0, &l, &holder, &e));
	umask(old);
	assert_non_null(l);
	assert_int_equal(plat_file_type(path), PLAT_FILE);
	assert_int_equal(plat_file_mode(path), 0644);
	assert_int_equal(lock_file_pid(path), (long)getpid());
	/* flock(2) conflicts between two opens even in one process. */
	assert_false(plat_run_lock_acquire(f->dir, 0, &l2, &holder, &e));
	assert_null(l2);
	assert_int_equal(e.code, ES_EBUSY);
	assert_int_equal(holder, (long)getpid());
	assert_non_null(strstr(e.msg, path));
	/* The refused attempt left the holder's file alone. */
	assert_int_equal(lock_file_pid(path), (long)getpid());
	plat_run_lock_release(l);
	/* Nothing is left: neither the file nor the folders made for it. */
	assert_true(dir_empty(f->dir));
	plat_run_lock_release(NULL);
	free(path);
}

static void
test_run_lock_wait_times_out(void **state)
{
	struct fixture *f = *state;
	struct plat_run_lock *l = NULL, *l2 = NULL;
	struct es_err e = { 0 };
	long holder = 0;
	double t;

	assert_true(plat_run_lock_acquire(f->dir, 0, &l, &holder, &e));
	t = plat_monotonic();
	assert_false(plat_run_lock_acquire(f->dir, 0.3, &l2, &holder, &e));
	t = plat_monotonic() - t;
	assert_int_equal(e.code, ES_EBUSY);
	assert_true(t >= 0.3 && t < 2.0);
	plat_run_lock_release(l);
	assert_true(dir_empty(f->dir));
}

/* A child takes the lock, says so through a pipe, and then waits to be
 * told to let go (release) or is killed (kill -9: it never lets go). */
static pid_t
lock_child(const char *root, int *to_child)
{
	int up[2], down[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct plat_run_lock *l;
		struct es_err e = { 0 };
		long holder;

		close(up[0]);
		close(down[1]);
		if (!plat_run_lock_acquire(root, 0, &l, &holder, &e))
			_exit(1);
		if (write(up[1], "x", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(2);
		plat_run_lock_release(l);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	assert_int_equal(read(up[0], &c, 1), 1);
	close(up[0]);
	*to_child = down[1];
	return pid;
}

static void
test_run_lock_dead_holder(void **state)
{
	struct fixture *f = *state;
	struct plat_run_lock *l = NULL;
	struct es_err e = { 0 };
	char *path = fixture_path(f, "var/lib/engine-setup/lock");
	long holder = 0;
	int status, to_child;
	pid_t pid = lock_child(f->dir, &to_child);

	assert_false(plat_run_lock_acquire(f->dir, 0, &l, &holder, &e));
	assert_int_equal(holder, (long)pid);
	/* A lock left by a dead process is not a lock: the kernel drops
	 * flock(2) locks with the holder's last descriptor. */
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(to_child);
	assert_int_equal(lock_file_pid(path), (long)pid);
	err_clear(&e);
	assert_true(plat_run_lock_acquire(f->dir, 0, &l, &holder, &e));
	assert_int_equal(lock_file_pid(path), (long)getpid());
	plat_run_lock_release(l);
	/* The lock file and its folder go; var/lib was the dead run's. */
	assert_int_equal(plat_file_type(path), PLAT_NONE);
	*strrchr(path, '/') = '\0';
	assert_int_equal(plat_file_type(path), PLAT_NONE);
	free(path);
}

static void
test_run_lock_waiter_follows_the_file(void **state)
{
	struct fixture *f = *state;
	struct plat_run_lock *l = NULL, *l2 = NULL;
	struct es_err e = { 0 };
	char *path = fixture_path(f, "var/lib/engine-setup/lock");
	long holder = 0;
	int status, to_child;
	pid_t pid = lock_child(f->dir, &to_child), waiter;

	/* The holder removes the file it locked when it lets go; the waiter
	 * must then lock the file that is at the path, not the removed
	 * one, or two runs would hold "the" lock at once. */
	waiter = fork();
	assert_true(waiter >= 0);
	if (waiter == 0) {
		_exit(plat_run_lock_acquire(f->dir, 5, &l, &holder, &e) &&
		    lock_file_pid(path) == (long)getpid() ? 0 : 1);
	}
	usleep(200000);
	assert_int_equal(write(to_child, "x", 1), 1);
	close(to_child);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(waitpid(waiter, &status, 0), waiter);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The waiter died holding it; the lock is free, and ours. */
	assert_true(plat_run_lock_acquire(f->dir, 0, &l2, &holder, &e));
	plat_run_lock_release(l2);
	*strrchr(path, '/') = '\0';
	assert_int_equal(plat_file_type(path), PLAT_NONE);
	free(path);
}

static void
test_run_lock_keeps_the_pointer(void **state)
{
	struct fixture *f = *state;
	struct plat_run_lock *l = NULL;
	struct es_err e = { 0 };
	char *state_file = plat_state_file(f->dir);
	char *path = fixture_path(f, "var/lib/engine-setup/lock");
	long holder;

	fixture_write(f, "var/lib/engine-setup/installation", "install_dir /x\n");
	assert_true(plat_run_lock_acquire(f->dir, 0, &l, &holder, &e));
	plat_run_lock_release(l);
	assert_int_equal(plat_file_type(state_file), PLAT_FILE);
	assert_int_equal(plat_file_type(path), PLAT_NONE);
	free(state_file);
	free(path);
}

/* Attack: a symbolic link planted at the lock path, to make a run as root
 * truncate and write the file it points to. */
static void
test_run_lock_symlink_attack(void **state)
{
	struct fixture *f = *state;
	struct plat_run_lock *l = NULL;
	struct es_err e = { 0 };
	char *victim = fixture_path(f, "victim");
	char *path = fixture_path(f, "var/lib/engine-setup/lock");
	char *text;
	long holder;

	fixture_write(f, "victim", "precious\n");
	fixture_write(f, "var/lib/engine-setup/installation", "install_dir /x\n");
	assert_int_equal(symlink(victim, path), 0);
	assert_false(plat_run_lock_acquire(f->dir, 0, &l, &holder, &e));
	assert_null(l);
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, path));
	text = fixture_read(victim, NULL);
	assert_string_equal(text, "precious\n");
	free(text);
	free(victim);
	free(path);
}

/* Attack: a FIFO given as a file to read or append to would block open(2)
 * until a writer (or reader) comes; every file open refuses it at once. */
static void
test_fifo_refused(void **state)
{
	struct fixture *f = *state;
	struct es_err e = { 0 };
	char *p = fixture_path(f, "fifo"), *reg = fixture_path(f, "reg");
	size_t len;
	double t0 = plat_monotonic();
	char *text;
	FILE *fp;

	assert_int_equal(mkfifo(p, 0600), 0);
	assert_null(plat_read_file(p, 100, &len, &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_non_null(strstr(e.msg, "FIFO"));
	err_clear(&e);
	assert_null(plat_fopen_regular(p, "rb", &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_non_null(strstr(e.msg, "FIFO"));
	err_clear(&e);
	assert_null(plat_fopen_beneath(f->dir, "fifo", &e));
	assert_non_null(strstr(e.msg, "not a regular file"));
	err_clear(&e);
	assert_null(plat_fopen_regular(p, "a", &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_non_null(strstr(e.msg, "FIFO"));
	err_clear(&e);
	assert_false(plat_create_private(p, &e));
	assert_int_equal(e.code, ES_EUSAGE);
	err_clear(&e);
	assert_false(plat_check_regular(p, "--answers", &e));
	assert_non_null(strstr(e.msg, "--answers"));
	assert_non_null(strstr(e.msg, "FIFO"));
	assert_true(plat_monotonic() - t0 < 1.0);

	/* Devices and folders too; regular files and missing ones pass the
	 * check (the open says why a missing one cannot be read). */
	err_clear(&e);
	assert_false(plat_check_regular("/dev/null", "--log", &e));
	assert_non_null(strstr(e.msg, "character device"));
	assert_false(plat_check_regular(f->dir, "--payload", &e));
	assert_true(plat_check_regular(reg, "--record", &e));
	fixture_write(f, "reg", "x\n");
	assert_true(plat_check_regular(reg, "--record", &e));
	fp = plat_fopen_regular(reg, "a", &e);
	assert_non_null(fp);
	fputs("y\n", fp);
	fclose(fp);
	fp = plat_fopen_regular(reg, "rb", &e);
	assert_non_null(fp);
	fclose(fp);
	text = plat_read_file(reg, 100, &len, &e);
	assert_non_null(text);
	assert_string_equal(text, "x\ny\n");
	free(text);
	free(p);
	free(reg);
}

/* A crash must not write the secrets in memory to a core file (core(5)),
 * nor let another process of the user read them (prctl(2)). In a child:
 * the test runner itself stays dumpable. */
static void
test_no_core_dumps(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;

		plat_no_core_dumps();
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			_exit(1);
		if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 ||
		    rl.rlim_max != 0)
			_exit(2);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, \
	fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_join_root),
		T(test_mkdirs_records_created),
		T(test_mkdirs_file_in_the_way),
		T(test_mkdirs_permission_denied),
		T(test_write_file_atomic),
		T(test_write_file_atomic_missing_dir),
		T(test_remove_write_leftovers),
		T(test_write_file_atomic_no_space),
		T(test_mount_point),
		T(test_read_file_limits),
		T(test_remove_tree_does_not_follow_links),
		T(test_remove_rename_chmod_symlink),
		T(test_beneath_link_escapes_openat2),
		T(test_beneath_link_escapes_walk),
		T(test_beneath_last_part_link_openat2),
		T(test_beneath_last_part_link_walk),
		T(test_beneath_plain_openat2),
		T(test_beneath_plain_walk),
		T(test_walk_order),
		T(test_path_in_root),
		T(test_service_link_out),
		T(test_facts),
		T(test_text_as_inet_ntop),
		T(test_disk_free),
		T(test_port_in_use),
		T(test_init_detection),
		T(test_service_systemd),
		T(test_service_systemd_quoting),
		T(test_service_bad_input),
		T(test_service_sysv),
		T(test_service_sysv_script_runs),
		T(test_service_start_without_manager),
		T(test_signals),
		T(test_run_lock_excludes),
		T(test_run_lock_wait_times_out),
		T(test_run_lock_dead_holder),
		T(test_run_lock_waiter_follows_the_file),
		T(test_run_lock_keeps_the_pointer),
		T(test_run_lock_symlink_attack),
		T(test_fifo_refused),
		T(test_no_core_dumps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
