/* Unit tests for the SQL statement splitter (src/sql/sqlsplit.c).
 *
 * Every script is split three ways — from memory, through a reader that
 * returns 1 byte per call and through one that returns 7 — and the three
 * results must be identical, so each case also tests chunk boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sqlsplit.h"
#include "util/xalloc.h"

#define SQLITE SQL_DIALECT_SQLITE
#define PG SQL_DIALECT_POSTGRES
#define MY SQL_DIALECT_MYSQL
#define NONTX SQL_STMT_NONTX
#define COPY SQL_STMT_COPY
#define SEL SQL_STMT_SELECT_LIKE

#define MAX_STMTS 64

/* ---- readers ---- */

struct chunk_reader {
	const char *p;
	size_t len, pos, step;
	int fail_at;   /* return -1 once pos reaches this (if > 0) */
};

static long chunk_read(void *ctx, char *buf, size_t n)
{
	struct chunk_reader *r = ctx;
	size_t k = r->len - r->pos;
	if (r->fail_at > 0 && r->pos >= (size_t)r->fail_at)
		return -1;
	if (k > r->step)
		k = r->step;
	if (k > n)
		k = n;
	memcpy(buf, r->p + r->pos, k);
	r->pos += k;
	return (long)k;
}

/* ---- running the splitter ---- */

struct got {
	int n, rc;
	struct sql_stmt st[MAX_STMTS];
	struct fw_error err;
};

/* step 0 = in memory */
static void split_step(enum sql_dialect d, const char *in, size_t len, size_t step, struct got *g)
{
	struct chunk_reader r = { in, len, 0, step, 0 };
	struct sqlsplit *s = step ? sqlsplit_new(d, chunk_read, &r, "t.sql")
				  : sqlsplit_new_mem(d, in, len, "t.sql");
	struct fw_error e = FW_ERROR_INIT;
	int rc;

	memset(g, 0, sizeof(*g));
	g->err = e;
	for (;;) {
		struct sql_stmt st = SQL_STMT_INIT;
		rc = sqlsplit_next(s, &st, &g->err);
		if (rc != 1) {
			sql_stmt_release(&st);
			break;
		}
		assert_true(g->n < MAX_STMTS);
		g->st[g->n++] = st;
	}
	g->rc = rc;
	if (rc < 0) /* stays failed */
		assert_int_equal(sqlsplit_next(s, &(struct sql_stmt)SQL_STMT_INIT, &e), -1);
	fw_error_clear(&e);
	sqlsplit_free(s);
}

static void got_free(struct got *g)
{
	int i;
	for (i = 0; i < g->n; i++)
		sql_stmt_release(&g->st[i]);
	fw_error_clear(&g->err);
}

static void assert_same(const struct got *a, const struct got *b)
{
	int i;
	assert_int_equal(a->rc, b->rc);
	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_string_equal(a->st[i].sql.buf, b->st[i].sql.buf);
		assert_string_equal(a->st[i].copy_data.buf, b->st[i].copy_data.buf);
		assert_int_equal(a->st[i].line, b->st[i].line);
		assert_int_equal(a->st[i].col, b->st[i].col);
		assert_int_equal(a->st[i].flags, b->st[i].flags);
		assert_string_equal(a->st[i].simplified, b->st[i].simplified);
	}
	assert_string_equal(a->err.message.buf, b->err.message.buf);
}

/* split in memory, 1 byte and 7 bytes at a time; all three must agree */
static void split_all(enum sql_dialect d, const char *in, size_t len, struct got *g)
{
	static const size_t steps[] = { 1, 7, 4096 };
	size_t i;
	split_step(d, in, len, 0, g);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct got other;
		split_step(d, in, len, steps[i], &other);
		assert_same(g, &other);
		got_free(&other);
	}
}

/* ---- expectations ---- */

struct exp {
	const char *sql;
	int line, col;        /* 0 = not checked */
	unsigned flags;
	const char *simp;     /* NULL = not checked */
	const char *copy;     /* NULL = must be empty */
};

static void check_split_n(enum sql_dialect d, const char *in, size_t len, const struct exp *want)
{
	struct got g;
	int i, n = 0;

	while (want[n].sql)
		n++;
	split_all(d, in, len, &g);
	if (g.rc != 0)
		fail_msg("unexpected error: %s", g.err.message.buf);
	for (i = 0; i < g.n && i < n; i++) {
		assert_string_equal(g.st[i].sql.buf, want[i].sql);
		if (want[i].line)
			assert_int_equal(g.st[i].line, want[i].line);
		if (want[i].col)
			assert_int_equal(g.st[i].col, want[i].col);
		assert_int_equal(g.st[i].flags, want[i].flags);
		if (want[i].simp)
			assert_string_equal(g.st[i].simplified, want[i].simp);
		assert_string_equal(g.st[i].copy_data.buf, want[i].copy ? want[i].copy : "");
	}
	assert_int_equal(g.n, n);
	got_free(&g);
}

