/* check -drift: a target compared with the state its history says it should
 * have, object by object (docs/commands.md, docs/schema-model.md).
 *
 * The expected state comes, in this order, from
 *   check.deployedSnapshot   a snapshot file (fleetway's JSON, `snapshot`);
 *   check.buildEnvironment   that environment, cleaned (cleanDisabled=false),
 *                            with the target's applied migrations replayed;
 *   otherwise                a scratch database beside the target (SQLite in
 *                            memory, a temporary database on PostgreSQL and
 *                            MySQL/MariaDB) with them replayed (ops/scratch.h).
 * The applied migrations are the target's history (check.appliedMigrations
 * names them instead), in rank order, with its locations and placeholders.
 *
 * Expected states are kept in a cache keyed by everything that makes them:
 * the replayed migrations and their files' checksums, locations,
 * placeholders, the history table, the database product, the schemas. A
 * fleet shares one cache between its worker threads, so 1,000 tenants with
 * one history replay once; a target waits while another builds the state it
 * needs. */
#ifndef FW_DRIFT_H
#define FW_DRIFT_H
#include "schema/diff.h"
#include "schema/model.h"
#include "util/error.h"
#include "util/strvec.h"

struct fw_target;
struct fw_scratch;
struct fw_config;

/* an expected state and how it was made */
struct fw_expected {
	struct fw_model model;
	char *source;                 /* for people: "the snapshot s.json", "a scratch database", ... */
	const char *kind;             /* "snapshot", "scratch", "buildEnvironment" */
	size_t applied;               /* migrations replayed into it */
	struct strvec unreplayable;   /* applied migrations without a file (not in it) */
	char key[65];                 /* the cache key (also the fleet's variant of a target) */
	char fingerprint[65];         /* of the whole model (fw_state_fingerprint) */
};

struct fw_expected_cache;
struct fw_expected_cache *fw_expected_cache_new(void);
void fw_expected_cache_free(struct fw_expected_cache *c);
/* expected states built so far (not taken from the cache) */
size_t fw_expected_cache_builds(struct fw_expected_cache *c);

/* The expected state of t (connected, its history read): 0 and *out (owned
 * by the cache, valid until it is freed); 1 and *out NULL when there is
 * nothing to compare with (no snapshot given and nothing applied: a first
 * deployment); -1 on failure (a failure is cached too: the targets that
 * share the state get the same error). Thread-safe. */
int fw_expected_get(struct fw_target *t, struct fw_expected_cache *c, const struct fw_expected **out,
		    struct fw_error *err);

/* The same without waiting, for a fleet's post-flight on a worker thread:
 * the key of the state t's history gives (always its history replayed: a
 * deployed snapshot or check.appliedMigrations are the state before a
 * rollout) into key; built here when no target asked for it before, else
 * left to whoever builds it (never for a baselined history: what is below
 * the baseline was not made by the migrations); 1 when there is nothing to
 * compare with. Look it up after the batch. */
int fw_expected_prepare(struct fw_target *t, struct fw_expected_cache *c, char key[65]);
/* the state of key once built: 0 and *out, -1 and err when it failed, 1 when
 * nobody built it */
int fw_expected_lookup(struct fw_expected_cache *c, const char *key, const struct fw_expected **out,
		       struct fw_error *err);

/* the migrations to replay: check.appliedMigrations, else t's history */
void fw_expected_applied(const struct fw_target *t, struct strvec *names, struct strvec *unreplayable);
/* a scratch beside t, or build environment `build` (NULL or "": the scratch) */
int fw_expected_open(struct fw_target *t, const char *build, struct fw_scratch *s, struct fw_error *err);
/* check -drift / -changes: refuse what cannot work before connecting */
int fw_drift_precheck(const struct fw_config *cfg, int drift, int changes, struct fw_error *err);
/* a snapshot setting (check.deployedSnapshot, check.nextSnapshot) as a file
 * name: Flyway's "filesystem:" prefix taken off; NULL when unset */
const char *fw_snapshot_setting(const struct fw_config *cfg, const char *key);
/* a file setting as a path: the prefix taken off, relative to
 * workingDirectory; NULL when unset (owned) */
char *fw_setting_path(const struct fw_config *cfg, const char *key);

/* the live model of t's schemas (one that does not exist is empty) */
int fw_live_model(struct fw_target *t, struct fw_model *out, struct fw_error *err);
/* one fingerprint for a model: SHA-256 over its schemas' fingerprints, in
 * order (their names are not part of it) */
void fw_state_fingerprint(const struct fw_model *m, char out[65]);
/* compare: schemas by name, or the only one of each whatever their names */
void fw_state_diff(const struct fw_model *source, const struct fw_model *target, struct fw_diff *out);

struct fw_drift_result {
	int ran;
	int first_deployment;         /* nothing to compare with: passes with a warning */
	char *source;                 /* what the target was compared with */
	const char *kind;
	size_t applied;
	size_t objects;               /* objects of the target compared */
	struct strvec unreplayable;
	struct strvec warnings;       /* also reported as warnings while it runs */
	struct fw_diff diff;          /* source: expected, target: the live schema */
};

/* check -drift on t; cache NULL: one of its own */
int fw_drift_run(struct fw_target *t, struct fw_expected_cache *cache, struct fw_drift_result *res,
		 struct fw_error *err);
void fw_drift_result_release(struct fw_drift_result *res);

/* One line per entry, "Table orders: differs (column note: only in target)",
 * "Index orders_note_idx on orders: only in the target"; the words say what
 * each list means (drift: missing / only in the target / differs; changes:
 * dropped / added / changed, and so the details: "column note: added"). The
 * schema is named when entries span several. */
struct fw_diff_words {
	const char *only_in_source, *only_in_target, *differs;
	int details_as_change;   /* "column x: added", as diff words them, not "only in target" */
};
extern const struct fw_diff_words fw_drift_words, fw_changes_words;
void fw_diff_lines(const struct fw_diff *d, const struct fw_diff_words *w, struct strvec *out);

#endif
