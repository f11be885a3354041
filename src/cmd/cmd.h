/* The command layer: a command table (commands.c) maps each command name to
 * the operation a target runs (ops/op.h) and to the renderer that turns the
 * operation's events and result into Flyway's sentences and JSON; one file
 * per command holds its renderer. One dispatcher runs a command on one
 * target (fw_cmd_run) — for the chain in main.c and for each fleet target. */
#ifndef FW_CMD_H
#define FW_CMD_H
#include <jansson.h>
#include "config/config.h"
#include "ops/runner.h"
#include "util/error.h"
#include "util/json.h"
#include "util/out.h"

struct fleet_cmd;

struct fw_cmd_ctx {
	const struct fw_settings *settings;
	struct fw_config *cfg;
	struct fw_out *out;
	struct fw_session *session;   /* the target: its connection lasts the whole chain */
	json_t *result;               /* the command's JSON result (owned), or NULL */
	const char *command;          /* name of the running command */
};

enum fw_cmd_flags {
	FW_CMD_FLEET_ONLY = 1 << 0,   /* verify, plan: only with -fleet */
	FW_CMD_NO_FLEET = 1 << 1,     /* init: makes a project, no target */
};

struct fw_command {
	const char *name;
	const char *summary;          /* for --help */
	unsigned flags;
	/* the operation a target runs (migrate with -dryRunOutput is the dry run) */
	const struct fw_op *(*op)(const struct fw_config *cfg);
	/* print the outcome and set c->result; rc is the operation's; returns the
	 * command's (validate -outputType=json turns a failed validation into 0) */
	int (*render)(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
	/* commands without an operation (init) */
	int (*run)(struct fw_cmd_ctx *c, struct fw_error *err);
	/* a fleet row's short account of the result ("removed 1 failed row"), optional */
	void (*summary_line)(const void *result, struct strbuf *out);
	/* the command's own flow over a fleet (info, check, migrate, verify, plan);
	 * NULL: the operation on every target (cmd/fleet.c) */
	int (*fleet)(struct fleet_cmd *fc, struct fw_error *err);
};

extern const struct fw_command fw_commands[];
extern const size_t fw_nr_commands;
const struct fw_command *fw_command_find(const char *name);
/* "migrate info validate ..." for messages */
void fw_command_names(unsigned without_flags, struct strbuf *out);

/* run cmd on c's session: operation, then renderer */
int fw_cmd_run(struct fw_cmd_ctx *c, const struct fw_command *cmd, struct fw_error *err);
/* the members every Flyway result carries */
json_t *fw_cmd_result_base(struct fw_cmd_ctx *c, const char *operation);
/* print text unless in JSON or quiet mode */
void fw_cmd_print(struct fw_cmd_ctx *c, const char *text);
/* the target of the command (NULL for a command that has none) */
struct fw_target *fw_cmd_target(struct fw_cmd_ctx *c);

struct fw_lint;
/* check -code's findings (cmd/check.c), also generate's: the lines printed, and
 * the report's results[] of {filepath, violations[]} */
void fw_check_print_findings(struct fw_cmd_ctx *c, const struct fw_lint *l);
json_t *fw_check_findings_json(const struct fw_lint *l);

/* renderers, one per command file */
int render_migrate(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_info(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_validate(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_baseline(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_repair(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_clean(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_undo(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_check(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_snapshot(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_diff(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_difftext(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_generate(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int render_model(struct fw_cmd_ctx *c, void *result, int rc, struct fw_error *err);
int cmd_init(struct fw_cmd_ctx *c, struct fw_error *err);
void summary_migrate(const void *result, struct strbuf *out);
/* migrate's sentence for a schema with nothing to do (a fleet says it of a
 * target its pre-flight found up to date, without migrating it again) */
void fw_render_up_to_date(struct fw_out *out, const char *schema_shown);
void summary_repair(const void *result, struct strbuf *out);
void summary_baseline(const void *result, struct strbuf *out);
void summary_clean(const void *result, struct strbuf *out);
void summary_undo(const void *result, struct strbuf *out);
void summary_validate(const void *result, struct strbuf *out);

/* fleet mode (-fleet=NAME): the fleet is loaded once for the chain, then each
 * command runs over its targets; *doc gets the command's report document */
struct fleet_cmd *fw_fleet_open(const struct fw_settings *s, struct fw_config *base, struct fw_out *out,
				struct fw_error *err);
int fw_fleet_cmd_run(struct fleet_cmd *fc, const struct fw_command *cmd, json_t **doc, struct fw_error *err);
void fw_fleet_close(struct fleet_cmd *fc);
/* the commands' own fleet flows (cmd/fleet*.c) */
int fleet_info(struct fleet_cmd *fc, struct fw_error *err);
int fleet_check(struct fleet_cmd *fc, struct fw_error *err);
int fleet_migrate(struct fleet_cmd *fc, struct fw_error *err);
int fleet_verify(struct fleet_cmd *fc, struct fw_error *err);
int fleet_plan(struct fleet_cmd *fc, struct fw_error *err);
int fleet_gate(struct fleet_cmd *fc, struct fw_error *err);

#endif
