/* `engine-setup [install]`: the wizard, line mode or a silent install. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "answers.h"
#include "cmd.h"
#include "consoles.h"
#include "log.h"
#include "plancheck.h"
#include "prompt.h"
#include "ready.h"
#include "runlock.h"
#include "secret.h"
#include "wizard.h"
#include "wrap.h"

/* install4j reads NAME.varfile beside the installer (the media file name
 * without its extension). */
static char *
auto_varfile(void)
{
	char *self = plat_self_exe(), *dot, *slash, *path;

	if (self == NULL)
		return NULL;
	slash = strrchr(self, '/');
	dot = strrchr(self, '.');
	if (dot != NULL && (slash == NULL || dot > slash) &&
	    (strcmp(dot, ".bin") == 0 || strcmp(dot, ".sh") == 0 ||
	    strcmp(dot, ".exe") == 0))
		*dot = '\0';
	path = xasprintf("%s.varfile", self);
	free(self);
	if (plat_file_type(path) != PLAT_FILE) {
		free(path);
		return NULL;
	}
	return path;
}

/* install4j -DNAME=VALUE: noted in the log, no effect (cli-contract.md);
 * the value is not logged. */
static void
log_sysprops(const struct cli *c)
{
	size_t i;

	for (i = 0; i < c->sysprops.n; i++)
		log_msg("-D%s=... (a Java system property of the reference "
		    "installer) accepted and ignored%s", c->sysprops.v[i],
		    strcmp(c->sysprops.v[i],
		    "install4j.suppressUnattendedReboot") == 0 ?
		    ": engine-setup never reboots the host" : "");
}

static bool
build_plan(const struct cli *c, struct plan *p, struct es_err *e)
{
	char *auto_vf = auto_varfile();
	size_t i;
	bool ok = true;

	if (auto_vf != NULL) {
		log_msg("reading %s (beside the installer)", auto_vf);
		ok = answers_load(p, auto_vf, PLAN_SRC_VARFILE_AUTO, e) && ok;
		free(auto_vf);
	}
	for (i = 0; i < c->answer_files.n; i++) {
		log_msg("reading answers from %s", c->answer_files.v[i]);
		ok = answers_load(p, c->answer_files.v[i], PLAN_SRC_FILE, e) &&
		    ok;
	}
	if (c->dir != NULL)
		ok = plan_set(p, "install_dir", c->dir, PLAN_SRC_SET, NULL, 0,
		    e) && ok;
	for (i = 0; i < c->sets.n; i++)
		ok = answers_set_arg(p, c->sets.v[i], PLAN_SRC_SET, e) && ok;
	return ok;
}

static void
print_requirements(const struct req_report *r, FILE *out)
{
	struct sbuf b;

	sbuf_init(&b);
	session_requirements_text(r, session_output_width(), &b);
	fprintf(out, "System requirements:\n%s", b.s != NULL ? b.s : "");
	sbuf_free(&b);
}

struct progress_state {
	bool tty;
	int last_decile;
	double start;
};

static bool
print_progress(const struct payload_progress *pr, void *arg)
{
	struct progress_state *s = arg;
	char done[32], total[32];
	int pct = pr->bytes_total > 0 ?
	    (int)(pr->bytes_done * 100 / pr->bytes_total) : 100;
	double elapsed = plat_monotonic() - s->start;

	human_bytes(pr->bytes_done, done, sizeof done);
	human_bytes(pr->bytes_total, total, sizeof total);
	if (s->tty) {
		double left = pct > 0 ? elapsed * (100 - pct) / pct : 0;

		printf("\r      %3d%%  %s of %s, %llu of %llu files, %.0f s "
		    "left   ", pct, done, total,
		    (unsigned long long)pr->files_done,
		    (unsigned long long)pr->files_total, left);
		if (pr->files_done == pr->files_total)
			printf("\n");
		fflush(stdout);
	} else if (pct / 25 > s->last_decile) {
		s->last_decile = pct / 25;
		printf("      %3d%%  %s of %s, %llu of %llu files\n", pct, done,
		    total, (unsigned long long)pr->files_done,
		    (unsigned long long)pr->files_total);
		fflush(stdout);
	}
	return true;
}

/* "Nexpose Scan Engine": the product and the component's title. */
static char *
product_title(const struct manifest *m, const char *component)
{
	const struct manifest_component *mc = manifest_component(m, component);

	return xasprintf("%s %s", m->product, mc != NULL && mc->title != NULL ?
	    mc->title : component);
}

