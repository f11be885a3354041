/* The diff artefact (diff-artifact.h). */
#include "ops/diff-artifact.h"
#include "schema/diff.h"
#include "schema/snapshot.h"
#include "util/json.h"
#include "util/report-file.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the changes ---- */

size_t fw_artifact_pairs(const struct fw_artifact *a, struct fw_pair **out)
{
	const struct fw_model *s = &a->src.model, *t = &a->tgt.model;
	size_t n = 0;
	*out = xcalloc(s->nschemas + t->nschemas + 1, sizeof(**out));
	if (s->nschemas == 1 && t->nschemas == 1) {
		(*out)[0].src = &s->schemas[0];
		(*out)[0].tgt = &t->schemas[0];
		(*out)[0].name = s->schemas[0].name;
		return 1;
	}
	for (size_t i = 0; i < s->nschemas; i++) {
		(*out)[n].src = &s->schemas[i];
		(*out)[n].tgt = fw_model_find_schema(t, s->schemas[i].name);
		(*out)[n++].name = s->schemas[i].name;
	}
	for (size_t i = 0; i < t->nschemas; i++)
		if (!fw_model_find_schema(s, t->schemas[i].name)) {
			(*out)[n].tgt = &t->schemas[i];
			(*out)[n++].name = t->schemas[i].name;
		}
	return n;
}

static struct fw_change *change_add(struct fw_artifact *a, const char *what, const struct fw_diff_entry *e,
				    const char *schema)
{
	struct fw_change *c;
	char id[17];
	ALLOC_GROW(a->v, a->nr + 1, a->alloc);
	c = &a->v[a->nr++];
	memset(c, 0, sizeof(*c));
	fw_diff_id(e->type, schema, e->parent, e->name, id);
	c->id = xstrdup(id);
	c->change = what;
	c->type = e->type;
	c->schema = xstrdup(schema);
	c->name = xstrdup(e->name);
	c->parent = e->parent ? xstrdup(e->parent) : NULL;
	/* the diff was taken from the target to the source: before is the target's */
	c->target_def = e->before ? xstrdup(e->before) : NULL;
	c->source_def = e->after ? xstrdup(e->after) : NULL;
	/* ... and the details say what the change does to the target */
	fw_diff_details_as_change(&e->details, &c->details);
	return c;
}

static int change_cmp(const void *x, const void *y)
{
	const struct fw_change *a = x, *b = y;
	int c;
	if ((c = strcmp(a->schema, b->schema)))
		return c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = strcmp(a->parent ? a->parent : "", b->parent ? b->parent : "")))
		return c;
	return strcmp(a->name, b->name);
}

void fw_artifact_changes(struct fw_artifact *a)
{
	struct fw_pair *pairs;
	size_t n = fw_artifact_pairs(a, &pairs);
	for (size_t i = 0; i < n; i++) {
		struct fw_diff d = FW_DIFF_INIT;
		fw_diff_schemas(pairs[i].tgt, pairs[i].src, &d);
		for (size_t k = 0; k < d.only_in_target.nr; k++)
			change_add(a, "Add", &d.only_in_target.v[k], pairs[i].name);
		for (size_t k = 0; k < d.differences.nr; k++)
			change_add(a, "Edit", &d.differences.v[k], pairs[i].name);
		for (size_t k = 0; k < d.only_in_source.nr; k++)
			change_add(a, "Delete", &d.only_in_source.v[k], pairs[i].name);
		fw_diff_release(&d);
	}
	free(pairs);
	if (a->nr > 1)
		qsort(a->v, a->nr, sizeof(a->v[0]), change_cmp);
}

int fw_change_selected(const struct fw_change *c, const struct strvec *ids)
{
	return !ids || !ids->nr || strvec_contains(ids, c->id);
}

void fw_warn_keys_without_effect(const struct fw_config *cfg, const struct fw_observer *obs,
				 const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++)
		if (fw_config_setting(cfg, keys[i]))
			fw_emit_warn(obs, "%s is set, but fleetway does not act on it: it has no effect", keys[i]);
}

int fw_change_ids(const struct fw_config *cfg, const char *ns, struct strvec *out, struct fw_error *err)
{
	struct strbuf key = STRBUF_INIT, in = STRBUF_INIT;
	struct strvec given = STRVEC_INIT;
	strbuf_addf(&key, "%s.changes", ns);
	fw_config_setting_list(cfg, key.buf, &given);
	strbuf_release(&key);
	if (given.nr != 1 || strcmp(given.v[0], "-")) {
		for (size_t i = 0; i < given.nr; i++)
			strvec_push(out, given.v[i]);
		strvec_clear(&given);
		return 0;
	}
	strvec_clear(&given);
	{   /* Flyway: "-" reads the ids from stdin */
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
			strbuf_add(&in, buf, n);
		if (ferror(stdin)) {
			strbuf_release(&in);
			return fw_errorf(err, "ERROR", "unable to read the change ids from stdin: %s", strerror(errno));
		}
		for (size_t i = 0; i < in.len; i++)
			if (in.buf[i] == '\n' || in.buf[i] == '\r' || in.buf[i] == '\t' || in.buf[i] == ' ')
				in.buf[i] = ',';
		strvec_split(out, in.buf, ',');
	}
	strbuf_release(&in);
	return 0;
}

