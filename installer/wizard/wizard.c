/* The full-screen wizard: one ncurses screen, the pages of the page table
 * in order, and what they share: the frame, the Back/Next/Cancel buttons,
 * keys, focus, cancelling, resizing and restoring the terminal. */
#include "wizard.h"

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "log.h"
#include "page.h"

#define WIZARD_COLS	80
#define WIZARD_LINES	24
#define WIZARD_POLL_MS	200	/* how often signals are looked at */
#define WIZARD_ESC_MS	100	/* how long ncurses waits after an Esc */

/* The order of the pages. */
static const struct page *const wizard_pages[] = {
	&page_welcome,
	&page_license,
	&page_component,
	&page_location,
	&page_requirements,
	&page_user,
	&page_admin,
	&page_communication,
	&page_pairing,
	&page_summary,
	&page_progress,
	&page_finish,
};
#define WIZARD_NPAGES ((int)(sizeof wizard_pages / sizeof wizard_pages[0]))

static SCREEN *wizard_screen;

/* Give the terminal back before a fatal error is printed (util.h). */
static void
wizard_fatal_hook(void)
{
	if (wizard_screen != NULL)
		endwin();
}

void
wizard_message(struct wizard *w, int style, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof w->msg, fmt, ap);
	va_end(ap);
	w->msg_style = style;
}

static bool
wizard_shown(const struct wizard *w, int i)
{
	return wizard_pages[i]->shown == NULL || wizard_pages[i]->shown(w->s);
}

/* The buttons shown, in their order on the screen. */
static int
wizard_buttons(const struct wizard *w, unsigned out[3])
{
	int n = 0;

	if (w->buttons & WB_BACK)
		out[n++] = WB_BACK;
	if (w->buttons & WB_NEXT)
		out[n++] = WB_NEXT;
	if (w->buttons & WB_CANCEL)
		out[n++] = WB_CANCEL;
	return n;
}

static const char *
wizard_button_label(const struct wizard *w, unsigned b)
{
	switch (b) {
	case WB_BACK:
		return "Back";
	case WB_NEXT:
		return w->next_label;
	default:
		return "Cancel";
	}
}

/* The title bar, the frame with the page title, and the help line. */
static void
wizard_draw_chrome(struct wizard *w)
{
	const struct manifest *m = w->s->manifest;
	char left[256], right[64];
	int i, n = 0, step = 0;

	for (i = 0; i < WIZARD_NPAGES; i++) {
		if (!wizard_shown(w, i))
			continue;
		n++;
		if (i <= w->page)
			step = n;
	}
	snprintf(left, sizeof left, " %s %s Setup", m->product, m->version);
	snprintf(right, sizeof right, "Step %d of %d ", step, n);
	ui_put(0, 0, COLS, UI_TITLE, left);
	ui_put(0, COLS - (int)strlen(right), (int)strlen(right), UI_TITLE,
	    right);
	ui_box(1, 0, LINES - 2, COLS, w->title != NULL ? w->title :
	    wizard_pages[w->page]->title);
	ui_put(LINES - 1, 0, COLS - 1, UI_NORMAL,
	    w->help != NULL ? w->help : WIZARD_HELP);
}

/* The message line and the buttons, right-aligned above the frame. */
static void
wizard_draw_bar(struct wizard *w)
{
	unsigned b[3];
	int n = wizard_buttons(w, b), i, x, width = 0;

	ui_put(LINES - 4, 2, COLS - 4, w->msg_style, w->msg);
	ui_put(LINES - 3, 2, COLS - 4, UI_NORMAL, "");
	for (i = 0; i < n; i++)
		width += (i > 0 ? 2 : 0) +
		    ui_button_width(wizard_button_label(w, b[i]));
	x = COLS - 3 - width;
	for (i = 0; i < n; i++)
		x += ui_button(LINES - 3, x, wizard_button_label(w, b[i]),
		    w->focus == w->nfocus + i,
		    b[i] == WB_NEXT && w->blocked) + 2;
}

void
wizard_redraw(struct wizard *w)
{
	char m[128];

	erase();
	w->small = COLS < WIZARD_COLS || LINES < WIZARD_LINES;
	if (w->small) {
		snprintf(m, sizeof m, "terminal too small: %dx%d needed, have "
		    "%dx%d", WIZARD_COLS, WIZARD_LINES, COLS, LINES);
		mvaddstr(0, 0, m);
		if (LINES > 3)
			mvaddstr(2, 0, "Make the window larger to go on, or "
			    "press Esc to cancel.");
		return;
	}
	w->y = 2;
	w->x = 2;
	w->h = LINES - 6;
	w->w = COLS - 4;
	wizard_draw_chrome(w);
	wizard_pages[w->page]->key(w, KEY_RESIZE);
}

