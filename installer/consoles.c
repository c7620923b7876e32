#include "consoles.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "util.h"

struct consoles_parser {
	struct consoles *c;
	int depth;
	bool root_ok;
};

static void XMLCALL
consoles_start(void *arg, const XML_Char *name, const XML_Char **attr)
{
	struct consoles_parser *cp = arg;
	struct console_entry *en;
	size_t i;

	cp->depth++;
	if (cp->depth == 1) {
		cp->root_ok = strcmp(name, "Consoles") == 0;
		return;
	}
	if (cp->depth != 2 || strcmp(name, "console") != 0)
		return;
	if (cp->c->n == cp->c->cap) {
		cp->c->cap = cp->c->cap ? cp->c->cap * 2 : 4;
		cp->c->v = xrealloc(cp->c->v, cp->c->cap * sizeof *cp->c->v);
	}
	en = &cp->c->v[cp->c->n++];
	memset(en, 0, sizeof *en);
	for (i = 0; attr[i] != NULL; i += 2) {
		const char *k = attr[i], *v = attr[i + 1];
		char **dst = NULL;

		if (strcmp(k, "id") == 0) dst = &en->id;
		else if (strcmp(k, "name") == 0) dst = &en->name;
		else if (strcmp(k, "lastAddress") == 0) dst = &en->last_address;
		else if (strcmp(k, "port") == 0) dst = &en->port;
		else if (strcmp(k, "consoleId") == 0) dst = &en->console_id;
		else if (strcmp(k, "spki") == 0) dst = &en->spki;
		else if (strcmp(k, "enabled") == 0) en->enabled = strcmp(v, "1") == 0;
		else if (strcmp(k, "connectTo") == 0) en->connect_to = strcmp(v, "1") == 0;
		if (dst != NULL) {
			free(*dst);
			*dst = xstrdup(v);
		}
	}
}

static void XMLCALL
consoles_end(void *arg, const XML_Char *name)
{
	struct consoles_parser *cp = arg;

	(void)name;
	cp->depth--;
}

bool
consoles_parse(struct consoles *c, const char *text, size_t len,
    const char *filename, struct es_err *e)
{
	XML_Parser xp = XML_ParserCreate("UTF-8");
	struct consoles_parser cp = { c, 0, false };
	bool ok = false;

	if (xp == NULL)
		fatal("out of memory");
	XML_SetUserData(xp, &cp);
	XML_SetElementHandler(xp, consoles_start, consoles_end);
	if (XML_Parse(xp, text, (int)len, 1) == XML_STATUS_ERROR) {
		err_set(e, ES_EINTERNAL, "%s:%lu: not well-formed XML: %s",
		    filename, (unsigned long)XML_GetCurrentLineNumber(xp),
		    XML_ErrorString(XML_GetErrorCode(xp)));
		goto out;
	}
	if (!cp.root_ok) {
		err_set(e, ES_EINTERNAL, "%s: the root element is not "
		    "<Consoles>", filename);
		goto out;
	}
	ok = true;
out:
	XML_ParserFree(xp);
	return ok;
}

bool
consoles_load(struct consoles *c, const char *path, struct es_err *e)
{
	size_t len;
	char *text = plat_read_file(path, 16u << 20, &len, e);
	bool ok;

	if (text == NULL)
		return false;
	ok = consoles_parse(c, text, len, path, e);
	free(text);
	return ok;
}

void
consoles_entry_free(struct console_entry *en)
{
	free(en->id);
	free(en->name);
	free(en->last_address);
	free(en->port);
	free(en->console_id);
	free(en->spki);
	memset(en, 0, sizeof *en);
}

void
consoles_free(struct consoles *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		consoles_entry_free(&c->v[i]);
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* Where each <console> start tag is in the text, from expat. */
struct consoles_tags {
	struct consoles *c;
	long *start;
	int *count;
	size_t n, cap;
	XML_Parser xp;
	int depth;
	bool root_ok;
};

static void XMLCALL
consoles_tag_start(void *arg, const XML_Char *name, const XML_Char **attr)
{
	struct consoles_tags *t = arg;
	struct consoles_parser cp = { t->c, t->depth, t->root_ok };
	size_t before = t->c->n;

	consoles_start(&cp, name, attr);
	t->depth = cp.depth;
	t->root_ok = cp.root_ok;
	if (t->c->n == before)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4;
		t->start = xrealloc(t->start, t->cap * sizeof *t->start);
		t->count = xrealloc(t->count, t->cap * sizeof *t->count);
	}
	t->start[t->n] = (long)XML_GetCurrentByteIndex(t->xp);
	t->count[t->n] = XML_GetCurrentByteCount(t->xp);
	t->n++;
}

static void XMLCALL
consoles_tag_end(void *arg, const XML_Char *name)
{
	struct consoles_tags *t = arg;

	(void)name;
	t->depth--;
}

