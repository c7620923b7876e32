#include "install.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "command.h"
#include "confgen.h"
#include "consoles.h"
#include "crypto.h"
#include "identity.h"
#include "log.h"
#include "platform.h"
#include "ready.h"
#include "rootpath.h"
#include "uninstall.h"
#include "util.h"
#include "version.h"

/* A plan_validate'd install_dir under its --root leaves room for the
 * staging folder ("/.<name>.es-staging-XXXXXXXX") and every payload path. */
_Static_assert(PLAN_PATH_RESERVE >= PAYLOAD_PATH_MAX + PLAN_STAGING_EXTRA + 2,
    "PLAN_PATH_RESERVE too small for PAYLOAD_PATH_MAX");

/* Everything one run of the executor works with. */
struct ictx {
	const struct plan *p;
	const struct install_opts *o;
	const char *component;
	char *install_dir;     /* as the host sees it: no root prefix */
	char *target;          /* root + install_dir */
	char *staging;         /* beside target: unpacked and configured here */
	char *backup;          /* beside target: the old installation */
	bool target_existed;   /* an old installation was moved aside */
	struct record rec;
	struct record old;
	bool have_old;
	struct install_result *res;
	struct install_identity ident;   /* when o->identity is NULL */
	const struct install_identity *id;
	bool was_running;      /* an old service was active (upgrade) */
	char *self_aside;      /* the running kept program, moved aside */
	bool product_later;    /* upgrade: the list's entry after the commit */
};

void
install_components(const struct manifest *m, const char *component,
    const char *out[MANIFEST_MAX_COMPONENTS + 1])
{
	const struct manifest_component *c = manifest_component(m, component);
	size_t n = 0;

	while (c != NULL && n < MANIFEST_MAX_COMPONENTS) {
		size_t i;
		bool seen = false;

		for (i = 0; i < n; i++)
			if (strcmp(out[i], c->dir) == 0)
				seen = true;
		if (seen)
			break;
		out[n++] = c->dir;
		c = c->includes != NULL ? manifest_component(m, c->includes) :
		    NULL;
	}
	out[n] = NULL;
}

/* Read rel inside the installation at install_dir (under root) without
 * following a link on the way (plat_read_file_beneath). */
static char *
install_read_in(const char *root, const char *install_dir, const char *rel,
    size_t max, size_t *len, struct es_err *e)
{
	char *dir = plat_join_root(root, install_dir);
	char *text = plat_read_file_beneath(dir, rel, max, len, e);

	free(dir);
	return text;
}

/* The value of key in canonical text ("key = value" lines), or NULL.
 * Caller frees. */
static char *
install_canonical_value(const char *text, const char *key)
{
	size_t n = strlen(key);
	const char *line, *end;

	for (line = text; *line != '\0'; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if (strncmp(line, key, n) == 0 && strncmp(line + n, " = ", 3) == 0)
			return xstrndup(line + n + 3, (size_t)(end - line - n - 3));
	}
	return NULL;
}

/* True for a key whose value is never shown (cli-contract.md: secrets are
 * never written or printed). */
static bool
install_key_secret(const char *key)
{
	return str_has_prefix(key, "shared_secret") ||
	    str_has_prefix(key, "console_admin_password") ||
	    str_has_prefix(key, "password");
}

void
install_diffs_init(struct install_diffs *d)
{
	memset(d, 0, sizeof *d);
}

void
install_diffs_free(struct install_diffs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].key);
		free(d->v[i].installed);
		free(d->v[i].now);
		free(d->v[i].text);
	}
	free(d->v);
	install_diffs_init(d);
}

void
install_diffs_text(const struct install_diffs *d, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		sbuf_addf(out, "  %s\n", d->v[i].text);
}

/* Append an entry to d; the strings are copied, text is taken. */
static void
install_diff_push(struct install_diffs *d, const char *key,
    const char *installed, const char *now, bool secret, char *text)
{
	struct install_diff *x;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	x = &d->v[d->n++];
	x->key = xstrdup(key);
	x->installed = !secret && installed != NULL ? xstrdup(installed) :
	    NULL;
	x->now = !secret && now != NULL ? xstrdup(now) : NULL;
	x->secret = secret;
	x->text = text;
}

/* An entry for every key whose value differs between canonical texts a
 * (installed) and b (now). */
static void
install_diff(const char *a, const char *b, struct install_diffs *d)
{
	const char *texts[2] = { a, b }, *line, *end, *eq;
	int t;

	for (t = 0; t < 2; t++) {
		for (line = texts[t]; *line != '\0';
		    line = *end ? end + 1 : end) {
			char *key, *va, *vb;

			end = strchr(line, '\n');
			if (end == NULL)
				end = line + strlen(line);
			eq = strstr(line, " = ");
			if (eq == NULL || eq > end)
				continue;
			key = xstrndup(line, (size_t)(eq - line));
			va = install_canonical_value(a, key);
			vb = install_canonical_value(b, key);
			/* A key in both is reported once, from a. */
			if ((t == 0 || va == NULL) && (va == NULL ||
			    vb == NULL || strcmp(va, vb) != 0)) {
				bool secret = install_key_secret(key);

				install_diff_push(d, key, va, vb, secret,
				    secret ? xasprintf("%s: (differs)", key) :
				    xasprintf("%s: installed %s%s%s, now "
				    "%s%s%s", key, va ? "'" : "",
				    va ? va : "(not set)", va ? "'" : "",
				    vb ? "'" : "", vb ? vb : "(not set)",
				    vb ? "'" : ""));
			}
			free(key);
			free(va);
			free(vb);
		}
	}
}

/* The same answers with another payload: an upgrade when its version is
 * newer than the installed one, older, or merely different (the same
 * version, or one that cannot be ordered: version.h). */
static enum install_existing
install_version_order(const struct record *old, const struct install_opts *o)
{
	int cmp;

	if (o->manifest == NULL || old->product == NULL ||
	    o->manifest->product == NULL ||
	    strcmp(old->product, o->manifest->product) != 0 ||
	    !version_compare(o->manifest->version, old->version, &cmp) ||
	    cmp == 0)
		return INSTALL_DIFFERENT;
	return cmp > 0 ? INSTALL_UPGRADE : INSTALL_OLDER;
}

enum install_existing
install_existing(const struct plan *p, const struct install_opts *o,
    struct record *old, struct install_diffs *diffs, struct es_err *e)
{
	char *apath, *full, *text, *a = NULL, *b = NULL, *now;
	const char *np, *nv;       /* this payload's product and version */
	struct plan recorded;
	struct es_err local;
	struct install_diffs scratch;
	enum install_existing result = INSTALL_DIFFERENT;
	size_t len;
	char hex[65];
	bool other_payload = false;

	if (!record_load(o->root, old, e))
		return e->code != 0 ? INSTALL_DIFFERENT : INSTALL_NONE;
	install_diffs_init(&scratch);
	if (diffs == NULL)
		diffs = &scratch;
	hex_encode(o->payload->t.data_sha256, 32, hex);
	np = o->manifest != NULL && o->manifest->product != NULL ?
	    o->manifest->product : "?";
	nv = o->manifest != NULL && o->manifest->version != NULL ?
	    o->manifest->version : "?";
	now = xasprintf("%s %s (sha256 %s)", np, nv, hex);
	if (old->payload_sha256 == NULL || strcmp(old->payload_sha256,
	    "-") == 0) {
		install_diff_push(diffs, "payload", NULL, now, false,
		    xstrdup("the payload: the installation's record does not "
		    "say which payload installed it"));
		free(now);
		goto out_payload;
	}
	if (strcmp(hex, old->payload_sha256) != 0) {
		const char *op = old->product ? old->product : "?";
		const char *ov = old->version ? old->version : "?";
		char *was = xasprintf("%s %s (sha256 %s)", op, ov,
		    old->payload_sha256);

		install_diff_push(diffs, "payload", was, now, false,
		    xasprintf("the payload: installed %s %s (sha256 %.12s...), "
		    "now %s %s (sha256 %.12s...)", op, ov, old->payload_sha256,
		    np, nv, hex));
		free(was);
		other_payload = true;
	}
	free(now);
	apath = record_answers_path(old->install_dir);
	full = plat_join_root(o->root, apath);
	err_clear(&local);
	text = install_read_in(o->root, old->install_dir, RECORD_ANSWERS_REL,
	    1u << 20, &len, &local);
	plan_init(&recorded);
	if (text != NULL && answers_parse(&recorded, text, len, full,
	    PLAN_SRC_FILE, &local)) {
		/* engine_name defaults to the host name on both sides (the
		 * record leaves a default out); one given now is compared
		 * with that default. */
		if (!plan_is_set(&recorded, PK_ENGINE_NAME) &&
		    plan_is_set(p, PK_ENGINE_NAME)) {
			struct plat_facts facts;

			if (p->priority[PK_ENGINE_NAME] == 0) {
				plan_set(&recorded, "engine_name",
				    plan_get(p, PK_ENGINE_NAME), PLAN_SRC_FILE,
				    NULL, 0, NULL);
			} else {
				plat_facts(&facts);
				plan_apply_defaults(&recorded, facts.hostname);
			}
		}
		a = plan_canonical(&recorded);
		b = plan_canonical(p);
		if (strcmp(a, b) == 0)
			result = other_payload ? install_version_order(old, o) :
			    INSTALL_SAME;
		else
			install_diff(a, b, diffs);
	} else {
		install_diff_push(diffs, "answers", NULL, NULL, false,
		    xasprintf("the recorded answers: %s cannot be read",
		    full));
	}
	plan_free(&recorded);
	free(a);
	free(b);
	free(text);
	free(full);
	free(apath);
out_payload:
	install_diffs_free(&scratch);
	return result;
}

