/* Pairing (Engine-to-Console only): pair with the console now, or later
 * with 'engine-setup pair'. Pairing during the install is not in this
 * build yet, so "Pair later" is the choice that goes on. */
#include <string.h>

#include "page.h"

#define PAGE_PAIRING_LATER	0
#define PAGE_PAIRING_NOW	1

static const char *const page_pairing_names[] = {
	"Pair later (engine-setup pair)", "Pair now",
};

static struct ui_menu page_pairing_menu;

static bool
page_pairing_shown(const struct session *s)
{
	return session_engine_to_console(s);
}

static void
page_pairing_draw(struct wizard *w)
{
	bool now = ui_menu_index(&page_pairing_menu) == PAGE_PAIRING_NOW;
	int y = w->y + 9, x;

	ui_write(w->y, w->x, 5, w->w, UI_NORMAL, "Pair with the Security "
	    "Console now?\n\nPairing needs the console's address and a shared "
	    "secret, generated in the console under Administration > Scans > "
	    "Manage scan engines > Generate Scan Engine Shared Secret; a "
	    "secret is valid for 60 minutes.");
	x = w->x + 2 + ui_menu_width(&page_pairing_menu) + 2;
	ui_put(w->y + 7, x, w->x + w->w - x, UI_ERROR,
	    now ? "not available in this build yet" : "");
	ui_clear(y, w->x, 4, w->w);
	if (now)
		ui_write(y, w->x, 4, w->w, UI_ERROR, "Pairing during the "
		    "installation is not available in this build yet: choose "
		    "Pair later, and run 'engine-setup pair' once the engine is "
		    "installed.");
	else
		ui_write(y, w->x, 4, w->w, UI_NORMAL, "After installing, pair "
		    "with: engine-setup pair --console <console address>. The "
		    "secret is read from a file, the environment or a prompt, "
		    "never from the command line.");
	w->blocked = now;
}

static void
page_pairing_enter(struct wizard *w)
{
	ui_menu_init(&page_pairing_menu, page_pairing_names, 2,
	    PAGE_PAIRING_LATER);
	w->nfocus = 1;
}

static enum page_action
page_pairing_key(struct wizard *w, int key)
{
	switch (key) {
	case KEY_RESIZE:
	case WK_FOCUS:
		ui_menu_place(&page_pairing_menu, w->y + 6, w->x + 2,
		    w->focus == 0);
		page_pairing_draw(w);
		return PAGE_STAY;
	case WK_NEXT:
		if (ui_menu_index(&page_pairing_menu) == PAGE_PAIRING_NOW) {
			wizard_message(w, UI_ERROR, "Choose Pair later to go "
			    "on: pairing now is not in this build yet.");
			return PAGE_STAY;
		}
		plan_replace(w->s->plan, PK_PAIR_NOW, "no");
		return PAGE_NEXT;
	case WK_BACK:
		return PAGE_BACK;
	}
	if (w->focus == 0 && ui_menu_key(&page_pairing_menu, key)) {
		w->msg[0] = '\0';
		page_pairing_draw(w);
		return PAGE_STAY;
	}
	return PAGE_UNHANDLED;
}

static void
page_pairing_leave(struct wizard *w)
{
	(void)w;
	ui_menu_free(&page_pairing_menu);
}

const struct page page_pairing = {
	.title = "Pairing",
	.shown = page_pairing_shown,
	.enter = page_pairing_enter,
	.key = page_pairing_key,
	.leave = page_pairing_leave,
};
