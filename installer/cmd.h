/* The commands of ../shared/cli-contract.md, one file each (cmd-*.c), and
 * what they share (cmd.c). main.c only dispatches to them. */
#ifndef ES_CMD_H
#define ES_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"
#include "error.h"
#include "manifest.h"
#include "payload.h"
#include "record.h"

/* Each returns the process's exit code (../shared/cli-contract.md,
 * "Exit codes"). */
int cmd_install(const struct cli *c);         /* cmd-install.c */
int cmd_uninstall(const struct cli *c);       /* cmd-uninstall.c */
int cmd_status(const struct cli *c);          /* cmd-status.c */
int cmd_consoles(const struct cli *c);        /* cmd-consoles.c */
int cmd_pair(const struct cli *c);            /* cmd-pair.c */
int cmd_payload_info(const struct cli *c);    /* cmd-payload.c */
int cmd_show_license(const struct cli *c);    /* cmd-payload.c */
int cmd_identity(const struct cli *c);        /* cmd-identity.c */

/* What cmd_pair_installed() pairs with. */
struct cmd_pair_target {
	const char *host;          /* console address, addr_normal() form */
	unsigned port;             /* console port, 40815 unless changed */
	const char *secret;        /* the shared secret; never shown */
	const char *pin;           /* "sha256:HEX" or NULL */
	const char *proxy;         /* NULL: the installation's recorded one */
	bool test_only;            /* only the connection test */
	FILE *out;                 /* the steps and the result; NULL: stdout */
};

/* Pair the installed engine of record r (under root, "/" or --root) with
 * the console t names (../shared/pairing-protocol.md): the connection
 * test, then registration, then the console in consoles.xml through
 * cmd_replace_consoles(); with t->test_only the test alone. Prints the
 * steps and the result on t->out. The caller holds the run lock
 * (not needed for a test). False with e set: ES_EPAIR for the test or the
 * registration (nothing changed), ES_ECANCEL, ES_EINSTALL. */
bool cmd_pair_installed(const char *root, struct record *r,
    const struct cmd_pair_target *t, struct es_err *e);

/* Show e on standard error as sentences ("engine-setup: " first), at the
 * terminal's width when there is one, then the line then (NULL: none). */
void cmd_say_error(struct es_err *e, const char *then);
/* Show e's message on out as a note (it is not an error), shown as
 * cmd_say_error() shows one. */
void cmd_say_note(FILE *out, struct es_err *e);
/* cmd_say_error(e, NULL); returns e's code, or ES_EINTERNAL for none. */
int cmd_fail(struct es_err *e);
/* Open this program's payload (or --payload FILE) into p and read its
 * manifest into m and its licence text into *license (caller frees);
 * false with e set (ES_EINTERNAL, ES_EPAYLOAD ...). */
bool cmd_open_payload(const struct cli *c, struct payload *p,
    struct manifest *m, char **license, struct es_err *e);

/* Whether the file system of path is full: less free than the few
 * kilobytes a change of consoles.xml or a new identity and its journal
 * take (64 KiB), to which a write that failed is then put down. mnt (n
 * bytes) gets its mount point, or path. */
bool cmd_disk_full(const char *path, char *mnt, size_t n);
/* Replace the installation's consoles.xml with data (op "pair" or
 * "consoles"), and the record's SHA-256 of it in the same journalled
 * change: uninstall keeps a file whose bytes the record does not know
 * (uninstall.h), and this change is engine-setup's own. root is "/" or
 * the --root folder, idir install_dir under it; cancellable:
 * exec_replace_files(). False with e set; on a full disk (cmd_disk_full()
 * of idir or of the state folder) e says so in this command's words. */
bool cmd_replace_consoles(const char *root, const char *op, struct record *r,
    const char *idir, const char *data, size_t len, unsigned mode,
    bool cancellable, struct es_err *e);

#endif
