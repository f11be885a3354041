/* A fleet's gates (docs/fleet.md, Gates): after the canary and after each
 * wave that changed something, the checks that must pass before the rollout
 * goes on — commands (a smoke test, a look at the dashboards' API) and a SQL
 * query every target of the wave answers with true. A gate that fails,
 * errs or runs out of time halts the rollout like a failed migration; with
 * gateRetry it is tried again until it passes or its time is up (the
 * monitoring window). Every attempt's outcome and output go into the report. */
#include "cmd/fleet-cmd.h"
#include "fleet/report.h"
#include "ops/gate.h"
#include "ops/op.h"
#include "util/proc.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern char **environ;

#define GATE_OUTPUT_MAX (64 * 1024)

int fleet_gates_configured(const struct fleet_cmd *fc)
{
	return fc->fleet.gates.nr || (fc->fleet.gate_sql && *fc->fleet.gate_sql);
}

/* ---------------------------------------------------------------- a command gate */

/* a command's output as a JSON string: bytes that are not UTF-8 become '?' */
static json_t *text_json(struct strbuf *text)
{
	json_t *v = json_stringn(text->buf, text->len);
	if (v)
		return v;
	for (size_t i = 0; i < text->len; i++)
		if ((unsigned char)text->buf[i] >= 0x80 || !text->buf[i])
			text->buf[i] = '?';
	return json_stringn(text->buf, text->len);
}

static int secret_in(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	int hidden;
	strbuf_addstr(&sb, text);
	redact_buf(&sb);
	hidden = strcmp(sb.buf, text) != 0;
	strbuf_release(&sb);
	return hidden;
}

/* Ours, without Flyway's connection variables and without any variable that
 * holds a secret; then what the gate needs to know. Never a password. */
static void gate_env(struct fleet_cmd *fc, size_t w, struct strvec *env)
{
	const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
	struct strbuf targets = STRBUF_INIT, report = STRBUF_INIT;
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!strncmp(*e, "FLYWAY_", 7) || !strncmp(*e, "FLEETWAY_", 9) || (eq && secret_in(eq + 1)))
			continue;
		strvec_push(env, *e);
	}
	for (size_t i = wv->start; i < wv->end; i++)
		strbuf_addf(&targets, "%s%s", i > wv->start ? "," : "", fc->fleet.m[i].name);
	fw_report_stem(fc->report_base, &report);
	strbuf_addstr(&report, ".json");
	strvec_pushf(env, "FLEETWAY_FLEET=%s", fc->fleet.name);
	strvec_pushf(env, "FLEETWAY_WAVE=%s", wv->name);
	strvec_pushf(env, "FLEETWAY_WAVE_NUMBER=%zu", w + 1);
	strvec_pushf(env, "FLEETWAY_TARGETS=%s", targets.buf);
	strvec_pushf(env, "FLEETWAY_REPORT=%s", report.buf);
	strbuf_release(&targets);
	strbuf_release(&report);
}

struct tick_ctx {
	struct fleet_cmd *fc;
	struct fw_fleet_run *r;
};

static void tick(void *ctx)
{
	struct tick_ctx *t = ctx;
	fleet_view_redraw(t->fc, t->r);
}

/* one command, within the time left; its entry in checks */
static int run_command(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t w, const char *command,
		       long deadline, json_t *checks)
{
	struct strvec env = STRVEC_INIT;
	struct strbuf output = STRBUF_INIT;
	struct fw_proc_result pr;
	struct fw_error err = FW_ERROR_INIT;
	struct tick_ctx tc = { fc, r };
	long left = deadline - fw_now_ms();
	json_t *c = json_object();
	int pass;
	gate_env(fc, w, &env);
	if (!fc->live)
		fw_info(fc->out, "Gate after %s: %s", fc->fleet.waves[w].name, command);
	if (fw_proc_run(command, fc->base->working_directory, &env, left > 0 ? left : 1, GATE_OUTPUT_MAX, tick, &tc,
			&output, &pr, &err) < 0) {
		strbuf_addstr(&output, err.message.buf);
		pr.exited = 0;
	}
	redact_buf(&output);
	pass = pr.exited && pr.status == 0 && !pr.timed_out;
	json_object_set_new(c, "kind", json_string("command"));
	json_object_set_new(c, "command", json_string(command));
	json_object_set_new(c, "exitStatus", pr.exited ? json_integer(pr.status) : json_null());
	json_object_set_new(c, "timedOut", json_boolean(pr.timed_out));
	json_object_set_new(c, "durationMs", json_integer(pr.ms));
	json_object_set_new(c, "output", text_json(&output));
	json_object_set_new(c, "pass", json_boolean(pass));
	json_array_append_new(checks, c);
	if (!fc->live && output.len) {
		struct strbuf lines = STRBUF_INIT;
		const char *p = output.buf;
		while (*p) {
			size_t n = strcspn(p, "\n");
			strbuf_addstr(&lines, "[gate] ");
			strbuf_add(&lines, p, n);
			strbuf_addch(&lines, '\n');
			p += n + (p[n] == '\n');
		}
		fleet_print(fc, lines.buf);
		strbuf_release(&lines);
	}
	strvec_clear(&env);
	strbuf_release(&output);
	fw_error_clear(&err);
	return pass;
}

