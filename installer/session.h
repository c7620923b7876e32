/* What the interactive front ends (the ncurses wizard, the --text prompts)
 * share: the plan being built, the payload, and the texts every front end
 * shows the same way (requirements, summary, next steps). Front ends ask;
 * install_run() acts (STYLE.md). */
#ifndef ES_SESSION_H
#define ES_SESSION_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "install.h"
#include "manifest.h"
#include "pairing.h"
#include "payload.h"
#include "plan.h"
#include "platform.h"
#include "requirements.h"
#include "util.h"

struct session {
	struct plan *plan;
	const struct manifest *manifest;
	const char *license;          /* licence text from the payload */
	const struct payload *payload;
	const char *root;             /* "/" or --root */
	bool overwrite;
	const char *record;           /* --record FILE, or NULL */
	struct plat_facts facts;
	/* The engine identity, made once for the connection test and the
	 * install (session_free releases it). */
	struct install_identity ident;
	bool have_ident;
	bool pin_from_test;   /* console_fingerprint came from a test */
	FILE *warn;           /* warnings about where the secret is; or NULL */
	bool upgrade;         /* install_opts.upgrade */
	bool upgrade_older;   /* install_opts.upgrade_older */
};

/* Milliseconds from an environment variable holding seconds
 * (ENGINE_SETUP_CONNECT_TIMEOUT, ENGINE_SETUP_TIMEOUT), or 0 for the
 * protocol's defaults. */
long session_timeout_ms(const char *name);
/* The width the silent run's output wraps at (wrap.h): the terminal's
 * (plat_terminal_columns), or $COLUMNS when set; 0, not wrapped, when it
 * goes to a file or a program, which has no line to overflow and may
 * search it for a phrase. Line mode always wraps. */
size_t session_output_width(void);
/* One pairing step as "  [ OK ] Resolve  detail", unwrapped. */
void session_pair_step_text(enum pairing_stage st, enum pairing_outcome out,
    const char *detail, struct sbuf *line);
/* A pairing_step_fn that prints session_pair_step_text() to the FILE *
 * given as its argument, wrapped at session_output_width(). */
void session_print_pair_step(enum pairing_stage st, enum pairing_outcome out,
    const char *detail, void *arg);

/* Release what the session made. */
void session_free(struct session *s);
/* The connection test of the pairing page and of every install that
 * pairs: a dry run with the plan's console, port, secret and pin. step
 * hears each stage as it ends; stop (or NULL) is asked while the test
 * waits, and true stops it (pairing_opts.stop); both get arg. On success
 * without a pin, the console's key becomes the plan's console_fingerprint,
 * so that the pairing itself (and --record) is pinned to the key that was
 * tested. */
bool session_pairing_test(struct session *s, pairing_step_fn step,
    bool (*stop)(void *arg), void *arg, struct pairing_result *r,
    struct es_err *e);

/* True when the plan's component is the engine only. */
bool session_engine_only(const struct session *s);
/* True for an engine-only install with engine-to-console communication. */
bool session_engine_to_console(const struct session *s);

/* Run the requirements check for the plan as it stands. */
bool session_requirements(const struct session *s, struct req_report *r,
    struct es_err *e);
/* The report as lines "[Pass] Memory  3.8 GiB (at least ...)" with advice
 * lines under Warn and Fail, wrapped at width (wrap_line; 0: not
 * wrapped), continuation lines under the value or the advice. */
void session_requirements_text(const struct req_report *r, size_t width,
    struct sbuf *out);
/* Check an install_dir typed by the user, where it is typed: absolute and
 * in its limits (plan_check_install_dir), then the requirements about the
 * folder (req_check_location: it can be made and written, new or empty,
 * enough free space for the payload). False with the first reason, a
 * sentence, in why. Makes nothing. */
bool session_check_install_dir(const struct session *s, const char *dir,
    char *why, size_t whysz);
/* Check the TCP ports the plan as it stands listens on (req_check_ports),
 * where the port is chosen. False with the reason in why when another
 * program holds one on this host. */
bool session_check_ports(const struct session *s, char *why, size_t whysz);
/* Set install_dir to a folder the user typed, in its normal form (/opt/x/
 * becomes /opt/x), so that the summary shows what will be installed. */
void session_set_install_dir(struct session *s, const char *dir);
/* Every choice of the plan, one "Label: value" line each (no secrets). */
void session_summary(const struct session *s, struct sbuf *out);
/* What to do after the install: the console steps for Console-to-Engine,
 * the pairing command for "pair later". */
void session_next_steps(const struct session *s,
    const struct install_result *res, struct sbuf *out);
/* Carry the plan out (install_run with the session's payload and root). */
bool session_install(struct session *s, payload_progress_fn progress,
    void *progress_arg, exec_report_fn report, void *report_arg,
    struct install_result *res, struct es_err *e);
/* --record: write the answers given (never a secret) to s->record. */
bool session_record(const struct session *s, struct es_err *e);

#endif
