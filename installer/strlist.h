/* A growable list of owned strings. */
#ifndef ES_STRLIST_H
#define ES_STRLIST_H

#include <stdbool.h>
#include <stddef.h>

struct strlist {
	char **v;
	size_t n;
	size_t cap;
};

void strlist_init(struct strlist *l);
void strlist_add(struct strlist *l, const char *s);
void strlist_add_owned(struct strlist *l, char *s);
bool strlist_contains(const struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

#endif
