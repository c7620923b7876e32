/* Pairing (Engine-to-Console only): pair with the console now, with its
 * address, port and shared secret and a Test connection that must pass
 * first, or later with 'engine-setup pair'. The test is the protocol's dry
 * run (../shared/pairing-protocol.md, "Exchange 2"); without a pin, the
 * console key it saw becomes the plan's console_fingerprint
 * (session_pairing_test), shown here to be compared with the console's.
 * Each step shows as it ends; Esc or Ctrl-C stops the test. The secret is
 * never drawn: its field shows one '*' per character (ui.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "util.h"

#define PAGE_PAIRING_NOW	0
#define PAGE_PAIRING_LATER	1

/* Focus stops: the menu, the fields, then the Test connection button. */
#define PAGE_PAIRING_MENU	0
#define PAGE_PAIRING_ADDRESS	0	/* fields, from focus 1 */
#define PAGE_PAIRING_PORT	1
#define PAGE_PAIRING_SECRET	2

/* Rows of the page, from its top. */
#define PAGE_PAIRING_MENU_Y	0
#define PAGE_PAIRING_FORM_Y	2
#define PAGE_PAIRING_TEST_Y	8
#define PAGE_PAIRING_STEPS_Y	9
#define PAGE_PAIRING_ROWS	((PAIRING_NSTAGES + 1) / 2)
#define PAGE_PAIRING_OUT_Y	(PAGE_PAIRING_STEPS_Y + PAGE_PAIRING_ROWS)

#define PAGE_PAIRING_BUTTON	"Test connection"

static const char *const page_pairing_names[] = {
	"Pair now (recommended)", "Pair later (engine-setup pair)",
};

/* A step as the test reported it. */
enum page_pairing_step {
	PPS_NONE,	/* not reported (yet) */
	PPS_OK,
	PPS_FAIL,
	PPS_SKIP,
	PPS_RUN		/* the one under way (drawn only) */
};

static struct ui_menu page_pairing_menu;
static struct ui_form page_pairing_form;
/* Under the steps: what the test found or why it failed, then what each
 * step reported; PgUp/PgDn scroll what does not fit. */
static struct ui_view page_pairing_out;

/* The last connection test; kept while the page is left and entered
 * again, so that Back and Next do not ask for it again. */
static struct {
	bool ran, testing, passed;
	bool stopped;		/* Esc or Ctrl-C stopped it */
	int next;		/* the first step not reported */
	enum page_pairing_step step[PAIRING_NSTAGES];
	char detail[PAIRING_NSTAGES][128];
	char fail[ES_ERR_MSG_MAX];
	char console_name[128], console_id[128], console_version[32];
	char console_spki[72];
	bool pinned;		/* the key was checked against a pin */
	/* What the test was run with; the secret only as its secret_id. */
	char address[256], port[16], secret_id[17];
	char status[256];
	int status_style;
} page_pairing_st;

static bool
page_pairing_shown(const struct session *s)
{
	return session_engine_to_console(s);
}

static bool
page_pairing_now(void)
{
	return ui_menu_index(&page_pairing_menu) == PAGE_PAIRING_NOW;
}

/* Where the secret comes from when it is not typed here: the answers'
 * shared_secret_file or ENGINE_SETUP_SHARED_SECRET (secret_obtain takes
 * them before a typed one). NULL: it is typed. */
static const char *
page_pairing_external(const struct wizard *w, char *buf, size_t bufsz)
{
	const char *env = getenv("ENGINE_SETUP_SHARED_SECRET");

	if (plan_is_set(w->s->plan, PK_SHARED_SECRET_FILE)) {
		snprintf(buf, bufsz, "from %s (shared_secret_file)",
		    plan_get(w->s->plan, PK_SHARED_SECRET_FILE));
		return buf;
	}
	if (env != NULL && *env != '\0') {
		snprintf(buf, bufsz, "from ENGINE_SETUP_SHARED_SECRET");
		return buf;
	}
	return NULL;
}

static int
page_pairing_nfields(void)
{
	return page_pairing_form.n;
}

