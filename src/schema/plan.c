/* The DDL planner (plan.h): which objects change, and in which order. */
#include "schema/diff.h"
#include "schema/plan-internal.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

static const struct fw_ddl_dialect *dialect_for(const char *name)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "postgresql"))
		return &fw_ddl_pg;
	if (!strcmp(name, "sqlite"))
		return &fw_ddl_sqlite;
	if (!strcmp(name, "mysql"))
		return &fw_ddl_mysql;
	return NULL;
}

void fw_ddl_ident(const char *dialect, const char *name, struct strbuf *out)
{
	const struct fw_ddl_dialect *d = dialect_for(dialect);
	if (d)
		d->ident(name, out);
	else
		strbuf_addstr(out, name);
}

/* ---- statements of a definition ---- */

/* the next token that is not a comment, from i on */
static size_t next_code(const struct fw_toks *t, size_t i)
{
	while (i < t->nr && t->v[i].kind == FW_TOK_COMMENT)
		i++;
	return i;
}

/* How token i changes the nesting of BEGIN ... END blocks, whose inner ';'
 * do not end the statement: a trigger's body (SQLite, MySQL), a MySQL
 * routine's, and CASE ... END inside them. BEGIN as a transaction
 * (BEGIN; BEGIN TRANSACTION) opens nothing; END IF, END LOOP, END WHILE and
 * END REPEAT close what was not counted. */
static int block_step(const struct fw_toks *t, size_t i)
{
	static const char *const tx[] = { "TRANSACTION", "WORK", "IMMEDIATE", "DEFERRED", "EXCLUSIVE", NULL };
	static const char *const uncounted[] = { "IF", "LOOP", "WHILE", "REPEAT", NULL };
	size_t n = next_code(t, i + 1);
	if (t->v[i].depth)
		return 0;
	if (fw_tok_word(t, i, "CASE"))
		return 1;
	if (fw_tok_word(t, i, "BEGIN")) {
		if (n >= t->nr || fw_tok_is(t, n, ';'))
			return 0;
		for (int k = 0; tx[k]; k++)
			if (fw_tok_word(t, n, tx[k]))
				return 0;
		return 1;
	}
	if (fw_tok_word(t, i, "END")) {
		for (int k = 0; uncounted[k]; k++)
			if (n < t->nr && fw_tok_word(t, n, uncounted[k]))
				return 0;
		return -1;
	}
	return 0;
}

static void split_statements(unsigned tok_flags, const char *def, struct strvec *out)
{
	struct fw_toks t;
	size_t len = strlen(def), start = 0, i;
	int code = 0, blocks = 0;
	fw_sql_tokenize(def, len, tok_flags, &t);
	for (i = 0; i <= t.nr; i++) {
		size_t end;
		if (i < t.nr && t.v[i].kind == FW_TOK_WORD)
			blocks += block_step(&t, i);
		if (blocks < 0)
			blocks = 0;
		if (i < t.nr && !(fw_tok_is(&t, i, ';') && t.v[i].depth == 0 && !blocks)) {
			code |= t.v[i].kind != FW_TOK_COMMENT;
			continue;
		}
		end = i < t.nr ? t.v[i].off : len;
		if (code) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_add(&sb, def + start, end - start);
			strbuf_trim(&sb);
			strbuf_addch(&sb, ';');
			strvec_push_nodup(out, strbuf_detach(&sb, NULL));
		}
		start = i < t.nr ? t.v[i].off + 1 : len;
		code = 0;
	}
	fw_toks_release(&t);
}

void fw_ddl_statements(const char *dialect, const char *definition, struct strvec *out)
{
	split_statements(fw_tok_flags_for(dialect), definition, out);
}

void plan_first_statement(const struct planner *p, const char *def, struct strbuf *out)
{
	struct strvec v = STRVEC_INIT;
	split_statements(p->d->tok_flags, def, &v);
	if (v.nr)
		strbuf_addstr(out, v.v[0]);
	strvec_clear(&v);
}

/* ---- adding steps ---- */

static void part_add(struct fw_ddl_part *part, const char *comment, const char *sql)
{
	struct fw_ddl_stmt *s;
	ALLOC_GROW(part->v, part->nr + 1, part->alloc);
	s = &part->v[part->nr++];
	s->sql = xstrdup(sql);
	s->comment = comment && *comment ? xstrdup(comment) : NULL;
}

void plan_add(struct planner *p, enum fw_phase ph, const char *comment, const char *sql)
{
	part_add(&p->ph[ph], comment, sql);
}

void plan_addf(struct planner *p, enum fw_phase ph, const char *comment, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	plan_add(p, ph, comment, sb.buf);
	strbuf_release(&sb);
}

void plan_hazard(struct planner *p, struct strbuf *comment, const char *code, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strvec_pushf(&p->out->hazards, "%s %s", code, sb.buf);
	if (comment)
		strbuf_addf(comment, "%s-- HAZARD %s: %s", comment->len ? "\n" : "", code, sb.buf);
	strbuf_release(&sb);
}

