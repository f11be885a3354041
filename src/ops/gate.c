#include "ops/gate.h"
#include "engine/target.h"
#include "ops/op.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <strings.h>

int fw_gate_value_true(const char *v)
{
	static const char *const yes[] = { "true", "t", "1", "yes", "on", NULL };
	for (int i = 0; v && yes[i]; i++)
		if (!strcasecmp(v, yes[i]))
			return 1;
	return 0;
}

static int gate_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	const struct fw_gate_args *a = args;
	struct fw_gate_result *res = result;
	struct db_result *r = NULL;
	if (db_query(t->db, a->sql, 0, NULL, &r, err) < 0)
		return -1;
	res->rows = r->nrows;
	if (r->nrows && r->ncols && db_value(r, 0, 0))
		res->value = xstrdup(db_value(r, 0, 0));
	res->pass = fw_gate_value_true(res->value);
	db_result_free(r);
	return 0;
}

static void gate_release(void *result)
{
	struct fw_gate_result *res = result;
	free(res->value);
}

const struct fw_op fw_op_gate_sql = {
	.name = "gate",
	.needs = FW_OP_DB,
	.result_size = sizeof(struct fw_gate_result),
	.run = gate_run,
	.release = gate_release,
};
