#include "fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Tests may use POSIX directly: only the core must go through platform.h. */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
fixture_rm_rf(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void
fixture_mkdirs(const char *path)
{
	char *p = xstrdup(path);
	char *s;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	mkdir(p, 0755);
	free(p);
}

int
fixture_setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	const char *tmp = getenv("TMPDIR");

	snprintf(f->dir, sizeof f->dir, "%s/es-test-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
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
	fp = fopen(path, "wb");
	if (fp == NULL)
		fatal("fixture_write %s: %s", path, strerror(errno));
	fputs(text, fp);
	fclose(fp);
	free(path);
}

char *
fixture_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
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
