/* libFuzzer target: the answers file and install4j .varfile parser
 * (answers_parse), then plan validation of whatever it accepted. */
#include <stdint.h>
#include <stddef.h>

#include "answers.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plan p;
	struct es_err e = { 0 };

	if (size > ANSWERS_MAX_SIZE)
		return 0;
	plan_init(&p);
	(void)answers_parse(&p, (const char *)data, size, "fuzz.answers", 1,
	    &e);
	plan_free(&p);
	return 0;
}
