/* The licence agreement: the text scrolls; Accept goes on, Decline leaves
 * the setup with nothing changed (exit 5). */
#include <string.h>

#include "page.h"
#include "log.h"

#define PAGE_LICENSE_ACCEPT	0
#define PAGE_LICENSE_DECLINE	1

static struct ui_view page_license_view;

static void
page_license_draw(struct wizard *w)
{
	char status[128];
	int vh = w->h - 3, x;
	bool accepted = plan_yes(w->s->plan, PK_ACCEPT_LICENSE);

	ui_view_draw(&page_license_view, w->y, w->x, vh, w->w);
	ui_view_status(&page_license_view, status, sizeof status);
	ui_put(w->y + vh, w->x, w->w, UI_DIM, status);
	ui_put(w->y + vh + 2, w->x, w->w, UI_SELECTED,
	    accepted ? "You accepted the licence agreement." :
	    "Do you accept the licence agreement?");
	x = w->x + w->w - ui_button_width("Accept") -
	    ui_button_width("Decline") - 2;
	x += ui_button(w->y + vh + 2, x, "Accept",
	    w->focus == PAGE_LICENSE_ACCEPT, false) + 2;
	ui_button(w->y + vh + 2, x, "Decline",
	    w->focus == PAGE_LICENSE_DECLINE, false);
}

static void
page_license_enter(struct wizard *w)
{
	const char *text = w->s->license;

	ui_view_set(&page_license_view, text != NULL && *text != '\0' ? text :
	    "(This product comes without a licence text.)");
	w->nfocus = 2;
	w->focus = PAGE_LICENSE_ACCEPT;
	w->keys = "PgUp/PgDn: scroll  Tab: move";
}

static enum page_action
page_license_accept(struct wizard *w)
{
	plan_replace(w->s->plan, PK_ACCEPT_LICENSE, "yes");
	log_msg("wizard: licence accepted");
	return PAGE_NEXT;
}

/* Declining leaves the setup: asked first, as every other way out is (a
 * single 'd' must not end the run). */
static enum page_action
page_license_decline(struct wizard *w)
{
	if (!wizard_confirm(w, "Decline", "Decline the licence agreement and "
	    "leave the setup? Nothing on this computer has been changed.",
	    "Yes, decline", "No")) {
		page_license_draw(w);
		return PAGE_STAY;
	}
	log_msg("wizard: licence declined");
	w->rc = ES_ECANCEL;
	sbuf_add(&w->after, "The licence agreement was declined: nothing was "
	    "changed.\n");
	return PAGE_QUIT;
}

static enum page_action
page_license_key(struct wizard *w, int key)
{
	bool on_choice = w->focus == PAGE_LICENSE_ACCEPT ||
	    w->focus == PAGE_LICENSE_DECLINE;

	switch (key) {
	case KEY_RESIZE:
	case WK_FOCUS:
		page_license_draw(w);
		return PAGE_STAY;
	case WK_NEXT:
		if (plan_yes(w->s->plan, PK_ACCEPT_LICENSE))
			return PAGE_NEXT;
		wizard_message(w, UI_ERROR, "Accept the licence agreement to "
		    "go on, or Decline to leave the setup.");
		return PAGE_STAY;
	case KEY_LEFT:
	case KEY_RIGHT:
		if (!on_choice)
			return PAGE_UNHANDLED;
		w->focus = w->focus == PAGE_LICENSE_ACCEPT ?
		    PAGE_LICENSE_DECLINE : PAGE_LICENSE_ACCEPT;
		page_license_draw(w);
		return PAGE_STAY;
	case WK_ENTER:
	case WK_TEXT(' '):
		if (w->focus == PAGE_LICENSE_ACCEPT)
			return page_license_accept(w);
		if (w->focus == PAGE_LICENSE_DECLINE)
			return page_license_decline(w);
		return PAGE_UNHANDLED;
	case WK_TEXT('a'):
	case WK_TEXT('A'):
		return page_license_accept(w);
	case WK_TEXT('d'):
	case WK_TEXT('D'):
		return page_license_decline(w);
	}
	if (ui_view_key(&page_license_view, key)) {
		page_license_draw(w);
		return PAGE_STAY;
	}
	return PAGE_UNHANDLED;
}

static void
page_license_leave(struct wizard *w)
{
	(void)w;
	ui_view_free(&page_license_view);
}

const struct page page_license = {
	.title = "Licence agreement",
	.enter = page_license_enter,
	.key = page_license_key,
	.leave = page_license_leave,
};
