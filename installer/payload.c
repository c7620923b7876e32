#include "payload.h"

#include <archive.h>
#include <archive_entry.h>
#include <zstd.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "util.h"

#define PAYLOAD_FORMAT 1
#define PAYLOAD_CHUNK (1u << 20)           /* read size, and progress step */
#define PAYLOAD_MANIFEST "manifest"
#define PAYLOAD_AGAIN "download the installer again"

/* A byte range of the payload file, read in chunks and hashed as it goes. */
struct payload_reader {
	FILE *fp;
	const char *path;
	uint64_t left;            /* bytes of the range not yet read */
	unsigned char *buf;       /* PAYLOAD_CHUNK bytes */
	EVP_MD_CTX *md;
	int err;                  /* errno of a failed read; -1: file too short */
};

struct payload_dec;
static void payload_dec_join(struct payload_dec *d);

/* One extraction in progress. */
struct payload_x {
	const struct payload *p;
	const struct payload_extract_opts *o;
	struct archive *a;        /* reads the data archive */
	struct archive *w;        /* writes to disk */
	EVP_MD_CTX *file_md;      /* hash of the current file */
	struct payload_progress pr;
	uint64_t since;           /* bytes since the last progress call */
	struct es_err *e;
	struct payload_dec *dec;  /* the decompression thread */
	struct payload_tree *tree;    /* the names written so far */
};

