/* The PostgreSQL driver against a real server: pipelined batches (round
 * trips counted from a libpq protocol trace), errors, COPY, memory on huge
 * batches, the advisory lock (reference 12.1) and CREATE INDEX CONCURRENTLY
 * under it (14, item 1), history DDL (4.2), emptiness (6.1), clean (7.3).
 *
 * FW_TEST_PG_URL names a jdbc:postgresql URL to a database where the user may
 * create schemas and extensions; without it these tests are skipped. Every
 * run works in a schema of its own (fwt_<pid>), given as currentSchema. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>
#include "db/db-internal.h"
#include "util/xalloc.h"

/* keep ASan's quarantine small so that RSS measures what we hold */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=8";
}

static const char *base_url;
static char schema[64];
static char *url;              /* base_url + currentSchema=<schema> */

static long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

static struct db *connect_db(void)
{
	struct db_params p = { .url = url };
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	if (db_open(&p, &db, &err) < 0)
		fail_msg("db_open: %s / %s", err.message.buf, err.detail.buf);
	return db;
}

static void exec_ok(struct db *db, const char *sql)
{
	struct fw_error err = FW_ERROR_INIT;
	if (db_exec(db, sql, &err) < 0)
		fail_msg("%s: %s", sql, err.message.buf);
}

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

struct notices {
	int nr;
	char *state[4], *msg[4];
};

static void on_notice(void *ctx, const char *sqlstate, int code, const char *message)
{
	struct notices *n = ctx;
	(void)code;
	if (n->nr < 4) {
		n->state[n->nr] = xstrdup(sqlstate);
		n->msg[n->nr++] = xstrdup(message);
	}
}

static void assert_value(struct db *db, const char *sql, const char *expected)
{
	char *v = value(db, sql);
	if (strcmp(v, expected))
		fail_msg("%s: got '%s', expected '%s'", sql, v, expected);
	free(v);
}

static void add(struct db *db, const char *sql, int line)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db_cmd c = { .sql = sql, .line = line };
	if (db_batch_add(db, &c, &err) < 0)
		fail_msg("%s: %s", sql, err.message.buf);
}

static int setup(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct db *db;
	base_url = getenv("FW_TEST_PG_URL");
	if (!base_url || !*base_url)
		return 0;
	snprintf(schema, sizeof(schema), "fwt_%d", (int)getpid());
	strbuf_addf(&sb, "%s%ccurrentSchema=%s", base_url, strchr(base_url, '?') ? '&' : '?',
		    schema);
	url = strbuf_detach(&sb, NULL);
	db = connect_db();
	strbuf_addf(&sb, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema);
	exec_ok(db, sb.buf);
	strbuf_release(&sb);
	db_close(db);
	return 0;
}

