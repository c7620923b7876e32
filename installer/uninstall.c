#include "uninstall.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "consoles.h"
#include "crypto.h"
#include "journal.h"
#include "log.h"
#include "platform.h"
#include "record.h"
#include "rootpath.h"
#include "util.h"

static void
uninstall_left_add(struct uninstall_left *w, const char *path,
    const char *why)
{
	if (w->path.n >= 100000)
		return;
	strlist_add(&w->path, path);
	strlist_add(&w->why, why);
}

static const char *
uninstall_left_of(const struct uninstall_left *w, const char *path)
{
	size_t i;

	for (i = 0; i < w->path.n; i++)
		if (strcmp(w->path.v[i], path) == 0)
			return w->why.v[i];
	return NULL;
}

static void
uninstall_left_free(struct uninstall_left *w)
{
	strlist_free(&w->path);
	strlist_free(&w->why);
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

/* The engine's and the console's own log folders, relative to
 * install_dir (docs/install-record.md, "What uninstall leaves"). */
static const char *const uninstall_log_dirs[] = { "nse/logs", "nsc/logs" };

bool
uninstall_is_log(const char *rel, enum plat_ftype t)
{
	size_t i, n;

	if (strcmp(rel, RECORD_DIR_REL) == 0)
		return t == PLAT_DIR;
	if (str_has_prefix(rel, RECORD_DIR_REL "/"))
		return t == PLAT_FILE && str_has_suffix(rel, ".log") &&
		    strchr(rel + strlen(RECORD_DIR_REL "/"), '/') == NULL;
	for (i = 0; i < sizeof uninstall_log_dirs /
	    sizeof uninstall_log_dirs[0]; i++) {
		n = strlen(uninstall_log_dirs[i]);
		if (strncmp(rel, uninstall_log_dirs[i], n) != 0)
			continue;
		if (rel[n] == '\0')
			return t == PLAT_DIR;
		if (rel[n] == '/')
			return true;
	}
	return false;
}

bool
uninstall_log_parent(const char *idir, const char *rel)
{
	size_t i, n = strlen(rel);

	for (i = 0; i < sizeof uninstall_log_dirs /
	    sizeof uninstall_log_dirs[0]; i++)
		if (strncmp(uninstall_log_dirs[i], rel, n) == 0 &&
		    uninstall_log_dirs[i][n] == '/' &&
		    plat_file_type_beneath(idir, uninstall_log_dirs[i]) ==
		    PLAT_DIR)
			return true;
	return false;
}

/* Remove one entry rel beneath idir (its record path path): counted in
 * *removed, or named in left with why it stays. */
static void
uninstall_entry(const char *idir, const char *rel, const char *path,
    const struct record_entry *en, size_t *removed,
    struct uninstall_left *left)
{
	struct es_err local;
	const char *why;
	bool gone;

	err_clear(&local);
	if ((why = uninstall_changed(idir, rel, en)) != NULL) {
		uninstall_left_add(left, path, why);
	} else if (!plat_remove_beneath(idir, rel, &gone, &local)) {
		char *line = xasprintf("it could not be removed: %s",
		    local.msg);

		uninstall_left_add(left, path, line);
		free(line);
	} else if (gone) {
		(*removed)++;
	}
}

/* Walk state: everything below install_dir, parents before children. */
struct uninstall_walk {
	struct strlist rel;
	struct sbuf type;        /* one plat_ftype per entry, as a char */
};

static bool
uninstall_walk_cb(const char *rel, enum plat_ftype t, unsigned mode,
    void *arg)
{
	struct uninstall_walk *w = arg;
	char c = (char)('0' + t);

	(void)mode;
	strlist_add(&w->rel, rel);
	sbuf_addn(&w->type, &c, 1);
	return w->rel.n < 100000;
}

/* Why path (of type t), found after the removal, stays: the record does
 * not list it, or lists it as something else. */
static const char *
uninstall_why_listed(const struct record *r, const char *path,
    enum plat_ftype t)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->entries[i].path, path) != 0)
			continue;
		if (r->entries[i].type == 'd' && t == PLAT_LINK)
			return "it is a symbolic link where the installation "
			    "made a folder: nothing was removed through it";
		if (r->entries[i].type == 'd' && t != PLAT_DIR)
			return "it is no longer the folder the installation "
			    "made";
		return "it could not be removed (uninstall.log says why)";
	}
	return "the installation did not make it (the install record does "
	    "not list it)";
}

