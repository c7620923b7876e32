#include "manifest.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MANIFEST_BYTES_PER_MIB (1024ull * 1024ull)

enum manifest_kind {
	MANIFEST_STR,       /* free text */
	MANIFEST_PATH,      /* relative path, '/' separators, no ".." */
	MANIFEST_VERSION,   /* major.minor.patch */
	MANIFEST_MIB,       /* a count of MiB, stored in bytes */
	MANIFEST_UINT,      /* a small count */
	MANIFEST_LIST,      /* space-separated words */
	MANIFEST_PATHS      /* space-separated relative paths */
};

struct manifest_key {
	const char *name;
	enum manifest_kind kind;
	size_t off;         /* offset of the field in struct manifest */
};

static const struct manifest_key manifest_keys[] = {
	{ "product", MANIFEST_STR, offsetof(struct manifest, product) },
	{ "version", MANIFEST_VERSION, offsetof(struct manifest, version) },
	{ "license", MANIFEST_PATH, offsetof(struct manifest, license) },
	{ "publisher", MANIFEST_STR, offsetof(struct manifest, publisher) },
	{ "requirement.memory.min_mib", MANIFEST_MIB,
	    offsetof(struct manifest, mem_min) },
	{ "requirement.memory.recommended_mib", MANIFEST_MIB,
	    offsetof(struct manifest, mem_rec) },
	{ "requirement.disk.min_mib", MANIFEST_MIB,
	    offsetof(struct manifest, disk_min) },
	{ "requirement.disk.recommended_mib", MANIFEST_MIB,
	    offsetof(struct manifest, disk_rec) },
	{ "requirement.cpu.min", MANIFEST_UINT,
	    offsetof(struct manifest, cpu_min) },
	{ "requirement.cpu.recommended", MANIFEST_UINT,
	    offsetof(struct manifest, cpu_rec) },
	{ "requirement.os", MANIFEST_LIST, offsetof(struct manifest, os) },
	{ "requirement.arch", MANIFEST_LIST, offsetof(struct manifest, arch) },
	{ "config", MANIFEST_PATHS, offsetof(struct manifest, config) },
};

static const struct manifest_key manifest_comp_keys[] = {
	{ "title", MANIFEST_STR, offsetof(struct manifest_component, title) },
	{ "description", MANIFEST_STR,
	    offsetof(struct manifest_component, description) },
	{ "dir", MANIFEST_STR, offsetof(struct manifest_component, dir) },
	{ "includes", MANIFEST_STR,
	    offsetof(struct manifest_component, includes) },
	{ "service", MANIFEST_STR,
	    offsetof(struct manifest_component, service) },
	{ "exec", MANIFEST_PATH, offsetof(struct manifest_component, exec) },
	{ "workdir", MANIFEST_PATH,
	    offsetof(struct manifest_component, workdir) },
	{ "ready.log", MANIFEST_PATH,
	    offsetof(struct manifest_component, ready_log) },
	{ "ready.line", MANIFEST_STR,
	    offsetof(struct manifest_component, ready_line) },
	{ "ready.start", MANIFEST_STR,
	    offsetof(struct manifest_component, ready_start) },
	{ "ready.port", MANIFEST_STR,
	    offsetof(struct manifest_component, ready_port) },
};

#define MANIFEST_NKEYS (sizeof manifest_keys / sizeof manifest_keys[0])
#define MANIFEST_NCOMP_KEYS \
	(sizeof manifest_comp_keys / sizeof manifest_comp_keys[0])

/* Keys already set, with the line that set them, to report duplicates. */
struct manifest_seen {
	char **key;
	unsigned *line;
	size_t n, cap;
};

/* State of one parse, for error messages. */
struct manifest_ctx {
	struct manifest *m;
	const char *filename;
	unsigned line;
	struct manifest_seen seen;
	struct es_err *e;
};

static void
manifest_seen_free(struct manifest_seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->key[i]);
	free(s->key);
	free(s->line);
}

/* Remember key; returns the line that set it before, or 0. */
static unsigned
manifest_seen_add(struct manifest_seen *s, const char *key, unsigned line)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->key[i], key) == 0)
			return s->line[i];
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->key = xrealloc(s->key, s->cap * sizeof *s->key);
		s->line = xrealloc(s->line, s->cap * sizeof *s->line);
	}
	s->key[s->n] = xstrdup(key);
	s->line[s->n] = line;
	s->n++;
	return 0;
}

