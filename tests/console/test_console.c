/* A Security Console for the end-to-end tests: the console side of the
 * Engine-to-Console pairing protocol, version 1
 * (../shared/pairing-protocol.md), as an HTTPS server that listens on
 * loopback only, with switches that force each failure the protocol defines.
 * Everything here is written from the protocol text, independently of
 * installer/pairing.c, so that the two cross-check each other. README.md
 * describes the options. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "crypto.h"
#include "error.h"
#include "util.h"

#include "console.h"


/* The --fail modes and the exchanges where each may be forced; the first
 * one listed is the default of --fail-at. */
static const struct tc_fail_mode {
	const char *name;
	enum tc_fail fail;
	int steps;
} tc_fail_modes[] = {
	{ "bad_proof", FAIL_BAD_PROOF, TC_PAIR },
	{ "nonce_invalid", FAIL_NONCE_INVALID, TC_PAIR },
	{ "unknown_secret", FAIL_UNKNOWN_SECRET, TC_HELLO | TC_PAIR },
	{ "secret_expired", FAIL_SECRET_EXPIRED, TC_HELLO | TC_PAIR },
	{ "incompatible_version", FAIL_INCOMPATIBLE_VERSION, TC_PAIR },
	{ "protocol_unsupported", FAIL_PROTOCOL_UNSUPPORTED,
	    TC_HELLO | TC_PAIR },
	{ "rate_limited", FAIL_RATE_LIMITED, TC_HELLO | TC_PAIR },
	{ "bad_request", FAIL_BAD_REQUEST, TC_HELLO | TC_PAIR },
	{ "not_json", FAIL_NOT_JSON, TC_HELLO | TC_PAIR },
	{ "too_large", FAIL_TOO_LARGE, TC_HELLO | TC_PAIR },
	{ "http_500", FAIL_HTTP_500, TC_HELLO | TC_PAIR },
	{ "wrong_console_proof", FAIL_WRONG_CONSOLE_PROOF, TC_PAIR },
	{ "never_answer", FAIL_NEVER_ANSWER, 0 },
	{ "no_tls_answer_after_hello", FAIL_NO_ANSWER_AFTER_HELLO, TC_PAIR },
};

enum tc_io {
	TC_IO_ACCEPT,
	TC_IO_READ,
	TC_IO_WRITE
};

enum tc_rq {
	TC_RQ_OK,
	TC_RQ_EOF,
	TC_RQ_DROP,
	TC_RQ_REJECT
};

volatile sig_atomic_t tc_stop;

static void
tc_on_signal(int sig)
{
	(void)sig;
	tc_stop = 1;
}

double
tc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Derived values (protocol, "The shared secret", "Derived values") */

/* Normalise a secret as typed: drop '-' and ASCII white space, upper-case;
 * false unless 32 characters from 0-9A-Z remain. */
static bool
tc_normalize(const char *typed, char out[33])
{
	size_t n = 0;
	char c;

	for (; *typed != '\0'; typed++) {
		c = *typed;
		if (c == '-' || c == ' ' || c == '\t' || c == '\n' ||
		    c == '\v' || c == '\f' || c == '\r')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) ||
		    n == 32)
			goto bad;
		out[n++] = c;
	}
	if (n != 32)
		goto bad;
	out[32] = '\0';
	return true;

bad:
	util_wipe(out, 33);
	return false;
}

/* secret_id: the first 16 hex of SHA-256("pairing-v1 secret-id:" || S). */
static void
tc_secret_id(const char *S, char out[17])
{
	static const char prefix[] = "pairing-v1 secret-id:";
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[65];
	char msg[sizeof prefix + 32];

	snprintf(msg, sizeof msg, "%s%s", prefix, S);
	SHA256((const unsigned char *)msg, strlen(msg), md);
	hex_encode(md, sizeof md, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
	util_wipe(msg, sizeof msg);
}

/* K = HMAC-SHA256(key = S, "pairing-v1 key"). */
static void
tc_key(const char *S, unsigned char K[32])
{
	static const char label[] = "pairing-v1 key";
	unsigned int len = 32;

	HMAC(EVP_sha256(), S, (int)strlen(S), (const unsigned char *)label,
	    strlen(label), K, &len);
}

/* Hex HMAC-SHA256 under K of lines joined by "\n", no trailing newline. */
static void
tc_hmac_lines(const unsigned char K[32], const char *const *lines,
    size_t nlines, char out[65])
{
	unsigned char md[32];
	unsigned int len = sizeof md;
	struct sbuf m;
	size_t i;

	sbuf_init(&m);
	for (i = 0; i < nlines; i++) {
		if (i > 0)
			sbuf_add(&m, "\n");
		sbuf_add(&m, lines[i]);
	}
	HMAC(EVP_sha256(), K, 32, (const unsigned char *)m.s, m.len, md,
	    &len);
	hex_encode(md, sizeof md, out);
	sbuf_free(&m);
}

/* proof = HMAC(K, m_engine) (protocol, "Exchange 2: pair"). */
static void
tc_engine_proof(const unsigned char K[32], const char *console_nonce,
    const char *engine_nonce, const char *console_spki,
    const char *engine_spki, const char *engine_id,
    const char *engine_version, bool dry_run, char out[65])
{
	const char *lines[] = { "pairing-v1 engine", console_nonce,
	    engine_nonce, console_spki, engine_spki, engine_id,
	    engine_version, dry_run ? "1" : "0" };

	tc_hmac_lines(K, lines, sizeof lines / sizeof lines[0], out);
}

/* console_proof = HMAC(K, m_console) (protocol, "Exchange 2: pair"). */
static void
tc_console_proof(const unsigned char K[32], const char *engine_nonce,
    const char *console_nonce, const char *console_spki,
    const char *engine_spki, const char *engine_id, const char *status,
    char out[65])
{
	const char *lines[] = { "pairing-v1 console", engine_nonce,
	    console_nonce, console_spki, engine_spki, engine_id, status };

	tc_hmac_lines(K, lines, sizeof lines / sizeof lines[0], out);
}

/* Check the implementation against the protocol's "Test vector". */
static int
tc_self_test(void)
{
	static const char cnonce[] = "00112233445566778899aabbccddeeff";
	static const char enonce[] = "ffeeddccbbaa99887766554433221100";
	static const char eid[] = "3f2b6c1e-8a4d-4f0e-9b7a-2c5d8e1f0a3b";
	char S[33], id[17], khex[65], cs[65], es[65], proof[65], cproof[65];
	unsigned char K[32];
	int bad = 0;

	if (!tc_normalize("abcd-1234-EFGH-5678-ijkl-9012-MNOP-3456", S)) {
		fprintf(stderr, "self-test: the vector's secret is rejected\n");
		return 1;
	}
	tc_secret_id(S, id);
	tc_key(S, K);
	hex_encode(K, sizeof K, khex);
	crypto_sha256_hex("console", 7, cs);
	crypto_sha256_hex("engine", 6, es);
	tc_engine_proof(K, cnonce, enonce, cs, es, eid, "7.3.1", false,
	    proof);
	tc_console_proof(K, enonce, cnonce, cs, es, eid, "paired", cproof);

#define TC_EXPECT(name, got, want) do {					\
	if (strcmp((got), (want)) != 0) {				\
		fprintf(stderr, "self-test: %s is %s, expected %s\n",	\
		    (name), (got), (want));				\
		bad = 1;						\
	}								\
} while (0)
	TC_EXPECT("S", S, "ABCD1234EFGH5678IJKL9012MNOP3456");
	TC_EXPECT("secret_id", id, "f99859dc7961aa49");
	TC_EXPECT("K", khex,
	    "241b9c688e7d7df0592983e3c410316c625d1939bffc471eb90df4cbb5d891e6");
	TC_EXPECT("console_spki", cs,
	    "93d8874c8c86f0fc893dbe15c765ffa0fcd342f798dbf669e08f8cbe095d230c");
	TC_EXPECT("engine_spki", es,
	    "ed9f6f25068608efd412958da4dfc19328ca3511251fa6d5f9c42baf230e32f8");
	TC_EXPECT("proof", proof,
	    "e744895eb16cc1504839112ee853454f2015455e3229c0c317948e248bd98cdb");
	TC_EXPECT("console_proof", cproof,
	    "17776ec0a0699c03dda400c062a591a7b597f195568ca0001cb240f12caa3913");
#undef TC_EXPECT

	if (tc_normalize("ABCD-1234-EFGH-5678-IJKL-9012-MNOP-345", S) ||
	    tc_normalize("ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456-7", S) ||
	    tc_normalize("ABCD_1234_EFGH_5678_IJKL_9012_MNOP_3456", S)) {
		fprintf(stderr, "self-test: a malformed secret is accepted\n");
		bad = 1;
	}
	if (!bad)
		printf("self-test: the protocol's test vector matches\n");
	return bad;
}

/* ---- Logging ---- */

/* Append an event line ("# ...") to the log. */
void
tc_log(struct console *con, const char *fmt, ...)
{
	char when[32];
	struct tm tm;
	time_t t;
	va_list ap;

	if (con->log == NULL)
		return;
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(con->log, "# %s ", when);
	va_start(ap, fmt);
	vfprintf(con->log, fmt, ap);
	va_end(ap);
	fputc('\n', con->log);
	fflush(con->log);
}

