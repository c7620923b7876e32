#include "status.h"

#include <cjson/cJSON.h>
#include <expat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "crypto.h"
#include "identity.h"
#include "install.h"
#include "nselog.h"
#include "platform.h"
#include "plan.h"
#include "ready.h"
#include "record.h"
#include "recover.h"
#include "util.h"
#include "version.h"

/* The engine certificate, relative to install_dir (confgen_nse_xml). */
#define STATUS_CERT_REL "nse/conf/nse.crt"

/* The engine as nse/conf/nse.xml describes it (confgen_nse_xml): for a
 * record written before it carried engine_name, communication and
 * engine_port. */
struct status_nse {
	struct status *st;
	char *port;
};

static void
status_nse_start(void *arg, const XML_Char *name, const XML_Char **attr)
{
	struct status_nse *sn = arg;
	size_t i;

	for (i = 0; attr[i] != NULL && attr[i + 1] != NULL; i += 2) {
		char **dst = NULL;

		if (strcmp(name, "Engine") == 0 && strcmp(attr[i], "name") == 0)
			dst = &sn->st->engine.name;
		else if (strcmp(name, "Engine") == 0 &&
		    strcmp(attr[i], "communication") == 0)
			dst = &sn->st->engine.communication;
		else if (strcmp(name, "Listener") == 0 &&
		    strcmp(attr[i], "port") == 0)
			dst = &sn->port;
		if (dst != NULL && *dst == NULL)
			*dst = xstrdup(attr[i + 1]);
	}
}

static void
status_engine_from_nse(struct status *st, const char *idir)
{
	struct status_nse sn = { st, NULL };
	XML_Parser xp;
	char *text;
	size_t len;

	text = plat_read_file_beneath(idir, "nse/conf/nse.xml", 1u << 20,
	    &len, NULL);
	if (text == NULL || len > (size_t)INT32_MAX ||
	    (xp = XML_ParserCreate("UTF-8")) == NULL) {
		free(text);
		return;
	}
	XML_SetUserData(xp, &sn);
	XML_SetStartElementHandler(xp, status_nse_start);
	(void)XML_Parse(xp, text, (int)len, 1);
	XML_ParserFree(xp);
	if (sn.port != NULL)
		st->engine.port = (unsigned)strtoul(sn.port, NULL, 10);
	free(sn.port);
	free(text);
}

/* The engine's name, direction and port: from the record, or from
 * nse.xml for an older record. */
static void
status_engine(struct status *st, const struct record *r, const char *root)
{
	char *idir;

	if (r->engine_name != NULL && r->communication != NULL &&
	    r->engine_port != NULL) {
		st->engine.name = xstrdup(r->engine_name);
		st->engine.communication = xstrdup(r->communication);
		st->engine.port = (unsigned)strtoul(r->engine_port, NULL, 10);
	} else {
		idir = plat_join_root(root, r->install_dir);
		status_engine_from_nse(st, idir);
		free(idir);
	}
	st->engine.listens = st->engine.communication != NULL &&
	    strcmp(st->engine.communication, "console-to-engine") == 0;
	if (!st->engine.listens)
		st->engine.port = 0;
}

/* A service's state, and when it is not running, why and the command
 * that starts it: start_service = no in the recorded answers, or no
 * service manager for this root (installed under --root, an image). */
static void
status_service(const char *root, const struct plan *answers,
    const char *name, struct status_service *sv)
{
	enum install_start why = INSTALL_START_NONE;
	struct sbuf b;

	sv->name = xstrdup(name);
	plat_service_state(root, name, sv->state, sizeof sv->state);
	sv->enabled = plat_service_enabled(root, name);
	if (strcmp(sv->state, "active") == 0 ||
	    strcmp(sv->state, "not installed") == 0 ||
	    strcmp(sv->state, "unknown") == 0)
		why = INSTALL_START_NONE;
	else if (!plan_yes(answers, PK_START_SERVICE))
		why = INSTALL_START_DECLINED;
	else if (!plat_service_manager_running(root))
		why = INSTALL_START_NO_MANAGER;
	sbuf_init(&b);
	install_service_text(root, name, sv->state, why, false, &b);
	sv->text = sbuf_detach(&b);
}

/* The last check-in of each connectTo="1" console, from nse.log (read
 * into st->nselog here, once per status). One from before the version
 * installed now (before r's upgraded_at: RFC 3339 UTC times, which
 * compare as text) was the old version's, and says nothing of this one. */