/* The focus stop of the Test connection button. */
static int
page_pairing_button(void)
{
	return 1 + page_pairing_nfields();
}

/* The field that has the focus, or -1. */
static int
page_pairing_field(const struct wizard *w)
{
	int i = w->focus - 1;

	return page_pairing_now() && i >= 0 && i < page_pairing_nfields() ?
	    i : -1;
}

/* The console_fingerprint a test put into the plan (not one the answers
 * pinned) goes with the test that found it. */
static void
page_pairing_forget_key(struct wizard *w)
{
	struct plan *p = w->s->plan;

	if (plan_is_set(p, PK_CONSOLE_FINGERPRINT) &&
	    p->priority[PK_CONSOLE_FINGERPRINT] == PLAN_SRC_INTERACTIVE)
		plan_replace(p, PK_CONSOLE_FINGERPRINT, NULL);
}

/* Forget the last test: what it was run with has changed. */
static void
page_pairing_reset(struct wizard *w)
{
	memset(&page_pairing_st, 0, sizeof page_pairing_st);
	page_pairing_forget_key(w);
}

/* The secret_id of the secret typed, or "" when it is not one (or is
 * not typed here). */
static void
page_pairing_secret_id(const char *typed, char out[17])
{
	char S[33];

	out[0] = '\0';
	if (typed != NULL && pairing_normalize_secret(typed, S))
		pairing_secret_id(S, out);
	util_wipe(S, sizeof S);
}

/* The fields as typed (caller frees with page_pairing_free_values); the
 * secret is NULL when it is not typed here. */
static void
page_pairing_values(char **v)
{
	int i;

	v[PAGE_PAIRING_SECRET] = NULL;
	for (i = 0; i < page_pairing_nfields(); i++)
		v[i] = ui_form_value(&page_pairing_form, i);
}

static void
page_pairing_free_values(char **v)
{
	free(v[PAGE_PAIRING_ADDRESS]);
	free(v[PAGE_PAIRING_PORT]);
	util_free_secret(v[PAGE_PAIRING_SECRET]);
}

/* True when the last test passed with the values as they are now. */
static bool
page_pairing_still_passed(char **v)
{
	char id[17];

	if (!page_pairing_st.passed)
		return false;
	page_pairing_secret_id(v[PAGE_PAIRING_SECRET], id);
	return strcmp(v[PAGE_PAIRING_ADDRESS], page_pairing_st.address) == 0 &&
	    strcmp(v[PAGE_PAIRING_PORT], page_pairing_st.port) == 0 &&
	    strcmp(id, page_pairing_st.secret_id) == 0;
}

/* Put msg under field i in style. */
static void
page_pairing_say(int i, int style, const char *msg)
{
	snprintf(page_pairing_form.msg[i], sizeof page_pairing_form.msg[i],
	    "%s", msg);
	page_pairing_form.msg_style[i] = style;
}

/* What the secret field says when nothing is wrong with it. */
static void
page_pairing_secret_hint(void)
{
	if (page_pairing_nfields() > PAGE_PAIRING_SECRET)
		page_pairing_say(PAGE_PAIRING_SECRET, UI_DIM, "Shown as *: 32 "
		    "letters and digits, like ABCD-1234-...");
}

/* Check the fields (only that one when only >= 0); the reasons go under
 * them. Returns the first bad field, or -1. */
static int
page_pairing_check(char **v, int only)
{
	static const enum plan_key keys[] = {
		PK_CONSOLE_ADDRESS, PK_CONSOLE_PORT, PK_SHARED_SECRET,
	};
	const char *expect;
	char buf[512];
	int i, bad = -1;

	for (i = 0; i < page_pairing_nfields(); i++) {
		if (only >= 0 && only != i)
			continue;
		if (plan_check(keys[i], v[i], &expect)) {
			page_pairing_say(i, UI_NORMAL, "");
			if (i == PAGE_PAIRING_SECRET)
				page_pairing_secret_hint();
			continue;
		}
		if (i == PAGE_PAIRING_PORT)
			snprintf(buf, sizeof buf, "Expected %s (the default "
			    "is 40815).", expect);
		else if (i == PAGE_PAIRING_SECRET)
			snprintf(buf, sizeof buf, "%s", *v[i] == '\0' ?
			    "Required: the shared secret from the console." :
			    "Expected 32 letters and digits, like "
			    "ABCD-1234-...");
		else
			snprintf(buf, sizeof buf, "%s%s.", *v[i] == '\0' ?
			    "Required: " : "Expected ", expect);
		page_pairing_say(i, UI_ERROR, buf);
		if (bad < 0)
			bad = i;
	}
	return bad;
}

