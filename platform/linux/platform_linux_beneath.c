/* Files beneath a folder, never through a symbolic link (platform.h,
 * "Files beneath a folder"). Each path is opened from a descriptor of the
 * folder: openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS opens the
 * folder that holds the last part in one call; where the kernel has no
 * openat2 (before Linux 5.6, or a seccomp filter that refuses it) the same
 * folder is reached one part at a time with openat(2) O_NOFOLLOW |
 * O_DIRECTORY, which fails with ELOOP on a link. The last part is then
 * used through *at(2) calls that never follow it: O_NOFOLLOW,
 * AT_SYMLINK_NOFOLLOW, renameat(2) and unlinkat(2), which act on a link
 * itself. */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"
#include "platform_linux.h"
#include "util.h"

/* openat2(2): the same number on every architecture (it came after the
 * tables were unified, Linux 5.6); the struct is the kernel's
 * include/uapi/linux/openat2.h, which musl's headers do not carry. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
struct beneath_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define BENEATH_RESOLVE_NO_MAGICLINKS 0x02
#define BENEATH_RESOLVE_NO_SYMLINKS 0x04
#define BENEATH_RESOLVE_BENEATH 0x08

/* 0 once openat2 turned out to be missing: walk from then on. The tests
 * set ES_TEST_NO_OPENAT2 to run the walk where the kernel has openat2. */
static int beneath_have_openat2 = 1;

static bool
beneath_use_openat2(void)
{
	const char *v = getenv("ES_TEST_NO_OPENAT2");

	return beneath_have_openat2 && (v == NULL || *v == '\0');
}

/* False (EINVAL) unless rel is relative, without empty, "." or ".."
 * parts. */
static bool
beneath_rel_ok(const char *rel)
{
	const char *s, *end;
	size_t n;

	if (*rel == '\0' || *rel == '/')
		return false;
	for (s = rel;; s = end + 1) {
		end = s + strcspn(s, "/");
		n = (size_t)(end - s);
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (*end == '\0')
			return true;
	}
}

/* The first part of rel (beneath dfd) that is a symbolic link, into out;
 * false when none is (any more). */
static bool
beneath_find_link(int dfd, const char *rel, char *out, size_t outsz)
{
	char *p = xstrdup(rel), *s = p, c;
	struct stat st;
	bool found = false;

	for (;;) {
		s += strcspn(s, "/");
		c = *s;
		*s = '\0';
		if (fstatat(dfd, p, &st, AT_SYMLINK_NOFOLLOW) != 0)
			break;
		if (S_ISLNK(st.st_mode)) {
			snprintf(out, outsz, "%s", p);
			found = true;
			break;
		}
		if (c == '\0')
			break;
		*s++ = c;
	}
	free(p);
	return found;
}

/* Record why verb ("write", "read", ...) failed on dir/rel. */
static void
beneath_err(struct es_err *e, int dfd, int errnum, const char *verb,
    const char *dir, const char *rel)
{
	char link[PATH_MAX], mnt[PATH_MAX];

	if (e == NULL)
		return;
	if ((errnum == ELOOP || errnum == EXDEV || errnum == ENOTDIR) &&
	    dfd >= 0 && beneath_find_link(dfd, rel, link, sizeof link)) {
		err_set(e, ES_EINSTALL, "cannot %s %s/%s: %s/%s is a symbolic "
		    "link, which engine-setup never follows there, so that a "
		    "link in the payload cannot lead the installer's own files "
		    "elsewhere. A payload may not place a link where the "
		    "installer keeps its files: build it without that link.",
		    verb, dir, rel, dir, link);
		return;
	}
	switch (errnum) {
	case EINVAL:
		err_set(e, ES_EINTERNAL, "cannot %s %s/%s: not a plain "
		    "relative path inside %s", verb, dir, rel, dir);
		break;
	case ENOTDIR:
		err_set(e, ES_EINSTALL, "cannot %s %s/%s: a part of that path "
		    "is a file, not a folder. Move it away, or fix the "
		    "payload that put it there.", verb, dir, rel);
		break;
	case ENOSPC:
	case EDQUOT:
		if (plat_mount_point(dir, mnt, sizeof mnt))
			err_set(e, ES_EINSTALL, "%s on the file system mounted "
			    "at %s (writing %s/%s). Free space on it, or choose "
			    "another install_dir.", errnum == ENOSPC ? "no space "
			    "left" : "disk quota exceeded", mnt, dir, rel);
		else
			err_sys(e, ES_EINSTALL, errnum, "cannot %s %s/%s", verb,
			    dir, rel);
		break;
	default:
		err_sys(e, ES_EINSTALL, errnum, "cannot %s %s/%s", verb, dir,
		    rel);
		break;
	}
}

