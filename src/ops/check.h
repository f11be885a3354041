/* check (reference 10): the operation fw_op_check (ops/op.h).
 *
 *   -code    a code review of the scripts in check.scope (check-code.c):
 *            fleetway's rules (sql/lint.h), Flyway's regex rules
 *            (check.rulesLocation, check-rules.h), SQLFluff (sqlfluff.h), with
 *            -- noqa; on a database, the tables that would be locked or
 *            rewritten are looked up (check-sizes.c): above
 *            check.largeTableRows such a finding is an error. Without a url
 *            every file of every environment, with check.rulesDialect's rules
 *   -dryrun  what migrate would send, written to <reportFilename>-dryrun.sql
 *   -drift   the schema against the state its history says it should have
 *            (ops/drift.h)
 *   -changes what the pending migrations change (ops/changes.h)
 *   -rehearse  the pending migrations run on a copy and rolled back, timed
 *            (ops/rehearse.h)
 *
 * The command renders the report (<reportFilename>.json/.html/.sarif).
 * fw_check_code is also the fleet pre-flight's "code" item. */
#ifndef FW_CHECK_H
#define FW_CHECK_H
#include "engine/target.h"
#include "ops/changes.h"
#include "ops/drift.h"
#include "ops/rehearse.h"
#include "sql/lint.h"
#include "util/strbuf.h"

struct fw_check_result {
	int offline;                /* no database: every file */
	int code, dryrun, rehearse; /* what was asked */
	struct fw_lint lint;        /* -code findings */
	size_t scripts, errors;     /* scripts analysed, error-level findings */
	const char *scope;          /* the scope applied: ALL, PENDING, SCRIPT */
	const char *sqlfluff;       /* "ran", "disabled", "not installed" */
	size_t regex_rules;         /* regex rules that applied */
	char *dryrun_path;          /* -dryrun: the script's file */
	struct strbuf dryrun_sql;   /* its start, for the report */
	int dryrun_truncated;
	struct fw_drift_result drift;       /* -drift (ops/drift.h) */
	struct fw_changes_result changes;   /* -changes (ops/changes.h) */
	struct fw_rehearse_result rehearsal;   /* -rehearse */
};

/* fleetway's rules on every pending versioned migration, then every new or
 * changed repeatable, in migrate's order (SQL only; .sh scripts and
 * shouldExecute=false ones are not run, so not looked at), with the table
 * sizes on a database; *scripts counts the scripts analysed */
int fw_check_code(struct fw_target *t, const struct fw_plan *plan, struct fw_lint *l,
		  size_t *scripts, struct fw_error *err);
/* check -code: every engine over check.scope's scripts, into res */
int fw_check_code_review(struct fw_target *t, const struct fw_plan *plan, struct fw_check_result *res,
			 struct fw_error *err);
/* the size of each table a finding of FW101-FW105/FW108 names, from the
 * target's catalog (db_table_size); a table over check.largeTableRows
 * (default 1,000,000 rows) makes the finding an error */
int fw_check_table_sizes(struct fw_target *t, struct fw_lint *l, struct fw_error *err);
/* check.largeTableRows */
long long fw_check_large_table_rows(const struct fw_config *cfg);

#endif
