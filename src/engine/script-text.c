#include "engine/script-text.h"
#include "engine/checksum.h"
#include <errno.h>
#include <string.h>
#include <strings.h>

static int is_utf8(const char *enc)
{
	return !enc || !strcasecmp(enc, "UTF-8") || !strcasecmp(enc, "UTF8");
}

int fw_script_text_open(struct fw_script_text *s, const char *path, const char *encoding,
			const struct fw_placeholders *ph, const char *script, struct fw_error *err)
{
	memset(s, 0, sizeof(*s));
	strbuf_init(&s->decoded, 0);
	strbuf_init(&s->pending, 0);
	s->err = (struct fw_error)FW_ERROR_INIT;
	s->at_start = 1;
	if (!is_utf8(encoding)) {
		/* a decoder for another encoding works on the whole text */
		struct strbuf raw = STRBUF_INIT;
		int rc;
		if (strbuf_read_file(&raw, path) < 0) {
			strbuf_release(&raw);
			return fw_errorf(err, "ERROR", "unable to read %s: %s", path, strerror(errno));
		}
		rc = fw_decode_to_utf8(raw.buf, raw.len, encoding, &s->decoded, path, err);
		strbuf_release(&raw);
		if (rc < 0)
			return -1;
		s->use_decoded = 1;
	} else {
		s->f = fopen(path, "rb");
		if (!s->f)
			return fw_errorf(err, "ERROR", "unable to read %s: %s", path, strerror(errno));
	}
	if (ph)
		s->ph = fw_ph_stream_new(ph, script);
	return 0;
}

void fw_script_text_close(struct fw_script_text *s)
{
	if (s->f)
		fclose(s->f);
	if (s->ph)
		fw_ph_stream_free(s->ph);
	strbuf_release(&s->decoded);
	strbuf_release(&s->pending);
	fw_error_clear(&s->err);
}

/* raw bytes from the file or the decoded text */
static size_t raw_bytes(struct fw_script_text *s, char *buf, size_t n)
{
	size_t got;
	if (s->use_decoded) {
		got = s->decoded.len - s->decoded_pos;
		if (got > n)
			got = n;
		memcpy(buf, s->decoded.buf + s->decoded_pos, got);
		s->decoded_pos += got;
		return got;
	}
	return fread(buf, 1, n, s->f);
}

/* refill `pending` with at least one more byte of replaced text, or reach the end */
static int fill(struct fw_script_text *s)
{
	char chunk[65536];
	while (s->pos >= s->pending.len && !s->eof) {
		size_t got = raw_bytes(s, chunk, sizeof(chunk));
		char *p = chunk;
		strbuf_reset(&s->pending);
		s->pos = 0;
		if (s->at_start && got >= 3 && !memcmp(chunk, "\xEF\xBB\xBF", 3)) {
			p += 3;
			got -= 3;
		}
		s->at_start = 0;
		if (got == 0) {
			s->eof = 1;
			if (s->f && ferror(s->f))
				return fw_errorf(&s->err, "ERROR", "read error: %s", strerror(errno));
			if (s->ph && fw_ph_stream_finish(s->ph, &s->pending, &s->err) < 0)
				return -1;
		} else if (s->ph) {
			if (fw_ph_stream_feed(s->ph, p, got, &s->pending, &s->err) < 0)
				return -1;
		} else {
			strbuf_add(&s->pending, p, got);
		}
	}
	return 0;
}

long fw_script_text_read(void *ctx, char *buf, size_t n)
{
	struct fw_script_text *s = ctx;
	size_t avail;
	if (fill(s) < 0)
		return -1;
	avail = s->pending.len - s->pos;
	if (!avail)
		return 0;
	if (avail > n)
		avail = n;
	memcpy(buf, s->pending.buf + s->pos, avail);
	s->pos += avail;
	return (long)avail;
}

void fw_script_text_error(struct fw_script_text *s, struct fw_error *err)
{
	if (fw_error_is_set(&s->err))
		fw_error_move(err, &s->err);
}
