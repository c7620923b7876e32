/* Unit tests of consoles.xml reading and the enable/disable rewrite
 * (installer/consoles.c). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "consoles.h"
#include "util.h"

static const char sample[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- written by the console; keep this comment -->\n"
    "<Consoles>\n"
    "  <console id=\"1\" enabled=\"0\" connectTo=\"0\" name=\"Main &amp; Co\"\n"
    "           lastAddress=\"10.0.0.5\" port=\"40814\" extra='kept'/>\n"
    "  <console lastAddress='192.0.2.7' id='2' enabled='1' connectTo='1'"
    " name='Reverse' port='40815' consoleId='c-2' spki='sha256:ab'>\n"
    "    <cert>-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----</cert>\n"
    "  </console>\n"
    "  <console id=\"3\" name=\"No flag\" lastAddress=\"10.0.0.9\"/>\n"
    "</Consoles>\n";

static void
test_parse(void **state)
{
	struct consoles c;
	struct es_err e;

	(void)state;
	memset(&c, 0, sizeof c);
	err_clear(&e);
	assert_true(consoles_parse(&c, sample, strlen(sample), "c.xml", &e));
	assert_int_equal(c.n, 3);
	assert_string_equal(c.v[0].name, "Main & Co");
	assert_false(c.v[0].enabled);
	assert_false(c.v[0].connect_to);
	assert_true(c.v[1].enabled);
	assert_true(c.v[1].connect_to);
	assert_string_equal(c.v[1].spki, "sha256:ab");
	consoles_free(&c);

	memset(&c, 0, sizeof c);
	assert_false(consoles_parse(&c, "<Consoles><console>", 19, "bad.xml",
	    &e));
	assert_non_null(strstr(e.msg, "bad.xml:1"));
	consoles_free(&c);
	memset(&c, 0, sizeof c);
	err_clear(&e);
	assert_false(consoles_parse(&c, "<Other/>", 8, "o.xml", &e));
	assert_non_null(strstr(e.msg, "<Consoles>"));
	consoles_free(&c);
}

/* Apply and return the new text; only the one value may differ. */
static char *
toggle(const char *match, bool on, bool *changed, struct es_err *e)
{
	char *out = NULL;
	size_t outlen = 0;
	struct console_entry which;

	memset(&which, 0, sizeof which);
	err_clear(e);
	if (!consoles_set_enabled(sample, strlen(sample), "c.xml", match, on,
	    &out, &outlen, changed, &which, e))
		return NULL;
	assert_int_equal(outlen, strlen(out));
	consoles_entry_free(&which);
	return out;
}

static void
test_enable_by_address(void **state)
{
	struct es_err e;
	bool changed;
	char *out = toggle("10.0.0.5", true, &changed, &e);
	char *expect = xstrdup(sample);

	(void)state;
	assert_non_null(out);
	assert_true(changed);
	/* Exactly one byte differs: the first enabled="0" became "1". */
	*strstr(expect, "enabled=\"0\"") = '\0';
	assert_memory_equal(out, sample, strlen(expect));
	assert_string_equal(out + strlen(expect) + strlen("enabled=\"1\""),
	    sample + strlen(expect) + strlen("enabled=\"0\""));
	assert_non_null(strstr(out, "keep this comment"));
	assert_non_null(strstr(out, "extra='kept'"));
	free(out);
	free(expect);
}

static void
test_enable_by_id_and_idempotent(void **state)
{
	struct es_err e;
	bool changed;
	char *out;

	(void)state;
	out = toggle("2", true, &changed, &e);
	assert_non_null(out);
	assert_false(changed);
	assert_string_equal(out, sample);
	free(out);
	out = toggle("2", false, &changed, &e);
	assert_true(changed);
	assert_non_null(strstr(out, "id='2' enabled='0'"));
	free(out);
}

static void
test_missing_attribute_added(void **state)
{
	struct es_err e;
	bool changed;
	char *out = toggle("3", true, &changed, &e);
	struct consoles c;

	(void)state;
	assert_true(changed);
	assert_non_null(strstr(out, "<console enabled=\"1\" id=\"3\""));
	memset(&c, 0, sizeof c);
	assert_true(consoles_parse(&c, out, strlen(out), "out", &e));
	assert_true(c.v[2].enabled);
	consoles_free(&c);
	free(out);
}

