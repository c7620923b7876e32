#include "journal.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "log.h"
#include "platform.h"
#include "record.h"
#include "rootpath.h"
#include "util.h"

/* The format's version, in every header; a newer one is not replayed. */
#define JOURNAL_VERSION 1
/* A journal holds a few dozen records and, for an uninstall, one install
 * record; more than this is not a journal of ours. */
#define JOURNAL_MAX (256u << 20)

static const char *const journal_kinds[] = {
	[UNDO_REMOVE_TREE] = "remove-tree",
	[UNDO_REMOVE_FILE] = "remove-file",
	[UNDO_RMDIR] = "rmdir",
	[UNDO_RENAME] = "rename",
	[UNDO_RESTORE_FILE] = "restore-file",
	[UNDO_SERVICE_REMOVE] = "service-remove",
	[UNDO_SERVICE_STOP] = "service-stop",
	[UNDO_SERVICE_START] = "service-start",
	[UNDO_MKDIR] = "mkdir",
	[UNDO_SYMLINK] = "symlink",
	[UNDO_UNINSTALL] = "uninstall",
	[UNDO_PRODUCT_REMOVE] = "product-remove",
};
#define JOURNAL_NKINDS (sizeof journal_kinds / sizeof journal_kinds[0])

/* The paths of root's journal, in its state folder. */
static void
journal_paths(struct journal *j, const char *root)
{
	char *state = plat_state_file(root);
	const char *slash = strrchr(state, '/');
	size_t n = slash != NULL ? (size_t)(slash - state) : 0;

	j->path = xasprintf("%.*s/journal", (int)n, state);
	j->committed_path = xasprintf("%.*s/journal.committed", (int)n, state);
	free(state);
}

/* root as the journal's paths begin with it: "" for the running system
 * (every path is the host's own), else the --root folder without a
 * trailing '/', which plat_join_root() follows with '/' and the path. */
static char *
journal_root_prefix(const char *root)
{
	size_t n = strlen(root);

	if (strspn(root, "/") == n)
		return xstrdup("");
	while (n > 0 && root[n - 1] == '/')
		n--;
	return xstrndup(root, n);
}

/* Write one JSON object as one line, durably; o is freed. */
static bool
journal_write(struct journal *j, cJSON *o, struct es_err *e)
{
	char *text = cJSON_PrintUnformatted(o);
	char *line;
	bool ok;

	cJSON_Delete(o);
	if (text == NULL) {
		err_set(e, ES_EINTERNAL, "out of memory writing the journal");
		return false;
	}
	line = xasprintf("%s\n", text);
	cJSON_free(text);
	ok = plat_append_durable(j->f, line, strlen(line), e);
	util_free_secret(line);
	return ok;
}

bool
journal_begin(struct journal *j, const char *root, const char *op,
    const char *install_dir, struct es_err *e)
{
	char now[32], *dir;
	cJSON *o;

	memset(j, 0, sizeof *j);
	journal_paths(j, root);
	if (plat_file_type(j->committed_path) != PLAT_NONE) {
		err_set(e, ES_EEXISTS, "an interrupted run's journal %s is "
		    "still there", j->committed_path);
		return false;
	}
	/* The run lock's folder, engine-setup's own: it exists while the
	 * lock is held, unless root has none (tests without a lock). */
	dir = xstrndup(j->path, strlen(j->path) - strlen("/journal"));
	if (!plat_mkdirs(dir, 0755, NULL, e)) {
		free(dir);
		return false;
	}
	free(dir);
	if ((j->f = plat_append_create(j->path, e)) == NULL)
		return false;
	plat_utc_now(now, sizeof now);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "journal", JOURNAL_VERSION);
	cJSON_AddStringToObject(o, "op", op);
	cJSON_AddStringToObject(o, "install_dir", install_dir);
	/* What the paths below begin with, so that the journal is finished
	 * in the root it is found in, never in another (a root copied or
	 * mounted elsewhere, a damaged path): journal_load() rebases. The
	 * staging folder is named through the real path (step_prepare). */
	{
		char *prefix = journal_root_prefix(root);
		char *real = *prefix != '\0' ? plat_real_path(prefix) : NULL;

		cJSON_AddStringToObject(o, "root", *prefix != '\0' ? prefix :
		    "/");
		if (real != NULL && strcmp(real, prefix) != 0)
			cJSON_AddStringToObject(o, "root_real", real);
		free(real);
		free(prefix);
	}
	cJSON_AddNumberToObject(o, "pid", (double)plat_process_id());
	cJSON_AddStringToObject(o, "started", now);
	if (!journal_write(j, o, e)) {
		/* Nothing began: the journal goes. */
		journal_end(j);
		return false;
	}
	return true;
}

