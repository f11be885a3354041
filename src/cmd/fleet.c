/* fleetway -fleet=NAME <command>: one command over every target of a fleet.
 *
 *   info      one row per target (version, pending, failed, state) and how
 *             many targets sit on each version
 *   check     pre-flight only: connection, validate, pending sets compared,
 *             dry-run scripts; every finding on every target (validate is
 *             the same pre-flight)
 *   migrate   pre-flight -> canary -> waves (parallel within a wave) -> halt
 *             on the first failure -> post-flight verification
 *   verify    the post-flight check alone
 *   plan      the waves as a CI matrix (-format=github|gitlab|json)
 *
 * Exit status: 0 success, 1 pre-flight findings (nothing changed), 2 bad
 * configuration, 4 some targets failed or differ, 130 interrupted. */
#include "fleet-cmd.h"
#include "fleet/report.h"
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

static const char *vtext(const char *v)
{
	return v ? v : "<< Empty Schema >>";
}

static size_t count_findings(struct fw_fleet_run *r, size_t *targets)
{
	size_t n = 0;
	*targets = 0;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		n += r->res[i].findings.nr;
		*targets += r->res[i].findings.nr > 0;
	}
	return n;
}

static void print_findings(struct fleet_cmd *fc, struct fw_fleet_run *r)
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
		const char *v = vtext(r->res[i].version);
		size_t n = 0;
		if (r->res[i].status != FW_TS_OK) {
			down++;
			continue;
		}
		if (strvec_contains(&seen, v))
			continue;
		strvec_push(&seen, v);
		for (size_t j = 0; j < r->fleet->nr; j++)
			n += r->res[j].status == FW_TS_OK && !strcmp(vtext(r->res[j].version), v);
		strbuf_addf(out, "%s%zu target%s on version %s", seen.nr > 1 ? ", " : "", n, n == 1 ? "" : "s", v);
	}
	if (down)
		strbuf_addf(out, "%s%zu target%s not answering", seen.nr ? ", " : "", down, down == 1 ? "" : "s");
	strvec_clear(&seen);
}

/* keep a command's document for -outputType=json (takes the reference) */
static void add_doc(struct fleet_cmd *fc, json_t *doc)
{
	json_array_append_new(fc->docs, doc);
}

