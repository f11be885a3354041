/* Convergence in fact: after a rollout (the end of migrate) and in verify,
 * each target's schema as its catalogs say, not only its history.
 *
 * Every target's live model is read on its own connection, on its worker
 * (fw_converge_read). Targets are grouped by variant: the same applied
 * history, locations, placeholders and database product (the key of their
 * expected state, ops/drift.h). Each variant's expected state is built once,
 * on a scratch database beside the first target that needs it, while the
 * others go on. Then (fw_converge_judge) each target's fingerprint is
 * compared with its expected state and with the other targets of its
 * variant; an outlier gets one finding per differing object, named. When
 * the expected state cannot be built (no right to create a database: a
 * warning says why), or its history starts with a baseline (the schema below
 * it was not made by the migrations), the targets of a variant are compared
 * with each other only. */
#ifndef FW_CONVERGE_H
#define FW_CONVERGE_H
#include <stddef.h>
#include "util/strvec.h"

struct fw_target;
struct fw_fleet_run;
struct fw_converge;

struct fw_converge *fw_converge_new(size_t nr_targets);
/* on target idx's worker, after it was read back */
void fw_converge_read(struct fw_converge *c, size_t idx, struct fw_target *t);
/* after the batch: findings ("schema: ...") on the targets that differ;
 * returns how many targets got one; warnings for the caller to print */
size_t fw_converge_judge(struct fw_converge *c, struct fw_fleet_run *r, struct strvec *warnings);
void fw_converge_free(struct fw_converge *c);

#endif
