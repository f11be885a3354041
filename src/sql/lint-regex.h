/* Flyway's regular-expression rules for check -code: each rule is a list of
 * patterns searched in the whole text of every script in scope; each match is
 * a finding (engine "regex") at its line and column. Patterns are Java's
 * dialect in Flyway; PCRE2 reads the same syntax for what rules use ((?i),
 * \s, \b, lookarounds, lazy quantifiers). Reading the rule files is
 * ops/check-rules.c; this is the matching, pure text. */
#ifndef FW_LINT_REGEX_H
#define FW_LINT_REGEX_H
#include "sql/lint.h"
#include "util/error.h"
#include "util/strvec.h"
#include <stddef.h>

enum fw_rx_severity { FW_RX_ERROR, FW_RX_WARNING, FW_RX_DISABLED };

struct fw_regex_rule {
	char *file;                 /* the rule file (messages) */
	char *code;                 /* "RX001" */
	char *description;
	enum fw_rx_severity severity;
	struct strvec dialects;     /* lower case: "text" = every database */
	struct strvec patterns;
	int pass_on_match;          /* passOnRegexMatch = true (deprecated in Flyway): a script
	                               where no pattern matches is the violation */
	void **compiled;            /* one pcre2_code per pattern, after fw_regex_rule_compile */
};

/* compile the patterns; a bad one is an error naming the file, the pattern
 * and where in it PCRE2 stopped */
int fw_regex_rule_compile(struct fw_regex_rule *r, struct fw_error *err);
/* does the rule apply to a database of this dialect ("postgres", "mysql",
 * "sqlite"): its dialects name it or "text" */
int fw_regex_rule_applies(const struct fw_regex_rule *r, const char *dialect);
/* search text (len bytes, a whole script) and add a finding per match */
void fw_regex_rule_check(const struct fw_regex_rule *r, const char *script, const char *text, size_t len,
			 struct fw_lint *l);
void fw_regex_rule_release(struct fw_regex_rule *r);

#endif
