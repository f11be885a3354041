/* PostgreSQL statements for the planner (plan-internal.h).
 *
 * The catalog reader gives every object as the server prints it: tables are
 * their columns only (constraints are objects of their own), a column's line
 * is what ADD COLUMN takes, and the later statements of a definition
 * (COMMENT ON, GRANT, row level security, CLUSTER ON, OWNED BY) each have an
 * inverse. */
#include "schema/plan-internal.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* keywords quote_ident quotes: reserved, and those that cannot name a table
 * or column (PostgreSQL's documentation, appendix C) */
static const char *const reserved[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
	"binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
	"constraint", "create", "cross", "current_catalog", "current_date", "current_role",
	"current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable",
	"desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze",
	"from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
	"into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
	"localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order",
	"outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
	"session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then",
	"to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
	"where", "window", "with", NULL,
};

static void pg_ident(const char *name, struct strbuf *out)
{
	int plain = *name && (islower((unsigned char)*name) || *name == '_');
	for (const char *p = name; *p && plain; p++)
		plain = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '$';
	for (int i = 0; plain && reserved[i]; i++)
		plain = strcmp(name, reserved[i]) != 0;
	if (plain) {
		strbuf_addstr(out, name);
		return;
	}
	strbuf_addch(out, '"');
	strbuf_add_doubled(out, name, '"');
	strbuf_addch(out, '"');
}

/* f(integer, text) -> f and (integer, text) */
static void routine_name(const char *name, struct strbuf *out)
{
	const char *paren = strchr(name, '(');
	struct strbuf base = STRBUF_INIT;
	strbuf_add(&base, name, paren ? (size_t)(paren - name) : strlen(name));
	pg_ident(base.buf, out);
	strbuf_addstr(out, paren ? paren : "()");
	strbuf_release(&base);
}

static void pg_drop(struct planner *p, const struct fw_object *o, struct strbuf *out)
{
	static const char *const kinds[FW_OBJ_NTYPES] = {
		[FW_OBJ_EXTENSION] = "EXTENSION", [FW_OBJ_TYPE] = "TYPE", [FW_OBJ_DOMAIN] = "DOMAIN",
		[FW_OBJ_SEQUENCE] = "SEQUENCE", [FW_OBJ_TABLE] = "TABLE", [FW_OBJ_VIEW] = "VIEW",
		[FW_OBJ_MATERIALIZED_VIEW] = "MATERIALIZED VIEW", [FW_OBJ_INDEX] = "INDEX",
		[FW_OBJ_FUNCTION] = "FUNCTION", [FW_OBJ_PROCEDURE] = "PROCEDURE",
		[FW_OBJ_AGGREGATE] = "AGGREGATE", [FW_OBJ_TRIGGER] = "TRIGGER", [FW_OBJ_POLICY] = "POLICY",
		[FW_OBJ_EVENT] = "EVENT TRIGGER",
	};
	if (o->type == FW_OBJ_CONSTRAINT) {
		plan_alter_table(p, o->parent, out);
		strbuf_addstr(out, " DROP CONSTRAINT ");
		pg_ident(o->name, out);
		strbuf_addch(out, ';');
		return;
	}
	strbuf_addf(out, "DROP %s ", kinds[o->type] ? kinds[o->type] : fw_obj_type_name(o->type));
	if (o->type == FW_OBJ_FUNCTION || o->type == FW_OBJ_PROCEDURE || o->type == FW_OBJ_AGGREGATE)
		routine_name(o->name, out);
	else
		pg_ident(o->name, out);
	if (o->type == FW_OBJ_TRIGGER || o->type == FW_OBJ_POLICY) {
		strbuf_addstr(out, " ON ");
		pg_ident(o->parent, out);
	}
	strbuf_addch(out, ';');
}

/* ---- tables ---- */

static int str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "") && !a == !b;
}

/* the WITH (...) storage parameters of a table's tail, and the tail without them */
static void split_with(const char *tail, struct strvec *params, struct strbuf *rest)
{
	const char *w = strstr(tail, "WITH (");
	const char *close;
	if (!w || !(close = strchr(w, ')'))) {
		strbuf_addstr(rest, tail);
		return;
	}
	strbuf_add(rest, tail, (size_t)(w - tail));
	strbuf_addstr(rest, close + 1);
	{
		struct strbuf list = STRBUF_INIT;
		strbuf_add(&list, w + 6, (size_t)(close - w - 6));
		strvec_split(params, list.buf, ',');
		strbuf_release(&list);
	}
}

