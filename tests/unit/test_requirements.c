/* Tests of installer/requirements.c with hand-made facts and a manifest
 * holding the sample payload's thresholds (payload/manifest). */
#define _GNU_SOURCE		/* unshare(2) */
#include "fixture.h"

#include <sys/mount.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "requirements.h"
#include "util.h"

#define MIB (1024ULL * 1024)
#define GIB (1024ULL * MIB)

/* The sample manifest's requirement lines and components. */
static void
sample_manifest(struct manifest *m)
{
	memset(m, 0, sizeof *m);
	m->product = (char *)"Nexpose";
	m->version = (char *)"7.3.1";
	m->mem_min = 2048 * MIB;
	m->mem_rec = 16384 * MIB;
	m->disk_min = 256 * MIB;
	m->disk_rec = 10240 * MIB;
	m->cpu_min = 1;
	m->cpu_rec = 4;
	strlist_init(&m->os);
	strlist_add(&m->os, "linux");
	strlist_add(&m->os, "windows");
	strlist_init(&m->arch);
	strlist_add(&m->arch, "x86_64");
	strlist_add(&m->arch, "amd64");
	strlist_add(&m->arch, "aarch64");
	strlist_add(&m->arch, "arm64");
	strlist_init(&m->config);
	m->comp[0].name = (char *)"engine";
	m->comp[0].title = (char *)"Scan Engine";
	m->comp[0].dir = (char *)"engine";
	m->comp[0].service = (char *)"nexposeengine";
	m->comp[0].exec = (char *)"nse/nseserv";
	m->comp[0].workdir = (char *)"nse";
	m->comp[1].name = (char *)"console";
	m->comp[1].title = (char *)"Security Console with local Scan Engine";
	m->comp[1].dir = (char *)"console";
	m->comp[1].includes = (char *)"engine";
	m->comp[1].service = (char *)"nexposeconsole";
	m->comp[1].exec = (char *)"nsc/nscsvc";
	m->comp[1].workdir = (char *)"nsc";
	m->ncomp = 2;
}

static void
free_manifest(struct manifest *m)
{
	strlist_free(&m->os);
	strlist_free(&m->arch);
	strlist_free(&m->config);
}

/* A 2-core, 4 GiB Debian host on bare metal. */
static void
small_host(struct plat_facts *pf)
{
	memset(pf, 0, sizeof *pf);
	pf->mem_total = 4 * GIB;
	pf->cpu_count = 2;
	strcpy(pf->os_id, "debian");
	strcpy(pf->os_name, "Debian GNU/Linux 12 (bookworm)");
	strcpy(pf->os_family, "linux");
	strcpy(pf->arch, "x86_64");
	strcpy(pf->hostname, "scanner1");
}

static void
engine_input(const struct fixture *f, struct req_input *in)
{
	memset(in, 0, sizeof *in);
	in->root = f->dir;
	in->install_dir = "/opt/rapid7/nexpose";
	in->component = "engine";
	in->engine_port = 40814;
}

static const struct req_item *
item(const struct req_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->item[i].name, name) == 0)
			return &r->item[i];
	}
	return NULL;
}

