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

static struct addr_raw
raw4(unsigned char a, unsigned char b, unsigned char c, unsigned char d)
{
	struct addr_raw r;

	memset(&r, 0, sizeof r);
	r.bytes[0] = a;
	r.bytes[1] = b;
	r.bytes[2] = c;
	r.bytes[3] = d;
	return r;
}

/* An IPv6 address from its first and last 16-bit groups (the rest 0). */
static struct addr_raw
raw6(unsigned first, unsigned last)
{
	struct addr_raw r;

	memset(&r, 0, sizeof r);
	r.v6 = true;
	r.bytes[0] = (unsigned char)(first >> 8);
	r.bytes[1] = (unsigned char)first;
	r.bytes[14] = (unsigned char)(last >> 8);
	r.bytes[15] = (unsigned char)last;
	return r;
}

static void
expect_list(struct addr_raw *v, size_t n, const char *want)
{
	struct strlist out;
	struct sbuf b;
	size_t i;

	strlist_init(&out);
	addr_host_list(v, n, &out);
	sbuf_init(&b);
	for (i = 0; i < out.n; i++)
		sbuf_addf(&b, "%s%s", i > 0 ? " " : "", out.v[i]);
	assert_string_equal(b.s != NULL ? b.s : "", want);
	sbuf_free(&b);
	strlist_free(&out);
}

static void
test_host_list(void **state)
{
	struct addr_raw v[8];

	(void)state;
	v[0] = raw6(0xfd00, 2);
	v[1] = raw4(10, 0, 0, 20);
	v[2] = raw4(127, 0, 0, 1);
	v[3] = raw6(0xfe80, 1);
	v[4] = raw4(10, 0, 0, 3);
	v[5] = raw6(0, 1);
	v[6] = raw4(10, 0, 0, 20);
	v[7] = raw4(169, 254, 1, 1);
	/* Numeric order (10.0.0.3 before 10.0.0.20), IPv4 first, once
	 * each, no loopback, no link-local beside others. */
	expect_list(v, 8, "10.0.0.3 10.0.0.20 fd00::2");
	v[0] = raw6(0xfe80, 1);
	v[1] = raw4(127, 0, 0, 2);
	v[2] = raw4(169, 254, 1, 1);
	expect_list(v, 3, "169.254.1.1 fe80::1");
	expect_list(v, 0, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal),
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_with_port),
		cmocka_unit_test(test_platform_canonical),
		cmocka_unit_test(test_host_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
