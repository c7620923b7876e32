/* The system-requirements check. Every measurement comes through
 * platform.h; this file only compares and explains. */
#include "requirements.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* What a console installation leaves when the manifest does not say. */
#define REQ_CONSOLE_SERVICE "nexposeconsole"
#define REQ_CONSOLE_DIR "nsc"

/* The seed's REMINDER (Distributed Scan Engines, "Download and Install the
 * Scan Engine"). */
#define REQ_REMINDER "Do not install a distributed Scan Engine on a host" \
	" that already has a Security Console: every console already" \
	" includes a local Scan Engine"

/* The seed's NOTE "Distributed Scan Engines on virtual machines". */
#define REQ_VM_NOTE "Reserve, do not share, memory for this virtual" \
	" machine: a Scan Engine with shared memory may run out of memory" \
	" during a scan"

/* printf into a fixed field of a req_item, cut if too long. */
static void __attribute__((format(printf, 3, 4)))
req_setf(char *dst, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, sz, fmt, ap);
	va_end(ap);
}

/* Append an item with its result counted; the caller fills the texts. */
static struct req_item *
req_add(struct req_report *r, enum req_result result, const char *name)
{
	static struct req_item overflow;
	struct req_item *it;

	if (r->n == REQ_MAX_ITEMS)
		it = &overflow;
	else
		it = &r->item[r->n++];
	memset(it, 0, sizeof *it);
	it->result = result;
	req_setf(it->name, sizeof it->name, "%s", name);
	if (result == REQ_WARN)
		r->warns++;
	else if (result == REQ_FAIL)
		r->fails++;
	return it;
}

/* The manifest's component called name, or NULL. */
static const struct manifest_component *
req_component(const struct manifest *m, const char *name)
{
	unsigned i;

	for (i = 0; i < m->ncomp && i < MANIFEST_MAX_COMPONENTS; i++) {
		if (m->comp[i].name != NULL && name != NULL &&
		    strcmp(m->comp[i].name, name) == 0)
			return &m->comp[i];
	}
	return NULL;
}

/* What is being installed, for advice: "the Scan Engine". */
static const char *
req_title(const struct manifest *m, const struct req_input *in)
{
	const struct manifest_component *c = req_component(m, in->component);

	if (c != NULL && c->title != NULL)
		return c->title;
	return m->product != NULL ? m->product : "this product";
}

/* "at least MIN, REC recommended" for byte thresholds. */
static void
req_bytes_threshold(char *out, size_t outsz, uint64_t min, uint64_t rec)
{
	char a[32], b[32];

	human_bytes(min, a, sizeof a);
	human_bytes(rec, b, sizeof b);
	if (rec > min)
		req_setf(out, outsz, "at least %s, %s recommended", a, b);
	else
		req_setf(out, outsz, "at least %s", a);
}

static void
req_memory(const struct manifest *m, const struct req_input *in,
    const struct plat_facts *f, struct req_report *r)
{
	struct req_item *it;
	enum req_result res = REQ_PASS;
	char have[32], min[32], rec[32];

	if (f->mem_total < m->mem_min)
		res = REQ_FAIL;
	else if (f->mem_total < m->mem_rec)
		res = REQ_WARN;
	human_bytes(f->mem_total, have, sizeof have);
	human_bytes(m->mem_min, min, sizeof min);
	human_bytes(m->mem_rec, rec, sizeof rec);
	it = req_add(r, res, "Memory");
	req_setf(it->measured, sizeof it->measured, "%s", have);
	req_bytes_threshold(it->threshold, sizeof it->threshold, m->mem_min,
	    m->mem_rec);
	if (res == REQ_FAIL)
		req_setf(it->advice, sizeof it->advice, "Add memory: %s needs"
		    " at least %s and this host has %s.", req_title(m, in),
		    min, have);
	else if (res == REQ_WARN)
		req_setf(it->advice, sizeof it->advice, "%s recommended for"
		    " %s; with %s, large scans may be slow or run out of"
		    " memory.", rec, req_title(m, in), have);
}

