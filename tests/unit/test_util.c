/* Unit tests of text shown on a terminal (installer/util.c,
 * sbuf_add_shown and str_shown). */
#include "fixture.h"

#include <string.h>

#include "util.h"

static const char *
shown(struct sbuf *b, const char *s, bool keep_newlines)
{
	sbuf_free(b);
	sbuf_init(b);
	sbuf_add(b, "");
	sbuf_add_shown(b, s, keep_newlines);
	return b->s;
}

/* Attack: an answers key, file name or console name that clears the
 * screen or recolours the terminal when it is echoed. */
static void
test_shown_escape_sequences(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	assert_string_equal(shown(&b, "\x1b[2Jkey", false), "\\x1b[2Jkey");
	assert_string_equal(shown(&b, "a\tb\rc\x7f", false), "a\\tb\\x0dc\\x7f");
	assert_string_equal(shown(&b, "line\nnext", false), "line\\nnext");
	assert_string_equal(shown(&b, "line\nnext", true), "line\nnext");
	/* C1 controls, as UTF-8 (U+009B, CSI) and as a lone byte that an
	 * 8-bit terminal takes for CSI. */
	assert_string_equal(shown(&b, "x\xc2\x9b[31m", false), "x\\u009b[31m");
	assert_string_equal(shown(&b, "x\x9by", false), "x\\x9by");
	sbuf_free(&b);
}

/* What is not a control character stays as it is: UTF-8 text. */
static void
test_shown_keeps_text(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	assert_string_equal(shown(&b, "M\xc3\xbcller \xe2\x82\xac "
	    "\xf0\x9d\x84\x9e O'Brien", false),
	    "M\xc3\xbcller \xe2\x82\xac \xf0\x9d\x84\x9e O'Brien");
	assert_string_equal(shown(&b, "\xc2\xa0", false), "\xc2\xa0");
	assert_string_equal(shown(&b, "", false), "");
	sbuf_free(&b);
}

/* Bytes that are not UTF-8 are shown as bytes: an overlong form, a
 * surrogate, a cut sequence and a lead byte at the end. */
static void
test_shown_not_utf8(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	assert_string_equal(shown(&b, "\xc0\xaf", false), "\\xc0\\xaf");
	assert_string_equal(shown(&b, "\xed\xa0\x80", false),
	    "\\xed\\xa0\\x80");
	assert_string_equal(shown(&b, "\xe2\x82x", false), "\\xe2\\x82x");
	assert_string_equal(shown(&b, "a\xc3", false), "a\\xc3");
	sbuf_free(&b);
}

static void
test_str_shown(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b);
	assert_string_equal(str_shown(&b, "a\x1b"), "a\\x1b");
	assert_string_equal(str_shown(&b, NULL), "");
	assert_string_equal(str_shown(&b, "plain"), "plain");
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shown_escape_sequences),
		cmocka_unit_test(test_shown_keeps_text),
		cmocka_unit_test(test_shown_not_utf8),
		cmocka_unit_test(test_str_shown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
