/* libFuzzer target: the console's replies to pairing_run(), through a test
 * transport (pairing.h, struct pairing_transport) instead of HTTPS, so that
 * the whole exchange runs: the leaf certificate's key and pin checks
 * (OpenSSL), both JSON replies (cJSON), the error table and the console
 * proof (pairing-protocol.md).
 *
 * Input, parts joined by "\n--\n":
 *   "<dry_run 0|1> <pin 0: none, 1: the first certificate's key, 2: another>"
 *   "<CURLcode> <HTTP status>\n<body>"   the reply to hello
 *   "<CURLcode> <HTTP status>\n<body>"   the reply to pair
 *   <DER certificate>                    shown by the first connection
 *   <DER certificate>                    shown again for pair (optional; if
 *                                        absent the connection is reused)
 * "@PROOF@" in the pair body becomes the right console_proof, so that the
 * fuzzer reaches what follows the proof check. Checked: every stage is
 * reported once, in order; a success had the right proof, the pinned key,
 * and gives the certificate; a failure has a message and gives nothing;
 * the secret is in no message. */
#define _GNU_SOURCE		/* memmem */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "pairing.h"
#include "util.h"

#define SECRET "ABCD-1234-EFGH-5678-IJKL-9012-MNOP-3456"
#define SECRET_S "ABCD1234EFGH5678IJKL9012MNOP3456"
#define ENGINE_ID "3f2b6c1e-8a4d-4f0e-9b7a-2c5d8e1f0a3b"
#define SEP "\n--\n"
#define NPARTS 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct part {
	const char *p;
	size_t n;
};

struct reply {
	int rc;
	long http;
	struct part body;
};

struct fuzz {
	bool dry_run;
	struct reply reply[2];
	struct part cert[2];
	bool has_cert2;
	char console_spki[65];          /* of cert[0], "" if it does not parse */
	bool pin_mismatch;              /* a pin other than cert[0]'s key */
	bool key_changed[2];            /* cert[1] has another key */
	char engine_spki[65];
	int calls;
	bool proof_given;               /* "@PROOF@" was replaced */
	char *body;                     /* the pair body after replacement */
	int steps;
	bool in_order;
	bool secret_shown;
};

static char *engine_cert;
static char engine_spki[65];

static void
fuzz_init(void)
{
	struct es_err e = { 0 };
	char *key = NULL, spki[72];

	if (engine_cert != NULL)
		return;
	crypto_init();
	if (!crypto_make_cert("fuzz-engine", "Fuzz", NULL, 30, &key,
	    &engine_cert, &e)) {
		fprintf(stderr, "fuzz_pairing: %s\n", e.msg);
		abort();
	}
	free(key);
	if (!crypto_cert_spki(engine_cert, spki, sizeof spki, &e))
		abort();
	memcpy(engine_spki, spki + 7, sizeof engine_spki);
	/* pairing_run() takes and drops curl's global state on every run:
	 * held here, it is set up once. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
}

/* Split data at SEP into at most NPARTS parts; returns how many. */
static int
split(const uint8_t *data, size_t size, struct part parts[NPARTS])
{
	const char *s = (const char *)data, *end = s + size, *q;
	int n = 0;

	while (n < NPARTS - 1 &&
	    (q = memmem(s, (size_t)(end - s), SEP, strlen(SEP))) != NULL) {
		parts[n].p = s;
		parts[n++].n = (size_t)(q - s);
		s = q + strlen(SEP);
	}
	parts[n].p = s;
	parts[n++].n = (size_t)(end - s);
	return n;
}

/* "<rc> <http>\n<body>" */
static void
parse_reply(struct part in, struct reply *r)
{
	char head[32];
	const char *nl = memchr(in.p, '\n', in.n);
	size_t hn = nl != NULL ? (size_t)(nl - in.p) : in.n;
	long rc = 0, http = 0;

	snprintf(head, sizeof head, "%.*s", (int)(hn < 31 ? hn : 31), in.p);
	if (sscanf(head, "%ld %ld", &rc, &http) < 2)
		http = 200;
	/* Every value below CURL_LAST is a CURLcode. */
	r->rc = (int)(rc < 0 ? 0 : rc % CURL_LAST);
	r->http = http < 0 || http > 999 ? 200 : http;
	r->body.p = nl != NULL ? nl + 1 : in.p + in.n;
	r->body.n = nl != NULL ? in.n - hn - 1 : 0;
}

static void
der_spki(struct part der, char out[65])
{
	const unsigned char *p = (const unsigned char *)der.p;
	unsigned char *pub = NULL;
	X509 *x;
	int len;

	out[0] = '\0';
	if ((x = d2i_X509(NULL, &p, (long)der.n)) == NULL)
		return;
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &pub);
	if (len > 0)
		crypto_sha256_hex(pub, (size_t)len, out);
	OPENSSL_free(pub);
	X509_free(x);
}

/* The pair body with "@PROOF@" replaced by the console_proof for the
 * nonces of the request. */
