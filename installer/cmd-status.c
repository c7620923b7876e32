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
	/* A --root that is not there is a mistake in the command (a typing
	 * error, an image not mounted), not an answer "not installed". */
	if (c->root != NULL && (plat_file_type(c->root) == PLAT_NONE ||
	    plat_file_type(c->root) == PLAT_FILE ||
	    plat_file_type(c->root) == PLAT_OTHER)) {
		err_set(&e, ES_EUSAGE, "--root %s: %s, so it holds no "
		    "installation to show; give the folder the installation "
		    "was made with (install --root DIR)", c->root,
		    plat_file_type(c->root) == PLAT_NONE ? "no such folder" :
		    "not a folder");
		return cmd_fail(&e);
	}
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
