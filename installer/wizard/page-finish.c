/* Finish: what was installed, the service state and the next steps
 * (session_next_steps); any key leaves. Or why the installation failed,
 * and that it was undone: then Back goes to the page that can fix it (the
 * install location when the folder or its disk is the problem, else the
 * summary) with every answer kept, and Exit leaves. */
#include <stdio.h>
#include <string.h>

#include "page.h"

static struct ui_view page_finish_view;
/* The installation failed: what is printed once the screen is closed,
 * unless the user goes Back. */
static struct sbuf page_finish_after;
static bool page_finish_failed;
static bool page_finish_went_back;
static char page_finish_help[128];	/* with Back on offer */

static void
page_finish_draw(struct wizard *w)
{
	char status[128];

	ui_view_draw(&page_finish_view, w->y, w->x, w->h - 1, w->w);
	ui_view_status(&page_finish_view, status, sizeof status);
	ui_put(w->y + w->h - 1, w->x, w->w, UI_DIM, status);
}

/* After a failure: which page can fix it, and what to tell the user about
 * it, into b. NULL when going back cannot help (the undo stopped short:
 * the next run finishes it first). */
static const struct page *
page_finish_fix(struct wizard *w, struct sbuf *b)
{
	const char *dir = plan_get(w->s->plan, PK_INSTALL_DIR);
	char why[512];

	if (w->res.undo_kept)
		return NULL;
	if (dir != NULL && !session_check_install_dir(w->s, dir, why,
	    sizeof why)) {
		sbuf_addf(b, "The install folder is the problem now: %s\n\n"
		    "Back goes to the install location to fix it, with every "
		    "other answer kept; Exit leaves (exit code %d).\n", why,
		    w->rc);
		return &page_location;
	}
	sbuf_addf(b, "Back goes to the summary, with every answer kept, to "
	    "change what needs to change or to try again; Exit leaves (exit "
	    "code %d).\n", w->rc);
	return &page_summary;
}

static void
page_finish_enter(struct wizard *w)
{
	const struct session *s = w->s;
	const struct manifest_component *mc = manifest_component(s->manifest,
	    plan_get(s->plan, PK_COMPONENT));
	struct sbuf b, steps;

	sbuf_init(&b);
	page_finish_failed = !w->install_ok;
	page_finish_went_back = false;
	w->buttons = WB_NEXT;
	w->next_label = "Exit";
	if (w->install_ok) {
		sbuf_init(&steps);
		session_next_steps(s, &w->res, &steps);
		sbuf_addf(&b, "%s %s is installed: %s.\n\n%s",
		    s->manifest->product, s->manifest->version,
		    mc != NULL && mc->title != NULL ? mc->title :
		    plan_get(s->plan, PK_COMPONENT),
		    steps.s != NULL ? steps.s : "");
		sbuf_add(&w->after, steps.s != NULL ? steps.s : "");
		sbuf_free(&steps);
		w->title = "Finished";
		w->rc = ES_OK;
		w->help = "Enter or any key: exit";
	} else {
		bool undone = w->err.code != ES_EUSAGE && !w->res.undo_kept;

		w->rc = w->err.code != 0 ? w->err.code : ES_EINTERNAL;
		sbuf_addf(&b, "The installation failed.\n\n%s\n\n%s\n",
		    err_sentence(&w->err), !undone ? "" :
		    "Everything this run changed was undone: nothing of it is "
		    "left on this computer.\n");
		sbuf_init(&page_finish_after);
		sbuf_addf(&page_finish_after, "engine-setup: %s\n%s",
		    w->err.msg, !undone ? "" :
		    "Everything this run changed was undone.\n");
		w->back_to = page_finish_fix(w, &b);
		if (w->back_to != NULL) {
			w->buttons |= WB_BACK;
			snprintf(page_finish_help, sizeof page_finish_help,
			    "%s: Back (answers kept)  Tab: move  Enter: "
			    "select  %s/Esc: Exit", wizard_button_keys(w,
			    WB_BACK), wizard_button_keys(w, WB_NEXT));
			w->help = page_finish_help;
		} else {
			w->help = "Enter or any key: exit";
		}
		w->title = "Installation failed";
	}
	ui_view_set(&page_finish_view, b.s);
	sbuf_free(&b);
}

static enum page_action
page_finish_key(struct wizard *w, int key)
{
	bool back = (w->buttons & WB_BACK) != 0;

	switch (key) {
	case KEY_RESIZE:
	case WK_FOCUS:
		page_finish_draw(w);
		return PAGE_STAY;
	case WK_START:
	case WK_IDLE:
		return PAGE_STAY;
	case WK_BACK:
		if (!back)
			break;
		page_finish_went_back = true;
		return PAGE_BACK;
	}
	/* The arrows scroll a text that does not fit. */
	if (page_finish_view.t.n > page_finish_view.rows &&
	    ui_view_key(&page_finish_view, key)) {
		page_finish_draw(w);
		return PAGE_STAY;
	}
	/* With Back on offer, the buttons take the keys that move and press
	 * them, and a stray key does not throw the answers away. */
	if (back) {
		switch (key) {
		case WK_NEXT:
		case WK_ESC:
		case WK_INTR:
		case WK_SIGNAL:
		case WK_HANGUP:
		case WK_TEXT('q'):
		case WK_TEXT('Q'):
			return PAGE_QUIT;
		default:
			return WK_IS_TEXT(key) && WK_CHAR(key) != L' ' &&
			    WK_CHAR(key) != L'b' && WK_CHAR(key) != L'B' &&
			    WK_CHAR(key) != L'e' && WK_CHAR(key) != L'E' ?
			    PAGE_STAY : PAGE_UNHANDLED;
		}
	}
	/* Any other key leaves. */
	return PAGE_QUIT;
}

static void
page_finish_leave(struct wizard *w)
{
	if (page_finish_failed) {
		if (!page_finish_went_back)
			sbuf_add(&w->after, page_finish_after.s);
		sbuf_free(&page_finish_after);
	}
	page_finish_failed = false;
	ui_view_free(&page_finish_view);
}

const struct page page_finish = {
	.title = "Finished",
	.enter = page_finish_enter,
	.key = page_finish_key,
	.leave = page_finish_leave,
};
