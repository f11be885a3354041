/* Report files: <base>.json and <base>.html written whole or not at all,
 * with every registered secret redacted on the way out. */
#include "util/report-file.h"
#include "util/json.h"
#include "util/redact.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void fw_html_escape(struct strbuf *out, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': strbuf_addstr(out, "&amp;"); break;
		case '<': strbuf_addstr(out, "&lt;"); break;
		case '>': strbuf_addstr(out, "&gt;"); break;
		case '"': strbuf_addstr(out, "&quot;"); break;
		case '\'': strbuf_addstr(out, "&#39;"); break;
		default: strbuf_addch(out, *s);
		}
}

int fw_write_whole(const char *path, const char *data, size_t len)
{
	struct strbuf tmp = STRBUF_INIT;
	FILE *f;
	int ok, saved;
	strbuf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp.buf, "wb");
	ok = f && fwrite(data, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp.buf, path) < 0)
		ok = 0;
	saved = errno;
	if (!ok && f)
		remove(tmp.buf);
	strbuf_release(&tmp);
	errno = saved;
	return ok ? 0 : -1;
}

static int write_file(const char *path, struct strbuf *text, struct fw_error *err)
{
	/* last line of defence: whatever a report holds, no registered secret leaves */
	redact_buf(text);
	if (fw_write_whole(path, text->buf, text->len) < 0)
		return fw_errorf(err, "ERROR", "unable to write the report %s: %s", path, strerror(errno));
	return 0;
}

int fw_report_write_json(const char *path, const json_t *doc, struct fw_error *err)
{
	struct strbuf js = STRBUF_INIT;
	int ret;
	fw_json_dump(doc, &js);
	ret = write_file(path, &js, err);
	strbuf_release(&js);
	return ret;
}

void fw_report_stem(const char *base, struct strbuf *out)
{
	size_t n = strlen(base);
	strbuf_addstr(out, base);
	if (n > 5 && (!strcmp(base + n - 5, ".json") || !strcmp(base + n - 5, ".html")))
		strbuf_setlen(out, out->len - 5);
}

int fw_report_write_with(const char *base, const json_t *doc,
			 void (*render)(const json_t *doc, struct strbuf *out), char **json_path,
			 char **html_path, struct fw_error *err)
{
	struct strbuf stem = STRBUF_INIT, jp = STRBUF_INIT, hp = STRBUF_INIT;
	struct strbuf js = STRBUF_INIT, html = STRBUF_INIT;
	int ret = -1;
	fw_report_stem(base, &stem);
	strbuf_addf(&jp, "%s.json", stem.buf);
	strbuf_addf(&hp, "%s.html", stem.buf);
	fw_json_dump(doc, &js);
	render(doc, &html);
	if (write_file(jp.buf, &js, err) < 0 || write_file(hp.buf, &html, err) < 0)
		goto out;
	if (json_path)
		*json_path = strbuf_detach(&jp, NULL);
	if (html_path)
		*html_path = strbuf_detach(&hp, NULL);
	ret = 0;
out:
	strbuf_release(&stem);
	strbuf_release(&jp);
	strbuf_release(&hp);
	strbuf_release(&js);
	strbuf_release(&html);
	return ret;
}
