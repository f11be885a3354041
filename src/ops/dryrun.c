#include "ops/dryrun.h"
#include "engine/apply.h"
#include "engine/target.h"
#include "ops/migrate.h"
#include "ops/op.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sink {
	FILE *f;
	const char *path;
};

static int put(struct sink *s, const char *text, struct fw_error *err)
{
	if (fputs(text, s->f) < 0)
		return fw_errorf(err, "ERROR", "unable to write %s: %s", s->path, strerror(errno));
	return 0;
}

static int put_stmt(void *ctx, const char *sql, int line, struct fw_error *err)
{
	struct sink *s = ctx;
	(void)line;
	if (put(s, sql, err) < 0 || put(s, ";\n", err) < 0)
		return -1;
	return 0;
}

static void add_literal(const struct fw_target *t, const char *v, int numeric, struct strbuf *out)
{
	if (numeric && v)
		strbuf_addstr(out, v);
	else
		db_quote_literal(t->db, v, out);
}

/* the history INSERT with its values written in */
static void insert_literal(const struct fw_target *t, const struct fw_history_row *row,
			   struct strbuf *out)
{
	static const int numeric[9] = { 1, 0, 0, 0, 0, 1, 0, 1, 1 };
	struct strbuf sql = STRBUF_INIT;
	char vals[9][32];
	const char *params[9];
	int k = 0;
	fw_history_insert_sql(&t->hist, &sql);
	fw_history_insert_params(row, vals, params);
	for (const char *p = sql.buf; *p; p++) {
		if (*p == '?' && k < 9) {
			/* success is a boolean column: TRUE on PostgreSQL, 1 elsewhere */
			add_literal(t, k == 8 ? db_bool_literal(t->db, row->success) : params[k],
				    numeric[k], out);
			k++;
			continue;
		}
		strbuf_addch(out, *p);
	}
	strbuf_addstr(out, ";\n");
	strbuf_release(&sql);
}

static int is_pending(const struct fw_entry *e, int repeatable)
{
	return e->state == FW_ST_PENDING && e->res && !e->app &&
	       (e->res->kind == FW_FILE_REPEATABLE) == repeatable;
}

/* what migrate would do before the first migration (reference 6.1 steps 4-5):
 * create the missing schemas, the history table, and the SCHEMA marker row */
static int schema_setup(struct fw_target *t, struct strbuf *buf, int *next_rank,
			struct fw_error *err)
{
	struct strvec created = STRVEC_INIT;
	*next_rank = fw_history_next_rank(&t->hist, 0);
	for (size_t i = 0; t->cfg->create_schemas && i < t->schemas.nr; i++) {
		int exists;
		if (db_schema_exists(t->db, t->schemas.v[i], &exists, err) < 0) {
			strvec_clear(&created);
			return -1;
		}
		if (exists)
			continue;
		db_create_schema_sql(t->db, t->schemas.v[i], buf);
		strbuf_addch(buf, '\n');
		strvec_push(&created, t->schemas.v[i]);
	}
	/* unqualified names land where migrate puts them (run by hand, too) */
	db_default_schema_sql(t->db, t->schema, buf);
	if (buf->len && buf->buf[buf->len - 1] != '\n')
		strbuf_addch(buf, '\n');
	if (!t->hist.exists) {
		db_history_table_sql(t->db, t->schema, t->hist.table, t->cfg->tablespace, buf);
		strbuf_addch(buf, '\n');
	}
	if (created.nr) {
		struct fw_history_row row;
		struct strbuf script = STRBUF_INIT;
		fw_schema_marker_row(t, &created, &script, &row);
		insert_literal(t, &row, buf);
		*next_rank = row.rank + 1;
		strbuf_release(&script);
	}
	strvec_clear(&created);
	return 0;
}

static int write_all(struct fw_target *t, const struct fw_plan *plan, struct sink *s,
		     struct fw_migrate_result *res, struct fw_error *err)
{
	struct strbuf buf = STRBUF_INIT;
	int ret = -1, next_rank;
	free(res->initial_version);
	res->initial_version = plan->current ? xstrdup(fw_version_str(plan->current)) : NULL;
	strbuf_addf(&buf, "-- fleetway dry run of migrate against schema %s\n", fw_target_shown(t, t->schema));
	if (schema_setup(t, &buf, &next_rank, err) < 0 || put(s, buf.buf, err) < 0)
		goto out;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < plan->nr; i++) {
			const struct fw_entry *e = &plan->entries[i];
			const struct fw_resolved *r = e->res;
			struct fw_history_row row;
			if (!is_pending(e, pass))
				continue;
			strbuf_reset(&buf);
			strbuf_addf(&buf, "\n-- Migration %s\n", r->script);
			if (put(s, buf.buf, err) < 0)
				goto out;
			if (r->is_script) {
				strbuf_reset(&buf);
				strbuf_addf(&buf, "-- (script %s would be run as a process)\n", r->path);
				if (put(s, buf.buf, err) < 0)
					goto out;
			} else if (fw_script_statements(t, r, put_stmt, s, err) < 0) {
				goto out;
			}
			memset(&row, 0, sizeof(row));
			row.rank = next_rank++;
			row.version = r->kind == FW_FILE_REPEATABLE ? NULL : fw_version_str(&r->version);
			row.description = r->description;
			row.type = r->type;
			row.script = r->script;
			row.has_checksum = r->has_checksum;
			row.checksum = r->checksum;
			row.installed_by = t->installed_by;
			row.success = 1;
			strbuf_reset(&buf);
			insert_literal(t, &row, &buf);
			if (put(s, buf.buf, err) < 0)
				goto out;
			if (r->kind != FW_FILE_REPEATABLE) {
				free(res->target_version);
				res->target_version = xstrdup(fw_version_str(&r->version));
			}
		}
	ret = 0;
out:
	strbuf_release(&buf);
	return ret;
}

int fw_dryrun_write(struct fw_target *t, const struct fw_plan *plan, FILE *f, const char *path,
		    struct fw_migrate_result *res, struct fw_error *err)
{
	struct sink s = { f, path };
	return write_all(t, plan, &s, res, err);
}

/* migrate -dryRunOutput=FILE: appended to, as Flyway does */
static int dryrun_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_migrate_result *res = result;
	const char *path = t->cfg->dry_run_output;
	struct fw_plan plan;
	long t0 = fw_now_ms();
	FILE *f;
	int ret;
	if (fw_target_load_history(t, err) < 0 || fw_target_plan(t, &plan, err) < 0)
		return -1;
	f = fopen(path, "a");
	if (!f) {
		fw_plan_release(&plan);
		return fw_errorf(err, "ERROR", "unable to open dryRunOutput %s: %s", path, strerror(errno));
	}
	ret = fw_dryrun_write(t, &plan, f, path, res, err);
	if (fclose(f) != 0 && ret == 0)
		ret = fw_errorf(err, "ERROR", "unable to write %s: %s", path, strerror(errno));
	fw_plan_release(&plan);
	res->total_ms = fw_now_ms() - t0;
	if (ret == 0)
		fw_emit_info(t->obs, "Dry run written to %s", path);
	return ret;
}

static void dryrun_release(void *result)
{
	fw_migrate_result_release(result);
}

/* no lock: nothing changes (and a lock file beside a SQLite database would) */
const struct fw_op fw_op_dryrun = {
	.name = "migrate",
	.needs = FW_OP_DB,
	.result_size = sizeof(struct fw_migrate_result),
	.run = dryrun_run,
	.release = dryrun_release,
};
