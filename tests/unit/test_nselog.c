/* Unit tests of nse.log's reading (installer/nselog.c): hand-written logs,
 * the engine's lines (../shared/engine-protocol.md) and hostile ones. */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nselog.h"
#include "util.h"

/* nselog_last_checkin() over the log text given (len: strlen). */
static bool
checkin(const char *log, const char *id, struct nselog_checkin *c)
{
	return nselog_last_checkin(log, strlen(log), id, NULL, NULL, c);
}

static void
test_log_checkin(void **state)
{
	struct nselog_checkin c;
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
	/* A start of the engine ends what earlier check-ins say: the old
	 * version's "incompatible" before an upgrade is not this run's. */
	assert_false(checkin("2026-11-30T14:20:00Z [WARN] Check-in to "
	    "console 1 at h port 1: incompatible (console 7.4.0)\n"
	    "2026-11-30T14:21:00Z [INFO] Scan Engine initialization "
	    "completed\n", "1", &c));
	assert_false(c.seen);
	assert_true(checkin("2026-11-30T14:20:00Z [WARN] Check-in to "
	    "console 1 at h port 1: incompatible (console 7.4.0)\n"
	    "2026-11-30T14:21:00Z [INFO] Scan Engine initialization "
	    "completed\n2026-11-30T14:21:01Z [INFO] Check-in to console 1 "
	    "at h port 1: active\n", "1", &c));
	assert_string_equal(c.result, "active");
	assert_string_equal(c.at, "2026-11-30T14:21:01Z");
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
	struct nselog_checkin c;
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
	assert_true(nselog_last_checkin(big, len + sizeof good, "1", NULL, NULL,
	    &c));
	assert_false(nselog_last_checkin(big, len + 1, "1", NULL, NULL, &c));
	free(big);
	/* A NUL byte in a line: the line is not one; the next one is. */
	n = (size_t)snprintf(nul, sizeof nul, "%s", good);
	nul[30] = '\0';
	memcpy(nul + n, good, sizeof good);
	n += sizeof good - 1;
	assert_true(nselog_last_checkin(nul, n, "1", NULL, NULL, &c));
	nul[n - 2] = '\0';
	assert_false(nselog_last_checkin(nul, n, "1", NULL, NULL, &c));
	/* An empty id matches nothing. */
	assert_false(checkin(good, "", &c));
}

/* A check-in line counts for a console only at the console's own
 * lastAddress and port: one "at 6.6.6.6 port 1" is not console 1's. */
static void
test_log_checkin_address(void **state)
{
	struct nselog_checkin c;
	const char *log =
	    "2026-11-30T14:20:00Z [INFO] Check-in to console 1 at 127.0.0.1 "
	    "port 40815: active\n"
	    "2026-11-30T14:21:00Z [WARN] Check-in to console 1 at 6.6.6.6 "
	    "port 1: failed (forged)\n"
	    "2026-11-30T14:22:00Z [WARN] Check-in to console 1 at 127.0.0.1 "
	    "port 1: unknown-engine\n"
	    "2026-11-30T14:23:00Z [WARN] Check-in to console 1 at 127.0.0.10 "
	    "port 40815: unknown-engine\n"
	    "2026-11-30T14:24:00Z [WARN] Check-in to console 1 at 127.0.0.1 "
	    "port 408150: unknown-engine\n";
	size_t n = strlen(log);

	(void)state;
	assert_true(nselog_last_checkin(log, n, "1", "127.0.0.1", "40815",
	    &c));
	assert_string_equal(c.at, "2026-11-30T14:20:00Z");
	assert_string_equal(c.result, "active");
	assert_true(nselog_last_checkin(log, n, "1", "6.6.6.6", "1", &c));
	assert_string_equal(c.result, "failed");
	assert_false(nselog_last_checkin(log, n, "1", "10.0.0.1", "40815",
	    &c));
	assert_false(c.seen);
	/* None known: nothing counts. */
	assert_false(nselog_last_checkin(log, n, "1", "", "40815", &c));
	assert_false(nselog_last_checkin(log, n, "1", "127.0.0.1", "", &c));
	assert_false(nselog_last_checkin(log, n, "1", "127.0.0.1", NULL, &c));
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
	assert_true(nselog_refreshed(log, strlen(log), "c-1",
	    "2026-11-30T14:21:00Z"));
	assert_true(nselog_refreshed(log, strlen(log), "c-1",
	    "2026-11-30T14:00:00Z"));
	assert_false(nselog_refreshed(log, strlen(log), "c-1",
	    "2026-11-30T14:21:01Z"));
	assert_false(nselog_refreshed(log, strlen(log), "c-2",
	    "2026-11-30T14:00:00Z"));
	assert_false(nselog_refreshed(log, strlen(log), "c",
	    "2026-11-30T14:00:00Z"));
	/* A renewal time that is not one: nothing counts. */
	assert_false(nselog_refreshed(log, strlen(log), "c-1", "later"));
}

/* nselog_tail(): the whole log when small; the last NSELOG_TAIL bytes
 * from a line's start when large; nothing through a symbolic link. */
static void
test_log_tail(void **state)
{
	static const char line[] = "2026-11-30T14:20:00Z [INFO] Check-in to "
	    "console 1 at h port 1: active\n";
	struct fixture *f = *state;
	struct nselog_checkin c;
	char *idir = fixture_path(f, "i"), *log, *big, *path, *target;
	size_t len, n;

	assert_null(nselog_tail(idir, &len));
	fixture_write(f, "i/nse/logs/nse.log", line);
	log = nselog_tail(idir, &len);
	assert_non_null(log);
	assert_int_equal(len, strlen(line));
	assert_true(nselog_last_checkin(log, len, "1", NULL, NULL, &c));
	free(log);
	/* A line at the start, then more than the tail of lines of 100
	 * bytes: the tail starts at a line's start, the first line is out. */
	n = NSELOG_TAIL + 4096;
	big = xmalloc(n + sizeof line);
	memcpy(big, line, sizeof line - 1);
	memset(big + sizeof line - 1, 'x', n - (sizeof line - 1));
	for (len = 99 + sizeof line - 1; len < n; len += 100)
		big[len] = '\n';
	big[n - 1] = '\n';
	big[n] = '\0';
	fixture_write(f, "i/nse/logs/nse.log", big);
	log = nselog_tail(idir, &len);
	assert_non_null(log);
	assert_true(len <= NSELOG_TAIL && len > NSELOG_TAIL - 101);
	assert_memory_equal(log, big + n - len, len);
	assert_true(len == NSELOG_TAIL || big[n - len - 1] == '\n');
	assert_false(nselog_last_checkin(log, len, "1", NULL, NULL, &c));
	free(log);
	free(big);
	/* The log as a symbolic link: not read. */
	path = fixture_path(f, "i/nse/logs/nse.log");
	target = fixture_path(f, "elsewhere.log");
	fixture_write(f, "elsewhere.log", line);
	assert_int_equal(remove(path), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_null(nselog_tail(idir, &len));
	free(path);
	free(target);
	free(idir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_checkin),
		cmocka_unit_test(test_log_checkin_address),
		cmocka_unit_test(test_log_checkin_hostile),
		cmocka_unit_test(test_log_refreshed),
		cmocka_unit_test_setup_teardown(test_log_tail, fixture_setup,
		    fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
