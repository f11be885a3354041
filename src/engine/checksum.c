/* Flyway-compatible checksums (reference section 3.1).
 *
 * Flyway decodes the file, reads it line by line, drops a BOM at the start of
 * the first line and feeds the UTF-8 bytes of each line (without terminator)
 * to CRC-32. Byte-wise that is: CRC-32 of the UTF-8 text with every CR and LF
 * byte deleted and a leading EF BB BF skipped. For UTF-8 input we do exactly
 * that on the raw bytes (validating strictly, as Java's decoder reports
 * malformed input); other encodings are first decoded to UTF-8 (ISO-8859-1 by
 * hand, anything else through iconv) and the decoded text takes the same path
 * minus the validation.
 *
 * Streaming: a UTF-8 sequence (or an iconv input sequence) cut by a chunk
 * boundary waits in `pend` for the rest; CR/LF need no state because both are
 * simply dropped, so "CR | LF" across chunks is nothing special. */
#include "engine/checksum.h"
#include "util/xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* ---- encoding names ---------------------------------------------------- */

/* lower-case s without '-' and '_' so that "UTF-8", "utf8" and "Utf_8" meet */
static void squash_name(const char *s, char *dst, size_t size)
{
	size_t n = 0;
	for (; *s && n + 1 < size; s++) {
		if (*s == '-' || *s == '_')
			continue;
		dst[n++] = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
	}
	dst[n] = '\0';
}

static int is_utf8_name(const char *enc)
{
	char sq[32];
	if (!enc || !*enc)
		return 1;
	squash_name(enc, sq, sizeof(sq));
	return !strcmp(sq, "utf8");
}

/* Java's names and aliases for ISO-8859-1 that are worth a fast path */
static int is_latin1_name(const char *enc)
{
	static const char *const names[] = {
		"iso88591", "latin1", "l1", "cp819", "ibm819", "88591", NULL
	};
	char sq[32];
	int i;

	squash_name(enc, sq, sizeof(sq));
	for (i = 0; names[i]; i++)
		if (!strcmp(sq, names[i]))
			return 1;
	return 0;
}

static const char *display_encoding(const struct fw_checksum *c)
{
	return c->utf8 ? "UTF-8" : c->encoding;
}

/* ---- strict UTF-8 ------------------------------------------------------- */

/* length announced by a lead byte; 0 for bytes that cannot start a sequence:
 * continuation bytes, C0/C1 (always overlong) and F5..FF (above U+10FFFF) */
static int utf8_seq_len(unsigned char b)
{
	if (b < 0x80)
		return 1;
	if (b < 0xC2)
		return 0;
	if (b < 0xE0)
		return 2;
	if (b < 0xF0)
		return 3;
	if (b < 0xF5)
		return 4;
	return 0;
}

/* The range of the second byte depends on the lead byte; that is what rules
 * out overlong forms (E0, F0), UTF-16 surrogates (ED) and code points above
 * U+10FFFF (F4). Later bytes are plain continuation bytes. */
static int second_byte_ok(unsigned char lead, unsigned char b)
{
	switch (lead) {
	case 0xE0:
		return b >= 0xA0 && b <= 0xBF;
	case 0xED:
		return b >= 0x80 && b <= 0x9F;
	case 0xF0:
		return b >= 0x90 && b <= 0xBF;
	case 0xF4:
		return b >= 0x80 && b <= 0x8F;
	default:
		return b >= 0x80 && b <= 0xBF;
	}
}

/* are the n available bytes of a sequence (valid lead in s[0]) a valid start of it? */
static int utf8_prefix_ok(const unsigned char *s, size_t n)
{
	size_t i;
	if (n >= 2 && !second_byte_ok(s[0], s[1]))
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return 1;
}

static int has_byte(uint64_t w, unsigned char b)
{
	uint64_t v = w ^ (ONES * b);
	return ((v - ONES) & ~v & HIGHS) != 0;
}

/* End of the longest prefix of [p, end) made of complete, valid characters
 * other than CR and LF: the bytes that go to the CRC as they are. Plain ASCII
 * is checked eight bytes at a time since that is most of any SQL file. */
