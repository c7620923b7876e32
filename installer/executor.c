#include "executor.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "platform.h"
#include "util.h"

void
exec_init(struct exec *x)
{
	memset(x, 0, sizeof *x);
	x->fault = getenv("ES_TEST_FAULT");
}

static void
exec_clear(struct exec *x)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		free(x->journal[i].a);
		free(x->journal[i].b);
		if (x->journal[i].data != NULL) {
			util_wipe(x->journal[i].data, x->journal[i].len);
			free(x->journal[i].data);
		}
	}
	x->n = 0;
}

void
exec_free(struct exec *x)
{
	exec_clear(x);
	free(x->journal);
	x->journal = NULL;
	x->cap = 0;
}

static struct undo *
exec_new(struct exec *x, enum undo_kind kind)
{
	struct undo *u;

	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 32;
		x->journal = xrealloc(x->journal, x->cap * sizeof *x->journal);
	}
	u = &x->journal[x->n++];
	memset(u, 0, sizeof *u);
	u->kind = kind;
	return u;
}

void
exec_push(struct exec *x, enum undo_kind kind, const char *a, const char *b)
{
	struct undo *u = exec_new(x, kind);

	u->a = a != NULL ? xstrdup(a) : NULL;
	u->b = b != NULL ? xstrdup(b) : NULL;
}

void
exec_push_restore(struct exec *x, const char *path, const char *data,
    size_t len, unsigned mode)
{
	struct undo *u = exec_new(x, UNDO_RESTORE_FILE);

	u->a = xstrdup(path);
	u->data = xmalloc(len);
	memcpy(u->data, data, len);
	u->len = len;
	u->mode = mode;
}

bool
exec_cancelled(struct exec *x, struct es_err *e)
{
	(void)x;
	if (plat_signals_pending() == 0)
		return false;
	err_set(e, ES_ECANCEL, "cancelled by a signal (Ctrl-C or SIGTERM): "
	    "everything this run changed is being undone");
	return true;
}

/* Test hook: make a named step fail, raise a signal or stop the process,
 * so that rollback and the run lock can be tested end to end (tests/e2e). Compiled in on purpose: a fault
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
		raise(SIGSTOP);   /* a test holds the run here, then SIGCONT */
		return true;
	}
	err_set(e, ES_EINSTALL, "injected failure at step '%s' "
	    "(ES_TEST_FAULT)", title);
	return false;
}

bool
exec_run(struct exec *x, const struct exec_step *steps, size_t n, void *ctx,
    struct es_err *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (exec_cancelled(x, e))
			goto fail;
		if (x->report != NULL)
			x->report(i, n, steps[i].title, x->report_arg);
		log_msg("step %zu/%zu: %s", i + 1, n, steps[i].title);
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
		    steps[i < n ? i : n - 1].title);
	log_msg("failed: %s", e->msg);
	log_msg("rolling back %zu change(s)", x->n);
	exec_rollback(x);
	return false;
}

void
exec_rollback(struct exec *x)
{
	struct es_err e;
	size_t i;

	for (i = x->n; i-- > 0; ) {
		struct undo *u = &x->journal[i];

		err_clear(&e);
		switch (u->kind) {
		case UNDO_REMOVE_TREE:
			plat_remove_tree(u->a, &e);
			break;
		case UNDO_REMOVE_FILE:
			if (plat_file_type(u->a) != PLAT_NONE)
				plat_remove(u->a, &e);
			break;
		case UNDO_RMDIR:
			plat_remove(u->a, NULL);   /* only when empty */
			break;
		case UNDO_RENAME:
			plat_rename(u->a, u->b, &e);
			break;
		case UNDO_RESTORE_FILE:
			plat_write_file_atomic(u->a, u->data, u->len, u->mode,
			    &e);
			break;
		case UNDO_SERVICE_REMOVE:
			plat_service_remove(u->a, u->b, &e);
			break;
		case UNDO_SERVICE_STOP:
			plat_service_stop(u->b, &e);
			break;
		case UNDO_SERVICE_START:
			plat_service_start(u->b, &e);
			break;
		case UNDO_SYMLINK:
			if (plat_file_type(u->a) != PLAT_NONE)
				plat_remove(u->a, NULL);
			plat_symlink(u->b, u->a, &e);
			break;
		case UNDO_MKDIR:
			plat_mkdirs(u->a, 0755, NULL, &e);
			break;
		}
		if (e.code != 0)
			log_msg("rollback problem: %s", e.msg);
	}
	exec_clear(x);
}

void
exec_commit(struct exec *x)
{
	exec_clear(x);
}