static int param_key_in(const char *param, const struct strvec *v)
{
	size_t n = strcspn(param, "=");
	for (size_t i = 0; i < v->nr; i++)
		if (!strncmp(v->v[i], param, n) && v->v[i][n] == '=')
			return 1;
	return 0;
}

/* takes UNLOGGED out of a table's head; 1 when it was there */
static int strip_unlogged(struct strbuf *head)
{
	char *u = strstr(head->buf, "UNLOGGED ");
	if (!u)
		return 0;
	memmove(u, u + 9, strlen(u + 9) + 1);
	head->len -= 9;
	return 1;
}

/* UNLOGGED and storage parameters; anything else outside the columns
 * (partitioning, inheritance, access method, tablespace) is not changed here */
static void table_options(struct planner *p, const struct fw_object *want, const char *head_a,
			  const char *head_b, const char *tail_a, const char *tail_b)
{
	struct strvec pa = STRVEC_INIT, pb = STRVEC_INIT;
	struct strbuf ha = STRBUF_INIT, hb = STRBUF_INIT, ra = STRBUF_INIT, rb = STRBUF_INIT;
	struct strbuf sql = STRBUF_INIT;
	int ua, ub;
	strbuf_addstr(&ha, head_a);
	strbuf_addstr(&hb, head_b);
	ua = strip_unlogged(&ha);
	ub = strip_unlogged(&hb);
	split_with(tail_a, &pa, &ra);
	split_with(tail_b, &pb, &rb);
	if (ua != ub) {
		plan_alter_table(p, want->name, &sql);
		strbuf_addf(&sql, " SET %s;", ub ? "UNLOGGED" : "LOGGED");
		plan_add(p, PH_ALTER, NULL, sql.buf);
		strbuf_reset(&sql);
	}
	if (strcmp(ha.buf, hb.buf) || strcmp(ra.buf, rb.buf))
		plan_unsupported(p, "Table %s: what stands outside its columns changes (\"%s(...)%s\" -> "
				 "\"%s(...)%s\"): partitioning, inheritance, access method and tablespace are "
				 "changed by hand", want->name, ha.buf, ra.buf, hb.buf, rb.buf);
	for (size_t i = 0; i < pb.nr; i++)
		if (!strvec_contains(&pa, pb.v[i])) {
			plan_alter_table(p, want->name, &sql);
			strbuf_addf(&sql, " SET (%s);", pb.v[i]);
			plan_add(p, PH_ALTER, NULL, sql.buf);
			strbuf_reset(&sql);
		}
	for (size_t i = 0; i < pa.nr; i++)
		if (!param_key_in(pa.v[i], &pb)) {
			plan_alter_table(p, want->name, &sql);
			strbuf_addf(&sql, " RESET (%.*s);", (int)strcspn(pa.v[i], "="), pa.v[i]);
			plan_add(p, PH_ALTER, NULL, sql.buf);
			strbuf_reset(&sql);
		}
	strvec_clear(&pa);
	strvec_clear(&pb);
	strbuf_release(&ha);
	strbuf_release(&hb);
	strbuf_release(&ra);
	strbuf_release(&rb);
	strbuf_release(&sql);
}

/* "ALTER TABLE t ALTER COLUMN c " */
static void alter_column(const struct planner *p, const char *table, const char *col, struct strbuf *out)
{
	plan_alter_table(p, table, out);
	strbuf_addstr(out, " ALTER COLUMN ");
	pg_ident(col, out);
	strbuf_addch(out, ' ');
}

static void column_stmt(struct planner *p, enum fw_phase ph, const char *comment, const char *table,
			const char *col, const char *fmt, const char *arg)
{
	struct strbuf sql = STRBUF_INIT;
	alter_column(p, table, col, &sql);
	strbuf_addf(&sql, fmt, arg);
	plan_add(p, ph, comment, sql.buf);
	strbuf_release(&sql);
}

