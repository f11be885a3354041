/* fleetway -fleet=NAME <command>: one command over every target of a fleet.
 *
 *   info      one row per target (version, pending, failed, state) and how
 *             many targets sit on each version
 *   check     pre-flight only: connection, validate, pending sets compared,
 *             dry-run scripts, code analysis (-code); every finding on every
 *             target
 *   migrate   pre-flight -> canary -> waves (parallel within a wave) -> halt
 *             on the first failure -> post-flight verification (fleet-rollout.c)
 *   verify    the post-flight check alone
 *   plan      the waves as a CI pipeline (fleet-plan.c)
 *   validate, repair, baseline, undo, clean
 *             the command itself on every target, through the same operation
 *             and renderer as alone; the ones that write go canary first, then
 *             wave by wave, and stop at the first failure; clean only with
 *             cleanDisabled=false on every target and -confirmClean=NAME
 *
 * Exit status: 0 success, 1 pre-flight findings (nothing changed), 2 bad
 * configuration, 4 some targets failed or differ, 130 interrupted. */
#include "cmd/fleet-cmd.h"
#include "cmd/render.h"
#include "fleet/converge.h"
#include "fleet/report.h"
#include "ops/drift.h"
#include "ops/info.h"
#include "ops/op.h"
#include "ops/preflight.h"
#include "ops/probe.h"
#include "util/redact.h"
#include "util/table.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- shared pieces */

const char *fleet_vtext(const char *v)
{
	return v ? v : "<< Empty Schema >>";
}

/* what a target's state reads as in info and the report: only what was read from it */
static const char *state_of(const struct fw_fleet_result *res)
{
	if (res->status == FW_TS_NOT_STARTED || res->status == FW_TS_WAITING)
		return "not checked";
	if (res->status != FW_TS_OK)
		return res->reachable ? "error" : "unreachable";
	if (res->failed)
		return "failed migration";
	if (res->pending)
		return "pending";
	return "up to date";
}

size_t fleet_count_findings(struct fw_fleet_run *r, size_t *targets)
{
	size_t n = 0;
	*targets = 0;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		n += r->res[i].findings.nr;
		*targets += r->res[i].findings.nr > 0;
	}
	return n;
}

void fleet_print_findings(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	static const char *const hdr[] = { "Target", "Finding" };
	struct fw_table tab;
	struct strbuf out = STRBUF_INIT;
	fw_table_init(&tab, 2, hdr);
	for (size_t i = 0; i < r->fleet->nr; i++)
		for (size_t j = 0; j < r->res[i].findings.nr; j++) {
			const char *row[2] = { fc->fleet.m[i].name, r->res[i].findings.v[j] };
			fw_table_add_row(&tab, row);
		}
	if (fw_table_rows(&tab)) {
		fw_table_render(&tab, "", &out);
		fleet_print(fc, out.buf);
	}
	fw_table_release(&tab);
	strbuf_release(&out);
}

/* "3 targets on version 5, 1 target on version 4, 1 target not answering" */
static void version_summary(struct fw_fleet_run *r, struct strbuf *out)
{
	struct strvec seen = STRVEC_INIT;
	size_t down = 0;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const char *v = fleet_vtext(r->res[i].version);
		size_t n = 0;
		if (r->res[i].status != FW_TS_OK || !r->res[i].known) {
			down++;
			continue;
		}
		if (strvec_contains(&seen, v))
			continue;
		strvec_push(&seen, v);
		for (size_t j = 0; j < r->fleet->nr; j++)
			n += r->res[j].status == FW_TS_OK && r->res[j].known && !strcmp(fleet_vtext(r->res[j].version), v);
		strbuf_addf(out, "%s%zu target%s on version %s", seen.nr > 1 ? ", " : "", n, n == 1 ? "" : "s", v);
	}
	if (down)
		strbuf_addf(out, "%s%zu target%s not answering", seen.nr ? ", " : "", down, down == 1 ? "" : "s");
	strvec_clear(&seen);
}