void plan_unsupported(struct planner *p, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strvec_push(&p->out->unsupported, sb.buf);
	strbuf_release(&sb);
}

/* 1: the table holds rows; 0: it holds none; -1: not known */
int plan_has_rows(const struct planner *p, const char *table)
{
	if (p->o->with_rows && strvec_contains(p->o->with_rows, table))
		return 1;
	return p->o->rows_known ? 0 : -1;
}

void plan_alter_table(const struct planner *p, const char *table, struct strbuf *out)
{
	strbuf_addstr(out, "ALTER TABLE ");
	p->d->ident(table, out);
}

void plan_note(struct strvec *v, const char *name)
{
	if (!strvec_contains(v, name))
		strvec_push(v, name);
}

/* ---- looking at definitions ---- */

int plan_mentions(const struct planner *p, const char *text, const char *name)
{
	struct fw_toks t;
	int found = 0;
	fw_sql_tokenize(text, strlen(text), p->d->tok_flags, &t);
	for (size_t i = 0; i < t.nr && !found; i++)
		found = fw_tok_names(&t, i, name);
	fw_toks_release(&t);
	return found;
}

/* the name token of CREATE ... TABLE/VIEW/INDEX name, or t->nr */
static size_t created_name(const struct fw_toks *t)
{
	for (size_t i = 0; i + 1 < t->nr; i++) {
		if (!(fw_tok_word(t, i, "TABLE") || fw_tok_word(t, i, "VIEW")))
			continue;
		i++;
		if (fw_tok_word(t, i, "IF") && fw_tok_word(t, i + 1, "NOT") && fw_tok_word(t, i + 2, "EXISTS"))
			i += 3;
		while (i + 2 < t->nr && fw_tok_is(t, i + 1, '.'))
			i += 2;
		return i;
	}
	return t->nr;
}

void plan_rename_create(const struct planner *p, const char *def, const char *new_name, struct strbuf *out)
{
	struct fw_toks t;
	size_t n;
	fw_sql_tokenize(def, strlen(def), p->d->tok_flags, &t);
	n = created_name(&t);
	if (n >= t.nr) {
		strbuf_addstr(out, def);
	} else {
		strbuf_add(out, def, t.v[n].off);
		p->d->ident(new_name, out);
		strbuf_addstr(out, def + t.v[n].off + t.v[n].len);
	}
	fw_toks_release(&t);
}

int plan_table_text(const struct planner *p, const char *def, struct table_text *out)
{
	struct fw_toks t;
	size_t open, close, start;
	struct strbuf first = STRBUF_INIT;
	struct strvec *elements = &out->el;
	struct strbuf *head = &out->head, *tail = &out->tail;
	memset(out, 0, sizeof(*out));
	plan_first_statement(p, def, &first);
	fw_sql_tokenize(first.buf, first.len, p->d->tok_flags, &t);
	for (open = 0; open < t.nr && !(fw_tok_is(&t, open, '(') && t.v[open].depth == 0); open++)
		;
	for (close = open + 1; close < t.nr && !(fw_tok_is(&t, close, ')') && t.v[close].depth == 0); close++)
		;
	if (close >= t.nr) {
		fw_toks_release(&t);
		strbuf_release(&first);
		return 0;
	}
	strbuf_add(head, first.buf, t.v[open].off);
	start = open + 1;
	for (size_t i = open + 1; i <= close; i++) {
		struct strbuf el = STRBUF_INIT;
		if (i < close && !(fw_tok_is(&t, i, ',') && t.v[i].depth == 1))
			continue;
		/* comments between elements are not part of them */
		while (start < i && t.v[start].kind == FW_TOK_COMMENT)
			start++;
		if (start < i) {
			size_t last = i - 1;
			while (last > start && t.v[last].kind == FW_TOK_COMMENT)
				last--;
			strbuf_add(&el, first.buf + t.v[start].off, t.v[last].off + t.v[last].len - t.v[start].off);
			strvec_push(elements, el.buf);
		}
		strbuf_release(&el);
		start = i + 1;
	}
	strbuf_addstr(tail, first.buf + t.v[close].off + 1);
	strbuf_trim(tail);
	if (tail->len && tail->buf[tail->len - 1] == ';')
		strbuf_setlen(tail, tail->len - 1);
	strbuf_rtrim(tail);
	fw_toks_release(&t);
	strbuf_release(&first);
	return 1;
}

void plan_table_text_release(struct table_text *t)
{
	strbuf_release(&t->head);
	strvec_clear(&t->el);
	strbuf_release(&t->tail);
}

void plan_drop_column(struct planner *p, const char *table, const char *col, enum fw_phase ph)
{
	struct strbuf sql = STRBUF_INIT, comment = STRBUF_INIT;
	int rows = plan_has_rows(p, table);
	if (rows != 0)
		plan_hazard(p, &comment, "FW106", "Table %s: column %s is dropped%s: its values are lost", table,
			    col, rows < 0 ? " (if the table holds rows)" : "");
	plan_alter_table(p, table, &sql);
	strbuf_addstr(&sql, " DROP COLUMN ");
	p->d->ident(col, &sql);
	strbuf_addch(&sql, ';');
	plan_add(p, ph, comment.buf, sql.buf);
	plan_note(&p->altered_tables, table);
	strbuf_release(&sql);
	strbuf_release(&comment);
}

