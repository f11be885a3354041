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
#undef OP

const struct fw_command fw_commands[] = {
	{ "migrate", "Migrates the database to the latest version", 0, op_migrate, render_migrate, NULL,
	  summary_migrate },
	{ "info", "Prints the details and status of every migration", 0, op_info, render_info, NULL, NULL },
	{ "validate", "Validates the applied migrations against the files", 0, op_validate, render_validate,
	  NULL, summary_validate },
	{ "baseline", "Baselines an existing database at baselineVersion", 0, op_baseline, render_baseline,
	  NULL, summary_baseline },
	{ "repair", "Repairs the schema history table", 0, op_repair, render_repair, NULL, summary_repair },
	{ "clean", "Drops all objects in the configured schemas", 0, op_clean, render_clean, NULL,
	  summary_clean },
	{ "undo", "Undoes the most recently applied versioned migration", 0, op_undo, render_undo, NULL,
	  summary_undo },
	{ "check", "Checks pending migrations before deploy (-code, -dryrun)", 0, op_check, render_check, NULL,
	  NULL },
	{ "init", "Creates a new project (flyway.toml, migrations/) in the working directory", FW_CMD_NO_FLEET,
	  NULL, NULL, cmd_init, NULL },
	{ "verify", "Fleet: reads every target back and compares them (-fleet=NAME)", FW_CMD_FLEET_ONLY, NULL,
	  NULL, NULL, NULL },
	{ "plan", "Fleet: the waves as a CI pipeline (-fleet=NAME -format=github|gitlab|json)",
	  FW_CMD_FLEET_ONLY, NULL, NULL, NULL, NULL },
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
