/* The sample payload's service program: it stands in for the real Scan
 * Engine (nse/nseserv) and Security Console (nsc/nscsvc) so that the
 * installer's service and readiness steps can be tried end to end
 * (payload/README.md). One source builds the Linux program and the Windows
 * service (nse/nseserv.exe, nsc/nscsvc.exe); the build puts it at each
 * component's `exec` path (cmake/payload-sample.cmake).
 *
 * What it does, as the product does:
 *   1. Which one it is comes from its own name: "nsc..." is the console,
 *      anything else the engine.
 *   2. It reads its configuration, argv[1] or, by default, conf/nse.xml
 *      (console: conf/nsc.xml) beside the program, with expat: the engine
 *      listens when <Engine communication="console-to-engine"> and then on
 *      <Listener port>; the console listens on <WebServer port>. Without
 *      a readable configuration it says so and listens on no port.
 *   3. It appends "<time> [INFO] Scan Engine starting (process N)" to
 *      logs/nse.log beside it (console: "Security Console starting" to
 *      logs/nsc.log), waits a start-up delay (ENGINE_SETUP_SAMPLE_START_DELAY
 *      seconds, else the number in the file sample-start-delay beside the
 *      program, else 2), listens on its port if it has one, then appends
 *      "<time> [INFO] Scan Engine initialization completed" ("Security
 *      Console initialization completed"). Times are UTC,
 *      2026-11-30T14:20:00Z.
 *   4. The console accepts connections and closes them at once. The
 *      engine speaks engine-protocol.md (docs/payload.md): it reads
 *      nse/conf/consoles.xml at start, answers POST /engine/v1/refresh
 *      over TLS on its port (engine_http.c) and checks in with its
 *      Engine-to-Console consoles every interval (engine_checkin.c).
 *      Both run until it is told to stop: SIGTERM, SIGINT or SIGHUP on
 *      Linux, SERVICE_CONTROL_STOP or SHUTDOWN on Windows. It is one
 *      process with no child, so a stop leaves nothing running; it
 *      appends "... stopped" and exits 0.
 *
 * On Windows, run from a console rather than by the SCM, it says what it
 * is and exits 0. */
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <wchar.h>
#else
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "sample.h"

#include <expat.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SAMPLE_DELAY_ENV "ENGINE_SETUP_SAMPLE_START_DELAY"
#define SAMPLE_DELAY_FILE "sample-start-delay"
#define SAMPLE_DELAY_DEFAULT 2.0

/* ---- Files, with UTF-8 paths on both systems ---- */

FILE *
sample_fopen(const char *path, const char *mode)
{
#ifdef _WIN32
	wchar_t wpath[SAMPLE_PATH_MAX], wmode[8];

	if (MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath,
	    SAMPLE_PATH_MAX) == 0 ||
	    MultiByteToWideChar(CP_UTF8, 0, mode, -1, wmode, 8) == 0)
		return NULL;
	return _wfopen(wpath, wmode);
#else
	return fopen(path, mode);
#endif
}

static void
sample_mkdir(const char *path)
{
#ifdef _WIN32
	wchar_t wpath[SAMPLE_PATH_MAX];

	if (MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath,
	    SAMPLE_PATH_MAX) != 0)
		(void)CreateDirectoryW(wpath, NULL);
#else
	(void)mkdir(path, 0755);
#endif
}