static void
status_checkins(struct status *st, const char *idir, const struct record *r)
{
	size_t i;

	st->checkins = xcalloc(st->consoles.n + 1, sizeof *st->checkins);
	st->nselog = nselog_tail(idir, &st->nselog_len);
	for (i = 0; st->nselog != NULL && i < st->consoles.n; i++)
		if (st->consoles.v[i].connect_to &&
		    st->consoles.v[i].id != NULL)
			(void)nselog_last_checkin(st->nselog, st->nselog_len,
			    st->consoles.v[i].id,
			    st->consoles.v[i].last_address != NULL ?
			    st->consoles.v[i].last_address : "",
			    st->consoles.v[i].port != NULL ?
			    st->consoles.v[i].port : "", &st->checkins[i]);
	for (i = 0; i < st->consoles.n; i++)
		if (st->checkins[i].seen && r->upgraded_at != NULL &&
		    strcmp(st->checkins[i].at, r->upgraded_at) < 0)
			memset(&st->checkins[i], 0, sizeof st->checkins[i]);
}

static void
status_consoles(struct status *st, const char *root, const struct record *r,
    const struct plan *answers)
{
	char *idir = plat_join_root(root, r->install_dir);
	struct es_err e;
	struct sbuf b;

	err_clear(&e);
	if (!consoles_load(&st->consoles, idir, &e)) {
		/* Damaged, too large or a link: it needs attention. */
		st->consoles_error = xstrdup(err_sentence(&e));
		status_add_problem(st, STATUS_P_CONSOLES_UNREADABLE, "%s",
		    st->consoles_error);
	} else {
		st->consoles_read = true;
		status_checkins(st, idir, r);
		if (st->consoles.n == 0) {
			sbuf_init(&b);
			consoles_none_advice(r->component,
			    plan_get(answers, PK_COMMUNICATION), root, &b);
			st->consoles_advice = sbuf_detach(&b);
		}
	}
	free(idir);
}

/* The engine certificate's fingerprint and expiry; one that cannot be
 * read or has expired is a problem: without it no console trusts the
 * engine (pairing-protocol.md, "Derived values"). */
static void
status_certificate(struct status *st, const char *root,
    const struct record *r)
{
	char *idir = plat_join_root(root, r->install_dir);
	struct es_err e;
	char *pem;
	size_t len;
	bool expired = false;

	err_clear(&e);
	pem = plat_read_file_beneath(idir, STATUS_CERT_REL, 1u << 20, &len,
	    &e);
	if (pem != NULL && crypto_cert_spki(pem, st->engine.fingerprint,
	    sizeof st->engine.fingerprint, &e))
		(void)crypto_cert_not_after(pem, st->engine.not_after,
		    sizeof st->engine.not_after, &expired, &e);
	if (e.code != 0) {
		st->engine.fingerprint[0] = st->engine.not_after[0] = '\0';
		status_add_problem(st, STATUS_P_CERT_UNREADABLE, "The engine "
		    "certificate %s/%s is unusable (%s): no console can trust "
		    "this engine without it. Reinstall with the same answers "
		    "and --overwrite, which makes a new one; then pair the "
		    "engine again.", r->install_dir, STATUS_CERT_REL,
		    e.msg);
	} else if (expired) {
		status_add_problem(st, STATUS_P_CERT_EXPIRED, "The engine "
		    "certificate %s/%s expired at %s: consoles refuse it. "
		    "Give the engine a new one with engine-setup identity "
		    "reset, then pair it again.", r->install_dir,
		    STATUS_CERT_REL, st->engine.not_after);
	}
	free(pem);
	free(idir);
}

/* A copy of en fit to quote in a problem's message (consoles_entry_show:
 * a console names itself, and a newline in its name must not make a
 * line that looks like another Problem line). Free with
 * consoles_entry_free(). */
static void
status_entry_shown(const struct console_entry *en, struct console_entry *out)
{
	memset(out, 0, sizeof *out);
	out->enabled = en->enabled;
	out->connect_to = en->connect_to;
	out->id = en->id != NULL ? xstrdup(en->id) : NULL;
	out->name = en->name != NULL ? xstrdup(en->name) : NULL;
	out->last_address = en->last_address != NULL ?
	    xstrdup(en->last_address) : NULL;
	out->port = en->port != NULL ? xstrdup(en->port) : NULL;
	consoles_entry_show(out);
}

/* The problem console-checkin-failed for an enabled Engine-to-Console
 * console whose last check-in (c) was not active: what the result means
 * and what to do about it. */
