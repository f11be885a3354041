/* fleetway undo (reference 7.5) */
#include "cmd/cmd.h"
#include "ops/undo.h"
#include <string.h>

static json_t *undo_json(struct fw_cmd_ctx *c, const struct fw_undo_result *r)
{
	json_t *o = fw_cmd_result_base(c, "undo");
	json_t *arr = json_array();
	for (size_t i = 0; i < r->nr; i++) {
		const struct fw_undo_item *it = &r->items[i];
		json_t *m = json_object();
		json_object_set_new(m, "version", json_string(it->version));
		json_object_set_new(m, "description", json_string(it->description));
		json_object_set_new(m, "filepath", json_string(it->filepath));
		json_object_set_new(m, "executionTime", json_integer(it->ms));
		json_array_append_new(arr, m);
	}
	json_object_set_new(o, "initialSchemaVersion", fw_json_str(r->initial_version));
	json_object_set_new(o, "targetSchemaVersion", fw_json_str(r->target_version));
	json_object_set_new(o, "schemaName", json_string(fw_cmd_target(c)->schema ? fw_cmd_target(c)->schema : ""));
	json_object_set_new(o, "undoneMigrations", arr);
	json_object_set_new(o, "migrationsUndone", json_integer((json_int_t)r->nr));
	return o;
}

int render_undo(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_target *t = fw_cmd_target(c);
	struct fw_undo_result *r = result;
	struct strbuf d = STRBUF_INIT;
	(void)err;
	if (rc < 0)
		return rc;
	fw_format_duration(r->total_ms, &d);
	if (r->nr)
		fw_info(c->out, "Successfully undid %zu migration%s to schema %s, now at version v%s (execution time %s)",
			r->nr, r->nr == 1 ? "" : "s", fw_target_shown(t, t->schema),
			r->target_version ? r->target_version : "<< Empty Schema >>", d.buf);
	c->result = undo_json(c, r);
	strbuf_release(&d);
	return 0;
}

void summary_undo(const void *result, struct strbuf *out)
{
	const struct fw_undo_result *r = result;
	if (!r->nr)
		strbuf_addstr(out, "nothing to undo");
	else
		strbuf_addf(out, "undid %zu migration%s, now at %s", r->nr, r->nr == 1 ? "" : "s",
			    r->target_version ? r->target_version : "<< Empty Schema >>");
}
