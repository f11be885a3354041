/* fleetway -fleet=NAME check: the pre-flight alone (connection, validate,
 * pending sets compared, dry-run scripts, code analysis, drift, rehearse,
 * changes) on every target, every finding on every target; check -changes
 * groups the targets by what their pending migrations change. migrate runs
 * the same pre-flight first (fleet_preflight, fleet-rollout.c). */
#include "cmd/fleet-cmd.h"
#include "fleet/report.h"
#include "ops/drift.h"
#include "ops/op.h"
#include "ops/preflight.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *preflight_list(unsigned pre, struct strbuf *sb)
{
	strbuf_addstr(sb, "connection");
	if (pre & FW_PRE_VALIDATE)
		strbuf_addstr(sb, ", validate");
	if (pre & FW_PRE_PENDING)
		strbuf_addstr(sb, ", pending");
	if (pre & FW_PRE_DRYRUN)
		strbuf_addstr(sb, ", dryrun");
	if (pre & FW_PRE_CODE)
		strbuf_addstr(sb, ", code");
	if (pre & FW_PRE_DRIFT)
		strbuf_addstr(sb, ", drift");
	if (pre & FW_PRE_REHEARSE)
		strbuf_addstr(sb, ", rehearse");
	if (pre & FW_PRE_CHANGES)
		strbuf_addstr(sb, ", changes");
	return sb->buf;
}

const struct fw_op *fleet_op_preflight(const struct fw_config *cfg)
{
	(void)cfg;
	return &fw_op_preflight;
}

/* each target's dry-run script is named after the run's report, so that a
 * later run (a resume) does not overwrite what an earlier report points to */
static void dryrun_path(struct fleet_cmd *fc, const char *target, struct strbuf *out)
{
	fw_report_stem(fc->report_base, out);
	strbuf_addstr(out, "-dryrun-");
	for (const char *p = target; *p; p++)
		strbuf_addch(out, (isalnum((unsigned char)*p) || strchr("._-", *p)) ? *p : '_');
	strbuf_addstr(out, ".sql");
}

struct preflight_ctx {
	struct fleet_cmd *fc;
	struct fw_preflight_args *args;   /* per member */
	char **paths;
};

static const void *preflight_args(void *ctx, struct fw_fleet_run *r, size_t idx)
{
	struct preflight_ctx *p = ctx;
	(void)r;
	return &p->args[idx];
}

static int preflight_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s, struct fw_out *out,
			  void *result, int rc, struct fw_error *err)
{
	struct fw_preflight_result *pr = result;
	struct fw_fleet_result *res = &r->res[idx];
	rc = fleet_verify_done(ctx, r, idx, s, out, result, rc, err);
	/* what it read is what the report says of it, whatever happens next */
	fw_fleet_keep_reading(res);
	res->settled = rc == 0 && pr->settled;
	if (pr->schema_shown) {
		free(res->schema_shown);
		res->schema_shown = xstrdup(pr->schema_shown);
	}
	if (pr->dryrun_file) {
		free(res->dryrun_file);
		res->dryrun_file = xstrdup(pr->dryrun_file);
	}
	for (size_t i = 0; i < pr->changes.nr; i++)
		strvec_push(&res->changes, pr->changes.v[i]);
	return rc;
}

