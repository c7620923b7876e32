/* The engine side of the Engine-to-Console pairing protocol, version 1
 * (../shared/pairing-protocol.md). */
#include "pairing.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "util.h"

/* pairing-protocol.md, "Roles and transport". */
#define PAIRING_PORT		40815
#define PAIRING_BODY_MAX	65536
#define PAIRING_CONNECT_MS	10000
#define PAIRING_TOTAL_MS	30000
#define PAIRING_NONCE_LEN	16

/* README.md, "Ports". */
#define PAIRING_PORTS \
	"Engine-to-Console: engine -> console TCP 40815; " \
	"Console-to-Engine: console -> engine TCP 40814"

/* Where the console shows the secret (pairing-protocol.md, "Errors"). */
#define PAIRING_NEW_SECRET \
	"generate a new shared secret in the console (Administration > " \
	"Scans > Manage scan engines > Generate Scan Engine Shared Secret); " \
	"it is valid for 60 minutes"

/* What the handshake showed; filled by pairing_verify() during it. */
struct pairing_tls {
	const char *pin;                /* 64 lower-case hex, or NULL */
	bool ca;                        /* validate against ca_file too */
	bool seen;                      /* a leaf certificate was seen */
	bool pin_failed;
	bool key_changed;               /* a reconnection showed another key */
	bool ca_failed;
	char spki[65];                  /* of the first leaf seen */
	char other[65];                 /* another key, on a reconnection */
	char version[16];               /* "TLSv1.3" */
	char *pem;                      /* the first leaf */
};

struct pairing_ctx {
	const struct pairing_opts *o;
	struct es_err *e;
	struct pairing_result *r;

	CURLM *multi;                   /* runs curl, so that a wait can be
	                                 * stopped (pairing_perform) */
	CURL *curl;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	char *urlhost;                  /* IPv6 in brackets, zone as %25 */
	char *where;                    /* "host:port" for people */
	char *name;                     /* the host alone */
	unsigned port;
	char *proxy;                    /* the proxy that may be used, for
	                                 * people (no credentials), or NULL */
	long connect_ms;
	long total_ms;
	long used_ms;                   /* spent by earlier requests */
	long limit_connect_ms;          /* what the current request got */
	long limit_ms;

	struct pairing_tls tls;
	struct sbuf body;               /* the current response */
	bool too_large;
	long http;

	enum pairing_stage next;        /* the first stage not reported */
	int signals_at_start;           /* o->signals() when the run began */
	bool stopped;                   /* o->stop said stop */

	char S[33];                     /* the normalized secret */
	unsigned char K[32];
	char secret_id[17];
	char engine_nonce[2 * PAIRING_NONCE_LEN + 1];
	char console_nonce[2 * PAIRING_NONCE_LEN + 1];
	char engine_spki[65];
	char pin[65];
};

static const char *const pairing_stage_names[PAIRING_NSTAGES] = {
	[PAIRING_RESOLVE] = "Resolve",
	[PAIRING_CONNECT] = "TCP connect",
	[PAIRING_TLS] = "TLS handshake",
	[PAIRING_KEY] = "Console key",
	[PAIRING_HELLO] = "Hello",
	[PAIRING_PROOF] = "Engine proof",
	[PAIRING_CONSOLE_PROOF] = "Console proof",
	[PAIRING_VERSION] = "Version",
};

const char *
pairing_stage_name(enum pairing_stage s)
{
	if ((unsigned)s >= PAIRING_NSTAGES)
		return "?";
	return pairing_stage_names[s];
}

/* ASCII white space, whatever the locale says. */
static bool
pairing_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' ||
	    ch == '\f' || ch == '\r';
}

static bool
pairing_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool
pairing_is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!pairing_is_digit(s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return false;
	}
	return s[n] == '\0';
}

bool
pairing_normalize_secret(const char *typed, char out[33])
{
	size_t n = 0;
	char ch;

	if (typed == NULL)
		goto bad;
	for (; *typed != '\0'; typed++) {
		ch = *typed;
		if (ch == '-' || pairing_is_space(ch))
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (!pairing_is_digit(ch) && (ch < 'A' || ch > 'Z'))
			goto bad;
		if (n == 32)
			goto bad;
		out[n++] = ch;
	}
	if (n != 32)
		goto bad;
	out[32] = '\0';
	return true;

bad:
	util_wipe(out, 33);
	return false;
}

/* Say why a secret does not normalize, without quoting any of it. */
static void
pairing_secret_problem(const char *typed, char *out, size_t outsz)
{
	size_t n = 0, pos = 0;
	char ch;

	if (typed == NULL || *typed == '\0') {
		snprintf(out, outsz, "it is empty");
		return;
	}
	for (; *typed != '\0'; typed++) {
		pos++;
		ch = *typed;
		if (ch == '-' || pairing_is_space(ch))
			continue;
		if (!pairing_is_digit(ch) && (ch < 'A' || ch > 'Z') &&
		    (ch < 'a' || ch > 'z')) {
			snprintf(out, outsz, "character %zu is not a letter "
			    "A-Z or a digit", pos);
			return;
		}
		n++;
	}
	snprintf(out, outsz, "it has %zu letters and digits, not 32", n);
}

void
pairing_secret_id(const char *S, char out[17])
{
	static const char label[] = "pairing-v1 secret-id:";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *ctx;

	ctx = EVP_MD_CTX_new();
	if (ctx == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, label, sizeof label - 1) != 1 ||
	    EVP_DigestUpdate(ctx, S, strlen(S)) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32)
		fatal("cannot compute SHA-256: OpenSSL failed");
	EVP_MD_CTX_free(ctx);
	hex_encode(md, 8, out);
	util_wipe(md, sizeof md);
}

void
pairing_key(const char *S, unsigned char K[32])
{
	static const char label[] = "pairing-v1 key";
	unsigned int len = 0;

	if (HMAC(EVP_sha256(), S, (int)strlen(S),
	    (const unsigned char *)label, sizeof label - 1, K, &len) == NULL ||
	    len != 32)
		fatal("cannot compute HMAC-SHA256: OpenSSL failed");
}

/* Hex HMAC-SHA256(K, lines joined by "\n", no trailing newline). */
static void
pairing_hmac_lines(const unsigned char K[32], const char *const *lines,
    size_t n, char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	struct sbuf m;
	size_t i;

	sbuf_init(&m);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_add(&m, "\n");
		sbuf_add(&m, lines[i]);
	}
	if (HMAC(EVP_sha256(), K, 32, (const unsigned char *)m.s, m.len,
	    mac, &len) == NULL || len != 32)
		fatal("cannot compute HMAC-SHA256: OpenSSL failed");
	hex_encode(mac, 32, out);
	util_wipe(mac, sizeof mac);
	sbuf_free(&m);
}

void
pairing_engine_proof(const unsigned char K[32], const char *console_nonce,
    const char *engine_nonce, const char *console_spki,
    const char *engine_spki, const char *engine_id,
    const char *engine_version, bool dry_run, char out[65])
{
	const char *lines[] = {
		"pairing-v1 engine", console_nonce, engine_nonce,
		console_spki, engine_spki, engine_id, engine_version,
		dry_run ? "1" : "0",
	};

	pairing_hmac_lines(K, lines, sizeof lines / sizeof lines[0], out);
}

void
pairing_console_proof(const unsigned char K[32], const char *engine_nonce,
    const char *console_nonce, const char *console_spki,
    const char *engine_spki, const char *engine_id, const char *status,
    char out[65])
{
	const char *lines[] = {
		"pairing-v1 console", engine_nonce, console_nonce,
		console_spki, engine_spki, engine_id, status,
	};

	pairing_hmac_lines(K, lines, sizeof lines / sizeof lines[0], out);
}

void
pairing_result_free(struct pairing_result *r)
{
	if (r == NULL)
		return;
	free(r->console_cert_pem);
	r->console_cert_pem = NULL;
}

/* ---- Reporting ---- */

