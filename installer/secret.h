/* Where the console's shared secret comes from: a file, the environment,
 * a prompt without echo, or (with a warning) an answer. It is never logged,
 * printed, recorded or stored; buffers that held it are wiped. */
#ifndef ES_SECRET_H
#define ES_SECRET_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "plan.h"

struct secret_source {
	const char *file;      /* --secret-file / shared_secret_file */
	const char *value;     /* shared_secret / -VsharedSecret */
	const char *value_origin;  /* the answers file it came from, or NULL
	                            * for the command line */
	bool file_warned;      /* file's mode was looked at already (it came
	                        * from a plan: secret_warn_plan_files()) */
	bool may_prompt;       /* ask on the terminal when nothing else */
	FILE *in, *out;        /* for the prompt */
};

/* The secret as typed (caller frees with util_free_secret), or NULL with
 * e set. Warnings (ps shows --set values; an answers file others can read
 * holds a secret) go to warn. */
char *secret_obtain(const struct secret_source *src, FILE *warn,
    struct es_err *e);
/* Fill a secret_source from a plan's answers. */
void secret_from_plan(const struct plan *p, struct secret_source *src);
/* Warn on warn (NULL: do not) when the file path, which holds what holds
 * says ("the shared secret"), may be read by other users, in the same
 * words for every such file. */
void secret_warn_readable(const char *path, const char *holds, FILE *warn);
/* secret_warn_readable() for every file answer of p that holds a secret
 * (shared_secret_file, console_admin_password_file): the front ends that
 * warn call it once for the plan. */
void secret_warn_plan_files(const struct plan *p, FILE *warn);

#endif
