#include "fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int
fixture_setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	if (!fixture_mkdtemp(f->dir, sizeof f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int
fixture_teardown(void **state)
{
	struct fixture *f = *state;

	if (f == NULL)
		return 0;
	/* cmocka runs teardown after a failure too; keep the folder when
	 * ES_KEEP_TEST_DIRS is set so it can be inspected. */
	if (getenv("ES_KEEP_TEST_DIRS") == NULL)
		fixture_rm_rf(f->dir);
	else
		fprintf(stderr, "kept test folder %s\n", f->dir);
	free(f);
	return 0;
}

char *
fixture_path(const struct fixture *f, const char *rel)
{
	return xasprintf("%s/%s", f->dir, rel);
}

void
fixture_write(const struct fixture *f, const char *rel, const char *text)
{
	char *path = fixture_path(f, rel);
	char *slash = strrchr(path, '/');
	FILE *fp;

	*slash = '\0';
	fixture_mkdirs(path);
	*slash = '/';
	fp = fixture_fopen(path, "wb");
	if (fp == NULL)
		fatal("fixture_write %s: %s", path, strerror(errno));
	fputs(text, fp);
	fclose(fp);
	free(path);
}

char *
fixture_read(const char *path, size_t *len)
{
	FILE *fp = fixture_fopen(path, "rb");
	struct sbuf b;
	char buf[4096];
	size_t n;

	if (fp == NULL)
		return NULL;
	sbuf_init(&b);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		sbuf_addn(&b, buf, n);
	fclose(fp);
	if (len != NULL)
		*len = b.len;
	return sbuf_detach(&b);
}
