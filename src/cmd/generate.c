/* fleetway generate: the migration written from the diff artefact
 * (ops/generate.h), its hazards, and check -code's findings on it. */
#include "cmd/cmd.h"
#include "ops/generate.h"
#include <string.h>

static json_t *script_json(const struct fw_generated *f, const struct fw_generate_result *r)
{
	json_t *o = json_object(), *warnings = json_array();
	struct strbuf conf = STRBUF_INIT;
	json_object_set_new(o, "type", json_string(f->type));
	json_object_set_new(o, "location", json_string(f->path ? f->path : f->name));
	if (f->conf && f->path) {
		strbuf_addf(&conf, "%s.conf", f->path);
		json_object_set_new(o, "scriptConfigPath", json_string(conf.buf));
	} else {
		json_object_set_new(o, "scriptConfigPath", json_null());
	}
	json_object_set_new(o, "includedDependencies", json_array());
	for (size_t i = 0; i < r->lint.nr; i++) {
		const struct fw_lint_finding *l = &r->lint.v[i];
		json_t *w;
		if (strcmp(l->script, f->name))
			continue;
		w = json_object();
		json_object_set_new(w, "type", json_string(l->code));
		json_object_set_new(w, "message", json_string(l->message));
		json_object_set_new(w, "line", json_integer(l->line));
		json_array_append_new(warnings, w);
	}
	json_object_set_new(o, "warnings", warnings);
	strbuf_release(&conf);
	return o;
}

int render_generate(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_generate_result *r = result;
	json_t *doc, *scripts = json_array(), *hazards = json_array();
	(void)err;
	if (rc < 0) {
		json_decref(scripts);
		json_decref(hazards);
		return rc;
	}
	if (!r->nr)
		fw_info(c->out, "No differences between %s and %s: no migration generated", r->a.source, r->a.target);
	for (size_t i = 0; i < r->nr; i++)
		fw_info(c->out, "Generating %s migration: %s", r->files[i].type, r->files[i].path);
	if (r->proved)
		fw_info(c->out, "Proved on a scratch copy of %s: the result is %s", r->start, r->want);
	for (size_t i = 0; i < r->nr; i++) {
		fw_info(c->out, "Generated: %s", r->files[i].path);
		json_array_append_new(scripts, script_json(&r->files[i], r));
	}
	for (size_t i = 0; i < r->hazards.nr; i++) {
		fw_warn(c->out, "hazard %s", r->hazards.v[i]);
		json_array_append_new(hazards, json_string(r->hazards.v[i]));
	}
	if (r->linted && r->lint.nr) {
		fw_info(c->out, "check -code on the generated migration%s:", r->nr == 1 ? "" : "s");
		fw_check_print_findings(c, &r->lint);
	}
	doc = fw_cmd_result_base(c, "generate");
	json_object_set_new(doc, "scripts", scripts);
	json_object_set_new(doc, "hazards", hazards);
	json_object_set_new(doc, "results", r->linted ? fw_check_findings_json(&r->lint) : json_array());
	json_object_set_new(doc, "proved", json_boolean(r->proved));
	c->result = doc;
	return 0;
}
