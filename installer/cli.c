#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "platform.h"
#include "ready.h"
#include "rootpath.h"
#include "util.h"

const char *
cli_usage(void)
{
	return
"Usage: engine-setup [install] [OPTIONS]\n"
"       engine-setup uninstall [--silent] [--purge] [--root DIR]\n"
"                         [--wait-lock[=S]]\n"
"       engine-setup pair --console HOST[:PORT] [--secret-file FILE]\n"
"                         [--fingerprint sha256:HEX] [--test] [--root DIR]\n"
"                         [--wait-lock[=S]]\n"
"       engine-setup consoles list|enable|disable [ID|ADDRESS] [--restart]\n"
"                         [--root DIR] [--wait-lock[=S]]\n"
"       engine-setup status [--json] [--root DIR] [--wait-ready[=S]]\n"
"       engine-setup identity check|reset [--root DIR] [--wait-lock[=S]]\n"
"                         (check: the command the engine's service runs\n"
"                         before every start; reset: a new identity by hand)\n"
"       engine-setup --payload-info | --show-license | --help | --version\n"
"\n"
"Installs a Scan Engine, or a Security Console with its local Scan Engine,\n"
"from the payload built into this program. Without --silent it asks: the\n"
"full-screen wizard on a terminal, line-mode prompts otherwise.\n"
"\n"
"Install options:\n"
"  --silent            unattended: no questions; every required answer must\n"
"                      be given (answers file, --set, environment)\n"
"  --answers FILE      read answers from FILE (key = value lines, or an\n"
"                      install4j .varfile); see docs/answers.md\n"
"  --set KEY=VALUE     one answer; repeatable; wins over the file\n"
"  --root DIR          install into DIR as if it were /; nothing outside DIR\n"
"                      is touched (images, tests)\n"
"  --check             validate answers and requirements, print the plan,\n"
"                      change nothing (install only: uninstall, pair and\n"
"                      consoles refuse it)\n"
"  --json              with --check: the plan as one JSON object on\n"
"                      standard output, for automation (what a run would\n"
"                      do: install, none, pair, upgrade, downgrade or\n"
"                      overwrite); see docs/status.md\n"
"  --overwrite         reinstall over an existing installation\n"
"  --allow-downgrade   install an older payload version over a newer\n"
"                      installation (as an upgrade: configuration kept)\n"
"  --log FILE          also write the install log to FILE\n"
"  --payload FILE      install the payload carried by FILE (another\n"
"                      engine-setup build) instead of this program's own\n"
"  --text              line-by-line prompts instead of the full-screen\n"
"                      wizard (also when there is no usable terminal)\n"
"  --record FILE       write the answers given to FILE (never a secret or\n"
"                      password), for a later --silent --answers FILE\n"
"  --wait-lock[=SECONDS]\n"
"                      when another engine-setup run is changing this host\n"
"                      (or DIR), wait up to SECONDS (600 when not given)\n"
"                      for it to finish instead of stopping at once with\n"
"                      exit 8; also for uninstall, pair, consoles\n"
"  --wait-ready[=SECONDS]\n"
"                      after installing and starting the service, wait up\n"
"                      to SECONDS (600 when not given) until it is ready;\n"
"                      not ready in time: exit 6, the installation stays\n"
"\n"
"install4j compatibility: -q (= --silent, licence accepted), -c (= --text),\n"
"  -varfile FILE (= --answers), -VNAME=VALUE (= --set), -dir DIR\n"
"  (install_dir), -overwrite, -console (no effect), -DNAME=VALUE (Java\n"
"  system properties: accepted and ignored; engine-setup never reboots).\n"
"  NAME.varfile beside the program is read automatically.\n"
"\n"
"Answer keys: accept_license component install_dir first_name last_name\n"
"  company communication engine_port engine_name pair_now console_address\n"
"  console_port shared_secret shared_secret_file console_fingerprint\n"
"  console_admin_user console_admin_password_file start_service proxy\n"
"\n"
"Ports (the Scan Engine deployment guide):\n"
"  Console-to-Engine  console -> engine  TCP 40814\n"
"  Engine-to-Console  engine -> console  TCP 40815\n"
"\n"
"Exit codes: 0 done, 1 internal error, 2 usage or answers error,\n"
"  3 requirements not met, 4 pairing failed, 5 cancelled,\n"
"  6 installation failed (rolled back), 7 already installed with other\n"
"  answers, 8 another engine-setup run is changing this host (its process\n"
"  id is named; nothing was changed). status: 0 installed and nothing\n"
"  needs attention, 9 not installed, 10 something needs attention.\n"
"\n"
"One run at a time: install (not --check), uninstall, pair (not --test) and\n"
"  consoles enable|disable hold a lock on the host (or --root DIR) while they\n"
"  run, in /var/lib/engine-setup/lock there.\n"
"\n"
"Pairing (Engine-to-Console): pair_now = yes pairs during install, after a\n"
"  connection test that runs before anything is written; 'pair' pairs an\n"
"  installed engine ('--test' only tests). The secret comes from\n"
"  --secret-file / shared_secret_file, ENGINE_SETUP_SHARED_SECRET, or a\n"
"  prompt without echo; it is never stored, logged or sent. Timeouts:\n"
"  ENGINE_SETUP_CONNECT_TIMEOUT (10 s) and ENGINE_SETUP_TIMEOUT (30 s).\n"
"Standard pairing (Console-to-Engine): after the console adds this engine,\n"
"  'consoles enable ADDRESS|ID' sets enabled=1 in consoles.xml.\n";
}

