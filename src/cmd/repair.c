/* fleetway repair (reference 7.2) */
#include "cmd.h"
#include "ops/repair.h"

static json_t *list_json(const struct fw_repair_list *l)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->nr; i++) {
		json_t *m = json_object();
		json_object_set_new(m, "version", l->v[i].version ? json_string(l->v[i].version)
								  : json_string(""));
		json_object_set_new(m, "description", json_string(l->v[i].description));
		json_object_set_new(m, "filepath", json_string(l->v[i].filepath));
		json_array_append_new(arr, m);
	}
	return arr;
}

int cmd_repair(struct fw_cmd_ctx *c, struct fw_error *err)
{
	struct fw_target *t;
	struct fw_repair_result r;
	struct strbuf d = STRBUF_INIT;
	json_t *o, *actions;
	int rc;
	if (fw_cmd_connect(c, err) < 0)
		return -1;
	t = &c->target;
	if (fw_callbacks_fire(t, "beforeRepair", err) < 0 || fw_target_lock(t, err) < 0)
		return -1;
	rc = fw_op_repair(t, &r, err);
	if (fw_target_unlock(t, rc < 0 ? NULL : err) < 0)
		rc = -1;
	if (rc < 0) {
		struct fw_error e2 = FW_ERROR_INIT;
		fw_callbacks_fire(t, "afterRepairError", &e2);
		fw_error_clear(&e2);
		fw_repair_result_release(&r);
		return -1;
	}
	actions = json_array();
	if (r.no_table) {
		fw_info(c->out, "Repair of failed migration in Schema History table %s not necessary as table doesn't exist.",
			t->hist.qualified);
	} else {
		fw_format_duration(r.ms, &d);
		fw_info(c->out, "Successfully repaired schema history table %s (execution time %s).",
			t->hist.qualified, d.buf);
		if (r.removed.nr) {
			fw_info(c->out, "Successfully removed %zu failed migration%s.", r.removed.nr,
				r.removed.nr == 1 ? "" : "s");
			json_array_append_new(actions, json_string("Removed failed migrations"));
		}
		if (r.deleted.nr) {
			fw_info(c->out, "Marked %zu missing migration%s as deleted.", r.deleted.nr,
				r.deleted.nr == 1 ? "" : "s");
			json_array_append_new(actions, json_string("Marked missing migrations as deleted"));
		}
		if (r.aligned.nr) {
			fw_info(c->out, "Aligned %zu applied migration checksum%s.", r.aligned.nr,
				r.aligned.nr == 1 ? "" : "s");
			json_array_append_new(actions, json_string("Aligned applied migration checksums"));
		}
		if (!r.removed.nr && !r.deleted.nr && !r.aligned.nr)
			fw_info(c->out, "Repair of schema history table %s not necessary. No changes were made.",
				t->hist.qualified);
	}
	strbuf_release(&d);
	o = fw_cmd_result_base(c, "repair");
	json_object_set_new(o, "repairActions", actions);
	json_object_set_new(o, "migrationsRemoved", list_json(&r.removed));
	json_object_set_new(o, "migrationsDeleted", list_json(&r.deleted));
	json_object_set_new(o, "migrationsAligned", list_json(&r.aligned));
	c->result = o;
	fw_repair_result_release(&r);
	return fw_callbacks_fire(t, "afterRepair", err);
}