/* Find the value of attribute `name` inside one start tag: its offset and
 * length relative to tag. False when the tag lacks it. */
static bool
consoles_attr_span(const char *tag, size_t n, const char *name,
    size_t *off, size_t *len)
{
	size_t nl = strlen(name), i = 0;

	/* Skip the element name. */
	while (i < n && tag[i] != ' ' && tag[i] != '\t' && tag[i] != '\n' &&
	    tag[i] != '\r')
		i++;
	while (i < n) {
		size_t k;
		char q;

		while (i < n && strchr(" \t\r\n", tag[i]) != NULL)
			i++;
		k = i;
		while (i < n && tag[i] != '=' && strchr(" \t\r\n/>", tag[i]) ==
		    NULL)
			i++;
		if (i >= n || k == i)
			return false;
		{
			bool hit = i - k == nl && memcmp(tag + k, name, nl) == 0;

			while (i < n && tag[i] != '"' && tag[i] != '\'')
				i++;
			if (i >= n)
				return false;
			q = tag[i++];
			k = i;
			while (i < n && tag[i] != q)
				i++;
			if (i >= n)
				return false;
			if (hit) {
				*off = k;
				*len = i - k;
				return true;
			}
			i++;
		}
	}
	return false;
}

bool
consoles_set_enabled(const char *text, size_t len, const char *filename,
    const char *match, bool enabled, char **out, size_t *outlen,
    bool *changed, struct console_entry *which, struct es_err *e)
{
	struct consoles c;
	struct consoles_tags t;
	struct sbuf b;
	size_t i, hits = 0, hit = 0, off, vlen;
	bool ok = false;
	const char *want = enabled ? "1" : "0";

	memset(&c, 0, sizeof c);
	memset(&t, 0, sizeof t);
	*changed = false;
	t.c = &c;
	t.xp = XML_ParserCreate("UTF-8");
	if (t.xp == NULL)
		fatal("out of memory");
	XML_SetUserData(t.xp, &t);
	XML_SetElementHandler(t.xp, consoles_tag_start, consoles_tag_end);
	if (XML_Parse(t.xp, text, (int)len, 1) == XML_STATUS_ERROR) {
		err_set(e, ES_EINSTALL, "%s:%lu: not well-formed XML: %s; "
		    "nothing was changed", filename,
		    (unsigned long)XML_GetCurrentLineNumber(t.xp),
		    XML_ErrorString(XML_GetErrorCode(t.xp)));
		goto out;
	}
	if (!t.root_ok) {
		err_set(e, ES_EINSTALL, "%s: the root element is not "
		    "<Consoles>; nothing was changed", filename);
		goto out;
	}
	for (i = 0; i < c.n; i++) {
		if ((c.v[i].id != NULL && strcmp(c.v[i].id, match) == 0) ||
		    (c.v[i].last_address != NULL &&
		    strcmp(c.v[i].last_address, match) == 0)) {
			hits++;
			hit = i;
		}
	}
	if (hits == 0) {
		err_set(e, ES_EUSAGE, "no console in %s has the id or address "
		    "'%s'; 'engine-setup consoles list' shows them. A console "
		    "appears there once it has added this engine "
		    "(Administration > Scans > Manage scan engines > New "
		    "Engine)", filename, match);
		goto out;
	}
	if (hits > 1) {
		err_set(e, ES_EUSAGE, "%zu consoles in %s match '%s': name "
		    "one by its id ('engine-setup consoles list' shows the "
		    "ids)", hits, filename, match);
		goto out;
	}
	if (t.n != c.n || t.start[hit] < 0 ||
	    (size_t)t.start[hit] + (size_t)t.count[hit] > len) {
		err_set(e, ES_EINTERNAL, "%s: cannot locate the console entry",
		    filename);
		goto out;
	}
	sbuf_init(&b);
	if (consoles_attr_span(text + t.start[hit], (size_t)t.count[hit],
	    "enabled", &off, &vlen)) {
		off += (size_t)t.start[hit];
		*changed = vlen != 1 || text[off] != want[0];
		sbuf_addn(&b, text, off);
		sbuf_add(&b, want);
		sbuf_addn(&b, text + off + vlen, len - off - vlen);
	} else {
		/* No attribute yet: add it after the element name. */
		off = (size_t)t.start[hit] + strlen("<console");
		*changed = true;
		sbuf_addn(&b, text, off);
		sbuf_addf(&b, " enabled=\"%s\"", want);
		sbuf_addn(&b, text + off, len - off);
	}
	*outlen = b.len;
	*out = sbuf_detach(&b);
	if (which != NULL) {
		*which = c.v[hit];
		memset(&c.v[hit], 0, sizeof c.v[hit]);
		which->enabled = enabled;
	}
	ok = true;
out:
	XML_ParserFree(t.xp);
	free(t.start);
	free(t.count);
	consoles_free(&c);
	return ok;
}
