/* The SQLite catalog reader: one attached database ("main" or another
 * schema) as a schema model (docs/schema-model.md).
 *
 * One query reads sqlite_schema whole; PRAGMA table_list (SQLite 3.37+) tells
 * the shadow tables of virtual tables apart. Each object's CREATE text is
 * normalised by schema/sqlite-ddl.c, which also gives tables their columns
 * and constraints: SQLite's pragmas do not show CHECK, COLLATE or generated
 * columns' expressions. Left out: SQLite's own sqlite_* tables and the
 * automatic indexes of UNIQUE and PRIMARY KEY constraints (the table says
 * them), shadow tables, and the tables the options exclude with their
 * indexes and triggers. */
#include "db/db-internal.h"
#include "schema/sqlite-ddl.h"
#include "util/xalloc.h"
#include <string.h>

static int query_schema(struct db *db, const char *schema, const char *before, const char *after,
			struct db_result **res, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;
	strbuf_addstr(&sql, before);
	db_quote_ident(db, schema, &sql);
	strbuf_addstr(&sql, after);
	ret = db_query(db, sql.buf, 0, NULL, res, err);
	strbuf_release(&sql);
	return ret;
}

/* names of shadow tables (virtual tables' storage); none known before 3.37 */
static void shadow_tables(struct db *db, const char *schema, struct strvec *out)
{
	struct fw_error ignored = FW_ERROR_INIT;
	struct db_result *res = NULL;
	if (query_schema(db, schema, "PRAGMA ", ".table_list", &res, &ignored) == 0) {
		for (int i = 0; i < res->nrows; i++)
			if (db_value(res, i, 2) && !strcmp(db_value(res, i, 2), "shadow"))
				strvec_push(out, db_value(res, i, 1));
	}
	db_result_free(res);
	fw_error_clear(&ignored);
}

static enum fw_obj_type object_type(const char *type)
{
	if (!strcmp(type, "index"))
		return FW_OBJ_INDEX;
	if (!strcmp(type, "view"))
		return FW_OBJ_VIEW;
	if (!strcmp(type, "trigger"))
		return FW_OBJ_TRIGGER;
	return FW_OBJ_TABLE;
}

int db_sqlite_read_schema(struct db *db, const char *schema, const struct fw_schema_opts *opts,
			  struct fw_schema *out, struct fw_error *err)
{
	struct strvec shadows = STRVEC_INIT;
	struct db_result *res;
	if (!schema || !*schema)
		schema = "main";
	if (query_schema(db, schema, "SELECT type, name, tbl_name, sql FROM ",
			 ".sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
			 " AND sql IS NOT NULL ORDER BY type, name", &res, err) < 0)
		return -1;
	shadow_tables(db, schema, &shadows);
	for (int i = 0; i < res->nrows; i++) {
		enum fw_obj_type type = object_type(db_value(res, i, 0));
		const char *name = db_value(res, i, 1), *table = db_value(res, i, 2);
		const char *sql = db_value(res, i, 3);
		struct fw_object *o;
		if (fw_schema_excluded(opts, table) || strvec_contains(&shadows, name))
			continue;
		o = fw_schema_add(out, type, name, type == FW_OBJ_INDEX || type == FW_OBJ_TRIGGER
						   ? table : NULL);
		if (fw_sqlite_ddl_parse(sql, strlen(sql), o) < 0)
			fw_attrs_set(&o->attrs, "parsed", "false");   /* compared as text */
	}
	strvec_clear(&shadows);
	db_result_free(res);
	return 0;
}
