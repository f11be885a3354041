/* The fleet's audit report: one JSON document (also what -outputType=json
 * prints) and a self-contained HTML page rendered from that same document, so
 * the two can never tell different stories. No network resources, no script:
 * the page shows the same in a browser, a CI artifact viewer or a mail. */
#ifndef FW_REPORT_H
#define FW_REPORT_H
#include <jansson.h>
#include "fleet/run.h"
#include "util/report-file.h"

struct fw_report_info {
	const char *command;        /* "migrate", "check", "verify", "info" */
	const char *outcome;        /* "success", "preflight failed", "halted", "interrupted", "differs" */
	long started_ms, finished_ms;   /* wall clock, ms since the epoch */
	const char *fleet_version;  /* after verify; NULL when not verified */
	int verify;                 /* -1 not run, 0 differs, 1 every target agrees */
	int preflight_only;         /* migrate stopped at its pre-flight: each target's status
	                               is what the pre-flight read */
	const char *verify_summary; /* what the verification found ("6 targets have 2 pending") */
};

/* the report of a run (secrets redacted when written, never included) */
json_t *fw_report_json(struct fw_fleet_run *r, const struct fw_report_info *info);
/* render the document as one HTML page */
void fw_report_html(const json_t *doc, struct strbuf *out);
/* write <base>.json and <base>.html (a .json/.html suffix on base is dropped);
 * *json_path / *html_path get the file names (owned) when not NULL */
int fw_report_write(const char *base, const json_t *doc, char **json_path, char **html_path,
		    struct fw_error *err);
/* the status word of a target in the report: "migrated", "up to date", "ok",
 * "findings", "failed", "halted", "interrupted", "not started", "running",
 * "waiting"; "unreachable"; for a migrate stopped at its pre-flight what the
 * pre-flight read: "pending", "up to date", "findings", "unreachable",
 * "error", "not checked" */
const char *fw_report_status(const struct fw_fleet_result *res, const char *command, int preflight_only);
/* the same for people, with what was read where it says more: "pending 3",
 * "not started at 8" */
void fw_report_status_text(const struct fw_fleet_result *res, const char *command, int preflight_only,
			   struct strbuf *out);

#endif