const char *
cli_usage_for(enum cli_cmd cmd)
{
	switch (cmd) {
	case CMD_UNINSTALL:
		return
"Usage: engine-setup uninstall [--silent] [--purge] [--root DIR]\n"
"                              [--wait-lock[=S]]\n"
"\n"
"Removes what the install record lists: the service (stopped first), the\n"
"files and folders the installation made, the command\n"
"/usr/local/sbin/engine-setup, the record, and last the installation's own\n"
"engine-setup (this command may run from it). Then it says what it\n"
"removed, and checks that only logs are left (INSTALL_DIR/.install/*.log,\n"
"INSTALL_DIR/nse/logs/): anything else (a file you changed, one the\n"
"installation did not make) stays, is named with why, and the exit code is\n"
"6. A run that a crash cut short is finished first. Remove the engine from\n"
"the console it was paired with, too: the consoles are named.\n"
"\n"
"Without --silent it says what it removes and asks first. The answer is\n"
"read from standard input, a terminal or not: y (or yes) removes; anything\n"
"else, or the end of input, changes nothing (exit 5). Ctrl-C, SIGTERM or\n"
"SIGHUP before the first file is removed changes nothing (exit 5); after\n"
"that the uninstall goes only forward: it is finished, and says so.\n"
"\n"
"  --silent            do not ask for confirmation\n"
"  --purge             remove the logs too, then INSTALL_DIR and the folders\n"
"                      the install made above it, when that empties them\n"
"  --root DIR          the installation made with --root DIR\n"
"  --wait-lock[=SECONDS]\n"
"                      wait up to SECONDS (600) for another run to finish\n"
"\n"
"Exit codes: 0 removed, only logs left (or nothing installed), 1 internal\n"
"  error, 5 cancelled, 6 something other than logs stays (named), or\n"
"  could not be removed (the next run finishes it), or the install record\n"
"  cannot be read (nothing removed; the message says what to do), 8\n"
"  another engine-setup run is changing this host.\n";
	case CMD_PAIR:
		return
"Usage: engine-setup pair --console HOST[:PORT] [--secret-file FILE]\n"
"                         [--fingerprint sha256:HEX] [--test] [--root DIR]\n"
"                         [--wait-lock[=S]]\n"
"\n"
"Engine-to-Console pairing of an installed Scan Engine (reverse pairing):\n"
"a connection test, then the engine registers with the console using the\n"
"console's shared secret and records it in nse/conf/consoles.xml. The\n"
"console makes the secret (Administration > Scans > Manage scan engines >\n"
"Generate Scan Engine Shared Secret); it is valid for 60 minutes. Restart\n"
"the engine's service afterwards so that it connects, then Refresh the\n"
"engine in the console.\n"
"\n"
"  --console HOST[:PORT]  the console's address; PORT defaults to 40815\n"
"  --secret-file FILE  read the shared secret from FILE; otherwise from\n"
"                      ENGINE_SETUP_SHARED_SECRET, else a prompt without\n"
"                      echo. It is never stored, logged or sent.\n"
"  --fingerprint sha256:HEX\n"
"                      pin the console's key; without it the key is shown\n"
"                      for you to compare\n"
"  --test              only the connection test; nothing is changed\n"
"  --root DIR          the installation made with --root DIR\n"
"  --wait-lock[=SECONDS]\n"
"                      wait up to SECONDS (600) for another run to finish\n"
"\n"
"Timeouts: ENGINE_SETUP_CONNECT_TIMEOUT (10 s), ENGINE_SETUP_TIMEOUT (30 s).\n"
"Exit codes: 0 paired (or tested), 2 usage error, 4 pairing failed\n"
"  (nothing changed), 5 cancelled, 8 another run is changing this host.\n";
	case CMD_CONSOLES:
		return
"Usage: engine-setup consoles list [--root DIR]\n"
"       engine-setup consoles enable|disable ID|ADDRESS [--restart]\n"
"                         [--root DIR] [--wait-lock[=S]]\n"
"\n"
"The consoles in nse/conf/consoles.xml. Standard pairing\n"
"(Console-to-Engine): after the console adds this engine, 'enable' sets\n"
"enabled=\"1\" for it (by its id or address); then Refresh the engine in\n"
"the console.\n"
"\n"
"  --restart           restart the engine's service after the change, so\n"
"                      that it takes effect now\n"
"  --root DIR          the installation made with --root DIR\n"
"  --wait-lock[=SECONDS]\n"
"                      wait up to SECONDS (600) for another run to finish\n"
"\n"
"Exit codes: 0 done (or already so), 2 usage error or no such console,\n"
"  5 cancelled (consoles.xml as it was), 6 consoles.xml or the install\n"
"  record cannot be read (damaged, too large, or a link) or written,\n"
"  8 another run is changing this host.\n";
	case CMD_IDENTITY:
		return
"Usage: engine-setup identity check [--root DIR] [--wait-lock[=S]]\n"
"       engine-setup identity reset [--root DIR] [--wait-lock[=S]]\n"
"\n"
"The engine id, key and certificate belong to the machine they were made\n"
"on (its /etc/machine-id and system UUID; on Windows its MachineGuid and\n"
"SMBIOS UUID; only hashes are recorded); an install with --root makes them\n"
"for an image. 'check' is the command the service runs before every start\n"
"(systemd ExecStartPre=, the init script's start, the Windows service's\n"
"dependency): on the same machine it does nothing; on another one (a clone,\n"
"a host built from an image) it makes a new id, key and certificate, keeps\n"
"every other file, and marks the consoles this engine paired with to pair\n"
"again. 'reset' does the same by hand. Both log it in the install log and\n"
"nse/logs/engine-setup.log; status shows identity-from-another-machine\n"
"until the engine is paired again.\n"
"\n"
"  --root DIR          the installation made with --root DIR\n"
"  --wait-lock[=SECONDS]\n"
"                      wait up to SECONDS (600) for another run to finish\n"
"                      (check waits 60 s without it)\n"
"  --service           check only: run as the Windows service NAME-identity\n"
"                      that the engine's service depends on\n"
"\n"
"Exit codes: 0 done (check: also facts that cannot be read, which keep\n"
"  the identity), 2 usage error, 5 cancelled (reset: nothing changed),\n"
"  6 the identity files or the install record cannot be read or written\n"
"  (nothing changed), 8 another run is changing this host.\n";
	case CMD_STATUS:
		return
"Usage: engine-setup status [--json] [--root DIR] [--wait-ready[=S]]\n"
"\n"
"What is installed: product, component, install folder, engine id, name,\n"
"direction and port, the engine certificate's fingerprint and expiry, the\n"
"service and its state (with the reason and the command when it is not\n"
"running), whether it is ready, the consoles, and each problem that needs\n"
"attention with its code in brackets. Changes nothing and takes no lock.\n"
"\n"
"  --json              the same facts as one JSON object on standard\n"
"                      output (fields, schema and problem codes:\n"
"                      docs/status.md)\n"
"  --root DIR          the installation made with --root DIR\n"
"  --wait-ready[=SECONDS]\n"
"                      first wait up to SECONDS (600) until the service is\n"
"                      ready; a service that is not running fails at once\n"
"\n"
"Exit codes: 0 installed, and nothing needs attention; 9 not installed;\n"
"  10 something needs attention, each problem listed with a stable code:\n"
"  service-not-running, not-paired, console-pending-authorization,\n"
"  console-checkin-failed (a console's last check-in in nse/logs/nse.log\n"
"  was not active), interrupted-run (a run that a crash cut short: the\n"
"  next install, uninstall, pair, consoles or identity command finishes\n"
"  it), record-unreadable,\n"
"  consoles-unreadable, certificate-unreadable, certificate-expired,\n"
"  identity-from-another-machine, not-ready (the Problem line says what\n"
"  to do). Other errors: the codes of engine-setup --help.\n";
	default:
		return cli_usage();
	}
}