static int teardown(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct db *db;
	if (!url)
		return 0;
	db = connect_db();
	strbuf_addf(&sb, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	exec_ok(db, sb.buf);
	strbuf_release(&sb);
	db_close(db);
	free(url);
	return 0;
}

#define NEED_SERVER() do { if (!url) skip(); } while (0)

/* ---- round trips, from a protocol trace ---- */

static FILE *trace;
static char trace_path[64];

static void trace_start(struct db *db)
{
	snprintf(trace_path, sizeof(trace_path), "/tmp/fw-pg-trace-%d", (int)getpid());
	trace = fopen(trace_path, "w+");
	assert_non_null(trace);
	PQtrace(db_pg_native(db), trace);
	PQsetTraceFlags(db_pg_native(db), PQTRACE_SUPPRESS_TIMESTAMPS);
}

/* round trips = times the client waited for the server: each switch from
 * frontend (F) messages to backend (B) ones */
static int trace_stop(struct db *db, int *frontend_msgs)
{
	char line[4096];
	int trips = 0, last = 0;
	PQuntrace(db_pg_native(db));
	rewind(trace);
	*frontend_msgs = 0;
	while (fgets(line, sizeof(line), trace)) {
		if (line[0] == 'F') {
			(*frontend_msgs)++;
			last = 'F';
		} else if (line[0] == 'B') {
			if (last == 'F')
				trips++;
			last = 'B';
		}
	}
	fclose(trace);
	unlink(trace_path);
	return trips;
}

/* ---- tests ---- */

static void test_connect_failure(void **state)
{
	struct db_params p = {
		.url = "jdbc:postgresql://127.0.0.1:1/postgres?user=nobody&password=Sekr1tPw",
	};
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf all = STRBUF_INIT;
	struct db *db = NULL;
	assert_int_equal(db_open(&p, &db, &err), -1);
	assert_string_equal(err.code, "DB_CONNECTION");
	assert_string_equal(err.message.buf, "unable to connect to "
			    "jdbc:postgresql://127.0.0.1:1/postgres?user=nobody&password=***");
	assert_non_null(strstr(err.detail.buf, "127.0.0.1"));
	assert_non_null(strstr(err.hint.buf, "connectRetries"));
	fw_error_format(&err, &all);
	assert_null(strstr(all.buf, "Sekr1tPw"));
	strbuf_release(&all);
	fw_error_clear(&err);
}

static void test_basics(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	struct db_result *r = NULL;
	char *s;
	int exists;
	NEED_SERVER();
	db = connect_db();
	assert_int_equal(db_kind(db), DB_POSTGRES);
	assert_true(!strncmp(db_product(db), "PostgreSQL ", 11));
	assert_null(strchr(db_product(db), '('));
	assert_string_equal(db_bool_literal(db, 1), "TRUE");
	assert_int_equal(db_current_schema(db, &s, &err), 0);
	assert_string_equal(s, schema);                          /* currentSchema */
	free(s);
	assert_int_equal(db_current_user(db, &s, &err), 0);
	assert_true(*s);
	free(s);
	assert_int_equal(db_database_name(db, &s, &err), 0);
	assert_non_null(s);
	free(s);
	assert_value(db, "SELECT current_setting('application_name')", "fleetway");
	/* the server's notices reach the notice handler (a migration's "DB: ..." lines) */
	{
		struct notices n = { 0 };
		db_set_notice_handler(db, on_notice, &n);
		exec_ok(db, "DROP TABLE IF EXISTS fw_not_there");
		exec_ok(db, "DO $$ BEGIN RAISE WARNING 'careful %', 1; END $$");
		db_set_notice_handler(db, NULL, NULL);
		exec_ok(db, "DROP TABLE IF EXISTS fw_not_there");
		assert_int_equal(n.nr, 2);
		assert_string_equal(n.state[0], "00000");
		assert_string_equal(n.msg[0], "table \"fw_not_there\" does not exist, skipping");
		assert_string_equal(n.state[1], "01000");
		assert_string_equal(n.msg[1], "careful 1");
		for (int i = 0; i < n.nr; i++) {
			free(n.state[i]);
			free(n.msg[i]);
		}
	}

	/* ? parameters, but not inside literals, identifiers, comments, dollar quotes */
	{
		const char *params[] = { "a", NULL, "c" };
		assert_int_equal(db_query(db, "SELECT ?::text AS x, '?' AS \"q?\", ?::text, E'\\'?', "
					  "$$?$$, ?::text /* ? */ -- ?\n, '{\"k\":1}'::jsonb ?? 'k'",
					  3, params, &r, &err), 0);
		assert_int_equal(r->ncols, 7);
		assert_string_equal(db_value(r, 0, 0), "a");
		assert_string_equal(db_value(r, 0, 1), "?");
		assert_string_equal(r->colnames[1], "q?");
		assert_null(db_value(r, 0, 2));
		assert_string_equal(db_value(r, 0, 3), "'?");
		assert_string_equal(db_value(r, 0, 4), "?");
		assert_string_equal(db_value(r, 0, 5), "c");
		assert_string_equal(db_value(r, 0, 6), "t");
		db_result_free(r);
	}
	/* an error: SQLSTATE, message, statement */
	assert_int_equal(db_exec(db, "SELECT * FROM no_such_table", &err), -1);
	assert_string_equal(err.sqlstate, "42P01");
	assert_string_equal(err.message.buf, "relation \"no_such_table\" does not exist");
	assert_non_null(strstr(err.detail.buf, "statement: SELECT * FROM no_such_table"));
	fw_error_clear(&err);

	assert_int_equal(db_schema_exists(db, schema, &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(db_schema_exists(db, "fwt_nope", &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(db_create_schema(db, "fwt_Mixed Case", &err), 0);
	assert_int_equal(db_schema_exists(db, "fwt_Mixed Case", &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(db_drop_schema(db, "fwt_Mixed Case", &err), 0);
	assert_int_equal(db_schema_exists(db, "fwt_Mixed Case", &exists, &err), 0);
	assert_false(exists);
	db_close(db);
}

static void test_display_url(void **state)
{
	struct strbuf u = STRBUF_INIT;
	struct db_params p = { 0 };
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	NEED_SERVER();
	strbuf_addf(&u, "%s%cpassword=NotShown42&ApplicationName=fw-test", base_url,
		    strchr(base_url, '?') ? '&' : '?');
	p.url = u.buf;
	assert_int_equal(db_open(&p, &db, &err), 0);
	assert_null(strstr(db_display_url(db), "NotShown42"));
	assert_null(strstr(db_display_url(db), "password"));
	assert_non_null(strstr(db_display_url(db), "ApplicationName=fw-test"));
	assert_value(db, "SELECT current_setting('application_name')", "fw-test");
	db_close(db);
	strbuf_release(&u);
}

static int rows_seen;
static void count_rows(void *ctx, const struct db_result *r)
{
	(void)ctx;
	rows_seen += r->nrows;
}

/* BEGIN, three statements, a history-like insert and COMMIT: one round trip */
static void test_pipeline_one_round_trip(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	const char *params[] = { "1", "1", "create things", "SQL", "V1__things.sql", "42", "me",
				 "3", "1" };
	struct db_cmd ins = {
		.sql = "INSERT INTO hist (installed_rank, version, description, type, script, checksum,"
		       " installed_by, execution_time, success) VALUES (?,?,?,?,?,?,?,?,?)",
		.nparams = 9, .params = params, .line = 0,
	};
	struct db_cmd sel = { .sql = "SELECT generate_series(1, 3)", .want_rows = 1, .line = 4 };
	int trips, fmsgs;
	NEED_SERVER();
	db = connect_db();
	assert_int_equal(db_create_history_table(db, schema, "hist", NULL, &err), 0);
	db_set_rows_handler(db, count_rows, NULL);

	trace_start(db);
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	add(db, "CREATE TABLE p1 (id int PRIMARY KEY, name text)", 1);
	add(db, "INSERT INTO p1 VALUES (1, 'one'), (2, 'two')", 2);
	add(db, "UPDATE p1 SET name = upper(name)", 3);
	assert_int_equal(db_batch_add(db, &sel, &err), 0);
	assert_int_equal(db_batch_add(db, &ins, &err), 0);
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(db_batch_end(db, &err), 0);
	trips = trace_stop(db, &fmsgs);
	assert_int_equal(trips, 1);
	assert_true(fmsgs >= 7 * 4);   /* Parse/Bind/Describe/Execute per command */
	assert_int_equal(rows_seen, 3);

	assert_value(db, "SELECT string_agg(name, ',' ORDER BY id) FROM p1", "ONE,TWO");
	assert_value(db, "SELECT version || ' ' || checksum || ' ' || success FROM hist", "1 42 true");
	assert_int_equal(PQtransactionStatus(db_pg_native(db)), PQTRANS_IDLE);
	db_close(db);
}

/* db_prefetch: the first look costs one round trip, the four questions after
 * it none; anything that could create or drop makes them ask again */
static void test_prefetch_one_round_trip(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	char *cur = NULL, *user = NULL, other[96];
	int exists = -1, trips, fmsgs;
	NEED_SERVER();
	db = connect_db();
	exec_ok(db, "CREATE TABLE probe_me (id int)");

	trace_start(db);
	assert_int_equal(db_prefetch(db, NULL, "probe_me", &err), 0);
	assert_int_equal(db_current_schema(db, &cur, &err), 0);
	assert_string_equal(cur, schema);
	assert_int_equal(db_current_user(db, &user, &err), 0);
	assert_true(*user);
	assert_int_equal(db_schema_exists(db, schema, &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(db_table_exists(db, schema, "probe_me", &exists, &err), 0);
	assert_int_equal(exists, 1);
	trips = trace_stop(db, &fmsgs);
	assert_int_equal(trips, 1);
	free(cur);
	free(user);

	/* another table is asked of the server */
	assert_int_equal(db_table_exists(db, schema, "probe_not_here", &exists, &err), 0);
	assert_int_equal(exists, 0);

	/* a schema that is not there yet, then is: the answer follows the server */
	snprintf(other, sizeof(other), "%s_other", schema);
	assert_int_equal(db_prefetch(db, other, "probe_me", &err), 0);
	assert_int_equal(db_schema_exists(db, other, &exists, &err), 0);
	assert_int_equal(exists, 0);
	assert_int_equal(db_create_schema(db, other, &err), 0);
	assert_int_equal(db_schema_exists(db, other, &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(db_prefetch(db, other, "probe_me", &err), 0);
	assert_int_equal(db_table_exists(db, other, "probe_me", &exists, &err), 0);
	assert_int_equal(exists, 0);
	assert_int_equal(db_create_history_table(db, other, "probe_me", NULL, &err), 0);
	assert_int_equal(db_table_exists(db, other, "probe_me", &exists, &err), 0);
	assert_int_equal(exists, 1);

	/* the search path moved: current_schema is asked again */
	assert_int_equal(db_prefetch(db, other, "probe_me", &err), 0);
	assert_int_equal(db_set_default_schema(db, other, &err), 0);
	assert_int_equal(db_current_schema(db, &cur, &err), 0);
	assert_string_equal(cur, other);
	free(cur);
	assert_int_equal(db_drop_schema(db, other, &err), 0);
	db_close(db);
}

/* db_session_restore, before every script as Flyway does: the role back to
 * the user the session started as, the default schema first on the path the
 * session opened with. It joins the batch; the path comes with the lock. */
static void test_session_restore(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	char other[96], *orig, *user, *super;
	struct strbuf want = STRBUF_INIT;
	int trips, fmsgs;
	NEED_SERVER();
	db = connect_db();
	snprintf(other, sizeof(other), "%s_Sess", schema);
	assert_int_equal(db_create_schema(db, other, &err), 0);
	orig = value(db, "SELECT current_setting('search_path')");
	user = value(db, "SELECT current_user");
	super = value(db, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user");

	/* the first look knows the user; the lock's round trip brings the path
	 * along: reading them costs nothing more */
	assert_int_equal(db_prefetch(db, schema, "sess_hist", &err), 0);
	trace_start(db);
	assert_int_equal(db_lock(db, schema, "sess_hist", 0, &err), 0);
	assert_int_equal(db_session_read(db, &err), 0);
	trips = trace_stop(db, &fmsgs);
	assert_int_equal(trips, 1);

	/* a script empties the path (a pg_dump file's first lines) and takes a role */
	exec_ok(db, "SELECT set_config('search_path', '', false)");
	if (!strcmp(super, "true"))
		exec_ok(db, "SET ROLE pg_monitor");
	trace_start(db);
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(db_session_restore(db, other, &err), 0);
	add(db, "SELECT 1", 1);
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(db_batch_end(db, &err), 0);
	trips = trace_stop(db, &fmsgs);
	assert_int_equal(trips, 1);
	strbuf_addf(&want, "\"%s\",%s", other, orig);
	assert_value(db, "SELECT current_setting('search_path')", want.buf);
	assert_value(db, "SELECT current_user", user);

	/* outside a batch it runs at once; a path that starts with the schema is
	 * left as it is, as Flyway leaves it; a schema not there leaves it too */
	exec_ok(db, "SELECT set_config('search_path', 'pg_catalog', false)");
	assert_int_equal(db_session_restore(db, schema, &err), 0);
	assert_value(db, "SELECT current_setting('search_path')", "pg_catalog");
	assert_int_equal(db_session_restore(db, "fwt_no_such_schema", &err), 0);
	assert_value(db, "SELECT current_setting('search_path')", "pg_catalog");
	assert_value(db, "SELECT current_user", user);

	assert_int_equal(db_unlock(db, &err), 0);
	assert_int_equal(db_drop_schema(db, other, &err), 0);
	strbuf_release(&want);
	free(orig);
	free(user);
	free(super);
	db_close(db);
}

/* The first look quotes the names itself: a schema and a table whose names
 * hold a quote, a dot, a blank and capitals are found in one round trip,
 * given or as the current schema; with no current schema it is no error. */
static void test_prefetch_quotes_names(void **state)
{
	static const char table[] = "Hist \"Ta.ble";
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf sql = STRBUF_INIT;
	char odd[128], *cur = NULL;
	int exists = -1, fmsgs;
	NEED_SERVER();
	db = connect_db();
	snprintf(odd, sizeof(odd), "%s Odd\"Sch.ema", schema);
	assert_int_equal(db_create_schema(db, odd, &err), 0);
	assert_int_equal(db_create_history_table(db, odd, table, NULL, &err), 0);

	trace_start(db);
	assert_int_equal(db_prefetch(db, odd, table, &err), 0);
	assert_int_equal(db_schema_exists(db, odd, &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(db_table_exists(db, odd, table, &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(trace_stop(db, &fmsgs), 1);

	strbuf_addstr(&sql, "SET search_path TO ");
	db_quote_ident(db, odd, &sql);
	exec_ok(db, sql.buf);
	trace_start(db);
	assert_int_equal(db_prefetch(db, NULL, table, &err), 0);
	assert_int_equal(db_table_exists(db, odd, table, &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(db_table_exists(db, odd, "Hist \"ta.ble", &exists, &err), 0);
	assert_int_equal(exists, 0);
	assert_int_equal(trace_stop(db, &fmsgs), 2);   /* the other table is asked of the server */

	exec_ok(db, "SET search_path TO ''");
	assert_int_equal(db_prefetch(db, NULL, table, &err), 0);
	assert_int_equal(db_current_schema(db, &cur, &err), 0);
	assert_null(cur);
	exec_ok(db, "RESET search_path");
	assert_int_equal(db_drop_schema(db, odd, &err), 0);
	strbuf_release(&sql);
	db_close(db);
}

/* the sslmode a connection was made with, as libpq records it */
static char *conn_sslmode(struct db *db)
{
	PQconninfoOption *opts = PQconninfo(db_pg_native(db));
	char *mode = NULL;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "sslmode") && o->val)
			mode = strdup(o->val);
	PQconninfoFree(opts);
	return mode;
}

/* a connection to url plus extra parameters, or NULL with err set */
static struct db *open_with(const char *extra, struct fw_error *err)
{
	char u[1024];
	struct db_params p = { .url = u };
	struct db *db = NULL;
	snprintf(u, sizeof(u), "%s%s", url, extra);
	return db_open(&p, &db, err) < 0 ? NULL : db;
}

static void assert_sslmode(const char *extra, const char *want)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = open_with(extra, &err);
	char *mode;
	if (!db)
		fail_msg("%s: %s / %s", extra, err.message.buf, err.detail.buf);
	mode = conn_sslmode(db);
	assert_non_null(mode);
	assert_string_equal(mode, want);
	free(mode);
	db_close(db);
}

static void assert_ssl_required_fails(const char *extra)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = open_with(extra, &err);
	assert_null(db);
	assert_string_equal(err.code, "DB_CONNECTION");
	assert_non_null(strstr(err.detail.buf, "SSL"));
	fw_error_clear(&err);
}

/* A server that refused SSL to "prefer" is not asked again in this process
 * (pg-conninfo.c): the second connection skips the SSLRequest round trip. The
 * test server has no SSL. Only "prefer" learns and only "prefer" is changed. */
static void test_ssl_refusal_remembered(void **state)
{
	/* hostaddr makes this a server of its own in the memory: earlier tests
	 * have taught it the plain URL already */
	const char *server = "&hostaddr=127.0.0.1";
	char extra[128];
	NEED_SERVER();
	if (!strstr(base_url, "//127.0.0.1:") || getenv("PGSSLMODE"))
		skip();

	/* a connection that does not ask teaches nothing */
	snprintf(extra, sizeof(extra), "%s&sslmode=disable", server);
	assert_sslmode(extra, "disable");
	assert_sslmode(server, "prefer");
	/* that one asked and heard no: from now on nobody asks */
	assert_sslmode(server, "disable");
	snprintf(extra, sizeof(extra), "%s&sslmode=prefer", server);
	assert_sslmode(extra, "disable");
	/* other client certificates could meet another answer: they ask once */
	snprintf(extra, sizeof(extra), "%s&sslcert=/nonexistent/client.crt", server);
	assert_sslmode(extra, "prefer");
	assert_sslmode(extra, "disable");

	/* what the user requires is never relaxed: in the URL, or in PGSSLMODE */
	snprintf(extra, sizeof(extra), "%s&sslmode=require", server);
	assert_ssl_required_fails(extra);
	setenv("PGSSLMODE", "require", 1);
	assert_ssl_required_fails(server);
	unsetenv("PGSSLMODE");
}

/* an error in the 2nd command: its line and SQLSTATE; connection usable */
static void test_pipeline_error(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	int ret;
	NEED_SERVER();
	db = connect_db();
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	add(db, "CREATE TABLE e1 (id int)", 10);
	add(db, "INSERT INTO e1 VALUES ('not a number')", 12);
	add(db, "INSERT INTO e1 VALUES (3)", 14);
	ret = db_commit(db, &err);
	if (ret == 0)
		ret = db_batch_end(db, &err);
	assert_int_equal(ret, -1);
	assert_int_equal(err.line, 12);
	assert_string_equal(err.sqlstate, "22P02");
	assert_non_null(strstr(err.message.buf, "invalid input syntax for type integer"));
	assert_non_null(strstr(err.detail.buf, "statement at line 12: INSERT INTO e1 VALUES "
			       "('not a number')"));
	fw_error_clear(&err);
	assert_int_equal(db_batch_end(db, &err), 0);      /* already over: harmless */
	assert_int_equal(db_rollback(db, &err), 0);
	assert_value(db, "SELECT to_regclass('e1') IS NULL", "t");
	assert_value(db, "SELECT 1", "1");
	assert_int_equal(PQpipelineStatus(db_pg_native(db)), PQ_PIPELINE_OFF);

	/* server DETAIL and HINT go into our detail */
	assert_int_equal(db_batch_begin(db, &err), 0);
	add(db, "CREATE TABLE e2 (id int PRIMARY KEY)", 1);
	add(db, "INSERT INTO e2 VALUES (1)", 2);
	add(db, "INSERT INTO e2 VALUES (1)", 3);
	assert_int_equal(db_batch_end(db, &err), -1);
	assert_string_equal(err.sqlstate, "23505");
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.detail.buf, "Key (id)=(1) already exists."));
	fw_error_clear(&err);
	/* without BEGIN, the segment ran as one implicit transaction */
	assert_value(db, "SELECT to_regclass('e2') IS NULL", "t");
	db_close(db);
}

/* no command after a failed one runs, even across pipeline syncs */
static void test_pipeline_error_stops_later_segments(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf sql = STRBUF_INIT;
	int failed_at = 0;
	NEED_SERVER();
	db = connect_db();
	exec_ok(db, "CREATE TABLE seg (i int)");
	assert_int_equal(db_batch_begin(db, &err), 0);
	for (int i = 1; i <= 1500 && !failed_at; i++) {
		struct db_cmd c = { .line = i };
		strbuf_reset(&sql);
		if (i == 10)
			strbuf_addstr(&sql, "INSERT INTO seg VALUES (1/0)");
		else
			strbuf_addf(&sql, "INSERT INTO seg VALUES (%d)", i);
		c.sql = sql.buf;
		if (db_batch_add(db, &c, &err) < 0)
			failed_at = i;
	}
	assert_true(failed_at > 0 && failed_at <= 600);   /* reported at the first sync */
	assert_int_equal(err.line, 10);
	assert_string_equal(err.sqlstate, "22012");
	fw_error_clear(&err);
	assert_int_equal(db_batch_end(db, &err), 0);
	assert_value(db, "SELECT count(*) FROM seg", "0");
	strbuf_release(&sql);
	db_close(db);
}

static void test_copy_in_batch(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	static const char data[] = "1\tone\n2\ttwo\n3\t\\N\n";
	struct db_cmd copy = { .sql = "COPY cp (id, name) FROM STDIN", .copy_data = data,
			       .copy_len = sizeof(data) - 1, .line = 3 };
	struct db_cmd badcopy = { .sql = "COPY cp (id, name) FROM STDIN", .copy_data = "x\ty\n",
				  .copy_len = 4, .line = 7 };
	NEED_SERVER();
	db = connect_db();
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	add(db, "CREATE TABLE cp (id int, name text)", 1);
	add(db, "INSERT INTO cp VALUES (0, 'zero')", 2);
	assert_int_equal(db_batch_add(db, &copy, &err), 0);
	add(db, "INSERT INTO cp VALUES (4, 'four')", 4);
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(db_batch_end(db, &err), 0);
	assert_value(db, "SELECT count(*) || ' ' || count(name) FROM cp", "5 4");

	/* a failing COPY reports its line; the connection stays usable */
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	add(db, "INSERT INTO cp VALUES (5, 'five')", 6);
	assert_int_equal(db_batch_add(db, &badcopy, &err), -1);
	assert_int_equal(err.line, 7);
	assert_string_equal(err.sqlstate, "22P02");
	fw_error_clear(&err);
	assert_int_equal(db_batch_end(db, &err), 0);
	assert_int_equal(db_rollback(db, &err), 0);
	assert_value(db, "SELECT count(*) FROM cp", "5");

	/* COPY outside a batch runs as a batch of one */
	assert_int_equal(db_batch_add(db, &copy, &err), 0);
	assert_value(db, "SELECT count(*) FROM cp", "8");
	db_close(db);
}

static long max_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* 100k commands of 1 KiB each (100 MiB of SQL) in one batch: memory stays
 * bounded because the pipeline is synced and drained as it goes */
static void test_huge_batch_memory(void **state)
{
	enum { N = 100000 };
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf sql = STRBUF_INIT;
	long rss0, grown;
	NEED_SERVER();
	db = connect_db();
	exec_ok(db, "CREATE TABLE big (i int)");
	strbuf_addstr(&sql, "INSERT INTO big VALUES (1) -- ");
	while (sql.len < 1024)
		strbuf_addch(&sql, 'x');
	rss0 = max_rss_kb();
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	for (int i = 0; i < N; i++) {
		struct db_cmd c = { .sql = sql.buf, .line = i + 1 };
		if (db_batch_add(db, &c, &err) < 0)
			fail_msg("command %d: %s", i, err.message.buf);
	}
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(db_batch_end(db, &err), 0);
	grown = max_rss_kb() - rss0;
	assert_value(db, "SELECT count(*) FROM big", "100000");
	if (grown > 48 * 1024)
		fail_msg("max RSS grew by %ld KiB for 100 MiB of SQL", grown);
	print_message("huge batch: max RSS grew by %ld KiB\n", grown);
	strbuf_release(&sql);
	db_close(db);
}

/* reference 14, item 1: CREATE INDEX CONCURRENTLY on the connection holding
 * the migration lock completes, in a batch with other statements and alone */
static void test_cic_under_lock(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	long t0;
	NEED_SERVER();
	db = connect_db();
	exec_ok(db, "SET statement_timeout = '20s'");   /* a hang becomes an error */
	exec_ok(db, "CREATE TABLE cic (a int, b int); INSERT INTO cic SELECT g, g FROM generate_series(1, 1000) g");
	assert_int_equal(db_lock(db, schema, "flyway_schema_history", 0, &err), 0);
	t0 = now_ms();
	assert_int_equal(db_batch_begin(db, &err), 0);
	add(db, "INSERT INTO cic VALUES (0, 0)", 1);
	add(db, "CREATE INDEX CONCURRENTLY cic_a ON cic (a)", 2);
	add(db, "/* c */ CREATE UNIQUE INDEX\nCONCURRENTLY cic_ab ON cic (a, b)", 3);
	add(db, "INSERT INTO cic VALUES (-1, -1)", 4);
	add(db, "VACUUM cic", 5);
	if (db_batch_end(db, &err) < 0)
		fail_msg("%s", err.message.buf);
	assert_int_equal(db_exec(db, "CREATE INDEX CONCURRENTLY cic_b ON cic (b)", &err), 0);
	assert_true(now_ms() - t0 < 15000);
	assert_value(db, "SELECT count(*) FROM pg_indexes WHERE tablename = 'cic'"
		     " AND schemaname = current_schema()", "3");
	assert_value(db, "SELECT count(*) FROM cic", "1002");
	assert_int_equal(db_unlock(db, &err), 0);
	db_close(db);
}

/* two connections: the second gives up with Flyway's message after ~1 s */
static void test_lock_two_connections(void **state)
{
	struct db *a, *b;
	struct fw_error err = FW_ERROR_INIT;
	long t0;
	NEED_SERVER();
	a = connect_db();
	b = connect_db();
	assert_int_equal(db_lock(a, "public", "flyway_schema_history", 0, &err), 0);
	/* Flyway's key: 0x466C79776179 + hash("public"."flyway_schema_history") */
	assert_value(a, "SELECT (classid::bigint << 32) + objid::bigint FROM pg_locks"
		     " WHERE locktype = 'advisory' AND pid = pg_backend_pid()", "77433833903597");
	t0 = now_ms();
	assert_int_equal(db_lock(b, "public", "flyway_schema_history", 1, &err), -1);
	assert_in_range(now_ms() - t0, 900, 3000);
	assert_string_equal(err.message.buf, "Number of retries exceeded while attempting to acquire "
			    "PostgreSQL advisory lock. Configure the number of retries with the "
			    "'lockRetryCount' configuration option: https://rd.gt/3A57jfk");
	fw_error_clear(&err);
	/* another table is another key */
	assert_int_equal(db_lock(b, "public", "other_history", 0, &err), 0);
	assert_int_equal(db_unlock(b, &err), 0);
	/* no transaction is held open by the lock */
	assert_int_equal(PQtransactionStatus(db_pg_native(a)), PQTRANS_IDLE);
	assert_int_equal(db_unlock(a, &err), 0);
	assert_int_equal(db_lock(b, "public", "flyway_schema_history", 0, &err), 0);
	assert_int_equal(db_unlock(b, &err), 0);
	assert_value(b, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
		     " AND pid IN (pg_backend_pid(), (SELECT pid FROM pg_stat_activity"
		     " WHERE application_name = 'fleetway' AND pid <> pg_backend_pid()))", "0");
	db_close(a);
	db_close(b);
}

static void test_history_ddl(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	struct db_result *r = NULL;
	static const char *const expected[][4] = {
		{ "installed_rank", "integer", "NO", "NULL" },
		{ "version", "character varying(50)", "YES", "NULL" },
		{ "description", "character varying(200)", "NO", "NULL" },
		{ "type", "character varying(20)", "NO", "NULL" },
		{ "script", "character varying(1000)", "NO", "NULL" },
		{ "checksum", "integer", "YES", "NULL" },
		{ "installed_by", "character varying(100)", "NO", "NULL" },
		{ "installed_on", "timestamp without time zone", "NO", "now()" },
		{ "execution_time", "integer", "NO", "NULL" },
		{ "success", "boolean", "NO", "NULL" },
	};
	const char *params[] = { schema };
	int exists;
	NEED_SERVER();
	db = connect_db();
	assert_int_equal(db_table_exists(db, schema, "flyway_schema_history", &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(db_create_history_table(db, schema, "flyway_schema_history", NULL, &err), 0);
	assert_int_equal(db_table_exists(db, schema, "flyway_schema_history", &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(db_query(db, "SELECT column_name, CASE WHEN character_maximum_length IS NULL"
				  " THEN data_type ELSE data_type || '(' || character_maximum_length || ')' END,"
				  " is_nullable, coalesce(column_default, 'NULL')"
				  " FROM information_schema.columns WHERE table_schema = ?"
				  " AND table_name = 'flyway_schema_history' ORDER BY ordinal_position",
				  1, params, &r, &err), 0);
	assert_int_equal(r->nrows, 10);
	for (int i = 0; i < 10; i++)
		for (int c = 0; c < 4; c++)
			if (strcmp(db_value(r, i, c), expected[i][c]))
				fail_msg("column %d field %d: '%s' != '%s'", i, c, db_value(r, i, c),
					 expected[i][c]);
	db_result_free(r);
	assert_value(db, "SELECT string_agg(conname::text || ':' || contype::text, ',') FROM pg_constraint"
		     " WHERE conrelid = 'flyway_schema_history'::regclass",
		     "flyway_schema_history_pk:p");
	assert_value(db, "SELECT pg_get_indexdef('flyway_schema_history_s_idx'::regclass) LIKE "
		     "'CREATE INDEX flyway_schema_history_s_idx ON %.flyway_schema_history USING btree (success)'",
		     "t");
	assert_int_equal(PQtransactionStatus(db_pg_native(db)), PQTRANS_IDLE);

	/* a second create fails and leaves no transaction behind */
	assert_int_equal(db_create_history_table(db, schema, "flyway_schema_history", NULL, &err), -1);
	assert_string_equal(err.sqlstate, "42P07");
	fw_error_clear(&err);
	assert_int_equal(PQtransactionStatus(db_pg_native(db)), PQTRANS_IDLE);

	/* the tablespace variant, and inside a caller's transaction */
	exec_ok(db, "BEGIN");
	assert_int_equal(db_create_history_table(db, schema, "ts_history", "pg_default", &err), 0);
	assert_int_equal(PQtransactionStatus(db_pg_native(db)), PQTRANS_INTRANS);
	exec_ok(db, "ROLLBACK");
	assert_value(db, "SELECT to_regclass('ts_history') IS NULL", "t");
	assert_int_equal(db_create_history_table(db, schema, "ts_history", "pg_default", &err), 0);
	assert_value(db, "SELECT count(*) FROM pg_indexes WHERE tablename = 'ts_history'", "2");
	db_close(db);
}

static void test_schema_empty_and_clean(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	int empty;
	const char *cs = "fwt_clean";
	NEED_SERVER();
	db = connect_db();
	exec_ok(db, "DROP SCHEMA IF EXISTS fwt_clean CASCADE; DROP EXTENSION IF EXISTS citext CASCADE;"
		" CREATE SCHEMA fwt_clean");
	assert_int_equal(db_schema_is_empty(db, cs, &empty, &err), 0);
	assert_true(empty);
	assert_int_equal(db_schema_is_empty(db, "fwt_missing", &empty, &err), 0);
	assert_true(empty);

	/* objects an extension owns do not count */
	exec_ok(db, "CREATE EXTENSION citext SCHEMA fwt_clean");
	assert_int_equal(db_schema_is_empty(db, cs, &empty, &err), 0);
	assert_true(empty);

	exec_ok(db, "CREATE TABLE fwt_clean.t1 (id serial PRIMARY KEY, c fwt_clean.citext)");
	assert_int_equal(db_schema_is_empty(db, cs, &empty, &err), 0);
	assert_false(empty);
	exec_ok(db,
		"SET search_path = fwt_clean;"
		"CREATE TABLE t2 (id int REFERENCES t1(id), v text);"
		"CREATE TABLE part (k int) PARTITION BY RANGE (k);"
		"CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (10);"
		"CREATE VIEW v1 AS SELECT * FROM t1 JOIN t2 USING (id);"
		"CREATE MATERIALIZED VIEW mv AS SELECT count(*) FROM v1;"
		"CREATE SEQUENCE s1;"
		"CREATE TYPE mood AS ENUM ('sad', 'ok');"
		"CREATE TYPE pair AS (a int, b text);"
		"CREATE TYPE fr AS RANGE (subtype = float8);"
		"CREATE DOMAIN posint AS int CHECK (VALUE > 0);"
		"CREATE TABLE uses_types (m mood, p pair, d posint, r fr);"
		"CREATE FUNCTION f1(a int, b text) RETURNS int LANGUAGE sql AS 'SELECT a';"
		"CREATE FUNCTION f1(a int) RETURNS int LANGUAGE sql AS 'SELECT a';"
		"CREATE FUNCTION sfunc(int, int) RETURNS int LANGUAGE sql AS 'SELECT $1 + $2';"
		"CREATE AGGREGATE mysum(int) (sfunc = sfunc, stype = int);"
		"CREATE PROCEDURE pr() LANGUAGE sql AS 'SELECT 1';"
		"CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;"
		"CREATE TRIGGER t1_trg BEFORE INSERT ON t1 FOR EACH ROW EXECUTE FUNCTION trg();"
		"SET search_path = DEFAULT");
	assert_int_equal(db_create_history_table(db, cs, "flyway_schema_history", NULL, &err), 0);

	if (db_clean_schema(db, cs, &err) < 0)
		fail_msg("clean: %s\n%s", err.message.buf, err.detail.buf);
	assert_int_equal(db_schema_is_empty(db, cs, &empty, &err), 0);
	assert_true(empty);
	assert_value(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
		     " WHERE n.nspname = 'fwt_clean'", "0");
	assert_value(db, "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
		     " WHERE n.nspname = 'fwt_clean'", "0");
	assert_value(db, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
		     " WHERE n.nspname = 'fwt_clean'", "0");
	assert_value(db, "SELECT count(*) FROM pg_extension WHERE extname = 'citext'", "0");
	/* cleaning an empty schema is fine */
	assert_int_equal(db_clean_schema(db, cs, &err), 0);
	assert_int_equal(db_drop_schema(db, cs, &err), 0);
	db_close(db);
}

/* exec and query between batch commands: the pipeline is synced and resumed */
static void test_exec_inside_batch(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	NEED_SERVER();
	db = connect_db();
	assert_int_equal(db_batch_begin(db, &err), 0);
	add(db, "CREATE TABLE mid (i int)", 1);
	add(db, "INSERT INTO mid VALUES (1)", 2);
	assert_value(db, "SELECT count(*) FROM mid", "1");
	exec_ok(db, "INSERT INTO mid VALUES (2)");
	add(db, "INSERT INTO mid VALUES (3)", 3);
	assert_int_equal(db_batch_end(db, &err), 0);
	assert_value(db, "SELECT sum(i) FROM mid", "6");
	db_close(db);
}

static void *cancel_later(void *arg)
{
	db_sleep_ms(300);
	db_cancel(arg);
	return NULL;
}

static void test_cancel(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	pthread_t th;
	long t0;
	NEED_SERVER();
	db = connect_db();
	t0 = now_ms();
	assert_int_equal(pthread_create(&th, NULL, cancel_later, db), 0);
	assert_int_equal(db_exec(db, "SELECT pg_sleep(10)", &err), -1);
	pthread_join(th, NULL);
	assert_true(now_ms() - t0 < 5000);
	assert_string_equal(err.sqlstate, "57014");
	assert_int_equal(err.exit_code, FW_EXIT_INTERRUPTED);
	fw_error_clear(&err);
	/* a cancelled connection starts nothing new; rolling back and unlocking still work */
	assert_int_equal(db_exec(db, "SELECT 1", &err), -1);
	assert_int_equal(err.exit_code, FW_EXIT_INTERRUPTED);
	fw_error_clear(&err);
	assert_int_equal(db_rollback(db, &err), 0);
	assert_int_equal(db_unlock(db, &err), 0);
	db_close(db);

	/* a lock wait gives up when cancelled */
	{
		struct db *a = connect_db(), *b = connect_db();
		assert_int_equal(db_lock(a, schema, "flyway_schema_history", 0, &err), 0);
		t0 = now_ms();
		assert_int_equal(pthread_create(&th, NULL, cancel_later, b), 0);
		assert_int_equal(db_lock(b, schema, "flyway_schema_history", -1, &err), -1);
		pthread_join(th, NULL);
		assert_true(now_ms() - t0 < 1500);
		assert_int_equal(err.exit_code, FW_EXIT_INTERRUPTED);
		assert_non_null(strstr(err.message.buf, "Interrupted while attempting to acquire"));
		fw_error_clear(&err);
		db_close(a);
		db_close(b);
	}
}

/* ---- check's knowledge of the data: sizes, limits, locks ---- */

static void test_table_size(void **state)
{
	struct db *db;
	struct db_table_size sz;
	struct fw_error err = FW_ERROR_INIT;
	NEED_SERVER();
	db = connect_db();
	exec_ok(db, "CREATE TABLE sized AS SELECT g AS id FROM generate_series(1, 5000) g");
	exec_ok(db, "ANALYZE sized");
	assert_int_equal(db_table_size(db, schema, "sized", 1000000, &sz, &err), 0);
	assert_true(sz.found);
	assert_int_equal(sz.how, DB_ROWS_ESTIMATE);
	assert_in_range(sz.rows, 4500, 5500);
	assert_true(sz.bytes > 8192);
	/* before the first ANALYZE the catalog knows nothing: a count that stops at the limit */
	exec_ok(db, "CREATE TABLE fresh AS SELECT g AS id FROM generate_series(1, 300) g");
	assert_int_equal(db_table_size(db, schema, "fresh", 100, &sz, &err), 0);
	assert_true(sz.found);
	assert_int_equal(sz.how, DB_ROWS_AT_LEAST);
	assert_int_equal(sz.rows, 101);
	assert_int_equal(db_table_size(db, schema, "fresh", 1000, &sz, &err), 0);
	assert_int_equal(sz.how, DB_ROWS_EXACT);
	assert_int_equal(sz.rows, 300);
	assert_int_equal(db_table_size(db, schema, "missing", 1000, &sz, &err), 0);
	assert_false(sz.found);
	db_close(db);
}

static void test_timeouts_local_and_session(void **state)
{
	struct db *db;
	struct fw_error err = FW_ERROR_INIT;
	struct db_timeouts to = { 1500, 2500 };
	NEED_SERVER();
	db = connect_db();
	/* in the migration's transaction: SET LOCAL, joining the batch */
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(db_set_timeouts(db, &to, DB_TIMEOUTS_BEFORE_BEGIN, &err), 0);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(db_set_timeouts(db, &to, DB_TIMEOUTS_IN_TX, &err), 0);
	assert_value(db, "SHOW lock_timeout", "1500ms");
	assert_value(db, "SHOW statement_timeout", "2500ms");
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(db_batch_end(db, &err), 0);
	assert_int_equal(db_reset_timeouts(db, &err), 0);
	assert_value(db, "SHOW lock_timeout", "0");
	/* outside one: for the session, and back to what the session had */
	exec_ok(db, "SET statement_timeout = '7s'");
	assert_int_equal(db_set_timeouts(db, &to, DB_TIMEOUTS_NO_TX, &err), 0);
	assert_value(db, "SHOW statement_timeout", "2500ms");
	assert_int_equal(db_reset_timeouts(db, &err), 0);
	assert_value(db, "SHOW statement_timeout", "7s");
	assert_value(db, "SHOW lock_timeout", "0");
	db_close(db);
}

static void test_lock_timeout_and_locks_held(void **state)
{
	struct db *a, *b;
	struct fw_error err = FW_ERROR_INIT;
	struct db_timeouts to = { 300, 0 };
	struct strvec locks = STRVEC_INIT;
	struct strbuf want = STRBUF_INIT;
	long t0;
	NEED_SERVER();
	a = connect_db();
	b = connect_db();
	exec_ok(a, "CREATE TABLE held (id INT)");
	exec_ok(a, "BEGIN");
	exec_ok(a, "ALTER TABLE held ADD COLUMN x INT");
	assert_int_equal(db_locks_held(a, &locks, &err), 0);
	strbuf_addf(&want, "AccessExclusiveLock on %s.held", schema);
	assert_true(strvec_contains(&locks, want.buf));
	/* b waits for the table: the limit cuts the wait, and says it was the lock */
	assert_int_equal(db_begin(b, &err), 0);
	assert_int_equal(db_set_timeouts(b, &to, DB_TIMEOUTS_IN_TX, &err), 0);
	t0 = now_ms();
	assert_int_equal(db_exec(b, "INSERT INTO held VALUES (1)", &err), -1);
	assert_in_range(now_ms() - t0, 250, 3000);
	assert_int_equal(db_timeout_kind(b, &err), 1);
	fw_error_clear(&err);
	assert_int_equal(db_rollback(b, &err), 0);
	exec_ok(a, "ROLLBACK");
	strvec_clear(&locks);
	strbuf_release(&want);
	db_close(a);
	db_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_failure),
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_display_url),
		cmocka_unit_test(test_pipeline_one_round_trip),
		cmocka_unit_test(test_prefetch_one_round_trip),
		cmocka_unit_test(test_prefetch_quotes_names),
		cmocka_unit_test(test_session_restore),
		cmocka_unit_test(test_ssl_refusal_remembered),
		cmocka_unit_test(test_pipeline_error),
		cmocka_unit_test(test_pipeline_error_stops_later_segments),
		cmocka_unit_test(test_copy_in_batch),
		cmocka_unit_test(test_huge_batch_memory),
		cmocka_unit_test(test_cic_under_lock),
		cmocka_unit_test(test_lock_two_connections),
		cmocka_unit_test(test_history_ddl),
		cmocka_unit_test(test_schema_empty_and_clean),
		cmocka_unit_test(test_exec_inside_batch),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_table_size),
		cmocka_unit_test(test_timeouts_local_and_session),
		cmocka_unit_test(test_lock_timeout_and_locks_held),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
