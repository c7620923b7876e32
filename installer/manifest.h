/* The payload manifest: product, version, components, requirement
 * thresholds and which files are configuration. Format: docs/payload.md. */
#ifndef ES_MANIFEST_H
#define ES_MANIFEST_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "strlist.h"

#define MANIFEST_MAX_COMPONENTS 4

struct manifest_component {
	char *name;          /* "engine", "console" */
	char *title;         /* "Scan Engine" */
	char *description;   /* one line for the wizard */
	char *dir;           /* top folder in the data archive: "engine" */
	char *includes;      /* another component always installed with it, or NULL */
	char *service;       /* service name, e.g. "nexposeengine", or NULL */
	char *exec;          /* service program relative to install_dir */
	char *workdir;       /* service working dir relative to install_dir */
	/* How the service shows it is ready (docs/payload.md, "Readiness"),
	 * each NULL when not declared: a log file relative to install_dir,
	 * the line that says it is ready, the line it writes when it starts
	 * (the ready line counts only after the last one), and the port that
	 * accepts connections when it is ready: "engine_port" (the answer,
	 * only when the engine listens: console-to-engine) or a number. */
	char *ready_log;
	char *ready_line;
	char *ready_start;
	char *ready_port;
};

struct manifest {
	char *product;       /* "Nexpose" */
	char *version;       /* "7.3.1" (major.minor.patch) */
	char *license;       /* path of the licence text in the meta archive */
	char *publisher;     /* "Rapid7", or NULL: the vendor, as the list of
	                      * installed programs shows it */

	/* Requirements: below *_min fails, below *_rec warns. */
	uint64_t mem_min, mem_rec;     /* bytes */
	uint64_t disk_min, disk_rec;   /* bytes, free at install_dir */
	unsigned cpu_min, cpu_rec;
	struct strlist os;             /* accepted os_family values */
	struct strlist arch;           /* accepted architectures */

	/* Path prefixes, relative to install_dir, whose files are
	 * configuration: mode 0640 at most, kept on --overwrite. */
	struct strlist config;

	struct manifest_component comp[MANIFEST_MAX_COMPONENTS];
	unsigned ncomp;
};

/* Parse manifest text; the file name is used in error messages. */
bool manifest_parse(struct manifest *m, const char *text, size_t len,
    const char *filename, struct es_err *e);
const struct manifest_component *manifest_component(const struct manifest *m,
    const char *name);
/* True when rel (relative to install_dir) is a configuration file. */
bool manifest_is_config(const struct manifest *m, const char *rel);
void manifest_free(struct manifest *m);

#endif
