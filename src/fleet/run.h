/* Running a fleet: a pool of worker threads, one target per worker at a time.
 *
 * Every target runs an operation (ops/op.h) through the same runner as a
 * single command (ops/runner.h), on a session of its own: its resolved config
 * (built by fw_fleet_run_resolve() before any thread starts), its connection,
 * its output sink and its secrets, so one target's failure cannot reach
 * another's run. A job says which operation each target of a batch runs and
 * what to keep of its result; the session can be kept for the next batch
 * (the pre-flight's connection carries into the wave).
 *
 * Workers share this run: the halt and cancel flags, and the live fields of
 * the results under `lock` (status, the migration running and since when, the
 * connection for db_cancel), which the progress view reads. A target's
 * events (engine/events.h) update its live fields and are rendered into its
 * log (kept for the report) and handed to the on_line hook. */
#ifndef FW_FLEET_RUN_H
#define FW_FLEET_RUN_H
#include <jansson.h>
#include <pthread.h>
#include "db/db.h"
#include "engine/events.h"
#include "engine/scan-cache.h"
#include "fleet/fleet.h"
#include "ops/runner.h"
#include "util/out.h"
#include "util/redact.h"
#include "util/strbuf.h"
#include "util/strvec.h"

enum fw_tstatus {
	FW_TS_WAITING,      /* not reached yet */
	FW_TS_RUNNING,
	FW_TS_OK,
	FW_TS_FAILED,
	FW_TS_NOT_STARTED,  /* the run halted or was interrupted before this target began */
	FW_TS_HALTED,       /* stopped between two migrations because another target failed */
	FW_TS_INTERRUPTED,  /* stopped by Ctrl-C (its running migration rolled back or completed) */
	FW_TS_NR
};
/* "waiting", "running", "ok", "failed", "not started", "halted", "interrupted" */
const char *fw_tstatus_name(enum fw_tstatus s);

/* what the post-flight found of a target (fw_fleet_verify): the first that applies */
enum fw_verdict {
	FW_VD_OK,
	FW_VD_DOWN,         /* did not answer */
	FW_VD_FAILED,       /* a failed migration is recorded */
	FW_VD_INVALID,      /* validate found a problem (an edited history row, a hotfix) */
	FW_VD_PENDING,      /* migrations still pending */
	FW_VD_VERSION,      /* on another version than the targets with the same locations */
	FW_VD_SCHEMA,       /* its schema is not what its migrations make (fleet/converge.c) */
};

struct fw_fleet_mig {
	char *version;      /* "" for repeatables */
	char *description;
	char *script;
	long ms;
	int success;
};

struct fw_fleet_result {
	/* live: written by the worker under run->lock, read by the progress view under it */
	enum fw_tstatus status;
	char *current;                  /* migration running now ("2 - add users") or NULL */
	long current_since;             /* fw_now_ms() when it started */
	int started_migrations;         /* migrations begun so far (live count) */
	int done_migrations;            /* ... and finished */

	/* written by the worker alone; read by others only after its batch ended */
	int reachable;
	int known;                      /* version/pending/failed were read from the target */
	char *version;                  /* current version after the op (NULL = empty schema) */
	int pending, failed;            /* counts of the last reading */
	struct strvec pending_versions; /* versioned migrations pending, in order */
	struct strvec above_target;     /* ... and those its target setting holds back */
	struct strvec applied_unknown;  /* applied versions none of its locations has */
	int history;                    /* it has a schema history table */
	char *version_before, *version_after;   /* migrate */
	int before_known, after_known;  /* ... were read (or are known unchanged), not defaults */
	struct fw_fleet_mig *migs;      /* migrations attempted by migrate */
	size_t nr_migs, alloc_migs;
	struct strvec findings;         /* pre-flight / verify findings (one line each) */
	struct strvec changes;          /* check -changes: what its pending migrations change */
	char *error;                    /* formatted error (ERROR:/DETAIL:/HINT:), redacted */
	int exit_code;                  /* of the error */
	long ms;                        /* duration of the op */
	long started_ms;                /* wall clock (ms since the epoch) when the op began; 0 = never */
	char *dryrun_file;
	char *summary;                  /* one line about the result (commands other than migrate) */
	json_t *result;                 /* the command's JSON result on this target, or NULL */
	struct strbuf log;              /* the target's output lines (prefixed, redacted) */
	enum fw_verdict verdict;        /* after fw_fleet_verify */

	/* kept from the pre-flight for the rest of the run (fw_fleet_run_reset
	 * leaves them): a target the rollout did not reach, or had no need to
	 * reach, is reported as the pre-flight read it */
	struct fw_fleet_reading {
		int known;
		char *version;
		int pending, failed;
	} pre;
	int settled;                    /* migrate would change nothing here and fire no callback */
	char *schema_shown;             /* its schema as messages quote it ("public") */

	/* where its url leads (fw_fleet_run_resolve), read from the url alone */
	struct db_where where;
	struct fw_secrets *secrets;     /* this target's own secrets (its sink hides them), or NULL
	                                   when it has none (most tenants of an inventory) */
};

struct fw_fleet_run;
/* one line of a target's output (with "[name] " prefix and '\n'), already redacted;
 * called on the worker's thread */
typedef void (*fw_fleet_line_fn)(void *ctx, struct fw_fleet_run *r, size_t idx, int is_err,
				 const char *line, size_t len);

/* What each target of a batch runs: the operation (its args per target),
 * then `done` on the worker's thread with the result, which records what the
 * command needs in r->res[idx] (it may run more operations on the session:
 * migrate reads the target back) and returns the target's outcome. */
