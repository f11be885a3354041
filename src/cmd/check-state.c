/* check -drift / -changes: report entries, HTML, terminal lines, the gate
 * (see check-state.h) */
#include "cmd/check-state.h"
#include "util/report-file.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- entries */

static json_t *string_array(const struct strvec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->nr; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

/* Flyway's entry: the members of every result, then the comparison's lists */
static json_t *entry(struct fw_cmd_ctx *c, const char *operation, const char *source, const struct fw_diff *d)
{
	json_t *e = fw_cmd_result_base(c, operation);
	json_t *lists = fw_diff_to_json(d);
	json_object_set_new(e, "message", json_null());
	json_object_set_new(e, "stackTrace", json_null());
	json_object_update(e, lists);
	json_decref(lists);
	json_object_set_new(e, "source", fw_json_str(source));
	return e;
}

static json_t *drift_entry(struct fw_cmd_ctx *c, const struct fw_drift_result *r)
{
	json_t *e = entry(c, "drift", r->source, &r->diff);
	json_object_set_new(e, "warnings", string_array(&r->warnings));
	json_object_set_new(e, "firstDeployment", json_boolean(r->first_deployment));
	json_object_set_new(e, "appliedMigrations", json_integer((json_int_t)r->applied));
	json_object_set_new(e, "objectsCompared", json_integer((json_int_t)r->objects));
	if (r->unreplayable.nr)
		json_object_set_new(e, "unreplayable", string_array(&r->unreplayable));
	return e;
}

static json_t *changes_entry(struct fw_cmd_ctx *c, const struct fw_changes_result *r)
{
	json_t *e = entry(c, "changes", r->source, &r->diff);
	json_object_set_new(e, "appliedMigrations", json_integer((json_int_t)r->applied));
	json_object_set_new(e, "pendingMigrations", string_array(&r->pending));
	return e;
}

void check_state_entries(struct fw_cmd_ctx *c, const struct fw_check_result *r, json_t *doc)
{
	json_t *all;
	if (!r->drift.ran && !r->changes.ran)
		return;
	all = json_object_get(doc, "individualResults");
	if (!all) {
		all = json_array();
		json_object_set_new(doc, "individualResults", all);
	}
	if (r->drift.ran)
		json_array_append_new(all, drift_entry(c, &r->drift));
	if (r->changes.ran)
		json_array_append_new(all, changes_entry(c, &r->changes));
}

/* ---------------------------------------------------------------- the shared report file */

static const char *operation_of(const json_t *e)
{
	return json_string_value(json_object_get(e, "operation"));
}

static int has_operation(const json_t *entries, const char *op)
{
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e) {
		const char *o = operation_of(e);
		if (o && op && !strcmp(o, op))
			return 1;
	}
	return 0;
}

/* the earlier entries of operations this run did not do, in their place */
static void keep_entries(json_t *out, const json_t *before)
{
	json_t *mine = json_object_get(out, "individualResults");
	json_t *merged = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(before, "individualResults"), i, e) {
		if (mine && has_operation(mine, operation_of(e)))
			continue;
		json_array_append(merged, e);
	}
	json_array_foreach(mine, i, e)
		json_array_append(merged, e);
	if (json_array_size(merged))
		json_object_set_new(out, "individualResults", merged);
	else
		json_decref(merged);
}

json_t *check_state_merged(const json_t *doc, const char *base)
{
	json_t *out = json_deep_copy(doc), *before;
	struct strbuf path = STRBUF_INIT;
	fw_report_stem(base, &path);
	strbuf_addstr(&path, ".json");
	before = json_load_file(path.buf, 0, NULL);
	strbuf_release(&path);
	if (!json_is_object(before)) {
		json_decref(before);
		return out;
	}
	keep_entries(out, before);
	/* an earlier run's code analysis or dry run (members of their own) stays
	 * while this run has none */
	if (!json_object_get(out, "results") && json_object_get(before, "results")) {
		json_object_set(out, "results", json_object_get(before, "results"));
		if (json_object_get(before, "summary"))
			json_object_set(out, "summary", json_object_get(before, "summary"));
	}
	if (!json_object_get(out, "dryrun") && json_object_get(before, "dryrun"))
		json_object_set(out, "dryrun", json_object_get(before, "dryrun"));
	json_decref(before);
	return out;
}

