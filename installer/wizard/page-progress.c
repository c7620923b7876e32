/* Progress: --record first, then session_install() with a bar (bytes,
 * files, time left) and the steps as they start. Esc, Ctrl-C or C asks
 * whether to stop; stopping makes the progress callback return false, and
 * the executor undoes everything (exit 5). */
#include <stdio.h>
#include <string.h>

#include "page.h"
#include "log.h"

#define PAGE_PROGRESS_STEPS	16
#define PAGE_PROGRESS_HOLD	0.5	/* seconds the finished bar stays */

static struct {
	char step[PAGE_PROGRESS_STEPS][64];
	size_t nsteps, cur, total;
	struct payload_progress pr;
	char current[256];
	bool have_pr, done, stopped;
	double start, last_draw;
	double paused;		/* seconds spent in the Stop question */
} page_progress_st;

static void
page_progress_draw(struct wizard *w)
{
	const struct session *s = w->s;
	const struct manifest_component *mc = manifest_component(s->manifest,
	    plan_get(s->plan, PK_COMPONENT));
	const struct payload_progress *pr = &page_progress_st.pr;
	char line[512], done[32], total[32], left[64];
	int i, y = w->y + 3, barw = w->w - 7, fill, pct;
	double elapsed = plat_monotonic() - page_progress_st.start -
	    page_progress_st.paused;

	snprintf(line, sizeof line, "Installing %s %s (%s) into %s.",
	    s->manifest->product, s->manifest->version,
	    mc != NULL && mc->title != NULL ? mc->title :
	    plan_get(s->plan, PK_COMPONENT), plan_get(s->plan, PK_INSTALL_DIR));
	ui_write(w->y, w->x, 2, w->w, UI_NORMAL, line);
	for (i = 0; i < (int)page_progress_st.nsteps && i < w->h - 8; i++) {
		bool now = (size_t)i == page_progress_st.cur &&
		    !page_progress_st.done;

		snprintf(line, sizeof line, "%s %s", now ? "[ >> ]" :
		    "[done]", page_progress_st.step[i]);
		ui_put(y + i, w->x + 2, w->w - 2, now ? UI_SELECTED : UI_NORMAL,
		    line);
	}

	pct = pr->bytes_total > 0 ?
	    (int)(pr->bytes_done * 100 / pr->bytes_total) :
	    page_progress_st.done ? 100 : 0;
	if (page_progress_st.done)
		pct = 100;
	fill = barw * pct / 100;
	y = w->y + w->h - 4;
	mvaddch(y, w->x, '[');
	attrset(ui_attr(UI_OK) | A_BOLD);
	for (i = 0; i < fill; i++)
		addch('#');
	attrset(ui_attr(UI_DIM));
	for (; i < barw; i++)
		addch('-');
	attrset(A_NORMAL);
	snprintf(line, sizeof line, "] %3d%%", pct);
	ui_put(y, w->x + 1 + barw, 6, UI_NORMAL, line);

	human_bytes(pr->bytes_done, done, sizeof done);
	human_bytes(pr->bytes_total, total, sizeof total);
	if (page_progress_st.done)
		snprintf(left, sizeof left, "done in %.1f s", elapsed);
	else if (pr->bytes_done > 0 && pr->bytes_total > 0 && elapsed > 0.5)
		snprintf(left, sizeof left, "about %.0f s left", elapsed *
		    (double)(pr->bytes_total - pr->bytes_done) /
		    (double)pr->bytes_done + 0.5);
	else
		snprintf(left, sizeof left, "estimating the time left");
	snprintf(line, sizeof line, "%s of %s, %llu of %llu files, %s", done,
	    total, (unsigned long long)pr->files_done,
	    (unsigned long long)pr->files_total, left);
	ui_put(y + 1, w->x, w->w, UI_NORMAL, page_progress_st.have_pr ? line :
	    "");
	ui_put(y + 3, w->x, w->w, UI_DIM, page_progress_st.done ? "" :
	    page_progress_st.current);
}

/* Draw now, or when 50 ms have passed since the last time. */
static void
page_progress_show(struct wizard *w, bool now)
{
	double t = plat_monotonic();

	if (!now && t - page_progress_st.last_draw < 0.05)
		return;
	page_progress_st.last_draw = t;
	if (!w->small)
		page_progress_draw(w);
	wizard_refresh(w);
}

