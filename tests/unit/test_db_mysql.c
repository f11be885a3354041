/* Tests of the MySQL / MariaDB driver (src/db/mysql.c) against a real server.
 *
 * FW_TEST_MYSQL_URL names the server (e.g. jdbc:mariadb://127.0.0.1:PORT/),
 * FW_TEST_MYSQL_USER the user with all privileges (default "fleetway", no
 * password). Without FW_TEST_MYSQL_URL every test is skipped. The user
 * fwsecret / s3cr3t-Pa55 is expected to exist too (tests/lib/servers.sh).
 *
 * Connections are opened through db_mysql_ops.open, so the driver is tested
 * whether or not db_open dispatches to it; the rest goes through the db.h
 * wrappers. Every test works in databases of its own, fw_unit_my_*. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db-internal.h"
#include "util/xalloc.h"

#define SECRET_USER "fwsecret"
#define SECRET_PASSWORD "s3cr3t-Pa55"

static const char *base_url(void)
{
	const char *u = getenv("FW_TEST_MYSQL_URL");
	return u && *u ? u : NULL;
}

static const char *test_user(void)
{
	const char *u = getenv("FW_TEST_MYSQL_USER");
	return u && *u ? u : "fleetway";
}

#define NEED_SERVER() \
	do { \
		if (!base_url()) \
			skip(); \
	} while (0)

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* open a connection to database (NULL: none) as user/password (NULL: the
 * test user), with extra URL parameters "k", "v", ..., NULL */
static int open_as(const char *database, const char *user, const char *password,
		   struct db **out, struct fw_error *err, ...)
{
	struct db_url u;
	struct db_params p;
	va_list ap;
	const char *k;
	int ret;
	memset(&p, 0, sizeof(p));
	p.url = base_url();
	if (db_url_parse(p.url, &u, err) < 0)
		return -1;
	free(u.database);
	u.database = database ? xstrdup(database) : NULL;
	free(u.user);
	u.user = xstrdup(user ? user : test_user());
	free(u.password);
	u.password = password ? xstrdup(password) : NULL;
	va_start(ap, err);
	while ((k = va_arg(ap, const char *))) {
		strvec_push(&u.param_keys, k);
		strvec_push(&u.param_values, va_arg(ap, const char *));
	}
	va_end(ap);
	ret = db_mysql_ops.open(&u, &p, out, err);
	db_url_release(&u);
	return ret;
}

static struct db *connect_db(const char *database)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	if (open_as(database, NULL, NULL, &db, &err, NULL) < 0)
		fail_msg("connect: %s / %s", err.message.buf, err.detail.buf);
	fw_error_clear(&err);
	return db;
}

static void must_exec(struct db *db, const char *sql)
{
	struct fw_error err = FW_ERROR_INIT;
	if (db_exec(db, sql, &err) < 0)
		fail_msg("%s: %s", sql, err.message.buf);
}

/* the first value of a query, or NULL (caller frees) */
static char *value_of(struct db *db, const char *sql)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db_result *r;
	char *v;
	if (db_query(db, sql, 0, NULL, &r, &err) < 0)
		fail_msg("%s: %s", sql, err.message.buf);
	v = db_value(r, 0, 0) ? xstrdup(db_value(r, 0, 0)) : NULL;
	db_result_free(r);
	return v;
}

static long count_of(struct db *db, const char *sql)
{
	char *v = value_of(db, sql);
	long n = v ? strtol(v, NULL, 10) : -1;
	free(v);
	return n;
}

static void drop_db(struct db *db, const char *name)
{
	struct strbuf sql = STRBUF_INIT;
	strbuf_addstr(&sql, "DROP DATABASE IF EXISTS ");
	db_quote_ident(db, name, &sql);
	must_exec(db, sql.buf);
	strbuf_release(&sql);
}

/* a fresh, empty database `name` and a connection to it */
static struct db *fresh_db(const char *name)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *admin = connect_db(NULL);
	drop_db(admin, name);
	if (db_create_schema(admin, name, &err) < 0)
		fail_msg("create %s: %s", name, err.message.buf);
	db_close(admin);
	return connect_db(name);
}

/* ---- the first look ---- */

/* db_prefetch answers the existence questions and the current database in
 * one statement, and a change made after it is seen */
