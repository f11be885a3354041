/* snapshot (Flyway's verb): a schema model written as fleetway's snapshot
 * JSON (docs/schema-model.md) to snapshot.filename, from snapshot.source:
 *
 *   (unset), the environment's own name, env:NAME
 *                  the target's database, or another environment's
 *   migrations     every migration (or up to snapshot.buildVersion, or
 *                  snapshot.buildCherryPick) replayed on a scratch database
 *                  beside the target, or on snapshot.buildEnvironment
 *                  (cleaned first)
 *   empty          an empty database
 *
 * The operation is fw_op_snapshot (ops/op.h). */
#ifndef FW_SNAPSHOT_OP_H
#define FW_SNAPSHOT_OP_H
#include "schema/model.h"

struct fw_snapshot_result {
	char *filename;          /* written */
	char *source;            /* "database", "migrations", "empty", or an environment's name */
	struct fw_model model;   /* what the file holds */
};

#endif
