/* Drawing helpers of the wizard's pages: styles with a monochrome
 * fallback, wrapped text, boxes drawn with ACS_* (ncurses falls back to
 * ASCII where the terminal has no line drawing), buttons, labelled form
 * fields and one-of-n menus. Everything is drawn on stdscr; forms and
 * menus post into windows derived from it. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "util.h"

static attr_t ui_styles[UI_NSTYLES];

/* The texts on the screen as the pages gave them, for the end-to-end
 * tests (ES_TEST_UI_TRACE): each with the rectangle it was given, and the
 * cells its characters took, which a later drawing over them removes. */
struct ui_trace_entry {
	char kind;		/* 'T' a text, 'V' a scrolling view's text */
	int y, x, h, w;		/* where the text was allowed to go */
	int th, tw;		/* rows and columns its characters took */
	char *text;
};

static struct {
	bool checked;
	const char *path;	/* NULL: no trace */
	struct ui_trace_entry *e;
	int n;
	bool off;		/* drawing the rows of one text (ui_write, a
				   view, a box's title) */
	char *last;		/* what was written last */
} ui_trace;

void
ui_colors(bool color)
{
	short bg = -1;

	ui_styles[UI_NORMAL] = A_NORMAL;
	ui_styles[UI_TITLE] = A_REVERSE;
	ui_styles[UI_FOCUS] = A_REVERSE;
	ui_styles[UI_SELECTED] = A_BOLD;
	ui_styles[UI_FIELD] = A_UNDERLINE;
	ui_styles[UI_ERROR] = A_BOLD;
	ui_styles[UI_WARN] = A_BOLD;
	ui_styles[UI_OK] = A_NORMAL;
	ui_styles[UI_DIM] = A_DIM;
	if (!color || start_color() != OK)
		return;
	if (use_default_colors() != OK)
		bg = COLOR_BLACK;
	init_pair(1, COLOR_WHITE, COLOR_BLUE);
	init_pair(2, COLOR_BLACK, COLOR_CYAN);
	init_pair(3, COLOR_RED, bg);
	init_pair(4, COLOR_YELLOW, bg);
	init_pair(5, COLOR_GREEN, bg);
	init_pair(6, COLOR_CYAN, bg);
	ui_styles[UI_TITLE] = COLOR_PAIR(1) | A_BOLD;
	ui_styles[UI_FOCUS] = COLOR_PAIR(2);
	ui_styles[UI_FIELD] = COLOR_PAIR(6) | A_UNDERLINE;
	ui_styles[UI_ERROR] = COLOR_PAIR(3) | A_BOLD;
	ui_styles[UI_WARN] = COLOR_PAIR(4) | A_BOLD;
	ui_styles[UI_OK] = COLOR_PAIR(5);
}

attr_t
ui_attr(int style)
{
	if (style < 0 || style >= UI_NSTYLES)
		return A_NORMAL;
	return ui_styles[style];
}

/* Bytes of s that hold at most cols characters (UTF-8; one column each). */
static size_t
ui_bytes_for(const char *s, size_t len, int cols, int *used)
{
	size_t i = 0;
	int n = 0;

	while (i < len && s[i] != '\0') {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (n == cols)
				break;
			n++;
		}
		i++;
	}
	*used = n;
	return i;
}

