/* Linux: the facts that tell this machine from a copy of it, and the
 * start-up check's way of running (plat_service_run_once). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform.h"

/* Read the first line of root+abs (at most outsz - 1 bytes, without the
 * newline) into out, lower-cased; "" when the file is absent. A file that
 * is there but cannot be read is noted in note. */
static void
plat_machine_line(const char *root, const char *abs, char *out, size_t outsz,
    char *note, size_t notesz)
{
	char *path = plat_join_root(root, abs);
	char buf[128];
	ssize_t n;
	size_t i;
	int fd;

	out[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR && note[0] == '\0')
			snprintf(note, notesz, "cannot read %s: %s", abs,
			    strerror(errno));
		free(path);
		return;
	}
	do
		n = read(fd, buf, sizeof buf - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (note[0] == '\0')
			snprintf(note, notesz, "cannot read %s: %s", abs,
			    strerror(errno));
		n = 0;
	}
	close(fd);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	if (strlen(buf) < outsz)
		memcpy(out, buf, strlen(buf) + 1);
	free(path);
}

/* True when s is n hexadecimal digits (and, where dashes is set, the
 * four dashes of a UUID's 8-4-4-4-12 form) and not all zeros. */
static bool
plat_machine_hex(const char *s, size_t n, bool dashes)
{
	size_t i;
	bool nonzero = false;

	if (strlen(s) != n)
		return false;
	for (i = 0; i < n; i++) {
		if (dashes && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return false;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]))
			return false;
		nonzero = nonzero || s[i] != '0';
	}
	return nonzero;
}

void
plat_machine_facts(const char *root, struct plat_machine *m)
{
	memset(m, 0, sizeof *m);
	/* machine-id(5): 32 lowercase hexadecimal characters and a newline;
	 * "uninitialized" early in the first boot. */
	plat_machine_line(root, "/etc/machine-id", m->machine_id,
	    sizeof m->machine_id, m->note, sizeof m->note);
	if (!plat_machine_hex(m->machine_id, 32, false))
		m->machine_id[0] = '\0';
	/* The kernel's DMI table (SMBIOS type 1 UUID, DSP0134 7.2.1), mode
	 * 0400: only root reads it; absent in most containers. */
	plat_machine_line(root, "/sys/class/dmi/id/product_uuid",
	    m->system_uuid, sizeof m->system_uuid, m->note, sizeof m->note);
	if (!plat_machine_hex(m->system_uuid, 36, true) ||
	    strcmp(m->system_uuid, "ffffffff-ffff-ffff-ffff-ffffffffffff") == 0)
		m->system_uuid[0] = '\0';
}

/* systemd runs the check as ExecStartPre= and the init script before the
 * daemon: an ordinary process. */
int
plat_service_run_once(int (*fn)(void *), void *arg)
{
	return fn(arg);
}
