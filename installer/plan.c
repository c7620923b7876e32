#include "plan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "log.h"
#include "platform.h"
#include "rootpath.h"
#include "util.h"

static const struct plan_keyinfo keyinfo[PK_COUNT] = {
	{ PK_ACCEPT_LICENSE, "accept_license", false,
	  "yes: you accept the licence (required with --silent)" },
	{ PK_COMPONENT, "component", false,
	  "engine | console (Security Console with local Scan Engine)" },
	{ PK_INSTALL_DIR, "install_dir", false, "absolute path" },
	{ PK_FIRST_NAME, "first_name", false, "certificate subject" },
	{ PK_LAST_NAME, "last_name", false, "certificate subject" },
	{ PK_COMPANY, "company", false, "certificate subject" },
	{ PK_COMMUNICATION, "communication", false,
	  "engine-to-console | console-to-engine" },
	{ PK_ENGINE_PORT, "engine_port", false,
	  "port the engine listens on (console-to-engine)" },
	{ PK_ENGINE_NAME, "engine_name", false,
	  "1-52 printable characters (certificate OU)" },
	{ PK_PAIR_NOW, "pair_now", false, "yes | no: pair during install" },
	{ PK_CONSOLE_ADDRESS, "console_address", false,
	  "host name, IPv4 or IPv6 address of the console" },
	{ PK_CONSOLE_PORT, "console_port", false, "console pairing port" },
	{ PK_SHARED_SECRET, "shared_secret", true,
	  "the console's shared secret (shows in ps: prefer the file)" },
	{ PK_SHARED_SECRET_FILE, "shared_secret_file", false,
	  "file holding the shared secret" },
	{ PK_CONSOLE_FINGERPRINT, "console_fingerprint", false,
	  "sha256:<64 hex> pin of the console key" },
	{ PK_CONSOLE_ADMIN_USER, "console_admin_user", false,
	  "console administrator (console component)" },
	{ PK_CONSOLE_ADMIN_PASSWORD_FILE, "console_admin_password_file", false,
	  "file holding the administrator password" },
	{ PK_CONSOLE_ADMIN_PASSWORD, "password1", true,
	  "install4j: administrator password" },
	{ PK_CONSOLE_ADMIN_PASSWORD2, "password2", true,
	  "install4j: administrator password again" },
	{ PK_START_SERVICE, "start_service", false,
	  "yes | no: start the service after installing" },
	{ PK_PROXY, "proxy", false, "http://host:port" },
	{ PK_PROXY_HOST, "proxyHost", false,
	  "install4j: proxy host (with proxyPort: proxy)" },
	{ PK_PROXY_PORT, "proxyPort", false,
	  "install4j: proxy port (with proxyHost: proxy)" },
};

/* install4j names (cli-contract.md, "install4j names accepted as aliases"). */
enum alias_kind {
	AL_PLAIN,        /* value taken as it is */
	AL_BOOL_YESNO,   /* true/false -> yes/no */
	AL_COMP_ENGINE,  /* true -> component=engine, false -> no effect */
	AL_COMP_CONSOLE, /* true -> component=console, false -> no effect */
	AL_DIRECTION,    /* 0 -> engine-to-console, 1 -> console-to-engine */
	AL_IGNORED       /* accepted, ignored with a note */
};

struct alias {
	const char *name;
	enum plan_key key;
	enum alias_kind kind;
};

static const struct alias aliases[] = {
	{ "sys.component.engine", PK_COMPONENT, AL_COMP_ENGINE },
	{ "sys.component.typical", PK_COMPONENT, AL_COMP_CONSOLE },
	{ "communicationDirectionChoice", PK_COMMUNICATION, AL_DIRECTION },
	{ "consoleAddress", PK_CONSOLE_ADDRESS, AL_PLAIN },
	{ "consoleDetailPort", PK_CONSOLE_PORT, AL_PLAIN },
	{ "sharedSecret", PK_SHARED_SECRET, AL_PLAIN },
	{ "sys.installationDir", PK_INSTALL_DIR, AL_PLAIN },
	{ "initService", PK_START_SERVICE, AL_BOOL_YESNO },
	{ "firstname", PK_FIRST_NAME, AL_PLAIN },
	{ "lastname", PK_LAST_NAME, AL_PLAIN },
	{ "username", PK_CONSOLE_ADMIN_USER, AL_PLAIN },
	{ "sys.languageId", PK_COUNT, AL_IGNORED },
	{ "registrationRequired", PK_COUNT, AL_IGNORED },
	{ "sys.adminRights", PK_COUNT, AL_IGNORED },
	{ "sys.programGroupDisabled", PK_COUNT, AL_IGNORED },
	{ "sys.programGroupName", PK_COUNT, AL_IGNORED },
	{ "sys.programGroupAllUsers", PK_COUNT, AL_IGNORED },
	{ "createDesktopLinkAction", PK_COUNT, AL_IGNORED },
	{ "requirePasswordChange", PK_COUNT, AL_IGNORED },
};
#define NALIASES (sizeof aliases / sizeof aliases[0])

void
plan_init(struct plan *p)
{
	memset(p, 0, sizeof *p);
}