/* True when everything an install writes outside the installation's own
 * folder stays inside --root: install_dir (target, with the root's prefix)
 * and the folders made above it, the state folder (the pointer, the run
 * lock, the journal), and every path the component's service definition
 * may make or replace (plat_service_paths), a file's folder for a file.
 * Else false with e set (ES_EREQ) naming the link that leads out. */
static bool
install_inside_root(const char *root, const char *component,
    const char *target, const struct manifest *m, struct es_err *e)
{
	const struct manifest_component *mc = m != NULL ?
	    manifest_component(m, component) : NULL;
	char *state = plat_state_file(root);
	struct strlist paths;
	size_t i;
	bool ok;

	strlist_init(&paths);
	ok = plat_path_in_root(root, target, ES_EREQ, e) &&
	    plat_path_in_root(root, state, ES_EREQ, e);
	if (ok && mc != NULL && mc->service != NULL)
		plat_service_paths(root, mc->service, &paths);
	/* The command on PATH (command.h): a link, replaced never. */
	if (plat_command_path() != NULL)
		strlist_add(&paths, plat_command_path());
	for (i = 0; ok && i < paths.n; i++) {
		char *full = plat_join_root(root, paths.v[i]);
		/* A folder ends in '/': itself. A file or link is replaced,
		 * never followed: its folder. */
		char *dir = rootpath_parent(full);

		ok = plat_path_in_root(root, dir, ES_EREQ, e);
		free(dir);
		free(full);
	}
	strlist_free(&paths);
	free(state);
	return ok;
}

bool
install_preflight(const struct plan *p, const struct install_opts *o,
    struct req_report *r, struct es_err *e)
{
	struct req_input in;
	struct record old;
	struct es_err local;
	struct sbuf names;
	char *target;
	size_t i;
	bool ok = true;

	memset(&in, 0, sizeof in);
	in.root = o->root;
	in.install_dir = plan_get(p, PK_INSTALL_DIR);
	in.component = plan_get(p, PK_COMPONENT);
	in.console_to_engine = strcmp(in.component, "engine") == 0 &&
	    strcmp(plan_get(p, PK_COMMUNICATION), "console-to-engine") == 0;
	in.engine_port = plan_port(p, PK_ENGINE_PORT);
	in.overwrite = o->overwrite || o->upgrade;
	in.upgrade = o->upgrade;
	in.payload_bytes = o->payload != NULL ? o->payload->t.data_bytes : 0;
	record_init(&old);
	err_clear(&local);
	if (record_load(o->root, &old, &local))
		in.ours = &old.sysfiles;
	req_check(o->manifest, &in, NULL, r);
	record_free(&old);
	if (r->fails > 0) {
		/* Name them: the rows may be far above, or not shown. */
		sbuf_init(&names);
		for (i = 0; i < r->n; i++)
			if (r->item[i].result == REQ_FAIL)
				sbuf_addf(&names, "%s%s", names.len > 0 ?
				    ", " : "", r->item[i].name);
		err_set(e, ES_EREQ, "%zu requirement(s) not met (%s): nothing "
		    "was changed", r->fails, names.s);
		sbuf_free(&names);
		ok = false;
	}
	/* Under --root every write stays inside it: a symbolic link on the
	 * way that leads out (an image's absolute /opt -> /data, resolved
	 * from the host's /) would put the installation on the host. */
	target = plat_join_root(o->root, in.install_dir);
	if (ok)
		ok = install_inside_root(o->root, in.component, target,
		    o->manifest, e);
	free(target);
	return ok;
}

/* ---- steps ---- */

static const char *
install_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static bool
step_prepare(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	char *parent = rootpath_parent(c->target);
	char *p, *full, id[37], *real, *name;
	struct strlist missing;
	size_t i;
	bool ok = false, made;

	/* The folders above install_dir this run makes go into the record,
	 * top down (uninstall removes them, when empty, bottom up): named
	 * as the host sees them, each looked for inside the root. */
	strlist_init(&missing);
	p = rootpath_parent(c->install_dir);
	while (rootpath_root_len(p) > 0 && !rootpath_is_root(p)) {
		full = plat_join_root(c->o->root, p);
		made = plat_file_type(full) == PLAT_NONE;
		free(full);
		if (!made)
			break;
		strlist_add_owned(&missing, p);
		p = rootpath_parent(p);
	}
	free(p);
	for (i = missing.n; i-- > 0; )
		strlist_add(&c->rec.parents, missing.v[i]);
	strlist_free(&missing);
	if (!exec_mkdirs(x, parent, 0755, e))
		goto out;
	crypto_uuid(id);
	id[8] = '\0';
	/* Secure extraction refuses a path with a link in it anywhere, so
	 * staging is named through the real path of the parent (a linked
	 * /opt is common). */
	real = plat_real_path(parent);
	name = xasprintf(".%s.es-staging-%s", install_base(c->target), id);
	c->staging = rootpath_join(real ? real : parent, name);
	free(name);
	name = xasprintf(".%s.es-backup-%s", install_base(c->target), id);
	c->backup = rootpath_join(real ? real : parent, name);
	free(name);
	free(real);
	if (!exec_push(x, UNDO_REMOVE_TREE, c->staging, NULL, e) ||
	    !plat_mkdirs(c->staging, 0755, NULL, e))
		goto out;
	ok = true;
out:
	free(parent);
	return ok;
}

struct unpack_arg {
	struct ictx *c;
	struct exec *x;
	uint64_t next_kick;     /* bytes written when write-back is kicked */
};

static bool
unpack_progress(const struct payload_progress *pr, void *arg)
{
	struct unpack_arg *u = arg;

	if (plat_signals_pending() > 0)
		return false;
	/* Flush as we go: the one sync before the move then has little
	 * left to write. */
	if (pr->bytes_done >= u->next_kick) {
		plat_writeback_kick(u->c->staging);
		u->next_kick = pr->bytes_done + (64u << 20);
	}
	if (u->c->o->progress != NULL)
		return u->c->o->progress(pr, u->c->o->progress_arg);
	return true;
}

static void
unpack_entry(const char *rel, char type, unsigned mode, const char *sha,
    void *arg)
{
	struct unpack_arg *u = arg;
	char *path = xasprintf("%s/%s", u->c->install_dir, rel);

	record_add(&u->c->rec, type, mode, sha, path);
	free(path);
}

static bool
step_unpack(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	const char *comps[MANIFEST_MAX_COMPONENTS + 1];
	struct payload_extract_opts eo;
	struct unpack_arg u = { c, x, 64u << 20 };
	char hex[65];
	bool ok;

	install_components(c->o->manifest, c->component, comps);
	memset(&eo, 0, sizeof eo);
	eo.dest = c->staging;
	eo.components = comps;
	eo.manifest = c->o->manifest;
	eo.progress = unpack_progress;
	eo.progress_arg = &u;
	eo.entry = unpack_entry;
	eo.entry_arg = &u;
	ok = payload_extract(c->o->payload, &eo, e);
	plat_writeback_stop();
	if (!ok) {
		if (e->code == ES_ECANCEL && plat_signals_pending() > 0) {
			err_clear(e);
			err_set(e, ES_ECANCEL, "cancelled by a signal while "
			    "unpacking: everything this run changed is being "
			    "undone");
		}
		return false;
	}
	hex_encode(c->o->payload->t.data_sha256, 32, hex);
	log_msg("unpacked %zu entries; payload SHA-256 %s verified", c->rec.n,
	    hex);
	return true;
}

