/* The system-requirements check: each rule measures one thing and compares
 * it with the manifest's thresholds. */
#ifndef ES_REQUIREMENTS_H
#define ES_REQUIREMENTS_H

#include <stdbool.h>
#include <stddef.h>

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
	/* Files outside install_dir the recorded installation made (its
	 * record's sysfiles), or NULL: a service definition among them is
	 * engine-setup's to replace. */
	const struct strlist *ours;
};

/* Run every rule against measured facts. facts may be NULL to measure the
 * real machine; tests pass their own. */
void req_check(const struct manifest *m, const struct req_input *in,
    const struct plat_facts *facts, struct req_report *r);
const char *req_result_label(enum req_result r);   /* "[Pass]" ... */

#endif
