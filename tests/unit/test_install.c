/* Unit tests of install_existing (installer/install.c): how an
 * installation under a root compares with a plan, and the list of what
 * differs that `install --check --json` prints and the messages are made
 * from (install_diffs_text). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "install.h"
#include "record.h"
#include "util.h"

#define SHA_A "1111111111111111111111111111111111111111111111111111111111111111"
#define SHA_B "2222222222222222222222222222222222222222222222222222222222222222"

static const char answers_a[] =
    "accept_license = yes\n"
    "component = engine\n"
    "first_name = Ada\n"
    "last_name = Lovelace\n"
    "company = Example Corp\n"
    "engine_name = scanner-01\n"
    "communication = console-to-engine\n"
    "engine_port = 40814\n";

/* An installation of Nexpose version at /opt/x under the fixture's
 * folder, installed by the payload payload_sha256 (NULL: the record does
 * not say) with answers (NULL: no recorded answers). */
static void
installed(const struct fixture *f, const char *version,
    const char *payload_sha256, const char *answers)
{
	char *ptr = record_pointer_text("/opt/x");
	char *rec = xasprintf("format 1\nproduct Nexpose\nversion %s\n%s%s%s"
	    "component engine\ninstall_dir /opt/x\n", version,
	    payload_sha256 != NULL ? "payload_sha256 " : "",
	    payload_sha256 != NULL ? payload_sha256 : "",
	    payload_sha256 != NULL ? "\n" : "");

	fixture_write(f, "var/lib/engine-setup/installation", ptr);
	fixture_write(f, "opt/x/.install/record", rec);
	if (answers != NULL)
		fixture_write(f, "opt/x/.install/answers", answers);
	free(ptr);
	free(rec);
}

/* install_existing() of the plan made of text and sets ("key=value",
 * NULL-terminated) against the fixture's folder, with a payload of
 * version whose every checksum byte is sum_byte. */
static enum install_existing
compare(const struct fixture *f, const char *text, const char *const *sets,
    const char *version, unsigned char sum_byte, struct install_diffs *d)
{
	struct plan p;
	struct payload pl;
	struct manifest m;
	struct install_opts io;
	struct record old;
	struct es_err e;
	enum install_existing ex;

	plan_init(&p);
	err_clear(&e);
	assert_true(answers_parse(&p, text, strlen(text), "now.txt",
	    PLAN_SRC_FILE, &e));
	for (; sets != NULL && *sets != NULL; sets++)
		assert_true(answers_set_arg(&p, *sets, PLAN_SRC_SET, &e));
	memset(&pl, 0, sizeof pl);
	memset(pl.t.data_sha256, sum_byte, sizeof pl.t.data_sha256);
	memset(&m, 0, sizeof m);
	m.product = "Nexpose";
	m.version = (char *)version;
	memset(&io, 0, sizeof io);
	io.root = f->dir;
	io.payload = &pl;
	io.manifest = &m;
	record_init(&old);
	ex = install_existing(&p, &io, &old, d, &e);
	assert_int_equal(e.code, 0);
	record_free(&old);
	plan_free(&p);
	return ex;
}

/* Entry i of d has these values (NULL: none). */
static void
entry_is(const struct install_diffs *d, size_t i, const char *key,
    const char *was, const char *now, const char *text)
{
	const struct install_diff *x;

	assert_true(i < d->n);
	x = &d->v[i];
	assert_string_equal(x->key, key);
	if (was == NULL)
		assert_null(x->installed);
	else
		assert_string_equal(x->installed, was);
	if (now == NULL)
		assert_null(x->now);
	else
		assert_string_equal(x->now, now);
	assert_string_equal(x->text, text);
}

static void
test_nothing_installed(void **state)
{
	struct fixture *f = *state;
	struct install_diffs d;

	install_diffs_init(&d);
	assert_int_equal(compare(f, answers_a, NULL, "7.3.1", 0x11, &d),
	    INSTALL_NONE);
	assert_int_equal(d.n, 0);
	install_diffs_free(&d);
}

static void
test_same(void **state)
{
	struct fixture *f = *state;
	struct install_diffs d;

	installed(f, "7.3.1", SHA_A, answers_a);
	install_diffs_init(&d);
	assert_int_equal(compare(f, answers_a, NULL, "7.3.1", 0x11, &d),
	    INSTALL_SAME);
	assert_int_equal(d.n, 0);
	install_diffs_free(&d);
}

