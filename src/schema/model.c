#include "schema/model.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[FW_OBJ_NTYPES] = {
	[FW_OBJ_EXTENSION] = "Extension",
	[FW_OBJ_TYPE] = "Type",
	[FW_OBJ_DOMAIN] = "Domain",
	[FW_OBJ_SEQUENCE] = "Sequence",
	[FW_OBJ_TABLE] = "Table",
	[FW_OBJ_VIEW] = "View",
	[FW_OBJ_MATERIALIZED_VIEW] = "MaterializedView",
	[FW_OBJ_INDEX] = "Index",
	[FW_OBJ_CONSTRAINT] = "Constraint",
	[FW_OBJ_FUNCTION] = "Function",
	[FW_OBJ_PROCEDURE] = "Procedure",
	[FW_OBJ_AGGREGATE] = "Aggregate",
	[FW_OBJ_TRIGGER] = "Trigger",
	[FW_OBJ_POLICY] = "Policy",
	[FW_OBJ_EVENT] = "Event",
};

static const char *const con_names[FW_CON_NKINDS] = {
	[FW_CON_PRIMARY_KEY] = "PRIMARY KEY",
	[FW_CON_UNIQUE] = "UNIQUE",
	[FW_CON_CHECK] = "CHECK",
	[FW_CON_FOREIGN_KEY] = "FOREIGN KEY",
	[FW_CON_EXCLUSION] = "EXCLUDE",
};

/* Flyway's snapshot history (fleetway leaves it alone, reference
 * flyway-check-and-state.md); fleetway keeps its lock outside any table
 * (advisory locks, GET_LOCK, a sidecar file), and a table it adds for its own
 * state is to be listed here. */
const char *const fw_schema_reserved_tables[] = { "flyway_snapshot_history", NULL };

const char *fw_obj_type_name(enum fw_obj_type t)
{
	return (unsigned)t < FW_OBJ_NTYPES ? type_names[t] : "Unknown";
}

int fw_obj_type_parse(const char *name)
{
	for (int i = 0; i < FW_OBJ_NTYPES; i++)
		if (!strcmp(type_names[i], name))
			return i;
	return -1;
}

const char *fw_con_kind_name(enum fw_con_kind k)
{
	return (unsigned)k < FW_CON_NKINDS ? con_names[k] : "UNKNOWN";
}

int fw_con_kind_parse(const char *name)
{
	for (int i = 0; i < FW_CON_NKINDS; i++)
		if (!strcmp(con_names[i], name))
			return i;
	return -1;
}

