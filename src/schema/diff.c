#include "schema/diff.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

#define ID_HEX 16

static const char *or_none(const char *s)
{
	return s ? s : "none";
}

static int str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "") && !a == !b;
}

/* identity order of fw_object_cmp without its last key (the definition) */
static int key_cmp(const struct fw_object *a, const struct fw_object *b)
{
	int c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = strcmp(a->parent ? a->parent : "", b->parent ? b->parent : "")))
		return c;
	return strcmp(a->name, b->name);
}

/* ---- details: what differs inside two objects of one identity ---- */

static const struct fw_column *find_column(const struct fw_object *o, const char *name)
{
	for (size_t i = 0; i < o->ncolumns; i++)
		if (!strcmp(o->columns[i].name, name))
			return &o->columns[i];
	return NULL;
}

/* "what: field a -> b" (field NULL: "what: a -> b") when a and b differ */
static void field_change(struct strvec *out, const char *what, const char *field,
			 const char *a, const char *b)
{
	if (!str_eq(a, b))
		strvec_pushf(out, "%s: %s%s%s -> %s", what, field ? field : "", field ? " " : "",
			     or_none(a), or_none(b));
}

static void attrs_details(const char *what, const struct fw_attrs *a, const struct fw_attrs *b,
			  struct strvec *out)
{
	for (size_t i = 0; i < a->keys.nr; i++) {
		const char *vb = fw_attrs_get(b, a->keys.v[i]);
		if (!str_eq(a->values.v[i], vb))
			strvec_pushf(out, "%s%s %s: %s -> %s", what, *what ? " attribute" : "attribute",
				     a->keys.v[i], a->values.v[i], or_none(vb));
	}
	for (size_t i = 0; i < b->keys.nr; i++)
		if (!fw_attrs_get(a, b->keys.v[i]))
			strvec_pushf(out, "%s%s %s: none -> %s", what,
				     *what ? " attribute" : "attribute", b->keys.v[i], b->values.v[i]);
}

static void column_change(const struct fw_column *a, const struct fw_column *b,
			  struct strvec *out)
{
	struct strbuf what = STRBUF_INIT;
	strbuf_addf(&what, "column %s", a->name);
	field_change(out, what.buf, "type", a->type, b->type);
	if (a->not_null != b->not_null)
		strvec_pushf(out, "%s: %s -> %s", what.buf, a->not_null ? "NOT NULL" : "nullable",
			     b->not_null ? "NOT NULL" : "nullable");
	field_change(out, what.buf, "default", a->default_expr, b->default_expr);
	field_change(out, what.buf, "generated", a->generated, b->generated);
	if (a->generated && b->generated && a->generated_stored != b->generated_stored)
		strvec_pushf(out, "%s: %s -> %s", what.buf, a->generated_stored ? "STORED" : "VIRTUAL",
			     b->generated_stored ? "STORED" : "VIRTUAL");
	field_change(out, what.buf, "identity", a->identity, b->identity);
	field_change(out, what.buf, "collation", a->collation, b->collation);
	field_change(out, what.buf, "comment", a->comment, b->comment);
	attrs_details(what.buf, &a->attrs, &b->attrs, out);
	strbuf_release(&what);
}

/* the order of the columns both have, when it differs */
static void column_order(const struct fw_object *a, const struct fw_object *b,
			 struct strvec *out)
{
	struct strbuf sa = STRBUF_INIT, sb = STRBUF_INIT;
	for (size_t i = 0; i < a->ncolumns; i++)
		if (find_column(b, a->columns[i].name))
			strbuf_addf(&sa, "%s%s", sa.len ? ", " : "", a->columns[i].name);
	for (size_t i = 0; i < b->ncolumns; i++)
		if (find_column(a, b->columns[i].name))
			strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", b->columns[i].name);
	if (strcmp(sa.buf, sb.buf))
		strvec_pushf(out, "column order: %s -> %s", sa.buf, sb.buf);
	strbuf_release(&sa);
	strbuf_release(&sb);
}

static void column_details(const struct fw_object *a, const struct fw_object *b,
			   struct strvec *out)
{
	for (size_t i = 0; i < a->ncolumns; i++) {
		const struct fw_column *cb = find_column(b, a->columns[i].name);
		if (!cb)
			strvec_pushf(out, "column %s: only in source", a->columns[i].name);
		else
			column_change(&a->columns[i], cb, out);
	}
	for (size_t i = 0; i < b->ncolumns; i++)
		if (!find_column(a, b->columns[i].name))
			strvec_pushf(out, "column %s: only in target", b->columns[i].name);
	column_order(a, b, out);
}

