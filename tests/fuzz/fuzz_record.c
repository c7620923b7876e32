/* libFuzzer target: the install record parser (record_parse); a record
 * it accepts is formatted and parsed again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record r, q;
	struct es_err e = { 0 };
	char *text;

	record_init(&r);
	if (record_parse(&r, (const char *)data, size, "fuzz.record", &e)) {
		text = record_format(&r);
		record_init(&q);
		err_clear(&e);
		(void)record_parse(&q, text, strlen(text), "fuzz.record", &e);
		record_free(&q);
		free(text);
	}
	record_free(&r);
	return 0;
}
