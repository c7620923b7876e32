/* The test console's engines (../shared/engine-protocol.md): the ones
 * registered by pairing, which check in (POST /engines/v1/checkin), and the
 * standard ones added with add-engine (New Engine), which a Refresh
 * contacts (POST /engine/v1/refresh, libcurl's multi interface so that the
 * TLS listener keeps serving meanwhile). README.md describes the states. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "crypto.h"
#include "error.h"
#include "util.h"

#include "console.h"

/* One refresh under way. */
struct tc_xfer {
	CURL *h;
	size_t idx;			/* into con->std */
	struct tc_ctl *ctl;		/* who waits for it, or NULL */
	struct curl_slist *hdrs;
	struct sbuf resp;
	bool too_large;
	char err[CURL_ERROR_SIZE];
};

static const struct {
	const char *name;
	const char *colour;
} tc_states[] = {
	[TC_ST_ACTIVE] = { "Active", "green" },
	[TC_ST_UNKNOWN] = { "Unknown", "orange" },
	[TC_ST_PENDING] = { "Pending Authorization", "red" },
	[TC_ST_INCOMPATIBLE] = { "Incompatible", "red" },
	[TC_ST_DOWN] = { "Down", "red" },
};

const char *
tc_state_name(enum tc_state s)
{
	return tc_states[s].name;
}

const char *
tc_state_colour(enum tc_state s)
{
	return tc_states[s].colour;
}

/* Copy src into dst (dstsz bytes) with every byte outside 0x20..0x7e
 * replaced by '?', so that a value from outside cannot break a line. */
static void
tc_clean(char *dst, size_t dstsz, const char *src)
{
	size_t i;

	for (i = 0; src[i] != '\0' && i + 1 < dstsz; i++)
		dst[i] = (src[i] >= 0x20 && src[i] <= 0x7e) ? src[i] : '?';
	dst[i] = '\0';
}

/* ---- Engines registered by pairing ---- */

static struct tc_engine *
tc_find_engine(struct console *con, const char *engine_id)
{
	size_t i;

	for (i = 0; i < con->nengines; i++)
		if (strcmp(con->engines[i].id, engine_id) == 0)
			return &con->engines[i];
	return NULL;
}

void
tc_register(struct console *con, const char *engine_id, const char *name,
    const char *version, const char *status, const char *spki, bool append)
{
	struct tc_engine *en;
	bool replaced;
	FILE *f;

	en = tc_find_engine(con, engine_id);
	replaced = en != NULL;
	if (en == NULL) {
		if (con->nengines == TC_ENGINES_MAX) {
			tc_log(con, "cannot register engine %s: %d engines "
			    "already", engine_id, TC_ENGINES_MAX);
			return;
		}
		en = &con->engines[con->nengines++];
	}
	memset(en, 0, sizeof *en);
	snprintf(en->id, sizeof en->id, "%s", engine_id);
	snprintf(en->name, sizeof en->name, "%s", name);
	snprintf(en->version, sizeof en->version, "%s", version);
	snprintf(en->spki, sizeof en->spki, "%s", spki);
	tc_log(con, "%s engine %s (%s, %s), key sha256:%s", replaced ?
	    "re-registered" : "registered", engine_id, name, version, spki);
	if (!append || con->registry == NULL)
		return;
	f = fopen(con->registry, "a");
	if (f == NULL) {
		tc_log(con, "cannot open %s: %s", con->registry,
		    strerror(errno));
		return;
	}
	fprintf(f, "%s\t%s\t%s\t%s\tsha256:%s\n", engine_id, name, version,
	    status, spki);
	fclose(f);
}

static bool
tc_is_spki_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

