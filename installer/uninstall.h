/* Uninstall: remove what the install record says an installation created
 * (files, folders, services, the pointer file), keeping its logs. It is
 * journalled (journal.h) and goes only forward: its commit point comes
 * before its first change, so a run a crash cut short is completed by the
 * next one (recover.h). */
#ifndef ES_UNINSTALL_H
#define ES_UNINSTALL_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "platform.h"
#include "record.h"

/* What an uninstall removed, and what it left that is not a log. */
struct uninstall_left {
	struct strlist path, why;   /* as the host sees it; why: a phrase */
};
struct uninstall_summary {
	size_t files, folders;        /* removed in install_dir */
	size_t logs;                  /* --purge: log files and folders */
	struct strlist services;      /* removed */
	bool product;                 /* its entry in the list of installed
	                               * programs (Windows) */
	bool command;                 /* the command on PATH (command.h) */
	char *command_kept;           /* what the command on PATH the
	                               * installation made is now, when it
	                               * was replaced and so kept; or NULL */
	bool record;                  /* the install record and pointer */
	struct strlist folders_gone;  /* --purge: install_dir and the folders
	                               * made above it, removed */
	struct uninstall_left left;   /* what stays that is not a log */
};

void uninstall_summary_init(struct uninstall_summary *s);
void uninstall_summary_free(struct uninstall_summary *s);

/* Reports what it does on out, then "Removed: ..." (what it removed),
 * then the consoles (consoles.xml) to remove the engine in. Nothing
 * installed is success. With purge the logs go too, then install_dir and
 * the folders made above it when that leaves them empty. Anything other
 * than logs that stays (a changed file, one the installation did not
 * make, one that could not be removed) is named on out with why and makes
 * it fail with ES_EINSTALL once the uninstall is complete. A signal
 * (plat_signals_install()) that comes before the commit point cancels
 * (ES_ECANCEL, nothing changed); one that comes after it does not stop
 * the uninstall, which is finished and says so on out. */
bool uninstall_run(const char *root, bool purge, FILE *out,
    struct es_err *e);

/* Remove what r lists under root, as uninstall_run() does, the kept copy
 * (plat_program_name()) last after the command on PATH; safe to run again
 * on a half-removed installation. What it removed and what stays that is
 * not a log go into sum (NULL: not wanted; else freed by the caller with
 * uninstall_summary_free()). out may be NULL (quiet). */
bool uninstall_apply(const char *root, const struct record *r, bool purge,
    struct uninstall_summary *sum, FILE *out, struct es_err *e);

/* Whether rel (relative to install_dir, of type t) is a log an uninstall
 * keeps and --purge removes: the folder .install and the *.log files
 * directly in it, and the log folders nse/logs and nsc/logs with
 * everything in them. */
bool uninstall_is_log(const char *rel, enum plat_ftype t);
/* Whether the folder rel (relative to install_dir; idir is install_dir
 * under the root) is one on the way to a log folder of uninstall_is_log()
 * that is there ("nse" when idir holds "nse/logs"). */
bool uninstall_log_parent(const char *idir, const char *rel);

/* After an uninstall under a --root folder (with or without --purge),
 * once the run lock is released: the folders above the state file
 * (plat_state_file()) that are left empty, up to the root (the run lock
 * makes them and no record lists them). Root "/" is left alone. */
void uninstall_purge_state(const char *root);

#endif
