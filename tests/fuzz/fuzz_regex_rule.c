/* libFuzzer target for Flyway's regex rule files (ops/check-rules.c): the
 * TOML reader, the fields, PCRE2's compiler, then the rule run over a fixed
 * script and over the input itself. A rule that loads must have a code and a
 * pattern; every finding must lie inside the text it was found in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops/check-rules.h"

static void run(const struct fw_regex_rule *r, const char *text, size_t len)
{
	struct fw_lint l;
	int lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	fw_lint_init(&l, SQL_DIALECT_POSTGRES);
	fw_regex_rule_check(r, "fuzz.sql", text, len, &l);
	for (size_t i = 0; i < l.nr; i++)
		if (l.v[i].line < 1 || l.v[i].line > lines || l.v[i].col < 0 || !l.v[i].message)
			abort();
	fw_lint_release(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char script[] = "CREATE TABLE t (id INT);\n-- TODO later\nDROP TABLE t;\n";
	struct fw_regex_rule r;
	struct fw_error err = FW_ERROR_INIT;
	if (fw_regex_rule_parse("RX900__fuzz.toml", (const char *)data, size, &r, &err) == 0) {
		if (!r.code || !r.patterns.nr)
			abort();
		run(&r, script, sizeof(script) - 1);
		run(&r, (const char *)data, size);
		fw_regex_rule_release(&r);
	}
	fw_error_clear(&err);
	return 0;
}
