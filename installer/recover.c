#include "recover.h"

#include <stdlib.h>
#include <string.h>

#include "executor.h"
#include "journal.h"
#include "log.h"
#include "record.h"
#include "uninstall.h"

/* "install (process 123, started 2026-11-30T04:01:06Z)" */
static void
recover_name(const struct journal *j, char *buf, size_t sz)
{
	if (j->pid > 0)
		snprintf(buf, sz, "%s (process %ld, started %s)", j->op,
		    j->pid, j->started);
	else
		snprintf(buf, sz, "%s", j->op);
}

/* Complete an uninstall j began: from the install record its finish
 * record u holds (older versions), else from the installation's own,
 * which the uninstall removes last with its pointer. When the record is
 * gone, only the pointer was left to remove. */
static bool
recover_uninstall(const struct journal *j, const struct undo *u,
    struct es_err *e)
{
	struct record r;
	char *idir, *state;
	bool ok;

	if (u->a == NULL) {
		err_set(e, ES_EINSTALL, "the uninstall journal names no root");
		return false;
	}
	record_init(&r);
	if (u->data != NULL)
		ok = record_parse(&r, u->data, u->len, "the uninstall journal",
		    e) && uninstall_apply(u->a, &r, false, NULL, NULL, e);
	else if (record_load(u->a, &r, e))
		ok = uninstall_apply(u->a, &r, false, NULL, NULL, e);
	else if (e->code == 0 || j->install_dir == NULL)
		ok = e->code == 0;      /* no pointer: nothing left to do */
	else {
		/* The pointer without its record: the uninstall had removed
		 * the record, and only the pointer was left. */
		idir = plat_join_root(u->a, j->install_dir);
		ok = plat_file_type_beneath(idir, RECORD_REL) == PLAT_NONE;
		if (ok) {
			err_clear(e);
			state = plat_state_file(u->a);
			ok = plat_remove(state, e) ||
			    plat_file_type(state) == PLAT_NONE;
			free(state);
		}
		free(idir);
	}
	record_free(&r);
	return ok;
}

bool
recover_run(const char *root, FILE *out, struct es_err *e)
{
	struct journal j;
	struct es_err local, first;
	char name[256];
	size_t i, problems = 0;

	if (!journal_load(root, &j, e)) {
		journal_free(&j);
		return e->code == 0;
	}
	recover_name(&j, name, sizeof name);
	log_msg("found the journal of an interrupted %s%s", name,
	    j.committed ? ", past its commit point: completing it" :
	    ": undoing it");
	err_clear(&local);
	err_clear(&first);
	if (!j.committed) {
		/* Undo records only, newest first; finish records before
		 * the commit point never took effect. */
		for (i = j.n; i-- > 0; ) {
			if (j.v[i].finish || j.v[i].undone)
				continue;
			/* Strictly in order, each written down as undone
			 * before the next (exec_rollback()): a failure stops
			 * here, and the next run resumes from it. */
			err_clear(&local);
			if (!exec_apply(&j.v[i].u, &local) ||
			    !journal_mark_undone(&j, i, &local)) {
				log_msg("undo problem: %s", local.msg);
				problems++;
				first = local;
				break;
			}
		}
	} else {
		for (i = 0; i < j.n; i++) {
			bool ok;

			if (!j.v[i].finish)
				continue;
			err_clear(&local);
			if (j.v[i].u.kind == UNDO_UNINSTALL)
				ok = recover_uninstall(&j, &j.v[i].u, &local);
			else
				ok = exec_apply(&j.v[i].u, &local);
			if (!ok) {
				log_msg("completion problem: %s", local.msg);
				if (problems++ == 0)
					first = local;
			}
		}
	}
	if (problems > 0) {
		size_t n = strlen(first.msg);

		/* Its own sentence ends here. */
		while (n > 0 && first.msg[n - 1] == '.')
			first.msg[--n] = '\0';
		err_set(e, ES_EINSTALL, "an earlier engine-setup %s was cut "
		    "short, and %s it failed: %.1000s. Fix that, then run the "
		    "command again; the journal %s is kept until then.", name,
		    j.committed ? "completing" : "undoing", first.msg,
		    j.committed ? j.committed_path : j.path);
		journal_keep(&j);
		return false;
	}
	fprintf(out, "An earlier engine-setup %s was cut short: %s.\n", name,
	    j.committed ? "it has now been completed" :
	    "everything it changed has now been undone");
	fflush(out);
	journal_end(&j);
	return true;
}

bool
recover_describe(const char *root, char *buf, size_t bufsz)
{
	struct journal j;
	struct es_err e;
	char name[256];

	err_clear(&e);
	if (!journal_load(root, &j, &e)) {
		bool committed;

		journal_free(&j);
		if (e.code == 0 || !journal_exists(root, &committed))
			return false;
		/* The caller ends the sentence. */
		if (strlen(e.msg) > 0 && e.msg[strlen(e.msg) - 1] == '.')
			e.msg[strlen(e.msg) - 1] = '\0';
		snprintf(buf, bufsz, "an interrupted engine-setup run left a "
		    "journal that cannot be read: %.900s", e.msg);
		return true;
	}
	recover_name(&j, name, sizeof name);
	snprintf(buf, bufsz, "an engine-setup %s was cut short; the next "
	    "install, uninstall, pair, consoles or identity command (the "
	    "service runs identity check before it starts) %s", name,
	    j.committed ? "completes it" : "undoes what it changed");
	journal_free(&j);
	return true;
}
