/* The schema history table: read and append rows exactly as Flyway does
 * (reference section 4), through the driver. */
#ifndef FW_HISTORY_H
#define FW_HISTORY_H
#include <stdint.h>
#include "sql/version.h"
#include "db/db.h"
#include "util/error.h"

struct fw_applied {
	int rank;
	struct fw_version version;   /* EMPTY kind when the row has no version */
	char *version_text;          /* as stored, NULL when none */
	char *description;
	char *type;
	char *script;
	int has_checksum;
	int32_t checksum;
	char *installed_by;
	char *installed_on;          /* as the database returns it */
	int execution_time;
	int success;
};

struct fw_history {
	struct db *db;
	char *schema;
	char *table;
	char *qualified;             /* quoted "schema"."table" */
	struct fw_applied *rows;     /* ascending rank */
	size_t nr, alloc;
	int exists;
	int current;                 /* rows are exactly the table's as last read: a chain such as
	                                `info validate migrate` reads it once. Cleared by our own
	                                writes (rows kept in memory lack installed_on) and by
	                                fw_target_lock unless fw_history_recheck shows nobody wrote */
	int counter_known;           /* change_counter was taken just before the rows were read */
	long long change_counter;    /* db_change_counter then */
};

/* a row to insert; rank is assigned by fw_history_next_rank() */
struct fw_history_row {
	int rank;
	const char *version;         /* display text or NULL */
	const char *description;
	const char *type;
	const char *script;
	int has_checksum;
	int32_t checksum;
	const char *installed_by;
	int execution_time;
	int success;
};

void fw_history_init(struct fw_history *h, struct db *db, const char *schema, const char *table);
void fw_history_release(struct fw_history *h);
/* drop the rows held in memory (after clean, or when the schema is gone) */
void fw_history_forget(struct fw_history *h);
/* keep h->current only if no other connection can have written since the rows
 * were read (db_change_counter unchanged); otherwise the next load reads again */
void fw_history_recheck(struct fw_history *h);
/* does the table exist (sets h->exists) */
int fw_history_probe(struct fw_history *h, struct fw_error *err);
/* (re)read every row */
int fw_history_load(struct fw_history *h, struct fw_error *err);
int fw_history_create(struct fw_history *h, const char *tablespace, struct fw_error *err);
/* next installed_rank: max+1, or 1 (0 for a SCHEMA marker on an empty table) */
int fw_history_next_rank(const struct fw_history *h, int for_schema_marker);
/* the INSERT statement with ? parameters, and its 9 parameter values (owned by `vals`) */
void fw_history_insert_sql(const struct fw_history *h, struct strbuf *sql);
void fw_history_insert_params(const struct fw_history_row *row, char vals[9][32],
			      const char *params[9]);
/* insert now, and append the row to h->rows */
int fw_history_insert(struct fw_history *h, const struct fw_history_row *row, struct fw_error *err);
/* record a row that was inserted through a batch */
void fw_history_remember(struct fw_history *h, const struct fw_history_row *row);
int fw_history_update(struct fw_history *h, int rank, const char *description, const char *type,
		      int has_checksum, int32_t checksum, struct fw_error *err);
int fw_history_delete_failed(struct fw_history *h, const struct fw_applied *row, struct fw_error *err);

#endif
