/* A fleet's SQL gate on one target (docs/fleet.md, Gates): the query runs on
 * the target just migrated and passes only when its first value is true. */
#ifndef FW_GATE_H
#define FW_GATE_H

struct fw_gate_args {
	const char *sql;
};

struct fw_gate_result {
	int pass;
	char *value;    /* the first value as the database printed it; NULL: no row, or SQL NULL */
	int rows;       /* rows returned */
};

/* true, t, 1, yes, on (any case) */
int fw_gate_value_true(const char *v);

#endif
