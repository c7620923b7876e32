/* Unit tests of the rules that keep paths inside --root
 * (installer/rootpath.c). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootpath.h"
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
	size_t i;

	(void)state;
	for (i = 0; i < sizeof below / sizeof below[0]; i++) {
		const char *rel = rootpath_below(below[i][0], below[i][1]);

		if (rel == NULL || strcmp(rel, below[i][2]) != 0)
			fail_msg("%s below %s: got %s", below[i][1],
			    below[i][0], rel != NULL ? rel : "NULL");
	}
	for (i = 0; i < sizeof not_below / sizeof not_below[0]; i++)
		if (rootpath_below(not_below[i][0], not_below[i][1]) != NULL)
			fail_msg("%s taken as below %s", not_below[i][1],
			    not_below[i][0]);
}

/* The message names the part that leads out, the root, and where it
 * leads; a path that stays inside, or the live root, passes. */
static void
test_inside(void **state)
{
	struct fixture *f = *state;
	char *root = fixture_path(f, "root"), *out = fixture_path(f, "out");
	char *link = fixture_path(f, "root/opt"), *p, *real, *want;
	struct es_err e = { 0 };

	fixture_write(f, "out/x", "x");
	fixture_write(f, "root/srv/y", "y");
	assert_int_equal(symlink(out, link), 0);
	p = fixture_path(f, "root/srv/new/folder");
	assert_true(rootpath_inside(root, p, ES_EREQ, &e));
	assert_int_equal(e.code, 0);
	free(p);
	p = fixture_path(f, "root/opt/rapid7/nexpose");
	assert_false(rootpath_inside(root, p, ES_EINSTALL, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	real = realpath(out, NULL);
	want = xasprintf("%s leads out of --root %s: a symbolic link on the "
	    "way resolves to %s. ", link, root, real);
	assert_true(str_has_prefix(e.msg, want));
	assert_non_null(strstr(e.msg, "make the link point inside it"));
	assert_true(rootpath_inside("/", p, ES_EREQ, NULL));
	free(want);
	free(real);
	free(p);
	free(link);
	free(out);
	free(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_below),
		cmocka_unit_test_setup_teardown(test_inside, fixture_setup,
		    fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