/* a constraint is known by its name, an unnamed one by its clause */
static const char *con_key(const struct fw_constraint *c)
{
	return c->name ? c->name : or_none(c->definition);
}

static const struct fw_constraint *find_constraint(const struct fw_object *o,
						   const struct fw_constraint *like)
{
	for (size_t i = 0; i < o->nconstraints; i++) {
		const struct fw_constraint *c = &o->constraints[i];
		if (!c->name != !like->name)
			continue;
		if (!strcmp(con_key(c), con_key(like)) &&
		    (c->name || !strcmp(c->columns.nr ? c->columns.v[0] : "",
					like->columns.nr ? like->columns.v[0] : "")))
			return c;
	}
	return NULL;
}

static void constraint_details(const struct fw_object *a, const struct fw_object *b,
			       struct strvec *out)
{
	for (size_t i = 0; i < a->nconstraints; i++) {
		const struct fw_constraint *ca = &a->constraints[i], *cb = find_constraint(b, ca);
		if (!cb)
			strvec_pushf(out, "constraint %s: only in source", con_key(ca));
		else if (!str_eq(ca->definition, cb->definition) || ca->kind != cb->kind)
			strvec_pushf(out, "constraint %s: %s -> %s", con_key(ca),
				     or_none(ca->definition), or_none(cb->definition));
	}
	for (size_t i = 0; i < b->nconstraints; i++)
		if (!find_constraint(a, &b->constraints[i]))
			strvec_pushf(out, "constraint %s: only in target", con_key(&b->constraints[i]));
}

