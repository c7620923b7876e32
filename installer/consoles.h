/* nse/conf/consoles.xml: the consoles an engine knows (the seed's
 * "Modify consoles.xml"; entries as in ../shared/pairing-protocol.md,
 * "After pairing"). Read with expat: the engine writes this file too. */
#ifndef ES_CONSOLES_H
#define ES_CONSOLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "platform.h"
#include "util.h"

/* The file, relative to install_dir. */
#define CONSOLES_REL "nse/conf/consoles.xml"
/* The lock that the engine and engine-setup both take around their whole
 * read-modify-rename of consoles.xml (docs/pairing.md), relative to
 * install_dir; made by whichever comes first, never removed but by
 * uninstall. */
#define CONSOLES_LOCK_REL "nse/conf/consoles.xml.lock"
/* How long to wait for it, in seconds. */
#define CONSOLES_LOCK_WAIT 10
/* The engine's log, relative to install_dir: a line for each contact with
 * a console (../shared/engine-protocol.md; status reads the check-ins). */
#define CONSOLES_LOG_REL "nse/logs/nse.log"

/* The Security Console's menu paths, in the seed's words ("Add an Engine
 * through Administration", "Refresh Your New Scan Engine", the shared
 * secret of "Install the Scan Engine"). */
#define CONSOLES_MENU_NEW_ENGINE "Administration > Scans > Scan Engines > " \
	"Manage scan engines > New Engine"
#define CONSOLES_MENU_REFRESH "Administration > Scans > Engines > " \
	"Refresh Displayed Engines"
#define CONSOLES_MENU_SHARED_SECRET "Administration > Scans > Manage scan " \
	"engines > Generate Scan Engine Shared Secret > Generate"
/* The page that lists the Scan Engines ("Add an Engine through
 * Administration", step 1), where an uninstalled engine is removed. */
#define CONSOLES_MENU_ENGINES "Administration > Scans > Scan Engines > " \
	"Manage scan engines"

struct console_entry {
	char *id;
	bool enabled;
	bool connect_to;     /* engine-to-console (reverse) pairing */
	char *name;
	char *last_address;
	char *port;
	char *console_id;
	char *spki;
	/* pairAgain="1": the engine's identity was made anew after this
	 * engine-to-console pairing (identity.h); the console knows the old
	 * key until the engine pairs with it again. */
	bool pair_again;
};

struct consoles {
	struct console_entry *v;
	size_t n, cap;
};

/* Errors: a file that is not well-formed or has no <Consoles> root is a
 * damaged file of the installation (ES_EINSTALL, naming file and line). */
bool consoles_parse(struct consoles *c, const char *text, size_t len,
    const char *filename, struct es_err *e);
/* The text of consoles.xml in idir (install_dir under the root; at most
 * 16 MiB, *len set, caller frees), read as status, list, enable, disable
 * and pair all read it: never through a symbolic link (a link there is
 * refused, saying where it leads and what to do). NULL with e set
 * (ES_EINSTALL). */
char *consoles_read(const char *idir, size_t *len, struct es_err *e);
/* Take consoles.xml's lock (CONSOLES_LOCK_REL in idir, install_dir under
 * the root) before reading the file for a change, and keep it until the
 * new file is in place (plat_file_lock_release). While the engine or
 * another run holds it, one line on out says so, and this waits up to
 * CONSOLES_LOCK_WAIT seconds. When nse/conf is not a folder here (missing,
 * a symbolic link) *lock stays NULL and the call succeeds: consoles_read()
 * then refuses the file. False with e set: ES_EBUSY (still held: nothing
 * changed), ES_ECANCEL, ES_EINSTALL (the lock cannot be made). */
bool consoles_lock(const char *idir, FILE *out, struct plat_file_lock **lock,
    struct es_err *e);
/* consoles_read() and consoles_parse(). */
bool consoles_load(struct consoles *c, const char *idir, struct es_err *e);
void consoles_free(struct consoles *c);

/* Set enabled="1" or "0" on the console whose id or lastAddress is match
 * (the seed's "change the value for the enabled attribute from 0 to 1"),
 * changing nothing else in the text: other entries, attributes, comments
 * and layout stay byte for byte. *out is the new text (caller frees);
 * *changed is false when it already had that value. Errors: no console
 * matches, or an address matches more than one (use the id). */
bool consoles_set_enabled(const char *text, size_t len, const char *filename,
    const char *match, bool enabled, char **out, size_t *outlen,
    bool *changed, struct console_entry *which, struct es_err *e);
struct confgen_console_entry;

/* Record an engine-to-console pairing (pairing-protocol.md, "After
 * pairing"): the entry with the same consoleId is replaced in place (its
 * id kept), otherwise a new one with the next free id goes before
 * </Consoles>. Everything else stays byte for byte. e->id is filled. */
bool consoles_upsert(const char *text, size_t len, const char *filename,
    struct confgen_console_entry *entry, char **out, size_t *outlen,
    struct es_err *e);
/* Mark every engine-to-console (connectTo="1") entry pairAgain="1", for
 * an engine whose key was made anew (identity.h): pairing with that
 * console again replaces the entry (consoles_upsert) and so drops the
 * mark. Everything else stays byte for byte. *out is the new text
 * (caller frees); *marked counts the entries marked now. */
bool consoles_mark_pair_again(const char *text, size_t len,
    const char *filename, char **out, size_t *outlen, size_t *marked,
    struct es_err *e);
/* What to do when an installation knows no console, as a phrase for
 * `consoles list` and `status`, fitting the host: a Security Console's
 * local Scan Engine needs no pairing; an Engine-to-Console engine pairs
 * with `engine-setup pair`; a Console-to-Engine engine waits for the
 * console, then `consoles enable`. root ("/" or the --root folder) goes
 * into the commands, so that they work as printed. */
void consoles_none_advice(const char *component, const char *communication,
    const char *root, struct sbuf *b);
/* Whether `consoles enable --restart` can restart the service for root
 * ("/" or NULL: the running system); under another root no service
 * manager runs it, and --restart only says "Not restarted". */
bool consoles_can_restart(const char *root);
/* The command that enables (or disables) the console match (its id or
 * address), as it works when pasted into a shell: "engine-setup consoles
 * enable MATCH [--restart] [--root ROOT]", match shell-quoted; --restart
 * when restart is asked and consoles_can_restart(root). A match
 * that starts with '-' would be taken for an option, so then the options
 * come first and "--" (the end of the options) before it: "engine-setup
 * consoles enable --root ROOT -- -5". Appended to b. */
void consoles_toggle_command(const char *match, bool enable, bool restart,
    const char *root, struct sbuf *b);
/* Free the strings of one entry. */
void consoles_entry_free(struct console_entry *en);
/* Make en's strings fit to print (sbuf_add_shown(): a console names
 * itself, and a tab or an escape sequence in its name must neither break
 * `consoles list`'s columns nor reach the terminal). For showing only:
 * en no longer matches the file. */
void consoles_entry_show(struct console_entry *en);

#endif
