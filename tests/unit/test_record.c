/* Unit tests of the install record (installer/record.c). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"
#include "rules_windows.h"
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
	r.ready_log = xstrdup("nse/logs/nse.log");
	r.ready_start = xstrdup("Scan Engine starting");
	r.ready_line = xstrdup("Scan Engine initialization completed");
	r.ready_port = xstrdup("40999");
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
	assert_string_equal(q.ready_log, "nse/logs/nse.log");
	assert_string_equal(q.ready_start, "Scan Engine starting");
	assert_string_equal(q.ready_line,
	    "Scan Engine initialization completed");
	assert_string_equal(q.ready_port, "40999");
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
	assert_null(r.ready_log);
	assert_null(r.ready_line);
	assert_null(r.ready_port);
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
		/* Attack: paths that climb out of the root, or out of
		 * install_dir, or name what is not theirs. */
		"format 1\ninstall_dir /../host\ncomponent engine\n",
		"format 1\ninstall_dir /opt/../../host\ncomponent engine\n",
		"format 1\ninstall_dir opt/x\ncomponent engine\n",
		"format 1\ninstall_dir /\ncomponent engine\n",
		"format 1\ninstall_dir /opt/x/\ncomponent engine\n",
		"format 1\ninstall_dir /opt//x\ncomponent engine\n",
		"format 1\ninstall_dir /opt/./x\ncomponent engine\n",
		"format 1\ninstall_dir /x\ncomponent engine\n"
		    "f 0644 abc /x/../../host/important\n",
		"format 1\ninstall_dir /x\ncomponent engine\n"
		    "f 0644 abc /etc/passwd\n",
		"format 1\ninstall_dir /x\ncomponent engine\n"
		    "f 0644 abc /xy/file\n",
		"format 1\ninstall_dir /x\ncomponent engine\nd 0755 - /x\n",
		"format 1\ninstall_dir /x\ncomponent engine\n"
		    "l 0777 - /x/a/./b\n",
		"format 1\ninstall_dir /x\ncomponent engine\n"
		    "d 0755 - /x/a/\n",
		"format 1\ninstall_dir /opt/x\ncomponent engine\n"
		    "parent /etc\n",
		"format 1\ninstall_dir /opt/x\ncomponent engine\n"
		    "parent /\n",
		"format 1\ninstall_dir /opt/x\ncomponent engine\n"
		    "parent /opt/x\n",
		"format 1\ninstall_dir /opt/x\ncomponent engine\n"
		    "parent /opt/../opt\n",
		"format 1\ninstall_dir /opt/x\ncomponent engine\n"
		    "parent /opt/\n",
		"format 1\ninstall_dir /opt/x\ncomponent engine\n"
		    "sysfile /etc/../../host/\n",
		"format 1\ninstall_dir /opt/x\ncomponent engine\n"
		    "sysfile etc/x.service\n",
		"format 1\ninstall_dir /opt/x\ncomponent engine\n"
		    "sysfile /\n",
		/* The order of the lines does not matter. */
		"format 1\nf 0644 abc /host/important\ninstall_dir /x\n"
		    "component engine\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		record_init(&r);
		err_clear(&e);
		if (record_parse(&r, bad[i], strlen(bad[i]), "rec", &e))
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(strstr(e.msg, "rec"));
		assert_int_equal(e.code, ES_EINSTALL);
		record_free(&r);
	}
}

/* What a real install writes passes: folders above install_dir as
 * parents, service folders with their trailing '/'. */
static void
test_clean_paths_accepted(void **state)
{
	struct record r;
	struct es_err e;
	static const char text[] = "format 1\ninstall_dir /opt/rapid7/nexpose\n"
	    "component engine\nparent /opt\nparent /opt/rapid7\n"
	    "sysfile /etc/\nsysfile /etc/systemd/system/x.service\n"
	    "d 0755 - /opt/rapid7/nexpose/nse\n"
	    "f 0644 ab /opt/rapid7/nexpose/nse/..x\n"
	    "l 0777 - /opt/rapid7/nexpose/nse/l\n";

	(void)state;
	record_init(&r);
	err_clear(&e);
	assert_true(record_parse(&r, text, strlen(text), "rec", &e));
	assert_int_equal(r.n, 3);
	record_free(&r);
}

