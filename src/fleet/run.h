/* Running a fleet: a pool of worker threads, one target per worker at a time.
 *
 * Each worker owns everything of its target — its resolved config (built by
 * fw_fleet_run_resolve() before any thread starts), its connection, its
 * struct fw_target and its struct fw_out — so one target's failure cannot
 * reach another's run. What workers share is this run: the halt and cancel
 * flags, and the live fields of the results under `lock` (status, current
 * migration, live connection for db_cancel), which the progress view reads.
 *
 * Per-target output goes into the target's log (kept for the report) and to
 * the on_line hook (the command layer prints it, or draws progress). */
#ifndef FW_FLEET_RUN_H
#define FW_FLEET_RUN_H
#include <pthread.h>
#include "fleet/fleet.h"
#include "engine/target.h"
#include "util/strbuf.h"
#include "util/strvec.h"

enum fw_fleet_op {
	FW_FOP_PROBE,       /* info / verify: version, pending, failed */
	FW_FOP_PREFLIGHT,   /* probe + validate + dry-run script, findings */
	FW_FOP_MIGRATE,     /* migrate, then the probe of the post-flight on the same connection */
};

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
	int started_migrations;         /* migrations begun so far (live count) */

	/* written by the worker alone; read by others only after its batch ended */
	int reachable;
	char *version;                  /* current version after the op (NULL = empty schema) */
	int pending, failed;            /* counts of the last probe */
	struct strvec pending_versions; /* versioned migrations pending, in order */
	char *version_before, *version_after;   /* migrate */
	struct fw_fleet_mig *migs;      /* migrations attempted by migrate */
	size_t nr_migs, alloc_migs;
	struct strvec findings;         /* pre-flight / verify findings (one line each) */
	char *error;                    /* formatted error (ERROR:/DETAIL:/HINT:), redacted */
	int exit_code;                  /* of the error */
	long ms;                        /* duration of the op */
	long started_ms;                /* wall clock (ms since the epoch) when the op began; 0 = never */
	char *dryrun_file;
	struct strbuf log;              /* the target's output lines (prefixed, redacted) */
};

struct fw_fleet_run;
/* one line of a target's output (with "[name] " prefix and '\n'), already redacted;
 * called on the worker's thread */
typedef void (*fw_fleet_line_fn)(void *ctx, struct fw_fleet_run *r, size_t idx, int is_err,
				 const char *line, size_t len);

#define FW_FLEET_MAX_PHASES 32

struct fw_fleet_run {
	const struct fw_settings *settings;
	const struct fw_fleet *fleet;
	struct fw_config **cfg;         /* per member; NULL when its config did not resolve */
	struct fw_fleet_result *res;    /* per member */
	int quiet, debug, json;         /* copied into every target's fw_out */
	char *dryrun_dir;               /* where dryrun-<target>.sql files go */
	fw_fleet_line_fn on_line;
	void *ctx;

	/* flags, read and written with __atomic builtins only (they cross threads) */
	volatile int halt;              /* a target failed: start no new target (nor migration) */
	volatile int cancel;            /* Ctrl-C: every fw_target's cancel flag (per statement) */
	pthread_mutex_t lock;           /* live fields of res[], dbs[] and kept[] */
	struct db **dbs;                /* live connections, for db_cancel */
	/* pre-flight connections kept for the migrate that follows (fleet-run.c) */
	int keep_limit;                 /* the first keep_limit targets keep theirs; 0 = none (caller sets) */
	struct fw_target **kept;        /* per member, or NULL */
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
/* forget the results of an earlier op (keeps configs, kept connections and dry-run files) */
void fw_fleet_run_reset(struct fw_fleet_run *r);

/* Build every member's config (main thread, before workers start). A member
 * whose config fails (a missing secret, an unknown environment) gets a
 * failed result naming it; returns how many failed. */
size_t fw_fleet_run_resolve(struct fw_fleet_run *r);

/* A batch: members [start, end) run `op` on up to `parallel` threads. */
struct fw_fleet_batch;
struct fw_fleet_batch *fw_fleet_batch_start(struct fw_fleet_run *r, enum fw_fleet_op op, size_t start,
					    size_t end, int parallel);
/* wait up to timeout_ms; returns 1 (and frees the batch) once every worker has ended */
int fw_fleet_batch_wait(struct fw_fleet_batch *b, long timeout_ms);

/* Ctrl-C: no new target starts, every running statement is cancelled on its
 * server; migrations roll back (or complete) as a unit. Safe from any thread
 * but a signal handler. */
void fw_fleet_run_cancel(struct fw_fleet_run *r);

/* Compare the pending sets (after a pre-flight): a versioned migration pending
 * on most of the targets that are below it is expected everywhere below it;
 * a target missing it, or having one most others lack, gets a finding. */
void fw_fleet_compare_pending(struct fw_fleet_run *r);
/* Post-flight: every target reachable, nothing pending or failed, all on one
 * version. Adds findings; returns the number of targets that differ and sets
 * *version to the fleet's version (owned; NULL when no target answered). */
size_t fw_fleet_verify(struct fw_fleet_run *r, char **version);

/* counts of statuses in members [start, end) (under the lock) */
void fw_fleet_count(struct fw_fleet_run *r, size_t start, size_t end, size_t counts[FW_TS_NR]);
/* read a flag of the run */
int fw_fleet_flag(volatile int *flag);

#endif