const struct fw_column *plan_column(const struct fw_object *o, const char *name)
{
	for (size_t i = 0; o && i < o->ncolumns; i++)
		if (!strcmp(o->columns[i].name, name))
			return &o->columns[i];
	return NULL;
}

static const struct fw_object *find_type(const struct fw_schema *s, enum fw_obj_type type, const char *parent,
					 const char *name)
{
	return fw_schema_find(s, type, parent, name);
}

const struct fw_object *plan_child(const struct fw_schema *s, enum fw_obj_type type, const char *table,
				   size_t *iter)
{
	for (; *iter < s->nobjects; (*iter)++) {
		const struct fw_object *o = &s->objects[*iter];
		if (o->type == type && o->parent && !strcmp(o->parent, table)) {
			(*iter)++;
			return o;
		}
	}
	return NULL;
}

static int is_fk(const struct fw_object *o)
{
	return o->type == FW_OBJ_CONSTRAINT && o->nconstraints &&
	       o->constraints[0].kind == FW_CON_FOREIGN_KEY;
}

static int references(const struct fw_object *o, const char *table)
{
	for (size_t i = 0; i < o->nconstraints; i++)
		if (o->constraints[i].kind == FW_CON_FOREIGN_KEY && o->constraints[i].ref_table &&
		    !strcmp(o->constraints[i].ref_table, table))
			return 1;
	return 0;
}

int plan_is_referenced(const struct planner *p, const char *table)
{
	const struct fw_schema *states[] = { &p->cur, p->want };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < states[k]->nobjects; i++) {
			const struct fw_object *o = &states[k]->objects[i];
			if ((o->type == FW_OBJ_TABLE || o->type == FW_OBJ_CONSTRAINT) && references(o, table))
				return 1;
		}
	return 0;
}

static int is_view(const struct fw_object *o)
{
	return o->type == FW_OBJ_VIEW || o->type == FW_OBJ_MATERIALIZED_VIEW;
}

/* ---- scope: the differences asked for ---- */

static int in_scope(const struct planner *p, const struct fw_object *o)
{
	char id[17];
	if (!p->o->only)
		return 1;
	fw_diff_id(o->type, p->o->schema ? p->o->schema : "", o->parent, o->name, id);
	return strvec_contains(p->o->only, id);
}

/* ---- renames: the start state gets the new names ---- */

/* def with every name token `from` written as `to` */
static char *rewrite_name(const struct planner *p, const char *def, const char *from, const char *to)
{
	struct fw_toks t;
	struct strbuf out = STRBUF_INIT;
	size_t at = 0;
	fw_sql_tokenize(def, strlen(def), p->d->tok_flags, &t);
	for (size_t i = 0; i < t.nr; i++) {
		if (!fw_tok_names(&t, i, from))
			continue;
		strbuf_add(&out, def + at, t.v[i].off - at);
		p->d->ident(to, &out);
		at = t.v[i].off + t.v[i].len;
	}
	strbuf_addstr(&out, def + at);
	fw_toks_release(&t);
	return strbuf_detach(&out, NULL);
}

static void rewrite_definition(const struct planner *p, struct fw_object *o, const char *from, const char *to)
{
	char *def = rewrite_name(p, o->definition, from, to);
	free(o->definition);
	o->definition = def;
}

static struct fw_object *cur_table(struct planner *p, const char *name)
{
	return (struct fw_object *)find_type(&p->cur, FW_OBJ_TABLE, NULL, name);
}

static void rename_table(struct planner *p, const struct fw_rename *r)
{
	struct fw_object *t = cur_table(p, r->from);
	const struct fw_object *w = find_type(p->want, FW_OBJ_TABLE, NULL, r->table);
	struct strbuf sql = STRBUF_INIT;
	if (!t || !w || cur_table(p, r->table) || find_type(p->want, FW_OBJ_TABLE, NULL, r->from) ||
	    !in_scope(p, w))
		return;   /* done already, or not asked for */
	plan_alter_table(p, r->from, &sql);
	strbuf_addstr(&sql, " RENAME TO ");
	p->d->ident(r->table, &sql);
	strbuf_addch(&sql, ';');
	plan_addf(p, PH_RENAME, NULL, "%s", sql.buf);
	fw_set_str(&t->name, r->table);
	for (size_t i = 0; i < p->cur.nobjects; i++) {
		struct fw_object *o = &p->cur.objects[i];
		if (o->parent && !strcmp(o->parent, r->from))
			fw_set_str(&o->parent, r->table);
		for (size_t k = 0; k < o->nconstraints; k++)
			if (o->constraints[k].ref_table && !strcmp(o->constraints[k].ref_table, r->from))
				fw_set_str(&o->constraints[k].ref_table, r->table);
		/* a view the server does not rewrite stays as it was: it changes, and
		 * is created again */
		if (!is_view(o) || p->d->rename_keeps_views)
			rewrite_definition(p, o, r->from, r->table);
	}
	strbuf_release(&sql);
}