static void
plan_clear_key(struct plan *p, enum plan_key k)
{
	if (keyinfo[k].secret)
		util_free_secret(p->value[k]);
	else
		free(p->value[k]);
	free(p->origin[k].file);
	free(p->origin[k].as);
	p->value[k] = NULL;
	memset(&p->origin[k], 0, sizeof p->origin[k]);
	p->priority[k] = 0;
}

void
plan_free(struct plan *p)
{
	int k;

	for (k = 0; k < PK_COUNT; k++)
		plan_clear_key(p, (enum plan_key)k);
}

const struct plan_keyinfo *
plan_keyinfo(enum plan_key k)
{
	return &keyinfo[k];
}

/* Strip an install4j "$Type" suffix: "initService$Boolean" -> 9. */
static size_t
plan_base_len(const char *name)
{
	const char *dollar = strchr(name, '$');

	return dollar != NULL ? (size_t)(dollar - name) : strlen(name);
}

static const struct alias *
plan_find_alias(const char *name)
{
	size_t n = plan_base_len(name), i;

	for (i = 0; i < NALIASES; i++)
		if (strlen(aliases[i].name) == n &&
		    strncmp(aliases[i].name, name, n) == 0)
			return &aliases[i];
	/* install4j's password1/password2 are keys of their own here. */
	return NULL;
}

enum plan_key
plan_lookup(const char *name, bool *ignored, int *alias)
{
	const struct alias *a;
	int k;

	*ignored = false;
	*alias = -1;
	for (k = 0; k < PK_COUNT; k++)
		if (strcmp(keyinfo[k].name, name) == 0)
			return (enum plan_key)k;
	if ((a = plan_find_alias(name)) == NULL)
		return PK_COUNT;
	*alias = (int)(a - aliases);
	if (a->kind == AL_IGNORED)
		*ignored = true;
	return a->key;
}

const char *
plan_alias_name(size_t i)
{
	return i < NALIASES ? aliases[i].name : NULL;
}

const char *
plan_suggest(const char *name)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, d, i;
	int k;
	char *base = xstrndup(name, plan_base_len(name));

	for (k = 0; k < PK_COUNT; k++) {
		d = str_distance(base, keyinfo[k].name);
		if (d < bestd) {
			bestd = d;
			best = keyinfo[k].name;
		}
	}
	for (i = 0; i < NALIASES; i++) {
		d = str_distance(base, aliases[i].name);
		if (d < bestd) {
			bestd = d;
			best = aliases[i].name;
		}
	}
	/* Only a near miss is a useful suggestion. */
	if (bestd > 3 && bestd * 2 > strlen(base))
		best = NULL;
	free(base);
	return best;
}

static void
plan_where(char *out, size_t outsz, const char *file, int line)
{
	if (file != NULL && line > 0)
		snprintf(out, outsz, "%s:%d: ", file, line);
	else if (file != NULL)
		snprintf(out, outsz, "%s: ", file);
	else
		snprintf(out, outsz, "command line: ");
}

/* Translate an alias value to the canonical value; NULL means "no effect"
 * (a component flag set to false). *bad is set for a value the alias does
 * not take. */
static char *
plan_alias_value(const struct alias *a, const char *value, bool *bad)
{
	*bad = false;
	switch (a->kind) {
	case AL_PLAIN:
	case AL_IGNORED:
		return xstrdup(value);
	case AL_BOOL_YESNO:
		if (strcasecmp(value, "true") == 0)
			return xstrdup("yes");
		if (strcasecmp(value, "false") == 0)
			return xstrdup("no");
		break;
	case AL_COMP_ENGINE:
	case AL_COMP_CONSOLE:
		if (strcasecmp(value, "true") == 0)
			return xstrdup(a->kind == AL_COMP_ENGINE ?
			    "engine" : "console");
		if (strcasecmp(value, "false") == 0)
			return NULL;
		break;
	case AL_DIRECTION:
		if (strcmp(value, "0") == 0)
			return xstrdup("engine-to-console");
		if (strcmp(value, "1") == 0)
			return xstrdup("console-to-engine");
		break;
	}
	*bad = true;
	return NULL;
}

