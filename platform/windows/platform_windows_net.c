/* Network on Windows: this host's own addresses (GetAdaptersAddresses,
 * chosen and ordered by addr_host_list), the text form of a numeric
 * address (inet_pton, written by addr_text), whether a TCP port is
 * taken (a Winsock bind) and whether a local one accepts connections (a
 * service's readiness). */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "platform.h"
#include "platform_windows.h"
#include "util.h"

static INIT_ONCE plat_wsa_once = INIT_ONCE_STATIC_INIT;
static bool plat_wsa_ok;

static BOOL CALLBACK
plat_wsa_start(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
	WSADATA wsa;

	(void)once;
	(void)param;
	(void)ctx;
	plat_wsa_ok = WSAStartup(MAKEWORD(2, 2), &wsa) == 0;
	return TRUE;
}

/* Winsock is started once for the life of the process (WSAStartup; the
 * matching WSACleanup is left to the process's end). False when it cannot
 * be. */
static bool
plat_wsa(void)
{
	InitOnceExecuteOnce(&plat_wsa_once, plat_wsa_start, NULL, NULL);
	return plat_wsa_ok;
}

void
plat_host_addresses(struct strlist *out)
{
	IP_ADAPTER_ADDRESSES *all = NULL, *ad;
	IP_ADAPTER_UNICAST_ADDRESS *ua;
	ULONG size = 16 * 1024, rc = ERROR_BUFFER_OVERFLOW;
	struct addr_raw *v = NULL;
	size_t n = 0, cap = 0;
	int tries;

	/* The list can grow between the two calls: try again with the size
	 * the last one asked for (GetAdaptersAddresses, "Remarks"). */
	for (tries = 0; tries < 4 && rc == ERROR_BUFFER_OVERFLOW; tries++) {
		free(all);
		all = xmalloc(size);
		rc = GetAdaptersAddresses(AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST |
		    GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER |
		    GAA_FLAG_SKIP_FRIENDLY_NAME, NULL, all, &size);
	}
	if (rc != NO_ERROR) {
		free(all);
		return;
	}
	for (ad = all; ad != NULL; ad = ad->Next) {
		if (ad->OperStatus != IfOperStatusUp ||
		    ad->IfType == IF_TYPE_SOFTWARE_LOOPBACK)
			continue;
		for (ua = ad->FirstUnicastAddress; ua != NULL;
		    ua = ua->Next) {
			const struct sockaddr *sa = ua->Address.lpSockaddr;
			struct addr_raw a;

			if (sa == NULL)
				continue;
			memset(&a, 0, sizeof a);
			if (sa->sa_family == AF_INET)
				memcpy(a.bytes, &((const struct sockaddr_in *)
				    (const void *)sa)->sin_addr, 4);
			else if (sa->sa_family == AF_INET6) {
				a.v6 = true;
				memcpy(a.bytes, &((const struct sockaddr_in6 *)
				    (const void *)sa)->sin6_addr, 16);
			} else
				continue;
			if (n == cap) {
				cap = cap != 0 ? cap * 2 : 8;
				v = xrealloc(v, cap * sizeof *v);
			}
			v[n++] = a;
		}
	}
	free(all);
	addr_host_list(v, n, out);
	free(v);
}

/* Whether s is an IPv4 address in the one form glibc's inet_pton(3)
 * takes: four decimal numbers up to 255, without leading zeros. Windows'
 * inet_pton gives the bytes; the form is told by writing them back, since
 * some versions of it (and Wine) also take "127.1", "0x7f.0.0.1" or
 * "010.0.0.1" (RtlIpv4StringToAddress without its strict mode). */
static bool
plat_ipv4_strict(const char *s, struct addr_raw *a)
{
	char text[INET6_ADDRSTRLEN];

	memset(a, 0, sizeof *a);
	if (strlen(s) >= INET_ADDRSTRLEN ||
	    inet_pton(AF_INET, s, a->bytes) != 1)
		return false;
	addr_text(a, text, sizeof text);
	return strcmp(text, s) == 0;
}

static bool
plat_is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Whether s has the shape inet_pton(3) takes for IPv6 on Linux before
 * Windows' inet_pton reads it: hex digits in groups of at most four
 * between colons, and a dotted IPv4 address (in the strict form) only as
 * the last group. This refuses what Windows may take and glibc does not:
 * a zone ("%eth0", "%12"), brackets, a port, blanks. */
static bool
plat_ipv6_shape(const char *s)
{
	const char *last = strrchr(s, ':'), *end, *p;
	size_t group = 0;
	struct addr_raw v4;
	bool dotted;

	if (last == NULL)
		return false;
	dotted = strchr(last + 1, '.') != NULL;
	if (dotted && !plat_ipv4_strict(last + 1, &v4))
		return false;
	end = dotted ? last + 1 : s + strlen(s);
	for (p = s; p < end; p++) {
		if (*p == ':')
			group = 0;
		else if (!plat_is_hex(*p) || ++group > 4)
			return false;
	}
	return true;
}

