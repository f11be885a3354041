/* Operations: one row per thing fleetway can do to one target, and one runner
 * that does the lifecycle around each of them.
 *
 * An operation is what a command does to a database, without the printing:
 * migrate, info, validate, repair, baseline, clean, undo, check, the dry
 * run, and the fleet's probe and pre-flight. Its row says what it needs (a
 * connection, the migration lock), which callback events the runner fires
 * around it, and how to run it on one target, filling a result of its own
 * type. The command chain and every fleet target go through the same runner
 * (ops/runner.h), so a command works the same alone and on a fleet.
 *
 * Adding an operation: a file in src/ops/ defining one `const struct fw_op`
 * (declared below), its result type in its header, and a row in the command
 * table (src/cmd/commands.c) that maps a command name to it and renders its
 * result (docs/development.md has the checklist). */
#ifndef FW_OP_H
#define FW_OP_H
#include <stddef.h>
#include "util/error.h"

struct fw_target;
struct fw_config;
struct fw_observer;

enum fw_op_needs {
	/* without it, the target passed to run has only its cfg, obs and name set
	 * (unless the chain connected it earlier) */
	FW_OP_DB = 1 << 0,          /* a connection to the target's database */
	FW_OP_DB_OPTIONAL = 1 << 1, /* with FW_OP_DB: without a url it runs on the files alone */
	FW_OP_LOCK = 1 << 2,        /* the migration lock, held while it runs */
	FW_OP_WRITES = 1 << 3,      /* changes the database or its history */
};

struct fw_op {
	const char *name;
	unsigned needs;                 /* enum fw_op_needs */
	/* callback events the runner fires: before (after connecting, before the
	 * lock), after success, after a failure (its own failure only warns);
	 * NULL where the operation fires its own or Flyway fires none */
	const char *before, *after, *on_error;
	size_t result_size;             /* the runner zeroes the result before run */
	/* FW_OP_DB_OPTIONAL: make the files-only target when there is no url */
	int (*open_offline)(struct fw_target *t, struct fw_config *cfg, const struct fw_observer *obs,
			    struct fw_error *err);
	/* refuse before connecting (configuration), optional */
	int (*precheck)(const struct fw_config *cfg, struct fw_error *err);
	/* the work; args are the operation's own (NULL for the commands); on
	 * failure the result still holds what was done */
	int (*run)(struct fw_target *t, const void *args, void *result, struct fw_error *err);
	void (*release)(void *result);  /* optional */
	/* the lock could not be released after a success: say in err what was
	 * done before (optional) */
	void (*unlock_failed)(const void *result, struct fw_error *err);
};

extern const struct fw_op fw_op_info;        /* ops/info.c: the plan of every migration */
extern const struct fw_op fw_op_validate;    /* ops/validate.c */
extern const struct fw_op fw_op_migrate;     /* ops/migrate.c */
extern const struct fw_op fw_op_dryrun;      /* ops/dryrun.c: migrate -dryRunOutput */
extern const struct fw_op fw_op_baseline;    /* ops/baseline.c */
extern const struct fw_op fw_op_repair;      /* ops/repair.c */
extern const struct fw_op fw_op_clean;       /* ops/clean.c */
extern const struct fw_op fw_op_undo;        /* ops/undo.c */
extern const struct fw_op fw_op_check;       /* ops/check.c: -code, -dryrun, -drift, -changes */
extern const struct fw_op fw_op_snapshot;    /* ops/snapshot.c: a schema model to a file */
extern const struct fw_op fw_op_probe;       /* ops/probe.c: version, pending and failed counts */
extern const struct fw_op fw_op_preflight;   /* ops/preflight.c: the fleet's checks before a rollout */
extern const struct fw_op fw_op_rehearse;    /* ops/rehearse.c: pending migrations run and rolled back */
extern const struct fw_op fw_op_diff;        /* ops/diff.c: two states compared, the diff artefact */
extern const struct fw_op fw_op_difftext;    /* ops/diff.c: the artefact's definitions */
extern const struct fw_op fw_op_generate;    /* ops/generate.c: a proved migration from the artefact */
extern const struct fw_op fw_op_model;       /* ops/model.c: the artefact into the schema-model folder */
extern const struct fw_op fw_op_gate_sql;    /* ops/gate.c: a fleet's SQL gate on one target */

#endif