/* Append raw bytes as they crossed the wire, under a title line. */
static void
tc_log_raw(struct console *con, const char *title, unsigned long conn,
    unsigned req, const char *head, size_t headlen, const char *body,
    size_t bodylen)
{
	const char *last;

	if (con->log == NULL)
		return;
	fprintf(con->log, "%s %lu.%u\n", title, conn, req);
	fwrite(head, 1, headlen, con->log);
	fwrite(body, 1, bodylen, con->log);
	last = bodylen > 0 ? body + bodylen - 1 :
	    headlen > 0 ? head + headlen - 1 : NULL;
	if (last == NULL || *last != '\n')
		fputc('\n', con->log);
	fflush(con->log);
}

/* ---- Socket and TLS I/O with deadlines ---- */

/* Wait until fd is ready or the deadline passes: 1 ready, 0 timed out or
 * asked to stop, -1 error. */
static int
tc_wait(int fd, short events, double deadline)
{
	struct pollfd pfd;
	double left;
	int n;

	for (;;) {
		if (tc_stop)
			return 0;
		left = deadline - tc_now();
		if (left <= 0)
			return 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* When the current read or write must be done: TC_IO_TIMEOUT from now,
 * or the end of the lifetime if that comes first. */
static double
tc_deadline(const struct console *con)
{
	double d = tc_now() + TC_IO_TIMEOUT;

	return d < con->end ? d : con->end;
}

/* Drive a TLS handshake, read or write on a non-blocking socket until it
 * completes or the deadline passes: 1 done, 0 the peer closed, -1 failed. */
static int
tc_ssl_io(struct tc_conn *c, enum tc_io op, void *buf, size_t n,
    size_t *done, double deadline)
{
	size_t dummy;
	int rc, err, w;

	if (done == NULL)
		done = &dummy;
	for (;;) {
		switch (op) {
		case TC_IO_ACCEPT:
			rc = SSL_accept(c->ssl);
			break;
		case TC_IO_READ:
			rc = SSL_read_ex(c->ssl, buf, n, done);
			break;
		default:
			rc = SSL_write_ex(c->ssl, buf, n, done);
			break;
		}
		if (rc == 1)
			return 1;
		err = SSL_get_error(c->ssl, rc);
		if (err == SSL_ERROR_WANT_READ)
			w = tc_wait(c->fd, POLLIN, deadline);
		else if (err == SSL_ERROR_WANT_WRITE)
			w = tc_wait(c->fd, POLLOUT, deadline);
		else {
			ERR_clear_error();
			return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
		}
		if (w != 1)
			return -1;
	}
}

/* Wait for the next request on a keep-alive connection: false when the
 * client stays idle for TC_IO_TIMEOUT, or when another client waits and
 * this one has been idle for TC_YIELD, since connections are served one at
 * a time (RFC 9112, 9.3: a server may close an idle connection). */
static bool
tc_idle_wait(struct console *con, struct tc_conn *c, bool *yielded)
{
	struct pollfd pfd[3];
	double deadline = tc_deadline(con), left;
	int n;

	*yielded = false;
	if (SSL_pending(c->ssl) > 0)
		return true;
	n = tc_wait(c->fd, POLLIN, tc_now() + TC_YIELD);
	if (n != 0)
		return n == 1;
	for (;;) {
		left = deadline - tc_now();
		if (tc_stop || left <= 0)
			return false;
		pfd[0].fd = c->fd;
		pfd[1].fd = con->lfd;
		pfd[2].fd = con->cfd;	/* -1 without --control: ignored */
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		n = poll(pfd, 3, (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR)
			return false;
		if (n <= 0)
			continue;
		if (pfd[0].revents != 0)
			return true;
		*yielded = true;
		return false;
	}
}

/* Read more of the request into the connection buffer. */
static int
tc_fill(struct tc_conn *c, double deadline)
{
	size_t got = 0;
	int rc;

	if (c->cap - c->len < 4096) {
		if (c->cap >= TC_RAW_MAX)
			return -1;
		c->cap *= 2;
		c->buf = xrealloc(c->buf, c->cap);
	}
	rc = tc_ssl_io(c, TC_IO_READ, c->buf + c->len, c->cap - c->len, &got,
	    deadline);
	if (rc == 1)
		c->len += got;
	return rc;
}

static bool
tc_write(struct tc_conn *c, const char *data, size_t n, double deadline)
{
	if (n == 0)
		return true;
	return tc_ssl_io(c, TC_IO_WRITE, (void *)data, n, NULL, deadline) == 1;
}

/* ---- Responses ---- */

static const char *
tc_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 426: return "Upgrade Required";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	default: return "Unknown";
	}
}

/* Make obj the JSON body of the response; takes obj. */
void
tc_reply(struct tc_response *rs, int status, cJSON *obj)
{
	char *s;

	s = cJSON_PrintUnformatted(obj);
	if (s == NULL)
		fatal("test-console: out of memory");
	free(rs->body);
	rs->body = xstrdup(s);
	rs->bodylen = strlen(rs->body);
	rs->status = status;
	rs->ctype = "application/json";
	cJSON_free(s);
	cJSON_Delete(obj);
}

static cJSON *
tc_error_obj(const char *code, const char *fmt, va_list ap)
{
	char msg[1024];
	cJSON *o;

	vsnprintf(msg, sizeof msg, fmt, ap);
	o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddStringToObject(o, "error", code) == NULL ||
	    cJSON_AddStringToObject(o, "message", msg) == NULL)
		fatal("test-console: out of memory");
	return o;
}

/* An error response of the protocol's "Errors" table. */
void
tc_error(struct tc_response *rs, int status, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tc_reply(rs, status, tc_error_obj(code, fmt, ap));
	va_end(ap);
}

/* 426 protocol_unsupported with the protocols this console speaks. */
static void
tc_error_protocol(struct tc_response *rs, int protocol, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
tc_error_protocol(struct tc_response *rs, int protocol, const char *fmt, ...)
{
	const int protocols[] = { protocol };
	cJSON *o, *a;
	va_list ap;

	va_start(ap, fmt);
	o = tc_error_obj("protocol_unsupported", fmt, ap);
	va_end(ap);
	a = cJSON_CreateIntArray(protocols, 1);
	if (a == NULL || !cJSON_AddItemToObject(o, "protocols", a))
		fatal("test-console: out of memory");
	tc_reply(rs, 426, o);
}

static void
tc_set_body(struct tc_response *rs, int status, const char *ctype,
    const char *body)
{
	free(rs->body);
	rs->body = xstrdup(body);
	rs->bodylen = strlen(body);
	rs->status = status;
	rs->ctype = ctype;
}

/* Grow a JSON object body past the protocol's 65536-byte limit with a
 * "padding" member, keeping it valid JSON, and make it a 200. */
static void
tc_pad(struct tc_response *rs)
{
	struct sbuf b;
	char *pad;

	if (rs->body == NULL || rs->bodylen < 2 ||
	    rs->body[rs->bodylen - 1] != '}')
		tc_set_body(rs, 200, "application/json", "{}");
	pad = xmalloc(TC_PAD_SIZE + 1);
	memset(pad, 'x', TC_PAD_SIZE);
	pad[TC_PAD_SIZE] = '\0';
	sbuf_init(&b);
	sbuf_addn(&b, rs->body, rs->bodylen - 1);
	sbuf_add(&b, rs->bodylen > 2 ? ",\"padding\":\"" : "\"padding\":\"");
	sbuf_add(&b, pad);
	sbuf_add(&b, "\"}");
	free(pad);
	free(rs->body);
	rs->bodylen = b.len;
	rs->body = sbuf_detach(&b);
	rs->status = 200;
	rs->ctype = "application/json";
}

/* Send a response and append it to the log. */
static bool
tc_send(struct console *con, struct tc_conn *c, const struct tc_response *rs)
{
	struct sbuf head;
	double deadline;
	bool ok;

	sbuf_init(&head);
	sbuf_addf(&head, "HTTP/1.1 %d %s\r\n", rs->status,
	    tc_reason(rs->status));
	sbuf_addf(&head, "Content-Type: %s\r\n", rs->ctype);
	sbuf_addf(&head, "Content-Length: %zu\r\n", rs->bodylen);
	if (rs->status == 405)
		sbuf_add(&head, "Allow: POST\r\n");
	if (rs->close)
		sbuf_add(&head, "Connection: close\r\n");
	else if (rs->keepalive10)
		sbuf_add(&head, "Connection: keep-alive\r\n");
	sbuf_add(&head, "\r\n");
	tc_log_raw(con, "<<< response", c->id, c->nreq, head.s, head.len,
	    rs->body, rs->bodylen);
	deadline = tc_deadline(con);
	ok = tc_write(c, head.s, head.len, deadline) &&
	    tc_write(c, rs->body, rs->bodylen, deadline);
	if (!ok)
		tc_log(con, "connection %lu: cannot send the response to %s",
		    c->id, c->peer);
	sbuf_free(&head);
	return ok;
}

/* ---- HTTP/1.1 requests (RFC 9112) ---- */

/* The offset of needle in buf[from..len), or SIZE_MAX. */
static size_t
tc_find(const char *buf, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = from; i + n <= len; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return i;
	return SIZE_MAX;
}

/* Whether a comma-separated header value holds the token. */
static bool
tc_has_token(const char *value, const char *token)
{
	size_t n = strlen(token);
	const char *p = value;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (strncasecmp(p, token, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' ' ||
		    p[n] == '\t'))
			return true;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return false;
}

/* Parse a Content-Length (base 10) or chunk size (base 16), saturating
 * far above any limit. */
static bool
tc_parse_size(const char *s, int base, size_t *out)
{
	unsigned long long v = 0;
	int d;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		v = v * (unsigned)base + (unsigned)d;
		if (v > (unsigned long long)TC_DISCARD_MAX * 16)
			v = (unsigned long long)TC_DISCARD_MAX * 16;
	}
	*out = (size_t)v;
	return true;
}