/* A Windows installation's record, with the Windows rules: drive paths
 * pass; attack: a '\' that hides "..", another drive, a Linux path or a
 * drive's root where a folder below it belongs. */
static void
test_windows_paths(void **state)
{
	struct record r;
	struct es_err e;
	static const char good[] = "format 1\n"
	    "install_dir C:/Program Files/Rapid7/Nexpose\n"
	    "component engine\nparent C:/Program Files/Rapid7\n"
	    "d 0755 - C:/Program Files/Rapid7/Nexpose/nse\n"
	    "f 0644 ab C:/Program Files/Rapid7/Nexpose/nse/..x\n";
	static const char *const bad[] = {
		"format 1\ninstall_dir C:/\ncomponent engine\n",
		"format 1\ninstall_dir C:\ncomponent engine\n",
		"format 1\ninstall_dir C:x\ncomponent engine\n",
		"format 1\ninstall_dir /opt/x\ncomponent engine\n",
		"format 1\ninstall_dir C:\\x\ncomponent engine\n",
		"format 1\ninstall_dir //srv/share/x\ncomponent engine\n",
		"format 1\ninstall_dir C:/x\ncomponent engine\n"
		    "f 0644 ab C:/x/..\\..\\Windows\\win.ini\n",
		"format 1\ninstall_dir C:/x\ncomponent engine\n"
		    "f 0644 ab D:/x/a\n",
		"format 1\ninstall_dir C:/x\ncomponent engine\n"
		    "f 0644 ab /x/a\n",
		"format 1\ninstall_dir C:/x/y\ncomponent engine\n"
		    "parent C:/\n",
		"format 1\ninstall_dir C:/x/y\ncomponent engine\n"
		    "parent D:/x\n",
		"format 1\ninstall_dir C:/x\ncomponent engine\n"
		    "sysfile C:/\n",
		"format 1\ninstall_dir C:/x\ncomponent engine\n"
		    "sysfile C:/Windows\\..\\..\\x\n",
	};
	size_t i;

	(void)state;
	record_init(&r);
	err_clear(&e);
	if (!record_parse(&r, good, strlen(good), "rec", &e))
		fail_msg("refused: %s", e.msg);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.install_dir, "C:/Program Files/Rapid7/Nexpose");
	record_free(&r);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		record_init(&r);
		err_clear(&e);
		if (record_parse(&r, bad[i], strlen(bad[i]), "rec", &e))
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(e.code, ES_EINSTALL);
		record_free(&r);
	}
}

