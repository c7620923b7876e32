/* platform.h for Linux with glibc (tested on Debian 12). Everything the core
 * asks of the operating system happens here. */
#define _GNU_SOURCE	/* syncfs(2), pipe2(2), environ */

#include <sys/types.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "hypervisor.h"
#include "platform.h"
#include "platform_linux.h"
#include "util.h"

/* Longest output of a helper program kept for an error message. */
#define PLAT_OUTPUT_MAX 4096

static volatile sig_atomic_t plat_signal_count;

/* State of one plat_remove_tree(); nftw(3) passes no argument through. */
static int plat_rm_errno;
static char plat_rm_path[PATH_MAX];

/* Copy src into dst of size sz, always terminated, cut if too long. */
static void
plat_copy(char *dst, size_t sz, const char *src)
{
	size_t n = strlen(src);

	if (sz == 0)
		return;
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* What a user can do about errnum, as a sentence after the error; "" when
 * there is nothing useful to say. */
static const char *
plat_advice(int errnum)
{
	switch (errnum) {
	case EACCES:
	case EPERM:
		if (geteuid() != 0)
			return " Run engine-setup as root (sudo), or choose a"
			    " folder you may write with --root.";
		return " Check the permissions of the folders on the way,"
		    " and whether SELinux, AppArmor or a read-only or"
		    " root-squashed mount refuses the change.";
	case EROFS:
		return " That file system is mounted read-only; remount it"
		    " read-write or choose another folder.";
	case ENOSPC:
	case EDQUOT:
		return " Free space on that file system, or choose another"
		    " install_dir.";
	case ENOTDIR:
		return " A part of that path is a file, not a folder; move it"
		    " away or choose another path.";
	case ENAMETOOLONG:
		return " Choose a shorter path.";
	case ELOOP:
		return " A symbolic link on the way points in a circle; fix or"
		    " remove it.";
	default:
		return "";
	}
}

/* Record "what: strerror. advice" as an installation error. */
static void __attribute__((format(printf, 3, 4)))
plat_err(struct es_err *e, int errnum, const char *fmt, ...)
{
	char what[ES_ERR_MSG_MAX];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err_set(e, ES_EINSTALL, "%s: %s.%s", what, strerror(errnum),
	    plat_advice(errnum));
}

/* True when root means the running system rather than a --root folder. */
static bool
plat_is_live_root(const char *root)
{
	if (root == NULL)
		return true;
	while (*root == '/')
		root++;
	return *root == '\0';
}

/* True when path exists (following links) and is a folder. */
static bool
plat_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* True when root-joined rel exists, following links. */
static bool
plat_exists_in(const char *root, const char *rel)
{
	char *path = plat_join_root(root, rel);
	struct stat st;
	bool ok;

	ok = stat(path, &st) == 0;
	free(path);
	return ok;
}

/* Read the first line of a small file into out without the line end.
 * Returns false when the file cannot be read. */
static bool
plat_read_line(const char *path, char *out, size_t outsz)
{
	FILE *fp;
	char buf[512];
	size_t n;

	out[0] = '\0';
	fp = fopen(path, "re");
	if (fp == NULL)
		return false;
	if (fgets(buf, sizeof buf, fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
	    buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	plat_copy(out, outsz, buf);
	return true;
}

/* Total memory from MemTotal in /proc/meminfo (proc(5)). */
static uint64_t
plat_mem_total(void)
{
	FILE *fp = fopen("/proc/meminfo", "re");
	char line[256];
	unsigned long long kib;
	uint64_t total = 0;

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof line, fp) != NULL) {
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1) {
			total = (uint64_t)kib * 1024;
			break;
		}
	}
	fclose(fp);
	return total;
}

/* Value of KEY= on an os-release(5) line, unquoted, or false when line is
 * about another key. */
static bool
plat_osrel_value(const char *line, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key), o = 0;
	const char *v;
	char quote = '\0';

	if (strncmp(line, key, klen) != 0 || line[klen] != '=')
		return false;
	v = line + klen + 1;
	if (*v == '"' || *v == '\'')
		quote = *v++;
	for (; *v != '\0' && *v != '\n' && o + 1 < outsz; v++) {
		if (quote != '\0' && *v == quote)
			break;
		if (quote == '"' && *v == '\\' && v[1] != '\0')
			v++;
		out[o++] = *v;
	}
	out[o] = '\0';
	return true;
}

/* ID and PRETTY_NAME from /etc/os-release, else /usr/lib/os-release. */
static void
plat_os_release(struct plat_facts *f)
{
	FILE *fp;
	char line[512], name[128] = "", version[64] = "";
	struct utsname u;

	fp = fopen("/etc/os-release", "re");
	if (fp == NULL)
		fp = fopen("/usr/lib/os-release", "re");
	if (fp != NULL) {
		while (fgets(line, sizeof line, fp) != NULL) {
			plat_osrel_value(line, "ID", f->os_id,
			    sizeof f->os_id);
			plat_osrel_value(line, "PRETTY_NAME", f->os_name,
			    sizeof f->os_name);
			plat_osrel_value(line, "NAME", name, sizeof name);
			plat_osrel_value(line, "VERSION_ID", version,
			    sizeof version);
		}
		fclose(fp);
	}
	if (f->os_name[0] == '\0' && name[0] != '\0')
		snprintf(f->os_name, sizeof f->os_name, "%.60s%s%.60s", name,
		    version[0] != '\0' ? " " : "", version);
	if (f->os_name[0] == '\0' && uname(&u) == 0)
		snprintf(f->os_name, sizeof f->os_name, "%.60s %.60s",
		    u.sysname, u.release);
	if (f->os_id[0] == '\0')
		plat_copy(f->os_id, sizeof f->os_id, "linux");
}

/* True when the first "flags" line of /proc/cpuinfo has "hypervisor": the
 * CPUID bit that every x86 hypervisor sets for its guests. */
static bool
plat_cpuinfo_hypervisor(void)
{
	FILE *fp = fopen("/proc/cpuinfo", "re");
	char *line = NULL, *tok, *save;
	size_t cap = 0;
	bool found = false;

	if (fp == NULL)
		return false;
	while (getline(&line, &cap, fp) != -1) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		for (tok = strtok_r(line, " \t\n", &save); tok != NULL;
		    tok = strtok_r(NULL, " \t\n", &save)) {
			if (strcmp(tok, "hypervisor") == 0)
				found = true;
		}
		break;
	}
	free(line);
	fclose(fp);
	return found;
}

/* Name of the hypervisor from its CPUID signature (leaf 0x40000000), or
 * "unknown". */
static const char *
plat_cpuid_hypervisor(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	char sig[13];

	__cpuid(0x40000000, a, b, c, d);
	(void)a;
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return plat_hypervisor_by_signature(sig);
#else
	return "unknown";
#endif
}

/* Detect a hypervisor as systemd-detect-virt(1) does for VMs: the DMI
 * vendor and product, /sys/hypervisor/type, then the CPU flag. */
static void
plat_hypervisor(char *out, size_t outsz)
{
	static const struct {
		const char *needle;
		const char *name;
	} dmi[] = {
		{ "KVM", "kvm" },
		{ "QEMU", "qemu" },
		{ "VMware", "vmware" },
		{ "VirtualBox", "virtualbox" },
		{ "innotek", "virtualbox" },
		{ "Xen", "xen" },
		{ "Parallels", "parallels" },
		{ "Bochs", "bochs" },
		{ "BHYVE", "bhyve" },
	};
	const char *env = getenv("ES_FAKE_HYPERVISOR");
	char vendor[128], product[128], type[64];
	size_t i;

	out[0] = '\0';
	if (env != NULL) {
		plat_copy(out, outsz, env);
		return;
	}
	plat_read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof vendor);
	plat_read_line("/sys/class/dmi/id/product_name", product,
	    sizeof product);
	for (i = 0; i < sizeof dmi / sizeof dmi[0]; i++) {
		if (strstr(product, dmi[i].needle) != NULL ||
		    strstr(vendor, dmi[i].needle) != NULL) {
			plat_copy(out, outsz, dmi[i].name);
			return;
		}
	}
	if (strstr(vendor, "Microsoft") != NULL &&
	    strstr(product, "Virtual Machine") != NULL) {
		plat_copy(out, outsz, "hyperv");
		return;
	}
	if (plat_read_line("/sys/hypervisor/type", type, sizeof type) &&
	    type[0] != '\0') {
		plat_copy(out, outsz, type);
		return;
	}
	if (plat_cpuinfo_hypervisor())
		plat_copy(out, outsz, plat_cpuid_hypervisor());
}

void
plat_facts(struct plat_facts *f)
{
	struct utsname u;
	char enforce[16];
	long n;

	memset(f, 0, sizeof *f);
	f->mem_total = plat_mem_total();
	n = sysconf(_SC_NPROCESSORS_ONLN);
	f->cpu_count = n > 0 ? (unsigned)n : 1;
	plat_os_release(f);
	plat_copy(f->os_family, sizeof f->os_family, "linux");
	if (uname(&u) == 0)
		plat_copy(f->arch, sizeof f->arch, u.machine);
	plat_hypervisor(f->hypervisor, sizeof f->hypervisor);
	/* selinuxfs: enforce holds 1 when enforcing, 0 when permissive. */
	if (plat_read_line("/sys/fs/selinux/enforce", enforce,
	    sizeof enforce))
		plat_copy(f->selinux, sizeof f->selinux,
		    strcmp(enforce, "1") == 0 ? "enforcing" : "permissive");
	if (gethostname(f->hostname, sizeof f->hostname) != 0)
		f->hostname[0] = '\0';
	f->hostname[sizeof f->hostname - 1] = '\0';
}

bool
plat_fs_noexec(const char *path, bool *noexec)
{
	struct statvfs sv;

	if (statvfs(path, &sv) != 0)
		return false;
	*noexec = (sv.f_flag & ST_NOEXEC) != 0;
	return true;
}

