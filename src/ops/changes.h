/* check -changes: what the pending migrations will change on a target,
 * object by object, in the shape of a drift report (operation "changes").
 *
 * Computed without touching the target: on a scratch database beside it (or
 * check.buildEnvironment, cleaned first) its applied migrations are replayed
 * and the schema read, then the pending ones applied (up to the target's
 * `target`) and read again; the entries are the difference. Or from two
 * snapshots: check.deployedSnapshot (before) and check.nextSnapshot (after),
 * which needs no database. */
#ifndef FW_CHANGES_H
#define FW_CHANGES_H
#include "schema/diff.h"
#include "util/error.h"
#include "util/strvec.h"

struct fw_target;
struct fw_config;

struct fw_changes_result {
	int ran;
	int from_snapshots;           /* two snapshot files, no database */
	int from_model;               /* check.changesSource=schemaModel: the target to the folder */
	char *source;                 /* where it was computed, for people */
	size_t applied;               /* migrations replayed before */
	struct strvec pending;        /* the pending migrations applied on top */
	struct fw_diff diff;          /* source: before them, target: after */
};

/* check -changes needs a database unless both snapshots are given */
int fw_changes_from_snapshots(const struct fw_config *cfg);
int fw_changes_run(struct fw_target *t, struct fw_changes_result *res, struct fw_error *err);
void fw_changes_result_release(struct fw_changes_result *res);

#endif
