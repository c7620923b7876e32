/* nse/logs/nse.log as status reads it: the engine's line for each contact
 * with a console (../shared/engine-protocol.md), read strictly. */
#include "nselog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consoles.h"
#include "error.h"
#include "platform.h"
#include "util.h"

/* Longest line of nse.log looked at: the engine's lines are shorter
 * (each value it writes is at most 64 bytes). */
#define NSELOG_LINE_MAX 1024
/* The longest value the engine writes (engine-protocol.md). */
#define NSELOG_VALUE_MAX 64

/* One line of nse.log: its time and level, and the text after them. */
struct nselog_line {
	char at[21];
	bool warn;                       /* [WARN], else [INFO] */
	const char *rest;                /* after "[INFO] " */
	size_t nrest;
};

/* Does p (n bytes) start with s? */
static bool
nselog_has(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);

	return n >= k && memcmp(p, s, k) == 0;
}

/* n digits at p, their value in *v, within lo..hi. */
static bool
nselog_num(const char *p, size_t n, unsigned lo, unsigned hi,
    unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(p[i] - '0');
	}
	return *v >= lo && *v <= hi;
}

/* Is p (20 bytes) a time as the engine writes it
 * ("2026-11-30T14:20:00Z")? */
static bool
nselog_time(const char *p)
{
	unsigned v;

	return nselog_num(p, 4, 1970, 9999, &v) && p[4] == '-' &&
	    nselog_num(p + 5, 2, 1, 12, &v) && p[7] == '-' &&
	    nselog_num(p + 8, 2, 1, 31, &v) && p[10] == 'T' &&
	    nselog_num(p + 11, 2, 0, 23, &v) && p[13] == ':' &&
	    nselog_num(p + 14, 2, 0, 59, &v) && p[16] == ':' &&
	    nselog_num(p + 17, 2, 0, 60, &v) && p[19] == 'Z';
}

/* The time and level at the start of a line, exactly as the engine
 * writes them ("2026-11-30T14:20:00Z [INFO] "). */
static bool
nselog_head(const char *p, size_t n, struct nselog_line *l)
{
	if (n < 28 || !nselog_time(p))
		return false;
	if (memcmp(p + 20, " [INFO] ", 8) == 0)
		l->warn = false;
	else if (memcmp(p + 20, " [WARN] ", 8) == 0)
		l->warn = true;
	else
		return false;
	memcpy(l->at, p, 20);
	l->at[20] = '\0';
	l->rest = p + 28;
	l->nrest = n - 28;
	return true;
}

/* A value the engine wrote (1 to 64 bytes 0x21..0x7e) ended by a space:
 * its length, 0 when there is none. */
static size_t
nselog_token(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i <= NSELOG_VALUE_MAX; i++) {
		if (p[i] == ' ')
			return i;
		if (p[i] < 0x21 || p[i] > 0x7e)
			return 0;
	}
	return 0;
}

/* Is s one value as the engine writes it (1 to 64 bytes 0x21..0x7e)? */
static bool
nselog_plain(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return i >= 1 && i <= NSELOG_VALUE_MAX;
}

/* id as the engine writes it (engine-protocol.md: each byte outside
 * 0x21..0x7e as '?', at most 64 bytes) into out (65 bytes). */
static void
nselog_value(const char *id, char *out)
{
	size_t i;

	for (i = 0; id[i] != '\0' && i < NSELOG_VALUE_MAX; i++)
		out[i] = (unsigned char)id[i] >= 0x21 &&
		    (unsigned char)id[i] <= 0x7e ? id[i] : '?';
	out[i] = '\0';
}

/* Is p..p+n "<prefix><value> at " with value == want? *used is how far. */
static bool
nselog_who(const char *p, size_t n, const char *prefix,
    const char *want, size_t *used)
{
	size_t k = strlen(prefix), t;

	if (!nselog_has(p, n, prefix))
		return false;
	t = nselog_token(p + k, n - k);
	if (t == 0 || t != strlen(want) || memcmp(p + k, want, t) != 0 ||
	    !nselog_has(p + k + t, n - k - t, " at "))
		return false;
	*used = k + t + 4;
	return true;
}

