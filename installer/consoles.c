#include "consoles.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "confgen.h"
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
		else if (strcmp(k, "pairAgain") == 0) en->pair_again = strcmp(v, "1") == 0;
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
		err_set(e, ES_EINSTALL, "%s:%lu: not well-formed XML: %s",
		    filename, (unsigned long)XML_GetCurrentLineNumber(xp),
		    XML_ErrorString(XML_GetErrorCode(xp)));
		goto out;
	}
	if (!cp.root_ok) {
		err_set(e, ES_EINSTALL, "%s: the root element is not "
		    "<Consoles>", filename);
		goto out;
	}
	ok = true;
out:
	XML_ParserFree(xp);
	return ok;
}

char *
consoles_read(const char *idir, size_t *len, struct es_err *e)
{
	char *path = xasprintf("%s/" CONSOLES_REL, idir), *to, *text = NULL;

	if (plat_file_type(path) == PLAT_LINK) {
		to = plat_read_link(path);
		err_set(e, ES_EINSTALL, "%s is a symbolic link (to %s), not "
		    "the file itself: engine-setup reads and changes "
		    "consoles.xml only as a file in nse/conf, never through "
		    "a link, which could lead its changes anywhere. Put the "
		    "file in place of the link, then run the command again",
		    path, to != NULL ? to : "?");
		free(to);
	} else {
		text = plat_read_file_beneath(idir, CONSOLES_REL, 16u << 20,
		    len, e);
	}
	free(path);
	return text;
}

bool
consoles_lock(const char *idir, FILE *out, struct plat_file_lock **lock,
    struct es_err *e)
{
	struct es_err local;
	char *path = xasprintf("%s/" CONSOLES_LOCK_REL, idir);
	enum plat_ftype t;
	bool ok = false;

	*lock = NULL;
	err_clear(&local);
	/* Never through a link: without the installation's own folder
	 * there is no lock to take, and consoles_read(), which comes next,
	 * refuses the file and says why. */
	if (plat_file_type_beneath(idir, "nse/conf") != PLAT_DIR) {
		ok = true;
		goto out;
	}
	t = plat_file_type_beneath(idir, CONSOLES_LOCK_REL);
	if (t != PLAT_NONE && t != PLAT_FILE) {
		/* No waiting mends that: say what to do. */
		err_set(e, ES_EINSTALL, "%s is %s, not the lock file that "
		    "engine-setup and the Scan Engine take around a change of "
		    "consoles.xml, so it cannot be locked, and trying again "
		    "does not help. Nothing was changed. Remove it%s then run "
		    "the command again: the lock is made anew as a file",
		    path, t == PLAT_DIR ? "a folder" : t == PLAT_LINK ?
		    "a symbolic link" : "not a regular file", t == PLAT_DIR ?
		    ", with what is in it once you have looked at that," :
		    t == PLAT_LINK ? ", the link itself and not what it leads "
		    "to," : ",");
		goto out;
	}
	if (plat_file_lock_acquire(path, 0, lock, &local)) {
		ok = true;
		goto out;
	}
	if (local.code == ES_EBUSY) {
		fprintf(out, "Waiting up to %d s for the Scan Engine (or "
		    "another engine-setup run) to finish changing "
		    "consoles.xml ...\n", CONSOLES_LOCK_WAIT);
		fflush(out);
		err_clear(&local);
		if (plat_file_lock_acquire(path, CONSOLES_LOCK_WAIT, lock,
		    &local)) {
			ok = true;
			goto out;
		}
	}
	if (local.code == ES_EBUSY)
		err_set(e, ES_EBUSY, "consoles.xml is still locked after %d s "
		    "of waiting: another process (the Scan Engine, or another "
		    "engine-setup run) holds %s. Nothing was changed. Try "
		    "again in a moment; if it stays locked, stop the Scan "
		    "Engine and try again", CONSOLES_LOCK_WAIT, path);
	else if (local.code == ES_ECANCEL)
		err_set(e, ES_ECANCEL, "cancelled while waiting for the lock "
		    "of consoles.xml. Nothing was changed.");
	else
		err_set(e, local.code != 0 ? local.code : ES_EINSTALL,
		    "%s. Nothing was changed.", local.msg);
out:
	free(path);
	return ok;
}

