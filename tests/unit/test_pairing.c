/* Tests for pairing.c: the protocol's test vector, secret normalization,
 * local rejection, connection failures on loopback, and whole exchanges
 * against a scripted console (a TLS server in a thread). */
#define _GNU_SOURCE		/* strcasestr */
#include "fixture.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "error.h"
#include "pairing.h"
#include "util.h"

/* pairing-protocol.md, "Test vector". */
#define TV_TYPED	"abcd-1234-EFGH-5678-ijkl-9012-MNOP-3456"
#define TV_S		"ABCD1234EFGH5678IJKL9012MNOP3456"
#define TV_SECRET_ID	"f99859dc7961aa49"
#define TV_K \
    "241b9c688e7d7df0592983e3c410316c625d1939bffc471eb90df4cbb5d891e6"
#define TV_CONSOLE_NONCE "00112233445566778899aabbccddeeff"
#define TV_ENGINE_NONCE	"ffeeddccbbaa99887766554433221100"
#define TV_CONSOLE_SPKI \
    "93d8874c8c86f0fc893dbe15c765ffa0fcd342f798dbf669e08f8cbe095d230c"
#define TV_ENGINE_SPKI \
    "ed9f6f25068608efd412958da4dfc19328ca3511251fa6d5f9c42baf230e32f8"
#define TV_ENGINE_ID	"3f2b6c1e-8a4d-4f0e-9b7a-2c5d8e1f0a3b"
#define TV_PROOF \
    "e744895eb16cc1504839112ee853454f2015455e3229c0c317948e248bd98cdb"
#define TV_CONSOLE_PROOF \
    "17776ec0a0699c03dda400c062a591a7b597f195568ca0001cb240f12caa3913"

#define PORTS_TEXT "Engine-to-Console: engine -> console TCP 40815; " \
    "Console-to-Engine: console -> engine TCP 40814"

/* ---- Helpers ---- */

struct steps {
	int count;
	bool in_order;
	enum pairing_outcome outcome[PAIRING_NSTAGES];
	char detail[PAIRING_NSTAGES][512];
};

static void
record_step(enum pairing_stage stage, enum pairing_outcome outcome,
    const char *detail, void *arg)
{
	struct steps *st = arg;

	if ((int)stage != st->count)
		st->in_order = false;
	if ((unsigned)stage < PAIRING_NSTAGES) {
		st->outcome[stage] = outcome;
		snprintf(st->detail[stage], sizeof st->detail[stage], "%s",
		    detail);
	}
	st->count++;
	if (getenv("ES_TEST_VERBOSE") != NULL)
		fprintf(stderr, "  %-14s %s %s\n", pairing_stage_name(stage),
		    outcome == PAIRING_OK ? "ok" : outcome == PAIRING_FAILED ?
		    "FAILED" : "skipped", detail);
}

/* Each stage reported once, in order; `failed` failed, those before
 * passed and those after were skipped (failed < 0: all passed). */
static void
assert_steps(const struct steps *st, int failed)
{
	int i;

	assert_true(st->in_order);
	assert_int_equal(st->count, PAIRING_NSTAGES);
	for (i = 0; i < PAIRING_NSTAGES; i++) {
		if (failed < 0 || i < failed)
			assert_int_equal(st->outcome[i], PAIRING_OK);
		else if (i == failed)
			assert_int_equal(st->outcome[i], PAIRING_FAILED);
		else
			assert_int_equal(st->outcome[i], PAIRING_SKIPPED);
	}
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A TCP socket bound to 127.0.0.1 on a free port; listening if asked. */
static int
loopback_socket(unsigned *port, bool listening)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	if (listening)
		assert_int_equal(listen(fd, 8), 0);
	return fd;
}

static char *engine_cert, *engine_key;

static void
base_opts(struct pairing_opts *o, unsigned port, struct steps *st)
{
	memset(o, 0, sizeof *o);
	memset(st, 0, sizeof *st);
	st->in_order = true;
	o->host = "127.0.0.1";
	o->port = port;
	o->secret = TV_TYPED;
	o->engine_id = TV_ENGINE_ID;
	o->engine_name = "engine01";
	o->engine_version = "7.3.1";
	o->engine_cert_pem = engine_cert;
	o->total_timeout_ms = 10000;
	o->step = record_step;
	o->step_arg = st;
}

/* ---- Derived values ---- */

static void
test_pairing_vector(void **state)
{
	unsigned char K[32];
	char S[33], id[17], hex[65];

	(void)state;
	assert_true(pairing_normalize_secret(TV_TYPED, S));
	assert_string_equal(S, TV_S);
	pairing_secret_id(S, id);
	assert_string_equal(id, TV_SECRET_ID);
	pairing_key(S, K);
	hex_encode(K, 32, hex);
	assert_string_equal(hex, TV_K);

	crypto_sha256_hex("console", 7, hex);
	assert_string_equal(hex, TV_CONSOLE_SPKI);
	crypto_sha256_hex("engine", 6, hex);
	assert_string_equal(hex, TV_ENGINE_SPKI);

	pairing_engine_proof(K, TV_CONSOLE_NONCE, TV_ENGINE_NONCE,
	    TV_CONSOLE_SPKI, TV_ENGINE_SPKI, TV_ENGINE_ID, "7.3.1", false, hex);
	assert_string_equal(hex, TV_PROOF);
	pairing_console_proof(K, TV_ENGINE_NONCE, TV_CONSOLE_NONCE,
	    TV_CONSOLE_SPKI, TV_ENGINE_SPKI, TV_ENGINE_ID, "paired", hex);
	assert_string_equal(hex, TV_CONSOLE_PROOF);
}

/* Every field is bound: changing any one changes the proof. */
static void
test_pairing_proof_binds_fields(void **state)
{
	unsigned char K[32];
	char a[65], b[65];

	(void)state;
	pairing_key(TV_S, K);
	pairing_engine_proof(K, TV_CONSOLE_NONCE, TV_ENGINE_NONCE,
	    TV_CONSOLE_SPKI, TV_ENGINE_SPKI, TV_ENGINE_ID, "7.3.1", false, a);
	pairing_engine_proof(K, TV_CONSOLE_NONCE, TV_ENGINE_NONCE,
	    TV_CONSOLE_SPKI, TV_ENGINE_SPKI, TV_ENGINE_ID, "7.3.1", true, b);
	assert_string_not_equal(a, b);
	/* A relaying man in the middle: its own key in console_spki. */
	pairing_engine_proof(K, TV_CONSOLE_NONCE, TV_ENGINE_NONCE,
	    TV_ENGINE_SPKI, TV_ENGINE_SPKI, TV_ENGINE_ID, "7.3.1", false, b);
	assert_string_not_equal(a, b);
	pairing_console_proof(K, TV_ENGINE_NONCE, TV_CONSOLE_NONCE,
	    TV_CONSOLE_SPKI, TV_ENGINE_SPKI, TV_ENGINE_ID, "verified", b);
	assert_string_not_equal(b, TV_CONSOLE_PROOF);
	/* The engine and console proofs differ on the same inputs. */
	pairing_console_proof(K, TV_CONSOLE_NONCE, TV_ENGINE_NONCE,
	    TV_CONSOLE_SPKI, TV_ENGINE_SPKI, TV_ENGINE_ID, "7.3.1", b);
	assert_string_not_equal(a, b);
}

