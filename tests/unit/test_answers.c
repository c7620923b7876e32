/* Unit tests of the answers parser (installer/answers.c) and plan
 * validation (installer/plan.c). */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "plan.h"
#include "util.h"

static bool
parse(struct plan *p, const char *text, struct es_err *e)
{
	err_clear(e);
	return answers_parse(p, text, strlen(text), "answers.txt",
	    PLAN_SRC_FILE, e);
}

static void
test_basic_syntax(void **state)
{
	struct plan p;
	struct es_err e;

	(void)state;
	plan_init(&p);
	assert_true(parse(&p,
	    "# comment\n"
	    "\n"
	    "accept_license = yes\n"
	    "component=console\n"
	    "   install_dir   =   /srv/nexpose   \n"
	    "first_name = \"Ada \\\"The\\\" Countess\"\n"
	    "company = \"Back\\\\slash\\nLine\"\n"
	    "engine_name = value # not a comment\r\n", &e));
	assert_string_equal(plan_get(&p, PK_ACCEPT_LICENSE), "yes");
	assert_string_equal(plan_get(&p, PK_COMPONENT), "console");
	assert_string_equal(plan_get(&p, PK_INSTALL_DIR), "/srv/nexpose");
	assert_string_equal(plan_get(&p, PK_FIRST_NAME), "Ada \"The\" Countess");
	assert_string_equal(plan_get(&p, PK_COMPANY), "Back\\slash\nLine");
	assert_string_equal(plan_get(&p, PK_ENGINE_NAME),
	    "value # not a comment");
	assert_int_equal(p.origin[PK_INSTALL_DIR].line, 5);
	plan_free(&p);
}

static void
test_defaults(void **state)
{
	struct plan p;

	(void)state;
	plan_init(&p);
	assert_string_equal(plan_get(&p, PK_COMPONENT), "engine");
	assert_string_equal(plan_get(&p, PK_COMMUNICATION), "engine-to-console");
	assert_int_equal(plan_port(&p, PK_ENGINE_PORT), 40814);
	assert_int_equal(plan_port(&p, PK_CONSOLE_PORT), 40815);
	assert_true(plan_yes(&p, PK_PAIR_NOW));
	assert_true(plan_yes(&p, PK_START_SERVICE));
	assert_string_equal(plan_get(&p, PK_INSTALL_DIR), "/opt/rapid7/nexpose");
	plan_apply_defaults(&p, "scanner-01");
	assert_string_equal(plan_get(&p, PK_ENGINE_NAME), "scanner-01");
	plan_free(&p);
}

