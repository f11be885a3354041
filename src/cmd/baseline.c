/* fleetway baseline (reference 7.4) */
#include "cmd.h"
#include "ops/migrate.h"
#include <string.h>

static const struct fw_applied *baseline_marker(const struct fw_history *h)
{
	/* Flyway looks for the marker among the first two rows */
	for (size_t i = 0; i < h->nr && i < 2; i++)
		if (!strcmp(h->rows[i].type, "BASELINE"))
			return &h->rows[i];
	return NULL;
}

static int refuse_existing(struct fw_target *t, const char *ver, const char *desc,
			   struct fw_error *err)
{
	const struct fw_applied *m = baseline_marker(&t->hist);
	if (m) {
		if (m->version_text && !strcmp(m->version_text, ver) && !strcmp(m->description, desc)) {
			fw_info(t->out, "Schema history table %s already initialized with (%s,%s). Skipping.",
				t->hist.qualified, ver, desc);
			return 1;
		}
		fw_errorf(err, "ERROR",
			  "Unable to baseline schema history table %s with (%s,%s) as it has already been baselined with (%s,%s)",
			  t->hist.qualified, ver, desc, m->version_text ? m->version_text : "", m->description);
		return -1;
	}
	for (size_t i = 0; i < t->hist.nr; i++)
		if (strcmp(t->hist.rows[i].type, "SCHEMA")) {
			fw_errorf(err, "ERROR",
				  "Unable to baseline schema history table %s with (%s,%s) as it already contains migrations",
				  t->hist.qualified, ver, desc);
			fw_error_hint(err, "baseline only works on a database without applied migrations");
			return -1;
		}
	if (t->hist.nr && !strcmp(ver, "0")) {
		return fw_errorf(err, "ERROR",
				 "Unable to baseline schema history table %s with version 0 as this version was used for schema creation",
				 t->hist.qualified);
	}
	if (!t->hist.nr)
		return fw_errorf(err, "ERROR",
				 "Unable to baseline schema history table %s with (%s,%s) as it already exists, and is empty. Delete the schema history table, and run baseline again.",
				 t->hist.qualified, ver, desc);
	return 0;
}

static int do_baseline(struct fw_target *t, int *done, struct fw_error *err)
{
	const char *ver = t->cfg->baseline_version ? t->cfg->baseline_version : "1";
	const char *desc = t->cfg->baseline_description ? t->cfg->baseline_description
						       : "<< Flyway Baseline >>";
	int created, r;
	*done = 0;
	if (fw_ensure_schemas(t, &created, err) < 0 || fw_target_load_history(t, err) < 0)
		return -1;
	if (!t->hist.exists) {
		if (fw_create_with_baseline(t, err) < 0)
			return -1;
		*done = 1;
		return 0;
	}
	r = refuse_existing(t, ver, desc, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	{
		/* only SCHEMA markers so far: add the baseline row after them */
		struct fw_history_row row;
		memset(&row, 0, sizeof(row));
		row.rank = fw_history_next_rank(&t->hist, 0);
		row.version = ver;
		row.description = desc;
		row.type = "BASELINE";
		row.script = desc;
		row.installed_by = t->installed_by;
		row.success = 1;
		if (fw_history_insert(&t->hist, &row, err) < 0)
			return -1;
		fw_info(t->out, "Successfully baselined schema with version: %s", ver);
		*done = 1;
	}
	return 0;
}

int cmd_baseline(struct fw_cmd_ctx *c, struct fw_error *err)
{
	struct fw_target *t;
	int done = 0, rc;
	json_t *o;
	if (fw_cmd_connect(c, err) < 0)
		return -1;
	t = &c->target;
	if (fw_callbacks_fire(t, "beforeBaseline", err) < 0 || fw_target_lock(t, err) < 0)
		return -1;
	rc = do_baseline(t, &done, err);
	if (fw_target_unlock(t, rc < 0 ? NULL : err) < 0)
		rc = -1;
	if (rc < 0) {
		struct fw_error e2 = FW_ERROR_INIT;
		fw_callbacks_fire(t, "afterBaselineError", &e2);
		fw_error_clear(&e2);
		return -1;
	}
	o = fw_cmd_result_base(c, "baseline");
	json_object_set_new(o, "successfullyBaselined", json_boolean(done));
	json_object_set_new(o, "baselineVersion",
			    json_string(t->cfg->baseline_version ? t->cfg->baseline_version : "1"));
	c->result = o;
	return fw_callbacks_fire(t, "afterBaseline", err);
}
