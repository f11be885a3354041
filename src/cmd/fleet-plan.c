/* fleetway -fleet=NAME plan: the waves as a CI matrix, so that a fleet too
 * large for one machine runs on the CI system's runners, one job per target
 * running `fleetway -environment=X info validate migrate`, with `verify`
 * aggregating at the end. */
#include "fleet-cmd.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- plan */

static int plain_word(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/=,", *s))
			return 0;
	return 1;
}

static void shell_quote(struct strbuf *out, const char *s)
{
	if (plain_word(s)) {
		strbuf_addstr(out, s);
		return;
	}
	strbuf_addch(out, '\'');
	for (; *s; s++)
		if (*s == '\'')
			strbuf_addstr(out, "'\\''");
		else
			strbuf_addch(out, *s);
	strbuf_addch(out, '\'');
}

/* -ignoreMigrationPatterns=<configured>,*:pending: validate before migrate
 * fails on pending migrations otherwise (Flyway does the same) */
static void ignore_pending_flag(struct fleet_cmd *fc, struct strbuf *out)
{
	const struct strvec *pats = &fc->base->ignore_migration_patterns;
	strbuf_addstr(out, "-ignoreMigrationPatterns=");
	for (size_t i = 0; i < pats->nr; i++)
		strbuf_addf(out, "%s,", pats->v[i]);
	if (!strvec_contains(pats, "*:pending"))
		strbuf_addstr(out, "*:pending");
	else if (out->buf[out->len - 1] == ',')
		strbuf_setlen(out, out->len - 1);
}

/* the command one CI job runs for a target: an environment migrates alone
 * with -environment=X as always; an inventory row is no environment, so its
 * job selects it from the fleet (which validates in its pre-flight) */
static void job_command(struct fleet_cmd *fc, const struct fw_fleet_member *m, struct strbuf *out)
{
	struct strbuf arg = STRBUF_INIT;
	strbuf_addstr(out, "fleetway ");
	if (m->from_inventory) {
		strbuf_addf(&arg, "-fleet=%s:%s", fc->fleet.name, m->name);
		shell_quote(out, arg.buf);
		strbuf_addstr(out, " migrate");
	} else {
		strbuf_addf(&arg, "-environment=%s", m->name);
		shell_quote(out, arg.buf);
		strbuf_reset(&arg);
		ignore_pending_flag(fc, &arg);
		strbuf_addch(out, ' ');
		shell_quote(out, arg.buf);
		strbuf_addstr(out, " info validate migrate");
	}
	strbuf_release(&arg);
}

static void verify_command(struct fleet_cmd *fc, struct strbuf *out)
{
	struct strbuf arg = STRBUF_INIT;
	strbuf_addf(&arg, "-fleet=%s", fc->fleet.name);
	strbuf_addstr(out, "fleetway ");
	shell_quote(out, arg.buf);
	strbuf_addstr(out, " verify");
	strbuf_release(&arg);
}

static json_t *plan_json(struct fleet_cmd *fc, int github)
{
	json_t *doc = json_object(), *waves = json_array();
	struct strbuf cmd = STRBUF_INIT;
	json_object_set_new(doc, "fleet", json_string(fc->fleet.name));
	json_object_set_new(doc, github ? "max-parallel" : "parallel", json_integer(fc->fleet.parallel));
	json_object_set_new(doc, "pauseSeconds", json_real((double)fc->fleet.pause_ms / 1000.0));
	for (size_t w = 0; w < fc->fleet.nr_waves; w++) {
		const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
		json_t *o = json_object(), *jobs = json_array();
		for (size_t i = wv->start; i < wv->end; i++) {
			json_t *job = json_object();
			strbuf_reset(&cmd);
			job_command(fc, &fc->fleet.m[i], &cmd);
			json_object_set_new(job, "target", json_string(fc->fleet.m[i].name));
			json_object_set_new(job, "command", json_string(cmd.buf));
			json_array_append_new(jobs, job);
		}
		json_object_set_new(o, "name", json_string(wv->name));
		if (github) {
			/* usable as strategy.matrix: fromJSON(...).waves[N].matrix */
			json_t *matrix = json_object();
			json_object_set_new(matrix, "include", jobs);
			json_object_set_new(o, "matrix", matrix);
		} else {
			json_object_set_new(o, "jobs", jobs);
		}
		json_array_append_new(waves, o);
	}
	json_object_set_new(doc, "waves", waves);
	strbuf_reset(&cmd);
	verify_command(fc, &cmd);
	json_object_set_new(doc, "verify", json_pack("{s:s}", "command", cmd.buf));
	strbuf_release(&cmd);
	return doc;
}

