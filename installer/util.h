/* Memory helpers that treat exhaustion as fatal, a growable string buffer and
 * small string helpers shared by every module. */
#ifndef ES_UTIL_H
#define ES_UTIL_H

#include <stdbool.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called before exiting on out-of-memory; front ends use it to restore the
 * terminal (htop's fail()). */
void util_set_fatal_hook(void (*hook)(void));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

struct sbuf {
	char *s;
	size_t len;
	size_t cap;
};

void sbuf_init(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *s);
void sbuf_addn(struct sbuf *b, const char *s, size_t n);
void sbuf_addf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s escaped for an XML attribute value or text node. */
void sbuf_add_xml(struct sbuf *b, const char *s);
/* Append s as one word of a POSIX shell command line: as it is when it
 * holds only characters the shell leaves alone, else in single quotes. */
void sbuf_add_shell(struct sbuf *b, const char *s);
/* Append " --root ROOT" (ROOT shell-quoted) when root is a --root folder,
 * so that a command printed for the user works as printed; nothing for
 * NULL or "/". */
void sbuf_add_root_option(struct sbuf *b, const char *root);
/* Append s as it may be shown on a terminal: control characters become
 * escapes (\n, \t, \x1b; the C1 controls U+0080 to U+009F as \u009b,
 * the bidirectional controls U+202A..U+202E and U+2066..U+2069 as \u202e),
 * so that text a user or a file supplied cannot move the cursor, clear
 * the screen or break a line. With keep_newlines a newline stays one (a
 * message's own lines). */
void sbuf_add_shown(struct sbuf *b, const char *s, bool keep_newlines);
/* s as sbuf_add_shown() shows it, in b (emptied first; the caller frees
 * it): for one value in a printf. NULL shows as "". */
const char *str_shown(struct sbuf *b, const char *s);
char *sbuf_detach(struct sbuf *b);
void sbuf_free(struct sbuf *b);

/* Overwrite memory that held a secret, in a way the compiler keeps. */
void util_wipe(void *p, size_t n);
/* Wipe and free a NUL-terminated secret. */
void util_free_secret(char *s);

bool str_has_prefix(const char *s, const char *prefix);
bool str_has_suffix(const char *s, const char *suffix);
/* Edit distance between two strings, for "did you mean" suggestions. */
size_t str_distance(const char *a, const char *b);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *in, size_t n, char *out);

/* Format a byte count for people: "1.5 GiB". */
void human_bytes(unsigned long long n, char *out, size_t outsz);
/* A copy of s that is valid UTF-8 (RFC 3629): each byte that does not
 * belong to a valid sequence becomes U+FFFD. Caller frees. */
char *str_utf8(const char *s);

#endif
