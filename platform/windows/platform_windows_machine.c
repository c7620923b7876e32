/* Windows platform: the facts that tell this machine from a copy of it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "platform_windows.h"
#include "util.h"

/* The SMBIOS table as GetSystemFirmwareTable('RSMB') returns it
 * (RawSMBIOSData, "GetSystemFirmwareTable function", Windows docs). */
struct plat_raw_smbios {
	BYTE used20_calling_method;
	BYTE major;
	BYTE minor;
	BYTE dmi_revision;
	DWORD length;
	BYTE data[];
};

/* HKLM\SOFTWARE\Microsoft\Cryptography MachineGuid (this 64-bit program
 * reads the 64-bit view) into m->machine_id. */
static void
plat_machine_guid(struct plat_machine *m)
{
	wchar_t w[64];
	DWORD size = sizeof w;
	LSTATUS rc;
	char buf[160], *s, *c;

	rc = RegGetValueW(HKEY_LOCAL_MACHINE,
	    L"SOFTWARE\\Microsoft\\Cryptography", L"MachineGuid",
	    RRF_RT_REG_SZ, NULL, w, &size);
	if (rc != ERROR_SUCCESS) {
		if (rc != ERROR_FILE_NOT_FOUND && m->note[0] == '\0')
			snprintf(m->note, sizeof m->note, "cannot read the "
			    "registry's MachineGuid: %s",
			    win_strerror((DWORD)rc, buf, sizeof buf));
		return;
	}
	if ((s = win_utf8(w)) == NULL)
		return;
	if (strlen(s) < sizeof m->machine_id)
		memcpy(m->machine_id, s, strlen(s) + 1);
	free(s);
	for (c = m->machine_id; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
}

/* The System Information structure's UUID (SMBIOS type 1, offset 08h,
 * DSP0134 7.2.1) into m->system_uuid: its first three fields are little
 * endian (SMBIOS 2.6 and later; the form "dmidecode" and Linux print). */
static void
plat_machine_smbios_uuid(struct plat_machine *m)
{
	const DWORD rsmb = 'R' << 24 | 'S' << 16 | 'M' << 8 | 'B';
	struct plat_raw_smbios *t;
	UINT size = GetSystemFirmwareTable(rsmb, 0, NULL, 0);
	const BYTE *p, *end;
	size_t i;

	if (size < sizeof *t)
		return;
	t = xmalloc(size);
	if (GetSystemFirmwareTable(rsmb, 0, t, size) != size ||
	    t->length > size - sizeof *t) {
		free(t);
		return;
	}
	p = t->data;
	end = t->data + t->length;
	while (p + 4 <= end && p[0] != 127) {
		const BYTE *next = p + p[1];

		if (p[1] < 4 || next > end)
			break;
		if (p[0] == 1 && p[1] >= 0x18) {
			const BYTE *u = p + 8;
			bool zero = true, ff = true;

			for (i = 0; i < 16; i++) {
				zero = zero && u[i] == 0x00;
				ff = ff && u[i] == 0xff;
			}
			if (!zero && !ff)
				snprintf(m->system_uuid, sizeof m->system_uuid,
				    "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
				    "%02x%02x-%02x%02x%02x%02x%02x%02x",
				    u[3], u[2], u[1], u[0], u[5], u[4], u[7],
				    u[6], u[8], u[9], u[10], u[11], u[12],
				    u[13], u[14], u[15]);
			break;
		}
		/* The strings after the formatted part end with two NULs. */
		while (next + 1 < end && (next[0] != 0 || next[1] != 0))
			next++;
		p = next + 2;
	}
	free(t);
}

void
plat_machine_facts(const char *root, struct plat_machine *m)
{
	memset(m, 0, sizeof *m);
	/* The registry and the firmware cannot be put in a folder (decision
	 * 2 of issue 11): under a --root folder every fact is absent. */
	if (strcmp(root, "/") != 0)
		return;
	plat_machine_guid(m);
	plat_machine_smbios_uuid(m);
}
