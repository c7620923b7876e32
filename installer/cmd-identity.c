/* `engine-setup identity check|reset`: the start-up check that every start
 * of the engine's service runs first, and a new identity by hand
 * (identity.h; ../shared/cli-contract.md, "identity reset"). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "consoles.h"
#include "identity.h"
#include "recover.h"
#include "runlock.h"

/* How long the start-up check waits for another run's lock (a pair or
 * consoles change) before it fails the start: below systemd's default
 * TimeoutStartSec= of 90 s (systemd-system.conf(5)), which covers
 * ExecStartPre= too. */
#define IDENTITY_CHECK_WAIT 60

/* Say what identity_renew() did, and what the administrator does next. */
static void
identity_say(const char *root, const struct record *r,
    const struct identity_result *res, bool by_hand)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add_root_option(&b, root);
	printf("New engine identity: engine id %s (was %s), new key and "
	    "certificate %s.\n", res->new_id, res->old_id, res->spki);
	if (res->marked > 0)
		printf("%zu console%s paired with this engine knew the old key: "
		    "pair again with %s (engine-setup pair --console "
		    "HOST[:PORT]%s), then Refresh the engine in the console.\n",
		    res->marked, res->marked == 1 ? "" : "s",
		    res->marked == 1 ? "it" : "each", b.s);
	else if (r->communication != NULL &&
	    strcmp(r->communication, "console-to-engine") == 0)
		printf("Consoles that connect to this engine see a new "
		    "certificate: Refresh the engine in the console.\n");
	if (by_hand && r->services.n > 0)
		printf("Restart the %s service so that the engine uses it.\n",
		    r->services.v[0]);
	sbuf_free(&b);
}

/* The start-up check could not write the new identity (e says why): e
 * becomes the refusal, which names the files, says why the service does
 * not start with the identity it has, and what to do
 * (docs/install-record.md, "The machine an identity belongs to"). */
static void
identity_refuse(const char *root, const struct record *r, const char *idir,
    const char *why, struct es_err *e)
{
	char *state = plat_state_file(root), mnt[4096], *cause;
	const char *svc = r->services.n > 0 ? r->services.v[0] : NULL;
	bool full = cmd_disk_full(idir, mnt, sizeof mnt) ||
	    cmd_disk_full(state, mnt, sizeof mnt);

	cause = full ? xasprintf("there is no space left on the file system "
	    "mounted at %s", mnt) : xstrdup(err_sentence(e));
	err_clear(e);
	err_set(e, ES_EINSTALL, "this engine's identity was made on another "
	    "machine (%s), and the new one this start needs could not be "
	    "written: %s. Not written, in %s: " IDENTITY_KEY_REL ", "
	    IDENTITY_CERT_REL ", " IDENTITY_XML_REL ", " CONSOLES_REL " and "
	    RECORD_REL ". The service does not start with the identity it "
	    "has, since the machine it was copied from presents the same one "
	    "to the consoles. %s, then start the %s service again: its "
	    "start makes the new identity", why, cause, idir, full ?
	    "Free some space on that file system (old logs, a package cache)"
	    : "Fix that", svc != NULL ? svc : "engine's");
	free(cause);
	free(state);
}

/* The start-up check: nothing on the machine the identity was made for;
 * a new identity on another one. Never fails the start for facts it
 * cannot read; fails it (non-zero) when the new identity cannot be
 * written, so that the failure shows in the journal or the event log. */
