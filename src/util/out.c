#include "out.h"
#include "redact.h"
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

/* one lock for the whole process so lines from fleet workers never interleave */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

void fw_out_init(struct fw_out *o)
{
	memset(o, 0, sizeof(*o));
	o->out = stdout;
	o->err = stderr;
}

static void redact(struct fw_out *o, struct strbuf *text)
{
	if (o->secrets)
		fw_secrets_apply(o->secrets, text);
	redact_buf(text);
}

/* write the finished text to stdout/stderr (and -outputFile), or the sink */
static void put(struct fw_out *o, int to_err, const struct strbuf *text)
{
	FILE *f = to_err ? o->err : o->out;
	if (o->sink) {
		o->sink(o->sink_ctx, to_err, text->buf, text->len);
		return;
	}
	pthread_mutex_lock(&out_lock);
	fwrite(text->buf, 1, text->len, f);
	if (o->copy && f != o->copy)
		fwrite(text->buf, 1, text->len, o->copy);
	fflush(f);
	pthread_mutex_unlock(&out_lock);
}

/* write text line by line, each prefixed; text is redacted first */
static void emit(struct fw_out *o, int to_err, const char *label, struct strbuf *text)
{
	struct strbuf line = STRBUF_INIT;
	const char *p;
	redact(o, text);
	p = text->buf;
	while (*p || p == text->buf) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (o->prefix)
			strbuf_addf(&line, "[%s] ", o->prefix);
		strbuf_addstr(&line, label);
		strbuf_add(&line, p, n);
		strbuf_addch(&line, '\n');
		if (!nl)
			break;
		p = nl + 1;
		if (!*p)
			break;
	}
	put(o, to_err, &line);
	strbuf_release(&line);
}

static void vemit(struct fw_out *o, int to_err, const char *label, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_vaddf(&sb, fmt, ap);
	emit(o, to_err, label, &sb);
	strbuf_release(&sb);
}

void fw_info(struct fw_out *o, const char *fmt, ...)
{
	va_list ap;
	if (o->quiet || o->json)
		return;
	va_start(ap, fmt);
	vemit(o, 0, "", fmt, ap);
	va_end(ap);
}

void fw_warn(struct fw_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	/* in JSON mode stdout carries only the document: warnings go to stderr */
	vemit(o, o->json, "WARNING: ", fmt, ap);
	va_end(ap);
}

void fw_debug(struct fw_out *o, const char *fmt, ...)
{
	va_list ap;
	if (!o->debug || o->quiet)
		return;
	va_start(ap, fmt);
	vemit(o, o->json, "DEBUG: ", fmt, ap);
	va_end(ap);
}

void fw_out_error(struct fw_out *o, const struct fw_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	fw_error_format(e, &sb);
	strbuf_rtrim(&sb);
	emit(o, 1, "", &sb);
	strbuf_release(&sb);
}

void fw_out_raw(struct fw_out *o, const char *text, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, text, len);
	redact(o, &sb);
	if (o->sink) {
		o->sink(o->sink_ctx, 0, sb.buf, sb.len);
	} else {
		pthread_mutex_lock(&out_lock);
		fwrite(sb.buf, 1, sb.len, o->out);
		fflush(o->out);
		pthread_mutex_unlock(&out_lock);
	}
	strbuf_release(&sb);
}