char *
sample_read_file(const char *path, size_t max, size_t *len)
{
	FILE *fp = sample_fopen(path, "rb");
	char *buf;
	size_t n;

	if (fp == NULL)
		return NULL;
	if ((buf = malloc(max + 1)) == NULL)
		abort();
	n = fread(buf, 1, max + 1, fp);
	if (ferror(fp) || n > max) {
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

char *
sample_clean(char *dst, const char *src, bool keep_space)
{
	size_t i;

	if (src == NULL)
		src = "";
	for (i = 0; i < SAMPLE_LOG_FIELD && src[i] != '\0'; i++)
		dst[i] = (src[i] > 0x20 && src[i] < 0x7f) ||
		    (keep_space && src[i] == ' ') ? src[i] : '?';
	dst[i] = '\0';
	return dst;
}

/* Append "<UTC time> [INFO] <text>" to the log. */
#define sample_log(s, ...) sample_logl((s), "INFO", __VA_ARGS__)

/* The log line is made with the log's folder when missing; one write,
 * flushed, so that a reader sees whole lines. */
void
sample_logl(const struct sample *s, const char *level, const char *fmt, ...)
{
	char line[512], stamp[32], folder[SAMPLE_PATH_MAX];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;
	FILE *fp;
	int n;

#ifdef _WIN32
	gmtime_s(&tm, &now);
#else
	gmtime_r(&now, &tm);
#endif
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof line, "%s [%s] ", stamp, level);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	snprintf(folder, sizeof folder, "%s/logs", s->dir);
	sample_mkdir(folder);
	fp = sample_fopen(s->log, "ab");
	if (fp == NULL)
		return;
	fputs(line, fp);
	fclose(fp);
}

/* ---- Configuration ---- */

struct sample_xml {
	struct sample *s;
	bool listens;            /* engine: communication console-to-engine */
	unsigned port;
};

/* Copy an attribute's value to the engine's field out[outsz]. */
static void
sample_xml_copy(char *out, size_t outsz, const char *v)
{
	snprintf(out, outsz, "%s", v);
}

static void
sample_xml_start(void *arg, const XML_Char *name, const XML_Char **attr)
{
	struct sample_xml *x = arg;
	size_t i;

	for (i = 0; attr[i] != NULL && attr[i + 1] != NULL; i += 2) {
		struct engine *e = &x->s->e;
		const char *k = attr[i], *v = attr[i + 1];

		if (strcmp(name, "NSEConfig") == 0 &&
		    strcmp(k, "version") == 0)
			sample_xml_copy(e->version, sizeof e->version, v);
		else if (strcmp(name, "Engine") == 0 && strcmp(k, "id") == 0)
			sample_xml_copy(e->id, sizeof e->id, v);
		else if (strcmp(name, "Engine") == 0 && strcmp(k, "name") == 0)
			sample_xml_copy(e->name, sizeof e->name, v);
		else if (strcmp(name, "Certificate") == 0 &&
		    strcmp(k, "key") == 0)
			sample_xml_copy(e->key_rel, sizeof e->key_rel, v);
		else if (strcmp(name, "Certificate") == 0 &&
		    strcmp(k, "cert") == 0)
			sample_xml_copy(e->cert_rel, sizeof e->cert_rel, v);
		else if (strcmp(name, "Engine") == 0 &&
		    strcmp(k, "communication") == 0) {
			x->listens = strcmp(v, "console-to-engine") == 0;
			sample_xml_copy(e->communication,
			    sizeof e->communication, v);
		} else if (((!x->s->console && strcmp(name, "Listener") == 0) ||
		    (x->s->console && strcmp(name, "WebServer") == 0)) &&
		    strcmp(attr[i], "port") == 0)
			x->port = (unsigned)strtoul(attr[i + 1], NULL, 10);
	}
}

/* Read s->conf: s->port and, for the engine, s->e's id, name, version,
 * communication and key and certificate paths. A configuration that cannot be read or parsed
 * leaves the port 0 (it then listens on none), with a message on standard
 * error and in the log: the stand-in still runs as a service, so that a
 * bare copy of it (the Windows service tests) can be started and
 * stopped. False never happens; the type is for the callers' flow. */
static bool
sample_read_config(struct sample *s)
{
	struct sample_xml x = { s, false, 0 };
	char buf[65536];
	XML_Parser xp;
	size_t len;
	FILE *fp;
	bool ok;

	fp = sample_fopen(s->conf, "rb");
	if (fp == NULL) {
		fprintf(stderr, "sample %s: cannot read its configuration "
		    "%s: it listens on no port.\n", s->what, s->conf);
		sample_log(s, "%s cannot read its configuration %s: no port",
		    s->what, s->conf);
		return true;
	}
	len = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	if ((xp = XML_ParserCreate("UTF-8")) == NULL)
		return true;
	XML_SetUserData(xp, &x);
	XML_SetStartElementHandler(xp, sample_xml_start);
	ok = XML_Parse(xp, buf, (int)len, 1) == XML_STATUS_OK;
	XML_ParserFree(xp);
	if (!ok) {
		fprintf(stderr, "sample %s: %s is not well-formed XML: it "
		    "listens on no port.\n", s->what, s->conf);
		sample_log(s, "%s: %s is not well-formed XML: no port",
		    s->what, s->conf);
		return true;
	}
	s->port = (s->console || x.listens) && x.port <= 65535 ? x.port : 0;
	return true;
}

const char *
sample_setting(const struct sample *s, const char *env, const char *file,
    char *buf, size_t bufsz)
{
	char path[SAMPLE_PATH_MAX];
	const char *v = getenv(env);
	FILE *fp;

	if (v != NULL && *v != '\0')
		return v;
	buf[0] = '\0';
	snprintf(path, sizeof path, "%s/%s", s->dir, file);
	if ((fp = sample_fopen(path, "rb")) != NULL) {
		if (fgets(buf, (int)bufsz, fp) == NULL)
			buf[0] = '\0';
		fclose(fp);
	}
	return buf;
}

/* The start-up delay: the environment, else the file beside the program,
 * else the default. */
static double
sample_delay(const struct sample *s)
{
	char text[32];
	const char *v = sample_setting(s, SAMPLE_DELAY_ENV, SAMPLE_DELAY_FILE,
	    text, sizeof text);
	double d;
	char *end;

	d = strtod(v, &end);
	if (end == v || d < 0 || d > 86400)
		return SAMPLE_DELAY_DEFAULT;
	return d;
}

/* Fill s from the program's path (UTF-8) and its optional argument. */
static bool
sample_setup(struct sample *s, const char *self, const char *conf_arg)
{
	const char *base, *slash = strrchr(self, '/');

#ifdef _WIN32
	if (strrchr(self, '\\') > slash)
		slash = strrchr(self, '\\');
#endif
	base = slash != NULL ? slash + 1 : self;
	s->console = strncmp(base, "nsc", 3) == 0;
	s->what = s->console ? "Security Console" : "Scan Engine";
	if (slash != NULL && (size_t)(slash - self) >= sizeof s->dir) {
		fprintf(stderr, "sample %s: the path of its folder is too "
		    "long.\n", s->what);
		return false;
	}
	if (slash != NULL)
		snprintf(s->dir, sizeof s->dir, "%.*s", (int)(slash - self),
		    self);
	else
		snprintf(s->dir, sizeof s->dir, ".");
	if (conf_arg != NULL)
		snprintf(s->conf, sizeof s->conf, "%s", conf_arg);
	else
		snprintf(s->conf, sizeof s->conf, "%s/conf/%s", s->dir,
		    s->console ? "nsc.xml" : "nse.xml");
	snprintf(s->log, sizeof s->log, "%s/logs/%s", s->dir,
	    s->console ? "nsc.log" : "nse.log");
	s->delay = sample_delay(s);
	return sample_read_config(s);
}

#ifndef _WIN32
/* ---- Linux ---- */

static volatile sig_atomic_t sample_stop;
/* The stop signals, blocked but in ppoll() and between sample_io_begin()
 * and sample_io_end(); the mask with them open. */
static sigset_t sample_block, sample_open;

bool
sample_stopping(void)
{
	return sample_stop != 0;
}

void
sample_io_begin(void)
{
	sigprocmask(SIG_SETMASK, &sample_open, NULL);
}

void
sample_io_end(void)
{
	sigprocmask(SIG_BLOCK, &sample_block, NULL);
}

void
sample_close(sample_sock fd)
{
	close(fd);
}

long long
sample_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sample_on_signal(int sig)
{
	(void)sig;
	sample_stop = 1;
}

/* A socket listening on port on every address (IPv6 with IPv4 mapped,
 * else IPv4 only), or -1. */
static int
sample_listen(unsigned port)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	int fd, on = 1, off = 0;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		memset(&a6, 0, sizeof a6);
		a6.sin6_family = AF_INET6;
		a6.sin6_addr = in6addr_any;
		a6.sin6_port = htons((unsigned short)port);
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
		    sizeof off);
		if (bind(fd, (struct sockaddr *)&a6, sizeof a6) == 0 &&
		    listen(fd, 16) == 0)
			return fd;
		close(fd);
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&a4, 0, sizeof a4);
	a4.sin_family = AF_INET;
	a4.sin_addr.s_addr = htonl(INADDR_ANY);
	a4.sin_port = htons((unsigned short)port);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&a4, sizeof a4) == 0 &&
	    listen(fd, 16) == 0)
		return fd;
	close(fd);
	return -1;
}