/* the foreign keys over column col of table: dropped and added again around its type change */
static void readd_foreign_keys(struct planner *p, const char *table, const char *col)
{
	for (size_t i = 0; i < p->cur.nobjects; i++) {
		const struct fw_object *o = &p->cur.objects[i];
		int hit = 0;
		if (o->type != FW_OBJ_CONSTRAINT || !o->nconstraints ||
		    o->constraints[0].kind != FW_CON_FOREIGN_KEY)
			continue;
		if (!strcmp(o->parent, table) && strvec_contains(&o->constraints[0].columns, col))
			hit = 1;
		if (o->constraints[0].ref_table && !strcmp(o->constraints[0].ref_table, table) &&
		    strvec_contains(&o->constraints[0].ref_columns, col))
			hit = 1;
		if (hit) {
			struct strbuf key = STRBUF_INIT;
			strbuf_addf(&key, "%s\n%s", o->parent, o->name);
			plan_note(&p->fk_readd, key.buf);
			strbuf_release(&key);
		}
	}
}

static void identity_parts(const char *identity, struct strbuf *mode, struct strbuf *opts)
{
	const char *paren = identity ? strstr(identity, " (") : NULL;
	if (!identity)
		return;
	strbuf_add(mode, identity, paren ? (size_t)(paren - identity) : strlen(identity));
	if (paren)
		strbuf_addstr(opts, paren);
}

static void change_identity(struct planner *p, const char *table, const struct fw_column *a,
			    const struct fw_column *b)
{
	struct strbuf ma = STRBUF_INIT, oa = STRBUF_INIT, mb = STRBUF_INIT, ob = STRBUF_INIT;
	struct strbuf arg = STRBUF_INIT;
	identity_parts(a->identity, &ma, &oa);
	identity_parts(b->identity, &mb, &ob);
	if (!b->identity) {
		column_stmt(p, PH_ALTER, NULL, table, b->name, "%sDROP IDENTITY;", "");
	} else if (!a->identity) {
		strbuf_addf(&arg, "ADD GENERATED %s AS IDENTITY%s;", mb.buf, ob.buf);
		column_stmt(p, PH_ALTER, NULL, table, b->name, "%s", arg.buf);
	} else if (strcmp(oa.buf, ob.buf)) {
		plan_unsupported(p, "Table %s: column %s: identity options change (%s -> %s); "
				 "use ALTER TABLE ... ALTER COLUMN ... SET by hand", table, b->name, a->identity,
				 b->identity);
	} else {
		column_stmt(p, PH_ALTER, NULL, table, b->name, "SET GENERATED %s;", mb.buf);
	}
	strbuf_release(&ma);
	strbuf_release(&oa);
	strbuf_release(&mb);
	strbuf_release(&ob);
	strbuf_release(&arg);
}

static void change_type(struct planner *p, const char *table, const struct fw_column *a,
			const struct fw_column *b)
{
	struct strbuf sql = STRBUF_INIT, comment = STRBUF_INIT;
	int rows = plan_has_rows(p, table);
	if (a->default_expr)
		column_stmt(p, PH_ALTER, NULL, table, b->name, "%sDROP DEFAULT;", "");
	plan_hazard(p, &comment, "FW103", "Table %s: column %s changes type (%s -> %s): the table is %s "
		    "under an ACCESS EXCLUSIVE lock, and views over it are dropped and created again", table,
		    b->name, a->type, b->type, rows == 0 ? "empty, nothing to rewrite" : "rewritten");
	alter_column(p, table, b->name, &sql);
	strbuf_addf(&sql, "TYPE %s", b->type);
	if (b->collation)
		strbuf_addf(&sql, " COLLATE %s", b->collation);
	strbuf_addstr(&sql, " USING ");
	pg_ident(b->name, &sql);
	strbuf_addf(&sql, "::%s;", b->type);
	plan_add(p, PH_ALTER, comment.buf, sql.buf);
	if (b->default_expr)
		column_stmt(p, PH_ALTER, NULL, table, b->name, "SET DEFAULT %s;", b->default_expr);
	plan_note(&p->altered_tables, table);
	readd_foreign_keys(p, table, b->name);
	strbuf_release(&sql);
	strbuf_release(&comment);
}

static void add_column(struct planner *p, const char *table, const struct fw_column *c, const char *line,
		       enum fw_phase ph)
{
	struct strbuf sql = STRBUF_INIT, comment = STRBUF_INIT;
	int rows = plan_has_rows(p, table);
	if (c->not_null && !c->default_expr && !c->identity && !c->generated && rows != 0)
		plan_hazard(p, &comment, "FW101", "Table %s: column %s is NOT NULL without a DEFAULT: "
			    "this fails %s", table, c->name, rows < 0 ? "if the table holds rows" : "(the table holds rows)");
	plan_alter_table(p, table, &sql);
	strbuf_addf(&sql, " ADD COLUMN %s;", line);
	plan_add(p, ph, comment.buf, sql.buf);
	strbuf_release(&sql);
	strbuf_release(&comment);
}

