/* The fleet's pre-flight on one target: connect (the runner), validate,
 * what would run, the dry-run script and the code analysis, each problem a
 * one-line finding. The rollout starts only when no target has a finding.
 * The history is read once for all of it. With only FW_PRE_VALIDATE it is
 * the post-flight reading too (fleet verify): validate and what is pending. */
#ifndef FW_PREFLIGHT_H
#define FW_PREFLIGHT_H
#include "ops/probe.h"
#include "util/strvec.h"

struct fw_expected_cache;

/* checks beyond connecting (which is always checked) */
enum fw_preflight {
	FW_PRE_VALIDATE = 1 << 0,   /* validate applied against resolved migrations */
	FW_PRE_PENDING = 1 << 1,    /* pending set compared across targets (by the fleet) */
	FW_PRE_DRYRUN = 1 << 2,     /* write the SQL that would run, per target */
	FW_PRE_CODE = 1 << 3,       /* check -code on what would run: errors are findings */
	FW_PRE_DRIFT = 1 << 4,      /* check -drift: each object that differs from the state
	                               the target's history gives is a finding */
	FW_PRE_REHEARSE = 1 << 5,   /* the pending migrations rehearsed on the canary (or on
	                               check.rehearseEnvironment): a failed or slow one is a finding */
	FW_PRE_CHANGES = 1 << 6,    /* check -changes: what the pending migrations change, per
	                               target (a report, not a finding) */
};
#define FW_PRE_ALL (FW_PRE_VALIDATE | FW_PRE_PENDING | FW_PRE_DRYRUN)

struct fw_preflight_args {
	unsigned checks;            /* enum fw_preflight */
	const char *dryrun_path;    /* where this target's dry-run script goes (FW_PRE_DRYRUN) */
	const char *fleet;          /* names for the script's header */
	const char *target;
	struct fw_expected_cache *expected;  /* FW_PRE_DRIFT: shared by the fleet's targets */
	int rehearse;               /* FW_PRE_REHEARSE: this target's job rehearses (the canary's) */
};

struct fw_preflight_result {
	struct fw_probe_result probe;
	struct strvec findings;     /* "what: message", one line each */
	char *dryrun_file;          /* written (only where something is pending) */
	struct strvec changes;      /* FW_PRE_CHANGES: "Table refunds: added", one line per object */
	int settled;                /* migrate would change nothing and fire no callback here:
	                               it has a history, nothing pending or failed, no callbacks */
	char *schema_shown;         /* its schema as messages quote it ("public") */
};

/* a finding "what: msg" with msg's line breaks folded, redacted */
void fw_finding_add(struct strvec *findings, const char *what, const char *msg);

#endif
