/* placeholder */
#include "prompt.h"

int
prompt_run(struct session *s, FILE *in, FILE *out)
{
	(void)s;
	(void)in;
	fprintf(out, "not yet\n");
	return 2;
}
