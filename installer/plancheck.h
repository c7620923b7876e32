/* `install --check --json`: what a run with the same options would do, as
 * one JSON object for automation (docs/status.md, "install --check
 * --json"). cmd_install fills a struct plancheck as it decides; nothing
 * here reads the disk or the network. */
#ifndef ES_PLANCHECK_H
#define ES_PLANCHECK_H

#include <stdbool.h>

#include "error.h"
#include "install.h"
#include "manifest.h"
#include "plan.h"
#include "record.h"
#include "requirements.h"

/* The JSON's "schema": it only grows, as fields are added; none is ever
 * renamed or removed. */
#define PLANCHECK_SCHEMA 1

enum plancheck_action {
	PLANCHECK_INSTALL,     /* nothing installed */
	PLANCHECK_NONE,        /* the same answers and version (and paired) */
	PLANCHECK_PAIR,        /* the same, not yet paired with the console */
	PLANCHECK_UPGRADE,     /* the same answers, a newer payload */
	PLANCHECK_DOWNGRADE,   /* the same answers, an older payload */
	PLANCHECK_OVERWRITE    /* other answers (or a record not readable) */
};

/* What a run needs that these options do not give (exit 7). */
enum plancheck_needs {
	PLANCHECK_NEEDS_NOTHING,
	PLANCHECK_NEEDS_OVERWRITE,        /* --overwrite */
	PLANCHECK_NEEDS_ALLOW_DOWNGRADE,  /* --allow-downgrade */
	PLANCHECK_NEEDS_UPGRADE_FIRST,    /* other answers and version */
	PLANCHECK_NEEDS_UNINSTALL         /* another install_dir */
};

struct plancheck {
	/* The run got as far as comparing the plan with what is installed:
	 * only then is there an object to print. */
	bool compared;
	enum plancheck_action action;
	enum plancheck_needs needs;
	const struct manifest *manifest;   /* this installer's payload */
	const struct plan *plan;
	const char *root;                  /* "/" or the --root folder */
	const struct record *installed;    /* NULL: nothing installed */
	const struct install_diffs *diffs; /* NULL: none */
	const struct req_report *req;      /* NULL: not checked */
	/* Pairing (action install or overwrite with pairing, or pair): the
	 * console's "host:port" (NULL: none), and whether the connection
	 * test ran and passed. */
	char *console;
	bool tested;
	int exit;
	struct es_err error;               /* code 0: none */
};

void plancheck_init(struct plancheck *pc);
void plancheck_free(struct plancheck *pc);
/* Keep e (code and message, made a sentence) as the run's error. */
void plancheck_error(struct plancheck *pc, struct es_err *e);
/* The object, one line without a newline. Never a secret: the answers
 * are those plan_write() writes, the differences those install_existing()
 * keeps. Caller frees. */
char *plancheck_json(const struct plancheck *pc);

#endif