#define CHECK(d, in, ...) check_split_n((d), (in), strlen(in), (const struct exp[]){ __VA_ARGS__, { NULL, 0, 0, 0, NULL, NULL } })
#define CHECK_NONE(d, in) check_split_n((d), (in), strlen(in), (const struct exp[]){ { NULL, 0, 0, 0, NULL, NULL } })

/* the script fails with a message containing `msg`, after `nok` good statements */
static void check_error_n(enum sql_dialect d, const char *in, int nok, const char *msg)
{
	struct got g;
	split_all(d, in, strlen(in), &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.n, nok);
	if (!strstr(g.err.message.buf, msg))
		fail_msg("error \"%s\" lacks \"%s\"", g.err.message.buf, msg);
	got_free(&g);
}

/* flags and simplified form of a one-statement script */
static void check_flags(enum sql_dialect d, const char *in, unsigned flags)
{
	struct got g;
	split_all(d, in, strlen(in), &g);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.n, 1);
	if (g.st[0].flags != flags)
		fail_msg("\"%s\": flags %u, want %u (simplified \"%s\")", in, g.st[0].flags, flags,
			 g.st[0].simplified);
	got_free(&g);
}

/* ---- quotes ---- */

static void test_quotes_sqlite(void **state)
{
	(void)state;
	CHECK(SQLITE, "INSERT INTO t VALUES ('it''s; fine');\nSELECT \"a\"\";b\" FROM `x;y`, [p;q];",
	      { "INSERT INTO t VALUES ('it''s; fine')", 1, 1, 0, "INSERT INTO T VALUES", NULL },
	      { "SELECT \"a\"\";b\" FROM `x;y`, [p;q]", 2, 1, SEL, "SELECT FROM", NULL });
	/* no backslash escapes in plain strings */
	CHECK(SQLITE, "SELECT 'C:\\';SELECT 2",
	      { "SELECT 'C:\\'", 1, 1, SEL, NULL, NULL }, { "SELECT 2", 1, 14, SEL, NULL, NULL });
}

static void test_quotes_postgres(void **state)
{
	(void)state;
	CHECK(PG, "SELECT 'a;''b', \"c;\"\"d\";SELECT E'x\\';y', e'\\\\';SELECT 'C:\\';",
	      { "SELECT 'a;''b', \"c;\"\"d\"", 1, 1, SEL, NULL, NULL },
	      { "SELECT E'x\\';y', e'\\\\'", 1, 25, SEL, NULL, NULL },
	      { "SELECT 'C:\\'", 1, 48, SEL, NULL, NULL });
	/* B'..' and X'..' take the same path; U&'..' is a plain string */
	CHECK(PG, "SELECT B'01', X'1F', U&'d\\0061t;';", { "SELECT B'01', X'1F', U&'d\\0061t;'", 1, 1, SEL, NULL, NULL });
}

static void test_dollar_quotes(void **state)
{
	(void)state;
	CHECK(PG,
	      "CREATE FUNCTION f() RETURNS int AS $$\n"
	      "BEGIN\n  PERFORM 1; RETURN 2;\nEND;\n$$ LANGUAGE plpgsql;\n"
	      "CREATE FUNCTION g() RETURNS text AS $body$\n"
	      "  SELECT $inner$ ; $$ $body $inner$;\n"
	      "$body$ LANGUAGE sql;\n"
	      "DO $x$ BEGIN END $x$;",
	      { "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  PERFORM 1; RETURN 2;\nEND;\n$$ LANGUAGE plpgsql",
		1, 1, 0, "CREATE FUNCTION F RETURNS INT AS LANGUAGE PLPGSQL", NULL },
	      { "CREATE FUNCTION g() RETURNS text AS $body$\n  SELECT $inner$ ; $$ $body $inner$;\n$body$ LANGUAGE sql",
		6, 1, 0, NULL, NULL },
	      { "DO $x$ BEGIN END $x$", 9, 1, 0, "DO", NULL });
	/* $1 parameters and $ inside identifiers are not quotes */
	CHECK(PG, "PREPARE p(int) AS SELECT $1;\nSELECT a$b$ FROM t;",
	      { "PREPARE p(int) AS SELECT $1", 1, 1, 0, NULL, NULL },
	      { "SELECT a$b$ FROM t", 2, 1, SEL, "SELECT FROM T", NULL });
	/* dollar quote split over lines and odd tags */
	CHECK(PG, "SELECT $_a1$;$_a1$, $é$;$é$;", { "SELECT $_a1$;$_a1$, $é$;$é$", 1, 1, SEL, NULL, NULL });
}

