#include "prompt.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "wrap.h"

/* The pages, in the wizard's order. */
enum prompt_page {
	PG_WELCOME,
	PG_LICENSE,
	PG_COMPONENT,
	PG_LOCATION,
	PG_REQUIREMENTS,
	PG_USER,
	PG_CONSOLE_ADMIN,
	PG_DIRECTION,
	PG_PAIRING,
	PG_SUMMARY,
	PG_INSTALL,
	PG_DONE
};

struct prompt {
	struct session *s;
	FILE *in, *out;
	int last_quarter;
};

/* Print fmt wrapped at the terminal's width (wrap_text): line mode is for
 * serial consoles and expect scripts, whose terminals break lines
 * anywhere. */
static void prompt_printf(struct prompt *pr, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
prompt_printf(struct prompt *pr, const char *fmt, ...)
{
	va_list ap, ap2;
	struct sbuf b;
	char *text;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	text = xmalloc((size_t)n + 1);
	vsnprintf(text, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	sbuf_init(&b);
	wrap_text(&b, text, plat_terminal_columns());
	if (b.s != NULL)
		fputs(b.s, pr->out);
	sbuf_free(&b);
	free(text);
}

/* A prompt for plat_read_secret(), wrapped as prompt_printf() wraps;
 * the caller frees. */
static char *
prompt_wrapped(const char *text)
{
	struct sbuf b;

	sbuf_init(&b);
	wrap_text(&b, text, plat_terminal_columns());
	return sbuf_detach(&b);
}

/* A page either goes on, goes back to an earlier page, or cancels. */
enum prompt_next { PN_NEXT, PN_AGAIN, PN_CANCEL, PN_BACK };

/* Read one answer line; false at end of input or on a signal. */
static bool
prompt_line(struct prompt *pr, char *buf, size_t n)
{
	size_t len;

	fflush(pr->out);
	if (plat_signals_pending() > 0 || fgets(buf, (int)n, pr->in) == NULL)
		return false;
	if (plat_signals_pending() > 0)
		return false;
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	/* Leading and trailing blanks are not part of an answer. */
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	if (len > 0 && isspace((unsigned char)buf[0])) {
		size_t skip = strspn(buf, " \t");

		memmove(buf, buf + skip, len - skip + 1);
	}
	return true;
}

/* Ask a question with choices like "Yes [y, Enter], No [n]": keys holds
 * one letter or digit per choice, def the index taken by Enter. Returns
 * the index, or -1 to cancel. */
static int
prompt_choice(struct prompt *pr, const char *const *labels, const char *keys,
    int def)
{
	char buf[64];
	int i, n = (int)strlen(keys);
	struct sbuf line;

	sbuf_init(&line);
	for (i = 0; i < n; i++)
		sbuf_addf(&line, "%s%s [%c%s]", i > 0 ? ", " : "",
		    labels[i], keys[i], i == def ? ", Enter" : "");
	for (;;) {
		prompt_printf(pr, "%s\n", line.s);
		if (!prompt_line(pr, buf, sizeof buf)) {
			i = -1;
			break;
		}
		if (buf[0] == '\0' && def >= 0) {
			i = def;
			break;
		}
		for (i = 0; i < n; i++)
			if (strlen(buf) == 1 &&
			    tolower((unsigned char)buf[0]) == keys[i])
				break;
		if (i < n)
			break;
		prompt_printf(pr, "Please answer with one of the keys in "
		    "brackets.\n");
	}
	sbuf_free(&line);
	return i;
}

/* One choice a line, the reference installer's way:
 *   Security Console with local Scan Engine [1]
 *   Scan Engine only [2, Enter]                                        */
static int
prompt_menu(struct prompt *pr, const char *const *labels,
    const char *const *notes, int n, int def)
{
	char buf[64];
	int i;

	for (;;) {
		for (i = 0; i < n; i++) {
			prompt_printf(pr, "%s [%d%s]\n", labels[i], i + 1,
			    i == def ? ", Enter" : "");
			if (notes != NULL && notes[i] != NULL)
				prompt_printf(pr, "    %s\n", notes[i]);
		}
		if (!prompt_line(pr, buf, sizeof buf))
			return -1;
		if (buf[0] == '\0' && def >= 0)
			return def;
		if (strlen(buf) == 1 && buf[0] >= '1' && buf[0] < '1' + n)
			return buf[0] - '1';
		prompt_printf(pr, "Please answer with a number from 1 to %d.\n",
		    n);
	}
}

/* Ask for a value of key with its current value as the default; checks it
 * with plan_check and asks again until it is right. */
static bool
prompt_value(struct prompt *pr, const char *label, enum plan_key k)
{
	char buf[1100];
	const char *cur = plan_get(pr->s->plan, k), *expect;

	for (;;) {
		if (cur != NULL && *cur != '\0')
			prompt_printf(pr, "%s\n[%s]\n", label, cur);
		else
			prompt_printf(pr, "%s\n", label);
		if (!prompt_line(pr, buf, sizeof buf))
			return false;
		if (buf[0] == '\0' && cur != NULL && *cur != '\0') {
			if (plan_check(k, cur, &expect)) {
				plan_replace(pr->s->plan, k, cur);
				return true;
			}
		} else if (buf[0] != '\0' && plan_check(k, buf, &expect)) {
			plan_replace(pr->s->plan, k, buf);
			return true;
		} else if (buf[0] == '\0') {
			expect = "an answer";
		}
		prompt_printf(pr, "Expected %s.\n", expect);
	}
}

static enum prompt_next
page_welcome(struct prompt *pr)
{
	static const char *const labels[] = { "OK", "Cancel" };
	const struct manifest *m = pr->s->manifest;

	prompt_printf(pr, "This will install %s %s on this computer: a Scan "
	    "Engine, or a Security Console with its local Scan Engine. "
	    "Nothing changes until you confirm the summary.\n", m->product,
	    m->version);
	if (strcmp(pr->s->root, "/") != 0)
		prompt_printf(pr, "Everything goes under the folder %s.\n",
		    pr->s->root);
	return prompt_choice(pr, labels, "oc", 0) == 0 ? PN_NEXT : PN_CANCEL;
}

static enum prompt_next
page_license(struct prompt *pr)
{
	static const char *const labels[] = { "Yes", "No" };

	prompt_printf(pr, "\nLicence agreement\n\n%s\n", pr->s->license);
	prompt_printf(pr, "Do you accept the licence agreement?\n");
	switch (prompt_choice(pr, labels, "yn", -1)) {
	case 0:
		plan_replace(pr->s->plan, PK_ACCEPT_LICENSE, "yes");
		return PN_NEXT;
	case 1:
		prompt_printf(pr, "The licence was declined.\n");
		return PN_CANCEL;
	default:
		return PN_CANCEL;
	}
}

static enum prompt_next
page_component(struct prompt *pr)
{
	const struct manifest *m = pr->s->manifest;
	const struct manifest_component *console =
	    manifest_component(m, "console");
	const struct manifest_component *engine =
	    manifest_component(m, "engine");
	const char *labels[2], *notes[2];
	char note[512];
	int def, i;

	labels[0] = console != NULL && console->title ? console->title :
	    "Security Console with local Scan Engine";
	labels[1] = "Scan Engine only";
	snprintf(note, sizeof note, "%s Do not install a distributed Scan "
	    "Engine on a host that already has a Security Console: every "
	    "console includes a local Scan Engine.",
	    engine != NULL && engine->description ? engine->description : "");
	notes[0] = console != NULL ? console->description : NULL;
	notes[1] = note;
	def = session_engine_only(pr->s) ? 1 : 0;
	prompt_printf(pr, "\nWhich components should be installed?\n");
	if ((i = prompt_menu(pr, labels, notes, 2, def)) < 0)
		return PN_CANCEL;
	plan_replace(pr->s->plan, PK_COMPONENT, i == 0 ? "console" : "engine");
	return PN_NEXT;
}

static enum prompt_next
page_location(struct prompt *pr)
{
	char why[512];

	prompt_printf(pr, "\n");
	if (!prompt_value(pr, "Where should it be installed?", PK_INSTALL_DIR))
		return PN_CANCEL;
	if (!session_check_install_dir(pr->s,
	    plan_get(pr->s->plan, PK_INSTALL_DIR), why, sizeof why)) {
		prompt_printf(pr, "%s\n", why);
		return PN_AGAIN;
	}
	session_set_install_dir(pr->s, plan_get(pr->s->plan, PK_INSTALL_DIR));
	return PN_NEXT;
}

static enum prompt_next
page_requirements(struct prompt *pr)
{
	static const char *const go[] = { "Continue", "Back", "Cancel" };
	static const char *const stop[] = { "Check again", "Back", "Cancel" };
	struct req_report r;
	struct es_err e;
	struct sbuf b;
	bool ok;

	err_clear(&e);
	ok = session_requirements(pr->s, &r, &e);
	sbuf_init(&b);
	session_requirements_text(&r, plat_terminal_columns(), &b);
	prompt_printf(pr, "\nSystem requirements\n%s", b.s != NULL ? b.s : "");
	sbuf_free(&b);
	if (!ok) {
		prompt_printf(pr, "%s\n", e.msg);
		switch (prompt_choice(pr, stop, "rbc", 0)) {
		case 0: return PN_AGAIN;
		case 1: return PN_BACK;
		default: return PN_CANCEL;
		}
	}
	switch (prompt_choice(pr, go, "obc", 0)) {
	case 0: return PN_NEXT;
	case 1: return PN_BACK;
	default: return PN_CANCEL;
	}
}

static enum prompt_next
page_user(struct prompt *pr)
{
	prompt_printf(pr, "\nYour details (the subject of the engine's "
	    "certificate)\n");
	if (!prompt_value(pr, "First name:", PK_FIRST_NAME) ||
	    !prompt_value(pr, "Last name:", PK_LAST_NAME) ||
	    !prompt_value(pr, "Company:", PK_COMPANY))
		return PN_CANCEL;
	return PN_NEXT;
}

/* The password is checked (plan_check, as the wizard and an answers file
 * check it) as soon as it is typed, before its confirmation is asked. */
static enum prompt_next
page_console_admin(struct prompt *pr)
{
	const char *expect;
	char a[256], b[256];

	if (session_engine_only(pr->s))
		return PN_NEXT;
	prompt_printf(pr, "\nSecurity Console administrator\n");
	if (!prompt_value(pr, "User name:", PK_CONSOLE_ADMIN_USER))
		return PN_CANCEL;
	for (;;) {
		if (!plat_read_secret(pr->in, pr->out, "Password (at least 8 "
		    "characters):\n", a, sizeof a))
			goto cancel;
		if (!plan_check(PK_CONSOLE_ADMIN_PASSWORD, a, &expect)) {
			prompt_printf(pr, "Too short: the password needs %s. "
			    "Type a longer one.\n", expect);
			continue;
		}
		if (!plat_read_secret(pr->in, pr->out, "Confirm the "
		    "password:\n", b, sizeof b))
			goto cancel;
		if (strcmp(a, b) == 0)
			break;
		prompt_printf(pr, "The two passwords differ: type the password "
		    "again, then the same once more.\n");
	}
	plan_replace(pr->s->plan, PK_CONSOLE_ADMIN_PASSWORD, a);
	plan_replace(pr->s->plan, PK_CONSOLE_ADMIN_PASSWORD2, b);
	util_wipe(a, sizeof a);
	util_wipe(b, sizeof b);
	return PN_NEXT;
cancel:
	util_wipe(a, sizeof a);
	util_wipe(b, sizeof b);
	return PN_CANCEL;
}

static enum prompt_next
page_direction(struct prompt *pr)
{
	static const char *const labels[] = { "Engine-to-Console",
	    "Console-to-Engine" };
	static const char *const notes[] = {
	    "The engine connects to the console on TCP 40815 (recommended "
	    "when the engine can reach the console).",
	    "The console connects to the engine on TCP 40814; you add the "
	    "engine in the console afterwards." };
	int i;

	if (!session_engine_only(pr->s))
		return PN_NEXT;
	prompt_printf(pr, "\nHow should the Scan Engine and the Security "
	    "Console communicate?\n");
	i = prompt_menu(pr, labels, notes, 2,
	    session_engine_to_console(pr->s) ? 0 : 1);
	if (i < 0)
		return PN_CANCEL;
	plan_replace(pr->s->plan, PK_COMMUNICATION,
	    i == 0 ? "engine-to-console" : "console-to-engine");
	if (i == 1 && !prompt_value(pr, "Port the engine listens on:",
	    PK_ENGINE_PORT))
		return PN_CANCEL;
	return PN_NEXT;
}

/* The secret: from a file or the environment when one is set, else
 * typed without echo; when the plan holds one already (typed before the
 * console details were changed, or from the answers), Enter keeps it. */
static bool
prompt_secret(struct prompt *pr)
{
	bool have = plan_is_set(pr->s->plan, PK_SHARED_SECRET);
	char buf[256];

	if (plan_get(pr->s->plan, PK_SHARED_SECRET_FILE) != NULL ||
	    getenv("ENGINE_SETUP_SHARED_SECRET") != NULL) {
		prompt_printf(pr, "The shared secret comes from %s.\n",
		    plan_get(pr->s->plan, PK_SHARED_SECRET_FILE) != NULL ?
		    plan_get(pr->s->plan, PK_SHARED_SECRET_FILE) :
		    "ENGINE_SETUP_SHARED_SECRET");
		return true;
	}
	for (;;) {
		const char *expect;
		char *ask = prompt_wrapped(have ? "Shared secret (Enter keeps "
		    "the one given before; type the new one if the console "
		    "generated another):\n" : "Shared secret (Administration > "
		    "Scans > Manage scan engines > Generate Scan Engine Shared "
		    "Secret; valid 60 minutes):\n");
		bool got = plat_read_secret(pr->in, pr->out, ask, buf,
		    sizeof buf);

		free(ask);
		if (!got) {
			util_wipe(buf, sizeof buf);
			return false;
		}
		if (have && buf[0] == '\0') {
			prompt_printf(pr, "Keeping the shared secret given "
			    "before.\n");
			return true;
		}
		if (plan_check(PK_SHARED_SECRET, buf, &expect))
			break;
		prompt_printf(pr, "Expected %s.\n", expect);
	}
	plan_replace(pr->s->plan, PK_SHARED_SECRET, buf);
	util_wipe(buf, sizeof buf);
	return true;
}

/* A pairing_step_fn: the step, wrapped like every line-mode line. */
static void
prompt_pair_step(enum pairing_stage st, enum pairing_outcome out,
    const char *detail, void *arg)
{
	struct prompt *pr = arg;
	struct sbuf line;

	sbuf_init(&line);
	session_pair_step_text(st, out, detail, &line);
	prompt_printf(pr, "%s\n", line.s);
	fflush(pr->out);
	sbuf_free(&line);
}

static enum prompt_next
page_pairing(struct prompt *pr)
{
	static const char *const labels[] = { "Pair now (recommended)",
	    "Pair later (engine-setup pair)" };
	static const char *const after[] = { "Test again",
	    "Change the console details", "Pair later", "Cancel" };
	struct pairing_result r;
	struct es_err e;
	int i;

	if (!session_engine_to_console(pr->s))
		return PN_NEXT;
	prompt_printf(pr, "\nPair with the console now?\n");
	i = prompt_menu(pr, labels, NULL, 2,
	    plan_yes(pr->s->plan, PK_PAIR_NOW) ? 0 : 1);
	if (i < 0)
		return PN_CANCEL;
	if (i == 1) {
		plan_replace(pr->s->plan, PK_PAIR_NOW, "no");
		return PN_NEXT;
	}
	plan_replace(pr->s->plan, PK_PAIR_NOW, "yes");
details:
	if (!prompt_value(pr, "Console address:", PK_CONSOLE_ADDRESS) ||
	    !prompt_value(pr, "Console port:", PK_CONSOLE_PORT) ||
	    !prompt_secret(pr))
		return PN_CANCEL;
	for (;;) {
		memset(&r, 0, sizeof r);
		err_clear(&e);
		prompt_printf(pr, "Testing the connection to %s:%u\n",
		    plan_get(pr->s->plan, PK_CONSOLE_ADDRESS),
		    plan_port(pr->s->plan, PK_CONSOLE_PORT));
		if (session_pairing_test(pr->s, prompt_pair_step, NULL, pr,
		    &r, &e)) {
			prompt_printf(pr, "Connection test passed: console %s "
			    "(%s), version %s.\nConsole key: %s\nCompare it "
			    "with the fingerprint the console shows.\n",
			    r.console_name, r.console_id, r.console_version,
			    r.console_spki);
			pairing_result_free(&r);
			return PN_NEXT;
		}
		pairing_result_free(&r);
		prompt_printf(pr, "%s\n", e.msg);
		switch (prompt_choice(pr, after, "tclx", 0)) {
		case 0:
			continue;
		case 1:
			goto details;
		case 2:
			plan_replace(pr->s->plan, PK_PAIR_NOW, "no");
			return PN_NEXT;
		default:
			return PN_CANCEL;
		}
	}
}

static enum prompt_next
page_summary(struct prompt *pr)
{
	static const char *const yn[] = { "Yes", "No" };
	static const char *const go[] = { "Install", "Back", "Cancel" };
	struct sbuf b;
	int i;

	prompt_printf(pr, "\nStart the service after installation?\n");
	i = prompt_choice(pr, yn, "yn", plan_yes(pr->s->plan,
	    PK_START_SERVICE) ? 0 : 1);
	if (i < 0)
		return PN_CANCEL;
	plan_replace(pr->s->plan, PK_START_SERVICE, i == 0 ? "yes" : "no");
	sbuf_init(&b);
	session_summary(pr->s, &b);
	prompt_printf(pr, "\nSummary\n%s\n", b.s);
	sbuf_free(&b);
	switch (prompt_choice(pr, go, "ibc", 0)) {
	case 0: return PN_NEXT;
	case 1: return PN_BACK;
	default: return PN_CANCEL;
	}
}

static bool
prompt_progress(const struct payload_progress *p, void *arg)
{
	struct prompt *pr = arg;
	int q = p->bytes_total > 0 ?
	    (int)(p->bytes_done * 4 / p->bytes_total) : 4;
	char done[32], total[32];

	if (plat_signals_pending() > 0)
		return false;
	if (q > pr->last_quarter) {
		pr->last_quarter = q;
		human_bytes(p->bytes_done, done, sizeof done);
		human_bytes(p->bytes_total, total, sizeof total);
		prompt_printf(pr, "      %3d%%  %s of %s, %llu of %llu files\n",
		    q * 25, done, total, (unsigned long long)p->files_done,
		    (unsigned long long)p->files_total);
		fflush(pr->out);
	}
	return true;
}

static void
prompt_step(size_t i, size_t n, const char *title, void *arg)
{
	struct prompt *pr = arg;

	prompt_printf(pr, "[%zu/%zu] %s\n", i + 1, n, title);
	fflush(pr->out);
}

static int
page_install(struct prompt *pr)
{
	struct install_result res;
	struct plan_validate_opts vo = { true, false, pr->s->root };
	struct es_err e;
	struct sbuf b;

	err_clear(&e);
	if (!plan_validate(pr->s->plan, &vo, &e)) {
		prompt_printf(pr, "%s\nNothing was changed.\n", e.msg);
		return ES_EUSAGE;
	}
	if (!session_record(pr->s, &e)) {
		prompt_printf(pr, "--record: %s\nNothing was changed.\n", e.msg);
		return ES_EUSAGE;
	}
	prompt_printf(pr, "\nInstalling\n");
	memset(&res, 0, sizeof res);
	if (!session_install(pr->s, prompt_progress, pr, prompt_step, pr,
	    &res, &e)) {
		prompt_printf(pr, "%s\n%s", e.msg, res.undo_kept ? "" :
		    "Everything this run changed was undone.\n");
		return e.code != 0 ? e.code : ES_EINTERNAL;
	}
	sbuf_init(&b);
	session_next_steps(pr->s, &res, &b);
	prompt_printf(pr, "\n%s", b.s);
	sbuf_free(&b);
	return ES_OK;
}

int
prompt_run(struct session *s, FILE *in, FILE *out)
{
	struct prompt pr;
	enum prompt_page page = PG_WELCOME, back_to = PG_COMPONENT;

	memset(&pr, 0, sizeof pr);
	pr.s = s;
	pr.in = in;
	pr.out = out;
	while (page != PG_INSTALL) {
		enum prompt_next next = PN_NEXT;

		switch (page) {
		case PG_WELCOME: next = page_welcome(&pr); break;
		case PG_LICENSE: next = page_license(&pr); break;
		case PG_COMPONENT: next = page_component(&pr); break;
		case PG_LOCATION: next = page_location(&pr); break;
		case PG_REQUIREMENTS:
			next = page_requirements(&pr);
			back_to = PG_LOCATION;
			break;
		case PG_USER: next = page_user(&pr); break;
		case PG_CONSOLE_ADMIN: next = page_console_admin(&pr); break;
		case PG_DIRECTION: next = page_direction(&pr); break;
		case PG_PAIRING: next = page_pairing(&pr); break;
		case PG_SUMMARY:
			next = page_summary(&pr);
			back_to = PG_COMPONENT;
			break;
		default: break;
		}
		if (next == PN_CANCEL) {
			prompt_printf(&pr, "\nCancelled: nothing was changed.\n");
			log_msg("cancelled in the text prompts");
			return ES_ECANCEL;
		}
		if (next == PN_BACK)
			page = back_to;
		else if (next == PN_NEXT)
			page++;
	}
	return page_install(&pr);
}
