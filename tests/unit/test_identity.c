/* Unit tests of the engine identity's machine (installer/identity.c),
 * consoles.xml's pairAgain mark and the certificate's subject. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "consoles.h"
#include "crypto.h"
#include "identity.h"
#include "platform.h"
#include "record.h"
#include "util.h"

#define MID "0123456789abcdef0123456789abcdef"

static const char consoles_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<Consoles>\n"
    "  <console id=\"1\" enabled=\"1\" connectTo=\"0\" name=\"Fwd\"/>\n"
    "  <console id='2' enabled='1' connectTo='1' name='Rev' consoleId='c'>\n"
    "    <cert>x</cert>\n"
    "  </console>\n"
    "</Consoles>\n";

static void
test_fact_hash(void **state)
{
	char a[65], b[65], plain[65];

	(void)state;
	identity_fact_hash(MID, a);
	identity_fact_hash(MID, b);
	crypto_sha256_hex(MID, strlen(MID), plain);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 64);
	/* machine-id(5): not the id's own hash either. */
	assert_string_not_equal(a, plain);
	assert_null(strstr(a, MID));
}

static void
test_record_image(void **state)
{
	struct fixture *f = *state;
	struct record r;
	char *text;

	record_init(&r);
	fixture_write(f, "etc/machine-id", MID "\n");
	r.identity_renewed_at = xstrdup("then");
	identity_record_machine(f->dir, &r);
	assert_string_equal(r.machine, "image");
	assert_null(r.machine_id_sha256);
	assert_null(r.system_uuid_sha256);
	assert_null(r.identity_renewed_at);
	text = record_format(&r);
	assert_non_null(strstr(text, "\nmachine image\n"));
	free(text);
	record_free(&r);
}

static void
test_compare(void **state)
{
	struct fixture *f = *state;
	struct record r;
	struct sbuf why;
	char hex[65];

	record_init(&r);
	sbuf_init(&why);
	r.machine = xstrdup("image");
	/* An image root without facts: only the start-up check counts it. */
	assert_int_equal(identity_compare(f->dir, &r, false, NULL),
	    IDENTITY_SAME);
	assert_int_equal(identity_compare(f->dir, &r, true, &why),
	    IDENTITY_OTHER);
	assert_non_null(strstr(why.s, "image"));
	fixture_write(f, "etc/machine-id", MID "\n");
	assert_int_equal(identity_compare(f->dir, &r, false, NULL),
	    IDENTITY_OTHER);

	/* Made on this machine. */
	free(r.machine);
	r.machine = xstrdup("host");
	identity_fact_hash(MID, hex);
	r.machine_id_sha256 = xstrdup(hex);
	assert_int_equal(identity_compare(f->dir, &r, true, NULL),
	    IDENTITY_SAME);
	/* The DMI UUID, read in lower case; a clone that keeps the machine
	 * id but not the UUID is another machine. */
	fixture_write(f, "sys/class/dmi/id/product_uuid",
	    "4C4C4544-0042-3510-8052-B4C04F4E4E31\n");
	identity_fact_hash("4c4c4544-0042-3510-8052-b4c04f4e4e31", hex);
	r.system_uuid_sha256 = xstrdup(hex);
	assert_int_equal(identity_compare(f->dir, &r, true, NULL),
	    IDENTITY_SAME);
	fixture_write(f, "sys/class/dmi/id/product_uuid",
	    "4c4c4544-0042-3510-8052-b4c04f4e4e32\n");
	sbuf_free(&why);
	sbuf_init(&why);
	assert_int_equal(identity_compare(f->dir, &r, true, &why),
	    IDENTITY_OTHER);
	assert_non_null(strstr(why.s, "system UUID differs"));
	/* A fact that cannot be read is not compared. */
	fixture_write(f, "sys/class/dmi/id/product_uuid", "\n");
	assert_int_equal(identity_compare(f->dir, &r, true, NULL),
	    IDENTITY_SAME);
	fixture_write(f, "etc/machine-id", "fedcba9876543210fedcba9876543210\n");
	sbuf_free(&why);
	sbuf_init(&why);
	assert_int_equal(identity_compare(f->dir, &r, true, &why),
	    IDENTITY_OTHER);
	assert_non_null(strstr(why.s, "machine id differs"));
	/* None readable: kept, and said why. */
	fixture_write(f, "etc/machine-id", "uninitialized\n");
	sbuf_free(&why);
	sbuf_init(&why);
	assert_int_equal(identity_compare(f->dir, &r, true, &why),
	    IDENTITY_UNREADABLE);
	assert_non_null(strstr(why.s, "could be read"));
	sbuf_free(&why);
	record_free(&r);
}