static void rename_column(struct planner *p, const struct fw_rename *r)
{
	struct fw_object *t = cur_table(p, r->table);
	const struct fw_object *w = find_type(p->want, FW_OBJ_TABLE, NULL, r->table);
	struct strbuf sql = STRBUF_INIT;
	struct fw_column *c = NULL;
	for (size_t i = 0; t && i < t->ncolumns; i++)
		if (!strcmp(t->columns[i].name, r->from))
			c = &t->columns[i];
	if (!c || !w || plan_column(t, r->column) || !plan_column(w, r->column) || plan_column(w, r->from) ||
	    !in_scope(p, w))
		return;
	plan_alter_table(p, r->table, &sql);
	strbuf_addstr(&sql, " RENAME COLUMN ");
	p->d->ident(r->from, &sql);
	strbuf_addstr(&sql, " TO ");
	p->d->ident(r->column, &sql);
	strbuf_addch(&sql, ';');
	plan_addf(p, PH_RENAME, NULL, "%s", sql.buf);
	fw_set_str(&c->name, r->column);
	for (size_t i = 0; i < p->cur.nobjects; i++) {
		struct fw_object *o = &p->cur.objects[i];
		if (o != t && !(o->parent && !strcmp(o->parent, r->table)))
			continue;
		for (size_t k = 0; k < o->nconstraints; k++)
			for (size_t j = 0; j < o->constraints[k].columns.nr; j++)
				if (!strcmp(o->constraints[k].columns.v[j], r->from))
					fw_set_str(&o->constraints[k].columns.v[j], r->column);
		rewrite_definition(p, o, r->from, r->column);
	}
	strbuf_release(&sql);
}

static void apply_renames(struct planner *p)
{
	const struct fw_renames *r = p->o->renames;
	for (size_t i = 0; r && i < r->nr; i++)
		if (!r->v[i].column)
			rename_table(p, &r->v[i]);
	for (size_t i = 0; r && i < r->nr; i++)
		if (r->v[i].column)
			rename_column(p, &r->v[i]);
	fw_schema_finish(&p->cur);
}

/* ---- objects with several statements: the first is the object, the rest
 * (comments, ownership, grants, flags) follow once everything exists ---- */

static void later_statements(const struct planner *p, const char *def, struct strvec *out)
{
	struct strvec all = STRVEC_INIT;
	split_statements(p->d->tok_flags, def, &all);
	for (size_t i = 1; i < all.nr; i++)
		strvec_push(out, all.v[i]);
	strvec_clear(&all);
}

static void create_later(struct planner *p, enum fw_phase ph, const char *def)
{
	struct strvec later = STRVEC_INIT;
	later_statements(p, def, &later);
	for (size_t i = 0; i < later.nr; i++)
		plan_add(p, ph, NULL, later.v[i]);
	strvec_clear(&later);
}

static void create_object(struct planner *p, enum fw_phase ph, const struct fw_object *o)
{
	struct strbuf first = STRBUF_INIT;
	plan_first_statement(p, o->definition, &first);
	if (first.len)
		plan_add(p, ph, NULL, first.buf);
	create_later(p, PH_FINISH, o->definition);
	strbuf_release(&first);
}

static int same_first(const struct planner *p, const struct fw_object *a, const struct fw_object *b)
{
	struct strbuf fa = STRBUF_INIT, fb = STRBUF_INIT;
	int same;
	plan_first_statement(p, a->definition, &fa);
	plan_first_statement(p, b->definition, &fb);
	same = !strcmp(fa.buf, fb.buf);
	strbuf_release(&fa);
	strbuf_release(&fb);
	return same;
}

/* the later statements of cur that want has not are undone, want's new ones run */
static void later_changes(struct planner *p, const struct fw_object *cur, const struct fw_object *want)
{
	struct strvec a = STRVEC_INIT, b = STRVEC_INIT;
	later_statements(p, cur->definition, &a);
	later_statements(p, want->definition, &b);
	for (size_t i = 0; i < a.nr; i++) {
		struct strbuf undo = STRBUF_INIT;
		if (strvec_contains(&b, a.v[i]))
			continue;
		if (p->d->undo_statement && p->d->undo_statement(p, a.v[i], &undo))
			plan_add(p, PH_FINISH, NULL, undo.buf);
		else
			plan_unsupported(p, "%s %s: cannot undo \"%s\"", fw_obj_type_name(cur->type), cur->name, a.v[i]);
		strbuf_release(&undo);
	}
	for (size_t i = 0; i < b.nr; i++)
		if (!strvec_contains(&a, b.v[i]))
			plan_add(p, PH_FINISH, NULL, b.v[i]);
	strvec_clear(&a);
	strvec_clear(&b);
}

static void drop_object(struct planner *p, enum fw_phase ph, const struct fw_object *o, const char *comment)
{
	struct strbuf sql = STRBUF_INIT;
	p->d->drop(p, o, &sql);
	plan_add(p, ph, comment, sql.buf);
	strbuf_release(&sql);
}

