/* Text of the files an install writes: engine and console configuration
 * and service definitions. Pure functions: they return strings, the
 * executor writes them. */
#ifndef ES_CONFGEN_H
#define ES_CONFGEN_H

#include <stdbool.h>

struct confgen_engine {
	const char *name;            /* engine_name */
	const char *id;              /* UUID */
	const char *communication;   /* "engine-to-console" | "console-to-engine" */
	unsigned port;               /* listening port (console-to-engine) */
	const char *version;
};

/* nse/conf/nse.xml. Caller frees. */
char *confgen_nse_xml(const struct confgen_engine *c);
/* nse/conf/consoles.xml with no console yet: <Consoles>, a newline,
 * </Consoles>; entries go in before "</Consoles>". Caller frees. */
char *confgen_consoles_xml_empty(void);

/* One console in nse/conf/consoles.xml (../shared/pairing-protocol.md,
 * "After pairing"). NULL strings are written as empty. */
struct confgen_console_entry {
	unsigned id;                 /* id, local to consoles.xml */
	bool enabled;                /* enabled */
	bool connect_to;             /* connectTo: engine-to-console pairing */
	const char *name;            /* name: console_name */
	const char *last_address;    /* lastAddress */
	unsigned port;               /* port: 40815 */
	const char *console_id;      /* consoleId */
	const char *spki;            /* spki: "sha256:<64 hex>" */
	const char *cert_pem;        /* <cert>: the console certificate */
};

/* One <console> element, indented for its place inside <Consoles> and
 * ending with a newline. Values that XML cannot carry (invalid UTF-8,
 * control characters) become U+FFFD. Caller frees. */
char *confgen_consoles_entry(const struct confgen_console_entry *c);

struct confgen_console {
	unsigned web_port;           /* 3780 */
	const char *version;
	const char *admin_user;
	const char *admin_hash;      /* crypto_password_hash() output */
};

/* nsc/conf/nsc.xml and nsc/conf/userdb.xml. Caller frees. */
char *confgen_nsc_xml(const struct confgen_console *c);
char *confgen_userdb_xml(const struct confgen_console *c);

#endif
