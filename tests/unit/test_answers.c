/* Unit tests of the answers parser (installer/answers.c) and plan
 * validation (installer/plan.c). */
#include "fixture.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "log.h"
#include "plan.h"
#include "rules_windows.h"
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

/* What install4j writes on Windows, as a .properties file: CRLF line
 * ends, '\' and ':' escaped, a value continued on the next line, a
 * character beyond U+FFFF as a surrogate pair. */
static void
test_install4j_properties_escapes(void **state)
{
	struct plan p;
	struct es_err e;

	(void)state;
	plan_init(&p);
	assert_true(parse(&p,
	    "sys.installationDir=C\\:\\\\Program Files\\\\\\\r\n"
	    "    Rapid7\\\\Nexpose\r\n"
	    "firstname=J\\u00f6rg\\uD83D\\uDE00\r\n"
	    "lastname=Back\\\\\\\\\r\n", &e));
	assert_string_equal(plan_get(&p, PK_INSTALL_DIR),
	    "C:\\Program Files\\Rapid7\\Nexpose");
	assert_string_equal(plan_get(&p, PK_FIRST_NAME),
	    "J\xc3\xb6rg\xf0\x9f\x98\x80");
	/* An even number of backslashes ends the line. */
	assert_string_equal(plan_get(&p, PK_LAST_NAME), "Back\\\\");
	plan_free(&p);
	plan_init(&p);
	assert_false(parse(&p, "firstname=a\\uDE00b\n", &e));
	assert_non_null(strstr(e.msg, "bad backslash escape"));
	plan_free(&p);
	plan_init(&p);
	assert_false(parse(&p, "firstname=a\\uD83Db\n", &e));
	assert_non_null(strstr(e.msg, "bad backslash escape"));
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
	    "last_name = O'Brien-Smith 3\n"
	    "company = AT&T, Inc. (Example/42)\n"
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

/* Validate one answer given as KEY=VALUE with --set (no quoting), with
 * --root root; the message, when refused, is in e. */
static bool
validate_one(struct plan *p, const char *key, const char *value,
    const char *root, struct es_err *e)
{
	struct plan_validate_opts o = { false, false, root };

	plan_init(p);
	err_clear(e);
	assert_true(plan_set(p, key, value, PLAN_SRC_SET, NULL, 0, e));
	return plan_validate(p, &o, e);
}

/* A string of n copies of s. */
static char *
repeat(const char *s, size_t n)
{
	struct sbuf b;
	size_t i;

	sbuf_init(&b);
	sbuf_add(&b, "");
	for (i = 0; i < n; i++)
		sbuf_add(&b, s);
	return sbuf_detach(&b);
}

/* Values that name the same folder are one form in the plan, in what
 * --record writes and in the canonical answers a re-run compares. */
/* A Windows install_dir from a varfile, an answers file (unquoted, or
 * quoted with '\\') and --set ends up in the core's form, with the
 * Windows rules. */
static void
test_install_dir_windows(void **state)
{
	static const char *const files[] = {
		"sys.installationDir=c\\:\\\\Program Files\\\\Rapid7\\\\"
		    "Nexpose\\\\\r\n",
		"install_dir = C:\\Program Files\\Rapid7\\Nexpose\n",
		"install_dir = \"C:\\\\Program Files\\\\Rapid7\\\\Nexpose\"\n",
		"install_dir = C:/Program Files/Rapid7//Nexpose/\n",
	};
	struct plan_validate_opts o = { false, false, NULL };
	struct plan p;
	struct es_err e;
	size_t i;
	char *text;

	(void)state;
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		plan_init(&p);
		if (!parse(&p, files[i], &e))
			fail_msg("%s: %s", files[i], e.msg);
		if (!plan_validate(&p, &o, &e))
			fail_msg("%s: %s", files[i], e.msg);
		assert_string_equal(plan_get(&p, PK_INSTALL_DIR),
		    "C:/Program Files/Rapid7/Nexpose");
		text = plan_write(&p);
		assert_non_null(strstr(text,
		    "install_dir = C:/Program Files/Rapid7/Nexpose\n"));
		free(text);
		plan_free(&p);
	}
	assert_false(validate_one(&p, "install_dir", "\\\\srv\\share\\x",
	    NULL, &e));
	assert_non_null(strstr(e.msg, "expected an absolute path"));
	plan_free(&p);
	assert_false(validate_one(&p, "install_dir", "C:\\", NULL, &e));
	assert_non_null(strstr(e.msg, "not the root folder ('C:/'"));
	plan_free(&p);
}