/* ---- tables ---- */

static void create_table(struct planner *p, const struct fw_object *t)
{
	struct strbuf sql = STRBUF_INIT;
	if (p->d->create_table)
		p->d->create_table(p, p->want, t, &sql);
	else
		plan_first_statement(p, t->definition, &sql);
	plan_add(p, PH_TABLES, NULL, sql.buf);
	create_later(p, PH_FINISH, t->definition);
	plan_note(&p->new_tables, t->name);
	strbuf_release(&sql);
}

static void drop_table(struct planner *p, const struct fw_object *t)
{
	struct strbuf comment = STRBUF_INIT;
	int rows = plan_has_rows(p, t->name);
	if (rows != 0)
		plan_hazard(p, &comment, "FW106", "Table %s is dropped%s: its rows are lost", t->name,
			    rows < 0 ? " (if it holds rows)" : " while it holds rows");
	drop_object(p, PH_DROP_TABLES, t, comment.buf);
	plan_note(&p->dropped_tables, t->name);
	strbuf_release(&comment);
}

static void plan_tables(struct planner *p)
{
	for (size_t i = 0; i < p->want->nobjects; i++) {
		const struct fw_object *w = &p->want->objects[i], *c;
		if (w->type != FW_OBJ_TABLE || !in_scope(p, w))
			continue;
		c = find_type(&p->cur, FW_OBJ_TABLE, NULL, w->name);
		if (!c) {
			create_table(p, w);
		} else if (strcmp(c->definition, w->definition)) {
			p->d->alter_table(p, c, w);
			if (!strvec_contains(&p->rebuilt, w->name))
				later_changes(p, c, w);
		}
	}
	for (size_t i = 0; i < p->cur.nobjects; i++) {
		const struct fw_object *c = &p->cur.objects[i];
		if (c->type == FW_OBJ_TABLE && in_scope(p, c) && !find_type(p->want, FW_OBJ_TABLE, NULL, c->name))
			drop_table(p, c);
	}
}

/* ---- views: dropped before what they stand on changes, created after, in
 * the order of their dependencies ---- */

struct view_set {
	const struct fw_object **v;
	size_t nr, alloc;
};

static int view_set_has(const struct view_set *s, const char *name)
{
	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->v[i]->name, name))
			return 1;
	return 0;
}

static void view_set_add(struct view_set *s, const struct fw_object *o)
{
	if (view_set_has(s, o->name))
		return;
	ALLOC_GROW(s->v, s->nr + 1, s->alloc);
	s->v[s->nr++] = o;
}

static int stands_on_changed_table(struct planner *p, const struct fw_object *v)
{
	const struct strvec *sets[] = { &p->altered_tables, &p->rebuilt };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sets[k]->nr; i++)
			if (plan_mentions(p, v->definition, sets[k]->v[i]))
				return 1;
	return 0;
}

static int mentions_any(struct planner *p, const struct fw_object *o, const struct view_set *s)
{
	for (size_t i = 0; i < s->nr; i++)
		if (strcmp(s->v[i]->name, o->name) && plan_mentions(p, o->definition, s->v[i]->name))
			return 1;
	return 0;
}

/* the views of s in dependency order (a view after those it mentions);
 * reversed for dropping */
static void view_order(struct planner *p, const struct view_set *s, int reverse, struct view_set *out)
{
	char *done = xcalloc(s->nr ? s->nr : 1, 1);
	size_t left = s->nr;
	while (left) {
		size_t before = left;
		for (size_t i = 0; i < s->nr; i++) {
			int ready = 1;
			if (done[i])
				continue;
			for (size_t j = 0; j < s->nr && ready; j++)
				if (j != i && !done[j] &&
				    plan_mentions(p, reverse ? s->v[j]->definition : s->v[i]->definition,
						  reverse ? s->v[i]->name : s->v[j]->name))
					ready = 0;
			if (ready) {
				done[i] = 1;
				left--;
				view_set_add(out, s->v[i]);
			}
		}
		if (left == before)   /* a cycle: keep the model's order */
			for (size_t i = 0; i < s->nr; i++)
				if (!done[i]) {
					done[i] = 1;
					left--;
					view_set_add(out, s->v[i]);
				}
	}
	free(done);
}