static void change_column(struct planner *p, const char *table, const struct fw_column *a,
			  const struct fw_column *b, const char *line)
{
	int type = strcmp(a->type, b->type) || !str_eq(a->collation, b->collation);
	if (!str_eq(a->generated, b->generated) || a->generated_stored != b->generated_stored) {
		/* no ALTER for it before PostgreSQL 17: the column is made again */
		plan_drop_column(p, table, b->name, PH_ALTER);
		add_column(p, table, b, line, PH_ALTER);
		return;
	}
	if (type)
		change_type(p, table, a, b);
	if (!type && !str_eq(a->default_expr, b->default_expr) && !b->identity)
		column_stmt(p, PH_ALTER, NULL, table, b->name, b->default_expr ? "SET DEFAULT %s;" : "%sDROP DEFAULT;",
			    b->default_expr ? b->default_expr : "");
	if (a->not_null != b->not_null && (b->not_null || !a->identity)) {
		struct strbuf comment = STRBUF_INIT;
		int rows = plan_has_rows(p, table);
		if (b->not_null && rows != 0)
			plan_hazard(p, &comment, "FW108", "Table %s: column %s becomes NOT NULL: a full scan under an "
				    "ACCESS EXCLUSIVE lock, which fails if a row holds NULL", table, b->name);
		column_stmt(p, PH_ALTER, comment.buf, table, b->name, "%s NOT NULL;", b->not_null ? "SET" : "DROP");
		strbuf_release(&comment);
	}
	if (!str_eq(a->identity, b->identity))
		change_identity(p, table, a, b);
}

/* PostgreSQL adds columns at the end: the columns both have must keep their
 * order, and new ones come after them */
static int order_fits(struct planner *p, const struct fw_object *cur, const struct fw_object *want)
{
	size_t last = 0;
	int seen_new = 0;
	for (size_t i = 0; i < want->ncolumns; i++) {
		const struct fw_column *c = &want->columns[i];
		size_t at;
		if (!plan_column(cur, c->name)) {
			seen_new = 1;
			continue;
		}
		for (at = 0; strcmp(cur->columns[at].name, c->name); at++)
			;
		if (seen_new || at < last) {
			plan_unsupported(p, "Table %s: column %s would have to move: PostgreSQL adds columns at the end "
					 "and cannot reorder them; put new columns last in the model", want->name, c->name);
			return 0;
		}
		last = at;
	}
	return 1;
}

static void pg_alter_table(struct planner *p, const struct fw_object *cur, const struct fw_object *want)
{
	struct table_text a, b;
	int ok = plan_table_text(p, cur->definition, &a) & plan_table_text(p, want->definition, &b);
	if (!ok || b.el.nr != want->ncolumns)
		plan_unsupported(p, "Table %s: its definition is not one the generator reads", want->name);
	else
		table_options(p, want, a.head.buf, b.head.buf, a.tail.buf, b.tail.buf);
	if (ok && b.el.nr == want->ncolumns && order_fits(p, cur, want)) {
		for (size_t i = 0; i < want->ncolumns; i++) {
			const struct fw_column *wc = &want->columns[i], *cc = plan_column(cur, wc->name);
			if (!cc)
				add_column(p, want->name, wc, b.el.v[i], PH_ALTER);
			else
				change_column(p, want->name, cc, wc, b.el.v[i]);
		}
		for (size_t i = 0; i < cur->ncolumns; i++)
			if (!plan_column(want, cur->columns[i].name))
				plan_drop_column(p, want->name, cur->columns[i].name, PH_DROP_COLUMNS);
	}
	plan_table_text_release(&a);
	plan_table_text_release(&b);
}

/* ---- later statements and their inverses ---- */

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* "<prefix><rest>" -> "<prefix><replacement>" where rest starts at the last
 * occurrence of what */
static int replace_from(const char *stmt, const char *what, const char *replacement, struct strbuf *out)
{
	const char *at = NULL, *p = stmt;
	while ((p = strstr(p, what))) {
		at = p;
		p++;
	}
	if (!at)
		return 0;
	strbuf_add(out, stmt, (size_t)(at - stmt));
	strbuf_addstr(out, replacement);
	return 1;
}

