/* Shared cmocka fixture: a fresh temporary folder per test, removed unless
 * the test failed (libarchive's test harness does the same). */
#ifndef ES_FIXTURE_H
#define ES_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

struct fixture {
	char dir[512];      /* the temporary folder */
};

/* cmocka setup/teardown: *state becomes a struct fixture *. */
int fixture_setup(void **state);
int fixture_teardown(void **state);
/* path inside the fixture folder; returns a static-per-call buffer the
 * caller frees. */
char *fixture_path(const struct fixture *f, const char *rel);
/* Write a file inside the fixture folder (folders made as needed). */
void fixture_write(const struct fixture *f, const char *rel, const char *text);
/* rm -rf without following links; mkdir -p. */
void fixture_rm_rf(const char *path);
void fixture_mkdirs(const char *path);
/* Read a whole file; caller frees; NULL when missing. */
char *fixture_read(const char *path, size_t *len);

/* What differs between systems (tests/unit/fixture_posix.c,
 * tests/unit/windows/fixture_windows.c): make a new folder with a unique
 * name "es-test-XXXXXX" in the temporary folder ($TMPDIR, else the
 * system's), its path into dir (dirsz bytes), false on failure; and
 * fopen(3) of a UTF-8 path. */
bool fixture_mkdtemp(char *dir, size_t dirsz);
FILE *fixture_fopen(const char *path, const char *mode);

#endif
