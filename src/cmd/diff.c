/* fleetway diff and diffText: the differences of two states (ops/diff.h) as
 * Flyway prints them, `Id | Change | Object Type | Schema | Name`, and the
 * definitions before and after. */
#include "cmd/cmd.h"
#include "ops/diff.h"
#include "util/table.h"
#include <stdlib.h>
#include <string.h>

/* "orders" or, for what hangs on a table, "orders.orders_pkey" */
static void shown_name(const struct fw_change *ch, struct strbuf *out)
{
	if (ch->parent)
		strbuf_addf(out, "%s.", ch->parent);
	strbuf_addstr(out, ch->name);
}

static void print_table(struct fw_cmd_ctx *c, const struct fw_artifact *a)
{
	static const char *const headers[] = { "Id", "Change", "Object Type", "Schema", "Name" };
	struct fw_table t;
	struct strbuf out = STRBUF_INIT;
	fw_table_init(&t, 5, headers);
	for (size_t i = 0; i < a->nr; i++) {
		const struct fw_change *ch = &a->v[i];
		struct strbuf name = STRBUF_INIT;
		const char *row[5];
		shown_name(ch, &name);
		row[0] = ch->id;
		row[1] = ch->change;
		row[2] = fw_obj_type_name(ch->type);
		row[3] = ch->schema;
		row[4] = name.buf;
		fw_table_add_row(&t, row);
		strbuf_release(&name);
	}
	fw_table_render(&t, "No differences found", &out);
	fw_cmd_print(c, out.buf);
	fw_table_release(&t);
	strbuf_release(&out);
}

static const struct fw_object *any_table(const struct fw_model *m, const char *name)
{
	for (size_t i = 0; i < m->nschemas; i++) {
		const struct fw_object *o = fw_schema_find(&m->schemas[i], FW_OBJ_TABLE, NULL, name);
		if (o)
			return o;
	}
	return NULL;
}

static int has_column(const struct fw_object *t, const char *name)
{
	for (size_t i = 0; t && i < t->ncolumns; i++)
		if (!strcmp(t->columns[i].name, name))
			return 1;
	return 0;
}

/* the rename stands between the two states: the old one has the old name,
 * the new one the new name */
static int rename_between(const struct fw_rename *r, const struct fw_model *old, const struct fw_model *now)
{
	if (!r->column)
		return any_table(old, r->from) && !any_table(old, r->table) && any_table(now, r->table);
	return (has_column(any_table(old, r->table), r->from) || any_table(old, r->table) == NULL) &&
	       has_column(any_table(now, r->table), r->column) && !has_column(any_table(now, r->table), r->from);
}

/* the renames the schema model declares that the changes hold */
static void print_renames(struct fw_cmd_ctx *c, const struct fw_artifact *a, json_t *list)
{
	const struct fw_side_state *sides[] = { &a->src, &a->tgt };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sides[k]->renames.nr; i++) {
			const struct fw_rename *r = &sides[k]->renames.v[i];
			json_t *o;
			if (!rename_between(r, &sides[1 - k]->model, &sides[k]->model))
				continue;
			o = json_object();
			if (r->column)
				fw_info(c->out, "Rename declared at %s: column %s.%s was %s", r->origin, r->table, r->column,
					r->from);
			else
				fw_info(c->out, "Rename declared at %s: table %s was %s", r->origin, r->table, r->from);
			json_object_set_new(o, "table", json_string(r->table));
			if (r->column)
				json_object_set_new(o, "column", json_string(r->column));
			json_object_set_new(o, "from", json_string(r->from));
			json_object_set_new(o, "declaredAt", json_string(r->origin));
			json_array_append_new(list, o);
		}
}

static json_t *side_json(const struct fw_change *ch, const char *def)
{
	json_t *o;
	if (!def)
		return json_null();
	o = json_object();
	json_object_set_new(o, "schema", json_string(ch->schema));
	json_object_set_new(o, "name", json_string(ch->name));
	json_object_set_new(o, "definition", json_string(def));
	return o;
}

/* Flyway's shape: from is the source's side, to the target's */
static json_t *changes_json(const struct fw_artifact *a, const struct strvec *only)
{
	json_t *list = json_array();
	for (size_t i = 0; i < a->nr; i++) {
		const struct fw_change *ch = &a->v[i];
		json_t *o;
		if (!fw_change_selected(ch, only))
			continue;
		o = json_object();
		json_object_set_new(o, "id", json_string(ch->id));
		json_object_set_new(o, "differenceType", json_string(ch->change));
		json_object_set_new(o, "objectType", json_string(fw_obj_type_name(ch->type)));
		json_object_set_new(o, "from", side_json(ch, ch->source_def));
		json_object_set_new(o, "to", side_json(ch, ch->target_def));
		if (ch->parent)
			json_object_set_new(o, "parent", json_string(ch->parent));
		if (ch->details.nr) {
			json_t *d = json_array();
			for (size_t k = 0; k < ch->details.nr; k++)
				json_array_append_new(d, json_string(ch->details.v[k]));
			json_object_set_new(o, "details", d);
		}
		json_array_append_new(list, o);
	}
	return list;
}

int render_diff(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_diff_result *r = result;
	json_t *doc, *renames = json_array();
	(void)err;
	if (rc < 0) {
		json_decref(renames);
		return rc;
	}
	fw_info(c->out, "diff artifact generated: %s", r->artifact_path);
	print_table(c, &r->a);
	print_renames(c, &r->a, renames);
	doc = fw_cmd_result_base(c, "diff");
	json_object_set_new(doc, "differences", changes_json(&r->a, NULL));
	json_object_set_new(doc, "sourcePreparationInfo", json_null());
	json_object_set_new(doc, "targetPreparationInfo", json_null());
	json_object_set_new(doc, "artifact", json_string(r->artifact_path));
	json_object_set_new(doc, "source", json_string(r->a.source));
	json_object_set_new(doc, "target", json_string(r->a.target));
	json_object_set_new(doc, "renames", renames);
	c->result = doc;
	return 0;
}

/* the definitions of one change, before (the target's) and after (the source's) */
static void print_text(struct fw_cmd_ctx *c, const struct fw_change *ch)
{
	struct strbuf out = STRBUF_INIT, name = STRBUF_INIT;
	shown_name(ch, &name);
	strbuf_addf(&out, "--- %s %s %s.%s (%s) in the target\n", ch->id, fw_obj_type_name(ch->type), ch->schema,
		    name.buf, ch->change);
	strbuf_addf(&out, "%s\n", ch->target_def ? ch->target_def : "-- (none)");
	strbuf_addf(&out, "+++ in the source\n%s\n", ch->source_def ? ch->source_def : "-- (none)");
	for (size_t i = 0; i < ch->details.nr; i++)
		strbuf_addf(&out, "  %s\n", ch->details.v[i]);
	strbuf_addch(&out, '\n');
	fw_cmd_print(c, out.buf);
	strbuf_release(&out);
	strbuf_release(&name);
}

int render_difftext(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_diff_result *r = result;
	json_t *doc;
	size_t shown = 0;
	(void)err;
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < r->a.nr; i++)
		if (fw_change_selected(&r->a.v[i], &r->only)) {
			print_text(c, &r->a.v[i]);
			shown++;
		}
	if (!shown)
		fw_info(c->out, "No differences found");
	doc = fw_cmd_result_base(c, "diffText");
	json_object_set_new(doc, "differences", changes_json(&r->a, &r->only));
	c->result = doc;
	return 0;
}
