/* Reading the CREATE statements SQLite keeps in sqlite_schema.sql.
 *
 * SQLite stores the text of each CREATE verbatim (only the first words, IF NOT
 * EXISTS and a schema prefix are rewritten), and its pragmas do not expose
 * CHECK, COLLATE or generated-column expressions; so the model of a SQLite
 * table comes from parsing that text. The same text can be spelt many ways
 * (ALTER TABLE ... RENAME puts quotes around names, a migration may write
 * `create table [a]`), so the canonical form drops comments, puts keywords in
 * upper case, quotes an identifier only when it needs it ("x" `x` [x] all
 * become x) and spaces tokens one way. Identifier case and literal text are
 * kept: they are what the database stores.
 *
 * Pure text, no database: fuzzed by tests/fuzz/fuzz_sqlite_ddl.c. */
#ifndef FW_SCHEMA_SQLITE_DDL_H
#define FW_SCHEMA_SQLITE_DDL_H
#include <stddef.h>
#include "schema/model.h"
#include "util/strbuf.h"

/* Fill o from the CREATE statement: its canonical definition and, for a Table
 * or an Index, structured fields (columns and constraints of a table, key
 * columns and predicate of an index; table attributes "without_rowid",
 * "strict", "virtual"). Views and triggers get the token-normalised text
 * (fw_sqlite_ddl_normalize), as does a virtual table. Returns 0, or -1 when a
 * table or index statement is not one this parser reads: then too
 * o->definition holds the token-normalised text and no structured field is
 * set, which still compares correctly. */
int fw_sqlite_ddl_parse(const char *sql, size_t len, struct fw_object *o);

/* The token-normalised form of any statement, the head "CREATE [UNIQUE] KIND
 * name" rewritten without TEMP, IF NOT EXISTS and a schema prefix; ends in ';'. */
void fw_sqlite_ddl_normalize(const char *sql, size_t len, struct strbuf *out);

/* an identifier as the canonical form writes it: bare when it is a plain
 * word that is no keyword, else in double quotes */
void fw_sqlite_ident(const char *name, size_t len, struct strbuf *out);

#endif
