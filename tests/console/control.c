/* The test console's control socket (--control PATH, a Unix-domain
 * socket): the server side, served from the main loop without blocking it,
 * and the client commands add-engine (New Engine), refresh and engines.
 * One request a connection: the client sends one line, "add-engine
 * HOST:PORT", "refresh", "refresh ENGINE" or "engines", and reads "ok"
 * followed by one line per engine, or "usage <message>", then the end. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

#include "console.h"

#define TC_CTL_LINE	512
#define TC_CTL_READ	2.0	/* seconds a client has to send its line */
#define TC_CTL_WRITE	2.0	/* seconds an answer may take to write */
#define TC_CTL_WAIT	900.0	/* seconds a client waits for the answer */

enum tc_cmd {
	TC_CMD_ADD,
	TC_CMD_REFRESH,		/* all, or one */
	TC_CMD_ENGINES
};

/* One control client. */
struct tc_ctl {
	int fd;
	char line[TC_CTL_LINE];
	size_t len;
	double deadline;		/* to send its line */
	bool busy;			/* the line is in; refreshes run */
	size_t pending;			/* refreshes it waits for */
	enum tc_cmd cmd;
	bool all;			/* every engine, or: */
	bool reverse;			/* one registered engine, or */
	size_t idx;			/* one standard engine */
};

static const char *const tc_commands[] = { "add-engine", "refresh",
    "engines" };

bool
tc_is_client_command(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof tc_commands / sizeof tc_commands[0]; i++)
		if (strcmp(s, tc_commands[i]) == 0)
			return true;
	return false;
}

/* Fill a Unix socket address; false when the path is too long. */
static bool
tc_unix_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun->sun_path)
		return false;
	memcpy(sun->sun_path, path, strlen(path));
	return true;
}

/* ---- The server side ---- */

bool
tc_control_listen(struct console *con)
{
	struct sockaddr_un sun;
	struct stat st;

	if (con->control == NULL)
		return true;
	if (!tc_unix_addr(con->control, &sun)) {
		fprintf(stderr, "test-console: the --control path %s is too "
		    "long for a Unix socket (at most %zu bytes)\n",
		    con->control, sizeof sun.sun_path - 1);
		return false;
	}
	if (lstat(con->control, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "test-console: %s exists and is not "
			    "a socket; give --control a new path\n",
			    con->control);
			return false;
		}
		unlink(con->control);	/* left by an earlier run */
	}
	if ((con->cfd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(con->cfd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
	    chmod(con->control, 0600) < 0 || listen(con->cfd, 8) < 0 ||
	    tc_set_nonblock(con->cfd) < 0) {
		fprintf(stderr, "test-console: cannot listen on the control "
		    "socket %s: %s\n", con->control, strerror(errno));
		return false;
	}
	tc_log(con, "control socket %s, check-in interval %d s, refresh "
	    "timeout %g s", con->control, con->checkin_interval,
	    con->refresh_timeout);
	return true;
}

static void
tc_ctl_drop(struct console *con, struct tc_ctl *ctl)
{
	size_t i;

	for (i = 0; i < con->nctl; i++)
		if (con->ctl[i] == ctl) {
			memmove(&con->ctl[i], &con->ctl[i + 1],
			    (con->nctl - i - 1) * sizeof con->ctl[0]);
			con->nctl--;
			break;
		}
	close(ctl->fd);
	free(ctl);
}

size_t
tc_control_fds(struct console *con, int *fds, size_t max)
{
	double now = tc_now();
	size_t n = 0, i;

	for (i = 0; i < con->nctl; ) {
		if (!con->ctl[i]->busy && now > con->ctl[i]->deadline) {
			tc_log(con, "control client: no command within %.0f s",
			    TC_CTL_READ);
			tc_ctl_drop(con, con->ctl[i]);
			continue;
		}
		i++;
	}
	if (con->cfd >= 0 && con->nctl < TC_CTL_MAX && n < max)
		fds[n++] = con->cfd;
	for (i = 0; i < con->nctl && n < max; i++)
		if (!con->ctl[i]->busy)
			fds[n++] = con->ctl[i]->fd;
	return n;
}

/* Write all of s to the client within TC_CTL_WRITE; false if it fails. */
static bool
tc_ctl_write(int fd, const char *s, size_t n)
{
	double deadline = tc_now() + TC_CTL_WRITE, left;
	struct pollfd pfd;
	ssize_t w;

	while (n > 0) {
		w = send(fd, s, n, MSG_NOSIGNAL);
		if (w > 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR)
			return false;
		left = deadline - tc_now();
		if (left <= 0)
			return false;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 &&
		    errno != EINTR)
			return false;
	}
	return true;
}

