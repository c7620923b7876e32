/* What the wizard's pages share: the page entry of the page table, the
 * wizard state they draw on, the keys they are given, and the drawing
 * helpers of ui.c. Pages are data (tmux's cmd_entry, dialog's one widget
 * per file): page-license.c exports page_license, and wizard.c holds the
 * order. */
#ifndef ES_WIZARD_PAGE_H
#define ES_WIZARD_PAGE_H

#include <curses.h>
#include <form.h>
#include <menu.h>
#include <stdbool.h>
#include <wchar.h>

#include "session.h"

/* Keys as pages see them: the KEY_* codes of ncurses, the WK_* codes below
 * and typed characters as WK_TEXT(c). */
#define WK_BASE		0x10000
#define WK_IDLE		(WK_BASE + 1)	/* nothing typed for a while */
#define WK_START	(WK_BASE + 2)	/* the page was entered and drawn */
#define WK_FOCUS	(WK_BASE + 3)	/* the focus moved (old in old_focus) */
#define WK_TAB		(WK_BASE + 4)
#define WK_BTAB		(WK_BASE + 5)
#define WK_ENTER	(WK_BASE + 6)
#define WK_ESC		(WK_BASE + 7)
#define WK_INTR		(WK_BASE + 8)	/* Ctrl-C (raw mode: a key) */
#define WK_SIGNAL	(WK_BASE + 9)	/* SIGINT or SIGTERM from outside */
#define WK_NEXT		(WK_BASE + 10)	/* F10, Alt-N, the Next button */
#define WK_BACK		(WK_BASE + 11)	/* F2, Alt-B, the Back button */
#define WK_CLEAR	(WK_BASE + 12)	/* Ctrl-U: clear the field */
#define WK_HANGUP	(WK_BASE + 13)	/* the terminal went away */
#define WK_UNKNOWN	(WK_BASE + 14)	/* a key the terminal's description
					   does not name (an escape sequence) */
#define WK_ALTBIT	0x2000000	/* Alt and a letter, WK_ALT(c) */
#define WK_ALT(c)	(WK_ALTBIT | (int)(c))
#define WK_IS_ALT(k)	(((k) & WK_ALTBIT) != 0)
#define WK_NOT_ASCII	0x4000000	/* a character the locale cannot
					   read: its code point in the low
					   21 bits, or its first byte with
					   WK_NOT_UTF8 */
#define WK_NOT_UTF8	0x8000000
#define WK_IS_NOT_ASCII(k)	(((k) & WK_NOT_ASCII) != 0)
#define WK_CHARBIT	0x1000000
#define WK_TEXT(c)	(WK_CHARBIT | (int)(c))
#define WK_IS_TEXT(k)	(((k) & WK_CHARBIT) != 0)
#define WK_CHAR(k)	((wchar_t)((k) & ~(WK_CHARBIT | WK_ALTBIT)))

/* The page's own keys on the help line, before the wizard's keys for
 * the buttons shown (Back, Next, Cancel). */
#define WIZARD_KEYS "Tab: next field  Enter: select"

/* What a page's key function asks the wizard to do. */
enum page_action {
	PAGE_UNHANDLED,	/* the wizard's turn: focus, buttons, cancel */
	PAGE_STAY,
	PAGE_NEXT,
	PAGE_BACK,
	PAGE_QUIT	/* leave the wizard with w->rc */
};

/* The buttons under every page. */
#define WB_BACK		0x1
#define WB_NEXT		0x2
#define WB_CANCEL	0x4

struct wizard {
	struct session *s;
	int page;		/* index in the page table */

	/* The content area, in stdscr coordinates. */
	int y, x, h, w;
	bool small;		/* below 80x24: only a message is shown */
	bool color;

