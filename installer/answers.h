/* The answers-file format of ../shared/cli-contract.md ("Answers file"):
 * `key = value` lines, quoted values with \\ \" \n escapes, and install4j
 * .varfile lines (`name$Type=value`, backslash-escaped as Java properties).
 * Every answer goes into a struct plan through plan_set(). */
#ifndef ES_ANSWERS_H
#define ES_ANSWERS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "plan.h"

#define ANSWERS_MAX_SIZE (1u << 20)

/* Parse answers text; every problem is reported (file:line, key, nearest
 * known key), not only the first. */
bool answers_parse(struct plan *p, const char *text, size_t len,
    const char *filename, int priority, struct es_err *e);
/* Read and parse an answers file or .varfile. */
bool answers_load(struct plan *p, const char *path, int priority,
    struct es_err *e);
/* The answers an installation recorded (<install_dir>/.install/answers,
 * under root), into p at PLAN_SRC_FILE. False when they cannot be read;
 * p then holds what could be. */
bool answers_load_recorded(struct plan *p, const char *root,
    const char *install_dir);
/* One `KEY=VALUE` from --set or -V (value taken literally). */
bool answers_set_arg(struct plan *p, const char *arg, int priority,
    struct es_err *e);

#endif