static void
status_checkin_problem(struct status *st, const char *root,
    const struct console_entry *en, const struct nselog_checkin *c)
{
	const char *addr = en->last_address != NULL ? en->last_address :
	    "HOST";
	struct sbuf pair, who;

	if (!c->seen || strcmp(c->result, "active") == 0)
		return;
	sbuf_init(&who);
	if (en->port != NULL)
		sbuf_addf(&who, strchr(addr, ':') != NULL ? "[%s]:%s" :
		    "%s:%s", addr, en->port);
	else
		sbuf_add(&who, addr);
	sbuf_init(&pair);
	sbuf_add(&pair, "engine-setup pair --console ");
	sbuf_add_shell(&pair, who.s);
	sbuf_add_root_option(&pair, root);
	sbuf_free(&who);
	sbuf_init(&who);
	sbuf_addf(&who, "The last check-in of this engine with the console "
	    "%s at %s (id %s), at %s, ended %s", en->name != NULL ?
	    en->name : "without a name", addr, en->id != NULL ? en->id :
	    "none", c->at, c->result);
	if (strcmp(c->result, "unknown-engine") == 0)
		status_add_problem(st, STATUS_P_CHECKIN_FAILED, "%s: it knows "
		    "no engine with this engine's id and key (the engine was "
		    "removed there, or its identity was made anew). Pair "
		    "again: `%s`.", who.s, pair.s);
	else if (strcmp(c->result, "incompatible") == 0)
		status_add_problem(st, STATUS_P_CHECKIN_FAILED, "%s (%s): its "
		    "major.minor version differs from this engine's (%s), so "
		    "they do not work together. Upgrade the older of the two "
		    "to the other's version.", who.s, c->detail,
		    st->rec.version != NULL ? st->rec.version : "unknown");
	else if (strcmp(c->result, "failed") == 0)
		status_add_problem(st, STATUS_P_CHECKIN_FAILED, "%s (%s): the "
		    "engine could not reach it. Check that the console runs, "
		    "that %s is reachable from this host and that its port "
		    "%s (40815 unless the console was set up otherwise) is "
		    "open on the way; the engine tries again at each "
		    "check-in.", who.s, c->detail, addr, en->port != NULL ?
		    en->port : "40815");
	else
		status_add_problem(st, STATUS_P_CHECKIN_FAILED, "%s: the engine "
		    "did not contact it, because the console's key does not "
		    "match the one pinned at pairing (spki in %s): the "
		    "console's key changed (reinstalled, or another host at "
		    "that address). If that is expected, pair again: `%s`.",
		    who.s, CONSOLES_REL, pair.s);
	sbuf_free(&who);
	sbuf_free(&pair);
}

/* The problems a complete installation can have: a service that should
 * run and does not, an Engine-to-Console engine paired with no console,
 * a console waiting to be enabled. */
static void
status_check(struct status *st, const char *root, const struct plan *answers)
{
	const struct status_service *sv;
	const struct console_entry *en;
	struct sbuf b;
	char cmd[256];
	bool reverse = false;
	size_t i;

	/* The answers the install used (.install/answers), start_service
	 * defaulting to yes as it does for install. */
	for (i = 0; i < st->nservices && plan_yes(answers, PK_START_SERVICE);
	    i++) {
		sv = &st->services[i];
		if (strcmp(sv->state, "active") == 0 ||
		    strcmp(sv->state, "unknown") == 0)
			continue;
		/* A --root folder without a service manager is an image: its
		 * service runs on the host made from it, not here (the Service
		 * line says so); status of an image is not a problem. */
		if (!plat_service_manager_running(root) && strcmp(root, "/") != 0)
			continue;
		plat_service_start_command(root, sv->name, cmd, sizeof cmd);
		if (!plat_service_manager_running(root))
			status_add_problem(st, STATUS_P_SERVICE_NOT_RUNNING,
			    "The service %s is not running (%s), though the "
			    "installation asked for it to run (start_service "
			    "= yes): no service manager runs on this host. "
			    "Start it with `%s`.", sv->name, sv->state, cmd);
		else
			status_add_problem(st, STATUS_P_SERVICE_NOT_RUNNING,
			    "The service %s is %s, though the installation "
			    "asked for it to run (start_service = yes). Start "
			    "it with `%s`; if it stops again, its log in "
			    "%s/nse/logs says why.", sv->name, sv->state, cmd,
			    st->rec.install_dir);
	}
	if (!st->consoles_read)
		return;
	for (i = 0; i < st->consoles.n; i++) {
		struct console_entry sh;

		status_entry_shown(&st->consoles.v[i], &sh);
		en = &sh;
		if (en->connect_to)
			reverse = true;
		if (en->enabled && en->connect_to)
			status_checkin_problem(st, root, en, &st->checkins[i]);
		if (en->enabled) {
			consoles_entry_free(&sh);
			continue;
		}
		sbuf_init(&b);
		/* With --restart, as the install's Next text: enabled
		 * counts only once the engine restarts (not under --root,
		 * where no service manager runs it). */
		consoles_toggle_command(en->id != NULL ? en->id :
		    en->last_address != NULL ? en->last_address : "ADDRESS",
		    true, true, root, &b);
		status_add_problem(st, STATUS_P_CONSOLE_PENDING, "The console "
		    "%s at %s (id %s) is Pending Authorization (enabled=\"0\" "
		    "in %s): the engine does not work with it. Once that console "
		    "has added this engine (%s), run `%s`.", en->name != NULL ?
		    en->name : "without a name", en->last_address != NULL ?
		    en->last_address : "no address", en->id != NULL ? en->id :
		    "none", CONSOLES_REL, CONSOLES_MENU_NEW_ENGINE, b.s);
		sbuf_free(&b);
		consoles_entry_free(&sh);
	}
	if (strcmp(st->rec.component, "engine") == 0 && !st->engine.listens &&
	    st->engine.communication != NULL && !reverse) {
		sbuf_init(&b);
		sbuf_add(&b, "engine-setup pair --console HOST[:PORT]");
		sbuf_add_root_option(&b, root);
		status_add_problem(st, STATUS_P_NOT_PAIRED, "This "
		    "Engine-to-Console engine is paired with no console, so "
		    "it connects to none. Pair it with its console: `%s` "
		    "(the console's shared secret comes from %s).", b.s,
		    CONSOLES_MENU_SHARED_SECRET);
		sbuf_free(&b);
	}
}

