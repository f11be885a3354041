/* The DDL planner without a database (schema/plan.h): the order of the
 * statements it writes (types before tables, tables before their indexes and
 * foreign keys, foreign-key cycles, views dropped before a column under them
 * changes and created after, drops last), SQLite's rebuild, renames only
 * where declared, hazards, what it refuses; and the rename annotations it
 * reads (schema/renames.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "schema/diff.h"
#include "schema/plan.h"
#include "schema/renames.h"
#include "schema/sqlite-ddl.h"
#include "schema/sqltok.h"

/* ---- building schemas ---- */

/* a SQLite schema from CREATE statements, as the catalog reader builds it */
static void sqlite_schema(struct fw_schema *s, const char *const *stmts)
{
	fw_schema_init(s, "main");
	for (size_t i = 0; stmts[i]; i++) {
		const char *sql = stmts[i];
		enum fw_obj_type type = strstr(sql, "CREATE VIEW") ? FW_OBJ_VIEW
				      : strstr(sql, "INDEX") ? FW_OBJ_INDEX
				      : strstr(sql, "TRIGGER") ? FW_OBJ_TRIGGER : FW_OBJ_TABLE;
		char name[64] = "", parent[64] = "";
		const char *p = strstr(sql, type == FW_OBJ_VIEW ? "VIEW " : type == FW_OBJ_INDEX ? "INDEX "
					    : type == FW_OBJ_TRIGGER ? "TRIGGER " : "TABLE ");
		struct fw_object *o;
		sscanf(strchr(p, ' ') + 1, "%63[a-z_0-9]", name);
		if (type == FW_OBJ_INDEX || type == FW_OBJ_TRIGGER)
			sscanf(strstr(sql, " ON ") + 4, "%63[a-z_0-9]", parent);
		o = fw_schema_add(s, type, name, *parent ? parent : NULL);
		fw_sqlite_ddl_parse(sql, strlen(sql), o);
	}
	fw_schema_finish(s);
}

/* a PostgreSQL table of integer columns ("id!" is NOT NULL) */
static struct fw_object *pg_table(struct fw_schema *s, const char *name, const char *const *cols)
{
	struct fw_object *o = fw_schema_add(s, FW_OBJ_TABLE, name, NULL);
	char def[1024];
	size_t n = (size_t)snprintf(def, sizeof(def), "CREATE TABLE %s (", name);
	for (size_t i = 0; cols[i]; i++) {
		char col[64];
		int nn = cols[i][strlen(cols[i]) - 1] == '!';
		const char *type = strchr(cols[i], ':') ? strchr(cols[i], ':') + 1 : "integer";
		struct fw_column *c;
		snprintf(col, sizeof(col), "%.*s", (int)strcspn(cols[i], ":!"), cols[i]);
		c = fw_object_add_column(o, col, "");
		free(c->type);
		c->type = strndup(type, strcspn(type, "!"));
		c->not_null = nn;
		n += (size_t)snprintf(def + n, sizeof(def) - n, "%s\n    %s %s%s", i ? "," : "", col, c->type,
				      nn ? " NOT NULL" : "");
	}
	snprintf(def + n, sizeof(def) - n, "\n);");
	fw_object_set_definition(o, def);
	return o;
}

static void pg_constraint(struct fw_schema *s, const char *table, const char *name, enum fw_con_kind kind,
			  const char *clause, const char *column, const char *ref)
{
	struct fw_object *o = fw_schema_add(s, FW_OBJ_CONSTRAINT, name, table);
	struct fw_constraint *c = fw_object_add_constraint(o, kind, name);
	char def[256];
	strvec_push(&c->columns, column);
	if (ref) {
		c->ref_table = strdup(ref);
		strvec_push(&c->ref_columns, "id");
	}
	c->definition = strdup(clause);
	snprintf(def, sizeof(def), "ALTER TABLE %s ADD CONSTRAINT %s %s;", table, name, clause);
	fw_object_set_definition(o, def);
}

static void pg_object(struct fw_schema *s, enum fw_obj_type type, const char *name, const char *parent,
		      const char *def)
{
	fw_object_set_definition(fw_schema_add(s, type, name, parent), def);
}

/* ---- looking at a script ---- */

struct plan_run {
	struct fw_ddl_script s;
	char *text;      /* main, then "-- notx" and notx, one statement a line */
};

