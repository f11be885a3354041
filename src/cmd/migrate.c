/* fleetway migrate (reference 6, 11.2) */
#include "cmd.h"
#include "ops/migrate.h"
#include <string.h>

static const char *database_type(struct fw_cmd_ctx *c)
{
	switch (db_kind(c->target.db)) {
	case DB_POSTGRES: return "PostgreSQL";
	case DB_MYSQL: return strstr(db_product(c->target.db), "MariaDB") ? "MariaDB" : "MySQL";
	default: return "SQLite";
	}
}

static json_t *migrate_json(struct fw_cmd_ctx *c, const struct fw_migrate_result *r, int ok)
{
	json_t *o = fw_cmd_result_base(c, "migrate");
	json_t *arr = json_array(), *warn = json_array();
	long total = 0;
	json_object_set_new(o, "initialSchemaVersion", fw_json_str(r->initial_version));
	json_object_set_new(o, "targetSchemaVersion", fw_json_str(r->target_version));
	json_object_set_new(o, "schemaName", json_string(c->target.schema ? c->target.schema : ""));
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
	json_object_set_new(o, "databaseType", json_string(c->connected ? database_type(c) : ""));
	json_object_set_new(o, "totalMigrationTime", json_integer(total));
	return o;
}

static void summary(struct fw_cmd_ctx *c, const struct fw_migrate_result *r)
{
	struct strbuf d = STRBUF_INIT;
	size_t n = r->nr;
	fw_format_duration(r->total_ms, &d);
	if (!n) {
		fw_info(c->out, "Schema %s is up to date. No migration necessary.",
			fw_target_shown(&c->target, c->target.schema));
	} else if (r->target_version || r->initial_version) {
		fw_info(c->out, "Successfully applied %zu migration%s to schema %s, now at version v%s (execution time %s)",
			n, n == 1 ? "" : "s", fw_target_shown(&c->target, c->target.schema),
			r->target_version ? r->target_version : r->initial_version, d.buf);
	} else {
		fw_info(c->out, "Successfully applied %zu migration%s to schema %s (execution time %s)",
			n, n == 1 ? "" : "s", fw_target_shown(&c->target, c->target.schema), d.buf);
	}
	strbuf_release(&d);
}

int cmd_migrate(struct fw_cmd_ctx *c, struct fw_error *err)
{
	struct fw_migrate_result r;
	int ok;
	if (fw_cmd_connect(c, err) < 0)
		return -1;
	ok = fw_op_migrate(&c->target, &r, err) == 0;
	if (ok && !(c->cfg->dry_run_output && *c->cfg->dry_run_output))
		summary(c, &r);
	else if (r.failed && r.rolled_back)
		fw_info(c->out, "Migration of %s failed! Changes successfully rolled back.",
			r.failed_text);
	else if (r.failed)
		fw_info(c->out, "Migration of %s failed! Please restore backups and roll back database and code!",
			r.failed_text);
	/* a stopped migrate still reports what it did (Flyway: result + error) */
	if (ok || r.nr)
		c->result = migrate_json(c, &r, ok);
	fw_migrate_result_release(&r);
	return ok ? 0 : -1;
}
