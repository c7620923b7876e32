/* The engine side of the Engine-to-Console pairing protocol, version 1
 * (../shared/pairing-protocol.md): the connection test (dry run) and the
 * pairing itself, over HTTPS with libcurl; hashes, HMAC and the console's
 * key with OpenSSL. */
#ifndef ES_PAIRING_H
#define ES_PAIRING_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* ---- Derived values ("Derived values" of the protocol) ---- */

/* Normalise a secret as typed: drop '-' and ASCII white space, upper-case.
 * False unless the result is 32 characters from 0-9A-Z. out: 33 bytes. */
bool pairing_normalize_secret(const char *typed, char out[33]);
/* secret_id: first 16 hex of SHA-256("pairing-v1 secret-id:" || S). */
void pairing_secret_id(const char *S, char out[17]);
/* K = HMAC-SHA256(key = S, "pairing-v1 key"). */
void pairing_key(const char *S, unsigned char K[32]);
/* proof = hex HMAC-SHA256(K, m_engine). spki values are 64 lower-case hex
 * (without "sha256:"). out: 65 bytes. */
void pairing_engine_proof(const unsigned char K[32], const char *console_nonce,
    const char *engine_nonce, const char *console_spki,
    const char *engine_spki, const char *engine_id,
    const char *engine_version, bool dry_run, char out[65]);
/* console_proof = hex HMAC-SHA256(K, m_console). out: 65 bytes. */
void pairing_console_proof(const unsigned char K[32], const char *engine_nonce,
    const char *console_nonce, const char *console_spki,
    const char *engine_spki, const char *engine_id, const char *status,
    char out[65]);

/* ---- The exchange ---- */

/* The steps of the connection test, in order. */
enum pairing_stage {
	PAIRING_RESOLVE,        /* the console's name resolves */
	PAIRING_CONNECT,        /* TCP connection */
	PAIRING_TLS,            /* TLS handshake */
	PAIRING_KEY,            /* console key against the pin */
	PAIRING_HELLO,          /* exchange 1 */
	PAIRING_PROOF,          /* exchange 2: the console accepted our proof */
	PAIRING_CONSOLE_PROOF,  /* the console's proof checked */
	PAIRING_VERSION,        /* major.minor of console and engine agree */
	PAIRING_NSTAGES
};

enum pairing_outcome { PAIRING_OK, PAIRING_FAILED, PAIRING_SKIPPED };

/* "Resolve", "TCP connect", ... for people. */
const char *pairing_stage_name(enum pairing_stage s);

/* How often a waiting request looks at pairing_opts.signals and .stop. */
#define PAIRING_POLL_MS 100

/* Called as each step ends, at once (Resolve and TCP connect when the TLS
 * handshake starts, TLS and Console key when it has passed, before the
 * request is sent); detail is a short text ("10.0.0.5", "TLSv1.3",
 * "sha256:ab12...") or the reason it failed. */
typedef void (*pairing_step_fn)(enum pairing_stage stage,
    enum pairing_outcome outcome, const char *detail, void *arg);

/* A stand-in for the HTTPS connection, so that tests can run the whole
 * exchange on bytes of their own without a network (tests/fuzz/
 * fuzz_pairing.c). The installer leaves pairing_opts.transport NULL. */
struct pairing_transport {
	/* The connection for the request to /pairing/v1/<path>, path
	 * "hello" or "pair". Out: *cert, *cert_len the console's leaf
	 * certificate (DER) if a handshake took place, else NULL (the
	 * connection was reused). It meets the key and pin checks a
	 * handshake's certificate meets (no CA check); if it fails them,
	 * post is not called. */
	void (*connect)(void *arg, const char *path,
	    const unsigned char **cert, size_t *cert_len);
	/* POST request (JSON) there, in place of libcurl. Out: *http, *body,
	 * *body_len the response. Returns 0, or the CURLcode with which the
	 * transfer failed. What cert and body point at stays the
	 * transport's, valid until its next call. */
	int (*post)(void *arg, const char *path, const char *request,
	    long *http, const char **body, size_t *body_len);
	void *arg;
};

struct pairing_opts {
	const char *host;               /* console_address */
	unsigned port;                  /* console_port (40815) */
	const char *secret;             /* as typed; never logged or sent */
	const char *pin;                /* "sha256:<64 hex>" (either case)
	                                 * or NULL */
	const char *ca_file;            /* validate against CAs too, or NULL */
	const char *proxy;              /* "http://host:port", or NULL: the
	                                 * environment's HTTPS_PROXY/NO_PROXY.
	                                 * https:// proxies are refused: curl
	                                 * would show their key as the
	                                 * console's */
	long connect_timeout_ms;        /* 0: 10 s */
	long total_timeout_ms;          /* 0: 30 s for the whole exchange */
	const char *engine_id;          /* UUID */
	const char *engine_name;
	const char *engine_version;     /* major.minor.patch */
	const char *engine_cert_pem;    /* the engine's certificate */
	bool dry_run;                   /* the connection test */
	pairing_step_fn step;
	void *step_arg;
	/* The number of interrupt signals so far (plat_signals_pending), or
	 * NULL: once it grows past what it was at the start, the exchange
	 * stops with ES_ECANCEL, whatever it waits on. */
	int (*signals)(void);
	/* Asked every PAIRING_POLL_MS while a request waits (the name, the
	 * connection, the TLS handshake, an answer), or NULL: true stops
	 * the exchange there, with ES_ECANCEL, and the stage it was at
	 * reported as failed "stopped". The wizard reads its keys here. */
	bool (*stop)(void *arg);
	void *stop_arg;
	const struct pairing_transport *transport;  /* NULL: HTTPS (libcurl) */
};

struct pairing_result {
	char status[16];                /* "paired" or "verified" */
	char console_id[128];
	char console_name[128];
	char console_version[32];
	char console_spki[72];          /* "sha256:<64 hex>" as seen */
	char *console_cert_pem;         /* leaf certificate; caller frees */
	long secret_expires_in;         /* seconds, from hello */
};

/* Run hello and pair. False with e->code ES_EPAIR and one message that
 * says what to do (the protocol's error table), or, with nothing sent,
 * ES_EUSAGE for a malformed secret, pin, host, port, engine name or an
 * https:// proxy, and ES_EINTERNAL for a malformed engine id, version or
 * certificate; ES_ECANCEL when o->signals says a signal came or o->stop
 * said stop. Nothing from the response is trusted before console_proof
 * has been checked; on failure *r is empty. o->step hears every stage
 * exactly once, in order: after a failure (or when nothing was sent) the
 * rest are PAIRING_SKIPPED. Both requests share one connection when the
 * console keeps it open; a reconnection must show the same console key.
 * Calls curl_global_init()/curl_global_cleanup() itself (reference
 * counted; thread-safe with libcurl 7.84 or later). */
bool pairing_run(const struct pairing_opts *o, struct pairing_result *r,
    struct es_err *e);
void pairing_result_free(struct pairing_result *r);

#endif
