/* fleetway info: the states of every migration (reference 5.3, 11.2) */
#include "cmd/cmd.h"
#include "ops/info.h"
#include "util/table.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "2026-01-31 12:00:01.123456" -> "2026-01-31 12:00:01" */
static void installed_on_display(const struct fw_entry *e, char *buf, size_t n)
{
	buf[0] = '\0';
	if (e->app && e->app->installed_on && *e->app->installed_on)
		snprintf(buf, n, "%.19s", e->app->installed_on);
}

/* ISO-8601 instant with milliseconds: "2026-01-31T12:00:01.123Z" */
static void installed_on_utc(const struct fw_entry *e, char *buf, size_t n)
{
	const char *s = e->app ? e->app->installed_on : NULL;
	char ms[4] = "000";
	buf[0] = '\0';
	if (!s || strlen(s) < 19)
		return;
	if (s[19] == '.')
		for (int i = 0; i < 3 && s[20 + i] >= '0' && s[20 + i] <= '9'; i++)
			ms[i] = s[20 + i];
	snprintf(buf, n, "%.10sT%.8s.%sZ", s, s + 11, ms);
}

static const char *undoable(struct fw_cmd_ctx *c, const struct fw_entry *e)
{
	if (!fw_entry_is_versioned(e) || e->state == FW_ST_DELETED || e->state == FW_ST_UNDONE)
		return "";
	if (!strcmp(fw_entry_category(e), ""))
		return "No";
	if (e->app && !e->app->success)
		return "No";
	{
		struct fw_version v = FW_VERSION_INIT;
		struct fw_error err = FW_ERROR_INIT;
		const char *ver = fw_entry_version(e);
		int found = 0;
		if (*ver && fw_version_parse(ver, 0, &v, &err) == 0)
			found = fw_scan_find_undo(&fw_cmd_target(c)->scan, &v) != NULL;
		fw_version_release(&v);
		fw_error_clear(&err);
		return found ? "Yes" : "No";
	}
}

static const char *undo_path(struct fw_cmd_ctx *c, const struct fw_entry *e)
{
	struct fw_version v = FW_VERSION_INIT;
	struct fw_error err = FW_ERROR_INIT;
	const struct fw_resolved *u = NULL;
	const char *ver = fw_entry_version(e);
	if (*ver && fw_version_parse(ver, 0, &v, &err) == 0)
		u = fw_scan_find_undo(&fw_cmd_target(c)->scan, &v);
	fw_version_release(&v);
	fw_error_clear(&err);
	return u ? u->path : "";
}

static int state_wanted(const char *filter, enum fw_state st)
{
	struct strvec wanted = STRVEC_INIT;
	int ok = 0;
	if (!filter || !*filter)
		return 1;
	strvec_split(&wanted, filter, ',');
	for (size_t i = 0; i < wanted.nr; i++)
		if (!strcasecmp(wanted.v[i], fw_state_internal(st)))
			ok = 1;
	strvec_clear(&wanted);
	return ok;
}

static int version_filter(const struct fw_entry *e, const char *since, const char *until)
{
	struct fw_version v = FW_VERSION_INIT, b = FW_VERSION_INIT;
	struct fw_error err = FW_ERROR_INIT;
	int keep = 1;
	if (!fw_entry_is_versioned(e))
		return !(until && *until); /* quirk: repeatables fail the "until" filter */
	fw_version_parse(fw_entry_version(e), 0, &v, &err);
	if (since && *since && fw_version_parse(since, 0, &b, &err) == 0 && fw_version_cmp(&v, &b) < 0)
		keep = 0;
	fw_version_release(&b);
	if (until && *until && fw_version_parse(until, 0, &b, &err) == 0 && fw_version_cmp(&v, &b) > 0)
		keep = 0;
	fw_version_release(&b);
	fw_version_release(&v);
	fw_error_clear(&err);
	return keep;
}

static int listed(struct fw_cmd_ctx *c, const struct fw_entry *e)
{
	const struct fw_config *cfg = c->cfg;
	if (e->state == FW_ST_AVAILABLE)
		return 0;
	return state_wanted(cfg->info_of_state, e->state) &&
	       version_filter(e, cfg->info_since_version, cfg->info_until_version);
}

