/* nse/logs/nse.log (CONSOLES_LOG_REL) as status reads it: the sample
 * engine writes one line for each contact with a console
 * (../shared/engine-protocol.md), "<UTC time> [INFO|WARN] <text>"; these
 * functions find a console's last check-in and whether a console has
 * refreshed the engine since a time, matching only whole lines in the
 * engine's exact format (docs/status.md, "last_checkin"). */
#ifndef ES_NSELOG_H
#define ES_NSELOG_H

#include <stdbool.h>
#include <stddef.h>

/* How much of the end of nse.log (CONSOLES_LOG_REL) is read, bytes. */
#define NSELOG_TAIL (1u << 20)

/* An Engine-to-Console console's last check-in, from a line the engine
 * wrote to nse.log: "<at> [INFO] Check-in to console <id> at <address>
 * port <port>: <result>" (../shared/engine-protocol.md). */
struct nselog_checkin {
	bool seen;                 /* false: no such line (JSON null) */
	char at[21];               /* "2026-11-30T14:20:00Z" */
	/* "active", "unknown-engine", "incompatible", "failed",
	 * "not-contacted" */
	char result[16];
	/* What the parentheses after the result say ("console 7.4.0", the
	 * reason of a failure), or "" for active and unknown-engine. */
	char detail[80];
};

/* The last check-in line for the console whose consoles.xml id is id in
 * log (len bytes of nse.log's end: NUL bytes, a last line without a
 * newline and lines that do not match the engine's format exactly are
 * ignored; a line is matched from its start only). id is compared as the
 * engine writes it (bytes outside 0x21..0x7e as '?', at most 64). A line
 * counts only when its <address> is address (compared the same way) and
 * its <port> is the number port ("40815"): the console's lastAddress and
 * port in consoles.xml; NULL for both compares neither (the format
 * alone), "" matches no line. Only check-ins after the engine's last
 * start count (the last "Scan Engine initialization completed" or
 * "Security Console initialization completed" line): earlier ones were an
 * earlier run's, e.g. the old version's before an upgrade. False
 * (out->seen false) when there is none. */
bool nselog_last_checkin(const char *log, size_t len, const char *id,
    const char *address, const char *port, struct nselog_checkin *out);
/* Whether log (as above) has a line "<T> [INFO] Refresh from console
 * <console_id> at <peer>: active" whose time T is since
 * ("2026-11-30T14:20:00Z") or later: the console has talked to the engine
 * since then. */
bool nselog_refreshed(const char *log, size_t len,
    const char *console_id, const char *since);
/* The end of nse.log in idir (install_dir under the root): at most
 * NSELOG_TAIL bytes, starting at a line's start, read never through a
 * symbolic link. NULL when it is missing or cannot be read. */
char *nselog_tail(const char *idir, size_t *len);

#endif
