/* info (reference 5.3): the operation fw_op_info (ops/op.h) reads the
 * history and merges it with the files into the plan the command prints. */
#ifndef FW_INFO_H
#define FW_INFO_H
#include "engine/plan.h"

struct fw_info_result {
	struct fw_plan plan;
	int all_schemas_empty;   /* computed only for JSON output (its queries are not free) */
};

#endif