bool
consoles_load(struct consoles *c, const char *idir, struct es_err *e)
{
	char *path = xasprintf("%s/" CONSOLES_REL, idir), *text;
	size_t len;
	bool ok = false;

	if ((text = consoles_read(idir, &len, e)) != NULL)
		ok = consoles_parse(c, text, len, path, e);
	free(text);
	free(path);
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

/* Replace *s by its sbuf_add_shown() form. */
static void
consoles_show_field(char **s)
{
	struct sbuf b;

	if (*s == NULL)
		return;
	sbuf_init(&b);
	sbuf_add(&b, "");
	sbuf_add_shown(&b, *s, false);
	free(*s);
	*s = sbuf_detach(&b);
}

void
consoles_entry_show(struct console_entry *en)
{
	consoles_show_field(&en->id);
	consoles_show_field(&en->name);
	consoles_show_field(&en->last_address);
	consoles_show_field(&en->port);
	consoles_show_field(&en->console_id);
	consoles_show_field(&en->spki);
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
	long *end;            /* just past the element's end tag */
	size_t n, cap;
	XML_Parser xp;
	int depth;
	bool root_ok;
	long root_start, root_count, root_close;   /* <Consoles ...>, </Consoles> */
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
	if (t->depth == 1) {
		t->root_start = (long)XML_GetCurrentByteIndex(t->xp);
		t->root_count = XML_GetCurrentByteCount(t->xp);
	}
	if (t->c->n == before)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4;
		t->start = xrealloc(t->start, t->cap * sizeof *t->start);
		t->count = xrealloc(t->count, t->cap * sizeof *t->count);
		t->end = xrealloc(t->end, t->cap * sizeof *t->end);
	}
	t->start[t->n] = (long)XML_GetCurrentByteIndex(t->xp);
	t->count[t->n] = XML_GetCurrentByteCount(t->xp);
	t->end[t->n] = t->start[t->n] + t->count[t->n];
	t->n++;
}

static void XMLCALL
consoles_tag_end(void *arg, const XML_Char *name)
{
	struct consoles_tags *t = arg;
	long at = (long)XML_GetCurrentByteIndex(t->xp);
	long n = XML_GetCurrentByteCount(t->xp);

	/* An empty element (<x/>) ends where its start tag ends. */
	if (t->depth == 2 && strcmp(name, "console") == 0 && t->n > 0 &&
	    at + n > t->end[t->n - 1])
		t->end[t->n - 1] = at + n;
	if (t->depth == 1)
		t->root_close = n > 0 ? at : -1;
	t->depth--;
}

/* Parse text and note where the console elements are. */
static bool
consoles_scan(struct consoles_tags *t, struct consoles *c, const char *text,
    size_t len, const char *filename, struct es_err *e)
{
	memset(t, 0, sizeof *t);
	t->c = c;
	t->root_close = -1;
	t->xp = XML_ParserCreate("UTF-8");
	if (t->xp == NULL)
		fatal("out of memory");
	XML_SetUserData(t->xp, t);
	XML_SetElementHandler(t->xp, consoles_tag_start, consoles_tag_end);
	if (XML_Parse(t->xp, text, (int)len, 1) == XML_STATUS_ERROR) {
		err_set(e, ES_EINSTALL, "%s:%lu: not well-formed XML: %s; "
		    "nothing was changed", filename,
		    (unsigned long)XML_GetCurrentLineNumber(t->xp),
		    XML_ErrorString(XML_GetErrorCode(t->xp)));
		return false;
	}
	if (!t->root_ok) {
		err_set(e, ES_EINSTALL, "%s: the root element is not "
		    "<Consoles>; nothing was changed", filename);
		return false;
	}
	return true;
}

