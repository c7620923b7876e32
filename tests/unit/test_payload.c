#include "fixture.h"

#include <openssl/sha.h>

#include <archive.h>
#include <archive_entry.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "payload.h"
#include "platform.h"
#include "util.h"

#define MKPAYLOAD ES_BINARY_DIR "/mkpayload"
#define BIG_SIZE (3u << 20)
#define STUB_TEXT "#!/bin/sh\necho 'I am the stub'\nexit 0\n"

static const char tree_manifest[] =
    "product = Test\n"
    "version = 1.0.0\n"
    "license = LICENSE.txt\n"
    "config = nse/conf nsc/conf\n"
    "component.engine.title = Engine\n"
    "component.engine.dir = engine\n"
    "component.console.title = Console\n"
    "component.console.dir = console\n"
    "component.console.includes = engine\n";

/* What the entry and progress callbacks saw. */
struct seen {
	struct strlist entries;      /* "type mode rel sha" */
	unsigned calls;
	unsigned mid_file_calls;     /* calls while a file is being written */
	uint64_t last_bytes, last_files, total_bytes, total_files;
	uint64_t prev_bytes;
	unsigned cancel_after;       /* 0: never cancel */
	bool monotonic;
};

static void
assert_contains(const char *s, const char *want)
{
	if (strstr(s, want) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, want);
}

static void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(data, len, md, &n, EVP_sha256(), NULL), 1);
	hex_encode(md, sizeof md, out);
}

