/* model (reference: Flyway's model): the diff artefact's changes written
 * into the schema-model folder (schemaModelLocation, default schema-model),
 * which must be one side of the diff: `diff model -diff.source=dev
 * -diff.target=schemaModel` makes the folder say what dev has. One file per
 * object (docs/schema-model.md, "The schema-model folder"): a changed
 * object's file is written again from the other side's model, a gone one's
 * removed; files of objects that did not change are left as they are.
 * model.changes picks changes by id (default: all). */
#ifndef FW_OPS_MODEL_H
#define FW_OPS_MODEL_H
#include "ops/diff-artifact.h"

struct fw_model_result {
	struct fw_artifact a;
	char *artifact_path;
	char *folder;              /* the schema-model folder */
	struct strvec written;     /* files written (absolute) */
	struct strvec removed;     /* files removed */
};

#endif
