/* libFuzzer target for the schema-model files' rename annotations
 * (schema/renames.c) and the tokenizer under them (schema/sqltok.c).
 *
 * The first byte picks the dialect; the rest is a file's text. Beyond the
 * sanitizers' memory checks it verifies: the tokens lie inside the text, in
 * order, without overlap, and only white space is outside them; parentheses
 * never leave a token at a negative depth; a failed scan names the file and
 * a line; a successful one gives annotations with a table, an old name other
 * than the new one, and their place; every statement the splitter of
 * definitions hands out ends in ';'. A broken promise aborts. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/plan.h"
#include "schema/renames.h"
#include "schema/sqltok.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_renames: broken invariant: %s\n", what);
		abort();
	}
}

static void check_tokens(const char *text, size_t len, unsigned flags)
{
	struct fw_toks t;
	size_t at = 0;
	fw_sql_tokenize(text, len, flags, &t);
	for (size_t i = 0; i < t.nr; i++) {
		check(t.v[i].off >= at && t.v[i].len > 0 && t.v[i].off + t.v[i].len <= len, "tokens in order, inside");
		for (size_t k = at; k < t.v[i].off; k++)
			check(isspace((unsigned char)text[k]), "only white space between tokens");
		check(t.v[i].depth >= 0 && t.v[i].line >= 1, "depth and line");
		at = t.v[i].off + t.v[i].len;
	}
	for (size_t k = at; k < len; k++)
		check(isspace((unsigned char)text[k]), "only white space after the last token");
	fw_toks_release(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const dialects[] = { "postgresql", "mysql", "sqlite", "other" };
	struct fw_renames r = { 0 };
	struct fw_error err = FW_ERROR_INIT;
	struct strvec stmts = STRVEC_INIT;
	const char *dialect;
	char *text;
	int ret;
	if (size < 1)
		return 0;
	dialect = dialects[data[0] % 4];
	check_tokens((const char *)data + 1, size - 1, fw_tok_flags_for(dialect));
	ret = fw_renames_scan((const char *)data + 1, size - 1, dialect, "s", "f.sql", &r, &err);
	if (ret < 0) {
		check(!strncmp(err.message.buf, "f.sql:", 6), "an error names the file and line");
	} else {
		for (size_t i = 0; i < r.nr; i++) {
			const struct fw_rename *x = &r.v[i];
			check(*x->table && *x->from, "a table and an old name");
			check(strcmp(x->column ? x->column : x->table, x->from) != 0, "old name is another");
			check(!strncmp(x->origin, "f.sql:", 6), "its place");
			check(fw_renames_find(&r, x->table, x->column) == x, "one annotation per object");
		}
	}
	/* the definition splitter: a NUL-terminated copy, as definitions are */
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	fw_ddl_statements(dialect, text, &stmts);
	for (size_t i = 0; i < stmts.nr; i++)
		check(stmts.v[i][0] && stmts.v[i][strlen(stmts.v[i]) - 1] == ';', "statements end in ';'");
	strvec_clear(&stmts);
	free(text);
	fw_error_clear(&err);
	fw_renames_release(&r);
	return 0;
}