/* The engine's temporary files of consoles.xml ("consoles.xml.tmp-" and
 * its process id) in idir's nse/conf: an engine that stopped while it
 * wrote one left it, and the next one with that process id removes it.
 * The engine's own, as the lock is, they go with the installation; a
 * link of that name is removed itself, never what it leads to. */
static void
uninstall_engine_temps(const char *idir, const char *install_dir)
{
	static const char prefix[] = "consoles.xml.tmp-";
	struct uninstall_walk w;
	struct es_err local;
	char *conf, *dir = xstrdup(CONSOLES_REL), *rel;
	size_t i, n = strlen(prefix);
	bool gone;

	*strrchr(dir, '/') = '\0';
	strlist_init(&w.rel);
	sbuf_init(&w.type);
	err_clear(&local);
	conf = xasprintf("%s/%s", idir, dir);
	if (plat_file_type_beneath(idir, dir) == PLAT_DIR)
		plat_walk(conf, uninstall_walk_cb, &w, &local);
	for (i = 0; i < w.rel.n; i++) {
		const char *name = w.rel.v[i];
		enum plat_ftype t = (enum plat_ftype)(w.type.s[i] - '0');

		if (strncmp(name, prefix, n) != 0 || name[n] == '\0' ||
		    strspn(name + n, "0123456789") != strlen(name + n) ||
		    (t != PLAT_FILE && t != PLAT_LINK))
			continue;
		rel = xasprintf("%s/%s", dir, name);
		if (plat_remove_beneath(idir, rel, &gone, NULL) && gone)
			log_msg("removed %s/%s, a temporary file the Scan "
			    "Engine left when it stopped while writing "
			    "consoles.xml", install_dir, rel);
		free(rel);
	}
	free(conf);
	free(dir);
	strlist_free(&w.rel);
	sbuf_free(&w.type);
}

/* What is left in idir (install_dir r->install_dir under the root) that is
 * not a log: every file, link or other entry, and every empty folder, in
 * s->left with why (the reason known from the removal, else that the
 * installation did not make it). */
static void
uninstall_leftovers(const char *idir, const struct record *r,
    const struct uninstall_left *why, struct uninstall_summary *s)
{
	struct uninstall_walk w;
	struct es_err local;
	size_t i, n;

	strlist_init(&w.rel);
	sbuf_init(&w.type);
	err_clear(&local);
	if (plat_file_type(idir) == PLAT_DIR)
		plat_walk(idir, uninstall_walk_cb, &w, &local);
	for (i = 0; i < w.rel.n; i++) {
		enum plat_ftype t = (enum plat_ftype)(w.type.s[i] - '0');
		const char *rel = w.rel.v[i], *known;
		char *path;

		/* The record goes after this walk (uninstall_apply). */
		if (uninstall_is_log(rel, t) || strcmp(rel, RECORD_REL) == 0)
			continue;
		/* A folder is named only when empty: else what is in it is. */
		n = strlen(rel);
		if (t == PLAT_DIR && i + 1 < w.rel.n &&
		    strncmp(w.rel.v[i + 1], rel, n) == 0 &&
		    w.rel.v[i + 1][n] == '/')
			continue;
		path = xasprintf("%s/%s", r->install_dir, rel);
		if ((known = uninstall_left_of(why, path)) == NULL)
			known = uninstall_why_listed(r, path, t);
		uninstall_left_add(&s->left, path, known);
		log_msg("kept %s: %s", path, s->left.why.v[s->left.why.n - 1]);
		free(path);
	}
	strlist_free(&w.rel);
	sbuf_free(&w.type);
}

/* --purge: the logs uninstall_is_log() names, then install_dir itself
 * when that leaves it empty. Never through a link: a log folder reached
 * through one is not a log folder. */
