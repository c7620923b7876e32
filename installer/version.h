/* Product versions compared as dotted numbers (7.3.1 < 7.4.0 < 7.10.0). */
#ifndef ES_VERSION_H
#define ES_VERSION_H

#include <stdbool.h>

/* Compare versions a and b, each one or more decimal numbers separated by
 * single dots ("7", "7.4", "7.4.0"): numbers compare as numbers of any
 * length (leading zeros do not count: 7.04 == 7.4), part by part from the
 * left, a missing part counting as 0 (7.4 == 7.4.0). *cmp is set to -1
 * (a older), 0 (the same) or 1 (a newer). Anything else in either string
 * ("7.4.0-rc1", "7.4.", "v7", "", NULL) makes it return false with *cmp
 * 0: such a version cannot be ordered (a pre-release suffix has no agreed
 * order; the manifest accepts only major.minor.patch digits, docs/
 * payload.md), and the caller treats the versions as merely different. */
bool version_compare(const char *a, const char *b, int *cmp);

#endif
