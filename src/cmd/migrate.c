/* fleetway migrate (reference 6, 11.2) */
#include "cmd/cmd.h"
#include "cmd/render.h"
#include "ops/migrate.h"
#include <string.h>

/* Flyway's databaseType: the product's name ("PostgreSQL 15.4" -> "PostgreSQL") */
static json_t *database_type(struct fw_cmd_ctx *c)
{
	const char *p;
	if (!c->session->connected)
		return json_string("");
	p = db_product(c->session->target.db);
	return json_stringn(p, strcspn(p, " "));
}

static json_t *migrate_json(struct fw_cmd_ctx *c, const struct fw_migrate_result *r, int ok)
{
	const struct fw_target *t = fw_cmd_target(c);
	json_t *o = fw_cmd_result_base(c, "migrate");
	json_t *arr = json_array(), *warn = json_array();
	long total = 0;
	json_object_set_new(o, "initialSchemaVersion", fw_json_str(r->initial_version));
	json_object_set_new(o, "targetSchemaVersion", fw_json_str(r->target_version));
	json_object_set_new(o, "schemaName", json_string(t->schema ? t->schema : ""));
	for (size_t i = 0; i < r->nr; i++) {
		const struct fw_migrate_item *it = &r->items[i];
		json_t *m = json_object();
		json_object_set_new(m, "category", json_string(it->category));
		json_object_set_new(m, "version", json_string(it->version));
		json_object_set_new(m, "description", json_string(it->description));
		json_object_set_new(m, "type", json_string(it->type));
		json_object_set_new(m, "filepath", json_string(it->filepath));
		json_object_set_new(m, "executionTime", json_integer(it->ms));
		json_array_append_new(arr, m);
		total += it->ms;
	}
	for (size_t i = 0; i < r->warnings.nr; i++)
		json_array_append_new(warn, json_string(r->warnings.v[i]));
	json_object_set_new(o, "migrations", arr);
	json_object_set_new(o, "migrationsExecuted", json_integer((json_int_t)(r->nr - (ok ? 0 : 1))));
	json_object_set_new(o, "success", json_boolean(ok));
	json_object_set_new(o, "warnings", warn);
	json_object_set_new(o, "databaseType", database_type(c));
	json_object_set_new(o, "totalMigrationTime", json_integer(total));
	return o;
}

void fw_render_up_to_date(struct fw_out *out, const char *schema_shown)
{
	fw_info(out, "Schema %s is up to date. No migration necessary.", schema_shown);
}

static void summary(struct fw_cmd_ctx *c, const struct fw_migrate_result *r)
{
	struct fw_target *t = fw_cmd_target(c);
	struct strbuf d = STRBUF_INIT;
	size_t n = r->nr;
	fw_format_duration(r->total_ms, &d);
	if (!n) {
		fw_render_up_to_date(c->out, fw_target_shown(t, t->schema));
	} else if (r->target_version || r->initial_version) {
		fw_info(c->out, "Successfully applied %zu migration%s to schema %s, now at version v%s (execution time %s)",
			n, n == 1 ? "" : "s", fw_target_shown(t, t->schema),
			r->target_version ? r->target_version : r->initial_version, d.buf);
	} else {
		fw_info(c->out, "Successfully applied %zu migration%s to schema %s (execution time %s)",
			n, n == 1 ? "" : "s", fw_target_shown(t, t->schema), d.buf);
	}
	strbuf_release(&d);
}

/* Flyway's line after a failed migration, naming it as "Migrating ..." did */
static void failure_line(struct fw_cmd_ctx *c, const struct fw_migrate_result *r)
{
	struct fw_target *t = fw_cmd_target(c);
	const struct fw_migrate_item *it = &r->items[r->nr - 1];
	struct strbuf what = STRBUF_INIT;
	fw_render_migration_phrase(&what, fw_target_shown(t, t->schema),
				   strcmp(it->category, "Repeatable") ? it->version : NULL, it->description,
				   it->transactional, it->out_of_order);
	if (r->rolled_back)
		fw_info(c->out, "Migration of %s failed! Changes successfully rolled back.", what.buf);
	else
		fw_info(c->out, "Migration of %s failed! Please restore backups and roll back database and code!",
			what.buf);
	strbuf_release(&what);
}

int render_migrate(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_migrate_result *r = result;
	int ok = rc == 0;
	(void)err;
	if (ok && !(c->cfg->dry_run_output && *c->cfg->dry_run_output))
		summary(c, r);
	else if (r->failed)
		failure_line(c, r);
	/* a stopped migrate still reports what it did (Flyway: result + error) */
	if (ok || r->nr)
		c->result = migrate_json(c, r, ok);
	return rc;
}

void summary_migrate(const void *result, struct strbuf *out)
{
	const struct fw_migrate_result *r = result;
	size_t ok = 0;
	for (size_t i = 0; i < r->nr; i++)
		ok += (size_t)r->items[i].success;
	if (!r->nr)
		strbuf_addstr(out, "up to date");
	else
		strbuf_addf(out, "applied %zu migration%s", ok, ok == 1 ? "" : "s");
}
