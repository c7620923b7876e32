/* `engine-setup consoles list|enable|disable`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "cmd.h"
#include "runlock.h"
#include "status.h"

/* The installation's folder under the root (where consoles.xml is),
 * found through the install record. Caller frees. */
static char *
consoles_install_dir(const struct cli *c, struct record *r, struct es_err *e)
{
	const char *root = c->root != NULL ? c->root : "/";

	if (!record_load(root, r, e)) {
		if (e->code == 0)
			err_set(e, ES_EUSAGE, "nothing is installed%s%s: "
			    "install a Scan Engine first",
			    c->root ? " under " : "", c->root ? c->root : "");
		record_damaged_explain(root, r, e);
		return NULL;
	}
	return plat_join_root(root, r->install_dir);
}

static int
consoles_list(const struct cli *c)
{
	struct es_err e;
	struct record r;
	struct consoles cs;
	char *idir;
	size_t i;
	int rc = 0;

	err_clear(&e);
	record_init(&r);
	memset(&cs, 0, sizeof cs);
	if ((idir = consoles_install_dir(c, &r, &e)) == NULL ||
	    !consoles_load(&cs, idir, &e)) {
		rc = cmd_fail(&e);
		goto out;
	}
	if (cs.n == 0) {
		struct plan p;
		struct sbuf b;

		/* On stderr: standard output stays one console a line
		 * (cli-contract.md), empty when there is none. */
		plan_init(&p);
		sbuf_init(&b);
		answers_load_recorded(&p, c->root != NULL ? c->root : "/",
		    r.install_dir);
		consoles_none_advice(r.component,
		    plan_get(&p, PK_COMMUNICATION),
		    c->root != NULL ? c->root : "/", &b);
		fprintf(stderr, "No consoles: %s\n", b.s);
		sbuf_free(&b);
		plan_free(&p);
	}
	for (i = 0; i < cs.n; i++) {
		consoles_entry_show(&cs.v[i]);
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", cs.v[i].id ? cs.v[i].id : "",
		    cs.v[i].enabled ? "enabled" : "disabled",
		    cs.v[i].connect_to ? "engine-to-console" :
		    "console-to-engine", cs.v[i].name ? cs.v[i].name : "",
		    cs.v[i].last_address ? cs.v[i].last_address : "",
		    cs.v[i].port ? cs.v[i].port : "");
	}
out:
	consoles_free(&cs);
	record_free(&r);
	free(idir);
	return rc;
}

/* consoles enable|disable ID|ADDRESS: the seed's standard-pairing step
 * "change the value for the enabled attribute from 0 to 1", done with an
 * XML parser and an atomic rewrite. */
