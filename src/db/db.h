/* What the core sees of a database. Every call goes through these thin
 * wrappers (never conn->drv->op directly): they fill defaults, keep the
 * per-connection error text and let tests inject faults.
 *
 * One struct db per connection; a connection is used by one thread at a time.
 * Fleet mode opens one per target. */
#ifndef FW_DB_H
#define FW_DB_H
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"

enum db_kind { DB_SQLITE, DB_POSTGRES, DB_MYSQL };

struct db_url {
	enum db_kind kind;
	int mariadb;           /* jdbc:mariadb: */
	char *host;            /* NULL for sqlite */
	int port;              /* 0 = default */
	char *database;        /* pg/mysql database; NULL if absent */
	char *path;            /* sqlite file path (":memory:" possible) */
	char *user;            /* from user@ or ?user= */
	char *password;        /* from user:pass@ or ?password= (registered as secret) */
	struct strvec param_keys;   /* other query parameters, in order */
	struct strvec param_values;
};
/* Accepts jdbc:sqlite:PATH, sqlite:PATH, jdbc:postgresql://..., postgresql://..., postgres://...,
 * jdbc:mysql://..., jdbc:mariadb://..., mysql://..., mariadb://...
 * An unknown scheme is an error that lists the ones known. */
int db_url_parse(const char *url, struct db_url *out, struct fw_error *err);
void db_url_release(struct db_url *u);

/* Where a URL leads, read from the URL alone (nothing is opened): the
 * server, "host:port" with the host in lower case and the default port
 * filled in ("" for a file), and the database on it (the database name, the
 * connecting user's name when the URL has none, as PostgreSQL does; for
 * SQLite the file's absolute path, links resolved; NULL for an in-memory
 * database). `exists` is 0 for a SQLite file that is not there. `user` is
 * the configured user (it overrides the URL's), or NULL. */
struct db_where {
	char *server;
	char *database;
	int exists;
};
int db_url_where(const char *url, const char *user, struct db_where *out, struct fw_error *err);
void db_where_release(struct db_where *w);

/* connection parameters (from struct fw_config, kept separate so the db layer
 * does not depend on the config module) */
struct db_params {
	const char *url;
	const char *user;          /* overrides the URL's */
	const char *password;      /* overrides the URL's; never printed */
	const char *const *prop_keys;   /* jdbcProperties */
	const char *const *prop_values;
	size_t nprops;
	int connect_retries;
	int connect_retries_interval;
	int lock_retry_count;      /* lockRetryCount (as db_lock's retry_count): SQLite waits this
				    * many seconds for a file another program holds locked */
	const char *init_sql;
	const char *target_name;   /* for messages in fleet mode; may be NULL */
	int stand_in_if_missing;   /* a SQLite file that does not exist is not created: the
				    * connection is to an empty in-memory database instead
				    * (a fleet's pre-flight of a database still to be made) */
};

struct db;

/* a result set: all values as text (NULL = SQL NULL) */
struct db_result {
	int nrows, ncols;
	char **colnames;
	char **values;             /* nrows * ncols */
};
const char *db_value(const struct db_result *r, int row, int col);
void db_result_free(struct db_result *r);

/* one command of a migration */
struct db_cmd {
	const char *sql;
	int nparams;
	const char *const *params; /* text parameters ($1.. / ?), NULL = SQL NULL */
	int line;                  /* script line for error messages, 0 if none */
	const char *copy_data;     /* COPY FROM STDIN data */
	size_t copy_len;
	int want_rows;             /* deliver result rows to the row handler */
	/* optional: the buffer that holds sql. A driver that keeps its own copy
	 * of a huge statement (SQLite's compiled program does) may release it
	 * once it is no longer needed, so the statement is not held once more
	 * by the caller; errors then quote the driver's copy. */
	struct strbuf *release_sql;
};

typedef void (*db_rows_fn)(void *ctx, const struct db_result *r);

/* Parse the URL, connect (retrying connect_retries times, waits of 1 s
 * doubling up to connect_retries_interval), run init_sql. A failure is
 * "unable to connect to <url>" (DB_CONNECTION) with the driver's message as
 * detail; a client library that is not installed is JDBC_DRIVER, naming its
 * package. Tests may inject faults with
 * FLEETWAY_FAULT_INJECT (see db.c). */
int db_open(const struct db_params *p, struct db **out, struct fw_error *err);
void db_close(struct db *db);

enum db_kind db_kind(const struct db *db);
/* "postgresql", "sqlite", "mysql" (MariaDB too): the dialect of a schema model */
const char *db_dialect(const struct db *db);
/* "PostgreSQL 15.4", "SQLite 3.40.1", "MariaDB 10.11.6" */
const char *db_product(const struct db *db);
/* the URL with the password removed, for "Database: <url>" lines */
const char *db_display_url(const struct db *db);
int db_supports_ddl_transactions(const struct db *db);