static void plan_views(struct planner *p)
{
	struct view_set drop = { 0 }, create = { 0 }, order = { 0 };
	int grew = 1;
	for (size_t i = 0; i < p->cur.nobjects; i++) {
		const struct fw_object *c = &p->cur.objects[i], *w;
		if (!is_view(c))
			continue;
		w = find_type(p->want, c->type, NULL, c->name);
		if (!w && in_scope(p, c)) {
			view_set_add(&drop, c);
		} else if (w && in_scope(p, w) && strcmp(c->definition, w->definition)) {
			view_set_add(&drop, c);
			view_set_add(&create, w);
		} else if (w && stands_on_changed_table(p, c)) {
			view_set_add(&drop, c);
			view_set_add(&create, in_scope(p, w) ? w : c);
		}
	}
	while (grew) {   /* and the views on those */
		grew = 0;
		for (size_t i = 0; i < p->cur.nobjects; i++) {
			const struct fw_object *c = &p->cur.objects[i], *w;
			if (!is_view(c) || view_set_has(&drop, c->name) || !mentions_any(p, c, &drop))
				continue;
			w = find_type(p->want, c->type, NULL, c->name);
			view_set_add(&drop, c);
			if (w)
				view_set_add(&create, in_scope(p, w) ? w : c);
			grew = 1;
		}
	}
	for (size_t i = 0; i < p->want->nobjects; i++) {
		const struct fw_object *w = &p->want->objects[i];
		if (is_view(w) && in_scope(p, w) && !find_type(&p->cur, w->type, NULL, w->name))
			view_set_add(&create, w);
	}
	view_order(p, &drop, 1, &order);
	for (size_t i = 0; i < order.nr; i++)
		drop_object(p, PH_DROP_VIEWS, order.v[i], NULL);
	order.nr = 0;
	view_order(p, &create, 0, &order);
	for (size_t i = 0; i < order.nr; i++)
		create_object(p, PH_VIEWS, order.v[i]);
	free(drop.v);
	free(create.v);
	free(order.v);
}

/* ---- what hangs on tables: constraints, indexes, triggers, policies ---- */

static enum fw_phase create_phase(const struct fw_object *o)
{
	switch (o->type) {
	case FW_OBJ_INDEX: return PH_INDEXES;
	case FW_OBJ_CONSTRAINT: return is_fk(o) ? PH_FKS : PH_CONS;
	default: return PH_TRIGGERS;
	}
}

static enum fw_phase drop_phase(const struct fw_object *o)
{
	switch (o->type) {
	case FW_OBJ_INDEX: return PH_DROP_INDEXES;
	case FW_OBJ_CONSTRAINT: return is_fk(o) ? PH_DROP_FKS : PH_DROP_CONS;
	default: return PH_DROP_TRIGGERS;
	}
}

static int is_child(const struct fw_object *o)
{
	return o->type == FW_OBJ_INDEX || o->type == FW_OBJ_CONSTRAINT || o->type == FW_OBJ_TRIGGER ||
	       o->type == FW_OBJ_POLICY;
}

static void create_child(struct planner *p, const struct fw_object *o)
{
	struct strbuf sql = STRBUF_INIT;
	if (o->type == FW_OBJ_INDEX && p->d->create_index && !p->o->in_transaction &&
	    !strvec_contains(&p->new_tables, o->parent)) {
		int notx = p->d->create_index(p, o, &sql);
		plan_add(p, notx ? PH_NOTX : PH_INDEXES, NULL, sql.buf);
		create_later(p, notx ? PH_NOTX : PH_FINISH, o->definition);
		if (notx)
			strvec_push(&p->out->notx_indexes, o->name);
	} else {
		create_object(p, create_phase(o), o);
	}
	strbuf_release(&sql);
}

static int key_is_readded(const struct planner *p, const struct fw_object *o)
{
	struct strbuf key = STRBUF_INIT;
	int yes;
	strbuf_addf(&key, "%s\n%s", o->parent, o->name);
	yes = strvec_contains(&p->fk_readd, key.buf);
	strbuf_release(&key);
	return yes;
}

/* a SQLite trigger elsewhere that names a rebuilt table goes and comes back
 * (the rebuild's rename checks every trigger) */
static int names_rebuilt_table(struct planner *p, const struct fw_object *o)
{
	if (o->type != FW_OBJ_TRIGGER)
		return 0;
	for (size_t i = 0; i < p->rebuilt.nr; i++)
		if (plan_mentions(p, o->definition, p->rebuilt.v[i]))
			return 1;
	return 0;
}

/* the primary key a MySQL table was created with is no object of its own */
static int inline_with_table(const struct fw_ddl_dialect *d, const struct fw_object *o)
{
	return d == &fw_ddl_mysql && o->type == FW_OBJ_INDEX && !strcmp(o->name, "PRIMARY");
}

static int created_inline(const struct planner *p, const struct fw_object *o)
{
	return inline_with_table(p->d, o) && strvec_contains(&p->new_tables, o->parent);
}

int fw_ddl_created_with_table(const char *dialect, const struct fw_object *o)
{
	const struct fw_ddl_dialect *d = dialect_for(dialect);
	return d && inline_with_table(d, o);
}