static const unsigned char *scan_run(const unsigned char *p, const unsigned char *end)
{
	while (p < end) {
		uint64_t w;
		int need;

		while (end - p >= 8) {
			memcpy(&w, p, 8);
			if ((w & HIGHS) || has_byte(w, '\r') || has_byte(w, '\n'))
				break;
			p += 8;
		}
		if (p == end)
			break;
		if (*p < 0x80) {
			if (*p == '\r' || *p == '\n')
				break;
			p++;
			continue;
		}
		need = utf8_seq_len(*p);
		if (!need || end - p < need || !utf8_prefix_ok(p, (size_t)need))
			break;
		p += need;
	}
	return p;
}

static int is_bom(const unsigned char *s)
{
	return s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF;
}

/* ---- shared state updates ---------------------------------------------- */

static void set_bad(struct fw_checksum *c, unsigned long long offset, int truncated)
{
	if (c->bad)
		return;
	c->bad = 1;
	c->bad_at = offset;
	c->bad_line = c->line;
	c->truncated = truncated;
}

/* line counting is only for error positions: CR, LF and CR LF end a line */
static void note_newline(struct fw_checksum *c, unsigned char b)
{
	if (b == '\n' && c->last_cr)
		c->last_cr = 0;
	else {
		c->line++;
		c->last_cr = b == '\r';
	}
}

static void flush_stage(struct fw_checksum *c)
{
	if (c->nstage)
		c->crc = (uint32_t)crc32(c->crc, c->stage, (uInt)c->nstage);
	c->nstage = 0;
}

/* bytes that count: gather short runs, hand long ones to zlib directly */
static void crc_run(struct fw_checksum *c, const unsigned char *p, size_t n)
{
	if (!n)
		return;
	c->last_cr = 0;
	c->at_start = 0;
	if (n <= sizeof(c->stage) - c->nstage) {
		memcpy(c->stage + c->nstage, p, n);
		c->nstage += n;
		return;
	}
	flush_stage(c);
	if (n < sizeof(c->stage) / 2) {
		memcpy(c->stage, p, n);
		c->nstage = n;
		return;
	}
	while (n) {
		/* zlib takes at most a uInt at a time */
		size_t step = n < (1u << 30) ? n : (1u << 30);
		c->crc = (uint32_t)crc32(c->crc, p, (uInt)step);
		p += step;
		n -= step;
	}
}

/* Text that is known to be valid UTF-8 (decoded by us or iconv): drop CR and
 * LF, and a U+FEFF that is the very first character. */
static void feed_decoded(struct fw_checksum *c, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;

	if (c->at_start && n) {
		c->at_start = 0;
		if (n >= 3 && is_bom(p))
			p += 3;
	}
	while (p < end) {
		const unsigned char *q = p;
		while (q < end && *q != '\r' && *q != '\n')
			q++;
		crc_run(c, p, (size_t)(q - p));
		if (q == end)
			break;
		note_newline(c, *q);
		p = q + 1;
	}
}

/* ---- UTF-8 input -------------------------------------------------------- */

/* Complete a sequence cut by the previous chunk boundary. `base` is the
 * offset of `p` in the whole input. */
static const unsigned char *utf8_complete_pending(struct fw_checksum *c, const unsigned char *p,
						  const unsigned char *end, unsigned long long base)
{
	int need = utf8_seq_len(c->pend[0]);
	unsigned long long seq_at = base - (unsigned long long)c->npend;

	while (c->npend < need && p < end)
		c->pend[c->npend++] = *p++;
	if (!utf8_prefix_ok(c->pend, (size_t)c->npend)) {
		set_bad(c, seq_at, 0);
		return end;
	}
	if (c->npend < need)
		return p;
	/* the BOM may arrive split over chunks: it is still the first character */
	if (!(c->at_start && is_bom(c->pend)))
		crc_run(c, c->pend, (size_t)need);
	c->at_start = 0;
	c->last_cr = 0;
	c->npend = 0;
	return p;
}

/* p points at a byte scan_run refused that is not CR/LF: either malformed or
 * the start of a sequence cut by the end of this chunk. */
static void utf8_stash_or_fail(struct fw_checksum *c, const unsigned char *p,
			       const unsigned char *end, unsigned long long offset)
{
	int need = utf8_seq_len(*p);
	size_t avail = (size_t)(end - p);

	if (!need || avail >= (size_t)need || !utf8_prefix_ok(p, avail)) {
		set_bad(c, offset, 0);
		return;
	}
	memcpy(c->pend, p, avail);
	c->npend = (int)avail;
}