int
plat_dir_writable(const char *path)
{
	struct statvfs sv;
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	/* access(2) says EROFS too, but only for a caller that could
	 * otherwise write; the mount flag holds for everyone. */
	if (statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0)
		return EROFS;
	if (access(path, W_OK | X_OK) != 0)
		return errno;
	return 0;
}

bool
plat_disk_free(const char *path, uint64_t *free_bytes)
{
	struct statvfs sv;
	char *p = xstrdup(path), *slash;
	bool ok = false;

	for (;;) {
		if (statvfs(p, &sv) == 0) {
			*free_bytes = (uint64_t)sv.f_bavail *
			    (uint64_t)sv.f_frsize;
			ok = true;
			break;
		}
		if (errno != ENOENT && errno != ENOTDIR)
			break;
		slash = strrchr(p, '/');
		if (slash == NULL) {
			if (strcmp(p, ".") == 0)
				break;
			free(p);
			p = xstrdup(".");
		} else if (slash == p) {
			if (p[1] == '\0')
				break;
			p[1] = '\0';
		} else
			*slash = '\0';
	}
	free(p);
	return ok;
}

/* Try to bind a TCP listener on the wildcard address of family af.
 * Returns the errno of bind, 0 when it bound, or -1 when the family is not
 * available. */
static int
plat_try_bind(int af, unsigned port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int fd, one = 1, rc = 0;

	fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (af == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		memset(&sin6, 0, sizeof sin6);
		sin6.sin6_family = AF_INET6;
		sin6.sin6_addr = in6addr_any;
		sin6.sin6_port = htons((uint16_t)port);
		if (bind(fd, (struct sockaddr *)&sin6, sizeof sin6) != 0)
			rc = errno;
	} else {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		sin.sin_port = htons((uint16_t)port);
		if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
			rc = errno;
	}
	close(fd);
	return rc;
}

bool
plat_port_in_use(unsigned port)
{
	if (port == 0 || port > 65535)
		return false;
	if (plat_try_bind(AF_INET, port) == EADDRINUSE)
		return true;
	return plat_try_bind(AF_INET6, port) == EADDRINUSE;
}

bool
plat_is_admin(void)
{
	return geteuid() == 0;
}

const char *
plat_admin_advice(void)
{
	return "run engine-setup as root (sudo)";
}

const char *
plat_default_install_dir(void)
{
	return "/opt/rapid7/nexpose";
}

char *
plat_self_exe(void)
{
	size_t cap = 256;
	char *buf = NULL;
	ssize_t n;

	for (;;) {
		buf = xrealloc(buf, cap);
		n = readlink("/proc/self/exe", buf, cap);
		if (n == -1) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			return buf;
		}
		cap *= 2;
	}
}

char *
plat_join_root(const char *root, const char *abs_path)
{
	size_t rlen;

	if (plat_is_live_root(root))
		return xstrdup(abs_path);
	rlen = strlen(root);
	while (rlen > 1 && root[rlen - 1] == '/')
		rlen--;
	return xasprintf("%.*s%s%s", (int)rlen, root,
	    abs_path[0] == '/' ? "" : "/", abs_path);
}

bool
plat_path_in_root(const char *root, const char *path, int code,
    struct es_err *e)
{
	char *up, *slash, *rroot = NULL, *real = NULL;
	size_t n;
	bool in = true;

	if (plat_is_live_root(root))
		return true;
	/* The nearest part that exists: what is missing is made inside it. */
	up = xstrdup(path);
	while (plat_file_type(up) == PLAT_NONE &&
	    (slash = strrchr(up, '/')) != NULL && slash != up)
		*slash = '\0';
	if ((rroot = realpath(root, NULL)) == NULL)
		goto out;
	errno = 0;
	if ((real = realpath(up, NULL)) == NULL) {
		/* A link to nothing, or a loop, leads nowhere inside;
		 * anything else (EACCES) cannot be told from here. */
		in = !(errno == ENOENT || errno == ELOOP || errno == ENOTDIR);
		goto out;
	}
	n = strlen(rroot);
	in = strcmp(rroot, "/") == 0 || (strncmp(real, rroot, n) == 0 &&
	    (real[n] == '\0' || real[n] == '/'));
out:
	if (!in)
		err_set(e, code, "%s leads out of --root %s: a symbolic link on "
		    "the way resolves to %s. engine-setup reads, writes and "
		    "removes nothing outside the root: give the link a target "
		    "that stays inside it (a relative one counts from the "
		    "link's own folder; an absolute one is taken from this "
		    "host's /, not from the root), or use a folder of the root "
		    "without one", up, root,
		    real != NULL ? real : "nothing that exists");
	free(up);
	free(real);
	free(rroot);
	return in;
}

bool
plat_path_is_absolute(const char *path)
{
	return path != NULL && path[0] == '/';
}

size_t
plat_path_root_len(const char *path)
{
	return plat_path_is_absolute(path) ? 1 : 0;
}

bool
plat_path_backslash_is_separator(void)
{
	return false;
}

void
plat_path_limits(size_t *path_max, size_t *name_max)
{
	/* limits.h: Linux's PATH_MAX (4096, with the NUL) and NAME_MAX (255
	 * bytes) hold on every file system it mounts read-write. */
	*path_max = PATH_MAX;
	*name_max = NAME_MAX;
}

const char *
plat_install_path_problem(const char *path)
{
	const unsigned char *p;

	/* systemd 252 refuses an ExecStart= program with control characters,
	 * quotes or backslashes (see plat_service_path_ok); the record and
	 * the pointer file are one path a line. */
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "a path without control characters (line "
			    "breaks, tabs and the like): the install record "
			    "and the service definition hold one path a line";
		if (*p == '"' || *p == '\'' || *p == '\\')
			return "a path without quotes or backslashes: "
			    "systemd refuses a service program whose path "
			    "holds them";
	}
	return NULL;
}

bool
plat_mount_point(const char *path, char *buf, size_t bufsz)
{
	struct stat st, up;
	char *p;
	char *slash;
	bool ok = false;

	if (path == NULL || path[0] != '/' || bufsz == 0)
		return false;
	p = xstrdup(path);
	/* The nearest part of the path that exists. */
	while (stat(p, &st) != 0) {
		slash = strrchr(p, '/');
		if (slash == NULL || slash == p) {
			strcpy(p, "/");
			if (stat(p, &st) != 0)
				goto out;
			break;
		}
		*slash = '\0';
	}
	/* Climb while the parent is on the same device (st_dev). */
	while (strcmp(p, "/") != 0) {
		slash = strrchr(p, '/');
		if (slash == p) {
			if (stat("/", &up) != 0 || up.st_dev != st.st_dev)
				break;
			strcpy(p, "/");
			break;
		}
		*slash = '\0';
		if (stat(p, &up) != 0 || up.st_dev != st.st_dev) {
			*slash = '/';
			break;
		}
	}
	if (strlen(p) < bufsz) {
		memcpy(buf, p, strlen(p) + 1);
		ok = true;
	}
out:
	free(p);
	return ok;
}

char *
plat_state_file(const char *root)
{
	return plat_join_root(root, "/var/lib/engine-setup/installation");
}

/* ---- Files ---- */

/* The plat_ftype of an lstat(2) mode. */
static enum plat_ftype
plat_ftype_of(mode_t m)
{
	if (S_ISREG(m))
		return PLAT_FILE;
	if (S_ISDIR(m))
		return PLAT_DIR;
	if (S_ISLNK(m))
		return PLAT_LINK;
	return PLAT_OTHER;
}

enum plat_ftype
plat_file_type(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return PLAT_NONE;
	return plat_ftype_of(st.st_mode);
}

/* Folders this makes get exactly mode (chmod after mkdir, so the umask does
 * not narrow it); folders that already exist are left as they are. */
bool
plat_mkdirs(const char *path, unsigned mode, struct strlist *created,
    struct es_err *e)
{
	char *p = xstrdup(path), *s, c;
	struct stat st;
	size_t len = strlen(p);
	bool ok = false;

	if (len == 0) {
		err_set(e, ES_EINTERNAL, "cannot create a folder with an"
		    " empty name");
		goto out;
	}
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	s = p;
	for (;;) {
		while (*s == '/')
			s++;
		s += strcspn(s, "/");
		c = *s;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) == 0) {
			if (created != NULL)
				strlist_add(created, p);
			if (chmod(p, (mode_t)mode) != 0) {
				plat_err(e, errno, "cannot set the mode of"
				    " folder %s", p);
				goto out;
			}
		} else if (errno == EEXIST) {
			if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
				err_set(e, ES_EINSTALL, "cannot create folder"
				    " %s: %s exists and is not a folder. Move"
				    " it away or choose another path.", path,
				    p);
				goto out;
			}
		} else {
			plat_err(e, errno, "cannot create folder %s", p);
			goto out;
		}
		if (c == '\0')
			break;
		*s = c;
	}
	ok = true;
out:
	free(p);
	return ok;
}

/* The folder that holds path: "." for a bare name, "/" at the top.
 * Caller frees. */
static char *
plat_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Record a failure to write path, with the plain words for a full disk. */
static void
plat_write_err(struct es_err *e, int errnum, const char *path)
{
	char mnt[PATH_MAX], fs[PATH_MAX + 32];

	if (plat_mount_point(path, mnt, sizeof mnt))
		snprintf(fs, sizeof fs, "the file system mounted at %s", mnt);
	else
		snprintf(fs, sizeof fs, "its file system");
	if (errnum == ENOSPC)
		err_set(e, ES_EINSTALL, "no space left on %s (writing %s). Free"
		    " space on it, or choose another install_dir.", fs, path);
	else if (errnum == EDQUOT)
		err_set(e, ES_EINSTALL, "disk quota exceeded on %s (writing %s)."
		    " Free space or raise the quota, or choose another"
		    " install_dir.", fs, path);
	else
		plat_err(e, errnum, "cannot write %s", path);
}

