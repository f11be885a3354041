/* SQLite statements for the planner (plan-internal.h).
 *
 * SQLite's ALTER TABLE adds a column at the end (with limits), drops a plain
 * column and renames; anything else is the rebuild of
 * https://sqlite.org/lang_altertable.html#otheralter: a new table as wanted,
 * the rows copied, the old table dropped, the new one renamed, its indexes
 * and triggers created again (views over it are dropped before and created
 * after by the planner). When other tables reference the table, the planner
 * runs the whole script with foreign keys off (plan.c). */
#include "schema/plan-internal.h"
#include "schema/sqlite-ddl.h"
#include <string.h>
#include <strings.h>

static void sqlite_ident(const char *name, struct strbuf *out)
{
	fw_sqlite_ident(name, strlen(name), out);
}

static void sqlite_drop(struct planner *p, const struct fw_object *o, struct strbuf *out)
{
	const char *kind = o->type == FW_OBJ_VIEW ? "VIEW" : o->type == FW_OBJ_INDEX ? "INDEX"
			   : o->type == FW_OBJ_TRIGGER ? "TRIGGER" : "TABLE";
	(void)p;
	strbuf_addf(out, "DROP %s ", kind);
	sqlite_ident(o->name, out);
	strbuf_addch(out, ';');
}

/* does the element (a column's text) hold one of the words */
static int has_word(const struct planner *p, const char *element, const char *const *words)
{
	struct fw_toks t;
	int found = 0;
	fw_sql_tokenize(element, strlen(element), p->d->tok_flags, &t);
	for (size_t i = 0; i < t.nr && !found; i++)
		for (int k = 0; words[k] && !found; k++)
			found = fw_tok_word(&t, i, words[k]);
	fw_toks_release(&t);
	return found;
}

/* a default ADD COLUMN takes: not an expression in parentheses, not the clock */
static int constant_default(const char *d)
{
	return d && *d != '(' && strcasecmp(d, "CURRENT_TIME") && strcasecmp(d, "CURRENT_DATE") &&
	       strcasecmp(d, "CURRENT_TIMESTAMP");
}

/* https://sqlite.org/lang_altertable.html#altertabaddcol */
static const char *why_not_addable(const struct planner *p, const struct fw_column *c, const char *element)
{
	static const char *const keys[] = { "PRIMARY", "UNIQUE", NULL };
	static const char *const refs[] = { "REFERENCES", NULL };
	if (has_word(p, element, keys))
		return "add a PRIMARY KEY or UNIQUE column";
	if (c->generated && c->generated_stored)
		return "add a STORED generated column";
	if (c->default_expr && !constant_default(c->default_expr))
		return "add a column whose default is an expression or the clock";
	if (c->not_null && !c->generated && (!c->default_expr || !strcasecmp(c->default_expr, "NULL")))
		return "add a NOT NULL column without a default";
	if (has_word(p, element, refs) && c->default_expr && strcasecmp(c->default_expr, "NULL"))
		return "add a column with REFERENCES and a default";
	return NULL;
}

/* https://sqlite.org/lang_altertable.html#altertabdropcol */
static const char *why_not_droppable(const struct planner *p, const struct fw_object *cur, size_t col,
				     const struct strvec *elements)
{
	static const char *const keys[] = { "PRIMARY", "UNIQUE", "REFERENCES", NULL };
	const char *name = cur->columns[col].name;
	if (has_word(p, elements->v[col], keys))
		return "drop a PRIMARY KEY, UNIQUE or REFERENCES column";
	for (size_t i = 0; i < elements->nr; i++)
		if (i != col && plan_mentions(p, elements->v[i], name))
			return "drop a column another part of the table names";
	for (size_t i = 0; i < p->cur.nobjects; i++) {
		const struct fw_object *o = &p->cur.objects[i];
		if (o->type == FW_OBJ_TRIGGER && plan_mentions(p, o->definition, name))
			return "drop a column a trigger may name";
	}
	return NULL;
}

