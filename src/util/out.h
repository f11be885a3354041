/* Output sinks. Everything fleetway prints goes through one struct fw_out per
 * target: it prefixes lines with the target name in fleet mode, honours -q/-X,
 * keeps info lines out of stdout in JSON mode, copies the log to -outputFile,
 * and redacts registered secrets (util/redact.h) from every byte. */
#ifndef FW_OUT_H
#define FW_OUT_H
#include <stdio.h>
#include "util/error.h"
#include "util/redact.h"
#include "util/strbuf.h"

struct fw_out {
	const char *prefix;   /* e.g. "eu-west-1"; NULL for a single target */
	int quiet;            /* -q: only warnings and errors */
	int debug;            /* -X */
	int json;             /* -outputType=json: log lines are not printed on stdout */
	FILE *out;            /* stdout */
	FILE *err;            /* stderr */
	FILE *copy;           /* -outputFile, or NULL: in text mode every line printed, in JSON
	                         mode the document (what fw_out_raw prints) */
	/* a fleet target: its lines (prefixed, redacted, '\n'-terminated) go to the
	 * sink instead of out/err; is_err tells which of the two they were for */
	void (*sink)(void *ctx, int is_err, const char *text, size_t len);
	void *sink_ctx;
	struct fw_secrets *secrets;  /* this target's own secrets, hidden before the process-wide net */
};

void fw_out_init(struct fw_out *o);
void fw_info(struct fw_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fw_warn(struct fw_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fw_debug(struct fw_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* print an error as ERROR:/DETAIL:/HINT: lines on stderr (prefixed in fleet mode) */
void fw_out_error(struct fw_out *o, const struct fw_error *e);
/* raw text to stdout (tables, JSON) and the copy, redacted; not suppressed by -q or JSON mode */
void fw_out_raw(struct fw_out *o, const char *text, size_t len);

/* Write errors are errors (as in git). fw_out_write writes and flushes; a
 * failure on any stream but stderr is remembered, and once stdout's reader has
 * gone (EPIPE) nothing more is written there. It takes no lock: callers that
 * share a stream between threads hold their own. */
void fw_out_write(FILE *f, const char *buf, size_t len);
/* The end of a run: flush stdout and close `file` (the -outputFile, may be
 * NULL). 0: everything was written; 1: stdout's reader went away (a pipe into
 * `head`: the caller ends as by SIGPIPE, quietly); -1: err says which write
 * failed and why. */
int fw_out_finish(FILE *file, const char *file_name, struct fw_error *err);

#endif
