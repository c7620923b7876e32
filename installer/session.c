#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "consoles.h"
#include "record.h"
#include "secret.h"
#include "wrap.h"

bool
session_engine_only(const struct session *s)
{
	return strcmp(plan_get(s->plan, PK_COMPONENT), "engine") == 0;
}

bool
session_engine_to_console(const struct session *s)
{
	return session_engine_only(s) && strcmp(plan_get(s->plan,
	    PK_COMMUNICATION), "engine-to-console") == 0;
}

static void
session_install_opts(const struct session *s, struct install_opts *io)
{
	memset(io, 0, sizeof *io);
	io->root = s->root;
	io->overwrite = s->overwrite;
	io->payload = s->payload;
	io->manifest = s->manifest;
	io->upgrade = s->upgrade;
	io->upgrade_older = s->upgrade_older;
}

bool
session_requirements(const struct session *s, struct req_report *r,
    struct es_err *e)
{
	struct install_opts io;

	session_install_opts(s, &io);
	return install_preflight(s->plan, &io, r, e);
}

void
session_requirements_text(const struct req_report *r, size_t width,
    struct sbuf *out)
{
	/* The measured value starts at column 38 ("%-6s %-30s "); its
	 * continuation lines go under it when that leaves room. */
	size_t hang = width == 0 || width >= 38 + 30 ? 38 : 7;
	struct sbuf row;
	size_t i;

	sbuf_init(&row);
	for (i = 0; i < r->n; i++) {
		const struct req_item *it = &r->item[i];

		row.len = 0;
		sbuf_addf(&row, "%-6s %-30s %s", req_result_label(it->result),
		    it->name, it->measured);
		if (it->threshold[0] != '\0')
			sbuf_addf(&row, " (%s)", it->threshold);
		wrap_line(out, row.s, row.len, width, hang);
		if (it->result != REQ_PASS && it->advice[0] != '\0') {
			row.len = 0;
			sbuf_addf(&row, "       %s", it->advice);
			wrap_line(out, row.s, row.len, width, 7);
		}
	}
	sbuf_free(&row);
}

/* The requirements check's view of the plan as it stands. */
static void
session_req_input(const struct session *s, struct req_input *in)
{
	memset(in, 0, sizeof *in);
	in->root = s->root;
	in->install_dir = plan_get(s->plan, PK_INSTALL_DIR);
	in->component = plan_get(s->plan, PK_COMPONENT);
	in->console_to_engine = session_engine_only(s) &&
	    !session_engine_to_console(s);
	in->engine_port = plan_port(s->plan, PK_ENGINE_PORT);
	in->overwrite = s->overwrite;
	in->payload_bytes = s->payload != NULL ? s->payload->t.data_bytes : 0;
}

/* The first [Fail] of r as one message into why; false when there is
 * one. */
static bool
session_first_fail(const struct req_report *r, char *why, size_t whysz)
{
	const struct req_item *it = req_first_fail(r);

	if (it == NULL)
		return true;
	if (it->advice[0] != '\0')
		snprintf(why, whysz, "%s", it->advice);
	else
		snprintf(why, whysz, "%s: %s.", it->name, it->measured);
	return false;
}

bool
session_check_install_dir(const struct session *s, const char *dir,
    char *why, size_t whysz)
{
	struct req_input in;
	struct req_report r;
	const char *expect;
	char *normal = NULL;
	bool ok;

	if (!plan_check_install_dir(dir, s->root, &normal, &expect)) {
		snprintf(why, whysz, "Expected %s.", expect);
		return false;
	}
	if (!plat_is_admin() && strcmp(s->root, "/") == 0) {
		snprintf(why, whysz, "Installing there needs administrator "
		    "rights: %s.", plat_admin_advice());
		free(normal);
		return false;
	}
	session_req_input(s, &in);
	in.install_dir = normal;
	req_check_location(s->manifest, &in, &r);
	ok = session_first_fail(&r, why, whysz);
	free(normal);
	return ok;
}

bool
session_check_ports(const struct session *s, char *why, size_t whysz)
{
	struct req_input in;
	struct req_report r;

	session_req_input(s, &in);
	req_check_ports(s->manifest, &in, &r);
	return session_first_fail(&r, why, whysz);
}

void
session_set_install_dir(struct session *s, const char *dir)
{
	const char *expect;
	char *normal = NULL;

	if (plan_check_install_dir(dir, s->root, &normal, &expect))
		plan_replace(s->plan, PK_INSTALL_DIR, normal);
	else
		plan_replace(s->plan, PK_INSTALL_DIR, dir);
	free(normal);
}