static bool
manifest_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool
manifest_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '-';
}

/* True for a relative path with '/' separators and no empty, "." or ".."
 * parts (the same in the archive, on Linux and on Windows). */
static bool
manifest_rel_path_ok(const char *p)
{
	const char *s, *end;
	size_t n;

	if (*p == '\0' || *p == '/' || strchr(p, '\\') != NULL ||
	    strchr(p, ':') != NULL)
		return false;
	for (s = p; *s != '\0'; s = *end == '\0' ? end : end + 1) {
		end = strchr(s, '/');
		if (end == NULL)
			end = s + strlen(s);
		n = (size_t)(end - s);
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (*end == '/' && end[1] == '\0')
			return false;
	}
	return true;
}

static bool
manifest_version_ok(const char *v)
{
	int part;

	for (part = 0; part < 3; part++) {
		if (*v < '0' || *v > '9')
			return false;
		while (*v >= '0' && *v <= '9')
			v++;
		if (part < 2 && *v++ != '.')
			return false;
	}
	return *v == '\0';
}

/* Parse a decimal count without sign or spaces. */
static bool
manifest_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* Split value into words and add them to l; paths are checked. */
static bool
manifest_set_list(struct manifest_ctx *c, const char *key, const char *value,
    struct strlist *l, bool paths)
{
	const char *s = value, *end;
	char *w;

	while (*s != '\0') {
		while (manifest_is_space(*s))
			s++;
		if (*s == '\0')
			break;
		for (end = s; *end != '\0' && !manifest_is_space(*end); end++)
			;
		w = xstrndup(s, (size_t)(end - s));
		if (paths) {
			size_t n = strlen(w);

			while (n > 1 && w[n - 1] == '/')
				w[--n] = '\0';
			if (!manifest_rel_path_ok(w)) {
				err_set(c->e, ES_EINSTALL, "%s:%u: %s: \"%s\" "
				    "is not a relative path inside install_dir",
				    c->filename, c->line, key, w);
				free(w);
				return false;
			}
		}
		strlist_add_owned(l, w);
		s = end;
	}
	return true;
}

/* Store value into the field described by k at base. */
static bool
manifest_set(struct manifest_ctx *c, const struct manifest_key *k,
    const char *key, const char *value, void *base)
{
	char *field = (char *)base + k->off;
	uint64_t v;

	switch (k->kind) {
	case MANIFEST_VERSION:
		if (!manifest_version_ok(value)) {
			err_set(c->e, ES_EINSTALL, "%s:%u: %s \"%s\" is not "
			    "major.minor.patch (digits, e.g. 7.3.1)",
			    c->filename, c->line, key, value);
			return false;
		}
		*(char **)field = xstrdup(value);
		return true;
	case MANIFEST_PATH:
		if (!manifest_rel_path_ok(value)) {
			err_set(c->e, ES_EINSTALL, "%s:%u: %s \"%s\" is not a "
			    "relative path with '/' separators and no \"..\"",
			    c->filename, c->line, key, value);
			return false;
		}
		/* FALLTHROUGH */
	case MANIFEST_STR:
		*(char **)field = xstrdup(value);
		return true;
	case MANIFEST_MIB:
		if (!manifest_parse_u64(value,
		    UINT64_MAX / MANIFEST_BYTES_PER_MIB, &v)) {
			err_set(c->e, ES_EINSTALL, "%s:%u: %s \"%s\" is not a "
			    "number of MiB", c->filename, c->line, key, value);
			return false;
		}
		*(uint64_t *)(void *)field = v * MANIFEST_BYTES_PER_MIB;
		return true;
	case MANIFEST_UINT:
		if (!manifest_parse_u64(value, 65535, &v)) {
			err_set(c->e, ES_EINSTALL, "%s:%u: %s \"%s\" is not a "
			    "count from 0 to 65535", c->filename, c->line,
			    key, value);
			return false;
		}
		*(unsigned *)(void *)field = (unsigned)v;
		return true;
	case MANIFEST_LIST:
		return manifest_set_list(c, key, value,
		    (struct strlist *)(void *)field, false);
	case MANIFEST_PATHS:
		return manifest_set_list(c, key, value,
		    (struct strlist *)(void *)field, true);
	}
	return false;
}

