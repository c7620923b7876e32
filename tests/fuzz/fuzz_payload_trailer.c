/* libFuzzer target: the 128-byte payload trailer (payload_trailer_decode);
 * a trailer it accepts must encode back to the same bytes' fields, and the
 * archive path checks get the input as a path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char in[PAYLOAD_TRAILER_SIZE], out[PAYLOAD_TRAILER_SIZE];
	struct payload_trailer t, u;
	char *path;

	memset(in, 0, sizeof in);
	memcpy(in, data, size < sizeof in ? size : sizeof in);
	if (payload_trailer_decode(in, &t)) {
		payload_trailer_encode(&t, out);
		if (!payload_trailer_decode(out, &u) ||
		    memcmp(&t, &u, sizeof t) != 0)
			abort();
	}

	path = malloc(size + 1);
	if (path == NULL)
		abort();
	memcpy(path, data, size);
	path[size] = '\0';
	(void)payload_path_problem(path);
	(void)payload_link_inside(path, path + strlen(path) / 2);
	free(path);
	return 0;
}