/* Copy text from the network or the user into out for a message: printable
 * ASCII only, shortened with "...". */
static void
pairing_clean(const char *in, char *out, size_t outsz)
{
	size_t i = 0;

	for (; in != NULL && *in != '\0' && i + 1 < outsz; in++) {
		if (outsz >= 4 && i + 4 >= outsz && in[1] != '\0') {
			memcpy(out + i, "...", 3);
			i += 3;
			break;
		}
		out[i++] = *in >= 0x20 && *in < 0x7f ? *in : '?';
	}
	out[i] = '\0';
}

/* "10 s", "1.5 s". */
static void
pairing_secs(long ms, char *out, size_t outsz)
{
	if (ms % 1000 == 0)
		snprintf(out, outsz, "%ld s", ms / 1000);
	else
		snprintf(out, outsz, "%.1f s", (double)ms / 1000.0);
}

/* Tell the caller how one stage ended. */
static void
pairing_step(struct pairing_ctx *c, enum pairing_stage s,
    enum pairing_outcome outcome, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
pairing_step(struct pairing_ctx *c, enum pairing_stage s,
    enum pairing_outcome outcome, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (c->o->step != NULL)
		c->o->step(s, outcome, detail, c->o->step_arg);
	c->next = s + 1;
}

/* What the caller sees for a stage that passed on the transport level. */
static void
pairing_pass_detail(struct pairing_ctx *c, enum pairing_stage s, char *out,
    size_t outsz)
{
	const char *ip;
	char *info = NULL;
	long port = 0, tunnel = 0;

	/* libcurl 7.88 leaves the address empty when the connection
	 * failed; the host itself is the best that can be said then. */
	curl_easy_getinfo(c->curl, CURLINFO_PRIMARY_IP, &info);
	curl_easy_getinfo(c->curl, CURLINFO_PRIMARY_PORT, &port);
	curl_easy_getinfo(c->curl, CURLINFO_HTTP_CONNECTCODE, &tunnel);
	ip = info != NULL && *info != '\0' ? info : c->name;
	if (port == 0)
		port = (long)c->port;
	switch (s) {
	case PAIRING_RESOLVE:
		if (tunnel != 0)
			snprintf(out, outsz, "%s (the proxy)", ip);
		else
			snprintf(out, outsz, "%s", ip);
		break;
	case PAIRING_CONNECT:
		if (strchr(ip, ':') != NULL)
			snprintf(out, outsz, "[%s]:%ld", ip, port);
		else
			snprintf(out, outsz, "%s:%ld", ip, port);
		if (tunnel != 0)
			snprintf(out + strlen(out), outsz - strlen(out),
			    ", tunnel through the proxy to %s", c->where);
		break;
	case PAIRING_TLS:
		snprintf(out, outsz, "%s", c->tls.version[0] != '\0' ?
		    c->tls.version : "TLS");
		break;
	case PAIRING_KEY:
		snprintf(out, outsz, "sha256:%s%s", c->tls.spki,
		    c->tls.pin != NULL ? " (matches the pin)" :
		    c->tls.ca ? " (trusted by the CA file)" : "");
		break;
	default:
		snprintf(out, outsz, "done");
		break;
	}
}

/* Report every stage before s that has not been reported as passed. */
static void
pairing_pass_until(struct pairing_ctx *c, enum pairing_stage s)
{
	char detail[512];

	while (c->next < s) {
		pairing_pass_detail(c, c->next, detail, sizeof detail);
		pairing_step(c, c->next, PAIRING_OK, "%s", detail);
	}
}

/* Stage s failed: report it (and the stages before it as passed) and
 * record the message for the user. */
static void
pairing_fail(struct pairing_ctx *c, enum pairing_stage s, const char *brief,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
pairing_fail(struct pairing_ctx *c, enum pairing_stage s, const char *brief,
    const char *fmt, ...)
{
	char msg[ES_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (s < c->next)
		s = c->next;
	pairing_pass_until(c, s);
	pairing_step(c, s, PAIRING_FAILED, "%s", brief);
	err_set(c->e, ES_EPAIR, "%s", msg);
}

/* The answer broke the protocol; say what it was and name the status. */
static void
pairing_protocol(struct pairing_ctx *c, enum pairing_stage s,
    const char *req, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
pairing_protocol(struct pairing_ctx *c, enum pairing_stage s,
    const char *req, const char *fmt, ...)
{
	char what[512], brief[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(brief, sizeof brief, "protocol error (HTTP %ld)", c->http);
	pairing_fail(c, s, brief, "the console at %s answered the %s request "
	    "with HTTP %ld and %s: that is not pairing protocol 1. Check "
	    "that %s is the console's pairing listener and that no proxy "
	    "answers in its place; if it is, report this message",
	    c->where, req, c->http, what, c->where);
}

/* ---- Checking what the caller gave ---- */

/* A host name, IPv4 or IPv6 address (brackets optional); sets the URL and
 * display forms. */
static bool
pairing_check_host(struct pairing_ctx *c)
{
	const char *h = c->o->host;
	char shown[128];
	struct sbuf url;
	size_t n, i;

	if (h == NULL || *h == '\0') {
		err_set(c->e, ES_EUSAGE, "no console address to pair with: "
		    "give the console's host name or IP address "
		    "(console_address); nothing was sent");
		return false;
	}
	n = strlen(h);
	if (h[0] == '[' && n > 2 && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	for (i = 0; i < n; i++) {
		char ch = h[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    pairing_is_digit(ch) || ch == '-' || ch == '.' ||
		    ch == '_' || ch == ':' || (ch == '%' && i > 0))
			continue;
		pairing_clean(c->o->host, shown, sizeof shown);
		err_set(c->e, ES_EUSAGE, "the console address \"%s\" is not "
		    "a host name, IPv4 or IPv6 address: give only the name "
		    "or address (without https:// or a path), and the port "
		    "separately; nothing was sent", shown);
		return false;
	}

	sbuf_init(&url);
	if (memchr(h, ':', n) != NULL) {
		sbuf_add(&url, "[");
		for (i = 0; i < n; i++) {
			if (h[i] == '%')
				sbuf_add(&url, "%25");
			else
				sbuf_addn(&url, h + i, 1);
		}
		sbuf_add(&url, "]");
		c->where = xasprintf("[%.*s]:%u", (int)n, h, c->port);
		c->name = xstrndup(h, n);
	} else {
		sbuf_addn(&url, h, n);
		c->where = xasprintf("%.*s:%u", (int)n, h, c->port);
		c->name = xstrndup(h, n);
	}
	c->urlhost = sbuf_detach(&url);
	return true;
}

/* A pin is "sha256:" and 64 hex digits, in either case. */
static bool
pairing_check_pin(struct pairing_ctx *c)
{
	const char *p = c->o->pin;
	char shown[100];
	size_t i;

	if (p == NULL || *p == '\0')
		return true;
	if (strncasecmp(p, "sha256:", 7) != 0 || strlen(p + 7) != 64)
		goto bad;
	for (i = 0; i < 64; i++) {
		char ch = p[7 + i];

		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!pairing_is_digit(ch) && (ch < 'a' || ch > 'f'))
			goto bad;
		c->pin[i] = ch;
	}
	c->pin[64] = '\0';
	c->tls.pin = c->pin;
	return true;

bad:
	pairing_clean(p, shown, sizeof shown);
	err_set(c->e, ES_EUSAGE, "the console fingerprint \"%s\" is not "
	    "\"sha256:\" followed by 64 hex digits: copy the whole "
	    "fingerprint of the console's key again, or leave it out to pair "
	    "without a pin; nothing was sent", shown);
	return false;
}

/* "major.minor.patch", each part decimal digits; false otherwise. */
static bool
pairing_parse_version(const char *v, unsigned long *major,
    unsigned long *minor)
{
	unsigned long part[3] = { 0, 0, 0 };
	int i, digits;

	if (v == NULL)
		return false;
	for (i = 0; i < 3; i++) {
		for (digits = 0; pairing_is_digit(*v); v++, digits++) {
			if (digits == 9)
				return false;
			part[i] = part[i] * 10 + (unsigned long)(*v - '0');
		}
		if (digits == 0)
			return false;
		if (i < 2 && *v++ != '.')
			return false;
	}
	if (*v != '\0')
		return false;
	*major = part[0];
	*minor = part[1];
	return true;
}

/* A lower-case UUID of 36 characters (pairing-protocol.md, "pair"). */
static bool
pairing_is_uuid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!pairing_is_digit(s[i]) &&
		    (s[i] < 'a' || s[i] > 'f'))
			return false;
	}
	return true;
}

/* 1 to 64 characters of valid UTF-8, none of them a control character. */
static bool
pairing_is_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;
	unsigned long cp;
	int more, i;

	if (s == NULL)
		return false;
	while (*p != '\0') {
		if (*p < 0x80) {
			cp = *p;
			more = 0;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			more = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			more = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			more = 3;
		} else
			return false;
		p++;
		for (i = 0; i < more; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3f);
		}
		if ((more == 1 && cp < 0x80) || (more == 2 && cp < 0x800) ||
		    (more == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return false;
		chars++;
	}
	return chars >= 1 && chars <= 64;
}

/* Whether NO_PROXY (or no_proxy) names the console: "*", the host, or
 * a domain it is in, as curl reads it (CURLOPT_NOPROXY(3)). */
static bool
pairing_no_proxy(struct pairing_ctx *c)
{
	const char *list, *p, *end;
	size_t n, hn = strlen(c->name);

	list = getenv("no_proxy");
	if (list == NULL || *list == '\0')
		list = getenv("NO_PROXY");
	for (p = list; p != NULL && *p != '\0'; p = *end != '\0' ? end + 1 :
	    end) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 1 && *p == '*')
			return true;
		if (n > 0 && *p == '.') {
			p++;
			n--;
		}
		if (n == 0 || n > hn)
			continue;
		if (strncasecmp(c->name + hn - n, p, n) == 0 &&
		    (n == hn || c->name[hn - n - 1] == '.'))
			return true;
	}
	return false;
}

