/* fleetway -fleet=NAME verify: the post-flight check alone, and the
 * post-flight that ends a migrate (fleet-rollout.c): each target read back
 * (validate, pending, its schema when convergence is checked), then what
 * every target reported compared (fleet/run.c, fleet/converge.c) and said
 * in one summary. */
#include "cmd/fleet-cmd.h"
#include "fleet/converge.h"
#include "ops/op.h"
#include "ops/preflight.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- reading a target back */

/* what the post-flight needs of a target: validate (its findings) and what
 * is pending, from one reading of the history */
static const struct fw_preflight_args verify_args = { .checks = FW_PRE_VALIDATE };

int fleet_verify_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s, struct fw_out *out,
		      void *result, int rc, struct fw_error *err)
{
	struct fw_preflight_result *pr = result;
	struct fw_fleet_result *res = &r->res[idx];
	(void)ctx, (void)s, (void)out;
	if (pr->schema_shown)
		fw_fleet_take_probe(res, &pr->probe);
	for (size_t i = 0; i < pr->findings.nr; i++)
		strvec_push(&res->findings, pr->findings.v[i]);
	if (rc < 0 && !res->findings.nr)
		fw_finding_add(&res->findings, "error", err->message.buf);
	return rc;
}

void fleet_verify_reading(struct fw_fleet_run *r, size_t idx, struct fw_session *s)
{
	struct fw_preflight_result pr;
	struct fw_error err = FW_ERROR_INIT;
	if (!s->connected)
		return;
	/* the findings are those of the reading (the command's own rendering is in the log) */
	strvec_clear(&r->res[idx].findings);
	fleet_verify_done(NULL, r, idx, s, NULL, &pr, fw_run(s, &fw_op_preflight, &verify_args, &pr, &err), &err);
	fw_op_result_release(&fw_op_preflight, &pr);
	fw_error_clear(&err);
}

/* ---------------------------------------------------------------- verify */

void fleet_converge_start(struct fleet_cmd *fc)
{
	fc->converge = fw_converge_new(fc->fleet.nr);
}

void fleet_converge_read(struct fleet_cmd *fc, size_t idx, struct fw_session *s)
{
	if (fc->converge && s->connected)
		fw_converge_read(fc->converge, idx, &s->target);
}

/* the schemas read back: a target that differs from its expected state or
 * its variant gets a finding per object and, when nothing else was wrong
 * with it, the verdict FW_VD_SCHEMA; returns how many that adds */
static size_t judge_schemas(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	struct strvec warnings = STRVEC_INIT;
	size_t added = 0;
	if (!fc->converge)
		return 0;
	fw_converge_judge(fc->converge, r, &warnings);
	for (size_t i = 0; i < warnings.nr; i++)
		fw_warn(fc->out, "%s", warnings.v[i]);
	strvec_clear(&warnings);
	fw_converge_free(fc->converge);
	fc->converge = NULL;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct fw_fleet_result *res = &r->res[i];
		if (res->verdict != FW_VD_OK)
			continue;
		for (size_t k = 0; k < res->findings.nr; k++)
			if (!strncmp(res->findings.v[k], "schema: ", 8)) {
				res->verdict = FW_VD_SCHEMA;
				added++;
				break;
			}
	}
	return added;
}

static void add_count(struct strbuf *out, size_t n, const char *one, const char *many)
{
	strbuf_addf(out, "%s%zu target%s %s", out->len ? ", " : "", n, n == 1 ? "" : "s", n == 1 ? one : many);
}

/* what the targets that differ have: "6 targets have 2 pending", "1 target
 * failed validation, 2 targets have 1 pending" (most telling first) */
static void verdict_summary(struct fw_fleet_run *r, struct strbuf *out)
{
	size_t n[FW_VD_SCHEMA + 1] = { 0 };
	int most = 0;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		n[r->res[i].verdict]++;
		if (r->res[i].verdict == FW_VD_PENDING && r->res[i].pending > most)
			most = r->res[i].pending;
	}
	if (n[FW_VD_DOWN])
		add_count(out, n[FW_VD_DOWN], "did not answer", "did not answer");
	if (n[FW_VD_FAILED])
		add_count(out, n[FW_VD_FAILED], "has a failed migration", "have a failed migration");
	if (n[FW_VD_INVALID])
		add_count(out, n[FW_VD_INVALID], "failed validation", "failed validation");
	for (int k = 1; k <= most; k++) {
		size_t c = 0;
		char what[64];
		for (size_t i = 0; i < r->fleet->nr; i++)
			c += r->res[i].verdict == FW_VD_PENDING && r->res[i].pending == k;
		if (!c)
			continue;
		snprintf(what, sizeof(what), "%s %d pending", c == 1 ? "has" : "have", k);
		add_count(out, c, what, what);
	}
	if (n[FW_VD_VERSION])
		add_count(out, n[FW_VD_VERSION], "is on another version than the targets with its locations",
			  "are on another version than the targets with their locations");
	if (n[FW_VD_SCHEMA])
		add_count(out, n[FW_VD_SCHEMA], "has a schema its migrations do not make",
			  "have a schema their migrations do not make");
}

