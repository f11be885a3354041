/* check -code on one target: the statements migrate would run now, through
 * the lint rules (sql/lint.h). Used by `check -code` and by a fleet's
 * pre-flight ("code"). */
#ifndef FW_CHECK_H
#define FW_CHECK_H
#include "sql/lint.h"
#include "engine/target.h"

/* every pending versioned migration, then every new or changed repeatable, in
 * migrate's order (SQL only; .sh scripts and shouldExecute=false ones are not
 * run, so not looked at); *scripts counts the scripts analysed */
int fw_check_code(struct fw_target *t, const struct fw_plan *plan, struct fw_lint *l,
		  size_t *scripts, struct fw_error *err);

#endif