/* the element i of a table is column i: the parser writes columns first */
static int elements_fit(const struct planner *p, const struct fw_object *t, const struct strvec *el)
{
	if (el->nr < t->ncolumns)
		return 0;
	for (size_t i = 0; i < t->ncolumns; i++) {
		struct fw_toks k;
		int ok;
		fw_sql_tokenize(el->v[i], strlen(el->v[i]), p->d->tok_flags, &k);
		ok = k.nr && fw_tok_names(&k, 0, t->columns[i].name);
		fw_toks_release(&k);
		if (!ok)
			return 0;
	}
	return 1;
}

static int same_list(const struct strvec *a, size_t from_a, const struct strvec *b, size_t from_b)
{
	if (a->nr - from_a != b->nr - from_b)
		return 0;
	for (size_t i = 0; from_a + i < a->nr; i++)
		if (strcmp(a->v[from_a + i], b->v[from_b + i]))
			return 0;
	return 1;
}

static size_t column_index(const struct fw_object *t, const char *name)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		if (!strcmp(t->columns[i].name, name))
			return i;
	return (size_t)-1;
}

/* Can ALTER TABLE do it: columns the tables share unchanged and in order,
 * new ones only at the end and addable, gone ones droppable, the rest of
 * the table the same. Returns NULL, or what ALTER cannot do. */
static const char *why_rebuild(const struct planner *p, const struct fw_object *cur, const struct fw_object *want,
			       const struct table_text *a, const struct table_text *b)
{
	const struct strvec *ea = &a->el, *eb = &b->el;
	size_t last = 0;
	int seen_new = 0;
	const char *why;
	if (strcmp(a->head.buf, b->head.buf) || strcmp(a->tail.buf, b->tail.buf))
		return "change the table's options";
	if (!same_list(ea, cur->ncolumns, eb, want->ncolumns))
		return "change a table constraint";
	for (size_t i = 0; i < want->ncolumns; i++) {
		size_t at = column_index(cur, want->columns[i].name);
		if (at == (size_t)-1) {
			seen_new = 1;
			if ((why = why_not_addable(p, &want->columns[i], eb->v[i])))
				return why;
			continue;
		}
		if (seen_new || at < last)
			return "move a column";
		if (strcmp(ea->v[at], eb->v[i]))
			return "change a column";
		last = at;
	}
	for (size_t i = 0; i < cur->ncolumns; i++)
		if (column_index(want, cur->columns[i].name) == (size_t)-1 &&
		    (why = why_not_droppable(p, cur, i, ea)))
			return why;
	return NULL;
}

static void simple_changes(struct planner *p, const struct fw_object *cur, const struct fw_object *want,
			   const struct strvec *eb)
{
	for (size_t i = 0; i < want->ncolumns; i++) {
		struct strbuf sql = STRBUF_INIT;
		if (column_index(cur, want->columns[i].name) != (size_t)-1)
			continue;
		plan_alter_table(p, want->name, &sql);
		strbuf_addf(&sql, " ADD COLUMN %s;", eb->v[i]);
		plan_add(p, PH_ALTER, NULL, sql.buf);
		strbuf_release(&sql);
	}
	for (size_t i = 0; i < cur->ncolumns; i++)
		if (column_index(want, cur->columns[i].name) == (size_t)-1)
			plan_drop_column(p, want->name, cur->columns[i].name, PH_DROP_COLUMNS);
}

/* what the rebuild does to the rows, as hazards */
static void rebuild_hazards(struct planner *p, const struct fw_object *cur, const struct fw_object *want,
			    struct strbuf *comment)
{
	int rows = plan_has_rows(p, want->name);
	const char *maybe = rows < 0 ? " (if the table holds rows)" : "";
	if (rows == 0)
		return;
	plan_hazard(p, comment, "FW103", "Table %s is rebuilt: every row is copied while the database is locked",
		    want->name);
	for (size_t i = 0; i < cur->ncolumns; i++)
		if (!plan_column(want, cur->columns[i].name))
			plan_hazard(p, comment, "FW106", "Table %s: column %s is dropped%s: its values are lost",
				    want->name, cur->columns[i].name, maybe);
	for (size_t i = 0; i < want->ncolumns; i++) {
		const struct fw_column *b = &want->columns[i], *a = plan_column(cur, b->name);
		if (!a && b->not_null && !b->default_expr && !b->generated)
			plan_hazard(p, comment, "FW101", "Table %s: column %s is NOT NULL without a DEFAULT: "
				    "the copy fails%s", want->name, b->name, maybe);
		else if (a && b->not_null && !a->not_null)
			plan_hazard(p, comment, "FW108", "Table %s: column %s becomes NOT NULL: the copy fails "
				    "if a row holds NULL", want->name, b->name);
	}
}