static bool
cli_command(const char *s, enum cli_cmd *cmd)
{
	static const struct { const char *name; enum cli_cmd cmd; } cmds[] = {
		{ "install", CMD_INSTALL }, { "uninstall", CMD_UNINSTALL },
		{ "pair", CMD_PAIR }, { "consoles", CMD_CONSOLES },
		{ "status", CMD_STATUS }, { "identity", CMD_IDENTITY },
	};
	size_t i;

	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(s, cmds[i].name) == 0) {
			*cmd = cmds[i].cmd;
			return true;
		}
	return false;
}

/* Every long option, for telling a missing value from a file name:
 * "--answers --root D" is an --answers without its file. */
static const char *const cli_long_options[] = {
	"--silent", "--text", "--check", "--overwrite", "--help",
	"--version", "--payload-info", "--show-license", "--answers", "--set",
	"--record", "--root", "--log", "--payload", "--console",
	"--secret-file", "--fingerprint", "--test", "--restart", "--wait-lock",
	"--json",
	"--purge",
	"--allow-downgrade",
	"--wait-ready",
};

/* Is s one of the long options (with or without "=VALUE")? */
static bool
cli_is_option(const char *s)
{
	size_t i, n = strcspn(s, "=");

	for (i = 0; i < sizeof cli_long_options / sizeof cli_long_options[0];
	    i++)
		if (strlen(cli_long_options[i]) == n &&
		    strncmp(s, cli_long_options[i], n) == 0)
			return true;
	return false;
}