/* Write a file into staging and record it. Never through a link: one the
 * payload placed on the way fails the install (plat_write_file_beneath). */
static bool
install_write(struct ictx *c, const char *rel, const char *data, size_t len,
    unsigned mode, struct es_err *e)
{
	char *recpath = xasprintf("%s/%s", c->install_dir, rel);
	char sha[65];
	size_t i;
	bool ok = false;

	if (!plat_write_file_beneath(c->staging, rel, data, len, mode, e))
		goto out;
	crypto_sha256_hex(data, len, sha);
	for (i = 0; i < c->rec.n; i++) {
		if (strcmp(c->rec.entries[i].path, recpath) == 0) {
			c->rec.entries[i].mode = mode;
			memcpy(c->rec.entries[i].sha256, sha, sizeof sha);
			ok = true;
			goto out;
		}
	}
	record_add(&c->rec, 'f', mode, sha, recpath);
	ok = true;
out:
	free(recpath);
	return ok;
}

/* Read a file of the old installation (overwrite), or NULL. */
static char *
install_old_file(struct ictx *c, const char *rel, size_t *len)
{
	if (!c->have_old)
		return NULL;
	return plat_read_file_beneath(c->target, rel, 16u << 20, len, NULL);
}

/* Keep an old file (overwrite) or write the new one. */
static bool
install_keep_or_write(struct ictx *c, const char *rel, char *fresh,
    unsigned mode, struct es_err *e)
{
	size_t len;
	char *old = install_old_file(c, rel, &len);
	bool ok;

	if (old != NULL) {
		log_msg("kept %s from the installation it replaces", rel);
		ok = install_write(c, rel, old, len, mode, e);
		util_wipe(old, len);
		free(old);
	} else {
		ok = install_write(c, rel, fresh, strlen(fresh), mode, e);
	}
	return ok;
}

/* The administrator password from its file (first line) or password1. */
static char *
install_admin_password(const struct plan *p, struct es_err *e)
{
	const char *file = plan_get(p, PK_CONSOLE_ADMIN_PASSWORD_FILE);
	char *text, *all;
	size_t len;

	if (file == NULL) {
		const char *v = plan_get(p, PK_CONSOLE_ADMIN_PASSWORD);

		if (v == NULL) {
			err_set(e, ES_EUSAGE, "no administrator password: set "
			    "console_admin_password_file");
			return NULL;
		}
		return xstrdup(v);
	}
	if ((all = plat_read_file(file, 4096, &len, e)) == NULL)
		return NULL;
	/* The first line; the whole buffer is wiped (what follows a NUL
	 * too). */
	text = xstrndup(all, strcspn(all, "\r\n"));
	util_wipe(all, len);
	free(all);
	if (strlen(text) < 8) {
		err_set(e, ES_EUSAGE, "%s: the administrator password must have "
		    "at least 8 characters", file);
		util_free_secret(text);
		return NULL;
	}
	return text;
}

/* The certificate subject's common name: "first last", cut to X.520's 64
 * characters (ub-common-name, RFC 5280 appendix A; characters, as OpenSSL
 * counts them, not bytes), without a trailing space. */
static char *
install_cn(const struct plan *p)
{
	char *cn = xasprintf("%s %s", plan_get(p, PK_FIRST_NAME),
	    plan_get(p, PK_LAST_NAME));
	size_t i, chars = 0;

	for (i = 0; cn[i] != '\0'; i++) {
		if (((unsigned char)cn[i] & 0xc0) == 0x80)
			continue;
		if (chars++ == PLAN_X520_NAME_MAX) {
			cn[i] = '\0';
			break;
		}
	}
	for (i = strlen(cn); i > 0 && cn[i - 1] == ' '; i--)
		cn[i - 1] = '\0';
	return cn;
}

/* Write a key pair for a component: kept from the installation it
 * replaces, or new. */
static bool
install_cert(struct ictx *c, const char *keyrel, const char *certrel,
    const char *unit, struct es_err *e)
{
	char *cn, *key = NULL, *cert = NULL;
	size_t len;
	char *oldkey = install_old_file(c, keyrel, &len);
	bool ok = false;

	if (oldkey != NULL) {
		util_wipe(oldkey, len);
		free(oldkey);
		return install_keep_or_write(c, keyrel, "", 0600, e) &&
		    install_keep_or_write(c, certrel, "", 0640, e);
	}
	cn = install_cn(c->p);
	if (!crypto_make_cert(cn, plan_get(c->p, PK_COMPANY), unit, 3650,
	    &key, &cert, e))
		goto out;
	if (!install_write(c, keyrel, key, strlen(key), 0600, e) ||
	    !install_write(c, certrel, cert, strlen(cert), 0640, e))
		goto out;
	ok = true;
out:
	free(cn);
	if (key != NULL)
		util_free_secret(key);
	free(cert);
	return ok;
}

bool
install_pairs(const struct plan *p)
{
	return strcmp(plan_get(p, PK_COMPONENT), "engine") == 0 &&
	    strcmp(plan_get(p, PK_COMMUNICATION), "engine-to-console") == 0 &&
	    plan_yes(p, PK_PAIR_NOW);
}

void
install_identity_free(struct install_identity *id)
{
	util_free_secret(id->key_pem);
	free(id->cert_pem);
	memset(id, 0, sizeof *id);
}

bool
install_identity_prepare(const struct plan *p, const struct install_opts *o,
    struct install_identity *id, struct es_err *e)
{
	struct record old;
	struct es_err local;
	char *cn = NULL, *unit = NULL;
	bool ok = false;

	memset(id, 0, sizeof *id);
	record_init(&old);
	err_clear(&local);
	if ((o->overwrite || o->upgrade) &&
	    record_load(o->root, &old, &local) &&
	    strcmp(old.install_dir, plan_get(p, PK_INSTALL_DIR)) == 0) {
		size_t len;

		id->key_pem = install_read_in(o->root, old.install_dir,
		    "nse/conf/nse.key", 1u << 20, &len, NULL);
		id->cert_pem = install_read_in(o->root, old.install_dir,
		    "nse/conf/nse.crt", 1u << 20, &len, NULL);
		if (id->key_pem != NULL && id->cert_pem != NULL &&
		    old.engine_id != NULL && strlen(old.engine_id) == 36) {
			snprintf(id->engine_id, sizeof id->engine_id, "%s",
			    old.engine_id);
			id->kept = true;
			ok = true;
			goto out;
		}
		install_identity_free(id);
	}
	crypto_uuid(id->engine_id);
	cn = install_cn(p);
	unit = xasprintf(PLAN_ENGINE_UNIT "%s", plan_get(p, PK_ENGINE_NAME));
	ok = crypto_make_cert(cn, plan_get(p, PK_COMPANY), unit, 3650,
	    &id->key_pem, &id->cert_pem, e);
out:
	free(cn);
	free(unit);
	record_free(&old);
	return ok;
}

/* Whether the old installation's nse.xml (an upgrade's) is byte for byte
 * what confgen_nse_xml writes for ce with the old installation's version:
 * nobody changed it since. False when there is none or it differs. */
static bool
install_nse_xml_is_default(struct ictx *c, const struct confgen_engine *ce)
{
	struct confgen_engine was = *ce;
	size_t len;
	char *old, *def;
	bool same;

	if (!c->have_old || c->old.version == NULL)
		return false;
	if ((old = install_old_file(c, "nse/conf/nse.xml", &len)) == NULL)
		return false;
	was.version = c->old.version;
	def = confgen_nse_xml(&was);
	same = strlen(def) == len && memcmp(def, old, len) == 0;
	free(def);
	free(old);
	if (same)
		log_msg("nse/conf/nse.xml is as %s wrote it: written for %s",
		    c->old.version, ce->version);
	return same;
}