static void
session_line(struct sbuf *out, const char *label, const char *value)
{
	sbuf_addf(out, "%-28s %s\n", label, value != NULL ? value : "-");
}

void
session_summary(const struct session *s, struct sbuf *out)
{
	const struct plan *p = s->plan;
	const struct manifest_component *mc =
	    manifest_component(s->manifest, plan_get(p, PK_COMPONENT));
	char port[16];

	session_line(out, "Product:", s->manifest->product);
	session_line(out, "Version:", s->manifest->version);
	session_line(out, "Component:", mc != NULL && mc->title != NULL ?
	    mc->title : plan_get(p, PK_COMPONENT));
	session_line(out, "Install location:", plan_get(p, PK_INSTALL_DIR));
	if (strcmp(s->root, "/") != 0)
		session_line(out, "Under root folder:", s->root);
	session_line(out, "First name:", plan_get(p, PK_FIRST_NAME));
	session_line(out, "Last name:", plan_get(p, PK_LAST_NAME));
	session_line(out, "Company:", plan_get(p, PK_COMPANY));
	if (!session_engine_only(s)) {
		session_line(out, "Console administrator:",
		    plan_get(p, PK_CONSOLE_ADMIN_USER));
		snprintf(port, sizeof port, "%u", REQ_CONSOLE_WEB_PORT);
		session_line(out, "Console web port:", port);
	} else {
		session_line(out, "Engine name:", plan_get(p, PK_ENGINE_NAME));
		if (session_engine_to_console(s)) {
			session_line(out, "Communication:",
			    "Engine-to-Console (the engine connects to the "
			    "console)");
			if (plan_yes(p, PK_PAIR_NOW)) {
				snprintf(port, sizeof port, "%u",
				    plan_port(p, PK_CONSOLE_PORT));
				session_line(out, "Pair with console:",
				    plan_get(p, PK_CONSOLE_ADDRESS));
				session_line(out, "Console port:", port);
				if (plan_get(p, PK_CONSOLE_FINGERPRINT) != NULL)
					session_line(out, "Console key:",
					    plan_get(p, PK_CONSOLE_FINGERPRINT));
			} else {
				session_line(out, "Pairing:", "later, with "
				    "'engine-setup pair'");
			}
		} else {
			snprintf(port, sizeof port, "%u",
			    plan_port(p, PK_ENGINE_PORT));
			session_line(out, "Communication:",
			    "Console-to-Engine (console connects to this "
			    "engine)");
			session_line(out, "Engine listens on TCP port:", port);
		}
	}
	session_line(out, "Start the service:",
	    plan_yes(p, PK_START_SERVICE) ? "yes" : "no");
}

/* The first of this host's addresses, for the console's Address field,
 * and the others after it; with none but loopback, the host's name and
 * why. */
static void
session_address_field(const struct session *s, const struct strlist *addrs,
    struct sbuf *out)
{
	size_t i;

	if (addrs->n == 0) {
		sbuf_addf(out, "%s (the host's name: it has no network "
		    "address but loopback)", s->facts.hostname[0] != '\0' ?
		    s->facts.hostname : "this host's name");
		return;
	}
	sbuf_add(out, addrs->v[0]);
	for (i = 1; i < addrs->n; i++)
		sbuf_addf(out, "%s%s", i == 1 ? " (or another of this host's "
		    "addresses: " : ", ", addrs->v[i]);
	if (addrs->n > 1)
		sbuf_add(out, ")");
}

/* Under --root the addresses are those of the host that ran the install,
 * which the root may never boot on. */
static void
session_address_note(const struct session *s, const struct strlist *addrs,
    const char *indent, struct sbuf *out)
{
	if (strcmp(s->root, "/") == 0 || addrs->n == 0)
		return;
	sbuf_addf(out, "%s(These are the addresses of the host engine-setup "
	    "ran on; if %s becomes another machine's disk, use that "
	    "machine's.)\n", indent, s->root);
}

/* The Security Console component: where its web interface is. */
static void
session_console_next(const struct session *s, const struct strlist *addrs,
    struct sbuf *out)
{
	const char *user = plan_get(s->plan, PK_CONSOLE_ADMIN_USER);
	size_t i;

	if (addrs->n == 0) {
		const char *host = s->facts.hostname[0] != '\0' ?
		    s->facts.hostname : "HOST";

		sbuf_addf(out, "Next: open the Security Console in a web "
		    "browser at https://%s:%u and sign in as %s. This host has "
		    "no network address but loopback (127.0.0.1, ::1): use its "
		    "name, or the address it will have.\n", host,
		    REQ_CONSOLE_WEB_PORT, user);
		return;
	}
	sbuf_addf(out, "Next: open the Security Console in a web browser and "
	    "sign in as %s:\n", user);
	for (i = 0; i < addrs->n; i++) {
		sbuf_add(out, "  https://");
		addr_add_host(out, addrs->v[i]);
		sbuf_addf(out, ":%u\n", REQ_CONSOLE_WEB_PORT);
	}
	session_address_note(s, addrs, "", out);
}