static void
tc_line_std(const struct tc_std *sd, struct sbuf *b)
{
	sbuf_addf(b, "%s\t%s\t%s\t%s\n", sd->label,
	    tc_state_name(sd->state), tc_state_colour(sd->state), sd->detail);
}

static void
tc_line_engine(const struct console *con, const struct tc_engine *en,
    struct sbuf *b)
{
	char detail[TC_DETAIL_MAX + 200];
	enum tc_state st = tc_engine_state(con, en, detail, sizeof detail);

	sbuf_addf(b, "%s\t%s\t%s\t%s\n", en->id, tc_state_name(st),
	    tc_state_colour(st), detail);
}

/* Send the answer to a command whose refreshes are done, and drop the
 * client. */
static void
tc_ctl_answer(struct console *con, struct tc_ctl *ctl)
{
	struct sbuf b;
	size_t i;

	sbuf_init(&b);
	sbuf_add(&b, "ok\n");
	if (ctl->all) {
		for (i = 0; i < con->nstd; i++)
			tc_line_std(&con->std[i], &b);
		for (i = 0; i < con->nengines; i++)
			tc_line_engine(con, &con->engines[i], &b);
	} else if (ctl->reverse)
		tc_line_engine(con, &con->engines[ctl->idx], &b);
	else
		tc_line_std(&con->std[ctl->idx], &b);
	if (!tc_ctl_write(ctl->fd, b.s, b.len))
		tc_log(con, "control client: cannot send the answer: %s",
		    strerror(errno));
	sbuf_free(&b);
	tc_ctl_drop(con, ctl);
}

static void
tc_ctl_usage(struct console *con, struct tc_ctl *ctl, const char *msg)
{
	char *s = xasprintf("usage %s\n", msg);

	tc_log(con, "control: %s", msg);
	tc_ctl_write(ctl->fd, s, strlen(s));
	free(s);
	tc_ctl_drop(con, ctl);
}

/* Refresh the standard engine i (all of them when i is SIZE_MAX). */
static void
tc_ctl_refresh(struct console *con, struct tc_ctl *ctl, size_t i)
{
	size_t j;

	ctl->busy = true;
	for (j = 0; j < con->nstd; j++)
		if ((i == SIZE_MAX || i == j) && tc_refresh_start(con, j, ctl))
			ctl->pending++;
	if (ctl->pending == 0)
		tc_ctl_answer(con, ctl);
}

