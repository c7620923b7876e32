/* The sample engine's Console-to-Engine side (engine-protocol.md): a TLS
 * listener that asks for a client certificate and accepts any, one
 * connection at a time, one request per connection, and the answer to
 * POST /engine/v1/refresh. The HTTP handling is minimal on purpose: the
 * request line, Content-Length, a body of at most 64 KiB, and always
 * "Connection: close". */
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#else
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#endif

#include "sample.h"

#include <cJSON.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_HEAD_MAX 8192
#define HTTP_BODY_MAX 65536
#define HTTP_TIMEOUT_MS 5000          /* each read and write */
#define HTTP_DEADLINE_MS 10000        /* handshake + head + body */
#define REFRESH_PATH "/engine/v1/refresh"
#define CONSOLES_MAX (16u << 20)      /* consoles.xml read limit, bytes */
#define CONSOLE_PEM_MAX 16384         /* a new console's PEM, bytes */
#define CONSOLES_PENDING_MAX 64       /* enabled="0" entries at most */
#define CONSOLE_FIELD_MAX 256         /* console_id, _name, _version, bytes */

/* Any client certificate is accepted: it is checked against consoles.xml,
 * not against authorities. */
static int
verify_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

bool
engine_tls_setup(struct sample *s)
{
	SSL_CTX *ctx;
	BIO *bio;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	static const unsigned char sid[] = "sample-engine";
	bool ok;

	if (s->e.key_pem == NULL || s->e.cert_pem == NULL) {
		sample_logl(s, "WARN", "Scan Engine cannot read its key and "
		    "certificate (%s, %s under %s): it answers no refresh",
		    s->e.key_rel, s->e.cert_rel, s->e.install_dir);
		return false;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return false;
	if ((bio = BIO_new_mem_buf(s->e.cert_pem, -1)) != NULL) {
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if ((bio = BIO_new_mem_buf(s->e.key_pem, -1)) != NULL) {
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	ok = cert != NULL && key != NULL &&
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
	    SSL_CTX_use_certificate(ctx, cert) == 1 &&
	    SSL_CTX_use_PrivateKey(ctx, key) == 1 &&
	    SSL_CTX_check_private_key(ctx) == 1 &&
	    SSL_CTX_set_session_id_context(ctx, sid, sizeof sid - 1) == 1;
	X509_free(cert);
	EVP_PKEY_free(key);
	if (!ok) {
		sample_logl(s, "WARN", "Scan Engine cannot use its key and "
		    "certificate (%s, %s under %s): it answers no refresh",
		    s->e.key_rel, s->e.cert_rel, s->e.install_dir);
		SSL_CTX_free(ctx);
		ERR_clear_error();
		return false;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_any);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	s->e.tls = ctx;
	return true;
}

/* Reads and writes on fd time out after HTTP_TIMEOUT_MS. */
static void
set_timeouts(sample_sock fd)
{
#ifdef _WIN32
	DWORD ms = HTTP_TIMEOUT_MS;
	u_long blocking = 0;

	/* An accepted socket inherits the listener's event selection and
	 * non-blocking mode. */
	WSAEventSelect(fd, NULL, 0);
	ioctlsocket(fd, FIONBIO, &blocking);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, (const char *)&ms, sizeof ms);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, (const char *)&ms, sizeof ms);
#else
	struct timeval tv = { HTTP_TIMEOUT_MS / 1000, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
#endif
}

/* Before each read of the socket BIO: the read waits HTTP_TIMEOUT_MS at
 * most and never past the exchange's deadline (arg: a long long,
 * sample_now_ms()); past it, the read fails. A silent client is so dropped
 * after 5 s, one that trickles bytes at the deadline. */
static long
deadline_cb(BIO *b, int oper, const char *argp, size_t len, int argi,
    long argl, int ret, size_t *processed)
{
	const long long *deadline = (const long long *)BIO_get_callback_arg(b);
	long long left;
	int fd;

	(void)argp;
	(void)len;
	(void)argi;
	(void)argl;
	(void)processed;
	if (oper != BIO_CB_READ || deadline == NULL)
		return ret;
	left = *deadline - sample_now_ms();
	if (left <= 0 || BIO_get_fd(b, &fd) < 0)
		return -1;
	if (left > HTTP_TIMEOUT_MS)
		left = HTTP_TIMEOUT_MS;
	{
#ifdef _WIN32
		DWORD ms = (DWORD)left;

		setsockopt((SOCKET)fd, SOL_SOCKET, SO_RCVTIMEO,
		    (const char *)&ms, sizeof ms);
#else
		struct timeval tv = { (time_t)(left / 1000),
		    (suseconds_t)(left % 1000) * 1000 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
#endif
	}
	return ret;
}

/* The peer's IP address as text (an IPv4-mapped IPv6 address as IPv4). */
static void
peer_address(sample_sock fd, char *out, size_t outsz)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	struct in_addr a4;

	snprintf(out, outsz, "unknown");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    out, (socklen_t)outsz);
	} else if (ss.ss_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
			memcpy(&a4, (const unsigned char *)&a6->sin6_addr + 12,
			    4);
			inet_ntop(AF_INET, &a4, out, (socklen_t)outsz);
		} else {
			inet_ntop(AF_INET6, &a6->sin6_addr, out,
			    (socklen_t)outsz);
		}
	}
}