/* "4 on version 10, 1 on version 10.5" */
static void versions_held(struct fw_fleet_run *r, struct strbuf *out)
{
	struct strvec seen = STRVEC_INIT;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const char *v = fleet_vtext(r->res[i].version);
		size_t n = 0;
		if (strvec_contains(&seen, v))
			continue;
		strvec_push(&seen, v);
		for (size_t j = 0; j < r->fleet->nr; j++)
			n += !strcmp(fleet_vtext(r->res[j].version), v);
		strbuf_addf(out, "%s%zu on version %s", seen.nr > 1 ? ", " : "", n, v);
	}
	strvec_clear(&seen);
}

/* compare what every target reported (validate, pending, versions within
 * each set of locations); returns the number that differ and says in
 * *summary what they have */
size_t fleet_judge(struct fleet_cmd *fc, struct fw_fleet_run *r, char **version, struct strbuf *summary)
{
	size_t differ = fw_fleet_verify(r, version), all = fc->fleet.nr;
	const char *s = all == 1 ? "" : "s";
	int schemas = fc->converge != NULL;
	differ += judge_schemas(fc, r);
	if (differ) {
		verdict_summary(r, summary);
		fw_info(fc->out, "Verification: %s:", summary->buf);
		fleet_print_findings(fc, r);
		return differ;
	}
	/* regional variants may end on versions of their own */
	for (size_t i = 1; i < all && !summary->len; i++)
		if (strcmp(fleet_vtext(r->res[i].version), fleet_vtext(r->res[0].version))) {
			strbuf_addf(summary, "all %zu target%s validated, nothing pending or failed: ", all, s);
			versions_held(r, summary);
		}
	if (!summary->len)
		strbuf_addf(summary, "all %zu target%s on version %s, nothing pending or failed", all, s,
			    fleet_vtext(*version && **version ? *version : NULL));
	if (schemas)
		strbuf_addstr(summary, ", schemas as their migrations make them");
	fw_info(fc->out, "Verification: %s", summary->buf);
	return 0;
}

static const void *verify_args_for(void *ctx, struct fw_fleet_run *r, size_t idx)
{
	(void)ctx, (void)r, (void)idx;
	return &verify_args;
}

/* verify: the reading, then the schema read back on the same connection */
static int verify_target_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s,
			      struct fw_out *out, void *result, int rc, struct fw_error *err)
{
	rc = fleet_verify_done(NULL, r, idx, s, out, result, rc, err);
	if (rc == 0)
		fleet_converge_read(ctx, idx, s);
	return rc;
}

int fleet_verify(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_job job = { .op_for = fleet_op_preflight, .args_for = verify_args_for, .done = verify_target_done,
				    .ctx = fc };
	struct fw_fleet_run r;
	long started = fleet_wall_ms();
	char *version = NULL;
	struct strbuf summary = STRBUF_INIT;
	size_t differ;
	int ret = 0;
	fleet_setup_run(fc, &r);
	fw_fleet_run_resolve(&r);
	fleet_converge_start(fc);
	fleet_begin_phase(fc, "verify");
	fleet_run_batch(fc, &r, &job, 0, fc->fleet.nr, 0);
	fleet_end_view(fc);
	differ = fleet_judge(fc, &r, &version, &summary);
	fleet_print_errors(fc, &r);
	fleet_write_report(fc, fleet_make_doc_stage(&r, "verify", fleet_interrupted() ? "interrupted" : differ ? "differs" : "success",
						    started, version, !differ, 0, summary.buf));
	free(version);
	fleet_release_run(fc, &r);
	if (fleet_interrupted())
		ret = fleet_interrupted_error(err);
	else if (differ)
		ret = fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_DIFFERS", "fleet %s: %s", fc->fleet.name,
				     summary.buf);
	strbuf_release(&summary);
	return ret;
}
