#include "ops/info.h"
#include "engine/target.h"
#include "ops/op.h"

/* every managed schema missing or empty (the JSON's allSchemasEmpty) */
static int all_schemas_empty(struct fw_target *t, int *all_empty, struct fw_error *err)
{
	*all_empty = 1;
	for (size_t i = 0; i < t->schemas.nr && *all_empty; i++) {
		int exists = 0, empty = 1;
		if (db_schema_exists(t->db, t->schemas.v[i], &exists, err) < 0 ||
		    (exists && db_schema_is_empty(t->db, t->schemas.v[i], &empty, err) < 0))
			return -1;
		*all_empty = !exists || empty;
	}
	return 0;
}

static int info_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_info_result *res = result;
	int exists = 0;
	if (fw_target_schema_exists(t, t->schema, &exists, err) < 0)
		return -1;
	if (exists && fw_target_load_history(t, err) < 0)
		return -1;
	if (!exists)
		fw_history_forget(&t->hist);
	if (fw_target_plan(t, &res->plan, err) < 0)
		return -1;
	res->all_schemas_empty = 1;
	if (t->cfg->output_json && all_schemas_empty(t, &res->all_schemas_empty, err) < 0) {
		fw_plan_release(&res->plan);
		return -1;
	}
	return 0;
}

static void info_release(void *result)
{
	struct fw_info_result *res = result;
	fw_plan_release(&res->plan);
}

const struct fw_op fw_op_info = {
	.name = "info",
	.needs = FW_OP_DB,
	.before = "beforeInfo",
	.after = "afterInfo",
	.on_error = "afterInfoError",
	.result_size = sizeof(struct fw_info_result),
	.run = info_run,
	.release = info_release,
};
