/* Clones get their own identity: whom the engine identity belongs to, and
 * a new one for another machine (identity.h). */
#include "identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consoles.h"
#include "crypto.h"
#include "executor.h"
#include "platform.h"

#define IDENTITY_LOG_DIR_REL "nse/logs"
#define IDENTITY_LOG_REL IDENTITY_LOG_DIR_REL "/engine-setup.log"

void
identity_fact_hash(const char *fact, char out[65])
{
	char *s = xasprintf("engine-setup machine:%s", fact);

	crypto_sha256_hex(s, strlen(s), out);
	free(s);
}

/* Set *field to the hash of fact, or NULL when fact is absent. */
static void
identity_set_hash(char **field, const char *fact)
{
	char hex[65];

	free(*field);
	*field = NULL;
	if (fact[0] == '\0')
		return;
	identity_fact_hash(fact, hex);
	*field = xstrdup(hex);
}

/* r's machine lines for the machine m. */
static void
identity_set_machine(struct record *r, const struct plat_machine *m)
{
	free(r->machine);
	r->machine = xstrdup("host");
	identity_set_hash(&r->machine_id_sha256, m->machine_id);
	identity_set_hash(&r->system_uuid_sha256, m->system_uuid);
}

void
identity_record_machine(const char *root, struct record *r)
{
	struct plat_machine m;

	free(r->identity_renewed_at);
	free(r->identity_previous_engine_id);
	r->identity_renewed_at = NULL;
	r->identity_previous_engine_id = NULL;
	if (strcmp(root, "/") != 0) {
		free(r->machine);
		free(r->machine_id_sha256);
		free(r->system_uuid_sha256);
		r->machine = xstrdup("image");
		r->machine_id_sha256 = NULL;
		r->system_uuid_sha256 = NULL;
		return;
	}
	plat_machine_facts(root, &m);
	identity_set_machine(r, &m);
}

/* Compare one fact with its recorded hash: 1 differs, 0 same, -1 not
 * compared (not recorded, or not read now). */
static int
identity_fact_differs(const char *recorded, const char *fact)
{
	char hex[65];

	if (recorded == NULL || fact[0] == '\0')
		return -1;
	identity_fact_hash(fact, hex);
	return strcmp(hex, recorded) != 0;
}

enum identity_machine
identity_compare(const char *root, const struct record *r,
    bool image_counts, struct sbuf *why)
{
	struct plat_machine m;
	int id, uuid;

	plat_machine_facts(root, &m);
	if (r->machine != NULL && strcmp(r->machine, "image") == 0) {
		if (!image_counts && m.machine_id[0] == '\0' &&
		    m.system_uuid[0] == '\0')
			return IDENTITY_SAME;
		if (why != NULL)
			sbuf_add(why, "it was made for an image (an install "
			    "with --root)");
		return IDENTITY_OTHER;
	}
	id = identity_fact_differs(r->machine_id_sha256, m.machine_id);
	uuid = identity_fact_differs(r->system_uuid_sha256, m.system_uuid);
	if (id == 1 || uuid == 1) {
		if (why != NULL)
			sbuf_addf(why, "this machine's %s%s%s differ%s from "
			    "the one it was made on", id == 1 ? "machine id" :
			    "", id == 1 && uuid == 1 ? " and " : "",
			    uuid == 1 ? "system UUID" : "",
			    id == 1 && uuid == 1 ? "" : "s");
		return IDENTITY_OTHER;
	}
	if (id == -1 && uuid == -1 && (r->machine_id_sha256 != NULL ||
	    r->system_uuid_sha256 != NULL)) {
		if (why != NULL)
			sbuf_addf(why, "none of this machine's facts could be "
			    "read (%s)", m.note[0] != '\0' ? m.note :
			    "no /etc/machine-id and no system UUID");
		return IDENTITY_UNREADABLE;
	}
	return IDENTITY_SAME;
}