bool
plan_set(struct plan *p, const char *name, const char *value,
    int priority, const char *file, int line, struct es_err *e)
{
	char where[512];
	bool ignored, bad;
	int alias;
	enum plan_key k;
	char *v;

	plan_where(where, sizeof where, file, line);
	k = plan_lookup(name, &ignored, &alias);
	if (ignored) {
		/* The reference installer's settings engine-setup has no use
		 * for (cli-contract.md: "accepted and ignored with a note in
		 * the log"); the value is not logged. */
		log_msg("%sinstall4j answer '%s' accepted and ignored: "
		    "engine-setup has no such setting", where, name);
		return true;
	}
	if (k == PK_COUNT) {
		const char *s = plan_suggest(name);

		if (s != NULL)
			err_set(e, ES_EUSAGE, "%sunknown key '%s'; did you mean "
			    "'%s'?", where, name, s);
		else
			err_set(e, ES_EUSAGE, "%sunknown key '%s'; the keys "
			    "are listed in docs/answers.md and by "
			    "'engine-setup --help'", where, name);
		return false;
	}
	if (alias >= 0) {
		v = plan_alias_value(&aliases[alias], value, &bad);
		if (bad) {
			err_set(e, ES_EUSAGE, "%sbad value for '%s': '%s' (%s)",
			    where, name, value,
			    aliases[alias].kind == AL_DIRECTION ?
			    "expected 0 or 1" : "expected true or false");
			return false;
		}
		if (v == NULL)
			return true;
	} else {
		v = xstrdup(value);
	}

	if (p->value[k] != NULL && p->priority[k] == priority) {
		const struct plan_origin *o = &p->origin[k];
		char first[512];

		/* Two install4j component flags saying the same thing are
		 * not a conflict. */
		if (strcmp(p->value[k], v) == 0 && alias >= 0 &&
		    o->as != NULL && strcmp(o->as, name) != 0) {
			free(v);
			return true;
		}
		plan_where(first, sizeof first, o->file, o->line);
		err_set(e, ES_EUSAGE, "%sduplicate key '%s': already given "
		    "as '%s' (%.*s)", where, name,
		    o->as != NULL ? o->as : keyinfo[k].name,
		    (int)(strlen(first) > 2 ? strlen(first) - 2 : 0), first);
		if (keyinfo[k].secret)
			util_free_secret(v);
		else
			free(v);
		return false;
	}
	if (p->value[k] != NULL && p->priority[k] > priority) {
		free(v);
		return true;
	}
	plan_clear_key(p, k);
	p->value[k] = v;
	p->priority[k] = priority;
	p->origin[k].file = file != NULL ? xstrdup(file) : NULL;
	p->origin[k].line = line;
	p->origin[k].as = xstrdup(name);
	return true;
}

static const char *
plan_default(enum plan_key k)
{
	switch (k) {
	case PK_COMPONENT: return "engine";
	case PK_INSTALL_DIR: return plat_default_install_dir();
	case PK_COMMUNICATION: return "engine-to-console";
	case PK_ENGINE_PORT: return "40814";
	case PK_PAIR_NOW: return "yes";
	case PK_CONSOLE_PORT: return "40815";
	case PK_START_SERVICE: return "yes";
	default: return NULL;
	}
}

const char *
plan_get(const struct plan *p, enum plan_key k)
{
	return p->value[k] != NULL ? p->value[k] : plan_default(k);
}

bool
plan_is_set(const struct plan *p, enum plan_key k)
{
	return p->value[k] != NULL;
}

bool
plan_yes(const struct plan *p, enum plan_key k)
{
	const char *v = plan_get(p, k);

	return v != NULL && strcmp(v, "yes") == 0;
}

unsigned
plan_port(const struct plan *p, enum plan_key k)
{
	const char *v = plan_get(p, k);

	return v != NULL ? (unsigned)strtoul(v, NULL, 10) : 0;
}

/* The value stored for k: an address the user typed in its normal form
 * (addr_normal), so that "[::1]" and "::1" are stored, compared and
 * written to consoles.xml alike; anything else as it is. Caller frees. */
static char *
plan_normal_value(enum plan_key k, const char *v)
{
	const char *expect;

	if (k == PK_CONSOLE_ADDRESS && plan_check(k, v, &expect))
		return addr_normal(v);
	return xstrdup(v);
}

void
plan_replace(struct plan *p, enum plan_key k, const char *value)
{
	/* value may be the current value itself (Enter keeps a default). */
	char *v = value != NULL ? plan_normal_value(k, value) : NULL;

	plan_clear_key(p, k);
	if (v == NULL)
		return;
	p->value[k] = v;
	p->priority[k] = PLAN_SRC_INTERACTIVE;
	p->origin[k].as = xstrdup(keyinfo[k].name);
}

void
plan_apply_defaults(struct plan *p, const char *hostname)
{
	char name[PLAN_ENGINE_NAME_MAX + 1];
	size_t i, n = 0;

	/* A longer host name is cut: the engine name goes into the
	 * certificate (PLAN_ENGINE_NAME_MAX). */
	if (p->value[PK_ENGINE_NAME] != NULL || hostname == NULL)
		return;
	for (i = 0; hostname[i] != '\0' && n < PLAN_ENGINE_NAME_MAX; i++)
		if (isprint((unsigned char)hostname[i]))
			name[n++] = hostname[i];
	name[n] = '\0';
	if (n == 0)
		return;
	p->value[PK_ENGINE_NAME] = xstrdup(name);
	p->origin[PK_ENGINE_NAME].as = xstrdup("engine_name");
}

/* ---- validation ---- */

/* Length in characters of valid UTF-8, or -1 when invalid: overlong
 * forms, surrogates and code points past U+10FFFF are invalid (RFC 3629,
 * section 3), as OpenSSL finds them in a certificate name; with c1 false,
 * C1 control characters (U+0080-U+009F) and U+FFFE, U+FFFF, which an XML
 * file cannot carry (XML 1.0, 2.2), count as invalid too. */
static long
utf8_count(const char *s, bool c1)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;
	long n = 0;

	while (*u != '\0') {
		int len, i;

		if (*u < 0x80) {
			len = 1;
			cp = *u;
		} else if (*u >= 0xc2 && *u <= 0xdf) {
			len = 2;
			cp = *u & 0x1f;
		} else if ((*u & 0xf0) == 0xe0) {
			len = 3;
			cp = *u & 0x0f;
		} else if (*u >= 0xf0 && *u <= 0xf4) {
			len = 4;
			cp = *u & 0x07;
		} else {
			return -1;
		}
		for (i = 1; i < len; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (u[i] & 0x3f);
		}
		u += len;
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		if (!c1 && ((cp >= 0x80 && cp <= 0x9f) || cp == 0xfffe ||
		    cp == 0xffff))
			return -1;
		n++;
	}
	return n;
}