static void utf8_update(struct fw_checksum *c, const unsigned char *p, const unsigned char *end)
{
	const unsigned char *start = p;

	if (c->npend)
		p = utf8_complete_pending(c, p, end, c->fed);
	while (p < end && !c->bad) {
		const unsigned char *q;

		if (c->at_start && (*p != 0xEF || end - p >= 3)) {
			c->at_start = 0;
			if (end - p >= 3 && is_bom(p)) {
				p += 3;
				continue;
			}
		}
		q = scan_run(p, end);
		crc_run(c, p, (size_t)(q - p));
		p = q;
		if (p == end)
			break;
		if (*p == '\r' || *p == '\n') {
			c->at_start = 0;
			note_newline(c, *p++);
			continue;
		}
		utf8_stash_or_fail(c, p, end, c->fed + (unsigned long long)(p - start));
		break;
	}
}

/* ---- ISO-8859-1 input --------------------------------------------------- */

/* every byte is the code point of the same value: re-encode as UTF-8 */
static void latin1_update(struct fw_checksum *c, const unsigned char *p, const unsigned char *end)
{
	unsigned char buf[1024];
	size_t n = 0;

	for (; p < end; p++) {
		if (*p < 0x80) {
			buf[n++] = *p;
		} else {
			buf[n++] = (unsigned char)(0xC0 | (*p >> 6));
			buf[n++] = (unsigned char)(0x80 | (*p & 0x3F));
		}
		if (n > sizeof(buf) - 2) {
			feed_decoded(c, buf, n);
			n = 0;
		}
	}
	feed_decoded(c, buf, n);
}

/* ---- other encodings through iconv -------------------------------------- */

/* Convert [*in, *in + *inleft) into UTF-8 and feed it; returns iconv's result
 * (errno set on -1) with the input pointer and count advanced past what was consumed. */
static size_t iconv_feed(struct fw_checksum *c, char **in, size_t *inleft)
{
	char out[4096];
	char *op = out;
	size_t outleft = sizeof(out);
	size_t r = iconv((iconv_t)c->iconv, in, inleft, &op, &outleft);
	int saved = errno;

	feed_decoded(c, (const unsigned char *)out, (size_t)(op - out));
	errno = saved;
	return r;
}

/* an input sequence cut by the previous chunk: retry it with the next bytes */
static const unsigned char *iconv_complete_pending(struct fw_checksum *c, const unsigned char *p,
						   const unsigned char *end)
{
	unsigned char tmp[sizeof(c->pend) + 64];
	size_t take = (size_t)(end - p) < 64 ? (size_t)(end - p) : 64;
	size_t npend = (size_t)c->npend, len = npend + take, left = len, used;
	char *in = (char *)tmp;
	size_t r;

	memcpy(tmp, c->pend, npend);
	memcpy(tmp + npend, p, take);
	r = iconv_feed(c, &in, &left);
	used = len - left;
	if (r != (size_t)-1) {
		c->npend = 0;
		return p + take;
	}
	if (errno == EINVAL && used >= npend) {
		c->npend = 0;  /* the rest is the chunk's own business */
		return p + (used - npend);
	}
	if (errno == EINVAL && p + take == end && left <= sizeof(c->pend)) {
		memmove(c->pend, tmp + used, left);
		c->npend = (int)left;
		return end;
	}
	set_bad(c, c->fed - npend + used, 0);
	return end;
}

static void iconv_update(struct fw_checksum *c, const unsigned char *p, const unsigned char *end)
{
	const unsigned char *start = p;

	if (c->npend)
		p = iconv_complete_pending(c, p, end);
	while (p < end && !c->bad) {
		char *in = (char *)p;
		size_t left = (size_t)(end - p);
		size_t r = iconv_feed(c, &in, &left);

		p = (const unsigned char *)in;
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL && left <= sizeof(c->pend)) {
			memcpy(c->pend, p, left);
			c->npend = (int)left;
			break;
		}
		set_bad(c, c->fed + (unsigned long long)(p - start), 0);
	}
}

