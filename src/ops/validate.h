/* Flyway's validation of resolved against applied migrations (reference 7.1). */
#ifndef FW_VALIDATE_H
#define FW_VALIDATE_H
#include "engine/plan.h"

struct fw_target;

struct fw_invalid {
	char *version;       /* "" for repeatables */
	char *description;
	char *filepath;      /* absolute path or "" */
	const char *code;    /* FAILED_VERSIONED_MIGRATION, CHECKSUM_MISMATCH, ... */
	char *message;       /* Flyway's text, may span lines */
};

struct fw_validate_result {
	struct fw_invalid *v;
	size_t nr, alloc;
	int count;           /* validateCount: entries looked at */
	long ms;
};

/* check every entry of the plan; ignores = configured patterns (+ *:pending for migrate) */
void fw_validate_plan(const struct fw_plan *plan, const struct fw_ignores *ig,
		      struct fw_validate_result *res);
/* the whole validate step on a target: scan, history, plan, checks.
 * Returns -1 only for errors that stop validation itself; failed checks are in res. */
int fw_validate_target(struct fw_target *t, int ignore_pending, struct fw_validate_result *res,
		       struct fw_error *err);
/* turn failed checks into Flyway's VALIDATE_ERROR ("Validate failed: ..."); returns -1.
 * The operation fw_op_validate (ops/op.h) fails with it when a check failed. */
int fw_validate_error(const struct fw_validate_result *res, struct fw_error *err);
void fw_validate_result_release(struct fw_validate_result *res);

#endif