/* Characters (not bytes) of a UTF-8 string. */
static int
ui_chars(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static bool
ui_trace_on(void)
{
	const char *path;

	if (!ui_trace.checked) {
		path = getenv("ES_TEST_UI_TRACE");
		ui_trace.path = path != NULL && *path != '\0' ? path : NULL;
		ui_trace.checked = true;
	}
	return ui_trace.path != NULL && !ui_trace.off;
}

/* Drawing covered h rows of w columns at y,x: the texts there are gone. */
static void
ui_trace_cover(int y, int x, int h, int w)
{
	struct ui_trace_entry *t;
	int i, j;

	if (!ui_trace_on())
		return;
	for (i = j = 0; i < ui_trace.n; i++) {
		t = &ui_trace.e[i];
		if (t->y < y + h && y < t->y + t->th && t->x < x + w &&
		    x < t->x + t->tw) {
			free(t->text);
			continue;
		}
		ui_trace.e[j++] = *t;
	}
	ui_trace.n = j;
}

/* Text was given h rows of w columns at y,x, and its characters took th
 * rows of tw columns there; kind 'T': all of it, 'V': the rows of it a
 * scrolling view shows. */
static void
ui_trace_text(char kind, int y, int x, int h, int w, int th, int tw,
    const char *text)
{
	struct ui_trace_entry *t;

	if (!ui_trace_on() || *text == '\0' || th <= 0 || tw <= 0)
		return;
	ui_trace.e = xrealloc(ui_trace.e, sizeof *ui_trace.e *
	    (size_t)(ui_trace.n + 1));
	t = &ui_trace.e[ui_trace.n++];
	t->kind = kind;
	t->y = y;
	t->x = x;
	t->h = h;
	t->w = w;
	t->th = th;
	t->tw = tw;
	t->text = xstrdup(text);
}

void
ui_trace_reset(void)
{
	int i;

	for (i = 0; i < ui_trace.n; i++)
		free(ui_trace.e[i].text);
	free(ui_trace.e);
	ui_trace.e = NULL;
	ui_trace.n = 0;
	free(ui_trace.last);
	ui_trace.last = NULL;
}

void
ui_trace_flush(void)
{
	struct es_err e;
	struct sbuf b;
	size_t off;
	char *c;
	int i;

	if (!ui_trace_on())
		return;
	sbuf_init(&b);
	sbuf_addf(&b, "screen %d %d\n", LINES, COLS);
	for (i = 0; i < ui_trace.n; i++) {
		sbuf_addf(&b, "%c %d %d %d %d ", ui_trace.e[i].kind,
		    ui_trace.e[i].y, ui_trace.e[i].x, ui_trace.e[i].h,
		    ui_trace.e[i].w);
		off = b.len;
		sbuf_add(&b, ui_trace.e[i].text);
		for (c = b.s + off; *c != '\0'; c++)
			if (*c == '\n' || *c == '\t' || *c == '\r')
				*c = ' ';
		sbuf_add(&b, "\n");
	}
	if (ui_trace.last != NULL && strcmp(ui_trace.last, b.s) == 0) {
		sbuf_free(&b);
		return;
	}
	err_clear(&e);
	if (!plat_write_file_atomic(ui_trace.path, b.s, b.len, 0600, &e))
		fatal("ES_TEST_UI_TRACE: %s", e.msg);
	free(ui_trace.last);
	ui_trace.last = sbuf_detach(&b);
}

void
ui_clear(int y, int x, int h, int w)
{
	int i;

	for (i = 0; i < h; i++)
		ui_put(y + i, x, w, UI_NORMAL, "");
}

void
ui_put(int y, int x, int width, int style, const char *s)
{
	size_t nb;
	int used;

	if (width <= 0)
		return;
	nb = ui_bytes_for(s, strlen(s), width, &used);
	ui_trace_cover(y, x, 1, width);
	ui_trace_text('T', y, x, 1, width, 1, used, s);
	attrset(ui_attr(style));
	mvaddnstr(y, x, s, (int)nb);
	for (; used < width; used++)
		addch(' ');
	attrset(A_NORMAL);
}

/* Add a row of the text's line src: indent blanks, then len bytes of s
 * without trailing blanks. */
static void
ui_text_push(struct ui_text *t, int src, const char *s, size_t len,
    int indent)
{
	char *line = xmalloc((size_t)indent + len + 1);

	memset(line, ' ', (size_t)indent);
	memcpy(line + indent, s, len);
	line[indent + len] = '\0';
	while (len > 0 && line[indent + len - 1] == ' ')
		line[indent + --len] = '\0';
	t->line = xrealloc(t->line, sizeof *t->line * (size_t)(t->n + 1));
	t->src = xrealloc(t->src, sizeof *t->src * (size_t)(t->n + 1));
	t->line[t->n] = line;
	t->src[t->n++] = src;
}

/* Where the continuation rows of a line start: under the text after a
 * list marker ("1. ", "- ", "[Warn] ") or after a gap of two blanks
 * ("Label:      value"), else under its first character. */
static int
ui_indent(const char *s, size_t len, int width)
{
	size_t i = 0, j;
	const char *gap, *close;

	while (i < len && s[i] == ' ')
		i++;
	j = i;
	while (j < len && isdigit((unsigned char)s[j]))
		j++;
	if (j > i && j + 1 < len && s[j] == '.' && s[j + 1] == ' ')
		return (int)j + 2;
	if (i + 1 < len && (s[i] == '-' || s[i] == '*') && s[i + 1] == ' ')
		return (int)i + 2;
	if (i < len && s[i] == '[' &&
	    (close = memchr(s + i, ']', len - i)) != NULL &&
	    close - (s + i) < 10 && (size_t)(close - s) + 1 < len &&
	    close[1] == ' ')
		return (int)(close - s) + 2;
	gap = NULL;
	for (j = i; j + 1 < len; j++)
		if (s[j] == ' ' && s[j + 1] == ' ') {
			gap = s + j;
			break;
		}
	if (gap != NULL) {
		j = (size_t)(gap - s);
		while (j < len && s[j] == ' ')
			j++;
		if (j < len && (int)j <= width * 2 / 3)
			return (int)j;
	}
	return (int)i;
}

/* Where a word wider than a row (s[pos] to beyond s[end]) breaks: after
 * its last '/' in the row (a path breaks between its folders), else at
 * the row's end. */
static size_t
ui_wrap_slash(const char *s, size_t pos, size_t end)
{
	size_t i;

	for (i = end; i > pos + 1; i--)
		if (s[i - 1] == '/')
			return i;
	return end;
}

/* Wrap one line (no '\n'), the text's line src, at blanks into rows of
 * width columns; a word wider than a row breaks after a '/' if it has
 * one. */
static void
ui_wrap_line(struct ui_text *t, int src, const char *s, size_t len,
    int width)
{
	int indent = ui_indent(s, len, width), avail, cols, ind;
	size_t pos = 0, i, brk, end;
	bool first = true;

	if (indent > width / 2)
		indent = width / 2;
	if (len == 0) {
		ui_text_push(t, src, "", 0, 0);
		return;
	}
	while (pos < len) {
		if (!first)
			while (pos < len && s[pos] == ' ')
				pos++;
		if (pos >= len)
			break;
		ind = first ? 0 : indent;
		/* A word that fits a row, but not under the indent, starts
		 * the row instead of being broken. */
		for (i = pos, cols = 0; i < len && s[i] != ' '; i++)
			if (((unsigned char)s[i] & 0xc0) != 0x80)
				cols++;
		if (cols > width - ind && cols <= width)
			ind = 0;
		avail = width - ind;
		i = pos;
		brk = 0;
		cols = 0;
		while (i < len) {
			if (((unsigned char)s[i] & 0xc0) != 0x80) {
				if (cols == avail)
					break;
				cols++;
			}
			i++;
			if (i < len && s[i] == ' ')
				brk = i;
		}
		if (i >= len)
			end = len;
		else if (brk > pos)
			end = brk;
		else
			end = ui_wrap_slash(s, pos, i);
		ui_text_push(t, src, s + pos, end - pos, ind);
		pos = end;
		first = false;
	}
}

void
ui_text_wrap(struct ui_text *t, const char *text, int width)
{
	char *clean = xstrdup(text), *p, *eol, *c;
	int src = 0;

	memset(t, 0, sizeof *t);
	t->width = width;
	if (width < 8)
		width = 8;
	/* Tabs become blanks; other control characters never reach the
	 * terminal. */
	for (c = clean; *c != '\0'; c++)
		if (*c == '\t')
			*c = ' ';
		else if ((unsigned char)*c < 0x20 && *c != '\n')
			*c = *c == '\r' ? ' ' : '?';
	for (p = clean; *p != '\0'; p = eol + 1) {
		eol = strchr(p, '\n');
		ui_wrap_line(t, src++, p, eol != NULL ? (size_t)(eol - p) :
		    strlen(p), width);
		if (eol == NULL)
			break;
	}
	free(clean);
}

void
ui_text_free(struct ui_text *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		free(t->line[i]);
	free(t->line);
	free(t->src);
	memset(t, 0, sizeof *t);
}

/* Draw one row of text; a leading [Pass], [Warn] or [Fail] (a
 * requirement), [ OK ], [FAIL] or [ -- ] (a step) in colour. */
static void
ui_line(int y, int x, int width, int style, const char *s)
{
	static const struct {
		const char *label;
		int style;
	} labels[] = {
		{ "[Pass]", UI_OK }, { "[Warn]", UI_WARN }, { "[Fail]", UI_ERROR },
		{ "[ OK ]", UI_OK }, { "[FAIL]", UI_ERROR },
		{ "[ -- ]", UI_DIM }, { "[    ]", UI_DIM },
	};
	size_t i;

	for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		if (width > 6 && strncmp(s, labels[i].label, 6) == 0) {
			ui_put(y, x, 6, labels[i].style, labels[i].label);
			ui_put(y, x + 6, width - 6, style, s + 6);
			return;
		}
	}
	ui_put(y, x, width, style, s);
}

