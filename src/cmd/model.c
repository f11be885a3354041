/* fleetway model: the diff artefact written into the schema-model folder
 * (ops/model.h). */
#include "cmd/cmd.h"
#include "ops/model.h"

int render_model(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_model_result *r = result;
	json_t *doc, *changed = json_array();
	(void)err;
	if (rc < 0) {
		json_decref(changed);
		return rc;
	}
	for (size_t i = 0; i < r->written.nr; i++) {
		fw_info(c->out, "Written: %s", r->written.v[i]);
		json_array_append_new(changed, json_string(r->written.v[i]));
	}
	for (size_t i = 0; i < r->removed.nr; i++) {
		fw_info(c->out, "Removed: %s", r->removed.v[i]);
		json_array_append_new(changed, json_string(r->removed.v[i]));
	}
	if (!r->written.nr && !r->removed.nr)
		fw_info(c->out, "The schema model at %s already matches", r->folder);
	doc = fw_cmd_result_base(c, "model");
	json_object_set_new(doc, "messages", json_array());
	json_object_set_new(doc, "includedDependencies", json_array());
	json_object_set_new(doc, "filesChanged", changed);
	c->result = doc;
	return 0;
}