static const char *const page_pairing_labels[] = {
	"[    ]", "[ OK ]", "[FAIL]", "[ -- ]", "[ .. ]",
};

/* How step stage ended, as the test reported it, or that it is under
 * way. */
static enum page_pairing_step
page_pairing_step_of(int stage)
{
	enum page_pairing_step st = page_pairing_st.step[stage];

	if (st == PPS_NONE && !page_pairing_st.testing)
		return PPS_SKIP;
	if (st == PPS_NONE && stage == page_pairing_st.next)
		return PPS_RUN;
	return st;
}

/* What step stage reported ("..." while it is under way), and whether
 * that fits its cell of width columns in the grid ("[ OK ] TCP connect
 * 127.0.0.1:40815"); what does not shows whole under the steps. */
static const char *
page_pairing_detail(int stage, int width, bool *fits)
{
	const char *d = page_pairing_step_of(stage) == PPS_RUN ? "..." :
	    page_pairing_st.detail[stage];

	/* Bytes: a detail in UTF-8 is never taken for narrower than it
	 * is. */
	*fits = 6 + 1 + 13 + 1 + (int)strlen(d) <= width;
	return d;
}

/* One step in the grid, with its report when that fits. */
static void
page_pairing_step_line(int y, int x, int width, int stage)
{
	static const int styles[] = {
		UI_DIM, UI_OK, UI_ERROR, UI_DIM, UI_NORMAL,
	};
	enum page_pairing_step st = page_pairing_step_of(stage);
	const char *d;
	char line[256];
	bool fits;

	d = page_pairing_detail(stage, width, &fits);
	ui_put(y, x, 6, styles[st], page_pairing_labels[st]);
	snprintf(line, sizeof line, " %-13s %s",
	    pairing_stage_name((enum pairing_stage)stage), fits ? d : "");
	ui_put(y, x + 6, width - 6, st == PPS_FAIL ? UI_ERROR : UI_NORMAL,
	    line);
}

/* The view under the steps: what the test found (the console and its
 * key) or why it failed, then the reports too long for the grid's cells
 * of width columns, whole and wrapped ("Hello          console ..."). */
static void
page_pairing_fill_out(int width)
{
	struct sbuf b;
	const char *d;
	int top = page_pairing_out.top, i;
	bool fits;

	ui_view_set(&page_pairing_out, "");
	page_pairing_out.more = "PgDn/PgUp";
	sbuf_init(&b);
	if (!page_pairing_st.testing && page_pairing_st.passed) {
		sbuf_addf(&b, "Console %s (%s), version %s",
		    page_pairing_st.console_name, page_pairing_st.console_id,
		    page_pairing_st.console_version);
		ui_view_add(&page_pairing_out, UI_OK, b.s);
		ui_view_add(&page_pairing_out, UI_NORMAL,
		    page_pairing_st.pinned ? "Console key (the "
		    "console_fingerprint of the answers):" : "Console key; "
		    "compare it with the fingerprint the console shows:");
		sbuf_free(&b);
		sbuf_addf(&b, "  %s", page_pairing_st.console_spki);
		ui_view_add(&page_pairing_out, UI_SELECTED, b.s);
	} else if (!page_pairing_st.testing) {
		ui_view_add(&page_pairing_out, UI_ERROR, page_pairing_st.fail);
	}
	for (i = 0; i < PAIRING_NSTAGES; i++) {
		d = page_pairing_detail(i, width, &fits);
		if (fits)
			continue;
		sbuf_free(&b);
		sbuf_addf(&b, "%-13s  %s",
		    pairing_stage_name((enum pairing_stage)i), d);
		ui_view_add(&page_pairing_out, page_pairing_step_of(i) ==
		    PPS_FAIL ? UI_ERROR : UI_NORMAL, b.s);
	}
	sbuf_free(&b);
	page_pairing_out.top = top;
}

