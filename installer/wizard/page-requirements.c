/* System requirements: checked each time the page is entered (and on
 * "Recheck"); a [Fail] keeps Next from going on and says why. */
#include <stdio.h>
#include <string.h>

#include "page.h"
#include "log.h"

#define PAGE_REQUIREMENTS_AGAIN	0

static struct ui_view page_requirements_view;
static bool page_requirements_ok;
static char page_requirements_why[ES_ERR_MSG_MAX];
static size_t page_requirements_warns;

/* Run the check for the plan as it stands and keep its text. */
static void
page_requirements_check(struct wizard *w)
{
	struct req_report r;
	struct es_err e;
	struct sbuf b;
	size_t n;

	err_clear(&e);
	memset(&r, 0, sizeof r);
	page_requirements_ok = session_requirements(w->s, &r, &e);
	page_requirements_warns = r.warns;
	snprintf(page_requirements_why, sizeof page_requirements_why, "%s",
	    e.msg);
	n = strlen(page_requirements_why);
	while (n > 0 && page_requirements_why[n - 1] == '.')
		page_requirements_why[--n] = '\0';
	sbuf_init(&b);
	session_requirements_text(&r, 0, &b);
	ui_view_set(&page_requirements_view, b.s != NULL ? b.s : "");
	sbuf_free(&b);
	/* Show the first failure; it may be below the fold. */
	if (!page_requirements_ok)
		page_requirements_view.find = "[Fail]";
	w->blocked = !page_requirements_ok;
	log_msg("wizard: requirements %s", page_requirements_ok ? "met" :
	    "not met");
}

static void
page_requirements_draw(struct wizard *w)
{
	const struct manifest_component *mc = manifest_component(
	    w->s->manifest, plan_get(w->s->plan, PK_COMPONENT));
	char status[128];
	struct sbuf b;
	int vh, th;

	/* The title takes the rows it needs (a long folder wraps). */
	sbuf_init(&b);
	sbuf_addf(&b, "System requirements for the %s in %s:",
	    mc != NULL && mc->title != NULL ? mc->title :
	    plan_get(w->s->plan, PK_COMPONENT),
	    plan_get(w->s->plan, PK_INSTALL_DIR));
	ui_clear(w->y, w->x, w->h - 10, w->w);
	th = ui_write(w->y, w->x, w->h - 10, w->w, UI_NORMAL, b.s);
	sbuf_free(&b);
	vh = w->h - 6 - th;
	ui_view_draw(&page_requirements_view, w->y + th, w->x, vh, w->w);
	ui_view_status(&page_requirements_view, status, sizeof status);
	ui_put(w->y + th + vh, w->x, w->w, UI_DIM, status);
	ui_clear(w->y + th + 1 + vh, w->x, 3, w->w);
	if (!page_requirements_ok) {
		sbuf_init(&b);
		sbuf_addf(&b, "Cannot go on: %s. Fix what [Fail] names, then "
		    "Recheck; or go Back and choose differently.",
		    page_requirements_why);
		ui_write(w->y + th + 1 + vh, w->x, 3, w->w, UI_ERROR, b.s);
		sbuf_free(&b);
	} else if (page_requirements_warns > 0) {
		ui_write(w->y + th + 1 + vh, w->x, 3, w->w, UI_NORMAL,
		    "This computer meets the requirements. A warning does "
		    "not stop the installation; see its advice above.");
	} else {
		ui_write(w->y + th + 1 + vh, w->x, 3, w->w, UI_OK,
		    "This computer meets every requirement.");
	}
	ui_button(w->y + w->h - 1, w->x, "Recheck",
	    w->focus == PAGE_REQUIREMENTS_AGAIN, false);
}

static void
page_requirements_enter(struct wizard *w)
{
	page_requirements_check(w);
	w->nfocus = 1;
	w->keys = "PgUp/PgDn: scroll  Tab: move";
	if (page_requirements_ok)
		wizard_focus_button(w, WB_NEXT);
	else
		w->focus = PAGE_REQUIREMENTS_AGAIN;
}

static enum page_action
page_requirements_key(struct wizard *w, int key)
{
	switch (key) {
	case KEY_RESIZE:
	case WK_FOCUS:
		page_requirements_draw(w);
		return PAGE_STAY;
	case WK_NEXT:
		if (page_requirements_ok)
			return PAGE_NEXT;
		wizard_message(w, UI_ERROR, "A requirement is not met (see "
		    "[Fail] above): Next is not available.");
		return PAGE_STAY;
	case WK_ENTER:
	case WK_TEXT(' '):
		if (w->focus != PAGE_REQUIREMENTS_AGAIN)
			return PAGE_UNHANDLED;
		/* FALLTHROUGH */
	case WK_TEXT('r'):
	case WK_TEXT('R'):
		page_requirements_check(w);
		w->msg[0] = '\0';
		page_requirements_draw(w);
		return PAGE_STAY;
	}
	if (ui_view_key(&page_requirements_view, key)) {
		page_requirements_draw(w);
		return PAGE_STAY;
	}
	return PAGE_UNHANDLED;
}

static void
page_requirements_leave(struct wizard *w)
{
	(void)w;
	ui_view_free(&page_requirements_view);
}

const struct page page_requirements = {
	.title = "System requirements",
	.enter = page_requirements_enter,
	.key = page_requirements_key,
	.leave = page_requirements_leave,
};
