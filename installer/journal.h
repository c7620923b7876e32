/* The write-ahead journal (issue 9): what a run is about to change, on
 * disk before it changes it, so that a run a crash or power loss cut short
 * can be finished by the next one.
 *
 * It lives beside the install pointer, in plat_state_file()'s folder:
 * "journal" while the run can still be undone, renamed to
 * "journal.committed" at the run's commit point (rename(2) is atomic), and
 * removed when the run is over. Each record is one line holding one JSON
 * object, flushed to the disk before the change it describes begins; a
 * torn last line is a record whose change never began. Format and rules:
 * docs/journal.md. */
#ifndef ES_JOURNAL_H
#define ES_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* One change and how to undo it (before the commit point), or one thing
 * that completes the run (after it). Every kind is idempotent, and each
 * is safe whether or not the change it answers had happened, so that a
 * journal can be replayed after a crash at any point. */
enum undo_kind {
	UNDO_REMOVE_TREE,    /* remove a folder this run made, with contents */
	UNDO_REMOVE_FILE,    /* remove a file or link this run made */
	UNDO_RMDIR,          /* remove a folder this run made, if empty */
	UNDO_RENAME,         /* rename a back to b (when a exists, b not) */
	UNDO_RESTORE_FILE,   /* write saved bytes back to a file it replaced */
	UNDO_SERVICE_REMOVE, /* unregister a service (a = root, b = name) */
	UNDO_SERVICE_STOP,   /* stop a service this run started (b = name) */
	UNDO_SERVICE_START,  /* start a service this run stopped (b = name) */
	UNDO_MKDIR,          /* make again a folder this run removed */
	UNDO_SYMLINK,        /* make again a link a -> b this run replaced */
	UNDO_UNINSTALL,      /* finish an uninstall: a = root; data = the
	                      * install record's text (older versions),
	                      * else the installation's own is read */
	UNDO_PRODUCT_REMOVE  /* remove the entry b from the list of
	                      * installed programs (a = root) */
};

struct undo {
	enum undo_kind kind;
	char *a, *b;
	char *data;
	size_t len;
	unsigned mode;
	/* restore-file and remove-file of a file another program changes
	 * too (consoles.xml, which the engine appends to): the SHA-256 (64
	 * lowercase hex digits) of the bytes this run wrote to a, and the
	 * lock file both take around a change of it; NULL when not. The undo
	 * leaves a file that is neither those bytes nor the saved ones: it
	 * was changed after this run wrote it (exec_apply()). */
	char *wrote;
	char *lock;
	size_t seq;          /* its record's number in the journal, from 0 */
};

struct journal_entry {
	bool finish;         /* false: undo record; true: completes the run */
	bool undone;         /* an "undone" line says it was undone already */
	struct undo u;
};

struct plat_append_file;

struct journal {
	char *path;                   /* <state folder>/journal */
	char *committed_path;         /* <state folder>/journal.committed */
	struct plat_append_file *f;   /* open while a run appends */
	/* What the header says (journal_load). */
	char *op;                     /* "install", "uninstall", ... */
	char *install_dir;
	char *started;                /* UTC, ISO 8601 */
	long pid;
	bool committed;
	struct journal_entry *v;      /* journal_load: the records, in order */
	size_t n, cap;
	size_t nrec;                  /* records written (the next seq) */
	size_t whole;                 /* bytes of whole lines (journal_load) */
};

/* Start a run's journal in root's state folder: the header (op, the
 * install_dir it is about, this process's id, the time), flushed. False
 * with e set when it cannot be written (nothing is changed then), or
 * ES_EEXISTS when a journal is there already (recover_run() finishes it
 * first). */
bool journal_begin(struct journal *j, const char *root, const char *op,
    const char *install_dir, struct es_err *e);
/* Append one record, on the disk when this returns true. */
bool journal_append(struct journal *j, bool finish, const struct undo *u,
    struct es_err *e);
/* Write down, durably, that the undo record seq has been carried out.
 * An undo goes strictly newest first, so a run cut short while undoing
 * resumes where it stopped and never replays a record whose undo later
 * ones built on (a folder moved back, then the one it came from
 * removed). */
bool journal_mark_undone(struct journal *j, size_t seq, struct es_err *e);
/* The commit point: rename journal to journal.committed and flush the
 * folder. From here on the run is completed, never undone. */
bool journal_commit(struct journal *j, struct es_err *e);
/* The run is over (undone, or completed): remove the journal. */
void journal_end(struct journal *j);
/* Leave the journal on the disk for the next run to finish, and free. */
void journal_keep(struct journal *j);
/* Read root's journal. False with e->code 0 when there is none; with an
 * error (ES_EINSTALL) when one is there but cannot be read or is damaged
 * before its last line. */
bool journal_load(const char *root, struct journal *j, struct es_err *e);
/* Does root hold a journal? (status: nothing is read or changed.) */
bool journal_exists(const char *root, bool *committed);
void journal_free(struct journal *j);
void journal_undo_free(struct undo *u);

#endif