static void test_prefetch(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	char *cur = NULL, *user = NULL;
	int exists = -1;
	NEED_SERVER();
	db = fresh_db("fw_probe");
	must_exec(db, "CREATE TABLE probe_me (id INT)");
	assert_int_equal(db_prefetch(db, NULL, "probe_me", &err), 0);
	assert_int_equal(db_current_schema(db, &cur, &err), 0);
	assert_string_equal(cur, "fw_probe");
	assert_int_equal(db_current_user(db, &user, &err), 0);
	assert_true(*user && !strchr(user, '@'));
	assert_int_equal(db_schema_exists(db, "fw_probe", &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(db_table_exists(db, "fw_probe", "probe_me", &exists, &err), 0);
	assert_int_equal(exists, 1);
	free(cur);
	free(user);

	assert_int_equal(db_prefetch(db, "fw_probe_other", "probe_me", &err), 0);
	assert_int_equal(db_schema_exists(db, "fw_probe_other", &exists, &err), 0);
	assert_int_equal(exists, 0);
	drop_db(db, "fw_probe_other");
	assert_int_equal(db_create_schema(db, "fw_probe_other", &err), 0);
	assert_int_equal(db_schema_exists(db, "fw_probe_other", &exists, &err), 0);
	assert_int_equal(exists, 1);
	assert_int_equal(db_table_exists(db, "fw_probe_other", "probe_me", &exists, &err), 0);
	assert_int_equal(exists, 0);
	must_exec(db, "CREATE TABLE fw_probe_other.probe_me (id INT)");
	assert_int_equal(db_table_exists(db, "fw_probe_other", "probe_me", &exists, &err), 0);
	assert_int_equal(exists, 1);
	drop_db(db, "fw_probe_other");
	drop_db(db, "fw_probe");
	db_close(db);
}

/* ---- connecting ---- */

static void test_connect_without_database(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	char *s;
	NEED_SERVER();
	db = connect_db(NULL);
	assert_int_equal(db_kind(db), DB_MYSQL);
	assert_true(!strncmp(db_product(db), "MariaDB ", 8) || !strncmp(db_product(db), "MySQL ", 6));
	assert_int_equal(db_supports_ddl_transactions(db), 0);
	assert_string_equal(db_bool_literal(db, 1), "1");
	assert_string_equal(db_bool_literal(db, 0), "0");
	assert_int_equal(db_current_schema(db, &s, &err), 0);
	assert_null(s);
	assert_int_equal(db_database_name(db, &s, &err), 0);
	assert_null(s);
	assert_int_equal(db_current_user(db, &s, &err), 0);
	assert_string_equal(s, test_user());
	free(s);
	/* the session speaks utf8mb4 and says who it is */
	s = value_of(db, "SELECT @@character_set_client");
	assert_string_equal(s, "utf8mb4");
	free(s);
	s = value_of(db, "SELECT attr_value FROM performance_schema.session_connect_attrs"
		     " WHERE processlist_id = CONNECTION_ID() AND attr_name = 'program_name'");
	if (s)   /* performance_schema may be off */
		assert_string_equal(s, "fleetway");
	free(s);
	db_close(db);
}

static void test_connect_with_database(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db, *admin;
	char *s;
	int exists;
	NEED_SERVER();
	db = fresh_db("fw_unit_my_conn");
	assert_int_equal(db_current_schema(db, &s, &err), 0);
	assert_string_equal(s, "fw_unit_my_conn");
	free(s);
	assert_int_equal(db_database_name(db, &s, &err), 0);
	assert_string_equal(s, "fw_unit_my_conn");
	free(s);
	assert_int_equal(db_schema_exists(db, "fw_unit_my_conn", &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(db_schema_exists(db, "fw_unit_my_no_such_db", &exists, &err), 0);
	assert_false(exists);
	db_close(db);
	/* a database that does not exist is a connection error naming it */
	admin = connect_db(NULL);
	drop_db(admin, "fw_unit_my_conn");
	db_close(admin);
	assert_int_equal(open_as("fw_unit_my_conn", NULL, NULL, &db, &err, NULL), -1);
	assert_string_equal(err.code, "DB_CONNECTION");
	assert_non_null(strstr(err.message.buf, "fw_unit_my_conn"));
	assert_int_equal(err.sql_errcode, 1049);
	fw_error_clear(&err);
}

static int text_contains(const struct fw_error *e, const char *s)
{
	return strstr(e->message.buf, s) || strstr(e->detail.buf, s) || strstr(e->hint.buf, s);
}

static void test_wrong_password(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	NEED_SERVER();
	assert_int_equal(open_as(NULL, SECRET_USER, SECRET_PASSWORD, &db, &err, NULL), 0);
	db_close(db);
	assert_int_equal(open_as(NULL, SECRET_USER, SECRET_PASSWORD "-wrong", &db, &err, NULL), -1);
	assert_null(db);
	assert_string_equal(err.code, "DB_CONNECTION");
	assert_non_null(strstr(err.message.buf, "Access denied"));
	assert_int_equal(err.sql_errcode, 1045);
	assert_false(text_contains(&err, SECRET_PASSWORD));
	assert_false(text_contains(&err, "s3cr3t"));
	fw_error_clear(&err);
}

/* the same through db_open: dispatch, init SQL, display URL, and the
 * wrapper's "unable to connect" message, none of which may show a password */
static void test_db_open(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf url = STRBUF_INIT, shown = STRBUF_INIT;
	struct db_params p;
	struct db *db = NULL;
	const char *rest;
	char *v;
	NEED_SERVER();
	memset(&p, 0, sizeof(p));
	p.url = base_url();
	p.user = test_user();
	p.init_sql = "SET @fw_init = 'done'";
	assert_int_equal(db_open(&p, &db, &err), 0);
	assert_int_equal(db_kind(db), DB_MYSQL);
	assert_string_equal(db_display_url(db), base_url());
	v = value_of(db, "SELECT @fw_init");
	assert_string_equal(v, "done");
	free(v);
	db_close(db);

	rest = strstr(base_url(), "://");
	assert_non_null(rest);
	strbuf_add(&url, base_url(), (size_t)(rest + 3 - base_url()));
	strbuf_addstr(&url, SECRET_USER ":" SECRET_PASSWORD "-wrong@");
	strbuf_addstr(&url, rest + 3);
	memset(&p, 0, sizeof(p));
	p.url = url.buf;
	assert_int_equal(db_open(&p, &db, &err), -1);
	assert_string_equal(err.code, "DB_CONNECTION");
	assert_false(text_contains(&err, "s3cr3t"));
	fw_error_format(&err, &shown);
	assert_non_null(strstr(shown.buf, "Access denied"));
	assert_null(strstr(shown.buf, "s3cr3t"));
	fw_error_clear(&err);
	strbuf_release(&url);
	strbuf_release(&shown);
}

static void test_bad_ssl_mode(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	NEED_SERVER();
	assert_int_equal(open_as(NULL, NULL, NULL, &db, &err, "sslMode", "SOMETIMES", NULL), -1);
	assert_string_equal(err.code, "CONFIGURATION");
	assert_non_null(strstr(err.message.buf, "SOMETIMES"));
	fw_error_clear(&err);
}

/* sslMode=REQUIRED either gets TLS or fails; it never talks in clear */
static void test_tls_required(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL, *plain;
	char *have;
	NEED_SERVER();
	plain = connect_db(NULL);
	have = value_of(plain, "SELECT @@have_ssl");
	db_close(plain);
	if (open_as(NULL, NULL, NULL, &db, &err, "sslMode", "REQUIRED", NULL) == 0) {
		char *cipher = value_of(db, "SELECT VARIABLE_VALUE FROM information_schema.session_status"
					" WHERE VARIABLE_NAME = 'Ssl_cipher'");
		assert_non_null(cipher);
		assert_true(*cipher);
		free(cipher);
		db_close(db);
	} else {
		assert_string_equal(err.code, "DB_CONNECTION");
		assert_true(!have || strcmp(have, "YES"));
	}
	free(have);
	fw_error_clear(&err);
}

/* ---- quoting and the history table ---- */

static void test_quote_ident(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct db *db;
	NEED_SERVER();
	db = connect_db(NULL);
	db_quote_ident(db, "a`b", &sb);
	assert_string_equal(sb.buf, "`a``b`");
	strbuf_reset(&sb);
	db_qualify(db, "mydb", "flyway_schema_history", &sb);
	assert_string_equal(sb.buf, "`mydb`.`flyway_schema_history`");
	strbuf_release(&sb);
	db_close(db);
}

struct column {
	const char *name, *data_type;
	long length;            /* character_maximum_length, 0 = none */
	int nullable;
};

static const struct column history_columns[] = {
	{ "installed_rank", "int", 0, 0 },
	{ "version", "varchar", 50, 1 },
	{ "description", "varchar", 200, 0 },
	{ "type", "varchar", 20, 0 },
	{ "script", "varchar", 1000, 0 },
	{ "checksum", "int", 0, 1 },
	{ "installed_by", "varchar", 100, 0 },
	{ "installed_on", "timestamp", 0, 0 },
	{ "execution_time", "int", 0, 0 },
	{ "success", "tinyint", 0, 0 },
};

static void check_history_columns(struct db *db, const char *schema)
{
	struct fw_error err = FW_ERROR_INIT;
	const char *params[] = { schema };
	struct db_result *r;
	assert_int_equal(db_query(db, "SELECT column_name, data_type,"
				  " COALESCE(character_maximum_length, 0), is_nullable, column_type,"
				  " column_default FROM information_schema.columns"
				  " WHERE table_schema = ? AND table_name = 'flyway_schema_history'"
				  " ORDER BY ordinal_position", 1, params, &r, &err), 0);
	assert_int_equal(r->nrows, 10);
	for (int i = 0; i < 10; i++) {
		const struct column *c = &history_columns[i];
		assert_string_equal(db_value(r, i, 0), c->name);
		assert_string_equal(db_value(r, i, 1), c->data_type);
		assert_int_equal(strtol(db_value(r, i, 2), NULL, 10), c->length);
		assert_string_equal(db_value(r, i, 3), c->nullable ? "YES" : "NO");
	}
	assert_string_equal(db_value(r, 9, 4), "tinyint(1)");
	assert_true(!strncasecmp(db_value(r, 7, 5), "current_timestamp", 17));
	db_result_free(r);
}

static void test_history_table(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	int exists;
	const char *row[] = { "1", "1.1", "it's \"first\"", "SQL", "V1_1__first.sql", "-12345",
			      "fleetway", "17", "1" };
	struct db_result *r;
	NEED_SERVER();
	db = fresh_db("fw_unit_my_hist");
	assert_int_equal(db_table_exists(db, "fw_unit_my_hist", "flyway_schema_history", &exists,
					 &err), 0);
	assert_false(exists);
	assert_int_equal(db_create_history_table(db, "fw_unit_my_hist", "flyway_schema_history",
						 NULL, &err), 0);
	assert_int_equal(db_table_exists(db, "fw_unit_my_hist", "flyway_schema_history", &exists,
					 &err), 0);
	assert_true(exists);
	check_history_columns(db, "fw_unit_my_hist");
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM information_schema.statistics"
				  " WHERE table_schema = 'fw_unit_my_hist'"
				  " AND index_name = 'flyway_schema_history_s_idx'"
				  " AND column_name = 'success'"), 1);
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM information_schema.statistics"
				  " WHERE table_schema = 'fw_unit_my_hist' AND index_name = 'PRIMARY'"
				  " AND column_name = 'installed_rank'"), 1);
	/* the history insert, with parameters; installed_on comes from the default */
	assert_int_equal(db_query(db, "INSERT INTO `fw_unit_my_hist`.`flyway_schema_history`"
				  " (`installed_rank`,`version`,`description`,`type`,`script`,"
				  "`checksum`,`installed_by`,`execution_time`,`success`)"
				  " VALUES (?,?,?,?,?,?,?,?,?)", 9, row, &r, &err), 0);
	assert_int_equal(r->ncols, 0);
	db_result_free(r);
	assert_int_equal(db_query(db, "SELECT `description`, `checksum`, `success`, `installed_on`"
				  " FROM `fw_unit_my_hist`.`flyway_schema_history`", 0, NULL, &r,
				  &err), 0);
	assert_int_equal(r->nrows, 1);
	assert_string_equal(db_value(r, 0, 0), "it's \"first\"");
	assert_string_equal(db_value(r, 0, 1), "-12345");
	assert_string_equal(db_value(r, 0, 2), "1");
	assert_non_null(db_value(r, 0, 3));
	db_result_free(r);
	/* a second table with a tablespace clause still works */
	assert_int_equal(db_create_history_table(db, "fw_unit_my_hist", "other_history", "ts", &err),
			 0);
	drop_db(db, "fw_unit_my_hist");
	db_close(db);
}