static void test_quotes_mysql(void **state)
{
	(void)state;
	CHECK(MY, "INSERT INTO t VALUES ('a\\';b', \"c\\\";d\", 'e'';f', \"g\"\";h\");\nSELECT `x;``y` FROM t;",
	      { "INSERT INTO t VALUES ('a\\';b', \"c\\\";d\", 'e'';f', \"g\"\";h\")", 1, 1, 0, NULL, NULL },
	      { "SELECT `x;``y` FROM t", 2, 1, SEL, "SELECT FROM T", NULL });
	/* backslash-escaped backslash before the closing quote */
	CHECK(MY, "SELECT 'a\\\\';SELECT 2;",
	      { "SELECT 'a\\\\'", 1, 1, SEL, NULL, NULL }, { "SELECT 2", 1, 14, SEL, NULL, NULL });
}

/* ---- comments ---- */

static void test_comments(void **state)
{
	static const enum sql_dialect all[] = { SQLITE, PG, MY };
	size_t i;
	(void)state;
	for (i = 0; i < 3; i++) {
		CHECK(all[i], "/* a /* b; */ c; */ SELECT 1; -- x; y\nSELECT 2 -- z;\n;",
		      { "/* a /* b; */ c; */ SELECT 1", 1, 21, SEL, "SELECT", NULL },
		      { "-- x; y\nSELECT 2 -- z;", 2, 1, SEL, NULL, NULL });
		/* comment-only tail is dropped */
		CHECK(all[i], "SELECT 1;\n-- the end;\n/* really */\n",
		      { "SELECT 1", 1, 1, SEL, NULL, NULL });
	}
}

static void test_comments_mysql(void **state)
{
	(void)state;
	CHECK(MY, "# one; two\nSELECT 1; # three;\n/*!40101 SET NAMES utf8mb4 */;\n/*M!100100 SET x=1 */;\n"
		  "/* plain */;",
	      { "# one; two\nSELECT 1", 2, 1, SEL, NULL, NULL },
	      { "# three;\n/*!40101 SET NAMES utf8mb4 */", 3, 1, 0, "", NULL },
	      { "/*M!100100 SET x=1 */", 4, 1, 0, NULL, NULL });
	/* '#' is not a comment in PostgreSQL */
	CHECK(PG, "SELECT 2 # 3;", { "SELECT 2 # 3", 1, 1, SEL, NULL, NULL });
}

/* ---- blocks ---- */

static void test_pg_begin_atomic(void **state)
{
	(void)state;
	CHECK(PG,
	      "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\n"
	      "BEGIN ATOMIC\n"
	      "  SELECT CASE WHEN a > 0 THEN 1 ELSE CASE WHEN a < 0 THEN -1 END END;\n"
	      "  SELECT 2;\n"
	      "END;\n"
	      "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\nEND;",
	      { "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
		"  SELECT CASE WHEN a > 0 THEN 1 ELSE CASE WHEN a < 0 THEN -1 END END;\n  SELECT 2;\nEND",
		1, 1, 0, NULL, NULL },
	      { "BEGIN", 6, 1, 0, "BEGIN", NULL },
	      { "INSERT INTO t VALUES (1)", 7, 1, 0, NULL, NULL },
	      { "COMMIT", 8, 1, 0, NULL, NULL },
	      { "END", 9, 1, 0, NULL, NULL });
}