/* the command's document, for -outputType=json (takes the reference) */
static void add_doc(struct fleet_cmd *fc, json_t *doc)
{
	if (fc->doc)
		json_decref(fc->doc);
	fc->doc = doc;
}

void fleet_write_report(struct fleet_cmd *fc, json_t *doc)
{
	struct fw_error err = FW_ERROR_INIT;
	char *jp = NULL, *hp = NULL;
	if (fw_report_write(fc->report_base, doc, &jp, &hp, &err) < 0) {
		/* the rollout goes on; the run fails at its end (see report_failure) */
		if (!fw_error_is_set(&fc->report_err))
			fw_error_move(&fc->report_err, &err);
		fw_error_clear(&err);
	} else {
		fw_info(fc->out, "Report: %s (and %s)", hp, jp);
	}
	free(jp);
	free(hp);
	add_doc(fc, doc);
}

/* An audit report that could not be written fails the run: the command's
 * own error, if any, keeps its status and the report's is printed beside it. */
static int report_failure(struct fleet_cmd *fc, int ret, struct fw_error *err)
{
	if (!fw_error_is_set(&fc->report_err))
		return ret;
	if (ret < 0) {
		fw_out_error(fc->out, &fc->report_err);
		fw_error_clear(&fc->report_err);
		return ret;
	}
	fw_error_move(err, &fc->report_err);
	err->exit_code = FW_EXIT_ERROR;
	return -1;
}

json_t *fleet_make_doc(struct fw_fleet_run *r, const char *command, const char *outcome, long started,
		       const char *version, int verify)
{
	return fleet_make_doc_stage(r, command, outcome, started, version, verify, 0, NULL);
}

json_t *fleet_make_doc_stage(struct fw_fleet_run *r, const char *command, const char *outcome, long started,
			     const char *version, int verify, int preflight_only, const char *verify_summary)
{
	struct fw_report_info info;
	memset(&info, 0, sizeof(info));
	info.command = command;
	info.preflight_only = preflight_only;
	info.verify_summary = verify_summary;
	info.outcome = outcome;
	info.started_ms = started;
	info.finished_ms = fleet_wall_ms();
	info.fleet_version = version;
	info.verify = verify;
	return fw_report_json(r, &info);
}

void fleet_print_errors(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	struct fw_out err_out = *fc->out;
	/* on a terminal the view stood in for the workers' lines: show what went wrong */
	if (!fc->live)
		return;
	err_out.out = fc->out->err;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		const char *p = r->res[i].error;
		while (p && *p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			strbuf_addf(&sb, "[%s] ", fc->fleet.m[i].name);
			strbuf_add(&sb, p, n);
			strbuf_addch(&sb, '\n');
			p += n + (nl ? 1 : 0);
		}
		if (sb.len)
			fw_out_raw(&err_out, sb.buf, sb.len);
		strbuf_release(&sb);
	}
}

static size_t count_status(struct fw_fleet_run *r, enum fw_tstatus st)
{
	size_t n = 0;
	for (size_t i = 0; i < r->fleet->nr; i++)
		n += r->res[i].status == st;
	return n;
}

static int interrupted_error(struct fw_error *err)
{
	return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
}

/* ---------------------------------------------------------------- reading a target back */

/* the version and pending set, read on the target's own connection */
static void read_back(struct fw_fleet_run *r, size_t idx, struct fw_session *s)
{
	struct fw_probe_result p;
	struct fw_error err = FW_ERROR_INIT;
	if (!s->connected)
		return;
	if (fw_run(s, &fw_op_probe, NULL, &p, &err) == 0)
		fw_fleet_take_probe(&r->res[idx], &p);
	fw_op_result_release(&fw_op_probe, &p);
	fw_error_clear(&err);
}

/* what the post-flight needs of a target: validate (its findings) and what
 * is pending, from one reading of the history */
