#include "schema/snapshot.h"
#include "util/json.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- writing ---- */

/* set key to s; absent when s is NULL */
static void put_str(json_t *o, const char *key, const char *s)
{
	if (s)
		json_object_set_new(o, key, json_string(s));
}

static void put_strvec(json_t *o, const char *key, const struct strvec *v)
{
	json_t *a;
	if (!v->nr)
		return;
	a = json_array();
	for (size_t i = 0; i < v->nr; i++)
		json_array_append_new(a, json_string(v->v[i]));
	json_object_set_new(o, key, a);
}

static void put_attrs(json_t *o, const char *key, const struct fw_attrs *a)
{
	json_t *m;
	if (!a->keys.nr)
		return;
	m = json_object();
	for (size_t i = 0; i < a->keys.nr; i++)
		json_object_set_new(m, a->keys.v[i], json_string(a->values.v[i]));
	json_object_set_new(o, key, m);
}

static json_t *column_json(const struct fw_column *c)
{
	json_t *o = json_object();
	put_str(o, "name", c->name);
	put_str(o, "type", c->type);
	json_object_set_new(o, "notNull", json_boolean(c->not_null));
	put_str(o, "default", c->default_expr);
	put_str(o, "generated", c->generated);
	if (c->generated)
		json_object_set_new(o, "generatedStored", json_boolean(c->generated_stored));
	put_str(o, "identity", c->identity);
	put_str(o, "collation", c->collation);
	put_str(o, "comment", c->comment);
	put_attrs(o, "attributes", &c->attrs);
	return o;
}

static json_t *constraint_json(const struct fw_constraint *c)
{
	json_t *o = json_object();
	put_str(o, "name", c->name);
	put_str(o, "kind", fw_con_kind_name(c->kind));
	put_strvec(o, "columns", &c->columns);
	put_str(o, "expression", c->expression);
	put_str(o, "refTable", c->ref_table);
	put_strvec(o, "refColumns", &c->ref_columns);
	put_str(o, "onDelete", c->on_delete);
	put_str(o, "onUpdate", c->on_update);
	put_str(o, "definition", c->definition);
	return o;
}

static json_t *index_json(const struct fw_index *ix)
{
	json_t *o = json_object();
	json_object_set_new(o, "unique", json_boolean(ix->unique));
	json_object_set_new(o, "valid", json_boolean(ix->valid));
	put_str(o, "method", ix->method);
	put_strvec(o, "columns", &ix->columns);
	put_strvec(o, "include", &ix->include);
	put_str(o, "predicate", ix->predicate);
	return o;
}

static json_t *object_json(const struct fw_object *ob)
{
	json_t *o = json_object();
	put_str(o, "type", fw_obj_type_name(ob->type));
	put_str(o, "name", ob->name);
	put_str(o, "parent", ob->parent);
	put_str(o, "fingerprint", ob->fingerprint);
	put_str(o, "definition", ob->definition);
	if (ob->ncolumns) {
		json_t *a = json_array();
		for (size_t i = 0; i < ob->ncolumns; i++)
			json_array_append_new(a, column_json(&ob->columns[i]));
		json_object_set_new(o, "columns", a);
	}
	if (ob->nconstraints) {
		json_t *a = json_array();
		for (size_t i = 0; i < ob->nconstraints; i++)
			json_array_append_new(a, constraint_json(&ob->constraints[i]));
		json_object_set_new(o, "constraints", a);
	}
	if (ob->index)
		json_object_set_new(o, "index", index_json(ob->index));
	put_attrs(o, "attributes", &ob->attrs);
	return o;
}

json_t *fw_snapshot_to_json(const struct fw_model *m)
{
	json_t *doc = json_object(), *schemas = json_array();
	json_object_set_new(doc, "format", json_string(FW_SNAPSHOT_FORMAT));
	json_object_set_new(doc, "version", json_integer(FW_SNAPSHOT_VERSION));
	put_str(doc, "dialect", m->dialect);
	put_str(doc, "product", m->product);
	put_attrs(doc, "meta", &m->meta);
	for (size_t i = 0; i < m->nschemas; i++) {
		const struct fw_schema *s = &m->schemas[i];
		json_t *so = json_object(), *objs = json_array();
		put_str(so, "name", s->name);
		put_str(so, "fingerprint", s->fingerprint);
		for (size_t j = 0; j < s->nobjects; j++)
			json_array_append_new(objs, object_json(&s->objects[j]));
		json_object_set_new(so, "objects", objs);
		json_array_append_new(schemas, so);
	}
	json_object_set_new(doc, "schemas", schemas);
	return doc;
}

