/* baseline (reference 7.4): the operation fw_op_baseline (ops/op.h). */
#ifndef FW_BASELINE_H
#define FW_BASELINE_H

struct fw_baseline_result {
	int baselined;          /* a BASELINE row was written now */
	const char *version;    /* baselineVersion (borrowed from the config) */
};

#endif
