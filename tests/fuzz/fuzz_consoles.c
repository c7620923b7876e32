/* libFuzzer target: consoles.xml parsing (consoles_parse) and the
 * enable/disable rewrite (consoles_set_enabled), matched by id and by
 * address. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "consoles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rewrite with one match; the output is parsed again when it succeeds. */
static void
fuzz_set(const char *text, size_t len, const char *match, bool on)
{
	struct console_entry which;
	struct consoles again;
	struct es_err e = { 0 };
	char *out = NULL;
	size_t outlen = 0;
	bool changed = false;

	memset(&which, 0, sizeof which);
	if (consoles_set_enabled(text, len, "fuzz.xml", match, on, &out,
	    &outlen, &changed, &which, &e)) {
		memset(&again, 0, sizeof again);
		err_clear(&e);
		(void)consoles_parse(&again, out, outlen, "fuzz.xml", &e);
		consoles_free(&again);
	}
	consoles_entry_free(&which);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct consoles c;
	struct es_err e = { 0 };

	memset(&c, 0, sizeof c);
	(void)consoles_parse(&c, text, size, "fuzz.xml", &e);
	consoles_free(&c);

	fuzz_set(text, size, "1", true);
	fuzz_set(text, size, "1", false);
	fuzz_set(text, size, "10.0.0.5", true);
	return 0;
}
