/* `engine-setup status`. */
#include <stdio.h>

#include "cmd.h"
#include "platform.h"
#include "status.h"

int
cmd_status(const struct cli *c)
{
	struct es_err e;
	int code;

	err_clear(&e);
	/* --wait-ready: Ctrl-C or SIGTERM ends the wait, the facts are still
	 * printed, and the exit is the contract's 5 (cancelled). */
	if (c->wait_ready >= 0)
		plat_signals_install();
	if (!status_print(c->root != NULL ? c->root : "/", c->json,
	    c->wait_ready, stdout, &code, &e))
		return cmd_fail(&e);
	if (c->wait_ready >= 0 && plat_signals_pending() > 0)
		return ES_ECANCEL;
	return code;
}
