#include "engine/history.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fw_history_init(struct fw_history *h, struct db *db, const char *schema, const char *table)
{
	struct strbuf q = STRBUF_INIT;
	memset(h, 0, sizeof(*h));
	h->db = db;
	h->schema = xstrdup(schema);
	h->table = xstrdup(table);
	db_qualify(db, schema, table, &q);
	h->qualified = strbuf_detach(&q, NULL);
}

static void applied_release(struct fw_applied *a)
{
	fw_version_release(&a->version);
	free(a->version_text);
	free(a->description);
	free(a->type);
	free(a->script);
	free(a->installed_by);
	free(a->installed_on);
}

static void clear_rows(struct fw_history *h)
{
	for (size_t i = 0; i < h->nr; i++)
		applied_release(&h->rows[i]);
	h->nr = 0;
	h->current = 0;
}

void fw_history_forget(struct fw_history *h)
{
	clear_rows(h);
}

void fw_history_recheck(struct fw_history *h)
{
	long long now;
	int known = 0;
	struct fw_error err = FW_ERROR_INIT;
	if (h->current && h->counter_known &&
	    db_change_counter(h->db, h->schema, &now, &known, &err) == 0 && known &&
	    now == h->change_counter)
		return;
	fw_error_clear(&err);  /* a failing check only costs the read it would have saved */
	h->current = 0;
}

void fw_history_release(struct fw_history *h)
{
	clear_rows(h);
	free(h->rows);
	free(h->schema);
	free(h->table);
	free(h->qualified);
	memset(h, 0, sizeof(*h));
}

