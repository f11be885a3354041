#include "ops/migrate.h"
#include "engine/apply.h"
#include "ops/op.h"
#include "engine/callbacks.h"
#include "engine/target.h"
#include "ops/validate.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

static void item_release(struct fw_migrate_item *it)
{
	free(it->version);
	free(it->description);
	free(it->filepath);
	free(it->script);
}

void fw_migrate_result_release(struct fw_migrate_result *r)
{
	for (size_t i = 0; i < r->nr; i++)
		item_release(&r->items[i]);
	free(r->items);
	free(r->initial_version);
	free(r->target_version);
	strvec_clear(&r->warnings);
	memset(r, 0, sizeof(*r));
}

void fw_schema_marker_row(struct fw_target *t, const struct strvec *created,
			  struct strbuf *script, struct fw_history_row *row)
{
	for (size_t i = 0; i < created->nr; i++) {
		if (i)
			strbuf_addch(script, ',');
		db_quote_ident(t->db, created->v[i], script);
	}
	memset(row, 0, sizeof(*row));
	row->rank = fw_history_next_rank(&t->hist, 1);
	row->description = "<< Flyway Schema Creation >>";
	row->type = "SCHEMA";
	row->script = script->buf;
	row->installed_by = t->installed_by;
	row->success = 1;
}

static void emit_schema(struct fw_target *t, enum fw_event_kind kind, const char *schema)
{
	struct fw_event ev = { .kind = kind, .schema = fw_target_shown(t, schema) };
	fw_emit(t->obs, &ev);
}

static void emit_history_creating(struct fw_target *t, int with_baseline)
{
	struct fw_event ev = { .kind = FW_EV_HISTORY_CREATING, .table = t->hist.qualified, .flag = with_baseline };
	fw_emit(t->obs, &ev);
}

int fw_ensure_schemas(struct fw_target *t, int *created_any, struct fw_error *err)
{
	struct strvec created = STRVEC_INIT;
	struct strbuf script = STRBUF_INIT;
	int ret = -1;
	*created_any = 0;
	for (size_t i = 0; i < t->schemas.nr; i++) {
		int exists;
		if (fw_target_schema_exists(t, t->schemas.v[i], &exists, err) < 0)
			goto out;
		if (exists)
			continue;
		if (!t->cfg->create_schemas) {
			fw_emit_warn(t->obs, "The configuration option 'createSchemas' is false. However, the schema history table still needs a schema to reside in. You must manually create a schema for the schema history table to reside in.");
			continue;
		}
		if (fw_callbacks_fire(t, "createSchema", err) < 0 ||
		    fw_callbacks_fire(t, "beforeCreateSchema", err) < 0)
			goto out;
		emit_schema(t, FW_EV_SCHEMA_CREATING, t->schemas.v[i]);
		if (db_create_schema(t->db, t->schemas.v[i], err) < 0)
			goto out;
		strvec_push(&created, t->schemas.v[i]);
	}
	if (created.nr) {
		struct fw_history_row row;
		if (fw_history_probe(&t->hist, err) < 0)
			goto out;
		if (!t->hist.exists) {
			emit_history_creating(t, 0);
			if (fw_history_create(&t->hist, t->cfg->tablespace, err) < 0)
				goto out;
		} else if (fw_history_load(&t->hist, err) < 0) {
			goto out;
		}
		fw_schema_marker_row(t, &created, &script, &row);
		if (fw_history_insert(&t->hist, &row, err) < 0)
			goto out;
		*created_any = 1;
	}
	ret = 0;
out:
	strvec_clear(&created);
	strbuf_release(&script);
	return ret;
}

