/* `engine-setup status`: what is installed, service state, consoles. */
#ifndef ES_STATUS_H
#define ES_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

/* The exit code status adds (../shared/cli-contract.md). */
#define STATUS_NEEDS_ATTENTION 10

/* Print what is installed under root on out. *code is 0, or
 * STATUS_NEEDS_ATTENTION when a problem was found (each is printed on a
 * "Problem:" line): an interrupted run's journal, or an install pointer
 * or record that is damaged or names a path outside root (record_load),
 * which is then not followed. False with e set when the installation
 * cannot be read. Changes nothing. */
bool status_print(const char *root, FILE *out, int *code, struct es_err *e);

#endif
