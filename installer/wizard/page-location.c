/* Install location: one field, checked with session_check_install_dir()
 * when Next is pressed or the focus leaves it: a folder that cannot be
 * made or written, or has too little free space, is caught here, with the
 * reason under the field, and the page stays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"

static struct ui_form page_location_form;
/* Why the folder typed cannot be used, drawn under the field ("" when it
 * can). */
static char page_location_why[512];

#define PAGE_LOCATION_FIELD	5	/* rows below the page's top */
#define PAGE_LOCATION_WHY	4	/* rows for the reason */

static void
page_location_draw(struct wizard *w)
{
	const struct session *s = w->s;
	char need[32], rec[32];
	uint64_t min = req_disk_needed(s->manifest, s->payload != NULL ?
	    s->payload->t.data_bytes : 0);
	struct sbuf b;

	human_bytes(min, need, sizeof need);
	human_bytes(s->manifest->disk_rec > min ? s->manifest->disk_rec : min,
	    rec, sizeof rec);
	sbuf_init(&b);
	sbuf_addf(&b, "Where should %s be installed?\n\nAn absolute path: a new "
	    "or empty folder, with at least %s of free space (%s "
	    "recommended).", s->manifest->product, need, rec);
	ui_write(w->y, w->x, 4, w->w, UI_NORMAL, b.s);
	sbuf_free(&b);
	ui_clear(w->y + PAGE_LOCATION_FIELD + 1, w->x, PAGE_LOCATION_WHY,
	    w->w);
	ui_write(w->y + PAGE_LOCATION_FIELD + 1, w->x, PAGE_LOCATION_WHY,
	    w->w, UI_ERROR, page_location_why);
	if (strcmp(s->root, "/") != 0) {
		sbuf_init(&b);
		sbuf_addf(&b, "Everything goes under the root folder %s (--root): "
		    "the folder above is taken inside it.", s->root);
		ui_write(w->y + PAGE_LOCATION_FIELD + PAGE_LOCATION_WHY + 2,
		    w->x, 3, w->w, UI_NORMAL, b.s);
		sbuf_free(&b);
	}
}

static void
page_location_enter(struct wizard *w)
{
	ui_form_init(&page_location_form, 16, 58);
	ui_form_add(&page_location_form, "Install folder:",
	    plan_get(w->s->plan, PK_INSTALL_DIR), false);
	page_location_why[0] = '\0';
	/* Back from a failed installation: say at once what is wrong with
	 * the folder now. */
	if (w->err.code != 0 && !w->install_ok &&
	    plan_get(w->s->plan, PK_INSTALL_DIR) != NULL)
		session_check_install_dir(w->s, plan_get(w->s->plan,
		    PK_INSTALL_DIR), page_location_why,
		    sizeof page_location_why);
	w->nfocus = 1;
}

/* Check the folder typed; the reason goes under the field. */
static bool
page_location_check(struct wizard *w, char *dir)
{
	if (*dir == '\0') {
		snprintf(page_location_why, sizeof page_location_why,
		    "Type the folder to install into.");
		return false;
	}
	if (!session_check_install_dir(w->s, dir, page_location_why,
	    sizeof page_location_why))
		return false;
	page_location_why[0] = '\0';
	return true;
}

static enum page_action
page_location_key(struct wizard *w, int key)
{
	struct ui_form *f = &page_location_form;
	enum page_action a = PAGE_STAY;
	char *dir;

	switch (key) {
	case KEY_RESIZE:
		ui_form_place(f, w->y + PAGE_LOCATION_FIELD, w->x, w->w);
		ui_form_focus(f, w, w->focus);
		page_location_draw(w);
		return PAGE_STAY;
	case WK_FOCUS:
		if (w->old_focus == 0) {
			dir = ui_form_value(f, 0);
			page_location_check(w, dir);
			free(dir);
		}
		ui_form_focus(f, w, w->focus);
		ui_form_draw(f);
		page_location_draw(w);
		return PAGE_STAY;
	case WK_NEXT:
	case WK_BACK:
		dir = ui_form_value(f, 0);
		if (key == WK_BACK) {
			plan_replace(w->s->plan, PK_INSTALL_DIR,
			    *dir != '\0' ? dir : NULL);
			a = PAGE_BACK;
		} else if (page_location_check(w, dir)) {
			session_set_install_dir(w->s, dir);
			a = PAGE_NEXT;
		} else {
			w->focus = 0;
			ui_form_focus(f, w, 0);
			ui_form_draw(f);
			page_location_draw(w);
		}
		free(dir);
		return a;
	}
	if (w->focus == 0 && ui_form_key(f, key))
		return PAGE_STAY;
	return PAGE_UNHANDLED;
}

static void
page_location_leave(struct wizard *w)
{
	(void)w;
	ui_form_free(&page_location_form);
}

const struct page page_location = {
	.title = "Install location",
	.enter = page_location_enter,
	.key = page_location_key,
	.leave = page_location_leave,
};