void
wizard_refresh(struct wizard *w)
{
	bool cursor = false;

	if (!w->small) {
		wizard_draw_bar(w);
		if (w->cursor_form != NULL && w->focus >= 0 &&
		    w->focus < w->nfocus &&
		    pos_form_cursor(w->cursor_form) == E_OK)
			cursor = true;
	}
	curs_set(cursor ? 1 : 0);
	/* Forms and menus write into windows derived from stdscr: the
	 * characters are shared, the change marks are not. */
	touchwin(stdscr);
	wrefresh(stdscr);
}

/* After an Esc: Alt-B and Alt-N arrive as Esc and a letter. */
static int
wizard_escape(void)
{
	wint_t ch;
	int r;

	timeout(0);
	r = get_wch(&ch);
	if (r == OK && (ch == L'b' || ch == L'B'))
		return WK_BACK;
	if (r == OK && (ch == L'n' || ch == L'N'))
		return WK_NEXT;
	if (r == OK)
		unget_wch((wchar_t)ch);
	else if (r == KEY_CODE_YES)
		ungetch((int)ch);
	return WK_ESC;
}

int
wizard_getkey(struct wizard *w, int timeout_ms)
{
	wint_t ch;
	double t0;
	int r;

	if (plat_signals_pending() > w->signals) {
		w->signals = plat_signals_pending();
		return WK_SIGNAL;
	}
	timeout(timeout_ms);
	t0 = plat_monotonic();
	r = get_wch(&ch);
	if (plat_signals_pending() > w->signals) {
		if (r == OK)
			unget_wch((wchar_t)ch);
		else if (r == KEY_CODE_YES)
			ungetch((int)ch);
		w->signals = plat_signals_pending();
		return WK_SIGNAL;
	}
	if (r == ERR) {
		/* Reads that fail at once, again and again, mean the
		 * terminal is gone (a hangup). */
		if (timeout_ms > 0 &&
		    plat_monotonic() - t0 < timeout_ms / 4000.0) {
			if (++w->hangups >= 50)
				return WK_HANGUP;
		} else {
			w->hangups = 0;
		}
		return WK_IDLE;
	}
	w->hangups = 0;
	if (r == KEY_CODE_YES) {
		switch (ch) {
		case KEY_BTAB:
			return WK_BTAB;
		case KEY_ENTER:
			return WK_ENTER;
		case KEY_F(2):
			return WK_BACK;
		case KEY_F(10):
			return WK_NEXT;
		default:
			return (int)ch;
		}
	}
	switch (ch) {
	case L'\t':
		return WK_TAB;
	case L'\n':
	case L'\r':
		return WK_ENTER;
	case 3:
		return WK_INTR;
	case 8:
	case 127:
		return KEY_BACKSPACE;
	case 21:
		return WK_CLEAR;
	case 27:
		return wizard_escape();
	}
	if (ch < 0x20 || !iswprint(ch))
		return WK_IDLE;
	return WK_TEXT(ch);
}

bool
wizard_confirm(struct wizard *w, const char *title, const char *text,
    const char *yes, const char *no)
{
	struct ui_text t;
	int bw, bh, by, bx, i, k, x, focus = 1;
	bool answer = false;

	for (;;) {
		bw = COLS - 4 < 60 ? COLS - 4 : 60;
		if (bw < 20)
			bw = COLS;
		ui_text_wrap(&t, text, bw - 4);
		bh = t.n + 4;
		by = (LINES - bh) / 2 > 0 ? (LINES - bh) / 2 : 0;
		bx = (COLS - bw) / 2 > 0 ? (COLS - bw) / 2 : 0;
		ui_clear(by, bx, bh, bw);
		ui_box(by, bx, bh, bw, title);
		for (i = 0; i < t.n; i++)
			ui_put(by + 1 + i, bx + 2, bw - 4, UI_NORMAL,
			    t.line[i]);
		ui_text_free(&t);
		x = bx + (bw - ui_button_width(yes) - ui_button_width(no) -
		    2) / 2;
		x += ui_button(by + bh - 2, x, yes, focus == 0, false) + 2;
		ui_button(by + bh - 2, x, no, focus == 1, false);
		curs_set(0);
		touchwin(stdscr);
		wrefresh(stdscr);

		k = wizard_getkey(w, WIZARD_POLL_MS);
		switch (k) {
		case KEY_RESIZE:
			wizard_redraw(w);
			continue;
		case WK_INTR:
		case WK_SIGNAL:
		case WK_HANGUP:
			answer = true;
			goto out;
		case WK_ESC:
			answer = false;
			goto out;
		case WK_TAB:
		case WK_BTAB:
		case KEY_LEFT:
		case KEY_RIGHT:
			focus = !focus;
			continue;
		case WK_ENTER:
		case WK_TEXT(' '):
			answer = focus == 0;
			goto out;
		case WK_TEXT('y'):
		case WK_TEXT('Y'):
			answer = true;
			goto out;
		case WK_TEXT('n'):
		case WK_TEXT('N'):
			answer = false;
			goto out;
		}
	}
out:
	if (!answer)
		wizard_redraw(w);
	return answer;
}

