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

/* write text line by line, each prefixed; text is redacted first */
static void emit(struct fw_out *o, FILE *f, const char *label, struct strbuf *text)
{
	struct strbuf line = STRBUF_INIT;
	const char *p;
	redact_buf(text);
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
	if (o->capture) {
		strbuf_addbuf(o->capture, &line);
	} else {
		pthread_mutex_lock(&out_lock);
		fwrite(line.buf, 1, line.len, f);
		if (o->copy && f != o->copy)
			fwrite(line.buf, 1, line.len, o->copy);
		fflush(f);
		pthread_mutex_unlock(&out_lock);
	}
	strbuf_release(&line);
}

static void vemit(struct fw_out *o, FILE *f, const char *label, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_vaddf(&sb, fmt, ap);
	emit(o, f, label, &sb);
	strbuf_release(&sb);
}

void fw_info(struct fw_out *o, const char *fmt, ...)
{
	va_list ap;
	if (o->quiet || o->json)
		return;
	va_start(ap, fmt);
	vemit(o, o->out, "", fmt, ap);
	va_end(ap);
}

void fw_warn(struct fw_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	/* in JSON mode stdout carries only the document: warnings go to stderr */
	vemit(o, o->json ? o->err : o->out, "WARNING: ", fmt, ap);
	va_end(ap);
}

void fw_debug(struct fw_out *o, const char *fmt, ...)
{
	va_list ap;
	if (!o->debug || o->quiet)
		return;
	va_start(ap, fmt);
	vemit(o, o->json ? o->err : o->out, "DEBUG: ", fmt, ap);
	va_end(ap);
}

void fw_out_error(struct fw_out *o, const struct fw_error *e)
{
	struct strbuf sb = STRBUF_INIT;
	fw_error_format(e, &sb);
	strbuf_rtrim(&sb);
	emit(o, o->err, "", &sb);
	strbuf_release(&sb);
}

void fw_out_raw(struct fw_out *o, const char *text, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, text, len);
	redact_buf(&sb);
	if (o->capture) {
		strbuf_addbuf(o->capture, &sb);
	} else {
		pthread_mutex_lock(&out_lock);
		fwrite(sb.buf, 1, sb.len, o->out);
		fflush(o->out);
		pthread_mutex_unlock(&out_lock);
	}
	strbuf_release(&sb);
}