int fw_create_with_baseline(struct fw_target *t, struct fw_error *err)
{
	struct fw_history_row row;
	const char *desc = t->cfg->baseline_description ? t->cfg->baseline_description
						       : "<< Flyway Baseline >>";
	emit_history_creating(t, 1);
	if (db_begin(t->db, err) < 0)
		return -1;
	if (fw_history_create(&t->hist, t->cfg->tablespace, err) < 0)
		goto fail;
	memset(&row, 0, sizeof(row));
	row.rank = 1;
	row.version = t->cfg->baseline_version ? t->cfg->baseline_version : "1";
	row.description = desc;
	row.type = "BASELINE";
	row.script = desc;
	row.installed_by = t->installed_by;
	row.success = 1;
	if (fw_history_insert(&t->hist, &row, err) < 0 || db_commit(t->db, err) < 0)
		goto fail;
	{
		struct fw_event ev = { .kind = FW_EV_BASELINED, .version = row.version };
		fw_emit(t->obs, &ev);
	}
	return 0;
fail:
	{
		struct fw_error e2 = FW_ERROR_INIT;
		db_rollback(t->db, &e2);
		fw_error_clear(&e2);
	}
	t->hist.exists = 0;
	return -1;
}

static int any_schema_non_empty(struct fw_target *t, struct strbuf *names, struct fw_error *err)
{
	int found = 0;
	for (size_t i = 0; i < t->schemas.nr; i++) {
		int exists, empty;
		if (db_schema_exists(t->db, t->schemas.v[i], &exists, err) < 0)
			return -1;
		if (!exists)
			continue;
		if (db_schema_is_empty(t->db, t->schemas.v[i], &empty, err) < 0)
			return -1;
		if (!empty) {
			if (found)
				strbuf_addstr(names, ", ");
			strbuf_addstr(names, fw_target_shown(t, t->schemas.v[i]));
			found = 1;
		}
	}
	return found;
}

/* step 5 of reference 6.1: no history table yet */
static int ensure_history(struct fw_target *t, struct fw_error *err)
{
	struct strbuf names = STRBUF_INIT;
	int nonempty;
	if (fw_target_load_history(t, err) < 0)
		return -1;
	if (t->hist.exists)
		return 0;
	nonempty = t->cfg->skip_executing_migrations ? 0 : any_schema_non_empty(t, &names, err);
	if (nonempty < 0)
		goto fail;
	if (nonempty) {
		if (!t->cfg->baseline_on_migrate) {
			fw_errorf(err, "NON_EMPTY_SCHEMA_WITHOUT_SCHEMA_HISTORY_TABLE",
				  "Found non-empty schema(s) %s but no schema history table. Use baseline() or set baselineOnMigrate to true to initialize the schema history table.",
				  names.buf);
			fw_error_hint(err, "run `fleetway baseline` once, or set baselineOnMigrate=true");
			goto fail;
		}
		strbuf_release(&names);
		if (fw_callbacks_fire(t, "beforeBaseline", err) < 0 || fw_create_with_baseline(t, err) < 0)
			return -1;
		return fw_callbacks_fire(t, "afterBaseline", err);
	}
	strbuf_release(&names);
	emit_history_creating(t, 0);
	return fw_history_create(&t->hist, t->cfg->tablespace, err);
fail:
	strbuf_release(&names);
	return -1;
}

static int has_failed(struct fw_target *t, const struct fw_plan *plan, struct fw_error *err)
{
	struct fw_ignores ig;
	int future_ignored;
	if (fw_ignores_parse(&t->cfg->ignore_migration_patterns, &ig, err) < 0)
		return -1;
	future_ignored = fw_ignores_matches_state(&ig, 1, FW_ST_FUTURE_SUCCESS);
	fw_ignores_release(&ig);
	for (size_t i = 0; i < plan->nr; i++) {
		const struct fw_entry *e = &plan->entries[i];
		if (!fw_state_is_failed(e->state))
			continue;
		if (e->state == FW_ST_FUTURE_FAILED && future_ignored) {
			fw_emit_warn(t->obs, "Schema %s contains a failed future migration to version %s !",
				fw_target_shown(t, t->schema), fw_entry_version(e));
			continue;
		}
		if (fw_entry_is_versioned(e))
			fw_errorf(err, "FAILED_VERSIONED_MIGRATION",
				  "Schema %s contains a failed migration to version %s !", fw_target_shown(t, t->schema),
				  fw_entry_version(e));
		else
			fw_errorf(err, "FAILED_REPEATABLE_MIGRATION",
				  "Schema %s contains a failed repeatable migration (\"%s\") !", fw_target_shown(t, t->schema),
				  fw_entry_description(e));
		fw_error_hint(err, "remove the half-applied changes by hand, then run `fleetway repair` and migrate again");
		return -1;
	}
	return 0;
}

