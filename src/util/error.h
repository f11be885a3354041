/* Errors as values.
 *
 * Every function below src/cmd/ that can fail takes a `struct fw_error *` and
 * returns -1 after filling it (0 on success). Nothing below the command layer
 * prints an error or exits: fleet mode runs many targets in one process and one
 * target's failure must stay an error value.
 *
 * An error has three parts, printed as ERROR: / DETAIL: / HINT: lines:
 *   message  what went wrong, one line, lower-case start allowed, no full stop needed
 *   detail   where (file:line) and the underlying cause (server message, errno)
 *   hint     what the user can do next
 * `code` is Flyway's error-code name (VALIDATE_ERROR, ...) used in JSON output. */
#ifndef FW_ERROR_H
#define FW_ERROR_H
#include "strbuf.h"

/* process exit statuses (documented in --help and the man page) */
enum fw_exit {
	FW_EXIT_OK = 0,
	FW_EXIT_ERROR = 1,          /* any migration/validation/database error (Flyway: 1) */
	FW_EXIT_USAGE = 2,          /* bad command line or configuration */
	FW_EXIT_NOT_IMPLEMENTED = 3,/* command not available in this build yet */
	FW_EXIT_FLEET_PARTIAL = 4,  /* fleet: some targets failed or differ */
	FW_EXIT_INTERRUPTED = 130,  /* SIGINT */
};

struct fw_error {
	const char *code;      /* static string, e.g. "VALIDATE_ERROR"; NULL = no error */
	int exit_code;         /* enum fw_exit */
	struct strbuf message;
	struct strbuf detail;
	struct strbuf hint;
	/* set for SQL failures inside a migration (JSON: sqlState, sqlErrorCode, lineNumber, path) */
	char sqlstate[8];
	int sql_errcode;
	int line;
	char *path;
};
#define FW_ERROR_INIT { NULL, 0, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, "", 0, 0, NULL }

/* set code and message (replacing any earlier error); returns -1 */
int fw_errorf(struct fw_error *e, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* as fw_errorf but with an explicit exit status */
int fw_errorf_exit(struct fw_error *e, int exit_code, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* append a line to the detail / hint (a newline separates several) */
void fw_error_detail(struct fw_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fw_error_hint(struct fw_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* prefix the message with "<context>: " */
void fw_error_prefix(struct fw_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fw_error_is_set(const struct fw_error *e);
void fw_error_clear(struct fw_error *e);
/* move src into dst (dst cleared first); src is left cleared */
void fw_error_move(struct fw_error *dst, struct fw_error *src);
/* render as ERROR:/DETAIL:/HINT: lines (secrets redacted) */
void fw_error_format(const struct fw_error *e, struct strbuf *out);

#endif