void
wizard_focus_button(struct wizard *w, unsigned button)
{
	unsigned b[3];
	int n = wizard_buttons(w, b), i;

	for (i = 0; i < n; i++)
		if (b[i] == button)
			w->focus = w->nfocus + i;
}

/* Move the focus to stop f (wrapping) and tell the page. */
static void
wizard_focus(struct wizard *w, int f)
{
	unsigned b[3];
	int n = w->nfocus + wizard_buttons(w, b);

	if (n == 0)
		return;
	f = ((f % n) + n) % n;
	if (f == w->focus)
		return;
	w->old_focus = w->focus;
	w->focus = f;
	wizard_pages[w->page]->key(w, WK_FOCUS);
}

/* Ask before leaving; a second Ctrl-C or signal leaves at once. */
static enum page_action
wizard_cancel(struct wizard *w)
{
	if (!wizard_confirm(w, "Cancel", "Cancel the setup? Nothing on this "
	    "computer has been changed.", "Yes, cancel", "No")) {
		plat_signals_reset();
		w->signals = 0;
		return PAGE_STAY;
	}
	log_msg("cancelled in the wizard");
	w->rc = ES_ECANCEL;
	sbuf_add(&w->after, "Cancelled: nothing was changed.\n");
	return PAGE_QUIT;
}

/* A button was pressed (or its key typed): the page may refuse. */
static enum page_action
wizard_press(struct wizard *w, unsigned button)
{
	const struct page *p = wizard_pages[w->page];
	enum page_action a;

	if ((w->buttons & button) == 0)
		return PAGE_STAY;
	switch (button) {
	case WB_BACK:
		a = p->key(w, WK_BACK);
		return a == PAGE_UNHANDLED ? PAGE_BACK : a;
	case WB_NEXT:
		a = p->key(w, WK_NEXT);
		return a == PAGE_UNHANDLED ? PAGE_NEXT : a;
	default:
		return wizard_cancel(w);
	}
}

/* The button whose label starts with the letter typed, or 0. */
static unsigned
wizard_hotkey(const struct wizard *w, wchar_t c)
{
	unsigned b[3];
	int n = wizard_buttons(w, b), i;

	for (i = 0; i < n; i++)
		if ((wchar_t)towlower((wint_t)(unsigned char)
		    wizard_button_label(w, b[i])[0]) == (wchar_t)towlower(
		    (wint_t)c))
			return b[i];
	return 0;
}

/* One key: the page has it first; what it leaves, the wizard does
 * (focus, buttons, their letters, cancel). */
static enum page_action
wizard_dispatch(struct wizard *w, int k)
{
	const struct page *p = wizard_pages[w->page];
	unsigned b[3], hot;
	int nb = wizard_buttons(w, b), bi = w->focus - w->nfocus;
	enum page_action a;

	if (k == KEY_RESIZE) {
		wizard_redraw(w);
		return PAGE_STAY;
	}
	if (w->small) {
		if (k == WK_ESC || k == WK_INTR || k == WK_SIGNAL)
			return wizard_cancel(w);
		if (k == WK_HANGUP)
			goto hangup;
		return PAGE_STAY;
	}
	if (k == WK_NEXT)
		return wizard_press(w, WB_NEXT);
	if (k == WK_BACK)
		return wizard_press(w, WB_BACK);
	if ((a = p->key(w, k)) != PAGE_UNHANDLED)
		return a;
	switch (k) {
	case WK_IDLE:
		return PAGE_STAY;
	case WK_HANGUP:
		goto hangup;
	case WK_ESC:
	case WK_INTR:
	case WK_SIGNAL:
		return wizard_cancel(w);
	case WK_TAB:
		wizard_focus(w, w->focus + 1);
		return PAGE_STAY;
	case WK_BTAB:
		wizard_focus(w, w->focus - 1);
		return PAGE_STAY;
	case KEY_LEFT:
	case KEY_UP:
		wizard_focus(w, w->focus - 1);
		return PAGE_STAY;
	case KEY_RIGHT:
	case KEY_DOWN:
		wizard_focus(w, w->focus + 1);
		return PAGE_STAY;
	case WK_ENTER:
		if (bi >= 0 && bi < nb)
			return wizard_press(w, b[bi]);
		if (w->focus + 1 < w->nfocus) {
			wizard_focus(w, w->focus + 1);
			return PAGE_STAY;
		}
		return wizard_press(w, WB_NEXT);
	}
	if (WK_IS_TEXT(k) && WK_CHAR(k) == L' ' && bi >= 0 && bi < nb)
		return wizard_press(w, b[bi]);
	if (WK_IS_TEXT(k) && (hot = wizard_hotkey(w, WK_CHAR(k))) != 0)
		return wizard_press(w, hot);
	return PAGE_STAY;
hangup:
	log_msg("the terminal went away: cancelled");
	w->rc = ES_ECANCEL;
	return PAGE_QUIT;
}

