#include "record.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "rootpath.h"
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
	free(r->upgraded_from);
	free(r->upgraded_at);
	free(r->ready_log);
	free(r->ready_line);
	free(r->ready_start);
	free(r->ready_port);
	free(r->machine);
	free(r->machine_id_sha256);
	free(r->system_uuid_sha256);
	free(r->identity_renewed_at);
	free(r->identity_previous_engine_id);
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

bool
record_set_file(struct record *r, const char *path, const char *sha256,
    unsigned mode)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct record_entry *en = &r->entries[i];

		if (en->type == 'f' && strcmp(en->path, path) == 0) {
			snprintf(en->sha256, sizeof en->sha256, "%s", sha256);
			en->mode = mode & 07777;
			return true;
		}
	}
	return false;
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
	record_kv(&b, "upgraded_from", r->upgraded_from);
	record_kv(&b, "upgraded_at", r->upgraded_at);
	record_kv(&b, "ready_log", r->ready_log);
	record_kv(&b, "ready_line", r->ready_line);
	record_kv(&b, "ready_start", r->ready_start);
	record_kv(&b, "ready_port", r->ready_port);
	record_kv(&b, "machine", r->machine);
	record_kv(&b, "machine_id_sha256", r->machine_id_sha256);
	record_kv(&b, "system_uuid_sha256", r->system_uuid_sha256);
	record_kv(&b, "identity_renewed_at", r->identity_renewed_at);
	record_kv(&b, "identity_previous_engine_id",
	    r->identity_previous_engine_id);
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
	if (strcmp(key, "upgraded_from") == 0) return &r->upgraded_from;
	if (strcmp(key, "upgraded_at") == 0) return &r->upgraded_at;
	if (strcmp(key, "ready_log") == 0) return &r->ready_log;
	if (strcmp(key, "ready_line") == 0) return &r->ready_line;
	if (strcmp(key, "ready_start") == 0) return &r->ready_start;
	if (strcmp(key, "ready_port") == 0) return &r->ready_port;
	if (strcmp(key, "machine") == 0) return &r->machine;
	if (strcmp(key, "machine_id_sha256") == 0)
		return &r->machine_id_sha256;
	if (strcmp(key, "system_uuid_sha256") == 0)
		return &r->system_uuid_sha256;
	if (strcmp(key, "identity_renewed_at") == 0)
		return &r->identity_renewed_at;
	if (strcmp(key, "identity_previous_engine_id") == 0)
		return &r->identity_previous_engine_id;
	return NULL;
}

/* The damage a path breaks the rules with, in e (ES_EINSTALL). */
static bool
record_bad_path(const char *filename, const char *key, const char *path,
    const char *rule, struct es_err *e)
{
	err_set(e, ES_EINSTALL, "%s is damaged: its %s %s is not %s, so "
	    "engine-setup acts on none of it. Restore the record from a "
	    "backup, or remove the installation by hand (docs/install-"
	    "record.md)", filename, key, path, rule);
	return false;
}

/* Every path the record names is clean (rootpath_clean), so that none
 * can climb out of the root: install_dir is a folder below a file
 * system's root ("/", "C:/"), each file, folder and link strictly below
 * install_dir, each parent a folder above it and below that root, each
 * sysfile below a root. */
static bool
record_check_paths(const struct record *r, const char *filename,
    struct es_err *e)
{
	static const char clean[] = "an absolute path without empty, '.' "
	    "or '..' parts";
	size_t i;

