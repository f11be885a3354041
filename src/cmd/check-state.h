/* check -drift / -changes in check's report (cmd/check.c): their entries in
 * Flyway's shape (operation "drift" or "changes", onlyInSource[],
 * onlyInTarget[], differences[]), the HTML with each object's definitions
 * before and after side by side, the lines on the terminal, and
 * check.failOnDrift. The report file is shared by check runs: one entry per
 * operation, a later run replacing the entry of its own operation and
 * keeping the others. Internal to src/cmd. */
#ifndef FW_CHECK_STATE_H
#define FW_CHECK_STATE_H
#include "cmd/cmd.h"
#include "ops/check.h"

/* add this run's entries to doc's individualResults */
void check_state_entries(struct fw_cmd_ctx *c, const struct fw_check_result *r, json_t *doc);
/* the document to write: doc (this run) with what the report file at base
 * holds of other operations (new reference) */
json_t *check_state_merged(const json_t *doc, const char *base);
/* the report's drift and changes sections */
void check_state_html(const json_t *doc, struct strbuf *out);
/* the findings on the terminal */
void check_state_print(struct fw_cmd_ctx *c, const struct fw_check_result *r);
/* check.failOnDrift: CHECK_DRIFT_DETECTED when drift was found */
int check_state_gate(struct fw_cmd_ctx *c, const struct fw_check_result *r, const char *html,
		     struct fw_error *err);

#endif