/* One request as read. */
struct request {
	char method[16], path[256];
	char head[HTTP_HEAD_MAX + 1];
	size_t head_len;
	char *body;
	size_t body_len;
	long content_length;   /* -1: none */
};

/* Read from ssl into buf until want bytes are there or, with want 0,
 * until the end of the header; *have counts them. False on a timeout, the
 * peer's end or an error. */
static bool
tls_read(SSL *ssl, char *buf, size_t cap, size_t *have, size_t want)
{
	int n;

	while (*have < cap && (want == 0 || *have < want)) {
		if (want == 0) {
			buf[*have] = '\0';
			if (strstr(buf, "\r\n\r\n") != NULL)
				return true;
		}
		if (sample_stopping())
			return false;
		n = SSL_read(ssl, buf + *have, (int)(cap - *have));
		if (n <= 0)
			return false;
		*have += (size_t)n;
	}
	if (want == 0) {
		buf[*have] = '\0';     /* the header's buffer has cap + 1 */
		return strstr(buf, "\r\n\r\n") != NULL;
	}
	return *have >= want;
}

/* Write one answer: status, reason phrase, a JSON body (freed). */
static void
answer(SSL *ssl, int status, const char *extra, cJSON *json)
{
	const char *reason = status == 200 ? "OK" : status == 400 ?
	    "Bad Request" : status == 403 ? "Forbidden" : status == 404 ?
	    "Not Found" : status == 405 ? "Method Not Allowed" :
	    status == 409 ? "Conflict" : status == 413 ?
	    "Content Too Large" : status == 503 ? "Service Unavailable" :
	    "Internal Server Error";
	char *body = cJSON_PrintUnformatted(json), head[512];
	size_t blen = body != NULL ? strlen(body) : 0;
	int hlen;

	hlen = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %lu\r\n"
	    "%sConnection: close\r\n\r\n", status, reason,
	    (unsigned long)blen + 1, extra);
	if (SSL_write(ssl, head, hlen) > 0 && body != NULL &&
	    SSL_write(ssl, body, (int)blen) > 0)
		(void)SSL_write(ssl, "\n", 1);
	free(body);
	cJSON_Delete(json);
}

/* A 4xx with {"error": why}; the log line when console_id is known. */
static void
refuse(struct sample *s, SSL *ssl, int status, const char *extra,
    const char *console_id, const char *peer, const char *why)
{
	cJSON *j = cJSON_CreateObject();
	char id[SAMPLE_LOG_FIELD + 1], ip[SAMPLE_LOG_FIELD + 1];
	char reason[SAMPLE_LOG_FIELD + 1];

	cJSON_AddStringToObject(j, "error", why);
	answer(ssl, status, extra, j);
	sample_logl(s, "INFO", "Refresh from console %s at %s: bad request "
	    "(%s)", sample_clean(id, console_id, false),
	    sample_clean(ip, peer, false), sample_clean(reason, why, true));
}

/* A 503 with {"error": why}. */
static void
unavailable(SSL *ssl, const char *why)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "error", why);
	answer(ssl, 503, "", j);
}

/* The hex SHA-256 of the certificate's DER SubjectPublicKeyInfo. */
static bool
spki_hex(X509 *cert, char hex[65])
{
	unsigned char *der = NULL, md[32];
	unsigned mdlen = 0;
	int n, i;

	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	if (n <= 0)
		return false;
	i = EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	if (i != 1 || mdlen != 32)
		return false;
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return true;
}

