/* JSON output in the layout Flyway's Jackson pretty-printer produces
 * ("key" : value, 2-space indent, arrays inline as [ a, b ]), so that tools
 * parsing Flyway's -outputType=json output by text see the same shape.
 * Documents are built with jansson (insertion order is kept). */
#ifndef FW_JSON_H
#define FW_JSON_H
#include <jansson.h>
#include "util/strbuf.h"

void fw_json_dump(const json_t *v, struct strbuf *out);
/* json string or null */
json_t *fw_json_str(const char *s);

#endif