static void
test_pairing_normalize(void **state)
{
	static const char *const good[] = {
		TV_TYPED,
		"abcd1234efgh5678ijkl9012mnop3456",
		"ABCD 1234 EFGH 5678 IJKL 9012 MNOP 3456",
		"  abcd-1234-efgh-5678-ijkl-9012-mnop-3456\n",
		"ABCD\t1234\tEFGH\t5678\tIJKL\t9012\tMNOP\t3456",
		"A-B-C-D-1234EFGH5678IJKL9012MNOP-3456--",
		"\r\nABCD1234EFGH5678IJKL9012MNOP3456\r\n",
	};
	static const char *const bad[] = {
		"",
		"----",
		"ABCD1234EFGH5678IJKL9012MNOP345",      /* 31 */
		"ABCD1234EFGH5678IJKL9012MNOP34567",    /* 33 */
		"ABCD-1234-EFGH-5678-IJKL-9012-MNOP",
		"ABCD_1234_EFGH_5678_IJKL_9012_MNOP_3456",
		"ABCD1234EFGH5678IJKL9012MNOP345!",
		"ABCD1234EFGH5678IJKL9012MNOP345\xc3\x84",
		"ABCD1234EFGH5678IJKL9012MNOP 345.",
		"ABCD1234EFGH5678IJKL9012MNOP3456 ABCD",
	};
	char S[33];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (!pairing_normalize_secret(good[i], S))
			fail_msg("rejected good secret %zu", i);
		assert_string_equal(S, TV_S);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(S, 'x', sizeof S);
		if (pairing_normalize_secret(bad[i], S))
			fail_msg("accepted bad secret %zu", i);
		/* Nothing of it is left behind. */
		assert_int_equal(S[0], '\0');
		assert_null(memchr(S, 'A', sizeof S));
	}
	assert_false(pairing_normalize_secret(NULL, S));
}

static void
test_pairing_stage_names(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < PAIRING_NSTAGES; i++) {
		assert_non_null(pairing_stage_name(i));
		assert_string_not_equal(pairing_stage_name(i), "?");
	}
	assert_string_equal(pairing_stage_name(PAIRING_NSTAGES), "?");
}

/* ---- Refused locally ---- */

/* Nothing may reach the listener, and the message must not repeat the
 * secret. */
static void
run_refused(struct pairing_opts *o, struct steps *st, int lfd, int code,
    const char *expect)
{
	struct pairing_result r;
	struct es_err e = { 0 };
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int i;

	assert_false(pairing_run(o, &r, &e));
	assert_int_equal(e.code, code);
	if (strstr(e.msg, expect) == NULL)
		fail_msg("\"%s\" not in: %s", expect, e.msg);
	assert_non_null(strstr(e.msg, "nothing was sent"));
	for (i = 0; i < 5; i++) {
		static const char *const groups[] = {
			"EFGH", "IJKL", "MNOP", "5678", "9012",
		};

		if (strcasestr(e.msg, groups[i]) != NULL)
			fail_msg("the secret shows in: %s", e.msg);
	}
	assert_int_equal(poll(&pfd, 1, 200), 0);
	assert_null(r.console_cert_pem);
	assert_int_equal(st->count, PAIRING_NSTAGES);
	for (i = 0; i < PAIRING_NSTAGES; i++)
		assert_int_equal(st->outcome[i], PAIRING_SKIPPED);
}

static void
test_pairing_malformed_secret(void **state)
{
	static const char *const secrets[] = {
		"ABCD-1234-EFGH-5678-IJKL-9012-MNOP",
		"ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456-7",
		"ABCD-1234-EFGH-5678-IJKL-9012-MNOP-345*",
		"",
	};
	struct pairing_opts o;
	struct steps st;
	unsigned port;
	size_t i;
	int lfd;

	(void)state;
	lfd = loopback_socket(&port, true);
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		base_opts(&o, port, &st);
		o.secret = secrets[i];
		run_refused(&o, &st, lfd, ES_EUSAGE, "shared secret");
	}
	base_opts(&o, port, &st);
	o.secret = NULL;
	run_refused(&o, &st, lfd, ES_EUSAGE, "shared secret");
	close(lfd);
}

static void
test_pairing_malformed_pin(void **state)
{
	static const char *const pins[] = {
		"sha256:1234",
		TV_CONSOLE_SPKI,
		"sha1:" TV_CONSOLE_SPKI,
		"sha256:" TV_CONSOLE_SPKI "00",
		"sha256:93d8874c8c86f0fc893dbe15c765ffa0fcd342f798dbf669e08f8cb"
		    "e095d23zz",
	};
	struct pairing_opts o;
	struct steps st;
	unsigned port;
	size_t i;
	int lfd;

	(void)state;
	lfd = loopback_socket(&port, true);
	for (i = 0; i < sizeof pins / sizeof pins[0]; i++) {
		base_opts(&o, port, &st);
		o.pin = pins[i];
		run_refused(&o, &st, lfd, ES_EUSAGE, "fingerprint");
	}
	close(lfd);
}

static void
test_pairing_bad_inputs(void **state)
{
	struct pairing_opts o;
	struct steps st;
	unsigned port;
	int lfd;

	(void)state;
	lfd = loopback_socket(&port, true);
	base_opts(&o, port, &st);
	o.host = "https://127.0.0.1/x";
	run_refused(&o, &st, lfd, ES_EUSAGE, "console address");
	base_opts(&o, port, &st);
	o.host = "";
	run_refused(&o, &st, lfd, ES_EUSAGE, "console address");
	base_opts(&o, 70000, &st);
	run_refused(&o, &st, lfd, ES_EUSAGE, "70000");
	base_opts(&o, port, &st);
	o.engine_name = "";
	run_refused(&o, &st, lfd, ES_EUSAGE, "engine name");
	base_opts(&o, port, &st);
	o.engine_name = "tab\there";
	run_refused(&o, &st, lfd, ES_EUSAGE, "engine name");
	base_opts(&o, port, &st);
	o.engine_id = "3F2B6C1E-8A4D-4F0E-9B7A-2C5D8E1F0A3B";
	run_refused(&o, &st, lfd, ES_EINTERNAL, "engine id");
	base_opts(&o, port, &st);
	o.engine_version = "7.3";
	run_refused(&o, &st, lfd, ES_EINTERNAL, "engine version");
	base_opts(&o, port, &st);
	o.engine_cert_pem = "not a certificate";
	run_refused(&o, &st, lfd, ES_EINTERNAL, "certificate");
	base_opts(&o, port, &st);
	o.proxy = "https://user:password@proxy.invalid:3128";
	run_refused(&o, &st, lfd, ES_EUSAGE, "HTTPS proxy");
	close(lfd);
}

/* ---- Connection failures on loopback ---- */

static void
test_pairing_nothing_listens(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e = { 0 };
	struct steps st;
	char where[64];
	unsigned port;
	long t0;
	int fd;

	(void)state;
	fd = loopback_socket(&port, false);
	close(fd);
	base_opts(&o, port, &st);
	t0 = now_ms();
	assert_false(pairing_run(&o, &r, &e));
	assert_true(now_ms() - t0 < 3000);
	assert_int_equal(e.code, ES_EPAIR);
	snprintf(where, sizeof where, "nothing listens on 127.0.0.1:%u", port);
	if (strstr(e.msg, where) == NULL)
		fail_msg("\"%s\" not in: %s", where, e.msg);
	assert_steps(&st, PAIRING_CONNECT);
	assert_string_equal(st.detail[PAIRING_RESOLVE], "127.0.0.1");
}