static void plan_ok(const char *dialect, const struct fw_schema *from, const struct fw_schema *to,
		    const struct fw_renames *renames, const struct strvec *rows, struct plan_run *out)
{
	struct fw_ddl_opts o;
	struct strbuf sb = STRBUF_INIT;
	memset(&o, 0, sizeof(o));
	o.dialect = dialect;
	o.schema = to->name;
	o.renames = renames;
	o.with_rows = rows;
	o.rows_known = rows != NULL;
	assert_int_equal(fw_plan_schema(from, to, &o, &out->s), 0);
	for (size_t i = 0; i < out->s.main.nr; i++)
		strbuf_addf(&sb, "%s\n", out->s.main.v[i].sql);
	strbuf_addstr(&sb, "-- notx\n");
	for (size_t i = 0; i < out->s.notx.nr; i++)
		strbuf_addf(&sb, "%s\n", out->s.notx.v[i].sql);
	out->text = strbuf_detach(&sb, NULL);
}

static void plan_done(struct plan_run *r)
{
	fw_ddl_script_release(&r->s);
	free(r->text);
}

/* where a statement starting with `start` is in the script; fails when absent */
static size_t at(const struct plan_run *r, const char *start)
{
	const char *p = r->text;
	size_t line = 0;
	while (p && *p) {
		if (!strncmp(p, start, strlen(start)))
			return line;
		p = strchr(p, '\n');
		if (p)
			p++;
		line++;
	}
	fail_msg("no statement starting \"%s\" in:\n%s", start, r->text);
	return 0;
}

static int has(const struct plan_run *r, const char *text)
{
	return strstr(r->text, text) != NULL;
}

static int hazard(const struct plan_run *r, const char *text)
{
	for (size_t i = 0; i < r->s.hazards.nr; i++)
		if (strstr(r->s.hazards.v[i], text))
			return 1;
	return 0;
}

/* ---- SQLite ---- */

static void test_sqlite_tables_before_indexes(void **state)
{
	static const char *const a[] = { "CREATE TABLE t (id INTEGER PRIMARY KEY)", NULL };
	static const char *const b[] = { "CREATE INDEX u_x ON u (x)", "CREATE TABLE t (id INTEGER PRIMARY KEY)",
					 "CREATE TABLE u (id INTEGER PRIMARY KEY, x TEXT)", NULL };
	struct fw_schema from, to;
	struct plan_run r;
	(void)state;
	sqlite_schema(&from, a);
	sqlite_schema(&to, b);
	plan_ok("sqlite", &from, &to, NULL, NULL, &r);
	assert_true(at(&r, "CREATE TABLE u") < at(&r, "CREATE INDEX u_x"));
	assert_false(has(&r, "DROP"));
	assert_int_equal(r.s.main_outside_tx, 0);
	plan_done(&r);
	fw_schema_release(&from);
	fw_schema_release(&to);
}

static void test_sqlite_add_and_drop_column(void **state)
{
	static const char *const a[] = { "CREATE TABLE t (id INTEGER PRIMARY KEY, old TEXT)", NULL };
	static const char *const b[] = { "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT DEFAULT 3)", NULL };
	static const char *const rows_v[] = { "t", NULL };
	struct strvec rows = STRVEC_INIT;
	struct fw_schema from, to;
	struct plan_run r;
	(void)state;
	strvec_push(&rows, rows_v[0]);
	sqlite_schema(&from, a);
	sqlite_schema(&to, b);
	plan_ok("sqlite", &from, &to, NULL, &rows, &r);
	/* ALTER does it: no rebuild; the drop comes last, with its hazard */
	assert_false(has(&r, "__fleetway_new"));
	assert_true(at(&r, "ALTER TABLE t ADD COLUMN n INT DEFAULT 3;") < at(&r, "ALTER TABLE t DROP COLUMN old;"));
	assert_true(hazard(&r, "FW106 Table t: column old is dropped: its values are lost"));
	plan_done(&r);
	fw_schema_release(&from);
	fw_schema_release(&to);
	strvec_clear(&rows);
}