static void
test_small_host_warns_only(void **state)
{
	struct fixture *f = *state;
	static const char *const order[] = { "Memory", "Install folder",
	    "Free disk",
	    "Programs may run", "CPUs",
	    "Operating system", "Architecture", "Virtual machine", "SELinux",
	    "Existing installation", "Security Console on this host",
	    "Service definition", "Command on PATH" };
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;
	size_t i, warns = 0;

	sample_manifest(&m);
	small_host(&pf);
	engine_input(f, &in);
	req_check(&m, &in, &pf, &r);

	assert_int_equal(r.fails, 0);
	assert_int_equal(r.n, sizeof order / sizeof order[0]);
	for (i = 0; i < r.n; i++) {
		assert_string_equal(r.item[i].name, order[i]);
		assert_int_not_equal(r.item[i].result, REQ_FAIL);
		if (r.item[i].result == REQ_WARN) {
			warns++;
			assert_true(r.item[i].advice[0] != '\0');
		}
	}
	assert_int_equal(r.warns, warns);

	it = item(&r, "Memory");
	assert_int_equal(it->result, REQ_WARN);
	assert_string_equal(it->measured, "4.0 GiB");
	assert_string_equal(it->threshold,
	    "at least 2.0 GiB, 16.0 GiB recommended");
	assert_non_null(strstr(it->advice, "16.0 GiB"));
	it = item(&r, "CPUs");
	assert_int_equal(it->result, REQ_WARN);
	assert_string_equal(it->measured, "2");
	assert_string_equal(it->threshold, "at least 1, 4 recommended");
	it = item(&r, "Operating system");
	assert_int_equal(it->result, REQ_PASS);
	assert_string_equal(it->measured, "Debian GNU/Linux 12 (bookworm)");
	it = item(&r, "Virtual machine");
	assert_int_equal(it->result, REQ_PASS);
	assert_string_equal(it->measured, "no hypervisor detected");
	/* Free space is measured at the nearest folder that exists. */
	it = item(&r, "Free disk");
	assert_non_null(strstr(it->measured, f->dir));
	/* The folder is to be made in the nearest one that exists. */
	it = item(&r, "Install folder");
	assert_int_equal(it->result, REQ_PASS);
	assert_non_null(strstr(it->measured, "can be made in"));
	assert_non_null(strstr(it->measured, f->dir));
	assert_null(item(&r, "Engine port"));
	assert_null(item(&r, "Console web port"));
	free_manifest(&m);
}

static void
test_memory_below_minimum_fails(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;

	sample_manifest(&m);
	small_host(&pf);
	pf.mem_total = 1536 * MIB;
	engine_input(f, &in);
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Memory");
	assert_int_equal(it->result, REQ_FAIL);
	assert_string_equal(it->measured, "1.5 GiB");
	assert_non_null(strstr(it->advice, "at least 2.0 GiB"));
	assert_non_null(strstr(it->advice, "Scan Engine"));
	assert_int_equal(r.fails, 1);
	free_manifest(&m);
}

static void
test_virtual_machine_warns(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;

	sample_manifest(&m);
	small_host(&pf);
	strcpy(pf.hypervisor, "kvm");
	engine_input(f, &in);
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Virtual machine");
	assert_int_equal(it->result, REQ_WARN);
	assert_string_equal(it->measured, "kvm");
	assert_non_null(strstr(it->advice, "Reserve, do not share, memory for"
	    " this virtual machine: a Scan Engine with shared memory may run"
	    " out of memory during a scan"));
	assert_int_equal(r.fails, 0);
	free_manifest(&m);
}

static void
test_existing_installation(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;

	sample_manifest(&m);
	small_host(&pf);
	engine_input(f, &in);

	fixture_write(f, "var/lib/engine-setup/installation", "x\n");
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Existing installation");
	assert_int_equal(it->result, REQ_FAIL);
	assert_non_null(strstr(it->advice, "--overwrite"));
	assert_non_null(strstr(it->advice, "engine-setup uninstall"));
	assert_int_equal(r.fails, 1);

	in.overwrite = true;
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Existing installation");
	assert_int_equal(it->result, REQ_WARN);
	assert_non_null(strstr(it->advice, "replaced"));
	assert_int_equal(r.fails, 0);

	/* The record inside install_dir counts too, and names the place. */
	in.overwrite = false;
	fixture_rm_rf(f->dir);
	fixture_write(f, "opt/rapid7/nexpose/.install/record", "x\n");
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Existing installation");
	assert_int_equal(it->result, REQ_FAIL);
	assert_non_null(strstr(it->advice,
	    "Already installed at /opt/rapid7/nexpose"));
	free_manifest(&m);
}

