/* Callbacks (reference 1.5): the scripts named after an event, run where the
 * event happens. Kept apart from target.c so that the target does not
 * depend on applying scripts (apply.c depends on the target). */
#include "engine/callbacks.h"
#include "engine/apply.h"
#include <string.h>

int fw_callbacks_fire(struct fw_target *t, const char *event, struct fw_error *err)
{
	if (!t->scanned)
		return 0; /* callbacks are known once locations are scanned */
	for (size_t i = 0; i < t->scan.nr_callbacks; i++) {
		const struct fw_resolved *cb = &t->scan.callbacks[i];
		if (strcmp(cb->event, event))
			continue;
		struct fw_event ev = { .kind = FW_EV_CALLBACK, .name = event, .description = cb->description };
		fw_emit(t->obs, &ev);
		if (fw_apply_callback(t, cb, err) < 0) {
			fw_error_prefix(err, "Error while executing %s callback", event);
			return -1;
		}
	}
	return 0;
}
