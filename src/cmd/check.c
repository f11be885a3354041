/* fleetway check -code / -dryrun / -drift / -changes / -rehearse: the report
 * of the check operation (ops/check.h), written as <reportFilename>.json and
 * .html as Flyway's check does (and .sarif for -code), and its findings on
 * the terminal. */
#include "cmd/check-rehearse.h"
#include "cmd/check-sarif.h"
#include "cmd/check-state.h"
#include "cmd/cmd.h"
#include "ops/check.h"
#include "util/report-file.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *rows_how_text(enum fw_rows_how how)
{
	return how == FW_ROWS_ESTIMATE ? "estimate" : how == FW_ROWS_AT_LEAST ? "at least" : "exact";
}

/* Flyway's violation fields, and the table's size where one was looked up */
static json_t *violation_json(const struct fw_lint_finding *f)
{
	json_t *v = json_object();
	json_object_set_new(v, "line_no", json_integer(f->line));
	json_object_set_new(v, "line_pos", json_integer(f->col));
	json_object_set_new(v, "line_no_end", json_integer(f->end_line));
	json_object_set_new(v, "line_pos_end", json_integer(f->end_col));
	json_object_set_new(v, "code", json_string(f->code));
	json_object_set_new(v, "description", json_string(f->message));
	json_object_set_new(v, "warning", json_boolean(!f->error));
	json_object_set_new(v, "help", f->hint ? json_string(f->hint) : json_null());
	json_object_set_new(v, "engine", json_string(f->engine));
	if (f->rows_how != FW_ROWS_UNKNOWN) {
		json_t *t = json_object();
		json_object_set_new(t, "schema", f->table_schema ? json_string(f->table_schema) : json_null());
		json_object_set_new(t, "name", json_string(f->table));
		json_object_set_new(t, "rows", json_integer(f->rows));
		json_object_set_new(t, "rowsAre", json_string(rows_how_text(f->rows_how)));
		json_object_set_new(t, "bytes", f->bytes >= 0 ? json_integer(f->bytes) : json_null());
		json_object_set_new(v, "table", t);
	}
	return v;
}