/* ---------------------------------------------------------------- the SQL gate */

struct sql_gate {
	struct fw_gate_args args;
	json_t *targets;
	int failed;
};

static const struct fw_op *op_gate(const struct fw_config *cfg)
{
	(void)cfg;
	return &fw_op_gate_sql;
}

static const void *gate_args(void *ctx, struct fw_fleet_run *r, size_t idx)
{
	struct sql_gate *g = ctx;
	(void)r, (void)idx;
	return &g->args;
}

static int gate_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s, struct fw_out *out,
		     void *result, int rc, struct fw_error *err)
{
	struct sql_gate *g = ctx;
	struct fw_gate_result *res = result;
	json_t *t = json_object();
	(void)s, (void)out;
	json_object_set_new(t, "name", json_string(r->fleet->m[idx].name));
	json_object_set_new(t, "pass", json_boolean(rc == 0 && res->pass));
	json_object_set_new(t, "value", rc == 0 && res->value ? json_string(res->value) : json_null());
	if (rc < 0)
		json_object_set_new(t, "error", json_string(err->message.buf));
	else if (!res->rows)
		json_object_set_new(t, "error", json_string("the query returned no row"));
	/* the worker threads meet here */
	pthread_mutex_lock(&r->lock);
	json_array_append_new(g->targets, t);
	if (rc < 0 || !res->pass)
		g->failed++;
	pthread_mutex_unlock(&r->lock);
	if (rc == 0 && !res->pass)
		return fw_errorf(err, "FLEET_GATE_FAILED", "gate query answered %s, not true",
				 res->value ? res->value : res->rows ? "NULL" : "no row");
	return rc;
}

/* the query on every target of wave w, on connections of its own */
static int run_sql(struct fleet_cmd *fc, size_t w, long deadline, json_t *checks)
{
	const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
	struct sql_gate g = { { fc->fleet.gate_sql }, json_array(), 0 };
	struct fw_fleet_job job = { .op_for = op_gate, .args_for = gate_args, .done = gate_done, .ctx = &g };
	struct fw_fleet_run gr;
	struct fw_fleet_batch *b;
	json_t *c = json_object();
	long t0 = fw_now_ms();
	if (!fc->live)
		fw_info(fc->out, "Gate after %s: %s on %zu target%s", wv->name, fc->fleet.gate_sql, wv->end - wv->start,
			wv->end - wv->start == 1 ? "" : "s");
	fleet_setup_run(fc, &gr);
	fw_fleet_run_resolve(&gr);
	b = fw_fleet_batch_start(&gr, &job, wv->start, wv->end, fc->fleet.parallel);
	while (!fw_fleet_batch_wait(b, 100)) {
		fleet_view_redraw(fc, &gr);
		if (fw_now_ms() >= deadline || fleet_interrupted())
			fw_fleet_run_cancel(&gr);   /* the statements end; the workers finish */
	}
	json_object_set_new(c, "kind", json_string("sql"));
	json_object_set_new(c, "sql", json_string(fc->fleet.gate_sql));
	json_object_set_new(c, "timedOut", json_boolean(fw_now_ms() >= deadline));
	json_object_set_new(c, "durationMs", json_integer(fw_now_ms() - t0));
	json_object_set_new(c, "targets", g.targets);
	/* a target that could not even be configured has no entry: that fails the gate too */
	json_object_set_new(c, "pass", json_boolean(!g.failed && json_array_size(g.targets) == wv->end - wv->start));
	json_array_append_new(checks, c);
	fw_fleet_run_release(&gr);
	return json_is_true(json_object_get(c, "pass"));
}

/* ---------------------------------------------------------------- the gate after a wave */

/* every command, then the query: one attempt; 1 when all passed */
static int attempt(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t w, long deadline, json_t *checks)
{
	for (size_t i = 0; i < fc->fleet.gates.nr; i++)
		if (!run_command(fc, r, w, fc->fleet.gates.v[i], deadline, checks))
			return 0;
	return !(fc->fleet.gate_sql && *fc->fleet.gate_sql) || run_sql(fc, w, deadline, checks);
}

/* wait until the next try, cut short by Ctrl-C; 0 when the time is up */
static int wait_retry(struct fleet_cmd *fc, struct fw_fleet_run *r, long deadline)
{
	long until = fw_now_ms() + fc->fleet.gate_retry_ms;
	if (until >= deadline)
		return 0;
	while (fw_now_ms() < until && !fleet_interrupted()) {
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
		fleet_view_redraw(fc, r);
	}
	return !fleet_interrupted();
}