static int pg_undo(struct planner *p, const char *stmt, struct strbuf *out)
{
	(void)p;
	if (starts(stmt, "COMMENT ON "))
		return replace_from(stmt, " IS '", " IS NULL;", out) || replace_from(stmt, " IS E'", " IS NULL;", out);
	if (starts(stmt, "ALTER TABLE ") && strstr(stmt, " ENABLE ROW LEVEL SECURITY;"))
		return replace_from(stmt, " ENABLE ROW LEVEL SECURITY;", " DISABLE ROW LEVEL SECURITY;", out);
	if (starts(stmt, "ALTER TABLE ") && strstr(stmt, " FORCE ROW LEVEL SECURITY;"))
		return replace_from(stmt, " FORCE ROW LEVEL SECURITY;", " NO FORCE ROW LEVEL SECURITY;", out);
	if (starts(stmt, "ALTER TABLE ") && strstr(stmt, " REPLICA IDENTITY "))
		return replace_from(stmt, " REPLICA IDENTITY ", " REPLICA IDENTITY DEFAULT;", out);
	if (starts(stmt, "ALTER TABLE ") && strstr(stmt, " CLUSTER ON "))
		return replace_from(stmt, " CLUSTER ON ", " SET WITHOUT CLUSTER;", out);
	if (starts(stmt, "ALTER SEQUENCE ") && strstr(stmt, " OWNED BY "))
		return replace_from(stmt, " OWNED BY ", " OWNED BY NONE;", out);
	if (starts(stmt, "ALTER TABLE ") && strstr(stmt, " TRIGGER ")) {
		const char *t = strstr(stmt, " DISABLE TRIGGER ");
		const char *name;
		if (!t)
			t = strstr(stmt, " ENABLE REPLICA TRIGGER ");
		if (!t)
			t = strstr(stmt, " ENABLE ALWAYS TRIGGER ");
		if (!t)
			return 0;
		name = strstr(t, "TRIGGER ") + 8;
		strbuf_add(out, stmt, (size_t)(t - stmt));
		strbuf_addf(out, " ENABLE TRIGGER %s", name);
		return 1;
	}
	if (starts(stmt, "GRANT ")) {
		const char *to = strstr(stmt, " TO ");
		const char *opt;
		if (!to)
			return 0;
		strbuf_addstr(out, "REVOKE ");
		strbuf_add(out, stmt + 6, (size_t)(to - stmt - 6));
		strbuf_addstr(out, " FROM ");
		opt = strstr(to, " WITH GRANT OPTION");
		strbuf_add(out, to + 4, opt ? (size_t)(opt - to - 4) : strlen(to + 4));
		if (out->buf[out->len - 1] != ';')
			strbuf_addch(out, ';');
		return 1;
	}
	return 0;
}

/* the RETURNS line of a function's definition */
static void returns_line(const char *def, struct strbuf *out)
{
	const char *r = strstr(def, "\n RETURNS ");
	if (r)
		strbuf_add(out, r, strcspn(r + 1, "\n") + 1);
}

static int pg_replace(struct planner *p, const struct fw_object *cur, const struct fw_object *want,
		      struct strbuf *out)
{
	struct strbuf ra = STRBUF_INIT, rb = STRBUF_INIT, first = STRBUF_INIT;
	int ok = 0;
	plan_first_statement(p, want->definition, &first);
	if ((want->type == FW_OBJ_FUNCTION || want->type == FW_OBJ_PROCEDURE) &&
	    starts(first.buf, "CREATE OR REPLACE ")) {
		/* the same signature: in place (what uses it stays); another result type cannot */
		returns_line(cur->definition, &ra);
		returns_line(want->definition, &rb);
		if (!strcmp(ra.buf, rb.buf)) {
			strbuf_addbuf(out, &first);
			ok = 1;
		}
	} else if (want->type == FW_OBJ_SEQUENCE && starts(first.buf, "CREATE SEQUENCE ") &&
		   strstr(cur->definition, "CREATE SEQUENCE ") == cur->definition) {
		strbuf_addstr(out, "ALTER SEQUENCE ");
		strbuf_add(out, first.buf + 16, first.len - 17);
		strbuf_addstr(out, strstr(first.buf, " CYCLE") ? ";" : " NO CYCLE;");
		ok = 1;
	} else if (want->type == FW_OBJ_EXTENSION && fw_attrs_get(&want->attrs, "version")) {
		strbuf_addstr(out, "ALTER EXTENSION ");
		pg_ident(want->name, out);
		strbuf_addstr(out, " UPDATE TO '");
		strbuf_add_doubled(out, fw_attrs_get(&want->attrs, "version"), '\'');
		strbuf_addstr(out, "';");
		ok = 1;
	}
	strbuf_release(&ra);
	strbuf_release(&rb);
	strbuf_release(&first);
	return ok;
}