static void
make_pair_body(struct fuzz *f, const char *request)
{
	const struct part *b = &f->reply[1].body;
	const char *at = memmem(b->p, b->n, "@PROOF@", 7);
	const cJSON *en, *cn;
	cJSON *req;
	unsigned char K[32];
	char proof[65];
	size_t pre;

	free(f->body);
	f->body = NULL;
	if (at == NULL)
		return;
	req = cJSON_Parse(request);
	en = cJSON_GetObjectItemCaseSensitive(req, "engine_nonce");
	cn = cJSON_GetObjectItemCaseSensitive(req, "console_nonce");
	if (!cJSON_IsString(en) || !cJSON_IsString(cn))
		abort();
	pairing_key(SECRET_S, K);
	pairing_console_proof(K, en->valuestring, cn->valuestring,
	    f->console_spki, f->engine_spki, ENGINE_ID,
	    f->dry_run ? "verified" : "paired", proof);
	cJSON_Delete(req);
	pre = (size_t)(at - b->p);
	f->body = xmalloc(b->n - 7 + 64 + 1);
	memcpy(f->body, b->p, pre);
	memcpy(f->body + pre, proof, 64);
	memcpy(f->body + pre + 64, at + 7, b->n - pre - 7);
	f->body[b->n - 7 + 64] = '\0';
	f->proof_given = true;
}

static void
fake_connect(void *arg, const char *path, const unsigned char **cert,
    size_t *cert_len)
{
	struct fuzz *f = arg;
	int i = f->calls;

	if (i > 1 || strcmp(path, i == 0 ? "hello" : "pair") != 0)
		abort();
	if (i == 0 || f->has_cert2) {
		*cert = (const unsigned char *)f->cert[i].p;
		*cert_len = f->cert[i].n;
	}
}

static int
fake_post(void *arg, const char *path, const char *request, long *http,
    const char **body, size_t *body_len)
{
	struct fuzz *f = arg;
	int i = f->calls++;

	if (i > 1 || strcmp(path, i == 0 ? "hello" : "pair") != 0)
		abort();
	/* Nothing goes to a console whose key is not the pinned one, or
	 * changed between the two connections. */
	if (f->pin_mismatch || f->key_changed[i])
		abort();
	if (strstr(request, SECRET_S) != NULL)
		abort();
	*http = f->reply[i].http;
	*body = f->reply[i].body.p;
	*body_len = f->reply[i].body.n;
	if (i == 1) {
		make_pair_body(f, request);
		if (f->body != NULL) {
			*body = f->body;
			*body_len = strlen(f->body);
		}
	}
	return f->reply[i].rc;
}

static void
fake_step(enum pairing_stage stage, enum pairing_outcome outcome,
    const char *detail, void *arg)
{
	struct fuzz *f = arg;

	(void)outcome;
	if ((int)stage != f->steps)
		f->in_order = false;
	f->steps++;
	if (strstr(detail, SECRET_S) != NULL)
		f->secret_shown = true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct part parts[NPARTS];
	struct pairing_transport t;
	struct pairing_opts o;
	struct pairing_result r;
	struct es_err e = { 0 };
	struct fuzz f;
	char pin[80], flags[16], spki[72];
	int n, dry = 0, pinmode = 0;
	bool ok;

	fuzz_init();
	n = split(data, size, parts);
	if (n < 4)
		return 0;
	memset(&f, 0, sizeof f);
	f.in_order = true;
	snprintf(flags, sizeof flags, "%.*s",
	    (int)(parts[0].n < 15 ? parts[0].n : 15), parts[0].p);
	if (sscanf(flags, "%d %d", &dry, &pinmode) < 1)
		dry = 0;
	f.dry_run = dry != 0;
	parse_reply(parts[1], &f.reply[0]);
	parse_reply(parts[2], &f.reply[1]);
	f.cert[0] = parts[3];
	if (n == 5) {
		f.cert[1] = parts[4];
		f.has_cert2 = true;
	}
	der_spki(f.cert[0], f.console_spki);
	if (f.has_cert2) {
		der_spki(f.cert[1], spki);
		f.key_changed[1] = strcmp(spki, f.console_spki) != 0;
	}
	memcpy(f.engine_spki, engine_spki, sizeof f.engine_spki);

	memset(&t, 0, sizeof t);
	t.connect = fake_connect;
	t.post = fake_post;
	t.arg = &f;
	memset(&o, 0, sizeof o);
	o.host = "127.0.0.1";
	o.port = 40815;
	o.secret = SECRET;
	o.engine_id = ENGINE_ID;
	o.engine_name = "fuzz-engine";
	o.engine_version = "7.3.1";
	o.engine_cert_pem = engine_cert;
	o.dry_run = f.dry_run;
	o.step = fake_step;
	o.step_arg = &f;
	o.transport = &t;
	if (pinmode == 1 && f.console_spki[0] != '\0') {
		snprintf(pin, sizeof pin, "sha256:%s", f.console_spki);
		o.pin = pin;
	} else if (pinmode == 2) {
		f.pin_mismatch = true;
		o.pin = "sha256:0000000000000000000000000000000000000000000000"
		    "000000000000000000";
	}

	ok = pairing_run(&o, &r, &e);
	if (getenv("ES_FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "fuzz_pairing: %s: %s\n", ok ? r.status :
		    "failed", ok ? r.console_spki : e.msg);
	if (f.steps != PAIRING_NSTAGES || !f.in_order)
		abort();
	if (memmem(data, size, SECRET_S, strlen(SECRET_S)) == NULL &&
	    (f.secret_shown || strstr(e.msg, SECRET_S) != NULL))
		abort();
	if (ok) {
		snprintf(spki, sizeof spki, "sha256:%s", f.console_spki);
		if (!f.proof_given || e.code != 0 || pinmode == 2 ||
		    r.console_cert_pem == NULL ||
		    strcmp(r.console_spki, spki) != 0 ||
		    strcmp(r.status, f.dry_run ? "verified" : "paired") != 0)
			abort();
	} else if (e.code == 0 || e.msg[0] == '\0' ||
	    r.console_cert_pem != NULL || r.status[0] != '\0')
		abort();
	pairing_result_free(&r);
	free(f.body);
	return 0;
}
