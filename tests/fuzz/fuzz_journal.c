/* libFuzzer target: the write-ahead journal's loader (journal_load). The
 * input is written as the journal of a throwaway root; whatever it holds,
 * every path a loaded record names must be strictly inside that root, with
 * no "." or ".." after it, and a remove-tree must name a staging or backup
 * folder: a damaged journal never leads recovery outside the root. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "platform.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64];

/* The throwaway root goes when libFuzzer ends. */
static void
cleanup(void)
{
	plat_remove_tree(root, NULL);
}

/* Strictly inside root, and clean after it. */
static void
inside(const char *p)
{
	size_t n = strlen(root);

	if (p == NULL || strncmp(p, root, n) != 0 || p[n] != '/' ||
	    p[n + 1] == '\0' || strstr(p + n, "/../") != NULL ||
	    strstr(p + n, "/./") != NULL || strstr(p + n, "//") != NULL ||
	    (strlen(p) >= 3 && strcmp(p + strlen(p) - 3, "/..") == 0) ||
	    (strlen(p) >= 2 && strcmp(p + strlen(p) - 2, "/.") == 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal j;
	struct es_err e = { 0 };
	char path[128];
	FILE *f;
	size_t i;

	if (root[0] == '\0') {
		snprintf(root, sizeof root, "/tmp/es-fuzz-journal.%ld",
		    (long)getpid());
		snprintf(path, sizeof path, "%s/var/lib/engine-setup", root);
		if (!plat_mkdirs(path, 0700, NULL, &e))
			abort();
		atexit(cleanup);
	}
	snprintf(path, sizeof path, "%s/var/lib/engine-setup/journal", root);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (journal_load(root, &j, &e)) {
		for (i = 0; i < j.n; i++) {
			const struct undo *u = &j.v[i].u;
			const char *base;

			switch (u->kind) {
			case UNDO_RENAME:
				inside(u->b);
				inside(u->a);
				break;
			case UNDO_REMOVE_TREE:
				inside(u->a);
				base = strrchr(u->a, '/');
				if (strstr(base, ".es-staging-") == NULL &&
				    strstr(base, ".es-backup-") == NULL)
					abort();
				break;
			case UNDO_SERVICE_REMOVE:
			case UNDO_SERVICE_STOP:
			case UNDO_SERVICE_START:
			case UNDO_UNINSTALL:
				if (u->a == NULL || strcmp(u->a, root) != 0)
					abort();
				break;
			default:
				inside(u->a);
				break;
			}
		}
	}
	journal_free(&j);
	return 0;
}
