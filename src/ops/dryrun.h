/* What migrate would send, as a script a database client can run: the
 * schema setup (CREATE SCHEMA, the default schema, the history table), then
 * for every pending migration in migrate's order a "-- Migration <file>"
 * comment, its statements (placeholders replaced) each followed by ";\n",
 * and its history INSERT with literal values. No lock, no transaction, no
 * history rows. The operation fw_op_dryrun (ops/op.h) appends it to
 * -dryRunOutput; the fleet's pre-flight writes one per target. */
#ifndef FW_DRYRUN_H
#define FW_DRYRUN_H
#include <stdio.h>
#include "util/error.h"

struct fw_target;
struct fw_plan;
struct fw_migrate_result;

/* write the script for plan's pending migrations to f (path names it in errors);
 * res gets the versions before and after and nothing else */
int fw_dryrun_write(struct fw_target *t, const struct fw_plan *plan, FILE *f, const char *path,
		    struct fw_migrate_result *res, struct fw_error *err);

#endif
