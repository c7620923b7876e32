#include "wrap.h"

#include <stdbool.h>
#include <string.h>

/* UTF-8 (RFC 3629): a byte 10xxxxxx continues a character. */
static bool
wrap_continues(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t
wrap_columns(const char *s, size_t n)
{
	size_t i, cols = 0;

	for (i = 0; i < n; i++)
		if (!wrap_continues((unsigned char)s[i]))
			cols++;
	return cols;
}

/* The bytes of s[0..n) that fit in cols columns, whole characters only;
 * at least one character, so that a break always makes progress. */
static size_t
wrap_fit(const char *s, size_t n, size_t cols)
{
	size_t i = 0, c = 0;

	while (i < n) {
		size_t j = i + 1;

		while (j < n && wrap_continues((unsigned char)s[j]))
			j++;
		if (c + 1 > cols && c > 0)
			break;
		c++;
		i = j;
	}
	return i;
}

static void
wrap_spaces(struct sbuf *out, size_t n)
{
	while (n-- > 0)
		sbuf_add(out, " ");
}

void
wrap_line(struct sbuf *out, const char *line, size_t len, size_t width,
    size_t hang)
{
	size_t pos, col, lead;
	bool fresh = true;   /* no word on the current line yet */

	if (width == 0 || wrap_columns(line, len) <= width) {
		sbuf_addn(out, line, len);
		sbuf_add(out, "\n");
		return;
	}
	if (hang + 20 > width)
		hang = 0;
	for (lead = 0; lead < len && line[lead] == ' '; lead++)
		;
	pos = lead;
	/* An indentation as wide as the line is dropped. */
	col = lead < width ? lead : 0;
	wrap_spaces(out, col);
	while (pos < len) {
		size_t gap = 0, word = 0, wcols;

		while (pos + gap < len && line[pos + gap] == ' ')
			gap++;
		if (pos + gap == len)
			break;   /* trailing blanks */
		while (pos + gap + word < len && line[pos + gap + word] != ' ')
			word++;
		wcols = wrap_columns(line + pos + gap, word);
		if (col + (fresh ? 0 : gap) + wcols <= width) {
			if (!fresh)
				sbuf_addn(out, line + pos, gap);
			sbuf_addn(out, line + pos + gap, word);
			col += (fresh ? 0 : gap) + wcols;
			fresh = false;
			pos += gap + word;
			continue;
		}
		pos += gap;   /* the blanks at a break are dropped */
		if (!fresh) {
			sbuf_add(out, "\n");
			wrap_spaces(out, hang);
			col = hang;
		}
		/* A word wider than a whole line: broken where it must be. */
		while (col + wcols > width) {
			size_t take = wrap_fit(line + pos, word, width - col);

			sbuf_addn(out, line + pos, take);
			sbuf_add(out, "\n");
			wrap_spaces(out, hang);
			col = hang;
			pos += take;
			word -= take;
			wcols = wrap_columns(line + pos, word);
		}
		sbuf_addn(out, line + pos, word);
		col += wcols;
		fresh = false;
		pos += word;
	}
	sbuf_add(out, "\n");
}

size_t
wrap_hang(const char *line, size_t len)
{
	size_t n = 0, d = 0, i;

	while (n < len && line[n] == ' ')
		n++;
	while (n + d < len && line[n + d] >= '0' && line[n + d] <= '9')
		d++;
	if (d > 0 && d < 4 && n + d + 1 < len && line[n + d] == '.' &&
	    line[n + d + 1] == ' ')
		return n + d + 2;
	if (n + 1 < len && (line[n] == '-' || line[n] == '*') &&
	    line[n + 1] == ' ')
		return n + 2;
	/* A row of columns ("Label:   value"): under the value. */
	for (i = n; i + 2 < len; i++)
		if (line[i] == ' ' && line[i + 1] == ' ') {
			while (i < len && line[i] == ' ')
				i++;
			if (i < len)
				return wrap_columns(line, i);
			break;
		}
	return n;
}

void
wrap_text(struct sbuf *out, const char *text, size_t width)
{
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		wrap_line(out, p, len, width, wrap_hang(p, len));
		if (nl == NULL) {
			out->s[--out->len] = '\0';   /* as it came: no '\n' */
			break;
		}
		p = nl + 1;
	}
}
