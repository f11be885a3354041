/* libFuzzer target for checksums.
 *
 * Input: byte 0 picks an encoding, bytes 1-4 seed the chunking, the rest is
 * the file. The checksum fed in one go, in pseudo-random chunks and one byte
 * at a time must agree (value, or error detail). Against independent paths:
 *  - UTF-8: success iff fw_decode_to_utf8 accepts the bytes, and then the value
 *    is the CRC-32 of the bytes without CR/LF and without a leading BOM,
 *    computed here byte by byte;
 *  - other encodings: success iff the bytes decode, and then the value equals
 *    the UTF-8 checksum of the decoded text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "engine/checksum.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_checksum: broken invariant: %s\n", what);
		abort();
	}
}

struct result {
	int rc;
	int32_t value;
	struct strbuf detail;
};

/* step 0: chunk sizes from a xorshift generator (empty chunks included) */
static void run(const char *enc, const uint8_t *p, size_t len, uint32_t seed, size_t step,
		struct result *r)
{
	struct fw_checksum c;
	struct fw_error err = FW_ERROR_INIT;
	size_t off = 0;

	strbuf_init(&r->detail, 0);
	r->value = 0;
	check(fw_checksum_init(&c, enc, &err) == 0, "known encoding");
	seed |= 1;
	while (off < len) {
		size_t n = step;
		if (!n) {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			n = seed % 70;
		}
		if (n > len - off)
			n = len - off;
		fw_checksum_update(&c, p + off, n);
		off += n;
	}
	r->rc = fw_checksum_final(&c, "f.sql", &r->value, &err);
	if (r->rc) {
		check(!strcmp(err.message.buf, "Unable to calculate checksum of f.sql"), "message");
		strbuf_addbuf(&r->detail, &err.detail);
	}
	fw_error_clear(&err);
}

static void check_same(const struct result *a, const struct result *b)
{
	check(a->rc == b->rc, "same success");
	if (a->rc)
		check(!strcmp(a->detail.buf, b->detail.buf), "same error detail");
	else
		check(a->value == b->value, "same checksum");
}

/* the definition for UTF-8 text, one byte at a time */
static int32_t reference_sum(const uint8_t *p, size_t n)
{
	uLong crc = crc32(0, Z_NULL, 0);
	size_t i = 0;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	for (; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			crc = crc32(crc, p + i, 1);
	return (int32_t)(uint32_t)crc;
}

static void cross_check(const char *enc, const uint8_t *p, size_t len, const struct result *r)
{
	struct strbuf text = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	int decoded = fw_decode_to_utf8(p, len, enc, &text, "f.sql", &err) == 0;

	check(decoded == !r->rc, "checksum succeeds iff the text decodes");
	if (decoded)
		check(r->value == reference_sum((const uint8_t *)text.buf, text.len),
		      "value is the CRC of the decoded text without terminators");
	strbuf_release(&text);
	fw_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const encs[] = {
		"UTF-8", "UTF-8", "UTF-8", "ISO-8859-1", "UTF-16LE", "UTF-16", "windows-1252",
		"GB18030", "SHIFT_JIS", "ISO-2022-JP", "UTF-32", "EUC-JP",
	};
	struct result one, chunked, bytewise;
	const char *enc;
	uint32_t seed;

	if (size < 5)
		return 0;
	enc = encs[data[0] % (sizeof(encs) / sizeof(encs[0]))];
	memcpy(&seed, data + 1, 4);
	data += 5;
	size -= 5;

	run(enc, data, size, 0, size ? size : 1, &one);
	run(enc, data, size, seed, 0, &chunked);
	run(enc, data, size, 0, 1, &bytewise);
	check_same(&one, &chunked);
	check_same(&one, &bytewise);
	cross_check(enc, data, size, &one);

	strbuf_release(&one.detail);
	strbuf_release(&chunked.detail);
	strbuf_release(&bytewise.detail);
	return 0;
}