int
lx_replace_at(int pfd, const char *name, const void *data, size_t len,
    unsigned mode, const char **stage)
{
	const char *p = data;
	char tmp[NAME_MAX + 1];
	uint32_t rnd;
	size_t off = 0;
	ssize_t n;
	int fd = -1, tries, err = 0;

	*stage = "create";
	for (tries = 0; tries < 100 && fd < 0; tries++) {
		if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
			rnd = (uint32_t)getpid() * 2654435761u +
			    (uint32_t)tries;
		snprintf(tmp, sizeof tmp, ".%.200s.es-%08x", name, rnd);
		fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		return errno;
	*stage = "write";
	while (off < len && err == 0) {
		n = write(fd, p + off, len - off);
		if (n >= 0)
			off += (size_t)n;
		else if (errno != EINTR)
			err = errno;
	}
	if (err == 0 && (fchmod(fd, (mode_t)(mode & 07777)) != 0 ||
	    fsync(fd) != 0))
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && renameat(pfd, tmp, pfd, name) != 0) {
		*stage = "rename";
		err = errno;
	}
	if (err != 0) {
		(void)unlinkat(pfd, tmp, 0);
		return err;
	}
	/* The new name is durable once its folder is flushed too. */
	(void)fsync(pfd);
	return 0;
}

int
lx_is_replace_temp(const char *name, const char *target)
{
	size_t tlen = strlen(target);

	return name[0] == '.' && strncmp(name + 1, target, tlen) == 0 &&
	    strncmp(name + 1 + tlen, ".es-", 4) == 0 &&
	    strlen(name + 1 + tlen + 4) == 8 &&
	    strspn(name + 1 + tlen + 4, "0123456789abcdef") == 8;
}

bool
plat_write_file_atomic(const char *path, const void *data, size_t len,
    unsigned mode, struct es_err *e)
{
	const char *slash = strrchr(path, '/'), *base, *stage;
	char *dir;
	int dfd, err;

	base = slash == NULL ? path : slash + 1;
	if (*base == '\0') {
		err_set(e, ES_EINTERNAL, "cannot write %s: not a file name",
		    path);
		return false;
	}
	dir = plat_dir_of(path);
	/* Same folder, so renameat(2) replaces path atomically. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		plat_err(e, errno, "cannot open folder %s to write %s", dir,
		    path);
		free(dir);
		return false;
	}
	err = lx_replace_at(dfd, base, data, len, mode, &stage);
	close(dfd);
	if (err == ENOSPC || err == EDQUOT ||
	    (err != 0 && strcmp(stage, "write") == 0))
		plat_write_err(e, err, path);
	else if (err != 0 && strcmp(stage, "create") == 0)
		plat_err(e, err, "cannot create a temporary file in %s to "
		    "write %s", dir, path);
	else if (err != 0)
		plat_err(e, err, "cannot replace %s", path);
	free(dir);
	return err == 0;
}

/* ---- Durable records ---- */

struct plat_append_file {
	int fd;
	char *path;
	off_t size;     /* what is on the disk: whole records only */
};

void
plat_sync_parent(const char *path)
{
	char *dir;
	int fd;

	dir = plat_dir_of(path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd != -1) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

struct plat_append_file *
plat_append_create(const char *path, struct es_err *e)
{
	struct plat_append_file *f;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == EEXIST)
			err_set(e, ES_EEXISTS, "cannot create %s: it exists "
			    "already", path);
		else
			plat_write_err(e, errno, path);
		return NULL;
	}
	plat_sync_parent(path);
	f = xmalloc(sizeof *f);
	f->fd = fd;
	f->path = xstrdup(path);
	f->size = 0;
	return f;
}

struct plat_append_file *
plat_append_open(const char *path, uint64_t len, struct es_err *e)
{
	struct plat_append_file *f;
	struct stat st;
	int fd;

	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		plat_write_err(e, errno, path);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < len) {
		err_set(e, ES_EINSTALL, "cannot append to %s: it is not the "
		    "regular file it was a moment ago", path);
		close(fd);
		return NULL;
	}
	/* A torn last record (its change never began) goes, so that the
	 * next one starts on a line of its own. */
	if ((uint64_t)st.st_size > len &&
	    (ftruncate(fd, (off_t)len) != 0 || fdatasync(fd) != 0)) {
		plat_write_err(e, errno, path);
		close(fd);
		return NULL;
	}
	f = xmalloc(sizeof *f);
	f->fd = fd;
	f->path = xstrdup(path);
	f->size = (off_t)len;
	return f;
}

bool
plat_append_durable(struct plat_append_file *f, const void *data,
    size_t len, struct es_err *e)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(f->fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			plat_write_err(e, errno, f->path);
			goto torn;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fdatasync(f->fd) != 0) {
		plat_write_err(e, errno, f->path);
		goto torn;
	}
	f->size += (off_t)(p - (const char *)data);
	return true;
torn:
	/* Part of a record would make the next one unreadable: it goes. */
	if (ftruncate(f->fd, f->size) == 0)
		(void)fdatasync(f->fd);
	return false;
}

void
plat_append_close(struct plat_append_file *f)
{
	if (f == NULL)
		return;
	close(f->fd);
	free(f->path);
	free(f);
}

void
plat_remove_write_leftovers(const char *path)
{
	const char *slash = strrchr(path, '/'), *base;
	struct dirent *d;
	char *dir;
	DIR *dp;

	base = slash == NULL ? path : slash + 1;
	dir = plat_dir_of(path);
	if ((dp = opendir(dir)) != NULL) {
		while ((d = readdir(dp)) != NULL)
			if (lx_is_replace_temp(d->d_name, base))
				(void)unlinkat(dirfd(dp), d->d_name, 0);
		closedir(dp);
	}
	free(dir);
}

/* What a file that is not a regular one is, for a message (inode(7)). */
static const char *
plat_mode_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISFIFO(m))
		return "a FIFO (named pipe), which would block until "
		    "something writes to it";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

bool
plat_check_regular(const char *path, const char *what, struct es_err *e)
{
	struct stat st;

	/* stat(2) never opens the file, so a FIFO cannot block here; the
	 * opens themselves check again on the descriptor (fstat), and say
	 * why a file that cannot be stat'ed cannot be read. */
	if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
		return true;
	err_set(e, ES_EUSAGE, "%s %s: it is %s, not a regular file; give the "
	    "path of a regular file", what, path, plat_mode_name(st.st_mode));
	return false;
}

static char *plat_dir_of(const char *path);

int
plat_file_usable(const char *path, bool output)
{
	struct stat st;
	char *dir;
	int fd, err = 0;

	if (stat(path, &st) != 0) {
		err = errno;
		if (!output || err != ENOENT)
			return err;
		/* A file to be made: its folder must exist and take it. */
		dir = plat_dir_of(path);
		if (stat(dir, &st) != 0)
			err = errno;
		else if (!S_ISDIR(st.st_mode))
			err = ENOTDIR;
		else if (access(dir, W_OK | X_OK) != 0)
			err = errno;
		else
			err = 0;
		free(dir);
		return err;
	}
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
	fd = open(path, (output ? O_WRONLY : O_RDONLY) | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return errno;
	close(fd);
	return 0;
}

FILE *
plat_fopen_regular(const char *path, const char *mode, struct es_err *e)
{
	bool append = strcmp(mode, "a") == 0;
	struct stat st;
	FILE *fp;
	int fd, saved;

	/* O_NONBLOCK: a FIFO opened for reading would wait for a writer, and
	 * for writing for a reader (fifo(7)); with it the open returns at
	 * once (ENXIO for a FIFO without reader), and fstat decides. */
	if (append)
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK |
		    O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	else
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		saved = errno;
		if (saved == ENXIO && stat(path, &st) == 0 &&
		    !S_ISREG(st.st_mode))
			err_set(e, ES_EUSAGE, "cannot open %s: it is %s, not a "
			    "regular file; give a regular file", path,
			    plat_mode_name(st.st_mode));
		else
			err_sys(e, append ? ES_EUSAGE : ES_EINSTALL, saved,
			    "cannot open %s", path);
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		err_sys(e, ES_EINSTALL, errno, "cannot open %s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, ES_EUSAGE, "cannot open %s: it is %s, not a regular "
		    "file; give a regular file", path,
		    plat_mode_name(st.st_mode));
		goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1) {
		err_sys(e, ES_EINSTALL, errno, "cannot open %s", path);
		goto fail;
	}
	if ((fp = fdopen(fd, append ? "a" : "rb")) == NULL) {
		err_sys(e, ES_EINSTALL, errno, "cannot open %s", path);
		goto fail;
	}
	return fp;

fail:
	close(fd);
	return NULL;
}

char *
plat_read_file(const char *path, size_t max, size_t *len, struct es_err *e)
{
	struct stat st;
	char *buf = NULL;
	size_t cap, used = 0;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: open(2) of a FIFO would wait for a writer; nothing
	 * but a regular file is read, so the flag is cleared after fstat. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		plat_err(e, errno, "cannot read %s", path);
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		plat_err(e, errno, "cannot read %s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, ES_EUSAGE, "cannot read %s: it is %s, not a regular"
		    " file; give a regular file", path,
		    plat_mode_name(st.st_mode));
		goto fail;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) == -1) {
		plat_err(e, errno, "cannot read %s", path);
		goto fail;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max)
		goto too_big;
	if (max > SIZE_MAX / 4)
		max = SIZE_MAX / 4;
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096;
	if (cap < 4096)
		cap = 4096;
	if (cap > max + 1)
		cap = max + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (used == cap) {
			if (cap > max)
				goto too_big;
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			plat_err(e, errno, "cannot read %s", path);
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max)
		goto too_big;
	close(fd);
	buf[used] = '\0';
	if (len != NULL)
		*len = used;
	return buf;