	/* Focus stops: 0 .. nfocus-1 are the page's, then the buttons. */
	int focus, old_focus, nfocus;
	unsigned buttons;	/* WB_* shown */
	/* Where Back goes instead of the page before (the finish page after
	 * a failure: the page that can fix it); NULL: the page before. */
	const struct page *back_to;
	bool blocked;		/* Next is shown as not available */
	const char *next_label;	/* "Next", "Install", "Exit" */
	const char *title;	/* NULL: the page's own */
	const char *keys;	/* NULL: WIZARD_KEYS */
	const char *help;	/* NULL: keys and the buttons' keys; else the
				   whole help line */
	int msg_rows;		/* rows the message line takes */
	char msg[ES_ERR_MSG_MAX];	/* the line above the buttons */
	int msg_style;
	FORM *cursor_form;	/* whose current field shows the cursor */

	/* F2 and F10 as the terminal's description names them (Back and
	 * Next only then, and only then on the help line). */
	bool key_f2, key_f10;
	bool utf8;		/* LC_CTYPE reads UTF-8 (else ASCII only) */

	int signals;		/* plat_signals_pending() dealt with */
	int hangups;		/* reads that failed at once, in a row */

	/* The outcome, for the finish page and the caller. */
	bool install_ok;
	struct install_result res;
	struct es_err err;
	int rc;
	struct sbuf after;	/* printed once the screen is closed */
};

struct page {
	const char *title;
	/* Whether the page applies to the plan as it stands; NULL: always. */
	bool (*shown)(const struct session *s);
	void (*enter)(struct wizard *w);
	/* Every key goes here first; KEY_RESIZE means lay out and draw the
	 * whole page again. */
	enum page_action (*key)(struct wizard *w, int key);
	void (*leave)(struct wizard *w);
};

extern const struct page page_welcome;
extern const struct page page_license;
extern const struct page page_component;
extern const struct page page_location;
extern const struct page page_requirements;
extern const struct page page_user;
extern const struct page page_admin;
extern const struct page page_communication;
extern const struct page page_pairing;
extern const struct page page_summary;
extern const struct page page_progress;
extern const struct page page_finish;

