/* Unit tests of the Add/Remove Programs entry
 * (platform/windows/platform_windows_product.c), run under wine by the
 * Windows build against the (throwaway) WINEPREFIX's registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "platform_windows.h"

#define KEY "es-test-product"
#define UNINSTALL L"Software\\Microsoft\\Windows\\CurrentVersion\\" \
	L"Uninstall\\" KEY_W
#define KEY_W L"es-test-product"

/* A string value of the entry as UTF-8, or NULL (this test is 64-bit: it
 * reads the 64-bit view). Caller frees. */
static char *
entry_string(const wchar_t *value)
{
	wchar_t buf[1024];
	DWORD len = sizeof buf;

	if (RegGetValueW(HKEY_LOCAL_MACHINE, UNINSTALL, value, RRF_RT_REG_SZ,
	    NULL, buf, &len) != ERROR_SUCCESS)
		return NULL;
	return win_utf8(buf);
}

static long
entry_dword(const wchar_t *value)
{
	DWORD v = 0, len = sizeof v;

	if (RegGetValueW(HKEY_LOCAL_MACHINE, UNINSTALL, value,
	    RRF_RT_REG_DWORD, NULL, &v, &len) !=
	    ERROR_SUCCESS)
		return -1;
	return (long)v;
}

static void
string_is(const wchar_t *value, const char *want)
{
	char *got = entry_string(value);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static const struct plat_product product = {
	.key = KEY,
	.name = "Nexpose Scan Engine  ",
	.version = "7.3.1",
	.publisher = "Rapid7",
	.install_dir = "C:/Program Files/Rapid7/Nexpose",
	.uninstaller = "C:/Program Files/Rapid7/Nexpose/engine-setup.exe",
	.size = 10 * 1024 * 1024 + 1,
};

static void
test_register_and_remove(void **state)
{
	struct es_err e;

	(void)state;
	err_clear(&e);
	assert_string_equal(plat_product_uninstaller("/"), "engine-setup.exe");
	assert_true(plat_product_unregister("/", KEY, &e));
	assert_false(plat_product_registered("/", KEY));
	assert_true(plat_product_register("/", &product, &e));
	assert_true(plat_product_registered("/", KEY));
	/* No trailing blank (issue 11), paths quoted with '\'. */
	string_is(L"DisplayName", "Nexpose Scan Engine");
	string_is(L"DisplayVersion", "7.3.1");
	string_is(L"Publisher", "Rapid7");
	string_is(L"InstallLocation", "C:\\Program Files\\Rapid7\\Nexpose");
	string_is(L"UninstallString", "\"C:\\Program Files\\Rapid7\\Nexpose"
	    "\\engine-setup.exe\" uninstall");
	string_is(L"QuietUninstallString", "\"C:\\Program Files\\Rapid7\\"
	    "Nexpose\\engine-setup.exe\" uninstall --silent");
	string_is(L"DisplayIcon", "C:\\Program Files\\Rapid7\\Nexpose\\"
	    "engine-setup.exe,0");
	assert_int_equal(entry_dword(L"EstimatedSize"), 10 * 1024 + 1);
	assert_int_equal(entry_dword(L"NoModify"), 1);
	assert_int_equal(entry_dword(L"NoRepair"), 1);
	/* Again: replaced in place. */
	assert_true(plat_product_register("/", &product, &e));
	assert_true(plat_product_unregister("/", KEY, &e));
	assert_false(plat_product_registered("/", KEY));
	assert_null(entry_string(L"DisplayName"));
	assert_true(plat_product_unregister("/", KEY, &e));
}

/* Under a --root other than "/" nothing is registered (decision 2). */
static void
test_under_root_nothing(void **state)
{
	struct es_err e;

	(void)state;
	err_clear(&e);
	assert_null(plat_product_uninstaller("C:/r"));
	assert_true(plat_product_register("C:/r", &product, &e));
	assert_false(plat_product_registered("/", KEY));
	assert_false(plat_product_registered("C:/r", KEY));
	assert_true(plat_product_unregister("C:/r", KEY, &e));
}

static void
test_bad_key(void **state)
{
	struct plat_product p = product;
	struct es_err e;

	(void)state;
	err_clear(&e);
	p.key = "a\\b";
	assert_false(plat_product_register("/", &p, &e));
	assert_int_equal(e.code, ES_EINTERNAL);
	assert_false(plat_product_unregister("/", "", &e));
	assert_false(plat_product_registered("/", "a\\b"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_and_remove),
		cmocka_unit_test(test_under_root_nothing),
		cmocka_unit_test(test_bad_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