static void
check_console_found(struct fixture *f, const char *rel, bool dir)
{
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;
	char *p;

	sample_manifest(&m);
	small_host(&pf);
	engine_input(f, &in);
	if (dir) {
		p = fixture_path(f, rel);
		fixture_mkdirs(p);
		free(p);
	} else
		fixture_write(f, rel, "x\n");

	req_check(&m, &in, &pf, &r);
	it = item(&r, "Security Console on this host");
	assert_int_equal(it->result, REQ_FAIL);
	assert_non_null(strstr(it->advice, "Do not install a distributed Scan"
	    " Engine on a host that already has a Security Console: every"
	    " console already includes a local Scan Engine"));
	/* A console's folder inside install_dir also fills it with files
	 * that no engine-setup installation put there. */
	if (dir)
		assert_int_equal(item(&r, "Install folder")->result, REQ_FAIL);
	assert_int_equal(r.fails, dir ? 2 : 1);

	/* Installing the console itself is not refused for it. */
	in.component = "console";
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Security Console on this host");
	assert_int_equal(it->result, REQ_PASS);
	fixture_rm_rf(f->dir);
	fixture_mkdirs(f->dir);
	free_manifest(&m);
}

static void
test_console_on_host_fails_engine(void **state)
{
	struct fixture *f = *state;

	check_console_found(f, "opt/rapid7/nexpose/nsc", true);
	check_console_found(f, "etc/systemd/system/nexposeconsole.service",
	    false);
	check_console_found(f, "etc/init.d/nexposeconsole", false);
}

/* Issue 9: a unit file or init script of the engine's service name that
 * engine-setup did not install is a [Fail]; with --overwrite a [Warn];
 * one the recorded installation lists is engine-setup's own. */
static void
test_foreign_service_definition(void **state)
{
	struct fixture *f = *state;
	static const char *const defs[] = {
	    "etc/systemd/system/nexposeengine.service",
	    "etc/systemd/system/multi-user.target.wants/nexposeengine.service",
	    "etc/init.d/nexposeengine", "etc/rc2.d/S20nexposeengine" };
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	struct strlist ours;
	const struct req_item *it;
	size_t i;

	sample_manifest(&m);
	small_host(&pf);
	for (i = 0; i < sizeof defs / sizeof defs[0]; i++) {
		engine_input(f, &in);
		/* The init system is told by what root holds: a running
		 * systemd's folder makes the unit paths the ones checked, an
		 * /etc/init.d without it the init scripts and rc links. */
		{
			char *d = fixture_path(f,
			    strncmp(defs[i], "etc/systemd", 11) == 0 ?
			    "run/systemd/system" : "etc/init.d");

			fixture_mkdirs(d);
			free(d);
		}
		req_check(&m, &in, &pf, &r);
		it = item(&r, "Service definition");
		assert_non_null(it);
		assert_int_equal(it->result, REQ_PASS);

		fixture_write(f, defs[i], "[Service]\nExecStart=/bin/mine\n");
		req_check(&m, &in, &pf, &r);
		it = item(&r, "Service definition");
		assert_int_equal(it->result, REQ_FAIL);
		assert_non_null(strstr(it->measured, defs[i]));
		assert_non_null(strstr(it->measured, "engine-setup did not "
		    "install it"));
		assert_non_null(strstr(it->advice, "--overwrite"));
		assert_int_equal(r.fails, 1);

		in.overwrite = true;
		req_check(&m, &in, &pf, &r);
		it = item(&r, "Service definition");
		assert_int_equal(it->result, REQ_WARN);
		assert_non_null(strstr(it->advice, "put back if the install"
		    " fails"));

		/* Listed by the recorded installation: ours. */
		in.overwrite = false;
		strlist_init(&ours);
		strlist_add_owned(&ours, xasprintf("/%s", defs[i]));
		in.ours = &ours;
		req_check(&m, &in, &pf, &r);
		it = item(&r, "Service definition");
		assert_int_equal(it->result, REQ_PASS);
		strlist_free(&ours);
		fixture_rm_rf(f->dir);
		fixture_mkdirs(f->dir);
	}
	free_manifest(&m);
}

