/* fleetway validate (reference 7.1, 11.2) */
#include "cmd/cmd.h"
#include "ops/validate.h"

static json_t *validate_json(struct fw_cmd_ctx *c, const struct fw_validate_result *r,
			     const struct fw_error *verr)
{
	json_t *o = fw_cmd_result_base(c, "validate");
	json_t *arr = json_array(), *all = json_array();
	for (size_t i = 0; i < r->nr; i++) {
		json_t *m = json_object(), *d = json_object();
		json_object_set_new(m, "version", json_string(r->v[i].version));
		json_object_set_new(m, "description", json_string(r->v[i].description));
		json_object_set_new(m, "filepath", json_string(r->v[i].filepath));
		json_object_set_new(d, "errorCode", json_string(r->v[i].code));
		json_object_set_new(d, "errorMessage", json_string(r->v[i].message));
		json_object_set_new(m, "errorDetails", d);
		json_array_append_new(arr, m);
		json_array_append_new(all, json_string(r->v[i].message));
	}
	if (verr) {
		json_t *d = json_object();
		json_object_set_new(d, "errorCode", json_string(verr->code));
		json_object_set_new(d, "errorMessage", json_string(verr->message.buf));
		json_object_set_new(o, "errorDetails", d);
	} else {
		json_object_set_new(o, "errorDetails", json_null());
	}
	json_object_set_new(o, "invalidMigrations", arr);
	json_object_set_new(o, "validationSuccessful", json_boolean(r->nr == 0));
	json_object_set_new(o, "validateCount", json_integer(r->count));
	json_object_set_new(o, "allErrorMessages", all);
	return o;
}

int render_validate(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err)
{
	struct fw_validate_result *r = result;
	struct strbuf d = STRBUF_INIT;
	if (rc < 0 && !r->nr)
		return rc;   /* validation itself could not run */
	if (r->nr) {
		c->result = validate_json(c, r, err);
		/* Flyway quirk kept (reference 7.1, 14.8): JSON validate reports and exits 0 */
		if (c->out->json) {
			fw_error_clear(err);
			return 0;
		}
		return -1;
	}
	fw_format_duration(r->ms, &d);
	if (r->count == 0)
		fw_warn(c->out, "No migrations found. Are your locations set up correctly?");
	fw_info(c->out, "Successfully validated %d migration%s (execution time %s)", r->count,
		r->count == 1 ? "" : "s", d.buf);
	strbuf_release(&d);
	c->result = validate_json(c, r, NULL);
	return 0;
}

void summary_validate(const void *result, struct strbuf *out)
{
	const struct fw_validate_result *r = result;
	if (r->nr)
		strbuf_addf(out, "%zu invalid migration%s", r->nr, r->nr == 1 ? "" : "s");
	else
		strbuf_addf(out, "%d migration%s valid", r->count, r->count == 1 ? "" : "s");
}