static void
test_unknown_key_suggests(void **state)
{
	struct plan p;
	struct es_err e;

	(void)state;
	plan_init(&p);
	assert_false(parse(&p, "accept_license = yes\ninstal_dir = /x\n", &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_non_null(strstr(e.msg, "answers.txt:2"));
	assert_non_null(strstr(e.msg, "instal_dir"));
	assert_non_null(strstr(e.msg, "did you mean 'install_dir'"));
	plan_free(&p);
}

static void
test_duplicate_key(void **state)
{
	struct plan p;
	struct es_err e;

	(void)state;
	plan_init(&p);
	assert_false(parse(&p, "component = engine\n\ncomponent = console\n",
	    &e));
	assert_non_null(strstr(e.msg, "answers.txt:3"));
	assert_non_null(strstr(e.msg, "duplicate key 'component'"));
	assert_non_null(strstr(e.msg, "answers.txt:1"));
	plan_free(&p);

	/* An alias and its canonical key are the same answer. */
	plan_init(&p);
	assert_false(parse(&p, "install_dir = /a\nsys.installationDir=/b\n",
	    &e));
	assert_non_null(strstr(e.msg, "duplicate key"));
	plan_free(&p);
}

static void
test_all_errors_reported(void **state)
{
	struct plan p;
	struct es_err e;

	(void)state;
	plan_init(&p);
	assert_false(parse(&p, "bogus1 = a\nno equals sign\nbogus2 = b\n"
	    "first_name = \"unterminated\n", &e));
	assert_non_null(strstr(e.msg, "answers.txt:1"));
	assert_non_null(strstr(e.msg, "answers.txt:2"));
	assert_non_null(strstr(e.msg, "answers.txt:3"));
	assert_non_null(strstr(e.msg, "answers.txt:4"));
	assert_non_null(strstr(e.msg, "not closed"));
	plan_free(&p);
}

static void
test_install4j_varfile(void **state)
{
	struct plan p;
	struct es_err e;

	(void)state;
	plan_init(&p);
	assert_true(parse(&p,
	    "# install4j response file for Rapid7 Security Console\n"
	    "sys.component.engine$Boolean=true\n"
	    "sys.component.typical$Boolean=false\n"
	    "communicationDirectionChoice$Integer=1\n"
	    "sys.installationDir=C\\:\\\\Program Files\\\\Rapid7\\\\Nexpose\n"
	    "initService$Boolean=false\n"
	    "firstname=J\\u00f6rg\n"
	    "lastname=Smith\n"
	    "company=Example\n"
	    "sys.languageId=en\n"
	    "sys.adminRights$Boolean=true\n"
	    "createDesktopLinkAction$Boolean=false\n"
	    "registrationRequired$Integer=0\n"
	    "sys.programGroupDisabled$Boolean=true\n", &e));
	assert_string_equal(plan_get(&p, PK_COMPONENT), "engine");
	assert_string_equal(plan_get(&p, PK_COMMUNICATION), "console-to-engine");
	assert_string_equal(plan_get(&p, PK_INSTALL_DIR),
	    "C:\\Program Files\\Rapid7\\Nexpose");
	assert_string_equal(plan_get(&p, PK_START_SERVICE), "no");
	assert_string_equal(plan_get(&p, PK_FIRST_NAME), "J\xc3\xb6rg");
	plan_free(&p);
}

static void
test_install4j_bad_values(void **state)
{
	struct plan p;
	struct es_err e;

	(void)state;
	plan_init(&p);
	assert_false(parse(&p, "communicationDirectionChoice$Integer=2\n", &e));
	assert_non_null(strstr(e.msg, "expected 0 or 1"));
	plan_free(&p);
	plan_init(&p);
	assert_false(parse(&p, "sys.component.engine$Boolean=true\n"
	    "sys.component.typical$Boolean=true\n", &e));
	assert_non_null(strstr(e.msg, "duplicate"));
	plan_free(&p);
}

static void
test_set_wins_over_file(void **state)
{
	struct plan p;
	struct es_err e;

	(void)state;
	plan_init(&p);
	err_clear(&e);
	assert_true(answers_set_arg(&p, "component=console", PLAN_SRC_SET, &e));
	assert_true(parse(&p, "component = engine\n", &e));
	assert_string_equal(plan_get(&p, PK_COMPONENT), "console");
	/* install4j -V form with a $Type suffix. */
	assert_true(answers_set_arg(&p, "initService$Boolean=true",
	    PLAN_SRC_SET, &e));
	assert_string_equal(plan_get(&p, PK_START_SERVICE), "yes");
	assert_false(answers_set_arg(&p, "=x", PLAN_SRC_SET, &e));
	plan_free(&p);
}

static void
test_validate_values(void **state)
{
	static const char *bad[] = {
		"accept_license = no\n",
		"component = scanner\n",
		"install_dir = relative/path\n",
		"install_dir = /opt/../etc\n",
		"first_name = Robert'); DROP\n",
		"company = \n",
		"communication = both\n",
		"engine_port = 0\n",
		"engine_port = 65536\n",
		"console_port = 12ab\n",
		"pair_now = maybe\n",
		"console_address = bad host!\n",
		"console_address = 300.1.1.1\n",
		"console_fingerprint = sha256:abcd\n",
		"shared_secret = too-short\n",
		"console_admin_user = has space\n",
		"proxy = ftp://x:1\n",
		"start_service = true\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct plan p;
		struct es_err e;
		struct plan_validate_opts o = { false, false, NULL };

		plan_init(&p);
		assert_true(parse(&p, bad[i], &e));
		err_clear(&e);
		if (plan_validate(&p, &o, &e))
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(e.code, ES_EUSAGE);
		assert_non_null(strstr(e.msg, "answers.txt:1"));
		plan_free(&p);
	}
}

static void
test_validate_good_values(void **state)
{
	struct plan p;
	struct es_err e;
	struct plan_validate_opts o = { true, false, NULL };

	(void)state;
	plan_init(&p);
	assert_true(parse(&p,
	    "accept_license = yes\n"
	    "first_name = Zo\xc3\xab\n"
	    "last_name = O Brien 3\n"
	    "company = Example 42\n"
	    "pair_now = yes\n"
	    "console_address = [2001:db8::1]\n"
	    "shared_secret = abcd-1234-EFGH-5678-ijkl-9012-MNOP-3456\n"
	    "console_fingerprint = sha256:"
	    "93d8874c8c86f0fc893dbe15c765ffa0fcd342f798dbf669e08f8cbe095d230c\n"
	    "proxy = http://proxy.example.com:3128\n", &e));
	err_clear(&e);
	assert_true(plan_validate(&p, &o, &e));
	plan_free(&p);

	plan_init(&p);
	assert_true(parse(&p, "console_address = 192.0.2.10\n", &e));
	o.silent = false;
	assert_true(plan_validate(&p, &o, &e));
	plan_free(&p);
	plan_init(&p);
	assert_true(parse(&p, "console_address = ::ffff:192.0.2.1\n", &e));
	assert_true(plan_validate(&p, &o, &e));
	plan_free(&p);
}

static void
test_validate_required(void **state)
{
	struct plan p;
	struct es_err e;
	struct plan_validate_opts o = { true, false, NULL };

	(void)state;
	plan_init(&p);
	assert_true(parse(&p, "component = console\n", &e));
	err_clear(&e);
	assert_false(plan_validate(&p, &o, &e));
	assert_non_null(strstr(e.msg, "'accept_license'"));
	assert_non_null(strstr(e.msg, "'first_name'"));
	assert_non_null(strstr(e.msg, "'last_name'"));
	assert_non_null(strstr(e.msg, "'company'"));
	assert_non_null(strstr(e.msg, "'console_admin_user'"));
	assert_non_null(strstr(e.msg, "'console_admin_password_file'"));
	plan_free(&p);

	/* -q implies the licence; engine-to-console pairing needs an address. */
	plan_init(&p);
	assert_true(parse(&p, "first_name=A\nlast_name=B\ncompany=C\n", &e));
	o.license_implied = true;
	err_clear(&e);
	assert_false(plan_validate(&p, &o, &e));
	assert_null(strstr(e.msg, "accept_license"));
	assert_non_null(strstr(e.msg, "'console_address'"));
	plan_free(&p);
}

static void
test_passwords_must_match(void **state)
{
	struct plan p;
	struct es_err e;
	struct plan_validate_opts o = { false, false, NULL };

	(void)state;
	plan_init(&p);
	assert_true(parse(&p, "password1=secret-one\npassword2=secret-two\n",
	    &e));
	err_clear(&e);
	assert_false(plan_validate(&p, &o, &e));
	assert_non_null(strstr(e.msg, "differ"));
	assert_null(strstr(e.msg, "secret-one"));
	plan_free(&p);
}

static void
test_write_round_trip_without_secrets(void **state)
{
	struct plan p, q;
	struct es_err e;
	char *text, *text2;

	(void)state;
	plan_init(&p);
	assert_true(parse(&p,
	    "accept_license = yes\n"
	    "first_name = \"Quote \\\" and # hash\"\n"
	    "last_name = B\n"
	    "company = C\n"
	    "shared_secret = ABCD1234EFGH5678IJKL9012MNOP3456\n"
	    "password1 = hunter2hunter2\n"
	    "password2 = hunter2hunter2\n", &e));
	text = plan_write(&p);
	assert_null(strstr(text, "ABCD1234"));
	assert_null(strstr(text, "hunter2"));
	plan_init(&q);
	assert_true(answers_parse(&q, text, strlen(text), "rec", PLAN_SRC_FILE,
	    &e));
	assert_string_equal(plan_get(&q, PK_FIRST_NAME), "Quote \" and # hash");
	text2 = plan_write(&q);
	assert_string_equal(text, text2);
	free(text);
	free(text2);
	plan_free(&p);
	plan_free(&q);
}

static void
test_canonical(void **state)
{
	struct plan p, q;
	struct es_err e;
	char *a, *b;

	(void)state;
	plan_init(&p);
	plan_init(&q);
	assert_true(parse(&p, "first_name=A\nlast_name=B\ncompany=C\n"
	    "start_service = no\n", &e));
	assert_true(parse(&q, "first_name = A\nlast_name = B\ncompany = C\n"
	    "component = engine\n", &e));
	a = plan_canonical(&p);
	b = plan_canonical(&q);
	assert_string_equal(a, b);
	free(b);
	plan_free(&q);
	plan_init(&q);
	assert_true(parse(&q, "first_name=A\nlast_name=B\ncompany=C\n"
	    "communication = console-to-engine\n", &e));
	b = plan_canonical(&q);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	plan_free(&p);
	plan_free(&q);
}

static void
test_load_file(void **state)
{
	struct fixture *f = *state;
	struct plan p;
	struct es_err e;
	char *path;

	fixture_write(f, "a.varfile", "\xef\xbb\xbf" "consoleAddress=10.1.2.3\n"
	    "consoleDetailPort=40999\n");
	path = fixture_path(f, "a.varfile");
	plan_init(&p);
	err_clear(&e);
	assert_true(answers_load(&p, path, PLAN_SRC_FILE, &e));
	assert_string_equal(plan_get(&p, PK_CONSOLE_ADDRESS), "10.1.2.3");
	assert_int_equal(plan_port(&p, PK_CONSOLE_PORT), 40999);
	plan_free(&p);
	free(path);

	path = fixture_path(f, "missing");
	plan_init(&p);
	err_clear(&e);
	assert_false(answers_load(&p, path, PLAN_SRC_FILE, &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_non_null(strstr(e.msg, "missing"));
	plan_free(&p);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_syntax),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_unknown_key_suggests),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_install4j_varfile),
		cmocka_unit_test(test_install4j_bad_values),
		cmocka_unit_test(test_set_wins_over_file),
		cmocka_unit_test(test_validate_values),
		cmocka_unit_test(test_validate_good_values),
		cmocka_unit_test(test_validate_required),
		cmocka_unit_test(test_passwords_must_match),
		cmocka_unit_test(test_write_round_trip_without_secrets),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test_setup_teardown(test_load_file, fixture_setup,
		    fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