/* A Console-to-Engine engine whose identity was made anew (identity
 * check on a clone, identity reset): each enabled console that added it
 * knew the old key, until it refreshes the engine again. The problem
 * identity-from-another-machine for each such console with no line
 * "Refresh from console <its consoleId> at <peer>: active" in nse.log at
 * or after identity_renewed_at. */
static void
status_identity_refreshed(struct status *st)
{
	const struct record *r = &st->rec;
	const struct console_entry *en;
	struct console_entry sh;
	size_t i;

	if (r->identity_renewed_at == NULL || !st->engine.listens ||
	    !st->consoles_read)
		return;
	for (i = 0; i < st->consoles.n; i++) {
		en = &st->consoles.v[i];
		if (!en->enabled || en->connect_to)
			continue;
		if (st->nselog != NULL && en->console_id != NULL &&
		    nselog_refreshed(st->nselog, st->nselog_len, en->console_id,
		    r->identity_renewed_at))
			continue;
		status_entry_shown(&st->consoles.v[i], &sh);
		status_add_problem(st, STATUS_P_IDENTITY_FOREIGN, "This engine "
		    "has a new identity since %s (made anew on another "
		    "machine, a clone or an image, or by identity reset), and "
		    "the console %s at %s (id %s) has not refreshed it since: "
		    "it knew the old one. In that console, Refresh this engine "
		    "(%s); once %s shows that refresh answered active, this "
		    "problem ends%s.", r->identity_renewed_at,
		    sh.name != NULL ? sh.name : "without a name",
		    sh.last_address != NULL ? sh.last_address :
		    "no address", sh.id != NULL ? sh.id : "none",
		    CONSOLES_MENU_REFRESH, CONSOLES_LOG_REL,
		    en->console_id != NULL ? "" : " (this entry has no "
		    "consoleId, so its refreshes cannot be told: if the "
		    "console works with the engine, remove the entry and let "
		    "the console add the engine again)");
		consoles_entry_free(&sh);
	}
}

bool
status_collect(const char *root, struct status *st, struct es_err *e)
{
	struct record *r = &st->rec;
	struct plan answers;
	char interrupted[1024], *problem;
	size_t i;
	long pid = 0;
	bool ok = false;

	memset(st, 0, sizeof *st);
	record_init(r);
	plan_init(&answers);
	/* A run cut short: whatever the disk shows, it is not an
	 * installation to rely on (issue 9). One that is still going is
	 * not cut short: what it changes shows once it ends. */
	if (plat_run_lock_held(root, &pid)) {
		st->run_in_progress = true;
		st->running_pid = pid;
	} else if (recover_describe(root, interrupted, sizeof interrupted)) {
		st->interrupted = xstrdup(interrupted);
		status_add_problem(st, STATUS_P_INTERRUPTED_RUN, "%s.",
		    interrupted);
		ok = true;
		goto out;
	}
	if (!record_load(root, r, e)) {
		if (e->code != 0) {
			/* A damaged file of the installation, not a failure
			 * of status: a problem, with what to do about it. */
			record_damaged_explain(root, r, e);
			st->record_unreadable = true;
			status_add_problem(st, STATUS_P_RECORD_UNREADABLE, "%s",
			    err_sentence(e));
			err_clear(e);
		}
		ok = true;
		goto out;
	}
	st->installed = true;
	answers_load_recorded(&answers, root, r->install_dir);
	status_engine(st, r, root);
	st->nservices = r->services.n;
	st->services = xcalloc(r->services.n + 1, sizeof *st->services);
	for (i = 0; i < r->services.n; i++)
		status_service(root, &answers, r->services.v[i],
		    &st->services[i]);
	status_consoles(st, root, r, &answers);
	status_certificate(st, root, r);
	status_check(st, root, &answers);
	if ((problem = identity_problem(root, r)) != NULL) {
		status_add_problem(st, STATUS_P_IDENTITY_FOREIGN, "%s", problem);
		free(problem);
	} else {
		status_identity_refreshed(st);
	}
	ok = true;
out:
	plan_free(&answers);
	return ok;
}