too_big:
	err_set(e, ES_EINSTALL, "cannot read %s: it is larger than the %zu"
	    " bytes expected; is it the right file?", path, max);
fail:
	close(fd);
	free(buf);
	return NULL;
}

bool
plat_rename(const char *from, const char *to, struct es_err *e)
{
	if (rename(from, to) == 0)
		return true;
	if (errno == EXDEV)
		err_set(e, ES_EINSTALL, "cannot move %s to %s: they are on"
		    " different file systems", from, to);
	else
		plat_err(e, errno, "cannot move %s to %s", from, to);
	return false;
}

bool
plat_remove(const char *path, struct es_err *e)
{
	if (remove(path) == 0)
		return true;
	if (errno == ENOTEMPTY || errno == EEXIST)
		err_set(e, ES_EINSTALL, "cannot remove folder %s: it is not"
		    " empty; something else put files there. Move them away"
		    " and remove it yourself.", path);
	else
		plat_err(e, errno, "cannot remove %s", path);
	return false;
}

/* nftw(3) callback of plat_remove_tree: remove one entry, children first. */
static int
plat_remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DNR) {
		/* Its entries cannot be listed, so rmdir fails below. */
		plat_rm_errno = EACCES;
		plat_copy(plat_rm_path, sizeof plat_rm_path, path);
		return 1;
	}
	if (remove(path) != 0 && errno != ENOENT) {
		plat_rm_errno = errno;
		plat_copy(plat_rm_path, sizeof plat_rm_path, path);
		return 1;
	}
	return 0;
}

bool
plat_remove_tree(const char *path, struct es_err *e)
{
	struct stat st;
	int rc;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		plat_err(e, errno, "cannot remove %s", path);
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) == 0 || errno == ENOENT)
			return true;
		plat_err(e, errno, "cannot remove %s", path);
		return false;
	}
	plat_rm_errno = 0;
	plat_rm_path[0] = '\0';
	/* FTW_PHYS: a symbolic link is removed, never followed. */
	rc = nftw(path, plat_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (rc == 0)
		return true;
	if (rc == -1 && plat_rm_errno == 0) {
		plat_rm_errno = errno;
		plat_copy(plat_rm_path, sizeof plat_rm_path, path);
	}
	plat_err(e, plat_rm_errno, "cannot remove %s", plat_rm_path);
	return false;
}

bool
plat_chmod(const char *path, unsigned mode, struct es_err *e)
{
	if (chmod(path, (mode_t)(mode & 07777)) == 0)
		return true;
	plat_err(e, errno, "cannot set the mode of %s", path);
	return false;
}

bool
plat_symlink(const char *target, const char *linkpath, struct es_err *e)
{
	if (symlink(target, linkpath) == 0)
		return true;
	if (errno == EEXIST)
		err_set(e, ES_EINSTALL, "cannot create link %s: something"
		    " already exists there. Move it away and try again.",
		    linkpath);
	else
		plat_err(e, errno, "cannot create link %s", linkpath);
	return false;
}

void
plat_sync_fs(const char *path)
{
	char *p = xstrdup(path), *slash;
	int fd;

	for (;;) {
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd != -1)
			break;
		slash = strrchr(p, '/');
		if (slash == NULL || p[1] == '\0') {
			free(p);
			sync();
			return;
		}
		if (slash == p)
			p[1] = '\0';
		else
			*slash = '\0';
	}
	if (syncfs(fd) != 0)
		sync();
	close(fd);
	free(p);
}

struct plat_walk_ctx {
	bool (*cb)(const char *, enum plat_ftype, unsigned, void *);
	void *arg;
	struct es_err *e;
};

/* scandir(3) filter: everything but "." and "..". */
static int
plat_walk_filter(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* scandir(3) order: bytewise, the same in every locale. */
static int
plat_walk_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Visit the entries of folder abs (rel below the walk's top, NULL at the
 * top), then recurse into each folder after visiting it. */
static bool
plat_walk_dir(struct plat_walk_ctx *ctx, const char *abs, const char *rel)
{
	struct dirent **names = NULL;
	struct stat st;
	char *cabs, *crel;
	enum plat_ftype t;
	bool ok = true;
	int n, i;

	n = scandir(abs, &names, plat_walk_filter, plat_walk_cmp);
	if (n == -1) {
		plat_err(ctx->e, errno, "cannot list folder %s", abs);
		return false;
	}
	for (i = 0; i < n && ok; i++) {
		cabs = xasprintf("%s%s%s", abs,
		    str_has_suffix(abs, "/") ? "" : "/", names[i]->d_name);
		crel = rel == NULL ? xstrdup(names[i]->d_name) :
		    xasprintf("%s/%s", rel, names[i]->d_name);
		if (lstat(cabs, &st) != 0) {
			if (errno != ENOENT) {
				plat_err(ctx->e, errno, "cannot read %s", cabs);
				ok = false;
			}
		} else {
			t = plat_ftype_of(st.st_mode);
			if (!ctx->cb(crel, t, (unsigned)(st.st_mode & 07777),
			    ctx->arg))
				ok = false;
			else if (t == PLAT_DIR)
				ok = plat_walk_dir(ctx, cabs, crel);
		}
		free(cabs);
		free(crel);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ok;
}

/* Entries come in bytewise name order; links are reported, not followed.
 * Returns false on an error (set in e) or when cb stopped the walk. */
bool
plat_walk(const char *dir,
    bool (*cb)(const char *rel, enum plat_ftype t, unsigned mode, void *arg),
    void *arg, struct es_err *e)
{
	struct plat_walk_ctx ctx = { cb, arg, e };

	return plat_walk_dir(&ctx, dir, NULL);
}

/* Permission bits as lstat(2) reports them (a link's own, not its
 * target's). */
int
plat_file_mode(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

/* ---- Services ---- */

/* Levels a SysV service starts and stops in, as update-rc.d(8) would link
 * a Default-Start of 2 3 4 5. */
static const char plat_sysv_start_levels[] = "2345";
static const char plat_sysv_stop_levels[] = "016";

/* True for a name safe as a unit name and a script file name. */
static bool
plat_service_name_ok(const char *name)
{
	const char *p;

	if (name == NULL || name[0] == '\0' || name[0] == '.' ||
	    name[0] == '-' || strlen(name) > 200)
		return false;
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.'))
			return false;
	}
	return true;
}

/* True for an absolute path that a unit file can carry: systemd 252 refuses
 * an ExecStart= program with control characters, quotes or backslashes
 * ("Executable name contains special characters"). */
static bool
plat_service_path_ok(const char *path)
{
	const unsigned char *p;

	if (path == NULL || path[0] != '/')
		return false;
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\'' ||
		    *p == '\\')
			return false;
	}
	return true;
}

