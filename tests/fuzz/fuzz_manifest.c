/* libFuzzer target: the payload manifest parser (manifest_parse) and the
 * lookups run on what it accepted. */
#include <stdint.h>
#include <stddef.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m;
	struct es_err e = { 0 };

	if (manifest_parse(&m, (const char *)data, size, "fuzz.manifest",
	    &e)) {
		(void)manifest_component(&m, "engine");
		(void)manifest_is_config(&m, "nse/conf/consoles.xml");
	}
	manifest_free(&m);
	return 0;
}
