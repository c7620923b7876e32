/* The system-requirements check. Every measurement comes through
 * platform.h; this file only compares and explains. */
#include "requirements.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "record.h"
#include "rootpath.h"
#include "uninstall.h"
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
	char *p = xstrdup(path), *up = NULL;

	/* Up to a file system's root ("/", "C:/"), which is its own
	 * parent. */
	while (plat_file_type(p) == PLAT_NONE &&
	    strlen(up = rootpath_parent(p)) < strlen(p)) {
		free(p);
		p = up;
		up = NULL;
	}
	free(up);
	return p;
}

/* What a path that is not a folder is, for a message: "a file". */
static const char *
req_type_name(enum plat_ftype t)
{
	switch (t) {
	case PLAT_FILE:
		return "a file";
	case PLAT_LINK:
		return "a symbolic link";
	case PLAT_DIR:
		return "a folder";
	default:
		return "a device, pipe or socket";
	}
}

/* Does a folder (dir) hold nothing but logs an earlier installation left
 * (what uninstall keeps: uninstall_is_log())? */
struct req_empty {
	const char *dir;
	bool empty;
};

static bool
req_empty_cb(const char *rel, enum plat_ftype t, unsigned mode, void *arg)
{
	struct req_empty *a = arg;

	(void)mode;
	if (uninstall_is_log(rel, t) ||
	    (t == PLAT_DIR && uninstall_log_parent(a->dir, rel)))
		return true;
	a->empty = false;
	return false;
}

/* The type of path, a symbolic link taken for what it leads to (a linked
 * /opt is a folder); PLAT_LINK for a link that leads nowhere. */
static enum plat_ftype
req_resolved_type(const char *path)
{
	enum plat_ftype t = plat_file_type(path);
	char *real;

	if (t != PLAT_LINK)
		return t;
	real = plat_real_path(path);
	t = real != NULL ? plat_file_type(real) : PLAT_NONE;
	free(real);
	return t == PLAT_NONE ? PLAT_LINK : t;
}

/* Why the folder target (root + install_dir) cannot take the installation,
 * into it; false when it can. */
static bool
req_folder_taken(const struct req_input *in, const char *target,
    struct req_item *it)
{
	enum plat_ftype t = plat_file_type(target);
	char mnt[4096], *rec;
	bool empty = true, ours;

	if (t == PLAT_NONE)
		return false;
	if (t != PLAT_DIR) {
		req_setf(it->measured, sizeof it->measured, "%s is %s",
		    target, req_type_name(t));
		req_setf(it->advice, sizeof it->advice, "%s exists and is not"
		    " a folder (it is %s). Choose another install folder"
		    " (install_dir), or move it away.", in->install_dir,
		    req_type_name(t));
		return true;
	}
	/* The installation is moved into place with rename(2), which cannot
	 * replace a mount point (EBUSY). */
	if (plat_mount_point(target, mnt, sizeof mnt) &&
	    strcmp(mnt, target) == 0) {
		req_setf(it->measured, sizeof it->measured, "%s is a mount"
		    " point", target);
		req_setf(it->advice, sizeof it->advice, "%s is a mount point,"
		    " which an installation cannot replace: install into a"
		    " folder inside it (e.g. %s/nexpose).", in->install_dir,
		    in->install_dir);
		return true;
	}
	/* A folder that holds something else is never installed over. */
	rec = xasprintf("%s/%s", target, RECORD_REL);
	ours = plat_file_type(rec) != PLAT_NONE;
	free(rec);
	if (!ours) {
		struct req_empty a = { target, true };

		plat_walk(target, req_empty_cb, &a, NULL);
		empty = a.empty;
	}
	if (!empty) {
		req_setf(it->measured, sizeof it->measured, "%s holds other"
		    " files", target);
		req_setf(it->advice, sizeof it->advice, "%s exists and holds"
		    " files that no engine-setup installation put there:"
		    " choose another install folder (install_dir), or move"
		    " those files away.", in->install_dir);
		return true;
	}
	return false;
}

/* install_dir can be made and written: the folders above it are made and
 * a staging folder is written beside it (install.c, "Preparing folders"),
 * so the nearest folder above it that exists decides. Told without making
 * anything. */
