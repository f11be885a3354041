/* The SQLite driver, on libsqlite3.
 *
 * Schemas are SQLite's database names: "main" always, plus attached ones.
 * Flyway takes no lock on SQLite, so concurrent runs fail with SQLITE_BUSY
 * (reference 14, items 2-3). fleetway instead holds an exclusive flock() on a
 * sidecar file "<database file>-fleetway.lock" while migrating, and gives each
 * connection a generous busy timeout, so concurrent processes queue.
 *
 * Why a sidecar and not the database file itself: POSIX record locks (which
 * SQLite uses) are dropped for the whole process when *any* descriptor of the
 * file is closed, so opening and closing our own descriptor on the database
 * file could silently release the locks of another connection of this
 * process. Closing a descriptor of the sidecar file touches nobody's locks.
 *
 * A database file that another program holds locked (an open write
 * transaction, BEGIN EXCLUSIVE) makes statements wait in the busy handler,
 * as long as lockRetryCount allows (db_params), and then fail with an error
 * that says so. */
#include "db/db-internal.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define LOCK_POLL_MS 25

struct sqlite_db {
	struct db base;
	sqlite3 *h;
	int lock_fd;       /* flock()ed sidecar, -1 when unlocked */
	int lock_depth;    /* db_lock calls not yet undone (also for :memory:) */
	long busy_budget_ms;   /* how long a statement waits for a locked file; -1 = no limit */
	long busy_since;       /* when the current wait began (monotonic ms) */
	/* a migration's limits (db_set_timeouts) */
	int limits_set;        /* saved_budget holds lockRetryCount's budget */
	long saved_budget_ms;
	long lock_limit_ms;    /* lockTimeout in force, 0 = none */
	long stmt_limit_ms;    /* statementTimeout in force, 0 = none */
	long stmt_started;     /* when the running statement started */
	int deadline_hit;      /* the last statement was interrupted by stmt_limit_ms */
};

static struct sqlite_db *sq(struct db *db)
{
	if (db->ops != &db_sqlite_ops)
		abort();   /* a programming error, like a failed assert */
	return (struct sqlite_db *)db;
}

static void quote(const char *name, struct strbuf *out)
{
	db_quote_with('"', name, out);
}

static void sqlite_quote_ident(const struct db *db, const char *name, struct strbuf *out)
{
	quote(name, out);
}

