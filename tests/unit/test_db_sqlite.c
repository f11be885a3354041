/* The SQLite driver through the db.h wrappers: statements, parameters,
 * batches, the history table DDL (reference 4.2), schema emptiness (6.1),
 * clean (7.3), the cross-process lock (14, items 2-3), fault injection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "db/db-internal.h"   /* db_sleep_ms */
#include "util/xalloc.h"
#include "engine/history.h"

static char dir[] = "/tmp/fw-sqlite-test-XXXXXX";

static long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

/* a URL for a fresh database file in the test directory */
static char *db_url(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "jdbc:sqlite:%s/%s", dir, name);
	return strbuf_detach(&sb, NULL);
}

static struct db *open_url(const char *url)
{
	struct db_params p = { .url = url };
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	if (db_open(&p, &db, &err) < 0)
		fail_msg("db_open %s: %s / %s", url, err.message.buf, err.detail.buf);
	return db;
}

static struct db *open_named(const char *name)
{
	char *url = db_url(name);
	struct db *db = open_url(url);
	free(url);
	return db;
}

static void exec_ok(struct db *db, const char *sql)
{
	struct fw_error err = FW_ERROR_INIT;
	if (db_exec(db, sql, &err) < 0)
		fail_msg("%s: %s", sql, err.message.buf);
}

/* first value of a query, as a new string ("" for no row, "NULL" for NULL) */
static char *value(struct db *db, const char *sql)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db_result *r = NULL;
	char *v;
	if (db_query(db, sql, 0, NULL, &r, &err) < 0)
		fail_msg("%s: %s", sql, err.message.buf);
	v = xstrdup(r->nrows == 0 ? "" : db_value(r, 0, 0) ? db_value(r, 0, 0) : "NULL");
	db_result_free(r);
	return v;
}

static void assert_value(struct db *db, const char *sql, const char *expected)
{
	char *v = value(db, sql);
	if (strcmp(v, expected))
		fail_msg("%s: got '%s', expected '%s'", sql, v, expected);
	free(v);
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	unsetenv("FLEETWAY_FAULT_INJECT");
	return 0;
}

static int teardown(void **state)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(&cmd, "rm -rf '%s'", dir);
	if (system(cmd.buf) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	strbuf_release(&cmd);
	return 0;
}