void fw_set_str(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

/* ---- attributes ---- */

void fw_attrs_set(struct fw_attrs *a, const char *key, const char *value)
{
	for (size_t i = 0; i < a->keys.nr; i++) {
		if (!strcmp(a->keys.v[i], key)) {
			free(a->values.v[i]);
			a->values.v[i] = xstrdup(value ? value : "");
			return;
		}
	}
	strvec_push(&a->keys, key);
	strvec_push(&a->values, value ? value : "");
}

const char *fw_attrs_get(const struct fw_attrs *a, const char *key)
{
	for (size_t i = 0; i < a->keys.nr; i++)
		if (!strcmp(a->keys.v[i], key))
			return a->values.v[i];
	return NULL;
}

void fw_attrs_release(struct fw_attrs *a)
{
	strvec_clear(&a->keys);
	strvec_clear(&a->values);
}

/* ---- exclusions ---- */

int fw_schema_excluded(const struct fw_schema_opts *opts, const char *table)
{
	const char *history = opts && opts->history_table ? opts->history_table
							  : "flyway_schema_history";
	if (!table)
		return 0;
	if (!strcmp(table, history))
		return 1;
	for (int i = 0; fw_schema_reserved_tables[i]; i++)
		if (!strcmp(table, fw_schema_reserved_tables[i]))
			return 1;
	return opts && opts->exclude && strvec_contains(opts->exclude, table);
}

/* ---- objects ---- */

static void column_release(struct fw_column *c)
{
	free(c->name);
	free(c->type);
	free(c->default_expr);
	free(c->generated);
	free(c->identity);
	free(c->collation);
	free(c->comment);
	fw_attrs_release(&c->attrs);
}

static void constraint_release(struct fw_constraint *c)
{
	free(c->name);
	strvec_clear(&c->columns);
	free(c->expression);
	free(c->ref_table);
	strvec_clear(&c->ref_columns);
	free(c->on_delete);
	free(c->on_update);
	free(c->definition);
}

static void index_release(struct fw_index *ix)
{
	if (!ix)
		return;
	free(ix->method);
	strvec_clear(&ix->columns);
	strvec_clear(&ix->include);
	free(ix->predicate);
	free(ix);
}

void fw_object_clear_details(struct fw_object *o)
{
	for (size_t i = 0; i < o->ncolumns; i++)
		column_release(&o->columns[i]);
	free(o->columns);
	for (size_t i = 0; i < o->nconstraints; i++)
		constraint_release(&o->constraints[i]);
	free(o->constraints);
	index_release(o->index);
	fw_attrs_release(&o->attrs);
	o->columns = NULL;
	o->ncolumns = o->alloc_columns = 0;
	o->constraints = NULL;
	o->nconstraints = o->alloc_constraints = 0;
	o->index = NULL;
}

static void object_release(struct fw_object *o)
{
	free(o->name);
	free(o->parent);
	free(o->definition);
	fw_object_clear_details(o);
}

void fw_object_set_definition(struct fw_object *o, const char *definition)
{
	fw_set_str(&o->definition, definition ? definition : "");
}

struct fw_column *fw_object_add_column(struct fw_object *o, const char *name, const char *type)
{
	struct fw_column *c;
	ALLOC_GROW(o->columns, o->ncolumns + 1, o->alloc_columns);
	c = &o->columns[o->ncolumns++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name ? name : "");
	c->type = xstrdup(type ? type : "");
	return c;
}

struct fw_constraint *fw_object_add_constraint(struct fw_object *o, enum fw_con_kind kind,
					       const char *name)
{
	struct fw_constraint *c;
	ALLOC_GROW(o->constraints, o->nconstraints + 1, o->alloc_constraints);
	c = &o->constraints[o->nconstraints++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->name = name ? xstrdup(name) : NULL;
	return c;
}

struct fw_index *fw_object_set_index(struct fw_object *o)
{
	if (!o->index) {
		o->index = xcalloc(1, sizeof(*o->index));
		o->index->valid = 1;
	}
	return o->index;
}

static void attrs_copy(struct fw_attrs *to, const struct fw_attrs *from)
{
	for (size_t i = 0; i < from->keys.nr; i++)
		fw_attrs_set(to, from->keys.v[i], from->values.v[i]);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct fw_object *fw_schema_add_copy(struct fw_schema *s, const struct fw_object *o)
{
	struct fw_object *c = fw_schema_add(s, o->type, o->name, o->parent);
	fw_object_set_definition(c, o->definition);
	memcpy(c->fingerprint, o->fingerprint, sizeof(c->fingerprint));
	for (size_t i = 0; i < o->ncolumns; i++) {
		const struct fw_column *a = &o->columns[i];
		struct fw_column *b = fw_object_add_column(c, a->name, a->type);
		b->not_null = a->not_null;
		b->default_expr = dup_or_null(a->default_expr);
		b->generated = dup_or_null(a->generated);
		b->generated_stored = a->generated_stored;
		b->identity = dup_or_null(a->identity);
		b->collation = dup_or_null(a->collation);
		b->comment = dup_or_null(a->comment);
		attrs_copy(&b->attrs, &a->attrs);
	}
	for (size_t i = 0; i < o->nconstraints; i++) {
		const struct fw_constraint *a = &o->constraints[i];
		struct fw_constraint *b = fw_object_add_constraint(c, a->kind, a->name);
		strvec_copy(&b->columns, &a->columns);
		b->expression = dup_or_null(a->expression);
		b->ref_table = dup_or_null(a->ref_table);
		strvec_copy(&b->ref_columns, &a->ref_columns);
		b->on_delete = dup_or_null(a->on_delete);
		b->on_update = dup_or_null(a->on_update);
		b->definition = dup_or_null(a->definition);
	}
	if (o->index) {
		struct fw_index *b = fw_object_set_index(c);
		b->unique = o->index->unique;
		b->valid = o->index->valid;
		b->method = dup_or_null(o->index->method);
		strvec_copy(&b->columns, &o->index->columns);
		strvec_copy(&b->include, &o->index->include);
		b->predicate = dup_or_null(o->index->predicate);
	}
	attrs_copy(&c->attrs, &o->attrs);
	return c;
}

void fw_schema_remove(struct fw_schema *s, size_t i)
{
	if (i >= s->nobjects)
		return;
	object_release(&s->objects[i]);
	memmove(&s->objects[i], &s->objects[i + 1], (s->nobjects - i - 1) * sizeof(s->objects[0]));
	s->nobjects--;
}

void fw_object_fingerprint(const struct fw_object *o, char out[FW_SHA256_HEX_LEN + 1])
{
	struct fw_sha256 h;
	fw_sha256_init(&h);
	fw_sha256_field(&h, fw_obj_type_name(o->type));
	fw_sha256_field(&h, o->parent);
	fw_sha256_field(&h, o->name);
	fw_sha256_field(&h, o->definition);
	fw_sha256_hex(&h, out);
}

static int str_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

int fw_object_cmp(const struct fw_object *a, const struct fw_object *b)
{
	int c;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if ((c = str_cmp(a->parent, b->parent)))
		return c;
	if ((c = str_cmp(a->name, b->name)))
		return c;
	return str_cmp(a->definition, b->definition);
}

static int object_qsort_cmp(const void *a, const void *b)
{
	return fw_object_cmp(a, b);
}

/* ---- schemas ---- */

void fw_schema_init(struct fw_schema *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name ? name : "");
}

void fw_schema_release(struct fw_schema *s)
{
	for (size_t i = 0; i < s->nobjects; i++)
		object_release(&s->objects[i]);
	free(s->objects);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

struct fw_object *fw_schema_add(struct fw_schema *s, enum fw_obj_type type, const char *name,
				const char *parent)
{
	struct fw_object *o;
	ALLOC_GROW(s->objects, s->nobjects + 1, s->alloc_objects);
	o = &s->objects[s->nobjects++];
	memset(o, 0, sizeof(*o));
	o->type = type;
	o->name = xstrdup(name ? name : "");
	o->parent = parent ? xstrdup(parent) : NULL;
	o->definition = xstrdup("");
	return o;
}

const struct fw_object *fw_schema_find(const struct fw_schema *s, enum fw_obj_type type,
				       const char *parent, const char *name)
{
	for (size_t i = 0; i < s->nobjects; i++) {
		const struct fw_object *o = &s->objects[i];
		if (o->type == type && !str_cmp(o->parent, parent) && !strcmp(o->name, name))
			return o;
	}
	return NULL;
}

/* The schema's fingerprint covers its objects in order, each by type, parent,
 * name and fingerprint; not the schema's own name, so that two schemas built
 * the same way under different names (tenants, a scratch copy) match. */
void fw_schema_finish(struct fw_schema *s)
{
	struct fw_sha256 h;
	if (s->nobjects > 1)
		qsort(s->objects, s->nobjects, sizeof(s->objects[0]), object_qsort_cmp);
	fw_sha256_init(&h);
	for (size_t i = 0; i < s->nobjects; i++) {
		struct fw_object *o = &s->objects[i];
		fw_object_fingerprint(o, o->fingerprint);
		fw_sha256_field(&h, fw_obj_type_name(o->type));
		fw_sha256_field(&h, o->parent);
		fw_sha256_field(&h, o->name);
		fw_sha256_field(&h, o->fingerprint);
	}
	fw_sha256_hex(&h, s->fingerprint);
}

/* ---- models ---- */

void fw_model_init(struct fw_model *m, const char *dialect, const char *product)
{
	memset(m, 0, sizeof(*m));
	m->dialect = dialect ? xstrdup(dialect) : NULL;
	m->product = product ? xstrdup(product) : NULL;
}

void fw_model_release(struct fw_model *m)
{
	for (size_t i = 0; i < m->nschemas; i++)
		fw_schema_release(&m->schemas[i]);
	free(m->schemas);
	free(m->dialect);
	free(m->product);
	fw_attrs_release(&m->meta);
	memset(m, 0, sizeof(*m));
}

struct fw_schema *fw_model_add_schema(struct fw_model *m, const char *name)
{
	ALLOC_GROW(m->schemas, m->nschemas + 1, m->alloc_schemas);
	fw_schema_init(&m->schemas[m->nschemas], name);
	return &m->schemas[m->nschemas++];
}

struct fw_schema *fw_model_adopt_schema(struct fw_model *m, struct fw_schema *s)
{
	ALLOC_GROW(m->schemas, m->nschemas + 1, m->alloc_schemas);
	m->schemas[m->nschemas] = *s;
	memset(s, 0, sizeof(*s));
	return &m->schemas[m->nschemas++];
}

struct fw_schema *fw_model_find_schema(const struct fw_model *m, const char *name)
{
	for (size_t i = 0; i < m->nschemas; i++)
		if (!strcmp(m->schemas[i].name, name))
			return &m->schemas[i];
	return NULL;
}