static void
test_install_dir_normal_form(void **state)
{
	static const char *const same[][2] = {
		{ "/opt/x", "/opt/x" },
		{ "/opt/x/", "/opt/x" },
		{ "/opt//x", "/opt/x" },
		{ "/opt/x/.", "/opt/x" },
		{ "/opt/./x/", "/opt/x" },
		{ "//opt///x//", "/opt/x" },
		{ "/opt/x/./.", "/opt/x" },
		{ "/opt/..x/x..", "/opt/..x/x.." },
		{ "/opt/my engine", "/opt/my engine" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof same / sizeof same[0]; i++) {
		struct plan p, q;
		struct es_err e;
		char *text, *a, *b, want[64];

		if (!validate_one(&p, "install_dir", same[i][0], NULL, &e))
			fail_msg("refused %s: %s", same[i][0], e.msg);
		assert_string_equal(plan_get(&p, PK_INSTALL_DIR), same[i][1]);
		text = plan_write(&p);
		snprintf(want, sizeof want, "install_dir = %s\n", same[i][1]);
		assert_non_null(strstr(text, want));
		free(text);
		/* An older record that kept the value as given. */
		plan_init(&q);
		assert_true(plan_set(&q, "install_dir", same[i][0],
		    PLAN_SRC_FILE, "answers", 1, &e));
		a = plan_canonical(&p);
		b = plan_canonical(&q);
		assert_string_equal(a, b);
		free(a);
		free(b);
		plan_free(&q);
		plan_free(&p);
	}
}

/* Every install_dir the install cannot use is refused with the key named
 * and the reason, the value shown with its control characters escaped. */
static void
test_install_dir_refused(void **state)
{
	static const char *const bad[][2] = {
		{ "/", "not the root folder" },
		{ "//", "not the root folder" },
		{ "/.", "not the root folder" },
		{ "/./", "not the root folder" },
		{ "///.//.", "not the root folder" },
		{ "/opt/x/..", "without '..' parts" },
		{ "/opt/../x", "without '..' parts" },
		{ "opt/x", "an absolute path" },
		{ "", "an absolute path" },
		{ "./x", "an absolute path" },
		{ "/opt/x\ny", "without control characters" },
		{ "/opt/\tx", "without control characters" },
		{ "/opt/x\x7f", "without control characters" },
		{ "/opt/\x1b[2J", "without control characters" },
		{ "/opt/a\"b", "without quotes or backslashes" },
		{ "/opt/a'b", "without quotes or backslashes" },
		{ "/opt/a\\b", "without quotes or backslashes" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct plan p;
		struct es_err e;

		if (validate_one(&p, "install_dir", bad[i][0], NULL, &e))
			fail_msg("accepted install_dir '%s'", bad[i][0]);
		assert_int_equal(e.code, ES_EUSAGE);
		assert_non_null(strstr(e.msg, "bad value for 'install_dir'"));
		if (strstr(e.msg, bad[i][1]) == NULL)
			fail_msg("'%s': message lacks '%s': %s", bad[i][0],
			    bad[i][1], e.msg);
		assert_null(strchr(e.msg, '\n'));
		plan_free(&p);
	}
	{
		struct plan p;
		struct es_err e;

		assert_false(validate_one(&p, "install_dir", "/opt/x\ny", NULL,
		    &e));
		assert_non_null(strstr(e.msg, "'/opt/x\\ny'"));
		plan_free(&p);
	}
}

/* A path of total bytes (at least 971): three folder names of 255 bytes,
 * one of 200, and the last one what is left. */
static char *
deep_path(size_t total)
{
	char *n255 = repeat("a", 255), *c = repeat("c", 200);
	char *d = repeat("d", total - 5 - 3 * 255 - 200);
	char *path = xasprintf("/%s/%s/%s/%s/%s", n255, n255, n255, c, d);

	free(n255);
	free(c);
	free(d);
	return path;
}

/* The length limits, at the limit and one past it: NAME_MAX for every
 * folder name, NAME_MAX less the staging suffix for the last one,
 * PLAN_INSTALL_DIR_MAX in all, and PATH_MAX less the reserve with --root. */
static void
test_install_dir_lengths(void **state)
{
	struct plan p;
	struct es_err e;
	char *n255 = repeat("a", 255), *n256 = repeat("a", 256);
	char *last = repeat("b", 255 - PLAN_STAGING_EXTRA);
	char *last1 = repeat("b", 256 - PLAN_STAGING_EXTRA);
	char *dir, *root;

	(void)state;
	/* 255 in the middle. */
	dir = xasprintf("/%s/x", n255);
	assert_true(validate_one(&p, "install_dir", dir, NULL, &e));
	plan_free(&p);
	free(dir);
	dir = xasprintf("/%s/x", n256);
	assert_false(validate_one(&p, "install_dir", dir, NULL, &e));
	assert_non_null(strstr(e.msg, "at most 255 bytes (NAME_MAX)"));
	plan_free(&p);
	free(dir);
	/* The last name: its staging folder must fit NAME_MAX. */
	dir = xasprintf("/opt/%s", last);
	assert_true(validate_one(&p, "install_dir", dir, NULL, &e));
	plan_free(&p);
	free(dir);
	dir = xasprintf("/opt/%s", last1);
	assert_false(validate_one(&p, "install_dir", dir, NULL, &e));
	assert_non_null(strstr(e.msg, "a last folder name of at most 234 "
	    "bytes (it is 235)"));
	assert_non_null(strstr(e.msg, ".es-staging-"));
	plan_free(&p);
	free(dir);
	/* 1024 bytes in all (after normalisation), and 1025. */
	dir = deep_path(1024);
	assert_int_equal(strlen(dir), 1024);
	assert_true(validate_one(&p, "install_dir", dir, NULL, &e));
	plan_free(&p);
	{
		char *slash = xasprintf("%s/", dir);

		assert_true(validate_one(&p, "install_dir", slash, NULL, &e));
		assert_string_equal(plan_get(&p, PK_INSTALL_DIR), dir);
		plan_free(&p);
		free(slash);
	}
	free(dir);
	dir = deep_path(1025);
	assert_int_equal(strlen(dir), 1025);
	assert_false(validate_one(&p, "install_dir", dir, NULL, &e));
	assert_non_null(strstr(e.msg, "at most 1024 bytes"));
	plan_free(&p);
	free(dir);
	/* With --root: root and install_dir together at most 4095 - 1024. */
	dir = deep_path(1024);
	{
		size_t fit = 4096 - 1 - PLAN_PATH_RESERVE - strlen(dir);
		char *r = repeat("r", fit - 1);

		root = xasprintf("/%s/", r);   /* a trailing '/' is not counted */
		assert_true(validate_one(&p, "install_dir", dir, root, &e));
		plan_free(&p);
		free(root);
		free(r);
		r = repeat("r", fit);
		root = xasprintf("/%s", r);
		assert_false(validate_one(&p, "install_dir", dir, root, &e));
		assert_non_null(strstr(e.msg, "under --root it is 3072 bytes "
		    "long with the root folder, and at most 3071 fit"));
		plan_free(&p);
		/* The default install_dir is checked against --root too. */
		free(root);
		root = xasprintf("/%s/%s", r, r);
		assert_false(validate_one(&p, "engine_name", "x", root, &e));
		assert_non_null(strstr(e.msg, "the default install_dir "
		    "'/opt/rapid7/nexpose' cannot be used"));
		plan_free(&p);
		free(root);
		free(r);
	}
	free(dir);
	free(n255);
	free(n256);
	free(last);
	free(last1);
}

/* engine_name: the certificate's OU is "Scan Engine <name>", at most 64
 * characters (X.520): 52 characters of name, counted as characters. */
static void
test_engine_name_limits(void **state)
{
	static const char *const bad_utf8[] = {
		"scanner\x01",            /* C0 control */
		"scanner\x7f",            /* DEL */
		"scanner\xc2\x85",        /* C1 control, NEL */
		"scanner\xc0\xaf",        /* overlong '/' */
		"scanner\xe0\x80\xaf",    /* overlong '/' */
		"scanner\xed\xa0\x80",    /* a surrogate */
		"scanner\xef\xbf\xbf",    /* U+FFFF */
		"scanner\xf4\x90\x80\x80",/* past U+10FFFF */
		"scanner\xff",
	};
	struct plan p;
	struct es_err e;
	char *name;
	size_t i;

	(void)state;
	assert_int_equal(PLAN_ENGINE_NAME_MAX, 52);
	assert_int_equal(strlen(PLAN_ENGINE_UNIT) + PLAN_ENGINE_NAME_MAX, 64);
	/* OU of 63 and 64 characters: accepted; 65: refused. */
	for (i = 51; i <= 53; i++) {
		bool ok;

		name = repeat("e", i);
		ok = validate_one(&p, "engine_name", name, NULL, &e);
		assert_int_equal(ok, i <= 52);
		if (!ok) {
			assert_non_null(strstr(e.msg, "bad value for "
			    "'engine_name'"));
			assert_non_null(strstr(e.msg, "1-52 printable "
			    "characters"));
			assert_non_null(strstr(e.msg, "\"Scan Engine <name>\""));
		}
		plan_free(&p);
		free(name);
		/* Two bytes a character: characters count, not bytes. */
		name = repeat("\xc3\xa9", i);
		assert_int_equal(validate_one(&p, "engine_name", name, NULL,
		    &e), i <= 52);
		plan_free(&p);
		free(name);
	}
	name = repeat("\xf0\x9f\x94\x8d", 52);
	assert_true(validate_one(&p, "engine_name", name, NULL, &e));
	plan_free(&p);
	free(name);
	for (i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
		if (validate_one(&p, "engine_name", bad_utf8[i], NULL, &e))
			fail_msg("accepted engine_name #%zu", i);
		plan_free(&p);
	}
}

/* A host name longer than an engine name may be is cut for the default. */
static void
test_engine_name_default_cut(void **state)
{
	struct plan p;
	struct es_err e;
	struct plan_validate_opts o = { false, false, NULL };
	char *host = repeat("h", 64);

	(void)state;
	plan_init(&p);
	plan_apply_defaults(&p, host);
	assert_int_equal(strlen(plan_get(&p, PK_ENGINE_NAME)), 52);
	err_clear(&e);
	assert_true(plan_validate(&p, &o, &e));
	plan_free(&p);
	free(host);
}

/* first_name, last_name, company: 64 characters (X.520 CN and O). */
static void
test_subject_name_limits(void **state)
{
	static const enum plan_key keys[] = { PK_FIRST_NAME, PK_LAST_NAME,
	    PK_COMPANY };
	struct plan p;
	struct es_err e;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		const char *k = plan_keyinfo(keys[i])->name;
		char *v64 = repeat("\xc3\xbc", 64), *v65 = repeat("u", 65);

		assert_true(validate_one(&p, k, v64, NULL, &e));
		plan_free(&p);
		assert_false(validate_one(&p, k, v65, NULL, &e));
		assert_non_null(strstr(e.msg, k));
		plan_free(&p);
		assert_false(validate_one(&p, k, "Ada\xc2\x85", NULL, &e));
		plan_free(&p);
		free(v64);
		free(v65);
	}
}

/* The product's Chef template: proxyHost and proxyPort (empty when no
 * proxy is configured) and requirePasswordChange$Boolean in every
 * response file. */
static void
test_install4j_chef_proxy(void **state)
{
	struct plan_validate_opts vo;
	struct plan p;
	struct es_err e;

	(void)state;
	memset(&vo, 0, sizeof vo);
	plan_init(&p);
	assert_true(parse(&p, "proxyHost=\nproxyPort=\n"
	    "requirePasswordChange$Boolean=false\n", &e));
	assert_non_null(strstr(log_text(), "answers.txt:3: install4j answer "
	    "'requirePasswordChange$Boolean' accepted and ignored"));
	assert_true(plan_validate(&p, &vo, &e));
	assert_null(plan_get(&p, PK_PROXY));
	assert_false(plan_is_set(&p, PK_PROXY_HOST));
	plan_free(&p);

	plan_init(&p);
	assert_true(parse(&p, "proxyHost=proxy.example.com\nproxyPort=3128\n",
	    &e));
	assert_true(plan_validate(&p, &vo, &e));
	assert_string_equal(plan_get(&p, PK_PROXY),
	    "http://proxy.example.com:3128");
	assert_string_equal(p.origin[PK_PROXY].as, "proxyHost");
	assert_int_equal(p.origin[PK_PROXY].line, 1);
	plan_free(&p);

	/* One without the other names the missing one. */
	plan_init(&p);
	assert_true(parse(&p, "proxyHost=proxy.example.com\n", &e));
	assert_false(plan_validate(&p, &vo, &e));
	assert_int_equal(e.code, ES_EUSAGE);
	assert_non_null(strstr(e.msg, "answers.txt:1: proxyHost is given "
	    "without proxyPort"));
	plan_free(&p);
	plan_init(&p);
	assert_true(parse(&p, "proxyPort=3128\n", &e));
	assert_false(plan_validate(&p, &vo, &e));
	assert_non_null(strstr(e.msg, "proxyPort is given without proxyHost"));
	plan_free(&p);

	/* An explicit proxy: a higher source wins; the same level must
	 * agree. */
	plan_init(&p);
	err_clear(&e);
	assert_true(answers_set_arg(&p, "proxy=http://set.example.com:80",
	    PLAN_SRC_SET, &e));
	assert_true(parse(&p, "proxyHost=proxy.example.com\nproxyPort=3128\n",
	    &e));
	assert_true(plan_validate(&p, &vo, &e));
	assert_string_equal(plan_get(&p, PK_PROXY), "http://set.example.com:80");
	plan_free(&p);
	plan_init(&p);
	assert_true(parse(&p, "proxyHost=proxy.example.com\nproxyPort=3128\n"
	    "proxy = http://other.example.com:3128\n", &e));
	assert_false(plan_validate(&p, &vo, &e));
	assert_non_null(strstr(e.msg, "give the proxy once"));
	plan_free(&p);
	plan_init(&p);
	assert_true(parse(&p, "proxyHost=proxy.example.com\nproxyPort=3128\n"
	    "proxy = http://proxy.example.com:3128/\n", &e));
	assert_true(plan_validate(&p, &vo, &e));
	plan_free(&p);
	/* An IPv6 host gets brackets. */
	plan_init(&p);
	assert_true(parse(&p, "proxyHost=2001:db8::1\nproxyPort=8080\n", &e));
	assert_true(plan_validate(&p, &vo, &e));
	assert_string_equal(plan_get(&p, PK_PROXY), "http://[2001:db8::1]:8080");
	plan_free(&p);
	log_close();
}

/* Parse text, validate it, and expect console_address to be kept. */
static void
expect_address(const char *text, const char *kept)
{
	struct plan_validate_opts vo = { false, false, "/" };
	struct plan p;
	struct es_err e;

	plan_init(&p);
	assert_true(parse(&p, text, &e));
	assert_true(plan_validate(&p, &vo, &e));
	assert_string_equal(plan_get(&p, PK_CONSOLE_ADDRESS), kept);
	plan_free(&p);
}

/* An address as typed is kept in one normal form (addr_normal), from an
 * answers file, an install4j varfile and the front ends alike, so that
 * "[::1]" never reaches consoles.xml with its brackets. */
static void
test_console_address_normal_form(void **state)
{
	static const struct { const char *typed, *kept; } cases[] = {
		{ "::1", "::1" },
		{ "[::1]", "::1" },
		{ "0:0:0:0:0:0:0:1", "::1" },
		{ "[FD00:0:0::0005]", "fd00::5" },
		{ "127.0.0.1", "127.0.0.1" },
		{ "LocalHost", "localhost" },
		{ "Console.Example.COM", "console.example.com" },
	};
	struct plan_validate_opts vo = { false, false, "/" };
	struct plan p;
	struct es_err e;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		text = xasprintf("console_address = %s\n", cases[i].typed);
		expect_address(text, cases[i].kept);
		free(text);
		text = xasprintf("consoleAddress=%s\n", cases[i].typed);
		expect_address(text, cases[i].kept);
		free(text);

		plan_init(&p);
		plan_replace(&p, PK_CONSOLE_ADDRESS, cases[i].typed);
		assert_string_equal(plan_get(&p, PK_CONSOLE_ADDRESS),
		    cases[i].kept);
		plan_free(&p);
	}
	/* What is not an address is refused as typed. */
	plan_init(&p);
	assert_true(parse(&p, "console_address = [console]\n", &e));
	assert_false(plan_validate(&p, &vo, &e));
	assert_non_null(strstr(e.msg, "[console]"));
	plan_free(&p);
}