/* "--name VALUE" or "--name=VALUE"; what says what the value is ("a
 * file"), for the message when it is missing or empty, or when the next
 * word is another option: *out is then NULL and e set (ES_EUSAGE). */
static bool
cli_value(int argc, char **argv, int *i, const char *name, const char *what,
    const char **out, struct es_err *e)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return false;
	*out = NULL;
	if (a[n] == '=') {
		*out = a + n + 1;
	} else if (a[n] != '\0') {
		return false;
	} else if (*i + 1 < argc && cli_is_option(argv[*i + 1])) {
		err_set(e, ES_EUSAGE, "%s needs %s; '%s' after it is an "
		    "option, not its value (a file whose name begins with -- "
		    "is given as ./%s)", name, what, argv[*i + 1],
		    argv[*i + 1]);
		return true;
	} else if (*i + 1 < argc) {
		*out = argv[++*i];
	}
	if (*out == NULL || **out == '\0') {
		err_set(e, ES_EUSAGE, "%s needs %s; see engine-setup --help",
		    name, what);
		*out = NULL;
	}
	return true;
}

/* A whole number of seconds, 0 to one day. */
static bool
cli_seconds(const char *s, int *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 86400)
		return false;
	*out = (int)v;
	return true;
}

/* A --root whose name holds a control character would carry it into
 * every message, command and journal that names the root: refused. */
static bool
cli_root_ok(const char *v, struct es_err *e)
{
	const unsigned char *c;

	for (c = (const unsigned char *)v; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f) {
			err_set(e, ES_EUSAGE, "--root '%s': a folder whose "
			    "name holds a control character (0x%02x) cannot "
			    "be a root; rename it, or give another folder",
			    v, *c);
			return false;
		}
	return true;
}

/* Words after the command: only consoles takes any (list, or enable or
 * disable and one ID|ADDRESS); a stray one is a mistake to point out,
 * not to ignore. */