/* ---- the lock ---- */

struct locker {
	struct db *db;
	const char *schema;
	int ret;
	volatile int done;
	struct fw_error err;
};

static void *lock_thread(void *arg)
{
	struct locker *l = arg;
	l->ret = db_lock(l->db, l->schema, "flyway_schema_history", 50, &l->err);
	l->done = 1;
	return NULL;
}

static void test_lock(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf name = STRBUF_INIT, sql = STRBUF_INIT;
	struct db *a, *b;
	struct locker l;
	pthread_t th;
	char *owner, *a_id;
	NEED_SERVER();
	/* reference 12.2's example */
	assert_int_equal(db_java_hash("`mydb`.`flyway_schema_history`"), 278632207);
	strbuf_addf(&name, "Flyway-%d", (int)db_java_hash("`fw_unit_my_lock`.`flyway_schema_history`"));
	a = fresh_db("fw_unit_my_lock");
	b = connect_db("fw_unit_my_lock");
	assert_int_equal(db_lock(a, "fw_unit_my_lock", "flyway_schema_history", 50, &err), 0);
	a_id = value_of(a, "SELECT CONNECTION_ID()");
	strbuf_addf(&sql, "SELECT IS_USED_LOCK('%s')", name.buf);
	owner = value_of(b, sql.buf);
	assert_non_null(owner);
	assert_string_equal(owner, a_id);
	free(owner);

	/* b waits until a lets go */
	memset(&l, 0, sizeof(l));
	l.db = b;
	l.schema = "fw_unit_my_lock";
	assert_int_equal(pthread_create(&th, NULL, lock_thread, &l), 0);
	db_sleep_ms(400);
	assert_false(l.done);
	assert_int_equal(db_unlock(a, &err), 0);
	pthread_join(th, NULL);
	assert_int_equal(l.ret, 0);
	owner = value_of(a, sql.buf);
	assert_non_null(owner);
	assert_string_not_equal(owner, a_id);
	free(owner);
	assert_int_equal(db_unlock(b, &err), 0);
	assert_null(value_of(a, sql.buf));
	assert_int_equal(db_unlock(b, &err), 0);   /* nothing held: no-op */

	/* GET_LOCK failing with an error (here: stopped by max_statement_time,
	 * on Percona XtraDB Cluster: refused) is an error, not a wait forever */
	assert_int_equal(db_lock(a, "fw_unit_my_lock", "flyway_schema_history", 50, &err), 0);
	must_exec(b, "SET SESSION max_statement_time = 0.3");
	assert_int_equal(db_lock(b, "fw_unit_my_lock", "flyway_schema_history", 50, &err), -1);
	assert_non_null(strstr(err.message.buf, "unable to take the migration lock 'Flyway-"));
	assert_non_null(strstr(err.hint.buf, "Galera"));
	fw_error_clear(&err);
	must_exec(b, "SET SESSION max_statement_time = 0");
	assert_int_equal(db_unlock(b, &err), 0);   /* not taken: nothing to release */
	assert_int_equal(db_unlock(a, &err), 0);

	free(a_id);
	strbuf_release(&name);
	strbuf_release(&sql);
	db_close(b);
	drop_db(a, "fw_unit_my_lock");
	db_close(a);
}

