/* Unit tests of the `install --check --json` object (installer/plancheck.c):
 * its fields for each action and need, and that a secret in the plan
 * never reaches it. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "answers.h"
#include "plancheck.h"
#include "util.h"

#define SECRET "ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456"

/* plancheck_json(pc) parsed; the caller deletes it. */
static cJSON *
parsed(const struct plancheck *pc)
{
	char *text = plancheck_json(pc);
	cJSON *o;

	assert_null(strchr(text, '\n'));
	assert_null(strstr(text, SECRET));
	o = cJSON_Parse(text);
	free(text);
	assert_non_null(o);
	return o;
}

static const char *
str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static bool
is_null(const cJSON *o, const char *name)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* Nothing installed, a plan that pairs with its secret given inline and
 * in a file, requirements met: every field of interface A. */
static void
test_install(void **state)
{
	static const char text[] =
	    "accept_license = yes\ncomponent = engine\nfirst_name = Ada\n"
	    "last_name = Lovelace\ncompany = Example Corp\n"
	    "console_address = 10.0.0.5\nshared_secret = " SECRET "\n"
	    "shared_secret_file = /run/secret\n";
	struct plancheck pc;
	struct manifest m;
	struct plan p;
	struct req_report req;
	struct es_err e;
	cJSON *o, *a, *x;

	(void)state;
	plan_init(&p);
	err_clear(&e);
	assert_true(answers_parse(&p, text, strlen(text), "a.txt",
	    PLAN_SRC_FILE, &e));
	memset(&m, 0, sizeof m);
	m.product = "Nexpose";
	m.version = "7.3.1";
	memset(&req, 0, sizeof req);
	req.n = 1;
	req.item[0].result = REQ_WARN;
	snprintf(req.item[0].name, sizeof req.item[0].name, "CPUs");
	snprintf(req.item[0].measured, sizeof req.item[0].measured, "2");
	snprintf(req.item[0].threshold, sizeof req.item[0].threshold,
	    "at least 1, 4 recommended");
	plancheck_init(&pc);
	pc.compared = true;
	pc.action = PLANCHECK_INSTALL;
	pc.manifest = &m;
	pc.plan = &p;
	pc.root = "/";
	pc.req = &req;
	pc.console = xstrdup("10.0.0.5:40815");
	pc.tested = true;

	o = parsed(&pc);
	assert_int_equal(cJSON_GetObjectItem(o, "schema")->valueint, 1);
	assert_string_equal(str(o, "action"), "install");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "allowed")));
	assert_true(is_null(o, "needs"));
	assert_string_equal(str(o, "product"), "Nexpose");
	assert_string_equal(str(o, "version"), "7.3.1");
	assert_true(is_null(o, "installed"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "differs")),
	    0);
	a = cJSON_GetObjectItem(o, "answers");
	assert_string_equal(str(a, "console_address"), "10.0.0.5");
	assert_string_equal(str(a, "shared_secret_file"), "/run/secret");
	assert_null(cJSON_GetObjectItem(a, "shared_secret"));
	x = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "requirements"), 0);
	assert_string_equal(str(x, "name"), "CPUs");
	assert_string_equal(str(x, "result"), "warn");
	assert_string_equal(str(x, "value"), "2");
	assert_string_equal(str(x, "need"), "at least 1, 4 recommended");
	x = cJSON_GetObjectItem(o, "pairing");
	assert_string_equal(str(x, "console"), "10.0.0.5:40815");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(x, "tested")));
	assert_int_equal(cJSON_GetObjectItem(o, "exit")->valueint, 0);
	assert_true(is_null(o, "error"));
	cJSON_Delete(o);
	plancheck_free(&pc);
	plan_free(&p);
}

/* A refusal: allowed false, what it needs, the installation with its
 * recorded answers under the root, the difference (a secret's without
 * values) and the error. */
static void
test_refused(void **state)
{
	static const struct {
		enum plancheck_needs needs;
		const char *name;
	} cases[] = {
		{ PLANCHECK_NEEDS_OVERWRITE, "overwrite" },
		{ PLANCHECK_NEEDS_ALLOW_DOWNGRADE, "allow-downgrade" },
		{ PLANCHECK_NEEDS_UPGRADE_FIRST, "upgrade-first" },
		{ PLANCHECK_NEEDS_UNINSTALL, "uninstall" },
	};
	struct plancheck pc;
	struct record r;
	struct install_diffs d;
	struct install_diff x[2];
	struct es_err e;
	cJSON *o, *i;
	size_t k;

	(void)state;
	record_init(&r);
	r.product = "Nexpose";
	r.version = "7.4.0";
	r.component = "engine";
	r.install_dir = "/opt/x";
	memset(x, 0, sizeof x);
	x[0].key = "engine_name";
	x[0].installed = "a";
	x[0].now = "b";
	x[0].text = "engine_name: installed 'a', now 'b'";
	x[1].key = "shared_secret";
	x[1].secret = true;
	x[1].installed = SECRET;
	x[1].text = "shared_secret: (differs)";
	d.v = x;
	d.n = d.cap = 2;
	err_clear(&e);
	err_set(&e, ES_EEXISTS, "refused");
	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		plancheck_init(&pc);
		pc.compared = true;
		pc.action = PLANCHECK_OVERWRITE;
		pc.needs = cases[k].needs;
		pc.root = "/srv/root";
		pc.installed = &r;
		pc.diffs = &d;
		pc.exit = ES_EEXISTS;
		plancheck_error(&pc, &e);
		o = parsed(&pc);
		assert_string_equal(str(o, "action"), "overwrite");
		assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "allowed")));
		assert_string_equal(str(o, "needs"), cases[k].name);
		i = cJSON_GetObjectItem(o, "installed");
		assert_string_equal(str(i, "version"), "7.4.0");
		assert_string_equal(str(i, "install_dir"), "/opt/x");
		assert_string_equal(str(i, "answers_file"),
		    "/srv/root/opt/x/.install/answers");
		i = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "differs"), 0);
		assert_string_equal(str(i, "key"), "engine_name");
		assert_string_equal(str(i, "installed"), "a");
		assert_string_equal(str(i, "now"), "b");
		i = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "differs"), 1);
		assert_true(is_null(i, "installed"));
		assert_true(is_null(i, "now"));
		assert_string_equal(str(i, "text"), "shared_secret: (differs)");
		i = cJSON_GetObjectItem(o, "error");
		assert_int_equal(cJSON_GetObjectItem(i, "code")->valueint, 7);
		assert_string_equal(str(i, "message"), "refused.");
		assert_int_equal(cJSON_GetObjectItem(o, "exit")->valueint, 7);
		assert_true(is_null(o, "pairing"));
		cJSON_Delete(o);
		plancheck_free(&pc);
	}
	r.product = r.version = r.component = r.install_dir = NULL;
	record_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
