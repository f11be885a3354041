/* libFuzzer target for check -code's statement analysis (sql/lint.c).
 *
 * Input: byte 0 picks the dialect (b % 3); the rest is split into statements
 * by the dialect's splitter, as check does, and every statement goes through
 * the rules. Each finding must name a known rule and carry a message and a
 * hint; the sanitizers check the tokenizer's memory use. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sql/lint.h"

static int known(const char *code)
{
	for (int i = 0; fw_lint_rules[i].code; i++)
		if (!strcmp(fw_lint_rules[i].code, code))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sql_dialect d;
	struct sqlsplit *sp;
	struct sql_stmt st = SQL_STMT_INIT;
	struct fw_error err = FW_ERROR_INIT;
	struct fw_lint l;
	char *text;
	if (size < 1)
		return 0;
	d = (enum sql_dialect)(data[0] % 3);
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	fw_lint_init(&l, d);
	sp = sqlsplit_new_mem(d, text, strlen(text), "fuzz.sql");
	while (sqlsplit_next(sp, &st, &err) == 1)
		fw_lint_statement(&l, "fuzz.sql", st.line, st.sql.buf);
	for (size_t i = 0; i < l.nr; i++)
		if (!known(l.v[i].code) || !l.v[i].message || !l.v[i].hint || l.v[i].line < 1)
			abort();
	sqlsplit_free(sp);
	sql_stmt_release(&st);
	fw_error_clear(&err);
	fw_lint_release(&l);
	free(text);
	return 0;
}
