/* fleetway validate (reference 7.1, 11.2) */
#include "cmd.h"
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

int cmd_validate(struct fw_cmd_ctx *c, struct fw_error *err)
{
	struct fw_validate_result r;
	struct fw_error verr = FW_ERROR_INIT;
	struct strbuf d = STRBUF_INIT;
	if (fw_cmd_connect(c, err) < 0)
		return -1;
	if (fw_callbacks_fire(&c->target, "beforeValidate", err) < 0)
		return -1;
	if (fw_op_validate(&c->target, 0, &r, err) < 0)
		return -1;
	if (r.nr) {
		fw_validate_error(&r, &verr);
		c->result = validate_json(c, &r, &verr);
		fw_validate_result_release(&r);
		fw_callbacks_fire(&c->target, "afterValidateError", &(struct fw_error)FW_ERROR_INIT);
		if (c->out->json) {
			/* Flyway quirk kept (reference 7.1, 14.8): JSON validate reports and exits 0 */
			fw_error_clear(&verr);
			return 0;
		}
		fw_error_move(err, &verr);
		return -1;
	}
	fw_format_duration(r.ms, &d);
	if (r.count == 0)
		fw_warn(c->out, "No migrations found. Are your locations set up correctly?");
	fw_info(c->out, "Successfully validated %d migration%s (execution time %s)", r.count,
		r.count == 1 ? "" : "s", d.buf);
	strbuf_release(&d);
	c->result = validate_json(c, &r, NULL);
	fw_validate_result_release(&r);
	return fw_callbacks_fire(&c->target, "afterValidate", err);
}
