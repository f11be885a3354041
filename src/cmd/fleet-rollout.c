/* fleetway -fleet=NAME migrate: pre-flight on every target, then the canary,
 * then the waves (parallel within a wave, a pause between them), halting at
 * the first failure, then the post-flight comparison of every target. */
#include "cmd/fleet-cmd.h"
#include "cmd/render.h"
#include "fleet/report.h"
#include "ops/migrate.h"
#include "ops/op.h"
#include "util/table.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* did wave w change anything: a migration applied or attempted on one of its
 * targets. A resumed rollout does not wait after waves that were done already;
 * such a wave's gate ran in the run that migrated it. */
static int wave_changed(struct fw_fleet_run *r, const struct fw_fleet_wave *wv)
{
	for (size_t i = wv->start; i < wv->end; i++)
		if (r->res[i].nr_migs || r->res[i].status != FW_TS_OK)
			return 1;
	return 0;
}

/* a gate that does not pass stops the rollout as a failed target does */
static int gate(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t w, struct fw_error *gate_err)
{
	if (fleet_gate_after(fc, r, w, gate_err) == 0)
		return 0;
	fc->gate_failed = 1;
	__atomic_store_n(&r->halt, 1, __ATOMIC_SEQ_CST);
	return -1;
}

int fleet_roll_out(struct fleet_cmd *fc, struct fw_fleet_run *r, const struct fw_fleet_job *job, int pause,
		   const char *will_change, struct fw_error *gate_err)
{
	int gated = will_change && fleet_gates_configured(fc) && !fc->base->skip_gates;
	char *gate_ran = xcalloc(fc->fleet.nr_waves + 1, 1);
	long wave_end = 0;
	fleet_begin_phase(fc, fc->cmd->name);
	for (size_t w = 0; w < fc->fleet.nr_waves; w++) {
		const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
		/* a rerun resumes: the wave before, migrated by an earlier run, shows
		 * its gate again before this one changes anything */
		if (gated && w && !gate_ran[w - 1] && will_change[w] && gate(fc, r, w - 1, gate_err) < 0)
			break;
		if (w && pause && wave_changed(r, &fc->fleet.waves[w - 1]))
			fleet_pause_between(fc, r, w, wave_end ? fw_now_ms() - wave_end : 0);
		if (fleet_interrupted() || fw_fleet_flag(&r->halt))
			break;
		if (!fc->live)
			wave_header(fc, w);
		fleet_run_batch(fc, r, job, wv->start, wv->end, 1);
		wave_end = fw_now_ms();
		if (fleet_interrupted() || fw_fleet_flag(&r->halt))
			break;
		/* the gate runs during the pause: the wait ends when both are over */
		if (gated && wave_changed(r, wv)) {
			gate_ran[w] = 1;
			if (gate(fc, r, w, gate_err) < 0)
				break;
		}
	}
	free(gate_ran);
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

/* ---------------------------------------------------------------- the migrate job */

static const struct fw_op *op_migrate(const struct fw_config *cfg)
{
	(void)cfg;
	return &fw_op_migrate;
}

static void keep_migrations(struct fw_fleet_result *res, const struct fw_migrate_result *mr)
{
	res->version_before = mr->initial_version ? xstrdup(mr->initial_version) : NULL;
	res->version_after = mr->target_version ? xstrdup(mr->target_version)
			     : mr->initial_version ? xstrdup(mr->initial_version) : NULL;
	res->before_known = res->after_known = mr->read_history;
	res->migs = xcalloc(mr->nr + 1, sizeof(*res->migs));
	res->alloc_migs = mr->nr + 1;
	for (size_t i = 0; i < mr->nr; i++) {
		struct fw_fleet_mig *g = &res->migs[res->nr_migs++];
		g->version = xstrdup(mr->items[i].version ? mr->items[i].version : "");
		g->description = xstrdup(mr->items[i].description ? mr->items[i].description : "");
		g->script = xstrdup(mr->items[i].script ? mr->items[i].script : "");
		g->ms = mr->items[i].ms;
		g->success = mr->items[i].success;
	}
}

/* the migrations attempted, then the command's own account and the post-flight
 * reading (validate, what is pending), taken on the connection we have: a
 * second connection per target costs more than the migration of a small
 * target */
static int migrate_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s, struct fw_out *out,
			void *result, int rc, struct fw_error *err)
{
	keep_migrations(&r->res[idx], result);
	fleet_render_on_target(ctx, r, idx, s, out, result, &rc, err);
	fleet_verify_reading(r, idx, s);
	if (rc == 0)
		fleet_converge_read(ctx, idx, s);
	return rc;
}