/* end of input: flush a stateful decoder; anything still pending is cut off */
static void finish_input(struct fw_checksum *c)
{
	if (c->bad)
		return;
	if (c->npend) {
		set_bad(c, c->fed - (unsigned long long)c->npend, 1);
		return;
	}
	if (c->iconv) {
		char out[64];
		char *op = out;
		size_t outleft = sizeof(out);
		iconv((iconv_t)c->iconv, NULL, NULL, &op, &outleft);
		feed_decoded(c, (const unsigned char *)out, (size_t)(op - out));
	}
}

/* ---- public API --------------------------------------------------------- */

static int unknown_encoding(struct fw_error *err, const char *encoding)
{
	fw_errorf(err, "ERROR", "Unsupported encoding: %s", encoding);
	fw_error_hint(err, "use a charset name such as UTF-8, ISO-8859-1, windows-1252 or UTF-16LE");
	return -1;
}

int fw_checksum_init(struct fw_checksum *c, const char *encoding, struct fw_error *err)
{
	memset(c, 0, sizeof(*c));
	c->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	c->at_start = 1;
	c->line = 1;
	snprintf(c->encoding, sizeof(c->encoding), "%s", encoding ? encoding : "UTF-8");
	if (is_utf8_name(encoding)) {
		c->utf8 = 1;
		return 0;
	}
	if (is_latin1_name(encoding)) {
		c->latin1 = 1;
		return 0;
	}
	c->iconv = iconv_open("UTF-8", encoding);
	if (c->iconv == (void *)(iconv_t)-1) {
		c->iconv = NULL;
		return unknown_encoding(err, encoding);
	}
	return 0;
}

void fw_checksum_update(struct fw_checksum *c, const void *data, size_t len)
{
	const unsigned char *p = data, *end = p + len;

	if (c->bad || !len)
		return;
	if (c->utf8)
		utf8_update(c, p, end);
	else if (c->latin1)
		latin1_update(c, p, end);
	else if (c->iconv)
		iconv_update(c, p, end);
	c->fed += len;
}

void fw_checksum_release(struct fw_checksum *c)
{
	if (c->iconv)
		iconv_close((iconv_t)c->iconv);
	c->iconv = NULL;
}

static void malformed_detail(struct fw_error *err, const struct fw_checksum *c, const char *path)
{
	struct strbuf where = STRBUF_INIT;

	if (path)
		strbuf_addf(&where, "%s:%lu", path, c->bad_line);
	else
		strbuf_addf(&where, "line %lu", c->bad_line);
	if (c->truncated)
		fw_error_detail(err, "%s: truncated %s byte sequence at end of input (byte offset %llu)",
				where.buf, display_encoding(c), c->bad_at);
	else
		fw_error_detail(err, "%s: invalid %s byte sequence at byte offset %llu",
				where.buf, display_encoding(c), c->bad_at);
	strbuf_release(&where);
}

static void encoding_hint(struct fw_error *err, const struct fw_checksum *c)
{
	fw_error_hint(err, "the file is not valid %s: set `encoding` (for all files, or as "
		      "`encoding=...` in the script's .conf sidecar) to the charset it was saved in, "
		      "or enable `detectEncoding`", display_encoding(c));
}

static int32_t to_signed(uint32_t v)
{
	/* Java's (int) cast of the CRC value: two's complement reinterpretation */
	return v <= INT32_MAX ? (int32_t)v : (int32_t)(v - 0x80000000u) + INT32_MIN;
}

static int checksum_finish(struct fw_checksum *c, const char *what, const char *path,
			   int32_t *out, struct fw_error *err)
{
	finish_input(c);
	flush_stage(c);
	fw_checksum_release(c);
	if (c->bad) {
		fw_errorf(err, "ERROR", "Unable to calculate checksum of %s", what);
		malformed_detail(err, c, path);
		encoding_hint(err, c);
		return -1;
	}
	*out = to_signed(c->crc);
	return 0;
}

int fw_checksum_final(struct fw_checksum *c, const char *what, int32_t *out, struct fw_error *err)
{
	return checksum_finish(c, what, NULL, out, err);
}

