/* Finishing a run that a crash or power loss cut short (issue 9): every
 * command that changes something calls recover_run() once it holds the run
 * lock, before it reads the installation. */
#ifndef ES_RECOVER_H
#define ES_RECOVER_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

/* Look for the journal of an interrupted run under root and finish that
 * run: undo what it changed when it had not reached its commit point,
 * complete it when it had. Says what it did in one line on out. True when
 * there was nothing to finish or it is finished (the journal is removed);
 * false with e set (ES_EINSTALL) when it could not be, and the journal
 * stays for the next try. */
bool recover_run(const char *root, FILE *out, struct es_err *e);

/* For status, which changes nothing: when root holds an interrupted run's
 * journal, a one-line description of it and of what the next command will
 * do into buf, and true. */
bool recover_describe(const char *root, char *buf, size_t bufsz);

#endif