static void
test_mark_pair_again(void **state)
{
	struct consoles c;
	struct es_err e;
	char *out, *again;
	size_t len, len2, marked;

	(void)state;
	err_clear(&e);
	assert_true(consoles_mark_pair_again(consoles_xml,
	    strlen(consoles_xml), "c.xml", &out, &len, &marked, &e));
	assert_int_equal(marked, 1);
	assert_non_null(strstr(out, "<console pairAgain=\"1\" id='2'"));
	assert_non_null(strstr(out, "<console id=\"1\" enabled=\"1\" "
	    "connectTo=\"0\" name=\"Fwd\"/>"));
	assert_int_equal(len, strlen(consoles_xml) + strlen(" pairAgain=\"1\""));
	memset(&c, 0, sizeof c);
	assert_true(consoles_parse(&c, out, len, "c.xml", &e));
	assert_false(c.v[0].pair_again);
	assert_true(c.v[1].pair_again);
	consoles_free(&c);
	/* Marked already: nothing more. */
	assert_true(consoles_mark_pair_again(out, len, "c.xml", &again, &len2,
	    &marked, &e));
	assert_int_equal(marked, 0);
	assert_int_equal(len2, len);
	assert_memory_equal(again, out, len);
	free(again);
	free(out);
}

static void
test_cert_subject(void **state)
{
	struct es_err e;
	char *key, *cert, *cn, *org, *ou;

	(void)state;
	err_clear(&e);
	assert_true(crypto_make_cert("Ada Lovelace", "Example Corp",
	    "Scan Engine: sc\xc3\xa4nner", 1, &key, &cert, &e));
	assert_true(crypto_cert_subject(cert, &cn, &org, &ou, &e));
	assert_string_equal(cn, "Ada Lovelace");
	assert_string_equal(org, "Example Corp");
	assert_string_equal(ou, "Scan Engine: sc\xc3\xa4nner");
	free(cn);
	free(org);
	free(ou);
	util_free_secret(key);
	free(cert);
	assert_true(crypto_make_cert("Only", NULL, "", 1, &key, &cert, &e));
	assert_true(crypto_cert_subject(cert, &cn, &org, &ou, &e));
	assert_string_equal(cn, "Only");
	assert_null(org);
	assert_null(ou);
	free(cn);
	util_free_secret(key);
	free(cert);
	assert_false(crypto_cert_subject("not a certificate", &cn, &org, &ou,
	    &e));
}

