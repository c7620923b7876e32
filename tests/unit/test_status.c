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

/* status_log_checkin() over the log text given (len: strlen). */
static bool
checkin(const char *log, const char *id, struct status_checkin *c)
{
	return status_log_checkin(log, strlen(log), id, c);
}

static void
test_log_checkin(void **state)
{
	struct status_checkin c;
	const char *log =
	    "2026-11-30T14:19:00Z [INFO] Sample engine started\n"
	    "2026-11-30T14:19:30Z [WARN] Check-in to console 2 at 192.0.2.7 "
	    "port 40815: failed (connect: Connection refused)\n"
	    "2026-11-30T14:20:00Z [INFO] Check-in to console 2 at 192.0.2.7 "
	    "port 40815: active\n"
	    "2026-11-30T14:20:10Z [WARN] Check-in to console 12 at 192.0.2.8 "
	    "port 40815: unknown-engine\n"
	    "2026-11-30T14:20:20Z [WARN] Check-in to console 3 at ::1 "
	    "port 40815: incompatible (console 7.4.0)\n"
	    "2026-11-30T14:20:30Z [WARN] Check-in to console 4 at 10.0.0.1 "
	    "port 1: not contacted (the console's key does not match its "
	    "spki)\n"
	    "2026-11-30T14:20:40Z [WARN] Check-in to console 5 at 10.0.0.1 "
	    "port 40815: failed (TLS (handshake) failed)\n";

	(void)state;
	assert_true(checkin(log, "2", &c));
	assert_string_equal(c.at, "2026-11-30T14:20:00Z");
	assert_string_equal(c.result, "active");
	assert_string_equal(c.detail, "");
	/* "1" is not "12", nor any other id. */
	assert_false(checkin(log, "1", &c));
	assert_false(c.seen);
	assert_true(checkin(log, "12", &c));
	assert_string_equal(c.result, "unknown-engine");
	assert_true(checkin(log, "3", &c));
	assert_string_equal(c.result, "incompatible");
	assert_string_equal(c.detail, "console 7.4.0");
	assert_true(checkin(log, "4", &c));
	assert_string_equal(c.result, "not-contacted");
	assert_true(checkin(log, "5", &c));
	assert_string_equal(c.result, "failed");
	assert_string_equal(c.detail, "TLS (handshake) failed");
	/* The engine writes an id's space as '?': so is it compared. */
	assert_false(checkin("2026-11-30T14:20:00Z [INFO] Check-in to "
	    "console a?b at h port 1: active\n", "a?c", &c));
	assert_true(checkin("2026-11-30T14:20:00Z [INFO] Check-in to "
	    "console a?b at h port 1: active\n", "a b", &c));
}