struct sleeper {
	struct db *db;
	int ret;
	struct fw_error err;
};

static void *sleep_thread(void *arg)
{
	struct sleeper *sl = arg;
	/* a join big enough to run for minutes (SLEEP would end without error) */
	sl->ret = db_exec(sl->db, "SELECT COUNT(*) FROM information_schema.collations a,"
			  " information_schema.collations b, information_schema.collations c,"
			  " information_schema.collations d", &sl->err);
	return NULL;
}

/* a lock wait and a running statement both end on db_cancel */
static void test_cancel(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *a, *b;
	struct locker l;
	pthread_t th;
	long t0;
	NEED_SERVER();
	a = fresh_db("fw_unit_my_cancel");
	b = connect_db("fw_unit_my_cancel");
	assert_int_equal(db_lock(a, "fw_unit_my_cancel", "flyway_schema_history", 50, &err), 0);
	memset(&l, 0, sizeof(l));
	l.db = b;
	l.schema = "fw_unit_my_cancel";
	assert_int_equal(pthread_create(&th, NULL, lock_thread, &l), 0);
	db_sleep_ms(300);
	t0 = now_ms();
	db_cancel(b);
	pthread_join(th, NULL);
	assert_true(now_ms() - t0 < 3000);
	assert_int_equal(l.ret, -1);
	assert_int_equal(l.err.exit_code, FW_EXIT_INTERRUPTED);
	fw_error_clear(&l.err);
	db_close(b);

	/* a long statement stops at once; what was queued never runs */
	b = connect_db("fw_unit_my_cancel");
	{
		struct sleeper sl = { b, -1, FW_ERROR_INIT };
		struct db_cmd c;
		assert_int_equal(pthread_create(&th, NULL, sleep_thread, &sl), 0);
		db_sleep_ms(300);
		t0 = now_ms();
		db_cancel(b);
		pthread_join(th, NULL);
		assert_true(now_ms() - t0 < 3000);
		assert_int_equal(sl.ret, -1);
		assert_int_equal(sl.err.sql_errcode, 1317);   /* query execution was interrupted */
		assert_int_equal(sl.err.exit_code, FW_EXIT_INTERRUPTED);
		fw_error_clear(&sl.err);
		memset(&c, 0, sizeof(c));
		c.sql = "CREATE TABLE never_made (a INT)";
		/* a cancelled connection starts nothing new; rolling back still works */
		assert_int_equal(db_batch_begin(b, &err), -1);
		assert_int_equal(err.exit_code, FW_EXIT_INTERRUPTED);
		fw_error_clear(&err);
		assert_int_equal(db_batch_add(b, &c, &err), -1);
		assert_int_equal(err.exit_code, FW_EXIT_INTERRUPTED);
		fw_error_clear(&err);
		assert_int_equal(db_rollback(b, &err), 0);
	}
	db_close(b);
	assert_int_equal(count_of(a, "SELECT COUNT(*) FROM information_schema.tables"
				  " WHERE table_schema = 'fw_unit_my_cancel'"), 0);
	assert_int_equal(db_unlock(a, &err), 0);
	drop_db(a, "fw_unit_my_cancel");
	db_close(a);
}