static bool
step_configure(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	struct confgen_engine ce;
	char *text = NULL, *pw = NULL, *hash = NULL, *unit = NULL;
	bool ok = false;

	(void)x;
	snprintf(c->res->engine_id, sizeof c->res->engine_id, "%s",
	    c->id->engine_id);
	c->rec.engine_id = xstrdup(c->res->engine_id);
	if (c->id->kept)
		log_msg("kept the engine id, key and certificate of the "
		    "installation it replaces");
	if (!install_write(c, "nse/conf/nse.key", c->id->key_pem,
	    strlen(c->id->key_pem), 0600, e) ||
	    !install_write(c, "nse/conf/nse.crt", c->id->cert_pem,
	    strlen(c->id->cert_pem), 0640, e))
		goto out;
	memset(&ce, 0, sizeof ce);
	ce.name = plan_get(c->p, PK_ENGINE_NAME);
	ce.id = c->res->engine_id;
	ce.communication = strcmp(c->component, "engine") == 0 ?
	    plan_get(c->p, PK_COMMUNICATION) : "console-to-engine";
	ce.port = plan_port(c->p, PK_ENGINE_PORT);
	ce.version = c->o->manifest->version;
	c->rec.engine_name = xstrdup(ce.name != NULL ? ce.name : "");
	c->rec.communication = xstrdup(ce.communication);
	c->rec.engine_port = xasprintf("%u", ce.port);
	text = confgen_nse_xml(&ce);
	/* An upgrade keeps nse.xml as it is (the answers are the same), but
	 * for its version: when the file is still exactly what the old
	 * version wrote, the new version's is written (dpkg's conffile rule,
	 * docs/upgrade.md), so that the engine reports the version it runs;
	 * a file changed since is kept as it is. */
	if (c->o->upgrade && !install_nse_xml_is_default(c, &ce)) {
		if (!install_keep_or_write(c, "nse/conf/nse.xml", text, 0640, e))
			goto out;
	} else if (!install_write(c, "nse/conf/nse.xml", text, strlen(text),
	    0640, e)) {
		goto out;
	}
	free(text);
	text = confgen_consoles_xml_empty();
	if (!install_keep_or_write(c, CONSOLES_REL, text, 0640, e))
		goto out;

	if (strcmp(c->component, "console") == 0) {
		struct confgen_console cc;

		unit = xstrdup("Security Console");
		if (!install_cert(c, "nsc/conf/nsc.key", "nsc/conf/nsc.crt",
		    unit, e))
			goto out;
		if ((pw = install_admin_password(c->p, e)) == NULL)
			goto out;
		hash = crypto_password_hash(pw, e);
		/* Not needed past the hash: gone before anything is written. */
		util_free_secret(pw);
		pw = NULL;
		if (hash == NULL)
			goto out;
		memset(&cc, 0, sizeof cc);
		cc.web_port = REQ_CONSOLE_WEB_PORT;
		cc.version = c->o->manifest->version;
		cc.admin_user = plan_get(c->p, PK_CONSOLE_ADMIN_USER);
		cc.admin_hash = hash;
		free(text);
		text = confgen_nsc_xml(&cc);
		if (!install_write(c, "nsc/conf/nsc.xml", text, strlen(text),
		    0640, e))
			goto out;
		free(text);
		text = confgen_userdb_xml(&cc);
		if (!install_write(c, "nsc/conf/userdb.xml", text,
		    strlen(text), 0600, e))
			goto out;
	}
	ok = true;
out:
	free(text);
	free(unit);
	util_free_secret(pw);
	free(hash);
	return ok;
}

/* Pair with the console (engine-to-console, pair_now = yes) and record it
 * in consoles.xml, as pairing-protocol.md's "After pairing" shows. */
static bool
step_pair(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	struct pairing_opts po;
	struct pairing_result pr;
	struct confgen_console_entry ce;
	char *path = NULL, *text = NULL, *out = NULL;
	size_t len, outlen;
	bool ok = false;

	(void)x;
	if (!install_pairs(c->p))
		return true;
	memset(&po, 0, sizeof po);
	memset(&pr, 0, sizeof pr);
	po.host = plan_get(c->p, PK_CONSOLE_ADDRESS);
	po.port = plan_port(c->p, PK_CONSOLE_PORT);
	po.secret = c->o->secret;
	po.pin = plan_get(c->p, PK_CONSOLE_FINGERPRINT);
	po.proxy = plan_get(c->p, PK_PROXY);
	po.engine_id = c->id->engine_id;
	po.engine_name = plan_get(c->p, PK_ENGINE_NAME);
	po.engine_version = c->o->manifest->version;
	po.engine_cert_pem = c->id->cert_pem;
	po.step = c->o->pair_step;
	po.step_arg = c->o->pair_step_arg;
	po.signals = plat_signals_pending;
	ok = pairing_run(&po, &pr, e);
	if (c->o->secret != NULL)
		util_wipe(c->o->secret, strlen(c->o->secret));
	if (!ok)
		goto out;
	ok = false;
	path = xasprintf("%s/" CONSOLES_REL, c->staging);
	if ((text = plat_read_file_beneath(c->staging, CONSOLES_REL,
	    16u << 20, &len, e)) == NULL)
		goto out;
	memset(&ce, 0, sizeof ce);
	ce.enabled = true;
	ce.connect_to = true;
	ce.name = pr.console_name;
	ce.last_address = po.host;
	ce.port = po.port;
	ce.console_id = pr.console_id;
	ce.spki = pr.console_spki;
	ce.cert_pem = pr.console_cert_pem;
	if (!consoles_upsert(text, len, path, &ce, &out, &outlen, e) ||
	    !install_write(c, CONSOLES_REL, out, outlen, 0640, e))
		goto out;
	c->res->paired = true;
	snprintf(c->res->console_name, sizeof c->res->console_name, "%s",
	    pr.console_name);
	snprintf(c->res->console_spki, sizeof c->res->console_spki, "%s",
	    pr.console_spki);
	log_msg("paired with console %s (%s) at %s:%u, key %s",
	    pr.console_name, pr.console_id, po.host, po.port, pr.console_spki);
	ok = true;
out:
	pairing_result_free(&pr);
	free(path);
	free(text);
	free(out);
	return ok;
}

/* Journal how to undo everything registering service mc->service may make
 * or replace (plat_service_paths), before it is registered: folders that
 * do not exist are removed again, files and links are put back as they
 * are now, or removed. A platform whose services are no files (Windows'
 * SCM: no paths) cannot put a replaced definition back that way: a
 * service already registered there (--overwrite of the same product) is
 * updated in place and left registered by the undo. */
static bool
install_journal_service(struct exec *x, const char *root, const char *name,
    struct es_err *e)
{
	struct strlist paths;
	size_t i;
	bool ok = true;

	strlist_init(&paths);
	plat_service_paths(root, name, &paths);
	for (i = 0; ok && i < paths.n; i++) {
		char *full = plat_join_root(root, paths.v[i]);

		if (str_has_suffix(paths.v[i], "/")) {
			if (plat_file_type(full) == PLAT_NONE)
				ok = exec_push(x, UNDO_RMDIR, full, NULL, e);
		} else {
			ok = exec_push_path(x, full, e);
		}
		free(full);
	}
	/* Undone first (the journal runs backwards): the service is
	 * unregistered, then what was there before comes back. */
	if (ok && paths.n == 0) {
		char state[128];

		plat_service_state(root, name, state, sizeof state);
		if (strcmp(state, "not installed") != 0 &&
		    strcmp(state, "unknown") != 0) {
			strlist_free(&paths);
			return true;
		}
	}
	if (ok)
		ok = exec_push(x, UNDO_SERVICE_REMOVE, root, name, e);
	strlist_free(&paths);
	return ok;
}

static bool
step_services(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	const struct manifest_component *mc =
	    manifest_component(c->o->manifest, c->component);
	struct plat_service s;
	struct strlist files;
	char *exec = NULL, *wd = NULL, *check = NULL;
	size_t i;
	bool ok = false;

	strlist_init(&files);
	if (mc == NULL || mc->service == NULL) {
		log_msg("component %s has no service", c->component);
		return true;
	}
	/* Overwrite: stop the old service while its files are replaced, and
	 * keep its definitions to put back on rollback. */
	if (c->have_old) {
		for (i = 0; i < c->old.services.n; i++) {
			char state[128];

			plat_service_state(c->o->root, c->old.services.v[i],
			    state, sizeof state);
			if (strcmp(state, "active") != 0)
				continue;
			c->was_running = true;
			if (!exec_push(x, UNDO_SERVICE_START, c->o->root,
			    c->old.services.v[i], e) ||
			    !plat_service_stop(c->old.services.v[i], e))
				goto out;
		}
		for (i = 0; i < c->old.sysfiles.n; i++) {
			const char *sf = c->old.sysfiles.v[i];
			char *full;
			bool pushed;

			if (str_has_suffix(sf, "/"))
				continue;
			full = plat_join_root(c->o->root, sf);
			pushed = exec_push_path(x, full, e);
			free(full);
			if (!pushed)
				goto out;
		}
	}
	if (!install_journal_service(x, c->o->root, mc->service, e))
		goto out;
	exec = xasprintf("%s/%s", c->install_dir, mc->exec);
	wd = xasprintf("%s/%s", c->install_dir,
	    mc->workdir != NULL ? mc->workdir : "");
	memset(&s, 0, sizeof s);
	s.name = mc->service;
	s.description = mc->title != NULL ? mc->title : mc->service;
	s.exec = exec;
	s.workdir = wd;
	check = xasprintf("%s/%s", c->install_dir, plat_program_name());
	s.check = check;
	if (!plat_service_install(c->o->root, &s, &files, e))
		goto out;
	strlist_add(&c->rec.services, mc->service);
	for (i = 0; i < files.n; i++)
		if (!strlist_contains(&c->rec.sysfiles, files.v[i]))
			strlist_add(&c->rec.sysfiles, files.v[i]);
	snprintf(c->res->service, sizeof c->res->service, "%s", mc->service);
	log_msg("registered service %s", mc->service);
	ok = true;
out:
	strlist_free(&files);
	free(exec);
	free(wd);
	free(check);
	return ok;
}

