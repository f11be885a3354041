/* The PostgreSQL catalog reader: one schema's objects as a schema model
 * (docs/schema-model.md).
 *
 * A fixed number of queries per schema, never one per table: relations,
 * columns, constraints, indexes, triggers, routines, types, extensions and
 * policies, each read for the whole schema at once. The server does the
 * normalising (pg_get_viewdef, pg_get_indexdef, pg_get_constraintdef,
 * pg_get_triggerdef, pg_get_functiondef, format_type, pg_get_expr), with
 * search_path set to the schema alone while reading: names in the schema then
 * print unqualified and names elsewhere qualified, whatever the user's own
 * search_path, so that two databases built by the same migrations print the
 * same text. The search_path is put back afterwards, also after a failure.
 *
 * Left out: objects that belong to an extension (the extension stands for
 * them), the sequences behind identity columns (the column says it), indexes
 * that implement a constraint (the constraint says it), what partitions
 * inherit from their partitioned table (cloned triggers, constraints and
 * attached indexes), internal triggers, and the tables the options exclude
 * with everything that hangs on them. OIDs, owners and sequence values are
 * never part of the model; privileges only with opts->grants. */
#include "db/db-internal.h"
#include "util/xalloc.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- the queries; ? is the schema, GRANTS(...) the privileges column ---- */

#define NOT_EXTENSION_MEMBER(cls, oid) \
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = '" cls \
	"'::regclass AND e.objid = " oid " AND e.deptype = 'e')"

/* the comment of an object: a join (one pass over pg_description), not a
 * function call per row */
#define DESCRIPTION_JOIN(alias, cls, oid, subid) \
	" LEFT JOIN pg_catalog.pg_description " alias " ON " alias ".objoid = " oid \
	" AND " alias ".classoid = '" cls "'::regclass AND " alias ".objsubid = " subid

/* privileges other than the owner's, as GRANT statements in a fixed order */
#define GRANTS_SQL(acl, owner, kind, target) \
	"(SELECT string_agg(g, E'\\n' ORDER BY g) FROM (SELECT format('GRANT %s ON %s %s TO %s%s;'," \
	" a.privilege_type, " kind ", " target ", CASE WHEN a.grantee = 0 THEN 'PUBLIC'" \
	" ELSE quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END," \
	" CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) AS g" \
	" FROM pg_catalog.aclexplode(" acl ") a WHERE a.grantee <> " owner ") s)"

enum { R_NAME, R_QNAME, R_KIND, R_PERSIST, R_PARTOF, R_BOUND, R_PARTKEY, R_INHERITS, R_OPTIONS,
       R_TABLESPACE, R_RLS, R_FORCE_RLS, R_COMMENT, R_VIEWDEF, R_SEQTYPE, R_SEQSTART, R_SEQINC,
       R_SEQMIN, R_SEQMAX, R_SEQCACHE, R_SEQCYCLE, R_OWNED_KIND, R_OWNER, R_QOWNER, R_QOWNED_COL,
       R_OWNED_COL, R_SERVER, R_FTOPTIONS, R_AM, R_REPLIDENT, R_GRANTS };

static const char rel_sql[] =
	"SELECT c.relname, quote_ident(c.relname), c.relkind, c.relpersistence,"
	" CASE WHEN c.relispartition THEN (SELECT i.inhparent::regclass::text"
	"  FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid) END,"
	" CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END,"
	" CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
	" CASE WHEN NOT c.relispartition THEN (SELECT json_agg(i.inhparent::regclass::text"
	"  ORDER BY i.inhseqno) FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid) END,"
	" array_to_json(c.reloptions), ts.spcname, c.relrowsecurity, c.relforcerowsecurity,"
	" ds.description,"
	" CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END,"
	" pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,"
	" s.seqmax, s.seqcache, s.seqcycle,"
	" d.deptype, r.relname, CASE WHEN r.relnamespace = c.relnamespace"
	"  THEN quote_ident(r.relname) ELSE r.oid::regclass::text END,"
	" quote_ident(a.attname), a.attname,"
	" quote_ident(fs.srvname), array_to_json(ft.ftoptions),"
	" CASE WHEN c.relkind IN ('r', 'p', 'm') AND am.amname <> 'heap' THEN am.amname END,"
	" CASE c.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING'"
	"  WHEN 'i' THEN (SELECT 'USING INDEX ' || quote_ident(ri.relname)"
	"  FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class ri ON ri.oid = x.indexrelid"
	"  WHERE x.indrelid = c.oid AND x.indisreplident) END,"
	" %s"
	" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = c.reltablespace"
	" LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
	" LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid"
	" LEFT JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver"
	" LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam"
	DESCRIPTION_JOIN("ds", "pg_catalog.pg_class", "c.oid", "0")
	/* the column owning a sequence: serial ('a') or identity ('i') */
	" LEFT JOIN pg_catalog.pg_depend d ON c.relkind = 'S'"
	"  AND d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid"
	"  AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')"
	" LEFT JOIN pg_catalog.pg_class r ON r.oid = d.refobjid"
	" LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid"
	"  AND a.attnum = d.refobjsubid"
	" WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
	NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")
	" ORDER BY c.relname";

#define REL_GRANTS GRANTS_SQL("c.relacl", "c.relowner", \
	"CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END", "quote_ident(c.relname)")

enum { C_REL, C_NAME, C_QNAME, C_TYPE, C_NOTNULL, C_DEFAULT, C_IDENTITY, C_GENERATED,
       C_COLLATION, C_COMMENT };

static const char col_sql[] =
	"SELECT c.relname, a.attname, quote_ident(a.attname),"
	" pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,"
	" pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true), a.attidentity, %s,"
	" CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN"
	"  CASE WHEN cn.nspname IN ('pg_catalog', ?) THEN quote_ident(co.collname)"
	"  ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END END,"
	" ds.description"
	" FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
	" LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum"
	" LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
	" LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
	DESCRIPTION_JOIN("ds", "pg_catalog.pg_class", "a.attrelid", "a.attnum")
	" WHERE n.nspname = ? AND a.attnum > 0 AND NOT a.attisdropped"
	" AND c.relkind IN ('r', 'p', 'v', 'm', 'c', 'f')"
	" ORDER BY c.relname, a.attnum";

enum { K_NAME, K_QNAME, K_TYPE, K_REL, K_QREL, K_DOMAIN, K_DEF, K_COLUMNS, K_REFTABLE,
       K_REFCOLUMNS, K_ONDELETE, K_ONUPDATE, K_CHECK, K_COMMENT };