/* The proxy curl may use for https (curl's own order: the option, then
 * https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY), without credentials. */
static bool
pairing_check_proxy(struct pairing_ctx *c)
{
	static const char *const vars[] = {
		"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
	};
	const char *p = c->o->proxy, *scheme, *at, *slash;
	char shown[256];
	size_t i;

	for (i = 0; (p == NULL || *p == '\0') &&
	    i < sizeof vars / sizeof vars[0]; i++)
		p = getenv(vars[i]);
	if (p == NULL || *p == '\0' || pairing_no_proxy(c))
		return true;

	scheme = strstr(p, "://");
	scheme = scheme != NULL ? scheme + 3 : p;
	slash = strchr(scheme, '/');
	at = strchr(scheme, '@');
	if (at != NULL && (slash == NULL || at < slash))
		c->proxy = xasprintf("%.*s%s", (int)(scheme - p), p, at + 1);
	else
		c->proxy = xstrdup(p);

	/* curl would hand the proxy's TLS handshake to pairing_verify() too,
	 * and take the proxy's key for the console's. */
	if (strncasecmp(p, "https://", 8) == 0) {
		pairing_clean(c->proxy, shown, sizeof shown);
		err_set(c->e, ES_EUSAGE, "cannot pair through the HTTPS proxy "
		    "%s: pairing supports http:// proxies (CONNECT tunnel), "
		    "or none. Set an http:// proxy, or add the console to "
		    "NO_PROXY; nothing was sent", shown);
		return false;
	}
	return true;
}

/* Everything that can be checked before the network; derives S, K,
 * secret_id and engine_spki. */
static bool
pairing_check(struct pairing_ctx *c)
{
	const struct pairing_opts *o = c->o;
	struct es_err ce = { 0 };
	unsigned long major, minor;
	char why[128], shown[160], spki[72];

	if (o->port > 65535) {
		err_set(c->e, ES_EUSAGE, "the console port %u is not a TCP "
		    "port: give 1-65535 (the console listens on %d unless "
		    "configured otherwise); nothing was sent", o->port,
		    PAIRING_PORT);
		return false;
	}
	c->port = o->port != 0 ? o->port : PAIRING_PORT;
	c->connect_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms :
	    PAIRING_CONNECT_MS;
	c->total_ms = o->total_timeout_ms > 0 ? o->total_timeout_ms :
	    PAIRING_TOTAL_MS;

	if (!pairing_normalize_secret(o->secret, c->S)) {
		pairing_secret_problem(o->secret, why, sizeof why);
		err_set(c->e, ES_EUSAGE, "the shared secret is not valid: %s. "
		    "It is 8 groups of 4 letters and digits joined by '-' "
		    "(XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX); copy it again "
		    "from the console, or %s; nothing was sent", why,
		    PAIRING_NEW_SECRET);
		return false;
	}
	if (!pairing_check_host(c) || !pairing_check_pin(c) ||
	    !pairing_check_proxy(c))
		return false;

	if (!pairing_is_name(o->engine_name)) {
		pairing_clean(o->engine_name, shown, sizeof shown);
		err_set(c->e, ES_EUSAGE, "the engine name \"%s\" cannot be "
		    "sent to the console: it must be 1 to 64 printable "
		    "characters of UTF-8; choose another name; nothing was "
		    "sent", shown);
		return false;
	}
	if (!pairing_is_uuid(o->engine_id)) {
		pairing_clean(o->engine_id, shown, sizeof shown);
		err_set(c->e, ES_EINTERNAL, "pairing_run: the engine id "
		    "\"%s\" is not a lower-case UUID; nothing was sent", shown);
		return false;
	}
	if (!pairing_parse_version(o->engine_version, &major, &minor)) {
		pairing_clean(o->engine_version, shown, sizeof shown);
		err_set(c->e, ES_EINTERNAL, "pairing_run: the engine version "
		    "\"%s\" is not major.minor.patch; nothing was sent", shown);
		return false;
	}
	if (o->engine_cert_pem == NULL ||
	    strlen(o->engine_cert_pem) > PAIRING_BODY_MAX / 2) {
		err_set(c->e, ES_EINTERNAL, "pairing_run: the engine "
		    "certificate is missing or larger than %d bytes; nothing "
		    "was sent", PAIRING_BODY_MAX / 2);
		return false;
	}
	if (!crypto_cert_spki(o->engine_cert_pem, spki, sizeof spki, &ce)) {
		err_set(c->e, ES_EINTERNAL, "cannot pair: the engine "
		    "certificate is unusable (%s); nothing was sent", ce.msg);
		return false;
	}
	memcpy(c->engine_spki, spki + 7, 65);

	pairing_secret_id(c->S, c->secret_id);
	pairing_key(c->S, c->K);
	/* S is not needed past K and secret_id. */
	util_wipe(c->S, sizeof c->S);
	return true;
}

/* ---- TLS ---- */

/* Take the console's key from the leaf certificate of a handshake (or of
 * a test transport), and hold it against the pin and against the key of
 * an earlier connection; version names the TLS version. 1 to go on, 0 to
 * refuse the peer. */
static int
pairing_leaf(struct pairing_tls *t, X509 *leaf, const char *version)
{
	unsigned char *der = NULL;
	char spki[65];
	BIO *bio;
	char *data;
	long n;
	int len;

	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &der);
	if (len <= 0)
		return 0;
	crypto_sha256_hex(der, (size_t)len, spki);
	OPENSSL_free(der);

	if (t->seen && strcmp(spki, t->spki) != 0) {
		t->key_changed = true;
		memcpy(t->other, spki, sizeof t->other);
		return 0;
	}
	if (!t->seen) {
		t->seen = true;
		memcpy(t->spki, spki, sizeof t->spki);
		if (version != NULL)
			snprintf(t->version, sizeof t->version, "%s", version);
		bio = BIO_new(BIO_s_mem());
		if (bio != NULL && PEM_write_bio_X509(bio, leaf) == 1 &&
		    (n = BIO_get_mem_data(bio, &data)) > 0)
			t->pem = xstrndup(data, (size_t)n);
		BIO_free(bio);
		if (t->pem == NULL)
			return 0;
	}
	if (t->pin != NULL && strcmp(spki, t->pin) != 0) {
		t->pin_failed = true;
		return 0;
	}
	return 1;
}

