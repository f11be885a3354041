/* Shared by the fleet command's files: fleet.c (entry, the shared pieces,
 * info, every other command on each target), fleet-check.c (check: the
 * pre-flight), fleet-verify.c (verify: the post-flight), fleet-rollout.c
 * (migrate: pre-flight, canary, waves, post-flight), fleet-view.c (Ctrl-C,
 * printing and the live progress view), fleet-plan.c (the CI pipeline) and
 * fleet-gate.c (the gates). Internal to src/cmd. */
#ifndef FW_FLEET_CMD_H
#define FW_FLEET_CMD_H
#include "cmd/cmd.h"
#include "fleet/fleet.h"
#include "fleet/run.h"

struct fleet_cmd {
	const struct fw_settings *s;
	struct fw_config *base;
	struct fw_out *out;
	struct fw_fleet fleet;
	const struct fw_command *cmd;   /* the command running */
	int live;                /* progress view on a terminal */
	int json;
	int drawn;               /* lines of the progress view on screen */
	int cancel_noted;
	char *report_base;       /* every artefact of the run is named after it */
	struct fw_error report_err; /* the first report that could not be written */
	json_t *doc;             /* the running command's report document */
	json_t *gates;           /* migrate: the gates run so far, for the report */
	int gate_failed;         /* migrate halted at a gate */
	const char *phase;       /* shown in the progress view */
	long phase_t0;
	struct fw_converge *converge;  /* verify, the end of migrate: schemas read back (fleet/converge.h) */
};

/* fleet.c: any other command on every target (the operation's own flow) */
int fleet_command(struct fleet_cmd *fc, struct fw_error *err);
/* fleet.c: shared by the commands */
void fleet_setup_run(struct fleet_cmd *fc, struct fw_fleet_run *r);
/* the end of a run (says with -X how often the locations were scanned) */
void fleet_release_run(struct fleet_cmd *fc, struct fw_fleet_run *r);
json_t *fleet_make_doc(struct fw_fleet_run *r, const char *command, const char *outcome, long started,
		       const char *version, int verify);
/* ... of a migrate that stopped at its pre-flight (each target as the
 * pre-flight read it), and with what the verification found */
json_t *fleet_make_doc_stage(struct fw_fleet_run *r, const char *command, const char *outcome, long started,
			     const char *version, int verify, int preflight_only, const char *verify_summary);
void fleet_write_report(struct fleet_cmd *fc, json_t *doc);
void fleet_print_findings(struct fleet_cmd *fc, struct fw_fleet_run *r);
size_t fleet_count_findings(struct fw_fleet_run *r, size_t *targets);
void fleet_print_errors(struct fleet_cmd *fc, struct fw_fleet_run *r);
/* what a target's run of a command leaves in its result: the command's own
 * rendering into the target's log, its JSON, a summary line, and the target
 * read back (version, pending) */
int fleet_command_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s,
		       struct fw_out *out, void *result, int rc, struct fw_error *err);
/* ... the first part alone: the rendering, the JSON and the summary line (rc may change) */
void fleet_render_on_target(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t idx, struct fw_session *s,
			    struct fw_out *out, void *result, int *rc, struct fw_error *err);
/* a version as printed ("<< Empty Schema >>" for none) */
const char *fleet_vtext(const char *v);
/* how many targets of the run ended with status st */
size_t fleet_count_status(struct fw_fleet_run *r, enum fw_tstatus st);
/* the error of a command that Ctrl-C stopped (exit 130) */
int fleet_interrupted_error(struct fw_error *err);

/* fleet-check.c: the pre-flight on every target; returns the number of findings */
size_t fleet_preflight(struct fleet_cmd *fc, struct fw_fleet_run *r);
/* the pre-flight operation, for every target (check, verify) */
const struct fw_op *fleet_op_preflight(const struct fw_config *cfg);

/* fleet-verify.c: what a pre-flight reading leaves in a target's result:
 * the version and pending set read, validate's findings (a job's done) */
int fleet_verify_done(void *ctx, struct fw_fleet_run *r, size_t idx, struct fw_session *s, struct fw_out *out,
		      void *result, int rc, struct fw_error *err);
/* the post-flight reading of a target on its session: validate and what is pending */
void fleet_verify_reading(struct fw_fleet_run *r, size_t idx, struct fw_session *s);
/* the post-flight: start reading every target's schema back (each worker
 * then reads its own in fleet_converge_read) */
void fleet_converge_start(struct fleet_cmd *fc);
void fleet_converge_read(struct fleet_cmd *fc, size_t idx, struct fw_session *s);
/* the post-flight comparison of what every target reported; returns how
 * many differ (their schemas too, when read), and says in summary what they have ("6 targets have 2 pending") */
size_t fleet_judge(struct fleet_cmd *fc, struct fw_fleet_run *r, char **version, struct strbuf *summary);

/* fleet-rollout.c: canary then waves of a job that writes, halting on the first failure;
 * pause between waves when pause is set; returns 0, or the exit status */
int fleet_roll_out(struct fleet_cmd *fc, struct fw_fleet_run *r, const struct fw_fleet_job *job, int pause,
		   const char *will_change, struct fw_error *gate_err);

/* fleet-view.c: Ctrl-C stops starting targets and cancels running statements */
void fleet_catch_signals(void);
void fleet_release_signals(void);
int fleet_interrupted(void);
long fleet_wall_ms(void);

/* fleet-view.c: text to stdout and -outputFile (redacted); print() is silent in JSON/quiet mode */
void fleet_put(struct fleet_cmd *fc, const char *text);
void fleet_print(struct fleet_cmd *fc, const char *text);

/* fleet-view.c: running a job over members [start, end), with the live view on a terminal */
void fleet_view_setup(struct fleet_cmd *fc, struct fw_fleet_run *r);
void fleet_begin_phase(struct fleet_cmd *fc, const char *phase);
void fleet_run_batch(struct fleet_cmd *fc, struct fw_fleet_run *r, const struct fw_fleet_job *job, size_t start,
		     size_t end, int waves);
/* the pause before next_wave, already_ms of it spent (a gate ran meanwhile) */
void fleet_pause_between(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t next_wave, long already_ms);
void fleet_end_view(struct fleet_cmd *fc);
/* the outcome per target at the end: every target that did not succeed by
 * name (with columns), the others counted; a small fleet gets every row */
void fleet_outcome_table(struct fleet_cmd *fc, struct fw_fleet_run *r, const char *const *hdr, size_t ncols,
			 void (*row)(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t i, struct strvec *cells),
			 int (*succeeded)(const struct fw_fleet_result *res), const char *done_word);
/* redraw the live view (on a terminal) while something else than a batch runs */
void fleet_view_redraw(struct fleet_cmd *fc, struct fw_fleet_run *r);

/* fleet-gate.c: the gates after a wave (docs/fleet.md, Gates) */
int fleet_gates_configured(const struct fleet_cmd *fc);
/* run them (polling with gateRetry within gateTimeout); an entry in fc->gates;
 * -1 with err (exit 4) when they did not pass */
int fleet_gate_after(struct fleet_cmd *fc, struct fw_fleet_run *r, size_t wave, struct fw_error *err);

#endif
