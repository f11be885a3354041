/* undo (reference 7.5): run U<version>__*.sql scripts for the most recently
 * applied versioned migrations, recording UNDO_SQL history rows. */
#ifndef FW_UNDO_H
#define FW_UNDO_H
#include "util/error.h"

struct fw_target;

struct fw_undo_item {
	char *version;
	char *description;      /* of the U file */
	char *filepath;         /* absolute path of the U file */
	long ms;
};

struct fw_undo_result {
	char *initial_version;  /* NULL = empty schema */
	char *target_version;   /* schema version after the undos, NULL = empty */
	struct fw_undo_item *items;
	size_t nr, alloc;
	long total_ms;
};

/* The operation fw_op_undo (ops/op.h): without a numeric `target` undo the
 * newest applied versioned migration; with -target=V undo every applied one
 * above V, newest first. */
void fw_undo_result_release(struct fw_undo_result *r);

#endif
