/* tests/unit/fixture.h on Linux: what differs between systems. Tests may
 * use POSIX directly: only the core must go through platform.h. */
#include "fixture.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

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

bool
fixture_mkdtemp(char *dir, size_t dirsz)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, dirsz, "%s/es-test-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	return mkdtemp(dir) != NULL;
}

FILE *
fixture_fopen(const char *path, const char *mode)
{
	return fopen(path, mode);
}
