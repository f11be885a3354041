#include "ops/runner.h"
#include "engine/callbacks.h"
#include <string.h>

void fw_session_init(struct fw_session *s, struct fw_config *cfg, const struct fw_observer *obs,
		     const char *name)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->obs = obs;
	s->name = name;
}

int fw_session_connect(struct fw_session *s, struct fw_error *err)
{
	struct fw_target *t = &s->target;
	if (s->connected)
		return 0;
	t->name = s->name;
	t->cancel = s->cancel;
	t->halt = s->halt;
	t->stand_in_if_missing = s->stand_in_if_missing;
	t->scan_cache = s->scan_cache;
	if ((s->attach_db ? fw_target_attach(t, s->attach_db, s->cfg, s->obs, err)
			  : fw_target_connect(t, s->cfg, s->obs, err)) < 0 ||
	    fw_callbacks_fire(t, "afterConnect", err) < 0 ||
	    (s->lock_for_chain && fw_target_lock(t, err) < 0)) {
		fw_target_close(t);
		return -1;
	}
	s->connected = 1;
	return 0;
}

/* a target without a database: the files alone (check -code with no url) */
static int open_offline(struct fw_session *s, const struct fw_op *op, struct fw_error *err)
{
	struct fw_target *t = &s->target;
	t->name = s->name;
	if (op->open_offline(t, s->cfg, s->obs, err) < 0) {
		fw_target_close(t);
		return -1;
	}
	return 0;
}

static void fire_error_callback(struct fw_target *t, const char *event)
{
	struct fw_error e2 = FW_ERROR_INIT;
	if (fw_callbacks_fire(t, event, &e2) < 0)
		fw_emit_warn(t->obs, "%s", e2.message.buf);
	fw_error_clear(&e2);
}

static int run_on_target(struct fw_session *s, const struct fw_op *op, const void *args, void *result,
			 struct fw_error *err)
{
	struct fw_target *t = &s->target;
	int locked_here = 0, rc;
	if (op->before && fw_callbacks_fire(t, op->before, err) < 0)
		return -1;
	if ((op->needs & FW_OP_LOCK) && !t->locked) {
		if (fw_target_lock(t, err) < 0)
			return -1;
		locked_here = 1;
	}
	rc = op->run(t, args, result, err);
	/* a lock that cannot be released is an error (the run ends and closes
	 * the connection, which releases it), unless an error is on its way */
	if (locked_here && fw_target_unlock(t, rc < 0 ? NULL : err) < 0 && rc == 0) {
		rc = -1;
		if (op->unlock_failed)
			op->unlock_failed(result, err);
	}
	if (rc < 0) {
		if (op->on_error)
			fire_error_callback(t, op->on_error);
		return -1;
	}
	if (op->after && fw_callbacks_fire(t, op->after, err) < 0)
		return -1;
	return 0;
}

int fw_run(struct fw_session *s, const struct fw_op *op, const void *args, void *result,
	   struct fw_error *err)
{
	int offline, rc;
	if (op->result_size)
		memset(result, 0, op->result_size);
	if (op->precheck && op->precheck(s->cfg, err) < 0)
		return -1;
	if (!(op->needs & FW_OP_DB)) {
		/* no connection of the session's own (diff and generate open theirs):
		 * the configuration and the observer still come with the target */
		if (!s->connected) {
			s->target.cfg = s->cfg;
			s->target.obs = s->obs;
			s->target.name = s->name;
		}
		return op->run(&s->target, args, result, err);
	}
	offline = (op->needs & FW_OP_DB_OPTIONAL) && op->open_offline && !s->connected &&
		  (!s->cfg->url || !*s->cfg->url);
	if (offline ? open_offline(s, op, err) < 0 : fw_session_connect(s, err) < 0)
		return -1;
	rc = run_on_target(s, op, args, result, err);
	/* the files-only target is not a connection a later command could use */
	if (offline)
		fw_target_close(&s->target);
	return rc;
}

void fw_op_result_release(const struct fw_op *op, void *result)
{
	if (op->release)
		op->release(result);
}

void fw_session_close(struct fw_session *s)
{
	if (s->connected)
		fw_target_close(&s->target);
	s->connected = 0;
}