static json_t *entry_json(struct fw_cmd_ctx *c, const struct fw_entry *e)
{
	json_t *m = json_object();
	char utc[40];
	installed_on_utc(e, utc, sizeof(utc));
	json_object_set_new(m, "category", json_string(fw_entry_category(e)));
	json_object_set_new(m, "version", json_string(fw_entry_version(e)));
	json_object_set_new(m, "rawVersion", json_string(fw_entry_version(e)));
	json_object_set_new(m, "description", json_string(fw_entry_description(e)));
	json_object_set_new(m, "type", json_string(fw_entry_type(e)));
	json_object_set_new(m, "installedOnUTC", json_string(utc));
	json_object_set_new(m, "state", json_string(fw_state_display(e->state)));
	json_object_set_new(m, "undoable", json_string(undoable(c, e)));
	json_object_set_new(m, "filepath", json_string(e->res ? e->res->path : ""));
	json_object_set_new(m, "undoFilepath", json_string(undo_path(c, e)));
	json_object_set_new(m, "installedBy", json_string(e->app ? e->app->installed_by : ""));
	json_object_set_new(m, "shouldExecuteExpression",
			    fw_json_str(e->res ? e->res->conf.should_execute : NULL));
	json_object_set_new(m, "executionTime", json_integer(e->app ? e->app->execution_time : 0));
	return m;
}

static void render_text(struct fw_cmd_ctx *c, const struct fw_plan *plan)
{
	static const char *const hdr[] = { "Category", "Version", "Description", "Type",
		"Installed On", "State", "Undoable" };
	struct fw_table tab;
	struct strbuf out = STRBUF_INIT;
	fw_table_init(&tab, 7, hdr);
	for (size_t i = 0; i < plan->nr; i++) {
		const struct fw_entry *e = &plan->entries[i];
		char on[32];
		const char *row[7];
		if (!listed(c, e))
			continue;
		installed_on_display(e, on, sizeof(on));
		row[0] = fw_entry_category(e);
		row[1] = fw_entry_version(e);
		row[2] = fw_entry_description(e);
		row[3] = fw_entry_type(e);
		row[4] = on;
		row[5] = fw_state_display(e->state);
		row[6] = undoable(c, e);
		fw_table_add_row(&tab, row);
	}
	strbuf_addf(&out, "Schema version: %s\n\n",
		    plan->current ? fw_version_str(plan->current) : "<< Empty Schema >>");
	fw_table_render(&tab, "No migrations found", &out);
	fw_cmd_print(c, out.buf);
	fw_table_release(&tab);
	strbuf_release(&out);
}

static void render_ids(struct fw_cmd_ctx *c, const struct fw_plan *plan)
{
	struct strbuf out = STRBUF_INIT;
	int first = 1;
	for (size_t i = 0; i < plan->nr; i++) {
		const struct fw_entry *e = &plan->entries[i];
		if (!listed(c, e) || !fw_state_is_applied(e->state))
			continue;
		strbuf_addf(&out, "%s%s", first ? "" : ",",
			    fw_entry_is_versioned(e) ? fw_entry_version(e) : fw_entry_description(e));
		first = 0;
	}
	strbuf_addch(&out, '\n');
	fw_out_raw(c->out, out.buf, out.len);
	strbuf_release(&out);
}

static json_t *info_json(struct fw_cmd_ctx *c, const struct fw_plan *plan, int all_empty)
{
	json_t *o = fw_cmd_result_base(c, "info");
	json_t *arr = json_array();
	struct strbuf schemas = STRBUF_INIT;
	for (size_t i = 0; i < c->cfg->schemas.nr; i++)
		strbuf_addf(&schemas, "%s%s", i ? ", " : "", c->cfg->schemas.v[i]);
	json_object_set_new(o, "schemaVersion",
			    plan->current ? json_string(fw_version_str(plan->current)) : json_null());
	json_object_set_new(o, "schemaName", json_string(schemas.buf));
	for (size_t i = 0; i < plan->nr; i++)
		if (listed(c, &plan->entries[i]))
			json_array_append_new(arr, entry_json(c, &plan->entries[i]));
	json_object_set_new(o, "migrations", arr);
	json_object_set_new(o, "allSchemasEmpty", json_boolean(all_empty));
	json_object_del(o, "warnings");
	strbuf_release(&schemas);
	return o;
}

int render_info(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_info_result *r = result;
	(void)err;
	if (rc < 0)
		return rc;
	/* only what is printed gets built: a 1000-row table or its JSON is not free */
	if (c->cfg->migration_ids)
		render_ids(c, &r->plan);
	else if (!c->out->json)
		render_text(c, &r->plan);
	if (c->out->json)
		c->result = info_json(c, &r->plan, r->all_schemas_empty);
	return 0;
}
