/* fleetway -fleet=NAME plan: the rollout as CI jobs, so that a fleet too
 * large for one machine runs on the CI system's runners.
 *
 * The plan has the shape of a fleet migrate: a pre-flight stage (each
 * target's connection, credentials, validate and dry run) that every wave
 * needs, so a wrong password in the last wave stops the rollout before the
 * canary; then the canary and the waves, each needing the one before; then
 * `verify` over the whole fleet. With gates, a gate job after each wave runs
 * `fleetway -fleet=NAME gate -gateWave=N` and the next wave needs it. Every
 * job is one target, named as the CI
 * environment of its job, so the CI system scopes that target's secrets and
 * approvals. A job runs `fleetway -fleet=NAME:TARGET check` (pre-flight) or
 * `... migrate`: the fleet's own pre-flight, migrate and verify on that
 * target alone.
 *
 *   -format=github   a workflow file for GitHub Actions; a stage's matrix is
 *                    split into jobs of at most 256 targets (GitHub's limit)
 *   -format=gitlab   a (child) pipeline for GitLab CI: one stage per step,
 *                    parallel:matrix of at most 200 targets per job
 *   -format=json     the same stages and jobs for any other CI system */
#include "fleet-cmd.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* jobs one strategy.matrix may generate (GitHub Actions limits) */
#define GITHUB_MATRIX_MAX 256
/* permutations of one parallel:matrix job (GitLab CI/CD YAML reference) */
#define GITLAB_MATRIX_MAX 200

/* one step of the rollout: pre-flight, canary, a wave, or verify */
struct stage {
	char id[32];            /* CI job and stage name: "preflight", "canary", "wave-2", "verify" */
	const char *title;      /* "pre-flight", the wave's name, "verify" */
	const char *command;    /* what each target's job runs: "check" or "migrate"; NULL for verify */
	size_t start, end;      /* members [start, end) */
	int paused;             /* the fleet's pause comes before it */
	size_t wave;            /* 1-based wave number (0: pre-flight, verify) */
	int gated;              /* a gate job follows it (the fleet has gates) */
};

struct plan {
	struct fleet_cmd *fc;
	struct stage *st;
	size_t nr;
};

/* pre-flight over every member, then the waves, then verify */
static void plan_build(struct fleet_cmd *fc, struct plan *p)
{
	const struct fw_fleet *f = &fc->fleet;
	size_t k = 0;
	p->fc = fc;
	p->nr = f->nr_waves + 2;
	p->st = xcalloc(p->nr, sizeof(*p->st));
	snprintf(p->st[0].id, sizeof(p->st[0].id), "preflight");
	p->st[0].title = "pre-flight";
	p->st[0].command = "check";
	p->st[0].end = f->nr;
	for (size_t w = 0; w < f->nr_waves; w++) {
		struct stage *s = &p->st[w + 1];
		const struct fw_fleet_wave *wv = &f->waves[w];
		if (f->m[wv->start].canary)
			snprintf(s->id, sizeof(s->id), "canary");
		else
			snprintf(s->id, sizeof(s->id), "wave-%zu", ++k);
		s->title = wv->name;
		s->command = "migrate";
		s->start = wv->start;
		s->end = wv->end;
		s->paused = w > 0 && f->pause_ms > 0;
		s->wave = w + 1;
		s->gated = fleet_gates_configured(fc);
	}
	snprintf(p->st[p->nr - 1].id, sizeof(p->st[0].id), "verify");
	p->st[p->nr - 1].title = "verify";
}

/* a stage of n targets in jobs of at most `limit`: how many jobs */
static size_t nr_parts(const struct stage *s, size_t limit)
{
	size_t n = s->end - s->start;
	return n ? (n + limit - 1) / limit : 1;
}

/* members [*a, *b) of part i of `parts`: near-equal sizes (449 -> 225 + 224) */
static void part_range(const struct stage *s, size_t parts, size_t i, size_t *a, size_t *b)
{
	size_t n = s->end - s->start;
	*a = s->start + n * i / parts;
	*b = s->start + n * (i + 1) / parts;
}

/* "wave-3" or, split, "wave-3-part-2" */
static void job_id(const struct stage *s, size_t parts, size_t i, struct strbuf *out)
{
	strbuf_addstr(out, s->id);
	if (parts > 1)
		strbuf_addf(out, "-part-%zu", i + 1);
}

