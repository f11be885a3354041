/* Static analysis of migration statements before they are deployed
 * (`check -code`): operations that fail on a table with rows, or lock or
 * rewrite a big table, or lose data. Works on one statement at a time, as the
 * splitter hands them out, so it needs no database; it remembers the tables
 * created earlier in the same run (a new table is empty: nothing to lock). */
#ifndef FW_LINT_H
#define FW_LINT_H
#include "sql/sqlsplit.h"
#include "util/strvec.h"
#include <stddef.h>

/* how a table's size is known (check with a database, ops/check-sizes.c) */
enum fw_rows_how {
	FW_ROWS_UNKNOWN,       /* not looked up (no database, or no such table) */
	FW_ROWS_EXACT,         /* counted */
	FW_ROWS_ESTIMATE,      /* the catalog's estimate (PostgreSQL reltuples, MySQL table_rows) */
	FW_ROWS_AT_LEAST,      /* a count that stopped at the limit */
};

/* One finding of any engine: fleetway's rules here, regex rules
 * (sql/lint-regex.h), SQLFluff (ops/sqlfluff.c). Strings are owned. */
struct fw_lint_finding {
	char *script;          /* the migration's script path, as in the history */
	int line, col;         /* where it starts (col 0: the statement's line, no column) */
	int end_line, end_col; /* where it ends, 0 when the engine does not say */
	char *code;            /* "FW101", a regex rule's code, an SQLFluff code ("CP01") */
	int error;             /* 1 error, 0 warning */
	char *message;         /* what and why */
	char *hint;            /* what to do instead, or NULL */
	const char *engine;    /* "fleetway", "regex", "sqlfluff", "noqa" (static) */
	/* fleetway's rules that lock or rewrite an existing table name it, so a
	 * check with a database can look up its size (NULL otherwise) */
	char *table, *table_schema;   /* table_schema NULL: the default schema */
	long long rows, bytes;        /* the size found (bytes -1: unknown) */
	enum fw_rows_how rows_how;
};

struct fw_lint {
	enum sql_dialect dialect;
	int per_script;        /* a table counts as new only within the script that creates it
	                          (no database to tell what earlier scripts did: check without a url) */
	char **created;        /* tables created by statements seen so far (normalised names) */
	size_t nr_created, alloc_created;
	char *last_script;
	struct fw_lint_finding *v;
	size_t nr, alloc;
	struct strvec scripts;  /* every script looked at, in order (reports sort by it) */
	struct strvec paths;    /* the file of each (absolute; "" when not known) */
};

void fw_lint_init(struct fw_lint *l, enum sql_dialect d);
/* look at one statement of `script` starting at `line`; adds findings to l->v */
void fw_lint_statement(struct fw_lint *l, const char *script, int line, const char *sql);
void fw_lint_release(struct fw_lint *l);
/* a finding of any engine: copies the strings; the other fields start at
 * 0 / NULL / unknown; the pointer is valid until the next push */
struct fw_lint_finding *fw_lint_push(struct fw_lint *l, const char *engine, const char *script, int line,
				     const char *code, int error, const char *message, const char *hint);
/* free one finding's strings (a caller that drops it from l->v) */
void fw_lint_finding_release(struct fw_lint_finding *f);
/* remember that script (read from path, which may be NULL) was analysed */
void fw_lint_saw_script(struct fw_lint *l, const char *script, const char *path);
/* the file a script was read from, or NULL */
const char *fw_lint_path_of(const struct fw_lint *l, const char *script);
/* findings in report order: by script (as analysed), line, column; stable */
void fw_lint_sort(struct fw_lint *l);
/* error-level findings */
size_t fw_lint_errors(const struct fw_lint *l);
/* does fleetway rule `code` lock or rewrite a table (FW101-FW105, FW108) */
int fw_lint_rule_locks_table(const char *code);

/* the rules, for documentation and --help: code, severity, what it finds */
struct fw_lint_rule {
	const char *code;
	int error;
	const char *what;
};
extern const struct fw_lint_rule fw_lint_rules[];

#endif