static void test_sqlite_rebuild(void **state)
{
	static const char *const a[] = {
		"CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT)",
		"CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INT REFERENCES p(id))",
		"CREATE INDEX p_name ON p (name)",
		"CREATE VIEW v AS SELECT name FROM p", NULL };
	static const char *const b[] = {
		"CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
		"CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INT REFERENCES p(id))",
		"CREATE INDEX p_name ON p (name)",
		"CREATE VIEW v AS SELECT name FROM p", NULL };
	struct fw_schema from, to;
	struct plan_run r;
	(void)state;
	sqlite_schema(&from, a);
	sqlite_schema(&to, b);
	plan_ok("sqlite", &from, &to, NULL, NULL, &r);
	/* the documented steps, in order, with foreign keys off around a transaction of its own */
	assert_true(at(&r, "PRAGMA foreign_keys = OFF;") < at(&r, "BEGIN;"));
	assert_true(at(&r, "BEGIN;") < at(&r, "DROP VIEW v;"));
	assert_true(at(&r, "DROP VIEW v;") < at(&r, "CREATE TABLE p__fleetway_new"));
	assert_true(at(&r, "CREATE TABLE p__fleetway_new") < at(&r, "INSERT INTO p__fleetway_new (id, name) SELECT id, name FROM p;"));
	assert_true(at(&r, "INSERT INTO p__fleetway_new") < at(&r, "DROP TABLE p;"));
	assert_true(at(&r, "DROP TABLE p;") < at(&r, "ALTER TABLE p__fleetway_new RENAME TO p;"));
	assert_true(at(&r, "ALTER TABLE p__fleetway_new RENAME TO p;") < at(&r, "CREATE INDEX p_name"));
	assert_true(at(&r, "CREATE INDEX p_name") < at(&r, "CREATE VIEW v"));
	assert_true(at(&r, "CREATE VIEW v") < at(&r, "INSERT INTO fleetway_fk_check"));
	assert_true(at(&r, "INSERT INTO fleetway_fk_check") < at(&r, "COMMIT;"));
	assert_true(at(&r, "COMMIT;") < at(&r, "PRAGMA foreign_keys = ON;"));
	assert_int_equal(r.s.main_outside_tx, 1);
	assert_true(hazard(&r, "FW108 Table p: column name becomes NOT NULL"));
	plan_done(&r);
	fw_schema_release(&from);
	fw_schema_release(&to);
}

/* ---- PostgreSQL, from hand-built models ---- */

static void pg_base(struct fw_schema *s, const char *amount_type)
{
	static const char *const cust[] = { "id!", NULL, NULL };
	const char *orders[] = { "id!", "customer_id", amount_type, NULL };
	fw_schema_init(s, "public");
	pg_table(s, "customer", cust);
	pg_table(s, "orders", orders);
	pg_constraint(s, "customer", "customer_pkey", FW_CON_PRIMARY_KEY, "PRIMARY KEY (id)", "id", NULL);
	pg_constraint(s, "orders", "orders_customer", FW_CON_FOREIGN_KEY,
		      "FOREIGN KEY (customer_id) REFERENCES customer(id)", "customer_id", "customer");
	pg_object(s, FW_OBJ_VIEW, "v", NULL, "CREATE VIEW v AS\nSELECT orders.amount FROM orders;");
	pg_object(s, FW_OBJ_VIEW, "w", NULL, "CREATE VIEW w AS\nSELECT v.amount FROM v;");
}

static void test_pg_type_change_under_views(void **state)
{
	struct fw_schema from, to;
	struct plan_run r;
	(void)state;
	pg_base(&from, "amount:integer");
	pg_base(&to, "amount:bigint");
	fw_schema_finish(&from);
	fw_schema_finish(&to);
	plan_ok("postgresql", &from, &to, NULL, NULL, &r);
	/* w stands on v, v on orders: dropped in that order, created in the other, around the change */
	assert_true(at(&r, "DROP VIEW w;") < at(&r, "DROP VIEW v;"));
	assert_true(at(&r, "DROP VIEW v;") < at(&r, "ALTER TABLE orders ALTER COLUMN amount TYPE bigint"));
	assert_true(at(&r, "ALTER TABLE orders ALTER COLUMN amount TYPE bigint USING amount::bigint;") <
		    at(&r, "CREATE VIEW v"));
	assert_true(at(&r, "CREATE VIEW v") < at(&r, "CREATE VIEW w"));
	assert_true(hazard(&r, "FW103 Table orders: column amount changes type (integer -> bigint)"));
	plan_done(&r);
	fw_schema_release(&from);
	fw_schema_release(&to);
}