/* ---- statements ---- */

static void test_query_params(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	const char *vals[] = { "it's", "say \"hi\"", "back\\slash\\", NULL, "?", "--;#`x`",
			       "caf\xc3\xa9 \xf0\x9f\x90\xac", "" };
	const int n = (int)(sizeof(vals) / sizeof(vals[0]));
	struct db_result *r;
	struct db *db;
	NEED_SERVER();
	db = connect_db(NULL);
	assert_int_equal(db_query(db, "SELECT ?, ?, ?, ?, ?, ?, ?, ?", n, vals, &r, &err), 0);
	assert_int_equal(r->nrows, 1);
	assert_int_equal(r->ncols, n);
	for (int i = 0; i < n; i++) {
		if (vals[i])
			assert_string_equal(db_value(r, 0, i), vals[i]);
		else
			assert_null(db_value(r, 0, i));
	}
	db_result_free(r);
	/* markers in strings, identifiers and comments are not parameters */
	assert_int_equal(db_query(db, "SELECT '?' AS `a?`, \"?\", ? -- ?\n /* ? */ # ?\n", 1,
				  vals, &r, &err), 0);
	assert_string_equal(db_value(r, 0, 0), "?");
	assert_string_equal(db_value(r, 0, 1), "?");
	assert_string_equal(db_value(r, 0, 2), "it's");
	assert_string_equal(r->colnames[0], "a?");
	db_result_free(r);
	/* a count that does not match is refused before anything is sent */
	assert_int_equal(db_query(db, "SELECT ?, ?", 1, vals, &r, &err), -1);
	assert_null(r);
	assert_non_null(strstr(err.message.buf, "parameter"));
	fw_error_clear(&err);
	/* NO_BACKSLASH_ESCAPES changes the quoting; the values stay intact */
	must_exec(db, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
	assert_int_equal(db_query(db, "SELECT ?, ?, ?", 3, vals, &r, &err), 0);
	assert_string_equal(db_value(r, 0, 0), vals[0]);
	assert_string_equal(db_value(r, 0, 1), vals[1]);
	assert_string_equal(db_value(r, 0, 2), vals[2]);
	db_result_free(r);
	/* ... and a backslash no longer escapes the quote that ends a literal */
	assert_int_equal(db_query(db, "SELECT 'C:\\', ?", 1, vals, &r, &err), 0);
	assert_string_equal(db_value(r, 0, 0), "C:\\");
	assert_string_equal(db_value(r, 0, 1), vals[0]);
	db_result_free(r);
	db_close(db);
}

static void test_error_fields(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	char *v;
	NEED_SERVER();
	db = connect_db(NULL);
	assert_int_equal(db_exec(db, "SELEC 1", &err), -1);
	assert_int_equal(err.sql_errcode, 1064);
	assert_string_equal(err.sqlstate, "42000");
	assert_non_null(strstr(err.message.buf, "SQL syntax"));
	assert_non_null(strstr(err.detail.buf, "SELEC 1"));
	fw_error_clear(&err);
	/* the connection is still good */
	v = value_of(db, "SELECT 41 + 1");
	assert_string_equal(v, "42");
	free(v);
	db_close(db);
}

struct rows_seen {
	int calls;
	char first[8][64];
};

static void collect_rows(void *ctx, const struct db_result *r)
{
	struct rows_seen *s = ctx;
	if (s->calls < 8)
		snprintf(s->first[s->calls], sizeof(s->first[0]), "%s",
			 db_value(r, 0, 0) ? db_value(r, 0, 0) : "(none)");
	s->calls++;
}

static int add_cmd(struct db *db, const char *sql, int line, int want_rows, struct fw_error *err)
{
	struct db_cmd c;
	memset(&c, 0, sizeof(c));
	c.sql = sql;
	c.line = line;
	c.want_rows = want_rows;
	return db_batch_add(db, &c, err);
}

static void test_multi_results(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct rows_seen seen;
	struct db *db;
	NEED_SERVER();
	db = fresh_db("fw_unit_my_multi");
	/* exec consumes every result of a multi-statement text */
	must_exec(db, "SELECT 1; SELECT 2; CREATE TABLE t (a INT); SELECT 3; INSERT INTO t VALUES (1)");
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM t"), 1);
	must_exec(db, "CREATE PROCEDURE two_sets() BEGIN SELECT 'p1'; SELECT 'p2'; END");

	/* a batch: result sets of want_rows commands reach the handler, in order,
	 * also both sets of a CALL; the others are read and dropped */
	memset(&seen, 0, sizeof(seen));
	db_set_rows_handler(db, collect_rows, &seen);
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(add_cmd(db, "BEGIN", 0, 0, &err), 0);
	assert_int_equal(add_cmd(db, "SELECT 'a'", 1, 1, &err), 0);
	assert_int_equal(add_cmd(db, "SELECT 'not wanted'", 2, 0, &err), 0);
	assert_int_equal(add_cmd(db, "INSERT INTO t VALUES (2) -- trailing comment", 3, 0, &err), 0);
	assert_int_equal(add_cmd(db, "CALL two_sets()", 4, 1, &err), 0);
	assert_int_equal(add_cmd(db, "SELECT COUNT(*) FROM t # another", 5, 1, &err), 0);
	assert_int_equal(add_cmd(db, "COMMIT", 0, 0, &err), 0);
	assert_int_equal(db_batch_end(db, &err), 0);
	assert_int_equal(seen.calls, 4);
	assert_string_equal(seen.first[0], "a");
	assert_string_equal(seen.first[1], "p1");
	assert_string_equal(seen.first[2], "p2");
	assert_string_equal(seen.first[3], "2");
	/* a query inside a batch sees what was queued before it */
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(add_cmd(db, "INSERT INTO t VALUES (3)", 1, 0, &err), 0);
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM t"), 3);
	assert_int_equal(db_batch_end(db, &err), 0);
	/* a command outside any batch runs at once */
	assert_int_equal(add_cmd(db, "SELECT 'single'", 9, 1, &err), 0);
	assert_int_equal(seen.calls, 5);
	assert_string_equal(seen.first[4], "single");
	db_set_rows_handler(db, NULL, NULL);
	drop_db(db, "fw_unit_my_multi");
	db_close(db);
}

/* a failing command stops the batch: what came before it ran, nothing after */
static void test_batch_error(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	int ret = 0, exists;
	NEED_SERVER();
	db = fresh_db("fw_unit_my_batch");
	assert_int_equal(db_batch_begin(db, &err), 0);
	if (ret == 0)
		ret = add_cmd(db, "CREATE TABLE t1 (a INT)", 1, 0, &err);
	if (ret == 0)
		ret = add_cmd(db, "INSERT INTO t1 VALUES (1)", 2, 0, &err);
	if (ret == 0)
		ret = add_cmd(db, "INSERT INTO t1 VALUES (2,\n oops)", 7, 0, &err);
	if (ret == 0)
		ret = add_cmd(db, "CREATE TABLE t2 (a INT)", 9, 0, &err);
	if (ret == 0)
		ret = db_batch_end(db, &err);
	else
		db_batch_end(db, &(struct fw_error)FW_ERROR_INIT);
	assert_int_equal(ret, -1);
	assert_int_equal(err.line, 7);
	assert_int_equal(err.sql_errcode, 1054);   /* unknown column 'oops' */
	assert_non_null(strstr(err.detail.buf, "oops"));
	assert_non_null(strstr(err.detail.buf, "line 7"));
	fw_error_clear(&err);
	assert_int_equal(db_table_exists(db, "fw_unit_my_batch", "t1", &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(db_table_exists(db, "fw_unit_my_batch", "t2", &exists, &err), 0);
	assert_false(exists);
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM t1"), 1);

	/* the server's own line numbers are those of the statement alone */
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(add_cmd(db, "SELECT 1 -- x", 1, 0, &err), 0);
	assert_int_equal(add_cmd(db, "SELECT 2", 2, 0, &err), 0);
	assert_int_equal(add_cmd(db, "SELECT\n3\nFROM", 3, 0, &err), 0);
	assert_int_equal(db_batch_end(db, &err), -1);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.message.buf, "at line 3"));
	fw_error_clear(&err);

	/* the server's quote of a syntax error ends where the statement did,
	 * not in the command queued after it */
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(add_cmd(db, "SELECT 1,, 2", 1, 0, &err), 0);
	assert_int_equal(add_cmd(db, "CREATE TABLE t3 (a INT)", 2, 0, &err), 0);
	assert_int_equal(db_batch_end(db, &err), -1);
	assert_non_null(strstr(err.message.buf, "near ' 2' at line 1"));
	fw_error_clear(&err);
	drop_db(db, "fw_unit_my_batch");
	db_close(db);
}

/* MySQL has no transactional DDL: DDL commits what came before it */
static void test_ddl_autocommit(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	int exists;
	NEED_SERVER();
	db = fresh_db("fw_unit_my_tx");
	must_exec(db, "CREATE TABLE t (a INT) ENGINE=InnoDB");
	assert_int_equal(db_begin(db, &err), 0);
	must_exec(db, "INSERT INTO t VALUES (1)");
	assert_int_equal(db_rollback(db, &err), 0);
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM t"), 0);   /* DML rolls back */
	assert_int_equal(db_begin(db, &err), 0);
	must_exec(db, "INSERT INTO t VALUES (2)");
	must_exec(db, "CREATE TABLE made_in_tx (a INT)");
	assert_int_equal(db_rollback(db, &err), 0);
	assert_int_equal(db_table_exists(db, "fw_unit_my_tx", "made_in_tx", &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM t"), 1);
	/* after the implicit commit the transaction goes on: autocommit is off, as in Flyway */
	assert_int_equal(db_begin(db, &err), 0);
	must_exec(db, "CREATE TABLE made_before (a INT)");
	must_exec(db, "INSERT INTO t VALUES (3)");
	assert_int_equal(db_rollback(db, &err), 0);
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM t"), 1);
	/* commit and rollback leave the session in autocommit mode */
	assert_int_equal(count_of(db, "SELECT @@autocommit"), 1);
	assert_int_equal(db_begin(db, &err), 0);
	must_exec(db, "INSERT INTO t VALUES (4)");
	assert_int_equal(db_commit(db, &err), 0);
	assert_int_equal(count_of(db, "SELECT @@autocommit"), 1);
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM t"), 2);
	drop_db(db, "fw_unit_my_tx");
	db_close(db);
}

/* ---- schemas and clean ---- */

static void test_schemas(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	int exists, empty;
	NEED_SERVER();
	db = connect_db(NULL);
	drop_db(db, "fw_unit_my_sch`x");
	assert_int_equal(db_create_schema(db, "fw_unit_my_sch`x", &err), 0);
	assert_int_equal(db_schema_exists(db, "fw_unit_my_sch`x", &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(db_schema_is_empty(db, "fw_unit_my_sch`x", &empty, &err), 0);
	assert_true(empty);
	must_exec(db, "CREATE PROCEDURE `fw_unit_my_sch``x`.p() SELECT 1");
	assert_int_equal(db_schema_is_empty(db, "fw_unit_my_sch`x", &empty, &err), 0);
	assert_false(empty);
	assert_int_equal(db_drop_schema(db, "fw_unit_my_sch`x", &err), 0);
	assert_int_equal(db_schema_exists(db, "fw_unit_my_sch`x", &exists, &err), 0);
	assert_false(exists);
	db_close(db);
}

/* db_set_default_schema: USE at once when the schema exists, else once
 * db_create_schema made it; again before a batch when a script switched away */
static void test_default_schema(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	int exists;
	char *v;
	NEED_SERVER();
	db = connect_db(NULL);
	drop_db(db, "fw_unit_my_def");
	drop_db(db, "fw_unit_my_other");
	assert_int_equal(db_set_default_schema(db, "fw_unit_my_def", &err), 0);
	v = value_of(db, "SELECT DATABASE()");
	assert_null(v);
	assert_int_equal(db_create_schema(db, "fw_unit_my_def", &err), 0);
	must_exec(db, "CREATE TABLE t (a INT)");
	assert_int_equal(db_table_exists(db, "fw_unit_my_def", "t", &exists, &err), 0);
	assert_true(exists);
	must_exec(db, "CREATE DATABASE fw_unit_my_other");
	must_exec(db, "USE fw_unit_my_other");
	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_int_equal(add_cmd(db, "CREATE TABLE u (a INT)", 1, 0, &err), 0);
	assert_int_equal(db_batch_end(db, &err), 0);
	assert_int_equal(db_table_exists(db, "fw_unit_my_def", "u", &exists, &err), 0);
	assert_true(exists);
	assert_int_equal(db_table_exists(db, "fw_unit_my_other", "u", &exists, &err), 0);
	assert_false(exists);
	/* dropped and made again: used again */
	assert_int_equal(db_drop_schema(db, "fw_unit_my_def", &err), 0);
	assert_int_equal(db_create_schema(db, "fw_unit_my_def", &err), 0);
	must_exec(db, "CREATE TABLE w (a INT)");
	assert_int_equal(db_table_exists(db, "fw_unit_my_def", "w", &exists, &err), 0);
	assert_true(exists);
	drop_db(db, "fw_unit_my_def");
	drop_db(db, "fw_unit_my_other");
	db_close(db);
}

static void test_clean(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db *db;
	int empty;
	char *v;
	NEED_SERVER();
	db = fresh_db("fw_unit_my_clean");
	must_exec(db, "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB;"
		  "CREATE TABLE child (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES parent (id))"
		  " ENGINE=InnoDB;"
		  "CREATE TABLE `odd``name` (x INT);"
		  "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1);"
		  "CREATE VIEW v1 AS SELECT * FROM child;"
		  "CREATE VIEW v2 AS SELECT * FROM v1;"
		  "CREATE PROCEDURE pr() SELECT 1;"
		  "CREATE FUNCTION fn() RETURNS INT DETERMINISTIC RETURN 1;"
		  "CREATE TRIGGER tr BEFORE INSERT ON child FOR EACH ROW SET NEW.p = NEW.p;"
		  "CREATE EVENT ev ON SCHEDULE EVERY 1 DAY DO SELECT 1;"
		  "CREATE SEQUENCE sq");
	assert_int_equal(db_create_history_table(db, "fw_unit_my_clean", "flyway_schema_history",
						 NULL, &err), 0);
	assert_int_equal(db_schema_is_empty(db, "fw_unit_my_clean", &empty, &err), 0);
	assert_false(empty);
	assert_int_equal(db_clean_schema(db, "fw_unit_my_clean", &err), 0);
	assert_int_equal(db_schema_is_empty(db, "fw_unit_my_clean", &empty, &err), 0);
	assert_true(empty);
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM information_schema.triggers"
				  " WHERE trigger_schema = 'fw_unit_my_clean'"), 0);
	assert_int_equal(count_of(db, "SELECT COUNT(*) FROM information_schema.events"
				  " WHERE event_schema = 'fw_unit_my_clean'"), 0);
	v = value_of(db, "SELECT @@SESSION.foreign_key_checks");
	assert_string_equal(v, "1");
	free(v);
	/* an empty database cleans too */
	assert_int_equal(db_clean_schema(db, "fw_unit_my_clean", &err), 0);
	drop_db(db, "fw_unit_my_clean");
	db_close(db);
}

/* ---- threads ---- */

struct worker {
	int ok;
};

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	w->ok = 0;
	if (open_as(NULL, NULL, NULL, &db, &err, NULL) < 0) {
		fw_error_clear(&err);
		return NULL;
	}
	for (int i = 0; i < 50; i++) {
		char n[16];
		const char *params[] = { n };
		struct db_result *r;
		snprintf(n, sizeof(n), "%d", i);
		if (db_query(db, "SELECT ? + 1", 1, params, &r, &err) < 0)
			break;
		if (db_value(r, 0, 0) && atoi(db_value(r, 0, 0)) == i + 1)
			w->ok++;
		db_result_free(r);
	}
	fw_error_clear(&err);
	db_close(db);
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t th[6];
	struct worker w[6];
	NEED_SERVER();
	for (int i = 0; i < 6; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker_thread, &w[i]), 0);
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ok, 50);
	}
}