static void
uninstall_purge_logs(const char *idir, struct uninstall_summary *s)
{
	struct uninstall_walk w;
	struct es_err local;
	size_t i;
	bool gone;

	strlist_init(&w.rel);
	sbuf_init(&w.type);
	err_clear(&local);
	if (plat_file_type(idir) == PLAT_DIR)
		plat_walk(idir, uninstall_walk_cb, &w, &local);
	/* Children before their folders. */
	for (i = w.rel.n; i-- > 0; ) {
		enum plat_ftype t = (enum plat_ftype)(w.type.s[i] - '0');

		if (!uninstall_is_log(w.rel.v[i], t))
			continue;
		err_clear(&local);
		if (plat_remove_beneath(idir, w.rel.v[i], &gone, &local) &&
		    gone)
			s->logs++;
		else if (local.code != 0)
			log_msg("cannot remove %s/%s: %s", idir, w.rel.v[i],
			    local.msg);
	}
	/* Their folders (nse, nsc), when that left them empty. */
	for (i = 0; i < sizeof uninstall_log_dirs /
	    sizeof uninstall_log_dirs[0]; i++) {
		char *top = xstrndup(uninstall_log_dirs[i],
		    strcspn(uninstall_log_dirs[i], "/"));

		if (plat_file_type_beneath(idir, top) == PLAT_DIR &&
		    plat_remove_beneath(idir, top, &gone, NULL) && gone)
			s->folders++;
		free(top);
	}
	strlist_free(&w.rel);
	sbuf_free(&w.type);
}

/* Stop the service name where a service manager runs for root (an
 * image's services do not run); a failure is logged, and the removal
 * that follows says what matters. */
static void
uninstall_stop_service(const char *root, const char *name, FILE *out)
{
	struct es_err local;

	if (!plat_service_manager_running(root))
		return;
	err_clear(&local);
	uninstall_say(out, "  stopping service %s\n", name);
	if (!plat_service_stop(name, &local))
		log_msg("stop %s: %s", name, local.msg);
}

/* Append this run's log to idir's uninstall.log, when idir is there. */
static void
uninstall_write_log(const char *idir)
{
	struct sbuf b;
	size_t len;
	char *old, *lp;

	if (plat_file_type(idir) != PLAT_DIR)
		return;
	old = plat_read_file_beneath(idir, RECORD_UNINSTALL_LOG_REL, 64u << 20,
	    &len, NULL);
	sbuf_init(&b);
	if (old != NULL)
		sbuf_addn(&b, old, len);
	sbuf_add(&b, log_text());
	/* An uninstall a crash cut short may have left its temporary file:
	 * this one replaces it. */
	lp = xasprintf("%s/%s", idir, RECORD_UNINSTALL_LOG_REL);
	plat_remove_write_leftovers(lp);
	free(lp);
	plat_write_file_beneath(idir, RECORD_UNINSTALL_LOG_REL, b.s, b.len,
	    0600, NULL);
	sbuf_free(&b);
	free(old);
}

void
uninstall_summary_init(struct uninstall_summary *s)
{
	memset(s, 0, sizeof *s);
	strlist_init(&s->services);
	strlist_init(&s->folders_gone);
	strlist_init(&s->left.path);
	strlist_init(&s->left.why);
}

void
uninstall_summary_free(struct uninstall_summary *s)
{
	strlist_free(&s->services);
	strlist_free(&s->folders_gone);
	free(s->command_kept);
	uninstall_left_free(&s->left);
	uninstall_summary_init(s);
}

bool
uninstall_apply(const char *root, const struct record *r, bool purge,
    struct uninstall_summary *sum, FILE *out, struct es_err *e)
{
	struct uninstall_summary quiet;
	struct uninstall_summary *s = sum != NULL ? sum : &quiet;
	struct uninstall_left why;
	struct es_err local;
	char *state = NULL, *idir = NULL, *self = NULL;
	const char *rel, *prog = plat_program_name();
	const struct record_entry *copy = NULL;
	size_t i, n, longest;
	bool ok = false, gone;

