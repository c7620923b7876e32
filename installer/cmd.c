/* What every command shares: how errors and notes are shown, and
 * how the payload is opened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "crypto.h"
#include "rootpath.h"
#include "status.h"
#include "wizard.h"
#include "wrap.h"

/* Show e on standard error as sentences ("engine-setup: " first), at the
 * terminal's width when there is one, then the line then (NULL: none). */
void
cmd_say_error(struct es_err *e, const char *then)
{
	struct sbuf b, w;

	sbuf_init(&b);
	sbuf_init(&w);
	/* File names, keys and words a user gave are in the message: their
	 * control characters are shown, not sent to the terminal. */
	sbuf_add(&b, "engine-setup: ");
	sbuf_add_shown(&b, err_sentence(e), true);
	sbuf_addf(&b, "\n%s%s", then != NULL ? then : "",
	    then != NULL ? "\n" : "");
	wrap_text(&w, b.s, session_output_width());
	fflush(stdout);
	fputs(w.s, stderr);
	sbuf_free(&b);
	sbuf_free(&w);
}

void
cmd_say_note(FILE *out, struct es_err *e)
{
	struct sbuf b, w;

	sbuf_init(&b);
	sbuf_init(&w);
	sbuf_add(&b, "Note: ");
	sbuf_add_shown(&b, err_sentence(e), true);
	sbuf_add(&b, "\n");
	wrap_text(&w, b.s, session_output_width());
	fputs(w.s, out);
	fflush(out);
	sbuf_free(&b);
	sbuf_free(&w);
}

int
cmd_fail(struct es_err *e)
{
	cmd_say_error(e, NULL);
	return e->code != 0 ? e->code : ES_EINTERNAL;
}

/* The installation folder when path is the copy of engine-setup an
 * installation keeps (plat_program_name() beside its install record),
 * else NULL. Caller frees. */
static char *
cmd_kept_copy_dir(const char *path)
{
	char *dir = rootpath_parent(path);
	const char *base = path + strlen(dir) + (str_has_suffix(dir, "/") ?
	    0 : 1);

	if (strcmp(base, plat_program_name()) == 0 &&
	    plat_file_type_beneath(dir, RECORD_REL) == PLAT_FILE)
		return dir;
	free(dir);
	return NULL;
}

/* Open this program's payload (or --payload FILE) and read its manifest.
 * The copy an installation keeps has none: said as a usage error, with
 * where the installer is. */
bool
cmd_open_payload(const struct cli *c, struct payload *p, struct manifest *m,
    char **license, struct es_err *e)
{
	char *self = NULL, *kept;
	bool ok;

	if (c->payload == NULL && (self = plat_self_exe()) == NULL) {
		err_set(e, ES_EINTERNAL, "cannot find this program's own file "
		    "to read its payload; give it with --payload FILE");
		return false;
	}
	ok = payload_open(p, c->payload != NULL ? c->payload : self, e) &&
	    payload_read_meta(p, m, license, e);
	if (!ok && self != NULL && (kept = cmd_kept_copy_dir(self)) != NULL) {
		err_clear(e);
		err_set(e, ES_EUSAGE, "%s is the copy of engine-setup that the "
		    "installation in %s keeps for status, pair, consoles, "
		    "identity and uninstall. This copy holds no payload, so it "
		    "cannot install, upgrade or show a payload. Nothing was "
		    "changed. Run the installer you downloaded instead (the "
		    "Linux or Windows installer from the download section of "
		    "the product's quick start guide), with the same options",
		    self, kept);
		free(kept);
	}
	free(self);
	return ok;
}

bool
cmd_disk_full(const char *path, char *mnt, size_t n)
{
	uint64_t avail;

	if (!plat_disk_free(path, &avail) || avail >= 64u * 1024u)
		return false;
	if (!plat_mount_point(path, mnt, n))
		snprintf(mnt, n, "%s", path);
	return true;
}

/* Replace the installation's consoles.xml with data (op "pair" or
 * "consoles"), and the record's SHA-256 of it in the same journalled
 * change: uninstall keeps a file whose bytes the record does not know
 * (uninstall.h), and this change is engine-setup's own. cancellable:
 * exec_replace_files(). */
bool
cmd_replace_consoles(const char *root, const char *op, struct record *r,
    const char *idir, const char *data, size_t len, unsigned mode,
    bool cancellable, struct es_err *e)
{
	struct exec_file f[2];
	char sha[65], *path = xasprintf("%s/" CONSOLES_REL, r->install_dir);
	char *text = NULL, *lock, *state, *conf, mnt[4096];
	size_t n = 1;
	bool ok;

	memset(f, 0, sizeof f);
	f[0].rel = CONSOLES_REL;
	f[0].data = data;
	f[0].len = len;
	f[0].mode = mode;
	f[0].lock = lock = xasprintf("%s/" CONSOLES_LOCK_REL, idir);
	crypto_sha256_hex(data, len, sha);
	/* Paired again: the mark of a new identity (identity.h) goes. */
	if (strcmp(op, "pair") == 0 && r->identity_renewed_at != NULL) {
		free(r->identity_renewed_at);
		r->identity_renewed_at = NULL;
	}
	if (record_set_file(r, path, sha, mode)) {
		text = record_format(r);
		f[1].rel = RECORD_REL;
		f[1].data = text;
		f[1].len = strlen(text);
		f[1].mode = 0600;
		n = 2;
	}
	ok = exec_replace_files(root, op, r->install_dir, idir, f, n,
	    cancellable, e);
	state = plat_state_file(root);
	conf = xasprintf("%s/" CONSOLES_REL, idir);
	*strrchr(conf, '/') = '\0';
	if (!ok && e->code != ES_ECANCEL && (cmd_disk_full(conf, mnt,
	    sizeof mnt) || cmd_disk_full(state, mnt, sizeof mnt))) {
		/* Not the install's advice (another install_dir): here the
		 * file is where it is. */
		err_clear(e);
		err_set(e, ES_EINSTALL, "there is no space left on the file "
		    "system mounted at %s, so %s/" CONSOLES_REL " could not be "
		    "changed. %s Free some space on that file system (old "
		    "logs, a package cache), then run the command again", mnt,
		    idir, strcmp(op, "pair") == 0 ? "The console has "
		    "registered this engine, but the engine does not know the "
		    "console yet." : "Nothing was changed.");
	}
	free(state);
	free(conf);
	free(text);
	free(path);
	free(lock);
	return ok;
}
