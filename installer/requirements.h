/* The system-requirements check: each rule measures one thing and compares
 * it with the manifest's thresholds. */
#ifndef ES_REQUIREMENTS_H
#define ES_REQUIREMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "platform.h"

enum req_result { REQ_PASS, REQ_WARN, REQ_FAIL };

struct req_item {
	enum req_result result;
	char name[48];        /* "Memory" */
	char measured[128];   /* "3.8 GiB" */
	char threshold[128];  /* "at least 2.0 GiB, 8.0 GiB recommended" */
	char advice[512];     /* what to do, for Warn and Fail; may be "" */
};

#define REQ_MAX_ITEMS 16

#include "strlist.h"

struct req_report {
	struct req_item item[REQ_MAX_ITEMS];
	size_t n;
	size_t warns, fails;
};

/* What the check needs to know about the planned installation. */
struct req_input {
	const char *root;          /* "/" or the --root folder */
	const char *install_dir;   /* without root */
	const char *component;     /* "engine" or "console" */
	bool console_to_engine;    /* the engine listens on engine_port */
	unsigned engine_port;
	bool overwrite;            /* an existing installation is expected */
	bool upgrade;              /* ... and upgraded in place */
	/* The payload's unpacked size in bytes (its trailer's data_bytes),
	 * or 0 when unknown: install_dir needs that much free space at
	 * least, whatever the manifest's minimum says. */
	uint64_t payload_bytes;
	/* Files outside install_dir the recorded installation made (its
	 * record's sysfiles), or NULL: a service definition among them is
	 * engine-setup's to replace. */
	const struct strlist *ours;
};

/* The TCP port a Security Console's web interface listens on (the seed
 * document's ports table; not an answer): written to nsc.xml's WebServer
 * port, checked by the requirements, shown in the next steps. */
#define REQ_CONSOLE_WEB_PORT 3780

/* Run every rule against measured facts. facts may be NULL to measure the
 * real machine; tests pass their own. */
void req_check(const struct manifest *m, const struct req_input *in,
    const struct plat_facts *facts, struct req_report *r);
/* Only the rules about install_dir, into a fresh report, for the page or
 * prompt where the folder is typed: "Install folder" (it can be made and
 * written: the nearest folder that exists is a folder, writable, not on a
 * read-only file system; it is new, empty or engine-setup's, and not a
 * mount point) and "Free disk". Makes nothing. */
void req_check_location(const struct manifest *m, const struct req_input *in,
    struct req_report *r);
/* Only the rules about the TCP ports the plan listens on, into a fresh
 * report, for the page or prompt where the port is chosen: "Engine port"
 * (in->console_to_engine) and "Console web port" (component console). In
 * use by another process: Fail on the host; Warn under --root, or with
 * --overwrite over an installation (which may be what holds it). */
void req_check_ports(const struct manifest *m, const struct req_input *in,
    struct req_report *r);
/* The bytes of free space install_dir needs: the manifest's minimum, or
 * the payload's unpacked size (payload_bytes) when that is more. */
uint64_t req_disk_needed(const struct manifest *m, uint64_t payload_bytes);
/* The first item of r with result Fail, or NULL. */
const struct req_item *req_first_fail(const struct req_report *r);
const char *req_result_label(enum req_result r);   /* "[Pass]" ... */

#endif