bool
tc_load_registry(struct console *con, const char *path)
{
	char *text, *line, *next, *col[6];
	unsigned major, minor;
	size_t n, lineno = 0;
	bool ok = false;

	if ((text = tc_read_file(path)) == NULL) {
		fprintf(stderr, "test-console: cannot read %s: %s\n", path,
		    strerror(errno));
		return false;
	}
	for (line = text; *line != '\0'; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		for (n = 0, col[0] = line; n < 5; n++) {
			char *tab = strchr(col[n], '\t');

			if (tab == NULL)
				break;
			*tab = '\0';
			col[n + 1] = tab + 1;
		}
		if (n != 4 || !tc_is_uuid(col[0]) ||
		    !tc_parse_version(col[2], &major, &minor) ||
		    strncmp(col[4], "sha256:", 7) != 0 ||
		    !tc_is_spki_hex(col[4] + 7)) {
			fprintf(stderr, "test-console: %s line %zu is not "
			    "\"engine_id TAB name TAB version TAB status TAB "
			    "sha256:<hex>\", as --registry writes it\n", path,
			    lineno);
			goto out;
		}
		tc_register(con, col[0], col[1], col[2], col[3], col[4] + 7,
		    false);
	}
	ok = true;
out:
	free(text);
	return ok;
}

/* The check-in's answer: {"state": state} plus console_version for 409. */
static void
tc_checkin_reply(struct console *con, struct tc_exchange *x, int status,
    const char *state)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || cJSON_AddStringToObject(o, "state", state) == NULL ||
	    (status == 409 && cJSON_AddStringToObject(o, "console_version",
	    con->version) == NULL))
		fatal("test-console: out of memory");
	tc_reply(x->rs, status, o);
}

void
tc_checkin(struct console *con, struct tc_exchange *x)
{
	static const char *const fields[] = { "protocol", "engine_id",
	    "engine_version", NULL };
	const char *engine_id = NULL, *version = NULL, *why = "";
	char shown_id[65], shown_version[65];
	struct tc_engine *en;
	unsigned major, minor;

	if (!tc_begin(con, x, fields) ||
	    (engine_id = tc_get_string(x, "engine_id")) == NULL ||
	    (version = tc_get_string(x, "engine_version")) == NULL)
		goto log;
	if (!tc_is_uuid(engine_id)) {
		tc_error(x->rs, 400, "bad_request", "member \"engine_id\" must "
		    "be a lower-case UUID of 36 characters");
		goto log;
	}
	if (!tc_parse_version(version, &major, &minor)) {
		tc_error(x->rs, 400, "bad_request", "member \"engine_version\" "
		    "must be major.minor.patch");
		goto log;
	}
	en = tc_find_engine(con, engine_id);
	if (en == NULL || x->conn->peer_spki[0] == '\0' ||
	    strcmp(en->spki, x->conn->peer_spki) != 0) {
		why = en == NULL ? ": no engine registered with this id" :
		    x->conn->peer_spki[0] == '\0' ? ": no client certificate" :
		    ": the client certificate's key is not the registered one";
		tc_checkin_reply(con, x, 403, "unknown-engine");
		goto log;
	}
	en->last_at = tc_now();
	snprintf(en->last_version, sizeof en->last_version, "%s", version);
	if (major != con->vmajor || minor != con->vminor) {
		en->last_status = 409;
		tc_checkin_reply(con, x, 409, "incompatible");
	} else {
		en->last_status = 200;
		tc_checkin_reply(con, x, 200, "active");
	}

log:
	tc_clean(shown_id, sizeof shown_id, engine_id != NULL ? engine_id :
	    "?");
	tc_clean(shown_version, sizeof shown_version, version != NULL ?
	    version : "?");
	tc_log(con, "check-in from %s, engine %s version %s, client "
	    "certificate %s%s: %d%s", x->conn->peer, shown_id, shown_version,
	    x->conn->peer_spki[0] != '\0' ? "sha256:" : "none",
	    x->conn->peer_spki, x->rs->status, why);
}