/* quoting is done by the driver only: "x" / `x` */
void db_quote_ident(const struct db *db, const char *name, struct strbuf *out);
/* schema-qualified table name: "public"."flyway_schema_history" */
void db_qualify(const struct db *db, const char *schema, const char *table, struct strbuf *out);
/* An SQL expression for the milliseconds since the migration started, so a
 * history row measured by the server can travel in the migration's own round
 * trip: since the transaction began, or (in_group) since the last
 * db_clock_restart_sql statement of the transaction. Returns 0 (nothing
 * written) where the database cannot (the caller then measures itself). */
int db_elapsed_ms_sql(const struct db *db, int in_group, struct strbuf *out);
/* the statement that restarts that clock inside a transaction (in_group) */
const char *db_clock_restart_sql(const struct db *db);
/* SQL literal for a boolean: TRUE/FALSE (PostgreSQL) or 1/0 */
const char *db_bool_literal(const struct db *db, int b);
/* a string as an SQL literal the database reads back unchanged ('it''s';
 * MySQL also doubles backslashes); NULL gives NULL */
void db_quote_literal(const struct db *db, const char *value, struct strbuf *out);

/* run one statement, discarding rows */
int db_exec(struct db *db, const char *sql, struct fw_error *err);
/* run a query with text parameters ($1 style for PostgreSQL, ? for others:
 * write ? in the SQL; the PostgreSQL driver rewrites them) */
int db_query(struct db *db, const char *sql, int nparams, const char *const *params,
	     struct db_result **out, struct fw_error *err);
/* Inside a batch, db_begin and db_commit join the batch (no round trip of
 * their own; their errors show at db_batch_end). db_rollback first abandons
 * a batch in progress. SQLite's BEGIN is BEGIN IMMEDIATE. */
int db_begin(struct db *db, struct fw_error *err);
int db_commit(struct db *db, struct fw_error *err);
int db_rollback(struct db *db, struct fw_error *err);

/* Commands in as few round trips as the backend allows (PostgreSQL pipeline
 * mode; immediate execution elsewhere). db_batch_add may report the error of
 * an earlier command of the batch; db_batch_end reports the first error of all.
 * A failing command's error carries its line and the statement text in detail.
 * After an error the batch is over (the caller rolls back); db_batch_end
 * after that is a no-op returning 0. db_batch_add outside a batch runs the
 * command at once (a batch of one, e.g. for COPY or want_rows).
 * PostgreSQL: commands without BEGIN form one implicit transaction per
 * pipeline segment (up to ~500 commands); statements that refuse a
 * transaction block (CREATE INDEX CONCURRENTLY, VACUUM, ...) get a segment of
 * their own, COPY runs outside the pipeline. db_exec/db_query inside a batch
 * sync it first (and report its error, if any). */
int db_batch_begin(struct db *db, struct fw_error *err);
int db_batch_add(struct db *db, const struct db_cmd *cmd, struct fw_error *err);
int db_batch_end(struct db *db, struct fw_error *err);
/* where result rows of statements with want_rows go (outputQueryResults) */
void db_set_rows_handler(struct db *db, db_rows_fn fn, void *ctx);
/* a statement's warnings and notices from the server (PostgreSQL NOTICE,
 * WARNING): sqlstate ("00000" for a plain notice), vendor code, message */
typedef void (*db_notice_fn)(void *ctx, const char *sqlstate, int code, const char *message);
void db_set_notice_handler(struct db *db, db_notice_fn fn, void *ctx);

/* introspection */
int db_current_schema(struct db *db, char **out, struct fw_error *err);     /* NULL if none */
int db_current_user(struct db *db, char **out, struct fw_error *err);       /* "" for SQLite */
int db_database_name(struct db *db, char **out, struct fw_error *err);   /* NULL for SQLite */
int db_schema_exists(struct db *db, const char *schema, int *exists, struct fw_error *err);
int db_schema_is_empty(struct db *db, const char *schema, int *empty, struct fw_error *err);
/* The first look at a connection: where a driver can, one round trip learns
 * the current schema and user, and whether schema (NULL: the current one)
 * and table in it exist; db_current_schema, db_current_user,
 * db_schema_exists and db_table_exists then answer from it until a wrapper
 * that could change the database runs. A no-op run over a fleet of servers
 * far away is mostly round trips. */
int db_prefetch(struct db *db, const char *schema, const char *table, struct fw_error *err);
int db_table_exists(struct db *db, const char *schema, const char *table, int *exists,
		    struct fw_error *err);