/* ---- check's knowledge of the data: sizes and limits ---- */

static void test_table_size_and_timeouts(void **state)
{
	struct db *db, *other;
	struct fw_error err = FW_ERROR_INIT;
	struct db_table_size sz;
	struct db_timeouts to = { 1000, 1500 };
	long t0;
	NEED_SERVER();
	db = fresh_db("fwt_review");
	must_exec(db, "CREATE TABLE sized (id INT PRIMARY KEY)");
	must_exec(db, "INSERT INTO sized SELECT seq FROM seq_1_to_3000");
	must_exec(db, "ANALYZE TABLE sized");
	assert_int_equal(db_table_size(db, "fwt_review", "Sized", 1000000, &sz, &err), 0);
	assert_true(sz.found);
	assert_int_equal(sz.how, DB_ROWS_ESTIMATE);
	assert_in_range(sz.rows, 2000, 4000);
	assert_int_equal(db_table_size(db, "fwt_review", "missing", 10, &sz, &err), 0);
	assert_false(sz.found);
	/* the session's limits, and back to what it had */
	must_exec(db, "SET SESSION lock_wait_timeout = 77");
	assert_int_equal(db_set_timeouts(db, &to, DB_TIMEOUTS_BEFORE_BEGIN, &err), 0);
	assert_int_equal(count_of(db, "SELECT @@session.lock_wait_timeout"), 1);
	assert_int_equal(count_of(db, "SELECT @@session.innodb_lock_wait_timeout"), 1);
	/* a metadata lock held elsewhere: the wait is cut, and it was the lock */
	other = connect_db("fwt_review");
	must_exec(other, "LOCK TABLES sized WRITE");
	t0 = time(NULL);
	assert_int_equal(db_exec(db, "ALTER TABLE sized ADD COLUMN x INT", &err), -1);
	assert_true(time(NULL) - t0 <= 4);
	assert_int_equal(db_timeout_kind(db, &err), 1);
	fw_error_clear(&err);
	must_exec(other, "UNLOCK TABLES");
	db_close(other);
	/* MariaDB: max_statement_time cuts a statement */
	assert_int_equal(db_exec(db, "SELECT SLEEP(5)", &err), -1);
	assert_int_equal(db_timeout_kind(db, &err), 2);
	fw_error_clear(&err);
	assert_int_equal(db_reset_timeouts(db, &err), 0);
	assert_int_equal(count_of(db, "SELECT @@session.lock_wait_timeout"), 77);
	drop_db(db, "fwt_review");
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_without_database),
		cmocka_unit_test(test_prefetch),
		cmocka_unit_test(test_connect_with_database),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_db_open),
		cmocka_unit_test(test_bad_ssl_mode),
		cmocka_unit_test(test_tls_required),
		cmocka_unit_test(test_quote_ident),
		cmocka_unit_test(test_history_table),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_table_size_and_timeouts),
		cmocka_unit_test(test_query_params),
		cmocka_unit_test(test_error_fields),
		cmocka_unit_test(test_multi_results),
		cmocka_unit_test(test_batch_error),
		cmocka_unit_test(test_ddl_autocommit),
		cmocka_unit_test(test_schemas),
		cmocka_unit_test(test_default_schema),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