/* The certificate in PEM, or NULL. Free it. */
static char *
cert_pem(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n;

	if (bio == NULL)
		return NULL;
	if (PEM_write_bio_X509(bio, cert) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0 &&
	    (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(bio);
	return out;
}

/* "X.Y" of a version "X.Y[.Z...]" into out; false when it has no such
 * form. */
static bool
major_minor(const char *v, char *out, size_t outsz)
{
	const char *p = v;
	size_t n;

	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.' || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	n = (size_t)(p - v);
	if (n >= outsz)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

/* A well-formed "major.minor.patch". */
static bool
version_ok(const char *v)
{
	int parts = 0;

	for (;;) {
		if (!isdigit((unsigned char)*v))
			return false;
		while (isdigit((unsigned char)*v))
			v++;
		parts++;
		if (*v == '\0')
			return parts == 3;
		if (*v++ != '.')
			return false;
	}
}

/* What makes a parsed body (text, len bytes; cJSON stopped at end) one
 * the engine does not take, though cJSON took it: anything but white
 * space after the object, a key twice in it (cJSON would keep the first
 * silently), a NUL in a string ("\u0000", where a C string would end and
 * silently cut the name). NULL when none. */
static const char *
body_problem(const char *text, size_t len, const char *end,
    const cJSON *body)
{
	const cJSON *a, *b;
	size_t i;

	if (end == NULL || end < text || end > text + len)
		return "the body is not a JSON object";
	i = (size_t)(end - text);
	while (i < len && strchr(" \t\r\n", text[i]) != NULL && text[i] != '\0')
		i++;
	if (i < len)
		return "data follows the JSON object";
	for (a = body->child; a != NULL; a = a->next)
		for (b = a->next; b != NULL; b = b->next)
			if (strcmp(a->string, b->string) == 0)
				return "a key appears more than once";
	/* The text is JSON (cJSON parsed it): every backslash is in a
	 * string and begins an escape, so taking them pair by pair finds
	 * each escape as it is. */
	for (i = 0; i + 1 < len; i++) {
		if (text[i] != '\\')
			continue;
		if (text[i + 1] == 'u' && i + 5 < len &&
		    strncmp(text + i + 2, "0000", 4) == 0)
			return "a string holds a NUL character";
		i++;
	}
	return NULL;
}

/* POST /engine/v1/refresh with its body parsed: the protocol's answer. */
static void
refresh(struct sample *s, SSL *ssl, const char *peer, const cJSON *body)
{
	const cJSON *proto = cJSON_GetObjectItemCaseSensitive(body, "protocol");
	const cJSON *cid = cJSON_GetObjectItemCaseSensitive(body, "console_id");
	const cJSON *cname = cJSON_GetObjectItemCaseSensitive(body,
	    "console_name");
	const cJSON *cver = cJSON_GetObjectItemCaseSensitive(body,
	    "console_version");
	const struct engine_console *now, *seed;
	struct engine_consoles c;
	char hex[65], mm_console[32], mm_engine[32], *text, *pem;
	char lid[SAMPLE_LOG_FIELD + 1], lip[SAMPLE_LOG_FIELD + 1];
	char lver[SAMPLE_LOG_FIELD + 1];
	const char *id_text = cJSON_IsString(cid) ? cid->valuestring : "-";
	X509 *cert;
	cJSON *j;
	size_t len = 0, i;
	unsigned new_id, npending;
	engine_lock lk;
	char why[2 * SAMPLE_PATH_MAX + 256];
	int st;
	bool pending, ok;

	if (!cJSON_IsNumber(proto) || proto->valuedouble != 1) {
		refuse(s, ssl, 400, "", id_text, peer, "protocol is not 1");
		return;
	}
	if (!cJSON_IsString(cid) || cid->valuestring[0] == '\0' ||
	    !cJSON_IsString(cname) || !cJSON_IsString(cver)) {
		refuse(s, ssl, 400, "", id_text, peer, "console_id, "
		    "console_name or console_version is missing");
		return;
	}
	/* Each goes into consoles.xml whole. */
	if (strlen(cid->valuestring) > CONSOLE_FIELD_MAX ||
	    strlen(cname->valuestring) > CONSOLE_FIELD_MAX ||
	    strlen(cver->valuestring) > CONSOLE_FIELD_MAX) {
		refuse(s, ssl, 400, "", id_text, peer,
		    strlen(cid->valuestring) > CONSOLE_FIELD_MAX ?
		    "console_id is longer than 256 bytes" :
		    strlen(cname->valuestring) > CONSOLE_FIELD_MAX ?
		    "console_name is longer than 256 bytes" :
		    "console_version is longer than 256 bytes");
		return;
	}
	if (!version_ok(cver->valuestring)) {
		refuse(s, ssl, 400, "", id_text, peer, "console_version is not "
		    "major.minor.patch");
		return;
	}
	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "error", "no client certificate: "
		    "the console's certificate is its identity");
		answer(ssl, 403, "", j);
		sample_logl(s, "INFO", "Refresh from console %s at %s: bad "
		    "request (no client certificate)",
		    sample_clean(lid, id_text, false),
		    sample_clean(lip, peer, false));
		return;
	}
	sample_clean(lid, id_text, false);
	sample_clean(lip, peer, false);
	if (!spki_hex(cert, hex)) {
		X509_free(cert);
		refuse(s, ssl, 400, "", id_text, peer, "the client "
		    "certificate's key cannot be read");
		return;
	}
	/* The whole read-modify-rename under the lock `engine-setup consoles
	 * enable` takes too: the file read anew, the id computed under it. */
	memset(&c, 0, sizeof c);
	if ((st = engine_consoles_lock(s, &lk, why, sizeof why)) == 0) {
		X509_free(cert);
		unavailable(ssl, "the engine's consoles.xml is busy: try "
		    "again");
		sample_logl(s, "WARN", "Scan Engine cannot lock consoles.xml "
		    "(%s): refresh from console %s at %s not answered", why,
		    lid, lip);
		return;
	}
	if (st < 0) {
		X509_free(cert);
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "error", "the engine cannot take "
		    "the lock of its consoles.xml (consoles.xml.lock is not a "
		    "file it can lock): the engine's administrator must remove "
		    "it; trying again does not help");
		answer(ssl, 500, "", j);
		sample_logl(s, "WARN", "Scan Engine %s: refresh from console "
		    "%s at %s not answered. Remove it (it must be a file, which "
		    "the engine makes again), then the console can Refresh",
		    why, lid, lip);
		return;
	}
	st = engine_consoles_load(s, CONSOLES_MAX, &text, &len);
	if (st < 0 || (st > 0 && !engine_consoles_parse(&c, text, len))) {
		engine_consoles_unlock(lk);
		X509_free(cert);
		free(text);
		unavailable(ssl, "the engine's consoles.xml cannot be read, "
		    "is larger than 16 MiB or is not well-formed");
		sample_logl(s, "WARN", "Scan Engine cannot read %s (%s): "
		    "refresh from console %s at %s not answered; the file is "
		    "left as it is", s->e.consoles_path, st < 0 ? "it cannot "
		    "be read or is larger than 16 MiB" : "not well-formed XML",
		    lid, lip);
		return;
	}
	now = engine_consoles_find(&c, hex);
	seed = engine_consoles_find(&s->e.seed, hex);
	j = cJSON_CreateObject();
	if (now == NULL) {
		for (i = 0, npending = 0; i < c.n; i++)
			npending += !c.v[i].enabled;
		pem = cert_pem(cert);
		if (pem != NULL && strlen(pem) > CONSOLE_PEM_MAX) {
			engine_consoles_unlock(lk);
			free(pem);
			cJSON_Delete(j);
			refuse(s, ssl, 400, "", id_text, peer, "the client "
			    "certificate is larger than 16 KiB in PEM");
			goto out;
		}
		if (npending >= CONSOLES_PENDING_MAX) {
			engine_consoles_unlock(lk);
			free(pem);
			cJSON_Delete(j);
			unavailable(ssl, "the engine already has 64 consoles "
			    "pending authorization: authorize or remove some");
			sample_logl(s, "WARN", "Scan Engine already has %u "
			    "consoles pending authorization in %s: console %s "
			    "at %s not added", npending, s->e.consoles_path,
			    lid, lip);
			goto out;
		}
		snprintf(why, sizeof why, "its certificate cannot be "
		    "written in PEM");
		ok = pem != NULL && engine_consoles_append(s, st > 0 ? text :
		    NULL, len, &c, cname->valuestring, peer, cid->valuestring,
		    hex, pem, &new_id, why, sizeof why);
		engine_consoles_unlock(lk);
		if (!ok) {
			cJSON_AddStringToObject(j, "error", "the engine cannot "
			    "record the console in consoles.xml");
			answer(ssl, 500, "", j);
			sample_logl(s, "WARN", "Scan Engine cannot add console "
			    "%s at %s to consoles.xml (%s): it stays unknown "
			    "to the engine", lid, lip, why);
		} else {
			cJSON_AddStringToObject(j, "state",
			    "pending-authorization");
			cJSON_AddStringToObject(j, "engine_id", s->e.id);
			cJSON_AddStringToObject(j, "engine_version",
			    s->e.version);
			answer(ssl, 403, "", j);
			sample_logl(s, "INFO", "Refresh from console %s at %s: "
			    "pending-authorization (added to consoles.xml as "
			    "console %u)", lid, lip, new_id);
		}
		free(pem);
		goto out;
	}
	engine_consoles_unlock(lk);
	/* Enabled now and already when the engine started. */
	pending = !now->enabled || seed == NULL || !seed->enabled;
	if (pending) {
		cJSON_AddStringToObject(j, "state", "pending-authorization");
		cJSON_AddStringToObject(j, "engine_id", s->e.id);
		cJSON_AddStringToObject(j, "engine_version", s->e.version);
		answer(ssl, 403, "", j);
		sample_logl(s, "INFO", "Refresh from console %s at %s: "
		    "pending-authorization", lid, lip);
	} else if (!major_minor(cver->valuestring, mm_console,
	    sizeof mm_console) || !major_minor(s->e.version, mm_engine,
	    sizeof mm_engine) || strcmp(mm_console, mm_engine) != 0) {
		cJSON_AddStringToObject(j, "state", "incompatible");
		cJSON_AddStringToObject(j, "engine_version", s->e.version);
		answer(ssl, 409, "", j);
		sample_logl(s, "INFO", "Refresh from console %s at %s: "
		    "incompatible (console %s)", lid, lip,
		    sample_clean(lver, cver->valuestring, false));
	} else {
		cJSON_AddStringToObject(j, "state", "active");
		cJSON_AddStringToObject(j, "engine_id", s->e.id);
		cJSON_AddStringToObject(j, "engine_name", s->e.name);
		cJSON_AddStringToObject(j, "engine_version", s->e.version);
		answer(ssl, 200, "", j);
		sample_logl(s, "INFO", "Refresh from console %s at %s: active",
		    lid, lip);
	}
out:
	X509_free(cert);
	engine_consoles_free(&c);
	free(text);
}