bool
journal_append(struct journal *j, bool finish, const struct undo *u,
    struct es_err *e)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, finish ? "finish" : "undo",
	    journal_kinds[u->kind]);
	if (u->a != NULL)
		cJSON_AddStringToObject(o, "a", u->a);
	if (u->b != NULL)
		cJSON_AddStringToObject(o, "b", u->b);
	if (u->data != NULL) {
		char *b64 = crypto_base64_encode(u->data, u->len);

		cJSON_AddStringToObject(o, "data", b64);
		util_free_secret(b64);
		cJSON_AddNumberToObject(o, "mode", u->mode);
	}
	if (u->wrote != NULL)
		cJSON_AddStringToObject(o, "wrote", u->wrote);
	if (u->lock != NULL)
		cJSON_AddStringToObject(o, "lock", u->lock);
	if (!journal_write(j, o, e))
		return false;
	j->nrec++;
	return true;
}

bool
journal_mark_undone(struct journal *j, size_t seq, struct es_err *e)
{
	cJSON *o;

	/* A loaded journal is opened on the first mark; what follows its
	 * last whole line (a torn record) is cut off first. */
	if (j->f == NULL && (j->f = plat_append_open(j->committed ?
	    j->committed_path : j->path, j->whole, e)) == NULL)
		return false;
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "undone", (double)seq);
	return journal_write(j, o, e);
}

bool
journal_commit(struct journal *j, struct es_err *e)
{
	if (!plat_rename(j->path, j->committed_path, e))
		return false;
	plat_sync_parent(j->committed_path);
	j->committed = true;
	log_msg("commit point passed: %s", j->committed_path);
	return true;
}

void
journal_end(struct journal *j)
{
	plat_append_close(j->f);
	j->f = NULL;
	if (j->path != NULL) {
		plat_remove(j->path, NULL);
		plat_remove(j->committed_path, NULL);
		plat_sync_parent(j->path);
	}
	journal_free(j);
}

void
journal_keep(struct journal *j)
{
	journal_free(j);
}

void
journal_undo_free(struct undo *u)
{
	free(u->a);
	free(u->b);
	free(u->wrote);
	free(u->lock);
	if (u->data != NULL) {
		util_wipe(u->data, u->len);
		free(u->data);
	}
	memset(u, 0, sizeof *u);
}

void
journal_free(struct journal *j)
{
	size_t i;

	plat_append_close(j->f);
	for (i = 0; i < j->n; i++)
		journal_undo_free(&j->v[i].u);
	free(j->v);
	free(j->path);
	free(j->committed_path);
	free(j->op);
	free(j->install_dir);
	free(j->started);
	memset(j, 0, sizeof *j);
}

bool
journal_exists(const char *root, bool *committed)
{
	struct journal j;
	bool found;

	memset(&j, 0, sizeof j);
	journal_paths(&j, root);
	*committed = plat_file_type(j.committed_path) != PLAT_NONE;
	found = *committed || plat_file_type(j.path) != PLAT_NONE;
	journal_free(&j);
	return found;
}

static const char *
journal_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* How journal_load() checks a record's paths and moves them to the root
 * the journal is found in. */
struct journal_rebase {
	const char *root;          /* the root being worked on now */
	const char *install_dir;   /* the header's */
	const char *from[2];       /* what the journal's paths begin with */
	size_t nfrom;
	char why[1200];            /* a record refused: the reason */
};

/* An uninstall's finish record without the install record completes
 * the installation the root's pointer names: true when that is the one
 * the header names, or there is no pointer left (the uninstall had
 * removed it); else rb->why says what differs. */
static bool
journal_uninstall_here(struct journal_rebase *rb)
{
	char *state = plat_state_file(rb->root), *text, *dir = NULL;
	size_t len;
	bool ok;

	if (plat_file_type(state) == PLAT_NONE) {
		free(state);
		return true;
	}
	text = plat_read_file(state, 64 * 1024, &len, NULL);
	if (text != NULL)
		dir = record_pointer_dir(text);
	ok = dir != NULL && rb->install_dir != NULL &&
	    strcmp(dir, rb->install_dir) == 0;
	if (!ok)
		snprintf(rb->why, sizeof rb->why, "an uninstall of install_dir "
		    "%.300s, while the install pointer %.300s names %.300s",
		    rb->install_dir != NULL ? rb->install_dir : "(none)", state,
		    dir != NULL ? dir : "no install_dir");
	free(dir);
	free(text);
	free(state);
	return ok;
}

