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
#define WIZARD_SEQ_MS	20	/* for the rest of an unknown sequence */
#define WIZARD_BODY_MIN	14	/* page rows a long message leaves */

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

/* Whether function key n is one to offer: the terminal's description
 * names it (terminfo kf<n>), and not as a key of DEC's numeric keypad
 * (ESC O and 'j' to 'y', application mode). vt100 describes F5 to F10 so
 * (F10 is the keypad's 8, ESC O x): there a PC keyboard's F10, ESC [ 2 1
 * ~, is not known, and Alt-N is the key that works. */
static bool
wizard_fkey(int n)
{
	char cap[16];
	const char *s;

	snprintf(cap, sizeof cap, "kf%d", n);
	s = tigetstr(cap);
	if (s == NULL || s == (const char *)-1 || *s == '\0')
		return false;
	return !(s[0] == '\033' && s[1] == 'O' && s[2] >= 'j' && s[2] <= 'y' &&
	    s[3] == '\0');
}

/* Whether LC_CTYPE reads UTF-8: the two bytes of "ü" are one character,
 * U+00FC. */
static bool
wizard_utf8(void)
{
	mbstate_t st;
	wchar_t wc = 0;

	memset(&st, 0, sizeof st);
	return mbrtowc(&wc, "\xc3\xbc", 2, &st) == 2 && wc == 0xfc;
}

/* Set LC_CTYPE for ncursesw, which reads and draws UTF-8 only under a
 * UTF-8 one: the environment's, or when that reads no UTF-8 (LANG=C,
 * LC_ALL=C), the first UTF-8 locale this system has (musl: C.UTF-8
 * always), so that what is typed arrives as typed. False when there is
 * none: only ASCII can then be read. */
static bool
wizard_locale(void)
{
	static const char *const utf8[] = {
		"C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8",
	};
	const char *env = setlocale(LC_CTYPE, "");
	/* Test hook: as on a system without a UTF-8 locale. */
	const char *none = getenv("ES_TEST_NO_UTF8_LOCALE");
	char *was = xstrdup(env != NULL ? env : "C");
	size_t i;

	if (wizard_utf8()) {
		free(was);
		return true;
	}
	for (i = 0; (none == NULL || *none == '\0') &&
	    i < sizeof utf8 / sizeof utf8[0]; i++) {
		if (setlocale(LC_CTYPE, utf8[i]) != NULL && wizard_utf8()) {
			log_msg("wizard: the locale's LC_CTYPE (%s) reads no "
			    "UTF-8; the wizard uses %s", was, utf8[i]);
			free(was);
			return true;
		}
	}
	setlocale(LC_CTYPE, "");
	log_msg("wizard: the locale's LC_CTYPE (%s) reads no UTF-8 and no "
	    "UTF-8 locale is installed: only ASCII can be typed", was);
	free(was);
	return false;
}

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

/* The buttons shown, in the order the focus visits them after the page's
 * own stops: the default action first, so that Tab from a page's last
 * field and Enter go on; then Back, then Cancel. */
static int
wizard_button_stops(const struct wizard *w, unsigned out[3])
{
	static const unsigned order[] = { WB_NEXT, WB_BACK, WB_CANCEL };
	int n = 0;
	size_t i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		if (w->buttons & order[i])
			out[n++] = order[i];
	return n;
}