/* Name the closest top-level key, for "did you mean". */
static const char *
manifest_suggest(const char *key)
{
	const char *best = NULL;
	size_t i, d, best_d = 4;

	for (i = 0; i < MANIFEST_NKEYS; i++) {
		d = str_distance(key, manifest_keys[i].name);
		if (d < best_d) {
			best_d = d;
			best = manifest_keys[i].name;
		}
	}
	return best;
}

static void
manifest_unknown(struct manifest_ctx *c, const char *key, const char *why)
{
	const char *hint = manifest_suggest(key);

	if (hint != NULL)
		err_set(c->e, ES_EINSTALL, "%s:%u: unknown key \"%s\"%s; did "
		    "you mean \"%s\"?", c->filename, c->line, key, why, hint);
	else
		err_set(c->e, ES_EINSTALL, "%s:%u: unknown key \"%s\"%s",
		    c->filename, c->line, key, why);
}

/* Handle a component.<name>.<field> key. */
static bool
manifest_component_key(struct manifest_ctx *c, const char *key,
    const char *value)
{
	struct manifest *m = c->m;
	struct manifest_component *comp = NULL;
	const char *name = key + strlen("component."), *dot, *s;
	char *cname;
	size_t i;
	unsigned j;

	dot = strchr(name, '.');
	for (s = name; s < dot; s++) {
		if (!manifest_name_char(*s)) {
			err_set(c->e, ES_EINSTALL, "%s:%u: %s: a component "
			    "name has only a-z, 0-9, '_' and '-'",
			    c->filename, c->line, key);
			return false;
		}
	}
	for (i = 0; i < MANIFEST_NCOMP_KEYS; i++)
		if (strcmp(dot + 1, manifest_comp_keys[i].name) == 0)
			break;
	if (i == MANIFEST_NCOMP_KEYS) {
		err_set(c->e, ES_EINSTALL, "%s:%u: unknown key \"%s\": a "
		    "component has title, description, dir, includes, "
		    "service, exec, workdir, ready.log, ready.line, "
		    "ready.start and ready.port", c->filename, c->line, key);
		return false;
	}

	cname = xstrndup(name, (size_t)(dot - name));
	for (j = 0; j < m->ncomp; j++)
		if (strcmp(m->comp[j].name, cname) == 0)
			comp = &m->comp[j];
	if (comp == NULL) {
		if (m->ncomp == MANIFEST_MAX_COMPONENTS) {
			err_set(c->e, ES_EINSTALL, "%s:%u: %s: more than %d "
			    "components", c->filename, c->line, key,
			    MANIFEST_MAX_COMPONENTS);
			free(cname);
			return false;
		}
		comp = &m->comp[m->ncomp++];
		comp->name = cname;
	} else
		free(cname);
	return manifest_set(c, &manifest_comp_keys[i], key, value, comp);
}

/* Handle one "key = value" line (already split and trimmed). */
static bool
manifest_line(struct manifest_ctx *c, const char *key, const char *value)
{
	unsigned first;
	size_t i = 0;

	if (str_has_prefix(key, "component.")) {
		if (strncmp(key, "component..", 11) == 0 ||
		    strchr(key + 10, '.') == NULL) {
			manifest_unknown(c, key, " (component keys are "
			    "component.NAME.FIELD)");
			return false;
		}
	} else {
		for (i = 0; i < MANIFEST_NKEYS; i++)
			if (strcmp(key, manifest_keys[i].name) == 0)
				break;
		if (i == MANIFEST_NKEYS) {
			manifest_unknown(c, key, "");
			return false;
		}
	}
	if ((first = manifest_seen_add(&c->seen, key, c->line)) != 0) {
		err_set(c->e, ES_EINSTALL, "%s:%u: duplicate key \"%s\" "
		    "(first set on line %u)", c->filename, c->line, key, first);
		return false;
	}
	if (*value == '\0') {
		err_set(c->e, ES_EINSTALL, "%s:%u: key \"%s\" has no value",
		    c->filename, c->line, key);
		return false;
	}
	if (str_has_prefix(key, "component."))
		return manifest_component_key(c, key, value);
	return manifest_set(c, &manifest_keys[i], key, value, c->m);
}

/* Check a name that becomes a folder or service name. */
static bool
manifest_word_ok(const char *s, const char *extra)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return false;
	return true;
}

