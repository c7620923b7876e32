#include "executor.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "platform.h"
#include "rootpath.h"
#include "util.h"

void
exec_init(struct exec *x)
{
	memset(x, 0, sizeof *x);
	x->fault = getenv("ES_TEST_FAULT");
}

bool
exec_begin(struct exec *x, const char *root, const char *op,
    const char *install_dir, struct es_err *e)
{
	if (!journal_begin(&x->disk, root, op, install_dir, e))
		return false;
	x->on_disk = true;
	return true;
}

static void
exec_clear(struct exec *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		journal_undo_free(&x->journal[i]);
	x->n = 0;
}

void
exec_free(struct exec *x)
{
	exec_clear(x);
	free(x->journal);
	x->journal = NULL;
	x->cap = 0;
	if (x->on_disk)
		journal_keep(&x->disk);
	x->on_disk = false;
}

/* Journal u on the disk, then keep it in memory (it owns u's strings). */
static bool
exec_add(struct exec *x, struct undo *u, struct es_err *e)
{
	u->seq = x->disk.nrec;
	if (x->on_disk && !journal_append(&x->disk, false, u, e)) {
		journal_undo_free(u);
		return false;
	}
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 32;
		x->journal = xrealloc(x->journal, x->cap * sizeof *x->journal);
	}
	x->journal[x->n++] = *u;
	return true;
}

bool
exec_push(struct exec *x, enum undo_kind kind, const char *a, const char *b,
    struct es_err *e)
{
	struct undo u;

	memset(&u, 0, sizeof u);
	u.kind = kind;
	u.a = a != NULL ? xstrdup(a) : NULL;
	u.b = b != NULL ? xstrdup(b) : NULL;
	return exec_add(x, &u, e);
}

bool
exec_mkdirs(struct exec *x, const char *path, unsigned mode,
    struct es_err *e)
{
	struct strlist missing;
	char *p = xstrdup(path), *up;
	size_t i;
	bool ok = false;

	/* The folders that do not exist yet, deepest first, up to a file
	 * system's root ("/", "C:/"). */
	strlist_init(&missing);
	while (rootpath_root_len(p) > 0 && !rootpath_is_root(p) &&
	    plat_file_type(p) == PLAT_NONE) {
		strlist_add(&missing, p);
		up = rootpath_parent(p);
		free(p);
		p = up;
		if (strlen(p) >= strlen(missing.v[missing.n - 1]))
			break;
	}
	/* Journalled top down, so that the undo removes them bottom up. */
	for (i = missing.n; i-- > 0; )
		if (!exec_push(x, UNDO_RMDIR, missing.v[i], NULL, e))
			goto out;
	ok = plat_mkdirs(path, mode, NULL, e);
out:
	strlist_free(&missing);
	free(p);
	return ok;
}

/* exec_push_path(), and for a file the record's sum of what this run
 * writes there (wrote) and the lock that guards it (lock), when not
 * NULL. */
static bool
exec_push_path_as(struct exec *x, const char *path, const char *wrote,
    const char *lock, struct es_err *e)
{
	struct undo u;
	int mode;

	memset(&u, 0, sizeof u);
	switch (plat_file_type(path)) {
	case PLAT_NONE:
		u.kind = UNDO_REMOVE_FILE;
		break;
	case PLAT_LINK:
		if ((u.b = plat_read_link(path)) == NULL) {
			err_set(e, ES_EINSTALL, "cannot read the link %s to "
			    "keep it for an undo", path);
			return false;
		}
		u.kind = UNDO_SYMLINK;
		break;
	case PLAT_FILE:
		if ((u.data = plat_read_file(path, 16u << 20, &u.len, e)) ==
		    NULL)
			return false;
		mode = plat_file_mode(path);
		u.kind = UNDO_RESTORE_FILE;
		u.mode = mode >= 0 ? (unsigned)mode : 0644;
		break;
	case PLAT_DIR:
		return true;
	default:
		err_set(e, ES_EINSTALL, "%s is neither a file, a folder nor a "
		    "link: move it away and try again", path);
		return false;
	}
	u.a = xstrdup(path);
	if (u.kind != UNDO_SYMLINK) {
		u.wrote = wrote != NULL ? xstrdup(wrote) : NULL;
		u.lock = lock != NULL ? xstrdup(lock) : NULL;
	}
	return exec_add(x, &u, e);
}