/* After an upgrade: what it did and kept, the engine id and the service. */
static void
print_upgraded(const struct session *ss, const struct install_result *res,
    const struct manifest *m)
{
	char *title = product_title(m, plan_get(ss->plan, PK_COMPONENT));
	struct sbuf b;

	sbuf_init(&b);
	printf("\n%s %s from %s to %s.\n", res->upgraded_from[0] != '\0' &&
	    ss->upgrade_older ? "Downgraded" : "Upgraded", title,
	    res->upgraded_from, m->version);
	if (res->upgrade_notes.len > 0)
		printf("%s", res->upgrade_notes.s);
	printf("Engine id %s (kept).\n", res->engine_id);
	if (res->service[0] != '\0') {
		install_service_text(ss->root, res->service,
		    res->service_state, res->start, true, &b);
		printf("Service %s.\n", b.s);
	}
	sbuf_free(&b);
	free(title);
}

static void
print_step(size_t i, size_t n, const char *title, void *arg)
{
	(void)arg;
	printf("[%zu/%zu] %s\n", i + 1, n, title);
	fflush(stdout);
}

/* A --root that is a folder, or a symbolic link to one (what the link
 * leads to is the root then, as it would be for any command). */
static bool
root_is_folder(const char *root)
{
	char *real;
	bool ok;

	if (plat_file_type(root) == PLAT_DIR)
		return true;
	real = plat_real_path(root);
	ok = real != NULL && plat_file_type(real) == PLAT_DIR;
	free(real);
	return ok;
}

/* "engine-setup uninstall", with this run's --root (shell-quoted) so that
 * it works as printed; into b, which the caller frees. */
static const char *
uninstall_command(const struct cli *c, struct sbuf *b)
{
	sbuf_add(b, "engine-setup uninstall");
	sbuf_add_root_option(b, c->root);
	return b->s;
}

/* cmd_fail(), keeping e for --check --json. */
static int
install_fail(struct plancheck *pc, struct es_err *e)
{
	int rc = cmd_fail(e);

	plancheck_error(pc, e);
	return rc;
}

/* --check of an upgrade: what it would keep, changing nothing; said on
 * out. */
static int
upgrade_check(const struct plan *p, const struct install_opts *io,
    const struct record *old, const char *new_version, FILE *out,
    struct plancheck *pc)
{
	struct upgrade_plan up;
	struct es_err e;
	struct sbuf b;
	char *title = product_title(io->manifest, plan_get(p, PK_COMPONENT));

	err_clear(&e);
	sbuf_init(&b);
	if (!install_upgrade_preview(p, io, &up, &e)) {
		free(title);
		return install_fail(pc, &e);
	}
	fprintf(out, "\nThis would %s %s from %s to %s at %s, keeping its "
	    "engine id, key, certificate, consoles.xml and nse.xml.\n",
	    io->upgrade_older ? "downgrade" : "upgrade", title, old->version,
	    new_version, old->install_dir);
	upgrade_text(&up, true, &b);
	if (b.len > 0)
		fprintf(out, "Configuration you changed:\n%s", b.s);
	else
		fprintf(out, "No configuration file was changed by you: every "
		    "one would be the new version's.\n");
	fprintf(out, "Nothing was changed.\n");
	upgrade_plan_free(&up);
	sbuf_free(&b);
	free(title);
	return 0;
}

/* An installation whose record cannot be read (e says why): without
 * --overwrite nothing can be compared with it (exit 7, unchanged); with
 * it, it is replaced as a whole, which is said first; e is cleared. */
static bool
install_damaged(const struct cli *c, const struct record *old, FILE *out,
    struct es_err *e)
{
	struct es_err note;

	if (!c->overwrite) {
		e->code = ES_EEXISTS;
		err_set(e, ES_EEXISTS, "So these answers cannot be compared "
		    "with the installation at %s, and nothing was changed. To "
		    "replace it with this installation (a new record, engine "
		    "id and key; consoles it was paired with must pair again), "
		    "run the same command again with --overwrite",
		    old->install_dir);
		return false;
	}
	note = *e;
	err_clear(e);
	err_set(e, 0, "%s", err_sentence(&note));
	err_set(e, 0, "--overwrite replaces the installation at %s as a "
	    "whole: a new record, engine id and key (consoles it was paired "
	    "with must pair again)", old->install_dir);
	cmd_say_note(out, e);
	err_clear(e);
	return true;
}