static const char con_sql[] =
	"SELECT con.conname, quote_ident(con.conname), con.contype, cl.relname,"
	" quote_ident(cl.relname), ty.typname, pg_catalog.pg_get_constraintdef(con.oid, true),"
	" (SELECT json_agg(a.attname ORDER BY array_position(con.conkey, a.attnum))"
	"  FROM pg_catalog.pg_attribute a WHERE a.attrelid = con.conrelid"
	"  AND a.attnum = ANY (con.conkey)),"
	" CASE WHEN con.contype = 'f' THEN con.confrelid::regclass::text END,"
	" CASE WHEN con.contype = 'f' THEN (SELECT json_agg(a.attname"
	"  ORDER BY array_position(con.confkey, a.attnum)) FROM pg_catalog.pg_attribute a"
	"  WHERE a.attrelid = con.confrelid AND a.attnum = ANY (con.confkey)) END,"
	" con.confdeltype, con.confupdtype,"
	" CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin,"
	"  con.conrelid, true) END,"
	" ds.description"
	" FROM pg_catalog.pg_constraint con"
	" JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace"
	" LEFT JOIN pg_catalog.pg_class cl ON cl.oid = con.conrelid"
	" LEFT JOIN pg_catalog.pg_type ty ON ty.oid = con.contypid"
	DESCRIPTION_JOIN("ds", "pg_catalog.pg_constraint", "con.oid", "0")
	" WHERE n.nspname = ? AND con.contype IN ('p', 'u', 'c', 'f', 'x')"
	" AND con.conparentid = 0 AND (con.conrelid = 0 OR con.conislocal)"
	" ORDER BY con.conname";

enum { I_NAME, I_QNAME, I_TABLE, I_QTABLE, I_DEF, I_UNIQUE, I_VALID, I_METHOD, I_COLUMNS,
       I_INCLUDE, I_PREDICATE, I_COMMENT, I_TABLESPACE, I_CLUSTERED };

static const char idx_sql[] =
	"SELECT ic.relname, quote_ident(ic.relname), tc.relname, quote_ident(tc.relname),"
	" pg_catalog.pg_get_indexdef(i.indexrelid, 0, true), i.indisunique, i.indisvalid,"
	" am.amname,"
	" (SELECT json_agg(COALESCE(quote_ident(a.attname),"
	"  pg_catalog.pg_get_indexdef(i.indexrelid, k, true))"
	"  || CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END"
	"  || CASE WHEN i.indoption[k - 1] & 3 = 2 THEN ' NULLS FIRST'"
	"   WHEN i.indoption[k - 1] & 3 = 1 THEN ' NULLS LAST' ELSE '' END ORDER BY k)"
	"  FROM generate_series(1, i.indnkeyatts) k LEFT JOIN pg_catalog.pg_attribute a"
	"  ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1] AND i.indkey[k - 1] <> 0),"
	" (SELECT json_agg(quote_ident(a.attname) ORDER BY k) FROM generate_series(i.indnkeyatts"
	"  + 1, i.indnatts) k JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid"
	"  AND a.attnum = i.indkey[k - 1]),"
	" pg_catalog.pg_get_expr(i.indpred, i.indrelid, true),"
	" ds.description, quote_ident(ts.spcname), i.indisclustered"
	" FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
	" JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace"
	" JOIN pg_catalog.pg_am am ON am.oid = ic.relam"
	" LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = ic.reltablespace"
	DESCRIPTION_JOIN("ds", "pg_catalog.pg_class", "ic.oid", "0")
	" WHERE n.nspname = ? AND NOT ic.relispartition"
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con"
	"  WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid"
	"  AND con.contype IN ('p', 'u', 'x'))"
	NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "tc.oid")
	" ORDER BY ic.relname";

enum { T_NAME, T_QNAME, T_TABLE, T_QTABLE, T_DEF, T_ENABLED, T_COMMENT };

static const char trg_sql[] =
	"SELECT t.tgname, quote_ident(t.tgname), c.relname, quote_ident(c.relname),"
	" pg_catalog.pg_get_triggerdef(t.oid, true), t.tgenabled,"
	" pg_catalog.obj_description(t.oid, 'pg_trigger')"
	" FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE n.nspname = ? AND NOT t.tgisinternal AND %s"
	NOT_EXTENSION_MEMBER("pg_catalog.pg_class", "c.oid")
	" ORDER BY t.tgname";

enum { F_NAME, F_QNAME, F_ARGS, F_TYPES, F_KIND, F_DEF, F_COMMENT, F_AGG, F_GRANTS };

static const char fun_sql[] =
	"SELECT p.proname, quote_ident(p.proname),"
	" pg_catalog.pg_get_function_identity_arguments(p.oid),"
	" pg_catalog.oidvectortypes(p.proargtypes), p.prokind,"
	" CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END,"
	" pg_catalog.obj_description(p.oid, 'pg_proc'),"
	" CASE WHEN p.prokind = 'a' THEN (SELECT json_build_array(ag.aggtransfn::regproc::text,"
	"  pg_catalog.format_type(ag.aggtranstype, NULL),"
	"  NULLIF(ag.aggfinalfn::regproc::text, '-'), NULLIF(ag.aggcombinefn::regproc::text, '-'),"
	"  ag.agginitval, NULLIF(ag.aggsortop::regoperator::text, '0'), ag.aggkind)"
	"  FROM pg_catalog.pg_aggregate ag WHERE ag.aggfnoid = p.oid) END,"
	" %s"
	" FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	" WHERE n.nspname = ?"
	NOT_EXTENSION_MEMBER("pg_catalog.pg_proc", "p.oid")
	" ORDER BY p.proname, 4";

#define FUN_GRANTS GRANTS_SQL("p.proacl", "p.proowner", \
	"CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END", \
	"quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'")

enum { Y_NAME, Y_QNAME, Y_KIND, Y_LABELS, Y_BASE, Y_NOTNULL, Y_DEFAULT, Y_COLLATION, Y_RANGE,
       Y_COMMENT };

static const char typ_sql[] =
	"SELECT t.typname, quote_ident(t.typname), t.typtype,"
	" CASE WHEN t.typtype = 'e' THEN (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder)"
	"  FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END,"
	" CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,"
	" t.typnotnull,"
	" CASE WHEN t.typtype = 'd' THEN pg_catalog.pg_get_expr(t.typdefaultbin, 0, true) END,"
	" CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <> bt.typcollation"
	"  THEN (SELECT CASE WHEN cn.nspname IN ('pg_catalog', ?) THEN quote_ident(co.collname)"
	"  ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END"
	"  FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn"
	"  ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation) END,"
	" CASE WHEN t.typtype = 'r' THEN (SELECT json_build_array("
	"  pg_catalog.format_type(r.rngsubtype, NULL),"
	"  (SELECT quote_ident(co.collname) FROM pg_catalog.pg_collation co"
	"   WHERE co.oid = r.rngcollation),"
	"  NULLIF(r.rngcanonical::regproc::text, '-'), NULLIF(r.rngsubdiff::regproc::text, '-'))"
	"  FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid) END,"
	" pg_catalog.obj_description(t.oid, 'pg_type')"
	" FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
	" LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid"
	" LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
	" WHERE n.nspname = ? AND t.typtype IN ('e', 'd', 'r', 'c')"
	" AND (t.typrelid = 0 OR c.relkind = 'c')"
	NOT_EXTENSION_MEMBER("pg_catalog.pg_type", "t.oid")
	" ORDER BY t.typname";

