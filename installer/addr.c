#include "addr.h"

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