	uninstall_summary_init(s);
	strlist_init(&why.path);
	strlist_init(&why.why);
	/* Nothing is followed out of the root: checked before the first
	 * change (record_load did, and a record a journal holds is checked
	 * here). */
	if (!record_check_root(root, r, "the install record", e))
		goto out;
	for (i = 0; i < r->services.n; i++) {
		uninstall_stop_service(root, r->services.v[i], out);
		err_clear(&local);
		if (!plat_service_remove(root, r->services.v[i], &local)) {
			err_set(e, ES_EINSTALL, "cannot remove service %s: %s",
			    r->services.v[i], local.msg);
			goto out;
		}
		uninstall_say(out, "  removed service %s\n", r->services.v[i]);
		log_msg("removed service %s", r->services.v[i]);
		strlist_add(&s->services, r->services.v[i]);
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
		s->product = true;
	}

	/* Files and links first, then folders deepest first; each inside
	 * install_dir and never through a link there (a link an older
	 * payload placed must not lead the removal elsewhere). The kept
	 * copy, which may be the program running this, goes last. */
	idir = plat_join_root(root, r->install_dir);
	for (i = r->n; i-- > 0; ) {
		const struct record_entry *en = &r->entries[i];

		if (en->type == 'd')
			continue;
		if ((rel = rootpath_below(r->install_dir, en->path)) == NULL) {
			log_msg("not removing %s: it is not inside %s",
			    en->path, r->install_dir);
			continue;
		}
		if (strcmp(rel, prog) == 0) {
			copy = en;
			continue;
		}
		uninstall_entry(idir, rel, en->path, en, &s->files, &why);
	}
	/* consoles.xml's lock: the engine or engine-setup made it, so the
	 * record never lists it; it goes with the installation. */
	if (plat_file_type_beneath(idir, CONSOLES_LOCK_REL) == PLAT_FILE &&
	    plat_remove_beneath(idir, CONSOLES_LOCK_REL, &gone, NULL) && gone)
		log_msg("removed %s/%s", r->install_dir, CONSOLES_LOCK_REL);
	uninstall_engine_temps(idir, r->install_dir);
	for (i = r->n; i-- > 0; ) {
		const struct record_entry *en = &r->entries[i];

		if (en->type != 'd' ||
		    (rel = rootpath_below(r->install_dir, en->path)) == NULL)
			continue;
		err_clear(&local);
		/* Only when empty: what it holds is named below. */
		if (plat_file_type_beneath(idir, rel) == PLAT_DIR &&
		    plat_remove_beneath(idir, rel, &gone, &local) && gone)
			s->folders++;
	}