static void write_report(struct fleet_cmd *fc, const json_t *doc)
{
	struct fw_error err = FW_ERROR_INIT;
	char *jp = NULL, *hp = NULL;
	if (fw_report_write(fc->report_base, doc, &jp, &hp, &err) < 0) {
		/* the rollout goes on; the run fails at its end (see report_failure) */
		if (!fw_error_is_set(&fc->report_err))
			fw_error_move(&fc->report_err, &err);
		fw_error_clear(&err);
		return;
	}
	fw_info(fc->out, "Report: %s (and %s)", hp, jp);
	free(jp);
	free(hp);
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

static json_t *make_doc(struct fw_fleet_run *r, const char *command, const char *outcome, long started,
			const char *version, int verify)
{
	struct fw_report_info info;
	memset(&info, 0, sizeof(info));
	info.command = command;
	info.outcome = outcome;
	info.started_ms = started;
	info.finished_ms = fleet_wall_ms();
	info.fleet_version = version;
	info.verify = verify;
	return fw_report_json(r, &info);
}

static void print_errors(struct fleet_cmd *fc, struct fw_fleet_run *r)
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

/* ---------------------------------------------------------------- info */

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
		int answered = res->status == FW_TS_OK;
		snprintf(pending, sizeof(pending), "%d", res->pending);
		snprintf(failed, sizeof(failed), "%d", res->failed);
		row[0] = fc->fleet.m[i].name;
		row[1] = fc->fleet.waves[fc->fleet.m[i].wave].name;
		row[2] = answered ? vtext(res->version) : "";
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

static size_t count_down(struct fw_fleet_run *r)
{
	size_t down = 0;
	for (size_t i = 0; i < r->fleet->nr; i++)
		down += r->res[i].status != FW_TS_OK;
	return down;
}

static int fleet_info(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	long started = fleet_wall_ms();
	size_t down;
	fleet_setup_run(fc, &r);
	fw_fleet_run_resolve(&r);
	fleet_begin_phase(fc, "info");
	fleet_run_batch(fc, &r, FW_FOP_PROBE, 0, fc->fleet.nr, 0);
	fleet_end_view(fc);
	print_errors(fc, &r);
	info_table(fc, &r);
	down = count_down(&r);
	add_doc(fc, make_doc(&r, "info", down ? "unreachable" : "success", started, NULL, -1));
	fw_fleet_run_release(&r);
	if (fleet_interrupted())
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
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
	return sb->buf;
}

/* every check on every target; returns the number of findings */
static size_t preflight(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	struct strbuf list = STRBUF_INIT;
	size_t targets, n;
	fw_info(fc->out, "Pre-flight of fleet %s on %zu target%s: %s", fc->fleet.name, fc->fleet.nr,
		fc->fleet.nr == 1 ? "" : "s", preflight_list(fc->fleet.preflight, &list));
	strbuf_release(&list);
	fw_fleet_run_resolve(r);
	fleet_begin_phase(fc, "pre-flight");
	fleet_run_batch(fc, r, FW_FOP_PREFLIGHT, 0, fc->fleet.nr, 0);
	fleet_end_view(fc);
	if ((fc->fleet.preflight & FW_PRE_PENDING) && !fleet_interrupted())
		fw_fleet_compare_pending(r);
	n = count_findings(r, &targets);
	if (n) {
		fw_info(fc->out, "Pre-flight found %zu problem%s on %zu target%s:", n, n == 1 ? "" : "s", targets,
			targets == 1 ? "" : "s");
		print_findings(fc, r);
	} else {
		fw_info(fc->out, "Pre-flight passed on all %zu target%s", fc->fleet.nr, fc->fleet.nr == 1 ? "" : "s");
	}
	if (fc->fleet.preflight & FW_PRE_DRYRUN && !n)
		fw_info(fc->out, "Dry-run scripts: %s/dryrun-<target>.sql", r->dryrun_dir);
	return n;
}

static int fleet_check(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	long started = fleet_wall_ms();
	size_t n, targets;
	json_t *doc;
	fleet_setup_run(fc, &r);
	n = preflight(fc, &r);
	count_findings(&r, &targets);
	doc = make_doc(&r, "check", fleet_interrupted() ? "interrupted" : n ? "findings" : "success", started, NULL, -1);
	write_report(fc, doc);
	add_doc(fc, doc);
	fw_fleet_run_release(&r);
	if (fleet_interrupted())
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
	if (n)
		return fw_errorf_exit(err, FW_EXIT_ERROR, "FLEET_PREFLIGHT",
				      "pre-flight found %zu problem%s on %zu target%s", n, n == 1 ? "" : "s", targets,
				      targets == 1 ? "" : "s");
	return 0;
}

/* ---------------------------------------------------------------- verify */

/* compare what every target reported; returns the number that differ */
static size_t judge(struct fleet_cmd *fc, struct fw_fleet_run *r, char **version)
{
	size_t differ = fw_fleet_verify(r, version);
	if (differ) {
		fw_info(fc->out, "Verification: %zu of %zu target%s differ%s:", differ, fc->fleet.nr,
			fc->fleet.nr == 1 ? "" : "s", differ == 1 ? "s" : "");
		print_findings(fc, r);
	} else {
		fw_info(fc->out, "Verification: all %zu target%s on version %s, nothing pending or failed",
			fc->fleet.nr, fc->fleet.nr == 1 ? "" : "s", vtext(*version));
	}
	return differ;
}

/* post-flight: read every target again; returns the number that differ */
static size_t postflight(struct fleet_cmd *fc, struct fw_fleet_run *r, char **version)
{
	fleet_begin_phase(fc, "verify");
	fleet_run_batch(fc, r, FW_FOP_PROBE, 0, fc->fleet.nr, 0);
	fleet_end_view(fc);
	return judge(fc, r, version);
}

static int fleet_verify(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	long started = fleet_wall_ms();
	char *version = NULL;
	size_t differ;
	json_t *doc;
	fleet_setup_run(fc, &r);
	fw_fleet_run_resolve(&r);
	differ = postflight(fc, &r, &version);
	print_errors(fc, &r);
	doc = make_doc(&r, "verify", fleet_interrupted() ? "interrupted" : differ ? "differs" : "success", started,
		       version, !differ);
	write_report(fc, doc);
	add_doc(fc, doc);
	free(version);
	fw_fleet_run_release(&r);
	if (fleet_interrupted())
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
	if (differ)
		return fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_DIFFERS", "%zu of %zu targets differ",
				      differ, fc->fleet.nr);
	return 0;
}

/* ---------------------------------------------------------------- migrate */

static void wave_header(struct fleet_cmd *fc, size_t w)
{
	const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
	struct strbuf names = STRBUF_INIT;
	for (size_t i = wv->start; i < wv->end && i < wv->start + 10; i++)
		strbuf_addf(&names, "%s%s", i > wv->start ? ", " : "", fc->fleet.m[i].name);
	if (wv->end - wv->start > 10)
		strbuf_addf(&names, " and %zu more", wv->end - wv->start - 10);
	fw_info(fc->out, "Fleet %s: %s (%zu of %zu): %s", fc->fleet.name, wv->name, w + 1, fc->fleet.nr_waves,
		names.buf);
	strbuf_release(&names);
}

