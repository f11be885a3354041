/* A scratch database built from migrations: the state a target's history
 * says it should have (its applied migrations replayed, with its
 * placeholders and locations), or what its pending migrations lead to. It
 * never touches the target: SQLite builds in memory, PostgreSQL and
 * MySQL/MariaDB in a temporary database on the target's server
 * (db_scratch_create), dropped again at the end, also after a failure.
 *
 * The scratch runs the same migrate operation as the target would, through
 * the same runner, on a session attached to the scratch connection; what it
 * prints is kept quiet (warnings go to the caller's observer). */
#ifndef FW_SCRATCH_H
#define FW_SCRATCH_H
#include "config/config.h"
#include "ops/runner.h"
#include "util/strvec.h"

struct fw_model;

struct fw_scratch {
	struct db *origin;            /* the connection it was made beside (borrowed) */
	struct db *db;                /* the scratch database's connection (owned) */
	struct fw_config cfg;         /* the target's configuration, shallow: cfg.cherry_pick,
	                                 cfg.schemas and cfg.default_schema are the scratch's own */
	char *default_schema;         /* owned values the copy points at */
	struct fw_session session;
	struct fw_observer quiet;     /* drops what the replay says, passes warnings on */
	const struct fw_observer *obs;
	struct strvec schemas;        /* the target's schemas, as the model names them */
	struct strvec unreplayable;   /* applied versions without a file: not in the scratch */
	size_t replayed;              /* migrations applied to the scratch */
};

/* a scratch database beside target t (which is connected), configured like it */
int fw_scratch_open(struct fw_scratch *s, struct fw_target *t, const struct fw_observer *obs,
		    struct fw_error *err);
/* Replay: the migrations t's history applied, in their order (a BASELINE row
 * replays the files up to its version first, where there are any), or with
 * all_files every migration of the locations (the state after migrate). */
int fw_scratch_replay(struct fw_scratch *s, const struct fw_target *t, int all_files, struct fw_error *err);
/* the scratch's schemas read as the target's (names the target uses) */
int fw_scratch_read(struct fw_scratch *s, const struct fw_target *t, struct fw_model *out, struct fw_error *err);
void fw_scratch_close(struct fw_scratch *s);

#endif
