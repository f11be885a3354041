/* TOML 1.0 reader (written here: the system has no C TOML library).
 *
 * toml_parse() turns a document into a tree of struct toml_value. Tables keep
 * their keys in document order. Every value remembers the line and column where
 * it was written, so configuration errors can name file:line:col. */
#ifndef FW_TOML_H
#define FW_TOML_H
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,       /* offset date-time */
	TOML_DATETIME_LOCAL,
	TOML_DATE_LOCAL,
	TOML_TIME_LOCAL,
	TOML_ARRAY,
	TOML_TABLE,
};

struct toml_value;

struct toml_kv {
	char *key;               /* one key segment (unquoted, unescaped), owned */
	struct toml_value *value;
};

struct toml_value {
	enum toml_type type;
	int line, col;           /* 1-based position where the value (or table header) starts */
	union {
		struct { char *s; size_t len; } str;  /* STRING (may hold NUL); datetimes: canonical RFC 3339 text */
		int64_t i;
		double f;
		int b;
		struct { struct toml_value **items; size_t nr, alloc; } arr;
		struct { struct toml_kv *kv; size_t nr, alloc; } tab;
	} u;
};

/* Parse text (len bytes, need not be NUL-terminated). `filename` is used only
 * in error messages. On error returns -1 and fills err with a message that
 * starts with "<filename>:<line>:<col>: ". On success *out is a TOML_TABLE. */
int toml_parse(const char *text, size_t len, const char *filename,
	       struct toml_value **out, struct fw_error *err);
void toml_free(struct toml_value *v);

/* lookup of one key segment in a table; NULL when absent or v is not a table */
struct toml_value *toml_get(const struct toml_value *table, const char *key);
/* lookup of a dotted path of bare segments ("environments.dev.url") */
struct toml_value *toml_get_path(const struct toml_value *table, const char *dotted);
const char *toml_type_name(enum toml_type t);

/* Deepest nesting of tables, arrays and inline tables toml_parse() accepts
 * (the root table is level 0); deeper documents are rejected with an error,
 * so code that walks the tree recursively cannot exhaust the stack. */
#define TOML_MAX_DEPTH 256
/* toml_get for a key of len bytes, which may contain NUL (quoted keys can) */
struct toml_value *toml_getn(const struct toml_value *table, const char *key, size_t len);
/* byte length of the i-th key of a table (strlen() stops at an embedded NUL) */
size_t toml_key_len(const struct toml_value *table, size_t i);

#endif