static void join(const struct strvec *v, struct strbuf *out)
{
	strbuf_addch(out, '(');
	for (size_t i = 0; i < v->nr; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", v->v[i]);
	strbuf_addch(out, ')');
}

static void list_change(struct strvec *out, const char *field, const struct strvec *a,
			const struct strvec *b)
{
	struct strbuf sa = STRBUF_INIT, sb = STRBUF_INIT;
	join(a, &sa);
	join(b, &sb);
	if (strcmp(sa.buf, sb.buf))
		strvec_pushf(out, "index %s: %s -> %s", field, sa.buf, sb.buf);
	strbuf_release(&sa);
	strbuf_release(&sb);
}

static void index_details(const struct fw_index *a, const struct fw_index *b, struct strvec *out)
{
	if (!a || !b)
		return;
	if (a->unique != b->unique)
		strvec_pushf(out, "index: %s -> %s", a->unique ? "unique" : "not unique",
			     b->unique ? "unique" : "not unique");
	if (a->valid != b->valid)
		strvec_pushf(out, "index: %s -> %s", a->valid ? "valid" : "INVALID",
			     b->valid ? "valid" : "INVALID");
	field_change(out, "index method", NULL, a->method, b->method);
	list_change(out, "columns", &a->columns, &b->columns);
	list_change(out, "include", &a->include, &b->include);
	field_change(out, "index predicate", NULL, a->predicate, b->predicate);
}

void fw_diff_details_as_change(const struct strvec *details, struct strvec *out)
{
	static const char gone[] = ": only in source", came[] = ": only in target";
	for (size_t i = 0; i < details->nr; i++) {
		const char *d = details->v[i];
		size_t n = strlen(d);
		if (n > sizeof(gone) - 1 && !strcmp(d + n - (sizeof(gone) - 1), gone))
			strvec_pushf(out, "%.*s: dropped", (int)(n - (sizeof(gone) - 1)), d);
		else if (n > sizeof(came) - 1 && !strcmp(d + n - (sizeof(came) - 1), came))
			strvec_pushf(out, "%.*s: added", (int)(n - (sizeof(came) - 1)), d);
		else
			strvec_push(out, d);
	}
}

static void details(const struct fw_object *a, const struct fw_object *b, struct strvec *out)
{
	column_details(a, b, out);
	constraint_details(a, b, out);
	index_details(a->index, b->index, out);
	attrs_details("", &a->attrs, &b->attrs, out);
}

/* ---- entries ---- */

void fw_diff_id(enum fw_obj_type type, const char *schema, const char *parent, const char *name,
		char out[ID_HEX + 1])
{
	struct fw_sha256 h;
	char hex[FW_SHA256_HEX_LEN + 1];
	fw_sha256_init(&h);
	fw_sha256_field(&h, fw_obj_type_name(type));
	fw_sha256_field(&h, schema);
	fw_sha256_field(&h, parent);
	fw_sha256_field(&h, name);
	fw_sha256_hex(&h, hex);
	memcpy(out, hex, ID_HEX);
	out[ID_HEX] = '\0';
}

static void entry_id(struct fw_diff_entry *e)
{
	char id[ID_HEX + 1];
	fw_diff_id(e->type, e->schema, e->parent, e->name, id);
	e->id = xstrdup(id);
}

static struct fw_diff_entry *add_entry(struct fw_diff_list *l, const char *schema,
				       const struct fw_object *o)
{
	struct fw_diff_entry *e;
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	e = &l->v[l->nr++];
	memset(e, 0, sizeof(*e));
	e->type = o->type;
	e->schema = xstrdup(schema);
	e->name = xstrdup(o->name);
	e->parent = o->parent ? xstrdup(o->parent) : NULL;
	entry_id(e);
	return e;
}

static void only_in_source(struct fw_diff *out, const char *schema, const struct fw_object *o)
{
	add_entry(&out->only_in_source, schema, o)->before = xstrdup(o->definition);
}

static void only_in_target(struct fw_diff *out, const char *schema, const struct fw_object *o)
{
	add_entry(&out->only_in_target, schema, o)->after = xstrdup(o->definition);
}

void fw_diff_schemas(const struct fw_schema *source, const struct fw_schema *target,
		     struct fw_diff *out)
{
	size_t i = 0, j = 0;
	static const struct fw_schema none = { 0 };
	if (!source)
		source = &none;
	if (!target)
		target = &none;
	while (i < source->nobjects || j < target->nobjects) {
		const struct fw_object *a = i < source->nobjects ? &source->objects[i] : NULL;
		const struct fw_object *b = j < target->nobjects ? &target->objects[j] : NULL;
		int c = !a ? 1 : !b ? -1 : key_cmp(a, b);
		if (c < 0) {
			only_in_source(out, source->name, a);
			i++;
		} else if (c > 0) {
			only_in_target(out, target->name, b);
			j++;
		} else {
			if (strcmp(a->definition, b->definition)) {
				struct fw_diff_entry *e = add_entry(&out->differences, target->name, b);
				e->before = xstrdup(a->definition);
				e->after = xstrdup(b->definition);
				details(a, b, &e->details);
			}
			i++;
			j++;
		}
	}
}

void fw_diff_models(const struct fw_model *source, const struct fw_model *target,
		    struct fw_diff *out)
{
	for (size_t i = 0; i < source->nschemas; i++)
		fw_diff_schemas(&source->schemas[i],
				fw_model_find_schema(target, source->schemas[i].name), out);
	for (size_t i = 0; i < target->nschemas; i++)
		if (!fw_model_find_schema(source, target->schemas[i].name))
			fw_diff_schemas(NULL, &target->schemas[i], out);
}

int fw_diff_is_empty(const struct fw_diff *d)
{
	return !d->only_in_source.nr && !d->only_in_target.nr && !d->differences.nr;
}

static void list_release(struct fw_diff_list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		struct fw_diff_entry *e = &l->v[i];
		free(e->id);
		free(e->schema);
		free(e->name);
		free(e->parent);
		free(e->before);
		free(e->after);
		strvec_clear(&e->details);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void fw_diff_release(struct fw_diff *d)
{
	list_release(&d->only_in_source);
	list_release(&d->only_in_target);
	list_release(&d->differences);
}

/* ---- JSON ---- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *list_json(const struct fw_diff_list *l)
{
	json_t *a = json_array();
	for (size_t i = 0; i < l->nr; i++) {
		const struct fw_diff_entry *e = &l->v[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(e->id));
		json_object_set_new(o, "name", json_string(e->name));
		json_object_set_new(o, "schema", json_string(e->schema));
		json_object_set_new(o, "objectType", json_string(fw_obj_type_name(e->type)));
		json_object_set_new(o, "definitionBefore", str_or_null(e->before));
		json_object_set_new(o, "definitionAfter", str_or_null(e->after));
		if (e->parent)
			json_object_set_new(o, "parent", json_string(e->parent));
		if (e->details.nr) {
			json_t *d = json_array();
			for (size_t k = 0; k < e->details.nr; k++)
				json_array_append_new(d, json_string(e->details.v[k]));
			json_object_set_new(o, "details", d);
		}
		json_array_append_new(a, o);
	}
	return a;
}

json_t *fw_diff_to_json(const struct fw_diff *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "onlyInSource", list_json(&d->only_in_source));
	json_object_set_new(o, "onlyInTarget", list_json(&d->only_in_target));
	json_object_set_new(o, "differences", list_json(&d->differences));
	return o;
}