/* does one cherryPick entry name this migration (a version, or a repeatable's description) */
static int cherry_matches(const char *want, const struct fw_resolved *r)
{
	if (r->kind == FW_FILE_REPEATABLE) {
		char *d = xstrdup(want);
		int eq;
		for (char *p = d; *p; p++)
			if (*p == '_')
				*p = ' ';
		eq = !strcmp(d, r->description);
		free(d);
		return eq;
	} else {
		struct fw_version v = FW_VERSION_INIT;
		struct fw_error e = FW_ERROR_INIT;
		int eq = fw_version_parse(want, 0, &v, &e) == 0 && !fw_version_cmp(&v, &r->version);
		fw_version_release(&v);
		fw_error_clear(&e);
		return eq;
	}
}

/* position of a migration in cherryPick, or -1 */
static int cherry_index(const struct fw_config *c, const struct fw_resolved *r)
{
	for (size_t i = 0; i < c->cherry_pick.nr; i++)
		if (cherry_matches(c->cherry_pick.v[i], r))
			return (int)i;
	return -1;
}

/* an entry that names no migration file is a mistake, not a request for nothing */
static int check_cherry_pick(const struct fw_target *t, struct fw_error *err)
{
	const struct fw_config *c = t->cfg;
	for (size_t i = 0; i < c->cherry_pick.nr; i++) {
		size_t j;
		for (j = 0; j < t->scan.nr_migrations; j++)
			if (cherry_matches(c->cherry_pick.v[i], &t->scan.migrations[j]))
				break;
		if (j == t->scan.nr_migrations) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "cherryPick: no migration matches '%s'",
				       c->cherry_pick.v[i]);
			fw_error_hint(err, "list versions (2, 1.1) of versioned migrations or descriptions of repeatable ones, as in their file names; nothing was changed");
			return -1;
		}
	}
	return 0;
}

/* pending entries in the order they run: versioned ascending, then repeatables */
static size_t pick_pending(struct fw_target *t, const struct fw_plan *plan,
			   const struct fw_entry **out)
{
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < plan->nr; i++) {
			const struct fw_entry *e = &plan->entries[i];
			if (e->state != FW_ST_PENDING || !e->res || e->app)
				continue;
			if ((e->res->kind == FW_FILE_REPEATABLE) != pass)
				continue;
			if (t->cfg->cherry_pick.nr && cherry_index(t->cfg, e->res) < 0)
				continue;
			out[n++] = e;
		}
	if (t->cfg->cherry_pick.nr) {
		/* cherryPick runs in the order given */
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && cherry_index(t->cfg, out[j]->res) <
							 cherry_index(t->cfg, out[j - 1]->res); j--) {
				const struct fw_entry *tmp = out[j];
				out[j] = out[j - 1];
				out[j - 1] = tmp;
			}
	}
	return n;
}

static void add_item(struct fw_migrate_result *res, const struct fw_resolved *r, long ms, int ok, int tx,
		     int out_of_order)
{
	struct fw_migrate_item *it;
	ALLOC_GROW(res->items, res->nr + 1, res->alloc);
	it = &res->items[res->nr++];
	it->category = r->kind == FW_FILE_REPEATABLE ? "Repeatable"
		       : r->kind == FW_FILE_BASELINE ? "Baseline" : "Versioned";
	it->version = xstrdup(r->kind == FW_FILE_REPEATABLE ? "" : fw_version_str(&r->version));
	it->description = xstrdup(r->description);
	it->type = r->type;
	it->filepath = xstrdup(r->path);
	it->script = xstrdup(r->script);
	it->ms = ms;
	it->success = ok;
	it->transactional = tx;
	it->out_of_order = out_of_order;
}

