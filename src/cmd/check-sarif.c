/* SARIF 2.1.0 for check -code (see check-sarif.h) */
#include "cmd/check-sarif.h"
#include "util/strbuf.h"
#include <string.h>

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

/* what a rule finds, for its description: fleetway's from its table, a
 * regex rule's is its findings' message before what matched */
static void rule_text(const struct fw_lint_finding *f, struct strbuf *out)
{
	const char *m;
	for (int i = 0; fw_lint_rules[i].code; i++)
		if (!strcmp(fw_lint_rules[i].code, f->code)) {
			strbuf_addstr(out, fw_lint_rules[i].what);
			return;
		}
	if (!strcmp(f->engine, "noqa"))
		strbuf_addstr(out, "-- noqa comments: policy overrides that suppress rules");
	else if (!strcmp(f->engine, "sqlfluff") && f->hint)
		strbuf_add(out, f->hint, strcspn(f->hint, ";"));
	else if (!strcmp(f->engine, "regex") && (m = strstr(f->message, " (matched '")))
		strbuf_add(out, f->message, (size_t)(m - f->message));
	else
		strbuf_addstr(out, f->message);
}

/* index of rule id in rules, added (with text) when new */
static size_t rule_index(json_t *rules, const char *id, const char *text, const char *engine)
{
	size_t i;
	json_t *r, *desc, *props;
	json_array_foreach(rules, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "id")), id))
			return i;
	r = json_object();
	desc = json_object();
	props = json_object();
	json_object_set_new(r, "id", json_string(id));
	json_object_set_new(desc, "text", json_string(text));
	json_object_set_new(r, "shortDescription", desc);
	json_object_set_new(props, "engine", json_string(engine));
	json_object_set_new(r, "properties", props);
	json_array_append_new(rules, r);
	return json_array_size(rules) - 1;
}

static size_t finding_rule(json_t *rules, const struct fw_lint_finding *f)
{
	struct strbuf text = STRBUF_INIT;
	size_t i;
	rule_text(f, &text);
	i = rule_index(rules, f->code, text.buf, f->engine);
	strbuf_release(&text);
	return i;
}

/* the file as a URI reference: relative to the working directory (the
 * repository, for code scanning) when it is inside it, else file:// */
static json_t *artifact(const char *path, const char *script, const char *workdir)
{
	size_t n = workdir ? strlen(workdir) : 0;
	struct strbuf uri = STRBUF_INIT;
	json_t *a = json_object();
	const char *rel = path;
	if (path && n && !strncmp(path, workdir, n) && path[n] == '/')
		rel = path + n + 1;
	else if (path)
		strbuf_addstr(&uri, "file://");
	if (!path)
		rel = script;
	/* a URI: the few characters file names have that a URI may not */
	for (const char *p = rel; *p; p++) {
		if (*p == ' ' || *p == '%' || *p == '#' || *p == '?' || (unsigned char)*p < 0x20)
			strbuf_addf(&uri, "%%%02X", (unsigned char)*p);
		else
			strbuf_addch(&uri, *p);
	}
	json_object_set_new(a, "uri", json_string(uri.buf));
	strbuf_release(&uri);
	return a;
}

static json_t *location(const struct fw_lint *l, const struct fw_lint_finding *f, const char *workdir)
{
	json_t *loc = json_object(), *phys = json_object(), *region = json_object();
	json_object_set_new(phys, "artifactLocation", artifact(fw_lint_path_of(l, f->script), f->script, workdir));
	json_object_set_new(region, "startLine", json_integer(f->line > 0 ? f->line : 1));
	if (f->col > 0)
		json_object_set_new(region, "startColumn", json_integer(f->col));
	if (f->end_line >= f->line && f->end_line > 0) {
		json_object_set_new(region, "endLine", json_integer(f->end_line));
		if (f->end_col > 0 && (f->end_line > f->line || f->end_col >= f->col))
			json_object_set_new(region, "endColumn", json_integer(f->end_col));
	}
	json_object_set_new(phys, "region", region);
	json_object_set_new(loc, "physicalLocation", phys);
	return loc;
}