int
main(int argc, char **argv)
{
	static struct sample s;
	struct sigaction sa;
	sigset_t *open_mask = &sample_open;
	struct timespec ts, wait, *tp;
	struct pollfd pfd;
	char self[SAMPLE_PATH_MAX];
	ssize_t n;
	int fd = -1, c, r;
	long ms;

	/* The signals that stop it are blocked but between ppoll()'s
	 * start and end (and during a connection or a check-in, which they
	 * cut short: no SA_RESTART): a stop that comes at any moment is
	 * seen. */
	sigemptyset(&sample_block);
	sigaddset(&sample_block, SIGTERM);
	sigaddset(&sample_block, SIGINT);
	sigaddset(&sample_block, SIGHUP);
	sigprocmask(SIG_BLOCK, &sample_block, &sample_open);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sample_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigdelset(&sample_open, SIGTERM);
	sigdelset(&sample_open, SIGINT);
	sigdelset(&sample_open, SIGHUP);
	/* A peer that goes away while it is written to is an error, not
	 * the end of the program. */
	signal(SIGPIPE, SIG_IGN);

	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0)
		self[n] = '\0';
	else
		snprintf(self, sizeof self, "%s", argv[0]);
	memset(&s, 0, sizeof s);
	if (!sample_setup(&s, self, argc > 1 ? argv[1] : NULL))
		return 1;
	printf("sample %s: configuration %s, log %s\n", s.what, s.conf, s.log);
	fflush(stdout);
	sample_log(&s, "%s starting (process %ld)", s.what, (long)getpid());
	if (!s.console)
		engine_start(&s);

	ts.tv_sec = (time_t)s.delay;
	ts.tv_nsec = (long)((s.delay - (double)ts.tv_sec) * 1e9);
	while (!sample_stop && (ts.tv_sec > 0 || ts.tv_nsec > 0))
		if (ppoll(NULL, 0, &ts, open_mask) == 0)
			break;
	if (!sample_stop && s.port != 0 && (fd = sample_listen(s.port)) < 0) {
		sample_log(&s, "%s cannot listen on port %u: %s", s.what,
		    s.port, strerror(errno));
		return 1;
	}
	if (!sample_stop)
		sample_log(&s, "%s initialization completed", s.what);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (!sample_stop) {
		/* Wait for a connection, a stop or the next check-in. */
		ms = s.console ? -1 : engine_checkin_wait(&s);
		tp = NULL;
		if (ms >= 0) {
			wait.tv_sec = ms / 1000;
			wait.tv_nsec = (ms % 1000) * 1000000L;
			tp = &wait;
		}
		pfd.revents = 0;
		r = ppoll(fd >= 0 ? &pfd : NULL, fd >= 0 ? 1 : 0, tp,
		    open_mask);
		if (sample_stop)
			break;
		if (r > 0 && (pfd.revents & POLLIN) &&
		    (c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			if (s.console)
				close(c);
			else
				engine_serve(&s, c);
		}
		if (!sample_stop && !s.console && engine_checkin_wait(&s) == 0)
			engine_checkin_step(&s);
	}
	if (fd >= 0)
		close(fd);
	sample_log(&s, "%s stopped", s.what);
	if (!s.console)
		engine_free(&s);
	return 0;
}

