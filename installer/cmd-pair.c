/* `engine-setup pair`: post-install Engine-to-Console pairing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "answers.h"
#include "cmd.h"
#include "confgen.h"
#include "runlock.h"
#include "secret.h"
#include "status.h"
#include "wizard.h"

/* HOST, HOST:PORT, [V6] or [V6]:PORT; a bare IPv6 address has no port.
 * The host comes back in its normal form (addr_normal). */
static bool
parse_console(const char *arg, char **host, unsigned *port, struct es_err *e)
{
	const char *colon = strrchr(arg, ':'), *expect;
	char *h, portbuf[8];

	*port = 40815;
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			goto bad;
		h = xstrndup(arg + 1, (size_t)(close - arg - 1));
		colon = close[1] == ':' ? close + 1 : NULL;
	} else if (colon != NULL && strchr(arg, ':') == colon) {
		h = xstrndup(arg, (size_t)(colon - arg));
	} else {
		h = xstrdup(arg);
		colon = NULL;
	}
	if (colon != NULL) {
		snprintf(portbuf, sizeof portbuf, "%s", colon + 1);
		if (!plan_check(PK_CONSOLE_PORT, portbuf, &expect)) {
			free(h);
			goto bad;
		}
		*port = (unsigned)strtoul(portbuf, NULL, 10);
	}
	if (!plan_check(PK_CONSOLE_ADDRESS, h, &expect)) {
		free(h);
		goto bad;
	}
	*host = addr_normal(h);
	free(h);
	return true;
bad:
	err_set(e, ES_EUSAGE, "--console '%s': expected HOST or HOST:PORT "
	    "(IPv6 as [ADDRESS]:PORT)", arg);
	return false;
}

/* engine-setup pair: the seed's post-installation Engine-to-Console
 * pairing, and with --test only the connection test. */
int
cmd_pair(const struct cli *c)
{
	struct es_err e;
	struct record r;
	struct cmd_pair_target t;
	struct secret_source src;
	struct plat_run_lock *lock = NULL;
	const char *root = c->root != NULL ? c->root : "/";
	char *host = NULL, *secret = NULL;
	const char *expect;
	int rc = 0;

	err_clear(&e);
	record_init(&r);
	memset(&t, 0, sizeof t);
	plat_signals_install();
	if (c->console == NULL) {
		err_set(&e, ES_EUSAGE, "pair needs --console HOST[:PORT], the "
		    "console's address (port 40815 unless changed)");
		goto fail;
	}
	if (c->fingerprint != NULL &&
	    !plan_check(PK_CONSOLE_FINGERPRINT, c->fingerprint, &expect)) {
		err_set(&e, ES_EUSAGE, "--fingerprint: expected %s", expect);
		goto fail;
	}
	if (!parse_console(c->console, &host, &t.port, &e))
		goto fail;
	if (!c->test_only && c->root == NULL && !plat_is_admin()) {
		err_set(&e, ES_EREQ, "pairing changes consoles.xml and needs "
		    "administrator rights: %s", plat_admin_advice());
		goto fail;
	}
	/* The connection test changes nothing and needs no lock. */
	if (!c->test_only &&
	    !runlock_take(root, c->wait_lock, stdout, &lock, &e))
		goto fail;
	if (!record_load(root, &r, &e)) {
		if (e.code == 0)
			err_set(&e, ES_EUSAGE, "nothing is installed%s%s: "
			    "install a Scan Engine first",
			    c->root ? " under " : "", c->root ? c->root : "");
		record_damaged_explain(root, &r, &e);
		goto fail;
	}
	if (strcmp(r.component, "engine") != 0) {
		err_set(&e, ES_EUSAGE, "this host has a Security Console, whose "
		    "local Scan Engine needs no pairing; pair distributed "
		    "Scan Engines on their own hosts");
		goto fail;
	}
	memset(&src, 0, sizeof src);
	src.file = c->secret_file;
	src.may_prompt = plat_stdin_is_tty();
	src.in = stdin;
	src.out = stderr;
	if ((secret = secret_obtain(&src, stderr, &e)) == NULL)
		goto fail;
	t.host = host;
	t.secret = secret;
	t.pin = c->fingerprint;
	t.test_only = c->test_only;
	if (cmd_pair_installed(root, &r, &t, &e))
		goto out;
fail:
	rc = cmd_fail(&e);
out:
	util_free_secret(secret);
	record_free(&r);
	free(host);
	plat_run_lock_release(lock);
	return rc;
}