static bool
cli_check_operands(const struct cli *c, struct es_err *e)
{
	static const char *const names[] = {
		[CMD_INSTALL] = "install", [CMD_UNINSTALL] = "uninstall",
		[CMD_PAIR] = "pair", [CMD_STATUS] = "status",
	};
	size_t max;

	/* --check promises to change nothing (cli-contract.md): only install
	 * has a dry run, so on a command that changes the host it is refused
	 * rather than ignored (an "uninstall --check" would uninstall). */
	if (c->wait_ready >= 0 && c->cmd != CMD_INSTALL &&
	    c->cmd != CMD_STATUS) {
		err_set(e, ES_EUSAGE, "--wait-ready belongs to install and "
		    "status only; nothing was done");
		return false;
	}
	if (c->check && (c->cmd == CMD_UNINSTALL || c->cmd == CMD_PAIR ||
	    c->cmd == CMD_CONSOLES)) {
		err_set(e, ES_EUSAGE, "--check is a dry run of install only; "
		    "%s has none, so nothing was done (engine-setup status "
		    "shows what is installed%s)", c->cmd == CMD_UNINSTALL ?
		    "uninstall" : c->cmd == CMD_PAIR ? "pair" : "consoles",
		    c->cmd == CMD_PAIR ? "; pair --test tries the pairing "
		    "without keeping it" : "");
		return false;
	}
	/* identity changes the engine's identity: an option of another
	 * command (a dry run among them) is refused, not ignored. */
	if (c->cmd == CMD_IDENTITY && (c->check || c->overwrite ||
	    c->text || c->answers != NULL || c->answer_files.n > 0 ||
	    c->sets.n > 0 || c->record != NULL || c->payload != NULL ||
	    c->dir != NULL || c->allow_downgrade || c->test_only ||
	    c->restart || c->console != NULL || c->secret_file != NULL ||
	    c->fingerprint != NULL)) {
		err_set(e, ES_EUSAGE, "identity takes --root, --wait-lock, "
		    "--log and --silent only (reset has no dry run: engine-setup "
		    "status shows the identity); nothing was done");
		return false;
	}
	if (c->json && c->cmd == CMD_INSTALL && !c->check) {
		err_set(e, ES_EUSAGE, "install takes --json only with --check "
		    "(engine-setup install --check --json prints the plan as "
		    "JSON and changes nothing); nothing was done");
		return false;
	}
	if (c->json && c->cmd == CMD_INSTALL && c->wait_ready >= 0) {
		err_set(e, ES_EUSAGE, "install --check --json changes nothing, "
		    "so there is nothing to wait for: leave --wait-ready out "
		    "(engine-setup status --wait-ready waits for an "
		    "installation); nothing was done");
		return false;
	}
	if (c->json && c->cmd != CMD_STATUS && c->cmd != CMD_INSTALL) {
		err_set(e, ES_EUSAGE, "--json is an option of status and of "
		    "install --check only (engine-setup status --json); "
		    "nothing was done");
		return false;
	}
	if (c->purge && c->cmd != CMD_UNINSTALL && c->cmd != CMD_HELP) {
		err_set(e, ES_EUSAGE, "--purge belongs to uninstall (it removes "
		    "the logs too); nothing was done");
		return false;
	}
	/* status changes nothing and takes no lock: an option of a command
	 * that changes the host (a dry run, quiet or line mode, a lock to
	 * wait for, answers) means nothing to it; refused, not ignored. */
	if (c->cmd == CMD_STATUS && (c->check || c->silent || c->text ||
	    c->install4j_quiet || c->wait_lock != 0 || c->log != NULL ||
	    c->overwrite || c->answers != NULL || c->answer_files.n > 0 ||
	    c->sets.n > 0 || c->record != NULL || c->payload != NULL ||
	    c->dir != NULL || c->allow_downgrade || c->test_only ||
	    c->restart || c->service || c->console != NULL ||
	    c->secret_file != NULL || c->fingerprint != NULL)) {
		err_set(e, ES_EUSAGE, "status takes --json, --root and "
		    "--wait-ready[=SECONDS] only: it changes nothing and takes "
		    "no lock, so options of the commands that change the host "
		    "(--check, --silent, --text, --wait-lock ...) mean nothing "
		    "to it; see engine-setup status --help");
		return false;
	}
	switch (c->cmd) {
	case CMD_INSTALL:
	case CMD_UNINSTALL:
	case CMD_PAIR:
	case CMD_STATUS:
		max = 0;
		break;
	case CMD_CONSOLES:
		max = c->args.n > 0 && strcmp(c->args.v[0], "list") == 0 ?
		    1 : 2;
		break;
	case CMD_IDENTITY:
		max = 1;
		break;
	default:
		return true;
	}
	if (c->args.n <= max)
		return true;
	if (c->cmd == CMD_CONSOLES)
		err_set(e, ES_EUSAGE, "consoles %s takes %s, not %s'%s'; "
		    "see engine-setup consoles --help", c->args.v[0],
		    max == 1 ? "options only" : "one ID or ADDRESS",
		    max == 1 ? "" : "also ", c->args.v[max]);
	else if (c->cmd == CMD_IDENTITY)
		err_set(e, ES_EUSAGE, "identity takes check or reset, not also "
		    "'%s'; see engine-setup identity --help", c->args.v[max]);
	else
		err_set(e, ES_EUSAGE, "%s takes options only, not '%s'; see "
		    "engine-setup %s --help", names[c->cmd], c->args.v[max],
		    names[c->cmd]);
	return false;
}

