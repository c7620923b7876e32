/* The Security Console administrator (console component only): user name,
 * password and its confirmation in secret fields (one '*' a character,
 * ui.c). The password goes to the plan as password1 and password2, secrets
 * that are never drawn, logged or recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "util.h"

#define PAGE_ADMIN_USER		0
#define PAGE_ADMIN_PASSWORD	1
#define PAGE_ADMIN_CONFIRM	2
#define PAGE_ADMIN_N		3

static struct ui_form page_admin_form;

static bool
page_admin_shown(const struct session *s)
{
	return !session_engine_only(s);
}

/* With a console_admin_password_file from the answers, the password
 * fields may stay empty. */
static const char *
page_admin_file(const struct wizard *w)
{
	return plan_is_set(w->s->plan, PK_CONSOLE_ADMIN_PASSWORD_FILE) ?
	    plan_get(w->s->plan, PK_CONSOLE_ADMIN_PASSWORD_FILE) : NULL;
}

static void
page_admin_draw(struct wizard *w)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_add(&b, "The administrator of the Security Console: you sign in "
	    "to its web interface (https://<this host>:3780) as this user. "
	    "The password needs at least 8 characters; it shows as *, and "
	    "only a salted hash of it is stored.");
	if (page_admin_file(w) != NULL)
		sbuf_addf(&b, " Leave both password fields empty to take the "
		    "password from %s.", page_admin_file(w));
	ui_write(w->y, w->x, 4, w->w, UI_NORMAL, b.s);
	sbuf_free(&b);
	ui_form_draw(&page_admin_form);
}

static void
page_admin_enter(struct wizard *w)
{
	const struct plan *p = w->s->plan;

	ui_form_init(&page_admin_form, 14, 44);
	ui_form_add(&page_admin_form, "User name:",
	    plan_get(p, PK_CONSOLE_ADMIN_USER), false);
	ui_form_add(&page_admin_form, "Password:",
	    plan_get(p, PK_CONSOLE_ADMIN_PASSWORD), true);
	ui_form_add(&page_admin_form, "Confirm:",
	    plan_get(p, PK_CONSOLE_ADMIN_PASSWORD2), true);
	w->nfocus = PAGE_ADMIN_N;
}

/* Put msg, an error, under field i. */
static void
page_admin_say(int i, const char *msg)
{
	snprintf(page_admin_form.msg[i], sizeof page_admin_form.msg[i], "%s",
	    msg);
	page_admin_form.msg_style[i] = UI_ERROR;
}

/* Check the fields; returns the first bad one, or -1. With only, check
 * that field alone (the focus left it). */
static int
page_admin_check(struct wizard *w, char **v, int only)
{
	struct ui_form *f = &page_admin_form;
	const char *expect;
	bool from_file = page_admin_file(w) != NULL &&
	    *v[PAGE_ADMIN_PASSWORD] == '\0' && *v[PAGE_ADMIN_CONFIRM] == '\0';
	int i, bad = -1;
	char buf[256];

	for (i = 0; i < PAGE_ADMIN_N; i++)
		if (only < 0 || only == i)
			f->msg[i][0] = '\0';
	if ((only < 0 || only == PAGE_ADMIN_USER) &&
	    !plan_check(PK_CONSOLE_ADMIN_USER, v[PAGE_ADMIN_USER], &expect)) {
		snprintf(buf, sizeof buf, "%s%s.", *v[PAGE_ADMIN_USER] == '\0' ?
		    "Required: " : "Expected ", expect);
		page_admin_say(PAGE_ADMIN_USER, buf);
		bad = PAGE_ADMIN_USER;
	}
	if (from_file)
		return bad;
	if ((only < 0 || only == PAGE_ADMIN_PASSWORD) &&
	    !plan_check(PK_CONSOLE_ADMIN_PASSWORD, v[PAGE_ADMIN_PASSWORD],
	    &expect)) {
		page_admin_say(PAGE_ADMIN_PASSWORD, "Too short: the password "
		    "needs at least 8 characters.");
		if (bad < 0)
			bad = PAGE_ADMIN_PASSWORD;
	}
	if ((only < 0 || only == PAGE_ADMIN_CONFIRM) &&
	    (only >= 0 || bad != PAGE_ADMIN_PASSWORD) &&
	    strcmp(v[PAGE_ADMIN_PASSWORD], v[PAGE_ADMIN_CONFIRM]) != 0) {
		page_admin_say(PAGE_ADMIN_CONFIRM, "The two passwords differ: "
		    "type the same password again.");
		if (bad < 0)
			bad = PAGE_ADMIN_CONFIRM;
	}
	return bad;
}