static void migrate_table(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	static const char *const hdr[] = { "Target", "Wave", "Status", "Before", "After", "Applied", "Time" };
	struct fw_table tab;
	struct strbuf out = STRBUF_INIT;
	fw_table_init(&tab, 7, hdr);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		const struct fw_fleet_result *res = &r->res[i];
		int ran = res->status == FW_TS_OK || res->status == FW_TS_FAILED || res->status == FW_TS_HALTED ||
			  res->status == FW_TS_INTERRUPTED;
		char applied[16];
		struct strbuf ms = STRBUF_INIT;
		const char *row[7];
		size_t ok = 0;
		for (size_t j = 0; j < res->nr_migs; j++)
			ok += (size_t)res->migs[j].success;
		snprintf(applied, sizeof(applied), "%zu", ok);
		if (ran)
			fw_format_duration(res->ms, &ms);
		row[0] = fc->fleet.m[i].name;
		row[1] = fc->fleet.waves[fc->fleet.m[i].wave].name;
		row[2] = fw_report_status(res, "migrate");
		/* a failure before migrate read the history leaves the version unknown */
		row[3] = ran && (res->status == FW_TS_OK || res->status == FW_TS_HALTED || res->nr_migs ||
				 res->version_before) ? vtext(res->version_before) : "";
		row[4] = ran && (res->status == FW_TS_OK || res->status == FW_TS_HALTED || res->nr_migs ||
				 res->version_after) ? vtext(res->version_after) : "";
		row[5] = ran ? applied : "";
		row[6] = ms.buf;
		fw_table_add_row(&tab, row);
		strbuf_release(&ms);
	}
	fw_table_render(&tab, "No targets", &out);
	fleet_print(fc, out.buf);
	fw_table_release(&tab);
	strbuf_release(&out);
}

/* canary, then waves; returns 0, or the exit status of the halt */
static int roll_out(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	fleet_begin_phase(fc, "migrate");
	for (size_t w = 0; w < fc->fleet.nr_waves; w++) {
		const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
		if (w)
			fleet_pause_between(fc, r, w);
		if (fleet_interrupted() || fw_fleet_flag(&r->halt))
			break;
		if (!fc->live)
			wave_header(fc, w);
		fleet_run_batch(fc, r, FW_FOP_MIGRATE, wv->start, wv->end, 1);
		if (fleet_interrupted() || fw_fleet_flag(&r->halt))
			break;
	}
	fleet_end_view(fc);
	/* what a halt or Ctrl-C kept from starting */
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < fc->fleet.nr; i++)
		if (r->res[i].status == FW_TS_WAITING)
			r->res[i].status = FW_TS_NOT_STARTED;
	pthread_mutex_unlock(&r->lock);
	if (fleet_interrupted())
		return FW_EXIT_INTERRUPTED;
	return fw_fleet_flag(&r->halt) ? FW_EXIT_FLEET_PARTIAL : 0;
}

static size_t count_status(struct fw_fleet_run *r, enum fw_tstatus st)
{
	size_t n = 0;
	for (size_t i = 0; i < r->fleet->nr; i++)
		n += r->res[i].status == st;
	return n;
}

static int halt_error(struct fleet_cmd *fc, struct fw_fleet_run *r, int status, struct fw_error *err)
{
	size_t failed = count_status(r, FW_TS_FAILED), halted = count_status(r, FW_TS_HALTED);
	size_t waiting = count_status(r, FW_TS_NOT_STARTED);
	size_t stopped = count_status(r, FW_TS_INTERRUPTED);
	if (status == FW_EXIT_INTERRUPTED) {
		fw_errorf_exit(err, status, "ERROR", "interrupted: %zu target%s stopped, %zu not started", stopped,
			       stopped == 1 ? "" : "s", waiting);
		fw_error_detail(err, "each stopped target kept the migrations it completed; the one running was rolled back where the database can");
		fw_error_hint(err, "run the same command again to continue: migrated targets are no-ops");
		return -1;
	}
	fw_errorf_exit(err, status, "FLEET_HALTED", "fleet %s halted: %zu target%s failed, %zu not started",
		       fc->fleet.name, failed, failed == 1 ? "" : "s", waiting);
	if (halted)
		fw_error_detail(err, "%zu target%s stopped between two migrations", halted, halted == 1 ? "" : "s");
	fw_error_hint(err, "fix the cause and run the same command again: migrated targets are no-ops");
	return -1;
}

