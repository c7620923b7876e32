#include "secret.h"

#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "util.h"

void
secret_from_plan(const struct plan *p, struct secret_source *src)
{
	memset(src, 0, sizeof *src);
	src->file = plan_get(p, PK_SHARED_SECRET_FILE);
	src->file_warned = true;
	src->value = p->value[PK_SHARED_SECRET];
	src->value_origin = p->origin[PK_SHARED_SECRET].file;
}

/* The files that hold secrets, and what each holds. */
static const struct {
	enum plan_key key;
	const char *holds;
} secret_files[] = {
	{ PK_SHARED_SECRET_FILE, "the shared secret" },
	{ PK_CONSOLE_ADMIN_PASSWORD_FILE, "the console administrator password" },
};

void
secret_warn_readable(const char *path, const char *holds, FILE *warn)
{
	struct sbuf b;
	int mode;

	if (warn == NULL || path == NULL)
		return;
	mode = plat_file_mode(path);
	if (mode <= 0 || (mode & 044) == 0)
		return;
	sbuf_init(&b);
	fprintf(warn, "engine-setup: warning: %s holds %s and others can read "
	    "it (mode %04o): chmod 600 it.\n", str_shown(&b, path), holds,
	    (unsigned)mode);
	sbuf_free(&b);
}

void
secret_warn_plan_files(const struct plan *p, FILE *warn)
{
	size_t i;

	for (i = 0; i < sizeof secret_files / sizeof secret_files[0]; i++)
		secret_warn_readable(plan_get(p, secret_files[i].key),
		    secret_files[i].holds, warn);
}

/* The first line of a secret file. */
static char *
secret_read_file(const char *path, bool warned, FILE *warn,
    struct es_err *e)
{
	size_t len;
	char *text, *first;

	text = plat_read_file(path, 4096, &len, e);
	if (text == NULL)
		return NULL;
	/* Only the first line is kept; the whole buffer is wiped, not just
	 * up to the first NUL (util_free_secret). */
	first = xstrndup(text, strcspn(text, "\r\n"));
	util_wipe(text, len);
	free(text);
	text = first;
	if (!warned)
		secret_warn_readable(path, secret_files[0].holds, warn);
	if (text[0] == '\0') {
		err_set(e, ES_EUSAGE, "%s is empty: it must hold the console's "
		    "shared secret on its first line", path);
		util_free_secret(text);
		return NULL;
	}
	return text;
}

char *
secret_obtain(const struct secret_source *src, FILE *warn, struct es_err *e)
{
	const char *env = getenv("ENGINE_SETUP_SHARED_SECRET");
	char buf[256];

	if (src->file != NULL)
		return secret_read_file(src->file, src->file_warned, warn, e);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (src->value != NULL) {
		int mode = src->value_origin != NULL ?
		    plat_file_mode(src->value_origin) : -1;

		/* One given on the command line was warned about by
		 * cli_warn_secrets(). */
		if (warn != NULL && mode > 0 && (mode & 044) != 0)
			fprintf(warn, "engine-setup: warning: %s holds the "
			    "shared secret and others can read it (mode %04o): "
			    "chmod 600 it, or use shared_secret_file.\n",
			    src->value_origin, (unsigned)mode);
		return xstrdup(src->value);
	}
	if (src->may_prompt && src->in != NULL) {
		if (plat_read_secret(src->in, src->out, "Shared secret (from "
		    "the console: Administration > Scans > Manage scan engines "
		    "> Generate Scan Engine Shared Secret):\n", buf,
		    sizeof buf)) {
			char *s = xstrdup(buf);

			util_wipe(buf, sizeof buf);
			return s;
		}
		util_wipe(buf, sizeof buf);
		err_set(e, ES_ECANCEL, "no shared secret was entered: nothing "
		    "was changed");
		return NULL;
	}
	err_set(e, ES_EUSAGE, "no shared secret: give it in a file "
	    "(--secret-file FILE, or shared_secret_file), in "
	    "ENGINE_SETUP_SHARED_SECRET, or at the prompt");
	return NULL;
}
