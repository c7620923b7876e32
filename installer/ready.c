#include "ready.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "util.h"

/* Longest log line looked at whole; a longer one is read in parts. */
#define READY_LINE_MAX 4096

const char *
ready_what(const struct record *r)
{
	return r->component != NULL && strcmp(r->component, "console") == 0 ?
	    "Security Console" : "Scan Engine";
}

void
ready_explain(const struct record *r, enum ready_state rs, unsigned seconds,
    bool interrupted, const char *why, bool capital, char *out, size_t outsz)
{
	const char *what = ready_what(r), *the = capital ? "The" : "the";

	switch (rs) {
	case READY_CANNOT:
		snprintf(out, outsz, "%s %s cannot become ready: %s", the,
		    what, why);
		break;
	case READY_UNKNOWN:
		snprintf(out, outsz, "%s the %s is ready cannot be told: %s",
		    capital ? "Whether" : "whether", what, why);
		break;
	case READY_NOT_YET:
		snprintf(out, outsz, "%s %s is not ready %s %u s: %s", the, what,
		    interrupted ? "(the wait was interrupted) within" : "after",
		    seconds, why);
		break;
	case READY_YES:
		snprintf(out, outsz, "%s %s is ready", the, what);
		break;
	}
}

static void ready_why(char *why, size_t whysz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A sentence into why (NULL: none). */
static void
ready_why(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || whysz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

/* install_dir under root: caller frees. */
static char *
ready_idir(const char *root, const struct record *r)
{
	return plat_join_root(root, r->install_dir);
}

long long
ready_log_size(const char *root, const struct record *r)
{
	char *idir;
	FILE *fp;
	long size = -1;

	if (r->ready_log == NULL || r->install_dir == NULL)
		return -1;
	idir = ready_idir(root, r);
	fp = plat_fopen_beneath(idir, r->ready_log, NULL);
	if (fp != NULL) {
		if (fseek(fp, 0, SEEK_END) == 0)
			size = ftell(fp);
		fclose(fp);
	}
	free(idir);
	return size;
}

/* Does the log hold r->ready_line after its last r->ready_start (and
 * after byte since when since >= 0)? */
static bool
ready_log_says(const char *root, const struct record *r, long long since)
{
	char line[READY_LINE_MAX], *idir = ready_idir(root, r);
	bool found = false;
	FILE *fp;

	fp = plat_fopen_beneath(idir, r->ready_log, NULL);
	free(idir);
	if (fp == NULL)
		return false;
	if (since > 0 && (since > LONG_MAX || fseek(fp, (long)since,
	    SEEK_SET) != 0)) {
		fclose(fp);
		return false;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		if (r->ready_start != NULL && strstr(line, r->ready_start))
			found = false;
		else if (strstr(line, r->ready_line) != NULL)
			found = true;
	}
	fclose(fp);
	return found;
}

enum ready_state
ready_check(const char *root, const struct record *r, long long since,
    char *why, size_t whysz)
{
	unsigned port = 0;

	if (r->ready_port != NULL)
		port = (unsigned)strtoul(r->ready_port, NULL, 10);
	if ((r->ready_log == NULL || r->ready_line == NULL) && port == 0) {
		ready_why(why, whysz, "the installation's record does not say "
		    "how the %s shows it is ready (a payload without "
		    "component.*.ready keys, or installed by an older "
		    "engine-setup)", ready_what(r));
		return READY_UNKNOWN;
	}
	if (r->ready_log != NULL && r->ready_line != NULL &&
	    !ready_log_says(root, r, since)) {
		ready_why(why, whysz, "the line \"%s\" is not yet in %s since "
		    "the service's last start", r->ready_line, r->ready_log);
		return READY_NOT_YET;
	}
	if (port != 0 && !plat_local_port_accepts(port, READY_CONNECT_MS)) {
		ready_why(why, whysz, "port %s does not accept connections "
		    "yet", r->ready_port);
		return READY_NOT_YET;
	}
	ready_why(why, whysz, "the %s is ready", ready_what(r));
	return READY_YES;
}

/* READY_CANNOT, with why, when r's service is known not to run. */
static bool
ready_service_down(const char *root, const struct record *r, char *why,
    size_t whysz)
{
	char state[128], cmd[512], text[768];
	const char *name;

	if (r->services.n == 0)
		return false;
	name = r->services.v[0];
	plat_service_state(root, name, state, sizeof state);
	if (strcmp(state, "active") == 0 ||
	    strcmp(state, "activating") == 0 ||
	    strcmp(state, "reloading") == 0 ||
	    strcmp(state, "unknown") == 0)
		return false;
	plat_service_start_command(root, name, cmd, sizeof cmd);
	snprintf(text, sizeof text, "%s (%s)", name, state);
	if (!plat_service_manager_running(root))
		ready_why(why, whysz, "service %s is not running and no "
		    "service manager runs for this root, so the %s cannot "
		    "become ready here; on the target, start it with `%s` "
		    "and wait there", text, ready_what(r), cmd);
	else
		ready_why(why, whysz, "service %s is not running, so it "
		    "cannot become ready; start it with `%s`", text, cmd);
	return true;
}

enum ready_state
ready_now(const char *root, const struct record *r, long long since,
    char *why, size_t whysz)
{
	enum ready_state st = ready_check(root, r, since, why, whysz);

	if (st != READY_UNKNOWN && ready_service_down(root, r, why, whysz))
		return READY_CANNOT;
	return st;
}

enum ready_state
ready_wait(const char *root, const struct record *r, long long since,
    unsigned seconds, ready_progress_fn progress, void *arg,
    bool *interrupted, char *why, size_t whysz)
{
	double start = plat_monotonic(), elapsed;
	enum ready_state st;

	if (interrupted != NULL)
		*interrupted = false;
	for (;;) {
		st = ready_now(root, r, since, why, whysz);
		if (st != READY_NOT_YET)
			return st;
		elapsed = plat_monotonic() - start;
		if (progress != NULL)
			progress(elapsed < seconds ? elapsed : seconds,
			    seconds, arg);
		if (elapsed >= seconds)
			return READY_NOT_YET;
		if (plat_signals_pending() > 0) {
			if (interrupted != NULL)
				*interrupted = true;
			return READY_NOT_YET;
		}
		plat_wait_ms(500);
	}
}

void
ready_progress_print(double elapsed, unsigned total, void *arg)
{
	struct ready_progress *p = arg;
	long now = (long)elapsed;

	if (now == p->last || (!p->tty && p->last >= 0 && now - p->last < 10))
		return;
	p->last = now;
	fprintf(p->out, "%sWaiting for the %s to be ready: %ld s of %u s ...%s",
	    p->tty ? "\r" : "", p->what, now, total, p->tty ? "" : "\n");
	fflush(p->out);
}

void
ready_progress_end(struct ready_progress *p)
{
	if (p->tty && p->last >= 0)
		fputc('\n', p->out);
	p->last = -1;
}
