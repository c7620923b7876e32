/* Components: the Security Console with its local Scan Engine, or a
 * distributed Scan Engine only, with the seed document's REMINDER. */
#include <string.h>

#include "page.h"

#define PAGE_COMPONENT_CONSOLE	0
#define PAGE_COMPONENT_ENGINE	1

/* The seed document, "Download and Install the Scan Engine": REMINDER. */
static const char page_component_reminder[] = "REMINDER: Do not install a "
    "distributed Scan Engine on a host that already has a Security Console: "
    "every console includes a local Scan Engine.";

static struct ui_menu page_component_menu;
static const char *page_component_names[2];

static void
page_component_draw(struct wizard *w)
{
	const struct manifest *m = w->s->manifest;
	const struct manifest_component *mc;
	int i = ui_menu_index(&page_component_menu), y = w->y + 5, used;

	ui_put(w->y, w->x, w->w, UI_NORMAL,
	    "Which components should be installed?");
	mc = manifest_component(m, i == PAGE_COMPONENT_ENGINE ? "engine" :
	    "console");
	ui_clear(y, w->x, w->y + w->h - y, w->w);
	ui_put(y, w->x, w->w, UI_SELECTED, page_component_names[i]);
	used = ui_write(y + 1, w->x + 2, 3, w->w - 2, UI_NORMAL,
	    mc != NULL && mc->description != NULL ? mc->description : "");
	if (i == PAGE_COMPONENT_ENGINE) {
		used += ui_write(y + 1 + used, w->x + 2, 3, w->w - 2,
		    UI_NORMAL, "Choose this for a distributed Scan Engine on "
		    "a host of its own; a Security Console then pairs with "
		    "it.");
		ui_write(y + 2 + used, w->x + 2, 4, w->w - 2, UI_WARN,
		    page_component_reminder);
	} else {
		ui_write(y + 1 + used, w->x + 2, 3, w->w - 2, UI_NORMAL,
		    "The console's web interface listens on TCP 3780; its "
		    "local Scan Engine needs no pairing.");
	}
}

static void
page_component_enter(struct wizard *w)
{
	const struct manifest_component *c =
	    manifest_component(w->s->manifest, "console");

	page_component_names[PAGE_COMPONENT_CONSOLE] = c != NULL &&
	    c->title != NULL ? c->title :
	    "Security Console with local Scan Engine";
	page_component_names[PAGE_COMPONENT_ENGINE] = "Scan Engine only";
	ui_menu_init(&page_component_menu, page_component_names, 2,
	    session_engine_only(w->s) ? PAGE_COMPONENT_ENGINE :
	    PAGE_COMPONENT_CONSOLE);
	w->nfocus = 1;
}

/* Keep the choice in the plan (as it changes, and on Next and Back). */
static void
page_component_store(struct wizard *w)
{
	plan_replace(w->s->plan, PK_COMPONENT,
	    ui_menu_index(&page_component_menu) == PAGE_COMPONENT_ENGINE ?
	    "engine" : "console");
}

static enum page_action
page_component_key(struct wizard *w, int key)
{
	switch (key) {
	case KEY_RESIZE:
	case WK_FOCUS:
		ui_menu_place(&page_component_menu, w->y + 2, w->x + 2,
		    w->focus == 0);
		page_component_draw(w);
		return PAGE_STAY;
	case WK_NEXT:
		page_component_store(w);
		return PAGE_NEXT;
	case WK_BACK:
		page_component_store(w);
		return PAGE_BACK;
	}
	if (w->focus == 0 && ui_menu_key(&page_component_menu, key)) {
		/* In the plan at once: the pages it shows, and so the step
		 * counter, follow the choice. */
		page_component_store(w);
		page_component_draw(w);
		return PAGE_STAY;
	}
	return PAGE_UNHANDLED;
}

static void
page_component_leave(struct wizard *w)
{
	(void)w;
	ui_menu_free(&page_component_menu);
}

const struct page page_component = {
	.title = "Components",
	.enter = page_component_enter,
	.key = page_component_key,
	.leave = page_component_leave,
};