static void test_pg_new_tables_with_a_cycle(void **state)
{
	static const char *const a_cols[] = { "id!", "b_id", NULL };
	static const char *const b_cols[] = { "id!", "a_id", NULL };
	struct fw_schema from, to;
	struct plan_run r;
	(void)state;
	fw_schema_init(&from, "public");
	fw_schema_finish(&from);
	fw_schema_init(&to, "public");
	pg_table(&to, "a", a_cols);
	pg_table(&to, "b", b_cols);
	pg_constraint(&to, "a", "a_pkey", FW_CON_PRIMARY_KEY, "PRIMARY KEY (id)", "id", NULL);
	pg_constraint(&to, "b", "b_pkey", FW_CON_PRIMARY_KEY, "PRIMARY KEY (id)", "id", NULL);
	pg_constraint(&to, "a", "a_b", FW_CON_FOREIGN_KEY, "FOREIGN KEY (b_id) REFERENCES b(id)", "b_id", "b");
	pg_constraint(&to, "b", "b_a", FW_CON_FOREIGN_KEY, "FOREIGN KEY (a_id) REFERENCES a(id)", "a_id", "a");
	pg_object(&to, FW_OBJ_TYPE, "mood", NULL, "CREATE TYPE mood AS ENUM ('a', 'b');");
	pg_object(&to, FW_OBJ_INDEX, "a_b_idx", "a", "CREATE INDEX a_b_idx ON a USING btree (b_id);");
	fw_schema_finish(&to);
	plan_ok("postgresql", &from, &to, NULL, NULL, &r);
	/* types, both tables, keys, indexes, then the foreign keys: the cycle needs nothing more */
	assert_true(at(&r, "CREATE TYPE mood") < at(&r, "CREATE TABLE a"));
	assert_true(at(&r, "CREATE TABLE b") < at(&r, "ALTER TABLE a ADD CONSTRAINT a_pkey"));
	assert_true(at(&r, "ALTER TABLE b ADD CONSTRAINT b_pkey") < at(&r, "CREATE INDEX a_b_idx"));
	assert_true(at(&r, "CREATE INDEX a_b_idx") < at(&r, "ALTER TABLE a ADD CONSTRAINT a_b"));
	/* a new table's index is built in the transaction, not CONCURRENTLY */
	assert_false(has(&r, "CONCURRENTLY"));
	plan_done(&r);
	/* and the other way: the foreign keys go first, then the tables, drops last */
	plan_ok("postgresql", &to, &from, NULL, NULL, &r);
	assert_true(at(&r, "ALTER TABLE a DROP CONSTRAINT a_b;") < at(&r, "DROP TABLE a;"));
	assert_true(at(&r, "ALTER TABLE b DROP CONSTRAINT b_a;") < at(&r, "DROP TABLE a;"));
	assert_true(at(&r, "DROP TABLE b;") < at(&r, "DROP TYPE mood;"));
	assert_false(has(&r, "DROP CONSTRAINT a_pkey"));   /* goes with its table */
	assert_true(hazard(&r, "FW106 Table a is dropped (if it holds rows)"));
	plan_done(&r);
	fw_schema_release(&from);
	fw_schema_release(&to);
}

static void test_pg_index_on_existing_table_apart(void **state)
{
	struct fw_schema from, to;
	struct plan_run r;
	(void)state;
	pg_base(&from, "amount:integer");
	pg_base(&to, "amount:integer");
	pg_object(&to, FW_OBJ_INDEX, "orders_amount", "orders",
		  "CREATE INDEX orders_amount ON orders USING btree (amount);\nCOMMENT ON INDEX orders_amount IS 'x';");
	fw_schema_finish(&from);
	fw_schema_finish(&to);
	plan_ok("postgresql", &from, &to, NULL, NULL, &r);
	assert_int_equal(r.s.main.nr, 0);
	assert_true(at(&r, "-- notx") < at(&r, "CREATE INDEX CONCURRENTLY orders_amount ON orders USING btree (amount);"));
	assert_true(at(&r, "CREATE INDEX CONCURRENTLY") < at(&r, "COMMENT ON INDEX orders_amount IS 'x';"));
	assert_string_equal(r.s.notx_indexes.v[0], "orders_amount");
	plan_done(&r);
	fw_schema_release(&from);
	fw_schema_release(&to);
}