size_t fleet_preflight(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	struct preflight_ctx p = { fc, xcalloc(fc->fleet.nr + 1, sizeof(*p.args)),
				   xcalloc(fc->fleet.nr + 1, sizeof(char *)) };
	struct fw_fleet_job job = { .op_for = fleet_op_preflight, .args_for = preflight_args, .done = preflight_done,
				    .ctx = &p, .keep = 1 };
	struct strbuf list = STRBUF_INIT;
	/* drift: targets with one history share one expected state */
	struct fw_expected_cache *expected = (fc->fleet.preflight & FW_PRE_DRIFT) ? fw_expected_cache_new() : NULL;
	size_t targets, n;
	for (size_t i = 0; i < fc->fleet.nr; i++) {
		struct strbuf path = STRBUF_INIT;
		dryrun_path(fc, fc->fleet.m[i].name, &path);
		p.paths[i] = strbuf_detach(&path, NULL);
		p.args[i].checks = fc->fleet.preflight;
		p.args[i].dryrun_path = p.paths[i];
		p.args[i].fleet = fc->fleet.name;
		p.args[i].target = fc->fleet.m[i].name;
		p.args[i].expected = expected;
		p.args[i].rehearse = i == 0;   /* the canary: members come in wave order */
	}
	fw_info(fc->out, "Pre-flight of fleet %s on %zu target%s: %s", fc->fleet.name, fc->fleet.nr,
		fc->fleet.nr == 1 ? "" : "s", preflight_list(fc->fleet.preflight, &list));
	strbuf_release(&list);
	fw_fleet_run_resolve(r);
	fw_fleet_find_shared_databases(r);
	fleet_begin_phase(fc, "pre-flight");
	fleet_run_batch(fc, r, &job, 0, fc->fleet.nr, 0);
	fleet_end_view(fc);
	if ((fc->fleet.preflight & FW_PRE_PENDING) && !fleet_interrupted())
		fw_fleet_compare_pending(r);
	n = fleet_count_findings(r, &targets);
	if (n) {
		fw_info(fc->out, "Pre-flight found %zu problem%s on %zu target%s:", n, n == 1 ? "" : "s", targets,
			targets == 1 ? "" : "s");
		fleet_print_findings(fc, r);
	} else {
		fw_info(fc->out, "Pre-flight passed on all %zu target%s", fc->fleet.nr, fc->fleet.nr == 1 ? "" : "s");
	}
	if ((fc->fleet.preflight & FW_PRE_DRYRUN) && !n) {
		struct strbuf stem = STRBUF_INIT;
		size_t written = 0;
		for (size_t i = 0; i < fc->fleet.nr; i++)
			written += r->res[i].dryrun_file != NULL;
		fw_report_stem(fc->report_base, &stem);
		if (written)
			fw_info(fc->out, "Dry-run scripts: %s-dryrun-<target>.sql (%zu target%s with migrations pending)",
				stem.buf, written, written == 1 ? "" : "s");
		strbuf_release(&stem);
	}
	for (size_t i = 0; i < fc->fleet.nr; i++)
		free(p.paths[i]);
	free(p.paths);
	free(p.args);
	fw_expected_cache_free(expected);
	return n;
}

/* check -changes on a fleet: the targets grouped by what their pending
 * migrations change, so that one look shows whether the pending set changes
 * the same objects everywhere (the tutorial's pre-deployment check) */
static void print_changes(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	char *done = xcalloc(fc->fleet.nr + 1, 1);
	for (size_t i = 0; i < fc->fleet.nr; i++) {
		struct strbuf names = STRBUF_INIT, text = STRBUF_INIT;
		size_t n = 0;
		if (done[i] || r->res[i].status != FW_TS_OK || r->res[i].error)
			continue;
		for (size_t j = i; j < fc->fleet.nr; j++) {
			if (done[j] || r->res[j].status != FW_TS_OK || r->res[j].error ||
			    !strvec_equal(&r->res[i].changes, &r->res[j].changes) ||
			    !r->res[i].pending != !r->res[j].pending)
				continue;
			done[j] = 1;
			strbuf_addf(&names, "%s%s", n++ ? ", " : "", fc->fleet.m[j].name);
		}
		if (!r->res[i].pending) {
			strbuf_addf(&text, "Nothing pending on %zu target%s (%s)\n", n, n == 1 ? "" : "s", names.buf);
		} else if (!r->res[i].changes.nr) {
			strbuf_addf(&text, "No schema changes on %zu target%s (%s): the pending migrations change data only\n",
				    n, n == 1 ? "" : "s", names.buf);
		} else {
			strbuf_addf(&text, "Changes on %zu target%s (%s): %zu object%s change%s:\n", n, n == 1 ? "" : "s",
				    names.buf, r->res[i].changes.nr, r->res[i].changes.nr == 1 ? "" : "s",
				    r->res[i].changes.nr == 1 ? "s" : "");
			for (size_t k = 0; k < r->res[i].changes.nr; k++)
				strbuf_addf(&text, "  %s\n", r->res[i].changes.v[k]);
		}
		fleet_print(fc, text.buf);
		strbuf_release(&names);
		strbuf_release(&text);
	}
	free(done);
}

int fleet_check(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	long started = fleet_wall_ms();
	size_t n, targets;
	fleet_setup_run(fc, &r);
	n = fleet_preflight(fc, &r);
	if (fc->fleet.preflight & FW_PRE_CHANGES)
		print_changes(fc, &r);
	fleet_count_findings(&r, &targets);
	fleet_write_report(fc, fleet_make_doc(&r, "check", fleet_interrupted() ? "interrupted" : n ? "findings" : "success",
					      started, NULL, -1));
	fleet_release_run(fc, &r);
	if (fleet_interrupted())
		return fleet_interrupted_error(err);
	if (n)
		return fw_errorf_exit(err, FW_EXIT_ERROR, "FLEET_PREFLIGHT", "pre-flight found %zu problem%s on %zu target%s",
				      n, n == 1 ? "" : "s", targets, targets == 1 ? "" : "s");
	return 0;
}

