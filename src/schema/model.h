/* The schema model: what a database's catalogs say its schemas contain,
 * normalised so that two databases built by the same migrations give equal
 * models, and any real difference shows (docs/schema-model.md).
 *
 * A model holds schemas; a schema holds objects (tables, views, indexes,
 * constraints, functions, ...). Every object has a canonical definition: DDL
 * text a person can read in a diff, deterministic, with names in its own
 * schema left unqualified (so that a schema read under another name, such as a
 * MySQL scratch database, compares equal). Objects compare by that text alone;
 * the structured fields (columns, constraints, index keys, attributes) are for
 * tools that generate SQL from the model and for naming what changed inside a
 * table.
 *
 * This file and model.c are plain data over util/: the catalog readers in
 * src/db/ fill these structs (db_read_schema), and snapshot.c / diff.c work on
 * them without a database. */
#ifndef FW_SCHEMA_MODEL_H
#define FW_SCHEMA_MODEL_H
#include <stddef.h>
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/strvec.h"

/* In the order objects sort within a schema (roughly creation order). */
enum fw_obj_type {
	FW_OBJ_EXTENSION,
	FW_OBJ_TYPE,          /* enum, composite, range (attribute "kind") */
	FW_OBJ_DOMAIN,
	FW_OBJ_SEQUENCE,
	FW_OBJ_TABLE,
	FW_OBJ_VIEW,
	FW_OBJ_MATERIALIZED_VIEW,
	FW_OBJ_INDEX,
	FW_OBJ_CONSTRAINT,
	FW_OBJ_FUNCTION,
	FW_OBJ_PROCEDURE,
	FW_OBJ_AGGREGATE,
	FW_OBJ_TRIGGER,
	FW_OBJ_POLICY,
	FW_OBJ_EVENT,
	FW_OBJ_NTYPES
};

/* "Table", "MaterializedView", ... (the objectType of reports and snapshots) */
const char *fw_obj_type_name(enum fw_obj_type t);
/* the type of a name as fw_obj_type_name spells it; -1 if unknown */
int fw_obj_type_parse(const char *name);

/* ordered key/value pairs (backend specifics: engine, row format, flags) */
struct fw_attrs {
	struct strvec keys;
	struct strvec values;
};
void fw_attrs_set(struct fw_attrs *a, const char *key, const char *value);
const char *fw_attrs_get(const struct fw_attrs *a, const char *key);
void fw_attrs_release(struct fw_attrs *a);

struct fw_column {
	char *name;
	char *type;            /* as the server spells it: "character varying(20)", "int(11)" */
	int not_null;
	char *default_expr;    /* NULL: no default */
	char *generated;       /* generation expression; NULL: not a generated column */
	int generated_stored;  /* 1: STORED/PERSISTENT, 0: VIRTUAL */
	char *identity;        /* "ALWAYS", "BY DEFAULT" (PostgreSQL, options appended),
				* "AUTO_INCREMENT" (MySQL), "AUTOINCREMENT" (SQLite); NULL: none */
	char *collation;       /* NULL: the default of its type or table */
	char *comment;
	struct fw_attrs attrs; /* e.g. MySQL "on_update" */
};

enum fw_con_kind {
	FW_CON_PRIMARY_KEY,
	FW_CON_UNIQUE,
	FW_CON_CHECK,
	FW_CON_FOREIGN_KEY,
	FW_CON_EXCLUSION,
	FW_CON_NKINDS
};
const char *fw_con_kind_name(enum fw_con_kind k);   /* "PRIMARY KEY", "CHECK", ... */
int fw_con_kind_parse(const char *name);

struct fw_constraint {
	char *name;            /* NULL: unnamed (SQLite) */
	enum fw_con_kind kind;
	struct strvec columns;     /* key columns (primary key, unique, foreign key) */
	char *expression;          /* CHECK expression; EXCLUDE elements */
	char *ref_table;           /* foreign key: referenced table (qualified when in
				    * another schema) */
	struct strvec ref_columns;
	char *on_delete;           /* "CASCADE", "SET NULL", ...; NULL: NO ACTION */
	char *on_update;
	char *definition;          /* the whole clause, canonical */
};

struct fw_index {
	int unique;
	int valid;             /* 0: PostgreSQL INVALID index (failed CREATE INDEX CONCURRENTLY) */
	char *method;          /* btree, hash, gin, FULLTEXT, ...; NULL: the default */
	struct strvec columns; /* key columns or expressions, with ordering/opclass as printed */
	struct strvec include; /* INCLUDE columns */
	char *predicate;       /* partial index condition; NULL: none */
};