static void
payload_put32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
payload_put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
payload_get32(const unsigned char *p)
{
	uint32_t v = 0;
	int i;

	for (i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t
payload_get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void
payload_trailer_encode(const struct payload_trailer *t,
    unsigned char out[PAYLOAD_TRAILER_SIZE])
{
	memset(out, 0, PAYLOAD_TRAILER_SIZE);
	memcpy(out, PAYLOAD_MAGIC, 8);
	payload_put32(out + 8, PAYLOAD_FORMAT);
	payload_put32(out + 12, 0);
	payload_put64(out + 16, t->meta_off);
	payload_put64(out + 24, t->meta_len);
	payload_put64(out + 32, t->data_off);
	payload_put64(out + 40, t->data_len);
	payload_put64(out + 48, t->data_files);
	payload_put64(out + 56, t->data_bytes);
	memcpy(out + 64, t->meta_sha256, 32);
	memcpy(out + 96, t->data_sha256, 32);
}

bool
payload_trailer_decode(const unsigned char in[PAYLOAD_TRAILER_SIZE],
    struct payload_trailer *t)
{
	memset(t, 0, sizeof *t);
	if (memcmp(in, PAYLOAD_MAGIC, 8) != 0 ||
	    payload_get32(in + 8) != PAYLOAD_FORMAT)
		return false;
	t->meta_off = payload_get64(in + 16);
	t->meta_len = payload_get64(in + 24);
	t->data_off = payload_get64(in + 32);
	t->data_len = payload_get64(in + 40);
	t->data_files = payload_get64(in + 48);
	t->data_bytes = payload_get64(in + 56);
	memcpy(t->meta_sha256, in + 64, 32);
	memcpy(t->data_sha256, in + 96, 32);

	/* stub | meta | data | trailer, in that order and without gaps. */
	if (t->meta_len == 0 || t->meta_len > PAYLOAD_META_MAX ||
	    t->data_len == 0)
		return false;
	if (t->meta_off > UINT64_MAX - t->meta_len ||
	    t->meta_off + t->meta_len != t->data_off)
		return false;
	if (t->data_len > UINT64_MAX - PAYLOAD_TRAILER_SIZE ||
	    t->data_off > UINT64_MAX - PAYLOAD_TRAILER_SIZE - t->data_len)
		return false;
	return true;
}

/* Open path at offset for reading. */
static FILE *
payload_fopen(const char *path, uint64_t off, struct es_err *e)
{
	FILE *fp;

	if ((fp = plat_fopen_regular(path, "rb", e)) == NULL)
		return NULL;
	if (off > INT64_MAX || fseeko(fp, (off_t)off, SEEK_SET) != 0) {
		err_sys(e, ES_EINSTALL, errno, "cannot seek in %s", path);
		fclose(fp);
		return NULL;
	}
	return fp;
}

/* Find the trailer that ends the payload: it ends at end, or up to
 * padding zero bytes before it (plat_payload_end). Sets *tend to where it
 * ends and fills buf with it; false when there is none. */
static bool
payload_find_trailer(FILE *fp, uint64_t end, unsigned padding,
    unsigned char buf[PAYLOAD_TRAILER_SIZE], uint64_t *tend)
{
	unsigned char win[PAYLOAD_TRAILER_SIZE + 8];
	uint64_t start;
	size_t n;
	unsigned k;

	if (padding > sizeof win - PAYLOAD_TRAILER_SIZE)
		padding = sizeof win - PAYLOAD_TRAILER_SIZE;
	if (end < PAYLOAD_TRAILER_SIZE)
		return false;
	if (end - PAYLOAD_TRAILER_SIZE < padding)
		padding = (unsigned)(end - PAYLOAD_TRAILER_SIZE);
	start = end - PAYLOAD_TRAILER_SIZE - padding;
	n = PAYLOAD_TRAILER_SIZE + padding;
	if (start > INT64_MAX || fseeko(fp, (off_t)start, SEEK_SET) != 0 ||
	    fread(win, 1, n, fp) != n)
		return false;
	/* win holds [start, end): the trailer, then k zero bytes. */
	for (k = 0; k <= padding; k++) {
		if (k > 0 && win[n - k] != 0)
			return false;
		if (memcmp(win + n - k - PAYLOAD_TRAILER_SIZE, PAYLOAD_MAGIC,
		    8) == 0) {
			memcpy(buf, win + n - k - PAYLOAD_TRAILER_SIZE,
			    PAYLOAD_TRAILER_SIZE);
			*tend = end - k;
			return true;
		}
	}
	return false;
}

bool
payload_open(struct payload *p, const char *path, struct es_err *e)
{
	unsigned char buf[PAYLOAD_TRAILER_SIZE];
	struct payload_trailer t;
	FILE *fp = NULL;
	off_t size;
	uint64_t end, tend;
	unsigned padding;
	bool ok = false;

	memset(p, 0, sizeof *p);
	if ((fp = payload_fopen(path, 0, e)) == NULL)
		goto out;
	if (fseeko(fp, 0, SEEK_END) != 0 || (size = ftello(fp)) < 0) {
		err_sys(e, ES_EINSTALL, errno, "cannot seek in %s", path);
		goto out;
	}
	/* A signature (Windows) may follow the payload. */
	if (!plat_payload_end(fp, path, (uint64_t)size, &end, &padding, e))
		goto out;
	if (!payload_find_trailer(fp, end, padding, buf, &tend)) {
		err_set(e, ES_EINSTALL, "%s carries no payload at its end: "
		    "the file is incomplete or damaged (download it again and "
		    "check it with 'sha256sum -c SHA256SUMS'), or it is "
		    "engine-setup-stub, which has none (build the "
		    "engine-setup-installer target)", path);
		goto out;
	}
	if (!payload_trailer_decode(buf, &t)) {
		err_set(e, ES_EINSTALL, "%s: the payload trailer is damaged or "
		    "of an unknown format: %s", path, PAYLOAD_AGAIN);
		goto out;
	}
	if (t.data_off + t.data_len + PAYLOAD_TRAILER_SIZE != tend) {
		err_set(e, ES_EINSTALL, "%s: its payload ends at byte %llu but "
		    "its payload trailer expects %llu: the file is truncated "
		    "or was changed; %s", path, (unsigned long long)tend,
		    (unsigned long long)(t.data_off + t.data_len +
		    PAYLOAD_TRAILER_SIZE), PAYLOAD_AGAIN);
		goto out;
	}
	p->path = xstrdup(path);
	p->file_size = (uint64_t)size;
	p->t = t;
	ok = true;
out:
	if (fp != NULL)
		fclose(fp);
	return ok;
}

void
payload_close(struct payload *p)
{
	free(p->path);
	memset(p, 0, sizeof *p);
}

static bool
payload_reader_open(struct payload_reader *r, const struct payload *p,
    uint64_t off, uint64_t len, struct es_err *e)
{
	memset(r, 0, sizeof *r);
	r->path = p->path;
	r->left = len;
	if ((r->fp = payload_fopen(p->path, off, e)) == NULL)
		return false;
	r->buf = xmalloc(PAYLOAD_CHUNK);
	if ((r->md = EVP_MD_CTX_new()) == NULL)
		fatal("out of memory (EVP_MD_CTX)");
	if (EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1)
		fatal("SHA-256 is not available");
	return true;
}

/* Read and hash the next chunk of the range; 0 at its end or on error
 * (r->err set). */
static size_t
payload_reader_next(struct payload_reader *r)
{
	size_t want, n;

	if (r->left == 0 || r->err != 0)
		return 0;
	want = r->left < PAYLOAD_CHUNK ? (size_t)r->left : PAYLOAD_CHUNK;
	n = fread(r->buf, 1, want, r->fp);
	if (n == 0) {
		r->err = ferror(r->fp) ? errno : -1;
		if (r->err == 0)
			r->err = -1;
		return 0;
	}
	EVP_DigestUpdate(r->md, r->buf, n);
	r->left -= n;
	return n;
}

/* Read what is left of the range and finish the hash. */
static bool
payload_reader_finish(struct payload_reader *r, unsigned char sha[32],
    struct es_err *e)
{
	while (payload_reader_next(r) > 0)
		;
	if (r->err != 0) {
		if (r->err > 0)
			err_sys(e, ES_EINSTALL, r->err, "cannot read %s",
			    r->path);
		else
			err_set(e, ES_EINSTALL, "cannot read %s: the file "
			    "ends early; %s", r->path, PAYLOAD_AGAIN);
		return false;
	}
	EVP_DigestFinal_ex(r->md, sha, NULL);
	return true;
}

static void
payload_reader_close(struct payload_reader *r)
{
	if (r->fp != NULL)
		fclose(r->fp);
	EVP_MD_CTX_free(r->md);
	free(r->buf);
	memset(r, 0, sizeof *r);
}

/* Compare a computed hash with the trailer's. */
static bool
payload_hash_check(const struct payload *p, const char *what,
    const unsigned char want[32], const unsigned char got[32],
    struct es_err *e)
{
	char whex[65], ghex[65];

	if (memcmp(want, got, 32) == 0)
		return true;
	hex_encode(want, 32, whex);
	hex_encode(got, 32, ghex);
	err_set(e, ES_EINSTALL, "the payload of %s is corrupt: its %s has "
	    "SHA-256 %s, expected %s; %s", p->path, what, ghex, whex,
	    PAYLOAD_AGAIN);
	return false;
}

/* Hash a range of the payload file. */
static bool
payload_hash_range(const struct payload *p, uint64_t off, uint64_t len,
    unsigned char sha[32], struct es_err *e)
{
	struct payload_reader r;
	bool ok;

	if (!payload_reader_open(&r, p, off, len, e))
		return false;
	ok = payload_reader_finish(&r, sha, e);
	payload_reader_close(&r);
	return ok;
}

bool
payload_verify(const struct payload *p, struct es_err *e)
{
	unsigned char sha[32];

	if (!payload_hash_range(p, p->t.meta_off, p->t.meta_len, sha, e) ||
	    !payload_hash_check(p, "meta archive", p->t.meta_sha256, sha, e))
		return false;
	if (!payload_hash_range(p, p->t.data_off, p->t.data_len, sha, e) ||
	    !payload_hash_check(p, "data archive", p->t.data_sha256, sha, e))
		return false;
	return true;
}

/* Find the regular file name in the meta archive held in buf; returns its
 * text, NUL-terminated (caller frees), or NULL with an error. */
static char *
payload_meta_file(const struct payload *p, const void *buf, size_t len,
    const char *name, size_t *outlen, struct es_err *e)
{
	struct archive *a;
	struct archive_entry *ent;
	char *text = NULL;
	la_ssize_t n;
	size_t size, got = 0;
	int rc;

	a = archive_read_new();
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK)
		goto bad;
	while ((rc = archive_read_next_header(a, &ent)) != ARCHIVE_EOF) {
		if (rc < ARCHIVE_WARN)
			goto bad;
		if (archive_entry_pathname(ent) == NULL ||
		    strcmp(archive_entry_pathname(ent), name) != 0)
			continue;
		if (archive_entry_filetype(ent) != AE_IFREG ||
		    archive_entry_size(ent) < 0 ||
		    (uint64_t)archive_entry_size(ent) > len) {
			err_set(e, ES_EINSTALL, "the payload of %s is "
			    "broken: \"%s\" in its meta archive is not a "
			    "file", p->path, name);
			goto out;
		}
		size = (size_t)archive_entry_size(ent);
		text = xmalloc(size + 1);
		while (got < size &&
		    (n = archive_read_data(a, text + got, size - got)) > 0)
			got += (size_t)n;
		if (got != size)
			goto bad;
		text[size] = '\0';
		if (outlen != NULL)
			*outlen = size;
		goto out;
	}
	err_set(e, ES_EINSTALL, "the payload of %s is broken: its meta "
	    "archive has no \"%s\"", p->path, name);
	goto out;
bad:
	free(text);
	text = NULL;
	err_set(e, ES_EINSTALL, "the payload of %s is broken: cannot read "
	    "\"%s\" from its meta archive: %s", p->path, name,
	    archive_error_string(a) != NULL ? archive_error_string(a) :
	    "unexpected end");
out:
	archive_read_free(a);
	return text;
}

bool
payload_read_meta(const struct payload *p, struct manifest *m,
    char **license, struct es_err *e)
{
	struct payload_reader r;
	unsigned char sha[32];
	unsigned char *buf = NULL;
	char *text = NULL;
	size_t len = 0, got = 0, n;
	bool ok = false, parsed = false;

	*license = NULL;
	memset(m, 0, sizeof *m);
	if (!payload_reader_open(&r, p, p->t.meta_off, p->t.meta_len, e))
		return false;
	buf = xmalloc((size_t)p->t.meta_len);
	while ((n = payload_reader_next(&r)) > 0) {
		memcpy(buf + got, r.buf, n);
		got += n;
	}
	if (!payload_reader_finish(&r, sha, e) ||
	    !payload_hash_check(p, "meta archive", p->t.meta_sha256, sha, e))
		goto out;
	text = payload_meta_file(p, buf, got, PAYLOAD_MANIFEST, &len, e);
	if (text == NULL)
		goto out;
	if (!manifest_parse(m, text, len, PAYLOAD_MANIFEST, e))
		goto out;
	parsed = true;
	if (m->license == NULL)
		*license = xstrdup("");
	else if ((*license = payload_meta_file(p, buf, got, m->license, NULL,
	    e)) == NULL)
		goto out;
	ok = true;
out:
	if (!ok && parsed)
		manifest_free(m);
	free(text);
	free(buf);
	payload_reader_close(&r);
	return ok;
}

const char *
payload_path_problem(const char *path)
{
	const char *s, *end;
	size_t n;

	if (*path == '\0')
		return "empty name";
	if (*path == '/')
		return "absolute path";
	if (strlen(path) > PAYLOAD_PATH_MAX)
		return "path longer than 1000 bytes (install_dir leaves that "
		    "much of PATH_MAX to the payload)";
	for (s = path; *s != '\0'; s++) {
		if (*s == '\\')
			return "backslash in the name";
		if (*s == ':')
			return "':' in the name (a Windows drive or stream)";
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return "control character in the name";
	}
	for (s = path; *s != '\0'; s = *end == '\0' ? end : end + 1) {
		if ((end = strchr(s, '/')) == NULL)
			end = s + strlen(s);
		n = (size_t)(end - s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return "\"..\" in the path";
		if (n == 0 || (n == 1 && s[0] == '.'))
			return "empty or \".\" part in the path";
		if (n > PAYLOAD_NAME_MAX)
			return "a part of the path longer than 255 bytes "
			    "(NAME_MAX)";
	}
	return NULL;
}

bool
payload_link_inside(const char *rel, const char *target)
{
	const char *s, *end;
	long depth = 0;
	size_t n;

	if (*target == '\0' || *target == '/' || strchr(target, '\\') != NULL ||
	    strchr(target, ':') != NULL)
		return false;
	for (s = rel; *s != '\0'; s++)
		if (*s == '/')
			depth++;
	for (s = target; *s != '\0'; s = *end == '\0' ? end : end + 1) {
		if ((end = strchr(s, '/')) == NULL)
			end = s + strlen(s);
		n = (size_t)(end - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (--depth < 0)
				return false;
		} else
			depth++;
	}
	return true;
}

/* One name of the tree being checked. */
struct payload_node {
	char *path;               /* NULL: a free slot */
	size_t len;
	char state;               /* PAYLOAD_N_* */
	unsigned src;             /* component of an explicit folder */
	const char *via;          /* PAYLOAD_N_PASSED: the link that passes */
};

/* What a name is: a folder implied by an entry beneath it, an entry, or
 * nothing yet but a folder that a link resolves through. */
enum {
	PAYLOAD_N_IMPLIED = 'i',
	PAYLOAD_N_DIR = 'd',
	PAYLOAD_N_FILE = 'f',
	PAYLOAD_N_LINK = 'l',
	PAYLOAD_N_PASSED = 'p'
};

struct payload_tree {
	struct payload_node *slot;    /* open addressing, power of two */
	size_t cap, n;
};

struct payload_tree *
payload_tree_new(void)
{
	struct payload_tree *t = xcalloc(1, sizeof *t);

	t->cap = 256;
	t->slot = xcalloc(t->cap, sizeof *t->slot);
	return t;
}

void
payload_tree_free(struct payload_tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->cap; i++)
		free(t->slot[i].path);
	free(t->slot);
	free(t);
}

/* FNV-1a. */
static size_t
payload_tree_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return (size_t)h;
}