/* The nearest existing folder at or above path, which is where free space
 * can be measured before install_dir exists. Caller frees. */
static char *
req_existing_ancestor(const char *path)
{
	char *p = xstrdup(path), *slash;

	while (plat_file_type(p) == PLAT_NONE) {
		slash = strrchr(p, '/');
		if (slash == NULL || (slash == p && p[1] == '\0'))
			break;
		if (slash == p)
			p[1] = '\0';
		else
			*slash = '\0';
	}
	return p;
}

static void
req_disk(const struct manifest *m, const struct req_input *in,
    struct req_report *r)
{
	struct req_item *it;
	enum req_result res = REQ_PASS;
	char *target, *at, have[32], min[32], rec[32];
	uint64_t avail = 0;

	target = plat_join_root(in->root, in->install_dir);
	at = req_existing_ancestor(target);
	if (!plat_disk_free(at, &avail)) {
		it = req_add(r, REQ_FAIL, "Free disk");
		req_setf(it->measured, sizeof it->measured, "unknown at %s",
		    at);
		req_bytes_threshold(it->threshold, sizeof it->threshold,
		    m->disk_min, m->disk_rec);
		req_setf(it->advice, sizeof it->advice, "Cannot measure the"
		    " free space for %s; check that --root and install_dir"
		    " name a usable folder.", target);
		goto out;
	}
	if (avail < m->disk_min)
		res = REQ_FAIL;
	else if (avail < m->disk_rec)
		res = REQ_WARN;
	human_bytes(avail, have, sizeof have);
	human_bytes(m->disk_min, min, sizeof min);
	human_bytes(m->disk_rec, rec, sizeof rec);
	it = req_add(r, res, "Free disk");
	req_setf(it->measured, sizeof it->measured, "%s at %s", have, at);
	req_bytes_threshold(it->threshold, sizeof it->threshold, m->disk_min,
	    m->disk_rec);
	if (res == REQ_FAIL)
		req_setf(it->advice, sizeof it->advice, "Free space on the file"
		    " system of %s (%s free, at least %s needed), or choose"
		    " another install_dir.", at, have, min);
	else if (res == REQ_WARN)
		req_setf(it->advice, sizeof it->advice, "%s free at %s; %s is"
		    " recommended for scan data and updates. Free space or"
		    " choose another install_dir.", have, at, rec);
out:
	free(at);
	free(target);
}

/* Programs must run from the install folder: on a file system mounted
 * noexec the install succeeds and the engine cannot start (mount(8),
 * "noexec"). Under --root the files run from elsewhere later, so there it
 * only warns. */
static void
req_exec(const struct manifest *m, const struct req_input *in,
    struct req_report *r)
{
	struct req_item *it;
	char *target, *at, mnt[512];
	bool noexec = false;
	bool live = strspn(in->root, "/") == strlen(in->root);

	target = plat_join_root(in->root, in->install_dir);
	at = req_existing_ancestor(target);
	if (!plat_mount_point(at, mnt, sizeof mnt))
		req_setf(mnt, sizeof mnt, "%s", at);
	if (!plat_fs_noexec(at, &noexec)) {
		it = req_add(r, REQ_WARN, "Programs may run");
		req_setf(it->measured, sizeof it->measured, "unknown at %s",
		    at);
		req_setf(it->advice, sizeof it->advice, "Cannot tell whether"
		    " the file system of %s lets programs run; make sure it"
		    " is not mounted noexec.", at);
	} else if (!noexec) {
		it = req_add(r, REQ_PASS, "Programs may run");
		req_setf(it->measured, sizeof it->measured, "yes, at %s", at);
	} else {
		it = req_add(r, live ? REQ_FAIL : REQ_WARN, "Programs may run");
		req_setf(it->measured, sizeof it->measured, "no: the file"
		    " system at %s is mounted noexec", mnt);
		if (live)
			req_setf(it->advice, sizeof it->advice, "The install"
			    " would succeed, but the %s could not start from"
			    " %s. Choose an install_dir on another file system,"
			    " or mount %s without noexec (mount -o remount,exec"
			    " %s, and in /etc/fstab).", req_title(m, in),
			    in->install_dir, mnt, mnt);
		else
			req_setf(it->advice, sizeof it->advice, "%s is mounted"
			    " noexec here; programs cannot run from it. Make"
			    " sure the file system the installation in %s"
			    " runs from later is not mounted noexec.", mnt,
			    in->root);
	}
	req_setf(it->threshold, sizeof it->threshold, "a file system not"
	    " mounted noexec");
	free(at);
	free(target);
}