static const char *schema_or_main(const char *schema)
{
	return schema && *schema ? schema : "main";
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The busy handler: another connection holds a lock this statement needs.
 * Poll until it is free, the budget (lockRetryCount seconds) is spent or
 * db_cancel() was called; returning 0 makes the statement fail SQLITE_BUSY. */
static int busy_wait(void *ctx, int count)
{
	struct sqlite_db *s = ctx;
	long waited;
	if (count == 0)
		s->busy_since = now_ms();
	waited = now_ms() - s->busy_since;
	if (atomic_load(&s->base.cancelled) ||
	    (s->busy_budget_ms >= 0 && waited >= s->busy_budget_ms))
		return 0;
	db_sleep_ms(s->busy_budget_ms >= 0 && s->busy_budget_ms - waited < LOCK_POLL_MS
		    ? s->busy_budget_ms - waited : LOCK_POLL_MS);
	return 1;
}

/* SQLITE_BUSY after busy_wait gave up: say who holds what, and what to do */
static void locked_error(struct sqlite_db *s, const char *sql, int line, struct fw_error *err)
{
	const char *file = sqlite3_db_filename(s->h, "main");
	struct strbuf msg = STRBUF_INIT, why = STRBUF_INIT;
	strbuf_addf(&msg, "the database file %s is locked by another process",
		    file && *file ? file : "(in memory)");
	strbuf_addf(&why, "SQLite: %s", sqlite3_errmsg(s->h));
	if (s->lock_limit_ms)
		strbuf_addf(&why, " (given up after %ld ms, lockTimeout)", s->lock_limit_ms);
	else if (s->busy_budget_ms >= 0)
		strbuf_addf(&why, " (given up after %ld s, lockRetryCount=%ld)",
			    s->busy_budget_ms / 1000, s->busy_budget_ms / 1000);
	db_sql_error(err, NULL, SQLITE_BUSY, msg.buf, why.buf, NULL, sql, line);
	fw_error_hint(err, "end the other program's transaction, or let fleetway wait longer with "
		      "lockRetryCount (seconds; -1 waits until the file is free)");
	strbuf_release(&msg);
	strbuf_release(&why);
}

/* the error of the last call on h, attributed to sql/line */
static int sql_fail(struct sqlite_db *s, const char *sql, int line, struct fw_error *err)
{
	int code = sqlite3_extended_errcode(s->h) & 0xFF;
	if (code == SQLITE_BUSY && !atomic_load(&s->base.cancelled))
		locked_error(s, sql, line, err);
	else if (code == SQLITE_INTERRUPT && s->deadline_hit && !atomic_load(&s->base.cancelled))
		db_sql_error(err, NULL, code, "canceling statement due to statement timeout",
			     "it ran longer than statementTimeout", NULL, sql, line);
	else
		db_sql_error(err, NULL, code, sqlite3_errmsg(s->h), NULL, NULL, sql, line);
	if ((code == SQLITE_INTERRUPT || code == SQLITE_BUSY) && atomic_load(&s->base.cancelled))
		err->exit_code = FW_EXIT_INTERRUPTED;
	return -1;
}

/* step st to the end, appending rows to res when given */
static int step_all(sqlite3_stmt *st, struct db_result *res)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char **row;
		if (!res)
			continue;
		row = db_result_add_row(res);
		for (int c = 0; c < res->ncols; c++) {
			const unsigned char *v = sqlite3_column_text(st, c);
			row[c] = v ? xstrdup((const char *)v) : NULL;
		}
	}
	return rc == SQLITE_DONE ? 0 : -1;
}

static struct db_result *result_for(sqlite3_stmt *st)
{
	int ncols = sqlite3_column_count(st);
	struct db_result *r = db_result_new(ncols);
	for (int c = 0; c < ncols; c++) {
		const char *name = sqlite3_column_name(st, c);
		r->colnames[c] = xstrdup(name ? name : "");
	}
	return r;
}

static int bind_params(struct sqlite_db *s, sqlite3_stmt *st, int nparams,
		       const char *const *params, const char *sql, int line, struct fw_error *err)
{
	if (sqlite3_bind_parameter_count(st) != nparams) {
		fw_errorf(err, "FAULT", "internal error: statement expects %d parameters, got %d",
			  sqlite3_bind_parameter_count(st), nparams);
		db_error_add_statement(err, sql, line);
		return -1;
	}
	for (int i = 0; i < nparams; i++) {
		int rc = params[i] ? sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_TRANSIENT)
				   : sqlite3_bind_null(st, i + 1);
		if (rc != SQLITE_OK)
			return sql_fail(s, sql, line, err);
	}
	return 0;
}

/* a statement this long is not held twice (db_cmd.release_sql): SQLite
 * keeps the text and the literals compiled into its program, and builds the
 * row from them, three copies of its own */
#define RELEASE_SQL_MIN (1024 * 1024)

/* Once the only statement of a long text is prepared, the caller's copy of
 * the text can go (1 = released): messages quote SQLite's copy from then on. */
static int release_text(const char *next, struct strbuf *owner, const char *sql)
{
	if (!owner || owner->buf != sql || owner->len < RELEASE_SQL_MIN)
		return 0;
	while (*next == ' ' || *next == '\t' || *next == '\n' || *next == '\r')
		next++;
	if (*next)
		return 0;   /* more statements to prepare from the text */
	strbuf_release(owner);
	return 1;
}

/* Run every statement of sql (parameters go to the first). Rows of
 * statements that return columns go to the rows handler when `deliver`, else
 * the first such result set goes to *out (when out is given). owner, when
 * given, is the buffer holding sql (release_text). */
