#include "ops/preflight.h"
#include "engine/target.h"
#include "ops/check.h"
#include "ops/drift.h"
#include "ops/dryrun.h"
#include "ops/migrate.h"
#include "ops/op.h"
#include "ops/rehearse.h"
#include "ops/validate.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fw_finding_add(struct strvec *findings, const char *what, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s: ", what);
	for (const char *p = msg; *p; p++)
		strbuf_addch(&sb, *p == '\n' ? ' ' : *p);
	redact_buf(&sb);
	strvec_push_nodup(findings, strbuf_detach(&sb, NULL));
}

/* migrate would stop with "Found non-empty schema(s) ... but no schema history table" */
static int check_unmanaged(struct fw_target *t, struct fw_preflight_result *res, struct fw_error *err)
{
	if (t->hist.exists || t->cfg->baseline_on_migrate || t->cfg->skip_executing_migrations)
		return 0;
	for (size_t i = 0; i < t->schemas.nr; i++) {
		int exists = 0, empty = 1;
		struct strbuf msg = STRBUF_INIT;
		if (db_schema_exists(t->db, t->schemas.v[i], &exists, err) < 0 ||
		    (exists && db_schema_is_empty(t->db, t->schemas.v[i], &empty, err) < 0))
			return -1;
		if (empty)
			continue;
		strbuf_addf(&msg, "schema %s is not empty but has no schema history table: baseline it, or set baselineOnMigrate=true",
			    fw_target_shown(t, t->schemas.v[i]));
		fw_finding_add(&res->findings, "migrate", msg.buf);
		strbuf_release(&msg);
	}
	return 0;
}

/* check -code on what this target would run: an error stops the rollout (a
 * finding), a warning is said in the target's output */
static int code_findings(struct fw_target *t, const struct fw_plan *plan, struct fw_preflight_result *res,
			 struct fw_error *err)
{
	struct fw_lint l;
	size_t scripts;
	int ret;
	fw_lint_init(&l, t->dialect);
	ret = fw_check_code(t, plan, &l, &scripts, err);
	for (size_t i = 0; !ret && i < l.nr; i++) {
		const struct fw_lint_finding *f = &l.v[i];
		struct strbuf msg = STRBUF_INIT;
		strbuf_addf(&msg, "%s:%d: %s %s: %s", f->script, f->line, f->error ? "error" : "warning", f->code,
			    f->message);
		if (f->error)
			fw_finding_add(&res->findings, "code", msg.buf);
		else
			fw_emit_warn(t->obs, "%s", msg.buf);
		strbuf_release(&msg);
	}
	fw_lint_release(&l);
	return ret;
}

/* the rehearsal, on the canary (listing "rehearse" asks for it there) or on
 * check.rehearseEnvironment: each failed or slow migration is a finding */
static int rehearse_findings(struct fw_target *t, struct fw_preflight_result *res, struct fw_error *err)
{
	struct fw_rehearse_result rr;
	struct strvec problems = STRVEC_INIT;
	int ret = fw_rehearse(t, 1, &rr, err);
	fw_rehearse_problems(&rr, &problems);
	for (size_t i = 0; i < problems.nr; i++)
		fw_finding_add(&res->findings, "rehearse", problems.v[i]);
	if (!ret)
		fw_emit_info(t->obs, "Rehearsal on %s: %zu migration%s, %zu problem%s, rolled back", rr.where, rr.nr,
			     rr.nr == 1 ? "" : "s", rr.problems, rr.problems == 1 ? "" : "s");
	strvec_clear(&problems);
	fw_rehearse_result_release(&rr);
	return ret;
}

/* the same runnable script as migrate -dryRunOutput, under a header naming the target */
static int write_dryrun(struct fw_target *t, const struct fw_plan *plan, const struct fw_preflight_args *a,
			struct fw_preflight_result *res, struct fw_error *err)
{
	struct strbuf tmp = STRBUF_INIT;
	struct fw_migrate_result mr;
	FILE *f;
	int ret = -1;
	strbuf_addf(&tmp, "%s.tmp", a->dryrun_path);
	f = fopen(tmp.buf, "wb");
	if (!f) {
		fw_errorf(err, "ERROR", "unable to write %s: %s", a->dryrun_path, strerror(errno));
		goto out;
	}
	fprintf(f, "-- fleetway dry run: fleet '%s', target '%s'\n", a->fleet, a->target);
	fprintf(f, "-- current version: %s; %d pending migration%s; nothing of this has run\n",
		res->probe.version ? res->probe.version : "<< Empty Schema >>", res->probe.pending,
		res->probe.pending == 1 ? "" : "s");
	memset(&mr, 0, sizeof(mr));
	ret = fw_dryrun_write(t, plan, f, a->dryrun_path, &mr, err);
	fw_migrate_result_release(&mr);
	if (fclose(f) != 0 && !ret)
		ret = fw_errorf(err, "ERROR", "unable to write %s: %s", a->dryrun_path, strerror(errno));
	if (!ret && rename(tmp.buf, a->dryrun_path) < 0)
		ret = fw_errorf(err, "ERROR", "unable to write %s: %s", a->dryrun_path, strerror(errno));
	if (ret)
		remove(tmp.buf);
	else
		res->dryrun_file = xstrdup(a->dryrun_path);
out:
	strbuf_release(&tmp);
	return ret;
}