/* A target's name becomes a CI environment, a matrix value and the
 * selection of -fleet=NAME:TARGET: keep to characters all of them take. */
static int check_names(const struct fw_fleet *f, struct fw_error *err)
{
	if (!f->nr) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "fleet '%s' has no targets to plan", f->name);
		return -1;
	}
	for (size_t i = 0; i < f->nr; i++) {
		const char *n = f->m[i].name;
		if (strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(n)) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR",
				       "fleet '%s': target '%s' cannot name a CI job and its environment", f->name, n);
			fw_error_hint(err, "name the environment with letters, digits, '.', '_' and '-' only");
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- commands */

/* the command a target's job runs, for JSON consumers: one shell line */
static void target_command(struct plan *p, const struct stage *s, size_t i, struct strbuf *out)
{
	struct strbuf arg = STRBUF_INIT;
	strbuf_addf(&arg, "-fleet=%s:%s", p->fc->fleet.name, p->fc->fleet.m[i].name);
	strbuf_addstr(out, "fleetway ");
	strbuf_add_shell_quoted(out, arg.buf);
	strbuf_addf(out, " %s", s->command);
	strbuf_release(&arg);
}

/* the gates after a wave, as the gate job runs them */
static void gate_command(struct plan *p, const struct stage *s, struct strbuf *out)
{
	struct strbuf arg = STRBUF_INIT;
	strbuf_addf(&arg, "-fleet=%s", p->fc->base->fleet);
	strbuf_addstr(out, "fleetway ");
	strbuf_add_shell_quoted(out, arg.buf);
	strbuf_addf(out, " gate -gateWave=%zu", s->wave);
	strbuf_release(&arg);
}

/* verify over the fleet as selected (-fleet=NAME or NAME:GLOB) */
static void verify_command(struct plan *p, struct strbuf *out)
{
	struct strbuf arg = STRBUF_INIT;
	strbuf_addf(&arg, "-fleet=%s", p->fc->base->fleet);
	strbuf_addstr(out, "fleetway ");
	strbuf_add_shell_quoted(out, arg.buf);
	strbuf_addstr(out, " verify");
	strbuf_release(&arg);
}


/* ---------------------------------------------------------------- json */

static json_t *jobs_json(struct plan *p, const struct stage *s)
{
	json_t *jobs = json_array();
	struct strbuf cmd = STRBUF_INIT;
	for (size_t i = s->start; i < s->end; i++) {
		strbuf_reset(&cmd);
		target_command(p, s, i, &cmd);
		json_array_append_new(jobs, json_pack("{s:s, s:s, s:s}", "target", p->fc->fleet.m[i].name,
						      "environment", p->fc->fleet.m[i].name, "command", cmd.buf));
	}
	strbuf_release(&cmd);
	return jobs;
}

static json_t *stage_json(struct plan *p, size_t k)
{
	const struct stage *s = &p->st[k];
	json_t *o = json_pack("{s:s, s:s}", "id", s->id, "name", s->title);
	json_t *needs = json_array();
	if (k) {
		struct strbuf id = STRBUF_INIT;
		if (p->st[k - 1].gated)
			strbuf_addstr(&id, "gate-after-");
		strbuf_addstr(&id, p->st[k - 1].id);
		json_array_append_new(needs, json_string(id.buf));
		strbuf_release(&id);
	}
	json_object_set_new(o, "needs", needs);
	if (s->command) {
		json_object_set_new(o, "pauseBefore", json_boolean(s->paused));
		json_object_set_new(o, "jobs", jobs_json(p, s));
		if (s->gated) {
			struct strbuf cmd = STRBUF_INIT;
			gate_command(p, s, &cmd);
			json_object_set_new(o, "gate", json_pack("{s:s+, s:s}", "id", "gate-after-", s->id, "command", cmd.buf));
			strbuf_release(&cmd);
		}
	} else {
		struct strbuf cmd = STRBUF_INIT;
		verify_command(p, &cmd);
		json_object_set_new(o, "command", json_string(cmd.buf));
		strbuf_release(&cmd);
	}
	return o;
}