/* "(<text>)" that ends the line: text (1..max bytes 0x20..0x7e) into
 * out. */
static bool
nselog_paren(const char *p, size_t n, size_t max, char *out,
    size_t outsz)
{
	size_t i;

	if (n < 3 || p[0] != '(' || p[n - 1] != ')' || n - 2 > max ||
	    n - 2 >= outsz)
		return false;
	for (i = 1; i < n - 1; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	memcpy(out, p + 1, n - 2);
	out[n - 2] = '\0';
	return true;
}

/* The result of a check-in line (what follows "port <port>: "). */
static bool
nselog_result(const char *p, size_t n, bool warn,
    struct nselog_checkin *c)
{
	static const char not_contacted[] = "not contacted (the console's "
	    "key does not match its spki)";
	const char *word = NULL;
	size_t k;

	c->detail[0] = '\0';
	if (n == 6 && memcmp(p, "active", 6) == 0) {
		if (warn)
			return false;
		snprintf(c->result, sizeof c->result, "active");
		return true;
	}
	if (!warn)
		return false;
	if (n == 14 && memcmp(p, "unknown-engine", 14) == 0) {
		word = "unknown-engine";
	} else if (n == strlen(not_contacted) && memcmp(p, not_contacted,
	    n) == 0) {
		word = "not-contacted";
		snprintf(c->detail, sizeof c->detail, "the console's key does "
		    "not match its spki");
	} else if (nselog_has(p, n, "incompatible (console ")) {
		k = strlen("incompatible ");
		/* "console <X.Y.Z>": the version is one value. */
		if (nselog_paren(p + k, n - k, 8 +
		    NSELOG_VALUE_MAX, c->detail, sizeof c->detail) &&
		    nselog_plain(c->detail + 8))
			word = "incompatible";
	} else if (nselog_has(p, n, "failed (")) {
		k = strlen("failed ");
		if (nselog_paren(p + k, n - k, NSELOG_VALUE_MAX,
		    c->detail, sizeof c->detail))
			word = "failed";
	}
	if (word == NULL)
		return false;
	snprintf(c->result, sizeof c->result, "%s", word);
	return true;
}

/* Call fn on each whole line of log (ended by a newline, at most
 * NSELOG_LINE_MAX bytes, no NUL byte) whose head parses. */
static void
nselog_lines(const char *log, size_t len,
    void (*fn)(const struct nselog_line *, void *), void *arg)
{
	const char *p = log, *end = log + len, *nl;
	struct nselog_line l;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		size_t n = (size_t)(nl - p);

		if (n <= NSELOG_LINE_MAX && memchr(p, '\0', n) == NULL &&
		    nselog_head(p, n, &l))
			fn(&l, arg);
		p = nl + 1;
	}
}

/* What a walk over the lines looks for, and what it found. */
struct nselog_find {
	char want[NSELOG_VALUE_MAX + 1];   /* the id, as the engine writes it */
	char address[NSELOG_VALUE_MAX + 1];   /* so too the address */
	const char *port;                  /* NULL: address and port any */
	const char *since;
	struct nselog_checkin *checkin;
	bool refreshed;
};

/* Whether the n bytes at p are the string want. */
static bool
nselog_is(const char *p, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(p, want, n) == 0;
}