static void
test_log_checkin_hostile(void **state)
{
	static const char good[] = "2026-11-30T14:20:00Z [INFO] Check-in to "
	    "console 1 at 127.0.0.1 port 40815: active\n";
	struct status_checkin c;
	char *big, nul[256];
	size_t n, len;

	(void)state;
	/* A last line without its newline is not a line (yet). */
	assert_false(checkin("2026-11-30T14:20:00Z [INFO] Check-in to "
	    "console 1 at 127.0.0.1 port 40815: active", "1", &c));
	big = xasprintf("%s2026-11-30T14:21:00Z [WARN] Check-in to console 1 "
	    "at 127.0.0.1 port 40815: unknown-engine", good);
	assert_true(checkin(big, "1", &c));
	assert_string_equal(c.result, "active");
	free(big);
	/* Lines that only look like one: forged after other text, a
	 * wrong level, a bad time, a result with text after it, a port
	 * out of range, a value longer than the engine writes. */
	assert_false(checkin("x 2026-11-30T14:20:00Z [INFO] Check-in to "
	    "console 1 at h port 1: active\n"
	    "2026-11-30T14:20:00Z [INFO] Sample: Check-in to console 1 at h "
	    "port 1: active\n"
	    "2026-11-30T14:20:00Z [WARN] Check-in to console 1 at h port 1: "
	    "active\n"
	    "2026-11-30T14:20:00Z [INFO] Check-in to console 1 at h port 1: "
	    "unknown-engine\n"
	    "2026-13-30T14:20:00Z [INFO] Check-in to console 1 at h port 1: "
	    "active\n"
	    "2026-11-30 14:20:00Z [INFO] Check-in to console 1 at h port 1: "
	    "active\n"
	    "2026-11-30T14:20:00Z [INFO] Check-in to console 1 at h port 1: "
	    "active \n"
	    "2026-11-30T14:20:00Z [INFO] Check-in to console 1 at h port 1: "
	    "active\r\n"
	    "2026-11-30T14:20:00Z [INFO] Check-in to console 1 at h port "
	    "65536: active\n"
	    "2026-11-30T14:20:00Z [INFO] Check-in to console 1  at h port 1: "
	    "active\n"
	    "2026-11-30T14:20:00Z [WARN] Check-in to console 1 at h port 1: "
	    "incompatible (console 7.4 .0)\n"
	    "2026-11-30T14:20:00Z [WARN] Check-in to console 1 at h port 1: "
	    "failed (x\x1b[2J)\n"
	    "2026-11-30T14:20:00Z [WARN] Check-in to console 1 at h port 1: "
	    "failed ()\n", "1", &c));
	big = xasprintf("2026-11-30T14:20:00Z [INFO] Check-in to console 1 at "
	    "%065d port 1: active\n", 0);
	assert_false(checkin(big, "1", &c));
	free(big);
	/* A very long line (a megabyte without a newline) hides nothing:
	 * the line after it still counts, the text inside it does not. */
	len = 1u << 20;
	big = xmalloc(len + 2 * sizeof good);
	memset(big, 'A', len);
	memcpy(big + 100, good, sizeof good - 2);     /* without "\n" */
	memcpy(big + len, "\n", 1);
	memcpy(big + len + 1, good, sizeof good);
	assert_true(status_log_checkin(big, len + sizeof good, "1", &c));
	assert_false(status_log_checkin(big, len + 1, "1", &c));
	free(big);
	/* A NUL byte in a line: the line is not one; the next one is. */
	n = (size_t)snprintf(nul, sizeof nul, "%s", good);
	nul[30] = '\0';
	memcpy(nul + n, good, sizeof good);
	n += sizeof good - 1;
	assert_true(status_log_checkin(nul, n, "1", &c));
	nul[n - 2] = '\0';
	assert_false(status_log_checkin(nul, n, "1", &c));
	/* An empty id matches nothing. */
	assert_false(checkin(good, "", &c));
}

static void
test_log_refreshed(void **state)
{
	const char *log =
	    "2026-11-30T14:20:00Z [INFO] Refresh from console c-1 at "
	    "127.0.0.1: pending-authorization\n"
	    "2026-11-30T14:21:00Z [INFO] Refresh from console c-1 at ::1: "
	    "active\n"
	    "2026-11-30T14:22:00Z [INFO] Refresh from console c-2 at "
	    "127.0.0.1: active (forged)\n";

	(void)state;
	assert_true(status_log_refreshed(log, strlen(log), "c-1",
	    "2026-11-30T14:21:00Z"));
	assert_true(status_log_refreshed(log, strlen(log), "c-1",
	    "2026-11-30T14:00:00Z"));
	assert_false(status_log_refreshed(log, strlen(log), "c-1",
	    "2026-11-30T14:21:01Z"));
	assert_false(status_log_refreshed(log, strlen(log), "c-2",
	    "2026-11-30T14:00:00Z"));
	assert_false(status_log_refreshed(log, strlen(log), "c",
	    "2026-11-30T14:00:00Z"));
	/* A renewal time that is not one: nothing counts. */
	assert_false(status_log_refreshed(log, strlen(log), "c-1", "later"));
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
		cmocka_unit_test(test_log_checkin),
		cmocka_unit_test(test_log_checkin_hostile),
		cmocka_unit_test(test_log_refreshed),
		cmocka_unit_test(test_json_checkin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