void
session_next_steps(const struct session *s, const struct install_result *res,
    struct sbuf *out)
{
	const struct plan *p = s->plan;
	const char *name = plan_get(p, PK_ENGINE_NAME);
	struct strlist addrs;
	unsigned port;

	sbuf_addf(out, "Installed %s %s in %s.\n", s->manifest->product,
	    s->manifest->version, plan_get(p, PK_INSTALL_DIR));
	sbuf_addf(out, "Engine id %s.\n", res->engine_id);
	if (res->log_warning[0] != '\0')
		sbuf_addf(out, "Warning: %s\n", res->log_warning);
	if (res->command_warning[0] != '\0')
		sbuf_addf(out, "Warning: %s\n", res->command_warning);
	if (res->service[0] != '\0') {
		sbuf_add(out, "Service ");
		install_service_text(s->root, res->service, res->service_state,
		    res->start, true, out);
		sbuf_add(out, ".\n");
	}
	strlist_init(&addrs);
	if (!session_engine_to_console(s))
		plat_host_addresses(&addrs);
	if (!session_engine_only(s)) {
		session_console_next(s, &addrs, out);
	} else if (!session_engine_to_console(s)) {
		/* The seed: "Add an Engine through Administration", "Modify
		 * consoles.xml", "Refresh Your New Scan Engine". */
		port = plan_port(p, PK_ENGINE_PORT);
		sbuf_addf(out, "Next (Console-to-Engine pairing):\n"
		    "  1. In the Security Console: %s. On the General tab, "
		    "enter\n"
		    "       Name:     %s\n"
		    "       Address:  ", CONSOLES_MENU_NEW_ENGINE,
		    name != NULL ? name : "-");
		session_address_field(s, &addrs, out);
		sbuf_addf(out, "\n"
		    "       Port:     %u\n"
		    "     and click Save.\n", port);
		session_address_note(s, &addrs, "     ", out);
		sbuf_add(out, "  2. The console then appears in this engine's "
		    "consoles.xml. Enable it and restart the engine, here:\n"
		    "       engine-setup consoles enable CONSOLE_ADDRESS "
		    "--restart");
		sbuf_add_root_option(out, s->root);
		sbuf_add(out, "\n     CONSOLE_ADDRESS is the console's address, "
		    "as this shows it:\n"
		    "       engine-setup consoles list");
		sbuf_add_root_option(out, s->root);
		sbuf_addf(out, "\n"
		    "  3. In the console: %s, then click the Refresh icon of %s."
		    "\n"
		    "  The console must reach this host on TCP %u.\n",
		    CONSOLES_MENU_REFRESH, name != NULL ? name : "this engine",
		    port);
	} else if (res->paired) {
		sbuf_addf(out, "Paired with the console %s (key %s).\n"
		    "Next: in the Security Console, %s, then click the Refresh "
		    "icon of %s to verify it.\n", res->console_name,
		    res->console_spki, CONSOLES_MENU_REFRESH,
		    name != NULL ? name : "this engine");
	} else {
		port = plan_port(p, PK_CONSOLE_PORT);
		sbuf_addf(out, "Next (Engine-to-Console pairing): generate a "
		    "shared secret in the console (%s; valid 60 minutes), then "
		    "pair this engine:\n"
		    "  engine-setup pair --console CONSOLE_ADDRESS",
		    CONSOLES_MENU_SHARED_SECRET);
		if (port != 40815)
			sbuf_addf(out, ":%u", port);
		sbuf_add_root_option(out, s->root);
		sbuf_addf(out, "\n  CONSOLE_ADDRESS is the console's host name "
		    "or IP address (an IPv6 one in brackets when a port "
		    "follows). This host must reach the console on TCP %u.\n",
		    port);
	}
	strlist_free(&addrs);
}

void
session_free(struct session *s)
{
	if (s->have_ident)
		install_identity_free(&s->ident);
	s->have_ident = false;
}

static bool
session_identity(struct session *s, struct es_err *e)
{
	struct install_opts io;

	if (s->have_ident)
		return true;
	session_install_opts(s, &io);
	if (!install_identity_prepare(s->plan, &io, &s->ident, e))
		return false;
	s->have_ident = true;
	return true;
}