int fw_history_probe(struct fw_history *h, struct fw_error *err)
{
	return db_table_exists(h->db, h->schema, h->table, &h->exists, err);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int parse_bool(const char *s)
{
	/* PostgreSQL "t"/"f", MySQL/SQLite 1/0, and "true" written by other tools */
	return s && (s[0] == 't' || s[0] == 'T' || s[0] == '1' || s[0] == 'y' || s[0] == 'Y');
}

/* a NULL installed_rank (a table made by hand) reads as 0 */
static int rank_of(const struct db_result *r, int row)
{
	const char *v = db_value(r, row, 0);
	return v ? atoi(v) : 0;
}

static int row_from_result(const struct db_result *r, int i, struct fw_applied *a,
			   struct fw_error *err)
{
	const char *v;
	memset(a, 0, sizeof(*a));
	a->rank = rank_of(r, i);
	a->version_text = dup_or_null(db_value(r, i, 1));
	if (a->version_text && *a->version_text &&
	    fw_version_parse(a->version_text, 0, &a->version, err) < 0) {
		fw_error_prefix(err, "schema history row %d", a->rank);
		return -1;
	}
	a->description = xstrdup(db_value(r, i, 2) ? db_value(r, i, 2) : "");
	a->type = xstrdup(db_value(r, i, 3) ? db_value(r, i, 3) : "");
	a->script = xstrdup(db_value(r, i, 4) ? db_value(r, i, 4) : "");
	v = db_value(r, i, 5);
	if (v) {
		a->has_checksum = 1;
		a->checksum = (int32_t)strtol(v, NULL, 10);
	}
	a->installed_by = xstrdup(db_value(r, i, 6) ? db_value(r, i, 6) : "");
	a->installed_on = xstrdup(db_value(r, i, 7) ? db_value(r, i, 7) : "");
	a->execution_time = db_value(r, i, 8) ? atoi(db_value(r, i, 8)) : 0;
	a->success = parse_bool(db_value(r, i, 9));
	return 0;
}

static const char *const known_types[] = {
	"SQL", "SQL_BASELINE", "JDBC", "JDBC_BASELINE", "SCRIPT", "SCRIPT_BASELINE", "BASELINE",
	"SCHEMA", "DELETE", "UNDO_SQL", "UNDO_SCRIPT", "UNDO_JDBC", "CUSTOM", "SPRING_JDBC",
	"SQL_STATE_SCRIPT", "JDBC_STATE_SCRIPT", NULL,
};

static int check_type(const struct fw_applied *a, struct fw_error *err)
{
	for (int i = 0; known_types[i]; i++)
		if (!strcmp(a->type, known_types[i]))
			return 0;
	fw_errorf(err, "ERROR", "Unknown migration type '%s' found in schema history.", a->type);
	fw_error_detail(err, "row with installed_rank %d", a->rank);
	fw_error_hint(err, "this row was written by a tool or extension fleetway does not know");
	return -1;
}

struct row_at_rank {
	int rank;
	int row;
};

static int by_rank_then_row(const void *a, const void *b)
{
	const struct row_at_rank *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* The result's rows in installed_rank order (read order breaks ties). The
 * client sorts, not the server: a new PostgreSQL backend plans an ORDER BY
 * with cold catalog lookups (the index and operator family of the sort), which
 * cost more than the read itself. With a connection per target, that is a
 * fleet's server time. */
static struct row_at_rank *rows_by_rank(const struct db_result *r)
{
	struct row_at_rank *order = xcalloc(r->nrows ? r->nrows : 1, sizeof(*order));
	for (int i = 0; i < r->nrows; i++) {
		order[i].rank = rank_of(r, i);
		order[i].row = i;
	}
	qsort(order, r->nrows, sizeof(*order), by_rank_then_row);
	return order;
}

int fw_history_load(struct fw_history *h, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct db_result *r = NULL;
	struct row_at_rank *order = NULL;
	int ret = -1;
	clear_rows(h);
	/* taken before the read: a commit racing with it makes the counter differ later */
	if (db_change_counter(h->db, h->schema, &h->change_counter, &h->counter_known, err) < 0)
		goto out;
	strbuf_addf(&sql, "SELECT installed_rank, version, description, type, script, checksum, "
			  "installed_by, installed_on, execution_time, success FROM %s", h->qualified);
	if (db_query(h->db, sql.buf, 0, NULL, &r, err) < 0)
		goto out;
	order = rows_by_rank(r);
	for (int i = 0; i < r->nrows; i++) {
		ALLOC_GROW(h->rows, h->nr + 1, h->alloc);
		if (row_from_result(r, order[i].row, &h->rows[h->nr], err) < 0) {
			applied_release(&h->rows[h->nr]);
			goto out;
		}
		h->nr++;
		if (check_type(&h->rows[h->nr - 1], err) < 0)
			goto out;
	}
	h->exists = 1;
	h->current = 1;
	ret = 0;
out:
	free(order);
	db_result_free(r);
	strbuf_release(&sql);
	return ret;
}

int fw_history_create(struct fw_history *h, const char *tablespace, struct fw_error *err)
{
	if (db_create_history_table(h->db, h->schema, h->table, tablespace, err) < 0)
		return -1;
	h->exists = 1;
	return 0;
}

int fw_history_next_rank(const struct fw_history *h, int for_schema_marker)
{
	int max = -1;
	for (size_t i = 0; i < h->nr; i++)
		if (h->rows[i].rank > max)
			max = h->rows[i].rank;
	if (max < 0)
		return for_schema_marker ? 0 : 1;
	return max + 1;
}

void fw_history_insert_sql(const struct fw_history *h, struct strbuf *sql)
{
	static const char *const cols[] = { "installed_rank", "version", "description", "type",
		"script", "checksum", "installed_by", "execution_time", "success" };
	strbuf_addf(sql, "INSERT INTO %s (", h->qualified);
	for (int i = 0; i < 9; i++) {
		if (i)
			strbuf_addch(sql, ',');
		db_quote_ident(h->db, cols[i], sql);
	}
	strbuf_addstr(sql, ") VALUES (?,?,?,?,?,?,?,?,?)");
}

/* Flyway truncates long values: description to 197 chars + "...", script keeps
 * its last 997 characters behind "..." (reference 4.4). Counted in bytes here,
 * which equals characters for ASCII names. */
static const char *truncated(const char *s, size_t max, int keep_tail, char *buf, size_t bufsz)
{
	size_t n = strlen(s);
	if (n <= max || bufsz < max + 1)
		return s;
	if (keep_tail)
		snprintf(buf, bufsz, "...%s", s + n - (max - 3));
	else
		snprintf(buf, bufsz, "%.*s...", (int)(max - 3), s);
	return buf;
}

void fw_history_insert_params(const struct fw_history_row *row, char vals[9][32],
			      const char *params[9])
{
	static __thread char desc_buf[204], script_buf[1004];
	snprintf(vals[0], 32, "%d", row->rank);
	snprintf(vals[5], 32, "%d", (int)row->checksum);
	snprintf(vals[7], 32, "%d", row->execution_time);
	snprintf(vals[8], 32, "%d", row->success ? 1 : 0);
	params[0] = vals[0];
	params[1] = row->version;
	params[2] = truncated(row->description, 200, 0, desc_buf, sizeof(desc_buf));
	params[3] = row->type;
	params[4] = truncated(row->script, 1000, 1, script_buf, sizeof(script_buf));
	params[5] = row->has_checksum ? vals[5] : NULL;
	params[6] = row->installed_by ? row->installed_by : "";
	params[7] = vals[7];
	params[8] = vals[8];
}

/* append a row whose version is already parsed (taken over) */
static void remember_parsed(struct fw_history *h, const struct fw_history_row *row, struct fw_version *v)
{
	struct fw_applied *a;
	ALLOC_GROW(h->rows, h->nr + 1, h->alloc);
	a = &h->rows[h->nr++];
	h->current = 0;
	memset(a, 0, sizeof(*a));
	a->rank = row->rank;
	a->version_text = dup_or_null(row->version);
	a->version = *v;
	*v = (struct fw_version)FW_VERSION_INIT;
	a->description = xstrdup(row->description);
	a->type = xstrdup(row->type);
	a->script = xstrdup(row->script);
	a->has_checksum = row->has_checksum;
	a->checksum = row->checksum;
	a->installed_by = xstrdup(row->installed_by ? row->installed_by : "");
	a->installed_on = xstrdup("");
	a->execution_time = row->execution_time;
	a->success = row->success;
}

static int parse_row_version(const struct fw_history_row *row, struct fw_version *v, struct fw_error *err)
{
	*v = (struct fw_version)FW_VERSION_INIT;
	return row->version ? fw_version_parse(row->version, 0, v, err) : 0;
}

/* Rows inserted through a batch carry the version of a scanned file, which
 * parsed when the file was found; should one still not parse, the row is
 * kept without a version rather than with a half-parsed one. */
void fw_history_remember(struct fw_history *h, const struct fw_history_row *row)
{
	struct fw_version v;
	struct fw_error err = FW_ERROR_INIT;
	if (parse_row_version(row, &v, &err) < 0)
		v = (struct fw_version)FW_VERSION_INIT;
	fw_error_clear(&err);
	remember_parsed(h, row, &v);
}

/* the version is checked before anything is written: a row the history
 * could not read back is never inserted */
int fw_history_insert(struct fw_history *h, const struct fw_history_row *row, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	char vals[9][32];
	const char *params[9];
	struct db_result *r = NULL;
	struct fw_version v;
	int ret;
	if (parse_row_version(row, &v, err) < 0)
		return -1;
	fw_history_insert_sql(h, &sql);
	fw_history_insert_params(row, vals, params);
	ret = db_query(h->db, sql.buf, 9, params, &r, err);
	db_result_free(r);
	strbuf_release(&sql);
	if (ret == 0)
		remember_parsed(h, row, &v);
	fw_version_release(&v);
	return ret;
}

int fw_history_update(struct fw_history *h, int rank, const char *description, const char *type,
		      int has_checksum, int32_t checksum, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	char rk[32], ck[32];
	const char *params[4];
	struct db_result *r = NULL;
	int ret;
	snprintf(rk, sizeof(rk), "%d", rank);
	snprintf(ck, sizeof(ck), "%d", (int)checksum);
	strbuf_addf(&sql, "UPDATE %s SET ", h->qualified);
	db_quote_ident(h->db, "description", &sql);
	strbuf_addstr(&sql, "=?, ");
	db_quote_ident(h->db, "type", &sql);
	strbuf_addstr(&sql, "=?, ");
	db_quote_ident(h->db, "checksum", &sql);
	strbuf_addstr(&sql, "=? WHERE ");
	db_quote_ident(h->db, "installed_rank", &sql);
	strbuf_addstr(&sql, "=?");
	params[0] = description;
	params[1] = type;
	params[2] = has_checksum ? ck : NULL;
	params[3] = rk;
	ret = db_query(h->db, sql.buf, 4, params, &r, err);
	db_result_free(r);
	strbuf_release(&sql);
	h->current = 0;
	return ret;
}

int fw_history_delete_failed(struct fw_history *h, const struct fw_applied *row, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct db_result *r = NULL;
	const char *param;
	int ret;
	strbuf_addf(&sql, "DELETE FROM %s WHERE ", h->qualified);
	db_quote_ident(h->db, "success", &sql);
	strbuf_addf(&sql, " = %s AND ", db_bool_literal(h->db, 0));
	if (row->version_text) {
		db_quote_ident(h->db, "version", &sql);
		param = row->version_text;
	} else {
		db_quote_ident(h->db, "description", &sql);
		param = row->description;
	}
	strbuf_addstr(&sql, " = ?");
	ret = db_query(h->db, sql.buf, 1, &param, &r, err);
	db_result_free(r);
	strbuf_release(&sql);
	h->current = 0;
	return ret;
}

