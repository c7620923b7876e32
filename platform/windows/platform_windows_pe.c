/* Where the data appended to a signed installer ends (plat_payload_end).
 *
 * The payload is appended after the PE image; signing then appends the
 * Authenticode certificate table after the payload and records its file
 * offset and size in the optional header's security directory
 * (IMAGE_DIRECTORY_ENTRY_SECURITY). Microsoft's PE format specification,
 * "The Attribute Certificate Table (Image Only)": the entry's
 * VirtualAddress is a file offset, not an RVA, and each certificate entry
 * starts on an 8-byte boundary; signing tools pad the file with zeros up
 * to that boundary first (osslsigncode: up to 7 bytes). The signature's
 * hash covers the data after the last section, so the payload is signed
 * with the program. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <windows.h>

#include "platform.h"

/* Bytes of alignment padding a signing tool may put before the table. */
#define PE_CERT_ALIGN_PAD 7

static uint32_t
pe_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint16_t
pe_get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Read len bytes at off; false when the file is shorter. */
static bool
pe_read(FILE *fp, uint64_t off, void *buf, size_t len)
{
	if (off > INT64_MAX || fseeko(fp, (off_t)off, SEEK_SET) != 0)
		return false;
	return fread(buf, 1, len, fp) == len;
}

bool
plat_payload_end(FILE *fp, const char *path, uint64_t file_size,
    uint64_t *end, unsigned *padding, struct es_err *e)
{
	unsigned char dos[64], nt[4 + IMAGE_SIZEOF_FILE_HEADER + 2];
	unsigned char dir[8];
	uint32_t lfanew, cert_off, cert_len, ndirs;
	uint64_t opt, dirs;
	uint16_t magic;

	*end = file_size;
	*padding = 0;
	/* IMAGE_DOS_HEADER: "MZ", and e_lfanew at 0x3c. */
	if (!pe_read(fp, 0, dos, sizeof dos) || pe_get16(dos) != IMAGE_DOS_SIGNATURE)
		goto bad;
	lfanew = pe_get32(dos + 0x3c);
	/* "PE\0\0", IMAGE_FILE_HEADER, then the optional header's Magic. */
	if (!pe_read(fp, lfanew, nt, sizeof nt) ||
	    pe_get32(nt) != IMAGE_NT_SIGNATURE)
		goto bad;
	opt = (uint64_t)lfanew + 4 + IMAGE_SIZEOF_FILE_HEADER;
	magic = pe_get16(nt + 4 + IMAGE_SIZEOF_FILE_HEADER);
	/* NumberOfRvaAndSizes and the data directories: their offsets in
	 * IMAGE_OPTIONAL_HEADER64 and IMAGE_OPTIONAL_HEADER32. */
	if (magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC)
		dirs = opt + offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory);
	else if (magic == IMAGE_NT_OPTIONAL_HDR32_MAGIC)
		dirs = opt + offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory);
	else
		goto bad;
	if (!pe_read(fp, dirs - 4, dir, 4))
		goto bad;
	ndirs = pe_get32(dir);
	if (ndirs <= IMAGE_DIRECTORY_ENTRY_SECURITY)
		return true;            /* no security directory: unsigned */
	if (!pe_read(fp, dirs + 8 * IMAGE_DIRECTORY_ENTRY_SECURITY, dir, 8))
		goto bad;
	cert_off = pe_get32(dir);
	cert_len = pe_get32(dir + 4);
	if (cert_off == 0 && cert_len == 0)
		return true;            /* unsigned */
	if (cert_off == 0 || cert_off > file_size ||
	    cert_len > file_size - cert_off) {
		err_set(e, ES_EINSTALL, "%s: its signature table (at byte %lu, "
		    "%lu bytes) lies outside the file of %llu bytes: the file "
		    "is damaged; download the installer again", path,
		    (unsigned long)cert_off, (unsigned long)cert_len,
		    (unsigned long long)file_size);
		return false;
	}
	*end = cert_off;
	*padding = PE_CERT_ALIGN_PAD;
	return true;
bad:
	err_set(e, ES_EINSTALL, "%s is not a Windows program whose header "
	    "can be read: the file is damaged or incomplete; download the "
	    "installer again", path);
	return false;
}