static void
test_set_file(void **state)
{
	struct record r;

	(void)state;
	record_init(&r);
	r.install_dir = xstrdup("/opt/x");
	record_add(&r, 'd', 0755, NULL, "/opt/x/conf");
	record_add(&r, 'f', 0640, "aa", "/opt/x/conf/c.xml");
	assert_true(record_set_file(&r, "/opt/x/conf/c.xml", "bb", 0600));
	assert_string_equal(r.entries[1].sha256, "bb");
	assert_int_equal(r.entries[1].mode, 0600);
	assert_false(record_set_file(&r, "/opt/x/conf", "cc", 0600));
	assert_false(record_set_file(&r, "/opt/x/other", "cc", 0600));
	assert_string_equal(r.entries[0].sha256, "-");
	record_free(&r);
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

/* record_load() of the root folder of f, its pointer's text set to
 * pointer first (NULL: as it is): the error code (0: it loads), the
 * message in e. */
static int
load_with(const struct fixture *f, const char *pointer, struct es_err *e)
{
	struct record r;
	char *root = fixture_path(f, "root");
	int code;

	if (pointer != NULL)
		fixture_write(f, "root/var/lib/engine-setup/installation",
		    pointer);
	record_init(&r);
	err_clear(e);
	code = record_load(root, &r, e) ? 0 : e->code;
	record_free(&r);
	free(root);
	return code;
}

/* Attack: an install pointer or record that would lead status, install,
 * pair, consoles and uninstall out of the root: a ".." or unclean
 * install_dir in the pointer, a record that says another install_dir,
 * and links on the way that lead out. Each is refused, and names the
 * file. */
static void
test_load_hostile(void **state)
{
	struct fixture *f = *state;
	struct es_err e;
	static const char rec[] = "format 1\ninstall_dir /opt/x\n"
	    "component engine\nparent /opt\nsysfile /etc/systemd/\n"
	    "sysfile /etc/systemd/system/es.service\n";
	static const char *const bad_pointers[] = {
		"install_dir /../host\n", "install_dir opt/x\n",
		"install_dir /opt/./x\n", "install_dir /opt//x\n",
		"install_dir /\n", "install_dir /opt/x/\n",
		"install_dir /opt/x/..\n", "# install_dir /opt/x\n",
		"no pointer here\n",
	};
	char *host = fixture_path(f, "host"), *p;
	size_t i;

	fixture_write(f, "root/opt/x/.install/record", rec);
	fixture_write(f, "host/.install/record", "format 1\ninstall_dir "
	    "/../host\ncomponent engine\n");
	fixture_write(f, "root/etc/systemd/system/es.service", "[Unit]\n");
	assert_int_equal(load_with(f, "install_dir /opt/x\n", &e), 0);
	/* A comment first, as engine-setup writes it. */
	assert_int_equal(load_with(f, "# where\ninstall_dir /opt/x\n", &e),
	    0);
	for (i = 0; i < sizeof bad_pointers / sizeof bad_pointers[0]; i++) {
		if (load_with(f, bad_pointers[i], &e) != ES_EINSTALL)
			fail_msg("pointer \"%s\": %d %s", bad_pointers[i],
			    e.code, e.msg);
		assert_non_null(strstr(e.msg, "var/lib/engine-setup/"
		    "installation"));
	}
	assert_int_equal(load_with(f, "install_dir /../host\n", &e),
	    ES_EINSTALL);
	assert_non_null(strstr(e.msg, "not an absolute path without empty"));

	/* The record says another install_dir than the pointer. */
	fixture_write(f, "root/srv/y/.install/record", rec);
	assert_int_equal(load_with(f, "install_dir /srv/y\n", &e),
	    ES_EINSTALL);
	assert_non_null(strstr(e.msg, "says install_dir /opt/x, but the "
	    "install pointer"));

	/* install_dir through a link out of the root, absolute and
	 * relative. */
	fixture_write(f, "host/z/.install/record", "format 1\ninstall_dir "
	    "/lnk/z\ncomponent engine\n");
	p = fixture_path(f, "root/lnk");
	assert_int_equal(symlink(host, p), 0);
	assert_int_equal(load_with(f, "install_dir /lnk/z\n", &e),
	    ES_EINSTALL);
	assert_non_null(strstr(e.msg, "leads out of --root"));
	assert_non_null(strstr(e.msg, "names install_dir /lnk/z"));
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("../host", p), 0);
	assert_int_equal(load_with(f, "install_dir /lnk/z\n", &e),
	    ES_EINSTALL);
	assert_non_null(strstr(e.msg, "leads out of --root"));
	/* A link that stays inside is followed. */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("opt", p), 0);
	fixture_write(f, "root/opt/z/.install/record", "format 1\ninstall_dir "
	    "/lnk/z\ncomponent engine\n");
	assert_int_equal(load_with(f, "install_dir /lnk/z\n", &e), 0);
	free(p);

	/* A sysfile's folder that leads out (the record's own text is
	 * clean). */
	p = fixture_path(f, "root/etc/systemd/system");
	fixture_rm_rf(p);
	assert_int_equal(symlink(host, p), 0);
	assert_int_equal(load_with(f, "install_dir /opt/x\n", &e),
	    ES_EINSTALL);
	assert_non_null(strstr(e.msg, "names /etc/systemd/system/es.service"));
	assert_int_equal(unlink(p), 0);
	free(p);

	/* The state folder itself leads out: a requirement of the root
	 * (ES_EREQ), as for an install. */
	p = fixture_path(f, "root/var/lib/engine-setup");
	fixture_rm_rf(p);
	fixture_write(f, "host/state/installation", "install_dir /opt/x\n");
	free(host);
	host = fixture_path(f, "host/state");
	assert_int_equal(symlink(host, p), 0);
	assert_int_equal(load_with(f, NULL, &e), ES_EREQ);
	assert_non_null(strstr(e.msg, "leads out of --root"));
	free(p);
	free(host);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_older_record),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_clean_paths_accepted),
		cmocka_unit_test_setup_teardown(test_windows_paths,
		    rules_windows_setup, rules_windows_teardown),
		cmocka_unit_test(test_set_file),
		cmocka_unit_test_setup_teardown(test_load_through_pointer,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_load_hostile,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
