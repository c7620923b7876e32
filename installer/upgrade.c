#include "upgrade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consoles.h"
#include "crypto.h"
#include "identity.h"
#include "platform.h"

/* The files engine-setup itself writes rather than the payload (install.c:
 * the identity, nse.xml, consoles.xml, the console's keys, nsc.xml and
 * userdb.xml). An upgrade keeps or regenerates them, never by the
 * conffile rule's "the new version no longer has it": --check, which
 * sees only the payload, does not list them as dropped. */
static const char *const upgrade_generated[] = {
	IDENTITY_KEY_REL, IDENTITY_CERT_REL, IDENTITY_XML_REL, CONSOLES_REL,
	"nsc/conf/nsc.key", "nsc/conf/nsc.crt", "nsc/conf/nsc.xml",
	"nsc/conf/userdb.xml",
};

static bool
upgrade_is_generated(const char *rel)
{
	size_t i;

	for (i = 0; i < sizeof upgrade_generated /
	    sizeof upgrade_generated[0]; i++)
		if (strcmp(rel, upgrade_generated[i]) == 0)
			return true;
	return false;
}

const struct record_entry *
upgrade_find(const struct record *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->entries[i].path, path) == 0)
			return &r->entries[i];
	return NULL;
}

/* path relative to install_dir (the old record's: an upgrade stays in
 * place), or NULL when it is not below it. */
static const char *
upgrade_rel(const struct record *old, const char *path)
{
	size_t n = strlen(old->install_dir);

	if (strncmp(path, old->install_dir, n) != 0 || path[n] != '/')
		return NULL;
	return path + n + 1;
}

/* The SHA-256 of dir/rel into sha when it is a regular file that can be
 * read; its type is returned. */
static enum plat_ftype
upgrade_sum(const char *dir, const char *rel, char sha[65])
{
	enum plat_ftype t = plat_file_type_beneath(dir, rel);
	FILE *f;

	sha[0] = '\0';
	if (t != PLAT_FILE)
		return t;
	if ((f = plat_fopen_beneath(dir, rel, NULL)) == NULL)
		return PLAT_OTHER;
	if (!crypto_sha256_file(f, sha))
		sha[0] = '\0';
	fclose(f);
	return sha[0] != '\0' ? PLAT_FILE : PLAT_OTHER;
}

static void
upgrade_add(struct upgrade_plan *up, enum upgrade_verdict v, const char *rel,
    const char *sha, unsigned mode)
{
	struct upgrade_item *it;

	up->items = xrealloc(up->items, (up->n + 1) * sizeof *up->items);
	it = &up->items[up->n++];
	it->verdict = v;
	it->rel = xstrdup(rel);
	snprintf(it->sha256, sizeof it->sha256, "%s", sha);
	it->mode = mode;
}

void
upgrade_decide(const struct record *old, const char *old_dir,
    const struct record *fresh, const struct manifest *m,
    struct upgrade_plan *up)
{
	size_t i;
	char c[65];

	up->items = NULL;
	up->n = 0;
	for (i = 0; i < fresh->n; i++) {
		const struct record_entry *n = &fresh->entries[i], *o;
		const char *rel = upgrade_rel(old, n->path);

		if (n->type != 'f' || rel == NULL ||
		    !manifest_is_config(m, rel))
			continue;
		o = upgrade_find(old, n->path);
		/* New in this version, or nothing to compare with: N. */
		if (o == NULL || o->type != 'f' || strlen(o->sha256) != 64)
			continue;
		switch (upgrade_sum(old_dir, rel, c)) {
		case PLAT_NONE:
			upgrade_add(up, UPGRADE_STAYS_DELETED, rel, n->sha256,
			    n->mode);
			continue;
		case PLAT_FILE:
			break;
		default:
			/* Now a link or a folder: not the administrator's
			 * copy of a default; the new default goes in. */
			continue;
		}
		if (strcmp(c, n->sha256) == 0 || strcmp(c, o->sha256) == 0)
			continue;
		upgrade_add(up, strcmp(n->sha256, o->sha256) == 0 ?
		    UPGRADE_KEEP : UPGRADE_KEEP_AND_NEW, rel, n->sha256,
		    n->mode);
	}
	for (i = 0; i < old->n; i++) {
		const struct record_entry *o = &old->entries[i];
		const char *rel = upgrade_rel(old, o->path);

		if (o->type != 'f' || rel == NULL || strlen(o->sha256) != 64 ||
		    upgrade_find(fresh, o->path) != NULL ||
		    upgrade_is_generated(rel))
			continue;
		/* The record's sum stays the installed one: uninstall then
		 * keeps the file as changed, as it would have. */
		if (upgrade_sum(old_dir, rel, c) == PLAT_FILE &&
		    strcmp(c, o->sha256) != 0)
			upgrade_add(up, UPGRADE_KEEP_DROPPED, rel, o->sha256,
			    o->mode);
	}
}

void
upgrade_plan_free(struct upgrade_plan *up)
{
	size_t i;

	for (i = 0; i < up->n; i++)
		free(up->items[i].rel);
	free(up->items);
	up->items = NULL;
	up->n = 0;
}

void
upgrade_text(const struct upgrade_plan *up, bool would, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < up->n; i++) {
		const char *rel = up->items[i].rel;

		switch (up->items[i].verdict) {
		case UPGRADE_KEEP:
			sbuf_addf(out, "  %s your %s (the new version has the "
			    "same default)\n", would ? "would keep" : "kept",
			    rel);
			break;
		case UPGRADE_KEEP_AND_NEW:
			sbuf_addf(out, "  %s your %s; the new default %s "
			    "%s" UPGRADE_NEW_SUFFIX "\n", would ? "would keep" :
			    "kept", rel, would ? "would be" : "is", rel);
			break;
		case UPGRADE_STAYS_DELETED:
			sbuf_addf(out, "  %s %s deleted, as you left it\n",
			    rel, would ? "would stay" : "stays");
			break;
		case UPGRADE_KEEP_DROPPED:
			sbuf_addf(out, "  %s your %s: you changed it, and the "
			    "new version no longer has it\n", would ?
			    "would keep" : "kept", rel);
			break;
		}
	}
}
