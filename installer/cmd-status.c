/* `engine-setup status`. */
#include <stdio.h>

#include "cmd.h"
#include "status.h"

int
cmd_status(const struct cli *c)
{
	const char *root = c->root != NULL ? c->root : "/";
	struct status st;
	struct es_err e;
	int code;

	err_clear(&e);
	if (!status_collect(root, &st, &e)) {
		status_free(&st);
		return cmd_fail(&e);
	}
	/* --wait-ready: the progress comes before the facts. */
	status_ready(&st, root, c->wait_ready, c->wait_ready >= 0 ?
	    stdout : NULL);
	status_print_text(&st, root, stdout);
	code = status_code(&st);
	status_free(&st);
	return code;
}
