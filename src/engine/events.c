#include "engine/events.h"
#include "util/strbuf.h"
#include <stdarg.h>
#include <string.h>

void fw_emit(const struct fw_observer *o, const struct fw_event *ev)
{
	if (o && o->event)
		o->event(o->ctx, ev);
}

static void emit_text(const struct fw_observer *o, enum fw_event_kind kind, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;
	struct fw_event ev;
	if (!o || !o->event)
		return;
	strbuf_vaddf(&sb, fmt, ap);
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.text = sb.buf;
	o->event(o->ctx, &ev);
	strbuf_release(&sb);
}

void fw_emit_info(const struct fw_observer *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_text(o, FW_EV_INFO, fmt, ap);
	va_end(ap);
}

void fw_emit_warn(const struct fw_observer *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit_text(o, FW_EV_WARNING, fmt, ap);
	va_end(ap);
}

void fw_emit_debug(const struct fw_observer *o, const char *fmt, ...)
{
	va_list ap;
	if (!o || !o->debug)
		return;
	va_start(ap, fmt);
	emit_text(o, FW_EV_DEBUG, fmt, ap);
	va_end(ap);
}
