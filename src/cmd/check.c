/* fleetway check -code / -dryrun: static analysis of the migrations a deploy
 * would run, and the script it would send (reference 10; the rules are
 * fleetway's own, see sql/lint.h). The report is written as
 * <reportFilename>.json and .html, as Flyway's check does. */
#include "cmd.h"
#include "ops/check.h"
#include "ops/dryrun.h"
#include "ops/migrate.h"
#include "fleet/report.h"
#include "config/toml.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#define DRYRUN_IN_REPORT (1024 * 1024)

static int has_flag(const struct fw_cmd_ctx *c, const char *name)
{
	return strvec_contains(&c->cfg->command_flags, name);
}

/* [flyway.check] code.failOnError (Flyway's key), a TOML bool or a flag's string */
static int fail_on_error(const struct fw_cmd_ctx *c)
{
	const struct toml_value *v = toml_get_path(fw_settings_root(c->settings),
						   "flyway.check.code.failOnError");
	if (!v)
		return 0;
	if (v->type == TOML_BOOL)
		return v->u.b;
	return v->type == TOML_STRING && !strcasecmp(v->u.str.s, "true");
}

/* [flyway.check] rulesDialect (Flyway's key); NULL when not set */
static const char *rules_dialect_text(const struct fw_cmd_ctx *c)
{
	const struct toml_value *v = toml_get_path(fw_settings_root(c->settings), "flyway.check.rulesDialect");
	return v && v->type == TOML_STRING ? v->u.str.s : NULL;
}

/* Flyway's values; only the checks without a database use it here, but a value
 * Flyway would not take is a mistake wherever it is written */
static int check_rules_dialect(const struct fw_cmd_ctx *c, struct fw_error *err)
{
	static const char *const flyway_dialects[] = {
		"ansi", "bigquery", "clickhouse", "databricks", "db2", "duckdb", "mariadb", "mysql", "oracle",
		"postgres", "redshift", "snowflake", "sqlite", "tsql", "text", "postgresql", NULL,
	};
	const char *s = rules_dialect_text(c);
	if (!s)
		return 0;
	for (int i = 0; flyway_dialects[i]; i++)
		if (!strcasecmp(s, flyway_dialects[i]))
			return 0;
	fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.rulesDialect: unknown dialect '%s'", s);
	fw_error_hint(err, "one of Flyway's dialects: ansi, bigquery, clickhouse, databricks, db2, duckdb, mariadb, mysql, oracle, postgres, redshift, snowflake, sqlite, tsql, text");
	return -1;
}

/* the rules for a check without a database (default postgres) */
static int rules_dialect(const struct fw_cmd_ctx *c, enum sql_dialect *d, struct fw_error *err)
{
	const char *s = rules_dialect_text(c);
	if (!s)
		s = "postgres";
	if (!strcasecmp(s, "postgres") || !strcasecmp(s, "postgresql"))
		*d = SQL_DIALECT_POSTGRES;
	else if (!strcasecmp(s, "mysql") || !strcasecmp(s, "mariadb"))
		*d = SQL_DIALECT_MYSQL;
	else if (!strcasecmp(s, "sqlite"))
		*d = SQL_DIALECT_SQLITE;
	else {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.rulesDialect: unknown dialect '%s'", s);
		fw_error_hint(err, "fleetway's rules without a database are postgres, mysql, mariadb and sqlite; or give a url");
		return -1;
	}
	return 0;
}

/* Without a url, as Flyway's check: every file (nothing is applied yet),
 * with the rules of check.rulesDialect (default postgres). */
static int connect_or_offline(struct fw_cmd_ctx *c, int *offline, struct fw_error *err)
{
	enum sql_dialect d;
	*offline = !c->cfg->url || !*c->cfg->url;
	if (!*offline)
		return fw_cmd_connect(c, err);
	if (rules_dialect(c, &d, err) < 0)
		return -1;
	/* not c->connected: a later command of the chain must not take it for a connection */
	if (fw_target_offline(&c->target, c->cfg, c->out, d, err) < 0) {
		fw_target_close(&c->target);
		return -1;
	}
	return 0;
}

/* what migrate would run now, in its order: pending versioned, then repeatables */
static int analyse(struct fw_cmd_ctx *c, int offline, struct fw_lint *l, size_t *scripts,
		   struct fw_error *err)
{
	struct fw_target *t = &c->target;
	struct fw_plan plan;
	int exists = 0, ret;
	if (!offline && (fw_target_schema_exists(t, t->schema, &exists, err) < 0 ||
			 (exists && fw_target_load_history(t, err) < 0)))
		return -1;
	if (!exists)
		fw_history_forget(&t->hist);
	if (fw_target_plan(t, &plan, err) < 0)
		return -1;
	ret = fw_check_code(t, &plan, l, scripts, err);
	fw_plan_release(&plan);
	return ret;
}

static json_t *findings_json(const struct fw_lint *l)
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

static void print_findings(struct fw_cmd_ctx *c, const struct fw_lint *l)
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

