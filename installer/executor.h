/* The executor: carries out a list of steps as one transaction. Each step
 * records how to undo what it changed in a journal; on failure, cancel or a
 * signal the journal is undone in reverse order (STYLE.md). */
#ifndef ES_EXECUTOR_H
#define ES_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum undo_kind {
	UNDO_REMOVE_TREE,    /* remove a folder this run made, with contents */
	UNDO_REMOVE_FILE,    /* remove a file this run made */
	UNDO_RMDIR,          /* remove a folder this run made, if empty */
	UNDO_RENAME,         /* rename a (now) back to b */
	UNDO_RESTORE_FILE,   /* write saved bytes back to a file it replaced */
	UNDO_SERVICE_REMOVE, /* unregister a service (a = root, b = name) */
	UNDO_SERVICE_STOP,   /* stop a service this run started (b = name) */
	UNDO_SERVICE_START,  /* start a service this run stopped (b = name) */
	UNDO_MKDIR,          /* make again a folder this run removed */
	UNDO_SYMLINK         /* make again a link a -> b this run replaced */
};

struct undo {
	enum undo_kind kind;
	char *a, *b;
	char *data;
	size_t len;
	unsigned mode;
};

struct exec;

/* One step: run() does the work and pushes undo records. */
struct exec_step {
	const char *title;
	bool (*run)(struct exec *x, void *ctx, struct es_err *e);
};

/* Called when a step starts (index, count, title). */
typedef void (*exec_report_fn)(size_t i, size_t n, const char *title,
    void *arg);

struct exec {
	struct undo *journal;
	size_t n, cap;
	exec_report_fn report;
	void *report_arg;
	const char *fault;    /* ES_TEST_FAULT: "<step title>:fail|signal|stop" */
};

void exec_init(struct exec *x);
void exec_free(struct exec *x);
void exec_push(struct exec *x, enum undo_kind kind, const char *a,
    const char *b);
/* Remember a file's bytes before it is replaced. */
void exec_push_restore(struct exec *x, const char *path, const char *data,
    size_t len, unsigned mode);
/* True when a signal asked to stop; sets a cancel error. */
bool exec_cancelled(struct exec *x, struct es_err *e);
/* Run the steps; on failure undo and return false with e set (code 5 for a
 * cancel or signal). */
bool exec_run(struct exec *x, const struct exec_step *steps, size_t n,
    void *ctx, struct es_err *e);
/* Undo the journal in reverse order; problems are logged. */
void exec_rollback(struct exec *x);
/* Forget the journal: the changes stay. */
void exec_commit(struct exec *x);

#endif
