/* Network on Windows: this host's own addresses (GetAdaptersAddresses), the
 * text form of a numeric address, and whether a TCP port is taken (a
 * Winsock bind). */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>

#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "platform_windows.h"
#include "util.h"

/* One address in a form that sorts: the family first (IPv4 before IPv6),
 * then the address bytes in network order, which is numeric order. */
struct plat_addr {
	int family;
	unsigned char bytes[16];
	bool link_local;
};

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

/* The text of an IPv4 address: four decimal numbers, no leading zeros. */
static void
plat_ipv4_text(const unsigned char *b, char *out, size_t outsz)
{
	snprintf(out, outsz, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* The RFC 5952 text of an IPv6 address, as glibc's inet_ntop(3) writes it
 * on Linux, so that both platforms give the same text: hex in lower case
 * without leading zeros, the longest run of two or more zero groups (the
 * first of equal runs) as "::", and the last 32 bits as an IPv4 address
 * for "::a.b.c.d" (IPv4-compatible, RFC 4291 2.5.5.1) and
 * "::ffff:a.b.c.d" (IPv4-mapped, 2.5.5.2). Windows' own RtlIpv6-
 * AddressToString differs in such cases between versions. */
static void
plat_ipv6_text(const unsigned char *b, char *out, size_t outsz)
{
	unsigned w[8];
	int i, best = -1, best_len = 0, cur = -1, cur_len = 0;
	size_t o = 0;

	for (i = 0; i < 8; i++)
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	for (i = 0; i < 8; i++) {
		if (w[i] == 0) {
			if (cur < 0) {
				cur = i;
				cur_len = 0;
			}
			if (++cur_len > best_len) {
				best = cur;
				best_len = cur_len;
			}
		} else
			cur = -1;
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
			plat_ipv4_text(b + 12, out + o, outsz - o);
			return;
		}
		o += (size_t)snprintf(out + o, outsz - o, "%x%s", w[i],
		    i < 7 && i + 1 != best ? ":" : "");
	}
}

static void
plat_addr_text(int family, const unsigned char *b, char *out, size_t outsz)
{
	if (family == AF_INET)
		plat_ipv4_text(b, out, outsz);
	else
		plat_ipv6_text(b, out, outsz);
}

void
plat_host_addresses(struct strlist *out)
{
	IP_ADAPTER_ADDRESSES *all = NULL, *ad;
	IP_ADAPTER_UNICAST_ADDRESS *ua;
	ULONG size = 16 * 1024, rc = ERROR_BUFFER_OVERFLOW;
	struct plat_addr *v = NULL;
	size_t n = 0, cap = 0, i;
	bool any_global = false;
	char text[INET6_ADDRSTRLEN];
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
			struct plat_addr a;

			if (sa == NULL)
				continue;
			memset(&a, 0, sizeof a);
			a.family = sa->sa_family;
			if (a.family == AF_INET)
				memcpy(a.bytes, &((const struct sockaddr_in *)
				    (const void *)sa)->sin_addr, 4);
			else if (a.family == AF_INET6)
				memcpy(a.bytes, &((const struct sockaddr_in6 *)
				    (const void *)sa)->sin6_addr, 16);
			else
				continue;
			if (plat_addr_is_loopback(a.family, a.bytes))
				continue;
			a.link_local = plat_addr_is_link_local(a.family,
			    a.bytes);
			any_global = any_global || !a.link_local;
			if (n == cap) {
				cap = cap != 0 ? cap * 2 : 8;
				v = xrealloc(v, cap * sizeof *v);
			}
			v[n++] = a;
		}
	}
	free(all);
	if (n > 0)
		qsort(v, n, sizeof *v, plat_addr_cmp);
	for (i = 0; i < n; i++) {
		if ((any_global && v[i].link_local) ||
		    (i > 0 && plat_addr_cmp(&v[i - 1], &v[i]) == 0))
			continue;
		plat_addr_text(v[i].family, v[i].bytes, text, sizeof text);
		strlist_add(out, text);
	}
	free(v);
}

/* Whether s is an IPv4 address in the one form glibc's inet_pton(3)
 * takes: four decimal numbers up to 255, without leading zeros. Windows'
 * inet_pton gives the bytes; the form is told by writing them back, since
 * some versions of it (and Wine) also take "127.1", "0x7f.0.0.1" or
 * "010.0.0.1" (RtlIpv4StringToAddress without its strict mode). */
static bool
plat_ipv4_strict(const char *s, unsigned char *bytes)
{
	char text[INET_ADDRSTRLEN];

	if (strlen(s) >= sizeof text || inet_pton(AF_INET, s, bytes) != 1)
		return false;
	plat_ipv4_text(bytes, text, sizeof text);
	return strcmp(text, s) == 0;
}

/* Whether s has the shape inet_pton(3) takes for IPv6 on Linux before
 * Windows' inet_pton reads it: hex digits in groups of at most four
 * between colons, and a dotted IPv4 address (in the strict form) only as
 * the last group. This refuses what Windows may take and glibc does not:
 * a zone ("%eth0", "%12"), brackets, a port, blanks. */
static bool
plat_ipv6_shape(const char *s)
{
	const char *last = strrchr(s, ':'), *p;
	size_t group = 0;
	unsigned char v4[4];

	if (last == NULL)
		return false;
	for (p = s; p <= last; p++) {
		if (*p == ':')
			group = 0;
		else if (((*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')) &&
		    ++group <= 4)
			continue;
		else
			return false;
	}
	if (strchr(last + 1, '.') != NULL)
		return plat_ipv4_strict(last + 1, v4);
	for (p = last + 1, group = 0; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		    (*p >= 'A' && *p <= 'F')) || ++group > 4)
			return false;
	return true;
}

bool
plat_addr_canonical(const char *s, char *out, size_t outsz)
{
	unsigned char bytes[16];
	char text[INET6_ADDRSTRLEN];

	if (!plat_wsa())
		return false;
	if (strchr(s, ':') != NULL) {
		if (!plat_ipv6_shape(s) || inet_pton(AF_INET6, s, bytes) != 1)
			return false;
		plat_ipv6_text(bytes, text, sizeof text);
	} else {
		if (!plat_ipv4_strict(s, bytes))
			return false;
		plat_ipv4_text(bytes, text, sizeof text);
	}
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
