#include "record.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "util.h"

void
record_init(struct record *r)
{
	memset(r, 0, sizeof *r);
	strlist_init(&r->services);
	strlist_init(&r->sysfiles);
	strlist_init(&r->parents);
}

void
record_free(struct record *r)
{
	size_t i;

	free(r->product);
	free(r->version);
	free(r->payload_sha256);
	free(r->component);
	free(r->install_dir);
	free(r->engine_id);
	free(r->engine_name);
	free(r->communication);
	free(r->engine_port);
	free(r->installed_at);
	strlist_free(&r->services);
	strlist_free(&r->sysfiles);
	strlist_free(&r->parents);
	for (i = 0; i < r->n; i++)
		free(r->entries[i].path);
	free(r->entries);
	record_init(r);
}

void
record_add(struct record *r, char type, unsigned mode, const char *sha256,
    const char *path)
{
	struct record_entry *en;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->entries = xrealloc(r->entries, r->cap * sizeof *r->entries);
	}
	en = &r->entries[r->n++];
	en->type = type;
	en->mode = mode & 07777;
	snprintf(en->sha256, sizeof en->sha256, "%s",
	    sha256 != NULL ? sha256 : "-");
	en->path = xstrdup(path);
}

static void
record_kv(struct sbuf *b, const char *key, const char *value)
{
	if (value != NULL)
		sbuf_addf(b, "%s %s\n", key, value);
}

char *
record_format(const struct record *r)
{
	struct sbuf b;
	size_t i;

	sbuf_init(&b);
	sbuf_add(&b, "# engine-setup install record: do not edit "
	    "(docs/install-record.md)\nformat 1\n");
	record_kv(&b, "product", r->product);
	record_kv(&b, "version", r->version);
	record_kv(&b, "payload_sha256", r->payload_sha256);
	record_kv(&b, "component", r->component);
	record_kv(&b, "install_dir", r->install_dir);
	record_kv(&b, "engine_id", r->engine_id);
	record_kv(&b, "engine_name", r->engine_name);
	record_kv(&b, "communication", r->communication);
	record_kv(&b, "engine_port", r->engine_port);
	record_kv(&b, "installed_at", r->installed_at);
	for (i = 0; i < r->services.n; i++)
		record_kv(&b, "service", r->services.v[i]);
	for (i = 0; i < r->parents.n; i++)
		record_kv(&b, "parent", r->parents.v[i]);
	for (i = 0; i < r->sysfiles.n; i++)
		record_kv(&b, "sysfile", r->sysfiles.v[i]);
	for (i = 0; i < r->n; i++) {
		const struct record_entry *en = &r->entries[i];

		sbuf_addf(&b, "%c %04o %s %s\n", en->type, en->mode,
		    en->sha256, en->path);
	}
	return sbuf_detach(&b);
}

static char **
record_field(struct record *r, const char *key)
{
	if (strcmp(key, "product") == 0) return &r->product;
	if (strcmp(key, "version") == 0) return &r->version;
	if (strcmp(key, "payload_sha256") == 0) return &r->payload_sha256;
	if (strcmp(key, "component") == 0) return &r->component;
	if (strcmp(key, "install_dir") == 0) return &r->install_dir;
	if (strcmp(key, "engine_id") == 0) return &r->engine_id;
	if (strcmp(key, "engine_name") == 0) return &r->engine_name;
	if (strcmp(key, "communication") == 0) return &r->communication;
	if (strcmp(key, "engine_port") == 0) return &r->engine_port;
	if (strcmp(key, "installed_at") == 0) return &r->installed_at;
	return NULL;
}