static void test_open_exec_query(void **state)
{
	struct db *db = open_named("basic.db");
	struct fw_error err = FW_ERROR_INIT;
	struct db_result *r = NULL;
	const char *params[] = { "1", "one", NULL };
	char *s;

	assert_int_equal(db_kind(db), DB_SQLITE);
	assert_true(!strncmp(db_product(db), "SQLite 3.", 9));
	assert_true(db_supports_ddl_transactions(db));
	assert_string_equal(db_bool_literal(db, 1), "1");
	assert_string_equal(db_bool_literal(db, 0), "0");

	/* several statements, one of them returning rows */
	exec_ok(db, "CREATE TABLE t (id INT, name TEXT, note TEXT); PRAGMA journal_mode; "
		"SELECT 1;  -- trailing comment\n");
	assert_int_equal(db_query(db, "INSERT INTO t VALUES (?, ?, ?)", 3, params, &r, &err), 0);
	assert_non_null(r);
	assert_int_equal(r->nrows, 0);
	db_result_free(r);
	params[0] = "2";
	params[1] = "two";
	params[2] = "x";
	assert_int_equal(db_query(db, "INSERT INTO t VALUES (?, ?, ?)", 3, params, &r, &err), 0);
	db_result_free(r);

	assert_int_equal(db_query(db, "SELECT id, name, note FROM t WHERE id >= ? ORDER BY id", 1,
				  (const char *[]){ "1" }, &r, &err), 0);
	assert_int_equal(r->nrows, 2);
	assert_int_equal(r->ncols, 3);
	assert_string_equal(r->colnames[1], "name");
	assert_string_equal(db_value(r, 0, 1), "one");
	assert_null(db_value(r, 0, 2));          /* SQL NULL */
	assert_string_equal(db_value(r, 1, 2), "x");
	assert_null(db_value(r, 2, 0));          /* out of range */
	db_result_free(r);

	/* introspection */
	assert_int_equal(db_current_schema(db, &s, &err), 0);
	assert_string_equal(s, "main");
	free(s);
	assert_int_equal(db_current_user(db, &s, &err), 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(db_database_name(db, &s, &err), 0);
	assert_null(s);

	/* an error carries the statement */
	assert_int_equal(db_exec(db, "SELECT * FROM missing_table", &err), -1);
	assert_non_null(strstr(err.message.buf, "no such table"));
	assert_non_null(strstr(err.detail.buf, "SELECT * FROM missing_table"));
	assert_int_equal(err.sql_errcode, 1);
	fw_error_clear(&err);
	db_close(db);
}

static int nrows_seen;
static void count_rows(void *ctx, const struct db_result *r)
{
	(void)ctx;
	nrows_seen += r->nrows;
}

static void test_batch(void **state)
{
	struct db *db = open_named("batch.db");
	struct fw_error err = FW_ERROR_INIT;
	const char *params[] = { "7" };
	struct db_cmd c1 = { .sql = "CREATE TABLE b (x INT)", .line = 1 };
	struct db_cmd c2 = { .sql = "INSERT INTO b VALUES (?)", .nparams = 1, .params = params,
			     .line = 2 };
	struct db_cmd c3 = { .sql = "SELECT x FROM b UNION ALL SELECT 8", .line = 3, .want_rows = 1 };
	struct db_cmd bad = { .sql = "INSERT INTO nope VALUES (1)", .line = 42 };

	db_set_rows_handler(db, count_rows, NULL);
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(db_batch_add(db, &c1, &err), 0);
	assert_int_equal(db_batch_add(db, &c2, &err), 0);
	assert_int_equal(db_batch_add(db, &c3, &err), 0);
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(db_batch_end(db, &err), 0);
	assert_int_equal(nrows_seen, 2);
	assert_value(db, "SELECT count(*) FROM b", "1");

	/* an error: line and statement, then the caller rolls back */
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(db_batch_add(db, &c2, &err), 0);
	assert_int_equal(db_batch_add(db, &bad, &err), -1);
	assert_int_equal(err.line, 42);
	assert_non_null(strstr(err.detail.buf, "statement at line 42: INSERT INTO nope"));
	fw_error_clear(&err);
	assert_int_equal(db_batch_end(db, &err), 0);   /* the batch is already over */
	assert_int_equal(db_rollback(db, &err), 0);
	assert_value(db, "SELECT count(*) FROM b", "1");

	/* COPY does not exist in SQLite */
	{
		struct db_cmd copy = { .sql = "COPY b FROM STDIN", .copy_data = "1\n", .copy_len = 2 };
		assert_int_equal(db_batch_add(db, &copy, &err), -1);
		fw_error_clear(&err);
	}
	db_close(db);
}

/* reference 4.2, SQLite; SQLite stores the text without the "main". prefix */
static const char ref_table_ddl[] =
	"CREATE TABLE \"flyway_schema_history\" (\n"
	"    \"installed_rank\" INT NOT NULL PRIMARY KEY,\n"
	"    \"version\" VARCHAR(50),\n"
	"    \"description\" VARCHAR(200) NOT NULL,\n"
	"    \"type\" VARCHAR(20) NOT NULL,\n"
	"    \"script\" VARCHAR(1000) NOT NULL,\n"
	"    \"checksum\" INT,\n"
	"    \"installed_by\" VARCHAR(100) NOT NULL,\n"
	"    \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),\n"
	"    \"execution_time\" INT NOT NULL,\n"
	"    \"success\" BOOLEAN NOT NULL\n"
	")";
static const char ref_index_ddl[] =
	"CREATE INDEX \"flyway_schema_history_s_idx\" ON \"flyway_schema_history\" (\"success\")";

static void test_history_table(void **state)
{
	struct db *db = open_named("history.db");
	struct fw_error err = FW_ERROR_INIT;
	struct db_result *r = NULL;
	const char *params[] = { "1", "1", "first", "SQL", "V1__first.sql", "-123", "", "5", "1" };
	int exists = -1;

	assert_int_equal(db_table_exists(db, "main", "flyway_schema_history", &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(db_create_history_table(db, "main", "flyway_schema_history", NULL, &err), 0);
	assert_int_equal(db_table_exists(db, "main", "flyway_schema_history", &exists, &err), 0);
	assert_true(exists);
	assert_value(db, "SELECT sql FROM sqlite_master WHERE name = 'flyway_schema_history'",
		     ref_table_ddl);
	assert_value(db, "SELECT sql FROM sqlite_master WHERE name = 'flyway_schema_history_s_idx'",
		     ref_index_ddl);
	assert_value(db, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%'", "2");

	/* Flyway's insert (reference 4.3) and the installed_on default */
	assert_int_equal(db_query(db, "INSERT INTO \"main\".\"flyway_schema_history\" (\"installed_rank\","
				  "\"version\",\"description\",\"type\",\"script\",\"checksum\","
				  "\"installed_by\",\"execution_time\",\"success\") VALUES "
				  "(?,?,?,?,?,?,?,?,?)", 9, params, &r, &err), 0);
	db_result_free(r);
	assert_value(db, "SELECT checksum || '|' || success || '|' || typeof(installed_rank) || '|' || "
		     "(installed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
		     "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]') FROM flyway_schema_history",
		     "-123|1|integer|1");

	/* creating it twice fails and leaves no transaction open */
	assert_int_equal(db_create_history_table(db, "main", "flyway_schema_history", NULL, &err), -1);
	fw_error_clear(&err);
	exec_ok(db, "BEGIN; COMMIT");
	db_close(db);
}

static void test_schema_empty_and_clean(void **state)
{
	struct db *db = open_named("clean.db");
	struct fw_error err = FW_ERROR_INIT;
	int empty = -1, exists = -1;

	assert_int_equal(db_schema_exists(db, "main", &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(db_schema_exists(db, "elsewhere", &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(db_schema_is_empty(db, "main", &empty, &err), 0);
	assert_true(empty);

	/* sqlite_sequence alone does not make a schema non-empty */
	exec_ok(db, "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT); INSERT INTO a DEFAULT VALUES;"
		" DROP TABLE a");
	assert_value(db, "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'", "1");
	assert_int_equal(db_schema_is_empty(db, "main", &empty, &err), 0);
	assert_true(empty);

	exec_ok(db, "PRAGMA foreign_keys = ON;"
		"CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT UNIQUE);"
		"CREATE TABLE child (id INT, pid INT REFERENCES parent(id));"
		"CREATE INDEX child_pid ON child(pid);"
		"CREATE VIEW pv AS SELECT * FROM parent JOIN child ON child.pid = parent.id;"
		"CREATE TRIGGER tr AFTER INSERT ON parent BEGIN INSERT INTO child VALUES (0, new.id); END;"
		"CREATE TRIGGER vtr INSTEAD OF INSERT ON pv BEGIN SELECT 1; END;"
		"INSERT INTO parent (v) VALUES ('x');");
	assert_int_equal(db_schema_is_empty(db, "main", &empty, &err), 0);
	assert_false(empty);
	/* a virtual table and its shadow tables, where FTS5 is compiled in */
	{
		struct fw_error e2 = FW_ERROR_INIT;
		db_exec(db, "CREATE VIRTUAL TABLE docs USING fts5(body)", &e2);
		fw_error_clear(&e2);
	}
	assert_int_equal(db_create_history_table(db, "main", "flyway_schema_history", NULL, &err), 0);

	assert_int_equal(db_clean_schema(db, "main", &err), 0);
	assert_value(db, "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'", "0");
	assert_int_equal(db_schema_is_empty(db, "main", &empty, &err), 0);
	assert_true(empty);
	assert_value(db, "PRAGMA foreign_keys", "1");   /* restored */

	/* attached databases are schemas; SQLite cannot create or drop them */
	{
		struct strbuf sql = STRBUF_INIT;
		strbuf_addf(&sql, "ATTACH DATABASE '%s/other.db' AS other", dir);
		exec_ok(db, sql.buf);
		strbuf_release(&sql);
	}
	assert_int_equal(db_schema_exists(db, "other", &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(db_create_history_table(db, "other", "hist", NULL, &err), 0);
	assert_value(db, "SELECT count(*) FROM other.sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%'",
		     "2");
	assert_int_equal(db_create_schema(db, "more", &err), -1);
	assert_non_null(strstr(err.message.buf, "SQLite does not support creating schemas"));
	fw_error_clear(&err);
	assert_int_equal(db_drop_schema(db, "other", &err), -1);
	fw_error_clear(&err);
	db_close(db);
}

static void test_display_url_and_init_sql(void **state)
{
	struct strbuf url = STRBUF_INIT;
	struct db_params p = { 0 };
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;

	strbuf_addf(&url, "jdbc:sqlite:%s/disp.db?password=verysecret&foreign_keys=true", dir);
	p.url = url.buf;
	p.init_sql = "CREATE TABLE from_init (x); INSERT INTO from_init VALUES (1)";
	assert_int_equal(db_open(&p, &db, &err), 0);
	assert_null(strstr(db_display_url(db), "verysecret"));
	assert_non_null(strstr(db_display_url(db), "disp.db?foreign_keys=true"));
	assert_value(db, "SELECT count(*) FROM from_init", "1");
	assert_value(db, "PRAGMA foreign_keys", "1");   /* URL pragma applied */
	db_close(db);

	/* a failing initSql fails the open */
	p.init_sql = "SELECT * FROM nowhere";
	assert_int_equal(db_open(&p, &db, &err), -1);
	assert_non_null(strstr(err.message.buf, "initSql"));
	fw_error_clear(&err);
	strbuf_release(&url);
}

static void test_connect_failure(void **state)
{
	struct db_params p = { .url = "jdbc:sqlite:/nonexistent-dir/sub/x.db" };
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	assert_int_equal(db_open(&p, &db, &err), -1);
	assert_string_equal(err.code, "DB_CONNECTION");
	assert_string_equal(err.message.buf, "unable to connect to jdbc:sqlite:/nonexistent-dir/sub/x.db");
	assert_non_null(strstr(err.detail.buf, "unable to open database file"));
	assert_non_null(strstr(err.hint.buf, "connectRetries"));
	fw_error_clear(&err);
}

/* ---- the lock ---- */

static void *cancel_later(void *db)
{
	db_sleep_ms(300);
	db_cancel(db);
	return NULL;
}

/* the change counter moves on another connection's commit, not on our own
 * writes; a history read stays current across the lock only when it did not */
static void test_change_counter_and_recheck(void **state)
{
	struct db *a = open_named("counter.db"), *b = open_named("counter.db");
	struct fw_error err = FW_ERROR_INIT;
	struct fw_history h;
	long long c0, c1;
	int known = 0;

	exec_ok(a, "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version TEXT, "
		   "description TEXT, type TEXT, script TEXT, checksum INT, installed_by TEXT, "
		   "installed_on TEXT, execution_time INT, success INT)");
	assert_int_equal(db_change_counter(a, "main", &c0, &known, &err), 0);
	assert_true(known);
	exec_ok(a, "INSERT INTO flyway_schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', 0, "
		   "'me', '2026-01-01 00:00:00', 1, 1)");
	assert_int_equal(db_change_counter(a, "main", &c1, &known, &err), 0);
	assert_true(c0 == c1);   /* our own write does not count */

	fw_history_init(&h, a, "main", "flyway_schema_history");
	assert_int_equal(fw_history_load(&h, &err), 0);
	assert_int_equal((int)h.nr, 1);
	fw_history_recheck(&h);
	assert_true(h.current);  /* nobody else wrote */

	exec_ok(b, "UPDATE flyway_schema_history SET success = 0");
	fw_history_recheck(&h);
	assert_false(h.current); /* another connection committed: read again */
	assert_int_equal(fw_history_load(&h, &err), 0);
	assert_int_equal(h.rows[0].success, 0);
	fw_history_recheck(&h);
	assert_true(h.current);

	fw_history_release(&h);
	db_close(a);
	db_close(b);
}

static void test_lock_two_connections(void **state)
{
	struct db *a = open_named("lock.db"), *b = open_named("lock.db");
	struct fw_error err = FW_ERROR_INIT;
	long t0;

	assert_int_equal(db_lock(a, "main", "flyway_schema_history", 0, &err), 0);
	assert_int_equal(db_lock(a, "main", "flyway_schema_history", 0, &err), 0);  /* nests */
	t0 = now_ms();
	assert_int_equal(db_lock(b, "main", "flyway_schema_history", 0, &err), -1);
	assert_true(now_ms() - t0 < 500);
	assert_non_null(strstr(err.message.buf, "Number of retries exceeded"));
	assert_non_null(strstr(err.message.buf, "lockRetryCount"));
	fw_error_clear(&err);
	assert_int_equal(db_unlock(a, &err), 0);
	assert_int_equal(db_lock(b, "main", "flyway_schema_history", 0, &err), -1);  /* still held */
	fw_error_clear(&err);
	/* a wait without end gives up when cancelled (Ctrl-C in fleet mode) */
	{
		pthread_t th;
		t0 = now_ms();
		assert_int_equal(pthread_create(&th, NULL, cancel_later, b), 0);
		assert_int_equal(db_lock(b, "main", "flyway_schema_history", -1, &err), -1);
		pthread_join(th, NULL);
		assert_true(now_ms() - t0 < 1500);
		assert_int_equal(err.exit_code, FW_EXIT_INTERRUPTED);
		fw_error_clear(&err);
		db_close(b);
		b = open_named("lock.db");
	}
	assert_int_equal(db_unlock(a, &err), 0);
	assert_int_equal(db_lock(b, "main", "flyway_schema_history", 0, &err), 0);
	assert_int_equal(db_unlock(b, &err), 0);

	/* :memory: needs no lock */
	{
		struct db *m = open_url("jdbc:sqlite::memory:");
		assert_int_equal(db_lock(m, "main", "flyway_schema_history", 0, &err), 0);
		assert_int_equal(db_unlock(m, &err), 0);
		db_close(m);
	}
	db_close(a);
	db_close(b);
}

/* another process holds the lock: retry_count=1 gives up after about 1 s,
 * retry_count=-1 waits until it is released */
static void test_lock_across_processes(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	int go[2], done[2];
	char c;
	pid_t pid;
	long t0;
	struct db *db;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct db *holder = open_named("xlock.db");
		if (db_lock(holder, "main", "flyway_schema_history", 0, &err) < 0)
			_exit(1);
		if (write(go[1], "x", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		db_sleep_ms(1500);
		db_unlock(holder, &err);
		db_close(holder);
		_exit(0);
	}
	assert_int_equal(read(go[0], &c, 1), 1);
	db = open_named("xlock.db");
	t0 = now_ms();
	assert_int_equal(db_lock(db, "main", "flyway_schema_history", 1, &err), -1);
	assert_in_range(now_ms() - t0, 900, 2500);
	fw_error_clear(&err);
	assert_int_equal(write(done[1], "x", 1), 1);
	t0 = now_ms();
	assert_int_equal(db_lock(db, "main", "flyway_schema_history", -1, &err), 0);
	assert_in_range(now_ms() - t0, 1200, 5000);
	assert_int_equal(db_unlock(db, &err), 0);
	db_close(db);
	{
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

/* one "migrate" of a child process: everything Flyway does under the lock */
static int child_migrate(int id)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	char *url = db_url("concurrent.db"), rank[16], desc[32];
	struct db_params p = { .url = url, .lock_retry_count = 50 };   /* the default */
	struct db_result *r = NULL;
	const char *params[] = { rank, desc };
	int exists = 0, ret = 1;

	if (db_open(&p, &db, &err) < 0)
		goto out;
	if (db_lock(db, "main", "flyway_schema_history", 50, &err) < 0)
		goto out;
	if (db_table_exists(db, "main", "flyway_schema_history", &exists, &err) < 0)
		goto out;
	if (!exists && db_create_history_table(db, "main", "flyway_schema_history", NULL, &err) < 0)
		goto out;
	if (db_query(db, "SELECT coalesce(max(installed_rank), 0) + 1 FROM flyway_schema_history",
		     0, NULL, &r, &err) < 0)
		goto out;
	snprintf(rank, sizeof(rank), "%s", db_value(r, 0, 0));
	db_result_free(r);
	r = NULL;
	snprintf(desc, sizeof(desc), "process %d", id);
	db_sleep_ms(20);   /* widen the window a missing lock would open */
	if (db_begin(db, &err) < 0 ||
	    db_query(db, "INSERT INTO flyway_schema_history (installed_rank, version, description,"
		     " type, script, checksum, installed_by, execution_time, success) VALUES"
		     " (?, NULL, ?, 'SQL', 'x.sql', NULL, '', 0, 1)", 2, params, &r, &err) < 0 ||
	    db_commit(db, &err) < 0)
		goto out;
	if (db_unlock(db, &err) < 0)
		goto out;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "child %d: %s\n", id, err.message.buf);
	db_result_free(r);
	db_close(db);
	free(url);
	fw_error_clear(&err);
	return ret;
}

/* reference 14, item 3: six processes at once all succeed, each row once */
static void test_concurrent_processes(void **state)
{
	enum { N = 6 };
	pid_t pids[N];
	struct db *db;
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(child_migrate(i));
	}
	for (int i = 0; i < N; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	db = open_named("concurrent.db");
	assert_value(db, "SELECT count(*) || ' ' || count(DISTINCT installed_rank) || ' ' || "
		     "max(installed_rank) FROM flyway_schema_history", "6 6 6");
	db_close(db);
}

/* different connections on different threads at once (fleet mode) */
static void *thread_work(void *arg)
{
	char name[32];
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	long ok = 1;
	snprintf(name, sizeof(name), "thread%ld.db", (long)(intptr_t)arg);
	db = open_named(name);
	ok &= db_lock(db, "main", "flyway_schema_history", 5, &err) == 0;
	ok &= db_create_history_table(db, "main", "flyway_schema_history", NULL, &err) == 0;
	ok &= db_batch_begin(db, &err) == 0 && db_begin(db, &err) == 0;
	for (int i = 1; ok && i <= 200; i++) {
		char rank[16];
		const char *params[] = { rank };
		struct db_cmd c = { .sql = "INSERT INTO flyway_schema_history (installed_rank, version,"
				    " description, type, script, checksum, installed_by, execution_time,"
				    " success) VALUES (?, NULL, 'd', 'SQL', 's', NULL, '', 0, 1)",
				    .nparams = 1, .params = params, .line = i };
		snprintf(rank, sizeof(rank), "%d", i);
		ok &= db_batch_add(db, &c, &err) == 0;
	}
	ok &= db_commit(db, &err) == 0 && db_batch_end(db, &err) == 0;
	ok &= db_unlock(db, &err) == 0;
	db_close(db);
	if (!ok)
		fprintf(stderr, "thread %s: %s\n", name, err.message.buf);
	fw_error_clear(&err);
	return (void *)ok;
}

static void test_threads(void **state)
{
	enum { N = 4 };
	pthread_t th[N];
	for (long i = 0; i < N; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_work, (void *)i), 0);
	for (int i = 0; i < N; i++) {
		void *ok;
		pthread_join(th[i], &ok);
		assert_true(ok == (void *)1);
	}
	{
		struct db *db = open_named("thread3.db");
		assert_value(db, "SELECT count(*) FROM flyway_schema_history", "200");
		db_close(db);
	}
}

/* ---- fault injection ---- */

static void test_fault_injection(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	struct db_cmd ins = { .sql = "INSERT INTO f VALUES (1)", .line = 9 };
	struct db_cmd other = { .sql = "SELECT 1", .line = 8 };
	char *url = db_url("fault.db");
	struct db_params p = { .url = url };
	long t0;

	setenv("FLEETWAY_FAULT_INJECT", "exec:2,batch_add:2:INSERT INTO f,commit:1", 1);
	db = open_named("fault.db");
	exec_ok(db, "CREATE TABLE f (x)");
	assert_int_equal(db_exec(db, "SELECT 1", &err), -1);            /* the 2nd exec */
	assert_non_null(strstr(err.message.buf, "injected fault: db_exec call 2"));
	fw_error_clear(&err);
	exec_ok(db, "SELECT 1");                                         /* only the 2nd */

	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_batch_add(db, &ins, &err), 0);
	assert_int_equal(db_batch_add(db, &other, &err), 0);            /* does not match */
	assert_int_equal(db_batch_add(db, &ins, &err), -1);
	assert_int_equal(err.line, 9);
	assert_non_null(strstr(err.detail.buf, "INSERT INTO f"));
	fw_error_clear(&err);
	assert_int_equal(db_batch_end(db, &err), 0);

	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(db_commit(db, &err), -1);
	fw_error_clear(&err);
	assert_int_equal(db_rollback(db, &err), 0);
	db_close(db);

	/* a failed connection attempt is retried after 1 s */
	setenv("FLEETWAY_FAULT_INJECT", "open:1", 1);
	p.connect_retries = 1;
	t0 = now_ms();
	assert_int_equal(db_open(&p, &db, &err), 0);
	assert_in_range(now_ms() - t0, 900, 3000);
	db_close(db);
	p.connect_retries = 0;
	assert_int_equal(db_open(&p, &db, &err), -1);
	assert_string_equal(err.code, "DB_CONNECTION");
	assert_non_null(strstr(err.detail.buf, "injected fault"));
	fw_error_clear(&err);
	unsetenv("FLEETWAY_FAULT_INJECT");
	free(url);
}

/* ---- check's knowledge of the data: sizes and limits ---- */

static void test_table_size_and_timeouts(void **state)
{
	struct db *db = open_named("review.db"), *other = open_named("review.db");
	struct fw_error err = FW_ERROR_INIT;
	struct db_table_size sz;
	struct db_timeouts to = { 300, 200 };
	long t0;
	exec_ok(db, "CREATE TABLE sized AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500) SELECT x FROM c");
	/* no catalog estimate: a count that stops at the limit */
	assert_int_equal(db_table_size(db, "main", "sized", 100, &sz, &err), 0);
	assert_true(sz.found);
	assert_int_equal(sz.how, DB_ROWS_AT_LEAST);
	assert_int_equal(sz.rows, 101);
	assert_int_equal(db_table_size(db, "main", "sized", 1000, &sz, &err), 0);
	assert_int_equal(sz.how, DB_ROWS_EXACT);
	assert_int_equal(sz.rows, 500);
	assert_int_equal(db_table_size(db, "main", "missing", 1000, &sz, &err), 0);
	assert_false(sz.found);
	/* another connection writes: BEGIN IMMEDIATE waits lockTimeout, not lockRetryCount */
	exec_ok(other, "BEGIN IMMEDIATE");
	assert_int_equal(db_set_timeouts(db, &to, DB_TIMEOUTS_BEFORE_BEGIN, &err), 0);
	t0 = (long)time(NULL);
	assert_int_equal(db_begin(db, &err), -1);
	assert_true((long)time(NULL) - t0 <= 2);
	assert_int_equal(db_timeout_kind(db, &err), 1);
	fw_error_clear(&err);
	exec_ok(other, "ROLLBACK");
	/* a statement past its deadline is interrupted, and says so */
	assert_int_equal(db_exec(db, "SELECT COUNT(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
			 " WHERE x < 100000000) SELECT x FROM c)", &err), -1);
	assert_int_equal(db_timeout_kind(db, &err), 2);
	assert_non_null(strstr(err.message.buf, "statement timeout"));
	fw_error_clear(&err);
	assert_int_equal(db_reset_timeouts(db, &err), 0);
	assert_int_equal(db_timeout_kind(db, &err), 0);
	db_close(other);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_exec_query),
		cmocka_unit_test(test_batch),
		cmocka_unit_test(test_history_table),
		cmocka_unit_test(test_schema_empty_and_clean),
		cmocka_unit_test(test_display_url_and_init_sql),
		cmocka_unit_test(test_connect_failure),
		cmocka_unit_test(test_change_counter_and_recheck),
		cmocka_unit_test(test_lock_two_connections),
		cmocka_unit_test(test_lock_across_processes),
		cmocka_unit_test(test_concurrent_processes),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_fault_injection),
		cmocka_unit_test(test_table_size_and_timeouts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