int db_create_schema(struct db *db, const char *schema, struct fw_error *err);

/* How big a table is, for check's rules that lock or rewrite one: the
 * catalog's estimate where the database keeps one (PostgreSQL reltuples
 * scaled to the table's current pages as the planner does, MySQL
 * information_schema.tables), else a count that stops at limit + 1 (SQLite;
 * PostgreSQL before the table was first analysed). */
enum db_rows_how { DB_ROWS_EXACT = 1, DB_ROWS_ESTIMATE, DB_ROWS_AT_LEAST };
struct db_table_size {
	int found;             /* 0: no such table (nothing else is set) */
	long long rows;
	enum db_rows_how how;
	long long bytes;       /* on disk with its indexes; -1 when unknown */
};
int db_table_size(struct db *db, const char *schema, const char *table, long long limit,
		  struct db_table_size *out, struct fw_error *err);

/* Limits for one migration (lockTimeout, statementTimeout), in ms; 0 = none
 * of fleetway's (the connection's own settings apply). Call
 * db_set_timeouts(..., DB_TIMEOUTS_BEFORE_BEGIN) before db_begin, again with
 * DB_TIMEOUTS_IN_TX right after it (or with DB_TIMEOUTS_NO_TX before a
 * migration that runs outside a transaction), and db_reset_timeouts after
 * the migration; each driver acts where it can:
 *   PostgreSQL  lock_timeout and statement_timeout, SET LOCAL in the
 *               transaction (joins the batch: no round trip of its own);
 *               outside one for the session, restored after
 *   MySQL       lock_wait_timeout and innodb_lock_wait_timeout (whole
 *               seconds, at least 1), MariaDB max_statement_time, MySQL
 *               max_execution_time (its SELECTs only): for the session,
 *               restored after (DDL commits anyway)
 *   SQLite      how long a statement waits for a locked file (instead of
 *               lockRetryCount), and a deadline that interrupts a statement */
enum db_timeouts_when { DB_TIMEOUTS_BEFORE_BEGIN, DB_TIMEOUTS_IN_TX, DB_TIMEOUTS_NO_TX };
struct db_timeouts {
	long lock_ms, statement_ms;
};
int db_set_timeouts(struct db *db, const struct db_timeouts *to, enum db_timeouts_when when,
		    struct fw_error *err);
int db_reset_timeouts(struct db *db, struct fw_error *err);
/* did the last failure come from one of these limits: 1 the lock wait, 2 the statement */
int db_timeout_kind(const struct db *db, const struct fw_error *err);

/* The table locks this connection holds that block other sessions' writes
 * (PostgreSQL: ShareLock and stronger on tables, "AccessExclusiveLock on
 * public.orders"), for a rehearsal to say what a migration locks; nothing
 * where the database cannot tell (SQLite locks the whole file). */
int db_locks_held(struct db *db, struct strvec *out, struct fw_error *err);

/* A number that changes whenever another connection commits to the database
 * (SQLite: the attached database `schema`), so that a history read before the
 * migration lock need not be read again when nobody wrote in between.
 * *known = 0 where the driver cannot tell: then the caller must read again. */
int db_change_counter(struct db *db, const char *schema, long long *out, int *known,
		      struct fw_error *err);
/* The schema unqualified names in migrations and callbacks resolve to, as
 * Flyway sets it before each migration. MySQL: the current database (USE),
 * switched to now if the schema exists, else as soon as db_create_schema
 * makes it, and again before a later migration when a script switched away.
 * PostgreSQL: as db_session_restore does, at once (nothing while no script
 * ran and the schema is the current one already). SQLite: nothing. */
int db_set_default_schema(struct db *db, const char *schema, struct fw_error *err);
/* Before every migration and callback, as Flyway does (restoreOriginalState,
 * then changeCurrentSchemaTo): what a script changed in the session goes
 * back to how the connection opened, and schema, the default schema, comes
 * first again, so that a dump's `set_config('search_path', '', false)` or a
 * `SET ROLE` in one migration does not leak into the next.
 * db_session_read reads what to put back: call it before every script,
 * outside a batch (a round trip for the first script of a connection, none
 * after, none at all on PostgreSQL after db_lock).
 * db_session_restore then joins the batch.
 *   PostgreSQL  the role back to the user the session started as; the
 *               search_path set to the schema, quoted, before the path the
 *               session opened with, unless that path is the schema or
 *               starts with it (then left as it is) or the schema does not
 *               exist
 *   MySQL       user variables that hold a value back to NULL (MariaDB 10.2,
 *               MySQL 5.7 and later, where the user may list them: the
 *               server lists and clears them itself, in the batch);
 *               foreign_key_checks and sql_safe_updates as the session
 *               opened (db_set_default_schema's USE comes back by itself)
 *   SQLite      nothing */
