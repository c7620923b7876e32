/* The install record: what an installation put where, so that status,
 * uninstall and a re-run know what is there. It lives in
 * <install_dir>/.install/record; a pointer file at plat_state_file() says
 * where install_dir is. Format: docs/install-record.md. */
#ifndef ES_RECORD_H
#define ES_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "strlist.h"

struct record_entry {
	char type;          /* 'f' file, 'd' directory, 'l' symbolic link */
	unsigned mode;
	char sha256[65];    /* files only */
	char *path;         /* absolute, without the --root prefix */
};

struct record {
	char *product;
	char *version;
	char *payload_sha256;
	char *component;
	char *install_dir;
	char *engine_id;
	/* What nse/conf/nse.xml was written with: the engine name as
	 * resolved (the host name when engine_name was not given), its
	 * communication direction and port. NULL in a record written by an
	 * engine-setup older than these lines. */
	char *engine_name;
	char *communication;
	char *engine_port;
	char *installed_at;
	/* The version an upgrade (or a downgrade) replaced, and when (UTC,
	 * like installed_at); NULL when the installation was never upgraded. */
	char *upgraded_from;
	char *upgraded_at;
	/* How the service shows it is ready (the manifest's
	 * component.NAME.ready.*, resolved at install time; ready.h): the
	 * log relative to install_dir, its ready line and start line, and
	 * the port as a number. NULL when not declared, or in a record older
	 * than these lines (readiness cannot be told). */
	char *ready_log;
	char *ready_line;
	char *ready_start;
	char *ready_port;
	/* Whom the engine identity (engine_id, nse.key, nse.crt) belongs to
	 * (identity.h): machine is "image" (made under a --root folder) or
	 * "host"; the SHA-256 of each machine fact that could be read then
	 * (NULL: not read); when the identity was made anew on another
	 * machine, then, and the engine id it had before (NULL: never, or
	 * paired again since). All NULL in a record from before these lines. */
	char *machine;
	char *machine_id_sha256;
	char *system_uuid_sha256;
	char *identity_renewed_at;
	char *identity_previous_engine_id;
	struct strlist services;     /* service names */
	struct strlist sysfiles;     /* files outside install_dir; dirs end in '/' */
	struct strlist parents;      /* folders made above install_dir */
	struct record_entry *entries;
	size_t n, cap;
};

void record_init(struct record *r);
void record_free(struct record *r);
void record_add(struct record *r, char type, unsigned mode,
    const char *sha256, const char *path);
/* Set the SHA-256 (hex) and mode r holds for the file path (absolute,
 * without the --root prefix), after engine-setup itself changed it, so
 * that uninstall does not take it for someone else's change. False when r
 * lists no such file. */
bool record_set_file(struct record *r, const char *path, const char *sha256,
    unsigned mode);
/* The record as text. Caller frees. */
char *record_format(const struct record *r);
/* Parse a record's text; false with e set (ES_EINSTALL, naming filename)
 * when it is damaged: a line that is not a record line, a newer format,
 * no install_dir or component, or a path that is not clean (no empty,
 * "." or ".." parts: install_dir below "/", each entry strictly below
 * install_dir, each parent above it, each sysfile below "/"). */
bool record_parse(struct record *r, const char *text, size_t len,
    const char *filename, struct es_err *e);

/* The record's folder and files, relative to install_dir. */
#define RECORD_DIR_REL ".install"
#define RECORD_REL RECORD_DIR_REL "/record"
#define RECORD_ANSWERS_REL RECORD_DIR_REL "/answers"
#define RECORD_LOG_REL RECORD_DIR_REL "/install.log"
#define RECORD_UNINSTALL_LOG_REL RECORD_DIR_REL "/uninstall.log"

/* Paths of the record's files for an install_dir (without root). */
char *record_path(const char *install_dir);         /* .../.install/record */
char *record_answers_path(const char *install_dir); /* .../.install/answers */

/* Find the installation under root through the pointer file. Returns
 * false with e->code 0 when nothing is installed; with an error
 * (ES_EINSTALL: a damaged file of the installation, naming the file and
 * line) when the pointer or the record is unreadable or breaks the rules
 * that keep their paths inside root (docs/install-record.md, "Paths"), or
 * ES_EREQ when the state folder leads out of root through a link. Then
 * r->install_dir is the folder the pointer names when that folder itself
 * passed those rules, else NULL. */
bool record_load(const char *root, struct record *r, struct es_err *e);
/* The install_dir the pointer file's text names (its "install_dir PATH"
 * line; '#' lines are comments), or NULL. Caller frees. */
char *record_pointer_dir(const char *text);
/* After record_load() failed with e set and r->install_dir known: add
 * to e what to do about an installation whose record cannot be read
 * (root is "/" or the --root folder), the commands on lines of their own
 * so that they work as printed: replace it with --overwrite, then
 * uninstall it, or remove it by hand. */
void record_damaged_explain(const char *root, const struct record *r,
    struct es_err *e);
/* True when every folder r names (install_dir, the parents, the folders
 * of its sysfiles) stays inside root once links are followed
 * (plat_path_in_root); else false with e set (ES_EINSTALL), naming
 * filename, where r was read. record_parse() checked the paths' text. */
bool record_check_root(const char *root, const struct record *r,
    const char *filename, struct es_err *e);
/* The pointer file's text for install_dir. Caller frees. */
char *record_pointer_text(const char *install_dir);

#endif