/* The node of the first len bytes of path, made (state 0) when missing.
 * Nodes move when the table grows; their path strings do not. */
static struct payload_node *
payload_tree_get(struct payload_tree *t, const char *path, size_t len)
{
	struct payload_node *nd;
	size_t i;

	if (2 * (t->n + 1) > t->cap) {
		struct payload_node *old = t->slot;
		size_t oldcap = t->cap, j;

		t->cap *= 2;
		t->slot = xcalloc(t->cap, sizeof *t->slot);
		for (j = 0; j < oldcap; j++) {
			if (old[j].path == NULL)
				continue;
			i = payload_tree_hash(old[j].path, old[j].len) &
			    (t->cap - 1);
			while (t->slot[i].path != NULL)
				i = (i + 1) & (t->cap - 1);
			t->slot[i] = old[j];
		}
		free(old);
	}
	i = payload_tree_hash(path, len) & (t->cap - 1);
	for (;; i = (i + 1) & (t->cap - 1)) {
		nd = &t->slot[i];
		if (nd->path == NULL)
			break;
		if (nd->len == len && memcmp(nd->path, path, len) == 0)
			return nd;
	}
	nd->path = xstrndup(path, len);
	nd->len = len;
	nd->state = 0;
	t->n++;
	return nd;
}

