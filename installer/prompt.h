/* Line-mode prompts (--text, install4j -c, and whenever there is no usable
 * terminal): the wizard's pages as questions on standard input/output, in
 * the reference installer's style. */
#ifndef ES_PROMPT_H
#define ES_PROMPT_H

#include <stdio.h>

#include "session.h"

/* Ask, install, report. End of input cancels (exit 5, nothing changed).
 * Returns an exit code of ../shared/cli-contract.md. */
int prompt_run(struct session *s, FILE *in, FILE *out);

#endif
