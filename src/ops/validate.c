#include "ops/validate.h"
#include "ops/op.h"
#include "engine/target.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_invalid(struct fw_validate_result *res, const struct fw_entry *e, const char *code,
			struct strbuf *msg)
{
	struct fw_invalid *iv;
	ALLOC_GROW(res->v, res->nr + 1, res->alloc);
	iv = &res->v[res->nr++];
	iv->version = xstrdup(fw_entry_version(e));
	iv->description = xstrdup(fw_entry_description(e));
	iv->filepath = xstrdup(e->res ? e->res->path : "");
	iv->code = code;
	iv->message = strbuf_detach(msg, NULL);
}

static int is_synthetic(const char *type)
{
	return !strcmp(type, "SCHEMA") || !strcmp(type, "BASELINE") || !strcmp(type, "DELETE");
}

static void mismatch(struct fw_validate_result *res, const struct fw_entry *e, const char *what,
		     const char *code, const char *applied, const char *resolved)
{
	struct strbuf m = STRBUF_INIT;
	strbuf_addf(&m, "Migration %s mismatch for migration ", what);
	if (fw_entry_is_versioned(e))
		strbuf_addf(&m, "version %s", fw_entry_version(e));
	else
		strbuf_addstr(&m, e->res->script);
	strbuf_addf(&m, "\n-> Applied to database : %s\n-> Resolved locally    : %s\n"
			"Either revert the changes to the migration, or run repair to update the schema history.",
		    applied, resolved);
	add_invalid(res, e, code, &m);
}

/* type, checksum and description of an entry with both row and file */
static int check_match(const struct fw_plan *plan, const struct fw_entry *e, int pending_ignored,
		       struct fw_validate_result *res)
{
	const struct fw_applied *a = e->app;
	const struct fw_resolved *r = e->res;
	int versioned = fw_entry_is_versioned(e);
	char buf1[32], buf2[32];
	char desc[201];
	if (!a || !r || !strcmp(a->type, "DELETE") || !strncmp(a->type, "UNDO_", 5))
		return 0;
	if (versioned && plan->applied_baseline && fw_version_cmp(&a->version, plan->applied_baseline) <= 0)
		return 0;
	if (strcmp(a->type, r->type)) {
		mismatch(res, e, "type", "TYPE_MISMATCH", a->type, r->type);
		return 1;
	}
	if (versioned || (pending_ignored && e->state != FW_ST_OUTDATED && e->state != FW_ST_SUPERSEDED)) {
		if (a->has_checksum && r->has_checksum && a->checksum != r->checksum) {
			snprintf(buf1, sizeof(buf1), "%d", (int)a->checksum);
			snprintf(buf2, sizeof(buf2), "%d", (int)r->checksum);
			mismatch(res, e, "checksum", "CHECKSUM_MISMATCH", buf1, buf2);
			return 1;
		}
	}
	snprintf(desc, sizeof(desc), "%s", r->description);
	if (strlen(r->description) > 200)
		snprintf(desc, sizeof(desc), "%.197s...", r->description);
	if (strcmp(a->description, desc)) {
		mismatch(res, e, "description", "DESCRIPTION_MISMATCH", a->description, desc);
		return 1;
	}
	return 0;
}

static void check_entry(const struct fw_plan *plan, const struct fw_entry *e,
			const struct fw_ignores *ig, int pending_ignored, int future_ignored,
			struct fw_validate_result *res)
{
	int versioned = fw_entry_is_versioned(e);
	struct strbuf m = STRBUF_INIT;
	const char *type = fw_entry_type(e);
	if (e->state == FW_ST_UNDONE || e->state == FW_ST_ABOVE_TARGET || e->state == FW_ST_DELETED ||
	    fw_ignores_match(ig, e))
		return;
	if (fw_state_is_failed(e->state) && !(e->state == FW_ST_FUTURE_FAILED && future_ignored)) {
		if (versioned)
			strbuf_addf(&m, "Detected failed migration to version %s (%s).", fw_entry_version(e),
				    fw_entry_description(e));
		else
			strbuf_addf(&m, "Detected failed repeatable migration: %s.", fw_entry_description(e));
		strbuf_addstr(&m, "\nPlease remove any half-completed changes then run repair to fix the schema history.");
		add_invalid(res, e, versioned ? "FAILED_VERSIONED_MIGRATION" : "FAILED_REPEATABLE_MIGRATION", &m);
		return;
	}
	if ((e->state == FW_ST_MISSING_SUCCESS || e->state == FW_ST_FUTURE_SUCCESS) && e->app &&
	    !is_synthetic(type)) {
		strbuf_addf(&m, "Detected applied migration not resolved locally: %s.\n"
				"If you removed this migration intentionally, run repair to mark the migration as deleted.",
			    versioned ? fw_entry_version(e) : fw_entry_description(e));
		add_invalid(res, e, versioned ? "APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED"
					      : "APPLIED_REPEATABLE_MIGRATION_NOT_RESOLVED", &m);
		return;
	}
	if (e->state == FW_ST_IGNORED && e->res && e->res->should_execute &&
	    e->res->kind != FW_FILE_BASELINE) {
		if (versioned)
			strbuf_addf(&m, "Detected resolved migration not applied to database: %s.\n"
					"To ignore this migration, set -ignoreMigrationPatterns='*:ignored'. To allow executing this migration, set -outOfOrder=true.",
				    fw_entry_version(e));
		else
			strbuf_addf(&m, "Detected resolved repeatable migration not applied to database: %s.\n"
					"To ignore this migration, set -ignoreMigrationPatterns='*:ignored'.",
				    fw_entry_description(e));
		add_invalid(res, e, versioned ? "RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED"
					      : "RESOLVED_REPEATABLE_MIGRATION_NOT_APPLIED", &m);
		return;
	}
	if (e->state == FW_ST_PENDING && !pending_ignored) {
		if (versioned)
			strbuf_addf(&m, "Detected resolved migration not applied to database: %s.", fw_entry_version(e));
		else
			strbuf_addf(&m, "Detected resolved repeatable migration not applied to database: %s.",
				    fw_entry_description(e));
		strbuf_addstr(&m, "\nTo fix this error, either run migrate, or set -ignoreMigrationPatterns='*:pending'.");
		add_invalid(res, e, versioned ? "RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED"
					      : "RESOLVED_REPEATABLE_MIGRATION_NOT_APPLIED", &m);
		return;
	}
	if (e->state == FW_ST_OUTDATED && !pending_ignored) {
		strbuf_addf(&m, "Detected outdated resolved repeatable migration that should be re-applied to database: %s.\n"
				"Run migrate to execute this migration.", fw_entry_description(e));
		add_invalid(res, e, "OUTDATED_REPEATABLE_MIGRATION", &m);
		return;
	}
	strbuf_release(&m);
	check_match(plan, e, pending_ignored, res);
}