bool
record_parse(struct record *r, const char *text, size_t len,
    const char *filename, struct es_err *e)
{
	const char *line = text, *end = text + len;
	int lineno = 0;

	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = (size_t)((nl != NULL ? nl : end) - line);
		char *l = xstrndup(line, n), *sp, **field;

		lineno++;
		line = nl != NULL ? nl + 1 : end;
		if (n == 0 || l[0] == '#') {
			free(l);
			continue;
		}
		sp = strchr(l, ' ');
		if (sp == NULL)
			goto bad;
		*sp++ = '\0';
		if (strcmp(l, "format") == 0) {
			if (strcmp(sp, "1") != 0) {
				err_set(e, ES_EINSTALL, "%s: record format %s "
				    "is newer than this engine-setup "
				    "understands; use a newer engine-setup",
				    filename, sp);
				free(l);
				return false;
			}
		} else if ((field = record_field(r, l)) != NULL) {
			free(*field);
			*field = xstrdup(sp);
		} else if (strcmp(l, "service") == 0) {
			strlist_add(&r->services, sp);
		} else if (strcmp(l, "parent") == 0) {
			strlist_add(&r->parents, sp);
		} else if (strcmp(l, "sysfile") == 0) {
			strlist_add(&r->sysfiles, sp);
		} else if (strlen(l) == 1 && strchr("fdl", l[0]) != NULL) {
			/* "<type> <mode> <sha256|-> <path>" */
			char *mode = sp, *sha, *path;

			sha = strchr(mode, ' ');
			if (sha == NULL)
				goto bad;
			*sha++ = '\0';
			path = strchr(sha, ' ');
			if (path == NULL || strlen(mode) != 4)
				goto bad;
			*path++ = '\0';
			if (*path != '/')
				goto bad;
			record_add(r, l[0], (unsigned)strtoul(mode, NULL, 8),
			    sha, path);
		}
		/* Unknown keys are skipped: a newer minor format may add some. */
		free(l);
		continue;
bad:
		err_set(e, ES_EINSTALL, "%s:%d: damaged install record line",
		    filename, lineno);
		free(l);
		return false;
	}
	if (r->install_dir == NULL || r->component == NULL) {
		err_set(e, ES_EINSTALL, "%s: the install record lacks "
		    "install_dir or component", filename);
		return false;
	}
	return true;
}

char *
record_path(const char *install_dir)
{
	return xasprintf("%s/" RECORD_REL, install_dir);
}

char *
record_answers_path(const char *install_dir)
{
	return xasprintf("%s/" RECORD_ANSWERS_REL, install_dir);
}

char *
record_pointer_text(const char *install_dir)
{
	return xasprintf("# Written by engine-setup: where the installation "
	    "is.\ninstall_dir %s\n", install_dir);
}

bool
record_load(const char *root, struct record *r, struct es_err *e)
{
	char *state = plat_state_file(root), *text = NULL, *dir = NULL;
	char *rpath = NULL, *full = NULL, *nl, *rtext = NULL;
	size_t len;
	bool ok = false;
	struct es_err local;

	err_clear(&local);
	if (plat_file_type(state) == PLAT_NONE)
		goto out;
	text = plat_read_file(state, 64 * 1024, &len, &local);
	if (text == NULL) {
		err_set(e, ES_EINSTALL, "cannot read %s: %s", state, local.msg);
		goto out;
	}
	dir = strstr(text, "install_dir ");
	if (dir == NULL) {
		err_set(e, ES_EINSTALL, "%s is damaged: no install_dir line; "
		    "remove it if no installation is left", state);
		goto out;
	}
	dir += strlen("install_dir ");
	if ((nl = strchr(dir, '\n')) != NULL)
		*nl = '\0';
	rpath = record_path(dir);
	full = plat_join_root(root, rpath);
	{
		/* Not through a link inside the installation. */
		char *idir = plat_join_root(root, dir);

		rtext = plat_read_file_beneath(idir, RECORD_REL, 64u << 20,
		    &len, &local);
		free(idir);
	}
	if (rtext == NULL) {
		err_set(e, ES_EINSTALL, "the installation at %s has no "
		    "readable record (%s): %s", dir, full, local.msg);
		goto out;
	}
	ok = record_parse(r, rtext, len, full, e);
out:
	if (!ok && dir != NULL) {
		/* Unreadable: where it is still tells what to replace. */
		record_free(r);
		r->install_dir = xstrdup(dir);
	}
	free(state);
	free(text);
	free(rtext);
	free(rpath);
	free(full);
	return ok;
}

void
record_damaged_explain(const char *root, const struct record *r,
    struct es_err *e)
{
	char *answers, *apath, *state, *idir;
	struct sbuf opt;

	if (e == NULL || e->code == 0 || r->install_dir == NULL)
		return;
	answers = record_answers_path(r->install_dir);
	apath = plat_join_root(root, answers);
	state = plat_state_file(root);
	idir = plat_join_root(root, r->install_dir);
	sbuf_init(&opt);
	sbuf_add(&opt, "");
	sbuf_add_root_option(&opt, root);
	err_set(e, e->code, "Without it engine-setup cannot tell what the "
	    "installation made, so uninstall, pair and consoles change "
	    "nothing. Replace the installation (a new record, engine id and "
	    "key; consoles must pair again; the answers it was installed "
	    "with are in %s), and uninstall it afterwards if that is what "
	    "you want:\n  engine-setup --overwrite%s\n  engine-setup "
	    "uninstall%s\nOr remove it by hand: its service, the folder %s "
	    "and the file %s.", apath, opt.s, opt.s, idir, state);
	sbuf_free(&opt);
	free(idir);
	free(state);
	free(apath);
	free(answers);
}
