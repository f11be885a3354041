#include "ops/probe.h"
#include "engine/target.h"
#include "ops/op.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

/* what migrate would run: a file never applied, or a repeatable changed since */
static int is_pending(const struct fw_entry *e)
{
	return (e->state == FW_ST_PENDING && e->res && !e->app) || e->state == FW_ST_OUTDATED;
}

/* an applied version that no file of the target's locations has */
static int is_unknown_applied(const struct fw_entry *e)
{
	const char *type = fw_entry_type(e);
	return (e->state == FW_ST_MISSING_SUCCESS || e->state == FW_ST_FUTURE_SUCCESS) && !e->res &&
	       fw_entry_is_versioned(e) && strcmp(type, "BASELINE") && strcmp(type, "SCHEMA");
}

void fw_probe_summarize(const struct fw_plan *plan, struct fw_probe_result *res)
{
	fw_probe_result_release(res);
	res->version = plan->current ? xstrdup(fw_version_str(plan->current)) : NULL;
	for (size_t i = 0; i < plan->nr; i++) {
		const struct fw_entry *e = &plan->entries[i];
		if (fw_state_is_failed(e->state))
			res->failed++;
		if (is_unknown_applied(e))
			strvec_push(&res->applied_unknown, fw_entry_version(e));
		if (e->state == FW_ST_ABOVE_TARGET && fw_entry_is_versioned(e))
			strvec_push(&res->above_target, fw_entry_version(e));
		if (!is_pending(e))
			continue;
		res->pending++;
		if (fw_entry_is_versioned(e))
			strvec_push(&res->pending_versions, fw_entry_version(e));
	}
}

int fw_probe_plan(struct fw_target *t, struct fw_plan *plan, struct fw_error *err)
{
	int exists = 1;
	if (fw_target_schema_exists(t, t->schema, &exists, err) < 0)
		return -1;
	if (exists && fw_target_load_history(t, err) < 0)
		return -1;
	if (!exists)
		fw_history_forget(&t->hist);
	return fw_target_plan(t, plan, err);
}

static int probe_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_plan plan;
	(void)args;
	if (fw_probe_plan(t, &plan, err) < 0)
		return -1;
	fw_probe_summarize(&plan, result);
	((struct fw_probe_result *)result)->history = t->hist.exists;
	fw_plan_release(&plan);
	return 0;
}

void fw_probe_result_release(struct fw_probe_result *res)
{
	free(res->version);
	strvec_clear(&res->pending_versions);
	strvec_clear(&res->above_target);
	strvec_clear(&res->applied_unknown);
	memset(res, 0, sizeof(*res));
}

static void probe_release(void *result)
{
	fw_probe_result_release(result);
}

const struct fw_op fw_op_probe = {
	.name = "probe",
	.needs = FW_OP_DB,
	.result_size = sizeof(struct fw_probe_result),
	.run = probe_run,
	.release = probe_release,
};
