/* check -code over a target's pending migrations (see check.h) */
#include "ops/check.h"
#include "engine/apply.h"

struct lint_ctx {
	struct fw_lint *l;
	const char *script;
};

static int lint_one(void *ctx, const char *sql, int line, struct fw_error *err)
{
	struct lint_ctx *c = ctx;
	(void)err;
	fw_lint_statement(c->l, c->script, line, sql);
	return 0;
}

int fw_check_code(struct fw_target *t, const struct fw_plan *plan, struct fw_lint *l,
		  size_t *scripts, struct fw_error *err)
{
	*scripts = 0;
	for (int repeatables = 0; repeatables < 2; repeatables++)
		for (size_t i = 0; i < plan->nr; i++) {
			const struct fw_entry *e = &plan->entries[i];
			struct lint_ctx ctx;
			if (!e->res || e->res->is_script || !e->res->should_execute ||
			    (e->state != FW_ST_PENDING && e->state != FW_ST_OUTDATED) ||
			    (e->res->kind == FW_FILE_REPEATABLE) != repeatables)
				continue;
			ctx.l = l;
			ctx.script = e->res->script;
			if (fw_script_statements(t, e->res, lint_one, &ctx, err) < 0)
				return -1;
			(*scripts)++;
		}
	return 0;
}
