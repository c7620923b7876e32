/* installer/ready.c: when the log says ready (the ready line after the
 * last start line, and after the size noted before the start), when the
 * port does, and what cannot be told. The service parts (a manager that
 * runs it or not) are in tests/e2e/test_ready.sh. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "ready.h"
#include "record.h"
#include "util.h"

#define LOG "opt/x/nse/logs/nse.log"

/* A record of an installation at /opt/x under the fixture folder, whose
 * readiness is the sample engine's log lines (no port). */
static void
record_of(struct record *r)
{
	record_init(r);
	r->component = xstrdup("engine");
	r->install_dir = xstrdup("/opt/x");
	r->ready_log = xstrdup("nse/logs/nse.log");
	r->ready_start = xstrdup("Scan Engine starting");
	r->ready_line = xstrdup("Scan Engine initialization completed");
}

static void
assert_contains(const char *s, const char *want)
{
	if (strstr(s, want) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, want);
}

static void
test_ready_log(void **state)
{
	struct fixture *f = *state;
	struct record r;
	char why[512];
	long long size;

	record_of(&r);
	/* No log yet: not yet, and the size before a start is -1. */
	assert_int_equal(ready_check(f->dir, &r, -1, why, sizeof why),
	    READY_NOT_YET);
	assert_contains(why, "\"Scan Engine initialization completed\" is "
	    "not yet in nse/logs/nse.log");
	assert_true(ready_log_size(f->dir, &r) == -1);

	fixture_write(f, LOG, "T [INFO] Scan Engine starting (process 1)\n");
	assert_int_equal(ready_check(f->dir, &r, -1, NULL, 0), READY_NOT_YET);
	fixture_write(f, LOG, "T [INFO] Scan Engine starting (process 1)\n"
	    "T [INFO] Scan Engine initialization completed\n");
	assert_int_equal(ready_check(f->dir, &r, -1, why, sizeof why),
	    READY_YES);
	assert_string_equal(why, "the Scan Engine is ready");

	/* A start after it: the old ready line does not count. */
	fixture_write(f, LOG, "T [INFO] Scan Engine starting (process 1)\n"
	    "T [INFO] Scan Engine initialization completed\n"
	    "T [INFO] Scan Engine stopped\n"
	    "T [INFO] Scan Engine starting (process 2)\n");
	assert_int_equal(ready_check(f->dir, &r, -1, NULL, 0), READY_NOT_YET);

	/* Without a start line, the size noted before the start decides. */
	free(r.ready_start);
	r.ready_start = NULL;
	size = ready_log_size(f->dir, &r);
	assert_true(size > 0);
	assert_int_equal(ready_check(f->dir, &r, -1, NULL, 0), READY_YES);
	assert_int_equal(ready_check(f->dir, &r, size, NULL, 0),
	    READY_NOT_YET);
	fixture_write(f, LOG, "T [INFO] Scan Engine starting (process 1)\n"
	    "T [INFO] Scan Engine initialization completed\n"
	    "T [INFO] Scan Engine stopped\n"
	    "T [INFO] Scan Engine starting (process 2)\n"
	    "T [INFO] Scan Engine initialization completed\n");
	assert_int_equal(ready_check(f->dir, &r, size, NULL, 0), READY_YES);
	/* A log that shrank below the size (rotated): not yet. */
	assert_int_equal(ready_check(f->dir, &r, size + 4096, NULL, 0),
	    READY_NOT_YET);
	record_free(&r);
}

static void
test_ready_unknown(void **state)
{
	struct fixture *f = *state;
	struct record r;
	char why[512];

	record_init(&r);
	r.component = xstrdup("console");
	r.install_dir = xstrdup("/opt/x");
	assert_int_equal(ready_check(f->dir, &r, -1, why, sizeof why),
	    READY_UNKNOWN);
	assert_contains(why, "does not say how the Security Console shows it "
	    "is ready");
	/* Nothing to wait for: at once. */
	assert_int_equal(ready_wait(f->dir, &r, -1, 30, NULL, NULL, NULL,
	    NULL, 0), READY_UNKNOWN);
	assert_string_equal(ready_what(&r), "Security Console");
	record_free(&r);
}

/* A port that nothing listens on: not yet, naming the port. (A port that
 * accepts is the e2e test's, with the sample engine.) */
static void
test_ready_port_closed(void **state)
{
	struct fixture *f = *state;
	struct record r;
	char why[512];

	record_of(&r);
	fixture_write(f, LOG, "T [INFO] Scan Engine starting (process 1)\n"
	    "T [INFO] Scan Engine initialization completed\n");
	/* Port 1 (tcpmux) is not served on a test host. */
	r.ready_port = xstrdup("1");
	assert_int_equal(ready_check(f->dir, &r, -1, why, sizeof why),
	    READY_NOT_YET);
	assert_string_equal(why, "port 1 does not accept connections yet");
	record_free(&r);
}

/* The progress line: on a terminal one line updated in place each second,
 * otherwise a line every 10 s. */
static void
test_ready_progress(void **state)
{
	struct fixture *f = *state;
	struct ready_progress p;
	char *path = fixture_path(f, "out"), *text;
	size_t len;

	memset(&p, 0, sizeof p);
	p.out = fopen(path, "w");
	assert_non_null(p.out);
	p.what = "Scan Engine";
	p.last = -1;
	ready_progress_print(0.1, 600, &p);
	ready_progress_print(0.6, 600, &p);
	ready_progress_print(9.5, 600, &p);
	ready_progress_print(10.2, 600, &p);
	ready_progress_end(&p);
	p.tty = true;
	ready_progress_print(0.0, 20, &p);
	ready_progress_print(1.0, 20, &p);
	ready_progress_print(1.5, 20, &p);
	ready_progress_end(&p);
	fclose(p.out);
	text = fixture_read(path, &len);
	assert_string_equal(text,
	    "Waiting for the Scan Engine to be ready: 0 s of 600 s ...\n"
	    "Waiting for the Scan Engine to be ready: 10 s of 600 s ...\n"
	    "\rWaiting for the Scan Engine to be ready: 0 s of 20 s ..."
	    "\rWaiting for the Scan Engine to be ready: 1 s of 20 s ...\n");
	free(text);
	free(path);
}

/* ready_explain(): the sentences install and status share. */
static void
test_ready_explain(void **state)
{
	struct record r;
	char out[READY_EXPLAIN_MAX];

	(void)state;
	record_init(&r);
	ready_explain(&r, READY_CANNOT, 600, false, "it stopped", true, out,
	    sizeof out);
	assert_string_equal(out, "The Scan Engine cannot become ready: it "
	    "stopped");
	ready_explain(&r, READY_UNKNOWN, 600, false, "no signs", false, out,
	    sizeof out);
	assert_string_equal(out, "whether the Scan Engine is ready cannot be "
	    "told: no signs");
	ready_explain(&r, READY_NOT_YET, 30, false, "no line", false, out,
	    sizeof out);
	assert_string_equal(out, "the Scan Engine is not ready after 30 s: "
	    "no line");
	r.component = xstrdup("console");
	ready_explain(&r, READY_NOT_YET, 30, true, "no line", true, out,
	    sizeof out);
	assert_string_equal(out, "The Security Console is not ready (the wait "
	    "was interrupted) within 30 s: no line");
	record_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_explain),
		cmocka_unit_test_setup_teardown(test_ready_log, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_ready_unknown,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_ready_port_closed,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_ready_progress,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