int
ui_write(int y, int x, int h, int width, int style, const char *text)
{
	struct ui_text t;
	int i;

	ui_text_wrap(&t, text, width);
	ui_trace.off = true;
	for (i = 0; i < t.n && i < h; i++)
		ui_line(y + i, x, width, style, t.line[i]);
	ui_trace.off = false;
	ui_trace_cover(y, x, i, width);
	ui_trace_text('T', y, x, h, width, i, width, text);
	ui_text_free(&t);
	return i;
}

void
ui_box(int y, int x, int h, int w, const char *title)
{
	if (h < 2 || w < 2)
		return;
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	if (title != NULL && w > 8) {
		attrset(A_BOLD);
		mvaddch(y, x + 2, ' ');
		ui_trace.off = true;
		ui_put(y, x + 3, ui_chars(title) < w - 7 ? ui_chars(title) :
		    w - 7, UI_SELECTED, title);
		ui_trace.off = false;
		addch(' ');
		attrset(A_NORMAL);
		ui_trace_cover(y, x + 2, 1, w - 4);
		ui_trace_text('T', y, x + 3, 1, w - 7, 1,
		    ui_chars(title) < w - 7 ?
		    ui_chars(title) : w - 7, title);
	}
}

int
ui_button_width(const char *label)
{
	return ui_chars(label) + 4;
}