enum tc_state
tc_engine_state(const struct console *con, const struct tc_engine *en,
    char *detail, size_t detailsz)
{
	char name[96];
	double ago = tc_now() - en->last_at;
	int two = 2 * con->checkin_interval;

	tc_clean(name, sizeof name, en->name);
	if (en->last_status == 0) {
		snprintf(detail, detailsz, "engine %s %s, key sha256:%s: "
		    "never checked in", name, en->version, en->spki);
		return TC_ST_DOWN;
	}
	if (en->last_status == 409) {
		snprintf(detail, detailsz, "engine %s, key sha256:%s: the "
		    "last check-in, %.0f s ago, was refused: its version %s "
		    "differs from the console's %s", name, en->spki, ago,
		    en->last_version, con->version);
		return TC_ST_INCOMPATIBLE;
	}
	if (ago <= two) {
		snprintf(detail, detailsz, "engine %s %s, key sha256:%s: "
		    "checked in %.0f s ago", name, en->last_version, en->spki,
		    ago);
		return TC_ST_ACTIVE;
	}
	snprintf(detail, detailsz, "engine %s %s, key sha256:%s: the last "
	    "check-in was %.0f s ago, more than two intervals (%d s)", name,
	    en->last_version, en->spki, ago, two);
	return TC_ST_UNKNOWN;
}

/* ---- Standard engines: Refresh ---- */

static bool
tc_is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool
tc_parse_hostport(const char *s, char *host, size_t hostsz, unsigned *port)
{
	const char *colon, *h, *p;
	size_t hlen, i;
	unsigned long v;
	char *end;

	if (s[0] == '[') {
		colon = strchr(s, ']');
		if (colon == NULL || colon[1] != ':')
			return false;
		h = s + 1;
		hlen = (size_t)(colon - h);
		p = colon + 2;
		for (i = 0; i < hlen; i++)
			if (!(tc_is_host_char(h[i]) || h[i] == ':'))
				return false;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return false;
		h = s;
		hlen = (size_t)(colon - h);
		p = colon + 1;
		for (i = 0; i < hlen; i++)
			if (!tc_is_host_char(h[i]))
				return false;
	}
	if (hlen == 0 || hlen >= hostsz || hlen > 253 || *p < '1' ||
	    *p > '9')
		return false;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535)
		return false;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (unsigned)v;
	return true;
}

static size_t
tc_on_body(char *data, size_t size, size_t n, void *arg)
{
	struct tc_xfer *t = arg;

	if (t->resp.len + n > TC_BODY_MAX) {
		t->too_large = true;
		return 0;
	}
	sbuf_addn(&t->resp, data, n);
	(void)size;
	return n;
}

bool
tc_refresh_init(struct console *con)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (con->multi = curl_multi_init()) == NULL) {
		fprintf(stderr, "test-console: cannot start libcurl\n");
		return false;
	}
	return true;
}

static void
tc_xfer_free(struct console *con, struct tc_xfer *t)
{
	curl_multi_remove_handle(con->multi, t->h);
	curl_easy_cleanup(t->h);
	curl_slist_free_all(t->hdrs);
	sbuf_free(&t->resp);
	free(t);
}

void
tc_refresh_cleanup(struct console *con)
{
	size_t i;

	for (i = 0; i < con->nxfers; i++)
		tc_xfer_free(con, con->xfers[i]);
	con->nxfers = 0;
	if (con->multi != NULL)
		curl_multi_cleanup(con->multi);
	con->multi = NULL;
	curl_global_cleanup();
}

