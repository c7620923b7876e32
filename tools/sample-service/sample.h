/* The sample service program's parts (payload/README.md, docs/payload.md,
 * "The sample service program"):
 *   sample_service.c   the program: configuration, log, start and stop,
 *                      the Linux main loop and the Windows service;
 *   engine_consoles.c  nse/conf/consoles.xml: read, find, append;
 *   engine_http.c      Console-to-Engine: the TLS listener's refresh;
 *   engine_checkin.c   Engine-to-Console: the check-ins (libcurl).
 * It is an independent implementation of /work/shared/engine-protocol.md
 * (docs/payload.md): it links none of the installer's code. */
#ifndef SAMPLE_H
#define SAMPLE_H

#ifdef _WIN32
#include <winsock2.h>
typedef SOCKET sample_sock;
#define SAMPLE_NO_SOCK INVALID_SOCKET
#else
typedef int sample_sock;
#define SAMPLE_NO_SOCK (-1)
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SAMPLE_PATH_MAX 4096
/* Values from outside are cut at this many bytes in a log line. */
#define SAMPLE_LOG_FIELD 64

/* One <console> of consoles.xml; absent attributes are "". */
struct engine_console {
	char *id, *name, *last_address, *port, *console_id, *spki;
	bool enabled, connect_to;
};

/* The <console> list of consoles.xml, with where its root ends. */
struct engine_consoles {
	struct engine_console *v;
	size_t n, cap;
	bool root_ok;          /* the root element is <Consoles> */
	long root_start;       /* byte offset of the root's start tag */
	int root_count;        /* its length */
	long root_close;       /* byte offset of </Consoles>, -1: <Consoles/> */
};

/* The engine's side (the console has none of it). */
struct engine {
	char install_dir[SAMPLE_PATH_MAX / 2 + 4]; /* the program folder's parent */
	char id[128], name[256], version[64], communication[64];
	char key_rel[256], cert_rel[256];      /* from <Certificate> */
	char consoles_path[SAMPLE_PATH_MAX];
	char *key_pem, *cert_pem;              /* the engine's own, or NULL */
	struct engine_consoles seed;           /* consoles.xml at start */
	void *tls;                             /* SSL_CTX *, or NULL */
	unsigned interval;                     /* check-in interval, s */
	long long due;                         /* next round, sample_now_ms() */
	size_t next;                           /* next console of the round */
	bool round;                            /* a round is under way */
};

/* What this copy of the program is, from its name and configuration. */
struct sample {
	bool console;            /* nsc: the Security Console */
	const char *what;        /* "Scan Engine", "Security Console" */
	char dir[SAMPLE_PATH_MAX / 2]; /* the program's folder (UTF-8) */
	char conf[SAMPLE_PATH_MAX];    /* its configuration file */
	char log[SAMPLE_PATH_MAX];     /* logs/nse.log or logs/nsc.log */
	unsigned port;           /* the port it listens on, 0: none */
	double delay;            /* start-up delay, seconds */
	struct engine e;         /* the engine's side */
};

/* ---- sample_service.c ---- */

/* Append "<UTC time> [level] <text>" to s->log, one write per line
 * (level: "INFO", "WARN"). */
