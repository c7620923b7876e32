/* `engine-setup uninstall`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "runlock.h"
#include "uninstall.h"

/* Say what uninstall removes, then ask on standard input (a terminal or
 * not: a script may pipe the answer in). True for y or yes; false for
 * anything else, end of input or a signal, having said that nothing
 * was changed. */
static bool
uninstall_confirm(const struct cli *c, const char *root)
{
	struct record r;
	struct es_err local;
	char line[64], *logs;
	size_t i, n;

	/* Read only: the run lock is taken once the answer is yes. */
	record_init(&r);
	err_clear(&local);
	if (record_load(root, &r, &local)) {
		logs = plat_join_root(root, r.install_dir);
		printf("This removes %s %s (%s) from %s",
		    r.product ? r.product : "the installation",
		    r.version ? r.version : "", r.component, r.install_dir);
		for (i = 0; i < r.services.n; i++)
			printf("%s service %s", i == 0 ? ", with its" : " and",
			    r.services.v[i]);
		printf(": the %zu files and folders it made, and its record. "
		    "%s %s/" RECORD_DIR_REL "/.\n", r.n, c->purge ?
		    "With --purge its logs go too, from" : "Its logs stay in",
		    logs);
		free(logs);
	}
	record_free(&r);
	printf("Remove the installation%s%s? Yes [y], No [n, Enter]: ",
	    c->root ? " under " : "", c->root ? c->root : "");
	fflush(stdout);
	if (plat_signals_pending() == 0 && fgets(line, sizeof line, stdin) !=
	    NULL && plat_signals_pending() == 0) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0)
			return true;
		printf("Nothing was changed.\n");
		return false;
	}
	printf("\n%s: nothing was changed. To uninstall without being "
	    "asked, add --silent.\n", plat_signals_pending() > 0 ?
	    "Cancelled by a signal" : "No answer (end of input)");
	return false;
}

int
cmd_uninstall(const struct cli *c)
{
	struct es_err e;
	struct plat_run_lock *lock = NULL;
	const char *root = c->root != NULL ? c->root : "/";
	char *state;
	bool had;
	int rc = 0;

	err_clear(&e);
	plat_signals_install();
	if (c->root == NULL && !plat_is_admin()) {
		err_set(&e, ES_EREQ, "uninstalling needs administrator rights: "
		    "%s", plat_admin_advice());
		return cmd_fail(&e);
	}
	if (!c->silent && !uninstall_confirm(c, root))
		return ES_ECANCEL;
	state = plat_state_file(root);
	had = plat_file_type(state) != PLAT_NONE;
	if (!runlock_take(root, c->wait_lock, stdout, &lock, &e) ||
	    !log_open(c->log, &e) || !uninstall_run(root, c->purge, stdout, &e))
		rc = cmd_fail(&e);
	log_close();
	plat_run_lock_release(lock);
	/* The folders above the state file that engine-setup made and that
	 * are now empty (var/lib, var under a --root), with or without
	 * --purge, once an installation was removed. */
	if (had && plat_file_type(state) == PLAT_NONE)
		uninstall_purge_state(root);
	free(state);
	return rc;
}
