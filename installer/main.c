/* engine-setup: installs and pairs Scan Engines and Security Consoles.
 * This file turns the command line into calls of the modules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "answers.h"
#include "cli.h"
#include "confgen.h"
#include "consoles.h"
#include "crypto.h"
#include "pairing.h"
#include "secret.h"
#include "install.h"
#include "log.h"
#include "manifest.h"
#include "payload.h"
#include "plan.h"
#include "platform.h"
#include "record.h"
#include "requirements.h"
#include "runlock.h"
#include "prompt.h"
#include "session.h"
#include "wizard.h"
#include "status.h"
#include "uninstall.h"
#include "util.h"
#include "wrap.h"

/* Show e on standard error as sentences ("engine-setup: " first), at the
 * terminal's width when there is one, then the line then (NULL: none). */
static void
say_error(struct es_err *e, const char *then)
{
	struct sbuf b, w;

	sbuf_init(&b);
	sbuf_init(&w);
	/* File names, keys and words a user gave are in the message: their
	 * control characters are shown, not sent to the terminal. */
	sbuf_add(&b, "engine-setup: ");
	sbuf_add_shown(&b, err_sentence(e), true);
	sbuf_addf(&b, "\n%s%s", then != NULL ? then : "",
	    then != NULL ? "\n" : "");
	wrap_text(&w, b.s, session_output_width());
	fflush(stdout);
	fputs(w.s, stderr);
	sbuf_free(&b);
	sbuf_free(&w);
}

/* Show e's message on standard output as a note (it is not an error),
 * shown as say_error() shows one. */
static void
say_note(struct es_err *e)
{
	struct sbuf b, w;

	sbuf_init(&b);
	sbuf_init(&w);
	sbuf_add(&b, "Note: ");
	sbuf_add_shown(&b, err_sentence(e), true);
	sbuf_add(&b, "\n");
	wrap_text(&w, b.s, session_output_width());
	fputs(w.s, stdout);
	fflush(stdout);
	sbuf_free(&b);
	sbuf_free(&w);
}

static int
fail(struct es_err *e)
{
	say_error(e, NULL);
	return e->code != 0 ? e->code : ES_EINTERNAL;
}

/* Open this program's payload (or --payload FILE) and read its manifest. */
static bool
open_payload(const struct cli *c, struct payload *p, struct manifest *m,
    char **license, struct es_err *e)
{
	char *self = NULL;
	bool ok;

	if (c->payload == NULL && (self = plat_self_exe()) == NULL) {
		err_set(e, ES_EINTERNAL, "cannot find this program's own file "
		    "to read its payload; give it with --payload FILE");
		return false;
	}
	ok = payload_open(p, c->payload != NULL ? c->payload : self, e) &&
	    payload_read_meta(p, m, license, e);
	free(self);
	return ok;
}

static int
cmd_payload_info(const struct cli *c)
{
	struct payload p;
	struct manifest m;
	struct es_err e;
	char *license = NULL, hex[65], size[32], usize[32];
	unsigned i;

	err_clear(&e);
	memset(&p, 0, sizeof p);
	memset(&m, 0, sizeof m);
	if (!open_payload(c, &p, &m, &license, &e))
		return fail(&e);
	if (!payload_verify(&p, &e))
		return fail(&e);
	hex_encode(p.t.data_sha256, 32, hex);
	human_bytes(p.t.data_len, size, sizeof size);
	human_bytes(p.t.data_bytes, usize, sizeof usize);
	printf("Product:    %s %s\n", m.product, m.version);
	printf("Components:");
	for (i = 0; i < m.ncomp; i++)
		printf("%s %s (%s)", i ? "," : "", m.comp[i].name,
		    m.comp[i].title ? m.comp[i].title : m.comp[i].dir);
	printf("\nFiles:      %llu\n", (unsigned long long)p.t.data_files);
	printf("Size:       %s packed, %s unpacked\n", size, usize);
	printf("SHA-256:    %s (verified)\n", hex);
	printf("Installer:  %llu bytes without payload\n",
	    (unsigned long long)p.t.meta_off);
	free(license);
	manifest_free(&m);
	payload_close(&p);
	return 0;
}

static int
cmd_show_license(const struct cli *c)
{
	struct payload p;
	struct manifest m;
	struct es_err e;
	char *license = NULL;

	err_clear(&e);
	memset(&p, 0, sizeof p);
	memset(&m, 0, sizeof m);
	if (!open_payload(c, &p, &m, &license, &e))
		return fail(&e);
	fputs(license, stdout);
	free(license);
	manifest_free(&m);
	payload_close(&p);
	return 0;
}

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