/* The Test connection button, its status, the steps in two columns, and
 * under them the outcome and the steps' longer reports. */
static void
page_pairing_draw_test(struct wizard *w)
{
	char status[128];
	int y = w->y + PAGE_PAIRING_TEST_Y, x = w->x, i, cw, bw, rows;

	if (w->small)
		return;
	ui_clear(y, w->x, w->h - PAGE_PAIRING_TEST_Y, w->w);
	bw = ui_button(y, x, PAGE_PAIRING_BUTTON,
	    w->focus == page_pairing_button(), false);
	ui_put(y, x + bw + 2, w->w - bw - 2, page_pairing_st.status_style,
	    page_pairing_st.status);
	if (!page_pairing_st.ran) {
		ui_write(y + 1, x, w->h - PAGE_PAIRING_TEST_Y - 1, w->w,
		    UI_NORMAL, "Generate the shared secret in the console: "
		    "Administration > Scans > Manage scan engines > Generate "
		    "Scan Engine Shared Secret. It is valid for 60 minutes.\n\n"
		    "Test connection checks the address, the port and the "
		    "secret without pairing yet: name, TCP connection, TLS, "
		    "the console's key, the secret both ways, and the "
		    "versions. Next goes on once the test has passed.");
		return;
	}
	cw = (w->w - 2) / 2;
	for (i = 0; i < PAIRING_NSTAGES; i++)
		page_pairing_step_line(w->y + PAGE_PAIRING_STEPS_Y +
		    i % PAGE_PAIRING_ROWS, x + (i / PAGE_PAIRING_ROWS) *
		    (cw + 2), cw, i);
	page_pairing_fill_out(cw);
	/* A status row under the view only when it does not all fit. */
	rows = w->h - PAGE_PAIRING_OUT_Y;
	if (ui_view_rows(&page_pairing_out, w->w) > rows)
		rows--;
	ui_view_draw(&page_pairing_out, w->y + PAGE_PAIRING_OUT_Y, x, rows,
	    w->w);
	ui_view_status(&page_pairing_out, status, sizeof status);
	if (status[0] != '\0')
		ui_put(w->y + w->h - 1, x, w->w, UI_DIM, status);
}

static void
page_pairing_draw(struct wizard *w)
{
	char buf[1200];
	const char *ext;
	int y = w->y + PAGE_PAIRING_FORM_Y;

	if (!page_pairing_now()) {
		ui_clear(y, w->x, w->h - PAGE_PAIRING_FORM_Y, w->w);
		ui_write(y, w->x, 5, w->w, UI_NORMAL, "After installing, pair "
		    "with: engine-setup pair --console <console address>. The "
		    "secret is read from a file, the environment or a prompt, "
		    "never from the command line.");
		w->blocked = false;
		return;
	}
	ui_form_draw(&page_pairing_form);
	if ((ext = page_pairing_external(w, buf, sizeof buf)) != NULL) {
		y += 2 * PAGE_PAIRING_SECRET;
		ui_put(y, w->x, page_pairing_form.label_w, UI_NORMAL,
		    "Shared secret:");
		ui_put(y, w->x + page_pairing_form.label_w,
		    w->w - page_pairing_form.label_w, UI_NORMAL, ext);
	}
	page_pairing_draw_test(w);
	w->blocked = !page_pairing_st.passed;
}