#else
/* ---- Windows: a service of its own process ---- */

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;

bool
sample_stopping(void)
{
	return stop_event != NULL &&
	    WaitForSingleObject(stop_event, 0) == WAIT_OBJECT_0;
}

void
sample_io_begin(void)
{
}

void
sample_io_end(void)
{
}

void
sample_close(sample_sock fd)
{
	closesocket(fd);
}

long long
sample_now_ms(void)
{
	return (long long)GetTickCount64();
}

/* Tell the SCM where the service is (SetServiceStatus). */
static void
report(DWORD state, DWORD exit_code, DWORD wait_hint)
{
	static DWORD checkpoint = 1;

	status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	status.dwCurrentState = state;
	status.dwWin32ExitCode = exit_code;
	status.dwWaitHint = wait_hint;
	status.dwControlsAccepted = state == SERVICE_START_PENDING ? 0 :
	    SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN;
	status.dwCheckPoint = state == SERVICE_RUNNING ||
	    state == SERVICE_STOPPED ? 0 : checkpoint++;
	SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI
control(DWORD code, DWORD type, void *data, void *ctx)
{
	(void)type;
	(void)data;
	(void)ctx;
	switch (code) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_SHUTDOWN:
		report(SERVICE_STOP_PENDING, NO_ERROR, 3000);
		SetEvent(stop_event);
		return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		return NO_ERROR;
	default:
		return ERROR_CALL_NOT_IMPLEMENTED;
	}
}