static void plan_json(struct plan *p, struct strbuf *out)
{
	const struct fw_fleet *f = &p->fc->fleet;
	json_t *doc = json_object(), *waves = json_array();
	json_object_set_new(doc, "fleet", json_string(f->name));
	json_object_set_new(doc, "parallel", json_integer(f->parallel));
	json_object_set_new(doc, "pauseSeconds", json_real((double)f->pause_ms / 1000.0));
	json_object_set_new(doc, "preflight", stage_json(p, 0));
	for (size_t k = 1; k + 1 < p->nr; k++)
		json_array_append_new(waves, stage_json(p, k));
	json_object_set_new(doc, "waves", waves);
	json_object_set_new(doc, "verify", stage_json(p, p->nr - 1));
	fw_json_dump(doc, out);
	json_decref(doc);
}

/* ---------------------------------------------------------------- YAML */

/* a YAML single-quoted scalar: safe for any text */
static void yaml_quote(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '\'');
	strbuf_add_doubled(out, s, '\'');
	strbuf_addch(out, '\'');
}

/* members [a, b) as the items of a YAML list */
static void yaml_targets(struct plan *p, size_t a, size_t b, struct strbuf *out)
{
	for (size_t m = a; m < b; m++) {
		strbuf_addstr(out, "          - ");
		yaml_quote(out, p->fc->fleet.m[m].name);
		strbuf_addch(out, '\n');
	}
}

/* a job's command line, the target coming from its matrix variable */
static void yaml_job_command(const struct stage *s, struct strbuf *out)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(&cmd, "fleetway \"-fleet=$FLEET_NAME:$FLEET_TARGET\" %s", s->command);
	yaml_quote(out, cmd.buf);
	strbuf_addch(out, '\n');
	strbuf_release(&cmd);
}

/* the header both YAML plans start with */
static void yaml_header(struct plan *p, const char *format, struct strbuf *out)
{
	const struct fw_fleet *f = &p->fc->fleet;
	strbuf_addf(out, "# Fleet %s: pre-flight of all %zu targets", f->name, f->nr);
	for (size_t k = 1; k + 1 < p->nr; k++) {
		size_t n = p->st[k].end - p->st[k].start;
		strbuf_addf(out, "; %s: %zu target%s", p->st[k].title, n, n == 1 ? "" : "s");
	}
	strbuf_addstr(out, "; verify.\n");
	strbuf_addf(out, "# Written by `fleetway -fleet=%s plan -format=%s`; write it again when the fleet changes.\n",
		    p->fc->base->fleet, format);
	strbuf_addstr(out, "# Each job is one target, named as the job's environment (its secrets and approvals).\n"
			   "# fleetway must be on the runner's PATH.\n");
}

/* ---- GitHub Actions */

/* jobs of stage k (all its parts) as a flow list */
static void github_parts(struct plan *p, size_t k, struct strbuf *out)
{
	const struct stage *s = &p->st[k];
	size_t parts = nr_parts(s, GITHUB_MATRIX_MAX);
	strbuf_addstr(out, "[");
	for (size_t i = 0; i < parts; i++) {
		if (i)
			strbuf_addstr(out, ", ");
		job_id(s, parts, i, out);
	}
	strbuf_addstr(out, "]");
}

/* what stage k+1 needs: the gate after stage k, or all its jobs */
static void github_needs(struct plan *p, size_t k, struct strbuf *out)
{
	if (p->st[k].gated)
		strbuf_addf(out, "[gate-after-%s]", p->st[k].id);
	else
		github_parts(p, k, out);
}

/* the gate job between stage k and the next: needs all of k's jobs */
static void github_gate(struct plan *p, size_t k, struct strbuf *out)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(out, "  gate-after-%s:\n    needs: ", p->st[k].id);
	github_parts(p, k, out);
	strbuf_addstr(out, "\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ");
	gate_command(p, &p->st[k], &cmd);
	yaml_quote(out, cmd.buf);
	strbuf_addch(out, '\n');
	strbuf_release(&cmd);
}

static void github_pause(struct plan *p, size_t k, struct strbuf *out)
{
	strbuf_addf(out, "  pause-before-%s:\n    needs: ", p->st[k].id);
	github_needs(p, k - 1, out);
	strbuf_addf(out, "\n    runs-on: ubuntu-latest\n    steps:\n      - run: sleep %ld\n",
		    (p->fc->fleet.pause_ms + 999) / 1000);
}

