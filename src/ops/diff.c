/* diff and diffText (diff.h) */
#include "ops/diff.h"
#include "ops/op.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

static int precheck(const struct fw_config *cfg, struct fw_error *err)
{
	struct fw_side s;
	const char *keys[] = { "diff.source", "diff.target", NULL };
	for (int i = 0; keys[i]; i++) {
		if (fw_side_parse(keys[i], fw_config_setting(cfg, keys[i]), &s, err) < 0)
			return -1;
		fw_side_release(&s);
	}
	return 0;
}

/* an environment side is the build server when none is named */
static const char *environment_side(const struct fw_side *a, const struct fw_side *b)
{
	if (a->kind == FW_SIDE_ENVIRONMENT)
		return a->arg;
	return b->kind == FW_SIDE_ENVIRONMENT ? b->arg : NULL;
}

static int same_dialect(const struct fw_artifact *a, struct fw_error *err)
{
	const char *s = a->src.model.dialect, *t = a->tgt.model.dialect;
	if (!s || !t || !strcmp(s, t))
		return 0;
	fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "diff compares %s (%s) with %s (%s)", a->source, s,
		       a->target, t);
	fw_error_hint(err, "compare two sides of the same kind of database");
	return -1;
}

/* read both sides: one that is empty takes the other's dialect and schemas */
static int read_sides(struct fw_compare *c, const struct fw_side *src, const struct fw_side *tgt,
		      struct fw_artifact *a, struct fw_error *err)
{
	if (src->kind == FW_SIDE_EMPTY)
		return fw_side_read(c, tgt, NULL, &a->tgt, err) < 0 ? -1 : fw_side_read(c, src, &a->tgt, &a->src, err);
	if (fw_side_read(c, src, NULL, &a->src, err) < 0)
		return -1;
	return fw_side_read(c, tgt, &a->src, &a->tgt, err);
}

static int diff_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_diff_result *r = result;
	struct fw_side src, tgt;
	struct fw_compare c;
	const char *build = fw_config_setting(t->cfg, "diff.buildEnvironment");
	static const char *const without_effect[] = { "schemaModelSchemas", "diff.rebuild", "diff.snapshotSchemas",
						      "diff.includeFlywayObjects", NULL };
	int ret = -1;
	(void)args;
	fw_warn_keys_without_effect(t->cfg, t->obs, without_effect);
	if (fw_side_parse("diff.source", fw_config_setting(t->cfg, "diff.source"), &src, err) < 0)
		return -1;
	if (fw_side_parse("diff.target", fw_config_setting(t->cfg, "diff.target"), &tgt, err) < 0) {
		fw_side_release(&src);
		return -1;
	}
	fw_compare_init(&c, t->cfg, t->obs, build ? build : environment_side(&src, &tgt));
	if (fw_config_setting(t->cfg, "diff.buildVersion"))
		c.build_version = xstrdup(fw_config_setting(t->cfg, "diff.buildVersion"));
	fw_config_setting_list(t->cfg, "diff.buildCherryPick", &c.build_cherry_pick);
	c.model_may_be_missing = tgt.kind == FW_SIDE_SCHEMA_MODEL;
	r->a.source = xstrdup(src.spec);
	r->a.target = xstrdup(tgt.spec);
	r->a.build_env = build ? xstrdup(build) : NULL;
	r->a.build_version = c.build_version ? xstrdup(c.build_version) : NULL;
	strvec_copy(&r->a.build_cherry_pick, &c.build_cherry_pick);
	r->artifact_path = fw_artifact_path(t->cfg, "diff");
	if (read_sides(&c, &src, &tgt, &r->a, err) == 0 && same_dialect(&r->a, err) == 0) {
		fw_artifact_changes(&r->a);
		ret = fw_artifact_write(&r->a, r->artifact_path, err);
	}
	fw_compare_close(&c);
	fw_side_release(&src);
	fw_side_release(&tgt);
	return ret;
}

static void diff_release(void *result)
{
	struct fw_diff_result *r = result;
	fw_artifact_release(&r->a);
	free(r->artifact_path);
	strvec_clear(&r->only);
}

const struct fw_op fw_op_diff = {
	.name = "diff",
	.result_size = sizeof(struct fw_diff_result),
	.precheck = precheck,
	.run = diff_run,
	.release = diff_release,
};

/* ---- diffText ---- */

static int difftext_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_diff_result *r = result;
	(void)args;
	r->artifact_path = fw_artifact_path(t->cfg, "diffText");
	if (fw_artifact_read(r->artifact_path, &r->a, err) < 0 ||
	    fw_change_ids(t->cfg, "diffText", &r->only, err) < 0)
		return -1;
	return fw_changes_known(&r->a, &r->only, "diffText.changes", err);
}

const struct fw_op fw_op_difftext = {
	.name = "diffText",
	.result_size = sizeof(struct fw_diff_result),
	.run = difftext_run,
	.release = diff_release,
};
