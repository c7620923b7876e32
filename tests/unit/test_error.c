/* Unit tests of error messages as they are shown (installer/error.c). */
#include "fixture.h"

#include <errno.h>
#include <string.h>

#include "error.h"

static const char *
shown(struct es_err *e, const char *msg)
{
	err_clear(e);
	err_set(e, ES_EINSTALL, "%s", msg);
	return err_sentence(e);
}

static void
test_full_stop_added_once(void **state)
{
	struct es_err e = { 0 };

	(void)state;
	assert_string_equal(shown(&e, "cannot read x"), "cannot read x.");
	assert_string_equal(shown(&e, "cannot read x."), "cannot read x.");
	assert_string_equal(shown(&e, "is it there?"), "is it there?");
	assert_string_equal(shown(&e, "(ES_TEST_FAULT)"), "(ES_TEST_FAULT).");
	assert_string_equal(shown(&e, "run `a b`  \n"), "run `a b`.\n");
	/* Twice changes nothing more. */
	assert_string_equal(err_sentence(&e), "run `a b`.\n");
	assert_string_equal(shown(&e, ""), "");
}

static void
test_each_line_but_commands(void **state)
{
	struct es_err e = { 0 };

	(void)state;
	assert_string_equal(shown(&e, "first\nsecond"), "first.\nsecond.");
	assert_string_equal(shown(&e, "do this:\n  engine-setup uninstall "
	    "--root /r\nthen that"), "do this:\n  engine-setup uninstall "
	    "--root /r\nthen that.");
	assert_string_equal(shown(&e, "usage: engine-setup pair [--root DIR]"),
	    "usage: engine-setup pair [--root DIR]");
	assert_string_equal(shown(&e, "a\n\nb"), "a.\n\nb.");
}

static void
test_strerror_and_context(void **state)
{
	struct es_err e = { 0 };

	(void)state;
	err_sys(&e, ES_EINSTALL, ENOENT, "cannot open %s", "/x");
	err_set(&e, ES_EINTERNAL, "while undoing");
	assert_int_equal(e.code, ES_EINSTALL);
	assert_string_equal(err_sentence(&e), "cannot open /x: No such file "
	    "or directory.\nwhile undoing.");
}

/* A message at the size limit stays within it. */
static void
test_full_buffer(void **state)
{
	struct es_err e = { 0 };
	char big[ES_ERR_MSG_MAX + 10];

	(void)state;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	err_set(&e, ES_EINSTALL, "%s", big);
	err_sentence(&e);
	assert_int_equal(strlen(e.msg), ES_ERR_MSG_MAX - 1);
	assert_int_equal(strspn(e.msg, "a"), ES_ERR_MSG_MAX - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_stop_added_once),
		cmocka_unit_test(test_each_line_but_commands),
		cmocka_unit_test(test_strerror_and_context),
		cmocka_unit_test(test_full_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
