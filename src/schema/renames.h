/* Rename annotations in schema-model files: the generator never guesses a
 * rename (a table or column missing on one side and new on the other is a
 * drop and an add) unless the model says so, in a comment on the table or
 * the column:
 *
 *   -- fleetway:renamed_from customers        fleetway's own
 *   -- atlas:renamed_from customers           Atlas's directive
 *   -- @renamed from=customers                sqldef's (also the older @rename)
 *
 * The comment annotates a table when it stands before the table's "(" (on
 * the lines above CREATE TABLE, or on its first line) or right after that
 * "(" on the same line (sqldef's place); inside the column list
 * it annotates the column on its own line (a trailing comment) or, on a line
 * of its own, the column that follows. Block comments work the same way. The
 * old name may be quoted ("old", `old`, [old]).
 *
 * Pure text, no database: fuzzed by tests/fuzz/fuzz_renames.c. */
#ifndef FW_SCHEMA_RENAMES_H
#define FW_SCHEMA_RENAMES_H
#include <stddef.h>
#include "util/error.h"
#include "util/strbuf.h"

struct fw_rename {
	char *schema;     /* the schema of the table (NULL: the file's own) */
	char *table;      /* the table's (new) name */
	char *column;     /* the column's new name; NULL: the table itself is renamed */
	char *from;       /* the old name */
	char *origin;     /* "schema-model/public/tables/orders.sql:4", for messages */
};

struct fw_renames {
	struct fw_rename *v;
	size_t nr, alloc;
};

/* Read the annotations of one file's text (origin names it in errors) into
 * out, with schema as their schema. An annotation that annotates no table or
 * column, names nothing, or contradicts another (two old names for one
 * object, one old name for two) is an error naming file and line. */
int fw_renames_scan(const char *text, size_t len, const char *dialect, const char *schema,
		    const char *origin, struct fw_renames *out, struct fw_error *err);
/* add one (copies the strings) */
void fw_renames_add(struct fw_renames *r, const char *schema, const char *table, const char *column,
		    const char *from, const char *origin);
/* the rename of a table (column NULL) or of a column of a table, or NULL */
const struct fw_rename *fw_renames_find(const struct fw_renames *r, const char *table, const char *column);
void fw_renames_release(struct fw_renames *r);

#endif