/* a migration starting (ms < 0) or finished */
static void announce(struct fw_target *t, const struct fw_resolved *r, int tx, int out_of_order, long ms,
		     int ok)
{
	struct fw_event ev = {
		.kind = ms < 0 ? FW_EV_MIGRATION_STARTED : FW_EV_MIGRATION_FINISHED,
		.schema = fw_target_shown(t, t->schema),
		.version = r->kind == FW_FILE_REPEATABLE ? NULL : fw_version_str(&r->version),
		.description = r->description,
		.script = r->script,
		.repeatable = r->kind == FW_FILE_REPEATABLE,
		.transactional = tx,
		.out_of_order = out_of_order,
		.ms = ms < 0 ? 0 : ms,
		.success = ok,
	};
	fw_emit(t->obs, &ev);
}

/* a migration over check.maxMigrationSeconds: a warning line and an entry in
 * the result's warnings (JSON), so the next environment is not surprised */
static void warn_if_slow(struct fw_target *t, const struct fw_resolved *r, long ms, struct fw_migrate_result *res)
{
	long budget = fw_migration_budget_ms(t->cfg);
	struct strbuf msg = STRBUF_INIT, d = STRBUF_INIT;
	if (ms <= budget)
		return;
	fw_format_duration(ms, &d);
	strbuf_addf(&msg, "Migration %s took %s, longer than check.maxMigrationSeconds (%ld s): rehearse such a migration on a copy of production (check -rehearse) before it reaches a large database",
		    r->script, d.buf, budget / 1000);
	fw_emit_warn(t->obs, "%s", msg.buf);
	strvec_push_nodup(&res->warnings, strbuf_detach(&msg, NULL));
	strbuf_release(&d);
}

static int apply_one(struct fw_target *t, const struct fw_plan *plan, const struct fw_entry *e,
		     struct fw_migrate_result *res, struct fw_error *err)
{
	int ooo = e->res->kind != FW_FILE_REPEATABLE && plan->last_applied &&
		  fw_version_cmp(&e->res->version, plan->last_applied) < 0;
	const struct fw_resolved *r = e->res;
	struct fw_history_row row;
	struct fw_apply_result ar;
	struct fw_script_prep prep;
	int tx, rc;
	memset(&row, 0, sizeof(row));
	row.version = r->kind == FW_FILE_REPEATABLE ? NULL : fw_version_str(&r->version);
	row.description = r->description;
	row.type = r->type;
	row.script = r->script;
	row.has_checksum = r->has_checksum;
	row.checksum = r->checksum;
	row.installed_by = t->installed_by;
	row.success = 1;
	if (t->cfg->skip_executing_migrations) {
		row.rank = fw_history_next_rank(&t->hist, 0);
		add_item(res, r, 0, 1, 1, ooo);
		return fw_history_insert(&t->hist, &row, err);
	}
	/* one reading of the file: the decision, then its statements are sent */
	if (fw_script_prepare(t, r, &prep, err) < 0)
		return -1;
	tx = prep.tx;
	announce(t, r, tx, ooo, -1, 0);
	rc = fw_apply_prepared(t, r, &prep, &row, &ar, err);
	fw_script_prep_release(&prep);
	announce(t, r, tx, ooo, ar.ms, rc == 0);
	add_item(res, r, ar.ms, rc == 0, tx, ooo);
	if (rc < 0) {
		res->failed = 1;
		res->rolled_back = tx && db_supports_ddl_transactions(t->db);
		return -1;
	}
	warn_if_slow(t, r, ar.ms, res);
	return 0;
}