static void
write_bytes(const char *path, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static unsigned
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Deterministic bytes that zstd cannot shrink much. */
static unsigned char *
big_content(void)
{
	unsigned char *b = xmalloc(BIG_SIZE);
	uint32_t x = 2463534242u;
	size_t i;

	for (i = 0; i < BIG_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (unsigned char)x;
	}
	return b;
}

/* A payload tree with odd modes, configuration, links and a big file. */
static char *
make_tree(const struct fixture *f)
{
	unsigned char *big = big_content();
	char *p;

	fixture_write(f, "tree/manifest", tree_manifest);
	fixture_write(f, "tree/LICENSE.txt", "Be nice.\n");
	fixture_write(f, "tree/engine/nse/bin/run", "#!/bin/sh\n");
	fixture_write(f, "tree/engine/nse/conf/a.conf", "secret=1\n");
	fixture_write(f, "tree/engine/nse/conf/sub/b.conf", "b\n");
	fixture_write(f, "tree/engine/nse/lib/readme", "readme\n");
	fixture_write(f, "tree/console/nsc/conf/c.xml", "<c/>\n");
	fixture_write(f, "tree/console/nsc/web/index.html", "<p>hi</p>\n");
	p = fixture_path(f, "tree/engine/nse/lib/big.bin");
	write_bytes(p, big, BIG_SIZE);
	free(p);
	free(big);
	p = fixture_path(f, "tree/engine/nse/empty");
	fixture_mkdirs(p);
	free(p);

	p = fixture_path(f, "tree/engine/nse/bin/run");
	chmod(p, 0700);
	free(p);
	p = fixture_path(f, "tree/engine/nse/conf/a.conf");
	chmod(p, 0666);
	free(p);
	p = fixture_path(f, "tree/engine/nse/lib/link");
	assert_int_equal(symlink("big.bin", p), 0);
	free(p);
	/* Dangling in the tree, inside the installation. */
	p = fixture_path(f, "tree/console/nsc/lib/to-nse");
	fixture_mkdirs(p);
	rmdir(p);
	assert_int_equal(symlink("../../nse/lib", p), 0);
	free(p);
	return fixture_path(f, "tree");
}

/* Run mkpayload; returns its exit status, stderr in *err (caller frees). */
static int
run_mkpayload(const struct fixture *f, const char *stub, const char *tree,
    const char *out, char **err)
{
	char *errpath = fixture_path(f, "mkpayload.err");
	char *cmd;
	int rc;

	if (access(MKPAYLOAD, X_OK) != 0)
		fail_msg("%s is missing: build the mkpayload target first",
		    MKPAYLOAD);
	cmd = xasprintf("SOURCE_DATE_EPOCH=1700000000 '%s' --stub '%s' "
	    "--tree '%s' --out '%s' --level 3 2>'%s'", MKPAYLOAD, stub, tree,
	    out, errpath);
	rc = system(cmd);
	rc = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	if (err != NULL) {
		*err = fixture_read(errpath, NULL);
		assert_non_null(*err);
	}
	free(cmd);
	free(errpath);
	return rc;
}

/* Build the fixture tree's installer; returns its path. */
static char *
build_payload(const struct fixture *f)
{
	char *tree = make_tree(f), *stub, *out, *err;

	fixture_write(f, "stub", STUB_TEXT);
	stub = fixture_path(f, "stub");
	out = fixture_path(f, "engine-setup");
	if (run_mkpayload(f, stub, tree, out, &err) != 0)
		fail_msg("mkpayload failed: %s", err);
	free(err);
	free(stub);
	free(tree);
	return out;
}

static void
seen_entry(const char *rel, char type, unsigned mode, const char *sha,
    void *arg)
{
	struct seen *s = arg;

	strlist_add_owned(&s->entries, xasprintf("%c %04o %s %s", type, mode,
	    rel, sha != NULL ? sha : "-"));
}

static bool
seen_progress(const struct payload_progress *pr, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	if (pr->bytes_done < s->prev_bytes)
		s->monotonic = false;
	if (pr->files_done == s->last_files && s->calls > 1)
		s->mid_file_calls++;
	s->prev_bytes = pr->bytes_done;
	s->last_bytes = pr->bytes_done;
	s->last_files = pr->files_done;
	s->total_bytes = pr->bytes_total;
	s->total_files = pr->files_total;
	assert_non_null(pr->current);
	return s->cancel_after == 0 || s->calls < s->cancel_after;
}

static void
seen_init(struct seen *s)
{
	memset(s, 0, sizeof *s);
	strlist_init(&s->entries);
	s->monotonic = true;
}

/* Make the fixture folder "dest"; returns its real path, as payload_extract
 * wants no symbolic link above dest (TMPDIR may have one). */
static char *
make_dest(const struct fixture *f)
{
	char *dir = fixture_path(f, "dest"), *dest;

	fixture_mkdirs(dir);
	dest = realpath(dir, NULL);
	assert_non_null(dest);
	free(dir);
	return dest;
}

/* Extract path into fixture folder "dest" with the given components. */
static bool
extract(const struct fixture *f, const char *path,
    const char *const *components, const struct manifest *m,
    struct seen *s, struct es_err *e)
{
	struct payload p;
	struct payload_extract_opts o;
	char *dest = make_dest(f);
	bool ok;

	memset(e, 0, sizeof *e);
	if (!payload_open(&p, path, e)) {
		free(dest);
		return false;
	}
	memset(&o, 0, sizeof o);
	o.dest = dest;
	o.components = components;
	o.manifest = m;
	o.progress = seen_progress;
	o.progress_arg = s;
	o.entry = seen_entry;
	o.entry_arg = s;
	ok = payload_extract(&p, &o, e);
	if (ok)
		assert_int_equal(e->code, 0);
	payload_close(&p);
	free(dest);
	return ok;
}

static void
test_payload_trailer_roundtrip(void **state)
{
	struct payload_trailer t, u;
	unsigned char buf[PAYLOAD_TRAILER_SIZE];
	int i;

	(void)state;
	memset(&t, 0, sizeof t);
	t.meta_off = 0x0102030405ull;
	t.meta_len = 4096;
	t.data_off = t.meta_off + t.meta_len;
	t.data_len = 0x1122334455667788ull;
	t.data_files = 42;
	t.data_bytes = 0xdeadbeefcafeull;
	for (i = 0; i < 32; i++) {
		t.meta_sha256[i] = (unsigned char)i;
		t.data_sha256[i] = (unsigned char)(255 - i);
	}
	payload_trailer_encode(&t, buf);
	assert_memory_equal(buf, "ESPAYLD1\x01\0\0\0\0\0\0\0", 16);
	assert_int_equal(buf[16], 0x05);      /* little-endian */
	assert_int_equal(buf[20], 0x01);
	assert_int_equal(buf[48], 42);
	assert_int_equal(buf[64], 0);
	assert_int_equal(buf[127], 224);
	assert_true(payload_trailer_decode(buf, &u));
	assert_memory_equal(&t, &u, sizeof t);

	buf[0] = 'X';
	assert_false(payload_trailer_decode(buf, &u));
	buf[0] = 'E';
	buf[8] = 2;                           /* format 2 */
	assert_false(payload_trailer_decode(buf, &u));
	buf[8] = 1;

	u = t;
	u.data_off++;                         /* gap between meta and data */
	payload_trailer_encode(&u, buf);
	assert_false(payload_trailer_decode(buf, &u));
	u = t;
	u.meta_len = PAYLOAD_META_MAX + 1;
	u.data_off = u.meta_off + u.meta_len;
	payload_trailer_encode(&u, buf);
	assert_false(payload_trailer_decode(buf, &u));
	u = t;
	u.data_len = UINT64_MAX - 10;         /* wraps around */
	payload_trailer_encode(&u, buf);
	assert_false(payload_trailer_decode(buf, &u));
	u = t;
	u.meta_len = 0;
	u.data_off = u.meta_off;
	payload_trailer_encode(&u, buf);
	assert_false(payload_trailer_decode(buf, &u));
}

static void
test_payload_open_without_trailer(void **state)
{
	struct fixture *f = *state;
	struct payload p;
	struct es_err e;
	char *path, big[1000];

	memset(big, 'x', sizeof big);
	path = fixture_path(f, "stub");
	write_bytes(path, big, sizeof big);
	memset(&e, 0, sizeof e);
	assert_false(payload_open(&p, path, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_contains(e.msg, path);
	assert_contains(e.msg, "carries no payload");
	assert_contains(e.msg, "engine-setup-stub");

	write_bytes(path, "tiny", 4);
	memset(&e, 0, sizeof e);
	assert_false(payload_open(&p, path, &e));
	assert_contains(e.msg, "carries no payload");

	free(path);
	path = fixture_path(f, "missing");
	memset(&e, 0, sizeof e);
	assert_false(payload_open(&p, path, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_contains(e.msg, path);
	free(path);
}

/* The whole tree, both components: files, contents, modes and hashes. */
static void
test_payload_extract_all(void **state)
{
	static const char *const both[] = { "engine", "console", NULL };
	struct fixture *f = *state;
	char *path = build_payload(f), *dest, *p, *text, *lic, hex[65];
	char want[128], link[64];
	unsigned char *big;
	struct payload pl;
	struct manifest m;
	struct seen s;
	struct es_err e;
	size_t len, i, nfiles = 0;
	ssize_t n;

	memset(&e, 0, sizeof e);
	assert_true(payload_open(&pl, path, &e));
	assert_int_equal(pl.t.meta_off, strlen(STUB_TEXT));
	assert_int_equal(pl.t.data_files, 7);
	assert_int_equal(pl.t.data_bytes, BIG_SIZE + 10 + 9 + 2 + 7 + 5 + 10);
	assert_true(payload_read_meta(&pl, &m, &lic, &e));
	assert_string_equal(lic, "Be nice.\n");
	assert_string_equal(m.product, "Test");
	assert_true(payload_verify(&pl, &e));
	payload_close(&pl);
	free(lic);

	/* The stub comes first, and the installer is executable. */
	text = fixture_read(path, &len);
	assert_memory_equal(text, STUB_TEXT, strlen(STUB_TEXT));
	free(text);
	assert_int_equal(mode_of(path), 0755);

	seen_init(&s);
	if (!extract(f, path, both, &m, &s, &e))
		fail_msg("%s", e.msg);
	dest = fixture_path(f, "dest");

	p = xasprintf("%s/nse/bin/run", dest);
	assert_int_equal(mode_of(p), 0755);
	free(p);
	p = xasprintf("%s/nse/conf/a.conf", dest);
	assert_int_equal(mode_of(p), 0640);
	text = fixture_read(p, &len);
	assert_string_equal(text, "secret=1\n");
	sha256_hex(text, len, hex);
	snprintf(want, sizeof want, "f 0640 nse/conf/a.conf %s", hex);
	assert_true(strlist_contains(&s.entries, want));
	free(text);
	free(p);
	p = xasprintf("%s/nse/conf/sub/b.conf", dest);
	assert_int_equal(mode_of(p), 0640);
	free(p);
	p = xasprintf("%s/nsc/conf/c.xml", dest);
	assert_int_equal(mode_of(p), 0640);
	free(p);
	p = xasprintf("%s/nsc/web/index.html", dest);
	assert_int_equal(mode_of(p), 0644);
	free(p);
	p = xasprintf("%s/nse/empty", dest);
	assert_int_equal(mode_of(p), 0755);
	free(p);

	p = xasprintf("%s/nse/lib/big.bin", dest);
	text = fixture_read(p, &len);
	big = big_content();
	assert_int_equal(len, BIG_SIZE);
	assert_memory_equal(text, big, BIG_SIZE);
	sha256_hex(big, BIG_SIZE, hex);
	snprintf(want, sizeof want, "f 0644 nse/lib/big.bin %s", hex);
	assert_true(strlist_contains(&s.entries, want));
	free(big);
	free(text);
	free(p);

	p = xasprintf("%s/nse/lib/link", dest);
	n = readlink(p, link, sizeof link - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "big.bin");
	free(p);
	p = xasprintf("%s/nsc/lib/to-nse/readme", dest);
	text = fixture_read(p, NULL);
	assert_string_equal(text, "readme\n");
	free(text);
	free(p);

	assert_true(strlist_contains(&s.entries, "d 0755 nse -"));
	assert_true(strlist_contains(&s.entries, "d 0755 nse/conf -"));
	for (i = 0; i < s.entries.n; i++) {
		const char *ent = s.entries.v[i];
		unsigned mode = (unsigned)strtoul(ent + 2, NULL, 8);

		assert_int_equal(mode & 002, 0);        /* no world-writable */
		if (ent[0] == 'f')
			nfiles++;
		if (ent[0] == 'f' && (strstr(ent, " nse/conf/") != NULL ||
		    strstr(ent, " nsc/conf/") != NULL))
			assert_int_equal(mode & 007, 0);
		/* The top folders are stripped. */
		assert_null(strstr(ent, " engine"));
		assert_null(strstr(ent, " console"));
	}
	assert_int_equal(nfiles, 7);

	/* Once per file, and more than once within the 3 MiB file. */
	assert_true(s.calls >= 7 + 2);
	assert_true(s.mid_file_calls >= 2);
	assert_true(s.monotonic);
	assert_int_equal(s.last_files, 7);
	assert_int_equal(s.total_files, 7);
	assert_true(s.last_bytes == s.total_bytes);
	assert_int_equal(s.total_bytes, BIG_SIZE + 43);

	strlist_free(&s.entries);
	manifest_free(&m);
	free(dest);
	free(path);
}

/* Only the engine: nothing of the console lands, progress still ends. */
static void
test_payload_extract_component(void **state)
{
	static const char *const engine[] = { "engine", NULL };
	struct fixture *f = *state;
	char *path = build_payload(f), *p;
	struct seen s;
	struct es_err e;
	size_t i;

	seen_init(&s);
	if (!extract(f, path, engine, NULL, &s, &e))
		fail_msg("%s", e.msg);
	p = fixture_path(f, "dest/nse/lib/big.bin");
	assert_true(exists(p));
	free(p);
	p = fixture_path(f, "dest/nsc");
	assert_false(exists(p));
	free(p);
	p = fixture_path(f, "dest/console");
	assert_false(exists(p));
	free(p);
	p = fixture_path(f, "dest/engine");
	assert_false(exists(p));
	free(p);
	for (i = 0; i < s.entries.n; i++)
		assert_null(strstr(s.entries.v[i], "nsc"));
	assert_int_equal(s.last_files, s.total_files);
	assert_true(s.last_bytes == s.total_bytes);

	/* Without a manifest, configuration keeps its packed mode. */
	p = fixture_path(f, "dest/nse/conf/a.conf");
	assert_int_equal(mode_of(p), 0644);
	free(p);
	strlist_free(&s.entries);
	free(path);
}

/* Same tree, same bytes; a payload can be swapped into an installer. */
static void
test_payload_mkpayload_reproducible(void **state)
{
	struct fixture *f = *state;
	char *path = build_payload(f), *tree, *out2, *out3, *a, *b, *c;
	size_t la, lb, lc;

	tree = fixture_path(f, "tree");
	out2 = fixture_path(f, "again");
	out3 = fixture_path(f, "swapped");
	assert_int_equal(run_mkpayload(f, path, tree, out2, NULL), 0);
	assert_int_equal(run_mkpayload(f, out2, tree, out3, NULL), 0);
	a = fixture_read(path, &la);
	b = fixture_read(out2, &lb);
	c = fixture_read(out3, &lc);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_int_equal(la, lc);
	assert_memory_equal(a, c, la);
	free(a);
	free(b);
	free(c);
	free(tree);
	free(out2);
	free(out3);
	free(path);
}

/* mkpayload refuses links out of the tree, devices and bad manifests. */
static void
test_payload_mkpayload_rejects(void **state)
{
	struct fixture *f = *state;
	char *path = build_payload(f), *tree, *out, *p, *err;

	tree = fixture_path(f, "tree");
	out = fixture_path(f, "bad");

	p = fixture_path(f, "tree/engine/nse/abs");
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_not_equal(run_mkpayload(f, path, tree, out, &err), 0);
	assert_contains(err, p);
	assert_contains(err, "outside");
	unlink(p);
	free(err);
	free(p);

	p = fixture_path(f, "tree/engine/nse/up");
	assert_int_equal(symlink("../../console", p), 0);
	assert_int_not_equal(run_mkpayload(f, path, tree, out, &err), 0);
	assert_contains(err, p);
	unlink(p);
	free(err);
	free(p);

	/* Inside by name, outside once the links resolve. */
	p = fixture_path(f, "tree/engine/nse/x");
	assert_int_equal(symlink("..", p), 0);
	free(p);
	p = fixture_path(f, "tree/engine/nse/y");
	assert_int_equal(symlink("x/..", p), 0);
	assert_int_not_equal(run_mkpayload(f, path, tree, out, &err), 0);
	assert_contains(err, p);
	unlink(p);
	free(err);
	free(p);
	p = fixture_path(f, "tree/engine/nse/x");
	unlink(p);
	free(p);

	p = fixture_path(f, "tree/engine/nse/fifo");
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_not_equal(run_mkpayload(f, path, tree, out, &err), 0);
	assert_contains(err, p);
	assert_contains(err, "FIFO");
	unlink(p);
	free(err);
	free(p);

	fixture_write(f, "tree/manifest", "product = X\nversion = 1\n");
	assert_int_not_equal(run_mkpayload(f, path, tree, out, &err), 0);
	assert_contains(err, "manifest:2");
	free(err);

	assert_false(exists(out));
	p = xasprintf("%s.tmp", out);
	assert_false(exists(p));
	free(p);
	free(out);
	free(tree);
	free(path);
}

/* mkpayload refuses the attacks of issue 9 part 4 whether or not a link's
 * target exists on the build host. */
static void
test_payload_mkpayload_link_attacks(void **state)
{
	struct fixture *f = *state;
	char *path = build_payload(f), *tree, *out, *p, *q, *err;
	struct sbuf deep;
	int i;

	tree = fixture_path(f, "tree");
	out = fixture_path(f, "bad");

	/* test_link_loop_escape: the target does not exist here. */
	q = fixture_path(f, "tree/engine/nse/q");
	assert_int_equal(symlink(".", q), 0);
	p = fixture_path(f, "tree/engine/nse/conf2");
	assert_int_equal(symlink("q/q/q/../../../outside/folder", p), 0);
	assert_int_not_equal(run_mkpayload(f, path, tree, out, &err), 0);
	assert_contains(err, "cannot pack");
	assert_contains(err, "nse/q");
	assert_contains(err, "nse/conf2");
	free(err);
	unlink(p);
	unlink(q);
	free(p);
	free(q);

	/* test_dup_across_components: console installs engine's folder too;
	 * a folder both have is fine, a file both have is not. */
	fixture_write(f, "tree/console/nse/bin/console-tool", "t\n");
	assert_int_equal(run_mkpayload(f, path, tree, out, &err), 0);
	free(err);
	unlink(out);
	fixture_write(f, "tree/console/nse/lib/readme", "mine\n");
	assert_int_not_equal(run_mkpayload(f, path, tree, out, &err), 0);
	assert_contains(err, "engine/nse/lib/readme");
	assert_contains(err, "appears twice");
	assert_contains(err, "component console unpacks console/ and engine/");
	free(err);
	p = fixture_path(f, "tree/console/nse");
	fixture_rm_rf(p);
	free(p);

	/* test_reserved_record_dir */
	fixture_write(f, "tree/engine/.install/record", "forged\n");
	assert_int_not_equal(run_mkpayload(f, path, tree, out, &err), 0);
	assert_contains(err, "installer's own folder");
	free(err);
	p = fixture_path(f, "tree/engine/.install");
	fixture_rm_rf(p);
	free(p);

	/* test_overlong_path */
	sbuf_init(&deep);
	sbuf_add(&deep, "tree/engine/deep");
	for (i = 0; i < 409; i++)
		sbuf_add(&deep, "/dd");
	sbuf_add(&deep, "/file");
	fixture_write(f, deep.s, "deep\n");
	sbuf_free(&deep);
	assert_int_not_equal(run_mkpayload(f, path, tree, out, &err), 0);
	assert_contains(err, "longer than 1000 bytes");
	free(err);
	p = fixture_path(f, "tree/engine/deep");
	fixture_rm_rf(p);
	free(p);

	assert_false(exists(out));
	/* What is left is the sample again, and packs. */
	assert_int_equal(run_mkpayload(f, path, tree, out, NULL), 0);
	free(out);
	free(tree);
	free(path);
}

/* Change one byte of a file in place. */
static void
flip_byte(const char *path, uint64_t off)
{
	FILE *fp = fopen(path, "r+b");
	int c;

	assert_non_null(fp);
	assert_int_equal(fseeko(fp, (off_t)off, SEEK_SET), 0);
	c = fgetc(fp);
	assert_int_equal(fseeko(fp, (off_t)off, SEEK_SET), 0);
	fputc(c ^ 0x5a, fp);
	assert_int_equal(fclose(fp), 0);
}

static void
test_payload_corrupt_data(void **state)
{
	static const char *const both[] = { "engine", "console", NULL };
	struct fixture *f = *state;
	char *path = build_payload(f);
	struct payload p;
	struct seen s;
	struct es_err e;

	memset(&e, 0, sizeof e);
	assert_true(payload_open(&p, path, &e));
	flip_byte(path, p.t.data_off + p.t.data_len / 2);
	assert_false(payload_verify(&p, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_contains(e.msg, "download the installer again");
	payload_close(&p);

	seen_init(&s);
	assert_false(extract(f, path, both, NULL, &s, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_contains(e.msg, "download the installer again");
	strlist_free(&s.entries);
	free(path);
}

/* A wrong hash in the trailer: the archive reads well, the check fails. */
static void
test_payload_hash_mismatch(void **state)
{
	static const char *const both[] = { "engine", "console", NULL };
	struct fixture *f = *state;
	char *path = build_payload(f), *lic, hex[65];
	struct manifest m;
	struct payload p;
	struct seen s;
	struct es_err e;

	memset(&e, 0, sizeof e);
	assert_true(payload_open(&p, path, &e));
	flip_byte(path, p.file_size - 1);     /* last byte of data_sha256 */
	hex_encode(p.t.data_sha256, 32, hex);
	payload_close(&p);

	seen_init(&s);
	assert_false(extract(f, path, both, NULL, &s, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_contains(e.msg, "corrupt");
	assert_contains(e.msg, hex);          /* the actual hash */
	assert_contains(e.msg, "download the installer again");
	strlist_free(&s.entries);

	/* A damaged meta archive is found before it is parsed. */
	memset(&e, 0, sizeof e);
	assert_true(payload_open(&p, path, &e));
	flip_byte(path, p.t.meta_off + 10);
	assert_false(payload_read_meta(&p, &m, &lic, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_contains(e.msg, "meta archive");
	assert_null(lic);
	payload_close(&p);
	free(path);
}

static void
test_payload_truncated(void **state)
{
	static const char *const both[] = { "engine", "console", NULL };
	struct fixture *f = *state;
	char *path = build_payload(f), *text, *dest;
	unsigned char trailer[PAYLOAD_TRAILER_SIZE];
	struct payload_extract_opts o;
	struct payload p;
	struct es_err e;
	size_t len;
	FILE *fp;

	text = fixture_read(path, &len);
	memcpy(trailer, text + len - sizeof trailer, sizeof trailer);

	/* Cut short: the trailer is gone. */
	assert_int_equal(truncate(path, (off_t)(len / 2)), 0);
	memset(&e, 0, sizeof e);
	assert_false(payload_open(&p, path, &e));
	assert_int_equal(e.code, ES_EINSTALL);

	/* Cut short, trailer kept: its offsets do not fit. */
	write_bytes(path, text, len / 2);
	fp = fopen(path, "ab");
	assert_non_null(fp);
	assert_int_equal(fwrite(trailer, 1, sizeof trailer, fp),
	    sizeof trailer);
	assert_int_equal(fclose(fp), 0);
	memset(&e, 0, sizeof e);
	assert_false(payload_open(&p, path, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_contains(e.msg, "truncated");

	/* Cut short after it was opened. */
	write_bytes(path, text, len);
	memset(&e, 0, sizeof e);
	assert_true(payload_open(&p, path, &e));
	assert_int_equal(truncate(path, (off_t)(len - 5000)), 0);
	dest = make_dest(f);
	memset(&o, 0, sizeof o);
	o.dest = dest;
	o.components = both;
	assert_false(payload_extract(&p, &o, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_contains(e.msg, "download the installer again");
	payload_close(&p);
	free(dest);
	free(text);
	free(path);
}

/* A zstd stream cut short, with a trailer whose length and hash match
 * the cut bytes: the hash alone cannot tell, the decompressor must. */
static void
test_payload_truncated_stream_rehashed(void **state)
{
	static const char *const both[] = { "engine", "console", NULL };
	struct fixture *f = *state;
	char *path = build_payload(f), *text, *dest, *cut;
	unsigned char tb[PAYLOAD_TRAILER_SIZE];
	struct payload_trailer t;
	struct payload_extract_opts o;
	struct payload p;
	struct es_err e;
	size_t len, newlen;
	FILE *fp;

	text = fixture_read(path, &len);
	assert_true(payload_trailer_decode((const unsigned char *)text + len -
	    PAYLOAD_TRAILER_SIZE, &t));
	t.data_len -= 16;
	SHA256((const unsigned char *)text + t.data_off, (size_t)t.data_len,
	    t.data_sha256);
	payload_trailer_encode(&t, tb);
	newlen = (size_t)(t.data_off + t.data_len);
	cut = fixture_path(f, "cut-setup");
	fp = fopen(cut, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, newlen, fp), newlen);
	assert_int_equal(fwrite(tb, 1, sizeof tb, fp), sizeof tb);
	assert_int_equal(fclose(fp), 0);

	memset(&e, 0, sizeof e);
	assert_true(payload_open(&p, cut, &e));
	dest = make_dest(f);
	memset(&o, 0, sizeof o);
	o.dest = dest;
	o.components = both;
	assert_false(payload_extract(&p, &o, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_contains(e.msg, "the zstd stream ends early");
	assert_contains(e.msg, "download the installer again");
	payload_close(&p);
	free(dest);
	free(cut);
	free(text);
	free(path);
}

static void
test_payload_cancel(void **state)
{
	static const char *const both[] = { "engine", "console", NULL };
	struct fixture *f = *state;
	char *path = build_payload(f);
	struct seen s;
	struct es_err e;

	seen_init(&s);
	s.cancel_after = 3;
	assert_false(extract(f, path, both, NULL, &s, &e));
	assert_int_equal(e.code, ES_ECANCEL);
	assert_int_equal(s.calls, 3);
	strlist_free(&s.entries);
	free(path);
}

/* One entry of a crafted data archive. */
struct craft {
	const char *name;
	char type;      /* f file, d dir, l symlink, h hard link, p fifo */
	const char *arg;        /* file text, link target */
};

static la_ssize_t
craft_write(struct archive *a, void *arg, const void *buf, size_t len)
{
	(void)a;
	sbuf_addn(arg, buf, len);
	return (la_ssize_t)len;
}

/* Write an installer whose data archive holds exactly these entries, with
 * a correct trailer: only the extraction's own checks can stop them. */
static char *
craft_payload(const struct fixture *f, const struct craft *c, size_t n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *ent;
	struct payload_trailer t;
	unsigned char trailer[PAYLOAD_TRAILER_SIZE];
	unsigned int mdlen;
	char meta[512];
	struct sbuf data, out;
	char *path;
	size_t i;

	sbuf_init(&data);
	assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_pax_restricted(a),
	    ARCHIVE_OK);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open(a, &data, NULL, craft_write, NULL),
	    ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		ent = archive_entry_new();
		archive_entry_set_pathname(ent, c[i].name);
		archive_entry_set_perm(ent, 0644);
		switch (c[i].type) {
		case 'f':
			archive_entry_set_filetype(ent, AE_IFREG);
			archive_entry_set_size(ent, strlen(c[i].arg));
			break;
		case 'd':
			archive_entry_set_filetype(ent, AE_IFDIR);
			archive_entry_set_perm(ent, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(ent, AE_IFLNK);
			archive_entry_set_symlink(ent, c[i].arg);
			break;
		case 'h':
			archive_entry_set_filetype(ent, AE_IFREG);
			archive_entry_set_hardlink(ent, c[i].arg);
			break;
		case 'p':
			archive_entry_set_filetype(ent, AE_IFIFO);
			break;
		}
		assert_int_equal(archive_write_header(a, ent), ARCHIVE_OK);
		if (c[i].type == 'f')
			archive_write_data(a, c[i].arg, strlen(c[i].arg));
		archive_entry_free(ent);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);

	memset(meta, 0, sizeof meta);
	memset(&t, 0, sizeof t);
	t.meta_off = 3;
	t.meta_len = sizeof meta;
	t.data_off = t.meta_off + t.meta_len;
	t.data_len = data.len;
	t.data_files = n;
	EVP_Digest(meta, sizeof meta, t.meta_sha256, &mdlen, EVP_sha256(),
	    NULL);
	EVP_Digest(data.s, data.len, t.data_sha256, &mdlen, EVP_sha256(),
	    NULL);
	payload_trailer_encode(&t, trailer);

	sbuf_init(&out);
	sbuf_add(&out, "MZ!");
	sbuf_addn(&out, meta, sizeof meta);
	sbuf_addn(&out, data.s, data.len);
	sbuf_addn(&out, (const char *)trailer, sizeof trailer);
	path = fixture_path(f, "crafted");
	write_bytes(path, out.s, out.len);
	sbuf_free(&out);
	sbuf_free(&data);
	return path;
}

/* Extract a crafted payload that must be refused; returns the message. */
static struct es_err
craft_refused(const struct fixture *f, const struct craft *c, size_t n)
{
	static const char *const engine[] = { "engine", NULL };
	char *path = craft_payload(f, c, n), *dest = fixture_path(f, "dest");
	struct seen s;
	struct es_err e;

	/* Each attack on an empty folder, as the installer's staging is. */
	fixture_rm_rf(dest);
	free(dest);
	seen_init(&s);
	if (extract(f, path, engine, NULL, &s, &e))
		fail_msg("a crafted payload was extracted");
	assert_int_equal(e.code, ES_EINSTALL);
	strlist_free(&s.entries);
	free(path);
	return e;
}

static void
test_payload_crafted_ok(void **state)
{
	static const char *const engine[] = { "engine", NULL };
	static const struct craft c[] = {
		{ "engine/", 'd', NULL },
		{ "engine/a", 'f', "A" },
		{ "engineer/b", 'f', "B" },   /* not the engine's folder */
		{ "engine/d/", 'd', NULL },
		{ "engine/d/l", 'l', "../a" },
	};
	struct fixture *f = *state;
	char *path = craft_payload(f, c, 5), *p;
	struct seen s;
	struct es_err e;

	seen_init(&s);
	if (!extract(f, path, engine, NULL, &s, &e))
		fail_msg("%s", e.msg);
	p = fixture_path(f, "dest/d/l");
	assert_true(exists(p));
	free(p);
	p = fixture_path(f, "dest/b");
	assert_false(exists(p));
	free(p);
	assert_int_equal(s.entries.n, 3);
	strlist_free(&s.entries);
	free(path);
}

static void
test_payload_secure_dotdot(void **state)
{
	static const struct craft c1[] = { { "engine/../evil", 'f', "x" } };
	static const struct craft c2[] = {
		{ "engine/a/", 'd', NULL },
		{ "engine/a/../../evil", 'f', "x" },
	};
	static const struct craft c3[] = {
		{ "engine/..", 'd', NULL },
	};
	struct fixture *f = *state;
	struct es_err e;
	char *evil = fixture_path(f, "evil");

	e = craft_refused(f, c1, 1);
	assert_contains(e.msg, "engine/../evil");
	assert_contains(e.msg, "\"..\"");
	assert_false(exists(evil));
	e = craft_refused(f, c2, 2);
	assert_contains(e.msg, "engine/a/../../evil");
	assert_false(exists(evil));
	e = craft_refused(f, c3, 1);
	free(evil);
}

static void
test_payload_secure_absolute(void **state)
{
	struct fixture *f = *state;
	char *abs = fixture_path(f, "abs");
	struct craft c[] = { { abs, 'f', "x" } };
	struct es_err e;

	e = craft_refused(f, c, 1);
	assert_contains(e.msg, abs);
	assert_contains(e.msg, "absolute");
	assert_false(exists(abs));
	free(abs);
}

static void
test_payload_secure_symlink_escape(void **state)
{
	struct fixture *f = *state;
	char *outside = fixture_path(f, "outside");
	char *victim = fixture_path(f, "outside/file");
	struct craft c[] = {
		{ "engine/link", 'l', outside },
		{ "engine/link/file", 'f', "pwned" },
	};
	struct craft rel[] = {
		{ "engine/link", 'l', "../outside" },
		{ "engine/link/file", 'f', "pwned" },
	};
	struct craft tmp[] = {
		{ "engine/link", 'l', "/tmp" },
		{ "engine/link/file", 'f', "pwned" },
	};
	struct es_err e;
	char *p;

	fixture_mkdirs(outside);
	e = craft_refused(f, c, 2);
	assert_contains(e.msg, "engine/link");
	assert_contains(e.msg, "outside the installation");
	assert_false(exists(victim));
	e = craft_refused(f, rel, 2);
	assert_contains(e.msg, "outside the installation");
	assert_false(exists(victim));
	e = craft_refused(f, tmp, 2);
	assert_contains(e.msg, "/tmp");
	p = fixture_path(f, "dest/link");
	assert_false(exists(p));
	free(p);
	free(victim);
	free(outside);
}

/* A link that stays inside may not be written through either
 * (ARCHIVE_EXTRACT_SECURE_SYMLINKS). */
static void
test_payload_secure_write_through_link(void **state)
{
	static const struct craft c[] = {
		{ "engine/d/", 'd', NULL },
		{ "engine/l", 'l', "d" },
		{ "engine/l/f", 'f', "through" },
	};
	struct fixture *f = *state;
	struct es_err e;
	char *p;

	e = craft_refused(f, c, 3);
	assert_contains(e.msg, "l/f");
	p = fixture_path(f, "dest/d/f");
	assert_false(exists(p));
	free(p);
}

static void
test_payload_secure_hardlink(void **state)
{
	static const struct craft c[] = {
		{ "engine/x", 'f', "x" },
		{ "engine/h", 'h', "/etc/passwd" },
	};
	static const struct craft c2[] = {
		{ "engine/x", 'f', "x" },
		{ "engine/h", 'h', "engine/x" },
	};
	struct fixture *f = *state;
	struct es_err e;
	char *p;

	e = craft_refused(f, c, 2);
	assert_contains(e.msg, "engine/h");
	assert_contains(e.msg, "hard link");
	p = fixture_path(f, "dest/h");
	assert_false(exists(p));
	free(p);
	e = craft_refused(f, c2, 2);
	assert_contains(e.msg, "hard link");
}

static void
test_payload_secure_special_files(void **state)
{
	static const struct craft fifo[] = { { "engine/fifo", 'p', NULL } };
	static const struct craft bs[] = {
		{ "engine/a\\..\\..\\evil", 'f', "x" },
	};
	static const struct craft nl[] = { { "engine/a\nb", 'f', "x" } };
	struct fixture *f = *state;
	struct es_err e;
	char *p;

	e = craft_refused(f, fifo, 1);
	assert_contains(e.msg, "engine/fifo");
	p = fixture_path(f, "dest/fifo");
	assert_false(exists(p));
	free(p);
	e = craft_refused(f, bs, 1);
	assert_contains(e.msg, "backslash");
	e = craft_refused(f, nl, 1);
	assert_contains(e.msg, "control character");
}

static void
test_payload_link_inside(void **state)
{
	(void)state;
	assert_true(payload_link_inside("a", "b"));
	assert_true(payload_link_inside("a/b/c", "../../x"));
	assert_true(payload_link_inside("a/b", "./../c/./d"));
	assert_false(payload_link_inside("a", "../x"));
	assert_false(payload_link_inside("a/b/c", "../../../x"));
	assert_false(payload_link_inside("a/b", "c/../../../x"));
	assert_false(payload_link_inside("a", "/etc"));
	assert_false(payload_link_inside("a", ""));
	assert_false(payload_link_inside("a", "..\\x"));
	assert_null(payload_path_problem("engine/nse/a.b"));
	assert_non_null(payload_path_problem("engine//a"));
	assert_non_null(payload_path_problem("engine/./a"));
	assert_non_null(payload_path_problem("C:/x"));
	assert_non_null(payload_path_problem(""));
	{
		/* PAYLOAD_PATH_MAX and PAYLOAD_NAME_MAX, at and past. */
		char p[PAYLOAD_PATH_MAX + 2];
		size_t i;

		for (i = 0; i <= PAYLOAD_PATH_MAX; i++)
			p[i] = i % 200 == 199 ? '/' : 'a';
		p[PAYLOAD_PATH_MAX] = '\0';
		assert_null(payload_path_problem(p));
		p[PAYLOAD_PATH_MAX] = 'a';
		p[PAYLOAD_PATH_MAX + 1] = '\0';
		assert_non_null(strstr(payload_path_problem(p), "1000 bytes"));
		memset(p, 'n', 256);
		p[255] = '\0';
		assert_null(payload_path_problem(p));
		p[255] = 'n';
		p[256] = '\0';
		assert_non_null(strstr(payload_path_problem(p), "NAME_MAX"));
	}
}

/* Add entries to a fresh tree; the index of the first refused one, or -1
 * when all pass. "d:"/"f:"/"l:" prefix the type; a link is "l:NAME>TARGET";
 * a digit after the type ("d1:x") is the component. */
static int
tree_run(const char *const *v, char *why, size_t whysz)
{
	struct payload_tree *t = payload_tree_new();
	int i, bad = -1;

	for (i = 0; v[i] != NULL && bad < 0; i++) {
		char type = v[i][0], *name, *target = NULL, *gt;
		unsigned src = 0;
		const char *rest = v[i] + 2;

		if (v[i][1] >= '0' && v[i][1] <= '9') {
			src = (unsigned)(v[i][1] - '0');
			rest = v[i] + 3;
		}
		name = xstrdup(rest);
		if (type == 'l' && (gt = strchr(name, '>')) != NULL) {
			*gt = '\0';
			target = gt + 1;
		}
		if (payload_tree_add(t, name, type, target, src, why, whysz) ==
		    PAYLOAD_TREE_REFUSED)
			bad = i;
		free(name);
	}
	payload_tree_free(t);
	return bad;
}

#define TREE_REFUSES(at, want, ...) do { \
	static const char *const v_[] = { __VA_ARGS__, NULL }; \
	char why_[1024]; \
	int got_ = tree_run(v_, why_, sizeof why_); \
	if (got_ != (at)) \
		fail_msg("line %d: refused entry %d, expected %d (%s)", \
		    __LINE__, got_, (at), got_ >= 0 ? why_ : "-"); \
	if ((at) >= 0) \
		assert_contains(why_, want); \
} while (0)

/* The attacks of issue 9 part 4 and their kind, on the checker alone;
 * each in both orders where the order could matter. */
static void
test_payload_tree_attacks(void **state)
{
	(void)state;
	/* test_link_loop_escape: "as many q/ as ../", inside by its text. */
	TREE_REFUSES(3, "resolves through \"nse/q\"", "d:nse", "l:nse/q>.",
	    "f:nse/x", "l:nse/conf>q/q/q/../../../outside");
	TREE_REFUSES(2, "would redirect the link \"nse/conf\"", "d:nse",
	    "l:nse/conf>q/q/q/../../../outside", "l:nse/q>.");
	/* test_link_through_link: through a link even when it ends inside. */
	TREE_REFUSES(2, "a symbolic link", "d:d", "l:a>d", "l:b>a/x");
	TREE_REFUSES(2, "would redirect", "d:d", "l:b>a/x", "l:a>d");
	TREE_REFUSES(1, "resolves through \"a\"", "l:a>b", "l:c>a/..");
	TREE_REFUSES(0, "resolves through \"a\"", "l:a>a/x");
	/* test_link_escape: plain and absolute. */
	TREE_REFUSES(0, "outside the installation", "l:x>../y");
	TREE_REFUSES(1, "outside the installation", "d:a", "l:a/x>x/../../..");
	TREE_REFUSES(0, "outside the installation", "l:x>/etc");
	TREE_REFUSES(0, "outside the installation", "l:x>");
	TREE_REFUSES(0, "control character", "l:x>a\nb");
	/* test_write_inside_link: an entry beneath a link, either order. */
	TREE_REFUSES(2, "inside \"l\", a symbolic link", "d:d", "l:l>d",
	    "f:l/f");
	TREE_REFUSES(2, "appears twice", "d:d", "f:l/f", "l:l>d");
	/* test_dup_file_then_dir and the other duplicates. */
	TREE_REFUSES(1, "a file of this name came first", "f:x", "d:x");
	TREE_REFUSES(1, "\"x\" is a file", "f:x", "f:x/y");
	TREE_REFUSES(1, "a folder of this name came first", "d:x", "f:x");
	TREE_REFUSES(1, "entries inside a folder", "f:x/y", "f:x");
	TREE_REFUSES(1, "entries inside a folder", "f:x/y", "l:x>z");
	TREE_REFUSES(1, "a file of this name came first", "f:x", "f:x");
	TREE_REFUSES(1, "a symbolic link of this name", "l:x>y", "l:x>y");
	TREE_REFUSES(1, "a folder of this name came first", "d0:x", "d0:x");
	/* test_reserved_record_dir: .install is the installer's. */
	TREE_REFUSES(0, "installer's own folder", "d:.install");
	TREE_REFUSES(0, "installer's own folder", "l:.install>nse");
	TREE_REFUSES(0, "installer's own folder", "f:.install/record");

	/* What stays allowed: links inside, chains whose last name is a
	 * link, dangling links inside, ".." through real folders, folders
	 * two components share, files beside links. */
	TREE_REFUSES(-1, "", "d:nse", "d:nse/lib", "f:nse/lib/big.bin",
	    "l:nse/lib/link>big.bin", "l:nse/q>.", "l:nse/r>q",
	    "l:nse/up>../nse/./lib//big.bin", "l:top>nse/lib/../conf",
	    "l:dangling>nse/none/deeper", "d:nse/conf", "d1:nse",
	    "d1:nse/conf", "f1:nse/conf/own", "l:root>.", "l:nse/back>..",
	    "f:.installed", "d:a.install");
}

/* The crafted attack payloads are refused while they are extracted. */
static void
test_payload_link_loop_escape(void **state)
{
	static const struct craft q_first[] = {
		{ "engine/", 'd', NULL },
		{ "engine/nse/", 'd', NULL },
		{ "engine/nse/q", 'l', "." },
		{ "engine/nse/x/", 'd', NULL },
		{ "engine/nse/z", 'l', "q/q/q/../../../outside" },
	};
	static const struct craft conf_first[] = {
		{ "engine/", 'd', NULL },
		{ "engine/nse/", 'd', NULL },
		{ "engine/nse/conf", 'l', "q/q/q/../../../outside" },
		{ "engine/nse/q", 'l', "." },
	};
	struct fixture *f = *state;
	struct es_err e;
	char *p;

	e = craft_refused(f, q_first, 5);
	assert_contains(e.msg, "engine/nse/z");
	assert_contains(e.msg, "through \"nse/q\"");
	p = fixture_path(f, "dest/nse/z");
	assert_false(exists(p));
	free(p);
	e = craft_refused(f, conf_first, 4);
	assert_contains(e.msg, "engine/nse/q");
	assert_contains(e.msg, "\"nse/conf\"");
	p = fixture_path(f, "dest/nse/q");
	assert_false(exists(p));
	free(p);
}

static void
test_payload_dup_file_then_dir(void **state)
{
	static const struct craft file_dir[] = {
		{ "engine/", 'd', NULL },
		{ "engine/nse/", 'd', NULL },
		{ "engine/nse/nseserv", 'f', "#!/bin/sh\n" },
		{ "engine/nse/nseserv/", 'd', NULL },
	};
	static const struct craft file_under[] = {
		{ "engine/nse", 'f', "x" },
		{ "engine/nse/nseserv", 'f', "#!/bin/sh\n" },
	};
	static const struct craft twice[] = {
		{ "engine/a", 'f', "first" },
		{ "engine/a", 'f', "second" },
	};
	static const struct craft slash[] = {
		{ "engine/a/", 'd', NULL },
		{ "engine/a", 'f', "file" },
	};
	static const struct craft link_dir[] = {
		{ "engine/a", 'l', "b" },
		{ "engine/a/", 'd', NULL },
	};
	struct fixture *f = *state;
	struct es_err e;
	char *p;

	e = craft_refused(f, file_dir, 4);
	assert_contains(e.msg, "\"engine/nse/nseserv/\"");
	assert_contains(e.msg, "appears twice");
	p = fixture_path(f, "dest/nse/nseserv");
	assert_int_equal(plat_file_type(p), PLAT_FILE);
	free(p);
	e = craft_refused(f, file_under, 2);
	assert_contains(e.msg, "\"nse\" is a file");
	e = craft_refused(f, twice, 2);
	assert_contains(e.msg, "appears twice");
	e = craft_refused(f, slash, 2);
	assert_contains(e.msg, "appears twice");
	e = craft_refused(f, link_dir, 2);
	assert_contains(e.msg, "appears twice");
}

/* Components installed together share one folder: a folder both have is
 * made once, a file both have is refused. */
static void
test_payload_dup_across_components(void **state)
{
	static const char *const both[] = { "console", "engine", NULL };
	static const struct craft shared_dir[] = {
		{ "console/", 'd', NULL },
		{ "console/lib/", 'd', NULL },
		{ "console/lib/c", 'f', "c" },
		{ "engine/", 'd', NULL },
		{ "engine/lib/", 'd', NULL },
		{ "engine/lib/e", 'f', "e" },
	};
	static const struct craft shared_file[] = {
		{ "console/lib/x", 'f', "console's" },
		{ "engine/lib/x", 'f', "engine's" },
	};
	struct fixture *f = *state;
	char *path = craft_payload(f, shared_dir, 6), *p;
	struct seen s;
	struct es_err e;
	size_t i, dirs = 0;

	seen_init(&s);
	if (!extract(f, path, both, NULL, &s, &e))
		fail_msg("%s", e.msg);
	for (i = 0; i < s.entries.n; i++)
		if (strstr(s.entries.v[i], " lib -") != NULL)
			dirs++;
	assert_int_equal(dirs, 1);
	p = fixture_path(f, "dest/lib/e");
	assert_true(exists(p));
	free(p);
	strlist_free(&s.entries);
	free(path);

	path = craft_payload(f, shared_file, 2);
	seen_init(&s);
	assert_false(extract(f, path, both, NULL, &s, &e));
	assert_contains(e.msg, "engine/lib/x");
	assert_contains(e.msg, "appears twice");
	strlist_free(&s.entries);
	free(path);
}

static void
test_payload_reserved_record_dir(void **state)
{
	static const struct craft dir[] = {
		{ "engine/.install/", 'd', NULL },
		{ "engine/.install/record", 'f', "forged" },
	};
	static const struct craft link[] = {
		{ "engine/.install", 'l', "nse" },
	};
	struct fixture *f = *state;
	struct es_err e;
	char *p = fixture_path(f, "dest/.install");

	e = craft_refused(f, dir, 2);
	assert_contains(e.msg, "installer's own folder");
	assert_false(exists(p));
	e = craft_refused(f, link, 1);
	assert_contains(e.msg, "installer's own folder");
	assert_false(exists(p));
	free(p);
}

/* test_overlong_path: 409 folders deep, longer than PAYLOAD_PATH_MAX
 * (and, under a long install_dir, than PATH_MAX). */
static void
test_payload_overlong_path(void **state)
{
	struct fixture *f = *state;
	struct sbuf name;
	struct craft c[1];
	struct es_err e;
	int i;

	sbuf_init(&name);
	sbuf_add(&name, "engine");
	for (i = 0; i < 409; i++)
		sbuf_add(&name, "/dd");
	sbuf_add(&name, "/file");
	c[0].name = name.s;
	c[0].type = 'f';
	c[0].arg = "deep";
	e = craft_refused(f, c, 1);
	assert_contains(e.msg, "longer than 1000 bytes");
	sbuf_free(&name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_payload_trailer_roundtrip),
		cmocka_unit_test(test_payload_link_inside),
		cmocka_unit_test(test_payload_tree_attacks),
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, \
	fixture_teardown)
		T(test_payload_open_without_trailer),
		T(test_payload_extract_all),
		T(test_payload_extract_component),
		T(test_payload_mkpayload_reproducible),
		T(test_payload_mkpayload_rejects),
		T(test_payload_mkpayload_link_attacks),
		T(test_payload_corrupt_data),
		T(test_payload_hash_mismatch),
		T(test_payload_truncated),
		T(test_payload_truncated_stream_rehashed),
		T(test_payload_cancel),
		T(test_payload_crafted_ok),
		T(test_payload_secure_dotdot),
		T(test_payload_secure_absolute),
		T(test_payload_secure_symlink_escape),
		T(test_payload_secure_write_through_link),
		T(test_payload_secure_hardlink),
		T(test_payload_secure_special_files),
		T(test_payload_link_loop_escape),
		T(test_payload_dup_file_then_dir),
		T(test_payload_dup_across_components),
		T(test_payload_reserved_record_dir),
		T(test_payload_overlong_path),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
