/* MySQL and MariaDB statements for the planner (plan-internal.h): tables,
 * columns (in their order: ADD/MODIFY ... AFTER), indexes, foreign keys and
 * checks, views. The catalog reader writes a table's columns as SHOW CREATE
 * TABLE does, and its indexes apart (the primary key as ALTER TABLE ... ADD
 * PRIMARY KEY): a new table gets its primary key inline, since an
 * AUTO_INCREMENT column must be a key from the start. */
#include "schema/plan-internal.h"
#include <stdlib.h>
#include <string.h>

static void my_ident(const char *name, struct strbuf *out)
{
	strbuf_addch(out, '`');
	strbuf_add_doubled(out, name, '`');
	strbuf_addch(out, '`');
}

static void my_drop(struct planner *p, const struct fw_object *o, struct strbuf *out)
{
	switch (o->type) {
	case FW_OBJ_INDEX:
		if (!strcmp(o->name, "PRIMARY")) {
			plan_alter_table(p, o->parent, out);
			strbuf_addstr(out, " DROP PRIMARY KEY;");
			return;
		}
		strbuf_addstr(out, "DROP INDEX ");
		my_ident(o->name, out);
		strbuf_addstr(out, " ON ");
		my_ident(o->parent, out);
		strbuf_addch(out, ';');
		return;
	case FW_OBJ_CONSTRAINT:
		plan_alter_table(p, o->parent, out);
		strbuf_addstr(out, o->nconstraints && o->constraints[0].kind == FW_CON_FOREIGN_KEY
				   ? " DROP FOREIGN KEY " : " DROP CONSTRAINT ");
		my_ident(o->name, out);
		strbuf_addch(out, ';');
		return;
	default:
		break;
	}
	strbuf_addf(out, "DROP %s ", o->type == FW_OBJ_VIEW ? "VIEW" : o->type == FW_OBJ_TRIGGER ? "TRIGGER"
			 : o->type == FW_OBJ_FUNCTION ? "FUNCTION" : o->type == FW_OBJ_PROCEDURE ? "PROCEDURE"
			 : o->type == FW_OBJ_EVENT ? "EVENT" : o->type == FW_OBJ_SEQUENCE ? "SEQUENCE" : "TABLE");
	my_ident(o->name, out);
	strbuf_addch(out, ';');
}

static void join_elements(const struct strvec *el, size_t n, struct strbuf *out)
{
	for (size_t i = 0; i < n && i < el->nr; i++)
		strbuf_addf(out, "%s\n  %s", i ? "," : "", el->v[i]);
}

static void my_create_table(struct planner *p, const struct fw_schema *s, const struct fw_object *t,
			    struct strbuf *out)
{
	struct table_text tt;
	const struct fw_object *pk = fw_schema_find(s, FW_OBJ_INDEX, t->name, "PRIMARY");
	if (!plan_table_text(p, t->definition, &tt)) {
		plan_first_statement(p, t->definition, out);
		goto out;
	}
	strbuf_addbuf(out, &tt.head);
	strbuf_addch(out, '(');
	join_elements(&tt.el, tt.el.nr, out);
	if (pk && pk->index) {
		strbuf_addstr(out, ",\n  PRIMARY KEY (");
		for (size_t i = 0; i < pk->index->columns.nr; i++)
			strbuf_addf(out, "%s%s", i ? ", " : "", pk->index->columns.v[i]);
		strbuf_addch(out, ')');
	}
	strbuf_addstr(out, "\n)");
	if (tt.tail.len)
		strbuf_addf(out, "%s%s", tt.tail.buf[0] == '\n' ? "" : " ", tt.tail.buf);
	strbuf_addch(out, ';');
out:
	plan_table_text_release(&tt);
}

static size_t index_of(const struct strvec *v, const char *name)
{
	for (size_t i = 0; i < v->nr; i++)
		if (!strcmp(v->v[i], name))
			return i;
	return (size_t)-1;
}

static size_t column_at(const struct fw_object *t, const char *name)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		if (!strcmp(t->columns[i].name, name))
			return i;
	return (size_t)-1;
}

/* " AFTER `prev`" or " FIRST" */
static void position(const struct fw_object *want, size_t i, struct strbuf *out)
{
	if (!i) {
		strbuf_addstr(out, " FIRST");
		return;
	}
	strbuf_addstr(out, " AFTER ");
	my_ident(want->columns[i - 1].name, out);
}

