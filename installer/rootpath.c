#include "rootpath.h"

#include <string.h>


bool
rootpath_clean(const char *p)
{
	const char *c = p;

	if (p == NULL || p[0] != '/')
		return false;
	while (*c == '/') {
		const char *next = strchr(++c, '/');
		size_t n = next != NULL ? (size_t)(next - c) : strlen(c);

		if (n == 0)
			return next == NULL;
		if ((n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
	}
	return true;
}

const char *
rootpath_below(const char *dir, const char *p)
{
	size_t n;

	if (!rootpath_clean(dir) || !rootpath_clean(p) ||
	    p[strlen(p) - 1] == '/')
		return NULL;
	n = strlen(dir);
	/* "/" and "/opt/x/" hold their children after the slash they end
	 * with; "/opt/x" after the one that follows it. */
	if (dir[n - 1] == '/')
		n--;
	if (strncmp(p, dir, n) != 0 || p[n] != '/' || p[n + 1] == '\0')
		return NULL;
	return p + n + 1;
}