/* ---------------------------------------------------------------- HTML */

static void definition_cell(struct strbuf *out, const json_t *def)
{
	strbuf_addstr(out, "<td>");
	if (json_is_string(def)) {
		strbuf_addstr(out, "<pre>");
		fw_html_escape(out, json_string_value(def));
		strbuf_addstr(out, "</pre>");
	} else {
		strbuf_addstr(out, "<em>none</em>");
	}
	strbuf_addstr(out, "</td>");
}

static void rows_html(struct strbuf *out, const json_t *list, const char *what)
{
	size_t i, j;
	json_t *d, *detail;
	json_array_foreach(list, i, d) {
		strbuf_addstr(out, "<tr><td>");
		fw_html_escape(out, what);
		strbuf_addstr(out, "</td><td>");
		fw_html_escape(out, json_string_value(json_object_get(d, "objectType")));
		strbuf_addstr(out, "</td><td>");
		fw_html_escape(out, json_string_value(json_object_get(d, "schema")));
		strbuf_addstr(out, "</td><td>");
		fw_html_escape(out, json_string_value(json_object_get(d, "name")));
		if (json_object_get(d, "parent")) {
			strbuf_addstr(out, " <small>on ");
			fw_html_escape(out, json_string_value(json_object_get(d, "parent")));
			strbuf_addstr(out, "</small>");
		}
		json_array_foreach(json_object_get(d, "details"), j, detail) {
			strbuf_addstr(out, "<br><small>");
			fw_html_escape(out, json_string_value(detail));
			strbuf_addstr(out, "</small>");
		}
		strbuf_addstr(out, "</td>");
		definition_cell(out, json_object_get(d, "definitionBefore"));
		definition_cell(out, json_object_get(d, "definitionAfter"));
		strbuf_addstr(out, "</tr>\n");
	}
}

static void entry_html(const json_t *e, int drift, struct strbuf *out)
{
	const struct fw_diff_words *w = drift ? &fw_drift_words : &fw_changes_words;
	size_t n = json_array_size(json_object_get(e, "onlyInSource")) +
		   json_array_size(json_object_get(e, "onlyInTarget")) +
		   json_array_size(json_object_get(e, "differences"));
	strbuf_addf(out, "<h2 id=\"%s\">%s</h2>\n<p>", drift ? "drift" : "changes", drift ? "Drift" : "Changes");
	fw_html_escape(out, drift ? "Compared with " : "Computed on ");
	fw_html_escape(out, json_string_value(json_object_get(e, "source")));
	strbuf_addf(out, " (%s): ", json_string_value(json_object_get(e, "timestamp")));
	if (!n) {
		strbuf_addstr(out, drift ? "no drift.</p>\n" : "no object changes.</p>\n");
		return;
	}
	strbuf_addf(out, "%zu object%s %s.</p>\n", n, n == 1 ? "" : "s",
		    drift ? (n == 1 ? "differs" : "differ") : (n == 1 ? "changes" : "change"));
	strbuf_addf(out, "<table class=\"state\"><tr><th>What</th><th>Type</th><th>Schema</th><th>Name</th>"
		    "<th>%s</th><th>%s</th></tr>\n",
		    drift ? "Expected (from the migrations)" : "Before", drift ? "In the database" : "After");
	rows_html(out, json_object_get(e, "onlyInSource"), w->only_in_source);
	rows_html(out, json_object_get(e, "onlyInTarget"), w->only_in_target);
	rows_html(out, json_object_get(e, "differences"), w->differs);
	strbuf_addstr(out, "</table>\n");
}

void check_state_html(const json_t *doc, struct strbuf *out)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(doc, "individualResults"), i, e) {
		const char *op = operation_of(e);
		if (op && (!strcmp(op, "drift") || !strcmp(op, "changes")))
			entry_html(e, !strcmp(op, "drift"), out);
	}
}