/* Keys typed during the install. False when the user chose to stop. */
static bool
page_progress_poll(struct wizard *w)
{
	double t;
	int k;

	while ((k = wizard_getkey(w, 0)) != WK_IDLE) {
		switch (k) {
		case KEY_RESIZE:
			wizard_redraw(w);
			wizard_refresh(w);
			break;
		case WK_SIGNAL:
		case WK_HANGUP:
			page_progress_st.stopped = true;
			return false;
		case WK_ESC:
		case WK_INTR:
		case WK_TEXT('c'):
		case WK_TEXT('C'):
			t = plat_monotonic();
			if (wizard_confirm(w, "Stop", "Stop the installation? "
			    "Everything it changed so far will be undone.",
			    "Yes, stop", "No, go on")) {
				page_progress_st.stopped = true;
				wizard_message(w, UI_WARN, "Stopping: undoing "
				    "what was done so far...");
				page_progress_show(w, true);
				return false;
			}
			page_progress_st.paused += plat_monotonic() - t;
			page_progress_show(w, true);
			break;
		}
	}
	return true;
}

/* The payload's progress: draw it, and read the keys typed meanwhile. */
static bool
page_progress_cb(const struct payload_progress *pr, void *arg)
{
	struct wizard *w = arg;

	page_progress_st.pr = *pr;
	page_progress_st.pr.current = NULL;
	snprintf(page_progress_st.current, sizeof page_progress_st.current,
	    "%s", pr->current != NULL ? pr->current : "");
	page_progress_st.have_pr = true;
	page_progress_show(w, pr->files_done == pr->files_total);
	return page_progress_poll(w);
}

/* An executor step starts (exec_report_fn). */
static void
page_progress_step(size_t i, size_t n, const char *title, void *arg)
{
	struct wizard *w = arg;

	if (i < PAGE_PROGRESS_STEPS) {
		snprintf(page_progress_st.step[i],
		    sizeof page_progress_st.step[i], "%s", title);
		if (i + 1 > page_progress_st.nsteps)
			page_progress_st.nsteps = i + 1;
	}
	page_progress_st.cur = i;
	page_progress_st.total = n;
	page_progress_show(w, true);
}

static void
page_progress_enter(struct wizard *w)
{
	memset(&page_progress_st, 0, sizeof page_progress_st);
	page_progress_st.start = plat_monotonic();
	w->title = "Installing";
	w->buttons = WB_CANCEL;
	w->help = "Esc, Ctrl-C or C: stop the installation (everything it "
	    "did is undone)";
}

/* Record the answers, install, and go to the finish page; a stop
 * leaves the wizard at once (exit 5). */
static enum page_action
page_progress_run(struct wizard *w)
{
	struct es_err e;
	double t;

	/* Again after Back from a failure: nothing of that one is left. */
	err_clear(&w->err);
	err_clear(&e);
	if (!session_record(w->s, &e)) {
		w->install_ok = false;
		err_set(&w->err, ES_EUSAGE, "--record %s: %s. Nothing was "
		    "changed.", w->s->record, e.msg);
		return PAGE_NEXT;
	}
	page_progress_show(w, true);
	w->install_ok = session_install(w->s, page_progress_cb, w,
	    page_progress_step, w, &w->res, &w->err);
	if (!w->install_ok && w->err.code == ES_ECANCEL) {
		w->rc = ES_ECANCEL;
		if (page_progress_st.stopped && !w->res.undo_kept)
			sbuf_add(&w->after, "Cancelled: the installation was "
			    "stopped and everything it changed was undone.\n");
		else
			sbuf_addf(&w->after, "%s\n", err_sentence(&w->err));
		log_msg("wizard: installation stopped");
		return PAGE_QUIT;
	}
	page_progress_st.done = w->install_ok;
	w->buttons = 0;
	page_progress_show(w, true);
	/* Leave the finished bar up for a moment, even after a quick
	 * install. */
	t = plat_monotonic();
	while (w->install_ok && plat_monotonic() - t < PAGE_PROGRESS_HOLD)
		if (wizard_getkey(w, 100) == KEY_RESIZE) {
			wizard_redraw(w);
			wizard_refresh(w);
		}
	/* Keys typed during the install are not answers to the next page. */
	flushinp();
	return PAGE_NEXT;
}

static enum page_action
page_progress_key(struct wizard *w, int key)
{
	switch (key) {
	case KEY_RESIZE:
		page_progress_draw(w);
		return PAGE_STAY;
	case WK_START:
		return page_progress_run(w);
	}
	return PAGE_STAY;
}

static void
page_progress_leave(struct wizard *w)
{
	(void)w;
}

const struct page page_progress = {
	.title = "Installing",
	.enter = page_progress_enter,
	.key = page_progress_key,
	.leave = page_progress_leave,
};
