/* Events (engine/events.h) in Flyway's words: the one place that turns what
 * an operation reports into the lines a person reads. Single-target commands
 * render straight to their output; a fleet target renders into its own sink
 * (prefixed with its name, kept for the report). */
#ifndef FW_RENDER_H
#define FW_RENDER_H
#include "engine/events.h"
#include "util/out.h"

/* Flyway's words for a migration, in "Migrating ..." and "Migration of ... failed!":
 * schema "s" to version "2 - x" [out of order] [non-transactional]; version
 * NULL for a repeatable: schema "s" with repeatable migration "x" */
void fw_render_migration_phrase(struct strbuf *out, const char *schema, const char *version,
				const char *description, int tx, int out_of_order);
/* print ev on out (honours -q, JSON mode and -X as fw_info/fw_warn do) */
void fw_render_event(struct fw_out *out, const struct fw_event *ev);
/* an observer that renders to out (fw_render_event with ctx = out) */
struct fw_observer fw_render_observer(struct fw_out *out);

#endif