static void column_hazards(struct planner *p, const char *table, const struct fw_column *a,
			   const struct fw_column *b, struct strbuf *comment)
{
	int rows = plan_has_rows(p, table);
	if (rows == 0)
		return;
	if (strcmp(a->type, b->type)) {
		plan_hazard(p, comment, "FW103", "Table %s: column %s changes type (%s -> %s): MySQL may copy the "
			    "table while it blocks writes", table, b->name, a->type, b->type);
		plan_note(&p->altered_tables, table);
	}
	if (b->not_null && !a->not_null)
		plan_hazard(p, comment, "FW108", "Table %s: column %s becomes NOT NULL: a row holding NULL fails "
			    "the change (strict mode) or is given the type's default", table, b->name);
}

/* columns in the wanted order: a new one after its predecessor, a changed or
 * moved one modified in place */
static void columns(struct planner *p, const struct fw_object *cur, const struct fw_object *want,
		    const struct strvec *ea, const struct strvec *eb)
{
	struct strvec order = STRVEC_INIT;   /* the columns as they stand, dropped ones left out */
	for (size_t i = 0; i < cur->ncolumns; i++)
		if (column_at(want, cur->columns[i].name) != (size_t)-1)
			strvec_push(&order, cur->columns[i].name);
	for (size_t i = 0; i < want->ncolumns; i++) {
		const struct fw_column *b = &want->columns[i];
		size_t a = column_at(cur, b->name), at = index_of(&order, b->name);
		struct strbuf sql = STRBUF_INIT, comment = STRBUF_INIT;
		int moved = at != i, changed = a != (size_t)-1 && strcmp(ea->v[a], eb->v[i]);
		if (a != (size_t)-1 && !moved && !changed)
			continue;
		plan_alter_table(p, want->name, &sql);
		if (a == (size_t)-1) {
			if (b->not_null && !b->default_expr && !b->identity && !b->generated && plan_has_rows(p, want->name))
				plan_hazard(p, &comment, "FW101", "Table %s: column %s is NOT NULL without a DEFAULT: "
					    "existing rows get the type's implicit default", want->name, b->name);
			strbuf_addf(&sql, " ADD COLUMN %s", eb->v[i]);
		} else {
			column_hazards(p, want->name, &cur->columns[a], b, &comment);
			strbuf_addf(&sql, " MODIFY COLUMN %s", eb->v[i]);
		}
		position(want, i, &sql);
		strbuf_addch(&sql, ';');
		plan_add(p, PH_ALTER, comment.buf, sql.buf);
		/* the order now: the column at position i */
		if (at != (size_t)-1) {
			free(order.v[at]);
			memmove(&order.v[at], &order.v[at + 1], (order.nr - at - 1) * sizeof(char *));
			order.nr--;
		}
		strvec_push(&order, b->name);
		if (i < order.nr - 1) {
			char *moving = order.v[order.nr - 1];
			memmove(&order.v[i + 1], &order.v[i], (order.nr - 1 - i) * sizeof(char *));
			order.v[i] = moving;
		}
		strbuf_release(&sql);
		strbuf_release(&comment);
	}
	strvec_clear(&order);
}

static void my_alter_table(struct planner *p, const struct fw_object *cur, const struct fw_object *want)
{
	struct table_text a, b;
	struct strbuf sql = STRBUF_INIT;
	int ok = plan_table_text(p, cur->definition, &a) & plan_table_text(p, want->definition, &b);
	if (!ok || a.el.nr != cur->ncolumns || b.el.nr != want->ncolumns) {
		plan_unsupported(p, "Table %s: its definition is not one the generator reads", want->name);
	} else {
		if (strcmp(a.tail.buf, b.tail.buf) && (strstr(a.tail.buf, "PARTITION") || strstr(b.tail.buf, "PARTITION"))) {
			plan_unsupported(p, "Table %s: its options or partitions change (\"%s\" -> \"%s\"); change "
					 "partitioning by hand", want->name, a.tail.buf, b.tail.buf);
		} else if (strcmp(a.tail.buf, b.tail.buf)) {
			plan_alter_table(p, want->name, &sql);
			strbuf_addf(&sql, " %s;", b.tail.buf);
			plan_add(p, PH_ALTER, NULL, sql.buf);
		}
		columns(p, cur, want, &a.el, &b.el);
		for (size_t i = 0; i < cur->ncolumns; i++)
			if (column_at(want, cur->columns[i].name) == (size_t)-1)
				plan_drop_column(p, want->name, cur->columns[i].name, PH_DROP_COLUMNS);
	}
	plan_table_text_release(&a);
	plan_table_text_release(&b);
	strbuf_release(&sql);
}

const struct fw_ddl_dialect fw_ddl_mysql = {
	.name = "mysql",
	.tok_flags = FW_TOKF_BACKSLASH | FW_TOKF_HASH | FW_TOKF_BACKTICK,
	.ident = my_ident,
	.drop = my_drop,
	.create_table = my_create_table,
	.alter_table = my_alter_table,
};
