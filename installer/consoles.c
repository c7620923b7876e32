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
consoles_free(struct consoles *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].id);
		free(c->v[i].name);
		free(c->v[i].last_address);
		free(c->v[i].port);
		free(c->v[i].console_id);
		free(c->v[i].spki);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}