static void
req_cpus(const struct manifest *m, const struct req_input *in,
    const struct plat_facts *f, struct req_report *r)
{
	struct req_item *it;
	enum req_result res = REQ_PASS;

	if (f->cpu_count < m->cpu_min)
		res = REQ_FAIL;
	else if (f->cpu_count < m->cpu_rec)
		res = REQ_WARN;
	it = req_add(r, res, "CPUs");
	req_setf(it->measured, sizeof it->measured, "%u", f->cpu_count);
	if (m->cpu_rec > m->cpu_min)
		req_setf(it->threshold, sizeof it->threshold, "at least %u, %u"
		    " recommended", m->cpu_min, m->cpu_rec);
	else
		req_setf(it->threshold, sizeof it->threshold, "at least %u",
		    m->cpu_min);
	if (res == REQ_FAIL)
		req_setf(it->advice, sizeof it->advice, "%s needs at least %u"
		    " CPUs and this host has %u; add CPUs.", req_title(m, in),
		    m->cpu_min, f->cpu_count);
	else if (res == REQ_WARN)
		req_setf(it->advice, sizeof it->advice, "%u CPUs are"
		    " recommended; with %u, scans take longer.", m->cpu_rec,
		    f->cpu_count);
}

/* The list joined with ", ", or "any" when it is empty. */
/* The product's words for a manifest's OS family or architecture name
 * ("linux" is Linux; amd64 and x86_64 are one 64-bit x86). */
static const char *
req_display(const char *v)
{
	static const struct { const char *name, *shown; } names[] = {
		{ "linux", "Linux" }, { "windows", "Windows" },
		{ "darwin", "macOS" }, { "x86_64", "64-bit x86 (x86_64)" },
		{ "amd64", "64-bit x86 (x86_64)" },
		{ "aarch64", "64-bit ARM (aarch64)" },
		{ "arm64", "64-bit ARM (aarch64)" },
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(v, names[i].name) == 0)
			return names[i].shown;
	return v;
}

/* "Linux or Windows", "A, B or C": each shown once. */
static void
req_join(const struct strlist *l, char *out, size_t outsz)
{
	struct strlist shown;
	struct sbuf b;
	size_t i;

	strlist_init(&shown);
	for (i = 0; i < l->n; i++)
		if (!strlist_contains(&shown, req_display(l->v[i])))
			strlist_add(&shown, req_display(l->v[i]));
	sbuf_init(&b);
	for (i = 0; i < shown.n; i++) {
		if (i > 0)
			sbuf_add(&b, i + 1 == shown.n ? " or " : ", ");
		sbuf_add(&b, shown.v[i]);
	}
	req_setf(out, outsz, "%s", shown.n > 0 ? b.s : "any");
	sbuf_free(&b);
	strlist_free(&shown);
}