int
ui_button(int y, int x, const char *label, bool focused, bool dim)
{
	attr_t a = ui_attr(focused ? UI_FOCUS : dim ? UI_DIM : UI_NORMAL);
	char text[128];

	snprintf(text, sizeof text, "< %s >", label);
	ui_trace_cover(y, x, 1, ui_button_width(label));
	ui_trace_text('T', y, x, 1, ui_button_width(label), 1,
	    ui_button_width(label), text);
	attrset(a);
	mvaddstr(y, x, "< ");
	attrset(a | (dim ? 0 : A_UNDERLINE));
	addnstr(label, 1);
	attrset(a);
	addstr(label + 1);
	addstr(" >");
	attrset(A_NORMAL);
	return ui_button_width(label);
}

/* ---- scrolling text ---- */

void
ui_view_set(struct ui_view *v, const char *text)
{
	const char *more = v->more;

	ui_view_free(v);
	v->text = xstrdup(text != NULL ? text : "");
	v->more = more;
}

void
ui_view_add(struct ui_view *v, int style, const char *text)
{
	struct sbuf b;
	const char *c;
	int i, lines = 1;

	sbuf_init(&b);
	if (v->text != NULL && *v->text != '\0')
		sbuf_addf(&b, "%s\n", v->text);
	else
		v->nstyle = 0;
	sbuf_add(&b, text);
	for (c = text; *c != '\0'; c++)
		if (*c == '\n')
			lines++;
	v->style = xrealloc(v->style, sizeof *v->style *
	    (size_t)(v->nstyle + lines));
	for (i = 0; i < lines; i++)
		v->style[v->nstyle++] = style;
	free(v->text);
	v->text = sbuf_detach(&b);
	ui_text_free(&v->t);
}