/* The readiness keys of comp make sense together: a line needs its log
 * and a log its line, the start line needs both, the port is
 * "engine_port" or 1-65535, and all of it needs a service. */
static bool
manifest_ready_ok(struct manifest_ctx *c, const struct manifest_component *comp)
{
	const char *fn = c->filename;
	bool any = comp->ready_log != NULL || comp->ready_line != NULL ||
	    comp->ready_start != NULL || comp->ready_port != NULL;
	unsigned long port;
	char *end;

	if (any && comp->service == NULL) {
		err_set(c->e, ES_EINSTALL, "%s: component \"%s\" says how it "
		    "shows it is ready but has no component.%s.service", fn,
		    comp->name, comp->name);
		return false;
	}
	if ((comp->ready_log == NULL) != (comp->ready_line == NULL) ||
	    (comp->ready_start != NULL && comp->ready_log == NULL)) {
		err_set(c->e, ES_EINSTALL, "%s: component \"%s\": "
		    "component.%s.ready.log and .ready.line go together (and "
		    ".ready.start needs both)", fn, comp->name, comp->name);
		return false;
	}
	if (comp->ready_port != NULL &&
	    strcmp(comp->ready_port, "engine_port") != 0) {
		port = strtoul(comp->ready_port, &end, 10);
		if (*comp->ready_port < '0' || *comp->ready_port > '9' ||
		    *end != '\0' || port < 1 || port > 65535) {
			err_set(c->e, ES_EINSTALL, "%s: component.%s.ready.port "
			    "\"%s\" is neither engine_port nor a port from 1 "
			    "to 65535", fn, comp->name, comp->ready_port);
			return false;
		}
	}
	return true;
}

/* Checks that need the whole file. */
static bool
manifest_check(struct manifest_ctx *c)
{
	struct manifest *m = c->m;
	const char *fn = c->filename;
	unsigned i, j;

	if (m->product == NULL) {
		err_set(c->e, ES_EINSTALL, "%s: no \"product\" key", fn);
		return false;
	}
	if (m->version == NULL) {
		err_set(c->e, ES_EINSTALL, "%s: no \"version\" key", fn);
		return false;
	}
	if (m->ncomp == 0) {
		err_set(c->e, ES_EINSTALL, "%s: no component: add "
		    "component.NAME.dir and component.NAME.title", fn);
		return false;
	}
	if (m->mem_rec == 0)
		m->mem_rec = m->mem_min;
	if (m->disk_rec == 0)
		m->disk_rec = m->disk_min;
	if (m->cpu_rec == 0)
		m->cpu_rec = m->cpu_min;
	if (m->mem_min > m->mem_rec || m->disk_min > m->disk_rec ||
	    m->cpu_min > m->cpu_rec) {
		err_set(c->e, ES_EINSTALL, "%s: a requirement's minimum is "
		    "above its recommended value", fn);
		return false;
	}
	for (i = 0; i < m->ncomp; i++) {
		struct manifest_component *comp = &m->comp[i];

		if (comp->dir == NULL) {
			err_set(c->e, ES_EINSTALL, "%s: component \"%s\" has "
			    "no component.%s.dir", fn, comp->name, comp->name);
			return false;
		}
		if (!manifest_word_ok(comp->dir, "._-")) {
			err_set(c->e, ES_EINSTALL, "%s: component.%s.dir "
			    "\"%s\" is not a single folder name (A-Z, a-z, "
			    "0-9, '.', '_', '-')", fn, comp->name, comp->dir);
			return false;
		}
		/* What plat_service_install takes: letters, digits, '.',
		 * '_', '-' (no '@': a systemd template needs an instance),
		 * and what install_result.service holds. */
		if (comp->service != NULL &&
		    (!manifest_word_ok(comp->service, "._-") ||
		    strlen(comp->service) > 63)) {
			err_set(c->e, ES_EINSTALL, "%s: component.%s.service "
			    "\"%s\" is not a service name: 1-63 letters, "
			    "digits, '.', '_' or '-'", fn, comp->name,
			    comp->service);
			return false;
		}
		if (comp->service != NULL && comp->exec == NULL) {
			err_set(c->e, ES_EINSTALL, "%s: component \"%s\" has "
			    "a service but no component.%s.exec", fn,
			    comp->name, comp->name);
			return false;
		}
		if (!manifest_ready_ok(c, comp))
			return false;
		if (comp->includes != NULL &&
		    (strcmp(comp->includes, comp->name) == 0 ||
		    manifest_component(m, comp->includes) == NULL)) {
			err_set(c->e, ES_EINSTALL, "%s: component.%s.includes "
			    "\"%s\" is not another component", fn, comp->name,
			    comp->includes);
			return false;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(m->comp[j].dir, comp->dir) == 0) {
				err_set(c->e, ES_EINSTALL, "%s: components "
				    "\"%s\" and \"%s\" share dir \"%s\"", fn,
				    m->comp[j].name, comp->name, comp->dir);
				return false;
			}
		}
		if (comp->title == NULL)
			comp->title = xstrdup(comp->name);
		if (comp->description == NULL)
			comp->description = xstrdup("");
	}
	return true;
}

