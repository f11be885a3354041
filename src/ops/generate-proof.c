/* The generator's proof (generate.h): the generated files run by the
 * migrate operation on a scratch copy of the start state, the result read
 * back and compared with the state wanted; then, with an undo script, undone
 * and compared with the start. */
#include "ops/generate.h"
#include "ops/migrate.h"
#include "ops/op.h"
#include "ops/scratch.h"
#include "ops/undo.h"
#include "schema/diff.h"
#include "sql/sqlsplit.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

#define MAX_SHOWN 20

static void drop_event(void *ctx, const struct fw_event *ev)
{
	(void)ctx;
	(void)ev;
}

/* one line per object that differs, with what differs inside it */
static void describe(const struct fw_diff *d, struct fw_error *err)
{
	const struct fw_diff_list *lists[] = { &d->only_in_source, &d->only_in_target, &d->differences };
	const char *how[] = { "wanted, but missing after the script", "left by the script, but not wanted",
			      "differs after the script" };
	size_t shown = 0;
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < lists[k]->nr && shown < MAX_SHOWN; i++, shown++) {
			const struct fw_diff_entry *e = &lists[k]->v[i];
			fw_error_detail(err, "%s%s %s%s%s: %s", shown ? "\n" : "", fw_obj_type_name(e->type),
					e->parent ? e->parent : "", e->parent ? "." : "", e->name, how[k]);
			for (size_t j = 0; j < e->details.nr; j++)
				fw_error_detail(err, "; %s (wanted -> got)", e->details.v[j]);
		}
}

/* got must equal expected (schemas paired as the diff pairs them) */
static int compare(const struct fw_model *expected, const struct fw_model *got, const char *what,
		   struct fw_error *err)
{
	struct fw_diff d = FW_DIFF_INIT;
	int ret = 0;
	if (expected->nschemas == 1 && got->nschemas == 1)
		fw_diff_schemas(&expected->schemas[0], &got->schemas[0], &d);
	else
		fw_diff_models(expected, got, &d);
	if (!fw_diff_is_empty(&d)) {
		fw_errorf(err, "ERROR", "generate could not express every change: on a scratch copy, %s "
			  "does not give the state wanted", what);
		describe(&d, err);
		fw_error_hint(err, "nothing was written; change these objects with a migration written by hand, or "
			      "leave them out (generate.changes)");
		ret = -1;
	}
	fw_diff_release(&d);
	return ret;
}

/* the session that runs the files on the scratch */
struct runner {
	struct fw_config cfg;          /* a shallow copy: only the fields below are its own */
	struct strvec locations, schemas;
	struct fw_observer quiet;
	struct fw_session s;
};

static void runner_open(struct runner *r, const struct fw_config *base, struct db *db,
			const struct strvec *locations, const struct strvec *schemas, const char *dir)
{
	memset(r, 0, sizeof(*r));
	r->cfg = *base;
	strvec_copy(&r->locations, locations);
	strvec_pushf(&r->locations, "filesystem:%s", dir);
	r->cfg.locations = r->locations;
	if (schemas) {
		strvec_copy(&r->schemas, schemas);
		r->cfg.schemas = r->schemas;
		r->cfg.default_schema = r->schemas.v[0];
	}
	r->cfg.callback_locations = (struct strvec)STRVEC_INIT;
	r->cfg.cherry_pick = (struct strvec)STRVEC_INIT;
	r->cfg.target = NULL;
	r->cfg.skip_executing_migrations = 0;
	r->cfg.dry_run_output = NULL;
	r->cfg.create_schemas = 1;
	r->cfg.out_of_order = 0;
	r->quiet.event = drop_event;
	fw_session_init(&r->s, &r->cfg, &r->quiet, "proof");
	r->s.attach_db = db;
}

static void runner_close(struct runner *r)
{
	fw_session_close(&r->s);
	strvec_clear(&r->locations);
	strvec_clear(&r->schemas);
}

static int run_files(struct runner *r, struct fw_error *err)
{
	struct fw_migrate_result mr;
	int rc = fw_run(&r->s, &fw_op_migrate, NULL, &mr, err);
	fw_op_result_release(&fw_op_migrate, &mr);
	if (rc < 0)
		fw_error_prefix(err, "the generated migration fails on a scratch copy of the start state (nothing was written)");
	return rc;
}

static int run_undos(struct runner *r, size_t undos, struct fw_error *err)
{
	for (size_t i = 0; i < undos; i++) {
		struct fw_undo_result ur;
		int rc = fw_run(&r->s, &fw_op_undo, NULL, &ur, err);
		fw_op_result_release(&fw_op_undo, &ur);
		if (rc < 0) {
			fw_error_prefix(err, "the generated undo migration fails on a scratch copy (nothing was written)");
			return -1;
		}
	}
	return 0;
}

