/* Upgrades in place: which files of the installation an upgrade keeps,
 * following dpkg's conffile rule (STYLE.md; dpkg(1) --force-confold;
 * Debian Policy 10.7.3). Format of what is said: docs/upgrade.md. */
#ifndef ES_UPGRADE_H
#define ES_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>

#include "manifest.h"
#include "record.h"
#include "util.h"

/* What an upgrade does with one file, O being the default the installation
 * installed (its SHA-256 in the old record), C the file now, N the new
 * default. Files for which it simply takes N are not listed. */
enum upgrade_verdict {
	UPGRADE_KEEP,          /* configuration, N == O, C changed: C kept */
	UPGRADE_KEEP_AND_NEW,  /* configuration, both changed: C kept, N
	                        * written beside it as FILE.new */
	UPGRADE_STAYS_DELETED, /* configuration the administrator removed */
	UPGRADE_KEEP_DROPPED   /* a file the new version does not have,
	                        * changed since the install: kept */
};

struct upgrade_item {
	enum upgrade_verdict verdict;
	char *rel;             /* relative to install_dir */
	char sha256[65];       /* the record's sum for rel after the upgrade */
	unsigned mode;
};

struct upgrade_plan {
	struct upgrade_item *items;
	size_t n;
};

#define UPGRADE_NEW_SUFFIX ".new"

/* Decide, for the installation in old_dir (install_dir joined to the root:
 * C is read there, never through a link) recorded in old, what an upgrade
 * to the files listed in fresh (the new installation's record: paths and
 * the sums N of what it writes; its install_dir may be unset: it is
 * old's) keeps. Configuration files are those the
 * manifest m names. The plan is emptied first; upgrade_plan_free frees it. */
void upgrade_decide(const struct record *old, const char *old_dir,
    const struct record *fresh, const struct manifest *m,
    struct upgrade_plan *up);
void upgrade_plan_free(struct upgrade_plan *up);

/* The entry of r for path (absolute, without the root), or NULL. */
const struct record_entry *upgrade_find(const struct record *r,
    const char *path);

/* One line per item of up, "  kept your nse/conf/logging.xml; the new
 * default is nse/conf/logging.xml.new", appended to out; would: the
 * future tense of --check ("would keep ..."). */
void upgrade_text(const struct upgrade_plan *up, bool would,
    struct sbuf *out);

#endif
