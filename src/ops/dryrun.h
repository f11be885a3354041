/* migrate with -dryRunOutput=FILE: write what migrate would send, change nothing. */
#ifndef FW_DRYRUN_H
#define FW_DRYRUN_H
#include "util/error.h"

struct fw_target;
struct fw_migrate_result;

/* Appends to cfg->dry_run_output, for every pending migration, a
 * "-- Migration <file>" comment, its statements (placeholders replaced) each
 * followed by ";\n", and the history INSERT with literal values. No lock, no
 * transaction, no history rows; the history table DDL appears as a comment
 * when the table does not exist yet. */
int fw_dryrun_migrate(struct fw_target *t, struct fw_migrate_result *res, struct fw_error *err);

#endif
