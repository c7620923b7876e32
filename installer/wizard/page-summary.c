/* Summary: every choice (session_summary), whether to start the service,
 * and the Install button. Nothing has changed before Install. */
#include <stdio.h>

#include "page.h"
#include "log.h"

#define PAGE_SUMMARY_START	0

static struct ui_view page_summary_view;

/* The summary text again (after the toggle changed it). */
static void
page_summary_text(struct wizard *w)
{
	struct sbuf b;
	int top = page_summary_view.top;

	sbuf_init(&b);
	session_summary(w->s, &b);
	ui_view_set(&page_summary_view, b.s != NULL ? b.s : "");
	page_summary_view.top = top;
	sbuf_free(&b);
}

static void
page_summary_draw(struct wizard *w)
{
	char status[128];
	int vh = w->h - 5;

	ui_put(w->y, w->x, w->w, UI_NORMAL, "Check every choice before "
	    "installing; Back changes them.");
	ui_view_draw(&page_summary_view, w->y + 2, w->x, vh, w->w);
	ui_view_status(&page_summary_view, status, sizeof status);
	ui_put(w->y + 2 + vh, w->x, w->w, UI_DIM, status);
	ui_put(w->y + w->h - 1, w->x, w->w, UI_NORMAL, "");
	attrset(ui_attr(w->focus == PAGE_SUMMARY_START ? UI_FOCUS :
	    UI_NORMAL));
	mvaddstr(w->y + w->h - 1, w->x, plan_yes(w->s->plan,
	    PK_START_SERVICE) ? "[x]" : "[ ]");
	attrset(A_NORMAL);
	addstr(" Start the service after installation");
}

static void
page_summary_enter(struct wizard *w)
{
	page_summary_text(w);
	w->nfocus = 1;
	w->next_label = "Install";
	w->keys = "Space: tick  Tab: move";
	wizard_focus_button(w, WB_NEXT);
}

/* "Start the service after installation": yes <-> no. */
static void
page_summary_toggle(struct wizard *w)
{
	plan_replace(w->s->plan, PK_START_SERVICE,
	    plan_yes(w->s->plan, PK_START_SERVICE) ? "no" : "yes");
	page_summary_text(w);
	page_summary_draw(w);
}

/* Last checks before anything changes: every answer, and the
 * requirements again (the port chosen after the requirements page). */
static enum page_action
page_summary_install(struct wizard *w)
{
	struct plan_validate_opts vo = { .silent = true, .root = w->s->root };
	struct req_report r;
	struct es_err e;

	err_clear(&e);
	if (!plan_validate(w->s->plan, &vo, &e)) {
		wizard_message(w, UI_ERROR, "%s", err_sentence(&e));
		return PAGE_STAY;
	}
	if (!session_requirements(w->s, &r, &e)) {
		wizard_message(w, UI_ERROR, "%s", err_sentence(&e));
		return PAGE_STAY;
	}
	log_msg("wizard: install confirmed");
	return PAGE_NEXT;
}

static enum page_action
page_summary_key(struct wizard *w, int key)
{
	switch (key) {
	case KEY_RESIZE:
	case WK_FOCUS:
		page_summary_draw(w);
		return PAGE_STAY;
	case WK_NEXT:
		return page_summary_install(w);
	case WK_ENTER:
	case WK_TEXT(' '):
		if (w->focus != PAGE_SUMMARY_START)
			return PAGE_UNHANDLED;
		/* FALLTHROUGH */
	case WK_TEXT('s'):
	case WK_TEXT('S'):
		page_summary_toggle(w);
		return PAGE_STAY;
	}
	if (ui_view_key(&page_summary_view, key)) {
		page_summary_draw(w);
		return PAGE_STAY;
	}
	return PAGE_UNHANDLED;
}

static void
page_summary_leave(struct wizard *w)
{
	(void)w;
	ui_view_free(&page_summary_view);
}

const struct page page_summary = {
	.title = "Summary",
	.enter = page_summary_enter,
	.key = page_summary_key,
	.leave = page_summary_leave,
};