/* A word that is not an option: the command (the first one), else one of
 * its operands. */
static bool
cli_word(struct cli *c, const char *a, bool *have_cmd, struct es_err *e)
{
	if (!*have_cmd && cli_command(a, &c->cmd)) {
		*have_cmd = true;
	} else if (*have_cmd) {
		strlist_add(&c->args, a);
	} else {
		err_set(e, ES_EUSAGE, "unknown command '%s'; the commands are "
		    "install, uninstall, pair, consoles, status and identity "
		    "(engine-setup --help)", a);
		return false;
	}
	return true;
}

bool
cli_parse(struct cli *c, int argc, char **argv, struct es_err *e)
{
	bool have_cmd = false, opts_done = false;
	int i;

	memset(c, 0, sizeof *c);
	c->cmd = CMD_INSTALL;
	c->wait_ready = -1;
	strlist_init(&c->sets);
	strlist_init(&c->args);
	strlist_init(&c->answer_files);
	strlist_init(&c->sysprops);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		/* "--" ends the options: what follows is words only, such
		 * as a console id that starts with '-' (consoles enable --
		 * -5). */
		if (!opts_done && strcmp(a, "--") == 0) {
			opts_done = true;
		} else if (opts_done) {
			if (!cli_word(c, a, &have_cmd, e))
				return false;
		} else if (strcmp(a, "--silent") == 0 || strcmp(a, "-q") == 0) {
			c->silent = true;
			if (a[1] == 'q')
				c->install4j_quiet = true;
		} else if (strcmp(a, "--text") == 0 || strcmp(a, "-c") == 0) {
			c->text = true;
		} else if (strcmp(a, "--check") == 0) {
			c->check = true;
		} else if (strcmp(a, "--overwrite") == 0 ||
		    strcmp(a, "-overwrite") == 0) {
			c->overwrite = true;
		} else if (strcmp(a, "--allow-downgrade") == 0) {
			c->allow_downgrade = true;
		} else if (strcmp(a, "-console") == 0) {
			/* install4j: console mode; this is always one. */
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 ||
		    strcmp(a, "-help") == 0 || strcmp(a, "-?") == 0) {
			/* After a command word: that command's own usage. */
			c->help_for = have_cmd ? c->cmd : CMD_HELP;
			c->cmd = CMD_HELP;
			return true;
		} else if (strcmp(a, "--version") == 0 ||
		    strcmp(a, "-version") == 0) {
			c->cmd = CMD_VERSION;
			return true;
		} else if (strcmp(a, "--payload-info") == 0) {
			c->cmd = CMD_PAYLOAD_INFO;
		} else if (strcmp(a, "--show-license") == 0) {
			c->cmd = CMD_SHOW_LICENSE;
		} else if (cli_value(argc, argv, &i, "--answers",
		    "a value, the answers file", &v, e) ||
		    cli_value(argc, argv, &i, "-varfile",
		    "a value, the answers file", &v, e)) {
			if (v == NULL)
				return false;
			strlist_add(&c->answer_files, v);
			c->answers = v;
		} else if (cli_value(argc, argv, &i, "--set",
		    "a value, KEY=VALUE", &v, e)) {
			if (v == NULL)
				return false;
			strlist_add(&c->sets, v);
		} else if (strncmp(a, "-V", 2) == 0 && a[2] != '\0') {
			strlist_add(&c->sets, a + 2);
		} else if (cli_value(argc, argv, &i, "--record",
		    "a value, the file to write the answers to", &v, e)) {
			if (v == NULL)
				return false;
			c->record = v;
		} else if (cli_value(argc, argv, &i, "--root",
		    "a folder, the one to take as /", &v, e)) {
			if (v == NULL)
				return false;
			if (!cli_root_ok(v, e))
				return false;
			/* In the core's form ("C:\\r" is "C:/r"), and
			 * absolute: the journal names paths under it, and a
			 * later run from another folder must find them. "/"
			 * is the live system on every OS. */
			free(c->root_owned);
			c->root_owned = rootpath_from_user(v);
			if (strspn(v, "/") != strlen(v) &&
			    !plat_path_is_absolute(c->root_owned)) {
				char *cwd = plat_getcwd();
				char *rel = c->root_owned;

				c->root_owned = rootpath_join(cwd != NULL ?
				    cwd : ".", rel);
				free(rel);
				free(cwd);
			}
			c->root = c->root_owned;
		} else if (cli_value(argc, argv, &i, "--log",
		    "a value, the log file", &v, e)) {
			if (v == NULL)
				return false;
			c->log = v;
		} else if (cli_value(argc, argv, &i, "--payload",
		    "a value, the payload file", &v, e)) {
			if (v == NULL)
				return false;
			c->payload = v;
		} else if (cli_value(argc, argv, &i, "-dir",
		    "a value, the install folder", &v, e)) {
			if (v == NULL)
				return false;
			c->dir = v;
		} else if (cli_value(argc, argv, &i, "--console",
		    "a value, HOST[:PORT]", &v, e)) {
			if (v == NULL)
				return false;
			c->console = v;
		} else if (cli_value(argc, argv, &i, "--secret-file",
		    "a value, the shared secret file", &v, e)) {
			if (v == NULL)
				return false;
			c->secret_file = v;
		} else if (cli_value(argc, argv, &i, "--fingerprint",
		    "a value, sha256:HEX", &v, e)) {
			if (v == NULL)
				return false;
			c->fingerprint = v;
		} else if (strcmp(a, "--test") == 0) {
			c->test_only = true;
		} else if (strcmp(a, "--restart") == 0) {
			c->restart = true;
		} else if (strcmp(a, "--json") == 0) {
			c->json = true;
		} else if (strcmp(a, "--purge") == 0) {
			c->purge = true;
		} else if (strcmp(a, "--service") == 0) {
			c->service = true;
		} else if (strcmp(a, "--wait-lock") == 0) {
			c->wait_lock = CLI_WAIT_LOCK_DEFAULT;
		} else if (strncmp(a, "--wait-lock=", 12) == 0) {
			if (!cli_seconds(a + 12, &c->wait_lock)) {
				err_set(e, ES_EUSAGE, "%s: expected a number of "
				    "seconds from 0 to 86400, e.g. "
				    "--wait-lock=600", a);
				return false;
			}
		} else if (strcmp(a, "--wait-ready") == 0) {
			c->wait_ready = READY_WAIT_DEFAULT;
		} else if (strncmp(a, "--wait-ready=", 13) == 0) {
			if (!cli_seconds(a + 13, &c->wait_ready)) {
				err_set(e, ES_EUSAGE, "%s: expected a number of "
				    "seconds from 0 to 86400, e.g. "
				    "--wait-ready=600", a);
				return false;
			}
		} else if (strncmp(a, "-D", 2) == 0) {
			/* The reference installer's Java system properties,
			 * e.g. -Dinstall4j.suppressUnattendedReboot=true
			 * (cli-contract.md): accepted and ignored. */
			const char *eq = strchr(a, '=');

			if (eq == NULL || eq == a + 2) {
				err_set(e, ES_EUSAGE, "'%.64s': expected "
				    "-DNAME=VALUE (a Java system property of "
				    "the reference installer, accepted and "
				    "ignored); see engine-setup --help", a);
				return false;
			}
			strlist_add_owned(&c->sysprops,
			    xstrndup(a + 2, (size_t)(eq - a - 2)));
		} else if (a[0] == '-' && a[1] != '\0') {
			err_set(e, ES_EUSAGE, "unknown option '%s'; see "
			    "engine-setup --help", a);
			return false;
		} else if (i > 1 && a[strspn(a, "0123456789")] == '\0' &&
		    (strcmp(argv[i - 1], "--wait-ready") == 0 ||
		    strcmp(argv[i - 1], "--wait-lock") == 0)) {
			/* "--wait-ready 30": the seconds come with '='. */
			err_set(e, ES_EUSAGE, "'%s' after %s: give the seconds "
			    "with '=', as %s=%s; nothing was done", a,
			    argv[i - 1], argv[i - 1], a);
			return false;
		} else if (!cli_word(c, a, &have_cmd, e)) {
			return false;
		}
	}
	return cli_check_operands(c, e);
}

