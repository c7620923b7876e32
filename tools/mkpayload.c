/* mkpayload: pack a payload tree (manifest, licence, component folders) into
 * a meta and a data archive and append both, with a trailer, to the
 * engine-setup stub (layout: installer/payload.h). A build-time host tool,
 * so it uses POSIX directly. */

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "install.h"
#include "manifest.h"
#include "payload.h"
#include "strlist.h"
#include "util.h"

#define MKPAYLOAD_MANIFEST_MAX (1u << 20)
#define MKPAYLOAD_BUF (64u * 1024u)

struct mkpayload_opts {
	const char *stub;
	const char *tree;
	const char *out;
	const char *level;        /* zstd level, as text for libarchive */
	long long mtime;          /* of every entry */
};

/* Where archive bytes go: appended to the output and hashed. */
struct mkpayload_sink {
	FILE *fp;
	const char *path;
	EVP_MD_CTX *md;
	uint64_t n;
	int err;
};

/* What the data archive holds, for the trailer. */
struct mkpayload_count {
	uint64_t files;
	uint64_t bytes;
};

static void
mkpayload_usage(void)
{
	fprintf(stderr, "usage: mkpayload --stub STUB --tree DIR --out OUT "
	    "[--level N]\n");
	exit(2);
}

/* Read a whole small file; NULL with an error when missing or too big. */
static char *
mkpayload_read(const char *path, size_t max, size_t *len, struct es_err *e)
{
	FILE *fp;
	struct sbuf b;
	char buf[MKPAYLOAD_BUF];
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL) {
		err_sys(e, ES_EUSAGE, errno, "cannot open %s", path);
		return NULL;
	}
	sbuf_init(&b);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		sbuf_addn(&b, buf, n);
		if (b.len > max) {
			err_set(e, ES_EUSAGE, "%s: larger than %zu bytes",
			    path, max);
			goto fail;
		}
	}
	if (ferror(fp)) {
		err_sys(e, ES_EUSAGE, errno, "cannot read %s", path);
		goto fail;
	}
	fclose(fp);
	*len = b.len;
	return sbuf_detach(&b);
fail:
	fclose(fp);
	sbuf_free(&b);
	return NULL;
}

static la_ssize_t
mkpayload_write_cb(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct mkpayload_sink *s = arg;

	if (fwrite(buf, 1, len, s->fp) != len) {
		s->err = errno;
		archive_set_error(a, errno, "cannot write %s", s->path);
		return -1;
	}
	EVP_DigestUpdate(s->md, buf, len);
	s->n += len;
	return (la_ssize_t)len;
}

static void
mkpayload_sink_start(struct mkpayload_sink *s)
{
	s->n = 0;
	if (EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1)
		fatal("SHA-256 is not available");
}

/* A new uncompressed or zstd pax writer that appends to the sink. */
static struct archive *
mkpayload_writer(struct mkpayload_sink *s, const char *level,
    struct es_err *e)
{
	struct archive *a = archive_write_new();

	if (a == NULL)
		fatal("out of memory (libarchive)");
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (level != NULL) {
		if (archive_write_add_filter_zstd(a) < ARCHIVE_WARN ||
		    archive_write_set_filter_option(a, "zstd",
		    "compression-level", level) != ARCHIVE_OK) {
			err_set(e, ES_EUSAGE, "zstd level %s: %s", level,
			    archive_error_string(a));
			goto fail;
		}
	}
	if (archive_write_open(a, s, NULL, mkpayload_write_cb, NULL) !=
	    ARCHIVE_OK) {
		err_set(e, ES_EINTERNAL, "%s: %s", s->path,
		    archive_error_string(a));
		goto fail;
	}
	return a;
fail:
	archive_write_free(a);
	return NULL;
}

/* Close a writer, flushing what it buffered into the sink. */
static bool
mkpayload_writer_close(struct archive *a, struct mkpayload_sink *s,
    struct es_err *e)
{
	bool ok = true;

	if (archive_write_close(a) != ARCHIVE_OK) {
		err_set(e, ES_EINTERNAL, "%s: %s", s->path,
		    archive_error_string(a));
		ok = false;
	}
	archive_write_free(a);
	return ok;
}

