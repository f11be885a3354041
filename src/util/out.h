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
	FILE *copy;           /* -outputFile in text mode, or NULL */
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
/* raw text to stdout (tables, JSON), redacted; not suppressed by -q or JSON mode */
void fw_out_raw(struct fw_out *o, const char *text, size_t len);

#endif