/* A new identity for an installation at /opt/x under the fixture. */
static void
test_renew(void **state)
{
	struct fixture *f = *state;
	struct identity_result res;
	struct record r, back;
	struct es_err e;
	char *key, *cert, *xml, *text, *path, *cn, *org, *ou, sha[65];
	const char *old = "3f2b6c1e-8a4d-4f0e-9b7a-2c5d8e1f0a3b";
	size_t len;

	err_clear(&e);
	record_init(&r);
	record_init(&back);
	assert_true(crypto_make_cert("Ada", "Corp", "Scan Engine: a", 1, &key,
	    &cert, &e));
	fixture_write(f, "opt/x/nse/conf/nse.key", key);
	fixture_write(f, "opt/x/nse/conf/nse.crt", cert);
	xml = xasprintf("<NSEConfig>\n  <Engine id=\"%s\" name=\"a\"/>\n"
	    "  <Listener port=\"40814\"/>\n</NSEConfig>\n", old);
	fixture_write(f, "opt/x/nse/conf/nse.xml", xml);
	fixture_write(f, "opt/x/nse/conf/consoles.xml", consoles_xml);
	fixture_write(f, "etc/machine-id", MID "\n");
	r.product = xstrdup("P");
	r.component = xstrdup("engine");
	r.install_dir = xstrdup("/opt/x");
	r.engine_id = xstrdup(old);
	r.communication = xstrdup("engine-to-console");
	r.machine = xstrdup("image");
	crypto_sha256_hex(xml, strlen(xml), sha);
	record_add(&r, 'f', 0640, sha, "/opt/x/nse/conf/nse.xml");
	fixture_write(f, "opt/x/.install/record", "");

	assert_true(identity_renew(f->dir, &r, "test", false, &res, &e));
	assert_string_equal(res.old_id, old);
	assert_string_not_equal(res.new_id, old);
	assert_int_equal(res.marked, 1);
	assert_string_equal(r.engine_id, res.new_id);
	assert_string_equal(r.identity_previous_engine_id, old);
	assert_non_null(r.identity_renewed_at);
	assert_string_equal(r.machine, "host");
	assert_non_null(r.machine_id_sha256);

	/* nse.xml: the id, nothing else. */
	path = fixture_path(f, "opt/x/nse/conf/nse.xml");
	text = fixture_read(path, &len);
	free(path);
	free(xml);
	xml = xasprintf("<NSEConfig>\n  <Engine id=\"%s\" name=\"a\"/>\n"
	    "  <Listener port=\"40814\"/>\n</NSEConfig>\n", res.new_id);
	assert_string_equal(text, xml);
	/* The record's sum follows it, so uninstall knows it for its own. */
	crypto_sha256_hex(text, len, sha);
	assert_string_equal(r.entries[0].sha256, sha);
	free(text);
	/* A new key pair with the old subject. */
	path = fixture_path(f, "opt/x/nse/conf/nse.crt");
	text = fixture_read(path, NULL);
	free(path);
	assert_string_not_equal(text, cert);
	assert_true(crypto_cert_subject(text, &cn, &org, &ou, &e));
	assert_string_equal(cn, "Ada");
	assert_string_equal(org, "Corp");
	assert_string_equal(ou, "Scan Engine: a");
	free(cn);
	free(org);
	free(ou);
	free(text);
	path = fixture_path(f, "opt/x/nse/conf/consoles.xml");
	text = fixture_read(path, NULL);
	free(path);
	assert_non_null(strstr(text, "pairAgain=\"1\""));
	free(text);
	/* The record on disk is r. */
	path = fixture_path(f, "opt/x/.install/record");
	text = fixture_read(path, &len);
	free(path);
	assert_true(record_parse(&back, text, len, "record", &e));
	assert_string_equal(back.engine_id, res.new_id);
	assert_string_equal(back.identity_previous_engine_id, old);
	free(text);
	path = fixture_path(f, "opt/x/nse/logs/engine-setup.log");
	text = fixture_read(path, NULL);
	free(path);
	assert_non_null(text);
	assert_non_null(strstr(text, res.new_id));
	free(text);

	/* The status problem, until pair clears identity_renewed_at. */
	text = identity_problem(f->dir, &r);
	assert_non_null(text);
	assert_true(str_has_prefix(text, "This engine has a new identity since "));
	assert_non_null(strstr(text, "pair it again: engine-setup pair"));
	assert_non_null(strstr(text, "--root"));
	free(text);
	free(r.identity_renewed_at);
	r.identity_renewed_at = NULL;
	assert_null(identity_problem(f->dir, &r));

	/* An nse.xml without the record's id is refused, nothing changed. */
	fixture_write(f, "opt/x/nse/conf/nse.xml", "<NSEConfig/>\n");
	assert_false(identity_renew(f->dir, &r, "test", false, &res, &e));
	assert_non_null(strstr(e.msg, "does not hold the engine id"));

	record_free(&r);
	record_free(&back);
	util_free_secret(key);
	free(cert);
	free(xml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fact_hash),
		cmocka_unit_test_setup_teardown(test_record_image,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_compare, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test(test_mark_pair_again),
		cmocka_unit_test(test_cert_subject),
		cmocka_unit_test_setup_teardown(test_renew, fixture_setup,
		    fixture_teardown),
	};

	crypto_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
