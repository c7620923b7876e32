/* Uninstall: remove what the install record says an installation created
 * (files, folders, services, the pointer file), keeping its logs. */
#ifndef ES_UNINSTALL_H
#define ES_UNINSTALL_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

/* Reports what it does on out. Nothing installed is success. */
bool uninstall_run(const char *root, FILE *out, struct es_err *e);

#endif
