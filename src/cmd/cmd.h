/* The command layer: one file per command, each exporting one cmd_* function.
 * Commands print (text or JSON); everything below them returns values. */
#ifndef FW_CMD_H
#define FW_CMD_H
#include <jansson.h>
#include "config/config.h"
#include "engine/target.h"
#include "util/error.h"
#include "util/json.h"
#include "util/out.h"

struct fw_cmd_ctx {
	const struct fw_settings *settings;
	struct fw_config *cfg;
	struct fw_out *out;
	struct fw_target target;
	int connected;
	int lock_on_connect;      /* a later command of the chain migrates: hold its lock from
	                             the start, so the history read first is the one it uses */
	json_t *result;           /* the command's JSON result (owned), or NULL */
	const char *command;      /* name of the running command */
};

/* connect the target on first use (commands of one chain share the connection) */
int fw_cmd_connect(struct fw_cmd_ctx *c, struct fw_error *err);
/* the members every Flyway result carries */
json_t *fw_cmd_result_base(struct fw_cmd_ctx *c, const char *operation);
/* print text unless in JSON mode */
void fw_cmd_print(struct fw_cmd_ctx *c, const char *text);

int cmd_migrate(struct fw_cmd_ctx *c, struct fw_error *err);
int cmd_info(struct fw_cmd_ctx *c, struct fw_error *err);
int cmd_validate(struct fw_cmd_ctx *c, struct fw_error *err);
int cmd_init(struct fw_cmd_ctx *c, struct fw_error *err);
int cmd_repair(struct fw_cmd_ctx *c, struct fw_error *err);
int cmd_baseline(struct fw_cmd_ctx *c, struct fw_error *err);
int cmd_clean(struct fw_cmd_ctx *c, struct fw_error *err);
int cmd_undo(struct fw_cmd_ctx *c, struct fw_error *err);
int cmd_check(struct fw_cmd_ctx *c, struct fw_error *err);

/* fleet mode (-fleet=NAME): runs the command chain over the fleet's targets */
int cmd_fleet(const struct fw_settings *s, struct fw_config *base, const struct strvec *commands,
	      struct fw_out *out, struct fw_error *err);

#endif
