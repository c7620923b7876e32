/* Network addresses on Linux: this host's own (getifaddrs(3), chosen and
 * ordered by addr_host_list) and the text form of a numeric address
 * (inet_pton(3), inet_ntop(3)). */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "platform.h"
#include "util.h"

void
plat_host_addresses(struct strlist *out)
{
	struct ifaddrs *all = NULL, *ifa;
	struct addr_raw *v = NULL;
	size_t n = 0, cap = 0;

	if (getifaddrs(&all) != 0)
		return;
	for (ifa = all; ifa != NULL; ifa = ifa->ifa_next) {
		struct addr_raw a;

		if (ifa->ifa_addr == NULL || !(ifa->ifa_flags & IFF_UP) ||
		    (ifa->ifa_flags & IFF_LOOPBACK))
			continue;
		memset(&a, 0, sizeof a);
		if (ifa->ifa_addr->sa_family == AF_INET)
			memcpy(a.bytes, &((struct sockaddr_in *)
			    (void *)ifa->ifa_addr)->sin_addr, 4);
		else if (ifa->ifa_addr->sa_family == AF_INET6) {
			a.v6 = true;
			memcpy(a.bytes, &((struct sockaddr_in6 *)
			    (void *)ifa->ifa_addr)->sin6_addr, 16);
		} else
			continue;
		if (n == cap) {
			cap = cap != 0 ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = a;
	}
	freeifaddrs(all);
	addr_host_list(v, n, out);
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