/* One rule of an accepted-values list (requirement.os, .arch). */
static void
req_one_of(const struct manifest *m, struct req_report *r, const char *name,
    const struct strlist *accepted, const char *value, const char *shown)
{
	struct req_item *it;
	bool ok = accepted->n == 0 || strlist_contains(accepted, value);
	char list[96];

	req_join(accepted, list, sizeof list);
	it = req_add(r, ok ? REQ_PASS : REQ_FAIL, name);
	req_setf(it->measured, sizeof it->measured, "%s", shown);
	req_setf(it->threshold, sizeof it->threshold, "%s", list);
	if (!ok)
		req_setf(it->advice, sizeof it->advice, "%s runs on %s only,"
		    " not on %s; use a supported host.",
		    m->product != NULL ? m->product : "This product", list,
		    value[0] != '\0' ? value : "this system");
}

static void
req_vm(const struct plat_facts *f, struct req_report *r)
{
	struct req_item *it;

	if (f->hypervisor[0] == '\0') {
		it = req_add(r, REQ_PASS, "Virtual machine");
		req_setf(it->measured, sizeof it->measured, "no hypervisor"
		    " detected");
	} else {
		it = req_add(r, REQ_WARN, "Virtual machine");
		req_setf(it->measured, sizeof it->measured, "%s",
		    f->hypervisor);
		req_setf(it->advice, sizeof it->advice, "%s.", REQ_VM_NOTE);
	}
	req_setf(it->threshold, sizeof it->threshold, "bare metal, or a VM"
	    " with reserved memory");
}

static void
req_selinux(const struct req_input *in, const struct plat_facts *f,
    struct req_report *r)
{
	struct req_item *it;

	if (strcmp(f->selinux, "enforcing") == 0) {
		it = req_add(r, REQ_WARN, "SELinux");
		req_setf(it->advice, sizeof it->advice, "SELinux is enforcing"
		    " and may deny the service access to %s. If the service"
		    " does not start, see `ausearch -m avc` and label the"
		    " files (semanage fcontext, restorecon -R %s).",
		    in->install_dir, in->install_dir);
	} else
		it = req_add(r, REQ_PASS, "SELinux");
	req_setf(it->measured, sizeof it->measured, "%s",
	    f->selinux[0] != '\0' ? f->selinux : "not present");
	req_setf(it->threshold, sizeof it->threshold, "permissive or"
	    " disabled recommended");
}

/* True when an installation is recorded under root: the state file, or a
 * record inside install_dir. */
static bool
req_find_install(const struct req_input *in, char **found)
{
	char *state = plat_state_file(in->root);
	char *dir = plat_join_root(in->root, in->install_dir);
	char *rec = xasprintf("%s/.install/record", dir);

	*found = NULL;
	if (plat_file_type(rec) != PLAT_NONE)
		*found = rec;
	else if (plat_file_type(state) != PLAT_NONE)
		*found = state;
	if (*found != rec)
		free(rec);
	if (*found != state)
		free(state);
	free(dir);
	return *found != NULL;
}

static void
req_existing(const struct req_input *in, bool exists, const char *found,
    struct req_report *r)
{
	struct req_item *it;
	char where[300];

	if (!exists) {
		it = req_add(r, REQ_PASS, "Existing installation");
		req_setf(it->measured, sizeof it->measured, "none found");
	} else {
		if (str_has_suffix(found, "/.install/record"))
			req_setf(where, sizeof where, "at %s", in->install_dir);
		else
			req_setf(where, sizeof where, "(recorded in %s)",
			    found);
		it = req_add(r, in->overwrite ? REQ_WARN : REQ_FAIL,
		    "Existing installation");
		req_setf(it->measured, sizeof it->measured, "found %s", found);
		if (in->overwrite)
			req_setf(it->advice, sizeof it->advice, "--overwrite:"
			    " the installation %s will be replaced.", where);
		else {
			struct sbuf cmd;

			/* With --root, so that the command works as
			 * printed. */
			sbuf_init(&cmd);
			sbuf_add(&cmd, "engine-setup uninstall");
			if (strspn(in->root, "/") != strlen(in->root)) {
				sbuf_add(&cmd, " --root ");
				sbuf_add_shell(&cmd, in->root);
			}
			req_setf(it->advice, sizeof it->advice, "Already"
			    " installed %s; use --overwrite or `%s`.", where,
			    cmd.s);
			sbuf_free(&cmd);
		}
	}
	req_setf(it->threshold, sizeof it->threshold, "none, unless"
	    " --overwrite");
}

