/* Unit tests of the status facts as JSON and exit codes
 * (installer/status.c): status_json() over a struct status made by hand,
 * as docs/status.md describes the object. */
#include "fixture.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "util.h"

/* An installed Engine-to-Console engine with one console of each kind. */
static void
make_status(struct status *st)
{
	struct console_entry *en;

	memset(st, 0, sizeof *st);
	record_init(&st->rec);
	st->installed = true;
	st->rec.product = xstrdup("Nexpose");
	st->rec.version = xstrdup("7.3.1");
	st->rec.component = xstrdup("engine");
	st->rec.install_dir = xstrdup("/opt/rapid7/nexpose");
	st->rec.installed_at = xstrdup("2026-11-30T14:14:37Z");
	st->rec.engine_id = xstrdup("3728d8fc-5de0-4bbe-9a08-57f1aabb96a7");
	/* A name with a byte that is not UTF-8 and a control character. */
	st->engine.name = xstrdup("scan\xff" "ner\x1b");
	st->engine.communication = xstrdup("engine-to-console");
	strcpy(st->engine.fingerprint, "sha256:ab");
	strcpy(st->engine.not_after, "2036-11-27T14:14:36Z");
	st->nservices = 1;
	st->services = xcalloc(2, sizeof *st->services);
	st->services[0].name = xstrdup("nexposeengine");
	strcpy(st->services[0].state, "inactive");
	st->services[0].enabled = -1;
	st->consoles_read = true;
	st->consoles.cap = st->consoles.n = 2;
	st->consoles.v = xcalloc(2, sizeof *st->consoles.v);
	en = &st->consoles.v[0];
	en->id = xstrdup("1");
	en->enabled = false;
	en->name = xstrdup("Main \"Console\"");
	en->last_address = xstrdup("10.0.0.5");
	en->port = xstrdup("40815x");
	en = &st->consoles.v[1];
	en->id = xstrdup("2");
	en->enabled = true;
	en->connect_to = true;
	en->last_address = xstrdup("192.0.2.7");
	en->port = xstrdup("40815");
	en->spki = xstrdup("sha256:cd");
}

/* The object of status_json(st), parsed back. */
static cJSON *
parsed(const struct status *st)
{
	char *text = status_json(st, "/");
	cJSON *o;

	assert_non_null(text);
	assert_null(strchr(text, '\n'));
	o = cJSON_Parse(text);
	cJSON_free(text);
	assert_non_null(o);
	return o;
}

static const cJSON *
get(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	assert_non_null(v);
	return v;
}

static void
test_json_installed(void **state)
{
	struct status st;
	const cJSON *e, *c, *p;
	cJSON *o;

	(void)state;
	make_status(&st);
	status_add_problem(&st, STATUS_P_NOT_PAIRED, "No console %d.", 1);
	o = parsed(&st);
	assert_int_equal(get(o, "schema")->valueint, STATUS_SCHEMA);
	assert_true(cJSON_IsTrue(get(o, "installed")));
	assert_string_equal(get(o, "root")->valuestring, "/");
	assert_string_equal(get(o, "version")->valuestring, "7.3.1");
	assert_true(cJSON_IsNull(get(o, "run_pid")));
	e = get(o, "engine");
	/* Valid UTF-8: the stray byte is U+FFFD; the escape is escaped. */
	assert_string_equal(get(e, "name")->valuestring,
	    "scan\xef\xbf\xbdner\x1b");
	assert_true(cJSON_IsNull(get(e, "port")));
	assert_string_equal(get(e, "fingerprint")->valuestring, "sha256:ab");
	assert_string_equal(get(e, "not_after")->valuestring,
	    "2036-11-27T14:14:36Z");
	assert_true(cJSON_IsNull(get(get(o, "service"), "enabled")));
	assert_string_equal(get(get(o, "service"), "state")->valuestring,
	    "inactive");
	assert_int_equal(cJSON_GetArraySize(get(o, "services")), 1);
	/* The readiness hook: null until it is filled. */
	assert_true(cJSON_IsNull(get(o, "ready")));
	c = cJSON_GetArrayItem(get(o, "consoles"), 0);
	assert_string_equal(get(c, "name")->valuestring, "Main \"Console\"");
	assert_true(cJSON_IsNull(get(c, "port")));
	assert_true(cJSON_IsFalse(get(c, "enabled")));
	assert_string_equal(get(c, "state")->valuestring,
	    "pending-authorization");
	assert_string_equal(get(c, "direction")->valuestring,
	    "console-to-engine");
	assert_true(cJSON_IsNull(get(c, "fingerprint")));
	c = cJSON_GetArrayItem(get(o, "consoles"), 1);
	assert_true(cJSON_IsNull(get(c, "name")));
	assert_int_equal(get(c, "port")->valueint, 40815);
	assert_string_equal(get(c, "state")->valuestring, "enabled");
	assert_string_equal(get(c, "direction")->valuestring,
	    "engine-to-console");
	p = cJSON_GetArrayItem(get(o, "problems"), 0);
	assert_string_equal(get(p, "code")->valuestring, "not-paired");
	assert_string_equal(get(p, "message")->valuestring, "No console 1.");
	cJSON_Delete(o);
	assert_int_equal(status_code(&st), STATUS_NEEDS_ATTENTION);
	st.ready = STATUS_READY_YES;
	o = parsed(&st);
	assert_true(cJSON_IsTrue(get(o, "ready")));
	cJSON_Delete(o);
	status_free(&st);
}