/* An installation whose record cannot be read (e says why): without
 * --overwrite nothing can be compared with it (exit 7, unchanged); with
 * it, it is replaced as a whole, which is said first; e is cleared. */
static bool
install_damaged(const struct cli *c, const struct record *old,
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
	say_note(e);
	err_clear(e);
	return true;
}

static int
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
	struct sbuf why, cmd;
	char *license = NULL;
	const char *root = c->root != NULL ? c->root : "/";
	enum install_existing ex;
	bool interactive = !c->silent && !c->check;
	int rc = 0;

	err_clear(&e);
	memset(&pl, 0, sizeof pl);
	memset(&m, 0, sizeof m);
	sbuf_init(&why);
	sbuf_init(&cmd);
	plan_init(&p);
	record_init(&old);
	memset(&ss, 0, sizeof ss);
	plat_signals_install();

	if (!log_open(c->log, &e)) {
		rc = fail(&e);
		goto out;
	}
	log_sysprops(c);
	if (!build_plan(c, &p, &e)) {
		say_error(&e, "Nothing was changed.");
		rc = ES_EUSAGE;
		goto out;
	}
	if (!open_payload(c, &pl, &m, &license, &e)) {
		rc = fail(&e);
		goto out;
	}
	plat_facts(&facts);
	plan_apply_defaults(&p, facts.hostname);
	memset(&vo, 0, sizeof vo);
	vo.silent = !interactive;
	vo.license_implied = c->install4j_quiet;
	vo.root = root;
	if (!plan_validate(&p, &vo, &e)) {
		say_error(&e, "Nothing was changed.");
		rc = ES_EUSAGE;
		goto out;
	}
	if (!interactive)
		secret_warn_plan_files(&p, stderr);
	if (c->root != NULL && !root_is_folder(c->root)) {
		err_set(&e, ES_EUSAGE, "--root %s is not an existing folder: "
		    "create it first", c->root);
		rc = fail(&e);
		goto out;
	}
	if (c->root == NULL && !plat_is_admin()) {
		err_set(&e, ES_EREQ, "installing into %s needs administrator "
		    "rights: %s, or install into a folder of yours with --root "
		    "DIR", plan_get(&p, PK_INSTALL_DIR), plat_admin_advice());
		rc = fail(&e);
		goto out;
	}

	/* Before the installation is read, so that the decision below still
	 * holds when the steps run; --check changes nothing and needs none. */
	if (!c->check && !runlock_take(root, c->wait_lock, stdout, &lock, &e)) {
		rc = fail(&e);
		goto out;
	}

	memset(&io, 0, sizeof io);
	io.root = root;
	io.overwrite = c->overwrite;
	io.payload = &pl;
	io.manifest = &m;
	ex = install_existing(&p, &io, &old, &why, &e);
	if (e.code != 0 && old.install_dir != NULL &&
	    !install_damaged(c, &old, &e)) {
		rc = fail(&e);
		goto out;
	}
	if (e.code != 0) {
		rc = fail(&e);
		goto out;
	}
	if (ex == INSTALL_SAME) {
		printf("%s %s is already installed at %s with the same answers:"
		    " nothing to do.\n", m.product, m.version, old.install_dir);
		rc = 0;
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
		rc = fail(&e);
		goto out;
	}
	if (ex == INSTALL_DIFFERENT &&
	    strcmp(old.install_dir, plan_get(&p, PK_INSTALL_DIR)) != 0) {
		err_set(&e, ES_EEXISTS, "an installation exists at %s; "
		    "--overwrite replaces it only in the same place. To "
		    "install at %s, remove it first:\n  %s", old.install_dir,
		    plan_get(&p, PK_INSTALL_DIR), uninstall_command(c, &cmd));
		rc = fail(&e);
		goto out;
	}

	ss.plan = &p;
	ss.manifest = &m;
	ss.license = license;
	ss.payload = &pl;
	ss.root = root;
	ss.overwrite = c->overwrite;
	ss.record = c->record;
	ss.facts = facts;
	ss.warn = interactive ? NULL : stderr;
	if (interactive) {
		rc = WIZARD_NO_TERMINAL;
		if (!c->text && plat_terminal_usable())
			rc = wizard_run(&ss);
		if (rc == WIZARD_NO_TERMINAL)
			rc = prompt_run(&ss, stdin, stdout);
		goto out;
	}
	if (!install_preflight(&p, &io, &req, &e)) {
		print_requirements(&req, stdout);
		rc = fail(&e);
		goto out;
	}
	print_requirements(&req, stdout);
	/* A signal that came before the connection test: the test counts only
	 * those that come during it. */
	if (plat_signals_pending() > 0) {
		err_set(&e, ES_ECANCEL, "cancelled by a signal (Ctrl-C or "
		    "SIGTERM)");
		rc = fail(&e);
		fprintf(stderr, "Nothing was changed.\n");
		goto out;
	}
	/* Engine-to-Console with pair_now = yes: the connection test runs
	 * before anything is written (cli-contract.md: exit 4, unchanged). */
	if (install_pairs(&p)) {
		struct pairing_result pr;
		char *where = addr_with_port(plan_get(&p, PK_CONSOLE_ADDRESS),
		    plan_port(&p, PK_CONSOLE_PORT));

		memset(&pr, 0, sizeof pr);
		printf("Connection test with the console at %s:\n", where);
		free(where);
		if (!session_pairing_test(&ss, session_print_pair_step, NULL,
		    stdout, &pr, &e)) {
			pairing_result_free(&pr);
			rc = fail(&e);
			fprintf(stderr, "Nothing was changed.\n");
			goto out;
		}
		printf("Console %s (%s), key %s.\n", pr.console_name,
		    pr.console_id, pr.console_spki);
		pairing_result_free(&pr);
	}
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

	memset(&res, 0, sizeof res);
	memset(&ps, 0, sizeof ps);
	ps.tty = plat_stdout_is_tty();
	ps.start = plat_monotonic();
	if (!session_install(&ss, print_progress, &ps, print_step, NULL, &res,
	    &e)) {
		rc = fail(&e);
		if (!res.undo_kept)
			fprintf(stderr, "Everything this run changed was "
			    "undone.\n");
		goto out;
	}
	if (res.log_warning[0] != '\0')
		fprintf(stderr, "engine-setup: warning: %s\n", res.log_warning);
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
			say_error(&r, NULL);
		}
	}