/* A target the pre-flight found up to date (a history, nothing pending or
 * failed, no callbacks): migrate would do nothing there, so it is not
 * connected again. Its log says what migrate would have said, and its
 * post-flight reading is the pre-flight's (which validated it). */
static int migrate_settle(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_out *out)
{
	struct fw_fleet_result *res = &r->res[idx];
	(void)ctx;
	if (!res->settled || !res->pre.known)
		return 0;
	fw_render_up_to_date(out, res->schema_shown);
	res->reachable = res->known = res->history = 1;
	res->version = res->pre.version ? xstrdup(res->pre.version) : NULL;
	res->version_before = res->pre.version ? xstrdup(res->pre.version) : NULL;
	res->version_after = res->pre.version ? xstrdup(res->pre.version) : NULL;
	res->before_known = res->after_known = 1;
	res->summary = xstrdup("up to date");
	return 1;
}

/* a target the rollout did not read (not started, or failed before migrate
 * read its history) is reported as the pre-flight read it: nothing of this
 * run changed it */
static void versions_from_preflight(struct fw_fleet_run *r)
{
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct fw_fleet_result *res = &r->res[i];
		if (res->before_known || !res->pre.known || res->nr_migs)
			continue;
		free(res->version_before);
		free(res->version_after);
		res->version_before = res->pre.version ? xstrdup(res->pre.version) : NULL;
		res->version_after = res->pre.version ? xstrdup(res->pre.version) : NULL;
		res->before_known = res->after_known = 1;
	}
}

/* ---------------------------------------------------------------- the outcome */

static int migrated_ok(const struct fw_fleet_result *res)
{
	return res->status == FW_TS_OK;
}

static void migrate_row(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t i, struct strvec *cells)
{
	const struct fw_fleet_result *res = &r->res[i];
	int ran = res->status == FW_TS_OK || res->status == FW_TS_FAILED || res->status == FW_TS_HALTED ||
		  res->status == FW_TS_INTERRUPTED;
	char applied[16];
	struct strbuf ms = STRBUF_INIT, status = STRBUF_INIT;
	size_t ok = 0;
	for (size_t j = 0; j < res->nr_migs; j++)
		ok += (size_t)res->migs[j].success;
	snprintf(applied, sizeof(applied), "%zu", ok);
	if (ran)
		fw_format_duration(res->ms, &ms);
	strvec_push(cells, fc->fleet.m[i].name);
	strvec_push(cells, fc->fleet.waves[fc->fleet.m[i].wave].name);
	fw_report_status_text(res, "migrate", 0, &status);
	strvec_push_nodup(cells, strbuf_detach(&status, NULL));
	/* a version not read is left blank, never shown as a default */
	strvec_push(cells, res->before_known ? fleet_vtext(res->version_before) : "");
	strvec_push(cells, res->after_known ? fleet_vtext(res->version_after) : "");
	strvec_push(cells, ran ? applied : "");
	strvec_push(cells, ms.buf);
	strbuf_release(&ms);
}