void sample_logl(const struct sample *s, const char *level, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Copy src (may be NULL) to dst (SAMPLE_LOG_FIELD + 1 bytes) for a log
 * line: each byte outside 0x21..0x7e becomes '?' (a space stays when
 * keep_space), cut at SAMPLE_LOG_FIELD bytes. Returns dst. */
char *sample_clean(char *dst, const char *src, bool keep_space);

/* fopen() with a UTF-8 path on both systems. */
FILE *sample_fopen(const char *path, const char *mode);

/* The whole file at path (UTF-8), NUL-terminated, at most max bytes, in
 * *len; NULL when it cannot be read or is larger. Free it. */
char *sample_read_file(const char *path, size_t max, size_t *len);

/* A setting: the environment variable env when set and not empty, else
 * the first line of the file beside the program (buf, bufsz bytes; "" when
 * there is none). Returns the text. */
const char *sample_setting(const struct sample *s, const char *env,
    const char *file, char *buf, size_t bufsz);

/* True when the program has been told to stop (a signal, the SCM). */
bool sample_stopping(void);

/* Linux: let the stop signals interrupt what follows (a connection, a
 * check-in), until sample_io_end(); Windows: nothing. */
void sample_io_begin(void);
void sample_io_end(void);

/* Close a socket. */
void sample_close(sample_sock fd);

/* A monotonic clock, milliseconds. */
long long sample_now_ms(void);

/* ---- engine_consoles.c ---- */

/* Parse consoles.xml text into c (zeroed first). False when it is not
 * well-formed or its root is not <Consoles>; c is then empty. */
bool engine_consoles_parse(struct engine_consoles *c, const char *text,
    size_t len);
void engine_consoles_free(struct engine_consoles *c);

/* The entry whose spki is "sha256:<hex>" (case-insensitive), or NULL. */
const struct engine_console *engine_consoles_find(
    const struct engine_consoles *c, const char *hex);

/* Append a <console> (enabled="0", connectTo="0") to e->consoles_path:
 * text/len is the file as read (NULL: there is none), c its parse.
 * The new element goes before the root's end tag, everything else stays
 * byte for byte; it is written to a temporary file in the same folder,
 * flushed and renamed over (the file's mode kept); a temporary file a
 * dead engine left under that name is removed first (logged). *id_out:
 * its id (the highest numeric id + 1). False when it cannot be written,
 * with why (whysz bytes): the step, the file and the system's reason. */
bool engine_consoles_append(const struct sample *s, const char *text,
    size_t len, const struct engine_consoles *c, const char *name,
    const char *address, const char *console_id, const char *hex,
    const char *cert_pem, unsigned *id_out, char *why, size_t whysz);

/* The lock both the engine and `engine-setup consoles enable` take around
 * their whole read-modify-rename of consoles.xml: the file
 * "<consoles.xml>.lock" beside it (created if missing, mode 0600, never
 * removed), flock(LOCK_EX) on Linux, LockFileEx() on its first byte on
 * Windows. */
#ifdef _WIN32
typedef void *engine_lock;          /* a HANDLE; NULL: none */
#define ENGINE_NO_LOCK NULL
#else
typedef int engine_lock;            /* a descriptor; -1: none */
#define ENGINE_NO_LOCK (-1)
#endif
#define ENGINE_LOCK_WAIT_MS 10000

/* Take the lock, waiting at most ENGINE_LOCK_WAIT_MS milliseconds: 1 with
 * *lk held; 0 when another process kept it that long; -1 when it cannot
 * be opened or locked at all (a folder or a symbolic link in its place),
 * which no waiting mends. Nothing is held but on 1; the reason is in why
 * (whysz bytes). */
int engine_consoles_lock(const struct sample *s, engine_lock *lk,
    char *why, size_t whysz);
/* Release and close a lock engine_consoles_lock() took. */
void engine_consoles_unlock(engine_lock lk);

/* Read consoles.xml for a change: 1 with *text (free it) and *len, 0 when
 * it does not exist (ENOENT: only then may it be created), -1 when it
 * exists but cannot be read or is larger than max bytes. */
int engine_consoles_load(const struct sample *s, size_t max, char **text,
    size_t *len);

/* Write text with XML's special characters escaped into out (size outsz,
 * cut there): control bytes and bytes that are not UTF-8 become '?';
 * with keep_newlines a '\n' stays. Returns out. */
char *engine_xml_escape(char *out, size_t outsz, const char *text,
    bool keep_newlines);

/* ---- engine_http.c ---- */

/* Make the TLS context from the engine's key and certificate (s->e):
 * false, with a log line, when they cannot be used. */
bool engine_tls_setup(struct sample *s);

/* Serve one accepted connection: TLS, one request, one answer, closed.
 * Each read and write times out after 5 s, and the handshake, head and
 * body must all come within 10 s of the accept. */
void engine_serve(struct sample *s, sample_sock fd);

/* Free what engine_tls_setup() and engine_start() made. */
void engine_free(struct sample *s);

/* ---- engine_checkin.c ---- */

/* Read consoles.xml, the keys and the check-in interval at start. */
void engine_start(struct sample *s);

/* Milliseconds until the engine has check-in work to do (0: now, -1:
 * never). */
long engine_checkin_wait(const struct sample *s);

/* Do the next piece of check-in work: one console's contact (at most
 * about 5 s), or start a new round. */
void engine_checkin_step(struct sample *s);

#endif