void fw_validate_plan(const struct fw_plan *plan, const struct fw_ignores *ig,
		      struct fw_validate_result *res)
{
	int pending_ignored_v = fw_ignores_matches_state(ig, 1, FW_ST_PENDING);
	int pending_ignored_r = fw_ignores_matches_state(ig, 0, FW_ST_PENDING);
	int future_ignored = fw_ignores_matches_state(ig, 1, FW_ST_FUTURE_SUCCESS);
	for (size_t i = 0; i < plan->nr; i++) {
		const struct fw_entry *e = &plan->entries[i];
		check_entry(plan, e, ig, fw_entry_is_versioned(e) ? pending_ignored_v : pending_ignored_r,
			    future_ignored, res);
	}
	res->count = (int)plan->nr;
}

int fw_validate_target(struct fw_target *t, int ignore_pending, struct fw_validate_result *res,
		       struct fw_error *err)
{
	struct fw_ignores ig;
	struct fw_plan plan;
	long t0 = fw_now_ms();
	int exists = 1;
	memset(res, 0, sizeof(*res));
	if (fw_ignores_parse(&t->cfg->ignore_migration_patterns, &ig, err) < 0)
		return -1;
	if (ignore_pending) {
		fw_ignores_add(&ig, 0, FW_ST_PENDING);
	}
	if (fw_target_schema_exists(t, t->schema, &exists, err) < 0)
		goto fail;
	if (!exists) {
		if (t->scan.nr_migrations && !fw_ignores_matches_state(&ig, 1, FW_ST_PENDING)) {
			fw_errorf(err, "SCHEMA_DOES_NOT_EXIST", "Schema %s doesn't exist yet",
				  fw_target_shown(t, t->schema));
			fw_error_hint(err, "run migrate, which creates it (createSchemas=true)");
			goto fail;
		}
		fw_ignores_release(&ig);
		return 0;
	}
	if (fw_target_load_history(t, err) < 0 || fw_target_plan(t, &plan, err) < 0)
		goto fail;
	fw_validate_plan(&plan, &ig, res);
	fw_plan_release(&plan);
	fw_ignores_release(&ig);
	res->ms = fw_now_ms() - t0;
	return 0;
fail:
	fw_ignores_release(&ig);
	return -1;
}

int fw_validate_error(const struct fw_validate_result *res, struct fw_error *err)
{
	fw_errorf(err, "VALIDATE_ERROR", "Validate failed: Migrations have failed validation");
	for (size_t i = 0; i < res->nr; i++)
		strbuf_addf(&err->message, "\n%s", res->v[i].message);
	fw_error_hint(err, "fix the files or the history as each message says, then run validate again");
	return -1;
}

void fw_validate_result_release(struct fw_validate_result *res)
{
	for (size_t i = 0; i < res->nr; i++) {
		free(res->v[i].version);
		free(res->v[i].description);
		free(res->v[i].filepath);
		free(res->v[i].message);
	}
	free(res->v);
	memset(res, 0, sizeof(*res));
}

/* validate as a command: failed checks are the operation's failure (the
 * error callback fires), with the checks kept in the result for the JSON */
static int validate_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_validate_result *res = result;
	if (fw_validate_target(t, 0, res, err) < 0)
		return -1;
	return res->nr ? fw_validate_error(res, err) : 0;
}

static void validate_release(void *result)
{
	fw_validate_result_release(result);
}

const struct fw_op fw_op_validate = {
	.name = "validate",
	.needs = FW_OP_DB,
	.before = "beforeValidate",
	.after = "afterValidate",
	.on_error = "afterValidateError",
	.result_size = sizeof(struct fw_validate_result),
	.run = validate_run,
	.release = validate_release,
};