/* 1-64 letters, digits, spaces and the punctuation real names carry,
 * ' - . , & ( ) / (cli-contract.md: O'Brien, Smith-Jones, AT&T); letters
 * beyond ASCII count as letters. */
static bool
valid_name(const char *s)
{
	long n = utf8_count(s, false);
	const unsigned char *u;

	if (n < 1 || n > 64)
		return false;
	for (u = (const unsigned char *)s; *u != '\0'; u++)
		if (*u < 0x80 && !isalnum(*u) && strchr(" '-.,&()/", *u) == NULL)
			return false;
	return s[0] != ' ';
}

static bool
valid_printable(const char *s, long max)
{
	long n = utf8_count(s, false);
	const unsigned char *u;

	if (n < 1 || n > max)
		return false;
	for (u = (const unsigned char *)s; *u != '\0'; u++)
		if (*u < 0x20 || *u == 0x7f)
			return false;
	return true;
}

static bool
valid_port(const char *s)
{
	unsigned long v = 0;
	const char *c;

	if (*s == '\0' || strlen(s) > 5)
		return false;
	for (c = s; *c != '\0'; c++) {
		if (!isdigit((unsigned char)*c))
			return false;
		v = v * 10 + (unsigned long)(*c - '0');
	}
	return v >= 1 && v <= 65535;
}

static bool
valid_ipv4(const char *s)
{
	int parts = 0;

	while (parts < 4) {
		unsigned v = 0;
		int digits = 0;

		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3)
				return false;
		}
		if (digits == 0 || v > 255)
			return false;
		parts++;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return false;
	}
	return parts == 4 && *s == '\0';
}

/* RFC 4291 section 2.2 text forms, with an optional zone is not accepted. */
static bool
valid_ipv6(const char *s)
{
	int groups = 0, digits = 0;
	bool dbl = false;
	const char *c = s;

	if (strncmp(c, "::", 2) == 0) {
		dbl = true;
		c += 2;
		if (*c == '\0')
			return true;
	} else if (*c == ':') {
		return false;
	}
	for (;; c++) {
		if (isxdigit((unsigned char)*c)) {
			if (++digits > 4)
				return false;
			continue;
		}
		if (*c == '.') {
			/* Embedded IPv4 in the last 32 bits. */
			const char *start = c - digits;

			if (!valid_ipv4(start))
				return false;
			groups += 2;
			digits = 0;
			break;
		}
		if (digits > 0)
			groups++;
		digits = 0;
		if (*c == '\0')
			break;
		if (*c != ':')
			return false;
		if (c[1] == ':') {
			if (dbl)
				return false;
			dbl = true;
			c++;
			if (c[1] == '\0')
				break;
		} else if (c[1] == '\0') {
			return false;
		}
	}
	return dbl ? groups < 8 : groups == 8;
}

/* RFC 1123 host name: labels of letters, digits and hyphens. */
static bool
valid_hostname(const char *s)
{
	size_t len = strlen(s), label = 0;
	const char *c;

	if (len == 0 || len > 253)
		return false;
	for (c = s; ; c++) {
		if (*c == '.' || *c == '\0') {
			if (label == 0 || label > 63 || c[-1] == '-')
				return false;
			if (*c == '\0')
				break;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*c) && *c != '-')
			return false;
		if (label == 0 && *c == '-')
			return false;
		label++;
	}
	/* The last label is never all digits (RFC 1123, section 2.1): that
	 * is a malformed IPv4 address, not a name. */
	for (c = strrchr(s, '.') ? strrchr(s, '.') + 1 : s; *c != '\0'; c++)
		if (!isdigit((unsigned char)*c))
			return true;
	return false;
}

static bool
valid_address(const char *s)
{
	size_t n = strlen(s);

	if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
		char *in = xstrndup(s + 1, n - 2);
		bool ok = valid_ipv6(in);

		free(in);
		return ok;
	}
	return valid_ipv4(s) || valid_ipv6(s) || valid_hostname(s);
}

static bool
valid_fingerprint(const char *s)
{
	size_t i;

	if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 64)
		return false;
	for (i = 7; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool
valid_proxy(const char *s)
{
	const char *host, *colon;
	char *h;
	bool ok;

	if (strncmp(s, "http://", 7) != 0)
		return false;
	host = s + 7;
	colon = strrchr(host, ':');
	if (colon == NULL || colon == host)
		return false;
	if (!valid_port(colon[1] == '\0' ? "x" : colon + 1)) {
		/* "http://host:port/" with a trailing slash is common. */
		char *port = xstrdup(colon + 1);
		size_t n = strlen(port);

		if (n > 0 && port[n - 1] == '/')
			port[n - 1] = '\0';
		ok = valid_port(port);
		free(port);
		if (!ok)
			return false;
	}
	h = xstrndup(host, (size_t)(colon - host));
	ok = valid_address(h);
	free(h);
	return ok;
}

static bool
valid_user(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-@", s[i]) == NULL)
			return false;
	return true;
}

/* The shared-secret normalization of pairing-protocol.md: drop '-' and
 * white space, upper-case; 32 characters from 0-9A-Z. */
static bool
valid_secret(const char *s)
{
	size_t n = 0;
	const unsigned char *u;

	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u == '-' || *u == ' ' || *u == '\t' || *u == '\n' ||
		    *u == '\r' || *u == '\v' || *u == '\f')
			continue;
		if (!isalnum(*u) || *u >= 0x80)
			return false;
		n++;
	}
	return n == 32;
}

