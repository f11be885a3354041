/* The MySQL/MariaDB catalog reader: one database (schema) as a schema model
 * (docs/schema-model.md).
 *
 * information_schema, a fixed number of queries for the whole schema (tables,
 * columns, indexes, foreign keys, checks, views, routines and their
 * parameters, triggers, events, partitions); only a MariaDB SEQUENCE costs a
 * SHOW CREATE SEQUENCE of its own. The canonical text follows SHOW CREATE
 * TABLE's spelling, without what does not belong to the schema's shape: the
 * AUTO_INCREMENT counter, definers, creation times, an event's start time,
 * integer display widths (MySQL 8 dropped them: int(11) and int are one
 * type; tinyint(1) and ZEROFILL widths stay), a column collation equal to
 * its table's. Defaults are spelt one way: MariaDB's NULL string and an
 * absent default are the same, CURRENT_TIMESTAMP, now() and
 * current_timestamp() all read current_timestamp(). The schema's own name
 * is taken out of view definitions (MySQL qualifies every name), so that a
 * scratch database compares equal to the schema it stands for. */
#include "db/db-internal.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct myr {
	struct db *db;
	const char *schema;
	const struct fw_schema_opts *opts;
	struct fw_schema *out;
	int mariadb;
	struct strbuf qschema;     /* `schema`. as MySQL writes it in view bodies */
	struct strvec tables;      /* names of tables in the model, sorted */
};

/* a column of a SELECT * result by name (servers differ in the set) */
static const char *field(const struct db_result *r, int row, const char *name)
{
	for (int c = 0; c < r->ncols; c++)
		if (!strcasecmp(r->colnames[c], name))
			return db_value(r, row, c);
	return NULL;
}

static const char *field_or(const struct db_result *r, int row, const char *name,
			    const char *dflt)
{
	const char *v = field(r, row, name);
	return v ? v : dflt;
}

static int query(struct myr *r, const char *sql, struct db_result **res, struct fw_error *err)
{
	const char *params[] = { r->schema };
	return db_query(r->db, sql, 1, params, res, err);
}

static void ident(struct myr *r, const char *name, struct strbuf *out)
{
	db_quote_ident(r->db, name, out);
}

