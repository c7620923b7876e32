/* The Windows path rules for the Linux tests of the Windows shapes:
 * platform/windows/platform_windows_path.c, the code Windows runs,
 * compiled into the test under other names (it is plain C on purpose).
 * A test takes them with rules_windows_setup as its cmocka setup and
 * rules_windows_teardown as its teardown (rootpath_test_rules). */
#ifndef ES_RULES_WINDOWS_H
#define ES_RULES_WINDOWS_H

#include "platform.h"
#include "rootpath.h"

#define plat_path_root_len win_path_root_len
#define plat_path_backslash_is_separator win_path_backslash_is_separator
#include "windows/platform_windows_path.c"
#undef plat_path_root_len
#undef plat_path_backslash_is_separator

static const struct rootpath_rules rules_windows = {
	.root_len = win_path_root_len,
	.backslash = true,
};

static int
rules_windows_setup(void **state)
{
	(void)state;
	(void)win_path_backslash_is_separator;
	rootpath_test_rules(&rules_windows);
	return 0;
}

static int
rules_windows_teardown(void **state)
{
	(void)state;
	rootpath_test_rules(NULL);
	return 0;
}

#endif