/* Hold a TCP listener on the wildcard address; its port in *port. */
static int
listen_any(unsigned *port)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
test_engine_port_in_use(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;
	char *dir = fixture_path(f, "opt/nexpose"), want[64];
	unsigned port;
	int fd;

	sample_manifest(&m);
	small_host(&pf);
	fd = listen_any(&port);

	/* On the running system (root "/"): Fail. */
	engine_input(f, &in);
	in.root = "/";
	in.install_dir = dir;
	in.console_to_engine = true;
	in.engine_port = port;
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Engine port");
	assert_non_null(it);
	assert_int_equal(it->result, REQ_FAIL);
	snprintf(want, sizeof want, "TCP port %u is in use", port);
	assert_non_null(strstr(it->advice, want));
	assert_non_null(strstr(it->advice, "engine_port"));

	/* Into a --root folder the engine runs elsewhere: only a warning. */
	in.root = f->dir;
	in.install_dir = "/opt/rapid7/nexpose";
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Engine port");
	assert_int_equal(it->result, REQ_WARN);

	close(fd);
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Engine port");
	assert_int_equal(it->result, REQ_PASS);
	snprintf(want, sizeof want, "TCP %u free", port);
	assert_string_equal(it->measured, want);
	free(dir);
	free_manifest(&m);
}

static void
test_os_arch_selinux_disk(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;

	sample_manifest(&m);
	small_host(&pf);
	strcpy(pf.os_family, "plan9");
	strcpy(pf.os_name, "Plan 9");
	strcpy(pf.arch, "sparc64");
	strcpy(pf.selinux, "enforcing");
	m.disk_min = UINT64_MAX / 2;
	m.disk_rec = UINT64_MAX / 2;
	engine_input(f, &in);
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Operating system");
	assert_int_equal(it->result, REQ_FAIL);
	assert_string_equal(it->threshold, "Linux or Windows");
	assert_non_null(strstr(it->advice, "runs on Linux or Windows only"));
	it = item(&r, "Architecture");
	assert_int_equal(it->result, REQ_FAIL);
	assert_non_null(strstr(it->advice, "sparc64"));
	assert_string_equal(it->threshold, "64-bit x86 (x86_64) or 64-bit ARM "
	    "(aarch64)");
	it = item(&r, "SELinux");
	assert_int_equal(it->result, REQ_WARN);
	assert_non_null(strstr(it->advice, "restorecon"));
	it = item(&r, "Free disk");
	assert_int_equal(it->result, REQ_FAIL);
	assert_non_null(strstr(it->advice, f->dir));
	assert_int_equal(r.fails, 3);
	assert_int_equal(r.warns, 3);   /* memory, CPUs, SELinux */
	free_manifest(&m);
}

static void
test_real_machine_and_labels(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct req_input in;
	struct req_report r;

	sample_manifest(&m);
	engine_input(f, &in);
	in.install_dir = NULL;
	req_check(&m, &in, NULL, &r);
	assert_int_equal(r.n, 13);
	assert_true(r.item[0].measured[0] != '\0');
	assert_string_equal(req_result_label(REQ_PASS), "[Pass]");
	assert_string_equal(req_result_label(REQ_WARN), "[Warn]");
	assert_string_equal(req_result_label(REQ_FAIL), "[Fail]");
	free_manifest(&m);
}

/* An install folder on a file system mounted noexec installs, and then the
 * engine cannot start: on the host that fails, under --root (the files
 * run elsewhere later) it warns. Needs a tmpfs mount (root). */