/* p, a path the journal names, moved from the root the journal was
 * written in to rb->root; NULL (rb->why set) when it is not strictly
 * inside that root. The root is spelt as the user gave it (it may hold
 * "." or ".."); what follows it must be clean. */
static char *
journal_rebase_path(struct journal_rebase *rb, const char *p)
{
	size_t i, n;
	char *to, *prefix;

	for (i = 0; p != NULL && i < rb->nfrom; i++) {
		n = strlen(rb->from[i]);
		if (strncmp(p, rb->from[i], n) != 0)
			continue;
		/* Written live: a host path, joined under this root. */
		if (n == 0 && rootpath_clean(p) && !rootpath_is_root(p))
			return plat_join_root(rb->root, p);
		/* Written under a root: what follows it is what
		 * plat_join_root() put there, moved to this root, where it
		 * must be a host path if this root is the live one (a
		 * Windows "R/C/X" does not become "/C/X"). */
		if (n == 0 || !rootpath_clean_tail(p + n))
			continue;
		prefix = journal_root_prefix(rb->root);
		to = xasprintf("%s%s", prefix, p + n);
		if (*prefix != '\0' || rootpath_clean(to)) {
			free(prefix);
			return to;
		}
		free(prefix);
		free(to);
	}
	snprintf(rb->why, sizeof rb->why, "it names %.500s, which is not a "
	    "path inside %.500s", p != NULL ? p : "no path",
	    *rb->from[0] != '\0' ? rb->from[0] : "/");
	return NULL;
}

/* Replace *p with its rebased path; false when it has none. */
static bool
journal_rebase_field(struct journal_rebase *rb, char **p)
{
	char *to = journal_rebase_path(rb, *p);

	if (to == NULL)
		return false;
	free(*p);
	*p = to;
	return true;
}

/* A restore-file or remove-file record's path, and its sum and lock
 * when it has them. */
static bool
journal_check_file(struct journal_rebase *rb, struct undo *u)
{
	if (u->wrote != NULL && (strlen(u->wrote) != 64 ||
	    strspn(u->wrote, "0123456789abcdef") != 64)) {
		snprintf(rb->why, sizeof rb->why, "\"wrote\" is not a SHA-256 "
		    "in hex");
		return false;
	}
	if (u->lock != NULL && !journal_rebase_field(rb, &u->lock))
		return false;
	return journal_rebase_field(rb, &u->a);
}

/* Check one record as only engine-setup writes it, and move its paths
 * to the root it is finished in. A record that names something outside
 * the root, or a folder to remove with its contents that is not one of
 * engine-setup's own staging or backup folders, is damage: nothing is
 * guessed. */
static bool
journal_check_record(struct journal_rebase *rb, struct undo *u)
{
	const char *base;

	switch (u->kind) {
	case UNDO_REMOVE_TREE:
		if (!journal_rebase_field(rb, &u->a))
			return false;
		base = strrchr(u->a, '/') + 1;
		if (base[0] != '.' || (strstr(base, ".es-staging-") == NULL &&
		    strstr(base, ".es-backup-") == NULL)) {
			snprintf(rb->why, sizeof rb->why, "it says to remove "
			    "%.900s with everything in it, which is not a "
			    "staging or backup folder of engine-setup's", u->a);
			return false;
		}
		return true;
	case UNDO_RENAME:
		return journal_rebase_field(rb, &u->a) &&
		    journal_rebase_field(rb, &u->b);
	case UNDO_SYMLINK:   /* b is the link's target text */
		if (u->b == NULL) {
			snprintf(rb->why, sizeof rb->why, "a link record "
			    "without its target");
			return false;
		}
		return journal_rebase_field(rb, &u->a);
	case UNDO_RESTORE_FILE:
		if (u->data == NULL) {
			snprintf(rb->why, sizeof rb->why, "a file record "
			    "without its bytes");
			return false;
		}
		return journal_check_file(rb, u);
	case UNDO_REMOVE_FILE:
		return journal_check_file(rb, u);
	case UNDO_RMDIR:
	case UNDO_MKDIR:
		return journal_rebase_field(rb, &u->a);
	case UNDO_SERVICE_REMOVE:
	case UNDO_SERVICE_STOP:
	case UNDO_SERVICE_START:
	case UNDO_UNINSTALL:
	case UNDO_PRODUCT_REMOVE:
		/* a is the root: the one worked on now. An uninstall's
		 * record may hold the install record (older versions);
		 * else the installation's own is read, which must be the
		 * one the header names. */
		if (u->kind == UNDO_UNINSTALL && u->data == NULL &&
		    !journal_uninstall_here(rb))
			return false;
		if (u->kind != UNDO_UNINSTALL && u->b == NULL) {
			snprintf(rb->why, sizeof rb->why, "a %s record without "
			    "its %s", journal_kinds[u->kind],
			    u->kind == UNDO_UNINSTALL ? "install record" :
			    u->kind == UNDO_PRODUCT_REMOVE ? "entry name" :
			    "service name");
			return false;
		}
		free(u->a);
		u->a = xstrdup(rb->root);
		return true;
	}
	return false;
}