/* A listener that never answers (the kernel completes the TCP handshake
 * for the backlog): the exchange gives up within its total time. */
static void
test_pairing_silent_listener(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e = { 0 };
	struct steps st;
	unsigned port;
	long t0, took;
	int lfd;

	(void)state;
	lfd = loopback_socket(&port, true);
	base_opts(&o, port, &st);
	o.total_timeout_ms = 1500;
	t0 = now_ms();
	assert_false(pairing_run(&o, &r, &e));
	took = now_ms() - t0;
	close(lfd);
	if (took > 3000)
		fail_msg("gave up after %ld ms", took);
	assert_int_equal(e.code, ES_EPAIR);
	assert_non_null(strstr(e.msg, "firewall"));
	assert_non_null(strstr(e.msg, PORTS_TEXT));
	assert_non_null(strstr(e.msg, "1.5 s"));
	assert_steps(&st, PAIRING_TLS);
}

/* pairing_opts.stop, as the wizard's keys use it: says stop once after_ms
 * have passed, noting how many steps had been reported by then. */
struct stopper {
	const struct steps *st;
	long t0, after_ms;
	int calls, steps_seen;
};

static bool
stop_after(void *arg)
{
	struct stopper *sp = arg;

	sp->calls++;
	if (now_ms() - sp->t0 < sp->after_ms)
		return false;
	sp->steps_seen = sp->st->count;
	return true;
}

/* The same silent listener, stopped by the caller while the TLS handshake
 * waits: Resolve and TCP connect were reported before (as the handshake
 * began, not when the exchange ended), stop was asked again and again
 * while it waited, and the exchange ends at once, ES_ECANCEL, with the
 * handshake "stopped". */
static void
test_pairing_stop(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e = { 0 };
	struct steps st;
	struct stopper sp = { 0 };
	unsigned port;
	long took;
	int lfd;

	(void)state;
	lfd = loopback_socket(&port, true);
	base_opts(&o, port, &st);
	o.connect_timeout_ms = 10000;
	sp.st = &st;
	sp.after_ms = 600;
	o.stop = stop_after;
	o.stop_arg = &sp;
	sp.t0 = now_ms();
	assert_false(pairing_run(&o, &r, &e));
	took = now_ms() - sp.t0;
	close(lfd);
	if (took > 600 + 3 * PAIRING_POLL_MS)
		fail_msg("stopped after %ld ms", took);
	assert_int_equal(sp.steps_seen, PAIRING_TLS);
	assert_true(sp.calls >= 600 / PAIRING_POLL_MS / 2);
	assert_int_equal(e.code, ES_ECANCEL);
	assert_non_null(strstr(e.msg, "nothing was stored"));
	assert_steps(&st, PAIRING_TLS);
	assert_string_equal(st.detail[PAIRING_TLS], "stopped");
}

static void
test_pairing_unknown_host(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e = { 0 };
	struct steps st;

	(void)state;
	/* RFC 6761: .invalid never resolves; the resolver may still ask
	 * the network, so only the outcome is checked. */
	base_opts(&o, 40815, &st);
	o.host = "console.invalid";
	o.total_timeout_ms = 3000;
	assert_false(pairing_run(&o, &r, &e));
	assert_int_equal(e.code, ES_EPAIR);
	assert_non_null(strstr(e.msg, "console.invalid:40815"));
	assert_steps(&st, PAIRING_RESOLVE);
}

/* ---- A scripted console ---- */

enum fake_mode {
	FAKE_OK,
	FAKE_HELLO_ERROR,       /* hello answers status/body */
	FAKE_PAIR_ERROR,        /* pair answers status/body */
	FAKE_BAD_PROOF,         /* console_proof off by one digit */
	FAKE_WRONG_ENGINE,      /* pair names another engine_id */
	FAKE_HUGE,              /* hello answers 70000 bytes */
	FAKE_NOT_JSON,          /* hello answers 200 with HTML */
	FAKE_REDIRECT,          /* hello answers 302 */
	FAKE_SWITCH_KEY,        /* closes after hello; then another key */
	FAKE_SLOW_PAIR,         /* pair is never answered */
};

struct fake {
	int lfd;
	unsigned port;
	SSL_CTX *ctx, *ctx2;
	char spki[72];          /* "sha256:..." of ctx's key */
	enum fake_mode mode;
	long status;
	const char *body;
	const char *console_version;
	unsigned char K[32];
	char console_nonce[33];
	char engine_nonce[33];

	pthread_t thread;
	volatile int stop;
	int connections;
	int requests;
	bool proof_ok;
	bool dry_run;
	bool saw_secret;
	bool saw_expect;
	bool bad_content_type;
	bool pair_fields_ok;
};

/* Versions the scripted console offers. */
#define FAKE_TLS12	0x1     /* TLS 1.2 at most */
#define FAKE_TLS11	0x2     /* TLS 1.1 at most */

/* A self-signed certificate for 127.0.0.1 (subjectAltName), to stand for
 * a console certificate a CA file can vouch for. */
static void
make_ip_cert(char **key_pem, char **cert_pem)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	X509_EXTENSION *ext;
	X509V3_CTX v;
	BIO *bio;
	char *data;
	long n;

	assert_non_null(k);
	assert_non_null(x);
	assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"console.test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	X509V3_set_ctx(&v, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v, NID_subject_alt_name,
	    "IP:127.0.0.1");
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);

	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_X509(bio, x);
	n = BIO_get_mem_data(bio, &data);
	*cert_pem = xstrndup(data, (size_t)n);
	BIO_free(bio);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
	n = BIO_get_mem_data(bio, &data);
	*key_pem = xstrndup(data, (size_t)n);
	BIO_free(bio);
	X509_free(x);
	EVP_PKEY_free(k);
}

static SSL_CTX *
fake_ctx(const char *use_key, const char *use_cert, int flags, char *spki,
    size_t spkisz)
{
	char *key, *cert;
	struct es_err e = { 0 };
	SSL_CTX *ctx;
	BIO *bio;
	X509 *x;
	EVP_PKEY *k;

	if (use_cert != NULL) {
		key = xstrdup(use_key);
		cert = xstrdup(use_cert);
	} else
		assert_true(crypto_make_cert("console.test", "Example",
		    "Console", 30, &key, &cert, &e));
	if (spki != NULL)
		assert_true(crypto_cert_spki(cert, spki, spkisz, &e));
	ctx = SSL_CTX_new(TLS_server_method());
	if (flags & FAKE_TLS12)
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	if (flags & FAKE_TLS11) {
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
		SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
	}
	assert_non_null(ctx);
	bio = BIO_new_mem_buf(cert, -1);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	bio = BIO_new_mem_buf(key, -1);
	k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_non_null(x);
	assert_non_null(k);
	assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, k), 1);
	X509_free(x);
	EVP_PKEY_free(k);
	util_free_secret(key);
	free(cert);
	return ctx;
}