void
identity_log(const char *idir, const char *line)
{
	static const char *const rels[] = { RECORD_LOG_REL, IDENTITY_LOG_REL };
	char stamp[32];
	size_t i;

	plat_utc_now(stamp, sizeof stamp);
	for (i = 0; i < sizeof rels / sizeof rels[0]; i++) {
		char *path = xasprintf("%s/%s", idir, rels[i]);
		char *dir = xasprintf("%s/" IDENTITY_LOG_DIR_REL, idir);
		struct es_err e;
		FILE *f = NULL;

		err_clear(&e);
		if ((i == 0 || plat_file_type(dir) == PLAT_DIR ||
		    plat_mkdirs(dir, 0750, NULL, &e)) &&
		    (f = plat_fopen_regular(path, "a", &e)) != NULL) {
			fprintf(f, "%s engine-setup identity: %s\n", stamp,
			    line);
			if (fclose(f) != 0)
				err_set(&e, ES_EINSTALL, "cannot write %s",
				    path);
		}
		if (e.code != 0)
			fprintf(stderr, "engine-setup: warning: cannot log to "
			    "%s: %s\n", path, err_sentence(&e));
		free(dir);
		free(path);
	}
}

/* nse.xml's text with the engine id old replaced by new (the attribute's
 * value only; every other byte kept). NULL with e set when the text does
 * not hold old exactly once as a quoted value. */
static char *
identity_xml_with_id(const char *text, size_t len, const char *path,
    const char *old, const char *new, size_t *outlen, struct es_err *e)
{
	char *q2 = xasprintf("\"%s\"", old), *q1 = xasprintf("'%s'", old);
	const char *at = NULL, *p;
	size_t hits = 0;
	struct sbuf b;

	for (p = text; (p = strstr(p, q2)) != NULL; p++, hits++)
		at = p;
	for (p = text; (p = strstr(p, q1)) != NULL; p++, hits++)
		at = p;
	free(q2);
	free(q1);
	if (hits != 1 || strlen(text) != len) {
		err_set(e, ES_EINSTALL, "%s does not hold the engine id %s of "
		    "the install record %s; nothing was changed. Put the id "
		    "back in its <Engine id=\"...\"> (or reinstall with "
		    "--overwrite), then run engine-setup identity reset", path,
		    old, hits == 0 ? "at all" : "exactly once");
		return NULL;
	}
	sbuf_init(&b);
	sbuf_addn(&b, text, (size_t)(at - text) + 1);
	sbuf_add(&b, new);
	sbuf_add(&b, at + 1 + strlen(old));
	*outlen = b.len;
	return sbuf_detach(&b);
}

/* The mode a file has (permission bits), or dflt. */
static unsigned
identity_mode(const char *idir, const char *rel, unsigned dflt)
{
	char *path = xasprintf("%s/%s", idir, rel);
	int mode = plat_file_mode(path);

	free(path);
	return mode > 0 ? (unsigned)mode & 0777 : dflt;
}

/* Set r's sum of idir/rel (as the host sees it: install_dir/rel). */
static void
identity_set_sum(struct record *r, const char *rel, const char *data,
    size_t len, unsigned mode)
{
	char sha[65], *path = xasprintf("%s/%s", r->install_dir, rel);

	crypto_sha256_hex(data, len, sha);
	record_set_file(r, path, sha, mode);
	free(path);
}