/* a new index on a table that is there already: CONCURRENTLY, so writes go on */
static int pg_create_index(struct planner *p, const struct fw_object *ix, struct strbuf *out)
{
	struct strbuf first = STRBUF_INIT;
	const char *heads[] = { "CREATE UNIQUE INDEX ", "CREATE INDEX ", NULL };
	int done = 0;
	plan_first_statement(p, ix->definition, &first);
	for (int k = 0; heads[k] && !done; k++)
		if (starts(first.buf, heads[k])) {
			strbuf_addstr(out, heads[k]);
			strbuf_addstr(out, "CONCURRENTLY ");
			strbuf_addstr(out, first.buf + strlen(heads[k]));
			done = 1;
		}
	if (!done)
		strbuf_addbuf(out, &first);
	strbuf_release(&first);
	return done;
}

/* the labels of CREATE TYPE x AS ENUM ('a', 'b') */
static int enum_labels(const struct planner *p, const char *def, struct strvec *out)
{
	struct fw_toks t;
	struct strbuf first = STRBUF_INIT;
	int is_enum = strstr(def, " AS ENUM (") != NULL;
	plan_first_statement(p, def, &first);
	fw_sql_tokenize(first.buf, first.len, p->d->tok_flags, &t);
	for (size_t i = 0; is_enum && i < t.nr; i++)
		if (t.v[i].kind == FW_TOK_STRING) {
			struct strbuf v = STRBUF_INIT;
			strbuf_add(&v, first.buf + t.v[i].off, t.v[i].len);
			strvec_push(out, v.buf);   /* as a literal, quotes and all */
			strbuf_release(&v);
		}
	fw_toks_release(&t);
	strbuf_release(&first);
	return is_enum;
}

/* enum labels added keep the others' order: ALTER TYPE ... ADD VALUE */
static int pg_alter_type(struct planner *p, const struct fw_object *cur, const struct fw_object *want)
{
	struct strvec a = STRVEC_INIT, b = STRVEC_INIT;
	size_t j = 0;
	int ok = enum_labels(p, cur->definition, &a) && enum_labels(p, want->definition, &b);
	for (size_t i = 0; ok && i < b.nr; i++)   /* a must be a subsequence of b */
		if (j < a.nr && !strcmp(a.v[j], b.v[i]))
			j++;
	if (ok && j < a.nr) {
		plan_unsupported(p, "Type %s: enum labels are removed or reordered; PostgreSQL only adds them",
				 want->name);
		ok = 1;   /* not dropped and created: that fails where the type is used */
	} else if (ok) {
		for (size_t i = 0; i < b.nr; i++) {
			struct strbuf sql = STRBUF_INIT;
			if (strvec_contains(&a, b.v[i]))
				continue;
			strbuf_addstr(&sql, "ALTER TYPE ");
			pg_ident(want->name, &sql);
			strbuf_addf(&sql, " ADD VALUE %s", b.v[i]);
			if (i + 1 < b.nr)
				strbuf_addf(&sql, " BEFORE %s", b.v[i + 1]);
			strbuf_addch(&sql, ';');
			plan_add(p, PH_TYPES, NULL, sql.buf);
			strvec_push(&a, b.v[i]);
			strbuf_release(&sql);
		}
	}
	strvec_clear(&a);
	strvec_clear(&b);
	return ok;
}

const struct fw_ddl_dialect fw_ddl_pg = {
	.name = "postgresql",
	.rename_keeps_views = 1,
	.tok_flags = FW_TOKF_DOLLAR,
	.ident = pg_ident,
	.drop = pg_drop,
	.alter_table = pg_alter_table,
	.undo_statement = pg_undo,
	.replace = pg_replace,
	.create_index = pg_create_index,
	.alter_type = pg_alter_type,
};
