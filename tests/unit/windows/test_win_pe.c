/* Tests of platform/windows/platform_windows_pe.c: the payload of a signed
 * installer is found before its certificate table (plat_payload_end, and
 * payload_open through it).
 *
 * A copy of the built installer (ES_BINARY_DIR/engine-setup.exe) is
 * "signed" the way a signing tool lays the file out (Microsoft's PE format
 * specification, "The Attribute Certificate Table"): zero bytes up to an
 * 8-byte boundary, then a WIN_CERTIFICATE, and the optional header's
 * security directory pointing at it by file offset. Its content is no real
 * signature: the installer does not check Authenticode itself (Windows
 * and osslsigncode do; scripts/dev test-windows signs the real file). */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include "payload.h"
#include "platform.h"
#include "util.h"

#define INSTALLER ES_BINARY_DIR "/engine-setup.exe"

/* The installer's bytes, read once. */
static char *installer;
static size_t installer_len;

static int
read_installer(void **state)
{
	(void)state;
	installer = fixture_read(INSTALLER, &installer_len);
	return installer == NULL ? -1 : 0;
}

static int
free_installer(void **state)
{
	(void)state;
	free(installer);
	return 0;
}

/* The security directory entry of the PE image in buf, found through the
 * structures windows.h declares. */
static IMAGE_DATA_DIRECTORY *
security_dir(char *buf)
{
	IMAGE_DOS_HEADER *dos = (IMAGE_DOS_HEADER *)buf;
	IMAGE_NT_HEADERS64 *nt = (IMAGE_NT_HEADERS64 *)(buf + dos->e_lfanew);

	assert_int_equal(nt->OptionalHeader.Magic, IMAGE_NT_OPTIONAL_HDR64_MAGIC);
	return &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_SECURITY];
}

/* Write the installer to rel in the fixture folder, followed by pad zero
 * bytes and a certificate table of cert_len bytes that the security
 * directory points at (cert_len 0: unsigned, written as it is). Returns
 * the path (caller frees); *table is the table's offset. */
static char *
write_signed(const struct fixture *f, const char *rel, size_t pad,
    size_t cert_len, uint64_t *table)
{
	size_t len = installer_len + pad + cert_len;
	char *buf = xcalloc(1, len);
	char *path = fixture_path(f, rel);
	IMAGE_DATA_DIRECTORY *d;
	FILE *fp;

	memcpy(buf, installer, installer_len);
	if (cert_len > 0) {
		/* WIN_CERTIFICATE: dwLength, wRevision (2.0), wCertificateType
		 * (PKCS#7 SignedData), little-endian. */
		unsigned char *wc = (unsigned char *)buf + installer_len + pad;

		wc[0] = (unsigned char)cert_len;
		wc[1] = (unsigned char)(cert_len >> 8);
		wc[4] = 0x00;
		wc[5] = 0x02;
		wc[6] = 0x02;
		memset(buf + installer_len + pad + 8, 0xa5, cert_len - 8);
		d = security_dir(buf);
		d->VirtualAddress = (DWORD)(installer_len + pad);
		d->Size = (DWORD)cert_len;
	}
	*table = installer_len + pad;
	fixture_write(f, rel, "");
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	free(buf);
	return path;
}

/* plat_payload_end of path: *end and *padding, or false. */
static bool
payload_end(const char *path, uint64_t *end, unsigned *padding,
    struct es_err *e)
{
	FILE *fp = fopen(path, "rb");
	uint64_t size;
	bool ok;

	assert_non_null(fp);
	assert_int_equal(fseeko(fp, 0, SEEK_END), 0);
	size = (uint64_t)ftello(fp);
	ok = plat_payload_end(fp, path, size, end, padding, e);
	fclose(fp);
	return ok;
}

static void
test_unsigned_ends_at_file_end(void **state)
{
	struct fixture *f = *state;
	struct payload p;
	struct es_err e;
	uint64_t table, end;
	unsigned padding;
	char *path = write_signed(f, "setup.exe", 0, 0, &table);

	err_clear(&e);
	assert_true(payload_end(path, &end, &padding, &e));
	assert_int_equal(end, installer_len);
	assert_int_equal(padding, 0);
	assert_true(payload_open(&p, path, &e));
	payload_close(&p);
	free(path);
}

/* Every padding a signing tool may add (0 to 7 zero bytes), and the
 * payload still opens and verifies. */
static void
test_signed_payload_found_before_table(void **state)
{
	struct fixture *f = *state;
	struct payload p;
	struct es_err e;
	uint64_t table, end;
	unsigned padding;
	size_t pad;
	char rel[32], *path;

	for (pad = 0; pad < 8; pad++) {
		snprintf(rel, sizeof rel, "signed-%zu.exe", pad);
		path = write_signed(f, rel, pad, 1024, &table);
		err_clear(&e);
		assert_true(payload_end(path, &end, &padding, &e));
		assert_int_equal(end, table);
		assert_int_equal(padding, 7);
		if (!payload_open(&p, path, &e))
			fail_msg("pad %u: %s", (unsigned)pad, e.msg);
		assert_int_equal(p.t.data_off + p.t.data_len +
		    PAYLOAD_TRAILER_SIZE, installer_len);
		if (!payload_verify(&p, &e))
			fail_msg("pad %u: %s", (unsigned)pad, e.msg);
		payload_close(&p);
		free(path);
	}
}

/* Padding is zeros: a non-zero byte between the trailer and the table
 * means the file was changed. */
static void
test_nonzero_padding_refused(void **state)
{
	struct fixture *f = *state;
	struct payload p;
	struct es_err e;
	uint64_t table;
	char *path = write_signed(f, "bad-pad.exe", 4, 512, &table);
	FILE *fp = fopen(path, "r+b");

	assert_non_null(fp);
	assert_int_equal(fseeko(fp, (off_t)(table - 2), SEEK_SET), 0);
	fputc('x', fp);
	fclose(fp);
	err_clear(&e);
	assert_false(payload_open(&p, path, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, "carries no payload"));
	free(path);
}

/* A table that would end past the file: damaged, said as such. */
static void
test_table_outside_file_refused(void **state)
{
	struct fixture *f = *state;
	struct es_err e;
	uint64_t table, end;
	unsigned padding;
	char *path = write_signed(f, "short.exe", 0, 256, &table);
	char *buf;
	size_t len;
	FILE *fp;

	buf = fixture_read(path, &len);
	assert_non_null(buf);
	security_dir(buf)->Size = 4096;
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	fclose(fp);
	err_clear(&e);
	assert_false(payload_end(path, &end, &padding, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, "signature table"));
	free(buf);
	free(path);
}

/* Not a PE file at all. */
static void
test_not_a_program_refused(void **state)
{
	struct fixture *f = *state;
	struct es_err e;
	uint64_t end;
	unsigned padding;
	char *path;

	fixture_write(f, "text.exe", "not a program, only text\n");
	path = fixture_path(f, "text.exe");
	err_clear(&e);
	assert_false(payload_end(path, &end, &padding, &e));
	assert_int_equal(e.code, ES_EINSTALL);
	assert_non_null(strstr(e.msg, "not a Windows program"));
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unsigned_ends_at_file_end,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_signed_payload_found_before_table, fixture_setup,
		    fixture_teardown),
		cmocka_unit_test_setup_teardown(test_nonzero_padding_refused,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_table_outside_file_refused,
		    fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_not_a_program_refused,
		    fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, read_installer, free_installer);
}
