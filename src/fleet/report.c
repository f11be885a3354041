/* Fleet audit report: JSON document and the HTML page drawn from it. */
#include "fleet/report.h"
#include "util/json.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- JSON */

/* a JSON string even from bytes that are not UTF-8 (server messages can be
 * in any encoding): invalid bytes become '?' rather than losing the text */
static json_t *jstr(const char *s)
{
	json_t *v;
	char *copy;
	if (!s)
		return json_null();
	v = json_string(s);
	if (v)
		return v;
	copy = xstrdup(s);
	for (unsigned char *p = (unsigned char *)copy; *p; p++)
		if (*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

static json_t *iso_time(long ms)
{
	char buf[64], zone[8];
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%03ld%.3s:%.2s", ms % 1000, zone, zone + 3);
	return json_string(buf);
}

const char *fw_report_status(const struct fw_fleet_result *res, const char *command)
{
	switch (res->status) {
	case FW_TS_OK:
		if (!strcmp(command, "migrate"))
			return res->nr_migs ? "migrated" : "up to date";
		return res->findings.nr ? "findings" : "ok";
	case FW_TS_FAILED: return "failed";
	case FW_TS_HALTED: return "halted";
	case FW_TS_INTERRUPTED: return "interrupted";
	case FW_TS_RUNNING: return "running";
	case FW_TS_WAITING: return "waiting";
	default: return "not started";
	}
}

static json_t *strvec_json(const struct strvec *sv)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sv->nr; i++)
		json_array_append_new(a, jstr(sv->v[i]));
	return a;
}

static json_t *log_json(const struct strbuf *log)
{
	json_t *a = json_array();
	const char *p = log->buf, *end = log->buf + log->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n);
		json_array_append_new(a, jstr(line));
		free(line);
		p += n + 1;
	}
	return a;
}