static const char ext_sql[] =
	"SELECT x.extname, quote_ident(x.extname), x.extversion"
	" FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace"
	" WHERE n.nspname = ? ORDER BY x.extname";

enum { P_NAME, P_QNAME, P_TABLE, P_QTABLE, P_PERMISSIVE, P_CMD, P_ROLES, P_USING, P_CHECK };

static const char pol_sql[] =
	"SELECT p.polname, quote_ident(p.polname), c.relname, quote_ident(c.relname),"
	" p.polpermissive, p.polcmd,"
	" (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC'"
	"  ELSE quote_ident(pg_catalog.pg_get_userbyid(r)) END, ', ' ORDER BY 1)"
	"  FROM unnest(p.polroles) r),"
	" pg_catalog.pg_get_expr(p.polqual, p.polrelid, true),"
	" pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid, true)"
	" FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE n.nspname = ? ORDER BY p.polname";

/* ---- one read ---- */

struct rel {
	const char *name;    /* into the result of rel_sql */
	size_t obj;          /* its object; (size_t)-1 when it is none (identity sequence) */
	int col_first;       /* its rows in the columns result (contiguous), -1: none */
	int col_count;
};

/* the sequence behind an identity column */
struct ident_seq {
	char *table, *column;
	int row;             /* in the result of rel_sql */
};

struct pgr {
	struct db *db;
	const char *schema;
	const struct fw_schema_opts *opts;
	struct fw_schema *out;
	int version;                 /* server_version_num */
	struct db_result *rels;      /* kept: rel.name points into it */
	struct rel *relv;            /* sorted by name */
	size_t nrel;
	struct ident_seq *idv;       /* sorted by table, column */
	size_t nid;
	const char *qschema;         /* the schema's name as the server quotes it */
	struct db_result *cols;      /* columns of relations and composite types */
	struct db_result *cons;      /* constraints (those of domains read by type_row) */
};

static const char *val(const struct db_result *r, int row, int col)
{
	return db_value(r, row, col);
}

static int is_t(const char *v)
{
	return v && (!strcmp(v, "t") || !strcmp(v, "true"));
}

/* run a query whose ? all stand for the schema (the privileges' SQL filled
 * into a query has none) */
static int query(struct pgr *r, const char *sql, struct db_result **res, struct fw_error *err)
{
	const char *params[] = { r->schema, r->schema, r->schema };
	int n = 0;
	for (const char *p = sql; (p = strchr(p, '?')); p++)
		n++;
	return db_query(r->db, sql, n, params, res, err);
}

/* a query with one %s filled in */
static int query_f(struct pgr *r, const char *fmt, const char *fill, struct db_result **res,
		   struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;
	strbuf_addf(&sql, fmt, fill);
	ret = query(r, sql.buf, res, err);
	strbuf_release(&sql);
	return ret;
}

/* a JSON array of strings (null items as "") into out */
static void json_strings(const char *text, struct strvec *out)
{
	json_t *a, *v;
	size_t i;
	if (!text || !(a = json_loads(text, JSON_DECODE_ANY, NULL)))
		return;
	json_array_foreach(a, i, v)
		strvec_push(out, json_is_string(v) ? json_string_value(v) : "");
	json_decref(a);
}

/* item i of a JSON array as a string, or NULL (caller frees) */
static char *json_item(const char *text, size_t i)
{
	json_t *a, *v;
	char *s = NULL;
	if (!text || !(a = json_loads(text, JSON_DECODE_ANY, NULL)))
		return NULL;
	v = json_array_get(a, i);
	if (json_is_string(v))
		s = xstrdup(json_string_value(v));
	json_decref(a);
	return s;
}

static void literal(const char *s, struct strbuf *out)
{
	strbuf_addch(out, '\'');
	strbuf_add_doubled(out, s, '\'');
	strbuf_addch(out, '\'');
}

/* COMMENT ON <what> IS '...'; on a line of its own, when there is a comment */
static void comment_on(struct strbuf *out, const char *comment, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void comment_on(struct strbuf *out, const char *comment, const char *fmt, ...)
{
	va_list ap;
	if (!comment)
		return;
	strbuf_addstr(out, "\nCOMMENT ON ");
	va_start(ap, fmt);
	strbuf_vaddf(out, fmt, ap);
	va_end(ap);
	strbuf_addstr(out, " IS ");
	literal(comment, out);
	strbuf_addch(out, ';');
}

/* def becomes o's definition; def is released */
static void set_definition(struct fw_object *o, struct strbuf *def)
{
	fw_object_set_definition(o, def->buf);
	strbuf_release(def);
}

static void grants(const char *text, struct strbuf *out)
{
	if (text && *text)
		strbuf_addf(out, "\n%s", text);
}

/* "(a, b)" of a JSON array of strings, joined */
static void json_list(const char *text, struct strbuf *out)
{
	struct strvec v = STRVEC_INIT;
	json_strings(text, &v);
	for (size_t i = 0; i < v.nr; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", v.v[i]);
	strvec_clear(&v);
}

static int rel_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rel *)a)->name, ((const struct rel *)b)->name);
}

static struct rel *find_rel(struct pgr *r, const char *name)
{
	struct rel key = { name, 0, -1, 0 };
	return name ? bsearch(&key, r->relv, r->nrel, sizeof(*r->relv), rel_cmp) : NULL;
}

static struct fw_object *rel_object(struct pgr *r, const char *name)
{
	struct rel *hit = find_rel(r, name);
	return hit && hit->obj != (size_t)-1 ? &r->out->objects[hit->obj] : NULL;
}

static int ident_cmp(const void *a, const void *b)
{
	const struct ident_seq *x = a, *y = b;
	int c = strcmp(x->table, y->table);
	return c ? c : strcmp(x->column, y->column);
}

static int excluded(const struct pgr *r, const char *table)
{
	return fw_schema_excluded(r->opts, table);
}

/* ---- relations ---- */

static enum fw_obj_type rel_type(char kind)
{
	switch (kind) {
	case 'v': return FW_OBJ_VIEW;
	case 'm': return FW_OBJ_MATERIALIZED_VIEW;
	case 'S': return FW_OBJ_SEQUENCE;
	default: return FW_OBJ_TABLE;
	}
}

