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
#include "record.h"

/* Reports what it does on out. Nothing installed is success. A signal
 * (plat_signals_install()) that comes before the commit point cancels
 * (ES_ECANCEL, nothing changed); one that comes after it does not stop
 * the uninstall, which is finished and says so on out. */
bool uninstall_run(const char *root, FILE *out, struct es_err *e);

/* Remove what r lists under root, as uninstall_run() does; safe to run
 * again on a half-removed installation. out may be NULL (quiet). */
bool uninstall_apply(const char *root, const struct record *r, FILE *out,
    struct es_err *e);

#endif
