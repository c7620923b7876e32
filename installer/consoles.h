/* nse/conf/consoles.xml: the consoles an engine knows (the seed's
 * "Modify consoles.xml"; entries as in ../shared/pairing-protocol.md,
 * "After pairing"). Read with expat: the engine writes this file too. */
#ifndef ES_CONSOLES_H
#define ES_CONSOLES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct console_entry {
	char *id;
	bool enabled;
	bool connect_to;     /* engine-to-console (reverse) pairing */
	char *name;
	char *last_address;
	char *port;
	char *console_id;
	char *spki;
};

struct consoles {
	struct console_entry *v;
	size_t n, cap;
};

bool consoles_parse(struct consoles *c, const char *text, size_t len,
    const char *filename, struct es_err *e);
bool consoles_load(struct consoles *c, const char *path, struct es_err *e);
void consoles_free(struct consoles *c);

#endif