/* what part i of stage k waits for: the part before it when the parts are
 * chained, else the pause before the stage, else every part of the stage
 * before (nothing for the pre-flight) */
static void github_part_needs(struct plan *p, size_t k, size_t parts, size_t i, int chained,
			      struct strbuf *out)
{
	const struct stage *s = &p->st[k];
	if (chained && i) {
		strbuf_addstr(out, "    needs: [");
		job_id(s, parts, i - 1, out);
		strbuf_addstr(out, "]\n");
	} else if (s->paused) {
		strbuf_addf(out, "    needs: [pause-before-%s]\n", s->id);
	} else if (k) {
		strbuf_addstr(out, "    needs: ");
		github_needs(p, k - 1, out);
		strbuf_addch(out, '\n');
	}
}

/* Parts of a stage run side by side, sharing the fleet's parallel between
 * them; when there are more parts than the fleet's parallel allows, one
 * after another. */
static void github_part(struct plan *p, size_t k, size_t parts, size_t i, struct strbuf *out)
{
	const struct stage *s = &p->st[k];
	size_t parallel = (size_t)p->fc->fleet.parallel, a, b;
	int chained = parallel < parts;
	size_t share = chained ? parallel : parallel / parts + (i < parallel % parts);
	strbuf_addstr(out, "  ");
	job_id(s, parts, i, out);
	strbuf_addstr(out, ":\n");
	github_part_needs(p, k, parts, i, chained, out);
	strbuf_addstr(out, "    runs-on: ubuntu-latest\n");
	/* the pre-flight reads the target's secrets without counting as a deployment */
	if (k)
		strbuf_addstr(out, "    environment: ${{ matrix.target }}\n");
	else
		strbuf_addstr(out, "    environment:\n      name: ${{ matrix.target }}\n      deployment: false\n");
	/* the pre-flight reports every target's findings; a wave halts at its first failure */
	strbuf_addf(out, "    strategy:\n      fail-fast: %s\n      max-parallel: %zu\n      matrix:\n        target:\n",
		    k ? "true" : "false", share);
	part_range(s, parts, i, &a, &b);
	yaml_targets(p, a, b, out);
	strbuf_addstr(out, "    env:\n      FLEET_TARGET: ${{ matrix.target }}\n");
	strbuf_addstr(out, "    steps:\n      - uses: actions/checkout@v4\n      - run: ");
	yaml_job_command(s, out);
}

static void plan_github(struct plan *p, struct strbuf *out)
{
	struct strbuf cmd = STRBUF_INIT;
	yaml_header(p, "github", out);
	strbuf_addstr(out, "# Save it as .github/workflows/fleet-");
	strbuf_addstr(out, p->fc->fleet.name);
	strbuf_addstr(out, ".yml; run it from the Actions tab.\n");
	strbuf_addstr(out, "name: ");
	strbuf_addstr(&cmd, "fleet ");
	strbuf_addstr(&cmd, p->fc->base->fleet);
	yaml_quote(out, cmd.buf);
	strbuf_addstr(out, "\n\"on\":\n  workflow_dispatch:\npermissions:\n  contents: read\n");
	/* one rollout of a fleet at a time */
	strbuf_reset(&cmd);
	strbuf_addf(&cmd, "fleetway-%s", p->fc->fleet.name);
	strbuf_addstr(out, "concurrency:\n  group: ");
	yaml_quote(out, cmd.buf);
	strbuf_addstr(out, "\n  cancel-in-progress: false\nenv:\n  FLEET_NAME: ");
	yaml_quote(out, p->fc->fleet.name);
	strbuf_addstr(out, "\njobs:\n");
	for (size_t k = 0; k + 1 < p->nr; k++) {
		size_t parts = nr_parts(&p->st[k], GITHUB_MATRIX_MAX);
		if (p->st[k].paused)
			github_pause(p, k, out);
		for (size_t i = 0; i < parts; i++)
			github_part(p, k, parts, i, out);
		if (p->st[k].gated)
			github_gate(p, k, out);
	}
	strbuf_addstr(out, "  verify:\n    needs: ");
	github_needs(p, p->nr - 2, out);
	strbuf_addstr(out, "\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: ");
	strbuf_reset(&cmd);
	verify_command(p, &cmd);
	yaml_quote(out, cmd.buf);
	strbuf_addch(out, '\n');
	strbuf_release(&cmd);
}

