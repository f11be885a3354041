/* The DDL planner: the statements that turn one schema model (the state a
 * migration starts from) into another (the state wanted), in an order that
 * works, for `generate`.
 *
 * Pure model work: no database. The per-dialect statement text and table
 * changes live in ddl-pg.c, ddl-sqlite.c and ddl-mysql.c behind one table of
 * methods (plan-internal.h); the order and the dependency handling here:
 *
 *   renames the model asks for (schema/renames.h), never guessed
 *   drop what changes or goes and hangs on something that changes: views
 *     (and the views on them) over tables whose columns change, triggers,
 *     foreign keys (also those over a column whose type changes: re-added
 *     after), constraints, indexes
 *   types, sequences, functions, then new tables (constraints apart, so
 *     foreign-key cycles need nothing special), then changed tables
 *   constraints, indexes, foreign keys, views in dependency order, triggers
 *   drops last: columns, tables, then functions, types, sequences
 *
 * Statements that cannot run in a transaction (PostgreSQL's CREATE INDEX
 * CONCURRENTLY on a table that already exists) come apart, for a migration of
 * their own. A SQLite table that ALTER cannot change is rebuilt with SQLite's
 * documented procedure; when other tables reference it, the whole script runs
 * with foreign keys off, outside the migration's transaction, in a
 * transaction of its own that ends with a foreign key check.
 *
 * Every step that loses data, rewrites or locks a table, or fails on a table
 * with rows carries a hazard comment; what the planner cannot express is
 * listed in `unsupported`, and the caller refuses to write the script. The
 * caller proves the result (applies it to a scratch copy and compares). */
#ifndef FW_SCHEMA_PLAN_H
#define FW_SCHEMA_PLAN_H
#include "schema/model.h"
#include "schema/renames.h"
#include "util/strvec.h"

struct fw_ddl_stmt {
	char *sql;        /* one statement with its ';' */
	char *comment;    /* "-- ..." lines to print above it; NULL: none */
};

struct fw_ddl_part {
	struct fw_ddl_stmt *v;
	size_t nr, alloc;
};

struct fw_ddl_script {
	struct fw_ddl_part main;      /* the migration */
	int main_outside_tx;          /* 1: main must run with executeInTransaction=false
	                                 (it has its own BEGIN/COMMIT: SQLite foreign keys off) */
	struct fw_ddl_part notx;      /* statements that refuse a transaction: a migration of
	                                 their own after main, with executeInTransaction=false */
	struct strvec notx_indexes;   /* the indexes notx creates (an undo drops them first) */
	struct strvec hazards;        /* "FW106 Table orders is dropped: its rows are lost" */
	struct strvec unsupported;    /* what could not be expressed, one object each */
};

struct fw_ddl_opts {
	const char *dialect;                 /* "postgresql", "mysql", "sqlite" */
	const char *schema;                  /* the schema's name in diff ids */
	const struct fw_renames *renames;    /* renames the model declares; may be NULL */
	const struct strvec *only;           /* diff ids to carry out; NULL: every difference */
	const struct strvec *with_rows;      /* tables of the start state that hold rows */
	int rows_known;                      /* 0: a table not in with_rows may still hold rows
	                                        (a hazard then says "if") */
	int in_transaction;                  /* nothing apart: no CREATE INDEX CONCURRENTLY (undo) */
};

/* plan the statements from `from` to `to`; returns 0, or -1 for an unknown
 * dialect (nothing planned) */
int fw_plan_schema(const struct fw_schema *from, const struct fw_schema *to, const struct fw_ddl_opts *o,
		   struct fw_ddl_script *out);
int fw_ddl_script_empty(const struct fw_ddl_script *s);
void fw_ddl_script_release(struct fw_ddl_script *s);

/* an identifier as the dialect writes it: quoted only where it must be
 * (PostgreSQL, SQLite), always in backticks (MySQL, as SHOW CREATE does) */
void fw_ddl_ident(const char *dialect, const char *name, struct strbuf *out);

/* The text of one schema-model file: the object and, for a table, what hangs
 * on it (constraints, indexes, triggers, policies), each a statement (or
 * several) separated by a blank line; a MySQL table carries its primary key
 * inline (an AUTO_INCREMENT column needs it). */
void fw_ddl_model_text(const char *dialect, const struct fw_schema *s, const struct fw_object *o,
		       struct strbuf *out);

/* a new table brings o along (a MySQL primary key, written inline): choosing
 * the table chooses it too */
int fw_ddl_created_with_table(const char *dialect, const struct fw_object *o);

/* the statements of a definition, split at ';' outside strings, quotes and
 * bodies, each with its ';' (comment-only pieces left out) */
void fw_ddl_statements(const char *dialect, const char *definition, struct strvec *out);

#endif