static void test_pg_renames_only_where_declared(void **state)
{
	static const char *const before[] = { "id!", "name:text", NULL };
	static const char *const after[] = { "id!", "full_name:text", NULL };
	struct fw_schema from, to;
	struct fw_renames renames = { 0 };
	struct plan_run r;
	(void)state;
	fw_schema_init(&from, "public");
	pg_table(&from, "customer", before);
	fw_schema_finish(&from);
	fw_schema_init(&to, "public");
	pg_table(&to, "client", after);
	fw_schema_finish(&to);
	/* not declared: a table dropped and one created */
	plan_ok("postgresql", &from, &to, NULL, NULL, &r);
	assert_true(at(&r, "CREATE TABLE client") < at(&r, "DROP TABLE customer;"));
	assert_false(has(&r, "RENAME"));
	plan_done(&r);
	/* declared: renamed, nothing dropped */
	fw_renames_add(&renames, NULL, "client", NULL, "customer", "t.sql:1");
	fw_renames_add(&renames, NULL, "client", "full_name", "name", "t.sql:3");
	plan_ok("postgresql", &from, &to, &renames, NULL, &r);
	assert_true(at(&r, "ALTER TABLE customer RENAME TO client;") < at(&r, "ALTER TABLE client RENAME COLUMN name TO full_name;"));
	assert_false(has(&r, "DROP"));
	assert_false(has(&r, "CREATE"));
	plan_done(&r);
	/* once done, the annotation is no rename any more */
	plan_ok("postgresql", &to, &to, &renames, NULL, &r);
	assert_int_equal(r.s.main.nr, 0);
	plan_done(&r);
	fw_renames_release(&renames);
	fw_schema_release(&from);
	fw_schema_release(&to);
}

static void test_pg_refuses_a_column_move(void **state)
{
	static const char *const before[] = { "id!", "b", NULL };
	static const char *const after[] = { "id!", "a", "b", NULL };
	struct fw_schema from, to;
	struct plan_run r;
	(void)state;
	fw_schema_init(&from, "public");
	pg_table(&from, "t", before);
	fw_schema_finish(&from);
	fw_schema_init(&to, "public");
	pg_table(&to, "t", after);
	fw_schema_finish(&to);
	plan_ok("postgresql", &from, &to, NULL, NULL, &r);
	assert_int_equal(r.s.unsupported.nr, 1);
	assert_non_null(strstr(r.s.unsupported.v[0], "column b would have to move"));
	plan_done(&r);
	fw_schema_release(&from);
	fw_schema_release(&to);
}

static void test_only_chosen_changes(void **state)
{
	static const char *const cols[] = { "id!", NULL };
	struct fw_schema from, to;
	struct fw_ddl_opts o;
	struct fw_ddl_script s;
	struct strvec only = STRVEC_INIT;
	char id[17];
	(void)state;
	fw_schema_init(&from, "public");
	fw_schema_finish(&from);
	fw_schema_init(&to, "public");
	pg_table(&to, "x", cols);
	pg_table(&to, "y", cols);
	fw_schema_finish(&to);
	fw_diff_id(FW_OBJ_TABLE, "public", NULL, "y", id);
	strvec_push(&only, id);
	memset(&o, 0, sizeof(o));
	o.dialect = "postgresql";
	o.schema = "public";
	o.only = &only;
	assert_int_equal(fw_plan_schema(&from, &to, &o, &s), 0);
	assert_int_equal(s.main.nr, 1);
	assert_non_null(strstr(s.main.v[0].sql, "CREATE TABLE y"));
	fw_ddl_script_release(&s);
	strvec_clear(&only);
	fw_schema_release(&from);
	fw_schema_release(&to);
}

/* ---- rename annotations ---- */

static void scan_ok(const char *text, struct fw_renames *out)
{
	struct fw_error err = FW_ERROR_INIT;
	if (fw_renames_scan(text, strlen(text), "postgresql", "public", "f.sql", out, &err) < 0)
		fail_msg("%s", err.message.buf);
}

static void test_renames_placement(void **state)
{
	struct fw_renames r = { 0 };
	(void)state;
	scan_ok("-- fleetway:renamed_from clients\n"
		"CREATE TABLE customers (\n"
		"    id int,\n"
		"    -- atlas:renamed_from name\n"
		"    full_name text,\n"
		"    mail text, -- @renamed from=\"E-Mail\"\n"
		"    note text /* @rename from=remark */\n"
		");\n"
		"CREATE TABLE x ( -- @renamed from=y\n  a int);\n", &r);
	assert_int_equal(r.nr, 5);
	assert_non_null(fw_renames_find(&r, "customers", NULL));
	assert_string_equal(fw_renames_find(&r, "customers", NULL)->from, "clients");
	assert_string_equal(fw_renames_find(&r, "customers", "full_name")->from, "name");
	assert_string_equal(fw_renames_find(&r, "customers", "mail")->from, "E-Mail");
	assert_string_equal(fw_renames_find(&r, "customers", "note")->from, "remark");
	assert_string_equal(fw_renames_find(&r, "x", NULL)->from, "y");
	assert_string_equal(fw_renames_find(&r, "customers", "mail")->origin, "f.sql:6");
	fw_renames_release(&r);
	/* a comment that only mentions the words is no annotation */
	scan_ok("CREATE TABLE t (a int -- renamed_from is fleetway's word\n);", &r);
	assert_int_equal(r.nr, 0);
	fw_renames_release(&r);
}