int fw_checksum_buf(const void *data, size_t len, const char *encoding, const char *what,
		    int32_t *out, struct fw_error *err)
{
	struct fw_checksum c;

	if (fw_checksum_init(&c, encoding, err) < 0)
		return -1;
	fw_checksum_update(&c, data, len);
	return fw_checksum_final(&c, what, out, err);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int fw_checksum_file(const char *path, const char *encoding, int32_t *out, struct fw_error *err)
{
	unsigned char buf[32768];
	struct fw_checksum c;
	int fd;

	if (fw_checksum_init(&c, encoding, err) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto io_error;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto io_error;
		if (n == 0)
			break;
		fw_checksum_update(&c, buf, (size_t)n);
	}
	close(fd);
	return checksum_finish(&c, base_name(path), path, out, err);

io_error:
	{
		int saved = errno;
		if (fd >= 0)
			close(fd);
		fw_checksum_release(&c);
		fw_errorf(err, "ERROR", "Unable to calculate checksum of %s", base_name(path));
		fw_error_detail(err, "%s: %s", path, strerror(saved));
		return -1;
	}
}

/* ---- decoding for execution --------------------------------------------- */

/* offset of the first malformed byte of UTF-8 text, or -1 if all is valid */
static long long utf8_first_error(const unsigned char *p, size_t len, int *truncated)
{
	const unsigned char *start = p, *end = p + len;

	while (p < end) {
		int need;
		p = scan_run(p, end);
		if (p == end)
			break;
		if (*p == '\r' || *p == '\n') {
			p++;
			continue;
		}
		need = utf8_seq_len(*p);
		*truncated = need && end - p < need && utf8_prefix_ok(p, (size_t)(end - p));
		return (long long)(p - start);
	}
	return -1;
}

static int decode_error(struct fw_error *err, const char *what, const char *enc,
			unsigned long long offset, int truncated)
{
	fw_errorf(err, "ERROR", "Unable to decode %s using encoding %s", what, enc);
	fw_error_detail(err, "%s %s byte sequence at byte offset %llu",
			truncated ? "truncated" : "invalid", enc, offset);
	fw_error_hint(err, "set `encoding` (for all files, or as `encoding=...` in the script's "
		      ".conf sidecar) to the charset the file was saved in");
	return -1;
}

static void latin1_to_utf8(const unsigned char *p, size_t len, struct strbuf *out)
{
	size_t i;

	strbuf_grow(out, len * 2);
	for (i = 0; i < len; i++) {
		if (p[i] < 0x80) {
			strbuf_addch(out, p[i]);
		} else {
			strbuf_addch(out, 0xC0 | (p[i] >> 6));
			strbuf_addch(out, 0x80 | (p[i] & 0x3F));
		}
	}
}

/* one iconv step into out; -1 with errno as iconv left it */
static int iconv_step(iconv_t cd, char **in, size_t *left, struct strbuf *out)
{
	char *op;
	size_t outleft, r;

	strbuf_grow(out, (left ? *left : 0) * 2 + 64);
	op = out->buf + out->len;
	outleft = out->alloc - out->len - 1;
	r = iconv(cd, in, left, &op, &outleft);
	strbuf_setlen(out, (size_t)(op - out->buf));
	return r == (size_t)-1 ? -1 : 0;
}

static int iconv_to_utf8(const void *data, size_t len, const char *encoding, struct strbuf *out,
			 const char *what, struct fw_error *err)
{
	iconv_t cd = iconv_open("UTF-8", encoding);
	char *in = (char *)data;
	size_t left = len, oldlen = out->len;

	if (cd == (iconv_t)-1)
		return unknown_encoding(err, encoding);
	while (left) {
		if (iconv_step(cd, &in, &left, out) < 0 && errno != E2BIG) {
			int truncated = errno == EINVAL;
			iconv_close(cd);
			strbuf_setlen(out, oldlen);
			return decode_error(err, what, encoding, (unsigned long long)(len - left),
					    truncated);
		}
	}
	iconv_step(cd, NULL, NULL, out);  /* a stateful decoder's shift sequence */
	iconv_close(cd);
	return 0;
}

int fw_decode_to_utf8(const void *data, size_t len, const char *encoding, struct strbuf *out,
		      const char *what, struct fw_error *err)
{
	if (is_utf8_name(encoding)) {
		int truncated = 0;
		long long bad = utf8_first_error(data, len, &truncated);
		if (bad >= 0)
			return decode_error(err, what, "UTF-8", (unsigned long long)bad, truncated);
		strbuf_add(out, data, len);
		return 0;
	}
	if (is_latin1_name(encoding)) {
		latin1_to_utf8(data, len, out);
		return 0;
	}
	return iconv_to_utf8(data, len, encoding, out, what, err);
}
