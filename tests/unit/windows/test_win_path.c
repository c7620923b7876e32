/* The Windows path rules (platform/windows/platform_windows_path.c) and
 * the core's path text on them (installer/rootpath.c, install_dir's check
 * in installer/plan.c), with the real Windows platform: under wine in
 * CI, on Windows where it is run there. tests/unit/test_rootpath.c proves
 * the same shapes on Linux with this file's rules compiled in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plan.h"
#include "platform.h"
#include "rootpath.h"
#include "util.h"

static void
test_root_len(void **state)
{
	static const struct { const char *p; size_t n; } cases[] = {
		{ "C:/", 3 }, { "C:\\", 3 }, { "c:\\Windows", 3 },
		{ "C:", 0 }, { "C:relative", 0 }, { "\\\\srv\\share", 0 },
		{ "//srv/share", 0 }, { "\\\\?\\C:\\x", 0 }, { "/", 0 },
		{ "\\Windows", 0 }, { "", 0 },
	};
	size_t i;

	(void)state;
	assert_true(plat_path_backslash_is_separator());
	assert_int_equal(plat_path_root_len(NULL), 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (plat_path_root_len(cases[i].p) != cases[i].n)
			fail_msg("root part of %s: %u, expected %u",
			    cases[i].p,
			    (unsigned)plat_path_root_len(cases[i].p),
			    (unsigned)cases[i].n);
		/* The platform's own notion of absolute agrees. */
		if (plat_path_is_absolute(cases[i].p) != (cases[i].n > 0))
			fail_msg("plat_path_is_absolute(%s) disagrees",
			    cases[i].p);
	}
}

/* install_dir as typed in cmd.exe, in the core's form; what cannot hold
 * an installation is refused with the platform's example. */
static void
test_install_dir(void **state)
{
	const char *def = plat_default_install_dir(), *expect;
	char *normal = NULL;

	(void)state;
	assert_int_equal(rootpath_root_len(def), 3);
	assert_true(plan_check_install_dir(def, NULL, &normal, &expect));
	assert_string_equal(normal, def);
	free(normal);
	assert_true(plan_check_install_dir("c:\\Program Files\\\\Rapid7\\",
	    NULL, &normal, &expect));
	assert_string_equal(normal, "C:/Program Files/Rapid7");
	free(normal);
	normal = NULL;
	assert_false(plan_check_install_dir("\\\\srv\\share\\Nexpose", NULL,
	    &normal, &expect));
	assert_null(normal);
	assert_non_null(strstr(expect, def));
	assert_false(plan_check_install_dir("C:", NULL, &normal, &expect));
	assert_false(plan_check_install_dir("C:relative", NULL, &normal,
	    &expect));
	assert_false(plan_check_install_dir("C:\\", NULL, &normal, &expect));
	assert_non_null(strstr(expect, "not the root folder ('C:/'"));
	assert_false(plan_check_install_dir("C:\\a\\..\\b", NULL, &normal,
	    &expect));
	assert_non_null(strstr(expect, "'..'"));
}

/* A folder above a drive path keeps the drive's root; joined under a
 * root folder, a drive path is R/C/... (decision 2 of issue 11), which
 * the journal's tail rule takes. */
static void
test_parent_and_join(void **state)
{
	char *p, *j;

	(void)state;
	p = rootpath_parent("C:/Nexpose");
	assert_string_equal(p, "C:/");
	assert_true(rootpath_is_root(p));
	free(p);
	j = plat_join_root("C:/r", "C:/Program Files/Rapid7");
	assert_string_equal(j, "C:/r/C/Program Files/Rapid7");
	assert_true(rootpath_clean_tail(j + strlen("C:/r")));
	free(j);
	j = plat_join_root("/", "C:/Program Files");
	assert_string_equal(j, "C:/Program Files");
	free(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_len),
		cmocka_unit_test(test_install_dir),
		cmocka_unit_test(test_parent_and_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