/* A socket listening on port on every address (IPv6 with IPv4 mapped,
 * else IPv4 only), or INVALID_SOCKET. */
static SOCKET
sample_listen(unsigned port)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	SOCKET fd;
	DWORD off = 0;

	fd = socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP);
	if (fd != INVALID_SOCKET) {
		memset(&a6, 0, sizeof a6);
		a6.sin6_family = AF_INET6;
		a6.sin6_addr = in6addr_any;
		a6.sin6_port = htons((unsigned short)port);
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    (const char *)&off, sizeof off);
		if (bind(fd, (struct sockaddr *)&a6, sizeof a6) == 0 &&
		    listen(fd, 16) == 0)
			return fd;
		closesocket(fd);
	}
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	if (fd == INVALID_SOCKET)
		return fd;
	memset(&a4, 0, sizeof a4);
	a4.sin_family = AF_INET;
	a4.sin_addr.s_addr = htonl(INADDR_ANY);
	a4.sin_port = htons((unsigned short)port);
	if (bind(fd, (struct sockaddr *)&a4, sizeof a4) == 0 &&
	    listen(fd, 16) == 0)
		return fd;
	closesocket(fd);
	return INVALID_SOCKET;
}

/* The program's own path in UTF-8, or "" */
static void
sample_self(char *out, size_t outsz)
{
	wchar_t w[SAMPLE_PATH_MAX];
	DWORD n = GetModuleFileNameW(NULL, w, SAMPLE_PATH_MAX);

	out[0] = '\0';
	if (n == 0 || n >= SAMPLE_PATH_MAX)
		return;
	if (WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)outsz, NULL,
	    NULL) == 0)
		out[0] = '\0';
}

/* Write the start marker, wait the delay (or a stop), listen, write the
 * ready line, accept until stopped. The SCM has been told RUNNING. */