void
status_free(struct status *st)
{
	size_t i;

	free(st->interrupted);
	record_free(&st->rec);
	free(st->engine.name);
	free(st->engine.communication);
	for (i = 0; i < st->nservices; i++) {
		free(st->services[i].name);
		free(st->services[i].text);
	}
	free(st->services);
	free(st->consoles_error);
	consoles_free(&st->consoles);
	free(st->checkins);
	free(st->nselog);
	free(st->consoles_advice);
	for (i = 0; i < st->nproblems; i++) {
		free(st->problems[i].code);
		free(st->problems[i].message);
	}
	free(st->problems);
	free(st->ready_why);
	memset(st, 0, sizeof *st);
}

void
status_add_problem(struct status *st, const char *code, const char *fmt,
    ...)
{
	struct status_problem *p;
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("status_add_problem: cannot format '%s'", fmt);
	msg = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (st->nproblems == st->capproblems) {
		st->capproblems = st->capproblems ? st->capproblems * 2 : 4;
		st->problems = xrealloc(st->problems, st->capproblems *
		    sizeof *st->problems);
	}
	p = &st->problems[st->nproblems++];
	p->code = xstrdup(code);
	p->message = msg;
}

int
status_code(const struct status *st)
{
	if (st->nproblems > 0)
		return STATUS_NEEDS_ATTENTION;
	return st->installed ? 0 : STATUS_NOT_INSTALLED;
}

const char *
status_console_state(const struct console_entry *en)
{
	return en->enabled ? "enabled" : "pending-authorization";
}

/* The engine's lines: its name, and for a distributed Scan Engine which
 * side connects and the port the console reaches it on. */
static void
status_print_engine(const struct status *st, FILE *out)
{
	bool engine = strcmp(st->rec.component, "engine") == 0;

	if (st->rec.engine_id != NULL)
		fprintf(out, "Engine id:    %s\n", st->rec.engine_id);
	{
		struct sbuf b;

		/* The name comes from a file: its control characters are
		 * shown, not sent to the terminal. */
		sbuf_init(&b);
		sbuf_add(&b, "Engine name:  ");
		sbuf_add_shown(&b, st->engine.name != NULL ? st->engine.name :
		    "unknown (nse/conf/nse.xml cannot be read)", false);
		fprintf(out, "%s%s\n", b.s, engine ? "" :
		    " (the Security Console's local Scan Engine)");
		sbuf_free(&b);
	}
	if (!engine || st->engine.communication == NULL)
		return;
	if (st->engine.listens) {
		fprintf(out, "Direction:    Console-to-Engine (the console "
		    "connects to this engine)\n");
		fprintf(out, "Listens on:   TCP %u (the console must reach this "
		    "host on it)\n", st->engine.port);
	} else {
		fprintf(out, "Direction:    Engine-to-Console (this engine "
		    "connects to its consoles)\n");
		fprintf(out, "Listens on:   no port (the engine connects out)\n");
	}
}

/* "  last check-in 2026-11-30 14:20:00 UTC: failed (why)" on a console's
 * line (the detail is plain ASCII: nselog_checkin). */
static void
status_print_checkin(const struct nselog_checkin *c, FILE *out)
{
	if (c == NULL || !c->seen) {
		fprintf(out, "  no check-in in %s yet", CONSOLES_LOG_REL);
		return;
	}
	fprintf(out, "  last check-in %.10s %.8s UTC: %s", c->at, c->at + 11,
	    c->result);
	if (c->detail[0] != '\0')
		fprintf(out, " (%s)", c->detail);
}

static void
status_print_consoles(const struct status *st, FILE *out)
{
	size_t i;

	if (!st->consoles_read) {
		fprintf(out, "Consoles:     cannot be read (the problem is "
		    "below)\n");
		return;
	}
	if (st->consoles.n == 0) {
		fprintf(out, "Consoles:     none: %s\n", st->consoles_advice);
		return;
	}
	fprintf(out, "Consoles:\n");
	for (i = 0; i < st->consoles.n; i++) {
		struct console_entry en = st->consoles.v[i];

		/* A console names itself: shown, not obeyed by the
		 * terminal (a copy: st keeps what the file says). */
		en.id = xstrdup(en.id ? en.id : "?");
		en.name = xstrdup(en.name ? en.name : "-");
		en.last_address = xstrdup(en.last_address ?
		    en.last_address : "-");
		en.port = xstrdup(en.port ? en.port : "-");
		en.console_id = en.spki = NULL;
		consoles_entry_show(&en);
		fprintf(out, "  %s  %s  %s  %s  %s:%s", en.id,
		    en.enabled ? "enabled" : "disabled",
		    en.connect_to ? "engine-to-console" : "console-to-engine",
		    en.name, en.last_address, en.port);
		if (en.connect_to)
			status_print_checkin(st->checkins != NULL ?
			    &st->checkins[i] : NULL, out);
		fputc('\n', out);
		consoles_entry_free(&en);
	}
}

