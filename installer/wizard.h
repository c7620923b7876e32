/* The full-screen ncurses wizard (installer/wizard/). */
#ifndef ES_WIZARD_H
#define ES_WIZARD_H

#include "session.h"

/* wizard_run() returns this when no usable terminal could be opened; the
 * caller falls back to the line-mode prompts. */
#define WIZARD_NO_TERMINAL (-1)

/* Walk the pages, install, show the result. Returns an exit code of
 * ../shared/cli-contract.md, or WIZARD_NO_TERMINAL. */
int wizard_run(struct session *s);

#endif
