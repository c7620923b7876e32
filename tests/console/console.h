/* The test console's shared declarations: the server state, one HTTP
 * exchange, and the functions the parts call across files
 * (test_console.c: HTTP over TLS and pairing; engines.c: registered and
 * standard engines, check-ins and refreshes; control.c: the control socket
 * and its client commands). README.md describes the behaviour. */
#ifndef TC_CONSOLE_H
#define TC_CONSOLE_H

#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/ssl.h>

#define TC_DEFAULT_VERSION	"7.3.1"
#define TC_DEFAULT_ID		"console-test-1"
#define TC_DEFAULT_NAME		"Test Console"
#define TC_DEFAULT_LIFETIME	120
#define TC_BODY_MAX		65536	/* protocol, "Roles and transport" */
#define TC_SECRET_TTL		3600	/* protocol, "The shared secret" */
#define TC_NONCE_TTL		120	/* protocol, "Exchange 1: hello" */
#define TC_HEAD_MAX		16384
#define TC_RAW_MAX		(TC_HEAD_MAX + 4 * TC_BODY_MAX)
#define TC_DISCARD_MAX		(4 * 1024 * 1024)
#define TC_PAD_SIZE		(TC_BODY_MAX + 4096)
#define TC_IO_TIMEOUT		5.0	/* seconds a read or write may take */
#define TC_YIELD		0.5	/* idle seconds before making way */
#define TC_NONCES_MAX		1024
#define TC_FAILS_MAX		256
#define TC_ENGINES_MAX		1024
#define TC_REQUESTS_MAX		100	/* per connection */
#define TC_HELD_MAX		64
#define TC_STD_MAX		256	/* standard engines (New Engine) */
#define TC_CTL_MAX		16	/* control clients at once */
#define TC_XFER_MAX		512	/* refreshes under way */
#define TC_DETAIL_MAX		320
#define TC_CHECKIN_INTERVAL	30
#define TC_REFRESH_TIMEOUT	5.0

enum tc_step {
	TC_HELLO = 1,
	TC_PAIR = 2,
	TC_CHECKIN = 4		/* engine-protocol.md, never a --fail step */
};

enum tc_fail {
	FAIL_NONE,
	FAIL_BAD_PROOF,
	FAIL_NONCE_INVALID,
	FAIL_UNKNOWN_SECRET,
	FAIL_SECRET_EXPIRED,
	FAIL_INCOMPATIBLE_VERSION,
	FAIL_PROTOCOL_UNSUPPORTED,
	FAIL_RATE_LIMITED,
	FAIL_BAD_REQUEST,
	FAIL_NOT_JSON,
	FAIL_TOO_LARGE,
	FAIL_HTTP_500,
	FAIL_WRONG_CONSOLE_PROOF,
	FAIL_NEVER_ANSWER,
	FAIL_NO_ANSWER_AFTER_HELLO
};


/* The Communication Status a Refresh shows (engine-protocol.md). */
enum tc_state {
	TC_ST_ACTIVE,
	TC_ST_UNKNOWN,
	TC_ST_PENDING,
	TC_ST_INCOMPATIBLE,
	TC_ST_DOWN
};

/* An engine registered by pairing (reverse): its identity and the last
 * check-in that proved it (200 or 409). */
struct tc_engine {
	char id[37];
	char name[260];
	char version[32];
	char spki[65];			/* hex of its engine_cert's SPKI */
	int last_status;		/* 0: never checked in */
	double last_at;			/* monotonic time of the last one */
	char last_version[32];		/* engine_version it sent */
};

/* A standard engine added with add-engine (New Engine). */
struct tc_std {
	char label[300];		/* HOST:PORT as given */
	enum tc_state state;
	char detail[TC_DETAIL_MAX];
	char spki[65];			/* the engine's key, "" unseen */
};

struct tc_ctl;
struct tc_xfer;

/* A console nonce handed out by hello, with what it was given for. */
struct tc_nonce {
	char console_nonce[33];
	char engine_nonce[33];
	char secret_id[17];
	double born;
	bool used;
};

struct tc_failcount {
	char secret_id[17];
	int n;
};

struct console {
	const char *listen_addr;
	unsigned port;
	const char *port_file;
	const char *spki_file;
	const char *registry;
	const char *log_path;
	const char *cert_file;
	const char *key_file;
	const char *console_id;
	const char *console_name;
	const char *version;
	unsigned vmajor;
	unsigned vminor;
	int lifetime;
	int rate_limit;			/* 0: no limit */
	int nonce_ttl;
	enum tc_fail fail;
	int fail_step;			/* TC_HELLO or TC_PAIR */
	bool fail_real_only;		/* --fail-at register: not on dry runs */
	bool cur_dry_run;		/* the pair request being answered */

	char S[33];			/* the normalised secret */
	unsigned char K[32];
	char secret_id[17];
	double secret_born;		/* monotonic time of age 0 */
	char spki[65];			/* own key, hex without "sha256:" */

	SSL_CTX *ctx;
	int lfd;
	FILE *log;
	double end;			/* monotonic time to exit */
	unsigned long nconn;

	struct tc_nonce nonces[TC_NONCES_MAX];
	size_t nnonces;
	struct tc_failcount fails[TC_FAILS_MAX];
	size_t nfails;
	struct tc_engine engines[TC_ENGINES_MAX];
	size_t nengines;
	struct tc_std std[TC_STD_MAX];
	size_t nstd;
	int held[TC_HELD_MAX];
	size_t nheld;

