/* The command table and the one dispatcher of a command on one target. */
#include "cmd/cmd.h"
#include "ops/op.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

static const struct fw_op *op_migrate(const struct fw_config *cfg)
{
	return cfg->dry_run_output && *cfg->dry_run_output ? &fw_op_dryrun : &fw_op_migrate;
}

#define OP(name) \
	static const struct fw_op *op_##name(const struct fw_config *cfg) \
	{ \
		(void)cfg; \
		return &fw_op_##name; \
	}
OP(info)
OP(validate)
OP(baseline)
OP(repair)
OP(clean)
OP(undo)
OP(check)
OP(snapshot)
OP(diff)
OP(difftext)
OP(generate)
OP(model)
#undef OP

const struct fw_command fw_commands[] = {
	{ .name = "migrate", .summary = "Migrates the database to the latest version",
	  .op = op_migrate, .render = render_migrate, .summary_line = summary_migrate, .fleet = fleet_migrate },
	{ .name = "info", .summary = "Prints the details and status of every migration",
	  .op = op_info, .render = render_info, .fleet = fleet_info },
	{ .name = "validate", .summary = "Validates the applied migrations against the files",
	  .op = op_validate, .render = render_validate, .summary_line = summary_validate },
	{ .name = "baseline", .summary = "Baselines an existing database at baselineVersion",
	  .op = op_baseline, .render = render_baseline, .summary_line = summary_baseline },
	{ .name = "repair", .summary = "Repairs the schema history table",
	  .op = op_repair, .render = render_repair, .summary_line = summary_repair },
	{ .name = "clean", .summary = "Drops all objects in the configured schemas",
	  .op = op_clean, .render = render_clean, .summary_line = summary_clean },
	{ .name = "undo", .summary = "Undoes the most recently applied versioned migration",
	  .op = op_undo, .render = render_undo, .summary_line = summary_undo },
	{ .name = "check", .summary = "Checks before deploy: -code, -dryrun, -drift (the schema against its history), -changes, -rehearse",
	  .op = op_check, .render = render_check, .fleet = fleet_check },
	{ .name = "snapshot", .summary = "Writes the schema as a snapshot file (-snapshot.filename=FILE, -snapshot.source=...)",
	  .flags = FW_CMD_NO_FLEET, .op = op_snapshot, .render = render_snapshot },
	{ .name = "diff", .summary = "Compares two states (-diff.source=S -diff.target=T) and writes a diff artifact",
	  .flags = FW_CMD_NO_FLEET, .op = op_diff, .render = render_diff },
	{ .name = "diffText", .summary = "Prints the definitions before and after of the diff's changes",
	  .flags = FW_CMD_NO_FLEET, .op = op_difftext, .render = render_difftext },
	{ .name = "generate", .summary = "Writes a migration from the diff, proved on a scratch database first",
	  .flags = FW_CMD_NO_FLEET, .op = op_generate, .render = render_generate },
	{ .name = "model", .summary = "Writes the diff's changes into the schema-model folder",
	  .flags = FW_CMD_NO_FLEET, .op = op_model, .render = render_model },
	{ .name = "init", .summary = "Creates a new project (flyway.toml, migrations/) in the working directory",
	  .flags = FW_CMD_NO_FLEET, .run = cmd_init },
	{ .name = "verify", .summary = "Fleet: reads every target back and compares them (-fleet=NAME)",
	  .flags = FW_CMD_FLEET_ONLY, .fleet = fleet_verify },
	{ .name = "plan", .summary = "Fleet: the waves as a CI pipeline (-fleet=NAME -format=github|gitlab|json)",
	  .flags = FW_CMD_FLEET_ONLY, .fleet = fleet_plan },
	{ .name = "gate", .summary = "Fleet: the gates after one wave (-fleet=NAME -gateWave=N), as a CI job runs them",
	  .flags = FW_CMD_FLEET_ONLY, .fleet = fleet_gate },
};
const size_t fw_nr_commands = sizeof(fw_commands) / sizeof(fw_commands[0]);

const struct fw_command *fw_command_find(const char *name)
{
	for (size_t i = 0; i < fw_nr_commands; i++)
		if (!strcmp(fw_commands[i].name, name))
			return &fw_commands[i];
	return NULL;
}

void fw_command_names(unsigned without_flags, struct strbuf *out)
{
	for (size_t i = 0; i < fw_nr_commands; i++)
		if (!(fw_commands[i].flags & without_flags))
			strbuf_addf(out, "%s%s", out->len ? " " : "", fw_commands[i].name);
}

int fw_cmd_run(struct fw_cmd_ctx *c, const struct fw_command *cmd, struct fw_error *err)
{
	const struct fw_op *op;
	void *result;
	int rc;
	c->command = cmd->name;
	c->result = NULL;
	if (cmd->run)
		return cmd->run(c, err);
	op = cmd->op(c->cfg);
	result = xcalloc(1, op->result_size ? op->result_size : 1);
	rc = fw_run(c->session, op, NULL, result, err);
	rc = cmd->render(c, result, rc, err);
	fw_op_result_release(op, result);
	free(result);
	return rc;
}
