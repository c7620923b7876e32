#include "addr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

char *
addr_normal(const char *typed)
{
	char canon[64], *s, *c;
	size_t n = strlen(typed);

	if (n > 2 && typed[0] == '[' && typed[n - 1] == ']' &&
	    memchr(typed + 1, ':', n - 2) != NULL)
		s = xstrndup(typed + 1, n - 2);
	else
		s = xstrdup(typed);
	if (plat_addr_canonical(s, canon, sizeof canon)) {
		free(s);
		return xstrdup(canon);
	}
	if (strchr(s, ':') == NULL)
		for (c = s; *c != '\0'; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	return s;
}

bool
addr_same(const char *a, const char *b)
{
	char *na, *nb;
	bool same;

	if (a == NULL || b == NULL)
		return false;
	na = addr_normal(a);
	nb = addr_normal(b);
	same = strcmp(na, nb) == 0;
	free(na);
	free(nb);
	return same;
}

void
addr_add_host(struct sbuf *b, const char *host)
{
	if (strchr(host, ':') != NULL && host[0] != '[')
		sbuf_addf(b, "[%s]", host);
	else
		sbuf_add(b, host);
}

char *
addr_with_port(const char *host, unsigned port)
{
	struct sbuf b;

	sbuf_init(&b);
	addr_add_host(&b, host);
	sbuf_addf(&b, ":%u", port);
	return sbuf_detach(&b);
}

static void
addr_ipv4_text(const unsigned char *b, char *out, size_t outsz)
{
	snprintf(out, outsz, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

void
addr_text(const struct addr_raw *a, char *out, size_t outsz)
{
	const unsigned char *b = a->bytes;
	unsigned w[8];
	int i, best = -1, best_len = 0, cur = -1, cur_len = 0;
	size_t o = 0;

	if (!a->v6) {
		addr_ipv4_text(b, out, outsz);
		return;
	}
	for (i = 0; i < 8; i++)
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	for (i = 0; i < 8; i++) {
		if (w[i] != 0) {
			cur = -1;
			continue;
		}
		if (cur < 0) {
			cur = i;
			cur_len = 0;
		}
		if (++cur_len > best_len) {
			best = cur;
			best_len = cur_len;
		}
	}
	if (best_len < 2)
		best = -1;
	out[0] = '\0';
	for (i = 0; i < 8 && o < outsz; i++) {
		if (i == best) {
			/* The group before it left out its colon. */
			o += (size_t)snprintf(out + o, outsz - o, "::");
			i += best_len - 1;
			continue;
		}
		if (i == 6 && best == 0 && (best_len == 6 ||
		    (best_len == 5 && w[5] == 0xffff))) {
			addr_ipv4_text(b + 12, out + o, outsz - o);
			return;
		}
		o += (size_t)snprintf(out + o, outsz - o, "%x%s", w[i],
		    i < 7 && i + 1 != best ? ":" : "");
	}
}

/* IPv4 before IPv6, then the bytes in network order: numeric order. */
static int
addr_raw_cmp(const void *a, const void *b)
{
	const struct addr_raw *x = a, *y = b;

	if (x->v6 != y->v6)
		return x->v6 ? 1 : -1;
	return memcmp(x->bytes, y->bytes, sizeof x->bytes);
}

/* RFC 3927 (169.254.0.0/16) and RFC 4291 section 2.5.6 (fe80::/10):
 * reachable only on the link, and by a name that needs a zone there. */
static bool
addr_raw_link_local(const struct addr_raw *a)
{
	if (!a->v6)
		return a->bytes[0] == 169 && a->bytes[1] == 254;
	return a->bytes[0] == 0xfe && (a->bytes[1] & 0xc0) == 0x80;
}

static bool
addr_raw_loopback(const struct addr_raw *a)
{
	static const unsigned char v6_loopback[16] = { [15] = 1 };

	if (!a->v6)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, v6_loopback, 16) == 0;
}

void
addr_host_list(struct addr_raw *v, size_t n, struct strlist *out)
{
	bool any_global = false;
	char text[46];
	size_t i;

	for (i = 0; i < n; i++)
		if (!addr_raw_loopback(&v[i]) && !addr_raw_link_local(&v[i]))
			any_global = true;
	if (n > 0)
		qsort(v, n, sizeof *v, addr_raw_cmp);
	for (i = 0; i < n; i++) {
		if (addr_raw_loopback(&v[i]) ||
		    (any_global && addr_raw_link_local(&v[i])) ||
		    (i > 0 && addr_raw_cmp(&v[i - 1], &v[i]) == 0))
			continue;
		addr_text(&v[i], text, sizeof text);
		strlist_add(out, text);
	}
}
