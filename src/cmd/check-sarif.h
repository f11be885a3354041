/* check's findings as SARIF 2.1.0 (<reportFilename>.sarif), the format CI
 * code scanning reads: one run, tool "fleetway" with a rule per code seen,
 * one result per finding of -code with its level, message and place (the
 * file relative to the working directory, line and column), and one per
 * migration the rehearsal failed or found too slow (rules FWR01, FWR02). */
#ifndef FW_CHECK_SARIF_H
#define FW_CHECK_SARIF_H
#include <jansson.h>
#include "ops/rehearse.h"
#include "sql/lint.h"

/* the SARIF document (owned by the caller); l or rr may be NULL */
json_t *fw_check_sarif(const struct fw_lint *l, const struct fw_rehearse_result *rr, const char *workdir);

#endif
