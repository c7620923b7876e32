/* Addresses a user types (a console's host name, IPv4 or IPv6 address):
 * one normal text form for each, so that the same address is stored,
 * found and compared the same way wherever it is used (answers, pair,
 * consoles enable|disable). Host names are not resolved. */
#ifndef ES_ADDR_H
#define ES_ADDR_H

#include <stdbool.h>

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

#endif