/* A new entry with the fixed owner and time. */
static struct archive_entry *
mkpayload_entry(const char *name, unsigned type, unsigned perm,
    long long mtime)
{
	struct archive_entry *ent = archive_entry_new();

	if (ent == NULL)
		fatal("out of memory (libarchive)");
	archive_entry_set_pathname(ent, name);
	archive_entry_set_filetype(ent, type);
	archive_entry_set_perm(ent, perm);
	archive_entry_set_mtime(ent, (time_t)mtime, 0);
	archive_entry_set_uid(ent, 0);
	archive_entry_set_gid(ent, 0);
	archive_entry_set_uname(ent, "root");
	archive_entry_set_gname(ent, "root");
	return ent;
}

/* Add an in-memory file to a writer. */
static bool
mkpayload_add_text(struct archive *a, const char *name, const char *text,
    size_t len, long long mtime, struct es_err *e)
{
	struct archive_entry *ent;
	bool ok = false;

	ent = mkpayload_entry(name, AE_IFREG, 0644, mtime);
	archive_entry_set_size(ent, (la_int64_t)len);
	if (archive_write_header(a, ent) != ARCHIVE_OK ||
	    (len > 0 && archive_write_data(a, text, len) != (la_ssize_t)len)) {
		err_set(e, ES_EINTERNAL, "meta archive: %s: %s", name,
		    archive_error_string(a));
		goto out;
	}
	ok = true;
out:
	archive_entry_free(ent);
	return ok;
}

/* Write the meta archive: manifest and licence. */
static bool
mkpayload_meta(struct mkpayload_sink *s, const struct mkpayload_opts *o,
    const struct manifest *m, const char *mtext, size_t mlen,
    struct es_err *e)
{
	struct archive *a;
	char *lpath = NULL, *ltext = NULL;
	size_t llen;
	bool ok = false;

	if ((a = mkpayload_writer(s, NULL, e)) == NULL)
		return false;
	if (!mkpayload_add_text(a, "manifest", mtext, mlen, o->mtime, e))
		goto out;
	if (m->license != NULL) {
		lpath = xasprintf("%s/%s", o->tree, m->license);
		ltext = mkpayload_read(lpath, PAYLOAD_META_MAX, &llen, e);
		if (ltext == NULL) {
			err_set(e, ES_EUSAGE, "the manifest's license key "
			    "names %s", m->license);
			goto out;
		}
		if (!mkpayload_add_text(a, m->license, ltext, llen, o->mtime,
		    e))
			goto out;
	}
	ok = true;
out:
	if (!mkpayload_writer_close(a, s, e))
		ok = false;
	free(ltext);
	free(lpath);
	return ok;
}

/* Collect rel and, for a folder, everything below it. */
static bool
mkpayload_walk(const char *tree, const char *rel, struct strlist *out,
    struct es_err *e)
{
	char *full = xasprintf("%s/%s", tree, rel), *sub;
	const char *why;
	struct dirent *d;
	struct stat st;
	DIR *dir = NULL;
	bool ok = false;

	if ((why = payload_path_problem(rel)) != NULL) {
		err_set(e, ES_EUSAGE, "%s: cannot pack this name: %s", full,
		    why);
		goto out;
	}
	if (lstat(full, &st) != 0) {
		err_sys(e, ES_EUSAGE, errno, "cannot stat %s", full);
		goto out;
	}
	strlist_add(out, rel);
	if (!S_ISDIR(st.st_mode)) {
		ok = true;
		goto out;
	}
	if ((dir = opendir(full)) == NULL) {
		err_sys(e, ES_EUSAGE, errno, "cannot open folder %s", full);
		goto out;
	}
	for (;;) {
		errno = 0;
		if ((d = readdir(dir)) == NULL)
			break;
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", rel, d->d_name);
		ok = mkpayload_walk(tree, sub, out, e);
		free(sub);
		if (!ok)
			goto out;
	}
	if (errno != 0) {
		err_sys(e, ES_EUSAGE, errno, "cannot read folder %s", full);
		ok = false;
		goto out;
	}
	ok = true;
out:
	if (dir != NULL)
		closedir(dir);
	free(full);
	return ok;
}

static int
mkpayload_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Copy a file's content into the archive. */
static bool
mkpayload_copy(struct archive *a, const char *full, uint64_t size,
    struct es_err *e)
{
	char *buf = xmalloc(MKPAYLOAD_BUF);
	uint64_t done = 0;
	FILE *fp;
	size_t n;
	bool ok = false;