static void
fake_send(SSL *ssl, long status, const char *extra, const char *body)
{
	char head[512];

	snprintf(head, sizeof head, "HTTP/1.1 %ld X\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n%s\r\n", status,
	    strlen(body), extra != NULL ? extra : "");
	SSL_write(ssl, head, (int)strlen(head));
	if (*body != '\0')
		SSL_write(ssl, body, (int)strlen(body));
}

/* Read one request; false at the end of the connection. */
static bool
fake_read(SSL *ssl, char *buf, size_t bufsz, char **body)
{
	size_t len = 0, want;
	char *end, *cl;
	int n;

	for (;;) {
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL)
			break;
		n = SSL_read(ssl, buf + len, (int)(bufsz - 1 - len));
		if (n <= 0)
			return false;
		len += (size_t)n;
	}
	*end = '\0';
	cl = strcasestr(buf, "\r\nContent-Length:");
	want = cl != NULL ? strtoul(cl + 17, NULL, 10) : 0;
	*body = end + 4;
	while ((size_t)(buf + len - *body) < want) {
		n = SSL_read(ssl, buf + len, (int)(bufsz - 1 - len));
		if (n <= 0)
			return false;
		len += (size_t)n;
	}
	(*body)[want] = '\0';
	return true;
}

/* Answer one request the way the mode says; false to close. */
static bool
fake_answer(struct fake *f, SSL *ssl, const char *head, const char *body)
{
	char *out, proof[65], engine_spki[72], want[65];
	const char *v;
	struct es_err e = { 0 };
	cJSON *req, *ans;
	bool keep = true;
	int i;

	if (strstr(body, TV_S) != NULL || strstr(body, TV_TYPED) != NULL ||
	    strcasestr(head, "ABCD") != NULL)
		f->saw_secret = true;
	if (strcasestr(head, "\r\nExpect:") != NULL)
		f->saw_expect = true;
	if (strcasestr(head, "\r\nContent-Type: application/json") == NULL)
		f->bad_content_type = true;
	req = cJSON_Parse(body);

	if (strncmp(head, "POST /pairing/v1/hello ", 23) == 0) {
		v = cJSON_GetStringValue(cJSON_GetObjectItem(req,
		    "engine_nonce"));
		snprintf(f->engine_nonce, sizeof f->engine_nonce, "%s",
		    v != NULL ? v : "");
		if (f->mode == FAKE_HELLO_ERROR) {
			fake_send(ssl, f->status, NULL, f->body);
		} else if (f->mode == FAKE_HUGE) {
			out = xmalloc(70001);
			memset(out, ' ', 70000);
			out[0] = '{';
			out[69999] = '}';
			out[70000] = '\0';
			fake_send(ssl, 200, NULL, out);
			free(out);
		} else if (f->mode == FAKE_NOT_JSON) {
			fake_send(ssl, 200, NULL, "<html>hello</html>");
		} else if (f->mode == FAKE_REDIRECT) {
			fake_send(ssl, 302, "Location: https://127.0.0.1:1/"
			    "pairing/v1/hello\r\n", "");
		} else {
			out = xasprintf("{\"protocol\": 1, \"console_id\": "
			    "\"c-1\", \"console_name\": \"Test console\", "
			    "\"console_version\": \"%s\", \"console_nonce\": "
			    "\"%s\", \"secret_expires_in\": 3000}",
			    f->console_version, f->console_nonce);
			fake_send(ssl, 200, f->mode == FAKE_SWITCH_KEY ?
			    "Connection: close\r\n" : NULL, out);
			free(out);
			if (f->mode == FAKE_SWITCH_KEY)
				keep = false;
		}
		goto out;
	}

	if (strncmp(head, "POST /pairing/v1/pair ", 22) != 0) {
		fake_send(ssl, 404, NULL, "{}");
		goto out;
	}
	if (f->mode == FAKE_SLOW_PAIR) {
		sleep(2);
		keep = false;
		goto out;
	}
	f->dry_run = cJSON_IsTrue(cJSON_GetObjectItem(req, "dry_run"));
	/* Exactly the protocol's fields. */
	f->pair_fields_ok = cJSON_GetArraySize(req) == 11 &&
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(req,
	    "communication")), "engine-to-console") == 0 &&
	    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(req,
	    "secret_id")), TV_SECRET_ID) == 0;
	v = cJSON_GetStringValue(cJSON_GetObjectItem(req, "engine_cert"));
	/* No cmocka assertions in this thread. */
	if (v == NULL || !crypto_cert_spki(v, engine_spki, sizeof engine_spki,
	    &e))
		memcpy(engine_spki, "sha256:?", 9);
	pairing_engine_proof(f->K, f->console_nonce, f->engine_nonce,
	    f->spki + 7, engine_spki + 7,
	    cJSON_GetStringValue(cJSON_GetObjectItem(req, "engine_id")),
	    cJSON_GetStringValue(cJSON_GetObjectItem(req, "engine_version")),
	    f->dry_run, want);
	v = cJSON_GetStringValue(cJSON_GetObjectItem(req, "proof"));
	f->proof_ok = v != NULL && strcmp(v, want) == 0;
	if (!f->proof_ok) {
		fake_send(ssl, 401, NULL, "{\"error\": \"bad_proof\", "
		    "\"message\": \"proof does not match\"}");
		goto out;
	}
	if (f->mode == FAKE_PAIR_ERROR) {
		fake_send(ssl, f->status, NULL, f->body);
		goto out;
	}
	pairing_console_proof(f->K, f->engine_nonce, f->console_nonce,
	    f->spki + 7, engine_spki + 7, TV_ENGINE_ID,
	    f->dry_run ? "verified" : "paired", proof);
	if (f->mode == FAKE_BAD_PROOF) {
		i = proof[5] == '0' ? '1' : '0';
		proof[5] = (char)i;
	}
	ans = cJSON_CreateObject();
	cJSON_AddStringToObject(ans, "status", f->dry_run ? "verified" :
	    "paired");
	cJSON_AddStringToObject(ans, "console_id", "c-1");
	cJSON_AddStringToObject(ans, "console_name", "Test console");
	cJSON_AddStringToObject(ans, "engine_id", f->mode ==
	    FAKE_WRONG_ENGINE ? "00000000-0000-4000-8000-000000000000" :
	    TV_ENGINE_ID);
	cJSON_AddStringToObject(ans, "console_proof", proof);
	out = cJSON_PrintUnformatted(ans);
	fake_send(ssl, 200, NULL, out);
	cJSON_free(out);
	cJSON_Delete(ans);

out:
	cJSON_Delete(req);
	return keep;
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	struct pollfd pfd = { .fd = f->lfd, .events = POLLIN };
	struct timeval tv = { .tv_sec = 5 };
	char *buf = xmalloc(200000), *body;
	SSL *ssl;
	int fd;

	while (!f->stop) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		fd = accept(f->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		ssl = SSL_new(f->mode == FAKE_SWITCH_KEY &&
		    f->connections > 0 ? f->ctx2 : f->ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1) {
			f->connections++;
			while (fake_read(ssl, buf, 200000, &body)) {
				f->requests++;
				if (!fake_answer(f, ssl, buf, body))
					break;
			}
			SSL_shutdown(ssl);
		}
		ERR_clear_error();
		SSL_free(ssl);
		close(fd);
	}
	free(buf);
	return NULL;
}

