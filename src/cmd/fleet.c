/* fleetway -fleet=NAME <command>: one command over every target of a fleet.
 *
 *   info      one row per target (version, pending, failed, state) and how
 *             many targets sit on each version
 *   check     pre-flight only: connection, validate, pending sets compared,
 *             dry-run scripts, code analysis (-code); every finding on every
 *             target (fleet-check.c)
 *   migrate   pre-flight -> canary -> waves (parallel within a wave) -> halt
 *             on the first failure -> post-flight verification (fleet-rollout.c)
 *   verify    the post-flight check alone (fleet-verify.c)
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
#include "ops/info.h"
#include "ops/op.h"
#include "ops/probe.h"
#include "util/redact.h"
#include "util/table.h"
#include "util/xalloc.h"
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

size_t fleet_count_status(struct fw_fleet_run *r, enum fw_tstatus st)
{
	size_t n = 0;
	for (size_t i = 0; i < r->fleet->nr; i++)
		n += r->res[i].status == st;
	return n;
}

int fleet_interrupted_error(struct fw_error *err)
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
	down = fc->fleet.nr - fleet_count_status(&r, FW_TS_OK);
	add_doc(fc, fleet_make_doc(&r, "info", down ? "unreachable" : "success", started, NULL, -1));
	fleet_release_run(fc, &r);
	if (fleet_interrupted())
		return fleet_interrupted_error(err);
	if (down)
		return fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_PARTIAL",
				      "%zu of %zu targets did not answer", down, fc->fleet.nr);
	return 0;
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
	failed = fc->fleet.nr - fleet_count_status(&r, FW_TS_OK);
	fleet_write_report(fc, fleet_make_doc(&r, fc->cmd->name,
					      fleet_interrupted() ? "interrupted" : status ? "halted" : failed ? "failed" : "success",
					      started, NULL, -1));
	fleet_release_run(fc, &r);
	if (fleet_interrupted())
		return fleet_interrupted_error(err);
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
