/* libFuzzer target: the extraction path checks of payload.c, called as
 * payload_x_entry() calls them: payload_path_problem() on an entry's path,
 * payload_link_inside() on a symbolic link's path (without its top folder)
 * and target. Input: "<path>\0<link target>" (no NUL: the path alone).
 *
 * Held against a model written here, in one direction only (what the
 * checks accept must be safe; they may refuse more): an accepted path is
 * relative, at most PAYLOAD_PATH_MAX bytes, without "", ".", ".." parts,
 * parts over PAYLOAD_NAME_MAX, '\\', ':' or control characters; an
 * accepted link, resolved as text from the link's folder, never climbs
 * above the folder extracted into. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether path meets the rules of payload_path_problem(). */
static int
model_path_ok(const char *path)
{
	const char *s, *end;
	size_t n;

	if (*path == '\0' || *path == '/' || strlen(path) > PAYLOAD_PATH_MAX)
		return 0;
	for (s = path; *s != '\0'; s++)
		if (*s == '\\' || *s == ':' || (unsigned char)*s < 0x20 ||
		    *s == 0x7f)
			return 0;
	for (s = path;; s = end + 1) {
		end = strchr(s, '/');
		n = end != NULL ? (size_t)(end - s) : strlen(s);
		if (n == 0 || n > PAYLOAD_NAME_MAX || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		if (end == NULL)
			return 1;
	}
}

/* Whether a link at rel (a path model_path_ok accepts) to target stays
 * inside: start in rel's folder, walk target's parts as text. */
static int
model_link_ok(const char *rel, const char *target)
{
	const char *s, *end;
	long depth = 0;
	size_t n;

	if (*target == '/' || strchr(target, '\\') != NULL ||
	    strchr(target, ':') != NULL)
		return 0;
	for (s = rel; *s != '\0'; s++)
		depth += *s == '/';
	for (s = target;; s = end + 1) {
		end = strchr(s, '/');
		n = end != NULL ? (size_t)(end - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (--depth < 0)
				return 0;
		} else if (n > 0 && !(n == 1 && s[0] == '.'))
			depth++;
		if (end == NULL)
			return 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *path, *target, *rel;
	size_t n;

	buf = malloc(size + 2);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	path = buf;
	n = strlen(path);
	target = n < size ? path + n + 1 : NULL;

	/* As payload_x_entry() sees a folder's name: without trailing '/'. */
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	if (payload_path_problem(path) == NULL && !model_path_ok(path))
		abort();

	if (target != NULL && payload_path_problem(path) == NULL) {
		/* The link's path below its top folder, which is never empty
		 * for a link. */
		rel = strchr(path, '/');
		if (rel != NULL && payload_link_inside(rel + 1, target) &&
		    !model_link_ok(rel + 1, target))
			abort();
	}
	free(buf);
	return 0;
}