/* The value of header name (lower case) in the request's head, or NULL. */
static const char *
header(const struct request *r, const char *name, char *out, size_t outsz)
{
	const char *p = strstr(r->head, "\r\n");
	size_t nl = strlen(name), k;

	while (p != NULL && strncmp(p, "\r\n\r\n", 4) != 0) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			for (k = 0; k + 1 < outsz && p[k] != '\r'; k++)
				out[k] = p[k];
			while (k > 0 && (out[k - 1] == ' ' || out[k - 1] == '\t'))
				k--;
			out[k] = '\0';
			return out;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

/* How many header lines name (lower case) has in the request's head. */
static unsigned
header_count(const struct request *r, const char *name)
{
	const char *p = strstr(r->head, "\r\n");
	size_t nl = strlen(name);
	unsigned n = 0;

	while (p != NULL && strncmp(p, "\r\n\r\n", 4) != 0) {
		p += 2;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':')
			n++;
		p = strstr(p, "\r\n");
	}
	return n;
}

/* Read and answer one request on an established TLS connection. */
static void
handle(struct sample *s, SSL *ssl, const char *peer)
{
	struct request r;
	char value[64], *end, *sep;
	const char *jend, *why;
	size_t have, extra;
	int n;
	cJSON *body;
	long cl;

	memset(&r, 0, sizeof r);
	have = 0;
	if (!tls_read(ssl, r.head, HTTP_HEAD_MAX, &have, 0)) {
		if (have >= HTTP_HEAD_MAX)
			refuse(s, ssl, 413, "", "-", peer, "the request's "
			    "header is larger than 8 KiB");
		else if (have > 0)
			refuse(s, ssl, 400, "", "-", peer, "an incomplete "
			    "request (timed out or cut)");
		return;
	}
	sep = strstr(r.head, "\r\n\r\n");
	r.head_len = (size_t)(sep - r.head) + 4;
	extra = have - r.head_len;
	n = 0;
	if (sscanf(r.head, "%15[A-Z] %255[^ \r\n]%n", r.method, r.path,
	    &n) != 2 || n == 0 || r.head[n] != ' ' ||
	    (strncmp(r.head + n + 1, "HTTP/1.1\r\n", 10) != 0 &&
	    strncmp(r.head + n + 1, "HTTP/1.0\r\n", 10) != 0)) {
		refuse(s, ssl, 400, "", "-", peer, "not an HTTP/1.x request "
		    "line");
		return;
	}
	if (strcmp(r.path, REFRESH_PATH) != 0) {
		refuse(s, ssl, 404, "", "-", peer, "no such path: the engine "
		    "answers POST " REFRESH_PATH);
		return;
	}
	if (strcmp(r.method, "POST") != 0) {
		refuse(s, ssl, 405, "Allow: POST\r\n", "-", peer, "the method "
		    "is not POST");
		return;
	}
	if (header_count(&r, "content-length") > 1 ||
	    header_count(&r, "transfer-encoding") > 0) {
		refuse(s, ssl, 400, "", "-", peer, "more than one "
		    "Content-Length, or a Transfer-Encoding");
		return;
	}
	if (header(&r, "content-length", value, sizeof value) == NULL) {
		refuse(s, ssl, 400, "", "-", peer, "no Content-Length");
		return;
	}
	cl = strtol(value, &end, 10);
	if (end == value || *end != '\0' || cl < 0) {
		refuse(s, ssl, 400, "", "-", peer, "a bad Content-Length");
		return;
	}
	if (cl > HTTP_BODY_MAX) {
		refuse(s, ssl, 413, "", "-", peer, "the body is larger than "
		    "64 KiB");
		return;
	}
	if ((r.body = malloc((size_t)cl + 1)) == NULL)
		abort();
	if (extra > (size_t)cl)
		extra = (size_t)cl;
	memcpy(r.body, r.head + r.head_len, extra);
	r.body_len = extra;
	if (r.body_len < (size_t)cl &&
	    !tls_read(ssl, r.body, (size_t)cl, &r.body_len, (size_t)cl)) {
		refuse(s, ssl, 400, "", "-", peer, "an incomplete body "
		    "(timed out or cut)");
		free(r.body);
		return;
	}
	r.body[cl] = '\0';
	body = cJSON_ParseWithLengthOpts(r.body, (size_t)cl, &jend, 0);
	if (body == NULL || !cJSON_IsObject(body))
		refuse(s, ssl, 400, "", "-", peer, "the body is not a JSON "
		    "object");
	else if ((why = body_problem(r.body, (size_t)cl, jend, body)) != NULL)
		refuse(s, ssl, 400, "", "-", peer, why);
	else
		refresh(s, ssl, peer, body);
	cJSON_Delete(body);
	free(r.body);
}

void
engine_serve(struct sample *s, sample_sock fd)
{
	char peer[64];
	long long deadline = sample_now_ms() + HTTP_DEADLINE_MS;
	SSL *ssl;

	set_timeouts(fd);
	if (s->e.tls == NULL || (ssl = SSL_new(s->e.tls)) == NULL) {
		sample_close(fd);
		return;
	}
	peer_address(fd, peer, sizeof peer);
	sample_io_begin();
	/* A connection without a TLS handshake (a port probe, a client
	 * that says nothing until the deadline) is closed without a log
	 * line: it is no refresh. */
	if (SSL_set_fd(ssl, (int)fd) == 1) {
		BIO_set_callback_ex(SSL_get_rbio(ssl), deadline_cb);
		BIO_set_callback_arg(SSL_get_rbio(ssl), (char *)&deadline);
	}
	if (SSL_get_rbio(ssl) != NULL && SSL_accept(ssl) == 1) {
		handle(s, ssl, peer);
		(void)SSL_shutdown(ssl);
	}
	sample_io_end();
	SSL_free(ssl);
	ERR_clear_error();
	sample_close(fd);
}