static void plan_child_changes(struct planner *p)
{
	for (size_t i = 0; i < p->cur.nobjects; i++) {
		const struct fw_object *c = &p->cur.objects[i], *w;
		int scope, forced;
		if (!is_child(c))
			continue;
		if (strvec_contains(&p->dropped_tables, c->parent)) {
			if (is_fk(c))   /* explicitly: a cycle of tables dropped together */
				drop_object(p, PH_DROP_FKS, c, NULL);
			continue;
		}
		if (strvec_contains(&p->rebuilt, c->parent))
			continue;   /* it went with the table; the rebuild creates what is wanted */
		w = find_type(p->want, c->type, c->parent, c->name);
		scope = in_scope(p, c);
		forced = (is_fk(c) && key_is_readded(p, c)) || names_rebuilt_table(p, c);
		if (!w) {
			if (scope)
				drop_object(p, drop_phase(c), c, NULL);
		} else if (scope && strcmp(c->definition, w->definition) && same_first(p, c, w) && !forced) {
			later_changes(p, c, w);
		} else if ((scope && strcmp(c->definition, w->definition)) || forced) {
			drop_object(p, drop_phase(c), c, NULL);
			create_child(p, scope ? w : c);
		}
	}
	for (size_t i = 0; i < p->want->nobjects; i++) {
		const struct fw_object *w = &p->want->objects[i];
		if (!is_child(w) || !in_scope(p, w) || strvec_contains(&p->rebuilt, w->parent) ||
		    find_type(&p->cur, w->type, w->parent, w->name) || created_inline(p, w))
			continue;
		create_child(p, w);
	}
}

/* ---- everything else: extensions, types, domains, sequences, routines ---- */

static enum fw_phase other_phase(enum fw_obj_type t)
{
	switch (t) {
	case FW_OBJ_FUNCTION:
	case FW_OBJ_PROCEDURE:
	case FW_OBJ_AGGREGATE:
		return PH_FUNCS;
	case FW_OBJ_EVENT:
		return PH_TRIGGERS;
	default:
		return PH_TYPES;
	}
}

static int is_other(const struct fw_object *o)
{
	return !is_child(o) && !is_view(o) && o->type != FW_OBJ_TABLE;
}

/* a serial's sequence goes with its table (OWNED BY) */
static int goes_with_table(const struct planner *p, const struct fw_object *o)
{
	const char *owner = fw_attrs_get(&o->attrs, "owned_by");
	const char *dot;
	struct strbuf table = STRBUF_INIT;
	int yes;
	if (o->type != FW_OBJ_SEQUENCE || !owner || !(dot = strrchr(owner, '.')))
		return 0;
	strbuf_add(&table, owner, (size_t)(dot - owner));
	yes = strvec_contains(&p->dropped_tables, table.buf);
	if (!yes) {   /* the owner is written as the server quotes it */
		for (size_t i = 0; i < p->dropped_tables.nr && !yes; i++) {
			struct strbuf q = STRBUF_INIT;
			p->d->ident(p->dropped_tables.v[i], &q);
			yes = !strcmp(q.buf, table.buf);
			strbuf_release(&q);
		}
	}
	strbuf_release(&table);
	return yes;
}

static void change_other(struct planner *p, const struct fw_object *c, const struct fw_object *w)
{
	struct strbuf sql = STRBUF_INIT;
	if (same_first(p, c, w)) {
		later_changes(p, c, w);
	} else if (c->type == FW_OBJ_TYPE && p->d->alter_type && p->d->alter_type(p, c, w)) {
		later_changes(p, c, w);
	} else if (p->d->replace && p->d->replace(p, c, w, &sql)) {
		plan_add(p, other_phase(w->type), NULL, sql.buf);
		later_changes(p, c, w);
	} else {
		drop_object(p, other_phase(w->type), c, NULL);
		create_object(p, other_phase(w->type), w);
	}
	strbuf_release(&sql);
}

static void plan_others(struct planner *p)
{
	for (size_t i = 0; i < p->want->nobjects; i++) {
		const struct fw_object *w = &p->want->objects[i], *c;
		if (!is_other(w) || !in_scope(p, w))
			continue;
		c = find_type(&p->cur, w->type, w->parent, w->name);
		if (!c)
			create_object(p, other_phase(w->type), w);
		else if (strcmp(c->definition, w->definition))
			change_other(p, c, w);
	}
	/* drops in the reverse order of types: routines before the types they use */
	for (size_t i = p->cur.nobjects; i-- > 0;) {
		const struct fw_object *c = &p->cur.objects[i];
		if (is_other(c) && in_scope(p, c) && !find_type(p->want, c->type, c->parent, c->name) &&
		    !goes_with_table(p, c))
			drop_object(p, PH_DROP_OTHER, c, NULL);
	}
}

/* ---- the script ---- */

static void move_part(struct fw_ddl_part *to, struct fw_ddl_part *from)
{
	for (size_t i = 0; i < from->nr; i++) {
		ALLOC_GROW(to->v, to->nr + 1, to->alloc);
		to->v[to->nr++] = from->v[i];
	}
	free(from->v);
	memset(from, 0, sizeof(*from));
}

/* SQLite with foreign keys off: the script brings its own transaction, and
 * checks every foreign key before it commits */
