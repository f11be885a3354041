/* One target database and everything a command needs to work on it: its
 * resolved config, connection, output sink, placeholders, scanned files and
 * history. A single run has one; fleet mode has one per environment, each used
 * by one worker thread, sharing nothing but the output lock. */
#ifndef FW_TARGET_H
#define FW_TARGET_H
#include "config/config.h"
#include "engine/history.h"
#include "sql/placeholder.h"
#include "engine/plan.h"
#include "engine/scan.h"
#include "engine/scan-cache.h"
#include "sql/sqlsplit.h"
#include "db/db.h"
#include "engine/events.h"

struct fw_target {
	const char *name;            /* environment name (for messages), may be NULL */
	struct fw_config *cfg;       /* borrowed */
	const struct fw_observer *obs;  /* where its events go (borrowed) */
	struct db *db;
	int borrowed_db;             /* db belongs to someone else (fw_target_attach) */
	enum sql_dialect dialect;
	char *schema;                /* default schema (history table lives here) */
	struct strvec schemas;       /* managed schemas, default first */
	char *db_user;               /* current database user */
	char *installed_by;          /* installedBy or db_user */
	char *database;              /* catalog / database name */
	struct fw_placeholders ph;
	struct fw_scan scan;
	int scanned;
	struct fw_history hist;
	int locked;
	struct strvec shown;         /* fw_target_shown's cache: name, quoted name, ... */
	int in_group;                /* group=true: one transaction spans every pending migration;
	                                scripts then neither BEGIN nor COMMIT themselves */
	volatile int *cancel;        /* set by the fleet on Ctrl-C */
	volatile int *halt;          /* set by the fleet when another target failed: migrate
	                                finishes the running migration and starts no other */
	int stand_in_if_missing;     /* connect: a SQLite file that is not there is not made
	                                (db_params.stand_in_if_missing) */
	struct fw_scan_cache *scan_cache;  /* scans shared with other targets (a fleet's), or NULL */
};

/* connect, work out schemas and placeholders, scan the locations (the runner
 * fires afterConnect) */
int fw_target_connect(struct fw_target *t, struct fw_config *cfg, const struct fw_observer *obs,
		      struct fw_error *err);
/* the same on a connection made elsewhere (a scratch database), which
 * fw_target_close leaves open */
int fw_target_attach(struct fw_target *t, struct db *db, struct fw_config *cfg, const struct fw_observer *obs,
		     struct fw_error *err);
/* a target without a database (check -code with no url): the files and the
 * placeholders only, every file pending; close with fw_target_close */
int fw_target_offline(struct fw_target *t, struct fw_config *cfg, const struct fw_observer *obs,
		      enum sql_dialect dialect, struct fw_error *err);
/* scan the locations (once); files named like no migration are a warning, or
 * with validateMigrationNaming the error "Invalid SQL filenames found" */
int fw_target_scan(struct fw_target *t, struct fw_error *err);
/* read the history table if it exists */
int fw_target_load_history(struct fw_target *t, struct fw_error *err);
/* db_schema_exists, answered without a round trip for the history's own schema
 * while the history read from it is current */
int fw_target_schema_exists(struct fw_target *t, const char *schema, int *exists,
			    struct fw_error *err);
/* build states with the config's target and outOfOrder */
int fw_target_plan(struct fw_target *t, struct fw_plan *plan, struct fw_error *err);
int fw_target_lock(struct fw_target *t, struct fw_error *err);
/* release the lock of fw_target_lock; a failure is an error in err, or a
 * warning when err is NULL (another error is already on its way) */
int fw_target_unlock(struct fw_target *t, struct fw_error *err);
void fw_target_close(struct fw_target *t);
/* a schema name as Flyway prints it in messages, quoted the database's way
 * ("public", `app`); valid until fw_target_close */
const char *fw_target_shown(struct fw_target *t, const char *name);


/* mm:ss.mmms as Flyway prints durations */
void fw_format_duration(long ms, struct strbuf *out);
long fw_now_ms(void);
/* wall clock, ms since the epoch (for reports; fw_now_ms for durations) */
long fw_wall_ms(void);

#endif