/* a YAML single-quoted scalar: safe for any text */
static void yaml_quote(struct strbuf *out, const char *s)
{
	strbuf_addch(out, '\'');
	strbuf_add_doubled(out, s, '\'');
	strbuf_addch(out, '\'');
}

static void plan_gitlab(struct fleet_cmd *fc, struct strbuf *out)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(out, "# fleetway plan for fleet %s: one job per target, one stage per wave, verify last\n",
		    fc->fleet.name);
	strbuf_addf(out, "# (at most %d targets at once: set runner concurrency or a resource_group)\n",
		    fc->fleet.parallel);
	strbuf_addstr(out, "stages:\n");
	for (size_t w = 0; w < fc->fleet.nr_waves; w++)
		strbuf_addf(out, "  - fleet-wave-%zu\n", w);
	strbuf_addstr(out, "  - fleet-verify\n");
	for (size_t w = 0; w < fc->fleet.nr_waves; w++) {
		const struct fw_fleet_wave *wv = &fc->fleet.waves[w];
		strbuf_addch(out, '\n');
		strbuf_addstr(out, "# ");
		strbuf_addstr(out, wv->name);
		strbuf_addch(out, '\n');
		for (size_t i = wv->start; i < wv->end; i++) {
			struct strbuf name = STRBUF_INIT;
			strbuf_addf(&name, "migrate %s", fc->fleet.m[i].name);
			yaml_quote(out, name.buf);
			strbuf_addf(out, ":\n  stage: fleet-wave-%zu\n", w);
			if (w && fc->fleet.pause_ms > 0)
				strbuf_addf(out, "  when: delayed\n  start_in: %ld seconds\n",
					    (fc->fleet.pause_ms + 999) / 1000);
			strbuf_addstr(out, "  script:\n    - ");
			strbuf_reset(&cmd);
			job_command(fc, &fc->fleet.m[i], &cmd);
			yaml_quote(out, cmd.buf);
			strbuf_addch(out, '\n');
			strbuf_release(&name);
		}
	}
	strbuf_reset(&cmd);
	verify_command(fc, &cmd);
	strbuf_addstr(out, "\nfleet-verify:\n  stage: fleet-verify\n  script:\n    - ");
	yaml_quote(out, cmd.buf);
	strbuf_addch(out, '\n');
	strbuf_release(&cmd);
}

int fleet_plan(struct fleet_cmd *fc, struct fw_error *err)
{
	const char *format = fc->base->plan_format && *fc->base->plan_format ? fc->base->plan_format : "json";
	struct strbuf out = STRBUF_INIT;
	if (!strcasecmp(format, "gitlab")) {
		plan_gitlab(fc, &out);
	} else if (!strcasecmp(format, "github") || !strcasecmp(format, "json")) {
		json_t *doc = plan_json(fc, !strcasecmp(format, "github"));
		fw_json_dump(doc, &out);
		json_decref(doc);
	} else {
		fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "unknown plan format '%s'", format);
		fw_error_hint(err, "use -format=github, -format=gitlab or -format=json");
		return -1;
	}
	/* the plan is the output, in text and JSON mode alike */
	fleet_put(fc, out.buf);
	strbuf_release(&out);
	return 0;
}
