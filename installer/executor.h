/* The executor: carries out a list of steps as one transaction. Before a
 * step changes anything it records how to undo the change, in memory and
 * in the write-ahead journal on the disk (journal.h), so that the change
 * can be undone on failure, cancel or a signal (in reverse order,
 * STYLE.md) and, after a crash, by the next run (recover.h). */
#ifndef ES_EXECUTOR_H
#define ES_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "journal.h"

struct exec;

/* One step: run() records each change with exec_push*() before it makes
 * it, then makes it. applies() (NULL: always) says whether the step has
 * anything to do for this run; one that has not is neither run, counted
 * nor shown. */
struct exec_step {
	const char *title;
	bool (*run)(struct exec *x, void *ctx, struct es_err *e);
	bool (*applies)(const void *ctx);
};

/* Called when a step starts (index, count, title), counting only the
 * steps that apply. */
typedef void (*exec_report_fn)(size_t i, size_t n, const char *title,
    void *arg);

struct exec {
	struct undo *journal;   /* the undo records, in the order made */
	size_t n, cap;
	struct journal disk;    /* the same, on the disk (exec_begin) */
	bool on_disk;
	exec_report_fn report;
	void *report_arg;
	const char *fault;    /* ES_TEST_FAULT: "<step>:fail|signal|stop|kill" */
	/* exec_rollback() stopped short: why (empty when it did not). The
	 * journal is kept; the next run finishes the undo. */
	char undo_problem[ES_ERR_MSG_MAX];
};

void exec_init(struct exec *x);
/* Start the journal on the disk in root's state folder for a run of op
 * ("install", "uninstall", "pair", "consoles") about install_dir. Without
 * it the executor journals in memory only. False with e set when the
 * journal cannot be written; nothing has changed then. */
bool exec_begin(struct exec *x, const char *root, const char *op,
    const char *install_dir, struct es_err *e);
void exec_free(struct exec *x);
/* Record how to undo a change that is about to be made; the record is on
 * the disk when this returns true. Make the change only then: on false
 * (the disk is full) the step fails without making it. */
bool exec_push(struct exec *x, enum undo_kind kind, const char *a,
    const char *b, struct es_err *e);
/* Record how to undo the making of path and of every folder above it that
 * does not exist yet, then make them (mkdir -p); mode for new folders. */
bool exec_mkdirs(struct exec *x, const char *path, unsigned mode,
    struct es_err *e);
/* Record how to put back path as it is now (its bytes, a link's target,
 * or nothing: then it is removed), before a change to it. A folder needs
 * nothing. */
bool exec_push_path(struct exec *x, const char *path, struct es_err *e);
/* Record something that completes the run after its commit point (a
 * finish record): done by the run itself after exec_commit(), and by the
 * next run if a crash comes first. */
bool exec_push_finish(struct exec *x, enum undo_kind kind, const char *a,
    const char *b, struct es_err *e);
/* True when a signal asked to stop; sets a cancel error. */
bool exec_cancelled(struct exec *x, struct es_err *e);
/* Run the steps that apply; on failure undo and return false with e set
 * (code 5 for a cancel or signal). */
bool exec_run(struct exec *x, const struct exec_step *steps, size_t n,
    void *ctx, struct es_err *e);
/* Undo the records in reverse order. True when everything was undone (the
 * journal is then removed); false when something could not be (logged,
 * and why in x->undo_problem; the undo stops there and the journal stays
 * for the next run to resume it). */
bool exec_rollback(struct exec *x);
/* The commit point (journal_commit): from here the changes stay and the
 * finish records are what is left to do. */
bool exec_commit(struct exec *x, struct es_err *e);
/* The run is over: remove the journal. */
void exec_end(struct exec *x);
/* One file exec_replace_files() writes: rel beneath its folder, the
 * bytes and the permission bits. */
struct exec_file {
	const char *rel;
	const void *data;
	size_t len;
	unsigned mode;
	/* The lock another program that changes the file takes around its
	 * change (consoles.xml's), as a path; NULL for none. A run cut short
	 * is undone under it (recover_run()). */
	const char *lock;
};
/* One journalled change outside an install: replace the content of the
 * n files beneath dir (plat_write_file_beneath(), so never through a
 * link) for a run of op on root's installation at install_dir, all of
 * them or none, so that a crash leaves the old files or the new ones and
 * nothing else. When cancellable, a signal (plat_signals_install()) that
 * came before the commit point leaves the old files (ES_ECANCEL);
 * otherwise signals are not looked at (pair: the console has registered
 * the engine already). Each file's record holds the SHA-256 of its new
 * bytes: a run cut short is undone only for the files that still hold
 * them (exec_apply()). */
bool exec_replace_files(const char *root, const char *op,
    const char *install_dir, const char *dir, const struct exec_file *files,
    size_t n, bool cancellable, struct es_err *e);
/* Carry out one record (undo or finish); idempotent. False with e set.
 * A restore-file or remove-file record with a sum (wrote) leaves a file
 * that holds neither the bytes that run wrote nor the saved ones: someone
 * changed it after that run wrote it (the engine appended a console), and
 * putting the old bytes back would lose that. Then it is logged, *kept
 * set (when kept is not NULL), and true returned. */
bool exec_apply(const struct undo *u, bool *kept, struct es_err *e);

#endif