	/* The command on PATH, while it is still this installation's link,
	 * then the kept copy it leads to. One the installation made that is
	 * now something else (someone's own file or link) stays, named. */
	if (plat_command_path() != NULL &&
	    strlist_contains(&r->sysfiles, plat_command_path()) &&
	    command_state(root, r->install_dir, &s->command_kept) !=
	    COMMAND_OTHER) {
		free(s->command_kept);
		s->command_kept = NULL;
	}
	if (s->command_kept != NULL)
		log_msg("kept the command %s: it is now %s, not this "
		    "installation's link", plat_command_path(),
		    s->command_kept);
	err_clear(&local);
	if (!command_remove(root, r->install_dir, &s->command, &local)) {
		char *line = xasprintf("it could not be removed: %s",
		    local.msg);

		uninstall_left_add(&s->left, plat_command_path(), line);
		log_msg("kept %s: %s", plat_command_path(), line);
		free(line);
	}
	if (s->command)
		log_msg("removed the command %s", plat_command_path());
	if (copy != NULL) {
		self = xasprintf("%s/%s", idir, prog);
		plat_release_self(self);
		if (plat_file_type(self) != PLAT_NONE)
			uninstall_entry(idir, prog, copy->path, copy,
			    &s->files, &why);
		else
			s->files++;
	}
	/* Folders outside install_dir that the service registration or the
	 * command made, deepest (longest) first, when empty: an --overwrite
	 * carries the older ones over after its own. */
	for (n = SIZE_MAX; n > 0; n = longest) {
		longest = 0;
		for (i = 0; i < r->sysfiles.n; i++) {
			const char *sf = r->sysfiles.v[i];
			size_t len = strlen(sf);
			char *full;

			if (!str_has_suffix(sf, "/") || len > n)
				continue;
			if (len < n) {
				if (len > longest)
					longest = len;
				continue;
			}
			full = plat_join_root(root, sf);
			plat_remove(full, NULL);
			free(full);
		}
	}
	uninstall_leftovers(idir, r, &why, s);
	log_msg("removed %zu files and %zu folders; kept %zu paths that are "
	    "not logs", s->files, s->folders, s->left.path.n);
	/* The uninstall log is kept beside the install log (with --purge,
	 * only when something keeps install_dir), written before the record
	 * goes: a completion after a crash writes it again from there. */
	if (!purge)
		uninstall_write_log(idir);
	/* The record (it does not list itself), then the pointer to it: the
	 * last that the uninstall's journal, which holds neither, needs;
	 * a completion reads them here (docs/journal.md). */
	err_clear(&local);
	if (plat_remove_beneath(idir, RECORD_REL, &gone, &local) && gone)
		s->record = true;
	state = plat_state_file(root);
	if (plat_remove(state, NULL))
		s->record = true;
	if (purge) {
		uninstall_purge_logs(idir, s);
		if (plat_remove(idir, NULL))
			strlist_add(&s->folders_gone, r->install_dir);
		uninstall_write_log(idir);
	}
	/* Its folder, engine-setup's own, goes when the run lock (held in
	 * it for the whole run) is released: plat_run_lock_release(). */
	for (i = r->parents.n; i-- > 0; ) {
		char *full = plat_join_root(root, r->parents.v[i]);

		if (plat_remove(full, NULL) && purge)   /* only when empty */
			strlist_add(&s->folders_gone, r->parents.v[i]);
		free(full);
	}
	ok = true;
out:
	uninstall_left_free(&why);
	if (sum == NULL)
		uninstall_summary_free(&quiet);
	free(self);
	free(state);
	free(idir);
	return ok;
}

/* The paths left that are not logs, on out: first the changed files (five
 * at most, as the record's "kept" lines always were), then the others. */
static void
uninstall_say_left(FILE *out, const struct record *r,
    const struct uninstall_summary *s)
{
	static const char changed[] = "its content changed after the install";
	size_t i, shown = 0, nchanged = 0, others = 0;

	for (i = 0; i < s->left.path.n; i++) {
		if (strcmp(s->left.why.v[i], changed) != 0)
			continue;
		if (nchanged++ < 5)
			fprintf(out, "  kept %s: %s\n", s->left.path.v[i],
			    changed);
	}
	if (nchanged > 5)
		fprintf(out, "  kept %zu more changed files: %s/%s names them "
		    "all\n", nchanged - 5, r->install_dir,
		    RECORD_UNINSTALL_LOG_REL);
	for (i = 0; i < s->left.path.n; i++) {
		if (strcmp(s->left.why.v[i], changed) == 0)
			continue;
		if (shown++ < 50)
			fprintf(out, "  kept %s: %s\n", s->left.path.v[i],
			    s->left.why.v[i]);
		else
			others++;
	}
	if (others > 0)
		fprintf(out, "  kept %zu more: %s/%s names them all\n", others,
		    r->install_dir, RECORD_UNINSTALL_LOG_REL);
}

/* "Removed: 143 files and 37 folders under /opt/rapid7/nexpose, the
 * service nexposeengine, the command /usr/local/sbin/engine-setup, the
 * install record." */
static void
uninstall_say_removed(FILE *out, const struct record *r,
    const struct uninstall_summary *s)
{
	size_t i;

	fprintf(out, "Removed: %zu file%s and %zu folder%s under %s", s->files,
	    s->files == 1 ? "" : "s", s->folders, s->folders == 1 ? "" : "s",
	    r->install_dir);
	for (i = 0; i < s->services.n; i++)
		fprintf(out, ", the service %s", s->services.v[i]);
	if (s->product)
		fprintf(out, ", its entry in the list of installed programs");
	if (s->command)
		fprintf(out, ", the command %s", plat_command_path());
	if (s->record)
		fprintf(out, ", the install record");
	if (s->logs > 0)
		fprintf(out, ", the logs");
	for (i = 0; i < s->folders_gone.n; i++)
		fprintf(out, "%s%s", i == 0 ? (s->folders_gone.n == 1 ?
		    ", the folder " : ", the folders ") : i + 1 ==
		    s->folders_gone.n ? " and " : ", ", s->folders_gone.v[i]);
	fprintf(out, ".\n");
	if (s->command_kept != NULL)
		fprintf(out, "Kept: %s, which the installation made as the "
		    "link to its program, is now %s. Someone replaced it, so "
		    "it is theirs: remove it by hand if it is no longer "
		    "needed.\n", plat_command_path(), s->command_kept);
}

