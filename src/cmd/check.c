/* fleetway check -code / -dryrun: the report of the check operation
 * (ops/check.h), written as <reportFilename>.json and .html as Flyway's
 * check does, and its findings on the terminal. The rules are fleetway's
 * own, see sql/lint.h. */
#include "cmd/cmd.h"
#include "ops/check.h"
#include "util/report-file.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *fw_check_findings_json(const struct fw_lint *l)
{
	json_t *results = json_array();
	for (size_t i = 0; i < l->nr; i++) {
		const struct fw_lint_finding *f = &l->v[i];
		json_t *file = NULL, *v = json_object();
		size_t n = json_array_size(results);
		/* findings come script by script: group them under one entry each */
		if (n && !strcmp(json_string_value(json_object_get(json_array_get(results, n - 1), "filepath")),
				 f->script))
			file = json_array_get(results, n - 1);
		if (!file) {
			file = json_object();
			json_object_set_new(file, "filepath", json_string(f->script));
			json_object_set_new(file, "violations", json_array());
			json_array_append_new(results, file);
		}
		json_object_set_new(v, "line_no", json_integer(f->line));
		json_object_set_new(v, "code", json_string(f->code));
		json_object_set_new(v, "description", json_string(f->message));
		json_object_set_new(v, "warning", json_boolean(!f->error));
		json_object_set_new(v, "help", json_string(f->hint));
		json_object_set_new(v, "engine", json_string("fleetway"));
		json_array_append_new(json_object_get(file, "violations"), v);
	}
	return results;
}

static void violations_html(const json_t *doc, struct strbuf *out)
{
	size_t i, j;
	json_t *file, *v;
	strbuf_addstr(out, "<h2>Code analysis</h2>\n<p id=\"summary\">");
	fw_html_escape(out, json_string_value(json_object_get(doc, "summary")));
	strbuf_addstr(out, "</p>\n<table id=\"violations\"><tr><th>Script</th><th>Line</th><th>Severity</th>"
		      "<th>Code</th><th>Finding</th><th>What to do</th></tr>\n");
	json_array_foreach(json_object_get(doc, "results"), i, file) {
		json_array_foreach(json_object_get(file, "violations"), j, v) {
			int warning = json_is_true(json_object_get(v, "warning"));
			strbuf_addstr(out, "<tr><td>");
			fw_html_escape(out, json_string_value(json_object_get(file, "filepath")));
			strbuf_addf(out, "</td><td>%d</td><td class=\"%s\">%s</td><td>",
				    (int)json_integer_value(json_object_get(v, "line_no")),
				    warning ? "warning" : "error", warning ? "warning" : "error");
			fw_html_escape(out, json_string_value(json_object_get(v, "code")));
			strbuf_addstr(out, "</td><td>");
			fw_html_escape(out, json_string_value(json_object_get(v, "description")));
			strbuf_addstr(out, "</td><td>");
			fw_html_escape(out, json_string_value(json_object_get(v, "help")));
			strbuf_addstr(out, "</td></tr>\n");
		}
	}
	strbuf_addstr(out, "</table>\n");
}

static void dryrun_html(const json_t *d, struct strbuf *out)
{
	strbuf_addstr(out, "<h2>Dry run</h2>\n<p>What migrate would send, also in ");
	fw_html_escape(out, json_string_value(json_object_get(d, "file")));
	if (json_is_true(json_object_get(d, "truncated")))
		strbuf_addstr(out, " (only its start is shown here)");
	strbuf_addstr(out, ":</p>\n<pre id=\"dryrun\">");
	fw_html_escape(out, json_string_value(json_object_get(d, "sql")));
	strbuf_addstr(out, "</pre>\n");
}

static void check_html(const json_t *doc, struct strbuf *out)
{
	strbuf_addstr(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>fleetway check</title>\n"
		      "<style>body{font:14px sans-serif;margin:2em}table{border-collapse:collapse}"
		      "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
		      ".error{color:#b00020;font-weight:bold}.warning{color:#8a6d00}"
		      "pre{background:#f6f6f6;padding:1em;overflow:auto}</style></head><body>\n"
		      "<h1>fleetway check</h1>\n");
	if (json_object_get(doc, "results"))
		violations_html(doc, out);
	if (json_object_get(doc, "dryrun"))
		dryrun_html(json_object_get(doc, "dryrun"), out);
	strbuf_addstr(out, "</body></html>\n");
}

void fw_check_print_findings(struct fw_cmd_ctx *c, const struct fw_lint *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		const struct fw_lint_finding *f = &l->v[i];
		struct strbuf line = STRBUF_INIT;
		strbuf_addf(&line, "%s:%d: %s %s: %s\n  hint: %s\n", f->script, f->line,
			    f->error ? "error" : "warning", f->code, f->message, f->hint);
		fw_cmd_print(c, line.buf);
		strbuf_release(&line);
	}
}

static void summary_text(const struct fw_check_result *r, struct strbuf *out)
{
	size_t warnings = r->lint.nr - r->errors;
	strbuf_addf(out, "Code analysis of %zu %smigration%s%s: %zu error%s, %zu warning%s", r->scripts,
		    r->offline ? "" : "pending ", r->scripts == 1 ? "" : "s",
		    r->offline ? " (no database: every file)" : "", r->errors, r->errors == 1 ? "" : "s",
		    warnings, warnings == 1 ? "" : "s");
}

static json_t *check_json(struct fw_cmd_ctx *c, const struct fw_check_result *r, const char *summary)
{
	json_t *doc = fw_cmd_result_base(c, "check");
	if (r->code) {
		json_object_set_new(doc, "results", fw_check_findings_json(&r->lint));
		json_object_set_new(doc, "summary", json_string(summary));
	}
	if (r->dryrun && r->dryrun_path) {
		json_t *d = json_object();
		json_object_set_new(d, "file", json_string(r->dryrun_path));
		json_object_set_new(d, "sql", json_stringn(r->dryrun_sql.buf, r->dryrun_sql.len));
		json_object_set_new(d, "truncated", json_boolean(r->dryrun_truncated));
		json_object_set_new(doc, "dryrun", d);
	}
	return doc;
}

int render_check(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_check_result *r = result;
	struct strbuf summary = STRBUF_INIT;
	char *json_path = NULL, *html_path = NULL;
	json_t *doc;
	int ret = -1;
	if (rc < 0)
		return rc;
	if (r->code)
		summary_text(r, &summary);
	doc = check_json(c, r, summary.buf);
	if (fw_report_write_with(c->cfg->report_filename ? c->cfg->report_filename : "report", doc, check_html,
				 &json_path, &html_path, err) < 0) {
		json_decref(doc);
		goto out;
	}
	json_object_set_new(doc, "htmlReport", json_string(html_path));
	json_object_set_new(doc, "jsonReport", json_string(json_path));
	if (r->code)
		fw_check_print_findings(c, &r->lint);
	if (r->code)
		fw_info(c->out, "%s.", summary.buf);
	fw_info(c->out, "Report: %s (and %s)", html_path, json_path);
	c->result = doc;
	if (r->errors && fw_config_setting_bool(c->cfg, "check.code.failOnError", 0)) {
		fw_errorf(err, "CHECK_CODE_VIOLATION", "Code analysis found %zu error%s", r->errors,
			  r->errors == 1 ? "" : "s");
		fw_error_hint(err, "fix them, or set check.code.failOnError=false to report without failing");
		goto out;
	}
	ret = 0;
out:
	free(json_path);
	free(html_path);
	strbuf_release(&summary);
	return ret;
}