/* Send "100 Continue" if the client waits for it and has sent no body. */
static bool
tc_continue(struct console *con, struct tc_conn *c, bool expect,
    size_t hdrlen)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (!expect || c->len > hdrlen)
		return true;
	tc_log_raw(con, "<<< interim", c->id, c->nreq, cont,
	    sizeof cont - 1, "", 0);
	return tc_write(c, cont, sizeof cont - 1, tc_deadline(con));
}

/* Read the rest of a body that is too large and drop it. */
static void
tc_discard(struct console *con, struct tc_conn *c, size_t hdrlen,
    size_t want)
{
	double deadline = tc_deadline(con);
	size_t got;

	got = c->len - hdrlen;
	c->len = hdrlen;
	while (got < want) {
		if (tc_fill(c, deadline) != 1)
			break;
		got += c->len - hdrlen;
		c->len = hdrlen;
	}
}

/* Decode a chunked body (RFC 9112, 7.1) that starts at pos. */
static enum tc_rq
tc_read_chunked(struct console *con, struct tc_conn *c,
    struct tc_request *rq, struct tc_response *rs, size_t pos)
{
	double deadline = tc_deadline(con);
	char line[64];
	size_t eol, size;
	char *semi;

	rq->body = xmalloc(TC_BODY_MAX + 1);
	rq->bodylen = 0;
	for (;;) {
		eol = tc_find(c->buf, c->len, pos, "\r\n");
		if (eol == SIZE_MAX) {
			if (c->len - pos > 1024 || tc_fill(c, deadline) != 1)
				goto drop;
			continue;
		}
		if (eol - pos >= sizeof line)
			goto malformed;
		memcpy(line, c->buf + pos, eol - pos);
		line[eol - pos] = '\0';
		if ((semi = strchr(line, ';')) != NULL)
			*semi = '\0';
		if (!tc_parse_size(line, 16, &size))
			goto malformed;
		pos = eol + 2;
		if (size == 0)
			break;
		if (size > TC_BODY_MAX - rq->bodylen) {
			tc_error(rs, 413, "too_large", "the chunked request "
			    "body is over %d bytes", TC_BODY_MAX);
			rs->close = true;
			rq->rawlen = pos;
			return TC_RQ_REJECT;
		}
		while (c->len < pos + size + 2)
			if (tc_fill(c, deadline) != 1)
				goto drop;
		if (memcmp(c->buf + pos + size, "\r\n", 2) != 0)
			goto malformed;
		memcpy(rq->body + rq->bodylen, c->buf + pos, size);
		rq->bodylen += size;
		pos += size + 2;
	}
	/* Trailer fields, then the empty line. */
	for (;;) {
		eol = tc_find(c->buf, c->len, pos, "\r\n");
		if (eol == SIZE_MAX) {
			if (c->len - pos > TC_HEAD_MAX ||
			    tc_fill(c, deadline) != 1)
				goto drop;
			continue;
		}
		if (eol == pos) {
			pos += 2;
			break;
		}
		pos = eol + 2;
	}
	rq->body[rq->bodylen] = '\0';
	rq->rawlen = pos;
	return TC_RQ_OK;

malformed:
	tc_error(rs, 400, "bad_request", "malformed chunked request body");
	rs->close = true;
	rq->rawlen = c->len;
	return TC_RQ_REJECT;
drop:
	rq->rawlen = c->len;
	return TC_RQ_DROP;
}

/* Parse the request line and header fields of hdr (NUL-terminated, lines
 * separated by CRLF, without the empty line). */
static bool
tc_parse_head(char *hdr, struct tc_request *rq, struct tc_response *rs,
    bool *has_cl, size_t *cl, bool *chunked, bool *expect)
{
	char *line, *next, *colon, *name, *value, *end, *sp1, *sp2;
	bool http10 = false, keepalive = false;

	line = hdr;
	next = strstr(line, "\r\n");
	if (next != NULL) {
		*next = '\0';
		next += 2;
	}
	sp1 = strchr(line, ' ');
	sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
	if (sp1 == NULL || sp2 == NULL || strchr(sp2 + 1, ' ') != NULL ||
	    (size_t)(sp1 - line) >= sizeof rq->method ||
	    (size_t)(sp2 - sp1 - 1) >= sizeof rq->target ||
	    sp1 == line || sp2 == sp1 + 1) {
		tc_error(rs, 400, "bad_request", "malformed HTTP request "
		    "line");
		return false;
	}
	memcpy(rq->method, line, (size_t)(sp1 - line));
	rq->method[sp1 - line] = '\0';
	memcpy(rq->target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	rq->target[sp2 - sp1 - 1] = '\0';
	if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
		http10 = true;
	else if (strcmp(sp2 + 1, "HTTP/1.1") != 0) {
		tc_error(rs, 400, "bad_request", "unsupported HTTP version "
		    "\"%.16s\": this console speaks HTTP/1.1", sp2 + 1);
		return false;
	}

	for (line = next; line != NULL && *line != '\0'; line = next) {
		next = strstr(line, "\r\n");
		if (next != NULL) {
			*next = '\0';
			next += 2;
		}
		colon = strchr(line, ':');
		if (colon == NULL || colon == line || line[0] == ' ' ||
		    line[0] == '\t' || colon[-1] == ' ' || colon[-1] == '\t') {
			tc_error(rs, 400, "bad_request", "malformed HTTP "
			    "header field");
			return false;
		}
		*colon = '\0';
		name = line;
		value = colon + 1;
		while (*value == ' ' || *value == '\t')
			value++;
		end = value + strlen(value);
		while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';

		if (strcasecmp(name, "Content-Length") == 0) {
			if (*has_cl || !tc_parse_size(value, 10, cl)) {
				tc_error(rs, 400, "bad_request", "malformed "
				    "or repeated Content-Length");
				return false;
			}
			*has_cl = true;
		} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
			if (*chunked || strcasecmp(value, "chunked") != 0) {
				tc_error(rs, 400, "bad_request", "unsupported "
				    "Transfer-Encoding \"%.32s\"", value);
				return false;
			}
			*chunked = true;
		} else if (strcasecmp(name, "Connection") == 0) {
			if (tc_has_token(value, "close"))
				rq->close = true;
			if (tc_has_token(value, "keep-alive"))
				keepalive = true;
		} else if (strcasecmp(name, "Expect") == 0) {
			if (strcasecmp(value, "100-continue") != 0) {
				tc_error(rs, 400, "bad_request", "unsupported "
				    "Expect \"%.32s\"", value);
				return false;
			}
			*expect = true;
		} else if (strcasecmp(name, "Content-Type") == 0) {
			snprintf(rq->ctype, sizeof rq->ctype, "%s", value);
			rq->has_ctype = true;
		}
	}
	if (*has_cl && *chunked) {
		tc_error(rs, 400, "bad_request", "both Content-Length and "
		    "Transfer-Encoding");
		return false;
	}
	rq->http10 = http10;
	if (http10 && !keepalive)
		rq->close = true;
	return true;
}

/* Read one request: TC_RQ_OK; TC_RQ_EOF when the client is done;
 * TC_RQ_DROP on an I/O failure or timeout; TC_RQ_REJECT with rs filled when
 * the request is malformed (answer, then close). */
static enum tc_rq
tc_read_request(struct console *con, struct tc_conn *c,
    struct tc_request *rq, struct tc_response *rs)
{
	double deadline = tc_deadline(con);
	size_t hend, hdrlen, cl = 0;
	bool has_cl = false, chunked = false, expect = false, yielded;
	enum tc_rq r;
	char *hdr;
	int rc;

	if (c->nreq > 1 && c->len == 0 && !tc_idle_wait(con, c, &yielded)) {
		tc_log(con, "connection %lu: %s", c->id, yielded ? "closing "
		    "it while idle: another client waits" : "idle");
		return TC_RQ_EOF;
	}
	deadline = tc_deadline(con);
	for (;;) {
		hend = tc_find(c->buf, c->len, 0, "\r\n\r\n");
		if (hend != SIZE_MAX)
			break;
		if (c->len >= TC_HEAD_MAX) {
			tc_error(rs, 400, "bad_request", "the request header "
			    "is over %d bytes", TC_HEAD_MAX);
			rs->close = true;
			rq->rawlen = c->len;
			return TC_RQ_REJECT;
		}
		rc = tc_fill(c, deadline);
		if (rc != 1)
			return c->len == 0 ? TC_RQ_EOF : TC_RQ_DROP;
	}
	hdrlen = hend + 4;
	if (memchr(c->buf, '\0', hend) != NULL) {
		tc_error(rs, 400, "bad_request", "NUL byte in the request "
		    "header");
		rs->close = true;
		rq->rawlen = hdrlen;
		return TC_RQ_REJECT;
	}
	hdr = xstrndup(c->buf, hend);
	if (!tc_parse_head(hdr, rq, rs, &has_cl, &cl, &chunked, &expect)) {
		free(hdr);
		rs->close = true;
		rq->rawlen = hdrlen;
		return TC_RQ_REJECT;
	}
	free(hdr);

