/* Unit tests of the rules that keep paths inside --root
 * (installer/rootpath.c). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "rootpath.h"
#include "rules_windows.h"
#include "util.h"

static void
test_clean(void **state)
{
	static const char *const good[] = { "/", "/opt", "/opt/rapid7/nexpose",
	    "/etc/systemd/system/", "/a b/c%d", "/...", "/.x/..y/z." };
	static const char *const bad[] = { "", "opt", "./opt", "//opt",
	    "/opt//x", "/opt/./x", "/opt/../x", "/..", "/../host", "/.",
	    "/opt/..", "/opt/x//", "/opt/.", "~/x" };
	size_t i;

	(void)state;
	assert_false(rootpath_clean(NULL));
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!rootpath_clean(good[i]))
			fail_msg("refused %s", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (rootpath_clean(bad[i]))
			fail_msg("accepted %s", bad[i]);
}

/* Each cases[i][1] lies below cases[i][0], at cases[i][2]. */
static void
below_cases(const char *const (*cases)[3], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *rel = rootpath_below(cases[i][0], cases[i][1]);

		if (rel == NULL || strcmp(rel, cases[i][2]) != 0)
			fail_msg("%s below %s: got %s", cases[i][1],
			    cases[i][0], rel != NULL ? rel : "NULL");
	}
}

/* No cases[i][1] lies below cases[i][0]. */
static void
not_below_cases(const char *const (*cases)[2], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rootpath_below(cases[i][0], cases[i][1]) != NULL)
			fail_msg("%s taken as below %s", cases[i][1],
			    cases[i][0]);
}

static void
test_below(void **state)
{
	static const char *const below[][3] = {
		{ "/opt/x", "/opt/x/a", "a" },
		{ "/opt/x", "/opt/x/a/b c", "a/b c" },
		{ "/opt/x/", "/opt/x/a", "a" },
		{ "/", "/opt", "opt" },
		{ "/", "/opt/rapid7/nexpose", "opt/rapid7/nexpose" },
	};
	/* Attack: what would let a record's entry climb out of its
	 * install_dir, or name a sibling that shares its prefix. */
	static const char *const not_below[][2] = {
		{ "/opt/x", "/opt/x" },
		{ "/opt/x", "/opt/x/" },
		{ "/opt/x", "/opt/xy/a" },
		{ "/opt/x", "/opt" },
		{ "/opt/x", "/etc/passwd" },
		{ "/opt/x", "/opt/x/../../etc/passwd" },
		{ "/opt/x", "/opt/x/a/../../y" },
		{ "/opt/x", "/opt/x/./a" },
		{ "/opt/x", "/opt/x//a" },
		{ "/opt/x", "/opt/x/a/" },
		{ "/opt/x", "opt/x/a" },
		{ "/opt/../x", "/opt/../x/a" },
		{ "/../host", "/../host/important" },
		{ "/", "/" },
		{ "/", "/.." },
	};

	(void)state;
	below_cases(below, sizeof below / sizeof below[0]);
	not_below_cases(not_below, sizeof not_below / sizeof not_below[0]);
}

/* got, a string the caller frees, is want. */
static void
owned_is(char *got, const char *want)
{
	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("got %s, expected %s", got != NULL ? got : "NULL",
		    want);
	free(got);
}

/* Each cases[i][0] has the normal form cases[i][1], without "..". */
static void
normal_forms(const char *const (*cases)[2], size_t n)
{
	size_t i;
	bool dotdot;
	char *got;

	for (i = 0; i < n; i++) {
		got = rootpath_normal(cases[i][0], &dotdot);
		if (got == NULL || strcmp(got, cases[i][1]) != 0 || dotdot)
			fail_msg("%s normal: %s, expected %s", cases[i][0],
			    got != NULL ? got : "NULL", cases[i][1]);
		free(got);
	}
}

/* No path of paths is absolute: none has a normal form. */
static void
not_absolute(const char *const *paths, size_t n)
{
	size_t i;
	bool dotdot;
	char *got;

	for (i = 0; i < n; i++)
		if ((got = rootpath_normal(paths[i], &dotdot)) != NULL)
			fail_msg("%s taken as absolute: %s", paths[i], got);
}