/* How the installed component's service shows it is ready, from the
 * manifest into the record (ready.h): "engine_port" becomes the engine's
 * port when the engine listens (Console-to-Engine), else no port. */
static void
install_record_ready(struct ictx *c)
{
	const struct manifest_component *mc =
	    manifest_component(c->o->manifest, c->component);

	if (mc == NULL)
		return;
	if (mc->ready_log != NULL && mc->ready_line != NULL) {
		c->rec.ready_log = xstrdup(mc->ready_log);
		c->rec.ready_line = xstrdup(mc->ready_line);
		if (mc->ready_start != NULL)
			c->rec.ready_start = xstrdup(mc->ready_start);
	}
	if (mc->ready_port == NULL)
		return;
	if (strcmp(mc->ready_port, "engine_port") != 0)
		c->rec.ready_port = xstrdup(mc->ready_port);
	else if (c->rec.communication != NULL && c->rec.engine_port != NULL &&
	    strcmp(c->rec.communication, "console-to-engine") == 0)
		c->rec.ready_port = xstrdup(c->rec.engine_port);
}

static bool
step_record(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	char *answers = plan_write(c->p), *text = NULL;
	char hex[65], now[32];
	size_t i;
	bool ok = false;

	(void)x;
	hex_encode(c->o->payload->t.data_sha256, 32, hex);
	plat_utc_now(now, sizeof now);
	c->rec.product = xstrdup(c->o->manifest->product);
	c->rec.version = xstrdup(c->o->manifest->version);
	c->rec.payload_sha256 = xstrdup(hex);
	c->rec.component = xstrdup(c->component);
	c->rec.install_dir = xstrdup(c->install_dir);
	c->rec.installed_at = xstrdup(now);
	/* --overwrite: the folders the installation it replaces made (above
	 * install_dir, for its service and its command) exist now, so this
	 * run did not make them; they are still the installation's. */
	for (i = 0; c->have_old && i < c->old.sysfiles.n; i++)
		if (str_has_suffix(c->old.sysfiles.v[i], "/") &&
		    !strlist_contains(&c->rec.sysfiles, c->old.sysfiles.v[i]))
			strlist_add(&c->rec.sysfiles, c->old.sysfiles.v[i]);
	if (c->have_old && c->rec.parents.n == 0)
		for (i = 0; i < c->old.parents.n; i++)
			strlist_add(&c->rec.parents, c->old.parents.v[i]);
	if (c->o->upgrade && c->have_old && c->old.version != NULL) {
		if (c->old.installed_at != NULL) {
			free(c->rec.installed_at);
			c->rec.installed_at = xstrdup(c->old.installed_at);
		}
		c->rec.upgraded_from = xstrdup(c->old.version);
		c->rec.upgraded_at = xstrdup(now);
		snprintf(c->res->upgraded_from, sizeof c->res->upgraded_from,
		    "%s", c->old.version);
	}
	install_record_ready(c);
	/* Whom the identity belongs to (identity.h); a kept identity stays
	 * with the machine it was made for. */
	if (c->id->kept && c->have_old && c->old.machine != NULL) {
		c->rec.machine = xstrdup(c->old.machine);
		if (c->old.machine_id_sha256 != NULL)
			c->rec.machine_id_sha256 =
			    xstrdup(c->old.machine_id_sha256);
		if (c->old.system_uuid_sha256 != NULL)
			c->rec.system_uuid_sha256 =
			    xstrdup(c->old.system_uuid_sha256);
		if (c->old.identity_renewed_at != NULL)
			c->rec.identity_renewed_at =
			    xstrdup(c->old.identity_renewed_at);
		if (c->old.identity_previous_engine_id != NULL)
			c->rec.identity_previous_engine_id =
			    xstrdup(c->old.identity_previous_engine_id);
	} else {
		identity_record_machine(c->o->root, &c->rec);
	}
	if (!install_write(c, RECORD_ANSWERS_REL, answers, strlen(answers),
	    0600, e) || !plat_chmod_beneath(c->staging, RECORD_DIR_REL, 0700,
	    e))
		goto out;
	text = record_format(&c->rec);
	ok = plat_write_file_beneath(c->staging, RECORD_REL, text,
	    strlen(text), 0600, e);
out:
	free(answers);
	free(text);
	return ok;
}

/* True when the program running is the copy the installation at target
 * keeps (plat_program_name()): an upgrade run from it. */
static bool
install_runs_kept(const struct ictx *c)
{
	char *kept = rootpath_join(c->target, plat_program_name());
	char *self = plat_self_exe(), *rk = plat_real_path(kept);
	char *rs = self != NULL ? plat_real_path(self) : NULL;
	bool same = rk != NULL && rs != NULL && strcmp(rk, rs) == 0;

	free(kept);
	free(self);
	free(rk);
	free(rs);
	return same;
}

/* What install_carry_cb() carries from the old installation. */
struct carry_arg {
	struct ictx *c;
	struct es_err *e;
	size_t files;
	bool ok;
	bool only_logs;    /* only what uninstall_is_log() names */
};

static bool install_carry_cb(const char *rel, enum plat_ftype t,
    unsigned mode, void *arg);

static bool
step_move(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	enum plat_ftype t = plat_file_type(c->target);

	/* The engine's and the console's logs in the folder replaced (an
	 * --overwrite, or the logs an uninstall left) go into the new
	 * installation, as the install log does (install_write_log); an
	 * upgrade has carried them already ("Keeping your configuration"). */
	if (t == PLAT_DIR && !c->o->upgrade) {
		struct carry_arg a = { c, e, 0, true, true };

		if (!plat_walk(c->target, install_carry_cb, &a, e) || !a.ok)
			return false;
		if (a.files > 0)
			log_msg("carried over %zu log files from %s", a.files,
			    c->install_dir);
	}
	plat_sync_fs(c->staging);
	/* Windows cannot move a folder that holds the running program, but
	 * can move the program: the kept copy running this run goes aside
	 * on its own first (put back by the undo, removed after the
	 * commit). */
	if (t == PLAT_DIR && install_runs_kept(c)) {
		char *kept = rootpath_join(c->target, plat_program_name());
		bool ok;

		c->self_aside = xasprintf("%s.program", c->backup);
		ok = exec_push(x, UNDO_RENAME, c->self_aside, kept, e) &&
		    plat_rename(kept, c->self_aside, e);
		free(kept);
		if (!ok)
			return false;
		log_msg("moved the running program aside to %s",
		    c->self_aside);
	}
	/* The old installation, or a folder holding only old logs
	 * (preflight checked), is moved aside; its log is carried over and
	 * it is removed once the new installation is in place. */
	if (t == PLAT_DIR) {
		if (!exec_push(x, UNDO_RENAME, c->backup, c->target, e) ||
		    !plat_rename(c->target, c->backup, e))
			return false;
		c->target_existed = true;
	}
	if (!exec_push(x, UNDO_RENAME, c->target, c->staging, e) ||
	    !plat_rename(c->staging, c->target, e))
		return false;
	log_msg("moved the installation into place at %s", c->install_dir);
	return true;
}

static bool
step_pointer(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	char *state = plat_state_file(c->o->root);
	char *dir = rootpath_parent(state);
	char *text = record_pointer_text(c->install_dir);
	bool ok;

	ok = exec_mkdirs(x, dir, 0755, e) && exec_push_path(x, state, e) &&
	    plat_write_file_atomic(state, text, strlen(text), 0644, e);
	free(state);
	free(dir);
	free(text);
	return ok;
}