/* A descriptor of folder part (a single name) beneath dfd, made first
 * (mode, exactly) when missing and mk is set; -1 with errno. */
static int
beneath_step(int dfd, const char *part, bool mk, unsigned mode)
{
	int fd;

	if (mk && mkdirat(dfd, part, (mode_t)mode) == 0) {
		fd = openat(dfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		/* Exactly mode: mkdir(2) narrows it by the umask. */
		if (fd >= 0 && fchmod(fd, (mode_t)mode) != 0) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
		return fd;
	}
	if (mk && errno != EEXIST)
		return -1;
	return openat(dfd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
}

/* A descriptor of the folder that holds rel's last part, beneath dfd, no
 * part of the way a link; *last points at that part in rel. With mk, the
 * missing folders are made (mode). -1 with errno: ELOOP when a part is a
 * link, ENOTDIR when one is a file. */
static int
beneath_parent(int dfd, const char *rel, bool mk, unsigned mode,
    const char **last)
{
	const char *slash = strrchr(rel, '/');
	char *up, *s, *part;
	int fd, next, saved;
	bool end;

	*last = slash != NULL ? slash + 1 : rel;
	if (slash == NULL)
		return fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	up = xstrndup(rel, (size_t)(slash - rel));
	if (beneath_use_openat2()) {
		struct beneath_open_how how;

		memset(&how, 0, sizeof how);
		how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
		how.resolve = BENEATH_RESOLVE_BENEATH |
		    BENEATH_RESOLVE_NO_SYMLINKS | BENEATH_RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, dfd, up, &how, sizeof how);
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM &&
		    errno != E2BIG && !(mk && errno == ENOENT))) {
			free(up);
			return fd;
		}
		if (errno != ENOENT)
			beneath_have_openat2 = 0;
	}
	/* One part at a time. */
	fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	for (part = up; fd >= 0; part = s + 1) {
		s = part + strcspn(part, "/");
		end = *s == '\0';
		*s = '\0';
		next = beneath_step(fd, part, mk, mode);
		saved = errno;
		close(fd);
		fd = next;
		if (fd < 0)
			errno = saved;
		if (fd < 0 || end)
			break;
	}
	free(up);
	return fd;
}

/* dir (the caller's own folder; links in its path are followed) and the
 * folder that holds rel's last part beneath it, open for one operation. */
struct beneath {
	int dfd, pfd;
	const char *last;	/* rel's last part */
	bool missing;		/* a folder on rel's way is missing */
};

/* Open b for verb ("write", "read", ...) on dir/rel; with mk, the missing
 * folders of rel are made (0755). False with e set; or, with quiet_enoent,
 * false with b->missing set and e untouched when a folder on rel's way is
 * missing. beneath_close(b) in every case. */
static bool
beneath_open(struct beneath *b, const char *dir, const char *rel,
    const char *verb, bool mk, bool quiet_enoent, struct es_err *e)
{
	b->dfd = b->pfd = -1;
	b->last = rel;
	b->missing = false;
	if (!beneath_rel_ok(rel)) {
		beneath_err(e, -1, EINVAL, verb, dir, rel);
		return false;
	}
	b->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->dfd < 0) {
		err_sys(e, ES_EINSTALL, errno, "cannot %s %s/%s: cannot open "
		    "folder %s", verb, dir, rel, dir);
		return false;
	}
	b->pfd = beneath_parent(b->dfd, rel, mk, 0755, &b->last);
	if (b->pfd < 0) {
		if (quiet_enoent && errno == ENOENT)
			b->missing = true;
		else
			beneath_err(e, b->dfd, errno, verb, dir, rel);
		return false;
	}
	return true;
}

static void
beneath_close(struct beneath *b)
{
	if (b->pfd >= 0)
		close(b->pfd);
	if (b->dfd >= 0)
		close(b->dfd);
	b->dfd = b->pfd = -1;
}

/* A descriptor of the regular file dir/rel, open for reading through b
 * (beneath_close(b) in every case), its fstat(2) in *st; -1 with e set
 * when it cannot be opened or is not a regular file (a FIFO is opened
 * O_NONBLOCK, so that it is refused at once). */
static int
beneath_open_file(struct beneath *b, const char *dir, const char *rel,
    struct stat *st, struct es_err *e)
{
	int fd;

	if (!beneath_open(b, dir, rel, "read", false, false, e))
		return -1;
	if ((fd = openat(b->pfd, b->last, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY)) < 0 || fstat(fd, st) != 0) {
		beneath_err(e, b->dfd, errno, "read", dir, rel);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		err_set(e, ES_EINSTALL, "cannot read %s/%s: it is not a "
		    "regular file", dir, rel);
		close(fd);
		return -1;
	}
	return fd;
}

