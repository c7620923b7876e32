/* Unit tests of version ordering (installer/version.c). */
#include "fixture.h"

#include "version.h"

static int
cmp_of(const char *a, const char *b)
{
	int c = 99;

	assert_true(version_compare(a, b, &c));
	return c;
}

static void
test_numbers_not_text(void **state)
{
	(void)state;
	assert_int_equal(cmp_of("7.3.1", "7.4.0"), -1);
	assert_int_equal(cmp_of("7.4.0", "7.10.0"), -1);
	assert_int_equal(cmp_of("7.10.0", "7.4.0"), 1);
	assert_int_equal(cmp_of("7.4.0", "7.3.1"), 1);
	assert_int_equal(cmp_of("10.0.0", "9.99.99"), 1);
	assert_int_equal(cmp_of("7.3.1", "7.3.1"), 0);
	assert_int_equal(cmp_of("7.3.9", "7.3.10"), -1);
}

static void
test_missing_parts_and_zeros(void **state)
{
	(void)state;
	assert_int_equal(cmp_of("7.4", "7.4.0"), 0);
	assert_int_equal(cmp_of("7.4.0.0", "7.4"), 0);
	assert_int_equal(cmp_of("7.4", "7.4.1"), -1);
	assert_int_equal(cmp_of("7.4.0.1", "7.4"), 1);
	assert_int_equal(cmp_of("7.04.0", "7.4.0"), 0);
	assert_int_equal(cmp_of("007.4.0", "7.4.0"), 0);
	assert_int_equal(cmp_of("0.0.0", "0"), 0);
}

/* Longer than any integer type: still ordered. */
static void
test_huge_numbers(void **state)
{
	(void)state;
	assert_int_equal(cmp_of("7.123456789012345678901234567890.0",
	    "7.123456789012345678901234567891.0"), -1);
	assert_int_equal(cmp_of("99999999999999999999999", "1.0"), 1);
}

/* Pre-release suffixes and anything else are not ordered: false, cmp 0. */
static void
test_not_dotted_numbers(void **state)
{
	static const char *const bad[] = { "7.4.0-rc1", "7.4.", ".7.4",
	    "7..4", "v7.4.0", "", " 7.4.0", "7.4.0 ", "7.4.a" };
	size_t i;
	int c;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = 5;
		assert_false(version_compare(bad[i], "7.4.0", &c));
		assert_int_equal(c, 0);
		assert_false(version_compare("7.4.0", bad[i], &c));
	}
	assert_false(version_compare(NULL, "7.4.0", &c));
	assert_false(version_compare("7.4.0", NULL, &c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_not_text),
		cmocka_unit_test(test_missing_parts_and_zeros),
		cmocka_unit_test(test_huge_numbers),
		cmocka_unit_test(test_not_dotted_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