/* Walk a link's target from the link's folder as the kernel resolves it
 * (path_resolution(7)), refusing when it leaves the tree or goes through
 * a name that is, or later becomes, a symbolic link: a name followed by
 * more parts is entered as a folder, and only a real folder keeps ".."
 * where the text says. The last name may be a link (a chain): that link
 * is checked from its own folder. */
static bool
payload_tree_resolve(struct payload_tree *t, const char *rel,
    const char *linkpath, const char *target, char *why, size_t whysz)
{
	const char *s, *end, *slash = strrchr(rel, '/');
	struct payload_node *nd;
	struct sbuf cur;
	bool pending = false, ok = false;
	size_t n;

	sbuf_init(&cur);
	sbuf_addn(&cur, "", 0);
	if (slash != NULL)
		sbuf_addn(&cur, rel, (size_t)(slash - rel));
	for (s = target; *s != '\0'; s = *end == '\0' ? end : end + 1) {
		end = s + strcspn(s, "/");
		n = (size_t)(end - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (pending) {
			nd = payload_tree_get(t, cur.s, cur.len);
			if (nd->state == PAYLOAD_N_LINK) {
				snprintf(why, whysz, "symbolic link to \"%s\" "
				    "resolves through \"%s\", a symbolic link: "
				    "a link may not lead through a link, whose "
				    "own target would decide where it ends",
				    target, nd->path);
				goto out;
			}
			if (nd->state == 0) {
				nd->state = PAYLOAD_N_PASSED;
				nd->via = linkpath;
			}
			pending = false;
		}
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			char *up;

			if (cur.len == 0) {
				snprintf(why, whysz, "symbolic link to \"%s\" "
				    "points outside the installation", target);
				goto out;
			}
			up = strrchr(cur.s, '/');
			cur.len = up != NULL ? (size_t)(up - cur.s) : 0;
			cur.s[cur.len] = '\0';
		} else {
			if (cur.len > 0)
				sbuf_addn(&cur, "/", 1);
			sbuf_addn(&cur, s, n);
			pending = true;
		}
	}
	ok = true;
out:
	sbuf_free(&cur);
	return ok;
}