static json_t *result(json_t *rules, const struct fw_lint *l, const struct fw_lint_finding *f, const char *workdir)
{
	json_t *r = json_object(), *msg = json_object(), *locs = json_array(), *props = json_object();
	json_object_set_new(r, "ruleId", json_string(f->code));
	json_object_set_new(r, "ruleIndex", json_integer((json_int_t)finding_rule(rules, f)));
	json_object_set_new(r, "level", json_string(f->error ? "error" : "warning"));
	json_object_set_new(msg, "text", json_string(f->message));
	json_object_set_new(r, "message", msg);
	json_array_append_new(locs, location(l, f, workdir));
	json_object_set_new(r, "locations", locs);
	json_object_set_new(props, "engine", json_string(f->engine));
	if (f->hint)
		json_object_set_new(props, "help", json_string(f->hint));
	if (f->rows_how != FW_ROWS_UNKNOWN)
		json_object_set_new(props, "tableRows", json_integer(f->rows));
	json_object_set_new(r, "properties", props);
	return r;
}

/* a migration the rehearsal failed (FWR01) or found over its budget (FWR02) */
static json_t *rehearsal_result(json_t *rules, const struct fw_rehearse_item *it, const char *text,
				const char *workdir)
{
	const char *id = it->error ? "FWR01" : "FWR02";
	json_t *r = json_object(), *msg = json_object(), *locs = json_array(), *loc = json_object();
	json_t *phys = json_object(), *region = json_object(), *props = json_object();
	size_t i = rule_index(rules, id, it->error ? "the migration fails when rehearsed on a copy"
					       : "the migration takes longer than check.maxMigrationSeconds on a copy",
			      "rehearsal");
	json_object_set_new(r, "ruleId", json_string(id));
	json_object_set_new(r, "ruleIndex", json_integer((json_int_t)i));
	json_object_set_new(r, "level", json_string("error"));
	json_object_set_new(msg, "text", json_string(text));
	json_object_set_new(r, "message", msg);
	json_object_set_new(phys, "artifactLocation", artifact(it->path, it->script, workdir));
	json_object_set_new(region, "startLine", json_integer(1));
	json_object_set_new(phys, "region", region);
	json_object_set_new(loc, "physicalLocation", phys);
	json_array_append_new(locs, loc);
	json_object_set_new(r, "locations", locs);
	json_object_set_new(props, "engine", json_string("rehearsal"));
	json_object_set_new(props, "executionTime", json_integer(it->ms));
	json_object_set_new(r, "properties", props);
	return r;
}

static void add_rehearsal(json_t *rules, json_t *results, const struct fw_rehearse_result *rr, const char *workdir)
{
	struct strvec problems = STRVEC_INIT;
	size_t k = 0;
	fw_rehearse_problems(rr, &problems);   /* one line per failed or slow item, in order */
	for (size_t i = 0; i < rr->nr && k < problems.nr; i++) {
		const struct fw_rehearse_item *it = &rr->items[i];
		if (!it->error && !it->slow)
			continue;
		json_array_append_new(results, rehearsal_result(rules, it, problems.v[k++], workdir));
	}
	strvec_clear(&problems);
}

json_t *fw_check_sarif(const struct fw_lint *l, const struct fw_rehearse_result *rr, const char *workdir)
{
	json_t *doc = json_object(), *runs = json_array(), *run = json_object();
	json_t *tool = json_object(), *driver = json_object(), *rules = json_array(), *results = json_array();
	for (size_t i = 0; l && i < l->nr; i++)
		json_array_append_new(results, result(rules, l, &l->v[i], workdir));
	if (rr)
		add_rehearsal(rules, results, rr, workdir);
	json_object_set_new(driver, "name", json_string("fleetway"));
	json_object_set_new(driver, "version", json_string(FW_VERSION));
	json_object_set_new(driver, "rules", rules);
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	json_object_set_new(run, "results", results);
	json_array_append_new(runs, run);
	json_object_set_new(doc, "$schema", json_string(SARIF_SCHEMA));
	json_object_set_new(doc, "version", json_string("2.1.0"));
	json_object_set_new(doc, "runs", runs);
	return doc;
}