/* Each answer that differs is one entry with both values, in the order of
 * the canonical answers; the text is made from the list, one line each. */
static void
test_other_answers(void **state)
{
	static const char *const sets[] = {
		"company=AT&T Inc", "engine_name=other",
		"communication=engine-to-console", NULL,
	};
	struct fixture *f = *state;
	struct install_diffs d;
	struct sbuf b;

	installed(f, "7.3.1", SHA_A, answers_a);
	install_diffs_init(&d);
	assert_int_equal(compare(f, answers_a, sets, "7.3.1", 0x11, &d),
	    INSTALL_DIFFERENT);
	assert_int_equal(d.n, 4);
	entry_is(&d, 0, "company", "Example Corp", "AT&T Inc",
	    "company: installed 'Example Corp', now 'AT&T Inc'");
	entry_is(&d, 1, "engine_name", "scanner-01", "other",
	    "engine_name: installed 'scanner-01', now 'other'");
	entry_is(&d, 2, "communication", "console-to-engine",
	    "engine-to-console", "communication: installed "
	    "'console-to-engine', now 'engine-to-console'");
	/* Engine-to-Console listens on no port: not set now. */
	entry_is(&d, 3, "engine_port", "40814", NULL,
	    "engine_port: installed '40814', now (not set)");
	sbuf_init(&b);
	install_diffs_text(&d, &b);
	assert_string_equal(b.s,
	    "  company: installed 'Example Corp', now 'AT&T Inc'\n"
	    "  engine_name: installed 'scanner-01', now 'other'\n"
	    "  communication: installed 'console-to-engine', now "
	    "'engine-to-console'\n"
	    "  engine_port: installed '40814', now (not set)\n");
	sbuf_free(&b);
	install_diffs_free(&d);
}

/* The same answers with another payload: an upgrade or a downgrade, and
 * the payload is listed with both versions and checksums. */
static void
test_other_payload(void **state)
{
	struct fixture *f = *state;
	struct install_diffs d;

	installed(f, "7.3.1", SHA_A, answers_a);
	install_diffs_init(&d);
	assert_int_equal(compare(f, answers_a, NULL, "7.4.0", 0x22, &d),
	    INSTALL_UPGRADE);
	assert_int_equal(d.n, 1);
	entry_is(&d, 0, "payload", "Nexpose 7.3.1 (sha256 " SHA_A ")",
	    "Nexpose 7.4.0 (sha256 " SHA_B ")",
	    "the payload: installed Nexpose 7.3.1 (sha256 111111111111...), "
	    "now Nexpose 7.4.0 (sha256 222222222222...)");
	install_diffs_free(&d);

	install_diffs_init(&d);
	assert_int_equal(compare(f, answers_a, NULL, "7.2.0", 0x22, &d),
	    INSTALL_OLDER);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].key, "payload");
	install_diffs_free(&d);

	/* Another payload of the same version: not an upgrade. */
	install_diffs_init(&d);
	assert_int_equal(compare(f, answers_a, NULL, "7.3.1", 0x22, &d),
	    INSTALL_DIFFERENT);
	assert_int_equal(d.n, 1);
	install_diffs_free(&d);
}

/* What cannot be compared is listed too: a record that does not name its
 * payload, answers that cannot be read (the file named in the text). */
static void
test_unknown(void **state)
{
	struct fixture *f = *state;
	struct install_diffs d;
	char *text;

	installed(f, "7.3.1", NULL, answers_a);
	install_diffs_init(&d);
	assert_int_equal(compare(f, answers_a, NULL, "7.3.1", 0x11, &d),
	    INSTALL_DIFFERENT);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].key, "payload");
	assert_null(d.v[0].installed);
	assert_non_null(strstr(d.v[0].text, "the installation's record does "
	    "not say which payload installed it"));
	install_diffs_free(&d);

	fixture_rm_rf(f->dir);
	fixture_mkdirs(f->dir);
	installed(f, "7.3.1", SHA_A, NULL);
	install_diffs_init(&d);
	assert_int_equal(compare(f, answers_a, NULL, "7.3.1", 0x11, &d),
	    INSTALL_DIFFERENT);
	assert_int_equal(d.n, 1);
	text = xasprintf("the recorded answers: %s/opt/x/.install/answers "
	    "cannot be read", f->dir);
	entry_is(&d, 0, "answers", NULL, NULL, text);
	free(text);
	install_diffs_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_installed,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_same,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_other_answers,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_other_payload,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_unknown,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
