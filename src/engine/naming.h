/* Migration file-name grammar (reference section 1.2 and 1.3). */
#ifndef FW_NAMING_H
#define FW_NAMING_H
#include "sql/version.h"
#include "util/error.h"
#include "util/strvec.h"

enum fw_file_kind {
	FW_FILE_NONE,        /* not a migration at all (wrong suffix): ignore silently */
	FW_FILE_VERSIONED,   /* V */
	FW_FILE_REPEATABLE,  /* R */
	FW_FILE_BASELINE,    /* B */
	FW_FILE_UNDO,        /* U */
	FW_FILE_CALLBACK,    /* an event name: beforeMigrate, afterMigrate__x, ... */
};

/* NULL members (or a NULL struct fw_naming *) mean Flyway's defaults shown below */
struct fw_naming {
	const char *versioned_prefix;   /* "V" */
	const char *repeatable_prefix;  /* "R" */
	const char *baseline_prefix;    /* "B" */
	const char *undo_prefix;        /* "U" */
	const char *separator;          /* "__" */
	const struct strvec *sql_suffixes; /* [".sql"] */
};

struct fw_parsed_name {
	enum fw_file_kind kind;
	int is_script;             /* a script migration (.sh .bash .py .cmd .bat .ps1 or no extension) */
	struct fw_version version; /* V, B, U */
	char *description;         /* '_' -> ' ' */
	char *callback_event;      /* for callbacks: the event name, e.g. "afterMigrate" */
	char *suffix;              /* the matched suffix as written in the file name (".sql", ".sh", "") */
};
#define FW_PARSED_NAME_INIT { FW_FILE_NONE, 0, FW_VERSION_INIT, NULL, NULL, NULL }

/* Parse a bare file name (no directories).
 * returns 0 with kind NONE for files that are not migrations (wrong suffix, .conf sidecars, ...),
 *         0 with a kind for valid names,
 *        -1 for a file with a migration suffix whose name is invalid (err holds Flyway's message,
 *           e.g. "Invalid versioned migration name format: V1_init.sql (could not recognise version number 1_init)"
 *           -- Flyway quotes the version as written, before '_' becomes '.') */
int fw_parse_name(const char *filename, const struct fw_naming *nm, struct fw_parsed_name *out,
		  struct fw_error *err);
void fw_parsed_name_release(struct fw_parsed_name *p);

/* the callback event names of reference section 1.5, NULL-terminated */
extern const char *const fw_callback_events[];
int fw_is_callback_event(const char *name);

#endif