/* The Linux rules: '\' is a character of a name, "/" the only root. */
static void
test_linux_shapes(void **state)
{
	static const char *const normal[][2] = {
		{ "/", "/" }, { "//", "/" }, { "/.", "/" },
		{ "//opt//x/", "/opt/x" }, { "/opt/./x/.", "/opt/x" },
		{ "/opt\\x", "/opt\\x" }, { "/C:\\x", "/C:\\x" },
	};
	static const char *const relative[] = { "", "opt", "C:/x", "C:\\x",
	    "\\\\srv\\share", "./x" };
	bool dotdot;

	(void)state;
	normal_forms(normal, sizeof normal / sizeof normal[0]);
	not_absolute(relative, sizeof relative / sizeof relative[0]);
	owned_is(rootpath_normal("/opt/../x", &dotdot), "/opt/../x");
	assert_true(dotdot);
	assert_true(rootpath_clean("/opt/a\\b"));
	assert_true(rootpath_is_root("/"));
	assert_false(rootpath_is_root("/opt"));
	assert_string_equal(rootpath_below_root("/opt/x"), "opt/x");
	assert_null(rootpath_below_root("/"));
	owned_is(rootpath_from_user("/tmp/a\\b"), "/tmp/a\\b");
	owned_is(rootpath_parent("/opt"), "/");
	owned_is(rootpath_parent("/"), "/");
	owned_is(rootpath_join("/", "x"), "/x");
	owned_is(rootpath_join("/opt", "x"), "/opt/x");
}

/* The root part of what a Windows user may type (Naming Files, Paths,
 * and Namespaces): only a drive with a separator is absolute. */
