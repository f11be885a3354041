/* clean (reference 7.3, 14.6): drop every object of the managed schemas, and
 * the schemas fleetway created */
#include "ops/clean.h"
#include "engine/target.h"
#include "ops/op.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

static int refuse_disabled(const struct fw_config *cfg, struct fw_error *err)
{
	if (!cfg->clean_disabled)
		return 0;
	fw_errorf(err, "ERROR",
		  "Unable to execute clean as it has been disabled with the 'flyway.cleanDisabled' property.");
	fw_error_hint(err, "set -cleanDisabled=false to allow clean (it drops every object in the managed schemas)");
	return -1;
}

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

static int clean_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_clean_result *res = result;
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
			fw_emit_warn(t->obs, "Unable to clean unknown schema: %s", fw_target_shown(t, s));
			continue;
		}
		if (strvec_contains(&created, s)) {   /* never on SQLite: it cannot create schemas */
			if (db_drop_schema(t->db, s, err) < 0) {
				ret = -1;
				break;
			}
			fw_format_duration(fw_now_ms() - t0, &d);
			fw_emit_info(t->obs, "Successfully dropped schema %s (execution time %s)", fw_target_shown(t, s),
				     d.buf);
			strvec_push(&res->dropped, s);
		} else {
			if (db_clean_schema(t->db, s, err) < 0) {
				ret = -1;
				break;
			}
			fw_format_duration(fw_now_ms() - t0, &d);
			fw_emit_info(t->obs, "Successfully cleaned schema %s (execution time %s)", fw_target_shown(t, s),
				     d.buf);
			strvec_push(&res->cleaned, s);
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

static void clean_release(void *result)
{
	struct fw_clean_result *res = result;
	strvec_clear(&res->cleaned);
	strvec_clear(&res->dropped);
}

const struct fw_op fw_op_clean = {
	.name = "clean",
	.needs = FW_OP_DB | FW_OP_LOCK | FW_OP_WRITES,
	.before = "beforeClean",
	.after = "afterClean",
	.on_error = "afterCleanError",
	.result_size = sizeof(struct fw_clean_result),
	.precheck = refuse_disabled,
	.run = clean_run,
	.release = clean_release,
};