static int
identity_check(void *arg)
{
	const struct cli *c = arg;
	const char *root = c->root != NULL ? c->root : "/";
	struct plat_run_lock *lock = NULL;
	struct identity_result res;
	struct record r;
	struct sbuf why;
	struct es_err e;
	char *idir = NULL, *line = NULL, note[1024];
	long holder;
	int rc = 0;

	err_clear(&e);
	record_init(&r);
	sbuf_init(&why);
	if (!record_load(root, &r, &e)) {
		/* Nothing to check against: the service still starts. */
		if (e.code != 0)
			fprintf(stderr, "engine-setup: warning: identity not "
			    "checked: %s\n", err_sentence(&e));
		goto out;
	}
	idir = plat_join_root(root, r.install_dir);
	/* A change that a crash cut short is finished before the service
	 * reads a mix of old and new files: under the lock (runlock_take).
	 * A run that holds the lock is not cut short: it is the install or
	 * `consoles --restart` starting this service, and waits for it. */
	switch (recover_describe(root, note, sizeof note) &&
	    !plat_run_lock_held(root, &holder) ? IDENTITY_OTHER :
	    identity_compare(root, &r, true, &why)) {
	case IDENTITY_SAME:
		goto out;
	case IDENTITY_UNREADABLE:
		line = xasprintf("identity kept: %s", why.s);
		identity_log(idir, line);
		printf("engine-setup: %s.\n", line);
		goto out;
	case IDENTITY_OTHER:
		break;
	}
	/* Another machine, or a run cut short: decide under the lock, once
	 * that run is finished. */
	record_free(&r);
	record_init(&r);
	sbuf_free(&why);
	sbuf_init(&why);
	if (!runlock_take(root, c->wait_lock > 0 ? c->wait_lock :
	    IDENTITY_CHECK_WAIT, stdout, &lock, &e) ||
	    !record_load(root, &r, &e)) {
		if (e.code == 0)
			goto out;
		rc = cmd_fail(&e);
		goto out;
	}
	if (identity_compare(root, &r, true, &why) != IDENTITY_OTHER)
		goto out;
	line = xasprintf("a new machine at start-up: %s", why.s);
	if (!identity_renew(root, &r, line, false, &res, &e)) {
		identity_refuse(root, &r, idir, why.s, &e);
		identity_log(idir, err_sentence(&e));
		rc = cmd_fail(&e);
		goto out;
	}
	printf("engine-setup: this engine's identity was made on another "
	    "machine (%s).\n", why.s);
	identity_say(root, &r, &res, false);
out:
	sbuf_free(&why);
	record_free(&r);
	free(idir);
	free(line);
	plat_run_lock_release(lock);
	return rc;
}

/* `identity reset`: a new identity by hand. */
static int
identity_reset(const struct cli *c)
{
	const char *root = c->root != NULL ? c->root : "/";
	struct plat_run_lock *lock = NULL;
	struct identity_result res;
	struct record r;
	struct es_err e;
	int rc = 0;

	err_clear(&e);
	record_init(&r);
	plat_signals_install();
	if (c->root == NULL && !plat_is_admin()) {
		err_set(&e, ES_EREQ, "a new identity needs administrator "
		    "rights: %s", plat_admin_advice());
		rc = cmd_fail(&e);
		goto out;
	}
	/* On a terminal, without --silent: the consoles it was paired with
	 * must pair again, so it asks first. */
	if (!c->silent && plat_stdin_is_tty()) {
		char line[64];

		printf("This gives the engine a new id, key and certificate; "
		    "consoles it was paired with must pair again. Continue? "
		    "Yes [y], No [n, Enter]: ");
		fflush(stdout);
		if (fgets(line, sizeof line, stdin) == NULL ||
		    plat_signals_pending() > 0 ||
		    (strcasecmp(strtok(line, "\r\n") != NULL ? line : "",
		    "y") != 0 && strcasecmp(line, "yes") != 0)) {
			printf("Nothing was changed.\n");
			rc = ES_ECANCEL;
			goto out;
		}
	}
	if (!runlock_take(root, c->wait_lock, stdout, &lock, &e) ||
	    !record_load(root, &r, &e)) {
		if (e.code == 0)
			err_set(&e, ES_EUSAGE, "nothing is installed%s%s: "
			    "there is no identity to reset",
			    c->root ? " under " : "", c->root ? c->root : "");
		else
			record_damaged_explain(root, &r, &e);
		rc = cmd_fail(&e);
		goto out;
	}
	if (!identity_renew(root, &r, "identity reset by hand", true, &res,
	    &e)) {
		rc = cmd_fail(&e);
		goto out;
	}
	identity_say(root, &r, &res, true);
out:
	record_free(&r);
	plat_run_lock_release(lock);
	return rc;
}

int
cmd_identity(const struct cli *c)
{
	struct es_err e;

	err_clear(&e);
	if (c->args.n == 1 && strcmp(c->args.v[0], "check") == 0)
		return c->service ?
		    plat_service_run_once(identity_check, (void *)c) :
		    identity_check((void *)c);
	if (c->args.n == 1 && strcmp(c->args.v[0], "reset") == 0)
		return identity_reset(c);
	err_set(&e, ES_EUSAGE, "usage: engine-setup identity check|reset "
	    "[--root DIR] [--wait-lock[=S]]; see engine-setup identity "
	    "--help");
	return cmd_fail(&e);
}
