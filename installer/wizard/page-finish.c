/* Finish: what was installed, the service state and the next steps
 * (session_next_steps); or why the installation failed, and that it was
 * undone. Any key leaves. */
#include <stdio.h>

#include "page.h"

static struct ui_view page_finish_view;

static void
page_finish_draw(struct wizard *w)
{
	char status[128];

	ui_view_draw(&page_finish_view, w->y, w->x, w->h - 1, w->w);
	ui_view_status(&page_finish_view, status, sizeof status);
	ui_put(w->y + w->h - 1, w->x, w->w, UI_DIM, status);
}

static void
page_finish_enter(struct wizard *w)
{
	const struct session *s = w->s;
	const struct manifest_component *mc = manifest_component(s->manifest,
	    plan_get(s->plan, PK_COMPONENT));
	struct sbuf b, steps;

	sbuf_init(&b);
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
	} else {
		bool undone = w->err.code != ES_EUSAGE && !w->res.undo_kept;

		sbuf_addf(&b, "The installation failed.\n\n%s\n\n%s\n",
		    w->err.msg, !undone ? "" :
		    "Everything this run changed was undone: nothing of it is "
		    "left on this computer.");
		sbuf_addf(&w->after, "engine-setup: %s\n%s", w->err.msg,
		    !undone ? "" : "Everything this run changed was undone.\n");
		w->title = "Installation failed";
		w->rc = w->err.code != 0 ? w->err.code : ES_EINTERNAL;
	}
	ui_view_set(&page_finish_view, b.s);
	sbuf_free(&b);
	w->buttons = WB_NEXT;
	w->next_label = "Exit";
	w->help = "Enter or any key: exit";
}

static enum page_action
page_finish_key(struct wizard *w, int key)
{
	switch (key) {
	case KEY_RESIZE:
	case WK_FOCUS:
		page_finish_draw(w);
		return PAGE_STAY;
	case WK_START:
	case WK_IDLE:
		return PAGE_STAY;
	}
	/* The arrows scroll a text that does not fit; any other key
	 * leaves. */
	if (page_finish_view.t.n > page_finish_view.rows &&
	    ui_view_key(&page_finish_view, key)) {
		page_finish_draw(w);
		return PAGE_STAY;
	}
	return PAGE_QUIT;
}

static void
page_finish_leave(struct wizard *w)
{
	(void)w;
	ui_view_free(&page_finish_view);
}

const struct page page_finish = {
	.title = "Finished",
	.enter = page_finish_enter,
	.key = page_finish_key,
	.leave = page_finish_leave,
};