static void
test_json_not_installed(void **state)
{
	struct status st;
	cJSON *o;

	(void)state;
	memset(&st, 0, sizeof st);
	record_init(&st.rec);
	assert_int_equal(status_code(&st), STATUS_NOT_INSTALLED);
	o = parsed(&st);
	assert_true(cJSON_IsFalse(get(o, "installed")));
	assert_true(cJSON_IsNull(get(o, "engine")));
	assert_true(cJSON_IsNull(get(o, "service")));
	assert_true(cJSON_IsNull(get(o, "consoles")));
	assert_int_equal(cJSON_GetArraySize(get(o, "services")), 0);
	assert_int_equal(cJSON_GetArraySize(get(o, "problems")), 0);
	cJSON_Delete(o);
	/* Nothing installed, but a problem: it needs attention. */
	status_add_problem(&st, STATUS_P_INTERRUPTED_RUN, "%s", "Cut short.");
	assert_int_equal(status_code(&st), STATUS_NEEDS_ATTENTION);
	status_free(&st);
}

static void
test_code_fine(void **state)
{
	struct status st;

	(void)state;
	make_status(&st);
	assert_int_equal(status_code(&st), 0);
	status_free(&st);
}

/* The JSON's last_checkin: null or the object, for connectTo="1" only. */
static void
test_json_checkin(void **state)
{
	struct status st;
	const cJSON *c, *l;
	cJSON *o;

	(void)state;
	make_status(&st);
	st.checkins = xcalloc(2, sizeof *st.checkins);
	o = parsed(&st);
	c = cJSON_GetArrayItem(get(o, "consoles"), 0);
	assert_null(cJSON_GetObjectItemCaseSensitive(c, "last_checkin"));
	c = cJSON_GetArrayItem(get(o, "consoles"), 1);
	assert_true(cJSON_IsNull(get(c, "last_checkin")));
	cJSON_Delete(o);
	st.checkins[1].seen = true;
	strcpy(st.checkins[1].at, "2026-11-30T14:20:00Z");
	strcpy(st.checkins[1].result, "failed");
	strcpy(st.checkins[1].detail, "timed out");
	o = parsed(&st);
	l = get(cJSON_GetArrayItem(get(o, "consoles"), 1), "last_checkin");
	assert_string_equal(get(l, "at")->valuestring, "2026-11-30T14:20:00Z");
	assert_string_equal(get(l, "result")->valuestring, "failed");
	assert_string_equal(get(l, "detail")->valuestring, "timed out");
	cJSON_Delete(o);
	status_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_installed),
		cmocka_unit_test(test_json_not_installed),
		cmocka_unit_test(test_code_fine),
		cmocka_unit_test(test_json_checkin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