static void
test_noexec_file_system(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;
	char *mnt = fixture_path(f, "noexec");
	char *dir;
	bool noexec;

	fixture_mkdirs(mnt);
	if (mount("tmpfs", mnt, "tmpfs", MS_NOEXEC, "size=1g") != 0) {
		free(mnt);
		skip();
	}
	sample_manifest(&m);
	small_host(&pf);
	engine_input(f, &in);

	/* The fixture folder's own file system (TMPDIR may be noexec too):
	 * measured at the nearest folder that exists. */
	assert_true(plat_fs_noexec(f->dir, &noexec));
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Programs may run");
	assert_non_null(it);
	assert_int_equal(it->result, noexec ? REQ_WARN : REQ_PASS);
	assert_non_null(strstr(it->measured, f->dir));

	/* --root on a noexec file system: a warning that says why. */
	in.root = mnt;
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Programs may run");
	assert_int_equal(it->result, REQ_WARN);
	assert_non_null(strstr(it->measured, "mounted noexec"));
	assert_non_null(strstr(it->measured, mnt));
	assert_non_null(strstr(it->advice, "noexec"));
	assert_int_equal(r.fails, 0);

	/* The host, with install_dir below the noexec mount (not yet made):
	 * the nearest existing folder decides, and it fails. */
	in.root = "/";
	dir = xasprintf("%s/opt/rapid7/nexpose", mnt);
	in.install_dir = dir;
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Programs may run");
	assert_int_equal(it->result, REQ_FAIL);
	assert_non_null(strstr(it->advice, "could not start"));
	assert_non_null(strstr(it->advice, "mount -o remount,exec"));
	assert_non_null(strstr(it->advice, mnt));
	assert_int_equal(umount(mnt), 0);

	/* Unmounted, the same folder is what its file system is. */
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Programs may run");
	assert_int_equal(it->result, noexec ? REQ_FAIL : REQ_PASS);
	free(dir);
	free(mnt);
	free_manifest(&m);
}


/* The entries of a folder, one line each, sorted: to show that a check
 * made nothing. */
static char *
listing(const char *dir)
{
	char *cmd = xasprintf("cd '%s' && find . | LC_ALL=C sort", dir);
	FILE *p = popen(cmd, "r");
	struct sbuf b;
	char line[1024];

	assert_non_null(p);
	sbuf_init(&b);
	while (fgets(line, sizeof line, p) != NULL)
		sbuf_add(&b, line);
	pclose(p);
	free(cmd);
	return b.s != NULL ? sbuf_detach(&b) : xstrdup("");
}

/* Issue 10: an install folder that cannot be made or written is caught
 * by the requirements (and, through req_check_location, where it is
 * typed), not at Install; the check names what is in the way and makes
 * nothing. */
static void
test_install_folder(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;
	char *before, *after, *opt = fixture_path(f, "opt");

	sample_manifest(&m);
	engine_input(f, &in);

	/* A file where a folder above install_dir must be made. */
	fixture_write(f, "opt/rapid7", "a file\n");
	before = listing(f->dir);
	req_check_location(&m, &in, &r);
	after = listing(f->dir);
	assert_string_equal(before, after);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.item[0].name, "Install folder");
	assert_string_equal(r.item[1].name, "Free disk");
	it = req_first_fail(&r);
	assert_non_null(it);
	assert_string_equal(it->name, "Install folder");
	assert_non_null(strstr(it->advice, "/opt/rapid7/nexpose cannot be"
	    " made:"));
	assert_non_null(strstr(it->advice, "/opt/rapid7 is not a folder (it is"
	    " a file)"));
	assert_non_null(strstr(it->advice, f->dir));
	free(before);
	free(after);

	/* install_dir itself a file. */
	fixture_rm_rf(opt);
	fixture_write(f, "opt/rapid7/nexpose", "a file\n");
	req_check_location(&m, &in, &r);
	it = req_first_fail(&r);
	assert_non_null(it);
	assert_non_null(strstr(it->advice, "/opt/rapid7/nexpose exists and is"
	    " not a folder (it is a file)"));

	/* A folder holding another program's files; then engine-setup's
	 * own installation, and an empty folder. */
	fixture_rm_rf(opt);
	fixture_write(f, "opt/rapid7/nexpose/data.txt", "precious\n");
	req_check_location(&m, &in, &r);
	it = req_first_fail(&r);
	assert_non_null(it);
	assert_non_null(strstr(it->advice, "holds files that no engine-setup"
	    " installation put there"));
	fixture_write(f, "opt/rapid7/nexpose/.install/record", "x\n");
	req_check_location(&m, &in, &r);
	assert_null(req_first_fail(&r));
	fixture_rm_rf(opt);
	fixture_mkdirs(opt);
	req_check_location(&m, &in, &r);
	assert_null(req_first_fail(&r));
	it = item(&r, "Install folder");
	assert_int_equal(it->result, REQ_PASS);
	assert_non_null(strstr(it->measured, opt));

	/* The same rows in the whole check. */
	fixture_rm_rf(opt);
	fixture_write(f, "opt", "a file\n");
	{
		struct plat_facts pf;

		small_host(&pf);
		req_check(&m, &in, &pf, &r);
		it = item(&r, "Install folder");
		assert_int_equal(it->result, REQ_FAIL);
		assert_non_null(strstr(it->advice, "/opt is not a folder"));
	}
	free(opt);
	free_manifest(&m);
}