	if (has_cl && cl > TC_BODY_MAX) {
		tc_error(rs, 413, "too_large", "the request body of %zu bytes "
		    "is over the protocol's limit of %d bytes", cl,
		    TC_BODY_MAX);
		rs->close = true;
		rq->rawlen = hdrlen;
		if (!expect && cl <= TC_DISCARD_MAX)
			tc_discard(con, c, hdrlen, cl);
		return TC_RQ_REJECT;
	}
	if ((has_cl && cl > 0) || chunked)
		if (!tc_continue(con, c, expect, hdrlen))
			return TC_RQ_DROP;
	if (chunked) {
		r = tc_read_chunked(con, c, rq, rs, hdrlen);
		return r;
	}
	while (c->len < hdrlen + cl)
		if (tc_fill(c, deadline) != 1)
			return TC_RQ_DROP;
	rq->body = xmalloc(cl + 1);
	memcpy(rq->body, c->buf + hdrlen, cl);
	rq->body[cl] = '\0';
	rq->bodylen = cl;
	rq->rawlen = hdrlen + cl;
	return TC_RQ_OK;
}

/* ---- The protocol ---- */

/* Whether --fail forces failure f at this exchange. */
static bool
tc_forced(const struct console *con, enum tc_fail f, enum tc_step step)
{
	if (con->fail_real_only && con->cur_dry_run)
		return false;
	return con->fail == f && con->fail_step == (int)step;
}

static bool
tc_is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

bool
tc_is_uuid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* 1 to 64 printable characters of valid UTF-8: no C0, DEL or C1 control
 * characters, no surrogates or overlong forms. */
static bool
tc_is_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t count = 0;
	int extra, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			cp = *p;
			extra = 0;
		} else if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			extra = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			extra = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			extra = 3;
		} else
			return false;
		p++;
		for (i = 0; i < extra; i++, p++) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p & 0x3f);
		}
		if ((extra == 1 && cp < 0x80) ||
		    (extra == 2 && cp < 0x800) ||
		    (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return false;
		count++;
	}
	return count >= 1 && count <= 64;
}

/* Parse "major.minor.patch", each 1 to 9 decimal digits. */
bool
tc_parse_version(const char *s, unsigned *major, unsigned *minor)
{
	unsigned v[3];
	size_t digits;
	int i;

	for (i = 0; i < 3; i++) {
		v[i] = 0;
		for (digits = 0; *s >= '0' && *s <= '9'; s++) {
			if (++digits > 9)
				return false;
			v[i] = v[i] * 10 + (unsigned)(*s - '0');
		}
		if (digits == 0)
			return false;
		if (i < 2 && *s++ != '.')
			return false;
	}
	if (*s != '\0')
		return false;
	*major = v[0];
	*minor = v[1];
	return true;
}

/* Parse the body as a JSON object with exactly the given members and
 * protocol 1 (426 for another protocol, 400 for anything malformed). */
bool
tc_begin(struct console *con, struct tc_exchange *x,
    const char *const *fields)
{
	const char *end = NULL;
	cJSON *it, *p, *o;
	size_t i;
	double v;

	if (memchr(x->body, '\0', x->bodylen) != NULL) {
		tc_error(x->rs, 400, "bad_request", "the body holds a NUL "
		    "byte");
		return false;
	}
	/* cJSON wants the terminating NUL inside the length to accept the
	 * end of the buffer as the end of the document. */
	x->json = cJSON_ParseWithLengthOpts(x->body, x->bodylen + 1, &end, 1);
	if (x->json == NULL) {
		tc_error(x->rs, 400, "bad_request", "the body is not JSON "
		    "(error at byte %td)", end != NULL ? end - x->body : 0);
		return false;
	}
	if (!cJSON_IsObject(x->json)) {
		tc_error(x->rs, 400, "bad_request", "the body is not a JSON "
		    "object");
		return false;
	}
	for (it = x->json->child; it != NULL; it = it->next)
		for (o = x->json->child; o != it; o = o->next)
			if (strcmp(o->string, it->string) == 0) {
				tc_error(x->rs, 400, "bad_request", "member "
				    "\"%.64s\" appears twice", it->string);
				return false;
			}

	p = cJSON_GetObjectItemCaseSensitive(x->json, "protocol");
	if (p == NULL || !cJSON_IsNumber(p)) {
		tc_error(x->rs, 400, "bad_request", "member \"protocol\" must "
		    "be a number");
		return false;
	}
	v = p->valuedouble;
	if (v < -1e9 || v > 1e9 || v != (double)(long)v) {
		tc_error(x->rs, 400, "bad_request", "member \"protocol\" must "
		    "be a whole number");
		return false;
	}
	if (tc_forced(con, FAIL_PROTOCOL_UNSUPPORTED, x->step)) {
		tc_error_protocol(x->rs, 2, "this console speaks pairing "
		    "protocol 2 only (forced by --fail)");
		return false;
	}
	if (v != 1) {
		tc_error_protocol(x->rs, 1, "this console speaks pairing "
		    "protocol 1, not %ld", (long)v);
		return false;
	}

	for (it = x->json->child; it != NULL; it = it->next) {
		for (i = 0; fields[i] != NULL; i++)
			if (strcmp(fields[i], it->string) == 0)
				break;
		if (fields[i] == NULL) {
			tc_error(x->rs, 400, "bad_request", "unknown member "
			    "\"%.64s\"", it->string);
			return false;
		}
	}
	for (i = 0; fields[i] != NULL; i++)
		if (cJSON_GetObjectItemCaseSensitive(x->json,
		    fields[i]) == NULL) {
			tc_error(x->rs, 400, "bad_request", "member \"%s\" is "
			    "missing", fields[i]);
			return false;
		}
	return true;
}

/* A string member, or NULL after a 400. */
const char *
tc_get_string(struct tc_exchange *x, const char *name)
{
	cJSON *it;

	it = cJSON_GetObjectItemCaseSensitive(x->json, name);
	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		tc_error(x->rs, 400, "bad_request", "member \"%s\" must be a "
		    "string", name);
		return NULL;
	}
	return it->valuestring;
}

/* A member of exactly n lower-case hex characters, or NULL after a 400. */
static const char *
tc_get_hex(struct tc_exchange *x, const char *name, size_t n)
{
	const char *s;

	if ((s = tc_get_string(x, name)) == NULL)
		return NULL;
	if (!tc_is_hex(s, n)) {
		tc_error(x->rs, 400, "bad_request", "member \"%s\" must be %zu "
		    "lower-case hex characters", name, n);
		return NULL;
	}
	return s;
}

/* Failed attempts counted for a secret_id, for --rate-limit. */
static int
tc_failures(const struct console *con, const char *secret_id)
{
	size_t i;

	for (i = 0; i < con->nfails; i++)
		if (strcmp(con->fails[i].secret_id, secret_id) == 0)
			return con->fails[i].n;
	return 0;
}

static void
tc_count_failure(struct console *con, const char *secret_id)
{
	size_t i;

	for (i = 0; i < con->nfails; i++)
		if (strcmp(con->fails[i].secret_id, secret_id) == 0) {
			con->fails[i].n++;
			return;
		}
	if (con->nfails == TC_FAILS_MAX)
		return;
	snprintf(con->fails[i].secret_id, sizeof con->fails[i].secret_id,
	    "%s", secret_id);
	con->fails[i].n = 1;
	con->nfails++;
}

/* 429 once a secret_id has --rate-limit failures. */
static bool
tc_check_rate(struct console *con, struct tc_exchange *x)
{
	int n = tc_failures(con, x->secret_id);

	if (tc_forced(con, FAIL_RATE_LIMITED, x->step)) {
		tc_error(x->rs, 429, "rate_limited", "too many failed attempts "
		    "for this secret (forced by --fail): wait and retry");
		return false;
	}
	if (con->rate_limit > 0 && n >= con->rate_limit) {
		tc_error(x->rs, 429, "rate_limited", "too many failed attempts "
		    "(%d) for this secret: wait and retry; check the secret",
		    n);
		return false;
	}
	return true;
}

/* The secret is known and not expired. */
static bool
tc_check_secret(struct console *con, struct tc_exchange *x)
{
	double age;

	if (tc_forced(con, FAIL_UNKNOWN_SECRET, x->step) ||
	    strcmp(x->secret_id, con->secret_id) != 0) {
		tc_error(x->rs, 404, "unknown_secret", "no shared secret has "
		    "the id %s on this console", x->secret_id);
		return false;
	}
	age = tc_now() - con->secret_born;
	if (tc_forced(con, FAIL_SECRET_EXPIRED, x->step) ||
	    age >= TC_SECRET_TTL) {
		tc_error(x->rs, 410, "secret_expired", "the shared secret was "
		    "generated %ld minutes ago and was valid for %d minutes",
		    (long)(age / 60), TC_SECRET_TTL / 60);
		return false;
	}
	return true;
}

/* The nonce pair was handed out by hello for this secret, is unused and
 * fresh; a matching console nonce is used up whatever follows. */