typedef int (*read_fn)(void *ctx, struct fw_model *out, struct fw_error *err);

/* migrate, compare; undo, compare */
static int prove_on(const struct fw_proof *p, struct runner *r, read_fn read, void *ctx, struct fw_error *err)
{
	struct fw_model got;
	int ret;
	if (run_files(r, err) < 0 || read(ctx, &got, err) < 0)
		return -1;
	ret = compare(p->want, &got, "the generated migration", err);
	fw_model_release(&got);
	if (ret < 0 || !p->undos)
		return ret;
	if (run_undos(r, p->undos, err) < 0 || read(ctx, &got, err) < 0)
		return -1;
	ret = compare(p->start, &got, "the generated undo migration after it", err);
	fw_model_release(&got);
	return ret;
}

struct scratch_ctx {
	struct fw_scratch *sc;
	const struct fw_target *t;
};

static int read_scratch(void *ctx, struct fw_model *out, struct fw_error *err)
{
	struct scratch_ctx *x = ctx;
	return fw_scratch_read(x->sc, x->t, out, err);
}

static int read_built(void *ctx, struct fw_model *out, struct fw_error *err)
{
	struct fw_built *b = ctx;
	return fw_built_read(b, b->origin->cfg->table, out, err);
}

/* the start is the migrations: they are replayed, and the files come after them */
static int prove_on_migrations(const struct fw_proof *p, struct fw_error *err)
{
	struct fw_scratch sc;
	struct fw_target *t;
	struct runner r;
	struct scratch_ctx x;
	int ret;
	if (fw_compare_build(p->c, &t, err) < 0 || fw_scratch_open(&sc, t, p->c->obs, err) < 0)
		return -1;
	if (p->c->build_version)
		sc.cfg.target = p->c->build_version;
	for (size_t i = 0; i < p->c->build_cherry_pick.nr; i++)
		strvec_push(&sc.cfg.cherry_pick, p->c->build_cherry_pick.v[i]);
	ret = fw_scratch_replay(&sc, t, 1, err);
	if (ret == 0) {
		runner_open(&r, &sc.cfg, sc.db, &sc.cfg.locations, NULL, p->dir);
		x.sc = &sc;
		x.t = t;
		ret = prove_on(p, &r, read_scratch, &x, err);
		runner_close(&r);
	}
	fw_scratch_close(&sc);
	return ret;
}

/* any other start: its model is built on a scratch, which gets a baseline
 * (it has no history), then the files */
static int prove_on_model(const struct fw_proof *p, struct fw_error *err)
{
	struct fw_built b;
	struct runner r;
	struct strvec none = STRVEC_INIT;
	int ret;
	if (fw_built_from_model(p->c, p->start, &b, err) < 0)
		return -1;
	runner_open(&r, b.origin->cfg, b.db, &none, &b.names, p->dir);
	r.cfg.baseline_on_migrate = 1;
	r.cfg.baseline_version = "0";
	ret = prove_on(p, &r, read_built, &b, err);
	runner_close(&r);
	fw_built_close(&b, p->c->obs);
	return ret;
}

/* the statements of every file of the folder, in name order, straight on the scratch */
static int run_statements(const struct fw_proof *p, struct fw_built *b, struct fw_error *err)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		struct sqlsplit *sp = sqlsplit_new_mem(b->origin->dialect, p->files[i], strlen(p->files[i]), "undo");
		struct sql_stmt st = SQL_STMT_INIT;
		int rc;
		while ((rc = sqlsplit_next(sp, &st, err)) > 0)
			if (db_exec(b->db, st.sql.buf, err) < 0) {
				rc = -1;
				break;
			}
		sql_stmt_release(&st);
		sqlsplit_free(sp);
		if (rc < 0) {
			fw_error_prefix(err, "the generated undo migration fails on a scratch copy of the wanted state "
					"(nothing was written)");
			return -1;
		}
	}
	return 0;
}

/* an undo alone: the wanted state built, the undo run on it, the start must come out */
static int prove_undo_only(const struct fw_proof *p, struct fw_error *err)
{
	struct fw_built b;
	struct fw_model got;
	int ret = -1;
	if (fw_built_from_model(p->c, p->want, &b, err) < 0)
		return -1;
	if (run_statements(p, &b, err) == 0 && read_built(&b, &got, err) == 0) {
		ret = compare(p->start, &got, "the generated undo migration", err);
		fw_model_release(&got);
	}
	fw_built_close(&b, p->c->obs);
	return ret;
}

int fw_generate_prove(const struct fw_proof *p, struct fw_error *err)
{
	if (p->undo_only)
		return prove_undo_only(p, err);
	if (p->start_side->kind == FW_SIDE_MIGRATIONS)
		return prove_on_migrations(p, err);
	return prove_on_model(p, err);
}
