#include "out.h"
#include "redact.h"
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

/* one lock for the whole process so lines from fleet workers never interleave */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* The streams a write failed on, each with its first errno (stdout and the
 * -outputFile are all there are; the rest is room to spare). Own lock: the
 * fleet's line hook writes while out_lock is held. */
#define MAX_FAILED 4
static pthread_mutex_t failed_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	FILE *f;
	int errnum;
} failed[MAX_FAILED];
static size_t nr_failed;

static void note_failure(FILE *f, int errnum)
{
	pthread_mutex_lock(&failed_lock);
	for (size_t i = 0; i < nr_failed; i++)
		if (failed[i].f == f)
			goto out;
	if (nr_failed < MAX_FAILED) {
		failed[nr_failed].f = f;
		failed[nr_failed].errnum = errnum ? errnum : EIO;
		nr_failed++;
	}
out:
	pthread_mutex_unlock(&failed_lock);
}

/* errno of the first failed write to f, or 0 */
static int failure_of(FILE *f)
{
	int e = 0;
	pthread_mutex_lock(&failed_lock);
	for (size_t i = 0; i < nr_failed && !e; i++)
		if (failed[i].f == f)
			e = failed[i].errnum;
	pthread_mutex_unlock(&failed_lock);
	return e;
}

void fw_out_write(FILE *f, const char *buf, size_t len)
{
	/* stderr has nowhere to report its own failure */
	int checked = f != stderr;
	if (f == stdout && failure_of(stdout) == EPIPE)
		return;
	errno = 0;
	if ((fwrite(buf, 1, len, f) != len || fflush(f) != 0) && checked)
		note_failure(f, errno);
}

/* flush what printf wrote (help, version) and catch what a flush lost before */
static void check_stream(FILE *f)
{
	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		note_failure(f, errno);
}

int fw_out_finish(FILE *file, const char *file_name, struct fw_error *err)
{
	int out_err, file_err = 0;
	if (failure_of(stdout) != EPIPE)
		check_stream(stdout);
	if (file) {
		check_stream(file);
		file_err = failure_of(file);
		errno = 0;
		if (fclose(file) != 0 && !file_err)
			file_err = errno ? errno : EIO;
	}
	out_err = failure_of(stdout);
	if (out_err == EPIPE && !file_err)
		return 1;
	if (out_err && out_err != EPIPE) {
		fw_errorf(err, "ERROR", "unable to write to standard output: %s", strerror(out_err));
		if (file_err)
			fw_error_detail(err, "unable to write -outputFile %s: %s", file_name, strerror(file_err));
	} else if (file_err) {
		fw_errorf(err, "ERROR", "unable to write -outputFile %s: %s", file_name, strerror(file_err));
	} else {
		return 0;
	}
	return -1;
}

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
	fw_out_write(f, text->buf, text->len);
	/* in JSON mode the file holds the document only */
	if (o->copy && f != o->copy && !o->json)
		fw_out_write(o->copy, text->buf, text->len);
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
		fw_out_write(o->out, sb.buf, sb.len);
		if (o->copy && o->copy != o->out)
			fw_out_write(o->copy, sb.buf, sb.len);
		pthread_mutex_unlock(&out_lock);
	}
	strbuf_release(&sb);
}
