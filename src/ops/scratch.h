/* A scratch database built from migrations: the state a target's history
 * says it should have (its applied migrations replayed, with its
 * placeholders and locations), or what its pending migrations lead to. It
 * never touches the target: SQLite builds in memory, PostgreSQL and
 * MySQL/MariaDB in a temporary database on the target's server
 * (db_scratch_create), dropped again at the end, also after a failure.
 *
 * Or on a build environment (Flyway's check.buildEnvironment): a database
 * of its own, cleaned first, so it must have cleanDisabled=false.
 *
 * The scratch runs the same migrate operation as the target would, through
 * the same runner, on a session of its own; what it prints is kept quiet
 * (warnings go to the caller's observer). */
#ifndef FW_SCRATCH_H
#define FW_SCRATCH_H
#include "config/config.h"
#include "ops/runner.h"
#include "util/strvec.h"

struct fw_model;

struct fw_scratch {
	struct db *origin;            /* the connection it was made beside (borrowed) */
	struct db *db;                /* the scratch database's connection (owned); NULL on a
	                                 build environment, which the session connects to */
	struct fw_config cfg;         /* the target's configuration, shallow: cfg.cherry_pick,
	                                 cfg.schemas and cfg.default_schema are the scratch's own */
	char *default_schema;         /* owned values the copy points at */
	struct fw_config *build;      /* the build environment's own configuration (owned) */
	char *build_name;
	struct fw_session session;
	struct fw_observer quiet;     /* drops what the replay says, passes warnings on */
	const struct fw_observer *obs;
	struct strvec schemas;        /* the target's schemas, as the model names them */
	struct strvec read_names;     /* ... and as the scratch holds them, in the same order */
	struct strvec unreplayable;   /* applied versions without a file: not in the scratch */
	struct strvec pending;        /* fw_scratch_apply_pending: the migrations it applied */
	size_t replayed;              /* migrations applied to the scratch */
};

/* a scratch database beside target t (which is connected), configured like it */
int fw_scratch_open(struct fw_scratch *s, struct fw_target *t, const struct fw_observer *obs,
		    struct fw_error *err);
/* Build environment `env` (an environment of the configuration) in place of
 * a scratch database: refused unless its cleanDisabled is false
 * (CHECK_BUILD_NO_PROVISIONER) and unless it is the target itself; connected
 * and cleaned here. Its connection settings and schemas are its own, the
 * migrations' settings (locations, placeholders, table) the target's. */
int fw_scratch_open_build(struct fw_scratch *s, struct fw_target *t, const char *env,
			  const struct fw_observer *obs, struct fw_error *err);
/* The migrations t's history applied, in their order, as names migrate's
 * cherryPick takes (a BASELINE row stands for the files up to its version,
 * where there are any); applied ones without a file go to unreplayable
 * (may be NULL). */
void fw_scratch_applied(const struct fw_target *t, struct strvec *out, struct strvec *unreplayable);
/* Replay: the migrations t's history applied (fw_scratch_applied), or with
 * all_files every migration of the locations (the state after migrate). */
int fw_scratch_replay(struct fw_scratch *s, const struct fw_target *t, int all_files, struct fw_error *err);
/* replay exactly these migrations (versions or repeatable descriptions), in order */
int fw_scratch_replay_list(struct fw_scratch *s, const struct strvec *names, struct fw_error *err);
/* then what migrate would apply now, up to `target` (NULL: latest), as the
 * target's pending migrations; their names go to s->pending */
int fw_scratch_apply_pending(struct fw_scratch *s, const char *target, struct fw_error *err);
/* the scratch's schemas read as the target's (names the target uses) */
int fw_scratch_read(struct fw_scratch *s, const struct fw_target *t, struct fw_model *out, struct fw_error *err);
void fw_scratch_close(struct fw_scratch *s);

#endif