/* What a Security Console leaves on a host, inside root: its folder in
 * install_dir, its systemd unit or its init script. Caller frees. */
static char *
req_find_console(const struct manifest *m, const struct req_input *in)
{
	const struct manifest_component *c = req_component(m, "console");
	const char *svc = REQ_CONSOLE_SERVICE;
	char *dir = xstrdup(REQ_CONSOLE_DIR), *rel, *path;
	char *cand[3];
	size_t i;

	if (c != NULL && c->service != NULL)
		svc = c->service;
	if (c != NULL && c->workdir != NULL && c->workdir[0] != '\0') {
		free(dir);
		dir = xstrndup(c->workdir, strcspn(c->workdir, "/"));
	}
	path = plat_join_root(in->root, in->install_dir);
	cand[0] = xasprintf("%s/%s", path, dir);
	free(path);
	rel = xasprintf("/etc/systemd/system/%s.service", svc);
	cand[1] = plat_join_root(in->root, rel);
	free(rel);
	rel = xasprintf("/etc/init.d/%s", svc);
	cand[2] = plat_join_root(in->root, rel);
	free(rel);
	free(dir);

	path = NULL;
	for (i = 0; i < 3; i++) {
		if (path == NULL && plat_file_type(cand[i]) != PLAT_NONE)
			path = cand[i];
		else
			free(cand[i]);
	}
	return path;
}

static void
req_console(const struct manifest *m, const struct req_input *in,
    struct req_report *r)
{
	struct req_item *it;
	char *found;

	if (in->component == NULL || strcmp(in->component, "engine") != 0) {
		it = req_add(r, REQ_PASS, "Security Console on this host");
		req_setf(it->measured, sizeof it->measured, "not checked:"
		    " installing %s", req_title(m, in));
		req_setf(it->threshold, sizeof it->threshold, "none, for a"
		    " distributed Scan Engine");
		return;
	}
	found = req_find_console(m, in);
	if (found == NULL) {
		it = req_add(r, REQ_PASS, "Security Console on this host");
		req_setf(it->measured, sizeof it->measured, "none found");
	} else {
		it = req_add(r, REQ_FAIL, "Security Console on this host");
		req_setf(it->measured, sizeof it->measured, "found %s", found);
		req_setf(it->advice, sizeof it->advice, "%s. Use the"
		    " console's local engine, or install this Scan Engine on"
		    " another host.", REQ_REMINDER);
	}
	req_setf(it->threshold, sizeof it->threshold, "none, for a"
	    " distributed Scan Engine");
	free(found);
}

/* A service definition of the same name that engine-setup did not install
 * (an administrator's own unit or init script, a manual install's) is
 * never replaced silently: it fails unless --overwrite, and then its
 * bytes are kept for a rollback (install.c). */
static void
req_service(const struct manifest *m, const struct req_input *in,
    struct req_report *r)
{
	const struct manifest_component *c = req_component(m, in->component);
	struct strlist paths;
	struct req_item *it;
	char *found = NULL;
	size_t i;

