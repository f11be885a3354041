/* snapshot: a schema model to a file (see snapshot.h) */
#include "ops/snapshot.h"
#include "engine/target.h"
#include "ops/diff-state.h"
#include "ops/drift.h"
#include "ops/op.h"
#include "ops/runner.h"
#include "ops/scratch.h"
#include "schema/snapshot.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum source { SRC_TARGET, SRC_ENVIRONMENT, SRC_MIGRATIONS, SRC_MODEL, SRC_EMPTY };

static const char *source_setting(const struct fw_config *cfg)
{
	const char *v = fw_config_setting(cfg, "snapshot.source");
	return v && *v ? v : NULL;
}

/* what snapshot.source names; *env the other environment's name */
static enum source source_of(const struct fw_config *cfg, const char **env)
{
	const char *v = source_setting(cfg);
	*env = NULL;
	if (!v)
		return SRC_TARGET;
	if (!strncmp(v, "env:", 4)) {
		v += 4;
	} else if (!strcasecmp(v, "migrations")) {
		return SRC_MIGRATIONS;
	} else if (!strcasecmp(v, "empty")) {
		return SRC_EMPTY;
	} else if (!strcasecmp(v, "schemaModel")) {
		return SRC_MODEL;
	}
	if (cfg->environment && !strcmp(v, cfg->environment))
		return SRC_TARGET;
	*env = v;
	return SRC_ENVIRONMENT;
}

static const char *build_setting(const struct fw_config *cfg)
{
	const char *v = fw_config_setting(cfg, "snapshot.buildEnvironment");
	return v && *v ? v : NULL;
}

static int precheck(const struct fw_config *cfg, struct fw_error *err)
{
	const char *v = source_setting(cfg);
	const char *f = fw_config_setting(cfg, "snapshot.filename");
	if (!f || !*f) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "snapshot needs the file to write: -snapshot.filename=FILE");
		fw_error_hint(err, "e.g. fleetway snapshot -snapshot.filename=deployed.json (-snapshot.source=migrations builds it from the migrations)");
		return -1;
	}
	if (v && !strncmp(v, "snapshotHistory:", 16)) {
		fw_errorf_exit(err, FW_EXIT_NOT_IMPLEMENTED, "ERROR", "snapshot -snapshot.source=%s is not implemented in fleetway %s",
			       v, FW_VERSION);
		fw_error_hint(err, "nothing was changed; the sources are an environment, migrations, schemaModel and empty");
		return -1;
	}
	return 0;
}

/* without a url: only what needs no database of the target's */
static int open_offline(struct fw_target *t, struct fw_config *cfg, const struct fw_observer *obs,
			struct fw_error *err)
{
	const char *env;
	enum source src = source_of(cfg, &env);
	if (src == SRC_TARGET || ((src == SRC_MIGRATIONS || src == SRC_MODEL) && !build_setting(cfg))) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "snapshot needs a database: %s",
			       src == SRC_TARGET ? "the one to read" : "a scratch database is made on the target's server");
		fw_error_hint(err, "set url (-url=..., FLYWAY_URL or [environments.NAME] url)%s",
			      src == SRC_MIGRATIONS ? ", or name a build environment (-snapshot.buildEnvironment=NAME)" : "");
		return -1;
	}
	return fw_target_offline(t, cfg, obs, SQL_DIALECT_POSTGRES, err);
}

/* another environment's database, on a connection of its own */
static int read_environment(struct fw_target *t, const char *env, struct fw_model *out, struct fw_error *err)
{
	struct fw_config cfg;
	struct fw_session s;
	int rc;
	memset(&cfg, 0, sizeof(cfg));
	if (fw_config_resolve(t->cfg->settings, env, &cfg, err) < 0) {
		fw_config_release(&cfg);
		return -1;
	}
	fw_session_init(&s, &cfg, t->obs, env);
	s.cancel = t->cancel;
	rc = fw_session_connect(&s, err);
	if (!rc)
		rc = fw_live_model(&s.target, out, err);
	fw_session_close(&s);
	fw_config_release(&cfg);
	return rc;
}