static const char *last_failure(const json_t *checks, struct strbuf *sb)
{
	json_t *c = json_array_get(checks, json_array_size(checks) - 1);
	const char *kind = json_string_value(json_object_get(c, "kind"));
	if (!c)
		return "";
	if (json_is_true(json_object_get(c, "timedOut")))
		strbuf_addstr(sb, "ran out of time");
	else if (kind && !strcmp(kind, "command") && json_is_integer(json_object_get(c, "exitStatus")))
		strbuf_addf(sb, "`%s` exited with %d", json_string_value(json_object_get(c, "command")),
			    (int)json_integer_value(json_object_get(c, "exitStatus")));
	else if (kind && !strcmp(kind, "command"))
		strbuf_addf(sb, "`%s` did not finish", json_string_value(json_object_get(c, "command")));
	else
		strbuf_addstr(sb, "the query was not true on every target");
	return sb->buf;
}

int fleet_gate_after(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t w, struct fw_error *err)
{
	const char *wave = fc->fleet.waves[w].name;
	long t0 = fw_now_ms(), deadline = t0 + fc->fleet.gate_timeout_ms;
	json_t *entry = json_object(), *checks = NULL;
	struct strbuf phase = STRBUF_INIT, why = STRBUF_INIT;
	int attempts = 0, pass = 0;
	const char *rollout_phase = fc->phase;
	long rollout_t0 = fc->phase_t0;
	strbuf_addf(&phase, "gate running after %s", wave);
	fleet_begin_phase(fc, phase.buf);
	for (;;) {
		if (checks)
			json_decref(checks);
		checks = json_array();
		attempts++;
		pass = attempt(fc, r, w, deadline, checks);
		if (pass || fleet_interrupted() || !fc->fleet.gate_retry_ms || !wait_retry(fc, r, deadline))
			break;
		if (!fc->live)
			fw_info(fc->out, "Gate after %s: not yet (attempt %d), trying again in %ld.%03lds", wave, attempts,
				fc->fleet.gate_retry_ms / 1000, fc->fleet.gate_retry_ms % 1000);
	}
	fleet_end_view(fc);
	/* the view must not keep pointing at this function's text */
	fc->phase = rollout_phase;
	fc->phase_t0 = rollout_t0;
	json_object_set_new(entry, "after", json_string(wave));
	json_object_set_new(entry, "wave", json_integer((json_int_t)w + 1));
	json_object_set_new(entry, "outcome", json_string(pass ? "passed" : fleet_interrupted() ? "interrupted"
						      : fw_now_ms() >= deadline ? "timed out" : "failed"));
	json_object_set_new(entry, "attempts", json_integer(attempts));
	json_object_set_new(entry, "durationMs", json_integer(fw_now_ms() - t0));
	json_object_set_new(entry, "checks", checks);
	json_array_append_new(fc->gates, entry);
	if (pass) {
		fw_info(fc->out, "Gate after %s passed (%d attempt%s)", wave, attempts, attempts == 1 ? "" : "s");
	} else {
		fw_errorf_exit(err, FW_EXIT_FLEET_PARTIAL, "FLEET_GATE_FAILED", "fleet %s halted: the gate after %s failed: %s",
			       fc->fleet.name, wave, last_failure(checks, &why));
		fw_error_detail(err, "%d attempt%s in %lds; no target of a later wave was started", attempts,
				attempts == 1 ? "" : "s", (fw_now_ms() - t0) / 1000);
		fw_error_hint(err, "the report has the gate's output; fix the cause and run the same command again: the gate runs again before the next wave");
	}
	strbuf_release(&phase);
	strbuf_release(&why);
	return pass ? 0 : -1;
}

/* ---------------------------------------------------------------- `gate` */

/* -fleet=NAME gate -gateWave=N: the gates after wave N alone, as a CI job
 * between two waves' jobs runs them (plan -format=github|gitlab) */
int fleet_gate(struct fleet_cmd *fc, struct fw_error *err)
{
	struct fw_fleet_run r;
	const char *arg = fc->base->gate_wave;
	char *end = NULL;
	long w = arg ? strtol(arg, &end, 10) : 0;
	int rc;
	if (!arg || !*arg || *end || w < 1 || (size_t)w > fc->fleet.nr_waves) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "gate needs -gateWave=N, a wave of fleet %s (1 to %zu)",
			       fc->fleet.name, fc->fleet.nr_waves);
		fw_error_hint(err, "wave 1 is the canary when the fleet has one; `fleetway -fleet=%s info` lists the waves",
			      fc->fleet.name);
		return -1;
	}
	if (!fleet_gates_configured(fc)) {
		fw_info(fc->out, "Fleet %s has no gates: nothing to check after %s", fc->fleet.name,
			fc->fleet.waves[w - 1].name);
		return 0;
	}
	if (!fc->gates)
		fc->gates = json_array();
	fleet_setup_run(fc, &r);
	rc = fleet_gate_after(fc, &r, (size_t)w - 1, err);
	fw_fleet_run_release(&r);
	fc->doc = json_object();
	json_object_set_new(fc->doc, "fleet", json_string(fc->fleet.name));
	json_object_set_new(fc->doc, "command", json_string("gate"));
	json_object_set(fc->doc, "gates", fc->gates);
	return rc;
}
