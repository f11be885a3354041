#include "ops/scratch.h"
#include "engine/target.h"
#include "ops/clean.h"
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
	if (!mapped) {
		for (size_t i = 0; i < t->schemas.nr; i++)
			strvec_push(&s->read_names, t->schemas.v[i]);
		return 0;
	}
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
	strvec_push(&s->read_names, s->default_schema);
	s->cfg.schemas = (struct strvec)STRVEC_INIT;
	return 0;
}

/* what the scratch is: the target's settings, but everything migrate would
 * apply is applied, and nothing of the target's own run (cherryPick, target,
 * a dry run) carries over */
static void replay_settings(struct fw_scratch *s, const struct fw_target *t)
{
	s->cfg = *t->cfg;
	s->cfg.cherry_pick = (struct strvec)STRVEC_INIT;
	s->cfg.create_schemas = 1;
	s->cfg.skip_executing_migrations = 0;
	s->cfg.dry_run_output = NULL;
	s->cfg.target = NULL;
	s->cfg.baseline_on_migrate = 0;
}

static void scratch_init(struct fw_scratch *s, struct fw_target *t, const struct fw_observer *obs)
{
	memset(s, 0, sizeof(*s));
	s->origin = t->db;
	s->obs = obs;
	s->quiet.event = drop_event;
	for (size_t i = 0; i < t->schemas.nr; i++)
		strvec_push(&s->schemas, t->schemas.v[i]);
}

static void session_init(struct fw_scratch *s, struct fw_target *t, const char *name)
{
	fw_session_init(&s->session, &s->cfg, &s->quiet, name);
	s->session.cancel = t->cancel;
}

int fw_scratch_open(struct fw_scratch *s, struct fw_target *t, const struct fw_observer *obs,
		    struct fw_error *err)
{
	scratch_init(s, t, obs);
	if (db_scratch_create(t->db, t->schema, &s->db, err) < 0)
		return -1;
	replay_settings(s, t);
	if (point_at_scratch(s, t, err) < 0) {
		fw_scratch_close(s);
		return -1;
	}
	session_init(s, t, "scratch");
	s->session.attach_db = s->db;
	return 0;
}

/* Flyway's condition for a build environment: it can be cleaned */
static int refuse_build(const struct fw_scratch *s, const struct fw_target *t, const char *env,
			struct fw_error *err)
{
	const struct fw_config *b = s->build;
	if ((t->cfg->environment && !strcmp(t->cfg->environment, env)) ||
	    (t->cfg->url && b->url && !strcmp(t->cfg->url, b->url))) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
			       "the build environment '%s' is the target itself: it would be cleaned", env);
		fw_error_hint(err, "give a database of its own as the build environment, or leave buildEnvironment unset for an automatic scratch database");
		return -1;
	}
	if (b->clean_disabled) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CHECK_BUILD_NO_PROVISIONER",
			       "No provisioner is configured for the build environment '%s' and clean is disabled, so the build environment cannot be cleaned or re-provisioned",
			       env);
		fw_error_hint(err, "enable clean on the build environment (environments.%s.flyway.cleanDisabled = false): it is cleaned before every use", env);
		return -1;
	}
	if (!b->url || !*b->url) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "the build environment '%s' has no url", env);
		fw_error_hint(err, "set url in [environments.%s]", env);
		return -1;
	}
	return 0;
}

/* the build environment's connection and schemas, the target's migrations */
static void build_settings(struct fw_scratch *s, const struct fw_target *t)
{
	const struct fw_config *b = s->build;
	replay_settings(s, t);
	s->cfg.environment = b->environment;
	s->cfg.url = b->url;
	s->cfg.user = b->user;
	s->cfg.password = b->password;
	s->cfg.schemas = b->schemas;
	s->cfg.default_schema = b->default_schema;
	s->cfg.connect_retries = b->connect_retries;
	s->cfg.connect_retries_interval = b->connect_retries_interval;
	s->cfg.init_sql = b->init_sql;
	s->cfg.jdbc_properties = b->jdbc_properties;
	s->cfg.display_name = b->display_name;
	s->cfg.clean_disabled = 0;
}