static bool
tc_check_nonce(struct console *con, struct tc_exchange *x,
    const char *console_nonce, const char *engine_nonce)
{
	struct tc_nonce *n = NULL;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < con->nnonces; i++)
		if (strcmp(con->nonces[i].console_nonce, console_nonce) == 0) {
			n = &con->nonces[i];
			break;
		}
	if (n == NULL)
		why = "the console_nonce is unknown";
	else if (n->used)
		why = "the console_nonce was used already";
	else if (tc_now() - n->born > con->nonce_ttl)
		why = "the console_nonce is too old";
	else if (strcmp(n->engine_nonce, engine_nonce) != 0)
		why = "the engine_nonce is not the one sent with hello";
	else if (strcmp(n->secret_id, x->secret_id) != 0)
		why = "the secret_id is not the one sent with hello";
	else if (tc_forced(con, FAIL_NONCE_INVALID, x->step))
		why = "forced by --fail";
	if (n != NULL)
		n->used = true;
	if (why == NULL)
		return true;
	tc_error(x->rs, 403, "nonce_invalid", "%s; nonces are valid once, for "
	    "%d seconds after hello", why, con->nonce_ttl);
	return false;
}

/* Remember a hello's nonce pair, dropping used and stale ones. */
static void
tc_add_nonce(struct console *con, const char *console_nonce,
    const char *engine_nonce, const char *secret_id)
{
	struct tc_nonce *n;
	double now = tc_now();
	size_t i, j;

	for (i = j = 0; i < con->nnonces; i++)
		if (!con->nonces[i].used &&
		    now - con->nonces[i].born <= con->nonce_ttl)
			con->nonces[j++] = con->nonces[i];
	con->nnonces = j;
	if (con->nnonces == TC_NONCES_MAX) {
		memmove(&con->nonces[0], &con->nonces[1],
		    (TC_NONCES_MAX - 1) * sizeof con->nonces[0]);
		con->nnonces--;
	}
	n = &con->nonces[con->nnonces++];
	snprintf(n->console_nonce, sizeof n->console_nonce, "%s",
	    console_nonce);
	snprintf(n->engine_nonce, sizeof n->engine_nonce, "%s", engine_nonce);
	snprintf(n->secret_id, sizeof n->secret_id, "%s", secret_id);
	n->born = now;
	n->used = false;
}

static void
tc_nonce_new(char out[33])
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof b) != 1)
		fatal("test-console: no random bytes from OpenSSL");
	hex_encode(b, sizeof b, out);
}

/* Exchange 1 (protocol, "Exchange 1: hello"). */
static void
tc_hello(struct console *con, struct tc_exchange *x)
{
	static const char *const fields[] = { "protocol", "secret_id",
	    "engine_nonce", NULL };
	const char *secret_id, *engine_nonce;
	char console_nonce[33];
	double left;
	cJSON *o;

	if (!tc_begin(con, x, fields))
		return;
	if ((secret_id = tc_get_hex(x, "secret_id", 16)) == NULL)
		return;
	snprintf(x->secret_id, sizeof x->secret_id, "%s", secret_id);
	if ((engine_nonce = tc_get_hex(x, "engine_nonce", 32)) == NULL)
		return;
	if (tc_forced(con, FAIL_BAD_REQUEST, TC_HELLO)) {
		tc_error(x->rs, 400, "bad_request", "malformed request "
		    "(forced by --fail)");
		return;
	}
	if (!tc_check_rate(con, x) || !tc_check_secret(con, x))
		return;

	tc_nonce_new(console_nonce);
	tc_add_nonce(con, console_nonce, engine_nonce, secret_id);
	left = TC_SECRET_TTL - (tc_now() - con->secret_born);
	o = cJSON_CreateObject();
	if (o == NULL ||
	    cJSON_AddNumberToObject(o, "protocol", 1) == NULL ||
	    cJSON_AddStringToObject(o, "console_id", con->console_id) == NULL ||
	    cJSON_AddStringToObject(o, "console_name",
	    con->console_name) == NULL ||
	    cJSON_AddStringToObject(o, "console_version",
	    con->version) == NULL ||
	    cJSON_AddStringToObject(o, "console_nonce",
	    console_nonce) == NULL ||
	    cJSON_AddNumberToObject(o, "secret_expires_in",
	    (double)(long)(left > 0 ? left : 0)) == NULL)
		fatal("test-console: out of memory");
	tc_reply(x->rs, 200, o);
}

/* Exchange 2 (protocol, "Exchange 2: pair"), its checks in the order the
 * protocol gives. */
static void
tc_pair(struct console *con, struct tc_exchange *x)
{
	static const char *const fields[] = { "protocol", "secret_id",
	    "engine_nonce", "console_nonce", "engine_id", "engine_name",
	    "engine_version", "communication", "engine_cert", "dry_run",
	    "proof", NULL };
	const char *secret_id, *enonce, *cnonce, *engine_id, *name, *version;
	const char *comm, *cert, *proof, *status;
	char engine_spki[72], want[65], cproof[65];
	struct es_err e = { 0 };
	unsigned major, minor;
	bool dry_run;
	cJSON *dry, *o;

	if (!tc_begin(con, x, fields))
		return;
	if ((secret_id = tc_get_hex(x, "secret_id", 16)) == NULL)
		return;
	snprintf(x->secret_id, sizeof x->secret_id, "%s", secret_id);
	if ((enonce = tc_get_hex(x, "engine_nonce", 32)) == NULL ||
	    (cnonce = tc_get_hex(x, "console_nonce", 32)) == NULL ||
	    (engine_id = tc_get_string(x, "engine_id")) == NULL ||
	    (name = tc_get_string(x, "engine_name")) == NULL ||
	    (version = tc_get_string(x, "engine_version")) == NULL ||
	    (comm = tc_get_string(x, "communication")) == NULL ||
	    (cert = tc_get_string(x, "engine_cert")) == NULL ||
	    (proof = tc_get_hex(x, "proof", 64)) == NULL)
		return;
	if (!tc_is_uuid(engine_id)) {
		tc_error(x->rs, 400, "bad_request", "member \"engine_id\" must "
		    "be a lower-case UUID of 36 characters");
		return;
	}
	if (!tc_is_name(name)) {
		tc_error(x->rs, 400, "bad_request", "member \"engine_name\" "
		    "must be 1 to 64 printable characters of UTF-8");
		return;
	}
	if (!tc_parse_version(version, &major, &minor)) {
		tc_error(x->rs, 400, "bad_request", "member \"engine_version\" "
		    "must be major.minor.patch");
		return;
	}
	if (strcmp(comm, "engine-to-console") != 0) {
		tc_error(x->rs, 400, "bad_request", "member \"communication\" "
		    "must be \"engine-to-console\"");
		return;
	}
	dry = cJSON_GetObjectItemCaseSensitive(x->json, "dry_run");
	if (!cJSON_IsBool(dry)) {
		tc_error(x->rs, 400, "bad_request", "member \"dry_run\" must "
		    "be true or false");
		return;
	}
	dry_run = cJSON_IsTrue(dry);
	con->cur_dry_run = dry_run;
	if (tc_forced(con, FAIL_BAD_REQUEST, TC_PAIR)) {
		tc_error(x->rs, 400, "bad_request", "malformed request "
		    "(forced by --fail)");
		return;
	}

	if (!tc_check_rate(con, x) ||
	    !tc_check_nonce(con, x, cnonce, enonce) ||
	    !tc_check_secret(con, x))
		return;
	if (!crypto_cert_spki(cert, engine_spki, sizeof engine_spki, &e)) {
		tc_error(x->rs, 400, "bad_request", "member \"engine_cert\" is "
		    "not a PEM certificate: %s", e.msg);
		return;
	}
	tc_engine_proof(con->K, cnonce, enonce, con->spki, engine_spki + 7,
	    engine_id, version, dry_run, want);
	if (tc_forced(con, FAIL_BAD_PROOF, TC_PAIR) ||
	    CRYPTO_memcmp(want, proof, 64) != 0) {
		tc_error(x->rs, 401, "bad_proof", "the proof does not match: "
		    "the shared secret is wrong, or the engine saw another "
		    "console key than sha256:%s", con->spki);
		return;
	}
	if (tc_forced(con, FAIL_INCOMPATIBLE_VERSION, TC_PAIR) ||
	    major != con->vmajor || minor != con->vminor) {
		o = cJSON_CreateObject();
		if (o == NULL ||
		    cJSON_AddStringToObject(o, "error",
		    "incompatible_version") == NULL ||
		    cJSON_AddStringToObject(o, "message", "the engine's "
		    "major.minor version differs from the console's") == NULL ||
		    cJSON_AddStringToObject(o, "console_version",
		    con->version) == NULL)
			fatal("test-console: out of memory");
		tc_reply(x->rs, 409, o);
		return;
	}

	status = dry_run ? "verified" : "paired";
	tc_console_proof(con->K, enonce, cnonce, con->spki, engine_spki + 7,
	    engine_id, status, cproof);
	if (tc_forced(con, FAIL_WRONG_CONSOLE_PROOF, TC_PAIR))
		cproof[63] = cproof[63] == '0' ? '1' : '0';
	else if (!dry_run)
		tc_register(con, engine_id, name, version, status,
		    engine_spki + 7, true);
	o = cJSON_CreateObject();
	if (o == NULL ||
	    cJSON_AddStringToObject(o, "status", status) == NULL ||
	    cJSON_AddStringToObject(o, "console_id", con->console_id) == NULL ||
	    cJSON_AddStringToObject(o, "console_name",
	    con->console_name) == NULL ||
	    cJSON_AddStringToObject(o, "engine_id", engine_id) == NULL ||
	    cJSON_AddStringToObject(o, "console_proof", cproof) == NULL)
		fatal("test-console: out of memory");
	tc_reply(x->rs, 200, o);
}

