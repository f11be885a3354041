/* diff and diffText (reference: Flyway's diff, diffText):
 *
 *   fw_op_diff      reads diff.source and diff.target (ops/diff-state.h),
 *                   works out what the target needs to look like the source,
 *                   and writes the diff artefact (ops/diff-artifact.h)
 *   fw_op_difftext  reads the artefact: the definitions before and after of
 *                   the chosen changes (diffText.changes; all by default)
 *
 * Neither needs a connection of the chain's own: diff opens those its sides
 * and build environment need, diffText none. */
#ifndef FW_OPS_DIFF_H
#define FW_OPS_DIFF_H
#include "ops/diff-artifact.h"

struct fw_diff_result {
	struct fw_artifact a;
	char *artifact_path;
	struct strvec only;        /* diffText: the ids shown (empty: all) */
};

#endif
