/* Static analysis of migration statements before they are deployed
 * (`check -code`): operations that fail on a table with rows, or lock or
 * rewrite a big table, or lose data. Works on one statement at a time, as the
 * splitter hands them out, so it needs no database; it remembers the tables
 * created earlier in the same run (a new table is empty: nothing to lock). */
#ifndef FW_LINT_H
#define FW_LINT_H
#include "sql/sqlsplit.h"
#include <stddef.h>

struct fw_lint_finding {
	char *script;          /* the migration's script path, as in the history */
	int line;              /* the statement's first line */
	const char *code;      /* "FW101" ... (static) */
	int error;             /* 1 error, 0 warning */
	char *message;         /* what and why */
	const char *hint;      /* what to do instead (static) */
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
};

void fw_lint_init(struct fw_lint *l, enum sql_dialect d);
/* look at one statement of `script` starting at `line`; adds findings to l->v */
void fw_lint_statement(struct fw_lint *l, const char *script, int line, const char *sql);
void fw_lint_release(struct fw_lint *l);

/* the rules, for documentation and --help: code, severity, what it finds */
struct fw_lint_rule {
	const char *code;
	int error;
	const char *what;
};
extern const struct fw_lint_rule fw_lint_rules[];

#endif