/* The console in cs that an Engine-to-Console pairing with host:port
 * (host in addr_normal() form) recorded, or NULL. */
static const struct console_entry *
rerun_console(const struct consoles *cs, const char *host, unsigned port)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		const struct console_entry *ce = &cs->v[i];
		char *normal;
		bool same;

		/* pairAgain: that console knew an identity this engine
		 * no longer has (identity.h): pair with it again. */
		if (!ce->connect_to || ce->pair_again ||
		    ce->last_address == NULL ||
		    ce->port == NULL || strtoul(ce->port, NULL, 10) != port)
			continue;
		normal = addr_normal(ce->last_address);
		same = strcmp(normal, host) == 0;
		free(normal);
		if (same)
			return ce;
	}
	return NULL;
}

/* A re-run with the same answers as the installation that asks to pair
 * (pair_now = yes and a console): the pairing answers are part of what a
 * re-run compares (issue 12), so pair with that console when the engine is
 * not paired with it (connection test first; exit 4 and nothing changed
 * when it fails; --check runs only the test), and say so when it is, on
 * out. pc hears which (action none or pair) and how the test went. */
static int
install_rerun_pair(const struct cli *c, struct plan *p, struct record *old,
    const struct manifest *m, FILE *out, struct plancheck *pc)
{
	const char *root = c->root != NULL ? c->root : "/";
	struct consoles cs;
	struct cmd_pair_target t;
	struct secret_source src;
	const struct console_entry *ce;
	struct es_err e;
	char *idir, *host, *where, *secret = NULL;
	unsigned port = plan_port(p, PK_CONSOLE_PORT);
	int rc = 0;

	err_clear(&e);
	memset(&cs, 0, sizeof cs);
	idir = plat_join_root(root, old->install_dir);
	host = addr_normal(plan_get(p, PK_CONSOLE_ADDRESS));
	where = addr_with_port(host, port);
	pc->action = PLANCHECK_PAIR;
	if (!consoles_load(&cs, idir, &e)) {
		rc = install_fail(pc, &e);
		goto out;
	}
	if ((ce = rerun_console(&cs, host, port)) != NULL) {
		pc->action = PLANCHECK_NONE;
		fprintf(out, "%s %s is already installed at %s with the same "
		    "answers, and paired with the console %s at %s (console "
		    "%s in " CONSOLES_REL "): nothing to do.\n", m->product,
		    m->version,
		    old->install_dir, ce->name != NULL ? ce->name : "?", where,
		    ce->id != NULL ? ce->id : "?");
		goto out;
	}
	pc->console = xstrdup(where);
	fprintf(out, "%s %s is already installed at %s with the same answers, "
	    "but it is not paired with the console at %s: %s.\n", m->product,
	    m->version, old->install_dir, where, c->check ?
	    "testing the connection to it (--check changes nothing)" :
	    "pairing with it now; nothing else changes");
	secret_from_plan(p, &src);
	if ((secret = secret_obtain(&src, stderr, &e)) == NULL) {
		rc = install_fail(pc, &e);
		goto out;
	}
	memset(&t, 0, sizeof t);
	t.out = out;
	t.host = host;
	t.port = port;
	t.secret = secret;
	t.pin = plan_get(p, PK_CONSOLE_FINGERPRINT);
	t.proxy = plan_get(p, PK_PROXY);
	t.test_only = c->check;
	if (!cmd_pair_installed(root, old, &t, &e)) {
		rc = install_fail(pc, &e);
		if (e.code == ES_EPAIR)
			fprintf(stderr, "Nothing was changed.\n");
	} else {
		pc->tested = true;
	}
out:
	util_free_secret(secret);
	consoles_free(&cs);
	free(where);
	free(host);
	free(idir);
	return rc;
}

/* install --wait-ready: wait up to c->wait_ready seconds for the service
 * of the installation under root to be ready (ready.h), with a progress
 * line. since: the ready log's size before the service was started, or
 * -1. The run lock (*lock) is released first: the installation is
 * complete, and another run need not wait for this one's wait. Returns 0
 * when it is ready, else ES_EINSTALL with why on standard error: the
 * installation stays as it is. */
