/* libFuzzer target: the payload's meta archive (payload_read_meta: the tar
 * with the manifest and the licence, read with libarchive before anything
 * is extracted). The input is the meta archive; it is written to a
 * memory file, which a trailer made here points at with the right
 * SHA-256, so that the archive itself is what gets parsed. A success must
 * give a licence text and a manifest that the lookups can use. */
#define _GNU_SOURCE		/* memfd_create */
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "manifest.h"
#include "payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

/* One memory-backed file for the whole run (memfd_create(2): no disk
 * writeback on every close, nothing left behind), reached through
 * /proc/self/fd. Stale bytes past an input's end are outside the range
 * the trailer names, so it is never truncated. */
static void
fuzz_init(void)
{
	if (fd >= 0)
		return;
	if ((fd = memfd_create("es-fuzz-meta", 0)) < 0) {
		perror("fuzz_payload_meta: memfd_create");
		abort();
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct payload p;
	struct manifest m;
	struct es_err e = { 0 };
	char *license = NULL;

	if (size == 0 || size > PAYLOAD_META_MAX)
		return 0;
	fuzz_init();
	if (pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();

	memset(&p, 0, sizeof p);
	p.path = path;
	p.file_size = size;
	p.t.meta_off = 0;
	p.t.meta_len = size;
	SHA256(data, size, p.t.meta_sha256);

	if (payload_read_meta(&p, &m, &license, &e)) {
		if (license == NULL || e.code != 0)
			abort();
		(void)manifest_component(&m, "engine");
		(void)manifest_is_config(&m, "nse/conf/consoles.xml");
		manifest_free(&m);
		free(license);
	} else if (license != NULL || e.code == 0 || e.msg[0] == '\0')
		abort();
	return 0;
}