static void test_sqlite_trigger(void **state)
{
	(void)state;
	CHECK(SQLITE,
	      "CREATE TRIGGER tr AFTER INSERT ON t\nBEGIN\n"
	      "  INSERT INTO log VALUES (new.id);\n"
	      "  UPDATE c SET n = CASE WHEN n IS NULL THEN 1 ELSE n + 1 END;\n"
	      "END;\n"
	      "SELECT CASE WHEN 1 THEN 'a;' ELSE 2 END AS x;\n"
	      "CREATE TEMP TRIGGER IF NOT EXISTS t2 BEFORE DELETE ON t WHEN (CASE old.a WHEN 1 THEN 1 END)\n"
	      "BEGIN SELECT RAISE(ABORT, 'no'); END;\n"
	      "BEGIN;\nCOMMIT;\nBEGIN TRANSACTION;\nEND TRANSACTION;",
	      { "CREATE TRIGGER tr AFTER INSERT ON t\nBEGIN\n  INSERT INTO log VALUES (new.id);\n"
		"  UPDATE c SET n = CASE WHEN n IS NULL THEN 1 ELSE n + 1 END;\nEND", 1, 1, 0, NULL, NULL },
	      { "SELECT CASE WHEN 1 THEN 'a;' ELSE 2 END AS x", 6, 1, SEL, NULL, NULL },
	      { "CREATE TEMP TRIGGER IF NOT EXISTS t2 BEFORE DELETE ON t WHEN (CASE old.a WHEN 1 THEN 1 END)\n"
		"BEGIN SELECT RAISE(ABORT, 'no'); END", 7, 1, 0, NULL, NULL },
	      { "BEGIN", 9, 1, 0, NULL, NULL },
	      { "COMMIT", 10, 1, 0, NULL, NULL },
	      { "BEGIN TRANSACTION", 11, 1, 0, NULL, NULL },
	      { "END TRANSACTION", 12, 1, 0, NULL, NULL });
}

static void test_mysql_trigger_no_delimiter(void **state)
{
	(void)state;
	CHECK(MY,
	      "CREATE DEFINER=`root`@`%` TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\n"
	      "BEGIN\n"
	      "  SET NEW.a = 1;\n"
	      "  IF NEW.b IS NULL THEN SET NEW.b = 2; END IF;\n"
	      "  CASE NEW.c WHEN 1 THEN SET NEW.d = 1; ELSE SET NEW.d = CASE WHEN 1 THEN 2 END; END CASE;\n"
	      "  lbl: LOOP LEAVE lbl; END LOOP lbl;\n"
	      "  WHILE 0 DO SET @x = 1; END WHILE;\n"
	      "  REPEAT SET @x = 1; UNTIL 1 END REPEAT;\n"
	      "  BEGIN SET @y = 2; END;\n"
	      "END;\n"
	      "BEGIN;\nSELECT 1;",
	      { "CREATE DEFINER=`root`@`%` TRIGGER trg BEFORE INSERT ON t FOR EACH ROW\nBEGIN\n"
		"  SET NEW.a = 1;\n  IF NEW.b IS NULL THEN SET NEW.b = 2; END IF;\n"
		"  CASE NEW.c WHEN 1 THEN SET NEW.d = 1; ELSE SET NEW.d = CASE WHEN 1 THEN 2 END; END CASE;\n"
		"  lbl: LOOP LEAVE lbl; END LOOP lbl;\n  WHILE 0 DO SET @x = 1; END WHILE;\n"
		"  REPEAT SET @x = 1; UNTIL 1 END REPEAT;\n  BEGIN SET @y = 2; END;\nEND",
		1, 1, 0, "CREATE DEFINER TRIGGER TRG BEFORE INSERT ON T FOR EACH", NULL },
	      { "BEGIN", 11, 1, 0, NULL, NULL },
	      { "SELECT 1", 12, 1, SEL, NULL, NULL });
	/* MariaDB anonymous block */
	CHECK(MY, "BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\nSELECT 3;",
	      { "BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND", 1, 1, 0, NULL, NULL },
	      { "SELECT 3", 5, 1, SEL, NULL, NULL });
}

static void test_mysql_delimiter(void **state)
{
	(void)state;
	CHECK(MY,
	      "-- a procedure\n"
	      "DELIMITER $$\n"
	      "CREATE PROCEDURE p()\n"
	      "BEGIN\n"
	      "  DECLARE x INT DEFAULT 0;\n"
	      "  IF x = 0 THEN SET x = 1; END IF;\n"
	      "  SELECT x;\n"
	      "END$$\n"
	      "SELECT 'a$$b'$$\n"
	      "delimiter ;\n"
	      "CALL p();\n"
	      "DELIMITER //\n"
	      "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1 //\n"
	      "DELIMITER;\n"
	      "SELECT f();",
	      { "CREATE PROCEDURE p()\nBEGIN\n  DECLARE x INT DEFAULT 0;\n  IF x = 0 THEN SET x = 1; END IF;\n"
		"  SELECT x;\nEND", 3, 1, 0, "CREATE PROCEDURE P BEGIN DECLARE X INT DEFAULT IF X", NULL },
	      { "SELECT 'a$$b'", 9, 1, SEL, NULL, NULL },
	      { "CALL p()", 11, 1, SEL, NULL, NULL },   /* may return result sets */
	      { "CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1", 13, 1, 0, NULL, NULL },
	      { "SELECT f()", 15, 1, SEL, NULL, NULL });
	/* mysqldump style: ";;" delimiter and version comments */
	CHECK(MY,
	      "DELIMITER ;;\n"
	      "/*!50003 CREATE*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a=1; END */;;\n"
	      "DELIMITER ;\n",
	      { "/*!50003 CREATE*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a=1; END */",
		2, 1, 0, "", NULL });
	/* DELIMITER is not special in other dialects */
	CHECK(SQLITE, "DELIMITER $$\nSELECT 1;", { "DELIMITER $$\nSELECT 1", 1, 1, 0, "DELIMITER SELECT", NULL });
}

