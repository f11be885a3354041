/* SQL script splitter, per dialect, streaming.
 *
 * Reads a script through a pull callback in chunks and hands out one statement
 * at a time, so a 1 GiB script of INSERTs is processed in bounded memory: only
 * the current statement (and the unread part of the current chunk) is held.
 *
 * Rules follow ../shared/reference/flyway-compat.md section 13:
 *  - a statement ends at the current delimiter (default ";") when parenthesis
 *    depth and block depth are both 0; the delimiter is not part of the text;
 *    leading/trailing whitespace trimmed; comments before a statement stay in it;
 *    a statement made only of comments/whitespace is dropped;
 *  - '--' line comments, nested block comments, '...' strings with '' escapes,
 *    "..." identifiers; E'..' B'..' X'..' (upper and lower case prefix) allow backslash escapes;
 *  - PostgreSQL: $tag$ ... $tag$ dollar quotes (as PostgreSQL lexes them: the tag is an identifier
 *    or empty and the "$" does not continue a word, so $1 parameters are not quotes — Flyway treats
 *    any bare "$" as an opener); BEGIN ATOMIC ... END blocks (CASE ... END nests);
 *    COPY ... FROM STDIN: the data lines that follow up to a line "\." are attached to the statement;
 *    statements that cannot run in a transaction are flagged SQL_STMT_NONTX;
 *  - MySQL/MariaDB: backticks, '#' comments, "..." and '...' strings with backslash escapes,
 *    /\*! ... *\/ and /\*M! ... *\/ kept as text and count as SQL (a statement made only of them is
 *    not dropped), DELIMITER lines change the delimiter (not emitted as statements; the delimiter is
 *    the trimmed rest of the line), BEGIN ... END bodies of CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT
 *    and BEGIN NOT ATOMIC ... END do not split; END IF/LOOP/REPEAT/WHILE close nothing, END CASE
 *    closes a CASE;
 *  - SQLite: backticks and [..] identifiers, CASE ... END blocks and the BEGIN ... END body of
 *    CREATE TRIGGER (a plain "BEGIN;" or "BEGIN TRANSACTION;" is an ordinary statement);
 *    "PRAGMA foreign_keys" flagged SQL_STMT_NONTX.
 *
 * Positions: `line` and `col` of a statement are those of its first token that is not a comment,
 * even though comments before it are part of `sql` — so messages about the statement point at
 * the SQL itself.  Lines are counted by "\n" (CRLF input works); columns count characters
 * (UTF-8 continuation bytes and "\r" do not advance them).  Errors are reported as
 * "<filename>:<line>:<col>: <what>" with the position of the opening quote/comment/block
 * (or of the statement for an incomplete statement); err->line is set too.
 *
 * A NUL byte anywhere in the script is an error at its position (a database's C API would take it
 * as the end of the statement and run the text before it): the statements before it are handed out,
 * the one holding it is not.
 *
 * Memory: the splitter holds a 64 KiB window of the script plus the current statement (and, for
 * COPY, its data); a $tag$ longer than 254 bytes is not taken as a dollar quote, a delimiter may
 * be at most 32 bytes, blocks nest at most 256 deep.
 */
#ifndef FW_SQLSPLIT_H
#define FW_SQLSPLIT_H
#include <stddef.h>
#include "util/error.h"
#include "util/strbuf.h"

enum sql_dialect { SQL_DIALECT_SQLITE, SQL_DIALECT_POSTGRES, SQL_DIALECT_MYSQL };

/* pull reader: copy up to n bytes into buf; return bytes read, 0 at end, -1 on error */
typedef long (*sql_read_fn)(void *ctx, char *buf, size_t n);

enum sql_stmt_flags {
	SQL_STMT_NONTX = 1 << 0,   /* must run outside a transaction */
	SQL_STMT_COPY  = 1 << 1,   /* COPY ... FROM STDIN; copy_data holds the data */
	SQL_STMT_SELECT_LIKE = 1 << 2, /* may return rows (SELECT, WITH, SHOW, VALUES, EXPLAIN, PRAGMA,
					  TABLE, DESCRIBE, DESC, or "(" followed by SELECT/WITH/VALUES/TABLE;
					  MySQL also CALL and EXECUTE) */
	/* PostgreSQL ALTER TYPE ... ADD VALUE: cannot run in a transaction on servers older than
	 * PostgreSQL 12 only, so the caller decides (the splitter does not know the server) */
	SQL_STMT_NONTX_BEFORE_PG12 = 1 << 3,
};

struct sql_stmt {
	struct strbuf sql;        /* statement text, delimiter excluded, trimmed */
	struct strbuf copy_data;  /* COPY FROM STDIN data (lines, each ending "\n"), without the "\." line */
	int line;                 /* 1-based line of the statement's first non-comment token */
	int col;                  /* 1-based column (in characters) of that token */
	unsigned flags;           /* enum sql_stmt_flags */
	char simplified[128];     /* up to 10 leading keywords (words of only letters/underscores at
				     parenthesis depth 0), upper-cased, space-joined; e.g.
				     "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS IDX ON" */
};

struct sqlsplit;

/* `filename` only labels error messages ("<filename>:<line>:<col>: ...") */
struct sqlsplit *sqlsplit_new(enum sql_dialect d, sql_read_fn read, void *ctx, const char *filename);
/* convenience: split an in-memory buffer (not copied; must outlive the splitter) */
struct sqlsplit *sqlsplit_new_mem(enum sql_dialect d, const char *buf, size_t len, const char *filename);
/* 1 = *out holds the next statement, 0 = end of script, -1 = error (err filled:
 * unterminated string/comment/dollar quote/block, DELIMITER inside a statement,
 * read error). `out` is reset by each call; initialise it with SQL_STMT_INIT. */
int sqlsplit_next(struct sqlsplit *s, struct sql_stmt *out, struct fw_error *err);
void sqlsplit_free(struct sqlsplit *s);

#define SQL_STMT_INIT { STRBUF_INIT, STRBUF_INIT, 0, 0, 0, "" }
void sql_stmt_release(struct sql_stmt *st);

#endif
