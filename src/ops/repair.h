/* repair (reference 7.2): remove failed rows, mark missing migrations as
 * deleted, realign descriptions/types/checksums with the files. The
 * operation is fw_op_repair (ops/op.h). */
#ifndef FW_REPAIR_H
#define FW_REPAIR_H
#include "engine/target.h"

struct fw_repair_item {
	char *version;       /* NULL for repeatables */
	char *description;
	char *filepath;      /* file path, or the row's script when there is no file */
};

struct fw_repair_list {
	struct fw_repair_item *v;
	size_t nr, alloc;
};

struct fw_repair_result {
	int no_table;                    /* no history table: nothing was done */
	struct fw_repair_list removed;   /* failed rows deleted */
	struct fw_repair_list deleted;   /* DELETE rows inserted */
	struct fw_repair_list aligned;   /* rows realigned */
	long ms;
};

void fw_repair_result_release(struct fw_repair_result *res);

#endif
