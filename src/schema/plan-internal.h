/* What plan.c shares with the per-dialect statement writers ddl-*.c: the
 * planner's state, its phases, and the table of dialect methods. */
#ifndef FW_SCHEMA_PLAN_INTERNAL_H
#define FW_SCHEMA_PLAN_INTERNAL_H
#include "schema/plan.h"
#include "schema/sqltok.h"
#include <stdarg.h>

/* the order of the script */
enum fw_phase {
	PH_RENAME,          /* tables and columns the model renames (what follows uses the new names) */
	PH_DROP_VIEWS,      /* views that go, change, or stand on a table that changes */
	PH_DROP_TRIGGERS,   /* triggers and policies that go or change */
	PH_DROP_FKS,        /* foreign keys that go, change, or are re-added */
	PH_DROP_CONS,       /* other constraints that go or change */
	PH_DROP_INDEXES,    /* indexes that go or change */
	PH_TYPES,           /* extensions, types, domains, sequences */
	PH_FUNCS,           /* functions, procedures, aggregates */
	PH_TABLES,          /* new tables */
	PH_ALTER,           /* changed tables (SQLite rebuilds) */
	PH_CONS,            /* constraints other than foreign keys */
	PH_INDEXES,         /* indexes */
	PH_FKS,             /* foreign keys */
	PH_VIEWS,           /* views, in dependency order */
	PH_TRIGGERS,        /* triggers, policies, events */
	PH_FINISH,          /* what follows an object's main statement: comments, ownership, grants */
	PH_DROP_COLUMNS,    /* drops last */
	PH_DROP_TABLES,
	PH_DROP_OTHER,      /* functions, sequences, domains, types, extensions */
	PH_NOTX,            /* outside a transaction, in a migration of its own */
	PH_N
};

struct planner {
	const struct fw_ddl_dialect *d;
	const struct fw_ddl_opts *o;
	const struct fw_schema *want;    /* the state wanted */
	struct fw_schema cur;            /* the start state, renames applied (a copy) */
	struct fw_ddl_part ph[PH_N];
	struct strvec new_tables;        /* tables created */
	struct strvec dropped_tables;    /* tables dropped */
	struct strvec altered_tables;    /* tables whose columns change type or go: their views
	                                    are dropped and created again */
	struct strvec rebuilt;           /* SQLite: tables rebuilt (their indexes and triggers
	                                    come back with them) */
	struct strvec fk_readd;          /* "table\nconstraint": foreign keys dropped and re-added
	                                    around a column type change */
	int fk_off;                      /* SQLite: run with foreign keys off */
	struct fw_ddl_script *out;
};

struct fw_ddl_dialect {
	const char *name;
	unsigned tok_flags;
	int rename_keeps_views;   /* renaming a table rewrites the views over it (not MySQL's) */
	void (*ident)(const char *name, struct strbuf *out);
	/* the statement that drops o (a constraint, index, trigger from its table) */
	void (*drop)(struct planner *p, const struct fw_object *o, struct strbuf *out);
	/* the statement(s) of a new table (MySQL: the primary key inline) into phase
	 * PH_TABLES; NULL: its definition's first statement */
	void (*create_table)(struct planner *p, const struct fw_schema *s, const struct fw_object *t,
			     struct strbuf *out);
	/* a table of both states whose definitions differ: the statements that
	 * change it (columns, options), into the phases */
	void (*alter_table)(struct planner *p, const struct fw_object *cur, const struct fw_object *want);
	/* the statement that undoes one of an object's later statements (COMMENT
	 * ON ... IS NULL for a COMMENT ON); 0 when there is none */
	int (*undo_statement)(struct planner *p, const char *stmt, struct strbuf *out);
	/* a changed object replaced in place (CREATE OR REPLACE FUNCTION): 1 and
	 * the statement, or 0 to drop and create it */
	int (*replace)(struct planner *p, const struct fw_object *cur, const struct fw_object *want,
		       struct strbuf *out);
	/* a new index on an existing table: the statement and whether it runs
	 * outside a transaction (PostgreSQL CONCURRENTLY); NULL: the definition */
	int (*create_index)(struct planner *p, const struct fw_object *ix, struct strbuf *out);
	/* a changed type (PostgreSQL enum labels added): 1 when done in place */
	int (*alter_type)(struct planner *p, const struct fw_object *cur, const struct fw_object *want);
};

extern const struct fw_ddl_dialect fw_ddl_pg, fw_ddl_sqlite, fw_ddl_mysql;

/* add a statement to a phase; comment (may be NULL) goes above it */
void plan_add(struct planner *p, enum fw_phase ph, const char *comment, const char *sql);
void plan_addf(struct planner *p, enum fw_phase ph, const char *comment, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* a hazard: listed in the script's hazards, and its comment line into *comment */
void plan_hazard(struct planner *p, struct strbuf *comment, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void plan_unsupported(struct planner *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* does the start state's table hold rows: 1 yes, 0 no, -1 unknown */
int plan_has_rows(const struct planner *p, const char *table);
/* "ALTER TABLE t" with the table quoted */
void plan_alter_table(const struct planner *p, const char *table, struct strbuf *out);

/* the first statement of a definition, and the others */
void plan_first_statement(const struct planner *p, const char *def, struct strbuf *out);
/* the objects of a schema hanging on a table, of one type */
const struct fw_object *plan_child(const struct fw_schema *s, enum fw_obj_type type, const char *table,
				   size_t *iter);
/* a CREATE TABLE's first statement in parts: what comes before its list,
 * the list's elements (columns, then table constraints) as text, and what
 * follows the list ("WITHOUT ROWID", "ENGINE=...") */
struct table_text {
	struct strbuf head;
	struct strvec el;
	struct strbuf tail;
};
/* 0 when the definition has no list */
int plan_table_text(const struct planner *p, const char *def, struct table_text *out);
void plan_table_text_release(struct table_text *t);
/* ALTER TABLE t DROP COLUMN c into phase ph, with its hazard */
void plan_drop_column(struct planner *p, const char *table, const char *col, enum fw_phase ph);
/* the definition with the name token after CREATE ... TABLE replaced */
void plan_rename_create(const struct planner *p, const char *def, const char *new_name, struct strbuf *out);
/* does the text mention the name as an identifier */
int plan_mentions(const struct planner *p, const char *text, const char *name);
const struct fw_column *plan_column(const struct fw_object *o, const char *name);
/* the FOREIGN KEY constraints of the state referencing table (any table's) */
int plan_is_referenced(const struct planner *p, const char *table);
/* a table is recorded once */
void plan_note(struct strvec *v, const char *name);

#endif
