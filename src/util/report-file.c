/* Report files: <base>.json and <base>.html written whole or not at all,
 * with every registered secret redacted on the way out. */
#include "util/report-file.h"
#include "util/json.h"
#include "util/redact.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

static int write_file(const char *path, struct strbuf *text, struct fw_error *err)
{
	struct strbuf tmp = STRBUF_INIT;
	FILE *f;
	int ok;
	/* last line of defence: whatever a report holds, no registered secret leaves */
	redact_buf(text);
	strbuf_addf(&tmp, "%s.tmp", path);
	f = fopen(tmp.buf, "wb");
	ok = f && fwrite(text->buf, 1, text->len, f) == text->len;
	if (f && fclose(f) != 0)
		ok = 0;
	if (ok && rename(tmp.buf, path) < 0)
		ok = 0;
	if (!ok) {
		fw_errorf(err, "ERROR", "unable to write the report %s: %s", path, strerror(errno));
		if (f)
			remove(tmp.buf);
	}
	strbuf_release(&tmp);
	return ok ? 0 : -1;
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
