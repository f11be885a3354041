/* The one lifecycle of every operation (ops/op.h), for the command chain and
 * for each target of a fleet alike:
 *
 *   precheck -> connect (first use; fires afterConnect) -> before-callback
 *   -> lock (when the operation needs it and the chain does not hold it)
 *   -> run -> unlock -> after-callback, or on failure the error-callback
 *
 * keeping the first error. A session is one target's connection and state
 * across the operations of a chain (`info validate migrate` connects and
 * reads the history once), or across a fleet's phases (the pre-flight's
 * connection carries into the wave). */
#ifndef FW_RUNNER_H
#define FW_RUNNER_H
#include "engine/events.h"
#include "engine/target.h"
#include "ops/op.h"

struct fw_session {
	struct fw_target target;
	struct fw_config *cfg;           /* borrowed */
	const struct fw_observer *obs;   /* borrowed */
	const char *name;                /* environment or fleet target, for messages; may be NULL */
	volatile int *cancel;            /* set on Ctrl-C (fleet or signal handler); may be NULL */
	volatile int *halt;              /* set when another fleet target failed; may be NULL */
	struct db *attach_db;            /* connect to this existing connection instead of the
	                                    url (a scratch database); it stays its owner's */
	int stand_in_if_missing;         /* a SQLite file that is not there is not made: the
	                                    session reads an empty stand-in (fleet pre-flight) */
	struct fw_scan_cache *scan_cache;  /* scans shared with other sessions (a fleet's), or NULL */
	int connected;
	int lock_for_chain;              /* take the lock at connect and hold it to the end of the
	                                    chain: a later command migrates, so the history read
	                                    first is the one it uses */
};

void fw_session_init(struct fw_session *s, struct fw_config *cfg, const struct fw_observer *obs,
		     const char *name);
/* connect now (fleets: the pre-flight opens what the wave uses) */
int fw_session_connect(struct fw_session *s, struct fw_error *err);
/* run op on the session's target with its args (NULL for commands); result
 * points at op->result_size bytes */
int fw_run(struct fw_session *s, const struct fw_op *op, const void *args, void *result,
	   struct fw_error *err);
/* release an operation's result */
void fw_op_result_release(const struct fw_op *op, void *result);
/* unlock and disconnect */
void fw_session_close(struct fw_session *s);

#endif