/* A read-only file system (a tmpfs mounted ro, in a mount namespace of
 * the test's own, so that nothing is left mounted whatever happens; needs
 * root): caught, the mount named, nothing made. */
static void
test_install_folder_read_only(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;
	char *mnt = fixture_path(f, "ro"), *dir;

	fixture_mkdirs(mnt);
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", mnt, "tmpfs", MS_RDONLY, "size=1m") != 0) {
		free(mnt);
		skip();
	}
	assert_int_equal(plat_dir_writable(mnt), EROFS);
	sample_manifest(&m);
	engine_input(f, &in);
	in.root = "/";
	dir = xasprintf("%s/opt/nexpose", mnt);
	in.install_dir = dir;
	req_check_location(&m, &in, &r);
	it = item(&r, "Install folder");
	assert_int_equal(it->result, REQ_FAIL);
	assert_non_null(strstr(it->measured, "mounted read-only"));
	assert_non_null(strstr(it->advice, mnt));
	assert_non_null(strstr(it->advice, "read-only"));
	assert_int_equal(plat_file_type(dir), PLAT_NONE);
	assert_int_equal(umount(mnt), 0);
	assert_int_equal(plat_dir_writable(mnt), 0);
	req_check_location(&m, &in, &r);
	assert_int_equal(item(&r, "Install folder")->result, REQ_PASS);
	free(dir);
	free(mnt);
	free_manifest(&m);
}

/* The free space needed is the payload's unpacked size when that is more
 * than the manifest's minimum. */
static void
test_free_disk_for_payload(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;

	sample_manifest(&m);
	engine_input(f, &in);
	assert_int_equal(req_disk_needed(&m, 0), 256 * MIB);
	assert_int_equal(req_disk_needed(&m, 300 * MIB), 300 * MIB);
	in.payload_bytes = UINT64_MAX / 4;
	req_check_location(&m, &in, &r);
	it = item(&r, "Free disk");
	assert_int_equal(it->result, REQ_FAIL);
	assert_non_null(strstr(it->advice, "needed"));
	assert_true(strstr(it->threshold, "256.0 MiB") == NULL);
	in.payload_bytes = 1024;
	req_check_location(&m, &in, &r);
	assert_string_equal(item(&r, "Free disk")->threshold,
	    "at least 256.0 MiB, 10.0 GiB recommended");
	free_manifest(&m);
}

/* The Security Console's web port (3780, not an answer): checked for the
 * console only, Fail on the host, Warn under --root. In a network
 * namespace of its own when the test may make one (root), so that no
 * other program's 3780 gets in the way; else skipped when 3780 is busy. */
