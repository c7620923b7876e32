#include "status.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "identity.h"
#include "install.h"
#include "platform.h"
#include "plan.h"
#include "record.h"
#include "recover.h"
#include "util.h"

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
		strlist_add(&st->problems, st->consoles_error);
	} else {
		st->consoles_read = true;
		if (st->consoles.n == 0) {
			sbuf_init(&b);
			consoles_none_advice(r->component,
			    plan_get(answers, PK_COMMUNICATION), root, &b);
			st->consoles_advice = sbuf_detach(&b);
		}
	}
	free(idir);
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
	strlist_init(&st->problems);
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
		strlist_add_owned(&st->problems, xasprintf("%s.",
		    interrupted));
		ok = true;
		goto out;
	}
	if (!record_load(root, r, e)) {
		if (e->code != 0) {
			/* A damaged file of the installation, not a failure
			 * of status: a problem, with what to do about it. */
			record_damaged_explain(root, r, e);
			st->record_unreadable = true;
			strlist_add(&st->problems, err_sentence(e));
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
	/* status_add_problem() is not on main yet: the strlist directly. */
	if ((problem = identity_problem(root, r)) != NULL)
		strlist_add_owned(&st->problems, problem);
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
	free(st->consoles_advice);
	strlist_free(&st->problems);
	memset(st, 0, sizeof *st);
}

int
status_code(const struct status *st)
{
	return st->problems.n > 0 ? STATUS_NEEDS_ATTENTION : 0;
}

/* The engine's lines: its name, and for a distributed Scan Engine which
 * side connects and the port the console reaches it on. */
static void
status_print_engine(const struct status *st, FILE *out)
{
	bool engine = strcmp(st->rec.component, "engine") == 0;

	if (st->rec.engine_id != NULL)
		fprintf(out, "Engine id:    %s\n", st->rec.engine_id);
	fprintf(out, "Engine name:  %s%s\n", st->engine.name != NULL ?
	    st->engine.name : "unknown (nse/conf/nse.xml cannot be read)",
	    engine ? "" : " (the Security Console's local Scan Engine)");
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
		fprintf(out, "  %s  %s  %s  %s  %s:%s\n", en.id,
		    en.enabled ? "enabled" : "disabled",
		    en.connect_to ? "engine-to-console" : "console-to-engine",
		    en.name, en.last_address, en.port);
		consoles_entry_free(&en);
	}
}

/* The problems, each shown (a file name may hold control characters). */
static void
status_print_problems(const struct status *st, FILE *out)
{
	struct sbuf b;
	size_t i;

	sbuf_init(&b);
	for (i = 0; i < st->problems.n; i++) {
		sbuf_add(&b, "Problem:      ");
		sbuf_add_shown(&b, st->problems.v[i], true);
		sbuf_add(&b, "\n");
	}
	if (b.s != NULL)
		fputs(b.s, out);
	sbuf_free(&b);
}

void
status_print_text(const struct status *st, const char *root, FILE *out)
{
	const struct record *r = &st->rec;
	size_t i;

	if (st->run_in_progress)
		fprintf(out, "Note:         an engine-setup run (process %ld) "
		    "is changing this installation now; what is shown "
		    "below is from before it.\n", st->running_pid);
	if (st->interrupted != NULL) {
		status_print_problems(st, out);
		return;
	}
	if (st->record_unreadable) {
		if (r->install_dir != NULL)
			fprintf(out, "Install dir:  %s\n", r->install_dir);
		status_print_problems(st, out);
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
	status_print_engine(st, out);
	for (i = 0; i < st->nservices; i++)
		fprintf(out, "Service:      %s\n", st->services[i].text);
	status_print_consoles(st, out);
	status_print_problems(st, out);
}

bool
status_print(const char *root, FILE *out, int *code, struct es_err *e)
{
	struct status st;
	bool ok;

	ok = status_collect(root, &st, e);
	if (ok)
		status_print_text(&st, root, out);
	*code = ok ? status_code(&st) : 0;
	status_free(&st);
	return ok;
}