/* the largest value of a sequence's type: its default MAXVALUE */
static const char *type_max(const char *type)
{
	if (type && !strcmp(type, "smallint"))
		return "32767";
	if (type && !strcmp(type, "integer"))
		return "2147483647";
	return "9223372036854775807";
}

/* sequence options as CREATE SEQUENCE writes them; identity: only those that
 * differ from an ascending sequence's defaults */
static void seq_options(const struct db_result *res, int i, int identity, struct strbuf *out)
{
	const char *type = val(res, i, R_SEQTYPE), *inc = val(res, i, R_SEQINC);
	const char *min = val(res, i, R_SEQMIN), *max = val(res, i, R_SEQMAX);
	const char *start = val(res, i, R_SEQSTART), *cache = val(res, i, R_SEQCACHE);
	size_t len = out->len;
	if (!identity || strcmp(inc, "1"))
		strbuf_addf(out, " INCREMENT BY %s", inc);
	if (!identity || strcmp(min, "1"))
		strbuf_addf(out, " MINVALUE %s", min);
	if (!identity || strcmp(max, type_max(type)))
		strbuf_addf(out, " MAXVALUE %s", max);
	if (!identity || strcmp(start, min))
		strbuf_addf(out, " START WITH %s", start);
	if (!identity || strcmp(cache, "1"))
		strbuf_addf(out, " CACHE %s", cache);
	if (is_t(val(res, i, R_SEQCYCLE)))
		strbuf_addstr(out, " CYCLE");
	if (identity && out->len > len) {
		/* " (...)" around what was added */
		struct strbuf tmp = STRBUF_INIT;
		strbuf_add(&tmp, out->buf + len + 1, out->len - len - 1);
		strbuf_setlen(out, len);
		strbuf_addf(out, " (%s)", tmp.buf);
		strbuf_release(&tmp);
	}
}

static void add_sequence(const struct db_result *res, int i, struct fw_object *o)
{
	struct strbuf def = STRBUF_INIT, owner = STRBUF_INIT;
	const char *deptype = val(res, i, R_OWNED_KIND), *qtable = val(res, i, R_QOWNER);
	const char *qcol = val(res, i, R_QOWNED_COL);
	strbuf_addf(&def, "CREATE %sSEQUENCE %s AS %s",
		    !strcmp(val(res, i, R_PERSIST), "u") ? "UNLOGGED " : "", val(res, i, R_QNAME),
		    val(res, i, R_SEQTYPE));
	seq_options(res, i, 0, &def);
	strbuf_addch(&def, ';');
	if (deptype && !strcmp(deptype, "a") && qtable && qcol) {
		strbuf_addf(&def, "\nALTER SEQUENCE %s OWNED BY %s.%s;", val(res, i, R_QNAME), qtable,
			    qcol);
		strbuf_addf(&owner, "%s.%s", qtable, qcol);
		fw_attrs_set(&o->attrs, "owned_by", owner.buf);
	}
	comment_on(&def, val(res, i, R_COMMENT), "SEQUENCE %s", val(res, i, R_QNAME));
	grants(val(res, i, R_GRANTS), &def);
	set_definition(o, &def);
	strbuf_release(&owner);
}

/* An identity sequence is no object: its options go to its column. Returns
 * 1 (after noting whose it is) for one. */
static int identity_sequence(struct pgr *r, const struct db_result *res, int i)
{
	const char *deptype = val(res, i, R_OWNED_KIND);
	const char *table = val(res, i, R_OWNER), *column = val(res, i, R_OWNED_COL);
	if (!deptype || strcmp(deptype, "i"))
		return 0;
	if (table && column) {
		struct ident_seq *id;
		r->idv = xrealloc(r->idv, (r->nid + 1) * sizeof(*r->idv));
		id = &r->idv[r->nid++];
		id->table = xstrdup(table);
		id->column = xstrdup(column);
		id->row = i;
	}
	return 1;
}

static int read_relations(struct pgr *r, struct fw_error *err)
{
	struct db_result *res;
	if (query_f(r, rel_sql, r->opts->grants ? REL_GRANTS : "NULL", &res, err) < 0)
		return -1;
	r->rels = res;
	r->relv = xcalloc(res->nrows ? (size_t)res->nrows : 1, sizeof(*r->relv));
	for (int i = 0; i < res->nrows; i++) {
		const char *name = val(res, i, R_NAME);
		char kind = val(res, i, R_KIND)[0];
		struct rel *rl = &r->relv[r->nrel++];
		rl->name = name;
		rl->obj = (size_t)-1;
		rl->col_first = -1;
		if ((kind != 'S' && excluded(r, name)) || (kind == 'S' && identity_sequence(r, res, i)))
			continue;
		if (kind == 'S' && val(res, i, R_OWNER) && excluded(r, val(res, i, R_OWNER)))
			continue;   /* the serial sequence of an excluded table */
		rl->obj = r->out->nobjects;
		fw_schema_add(r->out, rel_type(kind), name, NULL);
	}
	if (r->nrel > 1)
		qsort(r->relv, r->nrel, sizeof(*r->relv), rel_cmp);
	if (r->nid)
		qsort(r->idv, r->nid, sizeof(*r->idv), ident_cmp);
	return 0;
}

/* ---- columns ---- */

/* " (options)" of the sequence of identity column col of table, those
 * that differ from the defaults; nothing when none does */
static void identity_options(struct pgr *r, const char *table, const char *col,
			     struct strbuf *out)
{
	struct ident_seq key = { (char *)table, (char *)col, 0 }, *hit;
	hit = r->nid ? bsearch(&key, r->idv, r->nid, sizeof(*r->idv), ident_cmp) : NULL;
	if (hit)
		seq_options(r->rels, hit->row, 1, out);
}

static void column_line(struct pgr *r, const struct db_result *res, int i, struct fw_column *c,
			struct strbuf *line)
{
	const char *def = val(res, i, C_DEFAULT), *ident = val(res, i, C_IDENTITY);
	const char *gen = val(res, i, C_GENERATED), *coll = val(res, i, C_COLLATION);
	strbuf_addf(line, "%s %s", val(res, i, C_QNAME), c->type);
	if (coll) {
		strbuf_addf(line, " COLLATE %s", coll);
		c->collation = xstrdup(coll);
	}
	if (gen && *gen == 's') {
		strbuf_addf(line, " GENERATED ALWAYS AS (%s) STORED", def ? def : "");
		c->generated = xstrdup(def ? def : "");
		c->generated_stored = 1;
	} else if (ident && *ident) {
		struct strbuf opts = STRBUF_INIT;
		const char *mode = *ident == 'a' ? "ALWAYS" : "BY DEFAULT";
		identity_options(r, val(res, i, C_REL), c->name, &opts);
		strbuf_addf(line, " GENERATED %s AS IDENTITY%s", mode, opts.buf);
		c->identity = xmalloc(strlen(mode) + opts.len + 1);
		strcpy(c->identity, mode);
		strcat(c->identity, opts.buf);
		strbuf_release(&opts);
	} else if (def) {
		strbuf_addf(line, " DEFAULT %s", def);
		c->default_expr = xstrdup(def);
	}
	if (c->not_null)
		strbuf_addstr(line, " NOT NULL");
}

