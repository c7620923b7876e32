/* engine-setup: installs and pairs Scan Engines and Security Consoles.
 * This file only dispatches the command line to the cmd-*.c files. */

#include "cmd.h"
#include "crypto.h"
#include "platform.h"

int
main(int argc, char **argv)
{
	struct cli c;
	struct es_err e;
	int rc;

	/* Before anything reads a secret: no core file to hold it. */
	plat_no_core_dumps();
	/* UTF-8 argv and terminal output (Windows). */
	plat_process_start(&argc, &argv);
	crypto_init();
	err_clear(&e);
	if (!cli_parse(&c, argc, argv, &e) || !cli_check_files(&c, &e)) {
		cli_free(&c);
		return cmd_fail(&e);
	}
	cli_warn_secrets(&c, stderr);
	switch (c.cmd) {
	case CMD_HELP:
		fputs(cli_usage_for(c.help_for), stdout);
		rc = 0;
		break;
	case CMD_VERSION:
		printf("engine-setup %s\n", ES_VERSION);
		rc = 0;
		break;
	case CMD_PAYLOAD_INFO:
		rc = cmd_payload_info(&c);
		break;
	case CMD_SHOW_LICENSE:
		rc = cmd_show_license(&c);
		break;
	case CMD_INSTALL:
		rc = cmd_install(&c);
		break;
	case CMD_UNINSTALL:
		rc = cmd_uninstall(&c);
		break;
	case CMD_STATUS:
		rc = cmd_status(&c);
		break;
	case CMD_CONSOLES:
		rc = cmd_consoles(&c);
		break;
	case CMD_PAIR:
		rc = cmd_pair(&c);
		break;
	case CMD_IDENTITY:
		rc = cmd_identity(&c);
		break;
	default:
		rc = ES_EINTERNAL;
		break;
	}
	cli_free(&c);
	return rc;
}