static void rebuild(struct planner *p, const struct fw_object *cur, const struct fw_object *want, const char *why)
{
	struct strbuf tmp = STRBUF_INIT, sql = STRBUF_INIT, cols = STRBUF_INIT, comment = STRBUF_INIT;
	size_t it = 0;
	const struct fw_object *ix;
	strbuf_addf(&tmp, "%s__fleetway_new", want->name);
	strbuf_addf(&comment, "-- Table %s is rebuilt (SQLite's ALTER TABLE cannot %s): a new table as\n"
		    "-- wanted, the rows copied into it, the old table dropped, the new one renamed", want->name, why);
	rebuild_hazards(p, cur, want, &comment);
	plan_rename_create(p, want->definition, tmp.buf, &sql);
	plan_add(p, PH_ALTER, comment.buf, sql.buf);
	for (size_t i = 0; i < want->ncolumns; i++) {
		const struct fw_column *b = &want->columns[i];
		if (b->generated || !plan_column(cur, b->name))
			continue;
		if (cols.len)
			strbuf_addstr(&cols, ", ");
		sqlite_ident(b->name, &cols);
	}
	if (cols.len) {
		strbuf_reset(&sql);
		strbuf_addstr(&sql, "INSERT INTO ");
		sqlite_ident(tmp.buf, &sql);
		strbuf_addf(&sql, " (%s) SELECT %s FROM ", cols.buf, cols.buf);
		sqlite_ident(want->name, &sql);
		strbuf_addch(&sql, ';');
		plan_add(p, PH_ALTER, NULL, sql.buf);
	}
	strbuf_reset(&sql);
	strbuf_addstr(&sql, "DROP TABLE ");
	sqlite_ident(want->name, &sql);
	strbuf_addch(&sql, ';');
	plan_add(p, PH_ALTER, "-- its rows are in the new table: nothing is lost here (check -code still says FW106)",
		 sql.buf);
	strbuf_reset(&sql);
	plan_alter_table(p, tmp.buf, &sql);
	strbuf_addstr(&sql, " RENAME TO ");
	sqlite_ident(want->name, &sql);
	strbuf_addch(&sql, ';');
	plan_add(p, PH_ALTER, NULL, sql.buf);
	while ((ix = plan_child(p->want, FW_OBJ_INDEX, want->name, &it)))
		plan_add(p, PH_ALTER, NULL, ix->definition);
	it = 0;
	while ((ix = plan_child(p->want, FW_OBJ_TRIGGER, want->name, &it)))
		plan_add(p, PH_TRIGGERS, NULL, ix->definition);
	plan_note(&p->rebuilt, want->name);
	if (plan_is_referenced(p, want->name))
		p->fk_off = 1;
	strbuf_release(&tmp);
	strbuf_release(&sql);
	strbuf_release(&cols);
	strbuf_release(&comment);
}

static void sqlite_alter_table(struct planner *p, const struct fw_object *cur, const struct fw_object *want)
{
	struct table_text a, b;
	const char *why = "read this table";
	int ok = plan_table_text(p, cur->definition, &a) & plan_table_text(p, want->definition, &b);
	if (ok && elements_fit(p, cur, &a.el) && elements_fit(p, want, &b.el))
		why = why_rebuild(p, cur, want, &a, &b);
	if (why && !want->ncolumns)
		plan_unsupported(p, "Table %s: a table the generator cannot read (a virtual table, or CREATE TABLE "
				 "... AS) changes; change it by hand", want->name);
	else if (why)
		rebuild(p, cur, want, why);
	else
		simple_changes(p, cur, want, &b.el);
	plan_table_text_release(&a);
	plan_table_text_release(&b);
}

const struct fw_ddl_dialect fw_ddl_sqlite = {
	.name = "sqlite",
	.rename_keeps_views = 1,
	.tok_flags = FW_TOKF_BRACKET | FW_TOKF_BACKTICK,
	.ident = sqlite_ident,
	.drop = sqlite_drop,
	.alter_table = sqlite_alter_table,
};