void
cli_free(struct cli *c)
{
	size_t i;

	/* --set and -V values may be secrets (password1, shared_secret). */
	for (i = 0; i < c->sets.n; i++)
		util_wipe(c->sets.v[i], strlen(c->sets.v[i]));
	strlist_free(&c->sets);
	strlist_free(&c->args);
	strlist_free(&c->answer_files);
	strlist_free(&c->sysprops);
	free(c->root_owned);
	c->root_owned = NULL;
}

/* A file option names a file to read that exists and can be read, or one
 * to write whose folder exists: a mistake in the path is a usage error
 * (exit 2), found before anything is done. */
static bool
cli_check_file(const char *path, const char *what, const char *noun,
    bool output, const char *hint, struct es_err *e)
{
	int err;

	if (!plat_check_regular(path, what, e))
		return false;
	if ((err = plat_file_usable(path, output)) == 0)
		return true;
	if (output && err == ENOENT)
		err_set(e, ES_EUSAGE, "%s: cannot create %s %s: its folder "
		    "does not exist; create the folder first, or give another "
		    "path", what, noun, path);
	else
		err_set(e, ES_EUSAGE, "%s: cannot %s %s %s: %s; %s", what,
		    output ? "write" : "read", noun, path, strerror(err), hint);
	return false;
}