/* The reminder to remove the engine in the console(s) it was paired with,
 * named from consoles.xml, read (cs) before the uninstall removed it. The
 * seed names the page that lists the engines ("Add an Engine through
 * Administration"); it says nothing about removing one. */
static void
uninstall_say_consoles(FILE *out, struct consoles *cs)
{
	size_t i;

	if (cs->n == 0) {
		fprintf(out, "If a Security Console knows this Scan Engine, "
		    "remove it there too: %s.\n", CONSOLES_MENU_ENGINES);
		return;
	}
	fprintf(out, "Remove this Scan Engine in the Security Console%s it "
	    "was paired with, too (%s):\n", cs->n == 1 ? "" : "s",
	    CONSOLES_MENU_ENGINES);
	for (i = 0; i < cs->n; i++) {
		consoles_entry_show(&cs->v[i]);
		fprintf(out, "  %s (%s)\n", cs->v[i].name != NULL &&
		    cs->v[i].name[0] != '\0' ? cs->v[i].name : "a console "
		    "without a name", cs->v[i].last_address != NULL &&
		    cs->v[i].last_address[0] != '\0' ? cs->v[i].last_address :
		    "address unknown");
	}
}

void
uninstall_purge_state(const char *root)
{
	char *state, *p, *up;
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strcmp(root, "/") == 0 || strspn(root, "/") == strlen(root))
		return;
	state = plat_state_file(root);
	p = rootpath_parent(state);
	/* Up to the root, never the root itself; each only when empty. */
	while (strlen(p) > n + 1 && strncmp(p, root, n) == 0 && p[n] == '/' &&
	    (plat_file_type(p) == PLAT_NONE || plat_remove(p, NULL))) {
		up = rootpath_parent(p);
		free(p);
		p = up;
	}
	free(p);
	free(state);
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

/* The uninstall's journal begun and committed in j: its header and one
 * finish record naming the root, a few hundred bytes whatever the size
 * of the installation, since the install record it completes from stays
 * in place until the end (uninstall_apply). False with e set and no
 * journal left when it cannot be written, or a signal came first. */
static bool
uninstall_journal_try(struct journal *j, const char *root,
    const char *install_dir, struct es_err *e)
{
	struct undo u;

	memset(&u, 0, sizeof u);
	u.kind = UNDO_UNINSTALL;
	u.a = (char *)root;
	if (!journal_begin(j, root, "uninstall", install_dir, e))
		return false;
	/* The last moment a signal cancels: once committed, the uninstall
	 * goes only forward (docs/journal.md). */
	if (!journal_append(j, true, &u, e) || uninstall_signalled(e) ||
	    !journal_commit(j, e)) {
		/* Nothing was changed yet: the journal goes. */
		journal_end(j);
		return false;
	}
	return true;
}

/* Room the journal is given: its few hundred bytes take one block. */
#define UNINSTALL_JOURNAL_ROOM (64u * 1024u)

/* Whether the file system of the folder dir has less than the journal's
 * room free. */
static bool
uninstall_no_room(const char *dir)
{
	uint64_t avail;

	return plat_disk_free(dir, &avail) && avail < UNINSTALL_JOURNAL_ROOM;
}

struct uninstall_big {
	size_t i;            /* the record entry */
	long size;           /* bytes */
};

static int
uninstall_big_cmp(const void *a, const void *b)
{
	const struct uninstall_big *x = a, *y = b;

	return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
}

/* A full disk: remove the installation's unchanged files (never the kept
 * program, the record or a log), largest first, until the state folder
 * statedir has room for the journal. The services are stopped first, so
 * that a running program's file frees its space. The record and the
 * pointer stay, so a run cut short here leaves an installation that
 * the next uninstall finishes. Returns how many files went. */