bool
cmd_pair_installed(const char *root, struct record *r,
    const struct cmd_pair_target *t, struct es_err *e)
{
	struct plan recorded;
	struct pairing_opts po;
	struct pairing_result pr;
	struct plat_facts facts;
	struct plat_file_lock *xlock = NULL;
	char *cert = NULL, *rel = NULL, *idir = NULL, *where = NULL;
	char *path = NULL, *text = NULL, *out = NULL;
	size_t len, outlen;
	FILE *o = t->out != NULL ? t->out : stdout;
	bool ok = false;

	plan_init(&recorded);
	memset(&pr, 0, sizeof pr);
	memset(&po, 0, sizeof po);
	idir = plat_join_root(root, r->install_dir);
	if ((cert = plat_read_file_beneath(idir, "nse/conf/nse.crt", 1u << 20,
	    &len, e)) == NULL)
		goto out;
	rel = record_answers_path(r->install_dir);
	path = plat_join_root(root, rel);
	if ((text = plat_read_file_beneath(idir, RECORD_ANSWERS_REL, 1u << 20,
	    &len, NULL)) != NULL)
		answers_parse(&recorded, text, len, path, PLAN_SRC_FILE, NULL);
	free(text);
	text = NULL;
	plat_facts(&facts);
	plan_apply_defaults(&recorded, facts.hostname);

	po.host = t->host;
	po.port = t->port;
	po.secret = t->secret;
	po.pin = t->pin;
	po.proxy = t->proxy != NULL ? t->proxy : plan_get(&recorded, PK_PROXY);
	po.connect_timeout_ms = session_timeout_ms("ENGINE_SETUP_CONNECT_TIMEOUT");
	po.total_timeout_ms = session_timeout_ms("ENGINE_SETUP_TIMEOUT");
	po.engine_id = r->engine_id;
	po.engine_name = plan_get(&recorded, PK_ENGINE_NAME);
	po.engine_version = r->version;
	po.engine_cert_pem = cert;
	po.dry_run = t->test_only;
	po.step = session_print_pair_step;
	po.step_arg = o;
	po.signals = plat_signals_pending;
	if (plat_signals_pending() > 0) {
		err_set(e, ES_ECANCEL, "cancelled by a signal (Ctrl-C or "
		    "SIGTERM); nothing was changed");
		goto out;
	}
	where = addr_with_port(t->host, t->port);
	fprintf(o, "%s %s\n", t->test_only ? "Testing the connection to" :
	    "Pairing with the console at", where);
	if (!pairing_run(&po, &pr, e))
		goto out;
	if (t->test_only) {
		fprintf(o, "Connection test passed: console %s (%s), version "
		    "%s.\nConsole key: %s. Compare it with the fingerprint the "
		    "console shows; pin it with --fingerprint.\n",
		    pr.console_name, pr.console_id, pr.console_version,
		    pr.console_spki);
		ok = true;
		goto out;
	}
	free(rel);
	free(path);
	rel = xasprintf("%s/" CONSOLES_REL, r->install_dir);
	path = plat_join_root(root, rel);
	{
		struct confgen_console_entry ce;
		int mode;

		/* The engine appends consoles too: read anew under the
		 * lock, kept until the new file is in place. */
		if (!consoles_lock(idir, o, &xlock, e) ||
		    (text = consoles_read(idir, &len, e)) == NULL)
			goto out;
		memset(&ce, 0, sizeof ce);
		ce.enabled = true;
		ce.connect_to = true;
		ce.name = pr.console_name;
		ce.last_address = t->host;
		ce.port = t->port;
		ce.console_id = pr.console_id;
		ce.spki = pr.console_spki;
		ce.cert_pem = pr.console_cert_pem;
		mode = plat_file_mode(path);
		if (!consoles_upsert(text, len, path, &ce, &out, &outlen, e) ||
		    !cmd_replace_consoles(root, "pair", r, idir, out, outlen,
		    mode > 0 ? (unsigned)mode & 0640 : 0640, false, e))
			goto out;
		plat_file_lock_release(xlock);
		xlock = NULL;
		fprintf(o, "Paired with console %s (%s) at %s; recorded as "
		    "console %u in %s.\n", pr.console_name, pr.console_id,
		    where, ce.id, rel);
	}
	if (plat_signals_pending() > 0)
		fprintf(o, "A signal (Ctrl-C, SIGTERM or SIGHUP) came after "
		    "the console had registered this engine: the pairing was "
		    "finished, so that consoles.xml says what the console "
		    "knows.\n");
	if (t->pin == NULL)
		fprintf(o, "Console key: %s. Compare it with the fingerprint "
		    "the console shows.\n", pr.console_spki);
	if (r->services.n > 0)
		fprintf(o, "Restart the Scan Engine service (%s) so it "
		    "connects, then Refresh the engine in the console "
		    "(Administration > Scans > Scan Engines).\n",
		    r->services.v[0]);
	ok = true;
out:
	plat_file_lock_release(xlock);
	pairing_result_free(&pr);
	plan_free(&recorded);
	free(where);
	free(cert);
	free(rel);
	free(idir);
	free(path);
	free(text);
	free(out);
	return ok;
}
