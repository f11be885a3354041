/* Callbacks (reference 1.5): run every callback script of an event. */
#ifndef FW_CALLBACKS_H
#define FW_CALLBACKS_H
#include "engine/target.h"

/* run every callback script of `event` (reference 1.5) in its own transaction;
 * nothing before the locations are scanned */
int fw_callbacks_fire(struct fw_target *t, const char *event, struct fw_error *err);

#endif