static void
test_no_match_and_ambiguous(void **state)
{
	struct es_err e;
	bool changed;
	static const char twice[] = "<Consoles>"
	    "<console id=\"1\" lastAddress=\"h\" enabled=\"0\"/>"
	    "<console id=\"2\" lastAddress=\"h\" enabled=\"0\"/></Consoles>";
	char *out = NULL;
	size_t len;

	(void)state;
	assert_null(toggle("10.9.9.9", true, &changed, &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_non_null(strstr(e.msg, "consoles list"));
	err_clear(&e);
	assert_false(consoles_set_enabled(twice, strlen(twice), "t", "h", true,
	    &out, &len, &changed, NULL, &e));
	assert_non_null(strstr(e.msg, "2 consoles"));
	err_clear(&e);
	assert_true(consoles_set_enabled(twice, strlen(twice), "t", "2", true,
	    &out, &len, &changed, NULL, &e));
	assert_non_null(strstr(out, "id=\"2\" lastAddress=\"h\" enabled=\"1\""));
	free(out);
}

/* Duplicate ids (a hand-edited file): named by that id, the answer says
 * the ids are duplicated and to edit the file (not "name one by its
 * id", which it was); nothing is written. */
static void
test_duplicate_ids(void **state)
{
	static const char dup[] = "<Consoles>"
	    "<console id=\"1\" lastAddress=\"a\" enabled=\"0\"/>"
	    "<console id=\"1\" lastAddress=\"b\" enabled=\"0\"/>"
	    "<console id=\"1\" lastAddress=\"c\" enabled=\"0\"/>"
	    "<console id=\"2\" lastAddress=\"d\" enabled=\"0\"/></Consoles>";
	struct es_err e;
	char *out = NULL;
	size_t len;
	bool changed;

	(void)state;
	err_clear(&e);
	assert_false(consoles_set_enabled(dup, strlen(dup), "c.xml", "1", true,
	    &out, &len, &changed, NULL, &e));
	assert_null(out);
	assert_int_equal(e.code, ES_EINSTALL);
	assert_string_equal(e.msg, "3 consoles in c.xml have the id '1': "
	    "each console's id must be unique (the file was edited by "
	    "hand?), so engine-setup cannot tell which one is meant. Nothing "
	    "was changed. Edit the file so that each <console> has an id of "
	    "its own, then run the command again ('engine-setup consoles "
	    "list' shows the ids)");
	assert_null(strstr(e.msg, "name one by its id"));
	/* The others, and the duplicated ones by their addresses, work. */
	err_clear(&e);
	assert_true(consoles_set_enabled(dup, strlen(dup), "c.xml", "2", true,
	    &out, &len, &changed, NULL, &e));
	free(out);
	assert_true(consoles_set_enabled(dup, strlen(dup), "c.xml", "b", true,
	    &out, &len, &changed, NULL, &e));
	assert_non_null(strstr(out, "lastAddress=\"b\" enabled=\"1\""));
	free(out);
}

/* The enable command as printed: --restart only where it can restart
 * (the running system), never under --root, where it would only say
 * "Not restarted". */
static void
test_toggle_command(void **state)
{
	static const struct {
		const char *match, *root, *want;
	} cases[] = {
		{ "1", NULL, "engine-setup consoles enable 1 --restart" },
		{ "1", "/", "engine-setup consoles enable 1 --restart" },
		{ "1", "/r", "engine-setup consoles enable 1 --root /r" },
		{ "-5", "/", "engine-setup consoles enable --restart -- -5" },
		{ "-5", "/r", "engine-setup consoles enable --root /r -- -5" },
	};
	struct sbuf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sbuf_init(&b);
		consoles_toggle_command(cases[i].match, true, true,
		    cases[i].root, &b);
		assert_string_equal(b.s, cases[i].want);
		sbuf_free(&b);
	}
	assert_true(consoles_can_restart(NULL));
	assert_true(consoles_can_restart("//"));
	assert_false(consoles_can_restart("/tmp/walk"));
}

/* An address is found as an address: in any text form of the same IPv6
 * address, with or without brackets on either side (a file written by an
 * older engine-setup may hold "[::1]"), a host name in any case. */
static void
test_match_as_address(void **state)
{
	static const char xml[] =
	    "<Consoles>\n"
	    "  <console id=\"1\" lastAddress=\"[::1]\" enabled=\"0\"/>\n"
	    "  <console id=\"2\" lastAddress=\"localhost\" enabled=\"0\"/>\n"
	    "  <console id=\"3\" lastAddress=\"127.0.0.1\" enabled=\"0\"/>\n"
	    "</Consoles>\n";
	static const struct { const char *typed, *id; } cases[] = {
		{ "::1", "1" }, { "[::1]", "1" }, { "0:0:0:0:0:0:0:1", "1" },
		{ "LocalHost", "2" }, { "LOCALHOST", "2" }, { "127.0.0.1", "3" },
	};
	struct console_entry which;
	struct es_err e;
	char *out;
	size_t len, i;
	bool changed;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		err_clear(&e);
		memset(&which, 0, sizeof which);
		assert_true(consoles_set_enabled(xml, strlen(xml), "c.xml",
		    cases[i].typed, true, &out, &len, &changed, &which, &e));
		assert_true(changed);
		assert_string_equal(which.id, cases[i].id);
		consoles_entry_free(&which);
		free(out);
	}
	err_clear(&e);
	assert_false(consoles_set_enabled(xml, strlen(xml), "c.xml", "::2",
	    true, &out, &len, &changed, NULL, &e));
	assert_non_null(strstr(e.msg, "'::2'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_enable_by_address),
		cmocka_unit_test(test_enable_by_id_and_idempotent),
		cmocka_unit_test(test_missing_attribute_added),
		cmocka_unit_test(test_no_match_and_ambiguous),
		cmocka_unit_test(test_match_as_address),
		cmocka_unit_test(test_duplicate_ids),
		cmocka_unit_test(test_toggle_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
