/* Fleet mode: one set of migrations rolled out to many databases.
 *
 * A fleet is a root-level table [fleets.NAME] of flyway.toml naming targets
 * that are ordinary environments (names or globs over environment names) and,
 * for large fleets, the rows of an inventory file (docs/fleet.md):
 *
 *   [fleets.prod]
 *   targets   = ["eu-west-1", "us-east-1", "tenant-*"]
 *   canary    = ["eu-west-1"]           # migrated first, alone
 *   waves     = ["10%", "50%", "100%"]  # cumulative shares of the rest
 *   parallel  = 8                       # targets in flight at once
 *   parallelPerServer = 4               # ... on one host:port at most
 *   pause     = "30s"                   # between waves
 *   preflight = ["validate", "pending", "dryrun"]
 *   inventory = "tenants.csv"           # name,url[,user[,password]]
 *   template  = "tenant"                # environment inventory rows start from
 *
 * This module is the model: parsing the table, expanding targets, placing
 * them in waves and building one struct fw_config per target. Running the
 * targets is run.c (run.h), comparing what they reported verify.c; the
 * audit report is report.c. */
#ifndef FW_FLEET_H
#define FW_FLEET_H
#include <stddef.h>
#include "config/config.h"
#include "ops/preflight.h"
#include "util/error.h"
#include "util/strvec.h"


/* one target as configured */
struct fw_fleet_member {
	char *name;                 /* environment name, or the inventory row's name */
	char *environment;          /* environment whose settings it uses; NULL = the selected one */
	int from_inventory;
	int line;                   /* inventory line (messages), 0 for environments */
	/* inventory only: templates as written, resolved per target by
	 * fw_fleet_member_config() (NULL = not given) */
	char *url, *user, *password;
	struct strvec ph_names, ph_values;   /* placeholders.X columns */
	int canary;
	size_t wave;                /* index into fw_fleet.waves */
};

struct fw_fleet_wave {
	char *name;                 /* "canary", "wave 1 (10%)" */
	size_t start, end;          /* members [start, end) */
};

struct fw_fleet {
	char *name;
	struct fw_fleet_member *m;  /* wave order: canaries, then the rest as configured */
	size_t nr, alloc;
	struct fw_fleet_wave *waves;
	size_t nr_waves;
	struct strvec shares;       /* waves as configured ("10%", "25"), to recompute after a selection */
	int parallel;               /* most targets in flight at once (default 8) */
	int parallel_per_server;    /* most in flight on one host:port; 0 = no limit */
	int new_databases;          /* a SQLite file that is not there is a new database to
	                               make, not a mistake (onboarding tenants) */
	long pause_ms;              /* wait between waves */
	unsigned preflight;         /* enum fw_preflight */
	char *inventory;            /* absolute path, or NULL */
	char *template_env;         /* environment inventory rows start from, or NULL */
	/* fleet-level credential templates for inventory rows without their own */
	char *tmpl_url, *tmpl_user, *tmpl_password;
	/* gates: what must pass after the canary and after each wave that changed something */
	struct strvec gates;        /* commands, each run with /bin/sh -c */
	char *gate_sql;             /* a query every target of the wave must answer with true */
	long gate_timeout_ms;       /* a gate's whole time, retries included (default 10 minutes) */
	long gate_retry_ms;         /* a failing gate is tried again this often until it passes or
	                               times out (the monitoring window); 0: once */
	struct strvec warnings;     /* for the caller to print */
};

/* Read [fleets.NAME] from the merged settings and expand it. Configuration
 * errors (unknown fleet, unknown keys, a target that is no environment,
 * malformed inventory lines) fail with FW_EXIT_USAGE. `workdir` makes a
 * relative inventory path absolute. */
int fw_fleet_load(const struct fw_settings *s, const char *name, const char *workdir,
		  struct fw_fleet *out, struct fw_error *err);
void fw_fleet_release(struct fw_fleet *f);

/* Keep only the members whose name matches one of the comma-separated globs
 * (-fleet=NAME:GLOB,...); waves are recomputed over what is left. */
int fw_fleet_select(struct fw_fleet *f, const char *globs, struct fw_error *err);

/* The resolved config of one member, built for it alone: its environment's
 * config, then for inventory rows the url/user/password templates with
 * ${env.X} resolved now (a missing variable is an error naming the target).
 * Secrets are registered with redact_register() before they are returned. */
int fw_fleet_member_config(const struct fw_settings *s, const struct fw_fleet *f,
			   const struct fw_fleet_member *m, struct fw_config *out,
			   struct fw_error *err);

/* ---- pure helpers (exported for the unit tests) ---- */

/* shell-style glob (*, ?, [...]) over a whole name */
int fw_fleet_glob_match(const char *pattern, const char *name);
int fw_fleet_is_glob(const char *pattern);

/* Cumulative wave ends over n targets: shares are "10%" (of n, rounded up)
 * or "25" (a count), cumulative and increasing; the last wave always ends at
 * n. Empty waves are dropped. *ends gets nr_ends values, each > the previous,
 * the last == n (no waves when n == 0). `labels`, when not NULL, receives
 * the share text of each kept wave. */
int fw_fleet_wave_ends(size_t n, const struct strvec *shares, size_t **ends, size_t *nr_ends,
		       struct strvec *labels, struct fw_error *err);

/* "0s", "30s", "1m30s", "500ms", "2h", or a bare number of seconds */
int fw_fleet_parse_duration(const char *s, long *ms, struct fw_error *err);

/* Parse inventory text (CSV, or TSV when a line holds a tab) and append its
 * rows to f as members. `filename` labels errors (file:line). */
int fw_fleet_inventory_parse(struct fw_fleet *f, const char *text, size_t len,
			     const char *filename, struct fw_error *err);

/* Expand a template for target `target`: ${env.NAME} from the process
 * environment, ${target} the target's name, $${ a literal ${. A missing
 * variable fails with a message naming the target and `what` (the field). */
int fw_fleet_expand(const char *tmpl, const char *target, const char *what, struct strbuf *out,
		    struct fw_error *err);

#endif