enum payload_tree_verdict
payload_tree_add(struct payload_tree *t, const char *rel, char type,
    const char *target, unsigned src, char *why, size_t whysz)
{
	struct payload_node *nd;
	const char *s;
	size_t top = strcspn(rel, "/");

	if (top == strlen(PAYLOAD_RESERVED) &&
	    strncmp(rel, PAYLOAD_RESERVED, top) == 0) {
		snprintf(why, whysz, "\"%s\" is the installer's own folder "
		    "(the install record); a payload may not hold it",
		    PAYLOAD_RESERVED);
		return PAYLOAD_TREE_REFUSED;
	}
	for (s = strchr(rel, '/'); s != NULL; s = strchr(s + 1, '/')) {
		nd = payload_tree_get(t, rel, (size_t)(s - rel));
		if (nd->state == PAYLOAD_N_LINK) {
			snprintf(why, whysz, "it is inside \"%s\", a symbolic "
			    "link: nothing is written through a link", nd->path);
			return PAYLOAD_TREE_REFUSED;
		}
		if (nd->state == PAYLOAD_N_FILE) {
			snprintf(why, whysz, "\"%s\" is a file, and this entry "
			    "would make it a folder too", nd->path);
			return PAYLOAD_TREE_REFUSED;
		}
		if (nd->state == 0 || nd->state == PAYLOAD_N_PASSED)
			nd->state = PAYLOAD_N_IMPLIED;
	}
	nd = payload_tree_get(t, rel, strlen(rel));
	switch (nd->state) {
	case 0:
		break;
	case PAYLOAD_N_PASSED:
		if (type == 'l') {
			snprintf(why, whysz, "a symbolic link here would "
			    "redirect the link \"%s\", which resolves through "
			    "\"%s\" as a folder", nd->via, rel);
			return PAYLOAD_TREE_REFUSED;
		}
		break;
	case PAYLOAD_N_IMPLIED:
		if (type == 'd')
			break;
		snprintf(why, whysz, "it appears twice: entries inside a "
		    "folder of this name came first");
		return PAYLOAD_TREE_REFUSED;
	case PAYLOAD_N_DIR:
		/* Two components installed together may share a folder. */
		if (type == 'd' && nd->src != src)
			return PAYLOAD_TREE_MERGED;
		/* FALLTHROUGH */
	default:
		snprintf(why, whysz, "it appears twice: a %s of this name "
		    "came first", nd->state == PAYLOAD_N_DIR ? "folder" :
		    nd->state == PAYLOAD_N_FILE ? "file" : "symbolic link");
		return PAYLOAD_TREE_REFUSED;
	}
	nd->state = type == 'd' ? PAYLOAD_N_DIR : type == 'f' ?
	    PAYLOAD_N_FILE : PAYLOAD_N_LINK;
	nd->src = src;
	if (type != 'l')
		return PAYLOAD_TREE_NEW;
	if (target == NULL || !payload_link_inside(rel, target)) {
		snprintf(why, whysz, "symbolic link to \"%s\" points outside "
		    "the installation", target != NULL ? target : "");
		return PAYLOAD_TREE_REFUSED;
	}
	if (strlen(target) > PAYLOAD_PATH_MAX) {
		snprintf(why, whysz, "symbolic link target longer than %d "
		    "bytes", PAYLOAD_PATH_MAX);
		return PAYLOAD_TREE_REFUSED;
	}
	for (s = target; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			snprintf(why, whysz, "control character in the "
			    "symbolic link's target");
			return PAYLOAD_TREE_REFUSED;
		}
	}
	if (!payload_tree_resolve(t, rel, nd->path, target, why, whysz))
		return PAYLOAD_TREE_REFUSED;
	return PAYLOAD_TREE_NEW;
}

/* Report progress; false (with ES_ECANCEL) when the callback cancels. */
static bool
payload_x_progress(struct payload_x *x, const char *current)
{
	x->since = 0;
	if (x->o->progress == NULL)
		return true;
	x->pr.current = current;
	if (x->o->progress(&x->pr, x->o->progress_arg))
		return true;
	err_set(x->e, ES_ECANCEL, "extraction cancelled at %s", current);
	return false;
}

/* Record a failure to read the data archive at entry name. */
static void
payload_x_read_error(struct payload_x *x, const struct payload_reader *r,
    const char *name)
{
	/* The reader belongs to the decompression thread until it ends. */
	if (x->dec != NULL)
		payload_dec_join(x->dec);
	if (r->err > 0)
		err_sys(x->e, ES_EINSTALL, r->err, "cannot read %s",
		    x->p->path);
	else if (r->err < 0)
		err_set(x->e, ES_EINSTALL, "cannot read %s: the file ends "
		    "early; %s", x->p->path, PAYLOAD_AGAIN);
	else
		err_set(x->e, ES_EINSTALL, "the payload of %s is damaged at "
		    "\"%s\": %s; %s", x->p->path, name,
		    archive_error_string(x->a) != NULL ?
		    archive_error_string(x->a) : "unreadable archive",
		    PAYLOAD_AGAIN);
}

static void
payload_x_write_error(struct payload_x *x, const char *name)
{
	const char *why = archive_error_string(x->w);
	int errnum = archive_errno(x->w);
	char mnt[4096];

	if (why == NULL)
		why = "unknown error";
	if (errnum == ENOSPC && plat_mount_point(x->o->dest, mnt, sizeof mnt))
		err_set(x->e, ES_EINSTALL, "no space left on the file system "
		    "mounted at %s (writing %s/%s): free space on it, or "
		    "choose another install_dir", mnt, x->o->dest, name);
	else if (errnum == ENOSPC)
		err_set(x->e, ES_EINSTALL, "cannot write %s/%s: no space left "
		    "on the device: free space on that file system, or choose "
		    "another install_dir", x->o->dest, name);
	else if (errnum > 0)
		err_set(x->e, ES_EINSTALL, "cannot write %s/%s: %s (%s)",
		    x->o->dest, name, why, strerror(errnum));
	else
		err_set(x->e, ES_EINSTALL, "cannot write %s/%s: %s",
		    x->o->dest, name, why);
	/* libarchive checks every folder of the path, dest's own too. */
	if (strstr(why, "symlink") != NULL)
		err_set(x->e, ES_EINSTALL, "Secure extraction never writes "
		    "through a symbolic link: if %s or a folder above it is "
		    "one, install into the real path it points to.",
		    x->o->dest);
}

/* Feed zero bytes of a sparse file's hole into the file hash. */
static void
payload_x_hash_zeros(struct payload_x *x, uint64_t n)
{
	static const unsigned char zeros[4096];

	while (n > 0) {
		size_t k = n < sizeof zeros ? (size_t)n : sizeof zeros;

		EVP_DigestUpdate(x->file_md, zeros, k);
		n -= k;
	}
}