/* columns of tables and views (those of composite types: read_types); each
 * relation's rows are contiguous, ordered by position */
static int read_columns(struct pgr *r, struct fw_error *err)
{
	struct db_result *res;
	if (query_f(r, col_sql, r->version >= 120000 ? "a.attgenerated" : "''", &r->cols, err) < 0)
		return -1;
	res = r->cols;
	for (int i = 0; i < res->nrows; i++) {
		struct rel *rl = find_rel(r, val(res, i, C_REL));
		struct fw_object *o = rel_object(r, val(res, i, C_REL));
		struct fw_column *c;
		if (!o)
			continue;
		if (rl->col_first < 0)
			rl->col_first = i;
		rl->col_count++;
		c = fw_object_add_column(o, val(res, i, C_NAME), val(res, i, C_TYPE));
		c->not_null = is_t(val(res, i, C_NOTNULL));
		if (val(res, i, C_COMMENT))
			c->comment = xstrdup(val(res, i, C_COMMENT));
	}
	return 0;
}

/* COMMENT ON COLUMN for each column of a relation that has a comment */
static void column_comments(const struct rel *rl, const char *qname, const struct db_result *cols,
			    struct strbuf *def)
{
	for (int i = rl->col_first; i >= 0 && i < rl->col_first + rl->col_count; i++)
		comment_on(def, val(cols, i, C_COMMENT), "COLUMN %s.%s", qname, val(cols, i, C_QNAME));
}

static void table_definition(struct pgr *r, const struct db_result *rels, int ri,
			     const struct db_result *cols, struct fw_object *o)
{
	struct strbuf def = STRBUF_INIT;
	const char *qname = val(rels, ri, R_QNAME), *kind = val(rels, ri, R_KIND);
	const char *partof = val(rels, ri, R_PARTOF);
	const struct rel *rl = find_rel(r, o->name);
	size_t ncol = 0;

	strbuf_addf(&def, "CREATE %s%sTABLE %s",
		    !strcmp(val(rels, ri, R_PERSIST), "u") ? "UNLOGGED " : "",
		    *kind == 'f' ? "FOREIGN " : "", qname);
	if (partof)
		strbuf_addf(&def, " PARTITION OF %s", partof);
	strbuf_addstr(&def, " (");
	for (int i = rl->col_first; i >= 0 && i < rl->col_first + rl->col_count; i++) {
		struct strbuf line = STRBUF_INIT;
		column_line(r, cols, i, &o->columns[ncol++], &line);
		strbuf_addf(&def, "%s\n    %s", ncol > 1 ? "," : "", line.buf);
		strbuf_release(&line);
	}
	strbuf_addstr(&def, ncol ? "\n)" : ")");
	if (partof)
		strbuf_addf(&def, " %s", val(rels, ri, R_BOUND));
	if (val(rels, ri, R_INHERITS)) {
		strbuf_addstr(&def, " INHERITS (");
		json_list(val(rels, ri, R_INHERITS), &def);
		strbuf_addch(&def, ')');
	}
	if (val(rels, ri, R_PARTKEY))
		strbuf_addf(&def, " PARTITION BY %s", val(rels, ri, R_PARTKEY));
	if (val(rels, ri, R_AM))
		strbuf_addf(&def, " USING %s", val(rels, ri, R_AM));
	if (val(rels, ri, R_OPTIONS)) {
		strbuf_addstr(&def, " WITH (");
		json_list(val(rels, ri, R_OPTIONS), &def);
		strbuf_addch(&def, ')');
	}
	if (val(rels, ri, R_SERVER)) {
		strbuf_addf(&def, " SERVER %s", val(rels, ri, R_SERVER));
		if (val(rels, ri, R_FTOPTIONS)) {
			strbuf_addstr(&def, " OPTIONS (");
			json_list(val(rels, ri, R_FTOPTIONS), &def);
			strbuf_addch(&def, ')');
		}
	}
	if (val(rels, ri, R_TABLESPACE))
		strbuf_addf(&def, " TABLESPACE %s", val(rels, ri, R_TABLESPACE));
	strbuf_addch(&def, ';');
	if (is_t(val(rels, ri, R_RLS)))
		strbuf_addf(&def, "\nALTER TABLE %s ENABLE ROW LEVEL SECURITY;", qname);
	if (is_t(val(rels, ri, R_FORCE_RLS)))
		strbuf_addf(&def, "\nALTER TABLE %s FORCE ROW LEVEL SECURITY;", qname);
	if (val(rels, ri, R_REPLIDENT))
		strbuf_addf(&def, "\nALTER TABLE %s REPLICA IDENTITY %s;", qname,
			    val(rels, ri, R_REPLIDENT));
	comment_on(&def, val(rels, ri, R_COMMENT), "%sTABLE %s", *kind == 'f' ? "FOREIGN " : "",
		   qname);
	column_comments(rl, qname, cols, &def);
	grants(val(rels, ri, R_GRANTS), &def);
	set_definition(o, &def);
}

/* pg_get_viewdef's text ends in ';' and may start with a space */
static void view_body(const char *viewdef, struct strbuf *out)
{
	size_t n;
	while (*viewdef == ' ' || *viewdef == '\n')
		viewdef++;
	n = strlen(viewdef);
	while (n && (viewdef[n - 1] == ';' || viewdef[n - 1] == ' ' || viewdef[n - 1] == '\n'))
		n--;
	strbuf_add(out, viewdef, n);
}

static void view_definition(struct pgr *r, const struct db_result *rels, int ri,
			    const struct db_result *cols, struct fw_object *o)
{
	struct strbuf def = STRBUF_INIT;
	const char *qname = val(rels, ri, R_QNAME);
	int mat = val(rels, ri, R_KIND)[0] == 'm';
	strbuf_addf(&def, "CREATE %sVIEW %s", mat ? "MATERIALIZED " : "", qname);
	if (val(rels, ri, R_AM))
		strbuf_addf(&def, " USING %s", val(rels, ri, R_AM));
	if (val(rels, ri, R_OPTIONS)) {
		strbuf_addstr(&def, " WITH (");
		json_list(val(rels, ri, R_OPTIONS), &def);
		strbuf_addch(&def, ')');
	}
	if (mat && val(rels, ri, R_TABLESPACE))
		strbuf_addf(&def, " TABLESPACE %s", val(rels, ri, R_TABLESPACE));
	strbuf_addstr(&def, " AS\n");
	view_body(val(rels, ri, R_VIEWDEF) ? val(rels, ri, R_VIEWDEF) : "", &def);
	strbuf_addch(&def, ';');
	comment_on(&def, val(rels, ri, R_COMMENT), "%sVIEW %s", mat ? "MATERIALIZED " : "", qname);
	column_comments(find_rel(r, o->name), qname, cols, &def);
	grants(val(rels, ri, R_GRANTS), &def);
	set_definition(o, &def);
}