static int
install_wait_ready(const struct cli *c, const char *root, long long since,
    struct plat_run_lock **lock)
{
	struct ready_progress rp;
	enum ready_state rs;
	struct record r;
	struct es_err e;
	struct sbuf opt;
	char why[1024], msg[READY_EXPLAIN_MAX];
	bool interrupted = false;
	int rc = 0;

	plat_run_lock_release(*lock);
	*lock = NULL;
	record_init(&r);
	err_clear(&e);
	sbuf_init(&opt);
	sbuf_add_root_option(&opt, root);
	if (!record_load(root, &r, &e)) {
		if (e.code == 0)
			err_set(&e, ES_EINSTALL, "no installation to wait for");
		rc = cmd_fail(&e);
		goto out;
	}
	memset(&rp, 0, sizeof rp);
	rp.out = stdout;
	rp.tty = plat_stdout_is_tty();
	rp.what = ready_what(&r);
	rp.last = -1;
	rs = ready_wait(root, &r, since, (unsigned)c->wait_ready,
	    ready_progress_print, &rp, &interrupted, why, sizeof why);
	ready_progress_end(&rp);
	if (rs == READY_YES) {
		printf("The %s is ready.\n", rp.what);
		goto out;
	}
	ready_explain(&r, rs, (unsigned)c->wait_ready, interrupted, why, false,
	    msg, sizeof msg);
	if (rs != READY_NOT_YET)
		err_set(&e, ES_EINSTALL, "%s. The installation stays", msg);
	else
		err_set(&e, ES_EINSTALL, "%s. The installation stays; see "
		    "whether it becomes ready with `engine-setup status "
		    "--wait-ready%s`", msg, opt.s != NULL ? opt.s : "");
	rc = cmd_fail(&e);
out:
	sbuf_free(&opt);
	record_free(&r);
	return rc;
}

/* An installation of this product at another version, whose record
 * could be read: --overwrite with other answers is refused over it
 * (upgrade first, with its recorded answers). */
static bool
install_other_version(bool damaged, const struct record *old,
    const struct manifest *m)
{
	return !damaged && old->version != NULL && old->product != NULL &&
	    m->product != NULL && strcmp(old->product, m->product) == 0 &&
	    strcmp(old->version, m->version) != 0;
}

/* What a run with c's options over the installation old (compared as ex)
 * needs that they do not give, for --check --json: every case that
 * cmd_install refuses with exit 7. */
static enum plancheck_needs
install_needs(const struct cli *c, enum install_existing ex, bool damaged,
    const struct record *old, const struct manifest *m, const struct plan *p)
{
	if (ex == INSTALL_OLDER)
		return c->allow_downgrade ? PLANCHECK_NEEDS_NOTHING :
		    PLANCHECK_NEEDS_ALLOW_DOWNGRADE;
	if (ex != INSTALL_DIFFERENT)
		return PLANCHECK_NEEDS_NOTHING;
	if (strcmp(old->install_dir, plan_get(p, PK_INSTALL_DIR)) != 0)
		return PLANCHECK_NEEDS_UNINSTALL;
	if (install_other_version(damaged, old, m))
		return PLANCHECK_NEEDS_UPGRADE_FIRST;
	return c->overwrite ? PLANCHECK_NEEDS_NOTHING :
	    PLANCHECK_NEEDS_OVERWRITE;
}

/* The action of --check --json for what install_existing() found. */
static enum plancheck_action
install_action(enum install_existing ex)
{
	switch (ex) {
	case INSTALL_NONE:
		return PLANCHECK_INSTALL;
	case INSTALL_SAME:
		return PLANCHECK_NONE;
	case INSTALL_UPGRADE:
		return PLANCHECK_UPGRADE;
	case INSTALL_OLDER:
		return PLANCHECK_DOWNGRADE;
	case INSTALL_DIFFERENT:
		break;
	}
	return PLANCHECK_OVERWRITE;
}

