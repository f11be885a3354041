#include "ops/undo.h"
#include "engine/apply.h"
#include "engine/target.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

void fw_undo_result_release(struct fw_undo_result *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->items[i].version);
		free(r->items[i].description);
		free(r->items[i].filepath);
	}
	free(r->items);
	free(r->initial_version);
	free(r->target_version);
	memset(r, 0, sizeof(*r));
}

static int is_candidate(const struct fw_entry *e)
{
	const char *type;
	if (!e->app || !e->app->success || e->app->version.kind != FW_VERSION_NUMBER)
		return 0;
	if (e->state != FW_ST_SUCCESS && e->state != FW_ST_OUT_OF_ORDER)
		return 0;
	type = e->app->type;
	return strcmp(type, "BASELINE") && strcmp(type, "SCHEMA") && strcmp(type, "SQL_BASELINE") &&
	       strncmp(type, "UNDO_", 5) && strcmp(type, "DELETE");
}

/* candidates newest (highest rank) first */
static size_t pick(const struct fw_plan *plan, const struct fw_entry **out)
{
	size_t n = 0;
	for (size_t i = 0; i < plan->nr; i++)
		if (is_candidate(&plan->entries[i]))
			out[n++] = &plan->entries[i];
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && out[j]->app->rank > out[j - 1]->app->rank; j--) {
			const struct fw_entry *tmp = out[j];
			out[j] = out[j - 1];
			out[j - 1] = tmp;
		}
	return n;
}

static int build_plan(struct fw_target *t, struct fw_plan *plan, struct fw_error *err)
{
	struct fw_target_spec spec;
	struct fw_plan_opts o;
	memset(&spec, 0, sizeof(spec));
	spec.kind = FW_VERSION_LATEST;
	o.target = &spec;
	o.out_of_order = t->cfg->out_of_order;
	return fw_plan_build(&t->scan, &t->hist, &o, plan, err);
}

static void add_item(struct fw_undo_result *res, const struct fw_resolved *u, long ms)
{
	struct fw_undo_item *it;
	ALLOC_GROW(res->items, res->nr + 1, res->alloc);
	it = &res->items[res->nr++];
	it->version = xstrdup(fw_version_str(&u->version));
	it->description = xstrdup(u->description);
	it->filepath = xstrdup(u->path);
	it->ms = ms;
}

static int undo_locked(struct fw_target *t, struct fw_undo_result *res, struct fw_error *err)
{
	struct fw_target_spec spec;
	struct fw_plan plan;
	const struct fw_entry **cand = NULL;
	size_t n, todo = 0;
	int ret = -1, have_target;
	memset(&plan, 0, sizeof(plan));
	if (fw_target_parse(t->cfg->target, &spec, err) < 0)
		return -1;
	have_target = spec.kind == FW_VERSION_NUMBER;
	if (fw_target_load_history(t, err) < 0)
		goto out_spec;
	if (!t->hist.exists) {
		fw_errorf(err, "ERROR", "Unable to undo: schema history table %s does not exist",
			  t->hist.qualified);
		fw_error_hint(err, "nothing has been migrated yet; nothing was changed");
		goto out_spec;
	}
	if (build_plan(t, &plan, err) < 0)
		goto out_spec;
	res->initial_version = plan.current ? xstrdup(fw_version_str(plan.current)) : NULL;
	cand = xcalloc(plan.nr + 1, sizeof(*cand));
	n = pick(&plan, cand);
	if (have_target) {
		while (todo < n && fw_version_cmp(&cand[todo]->app->version, &spec.version) > 0)
			todo++;
	} else {
		todo = n ? 1 : 0;
	}
	/* every undo script must exist before anything changes */
	for (size_t i = 0; i < todo; i++)
		if (!fw_scan_find_undo(&t->scan, &cand[i]->app->version)) {
			const char *v = cand[i]->app->version_text;
			fw_errorf(err, "ERROR", "Unable to undo migration %s: no undo script U%s__*.sql found",
				  v, v);
			fw_error_hint(err, "nothing was changed; add U%s__<description>.sql next to the migration",
				      v);
			goto out;
		}
	if (!todo)
		fw_info(t->out, "Schema %s has no migration to undo.", fw_target_shown(t, t->schema));
	for (size_t i = 0; i < todo; i++) {
		const struct fw_resolved *u = fw_scan_find_undo(&t->scan, &cand[i]->app->version);
		struct fw_history_row row;
		struct fw_apply_result ar;
		memset(&row, 0, sizeof(row));
		row.version = cand[i]->app->version_text;
		row.description = u->description;
		row.type = "UNDO_SQL";
		row.script = u->script;
		row.has_checksum = u->has_checksum;
		row.checksum = u->checksum;
		row.installed_by = t->installed_by;
		row.success = 1;
		fw_info(t->out, "Undoing migration of schema %s to version \"%s%s%s\"", fw_target_shown(t, t->schema),
			row.version, *u->description ? " - " : "", u->description);
		/* beforeEachUndo, the statement events, afterEachUndo(Error) fire inside */
		if (fw_apply_migration(t, u, &row, &ar, err) < 0)
			goto out;
		add_item(res, u, ar.ms);
	}
	/* the schema version after the undos */
	fw_plan_release(&plan);
	memset(&plan, 0, sizeof(plan));
	if (build_plan(t, &plan, err) < 0)
		goto out;
	res->target_version = plan.current ? xstrdup(fw_version_str(plan.current)) : NULL;
	ret = 0;
out:
	free(cand);
	fw_plan_release(&plan);
out_spec:
	fw_target_release(&spec);
	return ret;
}

int fw_op_undo(struct fw_target *t, struct fw_undo_result *res, struct fw_error *err)
{
	long t0 = fw_now_ms();
	int ret;
	memset(res, 0, sizeof(*res));
	if (fw_callbacks_fire(t, "beforeUndo", err) < 0)
		return -1;
	if (fw_target_lock(t, err) < 0)
		return -1;
	ret = undo_locked(t, res, err);
	if (fw_target_unlock(t, ret < 0 ? NULL : err) < 0)
		ret = -1;
	res->total_ms = fw_now_ms() - t0;
	if (ret < 0) {
		struct fw_error cberr = FW_ERROR_INIT;
		if (fw_callbacks_fire(t, "afterUndoError", &cberr) < 0)
			fw_warn(t->out, "%s", cberr.message.buf);
		fw_error_clear(&cberr);
		return -1;
	}
	return fw_callbacks_fire(t, "afterUndo", err);
}
