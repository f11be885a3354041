/* check -changes (see changes.h) */
#include "ops/changes.h"
#include "engine/target.h"
#include "ops/diff-state.h"
#include "ops/drift.h"
#include "ops/scratch.h"
#include "schema/snapshot.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

static const char *setting(const struct fw_config *cfg, const char *key)
{
	const char *v = fw_config_setting(cfg, key);
	return v && *v ? v : NULL;
}

int fw_changes_from_snapshots(const struct fw_config *cfg)
{
	return fw_snapshot_setting(cfg, "check.deployedSnapshot") && fw_snapshot_setting(cfg, "check.nextSnapshot");
}

static int from_snapshots(const struct fw_config *cfg, struct fw_changes_result *res, struct fw_error *err)
{
	char *before = fw_setting_path(cfg, "check.deployedSnapshot");
	char *after = fw_setting_path(cfg, "check.nextSnapshot");
	struct fw_model a, b;
	struct strbuf src = STRBUF_INIT;
	int rc = -1;
	if (fw_snapshot_load(before, &a, err) < 0)
		goto out;
	if (fw_snapshot_load(after, &b, err) < 0) {
		fw_model_release(&a);
		goto out;
	}
	fw_state_diff(&a, &b, &res->diff);
	strbuf_addf(&src, "the snapshots %s (deployed) and %s (next)", before, after);
	res->source = strbuf_detach(&src, NULL);
	fw_model_release(&a);
	fw_model_release(&b);
	rc = 0;
out:
	free(before);
	free(after);
	return rc;
}

/* replay what is applied, read; apply what is pending, read again */
static int before_and_after(struct fw_target *t, struct fw_scratch *s, struct fw_model *before,
			    struct fw_model *after, struct fw_changes_result *res, struct fw_error *err)
{
	struct strvec names = STRVEC_INIT;
	int rc;
	fw_expected_applied(t, &names, NULL);
	rc = fw_scratch_replay_list(s, &names, err);
	res->applied = s->replayed;
	strvec_clear(&names);
	if (rc < 0 || fw_scratch_read(s, t, before, err) < 0)
		return -1;
	if (fw_scratch_apply_pending(s, t->cfg->target, err) < 0 || fw_scratch_read(s, t, after, err) < 0) {
		fw_model_release(before);
		return -1;
	}
	return 0;
}

/* check.changesSource=schemaModel: what the schema-model folder would change
 * on the target, from the target's schema as it is to the folder's (read
 * on a scratch database beside the build server, as diff reads it) */
static int from_schema_model(struct fw_target *t, struct fw_changes_result *res, struct fw_error *err)
{
	struct fw_compare c;
	struct fw_side side;
	struct fw_side_state want;
	struct fw_model now;
	int rc;
	memset(&side, 0, sizeof(side));
	side.kind = FW_SIDE_SCHEMA_MODEL;
	if (fw_live_model(t, &now, err) < 0)
		return -1;
	fw_compare_init(&c, t->cfg, t->obs, setting(t->cfg, "check.buildEnvironment"));
	rc = fw_side_read(&c, &side, NULL, &want, err);
	if (!rc)
		fw_state_diff(&now, &want.model, &res->diff);
	fw_side_state_release(&want);
	fw_compare_close(&c);
	fw_model_release(&now);
	res->source = xstrdup("the schema model");
	return rc;
}

static int changes_source_is_model(const struct fw_config *cfg)
{
	const char *v = setting(cfg, "check.changesSource");
	return v && !strcasecmp(v, "schemaModel");
}

int fw_changes_run(struct fw_target *t, struct fw_changes_result *res, struct fw_error *err)
{
	const char *build = setting(t->cfg, "check.buildEnvironment");
	struct fw_scratch s;
	struct fw_model before, after;
	int rc;
	res->ran = 1;
	if (fw_changes_from_snapshots(t->cfg)) {
		res->from_snapshots = 1;
		return from_snapshots(t->cfg, res, err);
	}
	if (changes_source_is_model(t->cfg)) {
		res->from_model = 1;
		return from_schema_model(t, res, err);
	}
	if (fw_expected_open(t, build, &s, err) < 0)
		return -1;
	rc = before_and_after(t, &s, &before, &after, res, err);
	strvec_copy(&res->pending, &s.pending);
	fw_scratch_close(&s);
	if (build) {
		struct strbuf src = STRBUF_INIT;
		strbuf_addf(&src, "the build environment '%s'", build);
		res->source = strbuf_detach(&src, NULL);
	} else {
		res->source = xstrdup("a scratch database");
	}
	if (rc < 0)
		return -1;
	fw_state_diff(&before, &after, &res->diff);
	fw_model_release(&before);
	fw_model_release(&after);
	return 0;
}

void fw_changes_result_release(struct fw_changes_result *res)
{
	free(res->source);
	strvec_clear(&res->pending);
	fw_diff_release(&res->diff);
}