out:
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
		    "Its logs stay in %s/" RECORD_DIR_REL "/.\n", r.n, logs);
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

static int
cmd_uninstall(const struct cli *c)
{
	struct es_err e;
	struct plat_run_lock *lock = NULL;
	const char *root = c->root != NULL ? c->root : "/";
	int rc = 0;

	err_clear(&e);
	plat_signals_install();
	if (c->root == NULL && !plat_is_admin()) {
		err_set(&e, ES_EREQ, "uninstalling needs administrator rights: "
		    "%s", plat_admin_advice());
		return fail(&e);
	}
	if (!c->silent && !uninstall_confirm(c, root))
		return ES_ECANCEL;
	if (!runlock_take(root, c->wait_lock, stdout, &lock, &e) ||
	    !log_open(c->log, &e) || !uninstall_run(root, stdout, &e))
		rc = fail(&e);
	log_close();
	plat_run_lock_release(lock);
	return rc;
}

static int
cmd_status(const struct cli *c)
{
	struct es_err e;
	int code;

	err_clear(&e);
	if (!status_print(c->root != NULL ? c->root : "/", stdout, &code, &e))
		return fail(&e);
	return code;
}

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

/* Replace the installation's consoles.xml with data (op "pair" or
 * "consoles"), and the record's SHA-256 of it in the same journalled
 * change: uninstall keeps a file whose bytes the record does not know
 * (uninstall.h), and this change is engine-setup's own. cancellable:
 * exec_replace_files(). */
