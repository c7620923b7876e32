#include "answers.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "record.h"
#include "util.h"

#define ANSWERS_MAX_ERRORS 20

/* True for a name in install4j style, whose value is escaped as in a Java
 * properties file. */
static bool
answers_is_install4j(const char *name)
{
	bool ignored;
	int alias;
	enum plan_key k;

	if (strchr(name, '$') != NULL)
		return true;
	k = plan_lookup(name, &ignored, &alias);
	return alias >= 0 || k == PK_CONSOLE_ADMIN_PASSWORD ||
	    k == PK_CONSOLE_ADMIN_PASSWORD2 || k == PK_PROXY_HOST ||
	    k == PK_PROXY_PORT;
}

static void
utf8_put(struct sbuf *b, unsigned cp)
{
	char out[4];

	if (cp < 0x80) {
		out[0] = (char)cp;
		sbuf_addn(b, out, 1);
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		sbuf_addn(b, out, 2);
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		sbuf_addn(b, out, 3);
	} else {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		sbuf_addn(b, out, 4);
	}
}

/* The four hex digits of a "\uXXXX" escape whose 'u' is at v[i], into
 * *cp; false when there are not four. */
static bool
answers_hex4(const char *v, size_t n, size_t i, unsigned *cp)
{
	int d;

	if (i + 4 >= n)
		return false;
	*cp = 0;
	for (d = 1; d <= 4; d++) {
		char c = v[i + (size_t)d];

		if (!isxdigit((unsigned char)c))
			return false;
		*cp = *cp * 16 + (unsigned)(isdigit((unsigned char)c) ?
		    c - '0' : (tolower((unsigned char)c) - 'a' + 10));
	}
	return true;
}

/* Java properties unescaping (java.util.Properties.load): \t \n \r \f,
 * \uXXXX (a character beyond U+FFFF as its UTF-16 surrogate pair, as Java
 * writes it; a lone surrogate is refused), and a backslash before any
 * other character stands for it ("C\:\\Program Files" is "C:\Program
 * Files", as install4j writes a Windows sys.installationDir). */
static bool
answers_unescape_properties(const char *v, size_t n, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] != '\\') {
			sbuf_addn(out, v + i, 1);
			continue;
		}
		if (++i == n)
			return false;
		switch (v[i]) {
		case 't': sbuf_add(out, "\t"); break;
		case 'n': sbuf_add(out, "\n"); break;
		case 'r': sbuf_add(out, "\r"); break;
		case 'f': sbuf_add(out, "\f"); break;
		case 'u': {
			unsigned cp, lo;

			if (!answers_hex4(v, n, i, &cp))
				return false;
			i += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return false;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 2 >= n || v[i + 1] != '\\' ||
				    v[i + 2] != 'u' ||
				    !answers_hex4(v, n, i + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					return false;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			}
			utf8_put(out, cp);
			break;
		}
		default:
			sbuf_addn(out, v + i, 1);
			break;
		}
	}
	return true;
}

/* A quoted value: "..." with \\ \" \n; only white space may follow. */
static bool
answers_unquote(const char *v, size_t n, struct sbuf *out, const char **why)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (v[i] == '"') {
			size_t j;

			for (j = i + 1; j < n; j++)
				if (!isspace((unsigned char)v[j])) {
					*why = "text after the closing quote";
					return false;
				}
			return true;
		}
		if (v[i] != '\\') {
			sbuf_addn(out, v + i, 1);
			continue;
		}
		if (++i == n)
			break;
		if (v[i] == '\\' || v[i] == '"')
			sbuf_addn(out, v + i, 1);
		else if (v[i] == 'n')
			sbuf_add(out, "\n");
		else {
			*why = "unknown escape (only \\\\, \\\" and \\n are "
			    "allowed inside quotes): write a backslash as "
			    "\\\\, or leave the value unquoted";
			return false;
		}
	}
	*why = "the quote is not closed";
	return false;
}

/* Whether a properties value ends in an odd number of backslashes: the
 * last one joins the next line. */