	if ((fp = fopen(full, "rb")) == NULL) {
		err_sys(e, ES_EUSAGE, errno, "cannot open %s", full);
		goto out;
	}
	while ((n = fread(buf, 1, MKPAYLOAD_BUF, fp)) > 0) {
		if (done + n > size)
			break;
		if (archive_write_data(a, buf, n) != (la_ssize_t)n) {
			err_set(e, ES_EINTERNAL, "%s: %s", full,
			    archive_error_string(a));
			goto out;
		}
		done += n;
	}
	if (ferror(fp)) {
		err_sys(e, ES_EUSAGE, errno, "cannot read %s", full);
		goto out;
	}
	if (done != size || n > 0) {
		err_set(e, ES_EUSAGE, "%s changed while it was packed", full);
		goto out;
	}
	ok = true;
out:
	if (fp != NULL)
		fclose(fp);
	free(buf);
	return ok;
}

/* Add one path of the tree to the data archive. */
static bool
mkpayload_add(struct archive *a, const struct mkpayload_opts *o,
    const char *rel, struct mkpayload_count *c, struct es_err *e)
{
	char *full = xasprintf("%s/%s", o->tree, rel);
	char target[PATH_MAX];
	struct archive_entry *ent = NULL;
	struct stat st;
	ssize_t n;
	bool ok = false;

	if (lstat(full, &st) != 0) {
		err_sys(e, ES_EUSAGE, errno, "cannot stat %s", full);
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		ent = mkpayload_entry(rel, AE_IFDIR, 0755, o->mtime);
	else if (S_ISREG(st.st_mode)) {
		ent = mkpayload_entry(rel, AE_IFREG,
		    (st.st_mode & 0111) != 0 ? 0755 : 0644, o->mtime);
		archive_entry_set_size(ent, st.st_size);
	} else if (S_ISLNK(st.st_mode)) {
		n = readlink(full, target, sizeof target - 1);
		if (n < 0) {
			err_sys(e, ES_EUSAGE, errno, "cannot read link %s",
			    full);
			goto out;
		}
		target[n] = '\0';
		ent = mkpayload_entry(rel, AE_IFLNK, 0777, o->mtime);
		archive_entry_set_symlink(ent, target);
	} else {
		err_set(e, ES_EUSAGE, "%s: not a file, folder or symbolic "
		    "link (a device, FIFO or socket cannot be packed)", full);
		goto out;
	}
	if (archive_write_header(a, ent) != ARCHIVE_OK) {
		err_set(e, ES_EINTERNAL, "%s: %s", full,
		    archive_error_string(a));
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		if (!mkpayload_copy(a, full, (uint64_t)st.st_size, e))
			goto out;
		c->files++;
		c->bytes += (uint64_t)st.st_size;
	}
	ok = true;
out:
	archive_entry_free(ent);
	free(full);
	return ok;
}

/* What an installation of each component would get from paths (sorted,
 * as they are packed), checked as the installer checks it: no name twice,
 * nothing inside a link, no link that leaves install_dir or resolves
 * through another link (payload_tree_add()), whether the link's target
 * exists here or not. */
static bool
mkpayload_check(const struct mkpayload_opts *o, const struct manifest *m,
    const struct strlist *paths, struct es_err *e)
{
	const char *comps[MANIFEST_MAX_COMPONENTS + 1];
	struct payload_tree *t = NULL;
	char target[PATH_MAX], why[1024], *full = NULL;
	struct stat st;
	unsigned i, j;
	size_t k, top;
	ssize_t n;
	bool ok = false;

	for (i = 0; i < m->ncomp; i++) {
		install_components(m, m->comp[i].name, comps);
		payload_tree_free(t);
		t = payload_tree_new();
		for (k = 0; k < paths->n; k++) {
			const char *p = paths->v[k];
			char type;

			top = strcspn(p, "/");
			for (j = 0; comps[j] != NULL; j++)
				if (strlen(comps[j]) == top &&
				    strncmp(comps[j], p, top) == 0)
					break;
			if (comps[j] == NULL || p[top] == '\0')
				continue;
			free(full);
			full = xasprintf("%s/%s", o->tree, p);
			if (lstat(full, &st) != 0) {
				err_sys(e, ES_EUSAGE, errno, "cannot stat %s",
				    full);
				goto out;
			}
			type = S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ?
			    'l' : 'f';
			if (type == 'l') {
				n = readlink(full, target, sizeof target - 1);
				if (n < 0) {
					err_sys(e, ES_EUSAGE, errno, "cannot "
					    "read link %s", full);
					goto out;
				}
				target[n] = '\0';
			}
			if (payload_tree_add(t, p + top + 1, type, type == 'l' ?
			    target : NULL, j, why, sizeof why) ==
			    PAYLOAD_TREE_REFUSED) {
				struct sbuf dirs;

				sbuf_init(&dirs);
				for (j = 0; comps[j] != NULL; j++)
					sbuf_addf(&dirs, "%s%s/", j == 0 ? "" :
					    comps[j + 1] == NULL ? " and " :
					    ", ", comps[j]);
				err_set(e, ES_EUSAGE, "%s: cannot pack it: %s "
				    "(component %s unpacks %s into one "
				    "install_dir)", full, why, m->comp[i].name,
				    dirs.s);
				sbuf_free(&dirs);
				goto out;
			}
		}
	}
	ok = true;
out:
	payload_tree_free(t);
	free(full);
	return ok;
}

/* Write the data archive: every component folder, sorted by path. */
static bool
mkpayload_data(struct mkpayload_sink *s, const struct mkpayload_opts *o,
    const struct manifest *m, struct mkpayload_count *c, struct es_err *e)
{
	struct strlist paths;
	struct archive *a = NULL;
	struct stat st;
	char *full;
	unsigned i;
	size_t j;
	bool ok = false;

	strlist_init(&paths);
	for (i = 0; i < m->ncomp; i++) {
		full = xasprintf("%s/%s", o->tree, m->comp[i].dir);
		if (lstat(full, &st) != 0 || !S_ISDIR(st.st_mode)) {
			err_set(e, ES_EUSAGE, "%s: not a folder, but the "
			    "manifest's component.%s.dir names it", full,
			    m->comp[i].name);
			free(full);
			goto out;
		}
		free(full);
		if (!mkpayload_walk(o->tree, m->comp[i].dir, &paths, e))
			goto out;
	}
	if (paths.n > 0)
		qsort(paths.v, paths.n, sizeof *paths.v, mkpayload_cmp);
	if (!mkpayload_check(o, m, &paths, e))
		goto out;

	if ((a = mkpayload_writer(s, o->level, e)) == NULL)
		goto out;
	for (j = 0; j < paths.n; j++)
		if (!mkpayload_add(a, o, paths.v[j], c, e))
			goto out;
	ok = true;
out:
	if (a != NULL && !mkpayload_writer_close(a, s, e))
		ok = false;
	strlist_free(&paths);
	return ok;
}

/* Copy the stub, without the payload it may already carry. */
static bool
mkpayload_stub(FILE *out, const struct mkpayload_opts *o, uint64_t *len,
    struct es_err *e)
{
	struct payload old;
	struct es_err ignored;
	uint64_t want = UINT64_MAX;
	char *buf = xmalloc(MKPAYLOAD_BUF);
	FILE *fp;
	size_t n;
	bool ok = false;

	memset(&ignored, 0, sizeof ignored);
	if (payload_open(&old, o->stub, &ignored)) {
		want = old.t.meta_off;
		payload_close(&old);
	}
	*len = 0;
	if ((fp = fopen(o->stub, "rb")) == NULL) {
		err_sys(e, ES_EUSAGE, errno, "cannot open %s", o->stub);
		goto out;
	}
	while (*len < want && (n = fread(buf, 1, want - *len < MKPAYLOAD_BUF ?
	    (size_t)(want - *len) : MKPAYLOAD_BUF, fp)) > 0) {
		if (fwrite(buf, 1, n, out) != n) {
			err_sys(e, ES_EINTERNAL, errno, "cannot write %s.tmp",
			    o->out);
			goto out;
		}
		*len += n;
	}
	if (ferror(fp)) {
		err_sys(e, ES_EUSAGE, errno, "cannot read %s", o->stub);
		goto out;
	}
	ok = true;
out:
	if (fp != NULL)
		fclose(fp);
	free(buf);
	return ok;
}

/* Build tmp from the options; the caller renames it. */
static bool
mkpayload_run(const struct mkpayload_opts *o, const char *tmp,
    struct es_err *e)
{
	struct manifest m;
	struct mkpayload_sink s;
	struct mkpayload_count c;
	struct payload_trailer t;
	unsigned char trailer[PAYLOAD_TRAILER_SIZE];
	char *mpath, *mtext;
	size_t mlen;
	bool ok = false, parsed = false;

	memset(&s, 0, sizeof s);
	memset(&c, 0, sizeof c);
	memset(&t, 0, sizeof t);
	mpath = xasprintf("%s/manifest", o->tree);
	if ((mtext = mkpayload_read(mpath, MKPAYLOAD_MANIFEST_MAX, &mlen,
	    e)) == NULL)
		goto out;
	if (!manifest_parse(&m, mtext, mlen, mpath, e))
		goto out;
	parsed = true;

	if ((s.fp = fopen(tmp, "wb")) == NULL) {
		err_sys(e, ES_EINTERNAL, errno, "cannot create %s", tmp);
		goto out;
	}
	s.path = tmp;
	if ((s.md = EVP_MD_CTX_new()) == NULL)
		fatal("out of memory (EVP_MD_CTX)");
	if (!mkpayload_stub(s.fp, o, &t.meta_off, e))
		goto out;

	mkpayload_sink_start(&s);
	if (!mkpayload_meta(&s, o, &m, mtext, mlen, e))
		goto out;
	t.meta_len = s.n;
	EVP_DigestFinal_ex(s.md, t.meta_sha256, NULL);
	if (t.meta_len > PAYLOAD_META_MAX) {
		err_set(e, ES_EUSAGE, "%s: manifest and licence take %llu "
		    "bytes, more than the %u a meta archive may hold", o->tree,
		    (unsigned long long)t.meta_len, PAYLOAD_META_MAX);
		goto out;
	}

	t.data_off = t.meta_off + t.meta_len;
	mkpayload_sink_start(&s);
	if (!mkpayload_data(&s, o, &m, &c, e))
		goto out;
	t.data_len = s.n;
	t.data_files = c.files;
	t.data_bytes = c.bytes;
	EVP_DigestFinal_ex(s.md, t.data_sha256, NULL);

	payload_trailer_encode(&t, trailer);
	if (fwrite(trailer, 1, sizeof trailer, s.fp) != sizeof trailer ||
	    fflush(s.fp) != 0 || fsync(fileno(s.fp)) != 0) {
		err_sys(e, ES_EINTERNAL, errno, "cannot write %s", tmp);
		goto out;
	}
	ok = true;
out:
	if (s.fp != NULL && fclose(s.fp) != 0 && ok) {
		err_sys(e, ES_EINTERNAL, errno, "cannot write %s", tmp);
		ok = false;
	}
	EVP_MD_CTX_free(s.md);
	if (parsed)
		manifest_free(&m);
	free(mtext);
	free(mpath);
	return ok;
}

/* The entries' time: SOURCE_DATE_EPOCH (reproducible-builds.org) or 0. */
static bool
mkpayload_mtime(long long *out)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;

	*out = 0;
	if (s == NULL || *s == '\0')
		return true;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' && *out >= 0;
}

