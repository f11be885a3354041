/* SQLFluff for check -code: `sqlfluff lint --format json` run as a child
 * process (argv, no shell) on the scripts in scope, with Flyway's
 * check.rulesDialect and check.rulesConfig (an sqlfluff.cfg), its violations
 * mapped into the report (engine "sqlfluff").
 *
 * Rule codes: SQLFluff 2.0 renamed its rules (L010 became CP01,
 * capitalisation.keywords); Debian 12 ships 1.4.5 with the old codes, Flyway
 * 13 bundles a new one. Reports carry the new code (old one in the help
 * text), and both spellings work in a configuration's rules, exclude_rules
 * and warnings and in -- noqa comments: a configuration written with new
 * codes is translated for an old SQLFluff.
 *
 * -- noqa is honoured by fleetway itself (SQLFluff runs with
 * --disable-noqa), so either spelling works and each use is reported as
 * Flyway does (check.code.noqaSeverity, default a warning). */
#ifndef FW_SQLFLUFF_H
#define FW_SQLFLUFF_H
#include "sql/lint.h"
#include "util/error.h"
#include "util/strvec.h"

struct fw_sqlfluff_opts {
	const char *program;        /* the sqlfluff executable (fw_sqlfluff_find) */
	const char *dialect;        /* SQLFluff's dialect name: postgres, mysql, sqlite, ansi, ... */
	const char *config;         /* check.rulesConfig, or NULL: SQLFluff's own search applies */
	const char *workdir;        /* where it runs (NULL: here) */
};

/* the sqlfluff program on PATH (owned), or NULL when it is not installed */
char *fw_sqlfluff_find(void);
/* Flyway's rulesDialect (or a database's dialect) as SQLFluff names it */
const char *fw_sqlfluff_dialect(const char *flyway_dialect);
/* lint paths (absolute), reported as scripts (same order); adds findings */
int fw_sqlfluff_lint(const struct fw_sqlfluff_opts *o, const struct strvec *paths, const struct strvec *scripts,
		     struct fw_lint *l, struct fw_error *err);

/* check.code.noqaSeverity */
enum fw_noqa_severity { FW_NOQA_WARNING, FW_NOQA_ERROR, FW_NOQA_DISABLED };
/* Drop the findings of engines "sqlfluff" and "fleetway" that a -- noqa
 * comment of their line (or a disable=... range) covers, and report each
 * noqa comment of the scripts (engine "noqa") unless disabled. */
int fw_noqa_apply(struct fw_lint *l, const struct strvec *paths, const struct strvec *scripts,
		  enum fw_noqa_severity sev, struct fw_error *err);

/* a code in either spelling as the new one ("L010" -> "CP01"); the code
 * itself when it has no other spelling */
const char *fw_sqlfluff_new_code(const char *code);

#endif
