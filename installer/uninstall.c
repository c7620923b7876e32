#include "uninstall.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "journal.h"
#include "log.h"
#include "platform.h"
#include "record.h"
#include "rootpath.h"
#include "util.h"

/* Remember one path that had to stay, for the report. */
static void
uninstall_kept(struct strlist *kept, const char *path)
{
	if (kept->n < 1000)
		strlist_add(kept, path);
}

/* Why the file or link en (rel beneath idir) stays, or NULL when it is
 * what the installation put there, or gone, and is removed. A file whose
 * bytes no longer match the record's SHA-256 was changed or replaced
 * after the install (engine-setup's own later changes, pair and consoles,
 * keep the record's sum current), so it is someone's work: kept, as rpm
 * keeps a changed configuration file. */
static const char *
uninstall_changed(const char *idir, const char *rel,
    const struct record_entry *en)
{
	enum plat_ftype t = plat_file_type_beneath(idir, rel);
	char sha[65];
	FILE *f;
	bool read;

	if (t == PLAT_NONE)
		return NULL;
	if (en->type == 'l')
		return t == PLAT_LINK ? NULL : "it is no longer the link the "
		    "installation made";
	if (t != PLAT_FILE)
		return "it is no longer the file the installation put there";
	/* A record without the sum (none is written so) cannot tell. */
	if (strlen(en->sha256) != 64)
		return NULL;
	if ((f = plat_fopen_beneath(idir, rel, NULL)) == NULL)
		return "it cannot be read to compare it with the record";
	read = crypto_sha256_file(f, sha);
	fclose(f);
	if (!read)
		return "it cannot be read to compare it with the record";
	return strcmp(sha, en->sha256) == 0 ? NULL : "its content changed "
	    "after the install";
}