/* ---- COPY ---- */

static void test_copy(void **state)
{
	(void)state;
	CHECK(PG,
	      "COPY t (a, b) FROM stdin; -- rest of line skipped\n"
	      "1\tx\n"
	      "2\ty;z\n"
	      "\\.\n"
	      "SELECT 1;\n"
	      "COPY public.u FROM STDIN WITH (FORMAT csv);\n"
	      "a,b\n"
	      "  \\.  \n"
	      "COPY t TO STDOUT;",
	      { "COPY t (a, b) FROM stdin", 1, 1, COPY, "COPY T FROM STDIN", "1\tx\n2\ty;z\n" },
	      { "SELECT 1", 5, 1, SEL, NULL, NULL },
	      { "COPY public.u FROM STDIN WITH (FORMAT csv)", 6, 1, COPY, NULL, "a,b\n" },
	      { "COPY t TO STDOUT", 9, 1, 0, NULL, NULL });
	/* end of script ends the data; CRLF lines are kept as they are */
	CHECK(PG, "COPY t FROM stdin;\r\n1\r\n\\.\r\nSELECT 2;\r\nCOPY t FROM stdin;\n3\n4",
	      { "COPY t FROM stdin", 1, 1, COPY, NULL, "1\r\n" },
	      { "SELECT 2", 4, 1, SEL, NULL, NULL },
	      { "COPY t FROM stdin", 5, 1, COPY, NULL, "3\n4\n" });
	/* COPY is only special in PostgreSQL */
	CHECK(SQLITE, "COPY t FROM stdin;\n1;", { "COPY t FROM stdin", 1, 1, 0, NULL, NULL }, { "1", 2, 1, 0, NULL, NULL });
}

/* ---- positions and text ---- */

static void test_positions(void **state)
{
	(void)state;
	CHECK(PG, "-- header\n/* block\n   comment */\n  SELECT 1;\n\n\n\t  UPDATE t SET a = 'é'; SELECT 2;",
	      { "-- header\n/* block\n   comment */\n  SELECT 1", 4, 3, SEL, NULL, NULL },
	      { "UPDATE t SET a = 'é'", 7, 4, 0, NULL, NULL },
	      { "SELECT 2", 7, 26, SEL, NULL, NULL });
}

static void test_crlf(void **state)
{
	(void)state;
	CHECK(SQLITE, "SELECT 1;\r\nSELECT\r\n  2 -- c\r\n;\r\n\r\n  INSERT INTO t VALUES (1)\r\n",
	      { "SELECT 1", 1, 1, SEL, NULL, NULL },
	      { "SELECT\r\n  2 -- c", 2, 1, SEL, NULL, NULL },
	      { "INSERT INTO t VALUES (1)", 6, 3, 0, NULL, NULL });
}

static void test_empty_statements(void **state)
{
	(void)state;
	CHECK(PG, ";;SELECT 1;;  ; -- only a comment\n;/* x */;\nSELECT 2",
	      { "SELECT 1", 1, 3, SEL, NULL, NULL }, { "SELECT 2", 3, 1, SEL, NULL, NULL });
	CHECK_NONE(PG, "");
	CHECK_NONE(SQLITE, "  \n\t\r\n");
	CHECK_NONE(MY, "-- nothing\n# here\n/* at all */ ; ;");
}

static void test_simplified(void **state)
{
	(void)state;
	CHECK(PG, "create unique index concurrently if not exists idx on t (lower(a), b);",
	      { "create unique index concurrently if not exists idx on t (lower(a), b)", 1, 1, NONTX,
		"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS IDX ON T", NULL });
	/* words with digits are not keywords; at most 10 keywords */
	CHECK(SQLITE, "select a1, b from t2 where a = b and c = d or e = f and g = h and i = j",
	      { "select a1, b from t2 where a = b and c = d or e = f and g = h and i = j", 1, 1, SEL,
		"SELECT B FROM WHERE A B AND C D OR", NULL });
}

