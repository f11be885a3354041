/* The two sides of a comparison (diff, generate, model), read as schema
 * models, as Flyway names them:
 *
 *   <environment> (or env:<environment>)  the database's catalogs
 *   migrations       every migration of the locations replayed on a scratch
 *                    database beside the build environment (ops/scratch.h)
 *   schemaModel      the schema-model folder's files applied to a scratch
 *                    database and read back, so the server normalises them;
 *                    its rename annotations come along (schema/renames.h)
 *   snapshot:FILE    a snapshot file (schema/snapshot.h)
 *   empty            nothing
 *
 * The build environment (diff.buildEnvironment) is only ever the server the
 * scratch databases are made on: it is never cleaned or migrated. Without
 * one, an environment side's server is used, else the selected
 * environment's. SQLite builds in memory. */
#ifndef FW_OPS_DIFF_STATE_H
#define FW_OPS_DIFF_STATE_H
#include "engine/target.h"
#include "ops/runner.h"
#include "schema/model.h"
#include "schema/renames.h"
#include "util/strvec.h"

enum fw_side_kind {
	FW_SIDE_ENVIRONMENT,
	FW_SIDE_MIGRATIONS,
	FW_SIDE_SCHEMA_MODEL,
	FW_SIDE_SNAPSHOT,
	FW_SIDE_EMPTY,
};

struct fw_side {
	enum fw_side_kind kind;
	char *spec;            /* as given ("dev", "snapshot:s.json", "schemaModel") */
	char *arg;             /* the environment's name, the snapshot's path */
};

/* read a side's spec; key names the setting in errors ("diff.source") */
int fw_side_parse(const char *key, const char *spec, struct fw_side *out, struct fw_error *err);
void fw_side_release(struct fw_side *s);

struct fw_side_state {
	struct fw_model model;
	struct fw_renames renames;    /* schemaModel: what the files declare renamed */
	struct strvec with_rows;      /* a database's tables holding rows */
	int rows_known;               /* 1 for databases (environments, migrations) */
};

void fw_side_state_release(struct fw_side_state *s);

/* an environment's connection (its own resolved configuration) */
struct fw_conn {
	struct fw_config cfg;
	struct fw_config *use;        /* &cfg, or the selected environment's (borrowed) */
	struct fw_session session;
	int open;
};

struct fw_compare {
	struct fw_config *cfg;        /* the selected environment's (borrowed) */
	const struct fw_observer *obs;
	char *model_location;         /* schemaModelLocation, absolute */
	char *model_shown;            /* ... as configured, for messages (file:line) */
	char *build_env;              /* the build server's environment; NULL: selected */
	char *build_version;          /* migrations: up to this version */
	struct strvec build_cherry_pick;
	int model_may_be_missing;     /* no schema-model folder is an empty model (it is the
	                                 side `model` writes), not an error */
	struct fw_conn build;
};

/* settings from the namespace (diff.buildEnvironment, ...); fallback_env is
 * an environment side's name, the build server when none is configured */
void fw_compare_init(struct fw_compare *c, struct fw_config *cfg, const struct fw_observer *obs,
		     const char *fallback_env);
void fw_compare_close(struct fw_compare *c);
/* the build server's target, connected on first use */
int fw_compare_build(struct fw_compare *c, struct fw_target **out, struct fw_error *err);

/* read one side; `like` is the other side (the dialect and schemas of
 * "empty"; may be NULL) */
int fw_side_read(struct fw_compare *c, const struct fw_side *side, const struct fw_side_state *like,
		  struct fw_side_state *out, struct fw_error *err);

/* A scratch database beside the build server with a model's objects created
 * in it, for the generator's proof. */
struct fw_built {
	struct fw_target *origin;     /* the build server (borrowed) */
	struct db *db;                /* the scratch (owned) */
	struct strvec names;          /* each model schema's name inside the scratch */
	struct strvec as;             /* and its name in the model */
};
/* build m on a new scratch; the scratch then reads back equal to m, or it
 * is an error naming what could not be rebuilt */
int fw_built_from_model(struct fw_compare *c, const struct fw_model *m, struct fw_built *out,
			struct fw_error *err);
/* a scratch with nothing in it yet, its schemas named like m's */
int fw_built_empty(struct fw_compare *c, const struct fw_model *m, struct fw_built *out, struct fw_error *err);
int fw_built_read(struct fw_built *b, const char *history_table, struct fw_model *out, struct fw_error *err);
void fw_built_close(struct fw_built *b, const struct fw_observer *obs);

/* the schema-model folder's file of an object (relative to the folder),
 * "<schema>/tables/orders.sql"; what hangs on a table is in the table's file */
void fw_model_file(const char *schema, const struct fw_object *o, struct strbuf *out);

#endif
