/* The rehearsal (check -rehearse, and the fleet pre-flight item "rehearse"):
 * Flyway users' "test run on a copy of the real PROD database", done for
 * them. Every pending migration runs, in migrate's order, inside one
 * transaction that is rolled back at the end (a savepoint each, so one that
 * fails does not stop the others), with lock and statement guards; each
 * one's time, the locks it took and its error are reported, and one slower
 * than check.maxMigrationSeconds (default 30) is an error.
 *
 * Where: check.rehearseEnvironment names an environment that is a copy of
 * production; without it the rehearsal runs on the target itself only when
 * asked (check.rehearseOnTarget=true, or a fleet's pre-flight list naming
 * "rehearse", which rehearses on the canary). PostgreSQL and SQLite roll DDL
 * back; MySQL/MariaDB commit each DDL statement at once, so a rehearsal
 * there is refused.
 *
 * Guards: lockTimeout / statementTimeout as configured (also per script in
 * its .conf); when not set, a lock wait is cut after 10 s and a statement
 * after check.maxMigrationSeconds (it is an error by then anyway). Migrations
 * that run outside a transaction (CREATE INDEX CONCURRENTLY,
 * executeInTransaction=false) and script migrations cannot be rolled back:
 * they are listed as not rehearsed. */
#ifndef FW_REHEARSE_H
#define FW_REHEARSE_H
#include "util/error.h"
#include "util/strvec.h"

struct fw_target;
struct fw_config;

struct fw_rehearse_item {
	char *script;
	char *path;             /* its file */
	char *version;          /* "" for repeatables */
	long ms;
	int ok;                 /* ran to its end */
	int slow;               /* over the budget */
	int timeout;            /* cut by a guard: 1 lock wait, 2 statement */
	char *skipped;          /* why it was not rehearsed, or NULL */
	char *error;            /* its error (message and detail), or NULL */
	struct strvec locks;    /* strong locks it took: "AccessExclusiveLock on public.orders" */
};

struct fw_rehearse_result {
	char *where;            /* "environment prod-copy", "target eu-west-1" */
	char *database;         /* product and url (no password) */
	struct fw_rehearse_item *items;
	size_t nr, alloc;
	long budget_ms;
	size_t problems;        /* failed or slow migrations */
	size_t skipped;
};

/* rehearse where the configuration says (see above): on_target_asked says
 * the caller's settings allow the target itself */
int fw_rehearse(struct fw_target *t, int on_target_asked, struct fw_rehearse_result *res, struct fw_error *err);
/* the configuration names a place to rehearse (for a precheck's message) */
int fw_rehearse_configured(const struct fw_config *cfg, int on_target_asked, struct fw_error *err);
/* one line per problem ("V2__x.sql: took 2.1 s, over ..."), for findings */
void fw_rehearse_problems(const struct fw_rehearse_result *res, struct strvec *out);
void fw_rehearse_result_release(struct fw_rehearse_result *res);

#endif