/* Run by OpenSSL in place of X509_verify_cert() for the server's chain:
 * the leaf's key checks of pairing_leaf(), then validation against the CA
 * file only when there is one (pairing-protocol.md, "Roles and
 * transport"). Returning 0 aborts the handshake before any request. */
static int
pairing_verify(X509_STORE_CTX *xs, void *arg)
{
	struct pairing_tls *t = arg;
	X509 *leaf;
	SSL *ssl;

	leaf = X509_STORE_CTX_get0_cert(xs);
	if (leaf == NULL)
		return 0;
	ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (!pairing_leaf(t, leaf, ssl != NULL ? SSL_get_version(ssl) :
	    NULL)) {
		if (t->key_changed || t->pin_failed)
			X509_STORE_CTX_set_error(xs,
			    X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	if (!t->ca)
		return 1;
	if (X509_verify_cert(xs) == 1)
		return 1;
	t->ca_failed = true;
	return 0;
}

/* curl's CURLOPT_SSL_CTX_FUNCTION: it runs after curl has set the context
 * up and before the handshake, once the TCP connection (or the proxy's
 * tunnel) is up: so the name and the connection have passed. With
 * CURLOPT_SSL_VERIFYPEER off curl sets SSL_VERIFY_NONE, under which
 * OpenSSL ignores a failed verification; so ask for SSL_VERIFY_PEER, and
 * let pairing_verify() decide. */
static CURLcode
pairing_sslctx(CURL *curl, void *sslctx, void *arg)
{
	struct pairing_ctx *c = arg;
	SSL_CTX *ctx = sslctx;

	(void)curl;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, pairing_verify, &c->tls);
	pairing_pass_until(c, PAIRING_TLS);
	return CURLE_OK;
}

/* curl's CURLOPT_PREREQFUNCTION: the connection is up, its handshake
 * passed, and the request is about to go; so TLS and the console's key
 * have passed (pairing_verify() refused a key that did not). */
static int
pairing_prereq(void *arg, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct pairing_ctx *c = arg;

	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	if (c->tls.seen)
		pairing_pass_until(c, PAIRING_HELLO);
	return CURL_PREREQFUNC_OK;
}

/* ---- HTTP ---- */

/* Keep a response body, up to the protocol's limit. */
static size_t
pairing_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct pairing_ctx *c = arg;
	size_t n = size * nmemb;

	if (n > PAIRING_BODY_MAX - c->body.len) {
		c->too_large = true;
		return 0;
	}
	sbuf_addn(&c->body, data, n);
	return n;
}

/* Whether a signal came or the caller says stop. */
static bool
pairing_should_stop(struct pairing_ctx *c)
{
	if (c->o->signals != NULL && c->o->signals() > c->signals_at_start)
		return true;
	if (c->o->stop != NULL && c->o->stop(c->o->stop_arg)) {
		c->stopped = true;
		return true;
	}
	return false;
}

/* One easy handle for both requests, so that the second reuses the
 * connection of the first. */
static bool
pairing_setup(struct pairing_ctx *c)
{
	const struct pairing_opts *o = c->o;
	CURL *h;
	CURLcode rc = CURLE_OK;

	c->multi = curl_multi_init();
	c->curl = h = curl_easy_init();
	if (h == NULL || c->multi == NULL) {
		err_set(c->e, ES_EINTERNAL, "cannot start libcurl: "
		    "curl_easy_init failed (out of memory?)");
		return false;
	}
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (c->headers != NULL)
		c->headers = curl_slist_append(c->headers,
		    "Accept: application/json");
	if (c->headers != NULL)
		c->headers = curl_slist_append(c->headers, "Expect:");
	if (c->headers == NULL)
		fatal("out of memory");

#define PAIRING_SET(opt, val) \
	do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	PAIRING_SET(CURLOPT_ERRORBUFFER, c->errbuf);
	PAIRING_SET(CURLOPT_NOSIGNAL, 1L);
	PAIRING_SET(CURLOPT_PROTOCOLS_STR, "https");
	PAIRING_SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	PAIRING_SET(CURLOPT_FOLLOWLOCATION, 0L);
	PAIRING_SET(CURLOPT_POST, 1L);
	PAIRING_SET(CURLOPT_HTTPHEADER, c->headers);
	PAIRING_SET(CURLOPT_USERAGENT, "engine-setup/" ES_VERSION);
	PAIRING_SET(CURLOPT_WRITEFUNCTION, pairing_write);
	PAIRING_SET(CURLOPT_WRITEDATA, c);
	PAIRING_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)PAIRING_BODY_MAX);
	PAIRING_SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	PAIRING_SET(CURLOPT_SSL_SESSIONID_CACHE, 0L);
	PAIRING_SET(CURLOPT_PREREQFUNCTION, pairing_prereq);
	PAIRING_SET(CURLOPT_PREREQDATA, c);
	if (o->ca_file != NULL && *o->ca_file != '\0') {
		c->tls.ca = true;
		PAIRING_SET(CURLOPT_CAINFO, o->ca_file);
		PAIRING_SET(CURLOPT_SSL_VERIFYPEER, 1L);
		PAIRING_SET(CURLOPT_SSL_VERIFYHOST, 2L);
	} else {
		PAIRING_SET(CURLOPT_SSL_VERIFYPEER, 0L);
		PAIRING_SET(CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->proxy != NULL && *o->proxy != '\0')
		PAIRING_SET(CURLOPT_PROXY, o->proxy);
#undef PAIRING_SET
	if (rc != CURLE_OK) {
		err_set(c->e, ES_EINTERNAL, "cannot set libcurl up for "
		    "pairing: %s", curl_easy_strerror(rc));
		return false;
	}

	/* Without these the console's key cannot be seen: refuse rather
	 * than pair blind. */
	rc = curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, pairing_sslctx);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, c);
	if (rc != CURLE_OK) {
		err_set(c->e, ES_EINTERNAL, "cannot pair: this libcurl "
		    "cannot show the console's certificate (%s); engine-setup "
		    "needs libcurl built with OpenSSL",
		    curl_easy_strerror(rc));
		return false;
	}
	return true;
}

/* One request through o->transport in place of curl_easy_perform(): the
 * certificate it shows meets pairing_leaf() as a handshake's would, and
 * the body goes through pairing_write() and its limit. */
static CURLcode
pairing_post_fake(struct pairing_ctx *c, const char *path, const char *json)
{
	const struct pairing_transport *t = c->o->transport;
	const unsigned char *cert = NULL, *p;
	const char *body = NULL;
	size_t cert_len = 0, body_len = 0;
	X509 *leaf = NULL;
	int rc, ok;

	t->connect(t->arg, path, &cert, &cert_len);
	if (cert != NULL) {
		p = cert;
		if (cert_len <= LONG_MAX)
			leaf = d2i_X509(NULL, &p, (long)cert_len);
		ok = leaf != NULL && pairing_leaf(&c->tls, leaf,
		    "(test transport)");
		X509_free(leaf);
		if (!ok)
			return CURLE_PEER_FAILED_VERIFICATION;
	}
	rc = t->post(t->arg, path, json, &c->http, &body, &body_len);
	if (rc != 0)
		return (CURLcode)rc;
	if (body_len > 0 && body != NULL &&
	    pairing_write((char *)body, 1, body_len, c) != body_len)
		return CURLE_WRITE_ERROR;
	return CURLE_OK;
}

