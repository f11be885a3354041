#include "ops/scratch.h"
#include "engine/target.h"
#include "ops/migrate.h"
#include "ops/op.h"
#include "schema/model.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

/* the replay says nothing: what it would print is the migrations' own lines */
static void drop_event(void *ctx, const struct fw_event *ev)
{
	(void)ctx;
	(void)ev;
}

/* MySQL/MariaDB: a schema is a database, so the scratch database stands for
 * the target's one schema (PostgreSQL and SQLite build the target's schemas
 * inside the scratch as they are named) */
static int schemas_are_databases(struct db *scratch, int *yes, struct fw_error *err)
{
	char *name = NULL;
	const char *schema = db_scratch_schema(scratch);
	if (db_database_name(scratch, &name, err) < 0)
		return -1;
	*yes = name && schema && !strcmp(name, schema);
	free(name);
	return 0;
}

static int point_at_scratch(struct fw_scratch *s, struct fw_target *t, struct fw_error *err)
{
	int mapped;
	if (schemas_are_databases(s->db, &mapped, err) < 0)
		return -1;
	if (!mapped)
		return 0;
	if (t->schemas.nr > 1) {
		fw_errorf(err, "ERROR", "the expected state of %zu schemas cannot be built in one scratch database",
			  t->schemas.nr);
		fw_error_detail(err, "on %s a schema is a database: fleetway replays into one temporary database",
				db_product(t->db));
		fw_error_hint(err, "give a build environment (-buildEnvironment=NAME, cleaned first) that has the same schemas");
		return -1;
	}
	s->default_schema = xstrdup(db_scratch_schema(s->db));
	s->cfg.default_schema = s->default_schema;
	s->cfg.schemas = (struct strvec)STRVEC_INIT;
	return 0;
}

int fw_scratch_open(struct fw_scratch *s, struct fw_target *t, const struct fw_observer *obs,
		    struct fw_error *err)
{
	memset(s, 0, sizeof(*s));
	s->origin = t->db;
	s->obs = obs;
	s->quiet.event = drop_event;
	for (size_t i = 0; i < t->schemas.nr; i++)
		strvec_push(&s->schemas, t->schemas.v[i]);
	if (db_scratch_create(t->db, t->schema, &s->db, err) < 0)
		return -1;
	/* the target's settings, but everything migrate would apply is applied */
	s->cfg = *t->cfg;
	s->cfg.cherry_pick = (struct strvec)STRVEC_INIT;
	s->cfg.create_schemas = 1;
	s->cfg.skip_executing_migrations = 0;
	s->cfg.dry_run_output = NULL;
	s->cfg.target = NULL;
	s->cfg.baseline_on_migrate = 0;
	if (point_at_scratch(s, t, err) < 0) {
		fw_scratch_close(s);
		return -1;
	}
	fw_session_init(&s->session, &s->cfg, &s->quiet, "scratch");
	s->session.attach_db = s->db;
	return 0;
}

static int has_file(const struct fw_target *t, const struct fw_applied *a)
{
	for (size_t i = 0; i < t->scan.nr_migrations; i++) {
		const struct fw_resolved *r = &t->scan.migrations[i];
		if (a->version.kind == FW_VERSION_NUMBER ? r->kind != FW_FILE_REPEATABLE &&
							     !fw_version_cmp(&r->version, &a->version)
							   : r->kind == FW_FILE_REPEATABLE &&
							     !strcmp(r->description, a->description))
			return 1;
	}
	return 0;
}

/* an UNDO_SQL row after the last successful apply of that version undid it */
static int undone(const struct fw_history *h, size_t at)
{
	for (size_t j = at + 1; j < h->nr; j++) {
		const struct fw_applied *b = &h->rows[j];
		if (b->version.kind != FW_VERSION_NUMBER || fw_version_cmp(&b->version, &h->rows[at].version))
			continue;
		if (!strcmp(b->type, "UNDO_SQL") && b->success)
			return 1;
		if (b->success)
			return 0;   /* applied again after */
	}
	return 0;
}

/* files up to a baseline's version, in version order: how the schema got there */
static void below_baseline(const struct fw_target *t, const struct fw_version *base, struct strvec *out)
{
	for (size_t i = 0; i < t->scan.nr_migrations; i++) {
		const struct fw_resolved *r = &t->scan.migrations[i];
		if (r->kind != FW_FILE_REPEATABLE && fw_version_cmp(&r->version, base) <= 0 &&
		    !strvec_contains(out, fw_version_str(&r->version)))
			strvec_push(out, fw_version_str(&r->version));
	}
}

/* what the history applied, in its order, as a cherryPick list */
static void applied_list(struct fw_scratch *s, const struct fw_target *t, struct strvec *out)
{
	const struct fw_history *h = &t->hist;
	for (size_t i = 0; i < h->nr; i++) {
		const struct fw_applied *a = &h->rows[i];
		const char *name = a->version.kind == FW_VERSION_NUMBER ? a->version_text : a->description;
		if (!a->success)
			continue;
		if (!strcmp(a->type, "BASELINE")) {
			below_baseline(t, &a->version, out);
			continue;
		}
		if (!strcmp(a->type, "SCHEMA") || !strcmp(a->type, "DELETE") || !strcmp(a->type, "UNDO_SQL") ||
		    !name || strvec_contains(out, name) || (a->version.kind == FW_VERSION_NUMBER && undone(h, i)))
			continue;
		if (!has_file(t, a)) {
			if (!strvec_contains(&s->unreplayable, name))
				strvec_push(&s->unreplayable, name);
			continue;
		}
		strvec_push(out, name);
	}
}

int fw_scratch_replay(struct fw_scratch *s, const struct fw_target *t, int all_files, struct fw_error *err)
{
	struct fw_migrate_result res;
	int rc;
	if (!all_files) {
		applied_list(s, t, &s->cfg.cherry_pick);
		if (!s->cfg.cherry_pick.nr)
			return 0;   /* nothing applied: the expected state is empty */
	}
	rc = fw_run(&s->session, &fw_op_migrate, NULL, &res, err);
	s->replayed = res.nr;
	fw_op_result_release(&fw_op_migrate, &res);
	if (rc < 0)
		fw_error_prefix(err, "building the expected state on a scratch database");
	return rc;
}

int fw_scratch_read(struct fw_scratch *s, const struct fw_target *t, struct fw_model *out, struct fw_error *err)
{
	struct fw_schema_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.history_table = t->cfg->table;
	fw_model_init(out, db_dialect(t->db), db_product(t->db));
	for (size_t i = 0; i < s->schemas.nr; i++) {
		struct fw_schema read;
		const char *name = s->default_schema ? s->default_schema : s->schemas.v[i];
		opts.record_as = s->schemas.v[i];
		if (db_read_schema(s->db, name, &opts, &read, err) < 0) {
			fw_model_release(out);
			return -1;
		}
		fw_model_adopt_schema(out, &read);
	}
	return 0;
}

void fw_scratch_close(struct fw_scratch *s)
{
	struct fw_error e = FW_ERROR_INIT;
	fw_session_close(&s->session);
	if (s->db && db_scratch_drop(s->origin, s->db, &e) < 0 && s->obs)
		fw_emit_warn(s->obs, "the scratch database could not be dropped: %s", e.message.buf);
	fw_error_clear(&e);
	strvec_clear(&s->cfg.cherry_pick);
	free(s->default_schema);
	strvec_clear(&s->schemas);
	strvec_clear(&s->unreplayable);
	memset(s, 0, sizeof(*s));
}
