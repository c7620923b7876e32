/* User details: first name, last name and company, the subject of the
 * engine's certificate; each checked with plan_check(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"

static const enum plan_key page_user_keys[] = {
	PK_FIRST_NAME, PK_LAST_NAME, PK_COMPANY,
};
#define PAGE_USER_N ((int)(sizeof page_user_keys / sizeof page_user_keys[0]))

static struct ui_form page_user_form;

static void
page_user_draw(struct wizard *w)
{
	ui_write(w->y, w->x, 3, w->w, UI_NORMAL, "Your details. They become "
	    "the subject of the certificate that identifies this "
	    "installation: 1-64 letters, digits, spaces and ' - . , & ( ) / each.");
	ui_form_draw(&page_user_form);
}

static void
page_user_enter(struct wizard *w)
{
	static const char *const labels[] = {
		"First name:", "Last name:", "Company:",
	};
	int i;

	ui_form_init(&page_user_form, 14, 44);
	for (i = 0; i < PAGE_USER_N; i++)
		ui_form_add(&page_user_form, labels[i],
		    plan_get(w->s->plan, page_user_keys[i]), false);
	w->nfocus = PAGE_USER_N;
}

/* Check field i; the reason goes under it. */
static bool
page_user_check(int i, const char *v)
{
	struct ui_form *f = &page_user_form;
	const char *expect;

	if (plan_check(page_user_keys[i], v, &expect)) {
		f->msg[i][0] = '\0';
		return true;
	}
	snprintf(f->msg[i], sizeof f->msg[i], "%s%s.",
	    *v == '\0' ? "Required: " : "Expected ", expect);
	f->msg_style[i] = UI_ERROR;
	return false;
}

/* Keep what was typed (Back) or check and keep it (Next). */
static enum page_action
page_user_store(struct wizard *w, bool check)
{
	struct ui_form *f = &page_user_form;
	char *v[PAGE_USER_N];
	int i, bad = -1;

	for (i = 0; i < PAGE_USER_N; i++) {
		v[i] = ui_form_value(f, i);
		if (check && !page_user_check(i, v[i]) && bad < 0)
			bad = i;
	}
	if (bad < 0)
		for (i = 0; i < PAGE_USER_N; i++)
			plan_replace(w->s->plan, page_user_keys[i],
			    *v[i] != '\0' ? v[i] : NULL);
	for (i = 0; i < PAGE_USER_N; i++)
		free(v[i]);
	if (bad < 0)
		return check ? PAGE_NEXT : PAGE_BACK;
	w->focus = bad;
	ui_form_focus(f, w, bad);
	ui_form_draw(f);
	return PAGE_STAY;
}

static enum page_action
page_user_key(struct wizard *w, int key)
{
	struct ui_form *f = &page_user_form;
	char *v;

	switch (key) {
	case KEY_RESIZE:
		ui_form_place(f, w->y + 3, w->x, w->w);
		ui_form_focus(f, w, w->focus);
		page_user_draw(w);
		return PAGE_STAY;
	case WK_FOCUS:
		if (w->old_focus >= 0 && w->old_focus < PAGE_USER_N) {
			v = ui_form_value(f, w->old_focus);
			page_user_check(w->old_focus, v);
			free(v);
		}
		ui_form_focus(f, w, w->focus);
		ui_form_draw(f);
		return PAGE_STAY;
	case WK_NEXT:
		return page_user_store(w, true);
	case WK_BACK:
		return page_user_store(w, false);
	}
	if (w->focus < PAGE_USER_N && ui_form_key(f, key))
		return PAGE_STAY;
	return PAGE_UNHANDLED;
}

static void
page_user_leave(struct wizard *w)
{
	(void)w;
	ui_form_free(&page_user_form);
}

const struct page page_user = {
	.title = "Your details",
	.enter = page_user_enter,
	.key = page_user_key,
	.leave = page_user_leave,
};
