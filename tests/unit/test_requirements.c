/* Tests of installer/requirements.c with hand-made facts and a manifest
 * holding the sample payload's thresholds (payload/manifest). */
#include "fixture.h"

#include <sys/mount.h>
#include <sys/socket.h>

#include <netinet/in.h>

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
	static const char *const order[] = { "Memory", "Free disk",
	    "Programs may run", "CPUs",
	    "Operating system", "Architecture", "Virtual machine", "SELinux",
	    "Existing installation", "Security Console on this host",
	    "Service definition" };
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
	assert_null(item(&r, "Engine port"));
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
	assert_int_equal(r.fails, 1);

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
	assert_int_equal(r.n, 11);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