int fw_changes_known(const struct fw_artifact *a, const struct strvec *ids, const char *setting,
		     struct fw_error *err)
{
	for (size_t i = 0; ids && i < ids->nr; i++) {
		size_t k;
		for (k = 0; k < a->nr && strcmp(a->v[k].id, ids->v[i]); k++)
			;
		if (k == a->nr) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "%s: no difference has the id %s", setting,
				       ids->v[i]);
			fw_error_hint(err, "the ids are those diff printed (the Id column)");
			return -1;
		}
	}
	return 0;
}

/* ---- the file ---- */

char *fw_artifact_path(const struct fw_config *cfg, const char *ns)
{
	struct strbuf key = STRBUF_INIT, path = STRBUF_INIT;
	const char *v = NULL, *tmp = getenv("TMPDIR");
	if (ns) {
		strbuf_addf(&key, "%s.artifactFilename", ns);
		v = fw_config_setting(cfg, key.buf);
	}
	if (!v)
		v = fw_config_setting(cfg, "diff.artifactFilename");
	if (v && *v) {
		if (v[0] != '/' && cfg->working_directory)
			strbuf_addf(&path, "%s/", cfg->working_directory);
		strbuf_addstr(&path, v);
	} else {
		strbuf_addf(&path, "%s/fleetway-%ld.artifact.diff", tmp && *tmp ? tmp : "/tmp", (long)getuid());
	}
	strbuf_release(&key);
	return strbuf_detach(&path, NULL);
}

static json_t *strings_json(const struct strvec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->nr; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

static json_t *state_json(const struct fw_side_state *s)
{
	json_t *o = json_object(), *renames = json_array();
	json_object_set_new(o, "snapshot", fw_snapshot_to_json(&s->model));
	for (size_t i = 0; i < s->renames.nr; i++) {
		const struct fw_rename *r = &s->renames.v[i];
		json_t *x = json_object();
		if (r->schema)
			json_object_set_new(x, "schema", json_string(r->schema));
		json_object_set_new(x, "table", json_string(r->table));
		if (r->column)
			json_object_set_new(x, "column", json_string(r->column));
		json_object_set_new(x, "from", json_string(r->from));
		json_object_set_new(x, "origin", json_string(r->origin));
		json_array_append_new(renames, x);
	}
	json_object_set_new(o, "renames", renames);
	json_object_set_new(o, "rowsKnown", json_boolean(s->rows_known));
	json_object_set_new(o, "tablesWithRows", strings_json(&s->with_rows));
	return o;
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

int fw_artifact_write(const struct fw_artifact *a, const char *path, struct fw_error *err)
{
	json_t *doc = json_object(), *changes = json_array();
	struct strbuf text = STRBUF_INIT;
	int ret = 0;
	json_object_set_new(doc, "format", json_string(FW_ARTIFACT_FORMAT));
	json_object_set_new(doc, "version", json_integer(FW_ARTIFACT_VERSION));
	json_object_set_new(doc, "source", json_string(a->source));
	json_object_set_new(doc, "target", json_string(a->target));
	json_object_set_new(doc, "buildEnvironment", opt_string(a->build_env));
	json_object_set_new(doc, "buildVersion", opt_string(a->build_version));
	json_object_set_new(doc, "buildCherryPick", strings_json(&a->build_cherry_pick));
	for (size_t i = 0; i < a->nr; i++) {
		const struct fw_change *c = &a->v[i];
		json_t *x = json_object();
		json_object_set_new(x, "id", json_string(c->id));
		json_object_set_new(x, "differenceType", json_string(c->change));
		json_object_set_new(x, "objectType", json_string(fw_obj_type_name(c->type)));
		json_object_set_new(x, "schema", json_string(c->schema));
		json_object_set_new(x, "name", json_string(c->name));
		if (c->parent)
			json_object_set_new(x, "parent", json_string(c->parent));
		json_array_append_new(changes, x);
	}
	/* for people and tools reading the file; a reader works them out again */
	json_object_set_new(doc, "differences", changes);
	json_object_set_new(doc, "sourceState", state_json(&a->src));
	json_object_set_new(doc, "targetState", state_json(&a->tgt));
	fw_json_dump(doc, &text);
	json_decref(doc);
	if (fw_write_whole(path, text.buf, text.len) < 0) {
		fw_errorf(err, "ERROR", "unable to write the diff artifact %s: %s", path, strerror(errno));
		fw_error_hint(err, "set diff.artifactFilename to a file in a folder you can write to");
		ret = -1;
	}
	strbuf_release(&text);
	return ret;
}

/* ---- reading ---- */

static int bad(struct fw_error *err, const char *path, const char *what)
{
	fw_errorf(err, "ERROR", "diff artifact %s: %s", path, what);
	fw_error_hint(err, "run diff again to write it (diff.artifactFilename names the file)");
	return -1;
}

static const char *str_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *dup_field(json_t *o, const char *key)
{
	const char *s = str_field(o, key);
	return s ? xstrdup(s) : NULL;
}

static void strings_read(json_t *a, struct strvec *out)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			strvec_push(out, json_string_value(v));
}

static int state_read(json_t *o, const char *path, const char *which, struct fw_side_state *out,
		      struct fw_error *err)
{
	json_t *snap = json_object_get(o, "snapshot"), *r;
	char *text;
	struct strbuf origin = STRBUF_INIT;
	size_t i;
	int ret;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(o) || !json_is_object(snap))
		return bad(err, path, "a side's state is missing");
	text = json_dumps(snap, JSON_COMPACT);
	strbuf_addf(&origin, "%s (%s)", path, which);
	ret = fw_snapshot_read(text, strlen(text), origin.buf, &out->model, err);
	free(text);
	strbuf_release(&origin);
	if (ret < 0)
		return -1;
	json_array_foreach(json_object_get(o, "renames"), i, r) {
		const char *table = str_field(r, "table"), *from = str_field(r, "from");
		if (table && from)
			fw_renames_add(&out->renames, str_field(r, "schema"), table, str_field(r, "column"), from,
				       str_field(r, "origin"));
	}
	out->rows_known = json_is_true(json_object_get(o, "rowsKnown"));
	strings_read(json_object_get(o, "tablesWithRows"), &out->with_rows);
	return 0;
}