static bool
replace_consoles(const char *root, const char *op, struct record *r,
    const char *idir, const char *data, size_t len, unsigned mode,
    bool cancellable, struct es_err *e)
{
	struct exec_file f[2];
	char sha[65], *path = xasprintf("%s/" CONSOLES_REL, r->install_dir);
	char *text = NULL;
	size_t n = 1;
	bool ok;

	f[0].rel = CONSOLES_REL;
	f[0].data = data;
	f[0].len = len;
	f[0].mode = mode;
	crypto_sha256_hex(data, len, sha);
	if (record_set_file(r, path, sha, mode)) {
		text = record_format(r);
		f[1].rel = RECORD_REL;
		f[1].data = text;
		f[1].len = strlen(text);
		f[1].mode = 0600;
		n = 2;
	}
	ok = exec_replace_files(root, op, r->install_dir, idir, f, n,
	    cancellable, e);
	free(text);
	free(path);
	return ok;
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
		rc = fail(&e);
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
		rc = fail(&e);
		goto out;
	}
	if (c->root == NULL && !plat_is_admin()) {
		err_set(&e, ES_EREQ, "changing consoles.xml needs "
		    "administrator rights: %s", plat_admin_advice());
		rc = fail(&e);
		goto out;
	}
	if (!runlock_take(root, c->wait_lock, stdout, &lock, &e) ||
	    (idir = consoles_install_dir(c, &r, &e)) == NULL) {
		rc = fail(&e);
		goto out;
	}
	path = xasprintf("%s/" CONSOLES_REL, idir);
	if ((text = consoles_read(idir, &len, &e)) == NULL ||
	    !consoles_set_enabled(text, len, path, c->args.v[1], enable, &out,
	    &outlen, &changed, &which, &e)) {
		rc = fail(&e);
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
	if (!replace_consoles(root, "consoles", &r, idir, out, outlen,
	    mode > 0 ? (unsigned)mode & 0640 : 0640, true, &e)) {
		rc = fail(&e);
		goto out;
	}
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
		rc = fail(&e);
		goto out;
	}
	if (c->restart && plat_service_manager_running(root)) {
		if (!plat_service_stop(r.services.v[0], &e) ||
		    !plat_service_start(r.services.v[0], &e)) {
			rc = fail(&e);
			goto out;
		}
		printf("Restarted %s: the change is in effect.\n",
		    r.services.v[0]);
	} else if (c->restart) {
		printf("Not restarted: no running service manager%s. Restart "
		    "%s where it runs so the change takes effect.\n",
		    c->root ? " for this --root" : "", r.services.v[0]);
	} else {
		printf("Restart the Scan Engine so the change takes effect "
		    "(engine-setup consoles %s %s --restart, or restart the "
		    "%s service), then Refresh the engine in the console.\n",
		    enable ? "enable" : "disable", str_shown(&shown,
		    c->args.v[1]), r.services.v[0]);
	}
out:
	sbuf_free(&shown);
	consoles_entry_free(&which);
	record_free(&r);
	free(idir);
	free(path);
	free(text);
	free(out);
	plat_run_lock_release(lock);
	return rc;
}