int db_session_read(struct db *db, struct fw_error *err);
int db_session_restore(struct db *db, const char *schema, struct fw_error *err);
/* create the history table exactly as Flyway does (reference 4.2) */
int db_create_history_table(struct db *db, const char *schema, const char *table,
			    const char *tablespace, struct fw_error *err);
/* the SQL of db_create_history_table / db_create_schema, as text for a dry run */
void db_history_table_sql(struct db *db, const char *schema, const char *table,
			  const char *tablespace, struct strbuf *out);
void db_create_schema_sql(struct db *db, const char *schema, struct strbuf *out);
/* the statement that makes unqualified names resolve to schema, as
 * db_set_default_schema does on the connection (PostgreSQL: schema first on
 * the search_path, MySQL: USE), ';'-terminated; nothing where the database
 * has no such notion (SQLite). For dry-run scripts that a client can run. */
void db_default_schema_sql(struct db *db, const char *schema, struct strbuf *out);

/* The migration lock (reference 12, with fleetway's fixes of section 14):
 * PostgreSQL session advisory lock with Flyway's key on this connection,
 * MySQL GET_LOCK('Flyway-<hash>'), SQLite an exclusive OS lock on the file so
 * concurrent processes queue instead of failing. retry_count: lockRetryCount,
 * here the number of retries after the first attempt, 1 s apart (0 = try
 * once, -1 = wait forever). Locks nest; each db_lock needs a db_unlock. */
int db_lock(struct db *db, const char *schema, const char *table, int retry_count,
	    struct fw_error *err);
int db_unlock(struct db *db, struct fw_error *err);

/* clean: drop every object in the schema (dependency-safe) / the schema itself */
int db_clean_schema(struct db *db, const char *schema, struct fw_error *err);
int db_drop_schema(struct db *db, const char *schema, struct fw_error *err);

/* ---- schema models (src/schema/model.h) ---- */

struct fw_schema;
struct fw_schema_opts;

/* Read one schema's objects from the database's catalogs into out (which
 * this initialises, named opts->record_as or schema; released on failure),
 * sorted and fingerprinted. Leaves out the history table, Flyway's snapshot
 * history and what opts excludes. A schema that does not exist is an error.
 * SQLite: schema "main" (or NULL) or an attached database. */
int db_read_schema(struct db *db, const char *schema, const struct fw_schema_opts *opts,
		   struct fw_schema *out, struct fw_error *err);

/* A scratch database to build a schema in (replaying migrations), never
 * touching db's own data: SQLite a new in-memory database; PostgreSQL
 * CREATE DATABASE fleetway_scratch_<random> on db's server (the user needs
 * CREATEDB), with db's encoding and locale; MySQL/MariaDB CREATE DATABASE
 * fleetway_scratch_<random> with like_schema's character set and collation
 * (NULL: the server's). *scratch is a new connection to it, with db's
 * connection settings and initSql. Release it with db_scratch_drop, also on
 * error paths: it closes the connection and drops the database. */
int db_scratch_create(struct db *db, const char *like_schema, struct db **scratch,
		      struct fw_error *err);
int db_scratch_drop(struct db *db, struct db *scratch, struct fw_error *err);
/* The scratch connection's schema to migrate into: "main" (SQLite), "public"
 * (PostgreSQL: create the target's own schemas there as migrate would), the
 * scratch database itself (MySQL: point ${flyway:defaultSchema} at it and read
 * it with record_as the target's schema). NULL for a connection that is not a
 * scratch one. */
const char *db_scratch_schema(const struct db *scratch);

/* Cancel the statement running on db from another thread (Ctrl-C). From then
 * on the connection only winds down: every wrapper that would start new work
 * (statements, batches, BEGIN, COMMIT, the lock, schema changes) fails with
 * "interrupted" (exit code FW_EXIT_INTERRUPTED); db_rollback, db_batch_end,
 * db_unlock and db_close still work, so the caller can roll back and release
 * the lock. */
void db_cancel(struct db *db);
/* a worker thread that opened connections is about to end (fleet workers):
 * the client libraries free what they keep per thread */
void db_thread_end(void);
/* db_cancel on every connection of the process, and on every one opened
 * later (db_open then fails with "interrupted"). Thread-safe; for a watcher
 * thread woken by SIGINT/SIGTERM, not for a signal handler. */
void db_cancel_all(void);

/* Java String.hashCode() of s (UTF-8 decoded to UTF-16 units), used for lock keys */
int32_t db_java_hash(const char *s);

#endif