/* curl_easy_perform(), but through the multi interface, so that between
 * waits of at most PAIRING_POLL_MS (a signal ends a wait at once: its
 * handler is installed without SA_RESTART) signals and o->stop are looked
 * at, whatever the request waits on: curl's progress callback is not
 * called while a TLS handshake waits. The connection stays in c->multi's
 * pool for the next request. CURLE_ABORTED_BY_CALLBACK when stopped. */
static CURLcode
pairing_perform(struct pairing_ctx *c)
{
	CURLcode rc = CURLE_ABORTED_BY_CALLBACK;
	CURLMcode mc;
	CURLMsg *m;
	int running = 1, left;

	if (pairing_should_stop(c))
		return rc;
	if ((mc = curl_multi_add_handle(c->multi, c->curl)) != CURLM_OK) {
		snprintf(c->errbuf, sizeof c->errbuf, "%s",
		    curl_multi_strerror(mc));
		return CURLE_FAILED_INIT;
	}
	for (;;) {
		mc = curl_multi_perform(c->multi, &running);
		if (mc != CURLM_OK || running == 0 || pairing_should_stop(c))
			break;
		mc = curl_multi_poll(c->multi, NULL, 0, PAIRING_POLL_MS, NULL);
		if (mc != CURLM_OK)
			break;
	}
	if (running == 0) {
		rc = CURLE_RECV_ERROR;
		while ((m = curl_multi_info_read(c->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE && m->easy_handle == c->curl)
				rc = m->data.result;
	} else if (mc != CURLM_OK) {
		snprintf(c->errbuf, sizeof c->errbuf, "%s",
		    curl_multi_strerror(mc));
		rc = CURLE_RECV_ERROR;
	}
	curl_multi_remove_handle(c->multi, c->curl);
	return rc;
}

/* POST json to /pairing/v1/<path> within what is left of the time. */
static CURLcode
pairing_post(struct pairing_ctx *c, const char *path, const char *json)
{
	curl_off_t us = 0;
	CURLcode rc;
	char *url;
	long left;

	left = c->total_ms - c->used_ms;
	if (left < 1)
		left = 1;
	c->limit_ms = left;
	c->limit_connect_ms = c->connect_ms < left ? c->connect_ms : left;

	url = xasprintf("https://%s:%u/pairing/v1/%s", c->urlhost, c->port,
	    path);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(json));
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, left);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    c->limit_connect_ms);

	sbuf_free(&c->body);
	c->too_large = false;
	c->errbuf[0] = '\0';
	c->http = 0;
	if (c->o->transport != NULL) {
		free(url);
		return pairing_post_fake(c, path, json);
	}
	rc = pairing_perform(c);

	if (curl_easy_getinfo(c->curl, CURLINFO_TOTAL_TIME_T, &us) ==
	    CURLE_OK)
		c->used_ms += (long)((us + 999) / 1000);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->http);
	free(url);
	return rc;
}

/* curl's own words for the last failure, for the end of a message. */
static const char *
pairing_curl_says(struct pairing_ctx *c, CURLcode rc)
{
	size_t n = strlen(c->errbuf);

	while (n > 0 && (c->errbuf[n - 1] == '\n' || c->errbuf[n - 1] == ' '))
		c->errbuf[--n] = '\0';
	return n > 0 ? c->errbuf : curl_easy_strerror(rc);
}

static bool
pairing_is_tls_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		return true;
	default:
		return false;
	}
}

/* The TLS handshake failed without a verdict of ours. */
static void
pairing_tls_failed(struct pairing_ctx *c, CURLcode rc)
{
	const char *says = pairing_curl_says(c, rc);
	char ca[256];

	if (c->tls.ca && !c->tls.ca_failed &&
	    rc == CURLE_PEER_FAILED_VERIFICATION &&
	    strstr(says, "host name") != NULL) {
		pairing_fail(c, PAIRING_TLS, "certificate for another name",
		    "the console's certificate at %s is not issued for the "
		    "name %s (detail: %s): pair with a name or address the "
		    "certificate is issued for, or leave the CA file out and "
		    "pin the console's key sha256:%s instead", c->where,
		    c->name, says, c->tls.spki);
		return;
	}
	if (c->tls.ca_failed || (c->tls.ca && rc ==
	    CURLE_PEER_FAILED_VERIFICATION)) {
		pairing_clean(c->o->ca_file, ca, sizeof ca);
		pairing_fail(c, PAIRING_TLS, "certificate not trusted",
		    "the console's certificate at %s is not trusted by the "
		    "CA file %s (detail: %s): use the CA bundle that issued the "
		    "console's certificate, or leave the CA file out and pin "
		    "the console's key%s%s instead. A TLS-inspecting proxy "
		    "or interception in the path also causes this",
		    c->where, ca, says, c->tls.seen ? " sha256:" : "",
		    c->tls.seen ? c->tls.spki : "");
		return;
	}
	if (rc == CURLE_SSL_CACERT_BADFILE) {
		pairing_clean(c->o->ca_file, ca, sizeof ca);
		pairing_fail(c, PAIRING_TLS, "CA file unusable",
		    "cannot use the CA file %s to check the console at %s "
		    "(detail: %s): check the path, and that the file holds "
		    "PEM certificates", ca, c->where, says);
		return;
	}
	if (strstr(says, "wrong version number") != NULL ||
	    strstr(says, "packet length too long") != NULL ||
	    strstr(says, "record layer failure") != NULL) {
		pairing_fail(c, PAIRING_TLS, "the peer does not speak TLS",
		    "something that does not speak TLS answered on %s "
		    "(detail: %s): is %u the console's pairing port (%d by "
		    "default)? A proxy, or a TLS-inspecting or intercepting "
		    "device, may also be in the path", c->where, says,
		    c->port, PAIRING_PORT);
		return;
	}
	pairing_fail(c, PAIRING_TLS, "handshake failed",
	    "the TLS handshake with %s failed (detail: %s): a TLS-inspecting "
	    "proxy or interception may be in the path, or the service on "
	    "this port is not the console's pairing listener (it speaks TLS "
	    "1.2 or 1.3). Check the address and port, and pair over a direct "
	    "connection", c->where, says);
}

/* A request failed below HTTP: find the stage it failed at, and why. */
static void
pairing_transport_failed(struct pairing_ctx *c, CURLcode rc,
    enum pairing_stage req_stage, const char *req)
{
	const char *says = pairing_curl_says(c, rc);
	curl_off_t t_dns = 0, t_connect = 0, t_tls = 0;
	long connects = 0, tunnel = 0, oserr = 0;
	bool reused, resolved, connected, secured;
	char *ip = NULL;
	char secs[32], via[300];