static int unsupported(const struct fw_cmd_ctx *c, struct fw_error *err)
{
	static const char *const later[] = { "drift", "changes", NULL };
	for (int i = 0; later[i]; i++)
		if (has_flag(c, later[i])) {
			fw_errorf_exit(err, FW_EXIT_NOT_IMPLEMENTED, "ERROR",
				       "'check -%s' is not implemented yet in fleetway %s", later[i], FW_VERSION);
			fw_error_hint(err, "nothing was changed; `check -code` and `check -dryrun` are available");
			return -1;
		}
	if (!has_flag(c, "code") && !has_flag(c, "dryrun")) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR",
			       "check needs one or more of -code, -drift, -changes, -dryrun");
		fw_error_hint(err, "fleetway check -code analyses the pending migrations");
		return -1;
	}
	return 0;
}

/* -dryrun: what migrate would send, in <report>-dryrun.sql and in the report */
static int dry_run(struct fw_cmd_ctx *c, json_t *doc, struct fw_error *err)
{
	struct strbuf path = STRBUF_INIT, sql = STRBUF_INIT;
	struct fw_migrate_result mr;
	char *saved = c->cfg->dry_run_output;
	FILE *f;
	int ret = -1;
	fw_report_stem(c->cfg->report_filename ? c->cfg->report_filename : "report", &path);
	strbuf_addstr(&path, "-dryrun.sql");
	f = fopen(path.buf, "w");   /* the dry run appends: start from nothing */
	if (!f || fclose(f) != 0) {
		fw_errorf(err, "ERROR", "unable to write %s: %s", path.buf, strerror(errno));
		goto out;
	}
	memset(&mr, 0, sizeof(mr));
	c->cfg->dry_run_output = path.buf;
	ret = fw_dryrun_migrate(&c->target, &mr, err);
	c->cfg->dry_run_output = saved;
	fw_migrate_result_release(&mr);
	if (ret == 0 && strbuf_read_file(&sql, path.buf) >= 0) {
		json_t *d = json_object();
		json_object_set_new(d, "file", json_string(path.buf));
		/* a huge script stays in its file; the report shows its start */
		if (sql.len > DRYRUN_IN_REPORT)
			strbuf_setlen(&sql, DRYRUN_IN_REPORT);
		json_object_set_new(d, "sql", json_stringn(sql.buf, sql.len));
		json_object_set_new(d, "truncated", json_boolean(sql.len == DRYRUN_IN_REPORT));
		json_object_set_new(doc, "dryrun", d);
	}
out:
	strbuf_release(&path);
	strbuf_release(&sql);
	return ret;
}

static int code_analysis(struct fw_cmd_ctx *c, int offline, json_t *doc, struct fw_lint *l,
			 struct strbuf *summary, size_t *errors, struct fw_error *err)
{
	size_t scripts = 0;
	fw_lint_init(l, c->target.dialect);
	l->per_script = offline;
	if (analyse(c, offline, l, &scripts, err) < 0)
		return -1;
	for (size_t i = 0; i < l->nr; i++)
		*errors += l->v[i].error;
	strbuf_addf(summary, "Code analysis of %zu %smigration%s%s: %zu error%s, %zu warning%s",
		    scripts, offline ? "" : "pending ", scripts == 1 ? "" : "s",
		    offline ? " (no database: every file)" : "", *errors, *errors == 1 ? "" : "s",
		    l->nr - *errors, l->nr - *errors == 1 ? "" : "s");
	json_object_set_new(doc, "results", findings_json(l));
	json_object_set_new(doc, "summary", json_string(summary->buf));
	return 0;
}

int cmd_check(struct fw_cmd_ctx *c, struct fw_error *err)
{
	struct fw_lint l;
	size_t errors = 0;
	struct strbuf summary = STRBUF_INIT;
	char *json_path = NULL, *html_path = NULL;
	json_t *doc;
	int ret = -1, offline, code = has_flag(c, "code"), dry = has_flag(c, "dryrun");
	if (unsupported(c, err) < 0 || check_rules_dialect(c, err) < 0 ||
	    connect_or_offline(c, &offline, err) < 0)
		return -1;
	if (dry && offline) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check -dryrun needs a database to compare with");
		fw_error_hint(err, "set url (-url=..., FLYWAY_URL or [environments.NAME] url)");
		fw_target_close(&c->target);
		return -1;
	}
	fw_lint_init(&l, c->target.dialect);
	doc = fw_cmd_result_base(c, "check");
	if ((code && code_analysis(c, offline, doc, &l, &summary, &errors, err) < 0) ||
	    (dry && dry_run(c, doc, err) < 0) ||
	    fw_report_write_with(c->cfg->report_filename ? c->cfg->report_filename : "report", doc,
				 check_html, &json_path, &html_path, err) < 0) {
		json_decref(doc);
		goto out;
	}
	json_object_set_new(doc, "htmlReport", json_string(html_path));
	json_object_set_new(doc, "jsonReport", json_string(json_path));
	print_findings(c, &l);
	if (code)
		fw_info(c->out, "%s.", summary.buf);
	fw_info(c->out, "Report: %s (and %s)", html_path, json_path);
	c->result = doc;
	if (errors && fail_on_error(c)) {
		fw_errorf(err, "CHECK_CODE_VIOLATION", "Code analysis found %zu error%s", errors,
			  errors == 1 ? "" : "s");
		fw_error_hint(err, "fix them, or set check.code.failOnError=false to report without failing");
		goto out;
	}
	ret = 0;
out:
	free(json_path);
	free(html_path);
	strbuf_release(&summary);
	fw_lint_release(&l);
	if (offline)
		fw_target_close(&c->target);
	return ret;
}
