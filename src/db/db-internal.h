/* What a driver implements. Each driver embeds struct db as its first member
 * and downcasts with a checked macro (like sqlite3_io_methods). */
#ifndef FW_DB_INTERNAL_H
#define FW_DB_INTERNAL_H
#include <stdatomic.h>
#include "db/db.h"
#include "schema/model.h"

/* a driver's first look at a connection (db_prefetch) */
struct db_probe {
	char *current_schema;          /* malloc'ed; NULL if none */
	int schema_exists;             /* of the schema asked for, else of current_schema */
	int table_exists;              /* the table in that schema */
	int answered;                  /* 0: this server cannot tell in one look */
};

/* what db_prefetch saw (schema NULL: nothing), valid while db->statements == at */
struct db_seen {
	char *current_schema;          /* NULL if none */
	int current_known;             /* no db_set_default_schema since */
	char *schema, *table;
	int schema_exists, table_exists;
	unsigned long at;
};

struct db_ops {
	const char *name;
	enum db_kind kind;
	int (*open)(const struct db_url *url, const struct db_params *p, struct db **out,
		    struct fw_error *err);
	void (*close)(struct db *db);
	void (*quote_ident)(const struct db *db, const char *name, struct strbuf *out);
	int (*exec)(struct db *db, const char *sql, struct fw_error *err);
	int (*query)(struct db *db, const char *sql, int nparams, const char *const *params,
		     struct db_result **out, struct fw_error *err);
	int (*batch_begin)(struct db *db, struct fw_error *err);   /* optional */
	int (*batch_add)(struct db *db, const struct db_cmd *cmd, struct fw_error *err);
	int (*batch_end)(struct db *db, struct fw_error *err);     /* optional */
	int (*current_schema)(struct db *db, char **out, struct fw_error *err);
	int (*current_user)(struct db *db, char **out, struct fw_error *err);
	int (*database_name)(struct db *db, char **out, struct fw_error *err);
	int (*schema_exists)(struct db *db, const char *schema, int *exists, struct fw_error *err);
	int (*schema_is_empty)(struct db *db, const char *schema, int *empty, struct fw_error *err);
	int (*table_exists)(struct db *db, const char *schema, const char *table, int *exists,
			    struct fw_error *err);
	int (*create_schema)(struct db *db, const char *schema, struct fw_error *err);
	/* optional: current schema, current user, schema and table exist, in one
	 * round trip; the driver keeps the first two for current_schema and
	 * current_user. schema NULL: the current schema's table */
	int (*probe)(struct db *db, const char *schema, const char *table, struct db_probe *out,
		     struct fw_error *err);
	int (*set_default_schema)(struct db *db, const char *schema, struct fw_error *err); /* optional */
	/* optional: db_session_read, db_session_restore */
	int (*session_read)(struct db *db, struct fw_error *err);
	int (*session_restore)(struct db *db, const char *schema, struct fw_error *err);
	/* the server's clock for history rows (optional; see db_elapsed_ms_sql) */
	const char *clock_restart_sql;
	const char *elapsed_ms_sql;            /* printf format, %s = the start expression */
	const char *tx_start_expr, *restart_expr;
	/* its statement, for scripts (optional: none) */
	void (*default_schema_sql)(struct db *db, const char *schema, struct strbuf *out);
	/* a ';'-separated DDL script as one unit where the database can (a
	 * transaction of its own unless one is open); MySQL commits DDL anyway */
	int (*exec_atomic)(struct db *db, const char *script, struct fw_error *err);
	/* the history table's DDL, ';'-terminated: db_create_history_table runs it
	 * through exec_atomic, a dry run writes it out */
	void (*history_table_sql)(struct db *db, const char *schema, const char *table,
				  const char *tablespace, struct strbuf *out);
	int (*lock)(struct db *db, const char *schema, const char *table, int retry_count,
		    struct fw_error *err);
	int (*unlock)(struct db *db, struct fw_error *err);
	/* optional: a number that changes when another connection commits to schema */
	int (*change_counter)(struct db *db, const char *schema, long long *out,
			      struct fw_error *err);
	int (*clean_schema)(struct db *db, const char *schema, struct fw_error *err);
	int (*drop_schema)(struct db *db, const char *schema, struct fw_error *err);
	/* the schema model from the catalogs (src/db/<driver>-catalog.c): fill
	 * out (named already) with the schema's objects, few queries per schema;
	 * db_read_schema sorts and fingerprints them */
	int (*read_schema)(struct db *db, const char *schema, const struct fw_schema_opts *opts,
			   struct fw_schema *out, struct fw_error *err);
	/* a scratch database named name on this server (like_schema: copy its
	 * character set and collation where that matters), and a new connection
	 * to it; on failure nothing is left behind */
	int (*scratch_create)(struct db *db, const char *name, const char *like_schema,
			      struct db **out, struct fw_error *err);
	/* drop scratch database name (its connection is closed already) */
	int (*scratch_drop)(struct db *db, const char *name, struct fw_error *err);
	/* optional: the table's size from the catalog (see db_table_size, which
	 * counts rows itself for drivers without it) */
	int (*table_size)(struct db *db, const char *schema, const char *table, long long limit,
			  struct db_table_size *out, struct fw_error *err);
	/* optional: act on one step of db_set_timeouts / db_reset_timeouts */
	int (*set_timeouts)(struct db *db, const struct db_timeouts *to, enum db_timeouts_when when,
			    struct fw_error *err);
	int (*reset_timeouts)(struct db *db, struct fw_error *err);
	/* optional: the strong table locks held (db_locks_held) */
	int (*locks_held)(struct db *db, struct strvec *out, struct fw_error *err);
	/* optional: 1 a lock wait, 2 a statement that ran out of its time (db_timeout_kind) */
	int (*timeout_kind)(const struct db *db, const struct fw_error *err);
	void (*cancel)(struct db *db);
	/* a worker thread that used connections ends (optional) */
	void (*thread_end)(void);
	int supports_ddl_transactions;
	int backslash_escapes;   /* string literals treat '\\' as an escape (MySQL by default) */
	const char *bool_true, *bool_false;
	const char *begin_sql;   /* statement of db_begin; NULL = "BEGIN" */
	const char *commit_sql;  /* of db_commit; NULL = "COMMIT" */
	const char *rollback_sql;   /* of db_rollback; NULL = "ROLLBACK" */
};

