/* libFuzzer target: the install record parser (record_parse); a record
 * it accepts is formatted and parsed again, and names no path that could
 * lead uninstall out of the root: install_dir clean and below "/", every
 * entry strictly below install_dir, every parent above it, every sysfile
 * clean (docs/install-record.md, "Paths"). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A model of the rule, apart from rootpath.c: absolute, and no part
 * (between slashes; one trailing slash allowed) empty, "." or "..". */
static int
model_clean(const char *p)
{
	const char *part = p + 1, *end;

	if (p[0] != '/')
		return 0;
	for (;;) {
		end = strchr(part, '/');
		if (end == NULL)
			end = part + strlen(part);
		if ((end == part && *end == '/') ||
		    (end - part == 1 && part[0] == '.') ||
		    (end - part == 2 && part[0] == '.' && part[1] == '.'))
			return 0;
		if (*end == '\0' || end[1] == '\0')
			return 1;
		part = end + 1;
	}
}

/* Is p clean and strictly below dir (no trailing slash)? */
static int
model_below(const char *dir, const char *p)
{
	size_t n = strcmp(dir, "/") == 0 ? 0 : strlen(dir);

	return model_clean(dir) && model_clean(p) && strncmp(p, dir, n) == 0 &&
	    p[n] == '/' && p[n + 1] != '\0' && p[strlen(p) - 1] != '/';
}

/* Abort (a crash libFuzzer keeps) when r names a path outside the
 * rules. */
static void
check_paths(const struct record *r)
{
	size_t i;

	if (!model_below("/", r->install_dir))
		abort();
	for (i = 0; i < r->n; i++)
		if (!model_below(r->install_dir, r->entries[i].path))
			abort();
	for (i = 0; i < r->parents.n; i++)
		if (!model_below(r->parents.v[i], r->install_dir) ||
		    r->parents.v[i][strlen(r->parents.v[i]) - 1] == '/')
			abort();
	for (i = 0; i < r->sysfiles.n; i++)
		if (!model_clean(r->sysfiles.v[i]) ||
		    strcmp(r->sysfiles.v[i], "/") == 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record r, q;
	struct es_err e = { 0 };
	char *text;

	record_init(&r);
	if (record_parse(&r, (const char *)data, size, "fuzz.record", &e)) {
		check_paths(&r);
		text = record_format(&r);
		record_init(&q);
		err_clear(&e);
		(void)record_parse(&q, text, strlen(text), "fuzz.record", &e);
		record_free(&q);
		free(text);
	}
	record_free(&r);
	return 0;
}