static void relation_definitions(struct pgr *r)
{
	const struct db_result *cols = r->cols;
	const struct db_result *rels = r->rels;
	for (int i = 0; i < rels->nrows; i++) {
		struct fw_object *o = rel_object(r, val(rels, i, R_NAME));
		if (!o)
			continue;
		switch (val(rels, i, R_KIND)[0]) {
		case 'S':
			add_sequence(rels, i, o);
			break;
		case 'v':
		case 'm':
			view_definition(r, rels, i, cols, o);
			break;
		default:
			table_definition(r, rels, i, cols, o);
			break;
		}
	}
}

/* ---- constraints, indexes, triggers, policies ---- */

static const char *fk_action(const char *code)
{
	switch (code ? *code : 'a') {
	case 'r': return "RESTRICT";
	case 'c': return "CASCADE";
	case 'n': return "SET NULL";
	case 'd': return "SET DEFAULT";
	default: return NULL;   /* a: NO ACTION */
	}
}

static enum fw_con_kind con_kind(char c)
{
	switch (c) {
	case 'p': return FW_CON_PRIMARY_KEY;
	case 'u': return FW_CON_UNIQUE;
	case 'f': return FW_CON_FOREIGN_KEY;
	case 'x': return FW_CON_EXCLUSION;
	default: return FW_CON_CHECK;
	}
}

static void fill_constraint(const struct db_result *res, int i, struct fw_constraint *c)
{
	json_strings(val(res, i, K_COLUMNS), &c->columns);
	c->definition = xstrdup(val(res, i, K_DEF));
	if (val(res, i, K_CHECK))
		c->expression = xstrdup(val(res, i, K_CHECK));
	else if (c->kind == FW_CON_EXCLUSION)
		c->expression = xstrdup(val(res, i, K_DEF));
	if (c->kind == FW_CON_FOREIGN_KEY) {
		c->ref_table = xstrdup(val(res, i, K_REFTABLE));
		json_strings(val(res, i, K_REFCOLUMNS), &c->ref_columns);
		fw_set_str(&c->on_delete, fk_action(val(res, i, K_ONDELETE)));
		fw_set_str(&c->on_update, fk_action(val(res, i, K_ONUPDATE)));
	}
}

static void table_constraint(struct pgr *r, const struct db_result *res, int i)
{
	struct strbuf def = STRBUF_INIT;
	struct fw_object *o = fw_schema_add(r->out, FW_OBJ_CONSTRAINT, val(res, i, K_NAME),
					    val(res, i, K_REL));
	struct fw_constraint *c = fw_object_add_constraint(o, con_kind(val(res, i, K_TYPE)[0]),
							   val(res, i, K_NAME));
	fill_constraint(res, i, c);
	strbuf_addf(&def, "ALTER TABLE %s ADD CONSTRAINT %s %s;", val(res, i, K_QREL),
		    val(res, i, K_QNAME), val(res, i, K_DEF));
	comment_on(&def, val(res, i, K_COMMENT), "CONSTRAINT %s ON %s", val(res, i, K_QNAME),
		   val(res, i, K_QREL));
	set_definition(o, &def);
}

/* constraints of tables become objects; those of domains are kept in
 * domain_cons for read_types */
static int read_constraints(struct pgr *r, struct fw_error *err)
{
	if (query(r, con_sql, &r->cons, err) < 0)
		return -1;
	for (int i = 0; i < r->cons->nrows; i++)
		if (rel_object(r, val(r->cons, i, K_REL)))
			table_constraint(r, r->cons, i);
	return 0;
}

static void index_row(struct pgr *r, const struct db_result *res, int i)
{
	struct strbuf def = STRBUF_INIT;
	struct fw_object *o;
	struct fw_index *ix;
	if (!rel_object(r, val(res, i, I_TABLE)))
		return;
	o = fw_schema_add(r->out, FW_OBJ_INDEX, val(res, i, I_NAME), val(res, i, I_TABLE));
	ix = fw_object_set_index(o);
	ix->unique = is_t(val(res, i, I_UNIQUE));
	ix->valid = is_t(val(res, i, I_VALID));
	ix->method = xstrdup(val(res, i, I_METHOD));
	json_strings(val(res, i, I_COLUMNS), &ix->columns);
	json_strings(val(res, i, I_INCLUDE), &ix->include);
	if (val(res, i, I_PREDICATE))
		ix->predicate = xstrdup(val(res, i, I_PREDICATE));
	strbuf_addstr(&def, val(res, i, I_DEF));
	if (val(res, i, I_TABLESPACE))
		strbuf_addf(&def, " TABLESPACE %s", val(res, i, I_TABLESPACE));
	strbuf_addch(&def, ';');
	if (is_t(val(res, i, I_CLUSTERED)))
		strbuf_addf(&def, "\nALTER TABLE %s CLUSTER ON %s;", val(res, i, I_QTABLE),
			    val(res, i, I_QNAME));
	if (!ix->valid)
		strbuf_addstr(&def, "\n-- INVALID: a failed CREATE INDEX CONCURRENTLY; "
			      "drop it and create it again");
	comment_on(&def, val(res, i, I_COMMENT), "INDEX %s", val(res, i, I_QNAME));
	set_definition(o, &def);
}

static void trigger_row(struct pgr *r, const struct db_result *res, int i)
{
	struct strbuf def = STRBUF_INIT;
	const char *enabled = val(res, i, T_ENABLED);
	struct fw_object *o;
	if (!rel_object(r, val(res, i, T_TABLE)))
		return;
	o = fw_schema_add(r->out, FW_OBJ_TRIGGER, val(res, i, T_NAME), val(res, i, T_TABLE));
	strbuf_addf(&def, "%s;", val(res, i, T_DEF));
	if (enabled && *enabled != 'O')
		strbuf_addf(&def, "\nALTER TABLE %s %s TRIGGER %s;", val(res, i, T_QTABLE),
			    *enabled == 'D' ? "DISABLE" : *enabled == 'R' ? "ENABLE REPLICA"
									 : "ENABLE ALWAYS",
			    val(res, i, T_QNAME));
	if (enabled)
		fw_attrs_set(&o->attrs, "enabled", enabled);
	comment_on(&def, val(res, i, T_COMMENT), "TRIGGER %s ON %s", val(res, i, T_QNAME),
		   val(res, i, T_QTABLE));
	set_definition(o, &def);
}