static void
plan_bad(const struct plan *p, enum plan_key k, struct es_err *e,
    const char *expect)
{
	char where[512];
	const struct plan_origin *o = &p->origin[k];
	const char *as = o->as != NULL ? o->as : keyinfo[k].name;

	struct sbuf shown;

	plan_where(where, sizeof where, o->file, o->line);
	if (keyinfo[k].secret) {
		err_set(e, ES_EUSAGE, "%sbad value for '%s' (not shown): "
		    "expected %s", where, as, expect);
		return;
	}
	/* Control characters shown as escapes: a line break in a value
	 * must not break the message. */
	sbuf_init(&shown);
	err_set(e, ES_EUSAGE, "%sbad value for '%s': '%s': expected %s",
	    where, as, str_shown(&shown, p->value[k]), expect);
	sbuf_free(&shown);
}

static void
plan_missing(const struct plan *p, enum plan_key k, struct es_err *e,
    const char *why)
{
	(void)p;
	err_set(e, ES_EUSAGE, "missing required answer '%s'%s; give it in the "
	    "answers file or with --set %s=VALUE", keyinfo[k].name, why,
	    keyinfo[k].name);
}

static bool
plan_expect(const char **expect, const char *what)
{
	*expect = what;
	return false;
}

bool
plan_check_install_dir(const char *dir, const char *root, char **normal,
    const char **expect)
{
	static char why[512];
	size_t path_max, name_max, n, rootlen, rlen;
	const char *c, *end, *problem, *example;
	char *norm = NULL;
	bool dotdot;

	*expect = NULL;
	if (normal != NULL)
		*normal = NULL;
	plat_path_limits(&path_max, &name_max);
	example = plat_default_install_dir();
	rlen = rootpath_root_len(example);
	norm = rootpath_normal(dir, &dotdot);
	if (norm == NULL) {
		snprintf(why, sizeof why, "an absolute path, starting with "
		    "'%.*s', such as %s", (int)rlen, example, example);
		return plan_expect(expect, why);
	}
	if ((problem = plat_install_path_problem(norm)) != NULL) {
		free(norm);
		return plan_expect(expect, problem);
	}
	if (dotdot) {
		free(norm);
		return plan_expect(expect, "a path without '..' parts: name "
		    "the folder itself (a link on the way would change what "
		    "'..' means)");
	}
	if (rootpath_is_root(norm)) {
		snprintf(why, sizeof why, "a folder of its own, not the root "
		    "folder ('%s', '%s/' and '%s.' all name it): an "
		    "installation replaces its folder and uninstall removes "
		    "it; give one such as %s", norm, norm, norm, example);
		free(norm);
		return plan_expect(expect, why);
	}
	if (strlen(norm) > PLAN_INSTALL_DIR_MAX) {
		free(norm);
		snprintf(why, sizeof why, "a path of at most %d bytes; "
		    "choose a shorter one", PLAN_INSTALL_DIR_MAX);
		return plan_expect(expect, why);
	}
	for (c = norm + rootpath_root_len(norm); *c != '\0';
	    c = end + (*end == '/')) {
		end = strchr(c, '/');
		if (end == NULL)
			end = c + strlen(c);
		n = (size_t)(end - c);
		if (n > name_max) {
			snprintf(why, sizeof why, "folder names of at most "
			    "%zu bytes (NAME_MAX); one part is %zu bytes "
			    "long: shorten it", name_max, n);
			free(norm);
			return plan_expect(expect, why);
		}
		if (*end == '\0' && n + PLAN_STAGING_EXTRA > name_max) {
			snprintf(why, sizeof why, "a last folder name of at "
			    "most %zu bytes (it is %zu): the install unpacks "
			    "beside it into \".<name>.es-staging-XXXXXXXX\", "
			    "which must fit NAME_MAX (%zu bytes); shorten it",
			    name_max - PLAN_STAGING_EXTRA, n, name_max);
			free(norm);
			return plan_expect(expect, why);
		}
	}
	rootlen = root == NULL || strcmp(root, "/") == 0 ? 0 : strlen(root);
	while (rootlen > 0 && root[rootlen - 1] == '/')
		rootlen--;
	if (rootlen + strlen(norm) > path_max - 1 - PLAN_PATH_RESERVE) {
		snprintf(why, sizeof why, "a shorter path: under --root it is "
		    "%zu bytes long with the root folder, and at most %zu fit "
		    "(PATH_MAX is %zu bytes, %d of them kept for the "
		    "payload's own paths)", rootlen + strlen(norm),
		    path_max - 1 - PLAN_PATH_RESERVE, path_max,
		    PLAN_PATH_RESERVE);
		free(norm);
		return plan_expect(expect, why);
	}
	if (normal != NULL)
		*normal = norm;
	else
		free(norm);
	return true;
}