int
cmd_install(const struct cli *c)
{
	struct payload pl;
	struct manifest m;
	struct plan p;
	struct plat_facts facts;
	struct record old;
	struct req_report req;
	struct install_opts io;
	struct install_result res;
	struct plan_validate_opts vo;
	struct progress_state ps;
	struct session ss;
	struct es_err e;
	struct plat_run_lock *lock = NULL;
	struct install_diffs diffs;
	struct plancheck pc;
	struct sbuf why, cmd;
	char *license = NULL;
	const char *root = c->root != NULL ? c->root : "/";
	enum install_existing ex;
	bool damaged;                /* the record could not be read */
	bool interactive = !c->silent && !c->check;
	/* --json: standard output carries the object alone; what is said
	 * for people goes to standard error. */
	FILE *out = c->json ? stderr : stdout;
	int rc = 0;

	err_clear(&e);
	install_diffs_init(&diffs);
	plancheck_init(&pc);
	memset(&pl, 0, sizeof pl);
	memset(&m, 0, sizeof m);
	sbuf_init(&why);
	sbuf_init(&cmd);
	plan_init(&p);
	record_init(&old);
	memset(&ss, 0, sizeof ss);
	memset(&res, 0, sizeof res);
	plat_signals_install();

	if (!log_open(c->log, &e)) {
		rc = cmd_fail(&e);
		goto out;
	}
	log_sysprops(c);
	if (!build_plan(c, &p, &e)) {
		cmd_say_error(&e, "Nothing was changed.");
		rc = ES_EUSAGE;
		goto out;
	}
	if (!cmd_open_payload(c, &pl, &m, &license, &e)) {
		rc = cmd_fail(&e);
		goto out;
	}
	plat_facts(&facts);
	plan_apply_defaults(&p, facts.hostname);
	memset(&vo, 0, sizeof vo);
	vo.silent = !interactive;
	vo.license_implied = c->install4j_quiet;
	vo.root = root;
	if (!plan_validate(&p, &vo, &e)) {
		cmd_say_error(&e, "Nothing was changed.");
		rc = ES_EUSAGE;
		goto out;
	}
	if (!interactive)
		secret_warn_plan_files(&p, stderr);
	if (c->root != NULL && !root_is_folder(c->root)) {
		err_set(&e, ES_EUSAGE, "--root %s is not an existing folder: "
		    "create it first", c->root);
		rc = cmd_fail(&e);
		goto out;
	}
	if (c->root == NULL && !plat_is_admin()) {
		err_set(&e, ES_EREQ, "installing into %s needs administrator "
		    "rights: %s, or install into a folder of yours with --root "
		    "DIR", plan_get(&p, PK_INSTALL_DIR), plat_admin_advice());
		rc = cmd_fail(&e);
		goto out;
	}

	/* Before the installation is read, so that the decision below still
	 * holds when the steps run; --check changes nothing and needs none. */
	if (!c->check && !runlock_take(root, c->wait_lock, stdout, &lock, &e)) {
		rc = cmd_fail(&e);
		goto out;
	}

	memset(&io, 0, sizeof io);
	io.root = root;
	io.overwrite = c->overwrite;
	io.payload = &pl;
	io.manifest = &m;
	ex = install_existing(&p, &io, &old, &diffs, &e);
	install_diffs_text(&diffs, &why);
	damaged = e.code != 0;
	/* Compared (a record that cannot be read is still an installation
	 * there): from here on, --check --json prints its object. */
	if (!damaged || old.install_dir != NULL) {
		pc.compared = true;
		pc.manifest = &m;
		pc.plan = &p;
		pc.root = root;
		pc.installed = damaged || ex != INSTALL_NONE ? &old : NULL;
		pc.diffs = &diffs;
		pc.action = install_action(ex);
		pc.needs = install_needs(c, ex, damaged, &old, &m, &p);
	}
	if (e.code != 0 && old.install_dir != NULL &&
	    !install_damaged(c, &old, out, &e)) {
		rc = install_fail(&pc, &e);
		goto out;
	}
	if (e.code != 0) {
		rc = install_fail(&pc, &e);
		goto out;
	}
	if (ex == INSTALL_SAME && install_pairs(&p)) {
		rc = install_rerun_pair(c, &p, &old, &m, out, &pc);
		if (rc == 0 && c->wait_ready >= 0)
			rc = install_wait_ready(c, root, -1, &lock);
		goto out;
	}
	if (ex == INSTALL_SAME) {
		fprintf(out, "%s %s is already installed at %s with the same "
		    "answers: nothing to do.\n", m.product, m.version,
		    old.install_dir);
		rc = 0;
		if (c->wait_ready >= 0)
			rc = install_wait_ready(c, root, -1, &lock);
		goto out;
	}
	if (ex == INSTALL_OLDER && !c->allow_downgrade) {
		err_set(&e, ES_EEXISTS, "%s is installed; this installer holds "
		    "%s, an older version.\n%sNothing was changed. To install "
		    "it anyway: --allow-downgrade (it keeps the engine's "
		    "identity and the configuration you changed, as an upgrade "
		    "does)", old.version, m.version, why.s != NULL ? why.s : "");
		rc = install_fail(&pc, &e);
		goto out;
	}
	/* The same answers, another version: an upgrade in place, without
	 * questions (the answers are the installation's). With --overwrite
	 * too: replacing the configuration the administrator changed with
	 * the new defaults is what an upgrade never does (docs/upgrade.md,
	 * "When a run is an upgrade"). */
	if (ex == INSTALL_UPGRADE || ex == INSTALL_OLDER) {
		if (c->overwrite)
			fprintf(out, "These are the installation's answers "
			    "with another version: this is an upgrade in "
			    "place, which keeps the configuration you changed "
			    "(--overwrite does not replace it).\n");
		io.upgrade = true;
		io.upgrade_older = ex == INSTALL_OLDER;
		interactive = false;
	}
	/* Other answers and another version: --overwrite would put the new
	 * version's defaults over the configuration the administrator
	 * changed. The upgrade comes first, with the recorded answers. */
	if (ex == INSTALL_DIFFERENT && c->overwrite &&
	    install_other_version(damaged, &old, &m)) {
		char *rel = record_answers_path(old.install_dir);
		char *answers = plat_join_root(root, rel);

		sbuf_add_root_option(&cmd, c->root);
		err_set(&e, ES_EEXISTS, "%s %s is installed at %s with other "
		    "answers, and this installer holds %s: --overwrite would "
		    "replace the configuration files changed there with the "
		    "defaults of %s, which an upgrade never does. What "
		    "differs:\n%sNothing was changed. Upgrade first: run this "
		    "installer with the installation's own answers, without "
		    "--overwrite:\n  --silent --answers %s%s\nthen run this "
		    "command again to change the answers", old.product,
		    old.version, old.install_dir, m.version, m.version,
		    why.s != NULL ? why.s : "", answers, cmd.s);
		free(answers);
		free(rel);
		rc = install_fail(&pc, &e);
		goto out;
	}
	if (ex == INSTALL_DIFFERENT && !c->overwrite) {
		err_set(&e, ES_EEXISTS, "%s %s (%s) is already installed at %s "
		    "with other answers; what differs:\n%sNothing was changed. "
		    "To install with these answers, run the same command again "
		    "with --overwrite (the engine keeps its id, key and paired "
		    "consoles), or remove the installation first:\n  %s",
		    old.product ? old.product : "the product",
		    old.version ? old.version : "", old.component,
		    old.install_dir, why.s != NULL ? why.s : "",
		    uninstall_command(c, &cmd));
		rc = install_fail(&pc, &e);
		goto out;
	}
	if (ex == INSTALL_DIFFERENT &&
	    strcmp(old.install_dir, plan_get(&p, PK_INSTALL_DIR)) != 0) {
		err_set(&e, ES_EEXISTS, "an installation exists at %s; "
		    "--overwrite replaces it only in the same place. To "
		    "install at %s, remove it first:\n  %s", old.install_dir,
		    plan_get(&p, PK_INSTALL_DIR), uninstall_command(c, &cmd));
		rc = install_fail(&pc, &e);
		goto out;
	}

	ss.plan = &p;
	ss.manifest = &m;
	ss.license = license;
	ss.payload = &pl;
	ss.root = root;
	ss.overwrite = c->overwrite;
	ss.upgrade = io.upgrade;
	ss.upgrade_older = io.upgrade_older;
	ss.record = c->record;
	ss.facts = facts;
	ss.warn = interactive ? NULL : stderr;
	if (interactive) {
		rc = WIZARD_NO_TERMINAL;
		if (!c->text && plat_terminal_usable())
			rc = wizard_run(&ss);
		if (rc == WIZARD_NO_TERMINAL)
			rc = prompt_run(&ss, stdin, stdout);
		if (rc == 0 && c->wait_ready >= 0)
			rc = install_wait_ready(c, root, -1, &lock);
		goto out;
	}
	if (install_pairs(&p) && !io.upgrade)
		pc.console = addr_with_port(plan_get(&p, PK_CONSOLE_ADDRESS),
		    plan_port(&p, PK_CONSOLE_PORT));
	if (!install_preflight(&p, &io, &req, &e)) {
		pc.req = &req;
		if (!c->json)
			print_requirements(&req, stdout);
		rc = install_fail(&pc, &e);
		goto out;
	}
	pc.req = &req;
	if (!c->json)
		print_requirements(&req, stdout);
	/* A signal that came before the connection test: the test counts only
	 * those that come during it. */
	if (plat_signals_pending() > 0) {
		err_set(&e, ES_ECANCEL, "cancelled by a signal (Ctrl-C or "
		    "SIGTERM)");
		rc = install_fail(&pc, &e);
		fprintf(stderr, "Nothing was changed.\n");
		goto out;
	}
	/* Engine-to-Console with pair_now = yes: the connection test runs
	 * before anything is written (cli-contract.md: exit 4, unchanged). */
	if (pc.console != NULL) {
		struct pairing_result pr;

		memset(&pr, 0, sizeof pr);
		fprintf(out, "Connection test with the console at %s:\n",
		    pc.console);
		if (!session_pairing_test(&ss, session_print_pair_step, NULL,
		    out, &pr, &e)) {
			pairing_result_free(&pr);
			rc = install_fail(&pc, &e);
			fprintf(stderr, "Nothing was changed.\n");
			goto out;
		}
		pc.tested = true;
		fprintf(out, "Console %s (%s), key %s.\n", pr.console_name,
		    pr.console_id, pr.console_spki);
		pairing_result_free(&pr);
		/* The identity made under --root is an image's (identity.h):
		 * the first start on a real machine makes a new one. */
		if (c->root != NULL) {
			err_set(&e, 0, "an installation under --root is "
			    "recorded as made for an image: the first start of "
			    "its service on a machine gives it a new engine "
			    "identity, which the console does not know. Pair "
			    "each machine after its first start (engine-setup "
			    "pair, or these answers again)");
			cmd_say_note(out, &e);
			err_clear(&e);
		}
	}
	if (c->check && io.upgrade) {
		rc = upgrade_check(&p, &io, &old, m.version, out, &pc);
		goto out;
	}
	if (c->check && c->json)
		goto out;
	if (c->check) {
		char *text = plan_write(&p);

		/* Answers lines only, so that the plan is an answers file;
		 * --root is an option, shown as a comment. */
		printf("\nPlan (nothing was changed):\n%s", text);
		if (c->root != NULL)
			printf("# given with --root %s (an option, not an "
			    "answer)\n", c->root);
		free(text);
		goto out;
	}

	memset(&ps, 0, sizeof ps);
	ps.tty = plat_stdout_is_tty();
	ps.start = plat_monotonic();
	if (!session_install(&ss, print_progress, &ps, print_step, NULL, &res,
	    &e)) {
		rc = cmd_fail(&e);
		if (!res.undo_kept)
			fprintf(stderr, "Everything this run changed was "
			    "undone.\n");
		goto out;
	}
	if (res.log_warning[0] != '\0')
		fprintf(stderr, "engine-setup: warning: %s\n", res.log_warning);
	if (io.upgrade) {
		print_upgraded(&ss, &res, &m);
		goto out;
	}
	{
		struct sbuf b, w;

		sbuf_init(&b);
		sbuf_init(&w);
		session_next_steps(&ss, &res, &b);
		wrap_text(&w, b.s, session_output_width());
		printf("\n%s", w.s);
		sbuf_free(&b);
		sbuf_free(&w);
		if (!session_record(&ss, &e)) {
			struct es_err r = { 0 };

			err_set(&r, ES_EUSAGE, "--record: %s", e.msg);
			cmd_say_error(&r, NULL);
		}
	}
	if (c->wait_ready >= 0)
		rc = install_wait_ready(c, root, res.ready_since, &lock);
out:
	if (c->json && pc.compared) {
		char *json;

		pc.exit = rc;
		json = plancheck_json(&pc);
		printf("%s\n", json);
		fflush(stdout);
		free(json);
	}
	plancheck_free(&pc);
	install_diffs_free(&diffs);
	install_result_free(&res);
	sbuf_free(&why);
	sbuf_free(&cmd);
	session_free(&ss);
	free(license);
	record_free(&old);
	plan_free(&p);
	manifest_free(&m);
	payload_close(&pl);
	log_close();
	plat_run_lock_release(lock);
	return rc;
}