/* ---- flags ---- */

static void test_flags_postgres(void **state)
{
	static const char *const nontx[] = {
		"CREATE INDEX CONCURRENTLY i ON t (a)",
		"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)",
		"create index concurrently if not exists i on t(a)",
		"DROP INDEX CONCURRENTLY IF EXISTS i",
		"VACUUM", "VACUUM (ANALYZE) t", "ALTER SYSTEM SET work_mem = '64MB'",
		"CREATE DATABASE d", "DROP DATABASE IF EXISTS d", "CREATE TABLESPACE s LOCATION '/x'",
		"DROP TABLESPACE s", "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p",
		"REINDEX SCHEMA s", "REINDEX DATABASE d", "REINDEX SYSTEM d", "REINDEX VERBOSE SCHEMA s",
		"REINDEX (VERBOSE) DATABASE d", "DISCARD ALL", "-- c\nVACUUM FULL",
	};
	static const char *const tx[] = {
		"CREATE INDEX i ON t (a)", "REINDEX TABLE t", "REINDEX TABLE CONCURRENTLY t",
		"REINDEX INDEX i", "DISCARD PLANS", "DROP TABLE concurrently", "CREATE TABLE vacuum (a int)",
		"INSERT INTO t VALUES ('VACUUM')", "ALTER TABLE t ADD COLUMN a int",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(nontx) / sizeof(nontx[0]); i++)
		check_flags(PG, nontx[i], NONTX);
	for (i = 0; i < sizeof(tx) / sizeof(tx[0]); i++)
		check_flags(PG, tx[i], 0);
	check_flags(PG, "ALTER TYPE mood ADD VALUE 'sad'", SQL_STMT_NONTX_BEFORE_PG12);
	check_flags(PG, "ALTER TYPE s.mood ADD VALUE IF NOT EXISTS 'x' AFTER 'y'", SQL_STMT_NONTX_BEFORE_PG12);
	check_flags(PG, "ALTER TYPE mood RENAME VALUE 'a' TO 'b'", 0);
	/* no NONTX detection outside PostgreSQL (and SQLite's PRAGMA) */
	check_flags(MY, "CREATE DATABASE d", 0);
	check_flags(SQLITE, "VACUUM", 0);
}

static void test_flags_sqlite_and_select(void **state)
{
	(void)state;
	check_flags(SQLITE, "PRAGMA foreign_keys = OFF", NONTX | SEL);
	check_flags(SQLITE, "pragma foreign_keys=on", NONTX | SEL);
	check_flags(SQLITE, "PRAGMA journal_mode = WAL", SEL);
	check_flags(PG, "SELECT 1", SEL);
	check_flags(PG, "WITH x AS (SELECT 1) SELECT * FROM x", SEL);
	check_flags(PG, "(SELECT 1) UNION (SELECT 2)", SEL);
	check_flags(PG, "VALUES (1), (2)", SEL);
	check_flags(PG, "EXPLAIN SELECT 1", SEL);
	check_flags(PG, "TABLE t", SEL);
	check_flags(MY, "SHOW TABLES", SEL);
	check_flags(MY, "DESCRIBE t", SEL);
	check_flags(PG, "INSERT INTO t SELECT 1", 0);
	check_flags(PG, "SELECTED", 0);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	(void)state;
	check_error_n(PG, "SELECT 1;\nSELECT 'abc;\n", 1, "t.sql:2:8: unterminated quoted string");
	check_error_n(PG, "SELECT \"abc", 0, "t.sql:1:8: unterminated quoted identifier");
	check_error_n(PG, "SELECT E'abc\\'", 0, "t.sql:1:9: unterminated quoted string");
	check_error_n(PG, "SELECT 1; /* x /* y */", 1, "t.sql:1:11: unterminated comment");
	check_error_n(PG, "SELECT 1;\n  SELECT $a$ x $a ; $b$", 1, "t.sql:2:10: unterminated dollar-quoted string");
	check_error_n(PG, "SELECT $$", 0, "t.sql:1:8: unterminated dollar-quoted string");
	check_error_n(PG, "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC SELECT 1;\nSELECT 2;",
		      0, "t.sql:1:1: incomplete statement");
	check_error_n(PG, "SELECT 1;\n\n  SELECT (1;\nSELECT 2;", 1, "t.sql:3:3: incomplete statement");
	check_error_n(SQLITE, "CREATE TRIGGER x AFTER INSERT ON t BEGIN\nSELECT 1;", 0, "t.sql:1:1: incomplete statement");
	check_error_n(SQLITE, "SELECT [abc", 0, "t.sql:1:8: unterminated [identifier]");
	check_error_n(SQLITE, "SELECT `a``", 0, "t.sql:1:8: unterminated quoted identifier");
	check_error_n(MY, "SELECT 'a\\'", 0, "t.sql:1:8: unterminated quoted string");
	check_error_n(MY, "SELECT \"a\\\"", 0, "t.sql:1:8: unterminated quoted string");
	check_error_n(MY, "SELECT `a", 0, "t.sql:1:8: unterminated quoted identifier");
	check_error_n(MY, "SELECT 1;\nSELECT 2\n  DELIMITER $$\nSELECT 3$$", 1,
		      "t.sql:3:3: delimiter changed inside statement");
	check_error_n(MY, "DELIMITER   \nSELECT 1;", 0, "t.sql:1:1: DELIMITER without a delimiter");
	check_error_n(MY, "DELIMITER 123456789012345678901234567890123\n", 0, "delimiter too long");
	check_error_n(MY, "CREATE PROCEDURE p() BEGIN SELECT 1; END IF;", 0, "incomplete statement");
}