static void foreign_keys_off(struct planner *p, struct fw_ddl_part *main)
{
	struct fw_ddl_part wrapped = { 0 };
	part_add(&wrapped, "-- A table other tables reference is rebuilt: SQLite's documented procedure\n"
		 "-- switches foreign keys off, which only works outside a transaction. This\n"
		 "-- migration therefore runs with executeInTransaction=false and brings its own.",
		 "PRAGMA foreign_keys = OFF;");
	part_add(&wrapped, NULL, "BEGIN;");
	move_part(&wrapped, main);
	part_add(&wrapped, "-- every foreign key still holds: a row here fails the CHECK and the migration",
		 "CREATE TEMP TABLE fleetway_fk_check (violations INTEGER CHECK (violations = 0));");
	part_add(&wrapped, NULL, "INSERT INTO fleetway_fk_check SELECT count(*) FROM pragma_foreign_key_check;");
	part_add(&wrapped, NULL, "DROP TABLE fleetway_fk_check;");
	part_add(&wrapped, NULL, "COMMIT;");
	part_add(&wrapped, "-- fleetway and sqlite-jdbc connections start with foreign keys off unless the URL\n"
		 "-- says foreign_keys=true: they are on from here for the rest of this connection",
		 "PRAGMA foreign_keys = ON;");
	*main = wrapped;
	p->out->main_outside_tx = 1;
}

static void assemble(struct planner *p)
{
	if (p->d == &fw_ddl_pg && p->ph[PH_FUNCS].nr) {
		struct fw_ddl_part funcs = p->ph[PH_FUNCS];
		memset(&p->ph[PH_FUNCS], 0, sizeof(funcs));
		plan_add(p, PH_FUNCS, "-- routines may name tables created further down (as pg_dump does)",
			 "SET LOCAL check_function_bodies = off;");
		move_part(&p->ph[PH_FUNCS], &funcs);
	}
	for (int ph = 0; ph < PH_N; ph++)
		if (ph != PH_NOTX)
			move_part(&p->out->main, &p->ph[ph]);
	move_part(&p->out->notx, &p->ph[PH_NOTX]);
	if (p->fk_off && p->out->main.nr)
		foreign_keys_off(p, &p->out->main);
}

static void copy_schema(const struct fw_schema *from, struct fw_schema *to)
{
	fw_schema_init(to, from->name);
	for (size_t i = 0; i < from->nobjects; i++)
		fw_schema_add_copy(to, &from->objects[i]);
	fw_schema_finish(to);
}

int fw_plan_schema(const struct fw_schema *from, const struct fw_schema *to, const struct fw_ddl_opts *o,
		   struct fw_ddl_script *out)
{
	struct planner p;
	static const struct fw_schema none = { 0 };
	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	if (!(p.d = dialect_for(o->dialect)))
		return -1;
	p.o = o;
	p.want = to ? to : &none;
	p.out = out;
	copy_schema(from ? from : &none, &p.cur);
	apply_renames(&p);
	plan_tables(&p);
	plan_views(&p);
	plan_child_changes(&p);
	plan_others(&p);
	assemble(&p);
	fw_schema_release(&p.cur);
	strvec_clear(&p.new_tables);
	strvec_clear(&p.dropped_tables);
	strvec_clear(&p.altered_tables);
	strvec_clear(&p.rebuilt);
	strvec_clear(&p.fk_readd);
	return 0;
}

int fw_ddl_script_empty(const struct fw_ddl_script *s)
{
	return !s->main.nr && !s->notx.nr;
}

static void part_release(struct fw_ddl_part *part)
{
	for (size_t i = 0; i < part->nr; i++) {
		free(part->v[i].sql);
		free(part->v[i].comment);
	}
	free(part->v);
	memset(part, 0, sizeof(*part));
}

void fw_ddl_script_release(struct fw_ddl_script *s)
{
	part_release(&s->main);
	part_release(&s->notx);
	strvec_clear(&s->notx_indexes);
	strvec_clear(&s->hazards);
	strvec_clear(&s->unsupported);
}

/* ---- schema-model files ---- */

void fw_ddl_model_text(const char *dialect, const struct fw_schema *s, const struct fw_object *o,
		       struct strbuf *out)
{
	static const enum fw_obj_type children[] = { FW_OBJ_INDEX, FW_OBJ_CONSTRAINT, FW_OBJ_TRIGGER,
						     FW_OBJ_POLICY };
	const struct fw_ddl_dialect *d = dialect_for(dialect);
	struct planner p;
	memset(&p, 0, sizeof(p));
	p.d = d;
	if (!d || o->type != FW_OBJ_TABLE || !d->create_table) {
		strbuf_addstr(out, o->definition);
	} else {
		struct strvec later = STRVEC_INIT;
		d->create_table(&p, s, o, out);
		later_statements(&p, o->definition, &later);
		for (size_t i = 0; i < later.nr; i++)
			strbuf_addf(out, "\n%s", later.v[i]);
		strvec_clear(&later);
		plan_note(&p.new_tables, o->name);
	}
	strbuf_addch(out, '\n');
	if (o->type != FW_OBJ_TABLE)
		return;
	for (size_t k = 0; k < sizeof(children) / sizeof(children[0]); k++) {
		size_t it = 0;
		const struct fw_object *c;
		while ((c = plan_child(s, children[k], o->name, &it)))
			if (!(d && created_inline(&p, c)))
				strbuf_addf(out, "\n%s\n", c->definition);
	}
	strvec_clear(&p.new_tables);
}
