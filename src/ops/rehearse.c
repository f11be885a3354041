/* The rehearsal operation (see rehearse.h) */
#include "ops/rehearse.h"
#include "engine/apply.h"
#include "engine/target.h"
#include "ops/op.h"
#include "ops/runner.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAVEPOINT "fleetway_rehearsal"
#define DEFAULT_LOCK_GUARD "10s"

/* ---- one migration ------------------------------------------------------- */

static struct fw_rehearse_item *add_item(struct fw_rehearse_result *res, const struct fw_resolved *r)
{
	struct fw_rehearse_item *it;
	ALLOC_GROW(res->items, res->nr + 1, res->alloc);
	it = &res->items[res->nr++];
	memset(it, 0, sizeof(*it));
	it->script = xstrdup(r->script);
	it->path = xstrdup(r->path);
	it->version = xstrdup(r->kind == FW_FILE_REPEATABLE ? "" : fw_version_str(&r->version));
	return it;
}

/* "Migration V2__x.sql failed: <the server's message>" */
static char *error_text(const struct fw_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	const char *m = e->detail.buf ? strstr(e->detail.buf, "Message    : ") : NULL;
	strbuf_addstr(&sb, e->message.buf ? e->message.buf : "failed");
	if (m) {
		m += strlen("Message    : ");
		strbuf_addstr(&sb, ": ");
		strbuf_add(&sb, m, strcspn(m, "\n"));
	}
	return strbuf_detach(&sb, NULL);
}

/* the locks in now that were not in before */
static void new_locks(const struct strvec *before, const struct strvec *now, struct strvec *out)
{
	for (size_t i = 0; i < now->nr; i++)
		if (!strvec_contains(before, now->v[i]))
			strvec_push(out, now->v[i]);
}

/* why a migration cannot be rehearsed in a transaction that is rolled back, or NULL */
static const char *not_rehearsable(struct fw_target *t, const struct fw_resolved *r, struct fw_error *err)
{
	int tx = 1;
	if (r->is_script)
		return "a script migration works outside the database's transaction: not rehearsed";
	if (fw_script_is_transactional(t, r, &tx, err) < 0)
		return NULL;
	if (!tx)
		return "it runs outside a transaction (executeInTransaction=false, or CREATE INDEX CONCURRENTLY and the like): it could not be rolled back, so it was not rehearsed";
	return NULL;
}

/* Run r under a savepoint: a failure is rolled back to it and the next
 * migration still runs; returns -1 only when the rehearsal itself cannot go on */
static int rehearse_one(struct fw_target *t, const struct fw_resolved *r, struct fw_rehearse_result *res,
			struct fw_error *err)
{
	struct fw_rehearse_item *it = add_item(res, r);
	struct strvec before = STRVEC_INIT, after = STRVEC_INIT;
	struct fw_apply_result ar;
	struct fw_error e = FW_ERROR_INIT;
	const char *why = not_rehearsable(t, r, &e);
	int ret = 0;
	if (why || fw_error_is_set(&e)) {
		if (why) {
			it->skipped = xstrdup(why);
			res->skipped++;
		} else {
			it->error = error_text(&e);
			res->problems++;
		}
		fw_error_clear(&e);
		return 0;
	}
	if (db_locks_held(t->db, &before, err) < 0 || db_exec(t->db, "SAVEPOINT " SAVEPOINT, err) < 0) {
		ret = -1;
		goto out;
	}
	if (fw_apply_rehearse(t, r, &ar, &it->timeout, &e) < 0) {
		it->error = error_text(&e);
		if (db_exec(t->db, "ROLLBACK TO SAVEPOINT " SAVEPOINT, err) < 0)
			ret = -1;
	} else {
		it->ok = 1;
		if (db_locks_held(t->db, &after, err) < 0 || db_exec(t->db, "RELEASE SAVEPOINT " SAVEPOINT, err) < 0)
			ret = -1;
		new_locks(&before, &after, &it->locks);
	}
	it->ms = ar.ms;
	it->slow = it->ms > res->budget_ms;
	res->problems += !it->ok || it->slow;
out:
	fw_error_clear(&e);
	strvec_clear(&before);
	strvec_clear(&after);
	return ret;
}