static const struct fw_preflight_args verify_args = { .checks = FW_PRE_VALIDATE };

static int verify_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s, struct fw_out *out,
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
	verify_done(NULL, r, idx, s, NULL, &pr, fw_run(s, &fw_op_preflight, &verify_args, &pr, &err), &err);
	fw_op_result_release(&fw_op_preflight, &pr);
	fw_error_clear(&err);
}

/* the command's own rendering into the target's log, its JSON and a summary line */
void fleet_render_on_target(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t idx, struct fw_session *s,
			    struct fw_out *out, void *result, int *rc, struct fw_error *err)
{
	struct fw_fleet_result *res = &r->res[idx];
	struct fw_cmd_ctx c;
	memset(&c, 0, sizeof(c));
	c.settings = fc->s;
	c.cfg = r->cfg[idx];
	c.out = out;
	c.session = s;
	c.command = fc->cmd->name;
	*rc = fc->cmd->render(&c, result, *rc, err);
	res->result = c.result;
	if (*rc == 0 && fc->cmd->summary_line) {
		struct strbuf sb = STRBUF_INIT;
		fc->cmd->summary_line(result, &sb);
		res->summary = strbuf_detach(&sb, NULL);
	}
}

int fleet_command_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s,
		       struct fw_out *out, void *result, int rc, struct fw_error *err)
{
	fleet_render_on_target(ctx, r, idx, s, out, result, &rc, err);
	read_back(r, idx, s);
	if (rc == 0)
		fleet_converge_read(ctx, idx, s);
	return rc;
}

/* ---------------------------------------------------------------- info */

static const struct fw_op *op_info(const struct fw_config *cfg)
{
	(void)cfg;
	return &fw_op_info;
}

static int info_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s, struct fw_out *out,
		     void *result, int rc, struct fw_error *err)
{
	struct fw_info_result *info = result;
	struct fw_probe_result p;
	(void)ctx, (void)s, (void)out, (void)err;
	if (rc < 0)
		return rc;
	memset(&p, 0, sizeof(p));
	fw_probe_summarize(&info->plan, &p);
	fw_fleet_take_probe(&r->res[idx], &p);
	fw_probe_result_release(&p);
	return 0;
}

static void info_table(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	static const char *const hdr[] = { "Target", "Wave", "Version", "Pending", "Failed", "State" };
	struct fw_table tab;
	struct strbuf out = STRBUF_INIT, sum = STRBUF_INIT;
	fw_table_init(&tab, 6, hdr);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const struct fw_fleet_result *res = &r->res[i];
		char pending[16], failed[16];
		const char *row[6];
		int answered = res->status == FW_TS_OK && res->known;
		snprintf(pending, sizeof(pending), "%d", res->pending);
		snprintf(failed, sizeof(failed), "%d", res->failed);
		row[0] = fc->fleet.m[i].name;
		row[1] = fc->fleet.waves[fc->fleet.m[i].wave].name;
		row[2] = answered ? fleet_vtext(res->version) : "";
		row[3] = answered ? pending : "";
		row[4] = answered ? failed : "";
		row[5] = state_of(res);
		fw_table_add_row(&tab, row);
	}
	strbuf_addf(&out, "Fleet %s: %zu target%s in %zu wave%s\n\n", fc->fleet.name, fc->fleet.nr,
		    fc->fleet.nr == 1 ? "" : "s", fc->fleet.nr_waves, fc->fleet.nr_waves == 1 ? "" : "s");
	fw_table_render(&tab, "No targets", &out);
	version_summary(r, &sum);
	strbuf_addf(&out, "Versions: %s\n", sum.buf);
	fleet_print(fc, out.buf);
	fw_table_release(&tab);
	strbuf_release(&out);
	strbuf_release(&sum);
}