	if (rootpath_below_root(r->install_dir) == NULL)
		return record_bad_path(filename, "install_dir",
		    r->install_dir, clean, e);
	for (i = 0; i < r->n; i++)
		if (rootpath_below(r->install_dir, r->entries[i].path) == NULL)
			return record_bad_path(filename, "entry",
			    r->entries[i].path, "a clean path inside its "
			    "install_dir", e);
	for (i = 0; i < r->parents.n; i++)
		if (rootpath_below(r->parents.v[i], r->install_dir) == NULL ||
		    rootpath_below_root(r->parents.v[i]) == NULL)
			return record_bad_path(filename, "parent",
			    r->parents.v[i], "a clean folder above its "
			    "install_dir", e);
	for (i = 0; i < r->sysfiles.n; i++)
		if (!rootpath_clean(r->sysfiles.v[i]) ||
		    rootpath_is_root(r->sysfiles.v[i]))
			return record_bad_path(filename, "sysfile",
			    r->sysfiles.v[i], clean, e);
	return true;
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
			if (rootpath_root_len(path) == 0)
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
	return record_check_paths(r, filename, e);
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
record_check_root(const char *root, const struct record *r,
    const char *filename, struct es_err *e)
{
	struct strlist paths;
	size_t i;
	bool ok = true;

	strlist_init(&paths);
	strlist_add(&paths, r->install_dir);
	for (i = 0; i < r->parents.n; i++)
		strlist_add(&paths, r->parents.v[i]);
	for (i = 0; i < r->sysfiles.n; i++)
		strlist_add(&paths, r->sysfiles.v[i]);
	for (i = 0; ok && i < paths.n; i++) {
		char *full = plat_join_root(root, paths.v[i]);

		/* A folder is what is removed: itself (ending in '/', or a
		 * parent, or install_dir, which stays whole). A sysfile file
		 * or link is removed, never followed: its folder. */
		if (i > r->parents.n) {
			char *dir = rootpath_parent(full);

			free(full);
			full = dir;
		}
		if (!plat_path_in_root(root, full, ES_EINSTALL, e)) {
			err_set(e, ES_EINSTALL, "%s names %s, which leads "
			    "there. Nothing was changed", filename, paths.v[i]);
			ok = false;
		}
		free(full);
	}
	strlist_free(&paths);
	return ok;
}

char *
record_pointer_dir(const char *text)
{
	const char *line, *end;

	for (line = text; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		if (str_has_prefix(line, "install_dir "))
			return xstrndup(line + 12, (size_t)(end - line - 12));
	}
	return NULL;
}

bool
record_load(const char *root, struct record *r, struct es_err *e)
{
	char *state = plat_state_file(root), *text = NULL, *dir = NULL;
	char *rpath = NULL, *full = NULL, *rtext = NULL, *idir = NULL;
	size_t len;
	bool ok = false, dir_safe = false;
	struct es_err local;

	err_clear(&local);
	if (plat_file_type(state) == PLAT_NONE)
		goto out;
	/* The pointer is read only from inside the root. */
	if (!plat_path_in_root(root, state, ES_EREQ, e))
		goto out;
	text = plat_read_file(state, 64 * 1024, &len, &local);
	if (text == NULL) {
		err_set(e, ES_EINSTALL, "cannot read %s: %s", state, local.msg);
		goto out;
	}
	if ((dir = record_pointer_dir(text)) == NULL) {
		err_set(e, ES_EINSTALL, "%s is damaged: no install_dir line; "
		    "remove it if no installation is left", state);
		goto out;
	}
	/* A ".." would climb out of the root, as a link on the way would:
	 * neither is followed. */
	if (rootpath_below_root(dir) == NULL) {
		err_set(e, ES_EINSTALL, "the install pointer %s names "
		    "install_dir %s, which is not an absolute path without "
		    "empty, '.' or '..' parts, so engine-setup does not follow "
		    "it. Nothing was changed. If the file was edited, put back "
		    "the folder the installation is in; if no installation is "
		    "left, remove %s", state, dir, state);
		goto out;
	}
	idir = plat_join_root(root, dir);
	if (!plat_path_in_root(root, idir, ES_EINSTALL, e)) {
		err_set(e, ES_EINSTALL, "The install pointer %s names "
		    "install_dir %s, which leads there. Nothing was changed",
		    state, dir);
		goto out;
	}
	dir_safe = true;
	rpath = record_path(dir);
	full = plat_join_root(root, rpath);
	/* Not through a link inside the installation. */
	rtext = plat_read_file_beneath(idir, RECORD_REL, 64u << 20, &len,
	    &local);
	if (rtext == NULL) {
		err_set(e, ES_EINSTALL, "the installation at %s has no "
		    "readable record (%s): %s", dir, full, local.msg);
		goto out;
	}
	if (!record_parse(r, rtext, len, full, e))
		goto out;
	if (strcmp(r->install_dir, dir) != 0) {
		err_set(e, ES_EINSTALL, "%s says install_dir %s, but the "
		    "install pointer %s names %s: one of them is damaged, so "
		    "engine-setup acts on neither. Nothing was changed. Put "
		    "back the install_dir the installation was made with in "
		    "the one that was edited", full, r->install_dir, state,
		    dir);
		goto out;
	}
	ok = record_check_root(root, r, full, e);
out:
	if (!ok && dir_safe) {
		/* Unreadable: where it is (a folder inside the root) still
		 * tells what to replace. */
		record_free(r);
		r->install_dir = xstrdup(dir);
	}
	free(state);
	free(text);
	free(dir);
	free(idir);
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
