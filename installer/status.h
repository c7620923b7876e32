/* `engine-setup status`: what is installed, service state, consoles. The
 * facts are gathered once into a struct status (status_collect) that every
 * way of printing them reads: the human text (status_print_text) and the
 * JSON of ../shared/cli-contract.md ("status --json"). */
#ifndef ES_STATUS_H
#define ES_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "consoles.h"
#include "error.h"
#include "nselog.h"
#include "record.h"

/* The exit codes status adds (../shared/cli-contract.md). */
#define STATUS_NOT_INSTALLED 9
#define STATUS_NEEDS_ATTENTION 10

/* The JSON's "schema" (docs/status.md): it only grows, as fields are
 * added; none is ever renamed or removed. */
#define STATUS_SCHEMA 1

/* The problem codes (docs/status.md, "Problems"): stable strings that
 * automation matches on. The message beside each may change. */
#define STATUS_P_SERVICE_NOT_RUNNING "service-not-running"
#define STATUS_P_NOT_PAIRED "not-paired"
#define STATUS_P_IDENTITY_FOREIGN "identity-from-another-machine"
#define STATUS_P_INTERRUPTED_RUN "interrupted-run"
#define STATUS_P_NOT_READY "not-ready"
#define STATUS_P_CONSOLE_PENDING "console-pending-authorization"
#define STATUS_P_RECORD_UNREADABLE "record-unreadable"
#define STATUS_P_CONSOLES_UNREADABLE "consoles-unreadable"
#define STATUS_P_CERT_UNREADABLE "certificate-unreadable"
#define STATUS_P_CERT_EXPIRED "certificate-expired"
#define STATUS_P_CHECKIN_FAILED "console-checkin-failed"

/* One thing that needs attention: a code from the list above and a
 * sentence for people (what happened, what to do). */
struct status_problem {
	char *code;
	char *message;
};

/* Whether the engine reports ready (issue 12, section 2). */
enum status_ready {
	STATUS_READY_UNKNOWN,      /* cannot be told: JSON null */
	STATUS_READY_NO,
	STATUS_READY_YES
};

struct status_service {
	char *name;                /* "nexposeengine" */
	char state[128];           /* plat_service_state(): "active" ... */
	int enabled;               /* plat_service_enabled(): 1, 0, -1 unknown */
	/* "nexposeengine: active", or the state with why the service is
	 * not running and the command that starts it (install_service_text). */
	char *text;
};

struct status {
	/* Another engine-setup run holds the lock (its process id, 0 when
	 * unknown): what follows is from before it. */
	bool run_in_progress;
	long running_pid;
	/* An interrupted run's journal, described (recover_describe), or
	 * NULL. When set, nothing else was read: the installation is not one
	 * to rely on. */
	char *interrupted;
	bool installed;
	/* The install record (or the pointer to it) cannot be read: the
	 * problem says why and what to do; rec.install_dir is where the
	 * pointer says it is, when it says; nothing else was read. */
	bool record_unreadable;
	/* The install record (product, version, component, install_dir,
	 * installed_at, engine_id, services ...), when installed. */
	struct record rec;
	struct {
		char *name;            /* NULL when it cannot be told */
		char *communication;   /* "engine-to-console" | "console-to-engine" */
		unsigned port;         /* the port it listens on, or 0 */
		bool listens;          /* console-to-engine: the console connects */
		/* "sha256:HEX" of the key of nse/conf/nse.crt (the pairing
		 * protocol's spki), and its notAfter as RFC 3339 UTC
		 * ("2036-11-28T14:14:37Z"): empty when it cannot be read. */
		char fingerprint[72];
		char not_after[32];
	} engine;
	struct status_service *services;
	size_t nservices;
	bool consoles_read;        /* consoles.xml was read */
	char *consoles_error;      /* why it could not be, or NULL */
	struct consoles consoles;
	/* consoles.n entries, one per console: the last check-in of each
	 * connectTo="1" one (unused for the others). */
	struct nselog_checkin *checkins;
	/* The tail of nse/logs/nse.log (nselog_tail), read once with
	 * consoles.xml for the check-ins and the identity's refreshes;
	 * NULL when there is none. */
	char *nselog;
	size_t nselog_len;
	/* With no console: what to do, fitting this host (consoles_none_advice). */
	char *consoles_advice;
	/* Filled by the readiness check (issue 12, section 2); until one
	 * runs, STATUS_READY_UNKNOWN. */
	enum status_ready ready;
	char *ready_why;           /* why ready is what it is, or NULL */
	/* Each problem that needs attention (status_add_problem): also an
	 * install pointer or record that is damaged or names a path outside
	 * the root (record_load), which is then not followed (installed
	 * stays false). */
	struct status_problem *problems;
	size_t nproblems, capproblems;
};

/* Gather what is installed under root ("/" or the --root folder) into st,
 * which status_free() releases also after a failure. A pointer or record
 * that cannot be read or is refused is a problem in st (record_unreadable
 * when the folder it is in is known), not a failure. Changes nothing and
 * takes no lock. */
bool status_collect(const char *root, struct status *st, struct es_err *e);
void status_free(struct status *st);
/* Add a problem: code is one of the STATUS_P_ strings, the message a
 * sentence made from fmt (what happened and what to do next). */
void status_add_problem(struct status *st, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* STATUS_NEEDS_ATTENTION when st lists a problem, else
 * STATUS_NOT_INSTALLED when nothing is installed, else 0. */
int status_code(const struct status *st);
/* A console's state in the seed's words, as far as the engine can know
 * it locally: "pending-authorization" (enabled="0": the seed's "Pending
 * Authorization"), "enabled". */
const char *status_console_state(const struct console_entry *en);
/* st as one JSON object (docs/status.md), without a newline; root is
 * "/" or the --root folder. Caller frees. */
char *status_json(const struct status *st, const char *root);
/* Add s to the JSON object o as name: a valid UTF-8 string (str_utf8),
 * or null for NULL. Also for the other commands' JSON (plancheck.h). */
struct cJSON;
void status_json_str(struct cJSON *o, const char *name, const char *s);
/* st as the lines people read: "Product:      Nexpose 7.3.1" ... */
void status_print_text(const struct status *st, const char *root, FILE *out);

/* Fill st->ready and st->ready_why after status_collect() (ready.h).
 * wait_seconds < 0: look once. Else wait up to that long (ready_wait;
 * progress lines on progress when not NULL), and when the service is not
 * ready by then, or cannot become ready (not running), add the problem
 * not-ready. */
void status_ready(struct status *st, const char *root, int wait_seconds,
    FILE *progress);

/* status_collect(), status_ready() (wait_seconds as there; the progress on
 * standard output, or with json on standard error) and
 * status_print_text() on out, or with json the object of status_json()
 * and a newline; *code is status_code(). With json the object is printed
 * also when status_collect() fails (e set), with what it could tell. */
bool status_print(const char *root, bool json, int wait_seconds, FILE *out,
    int *code, struct es_err *e);

#endif