/* Where to find a program: never through PATH, which sudo may keep. */
static const char *
plat_find_program(const char *name, char *buf, size_t bufsz)
{
	static const char *dirs[] = { "/usr/bin", "/bin", "/usr/sbin",
	    "/sbin" };
	size_t i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(buf, bufsz, "%s/%s", dirs[i], name);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

/* Run argv without a shell, stdin from /dev/null, stdout and stderr
 * collected into out (when not NULL). Returns the exit status (128 + signal
 * when killed), or -1 when it could not run (e set). */
static int
plat_run(char *const argv[], struct sbuf *out, struct es_err *e)
{
	posix_spawn_file_actions_t fa;
	char buf[1024];
	pid_t pid;
	int pfd[2], rc, status;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		plat_err(e, errno, "cannot run %s", argv[0]);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		plat_err(e, rc, "cannot run %s", argv[0]);
		return -1;
	}
	for (;;) {
		n = read(pfd[0], buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out != NULL && out->len < PLAT_OUTPUT_MAX)
			sbuf_addn(out, buf, (size_t)n);
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			plat_err(e, errno, "cannot wait for %s", argv[0]);
			return -1;
		}
	}
	if (out != NULL) {
		while (out->len > 0 && (out->s[out->len - 1] == '\n' ||
		    out->s[out->len - 1] == ' '))
			out->s[--out->len] = '\0';
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* Run systemctl with up to two arguments; its output goes to out. */
static int
plat_systemctl(const char *verb, const char *unit, struct sbuf *out,
    struct es_err *e)
{
	char path[64];
	char *argv[6];
	int i = 0;

	if (plat_find_program("systemctl", path, sizeof path) == NULL) {
		err_set(e, ES_EINSTALL, "cannot %s %s: systemctl is not"
		    " installed", verb, unit != NULL ? unit : "services");
		return -1;
	}
	argv[i++] = path;
	argv[i++] = (char *)"--no-pager";
	argv[i++] = (char *)"--no-ask-password";
	argv[i++] = (char *)verb;
	if (unit != NULL)
		argv[i++] = (char *)unit;
	argv[i] = NULL;
	return plat_run(argv, out, e);
}

enum plat_init
plat_init_system(const char *root)
{
	const char *env = getenv("ES_INIT_SYSTEM");

	if (env != NULL && strcmp(env, "systemd") == 0)
		return PLAT_INIT_SYSTEMD;
	if (env != NULL && strcmp(env, "sysv") == 0)
		return PLAT_INIT_SYSV;
	/* sd_booted(3) tests /run/systemd/system; an image that is not
	 * running shows systemd by its binary. A root without /etc/init.d
	 * (an empty --root folder) gets systemd units. */
	if (plat_exists_in(root, "/run/systemd/system") ||
	    plat_exists_in(root, "/lib/systemd/systemd") ||
	    plat_exists_in(root, "/usr/lib/systemd/systemd") ||
	    !plat_exists_in(root, "/etc/init.d"))
		return PLAT_INIT_SYSTEMD;
	return PLAT_INIT_SYSV;
}

bool
plat_service_manager_running(const char *root)
{
	if (!plat_is_live_root(root))
		return false;
	if (plat_init_system("/") == PLAT_INIT_SYSTEMD)
		return plat_is_dir("/run/systemd/system");
	return plat_is_dir("/etc/init.d");
}

/* Under a --root, false (ES_EINSTALL) when folder, a path inside root
 * with its prefix, leads out of root through a symbolic link
 * (plat_path_in_root). Checked right before each change to a service
 * definition, so that none is written, replaced or removed outside the
 * root; verb and path say what was about to be done. */
static bool
plat_service_in_root(const char *root, const char *folder,
    const char *verb, const char *path, struct es_err *e)
{
	if (plat_path_in_root(root, folder, ES_EINSTALL, e))
		return true;
	err_set(e, ES_EINSTALL, "Nothing was done: engine-setup was about to "
	    "%s %s", verb, path);
	return false;
}

/* mkdir -p root+rel, adding each folder made to files as a path inside
 * root with a trailing '/' (the install record's mark of a folder). */
static bool
plat_mkdirs_in(const char *root, const char *rel, struct strlist *files,
    struct es_err *e)
{
	struct strlist made;
	char *top = plat_join_root(root, "/"), *path;
	size_t tlen = strlen(top), i;
	bool ok;

	/* top ends in '/': keep it, so inside paths start with '/'. */
	if (tlen > 0)
		tlen--;
	strlist_init(&made);
	path = plat_join_root(root, rel);
	ok = plat_service_in_root(root, path, "create folder", path, e) &&
	    plat_mkdirs(path, 0755, &made, e);
	for (i = 0; i < made.n; i++) {
		if (files == NULL || strlen(made.v[i]) <= tlen ||
		    strncmp(made.v[i], top, tlen) != 0 ||
		    made.v[i][tlen] != '/')
			continue;
		strlist_add_owned(files, xasprintf("%s/", made.v[i] + tlen));
	}
	strlist_free(&made);
	free(path);
	free(top);
	return ok;
}

/* Make linkpath a symbolic link to target, replacing an older link. */
static bool
plat_link_replace(const char *target, const char *linkpath,
    struct es_err *e)
{
	char buf[PATH_MAX];
	ssize_t n;

	switch (plat_file_type(linkpath)) {
	case PLAT_NONE:
		break;
	case PLAT_LINK:
		n = readlink(linkpath, buf, sizeof buf - 1);
		if (n >= 0) {
			buf[n] = '\0';
			if (strcmp(buf, target) == 0)
				return true;
		}
		if (unlink(linkpath) != 0) {
			plat_err(e, errno, "cannot replace link %s", linkpath);
			return false;
		}
		break;
	default:
		err_set(e, ES_EINSTALL, "cannot create link %s: something that"
		    " is not a link is already there. Move it away and try"
		    " again.", linkpath);
		return false;
	}
	return plat_symlink(target, linkpath, e);
}

/* Append s for a unit file setting: '%' starts a specifier
 * (systemd.unit(5) "Specifiers"), so it is doubled. */
static void
plat_unit_add(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '%')
			sbuf_add(b, "%%");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			sbuf_add(b, " ");
		else
			sbuf_addn(b, s, 1);
	}
}

/* Append the program path of ExecStart=, in double quotes when it has a
 * space (systemd.service(5) "Command lines"; '$' is expanded only in
 * arguments, and plat_service_path_ok keeps quotes and backslashes out). */
static void
plat_unit_add_exec(struct sbuf *b, const char *path)
{
	bool quote = strchr(path, ' ') != NULL;

	if (quote)
		sbuf_add(b, "\"");
	plat_unit_add(b, path);
	if (quote)
		sbuf_add(b, "\"");
}

/* The text of NAME.service: systemd.unit(5), systemd.service(5),
 * systemd.kill(5). */
static char *
plat_systemd_unit(const struct plat_service *s)
{
	struct sbuf b;
	size_t n;

	sbuf_init(&b);
	sbuf_add(&b, "# Written by engine-setup; engine-setup uninstall"
	    " removes it.\n[Unit]\nDescription=");
	n = b.len;
	plat_unit_add(&b, s->description != NULL ? s->description : s->name);
	/* A trailing backslash would continue the line. */
	while (b.len > n && b.s[b.len - 1] == '\\')
		b.s[--b.len] = '\0';
	sbuf_add(&b, "\nAfter=network-online.target\n"
	    "Wants=network-online.target\n\n[Service]\nType=simple\n"
	    "ExecStart=");
	plat_unit_add_exec(&b, s->exec);
	if (s->check != NULL) {
		/* A new identity on a cloned machine before every start
		 * (identity.h); it fails the start when it cannot write. */
		sbuf_add(&b, "\nExecStartPre=");
		plat_unit_add_exec(&b, s->check);
		sbuf_add(&b, " identity check");
	}
	sbuf_add(&b, "\nWorkingDirectory=");
	plat_unit_add(&b, s->workdir);
	sbuf_add(&b, "\nRestart=on-failure\nRestartSec=10\nKillMode=mixed\n"
	    "TimeoutStopSec=60\n\n[Install]\nWantedBy=multi-user.target\n");
	return sbuf_detach(&b);
}

/* Append s with control characters made spaces, for one comment line. */
static void
plat_add_line(struct sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			sbuf_add(b, " ");
		else
			sbuf_addn(b, s, 1);
	}
}

/* Append s in single quotes for sh(1). */
static void
plat_sh_quote(struct sbuf *b, const char *s)
{
	sbuf_add(b, "'");
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			sbuf_add(b, "'\\''");
		else
			sbuf_addn(b, s, 1);
	}
	sbuf_add(b, "'");
}

/* The SysV init script: an LSB header (LSB 3.1 "Comment Conventions for
 * Init Scripts") and start, stop, restart, status with LSB exit codes. */
