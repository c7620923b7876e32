/* Line mode's text at the terminal's width (plat_terminal_columns): lines
 * broken at spaces, never inside a word unless the word alone is wider
 * than the line; continuation lines indented under the text they carry
 * on. Widths count characters of UTF-8 text, not bytes. */
#ifndef ES_WRAP_H
#define ES_WRAP_H

#include <stddef.h>

#include "util.h"

/* The columns s[0..n) takes: one per character (UTF-8 continuation
 * bytes, 10xxxxxx, take none). */
size_t wrap_columns(const char *s, size_t n);
/* Append line[0..len) (no '\n' in it) and a '\n' to out, broken at spaces
 * so that no line is wider than width; continuation lines start with
 * hang spaces (none when the hang leaves fewer than 20 columns). The
 * spaces at a break are dropped; nothing else changes. width 0: as it
 * is. */
void wrap_line(struct sbuf *out, const char *line, size_t len, size_t width,
    size_t hang);
/* The hanging indent of a line: its leading spaces and a list mark after
 * them ("1. ", "- "); or, in a row of columns, where the text after the
 * first run of two or more blanks starts ("Label:    value"). */
size_t wrap_hang(const char *line, size_t len);
/* Every line of text through wrap_line with its own wrap_hang; a last
 * line without '\n' stays without. */
void wrap_text(struct sbuf *out, const char *text, size_t width);

#endif