int fleet_info(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_job job = { .op_for = op_info, .done = info_done, .ctx = fc };
	struct fw_fleet_run r;
	long started = fleet_wall_ms();
	size_t down;
	fleet_setup_run(fc, &r);
	fw_fleet_run_resolve(&r);
	fleet_begin_phase(fc, "info");
	fleet_run_batch(fc, &r, &job, 0, fc->fleet.nr, 0);
	fleet_end_view(fc);
	fleet_print_errors(fc, &r);
	info_table(fc, &r);
	down = fc->fleet.nr - count_status(&r, FW_TS_OK);
	add_doc(fc, fleet_make_doc(&r, "info", down ? "unreachable" : "success", started, NULL, -1));
	fleet_release_run(fc, &r);
	if (fleet_interrupted())
		return interrupted_error(err);
	if (down)
		return fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_PARTIAL",
				      "%zu of %zu targets did not answer", down, fc->fleet.nr);
	return 0;
}

/* ---------------------------------------------------------------- check (pre-flight) */

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

static const struct fw_op *op_preflight(const struct fw_config *cfg)
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
	rc = verify_done(ctx, r, idx, s, out, result, rc, err);
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
	struct fw_fleet_job job = { .op_for = op_preflight, .args_for = preflight_args, .done = preflight_done,
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
		return interrupted_error(err);
	if (n)
		return fw_errorf_exit(err, FW_EXIT_ERROR, "FLEET_PREFLIGHT", "pre-flight found %zu problem%s on %zu target%s",
				      n, n == 1 ? "" : "s", targets, targets == 1 ? "" : "s");
	return 0;
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
	rc = verify_done(NULL, r, idx, s, out, result, rc, err);
	if (rc == 0)
		fleet_converge_read(ctx, idx, s);
	return rc;
}

int fleet_verify(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_job job = { .op_for = op_preflight, .args_for = verify_args_for, .done = verify_target_done,
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
		ret = interrupted_error(err);
	else if (differ)
		ret = fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_DIFFERS", "fleet %s: %s", fc->fleet.name,
				     summary.buf);
	strbuf_release(&summary);
	return ret;
}

/* ---------------------------------------------------------------- any other command */

static int succeeded(const struct fw_fleet_result *res)
{
	return res->status == FW_TS_OK;
}

static void command_row(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t i, struct strvec *cells)
{
	const struct fw_fleet_result *res = &r->res[i];
	struct strbuf ms = STRBUF_INIT;
	const char *first_line = res->error ? res->error : "";
	if (res->status != FW_TS_NOT_STARTED && res->status != FW_TS_WAITING)
		fw_format_duration(res->ms, &ms);
	strvec_push(cells, fc->fleet.m[i].name);
	strvec_push(cells, fc->fleet.waves[fc->fleet.m[i].wave].name);
	strvec_push(cells, fw_report_status(res, fc->cmd->name, 0));
	strvec_push(cells, res->known ? fleet_vtext(res->version) : "");
	if (res->summary) {
		strvec_push(cells, res->summary);
	} else {
		/* the first line of the error, without its "ERROR: " */
		if (!strncmp(first_line, "ERROR: ", 7))
			first_line += 7;
		strvec_push_nodup(cells, xstrndup(first_line, strcspn(first_line, "\n")));
	}
	strvec_push(cells, ms.buf);
	strbuf_release(&ms);
}

static int refuse_fleet_clean(struct fleet_cmd *fc, struct fw_fleet_run *r, struct fw_error *err)
{
	struct strbuf names = STRBUF_INIT;
	size_t disabled = 0;
	const char *confirm = fc->base->confirm_clean;
	for (size_t i = 0; i < fc->fleet.nr; i++)
		if (!r->cfg[i] || r->cfg[i]->clean_disabled) {
			strbuf_addf(&names, "%s%s", disabled++ ? ", " : "", fc->fleet.m[i].name);
		}
	if (disabled) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR",
			       "clean on fleet %s refused: cleanDisabled is not false on %zu target%s: %s", fc->fleet.name,
			       disabled, disabled == 1 ? "" : "s", names.buf);
		fw_error_hint(err, "nothing was changed; set cleanDisabled = false in each target's environment to allow it");
		strbuf_release(&names);
		return -1;
	}
	strbuf_release(&names);
	if (!confirm || strcmp(confirm, fc->fleet.name)) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR",
			       "clean on fleet %s drops every object on all %zu target%s: confirm with -confirmClean=%s",
			       fc->fleet.name, fc->fleet.nr, fc->fleet.nr == 1 ? "" : "s", fc->fleet.name);
		fw_error_hint(err, "nothing was changed");
		return -1;
	}
	return 0;
}