static void
req_folder(const struct req_input *in, struct req_report *r)
{
	struct req_item it, *dst;
	char *target, *parent, *at, mnt[4096];
	enum plat_ftype t;
	int err;
	bool fail = true;

	memset(&it, 0, sizeof it);
	target = plat_join_root(in->root, in->install_dir);
	parent = rootpath_parent(target);
	at = req_existing_ancestor(parent);
	if (!plat_mount_point(at, mnt, sizeof mnt))
		req_setf(mnt, sizeof mnt, "%s", at);
	if (req_folder_taken(in, target, &it)) {
		/* it says why */
	} else if ((t = req_resolved_type(at)) != PLAT_DIR) {
		req_setf(it.measured, sizeof it.measured, "%s is %s", at,
		    t == PLAT_NONE ? "missing" : req_type_name(t));
		req_setf(it.advice, sizeof it.advice, "%s cannot be made: %s is"
		    " not a folder (it is %s). Choose another install folder"
		    " (install_dir), or move it away.", in->install_dir, at,
		    t == PLAT_NONE ? "missing" : req_type_name(t));
	} else if ((err = plat_dir_writable(at)) == EROFS) {
		req_setf(it.measured, sizeof it.measured, "the file system"
		    " at %s is mounted read-only", mnt);
		req_setf(it.advice, sizeof it.advice, "%s cannot be made: the"
		    " file system at %s is mounted read-only. Choose an"
		    " install folder (install_dir) on a writable file system,"
		    " or mount %s read-write (mount -o remount,rw %s).",
		    in->install_dir, mnt, mnt, mnt);
	} else if (err != 0) {
		req_setf(it.measured, sizeof it.measured, "%s is not writable"
		    " (%s)", at, strerror(err));
		req_setf(it.advice, sizeof it.advice, "%s cannot be made: this"
		    " user may not write in %s (%s). Choose another install"
		    " folder (install_dir), or run engine-setup as a user who"
		    " may.", in->install_dir, at, strerror(err));
	} else {
		fail = false;
		req_setf(it.measured, sizeof it.measured, "%s in %s",
		    plat_file_type(target) == PLAT_DIR ? "exists, writable" :
		    "can be made", at);
	}
	dst = req_add(r, fail ? REQ_FAIL : REQ_PASS, "Install folder");
	memcpy(dst->measured, it.measured, sizeof dst->measured);
	memcpy(dst->advice, it.advice, sizeof dst->advice);
	req_setf(dst->threshold, sizeof dst->threshold, "a new or empty"
	    " folder that can be written");
	free(at);
	free(parent);
	free(target);
}

uint64_t
req_disk_needed(const struct manifest *m, uint64_t payload_bytes)
{
	return payload_bytes > m->disk_min ? payload_bytes : m->disk_min;
}

/* Free space where install_dir goes: below the minimum (or the payload's
 * unpacked size, when more) fails, below the recommendation warns. */
static void
req_disk(const struct manifest *m, const struct req_input *in,
    struct req_report *r)
{
	struct req_item *it;
	enum req_result res = REQ_PASS;
	char *target, *at, have[32], min[32], rec[32];
	uint64_t avail = 0, need = req_disk_needed(m, in->payload_bytes);
	uint64_t want = m->disk_rec > need ? m->disk_rec : need;

	target = plat_join_root(in->root, in->install_dir);
	at = req_existing_ancestor(target);
	if (!plat_disk_free(at, &avail)) {
		it = req_add(r, REQ_FAIL, "Free disk");
		req_setf(it->measured, sizeof it->measured, "unknown at %s",
		    at);
		req_bytes_threshold(it->threshold, sizeof it->threshold,
		    need, want);
		req_setf(it->advice, sizeof it->advice, "Cannot measure the"
		    " free space for %s; check that --root and install_dir"
		    " name a usable folder.", target);
		goto out;
	}
	if (avail < need)
		res = REQ_FAIL;
	else if (avail < want)
		res = REQ_WARN;
	human_bytes(avail, have, sizeof have);
	human_bytes(need, min, sizeof min);
	human_bytes(want, rec, sizeof rec);
	it = req_add(r, res, "Free disk");
	req_setf(it->measured, sizeof it->measured, "%s at %s", have, at);
	req_bytes_threshold(it->threshold, sizeof it->threshold, need, want);
	if (res == REQ_FAIL)
		req_setf(it->advice, sizeof it->advice, "Only %s is free on the"
		    " file system of %s, and at least %s is needed: free space"
		    " there, or choose another install folder (install_dir).",
		    have, at, min);
	else if (res == REQ_WARN)
		req_setf(it->advice, sizeof it->advice, "%s free at %s; %s is"
		    " recommended for scan data and updates. Free space or"
		    " choose another install folder (install_dir).", have, at,
		    rec);
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
		if (in->upgrade)
			req_setf(it->advice, sizeof it->advice, "The "
			    "installation %s will be upgraded in place.", where);
		else if (in->overwrite)
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

/* The command on PATH (command.h): something that is not engine-setup's
 * link in its place is never replaced, and the install goes on without
 * it: a warning that says where the kept program is instead. */
static void
req_command(const struct req_input *in, struct req_report *r)
{
	const char *cmd = plat_command_path();
	char *what = NULL, *target;
	struct req_item *it;

	if (cmd == NULL)
		return;
	target = command_target(in->install_dir);
	switch (command_state(in->root, in->install_dir, &what)) {
	case COMMAND_OTHER:
		it = req_add(r, REQ_WARN, "Command on PATH");
		req_setf(it->measured, sizeof it->measured, "%s is %s", cmd,
		    what);
		req_setf(it->advice, sizeof it->advice, "It is left as it is."
		    " Run this installation's engine-setup as %s, or move %s"
		    " away before installing to have the command.", target,
		    cmd);
		break;
	case COMMAND_OURS:
		it = req_add(r, REQ_PASS, "Command on PATH");
		req_setf(it->measured, sizeof it->measured, "%s: engine-setup's"
		    " own link", cmd);
		break;
	default:
		it = req_add(r, REQ_PASS, "Command on PATH");
		req_setf(it->measured, sizeof it->measured, "%s free", cmd);
		break;
	}
	req_setf(it->threshold, sizeof it->threshold, "free, or engine-setup's"
	    " link to %s", target);
	free(what);
	free(target);
}

/* A TCP port the installation will listen on (name: the row; why: what
 * listens on it, a clause; key: the answer that changes it, or NULL;
 * threshold: for the row). Something else
 * holding it fails on the host; a --root install runs elsewhere later, and
 * an installation being replaced may hold it itself: there it warns. */
static void
req_port(const struct req_input *in, bool replacing, const char *name,
    unsigned port, const char *why, const char *key, const char *threshold,
    struct req_report *r)
{
	struct req_item *it;
	bool live = in->root == NULL ||
	    strspn(in->root, "/") == strlen(in->root);
	char other[96] = "";