static void
nselog_checkin_line(const struct nselog_line *l, void *arg)
{
	struct nselog_find *f = arg;
	struct nselog_checkin c;
	const char *p = l->rest;
	size_t n = l->nrest, used, t;
	unsigned port;

	memset(&c, 0, sizeof c);
	/* A start of the engine: check-ins before it were an earlier run's
	 * (an older version's before an upgrade, another identity's), not
	 * what this one knows of its console. */
	if (nselog_is(p, n, "Scan Engine initialization completed") ||
	    nselog_is(p, n, "Security Console initialization completed")) {
		memset(f->checkin, 0, sizeof *f->checkin);
		return;
	}
	if (!nselog_who(p, n, "Check-in to console ", f->want, &used))
		return;
	p += used;
	n -= used;
	/* <address> port <port>: <result> */
	if ((t = nselog_token(p, n)) == 0 ||
	    !nselog_has(p + t, n - t, " port "))
		return;
	/* A line about another address is another console's. */
	if (f->port != NULL && !nselog_is(p, t, f->address))
		return;
	p += t + 6;
	n -= t + 6;
	for (t = 0; t < n && t < 6 && p[t] >= '0' && p[t] <= '9'; t++)
		;
	if (t == 0 || t > 5 || (p[0] == '0') ||
	    !nselog_num(p, t, 1, 65535, &port) ||
	    !nselog_has(p + t, n - t, ": "))
		return;
	if (f->port != NULL && !nselog_is(p, t, f->port))
		return;
	p += t + 2;
	n -= t + 2;
	if (!nselog_result(p, n, l->warn, &c))
		return;
	c.seen = true;
	memcpy(c.at, l->at, sizeof c.at);
	*f->checkin = c;
}

bool
nselog_last_checkin(const char *log, size_t len, const char *id,
    const char *address, const char *port, struct nselog_checkin *out)
{
	struct nselog_find f;

	memset(out, 0, sizeof *out);
	memset(&f, 0, sizeof f);
	nselog_value(id, f.want);
	f.checkin = out;
	if ((address == NULL) != (port == NULL))
		return false;
	if (port != NULL) {
		nselog_value(address, f.address);
		f.port = port;
		/* "" (none known) matches no line: the engine writes none. */
		if (f.address[0] == '\0' || port[0] == '\0')
			return false;
	}
	if (f.want[0] != '\0')
		nselog_lines(log, len, nselog_checkin_line, &f);
	return out->seen;
}

static void
nselog_refresh_line(const struct nselog_line *l, void *arg)
{
	struct nselog_find *f = arg;
	const char *p = l->rest;
	size_t n = l->nrest, used, t;

	if (l->warn || strcmp(l->at, f->since) < 0 ||
	    !nselog_who(p, n, "Refresh from console ", f->want, &used))
		return;
	p += used;
	n -= used;
	/* "<peer>: active": the peer (an IPv6 address has colons of its
	 * own) is one value, and the colon after it ends it. */
	t = nselog_token(p, n);
	if (t < 2 || p[t - 1] != ':')
		return;
	if (n - t - 1 == 6 && memcmp(p + t + 1, "active", 6) == 0)
		f->refreshed = true;
}

bool
nselog_refreshed(const char *log, size_t len, const char *console_id,
    const char *since)
{
	struct nselog_find f;

	memset(&f, 0, sizeof f);
	nselog_value(console_id, f.want);
	/* since must be a time as the lines have them, so that the times
	 * compare as strings. */
	if (f.want[0] == '\0' || strlen(since) != 20 ||
	    !nselog_time(since))
		return false;
	f.since = since;
	nselog_lines(log, len, nselog_refresh_line, &f);
	return f.refreshed;
}

char *
nselog_tail(const char *idir, size_t *len)
{
	struct es_err e;
	FILE *fp;
	char *buf, *nl;
	size_t n;
	bool cut = true;

	err_clear(&e);
	*len = 0;
	fp = plat_fopen_beneath(idir, CONSOLES_LOG_REL, &e);
	if (fp == NULL)
		return NULL;
	/* One byte more than the tail: the line that byte ends (or
	 * continues) is cut, and is not read. */
	if (fseek(fp, -(long)(NSELOG_TAIL + 1), SEEK_END) != 0) {
		cut = false;
		if (fseek(fp, 0, SEEK_SET) != 0) {
			fclose(fp);
			return NULL;
		}
	}
	buf = xmalloc(NSELOG_TAIL + 2);
	n = fread(buf, 1, NSELOG_TAIL + 1, fp);
	if (ferror(fp)) {
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	if (cut) {
		nl = memchr(buf, '\n', n);
		n = nl == NULL ? 0 : n - (size_t)(nl + 1 - buf);
		memmove(buf, nl == NULL ? buf : nl + 1, n);
		buf[n] = '\0';
	}
	*len = n;
	return buf;
}
