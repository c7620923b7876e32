/* Network addresses on Linux: this host's own (getifaddrs(3)) and the
 * text form of a numeric address (inet_pton(3), inet_ntop(3)). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "platform.h"
#include "util.h"

/* One address in a form that sorts: the family first (IPv4 before IPv6),
 * then the address bytes in network order, which is numeric order. */
struct plat_addr {
	int family;
	unsigned char bytes[16];
	bool link_local;
};

static int
plat_addr_cmp(const void *a, const void *b)
{
	const struct plat_addr *x = a, *y = b;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	return memcmp(x->bytes, y->bytes, sizeof x->bytes);
}

/* RFC 3927 (169.254.0.0/16) and RFC 4291 section 2.5.6 (fe80::/10):
 * reachable only on the link, and by a name that needs a zone there. */
static bool
plat_addr_is_link_local(int family, const unsigned char *b)
{
	if (family == AF_INET)
		return b[0] == 169 && b[1] == 254;
	return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

static bool
plat_addr_is_loopback(int family, const unsigned char *b)
{
	static const unsigned char v6_loopback[16] = { [15] = 1 };

	if (family == AF_INET)
		return b[0] == 127;
	return memcmp(b, v6_loopback, 16) == 0;
}

void
plat_host_addresses(struct strlist *out)
{
	struct ifaddrs *all = NULL, *ifa;
	struct plat_addr *v = NULL;
	size_t n = 0, cap = 0, i;
	bool any_global = false;
	char text[INET6_ADDRSTRLEN];

	if (getifaddrs(&all) != 0)
		return;
	for (ifa = all; ifa != NULL; ifa = ifa->ifa_next) {
		struct plat_addr a;

		if (ifa->ifa_addr == NULL || !(ifa->ifa_flags & IFF_UP) ||
		    (ifa->ifa_flags & IFF_LOOPBACK))
			continue;
		memset(&a, 0, sizeof a);
		a.family = ifa->ifa_addr->sa_family;
		if (a.family == AF_INET)
			memcpy(a.bytes, &((struct sockaddr_in *)
			    (void *)ifa->ifa_addr)->sin_addr, 4);
		else if (a.family == AF_INET6)
			memcpy(a.bytes, &((struct sockaddr_in6 *)
			    (void *)ifa->ifa_addr)->sin6_addr, 16);
		else
			continue;
		if (plat_addr_is_loopback(a.family, a.bytes))
			continue;
		a.link_local = plat_addr_is_link_local(a.family, a.bytes);
		any_global = any_global || !a.link_local;
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = a;
	}
	freeifaddrs(all);
	if (n > 0)
		qsort(v, n, sizeof *v, plat_addr_cmp);
	for (i = 0; i < n; i++) {
		if ((any_global && v[i].link_local) ||
		    (i > 0 && plat_addr_cmp(&v[i - 1], &v[i]) == 0))
			continue;
		if (inet_ntop(v[i].family, v[i].bytes, text, sizeof text) !=
		    NULL)
			strlist_add(out, text);
	}
	free(v);
}

bool
plat_addr_canonical(const char *s, char *out, size_t outsz)
{
	unsigned char bytes[16];
	int family = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(family, s, bytes) != 1)
		return false;
	return inet_ntop(family, bytes, out, (socklen_t)outsz) != NULL;
}