static void
test_console_web_port(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in sin;
	struct manifest m;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;
	int fd, one = 1;

	if (unshare(CLONE_NEWNET) != 0 &&
	    plat_port_in_use(REQ_CONSOLE_WEB_PORT))
		skip();
	sample_manifest(&m);
	engine_input(f, &in);
	in.component = "console";
	req_check_ports(&m, &in, &r);
	assert_int_equal(r.n, 1);
	it = item(&r, "Console web port");
	assert_int_equal(it->result, REQ_PASS);
	assert_string_equal(it->measured, "TCP 3780 free");

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(REQ_CONSOLE_WEB_PORT);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 1), 0);

	/* Under --root: a warning. */
	req_check_ports(&m, &in, &r);
	it = item(&r, "Console web port");
	assert_int_equal(it->result, REQ_WARN);
	assert_non_null(strstr(it->advice, "TCP port 3780 is in use on this"
	    " host"));
	/* On the host: it fails, and the whole check says so too. */
	in.root = "/";
	in.install_dir = "/nonexistent-es-test/nexpose";
	req_check_ports(&m, &in, &r);
	it = req_first_fail(&r);
	assert_non_null(it);
	assert_string_equal(it->name, "Console web port");
	assert_non_null(strstr(it->advice, "web interface listens on it"));
	/* An engine does not listen there: not checked. */
	in.component = "engine";
	req_check_ports(&m, &in, &r);
	assert_int_equal(r.n, 0);
	close(fd);
	free_manifest(&m);
}

/* The command on PATH: free or engine-setup's own link passes; another
 * file, or a link elsewhere, warns (it is left, never replaced) and says
 * where the installation's own engine-setup is. */
static void
test_command_on_path(void **state)
{
	struct fixture *f = *state;
	struct manifest m;
	struct plat_facts pf;
	struct req_input in;
	struct req_report r;
	const struct req_item *it;
	char *cmd = fixture_path(f, "usr/local/sbin/engine-setup");
	char *dir = fixture_path(f, "usr/local/sbin");

	sample_manifest(&m);
	small_host(&pf);
	engine_input(f, &in);
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Command on PATH");
	assert_non_null(it);
	assert_int_equal(it->result, REQ_PASS);
	assert_string_equal(it->measured, "/usr/local/sbin/engine-setup free");

	fixture_mkdirs(dir);
	assert_int_equal(symlink("/opt/rapid7/nexpose/engine-setup", cmd), 0);
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Command on PATH");
	assert_int_equal(it->result, REQ_PASS);
	assert_non_null(strstr(it->measured, "engine-setup's own link"));

	unlink(cmd);
	assert_int_equal(symlink("/usr/bin/true", cmd), 0);
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Command on PATH");
	assert_int_equal(it->result, REQ_WARN);
	assert_string_equal(it->measured, "/usr/local/sbin/engine-setup is a "
	    "symbolic link to /usr/bin/true");
	assert_non_null(strstr(it->advice, "It is left as it is. Run this "
	    "installation's engine-setup as /opt/rapid7/nexpose/"
	    "engine-setup"));

	unlink(cmd);
	fixture_write(f, "usr/local/sbin/engine-setup", "#!/bin/sh\n");
	req_check(&m, &in, &pf, &r);
	it = item(&r, "Command on PATH");
	assert_int_equal(it->result, REQ_WARN);
	assert_string_equal(it->measured, "/usr/local/sbin/engine-setup is a "
	    "file");
	assert_int_equal(r.fails, 0);
	free(cmd);
	free(dir);
	free_manifest(&m);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, \
	fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_small_host_warns_only),
		T(test_memory_below_minimum_fails),
		T(test_virtual_machine_warns),
		T(test_existing_installation),
		T(test_console_on_host_fails_engine),
		T(test_foreign_service_definition),
		T(test_engine_port_in_use),
		T(test_os_arch_selinux_disk),
		T(test_real_machine_and_labels),
		T(test_noexec_file_system),
		T(test_install_folder),
		T(test_install_folder_read_only),
		T(test_free_disk_for_payload),
		T(test_command_on_path),
		/* Last: it may move the process into a network namespace. */
		T(test_console_web_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