static size_t
uninstall_make_room(const char *root, const struct record *r,
    const char *statedir, const char *idir)
{
	struct uninstall_big *v = xcalloc(r->n + 1, sizeof *v);
	const char *rel;
	size_t i, n = 0, removed = 0;
	bool gone;
	FILE *f;

	for (i = 0; i < r->services.n; i++)
		uninstall_stop_service(root, r->services.v[i], NULL);
	for (i = 0; i < r->n; i++) {
		const struct record_entry *en = &r->entries[i];

		if (en->type != 'f' ||
		    (rel = rootpath_below(r->install_dir, en->path)) == NULL ||
		    strcmp(rel, plat_program_name()) == 0 ||
		    uninstall_is_log(rel, PLAT_FILE) ||
		    str_has_prefix(rel, RECORD_DIR_REL "/") ||
		    plat_file_type_beneath(idir, rel) != PLAT_FILE ||
		    uninstall_changed(idir, rel, en) != NULL ||
		    (f = plat_fopen_beneath(idir, rel, NULL)) == NULL)
			continue;
		v[n].i = i;
		v[n].size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : 0;
		fclose(f);
		n++;
	}
	qsort(v, n, sizeof *v, uninstall_big_cmp);
	for (i = 0; i < n && uninstall_no_room(statedir); i++) {
		const char *path = r->entries[v[i].i].path;

		if (plat_remove_beneath(idir, rootpath_below(r->install_dir,
		    path), &gone, NULL) && gone) {
			log_msg("removed %s before the journal, to make room "
			    "for it", path);
			removed++;
		}
	}
	free(v);
	return removed;
}

/* The uninstall's journal, begun and committed in j (uninstall_journal_try);
 * on a full disk, after making room for it (uninstall_make_room) when
 * the installation's files are on that file system; *removed_first
 * counts the files that went before it. False with e set, the message
 * an uninstall's (never an install's advice). */
static bool
uninstall_journal(struct journal *j, const char *root, const struct record *r,
    FILE *out, size_t *removed_first, struct es_err *e)
{
	struct es_err first;
	char *state = plat_state_file(root), *statedir = rootpath_parent(state);
	char *idir = plat_join_root(root, r->install_dir);
	char m1[4096] = "", m2[4096] = "";
	size_t removed;
	bool ok = false;

	err_clear(&first);
	if (uninstall_journal_try(j, root, r->install_dir, &first)) {
		ok = true;
		goto out;
	}
	if (first.code == ES_ECANCEL || !uninstall_no_room(statedir)) {
		err_set(e, first.code, "%s", first.msg);
		goto out;
	}
	log_msg("no room for the journal: %s", first.msg);
	if (!plat_mount_point(statedir, m1, sizeof m1) ||
	    !plat_mount_point(idir, m2, sizeof m2) || strcmp(m1, m2) != 0) {
		err_set(e, ES_EINSTALL, "the file system %s%s is full, and "
		    "the uninstall needs a few kilobytes there for its journal "
		    "(in %s) before it removes anything; the installation in "
		    "%s is on another file system, so removing it would not "
		    "help. Free some space on %s (old logs, a package cache), "
		    "then run the uninstall again. Nothing was removed",
		    m1[0] != '\0' ? "mounted at " : "of ", m1[0] != '\0' ? m1 :
		    statedir, statedir, r->install_dir, m1[0] != '\0' ? m1 :
		    statedir);
		goto out;
	}
	fprintf(out, "The file system mounted at %s is full: removing the "
	    "installation's largest unchanged files first, to make room for "
	    "the uninstall's journal.\n", m1);
	removed = uninstall_make_room(root, r, statedir, idir);
	*removed_first = removed;
	err_clear(&first);
	if (uninstall_journal_try(j, root, r->install_dir, &first)) {
		ok = true;
		goto out;
	}
	log_msg("still no room for the journal: %s", first.msg);
	if (first.code == ES_ECANCEL)
		err_set(e, ES_ECANCEL, "cancelled by a signal (Ctrl-C, SIGTERM "
		    "or SIGHUP) after %zu of the installation's files were "
		    "removed to make room for the journal. The install record "
		    "is kept: the next uninstall removes the rest", removed);
	else
		err_set(e, ES_EINSTALL, "the file system mounted at %s is still too full for the "
	    "uninstall's journal (in %s) after %zu of the installation's "
	    "files were removed to make room. Free some space on it (old "
	    "logs, a package cache), then run the uninstall again: the "
	    "install record is kept, and the next uninstall removes the rest",
	    m1, statedir, removed);
out:
	free(idir);
	free(statedir);
	free(state);
	return ok;
}