/* Wipe and free the values read from the fields. */
static void
page_admin_free_values(char **v)
{
	util_free_secret(v[PAGE_ADMIN_PASSWORD]);
	util_free_secret(v[PAGE_ADMIN_CONFIRM]);
	free(v[PAGE_ADMIN_USER]);
}

/* Keep what was typed (Back) or check and keep it (Next). */
static enum page_action
page_admin_store(struct wizard *w, bool check)
{
	struct plan *p = w->s->plan;
	char *v[PAGE_ADMIN_N];
	int i, bad = -1;

	enum page_action a = check ? PAGE_NEXT : PAGE_BACK;

	for (i = 0; i < PAGE_ADMIN_N; i++)
		v[i] = ui_form_value(&page_admin_form, i);
	if (check && (bad = page_admin_check(w, v, -1)) >= 0) {
		w->focus = bad;
		ui_form_focus(&page_admin_form, w, bad);
		ui_form_draw(&page_admin_form);
		a = PAGE_STAY;
		goto out;
	}
	plan_replace(p, PK_CONSOLE_ADMIN_USER, *v[PAGE_ADMIN_USER] != '\0' ?
	    v[PAGE_ADMIN_USER] : NULL);
	if (*v[PAGE_ADMIN_PASSWORD] != '\0' || *v[PAGE_ADMIN_CONFIRM] != '\0' ||
	    page_admin_file(w) == NULL) {
		/* The executor takes password1 when no password file is
		 * set: what was typed wins over a file from the answers. */
		plan_replace(p, PK_CONSOLE_ADMIN_PASSWORD,
		    *v[PAGE_ADMIN_PASSWORD] != '\0' ? v[PAGE_ADMIN_PASSWORD] :
		    NULL);
		plan_replace(p, PK_CONSOLE_ADMIN_PASSWORD2,
		    *v[PAGE_ADMIN_CONFIRM] != '\0' ? v[PAGE_ADMIN_CONFIRM] :
		    NULL);
		if (check)
			plan_replace(p, PK_CONSOLE_ADMIN_PASSWORD_FILE, NULL);
	}
out:
	page_admin_free_values(v);
	return a;
}

static enum page_action
page_admin_key(struct wizard *w, int key)
{
	struct ui_form *f = &page_admin_form;
	char *v[PAGE_ADMIN_N];
	int i;

	switch (key) {
	case KEY_RESIZE:
		ui_form_place(f, w->y + 4, w->x, w->w);
		ui_form_focus(f, w, w->focus);
		page_admin_draw(w);
		return PAGE_STAY;
	case WK_FOCUS:
		if (w->old_focus >= 0 && w->old_focus < PAGE_ADMIN_N) {
			for (i = 0; i < PAGE_ADMIN_N; i++)
				v[i] = ui_form_value(f, i);
			page_admin_check(w, v, w->old_focus);
			page_admin_free_values(v);
		}
		ui_form_focus(f, w, w->focus);
		ui_form_draw(f);
		return PAGE_STAY;
	case WK_NEXT:
		return page_admin_store(w, true);
	case WK_BACK:
		return page_admin_store(w, false);
	}
	if (w->focus < PAGE_ADMIN_N && ui_form_key(f, key))
		return PAGE_STAY;
	return PAGE_UNHANDLED;
}

static void
page_admin_leave(struct wizard *w)
{
	(void)w;
	ui_form_free(&page_admin_form);
}

const struct page page_admin = {
	.title = "Console administrator",
	.shown = page_admin_shown,
	.enter = page_admin_enter,
	.key = page_admin_key,
	.leave = page_admin_leave,
};