static bool
step_start(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;

	if (c->res->service[0] == '\0')
		return true;
	/* An upgrade starts again what ran before it. */
	if (!plan_yes(c->p, PK_START_SERVICE) && !c->was_running) {
		log_msg("not starting %s: start_service = no", c->res->service);
		c->res->start = INSTALL_START_DECLINED;
		return true;
	}
	if (!plat_service_manager_running(c->o->root)) {
		log_msg("not starting %s: no running service manager for this "
		    "root", c->res->service);
		c->res->start = INSTALL_START_NO_MANAGER;
		return true;
	}
	c->res->ready_since = ready_log_size(c->o->root, &c->rec);
	if (!exec_push(x, UNDO_SERVICE_STOP, c->o->root,
	    c->res->service, e) ||
	    !plat_service_start(c->res->service, e))
		return false;
	c->res->started = true;
	c->res->start = INSTALL_STARTED;
	return true;
}

/* The bytes of this program without its payload (payload.h: the file up
 * to the trailer's meta_off; a program without one is taken whole), into
 * *data. False with e set. Caller frees. */
static bool
install_stub(char **data, size_t *len, struct es_err *e)
{
	struct payload p;
	struct es_err local;
	char *self = plat_self_exe();
	FILE *f = NULL;
	uint64_t n;
	bool ok = false;

	*data = NULL;
	memset(&p, 0, sizeof p);
	if (self == NULL) {
		err_set(e, ES_EINSTALL, "cannot find this program's own file "
		    "to keep a copy for uninstalling");
		return false;
	}
	err_clear(&local);
	if (payload_open(&p, self, &local))
		n = p.t.meta_off;
	else
		n = (uint64_t)-1;
	payload_close(&p);
	if ((f = plat_fopen_regular(self, "rb", e)) == NULL)
		goto out;
	if (n == (uint64_t)-1) {
		if (fseek(f, 0, SEEK_END) != 0 || (n = (uint64_t)ftell(f)) ==
		    (uint64_t)-1 || fseek(f, 0, SEEK_SET) != 0)
			n = 0;
	}
	if (n == 0 || n > (256u << 20)) {
		err_set(e, ES_EINSTALL, "cannot read %s to keep a copy for "
		    "uninstalling: its size cannot be told", self);
		goto out;
	}
	*data = xmalloc((size_t)n);
	if (fread(*data, 1, (size_t)n, f) != (size_t)n) {
		err_set(e, ES_EINSTALL, "cannot read %s to keep a copy for "
		    "uninstalling", self);
		goto out;
	}
	*len = (size_t)n;
	ok = true;
out:
	if (f != NULL)
		fclose(f);
	if (!ok) {
		free(*data);
		*data = NULL;
	}
	free(self);
	return ok;
}

/* The command on PATH (command.h) as a link to the kept copy, recorded
 * as a sysfile after the folders made for it, each journalled before it
 * is made so that the run's undo takes it away again. This installation's
 * own link (--overwrite) stays; something else there is left as it is,
 * with a warning in the result. */
static bool
install_command(struct exec *x, struct ictx *c, struct es_err *e)
{
	const char *cmd = plat_command_path(), *root = c->o->root;
	char *what = NULL, *target, *full, *p;
	struct strlist missing;
	enum command_state st;
	size_t i;
	bool ok = true;

	if (cmd == NULL)
		return true;
	target = command_target(c->install_dir);
	st = command_state(root, c->install_dir, &what);
	if (st == COMMAND_OTHER) {
		snprintf(c->res->command_warning,
		    sizeof c->res->command_warning, "%s is %s, not "
		    "engine-setup's link: it was left as it is. This "
		    "installation's engine-setup is %s: run it by that path "
		    "(status, pair, consoles, uninstall).", cmd, what, target);
		log_msg("not linking %s: it is %s", cmd, what);
		goto out;
	}
	if (st == COMMAND_NONE) {
		/* The folders above it that are missing, top down. */
		strlist_init(&missing);
		p = rootpath_parent(cmd);
		while (rootpath_root_len(p) > 0 && !rootpath_is_root(p)) {
			full = plat_join_root(root, p);
			if (plat_file_type(full) != PLAT_NONE) {
				free(full);
				break;
			}
			free(full);
			strlist_add_owned(&missing, p);
			p = rootpath_parent(p);
		}
		free(p);
		for (i = missing.n; ok && i-- > 0; ) {
			full = plat_join_root(root, missing.v[i]);
			ok = exec_push(x, UNDO_RMDIR, full, NULL, e) &&
			    plat_mkdirs(full, 0755, NULL, e);
			free(full);
			if (ok)
				strlist_add_owned(&c->rec.sysfiles,
				    xasprintf("%s/", missing.v[i]));
		}
		strlist_free(&missing);
		full = plat_join_root(root, cmd);
		ok = ok && exec_push_path(x, full, e) &&
		    plat_command_link(root, target, e);
		free(full);
		if (ok)
			log_msg("linked %s to %s", cmd, target);
	}
	if (ok && !strlist_contains(&c->rec.sysfiles, cmd))
		strlist_add(&c->rec.sysfiles, cmd);
out:
	free(what);
	free(target);
	return ok;
}

/* Keep a copy of engine-setup without its payload in the installation
 * (plat_program_name()), for the commands after install and for Add/Remove
 * Programs' Uninstall: staged like every other file, so the run's undo
 * takes it away again, and listed in the record, so that an uninstall
 * removes it. Then the command on PATH that runs it (install_command). */
static bool
step_program(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	const char *name = plat_program_name();
	char *data = NULL;
	size_t len = 0;
	bool ok;

	if (!install_stub(&data, &len, e))
		return false;
	ok = install_write(c, name, data, len, 0755, e);
	free(data);
	if (ok)
		log_msg("kept the program %s/%s (%zu bytes)",
		    c->install_dir, name, len);
	return ok && install_command(x, c, e);
}

/* Carry out one verdict of the conffile rule in staging (upgrade.h): the
 * administrator's bytes C come from the old installation, never through a
 * link; the record keeps the default's sum, as dpkg keeps a conffile's. */
static bool
install_keep_one(struct ictx *c, const struct upgrade_item *it,
    struct es_err *e)
{
	char *data = NULL, *from = NULL, *to = NULL, *path = NULL;
	size_t len = 0;
	bool ok = false, removed;

	if (it->verdict == UPGRADE_STAYS_DELETED) {
		log_msg("%s stays deleted, as the administrator left it",
		    it->rel);
		return plat_remove_beneath(c->staging, it->rel, &removed, e);
	}
	if ((data = plat_read_file_beneath(c->target, it->rel, 256u << 20,
	    &len, e)) == NULL)
		goto out;
	from = rootpath_join(c->staging, it->rel);
	if (it->verdict == UPGRADE_KEEP_AND_NEW) {
		to = xasprintf("%s" UPGRADE_NEW_SUFFIX, from);
		path = xasprintf("%s/%s" UPGRADE_NEW_SUFFIX, c->install_dir,
		    it->rel);
		if (!plat_rename(from, to, e))
			goto out;
		if (!record_set_file(&c->rec, path, it->sha256, it->mode))
			record_add(&c->rec, 'f', it->mode, it->sha256, path);
	} else if (it->verdict == UPGRADE_KEEP_DROPPED) {
		to = rootpath_parent(from);
		path = xasprintf("%s/%s", c->install_dir, it->rel);
		if (!plat_mkdirs(to, 0755, NULL, e))
			goto out;
		record_add(&c->rec, 'f', it->mode, it->sha256, path);
	}
	if (!plat_write_file_beneath(c->staging, it->rel, data, len, it->mode,
	    e))
		goto out;
	log_msg("kept %s as the administrator changed it%s", it->rel,
	    it->verdict == UPGRADE_KEEP_AND_NEW ? "; the new default is "
	    "beside it (" UPGRADE_NEW_SUFFIX ")" : "");
	ok = true;
out:
	if (data != NULL)
		util_wipe(data, len);
	free(data);
	free(from);
	free(to);
	free(path);
	return ok;
}

/* Copy rel of the old installation into staging, never through a link,
 * with its permission bits. */
static bool
install_copy_in(struct ictx *c, const char *rel, unsigned mode,
    struct es_err *e)
{
	char *dst = rootpath_join(c->staging, rel), *dir = rootpath_parent(dst);
	char buf[1 << 16];
	FILE *in = NULL, *out = NULL;
	size_t n = 0;
	bool ok = false;

