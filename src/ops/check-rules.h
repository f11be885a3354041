/* Flyway's regex rule files for check -code (check.rulesLocation): one TOML
 * file per rule, named CODE__description.toml, with
 *
 *   code = "RX001"                 # default: the part of the name before "__"
 *   dialects = ["text"]            # text = every database; postgres, mysql, sqlite, ...
 *   rules = ["(?i)\\bDROP\\s+TABLE\\b"]   # regular expressions (Java's syntax)
 *   description = "..."            # default: the part after "__", '_' as spaces
 *   severity = "error"             # error (default), warning, disabled
 *   passOnRegexMatch = false       # deprecated: true = the pattern must appear
 *
 * Only the folder itself is read, not sub-folders, as Flyway does. */
#ifndef FW_CHECK_RULES_H
#define FW_CHECK_RULES_H
#include "sql/lint-regex.h"

struct fw_regex_rules {
	struct fw_regex_rule *v;
	size_t nr, alloc;
};

/* every *.toml file of dir, in name order, compiled; a folder that does not
 * exist or a bad file is an error (file:line:col) */
int fw_regex_rules_load(const char *dir, struct fw_regex_rules *out, struct fw_error *err);
/* one rule file's text (also the fuzz target's entry); out is compiled */
int fw_regex_rule_parse(const char *path, const char *text, size_t len, struct fw_regex_rule *out,
			struct fw_error *err);
void fw_regex_rules_release(struct fw_regex_rules *rules);

#endif