static void
consoles_scan_free(struct consoles_tags *t)
{
	if (t->xp != NULL)
		XML_ParserFree(t->xp);
	free(t->start);
	free(t->count);
	free(t->end);
}

bool
consoles_upsert(const char *text, size_t len, const char *filename,
    struct confgen_console_entry *entry, char **out, size_t *outlen,
    struct es_err *e)
{
	struct consoles c;
	struct consoles_tags t;
	struct sbuf b;
	char *el = NULL;
	size_t i;
	long replace = -1;
	unsigned maxid = 0;
	bool ok = false;

	memset(&c, 0, sizeof c);
	if (!consoles_scan(&t, &c, text, len, filename, e))
		goto out;
	for (i = 0; i < c.n; i++) {
		unsigned id = c.v[i].id != NULL ?
		    (unsigned)strtoul(c.v[i].id, NULL, 10) : 0;

		if (id > maxid)
			maxid = id;
		if (replace < 0 && c.v[i].console_id != NULL &&
		    entry->console_id != NULL &&
		    strcmp(c.v[i].console_id, entry->console_id) == 0) {
			replace = (long)i;
			entry->id = id;
		}
	}
	if (replace < 0)
		entry->id = maxid + 1;
	el = confgen_consoles_entry(entry);
	sbuf_init(&b);
	if (replace >= 0) {
		/* Keep the indentation before the old element. */
		long s0 = t.start[replace], s1 = t.end[replace];

		while (s0 > 0 && (text[s0 - 1] == ' ' || text[s0 - 1] == '\t'))
			s0--;
		if ((size_t)s1 < len && text[s1] == '\n')
			s1++;
		sbuf_addn(&b, text, (size_t)s0);
		sbuf_add(&b, el);
		sbuf_addn(&b, text + s1, len - (size_t)s1);
	} else if (t.root_close >= 0) {
		long at = t.root_close;

		sbuf_addn(&b, text, (size_t)at);
		if (at > 0 && text[at - 1] != '\n')
			sbuf_add(&b, "\n");
		sbuf_add(&b, el);
		sbuf_addn(&b, text + at, len - (size_t)at);
	} else {
		/* <Consoles/>: open it up. */
		long at = t.root_start, n = t.root_count;

		sbuf_addn(&b, text, (size_t)at);
		sbuf_add(&b, "<Consoles>\n");
		sbuf_add(&b, el);
		sbuf_add(&b, "</Consoles>");
		sbuf_addn(&b, text + at + n, len - (size_t)(at + n));
	}
	*outlen = b.len;
	*out = sbuf_detach(&b);
	ok = true;
out:
	free(el);
	consoles_scan_free(&t);
	consoles_free(&c);
	return ok;
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
consoles_can_restart(const char *root)
{
	return root == NULL || strspn(root, "/") == strlen(root);
}

void
consoles_toggle_command(const char *match, bool enable, bool restart,
    const char *root, struct sbuf *b)
{
	struct sbuf opts;

	sbuf_init(&opts);
	sbuf_add(&opts, restart && consoles_can_restart(root) ?
	    " --restart" : "");
	sbuf_add_root_option(&opts, root);
	sbuf_add(b, enable ? "engine-setup consoles enable " :
	    "engine-setup consoles disable ");
	if (match[0] == '-') {
		/* "enable --root R -- -5": after "--", -5 is no option. */
		if (opts.s[0] != '\0')
			sbuf_addf(b, "%s ", opts.s + 1);
		sbuf_add(b, "-- ");
		sbuf_add_shell(b, match);
	} else {
		sbuf_add_shell(b, match);
		sbuf_add(b, opts.s);
	}
	sbuf_free(&opts);
}

bool
consoles_set_enabled(const char *text, size_t len, const char *filename,
    const char *match, bool enabled, char **out, size_t *outlen,
    bool *changed, struct console_entry *which, struct es_err *e)
{
	struct consoles c;
	struct consoles_tags t;
	struct sbuf b;
	size_t i, hits = 0, id_hits = 0, hit = 0, off, vlen;
	bool ok = false;
	const char *want = enabled ? "1" : "0";

	memset(&c, 0, sizeof c);
	*changed = false;
	if (!consoles_scan(&t, &c, text, len, filename, e))
		goto out;
	for (i = 0; i < c.n; i++) {
		bool by_id = c.v[i].id != NULL && strcmp(c.v[i].id, match) == 0;

		if (by_id || addr_same(c.v[i].last_address, match)) {
			hits++;
			hit = i;
		}
		id_hits += by_id;
	}
	if (id_hits > 1) {
		/* Named by its id, which more than one has: only the file
		 * can be mended. */
		err_set(e, ES_EINSTALL, "%zu consoles in %s have the id '%s': "
		    "each console's id must be unique (the file was edited by "
		    "hand?), so engine-setup cannot tell which one is meant. "
		    "Nothing was changed. Edit the file so that each <console> "
		    "has an id of its own, then run the command again "
		    "('engine-setup consoles list' shows the ids)", id_hits,
		    filename, match);
		goto out;
	}
	if (hits == 0) {
		err_set(e, ES_EUSAGE, "no console in %s has the id or address "
		    "'%s'; 'engine-setup consoles list' shows them. A console "
		    "appears there once it has added this engine "
		    "(" CONSOLES_MENU_NEW_ENGINE ")", filename, match);
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
	consoles_scan_free(&t);
	consoles_free(&c);
	return ok;
}

void
consoles_none_advice(const char *component, const char *communication,
    const char *root, struct sbuf *b)
{
	if (component != NULL && strcmp(component, "engine") != 0) {
		sbuf_add(b, "this Security Console's local Scan Engine needs no "
		    "pairing; distributed Scan Engines pair on their own hosts");
		return;
	}
	if (communication != NULL &&
	    strcmp(communication, "console-to-engine") == 0) {
		sbuf_add(b, "add this engine in the console ("
		    CONSOLES_MENU_NEW_ENGINE "), then run: engine-setup "
		    "consoles enable ADDRESS");
	} else {
		sbuf_add(b, "pair this engine with its console: engine-setup "
		    "pair --console HOST[:PORT]");
	}
	sbuf_add_root_option(b, root);
}

bool
consoles_mark_pair_again(const char *text, size_t len, const char *filename,
    char **out, size_t *outlen, size_t *marked, struct es_err *e)
{
	struct consoles c;
	struct consoles_tags t;
	struct sbuf b;
	size_t i, done = 0, off, vlen;
	bool ok = false;

	memset(&c, 0, sizeof c);
	*marked = 0;
	if (!consoles_scan(&t, &c, text, len, filename, e))
		goto out;
	if (t.n != c.n) {
		err_set(e, ES_EINTERNAL, "%s: cannot locate the console "
		    "entries", filename);
		goto out;
	}
	sbuf_init(&b);
	for (i = 0; i < c.n; i++) {
		size_t at = (size_t)t.start[i];

		if (!c.v[i].connect_to || t.start[i] < 0 ||
		    at + (size_t)t.count[i] > len)
			continue;
		if (consoles_attr_span(text + at, (size_t)t.count[i],
		    "pairAgain", &off, &vlen)) {
			if (vlen == 1 && text[at + off] == '1')
				continue;
			sbuf_addn(&b, text + done, at + off - done);
			sbuf_add(&b, "1");
			done = at + off + vlen;
		} else {
			at += strlen("<console");
			sbuf_addn(&b, text + done, at - done);
			sbuf_add(&b, " pairAgain=\"1\"");
			done = at;
		}
		(*marked)++;
	}
	sbuf_addn(&b, text + done, len - done);
	*outlen = b.len;
	*out = sbuf_detach(&b);
	ok = true;
out:
	consoles_scan_free(&t);
	consoles_free(&c);
	return ok;
}