bool
plan_check(enum plan_key k, const char *v, const char **expect)
{
	*expect = NULL;
	switch (k) {
	case PK_ACCEPT_LICENSE:
		if (strcmp(v, "yes") != 0)
			return plan_expect(expect, "yes (the licence must "
			    "be accepted to install)");
		break;
	case PK_COMPONENT:
		if (strcmp(v, "engine") != 0 &&
		    strcmp(v, "console") != 0)
			return plan_expect(expect, "engine or console");
		break;
	case PK_INSTALL_DIR:
		return plan_check_install_dir(v, NULL, NULL, expect);
	case PK_FIRST_NAME:
	case PK_LAST_NAME:
	case PK_COMPANY:
		if (!valid_name(v))
			return plan_expect(expect, "1-64 letters, digits, "
			    "spaces and ' - . , & ( ) /");
		break;
	case PK_COMMUNICATION:
		if (strcmp(v, "engine-to-console") != 0 &&
		    strcmp(v, "console-to-engine") != 0)
			return plan_expect(expect, "engine-to-console or "
			    "console-to-engine");
		break;
	case PK_ENGINE_PORT:
	case PK_CONSOLE_PORT:
		if (!valid_port(v))
			return plan_expect(expect, "a port from 1 to 65535");
		break;
	case PK_ENGINE_NAME:
		if (!valid_printable(v, PLAN_ENGINE_NAME_MAX))
			return plan_expect(expect, "1-52 printable "
			    "characters (no control characters): the "
			    "certificate's organizational unit is \"Scan "
			    "Engine <name>\", and X.520 allows it 64 "
			    "characters (RFC 5280, appendix A)");
		break;
	case PK_PAIR_NOW:
	case PK_START_SERVICE:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return plan_expect(expect, "yes or no");
		break;
	case PK_CONSOLE_ADDRESS:
		if (!valid_address(v))
			return plan_expect(expect, "a host name, IPv4 or "
			    "IPv6 address");
		break;
	case PK_SHARED_SECRET:
		if (!valid_secret(v))
			return plan_expect(expect, "the console's shared "
			    "secret: 32 letters and digits, in groups "
			    "like ABCD-1234-...");
		break;
	case PK_SHARED_SECRET_FILE:
	case PK_CONSOLE_ADMIN_PASSWORD_FILE:
		if (plat_file_type(v) == PLAT_OTHER)
			return plan_expect(expect, "a regular file, not a "
			    "FIFO (which would block until written to), "
			    "device or socket");
		if (plat_file_type(v) != PLAT_FILE)
			return plan_expect(expect, "a readable file that "
			    "exists");
		if (plat_file_usable(v, false) != 0)
			return plan_expect(expect, "a file this user may "
			    "read (check its owner and mode)");
		break;
	case PK_CONSOLE_FINGERPRINT:
		if (!valid_fingerprint(v))
			return plan_expect(expect, "sha256: followed by "
			    "64 hex digits");
		break;
	case PK_CONSOLE_ADMIN_USER:
		if (!valid_user(v))
			return plan_expect(expect, "1-64 letters, digits, "
			    "'.', '_', '-' or '@'");
		break;
	case PK_CONSOLE_ADMIN_PASSWORD:
	case PK_CONSOLE_ADMIN_PASSWORD2:
		if (strlen(v) < 8)
			return plan_expect(expect, "at least 8 characters");
		break;
	case PK_PROXY:
		if (!valid_proxy(v))
			return plan_expect(expect, "http://host:port");
		break;
	case PK_PROXY_HOST:
		if (!valid_address(v))
			return plan_expect(expect, "a host name, IPv4 or "
			    "IPv6 address");
		break;
	case PK_PROXY_PORT:
		if (!valid_port(v))
			return plan_expect(expect, "a port from 1 to 65535");
		break;
	case PK_COUNT:
		break;
	}
	return true;
}

/* The origin of an answer for a message: "file:line: " or "command
 * line: ". */
static void
plan_where_key(const struct plan *p, enum plan_key k, char *out,
    size_t outsz)
{
	plan_where(out, outsz, p->origin[k].file, p->origin[k].line);
}

/* install4j proxyHost and proxyPort together mean proxy = http://HOST:PORT
 * (cli-contract.md), as the product's Chef and Puppet templates write
 * them into every response file. An empty proxyHost, as those templates
 * render it when no proxy is configured, is no answer: the proxy comes
 * from another source or the environment. Against an explicit proxy the
 * usual rule holds: the higher source wins, and at the same level two
 * different proxies are an error, as a duplicate key is. */
