/* fleetway repair (reference 7.2, 4.3, 4.4, 14.10) */
#include "ops/repair.h"
#include "ops/op.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

static void list_add(struct fw_repair_list *l, const char *version, const char *description,
		     const char *filepath)
{
	struct fw_repair_item *it;
	if (l->nr == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	it = &l->v[l->nr++];
	it->version = version ? xstrdup(version) : NULL;
	it->description = xstrdup(description ? description : "");
	it->filepath = xstrdup(filepath ? filepath : "");
}

static void list_release(struct fw_repair_list *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->v[i].version);
		free(l->v[i].description);
		free(l->v[i].filepath);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void fw_repair_result_release(struct fw_repair_result *res)
{
	list_release(&res->removed);
	list_release(&res->deleted);
	list_release(&res->aligned);
}

static int is_synthetic(const char *type)
{
	return !strcmp(type, "SCHEMA") || !strcmp(type, "BASELINE");
}

static int is_undo(const char *type)
{
	return !strncmp(type, "UNDO", 4);
}

/* a pending change, copied out of the plan so inserts may grow the history */
struct pending_delete {
	char *version, *description, *script;
	int has_checksum;
	int32_t checksum;
	int success;
};
struct pending_align {
	int rank;
	char *description;
	const char *type;   /* static or owned by the scan */
	int has_checksum;
	int32_t checksum;
};

static int remove_failed(struct fw_target *t, struct fw_repair_result *res, struct fw_error *err)
{
	int any = 0;
	for (size_t i = 0; i < t->hist.nr; i++) {
		const struct fw_applied *a = &t->hist.rows[i];
		if (a->success)
			continue;
		if (fw_history_delete_failed(&t->hist, a, err) < 0)
			return -1;
		list_add(&res->removed, a->version_text, a->description, a->script);
		any = 1;
	}
	if (any && fw_history_load(&t->hist, err) < 0)
		return -1;
	return 0;
}

static int collect(struct fw_target *t, struct pending_delete **dels, size_t *ndel,
		   struct pending_align **als, size_t *nal, struct fw_repair_result *res,
		   struct fw_error *err)
{
	struct fw_target_spec spec;
	struct fw_plan_opts o;
	struct fw_plan plan;
	struct fw_ignores ig;
	size_t dalloc = 0, aalloc = 0;
	memset(&spec, 0, sizeof(spec));
	memset(&plan, 0, sizeof(plan));
	memset(&ig, 0, sizeof(ig));
	if (fw_target_parse("latest", &spec, err) < 0)
		return -1;
	o.target = &spec;
	o.out_of_order = 1;
	if (fw_ignores_parse(&t->cfg->ignore_migration_patterns, &ig, err) < 0 ||
	    fw_plan_build(&t->scan, &t->hist, &o, &plan, err) < 0) {
		fw_target_release(&spec);
		fw_ignores_release(&ig);
		return -1;
	}
	for (size_t i = 0; i < plan.nr; i++) {
		const struct fw_entry *e = &plan.entries[i];
		const struct fw_applied *a = e->app;
		const struct fw_resolved *r = e->res;
		if (!a || is_synthetic(a->type) || is_undo(a->type) || !strcmp(a->type, "DELETE"))
			continue;
		switch (e->state) {
		case FW_ST_MISSING_SUCCESS: case FW_ST_MISSING_FAILED:
		case FW_ST_FUTURE_SUCCESS: case FW_ST_FUTURE_FAILED:
			if (fw_ignores_match(&ig, e))
				continue;
			if (*ndel == dalloc) {
				dalloc = dalloc ? dalloc * 2 : 8;
				*dels = xrealloc(*dels, dalloc * sizeof(**dels));
			}
			(*dels)[*ndel].version = a->version_text ? xstrdup(a->version_text) : NULL;
			(*dels)[*ndel].description = xstrdup(a->description);
			(*dels)[*ndel].script = xstrdup(a->script);
			(*dels)[*ndel].has_checksum = a->has_checksum;
			(*dels)[*ndel].checksum = a->checksum;
			(*dels)[*ndel].success = a->success;
			(*ndel)++;
			list_add(&res->deleted, a->version_text, a->description, a->script);
			continue;
		case FW_ST_UNDONE: case FW_ST_IGNORED:
			continue;
		default:
			break;
		}
		if (!r)
			continue;
		{
			int ck_differs, desc_differs, type_differs;
			if (a->has_checksum && r->has_checksum)
				ck_differs = a->checksum != r->checksum && a->checksum != r->raw_checksum;
			else
				ck_differs = a->has_checksum != r->has_checksum;
			if (fw_entry_is_versioned(e)) {
				desc_differs = strcmp(a->description, r->description) != 0;
				type_differs = strcmp(a->type, r->type) != 0;
				if (!ck_differs && !desc_differs && !type_differs)
					continue;
			} else {
				/* repeatables: only rows holding the raw-equivalent checksum */
				if (!(a->has_checksum && r->has_checksum && a->checksum == r->raw_checksum &&
				      a->checksum != r->checksum))
					continue;
			}
			if (*nal == aalloc) {
				aalloc = aalloc ? aalloc * 2 : 8;
				*als = xrealloc(*als, aalloc * sizeof(**als));
			}
			(*als)[*nal].rank = a->rank;
			(*als)[*nal].description = xstrdup(r->description);
			(*als)[*nal].type = r->type;
			(*als)[*nal].has_checksum = r->has_checksum;
			(*als)[*nal].checksum = r->checksum;
			(*nal)++;
			/* Flyway reports the row as it was: the description before the update */
			list_add(&res->aligned, a->version_text, a->description, r->path);
		}
	}
	fw_plan_release(&plan);
	fw_ignores_release(&ig);
	fw_target_release(&spec);
	return 0;
}

static int apply_changes(struct fw_target *t, struct pending_delete *dels, size_t ndel,
			 struct pending_align *als, size_t nal, struct fw_error *err)
{
	for (size_t i = 0; i < ndel; i++) {
		struct fw_history_row row;
		memset(&row, 0, sizeof(row));
		row.rank = fw_history_next_rank(&t->hist, 0);
		row.version = dels[i].version;
		row.description = dels[i].description;
		row.type = "DELETE";
		row.script = dels[i].script;
		row.has_checksum = dels[i].has_checksum;
		row.checksum = dels[i].checksum;
		row.installed_by = t->installed_by;
		row.execution_time = 0;
		row.success = dels[i].success;
		if (fw_history_insert(&t->hist, &row, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < nal; i++)
		if (fw_history_update(&t->hist, als[i].rank, als[i].description, als[i].type,
				      als[i].has_checksum, als[i].checksum, err) < 0)
			return -1;
	return 0;
}

static int repair_body(struct fw_target *t, struct fw_repair_result *res, struct fw_error *err)
{
	struct pending_delete *dels = NULL;
	struct pending_align *als = NULL;
	size_t ndel = 0, nal = 0;
	int ret = -1;
	if (remove_failed(t, res, err) < 0)
		return -1;
	if (collect(t, &dels, &ndel, &als, &nal, res, err) == 0 &&
	    apply_changes(t, dels, ndel, als, nal, err) == 0)
		ret = 0;
	for (size_t i = 0; i < ndel; i++) {
		free(dels[i].version);
		free(dels[i].description);
		free(dels[i].script);
	}
	for (size_t i = 0; i < nal; i++)
		free(als[i].description);
	free(dels);
	free(als);
	return ret;
}

static int repair_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_repair_result *res = result;
	long t0 = fw_now_ms();
	int tx = t->cfg->execute_in_transaction;
	if (fw_target_scan(t, err) < 0 || fw_target_load_history(t, err) < 0)
		return -1;
	if (!t->hist.exists) {
		res->no_table = 1;
		res->ms = fw_now_ms() - t0;
		return 0;
	}
	if (tx && db_begin(t->db, err) < 0)
		return -1;
	if (repair_body(t, res, err) < 0) {
		if (tx) {
			struct fw_error e2 = FW_ERROR_INIT;
			db_rollback(t->db, &e2);
			fw_error_clear(&e2);
		}
		{
			struct fw_error e3 = FW_ERROR_INIT;
			fw_history_load(&t->hist, &e3);
			fw_error_clear(&e3);
		}
		return -1;
	}
	if (tx && db_commit(t->db, err) < 0)
		return -1;
	if (fw_history_load(&t->hist, err) < 0)
		return -1;
	res->ms = fw_now_ms() - t0;
	return 0;
}

static void repair_release(void *result)
{
	fw_repair_result_release(result);
}

const struct fw_op fw_op_repair = {
	.name = "repair",
	.needs = FW_OP_DB | FW_OP_LOCK | FW_OP_WRITES,
	.before = "beforeRepair",
	.after = "afterRepair",
	.on_error = "afterRepairError",
	.result_size = sizeof(struct fw_repair_result),
	.run = repair_run,
	.release = repair_release,
};