static void literal(const char *s, struct strbuf *out)
{
	strbuf_addch(out, '\'');
	strbuf_add_doubled(out, s, '\'');
	strbuf_addch(out, '\'');
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* a table of the model (not excluded, not a view) */
static int known_table(struct myr *r, const char *name)
{
	return name && r->tables.nr &&
	       bsearch(&name, r->tables.v, r->tables.nr, sizeof(char *), cmp_str) != NULL;
}

/* ---- rows by table ---- */

/* the rows of one table in a result ordered by table: [first, first + count) */
struct run {
	const char *table;
	int first, count;
};

struct runs {
	struct run *v;
	size_t nr;
};

static int run_cmp(const void *a, const void *b)
{
	return strcmp(((const struct run *)a)->table, ((const struct run *)b)->table);
}

/* index the runs of equal TABLE_NAME in res (NULL: none), for rows_of */
static void index_runs(const struct db_result *res, struct runs *out)
{
	out->v = NULL;
	out->nr = 0;
	for (int i = 0; res && i < res->nrows; i++) {
		const char *t = field_or(res, i, "TABLE_NAME", "");
		if (out->nr && !strcmp(out->v[out->nr - 1].table, t)) {
			out->v[out->nr - 1].count++;
			continue;
		}
		out->v = xrealloc(out->v, (out->nr + 1) * sizeof(*out->v));
		out->v[out->nr].table = t;
		out->v[out->nr].first = i;
		out->v[out->nr].count = 1;
		out->nr++;
	}
	if (out->nr > 1)
		qsort(out->v, out->nr, sizeof(*out->v), run_cmp);
}

/* the rows of table: its run, or an empty one */
static struct run rows_of(const struct runs *runs, const char *table)
{
	struct run key = { table, 0, 0 }, *hit;
	hit = runs->nr ? bsearch(&key, runs->v, runs->nr, sizeof(*runs->v), run_cmp) : NULL;
	return hit ? *hit : key;
}

/* ---- normalising server spellings ---- */

/* int(11) -> int, bigint(20) unsigned -> bigint unsigned; tinyint(1) and
 * ZEROFILL types keep their width (it means something there) */
static void column_type(const char *type, struct strbuf *out)
{
	static const char *const ints[] = { "tinyint", "smallint", "mediumint", "int", "integer",
					    "bigint", NULL };
	const char *paren = strchr(type, '(');
	if (paren && !strstr(type, "zerofill") && strncmp(type, "tinyint(1)", 10)) {
		for (int i = 0; ints[i]; i++) {
			size_t n = strlen(ints[i]);
			if ((size_t)(paren - type) == n && !strncasecmp(type, ints[i], n)) {
				const char *close = strchr(paren, ')');
				if (!close)
					break;
				strbuf_add(out, type, n);
				strbuf_addstr(out, close + 1);
				return;
			}
		}
	}
	strbuf_addstr(out, type);
}

/* CURRENT_TIMESTAMP, current_timestamp(), now(), LOCALTIMESTAMP(3), ... ->
 * current_timestamp() / current_timestamp(3); anything else unchanged */
static void timestamp_function(const char *v, struct strbuf *out)
{
	static const char *const names[] = { "current_timestamp", "now", "localtimestamp",
					     "localtime", NULL };
	for (int i = 0; names[i]; i++) {
		size_t n = strlen(names[i]);
		const char *p = v + n, *q;
		if (strncasecmp(v, names[i], n))
			continue;
		if (!*p) {
			strbuf_addstr(out, "current_timestamp()");
			return;
		}
		if (*p != '(')
			continue;
		for (q = p + 1; isdigit((unsigned char)*q); q++)
			;
		if (q[0] == ')' && !q[1]) {
			strbuf_addstr(out, "current_timestamp");
			strbuf_add(out, p, (size_t)(q - p + 1));
			return;
		}
	}
	strbuf_addstr(out, v);
}

/* the default as an expression, or 0 when there is none */
static int column_default(struct myr *r, const struct db_result *res, int i, struct strbuf *out)
{
	const char *v = field(res, i, "COLUMN_DEFAULT");
	const char *extra = field_or(res, i, "EXTRA", "");
	if (!v)
		return 0;
	if (r->mariadb) {
		/* MariaDB 10.2.7+: an expression; NULL means DEFAULT NULL */
		if (!strcmp(v, "NULL"))
			return 0;
		timestamp_function(v, out);
	} else if (strstr(extra, "DEFAULT_GENERATED")) {
		timestamp_function(v, out);
	} else {
		literal(v, out);
	}
	return 1;
}

/* ---- tables and columns ---- */

static void column_line(struct myr *r, const struct db_result *res, int i, const char *tcoll,
			struct fw_object *o, struct strbuf *def)
{
	struct strbuf type = STRBUF_INIT, dflt = STRBUF_INIT, upd = STRBUF_INIT;
	const char *extra = field_or(res, i, "EXTRA", ""), *coll = field(res, i, "COLLATION_NAME");
	const char *gen = field(res, i, "GENERATION_EXPRESSION");
	const char *comment = field(res, i, "COLUMN_COMMENT"), *onupd;
	struct fw_column *c;

	column_type(field_or(res, i, "COLUMN_TYPE", ""), &type);
	c = fw_object_add_column(o, field(res, i, "COLUMN_NAME"), type.buf);
	c->not_null = !strcmp(field_or(res, i, "IS_NULLABLE", "YES"), "NO");
	strbuf_addstr(def, "  ");
	ident(r, c->name, def);
	strbuf_addf(def, " %s", type.buf);
	if (coll && (!tcoll || strcmp(coll, tcoll))) {
		strbuf_addf(def, " COLLATE %s", coll);
		c->collation = xstrdup(coll);
	}
	if (gen && *gen && strstr(extra, "GENERATED") && !strstr(extra, "DEFAULT_GENERATED")) {
		c->generated = xstrdup(gen);
		c->generated_stored = strstr(extra, "STORED") || strstr(extra, "PERSISTENT");
		strbuf_addf(def, " GENERATED ALWAYS AS (%s) %s", gen,
			    c->generated_stored ? "STORED" : "VIRTUAL");
		if (c->not_null)
			strbuf_addstr(def, " NOT NULL");
	} else {
		if (c->not_null)
			strbuf_addstr(def, " NOT NULL");
		if (column_default(r, res, i, &dflt)) {
			strbuf_addf(def, " DEFAULT %s", dflt.buf);
			c->default_expr = strbuf_detach(&dflt, NULL);
		}
	}
	if ((onupd = strcasestr(extra, "on update "))) {
		timestamp_function(onupd + strlen("on update "), &upd);
		strbuf_addf(def, " ON UPDATE %s", upd.buf);
		fw_attrs_set(&c->attrs, "on_update", upd.buf);
	}
	if (strcasestr(extra, "auto_increment")) {
		strbuf_addstr(def, " AUTO_INCREMENT");
		c->identity = xstrdup("AUTO_INCREMENT");
	}
	if (strcasestr(extra, "INVISIBLE")) {
		strbuf_addstr(def, " INVISIBLE");
		fw_attrs_set(&c->attrs, "invisible", "true");
	}
	if (comment && *comment) {
		strbuf_addstr(def, " COMMENT ");
		literal(comment, def);
		c->comment = xstrdup(comment);
	}
	strbuf_release(&type);
	strbuf_release(&dflt);
	strbuf_release(&upd);
}

/* CREATE_OPTIONS without what other parts say (partitioning) */
static void create_options(const char *opts, struct fw_object *o, struct strbuf *def)
{
	struct strvec words = STRVEC_INIT;
	strvec_split(&words, opts ? opts : "", ' ');
	for (size_t i = 0; i < words.nr; i++) {
		if (!strcasecmp(words.v[i], "partitioned"))
			continue;
		strbuf_addf(def, " %s", words.v[i]);
		fw_attrs_set(&o->attrs, "create_options", opts);
	}
	strvec_clear(&words);
}

/* PARTITION BY ... (PARTITION p VALUES ..., ...) of one table, from its rows */
static void partitions(struct myr *r, const struct db_result *parts, struct run rows,
		       struct strbuf *def)
{
	const char *last = NULL;
	int n = 0;
	for (int i = rows.first; i < rows.first + rows.count; i++) {
		const char *method = field_or(parts, i, "PARTITION_METHOD", "");
		const char *desc = field(parts, i, "PARTITION_DESCRIPTION");
		const char *name = field_or(parts, i, "PARTITION_NAME", "");
		const char *sub = field(parts, i, "SUBPARTITION_NAME");
		if (!n++) {
			const char *expr = field(parts, i, "PARTITION_EXPRESSION");
			const char *smethod = field(parts, i, "SUBPARTITION_METHOD");
			strbuf_addf(def, "\nPARTITION BY %s (%s)", method, expr ? expr : "");
			if (smethod)
				strbuf_addf(def, " SUBPARTITION BY %s (%s)", smethod,
					    field_or(parts, i, "SUBPARTITION_EXPRESSION", ""));
			strbuf_addstr(def, "\n(");
		}
		if (!last || strcmp(last, name)) {
			strbuf_addstr(def, last ? ",\n PARTITION " : "PARTITION ");
			ident(r, name, def);
			if (desc && !strncasecmp(method, "RANGE", 5))
				strbuf_addf(def, !strcmp(desc, "MAXVALUE") ? " VALUES LESS THAN %s"
									   : " VALUES LESS THAN (%s)",
					    desc);
			else if (desc && !strncasecmp(method, "LIST", 4))
				strbuf_addf(def, " VALUES IN (%s)", desc);
			last = name;
		}
		if (sub) {
			strbuf_addstr(def, " SUBPARTITION ");
			ident(r, sub, def);
		}
	}
	if (n)
		strbuf_addch(def, ')');
}

/* the columns and partitions of every table, indexed by table */
struct table_rows {
	const struct db_result *cols, *parts;
	struct runs col_runs, part_runs;
};

static void table_definition(struct myr *r, const struct db_result *tabs, int ti,
			     const struct table_rows *tr, struct fw_object *o)
{
	const struct db_result *cols = tr->cols;
	struct run rows = rows_of(&tr->col_runs, o->name);
	struct strbuf def = STRBUF_INIT;
	const char *tcoll = field(tabs, ti, "TABLE_COLLATION"), *engine = field(tabs, ti, "ENGINE");
	const char *comment = field(tabs, ti, "TABLE_COMMENT");
	int ncol = 0;

	strbuf_addstr(&def, "CREATE TABLE ");
	ident(r, o->name, &def);
	strbuf_addstr(&def, " (");
	for (int i = rows.first; i < rows.first + rows.count; i++) {
		strbuf_addstr(&def, ncol++ ? ",\n" : "\n");
		column_line(r, cols, i, tcoll, o, &def);
	}
	strbuf_addstr(&def, "\n)");
	if (engine) {
		strbuf_addf(&def, " ENGINE=%s", engine);
		fw_attrs_set(&o->attrs, "engine", engine);
	}
	if (tcoll) {
		strbuf_addf(&def, " DEFAULT COLLATE=%s", tcoll);
		fw_attrs_set(&o->attrs, "collation", tcoll);
	}
	create_options(field(tabs, ti, "CREATE_OPTIONS"), o, &def);
	if (comment && *comment) {
		strbuf_addstr(&def, " COMMENT=");
		literal(comment, &def);
	}
	if (!strcmp(field_or(tabs, ti, "TABLE_TYPE", ""), "SYSTEM VERSIONED")) {
		strbuf_addstr(&def, " WITH SYSTEM VERSIONING");
		fw_attrs_set(&o->attrs, "system_versioned", "true");
	}
	partitions(r, tr->parts, rows_of(&tr->part_runs, o->name), &def);
	strbuf_addch(&def, ';');
	fw_object_set_definition(o, def.buf);
	strbuf_release(&def);
}

static void sequence_definition(struct myr *r, struct fw_object *o)
{
	struct strbuf sql = STRBUF_INIT;
	struct fw_error ignored = FW_ERROR_INIT;
	struct db_result *res = NULL;
	strbuf_addstr(&sql, "SHOW CREATE SEQUENCE ");
	db_qualify(r->db, r->schema, o->name, &sql);
	if (db_query(r->db, sql.buf, 0, NULL, &res, &ignored) == 0 && db_value(res, 0, 1)) {
		strbuf_reset(&sql);
		strbuf_addf(&sql, "%s;", db_value(res, 0, 1));
		fw_object_set_definition(o, sql.buf);
	} else {
		fw_object_set_definition(o, "-- the sequence's definition could not be read");
	}
	db_result_free(res);
	fw_error_clear(&ignored);
	strbuf_release(&sql);
}

static int read_tables(struct myr *r, struct fw_error *err)
{
	struct db_result *tabs = NULL, *cols = NULL, *parts = NULL;
	struct fw_error ignored = FW_ERROR_INIT;
	struct table_rows tr;
	int ret = -1;

	if (query(r, "SELECT * FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
		  " ORDER BY TABLE_NAME", &tabs, err) < 0 ||
	    query(r, "SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?"
		  " ORDER BY TABLE_NAME, ORDINAL_POSITION", &cols, err) < 0)
		goto out;
	/* servers built without partitioning have no such table */
	if (query(r, "SELECT * FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ?"
		  " AND PARTITION_NAME IS NOT NULL ORDER BY TABLE_NAME,"
		  " PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION", &parts,
		  &ignored) < 0)
		parts = NULL;
	tr.cols = cols;
	tr.parts = parts;
	index_runs(cols, &tr.col_runs);
	index_runs(parts, &tr.part_runs);
	for (int i = 0; i < tabs->nrows; i++) {
		const char *name = field(tabs, i, "TABLE_NAME"), *type = field(tabs, i, "TABLE_TYPE");
		if (!name || !type || !strcmp(type, "VIEW") || !strcmp(type, "TEMPORARY") ||
		    fw_schema_excluded(r->opts, name))
			continue;
		if (!strcmp(type, "SEQUENCE")) {
			sequence_definition(r, fw_schema_add(r->out, FW_OBJ_SEQUENCE, name, NULL));
			continue;
		}
		strvec_push(&r->tables, name);
		table_definition(r, tabs, i, &tr, fw_schema_add(r->out, FW_OBJ_TABLE, name, NULL));
	}
	if (r->tables.nr > 1)   /* no table: the vector is NULL, which qsort may not take */
		qsort(r->tables.v, r->tables.nr, sizeof(char *), cmp_str);
	free(tr.col_runs.v);
	free(tr.part_runs.v);
	ret = 0;
out:
	db_result_free(tabs);
	db_result_free(cols);
	db_result_free(parts);
	fw_error_clear(&ignored);
	return ret;
}

/* ---- indexes ---- */

/* one index, from its rows [from, to) of the STATISTICS result */
static void index_object(struct myr *r, const struct db_result *res, int from, int to)
{
	const char *table = field(res, from, "TABLE_NAME"), *name = field(res, from, "INDEX_NAME");
	const char *type = field_or(res, from, "INDEX_TYPE", "BTREE");
	const char *comment = field(res, from, "INDEX_COMMENT");
	const char *ignored = field(res, from, "IGNORED"), *visible = field(res, from, "IS_VISIBLE");
	struct strbuf def = STRBUF_INIT, cols = STRBUF_INIT, col = STRBUF_INIT;
	struct fw_object *o = fw_schema_add(r->out, FW_OBJ_INDEX, name, table);
	struct fw_index *ix = fw_object_set_index(o);
	int primary = !strcmp(name, "PRIMARY");

	ix->unique = !strcmp(field_or(res, from, "NON_UNIQUE", "1"), "0");
	ix->method = xstrdup(type);
	for (int i = from; i < to; i++) {
		const char *cname = field(res, i, "COLUMN_NAME"), *expr = field(res, i, "EXPRESSION");
		const char *sub = field(res, i, "SUB_PART"), *coll = field(res, i, "COLLATION");
		strbuf_reset(&col);
		if (cname)
			ident(r, cname, &col);
		else
			strbuf_addf(&col, "(%s)", expr ? expr : "");
		if (sub)
			strbuf_addf(&col, "(%s)", sub);
		if (coll && !strcmp(coll, "D"))
			strbuf_addstr(&col, " DESC");
		strbuf_addf(&cols, "%s%s", i > from ? ", " : "", col.buf);
		strvec_push(&ix->columns, col.buf);
	}
	if (primary) {
		strbuf_addstr(&def, "ALTER TABLE ");
		ident(r, table, &def);
		strbuf_addf(&def, " ADD PRIMARY KEY (%s)", cols.buf);
	} else {
		strbuf_addf(&def, "CREATE %sINDEX ",
			    !strcmp(type, "FULLTEXT") ? "FULLTEXT "
			    : !strcmp(type, "SPATIAL") ? "SPATIAL "
			    : ix->unique ? "UNIQUE " : "");
		ident(r, name, &def);
		strbuf_addstr(&def, " ON ");
		ident(r, table, &def);
		strbuf_addf(&def, " (%s)", cols.buf);
	}
	if (strcmp(type, "BTREE") && strcmp(type, "FULLTEXT") && strcmp(type, "SPATIAL"))
		strbuf_addf(&def, " USING %s", type);
	if (comment && *comment) {
		strbuf_addstr(&def, " COMMENT ");
		literal(comment, &def);
	}
	if ((ignored && !strcmp(ignored, "YES")) || (visible && !strcmp(visible, "NO"))) {
		strbuf_addstr(&def, r->mariadb ? " IGNORED" : " INVISIBLE");
		fw_attrs_set(&o->attrs, "ignored", "true");
	}
	strbuf_addch(&def, ';');
	fw_object_set_definition(o, def.buf);
	strbuf_release(&def);
	strbuf_release(&cols);
	strbuf_release(&col);
}

typedef void (*group_fn)(struct myr *r, const struct db_result *res, int from, int to);

/* Run sql and hand fn each run of rows [from, to) that share their first two
 * columns (a table and an object's name: an index's or a key's columns),
 * when the table is one of the model. */
static int each_group(struct myr *r, const char *sql, group_fn fn, struct fw_error *err)
{
	struct db_result *res;
	int from = 0;
	if (query(r, sql, &res, err) < 0)
		return -1;
	for (int i = 1; i <= res->nrows; i++) {
		const char *table = db_value(res, from, 0), *name = db_value(res, from, 1);
		if (i < res->nrows && table && name && db_value(res, i, 0) && db_value(res, i, 1) &&
		    !strcmp(db_value(res, i, 0), table) && !strcmp(db_value(res, i, 1), name))
			continue;
		if (known_table(r, table) && name)
			fn(r, res, from, i);
		from = i;
	}
	db_result_free(res);
	return 0;
}

static int read_indexes(struct myr *r, struct fw_error *err)
{
	return each_group(r, "SELECT TABLE_NAME, INDEX_NAME, s.* FROM information_schema.STATISTICS s"
			  " WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
			  index_object, err);
}

/* ---- constraints: foreign keys, checks ---- */

/* ALTER TABLE t ADD CONSTRAINT name <clause>; as o's definition */
static void constraint_definition(struct myr *r, struct fw_object *o,
				  const struct fw_constraint *c)
{
	struct strbuf def = STRBUF_INIT;
	strbuf_addstr(&def, "ALTER TABLE ");
	ident(r, o->parent, &def);
	strbuf_addstr(&def, " ADD CONSTRAINT ");
	ident(r, o->name, &def);
	strbuf_addf(&def, " %s;", c->definition);
	fw_object_set_definition(o, def.buf);
	strbuf_release(&def);
}

/* RESTRICT and NO ACTION are one in InnoDB, and the default */
static const char *fk_rule(const char *rule)
{
	return !rule || !strcmp(rule, "RESTRICT") || !strcmp(rule, "NO ACTION") ? NULL : rule;
}

static void foreign_key(struct myr *r, const struct db_result *res, int from, int to)
{
	const char *table = field(res, from, "TABLE_NAME"), *name = field(res, from, "CONSTRAINT_NAME");
	const char *rschema = field(res, from, "REFERENCED_TABLE_SCHEMA");
	const char *rtable = field_or(res, from, "REFERENCED_TABLE_NAME", "");
	struct strbuf clause = STRBUF_INIT, ref = STRBUF_INIT;
	struct fw_object *o = fw_schema_add(r->out, FW_OBJ_CONSTRAINT, name, table);
	struct fw_constraint *c = fw_object_add_constraint(o, FW_CON_FOREIGN_KEY, name);

	if (rschema && strcmp(rschema, r->schema))
		db_qualify(r->db, rschema, rtable, &ref);
	else
		ident(r, rtable, &ref);
	c->ref_table = xstrdup(ref.buf);
	strbuf_addstr(&clause, "FOREIGN KEY (");
	for (int i = from; i < to; i++) {
		strvec_push(&c->columns, field_or(res, i, "COLUMN_NAME", ""));
		strvec_push(&c->ref_columns, field_or(res, i, "REFERENCED_COLUMN_NAME", ""));
		if (i > from)
			strbuf_addstr(&clause, ", ");
		ident(r, c->columns.v[i - from], &clause);
	}
	strbuf_addf(&clause, ") REFERENCES %s (", ref.buf);
	for (size_t k = 0; k < c->ref_columns.nr; k++) {
		if (k)
			strbuf_addstr(&clause, ", ");
		ident(r, c->ref_columns.v[k], &clause);
	}
	strbuf_addch(&clause, ')');
	fw_set_str(&c->on_delete, fk_rule(field(res, from, "DELETE_RULE")));
	fw_set_str(&c->on_update, fk_rule(field(res, from, "UPDATE_RULE")));
	if (c->on_delete)
		strbuf_addf(&clause, " ON DELETE %s", c->on_delete);
	if (c->on_update)
		strbuf_addf(&clause, " ON UPDATE %s", c->on_update);
	c->definition = xstrdup(clause.buf);
	constraint_definition(r, o, c);
	strbuf_release(&clause);
	strbuf_release(&ref);
}

static int read_foreign_keys(struct myr *r, struct fw_error *err)
{
	return each_group(r, "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME,"
			  " k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,"
			  " k.REFERENCED_COLUMN_NAME, c.UPDATE_RULE, c.DELETE_RULE"
			  " FROM information_schema.KEY_COLUMN_USAGE k"
			  " JOIN information_schema.REFERENTIAL_CONSTRAINTS c"
			  " ON c.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA"
			  " AND c.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND c.TABLE_NAME = k.TABLE_NAME"
			  " WHERE k.CONSTRAINT_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL"
			  " ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
			  foreign_key, err);
}

/* CHECK constraints: MariaDB keeps the table in CHECK_CONSTRAINTS (names are
 * per table there); MySQL 8.0.16+ needs TABLE_CONSTRAINTS for it. A server
 * without CHECK_CONSTRAINTS has no checks to read. */
static int read_checks(struct myr *r, struct fw_error *err)
{
	struct fw_error ignored = FW_ERROR_INIT;
	struct db_result *res = NULL;
	const char *sql = r->mariadb
		? "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE"
		  " FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?"
		  " ORDER BY TABLE_NAME, CONSTRAINT_NAME"
		: "SELECT t.TABLE_NAME, t.CONSTRAINT_NAME, c.CHECK_CLAUSE"
		  " FROM information_schema.TABLE_CONSTRAINTS t"
		  " JOIN information_schema.CHECK_CONSTRAINTS c"
		  " ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA"
		  " AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME"
		  " WHERE t.CONSTRAINT_SCHEMA = ? AND t.CONSTRAINT_TYPE = 'CHECK'"
		  " ORDER BY t.TABLE_NAME, t.CONSTRAINT_NAME";
	(void)err;
	if (query(r, sql, &res, &ignored) < 0) {
		fw_error_clear(&ignored);
		return 0;
	}
	for (int i = 0; i < res->nrows; i++) {
		const char *table = db_value(res, i, 0), *name = db_value(res, i, 1);
		const char *clause = db_value(res, i, 2);
		struct strbuf def = STRBUF_INIT;
		struct fw_object *o;
		struct fw_constraint *c;
		if (!known_table(r, table) || !name)
			continue;
		o = fw_schema_add(r->out, FW_OBJ_CONSTRAINT, name, table);
		c = fw_object_add_constraint(o, FW_CON_CHECK, name);
		c->expression = xstrdup(clause ? clause : "");
		strbuf_addf(&def, "CHECK (%s)", c->expression);
		c->definition = strbuf_detach(&def, NULL);
		constraint_definition(r, o, c);
	}
	db_result_free(res);
	return 0;
}

/* ---- views, routines, triggers, events ---- */

/* the text with every `schema`. taken out */
static void unqualify(const char *text, const char *qschema, struct strbuf *out)
{
	size_t n = strlen(qschema);
	const char *hit;
	while ((hit = strstr(text, qschema))) {
		strbuf_add(out, text, (size_t)(hit - text));
		text = hit + n;
	}
	strbuf_addstr(out, text);
}

static int read_views(struct myr *r, struct fw_error *err)
{
	struct db_result *res;
	if (query(r, "SELECT * FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?"
		  " ORDER BY TABLE_NAME", &res, err) < 0)
		return -1;
	for (int i = 0; i < res->nrows; i++) {
		const char *name = field(res, i, "TABLE_NAME"), *algo = field(res, i, "ALGORITHM");
		const char *check = field_or(res, i, "CHECK_OPTION", "NONE");
		struct strbuf def = STRBUF_INIT;
		struct fw_object *o;
		if (!name || fw_schema_excluded(r->opts, name))
			continue;
		o = fw_schema_add(r->out, FW_OBJ_VIEW, name, NULL);
		strbuf_addstr(&def, "CREATE ");
		if (algo && strcmp(algo, "UNDEFINED"))
			strbuf_addf(&def, "ALGORITHM=%s ", algo);
		strbuf_addf(&def, "SQL SECURITY %s VIEW ",
			    field_or(res, i, "SECURITY_TYPE", "DEFINER"));
		ident(r, name, &def);
		strbuf_addstr(&def, " AS ");
		if (!*field_or(res, i, "VIEW_DEFINITION", "")) {
			/* information_schema shows it only with SHOW VIEW */
			strbuf_addstr(&def, "-- definition not readable: the user needs SHOW VIEW");
			fw_attrs_set(&o->attrs, "body_readable", "false");
		}
		unqualify(field_or(res, i, "VIEW_DEFINITION", ""), r->qschema.buf, &def);
		if (strcmp(check, "NONE"))
			strbuf_addf(&def, " WITH %s CHECK OPTION", check);
		strbuf_addch(&def, ';');
		fw_object_set_definition(o, def.buf);
		strbuf_release(&def);
	}
	db_result_free(res);
	return 0;
}

/* "(IN `a` int, OUT `b` varchar(10))" and the return type of one routine */
static void routine_params(struct myr *r, const struct db_result *params, const char *routine,
			   const char *type, struct strbuf *out, struct strbuf *returns)
{
	int n = 0;
	strbuf_addch(out, '(');
	for (int i = 0; params && i < params->nrows; i++) {
		const char *mode = field(params, i, "PARAMETER_MODE");
		const char *pname = field(params, i, "PARAMETER_NAME");
		if (strcmp(field_or(params, i, "SPECIFIC_NAME", ""), routine) ||
		    strcmp(field_or(params, i, "ROUTINE_TYPE", ""), type))
			continue;
		if (!pname) {   /* position 0: a function's return type */
			column_type(field_or(params, i, "DTD_IDENTIFIER", ""), returns);
			continue;
		}
		if (n++)
			strbuf_addstr(out, ", ");
		if (mode && !strcmp(type, "PROCEDURE"))
			strbuf_addf(out, "%s ", mode);
		ident(r, pname, out);
		strbuf_addch(out, ' ');
		column_type(field_or(params, i, "DTD_IDENTIFIER", ""), out);
	}
	strbuf_addch(out, ')');
}

static int read_routines(struct myr *r, struct fw_error *err)
{
	struct db_result *res, *params = NULL;
	if (query(r, "SELECT * FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?"
		  " ORDER BY ROUTINE_NAME", &res, err) < 0)
		return -1;
	if (query(r, "SELECT * FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = ?"
		  " ORDER BY SPECIFIC_NAME, ORDINAL_POSITION", &params, err) < 0) {
		db_result_free(res);
		return -1;
	}
	for (int i = 0; i < res->nrows; i++) {
		const char *name = field(res, i, "ROUTINE_NAME");
		const char *type = field_or(res, i, "ROUTINE_TYPE", "PROCEDURE");
		const char *body = field(res, i, "ROUTINE_DEFINITION");
		const char *comment = field(res, i, "ROUTINE_COMMENT");
		struct strbuf def = STRBUF_INIT, returns = STRBUF_INIT;
		int function = !strcmp(type, "FUNCTION");
		struct fw_object *o;
		if (!name)
			continue;
		o = fw_schema_add(r->out, function ? FW_OBJ_FUNCTION : FW_OBJ_PROCEDURE, name, NULL);
		strbuf_addf(&def, "CREATE %s ", type);
		ident(r, name, &def);
		routine_params(r, params, name, type, &def, &returns);
		if (function)
			strbuf_addf(&def, " RETURNS %s", returns.buf);
		if (!strcmp(field_or(res, i, "IS_DETERMINISTIC", "NO"), "YES"))
			strbuf_addstr(&def, "\n    DETERMINISTIC");
		strbuf_addf(&def, "\n    %s\n    SQL SECURITY %s",
			    field_or(res, i, "SQL_DATA_ACCESS", "CONTAINS SQL"),
			    field_or(res, i, "SECURITY_TYPE", "DEFINER"));
		if (comment && *comment) {
			strbuf_addstr(&def, "\n    COMMENT ");
			literal(comment, &def);
		}
		if (body) {
			strbuf_addf(&def, "\n%s;", body);
		} else {
			strbuf_addstr(&def, "\n-- body not readable: the user may not see it "
				      "(it needs SHOW_ROUTINE or to be the definer)");
			fw_attrs_set(&o->attrs, "body_readable", "false");
		}
		if (field(res, i, "SQL_MODE"))
			fw_attrs_set(&o->attrs, "sql_mode", field(res, i, "SQL_MODE"));
		fw_object_set_definition(o, def.buf);
		strbuf_release(&def);
		strbuf_release(&returns);
	}
	db_result_free(res);
	db_result_free(params);
	return 0;
}

static int read_triggers(struct myr *r, struct fw_error *err)
{
	struct db_result *res;
	if (query(r, "SELECT * FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?"
		  " ORDER BY TRIGGER_NAME", &res, err) < 0)
		return -1;
	for (int i = 0; i < res->nrows; i++) {
		const char *name = field(res, i, "TRIGGER_NAME");
		const char *table = field(res, i, "EVENT_OBJECT_TABLE");
		const char *order = field_or(res, i, "ACTION_ORDER", "1");
		struct strbuf def = STRBUF_INIT;
		struct fw_object *o;
		if (!name || !known_table(r, table))
			continue;
		o = fw_schema_add(r->out, FW_OBJ_TRIGGER, name, table);
		strbuf_addstr(&def, "CREATE TRIGGER ");
		ident(r, name, &def);
		strbuf_addf(&def, " %s %s ON ", field_or(res, i, "ACTION_TIMING", ""),
			    field_or(res, i, "EVENT_MANIPULATION", ""));
		ident(r, table, &def);
		strbuf_addf(&def, " FOR EACH %s %s;", field_or(res, i, "ACTION_ORIENTATION", "ROW"),
			    field_or(res, i, "ACTION_STATEMENT", ""));
		/* several triggers of one timing and event run in this order */
		if (strcmp(order, "1") && strcmp(order, "0"))
			strbuf_addf(&def, "\n-- action order %s", order);
		fw_attrs_set(&o->attrs, "action_order", order);
		fw_object_set_definition(o, def.buf);
		strbuf_release(&def);
	}
	db_result_free(res);
	return 0;
}

/* information_schema.EVENTS cannot be read on some servers whose event
 * scheduler is disabled (as in my_schema_is_empty): then there are none */
static int read_events(struct myr *r, struct fw_error *err)
{
	struct fw_error ignored = FW_ERROR_INIT;
	struct db_result *res;
	(void)err;
	if (query(r, "SELECT * FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?"
		  " ORDER BY EVENT_NAME", &res, &ignored) < 0) {
		fw_error_clear(&ignored);
		return 0;
	}
	for (int i = 0; i < res->nrows; i++) {
		const char *name = field(res, i, "EVENT_NAME"), *at = field(res, i, "EXECUTE_AT");
		const char *ends = field(res, i, "ENDS"), *comment = field(res, i, "EVENT_COMMENT");
		struct strbuf def = STRBUF_INIT;
		struct fw_object *o;
		if (!name)
			continue;
		o = fw_schema_add(r->out, FW_OBJ_EVENT, name, NULL);
		strbuf_addstr(&def, "CREATE EVENT ");
		ident(r, name, &def);
		if (at)
			strbuf_addf(&def, " ON SCHEDULE AT '%s'", at);
		else
			strbuf_addf(&def, " ON SCHEDULE EVERY %s %s",
				    field_or(res, i, "INTERVAL_VALUE", ""),
				    field_or(res, i, "INTERVAL_FIELD", ""));
		if (ends)
			strbuf_addf(&def, " ENDS '%s'", ends);
		strbuf_addf(&def, " ON COMPLETION %s %s",
			    field_or(res, i, "ON_COMPLETION", "NOT PRESERVE"),
			    !strcmp(field_or(res, i, "STATUS", "ENABLED"), "ENABLED") ? "ENABLE"
			    : "DISABLE");
		if (comment && *comment) {
			strbuf_addstr(&def, " COMMENT ");
			literal(comment, &def);
		}
		strbuf_addf(&def, " DO %s;", field_or(res, i, "EVENT_DEFINITION", ""));
		fw_object_set_definition(o, def.buf);
		strbuf_release(&def);
	}
	db_result_free(res);
	return 0;
}

int db_mysql_read_schema(struct db *db, const char *schema, const struct fw_schema_opts *opts,
			 struct fw_schema *out, struct fw_error *err)
{
	struct myr r = { db, schema, opts, out, 0, STRBUF_INIT, STRVEC_INIT };
	int ret;
	r.mariadb = !strncmp(db_product(db), "MariaDB", 7);
	db_quote_ident(db, schema, &r.qschema);
	strbuf_addch(&r.qschema, '.');
	ret = read_tables(&r, err) < 0 || read_indexes(&r, err) < 0 ||
	      read_foreign_keys(&r, err) < 0 || read_checks(&r, err) < 0 ||
	      read_views(&r, err) < 0 || read_routines(&r, err) < 0 ||
	      read_triggers(&r, err) < 0 || read_events(&r, err) < 0 ? -1 : 0;
	strbuf_release(&r.qschema);
	strvec_clear(&r.tables);
	return ret;
}