static char *
plat_sysv_script(const struct plat_service *s)
{
	struct sbuf b;

	sbuf_init(&b);
	sbuf_addf(&b, "#!/bin/sh\n"
	    "### BEGIN INIT INFO\n"
	    "# Provides:          %s\n"
	    "# Required-Start:    $remote_fs $network\n"
	    "# Required-Stop:     $remote_fs $network\n"
	    "# Default-Start:     2 3 4 5\n"
	    "# Default-Stop:      0 1 6\n"
	    "# Short-Description: ", s->name);
	plat_add_line(&b, s->description != NULL ? s->description : s->name);
	sbuf_add(&b, "\n### END INIT INFO\n"
	    "# Written by engine-setup; engine-setup uninstall removes it.\n\n"
	    "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
	sbuf_addf(&b, "NAME=%s\nDAEMON=", s->name);
	plat_sh_quote(&b, s->exec);
	sbuf_add(&b, "\nWORKDIR=");
	plat_sh_quote(&b, s->workdir);
	sbuf_add(&b, "\nCHECK=");
	plat_sh_quote(&b, s->check != NULL ? s->check : "");
	sbuf_add(&b, "\nPIDFILE=/run/$NAME.pid\n\n"
	    "is_running() {\n"
	    "\t[ -r \"$PIDFILE\" ] || return 1\n"
	    "\tpid=$(cat \"$PIDFILE\" 2>/dev/null)\n"
	    "\t[ -n \"$pid\" ] && kill -0 \"$pid\" 2>/dev/null\n"
	    "}\n\n"
	    "do_start() {\n"
	    "\tif is_running; then\n"
	    "\t\techo \"$NAME is already running\"\n"
	    "\t\treturn 0\n"
	    "\tfi\n"
	    "\t# A new identity on a cloned machine first (engine-setup\n"
	    "\t# identity --help); the start fails when it cannot write.\n"
	    "\tif [ -n \"$CHECK\" ]; then\n"
	    "\t\t\"$CHECK\" identity check || return 1\n"
	    "\tfi\n"
	    "\tif command -v start-stop-daemon >/dev/null 2>&1; then\n"
	    "\t\tstart-stop-daemon --start --quiet --background \\\n"
	    "\t\t    --make-pidfile --pidfile \"$PIDFILE\" \\\n"
	    "\t\t    --chdir \"$WORKDIR\" --startas \"$DAEMON\"\n"
	    "\t\treturn $?\n"
	    "\tfi\n"
	    "\t(\n"
	    "\t\tcd \"$WORKDIR\" || exit 1\n"
	    "\t\ttrap '' HUP\n"
	    "\t\texec \"$DAEMON\" </dev/null >/dev/null 2>&1\n"
	    "\t) &\n"
	    "\techo $! >\"$PIDFILE\"\n"
	    "}\n\n"
	    "do_stop() {\n"
	    "\tif command -v start-stop-daemon >/dev/null 2>&1; then\n"
	    "\t\tstart-stop-daemon --stop --quiet --retry=TERM/60/KILL/5 \\\n"
	    "\t\t    --pidfile \"$PIDFILE\"\n"
	    "\t\trc=$?\n"
	    "\t\trm -f \"$PIDFILE\"\n"
	    "\t\t# 1: nothing was running, which is what stop wants.\n"
	    "\t\t[ \"$rc\" -eq 1 ] && rc=0\n"
	    "\t\treturn \"$rc\"\n"
	    "\tfi\n"
	    "\tif is_running; then\n"
	    "\t\tkill \"$pid\"\n"
	    "\t\tn=0\n"
	    "\t\twhile kill -0 \"$pid\" 2>/dev/null && [ \"$n\" -lt 60 ];"
	    " do\n"
	    "\t\t\tsleep 1\n"
	    "\t\t\tn=$((n + 1))\n"
	    "\t\tdone\n"
	    "\t\tkill -0 \"$pid\" 2>/dev/null && kill -9 \"$pid\"\n"
	    "\tfi\n"
	    "\trm -f \"$PIDFILE\"\n"
	    "\treturn 0\n"
	    "}\n\n"
	    "case \"$1\" in\n"
	    "start)\n"
	    "\tdo_start\n"
	    "\t;;\n"
	    "stop)\n"
	    "\tdo_stop\n"
	    "\t;;\n"
	    "restart|force-reload)\n"
	    "\tdo_stop && do_start\n"
	    "\t;;\n"
	    "status)\n"
	    "\tif is_running; then\n"
	    "\t\techo \"$NAME is running\"\n"
	    "\t\texit 0\n"
	    "\tfi\n"
	    "\tif [ -f \"$PIDFILE\" ]; then\n"
	    "\t\techo \"$NAME is not running, but $PIDFILE exists\"\n"
	    "\t\texit 1\n"
	    "\tfi\n"
	    "\techo \"$NAME is not running\"\n"
	    "\texit 3\n"
	    "\t;;\n"
	    "*)\n"
	    "\techo \"Usage: $0 {start|stop|restart|force-reload|status}\""
	    " >&2\n"
	    "\texit 2\n"
	    "\t;;\n"
	    "esac\n");
	return sbuf_detach(&b);
}

/* Write root+rel with text and mode, and record rel in files. */
static bool
plat_install_file(const char *root, const char *rel, const char *text,
    unsigned mode, struct strlist *files, struct es_err *e)
{
	char *path = plat_join_root(root, rel), *dir = plat_dir_of(path);
	bool ok;

	ok = plat_service_in_root(root, dir, "write", path, e) &&
	    plat_write_file_atomic(path, text, strlen(text), mode, e);
	free(dir);
	if (ok && files != NULL)
		strlist_add(files, rel);
	free(path);
	return ok;
}

/* Link root+rel to target, and record rel in files. */
static bool
plat_install_link(const char *root, const char *rel, const char *target,
    struct strlist *files, struct es_err *e)
{
	char *path = plat_join_root(root, rel), *dir = plat_dir_of(path);
	bool ok;

	ok = plat_service_in_root(root, dir, "create link", path, e) &&
	    plat_link_replace(target, path, e);
	free(dir);
	if (ok && files != NULL)
		strlist_add(files, rel);
	free(path);
	return ok;
}

/* Install NAME.service and enable it as `systemctl --root=ROOT enable`
 * does: a link in multi-user.target.wants to the unit's path inside root. */
static bool
plat_systemd_install(const char *root, const struct plat_service *s,
    struct strlist *files, struct es_err *e)
{
	char *unit, *wants, *text;
	bool ok = false;

	unit = xasprintf("/etc/systemd/system/%s.service", s->name);
	wants = xasprintf("/etc/systemd/system/multi-user.target.wants/"
	    "%s.service", s->name);
	text = plat_systemd_unit(s);
	if (!plat_mkdirs_in(root, "/etc/systemd/system", files, e))
		goto out;
	if (!plat_install_file(root, unit, text, 0644, files, e))
		goto out;
	if (!plat_mkdirs_in(root, "/etc/systemd/system/multi-user.target.wants",
	    files, e))
		goto out;
	if (!plat_install_link(root, wants, unit, files, e))
		goto out;
	ok = true;
out:
	free(text);
	free(wants);
	free(unit);
	return ok;
}

/* Install /etc/init.d/NAME and its rc links, as update-rc.d(8) would. */
static bool
plat_sysv_install(const char *root, const struct plat_service *s,
    struct strlist *files, struct es_err *e)
{
	char *script, *text, *target, *dir = NULL, *link = NULL;
	const char *c;
	bool ok = false;

	script = xasprintf("/etc/init.d/%s", s->name);
	target = xasprintf("../init.d/%s", s->name);
	text = plat_sysv_script(s);
	if (!plat_mkdirs_in(root, "/etc/init.d", files, e))
		goto out;
	if (!plat_install_file(root, script, text, 0755, files, e))
		goto out;
	for (c = "0123456"; *c != '\0'; c++) {
		free(dir);
		free(link);
		dir = xasprintf("/etc/rc%c.d", *c);
		link = xasprintf("%s/%c20%s", dir,
		    strchr(plat_sysv_start_levels, *c) != NULL ? 'S' : 'K',
		    s->name);
		if (!plat_mkdirs_in(root, dir, files, e))
			goto out;
		if (!plat_install_link(root, link, target, files, e))
			goto out;
	}
	ok = true;
out:
	free(link);
	free(dir);
	free(text);
	free(target);
	free(script);
	return ok;
}

/* Add rel's folders, from the top down, as plat_mkdirs_in makes them. */
static void
plat_paths_add_dirs(struct strlist *paths, const char *rel)
{
	const char *p = rel;

	while ((p = strchr(p + 1, '/')) != NULL)
		strlist_add_owned(paths, xasprintf("%.*s/", (int)(p - rel),
		    rel));
	strlist_add_owned(paths, xasprintf("%s/", rel));
}

void
plat_service_paths(const char *root, const char *name,
    struct strlist *paths)
{
	const char *c;

	if (plat_init_system(root) == PLAT_INIT_SYSTEMD) {
		plat_paths_add_dirs(paths, "/etc/systemd/system");
		strlist_add_owned(paths, xasprintf("/etc/systemd/system/"
		    "%s.service", name));
		strlist_add(paths, "/etc/systemd/system/multi-user.target."
		    "wants/");
		strlist_add_owned(paths, xasprintf("/etc/systemd/system/"
		    "multi-user.target.wants/%s.service", name));
		return;
	}
	plat_paths_add_dirs(paths, "/etc/init.d");
	strlist_add_owned(paths, xasprintf("/etc/init.d/%s", name));
	for (c = "0123456"; *c != '\0'; c++) {
		strlist_add_owned(paths, xasprintf("/etc/rc%c.d/", *c));
		strlist_add_owned(paths, xasprintf("/etc/rc%c.d/%c20%s", *c,
		    strchr(plat_sysv_start_levels, *c) != NULL ? 'S' : 'K',
		    name));
	}
}

/* Tell a running systemd about changed unit files; failure only means the
 * next boot or daemon-reload picks them up. */
static void
plat_systemd_reload(const char *root)
{
	if (plat_service_manager_running(root) &&
	    plat_init_system("/") == PLAT_INIT_SYSTEMD)
		plat_systemctl("daemon-reload", NULL, NULL, NULL);
}

bool
plat_service_install(const char *root, const struct plat_service *s,
    struct strlist *files, struct es_err *e)
{
	bool ok;

	if (!plat_service_name_ok(s->name)) {
		err_set(e, ES_EINTERNAL, "cannot install service \"%s\": a"
		    " service name may hold only letters, digits, '.', '_'"
		    " and '-'", s->name != NULL ? s->name : "");
		return false;
	}
	if (!plat_service_path_ok(s->exec) ||
	    !plat_service_path_ok(s->workdir) ||
	    (s->check != NULL && !plat_service_path_ok(s->check))) {
		err_set(e, ES_EINSTALL, "cannot install service %s: its program"
		    " and folder must be absolute paths without quotes,"
		    " backslashes or control characters (got \"%s\" and"
		    " \"%s\"); choose another install_dir", s->name,
		    s->exec != NULL ? s->exec : "",
		    s->workdir != NULL ? s->workdir : "");
		return false;
	}
	/* WorkingDirectory= drops trailing blanks (systemd.syntax(7)). */
	if (str_has_suffix(s->workdir, " ")) {
		err_set(e, ES_EINSTALL, "cannot install service %s: its folder"
		    " \"%s\" ends in a space, which a unit file cannot hold;"
		    " choose an install_dir without one", s->name, s->workdir);
		return false;
	}
	if (plat_init_system(root) == PLAT_INIT_SYSTEMD) {
		ok = plat_systemd_install(root, s, files, e);
		if (ok)
			plat_systemd_reload(root);
		return ok;
	}
	return plat_sysv_install(root, s, files, e);
}

/* Remove root+rel if it has type want (a link that must point to target
 * when target is not NULL); missing is success. */
static bool
plat_remove_if(const char *root, const char *rel, enum plat_ftype want,
    const char *target, struct es_err *e)
{
	char *path = plat_join_root(root, rel), *dir = plat_dir_of(path);
	char buf[PATH_MAX];
	ssize_t n;
	bool ok = true;

	if (plat_file_type(path) != want)
		goto out;
	if (!plat_service_in_root(root, dir, "remove", path, e)) {
		ok = false;
		goto out;
	}
	if (target != NULL) {
		n = readlink(path, buf, sizeof buf - 1);
		if (n < 0)
			goto out;
		buf[n] = '\0';
		if (strcmp(buf, target) != 0)
			goto out;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		plat_err(e, errno, "cannot remove %s", path);
		ok = false;
	}
out:
	free(dir);
	free(path);
	return ok;
}

/* Both kinds are removed whatever plat_init_system says now, so a root
 * whose init system changed since the install is cleaned as well. */
bool
plat_service_remove(const char *root, const char *name, struct es_err *e)
{
	char *rel, *target, *unit;
	const char *c;
	bool ok = true;

	if (!plat_service_name_ok(name)) {
		err_set(e, ES_EINTERNAL, "cannot remove service \"%s\": not a"
		    " service name", name != NULL ? name : "");
		return false;
	}
	unit = xasprintf("/etc/systemd/system/%s.service", name);
	rel = xasprintf("/etc/systemd/system/multi-user.target.wants/"
	    "%s.service", name);
	ok &= plat_remove_if(root, rel, PLAT_LINK, NULL, e);
	ok &= plat_remove_if(root, unit, PLAT_FILE, NULL, e);
	free(rel);
	free(unit);

	target = xasprintf("../init.d/%s", name);
	for (c = "0123456"; *c != '\0'; c++) {
		rel = xasprintf("/etc/rc%c.d/%c20%s", *c,
		    strchr(plat_sysv_stop_levels, *c) != NULL ? 'K' : 'S',
		    name);
		ok &= plat_remove_if(root, rel, PLAT_LINK, target, e);
		free(rel);
	}
	free(target);
	rel = xasprintf("/etc/init.d/%s", name);
	ok &= plat_remove_if(root, rel, PLAT_FILE, NULL, e);
	free(rel);

	plat_systemd_reload(root);
	return ok;
}

/* Start or stop name on the running system with systemctl or its init
 * script; output of a failure goes into e. */
static bool
plat_service_ctl(const char *verb, const char *name, struct es_err *e)
{
	struct sbuf out;
	char *unit = NULL, *script = NULL, *argv[3];
	bool ok = false;
	int rc;

	sbuf_init(&out);
	if (!plat_service_name_ok(name)) {
		err_set(e, ES_EINTERNAL, "cannot %s service \"%s\": not a"
		    " service name", verb, name != NULL ? name : "");
		goto out;
	}
	if (!plat_service_manager_running("/")) {
		err_set(e, ES_EINSTALL, "cannot %s service %s: no service"
		    " manager is running (systemd is not PID 1 here, as in a"
		    " container or a chroot). Start the host normally, or"
		    " run the program yourself.", verb, name);
		goto out;
	}
	if (plat_init_system("/") == PLAT_INIT_SYSTEMD) {
		unit = xasprintf("%s.service", name);
		rc = plat_systemctl("daemon-reload", NULL, &out, e);
		if (rc != 0) {
			if (rc > 0)
				err_set(e, ES_EINSTALL, "systemctl"
				    " daemon-reload failed (exit %d): %s",
				    rc, out.s != NULL ? out.s : "");
			goto out;
		}
		sbuf_free(&out);
		rc = plat_systemctl(verb, unit, &out, e);
		/* systemctl(1) exit 5: the unit is not loaded. */
		if (rc == 0 || (rc == 5 && strcmp(verb, "stop") == 0)) {
			ok = true;
			goto out;
		}
		if (rc > 0)
			err_set(e, ES_EINSTALL, "systemctl %s %s failed (exit"
			    " %d): %s. See `systemctl status %s` and"
			    " `journalctl -u %s`.", verb, unit, rc,
			    out.s != NULL ? out.s : "", unit, unit);
		goto out;
	}
	script = xasprintf("/etc/init.d/%s", name);
	if (plat_file_type(script) == PLAT_NONE && strcmp(verb, "stop") == 0) {
		ok = true;
		goto out;
	}
	argv[0] = script;
	argv[1] = (char *)verb;
	argv[2] = NULL;
	rc = plat_run(argv, &out, e);
	if (rc == 0) {
		ok = true;
		goto out;
	}
	if (rc > 0)
		err_set(e, ES_EINSTALL, "%s %s failed (exit %d): %s", script,
		    verb, rc, out.s != NULL ? out.s : "");
out:
	sbuf_free(&out);
	free(script);
	free(unit);
	return ok;
}

bool
plat_service_start(const char *name, struct es_err *e)
{
	return plat_service_ctl("start", name, e);
}

bool
plat_service_stop(const char *name, struct es_err *e)
{
	return plat_service_ctl("stop", name, e);
}

void
plat_service_start_command(const char *root, const char *name, char *out,
    size_t outsz)
{
	if (plat_init_system(root) == PLAT_INIT_SYSTEMD)
		snprintf(out, outsz, "systemctl start %s", name);
	else
		snprintf(out, outsz, "/etc/init.d/%s start", name);
}

void
plat_service_state(const char *root, const char *name, char *out,
    size_t outsz)
{
	struct sbuf b;
	char *unit, *script, *argv[3], *nl;
	bool has_unit, has_script;
	int rc;

	if (!plat_service_name_ok(name)) {
		plat_copy(out, outsz, "unknown");
		return;
	}
	unit = xasprintf("/etc/systemd/system/%s.service", name);
	script = xasprintf("/etc/init.d/%s", name);
	has_unit = plat_exists_in(root, unit);
	has_script = plat_exists_in(root, script);
	sbuf_init(&b);
	if (!has_unit && !has_script)
		plat_copy(out, outsz, "not installed");
	else if (!plat_service_manager_running(root))
		plat_copy(out, outsz, "installed, not started");
	else if (plat_init_system("/") == PLAT_INIT_SYSTEMD) {
		/* is-active prints active, inactive, failed, activating ... */
		free(unit);
		unit = xasprintf("%s.service", name);
		plat_systemctl("is-active", unit, &b, NULL);
		nl = b.s != NULL ? strchr(b.s, '\n') : NULL;
		if (nl != NULL)
			*nl = '\0';
		plat_copy(out, outsz, b.s != NULL && b.s[0] != '\0' ? b.s :
		    "unknown");
	} else {
		argv[0] = script;
		argv[1] = (char *)"status";
		argv[2] = NULL;
		/* LSB status codes: 0 running, 1-2 dead, 3 not running. */
		rc = plat_run(argv, &b, NULL);
		if (rc == 0)
			plat_copy(out, outsz, "active");
		else if (rc == 1 || rc == 2)
			plat_copy(out, outsz, "failed");
		else if (rc == 3)
			plat_copy(out, outsz, "inactive");
		else
			plat_copy(out, outsz, "unknown");
	}
	sbuf_free(&b);
	free(script);
	free(unit);
}

/* True when root-joined rel exists itself, a link not followed: a link
 * inside a --root names its target as the target host sees it. */
static bool
plat_lexists_in(const char *root, const char *rel)
{
	char *path = plat_join_root(root, rel);
	struct stat st;
	bool ok;

	ok = lstat(path, &st) == 0;
	free(path);
	return ok;
}

int
plat_service_enabled(const char *root, const char *name)
{
	struct sbuf b;
	char *rel, *unit;
	int rc, ret = -1;

	if (!plat_service_name_ok(name))
		return -1;
	unit = xasprintf("%s.service", name);
	rel = xasprintf("/etc/systemd/system/%s", unit);
	sbuf_init(&b);
	if (plat_exists_in(root, rel)) {
		if (plat_service_manager_running(root) &&
		    plat_init_system("/") == PLAT_INIT_SYSTEMD) {
			/* systemctl(1) is-enabled: exit 0 for enabled,
			 * and prints the state either way. */
			rc = plat_systemctl("is-enabled", unit, &b, NULL);
			if (rc == 0)
				ret = 1;
			else if (rc > 0 && b.s != NULL && b.s[0] != '\0')
				ret = 0;
		} else {
			free(rel);
			rel = xasprintf("/etc/systemd/system/"
			    "multi-user.target.wants/%s", unit);
			ret = plat_lexists_in(root, rel) ? 1 : 0;
		}
	} else {
		free(rel);
		rel = xasprintf("/etc/init.d/%s", name);
		if (plat_exists_in(root, rel)) {
			/* update-rc.d(8) disable turns S links into K. */
			free(rel);
			rel = xasprintf("/etc/rc2.d/S20%s", name);
			ret = plat_lexists_in(root, rel) ? 1 : 0;
		}
	}
	sbuf_free(&b);
	free(rel);
	free(unit);
	return ret;
}

/* ---- Signals ---- */

static void
plat_signal_handler(int sig)
{
	(void)sig;
	plat_signal_count++;
}

/* Without SA_RESTART, so a blocking read or connect returns EINTR and the
 * caller sees the flag. */
void
plat_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = plat_signal_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
plat_signals_pending(void)
{
	return (int)plat_signal_count;
}

void
plat_signals_reset(void)
{
	plat_signal_count = 0;
}

/* ---- One run at a time ---- */

/* The lock file sits beside the install pointer (plat_state_file), so it
 * is on the target's own file system and under --root inside that root.
 * It exists only while a run holds it: the holder removes it (and the
 * folder, when that is then empty) before letting go, so that the lock
 * never keeps /var/lib/engine-setup alive after a failed run or an
 * uninstall. A waiter that was blocked on the removed file sees, once it
 * has the lock, that the path no longer names its file, and starts over
 * (the usual flock-and-unlink protocol; flock(2) locks the open file, not
 * the name). */
#define PLAT_RUN_LOCK_FILE "/var/lib/engine-setup/lock"

struct plat_run_lock {
	int fd;
	char *path;
	struct strlist made;   /* folders acquiring made, in the order made */
};

/* Sleep for ms milliseconds, or less when a signal comes. */
static void
plat_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* The process id the holder wrote into the lock file, or 0. A holder
 * writes it right after flock(2) succeeds, so an empty file is read again
 * for a moment. */
static long
plat_run_lock_holder(int fd)
{
	char buf[32], *end;
	ssize_t n;
	long pid;
	int i;

	for (i = 0; i < 20; i++) {
		n = pread(fd, buf, sizeof buf - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			pid = strtol(buf, &end, 10);
			if (end != buf && pid > 0)
				return pid;
		}
		plat_sleep_ms(10);
	}
	return 0;
}

/* Record this process as the holder: "PID\n", nothing else. Best effort:
 * the lock holds without it, a waiter then names no process. */
static void
plat_run_lock_write_pid(struct plat_run_lock *l, int fd)
{
	struct sbuf b;
	char buf[4096], *line, *nl;
	ssize_t n;
	size_t i, dirlen = strrchr(l->path, '/') - l->path;

	/* A holder that died (kill -9, power loss) may have made the lock's
	 * folders: they are this run's to remove when empty now. Only
	 * folders above the lock file are taken from it, so that whatever
	 * the file says, nothing else is ever removed. */
	n = pread(fd, buf, sizeof buf - 1, 0);
	if (n > 0) {
		buf[n] = '\0';
		for (line = strchr(buf, '\n'); line != NULL; line = nl) {
			line++;
			if ((nl = strchr(line, '\n')) == NULL)
				break;
			*nl = '\0';
			if (line[0] == '/' && strlen(line) <= dirlen &&
			    strncmp(l->path, line, strlen(line)) == 0 &&
			    (l->path[strlen(line)] == '/') &&
			    !strlist_contains(&l->made, line))
				strlist_add(&l->made, line);
		}
	}
	/* The id, then the folders the lock made, one per line. */
	sbuf_init(&b);
	sbuf_addf(&b, "%ld\n", (long)getpid());
	for (i = 0; i < l->made.n; i++)
		if (strchr(l->made.v[i], '\n') == NULL)
			sbuf_addf(&b, "%s\n", l->made.v[i]);
	if (ftruncate(fd, 0) == 0 &&
	    pwrite(fd, b.s, b.len, 0) != (ssize_t)b.len)
		(void)ftruncate(fd, 0);
	sbuf_free(&b);
}

/* Beside the flock(2) that excludes other runs, an open file description
 * lock (fcntl(2) F_OFD_SETLK, Linux 3.15) on the whole file: it goes with
 * the same open file, so it is there exactly while the run holds the
 * lock, and unlike flock(2) it can be tested without being taken
 * (F_OFD_GETLK), which is how status tells a live run from a file a dead
 * one left. The two kinds of lock do not meet on Linux (flock(2)).
 * Nothing else ever takes it, so it cannot fail for being held. */
static void
plat_run_lock_mark(int fd, bool writable)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = writable ? F_WRLCK : F_RDLCK;
	fl.l_whence = SEEK_SET;
	(void)fcntl(fd, F_OFD_SETLK, &fl);
}

