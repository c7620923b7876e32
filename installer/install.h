/* The installation: preflight checks and the ordered steps that carry out
 * a validated plan (STYLE.md: one executor, never asks a question). */
#ifndef ES_INSTALL_H
#define ES_INSTALL_H

#include <stdbool.h>

#include "error.h"
#include "util.h"
#include "executor.h"
#include "manifest.h"
#include "pairing.h"
#include "payload.h"
#include "plan.h"
#include "record.h"
#include "requirements.h"
#include "upgrade.h"

/* The engine's identity: made once before anything is written, so that
 * the connection test before an install can present the same certificate
 * that the installation then keeps. */
struct install_identity {
	char engine_id[37];
	char *key_pem;        /* wiped and freed by install_identity_free */
	char *cert_pem;
	bool kept;            /* taken from the installation it replaces */
};

struct install_opts {
	const char *root;                 /* "/" or the --root folder */
	bool overwrite;
	const struct payload *payload;
	const struct manifest *manifest;
	payload_progress_fn progress;     /* unpacking progress; may be NULL */
	void *progress_arg;
	exec_report_fn report;            /* a step starts; may be NULL */
	void *report_arg;
	/* Pairing during install (engine-to-console, pair_now = yes). */
	const struct install_identity *identity;   /* NULL: made here */
	char *secret;                     /* as typed; never stored; the
	                                   * pairing step wipes it once the
	                                   * exchange has ended */
	pairing_step_fn pair_step;        /* the pairing's steps; may be NULL */
	void *pair_step_arg;
	/* Replace the installation in the same place with this payload's
	 * version, keeping its identity, consoles.xml, nse.xml and the
	 * configuration its administrator changed (upgrade.h). */
	bool upgrade;
	bool upgrade_older;               /* --allow-downgrade: older */
};

enum install_existing {
	INSTALL_NONE,        /* nothing installed */
	INSTALL_SAME,        /* installed with the same answers and payload */
	INSTALL_DIFFERENT,   /* installed with other answers or payload */
	INSTALL_UPGRADE,     /* the same answers, a newer payload version */
	INSTALL_OLDER        /* the same answers, an older payload version */
};

/* One thing that differs between an installation and a plan. */
struct install_diff {
	/* An answers key; "payload" for the payload (its product, version
	 * and SHA-256); "answers" when the recorded answers cannot be read. */
	char *key;
	/* The installed and the new value; NULL when not set or not known,
	 * and always for a secret (whose values are never kept). */
	char *installed;
	char *now;
	bool secret;
	/* The line an administrator reads: "engine_name: installed 'a',
	 * now 'b'", "shared_secret: (differs)", "the payload: ...". */
	char *text;
};

struct install_diffs {
	struct install_diff *v;
	size_t n, cap;
};

void install_diffs_init(struct install_diffs *d);
void install_diffs_free(struct install_diffs *d);
/* Every entry's text as "  TEXT\n" lines, appended to out. */
void install_diffs_text(const struct install_diffs *d, struct sbuf *out);

/* What is installed under root compared with the plan. The record is
 * filled when something is installed. The same answers with a payload of
 * another version (version_compare) is INSTALL_UPGRADE or INSTALL_OLDER;
 * a version that cannot be ordered, or the same version with another
 * payload, is INSTALL_DIFFERENT. What differs is appended to diffs when
 * not NULL: every answer with its installed and its new value (a secret
 * without them), and the payload when it is another one (so also for
 * INSTALL_UPGRADE and INSTALL_OLDER). */
enum install_existing install_existing(const struct plan *p,
    const struct install_opts *o, struct record *old,
    struct install_diffs *diffs, struct es_err *e);

/* Requirements and target checks before anything changes. Returns false
 * (code ES_EREQ) when the installation cannot go ahead. */
bool install_preflight(const struct plan *p, const struct install_opts *o,
    struct req_report *r, struct es_err *e);

/* The components an install of `component` puts down (the selected one and
 * what it includes), NULL-terminated, pointing into the manifest. */
void install_components(const struct manifest *m, const char *component,
    const char *out[MANIFEST_MAX_COMPONENTS + 1]);

/* Whether the service was started, and if not, why. */
enum install_start {
	INSTALL_START_NONE,        /* no service (or the run failed) */
	INSTALL_STARTED,
	INSTALL_START_DECLINED,    /* start_service = no */
	INSTALL_START_NO_MANAGER   /* no running service manager for root:
	                            * --root, an image, a container */
};

struct install_result {
	char service[64];          /* the service registered */
	char service_state[128];   /* after the install */
	char engine_id[37];
	bool started;
	enum install_start start;
	bool paired;
	char console_name[128];
	char console_spki[72];
	/* Not empty when the install is complete but its log could not be
	 * written: what happened (the file, the reason). */
	char log_warning[ES_ERR_MSG_MAX];
	/* Not empty when the command on PATH (command.h) was left as it is:
	 * something else is there; what, and the kept copy's path. */
	char command_warning[ES_ERR_MSG_MAX];
	/* The install failed and its undo stopped short (why is in the
	 * error): the journal is kept, the next run finishes the undo. */
	bool undo_kept;
	/* An upgrade (install_opts.upgrade): the version it replaced, and
	 * what it kept (upgrade_text()); install_result_free frees it. */
	char upgraded_from[32];
	struct sbuf upgrade_notes;
	/* The ready log's size right before the service was started
	 * (ready_log_size), or -1: install --wait-ready counts only what the
	 * service writes after it. */
	long long ready_since;
};

void install_result_free(struct install_result *res);

/* What an upgrade to this payload would keep (--check): the payload is
 * unpacked into a scratch folder beside install_dir, which is removed
 * again, and compared with the installation (upgrade_decide). False with
 * e set when it cannot be unpacked or nothing is installed. */
bool install_upgrade_preview(const struct plan *p,
    const struct install_opts *o, struct upgrade_plan *up, struct es_err *e);

/* Make the engine identity for a plan: the id, key and certificate of the
 * installation an --overwrite replaces, or new ones. */
bool install_identity_prepare(const struct plan *p,
    const struct install_opts *o, struct install_identity *id,
    struct es_err *e);
void install_identity_free(struct install_identity *id);

/* True when the plan pairs during install. */
bool install_pairs(const struct plan *p);

/* The service line an administrator reads after an install (install_text
 * true: session_next_steps) or in `status`: "nexposeengine: active", or
 * "nexposeengine: installed, not started (why; the command that starts
 * it)". state is plat_service_state()'s. */
void install_service_text(const char *root, const char *service,
    const char *state, enum install_start why, bool install_text,
    struct sbuf *out);

/* Carry out the plan. On failure everything this run did is undone and
 * e->code says why (ES_EINSTALL, ES_ECANCEL, ES_EINTERNAL). */
bool install_run(const struct plan *p, const struct install_opts *o,
    struct install_result *res, struct es_err *e);

#endif
