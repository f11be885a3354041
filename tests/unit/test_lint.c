/* check -code's rules (sql/lint.c), statement by statement per dialect. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "sql/lint.h"

#define PG SQL_DIALECT_POSTGRES
#define MY SQL_DIALECT_MYSQL
#define SL SQL_DIALECT_SQLITE

/* the codes found in a script (split by the dialect's splitter), space-separated */
static void codes(enum sql_dialect d, const char *script, char *out, size_t n)
{
	struct fw_lint l;
	struct sqlsplit *sp = sqlsplit_new_mem(d, script, strlen(script), "t.sql");
	struct sql_stmt st = SQL_STMT_INIT;
	struct fw_error err = FW_ERROR_INIT;
	fw_lint_init(&l, d);
	while (sqlsplit_next(sp, &st, &err) == 1)
		fw_lint_statement(&l, "t.sql", st.line, st.sql.buf);
	out[0] = '\0';
	for (size_t i = 0; i < l.nr; i++)
		snprintf(out + strlen(out), n - strlen(out), "%s%s:%d", i ? " " : "", l.v[i].code,
			 l.v[i].line);
	sqlsplit_free(sp);
	sql_stmt_release(&st);
	fw_error_clear(&err);
	fw_lint_release(&l);
}

static void expect(enum sql_dialect d, const char *script, const char *want)
{
	char got[512];
	codes(d, script, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("dialect %d, script:\n%s\ngot  '%s'\nwant '%s'", d, script, got, want);
}

static void test_not_null_without_default(void **state)
{
	expect(PG, "ALTER TABLE orders ADD COLUMN status text NOT NULL;", "FW101:1");
	expect(SL, "alter table orders add status text not null;", "FW101:1");
	/* a value for every existing row */
	expect(PG, "ALTER TABLE orders ADD COLUMN s text NOT NULL DEFAULT 'x';", "");
	expect(PG, "ALTER TABLE orders ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY NOT NULL;", "");
	expect(PG, "ALTER TABLE orders ADD COLUMN n bigserial NOT NULL;", "");
	expect(PG, "ALTER TABLE orders ADD COLUMN s text;", "");
	/* MySQL fills existing rows with the implicit default */
	expect(MY, "ALTER TABLE orders ADD COLUMN s varchar(10) NOT NULL;", "");
	/* a table made in the same run is empty */
	expect(PG, "CREATE TABLE orders (id int);\nALTER TABLE orders ADD COLUMN s text NOT NULL;", "");
	/* several actions: only the offending one */
	expect(PG, "ALTER TABLE orders ADD COLUMN a int, ADD COLUMN b int NOT NULL;", "FW101:1");
}

static void test_index_and_locks_on_postgres(void **state)
{
	expect(PG, "CREATE INDEX i ON orders (total);", "FW102:1");
	expect(PG, "CREATE UNIQUE INDEX i ON public.orders USING btree (total);", "FW102:1");
	expect(PG, "CREATE INDEX CONCURRENTLY i ON orders (total);", "");
	expect(PG, "CREATE TABLE \"Orders\" (id int);\nCREATE INDEX i ON \"Orders\" (id);", "");
	/* quoted and unquoted names differ on PostgreSQL */
	expect(PG, "CREATE TABLE \"Orders\" (id int);\nCREATE INDEX i ON orders (id);", "FW102:2");
	expect(MY, "CREATE INDEX i ON orders (total);", "");
	expect(SL, "CREATE INDEX i ON orders (total);", "");
	expect(PG, "ALTER TABLE orders ALTER COLUMN total TYPE bigint;", "FW103:1");
	expect(PG, "ALTER TABLE orders ALTER total SET DATA TYPE bigint;", "FW103:1");
	expect(PG, "ALTER TABLE orders ALTER COLUMN total SET NOT NULL;", "FW108:1");
	expect(PG, "ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;", "");
	expect(PG, "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES c (id);", "FW104:1");
	expect(PG, "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES c (id) NOT VALID;", "");
	expect(PG, "ALTER TABLE orders ADD CONSTRAINT pk PRIMARY KEY (id);", "FW104:1");
	expect(PG, "ALTER TABLE orders ADD CONSTRAINT pk PRIMARY KEY USING INDEX orders_idx;", "");
	expect(PG, "VACUUM FULL orders;\nCLUSTER orders;\nREINDEX TABLE orders;\nREINDEX TABLE CONCURRENTLY orders;\nLOCK TABLE orders;\nVACUUM orders;",
	       "FW105:1 FW105:2 FW105:3 FW105:5");
	expect(MY, "ALTER TABLE orders MODIFY COLUMN total bigint;", "FW103:1");
	expect(MY, "ALTER TABLE orders MODIFY COLUMN total bigint, ALGORITHM=INSTANT;", "");
}

static void test_data_loss_and_whole_table(void **state)
{
	expect(PG, "DROP TABLE orders;", "FW106:1");
	expect(PG, "CREATE TABLE tmp (id int);\nDROP TABLE tmp;", "");
	expect(PG, "ALTER TABLE orders DROP COLUMN note;", "FW106:1");
	expect(PG, "ALTER TABLE orders DROP CONSTRAINT fk;", "");
	expect(MY, "DROP DATABASE shop;", "FW106:1");
	expect(PG, "TRUNCATE orders;", "FW106:1");
	expect(PG, "UPDATE orders SET total = 0;", "FW107:1");
	expect(PG, "UPDATE orders SET total = 0 WHERE id = 1;", "");
	expect(PG, "DELETE FROM orders;", "FW107:1");
	expect(PG, "DELETE FROM orders WHERE id IN (SELECT id FROM old);", "");
	/* WHERE only inside a subquery does not count */
	expect(PG, "UPDATE orders SET total = (SELECT max(t) FROM x WHERE x.id = 1);", "FW107:1");
}

static void test_comments_and_strings_are_not_code(void **state)
{
	expect(PG, "-- DROP TABLE orders;\nINSERT INTO log VALUES ('DROP TABLE orders');", "");
	expect(PG, "/* UPDATE orders SET a = 1 */ SELECT 1;", "");
	expect(PG, "DO $$ BEGIN DROP TABLE orders; END $$;", "");
	expect(MY, "# DROP TABLE orders\nINSERT INTO log VALUES (\"TRUNCATE orders\");", "");
	/* positions are the statement's line */
	expect(PG, "SELECT 1;\n\n  -- why\n  DROP TABLE orders;", "FW106:4");
}

/* without a database a table is new only in the script that creates it */
static void test_per_script(void **state)
{
	struct fw_lint l;
	fw_lint_init(&l, PG);
	l.per_script = 1;
	fw_lint_statement(&l, "V1.sql", 1, "CREATE TABLE t (id int)");
	fw_lint_statement(&l, "V1.sql", 2, "CREATE INDEX i ON t (id)");
	fw_lint_statement(&l, "V2.sql", 1, "CREATE INDEX j ON t (id)");
	assert_int_equal((int)l.nr, 1);
	assert_string_equal(l.v[0].script, "V2.sql");
	assert_string_equal(l.v[0].code, "FW102");
	fw_lint_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_null_without_default),
		cmocka_unit_test(test_index_and_locks_on_postgres),
		cmocka_unit_test(test_data_loss_and_whole_table),
		cmocka_unit_test(test_comments_and_strings_are_not_code),
		cmocka_unit_test(test_per_script),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
