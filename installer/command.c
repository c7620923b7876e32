#include "command.h"

#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "util.h"

char *
command_target(const char *install_dir)
{
	return xasprintf("%s/%s", install_dir, plat_program_name());
}

enum command_state
command_state(const char *root, const char *install_dir, char **what)
{
	const char *cmd = plat_command_path();
	enum command_state st = COMMAND_OTHER;
	char *full, *to, *target;
	const char *kind = NULL;

	if (what != NULL)
		*what = NULL;
	if (cmd == NULL)
		return COMMAND_NONE;
	full = plat_join_root(root, cmd);
	switch (plat_file_type(full)) {
	case PLAT_NONE:
		st = COMMAND_NONE;
		break;
	case PLAT_LINK:
		to = plat_read_link(full);
		target = command_target(install_dir);
		if (to != NULL && strcmp(to, target) == 0)
			st = COMMAND_OURS;
		else if (what != NULL)
			*what = xasprintf("a symbolic link to %s",
			    to != NULL ? to : "a target that cannot be read");
		free(target);
		free(to);
		break;
	case PLAT_FILE:
		kind = "a file";
		break;
	case PLAT_DIR:
		kind = "a folder";
		break;
	default:
		kind = "a special file (a FIFO, socket or device)";
		break;
	}
	if (kind != NULL && what != NULL)
		*what = xstrdup(kind);
	free(full);
	return st;
}

bool
command_remove(const char *root, const char *install_dir, bool *removed,
    struct es_err *e)
{
	char *full;
	bool ok;

	*removed = false;
	if (command_state(root, install_dir, NULL) != COMMAND_OURS)
		return true;
	full = plat_join_root(root, plat_command_path());
	ok = plat_remove(full, e);
	*removed = ok;
	free(full);
	return ok;
}
