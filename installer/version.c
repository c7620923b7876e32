#include "version.h"

#include <string.h>

/* True when v is dotted decimal numbers. */
static bool
version_ok(const char *v)
{
	if (v == NULL || *v == '\0')
		return false;
	for (;;) {
		if (*v < '0' || *v > '9')
			return false;
		while (*v >= '0' && *v <= '9')
			v++;
		if (*v == '\0')
			return true;
		if (*v++ != '.')
			return false;
	}
}

/* Compare the numbers at *a and *b (either may be at its end: 0) and step
 * past them and the dot after them. */
static int
version_part(const char **a, const char **b)
{
	const char *pa = *a, *pb = *b;
	size_t la, lb;
	int r;

	while (*pa == '0' && pa[1] >= '0' && pa[1] <= '9')
		pa++;
	while (*pb == '0' && pb[1] >= '0' && pb[1] <= '9')
		pb++;
	la = strspn(pa, "0123456789");
	lb = strspn(pb, "0123456789");
	/* An absent part is "0"; "0" against an absent part is equal. */
	if (la == 1 && *pa == '0')
		la = 0;
	if (lb == 1 && *pb == '0')
		lb = 0;
	if (la != lb)
		r = la < lb ? -1 : 1;
	else {
		r = strncmp(pa, pb, la);
		r = r < 0 ? -1 : r > 0;
	}
	pa += strspn(pa, "0123456789");
	pb += strspn(pb, "0123456789");
	*a = *pa == '.' ? pa + 1 : pa;
	*b = *pb == '.' ? pb + 1 : pb;
	return r;
}

bool
version_compare(const char *a, const char *b, int *cmp)
{
	*cmp = 0;
	if (!version_ok(a) || !version_ok(b))
		return false;
	while (*a != '\0' || *b != '\0') {
		*cmp = version_part(&a, &b);
		if (*cmp != 0)
			break;
	}
	return true;
}