bool
plat_addr_canonical(const char *s, char *out, size_t outsz)
{
	struct addr_raw a;
	char text[INET6_ADDRSTRLEN];

	if (!plat_wsa())
		return false;
	memset(&a, 0, sizeof a);
	if (strchr(s, ':') != NULL) {
		a.v6 = true;
		if (!plat_ipv6_shape(s) || inet_pton(AF_INET6, s, a.bytes) != 1)
			return false;
	} else if (!plat_ipv4_strict(s, &a))
		return false;
	addr_text(&a, text, sizeof text);
	if (strlen(text) >= outsz)
		return false;
	memcpy(out, text, strlen(text) + 1);
	return true;
}

/* Try to bind a TCP listener on the wildcard address of family af, with
 * SO_EXCLUSIVEADDRUSE: without it Windows lets a wildcard bind share a
 * port that another program has bound to one address, and lets a program
 * that asked for SO_REUSEADDR take the port over ("Using SO_REUSEADDR and
 * SO_EXCLUSIVEADDRUSE"). Returns the Winsock error of bind, 0 when it
 * bound, or -1 when the family is not available. */
static int
plat_try_bind(int af, unsigned port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	SOCKET s;
	BOOL one = TRUE;
	int rc = 0;

	/* WSA_FLAG_NO_HANDLE_INHERIT needs Windows 7 SP1. */
	s = WSASocketW(af, SOCK_STREAM, IPPROTO_TCP, NULL, 0,
	    WSA_FLAG_NO_HANDLE_INHERIT);
	if (s == INVALID_SOCKET && WSAGetLastError() == WSAEINVAL)
		s = WSASocketW(af, SOCK_STREAM, IPPROTO_TCP, NULL, 0, 0);
	if (s == INVALID_SOCKET)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&one,
	    sizeof one);
	if (af == AF_INET6) {
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&one,
		    sizeof one);
		memset(&sin6, 0, sizeof sin6);
		sin6.sin6_family = AF_INET6;
		sin6.sin6_addr = in6addr_any;
		sin6.sin6_port = htons((u_short)port);
		if (bind(s, (struct sockaddr *)&sin6, sizeof sin6) != 0)
			rc = WSAGetLastError();
	} else {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		sin.sin_port = htons((u_short)port);
		if (bind(s, (struct sockaddr *)&sin, sizeof sin) != 0)
			rc = WSAGetLastError();
	}
	closesocket(s);
	return rc;
}

/* WSAEACCES counts as taken too: bind says it when another program holds
 * the port with SO_EXCLUSIVEADDRUSE, and for a port in a range Windows
 * keeps for itself (`netsh int ipv4 show excludedportrange protocol=tcp`),
 * where the service could not listen either. A connection that ended
 * lately (TIME_WAIT) also makes an exclusive bind fail, so a port that a
 * program closed a moment ago may be reported as taken. */
bool
plat_port_in_use(unsigned port)
{
	int rc;

	if (port == 0 || port > 65535 || !plat_wsa())
		return false;
	rc = plat_try_bind(AF_INET, port);
	if (rc == WSAEADDRINUSE || rc == WSAEACCES)
		return true;
	rc = plat_try_bind(AF_INET6, port);
	return rc == WSAEADDRINUSE || rc == WSAEACCES;
}

void
plat_wait_ms(long ms)
{
	if (ms > 0)
		Sleep((DWORD)ms);
}

/* Connect to addr (a sockaddr_in or _in6) within timeout_ms. */
static bool
plat_connect_within(const struct sockaddr *addr, int len,
    unsigned timeout_ms)
{
	SOCKET fd;
	u_long nb = 1;
	fd_set wr, ex;
	struct timeval tv;
	bool ok = false;

	fd = socket(addr->sa_family, SOCK_STREAM, IPPROTO_TCP);
	if (fd == INVALID_SOCKET)
		return false;
	if (ioctlsocket(fd, FIONBIO, &nb) == 0) {
		if (connect(fd, addr, len) == 0)
			ok = true;
		else if (WSAGetLastError() == WSAEWOULDBLOCK) {
			FD_ZERO(&wr);
			FD_ZERO(&ex);
			FD_SET(fd, &wr);
			FD_SET(fd, &ex);
			tv.tv_sec = (long)(timeout_ms / 1000);
			tv.tv_usec = (long)(timeout_ms % 1000) * 1000;
			/* Winsock: a failed connect shows in the except set. */
			ok = select(0, NULL, &wr, &ex, &tv) > 0 &&
			    FD_ISSET(fd, &wr) && !FD_ISSET(fd, &ex);
		}
	}
	closesocket(fd);
	return ok;
}

bool
plat_local_port_accepts(unsigned port, unsigned timeout_ms)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;

	if (port == 0 || port > 65535 || !plat_wsa())
		return false;
	memset(&a4, 0, sizeof a4);
	a4.sin_family = AF_INET;
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a4.sin_port = htons((u_short)port);
	if (plat_connect_within((const struct sockaddr *)&a4, sizeof a4,
	    timeout_ms))
		return true;
	memset(&a6, 0, sizeof a6);
	a6.sin6_family = AF_INET6;
	a6.sin6_addr = in6addr_loopback;
	a6.sin6_port = htons((u_short)port);
	return plat_connect_within((const struct sockaddr *)&a6, sizeof a6,
	    timeout_ms);
}