json_t *fw_check_findings_json(const struct fw_lint *l)
{
	json_t *results = json_array();
	for (size_t i = 0; i < l->nr; i++) {
		const struct fw_lint_finding *f = &l->v[i];
		json_t *file = NULL;
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
		json_array_append_new(json_object_get(file, "violations"), violation_json(f));
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
		      "<th>Engine</th><th>Code</th><th>Finding</th><th>What to do</th></tr>\n");
	json_array_foreach(json_object_get(doc, "results"), i, file) {
		json_array_foreach(json_object_get(file, "violations"), j, v) {
			int warning = json_is_true(json_object_get(v, "warning"));
			strbuf_addstr(out, "<tr><td>");
			fw_html_escape(out, json_string_value(json_object_get(file, "filepath")));
			strbuf_addf(out, "</td><td>%d", (int)json_integer_value(json_object_get(v, "line_no")));
			if (json_integer_value(json_object_get(v, "line_pos")))
				strbuf_addf(out, ":%d", (int)json_integer_value(json_object_get(v, "line_pos")));
			strbuf_addf(out, "</td><td class=\"%s\">%s</td><td>", warning ? "warning" : "error",
				    warning ? "warning" : "error");
			fw_html_escape(out, json_string_value(json_object_get(v, "engine")));
			strbuf_addstr(out, "</td><td>");
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
	check_state_html(doc, out);
	if (json_object_get(doc, "rehearsal"))
		fw_rehearse_html(json_object_get(doc, "rehearsal"), out);
	strbuf_addstr(out, "</body></html>\n");
}

void fw_check_print_findings(struct fw_cmd_ctx *c, const struct fw_lint *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		const struct fw_lint_finding *f = &l->v[i];
		struct strbuf line = STRBUF_INIT;
		strbuf_addf(&line, "%s:%d:", f->script, f->line);
		if (f->col)
			strbuf_addf(&line, "%d:", f->col);
		strbuf_addf(&line, " %s %s: %s\n", f->error ? "error" : "warning", f->code, f->message);
		if (f->hint)
			strbuf_addf(&line, "  hint: %s\n", f->hint);
		fw_cmd_print(c, line.buf);
		strbuf_release(&line);
	}
}

static void summary_text(const struct fw_check_result *r, struct strbuf *out)
{
	size_t warnings = r->lint.nr - r->errors;
	int pending = !strcmp(r->scope, "PENDING");
	strbuf_addf(out, "Code analysis of %zu %smigration%s", r->scripts, pending ? "pending " : "",
		    r->scripts == 1 ? "" : "s");
	if (r->offline)
		strbuf_addstr(out, " (no database: every file)");
	else if (!pending)
		strbuf_addf(out, " (scope %s)", r->scope);
	strbuf_addf(out, ": %zu error%s, %zu warning%s", r->errors, r->errors == 1 ? "" : "s", warnings,
		    warnings == 1 ? "" : "s");
}

/* <report>.sarif beside the JSON and HTML */
static int write_sarif(struct fw_cmd_ctx *c, const struct fw_check_result *r, char **path, struct fw_error *err)
{
	struct strbuf p = STRBUF_INIT;
	json_t *sarif = fw_check_sarif(r->code ? &r->lint : NULL, r->rehearse ? &r->rehearsal : NULL,
				       c->cfg->working_directory);
	int ret;
	fw_report_stem(c->cfg->report_filename ? c->cfg->report_filename : "report", &p);
	strbuf_addstr(&p, ".sarif");
	ret = fw_report_write_json(p.buf, sarif, err);
	json_decref(sarif);
	*path = strbuf_detach(&p, NULL);
	return ret;
}

static json_t *check_json(struct fw_cmd_ctx *c, const struct fw_check_result *r, const char *summary)
{
	json_t *doc = fw_cmd_result_base(c, "check");
	if (r->code) {
		json_object_set_new(doc, "results", fw_check_findings_json(&r->lint));
		json_object_set_new(doc, "summary", json_string(summary));
		json_object_set_new(doc, "scope", json_string(r->scope));
		json_object_set_new(doc, "sqlfluff", json_string(r->sqlfluff));
		json_object_set_new(doc, "regexRules", json_integer((json_int_t)r->regex_rules));
	}
	if (r->dryrun && r->dryrun_path) {
		json_t *d = json_object();
		json_object_set_new(d, "file", json_string(r->dryrun_path));
		json_object_set_new(d, "sql", json_stringn(r->dryrun_sql.buf, r->dryrun_sql.len));
		json_object_set_new(d, "truncated", json_boolean(r->dryrun_truncated));
		json_object_set_new(doc, "dryrun", d);
	}
	check_state_entries(c, r, doc);
	if (r->rehearse)
		json_object_set_new(doc, "rehearsal", fw_rehearse_json(&r->rehearsal));
	return doc;
}

int render_check(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_check_result *r = result;
	struct strbuf summary = STRBUF_INIT;
	char *json_path = NULL, *html_path = NULL, *sarif_path = NULL;
	json_t *doc, *file_doc;
	int ret = -1;
	if (rc < 0)
		return rc;
	if (r->code)
		summary_text(r, &summary);
	doc = check_json(c, r, summary.buf);
	file_doc = check_state_merged(doc, c->cfg->report_filename ? c->cfg->report_filename : "report");
	rc = fw_report_write_with(c->cfg->report_filename ? c->cfg->report_filename : "report", file_doc, check_html,
				  &json_path, &html_path, err);
	json_decref(file_doc);
	if (rc < 0) {
		json_decref(doc);
		goto out;
	}
	json_object_set_new(doc, "htmlReport", json_string(html_path));
	json_object_set_new(doc, "jsonReport", json_string(json_path));
	if ((r->code || r->rehearse) && write_sarif(c, r, &sarif_path, err) < 0) {
		json_decref(doc);
		goto out;
	}
	if (sarif_path)
		json_object_set_new(doc, "sarifReport", json_string(sarif_path));
	if (r->code) {
		fw_check_print_findings(c, &r->lint);
		if (!strcmp(r->sqlfluff, "not installed"))
			fw_info(c->out, "SQLFluff is not installed: its rules were not run (Debian: apt-get install sqlfluff).");
		fw_info(c->out, "%s.", summary.buf);
	}
	check_state_print(c, r);
	if (r->rehearse)
		fw_rehearse_print(c->out, &r->rehearsal);
	if (sarif_path)
		fw_info(c->out, "Report: %s (and %s, %s)", html_path, json_path, sarif_path);
	else
		fw_info(c->out, "Report: %s (and %s)", html_path, json_path);
	c->result = doc;
	if (r->rehearse && r->rehearsal.problems) {
		fw_errorf(err, "CHECK_REHEARSAL_FAILED", "The rehearsal found %zu problem%s", r->rehearsal.problems,
			  r->rehearsal.problems == 1 ? "" : "s");
		fw_error_detail(err, "on %s; everything it ran was rolled back", r->rehearsal.where);
		fw_error_hint(err, "split or rewrite the slow or failing migrations (see the report), or raise check.maxMigrationSeconds if the time is acceptable");
		goto out;
	}
	if (r->errors && fw_config_setting_bool(c->cfg, "check.code.failOnError", 0)) {
		fw_errorf(err, "CHECK_CODE_VIOLATION", "Code analysis found %zu error%s", r->errors,
			  r->errors == 1 ? "" : "s");
		fw_error_hint(err, "fix them, or set check.code.failOnError=false to report without failing");
		goto out;
	}
	if (check_state_gate(c, r, html_path, err) < 0)
		goto out;
	ret = 0;
out:
	free(json_path);
	free(html_path);
	free(sarif_path);
	strbuf_release(&summary);
	return ret;
}