int
main(int argc, char **argv)
{
	struct mkpayload_opts o;
	struct es_err e;
	const char **slot;
	char *tmp, *end;
	long level;
	int i;

	memset(&o, 0, sizeof o);
	memset(&e, 0, sizeof e);
	o.level = "3";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stub") == 0)
			slot = &o.stub;
		else if (strcmp(argv[i], "--tree") == 0)
			slot = &o.tree;
		else if (strcmp(argv[i], "--out") == 0)
			slot = &o.out;
		else if (strcmp(argv[i], "--level") == 0)
			slot = &o.level;
		else {
			fprintf(stderr, "mkpayload: unknown argument %s\n",
			    argv[i]);
			mkpayload_usage();
		}
		if (++i == argc)
			mkpayload_usage();
		*slot = argv[i];
	}
	if (o.stub == NULL || o.tree == NULL || o.out == NULL)
		mkpayload_usage();
	errno = 0;
	level = strtol(o.level, &end, 10);
	if (errno != 0 || *end != '\0' || level < 1 || level > 22) {
		fprintf(stderr, "mkpayload: --level %s: expected a zstd level "
		    "from 1 to 22\n", o.level);
		return 2;
	}
	if (!mkpayload_mtime(&o.mtime)) {
		fprintf(stderr, "mkpayload: SOURCE_DATE_EPOCH=%s is not a "
		    "number of seconds\n", getenv("SOURCE_DATE_EPOCH"));
		return 2;
	}

	tmp = xasprintf("%s.tmp", o.out);
	if (!mkpayload_run(&o, tmp, &e))
		goto fail;
	if (chmod(tmp, 0755) != 0) {
		err_sys(&e, ES_EINTERNAL, errno, "cannot chmod %s", tmp);
		goto fail;
	}
	if (rename(tmp, o.out) != 0) {
		err_sys(&e, ES_EINTERNAL, errno, "cannot rename %s to %s", tmp,
		    o.out);
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	fprintf(stderr, "mkpayload: %s\n", e.msg);
	remove(tmp);
	free(tmp);
	return 1;
}