static struct fake *
fake_start_ex(enum fake_mode mode, int flags, const char *key,
    const char *cert)
{
	struct fake *f = xcalloc(1, sizeof *f);

	f->mode = mode;
	f->console_version = "7.3.9";
	memcpy(f->console_nonce, "0123456789abcdef0123456789abcdef", 33);
	pairing_key(TV_S, f->K);
	f->ctx = fake_ctx(key, cert, flags, f->spki, sizeof f->spki);
	f->ctx2 = fake_ctx(NULL, NULL, flags, NULL, 0);
	f->lfd = loopback_socket(&f->port, true);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	return f;
}

static struct fake *
fake_start(enum fake_mode mode)
{
	return fake_start_ex(mode, 0, NULL, NULL);
}

static void
fake_stop(struct fake *f)
{
	f->stop = 1;
	pthread_join(f->thread, NULL);
	close(f->lfd);
	SSL_CTX_free(f->ctx);
	SSL_CTX_free(f->ctx2);
	assert_false(f->saw_secret);
	assert_false(f->saw_expect);
	assert_false(f->bad_content_type);
	free(f);
}

/* Run against the scripted console; the error message, or "" on success. */
static bool
fake_run(struct fake *f, struct pairing_opts *o, struct pairing_result *r,
    struct es_err *e)
{
	bool ok;

	memset(e, 0, sizeof *e);
	ok = pairing_run(o, r, e);
	if (getenv("ES_TEST_VERBOSE") != NULL)
		fprintf(stderr, "  -> %s\n", ok ? "ok" : e->msg);
	(void)f;
	return ok;
}

static void
test_pairing_paired(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;
	char spki[72];

	(void)state;
	f = fake_start(FAKE_OK);
	base_opts(&o, f->port, &st);
	if (!fake_run(f, &o, &r, &e))
		fail_msg("%s", e.msg);
	assert_steps(&st, -1);
	assert_string_equal(r.status, "paired");
	assert_string_equal(r.console_id, "c-1");
	assert_string_equal(r.console_name, "Test console");
	assert_string_equal(r.console_version, "7.3.9");
	assert_string_equal(r.console_spki, f->spki);
	assert_int_equal(r.secret_expires_in, 3000);
	assert_non_null(r.console_cert_pem);
	assert_true(crypto_cert_spki(r.console_cert_pem, spki, sizeof spki,
	    &e));
	assert_string_equal(spki, f->spki);
	assert_string_equal(st.detail[PAIRING_RESOLVE], "127.0.0.1");
	assert_non_null(strstr(st.detail[PAIRING_TLS], "TLSv1."));
	assert_non_null(strstr(st.detail[PAIRING_KEY], f->spki));
	pairing_result_free(&r);
	/* Both requests over one connection (keep-alive). */
	assert_int_equal(f->connections, 1);
	assert_int_equal(f->requests, 2);
	assert_true(f->proof_ok);
	assert_false(f->dry_run);
	assert_true(f->pair_fields_ok);
	fake_stop(f);
}

static void
test_pairing_dry_run_pinned(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;
	char pin[80];
	size_t i;

	(void)state;
	f = fake_start(FAKE_OK);
	base_opts(&o, f->port, &st);
	o.dry_run = true;
	/* Pins are accepted in upper case too. */
	snprintf(pin, sizeof pin, "SHA256:%s", f->spki + 7);
	for (i = 7; pin[i] != '\0'; i++)
		if (pin[i] >= 'a' && pin[i] <= 'f')
			pin[i] = (char)(pin[i] - 'a' + 'A');
	o.pin = pin;
	if (!fake_run(f, &o, &r, &e))
		fail_msg("%s", e.msg);
	assert_steps(&st, -1);
	assert_string_equal(r.status, "verified");
	assert_non_null(strstr(st.detail[PAIRING_KEY], "pin"));
	assert_true(f->dry_run);
	pairing_result_free(&r);
	fake_stop(f);
}

/* Attack: a server with another key (a man in the middle, or a
 * TLS-inspecting proxy) in place of the pinned console. No request may
 * reach it. */
static void
test_pairing_pin_mismatch_sends_nothing(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;

	(void)state;
	f = fake_start(FAKE_OK);
	base_opts(&o, f->port, &st);
	o.pin = "sha256:" TV_CONSOLE_SPKI;
	assert_false(fake_run(f, &o, &r, &e));
	assert_int_equal(e.code, ES_EPAIR);
	assert_steps(&st, PAIRING_KEY);
	assert_non_null(strstr(e.msg, TV_CONSOLE_SPKI));
	assert_non_null(strstr(e.msg, f->spki));
	assert_non_null(strstr(e.msg, "nothing was sent"));
	assert_null(r.console_cert_pem);
	assert_int_equal(f->requests, 0);
	fake_stop(f);
}

/* The test transport (pairing.h, struct pairing_transport) that the
 * fuzz target drives: a whole exchange without a network, and a pin that
 * does not match sends nothing through it either. */
struct transport {
	unsigned char *der;     /* the console's certificate */
	size_t der_len;
	char spki[72];          /* its key, "sha256:..." */
	int connects, posts;
	char body[512];
};

static void
transport_connect(void *arg, const char *path, const unsigned char **cert,
    size_t *cert_len)
{
	struct transport *t = arg;

	(void)path;
	if (t->connects++ == 0) {
		*cert = t->der;
		*cert_len = t->der_len;
	}
}

static int
transport_post(void *arg, const char *path, const char *request, long *http,
    const char **body, size_t *body_len)
{
	struct transport *t = arg;
	char engine_spki[72], proof[65];
	unsigned char K[32];
	struct es_err e = { 0 };
	cJSON *req;
	const cJSON *en;

	t->posts++;
	*http = 200;
	if (strcmp(path, "hello") == 0) {
		snprintf(t->body, sizeof t->body, "{\"protocol\": 1, "
		    "\"console_id\": \"c-1\", \"console_name\": \"Console\", "
		    "\"console_version\": \"7.3.0\", \"console_nonce\": \"%s\", "
		    "\"secret_expires_in\": 600}", TV_CONSOLE_NONCE);
	} else {
		assert_string_equal(path, "pair");
		req = cJSON_Parse(request);
		en = cJSON_GetObjectItemCaseSensitive(req, "engine_nonce");
		assert_true(cJSON_IsString(en));
		assert_true(crypto_cert_spki(engine_cert, engine_spki,
		    sizeof engine_spki, &e));
		pairing_key(TV_S, K);
		pairing_console_proof(K, en->valuestring, TV_CONSOLE_NONCE,
		    t->spki + 7, engine_spki + 7, TV_ENGINE_ID, "paired",
		    proof);
		cJSON_Delete(req);
		snprintf(t->body, sizeof t->body, "{\"status\": \"paired\", "
		    "\"console_id\": \"c-1\", \"console_name\": \"Console\", "
		    "\"engine_id\": \"%s\", \"console_proof\": \"%s\"}",
		    TV_ENGINE_ID, proof);
	}
	*body = t->body;
	*body_len = strlen(t->body);
	return 0;
}