/* ---- the operation ------------------------------------------------------- */

/* pending migrations in migrate's order: versioned, then repeatables */
static void pick_pending(const struct fw_plan *plan, const struct fw_resolved **out, size_t *n)
{
	*n = 0;
	for (int repeatables = 0; repeatables < 2; repeatables++)
		for (size_t i = 0; i < plan->nr; i++) {
			const struct fw_entry *e = &plan->entries[i];
			if (e->state == FW_ST_PENDING && e->res && !e->app &&
			    (e->res->kind == FW_FILE_REPEATABLE) == repeatables)
				out[(*n)++] = e->res;
		}
}

static int refuse_without_ddl_transactions(struct fw_target *t, struct fw_error *err)
{
	if (db_supports_ddl_transactions(t->db))
		return 0;
	fw_errorf(err, "CHECK_REHEARSAL_UNSUPPORTED", "a rehearsal cannot run on %s: it commits each DDL statement at once",
		  db_product(t->db));
	fw_error_detail(err, "the migrations' changes could not be rolled back; nothing was run");
	fw_error_hint(err, "rehearse on a PostgreSQL or SQLite copy, or migrate a restored copy of this database and time it there");
	return -1;
}

static int read_plan(struct fw_target *t, struct fw_plan *plan, struct fw_error *err)
{
	int exists = 0;
	if (fw_target_schema_exists(t, t->schema, &exists, err) < 0 ||
	    (exists && fw_target_load_history(t, err) < 0))
		return -1;
	if (!exists)
		fw_history_forget(&t->hist);
	return fw_target_plan(t, plan, err);
}

static int rehearse_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_rehearse_result *res = result;
	const struct fw_resolved **pending;
	struct fw_plan plan;
	struct fw_error e2 = FW_ERROR_INIT;
	size_t n;
	int ret = 0;
	(void)args;
	res->budget_ms = fw_migration_budget_ms(t->cfg);
	if (refuse_without_ddl_transactions(t, err) < 0 || read_plan(t, &plan, err) < 0)
		return -1;
	pending = xcalloc(plan.nr + 1, sizeof(*pending));
	pick_pending(&plan, pending, &n);
	fw_apply_install_rows_handler(t);
	if (n && db_begin(t->db, err) < 0)
		ret = -1;
	for (size_t i = 0; !ret && i < n; i++)
		ret = rehearse_one(t, pending[i], res, err);
	/* nothing of it stays, whatever happened */
	if (n && db_rollback(t->db, ret ? &e2 : err) < 0 && !ret)
		ret = -1;
	fw_error_clear(&e2);
	free(pending);
	fw_plan_release(&plan);
	return ret;
}

static void rehearse_release(void *result)
{
	fw_rehearse_result_release(result);
}

/* the lock keeps a migrate from starting half-way through; nothing is
 * written that outlives the transaction */
const struct fw_op fw_op_rehearse = {
	.name = "rehearse",
	.needs = FW_OP_DB | FW_OP_LOCK,
	.result_size = sizeof(struct fw_rehearse_result),
	.run = rehearse_run,
	.release = rehearse_release,
};

/* ---- where it runs ------------------------------------------------------- */

/* the rehearsal's own session says nothing about connecting: the report says where */
static void forward_event(void *ctx, const struct fw_event *ev)
{
	if (ev->kind != FW_EV_CONNECTED && ev->kind != FW_EV_CURRENT_VERSION)
		fw_emit(ctx, ev);
}

/* the guards: the configured limits, else 10 s for a lock wait and the
 * budget for a statement */
struct guarded {
	struct fw_config cfg;       /* shallow copy */
	char lock[32], statement[32];
};

static void guard(const struct fw_config *base, struct guarded *g)
{
	long budget = fw_migration_budget_ms(base);
	g->cfg = *base;
	snprintf(g->lock, sizeof(g->lock), "%s", DEFAULT_LOCK_GUARD);
	snprintf(g->statement, sizeof(g->statement), "%ldms", budget);
	if (!base->lock_timeout)
		g->cfg.lock_timeout = g->lock;
	if (!base->statement_timeout && budget)
		g->cfg.statement_timeout = g->statement;
}