void fw_snapshot_write(const struct fw_model *m, struct strbuf *out)
{
	json_t *doc = fw_snapshot_to_json(m);
	fw_json_dump(doc, out);
	json_decref(doc);
}

/* ---- reading ---- */

struct rd {
	const char *origin;
	struct strbuf path;      /* where in the document: "schemas[0].objects[2]" */
	struct fw_error *err;
};

static int bad(struct rd *r, const char *key, const char *what)
{
	fw_errorf(r->err, "ERROR", "snapshot %s: %s%s%s: %s", r->origin, r->path.buf,
		  r->path.len && key ? "." : "", key ? key : "", what);
	fw_error_hint(r->err, "a snapshot is written by fleetway (docs/schema-model.md); "
		      "take it again, or mend the field named");
	return -1;
}

/* enter key (or [i] when key is NULL) for errors below; returns the old length */
static size_t enter(struct rd *r, const char *key, size_t i)
{
	size_t len = r->path.len;
	if (key)
		strbuf_addf(&r->path, "%s%s", len ? "." : "", key);
	else
		strbuf_addf(&r->path, "[%zu]", i);
	return len;
}

static void leave(struct rd *r, size_t len)
{
	strbuf_setlen(&r->path, len);
}

/* a string member: absent or null gives NULL unless required */
static int get_str(struct rd *r, json_t *o, const char *key, int required, char **out)
{
	json_t *v = json_object_get(o, key);
	free(*out);
	*out = NULL;
	if (!v || json_is_null(v))
		return required ? bad(r, key, "missing (a string is needed)") : 0;
	if (!json_is_string(v))
		return bad(r, key, "expected a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(r, key, "a string with a NUL character");
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int get_bool(struct rd *r, json_t *o, const char *key, int dflt, int *out)
{
	json_t *v = json_object_get(o, key);
	*out = dflt;
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(r, key, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

/* an array member (absent: empty); *out borrowed */
static int get_array(struct rd *r, json_t *o, const char *key, json_t **out)
{
	json_t *v = json_object_get(o, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad(r, key, "expected an array");
	*out = v;
	return 0;
}

static int get_strvec(struct rd *r, json_t *o, const char *key, struct strvec *out)
{
	json_t *a, *v;
	size_t i;
	if (get_array(r, o, key, &a) < 0)
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
			enter(r, key, 0);
			enter(r, NULL, i);
			return bad(r, NULL, "expected a string");
		}
		strvec_push(out, json_string_value(v));
	}
	return 0;
}

static int get_attrs(struct rd *r, json_t *o, const char *key, struct fw_attrs *out)
{
	json_t *m = json_object_get(o, key), *v;
	const char *k;
	if (!m || json_is_null(m))
		return 0;
	if (!json_is_object(m))
		return bad(r, key, "expected an object of strings");
	json_object_foreach(m, k, v) {
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
			size_t len = enter(r, key, 0);
			int ret = bad(r, k, "expected a string");
			leave(r, len);
			return ret;
		}
		fw_attrs_set(out, k, json_string_value(v));
	}
	return 0;
}

static int need_object(struct rd *r, json_t *v)
{
	return json_is_object(v) ? 0 : bad(r, NULL, "expected an object");
}

static int read_column(struct rd *r, json_t *o, void *to)
{
	struct fw_object *ob = to;
	char *name = NULL, *type = NULL;
	struct fw_column *c;
	if (need_object(r, o) < 0 || get_str(r, o, "name", 1, &name) < 0 ||
	    get_str(r, o, "type", 1, &type) < 0) {
		free(name);
		free(type);
		return -1;
	}
	c = fw_object_add_column(ob, name, type);
	free(name);
	free(type);
	if (get_bool(r, o, "notNull", 0, &c->not_null) < 0 ||
	    get_str(r, o, "default", 0, &c->default_expr) < 0 ||
	    get_str(r, o, "generated", 0, &c->generated) < 0 ||
	    get_bool(r, o, "generatedStored", 0, &c->generated_stored) < 0 ||
	    get_str(r, o, "identity", 0, &c->identity) < 0 ||
	    get_str(r, o, "collation", 0, &c->collation) < 0 ||
	    get_str(r, o, "comment", 0, &c->comment) < 0 ||
	    get_attrs(r, o, "attributes", &c->attrs) < 0)
		return -1;
	return 0;
}

static int read_constraint(struct rd *r, json_t *o, void *to)
{
	struct fw_object *ob = to;
	char *kind = NULL;
	struct fw_constraint *c;
	int k;
	if (need_object(r, o) < 0 || get_str(r, o, "kind", 1, &kind) < 0)
		return -1;
	k = fw_con_kind_parse(kind);
	free(kind);
	if (k < 0)
		return bad(r, "kind", "not a constraint kind (PRIMARY KEY, UNIQUE, CHECK, "
			   "FOREIGN KEY, EXCLUDE)");
	c = fw_object_add_constraint(ob, (enum fw_con_kind)k, NULL);
	if (get_str(r, o, "name", 0, &c->name) < 0 ||
	    get_strvec(r, o, "columns", &c->columns) < 0 ||
	    get_str(r, o, "expression", 0, &c->expression) < 0 ||
	    get_str(r, o, "refTable", 0, &c->ref_table) < 0 ||
	    get_strvec(r, o, "refColumns", &c->ref_columns) < 0 ||
	    get_str(r, o, "onDelete", 0, &c->on_delete) < 0 ||
	    get_str(r, o, "onUpdate", 0, &c->on_update) < 0 ||
	    get_str(r, o, "definition", 0, &c->definition) < 0)
		return -1;
	return 0;
}

static int read_index(struct rd *r, json_t *o, struct fw_object *ob)
{
	struct fw_index *ix = fw_object_set_index(ob);
	if (need_object(r, o) < 0 || get_bool(r, o, "unique", 0, &ix->unique) < 0 ||
	    get_bool(r, o, "valid", 1, &ix->valid) < 0 ||
	    get_str(r, o, "method", 0, &ix->method) < 0 ||
	    get_strvec(r, o, "columns", &ix->columns) < 0 ||
	    get_strvec(r, o, "include", &ix->include) < 0 ||
	    get_str(r, o, "predicate", 0, &ix->predicate) < 0)
		return -1;
	return 0;
}

/* each element of array key of o through fn, into to */
static int read_each(struct rd *r, json_t *o, const char *key, void *to,
		     int (*fn)(struct rd *, json_t *, void *))
{
	json_t *a, *v;
	size_t i, len;
	if (get_array(r, o, key, &a) < 0)
		return -1;
	len = enter(r, key, 0);
	json_array_foreach(a, i, v) {
		size_t l2 = enter(r, NULL, i);
		if (fn(r, v, to) < 0)
			return -1;
		leave(r, l2);
	}
	leave(r, len);
	return 0;
}

static int read_object(struct rd *r, json_t *o, void *to)
{
	struct fw_schema *s = to;
	char *type = NULL, *name = NULL, *parent = NULL, *definition = NULL;
	struct fw_object *ob;
	json_t *ix;
	int t, ret = -1;

	if (need_object(r, o) < 0 || get_str(r, o, "type", 1, &type) < 0 ||
	    get_str(r, o, "name", 1, &name) < 0 || get_str(r, o, "parent", 0, &parent) < 0 ||
	    get_str(r, o, "definition", 1, &definition) < 0)
		goto out;
	if ((t = fw_obj_type_parse(type)) < 0) {
		bad(r, "type", "not an object type this fleetway knows");
		goto out;
	}
	ob = fw_schema_add(s, (enum fw_obj_type)t, name, parent);
	fw_object_set_definition(ob, definition);
	if (read_each(r, o, "columns", ob, read_column) < 0 ||
	    read_each(r, o, "constraints", ob, read_constraint) < 0 ||
	    get_attrs(r, o, "attributes", &ob->attrs) < 0)
		goto out;
	ix = json_object_get(o, "index");
	if (ix && !json_is_null(ix)) {
		size_t len = enter(r, "index", 0);
		if (read_index(r, ix, ob) < 0)
			goto out;
		leave(r, len);
	}
	ret = 0;
out:
	free(type);
	free(name);
	free(parent);
	free(definition);
	return ret;
}

/* after sorting, two objects with one identity are a fault of the file */
static int check_unique(struct rd *r, const struct fw_schema *s)
{
	for (size_t i = 1; i < s->nobjects; i++) {
		const struct fw_object *a = &s->objects[i - 1], *b = &s->objects[i];
		if (a->type == b->type && !strcmp(a->name, b->name) &&
		    !strcmp(a->parent ? a->parent : "", b->parent ? b->parent : "")) {
			struct strbuf what = STRBUF_INIT;
			int ret;
			strbuf_addf(&what, "%s %s%s%s appears twice", fw_obj_type_name(a->type),
				    a->parent ? a->parent : "", a->parent ? "." : "", a->name);
			ret = bad(r, NULL, what.buf);
			strbuf_release(&what);
			return ret;
		}
	}
	return 0;
}

static int read_schema(struct rd *r, json_t *o, void *to)
{
	struct fw_model *m = to;
	char *name = NULL;
	struct fw_schema *s;
	if (need_object(r, o) < 0 || get_str(r, o, "name", 1, &name) < 0)
		return -1;
	if (fw_model_find_schema(m, name)) {
		free(name);
		return bad(r, "name", "a schema of this name appears twice");
	}
	s = fw_model_add_schema(m, name);
	free(name);
	if (read_each(r, o, "objects", s, read_object) < 0)
		return -1;
	fw_schema_finish(s);
	return check_unique(r, s);
}

static int read_header(struct rd *r, json_t *doc, struct fw_model *m)
{
	json_t *version;
	char *format = NULL;
	if (need_object(r, doc) < 0 || get_str(r, doc, "format", 1, &format) < 0)
		return -1;
	if (strcmp(format, FW_SNAPSHOT_FORMAT)) {
		free(format);
		return bad(r, "format", "not \"" FW_SNAPSHOT_FORMAT "\": this is no fleetway snapshot");
	}
	free(format);
	version = json_object_get(doc, "version");
	if (!json_is_integer(version) || json_integer_value(version) < 1)
		return bad(r, "version", "missing or not a positive integer");
	if (json_integer_value(version) > FW_SNAPSHOT_VERSION) {
		fw_errorf(r->err, "ERROR", "snapshot %s has format version %" JSON_INTEGER_FORMAT
			  "; this fleetway reads version %d", r->origin,
			  json_integer_value(version), FW_SNAPSHOT_VERSION);
		fw_error_hint(r->err, "use the fleetway that wrote it, or a newer one");
		return -1;
	}
	return get_str(r, doc, "dialect", 0, &m->dialect) < 0 ||
	       get_str(r, doc, "product", 0, &m->product) < 0 ||
	       get_attrs(r, doc, "meta", &m->meta) < 0 ? -1 : 0;
}

int fw_snapshot_read(const char *text, size_t len, const char *origin, struct fw_model *out,
		     struct fw_error *err)
{
	struct rd r = { origin ? origin : "(text)", STRBUF_INIT, err };
	json_error_t jerr;
	json_t *doc;
	int ret = -1;

	fw_model_init(out, NULL, NULL);
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		fw_errorf(err, "ERROR", "snapshot %s:%d:%d: %s", r.origin, jerr.line, jerr.column,
			  jerr.text);
		fw_error_hint(err, "a snapshot is a JSON document written by fleetway");
		return -1;
	}
	if (read_header(&r, doc, out) < 0 || read_each(&r, doc, "schemas", out, read_schema) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		fw_model_release(out);
	json_decref(doc);
	strbuf_release(&r.path);
	return ret;
}

/* ---- files ---- */

int fw_snapshot_load(const char *path, struct fw_model *out, struct fw_error *err)
{
	struct strbuf text = STRBUF_INIT;
	int ret;
	fw_model_init(out, NULL, NULL);
	if (strbuf_read_file(&text, path) < 0) {
		fw_errorf(err, "ERROR", "unable to read snapshot %s: %s", path, strerror(errno));
		strbuf_release(&text);
		return -1;
	}
	ret = fw_snapshot_read(text.buf, text.len, path, out, err);
	strbuf_release(&text);
	return ret;
}

int fw_snapshot_save(const struct fw_model *m, const char *path, struct fw_error *err)
{
	struct strbuf text = STRBUF_INIT, tmp = STRBUF_INIT;
	FILE *f;
	int ok;

	fw_snapshot_write(m, &text);
	strbuf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp.buf, "w");
	ok = f && fwrite(text.buf, 1, text.len, f) == text.len;
	if (f && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp.buf, path) == 0) {
		strbuf_release(&text);
		strbuf_release(&tmp);
		return 0;
	}
	fw_errorf(err, "ERROR", "unable to write snapshot %s: %s", path, strerror(errno));
	if (f)
		unlink(tmp.buf);
	strbuf_release(&text);
	strbuf_release(&tmp);
	return -1;
}

void fw_snapshot_empty(struct fw_model *out, const char *dialect, const char *const *schemas)
{
	fw_model_init(out, dialect, NULL);
	fw_attrs_set(&out->meta, "source", "empty");
	for (size_t i = 0; schemas && schemas[i]; i++)
		fw_schema_finish(fw_model_add_schema(out, schemas[i]));
}
