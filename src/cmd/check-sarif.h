/* check -code's findings as SARIF 2.1.0 (<reportFilename>.sarif), the format
 * CI code scanning reads: one run, tool "fleetway" with a rule per code seen,
 * one result per finding with its level, message and place (the file relative
 * to the working directory, line and column). */
#ifndef FW_CHECK_SARIF_H
#define FW_CHECK_SARIF_H
#include <jansson.h>
#include "sql/lint.h"

/* the SARIF document (owned by the caller) */
json_t *fw_check_sarif(const struct fw_lint *l, const char *workdir);

#endif