/* Whether name occurs in text as a word of its own: not inside a longer
 * key ("proxy" in "proxyHost"). */
static bool
has_word(const char *text, const char *name)
{
	const char *at = text;
	size_t n = strlen(name);

	while ((at = strstr(at, name)) != NULL) {
		char before = at == text ? ' ' : at[-1];
		char after = at[n];

		if (!isalnum((unsigned char)before) && before != '_' &&
		    before != '.' && !isalnum((unsigned char)after) &&
		    after != '_')
			return true;
		at += n;
	}
	return false;
}

/* The manual page (docs/engine-setup.1) names every answers key the code
 * takes: the canonical keys and every install4j name. */
static void
test_every_key_in_the_man_page(void **state)
{
	char *man;
	const char *name;
	size_t len, i;
	int k;

	(void)state;
	man = fixture_read(ES_SOURCE_DIR "/docs/engine-setup.1", &len);
	assert_non_null(man);
	for (k = 0; k < PK_COUNT; k++) {
		name = plan_keyinfo((enum plan_key)k)->name;
		if (!has_word(man, name))
			fail_msg("docs/engine-setup.1 lacks the key %s", name);
	}
	for (i = 0; (name = plan_alias_name(i)) != NULL; i++)
		if (!has_word(man, name))
			fail_msg("docs/engine-setup.1 lacks the install4j name %s",
			    name);
	assert_true(i > 10);
	free(man);
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
		cmocka_unit_test(test_install4j_properties_escapes),
		cmocka_unit_test_setup_teardown(test_install_dir_windows,
		    rules_windows_setup, rules_windows_teardown),
		cmocka_unit_test(test_set_wins_over_file),
		cmocka_unit_test(test_validate_values),
		cmocka_unit_test(test_validate_good_values),
		cmocka_unit_test(test_validate_required),
		cmocka_unit_test(test_passwords_must_match),
		cmocka_unit_test(test_write_round_trip_without_secrets),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_install_dir_normal_form),
		cmocka_unit_test(test_install_dir_refused),
		cmocka_unit_test(test_install_dir_lengths),
		cmocka_unit_test(test_engine_name_limits),
		cmocka_unit_test(test_engine_name_default_cut),
		cmocka_unit_test(test_subject_name_limits),
		cmocka_unit_test_setup_teardown(test_load_file, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test(test_install4j_chef_proxy),
		cmocka_unit_test(test_console_address_normal_form),
		cmocka_unit_test(test_every_key_in_the_man_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