	if (rc == CURLE_ABORTED_BY_CALLBACK && c->stopped) {
		pairing_step(c, c->next, PAIRING_FAILED, "stopped");
		err_set(c->e, ES_ECANCEL, "stopped while talking to the "
		    "console at %s: nothing was stored", c->where);
		return;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		pairing_step(c, c->next, PAIRING_FAILED, "cancelled");
		err_set(c->e, ES_ECANCEL, "cancelled by a signal (Ctrl-C or "
		    "SIGTERM) while talking to the console at %s; the "
		    "exchange was stopped", c->where);
		return;
	}
	curl_easy_getinfo(c->curl, CURLINFO_NAMELOOKUP_TIME_T, &t_dns);
	curl_easy_getinfo(c->curl, CURLINFO_CONNECT_TIME_T, &t_connect);
	curl_easy_getinfo(c->curl, CURLINFO_APPCONNECT_TIME_T, &t_tls);
	curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &connects);
	curl_easy_getinfo(c->curl, CURLINFO_HTTP_CONNECTCODE, &tunnel);
	curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &oserr);
	curl_easy_getinfo(c->curl, CURLINFO_PRIMARY_IP, &ip);
	/* libcurl 7.88 sets the connect time only once TLS is up too, but
	 * counts the TCP connection; a reused connection counts none. */
	reused = req_stage > PAIRING_HELLO && connects == 0;
	resolved = reused || t_dns > 0 || (ip != NULL && *ip != '\0');
	connected = reused || connects > 0 || t_connect > 0;
	secured = reused || t_tls > 0;
	via[0] = '\0';
	if (c->proxy != NULL)
		snprintf(via, sizeof via, " If the proxy %s is in use, it "
		    "may be the one that failed; set NO_PROXY for the "
		    "console to bypass it.", c->proxy);

	if (c->tls.key_changed) {
		pairing_fail(c, PAIRING_KEY, "the console's key changed",
		    "the console at %s showed the key sha256:%s on the first "
		    "connection and sha256:%s on the next one: a "
		    "TLS-inspecting proxy, a load balancer in front of "
		    "several consoles, or interception is in the path. Pair "
		    "with the address of one console node, over a direct "
		    "connection; nothing was stored", c->where, c->tls.spki,
		    c->tls.other);
		return;
	}
	if (c->tls.pin_failed) {
		pairing_fail(c, PAIRING_KEY, "does not match the pin",
		    "the console at %s presented the key sha256:%s, but the "
		    "pinned fingerprint is sha256:%s; nothing was sent. A "
		    "TLS-inspecting proxy or another server may be in the "
		    "path, or the console's certificate was replaced: compare "
		    "with the console's own fingerprint, then fix or remove "
		    "the pin", c->where, c->tls.spki, c->tls.pin);
		return;
	}
	if (c->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		pairing_protocol(c, req_stage, req, "a response larger than "
		    "%d bytes", PAIRING_BODY_MAX);
		return;
	}

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		pairing_fail(c, PAIRING_RESOLVE, "name not found",
		    "cannot resolve the console address of %s: the name is "
		    "unknown to this host's DNS (detail: %s). Check the address "
		    "for typos, or give the console's IP address", c->where,
		    says);
		return;
	case CURLE_COULDNT_RESOLVE_PROXY:
		pairing_fail(c, PAIRING_RESOLVE, "proxy name not found",
		    "cannot resolve the proxy %s (detail: %s): check the proxy "
		    "setting (the proxy answer, or HTTPS_PROXY), or set "
		    "NO_PROXY for the console", c->proxy != NULL ? c->proxy :
		    "?", says);
		return;
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED || strstr(says, "refused") != NULL) {
			pairing_fail(c, PAIRING_CONNECT, "connection refused",
			    "nothing listens on %s: is the console's pairing "
			    "listener running, and is %u the right port?%s",
			    c->where, c->port, via);
			return;
		}
		pairing_fail(c, PAIRING_CONNECT, "cannot connect",
		    "cannot connect to %s (detail: %s): check the address, the "
		    "routes and the firewalls between this host and the "
		    "console (ports: " PAIRING_PORTS ").%s", c->where, says,
		    via);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		if (!resolved && c->proxy == NULL) {
			pairing_secs(c->limit_connect_ms, secs, sizeof secs);
			pairing_fail(c, PAIRING_RESOLVE, "no answer from DNS",
			    "cannot resolve the console address of %s within "
			    "%s: the DNS server did not answer. Check this "
			    "host's DNS settings, or give the console's IP "
			    "address", c->where, secs);
			return;
		}
		if (!connected) {
			pairing_secs(c->limit_connect_ms, secs, sizeof secs);
			pairing_fail(c, PAIRING_CONNECT, "no answer",
			    "cannot reach %s within %s: no answer. A firewall "
			    "may block TCP %u from this host to the console "
			    "(ports: " PAIRING_PORTS ").%s", c->where, secs,
			    c->port, via);
			return;
		}
		if (!secured) {
			/* libcurl's connect phase, and so its connect time
			 * limit, takes in the TLS handshake
			 * (CURLOPT_CONNECTTIMEOUT(3)): that limit is the
			 * time that ran out. */
			pairing_secs(c->limit_connect_ms, secs, sizeof secs);
			pairing_fail(c, PAIRING_TLS, "no answer",
			    "%s accepted the TCP connection but did not "
			    "answer the TLS handshake within %s: a firewall "
			    "or proxy may let the connection open but drop "
			    "its traffic, or a service other than the "
			    "console's pairing listener holds the port. Check "
			    "that TCP %u from this host to the console is "
			    "open (ports: " PAIRING_PORTS ").%s", c->where,
			    secs, c->port, via);
			return;
		}
		pairing_secs(c->total_ms, secs, sizeof secs);
		pairing_fail(c, req_stage, "no answer",
		    "the console at %s did not answer the %s request in "
		    "time (the whole exchange may take %s): the console may "
		    "be overloaded, or a firewall or proxy drops the traffic. "
		    "Retry; if it persists, check the console's log", c->where,
		    req, secs);
		return;
	default:
		break;
	}

	if (tunnel >= 300) {
		pairing_fail(c, PAIRING_CONNECT, "the proxy refused",
		    "the proxy %s refused to open a tunnel to %s (HTTP %ld): "
		    "allow CONNECT to port %u on the proxy, or set NO_PROXY "
		    "for the console", c->proxy != NULL ? c->proxy : "?",
		    c->where, tunnel, c->port);
		return;
	}
	if (pairing_is_tls_error(rc) || (connected && !secured)) {
		pairing_tls_failed(c, rc);
		return;
	}
	if (!connected) {
		pairing_fail(c, PAIRING_CONNECT, "cannot connect",
		    "cannot connect to %s (detail: %s): check the address, the "
		    "routes and the firewalls between this host and the "
		    "console (ports: " PAIRING_PORTS ").%s", c->where, says,
		    via);
		return;
	}
	pairing_fail(c, req_stage, "connection broke",
	    "the connection to the console at %s broke during the %s "
	    "request (detail: %s): retry; if it persists, a proxy, load "
	    "balancer or firewall may cut the connection.%s", c->where, req,
	    says, via);
}

/* ---- The exchanges ---- */

