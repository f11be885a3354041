/* check -rehearse in check's report: the JSON entry, its HTML section and
 * the lines on the terminal (ops/rehearse.h has what was measured). */
#ifndef FW_CHECK_REHEARSE_H
#define FW_CHECK_REHEARSE_H
#include <jansson.h>
#include "ops/rehearse.h"
#include "util/out.h"
#include "util/strbuf.h"

json_t *fw_rehearse_json(const struct fw_rehearse_result *r);
/* the report's section, drawn from the JSON entry */
void fw_rehearse_html(const json_t *entry, struct strbuf *out);
void fw_rehearse_print(struct fw_out *out, const struct fw_rehearse_result *r);

#endif
