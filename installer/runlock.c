#include "runlock.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "platform.h"
#include "recover.h"

/* "this host", or the --root folder. */
static const char *
runlock_where(const char *root)
{
	return strcmp(root, "/") == 0 ? "this host" : root;
}

/* "engine-setup run (process 1234)", or without the number when the
 * holder wrote none yet. */
static void
runlock_who(char *buf, size_t sz, long pid)
{
	if (pid > 0)
		snprintf(buf, sz, "engine-setup run (process %ld)", pid);
	else
		snprintf(buf, sz, "engine-setup run");
}

/* With the lock held: finish a run a crash cut short, before anything
 * is read. On failure the lock is given up again. */
static bool
runlock_recover(const char *root, FILE *out, struct plat_run_lock **lock,
    struct es_err *e)
{
	if (recover_run(root, out, e))
		return true;
	plat_run_lock_release(*lock);
	*lock = NULL;
	return false;
}

bool
runlock_take(const char *root, int wait_seconds, FILE *out,
    struct plat_run_lock **lock, struct es_err *e)
{
	struct es_err local;
	char who[64];
	long pid = 0;

	*lock = NULL;
	/* A --root folder that does not exist holds no installation to read
	 * or change (install refuses it first); making it only to hold a
	 * lock would create what the user never asked for. */
	if (plat_file_type(root) == PLAT_NONE)
		return true;
	/* The lock, the journal and the install pointer live in the state
	 * folder: one that leads out of --root is not followed. */
	{
		char *state = plat_state_file(root);
		bool in = plat_path_in_root(root, state, ES_EREQ, e);

		free(state);
		if (!in) {
			err_set(e, ES_EREQ, "Nothing was changed.");
			return false;
		}
	}
	err_clear(&local);
	if (plat_run_lock_acquire(root, 0, lock, &pid, &local))
		return runlock_recover(root, out, lock, e);
	if (local.code == ES_EBUSY && wait_seconds > 0) {
		runlock_who(who, sizeof who, pid);
		fprintf(out, "waiting for %s to finish ...\n", who);
		fflush(out);
		log_msg("waiting up to %d s for %s", wait_seconds, who);
		err_clear(&local);
		if (plat_run_lock_acquire(root, wait_seconds, lock, &pid,
		    &local))
			return runlock_recover(root, out, lock, e);
	}
	runlock_who(who, sizeof who, pid);
	if (local.code == ES_EBUSY && wait_seconds > 0)
		err_set(e, ES_EBUSY, "another %s is still changing %s after "
		    "%d s of waiting; let it finish and try again, or wait "
		    "longer with --wait-lock=SECONDS. Nothing was changed.",
		    who, runlock_where(root), wait_seconds);
	else if (local.code == ES_EBUSY)
		err_set(e, ES_EBUSY, "another %s is changing %s; wait for it "
		    "to finish, or add --wait-lock to wait for it. Nothing was "
		    "changed.", who, runlock_where(root));
	else if (local.code == ES_ECANCEL)
		err_set(e, ES_ECANCEL, "cancelled while waiting for %s to "
		    "finish. Nothing was changed.", who);
	else
		err_set(e, local.code != 0 ? local.code : ES_EINTERNAL,
		    "%s Nothing was changed.", local.msg);
	return false;
}