static const char *
pairing_json_string(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The console said no: turn its error code into one thing to do
 * (pairing-protocol.md, "Errors"). */
static void
pairing_refused(struct pairing_ctx *c, enum pairing_stage s,
    const char *req, const cJSON *root)
{
	const char *code = NULL, *msg, *v;
	const cJSON *list, *item;
	char said[300], shown[64], ver[40];
	struct sbuf b;

	if (cJSON_IsObject(root))
		code = pairing_json_string(root, "error");
	if (code == NULL) {
		pairing_protocol(c, s, req, "%s", root == NULL ?
		    "a body that is not JSON" :
		    "no \"error\" code in its body");
		return;
	}
	msg = pairing_json_string(root, "message");
	said[0] = '\0';
	if (msg != NULL && *msg != '\0') {
		pairing_clean(msg, shown, sizeof shown);
		snprintf(said, sizeof said, " The console said: \"%s\"",
		    shown);
	}

	if (c->http == 400 && strcmp(code, "bad_request") == 0) {
		pairing_fail(c, s, "HTTP 400 bad_request",
		    "the console at %s rejected the %s request as malformed "
		    "(HTTP 400 bad_request): this is an internal error of "
		    "engine-setup; report it with this message.%s", c->where,
		    req, said);
	} else if (c->http == 401 && strcmp(code, "bad_proof") == 0) {
		pairing_fail(c, s, "HTTP 401 bad_proof",
		    "the console at %s did not accept the engine's proof "
		    "(HTTP 401 bad_proof): the shared secret is wrong, or a "
		    "TLS-inspecting proxy is in the path (this engine saw the "
		    "console key sha256:%s; compare it with the console's "
		    "own). Copy the secret again from the console, and pair "
		    "over a direct connection", c->where, c->tls.spki);
	} else if (c->http == 403 && strcmp(code, "nonce_invalid") == 0) {
		pairing_fail(c, s, "HTTP 403 nonce_invalid",
		    "the console at %s no longer accepts this exchange (HTTP "
		    "403 nonce_invalid: its nonce is unknown, used, or older "
		    "than 120 s): retry. If it persists, the two requests may "
		    "reach different console nodes behind a load balancer; "
		    "pair with the address of one node", c->where);
	} else if (c->http == 404 && strcmp(code, "unknown_secret") == 0) {
		pairing_fail(c, s, "HTTP 404 unknown_secret",
		    "the console at %s does not know this shared secret "
		    "(HTTP 404 unknown_secret): it was typed wrong, or was "
		    "generated on another console. Copy it again from this "
		    "console, or %s", c->where, PAIRING_NEW_SECRET);
	} else if (c->http == 409 &&
	    strcmp(code, "incompatible_version") == 0) {
		v = pairing_json_string(root, "console_version");
		if (v == NULL && c->r->console_version[0] != '\0')
			v = c->r->console_version;
		pairing_clean(v != NULL ? v : "unknown", ver, sizeof ver);
		pairing_fail(c, s, "HTTP 409 incompatible_version",
		    "the console at %s runs version %s and this engine %s "
		    "(HTTP 409 incompatible_version): consoles and engines "
		    "must be on the same major.minor version; upgrade the "
		    "older one, then pair again", c->where, ver,
		    c->o->engine_version);
	} else if (c->http == 410 && strcmp(code, "secret_expired") == 0) {
		pairing_fail(c, s, "HTTP 410 secret_expired",
		    "the shared secret has expired (HTTP 410 secret_expired "
		    "from %s): %s", c->where, PAIRING_NEW_SECRET);
	} else if (c->http == 413 && strcmp(code, "too_large") == 0) {
		pairing_fail(c, s, "HTTP 413 too_large",
		    "the console at %s refused the %s request as too large "
		    "(HTTP 413 too_large): this is an internal error of "
		    "engine-setup; report it with this message.%s", c->where,
		    req, said);
	} else if (c->http == 426 &&
	    strcmp(code, "protocol_unsupported") == 0) {
		sbuf_init(&b);
		list = cJSON_GetObjectItemCaseSensitive(root, "protocols");
		if (!cJSON_IsArray(list))
			list = NULL;
		cJSON_ArrayForEach(item, list) {
			if (!cJSON_IsNumber(item))
				continue;
			sbuf_addf(&b, "%s%d", b.len > 0 ? ", " : "",
			    item->valueint);
		}
		pairing_fail(c, s, "HTTP 426 protocol_unsupported",
		    "the console at %s does not speak pairing protocol 1 "
		    "(HTTP 426 protocol_unsupported%s%s): the console is too "
		    "old or too new for this installer; use the engine-setup "
		    "that matches the console's version", c->where,
		    b.len > 0 ? "; it speaks " : "", b.len > 0 ? b.s : "");
		sbuf_free(&b);
	} else if (c->http == 429 && strcmp(code, "rate_limited") == 0) {
		pairing_fail(c, s, "HTTP 429 rate_limited",
		    "the console at %s refuses more attempts with this "
		    "secret for now (HTTP 429 rate_limited: too many failed "
		    "attempts): wait a few minutes and retry, and check that "
		    "the secret is the one the console shows", c->where);
	} else {
		pairing_clean(code, shown, sizeof shown);
		pairing_protocol(c, s, req, "the error \"%s\", which protocol "
		    "1 does not give with this status", shown);
	}
}

/* The JSON object of a 200 answer, or NULL once the failure is reported. */
static cJSON *
pairing_answer(struct pairing_ctx *c, enum pairing_stage s, const char *req)
{
	cJSON *root = NULL;

	if (c->body.len > 0)
		root = cJSON_ParseWithLength(c->body.s, c->body.len);
	if (c->http == 200 && cJSON_IsObject(root))
		return root;
	if (c->http == 200)
		pairing_protocol(c, s, req, "%s", root == NULL ?
		    "a body that is not JSON" : "a body that is not a JSON "
		    "object");
	else
		pairing_refused(c, s, req, root);
	cJSON_Delete(root);
	return NULL;
}

/* A string field of at most outsz - 1 bytes, copied; false (reported) if
 * it is missing, not a string, empty, or too long. */
static bool
pairing_take(struct pairing_ctx *c, enum pairing_stage s, const char *req,
    const cJSON *root, const char *name, char *out, size_t outsz)
{
	const char *v = pairing_json_string(root, name);

	if (v == NULL || *v == '\0' || strlen(v) >= outsz) {
		pairing_protocol(c, s, req, "\"%s\" missing, not a string, "
		    "empty or longer than %zu bytes", name, outsz - 1);
		return false;
	}
	memcpy(out, v, strlen(v) + 1);
	return true;
}

/* The body of a request: the object, printed; caller frees. */
static char *
pairing_print(cJSON *o)
{
	char *s;

	if (o == NULL)
		fatal("out of memory");
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (s == NULL)
		fatal("out of memory");
	return s;
}

/* Add to o, treating allocation failure as fatal. */
static void
pairing_add_string(cJSON *o, const char *name, const char *value)
{
	if (cJSON_AddStringToObject(o, name, value) == NULL)
		fatal("out of memory");
}

/* Exchange 1: send our nonce, take the console's. */
static bool
pairing_hello(struct pairing_ctx *c)
{
	unsigned char nonce[PAIRING_NONCE_LEN];
	struct pairing_result *r = c->r;
	cJSON *req, *root = NULL;
	const cJSON *v;
	char *body = NULL, name[sizeof r->console_name + 64];
	double left;
	bool ok = false;
	CURLcode rc;

	if (RAND_bytes(nonce, sizeof nonce) != 1) {
		err_set(c->e, ES_EINTERNAL, "cannot make a nonce: the "
		    "system's random generator failed");
		goto out;
	}
	hex_encode(nonce, sizeof nonce, c->engine_nonce);

	req = cJSON_CreateObject();
	if (req == NULL || cJSON_AddNumberToObject(req, "protocol", 1) == NULL)
		fatal("out of memory");
	pairing_add_string(req, "secret_id", c->secret_id);
	pairing_add_string(req, "engine_nonce", c->engine_nonce);
	body = pairing_print(req);

	rc = pairing_post(c, "hello", body);
	if (rc != CURLE_OK) {
		pairing_transport_failed(c, rc, PAIRING_HELLO, "hello");
		goto out;
	}
	if (!c->tls.seen) {
		pairing_fail(c, PAIRING_KEY, "not seen",
		    "cannot pair with %s: the console's certificate was not "
		    "seen during the TLS handshake, so its key cannot be "
		    "bound to the proofs. This is an internal error of "
		    "engine-setup (is libcurl built with OpenSSL?); report "
		    "it", c->where);
		goto out;
	}
	pairing_pass_until(c, PAIRING_HELLO);

	if ((root = pairing_answer(c, PAIRING_HELLO, "hello")) == NULL)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(root, "protocol");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1.0) {
		pairing_protocol(c, PAIRING_HELLO, "hello", "\"protocol\" "
		    "missing or not 1");
		goto out;
	}
	if (!pairing_take(c, PAIRING_HELLO, "hello", root, "console_id",
	    r->console_id, sizeof r->console_id) ||
	    !pairing_take(c, PAIRING_HELLO, "hello", root, "console_name",
	    r->console_name, sizeof r->console_name) ||
	    !pairing_take(c, PAIRING_HELLO, "hello", root, "console_version",
	    r->console_version, sizeof r->console_version) ||
	    !pairing_take(c, PAIRING_HELLO, "hello", root, "console_nonce",
	    c->console_nonce, sizeof c->console_nonce))
		goto out;
	if (!pairing_is_lower_hex(c->console_nonce, 32)) {
		pairing_protocol(c, PAIRING_HELLO, "hello", "a console_nonce "
		    "that is not 32 lower-case hex digits");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "secret_expires_in");
	left = cJSON_IsNumber(v) ? v->valuedouble : -1;
	if (left < 0 || left > 1e9 || left != (double)(long)left) {
		pairing_protocol(c, PAIRING_HELLO, "hello", "a "
		    "secret_expires_in that is not a whole number of "
		    "seconds");
		goto out;
	}
	r->secret_expires_in = (long)left;

	pairing_clean(r->console_name, name, sizeof name);
	pairing_step(c, PAIRING_HELLO, PAIRING_OK, "console \"%s\", version "
	    "%s; the secret is valid for %ld more min", name,
	    r->console_version, (r->secret_expires_in + 59) / 60);
	ok = true;

out:
	util_wipe(nonce, sizeof nonce);
	cJSON_Delete(root);
	cJSON_free(body);
	return ok;
}