/* the migrations on a scratch database or the build environment */
static int build_from_migrations(struct fw_target *t, struct fw_model *out, struct fw_error *err)
{
	struct fw_scratch s;
	struct strvec pick = STRVEC_INIT;
	const char *version = fw_config_setting(t->cfg, "snapshot.buildVersion");
	int rc;
	if (fw_expected_open(t, build_setting(t->cfg), &s, err) < 0)
		return -1;
	fw_config_setting_list(t->cfg, "snapshot.buildCherryPick", &pick);
	if (pick.nr)
		rc = fw_scratch_replay_list(&s, &pick, err);
	else if (version && *version)
		rc = fw_scratch_apply_pending(&s, version, err);
	else
		rc = fw_scratch_replay(&s, t, 1, err);
	if (!rc)
		rc = fw_scratch_read(&s, t, out, err);
	fw_scratch_close(&s);
	strvec_clear(&pick);
	return rc;
}

/* the schema-model folder, applied to a scratch database beside the build
 * server and read back (as diff reads it) */
static int read_model_folder(struct fw_target *t, struct fw_model *out, struct fw_error *err)
{
	struct fw_compare c;
	struct fw_side side;
	struct fw_side_state st;
	int rc;
	memset(&side, 0, sizeof(side));
	side.kind = FW_SIDE_SCHEMA_MODEL;
	fw_compare_init(&c, t->cfg, t->obs, build_setting(t->cfg));
	rc = fw_side_read(&c, &side, NULL, &st, err);
	if (!rc) {
		*out = st.model;
		memset(&st.model, 0, sizeof(st.model));
	}
	fw_side_state_release(&st);
	fw_compare_close(&c);
	return rc;
}

static void empty_model(struct fw_target *t, struct fw_model *out)
{
	const char **names = xcalloc(t->schemas.nr + 2, sizeof(*names));
	size_t n = 0;
	for (size_t i = 0; i < t->schemas.nr; i++)
		names[n++] = t->schemas.v[i];
	if (!n && t->schema)
		names[n++] = t->schema;
	fw_snapshot_empty(out, t->db ? db_dialect(t->db) : NULL, names);
	free(names);
}

static void stamp(struct fw_model *m, const char *source)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fw_attrs_set(&m->meta, "source", source);
	fw_attrs_set(&m->meta, "createdAt", when);
}

static int snapshot_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_snapshot_result *res = result;
	const char *env;
	enum source src = source_of(t->cfg, &env);
	int rc;
	(void)args;
	res->filename = fw_setting_path(t->cfg, "snapshot.filename");
	switch (src) {
	case SRC_TARGET:
		rc = fw_live_model(t, &res->model, err);
		res->source = xstrdup("database");
		break;
	case SRC_ENVIRONMENT:
		rc = read_environment(t, env, &res->model, err);
		res->source = xstrdup(env);
		break;
	case SRC_MIGRATIONS:
		rc = build_from_migrations(t, &res->model, err);
		res->source = xstrdup("migrations");
		break;
	case SRC_MODEL:
		rc = read_model_folder(t, &res->model, err);
		res->source = xstrdup("schemaModel");
		break;
	default:
		empty_model(t, &res->model);
		res->source = xstrdup("empty");
		rc = 0;
	}
	if (rc < 0)
		return -1;
	stamp(&res->model, res->source);
	return fw_snapshot_save(&res->model, res->filename, err);
}

static void snapshot_release(void *result)
{
	struct fw_snapshot_result *res = result;
	free(res->filename);
	free(res->source);
	fw_model_release(&res->model);
}

const struct fw_op fw_op_snapshot = {
	.name = "snapshot",
	.needs = FW_OP_DB | FW_OP_DB_OPTIONAL,
	.result_size = sizeof(struct fw_snapshot_result),
	.open_offline = open_offline,
	.precheck = precheck,
	.run = snapshot_run,
	.release = snapshot_release,
};
