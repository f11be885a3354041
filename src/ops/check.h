/* check (reference 10): the operation fw_op_check (ops/op.h).
 *
 *   -code    the statements migrate would run now, through the lint rules
 *            (sql/lint.h); without a url every file, with check.rulesDialect's
 *            rules (pull-request linting)
 *   -dryrun  what migrate would send, written to <reportFilename>-dryrun.sql
 *   -drift   the schema against the state its history says it should have
 *            (ops/drift.h)
 *   -changes what the pending migrations change (ops/changes.h)
 *
 * The command renders the report (<reportFilename>.json/.html). fw_check_code
 * is also the fleet pre-flight's "code" item. */
#ifndef FW_CHECK_H
#define FW_CHECK_H
#include "engine/target.h"
#include "ops/changes.h"
#include "ops/drift.h"
#include "sql/lint.h"
#include "util/strbuf.h"

struct fw_check_result {
	int offline;                /* no database: every file */
	int code, dryrun;           /* what was asked */
	struct fw_lint lint;        /* -code findings */
	size_t scripts, errors;     /* scripts analysed, error-level findings */
	char *dryrun_path;          /* -dryrun: the script's file */
	struct strbuf dryrun_sql;   /* its start, for the report */
	int dryrun_truncated;
	struct fw_drift_result drift;       /* -drift (ops/drift.h) */
	struct fw_changes_result changes;   /* -changes (ops/changes.h) */
};

/* every pending versioned migration, then every new or changed repeatable, in
 * migrate's order (SQL only; .sh scripts and shouldExecute=false ones are not
 * run, so not looked at); *scripts counts the scripts analysed */
int fw_check_code(struct fw_target *t, const struct fw_plan *plan, struct fw_lint *l,
		  size_t *scripts, struct fw_error *err);

#endif
