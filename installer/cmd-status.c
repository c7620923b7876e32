/* `engine-setup status`. */
#include <stdio.h>

#include "cmd.h"
#include "status.h"

int
cmd_status(const struct cli *c)
{
	struct es_err e;
	int code;

	err_clear(&e);
	if (!status_print(c->root != NULL ? c->root : "/", c->json,
	    c->wait_ready, stdout, &code, &e))
		return cmd_fail(&e);
	return code;
}
