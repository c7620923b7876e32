/* The install log: kept in memory during a run (it is small), copied to
 * --log FILE as it is written, and saved in <install_dir>/.install/ at the
 * end. Callers never pass secrets to it. */
#ifndef ES_LOG_H
#define ES_LOG_H

#include <stdbool.h>

#include "error.h"

/* Also append every line to path (created 0600); NULL for none. */
bool log_open(const char *path, struct es_err *e);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The whole log of this run so far. */
const char *log_text(void);
void log_close(void);

#endif
