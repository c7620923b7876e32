/* Unit tests of the rules that keep paths inside --root
 * (installer/rootpath.c). */
#include "fixture.h"

#include <string.h>

#include "rootpath.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_below),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
