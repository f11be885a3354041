/* fleetway snapshot -snapshot.filename=FILE [-snapshot.source=...]: the
 * operation's model written (ops/snapshot.h); JSON as Flyway's
 * ({"filename": ...}) with each schema's fingerprint and object count */
#include "cmd/cmd.h"
#include "ops/snapshot.h"

int render_snapshot(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_snapshot_result *r = result;
	json_t *o, *schemas;
	(void)err;
	if (rc < 0)
		return rc;
	o = fw_cmd_result_base(c, "snapshot");
	schemas = json_array();
	json_object_set_new(o, "filename", json_string(r->filename));
	json_object_set_new(o, "source", json_string(r->source));
	for (size_t i = 0; i < r->model.nschemas; i++) {
		const struct fw_schema *s = &r->model.schemas[i];
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(s->name));
		json_object_set_new(j, "fingerprint", json_string(s->fingerprint));
		json_object_set_new(j, "objects", json_integer((json_int_t)s->nobjects));
		json_array_append_new(schemas, j);
		fw_info(c->out, "Schema %s: %zu object%s, fingerprint %s", s->name, s->nobjects,
			s->nobjects == 1 ? "" : "s", s->fingerprint);
	}
	json_object_set_new(o, "schemas", schemas);
	fw_info(c->out, "Snapshot of %s written to %s", r->source, r->filename);
	c->result = o;
	return 0;
}