bool
plat_write_file_beneath(const char *dir, const char *rel, const void *data,
    size_t len, unsigned mode, struct es_err *e)
{
	struct beneath b;
	const char *stage;
	int err;

	if (!beneath_open(&b, dir, rel, "write", true, false, e)) {
		beneath_close(&b);
		return false;
	}
	/* Beside the file, so that renameat(2) replaces it atomically. */
	err = lx_replace_at(b.pfd, b.last, data, len, mode, &stage);
	if (err != 0)
		beneath_err(e, b.dfd, err, "write", dir, rel);
	beneath_close(&b);
	return err == 0;
}

char *
plat_read_file_beneath(const char *dir, const char *rel, size_t max,
    size_t *len, struct es_err *e)
{
	struct beneath b;
	struct stat st;
	char *buf = NULL;
	size_t used = 0, cap;
	ssize_t n;
	int fd = -1;

	if ((fd = beneath_open_file(&b, dir, rel, &st, e)) < 0)
		goto out;
	if ((uintmax_t)st.st_size > max)
		goto too_big;
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (used == cap) {
			if (cap > max)
				goto too_big;
			cap = cap > max / 2 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			beneath_err(e, b.dfd, errno, "read", dir, rel);
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max)
		goto too_big;
	buf[used] = '\0';
	if (len != NULL)
		*len = used;
	goto out;
too_big:
	err_set(e, ES_EINSTALL, "cannot read %s/%s: it is larger than the %zu "
	    "bytes expected", dir, rel, max);
fail:
	free(buf);
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	beneath_close(&b);
	return buf;
}

FILE *
plat_fopen_beneath(const char *dir, const char *rel, struct es_err *e)
{
	struct beneath b;
	struct stat st;
	FILE *f = NULL;
	int fd = -1;

	if ((fd = beneath_open_file(&b, dir, rel, &st, e)) < 0)
		goto out;
	if ((f = fdopen(fd, "rb")) == NULL)
		err_sys(e, ES_EINSTALL, errno, "cannot read %s/%s", dir, rel);
	else
		fd = -1;
out:
	if (fd >= 0)
		close(fd);
	beneath_close(&b);
	return f;
}

bool
plat_chmod_beneath(const char *dir, const char *rel, unsigned mode,
    struct es_err *e)
{
	struct beneath b;
	int fd = -1;
	bool ok = false;

	/* O_NONBLOCK: a FIFO opens at once; fchmod(2) needs no more. */
	if (beneath_open(&b, dir, rel, "set the mode of", false, false, e)) {
		if ((fd = openat(b.pfd, b.last, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) < 0 ||
		    fchmod(fd, (mode_t)(mode & 07777)) != 0)
			beneath_err(e, b.dfd, errno, "set the mode of", dir,
			    rel);
		else
			ok = true;
	}
	if (fd >= 0)
		close(fd);
	beneath_close(&b);
	return ok;
}

enum plat_ftype
plat_file_type_beneath(const char *dir, const char *rel)
{
	enum plat_ftype t = PLAT_NONE;
	struct beneath b;
	struct stat st;

	if (beneath_open(&b, dir, rel, "look at", false, true, NULL) &&
	    fstatat(b.pfd, b.last, &st, AT_SYMLINK_NOFOLLOW) == 0)
		t = S_ISREG(st.st_mode) ? PLAT_FILE :
		    S_ISDIR(st.st_mode) ? PLAT_DIR :
		    S_ISLNK(st.st_mode) ? PLAT_LINK : PLAT_OTHER;
	beneath_close(&b);
	return t;
}

bool
plat_remove_beneath(const char *dir, const char *rel, bool *removed,
    struct es_err *e)
{
	struct beneath b;
	struct stat st;
	bool ok = false;

	*removed = false;
	if (!beneath_open(&b, dir, rel, "remove", false, true, e)) {
		/* A missing folder on the way: nothing to remove. */
		ok = b.missing;
		goto out;
	}
	if (fstatat(b.pfd, b.last, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			ok = true;
		else
			beneath_err(e, b.dfd, errno, "remove", dir, rel);
		goto out;
	}
	if (unlinkat(b.pfd, b.last, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) !=
	    0) {
		if (errno == ENOTEMPTY || errno == EEXIST)
			err_set(e, ES_EINSTALL, "cannot remove folder %s/%s: it "
			    "is not empty; something else put files there. "
			    "Move them away and remove it yourself.", dir, rel);
		else
			beneath_err(e, b.dfd, errno, "remove", dir, rel);
		goto out;
	}
	*removed = true;
	ok = true;
out:
	beneath_close(&b);
	return ok;
}