int fw_artifact_read(const char *path, struct fw_artifact *out, struct fw_error *err)
{
	struct strbuf text = STRBUF_INIT;
	json_error_t je;
	json_t *doc;
	int ret = -1;
	memset(out, 0, sizeof(*out));
	if (strbuf_read_file(&text, path) < 0) {
		fw_errorf(err, "ERROR", "no diff artifact at %s: %s", path, strerror(errno));
		fw_error_hint(err, "run diff first (fleetway diff -diff.source=... -diff.target=... %s), or set "
			      "artifactFilename to the file it wrote", "generate");
		strbuf_release(&text);
		return -1;
	}
	doc = json_loadb(text.buf, text.len, 0, &je);
	strbuf_release(&text);
	if (!json_is_object(doc) || !str_field(doc, "format") || strcmp(str_field(doc, "format"), FW_ARTIFACT_FORMAT)) {
		json_decref(doc);
		return bad(err, path, "not a fleetway diff artifact");
	}
	if (json_integer_value(json_object_get(doc, "version")) > FW_ARTIFACT_VERSION) {
		json_decref(doc);
		return bad(err, path, "written by a newer fleetway");
	}
	out->source = dup_field(doc, "source");
	out->target = dup_field(doc, "target");
	out->build_env = dup_field(doc, "buildEnvironment");
	out->build_version = dup_field(doc, "buildVersion");
	strings_read(json_object_get(doc, "buildCherryPick"), &out->build_cherry_pick);
	if (!out->source || !out->target) {
		bad(err, path, "it names no source or target");
	} else if (state_read(json_object_get(doc, "sourceState"), path, "source", &out->src, err) == 0 &&
		   state_read(json_object_get(doc, "targetState"), path, "target", &out->tgt, err) == 0) {
		fw_artifact_changes(out);
		ret = 0;
	}
	json_decref(doc);
	if (ret < 0)
		fw_artifact_release(out);
	return ret;
}

void fw_artifact_release(struct fw_artifact *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		struct fw_change *c = &a->v[i];
		free(c->id);
		free(c->schema);
		free(c->name);
		free(c->parent);
		free(c->source_def);
		free(c->target_def);
		strvec_clear(&c->details);
	}
	free(a->v);
	free(a->source);
	free(a->target);
	free(a->build_env);
	free(a->build_version);
	strvec_clear(&a->build_cherry_pick);
	fw_side_state_release(&a->src);
	fw_side_state_release(&a->tgt);
	memset(a, 0, sizeof(*a));
}