static int halt_error(struct fleet_cmd *fc, struct fw_fleet_run *r, int status, struct fw_error *err)
{
	size_t failed = fleet_count_status(r, FW_TS_FAILED), halted = fleet_count_status(r, FW_TS_HALTED);
	size_t waiting = fleet_count_status(r, FW_TS_NOT_STARTED);
	size_t stopped = fleet_count_status(r, FW_TS_INTERRUPTED);
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

/* which waves have something pending, as the pre-flight read them */
static char *pending_waves(struct fleet_cmd *fc, struct fw_fleet_run *r)
{
	char *pending = xcalloc(fc->fleet.nr_waves + 1, 1);
	for (size_t w = 0; w < fc->fleet.nr_waves; w++)
		for (size_t i = fc->fleet.waves[w].start; i < fc->fleet.waves[w].end; i++)
			if (r->res[i].pending)
				pending[w] = 1;
	return pending;
}

/* -skipGates is an emergency: it is said where nobody can miss it */
static void announce_gates(struct fleet_cmd *fc)
{
	if (!fc->gates)
		fc->gates = json_array();
	if (fleet_gates_configured(fc) && fc->base->skip_gates)
		fw_warn(fc->out, "-skipGates: the gates of fleet %s will NOT run; nothing checks a wave before the next one starts",
			fc->fleet.name);
}

static void gates_json(struct fleet_cmd *fc, json_t *doc)
{
	json_object_set(doc, "gates", fc->gates);
	json_object_set_new(doc, "gatesSkipped", json_boolean(fleet_gates_configured(fc) && fc->base->skip_gates));
}

static int preflight_failed(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t n, long started,
			    struct fw_error *err)
{
	size_t targets;
	fleet_count_findings(r, &targets);
	versions_from_preflight(r);
	fleet_write_report(fc, fleet_make_doc_stage(r, "migrate", fleet_interrupted() ? "interrupted" : "preflight failed",
						    started, NULL, -1, 1, NULL));
	fleet_release_run(fc, r);
	if (fleet_interrupted())
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted during pre-flight; nothing was changed");
	return fw_errorf_exit(err, FW_EXIT_ERROR, "FLEET_PREFLIGHT",
			      "pre-flight found %zu problem%s on %zu target%s; nothing was changed", n, n == 1 ? "" : "s",
			      targets, targets == 1 ? "" : "s");
}

int fleet_migrate(struct fleet_cmd *fc, struct fw_error *err)
{
	static const char *const hdr[] = { "Target", "Wave", "Status", "Before", "After", "Applied", "Time" };
	struct fw_fleet_job job = { .op_for = op_migrate, .done = migrate_done, .ctx = fc, .halting = 1, .writes = 1,
				    .settle = migrate_settle };
	struct fw_fleet_run r;
	struct fw_error gate_err = FW_ERROR_INIT;
	long started = fleet_wall_ms();
	size_t n, differ = 0;
	char *version = NULL, *will_change;
	struct strbuf summary = STRBUF_INIT;
	int status, verified = -1;
	const char *outcome;
	json_t *doc;
	fleet_setup_run(fc, &r);
	r.keep_limit = fc->fleet.parallel;
	announce_gates(fc);
	n = fleet_preflight(fc, &r);
	if (n || fleet_interrupted())
		return preflight_failed(fc, &r, n, started, err);
	will_change = pending_waves(fc, &r);
	fw_fleet_run_reset(&r);
	fleet_converge_start(fc);
	status = fleet_roll_out(fc, &r, &job, 1, will_change, &gate_err);
	free(will_change);
	versions_from_preflight(&r);
	fleet_print_errors(fc, &r);
	fleet_outcome_table(fc, &r, hdr, 7, migrate_row, migrated_ok, "migrated or up to date");
	if (!status) {
		/* each worker read its target back right after migrating it; a target
		 * the pre-flight found up to date is as the pre-flight read it */
		differ = fleet_judge(fc, &r, &version, &summary);
		verified = !differ;
	}
	outcome = status == FW_EXIT_INTERRUPTED ? "interrupted" : status ? "halted" : differ ? "differs" : "success";
	doc = fleet_make_doc_stage(&r, "migrate", outcome, started, version, verified, 0,
				   verified >= 0 ? summary.buf : NULL);
	gates_json(fc, doc);
	fleet_write_report(fc, doc);
	if (status && fc->gate_failed)
		fw_error_move(err, &gate_err);
	else if (status)
		halt_error(fc, &r, status, err);
	else if (differ)
		fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_DIFFERS", "migrated, but after the rollout %s", summary.buf);
	fw_error_clear(&gate_err);
	strbuf_release(&summary);
	free(version);
	fleet_release_run(fc, &r);
	return status || differ ? -1 : 0;
}
