/* fleetway clean (reference 7.3, 14.6) */
#include "cmd.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

/* one quoted identifier at *p ("a""b" or `a``b`: the quote doubled inside) into name;
 * *p moves past it. 0 when it is not closed. */
static int unquote(const char **p, struct strbuf *name)
{
	const char *s = *p;
	char q = *s++;
	for (; *s; s++) {
		if (*s == q) {
			if (s[1] != q) {
				*p = s + 1;
				return 1;
			}
			s++;
		}
		strbuf_addch(name, *s);
	}
	return 0;
}

/* schemas recorded in SCHEMA marker rows: script holds "a","b" (backticks on MySQL) */
static void created_schemas(const struct fw_history *h, struct strvec *out)
{
	struct strbuf name = STRBUF_INIT;
	for (size_t i = 0; i < h->nr; i++) {
		const char *p;
		if (strcmp(h->rows[i].type, "SCHEMA") || !h->rows[i].script)
			continue;
		p = h->rows[i].script;
		while (*p) {
			if (*p != '"' && *p != '`') {
				p++;
				continue;
			}
			strbuf_reset(&name);
			if (!unquote(&p, &name))
				break;
			if (!strvec_contains(out, name.buf))
				strvec_push(out, name.buf);
		}
	}
	strbuf_release(&name);
}

static int do_clean(struct fw_cmd_ctx *c, json_t *cleaned, json_t *dropped, struct fw_error *err)
{
	struct fw_target *t = &c->target;
	struct strvec created = STRVEC_INIT;
	int ret = 0;
	if (fw_target_load_history(t, err) < 0)
		return -1;
	if (t->hist.exists)
		created_schemas(&t->hist, &created);
	for (size_t i = 0; i < t->schemas.nr; i++) {
		const char *s = t->schemas.v[i];
		int exists = 1;
		long t0 = fw_now_ms();
		struct strbuf d = STRBUF_INIT;
		if (db_schema_exists(t->db, s, &exists, err) < 0) {
			ret = -1;
			break;
		}
		if (!exists) {
			fw_warn(c->out, "Unable to clean unknown schema: %s", fw_target_shown(t, s));
			continue;
		}
		if (strvec_contains(&created, s)) {   /* never on SQLite: it cannot create schemas */
			if (db_drop_schema(t->db, s, err) < 0) {
				ret = -1;
				break;
			}
			fw_format_duration(fw_now_ms() - t0, &d);
			fw_info(c->out, "Successfully dropped schema %s (execution time %s)", fw_target_shown(t, s), d.buf);
			json_array_append_new(dropped, json_string(s));
		} else {
			if (db_clean_schema(t->db, s, err) < 0) {
				ret = -1;
				break;
			}
			fw_format_duration(fw_now_ms() - t0, &d);
			fw_info(c->out, "Successfully cleaned schema %s (execution time %s)", fw_target_shown(t, s), d.buf);
			json_array_append_new(cleaned, json_string(s));
		}
		strbuf_release(&d);
	}
	strvec_clear(&created);
	{
		/* the history table is gone: commands chained after clean start afresh */
		struct fw_error e2 = FW_ERROR_INIT;
		if (fw_history_probe(&t->hist, &e2) == 0 && !t->hist.exists)
			fw_history_forget(&t->hist);
		fw_error_clear(&e2);
	}
	return ret;
}

int cmd_clean(struct fw_cmd_ctx *c, struct fw_error *err)
{
	struct fw_target *t;
	json_t *o, *cleaned, *dropped;
	int rc;
	if (c->cfg->clean_disabled) {
		fw_errorf(err, "ERROR",
			  "Unable to execute clean as it has been disabled with the 'flyway.cleanDisabled' property.");
		fw_error_hint(err, "set -cleanDisabled=false to allow clean (it drops every object in the managed schemas)");
		return -1;
	}
	if (fw_cmd_connect(c, err) < 0)
		return -1;
	t = &c->target;
	if (t->cfg->clean_disabled) {
		fw_errorf(err, "ERROR",
			  "Unable to execute clean as it has been disabled with the 'flyway.cleanDisabled' property.");
		fw_error_hint(err, "set -cleanDisabled=false to allow clean (it drops every object in the managed schemas)");
		return -1;
	}
	if (fw_callbacks_fire(t, "beforeClean", err) < 0 || fw_target_lock(t, err) < 0)
		return -1;
	cleaned = json_array();
	dropped = json_array();
	rc = do_clean(c, cleaned, dropped, err);
	if (fw_target_unlock(t, rc < 0 ? NULL : err) < 0)
		rc = -1;
	if (rc < 0) {
		struct fw_error e2 = FW_ERROR_INIT;
		json_decref(cleaned);
		json_decref(dropped);
		fw_callbacks_fire(t, "afterCleanError", &e2);
		fw_error_clear(&e2);
		return -1;
	}
	o = fw_cmd_result_base(c, "clean");
	json_object_set_new(o, "schemasCleaned", cleaned);
	json_object_set_new(o, "schemasDropped", dropped);
	c->result = o;
	return fw_callbacks_fire(t, "afterClean", err);
}