struct fw_fleet_job {
	const struct fw_op *(*op_for)(const struct fw_config *cfg);
	const void *(*args_for)(void *ctx, struct fw_fleet_run *r, size_t idx);  /* optional */
	int (*done)(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s, struct fw_out *out,
		    void *result, int rc, struct fw_error *err);
	void *ctx;
	int keep;           /* keep each target's session (connection) for the next batch */
	int halting;        /* a failure halts the run: no other target starts, running ones
	                       stop between two migrations */
	int writes;         /* the operation may change the database (a SQLite file that is not
	                       there is made); else it reads an empty stand-in instead */
	/* optional: the target's outcome is known without a session in this
	 * batch (migrate on a target the pre-flight found up to date): record it
	 * in r->res[idx] and its log, and return 1; 0 runs the job */
	int (*settle)(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_out *out);
};

#define FW_FLEET_MAX_PHASES 32

struct fw_fleet_run {
	const struct fw_settings *settings;
	const struct fw_fleet *fleet;
	struct fw_config **cfg;         /* per member; NULL when its config did not resolve */
	struct fw_fleet_result *res;    /* per member */
	int quiet, debug, json;         /* copied into every target's fw_out */
	struct fw_scan_cache *scans;    /* the locations scanned once for all targets */
	fw_fleet_line_fn on_line;
	void *ctx;
	/* renders a target's event into its output (the command layer's renderer) */
	void (*render)(struct fw_out *out, const struct fw_event *ev);

	/* flags, read and written with __atomic builtins only (they cross threads) */
	volatile int halt;              /* a target failed: start no new target (nor migration) */
	volatile int cancel;            /* Ctrl-C: every fw_target's cancel flag (per statement) */
	pthread_mutex_t lock;           /* live fields of res[], dbs[] and kept[] */
	struct db **dbs;                /* live connections, for db_cancel */
	/* sessions kept from one batch for the next (run.c) */
	int keep_limit;                 /* the first keep_limit targets keep theirs; 0 = none (caller sets) */
	struct fw_session **kept;       /* per member, or NULL */
	size_t nr_kept;
	/* how long each step took (pre-flight, canary, waves): for the report */
	struct fw_fleet_phase {
		char name[64];
		long started_ms, ms;    /* wall clock start (ms since the epoch), duration */
	} phases[FW_FLEET_MAX_PHASES];
	size_t nr_phases;
};

void fw_fleet_run_init(struct fw_fleet_run *r, const struct fw_settings *s, const struct fw_fleet *f);
void fw_fleet_run_release(struct fw_fleet_run *r);
/* forget the results of an earlier batch (keeps configs, kept sessions and dry-run files) */
void fw_fleet_run_reset(struct fw_fleet_run *r);

/* Build every member's config (main thread, before workers start). A member
 * whose config fails (a missing secret, an unknown environment) gets a
 * failed result naming it; returns how many failed. */
size_t fw_fleet_run_resolve(struct fw_fleet_run *r);

/* A batch: members [start, end) run the job on up to `parallel` threads. */
struct fw_fleet_batch;
struct fw_fleet_batch *fw_fleet_batch_start(struct fw_fleet_run *r, const struct fw_fleet_job *job,
					    size_t start, size_t end, int parallel);
/* wait up to timeout_ms; returns 1 (and frees the batch) once every worker has ended */
int fw_fleet_batch_wait(struct fw_fleet_batch *b, long timeout_ms);

/* Ctrl-C: no new target starts, every running statement is cancelled on its
 * server; migrations roll back (or complete) as a unit. Safe from any thread
 * but a signal handler. */
void fw_fleet_run_cancel(struct fw_fleet_run *r);

/* record a probe's reading of target idx (version, pending, failed) */
struct fw_probe_result;
void fw_fleet_take_probe(struct fw_fleet_result *res, const struct fw_probe_result *p);
/* keep the reading just taken as the pre-flight's (res->pre) */
void fw_fleet_keep_reading(struct fw_fleet_result *res);

/* Pre-flight: targets whose urls lead to the same database and schema
 * history table get a finding each (they would wait on each other's lock) */
void fw_fleet_find_shared_databases(struct fw_fleet_run *r);
/* verify.c: compare what the pre-flight read, among targets with the same locations
 * (after the environment's overrides: a regional variant is a group of its
 * own, and differences its own files explain are expected). Findings: a
 * target whose own `target` setting holds it behind the others of its
 * group; a versioned migration pending on most of the group's targets below
 * it but not here, or here but on few of them. Targets ahead (migrated by
 * an earlier, interrupted run) are not findings. (An applied version none
 * of a target's locations has, a hand-applied hotfix, is the pre-flight's
 * own finding on that target: ops/preflight.c.) */
void fw_fleet_compare_pending(struct fw_fleet_run *r);
/* Post-flight: every target answered, validate found nothing, nothing
 * pending or failed, and targets with the same locations on one version.
 * Sets each target's verdict and adds a finding saying what differs;
 * returns the number of targets that differ and sets *version to the
 * version most targets are on (owned; NULL when no target answered). */
size_t fw_fleet_verify(struct fw_fleet_run *r, char **version);

/* counts of statuses in members [start, end) (under the lock) */
void fw_fleet_count(struct fw_fleet_run *r, size_t start, size_t end, size_t counts[FW_TS_NR]);
/* read a flag of the run */
int fw_fleet_flag(volatile int *flag);

#endif