/* ---------------------------------------------------------------- the terminal */

static size_t entries(const struct fw_diff *d)
{
	return d->only_in_source.nr + d->only_in_target.nr + d->differences.nr;
}

static void print_lines(struct fw_cmd_ctx *c, const struct fw_diff *d, const struct fw_diff_words *w)
{
	struct strvec lines = STRVEC_INIT;
	struct strbuf text = STRBUF_INIT;
	fw_diff_lines(d, w, &lines);
	for (size_t i = 0; i < lines.nr; i++)
		strbuf_addf(&text, "  %s\n", lines.v[i]);
	fw_cmd_print(c, text.buf);
	strvec_clear(&lines);
	strbuf_release(&text);
}

static void print_drift(struct fw_cmd_ctx *c, const struct fw_drift_result *r)
{
	size_t n = entries(&r->diff);
	if (r->first_deployment) {
		fw_info(c->out, "Drift: nothing to compare with yet (no migration applied, no deployed snapshot)");
		return;
	}
	if (!strcmp(r->kind, "snapshot"))
		fw_info(c->out, "Drift: the schema compared with %s", r->source);
	else
		fw_info(c->out, "Drift: the schema compared with its %zu applied migration%s replayed on %s", r->applied,
			r->applied == 1 ? "" : "s", r->source);
	if (!n) {
		fw_info(c->out, "No drift: all %zu object%s as expected", r->objects, r->objects == 1 ? "" : "s");
		return;
	}
	fw_info(c->out, "Drift detected: %zu object%s differ%s from the expected state:", n, n == 1 ? "" : "s",
		n == 1 ? "s" : "");
	print_lines(c, &r->diff, &fw_drift_words);
}

static void print_changes(struct fw_cmd_ctx *c, const struct fw_changes_result *r)
{
	size_t n = entries(&r->diff);
	struct strbuf names = STRBUF_INIT;
	for (size_t i = 0; i < r->pending.nr; i++)
		strbuf_addf(&names, "%s%s", i ? ", " : "", r->pending.v[i]);
	if (r->pending.nr)
		fw_info(c->out, "Changes of %zu pending migration%s (%s), computed on %s:", r->pending.nr,
			r->pending.nr == 1 ? "" : "s", names.buf, r->source);
	else if (r->from_snapshots)
		fw_info(c->out, "Changes between %s:", r->source);
	else if (r->from_model)
		fw_info(c->out, "Changes the schema model makes to the target's schema, as it is now:");
	else
		fw_info(c->out, "Changes: no pending migration (computed on %s)", r->source);
	strbuf_release(&names);
	if (!n) {
		fw_info(c->out, "No object changes");
		return;
	}
	fw_info(c->out, "%zu object%s change%s:", n, n == 1 ? "" : "s", n == 1 ? "s" : "");
	print_lines(c, &r->diff, &fw_changes_words);
}

void check_state_print(struct fw_cmd_ctx *c, const struct fw_check_result *r)
{
	if (r->drift.ran)
		print_drift(c, &r->drift);
	if (r->changes.ran)
		print_changes(c, &r->changes);
}

int check_state_gate(struct fw_cmd_ctx *c, const struct fw_check_result *r, const char *html,
		     struct fw_error *err)
{
	size_t n = entries(&r->drift.diff);
	int fail = strvec_contains(&c->cfg->command_flags, "failOnDrift") ||
		   fw_config_setting_bool(c->cfg, "check.failOnDrift", 0);
	if (!r->drift.ran || !n || !fail)
		return 0;
	fw_errorf(err, "CHECK_DRIFT_DETECTED", "Drift detected: %zu object%s differ%s from the expected state", n,
		  n == 1 ? "" : "s", n == 1 ? "s" : "");
	fw_error_detail(err, "compared with %s", r->drift.source);
	fw_error_hint(err, "%s shows each one before and after; check.failOnDrift=false reports without failing",
		      html ? html : "the report");
	return -1;
}
