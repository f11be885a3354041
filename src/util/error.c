#include "error.h"
#include "redact.h"
#include "xalloc.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void set_message(struct fw_error *e, int exit_code, const char *code,
			const char *fmt, va_list ap)
{
	fw_error_clear(e);
	e->code = code ? code : "ERROR";
	e->exit_code = exit_code;
	strbuf_vaddf(&e->message, fmt, ap);
}

int fw_errorf(struct fw_error *e, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(e, FW_EXIT_ERROR, code, fmt, ap);
	va_end(ap);
	return -1;
}

int fw_errorf_exit(struct fw_error *e, int exit_code, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(e, exit_code, code, fmt, ap);
	va_end(ap);
	return -1;
}

static void add_line(struct strbuf *sb, const char *fmt, va_list ap)
{
	if (sb->len)
		strbuf_addch(sb, '\n');
	strbuf_vaddf(sb, fmt, ap);
}

void fw_error_detail(struct fw_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_line(&e->detail, fmt, ap);
	va_end(ap);
}

void fw_error_hint(struct fw_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_line(&e->hint, fmt, ap);
	va_end(ap);
}

void fw_error_prefix(struct fw_error *e, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addstr(&sb, ": ");
	strbuf_addbuf(&sb, &e->message);
	strbuf_release(&e->message);
	e->message = sb;
}

int fw_error_is_set(const struct fw_error *e)
{
	return e->code != NULL;
}

void fw_error_clear(struct fw_error *e)
{
	e->code = NULL;
	e->exit_code = 0;
	strbuf_release(&e->message);
	strbuf_release(&e->detail);
	strbuf_release(&e->hint);
	e->sqlstate[0] = '\0';
	e->sql_errcode = 0;
	e->line = 0;
	xfree(&e->path);
}

void fw_error_move(struct fw_error *dst, struct fw_error *src)
{
	fw_error_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
	strbuf_init(&src->message, 0);
	strbuf_init(&src->detail, 0);
	strbuf_init(&src->hint, 0);
}

static void add_prefixed(struct strbuf *out, const char *label, const struct strbuf *text)
{
	const char *p = text->buf;
	if (!text->len)
		return;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		strbuf_addstr(out, label);
		strbuf_add(out, p, n);
		strbuf_addch(out, '\n');
		p += n + (nl ? 1 : 0);
		label = label[0] == 'E' ? "" : label; /* continuation lines of a message stay bare */
	}
}

void fw_error_format(const struct fw_error *e, struct strbuf *out)
{
	struct strbuf tmp = STRBUF_INIT;
	add_prefixed(&tmp, "ERROR: ", &e->message);
	add_prefixed(&tmp, "DETAIL: ", &e->detail);
	add_prefixed(&tmp, "HINT: ", &e->hint);
	redact_buf(&tmp);
	strbuf_addbuf(out, &tmp);
	strbuf_release(&tmp);
}