/* Exchange 2: prove we know the secret, and check that the console does. */
static bool
pairing_pair(struct pairing_ctx *c)
{
	const struct pairing_opts *o = c->o;
	struct pairing_result *r = c->r;
	const char *status = o->dry_run ? "verified" : "paired";
	unsigned long cmaj, cmin, emaj, emin;
	char proof[65], want[65], got[65], name[sizeof r->console_name];
	char id[sizeof r->console_id];
	cJSON *req, *root = NULL;
	const char *v;
	char *body = NULL;
	bool ok = false;
	CURLcode rc;

	pairing_engine_proof(c->K, c->console_nonce, c->engine_nonce,
	    c->tls.spki, c->engine_spki, o->engine_id, o->engine_version,
	    o->dry_run, proof);

	req = cJSON_CreateObject();
	if (req == NULL || cJSON_AddNumberToObject(req, "protocol", 1) == NULL)
		fatal("out of memory");
	pairing_add_string(req, "secret_id", c->secret_id);
	pairing_add_string(req, "engine_nonce", c->engine_nonce);
	pairing_add_string(req, "console_nonce", c->console_nonce);
	pairing_add_string(req, "engine_id", o->engine_id);
	pairing_add_string(req, "engine_name", o->engine_name);
	pairing_add_string(req, "engine_version", o->engine_version);
	pairing_add_string(req, "communication", "engine-to-console");
	pairing_add_string(req, "engine_cert", o->engine_cert_pem);
	if (cJSON_AddBoolToObject(req, "dry_run", o->dry_run) == NULL)
		fatal("out of memory");
	pairing_add_string(req, "proof", proof);
	body = pairing_print(req);
	if (strlen(body) > PAIRING_BODY_MAX) {
		pairing_fail(c, PAIRING_PROOF, "request too large",
		    "cannot send the pair request: it would be %zu bytes, "
		    "more than the %d the protocol allows (the engine "
		    "certificate is too large). This is an internal error of "
		    "engine-setup; report it", strlen(body), PAIRING_BODY_MAX);
		goto out;
	}

	rc = pairing_post(c, "pair", body);
	if (rc != CURLE_OK) {
		pairing_transport_failed(c, rc, PAIRING_PROOF, "pair");
		goto out;
	}
	if (c->http == 409) {
		/* The console checks the proof before the version. */
		pairing_step(c, PAIRING_PROOF, PAIRING_OK, "accepted");
		pairing_step(c, PAIRING_CONSOLE_PROOF, PAIRING_SKIPPED,
		    "none sent: the versions differ");
	}
	if ((root = pairing_answer(c, c->http == 409 ? PAIRING_VERSION :
	    PAIRING_PROOF, "pair")) == NULL)
		goto out;
	pairing_step(c, PAIRING_PROOF, PAIRING_OK, "accepted");

	/* Check the shape only; nothing is taken before the proof. */
	v = pairing_json_string(root, "status");
	if (v == NULL || strcmp(v, status) != 0) {
		pairing_clean(v != NULL ? v : "(none)", got, sizeof got);
		pairing_protocol(c, PAIRING_CONSOLE_PROOF, "pair", "the status "
		    "\"%s\" where \"%s\" was due", got, status);
		goto out;
	}
	v = pairing_json_string(root, "engine_id");
	if (v == NULL || strcmp(v, o->engine_id) != 0) {
		pairing_protocol(c, PAIRING_CONSOLE_PROOF, "pair", "an "
		    "engine_id that is not this engine's");
		goto out;
	}
	v = pairing_json_string(root, "console_proof");
	if (v == NULL || strlen(v) != 64) {
		pairing_protocol(c, PAIRING_CONSOLE_PROOF, "pair", "no "
		    "console_proof of 64 hex digits");
		goto out;
	}
	memcpy(got, v, 65);
	if (!pairing_take(c, PAIRING_CONSOLE_PROOF, "pair", root,
	    "console_id", id, sizeof id) ||
	    !pairing_take(c, PAIRING_CONSOLE_PROOF, "pair", root,
	    "console_name", name, sizeof name))
		goto out;

	pairing_console_proof(c->K, c->engine_nonce, c->console_nonce,
	    c->tls.spki, c->engine_spki, o->engine_id, status, want);
	if (CRYPTO_memcmp(want, got, 64) != 0) {
		pairing_fail(c, PAIRING_CONSOLE_PROOF, "does not match",
		    "the console's proof does not match: the peer does not "
		    "know the secret, or the connection was intercepted; "
		    "nothing was stored. Pair over a direct connection to "
		    "%s and check that it is the console that generated the "
		    "secret", c->where);
		goto out;
	}
	memcpy(r->console_id, id, sizeof id);
	memcpy(r->console_name, name, sizeof name);
	pairing_step(c, PAIRING_CONSOLE_PROOF, PAIRING_OK, "matches");

	if (!pairing_parse_version(r->console_version, &cmaj, &cmin) ||
	    !pairing_parse_version(o->engine_version, &emaj, &emin) ||
	    cmaj != emaj || cmin != emin) {
		pairing_clean(r->console_version, got, sizeof got);
		pairing_fail(c, PAIRING_VERSION, "versions differ",
		    "the console at %s runs version %s and this engine %s: "
		    "consoles and engines must be on the same major.minor "
		    "version; upgrade the older one, then pair again",
		    c->where, got, o->engine_version);
		goto out;
	}
	pairing_step(c, PAIRING_VERSION, PAIRING_OK, "console %s, engine %s",
	    r->console_version, o->engine_version);

	snprintf(r->status, sizeof r->status, "%s", status);
	snprintf(r->console_spki, sizeof r->console_spki, "sha256:%s",
	    c->tls.spki);
	r->console_cert_pem = c->tls.pem;
	c->tls.pem = NULL;
	ok = true;

out:
	cJSON_Delete(root);
	cJSON_free(body);
	return ok;
}

bool
pairing_run(const struct pairing_opts *o, struct pairing_result *r,
    struct es_err *e)
{
	struct pairing_ctx c;
	bool ok = false, global = false;

	memset(r, 0, sizeof *r);
	memset(&c, 0, sizeof c);
	c.o = o;
	c.e = e;
	c.r = r;
	c.signals_at_start = o->signals != NULL ? o->signals() : 0;
	sbuf_init(&c.body);

	if (!pairing_check(&c))
		goto out;
	/* Reference-counted, and thread-safe where curl_version_info()
	 * shows CURL_VERSION_THREADSAFE (libcurl 7.84 and later). */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(e, ES_EINTERNAL, "cannot start libcurl: "
		    "curl_global_init failed");
		goto out;
	}
	global = true;
	if (!pairing_setup(&c) || !pairing_hello(&c) || !pairing_pair(&c))
		goto out;
	ok = true;

out:
	while (c.next < PAIRING_NSTAGES)
		pairing_step(&c, c.next, PAIRING_SKIPPED, "skipped");
	if (c.multi != NULL)
		curl_multi_cleanup(c.multi);
	if (c.curl != NULL)
		curl_easy_cleanup(c.curl);
	curl_slist_free_all(c.headers);
	if (global)
		curl_global_cleanup();
	free(c.tls.pem);
	free(c.urlhost);
	free(c.where);
	free(c.name);
	free(c.proxy);
	sbuf_free(&c.body);
	util_wipe(c.S, sizeof c.S);
	util_wipe(c.K, sizeof c.K);
	if (!ok) {
		pairing_result_free(r);
		memset(r, 0, sizeof *r);
	}
	return ok;
}