/* Applied versions that no file of the target's locations has (a hotfix
 * applied by hand), where validate did not say so already: above the latest
 * file they are "future", which validate ignores by default. */
static void hotfix_findings(const struct fw_probe_result *p, const struct strvec *reported, struct strvec *findings)
{
	struct strbuf list = STRBUF_INIT, msg = STRBUF_INIT;
	size_t n = 0;
	for (size_t i = 0; i < p->applied_unknown.nr; i++)
		if (!strvec_contains(reported, p->applied_unknown.v[i]))
			strbuf_addf(&list, "%s%s", n++ ? ", " : "", p->applied_unknown.v[i]);
	if (n) {
		strbuf_addf(&msg, "version%s %s %s applied here but none of its locations has %s (a hand-applied hotfix?): add the migration to its locations, or repair",
			    n == 1 ? "" : "s", list.buf, n == 1 ? "is" : "are", n == 1 ? "it" : "them");
		fw_finding_add(findings, "history", msg.buf);
	}
	strbuf_release(&list);
	strbuf_release(&msg);
}

/* check -drift: each object that differs from the expected state is a finding */
static int drift_findings(struct fw_target *t, const struct fw_preflight_args *a, struct fw_preflight_result *res,
			  struct fw_error *err)
{
	struct fw_drift_result dr;
	struct strvec lines = STRVEC_INIT;
	int ret;
	memset(&dr, 0, sizeof(dr));
	ret = fw_drift_run(t, a->expected, &dr, err);
	if (!ret)
		fw_diff_lines(&dr.diff, &fw_drift_words, &lines);
	for (size_t i = 0; i < lines.nr; i++)
		fw_finding_add(&res->findings, "drift", lines.v[i]);
	strvec_clear(&lines);
	fw_drift_result_release(&dr);
	return ret;
}

/* check -changes: the objects the pending migrations change, computed on a
 * scratch database beside the target (nothing of the target changes) */
static int changes_lines(struct fw_target *t, struct fw_preflight_result *res, struct fw_error *err)
{
	struct fw_changes_result cr;
	int ret;
	memset(&cr, 0, sizeof(cr));
	ret = fw_changes_run(t, &cr, err);
	if (!ret)
		fw_diff_lines(&cr.diff, &fw_changes_words, &res->changes);
	fw_changes_result_release(&cr);
	return ret;
}

static int preflight_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	const struct fw_preflight_args *a = args;
	struct fw_preflight_result *res = result;
	struct strvec reported = STRVEC_INIT;   /* versions validate found a problem with */
	struct fw_plan plan;
	int ret = 0;
	if (a->checks & FW_PRE_VALIDATE) {
		struct fw_validate_result vr;
		if (fw_validate_target(t, 1, &vr, err) < 0)
			return -1;
		for (size_t i = 0; i < vr.nr; i++) {
			fw_finding_add(&res->findings, "validate", vr.v[i].message);
			strvec_push(&reported, vr.v[i].version);
		}
		fw_validate_result_release(&vr);
		if (check_unmanaged(t, res, err) < 0) {
			strvec_clear(&reported);
			return -1;
		}
	}
	if (fw_probe_plan(t, &plan, err) < 0) {
		strvec_clear(&reported);
		return -1;
	}
	fw_probe_summarize(&plan, &res->probe);
	if (a->checks & (FW_PRE_VALIDATE | FW_PRE_PENDING))
		hotfix_findings(&res->probe, &reported, &res->findings);
	strvec_clear(&reported);
	res->probe.history = t->hist.exists;
	res->schema_shown = xstrdup(fw_target_shown(t, t->schema));
	res->settled = t->hist.exists && !res->probe.pending && !res->probe.failed && !t->scan.nr_callbacks;
	if (!(a->checks & FW_PRE_VALIDATE) && res->probe.failed)
		fw_finding_add(&res->findings, "history", "a failed migration is recorded; repair it before migrating");
	/* nothing would run: no script to write (nor to read) */
	if ((a->checks & FW_PRE_DRYRUN) && res->probe.pending && write_dryrun(t, &plan, a, res, err) < 0)
		ret = -1;
	if (!ret && (a->checks & FW_PRE_CODE) && code_findings(t, &plan, res, err) < 0)
		ret = -1;
	if (!ret && (a->checks & FW_PRE_DRIFT) && drift_findings(t, a, res, err) < 0)
		ret = -1;
	if (!ret && (a->checks & FW_PRE_REHEARSE) && a->rehearse && rehearse_findings(t, res, err) < 0)
		ret = -1;
	if (!ret && (a->checks & FW_PRE_CHANGES) && res->probe.pending && changes_lines(t, res, err) < 0)
		ret = -1;
	fw_plan_release(&plan);
	return ret;
}

static void preflight_release(void *result)
{
	struct fw_preflight_result *res = result;
	fw_probe_result_release(&res->probe);
	strvec_clear(&res->findings);
	strvec_clear(&res->changes);
	free(res->dryrun_file);
	free(res->schema_shown);
}

const struct fw_op fw_op_preflight = {
	.name = "preflight",
	.needs = FW_OP_DB,
	.result_size = sizeof(struct fw_preflight_result),
	.run = preflight_run,
	.release = preflight_release,
};