static void
tc_std_set(struct console *con, struct tc_std *sd, enum tc_state st,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Set a standard engine's state and detail, and log it. */
static void
tc_std_set(struct console *con, struct tc_std *sd, enum tc_state st,
    const char *fmt, ...)
{
	char raw[TC_DETAIL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	tc_clean(sd->detail, sizeof sd->detail, raw);
	sd->state = st;
	tc_log(con, "refresh of %s: %s (%s)", sd->label, tc_state_name(st),
	    sd->detail);
}

bool
tc_refresh_start(struct console *con, size_t i, struct tc_ctl *ctl)
{
	struct tc_std *sd = &con->std[i];
	struct curl_blob cert, key;
	struct tc_xfer *t;
	char *url, *body;
	cJSON *o;
	long ms = (long)(con->refresh_timeout * 1000 + 0.5);

	if (con->nxfers == TC_XFER_MAX) {
		tc_std_set(con, sd, TC_ST_UNKNOWN, "not refreshed: %d "
		    "refreshes are under way already", TC_XFER_MAX);
		return false;
	}
	o = cJSON_CreateObject();
	if (o == NULL || cJSON_AddNumberToObject(o, "protocol", 1) == NULL ||
	    cJSON_AddStringToObject(o, "console_id", con->console_id) == NULL ||
	    cJSON_AddStringToObject(o, "console_name",
	    con->console_name) == NULL ||
	    cJSON_AddStringToObject(o, "console_version",
	    con->version) == NULL ||
	    (body = cJSON_PrintUnformatted(o)) == NULL)
		fatal("test-console: out of memory");
	cJSON_Delete(o);

	t = xcalloc(1, sizeof *t);
	t->idx = i;
	t->ctl = ctl;
	sbuf_init(&t->resp);
	sbuf_add(&t->resp, "");
	t->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	t->h = curl_easy_init();
	if (t->h == NULL || t->hdrs == NULL)
		fatal("test-console: out of memory");
	url = xasprintf("https://%s/engine/v1/refresh", sd->label);
	cert.data = con->cert_pem;
	cert.len = strlen(con->cert_pem);
	cert.flags = CURL_BLOB_COPY;
	key.data = con->key_pem;
	key.len = strlen(con->key_pem);
	key.flags = CURL_BLOB_COPY;
	curl_easy_setopt(t->h, CURLOPT_URL, url);
	curl_easy_setopt(t->h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(t->h, CURLOPT_PROXY, "");
	curl_easy_setopt(t->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->h, CURLOPT_COPYPOSTFIELDS, body);
	curl_easy_setopt(t->h, CURLOPT_HTTPHEADER, t->hdrs);
	/* The engine's certificate is checked by no authority (there are
	 * none); its SPKI is recorded instead. */
	curl_easy_setopt(t->h, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(t->h, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(t->h, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(t->h, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(t->h, CURLOPT_SSLCERT_BLOB, &cert);
	curl_easy_setopt(t->h, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(t->h, CURLOPT_SSLKEY_BLOB, &key);
	curl_easy_setopt(t->h, CURLOPT_SSLKEYTYPE, "PEM");
	curl_easy_setopt(t->h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	curl_easy_setopt(t->h, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(t->h, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(t->h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(t->h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(t->h, CURLOPT_WRITEFUNCTION, tc_on_body);
	curl_easy_setopt(t->h, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->h, CURLOPT_ERRORBUFFER, t->err);
	curl_easy_setopt(t->h, CURLOPT_PRIVATE, t);
	free(url);
	cJSON_free(body);
	if (curl_multi_add_handle(con->multi, t->h) != CURLM_OK) {
		tc_std_set(con, sd, TC_ST_UNKNOWN, "not refreshed: libcurl "
		    "cannot start the transfer");
		tc_xfer_free(con, t);
		return false;
	}
	con->xfers[con->nxfers++] = t;
	tc_log(con, "refreshing %s", sd->label);
	return true;
}

/* The SPKI of the engine's certificate, from libcurl's certinfo, into
 * sd->spki ("" when the handshake did not get that far). */
static void
tc_engine_spki(struct tc_xfer *t, struct tc_std *sd)
{
	struct curl_certinfo *ci = NULL;
	struct curl_slist *l;
	struct es_err e = { 0 };
	char spki[72];

	sd->spki[0] = '\0';
	if (curl_easy_getinfo(t->h, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return;
	for (l = ci->certinfo[0]; l != NULL; l = l->next)
		if (strncmp(l->data, "Cert:", 5) == 0 &&
		    crypto_cert_spki(l->data + 5, spki, sizeof spki, &e))
			snprintf(sd->spki, sizeof sd->spki, "%s", spki + 7);
}

/* A string member of the engine's answer, or "?". */
static const char *
tc_member(const cJSON *o, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(it) && it->valuestring != NULL ?
	    it->valuestring : "?";
}

/* Turn a finished transfer into the engine's state (README.md). */
static void
tc_refresh_done(struct console *con, struct tc_xfer *t, CURLcode rc)
{
	struct tc_std *sd = &con->std[t->idx];
	const char *state = NULL;
	char key[80], what[96];
	long code = 0, oserr = 0;
	cJSON *o = NULL, *it;

	tc_engine_spki(t, sd);
	snprintf(key, sizeof key, "key %s%s", sd->spki[0] != '\0' ?
	    "sha256:" : "not seen", sd->spki);
	if (rc == CURLE_COULDNT_CONNECT) {
		curl_easy_getinfo(t->h, CURLINFO_OS_ERRNO, &oserr);
		if (oserr == ECONNREFUSED) {
			tc_std_set(con, sd, TC_ST_DOWN, "connection refused: "
			    "nothing listens at %s", sd->label);
			return;
		}
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		tc_std_set(con, sd, TC_ST_UNKNOWN, "no answer within %g s; %s",
		    con->refresh_timeout, key);
		return;
	}
	if (rc != CURLE_OK) {
		tc_std_set(con, sd, TC_ST_UNKNOWN, "%s; %s", t->too_large ?
		    "the answer is over 65536 bytes" : t->err[0] != '\0' ?
		    t->err : curl_easy_strerror(rc), key);
		return;
	}
	curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &code);
	o = cJSON_ParseWithLength(t->resp.s, t->resp.len);
	if (cJSON_IsObject(o)) {
		it = cJSON_GetObjectItemCaseSensitive(o, "state");
		if (cJSON_IsString(it))
			state = it->valuestring;
	}
	if (code == 200 && state != NULL && strcmp(state, "active") == 0)
		tc_std_set(con, sd, TC_ST_ACTIVE, "engine %s %s (%s), %s",
		    tc_member(o, "engine_name"), tc_member(o,
		    "engine_version"), tc_member(o, "engine_id"), key);
	else if (code == 403 && state != NULL &&
	    strcmp(state, "pending-authorization") == 0) {
		/* What `engine-setup consoles list` shows of this console:
		 * its name, and the address the engine saw it come from (this
		 * end's address of the connection), never its consoleId. */
		char *lip = NULL;
		const char *from = "this console's address";

		if (curl_easy_getinfo(t->h, CURLINFO_LOCAL_IP, &lip) ==
		    CURLE_OK && lip != NULL && lip[0] != '\0')
			from = lip;
		tc_std_set(con, sd, TC_ST_PENDING, "engine %s (%s), %s: enable "
		    "the console \"%s\" (%s) in the engine's consoles.xml "
		    "(engine-setup consoles list / enable) and restart the "
		    "engine", tc_member(o, "engine_version"), tc_member(o,
		    "engine_id"), key, con->console_name, from);
	} else if (code == 409)
		tc_std_set(con, sd, TC_ST_INCOMPATIBLE, "engine version %s, "
		    "console version %s, %s", tc_member(o, "engine_version"),
		    con->version, key);
	else {
		if (state != NULL)
			snprintf(what, sizeof what, "state \"%.64s\"", state);
		else
			snprintf(what, sizeof what, "%s", o == NULL ?
			    "the body is not JSON" : "no state in the body");
		tc_std_set(con, sd, TC_ST_UNKNOWN, "unexpected answer: HTTP "
		    "%ld, %s; %s", code, what, key);
	}
	cJSON_Delete(o);
}

void
tc_refresh_poll(struct console *con)
{
	struct tc_xfer *t;
	struct tc_ctl *ctl;
	CURLMsg *m;
	size_t i;
	int running, left;

	if (con->nxfers == 0)
		return;
	curl_multi_perform(con->multi, &running);
	while ((m = curl_multi_info_read(con->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		t = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		if (t == NULL)
			continue;
		tc_refresh_done(con, t, m->data.result);
		ctl = t->ctl;
		for (i = 0; i < con->nxfers; i++)
			if (con->xfers[i] == t) {
				memmove(&con->xfers[i], &con->xfers[i + 1],
				    (con->nxfers - i - 1) *
				    sizeof con->xfers[0]);
				con->nxfers--;
				break;
			}
		tc_xfer_free(con, t);
		if (ctl != NULL)
			tc_control_refreshed(con, ctl);
	}
}