/* one FLEETWAY_FAULT_INJECT rule (see db.c) */
struct db_fault {
	char *op;                /* wrapper name without "db_": exec, query, batch_add, ... */
	char *match;             /* only calls whose SQL contains this text count; NULL = all */
	int nth;                 /* the call (1-based) that fails */
	int calls;               /* matching calls seen so far on this connection */
	int drop;                /* "op+": the connection is lost from that call on */
};

struct db {
	const struct db_ops *ops;
	char *product;        /* "PostgreSQL 15.4" */
	char *display_url;    /* password removed */
	char *target_name;
	db_rows_fn rows_fn;
	db_notice_fn notice_fn;
	void *notice_ctx;
	void *rows_ctx;
	int in_batch;
	struct db_fault *faults; /* owned by db.c */
	int nfaults;
	int fault_dropped;       /* an "op+" rule hit: every wrapper fails */
	atomic_int cancelled;    /* set by db_cancel (any thread), never reset: lock
				  * waits give up, a cancelled statement's error
				  * gets exit code FW_EXIT_INTERRUPTED, and the
				  * wrappers refuse new work (db.c) */
	struct db *next_open;    /* db.c's list of open connections (db_cancel_all) */
	char *init_sql;          /* run again on a scratch connection made from this one */
	char *scratch_name;      /* set on a scratch connection: the database to drop */
	char *scratch_schema;    /* the schema to migrate into on it */
	unsigned long statements; /* wrappers run that could create or drop something */
	struct db_seen seen;     /* db_prefetch's answer, while statements has not moved */
};

/* helpers for drivers (db.c) */

/* an empty result with ncols columns (names to be filled by the driver) */
struct db_result *db_result_new(int ncols);
/* append a row; returns its ncols value slots (NULL-initialised) to fill
 * with malloc'ed strings */
char **db_result_add_row(struct db_result *r);
/* fill err for a failed statement: message = the server's primary message,
 * detail = server detail, server hint and the statement (shortened), plus
 * sqlstate/errcode/line */
void db_sql_error(struct fw_error *err, const char *sqlstate, int errcode, const char *msg,
		  const char *server_detail, const char *server_hint, const char *sql, int line);
/* append the statement text to err's detail, shortened to a readable size */
void db_error_add_statement(struct fw_error *err, const char *sql, int line);
/* sleep, restarting after signals */
void db_sleep_ms(long ms);

/* pg-conninfo.c: the PostgreSQL connection settings for a URL and its
 * properties, as libpq keywords and values. ssl_asked_of names the server when
 * this connection asks it for SSL only as "prefer" does; hand the connection
 * made to db_pg_conninfo_connected, so that a server that refused is not asked
 * again */
struct pg_conn;   /* libpq's PGconn */
struct db_pg_conninfo {
	struct strvec keys, values;
	char *ssl_asked_of;
};
void db_pg_conninfo_build(const struct db_url *u, const struct db_params *prm,
			  struct db_pg_conninfo *ci);
void db_pg_conninfo_connected(const struct db_pg_conninfo *ci, struct pg_conn *conn);
void db_pg_conninfo_release(struct db_pg_conninfo *ci);

/* the PGconn of a PostgreSQL connection (NULL for others), for tests that
 * trace the protocol */
void *db_pg_native(struct db *db);

/* identifier quoting shared by the drivers: q around name, embedded q doubled;
 * schema-qualified when schema is non-empty */
void db_quote_with(char q, const char *name, struct strbuf *out);
void db_qualify_with(char q, const char *schema, const char *name, struct strbuf *out);

/* the catalog readers (src/db/<driver>-catalog.c) */
int db_pg_read_schema(struct db *db, const char *schema, const struct fw_schema_opts *opts,
		      struct fw_schema *out, struct fw_error *err);
int db_sqlite_read_schema(struct db *db, const char *schema, const struct fw_schema_opts *opts,
			  struct fw_schema *out, struct fw_error *err);
int db_mysql_read_schema(struct db *db, const char *schema, const struct fw_schema_opts *opts,
			 struct fw_schema *out, struct fw_error *err);

extern const struct db_ops db_sqlite_ops;
extern const struct db_ops db_pg_ops;
extern const struct db_ops db_mysql_ops;

#endif
