/* Unit tests of addresses as typed (installer/addr.c) and of the
 * platform's numeric address text (plat_addr_canonical). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "platform.h"

static void
expect_normal(const char *typed, const char *want)
{
	char *got = addr_normal(typed);

	if (strcmp(got, want) != 0)
		fail_msg("addr_normal(\"%s\") is \"%s\", expected \"%s\"",
		    typed, got, want);
	free(got);
}

static void
test_normal(void **state)
{
	(void)state;
	expect_normal("::1", "::1");
	expect_normal("[::1]", "::1");
	expect_normal("0:0:0:0:0:0:0:1", "::1");
	expect_normal("[0:0:0:0:0:0:0:1]", "::1");
	expect_normal("FD00:0:0:0:0:0:0:5", "fd00::5");
	expect_normal("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	expect_normal("::ffff:127.0.0.1", "::ffff:127.0.0.1");
	expect_normal("127.0.0.1", "127.0.0.1");
	expect_normal("LocalHost", "localhost");
	expect_normal("Console.Example.COM", "console.example.com");
	/* Brackets only come off an IPv6 literal. */
	expect_normal("[console]", "[console]");
}

static void
test_same(void **state)
{
	(void)state;
	assert_true(addr_same("[::1]", "0:0:0:0:0:0:0:1"));
	assert_true(addr_same("LocalHost", "localhost"));
	assert_true(addr_same("10.0.0.5", "10.0.0.5"));
	assert_false(addr_same("127.0.0.1", "localhost"));
	assert_false(addr_same("::1", "127.0.0.1"));
	assert_false(addr_same(NULL, "::1"));
	assert_false(addr_same("::1", NULL));
}

static void
test_with_port(void **state)
{
	char *s;

	(void)state;
	s = addr_with_port("::1", 40815);
	assert_string_equal(s, "[::1]:40815");
	free(s);
	s = addr_with_port("10.0.0.5", 40814);
	assert_string_equal(s, "10.0.0.5:40814");
	free(s);
	s = addr_with_port("console", 1);
	assert_string_equal(s, "console:1");
	free(s);
}

static void
test_platform_canonical(void **state)
{
	char out[64];

	(void)state;
	assert_true(plat_addr_canonical("0::1", out, sizeof out));
	assert_string_equal(out, "::1");
	assert_true(plat_addr_canonical("192.0.2.1", out, sizeof out));
	assert_string_equal(out, "192.0.2.1");
	assert_false(plat_addr_canonical("localhost", out, sizeof out));
	assert_false(plat_addr_canonical("[::1]", out, sizeof out));
	assert_false(plat_addr_canonical("fe80::1%eth0", out, sizeof out));
	assert_false(plat_addr_canonical("127.1", out, sizeof out));
	assert_false(plat_addr_canonical("", out, sizeof out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_with_port),
		cmocka_unit_test(test_platform_canonical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
