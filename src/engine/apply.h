/* Running one script against a target: decode, replace placeholders, split,
 * send, record. A transactional migration is sent as one batch (BEGIN,
 * statements, history row, COMMIT): one round trip on PostgreSQL. */
#ifndef FW_APPLY_H
#define FW_APPLY_H
#include "engine/history.h"
#include "engine/scan.h"
#include "sql/sqlsplit.h"

struct fw_target;

struct fw_apply_result {
	long ms;              /* execution time */
	int transactional;
	int statements;
};

/* Apply a migration and write its history row (`row` without rank: assigned here).
 * On failure: rolled back where the database can, a success=false row written
 * where Flyway writes one (non-transactional scripts, databases without DDL
 * transactions), and err describes migration, line, statement and server error. */
int fw_apply_migration(struct fw_target *t, const struct fw_resolved *r,
		       struct fw_history_row *row, struct fw_apply_result *res, struct fw_error *err);
/* The reading pass over a script: split in full before anything of it runs
 * (a script that cannot be split runs nothing), the transaction decision, and
 * for a script of up to FW_SCRIPT_KEEP_MAX bytes its statements, which the
 * apply then sends without reading the file again. */
#define FW_SCRIPT_KEEP_MAX (8 * 1024 * 1024)
struct fw_script_prep {
	const struct fw_resolved *script;
	int tx;                      /* runs in a transaction */
	int cached;                  /* stmts holds every statement */
	struct sql_stmt *stmts;
	size_t nr, alloc, bytes;
};
int fw_script_prepare(struct fw_target *t, const struct fw_resolved *r, struct fw_script_prep *p,
		      struct fw_error *err);
void fw_script_prep_release(struct fw_script_prep *p);
/* fw_apply_migration with the reading pass done (migrate decides and says
 * "[non-transactional]" first) */
int fw_apply_prepared(struct fw_target *t, const struct fw_resolved *r, const struct fw_script_prep *prep,
		      struct fw_history_row *row, struct fw_apply_result *res, struct fw_error *err);
/* group=true: fw_group_begin() opens one transaction that every following
 * fw_apply_migration() and fw_apply_callback() joins; fw_group_end() commits
 * it when ok, else rolls it back and re-reads the history, so nothing of the
 * group remains. Only for databases with transactional DDL. */
int fw_group_begin(struct fw_target *t, struct fw_error *err);
int fw_group_end(struct fw_target *t, int ok, struct fw_error *err);
/* A rehearsal of migration r: its statements (with its per-migration
 * callbacks and limits) inside the transaction the caller holds, no history
 * row; the caller rolls back. *timeout says which limit cut it (1 the lock
 * wait, 2 a statement), 0 for any other failure. */
int fw_apply_rehearse(struct fw_target *t, const struct fw_resolved *r, struct fw_apply_result *res,
		      int *timeout, struct fw_error *err);
/* run a callback script (own transaction when transactional) */
int fw_apply_callback(struct fw_target *t, const struct fw_resolved *cb, struct fw_error *err);
/* the transaction decision: sidecar, global executeInTransaction, non-transactional statements */
/* print result sets of SELECTs in migrations (outputQueryResults) */
void fw_apply_install_rows_handler(struct fw_target *t);
/* every statement of a SQL script as it would be sent (decoded, placeholders
 * replaced, split); stops at the first callback returning < 0 */
int fw_script_statements(struct fw_target *t, const struct fw_resolved *r,
			 int (*fn)(void *ctx, const char *sql, int line, struct fw_error *err),
			 void *ctx, struct fw_error *err);
int fw_script_is_transactional(struct fw_target *t, const struct fw_resolved *r, int *tx,
			       struct fw_error *err);
/* the longest one migration should take (check.maxMigrationSeconds, default
 * 30 s): migrate warns about a slower one, a rehearsal fails it */
long fw_migration_budget_ms(const struct fw_config *cfg);

#endif
