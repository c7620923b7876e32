/* The sample engine at start (its key, certificate, consoles.xml and
 * check-in interval) and its Engine-to-Console side (engine-protocol.md):
 * every interval, POST /engines/v1/checkin to each console of
 * consoles.xml with connectTo="1" and enabled="1", one console per step so
 * that the listener is served between them. */
#include "sample.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECKIN_ENV "ENGINE_CHECKIN_INTERVAL"
#define CHECKIN_FILE "sample-checkin-interval"
#define CHECKIN_DEFAULT 30
#define CHECKIN_TIMEOUT_MS 5000L
#define CHECKIN_ANSWER_MAX 65536
#define CHECKIN_PATH "/engines/v1/checkin"

/* The interval: the environment, else the file beside the program, else
 * the default; whole seconds, 1..86400. */
static unsigned
checkin_interval(const struct sample *s)
{
	char text[32];
	const char *v = sample_setting(s, CHECKIN_ENV, CHECKIN_FILE, text,
	    sizeof text);
	unsigned long n;
	char *end;

	n = strtoul(v, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
		end++;
	if (end == v || *end != '\0' || !isdigit((unsigned char)*v) ||
	    n < 1 || n > 86400)
		return CHECKIN_DEFAULT;
	return (unsigned)n;
}

/* Whether an entry is checked in with. */
static bool
checks_in(const struct engine_console *en)
{
	return en->connect_to && en->enabled;
}

void
engine_start(struct sample *s)
{
	struct engine *e = &s->e;
	char path[SAMPLE_PATH_MAX + 300], *text;
	size_t len = 0, i, n = 0;
	const char *slash = strrchr(s->dir, '/');

#ifdef _WIN32
	if (strrchr(s->dir, '\\') > slash)
		slash = strrchr(s->dir, '\\');
#endif
	if (slash != NULL)
		snprintf(e->install_dir, sizeof e->install_dir, "%.*s",
		    (int)(slash - s->dir), s->dir);
	else
		snprintf(e->install_dir, sizeof e->install_dir, "%s/..",
		    s->dir);
	if (e->install_dir[0] == '\0')
		snprintf(e->install_dir, sizeof e->install_dir, "/");
	snprintf(e->consoles_path, sizeof e->consoles_path,
	    "%s/nse/conf/consoles.xml", e->install_dir);
	snprintf(path, sizeof path, "%s/%s", e->install_dir, e->key_rel);
	e->key_pem = e->key_rel[0] != '\0' ?
	    sample_read_file(path, 1u << 20, &len) : NULL;
	snprintf(path, sizeof path, "%s/%s", e->install_dir, e->cert_rel);
	e->cert_pem = e->cert_rel[0] != '\0' ?
	    sample_read_file(path, 1u << 20, &len) : NULL;
	e->interval = checkin_interval(s);
	memset(&e->seed, 0, sizeof e->seed);
	if ((text = sample_read_file(e->consoles_path, 16u << 20, &len)) !=
	    NULL && !engine_consoles_parse(&e->seed, text, len))
		sample_logl(s, "WARN", "Scan Engine cannot read %s (not "
		    "well-formed XML, or its root is not <Consoles>): it "
		    "knows no console", e->consoles_path);
	free(text);
	for (i = 0; i < e->seed.n; i++)
		n += checks_in(&e->seed.v[i]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (n > 0)
		sample_logl(s, "INFO", "Scan Engine checks in with %lu "
		    "console(s) every %u s", (unsigned long)n, e->interval);
	e->round = false;
	e->next = 0;
	e->due = sample_now_ms();  /* the first round at once */
	if (s->port != 0)
		(void)engine_tls_setup(s);
}

void
engine_free(struct sample *s)
{
	SSL_CTX_free(s->e.tls);
	s->e.tls = NULL;
	free(s->e.key_pem);
	free(s->e.cert_pem);
	s->e.key_pem = s->e.cert_pem = NULL;
	engine_consoles_free(&s->e.seed);
	curl_global_cleanup();
}

long
engine_checkin_wait(const struct sample *s)
{
	long long left;
	size_t i;

	for (i = 0; i < s->e.seed.n; i++)
		if (checks_in(&s->e.seed.v[i]))
			break;
	if (i == s->e.seed.n)
		return -1;
	if (s->e.round)
		return 0;
	left = s->e.due - sample_now_ms();
	return left <= 0 ? 0 : left > 86400000 ? 86400000 : (long)left;
}

/* The answer's bytes, up to CHECKIN_ANSWER_MAX. */
struct answer {
	char buf[CHECKIN_ANSWER_MAX + 1];
	size_t len;
};

static size_t
on_data(char *data, size_t size, size_t n, void *arg)
{
	struct answer *a = arg;
	size_t k = size * n;

	if (k > CHECKIN_ANSWER_MAX - a->len)
		return 0;   /* too large: the transfer fails */
	memcpy(a->buf + a->len, data, k);
	a->len += k;
	a->buf[a->len] = '\0';
	return k;
}

/* Stop the transfer as soon as the program is told to stop. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	(void)arg;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return sample_stopping() ? 1 : 0;
}

/* "sha256//<base64 of the raw digest>" from "sha256:<64 hex>" into pin;
 * false when spki has another form. */
static bool
spki_pin(const char *spki, char *pin, size_t pinsz)
{
	unsigned char raw[32], b64[48];
	unsigned v;
	int i;

	if (strncmp(spki, "sha256:", 7) != 0 || strlen(spki + 7) != 64)
		return false;
	for (i = 0; i < 32; i++) {
		if (!isxdigit((unsigned char)spki[7 + 2 * i]) ||
		    !isxdigit((unsigned char)spki[8 + 2 * i]) ||
		    sscanf(spki + 7 + 2 * i, "%2x", &v) != 1)
			return false;
		raw[i] = (unsigned char)v;
	}
	if (EVP_EncodeBlock(b64, raw, 32) != 44)
		return false;
	snprintf(pin, pinsz, "sha256//%s", (const char *)b64);
	return true;
}

/* One check-in with en; the result in its log line. */
static void
contact(struct sample *s, const struct engine_console *en)
{
	char url[512], pin[64], err[CURL_ERROR_SIZE] = "", *req;
	char lid[SAMPLE_LOG_FIELD + 1], laddr[SAMPLE_LOG_FIELD + 1];
	char lport[SAMPLE_LOG_FIELD + 1], lwhy[SAMPLE_LOG_FIELD + 1];
	char result[200];
	struct curl_blob cert, key;
	struct curl_slist *hdr = NULL;
	struct answer *a;
	const cJSON *state, *cver;
	cJSON *j, *ans;
	CURL *c;
	CURLcode rc;
	long code = 0;
	unsigned long port;
	char *end;

	sample_clean(lid, en->id, false);
	sample_clean(laddr, en->last_address, false);
	sample_clean(lport, en->port, false);
	port = strtoul(en->port, &end, 10);
	if (en->last_address[0] == '\0' || end == en->port || *end != '\0' ||
	    port < 1 || port > 65535 ||
	    strpbrk(en->last_address, "/[]@ ?#") != NULL) {
		sample_logl(s, "WARN", "Check-in to console %s at %s port %s: "
		    "failed (its lastAddress or port cannot be used)", lid,
		    laddr, lport);
		return;
	}
	if (!spki_pin(en->spki, pin, sizeof pin)) {
		sample_logl(s, "WARN", "Check-in to console %s at %s port %s: "
		    "failed (its spki is not sha256:<64 hex digits>)", lid,
		    laddr, lport);
		return;
	}
	if (s->e.key_pem == NULL || s->e.cert_pem == NULL) {
		sample_logl(s, "WARN", "Check-in to console %s at %s port %s: "
		    "failed (the engine has no key and certificate)", lid,
		    laddr, lport);
		return;
	}
	snprintf(url, sizeof url, strchr(en->last_address, ':') != NULL ?
	    "https://[%s]:%lu" CHECKIN_PATH : "https://%s:%lu" CHECKIN_PATH,
	    en->last_address, port);
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "protocol", 1);
	cJSON_AddStringToObject(j, "engine_id", s->e.id);
	cJSON_AddStringToObject(j, "engine_version", s->e.version);
	req = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if ((a = calloc(1, sizeof *a)) == NULL || req == NULL ||
	    (c = curl_easy_init()) == NULL)
		abort();
	cert.data = s->e.cert_pem;
	cert.len = strlen(s->e.cert_pem);
	cert.flags = CURL_BLOB_COPY;
	key.data = s->e.key_pem;
	key.len = strlen(s->e.key_pem);
	key.flags = CURL_BLOB_COPY;
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, req);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, pin);
	curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
	curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
	curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CHECKIN_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, CHECKIN_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	sample_io_begin();
	rc = curl_easy_perform(c);
	sample_io_end();
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	free(req);
	if (rc == CURLE_ABORTED_BY_CALLBACK && sample_stopping()) {
		free(a);
		return;   /* stopped: no contact to tell of */
	}
	if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
		snprintf(result, sizeof result, "not contacted (the console's "
		    "key does not match its spki)");
	} else if (rc != CURLE_OK) {
		snprintf(result, sizeof result, "failed (%s)", sample_clean(lwhy,
		    err[0] != '\0' ? err : curl_easy_strerror(rc), true));
	} else {
		ans = cJSON_ParseWithLength(a->buf, a->len);
		state = cJSON_GetObjectItemCaseSensitive(ans, "state");
		cver = cJSON_GetObjectItemCaseSensitive(ans, "console_version");
		if (code == 200 && cJSON_IsString(state) &&
		    strcmp(state->valuestring, "active") == 0)
			snprintf(result, sizeof result, "active");
		else if (code == 403 && cJSON_IsString(state) &&
		    strcmp(state->valuestring, "unknown-engine") == 0)
			snprintf(result, sizeof result, "unknown-engine");
		else if (code == 409)
			snprintf(result, sizeof result, "incompatible (console "
			    "%s)", sample_clean(lwhy, cJSON_IsString(cver) ?
			    cver->valuestring : "unknown", false));
		else
			snprintf(result, sizeof result, "failed (HTTP %ld, "
			    "not a check-in answer)", code);
		cJSON_Delete(ans);
	}
	free(a);
	sample_logl(s, strcmp(result, "active") == 0 ? "INFO" : "WARN",
	    "Check-in to console %s at %s port %s: %s", lid, laddr, lport,
	    result);
}

void
engine_checkin_step(struct sample *s)
{
	struct engine *e = &s->e;

	if (!e->round) {
		e->round = true;
		e->next = 0;
		e->due = sample_now_ms() + (long long)e->interval * 1000;
	}
	while (e->next < e->seed.n && !checks_in(&e->seed.v[e->next]))
		e->next++;
	if (e->next == e->seed.n) {
		e->round = false;
		return;
	}
	contact(s, &e->seed.v[e->next++]);
}