/* One attempt at the lock: 1 taken, 0 held by another process (*holder
 * set), 2 the file or its folder vanished under us (try again), -1 an
 * error (e set). */
static int
plat_run_lock_try(struct plat_run_lock *l, long *holder, struct es_err *e)
{
	char *dir = xstrdup(l->path);
	struct stat fst, pst;
	struct es_err local;
	int fd, i, rc = -1;
	bool writable = true;

	*strrchr(dir, '/') = '\0';
	/* Tried again: a run letting go removes the folders only it needed,
	 * which may be between our mkdir(2) calls. */
	for (i = 0; ; i++) {
		err_clear(&local);
		if (plat_mkdirs(dir, 0755, &l->made, &local))
			break;
		if (i == 10) {
			err_set(e, local.code, "%s", local.msg);
			goto out;
		}
	}
	/* O_NOFOLLOW: a symbolic link planted at the lock path must not make
	 * a root-run engine-setup truncate the file it points to. */
	fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == EACCES) {
		/* Left by another user's run that died; flock(2) works on a
		 * file opened read-only too. */
		fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		writable = false;
	}
	if (fd < 0) {
		struct stat lst;
		char *to;

		if (errno == ENOENT) {
			rc = 2;
			goto out;
		}
		if (errno == ELOOP && lstat(l->path, &lst) == 0 &&
		    S_ISLNK(lst.st_mode)) {
			to = plat_read_link(l->path);
			err_set(e, ES_EINSTALL, "the lock file %s is a symbolic "
			    "link (to %s): no engine-setup run makes one there, "
			    "and none follows it, since a link there could make "
			    "a run as root write over the file it leads to. "
			    "Remove the link (rm %s) and try again.", l->path,
			    to != NULL ? to : "?", l->path);
			free(to);
			goto out;
		}
		plat_err(e, errno, "cannot create the lock file %s", l->path);
		goto out;
	}
	if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
		err_set(e, ES_EINSTALL, "cannot use the lock file %s: it is not"
		    " a regular file. Remove it (no engine-setup run makes"
		    " anything else there) and try again.", l->path);
		close(fd);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			*holder = plat_run_lock_holder(fd);
			rc = 0;
		} else if (errno == EINTR) {
			rc = 2;
		} else {
			plat_err(e, errno, "cannot lock %s", l->path);
		}
		close(fd);
		goto out;
	}
	if (lstat(l->path, &pst) != 0 || pst.st_dev != fst.st_dev ||
	    pst.st_ino != fst.st_ino) {
		close(fd);   /* the holder we waited for removed it: again */
		rc = 2;
		goto out;
	}
	if (writable) {
		if ((fst.st_mode & 07777) != 0644 && fst.st_uid == geteuid())
			(void)fchmod(fd, 0644);
		plat_run_lock_write_pid(l, fd);
	}
	plat_run_lock_mark(fd, writable);
	l->fd = fd;
	rc = 1;