	/* Engine-to-console check-ins and the control socket. */
	char *cert_pem;			/* own certificate, for refreshes */
	char *key_pem;
	const char *control;		/* --control PATH */
	const char *load_registry;	/* --load-registry F */
	int checkin_interval;		/* seconds */
	double refresh_timeout;		/* seconds */
	int cfd;			/* control listener, or -1 */
	struct tc_ctl *ctl[TC_CTL_MAX];
	size_t nctl;
	struct tc_xfer *xfers[TC_XFER_MAX];
	size_t nxfers;
	void *multi;			/* CURLM * */
};

struct tc_conn {
	int fd;
	SSL *ssl;
	char *buf;
	size_t len;
	size_t cap;
	char peer[INET6_ADDRSTRLEN + 8];
	unsigned long id;
	unsigned nreq;
	char peer_spki[65];		/* client certificate's, or "" */
};

struct tc_request {
	char method[16];
	char target[256];
	char ctype[128];
	bool has_ctype;
	bool close;
	bool http10;
	char *body;
	size_t bodylen;
	size_t rawlen;
};

struct tc_response {
	int status;
	const char *ctype;
	char *body;
	size_t bodylen;
	bool close;
	bool keepalive10;	/* say "keep-alive" to an HTTP/1.0 client */
	bool hang;
};

/* One hello or pair request being answered. */
struct tc_exchange {
	enum tc_step step;
	const char *body;
	size_t bodylen;
	cJSON *json;
	char secret_id[17];		/* "" until validated */
	struct tc_response *rs;
	const struct tc_conn *conn;
};

extern volatile sig_atomic_t tc_stop;

/* ---- test_console.c ---- */
/* Monotonic seconds. */
double tc_now(void);
/* Append an event line ("# <UTC> ...") to --log, if any. */
void tc_log(struct console *con, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Make obj (taken) the JSON body of the response with this status. */
void tc_reply(struct tc_response *rs, int status, cJSON *obj);
/* An error body {"error": code, "message": ...}. */
void tc_error(struct tc_response *rs, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Parse x->body as a JSON object with exactly the members `fields`
 * (NULL-terminated) and "protocol": 1; false after a 400 or 426. */
bool tc_begin(struct console *con, struct tc_exchange *x,
    const char *const *fields);
/* A string member of x->json, or NULL after a 400. */
const char *tc_get_string(struct tc_exchange *x, const char *name);
bool tc_is_uuid(const char *s);
/* "major.minor.patch", each 1 to 9 digits. */
bool tc_parse_version(const char *s, unsigned *major, unsigned *minor);
/* Set fd non-blocking and close-on-exec; -1 on failure. */
int tc_set_nonblock(int fd);
/* The whole of a file as a string, or NULL (errno set). */
char *tc_read_file(const char *path);

/* ---- engines.c ---- */
const char *tc_state_name(enum tc_state s);
const char *tc_state_colour(enum tc_state s);
/* Record a registration made by pairing (replacing one with the same
 * engine_id, which forgets its check-ins); with `append`, add its line to
 * --registry. spki is the hex SHA-256 of its engine_cert's SPKI. */
void tc_register(struct console *con, const char *engine_id,
    const char *name, const char *version, const char *status,
    const char *spki, bool append);
/* Read --load-registry (lines of --registry); false after a message on
 * stderr. */
bool tc_load_registry(struct console *con, const char *path);
/* POST /engines/v1/checkin (engine-protocol.md, "Engine-to-Console"). */
void tc_checkin(struct console *con, struct tc_exchange *x);
/* The reverse engine's state now, and a detail line for it. */
enum tc_state tc_engine_state(const struct console *con,
    const struct tc_engine *en, char *detail, size_t detailsz);
/* Parse HOST:PORT (a bracketed IPv6 address, an IPv4 address or a host
 * name; port 1-65535) into host (>= 256 bytes); false when malformed. */
bool tc_parse_hostport(const char *s, char *host, size_t hostsz,
    unsigned *port);
/* Start refreshing the standard engine at index i for ctl (may be NULL);
 * false when no transfer could be started (the engine's state says why). */
bool tc_refresh_start(struct console *con, size_t i, struct tc_ctl *ctl);
/* Finish the transfers that are done; each finished one counts down its
 * control client's pending refreshes. */
void tc_refresh_poll(struct console *con);
/* Set up and drop libcurl's multi handle. */
bool tc_refresh_init(struct console *con);
void tc_refresh_cleanup(struct console *con);

/* ---- control.c ---- */
/* Create the --control socket; false after a message on stderr. */
bool tc_control_listen(struct console *con);
/* The descriptors the main loop waits on (for reading) for the control
 * socket, at most max of them into fds; returns how many. Drops clients
 * that took too long to send their command. */
size_t tc_control_fds(struct console *con, int *fds, size_t max);
/* Serve whatever of the control socket is ready (never blocks long). */
void tc_control_serve(struct console *con, const int *ready, size_t n);
/* A refresh for ctl finished: answer it when none is left. */
void tc_control_refreshed(struct console *con, struct tc_ctl *ctl);
/* Close the control socket and its clients, and remove its file. */
void tc_control_close(struct console *con);
/* The client commands (add-engine, refresh, engines): argv[0] is the
 * command. Exit status 0, 1 or 2 (README.md). */
int tc_client_main(int argc, char **argv);
/* Whether s names a client command. */
bool tc_is_client_command(const char *s);

#endif
