/* The command on PATH (plat_command_path(): Linux /usr/local/sbin/
 * engine-setup): a symbolic link an installation makes to its kept copy
 * (plat_program_name() in install_dir), so that status, pair, consoles and
 * uninstall run without the downloaded file. It is one of the record's
 * sysfiles; something else in its place is never replaced. */
#ifndef ES_COMMAND_H
#define ES_COMMAND_H

#include <stdbool.h>

#include "error.h"

enum command_state {
	COMMAND_NONE,    /* nothing there, or the platform makes no command */
	COMMAND_OURS,    /* the link to install_dir's kept copy */
	COMMAND_OTHER    /* something else: another file, a link elsewhere */
};

/* The kept copy of an installation at install_dir (no root prefix), as
 * the host sees it: what the command links to. Caller frees. */
char *command_target(const char *install_dir);
/* What is at the command's place under root, for an installation at
 * install_dir. For COMMAND_OTHER, *what (when what is not NULL) says what
 * is there as a phrase: "a file", "a folder", "a symbolic link to X";
 * else NULL. Caller frees *what. */
enum command_state command_state(const char *root, const char *install_dir,
    char **what);
/* Remove the command under root when it is still the installation's link
 * to its kept copy (COMMAND_OURS); anything else there is left. *removed
 * says whether it was removed. False with e set when it could not be. */
bool command_remove(const char *root, const char *install_dir, bool *removed,
    struct es_err *e);

#endif