/* Copy the current regular file's data to disk, hashing it. */
static bool
payload_x_copy(struct payload_x *x, const struct payload_reader *r,
    const char *rel, int64_t size, unsigned char sha[32])
{
	const void *buf;
	size_t len;
	la_int64_t offset;
	uint64_t pos = 0;
	int rc;

	EVP_DigestInit_ex(x->file_md, EVP_sha256(), NULL);
	for (;;) {
		rc = archive_read_data_block(x->a, &buf, &len, &offset);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc != ARCHIVE_OK || offset < 0 || (uint64_t)offset < pos) {
			payload_x_read_error(x, r, rel);
			return false;
		}
		if (archive_write_data_block(x->w, buf, len, offset) <
		    ARCHIVE_OK) {
			payload_x_write_error(x, rel);
			return false;
		}
		payload_x_hash_zeros(x, (uint64_t)offset - pos);
		EVP_DigestUpdate(x->file_md, buf, len);
		x->pr.bytes_done += (uint64_t)offset + len - pos;
		x->since += (uint64_t)offset + len - pos;
		pos = (uint64_t)offset + len;
		if (x->since >= PAYLOAD_CHUNK && !payload_x_progress(x, rel))
			return false;
	}
	if (size > 0 && pos < (uint64_t)size) {
		payload_x_hash_zeros(x, (uint64_t)size - pos);
		x->pr.bytes_done += (uint64_t)size - pos;
	}
	EVP_DigestFinal_ex(x->file_md, sha, NULL);
	return true;
}

/* The index in o->components of the top folder name[0..n), or -1. */
static int
payload_x_find(const struct payload_x *x, const char *name, size_t n)
{
	const char *const *c;

	for (c = x->o->components; c != NULL && *c != NULL; c++)
		if (strlen(*c) == n && strncmp(*c, name, n) == 0)
			return (int)(c - x->o->components);
	return -1;
}

static bool
payload_x_selected(const struct payload_x *x, const char *name, size_t n)
{
	return payload_x_find(x, name, n) >= 0;
}

static unsigned
payload_x_component(const struct payload_x *x, const char *name, size_t n)
{
	return (unsigned)payload_x_find(x, name, n);
}

/* Skip an entry of a component that was not selected. */
static bool
payload_x_skip(struct payload_x *x, const struct payload_reader *r,
    struct archive_entry *ent, const char *name)
{
	if (archive_read_data_skip(x->a) != ARCHIVE_OK) {
		payload_x_read_error(x, r, name);
		return false;
	}
	if (archive_entry_filetype(ent) != AE_IFREG)
		return true;
	if (archive_entry_size(ent) > 0)
		x->pr.bytes_done += (uint64_t)archive_entry_size(ent);
	x->pr.files_done++;
	x->since += archive_entry_size(ent) > 0 ?
	    (uint64_t)archive_entry_size(ent) : 0;
	if (x->since >= PAYLOAD_CHUNK)
		return payload_x_progress(x, name);
	return true;
}

/* Check one entry and write it under dest, or skip it. */
static bool
payload_x_entry(struct payload_x *x, const struct payload_reader *r,
    struct archive_entry *ent)
{
	const char *path = archive_entry_pathname(ent), *why, *rel, *target;
	unsigned type = archive_entry_filetype(ent), mode;
	unsigned char sha[32];
	char hex[65], *name = NULL, *full = NULL, t, why_buf[1024];
	size_t n, top;
	bool ok = false;

	if (path == NULL) {
		err_set(x->e, ES_EINSTALL, "the payload of %s has an entry "
		    "without a name; %s", x->p->path, PAYLOAD_AGAIN);
		goto out;
	}
	name = xstrdup(path);
	n = strlen(name);
	while (n > 1 && name[n - 1] == '/')
		name[--n] = '\0';
	if ((why = payload_path_problem(name)) != NULL) {
		err_set(x->e, ES_EINSTALL, "refusing to extract payload entry "
		    "\"%s\": %s", path, why);
		goto out;
	}
	if (archive_entry_hardlink(ent) != NULL) {
		err_set(x->e, ES_EINSTALL, "refusing to extract payload entry "
		    "\"%s\": hard links are not allowed", path);
		goto out;
	}
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
		err_set(x->e, ES_EINSTALL, "refusing to extract payload entry "
		    "\"%s\": only files, folders and symbolic links are "
		    "allowed", path);
		goto out;
	}

	top = strcspn(name, "/");
	rel = name[top] == '/' ? name + top + 1 : name + top;
	if (!payload_x_selected(x, name, top) || *rel == '\0') {
		if (*rel == '\0' && type != AE_IFDIR) {
			err_set(x->e, ES_EINSTALL, "refusing to extract "
			    "payload entry \"%s\": a top folder must be a "
			    "folder", path);
			goto out;
		}
		ok = payload_x_skip(x, r, ent, name);
		goto out;
	}

	target = type == AE_IFLNK ? archive_entry_symlink(ent) : NULL;
	switch (payload_tree_add(x->tree, rel, type == AE_IFREG ? 'f' :
	    type == AE_IFDIR ? 'd' : 'l', target, payload_x_component(x, name,
	    top), why_buf, sizeof why_buf)) {
	case PAYLOAD_TREE_REFUSED:
		err_set(x->e, ES_EINSTALL, "refusing to extract payload entry "
		    "\"%s\": %s", path, why_buf);
		goto out;
	case PAYLOAD_TREE_MERGED:
		ok = payload_x_skip(x, r, ent, name);
		goto out;
	case PAYLOAD_TREE_NEW:
		break;
	}

	mode = archive_entry_perm(ent) & 0777 & ~022u;
	if (type == AE_IFREG && x->o->manifest != NULL &&
	    manifest_is_config(x->o->manifest, rel))
		mode &= ~027u;
	/* Relative to dest, which is the current folder while extracting. */
	full = xstrdup(rel);
	archive_entry_set_pathname(ent, full);
	archive_entry_set_perm(ent, mode);
	if (archive_write_header(x->w, ent) != ARCHIVE_OK) {
		payload_x_write_error(x, rel);
		goto out;
	}
	if (type == AE_IFREG &&
	    !payload_x_copy(x, r, rel, archive_entry_size(ent), sha))
		goto out;
	if (archive_write_finish_entry(x->w) != ARCHIVE_OK) {
		payload_x_write_error(x, rel);
		goto out;
	}

	t = type == AE_IFREG ? 'f' : type == AE_IFDIR ? 'd' : 'l';
	if (t == 'f')
		hex_encode(sha, sizeof sha, hex);
	if (x->o->entry != NULL)
		x->o->entry(rel, t, mode, t == 'f' ? hex : NULL,
		    x->o->entry_arg);
	if (t == 'f') {
		x->pr.files_done++;
		if (!payload_x_progress(x, rel))
			goto out;
	}
	ok = true;