/* Lay out the menu, and the fields when pairing now. */
static void
page_pairing_place(struct wizard *w)
{
	int f;

	ui_menu_place(&page_pairing_menu, w->y + PAGE_PAIRING_MENU_Y,
	    w->x + 2, w->focus == PAGE_PAIRING_MENU);
	f = page_pairing_field(w);
	/* Before the form is posted: its fields share stdscr's cells. */
	ui_clear(w->y + PAGE_PAIRING_FORM_Y, w->x, w->h - PAGE_PAIRING_FORM_Y,
	    w->w);
	if (page_pairing_now()) {
		ui_form_place(&page_pairing_form, w->y + PAGE_PAIRING_FORM_Y,
		    w->x, w->w);
		ui_form_focus(&page_pairing_form, w, f);
	} else {
		ui_form_focus(&page_pairing_form, w, -1);
		ui_form_hide(&page_pairing_form);
	}
	page_pairing_draw(w);
}

/* The test no longer holds when what it ran with has changed. */
static void
page_pairing_sync(struct wizard *w)
{
	char *v[3];

	if (!page_pairing_st.passed)
		return;
	page_pairing_values(v);
	if (!page_pairing_still_passed(v)) {
		page_pairing_reset(w);
		page_pairing_st.ran = false;
		snprintf(page_pairing_st.status, sizeof page_pairing_st.status,
		    "Changed since the test passed: test again.");
		page_pairing_st.status_style = UI_WARN;
		w->msg[0] = '\0';
		page_pairing_draw(w);
	}
	page_pairing_free_values(v);
}

static void
page_pairing_enter(struct wizard *w)
{
	const struct plan *p = w->s->plan;
	char buf[1200], *v[3];

	ui_menu_init(&page_pairing_menu, page_pairing_names, 2,
	    plan_yes(p, PK_PAIR_NOW) ? PAGE_PAIRING_NOW : PAGE_PAIRING_LATER);
	ui_form_init(&page_pairing_form, 17, 48);
	ui_form_add(&page_pairing_form, "Console address:",
	    plan_get(p, PK_CONSOLE_ADDRESS), false);
	ui_form_add(&page_pairing_form, "Port:", plan_get(p, PK_CONSOLE_PORT),
	    false);
	if (page_pairing_external(w, buf, sizeof buf) == NULL)
		ui_form_add(&page_pairing_form, "Shared secret:",
		    plan_get(p, PK_SHARED_SECRET), true);
	page_pairing_secret_hint();
	/* A test from an earlier visit holds if nothing changed since. */
	page_pairing_values(v);
	if (!page_pairing_still_passed(v))
		page_pairing_reset(w);
	page_pairing_free_values(v);
	w->nfocus = page_pairing_now() ? page_pairing_button() + 1 : 1;
}

/* Called by the test as each step ends: draw it at once. */
static void
page_pairing_step(enum pairing_stage stage, enum pairing_outcome outcome,
    const char *detail, void *arg)
{
	struct wizard *w = arg;

	if ((int)stage < 0 || stage >= PAIRING_NSTAGES)
		return;
	/* A stopped step did not fail. */
	page_pairing_st.step[stage] = outcome == PAIRING_OK ? PPS_OK :
	    outcome == PAIRING_FAILED && !page_pairing_st.stopped ? PPS_FAIL :
	    PPS_SKIP;
	page_pairing_st.next = (int)stage + 1;
	snprintf(page_pairing_st.detail[stage],
	    sizeof page_pairing_st.detail[stage], "%s",
	    detail != NULL ? detail : "");
	page_pairing_draw_test(w);
	wizard_refresh(w);
}

/* Keep the fields in the plan: all of them (checked before), or on Back
 * only those that are valid. */
static void
page_pairing_keep(struct wizard *w, char **v)
{
	struct plan *p = w->s->plan;
	const char *expect;

	if (plan_check(PK_CONSOLE_ADDRESS, v[PAGE_PAIRING_ADDRESS], &expect))
		plan_replace(p, PK_CONSOLE_ADDRESS, v[PAGE_PAIRING_ADDRESS]);
	if (plan_check(PK_CONSOLE_PORT, v[PAGE_PAIRING_PORT], &expect))
		plan_replace(p, PK_CONSOLE_PORT, v[PAGE_PAIRING_PORT]);
	if (v[PAGE_PAIRING_SECRET] == NULL)
		return;
	if (*v[PAGE_PAIRING_SECRET] == '\0')
		plan_replace(p, PK_SHARED_SECRET, NULL);
	else if (plan_check(PK_SHARED_SECRET, v[PAGE_PAIRING_SECRET], &expect))
		plan_replace(p, PK_SHARED_SECRET, v[PAGE_PAIRING_SECRET]);
}

