#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "consoles.h"
#include "install.h"
#include "platform.h"
#include "record.h"
#include "recover.h"
#include "util.h"

static void
status_consoles(const char *root, const struct record *r, FILE *out)
{
	char *rel = xasprintf("%s/nse/conf/consoles.xml", r->install_dir);
	char *path = plat_join_root(root, rel);
	struct consoles c;
	struct es_err e;
	size_t i;

	memset(&c, 0, sizeof c);
	err_clear(&e);
	if (!consoles_load(&c, path, &e)) {
		fprintf(out, "Consoles:     cannot read %s: %s\n", rel, e.msg);
		goto out;
	}
	if (c.n == 0) {
		struct plan p;
		struct sbuf b;

		plan_init(&p);
		sbuf_init(&b);
		answers_load_recorded(&p, root, r->install_dir);
		consoles_none_advice(r->component,
		    plan_get(&p, PK_COMMUNICATION), root, &b);
		fprintf(out, "Consoles:     none: %s\n", b.s);
		sbuf_free(&b);
		plan_free(&p);
		goto out;
	}
	fprintf(out, "Consoles:\n");
	for (i = 0; i < c.n; i++) {
		const struct console_entry *en = &c.v[i];

		fprintf(out, "  %s  %s  %s  %s  %s:%s\n",
		    en->id ? en->id : "?",
		    en->enabled ? "enabled" : "disabled",
		    en->connect_to ? "engine-to-console" : "console-to-engine",
		    en->name ? en->name : "-",
		    en->last_address ? en->last_address : "-",
		    en->port ? en->port : "-");
	}
out:
	consoles_free(&c);
	free(rel);
	free(path);
}

/* A service's state, and when it is not running, why and the command
 * that starts it: start_service = no in the recorded answers, or no
 * service manager for this root (installed under --root, an image). */
static void
status_service(const char *root, const struct record *r, const char *name,
    FILE *out)
{
	char state[128];
	enum install_start why = INSTALL_START_NONE;
	struct plan p;
	struct sbuf b;

	plat_service_state(root, name, state, sizeof state);
	plan_init(&p);
	sbuf_init(&b);
	answers_load_recorded(&p, root, r->install_dir);
	if (strcmp(state, "active") == 0 ||
	    strcmp(state, "not installed") == 0 ||
	    strcmp(state, "unknown") == 0)
		why = INSTALL_START_NONE;
	else if (!plan_yes(&p, PK_START_SERVICE))
		why = INSTALL_START_DECLINED;
	else if (!plat_service_manager_running(root))
		why = INSTALL_START_NO_MANAGER;
	install_service_text(root, name, state, why, false, &b);
	fprintf(out, "Service:      %s\n", b.s);
	sbuf_free(&b);
	plan_free(&p);
}

bool
status_print(const char *root, FILE *out, int *code, struct es_err *e)
{
	struct record r;
	char interrupted[1024];
	size_t i;
	long pid;

	*code = 0;
	record_init(&r);

	/* A run cut short: whatever the disk shows, it is not an
	 * installation to rely on (issue 9). One that is still going is
	 * not cut short: what it changes shows once it ends. */
	if (plat_run_lock_held(root, &pid)) {
		fprintf(out, "Note:         an engine-setup run (process %ld) "
		    "is changing this installation now; what is shown "
		    "below is from before it.\n", pid);
	} else if (recover_describe(root, interrupted, sizeof interrupted)) {
		fprintf(out, "Problem:      %s.\n", interrupted);
		*code = STATUS_NEEDS_ATTENTION;
		return true;
	}
	if (!record_load(root, &r, e)) {
		if (e->code != 0) {
			/* A damaged pointer or record: not an installation
			 * to rely on, and nothing it names is followed. */
			fprintf(out, "Problem:      %s\n", err_sentence(e));
			err_clear(e);
			*code = STATUS_NEEDS_ATTENTION;
			return true;
		}
		fprintf(out, "Not installed%s%s.\n",
		    strcmp(root, "/") == 0 ? "" : " under ",
		    strcmp(root, "/") == 0 ? "" : root);
		return true;
	}
	fprintf(out, "Product:      %s %s\n", r.product ? r.product : "?",
	    r.version ? r.version : "?");
	fprintf(out, "Component:    %s\n", strcmp(r.component, "console") == 0 ?
	    "console (Security Console with local Scan Engine)" :
	    "engine (Scan Engine only)");
	fprintf(out, "Install dir:  %s\n", r.install_dir);
	if (r.installed_at != NULL)
		fprintf(out, "Installed at: %s\n", r.installed_at);
	if (r.engine_id != NULL)
		fprintf(out, "Engine id:    %s\n", r.engine_id);
	for (i = 0; i < r.services.n; i++)
		status_service(root, &r, r.services.v[i], out);
	status_consoles(root, &r, out);
	record_free(&r);
	return true;
}