int fleet_command(struct fleet_cmd *fc, struct fw_error *err)
{
	static const char *const hdr[] = { "Target", "Wave", "Status", "Version", "Result", "Time" };
	const struct fw_op *op = fc->cmd->op(fc->base);
	struct fw_fleet_job job = { .op_for = fc->cmd->op, .done = fleet_command_done, .ctx = fc,
				    .halting = (op->needs & FW_OP_WRITES) != 0,
				    .writes = (op->needs & FW_OP_WRITES) != 0 };
	struct fw_fleet_run r;
	long started = fleet_wall_ms();
	size_t failed, config_failed;
	int status = 0;
	fleet_setup_run(fc, &r);
	config_failed = fw_fleet_run_resolve(&r);
	if (op == &fw_op_clean && refuse_fleet_clean(fc, &r, err) < 0) {
		fleet_release_run(fc, &r);
		return -1;
	}
	if (job.halting && config_failed) {
		/* a write starts nowhere while some target cannot even be configured */
		fleet_print_findings(fc, &r);
		fleet_release_run(fc, &r);
		return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "%zu target%s of fleet %s could not be configured; nothing was changed",
				      config_failed, config_failed == 1 ? "" : "s", fc->fleet.name);
	}
	if (job.halting) {
		status = fleet_roll_out(fc, &r, &job, 0, NULL, NULL);
	} else {
		fleet_begin_phase(fc, fc->cmd->name);
		fleet_run_batch(fc, &r, &job, 0, fc->fleet.nr, 0);
		fleet_end_view(fc);
	}
	fleet_print_errors(fc, &r);
	fleet_outcome_table(fc, &r, hdr, 6, command_row, succeeded, "ok");
	failed = fc->fleet.nr - count_status(&r, FW_TS_OK);
	fleet_write_report(fc, fleet_make_doc(&r, fc->cmd->name,
					      fleet_interrupted() ? "interrupted" : status ? "halted" : failed ? "failed" : "success",
					      started, NULL, -1));
	fleet_release_run(fc, &r);
	if (fleet_interrupted())
		return interrupted_error(err);
	if (failed)
		return fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_PARTIAL", "%s failed on %zu of %zu targets",
				      fc->cmd->name, failed, fc->fleet.nr);
	return 0;
}

/* ---------------------------------------------------------------- entry */

static int report_base(struct fleet_cmd *fc)
{
	const struct toml_value *root = fw_settings_root(fc->s);
	const char *wd = fc->base->working_directory ? fc->base->working_directory : ".";
	struct strbuf sb = STRBUF_INIT;
	/* Flyway's default "report" belongs to check; a fleet's audit has its own name */
	if (root && toml_get_path(root, "flyway.reportFilename") && fc->base->report_filename)
		strbuf_addstr(&sb, fc->base->report_filename);
	else
		strbuf_addf(&sb, "%s/fleet-report", wd);
	fc->report_base = strbuf_detach(&sb, NULL);
	/* its folder, so that reports and dry-run scripts have somewhere to go */
	{
		char *dir = xstrdup(fc->report_base), *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			for (char *p = dir + 1; *p; p++)
				if (*p == '/') {
					*p = '\0';
					mkdir(dir, 0777);
					*p = '/';
				}
			mkdir(dir, 0777);
		}
		free(dir);
	}
	return 0;
}

