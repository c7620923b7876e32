/* Addresses a user types (a console's host name, IPv4 or IPv6 address):
 * one normal text form for each, so that the same address is stored,
 * found and compared the same way wherever it is used (answers, pair,
 * consoles enable|disable). Host names are not resolved. */
#ifndef ES_ADDR_H
#define ES_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "strlist.h"
#include "util.h"

/* The normal form of an address as typed: an IPv6 literal loses the
 * brackets around it ("[::1]" gives "::1"); a numeric address becomes its
 * canonical text (plat_addr_canonical: "0:0:0:0:0:0:0:1" gives "::1");
 * a host name is lower-cased (DNS names ignore case, RFC 4343:
 * "LocalHost" gives "localhost"). Anything else comes back as it is.
 * Caller frees. */
char *addr_normal(const char *typed);
/* True when a and b are the same address in normal form. NULL matches
 * nothing. */
bool addr_same(const char *a, const char *b);
/* Append host as it goes before ":PORT" in a URL or a message: an IPv6
 * address in brackets ("[fd00::5]"), anything else as it is. */
void addr_add_host(struct sbuf *b, const char *host);
/* "HOST:PORT" with addr_add_host(): "[::1]:40815". Caller frees. */
char *addr_with_port(const char *host, unsigned port);

/* A numeric address as its bytes, as the platforms read them from the
 * host's interfaces. */
struct addr_raw {
	bool v6;                   /* IPv6 (16 bytes), else IPv4 (4) */
	unsigned char bytes[16];   /* network order */
};

/* The text of a numeric address into out (at least 46 bytes, as
 * INET6_ADDRSTRLEN): IPv4 in dotted decimal, IPv6 as RFC 5952 says and
 * as glibc's inet_ntop(3) writes it, so that every platform gives the
 * same text: lower-case hex without leading zeros, the longest run of
 * two or more zero groups (the first of equal runs) as "::", and
 * "::a.b.c.d" and "::ffff:a.b.c.d" for IPv4-compatible and IPv4-mapped
 * addresses (RFC 4291 2.5.5). */
void addr_text(const struct addr_raw *a, char *out, size_t outsz);
/* The addresses other machines may reach this host at, among the n in v
 * (those of its interfaces that are up and not loopbacks; v is sorted in
 * place), appended to out as addr_text() writes them: without
 * 127.0.0.0/8 and ::1; IPv4 first, then IPv6, each in numeric order,
 * each once; link-local ones (169.254.0.0/16, fe80::/10) only when there
 * is no other. This is plat_host_addresses() after the platform has read
 * the interfaces. */
void addr_host_list(struct addr_raw *v, size_t n, struct strlist *out);

#endif