out:
	free(dir);
	return rc;
}

/* Remove the folders l made, deepest first, those that are empty. */
static void
plat_run_lock_unmake(struct plat_run_lock *l)
{
	size_t i;

	for (i = l->made.n; i-- > 0; )
		rmdir(l->made.v[i]);
}

static void
plat_run_lock_free(struct plat_run_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
	strlist_free(&l->made);
	free(l->path);
	free(l);
}

bool
plat_run_lock_held(const char *root, long *holder_pid)
{
	char *path = plat_join_root(root, PLAT_RUN_LOCK_FILE);
	char buf[32], *end;
	struct flock fl;
	ssize_t n;
	long pid;
	int fd;

	*holder_pid = 0;
	/* The lock itself, not the process id in the file (a file a dead
	 * run left, or one anybody wrote, names any process): its open file
	 * description lock (plat_run_lock_mark) is asked about without
	 * being taken. Taking even a shared flock(2) here could make a
	 * starting run think the lock busy. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	free(path);
	if (fd < 0)
		return false;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_OFD_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) {
		close(fd);
		return false;
	}
	/* Held: the id in the file, only to name the holder. */
	n = pread(fd, buf, sizeof buf - 1, 0);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		pid = strtol(buf, &end, 10);
		if (end != buf && pid > 0)
			*holder_pid = pid;
	}
	return true;
}

bool
plat_run_lock_acquire(const char *root, double wait_seconds,
    struct plat_run_lock **lock, long *holder_pid, struct es_err *e)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct plat_run_lock *l = xmalloc(sizeof *l);
	struct sigaction sa, old[3];
	double deadline = plat_monotonic() + wait_seconds;
	bool caught = false, ok = false;
	int rc, again = 0;
	size_t i;

	*lock = NULL;
	*holder_pid = 0;
	l->fd = -1;
	l->path = plat_join_root(root, PLAT_RUN_LOCK_FILE);
	strlist_init(&l->made);
	for (;;) {
		rc = plat_run_lock_try(l, holder_pid, e);
		if (rc == 1) {
			ok = true;
			break;
		}
		if (rc == -1)
			break;
		if (rc == 2) {
			if (++again > 1000) {
				err_set(e, ES_EINSTALL, "cannot take the lock %s:"
				    " it keeps vanishing; is something"
				    " removing files in that folder?", l->path);
				break;
			}
			continue;
		}
		/* Also one that came just before the wait began (between
		 * the caller's first try and this one): it is pending. */
		if (wait_seconds > 0 && plat_signal_count > 0) {
			err_set(e, ES_ECANCEL, "cancelled while waiting for"
			    " the lock %s", l->path);
			break;
		}
		if (plat_monotonic() >= deadline) {
			err_set(e, ES_EBUSY, "process %ld holds the lock %s",
			    *holder_pid, l->path);
			break;
		}
		if (!caught) {
			/* Ctrl-C while waiting cancels the wait (exit 5)
			 * rather than killing the process; the caller's own
			 * handlers come back afterwards. */
			memset(&sa, 0, sizeof sa);
			sa.sa_handler = plat_signal_handler;
			sigemptyset(&sa.sa_mask);
			for (i = 0; i < 3; i++)
				sigaction(sigs[i], &sa, &old[i]);
			caught = true;
		}
		plat_sleep_ms(50);
	}
	if (caught)
		for (i = 0; i < 3; i++)
			sigaction(sigs[i], &old[i], NULL);
	if (!ok) {
		plat_run_lock_unmake(l);
		plat_run_lock_free(l);
		return false;
	}
	*lock = l;
	return true;
}

void
plat_run_lock_release(struct plat_run_lock *l)
{
	char *dir;

	if (l == NULL)
		return;
	/* Still held here, so no other run can be between its flock(2) and
	 * its check that the path is its file. */
	unlink(l->path);
	/* engine-setup's own folder goes once empty, whichever run made it,
	 * as uninstall treats it. */
	dir = xstrdup(l->path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	free(dir);
	plat_run_lock_unmake(l);
	plat_run_lock_free(l);
}

/* ---- A lock on one file, shared with the engine ---- */

struct plat_file_lock {
	int fd;
};

bool
plat_file_lock_acquire(const char *path, double wait_seconds,
    struct plat_file_lock **lock, struct es_err *e)
{
	double deadline = plat_monotonic() + wait_seconds;
	int fd;

	*lock = NULL;
	/* O_NOFOLLOW: a symbolic link planted there is never followed. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY,
	    0600);
	if (fd < 0) {
		err_set(e, ES_EINSTALL, "cannot open the lock %s: %s", path,
		    strerror(errno));
		return false;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err_set(e, ES_EINSTALL, "cannot lock %s: %s", path,
			    strerror(errno));
			close(fd);
			return false;
		}
		if (wait_seconds > 0 && plat_signal_count > 0) {
			err_set(e, ES_ECANCEL, "cancelled while waiting for"
			    " the lock %s", path);
			close(fd);
			return false;
		}
		if (plat_monotonic() >= deadline) {
			err_set(e, ES_EBUSY, "another process holds the lock"
			    " %s", path);
			close(fd);
			return false;
		}
		plat_sleep_ms(50);
	}
	*lock = xmalloc(sizeof **lock);
	(*lock)->fd = fd;
	return true;
}

void
plat_file_lock_release(struct plat_file_lock *lock)
{
	if (lock == NULL)
		return;
	/* Closing the only descriptor gives the flock(2) up. */
	close(lock->fd);
	free(lock);
}
