/* fleetway baseline (reference 7.4) */
#include "cmd/cmd.h"
#include "ops/baseline.h"

int render_baseline(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_baseline_result *r = result;
	json_t *o;
	(void)err;
	if (rc < 0)
		return rc;
	o = fw_cmd_result_base(c, "baseline");
	json_object_set_new(o, "successfullyBaselined", json_boolean(r->baselined));
	json_object_set_new(o, "baselineVersion", json_string(r->version ? r->version : "1"));
	c->result = o;
	return 0;
}

void summary_baseline(const void *result, struct strbuf *out)
{
	const struct fw_baseline_result *r = result;
	strbuf_addf(out, r->baselined ? "baselined at %s" : "already baselined at %s", r->version ? r->version : "1");
}
