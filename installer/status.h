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
#include "record.h"
#include "strlist.h"

/* The exit code status adds (../shared/cli-contract.md). */
#define STATUS_NEEDS_ATTENTION 10

struct status_service {
	char *name;                /* "nexposeengine" */
	char state[128];           /* plat_service_state(): "active" ... */
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
	} engine;
	struct status_service *services;
	size_t nservices;
	bool consoles_read;        /* consoles.xml was read */
	char *consoles_error;      /* why it could not be, or NULL */
	struct consoles consoles;
	/* With no console: what to do, fitting this host (consoles_none_advice). */
	char *consoles_advice;
	/* Each problem that needs attention, a sentence each: also an
	 * install pointer or record that is damaged or names a path outside
	 * the root (record_load), which is then not followed (installed
	 * stays false). */
	struct strlist problems;
	/* Is the service ready (ready.h)? 1 yes, 0 not (yet, or its service
	 * is not running), -1 cannot be told (not installed, or a record
	 * that does not say how). Set by status_ready(); why in ready_why. */
	int ready;
	char *ready_why;
};

/* Gather what is installed under root ("/" or the --root folder) into st,
 * which status_free() releases also after a failure. A pointer or record
 * that cannot be read or is refused is a problem in st (record_unreadable
 * when the folder it is in is known), not a failure. Changes nothing and
 * takes no lock. */
bool status_collect(const char *root, struct status *st, struct es_err *e);
void status_free(struct status *st);
/* 0, or STATUS_NEEDS_ATTENTION when st lists a problem. */
int status_code(const struct status *st);
/* st as the lines people read: "Product:      Nexpose 7.3.1" ... */
void status_print_text(const struct status *st, const char *root, FILE *out);

/* Fill st->ready and st->ready_why after status_collect(). wait_seconds
 * < 0: look once. Else wait up to that long (ready_wait, progress on
 * progress when not NULL), and when the service is not ready by then, or
 * cannot become ready (not running), add the problem not-ready. */
void status_ready(struct status *st, const char *root, int wait_seconds,
    FILE *progress);

/* status_collect() and status_print_text() on out; *code is
 * status_code(). */
bool status_print(const char *root, FILE *out, int *code, struct es_err *e);

#endif
