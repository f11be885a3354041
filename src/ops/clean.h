/* clean (reference 7.3): the operation fw_op_clean (ops/op.h), refused
 * unless cleanDisabled=false. */
#ifndef FW_CLEAN_H
#define FW_CLEAN_H
#include "util/strvec.h"

struct fw_clean_result {
	struct strvec cleaned;   /* schemas emptied */
	struct strvec dropped;   /* schemas dropped (fleetway or Flyway created them) */
};

#endif