out:
	free(full);
	free(name);
	return ok;
}

/* The data archive's zstd is decompressed on a second thread (libzstd),
 * which also reads and hashes the compressed bytes, while this thread
 * parses the tar stream, hashes each file and writes it: the same split
 * as `zstd -dc | tar -x`. Memory stays bounded: DEC_BUFS output buffers,
 * the read chunk, and zstd's window (at most 2^DEC_WINDOW_LOG bytes). */
#define DEC_BUFS 4
#define DEC_BUFSZ (1u << 20)
#define DEC_WINDOW_LOG 23

struct payload_dec {
	struct payload_reader *r;      /* the thread's while it runs */
	ZSTD_DStream *z;
	struct plat_lock *lock;
	struct plat_thread *thread;
	unsigned char *buf[DEC_BUFS];
	size_t len[DEC_BUFS];
	size_t head, count;            /* filled buffers, in order */
	bool holding;                  /* libarchive reads buf[head] */
	bool done, stop;
	int err;                       /* 0, or DEC_E* */
	char msg[160];
};

enum { DEC_EREAD = 1, DEC_EZSTD, DEC_ETRUNC, DEC_ETHREAD };

/* Hand buffer *slot to the consumer and wait for a free one; false when
 * told to stop. */
static bool
payload_dec_publish(struct payload_dec *d, size_t *slot, size_t len)
{
	bool ok;

	plat_lock_acquire(d->lock);
	d->len[*slot] = len;
	d->count++;
	plat_lock_wake(d->lock);
	while (d->count == DEC_BUFS && !d->stop)
		plat_lock_wait(d->lock);
	ok = !d->stop;
	*slot = (d->head + d->count) % DEC_BUFS;
	plat_lock_release(d->lock);
	return ok;
}

static void
payload_dec_main(void *arg)
{
	struct payload_dec *d = arg;
	ZSTD_inBuffer in = { NULL, 0, 0 };
	ZSTD_outBuffer out;
	size_t slot = 0, ret, last = 0, prev, inpos;
	bool eof = false;
	int err = 0;

	out.dst = d->buf[slot];
	out.size = DEC_BUFSZ;
	out.pos = 0;
	for (;;) {
		if (in.pos == in.size && !eof) {
			size_t n = payload_reader_next(d->r);

			if (n == 0) {
				if (d->r->err != 0) {
					err = DEC_EREAD;
					break;
				}
				eof = true;
				in.src = NULL;
				in.size = in.pos = 0;
			} else {
				in.src = d->r->buf;
				in.size = n;
				in.pos = 0;
			}
		}
		prev = out.pos;
		inpos = in.pos;
		ret = ZSTD_decompressStream(d->z, &out, &in);
		if (ZSTD_isError(ret)) {
			err = DEC_EZSTD;
			snprintf(d->msg, sizeof d->msg, "%s",
			    ZSTD_getErrorName(ret));
			break;
		}
		/* 0 means a frame ended and was flushed; a call that moved
		 * nothing only hints at the next frame's header. */
		if (in.pos != inpos || out.pos != prev)
			last = ret;
		if (out.pos == out.size) {
			if (!payload_dec_publish(d, &slot, out.pos))
				break;
			out.dst = d->buf[slot];
			out.pos = 0;
			continue;
		}
		if (eof && out.pos == prev)
			break;
	}
	if (err == 0 && !d->stop && last != 0)
		err = DEC_ETRUNC;
	plat_lock_acquire(d->lock);
	if (err == 0 && !d->stop && out.pos > 0) {
		d->len[slot] = out.pos;
		d->count++;
	}
	d->err = err;
	d->done = true;
	plat_lock_wake(d->lock);
	plat_lock_release(d->lock);
}

static bool
payload_dec_start(struct payload_dec *d, struct payload_reader *r,
    struct es_err *e)
{
	size_t i;

	memset(d, 0, sizeof *d);
	d->r = r;
	if ((d->z = ZSTD_createDStream()) == NULL ||
	    (d->lock = plat_lock_new()) == NULL)
		fatal("out of memory (zstd)");
	ZSTD_DCtx_setParameter(d->z, ZSTD_d_windowLogMax, DEC_WINDOW_LOG);
	for (i = 0; i < DEC_BUFS; i++)
		d->buf[i] = xmalloc(DEC_BUFSZ);
	if ((d->thread = plat_thread_start(payload_dec_main, d)) == NULL) {
		err_set(e, ES_EINSTALL, "cannot start the decompression "
		    "thread");
		return false;
	}
	return true;
}

/* The next buffer of tar bytes for libarchive: 0 at the end, -1 on an
 * error (d->err). */