/* group=true: can the pending migrations share one transaction?
 * 1 = yes, 0 = run them one by one (mixed=true with a non-transactional one),
 * -1 = refused: a non-transactional migration while mixed=false */
static int group_is_transactional(struct fw_target *t, const struct fw_entry **pending, size_t n,
				  struct fw_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct fw_resolved *r = pending[i]->res;
		int tx;
		if (fw_script_is_transactional(t, r, &tx, err) < 0)
			return -1;
		if (tx)
			continue;
		if (t->cfg->mixed) {
			fw_emit_warn(t->obs, "Migration %s is non-transactional: the group runs without a transaction (mixed=true), one migration after the other",
				r->script);
			return 0;
		}
		fw_errorf(err, "ERROR",
			  "Detected both transactional and non-transactional migrations within the same migration group (even though mixed is false). First offending migration: %s%s%s [non-transactional]",
			  r->kind == FW_FILE_REPEATABLE ? "" : fw_version_str(&r->version),
			  *r->description && r->kind != FW_FILE_REPEATABLE ? " " : "", r->description);
		fw_error_detail(err, "in %s", r->path);
		fw_error_hint(err, "nothing was applied; set mixed=true to run the group without a transaction, or migrate without group=true");
		return -1;
	}
	return 1;
}

/* after a group rollback only the failed migration is worth reporting */
static void keep_failed_items(struct fw_migrate_result *res)
{
	size_t k = 0;
	for (size_t i = 0; i < res->nr; i++) {
		if (res->items[i].success) {
			item_release(&res->items[i]);
			continue;
		}
		res->items[k++] = res->items[i];
	}
	res->nr = k;
}

static char *current_version_text(const struct fw_plan *plan)
{
	return plan->current ? xstrdup(fw_version_str(plan->current)) : NULL;
}

