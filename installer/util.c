#include "util.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

void
util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	if (fatal_hook != NULL)
		fatal_hook();
	fputs("engine-setup: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		fatal("out of memory (%zu bytes)", n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("bad format string");
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
sbuf_init(struct sbuf *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

static void
sbuf_grow(struct sbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->s = xrealloc(b->s, b->cap);
}

void
sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	sbuf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("bad format string");
	sbuf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sbuf_add_xml(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': sbuf_add(b, "&amp;"); break;
		case '<': sbuf_add(b, "&lt;"); break;
		case '>': sbuf_add(b, "&gt;"); break;
		case '"': sbuf_add(b, "&quot;"); break;
		case '\'': sbuf_add(b, "&apos;"); break;
		case '\n': sbuf_add(b, "&#10;"); break;
		case '\r': sbuf_add(b, "&#13;"); break;
		case '\t': sbuf_add(b, "&#9;"); break;
		default: sbuf_addn(b, s, 1); break;
		}
	}
}

void
sbuf_add_shell(struct sbuf *b, const char *s)
{
	const char *c;

	if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-") == strlen(s)) {
		sbuf_add(b, s);
		return;
	}
	/* POSIX 2.2.2: nothing is special inside single quotes; a quote
	 * itself ends them, is escaped, and they open again. */
	sbuf_add(b, "'");
	for (c = s; *c != '\0'; c++) {
		if (*c == '\'')
			sbuf_add(b, "'\\''");
		else
			sbuf_addn(b, c, 1);
	}
	sbuf_add(b, "'");
}

void
sbuf_add_root_option(struct sbuf *b, const char *root)
{
	if (root == NULL || strspn(root, "/") == strlen(root))
		return;
	sbuf_add(b, " --root ");
	sbuf_add_shell(b, root);
}

/* The length of the UTF-8 sequence at c (RFC 3629, section 4: no
 * overlong forms, surrogates or code points above U+10FFFF), or 0 when
 * it is not one. */
static size_t
utf8_len(const unsigned char *c)
{
	size_t n, i;

	if (*c < 0x80)
		return 1;
	if (*c >= 0xc2 && *c <= 0xdf)
		n = 2;
	else if (*c >= 0xe0 && *c <= 0xef)
		n = 3;
	else if (*c >= 0xf0 && *c <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((c[i] & 0xc0) != 0x80)
			return 0;
	if ((*c == 0xe0 && c[1] < 0xa0) || (*c == 0xed && c[1] > 0x9f) ||
	    (*c == 0xf0 && c[1] < 0x90) || (*c == 0xf4 && c[1] > 0x8f))
		return 0;
	return n;
}

void
sbuf_add_shown(struct sbuf *b, const char *s, bool keep_newlines)
{
	const unsigned char *c = (const unsigned char *)s;
	size_t n;

	while (*c != '\0') {
		n = utf8_len(c);
		if (*c == '\n' && keep_newlines)
			sbuf_add(b, "\n");
		else if (*c == '\n')
			sbuf_add(b, "\\n");
		else if (*c == '\t')
			sbuf_add(b, "\\t");
		else if (*c < 0x20 || *c == 0x7f || n == 0)
			/* Not UTF-8 either: a lone 0x9b is CSI to a
			 * terminal that takes 8-bit controls. */
			sbuf_addf(b, "\\x%02x", *c);
		else if (*c == 0xc2 && c[1] <= 0x9f)
			/* U+0080 to U+009F: the C1 controls. */
			sbuf_addf(b, "\\u%04x", c[1]);
		else if (*c == 0xe2 && ((c[1] == 0x80 && c[2] >= 0xaa &&
		    c[2] <= 0xae) || (c[1] == 0x81 && c[2] >= 0xa6 &&
		    c[2] <= 0xa9)))
			/* U+202A..U+202E, U+2066..U+2069: the bidirectional
			 * embeddings, overrides and isolates, which make a
			 * terminal show text in another order than it is. */
			sbuf_addf(b, "\\u%04x", 0x2000 | ((c[1] & 0x3f) << 6) |
			    (c[2] & 0x3f));
		else
			sbuf_addn(b, (const char *)c, n);
		c += n > 0 ? n : 1;
	}
}

const char *
str_shown(struct sbuf *b, const char *s)
{
	sbuf_free(b);
	sbuf_init(b);
	sbuf_add(b, "");
	if (s != NULL)
		sbuf_add_shown(b, s, false);
	return b->s;
}

char *
sbuf_detach(struct sbuf *b)
{
	char *s = b->s;

	if (s == NULL)
		s = xstrdup("");
	sbuf_init(b);
	return s;
}

void
sbuf_free(struct sbuf *b)
{
	free(b->s);
	sbuf_init(b);
}

void
util_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

void
util_free_secret(char *s)
{
	if (s == NULL)
		return;
	util_wipe(s, strlen(s));
	free(s);
}

bool
str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

size_t
str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *row = xcalloc(lb + 1, sizeof *row);
	size_t result;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

void
hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void
human_bytes(unsigned long long n, char *out, size_t outsz)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(out, outsz, "%llu B", n);
	else
		snprintf(out, outsz, "%.1f %s", v, units[u]);
}

char *
str_utf8(const char *s)
{
	const unsigned char *c = (const unsigned char *)s;
	struct sbuf b;
	size_t n;

	sbuf_init(&b);
	sbuf_add(&b, "");
	while (*c != '\0') {
		if ((n = utf8_len(c)) == 0) {
			sbuf_add(&b, "\xef\xbf\xbd");
			c++;
		} else {
			sbuf_addn(&b, (const char *)c, n);
			c += n;
		}
	}
	return sbuf_detach(&b);
}