/* One record line into j; false when it is not one. */
static bool
journal_parse_record(struct journal *j, struct journal_rebase *rb,
    const cJSON *o)
{
	const char *kind, *data;
	struct journal_entry *en;
	const cJSON *mode;
	size_t k;
	bool finish = false;

	if ((kind = journal_str(o, "undo")) == NULL) {
		if ((kind = journal_str(o, "finish")) == NULL)
			return false;
		finish = true;
	}
	for (k = 0; k < JOURNAL_NKINDS; k++)
		if (journal_kinds[k] != NULL &&
		    strcmp(journal_kinds[k], kind) == 0)
			break;
	if (k == JOURNAL_NKINDS)
		return false;
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 32;
		j->v = xrealloc(j->v, j->cap * sizeof *j->v);
	}
	en = &j->v[j->n];
	memset(en, 0, sizeof *en);
	en->finish = finish;
	en->u.kind = (enum undo_kind)k;
	en->u.seq = j->n;
	if (journal_str(o, "a") != NULL)
		en->u.a = xstrdup(journal_str(o, "a"));
	if (journal_str(o, "b") != NULL)
		en->u.b = xstrdup(journal_str(o, "b"));
	if (journal_str(o, "wrote") != NULL)
		en->u.wrote = xstrdup(journal_str(o, "wrote"));
	if (journal_str(o, "lock") != NULL)
		en->u.lock = xstrdup(journal_str(o, "lock"));
	if ((data = journal_str(o, "data")) != NULL) {
		en->u.data = crypto_base64_decode(data, &en->u.len);
		if (en->u.data == NULL) {
			journal_undo_free(&en->u);
			return false;
		}
		mode = cJSON_GetObjectItemCaseSensitive(o, "mode");
		en->u.mode = cJSON_IsNumber(mode) && mode->valuedouble >= 0 &&
		    mode->valuedouble <= 07777 ? (unsigned)mode->valuedouble :
		    0600;
	}
	if (!journal_check_record(rb, &en->u)) {
		journal_undo_free(&en->u);
		return false;
	}
	j->n++;
	return true;
}

/* What a state-folder entry that is not a regular file is. */
static const char *
journal_type_name(enum plat_ftype t)
{
	switch (t) {
	case PLAT_DIR:
		return "a folder";
	case PLAT_LINK:
		return "a symbolic link";
	default:
		return "not a regular file (a FIFO, a socket or a device)";
	}
}