/* ---- GitLab CI */

static void gitlab_part(struct plan *p, size_t k, size_t parts, size_t i, struct strbuf *out)
{
	const struct stage *s = &p->st[k];
	size_t a, b;
	part_range(s, parts, i, &a, &b);
	strbuf_addch(out, '\n');
	job_id(s, parts, i, out);
	strbuf_addf(out, ":\n  stage: %s\n", s->id);
	if (s->paused)
		strbuf_addf(out, "  when: delayed\n  start_in: '%ld seconds'\n", (p->fc->fleet.pause_ms + 999) / 1000);
	/* the pre-flight reads the target's variables without counting as a deployment */
	strbuf_addstr(out, "  environment:\n    name: $FLEET_TARGET\n");
	if (!k)
		strbuf_addstr(out, "    action: access\n");
	if (b - a == 1) {
		strbuf_addstr(out, "  variables:\n    FLEET_TARGET: ");
		yaml_quote(out, p->fc->fleet.m[a].name);
		strbuf_addch(out, '\n');
	} else {
		strbuf_addstr(out, "  parallel:\n    matrix:\n      - FLEET_TARGET:\n");
		yaml_targets(p, a, b, out);
	}
	strbuf_addstr(out, "  script:\n    - ");
	yaml_job_command(s, out);
}

static void plan_gitlab(struct plan *p, struct strbuf *out)
{
	struct strbuf cmd = STRBUF_INIT;
	yaml_header(p, "gitlab", out);
	strbuf_addf(out, "# Run it as a child pipeline (trigger: include: artifact). GitLab has no limit of jobs\n"
			 "# at once per job: the fleet's parallel (%d) needs the runners' concurrency.\n",
		    p->fc->fleet.parallel);
	strbuf_addstr(out, "variables:\n  FLEET_NAME: ");
	yaml_quote(out, p->fc->fleet.name);
	strbuf_addstr(out, "\nstages:\n");
	for (size_t k = 0; k < p->nr; k++) {
		strbuf_addf(out, "  - %s\n", p->st[k].id);
		if (p->st[k].gated)
			strbuf_addf(out, "  - gate-after-%s\n", p->st[k].id);
	}
	for (size_t k = 0; k + 1 < p->nr; k++) {
		size_t parts = nr_parts(&p->st[k], GITLAB_MATRIX_MAX);
		for (size_t i = 0; i < parts; i++)
			gitlab_part(p, k, parts, i, out);
		if (p->st[k].gated) {
			strbuf_addf(out, "\ngate-after-%s:\n  stage: gate-after-%s\n  script:\n    - ", p->st[k].id,
				    p->st[k].id);
			strbuf_reset(&cmd);
			gate_command(p, &p->st[k], &cmd);
			yaml_quote(out, cmd.buf);
			strbuf_addch(out, '\n');
		}
	}
	strbuf_reset(&cmd);
	strbuf_addstr(out, "\nverify:\n  stage: verify\n  script:\n    - ");
	verify_command(p, &cmd);
	yaml_quote(out, cmd.buf);
	strbuf_addch(out, '\n');
	strbuf_release(&cmd);
}

int fleet_plan(struct fleet_cmd *fc, struct fw_error *err)
{
	const char *format = fc->base->plan_format && *fc->base->plan_format ? fc->base->plan_format : "json";
	struct strbuf out = STRBUF_INIT;
	struct plan p;
	if (strcasecmp(format, "github") && strcasecmp(format, "gitlab") && strcasecmp(format, "json")) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "unknown plan format '%s'", format);
		fw_error_hint(err, "use -format=github, -format=gitlab or -format=json");
		return -1;
	}
	if (check_names(&fc->fleet, err) < 0)
		return -1;
	plan_build(fc, &p);
	if (!strcasecmp(format, "github"))
		plan_github(&p, &out);
	else if (!strcasecmp(format, "gitlab"))
		plan_gitlab(&p, &out);
	else
		plan_json(&p, &out);
	free(p.st);
	/* the plan is the output, in text and JSON mode alike */
	fleet_put(fc, out.buf);
	strbuf_release(&out);
	return 0;
}
