/* Commands whose issue is still open answer honestly instead of pretending. */
#include "cmd.h"

static int not_implemented(struct fw_cmd_ctx *c, const char *name, struct fw_error *err)
{
	(void)c;
	fw_errorf_exit(err, FW_EXIT_NOT_IMPLEMENTED, "ERROR", "'%s' is not implemented yet in fleetway %s",
		       name, FW_VERSION);
	fw_error_hint(err, "nothing was changed; use Flyway for this command until fleetway supports it");
	return -1;
}

int cmd_check(struct fw_cmd_ctx *c, struct fw_error *err) { return not_implemented(c, "check", err); }