static int
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
	return fail(&e);
}

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
static int
cmd_pair(const struct cli *c)
{
	struct es_err e;
	struct record r;
	struct plan recorded;
	struct pairing_opts po;
	struct pairing_result pr;
	struct secret_source src;
	struct plat_facts facts;
	struct plat_run_lock *lock = NULL;
	const char *root = c->root != NULL ? c->root : "/";
	char *host = NULL, *secret = NULL, *cert = NULL, *rel = NULL;
	char *idir = NULL, *where = NULL;
	char *path = NULL, *text = NULL, *out = NULL;
	const char *expect;
	size_t len, outlen;
	int rc = 0;

	err_clear(&e);
	record_init(&r);
	plan_init(&recorded);
	memset(&pr, 0, sizeof pr);
	memset(&po, 0, sizeof po);
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
	if (!parse_console(c->console, &host, &po.port, &e))
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
	idir = plat_join_root(root, r.install_dir);
	if ((cert = plat_read_file_beneath(idir, "nse/conf/nse.crt", 1u << 20,
	    &len, &e)) == NULL)
		goto fail;
	rel = record_answers_path(r.install_dir);
	path = plat_join_root(root, rel);
	if ((text = plat_read_file_beneath(idir, RECORD_ANSWERS_REL, 1u << 20,
	    &len, NULL)) != NULL)
		answers_parse(&recorded, text, len, path, PLAN_SRC_FILE, NULL);
	free(text);
	text = NULL;
	plat_facts(&facts);
	plan_apply_defaults(&recorded, facts.hostname);

	memset(&src, 0, sizeof src);
	src.file = c->secret_file;
	src.may_prompt = plat_stdin_is_tty();
	src.in = stdin;
	src.out = stderr;
	if ((secret = secret_obtain(&src, stderr, &e)) == NULL)
		goto fail;

	po.host = host;
	po.secret = secret;
	po.pin = c->fingerprint;
	po.proxy = plan_get(&recorded, PK_PROXY);
	po.connect_timeout_ms = session_timeout_ms("ENGINE_SETUP_CONNECT_TIMEOUT");
	po.total_timeout_ms = session_timeout_ms("ENGINE_SETUP_TIMEOUT");
	po.engine_id = r.engine_id;
	po.engine_name = plan_get(&recorded, PK_ENGINE_NAME);
	po.engine_version = r.version;
	po.engine_cert_pem = cert;
	po.dry_run = c->test_only;
	po.step = session_print_pair_step;
	po.step_arg = stdout;
	po.signals = plat_signals_pending;
	if (plat_signals_pending() > 0) {
		err_set(&e, ES_ECANCEL, "cancelled by a signal (Ctrl-C or "
		    "SIGTERM); nothing was changed");
		goto fail;
	}
	where = addr_with_port(host, po.port);
	printf("%s %s\n", c->test_only ? "Testing the connection to" :
	    "Pairing with the console at", where);
	if (!pairing_run(&po, &pr, &e))
		goto fail;
	if (c->test_only) {
		printf("Connection test passed: console %s (%s), version %s.\n"
		    "Console key: %s. Compare it with the fingerprint the "
		    "console shows; pin it with --fingerprint.\n",
		    pr.console_name, pr.console_id, pr.console_version,
		    pr.console_spki);
		goto out;
	}
	free(rel);
	free(path);
	rel = xasprintf("%s/" CONSOLES_REL, r.install_dir);
	path = plat_join_root(root, rel);
	{
		struct confgen_console_entry ce;
		int mode;

		if ((text = consoles_read(idir, &len, &e)) == NULL)
			goto fail;
		memset(&ce, 0, sizeof ce);
		ce.enabled = true;
		ce.connect_to = true;
		ce.name = pr.console_name;
		ce.last_address = host;
		ce.port = po.port;
		ce.console_id = pr.console_id;
		ce.spki = pr.console_spki;
		ce.cert_pem = pr.console_cert_pem;
		mode = plat_file_mode(path);
		if (!consoles_upsert(text, len, path, &ce, &out, &outlen, &e) ||
		    !replace_consoles(root, "pair", &r, idir, out, outlen,
		    mode > 0 ? (unsigned)mode & 0640 : 0640, false, &e))
			goto fail;
		printf("Paired with console %s (%s) at %s; recorded as "
		    "console %u in %s.\n", pr.console_name, pr.console_id,
		    where, ce.id, rel);
	}
	if (plat_signals_pending() > 0)
		printf("A signal (Ctrl-C, SIGTERM or SIGHUP) came after the "
		    "console had registered this engine: the pairing was "
		    "finished, so that consoles.xml says what the console "
		    "knows.\n");
	if (c->fingerprint == NULL)
		printf("Console key: %s. Compare it with the fingerprint the "
		    "console shows.\n", pr.console_spki);
	if (r.services.n > 0)
		printf("Restart the Scan Engine service (%s) so it connects, "
		    "then Refresh the engine in the console (Administration > "
		    "Scans > Scan Engines).\n", r.services.v[0]);
	goto out;
fail:
	rc = fail(&e);
out:
	util_free_secret(secret);
	pairing_result_free(&pr);
	plan_free(&recorded);
	record_free(&r);
	free(host);
	free(where);
	free(cert);
	free(rel);
	free(idir);
	free(path);
	free(text);
	free(out);
	plat_run_lock_release(lock);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli c;
	struct es_err e;
	int rc;

	/* Before anything reads a secret: no core file to hold it. */
	plat_no_core_dumps();
	/* UTF-8 argv and terminal output (Windows). */
	plat_process_start(&argc, &argv);
	crypto_init();
	err_clear(&e);
	if (!cli_parse(&c, argc, argv, &e) || !cli_check_files(&c, &e)) {
		cli_free(&c);
		return fail(&e);
	}
	cli_warn_secrets(&c, stderr);
	switch (c.cmd) {
	case CMD_HELP:
		fputs(cli_usage_for(c.help_for), stdout);
		rc = 0;
		break;
	case CMD_VERSION:
		printf("engine-setup %s\n", ES_VERSION);
		rc = 0;
		break;
	case CMD_PAYLOAD_INFO:
		rc = cmd_payload_info(&c);
		break;
	case CMD_SHOW_LICENSE:
		rc = cmd_show_license(&c);
		break;
	case CMD_INSTALL:
		rc = cmd_install(&c);
		break;
	case CMD_UNINSTALL:
		rc = cmd_uninstall(&c);
		break;
	case CMD_STATUS:
		rc = cmd_status(&c);
		break;
	case CMD_CONSOLES:
		rc = cmd_consoles(&c);
		break;
	case CMD_PAIR:
		rc = cmd_pair(&c);
		break;
	default:
		rc = ES_EINTERNAL;
		break;
	}
	cli_free(&c);
	return rc;
}