static bool
tc_is_json_type(const char *ctype)
{
	static const char json[] = "application/json";
	size_t n = sizeof json - 1;

	return strncasecmp(ctype, json, n) == 0 &&
	    (ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ' ||
	    ctype[n] == '\t');
}

/* Route a request to hello, pair or checkin and apply the forced failures
 * that replace a whole response. */
static void
tc_dispatch(struct console *con, const struct tc_conn *c,
    struct tc_request *rq, struct tc_response *rs)
{
	struct tc_exchange x;
	enum tc_step step;

	if (strcmp(rq->target, "/pairing/v1/hello") == 0)
		step = TC_HELLO;
	else if (strcmp(rq->target, "/pairing/v1/pair") == 0)
		step = TC_PAIR;
	else if (strcmp(rq->target, "/engines/v1/checkin") == 0)
		step = TC_CHECKIN;
	else {
		tc_error(rs, 404, "not_found", "no resource %.64s: this "
		    "console has POST /pairing/v1/hello, /pairing/v1/pair and "
		    "/engines/v1/checkin", rq->target);
		return;
	}
	if (strcmp(rq->method, "POST") != 0) {
		tc_error(rs, 405, "method_not_allowed", "%s needs POST",
		    rq->target);
		return;
	}
	if (step == TC_PAIR && con->fail == FAIL_NO_ANSWER_AFTER_HELLO) {
		rs->hang = true;
		return;
	}
	if (tc_forced(con, FAIL_NOT_JSON, step)) {
		tc_set_body(rs, 200, "application/json",
		    "<html><body><h1>Welcome</h1>This is not JSON."
		    "</body></html>\n");
		return;
	}
	if (tc_forced(con, FAIL_HTTP_500, step)) {
		tc_set_body(rs, 500, "text/plain", "internal server error\n");
		return;
	}
	if (!rq->has_ctype || !tc_is_json_type(rq->ctype)) {
		tc_error(rs, 415, "unsupported_media_type", "requests must "
		    "have Content-Type: application/json");
		return;
	}

	memset(&x, 0, sizeof x);
	x.step = step;
	x.body = rq->body != NULL ? rq->body : "";
	x.bodylen = rq->bodylen;
	x.rs = rs;
	x.conn = c;
	if (step == TC_HELLO)
		tc_hello(con, &x);
	else if (step == TC_PAIR)
		tc_pair(con, &x);
	else
		tc_checkin(con, &x);
	if (rs->status >= 400 && rs->status != 429 && x.secret_id[0] != '\0')
		tc_count_failure(con, x.secret_id);
	cJSON_Delete(x.json);

	if (tc_forced(con, FAIL_TOO_LARGE, step))
		tc_pad(rs);
}

/* Keep a connection open without answering until the client gives up or
 * the lifetime ends. */
static void
tc_hang(struct console *con, struct tc_conn *c)
{
	char scratch[4096];
	size_t got;

	tc_log(con, "connection %lu: holding request %u without an answer "
	    "(--fail no_tls_answer_after_hello)", c->id, c->nreq);
	while (tc_ssl_io(c, TC_IO_READ, scratch, sizeof scratch, &got,
	    con->end) == 1)
		;
	tc_log(con, "connection %lu: released", c->id);
}

/* The hex SHA-256 of the client certificate's DER SubjectPublicKeyInfo
 * into c->peer_spki, or "" without one. */
static void
tc_peer_spki(struct tc_conn *c)
{
	unsigned char *der = NULL;
	X509 *x;
	int n;

	c->peer_spki[0] = '\0';
	x = SSL_get1_peer_certificate(c->ssl);
	if (x == NULL)
		return;
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	if (n > 0)
		crypto_sha256_hex(der, (size_t)n, c->peer_spki);
	OPENSSL_free(der);
	X509_free(x);
}

/* Answer the requests of one TLS connection. */
static void
tc_serve(struct console *con, int fd, const char *peer)
{
	struct tc_conn c;
	struct tc_request rq;
	struct tc_response rs;
	enum tc_rq r;
	bool open = true, shut = false;

	memset(&c, 0, sizeof c);
	c.fd = fd;
	c.id = ++con->nconn;
	snprintf(c.peer, sizeof c.peer, "%s", peer);
	c.cap = TC_HEAD_MAX;
	c.buf = xmalloc(c.cap);
	tc_log(con, "connection %lu from %s", c.id, c.peer);

	c.ssl = SSL_new(con->ctx);
	if (c.ssl == NULL || SSL_set_fd(c.ssl, fd) != 1) {
		tc_log(con, "connection %lu: cannot set up TLS", c.id);
		goto out;
	}
	if (tc_ssl_io(&c, TC_IO_ACCEPT, NULL, 0, NULL,
	    tc_deadline(con)) != 1) {
		tc_log(con, "connection %lu: TLS handshake failed or timed "
		    "out", c.id);
		goto out;
	}
	tc_peer_spki(&c);
	tc_log(con, "connection %lu: %s, %s, client certificate %s%s", c.id,
	    SSL_get_version(c.ssl), SSL_get_cipher_name(c.ssl),
	    c.peer_spki[0] != '\0' ? "sha256:" : "none",
	    c.peer_spki);
	shut = true;

	while (open && !tc_stop && c.nreq < TC_REQUESTS_MAX) {
		memset(&rq, 0, sizeof rq);
		memset(&rs, 0, sizeof rs);
		c.nreq++;
		r = tc_read_request(con, &c, &rq, &rs);
		if (r == TC_RQ_EOF) {
			tc_log(con, "connection %lu: closed", c.id);
			open = false;
		} else if (r == TC_RQ_DROP) {
			if (rq.rawlen == 0)
				rq.rawlen = c.len;
			tc_log_raw(con, ">>> request (incomplete)", c.id,
			    c.nreq, c.buf, rq.rawlen, "", 0);
			tc_log(con, "connection %lu: request incomplete "
			    "after %.0f s, or the connection failed", c.id,
			    TC_IO_TIMEOUT);
			open = false;
			shut = false;
		} else {
			tc_log_raw(con, ">>> request", c.id, c.nreq, c.buf,
			    rq.rawlen, "", 0);
			if (r == TC_RQ_OK)
				tc_dispatch(con, &c, &rq, &rs);
			if (rq.close || c.nreq == TC_REQUESTS_MAX)
				rs.close = true;
			rs.keepalive10 = rq.http10;
			if (rs.hang) {
				tc_hang(con, &c);
				open = false;
				shut = false;
			} else {
				if (!tc_send(con, &c, &rs)) {
					shut = false;
					rs.close = true;
				}
				if (rs.close)
					open = false;
			}
			if (rq.rawlen <= c.len) {
				memmove(c.buf, c.buf + rq.rawlen,
				    c.len - rq.rawlen);
				c.len -= rq.rawlen;
			} else
				c.len = 0;
		}
		free(rq.body);
		free(rs.body);
	}

out:
	if (c.ssl != NULL) {
		if (shut)
			SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	ERR_clear_error();
	close(fd);
	free(c.buf);
}

/* ---- Setup ---- */

char *
tc_read_file(const char *path)
{
	struct sbuf b;
	char chunk[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	sbuf_init(&b);
	sbuf_add(&b, "");
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		sbuf_addn(&b, chunk, n);
	if (ferror(f)) {
		fclose(f);
		sbuf_free(&b);
		return NULL;
	}
	fclose(f);
	return sbuf_detach(&b);
}

/* Write a small file by renaming a temporary one into place, so that a
 * reader never sees it half written. */
static bool
tc_write_atomic(const char *path, const char *content)
{
	char *tmp;
	FILE *f;
	bool ok = false;

	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "w")) == NULL)
		goto out;
	if (fputs(content, f) == EOF) {
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0)
		goto out;
	ok = rename(tmp, path) == 0;
