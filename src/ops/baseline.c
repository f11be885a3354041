/* baseline (reference 7.4): start the history of an existing database at
 * baselineVersion */
#include "ops/baseline.h"
#include "engine/target.h"
#include "ops/migrate.h"
#include "ops/op.h"
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
			fw_emit_info(t->obs, "Schema history table %s already initialized with (%s,%s). Skipping.",
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

static int baseline_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_baseline_result *res = result;
	int *done = &res->baselined;
	const char *ver = t->cfg->baseline_version ? t->cfg->baseline_version : "1";
	const char *desc = t->cfg->baseline_description ? t->cfg->baseline_description
						       : "<< Flyway Baseline >>";
	int created, r;
	res->version = ver;
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
		struct fw_event ev = { .kind = FW_EV_BASELINED, .version = ver };
		fw_emit(t->obs, &ev);
		*done = 1;
	}
	return 0;
}

const struct fw_op fw_op_baseline = {
	.name = "baseline",
	.needs = FW_OP_DB | FW_OP_LOCK | FW_OP_WRITES,
	.before = "beforeBaseline",
	.after = "afterBaseline",
	.on_error = "afterBaselineError",
	.result_size = sizeof(struct fw_baseline_result),
	.run = baseline_run,
};
