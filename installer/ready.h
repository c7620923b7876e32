/* Is the installed service ready, not just started? The manifest declares
 * how a component shows it (component.NAME.ready.*: a line in a log file
 * after its last start line, and/or its port accepting connections); the
 * install record keeps it (record.h: ready_log, ready_line, ready_start,
 * ready_port), so that status answers from the kept program without a
 * payload. docs/payload.md, "Readiness". */
#ifndef ES_READY_H
#define ES_READY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "record.h"

enum ready_state {
	READY_YES,        /* every declared sign is there */
	READY_NOT_YET,    /* a sign is missing: it may still come */
	READY_UNKNOWN,    /* the record says nothing about readiness (an
	                   * older record, or a manifest without ready.*) */
	READY_CANNOT      /* the service is not running: it cannot become
	                   * ready without someone starting it */
};

/* How long a port check waits for the connection, milliseconds. */
#define READY_CONNECT_MS 500
/* --wait-ready without a value, seconds. */
#define READY_WAIT_DEFAULT 600

/* The ready log's size now (bytes), or -1 when r declares none or it does
 * not exist: taken right before the service is started, so that a ready
 * line an earlier run of the service wrote does not count (since, below). */
long long ready_log_size(const char *root, const struct record *r);

/* Check once, changing nothing: READY_YES when the log's last start line
 * (r->ready_start; the whole log when none is declared), or byte since
 * when since >= 0, is followed by r->ready_line, and r->ready_port accepts
 * a TCP connection on 127.0.0.1 or ::1; READY_NOT_YET otherwise;
 * READY_UNKNOWN when r declares neither. root is "/" or the --root folder.
 * why (may be NULL) gets a sentence on what is missing or unknown, without
 * a full stop. Does not look at the service's state (ready_wait does). */
enum ready_state ready_check(const char *root, const struct record *r,
    long long since, char *why, size_t whysz);

/* ready_check(), except that READY_CANNOT (why saying so, with the
 * command that starts it) when r's service is known not to run
 * (plat_service_state is neither active, activating, reloading nor
 * unknown: not started, stopped, failed, or no service manager for this
 * root): ready signs from a run that has ended do not count. */
enum ready_state ready_now(const char *root, const struct record *r,
    long long since, char *why, size_t whysz);

/* Called about every 0.5 s while ready_wait waits: elapsed and total
 * seconds; arg is ready_wait's. */
typedef void (*ready_progress_fn)(double elapsed, unsigned total, void *arg);

/* Wait up to seconds for ready_now() to say READY_YES, calling progress
 * (may be NULL) as it goes. Returns at once READY_UNKNOWN or READY_CANNOT
 * when ready_now() says so; READY_NOT_YET when the time is up, or when
 * Ctrl-C or SIGTERM came (plat_signals_pending; *interrupted set when not
 * NULL). why as in ready_now(). */
enum ready_state ready_wait(const char *root, const struct record *r,
    long long since, unsigned seconds, ready_progress_fn progress,
    void *arg, bool *interrupted, char *why, size_t whysz);

/* A progress printer for ready_wait: "Waiting for the Scan Engine to be
 * ready: 12 s of 600 s ...", on a terminal one line updated with \r (each
 * second), else a new line every 10 s. arg is a struct ready_progress. */
struct ready_progress {
	FILE *out;
	bool tty;
	const char *what;       /* "Scan Engine" */
	long last;              /* internal: the last second shown, or -1 */
};
void ready_progress_print(double elapsed, unsigned total, void *arg);
/* End the progress line (a newline after \r updates). */
void ready_progress_end(struct ready_progress *p);

/* What waits: "Security Console" for the console component, else
 * "Scan Engine". */
const char *ready_what(const struct record *r);

/* The room ready_explain() needs: why and the words around it. */
#define READY_EXPLAIN_MAX 1400

/* What the outcome rs of a readiness check or wait for r means, as the
 * install's error and status's problem not-ready both say it: READY_CANNOT
 * "the Scan Engine cannot become ready: WHY", READY_UNKNOWN "whether the
 * Scan Engine is ready cannot be told: WHY", READY_NOT_YET "the Scan
 * Engine is not ready after SECONDS s: WHY" ("(the wait was interrupted)
 * within" instead of "after" when interrupted), READY_YES "the Scan
 * Engine is ready". why is ready_wait()'s. No full stop; with capital the
 * first letter is a capital (a sentence of its own). Into out (outsz
 * bytes, READY_EXPLAIN_MAX is enough). */
void ready_explain(const struct record *r, enum ready_state rs,
    unsigned seconds, bool interrupted, const char *why, bool capital,
    char *out, size_t outsz);

#endif
