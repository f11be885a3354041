/* Running a command of the user's (a fleet's gate): /bin/sh -c TEXT with a
 * given environment, its stdout and stderr together captured, ended (TERM,
 * then KILL) when it runs past a deadline, and a tick called every 100 ms
 * while it runs (the live view redraws). */
#ifndef FW_PROC_H
#define FW_PROC_H
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"

struct fw_proc_result {
	int exited;            /* ended by itself: status is its exit status */
	int status;
	int signal;            /* killed by this signal (not ours) */
	int timed_out;         /* we ended it at the deadline */
	long ms;
};

/* Run `command` in `dir` (NULL: here). Output beyond max_output bytes is cut
 * (the end is kept). Returns -1 only when it could not start. */
int fw_proc_run(const char *command, const char *dir, const struct strvec *env, long timeout_ms,
		size_t max_output, void (*tick)(void *ctx), void *ctx, struct strbuf *output,
		struct fw_proc_result *res, struct fw_error *err);

#endif