struct fw_object {
	enum fw_obj_type type;
	char *name;            /* functions: name(identity arguments) */
	char *parent;          /* table of an index, constraint, trigger or policy; else NULL */
	char *definition;      /* canonical DDL */
	char fingerprint[FW_SHA256_HEX_LEN + 1];
	struct fw_column *columns;      /* tables, views, composite types */
	size_t ncolumns, alloc_columns;
	struct fw_constraint *constraints;   /* table-level (SQLite), the one of a
					      * constraint object, domain checks */
	size_t nconstraints, alloc_constraints;
	struct fw_index *index;         /* index objects */
	struct fw_attrs attrs;
};

struct fw_schema {
	char *name;
	struct fw_object *objects;
	size_t nobjects, alloc_objects;
	char fingerprint[FW_SHA256_HEX_LEN + 1];
};

struct fw_model {
	char *dialect;         /* "postgresql", "mysql", "sqlite"; NULL: unknown (empty) */
	char *product;         /* "PostgreSQL 15.4"; NULL: unknown */
	struct fw_attrs meta;  /* free-form facts kept in a snapshot (source, createdAt) */
	struct fw_schema *schemas;
	size_t nschemas, alloc_schemas;
};

/* What a catalog reader leaves out and adds. */
struct fw_schema_opts {
	const char *history_table;     /* the history table; NULL: flyway_schema_history */
	const struct strvec *exclude;  /* more table names to leave out; may be NULL */
	int grants;                    /* include privileges (off by default: roles
					* differ between environments) */
	const char *record_as;         /* the schema's name in the model; NULL: its own
					* (a scratch database standing for the target's schema) */
};

/* tables never part of a model, besides the history table: Flyway's snapshot
 * history and fleetway's own tables */
extern const char *const fw_schema_reserved_tables[];
/* 1 when a table of this name is left out under opts */
int fw_schema_excluded(const struct fw_schema_opts *opts, const char *table);

void fw_model_init(struct fw_model *m, const char *dialect, const char *product);
void fw_model_release(struct fw_model *m);
/* a new empty schema at the end of the model (pointer valid until the next add) */
struct fw_schema *fw_model_add_schema(struct fw_model *m, const char *name);
struct fw_schema *fw_model_find_schema(const struct fw_model *m, const char *name);
/* move s (as db_read_schema filled it) to the end of the model; s is left empty */
struct fw_schema *fw_model_adopt_schema(struct fw_model *m, struct fw_schema *s);

void fw_schema_init(struct fw_schema *s, const char *name);
void fw_schema_release(struct fw_schema *s);
/* a new object (pointer valid until the next add); definition empty until set */
struct fw_object *fw_schema_add(struct fw_schema *s, enum fw_obj_type type, const char *name,
				const char *parent);
/* the object of that type, parent (NULL: none) and name, or NULL */
const struct fw_object *fw_schema_find(const struct fw_schema *s, enum fw_obj_type type,
				       const char *parent, const char *name);
/* sort the objects and compute every fingerprint: call after filling */
void fw_schema_finish(struct fw_schema *s);
/* order of objects in a schema: type, parent, name (bytewise) */
int fw_object_cmp(const struct fw_object *a, const struct fw_object *b);

void fw_object_set_definition(struct fw_object *o, const char *definition);
struct fw_column *fw_object_add_column(struct fw_object *o, const char *name, const char *type);
struct fw_constraint *fw_object_add_constraint(struct fw_object *o, enum fw_con_kind kind,
					       const char *name);
struct fw_index *fw_object_set_index(struct fw_object *o);
/* a deep copy of o (from any schema) added to s (pointer valid until the next add) */
struct fw_object *fw_schema_add_copy(struct fw_schema *s, const struct fw_object *o);
/* remove the object at index i of s (the order of the others is kept) */
void fw_schema_remove(struct fw_schema *s, size_t i);
/* drop columns, constraints, index and attributes (keeps type, names, definition) */
void fw_object_clear_details(struct fw_object *o);
/* the fingerprint of one object: SHA-256 over type, parent, name, definition */
void fw_object_fingerprint(const struct fw_object *o, char out[FW_SHA256_HEX_LEN + 1]);

/* replace *field with a copy of value (NULL allowed) */
void fw_set_str(char **field, const char *value);

#endif