int fw_scratch_open_build(struct fw_scratch *s, struct fw_target *t, const char *env,
			  const struct fw_observer *obs, struct fw_error *err)
{
	struct fw_clean_result cleaned;
	int rc;
	scratch_init(s, t, obs);
	s->build = xcalloc(1, sizeof(*s->build));
	s->build_name = xstrdup(env);
	if (!t->cfg->settings) {
		fw_errorf(err, "ERROR", "the build environment '%s' cannot be resolved here", env);
		goto fail;
	}
	if (fw_config_resolve(t->cfg->settings, env, s->build, err) < 0) {
		fw_error_prefix(err, "build environment");
		goto fail;
	}
	if (refuse_build(s, t, env, err) < 0)
		goto fail;
	build_settings(s, t);
	session_init(s, t, env);
	rc = fw_run(&s->session, &fw_op_clean, NULL, &cleaned, err);
	fw_op_result_release(&fw_op_clean, &cleaned);
	if (rc < 0) {
		fw_error_prefix(err, "cleaning the build environment '%s'", env);
		goto fail;
	}
	if (t->db && strcmp(db_dialect(s->session.target.db), db_dialect(t->db))) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "the build environment '%s' is %s, the target %s",
			       env, db_product(s->session.target.db), db_product(t->db));
		fw_error_hint(err, "a build environment needs the target's kind of database");
		goto fail;
	}
	for (size_t i = 0; i < s->session.target.schemas.nr; i++)
		strvec_push(&s->read_names, s->session.target.schemas.v[i]);
	/* no target database (a snapshot from the migrations alone): the build's names */
	if (!t->db)
		strvec_copy(&s->schemas, &s->read_names);
	if (s->read_names.nr != s->schemas.nr) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
			       "the build environment '%s' has %zu schema%s, the target %zu", env, s->read_names.nr,
			       s->read_names.nr == 1 ? "" : "s", s->schemas.nr);
		fw_error_hint(err, "give [environments.%s] schemas that stand for the target's, in the same order", env);
		goto fail;
	}
	return 0;
fail:
	fw_scratch_close(s);
	return -1;
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

void fw_scratch_applied(const struct fw_target *t, struct strvec *out, struct strvec *unreplayable)
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
			if (unreplayable && !strvec_contains(unreplayable, name))
				strvec_push(unreplayable, name);
			continue;
		}
		strvec_push(out, name);
	}
}

static int run_migrate(struct fw_scratch *s, struct strvec *applied, struct fw_error *err)
{
	struct fw_migrate_result res;
	int rc = fw_run(&s->session, &fw_op_migrate, NULL, &res, err);
	s->replayed += res.nr;
	for (size_t i = 0; applied && i < res.nr; i++)
		if (res.items[i].success)
			strvec_push(applied, res.items[i].script ? res.items[i].script : res.items[i].description);
	fw_op_result_release(&fw_op_migrate, &res);
	return rc;
}

int fw_scratch_replay_list(struct fw_scratch *s, const struct strvec *names, struct fw_error *err)
{
	strvec_clear(&s->cfg.cherry_pick);
	for (size_t i = 0; i < names->nr; i++)
		strvec_push(&s->cfg.cherry_pick, names->v[i]);
	if (!s->cfg.cherry_pick.nr)
		return 0;   /* nothing applied: the expected state is empty */
	if (run_migrate(s, NULL, err) < 0) {
		fw_error_prefix(err, "building the expected state on %s",
				s->build ? "the build environment" : "a scratch database");
		return -1;
	}
	return 0;
}

int fw_scratch_replay(struct fw_scratch *s, const struct fw_target *t, int all_files, struct fw_error *err)
{
	struct strvec names = STRVEC_INIT;
	int rc;
	if (all_files) {
		strvec_clear(&s->cfg.cherry_pick);
		rc = run_migrate(s, NULL, err);
		if (rc < 0)
			fw_error_prefix(err, "building the state of the migrations on %s",
					s->build ? "the build environment" : "a scratch database");
		return rc;
	}
	fw_scratch_applied(t, &names, &s->unreplayable);
	rc = fw_scratch_replay_list(s, &names, err);
	strvec_clear(&names);
	return rc;
}

int fw_scratch_apply_pending(struct fw_scratch *s, const char *target, struct fw_error *err)
{
	strvec_clear(&s->cfg.cherry_pick);
	s->cfg.target = (char *)target;
	if (run_migrate(s, &s->pending, err) < 0) {
		fw_error_prefix(err, "applying the pending migrations on %s",
				s->build ? "the build environment" : "a scratch database");
		return -1;
	}
	return 0;
}

/* where the scratch is: its own database, or the build environment's connection */
static struct db *scratch_db(struct fw_scratch *s)
{
	return s->db ? s->db : s->session.target.db;
}

int fw_scratch_read(struct fw_scratch *s, const struct fw_target *t, struct fw_model *out, struct fw_error *err)
{
	struct fw_schema_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.history_table = t->cfg->table;
	fw_model_init(out, db_dialect(scratch_db(s)), db_product(scratch_db(s)));
	for (size_t i = 0; i < s->schemas.nr; i++) {
		struct fw_schema read;
		opts.record_as = s->schemas.v[i];
		if (db_read_schema(scratch_db(s), s->read_names.v[i], &opts, &read, err) < 0) {
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
	if (s->build) {
		fw_config_release(s->build);
		free(s->build);
	}
	free(s->build_name);
	strvec_clear(&s->schemas);
	strvec_clear(&s->read_names);
	strvec_clear(&s->unreplayable);
	strvec_clear(&s->pending);
	memset(s, 0, sizeof(*s));
}