/* The top row that still fills the view. */
static int
ui_view_max_top(const struct ui_view *v)
{
	return v->t.n > v->rows ? v->t.n - v->rows : 0;
}

int
ui_view_rows(struct ui_view *v, int w)
{
	if (v->text == NULL)
		v->text = xstrdup("");
	if (v->t.width != w) {
		ui_text_free(&v->t);
		ui_text_wrap(&v->t, v->text, w);
	}
	return v->t.n;
}

void
ui_view_draw(struct ui_view *v, int y, int x, int h, int w)
{
	int i;

	ui_view_rows(v, w);
	v->rows = h;
	if (v->find != NULL) {
		for (i = 0; i < v->t.n; i++)
			if (strncmp(v->t.line[i], v->find,
			    strlen(v->find)) == 0) {
				v->top = i;
				break;
			}
		v->find = NULL;
	}
	if (v->top > ui_view_max_top(v))
		v->top = ui_view_max_top(v);
	if (v->top < 0)
		v->top = 0;
	ui_trace.off = true;
	for (i = 0; i < h; i++)
		ui_line(y + i, x, w, v->top + i < v->t.n && v->style != NULL &&
		    v->t.src[v->top + i] < v->nstyle ?
		    v->style[v->t.src[v->top + i]] : UI_NORMAL,
		    v->top + i < v->t.n ? v->t.line[v->top + i] : "");
	ui_trace.off = false;
	ui_trace_cover(y, x, h, w);
	ui_trace_text('V', y, x, h, w, h, w, v->text);
}

void
ui_view_status(const struct ui_view *v, char *out, size_t outsz)
{
	int last = v->top + v->rows < v->t.n ? v->top + v->rows : v->t.n;

	if (v->t.n <= v->rows) {
		snprintf(out, outsz, "%s", "");
		return;
	}
	snprintf(out, outsz, "Lines %d-%d of %d%s%s%s", v->top + 1, last,
	    v->t.n, last < v->t.n ? "  (" : "", last < v->t.n ?
	    (v->more != NULL ? v->more : "Down/PgDn") : "",
	    last < v->t.n ? ": more)" : "");
}

bool
ui_view_key(struct ui_view *v, int key)
{
	int page = v->rows > 1 ? v->rows - 1 : 1;

	switch (key) {
	case KEY_UP:
		v->top--;
		break;
	case KEY_DOWN:
		v->top++;
		break;
	case KEY_PPAGE:
		v->top -= page;
		break;
	case KEY_NPAGE:
		v->top += page;
		break;
	case KEY_HOME:
		v->top = 0;
		break;
	case KEY_END:
		v->top = ui_view_max_top(v);
		break;
	default:
		return false;
	}
	if (v->top > ui_view_max_top(v))
		v->top = ui_view_max_top(v);
	if (v->top < 0)
		v->top = 0;
	return true;
}

void
ui_view_free(struct ui_view *v)
{
	ui_text_free(&v->t);
	free(v->text);
	free(v->style);
	memset(v, 0, sizeof *v);
}

/* ---- labelled fields ---- */

void
ui_form_init(struct ui_form *f, int label_w, int field_w)
{
	memset(f, 0, sizeof *f);
	f->label_w = label_w;
	f->field_w = field_w;
}