static void
plan_fold_proxy(struct plan *p, struct es_err *e)
{
	const char *h = p->value[PK_PROXY_HOST];
	const char *pt = p->value[PK_PROXY_PORT];
	char where[512], where2[512];
	char *url = NULL;
	size_t n;
	int prio;

	if (h == NULL && pt == NULL)
		return;
	if (h != NULL && h[strspn(h, " \t")] == '\0') {
		log_msg("proxyHost is empty: no proxy from the response file%s",
		    pt != NULL && pt[0] != '\0' ? " (proxyPort ignored)" : "");
		goto out;
	}
	if (h == NULL) {
		plan_where_key(p, PK_PROXY_PORT, where, sizeof where);
		err_set(e, ES_EUSAGE, "%sproxyPort is given without proxyHost: "
		    "give both (proxyHost=HOST and proxyPort=PORT mean proxy = "
		    "http://HOST:PORT), or neither", where);
		goto out;
	}
	plan_where_key(p, PK_PROXY_HOST, where, sizeof where);
	if (pt == NULL || pt[0] == '\0') {
		err_set(e, ES_EUSAGE, "%sproxyHost is given without proxyPort: "
		    "give proxyPort=PORT too (together they mean proxy = "
		    "http://HOST:PORT), or leave proxyHost empty for no proxy",
		    where);
		goto out;
	}
	if (!valid_address(h)) {
		err_set(e, ES_EUSAGE, "%sbad value for 'proxyHost': '%.256s': "
		    "expected a host name, IPv4 or IPv6 address", where, h);
		goto out;
	}
	if (!valid_port(pt)) {
		plan_where_key(p, PK_PROXY_PORT, where2, sizeof where2);
		err_set(e, ES_EUSAGE, "%sbad value for 'proxyPort': '%.32s': "
		    "expected a port from 1 to 65535", where2, pt);
		goto out;
	}
	url = xasprintf(strchr(h, ':') != NULL && h[0] != '[' ?
	    "http://[%s]:%s" : "http://%s:%s", h, pt);
	prio = p->priority[PK_PROXY_HOST] > p->priority[PK_PROXY_PORT] ?
	    p->priority[PK_PROXY_HOST] : p->priority[PK_PROXY_PORT];
	if (p->value[PK_PROXY] != NULL) {
		const char *v = p->value[PK_PROXY];

		n = strlen(v);
		if (n > 0 && v[n - 1] == '/')
			n--;
		if (p->priority[PK_PROXY] > prio) {
			log_msg("proxyHost and proxyPort (%s) replaced by "
			    "proxy = %s, given at a higher level", url, v);
			goto out;
		}
		if (p->priority[PK_PROXY] == prio) {
			if (strlen(url) != n || strncmp(url, v, n) != 0) {
				plan_where_key(p, PK_PROXY, where2,
				    sizeof where2);
				err_set(e, ES_EUSAGE, "%sproxyHost and proxyPort "
				    "mean proxy %s, but %.*s gives proxy = %s: "
				    "give the proxy once", where, url,
				    (int)(strlen(where2) > 2 ?
				    strlen(where2) - 2 : 0), where2, v);
			}
			goto out;
		}
	}
	plan_clear_key(p, PK_PROXY);
	p->value[PK_PROXY] = url;
	url = NULL;
	p->priority[PK_PROXY] = prio;
	p->origin[PK_PROXY].file = p->origin[PK_PROXY_HOST].file != NULL ?
	    xstrdup(p->origin[PK_PROXY_HOST].file) : NULL;
	p->origin[PK_PROXY].line = p->origin[PK_PROXY_HOST].line;
	p->origin[PK_PROXY].as = xstrdup("proxyHost");
out:
	free(url);
	plan_clear_key(p, PK_PROXY_HOST);
	plan_clear_key(p, PK_PROXY_PORT);
}

bool
plan_validate(struct plan *p, const struct plan_validate_opts *o,
    struct es_err *e)
{
	struct es_err local;
	const char *v;
	bool engine, e2c, pairing;
	int k;

	err_clear(&local);
	plan_fold_proxy(p, &local);
	for (k = 0; k < PK_COUNT; k++) {
		const char *expect;
		char *normal;

		v = p->value[k];
		if (v == NULL)
			continue;
		if (k == PK_INSTALL_DIR) {
			if (!plan_check_install_dir(v, o->root, &normal,
			    &expect)) {
				plan_bad(p, k, &local, expect);
				continue;
			}
			free(p->value[k]);
			p->value[k] = normal;
		} else if (!plan_check((enum plan_key)k, v, &expect)) {
			plan_bad(p, k, &local, expect);
		} else if (k == PK_CONSOLE_ADDRESS) {
			normal = plan_normal_value((enum plan_key)k, v);
			free(p->value[k]);
			p->value[k] = normal;
		}
	}
	/* The default is checked too: --root may make it too long. */
	if (p->value[PK_INSTALL_DIR] == NULL &&
	    (v = plan_get(p, PK_INSTALL_DIR)) != NULL) {
		const char *expect;

		if (!plan_check_install_dir(v, o->root, NULL, &expect))
			err_set(&local, ES_EUSAGE, "the default install_dir "
			    "'%s' cannot be used: expected %s; give install_dir",
			    v, expect);
	}

	engine = strcmp(plan_get(p, PK_COMPONENT), "engine") == 0;
	e2c = strcmp(plan_get(p, PK_COMMUNICATION), "engine-to-console") == 0;
	pairing = engine && e2c && plan_yes(p, PK_PAIR_NOW);

	if (p->value[PK_CONSOLE_ADMIN_PASSWORD] != NULL ||
	    p->value[PK_CONSOLE_ADMIN_PASSWORD2] != NULL) {
		const char *a = p->value[PK_CONSOLE_ADMIN_PASSWORD];
		const char *b = p->value[PK_CONSOLE_ADMIN_PASSWORD2];

		if (a == NULL || b == NULL || strcmp(a, b) != 0)
			err_set(&local, ES_EUSAGE, "password1 and password2 "
			    "differ: give the same administrator password "
			    "twice");
	}

