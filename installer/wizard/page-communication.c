/* Communication direction (Scan Engine only): Engine-to-Console, or
 * Console-to-Engine with the port the engine listens on. The seed
 * document, "Methods of Communication" and its ports table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"

#define PAGE_COMM_E2C	0
#define PAGE_COMM_C2E	1

#define PAGE_COMM_MENU	0
#define PAGE_COMM_PORT	1

static const char *const page_communication_names[] = {
	"Engine-to-Console", "Console-to-Engine",
};

static struct ui_menu page_communication_menu;
static struct ui_form page_communication_form;
/* Why the port chosen cannot be used (another program holds it), drawn
 * under the field; "" when it can. */
static char page_communication_busy[512];

static bool
page_communication_shown(const struct session *s)
{
	return session_engine_only(s);
}

static bool
page_communication_c2e(void)
{
	return ui_menu_index(&page_communication_menu) == PAGE_COMM_C2E;
}

static void
page_communication_draw(struct wizard *w)
{
	int y = w->y + 5;

	ui_put(w->y, w->x, w->w, UI_NORMAL, "How should the Scan Engine and "
	    "the Security Console communicate?");
	ui_clear(y, w->x, 4, w->w);
	if (!page_communication_c2e()) {
		ui_write(y, w->x + 2, 4, w->w - 2, UI_NORMAL, "The engine "
		    "opens the connection to the Security Console (TCP 40815) "
		    "when it starts; also called reverse pairing. Use it when "
		    "the console cannot reach this host. Firewalls must let "
		    "this host reach the console on TCP 40815.");
		ui_clear(y + 5, w->x, 4, w->w);
		return;
	}
	ui_write(y, w->x + 2, 4, w->w - 2, UI_NORMAL, "The standard method: "
	    "the Security Console opens a TCP connection to this engine on "
	    "the port below to direct it. After installing, add the engine "
	    "in the console (New Engine). Firewalls must let the console "
	    "reach this host on that port.");
	ui_form_draw(&page_communication_form);
	if (page_communication_busy[0] != '\0')
		ui_write(w->y + 11, w->x + 2, 3, w->w - 2, UI_ERROR,
		    page_communication_busy);
}

static void
page_communication_enter(struct wizard *w)
{
	ui_menu_init(&page_communication_menu, page_communication_names, 2,
	    session_engine_to_console(w->s) ? PAGE_COMM_E2C : PAGE_COMM_C2E);
	ui_form_init(&page_communication_form, 16, 7);
	ui_form_add(&page_communication_form, "Listening port:",
	    plan_get(w->s->plan, PK_ENGINE_PORT), false);
	page_communication_busy[0] = '\0';
	w->nfocus = page_communication_c2e() ? 2 : 1;
}

/* Lay out the menu, and the port field when it applies. */
static void
page_communication_place(struct wizard *w)
{
	ui_menu_place(&page_communication_menu, w->y + 2, w->x + 2,
	    w->focus == PAGE_COMM_MENU);
	if (page_communication_c2e()) {
		ui_form_place(&page_communication_form, w->y + 10, w->x + 2,
		    w->w - 2);
		ui_form_focus(&page_communication_form, w,
		    w->focus == PAGE_COMM_PORT ? 0 : -1);
	} else {
		ui_form_focus(&page_communication_form, w, -1);
		ui_form_hide(&page_communication_form);
	}
	page_communication_draw(w);
}

/* Check the port typed; the reason goes next to the field. */
static bool
page_communication_check(const char *port)
{
	struct ui_form *f = &page_communication_form;
	const char *expect;

	page_communication_busy[0] = '\0';
	if (plan_check(PK_ENGINE_PORT, port, &expect)) {
		f->msg[0][0] = '\0';
		return true;
	}
	snprintf(f->msg[0], sizeof f->msg[0], "Expected %s (the default is "
	    "40814).", expect);
	f->msg_style[0] = UI_ERROR;
	return false;
}

/* Keep the direction chosen in the plan. */
static void
page_communication_keep(struct wizard *w)
{
	plan_replace(w->s->plan, PK_COMMUNICATION, page_communication_c2e() ?
	    "console-to-engine" : "engine-to-console");
}

/* Keep the choice and the port (Back), or check and keep them (Next). */
static enum page_action
page_communication_store(struct wizard *w, bool check)
{
	bool c2e = page_communication_c2e();
	char *port = ui_form_value(&page_communication_form, 0);
	enum page_action a = check ? PAGE_NEXT : PAGE_BACK;

	if (c2e && check && !page_communication_check(port)) {
		w->focus = PAGE_COMM_PORT;
		page_communication_place(w);
		a = PAGE_STAY;
		goto out;
	}
	page_communication_keep(w);
	if (c2e)
		plan_replace(w->s->plan, PK_ENGINE_PORT,
		    *port != '\0' ? port : NULL);
	/* The port is caught here when another program holds it. */
	if (c2e && check && !session_check_ports(w->s, page_communication_busy,
	    sizeof page_communication_busy)) {
		w->focus = PAGE_COMM_PORT;
		page_communication_place(w);
		a = PAGE_STAY;
	}
out:
	free(port);
	return a;
}

static enum page_action
page_communication_key(struct wizard *w, int key)
{
	char *port;

	switch (key) {
	case KEY_RESIZE:
		page_communication_place(w);
		return PAGE_STAY;
	case WK_FOCUS:
		if (w->old_focus == PAGE_COMM_PORT) {
			port = ui_form_value(&page_communication_form, 0);
			page_communication_check(port);
			free(port);
		}
		page_communication_place(w);
		return PAGE_STAY;
	case WK_NEXT:
		return page_communication_store(w, true);
	case WK_BACK:
		return page_communication_store(w, false);
	}
	if (w->focus == PAGE_COMM_MENU &&
	    ui_menu_key(&page_communication_menu, key)) {
		/* In the plan at once: whether the pairing page follows,
		 * and so the step counter, depends on it. */
		page_communication_keep(w);
		w->nfocus = page_communication_c2e() ? 2 : 1;
		page_communication_place(w);
		return PAGE_STAY;
	}
	if (w->focus == PAGE_COMM_PORT &&
	    ui_form_key(&page_communication_form, key))
		return PAGE_STAY;
	return PAGE_UNHANDLED;
}

static void
page_communication_leave(struct wizard *w)
{
	(void)w;
	ui_menu_free(&page_communication_menu);
	ui_form_free(&page_communication_form);
}

const struct page page_communication = {
	.title = "Communication",
	.shown = page_communication_shown,
	.enter = page_communication_enter,
	.key = page_communication_key,
	.leave = page_communication_leave,
};