static int migrate_locked(struct fw_target *t, struct fw_migrate_result *res, struct fw_error *err)
{
	struct fw_validate_result vr;
	struct fw_plan plan;
	const struct fw_entry **pending = NULL;
	size_t npending = 0, applied = 0;
	int created, ret = -1, repeatables_started = 0;
	if (check_cherry_pick(t, err) < 0)
		return -1;
	if (t->cfg->validate_on_migrate) {
		if (fw_callbacks_fire(t, "beforeValidate", err) < 0)
			return -1;
		if (fw_validate_target(t, 1, &vr, err) < 0)
			return -1;
		if (vr.nr) {
			fw_validate_error(&vr, err);
			fw_validate_result_release(&vr);
			fw_callbacks_fire(t, "afterValidateError", &(struct fw_error)FW_ERROR_INIT);
			return -1;
		}
		fw_validate_result_release(&vr);
		if (fw_callbacks_fire(t, "afterValidate", err) < 0)
			return -1;
	}
	if (fw_ensure_schemas(t, &created, err) < 0 || ensure_history(t, err) < 0)
		return -1;
	if (fw_callbacks_fire(t, "beforeMigrate", err) < 0)
		return -1;
	if (fw_target_plan(t, &plan, err) < 0)
		return -1;
	res->initial_version = current_version_text(&plan);
	res->read_history = 1;
	{
		struct fw_event ev = { .kind = FW_EV_CURRENT_VERSION, .schema = fw_target_shown(t, t->schema),
				       .version = res->initial_version };
		fw_emit(t->obs, &ev);
	}
	if (t->cfg->out_of_order)
		fw_emit_warn(t->obs, "outOfOrder mode is active. Migration of schema %s may not be reproducible.",
			fw_target_shown(t, t->schema));
	if (has_failed(t, &plan, err) < 0)
		goto out;
	if (plan.current && plan.last_resolved && fw_version_cmp(plan.current, plan.last_resolved) > 0)
		fw_emit_warn(t->obs, "Schema %s has a version (%s) that is newer than the latest available migration (%s) !",
			fw_target_shown(t, t->schema), fw_version_str(plan.current), fw_version_str(plan.last_resolved));
	pending = xcalloc(plan.nr + 1, sizeof(*pending));
	npending = pick_pending(t, &plan, pending);
	if (t->cfg->group && npending && !t->cfg->skip_executing_migrations) {
		int tx = group_is_transactional(t, pending, npending, err);
		if (tx < 0 || (tx && fw_group_begin(t, err) < 0))
			goto out;
	}
	for (size_t i = 0; i < npending; i++) {
		const struct fw_resolved *r = pending[i]->res;
		if (r->kind == FW_FILE_REPEATABLE && !repeatables_started) {
			/* afterVersioned fires once: before the first repeatable, or at the end */
			repeatables_started = 1;
			if (fw_callbacks_fire(t, "afterVersioned", err) < 0 ||
			    fw_callbacks_fire(t, "beforeRepeatables", err) < 0)
				goto out;
		}
		if (t->halt && __atomic_load_n(t->halt, __ATOMIC_SEQ_CST)) {
			fw_errorf(err, "FLEET_HALTED", "halted before %s: another target of the fleet failed",
				  r->script);
			goto out;
		}
		if (apply_one(t, &plan, pending[i], res, err) < 0)
			goto out;
		applied++;
		if (r->kind != FW_FILE_REPEATABLE) {
			free(res->target_version);
			res->target_version = xstrdup(fw_version_str(&r->version));
		}
		if (plan.target_is_next && r->kind != FW_FILE_REPEATABLE)
			break;
	}
	if (t->in_group && fw_group_end(t, 1, err) < 0) {
		applied = 0;
		goto out;
	}
	if (!repeatables_started && fw_callbacks_fire(t, "afterVersioned", err) < 0)
		goto out;
	if (applied && fw_callbacks_fire(t, "afterMigrateApplied", err) < 0)
		goto out;
	if (fw_callbacks_fire(t, "afterMigrate", err) < 0)
		goto out;
	ret = 0;
out:
	if (t->in_group) {
		fw_group_end(t, 0, err);
		keep_failed_items(res);
		free(res->target_version);
		res->target_version = NULL;
		struct fw_event ev = { .kind = FW_EV_GROUP_ROLLED_BACK, .count = npending };
		fw_emit(t->obs, &ev);
	}
	free(pending);
	fw_plan_release(&plan);
	return ret;
}

static int migrate_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_migrate_result *res = result;
	long t0 = fw_now_ms();
	int ret;
	if (t->cfg->group && !db_supports_ddl_transactions(t->db)) {
		/* Flyway only warns here and leaves half a group applied (reference 14.22) */
		fw_errorf(err, "ERROR",
			  "group=true needs transactional DDL, which %s does not have: a failure would leave part of the group applied",
			  db_product(t->db));
		fw_error_hint(err, "nothing was changed; migrate without -group=true (each migration then runs and is recorded on its own)");
		return -1;
	}
	fw_apply_install_rows_handler(t);
	ret = migrate_locked(t, res, err);
	res->total_ms = fw_now_ms() - t0;
	return ret;
}

static void migrate_release(void *result)
{
	fw_migrate_result_release(result);
}

static void migrate_unlock_failed(const void *result, struct fw_error *err)
{
	const struct fw_migrate_result *res = result;
	fw_error_detail(err, "%zu migration%s applied and recorded in the schema history before this", res->nr,
			res->nr == 1 ? " was" : "s were");
}

/* the lock is held around the whole of it; before/after callbacks fire
 * inside, where Flyway fires them (after validation and schema creation) */
const struct fw_op fw_op_migrate = {
	.name = "migrate",
	.needs = FW_OP_DB | FW_OP_LOCK | FW_OP_WRITES,
	.on_error = "afterMigrateError",
	.result_size = sizeof(struct fw_migrate_result),
	.run = migrate_run,
	.release = migrate_release,
	.unlock_failed = migrate_unlock_failed,
};
