/* `engine-setup status`: what is installed, service state, consoles. */
#ifndef ES_STATUS_H
#define ES_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

bool status_print(const char *root, FILE *out, struct es_err *e);

#endif
