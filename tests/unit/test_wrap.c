/* Unit tests of line mode's wrapping (installer/wrap.c). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "wrap.h"

/* Wrap one line; the caller frees. */
static char *
wrapped(const char *line, size_t width, size_t hang)
{
	struct sbuf b;

	sbuf_init(&b);
	wrap_line(&b, line, strlen(line), width, hang);
	return sbuf_detach(&b);
}

/* Every line of text is at most width columns wide. */
static void
assert_fits(const char *text, size_t width)
{
	const char *p = text;

	while (*p != '\0') {
		size_t len = strcspn(p, "\n");

		assert_true(wrap_columns(p, len) <= width);
		p += len + (p[len] == '\n');
	}
}

/* The words of a and b (split at blanks and line ends) are the same. */
static void
assert_same_words(const char *a, const char *b)
{
	char *x = strdup(a), *y = strdup(b), *sx, *sy, *wx, *wy;

	wx = strtok_r(x, " \n", &sx);
	wy = strtok_r(y, " \n", &sy);
	while (wx != NULL && wy != NULL) {
		assert_string_equal(wx, wy);
		wx = strtok_r(NULL, " \n", &sx);
		wy = strtok_r(NULL, " \n", &sy);
	}
	assert_null(wx);
	assert_null(wy);
	free(x);
	free(y);
}

static void
test_columns_count_characters(void **state)
{
	(void)state;
	assert_int_equal(wrap_columns("Muller", 6), 6);
	assert_int_equal(wrap_columns("M\xc3\xbcller", 7), 6);       /* Müller */
	assert_int_equal(wrap_columns("\xe2\x82\xac" "5", 4), 2);     /* €5 */
	assert_int_equal(wrap_columns("\xf0\x9f\x94\x91", 4), 1);     /* U+1F511 */
	assert_int_equal(wrap_columns("", 0), 0);
}

static void
test_short_line_unchanged(void **state)
{
	char *s;

	(void)state;
	s = wrapped("  [Pass] Memory   23.5 GiB", 80, 7);
	assert_string_equal(s, "  [Pass] Memory   23.5 GiB\n");
	free(s);
	s = wrapped("no width given: a line as long as it is", 0, 0);
	assert_string_equal(s, "no width given: a line as long as it is\n");
	free(s);
}

static void
test_breaks_at_spaces(void **state)
{
	const char *in = "The engine connects to the console on TCP 40815 "
	    "(recommended when the engine can reach the console).";
	char *s;

	(void)state;
	s = wrapped(in, 40, 4);
	assert_string_equal(s,
	    "The engine connects to the console on\n"
	    "    TCP 40815 (recommended when the\n"
	    "    engine can reach the console).\n");
	assert_fits(s, 40);
	assert_same_words(in, s);
	free(s);
}

static void
test_exact_width_and_blanks(void **state)
{
	char *s;

	(void)state;
	/* Exactly the width: no break. */
	s = wrapped("abcde fghij", 11, 0);
	assert_string_equal(s, "abcde fghij\n");
	free(s);
	/* Blanks inside a line stay; the ones at a break go. */
	s = wrapped("[Warn] CPUs     2 (at least 1, 4 recommended)", 24, 0);
	assert_string_equal(s, "[Warn] CPUs     2 (at\nleast 1, 4 recommended)\n");
	free(s);
	/* Trailing blanks go. */
	s = wrapped("one two three   ", 8, 0);
	assert_string_equal(s, "one two\nthree\n");
	free(s);
}

static void
test_hanging_indent(void **state)
{
	const char *in = "[Warn] Virtual machine                bhyve "
	    "(bare metal, or a VM with reserved memory)";
	const char *advice = "       Reserve, do not share, memory for this "
	    "virtual machine: a Scan Engine with shared memory may run out "
	    "of memory during a scan.";
	char *s;

	(void)state;
	s = wrapped(in, 80, 38);
	assert_string_equal(s,
	    "[Warn] Virtual machine                bhyve (bare metal, or a VM "
	    "with reserved\n"
	    "                                      memory)\n");
	free(s);
	s = wrapped(advice, 80, wrap_hang(advice, strlen(advice)));
	assert_string_equal(s,
	    "       Reserve, do not share, memory for this virtual machine: a "
	    "Scan Engine\n"
	    "       with shared memory may run out of memory during a scan.\n");
	assert_same_words(advice, s);
	free(s);
	/* A hang that leaves less than 20 columns is not used. */
	s = wrapped("aaaa bbbb cccc dddd eeee ffff", 25, 10);
	assert_string_equal(s, "aaaa bbbb cccc dddd eeee\nffff\n");
	free(s);
}

static void
test_long_word_broken_only_then(void **state)
{
	char *s;

	(void)state;
	s = wrapped("see /opt/rapid7/nexpose/nse/conf/consoles.xml now", 24, 2);
	assert_string_equal(s, "see\n"
	    "  /opt/rapid7/nexpose/ns\n"
	    "  e/conf/consoles.xml\n"
	    "  now\n");
	assert_fits(s, 24);
	free(s);
}

static void
test_utf8_characters_not_bytes(void **state)
{
	/* "Müller" is 6 columns and 7 bytes: with 13 columns it fits beside
	 * "Name: ", counting bytes it would not. */
	char *s;

	(void)state;
	s = wrapped("Name: M\xc3\xbcller, Company", 13, 0);
	assert_string_equal(s, "Name: M\xc3\xbcller,\nCompany\n");
	free(s);
	/* A broken word is broken between characters, never inside one. */
	s = wrapped("\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc", 2, 0);
	assert_string_equal(s, "\xc3\xbc\xc3\xbc\n\xc3\xbc\xc3\xbc\n\xc3\xbc\n");
	free(s);
}

static void
test_text_and_list_marks(void **state)
{
	const char *in = "Next (Console-to-Engine pairing):\n"
	    "  1. In the Security Console: Administration > Scans > Manage "
	    "scan engines > New Engine;\n"
	    "\n"
	    "- an item that is rather long\n"
	    "no newline at the end";
	struct sbuf b;

	(void)state;
	assert_int_equal(wrap_hang("  1. In", 7), 5);
	assert_int_equal(wrap_hang("- an", 4), 2);
	assert_int_equal(wrap_hang("   text", 7), 3);
	assert_int_equal(wrap_hang("1.5 GiB", 7), 0);
	assert_int_equal(wrap_hang("Company:    Example", 19), 12);
	assert_int_equal(wrap_hang("  M\xc3\xbcller:  x", 13), 11);
	assert_int_equal(wrap_hang("trailing  ", 10), 0);
	sbuf_init(&b);
	wrap_text(&b, in, 40);
	assert_string_equal(b.s,
	    "Next (Console-to-Engine pairing):\n"
	    "  1. In the Security Console:\n"
	    "     Administration > Scans > Manage\n"
	    "     scan engines > New Engine;\n"
	    "\n"
	    "- an item that is rather long\n"
	    "no newline at the end");
	assert_fits(b.s, 40);
	assert_same_words(in, b.s);
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_columns_count_characters),
		cmocka_unit_test(test_short_line_unchanged),
		cmocka_unit_test(test_breaks_at_spaces),
		cmocka_unit_test(test_exact_width_and_blanks),
		cmocka_unit_test(test_hanging_indent),
		cmocka_unit_test(test_long_word_broken_only_then),
		cmocka_unit_test(test_utf8_characters_not_bytes),
		cmocka_unit_test(test_text_and_list_marks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