out:
	if (!ok) {
		fprintf(stderr, "test-console: cannot write %s: %s\n", path,
		    strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok;
}

/* Offer HTTP/1.1 when the client asks for ALPN (RFC 7301). */
static int
tc_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	static const unsigned char h11[] = "\x08http/1.1";
	unsigned char *sel;

	(void)ssl;
	(void)arg;
	if (SSL_select_next_proto(&sel, outlen, h11, sizeof h11 - 1, in,
	    inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static int
tc_accept_any(int preverify_ok, X509_STORE_CTX *store)
{
	(void)preverify_ok;
	(void)store;
	return 1;
}

/* The TLS context with the console's certificate: from --cert/--key, or a
 * fresh EC P-256 self-signed one. */
static bool
tc_tls_setup(struct console *con)
{
	char *cert_pem = NULL, *key_pem = NULL, spki[72];
	struct es_err e = { 0 };
	BIO *bio = NULL;
	X509 *x = NULL, *extra;
	EVP_PKEY *pkey = NULL;
	bool ok = false;

	if (con->cert_file != NULL) {
		cert_pem = tc_read_file(con->cert_file);
		key_pem = tc_read_file(con->key_file);
		if (cert_pem == NULL || key_pem == NULL) {
			fprintf(stderr, "test-console: cannot read %s: %s\n",
			    cert_pem == NULL ? con->cert_file : con->key_file,
			    strerror(errno));
			goto out;
		}
	} else if (!crypto_make_cert("test-console.invalid", "engine-setup "
	    "tests", "Security Console", 30, &key_pem, &cert_pem, &e)) {
		fprintf(stderr, "test-console: %s\n", e.msg);
		goto out;
	}
	if (!crypto_cert_spki(cert_pem, spki, sizeof spki, &e)) {
		fprintf(stderr, "test-console: %s\n", e.msg);
		goto out;
	}
	snprintf(con->spki, sizeof con->spki, "%s", spki + 7);

	con->ctx = SSL_CTX_new(TLS_server_method());
	if (con->ctx == NULL ||
	    SSL_CTX_set_min_proto_version(con->ctx, TLS1_2_VERSION) != 1)
		goto tls;
	SSL_CTX_set_options(con->ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_session_cache_mode(con->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_alpn_select_cb(con->ctx, tc_alpn, NULL);
	/* Ask for a client certificate and take any: an engine's check-in
	 * is checked against its registered SPKI, and the installer's
	 * pairing client sends none. */
	SSL_CTX_set_verify(con->ctx, SSL_VERIFY_PEER, tc_accept_any);

	if ((bio = BIO_new_mem_buf(cert_pem, -1)) == NULL ||
	    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL ||
	    SSL_CTX_use_certificate(con->ctx, x) != 1)
		goto tls;
	while ((extra = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (SSL_CTX_add0_chain_cert(con->ctx, extra) != 1) {
			X509_free(extra);
			goto tls;
		}
	ERR_clear_error();
	BIO_free(bio);
	if ((bio = BIO_new_mem_buf(key_pem, -1)) == NULL ||
	    (pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL ||
	    SSL_CTX_use_PrivateKey(con->ctx, pkey) != 1 ||
	    SSL_CTX_check_private_key(con->ctx) != 1)
		goto tls;
	ok = true;
	/* Kept for the whole life of the console: refreshes present it. */
	con->cert_pem = cert_pem;
	con->key_pem = key_pem;
	cert_pem = key_pem = NULL;
	goto out;

tls:
	fprintf(stderr, "test-console: cannot set up TLS with %s: %s\n",
	    con->cert_file != NULL ? con->cert_file : "a generated key",
	    ERR_reason_error_string(ERR_get_error()));
	ERR_clear_error();
out:
	EVP_PKEY_free(pkey);
	X509_free(x);
	BIO_free(bio);
	free(cert_pem);
	util_free_secret(key_pem);
	return ok;
}

int
tc_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

/* The socket address of --listen, which must be 127.0.0.1 or ::1. */
static bool
tc_loopback(const struct console *con, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, con->listen_addr, &sin->sin_addr) == 1 &&
	    ntohl(sin->sin_addr.s_addr) == INADDR_LOOPBACK) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)con->port);
		*sslen = sizeof *sin;
		return true;
	}
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET6, con->listen_addr, &sin6->sin6_addr) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)con->port);
		*sslen = sizeof *sin6;
		return true;
	}
	return false;
}

static bool
tc_listen(struct console *con)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sslen;
	int one = 1, fam;

	if (!tc_loopback(con, &ss, &sslen))
		return false;
	fam = ss.ss_family;
	if ((con->lfd = socket(fam, SOCK_STREAM, 0)) < 0)
		goto fail;
	setsockopt(con->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fam == AF_INET6)
		setsockopt(con->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof one);
	if (bind(con->lfd, (struct sockaddr *)&ss, sslen) < 0 ||
	    listen(con->lfd, 16) < 0 || tc_set_nonblock(con->lfd) < 0)
		goto fail;
	sslen = sizeof ss;
	if (getsockname(con->lfd, (struct sockaddr *)&ss, &sslen) < 0)
		goto fail;
	con->port = ntohs(fam == AF_INET ? sin->sin_port : sin6->sin6_port);
	return true;

fail:
	fprintf(stderr, "test-console: cannot listen on %s port %u: %s\n",
	    con->listen_addr, con->port, strerror(errno));
	return false;
}

static void
tc_peer_name(const struct sockaddr_storage *ss, char *out, size_t outsz)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 =
		    (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		snprintf(out, outsz, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		snprintf(out, outsz, "%s:%u", host, ntohs(s4->sin_port));
	}
}

/* Accept one waiting TLS connection and serve it, or hold it for --fail
 * never_answer; false when accepting fails for good. */
static bool
tc_accept_one(struct console *con)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char peer[INET6_ADDRSTRLEN + 8];
	int fd;

	fd = accept(con->lfd, (struct sockaddr *)&ss, &sslen);
	if (fd < 0) {
		if (errno == EINTR || errno == EAGAIN ||
		    errno == EWOULDBLOCK || errno == ECONNABORTED)
			return true;
		tc_log(con, "accept: %s", strerror(errno));
		return false;
	}
	tc_peer_name(&ss, peer, sizeof peer);
	if (tc_set_nonblock(fd) < 0) {
		close(fd);
		return true;
	}
	if (con->fail == FAIL_NEVER_ANSWER) {
		tc_log(con, "connection %lu from %s: held without a TLS "
		    "handshake (--fail never_answer)", ++con->nconn, peer);
		if (con->nheld == TC_HELD_MAX) {
			close(con->held[0]);
			memmove(&con->held[0], &con->held[1],
			    (TC_HELD_MAX - 1) * sizeof con->held[0]);
			con->nheld--;
		}
		con->held[con->nheld++] = fd;
		return true;
	}
	tc_serve(con, fd, peer);
	return true;
}

/* Serve until the lifetime ends or a signal: TLS connections one at a
 * time, the control socket's clients, and the refreshes under way (libcurl
 * multi), all from one wait. */
static void
tc_loop(struct console *con)
{
	struct curl_waitfd wfd[2 + TC_CTL_MAX];
	int cfds[1 + TC_CTL_MAX], ready[1 + TC_CTL_MAX];
	size_t n, nready, i;
	double left;
	CURLMcode mc;

	while (!tc_stop) {
		left = con->end - tc_now();
		if (left <= 0)
			break;
		memset(wfd, 0, sizeof wfd);
		wfd[0].fd = con->lfd;
		wfd[0].events = CURL_WAIT_POLLIN;
		n = tc_control_fds(con, cfds, sizeof cfds / sizeof cfds[0]);
		for (i = 0; i < n; i++) {
			wfd[1 + i].fd = cfds[i];
			wfd[1 + i].events = CURL_WAIT_POLLIN;
		}
		mc = curl_multi_wait(con->multi, wfd, (unsigned)(1 + n),
		    left < 1 ? (int)(left * 1000) + 1 : 1000, NULL);
		if (mc != CURLM_OK) {
			tc_log(con, "wait: %s", curl_multi_strerror(mc));
			break;
		}
		for (i = nready = 0; i < n; i++)
			if (wfd[1 + i].revents != 0)
				ready[nready++] = cfds[i];
		if (nready > 0)
			tc_control_serve(con, ready, nready);
		tc_refresh_poll(con);
		if ((wfd[0].revents & CURL_WAIT_POLLIN) != 0 &&
		    !tc_accept_one(con))
			break;
	}
	tc_log(con, "exiting: %s", tc_stop ? "signal" : "lifetime over");
}

static void
tc_usage(FILE *f)
{
	fprintf(f,
	    "usage: test-console [--listen 127.0.0.1|::1] [--port N] "
	    "[--port-file F]\n"
	    "           [--secret TYPED] [--secret-age SECONDS] "
	    "[--version X.Y.Z]\n"
	    "           [--console-id ID] [--console-name NAME] "
	    "[--cert F --key F]\n"
	    "           [--spki-file F] [--registry F] [--log F] "
	    "[--lifetime SECONDS]\n"
	    "           [--fail MODE [--fail-at hello|pair|register]] "
	    "[--rate-limit N]\n"
	    "           [--nonce-ttl SECONDS] [--load-registry F]\n"
	    "           [--control PATH [--checkin-interval S] "
	    "[--refresh-timeout S]]\n"
	    "       test-console add-engine HOST:PORT --control PATH\n"
	    "       test-console refresh [ENGINE] --control PATH\n"
	    "       test-console engines --control PATH\n"
	    "       test-console --self-test\n"
	    "MODE: bad_proof nonce_invalid unknown_secret secret_expired\n"
	    "      incompatible_version protocol_unsupported rate_limited\n"
	    "      bad_request not_json too_large http_500 "
	    "wrong_console_proof\n"
	    "      never_answer no_tls_answer_after_hello\n"
	    "See tests/console/README.md.\n");
}

/* Seconds with decimals, more than 0 and at most 600. */
static bool
tc_parse_seconds(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > 600) {
		fprintf(stderr, "test-console: %s wants seconds above 0 and "
		    "up to 600 (decimals allowed), not \"%s\"\n", opt, s);
		return false;
	}
	*out = v;
	return true;
}

static bool
tc_parse_int(const char *opt, const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "test-console: %s wants a whole number from "
		    "%ld to %ld, not \"%s\"\n", opt, min, max, s);
		return false;
	}
	*out = v;
	return true;
}