/* The button that has the focus, or 0. */
static unsigned
wizard_focused_button(const struct wizard *w)
{
	unsigned b[3];
	int n = wizard_button_stops(w, b), i = w->focus - w->nfocus;

	return i >= 0 && i < n ? b[i] : 0;
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

const char *
wizard_button_keys(const struct wizard *w, unsigned button)
{
	if (button == WB_BACK)
		return w->key_f2 ? "F2/Alt-B" : "Alt-B";
	return w->key_f10 ? "F10/Alt-N" : "Alt-N";
}

/* The help line: the page's keys, then those of the buttons shown, with
 * F2 and F10 only where the terminal's description names them. */
static void
wizard_help(const struct wizard *w, char *out, size_t outsz)
{
	struct sbuf b;

	if (w->help != NULL) {
		snprintf(out, outsz, "%s", w->help);
		return;
	}
	sbuf_init(&b);
	sbuf_add(&b, w->keys != NULL ? w->keys : WIZARD_KEYS);
	if (w->buttons & WB_BACK)
		sbuf_addf(&b, "  %s: Back", wizard_button_keys(w, WB_BACK));
	if (w->buttons & WB_NEXT)
		sbuf_addf(&b, "  %s: %s", wizard_button_keys(w, WB_NEXT),
		    w->next_label);
	if (w->buttons & WB_CANCEL)
		sbuf_add(&b, "  Esc: Cancel");
	snprintf(out, outsz, "%s", b.s);
	sbuf_free(&b);
}

/* The title bar with the step counter, and the help line: "Step N of M"
 * counts the pages the plan as it stands shows (a choice made on a page
 * is in the plan at once), so it is the same on every page. */
static void
wizard_draw_lines(struct wizard *w)
{
	const struct manifest *m = w->s->manifest;
	char left[256], right[64], help[256];
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
	wizard_help(w, help, sizeof help);
	ui_put(LINES - 1, 0, COLS - 1, UI_NORMAL, help);
}

/* The rows the message takes above the buttons: as many as it needs,
 * while the page keeps WIZARD_BODY_MIN rows. */
static int
wizard_msg_rows(const struct wizard *w)
{
	struct ui_text t;
	int n, max = LINES - 5 - WIZARD_BODY_MIN;

	if (w->msg[0] == '\0')
		return 1;
	ui_text_wrap(&t, w->msg, COLS - 4);
	n = t.n;
	ui_text_free(&t);
	if (n > max)
		n = max;
	return n > 1 ? n : 1;
}

/* The message rows and the buttons, right-aligned above the frame. */
static void
wizard_draw_bar(struct wizard *w)
{
	unsigned b[3], focused = wizard_focused_button(w);
	int n = wizard_buttons(w, b), i, x, width = 0;

	ui_clear(LINES - 3 - w->msg_rows, 2, w->msg_rows + 1, COLS - 4);
	ui_write(LINES - 3 - w->msg_rows, 2, w->msg_rows, COLS - 4,
	    w->msg_style, w->msg);
	for (i = 0; i < n; i++)
		width += (i > 0 ? 2 : 0) +
		    ui_button_width(wizard_button_label(w, b[i]));
	x = COLS - 3 - width;
	for (i = 0; i < n; i++)
		x += ui_button(LINES - 3, x, wizard_button_label(w, b[i]),
		    b[i] == focused, b[i] == WB_NEXT && w->blocked) + 2;
}

void
wizard_redraw(struct wizard *w)
{
	char m[128];

	erase();
	ui_trace_reset();
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
	w->msg_rows = wizard_msg_rows(w);
	w->y = 2;
	w->x = 2;
	w->h = LINES - 5 - w->msg_rows;
	w->w = COLS - 4;
	ui_box(1, 0, LINES - 2, COLS, w->title != NULL ? w->title :
	    wizard_pages[w->page]->title);
	wizard_draw_lines(w);
	wizard_pages[w->page]->key(w, KEY_RESIZE);
}

void
wizard_refresh(struct wizard *w)
{
	bool cursor = false;

	/* A message that needs other rows than it has: lay the page out
	 * again around it. */
	if (!w->small && wizard_msg_rows(w) != w->msg_rows)
		wizard_redraw(w);
	if (!w->small) {
		wizard_draw_lines(w);
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
	ui_trace_flush();
}

/* Read one key: get_wch under a UTF-8 LC_CTYPE, else getch, a byte at
 * a time (ncursesw's get_wch waits for ever on a byte it cannot read in
 * the locale). As get_wch: OK, KEY_CODE_YES or ERR. */
static int
wizard_read(const struct wizard *w, wint_t *ch)
{
	int c;

	if (w->utf8)
		return get_wch(ch);
	if ((c = getch()) == ERR)
		return ERR;
	*ch = (wint_t)c;
	return c >= KEY_MIN ? KEY_CODE_YES : OK;
}

/* Give a key back to be read again. */
static void
wizard_unread(const struct wizard *w, int r, wint_t ch)
{
	if (r == OK && w->utf8)
		unget_wch((wchar_t)ch);
	else if (r == OK || r == KEY_CODE_YES)
		ungetch((int)ch);
}

/* The rest of an escape sequence the terminal's description does not
 * name (ECMA-48: after ESC [, parameter and intermediate bytes up to a
 * final byte from 0x40 to 0x7e; after ESC O, one byte), so that its
 * characters are not taken as typed. */
static void
wizard_skip_sequence(const struct wizard *w, wint_t intro)
{
	wint_t ch;
	int i;

	timeout(WIZARD_SEQ_MS);
	if (intro == L'O') {
		wizard_read(w, &ch);
		return;
	}
	for (i = 0; i < 32; i++)
		if (wizard_read(w, &ch) != OK || (ch >= 0x40 && ch <= 0x7e))
			return;
}

/* After an Esc: Alt and a letter arrive as Esc and the letter (Alt-B and
 * Alt-N are Back and Next); Esc [ or Esc O starts a key the terminal's
 * description does not know. */
static int
wizard_escape(const struct wizard *w)
{
	wint_t ch;
	int r;

	timeout(0);
	r = wizard_read(w, &ch);
	if (r == OK && (ch == L'b' || ch == L'B'))
		return WK_BACK;
	if (r == OK && (ch == L'n' || ch == L'N'))
		return WK_NEXT;
	if (r == OK && (ch == L'[' || ch == L'O')) {
		wizard_skip_sequence(w, ch);
		return WK_UNKNOWN;
	}
	if (r == OK && ch < 0x80 && iswalpha(ch))
		return WK_ALT(ch);
	wizard_unread(w, r, ch);
	return WK_ESC;
}

/* A byte from 0x80 up where the locale reads no UTF-8: the character it
 * starts, with the bytes that follow it (RFC 3629), as WK_NOT_ASCII and
 * its code point; or as WK_NOT_ASCII, WK_NOT_UTF8 and the byte, when
 * they are not UTF-8. */
static int
wizard_not_ascii(const struct wizard *w, unsigned lead)
{
	unsigned cp, need, i;
	wint_t ch;
	int r;

	if (lead >= 0xc2 && lead <= 0xdf) {
		need = 1;
		cp = lead & 0x1f;
	} else if (lead >= 0xe0 && lead <= 0xef) {
		need = 2;
		cp = lead & 0x0f;
	} else if (lead >= 0xf0 && lead <= 0xf4) {
		need = 3;
		cp = lead & 0x07;
	} else {
		return WK_NOT_ASCII | WK_NOT_UTF8 | (int)lead;
	}
	timeout(WIZARD_SEQ_MS);
	for (i = 0; i < need; i++) {
		r = wizard_read(w, &ch);
		if (r != OK || (ch & 0xc0) != 0x80) {
			wizard_unread(w, r, ch);
			return WK_NOT_ASCII | WK_NOT_UTF8 | (int)lead;
		}
		cp = cp << 6 | (ch & 0x3f);
	}
	return WK_NOT_ASCII | (int)cp;
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
	r = wizard_read(w, &ch);
	if (plat_signals_pending() > w->signals) {
		wizard_unread(w, r, ch);
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
		default:
			if (ch == KEY_F(2) && w->key_f2)
				return WK_BACK;
			if (ch == KEY_F(10) && w->key_f10)
				return WK_NEXT;
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
		return wizard_escape(w);
	}
	if (ch >= 0x80 && !w->utf8)
		return wizard_not_ascii(w, (unsigned)ch);
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
		ui_trace_flush();

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
	int n = wizard_button_stops(w, b), i;

	for (i = 0; i < n; i++)
		if (b[i] == button)
			w->focus = w->nfocus + i;
}

/* Move the focus to stop f (wrapping) and tell the page. */
static void
wizard_focus(struct wizard *w, int f)
{
	unsigned b[3];
	int n = w->nfocus + wizard_button_stops(w, b);

	if (n == 0)
		return;
	f = ((f % n) + n) % n;
	if (f == w->focus)
		return;
	w->old_focus = w->focus;
	w->focus = f;
	wizard_pages[w->page]->key(w, WK_FOCUS);
}

/* Left or Right (d -1 or 1) from button from: to the button beside it on
 * the screen; past the first, to the page's last stop; past the last, to
 * the page's first. */
static void
wizard_focus_beside(struct wizard *w, unsigned from, int d)
{
	unsigned shown[3], stops[3];
	int n = wizard_buttons(w, shown), ns = wizard_button_stops(w, stops);
	int i, j;

	for (i = 0; i < n && shown[i] != from; i++)
		;
	i += d;
	if (i < 0) {
		wizard_focus(w, w->nfocus - 1);
		return;
	}
	if (i >= n) {
		wizard_focus(w, w->nfocus + ns);
		return;
	}
	for (j = 0; j < ns; j++)
		if (stops[j] == shown[i])
			wizard_focus(w, w->nfocus + j);
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
	unsigned fb = wizard_focused_button(w), hot;
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
	if (k == WK_UNKNOWN) {
		wizard_message(w, UI_WARN, "That key is not in this terminal's "
		    "description (TERM=%s): nothing was done. Alt-N is Next, "
		    "Alt-B is Back.", termname());
		return PAGE_STAY;
	}
	if (WK_IS_NOT_ASCII(k)) {
		wizard_message(w, UI_ERROR, "The character %s%04X was not "
		    "taken: the locale (LC_CTYPE=%s) reads ASCII only, and "
		    "this system has no UTF-8 locale. Run the setup under a "
		    "UTF-8 locale (LANG=C.UTF-8) to type it.",
		    k & WK_NOT_UTF8 ? "with the byte 0x" : "U+",
		    (unsigned)(k & 0x1fffff), setlocale(LC_CTYPE, NULL));
		return PAGE_STAY;
	}
	if (WK_IS_ALT(k)) {
		/* Alt and a letter: a button's letter, or, outside a field,
		 * what the letter does. */
		if ((hot = wizard_hotkey(w, WK_CHAR(k))) != 0)
			return wizard_press(w, hot);
		if (w->cursor_form != NULL && w->focus < w->nfocus)
			return PAGE_STAY;
		k = WK_TEXT(WK_CHAR(k));
	}
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
	case KEY_DOWN:
		wizard_focus(w, w->focus + 1);
		return PAGE_STAY;
	case WK_BTAB:
	case KEY_UP:
		wizard_focus(w, w->focus - 1);
		return PAGE_STAY;
	case KEY_LEFT:
	case KEY_RIGHT:
		if (fb != 0)
			wizard_focus_beside(w, fb, k == KEY_RIGHT ? 1 : -1);
		else
			wizard_focus(w, w->focus + (k == KEY_RIGHT ? 1 : -1));
		return PAGE_STAY;
	case WK_ENTER:
		if (fb != 0)
			return wizard_press(w, fb);
		if (w->focus + 1 < w->nfocus) {
			wizard_focus(w, w->focus + 1);
			return PAGE_STAY;
		}
		return wizard_press(w, WB_NEXT);
	}
	if (WK_IS_TEXT(k) && WK_CHAR(k) == L' ' && fb != 0)
		return wizard_press(w, fb);
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
	w->keys = NULL;
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
	cur = setlocale(LC_CTYPE, NULL);
	locale = xstrdup(cur != NULL ? cur : "C");
	w.utf8 = wizard_locale();
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
	w.key_f2 = wizard_fkey(2);
	w.key_f10 = wizard_fkey(10);
	nocolor = getenv("NO_COLOR");
	w.color = has_colors() && (nocolor == NULL || *nocolor == '\0');
	ui_colors(w.color);
	log_msg("wizard: %dx%d terminal (TERM=%s), %s, F2 %s, F10 %s", COLS,
	    LINES, termname(), w.color ? "colour" : "monochrome",
	    w.key_f2 ? "known" : "unknown", w.key_f10 ? "known" : "unknown");

	rc = wizard_loop(&w);

	/* A terminal without an alternate screen keeps what is left on it. */
	erase();
	curs_set(1);
	wrefresh(stdscr);
	endwin();
	delscreen(wizard_screen);
	wizard_screen = NULL;
	ui_trace_reset();
	util_set_fatal_hook(NULL);
	setlocale(LC_CTYPE, locale);
	free(locale);
	if (w.after.s != NULL)
		fputs(w.after.s, stdout);
	fflush(stdout);
	sbuf_free(&w.after);
	return rc;
}