static void
test_windows_root_len(void **state)
{
	static const struct { const char *p; size_t n; } cases[] = {
		{ "C:/", 3 }, { "C:\\", 3 }, { "c:\\x", 3 }, { "z:/a/b", 3 },
		{ "C:", 0 }, { "C:x", 0 }, { "C:relative\\x", 0 },
		{ "\\\\srv\\share", 0 }, { "//srv/share/x", 0 },
		{ "\\\\?\\C:\\x", 0 }, { "/opt/x", 0 }, { "\\x", 0 },
		{ "1:/x", 0 }, { ":/x", 0 }, { "", 0 },
	};
	size_t i;

	(void)state;
	assert_int_equal(rootpath_root_len(NULL), 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (rootpath_root_len(cases[i].p) != cases[i].n)
			fail_msg("root part of %s: %zu, expected %zu",
			    cases[i].p, rootpath_root_len(cases[i].p),
			    cases[i].n);
}

/* install_dir as a Windows user types it, in the core's form: '/'
 * separators, the drive letter in upper case. */
static void
test_windows_normal(void **state)
{
	static const char *const normal[][2] = {
		{ "c:\\Program Files\\\\Rapid7\\", "C:/Program Files/Rapid7" },
		{ "C:/Program Files/Rapid7/Nexpose",
		  "C:/Program Files/Rapid7/Nexpose" },
		{ "C:\\a/b\\./c//", "C:/a/b/c" },
		{ "d:/x/", "D:/x" },
		{ "C:\\", "C:/" }, { "C:/", "C:/" }, { "c:\\\\", "C:/" },
		{ "C:/.", "C:/" }, { "C:\\.\\", "C:/" },
		{ "C:\\Temp\\Ünïcode dir", "C:/Temp/Ünïcode dir" },
	};
	static const char *const relative[] = { "C:", "C:relative",
	    "C:relative\\x", "\\\\srv\\share\\x", "//srv/share/x",
	    "\\Program Files", "/opt/rapid7/nexpose", "Program Files",
	    "\\\\?\\C:\\x", "" };
	bool dotdot;

	(void)state;
	normal_forms(normal, sizeof normal / sizeof normal[0]);
	not_absolute(relative, sizeof relative / sizeof relative[0]);
	owned_is(rootpath_normal("C:\\a\\..\\b", &dotdot), "C:/a/../b");
	assert_true(dotdot);
	owned_is(rootpath_normal("C:/a/..", &dotdot), "C:/a/..");
	assert_true(dotdot);
	owned_is(rootpath_from_user("c:\\Temp\\root dir\\"), "C:/Temp/root dir/");
	owned_is(rootpath_from_user("relative\\x"), "relative/x");
}

static void
test_windows_clean(void **state)
{
	static const char *const good[] = { "C:/", "C:/Program Files",
	    "C:/Program Files/Rapid7/Nexpose", "D:/x/", "c:/x" };
	/* Attack: a '\' separator hides a ".." from the '/' rules. */
	static const char *const bad[] = { "C:", "C:x", "/", "/opt",
	    "C:\\", "C:\\x", "C:/x\\..\\..\\y", "C:/x/..\\y", "C://x",
	    "C:/./x", "C:/x/..", "C:/x//", "//srv/share/x",
	    "\\\\srv\\share\\x" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!rootpath_clean(good[i]))
			fail_msg("refused %s", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (rootpath_clean(bad[i]))
			fail_msg("accepted %s", bad[i]);
	assert_true(rootpath_is_root("C:/"));
	assert_false(rootpath_is_root("C:/x"));
	assert_false(rootpath_is_root("C:"));
	assert_false(rootpath_is_root("/"));
	assert_true(rootpath_clean_tail("/C/Program Files/Rapid7"));
	assert_true(rootpath_clean_tail("/C/x/"));
	assert_false(rootpath_clean_tail("/"));
	assert_false(rootpath_clean_tail("//C/x"));
	assert_false(rootpath_clean_tail("/C/x\\..\\..\\y"));
	assert_false(rootpath_clean_tail("/C/../x"));
	assert_false(rootpath_clean_tail("C:/x"));
}

static void
test_windows_below(void **state)
{
	static const char *const below[][3] = {
		{ "C:/Program Files/Rapid7/Nexpose",
		  "C:/Program Files/Rapid7/Nexpose/nse/conf", "nse/conf" },
		{ "C:/", "C:/Program Files", "Program Files" },
		{ "C:/x/", "C:/x/a", "a" },
	};
	/* Attack: what would let a record's entry leave its install_dir:
	 * another drive, a sibling, a '\' that hides "..", a UNC path. */
	static const char *const not_below[][2] = {
		{ "C:/x", "D:/x/a" },
		{ "C:/x", "C:/xy/a" },
		{ "C:/x", "C:/x\\..\\..\\Windows\\System32" },
		{ "C:/x", "C:/x/..\\y" },
		{ "C:/x", "C:/x" },
		{ "C:/x", "//srv/share/x/a" },
		{ "C:/", "C:/" },
		{ "/", "/opt" },
	};

	(void)state;
	below_cases(below, sizeof below / sizeof below[0]);
	not_below_cases(not_below, sizeof not_below / sizeof not_below[0]);
	assert_string_equal(rootpath_below_root("C:/Program Files/Rapid7"),
	    "Program Files/Rapid7");
	assert_null(rootpath_below_root("C:/"));
	assert_null(rootpath_below_root("C:/x/"));
	assert_null(rootpath_below_root("/opt/x"));
	assert_null(rootpath_below_root("C:/x/..\\..\\y"));
	/* A folder's parent keeps the drive's root: "C:" alone would be
	 * the drive's current folder. */
	owned_is(rootpath_parent("C:/Nexpose"), "C:/");
	owned_is(rootpath_parent("C:/"), "C:/");
	owned_is(rootpath_parent("C:/Program Files/Rapid7"),
	    "C:/Program Files");
	owned_is(rootpath_parent("C:/root dir/C/Program Files"),
	    "C:/root dir/C");
	owned_is(rootpath_join("C:/", ".Nexpose.es-staging-1234abcd"),
	    "C:/.Nexpose.es-staging-1234abcd");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_below),
		cmocka_unit_test(test_linux_shapes),
		cmocka_unit_test_setup_teardown(test_windows_root_len,
		    rules_windows_setup, rules_windows_teardown),
		cmocka_unit_test_setup_teardown(test_windows_normal,
		    rules_windows_setup, rules_windows_teardown),
		cmocka_unit_test_setup_teardown(test_windows_clean,
		    rules_windows_setup, rules_windows_teardown),
		cmocka_unit_test_setup_teardown(test_windows_below,
		    rules_windows_setup, rules_windows_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
