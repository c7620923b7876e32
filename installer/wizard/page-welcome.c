/* Welcome: the product, its version and what the wizard will do. */
#include <string.h>

#include "page.h"

static void
page_welcome_draw(struct wizard *w)
{
	const struct session *s = w->s;
	struct sbuf b;

	sbuf_init(&b);
	sbuf_addf(&b, "Welcome to the setup of %s %s.\n\n", s->manifest->product,
	    s->manifest->version);
	sbuf_add(&b, "This wizard installs a distributed Scan Engine, or a "
	    "Security Console with its local Scan Engine, on this computer. "
	    "It will:\n"
	    "  - show the licence agreement for you to accept;\n"
	    "  - ask which components to install, and where;\n"
	    "  - check this computer against the system requirements;\n"
	    "  - ask for your details, the subject of the certificate;\n"
	    "  - ask for the console administrator, or how the engine and "
	    "the console communicate;\n"
	    "  - show a summary of every choice before anything is "
	    "installed.\n\n"
	    "Nothing on this computer changes until you press Install on "
	    "the summary page. If the installation fails or you stop it, "
	    "everything it changed is undone.\n");
	if (strcmp(s->root, "/") != 0)
		sbuf_addf(&b, "\nEverything is installed under the folder %s.\n",
		    s->root);
	ui_write(w->y, w->x, w->h, w->w, UI_NORMAL, b.s);
	sbuf_free(&b);
}

static void
page_welcome_enter(struct wizard *w)
{
	w->buttons = WB_NEXT | WB_CANCEL;
}

static enum page_action
page_welcome_key(struct wizard *w, int key)
{
	if (key == KEY_RESIZE) {
		page_welcome_draw(w);
		return PAGE_STAY;
	}
	return PAGE_UNHANDLED;
}

static void
page_welcome_leave(struct wizard *w)
{
	(void)w;
}

const struct page page_welcome = {
	.title = "Welcome",
	.enter = page_welcome_enter,
	.key = page_welcome_key,
	.leave = page_welcome_leave,
};
