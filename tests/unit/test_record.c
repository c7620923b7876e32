/* Unit tests of the install record (installer/record.c). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "util.h"

static void
test_round_trip(void **state)
{
	struct record r, q;
	struct es_err e;
	char *text, *text2;

	(void)state;
	record_init(&r);
	r.product = xstrdup("Nexpose");
	r.version = xstrdup("7.3.1");
	r.component = xstrdup("engine");
	r.install_dir = xstrdup("/opt/with space/nexpose");
	r.engine_id = xstrdup("3f2b6c1e-8a4d-4f0e-9b7a-2c5d8e1f0a3b");
	r.engine_name = xstrdup("Lab B scanner");
	r.communication = xstrdup("console-to-engine");
	r.engine_port = xstrdup("40999");
	strlist_add(&r.services, "nexposeengine");
	strlist_add(&r.sysfiles, "/etc/systemd/system/multi-user.target.wants/");
	strlist_add(&r.parents, "/opt/with space");
	record_add(&r, 'd', 0755, NULL, "/opt/with space/nexpose/nse");
	record_add(&r, 'f', 0640, "ab12", "/opt/with space/nexpose/nse/a b.xml");
	record_add(&r, 'l', 0777, NULL, "/opt/with space/nexpose/nse/link");
	text = record_format(&r);

	record_init(&q);
	err_clear(&e);
	assert_true(record_parse(&q, text, strlen(text), "record", &e));
	assert_string_equal(q.install_dir, "/opt/with space/nexpose");
	assert_string_equal(q.engine_id, r.engine_id);
	assert_string_equal(q.engine_name, "Lab B scanner");
	assert_string_equal(q.communication, "console-to-engine");
	assert_string_equal(q.engine_port, "40999");
	assert_int_equal(q.n, 3);
	assert_int_equal(q.entries[1].type, 'f');
	assert_int_equal(q.entries[1].mode, 0640);
	assert_string_equal(q.entries[1].sha256, "ab12");
	assert_string_equal(q.entries[1].path,
	    "/opt/with space/nexpose/nse/a b.xml");
	assert_string_equal(q.sysfiles.v[0],
	    "/etc/systemd/system/multi-user.target.wants/");
	assert_string_equal(q.parents.v[0], "/opt/with space");
	text2 = record_format(&q);
	assert_string_equal(text, text2);
	free(text);
	free(text2);
	record_free(&r);
	record_free(&q);
}

/* A record written before engine_name, communication and engine_port
 * were kept reads as before, with those unset (status then reads
 * nse.xml). */
static void
test_older_record(void **state)
{
	static const char old[] = "format 1\nproduct Nexpose\n"
	    "component engine\ninstall_dir /opt/rapid7/nexpose\n"
	    "engine_id 3f2b6c1e-8a4d-4f0e-9b7a-2c5d8e1f0a3b\n";
	struct record r;
	struct es_err e;

	(void)state;
	record_init(&r);
	err_clear(&e);
	assert_true(record_parse(&r, old, strlen(old), "record", &e));
	assert_null(r.engine_name);
	assert_null(r.communication);
	assert_null(r.engine_port);
	record_free(&r);
}

static void
test_damaged(void **state)
{
	struct record r;
	struct es_err e;
	static const char *bad[] = {
		"format 2\ninstall_dir /x\ncomponent engine\n",
		"format 1\ninstall_dir /x\ncomponent engine\nf 0644 abc relative\n",
		"format 1\ninstall_dir /x\ncomponent engine\nf 644 abc /x/y\n",
		"format 1\ncomponent engine\n",
		"format 1\ninstall_dir /x\ncomponent engine\nnospace\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		record_init(&r);
		err_clear(&e);
		if (record_parse(&r, bad[i], strlen(bad[i]), "rec", &e))
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(e.msg, "rec"));
		record_free(&r);
	}
}

static void
test_load_through_pointer(void **state)
{
	struct fixture *f = *state;
	struct record r;
	struct es_err e;
	char *ptr = record_pointer_text("/opt/x");

	record_init(&r);
	err_clear(&e);
	/* Nothing installed: false without an error. */
	assert_false(record_load(f->dir, &r, &e));
	assert_int_equal(e.code, 0);

	fixture_write(f, "var/lib/engine-setup/installation", ptr);
	assert_false(record_load(f->dir, &r, &e));
	assert_int_not_equal(e.code, 0);
	assert_non_null(strstr(e.msg, "/opt/x"));

	fixture_write(f, "opt/x/.install/record",
	    "format 1\ninstall_dir /opt/x\ncomponent console\n");
	record_free(&r);
	record_init(&r);
	err_clear(&e);
	assert_true(record_load(f->dir, &r, &e));
	assert_string_equal(r.component, "console");
	record_free(&r);
	free(ptr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_older_record),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test_setup_teardown(test_load_through_pointer,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