bool
journal_load(const char *root, struct journal *j, struct es_err *e)
{
	struct journal_rebase rb;
	char *text = NULL, *line, *end, *prefix = NULL, *real = NULL;
	const char *path;
	enum plat_ftype tj, tc;
	size_t len, lineno = 0;
	bool ok = false;

	memset(j, 0, sizeof *j);
	memset(&rb, 0, sizeof rb);
	journal_paths(j, root);
	tj = plat_file_type(j->path);
	tc = plat_file_type(j->committed_path);
	j->committed = tc != PLAT_NONE;
	path = j->committed ? j->committed_path : j->path;
	if (tj == PLAT_NONE && tc == PLAT_NONE)
		return false;
	if (tj != PLAT_NONE && tc != PLAT_NONE) {
		/* The commit point renames the one into the other: both at
		 * once is not something a run leaves. */
		err_set(e, ES_EINSTALL, "both %s and %s are there, which no "
		    "engine-setup run leaves, so the run they describe cannot "
		    "be finished safely. Nothing was changed. Look at them and "
		    "at what that run left, then remove them by hand.",
		    j->path, j->committed_path);
		goto out;
	}
	if ((j->committed ? tc : tj) != PLAT_FILE) {
		/* engine-setup writes a regular file (O_EXCL, O_NOFOLLOW);
		 * nothing is read through a link or from a FIFO. */
		err_set(e, ES_EINSTALL, "the journal %s is %s, not a journal "
		    "engine-setup wrote. Nothing was changed. Look at what it "
		    "is, move it away, then run the command again.", path,
		    journal_type_name(j->committed ? tc : tj));
		goto out;
	}
	if ((text = plat_read_file(path, JOURNAL_MAX, &len, e)) == NULL)
		goto out;
	rb.root = root;
	for (line = text; line < text + len; line = end + 1) {
		cJSON *o;
		bool good;

		lineno++;
		end = memchr(line, '\n', (size_t)(text + len - line));
		if (end == NULL)
			break;        /* torn: its change never began */
		*end = '\0';
		j->whole = (size_t)(end + 1 - text);
		o = cJSON_Parse(line);
		if (lineno > 1 && o != NULL && cJSON_GetObjectItemCaseSensitive(
		    o, "undone") != NULL) {
			/* An undo record carried out already. */
			const cJSON *k = cJSON_GetObjectItemCaseSensitive(o,
			    "undone");

			good = cJSON_IsNumber(k) && k->valuedouble >= 0 &&
			    k->valuedouble < (double)j->n &&
			    !j->v[(size_t)k->valuedouble].finish;
			if (good)
				j->v[(size_t)k->valuedouble].undone = true;
			else
				snprintf(rb.why, sizeof rb.why, "an \"undone\" "
				    "line names no undo record before it");
		} else if (lineno == 1) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(o,
			    "journal");
			const cJSON *pid = cJSON_GetObjectItemCaseSensitive(o,
			    "pid");
			const char *from = journal_str(o, "root");

			if (cJSON_IsNumber(v) &&
			    v->valuedouble > JOURNAL_VERSION) {
				err_set(e, ES_EINSTALL, "the journal %s was "
				    "written by a newer engine-setup (journal "
				    "version %.0f; this one reads version %d), "
				    "so this one cannot finish the run it "
				    "describes. Nothing was changed. Run that "
				    "version's engine-setup again, or look at "
				    "the journal and at what that run left, "
				    "then remove it by hand.", path,
				    v->valuedouble,
				    JOURNAL_VERSION);
				cJSON_Delete(o);
				goto out;
			}
			good = cJSON_IsNumber(v) &&
			    v->valuedouble == JOURNAL_VERSION &&
			    journal_str(o, "op") != NULL &&
			    journal_str(o, "install_dir") != NULL &&
			    (from == NULL || strcmp(from, "/") == 0 ||
			    rootpath_root_len(from) > 0);
			if (good) {
				j->op = xstrdup(journal_str(o, "op"));
				j->install_dir =
				    xstrdup(journal_str(o, "install_dir"));
				rb.install_dir = j->install_dir;
				j->started = xstrdup(journal_str(o,
				    "started") ? journal_str(o, "started") :
				    "?");
				/* Only a value a process id can take is
				 * converted (a larger double to long is
				 * undefined, C11 6.3.1.4). */
				j->pid = cJSON_IsNumber(pid) &&
				    pid->valuedouble >= 1 &&
				    pid->valuedouble <= 2147483647.0 ?
				    (long)pid->valuedouble : 0;
				/* The root its paths begin with; a journal
				 * without one was written for this root. */
				prefix = from != NULL ? xstrdup(from) :
				    journal_root_prefix(root);
				if (strcmp(prefix, "/") == 0)
					prefix[0] = '\0';
				if (from != NULL) {
					from = journal_str(o, "root_real");
					real = from != NULL &&
					    rootpath_root_len(from) > 0 ?
					    xstrdup(from) : NULL;
				} else if (*prefix != '\0') {
					real = plat_real_path(prefix);
				}
				rb.from[rb.nfrom++] = prefix;
				if (real != NULL)
					rb.from[rb.nfrom++] = real;
			}
		} else {
			good = o != NULL && journal_parse_record(j, &rb, o);
			j->nrec = j->n;
		}
		cJSON_Delete(o);
		if (!good) {
			err_set(e, ES_EINSTALL, "the journal %s is damaged at "
			    "line %zu%s%s, so the run it describes cannot be "
			    "finished safely. Nothing was changed. Look at it "
			    "and at what that run left, then remove it by "
			    "hand.", path, lineno, rb.why[0] != '\0' ? ": " :
			    "", rb.why);
			goto out;
		}
	}
	if (j->op == NULL) {
		/* Not even its header reached the disk: nothing began, and
		 * which command it was cannot be told (not "install": an
		 * identity reset cut short there was called one). */
		j->op = xstrdup("run");
		j->install_dir = xstrdup("");
		j->started = xstrdup("?");
	}
	ok = true;
out:
	if (text != NULL) {
		util_wipe(text, len);
		free(text);
	}
	free(prefix);
	free(real);
	if (!ok && e->code == 0)
		err_set(e, ES_EINSTALL, "cannot read the journal %s", path);
	return ok;
}
