/* What a fleet compares across targets: the schema version, what is pending
 * and what failed. fw_op_probe reads it (no callbacks, no lock); the fleet's
 * pre-flight and post-flight read it with their other checks. */
#ifndef FW_PROBE_H
#define FW_PROBE_H
#include "engine/plan.h"
#include "util/strvec.h"

struct fw_probe_result {
	char *version;                  /* NULL = empty schema */
	int history;                    /* the schema history table exists */
	int pending, failed;            /* pending: what migrate would run (outdated repeatables too) */
	struct strvec pending_versions; /* versioned migrations pending, in order */
	struct strvec above_target;     /* versioned migrations the target setting holds back */
	struct strvec applied_unknown;  /* applied versions no location of the target has
	                                   (missing or future: a hand-applied hotfix) */
};

struct fw_target;
/* summarise a plan already built */
void fw_probe_summarize(const struct fw_plan *plan, struct fw_probe_result *res);
/* read the history (unless current) and build the plan */
int fw_probe_plan(struct fw_target *t, struct fw_plan *plan, struct fw_error *err);
void fw_probe_result_release(struct fw_probe_result *res);

#endif