/* wizard.c */
void wizard_message(struct wizard *w, int style, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Draw everything again (after a resize or a dialog). */
void wizard_redraw(struct wizard *w);
/* Draw the button row and put the screen out. */
void wizard_refresh(struct wizard *w);
/* Read one key, waiting at most timeout_ms (0: do not wait). */
int wizard_getkey(struct wizard *w, int timeout_ms);
/* Ask a yes/no question in a box over the page; Ctrl-C or a signal
 * answers yes. */
bool wizard_confirm(struct wizard *w, const char *title, const char *text,
    const char *yes, const char *no);
/* Put the focus on one of the buttons. */
void wizard_focus_button(struct wizard *w, unsigned button);
/* The keys that press WB_BACK or WB_NEXT on this terminal, for a help
 * line: "F2/Alt-B", or "Alt-B" where the terminal has no F2. */
const char *wizard_button_keys(const struct wizard *w, unsigned button);

/* ui.c: styles, text, boxes, buttons, fields and menus. */
enum ui_style {
	UI_NORMAL,
	UI_TITLE,
	UI_FOCUS,
	UI_SELECTED,
	UI_FIELD,
	UI_ERROR,
	UI_WARN,
	UI_OK,
	UI_DIM,
	UI_NSTYLES
};

void ui_colors(bool color);
/* With ES_TEST_UI_TRACE=FILE (tests/e2e/test_wizard_fit.sh), FILE holds
 * after each refresh the texts on the screen as the pages gave them to
 * ui_put, ui_write, ui_box, ui_button ("T") and ui_view_draw ("V"): "T y
 * x rows columns text" a line, with the rectangle each was allowed, line
 * ends as blanks. ui_trace_reset forgets them all (the screen was
 * erased); ui_trace_flush writes the file when they changed. */
void ui_trace_reset(void);
void ui_trace_flush(void);
attr_t ui_attr(int style);
/* Blank a rectangle of stdscr. */
void ui_clear(int y, int x, int h, int w);
/* Write s at y,x in at most width columns, padding with blanks. */
void ui_put(int y, int x, int width, int style, const char *s);
/* Wrap text into at most h rows of width columns; returns rows used. */
int ui_write(int y, int x, int h, int width, int style, const char *text);
void ui_box(int y, int x, int h, int w, const char *title);
/* "< Label >" with its first letter underlined; returns its width. */
int ui_button(int y, int x, const char *label, bool focused, bool dim);
int ui_button_width(const char *label);

/* Wrapped lines of a text. */
struct ui_text {
	char **line;
	int *src;	/* the text's line (0, 1, ... at each '\n') of each */
	int n;
	int width;
};

void ui_text_wrap(struct ui_text *t, const char *text, int width);
void ui_text_free(struct ui_text *t);

/* A scrolling view of a text (licence, requirements, summary). */
struct ui_view {
	char *text;
	int *style;	/* of each line of text (ui_view_add); NULL: normal */
	int nstyle;
	struct ui_text t;
	int top;
	int rows;	/* rows shown at the last draw */
	const char *find;	/* scroll to the first row starting so */
	const char *more;	/* the keys that scroll; NULL: "Down/PgDn" */
};

void ui_view_set(struct ui_view *v, const char *text);
/* Add text, in style, as lines of their own after those there are. */
void ui_view_add(struct ui_view *v, int style, const char *text);
/* The rows the text takes, wrapped at w columns. */
int ui_view_rows(struct ui_view *v, int w);
void ui_view_draw(struct ui_view *v, int y, int x, int h, int w);
/* "Lines 1-15 of 80" and a hint when there is more; "" when it all fits. */
void ui_view_status(const struct ui_view *v, char *out, size_t outsz);
/* Arrows, PgUp/PgDn, Home/End; true when the key scrolled. */
bool ui_view_key(struct ui_view *v, int key);
void ui_view_free(struct ui_view *v);

/* Labelled fields one under the other, each with a message line below.
 * A secret field shows one '*' per character; what was typed is kept
 * apart, in secret_text (wiped when the form is freed), never in the
 * field's buffer, and is edited at its end only. */
#define UI_FORM_MAX 4
#define UI_FORM_SECRET_MAX 1024	/* characters */

struct ui_form {
	FORM *form;
	FIELD *field[UI_FORM_MAX + 1];
	WINDOW *sub;
	const char *label[UI_FORM_MAX];
	bool secret[UI_FORM_MAX];
	wchar_t *secret_text[UI_FORM_MAX];	/* UI_FORM_SECRET_MAX */
	size_t secret_len[UI_FORM_MAX];
	char msg[UI_FORM_MAX][512];
	int msg_style[UI_FORM_MAX];
	int n;
	int label_w, field_w;
	int y, x, width;
	bool posted;
};

void ui_form_init(struct ui_form *f, int label_w, int field_w);
void ui_form_add(struct ui_form *f, const char *label, const char *value,
    bool secret);
/* Post the form with its top left corner at y,x, width columns wide
 * (again after a resize), and draw its labels and messages. */
void ui_form_place(struct ui_form *f, int y, int x, int width);
void ui_form_hide(struct ui_form *f);
/* Labels and messages. */
void ui_form_draw(struct ui_form *f);
/* Make field i current, or none when i is out of range. */
void ui_form_focus(struct ui_form *f, struct wizard *w, int i);
bool ui_form_key(struct ui_form *f, int key);
/* The text of field i without trailing blanks. Caller frees (wipe it
 * with util_free_secret for a secret field). */
char *ui_form_value(struct ui_form *f, int i);
void ui_form_free(struct ui_form *f);

/* A one-of-n choice. */
#define UI_MENU_MAX 4

struct ui_menu {
	MENU *menu;
	ITEM *item[UI_MENU_MAX + 1];
	WINDOW *sub;
	int n;
	int y, x;
	bool posted;
};

void ui_menu_init(struct ui_menu *m, const char *const *names, int n,
    int current);
void ui_menu_place(struct ui_menu *m, int y, int x, bool focused);
bool ui_menu_key(struct ui_menu *m, int key);
int ui_menu_index(const struct ui_menu *m);
int ui_menu_width(const struct ui_menu *m);
void ui_menu_free(struct ui_menu *m);

#endif