/* Enter page i, draw it, and give it its start. */
static enum page_action
wizard_start(struct wizard *w, int i)
{
	const struct page *p = wizard_pages[i];
	enum page_action a;

	w->page = i;
	w->focus = -1;
	w->old_focus = -1;
	w->nfocus = 0;
	w->buttons = WB_BACK | WB_NEXT | WB_CANCEL;
	w->back_to = NULL;
	w->blocked = false;
	w->next_label = "Next";
	w->title = NULL;
	w->help = NULL;
	w->msg[0] = '\0';
	w->msg_style = UI_NORMAL;
	w->cursor_form = NULL;
	log_msg("wizard: %s", p->title);
	p->enter(w);
	if (w->focus < 0) {
		if (w->nfocus > 0)
			w->focus = 0;
		else
			wizard_focus_button(w, WB_NEXT);
		if (w->focus < 0)
			w->focus = 0;
	}
	wizard_redraw(w);
	wizard_refresh(w);
	a = p->key(w, WK_START);
	return a == PAGE_UNHANDLED ? PAGE_STAY : a;
}

/* The place of page p in the page table, or -1. */
static int
wizard_index(const struct page *p)
{
	int i;

	for (i = 0; i < WIZARD_NPAGES; i++)
		if (wizard_pages[i] == p)
			return i;
	return -1;
}

/* Walk the pages until one quits; Next and Back skip pages that do not
 * apply to the plan as it stands. */
static int
wizard_loop(struct wizard *w)
{
	enum page_action a;
	int i;

	a = wizard_start(w, 0);
	for (;;) {
		switch (a) {
		case PAGE_NEXT:
			for (i = w->page + 1; i < WIZARD_NPAGES &&
			    !wizard_shown(w, i); i++)
				;
			if (i >= WIZARD_NPAGES) {
				wizard_pages[w->page]->leave(w);
				return w->rc;
			}
			wizard_pages[w->page]->leave(w);
			a = wizard_start(w, i);
			continue;
		case PAGE_BACK:
			for (i = w->page - 1; i >= 0 && !wizard_shown(w, i);
			    i--)
				;
			if (w->back_to != NULL)
				i = wizard_index(w->back_to);
			if (i < 0)
				break;
			wizard_pages[w->page]->leave(w);
			a = wizard_start(w, i);
			continue;
		case PAGE_QUIT:
			wizard_pages[w->page]->leave(w);
			return w->rc;
		default:
			break;
		}
		wizard_refresh(w);
		a = wizard_dispatch(w, wizard_getkey(w, WIZARD_POLL_MS));
	}
}

int
wizard_run(struct session *s)
{
	struct wizard w;
	const char *cur, *nocolor;
	char *locale;
	int rc;

	memset(&w, 0, sizeof w);
	w.s = s;
	err_clear(&w.err);
	sbuf_init(&w.after);
	/* ncursesw reads and draws UTF-8 only under a UTF-8 LC_CTYPE. */
	cur = setlocale(LC_CTYPE, NULL);
	locale = xstrdup(cur != NULL ? cur : "C");
	setlocale(LC_CTYPE, "");
	plat_signals_install();

	if ((wizard_screen = newterm(NULL, stdout, stdin)) == NULL) {
		setlocale(LC_CTYPE, locale);
		free(locale);
		return WIZARD_NO_TERMINAL;
	}
	util_set_fatal_hook(wizard_fatal_hook);
	/* Ctrl-C is a key (raw), so that it can ask before cancelling. */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(WIZARD_ESC_MS);
	/* Draw every screen even when keys are waiting. */
	typeahead(-1);
	nocolor = getenv("NO_COLOR");
	w.color = has_colors() && (nocolor == NULL || *nocolor == '\0');
	ui_colors(w.color);
	log_msg("wizard: %dx%d terminal, %s", COLS, LINES,
	    w.color ? "colour" : "monochrome");

	rc = wizard_loop(&w);

	/* A terminal without an alternate screen keeps what is left on it. */
	erase();
	curs_set(1);
	wrefresh(stdscr);
	endwin();
	delscreen(wizard_screen);
	wizard_screen = NULL;
	util_set_fatal_hook(NULL);
	setlocale(LC_CTYPE, locale);
	free(locale);
	if (w.after.s != NULL)
		fputs(w.after.s, stdout);
	fflush(stdout);
	sbuf_free(&w.after);
	return rc;
}