static int load(struct fleet_cmd *fc, struct fw_error *err)
{
	char *name = xstrdup(fc->base->fleet), *colon = strchr(name, ':');
	int ret;
	if (colon)
		*colon = '\0';
	ret = fw_fleet_load(fc->s, name, fc->base->working_directory, &fc->fleet, err);
	if (!ret && colon && colon[1])
		ret = fw_fleet_select(&fc->fleet, colon + 1, err);
	free(name);
	if (ret < 0)
		return -1;
	for (size_t i = 0; i < fc->fleet.warnings.nr; i++)
		fw_warn(fc->out, "%s", fc->fleet.warnings.v[i]);
	return 0;
}

struct fleet_cmd *fw_fleet_open(const struct fw_settings *s, struct fw_config *base, struct fw_out *out,
				struct fw_error *err)
{
	struct fleet_cmd *fc = xcalloc(1, sizeof(*fc));
	fc->report_err = (struct fw_error)FW_ERROR_INIT;
	fc->s = s;
	fc->base = base;
	fc->out = out;
	fc->json = base->output_json;
	if (fw_settings_refuse_shared_credentials(s, err) < 0 || load(fc, err) < 0) {
		fw_fleet_close(fc);
		return NULL;
	}
	/* `-fleet=X check -code` / `-dryrun` / `-drift` / `-changes` / `-rehearse`: the analysis joins the pre-flight */
	if (strvec_contains(&base->command_flags, "code"))
		fc->fleet.preflight |= FW_PRE_CODE;
	if (strvec_contains(&base->command_flags, "drift"))
		fc->fleet.preflight |= FW_PRE_DRIFT;
	if (strvec_contains(&base->command_flags, "changes"))
		fc->fleet.preflight |= FW_PRE_CHANGES;
	if (strvec_contains(&base->command_flags, "dryrun"))
		fc->fleet.preflight |= FW_PRE_DRYRUN;
	if (strvec_contains(&base->command_flags, "rehearse"))
		fc->fleet.preflight |= FW_PRE_REHEARSE;
	fc->live = !fc->json && !out->quiet && isatty(fileno(out->out)) &&
		   !(base->color && !strcasecmp(base->color, "never"));
	report_base(fc);
	fleet_catch_signals();
	return fc;
}

int fw_fleet_cmd_run(struct fleet_cmd *fc, const struct fw_command *cmd, json_t **doc, struct fw_error *err)
{
	int rc;
	fc->cmd = cmd;
	rc = cmd->fleet ? cmd->fleet(fc, err) : fleet_command(fc, err);
	rc = report_failure(fc, rc, err);
	*doc = fc->doc;
	fc->doc = NULL;
	return rc;
}

void fw_fleet_close(struct fleet_cmd *fc)
{
	if (!fc)
		return;
	if (fc->report_base)
		fleet_release_signals();
	if (fc->doc)
		json_decref(fc->doc);
	fw_converge_free(fc->converge);
	fw_error_clear(&fc->report_err);
	if (fc->gates)
		json_decref(fc->gates);
	free(fc->report_base);
	fw_fleet_release(&fc->fleet);
	free(fc);
}

void fleet_release_run(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	size_t scans, copies;
	fw_scan_cache_counts(r->scans, &scans, &copies);
	fw_debug(fc->out, "fleet %s: the locations were scanned %zu time%s for %zu target%s", fc->fleet.name, scans,
		 scans == 1 ? "" : "s", scans + copies, scans + copies == 1 ? "" : "s");
	fw_fleet_run_release(r);
}

void fleet_setup_run(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	fw_fleet_run_init(r, fc->s, &fc->fleet);
	r->quiet = fc->out->quiet;
	r->debug = fc->out->debug;
	r->json = fc->json;
	r->render = fw_render_event;
	fleet_view_setup(fc, r);
}