/* More than this many consoles Pending Authorization: one Problem line
 * counts them and names the first ones (docs/status.md). */
#define STATUS_PENDING_NAMED 3

/* The one line for n > STATUS_PENDING_NAMED consoles Pending
 * Authorization, appended to b: their count, the first ones (name,
 * address, id, shown), the commands to list and enable them. */
static void
status_pending_summary(const struct status *st, const char *root, size_t n,
    struct sbuf *b)
{
	size_t i, named = 0;

	sbuf_addf(b, "%zu consoles are Pending Authorization (enabled=\"0\" "
	    "in %s): the engine does not work with them. The first %d: ", n,
	    CONSOLES_REL, STATUS_PENDING_NAMED);
	for (i = 0; i < st->consoles.n && named < STATUS_PENDING_NAMED; i++) {
		struct console_entry sh;

		if (st->consoles.v[i].enabled)
			continue;
		status_entry_shown(&st->consoles.v[i], &sh);
		sbuf_addf(b, "%s%s at %s (id %s)", named > 0 ? ", " : "",
		    sh.name != NULL ? sh.name : "without a name",
		    sh.last_address != NULL ? sh.last_address : "no address",
		    sh.id != NULL ? sh.id : "none");
		consoles_entry_free(&sh);
		named++;
	}
	sbuf_add(b, ". See them all with `engine-setup consoles list");
	sbuf_add_root_option(b, root);
	sbuf_addf(b, "`; once a console has added this engine (%s), enable it "
	    "with `", CONSOLES_MENU_NEW_ENGINE);
	consoles_toggle_command("ID", true, true, root, b);
	sbuf_add(b, "`.");
}

/* The problems, each shown (a file name may hold control characters);
 * more than STATUS_PENDING_NAMED console-pending-authorization ones as one
 * line, where the first of them is. */
static void
status_print_problems(const struct status *st, const char *root, FILE *out)
{
	struct sbuf b, sum;
	size_t i, pending = 0;
	bool said = false;

	sbuf_init(&b);
	for (i = 0; i < st->nproblems; i++)
		if (strcmp(st->problems[i].code, STATUS_P_CONSOLE_PENDING) == 0)
			pending++;
	for (i = 0; i < st->nproblems; i++) {
		if (pending > STATUS_PENDING_NAMED &&
		    strcmp(st->problems[i].code, STATUS_P_CONSOLE_PENDING) ==
		    0) {
			if (said)
				continue;
			said = true;
			sbuf_init(&sum);
			status_pending_summary(st, root, pending, &sum);
			sbuf_add(&b, "Problem:      ");
			sbuf_add_shown(&b, sum.s, true);
			sbuf_addf(&b, " [%s]\n", STATUS_P_CONSOLE_PENDING);
			sbuf_free(&sum);
			continue;
		}
		sbuf_add(&b, "Problem:      ");
		sbuf_add_shown(&b, st->problems[i].message, true);
		sbuf_addf(&b, " [%s]\n", st->problems[i].code);
	}
	if (b.s != NULL)
		fputs(b.s, out);
	sbuf_free(&b);
}

/* "Ready: yes|no|cannot be told (why)", shown: why quotes the record's
 * ready line and log, which a damaged record may fill with anything. */
static void
status_print_ready(const struct status *st, FILE *out)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_addf(&b, "Ready:        %s (", st->ready == STATUS_READY_YES ?
	    "yes" : st->ready == STATUS_READY_NO ? "no" : "cannot be told");
	sbuf_add_shown(&b, st->ready_why, false);
	sbuf_add(&b, ")\n");
	fputs(b.s, out);
	sbuf_free(&b);
}