static int
consoles_toggle(const struct cli *c, bool enable)
{
	struct es_err e;
	struct record r;
	struct console_entry which;
	struct plat_run_lock *lock = NULL;
	struct plat_file_lock *xlock = NULL;
	struct sbuf shown;
	const char *root = c->root != NULL ? c->root : "/";
	char *path = NULL, *text = NULL, *out = NULL, *idir = NULL;
	size_t len, outlen;
	bool changed;
	int mode, rc = 0;

	err_clear(&e);
	sbuf_init(&shown);
	record_init(&r);
	memset(&which, 0, sizeof which);
	plat_signals_install();
	if (c->args.n != 2) {
		err_set(&e, ES_EUSAGE, "usage: engine-setup consoles %s "
		    "ID|ADDRESS [--root DIR] [--restart]",
		    enable ? "enable" : "disable");
		rc = cmd_fail(&e);
		goto out;
	}
	if (c->root == NULL && !plat_is_admin()) {
		err_set(&e, ES_EREQ, "changing consoles.xml needs "
		    "administrator rights: %s", plat_admin_advice());
		rc = cmd_fail(&e);
		goto out;
	}
	if (!runlock_take(root, c->wait_lock, stdout, &lock, &e) ||
	    (idir = consoles_install_dir(c, &r, &e)) == NULL) {
		rc = cmd_fail(&e);
		goto out;
	}
	path = xasprintf("%s/" CONSOLES_REL, idir);
	/* The engine appends consoles too: read anew under the lock, which
	 * is kept until the new file is in place. */
	if (!consoles_lock(idir, stdout, &xlock, &e) ||
	    (text = consoles_read(idir, &len, &e)) == NULL ||
	    !consoles_set_enabled(text, len, path, c->args.v[1], enable, &out,
	    &outlen, &changed, &which, &e)) {
		rc = cmd_fail(&e);
		goto out;
	}
	consoles_entry_show(&which);
	if (!changed) {
		printf("Console %s (%s, %s) is already %s: nothing changed.\n",
		    which.id ? which.id : "?", which.name ? which.name : "-",
		    which.last_address ? which.last_address : "-",
		    enable ? "enabled" : "disabled");
		goto out;
	}
	mode = plat_file_mode(path);
	if (!cmd_replace_consoles(root, "consoles", &r, idir, out, outlen,
	    mode > 0 ? (unsigned)mode & 0640 : 0640, true, &e)) {
		rc = cmd_fail(&e);
		goto out;
	}
	plat_file_lock_release(xlock);
	xlock = NULL;
	printf("%s console %s (%s, %s).\n", enable ? "Enabled" : "Disabled",
	    which.id ? which.id : "?", which.name ? which.name : "-",
	    which.last_address ? which.last_address : "-");
	if (plat_signals_pending() > 0 && !c->restart)
		printf("A signal (Ctrl-C, SIGTERM or SIGHUP) came once the "
		    "change was saved: it is kept.\n");
	if (r.services.n == 0)
		goto out;
	if (c->restart && plat_signals_pending() > 0) {
		/* Past its commit point the change stays; the restart, not
		 * begun yet, is what the signal cancels. */
		err_set(&e, ES_ECANCEL, "a signal (Ctrl-C, SIGTERM or SIGHUP) "
		    "came after consoles.xml was changed: the change is kept, "
		    "but %s was not restarted. Restart it so the change takes "
		    "effect", r.services.v[0]);
		rc = cmd_fail(&e);
		goto out;
	}
	if (c->restart && plat_service_manager_running(root)) {
		if (!plat_service_stop(r.services.v[0], &e) ||
		    !plat_service_start(r.services.v[0], &e)) {
			rc = cmd_fail(&e);
			goto out;
		}
		printf("Restarted %s: the change is in effect.\n",
		    r.services.v[0]);
	} else if (c->restart) {
		printf("Not restarted: no running service manager%s. Restart "
		    "%s where it runs so the change takes effect.\n",
		    c->root ? " for this --root" : "", r.services.v[0]);
	} else if (!consoles_can_restart(c->root)) {
		/* No service manager runs it here: --restart would not. */
		printf("Restart the Scan Engine where it runs so the change "
		    "takes effect (restart the %s service there; under --root "
		    "engine-setup cannot), then Refresh the engine in the "
		    "console.\n", r.services.v[0]);
	} else {
		struct sbuf cmd;

		sbuf_init(&cmd);
		consoles_toggle_command(c->args.v[1], enable, true, c->root,
		    &cmd);
		printf("Restart the Scan Engine so the change takes effect "
		    "(%s, or restart the %s service), then Refresh the engine "
		    "in the console.\n", str_shown(&shown, cmd.s),
		    r.services.v[0]);
		sbuf_free(&cmd);
	}
out:
	sbuf_free(&shown);
	consoles_entry_free(&which);
	record_free(&r);
	free(idir);
	free(path);
	free(text);
	free(out);
	plat_file_lock_release(xlock);
	plat_run_lock_release(lock);
	return rc;
}

int
cmd_consoles(const struct cli *c)
{
	struct es_err e;

	err_clear(&e);
	if (c->args.n >= 1 && strcmp(c->args.v[0], "list") == 0)
		return consoles_list(c);
	if (c->args.n >= 1 && strcmp(c->args.v[0], "enable") == 0)
		return consoles_toggle(c, true);
	if (c->args.n >= 1 && strcmp(c->args.v[0], "disable") == 0)
		return consoles_toggle(c, false);
	err_set(&e, ES_EUSAGE, "usage: engine-setup consoles list|enable|"
	    "disable [ID|ADDRESS] [--root DIR] [--restart]");
	return cmd_fail(&e);
}