	if (!plat_mkdirs(dir, 0755, NULL, e) ||
	    (in = plat_fopen_beneath(c->target, rel, e)) == NULL ||
	    (out = plat_fopen_regular(dst, "a", e)) == NULL)
		goto out;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	if (n > 0 || ferror(in) || fflush(out) != 0 || ferror(out)) {
		err_set(e, ES_EINSTALL, "cannot copy %s/%s into the upgraded "
		    "installation (is the disk full?)", c->install_dir, rel);
		goto out;
	}
	ok = plat_chmod_beneath(c->staging, rel, mode & 0777, e);
out:
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
	free(dst);
	free(dir);
	return ok;
}

/* plat_walk callback over the old installation: what it holds that it did
 * not install (the engine's data and logs, an administrator's own files)
 * goes into the new one; the record's own folder is carried by
 * install_write_log. */
static bool
install_carry_cb(const char *rel, enum plat_ftype t, unsigned mode,
    void *arg)
{
	struct carry_arg *a = arg;
	struct ictx *c = a->c;
	char *path, *dst;
	bool listed;

	if (strcmp(rel, RECORD_DIR_REL) == 0 ||
	    str_has_prefix(rel, RECORD_DIR_REL "/"))
		return true;
	if (a->only_logs && !uninstall_is_log(rel, t) &&
	    !(t == PLAT_DIR && uninstall_log_parent(c->target, rel)))
		return true;
	path = xasprintf("%s/%s", c->install_dir, rel);
	listed = upgrade_find(&c->old, path) != NULL;
	free(path);
	if (listed)
		return true;
	if (plat_file_type_beneath(c->staging, rel) != PLAT_NONE) {
		if (t != PLAT_DIR)
			log_msg("not carried over %s: the new version has "
			    "its own", rel);
		return true;
	}
	switch (t) {
	case PLAT_DIR:
		dst = rootpath_join(c->staging, rel);
		a->ok = plat_mkdirs(dst, mode & 0777, NULL, a->e);
		free(dst);
		break;
	case PLAT_FILE:
		a->ok = install_copy_in(c, rel, mode, a->e);
		a->files += a->ok;
		break;
	default:
		log_msg("not carried over %s: not a file or a folder", rel);
		break;
	}
	return a->ok;
}

/* An upgrade: dpkg's conffile rule over the staged files (upgrade.h). */
static bool
step_keep(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	struct upgrade_plan up;
	size_t i, a_files = 0;
	bool ok = true;

	(void)x;
	upgrade_decide(&c->old, c->target, &c->rec, c->o->manifest, &up);
	for (i = 0; ok && i < up.n; i++)
		ok = install_keep_one(c, &up.items[i], e);
	if (ok) {
		struct carry_arg a = { c, e, 0, true, false };

		ok = plat_walk(c->target, install_carry_cb, &a, e) && a.ok;
		a_files = a.files;
		if (ok && a.files > 0)
			log_msg("carried over %zu files the installation did "
			    "not make", a.files);
	}
	if (ok) {
		upgrade_text(&up, false, &c->res->upgrade_notes);
		if (a_files > 0)
			sbuf_addf(&c->res->upgrade_notes, "  carried over %zu "
			    "file(s) that engine-setup did not install (the "
			    "engine's data and logs)\n", a_files);
	}
	upgrade_plan_free(&up);
	return ok;
}

/* The name the installation has in the list of installed programs. */
static char *
install_product_name(const struct ictx *c)
{
	const struct manifest_component *mc =
	    manifest_component(c->o->manifest, c->component);

	return xasprintf("%s %s", c->o->manifest->product,
	    mc != NULL && mc->title != NULL ? mc->title : c->component);
}

/* Add the installation to the list of installed programs (Windows:
 * Add/Remove Programs), its removal journalled first, so that a failure
 * after it leaves no entry. An upgrade finds its entry there: it is
 * replaced after the commit point (install_finish), since an entry
 * replaced in place cannot be put back by the undo. */
static bool
step_product(struct exec *x, void *arg, struct es_err *e)
{
	struct ictx *c = arg;
	const char *exe = plat_product_uninstaller(c->o->root);
	struct plat_product pp;
	char *name, *uninstaller;
	bool ok;

	if (exe == NULL)
		return true;
	/* x is NULL after the commit point. */
	if (x != NULL && c->o->upgrade &&
	    plat_product_registered(c->o->root, c->o->manifest->product)) {
		c->product_later = true;
		return true;
	}
	name = install_product_name(c);
	uninstaller = xasprintf("%s/%s", c->install_dir, exe);
	memset(&pp, 0, sizeof pp);
	pp.key = c->o->manifest->product;
	pp.name = name;
	pp.version = c->o->manifest->version;
	pp.publisher = c->o->manifest->publisher;
	pp.install_dir = c->install_dir;
	pp.uninstaller = uninstaller;
	pp.size = c->o->payload->t.data_bytes;
	/* An entry an installation of the same product made (--overwrite)
	 * is replaced in place, not removed by the undo. */
	ok = (x == NULL || plat_product_registered(c->o->root, pp.key) ||
	    exec_push(x, UNDO_PRODUCT_REMOVE, c->o->root, pp.key, e)) &&
	    plat_product_register(c->o->root, &pp, e);
	if (ok)
		log_msg("added %s to the list of installed programs", name);
	free(name);
	free(uninstaller);
	return ok;
}

static bool
applies_product(const void *arg)
{
	const struct ictx *c = arg;

	return plat_product_uninstaller(c->o->root) != NULL;
}

static bool
install_has_service(const struct ictx *c)
{
	const struct manifest_component *mc =
	    manifest_component(c->o->manifest, c->component);

	return mc != NULL && mc->service != NULL;
}

static bool
applies_pair(const void *arg)
{
	const struct ictx *c = arg;

	/* An upgrade keeps consoles.xml: the pairing is done. */
	return install_pairs(c->p) && !c->o->upgrade;
}

static bool
applies_services(const void *arg)
{
	return install_has_service(arg);
}

/* Starting applies when the plan asks for it; whether a service manager
 * runs for this root is the step's to find out and to say. */
static bool
applies_start(const void *arg)
{
	const struct ictx *c = arg;

	return install_has_service(c) && (plan_yes(c->p, PK_START_SERVICE) ||
	    c->o->upgrade);
}

static bool
applies_upgrade(const void *arg)
{
	const struct ictx *c = arg;

	return c->o->upgrade && c->have_old;
}

static const struct exec_step install_steps[] = {
	{ "Preparing folders", step_prepare, NULL },
	{ "Unpacking files", step_unpack, NULL },
	{ "Writing configuration", step_configure, NULL },
	{ "Pairing with the console", step_pair, applies_pair },
	{ "Registering the service", step_services, applies_services },
	{ "Keeping the program", step_program, NULL },
	{ "Keeping your configuration", step_keep, applies_upgrade },
	{ "Writing the install record", step_record, NULL },
	{ "Moving into place", step_move, NULL },
	{ "Recording the installation", step_pointer, NULL },
	{ "Adding to Add/Remove Programs", step_product, applies_product },
	{ "Starting the service", step_start, applies_start },
};

void
install_service_text(const char *root, const char *service,
    const char *state, enum install_start why, bool install_text,
    struct sbuf *out)
{
	char cmd[256];

	plat_service_start_command(root, service, cmd, sizeof cmd);
	switch (why) {
	case INSTALL_START_DECLINED:
		sbuf_addf(out, "%s: %s (start_service = no; start it with "
		    "`%s`)", service, strcmp(state, "inactive") == 0 ?
		    "installed, not started" : state, cmd);
		return;
	case INSTALL_START_NO_MANAGER:
		if (install_text)
			sbuf_addf(out, "%s: installed, not started (no "
			    "running service manager for this root%s; on the "
			    "target, start it with `%s`)", service,
			    strcmp(root, "/") == 0 ? "" :
			    ": it was installed under --root", cmd);
		else
			sbuf_addf(out, "%s: installed, not started (no service "
			    "manager was running for this root at install "
			    "time; on the target: `%s`)", service, cmd);
		return;
	default:
		break;
	}
	if (strcmp(state, "inactive") == 0 || strcmp(state, "failed") == 0)
		sbuf_addf(out, "%s: %s (start it with `%s`)", service, state,
		    cmd);
	else
		sbuf_addf(out, "%s: %s", service, state);
}

/* The install log: the old installation's logs (install and uninstall)
 * carried over, then this run's. Written just before the commit point and
 * journalled like any other change; the installation is complete without
 * it, so a log that cannot be written is a warning, not a failure. */