static void test_renames_errors(void **state)
{
	static const struct { const char *text, *message; } cases[] = {
		{ "-- fleetway:renamed_from v0\nCREATE VIEW v AS SELECT 1;", "f.sql:1: a rename annotation must annotate a table or a column of a CREATE TABLE" },
		{ "CREATE TABLE t (\n a int,\n -- fleetway:renamed_from\n b int);", "f.sql:3: a rename annotation names no old name" },
		{ "CREATE TABLE t (\n a int,\n -- fleetway:renamed_from k\n PRIMARY KEY (a));", "f.sql:3: a rename annotation inside a table annotates no column" },
		{ "CREATE TABLE t (\n a int, -- @renamed from=x\n b int -- @renamed from=x\n);", "f.sql:3: two objects renamed from the same old name" },
		{ "CREATE TABLE t (\n a int -- @renamed from=a\n);", "f.sql:2: a rename annotation names the object's own name" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fw_renames r = { 0 };
		struct fw_error err = FW_ERROR_INIT;
		assert_int_equal(fw_renames_scan(cases[i].text, strlen(cases[i].text), "postgresql", "public", "f.sql",
						 &r, &err), -1);
		assert_string_equal(err.message.buf, cases[i].message);
		fw_error_clear(&err);
		fw_renames_release(&r);
	}
}

/* a trigger's or routine's body is one statement, whatever ';' it holds */
static void test_statements_keep_bodies_whole(void **state)
{
	struct strvec v = STRVEC_INIT;
	(void)state;
	fw_ddl_statements("sqlite",
			  "CREATE TABLE a (id INT);\n"
			  "CREATE TRIGGER t1 AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); "
			  "UPDATE b SET x = CASE WHEN new.id > 0 THEN 1 ELSE 0 END; END;\n"
			  "CREATE TRIGGER t2 AFTER DELETE ON a BEGIN DELETE FROM b; END;", &v);
	assert_int_equal(v.nr, 3);
	assert_non_null(strstr(v.v[1], "ELSE 0 END; END;"));
	assert_non_null(strstr(v.v[2], "CREATE TRIGGER t2"));
	strvec_clear(&v);
	fw_ddl_statements("mysql",
			  "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; WHILE 0 DO SELECT 2; END WHILE; END;\n"
			  "CREATE VIEW w AS SELECT 1;", &v);
	assert_int_equal(v.nr, 2);
	assert_non_null(strstr(v.v[0], "END WHILE; END;"));
	strvec_clear(&v);
	/* a transaction's BEGIN opens no block */
	fw_ddl_statements("sqlite", "BEGIN; CREATE TABLE c (id INT); COMMIT;", &v);
	assert_int_equal(v.nr, 3);
	strvec_clear(&v);
}

static void test_tokens(void **state)
{
	struct fw_toks t;
	const char *text = "CREATE VIEW v AS SELECT 'orders', \"Orders\", $x$ orders $x$ -- orders\n FROM orders";
	size_t names = 0;
	(void)state;
	fw_sql_tokenize(text, strlen(text), fw_tok_flags_for("postgresql"), &t);
	for (size_t i = 0; i < t.nr; i++)
		names += fw_tok_names(&t, i, "orders");
	/* the string, the dollar quote and the comment are no names; "Orders" is another name */
	assert_int_equal(names, 1);
	fw_toks_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite_tables_before_indexes),
		cmocka_unit_test(test_sqlite_add_and_drop_column),
		cmocka_unit_test(test_sqlite_rebuild),
		cmocka_unit_test(test_pg_type_change_under_views),
		cmocka_unit_test(test_pg_new_tables_with_a_cycle),
		cmocka_unit_test(test_pg_index_on_existing_table_apart),
		cmocka_unit_test(test_pg_renames_only_where_declared),
		cmocka_unit_test(test_pg_refuses_a_column_move),
		cmocka_unit_test(test_only_chosen_changes),
		cmocka_unit_test(test_renames_placement),
		cmocka_unit_test(test_renames_errors),
		cmocka_unit_test(test_statements_keep_bodies_whole),
		cmocka_unit_test(test_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