/* Carry out a client's command line. */
static void
tc_ctl_run(struct console *con, struct tc_ctl *ctl)
{
	char host[256], *arg, msg[TC_CTL_LINE + 128];
	unsigned port;
	size_t i;

	arg = strchr(ctl->line, ' ');
	if (arg != NULL)
		*arg++ = '\0';
	tc_log(con, "control: %s%s%s", ctl->line, arg != NULL ? " " : "",
	    arg != NULL ? arg : "");
	if (strcmp(ctl->line, "engines") == 0 && arg == NULL) {
		ctl->cmd = TC_CMD_ENGINES;
		ctl->all = true;
		tc_ctl_answer(con, ctl);
	} else if (strcmp(ctl->line, "refresh") == 0 && arg == NULL) {
		ctl->cmd = TC_CMD_REFRESH;
		ctl->all = true;
		tc_ctl_refresh(con, ctl, SIZE_MAX);
	} else if (strcmp(ctl->line, "refresh") == 0) {
		ctl->cmd = TC_CMD_REFRESH;
		for (i = 0; i < con->nstd; i++)
			if (strcmp(con->std[i].label, arg) == 0) {
				ctl->idx = i;
				tc_ctl_refresh(con, ctl, i);
				return;
			}
		for (i = 0; i < con->nengines; i++)
			if (strcmp(con->engines[i].id, arg) == 0) {
				ctl->reverse = true;
				ctl->idx = i;
				tc_ctl_answer(con, ctl);
				return;
			}
		snprintf(msg, sizeof msg, "The console has no engine \"%s\". "
		    "List them with: test-console engines --control PATH.",
		    arg);
		tc_ctl_usage(con, ctl, msg);
	} else if (strcmp(ctl->line, "add-engine") == 0 && arg != NULL) {
		ctl->cmd = TC_CMD_ADD;
		if (!tc_parse_hostport(arg, host, sizeof host, &port)) {
			snprintf(msg, sizeof msg, "\"%s\" is not HOST:PORT "
			    "(a port from 1 to 65535; an IPv6 address in "
			    "brackets).", arg);
			tc_ctl_usage(con, ctl, msg);
			return;
		}
		for (i = 0; i < con->nstd; i++)
			if (strcmp(con->std[i].label, arg) == 0)
				break;
		if (i == con->nstd) {
			if (con->nstd == TC_STD_MAX) {
				snprintf(msg, sizeof msg, "The console has %d "
				    "engines already, as many as it holds.",
				    TC_STD_MAX);
				tc_ctl_usage(con, ctl, msg);
				return;
			}
			memset(&con->std[i], 0, sizeof con->std[i]);
			snprintf(con->std[i].label, sizeof con->std[i].label,
			    "%s", arg);
			con->std[i].state = TC_ST_UNKNOWN;
			snprintf(con->std[i].detail,
			    sizeof con->std[i].detail, "not refreshed yet");
			con->nstd++;
			tc_log(con, "added engine %s", arg);
		}
		ctl->idx = i;
		tc_ctl_refresh(con, ctl, i);
	} else
		tc_ctl_usage(con, ctl, "Unknown command: the commands are "
		    "add-engine HOST:PORT, refresh [ENGINE] and engines.");
}

/* Accept a control client, or read from one. */
void
tc_control_serve(struct console *con, const int *ready, size_t n)
{
	struct tc_ctl *ctl;
	char *nl;
	ssize_t got;
	size_t i, j;
	int fd;

	for (i = 0; i < n; i++) {
		if (ready[i] == con->cfd) {
			fd = accept(con->cfd, NULL, NULL);
			if (fd < 0)
				continue;
			if (tc_set_nonblock(fd) < 0 || con->nctl == TC_CTL_MAX) {
				close(fd);
				continue;
			}
			ctl = xcalloc(1, sizeof *ctl);
			ctl->fd = fd;
			ctl->deadline = tc_now() + TC_CTL_READ;
			con->ctl[con->nctl++] = ctl;
			continue;
		}
		for (j = 0, ctl = NULL; j < con->nctl; j++)
			if (con->ctl[j]->fd == ready[i] && !con->ctl[j]->busy)
				ctl = con->ctl[j];
		if (ctl == NULL)
			continue;
		got = recv(ctl->fd, ctl->line + ctl->len,
		    sizeof ctl->line - 1 - ctl->len, 0);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got <= 0) {
			tc_ctl_drop(con, ctl);	/* gone before its command */
			continue;
		}
		ctl->len += (size_t)got;
		ctl->line[ctl->len] = '\0';
		nl = strchr(ctl->line, '\n');
		if (nl == NULL) {
			if (ctl->len == sizeof ctl->line - 1)
				tc_ctl_usage(con, ctl, "The command line is "
				    "too long.");
			continue;
		}
		*nl = '\0';
		ctl->busy = true;
		tc_ctl_run(con, ctl);
	}
}

void
tc_control_refreshed(struct console *con, struct tc_ctl *ctl)
{
	if (ctl->pending > 0 && --ctl->pending == 0)
		tc_ctl_answer(con, ctl);
}

