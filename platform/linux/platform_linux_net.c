/* Network addresses on Linux: this host's own (getifaddrs(3), chosen and
 * ordered by addr_host_list) and the text form of a numeric address
 * (inet_pton(3), inet_ntop(3)); whether a local port accepts connections
 * (a service's readiness). */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

void
plat_wait_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
}

/* Connect to addr (a sockaddr_in or _in6) within timeout_ms. */
static bool
plat_connect_within(const struct sockaddr *addr, socklen_t len,
    unsigned timeout_ms)
{
	struct pollfd pfd;
	socklen_t elen = sizeof(int);
	int fd, err = 0, rc;
	bool ok = false;

	fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, addr, len);
	if (rc == 0)
		ok = true;
	else if (errno == EINPROGRESS) {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)timeout_ms) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 &&
		    err == 0)
			ok = true;
	}
	close(fd);
	return ok;
}

bool
plat_local_port_accepts(unsigned port, unsigned timeout_ms)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;

	if (port == 0 || port > 65535)
		return false;
	memset(&a4, 0, sizeof a4);
	a4.sin_family = AF_INET;
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a4.sin_port = htons((uint16_t)port);
	if (plat_connect_within((const struct sockaddr *)&a4, sizeof a4,
	    timeout_ms))
		return true;
	memset(&a6, 0, sizeof a6);
	a6.sin6_family = AF_INET6;
	a6.sin6_addr = in6addr_loopback;
	a6.sin6_port = htons((uint16_t)port);
	return plat_connect_within((const struct sockaddr *)&a6, sizeof a6,
	    timeout_ms);
}