bool
cli_check_files(const struct cli *c, struct es_err *e)
{
	static const char *const check_path = "check the path (relative "
	    "paths are from the current folder) and that this user may read "
	    "it";
	size_t i;

	for (i = 0; i < c->answer_files.n; i++)
		if (!cli_check_file(c->answer_files.v[i], "--answers (-varfile)",
		    "the answers file", false, check_path, e))
			return false;
	return (c->payload == NULL ||
	    cli_check_file(c->payload, "--payload", "the payload file", false,
	    check_path, e)) &&
	    (c->secret_file == NULL ||
	    cli_check_file(c->secret_file, "--secret-file",
	    "the shared secret file", false, "give the file that holds the "
	    "console's shared secret on its first line, or leave "
	    "--secret-file out to use ENGINE_SETUP_SHARED_SECRET or the "
	    "prompt", e)) &&
	    (c->record == NULL ||
	    cli_check_file(c->record, "--record", "the answers file", true,
	    "give a file this user may write", e)) &&
	    (c->log == NULL || cli_check_file(c->log, "--log", "the log file",
	    true, "give a file this user may write", e));
}

void
cli_warn_secrets(const struct cli *c, FILE *out)
{
	bool warned[PK_COUNT] = { false };
	const char *eq, *dollar;
	char *name;
	bool ignored;
	int alias;
	enum plan_key k;
	size_t i;

	for (i = 0; i < c->sets.n; i++) {
		if ((eq = strchr(c->sets.v[i], '=')) == NULL)
			continue;
		name = xstrndup(c->sets.v[i], (size_t)(eq - c->sets.v[i]));
		if ((dollar = strchr(name, '$')) != NULL)
			name[dollar - name] = '\0';
		k = plan_lookup(name, &ignored, &alias);
		if (k < PK_COUNT && !ignored && plan_keyinfo(k)->secret &&
		    !warned[k]) {
			warned[k] = true;
			fprintf(out, "engine-setup: warning: %s given on the "
			    "command line shows in 'ps' to every user of this "
			    "host; prefer %s\n", name,
			    k == PK_SHARED_SECRET ? "shared_secret_file or "
			    "ENGINE_SETUP_SHARED_SECRET" :
			    "console_admin_password_file");
		}
		free(name);
	}
}