void
status_print_text(const struct status *st, const char *root, FILE *out)
{
	const struct record *r = &st->rec;
	size_t i;
	int cmp = 0;

	if (st->run_in_progress)
		fprintf(out, "Note:         an engine-setup run (process %ld) "
		    "is changing this installation now; what is shown "
		    "below is from before it.\n", st->running_pid);
	if (st->interrupted != NULL) {
		status_print_problems(st, root, out);
		return;
	}
	if (st->record_unreadable) {
		if (r->install_dir != NULL)
			fprintf(out, "Install dir:  %s\n", r->install_dir);
		status_print_problems(st, root, out);
		return;
	}
	if (!st->installed) {
		fprintf(out, "Not installed%s%s.\n",
		    strcmp(root, "/") == 0 ? "" : " under ",
		    strcmp(root, "/") == 0 ? "" : root);
		return;
	}
	fprintf(out, "Product:      %s %s\n", r->product ? r->product : "?",
	    r->version ? r->version : "?");
	fprintf(out, "Component:    %s\n", strcmp(r->component, "console") ==
	    0 ? "console (Security Console with local Scan Engine)" :
	    "engine (Scan Engine only)");
	fprintf(out, "Install dir:  %s\n", r->install_dir);
	if (r->installed_at != NULL)
		fprintf(out, "Installed at: %s\n", r->installed_at);
	if (r->upgraded_from != NULL)
		fprintf(out, "%s from %s on %s\n", r->version != NULL &&
		    version_compare(r->version, r->upgraded_from, &cmp) &&
		    cmp < 0 ? "Downgraded:  " : "Upgraded:    ",
		    r->upgraded_from,
		    r->upgraded_at != NULL ? r->upgraded_at : "(not recorded)");
	status_print_engine(st, out);
	if (st->engine.fingerprint[0] != '\0')
		fprintf(out, "Certificate:  %s (expires %.10s)\n",
		    st->engine.fingerprint, st->engine.not_after);
	for (i = 0; i < st->nservices; i++)
		fprintf(out, "Service:      %s\n", st->services[i].text);
	if (st->ready_why != NULL)
		status_print_ready(st, out);
	status_print_consoles(st, out);
	status_print_problems(st, root, out);
}

void
status_json_str(cJSON *o, const char *name, const char *s)
{
	char *u;

	if (s == NULL) {
		cJSON_AddNullToObject(o, name);
		return;
	}
	u = str_utf8(s);
	cJSON_AddStringToObject(o, name, u);
	free(u);
}

/* A port as a number, or null when it is not one (1-65535). */
static void
status_json_port(cJSON *o, const char *name, const char *s)
{
	char *end = NULL;
	unsigned long v = 0;

	if (s != NULL && *s >= '0' && *s <= '9')
		v = strtoul(s, &end, 10);
	if (v >= 1 && v <= 65535 && end != NULL && *end == '\0')
		cJSON_AddNumberToObject(o, name, (double)v);
	else
		cJSON_AddNullToObject(o, name);
}

/* true, false, or null for "cannot be told" (< 0). */
static void
status_json_tristate(cJSON *o, const char *name, int v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddBoolToObject(o, name, v != 0);
}

static cJSON *
status_json_service(const struct status_service *sv)
{
	cJSON *o = cJSON_CreateObject();

	status_json_str(o, "name", sv->name);
	status_json_str(o, "state", sv->state);
	status_json_tristate(o, "enabled", sv->enabled);
	return o;
}

static cJSON *
status_json_engine(const struct status *st)
{
	cJSON *o = cJSON_CreateObject();
	char port[16];

	status_json_str(o, "id", st->rec.engine_id);
	status_json_str(o, "name", st->engine.name);
	status_json_str(o, "communication", st->engine.communication);
	snprintf(port, sizeof port, "%u", st->engine.port);
	status_json_port(o, "port", st->engine.listens ? port : NULL);
	status_json_str(o, "fingerprint", st->engine.fingerprint[0] != '\0' ?
	    st->engine.fingerprint : NULL);
	status_json_str(o, "not_after", st->engine.not_after[0] != '\0' ?
	    st->engine.not_after : NULL);
	return o;
}

static cJSON *
status_json_console(const struct console_entry *en,
    const struct nselog_checkin *c)
{
	cJSON *o = cJSON_CreateObject(), *ci;

	status_json_str(o, "id", en->id);
	status_json_str(o, "name", en->name);
	status_json_str(o, "address", en->last_address);
	status_json_port(o, "port", en->port);
	cJSON_AddBoolToObject(o, "enabled", en->enabled);
	cJSON_AddStringToObject(o, "direction", en->connect_to ?
	    "engine-to-console" : "console-to-engine");
	status_json_str(o, "fingerprint", en->spki);
	cJSON_AddStringToObject(o, "state", status_console_state(en));
	if (!en->connect_to)
		return o;
	if (c == NULL || !c->seen) {
		cJSON_AddNullToObject(o, "last_checkin");
		return o;
	}
	ci = cJSON_AddObjectToObject(o, "last_checkin");
	cJSON_AddStringToObject(ci, "at", c->at);
	cJSON_AddStringToObject(ci, "result", c->result);
	cJSON_AddStringToObject(ci, "detail", c->detail);
	return o;
}