/* Field i (fl) is a secret one holding value (or nothing): keep the value
 * apart, and put one '*' per character of it in the field. */
static void
ui_form_secret_set(struct ui_form *f, int i, FIELD *fl, const char *value)
{
	mbstate_t st;
	size_t n = 0, r;
	char *mask;

	f->secret_text[i] = xmalloc(UI_FORM_SECRET_MAX *
	    sizeof *f->secret_text[i]);
	memset(&st, 0, sizeof st);
	while (value != NULL && *value != '\0' && n < UI_FORM_SECRET_MAX) {
		r = mbrtowc(&f->secret_text[i][n], value, strlen(value), &st);
		if (r == 0 || r == (size_t)-1 || r == (size_t)-2)
			break;
		value += r;
		n++;
	}
	f->secret_len[i] = n;
	mask = xmalloc(n + 1);
	memset(mask, '*', n);
	mask[n] = '\0';
	set_field_buffer(fl, 0, mask);
	free(mask);
}

/* A key in secret field i: text goes to its end, Backspace takes the last
 * character back, Ctrl-U clears it; the field gets or loses a '*'. Keys
 * that would edit inside it do nothing. */
static bool
ui_form_secret_key(struct ui_form *f, int i, int key)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;

	switch (key) {
	case KEY_LEFT:
	case KEY_RIGHT:
	case KEY_HOME:
	case KEY_END:
	case KEY_DC:
		return true;
	case KEY_BACKSPACE:
		if (f->secret_len[i] > 0)
			f->secret_text[i][--f->secret_len[i]] = L'\0';
		form_driver(f->form, REQ_END_FIELD);
		form_driver(f->form, REQ_DEL_PREV);
		return true;
	case WK_CLEAR:
		util_wipe(f->secret_text[i], UI_FORM_SECRET_MAX *
		    sizeof *f->secret_text[i]);
		f->secret_len[i] = 0;
		form_driver(f->form, REQ_CLR_FIELD);
		return true;
	}
	if (!WK_IS_TEXT(key))
		return false;
	/* Only what ui_form_value can give back as it was typed. */
	memset(&st, 0, sizeof st);
	if (f->secret_len[i] >= UI_FORM_SECRET_MAX ||
	    wcrtomb(mb, WK_CHAR(key), &st) == (size_t)-1) {
		beep();
		return true;
	}
	util_wipe(mb, sizeof mb);
	f->secret_text[i][f->secret_len[i]++] = WK_CHAR(key);
	form_driver(f->form, REQ_END_FIELD);
	form_driver_w(f->form, OK, L'*');
	return true;
}

/* What secret field i holds, in the locale's multibyte form (as
 * field_buffer gives the others). */
static char *
ui_form_secret_value(const struct ui_form *f, int i)
{
	size_t n = 0, k, j;
	mbstate_t st;
	char *s;

	s = xmalloc(f->secret_len[i] * MB_LEN_MAX + 1);
	memset(&st, 0, sizeof st);
	for (j = 0; j < f->secret_len[i]; j++) {
		k = wcrtomb(s + n, f->secret_text[i][j], &st);
		if (k != (size_t)-1)
			n += k;
	}
	s[n] = '\0';
	return s;
}

void
ui_form_add(struct ui_form *f, const char *label, const char *value,
    bool secret)
{
	FIELD *fl;

	if (f->n >= UI_FORM_MAX)
		fatal("ui_form_add: too many fields");
	if ((fl = new_field(1, f->field_w, 2 * f->n, 0, 0, 0)) == NULL)
		fatal("cannot make a form field (out of memory)");
	/* A field grows beyond what it shows (O_STATIC off). */
	field_opts_off(fl, O_AUTOSKIP | O_BLANK | O_STATIC);
	set_max_field(fl, 1024);
	set_field_back(fl, ui_attr(UI_FIELD));
	if (secret)
		ui_form_secret_set(f, f->n, fl, value);
	else
		set_field_buffer(fl, 0, value != NULL ? value : "");
	f->field[f->n] = fl;
	f->label[f->n] = label;
	f->secret[f->n] = secret;
	f->n++;
}