bool
identity_renew(const char *root, struct record *r, const char *reason,
    bool cancellable, struct identity_result *res, struct es_err *e)
{
	struct exec_file f[5];
	struct plat_machine m;
	char *idir = plat_join_root(root, r->install_dir);
	char *cert = NULL, *key_pem = NULL, *cert_pem = NULL;
	char *xml = NULL, *newxml = NULL, *cons = NULL, *newcons = NULL;
	char *cn = NULL, *org = NULL, *ou = NULL, *text = NULL, *path = NULL;
	struct plat_file_lock *xlock = NULL;
	char now[32];
	size_t len, xmllen = 0, conslen = 0, n = 0, i;
	bool ok = false;

	memset(res, 0, sizeof *res);
	if (r->engine_id == NULL || strlen(r->engine_id) != 36) {
		err_set(e, ES_EINSTALL, "the install record of %s names no "
		    "engine id; reinstall with --overwrite to make a new "
		    "identity", r->install_dir);
		goto out;
	}
	snprintf(res->old_id, sizeof res->old_id, "%s", r->engine_id);
	if ((cert = plat_read_file_beneath(idir, IDENTITY_CERT_REL, 1u << 20,
	    &len, e)) == NULL ||
	    !crypto_cert_subject(cert, &cn, &org, &ou, e))
		goto out;
	path = xasprintf("%s/" IDENTITY_XML_REL, idir);
	if ((xml = plat_read_file_beneath(idir, IDENTITY_XML_REL, 1u << 24,
	    &len, e)) == NULL)
		goto out;
	crypto_uuid(res->new_id);
	if ((newxml = identity_xml_with_id(xml, len, path, res->old_id,
	    res->new_id, &xmllen, e)) == NULL)
		goto out;
	free(path);
	path = xasprintf("%s/" CONSOLES_REL, idir);
	/* The engine appends consoles too: read under the lock, kept until
	 * the new file is in place (as pair does). */
	if (!consoles_lock(idir, stdout, &xlock, e) ||
	    (cons = consoles_read(idir, &len, e)) == NULL ||
	    !consoles_mark_pair_again(cons, len, path, &newcons, &conslen,
	    &res->marked, e))
		goto out;
	/* As install_identity_prepare() makes it (install.c). */
	if (!crypto_make_cert(cn, org, ou, 3650, &key_pem, &cert_pem, e) ||
	    !crypto_cert_spki(cert_pem, res->spki, sizeof res->spki, e))
		goto out;

	f[n++] = (struct exec_file){ IDENTITY_KEY_REL, key_pem,
	    strlen(key_pem), 0600, NULL };
	f[n++] = (struct exec_file){ IDENTITY_CERT_REL, cert_pem,
	    strlen(cert_pem), identity_mode(idir, IDENTITY_CERT_REL, 0640),
	    NULL };
	f[n++] = (struct exec_file){ IDENTITY_XML_REL, newxml, xmllen,
	    identity_mode(idir, IDENTITY_XML_REL, 0640), NULL };
	f[n++] = (struct exec_file){ CONSOLES_REL, newcons, conslen,
	    identity_mode(idir, CONSOLES_REL, 0640), NULL };
	for (i = 0; i < n; i++)
		identity_set_sum(r, f[i].rel, f[i].data, f[i].len, f[i].mode);
	free(r->engine_id);
	r->engine_id = xstrdup(res->new_id);
	plat_machine_facts(root, &m);
	identity_set_machine(r, &m);
	plat_utc_now(now, sizeof now);
	free(r->identity_renewed_at);
	r->identity_renewed_at = xstrdup(now);
	free(r->identity_previous_engine_id);
	r->identity_previous_engine_id = xstrdup(res->old_id);
	text = record_format(r);
	f[n++] = (struct exec_file){ RECORD_REL, text, strlen(text), 0600, NULL };
	/* The journal's name of the run, for an interrupted one (status,
	 * recover): the command it was. */
	if (!exec_replace_files(root, cancellable ? "identity reset" :
	    "identity check", r->install_dir, idir, f, n,
	    cancellable, e))
		goto out;
	free(path);
	path = xasprintf("new engine id %s (was %s), key and certificate "
	    "(%s): %s; %zu engine-to-console pairing%s marked to pair again",
	    res->new_id, res->old_id, res->spki, reason, res->marked,
	    res->marked == 1 ? "" : "s");
	identity_log(idir, path);
	ok = true;
out:
	plat_file_lock_release(xlock);
	free(idir);
	free(cert);
	if (key_pem != NULL)
		util_free_secret(key_pem);
	free(cert_pem);
	free(xml);
	free(newxml);
	free(cons);
	free(newcons);
	free(cn);
	free(org);
	free(ou);
	free(text);
	free(path);
	return ok;
}

char *
identity_problem(const char *root, const struct record *r)
{
	struct sbuf why;
	char *s = NULL;

	if (r->identity_renewed_at != NULL && r->communication != NULL &&
	    strcmp(r->communication, "engine-to-console") == 0) {
		struct sbuf b;

		sbuf_init(&b);
		sbuf_add(&b, "pair it again: engine-setup pair --console "
		    "HOST[:PORT]");
		sbuf_add_root_option(&b, root);
		s = xasprintf("This engine has a new identity since %s (made "
		    "anew on another machine, a clone or an image, or by "
		    "identity reset): the consoles it was paired with knew "
		    "the old one; %s", r->identity_renewed_at, b.s);
		sbuf_free(&b);
		return s;
	}
	sbuf_init(&why);
	if (identity_compare(root, r, false, &why) == IDENTITY_OTHER) {
		struct sbuf b;

		sbuf_init(&b);
		sbuf_add(&b, "engine-setup identity reset");
		sbuf_add_root_option(&b, root);
		s = xasprintf("This engine's identity was made on another "
		    "machine (a clone or an image: %s); the next start makes "
		    "a new identity; or run %s", why.s, b.s);
		sbuf_free(&b);
	}
	sbuf_free(&why);
	return s;
}