bool
exec_push_path(struct exec *x, const char *path, struct es_err *e)
{
	return exec_push_path_as(x, path, NULL, NULL, e);
}

bool
exec_push_finish(struct exec *x, enum undo_kind kind, const char *a,
    const char *b, struct es_err *e)
{
	struct undo u;

	if (!x->on_disk)
		return true;
	memset(&u, 0, sizeof u);
	u.kind = kind;
	u.a = (char *)a;
	u.b = (char *)b;
	return journal_append(&x->disk, true, &u, e);
}

bool
exec_cancelled(struct exec *x, struct es_err *e)
{
	(void)x;
	if (plat_signals_pending() == 0)
		return false;
	err_set(e, ES_ECANCEL, "cancelled by a signal (Ctrl-C, SIGTERM or "
	    "SIGHUP): everything this run changed is being undone");
	return true;
}

/* Test hook: make a named step fail, raise a signal, stop the process or
 * kill it outright (a crash), so that rollback, recovery and the run lock
 * can be tested end to end (tests/e2e). Compiled in on purpose: a fault
 * only happens when ES_TEST_FAULT names a step. */
static bool
exec_fault(struct exec *x, const char *title, struct es_err *e)
{
	size_t n;

	if (x->fault == NULL)
		return true;
	n = strlen(title);
	if (strncmp(x->fault, title, n) != 0 || x->fault[n] != ':')
		return true;
	if (strcmp(x->fault + n + 1, "signal") == 0) {
		raise(SIGTERM);
		return true;
	}
	if (strcmp(x->fault + n + 1, "stop") == 0) {
		plat_fault_stop();   /* a test holds the run here */
		return true;
	}
	if (strcmp(x->fault + n + 1, "kill") == 0) {
		plat_fault_crash();   /* the next run recovers */
		return true;
	}
	err_set(e, ES_EINSTALL, "injected failure at step '%s' "
	    "(ES_TEST_FAULT)", title);
	return false;
}

static bool
exec_applies(const struct exec_step *st, const void *ctx)
{
	return st->applies == NULL || st->applies(ctx);
}

bool
exec_run(struct exec *x, const struct exec_step *steps, size_t n, void *ctx,
    struct es_err *e)
{
	size_t i, k = 0, m = 0, last = 0;

	for (i = 0; i < n; i++)
		if (exec_applies(&steps[i], ctx))
			m++;
	for (i = 0; i < n; i++) {
		if (!exec_applies(&steps[i], ctx)) {
			log_msg("step skipped (nothing to do for this plan): %s",
			    steps[i].title);
			continue;
		}
		last = i;
		if (exec_cancelled(x, e))
			goto fail;
		if (x->report != NULL)
			x->report(k, m, steps[i].title, x->report_arg);
		log_msg("step %zu/%zu: %s", k + 1, m, steps[i].title);
		k++;
		if (!steps[i].run(x, ctx, e))
			goto fail;
		if (!exec_fault(x, steps[i].title, e))
			goto fail;
		if (exec_cancelled(x, e))
			goto fail;
	}
	return true;
fail:
	if (e->code == 0)
		err_set(e, ES_EINTERNAL, "step '%s' failed without a message",
		    steps[last].title);
	log_msg("failed: %s", e->msg);
	log_msg("rolling back %zu change(s)", x->n);
	exec_rollback(x);
	return false;
}

/* What the undo of u (restore-file or remove-file, with its sum) finds. */
enum exec_found {
	EXEC_FOUND_UNDO,      /* what the run wrote, or nothing to tell */
	EXEC_FOUND_UNDONE,    /* the old bytes and mode already: nothing to do */
	EXEC_FOUND_CHANGED    /* someone changed it since: keep it */
};

/* Look at the file of u: has someone changed it since the run wrote it?
 * Then it is logged and *kept set. A file that cannot be read is not
 * known to be the run's, and so is kept too. One that still holds the
 * old bytes (the write never happened: a full disk) needs no write,
 * which could fail for the same reason. */
