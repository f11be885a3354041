/* fleetway clean (reference 7.3, 14.6) */
#include "cmd/cmd.h"
#include "ops/clean.h"

static json_t *names_json(const struct strvec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->nr; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

int render_clean(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_clean_result *r = result;
	json_t *o;
	(void)err;
	if (rc < 0)
		return rc;
	o = fw_cmd_result_base(c, "clean");
	json_object_set_new(o, "schemasCleaned", names_json(&r->cleaned));
	json_object_set_new(o, "schemasDropped", names_json(&r->dropped));
	c->result = o;
	return 0;
}

void summary_clean(const void *result, struct strbuf *out)
{
	const struct fw_clean_result *r = result;
	strbuf_addf(out, "cleaned %zu schema%s, dropped %zu", r->cleaned.nr, r->cleaned.nr == 1 ? "" : "s",
		    r->dropped.nr);
}
