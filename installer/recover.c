#include "recover.h"

#include <stdlib.h>
#include <string.h>

#include "consoles.h"
#include "executor.h"
#include "journal.h"
#include "log.h"
#include "record.h"
#include "strlist.h"
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

/* Undo u: under the lock of its file when it names one (the engine
 * appends to consoles.xml under it), so that the check that the file is
 * still what the run wrote and the undo are one step for the engine too.
 * A file kept because someone changed it since goes into kept. */
static bool
recover_undo(const struct undo *u, struct strlist *kept, struct es_err *e)
{
	struct plat_file_lock *lock = NULL;
	bool ok, was = false;

	if (u->lock != NULL && plat_file_type(u->a) == PLAT_FILE &&
	    !plat_file_lock_acquire(u->lock, CONSOLES_LOCK_WAIT, &lock, e))
		return false;
	ok = exec_apply(u, &was, e);
	plat_file_lock_release(lock);
	if (ok && was)
		strlist_add(kept, u->a);
	return ok;
}

/* The line that says a run was undone but for the files in kept, which
 * were changed after it wrote them, and why they stay. */
static void
recover_say_kept(const char *name, const char *root,
    const struct strlist *kept, FILE *out)
{
	struct sbuf b, cmd;
	size_t i;
	bool consoles = false;

	sbuf_init(&b);
	sbuf_init(&cmd);
	for (i = 0; i < kept->n; i++) {
		size_t n = strlen(kept->v[i]), m = strlen(CONSOLES_REL);

		sbuf_addf(&b, "%s%s", i == 0 ? "" : i + 1 < kept->n ? ", " :
		    " and ", kept->v[i]);
		if (n >= m && strcmp(kept->v[i] + n - m, CONSOLES_REL) == 0)
			consoles = true;
	}
	sbuf_add(&cmd, "engine-setup consoles list");
	sbuf_add_root_option(&cmd, root);
	fprintf(out, "An earlier engine-setup %s was cut short: what it "
	    "changed has now been undone, except %s, which %s changed after "
	    "that run wrote %s%s, so %s kept as it is now, with that run's "
	    "change in it. ", name, b.s, kept->n == 1 ? "was" : "were",
	    kept->n == 1 ? "it" : "them", consoles ? " (the Scan Engine adds "
	    "the consoles that contact it there)" : "", kept->n == 1 ?
	    "it is" : "they are");
	if (consoles)
		fprintf(out, "'%s' shows the consoles; enable or disable one "
		    "again if that change was not wanted.\n", cmd.s);
	else
		fprintf(out, "Look at %s and change %s back by hand if that "
		    "change was not wanted.\n", kept->n == 1 ? "it" : "them",
		    kept->n == 1 ? "it" : "them");
	sbuf_free(&b);
	sbuf_free(&cmd);
}

bool
recover_run(const char *root, FILE *out, struct es_err *e)
{
	struct journal j;
	struct strlist kept;
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
	strlist_init(&kept);
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
			if (!recover_undo(&j.v[i].u, &kept, &local) ||
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
				ok = exec_apply(&j.v[i].u, NULL, &local);
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
		strlist_free(&kept);
		return false;
	}
	if (kept.n > 0)
		recover_say_kept(name, root, &kept, out);
	else
		fprintf(out, "An earlier engine-setup %s was cut short: %s.\n",
		    name, j.committed ? "it has now been completed" :
		    "everything it changed has now been undone");
	fflush(out);
	journal_end(&j);
	strlist_free(&kept);
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
