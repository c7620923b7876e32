#include "plancheck.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "platform.h"
#include "status.h"
#include "util.h"

void
plancheck_init(struct plancheck *pc)
{
	memset(pc, 0, sizeof *pc);
	err_clear(&pc->error);
}

void
plancheck_free(struct plancheck *pc)
{
	free(pc->console);
	plancheck_init(pc);
}

void
plancheck_error(struct plancheck *pc, struct es_err *e)
{
	pc->error = *e;
	if (pc->error.code == 0)
		pc->error.code = ES_EINTERNAL;
	err_sentence(&pc->error);
}

static const char *
plancheck_action_name(enum plancheck_action a)
{
	switch (a) {
	case PLANCHECK_INSTALL:
		return "install";
	case PLANCHECK_NONE:
		return "none";
	case PLANCHECK_PAIR:
		return "pair";
	case PLANCHECK_UPGRADE:
		return "upgrade";
	case PLANCHECK_DOWNGRADE:
		return "downgrade";
	case PLANCHECK_OVERWRITE:
		break;
	}
	return "overwrite";
}

/* The option or step a run needs, or NULL for none. */
static const char *
plancheck_needs_name(enum plancheck_needs n)
{
	switch (n) {
	case PLANCHECK_NEEDS_OVERWRITE:
		return "overwrite";
	case PLANCHECK_NEEDS_ALLOW_DOWNGRADE:
		return "allow-downgrade";
	case PLANCHECK_NEEDS_UPGRADE_FIRST:
		return "upgrade-first";
	case PLANCHECK_NEEDS_UNINSTALL:
		return "uninstall";
	case PLANCHECK_NEEDS_NOTHING:
		break;
	}
	return NULL;
}

static cJSON *
plancheck_json_installed(const struct plancheck *pc)
{
	const struct record *r = pc->installed;
	cJSON *o = cJSON_CreateObject();
	char *rel, *path;

	status_json_str(o, "product", r->product);
	status_json_str(o, "version", r->version);
	status_json_str(o, "component", r->component);
	status_json_str(o, "install_dir", r->install_dir);
	if (r->install_dir == NULL) {
		cJSON_AddNullToObject(o, "answers_file");
		return o;
	}
	rel = record_answers_path(r->install_dir);
	path = plat_join_root(pc->root, rel);
	status_json_str(o, "answers_file", path);
	free(path);
	free(rel);
	return o;
}

static cJSON *
plancheck_json_differs(const struct plancheck *pc)
{
	cJSON *a = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; pc->diffs != NULL && i < pc->diffs->n; i++) {
		const struct install_diff *d = &pc->diffs->v[i];

		o = cJSON_CreateObject();
		status_json_str(o, "key", d->key);
		status_json_str(o, "installed", d->secret ? NULL :
		    d->installed);
		status_json_str(o, "now", d->secret ? NULL : d->now);
		status_json_str(o, "text", d->text);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* The answers plan_write() would write, as strings. */
static cJSON *
plancheck_json_answers(const struct plan *p)
{
	cJSON *o = cJSON_CreateObject();
	int k;

	for (k = 0; k < PK_COUNT; k++)
		if (plan_writes(p, (enum plan_key)k))
			status_json_str(o, plan_keyinfo((enum plan_key)k)->name,
			    p->value[k]);
	return o;
}

static cJSON *
plancheck_json_requirements(const struct req_report *r)
{
	static const char *const results[] = {
		[REQ_PASS] = "pass", [REQ_WARN] = "warn", [REQ_FAIL] = "fail",
	};
	cJSON *a = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; r != NULL && i < r->n; i++) {
		const struct req_item *it = &r->item[i];

		o = cJSON_CreateObject();
		status_json_str(o, "name", it->name);
		status_json_str(o, "result", results[it->result]);
		status_json_str(o, "value", it->measured);
		status_json_str(o, "need", it->threshold);
		status_json_str(o, "advice", it->advice[0] != '\0' ?
		    it->advice : NULL);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

char *
plancheck_json(const struct plancheck *pc)
{
	const struct manifest *m = pc->manifest;
	cJSON *o = cJSON_CreateObject(), *x;
	char *text, *copy;

	if (o == NULL)
		fatal("out of memory");
	cJSON_AddNumberToObject(o, "schema", PLANCHECK_SCHEMA);
	cJSON_AddStringToObject(o, "action",
	    plancheck_action_name(pc->action));
	cJSON_AddBoolToObject(o, "allowed",
	    pc->needs == PLANCHECK_NEEDS_NOTHING);
	status_json_str(o, "needs", plancheck_needs_name(pc->needs));
	status_json_str(o, "product", m != NULL ? m->product : NULL);
	status_json_str(o, "version", m != NULL ? m->version : NULL);
	if (pc->installed != NULL)
		cJSON_AddItemToObject(o, "installed",
		    plancheck_json_installed(pc));
	else
		cJSON_AddNullToObject(o, "installed");
	cJSON_AddItemToObject(o, "differs", plancheck_json_differs(pc));
	if (pc->plan != NULL)
		cJSON_AddItemToObject(o, "answers",
		    plancheck_json_answers(pc->plan));
	else
		cJSON_AddNullToObject(o, "answers");
	cJSON_AddItemToObject(o, "requirements",
	    plancheck_json_requirements(pc->req));
	if (pc->console != NULL) {
		x = cJSON_AddObjectToObject(o, "pairing");
		status_json_str(x, "console", pc->console);
		cJSON_AddBoolToObject(x, "tested", pc->tested);
	} else {
		cJSON_AddNullToObject(o, "pairing");
	}
	cJSON_AddNumberToObject(o, "exit", pc->exit);
	if (pc->error.code != 0) {
		x = cJSON_AddObjectToObject(o, "error");
		cJSON_AddNumberToObject(x, "code", pc->error.code);
		status_json_str(x, "message", pc->error.msg);
	} else {
		cJSON_AddNullToObject(o, "error");
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		fatal("out of memory");
	copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}