static void policy_row(struct pgr *r, const struct db_result *res, int i)
{
	static const char *const cmds[] = { "r", "SELECT", "a", "INSERT", "w", "UPDATE", "d",
					    "DELETE", NULL };
	struct strbuf def = STRBUF_INIT;
	const char *cmd = "ALL";
	struct fw_object *o;
	if (!rel_object(r, val(res, i, P_TABLE)))
		return;
	for (int k = 0; cmds[k]; k += 2)
		if (!strcmp(val(res, i, P_CMD), cmds[k]))
			cmd = cmds[k + 1];
	o = fw_schema_add(r->out, FW_OBJ_POLICY, val(res, i, P_NAME), val(res, i, P_TABLE));
	strbuf_addf(&def, "CREATE POLICY %s ON %s AS %s FOR %s TO %s", val(res, i, P_QNAME),
		    val(res, i, P_QTABLE),
		    is_t(val(res, i, P_PERMISSIVE)) ? "PERMISSIVE" : "RESTRICTIVE", cmd,
		    val(res, i, P_ROLES) ? val(res, i, P_ROLES) : "PUBLIC");
	if (val(res, i, P_USING))
		strbuf_addf(&def, " USING (%s)", val(res, i, P_USING));
	if (val(res, i, P_CHECK))
		strbuf_addf(&def, " WITH CHECK (%s)", val(res, i, P_CHECK));
	strbuf_addch(&def, ';');
	set_definition(o, &def);
}

/* ---- routines ---- */

/* pg_get_functiondef names the function schema-qualified always: the
 * schema's own name goes, as everywhere else in the model */
static void function_body(const char *def, const char *qschema, struct strbuf *out)
{
	static const char *const heads[] = { "CREATE OR REPLACE FUNCTION ",
					     "CREATE OR REPLACE PROCEDURE ", NULL };
	size_t n, q = strlen(qschema);
	for (int k = 0; heads[k]; k++) {
		size_t h = strlen(heads[k]);
		if (!strncmp(def, heads[k], h) && !strncmp(def + h, qschema, q) && def[h + q] == '.') {
			strbuf_add(out, def, h);
			def += h + q + 1;
			break;
		}
	}
	n = strlen(def);
	while (n && (def[n - 1] == '\n' || def[n - 1] == ' ' || def[n - 1] == ';'))
		n--;
	strbuf_add(out, def, n);
}

static void aggregate_definition(const struct db_result *res, int i, struct strbuf *def)
{
	const char *agg = val(res, i, F_AGG);
	char *sfunc = json_item(agg, 0), *stype = json_item(agg, 1), *final = json_item(agg, 2);
	char *combine = json_item(agg, 3), *init = json_item(agg, 4), *sortop = json_item(agg, 5);
	char *kind = json_item(agg, 6);
	strbuf_addf(def, "CREATE AGGREGATE %s(%s) (SFUNC = %s, STYPE = %s", val(res, i, F_QNAME),
		    val(res, i, F_ARGS), sfunc ? sfunc : "", stype ? stype : "");
	if (final)
		strbuf_addf(def, ", FINALFUNC = %s", final);
	if (combine)
		strbuf_addf(def, ", COMBINEFUNC = %s", combine);
	if (init) {
		strbuf_addstr(def, ", INITCOND = ");
		literal(init, def);
	}
	if (sortop)
		strbuf_addf(def, ", SORTOP = %s", sortop);
	if (kind && strcmp(kind, "n"))
		strbuf_addf(def, ", KIND = %s", kind);
	strbuf_addstr(def, ");");
	free(sfunc);
	free(stype);
	free(final);
	free(combine);
	free(init);
	free(sortop);
	free(kind);
}

static void routine_row(struct pgr *r, const struct db_result *res, int i)
{
	struct strbuf def = STRBUF_INIT, name = STRBUF_INIT;
	char kind = val(res, i, F_KIND)[0];
	enum fw_obj_type type = kind == 'p' ? FW_OBJ_PROCEDURE
			       : kind == 'a' ? FW_OBJ_AGGREGATE : FW_OBJ_FUNCTION;
	struct fw_object *o;
	strbuf_addf(&name, "%s(%s)", val(res, i, F_NAME), val(res, i, F_TYPES));
	o = fw_schema_add(r->out, type, name.buf, NULL);
	if (type == FW_OBJ_AGGREGATE) {
		aggregate_definition(res, i, &def);
	} else {
		function_body(val(res, i, F_DEF) ? val(res, i, F_DEF) : "", r->qschema, &def);
		strbuf_addch(&def, ';');
	}
	comment_on(&def, val(res, i, F_COMMENT), "%s %s(%s)",
		   type == FW_OBJ_PROCEDURE ? "PROCEDURE"
		   : type == FW_OBJ_AGGREGATE ? "AGGREGATE" : "FUNCTION",
		   val(res, i, F_QNAME), val(res, i, F_ARGS));
	grants(val(res, i, F_GRANTS), &def);
	set_definition(o, &def);
	strbuf_release(&name);
}

/* ---- types, domains, extensions ---- */

static void enum_definition(const struct db_result *res, int i, struct strbuf *def)
{
	struct strvec labels = STRVEC_INIT;
	json_strings(val(res, i, Y_LABELS), &labels);
	strbuf_addf(def, "CREATE TYPE %s AS ENUM (", val(res, i, Y_QNAME));
	for (size_t k = 0; k < labels.nr; k++) {
		if (k)
			strbuf_addstr(def, ", ");
		literal(labels.v[k], def);
	}
	strbuf_addstr(def, ");");
	strvec_clear(&labels);
}

/* attributes of a composite type come from the columns query */
static void composite_definition(struct fw_object *o, const struct db_result *res, int i,
				 const struct db_result *cols, struct strbuf *def)
{
	size_t n = 0;
	strbuf_addf(def, "CREATE TYPE %s AS (", val(res, i, Y_QNAME));
	for (int k = 0; k < cols->nrows; k++) {
		struct fw_column *c;
		if (strcmp(val(cols, k, C_REL), o->name))
			continue;
		c = fw_object_add_column(o, val(cols, k, C_NAME), val(cols, k, C_TYPE));
		strbuf_addf(def, "%s\n    %s %s", n++ ? "," : "", val(cols, k, C_QNAME), c->type);
		if (val(cols, k, C_COLLATION)) {
			c->collation = xstrdup(val(cols, k, C_COLLATION));
			strbuf_addf(def, " COLLATE %s", c->collation);
		}
	}
	strbuf_addstr(def, n ? "\n);" : ");");
}