static void
test_pairing_test_transport(void **state)
{
	struct pairing_transport tr = {
		.connect = transport_connect, .post = transport_post,
	};
	struct transport t;
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e = { 0 };
	struct steps st;
	unsigned char *p;
	BIO *bio;
	X509 *x;
	int len;

	(void)state;
	memset(&t, 0, sizeof t);
	bio = BIO_new_mem_buf(engine_cert, -1);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	assert_non_null(x);
	len = i2d_X509(x, NULL);
	assert_true(len > 0);
	t.der = p = malloc((size_t)len);
	assert_non_null(p);
	i2d_X509(x, &p);
	t.der_len = (size_t)len;
	X509_free(x);
	BIO_free(bio);
	assert_true(crypto_cert_spki(engine_cert, t.spki, sizeof t.spki, &e));
	tr.arg = &t;

	base_opts(&o, 40815, &st);
	o.transport = &tr;
	if (!pairing_run(&o, &r, &e))
		fail_msg("%s", e.msg);
	assert_steps(&st, -1);
	assert_int_equal(t.posts, 2);
	assert_string_equal(r.status, "paired");
	assert_string_equal(r.console_spki, t.spki);
	assert_non_null(r.console_cert_pem);
	pairing_result_free(&r);

	memset(&e, 0, sizeof e);
	t.connects = t.posts = 0;
	base_opts(&o, 40815, &st);
	o.transport = &tr;
	o.pin = "sha256:" TV_CONSOLE_SPKI;
	assert_false(pairing_run(&o, &r, &e));
	assert_int_equal(e.code, ES_EPAIR);
	assert_steps(&st, PAIRING_KEY);
	assert_non_null(strstr(e.msg, "nothing was sent"));
	assert_int_equal(t.connects, 1);
	assert_int_equal(t.posts, 0);
	assert_null(r.console_cert_pem);
	free(t.der);
}

/* Attack: the console's proof is wrong (the peer does not know the
 * secret): fail, and hand back nothing. */
static void
test_pairing_bad_console_proof(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;

	(void)state;
	f = fake_start(FAKE_BAD_PROOF);
	base_opts(&o, f->port, &st);
	assert_false(fake_run(f, &o, &r, &e));
	assert_int_equal(e.code, ES_EPAIR);
	assert_non_null(strstr(e.msg, "the console's proof does not match: "
	    "the peer does not know the secret, or the connection was "
	    "intercepted; nothing was stored"));
	assert_steps(&st, PAIRING_CONSOLE_PROOF);
	assert_null(r.console_cert_pem);
	assert_string_equal(r.console_id, "");
	assert_string_equal(r.status, "");
	fake_stop(f);
}

/* Attack: after hello the connection closes and the next one shows
 * another key (a man in the middle taking over). */
static void
test_pairing_key_switch(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;

	(void)state;
	f = fake_start(FAKE_SWITCH_KEY);
	base_opts(&o, f->port, &st);
	assert_false(fake_run(f, &o, &r, &e));
	assert_int_equal(e.code, ES_EPAIR);
	assert_non_null(strstr(e.msg, "on the next one"));
	assert_steps(&st, PAIRING_PROOF);
	assert_int_equal(f->requests, 1);
	fake_stop(f);
}

static void
test_pairing_wrong_secret(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;

	(void)state;
	f = fake_start(FAKE_OK);
	base_opts(&o, f->port, &st);
	o.secret = "ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3457";
	assert_false(fake_run(f, &o, &r, &e));
	assert_int_equal(e.code, ES_EPAIR);
	assert_non_null(strstr(e.msg, "the shared secret is wrong, or a "
	    "TLS-inspecting proxy is in the path"));
	assert_null(strstr(e.msg, "3457"));
	assert_steps(&st, PAIRING_PROOF);
	fake_stop(f);
}

struct error_case {
	enum fake_mode mode;
	long status;
	const char *body;
	int stage;              /* the stage that fails */
	const char *expect;     /* in the message */
};

static void
test_pairing_error_codes(void **state)
{
	static const struct error_case cases[] = {
		{ FAKE_HELLO_ERROR, 410, "{\"error\": \"secret_expired\", "
		    "\"message\": \"x\"}", PAIRING_HELLO,
		    "generate a new shared secret in the console "
		    "(Administration > Scans > Manage scan engines > Generate "
		    "Scan Engine Shared Secret); it is valid for 60 minutes" },
		{ FAKE_HELLO_ERROR, 404, "{\"error\": \"unknown_secret\"}",
		    PAIRING_HELLO, "generated on another console" },
		{ FAKE_HELLO_ERROR, 429, "{\"error\": \"rate_limited\"}",
		    PAIRING_HELLO, "wait a few minutes and retry" },
		{ FAKE_HELLO_ERROR, 426, "{\"error\": "
		    "\"protocol_unsupported\", \"protocols\": [2, 3]}",
		    PAIRING_HELLO, "it speaks 2, 3" },
		{ FAKE_HELLO_ERROR, 400, "{\"error\": \"bad_request\", "
		    "\"message\": \"no secret_id\"}", PAIRING_HELLO,
		    "internal error" },
		{ FAKE_HELLO_ERROR, 413, "{\"error\": \"too_large\"}",
		    PAIRING_HELLO, "internal error" },
		{ FAKE_HELLO_ERROR, 500, "{\"error\": \"boom\"}",
		    PAIRING_HELLO, "with HTTP 500" },
		{ FAKE_HELLO_ERROR, 401, "{\"error\": \"secret_expired\"}",
		    PAIRING_HELLO, "with HTTP 401" },
		{ FAKE_HELLO_ERROR, 502, "<html>bad gateway</html>",
		    PAIRING_HELLO, "with HTTP 502 and a body that is not "
		    "JSON" },
		{ FAKE_HELLO_ERROR, 200, "{\"protocol\": 1}", PAIRING_HELLO,
		    "with HTTP 200" },
		{ FAKE_HELLO_ERROR, 200, "{\"protocol\": 1, \"console_id\": "
		    "\"c\", \"console_name\": \"n\", \"console_version\": "
		    "\"7.3.1\", \"console_nonce\": \"XYZ\", "
		    "\"secret_expires_in\": 5}", PAIRING_HELLO,
		    "console_nonce" },
		{ FAKE_HELLO_ERROR, 200, "{\"protocol\": 1, \"console_id\": "
		    "\"c\", \"console_name\": \"n\", \"console_version\": "
		    "\"7.3.1\", \"console_nonce\": "
		    "\"0123456789abcdef0123456789abcdef\", "
		    "\"secret_expires_in\": \"soon\"}", PAIRING_HELLO,
		    "secret_expires_in" },
		{ FAKE_HUGE, 0, NULL, PAIRING_HELLO,
		    "response larger than 65536 bytes" },
		{ FAKE_NOT_JSON, 0, NULL, PAIRING_HELLO,
		    "HTTP 200 and a body that is not JSON" },
		{ FAKE_REDIRECT, 0, NULL, PAIRING_HELLO, "with HTTP 302" },
		{ FAKE_PAIR_ERROR, 403, "{\"error\": \"nonce_invalid\"}",
		    PAIRING_PROOF, "retry" },
		{ FAKE_PAIR_ERROR, 410, "{\"error\": \"secret_expired\"}",
		    PAIRING_PROOF, "valid for 60 minutes" },
		{ FAKE_PAIR_ERROR, 409, "{\"error\": "
		    "\"incompatible_version\", \"console_version\": "
		    "\"7.4.0\"}", PAIRING_VERSION, "runs version 7.4.0 and "
		    "this engine 7.3.1" },
		{ FAKE_WRONG_ENGINE, 0, NULL, PAIRING_CONSOLE_PROOF,
		    "engine_id" },
	};
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f = fake_start(cases[i].mode);
		f->status = cases[i].status;
		f->body = cases[i].body;
		base_opts(&o, f->port, &st);
		assert_false(fake_run(f, &o, &r, &e));
		assert_int_equal(e.code, ES_EPAIR);
		if (strstr(e.msg, cases[i].expect) == NULL)
			fail_msg("case %zu: \"%s\" not in: %s", i,
			    cases[i].expect, e.msg);
		if (cases[i].stage == PAIRING_VERSION) {
			/* 409: the console accepted the proof, sent none. */
			assert_int_equal(st.outcome[PAIRING_PROOF], PAIRING_OK);
			assert_int_equal(st.outcome[PAIRING_CONSOLE_PROOF],
			    PAIRING_SKIPPED);
			assert_int_equal(st.outcome[PAIRING_VERSION],
			    PAIRING_FAILED);
			assert_int_equal(st.count, PAIRING_NSTAGES);
		} else
			assert_steps(&st, cases[i].stage);
		assert_null(r.console_cert_pem);
		fake_stop(f);
	}
}