static json_t *migs_json(const struct fw_fleet_result *res)
{
	json_t *a = json_array();
	for (size_t i = 0; i < res->nr_migs; i++) {
		const struct fw_fleet_mig *g = &res->migs[i];
		json_t *o = json_object();
		json_object_set_new(o, "version", jstr(g->version));
		json_object_set_new(o, "description", jstr(g->description));
		json_object_set_new(o, "script", jstr(g->script));
		json_object_set_new(o, "executionTime", json_integer(g->ms));
		json_object_set_new(o, "success", json_boolean(g->success));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *target_json(struct fw_fleet_run *r, size_t i, const char *command)
{
	const struct fw_fleet_member *m = &r->fleet->m[i];
	struct fw_fleet_result *res = &r->res[i];
	int migrate = !strcmp(command, "migrate");
	json_t *o = json_object();
	json_object_set_new(o, "name", jstr(m->name));
	json_object_set_new(o, "wave", jstr(r->fleet->waves[m->wave].name));
	json_object_set_new(o, "source", json_string(m->from_inventory ? "inventory" : "environment"));
	json_object_set_new(o, "status", json_string(fw_report_status(res, command)));
	if (migrate) {
		json_object_set_new(o, "versionBefore", jstr(res->version_before));
		json_object_set_new(o, "versionAfter", jstr(res->version_after));
		json_object_set_new(o, "migrations", migs_json(res));
		json_object_set_new(o, "migrationsExecuted", json_integer((json_int_t)res->nr_migs));
	} else {
		json_object_set_new(o, "version", jstr(res->version));
		json_object_set_new(o, "pending", json_integer(res->pending));
		json_object_set_new(o, "failed", json_integer(res->failed));
		json_object_set_new(o, "pendingVersions", strvec_json(&res->pending_versions));
	}
	json_object_set_new(o, "durationMs", json_integer(res->ms));
	json_object_set_new(o, "findings", strvec_json(&res->findings));
	json_object_set_new(o, "error", jstr(res->error));
	if (res->dryrun_file)
		json_object_set_new(o, "dryrunFile", jstr(res->dryrun_file));
	/* the command's own JSON on this target, as it prints alone */
	if (res->summary)
		json_object_set_new(o, "summary", jstr(res->summary));
	if (res->result)
		json_object_set(o, "result", res->result);
	json_object_set_new(o, "log", log_json(&res->log));
	return o;
}

/* each step of the run (pre-flight, canary, waves) with its start and duration */
static json_t *phases_json(const struct fw_fleet_run *r)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->nr_phases; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "name", jstr(r->phases[i].name));
		json_object_set_new(o, "startedAt", iso_time(r->phases[i].started_ms));
		json_object_set_new(o, "durationMs", json_integer(r->phases[i].ms));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *fw_report_json(struct fw_fleet_run *r, const struct fw_report_info *info)
{
	const struct fw_fleet *f = r->fleet;
	json_t *doc = json_object(), *waves = json_array(), *targets = json_array();
	json_t *counts = json_object();
	size_t findings = 0;
	json_object_set_new(doc, "fleet", jstr(f->name));
	json_object_set_new(doc, "command", json_string(info->command));
	json_object_set_new(doc, "outcome", json_string(info->outcome));
	json_object_set_new(doc, "flywayVersion", json_string(FW_VERSION));
	json_object_set_new(doc, "startedAt", iso_time(info->started_ms));
	json_object_set_new(doc, "finishedAt", iso_time(info->finished_ms));
	json_object_set_new(doc, "durationMs", json_integer(info->finished_ms - info->started_ms));
	json_object_set_new(doc, "parallel", json_integer(f->parallel));
	json_object_set_new(doc, "pauseMs", json_integer(f->pause_ms));
	for (size_t w = 0; w < f->nr_waves; w++) {
		json_t *o = json_object(), *names = json_array();
		for (size_t i = f->waves[w].start; i < f->waves[w].end; i++)
			json_array_append_new(names, jstr(f->m[i].name));
		json_object_set_new(o, "name", jstr(f->waves[w].name));
		json_object_set_new(o, "targets", names);
		json_array_append_new(waves, o);
	}
	for (size_t i = 0; i < f->nr; i++) {
		const char *st = fw_report_status(&r->res[i], info->command);
		json_object_set_new(counts, st, json_integer(json_integer_value(json_object_get(counts, st)) + 1));
		findings += r->res[i].findings.nr;
		json_array_append_new(targets, target_json(r, i, info->command));
	}
	json_object_set_new(doc, "waves", waves);
	json_object_set_new(doc, "phases", phases_json(r));
	json_object_set_new(doc, "summary", counts);
	json_object_set_new(doc, "findings", json_integer((json_int_t)findings));
	if (info->verify >= 0) {
		json_t *v = json_object();
		json_object_set_new(v, "ok", json_boolean(info->verify));
		json_object_set_new(v, "version", jstr(info->fleet_version));
		json_object_set_new(doc, "verify", v);
	}
	json_object_set_new(doc, "targets", targets);
	return doc;
}

/* ---------------------------------------------------------------- HTML */

static const char *sget(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long iget(const json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}

static void duration(struct strbuf *out, long ms)
{
	if (ms < 1000)
		strbuf_addf(out, "%ld ms", ms);
	else if (ms < 60000)
		strbuf_addf(out, "%.1f s", (double)ms / 1000.0);
	else
		strbuf_addf(out, "%ld min %ld s", ms / 60000, (ms / 1000) % 60);
}

static const char style[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
	"h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}"
	"th{background:#f3f3f3}code,pre{font:12px/1.3 ui-monospace,monospace}"
	"pre{white-space:pre-wrap;margin:0}ul{margin:0;padding-left:1.2em}"
	".outcome-success{color:#176117}.outcome-other{color:#a11}"
	"tr.failed td.status,tr.halted td.status,tr.interrupted td.status,tr.findings td.status"
	"{color:#a11;font-weight:bold}"
	"tr.migrated td.status,tr.ok td.status{color:#176117}"
	"tr.not-started td{color:#777}";

static void cell_migrations(struct strbuf *out, const json_t *t)
{
	const json_t *migs = json_object_get(t, "migrations");
	size_t i;
	json_t *g;
	if (!json_array_size(migs)) {
		strbuf_addstr(out, "<td class=\"migrations\">none</td>");
		return;
	}
	strbuf_addstr(out, "<td class=\"migrations\"><ul>");
	json_array_foreach(migs, i, g) {
		const char *v = sget(g, "version");
		strbuf_addstr(out, "<li>");
		fw_html_escape(out, v && *v ? v : "R");
		strbuf_addstr(out, " - ");
		fw_html_escape(out, sget(g, "description"));
		strbuf_addstr(out, " (");
		duration(out, iget(g, "executionTime"));
		strbuf_addstr(out, json_is_true(json_object_get(g, "success")) ? ")" : ", FAILED)");
		strbuf_addstr(out, "</li>");
	}
	strbuf_addstr(out, "</ul></td>");
}

static void cell_problems(struct strbuf *out, const json_t *t)
{
	const json_t *findings = json_object_get(t, "findings");
	const char *error = sget(t, "error");
	size_t i;
	json_t *f;
	strbuf_addstr(out, "<td class=\"problems\">");
	if (json_array_size(findings)) {
		strbuf_addstr(out, "<ul class=\"findings\">");
		json_array_foreach(findings, i, f) {
			strbuf_addstr(out, "<li>");
			fw_html_escape(out, json_string_value(f));
			strbuf_addstr(out, "</li>");
		}
		strbuf_addstr(out, "</ul>");
	}
	if (error) {
		strbuf_addstr(out, "<pre class=\"error\">");
		fw_html_escape(out, error);
		strbuf_addstr(out, "</pre>");
	}
	strbuf_addstr(out, "</td>");
}

static void version_cell(struct strbuf *out, const char *cls, const json_t *v)
{
	strbuf_addf(out, "<td class=\"%s\">", cls);
	fw_html_escape(out, json_is_string(v) ? json_string_value(v) : "<< Empty Schema >>");
	strbuf_addstr(out, "</td>");
}

static void target_row(struct strbuf *out, const json_t *t, int migrate)
{
	const char *st = sget(t, "status");
	strbuf_addstr(out, "<tr class=\"");
	for (const char *p = st; p && *p; p++)
		strbuf_addch(out, *p == ' ' ? '-' : *p);
	strbuf_addstr(out, "\" data-target=\"");
	fw_html_escape(out, sget(t, "name"));
	strbuf_addstr(out, "\"><td class=\"name\">");
	fw_html_escape(out, sget(t, "name"));
	strbuf_addstr(out, "</td><td class=\"status\">");
	fw_html_escape(out, st);
	strbuf_addstr(out, "</td>");
	if (migrate) {
		version_cell(out, "before", json_object_get(t, "versionBefore"));
		version_cell(out, "after", json_object_get(t, "versionAfter"));
		cell_migrations(out, t);
	} else {
		version_cell(out, "version", json_object_get(t, "version"));
		strbuf_addf(out, "<td class=\"pending\">%ld</td><td class=\"failed\">%ld</td>", iget(t, "pending"),
			    iget(t, "failed"));
	}
	strbuf_addstr(out, "<td class=\"duration\">");
	duration(out, iget(t, "durationMs"));
	strbuf_addstr(out, "</td>");
	cell_problems(out, t);
	strbuf_addstr(out, "</tr>\n");
}

static void wave_section(struct strbuf *out, const json_t *doc, const json_t *wave, int migrate)
{
	const char *name = sget(wave, "name");
	const json_t *targets = json_object_get(doc, "targets");
	size_t i;
	json_t *t;
	strbuf_addstr(out, "<section class=\"wave\"><h2>");
	fw_html_escape(out, name);
	strbuf_addf(out, " &middot; %zu target%s</h2>\n<table><thead><tr><th>Target</th><th>Status</th>",
		    json_array_size(json_object_get(wave, "targets")),
		    json_array_size(json_object_get(wave, "targets")) == 1 ? "" : "s");
	if (migrate)
		strbuf_addstr(out, "<th>Version before</th><th>Version after</th><th>Migrations applied</th>");
	else
		strbuf_addstr(out, "<th>Version</th><th>Pending</th><th>Failed</th>");
	strbuf_addstr(out, "<th>Duration</th><th>Errors and findings</th></tr></thead><tbody>\n");
	json_array_foreach(targets, i, t)
		if (!strcmp(sget(t, "wave"), name))
			target_row(out, t, migrate);
	strbuf_addstr(out, "</tbody></table></section>\n");
}

/* the steps of the run: pre-flight, canary, each wave, and how long each took */
static void phases_section(struct strbuf *out, const json_t *doc)
{
	const json_t *phases = json_object_get(doc, "phases");
	size_t i;
	json_t *p;
	if (!json_array_size(phases))
		return;
	strbuf_addstr(out, "<section class=\"phases\"><h2>Timeline</h2>\n<table><thead><tr><th>Step</th>"
			   "<th>Started</th><th>Duration</th></tr></thead><tbody>\n");
	json_array_foreach(phases, i, p) {
		long long ms = json_integer_value(json_object_get(p, "durationMs"));
		strbuf_addstr(out, "<tr><td>");
		fw_html_escape(out, sget(p, "name"));
		strbuf_addstr(out, "</td><td>");
		fw_html_escape(out, sget(p, "startedAt"));
		strbuf_addf(out, "</td><td>%lld.%03llds</td></tr>\n", ms / 1000, ms % 1000);
	}
	strbuf_addstr(out, "</tbody></table></section>\n");
}

static void logs_section(struct strbuf *out, const json_t *doc)
{
	size_t i, j;
	json_t *t, *line;
	strbuf_addstr(out, "<section class=\"logs\"><h2>Logs</h2>\n");
	json_array_foreach(json_object_get(doc, "targets"), i, t) {
		const json_t *log = json_object_get(t, "log");
		if (!json_array_size(log))
			continue;
		strbuf_addstr(out, "<details><summary>");
		fw_html_escape(out, sget(t, "name"));
		strbuf_addstr(out, "</summary><pre>");
		json_array_foreach(log, j, line) {
			fw_html_escape(out, json_string_value(line));
			strbuf_addch(out, '\n');
		}
		strbuf_addstr(out, "</pre></details>\n");
	}
	strbuf_addstr(out, "</section>\n");
}

void fw_report_html(const json_t *doc, struct strbuf *out)
{
	const char *outcome = sget(doc, "outcome");
	const json_t *verify = json_object_get(doc, "verify");
	int migrate = !strcmp(sget(doc, "command"), "migrate");
	const char *key;
	json_t *v, *wave;
	size_t i;
	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>fleetway ");
	fw_html_escape(out, sget(doc, "command"));
	strbuf_addstr(out, " report: fleet ");
	fw_html_escape(out, sget(doc, "fleet"));
	strbuf_addf(out, "</title>\n<style>%s</style></head><body>\n<h1>Fleet <code>", style);
	fw_html_escape(out, sget(doc, "fleet"));
	strbuf_addstr(out, "</code>: ");
	fw_html_escape(out, sget(doc, "command"));
	strbuf_addf(out, " &mdash; <span id=\"outcome\" class=\"%s\">",
		    !strcmp(outcome, "success") ? "outcome-success" : "outcome-other");
	fw_html_escape(out, outcome);
	strbuf_addstr(out, "</span></h1>\n<p class=\"summary\">Started ");
	fw_html_escape(out, sget(doc, "startedAt"));
	strbuf_addstr(out, ", finished ");
	fw_html_escape(out, sget(doc, "finishedAt"));
	strbuf_addstr(out, " (");
	duration(out, iget(doc, "durationMs"));
	strbuf_addf(out, "); %zu targets in %zu waves, up to %ld at once.",
		    json_array_size(json_object_get(doc, "targets")), json_array_size(json_object_get(doc, "waves")),
		    iget(doc, "parallel"));
	strbuf_addstr(out, "</p>\n<ul class=\"counts\">");
	json_object_foreach((json_t *)json_object_get(doc, "summary"), key, v) {
		strbuf_addf(out, "<li>%ld ", (long)json_integer_value(v));
		fw_html_escape(out, key);
		strbuf_addstr(out, "</li>");
	}
	strbuf_addstr(out, "</ul>\n");
	if (verify) {
		strbuf_addf(out, "<p id=\"verify\">Post-flight verification: %s",
			    json_is_true(json_object_get(verify, "ok")) ? "every target is on version "
									: "targets differ; the fleet is mostly on version ");
		fw_html_escape(out, json_is_string(json_object_get(verify, "version")) ? sget(verify, "version")
									 : "<< Empty Schema >>");
		strbuf_addstr(out, ".</p>\n");
	}
	phases_section(out, doc);
	json_array_foreach(json_object_get(doc, "waves"), i, wave)
		wave_section(out, doc, wave, migrate);
	logs_section(out, doc);
	strbuf_addstr(out, "<p><small>Written by fleetway ");
	fw_html_escape(out, sget(doc, "flywayVersion"));
	strbuf_addstr(out, ".</small></p>\n</body></html>\n");
}

/* ---------------------------------------------------------------- files */

int fw_report_write(const char *base, const json_t *doc, char **json_path, char **html_path,
		    struct fw_error *err)
{
	return fw_report_write_with(base, doc, fw_report_html, json_path, html_path, err);
}
