/* placeholder: the wizard is being written */
#include "wizard.h"

int
wizard_run(struct session *s)
{
	(void)s;
	return WIZARD_NO_TERMINAL;
}
