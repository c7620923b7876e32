/* `engine-setup --payload-info` and `--show-license`: what the
 * embedded payload holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "wrap.h"

int
cmd_payload_info(const struct cli *c)
{
	struct payload p;
	struct manifest m;
	struct es_err e;
	char *license = NULL, hex[65], size[32], usize[32];
	unsigned i;

	err_clear(&e);
	memset(&p, 0, sizeof p);
	memset(&m, 0, sizeof m);
	if (!cmd_open_payload(c, &p, &m, &license, &e))
		return cmd_fail(&e);
	if (!payload_verify(&p, &e))
		return cmd_fail(&e);
	hex_encode(p.t.data_sha256, 32, hex);
	human_bytes(p.t.data_len, size, sizeof size);
	human_bytes(p.t.data_bytes, usize, sizeof usize);
	printf("Product:    %s %s\n", m.product, m.version);
	printf("Components:");
	for (i = 0; i < m.ncomp; i++)
		printf("%s %s (%s)", i ? "," : "", m.comp[i].name,
		    m.comp[i].title ? m.comp[i].title : m.comp[i].dir);
	printf("\nFiles:      %llu\n", (unsigned long long)p.t.data_files);
	printf("Size:       %s packed, %s unpacked\n", size, usize);
	printf("SHA-256:    %s (verified)\n", hex);
	printf("Installer:  %llu bytes without payload\n",
	    (unsigned long long)p.t.meta_off);
	free(license);
	manifest_free(&m);
	payload_close(&p);
	return 0;
}

int
cmd_show_license(const struct cli *c)
{
	struct payload p;
	struct manifest m;
	struct es_err e;
	char *license = NULL;

	err_clear(&e);
	memset(&p, 0, sizeof p);
	memset(&m, 0, sizeof m);
	if (!cmd_open_payload(c, &p, &m, &license, &e))
		return cmd_fail(&e);
	fputs(license, stdout);
	free(license);
	manifest_free(&m);
	payload_close(&p);
	return 0;
}
