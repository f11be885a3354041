/* check -rehearse's report (see check-rehearse.h) */
#include "cmd/check-rehearse.h"
#include "engine/target.h"
#include "util/report-file.h"
#include <string.h>

static const char *timeout_text(int kind)
{
	return kind == 1 ? "lock" : kind == 2 ? "statement" : NULL;
}

static json_t *item_json(const struct fw_rehearse_item *it)
{
	json_t *m = json_object(), *locks = json_array();
	for (size_t j = 0; j < it->locks.nr; j++)
		json_array_append_new(locks, json_string(it->locks.v[j]));
	json_object_set_new(m, "script", json_string(it->script));
	json_object_set_new(m, "version", json_string(it->version));
	json_object_set_new(m, "rehearsed", json_boolean(!it->skipped));
	json_object_set_new(m, "success", json_boolean(it->ok));
	json_object_set_new(m, "executionTime", json_integer(it->ms));
	json_object_set_new(m, "overBudget", json_boolean(it->slow));
	json_object_set_new(m, "timeout", timeout_text(it->timeout) ? json_string(timeout_text(it->timeout)) : json_null());
	json_object_set_new(m, "locks", locks);
	json_object_set_new(m, "error", it->error ? json_string(it->error) : json_null());
	json_object_set_new(m, "skipped", it->skipped ? json_string(it->skipped) : json_null());
	return m;
}

json_t *fw_rehearse_json(const struct fw_rehearse_result *r)
{
	json_t *o = json_object(), *arr = json_array();
	for (size_t i = 0; i < r->nr; i++)
		json_array_append_new(arr, item_json(&r->items[i]));
	json_object_set_new(o, "where", json_string(r->where ? r->where : ""));
	json_object_set_new(o, "database", json_string(r->database ? r->database : ""));
	json_object_set_new(o, "maxMigrationSeconds", json_integer(r->budget_ms / 1000));
	json_object_set_new(o, "rolledBack", json_true());
	json_object_set_new(o, "problems", json_integer((json_int_t)r->problems));
	json_object_set_new(o, "notRehearsed", json_integer((json_int_t)r->skipped));
	json_object_set_new(o, "migrations", arr);
	return o;
}

static const char *outcome(const json_t *m)
{
	if (!json_is_true(json_object_get(m, "rehearsed")))
		return "not rehearsed";
	if (!json_is_true(json_object_get(m, "success")))
		return "failed";
	return json_is_true(json_object_get(m, "overBudget")) ? "too slow" : "ok";
}

void fw_rehearse_html(const json_t *e, struct strbuf *out)
{
	size_t i, j;
	json_t *m, *l;
	strbuf_addstr(out, "<h2>Rehearsal</h2>\n<p>On ");
	fw_html_escape(out, json_string_value(json_object_get(e, "where")));
	strbuf_addstr(out, " (");
	fw_html_escape(out, json_string_value(json_object_get(e, "database")));
	strbuf_addf(out, "), rolled back; a migration may take %d s (check.maxMigrationSeconds).</p>\n",
		    (int)json_integer_value(json_object_get(e, "maxMigrationSeconds")));
	strbuf_addstr(out, "<table id=\"rehearsal\"><tr><th>Script</th><th>Time</th><th>Outcome</th>"
		      "<th>Locks taken</th><th>Error</th></tr>\n");
	json_array_foreach(json_object_get(e, "migrations"), i, m) {
		const char *o = outcome(m);
		struct strbuf d = STRBUF_INIT;
		fw_format_duration((long)json_integer_value(json_object_get(m, "executionTime")), &d);
		strbuf_addstr(out, "<tr><td>");
		fw_html_escape(out, json_string_value(json_object_get(m, "script")));
		strbuf_addf(out, "</td><td>%s</td><td class=\"%s\">%s</td><td>", d.buf,
			    !strcmp(o, "ok") ? "ok" : !strcmp(o, "not rehearsed") ? "warning" : "error", o);
		json_array_foreach(json_object_get(m, "locks"), j, l) {
			if (j)
				strbuf_addstr(out, "<br>");
			fw_html_escape(out, json_string_value(l));
		}
		strbuf_addstr(out, "</td><td>");
		fw_html_escape(out, json_string_value(json_object_get(m, "error")));
		fw_html_escape(out, json_string_value(json_object_get(m, "skipped")));
		strbuf_addstr(out, "</td></tr>\n");
		strbuf_release(&d);
	}
	strbuf_addstr(out, "</table>\n");
}

void fw_rehearse_print(struct fw_out *out, const struct fw_rehearse_result *r)
{
	fw_info(out, "Rehearsal on %s: %s", r->where ? r->where : "?", r->database ? r->database : "");
	for (size_t i = 0; i < r->nr; i++) {
		const struct fw_rehearse_item *it = &r->items[i];
		struct strbuf d = STRBUF_INIT, line = STRBUF_INIT;
		fw_format_duration(it->ms, &d);
		if (it->skipped)
			strbuf_addf(&line, "  %s: not rehearsed: %s", it->script, it->skipped);
		else if (it->error)
			strbuf_addf(&line, "  %s: failed after %s: %s", it->script, d.buf, it->error);
		else
			strbuf_addf(&line, "  %s: %s%s", it->script, d.buf,
				    it->slow ? ", longer than check.maxMigrationSeconds" : "");
		for (size_t j = 0; j < it->locks.nr; j++)
			strbuf_addf(&line, "%s%s", j ? ", " : "; took ", it->locks.v[j]);
		if (it->slow || it->error)
			fw_warn(out, "%s", line.buf + 2);
		else
			fw_info(out, "%s", line.buf);
		strbuf_release(&d);
		strbuf_release(&line);
	}
	fw_info(out, "Rehearsal of %zu migration%s: %zu problem%s, %zu not rehearsed; everything was rolled back.", r->nr,
		r->nr == 1 ? "" : "s", r->problems, r->problems == 1 ? "" : "s", r->skipped);
}