	if (c == NULL || c->service == NULL)
		return;
	strlist_init(&paths);
	plat_service_paths(in->root, c->service, &paths);
	for (i = 0; found == NULL && i < paths.n; i++) {
		char *full;

		if (str_has_suffix(paths.v[i], "/") || (in->ours != NULL &&
		    strlist_contains(in->ours, paths.v[i])))
			continue;
		full = plat_join_root(in->root, paths.v[i]);
		if (plat_file_type(full) != PLAT_NONE)
			found = xstrdup(paths.v[i]);
		free(full);
	}
	strlist_free(&paths);
	if (found == NULL) {
		it = req_add(r, REQ_PASS, "Service definition");
		req_setf(it->measured, sizeof it->measured, "none for %s, or"
		    " engine-setup's own", c->service);
	} else {
		it = req_add(r, in->overwrite ? REQ_WARN : REQ_FAIL,
		    "Service definition");
		req_setf(it->measured, sizeof it->measured, "%s exists;"
		    " engine-setup did not install it", found);
		if (in->overwrite)
			req_setf(it->advice, sizeof it->advice, "--overwrite:"
			    " it will be replaced, and put back if the install"
			    " fails.");
		else
			req_setf(it->advice, sizeof it->advice, "Move %s (and"
			    " its links) away if it is left from a manual"
			    " install, or replace it with --overwrite.", found);
		free(found);
	}
	req_setf(it->threshold, sizeof it->threshold, "none that another"
	    " installer made, unless --overwrite");
}

/* The engine's listening port; a --root install runs elsewhere later, so
 * a busy port on this host only warns there. */
static void
req_port(const struct req_input *in, bool replacing, struct req_report *r)
{
	struct req_item *it;
	bool live = in->root == NULL ||
	    strspn(in->root, "/") == strlen(in->root);

	if (!plat_port_in_use(in->engine_port)) {
		it = req_add(r, REQ_PASS, "Engine port");
		req_setf(it->measured, sizeof it->measured, "TCP %u free",
		    in->engine_port);
	} else if (replacing || !live) {
		it = req_add(r, REQ_WARN, "Engine port");
		req_setf(it->measured, sizeof it->measured, "TCP %u in use",
		    in->engine_port);
		if (replacing)
			req_setf(it->advice, sizeof it->advice, "TCP port %u"
			    " is in use, probably by the installation being"
			    " replaced; if it is still in use after that"
			    " stops, choose another engine_port.",
			    in->engine_port);
		else
			req_setf(it->advice, sizeof it->advice, "TCP port %u"
			    " is in use on this host; make sure it is free"
			    " where the installation in %s will run.",
			    in->engine_port, in->root);
	} else {
		it = req_add(r, REQ_FAIL, "Engine port");
		req_setf(it->measured, sizeof it->measured, "TCP %u in use",
		    in->engine_port);
		req_setf(it->advice, sizeof it->advice, "TCP port %u is in"
		    " use; stop what holds it (see `ss -ltnp`) or choose"
		    " another engine_port.", in->engine_port);
	}
	req_setf(it->threshold, sizeof it->threshold, "free, for the console"
	    " to connect to");
}

void
req_check(const struct manifest *m, const struct req_input *in,
    const struct plat_facts *facts, struct req_report *r)
{
	struct plat_facts measured;
	struct req_input input = *in;
	char *found = NULL;
	bool exists;

	memset(r, 0, sizeof *r);
	if (facts == NULL) {
		plat_facts(&measured);
		facts = &measured;
	}
	if (input.root == NULL)
		input.root = "/";
	if (input.install_dir == NULL)
		input.install_dir = plat_default_install_dir();

	req_memory(m, &input, facts, r);
	req_disk(m, &input, r);
	req_exec(m, &input, r);
	req_cpus(m, &input, facts, r);
	req_one_of(m, r, "Operating system", &m->os, facts->os_family,
	    facts->os_name[0] != '\0' ? facts->os_name : facts->os_family);
	req_one_of(m, r, "Architecture", &m->arch, facts->arch, facts->arch);
	req_vm(facts, r);
	req_selinux(&input, facts, r);
	exists = req_find_install(&input, &found);
	req_existing(&input, exists, found, r);
	req_console(m, &input, r);
	req_service(m, &input, r);
	if (input.console_to_engine)
		req_port(&input, exists && input.overwrite, r);
	free(found);
}

const char *
req_result_label(enum req_result r)
{
	switch (r) {
	case REQ_PASS:
		return "[Pass]";
	case REQ_WARN:
		return "[Warn]";
	case REQ_FAIL:
		return "[Fail]";
	}
	return "[?]";
}
