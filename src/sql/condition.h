/* shouldExecute expressions of script config sidecars (reference 9.5):
 *   true | false | A==B | A!=B, combined with &&, || (&& binds tighter), !, and
 *   parentheses; A and B are literals after placeholder replacement, compared
 *   as trimmed text. Anything else is an error naming the file. */
#ifndef FW_CONDITION_H
#define FW_CONDITION_H
#include "sql/placeholder.h"
#include "util/error.h"

int fw_condition_eval(const char *expr, const struct fw_placeholders *ph, const char *file,
		      int *result, struct fw_error *err);

#endif
