#include "journal.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "log.h"
#include "platform.h"
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

/* One record line into j; false when it is not one. */
static bool
journal_parse_record(struct journal *j, const cJSON *o)
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
	if (journal_str(o, "a") != NULL)
		en->u.a = xstrdup(journal_str(o, "a"));
	if (journal_str(o, "b") != NULL)
		en->u.b = xstrdup(journal_str(o, "b"));
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
	j->n++;
	return true;
}

bool
journal_load(const char *root, struct journal *j, struct es_err *e)
{
	char *text = NULL, *line, *end;
	const char *path;
	size_t len, lineno = 0;
	bool ok = false;

	memset(j, 0, sizeof *j);
	journal_paths(j, root);
	j->committed = plat_file_type(j->committed_path) != PLAT_NONE;
	path = j->committed ? j->committed_path : j->path;
	if (!j->committed && plat_file_type(path) == PLAT_NONE)
		return false;
	if ((text = plat_read_file(path, JOURNAL_MAX, &len, e)) == NULL)
		goto out;
	for (line = text; line < text + len; line = end + 1) {
		cJSON *o;
		bool good;

		lineno++;
		end = memchr(line, '\n', (size_t)(text + len - line));
		if (end == NULL)
			break;        /* torn: its change never began */
		*end = '\0';
		o = cJSON_Parse(line);
		if (lineno == 1) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(o,
			    "journal");
			const cJSON *pid = cJSON_GetObjectItemCaseSensitive(o,
			    "pid");

			good = cJSON_IsNumber(v) &&
			    v->valuedouble == JOURNAL_VERSION &&
			    journal_str(o, "op") != NULL &&
			    journal_str(o, "install_dir") != NULL;
			if (good) {
				j->op = xstrdup(journal_str(o, "op"));
				j->install_dir =
				    xstrdup(journal_str(o, "install_dir"));
				j->started = xstrdup(journal_str(o,
				    "started") ? journal_str(o, "started") :
				    "?");
				j->pid = cJSON_IsNumber(pid) ?
				    (long)pid->valuedouble : 0;
			}
		} else {
			good = o != NULL && journal_parse_record(j, o);
		}
		cJSON_Delete(o);
		if (!good) {
			err_set(e, ES_EINSTALL, "the journal %s is damaged at "
			    "line %zu, so the run it describes cannot be "
			    "finished safely. Look at it and at what that run "
			    "left, then remove it by hand.", path, lineno);
			goto out;
		}
	}
	if (j->op == NULL) {
		/* Not even its header reached the disk: nothing began. */
		j->op = xstrdup("install");
		j->install_dir = xstrdup("");
		j->started = xstrdup("?");
	}
	ok = true;
out:
	if (text != NULL) {
		util_wipe(text, len);
		free(text);
	}
	if (!ok && e->code == 0)
		err_set(e, ES_EINSTALL, "cannot read the journal %s", path);
	return ok;
}
