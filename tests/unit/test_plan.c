/* Unit tests of install_dir's check and normal form
 * (plan_check_install_dir in installer/plan.c), with the Linux rules and
 * with the Windows ones (rules_windows.h). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "rules_windows.h"
#include "util.h"

/* dir passes, and its normal form is want. */
static void
accepted(const char *dir, const char *want)
{
	const char *expect;
	char *normal = NULL;

	if (!plan_check_install_dir(dir, NULL, &normal, &expect))
		fail_msg("refused %s: %s", dir, expect);
	if (strcmp(normal, want) != 0)
		fail_msg("%s normal: %s, expected %s", dir, normal, want);
	free(normal);
}

/* dir is refused, with a reason that holds why. */
static void
refused(const char *dir, const char *why)
{
	const char *expect;
	char *normal = NULL;

	if (plan_check_install_dir(dir, NULL, &normal, &expect))
		fail_msg("accepted %s as %s", dir, normal);
	assert_null(normal);
	if (strstr(expect, why) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", dir, expect, why);
}

static void
test_linux(void **state)
{
	(void)state;
	accepted("/opt/rapid7/nexpose", "/opt/rapid7/nexpose");
	accepted("//opt//x/./", "/opt/x");
	refused("opt/x", "an absolute path, starting with '/', such as "
	    "/opt/rapid7/nexpose");
	refused("C:\\Program Files\\x", "an absolute path");
	refused("/", "not the root folder ('/', '//' and '/.' all name it)");
	refused("//.", "give one such as /opt/rapid7/nexpose");
	refused("/opt/../x", "without '..' parts");
	refused("/opt\\x", "without quotes or backslashes");
}

static void
test_windows(void **state)
{
	char *dir, *want;

	(void)state;
	accepted("C:/Program Files/Rapid7/Nexpose",
	    "C:/Program Files/Rapid7/Nexpose");
	accepted("c:\\Program Files\\\\Rapid7\\", "C:/Program Files/Rapid7");
	accepted("C:\\Program Files/Rapid7\\.\\Nexpose\\",
	    "C:/Program Files/Rapid7/Nexpose");
	accepted("d:/x", "D:/x");
	refused("C:\\", "not the root folder ('C:/', 'C://' and 'C:/.' all "
	    "name it)");
	refused("c:/.", "not the root folder ('C:/'");
	refused("C:", "an absolute path");
	refused("C:relative", "an absolute path");
	refused("C:relative\\x", "an absolute path");
	refused("\\\\srv\\share\\Nexpose", "an absolute path");
	refused("//srv/share/Nexpose", "an absolute path");
	refused("\\Program Files\\x", "an absolute path");
	refused("/opt/rapid7/nexpose", "an absolute path");
	refused("C:\\a\\..\\b", "without '..' parts");
	refused("C:/a/..", "without '..' parts");
	/* The parts are counted from the drive's root on. */
	dir = xasprintf("C:\\%0256d\\x", 0);
	refused(dir, "folder names of at most 255 bytes");
	free(dir);
	dir = xasprintf("C:\\%0255d\\x", 0);
	want = xasprintf("C:/%0255d/x", 0);
	accepted(dir, want);
	free(want);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux),
		cmocka_unit_test_setup_teardown(test_windows,
		    rules_windows_setup, rules_windows_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
