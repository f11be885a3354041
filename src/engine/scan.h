/* Discovery of migrations, callbacks and their sidecar configs in the
 * configured locations (reference section 1). */
#ifndef FW_SCAN_H
#define FW_SCAN_H
#include <stdint.h>
#include "config/config.h"
#include "engine/naming.h"
#include "sql/placeholder.h"
#include "util/error.h"
#include "engine/events.h"

/* per-script sidecar (<file>.conf); -1 = not set */
struct fw_script_conf {
	int execute_in_transaction;
	int placeholder_replacement;
	char *encoding;
	char *should_execute;      /* raw expression text */
	long lock_timeout_ms;      /* fleetway's lockTimeout / statementTimeout for this script, */
	long statement_timeout_ms; /* in ms (-1 = not set: the configuration's) */
};

struct fw_resolved {
	enum fw_file_kind kind;    /* VERSIONED, REPEATABLE, BASELINE, UNDO, CALLBACK */
	int is_script;             /* .sh/.py/... run as a process */
	struct fw_version version; /* V, B, U */
	char *description;
	char *event;               /* callbacks: event name */
	char *script;              /* path relative to its location, '/' separated */
	char *path;                /* absolute path */
	char *filename;            /* bare file name */
	const char *type;          /* "SQL", "SQL_BASELINE", "SCRIPT", "UNDO_SQL", ... */
	int has_checksum;
	int32_t checksum;          /* R: after placeholder replacement */
	int32_t raw_checksum;      /* R: before replacement (Flyway's "equivalent checksum") */
	struct fw_script_conf conf;
	int should_execute;        /* evaluated shouldExecute (1 when none) */
};

struct fw_scan {
	struct fw_resolved *migrations;  /* V, R, B: versioned/baseline by version, then R by description */
	size_t nr_migrations;
	struct fw_resolved *undos;       /* U, by version */
	size_t nr_undos;
	struct fw_resolved *callbacks;   /* by event, then description */
	size_t nr_callbacks;
	struct strvec invalid_names;     /* "file: reason" for files with a bad name */
};

struct fw_scan_opts {
	const struct fw_config *cfg;
	const struct fw_placeholders *placeholders; /* for repeatable checksums and shouldExecute */
	const struct fw_observer *obs;  /* warnings about locations */
};

/* Scan every location. Missing locations warn ("Skipping filesystem location: <p> (NOT_FOUND)")
 * unless failOnMissingLocations. Duplicate versions / repeatable descriptions are errors. */
int fw_scan_run(const struct fw_scan_opts *o, struct fw_scan *out, struct fw_error *err);
void fw_scan_release(struct fw_scan *s);
/* a deep copy (dst need not be initialised) */
void fw_scan_copy(struct fw_scan *dst, const struct fw_scan *src);
/* the undo script for a version, or NULL */
const struct fw_resolved *fw_scan_find_undo(const struct fw_scan *s, const struct fw_version *v);

/* read a Java-properties style sidecar; unknown keys are an error */
int fw_script_conf_read(const char *path, struct fw_script_conf *out, struct fw_error *err);
void fw_script_conf_release(struct fw_script_conf *c);

#endif