void
ui_form_hide(struct ui_form *f)
{
	/* The current field's text is in its window until validated. */
	if (f->posted) {
		form_driver(f->form, REQ_VALIDATION);
		unpost_form(f->form);
	}
	f->posted = false;
	if (f->sub != NULL)
		delwin(f->sub);
	f->sub = NULL;
}

void
ui_form_place(struct ui_form *f, int y, int x, int width)
{
	if (f->n == 0)
		return;
	if (f->form == NULL) {
		if ((f->form = new_form(f->field)) == NULL)
			fatal("cannot make a form (out of memory)");
		form_opts_off(f->form, O_BS_OVERLOAD | O_NL_OVERLOAD);
	}
	ui_form_hide(f);
	f->y = y;
	f->x = x;
	f->width = width;
	f->sub = derwin(stdscr, 2 * f->n - 1, f->field_w, y, x + f->label_w);
	if (f->sub == NULL)
		return;
	set_form_win(f->form, stdscr);
	set_form_sub(f->form, f->sub);
	if (post_form(f->form) == E_OK) {
		f->posted = true;
		form_driver(f->form, REQ_END_FIELD);
	}
	ui_form_draw(f);
}

void
ui_form_draw(struct ui_form *f)
{
	int i, x;

	for (i = 0; i < f->n; i++) {
		ui_put(f->y + 2 * i, f->x, f->label_w - 1, UI_NORMAL,
		    f->label[i]);
		/* Under the field, or from under the label when it is too
		 * long for that. */
		x = ui_chars(f->msg[i]) > f->width - f->label_w ? 0 :
		    f->label_w;
		ui_put(f->y + 2 * i + 1, f->x, x, UI_NORMAL, "");
		ui_put(f->y + 2 * i + 1, f->x + x, f->width - x,
		    f->msg_style[i], f->msg[i]);
	}
}

void
ui_form_focus(struct ui_form *f, struct wizard *w, int i)
{
	if (i < 0 || i >= f->n) {
		if (w->cursor_form == f->form)
			w->cursor_form = NULL;
		return;
	}
	if (f->form == NULL)
		return;
	set_current_field(f->form, f->field[i]);
	if (f->posted) {
		form_driver(f->form, REQ_END_FIELD);
		w->cursor_form = f->form;
	}
}

bool
ui_form_key(struct ui_form *f, int key)
{
	int req, cur;

	if (!f->posted)
		return false;
	cur = field_index(current_field(f->form));
	if (cur >= 0 && cur < f->n && f->secret[cur]) {
		if (!ui_form_secret_key(f, cur, key))
			return false;
		goto sync;
	}
	switch (key) {
	case KEY_LEFT:
		req = REQ_PREV_CHAR;
		break;
	case KEY_RIGHT:
		req = REQ_NEXT_CHAR;
		break;
	case KEY_HOME:
		req = REQ_BEG_FIELD;
		break;
	case KEY_END:
		req = REQ_END_FIELD;
		break;
	case KEY_BACKSPACE:
		req = REQ_DEL_PREV;
		break;
	case KEY_DC:
		req = REQ_DEL_CHAR;
		break;
	case WK_CLEAR:
		req = REQ_CLR_FIELD;
		break;
	default:
		if (!WK_IS_TEXT(key))
			return false;
		form_driver_w(f->form, OK, WK_CHAR(key));
		goto sync;
	}
	form_driver(f->form, req);
sync:
	/* Keep the field's buffer up to date: a redraw erases stdscr, and
	 * with it a field window derived from it. */
	form_driver(f->form, REQ_VALIDATION);
	return true;
}