static void test_error_details(void **state)
{
	struct got g;
	const char *in = "SELECT 1;\nCREATE FUNCTION f() RETURNS int\n  BEGIN ATOMIC SELECT (1;\n";
	(void)state;
	split_all(PG, in, strlen(in), &g);
	assert_int_equal(g.rc, -1);
	assert_string_equal(g.err.message.buf, "t.sql:2:1: incomplete statement at end of script");
	assert_non_null(strstr(g.err.detail.buf, "line 3 col 3"));
	assert_non_null(strstr(g.err.detail.buf, "statement: CREATE FUNCTION f() RETURNS int ..."));
	assert_int_equal(g.err.line, 2);
	got_free(&g);
}

static void test_block_depth_cap(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int i;
	(void)state;
	strbuf_addstr(&sb, "SELECT ");
	for (i = 0; i < 300; i++)
		strbuf_addstr(&sb, "CASE WHEN 1 THEN ");
	check_error_n(SQLITE, sb.buf, 0, "blocks nested too deeply");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "SELECT ");
	for (i = 0; i < 200; i++)
		strbuf_addstr(&sb, "CASE WHEN 1 THEN ");
	strbuf_addstr(&sb, "1");
	for (i = 0; i < 200; i++)
		strbuf_addstr(&sb, " END");
	strbuf_addstr(&sb, "; SELECT 2");
	{
		struct got g;
		split_all(SQLITE, sb.buf, sb.len, &g);
		assert_int_equal(g.rc, 0);
		assert_int_equal(g.n, 2);
		got_free(&g);
	}
	strbuf_release(&sb);
}

static void test_read_error(void **state)
{
	const char *in = "SELECT 1;\nSELECT 2;\nSELECT 3;";
	struct chunk_reader r = { in, strlen(in), 0, 4, 12 };
	struct sqlsplit *s = sqlsplit_new(PG, chunk_read, &r, "t.sql");
	struct sql_stmt st = SQL_STMT_INIT;
	struct fw_error err = FW_ERROR_INIT;
	(void)state;
	assert_int_equal(sqlsplit_next(s, &st, &err), 1);
	assert_string_equal(st.sql.buf, "SELECT 1");
	assert_int_equal(sqlsplit_next(s, &st, &err), -1);
	assert_non_null(strstr(err.message.buf, "t.sql: error reading script"));
	assert_int_equal(sqlsplit_next(s, &st, &err), -1);
	sql_stmt_release(&st);
	fw_error_clear(&err);
	sqlsplit_free(s);
}

/* ---- big statements and chunk boundaries ---- */

static void test_long_statements(void **state)
{
	struct strbuf sb = STRBUF_INIT, want1 = STRBUF_INIT;
	struct got g;
	int i;
	(void)state;
	/* a 300 KB INSERT and a dollar quote longer than a 64 KiB chunk */
	strbuf_addstr(&sb, "INSERT INTO t VALUES ");
	for (i = 0; i < 10000; i++)
		strbuf_addf(&sb, "%s(%d, 'x;''y', E'\\';')", i ? "," : "", i);
	strbuf_addbuf(&want1, &sb);
	strbuf_addstr(&sb, ";\nDO $body$");
	for (i = 0; i < 20000; i++)
		strbuf_addstr(&sb, "a;$ $b");
	strbuf_addstr(&sb, "$body$;\nSELECT 1;");
	split_all(PG, sb.buf, sb.len, &g);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.st[0].sql.buf, want1.buf);
	assert_int_equal(g.st[1].line, 2);
	assert_int_equal(g.st[1].sql.len, 3 + 6 + 6 * 20000 + 6);
	assert_int_equal(g.st[2].line, 3);
	got_free(&g);
	strbuf_release(&sb);
	strbuf_release(&want1);
}