/* Put the focus on field i after a check found it wrong. */
static void
page_pairing_focus_field(struct wizard *w, int i)
{
	w->focus = 1 + i;
	page_pairing_place(w);
}

/* Asked while the test waits (pairing_opts.stop): Esc or Ctrl-C stop it,
 * a resize draws the page again, other keys are dropped. A signal is left
 * to the wizard (the test stops for it by itself). */
static bool
page_pairing_stop(void *arg)
{
	struct wizard *w = arg;
	int k, seen = w->signals;

	while ((k = wizard_getkey(w, 0)) != WK_IDLE) {
		switch (k) {
		case WK_ESC:
		case WK_INTR:
			page_pairing_st.stopped = true;
			return true;
		case WK_SIGNAL:
			w->signals = seen;
			return false;
		case KEY_RESIZE:
			wizard_redraw(w);
			wizard_refresh(w);
			break;
		}
	}
	return false;
}

/* Test connection: check the fields, keep them in the plan, draw
 * "Testing", then run the dry run with a line per step; on success the
 * focus goes to Next. */
static void
page_pairing_test(struct wizard *w)
{
	struct pairing_result r;
	struct es_err e;
	const char *help = w->help;
	char *v[3];
	int bad;
	bool ok;

	page_pairing_values(v);
	if ((bad = page_pairing_check(v, -1)) >= 0) {
		page_pairing_focus_field(w, bad);
		goto out;
	}
	page_pairing_keep(w, v);
	page_pairing_reset(w);
	page_pairing_out.top = 0;
	page_pairing_st.ran = true;
	page_pairing_st.testing = true;
	snprintf(page_pairing_st.status, sizeof page_pairing_st.status,
	    "Testing the connection to %s port %s ...",
	    v[PAGE_PAIRING_ADDRESS], v[PAGE_PAIRING_PORT]);
	page_pairing_st.status_style = UI_NORMAL;
	wizard_message(w, UI_NORMAL, "Esc or Ctrl-C stops the test.");
	w->help = "Esc or Ctrl-C: stop the test";
	wizard_redraw(w);
	wizard_refresh(w);

	page_pairing_st.pinned = plan_is_set(w->s->plan,
	    PK_CONSOLE_FINGERPRINT);
	memset(&r, 0, sizeof r);
	err_clear(&e);
	ok = session_pairing_test(w->s, page_pairing_step, page_pairing_stop,
	    w, &r, &e);
	page_pairing_st.testing = false;
	w->help = help;
	w->msg[0] = '\0';
	if (ok) {
		page_pairing_st.passed = true;
		snprintf(page_pairing_st.address, sizeof page_pairing_st.address,
		    "%s", v[PAGE_PAIRING_ADDRESS]);
		snprintf(page_pairing_st.port, sizeof page_pairing_st.port,
		    "%s", v[PAGE_PAIRING_PORT]);
		page_pairing_secret_id(v[PAGE_PAIRING_SECRET],
		    page_pairing_st.secret_id);
		snprintf(page_pairing_st.console_name,
		    sizeof page_pairing_st.console_name, "%s", r.console_name);
		snprintf(page_pairing_st.console_id,
		    sizeof page_pairing_st.console_id, "%s", r.console_id);
		snprintf(page_pairing_st.console_version,
		    sizeof page_pairing_st.console_version, "%s",
		    r.console_version);
		snprintf(page_pairing_st.console_spki,
		    sizeof page_pairing_st.console_spki, "%s", r.console_spki);
		snprintf(page_pairing_st.status, sizeof page_pairing_st.status,
		    "Passed.");
		page_pairing_st.status_style = UI_OK;
		wizard_message(w, UI_NORMAL, "The test passed: Next pairs "
		    "during the installation.");
		wizard_focus_button(w, WB_NEXT);
	} else if (page_pairing_st.stopped) {
		snprintf(page_pairing_st.fail, sizeof page_pairing_st.fail,
		    "Stopped before the test ended; nothing was stored. Test "
		    "connection runs it again.");
		snprintf(page_pairing_st.status, sizeof page_pairing_st.status,
		    "Connection test stopped.");
		page_pairing_st.status_style = UI_WARN;
		page_pairing_forget_key(w);
	} else {
		snprintf(page_pairing_st.fail, sizeof page_pairing_st.fail,
		    "%s", err_sentence(&e));
		snprintf(page_pairing_st.status, sizeof page_pairing_st.status,
		    "Failed.");
		page_pairing_st.status_style = UI_ERROR;
		page_pairing_forget_key(w);
	}
	pairing_result_free(&r);
	/* The help line and the focus changed too. */
	wizard_redraw(w);
out:
	page_pairing_free_values(v);
}