char *
ui_form_value(struct ui_form *f, int i)
{
	char *s;
	size_t n;

	if (f->secret[i])
		return ui_form_secret_value(f, i);
	if (f->posted)
		form_driver(f->form, REQ_VALIDATION);
	s = xstrdup(field_buffer(f->field[i], 0));
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

void
ui_form_free(struct ui_form *f)
{
	int i;

	ui_form_hide(f);
	if (f->form != NULL)
		free_form(f->form);
	for (i = 0; i < f->n; i++) {
		free_field(f->field[i]);
		if (f->secret_text[i] != NULL)
			util_wipe(f->secret_text[i], UI_FORM_SECRET_MAX *
			    sizeof *f->secret_text[i]);
		free(f->secret_text[i]);
	}
	memset(f, 0, sizeof *f);
}

/* ---- one-of-n menus ---- */

void
ui_menu_init(struct ui_menu *m, const char *const *names, int n,
    int current)
{
	int i;

	memset(m, 0, sizeof *m);
	if (n > UI_MENU_MAX)
		n = UI_MENU_MAX;
	for (i = 0; i < n; i++)
		if ((m->item[i] = new_item(names[i], "")) == NULL)
			fatal("cannot make a menu item (out of memory)");
	m->n = n;
	if ((m->menu = new_menu(m->item)) == NULL)
		fatal("cannot make a menu (out of memory)");
	menu_opts_off(m->menu, O_SHOWDESC);
	set_menu_mark(m->menu, "> ");
	set_menu_format(m->menu, n, 1);
	if (current >= 0 && current < n)
		set_current_item(m->menu, m->item[current]);
}

int
ui_menu_width(const struct ui_menu *m)
{
	int rows, cols;

	if (scale_menu(m->menu, &rows, &cols) != E_OK)
		return 0;
	return cols;
}

void
ui_menu_place(struct ui_menu *m, int y, int x, bool focused)
{
	int rows, cols;

	if (m->posted)
		unpost_menu(m->menu);
	m->posted = false;
	if (m->sub != NULL)
		delwin(m->sub);
	m->sub = NULL;
	m->y = y;
	m->x = x;
	set_menu_fore(m->menu, ui_attr(focused ? UI_FOCUS : UI_SELECTED));
	set_menu_back(m->menu, ui_attr(UI_NORMAL));
	if (scale_menu(m->menu, &rows, &cols) != E_OK)
		return;
	if ((m->sub = derwin(stdscr, rows, cols, y, x)) == NULL)
		return;
	set_menu_win(m->menu, stdscr);
	set_menu_sub(m->menu, m->sub);
	if (post_menu(m->menu) == E_OK)
		m->posted = true;
}

bool
ui_menu_key(struct ui_menu *m, int key)
{
	wchar_t c;

	switch (key) {
	case KEY_UP:
		menu_driver(m->menu, REQ_UP_ITEM);
		return true;
	case KEY_DOWN:
		menu_driver(m->menu, REQ_DOWN_ITEM);
		return true;
	case KEY_HOME:
		menu_driver(m->menu, REQ_FIRST_ITEM);
		return true;
	case KEY_END:
		menu_driver(m->menu, REQ_LAST_ITEM);
		return true;
	}
	if (WK_IS_TEXT(key)) {
		c = WK_CHAR(key);
		if (c >= L'1' && c < L'1' + m->n) {
			set_current_item(m->menu, m->item[c - L'1']);
			return true;
		}
	}
	return false;
}

int
ui_menu_index(const struct ui_menu *m)
{
	ITEM *it = current_item(m->menu);

	return it != NULL ? item_index(it) : 0;
}

void
ui_menu_free(struct ui_menu *m)
{
	int i;

	if (m->menu != NULL) {
		if (m->posted)
			unpost_menu(m->menu);
		free_menu(m->menu);
	}
	for (i = 0; i < m->n; i++)
		free_item(m->item[i]);
	if (m->sub != NULL)
		delwin(m->sub);
	memset(m, 0, sizeof *m);
}