/* The console accepts the pairing but its version differs: the engine's
 * own check fails it. */
static void
test_pairing_version_mismatch(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;

	(void)state;
	f = fake_start(FAKE_OK);
	f->console_version = "7.4.0";
	base_opts(&o, f->port, &st);
	assert_false(fake_run(f, &o, &r, &e));
	assert_non_null(strstr(e.msg, "same major.minor version"));
	assert_steps(&st, PAIRING_VERSION);
	fake_stop(f);
}

/* The budget covers both requests: a console that never answers pair
 * still ends the exchange on time. */
static void
test_pairing_total_timeout(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;
	long t0, took;

	(void)state;
	f = fake_start(FAKE_SLOW_PAIR);
	base_opts(&o, f->port, &st);
	o.total_timeout_ms = 1200;
	t0 = now_ms();
	assert_false(fake_run(f, &o, &r, &e));
	took = now_ms() - t0;
	if (took > 2500)
		fail_msg("gave up after %ld ms", took);
	assert_non_null(strstr(e.msg, "did not answer the pair request in "
	    "time (the whole exchange may take 1.2 s)"));
	assert_steps(&st, PAIRING_PROOF);
	fake_stop(f);
}

/* TLS 1.2 consoles: the key is taken, and a pin enforced, there too. */
static void
test_pairing_tls12(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;

	(void)state;
	f = fake_start_ex(FAKE_OK, FAKE_TLS12, NULL, NULL);
	base_opts(&o, f->port, &st);
	if (!fake_run(f, &o, &r, &e))
		fail_msg("%s", e.msg);
	assert_steps(&st, -1);
	assert_string_equal(st.detail[PAIRING_TLS], "TLSv1.2");
	assert_string_equal(r.console_spki, f->spki);
	pairing_result_free(&r);

	base_opts(&o, f->port, &st);
	o.pin = "sha256:" TV_ENGINE_SPKI;
	assert_false(fake_run(f, &o, &r, &e));
	assert_steps(&st, PAIRING_KEY);
	assert_int_equal(f->requests, 2);
	fake_stop(f);
}

/* Protocol: TLS 1.2 or later only. */
static void
test_pairing_tls11_refused(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;

	(void)state;
	f = fake_start_ex(FAKE_OK, FAKE_TLS11, NULL, NULL);
	base_opts(&o, f->port, &st);
	assert_false(fake_run(f, &o, &r, &e));
	assert_int_equal(e.code, ES_EPAIR);
	assert_non_null(strstr(e.msg, "TLS handshake with 127.0.0.1:"));
	assert_steps(&st, PAIRING_TLS);
	assert_int_equal(f->requests, 0);
	fake_stop(f);
}

/* With a CA file the console certificate must chain to it. */
static void
test_pairing_ca_file(void **state)
{
	struct fixture *fx = *state;
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;
	char *key, *cert, *ca, *other;

	make_ip_cert(&key, &cert);
	fixture_write(fx, "ca.pem", cert);
	fixture_write(fx, "other.pem", engine_cert);
	ca = fixture_path(fx, "ca.pem");
	other = fixture_path(fx, "other.pem");

	f = fake_start_ex(FAKE_OK, 0, key, cert);
	base_opts(&o, f->port, &st);
	o.ca_file = ca;
	if (!fake_run(f, &o, &r, &e))
		fail_msg("%s", e.msg);
	assert_steps(&st, -1);
	assert_non_null(strstr(st.detail[PAIRING_KEY], "CA file"));
	pairing_result_free(&r);

	/* Attack: a certificate the CA did not issue. */
	base_opts(&o, f->port, &st);
	o.ca_file = other;
	assert_false(fake_run(f, &o, &r, &e));
	assert_non_null(strstr(e.msg, "not trusted by the CA file"));
	assert_non_null(strstr(e.msg, f->spki));
	assert_steps(&st, PAIRING_TLS);
	assert_int_equal(f->requests, 2);
	fake_stop(f);

	/* The certificate is for 127.0.0.1, not for "localhost". */
	f = fake_start_ex(FAKE_OK, 0, key, cert);
	base_opts(&o, f->port, &st);
	o.host = "localhost";
	o.ca_file = ca;
	assert_false(fake_run(f, &o, &r, &e));
	assert_non_null(strstr(e.msg, "not issued for the name localhost"));
	assert_steps(&st, PAIRING_TLS);
	assert_int_equal(f->requests, 0);
	fake_stop(f);

	util_free_secret(key);
	free(cert);
	free(ca);
	free(other);
}

/* ---- An HTTP proxy (CONNECT only) ---- */

struct proxy {
	int lfd;
	unsigned port;
	bool refuse;            /* answer 403 to CONNECT */
	pthread_t thread;
	volatile int stop;
	int tunnels;
	char target[128];       /* what the last CONNECT asked for */
};

/* Copy bytes both ways until one side closes. */
static void
proxy_relay(struct proxy *px, int a, int b)
{
	struct pollfd pfd[2] = { { .fd = a, .events = POLLIN },
	    { .fd = b, .events = POLLIN } };
	char buf[16384];
	ssize_t n;
	int i;

	while (!px->stop) {
		if (poll(pfd, 2, 50) <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			if (pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, buf, sizeof buf);
			if (n <= 0 || write(pfd[1 - i].fd, buf, (size_t)n) != n)
				return;
		}
	}
}

