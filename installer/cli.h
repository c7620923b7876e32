/* Command-line parsing (../shared/cli-contract.md, "Commands" and
 * "Options"), install4j flags included. */
#ifndef ES_CLI_H
#define ES_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "strlist.h"

enum cli_cmd {
	CMD_INSTALL,
	CMD_UNINSTALL,
	CMD_PAIR,
	CMD_CONSOLES,
	CMD_STATUS,
	CMD_HELP,
	CMD_VERSION,
	CMD_PAYLOAD_INFO,
	CMD_SHOW_LICENSE,
	CMD_IDENTITY
};

/* How long --wait-lock without a value waits for another run: as long as
 * --wait-ready's default, the time an install may take on a slow host. */
#define CLI_WAIT_LOCK_DEFAULT 600

struct cli {
	enum cli_cmd cmd;
	enum cli_cmd help_for;     /* CMD_HELP: the command asked about */
	bool silent, text, check, overwrite;
	bool install4j_quiet;      /* -q: the licence counts as accepted */
	bool allow_downgrade;      /* --allow-downgrade */
	const char *answers;       /* --answers / -varfile (the last one) */
	struct strlist answer_files;
	const char *record;
	const char *root;          /* absolute (made so from the current folder) */
	char *root_owned;
	const char *log;
	const char *payload;       /* --payload FILE instead of this binary */
	const char *dir;           /* install4j -dir */
	const char *console;       /* pair --console HOST[:PORT] */
	const char *secret_file;   /* pair --secret-file FILE */
	const char *fingerprint;   /* pair --fingerprint sha256:HEX */
	bool test_only;            /* pair --test */
	bool restart;              /* consoles enable|disable --restart */
	bool purge;                /* uninstall --purge: the logs too */
	int wait_lock;             /* --wait-lock[=SECONDS]; 0: do not wait */
	bool json;                 /* status --json, install --check --json */
	/* install and status --wait-ready[=SECONDS]: wait until the service
	 * is ready (ready.h); -1: not asked (cli_parse sets it so). */
	int wait_ready;
	struct strlist sets;       /* KEY=VALUE, in order */
	struct strlist args;       /* positional arguments after the command */
	/* install4j -DNAME=VALUE (Java system properties): only the names,
	 * for the log; they are accepted and ignored. */
	struct strlist sysprops;
	/* identity check --service: run as the Windows identity check
	 * service (plat_service_run_once). */
	bool service;
};

/* Parse argv; errors are ES_EUSAGE with the offending argument named. */
bool cli_parse(struct cli *c, int argc, char **argv, struct es_err *e);
void cli_free(struct cli *c);
/* Refuse a file option that names a FIFO, device, socket or folder, before
 * anything opens it (a FIFO would block the open forever), a file to read
 * that is missing or unreadable, or a file to write whose folder is
 * missing: ES_EUSAGE, naming the option and the file. */
bool cli_check_files(const struct cli *c, struct es_err *e);
/* Warn on out, once per key, for every secret given with --set or -V:
 * other users see the command line in ps(1) and /proc/PID/cmdline. */
void cli_warn_secrets(const struct cli *c, FILE *out);
/* The --help text. */
const char *cli_usage(void);

/* The usage of one command (`engine-setup pair --help`): uninstall, pair,
 * consoles and status have their own; anything else gets cli_usage(). */
const char *cli_usage_for(enum cli_cmd cmd);

#endif
