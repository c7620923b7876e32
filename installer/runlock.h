/* One engine-setup run at a time (issue 9): every command that changes
 * something takes root's run lock before it reads the installation, so
 * that what it decides still holds when it acts, and keeps it to the end. */
#ifndef ES_RUNLOCK_H
#define ES_RUNLOCK_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "platform.h"

/* Take the lock of root ("/" or the --root folder). When another run
 * holds it: with wait_seconds 0 fail at once with ES_EBUSY; otherwise say
 * on out that this run waits, and wait up to wait_seconds (ES_EBUSY when
 * the time runs out, ES_ECANCEL on Ctrl-C). The messages name the other
 * run's process and say that nothing was changed. *lock stays NULL (and
 * the call succeeds) for a --root folder that does not exist; a state
 * folder (plat_state_file) that leads out of the --root folder through a
 * symbolic link is refused (ES_EREQ) before anything is made there.
 * Once the lock is held, a run that a crash cut short is finished first
 * (recover_run(), one line on out); when that fails the lock is given up
 * and e says why. */
bool runlock_take(const char *root, int wait_seconds, FILE *out,
    struct plat_run_lock **lock, struct es_err *e);

#endif