long
session_timeout_ms(const char *name)
{
	const char *v = getenv(name);
	double sec = v != NULL ? strtod(v, NULL) : 0;

	return sec > 0 && sec < 3600 ? (long)(sec * 1000) : 0;
}

size_t
session_output_width(void)
{
	return plat_stdout_is_tty() || getenv("COLUMNS") != NULL ?
	    plat_terminal_columns() : 0;
}

void
session_pair_step_text(enum pairing_stage st, enum pairing_outcome out,
    const char *detail, struct sbuf *line)
{
	static const char *const label[] = { "[ OK ]", "[FAIL]", "[ -- ]" };

	sbuf_addf(line, "  %s %-22s %s", label[out], pairing_stage_name(st),
	    detail != NULL ? detail : "");
}

void
session_print_pair_step(enum pairing_stage st, enum pairing_outcome out,
    const char *detail, void *arg)
{
	FILE *fp = arg;
	struct sbuf line, b;

	sbuf_init(&line);
	sbuf_init(&b);
	session_pair_step_text(st, out, detail, &line);
	/* The detail's continuation lines go under the detail. */
	wrap_line(&b, line.s, line.len, session_output_width(), 2 + 7 + 23);
	fputs(b.s, fp);
	fflush(fp);
	sbuf_free(&line);
	sbuf_free(&b);
}

bool
session_pairing_test(struct session *s, pairing_step_fn step,
    bool (*stop)(void *arg), void *arg, struct pairing_result *r,
    struct es_err *e)
{
	struct secret_source src;
	struct pairing_opts po;
	char *secret;
	bool ok;

	if (!session_identity(s, e))
		return false;
	/* A key learnt from an earlier test is no pin for another console
	 * (the user went back and changed the address). */
	if (s->pin_from_test) {
		plan_replace(s->plan, PK_CONSOLE_FINGERPRINT, NULL);
		s->pin_from_test = false;
	}
	secret_from_plan(s->plan, &src);
	if ((secret = secret_obtain(&src, s->warn, e)) == NULL)
		return false;
	memset(&po, 0, sizeof po);
	po.host = plan_get(s->plan, PK_CONSOLE_ADDRESS);
	po.port = plan_port(s->plan, PK_CONSOLE_PORT);
	po.secret = secret;
	po.pin = plan_get(s->plan, PK_CONSOLE_FINGERPRINT);
	po.proxy = plan_get(s->plan, PK_PROXY);
	po.connect_timeout_ms = session_timeout_ms("ENGINE_SETUP_CONNECT_TIMEOUT");
	po.total_timeout_ms = session_timeout_ms("ENGINE_SETUP_TIMEOUT");
	po.engine_id = s->ident.engine_id;
	po.engine_name = plan_get(s->plan, PK_ENGINE_NAME);
	po.engine_version = s->manifest->version;
	po.engine_cert_pem = s->ident.cert_pem;
	po.dry_run = true;
	po.step = step;
	po.step_arg = arg;
	po.stop = stop;
	po.stop_arg = arg;
	po.signals = plat_signals_pending;
	ok = po.host != NULL && pairing_run(&po, r, e);
	if (po.host == NULL)
		err_set(e, ES_EUSAGE, "no console address to test");
	if (ok && !plan_is_set(s->plan, PK_CONSOLE_FINGERPRINT)) {
		plan_replace(s->plan, PK_CONSOLE_FINGERPRINT, r->console_spki);
		s->pin_from_test = true;
	}
	util_free_secret(secret);
	return ok;
}

bool
session_install(struct session *s, payload_progress_fn progress,
    void *progress_arg, exec_report_fn report, void *report_arg,
    struct install_result *res, struct es_err *e)
{
	struct install_opts io;
	struct secret_source src;
	char *secret = NULL;
	bool ok;

	session_install_opts(s, &io);
	io.progress = progress;
	io.progress_arg = progress_arg;
	io.report = report;
	io.report_arg = report_arg;
	if (install_pairs(s->plan) && !s->upgrade) {
		if (!session_identity(s, e))
			return false;
		secret_from_plan(s->plan, &src);
		if ((secret = secret_obtain(&src, NULL, e)) == NULL)
			return false;
		io.identity = &s->ident;
		io.secret = secret;
	}
	ok = install_run(s->plan, &io, res, e);
	util_free_secret(secret);
	return ok;
}

bool
session_record(const struct session *s, struct es_err *e)
{
	char *text;
	bool ok;

	if (s->record == NULL)
		return true;
	text = plan_write(s->plan);
	ok = plat_write_file_atomic(s->record, text, strlen(text), 0600, e);
	free(text);
	return ok;
}
