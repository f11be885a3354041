/* Shared by the fleet command's files: fleet.c (the commands), fleet-view.c
 * (Ctrl-C, printing and the live progress view) and fleet-plan.c (the CI
 * matrix). Internal to src/cmd. */
#ifndef FW_FLEET_CMD_H
#define FW_FLEET_CMD_H
#include "cmd.h"
#include "fleet/run.h"
#include "fleet/fleet.h"

struct fleet_cmd {
	const struct fw_settings *s;
	struct fw_config *base;
	struct fw_out *out;
	struct fw_fleet fleet;
	int live;                /* progress view on a terminal */
	int json;
	int drawn;               /* lines of the progress view on screen */
	int cancel_noted;
	char *report_base;
	struct fw_error report_err; /* the first report that could not be written */
	json_t *docs;            /* -outputType=json: one document per command */
	const char *phase;       /* shown in the progress view */
	long phase_t0;
};

/* fleet-view.c: Ctrl-C stops starting targets and cancels running statements */
void fleet_catch_signals(void);
void fleet_release_signals(void);
int fleet_interrupted(void);
long fleet_wall_ms(void);

/* fleet-view.c: text to stdout and -outputFile (redacted); print() is silent in JSON/quiet mode */
void fleet_put(struct fleet_cmd *fc, const char *text);
void fleet_print(struct fleet_cmd *fc, const char *text);

/* fleet-view.c: running a command over members [start, end), with the live view on a terminal */
void fleet_setup_run(struct fleet_cmd *fc, struct fw_fleet_run *r);
void fleet_begin_phase(struct fleet_cmd *fc, const char *phase);
void fleet_run_batch(struct fleet_cmd *fc, struct fw_fleet_run *r, enum fw_fleet_op op, size_t start,
		     size_t end, int waves);
void fleet_pause_between(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t next_wave);
void fleet_end_view(struct fleet_cmd *fc);

/* fleet-plan.c: the waves as a CI matrix (-format=github|gitlab|json) */
int fleet_plan(struct fleet_cmd *fc, struct fw_error *err);

#endif