static int run_session(struct fw_target *t, struct fw_config *cfg, struct db *attach, const char *name,
		       struct fw_rehearse_result *res, struct fw_error *err)
{
	struct fw_observer obs = { forward_event, (void *)t->obs, t->obs ? t->obs->debug : 0 };
	struct guarded g;
	struct fw_session s;
	int ret;
	guard(cfg, &g);
	fw_session_init(&s, &g.cfg, &obs, name);
	s.attach_db = attach;
	ret = fw_run(&s, &fw_op_rehearse, NULL, res, err);
	if (s.connected) {
		struct strbuf db = STRBUF_INIT;
		strbuf_addf(&db, "%s (%s)", db_display_url(s.target.db), db_product(s.target.db));
		res->database = strbuf_detach(&db, NULL);
	}
	fw_session_close(&s);
	return ret;
}

int fw_rehearse_configured(const struct fw_config *cfg, int on_target_asked, struct fw_error *err)
{
	if (fw_config_setting(cfg, "check.rehearseEnvironment") || on_target_asked)
		return 0;
	fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check -rehearse needs a copy of production to rehearse on");
	fw_error_detail(err, "a rehearsal runs the pending migrations and rolls them back; on a live database that still takes its locks for as long as they run");
	fw_error_hint(err, "name the copy with check.rehearseEnvironment=NAME (an environment), or rehearse on the target itself with check.rehearseOnTarget=true");
	return -1;
}

int fw_rehearse(struct fw_target *t, int on_target_asked, struct fw_rehearse_result *res, struct fw_error *err)
{
	const char *env = fw_config_setting(t->cfg, "check.rehearseEnvironment");
	struct strbuf where = STRBUF_INIT;
	int ret;
	memset(res, 0, sizeof(*res));
	if (fw_rehearse_configured(t->cfg, on_target_asked, err) < 0)
		return -1;
	if (env) {
		struct fw_config cfg;
		if (!t->cfg->settings)
			return fw_errorf(err, "ERROR", "check.rehearseEnvironment: no configuration to resolve %s from", env);
		if (fw_config_resolve(t->cfg->settings, env, &cfg, err) < 0) {
			fw_error_prefix(err, "check.rehearseEnvironment");
			return -1;
		}
		strbuf_addf(&where, "environment %s", env);
		ret = run_session(t, &cfg, NULL, env, res, err);
		fw_config_release(&cfg);
	} else if (!t->db) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.rehearseOnTarget needs a database (url)");
		fw_error_hint(err, "set url, or name a copy with check.rehearseEnvironment=NAME");
		return -1;
	} else {
		strbuf_addf(&where, "target %s", t->name ? t->name : t->cfg->environment ? t->cfg->environment : "default");
		ret = run_session(t, t->cfg, t->db, t->name, res, err);
	}
	res->where = strbuf_detach(&where, NULL);
	return ret;
}

void fw_rehearse_problems(const struct fw_rehearse_result *res, struct strvec *out)
{
	for (size_t i = 0; i < res->nr; i++) {
		const struct fw_rehearse_item *it = &res->items[i];
		struct strbuf sb = STRBUF_INIT, d = STRBUF_INIT;
		fw_format_duration(it->ms, &d);
		if (it->error)
			strbuf_addf(&sb, "%s: %s", it->script, it->error);
		else if (it->slow)
			strbuf_addf(&sb, "%s took %s, longer than check.maxMigrationSeconds (%ld s)", it->script, d.buf,
				    res->budget_ms / 1000);
		if (sb.len)
			strvec_push(out, sb.buf);
		strbuf_release(&sb);
		strbuf_release(&d);
	}
}

void fw_rehearse_result_release(struct fw_rehearse_result *res)
{
	for (size_t i = 0; i < res->nr; i++) {
		struct fw_rehearse_item *it = &res->items[i];
		free(it->script);
		free(it->path);
		free(it->version);
		free(it->skipped);
		free(it->error);
		strvec_clear(&it->locks);
	}
	free(res->items);
	free(res->where);
	free(res->database);
	memset(res, 0, sizeof(*res));
}
