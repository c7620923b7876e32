#include "rootpath.h"

#include <string.h>

#include "platform.h"
#include "util.h"

static const struct rootpath_rules *rootpath_rules_test;

void
rootpath_test_rules(const struct rootpath_rules *r)
{
	rootpath_rules_test = r;
}

static size_t
rootpath_root_len_of(const char *p)
{
	if (p == NULL)
		return 0;
	return rootpath_rules_test != NULL ?
	    rootpath_rules_test->root_len(p) : plat_path_root_len(p);
}

/* Whether c separates parts in text a user typed. */
static bool
rootpath_sep(char c)
{
	bool backslash = rootpath_rules_test != NULL ?
	    rootpath_rules_test->backslash :
	    plat_path_backslash_is_separator();

	return c == '/' || (c == '\\' && backslash);
}

size_t
rootpath_root_len(const char *p)
{
	return rootpath_root_len_of(p);
}

/* Whether the parts that follow the '/' at c are clean: none empty, "."
 * or "..", one empty last part (a trailing '/') allowed, and no '\'
 * where it separates. */
static bool
rootpath_clean_parts(const char *c)
{
	/* The core's form has '/' separators only: a '\' that separates
	 * could hide a ".." part ("C:/x/..\..\y"). */
	if (rootpath_sep('\\') && strchr(c, '\\') != NULL)
		return false;
	while (*c == '/') {
		const char *next = strchr(++c, '/');
		size_t n = next != NULL ? (size_t)(next - c) : strlen(c);

		if (n == 0)
			return next == NULL;
		if ((n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
	}
	return true;
}

bool
rootpath_clean(const char *p)
{
	size_t r = rootpath_root_len_of(p);

	return r > 0 && p[r - 1] == '/' && rootpath_clean_parts(p + r - 1);
}

bool
rootpath_clean_tail(const char *p)
{
	size_t n = strlen(p);

	return n > 1 && p[0] == '/' && rootpath_clean_parts(p);
}

bool
rootpath_is_root(const char *p)
{
	return rootpath_clean(p) && rootpath_root_len_of(p) == strlen(p);
}

const char *
rootpath_below(const char *dir, const char *p)
{
	size_t n;

	if (!rootpath_clean(dir) || !rootpath_clean(p) ||
	    p[strlen(p) - 1] == '/')
		return NULL;
	n = strlen(dir);
	/* "/", "C:/" and "/opt/x/" hold their children after the slash they
	 * end with; "/opt/x" after the one that follows it. */
	if (dir[n - 1] == '/')
		n--;
	if (strncmp(p, dir, n) != 0 || p[n] != '/' || p[n + 1] == '\0')
		return NULL;
	return p + n + 1;
}

const char *
rootpath_below_root(const char *p)
{
	size_t r = rootpath_root_len_of(p);

	if (!rootpath_clean(p) || p[strlen(p) - 1] == '/' || p[r] == '\0')
		return NULL;
	return p + r;
}

/* The root part of v, r bytes, as the core writes it, into b. */
static void
rootpath_add_root(struct sbuf *b, const char *v, size_t r)
{
	size_t i;

	for (i = 0; i < r; i++) {
		char c = rootpath_sep(v[i]) ? '/' : v[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		sbuf_addn(b, &c, 1);
	}
}

char *
rootpath_normal(const char *v, bool *dotdot)
{
	size_t r = rootpath_root_len_of(v), n;
	struct sbuf b;
	const char *c, *end;
	bool first = true;

	*dotdot = false;
	if (r == 0)
		return NULL;
	sbuf_init(&b);
	rootpath_add_root(&b, v, r);
	for (c = v + r; *c != '\0'; c = end) {
		while (rootpath_sep(*c))
			c++;
		for (end = c; *end != '\0' && !rootpath_sep(*end); end++)
			;
		n = (size_t)(end - c);
		if (n == 0)
			break;
		if (n == 2 && c[0] == '.' && c[1] == '.')
			*dotdot = true;
		if (n == 1 && c[0] == '.')
			continue;
		if (!first)
			sbuf_add(&b, "/");
		sbuf_addn(&b, c, n);
		first = false;
	}
	return sbuf_detach(&b);
}

char *
rootpath_from_user(const char *v)
{
	size_t r = rootpath_root_len_of(v);
	struct sbuf b;
	const char *c;

	sbuf_init(&b);
	rootpath_add_root(&b, v, r);
	for (c = v + r; *c != '\0'; c++)
		sbuf_addn(&b, rootpath_sep(*c) ? "/" : c, 1);
	return sbuf_detach(&b);
}

char *
rootpath_parent(const char *p)
{
	size_t r = rootpath_root_len_of(p);
	const char *slash = strrchr(p, '/');

	if (slash == NULL)
		return xstrdup(r > 0 ? p : ".");
	if ((size_t)(slash - p) < r)
		return xstrndup(p, r);
	if (slash == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(slash - p));
}

char *
rootpath_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	return xasprintf("%s%s%s", dir, n > 0 && dir[n - 1] == '/' ? "" : "/",
	    name);
}