/* Keep the choice and the fields (Back), or check them and go on only
 * when the test has passed for them (Next). */
static enum page_action
page_pairing_store(struct wizard *w, bool check)
{
	bool now = page_pairing_now();
	enum page_action a = check ? PAGE_NEXT : PAGE_BACK;
	char *v[3];
	int bad;

	page_pairing_values(v);
	if (now && check && (bad = page_pairing_check(v, -1)) >= 0) {
		page_pairing_focus_field(w, bad);
		a = PAGE_STAY;
		goto out;
	}
	if (now && check && !page_pairing_still_passed(v)) {
		wizard_message(w, UI_ERROR, "Test the connection first: Next "
		    "goes on once the test has passed (or choose Pair "
		    "later).");
		w->focus = page_pairing_button();
		page_pairing_place(w);
		a = PAGE_STAY;
		goto out;
	}
	plan_replace(w->s->plan, PK_PAIR_NOW, now ? "yes" : "no");
	if (now)
		page_pairing_keep(w, v);
	else if (check)
		page_pairing_reset(w);
out:
	page_pairing_free_values(v);
	return a;
}

static enum page_action
page_pairing_key(struct wizard *w, int key)
{
	char *v[3];
	int f;

	switch (key) {
	case KEY_RESIZE:
		page_pairing_place(w);
		return PAGE_STAY;
	case WK_FOCUS:
		f = w->old_focus - 1;
		if (page_pairing_now() && f >= 0 && f < page_pairing_nfields()) {
			page_pairing_values(v);
			page_pairing_check(v, f);
			page_pairing_free_values(v);
		}
		page_pairing_place(w);
		return PAGE_STAY;
	case WK_NEXT:
		return page_pairing_store(w, true);
	case WK_BACK:
		return page_pairing_store(w, false);
	case WK_ENTER:
	case WK_TEXT(' '):
		if (!page_pairing_now() || w->focus != page_pairing_button())
			break;
		page_pairing_test(w);
		return PAGE_STAY;
	case KEY_NPAGE:
	case KEY_PPAGE:
		ui_view_key(&page_pairing_out, key);
		if (page_pairing_now())
			page_pairing_draw_test(w);
		return PAGE_STAY;
	}
	if (w->focus == PAGE_PAIRING_MENU &&
	    ui_menu_key(&page_pairing_menu, key)) {
		w->nfocus = page_pairing_now() ? page_pairing_button() + 1 : 1;
		w->msg[0] = '\0';
		page_pairing_place(w);
		return PAGE_STAY;
	}
	if (page_pairing_field(w) >= 0 &&
	    ui_form_key(&page_pairing_form, key)) {
		page_pairing_sync(w);
		return PAGE_STAY;
	}
	return PAGE_UNHANDLED;
}

static void
page_pairing_leave(struct wizard *w)
{
	(void)w;
	ui_menu_free(&page_pairing_menu);
	ui_form_free(&page_pairing_form);
	ui_view_free(&page_pairing_out);
}

const struct page page_pairing = {
	.title = "Pair with the Security Console now?",
	.shown = page_pairing_shown,
	.enter = page_pairing_enter,
	.key = page_pairing_key,
	.leave = page_pairing_leave,
};