static la_ssize_t
payload_dec_next(struct payload_dec *d, const void **buf)
{
	la_ssize_t n = 0;

	plat_lock_acquire(d->lock);
	if (d->holding) {
		d->head = (d->head + 1) % DEC_BUFS;
		d->count--;
		d->holding = false;
		plat_lock_wake(d->lock);
	}
	while (d->count == 0 && !d->done)
		plat_lock_wait(d->lock);
	if (d->count > 0) {
		d->holding = true;
		*buf = d->buf[d->head];
		n = (la_ssize_t)d->len[d->head];
	} else if (d->err != 0) {
		n = -1;
	}
	plat_lock_release(d->lock);
	return n;
}

/* Stop (when not done) and wait for the thread; idempotent. */
static void
payload_dec_join(struct payload_dec *d)
{
	if (d->thread == NULL)
		return;
	plat_lock_acquire(d->lock);
	d->stop = true;
	plat_lock_wake(d->lock);
	plat_lock_release(d->lock);
	plat_thread_join(d->thread);
	d->thread = NULL;
}

static void
payload_dec_free(struct payload_dec *d)
{
	size_t i;

	payload_dec_join(d);
	for (i = 0; i < DEC_BUFS; i++)
		free(d->buf[i]);
	ZSTD_freeDStream(d->z);
	plat_lock_free(d->lock);
	memset(d, 0, sizeof *d);
}

static la_ssize_t
payload_read_cb(struct archive *a, void *arg, const void **buf)
{
	struct payload_dec *d = arg;
	la_ssize_t n = payload_dec_next(d, buf);

	if (n < 0) {
		if (d->err == DEC_EZSTD)
			archive_set_error(a, EINVAL, "zstd: %s", d->msg);
		else if (d->err == DEC_ETRUNC)
			archive_set_error(a, EINVAL, "the zstd stream ends "
			    "early");
		else
			archive_set_error(a, EIO, "cannot read the payload");
	}
	return n;
}

bool
payload_extract(const struct payload *p,
    const struct payload_extract_opts *opts, struct es_err *e)
{
	struct payload_reader r;
	struct payload_x x;
	struct archive_entry *ent;
	unsigned char sha[32];
	const char *last = "(start)";
	char *lastbuf = NULL, *cwd = NULL;
	bool ok = false, entered = false;
	struct payload_dec dec;
	int rc;

	memset(&x, 0, sizeof x);
	memset(&dec, 0, sizeof dec);
	x.p = p;
	x.o = opts;
	x.e = e;
	x.pr.bytes_total = p->t.data_bytes;
	x.pr.files_total = p->t.data_files;
	if (!payload_reader_open(&r, p, p->t.data_off, p->t.data_len, e))
		return false;
	if ((x.file_md = EVP_MD_CTX_new()) == NULL)
		fatal("out of memory (EVP_MD_CTX)");

	x.tree = payload_tree_new();
	x.a = archive_read_new();
	x.w = archive_write_disk_new();
	if (x.a == NULL || x.w == NULL)
		fatal("out of memory (libarchive)");
	/* The tar stream comes already decompressed (payload_dec). */
	archive_read_support_filter_none(x.a);
	archive_read_support_format_tar(x.a);
	/* No ARCHIVE_EXTRACT_OWNER or _TIME. Entries are written relative
	 * to dest (the current folder meanwhile), so the symlink check walks
	 * only each entry's own path; names are also checked by
	 * payload_path_problem(), and links and duplicates by
	 * payload_tree_add(). */
	archive_write_disk_set_options(x.w, ARCHIVE_EXTRACT_PERM |
	    ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
	    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	if ((cwd = plat_getcwd()) == NULL) {
		err_set(e, ES_EINSTALL, "cannot tell the current folder");
		goto out;
	}
	if (!plat_chdir(opts->dest, e))
		goto out;
	entered = true;
	if (!payload_dec_start(&dec, &r, e))
		goto out;
	x.dec = &dec;
	if (archive_read_open(x.a, &dec, NULL, payload_read_cb, NULL) !=
	    ARCHIVE_OK) {
		payload_x_read_error(&x, &r, last);
		goto out;
	}
	for (;;) {
		rc = archive_read_next_header(x.a, &ent);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc < ARCHIVE_WARN) {
			payload_x_read_error(&x, &r, last);
			goto out;
		}
		free(lastbuf);
		last = lastbuf = xstrdup(archive_entry_pathname(ent) != NULL ?
		    archive_entry_pathname(ent) : "");
		if (!payload_x_entry(&x, &r, ent))
			goto out;
	}
	if (archive_write_close(x.w) != ARCHIVE_OK) {
		payload_x_write_error(&x, last);
		goto out;
	}
	/* Let the thread decompress and hash what follows the tar end
	 * (padding), then check that the whole stream was sound. */
	{
		const void *rest;

		while (payload_dec_next(&dec, &rest) > 0)
			;
	}
	payload_dec_join(&dec);
	if (dec.err != 0) {
		payload_x_read_error(&x, &r, "(end of archive)");
		if (e->code == 0 || dec.err == DEC_EZSTD ||
		    dec.err == DEC_ETRUNC)
			err_set(e, ES_EINSTALL, "the payload of %s is damaged "
			    "after its last entry: %s; %s", p->path,
			    dec.err == DEC_ETRUNC ? "the zstd stream ends "
			    "early" : dec.msg, PAYLOAD_AGAIN);
		goto out;
	}
	if (!payload_reader_finish(&r, sha, e) ||
	    !payload_hash_check(p, "data archive", p->t.data_sha256, sha, e))
		goto out;
	ok = true;
out:
	payload_dec_free(&dec);
	if (entered && !plat_chdir(cwd, NULL))
		plat_chdir("/", NULL);
	free(cwd);
	free(lastbuf);
	archive_read_free(x.a);
	archive_write_free(x.w);
	payload_tree_free(x.tree);
	EVP_MD_CTX_free(x.file_md);
	payload_reader_close(&r);
	return ok;
}