static void range_definition(const struct db_result *res, int i, struct strbuf *def)
{
	const char *rng = val(res, i, Y_RANGE);
	char *sub = json_item(rng, 0), *coll = json_item(rng, 1), *canon = json_item(rng, 2);
	char *diff = json_item(rng, 3);
	strbuf_addf(def, "CREATE TYPE %s AS RANGE (SUBTYPE = %s", val(res, i, Y_QNAME),
		    sub ? sub : "");
	if (coll)
		strbuf_addf(def, ", COLLATION = %s", coll);
	if (canon)
		strbuf_addf(def, ", CANONICAL = %s", canon);
	if (diff)
		strbuf_addf(def, ", SUBTYPE_DIFF = %s", diff);
	strbuf_addstr(def, ");");
	free(sub);
	free(coll);
	free(canon);
	free(diff);
}

static void domain_definition(struct fw_object *o, const struct db_result *res, int i,
			      const struct db_result *cons, struct strbuf *def)
{
	strbuf_addf(def, "CREATE DOMAIN %s AS %s", val(res, i, Y_QNAME), val(res, i, Y_BASE));
	if (val(res, i, Y_COLLATION))
		strbuf_addf(def, " COLLATE %s", val(res, i, Y_COLLATION));
	if (val(res, i, Y_DEFAULT))
		strbuf_addf(def, " DEFAULT %s", val(res, i, Y_DEFAULT));
	if (is_t(val(res, i, Y_NOTNULL)))
		strbuf_addstr(def, " NOT NULL");
	for (int k = 0; k < cons->nrows; k++) {
		struct fw_constraint *c;
		if (!val(cons, k, K_DOMAIN) || strcmp(val(cons, k, K_DOMAIN), o->name))
			continue;
		c = fw_object_add_constraint(o, FW_CON_CHECK, val(cons, k, K_NAME));
		fill_constraint(cons, k, c);
		strbuf_addf(def, "\n    CONSTRAINT %s %s", val(cons, k, K_QNAME), c->definition);
	}
	strbuf_addch(def, ';');
	fw_attrs_set(&o->attrs, "base_type", val(res, i, Y_BASE));
}

static void type_row(struct pgr *r, const struct db_result *res, int i)
{
	struct strbuf def = STRBUF_INIT;
	char kind = val(res, i, Y_KIND)[0];
	struct fw_object *o = fw_schema_add(r->out, kind == 'd' ? FW_OBJ_DOMAIN : FW_OBJ_TYPE,
					    val(res, i, Y_NAME), NULL);
	switch (kind) {
	case 'e':
		enum_definition(res, i, &def);
		fw_attrs_set(&o->attrs, "kind", "enum");
		break;
	case 'c':
		composite_definition(o, res, i, r->cols, &def);
		fw_attrs_set(&o->attrs, "kind", "composite");
		break;
	case 'r':
		range_definition(res, i, &def);
		fw_attrs_set(&o->attrs, "kind", "range");
		break;
	default:
		domain_definition(o, res, i, r->cons, &def);
		break;
	}
	comment_on(&def, val(res, i, Y_COMMENT), "%s %s", kind == 'd' ? "DOMAIN" : "TYPE",
		   val(res, i, Y_QNAME));
	set_definition(o, &def);
}

static void extension_row(struct pgr *r, const struct db_result *res, int i)
{
	struct strbuf def = STRBUF_INIT;
	struct fw_object *o = fw_schema_add(r->out, FW_OBJ_EXTENSION, val(res, i, 0), NULL);
	strbuf_addf(&def, "CREATE EXTENSION %s VERSION ", val(res, i, 1));
	literal(val(res, i, 2), &def);
	strbuf_addch(&def, ';');
	fw_attrs_set(&o->attrs, "version", val(res, i, 2));
	set_definition(o, &def);
}

/* ---- the search_path while reading ---- */

static int set_search_path(struct db *db, const char *value, struct fw_error *err)
{
	const char *params[] = { value };
	struct db_result *res;
	int ret = db_query(db, "SELECT pg_catalog.set_config('search_path', ?, false)", 1, params,
			   &res, err);
	db_result_free(res);
	return ret;
}

typedef void (*row_fn)(struct pgr *r, const struct db_result *res, int i);

/* run sql (fill goes in its %s) and hand each row to fn */
static int each_row(struct pgr *r, const char *sql, const char *fill, row_fn fn,
		    struct fw_error *err)
{
	struct db_result *res;
	if (query_f(r, sql, fill, &res, err) < 0)
		return -1;
	for (int i = 0; i < res->nrows; i++)
		fn(r, res, i);
	db_result_free(res);
	return 0;
}

static int read_all(struct pgr *r, struct fw_error *err)
{
	if (read_relations(r, err) < 0 || read_columns(r, err) < 0)
		return -1;
	relation_definitions(r);
	return read_constraints(r, err) < 0 ||
	       each_row(r, idx_sql, "", index_row, err) < 0 ||
	       each_row(r, trg_sql, r->version >= 130000 ? "t.tgparentid = 0" : "true",
			trigger_row, err) < 0 ||
	       each_row(r, pol_sql, "", policy_row, err) < 0 ||
	       each_row(r, fun_sql, r->opts->grants ? FUN_GRANTS : "NULL", routine_row, err) < 0 ||
	       each_row(r, typ_sql, "", type_row, err) < 0 ||
	       each_row(r, ext_sql, "", extension_row, err) < 0 ? -1 : 0;
}

int db_pg_read_schema(struct db *db, const char *schema, const struct fw_schema_opts *opts,
		      struct fw_schema *out, struct fw_error *err)
{
	struct pgr r = { db, schema, opts, out, 0, NULL, NULL, 0, NULL, 0, NULL, NULL, NULL };
	struct strbuf path = STRBUF_INIT;
	struct fw_error ignored = FW_ERROR_INIT;
	struct db_result *res;
	char *saved;
	int ret;

	if (db_query(db, "SELECT current_setting('search_path'),"
		     " current_setting('server_version_num'), quote_ident(?)", 1, &schema, &res,
		     err) < 0)
		return -1;
	saved = xstrdup(db_value(res, 0, 0) ? db_value(res, 0, 0) : "");
	r.version = db_value(res, 0, 1) ? atoi(db_value(res, 0, 1)) : 0;
	strbuf_addstr(&path, db_value(res, 0, 2) ? db_value(res, 0, 2) : "");
	r.qschema = path.buf;
	db_result_free(res);
	ret = set_search_path(db, path.buf, err);
	if (ret == 0)
		ret = read_all(&r, err);
	if (set_search_path(db, saved, ret < 0 ? &ignored : err) < 0)
		ret = -1;
	fw_error_clear(&ignored);
	db_result_free(r.rels);
	db_result_free(r.cols);
	db_result_free(r.cons);
	free(r.relv);
	for (size_t i = 0; i < r.nid; i++) {
		free(r.idv[i].table);
		free(r.idv[i].column);
	}
	free(r.idv);
	free(saved);
	strbuf_release(&path);
	return ret;
}