static enum exec_found
exec_changed_since(const struct undo *u, bool *kept)
{
	char now[65], old[65], *text;
	size_t len;
	struct es_err e;

	if (u->wrote == NULL || plat_file_type(u->a) != PLAT_FILE)
		return EXEC_FOUND_UNDO;
	err_clear(&e);
	if ((text = plat_read_file(u->a, 16u << 20, &len, &e)) == NULL) {
		log_msg("kept %s as it is: it cannot be read to check that it "
		    "is still what the interrupted run wrote: %s", u->a, e.msg);
	} else {
		crypto_sha256_hex(text, len, now);
		free(text);
		if (u->kind == UNDO_RESTORE_FILE) {
			crypto_sha256_hex(u->data, u->len, old);
			if (strcmp(now, old) == 0)
				return plat_file_mode(u->a) == (int)u->mode ?
				    EXEC_FOUND_UNDONE : EXEC_FOUND_UNDO;
		}
		if (strcmp(now, u->wrote) == 0)
			return EXEC_FOUND_UNDO;
		log_msg("kept %s as it is: it was changed after the "
		    "interrupted run wrote it (its SHA-256 is %s, not the %s "
		    "that run wrote), so putting back what was there before "
		    "would lose that change", u->a, now, u->wrote);
	}
	if (kept != NULL)
		*kept = true;
	return EXEC_FOUND_CHANGED;
}

bool
exec_apply(const struct undo *u, bool *kept, struct es_err *e)
{
	switch (u->kind) {
	case UNDO_REMOVE_TREE:
		return plat_remove_tree(u->a, e);
	case UNDO_REMOVE_FILE:
		plat_remove_write_leftovers(u->a);
		if (exec_changed_since(u, kept) != EXEC_FOUND_UNDO)
			return true;
		if (plat_file_type(u->a) == PLAT_NONE ||
		    plat_file_type(u->a) == PLAT_DIR)
			return true;
		return plat_remove(u->a, e);
	case UNDO_RMDIR:
		if (plat_file_type(u->a) == PLAT_DIR)
			plat_remove(u->a, NULL);   /* only when empty */
		return true;
	case UNDO_RENAME:
		/* Only when the move happened and was not undone yet. */
		if (plat_file_type(u->a) == PLAT_NONE ||
		    plat_file_type(u->b) != PLAT_NONE)
			return true;
		return plat_rename(u->a, u->b, e);
	case UNDO_RESTORE_FILE:
		plat_remove_write_leftovers(u->a);
		if (exec_changed_since(u, kept) != EXEC_FOUND_UNDO)
			return true;
		if (plat_file_type(u->a) == PLAT_LINK &&
		    !plat_remove(u->a, e))
			return false;
		return plat_write_file_atomic(u->a, u->data, u->len, u->mode,
		    e);
	case UNDO_SERVICE_REMOVE:
		return plat_service_remove(u->a, u->b, e);
	case UNDO_SERVICE_STOP:
		/* a: the root (journal_load() sets the one worked on now). */
		if (!plat_service_manager_running(u->a != NULL ? u->a : "/"))
			return true;
		return plat_service_stop(u->b, e);
	case UNDO_SERVICE_START:
		if (!plat_service_manager_running(u->a != NULL ? u->a : "/"))
			return true;
		return plat_service_start(u->b, e);
	case UNDO_SYMLINK:
		if (plat_file_type(u->a) == PLAT_LINK) {
			char *to = plat_read_link(u->a);
			bool same = to != NULL && strcmp(to, u->b) == 0;

			free(to);
			if (same)
				return true;
		}
		if (plat_file_type(u->a) != PLAT_NONE &&
		    plat_file_type(u->a) != PLAT_DIR &&
		    !plat_remove(u->a, e))
			return false;
		return plat_symlink(u->b, u->a, e);
	case UNDO_MKDIR:
		return plat_mkdirs(u->a, 0755, NULL, e);
	case UNDO_PRODUCT_REMOVE:
		return plat_product_unregister(u->a != NULL ? u->a : "/", u->b,
		    e);
	case UNDO_UNINSTALL:
		break;
	}
	err_set(e, ES_EINTERNAL, "cannot carry out a journal record of kind "
	    "%d here", (int)u->kind);
	return false;
}