static void
install_write_log(struct ictx *c, struct exec *x)
{
	struct es_err e;
	struct sbuf b;
	char *logpath;

	err_clear(&e);
	sbuf_init(&b);
	if (c->target_existed) {
		static const char *const logs[] = { "install.log",
		    "uninstall.log" };
		size_t len, j;

		for (j = 0; j < 2; j++) {
			char *oldlog = xasprintf("%s/%s", RECORD_DIR_REL,
			    logs[j]);
			char *text = plat_read_file_beneath(c->backup, oldlog,
			    64u << 20, &len, NULL);

			if (text != NULL)
				sbuf_addn(&b, text, len);
			free(text);
			free(oldlog);
		}
	}
	log_msg("installed %s %s (%s) at %s", c->o->manifest->product,
	    c->o->manifest->version, c->component, c->install_dir);
	sbuf_add(&b, log_text());
	logpath = xasprintf("%s/%s", c->target, RECORD_LOG_REL);
	if (!exec_push_path(x, logpath, &e) ||
	    !plat_write_file_beneath(c->target, RECORD_LOG_REL, b.s, b.len,
	    0600, &e))
		snprintf(c->res->log_warning, sizeof c->res->log_warning,
		    "the install log could not be written: %.1900s The "
		    "installation itself is complete.", e.msg);
	sbuf_free(&b);
	free(logpath);
}

/* After the commit point: drop the old installation and the services it
 * no longer has (the finish records say the same, for a crash). */
static void
install_finish(struct ictx *c)
{
	struct es_err e;
	size_t i;

	err_clear(&e);
	if (c->self_aside != NULL)
		plat_remove_at_restart(c->self_aside);
	if (c->product_later && !step_product(NULL, c, &e)) {
		log_msg("the list of installed programs still shows the old "
		    "version: %s", e.msg);
		err_clear(&e);
	} else if (c->product_later) {
		log_msg("updated the entry in the list of installed programs "
		    "to %s", c->o->manifest->version);
	}
	if (!c->target_existed)
		return;
	for (i = 0; i < c->old.services.n; i++)
		if (!strlist_contains(&c->rec.services, c->old.services.v[i]))
			plat_service_remove(c->o->root, c->old.services.v[i],
			    NULL);
	if (!plat_remove_tree(c->backup, &e))
		log_msg("could not remove the old installation at %s: %s",
		    c->backup, e.msg);
}

/* The commit point. First the finish records (what completes the run:
 * the old installation and the services it no longer has go), then
 * everything this run wrote is flushed to the disk, then the journal is
 * renamed. On false everything is undone. */
static bool
install_commit(struct ictx *c, struct exec *x, struct es_err *e)
{
	char *state = plat_state_file(c->o->root);
	size_t i;
	bool ok = true;

	install_write_log(c, x);
	if (c->target_existed)
		ok = exec_push_finish(x, UNDO_REMOVE_TREE, c->backup, NULL, e);
	if (ok && c->self_aside != NULL)
		ok = exec_push_finish(x, UNDO_REMOVE_TREE, c->self_aside, NULL,
		    e);
	for (i = 0; ok && c->have_old && i < c->old.services.n; i++)
		if (!strlist_contains(&c->rec.services, c->old.services.v[i]))
			ok = exec_push_finish(x, UNDO_SERVICE_REMOVE,
			    c->o->root, c->old.services.v[i], e);
	if (ok) {
		plat_sync_fs(c->target);
		plat_sync_fs(state);
		ok = exec_commit(x, e);
	}
	free(state);
	if (!ok) {
		log_msg("failed: %s", e->msg);
		exec_rollback(x);
	}
	return ok;
}

bool
install_run(const struct plan *p, const struct install_opts *o,
    struct install_result *res, struct es_err *e)
{
	struct ictx c;
	struct exec x;
	struct es_err local;
	bool ok;

	memset(&c, 0, sizeof c);
	memset(res, 0, sizeof *res);
	res->ready_since = -1;
	c.p = p;
	c.o = o;
	c.res = res;
	c.component = plan_get(p, PK_COMPONENT);
	c.install_dir = xstrdup(plan_get(p, PK_INSTALL_DIR));
	c.target = plat_join_root(o->root, c.install_dir);
	record_init(&c.rec);
	record_init(&c.old);
	err_clear(&local);
	if ((o->overwrite || o->upgrade) &&
	    record_load(o->root, &c.old, &local))
		c.have_old = strcmp(c.old.install_dir, c.install_dir) == 0;

	if (o->identity != NULL) {
		c.id = o->identity;
	} else {
		if (!install_identity_prepare(p, o, &c.ident, e)) {
			ok = false;
			goto done;
		}
		c.id = &c.ident;
	}
	exec_init(&x);
	x.report = o->report;
	x.report_arg = o->report_arg;
	log_msg("installing %s %s (%s) into %s%s", o->manifest->product,
	    o->manifest->version, c.component, c.install_dir,
	    strcmp(o->root, "/") == 0 ? "" : " under --root");
	/* Before the first change: the journal that lets the next run undo
	 * this one if it is cut short (issue 9). */
	if (!exec_begin(&x, o->root, "install", c.install_dir, e)) {
		ok = false;
		exec_free(&x);
		goto done;
	}
	ok = exec_run(&x, install_steps,
	    sizeof install_steps / sizeof install_steps[0], &c, e) &&
	    install_commit(&c, &x, e);
	if (ok) {
		install_finish(&c);
		exec_end(&x);
		if (res->service[0] != '\0' && !res->started &&
		    !plan_yes(p, PK_START_SERVICE)) {
			log_msg("not starting %s: start_service = no",
			    res->service);
			res->start = INSTALL_START_DECLINED;
		}
		plat_service_state(o->root, res->service, res->service_state,
		    sizeof res->service_state);
	} else if (x.undo_problem[0] != '\0') {
		/* Not everything is undone: say so, never "undone". */
		res->undo_kept = true;
		err_set(e, e->code, "Undoing this run stopped short: %.900s. "
		    "The journal is kept: fix that, then run engine-setup "
		    "again (install, uninstall, pair or consoles), which "
		    "finishes the undo first; 'engine-setup status' shows it "
		    "until then.", x.undo_problem);
	}
	exec_free(&x);
done:
	install_identity_free(&c.ident);
	record_free(&c.rec);
	record_free(&c.old);
	free(c.install_dir);
	free(c.target);
	free(c.staging);
	free(c.backup);
	free(c.self_aside);
	return ok;
}

void
install_result_free(struct install_result *res)
{
	sbuf_free(&res->upgrade_notes);
}

/* payload_entry_fn for install_upgrade_preview: into the record. */
static void
preview_entry(const char *rel, char type, unsigned mode, const char *sha,
    void *arg)
{
	struct record *r = arg;
	char *path = xasprintf("%s/%s", r->install_dir, rel);

	record_add(r, type, mode, sha, path);
	free(path);
}

bool
install_upgrade_preview(const struct plan *p, const struct install_opts *o,
    struct upgrade_plan *up, struct es_err *e)
{
	const char *comps[MANIFEST_MAX_COMPONENTS + 1];
	struct payload_extract_opts eo;
	struct record old, fresh;
	char *target = plat_join_root(o->root, plan_get(p, PK_INSTALL_DIR));
	char *parent = rootpath_parent(target), *real, *name, *scratch;
	char id[37];
	bool ok = false;

	up->items = NULL;
	up->n = 0;
	record_init(&old);
	record_init(&fresh);
	crypto_uuid(id);
	id[8] = '\0';
	real = plat_real_path(parent);
	name = xasprintf(".%s.es-check-%s", install_base(target), id);
	scratch = rootpath_join(real != NULL ? real : parent, name);
	if (!record_load(o->root, &old, e)) {
		if (e->code == 0)
			err_set(e, ES_EINTERNAL, "no installation to upgrade");
		goto out;
	}
	fresh.install_dir = xstrdup(old.install_dir);
	if (!plat_mkdirs(scratch, 0700, NULL, e))
		goto out;
	install_components(o->manifest, plan_get(p, PK_COMPONENT), comps);
	memset(&eo, 0, sizeof eo);
	eo.dest = scratch;
	eo.components = comps;
	eo.manifest = o->manifest;
	eo.entry = preview_entry;
	eo.entry_arg = &fresh;
	ok = payload_extract(o->payload, &eo, e);
	plat_remove_tree(scratch, NULL);
	if (ok)
		upgrade_decide(&old, target, &fresh, o->manifest, up);
out:
	record_free(&old);
	record_free(&fresh);
	free(target);
	free(parent);
	free(real);
	free(name);
	free(scratch);
	return ok;
}