static int run(struct sqlite_db *s, const char *sql, int nparams, const char *const *params,
	       int line, int deliver, struct db_result **out, struct strbuf *owner,
	       struct fw_error *err)
{
	const char *tail = sql;
	int first = 1;
	while (tail && *tail) {
		sqlite3_stmt *st = NULL;
		struct db_result *res = NULL;
		const char *next = NULL;
		int rc = sqlite3_prepare_v2(s->h, tail, -1, &st, &next);
		if (rc != SQLITE_OK)
			return sql_fail(s, sql, line, err);
		if (!st) {          /* only blanks or comments left */
			tail = next;
			continue;
		}
		if (release_text(next, owner, sql)) {
			sql = sqlite3_sql(st);
			next = "";
			owner = NULL;
		}
		if (first && bind_params(s, st, nparams, params, sql, line, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		first = 0;
		if (sqlite3_column_count(st) > 0 && (deliver || (out && !*out)))
			res = result_for(st);
		s->stmt_started = now_ms();
		if (step_all(st, res) < 0) {
			sql_fail(s, sql, line, err);
			sqlite3_finalize(st);
			db_result_free(res);
			return -1;
		}
		sqlite3_finalize(st);
		if (res && deliver) {
			if (s->base.rows_fn)
				s->base.rows_fn(s->base.rows_ctx, res);
			db_result_free(res);
		} else if (res) {
			*out = res;
		}
		tail = next;
	}
	if (first && nparams > 0)
		return fw_errorf(err, "FAULT", "internal error: parameters given to an empty statement");
	return 0;
}

static int sqlite_exec(struct db *db, const char *sql, struct fw_error *err)
{
	return run(sq(db), sql, 0, NULL, 0, 0, NULL, NULL, err);
}

static int sqlite_query(struct db *db, const char *sql, int nparams, const char *const *params,
			struct db_result **out, struct fw_error *err)
{
	*out = NULL;
	if (run(sq(db), sql, nparams, params, 0, 0, out, NULL, err) < 0) {
		db_result_free(*out);
		*out = NULL;
		return -1;
	}
	if (!*out)
		*out = db_result_new(0);
	return 0;
}

/* SQLite has no round trips to save: batch commands run immediately */
static int sqlite_batch_add(struct db *db, const struct db_cmd *cmd, struct fw_error *err)
{
	struct sqlite_db *s = sq(db);
	if (cmd->copy_data) {
		fw_errorf(err, "ERROR", "COPY ... FROM STDIN is not supported by SQLite");
		err->line = cmd->line;
		db_error_add_statement(err, cmd->sql, cmd->line);
		return -1;
	}
	return run(s, cmd->sql, cmd->nparams, cmd->params, cmd->line,
		   cmd->want_rows && s->base.rows_fn, NULL, cmd->release_sql, err);
}

/* a one-value query: *out = first column of the first row, or NULL */
static int query_value(struct sqlite_db *s, const char *sql, int nparams,
		       const char *const *params, char **out, struct fw_error *err)
{
	struct db_result *r = NULL;
	*out = NULL;
	if (run(s, sql, nparams, params, 0, 0, &r, NULL, err) < 0) {
		db_result_free(r);
		return -1;
	}
	if (db_value(r, 0, 0))
		*out = xstrdup(db_value(r, 0, 0));
	db_result_free(r);
	return 0;
}

/* query_value of before + "schema" + after: the catalog queries of one attached database */
static int schema_value(struct sqlite_db *s, const char *before, const char *schema,
			const char *after, int nparams, const char *const *params, char **out,
			struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;
	strbuf_addstr(&sql, before);
	quote(schema_or_main(schema), &sql);
	strbuf_addstr(&sql, after);
	ret = query_value(s, sql.buf, nparams, params, out, err);
	strbuf_release(&sql);
	return ret;
}

/* ---- opening ---- */

/* URL parameters that are pragmas (as sqlite-jdbc accepts them) */
static int apply_pragmas(struct sqlite_db *s, const struct db_url *u, struct fw_error *err)
{
	static const char *const known[] = {
		"foreign_keys", "journal_mode", "synchronous", "busy_timeout", "recursive_triggers",
		"case_sensitive_like", "cache_size", "temp_store", "secure_delete",
		"legacy_alter_table", "auto_vacuum", "page_size", NULL
	};
	for (size_t i = 0; i < u->param_keys.nr; i++) {
		const char *k = u->param_keys.v[i], *v = u->param_values.v[i];
		struct strbuf sql = STRBUF_INIT;
		int ok = 0, ret;
		for (int j = 0; known[j]; j++)
			ok |= !strcasecmp(k, known[j]);
		for (const char *c = v; ok && *c; c++)
			ok = isalnum((unsigned char)*c) || *c == '-';
		if (!ok || !*v)
			continue;   /* other sqlite-jdbc properties mean nothing here */
		strbuf_addf(&sql, "PRAGMA %s = %s", k,
			    !strcasecmp(v, "true") ? "ON" : !strcasecmp(v, "false") ? "OFF" : v);
		ret = run(s, sql.buf, 0, NULL, 0, 0, NULL, NULL, err);
		strbuf_release(&sql);
		if (ret < 0)
			return -1;
	}
	return 0;
}

/* SQLite counts every allocation of every connection under one process-wide
 * mutex (the memory statistics, which nothing here reads): a fleet's threads,
 * each opening its own files, would queue on it */
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

static int sqlite_open(const struct db_url *u, const struct db_params *p, struct db **out,
		       struct fw_error *err)
{
	struct sqlite_db *s = xcalloc(1, sizeof(*s));
	/* NOMUTEX: a connection is used by one thread at a time (db.h) */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	const char *path = u->path ? u->path : ":memory:";

	pthread_once(&lib_once, lib_init);
	s->base.ops = &db_sqlite_ops;
	s->lock_fd = -1;
	if (!strncasecmp(path, "file:", 5))
		flags |= SQLITE_OPEN_URI;
	else if (p->stand_in_if_missing && strcmp(path, ":memory:") && access(path, F_OK) != 0)
		path = ":memory:";   /* what a new, empty file would read as, without making it */
	if (sqlite3_open_v2(path, &s->h, flags, NULL) != SQLITE_OK) {
		fw_errorf(err, "DB_CONNECTION", "%s", s->h ? sqlite3_errmsg(s->h) : "out of memory");
		fw_error_detail(err, "database file: %s", path);
		sqlite3_close(s->h);
		free(s);
		return -1;
	}
	sqlite3_extended_result_codes(s->h, 1);
	s->busy_budget_ms = p->lock_retry_count < 0 ? -1 : p->lock_retry_count * 1000L;
	sqlite3_busy_handler(s->h, busy_wait, s);
	/* SQLite opens lazily: read the schema now so that a file that is not
	 * a database (or is locked) fails here, as a connection error */
	if (apply_pragmas(s, u, err) < 0 ||
	    run(s, "SELECT count(*) FROM sqlite_master", 0, NULL, 0, 0, NULL, NULL, err) < 0) {
		if (!strstr(err->message.buf, path))
			fw_error_detail(err, "database file: %s", path);
		sqlite3_close(s->h);
		free(s);
		return -1;
	}
	{
		struct strbuf product = STRBUF_INIT;
		strbuf_addf(&product, "SQLite %s", sqlite3_libversion());
		s->base.product = strbuf_detach(&product, NULL);
	}
	*out = &s->base;
	return 0;
}

static void release_lock_file(struct sqlite_db *s)
{
	if (s->lock_fd >= 0) {
		flock(s->lock_fd, LOCK_UN);
		close(s->lock_fd);
		s->lock_fd = -1;
	}
}

static void sqlite_close(struct db *db)
{
	struct sqlite_db *s = sq(db);
	sqlite3_close_v2(s->h);
	release_lock_file(s);
	free(s);
}

/* ---- introspection ---- */

static int sqlite_current_schema(struct db *db, char **out, struct fw_error *err)
{
	*out = xstrdup("main");
	return 0;
}

static int sqlite_current_user(struct db *db, char **out, struct fw_error *err)
{
	*out = xstrdup("");   /* reference 4.4: installed_by is empty on SQLite */
	return 0;
}

/* SQLite has no catalog name (Flyway reports "database": null) */
static int sqlite_database_name(struct db *db, char **out, struct fw_error *err)
{
	*out = NULL;
	return 0;
}

static int sqlite_schema_exists(struct db *db, const char *schema, int *exists,
				struct fw_error *err)
{
	const char *params[] = { schema_or_main(schema) };
	char *v = NULL;
	if (query_value(sq(db), "SELECT 1 FROM pragma_database_list WHERE name = ? COLLATE NOCASE",
			1, params, &v, err) < 0)
		return -1;
	*exists = v != NULL;
	free(v);
	return 0;
}

/* reference 6.1: empty = no table but sqlite_sequence / android_metadata */
static int sqlite_schema_is_empty(struct db *db, const char *schema, int *empty,
				  struct fw_error *err)
{
	char *v = NULL;
	int ret = schema_value(sq(db), "SELECT count(*) FROM ", schema,
			       ".sqlite_master WHERE type = 'table'"
			       " AND tbl_name NOT IN ('sqlite_sequence', 'android_metadata')",
			       0, NULL, &v, err);
	if (ret == 0)
		*empty = v && !strcmp(v, "0");
	free(v);
	return ret;
}

static int sqlite_table_exists(struct db *db, const char *schema, const char *table,
			       int *exists, struct fw_error *err)
{
	const char *params[] = { table };
	char *v = NULL;
	/* SQLite names are case-insensitive: a differently cased table is the same table */
	int ret = schema_value(sq(db), "SELECT 1 FROM ", schema,
			       ".sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
			       1, params, &v, err);
	*exists = v != NULL;
	free(v);
	return ret;
}

/* PRAGMA data_version: changes whenever another connection commits to that
 * database file (not for this connection's own writes, which callers track) */
static int sqlite_change_counter(struct db *db, const char *schema, long long *out,
				 struct fw_error *err)
{
	char *v = NULL;
	int ret = schema_value(sq(db), "PRAGMA ", schema, ".data_version", 0, NULL, &v, err);
	*out = v ? strtoll(v, NULL, 10) : 0;
	free(v);
	return ret;
}

static int sqlite_create_schema(struct db *db, const char *schema, struct fw_error *err)
{
	fw_errorf(err, "ERROR", "SQLite does not support creating schemas. Schema not created: %s",
		  schema);
	fw_error_hint(err, "attach the database with initSql, or use the schema \"main\"");
	return -1;
}

static int sqlite_drop_schema(struct db *db, const char *schema, struct fw_error *err)
{
	return fw_errorf(err, "ERROR",
			 "SQLite does not support dropping schemas. Schema not dropped: %s", schema);
}

/* ---- DDL that needs a transaction ---- */

/* run sql inside a transaction of its own unless one is already open */
static int run_in_tx(struct sqlite_db *s, const char *sql, struct fw_error *err)
{
	struct fw_error ignored = FW_ERROR_INIT;
	int own = sqlite3_get_autocommit(s->h);
	if (own && run(s, "BEGIN IMMEDIATE", 0, NULL, 0, 0, NULL, NULL, err) < 0)
		return -1;
	if (run(s, sql, 0, NULL, 0, 0, NULL, NULL, err) < 0) {
		if (own)
			run(s, "ROLLBACK", 0, NULL, 0, 0, NULL, NULL, &ignored);
		fw_error_clear(&ignored);
		return -1;
	}
	return own ? run(s, "COMMIT", 0, NULL, 0, 0, NULL, NULL, err) : 0;
}

static void sqlite_history_table_sql(struct db *db, const char *schema, const char *table,
				     const char *tablespace, struct strbuf *out)
{
	struct strbuf idx = STRBUF_INIT;
	schema = schema_or_main(schema);
	strbuf_addstr(out, "CREATE TABLE ");
	quote(schema, out);
	strbuf_addch(out, '.');
	quote(table, out);
	strbuf_addstr(out, " (\n"
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
		");\n"
		"CREATE INDEX ");
	quote(schema, out);
	strbuf_addch(out, '.');
	strbuf_addstr(&idx, table);
	strbuf_addstr(&idx, "_s_idx");
	quote(idx.buf, out);
	strbuf_addstr(out, " ON ");
	quote(table, out);
	strbuf_addstr(out, " (\"success\");");
	strbuf_release(&idx);
}

/* reference 4.2, SQLite: exactly this text (tablespaces do not exist) */
static int sqlite_exec_atomic(struct db *db, const char *script, struct fw_error *err)
{
	return run_in_tx(sq(db), script, err);
}

/* ---- clean ---- */

/* names of sqlite_master entries of one kind (internal sqlite_ ones left out) */
static int list_objects(struct sqlite_db *s, const char *schema, const char *where,
			struct strvec *names, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct db_result *r = NULL;
	int ret;
	strbuf_addstr(&sql, "SELECT name FROM ");
	quote(schema, &sql);
	strbuf_addf(&sql, ".sqlite_master WHERE name NOT LIKE 'sqlite\\_%%' ESCAPE '\\' AND %s",
		    where);
	ret = run(s, sql.buf, 0, NULL, 0, 0, &r, NULL, err);
	for (int i = 0; ret == 0 && r && i < r->nrows; i++)
		strvec_push(names, db_value(r, i, 0));
	db_result_free(r);
	strbuf_release(&sql);
	return ret;
}

static int drop_all(struct sqlite_db *s, const char *schema, const char *kind,
		    const char *where, struct fw_error *err)
{
	struct strvec names = STRVEC_INIT;
	struct strbuf sql = STRBUF_INIT;
	int ret = list_objects(s, schema, where, &names, err);
	for (size_t i = 0; ret == 0 && i < names.nr; i++) {
		strbuf_reset(&sql);
		strbuf_addf(&sql, "DROP %s IF EXISTS ", kind);
		quote(schema, &sql);
		strbuf_addch(&sql, '.');
		quote(names.v[i], &sql);
		ret = run(s, sql.buf, 0, NULL, 0, 0, NULL, NULL, err);
	}
	strvec_clear(&names);
	strbuf_release(&sql);
	return ret;
}

/* Views and triggers first, then virtual tables (which take their shadow
 * tables with them), then the remaining tables; indexes go with their
 * tables. Foreign keys would turn each DROP TABLE into a checked DELETE, so
 * they are switched off (outside a transaction) or deferred (inside one). */
static int sqlite_clean_schema(struct db *db, const char *schema, struct fw_error *err)
{
	struct sqlite_db *s = sq(db);
	struct fw_error ignored = FW_ERROR_INIT;
	char *fk = NULL;
	int own = sqlite3_get_autocommit(s->h), ret;

	schema = schema_or_main(schema);
	if (query_value(s, "PRAGMA foreign_keys", 0, NULL, &fk, err) < 0)
		return -1;
	if (own && fk && !strcmp(fk, "1") && run(s, "PRAGMA foreign_keys = OFF", 0, NULL, 0, 0,
						 NULL, NULL, err) < 0) {
		free(fk);
		return -1;
	}
	ret = run(s, own ? "BEGIN IMMEDIATE" : "PRAGMA defer_foreign_keys = ON", 0, NULL, 0, 0,
		  NULL, NULL, err);
	if (ret == 0)
		ret = drop_all(s, schema, "VIEW", "type = 'view'", err);
	if (ret == 0)
		ret = drop_all(s, schema, "TRIGGER", "type = 'trigger'", err);
	if (ret == 0)
		ret = drop_all(s, schema, "TABLE",
			       "type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'", err);
	if (ret == 0)
		ret = drop_all(s, schema, "TABLE", "type = 'table'", err);
	if (own && ret == 0)
		ret = run(s, "COMMIT", 0, NULL, 0, 0, NULL, NULL, err);
	else if (own)
		run(s, "ROLLBACK", 0, NULL, 0, 0, NULL, NULL, &ignored);
	if (own && fk && !strcmp(fk, "1"))
		run(s, "PRAGMA foreign_keys = ON", 0, NULL, 0, 0, NULL, NULL, ret ? &ignored : err);
	fw_error_clear(&ignored);
	free(fk);
	return ret;
}

/* ---- the lock ---- */

static int lock_file_path(struct sqlite_db *s, const char *schema, struct strbuf *out)
{
	const char *file = sqlite3_db_filename(s->h, schema);
	if (!file || !*file)
		return 0;   /* :memory: or temporary: no other process can see it */
	strbuf_addstr(out, file);
	strbuf_addstr(out, "-fleetway.lock");
	return 1;
}

static int lock_timeout(struct fw_error *err, const char *path)
{
	fw_errorf(err, "ERROR", "Number of retries exceeded while attempting to acquire the "
		  "SQLite migration lock. Configure the number of retries with the "
		  "'lockRetryCount' configuration option");
	fw_error_detail(err, "lock file %s is held by another fleetway process", path);
	return -1;
}

/* retry_count: as lockRetryCount, in seconds of waiting; -1 waits forever */
static int sqlite_lock(struct db *db, const char *schema, const char *table, int retry_count,
		       struct fw_error *err)
{
	struct sqlite_db *s = sq(db);
	struct strbuf path = STRBUF_INIT;
	long waited = 0;
	int fd;

	if (s->lock_depth++ > 0 || !lock_file_path(s, schema_or_main(schema), &path)) {
		strbuf_release(&path);
		return 0;
	}
	fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		fw_errorf(err, "ERROR", "unable to open the lock file %s: %s", path.buf,
			  strerror(errno));
		s->lock_depth--;
		strbuf_release(&path);
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int cancelled = atomic_load(&s->base.cancelled);
		if ((errno != EWOULDBLOCK && errno != EINTR) || cancelled ||
		    (retry_count >= 0 && waited >= retry_count * 1000L)) {
			if (cancelled)
				fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR",
					       "Interrupted while attempting to acquire the SQLite "
					       "migration lock");
			else if (errno == EWOULDBLOCK)
				lock_timeout(err, path.buf);
			else
				fw_errorf(err, "ERROR", "unable to lock %s: %s", path.buf,
					  strerror(errno));
			close(fd);
			s->lock_depth--;
			strbuf_release(&path);
			return -1;
		}
		db_sleep_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	s->lock_fd = fd;
	strbuf_release(&path);
	return 0;
}

static int sqlite_unlock(struct db *db, struct fw_error *err)
{
	struct sqlite_db *s = sq(db);
	if (s->lock_depth > 0 && --s->lock_depth == 0)
		release_lock_file(s);
	return 0;
}

/* ---- scratch databases: a new in-memory database, gone when closed ---- */

static int sqlite_scratch_create(struct db *db, const char *name, const char *like_schema,
				 struct db **out, struct fw_error *err)
{
	struct db_url u;
	struct db_params prm;
	(void)db;
	(void)name;
	(void)like_schema;
	memset(&u, 0, sizeof(u));
	memset(&prm, 0, sizeof(prm));
	u.kind = DB_SQLITE;
	u.path = (char *)":memory:";
	if (sqlite_open(&u, &prm, out, err) < 0)
		return -1;
	(*out)->scratch_schema = xstrdup("main");
	return 0;
}

static int sqlite_scratch_drop(struct db *db, const char *name, struct fw_error *err)
{
	(void)db;
	(void)name;
	(void)err;
	return 0;   /* closing the connection freed it */
}

/* statementTimeout: SQLite calls this every few thousand steps */
static int past_deadline(void *ctx)
{
	struct sqlite_db *s = ctx;
	if (s->stmt_limit_ms && now_ms() - s->stmt_started > s->stmt_limit_ms) {
		s->deadline_hit = 1;
		return 1;
	}
	return 0;
}

/* the limits are the connection's own (no server): set at once, before BEGIN
 * IMMEDIATE waits for the file */
static int sqlite_set_timeouts(struct db *db, const struct db_timeouts *to, enum db_timeouts_when when,
			       struct fw_error *err)
{
	struct sqlite_db *s = sq(db);
	(void)err;
	if (when == DB_TIMEOUTS_IN_TX)
		return 0;
	if (!s->limits_set) {
		s->saved_budget_ms = s->busy_budget_ms;
		s->limits_set = 1;
	}
	s->lock_limit_ms = to->lock_ms;
	if (to->lock_ms)
		s->busy_budget_ms = to->lock_ms;
	s->stmt_limit_ms = to->statement_ms;
	s->deadline_hit = 0;
	sqlite3_progress_handler(s->h, to->statement_ms ? 1000 : 0, to->statement_ms ? past_deadline : NULL, s);
	return 0;
}

static int sqlite_reset_timeouts(struct db *db, struct fw_error *err)
{
	struct sqlite_db *s = sq(db);
	(void)err;
	if (!s->limits_set)
		return 0;
	s->busy_budget_ms = s->saved_budget_ms;
	s->limits_set = 0;
	s->lock_limit_ms = s->stmt_limit_ms = 0;
	s->deadline_hit = 0;
	sqlite3_progress_handler(s->h, 0, NULL, NULL);
	return 0;
}

static int sqlite_timeout_kind(const struct db *db, const struct fw_error *err)
{
	const struct sqlite_db *s = (const struct sqlite_db *)db;
	if (err->sql_errcode == SQLITE_BUSY && s->lock_limit_ms)
		return 1;
	return err->sql_errcode == SQLITE_INTERRUPT && s->deadline_hit ? 2 : 0;
}

static void sqlite_cancel(struct db *db)
{
	sqlite3_interrupt(sq(db)->h);
}

const struct db_ops db_sqlite_ops = {
	.name = "SQLite",
	.kind = DB_SQLITE,
	.open = sqlite_open,
	.close = sqlite_close,
	.quote_ident = sqlite_quote_ident,
	.exec = sqlite_exec,
	.query = sqlite_query,
	.batch_add = sqlite_batch_add,
	.current_schema = sqlite_current_schema,
	.current_user = sqlite_current_user,
	.database_name = sqlite_database_name,
	.schema_exists = sqlite_schema_exists,
	.schema_is_empty = sqlite_schema_is_empty,
	.table_exists = sqlite_table_exists,
	.create_schema = sqlite_create_schema,
	.exec_atomic = sqlite_exec_atomic,
	.history_table_sql = sqlite_history_table_sql,
	.lock = sqlite_lock,
	.unlock = sqlite_unlock,
	.change_counter = sqlite_change_counter,
	.clean_schema = sqlite_clean_schema,
	.drop_schema = sqlite_drop_schema,
	.read_schema = db_sqlite_read_schema,
	.scratch_create = sqlite_scratch_create,
	.scratch_drop = sqlite_scratch_drop,
	.set_timeouts = sqlite_set_timeouts,
	.reset_timeouts = sqlite_reset_timeouts,
	.timeout_kind = sqlite_timeout_kind,
	.cancel = sqlite_cancel,
	.supports_ddl_transactions = 1,
	.bool_true = "1",
	.bool_false = "0",
	/* IMMEDIATE takes the write lock up front, waiting in the busy handler;
	 * a deferred transaction that reads and then writes would get SQLITE_BUSY
	 * at once when another connection writes (reference 14, item 2) */
	.begin_sql = "BEGIN IMMEDIATE",
};