/* a reader that hands out a script of `n` identical INSERTs without holding it */
struct gen_reader {
	long left, off;
};

static const char gen_line[] = "INSERT INTO t VALUES (1, 'some text; more', 3.5);\n";

static long gen_read(void *ctx, char *buf, size_t n)
{
	struct gen_reader *r = ctx;
	size_t done = 0, ll = sizeof(gen_line) - 1;
	while (done < n && r->left > 0) {
		size_t k = ll - (size_t)r->off;
		if (k > n - done)
			k = n - done;
		memcpy(buf + done, gen_line + r->off, k);
		done += k;
		r->off += (long)k;
		if ((size_t)r->off == ll) {
			r->off = 0;
			r->left--;
		}
	}
	return (long)done;
}

static void test_streaming_many(void **state)
{
	struct gen_reader r = { 200000, 0 };
	struct sqlsplit *s = sqlsplit_new(SQLITE, gen_read, &r, "gen.sql");
	struct sql_stmt st = SQL_STMT_INIT;
	struct fw_error err = FW_ERROR_INIT;
	long n = 0;
	(void)state;
	while (sqlsplit_next(s, &st, &err) == 1) {
		n++;
		if (n == 1 || n == 123457) {
			assert_string_equal(st.sql.buf, "INSERT INTO t VALUES (1, 'some text; more', 3.5)");
			assert_int_equal(st.line, n);
		}
	}
	assert_false(fw_error_is_set(&err));
	assert_int_equal(n, 200000);
	/* the statement buffer never grew beyond one statement */
	assert_true(st.sql.alloc < 256);
	sql_stmt_release(&st);
	sqlsplit_free(s);
}

static void test_binary_input(void **state)
{
	/* junk bytes must not confuse positions or lengths */
	static const char in[] = "SELECT '\x02';\x01\xff\xfe;\x03SELECT 2";
	struct got g;
	(void)state;
	split_all(SQLITE, in, sizeof(in) - 1, &g);
	assert_int_equal(g.rc, 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.st[0].sql.len, 10);
	assert_int_equal(g.st[2].sql.len, 9);
	got_free(&g);
}

/* the C APIs of the databases end a statement at a NUL: DELETE FROM a<NUL> WHERE id = 5
 * would run as DELETE FROM a; the statements before it are handed out, then the error */
static void test_nul_byte(void **state)
{
	static const char in[] = "SELECT 1;\nDELETE FROM a\0 WHERE id = 5;\nSELECT 2;";
	static const char in2[] = "SELECT 1; -- \0 in a comment\nSELECT 2;";
	static const char in3[] = "SELECT 'x\0y';";
	struct got g;
	(void)state;
	for (int d = SQLITE; d <= MY; d++) {
		split_all((enum sql_dialect)d, in, sizeof(in) - 1, &g);
		assert_int_equal(g.rc, -1);
		assert_int_equal(g.n, 1);
		assert_string_equal(g.err.message.buf, "t.sql:2:14: the script contains a NUL byte");
		assert_int_equal(g.err.line, 2);
		got_free(&g);
	}
	split_all(PG, in2, sizeof(in2) - 1, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.n, 1);   /* the comment leads the second statement */
	got_free(&g);
	split_all(MY, in3, sizeof(in3) - 1, &g);
	assert_int_equal(g.rc, -1);
	assert_int_equal(g.n, 0);
	assert_non_null(strstr(g.err.message.buf, "t.sql:1:10:"));
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quotes_sqlite),
		cmocka_unit_test(test_quotes_postgres),
		cmocka_unit_test(test_dollar_quotes),
		cmocka_unit_test(test_quotes_mysql),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_comments_mysql),
		cmocka_unit_test(test_pg_begin_atomic),
		cmocka_unit_test(test_sqlite_trigger),
		cmocka_unit_test(test_mysql_trigger_no_delimiter),
		cmocka_unit_test(test_mysql_delimiter),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_empty_statements),
		cmocka_unit_test(test_simplified),
		cmocka_unit_test(test_flags_postgres),
		cmocka_unit_test(test_flags_sqlite_and_select),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_details),
		cmocka_unit_test(test_block_depth_cap),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_long_statements),
		cmocka_unit_test(test_streaming_many),
		cmocka_unit_test(test_binary_input),
		cmocka_unit_test(test_nul_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