	if (o->silent) {
		if (!o->license_implied && p->value[PK_ACCEPT_LICENSE] == NULL)
			plan_missing(p, PK_ACCEPT_LICENSE, &local,
			    " (set accept_license = yes after reading the "
			    "licence: engine-setup --show-license)");
		if (p->value[PK_FIRST_NAME] == NULL)
			plan_missing(p, PK_FIRST_NAME, &local, "");
		if (p->value[PK_LAST_NAME] == NULL)
			plan_missing(p, PK_LAST_NAME, &local, "");
		if (p->value[PK_COMPANY] == NULL)
			plan_missing(p, PK_COMPANY, &local, "");
		if (!engine) {
			if (p->value[PK_CONSOLE_ADMIN_USER] == NULL)
				plan_missing(p, PK_CONSOLE_ADMIN_USER, &local,
				    " for the console component");
			if (p->value[PK_CONSOLE_ADMIN_PASSWORD_FILE] == NULL &&
			    p->value[PK_CONSOLE_ADMIN_PASSWORD] == NULL)
				plan_missing(p, PK_CONSOLE_ADMIN_PASSWORD_FILE,
				    &local, " for the console component");
		}
		if (pairing) {
			if (p->value[PK_CONSOLE_ADDRESS] == NULL)
				plan_missing(p, PK_CONSOLE_ADDRESS, &local,
				    " when pairing during install (or set "
				    "pair_now = no and run 'engine-setup "
				    "pair' later)");
			if (p->value[PK_SHARED_SECRET] == NULL &&
			    p->value[PK_SHARED_SECRET_FILE] == NULL &&
			    getenv("ENGINE_SETUP_SHARED_SECRET") == NULL)
				plan_missing(p, PK_SHARED_SECRET_FILE, &local,
				    " when pairing during install (or set "
				    "ENGINE_SETUP_SHARED_SECRET)");
		}
	}

	if (local.code != 0) {
		err_set(e, local.code, "%s", local.msg);
		return false;
	}
	return true;
}

/* Quote a value for the answers file when it needs it. */
static void
plan_write_value(struct sbuf *b, const char *v)
{
	const char *c;
	bool quote = *v == '\0' || v[0] == ' ' || v[strlen(v) - 1] == ' ' ||
	    strpbrk(v, "#\"\\\n=") != NULL;

	if (!quote) {
		sbuf_add(b, v);
		return;
	}
	sbuf_add(b, "\"");
	for (c = v; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			sbuf_addf(b, "\\%c", *c);
		else if (*c == '\n')
			sbuf_add(b, "\\n");
		else
			sbuf_addn(b, c, 1);
	}
	sbuf_add(b, "\"");
}

bool
plan_writes(const struct plan *p, enum plan_key k)
{
	/* Defaults filled from the host (engine_name) have priority 0:
	 * another host fills its own. */
	return !keyinfo[k].secret && p->value[k] != NULL && p->priority[k] != 0;
}

char *
plan_write(const struct plan *p)
{
	struct sbuf b;
	int k;

	sbuf_init(&b);
	sbuf_add(&b, "# engine-setup answers (secrets are never written here)\n");
	for (k = 0; k < PK_COUNT; k++) {
		if (!plan_writes(p, (enum plan_key)k))
			continue;
		sbuf_addf(&b, "%s = ", keyinfo[k].name);
		plan_write_value(&b, p->value[k]);
		sbuf_add(&b, "\n");
	}
	return sbuf_detach(&b);
}

char *
plan_canonical(const struct plan *p)
{
	static const enum plan_key engine_keys[] = {
		PK_COMPONENT, PK_INSTALL_DIR, PK_FIRST_NAME, PK_LAST_NAME,
		PK_COMPANY, PK_ENGINE_NAME, PK_COMMUNICATION,
	};
	struct sbuf b;
	size_t i;
	bool engine = strcmp(plan_get(p, PK_COMPONENT), "engine") == 0;
	bool c2e = strcmp(plan_get(p, PK_COMMUNICATION),
	    "console-to-engine") == 0;

	sbuf_init(&b);
	for (i = 0; i < sizeof engine_keys / sizeof engine_keys[0]; i++) {
		enum plan_key k = engine_keys[i];
		const char *v = plan_get(p, k);
		char *normal = NULL;
		bool dotdot;

		if (k == PK_COMMUNICATION && !engine)
			continue;
		/* An older record may hold "/opt/x/": the same folder. */
		if (k == PK_INSTALL_DIR && v != NULL)
			normal = rootpath_normal(v, &dotdot);
		sbuf_addf(&b, "%s = ", keyinfo[k].name);
		plan_write_value(&b, normal != NULL ? normal :
		    v != NULL ? v : "");
		free(normal);
		sbuf_add(&b, "\n");
	}
	if (engine && c2e)
		sbuf_addf(&b, "engine_port = %u\n", plan_port(p, PK_ENGINE_PORT));
	if (!engine) {
		sbuf_add(&b, "console_admin_user = ");
		plan_write_value(&b, plan_get(p, PK_CONSOLE_ADMIN_USER) ?
		    plan_get(p, PK_CONSOLE_ADMIN_USER) : "");
		sbuf_add(&b, "\n");
	}
	return sbuf_detach(&b);
}
