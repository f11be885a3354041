/* migrate (reference section 6): validate, create schemas and the history
 * table, then apply every pending migration under the lock. The operation is
 * fw_op_migrate (ops/op.h); its result is struct fw_migrate_result. */
#ifndef FW_MIGRATE_H
#define FW_MIGRATE_H
#include "util/error.h"
#include "util/strvec.h"

struct fw_target;
struct fw_history_row;
struct strbuf;

struct fw_migrate_item {
	const char *category;   /* "Versioned", "Repeatable", "Baseline" */
	char *version;          /* "" for repeatables */
	char *description;
	const char *type;
	char *filepath;
	char *script;
	long ms;
	int success;
	int transactional, out_of_order;
};

struct fw_migrate_result {
	char *initial_version;  /* NULL = empty schema */
	int read_history;       /* initial_version was read (migrate got as far as its plan) */
	char *target_version;   /* last versioned migration applied, NULL if none */
	struct fw_migrate_item *items;
	size_t nr, alloc;
	long total_ms;
	struct strvec warnings;
	int failed;             /* an item failed (the last one) */
	int rolled_back;        /* ... and the database undid all of it */
};

void fw_migrate_result_release(struct fw_migrate_result *r);

/* shared with baseline: make sure schemas and the history table exist,
 * recording a SCHEMA marker row for schemas created here */
int fw_ensure_schemas(struct fw_target *t, int *created_any, struct fw_error *err);
/* the SCHEMA marker row for the schemas migrate created (script = their quoted names) */
void fw_schema_marker_row(struct fw_target *t, const struct strvec *created,
			  struct strbuf *script, struct fw_history_row *row);
/* create the history table with its BASELINE row (rank 1) */
int fw_create_with_baseline(struct fw_target *t, struct fw_error *err);

#endif