/* "  text\n" on out, when there is an out. */
static void __attribute__((format(printf, 2, 3)))
uninstall_say(FILE *out, const char *fmt, ...)
{
	va_list ap;

	if (out == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
}

bool
uninstall_apply(const char *root, const struct record *r, FILE *out,
    struct es_err *e)
{
	struct strlist kept, changed;
	struct es_err local;
	char *state = NULL;
	char *idir = NULL;
	const char *rel, *why;
	size_t i, removed = 0, nchanged = 0;
	bool ok = false, gone;

	strlist_init(&kept);
	strlist_init(&changed);
	/* Nothing is followed out of the root: checked before the first
	 * change (record_load did, and a record a journal holds is checked
	 * here). */
	if (!record_check_root(root, r, "the install record", e))
		goto out;
	for (i = 0; i < r->services.n; i++) {
		err_clear(&local);
		if (plat_service_manager_running(root)) {
			uninstall_say(out, "  stopping service %s\n",
			    r->services.v[i]);
			if (!plat_service_stop(r->services.v[i], &local))
				log_msg("stop %s: %s", r->services.v[i],
				    local.msg);
		}
		err_clear(&local);
		if (!plat_service_remove(root, r->services.v[i], &local)) {
			err_set(e, ES_EINSTALL, "cannot remove service %s: %s",
			    r->services.v[i], local.msg);
			goto out;
		}
		uninstall_say(out, "  removed service %s\n", r->services.v[i]);
		log_msg("removed service %s", r->services.v[i]);
	}
	/* The entry in the list of installed programs (Windows: Add/Remove
	 * Programs), named after the product. */
	if (r->product != NULL && plat_product_registered(root, r->product)) {
		err_clear(&local);
		if (!plat_product_unregister(root, r->product, &local)) {
			err_set(e, ES_EINSTALL, "%s", local.msg);
			goto out;
		}
		uninstall_say(out, "  removed %s from the list of installed "
		    "programs\n", r->product);
		log_msg("removed %s from the list of installed programs",
		    r->product);
	}

	/* Folders the service registration made, deepest first, when empty. */
	for (i = r->sysfiles.n; i-- > 0; ) {
		if (str_has_suffix(r->sysfiles.v[i], "/")) {
			char *full = plat_join_root(root, r->sysfiles.v[i]);

			plat_remove(full, NULL);
			free(full);
		}
	}

	/* Files and links first, then folders deepest first; each inside
	 * install_dir and never through a link there (a link an older
	 * payload placed must not lead the removal elsewhere). */
	idir = plat_join_root(root, r->install_dir);
	/* The kept copy may be the program running this uninstall. */
	{
		char *self = xasprintf("%s/%s", idir, plat_program_name());

		plat_release_self(self);
		free(self);
	}
	for (i = r->n; i-- > 0; ) {
		const struct record_entry *en = &r->entries[i];

		if (en->type == 'd')
			continue;
		err_clear(&local);
		if ((rel = rootpath_below(r->install_dir, en->path)) == NULL)
			log_msg("not removing %s: it is not inside %s",
			    en->path, r->install_dir);
		else if ((why = uninstall_changed(idir, rel, en)) != NULL) {
			char *line = xasprintf("%s: %s", en->path, why);

			log_msg("kept %s", line);
			uninstall_kept(&changed, line);
			nchanged++;
			free(line);
		} else if (!plat_remove_beneath(idir, rel, &gone, &local))
			log_msg("cannot remove %s: %s", en->path, local.msg);
		else if (gone)
			removed++;
	}
	/* The record does not list itself. */
	err_clear(&local);
	if (plat_remove_beneath(idir, RECORD_REL, &gone, &local) && gone)
		removed++;
	for (i = r->n; i-- > 0; ) {
		const struct record_entry *en = &r->entries[i];

		if (en->type != 'd' ||
		    (rel = rootpath_below(r->install_dir, en->path)) == NULL)
			continue;
		err_clear(&local);
		if (plat_file_type_beneath(idir, rel) == PLAT_DIR &&
		    !plat_remove_beneath(idir, rel, &gone, &local))
			uninstall_kept(&kept, en->path);
	}

	state = plat_state_file(root);
	plat_remove(state, NULL);
	/* Its folder, engine-setup's own, goes when the run lock (held in
	 * it for the whole run) is released: plat_run_lock_release(). */
	for (i = r->parents.n; i-- > 0; ) {
		char *full = plat_join_root(root, r->parents.v[i]);

		plat_remove(full, NULL);   /* only when empty */
		free(full);
	}

	log_msg("removed %zu files; kept %zu changed files, and %zu folders "
	    "because they hold files the installation did not create or "
	    "that changed", removed, nchanged, kept.n);
	/* The uninstall log is kept beside the install log. */
	if (plat_file_type_beneath(idir, RECORD_DIR_REL) == PLAT_DIR) {
		size_t len;
		char *old = plat_read_file_beneath(idir, RECORD_UNINSTALL_LOG_REL,
		    64u << 20, &len, NULL);
		struct sbuf b;

		sbuf_init(&b);
		if (old != NULL)
			sbuf_addn(&b, old, len);
		sbuf_add(&b, log_text());
		/* An uninstall a crash cut short may have left its temporary
		 * file: this one replaces it. */
		{
			char *lp = xasprintf("%s/%s", idir,
			    RECORD_UNINSTALL_LOG_REL);

			plat_remove_write_leftovers(lp);
			free(lp);
		}
		plat_write_file_beneath(idir, RECORD_UNINSTALL_LOG_REL, b.s,
		    b.len, 0600, NULL);
		sbuf_free(&b);
		free(old);
	}
	uninstall_say(out, "  removed %zu files\n", removed);
	for (i = 0; i < changed.n && i < 5; i++)
		uninstall_say(out, "  kept %s\n", changed.v[i]);
	if (nchanged > 5)
		uninstall_say(out, "  kept %zu more changed files: %s/%s names "
		    "them all\n", nchanged - 5, r->install_dir,
		    RECORD_UNINSTALL_LOG_REL);
	for (i = 0; i < kept.n && i < 5; i++)
		uninstall_say(out, "  kept %s: it holds files that the "
		    "installation did not create, or that changed\n",
		    kept.v[i]);
	ok = true;
out:
	strlist_free(&kept);
	strlist_free(&changed);
	free(state);
	free(idir);
	return ok;
}

/* Before the commit point: a signal cancels, and nothing was changed. */
static bool
uninstall_signalled(struct es_err *e)
{
	if (plat_signals_pending() == 0)
		return false;
	err_set(e, ES_ECANCEL, "cancelled by a signal (Ctrl-C, SIGTERM or "
	    "SIGHUP) before anything was removed. Nothing was changed");
	return true;
}

bool
uninstall_run(const char *root, FILE *out, struct es_err *e)
{
	struct record r;
	struct journal j;
	struct undo u;
	char *text = NULL, *logs = NULL;
	bool ok = false, journalled = false;

	record_init(&r);
	memset(&j, 0, sizeof j);
	if (!record_load(root, &r, e)) {
		if (e->code != 0) {
			record_damaged_explain(root, &r, e);
			goto out;
		}
		fprintf(out, "Nothing is installed%s%s: nothing to do.\n",
		    strcmp(root, "/") == 0 ? "" : " under ",
		    strcmp(root, "/") == 0 ? "" : root);
		ok = true;
		goto out;
	}
	log_msg("uninstalling %s %s (%s) from %s", r.product ? r.product : "?",
	    r.version ? r.version : "?", r.component, r.install_dir);
	/* The journal holds the record, which the uninstall removes, and is
	 * committed before the first change: from here on the uninstall is
	 * completed, by this run or, after a crash, by the next. */
	text = record_format(&r);
	memset(&u, 0, sizeof u);
	u.kind = UNDO_UNINSTALL;
	u.a = (char *)root;
	u.data = text;
	u.len = strlen(text);
	u.mode = 0600;
	if (uninstall_signalled(e) ||
	    !journal_begin(&j, root, "uninstall", r.install_dir, e))
		goto out;
	journalled = true;
	/* The last moment a signal cancels: once committed, the uninstall
	 * goes only forward (docs/journal.md). */
	if (!journal_append(&j, true, &u, e) || uninstall_signalled(e) ||
	    !journal_commit(&j, e)) {
		/* Nothing was changed yet: the journal goes. */
		journal_end(&j);
		journalled = false;
		goto out;
	}
	fprintf(out, "Removing %s %s (%s) from %s\n",
	    r.product ? r.product : "the installation",
	    r.version ? r.version : "", r.component, r.install_dir);
	if (!uninstall_apply(root, &r, out, e))
		goto out;
	logs = plat_join_root(root, r.install_dir);
	fprintf(out, "Uninstalled. Logs are kept in %s/" RECORD_DIR_REL
	    "/.\n", logs);
	if (plat_signals_pending() > 0)
		fprintf(out, "A signal (Ctrl-C, SIGTERM or SIGHUP) came after "
		    "the uninstall had begun to remove files. An uninstall "
		    "goes only forward from there, so it was finished rather "
		    "than left half done.\n");
	/* The console still lists the engine it was paired with. */
	if (strcmp(r.component, "engine") == 0)
		fprintf(out, "If a Security Console knows this Scan Engine, "
		    "remove it there too: Administration > Scans > Manage "
		    "scan engines.\n");
	ok = true;
out:
	if (journalled) {
		if (ok)
			journal_end(&j);
		else
			journal_keep(&j);
	}
	free(text);
	free(logs);
	record_free(&r);
	return ok;
}