static int fleet_migrate(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	long started = fleet_wall_ms();
	size_t n, targets, differ = 0;
	char *version = NULL;
	int status, verified = -1;
	const char *outcome;
	json_t *doc;
	fleet_setup_run(fc, &r);
	r.keep_limit = fc->fleet.parallel;
	n = preflight(fc, &r);
	if (n || fleet_interrupted()) {
		count_findings(&r, &targets);
		doc = make_doc(&r, "migrate", fleet_interrupted() ? "interrupted" : "preflight failed", started, NULL, -1);
		write_report(fc, doc);
		add_doc(fc, doc);
		fw_fleet_run_release(&r);
		if (fleet_interrupted())
			return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted during pre-flight; nothing was changed");
		fw_errorf_exit(err, FW_EXIT_ERROR, "FLEET_PREFLIGHT",
			       "pre-flight found %zu problem%s on %zu target%s; nothing was changed", n, n == 1 ? "" : "s",
			       targets, targets == 1 ? "" : "s");
		return -1;
	}
	fw_fleet_run_reset(&r);
	status = roll_out(fc, &r);
	print_errors(fc, &r);
	migrate_table(fc, &r);
	if (!status) {
		/* each worker read its target back right after migrating it */
		differ = judge(fc, &r, &version);
		verified = !differ;
	}
	outcome = status == FW_EXIT_INTERRUPTED ? "interrupted" : status ? "halted" : differ ? "differs" : "success";
	doc = make_doc(&r, "migrate", outcome, started, version, verified);
	write_report(fc, doc);
	add_doc(fc, doc);
	if (status)
		halt_error(fc, &r, status, err);
	else if (differ)
		fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_DIFFERS",
			       "migrated, but %zu of %zu targets differ after the rollout", differ, fc->fleet.nr);
	free(version);
	fw_fleet_run_release(&r);
	return status || differ ? -1 : 0;
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

static int known_command(const char *c)
{
	static const char *const names[] = { "info", "check", "validate", "migrate", "verify", "plan", NULL };
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(names[i], c))
			return 1;
	return 0;
}

static int run_command(struct fleet_cmd *fc, const char *c, struct fw_error *err)
{
	if (!strcmp(c, "info"))
		return fleet_info(fc, err);
	if (!strcmp(c, "check") || !strcmp(c, "validate"))
		return fleet_check(fc, err);
	if (!strcmp(c, "migrate"))
		return fleet_migrate(fc, err);
	if (!strcmp(c, "verify"))
		return fleet_verify(fc, err);
	return fleet_plan(fc, err);
}

static void emit_docs(struct fleet_cmd *fc)
{
	struct strbuf s = STRBUF_INIT;
	json_t *doc;
	if (!fc->json || !json_array_size(fc->docs))
		return;
	if (json_array_size(fc->docs) == 1) {
		doc = json_incref(json_array_get(fc->docs, 0));
	} else {
		doc = json_object();
		json_object_set(doc, "individualResults", fc->docs);
	}
	fw_json_dump(doc, &s);
	fw_out_raw(fc->out, s.buf, s.len);
	json_decref(doc);
	strbuf_release(&s);
}

int cmd_fleet(const struct fw_settings *s, struct fw_config *base, const struct strvec *commands,
	      struct fw_out *out, struct fw_error *err)
{
	struct fleet_cmd fc;
	int ret = 0;
	memset(&fc, 0, sizeof(fc));
	fc.report_err = (struct fw_error)FW_ERROR_INIT;
	fc.s = s;
	fc.base = base;
	fc.out = out;
	fc.json = base->output_json;
	for (size_t i = 0; i < commands->nr; i++)
		if (!known_command(commands->v[i])) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "'%s' is not a fleet command", commands->v[i]);
			fw_error_hint(err, "fleet commands are: info check migrate verify plan; run other commands per target with -environment=NAME");
			return -1;
		}
	if (load(&fc, err) < 0)
		return -1;
	/* `-fleet=X check -code`: the code analysis joins the pre-flight */
	if (strvec_contains(&base->command_flags, "code"))
		fc.fleet.preflight |= FW_PRE_CODE;
	fc.live = !fc.json && !out->quiet && isatty(fileno(out->out)) &&
		  !(base->color && !strcasecmp(base->color, "never"));
	report_base(&fc);
	fc.docs = json_array();
	fleet_catch_signals();
	for (size_t i = 0; i < commands->nr && !ret; i++)
		ret = run_command(&fc, commands->v[i], err);
	fleet_release_signals();
	emit_docs(&fc);
	ret = report_failure(&fc, ret, err);
	json_decref(fc.docs);
	free(fc.report_base);
	fw_fleet_release(&fc.fleet);
	return ret;
}
