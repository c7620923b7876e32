/* Every answer of an installation in one place. Every front end (answers
 * file, --set, install4j -V and .varfile, the wizard, text prompts) fills a
 * struct plan through plan_set(); plan_validate() checks it once; the
 * executor carries it out; plan_write() writes it back (--record). */
#ifndef ES_PLAN_H
#define ES_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The answer keys of ../shared/cli-contract.md ("Answers file"). */
enum plan_key {
	PK_ACCEPT_LICENSE,
	PK_COMPONENT,
	PK_INSTALL_DIR,
	PK_FIRST_NAME,
	PK_LAST_NAME,
	PK_COMPANY,
	PK_COMMUNICATION,
	PK_ENGINE_PORT,
	PK_ENGINE_NAME,
	PK_PAIR_NOW,
	PK_CONSOLE_ADDRESS,
	PK_CONSOLE_PORT,
	PK_SHARED_SECRET,
	PK_SHARED_SECRET_FILE,
	PK_CONSOLE_FINGERPRINT,
	PK_CONSOLE_ADMIN_USER,
	PK_CONSOLE_ADMIN_PASSWORD_FILE,
	PK_CONSOLE_ADMIN_PASSWORD,   /* install4j password1 only */
	PK_CONSOLE_ADMIN_PASSWORD2,  /* install4j password2 only */
	PK_START_SERVICE,
	PK_PROXY,
	PK_PROXY_HOST,               /* install4j proxyHost only */
	PK_PROXY_PORT,               /* install4j proxyPort only */
	PK_COUNT
};

/* Where an answer came from, for messages ("answers.txt:12"). */
struct plan_origin {
	char *file;    /* NULL for a default or the command line */
	int line;      /* 0 when not from a file */
	char *as;      /* the name it was given as (an alias, --set ...) */
};

struct plan {
	char *value[PK_COUNT];            /* NULL when not answered */
	struct plan_origin origin[PK_COUNT];
	int priority[PK_COUNT];           /* higher source wins */
};

enum plan_source {
	PLAN_SRC_VARFILE_AUTO = 1,   /* NAME.varfile beside the binary */
	PLAN_SRC_FILE = 2,           /* --answers / -varfile */
	PLAN_SRC_SET = 4,            /* --set / -V */
	PLAN_SRC_INTERACTIVE = 5     /* wizard / prompts: what the user typed */
};

struct plan_keyinfo {
	enum plan_key key;
	const char *name;            /* canonical answers-file name */
	bool secret;                 /* never written, logged or printed */
	const char *help;            /* one line for --help and docs */
};

void plan_init(struct plan *p);
void plan_free(struct plan *p);

const struct plan_keyinfo *plan_keyinfo(enum plan_key k);
/* Look a name up among canonical keys and install4j aliases.
 * Returns PK_COUNT when unknown; *ignored is set for install4j names that
 * are accepted and ignored. name may carry an install4j "$Type" suffix.
 * *value_map is set for aliases whose value is translated (see
 * plan_alias_value). */
enum plan_key plan_lookup(const char *name, bool *ignored, int *alias);
/* The i-th install4j name plan_lookup() takes besides the canonical keys
 * (an alias, or a name accepted and ignored), or NULL past the last: for
 * listings and for checking the documentation. */
const char *plan_alias_name(size_t i);
/* The nearest known name for a typo, or NULL. */
const char *plan_suggest(const char *name);

/* Set one answer given as `name = value`. Duplicates at the same priority
 * are errors; a higher priority replaces a lower one. file/line describe
 * where it came from (file NULL for the command line). An install4j name
 * that is accepted and ignored leaves a note in the install log. Errors
 * are ES_EUSAGE. */
bool plan_set(struct plan *p, const char *name, const char *value,
    int priority, const char *file, int line, struct es_err *e);

/* Set an answer the user gave interactively: it replaces any earlier value
 * (Back, then a new choice). NULL clears it. A valid console_address is
 * kept in its normal form (addr_normal), as plan_validate() keeps it. */
void plan_replace(struct plan *p, enum plan_key k, const char *value);
/* Check one value of one key (no cross-key rules). On false, *expect says
 * what the key takes, for a message next to the field. */
bool plan_check(enum plan_key k, const char *value, const char **expect);

/* The certificate's organizational unit is PLAN_ENGINE_UNIT followed by
 * the engine name, and X.520 allows it 64 characters
 * (ub-organizational-unit-name, RFC 5280 appendix A): so the engine name
 * has at most PLAN_ENGINE_NAME_MAX. */
#define PLAN_ENGINE_UNIT "Scan Engine "
#define PLAN_X520_NAME_MAX 64
#define PLAN_ENGINE_NAME_MAX (PLAN_X520_NAME_MAX - \
	(long)(sizeof PLAN_ENGINE_UNIT - 1))
/* install_dir: at most this many bytes; and --root with it at most
 * PATH_MAX less PLAN_PATH_RESERVE, kept for the staging folder's name and
 * the payload's own paths. */
#define PLAN_INSTALL_DIR_MAX 1024
#define PLAN_PATH_RESERVE 1024   /* >= PAYLOAD_PATH_MAX + 21 + 2 */
/* The staging folder beside the install folder is named
 * ".<name>.es-staging-XXXXXXXX": this many bytes more than the name. */
#define PLAN_STAGING_EXTRA 21

/* Check an install folder as the install needs it, and give its normal
 * form (no empty or "." parts, no trailing '/') in *normal (caller frees;
 * may be NULL). root is the --root folder ("/" or NULL for the host). On
 * false, *expect says what is wrong and what the key takes. */
bool plan_check_install_dir(const char *dir, const char *root, char **normal,
    const char **expect);

/* The value an answer has, or its default; NULL when none. */
const char *plan_get(const struct plan *p, enum plan_key k);
bool plan_is_set(const struct plan *p, enum plan_key k);
bool plan_yes(const struct plan *p, enum plan_key k);
unsigned plan_port(const struct plan *p, enum plan_key k);

/* Fill defaults that depend on the host (engine_name from host name). */
void plan_apply_defaults(struct plan *p, const char *hostname);

struct plan_validate_opts {
	bool silent;            /* every required answer must be present */
	bool license_implied;   /* install4j -q: the licence counts as accepted */
	const char *root;       /* --root folder; NULL or "/" for the host */
};

/* Check every value and the required answers; all problems are reported,
 * each naming its origin. Values that mean the same are made one form
 * here (install_dir "/opt/x/" becomes "/opt/x"; console_address "[::1]"
 * becomes "::1", addr_normal; install4j proxyHost and proxyPort become
 * proxy), so the plan, --record and the install record hold that form. */
bool plan_validate(struct plan *p, const struct plan_validate_opts *o,
    struct es_err *e);

/* The answers in the answers-file format, secrets left out. Caller frees. */
char *plan_write(const struct plan *p);
/* True when plan_write() writes key k: it has a value that is not a
 * secret and not a default filled from the host. */
bool plan_writes(const struct plan *p, enum plan_key k);
/* A canonical, comparable form of the answers that decide what is
 * installed (no secrets), for the install record and re-run checks. */
char *plan_canonical(const struct plan *p);

#endif