void
tc_control_close(struct console *con)
{
	while (con->nctl > 0)
		tc_ctl_drop(con, con->ctl[0]);
	if (con->cfd >= 0) {
		close(con->cfd);
		unlink(con->control);
		con->cfd = -1;
	}
}

/* ---- The client commands ---- */

static int
tc_client_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
tc_client_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "test-console: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: test-console add-engine HOST:PORT --control "
	    "PATH\n"
	    "       test-console refresh [ENGINE] --control PATH\n"
	    "       test-console engines --control PATH\n");
	return 2;
}

/* Whether an engine name can go on the control line as one word. */
static bool
tc_is_word(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= 300)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* Read the console's whole answer into b; false on failure or timeout. */
static bool
tc_client_read(int fd, struct sbuf *b)
{
	double deadline = tc_now() + TC_CTL_WAIT, left;
	struct pollfd pfd;
	char chunk[4096];
	ssize_t got;

	for (;;) {
		left = deadline - tc_now();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return false;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		got = recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
		if (got == 0)
			return true;
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return false;
		}
		sbuf_addn(b, chunk, (size_t)got);
	}
}

int
tc_client_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "control", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cmd = argv[0], *path = NULL, *arg = NULL;
	char host[256], *line;
	struct sockaddr_un sun;
	struct sbuf b;
	unsigned port;
	int ch, fd, rc = 1;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			path = optarg;
			break;
		case 'h':
			tc_client_usage("%s: the test console's control "
			    "commands (see tests/console/README.md).", cmd);
			return 0;
		default:
			return tc_client_usage("%s: unknown option.", cmd);
		}
	}
	if (optind < argc)
		arg = argv[optind++];
	if (optind < argc)
		return tc_client_usage("unexpected argument \"%s\".",
		    argv[optind]);
	if (path == NULL)
		return tc_client_usage("%s needs --control PATH, the "
		    "console's control socket.", cmd);
	if (strcmp(cmd, "add-engine") == 0 && (arg == NULL ||
	    !tc_parse_hostport(arg, host, sizeof host, &port)))
		return tc_client_usage("add-engine needs HOST:PORT (a port "
		    "from 1 to 65535; an IPv6 address in brackets), not "
		    "\"%s\".", arg != NULL ? arg : "");
	if (strcmp(cmd, "engines") == 0 && arg != NULL)
		return tc_client_usage("engines takes no argument, not "
		    "\"%s\".", arg);
	if (strcmp(cmd, "refresh") == 0 && arg != NULL && !tc_is_word(arg))
		return tc_client_usage("\"%s\" is not an engine's name.",
		    arg);
	if (!tc_unix_addr(path, &sun))
		return tc_client_usage("the --control path %s is too long "
		    "for a Unix socket.", path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		fprintf(stderr, "test-console: cannot reach the console at "
		    "%s: %s. Start it with --control %s, or check the "
		    "path.\n", path, strerror(errno), path);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	line = xasprintf("%s%s%s\n", cmd, arg != NULL ? " " : "",
	    arg != NULL ? arg : "");
	sbuf_init(&b);
	sbuf_add(&b, "");
	if (!tc_ctl_write(fd, line, strlen(line)) || !tc_client_read(fd,
	    &b)) {
		fprintf(stderr, "test-console: the console at %s did not "
		    "answer: %s. Check that it still runs.\n", path,
		    strerror(errno));
	} else if (strncmp(b.s, "ok\n", 3) == 0) {
		fputs(b.s + 3, stdout);
		rc = fflush(stdout) == 0 ? 0 : 1;
	} else if (strncmp(b.s, "usage ", 6) == 0) {
		fprintf(stderr, "test-console: %s", b.s + 6);
		rc = 2;
	} else
		fprintf(stderr, "test-console: the console at %s gave no "
		    "answer to %s. Check its --log.\n", path, cmd);
	close(fd);
	free(line);
	sbuf_free(&b);
	return rc;
}
