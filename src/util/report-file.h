/* Report files: a JSON document and an HTML page rendered from it, side by
 * side (<base>.json, <base>.html), written atomically and redacted. Used by
 * the fleet's audit report and check's report. */
#ifndef FW_REPORT_FILE_H
#define FW_REPORT_FILE_H
#include <jansson.h>
#include "util/error.h"
#include "util/strbuf.h"

/* write <base>.json and <base>.html (render draws the page from doc); a
 * .json/.html suffix on base is dropped; *json_path / *html_path get the
 * file names (owned) when not NULL */
int fw_report_write_with(const char *base, const json_t *doc,
			 void (*render)(const json_t *doc, struct strbuf *out), char **json_path,
			 char **html_path, struct fw_error *err);
/* write one more JSON file beside them (check's SARIF), the same way:
 * whole or not at all, redacted */
int fw_report_write_json(const char *path, const json_t *doc, struct fw_error *err);
/* write a whole file or nothing: a temporary file beside it, renamed over
 * it; -1 with errno set on failure (nothing left behind) */
int fw_write_whole(const char *path, const char *data, size_t len);
/* the report's base name without a .json/.html ending */
void fw_report_stem(const char *base, struct strbuf *out);
/* text for HTML: & < > " ' escaped */
void fw_html_escape(struct strbuf *out, const char *s);

#endif