/* A random secret of the displayed form, for runs without --secret. */
static void
tc_random_secret(char S[33], char shown[40])
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	unsigned char b[32];
	size_t i, j = 0;

	if (RAND_bytes(b, sizeof b) != 1)
		fatal("test-console: no random bytes from OpenSSL");
	for (i = 0; i < 32; i++) {
		S[i] = alphabet[b[i] % 36];
		if (i > 0 && i % 4 == 0)
			shown[j++] = '-';
		shown[j++] = S[i];
	}
	S[32] = '\0';
	shown[j] = '\0';
	util_wipe(b, sizeof b);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'L' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "secret", required_argument, NULL, 's' },
		{ "secret-age", required_argument, NULL, 'a' },
		{ "version", required_argument, NULL, 'V' },
		{ "console-id", required_argument, NULL, 'i' },
		{ "console-name", required_argument, NULL, 'n' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "spki-file", required_argument, NULL, 'S' },
		{ "registry", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "lifetime", required_argument, NULL, 't' },
		{ "fail", required_argument, NULL, 'f' },
		{ "fail-at", required_argument, NULL, 'F' },
		{ "rate-limit", required_argument, NULL, 'R' },
		{ "nonce-ttl", required_argument, NULL, 'N' },
		{ "self-test", no_argument, NULL, 'T' },
		{ "control", required_argument, NULL, 'C' },
		{ "checkin-interval", required_argument, NULL, 'I' },
		{ "refresh-timeout", required_argument, NULL, 'O' },
		{ "load-registry", required_argument, NULL, 'G' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct console con;
	const char *secret = NULL, *fail_at = NULL;
	const struct tc_fail_mode *mode = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct sigaction sa;
	char shown[40], spki_line[80], port_line[16];
	long v, secret_age = 0;
	size_t i;
	int ch, rc = 1;
	bool bracket;

	con.listen_addr = "127.0.0.1";
	con.console_id = TC_DEFAULT_ID;
	con.console_name = TC_DEFAULT_NAME;
	con.version = TC_DEFAULT_VERSION;
	con.lifetime = TC_DEFAULT_LIFETIME;
	con.nonce_ttl = TC_NONCE_TTL;
	con.lfd = -1;
	con.cfd = -1;
	con.checkin_interval = TC_CHECKIN_INTERVAL;
	con.refresh_timeout = TC_REFRESH_TIMEOUT;

	if (argc > 1 && tc_is_client_command(argv[1]))
		return tc_client_main(argc - 1, argv + 1);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'L':
			con.listen_addr = optarg;
			break;
		case 'p':
			if (!tc_parse_int("--port", optarg, 0, 65535, &v))
				return 2;
			con.port = (unsigned)v;
			break;
		case 'P':
			con.port_file = optarg;
			break;
		case 's':
			secret = optarg;
			break;
		case 'a':
			if (!tc_parse_int("--secret-age", optarg, 0,
			    100L * 365 * 86400, &secret_age))
				return 2;
			break;
		case 'V':
			con.version = optarg;
			break;
		case 'i':
			con.console_id = optarg;
			break;
		case 'n':
			con.console_name = optarg;
			break;
		case 'c':
			con.cert_file = optarg;
			break;
		case 'k':
			con.key_file = optarg;
			break;
		case 'S':
			con.spki_file = optarg;
			break;
		case 'r':
			con.registry = optarg;
			break;
		case 'l':
			con.log_path = optarg;
			break;
		case 't':
			if (!tc_parse_int("--lifetime", optarg, 1, 86400, &v))
				return 2;
			con.lifetime = (int)v;
			break;
		case 'f':
			for (i = 0; i < sizeof tc_fail_modes /
			    sizeof tc_fail_modes[0]; i++)
				if (strcmp(tc_fail_modes[i].name, optarg) == 0)
					mode = &tc_fail_modes[i];
			if (mode == NULL) {
				fprintf(stderr, "test-console: unknown --fail "
				    "mode \"%s\"\n", optarg);
				tc_usage(stderr);
				return 2;
			}
			break;
		case 'F':
			fail_at = optarg;
			break;
		case 'R':
			if (!tc_parse_int("--rate-limit", optarg, 1, 1000000,
			    &v))
				return 2;
			con.rate_limit = (int)v;
			break;
		case 'N':
			if (!tc_parse_int("--nonce-ttl", optarg, 0, 86400, &v))
				return 2;
			con.nonce_ttl = (int)v;
			break;
		case 'T':
			return tc_self_test();
		case 'C':
			con.control = optarg;
			break;
		case 'I':
			if (!tc_parse_int("--checkin-interval", optarg, 1,
			    86400, &v))
				return 2;
			con.checkin_interval = (int)v;
			break;
		case 'O':
			if (!tc_parse_seconds("--refresh-timeout", optarg,
			    &con.refresh_timeout))
				return 2;
			break;
		case 'G':
			con.load_registry = optarg;
			break;
		case 'h':
			tc_usage(stdout);
			return 0;
		default:
			tc_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "test-console: unexpected argument \"%s\"\n",
		    argv[optind]);
		tc_usage(stderr);
		return 2;
	}
	if ((con.cert_file == NULL) != (con.key_file == NULL)) {
		fprintf(stderr, "test-console: --cert and --key go together\n");
		return 2;
	}
	if (!tc_parse_version(con.version, &con.vmajor, &con.vminor)) {
		fprintf(stderr, "test-console: --version wants major.minor."
		    "patch, not \"%s\"\n", con.version);
		return 2;
	}
	if (!tc_loopback(&con, &ss, &sslen)) {
		fprintf(stderr, "test-console: refusing to listen on \"%s\": "
		    "the test console listens on loopback only (127.0.0.1 or "
		    "::1)\n", con.listen_addr);
		return 2;
	}
	if (mode != NULL) {
		con.fail = mode->fail;
		con.fail_step = (mode->steps & TC_HELLO) ? TC_HELLO :
		    mode->steps;
		if (fail_at != NULL) {
			if (strcmp(fail_at, "hello") == 0)
				con.fail_step = TC_HELLO;
			else if (strcmp(fail_at, "pair") == 0)
				con.fail_step = TC_PAIR;
			else if (strcmp(fail_at, "register") == 0) {
				/* The real pairing only: the dry run passes. */
				con.fail_step = TC_PAIR;
				con.fail_real_only = true;
			}
			else
				con.fail_step = -1;
			if (con.fail_step < 0 ||
			    !(mode->steps & con.fail_step)) {
				fprintf(stderr, "test-console: --fail %s "
				    "cannot happen at \"%s\"\n", mode->name,
				    fail_at);
				return 2;
			}
		}
	} else if (fail_at != NULL) {
		fprintf(stderr, "test-console: --fail-at needs --fail\n");
		return 2;
	}
	if (secret != NULL) {
		if (!tc_normalize(secret, con.S)) {
			fprintf(stderr, "test-console: --secret wants 32 "
			    "characters from 0-9A-Z, in groups joined by "
			    "'-' if you like\n");
			return 2;
		}
	} else {
		tc_random_secret(con.S, shown);
		printf("secret %s\n", shown);
		fflush(stdout);
		util_wipe(shown, sizeof shown);
	}
	tc_secret_id(con.S, con.secret_id);
	tc_key(con.S, con.K);

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = tc_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (con.log_path != NULL && (con.log = fopen(con.log_path,
	    "a")) == NULL) {
		fprintf(stderr, "test-console: cannot open %s: %s\n",
		    con.log_path, strerror(errno));
		goto out;
	}
	if (con.load_registry != NULL &&
	    !tc_load_registry(&con, con.load_registry))
		goto out;
	if (!tc_refresh_init(&con) || !tc_tls_setup(&con) ||
	    !tc_listen(&con) || !tc_control_listen(&con))
		goto out;
	con.secret_born = tc_now() - (double)secret_age;
	con.end = tc_now() + con.lifetime;
	if (con.spki_file != NULL) {
		snprintf(spki_line, sizeof spki_line, "sha256:%s\n", con.spki);
		if (!tc_write_atomic(con.spki_file, spki_line))
			goto out;
	}
	tc_log(&con, "listening on %s port %u, pid %ld, secret_id %s "
	    "(age %ld s), console %s %s, key sha256:%s, fail %s at %s",
	    con.listen_addr, con.port, (long)getpid(), con.secret_id,
	    secret_age, con.console_id, con.version, con.spki,
	    mode != NULL ? mode->name : "none",
	    con.fail_step == TC_PAIR ? "pair" : "hello");
	if (con.port_file != NULL) {
		snprintf(port_line, sizeof port_line, "%u\n", con.port);
		if (!tc_write_atomic(con.port_file, port_line))
			goto out;
	}
	bracket = strchr(con.listen_addr, ':') != NULL;
	fprintf(stderr, "test-console: listening on https://%s%s%s:%u/ "
	    "(secret_id %s) for %d s\n", bracket ? "[" : "",
	    con.listen_addr, bracket ? "]" : "", con.port, con.secret_id,
	    con.lifetime);

	tc_loop(&con);
	rc = 0;

out:
	tc_control_close(&con);
	tc_refresh_cleanup(&con);
	free(con.cert_pem);
	util_free_secret(con.key_pem);
	for (i = 0; i < con.nheld; i++)
		close(con.held[i]);
	if (con.lfd >= 0)
		close(con.lfd);
	SSL_CTX_free(con.ctx);
	if (con.log != NULL)
		fclose(con.log);
	util_wipe(con.S, sizeof con.S);
	util_wipe(con.K, sizeof con.K);
	return rc;
}