static void *
proxy_main(void *arg)
{
	struct proxy *px = arg;
	struct pollfd pfd = { .fd = px->lfd, .events = POLLIN };
	struct sockaddr_in sin;
	char head[4096];
	size_t len;
	ssize_t n;
	unsigned port;
	int fd, out;

	while (!px->stop) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		fd = accept(px->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		len = 0;
		head[0] = '\0';
		while (strstr(head, "\r\n\r\n") == NULL &&
		    len + 1 < sizeof head) {
			n = read(fd, head + len, sizeof head - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
			head[len] = '\0';
		}
		if (sscanf(head, "CONNECT %127s", px->target) != 1 ||
		    px->refuse) {
			dprintf(fd, "HTTP/1.1 403 Forbidden\r\n"
			    "Content-Length: 0\r\n\r\n");
			close(fd);
			continue;
		}
		/* Loopback only: the port after the last ':'. */
		port = (unsigned)atoi(strrchr(px->target, ':') + 1);
		out = socket(AF_INET, SOCK_STREAM, 0);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons((uint16_t)port);
		if (connect(out, (struct sockaddr *)&sin, sizeof sin) != 0) {
			dprintf(fd, "HTTP/1.1 502 Bad Gateway\r\n"
			    "Content-Length: 0\r\n\r\n");
		} else {
			px->tunnels++;
			dprintf(fd, "HTTP/1.1 200 Connection established"
			    "\r\n\r\n");
			proxy_relay(px, fd, out);
		}
		close(out);
		close(fd);
	}
	return NULL;
}

static struct proxy *
proxy_start(bool refuse)
{
	struct proxy *px = xcalloc(1, sizeof *px);

	px->refuse = refuse;
	px->lfd = loopback_socket(&px->port, true);
	assert_int_equal(pthread_create(&px->thread, NULL, proxy_main, px),
	    0);
	return px;
}

static void
proxy_stop(struct proxy *px)
{
	px->stop = 1;
	pthread_join(px->thread, NULL);
	close(px->lfd);
	free(px);
}

/* Through an http:// proxy: the TLS session (and so the console's key)
 * is end to end, inside a CONNECT tunnel. */
static void
test_pairing_proxy_tunnel(void **state)
{
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e;
	struct steps st;
	struct fake *f;
	struct proxy *px;
	char url[64], want[64];

	(void)state;
	f = fake_start(FAKE_OK);
	px = proxy_start(false);
	snprintf(url, sizeof url, "http://user:pw@127.0.0.1:%u", px->port);
	base_opts(&o, f->port, &st);
	o.proxy = url;
	if (!fake_run(f, &o, &r, &e))
		fail_msg("%s", e.msg);
	assert_steps(&st, -1);
	assert_string_equal(r.console_spki, f->spki);
	assert_non_null(strstr(st.detail[PAIRING_CONNECT], "proxy"));
	snprintf(want, sizeof want, "127.0.0.1:%u", f->port);
	assert_string_equal(px->target, want);
	assert_int_equal(px->tunnels, 1);
	pairing_result_free(&r);
	proxy_stop(px);

	/* The same from the environment. */
	px = proxy_start(false);
	snprintf(url, sizeof url, "http://127.0.0.1:%u", px->port);
	setenv("HTTPS_PROXY", url, 1);
	base_opts(&o, f->port, &st);
	if (!fake_run(f, &o, &r, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(px->tunnels, 1);
	pairing_result_free(&r);

	/* NO_PROXY wins; then an https:// proxy does not matter either. */
	setenv("NO_PROXY", "example.com, 127.0.0.1", 1);
	setenv("HTTPS_PROXY", "https://127.0.0.1:1", 1);
	base_opts(&o, f->port, &st);
	if (!fake_run(f, &o, &r, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(px->tunnels, 1);
	pairing_result_free(&r);
	unsetenv("HTTPS_PROXY");
	unsetenv("NO_PROXY");
	proxy_stop(px);

	/* A proxy that refuses the tunnel: named, with the way around it;
	 * its credentials are not shown. */
	px = proxy_start(true);
	snprintf(url, sizeof url, "http://user:pw@127.0.0.1:%u", px->port);
	base_opts(&o, f->port, &st);
	o.proxy = url;
	assert_false(fake_run(f, &o, &r, &e));
	assert_steps(&st, PAIRING_CONNECT);
	assert_non_null(strstr(e.msg, "HTTP 403"));
	assert_non_null(strstr(e.msg, "NO_PROXY"));
	assert_null(strstr(e.msg, "pw@"));
	proxy_stop(px);
	fake_stop(f);
}

/* Manual end-to-end check against a running test console:
 * ES_PAIRING_E2E_PORT=<port> ES_PAIRING_E2E_SECRET=<secret>. */
static void
test_pairing_e2e(void **state)
{
	const char *port = getenv("ES_PAIRING_E2E_PORT");
	const char *secret = getenv("ES_PAIRING_E2E_SECRET");
	const char *ver = getenv("ES_PAIRING_E2E_VERSION");
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e = { 0 };
	struct steps st;
	int pass;

	(void)state;
	if (port == NULL || secret == NULL)
		skip();
	for (pass = 0; pass < 2; pass++) {
		base_opts(&o, (unsigned)atoi(port), &st);
		o.secret = secret;
		o.dry_run = pass == 0;
		if (ver != NULL)
			o.engine_version = ver;
		if (!pairing_run(&o, &r, &e))
			fail_msg("%s", e.msg);
		assert_steps(&st, -1);
		assert_string_equal(r.status, pass == 0 ? "verified" :
		    "paired");
		fprintf(stderr, "e2e %s: console %s \"%s\" %s, key %s, "
		    "%ld s left\n", r.status, r.console_id, r.console_name,
		    r.console_version, r.console_spki, r.secret_expires_in);
		pairing_result_free(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairing_vector),
		cmocka_unit_test(test_pairing_proof_binds_fields),
		cmocka_unit_test(test_pairing_normalize),
		cmocka_unit_test(test_pairing_stage_names),
		cmocka_unit_test(test_pairing_malformed_secret),
		cmocka_unit_test(test_pairing_malformed_pin),
		cmocka_unit_test(test_pairing_bad_inputs),
		cmocka_unit_test(test_pairing_nothing_listens),
		cmocka_unit_test(test_pairing_silent_listener),
		cmocka_unit_test(test_pairing_stop),
		cmocka_unit_test(test_pairing_unknown_host),
		cmocka_unit_test(test_pairing_paired),
		cmocka_unit_test(test_pairing_dry_run_pinned),
		cmocka_unit_test(test_pairing_pin_mismatch_sends_nothing),
		cmocka_unit_test(test_pairing_test_transport),
		cmocka_unit_test(test_pairing_bad_console_proof),
		cmocka_unit_test(test_pairing_key_switch),
		cmocka_unit_test(test_pairing_wrong_secret),
		cmocka_unit_test(test_pairing_error_codes),
		cmocka_unit_test(test_pairing_version_mismatch),
		cmocka_unit_test(test_pairing_total_timeout),
		cmocka_unit_test(test_pairing_tls12),
		cmocka_unit_test(test_pairing_proxy_tunnel),
		cmocka_unit_test(test_pairing_tls11_refused),
		cmocka_unit_test_setup_teardown(test_pairing_ca_file,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test(test_pairing_e2e),
	};
	struct es_err e = { 0 };
	int rc;

	/* The scripted console writes to clients that may have gone. */
	signal(SIGPIPE, SIG_IGN);
	/* Loopback only: no proxy from the environment. */
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	if (!crypto_make_cert("engine01", "Example", "Security", 30,
	    &engine_key, &engine_cert, &e)) {
		fprintf(stderr, "crypto_make_cert: %s\n", e.msg);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	util_free_secret(engine_key);
	free(engine_cert);
	return rc;
}