static DWORD
sample_run(struct sample *s)
{
	WSADATA wsa;
	SOCKET fd = INVALID_SOCKET, c;
	HANDLE ev = NULL, both[2];
	DWORD w;
	long ms;

	sample_log(s, "%s starting (process %lu)", s->what,
	    (unsigned long)GetCurrentProcessId());
	if (!s->console)
		engine_start(s);
	if (WaitForSingleObject(stop_event, (DWORD)(s->delay * 1000)) ==
	    WAIT_OBJECT_0)
		goto stopped;
	if (s->port != 0) {
		if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0 ||
		    (fd = sample_listen(s->port)) == INVALID_SOCKET ||
		    (ev = WSACreateEvent()) == WSA_INVALID_EVENT ||
		    WSAEventSelect(fd, ev, FD_ACCEPT) != 0) {
			sample_log(s, "%s cannot listen on port %u: error %d",
			    s->what, s->port, WSAGetLastError());
			return ERROR_SERVICE_SPECIFIC_ERROR;
		}
	}
	sample_log(s, "%s initialization completed", s->what);
	both[0] = stop_event;
	both[1] = ev;
	for (;;) {
		/* A connection, a stop or the next check-in. */
		ms = s->console ? -1 : engine_checkin_wait(s);
		w = WaitForMultipleObjects(ev != NULL ? 2 : 1, both, FALSE,
		    ms < 0 ? INFINITE : (DWORD)ms);
		if (w != WAIT_OBJECT_0 + 1 && w != WAIT_TIMEOUT)
			break;
		if (w == WAIT_OBJECT_0 + 1) {
			WSAResetEvent(ev);
			while (!sample_stopping() &&
			    (c = accept(fd, NULL, NULL)) != INVALID_SOCKET) {
				if (s->console)
					closesocket(c);
				else
					engine_serve(s, c);
			}
		}
		if (!sample_stopping() && !s->console &&
		    engine_checkin_wait(s) == 0)
			engine_checkin_step(s);
		if (sample_stopping())
			break;
	}
	if (fd != INVALID_SOCKET)
		closesocket(fd);
	if (ev != NULL)
		WSACloseEvent(ev);
stopped:
	sample_log(s, "%s stopped", s->what);
	if (!s->console)
		engine_free(s);
	return NO_ERROR;
}

static void WINAPI
service_main(DWORD argc, wchar_t **argv)
{
	static struct sample s;
	char self[SAMPLE_PATH_MAX], conf[SAMPLE_PATH_MAX];
	const char *conf_arg = NULL;
	DWORD rc;

	status_handle = RegisterServiceCtrlHandlerExW(argv[0], control, NULL);
	if (status_handle == NULL)
		return;
	report(SERVICE_START_PENDING, NO_ERROR, 3000);
	stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (stop_event == NULL) {
		report(SERVICE_STOPPED, GetLastError(), 0);
		return;
	}
	if (argc > 1 && WideCharToMultiByte(CP_UTF8, 0, argv[1], -1, conf,
	    (int)sizeof conf, NULL, NULL) != 0)
		conf_arg = conf;
	sample_self(self, sizeof self);
	if (!sample_setup(&s, self, conf_arg)) {
		report(SERVICE_STOPPED, ERROR_SERVICE_SPECIFIC_ERROR, 0);
		return;
	}
	report(SERVICE_RUNNING, NO_ERROR, 0);
	rc = sample_run(&s);
	CloseHandle(stop_event);
	report(SERVICE_STOPPED, rc, 0);
}

int
wmain(int argc, wchar_t **argv)
{
	/* SERVICE_WIN32_OWN_PROCESS: the name in the table is not used. */
	SERVICE_TABLE_ENTRYW table[] = {
		{ (wchar_t *)L"", service_main },
		{ NULL, NULL }
	};

	(void)argc;
	if (StartServiceCtrlDispatcherW(table))
		return 0;
	if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
		wprintf(L"%ls: the sample service of engine-setup's test "
		    L"payload. It runs only when the Service Control Manager "
		    L"starts it (sc start NAME): it writes its log's "
		    L"\"initialization completed\" line, listens on its "
		    L"port and waits to be stopped.\n", argv[0]);
		return 0;
	}
	fwprintf(stderr, L"%ls: cannot connect to the Service Control "
	    L"Manager: error %lu.\n", argv[0], (unsigned long)GetLastError());
	return 1;
}
#endif