bool
uninstall_run(const char *root, bool purge, FILE *out, struct es_err *e)
{
	struct record r;
	struct journal j;
	struct uninstall_summary s;
	struct consoles cs;
	struct es_err local;
	char *idir = NULL;
	size_t first = 0;       /* files removed before the journal */
	bool ok = false, journalled = false;

	record_init(&r);
	uninstall_summary_init(&s);
	memset(&j, 0, sizeof j);
	memset(&cs, 0, sizeof cs);
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
	log_msg("uninstalling %s %s (%s) from %s%s", r.product ? r.product :
	    "?", r.version ? r.version : "?", r.component, r.install_dir,
	    purge ? ", logs too (--purge)" : "");
	/* The consoles to name at the end: consoles.xml goes with the rest. */
	idir = plat_join_root(root, r.install_dir);
	err_clear(&local);
	if (strcmp(r.component, "engine") == 0 &&
	    !consoles_load(&cs, idir, &local))
		log_msg("cannot read the consoles to name: %s", local.msg);
	/* Committed before the first change: from here on the uninstall
	 * is completed, by this run or, after a crash, by the next. */
	if (uninstall_signalled(e) ||
	    !uninstall_journal(&j, root, &r, out, &first, e))
		goto out;
	journalled = true;
	fprintf(out, "Removing %s %s (%s) from %s%s\n",
	    r.product ? r.product : "the installation",
	    r.version ? r.version : "", r.component, r.install_dir,
	    purge ? ", with its logs" : "");
	if (!uninstall_apply(root, &r, purge, &s, out, e))
		goto out;
	s.files += first;
	uninstall_say_left(out, &r, &s);
	uninstall_say_removed(out, &r, &s);
	if (s.left.path.n == 0 && purge)
		fprintf(out, "Uninstalled. Nothing of the installation is "
		    "left.\n");
	else if (s.left.path.n == 0 &&
	    plat_file_type_beneath(idir, "nse/logs") == PLAT_DIR)
		fprintf(out, "Uninstalled. Logs are kept in %s/" RECORD_DIR_REL
		    "/ and %s/nse/logs/.\n", idir, idir);
	else if (s.left.path.n == 0)
		fprintf(out, "Uninstalled. Logs are kept in %s/" RECORD_DIR_REL
		    "/.\n", idir);
	if (plat_signals_pending() > 0)
		fprintf(out, "A signal (Ctrl-C, SIGTERM or SIGHUP) came after "
		    "the uninstall had begun to remove files. An uninstall "
		    "goes only forward from there, so it was finished rather "
		    "than left half done.\n");
	/* The console still lists the engine it was paired with. */
	if (strcmp(r.component, "engine") == 0)
		uninstall_say_consoles(out, &cs);
	if (s.left.path.n > 0) {
		err_set(e, ES_EINSTALL, "the installation is removed, but %zu "
		    "%s (named above with why; %s/%s names every one). Look "
		    "at each: remove it by hand when it is no longer needed",
		    s.left.path.n, s.left.path.n == 1 ? "path that is not a "
		    "log stays" : "paths that are not logs stay", idir,
		    RECORD_UNINSTALL_LOG_REL);
		/* The uninstall itself is complete: the journal goes. */
		journal_end(&j);
		journalled = false;
		goto out;
	}
	ok = true;
out:
	if (journalled) {
		if (ok)
			journal_end(&j);
		else
			journal_keep(&j);
	}
	consoles_free(&cs);
	uninstall_summary_free(&s);
	free(idir);
	record_free(&r);
	return ok;
}
