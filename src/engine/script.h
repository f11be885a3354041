/* Script migrations and script callbacks (.sh .bash .py, or no extension):
 * run as a child process with the connection details and placeholders in its
 * environment (reference 3.4, 9.4). */
#ifndef FW_SCRIPT_H
#define FW_SCRIPT_H
#include "engine/scan.h"

struct fw_target;
int fw_run_script_process(struct fw_target *t, const struct fw_resolved *r, struct fw_error *err);

#endif