char *
status_json(const struct status *st, const char *root)
{
	const struct record *r = &st->rec;
	cJSON *o = cJSON_CreateObject(), *a, *p;
	char *text;
	size_t i;

	if (o == NULL)
		fatal("out of memory");
	cJSON_AddNumberToObject(o, "schema", STATUS_SCHEMA);
	cJSON_AddBoolToObject(o, "installed", st->installed);
	status_json_str(o, "root", root);
	status_json_str(o, "product", st->installed ? r->product : NULL);
	status_json_str(o, "version", st->installed ? r->version : NULL);
	status_json_str(o, "component", st->installed ? r->component : NULL);
	status_json_str(o, "install_dir", r->install_dir);
	status_json_str(o, "installed_at", st->installed ? r->installed_at :
	    NULL);
	status_json_str(o, "upgraded_from", st->installed ? r->upgraded_from :
	    NULL);
	status_json_str(o, "upgraded_at", st->installed ? r->upgraded_at :
	    NULL);
	status_json_str(o, "identity_renewed_at", st->installed ?
	    r->identity_renewed_at : NULL);
	cJSON_AddBoolToObject(o, "run_in_progress", st->run_in_progress);
	if (st->run_in_progress && st->running_pid > 0)
		cJSON_AddNumberToObject(o, "run_pid",
		    (double)st->running_pid);
	else
		cJSON_AddNullToObject(o, "run_pid");
	if (st->installed)
		cJSON_AddItemToObject(o, "engine", status_json_engine(st));
	else
		cJSON_AddNullToObject(o, "engine");
	if (st->nservices > 0)
		cJSON_AddItemToObject(o, "service",
		    status_json_service(&st->services[0]));
	else
		cJSON_AddNullToObject(o, "service");
	a = cJSON_AddArrayToObject(o, "services");
	for (i = 0; i < st->nservices; i++)
		cJSON_AddItemToArray(a, status_json_service(&st->services[i]));
	status_json_tristate(o, "ready", st->ready == STATUS_READY_UNKNOWN ?
	    -1 : st->ready == STATUS_READY_YES);
	if (st->consoles_read) {
		a = cJSON_AddArrayToObject(o, "consoles");
		for (i = 0; i < st->consoles.n; i++)
			cJSON_AddItemToArray(a,
			    status_json_console(&st->consoles.v[i],
			    st->checkins != NULL ? &st->checkins[i] : NULL));
	} else {
		cJSON_AddNullToObject(o, "consoles");
	}
	a = cJSON_AddArrayToObject(o, "problems");
	for (i = 0; i < st->nproblems; i++) {
		p = cJSON_CreateObject();
		status_json_str(p, "code", st->problems[i].code);
		status_json_str(p, "message", st->problems[i].message);
		cJSON_AddItemToArray(a, p);
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		fatal("out of memory");
	return text;
}

void
status_ready(struct status *st, const char *root, int wait_seconds,
    FILE *progress)
{
	struct ready_progress rp;
	enum ready_state rs;
	char why[1024], msg[READY_EXPLAIN_MAX];
	bool interrupted = false;

	if (!st->installed)
		return;
	memset(&rp, 0, sizeof rp);
	rp.out = progress;
	rp.tty = progress != NULL && progress == stdout &&
	    plat_stdout_is_tty();
	rp.what = ready_what(&st->rec);
	rp.last = -1;
	if (wait_seconds < 0) {
		rs = ready_now(root, &st->rec, -1, why, sizeof why);
	} else {
		rs = ready_wait(root, &st->rec, -1, (unsigned)wait_seconds,
		    progress != NULL ? ready_progress_print : NULL, &rp,
		    &interrupted, why, sizeof why);
		if (progress != NULL)
			ready_progress_end(&rp);
	}
	st->ready = rs == READY_YES ? STATUS_READY_YES :
	    rs == READY_UNKNOWN ? STATUS_READY_UNKNOWN : STATUS_READY_NO;
	free(st->ready_why);
	st->ready_why = xstrdup(why);
	if (wait_seconds < 0 || rs == READY_YES)
		return;
	ready_explain(&st->rec, rs, (unsigned)wait_seconds, interrupted, why,
	    true, msg, sizeof msg);
	status_add_problem(st, STATUS_P_NOT_READY, "%s.", msg);
}

bool
status_print(const char *root, bool json, int wait_seconds, FILE *out,
    int *code, struct es_err *e)
{
	struct status st;
	char *text;
	bool ok;

	ok = status_collect(root, &st, e);
	/* --wait-ready: the progress comes before the facts, and never on
	 * the standard output that carries the JSON. */
	if (ok)
		status_ready(&st, root, wait_seconds, wait_seconds < 0 ? NULL :
		    json ? stderr : out);
	*code = ok ? status_code(&st) : 0;
	if (json) {
		text = status_json(&st, root);
		fprintf(out, "%s\n", text);
		cJSON_free(text);
	} else if (ok) {
		status_print_text(&st, root, out);
	}
	status_free(&st);
	return ok;
}