static bool
answers_continued(const char *v, size_t n)
{
	size_t k = 0;

	while (k < n && v[n - 1 - k] == '\\')
		k++;
	return k % 2 == 1;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

bool
answers_parse(struct plan *p, const char *text, size_t len,
    const char *filename, int priority, struct es_err *e)
{
	const char *line = text, *end = text + len;
	int lineno = 0, errors = 0;
	struct es_err local;

	err_clear(&local);
	/* A UTF-8 byte-order mark, as Windows editors write. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	if (memchr(text, '\0', len) != NULL) {
		err_set(e, ES_EUSAGE, "%s: not a text file (it holds NUL "
		    "bytes)", filename);
		return false;
	}

	for (; line < end && errors < ANSWERS_MAX_ERRORS; ) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *next = nl != NULL ? nl + 1 : end;
		const char *s = line, *eq, *key, *val;
		size_t n = (size_t)((nl != NULL ? nl : end) - line);
		size_t keylen, vallen;
		char *name;
		struct sbuf value, joined;
		bool ok = true;

		lineno++;
		line = next;
		trim(&s, &n);
		if (n == 0 || *s == '#' || *s == '!')
			continue;
		eq = memchr(s, '=', n);
		if (eq == NULL) {
			err_set(&local, ES_EUSAGE, "%s:%d: expected 'key = "
			    "value', found no '='", filename, lineno);
			errors++;
			continue;
		}
		key = s;
		keylen = (size_t)(eq - s);
		trim(&key, &keylen);
		val = eq + 1;
		vallen = (size_t)(s + n - val);
		trim(&val, &vallen);
		if (keylen == 0) {
			err_set(&local, ES_EUSAGE, "%s:%d: a line starts with "
			    "'=': the key is missing", filename, lineno);
			errors++;
			continue;
		}
		name = xstrndup(key, keylen);
		sbuf_init(&value);
		sbuf_init(&joined);
		if (answers_is_install4j(name)) {
			/* java.util.Properties.load: a line that ends in an
			 * odd number of backslashes goes on in the next one,
			 * whose leading white space is dropped. */
			while (answers_continued(val, vallen) && line < end) {
				const char *c = line;
				size_t cn;

				nl = memchr(line, '\n', (size_t)(end - line));
				cn = (size_t)((nl != NULL ? nl : end) - line);
				line = nl != NULL ? nl + 1 : end;
				lineno++;
				trim(&c, &cn);
				if (joined.len == 0)
					sbuf_addn(&joined, val, vallen - 1);
				else
					joined.s[--joined.len] = '\0';
				sbuf_addn(&joined, c, cn);
				val = joined.s;
				vallen = joined.len;
			}
			if (!answers_unescape_properties(val, vallen, &value)) {
				err_set(&local, ES_EUSAGE, "%s:%d: bad backslash "
				    "escape in the value of '%s'", filename,
				    lineno, name);
				ok = false;
			}
		} else if (vallen > 0 && val[0] == '"') {
			const char *why = NULL;

			if (!answers_unquote(val, vallen, &value, &why)) {
				err_set(&local, ES_EUSAGE, "%s:%d: bad quoted "
				    "value of '%s': %s", filename, lineno, name,
				    why);
				ok = false;
			}
		} else {
			sbuf_addn(&value, val, vallen);
		}
		if (ok && !plan_set(p, name, value.s != NULL ? value.s : "",
		    priority, filename, lineno, &local))
			ok = false;
		if (!ok)
			errors++;
		if (value.s != NULL)
			util_wipe(value.s, value.len);
		sbuf_free(&value);
		if (joined.s != NULL)
			util_wipe(joined.s, joined.len);
		sbuf_free(&joined);
		free(name);
	}
	if (errors >= ANSWERS_MAX_ERRORS)
		err_set(&local, ES_EUSAGE, "%s: stopped after %d errors",
		    filename, errors);
	if (local.code != 0) {
		err_set(e, local.code, "%s", local.msg);
		return false;
	}
	return true;
}

bool
answers_load(struct plan *p, const char *path, int priority,
    struct es_err *e)
{
	size_t len;
	char *text;
	bool ok;
	struct es_err local;

	err_clear(&local);
	text = plat_read_file(path, ANSWERS_MAX_SIZE, &len, &local);
	if (text == NULL) {
		err_set(e, ES_EUSAGE, "cannot read the answers file %s: %s",
		    path, local.msg);
		return false;
	}
	ok = answers_parse(p, text, len, path, priority, e);
	util_wipe(text, len);
	free(text);
	return ok;
}

bool
answers_load_recorded(struct plan *p, const char *root,
    const char *install_dir)
{
	char *idir = plat_join_root(root, install_dir);
	char *rel = record_answers_path(install_dir);
	char *text;
	size_t len;
	bool ok = false;

	text = plat_read_file_beneath(idir, RECORD_ANSWERS_REL,
	    ANSWERS_MAX_SIZE, &len, NULL);
	if (text != NULL) {
		ok = answers_parse(p, text, len, rel, PLAN_SRC_FILE, NULL);
		free(text);
	}
	free(rel);
	free(idir);
	return ok;
}

bool
answers_set_arg(struct plan *p, const char *arg, int priority,
    struct es_err *e)
{
	const char *eq = strchr(arg, '=');
	char *name;
	bool ok;

	if (eq == NULL || eq == arg) {
		err_set(e, ES_EUSAGE, "command line: '%.64s' is not KEY=VALUE",
		    arg);
		return false;
	}
	name = xstrndup(arg, (size_t)(eq - arg));
	ok = plan_set(p, name, eq + 1, priority, NULL, 0, e);
	free(name);
	return ok;
}