	if (key != NULL)
		req_setf(other, sizeof other, " or choose another %s", key);
	if (!plat_port_in_use(port)) {
		it = req_add(r, REQ_PASS, name);
		req_setf(it->measured, sizeof it->measured, "TCP %u free",
		    port);
	} else if (replacing || !live) {
		it = req_add(r, REQ_WARN, name);
		req_setf(it->measured, sizeof it->measured, "TCP %u in use",
		    port);
		if (replacing)
			req_setf(it->advice, sizeof it->advice, "TCP port %u"
			    " is in use, probably by the installation being"
			    " replaced; if it is still in use after that"
			    " stops, stop what holds it (see `ss -ltnp`)%s.",
			    port, other);
		else
			req_setf(it->advice, sizeof it->advice, "TCP port %u"
			    " is in use on this host; make sure it is free"
			    " where the installation in %s will run.", port,
			    in->root);
	} else {
		it = req_add(r, REQ_FAIL, name);
		req_setf(it->measured, sizeof it->measured, "TCP %u in use",
		    port);
		req_setf(it->advice, sizeof it->advice, "TCP port %u is in"
		    " use by another program; %s. Stop what holds it (see"
		    " `ss -ltnp`)%s.", port, why, other);
	}
	req_setf(it->threshold, sizeof it->threshold, "%s", threshold);
}

/* The ports the plan listens on: the engine's for Console-to-Engine, the
 * web interface's for a Security Console. */
static void
req_ports(const struct req_input *in, bool exists, struct req_report *r)
{
	bool replacing = exists && in->overwrite;

	if (in->console_to_engine)
		req_port(in, replacing, "Engine port", in->engine_port,
		    "the Scan Engine listens on it for the console to"
		    " connect", "engine_port", "free, for the console to"
		    " connect to", r);
	if (in->component != NULL && strcmp(in->component, "console") == 0)
		req_port(in, replacing, "Console web port",
		    REQ_CONSOLE_WEB_PORT, "the Security Console's web"
		    " interface listens on it", NULL, "free, for the"
		    " console's web interface", r);
}

/* in with its defaults filled: root "/", the platform's install_dir. */
static void
req_defaults(const struct req_input *in, struct req_input *out)
{
	*out = *in;
	if (out->root == NULL)
		out->root = "/";
	if (out->install_dir == NULL)
		out->install_dir = plat_default_install_dir();
}

void
req_check_location(const struct manifest *m, const struct req_input *in,
    struct req_report *r)
{
	struct req_input input;

	memset(r, 0, sizeof *r);
	req_defaults(in, &input);
	req_folder(&input, r);
	req_disk(m, &input, r);
}

void
req_check_ports(const struct manifest *m, const struct req_input *in,
    struct req_report *r)
{
	struct req_input input;
	char *found = NULL;
	bool exists;

	(void)m;
	memset(r, 0, sizeof *r);
	req_defaults(in, &input);
	exists = req_find_install(&input, &found);
	req_ports(&input, exists, r);
	free(found);
}

const struct req_item *
req_first_fail(const struct req_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->item[i].result == REQ_FAIL)
			return &r->item[i];
	return NULL;
}

void
req_check(const struct manifest *m, const struct req_input *in,
    const struct plat_facts *facts, struct req_report *r)
{
	struct plat_facts measured;
	struct req_input input;
	char *found = NULL;
	bool exists;

	memset(r, 0, sizeof *r);
	if (facts == NULL) {
		plat_facts(&measured);
		facts = &measured;
	}
	req_defaults(in, &input);

	req_memory(m, &input, facts, r);
	req_folder(&input, r);
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
	req_command(&input, r);
	req_ports(&input, exists, r);
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