bool
exec_rollback(struct exec *x)
{
	struct es_err e;
	size_t i, problems = 0;

	/* Newest first, and each one written down as undone before the
	 * next: the undo of a record may rely on those after it having
	 * been undone (a folder moved back before the one it was moved
	 * from is removed), so a run cut short here resumes where it
	 * stopped, and one that cannot be undone stops the undo: the next
	 * run tries again from there, in the same order. */
	for (i = x->n; i-- > 0; ) {
		err_clear(&e);
		if (!exec_apply(&x->journal[i], NULL, &e) || (x->on_disk &&
		    !journal_mark_undone(&x->disk, x->journal[i].seq, &e))) {
			log_msg("rollback problem: %s", e.msg);
			if (problems++ > 0)
				continue;
			snprintf(x->undo_problem, sizeof x->undo_problem, "%s",
			    e.msg);
			/* Its sentence is ended by the message it goes in. */
			while (strlen(x->undo_problem) > 0 &&
			    x->undo_problem[strlen(x->undo_problem) - 1] == '.')
				x->undo_problem[strlen(x->undo_problem) - 1] =
				    '\0';
			/* With a journal the next run resumes from here; only
			 * without one is the rest tried regardless. */
			if (x->on_disk)
				break;
		}
	}
	exec_clear(x);
	if (x->on_disk) {
		x->on_disk = false;
		if (problems == 0) {
			journal_end(&x->disk);
		} else {
			log_msg("the journal %s is kept: the next engine-setup "
			    "run tries the undo again", x->disk.path);
			journal_keep(&x->disk);
		}
	}
	return problems == 0;
}

bool
exec_commit(struct exec *x, struct es_err *e)
{
	if (x->on_disk && !journal_commit(&x->disk, e))
		return false;
	exec_clear(x);
	return true;
}

void
exec_end(struct exec *x)
{
	exec_clear(x);
	if (x->on_disk)
		journal_end(&x->disk);
	x->on_disk = false;
}

bool
exec_replace_files(const char *root, const char *op, const char *install_dir,
    const char *dir, const struct exec_file *files, size_t n,
    bool cancellable, struct es_err *e)
{
	/* The file the change is for; the others (the install record's sum
	 * of it) follow it. */
	const char *what = files[0].rel;
	struct exec x;
	size_t i;
	bool ok = true;

	exec_init(&x);
	if (cancellable && plat_signals_pending() > 0) {
		err_set(e, ES_ECANCEL, "cancelled by a signal (Ctrl-C, SIGTERM "
		    "or SIGHUP) before %s/%s was changed. Nothing was changed",
		    dir, what);
		exec_free(&x);
		return false;
	}
	if (!exec_begin(&x, root, op, install_dir, e)) {
		exec_free(&x);
		return false;
	}
	for (i = 0; ok && i < n; i++) {
		char *path = xasprintf("%s/%s", dir, files[i].rel), sum[65];

		/* Missing beneath dir but there through the plain path: a
		 * link on the way, which must not be followed, not even by
		 * the undo. */
		if (plat_file_type_beneath(dir, files[i].rel) == PLAT_NONE &&
		    plat_file_type(path) != PLAT_NONE) {
			err_set(e, ES_EINSTALL, "cannot write %s: a symbolic "
			    "link on the way leads out of %s. Nothing was "
			    "changed.", path, dir);
			ok = false;
		}
		crypto_sha256_hex(files[i].data, files[i].len, sum);
		ok = ok && exec_push_path_as(&x, path, sum, files[i].lock, e) &&
		    plat_write_file_beneath(dir, files[i].rel, files[i].data,
		    files[i].len, files[i].mode, e) &&
		    exec_fault(&x, files[i].rel, e);
		free(path);
	}
	/* A signal up to the commit point undoes the change. */
	ok = ok && !(cancellable && exec_cancelled(&x, e)) &&
	    exec_commit(&x, e);
	if (ok)
		exec_end(&x);
	else if (exec_rollback(&x) && e->code == ES_ECANCEL)
		err_set(e, ES_ECANCEL, "%s/%s is as it was. Nothing was "
		    "changed", dir, what);
	exec_free(&x);
	return ok;
}
