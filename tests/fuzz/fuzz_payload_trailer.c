/* libFuzzer target: the 128-byte payload trailer (payload_trailer_decode);
 * a trailer it accepts must encode back to the same bytes' fields, and the
 * archive path checks get the input as a path, and as lines of entries for
 * payload_tree_add ("f name", "d name", "l name>target"). */
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
	{
		struct payload_tree *tr = payload_tree_new();
		char why[256], *line, *next, *gt;

		for (line = path; line != NULL; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			if (strlen(line) < 3 || line[1] != ' ' ||
			    strchr("fdl", line[0]) == NULL)
				continue;
			gt = line[0] == 'l' ? strchr(line + 2, '>') : NULL;
			if (gt != NULL)
				*gt = '\0';
			if (payload_path_problem(line + 2) == NULL &&
			    payload_tree_add(tr, line + 2, line[0], gt != NULL ?
			    gt + 1 : NULL, 0, why, sizeof why) ==
			    PAYLOAD_TREE_REFUSED)
				break;
		}
		payload_tree_free(tr);
	}
	free(path);
	return 0;
}