bool
manifest_parse(struct manifest *m, const char *text, size_t len,
    const char *filename, struct es_err *e)
{
	struct manifest_ctx c;
	const char *p = text, *end = text + len, *nl, *eq;
	const char *ks, *ke, *vs, *ve;
	char *key = NULL, *value = NULL;
	bool ok = false;

	memset(m, 0, sizeof *m);
	strlist_init(&m->os);
	strlist_init(&m->arch);
	strlist_init(&m->config);
	memset(&c, 0, sizeof c);
	c.m = m;
	c.filename = filename;
	c.e = e;

	if (memchr(text, '\0', len) != NULL) {
		err_set(e, ES_EINSTALL, "%s: not a text file (has a NUL "
		    "byte)", filename);
		goto out;
	}
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (; p < end; p = nl + 1) {
		c.line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		for (ks = p; ks < nl && manifest_is_space(*ks); ks++)
			;
		if (ks == nl || *ks == '#')
			continue;
		eq = memchr(ks, '=', (size_t)(nl - ks));
		if (eq == NULL) {
			err_set(e, ES_EINSTALL, "%s:%u: expected \"key = "
			    "value\"", filename, c.line);
			goto out;
		}
		for (ke = eq; ke > ks && manifest_is_space(ke[-1]); ke--)
			;
		for (vs = eq + 1; vs < nl && manifest_is_space(*vs); vs++)
			;
		for (ve = nl; ve > vs && manifest_is_space(ve[-1]); ve--)
			;
		if (ke == ks) {
			err_set(e, ES_EINSTALL, "%s:%u: a line starts with "
			    "\"=\"; expected \"key = value\"", filename,
			    c.line);
			goto out;
		}
		key = xstrndup(ks, (size_t)(ke - ks));
		value = xstrndup(vs, (size_t)(ve - vs));
		if (!manifest_line(&c, key, value))
			goto out;
		free(key);
		free(value);
		key = value = NULL;
	}
	ok = manifest_check(&c);
out:
	free(key);
	free(value);
	manifest_seen_free(&c.seen);
	if (!ok)
		manifest_free(m);
	return ok;
}

const struct manifest_component *
manifest_component(const struct manifest *m, const char *name)
{
	unsigned i;

	for (i = 0; i < m->ncomp; i++)
		if (strcmp(m->comp[i].name, name) == 0)
			return &m->comp[i];
	return NULL;
}

bool
manifest_is_config(const struct manifest *m, const char *rel)
{
	size_t i, n;

	for (i = 0; i < m->config.n; i++) {
		n = strlen(m->config.v[i]);
		if (strncmp(rel, m->config.v[i], n) == 0 &&
		    (rel[n] == '\0' || rel[n] == '/'))
			return true;
	}
	return false;
}

void
manifest_free(struct manifest *m)
{
	unsigned i;

	free(m->product);
	free(m->version);
	free(m->license);
	free(m->publisher);
	strlist_free(&m->os);
	strlist_free(&m->arch);
	strlist_free(&m->config);
	for (i = 0; i < m->ncomp && i < MANIFEST_MAX_COMPONENTS; i++) {
		free(m->comp[i].name);
		free(m->comp[i].title);
		free(m->comp[i].description);
		free(m->comp[i].dir);
		free(m->comp[i].includes);
		free(m->comp[i].service);
		free(m->comp[i].exec);
		free(m->comp[i].workdir);
		free(m->comp[i].ready_log);
		free(m->comp[i].ready_line);
		free(m->comp[i].ready_start);
		free(m->comp[i].ready_port);
	}
	memset(m, 0, sizeof *m);
}
