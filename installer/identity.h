/* Clones get their own identity (issue 12, part 3): the install records
 * whom the engine identity (engine id, nse/conf/nse.key, nse/conf/nse.crt)
 * belongs to; `engine-setup identity check`, run before every start of the
 * service, makes a new one on another machine, and `identity reset` does
 * so by hand. The record lines and the consoles.xml mark are described in
 * docs/install-record.md, "The machine an identity belongs to". */
#ifndef ES_IDENTITY_H
#define ES_IDENTITY_H

#include <stdbool.h>

#include "error.h"
#include "record.h"
#include "util.h"

/* The status problem's code (../shared/cli-contract.md, issue 12). */
#define IDENTITY_PROBLEM "identity-from-another-machine"

/* The identity's files, relative to install_dir; identity_renew() writes
 * them with consoles.xml and the install record. */
#define IDENTITY_KEY_REL "nse/conf/nse.key"
#define IDENTITY_CERT_REL "nse/conf/nse.crt"
#define IDENTITY_XML_REL "nse/conf/nse.xml"

enum identity_machine {
	IDENTITY_SAME,       /* this machine, or nothing to tell otherwise */
	IDENTITY_OTHER,      /* an image, or a fact that differs */
	IDENTITY_UNREADABLE  /* recorded facts, none of which can be read now */
};

/* The SHA-256 (hex, out >= 65 bytes) that the record holds for a machine
 * fact: of "engine-setup machine:" and the fact, so that the record never
 * holds the fact itself (machine-id(5) asks that the id not be exposed
 * and that applications use a hash of their own). */
void identity_fact_hash(const char *fact, char out[65]);

/* Fill r's machine lines for an install under root ("/" or the --root
 * folder): "image" under a --root folder (the first start on a real
 * machine counts as new), else "host" and the hashes of the facts that
 * plat_machine_facts() reads. Clears the renewal lines. */
void identity_record_machine(const char *root, struct record *r);

/* Whether r's identity belongs to the machine under root. why (may be
 * NULL) gets what differs, or why nothing could be compared. A fact that
 * was not recorded, or cannot be read now (DMI as another user than
 * root), is not compared. An image with no readable fact under root
 * counts as IDENTITY_OTHER when image_counts, else IDENTITY_SAME (status
 * cannot tell a --root image from the machine it will run on). */
enum identity_machine identity_compare(const char *root,
    const struct record *r, bool image_counts, struct sbuf *why);

/* What identity_renew() did. */
struct identity_result {
	char old_id[37];
	char new_id[37];
	char spki[72];           /* the new certificate's, "sha256:<hex>" */
	size_t marked;           /* consoles marked pairAgain="1" */
};

/* Make a new engine id, key and certificate (the subject of the old
 * certificate, valid 3650 days as at install), write the new id into
 * nse.xml (nothing else in it changes), mark the engine-to-console entries
 * of consoles.xml pairAgain="1", and update r (engine_id, the machine
 * lines, identity_renewed_at, identity_previous_engine_id, the sums of
 * the files): one journalled change (exec_replace_files), so a crash
 * leaves the old identity or the new one. cancellable is true for
 * `identity reset` (run by hand: a signal before the change cancels it),
 * false for the service's `identity check`; the journal names the run
 * "identity reset" or "identity check" after it, which is how status
 * describes an interrupted one. reason goes into the
 * install log and nse/logs/engine-setup.log. The caller holds root's run
 * lock and loaded r. False with e set (ES_EINSTALL: a file cannot be read
 * or written; ES_ECANCEL when cancellable and a signal came first). */
bool identity_renew(const char *root, struct record *r, const char *reason,
    bool cancellable, struct identity_result *res, struct es_err *e);

/* The message of status's problem IDENTITY_PROBLEM for r under root, a
 * sentence (caller frees), or NULL: after a renewal that no
 * pairing has followed (engine-to-console engines: pair again), or when
 * the facts say the next start makes a new identity. */
char *identity_problem(const char *root, const struct record *r);

/* Append a line "<time> engine-setup identity: line" to the install log
 * and to nse/logs/engine-setup.log in idir (install_dir under the root;
 * the folder is made when missing). Best effort: a log that cannot be
 * written is reported on stderr, nothing else. */
void identity_log(const char *idir, const char *line);

#endif
