/* Checksums (reference section 3, vectors of Appendix A).
 *
 * Every row of tests/data/checksum-vectors.tsv is checked at run time, fed
 * whole, one byte at a time, split at every position, and (re-encoded)
 * through iconv. The path is relative to the repository root, where the
 * tests run (tests/run-all.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "engine/checksum.h"

#define VECTORS_FILE "tests/data/checksum-vectors.tsv"

struct vector {
	char *name;
	struct strbuf bytes;
	int32_t expected;
};

static struct vector *vectors;
static size_t nvectors;
static int vectors_loaded;  /* the vector tests fail (not skip) when the file is missing */

/* ---- loading the TSV ---------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "\xNN\xNN..." -> bytes; -1 on anything else */
static int unescape(const char *s, size_t n, struct strbuf *out)
{
	size_t i;
	for (i = 0; i < n; i += 4) {
		int hi, lo;
		if (n - i < 4 || s[i] != '\\' || s[i + 1] != 'x')
			return -1;
		hi = hexval(s[i + 2]);
		lo = hexval(s[i + 3]);
		if (hi < 0 || lo < 0)
			return -1;
		strbuf_addch(out, hi * 16 + lo);
	}
	return 0;
}

static int parse_row(char *line, struct vector *v)
{
	char *tab1 = strchr(line, '\t'), *tab2, *end;
	long long val;

	v->name = NULL;
	strbuf_init(&v->bytes, 0);
	if (!tab1 || !(tab2 = strchr(tab1 + 1, '\t')) || strchr(tab2 + 1, '\t'))
		return -1;
	v->name = strndup(line, (size_t)(tab1 - line));
	if (unescape(tab1 + 1, (size_t)(tab2 - tab1 - 1), &v->bytes) < 0)
		return -1;
	errno = 0;
	val = strtoll(tab2 + 1, &end, 10);
	if (errno || end == tab2 + 1 || *end || val < INT32_MIN || val > INT32_MAX)
		return -1;
	v->expected = (int32_t)val;
	return 0;
}

/* reads the TSV; returns -1 (with a message) on a missing or malformed file */
static int read_vectors(void)
{
	const char *path = VECTORS_FILE;
	struct strbuf text = STRBUF_INIT;
	char *line, *save = NULL;
	size_t alloc = 0;
	int first = 1;

	if (strbuf_read_file(&text, path) < 0) {
		print_error("cannot read %s: %s (run from the repository root)\n",
			    path, strerror(errno));
		goto fail;
	}
	for (line = strtok_r(text.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (first) {
			first = 0;
			if (strcmp(line, "name\tfile_bytes_hex_escaped\texpected_signed_checksum")) {
				print_error("unexpected header in %s: %s\n", path, line);
				goto fail;
			}
			continue;
		}
		if (nvectors == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			vectors = realloc(vectors, alloc * sizeof(*vectors));
		}
		if (parse_row(line, &vectors[nvectors]) < 0) {
			print_error("bad row in %s: %s\n", path, line);
			nvectors++;  /* so that free_vectors releases it */
			goto fail;
		}
		nvectors++;
	}
	strbuf_release(&text);
	return 0;
fail:
	strbuf_release(&text);
	return -1;
}

static int load_vectors(void **state)
{
	(void)state;
	vectors_loaded = read_vectors() == 0;
	return 0;
}

static int free_vectors(void **state)
{
	size_t i;
	(void)state;
	for (i = 0; i < nvectors; i++) {
		free(vectors[i].name);
		strbuf_release(&vectors[i].bytes);
	}
	free(vectors);
	return 0;
}

/* the one row whose bytes are Latin-1 (Appendix A) */
static int is_latin1_row(const struct vector *v)
{
	return strstr(v->name, "ISO-8859-1") != NULL;
}

/* ---- helpers ------------------------------------------------------------ */

/* feed in chunks of `step` bytes (0 = all at once) */
static int sum_chunked(const void *data, size_t len, const char *enc, size_t step, int32_t *out,
		       struct fw_error *err)
{
	struct fw_checksum c;
	const char *p = data;
	size_t off = 0;

	if (fw_checksum_init(&c, enc, err) < 0)
		return -1;
	if (!step)
		step = len ? len : 1;
	for (off = 0; off < len; off += step)
		fw_checksum_update(&c, p + off, len - off < step ? len - off : step);
	return fw_checksum_final(&c, "x.sql", out, err);
}

static int sum_split(const void *data, size_t len, const char *enc, size_t at, int32_t *out,
		     struct fw_error *err)
{
	struct fw_checksum c;
	const char *p = data;

	if (fw_checksum_init(&c, enc, err) < 0)
		return -1;
	fw_checksum_update(&c, p, at);
	fw_checksum_update(&c, p + at, len - at);
	return fw_checksum_final(&c, "x.sql", out, err);
}

static int32_t sum_ok(const void *data, size_t len, const char *enc, size_t step)
{
	struct fw_error err = FW_ERROR_INIT;
	int32_t v = 0;
	int rc = sum_chunked(data, len, enc, step, &v, &err);
	if (rc)
		print_error("%s\n", err.message.buf);
	assert_int_equal(rc, 0);
	fw_error_clear(&err);
	return v;
}

static int32_t sum_str(const char *s)
{
	return sum_ok(s, strlen(s), NULL, 0);
}

static int32_t plain_crc(const char *s)
{
	return (int32_t)crc32(0, (const unsigned char *)s, (uInt)strlen(s));
}

static void expect_malformed(const void *data, size_t len, const char *enc, size_t step)
{
	struct fw_error err = FW_ERROR_INIT;
	int32_t v;

	assert_int_equal(sum_chunked(data, len, enc, step, &v, &err), -1);
	assert_string_equal(err.message.buf, "Unable to calculate checksum of x.sql");
	assert_non_null(strstr(err.hint.buf, "encoding"));
	assert_true(err.detail.len > 0);
	fw_error_clear(&err);
}

static void to_encoding(const struct strbuf *utf8, const char *enc, struct strbuf *out)
{
	iconv_t cd = iconv_open(enc, "UTF-8");
	char *in = utf8->buf, *op;
	size_t left = utf8->len, outleft;

	assert_true(cd != (iconv_t)-1);
	strbuf_grow(out, utf8->len * 4 + 16);
	op = out->buf;
	outleft = out->alloc - 1;
	assert_true(iconv(cd, &in, &left, &op, &outleft) != (size_t)-1);
	strbuf_setlen(out, (size_t)(op - out->buf));
	iconv_close(cd);
}

/* ---- the vectors -------------------------------------------------------- */

static void test_vectors_present(void **state)
{
	size_t i, latin1 = 0;
	(void)state;
	assert_true(vectors_loaded);
	assert_true(nvectors >= 25);
	for (i = 0; i < nvectors; i++)
		latin1 += is_latin1_row(&vectors[i]);
	assert_int_equal(latin1, 1);
}

static void test_vectors_one_shot(void **state)
{
	size_t i;
	(void)state;
	assert_true(vectors_loaded);
	for (i = 0; i < nvectors; i++) {
		const struct vector *v = &vectors[i];
		struct fw_error err = FW_ERROR_INIT;
		int32_t got = 0;
		int rc;

		if (is_latin1_row(v)) {
			assert_int_equal(sum_ok(v->bytes.buf, v->bytes.len, "ISO-8859-1", 0), v->expected);
			/* the same bytes read as UTF-8 are malformed */
			rc = fw_checksum_buf(v->bytes.buf, v->bytes.len, "UTF-8", v->name, &got, &err);
			assert_int_equal(rc, -1);
			assert_non_null(strstr(err.message.buf, "Unable to calculate checksum of "));
			assert_non_null(strstr(err.message.buf, v->name));
			fw_error_clear(&err);
			rc = fw_checksum_buf(v->bytes.buf, v->bytes.len, NULL, v->name, &got, &err);
			assert_int_equal(rc, -1);
			fw_error_clear(&err);
			continue;
		}
		rc = fw_checksum_buf(v->bytes.buf, v->bytes.len, NULL, v->name, &got, &err);
		if (rc || got != v->expected)
			print_error("row %s: rc %d got %d want %d\n", v->name, rc, got, v->expected);
		assert_int_equal(rc, 0);
		assert_int_equal(got, v->expected);
	}
}

static const char *row_encoding(const struct vector *v)
{
	return is_latin1_row(v) ? "ISO-8859-1" : "UTF-8";
}

static void test_vectors_byte_at_a_time(void **state)
{
	size_t i;
	(void)state;
	assert_true(vectors_loaded);
	for (i = 0; i < nvectors; i++) {
		const struct vector *v = &vectors[i];
		assert_int_equal(sum_ok(v->bytes.buf, v->bytes.len, row_encoding(v), 1), v->expected);
		assert_int_equal(sum_ok(v->bytes.buf, v->bytes.len, row_encoding(v), 3), v->expected);
		if (is_latin1_row(v))
			expect_malformed(v->bytes.buf, v->bytes.len, "UTF-8", 1);
	}
}

static void test_vectors_every_split(void **state)
{
	size_t i, at;
	(void)state;
	assert_true(vectors_loaded);
	for (i = 0; i < nvectors; i++) {
		const struct vector *v = &vectors[i];
		for (at = 0; at <= v->bytes.len; at++) {
			struct fw_error err = FW_ERROR_INIT;
			int32_t got = 0;
			assert_int_equal(sum_split(v->bytes.buf, v->bytes.len, row_encoding(v), at, &got,
						   &err), 0);
			assert_int_equal(got, v->expected);
		}
	}
}

/* the same text saved as UTF-16 gives the same checksum (iconv path), also
 * when fed one byte at a time (sequences cut between chunks) */
static void test_vectors_through_iconv(void **state)
{
	static const char *const encs[] = { "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-16", NULL };
	size_t i, e;
	(void)state;
	assert_true(vectors_loaded);
	for (i = 0; i < nvectors; i++) {
		const struct vector *v = &vectors[i];
		if (is_latin1_row(v))
			continue;
		for (e = 0; encs[e]; e++) {
			struct strbuf enc = STRBUF_INIT;
			to_encoding(&v->bytes, encs[e], &enc);
			assert_int_equal(sum_ok(enc.buf, enc.len, encs[e], 0), v->expected);
			assert_int_equal(sum_ok(enc.buf, enc.len, encs[e], 1), v->expected);
			assert_int_equal(sum_ok(enc.buf, enc.len, encs[e], 3), v->expected);
			strbuf_release(&enc);
		}
	}
}

static void test_latin1_row_other_names(void **state)
{
	static const char *const encs[] = {
		"latin1", "iso_8859_1", "ISO8859-1", "l1", "ISO-8859-15", "windows-1252", NULL
	};
	size_t i, e;
	(void)state;
	assert_true(vectors_loaded);
	for (i = 0; i < nvectors; i++) {
		const struct vector *v = &vectors[i];
		if (!is_latin1_row(v))
			continue;
		for (e = 0; encs[e]; e++) {
			assert_int_equal(sum_ok(v->bytes.buf, v->bytes.len, encs[e], 0), v->expected);
			assert_int_equal(sum_ok(v->bytes.buf, v->bytes.len, encs[e], 1), v->expected);
		}
	}
}

/* ---- strict UTF-8 ------------------------------------------------------- */

struct bytes {
	const char *s;
	size_t n;
};
#define B(lit) { lit, sizeof(lit) - 1 }

static void test_malformed_utf8(void **state)
{
	static const struct bytes bad[] = {
		B("\x80"),                     /* lone continuation byte */
		B("a\xbf" "b"),
		B("\xc0\x80"),                 /* overlong NUL */
		B("\xc1\xbf"),                 /* overlong */
		B("\xe0\x80\x80"),             /* overlong 3-byte */
		B("\xe0\x9f\xbf"),             /* overlong U+07FF */
		B("\xf0\x80\x80\x80"),         /* overlong 4-byte */
		B("\xf0\x8f\xbf\xbf"),         /* overlong U+FFFF */
		B("\xed\xa0\x80"),             /* surrogate U+D800 */
		B("\xed\xbf\xbf"),             /* surrogate U+DFFF */
		B("\xed\xa0\xbd\xed\xb8\x80"), /* CESU-8 pair */
		B("\xf4\x90\x80\x80"),         /* U+110000 */
		B("\xf5\x80\x80\x80"),
		B("\xf8\x88\x80\x80\x80"),     /* 5-byte form */
		B("\xfe"),
		B("\xff"),
		B("\xe2\x82"),                 /* truncated at end of input */
		B("x\xf0\x9f\x98"),
		B("\xc3"),
		B("\xe2\x82" "A"),             /* truncated, then ASCII */
		B("\xe2\x82\n"),               /* truncated, then newline */
		B("\xc3\xc3\xa9"),
		B("\xef\xbb"),                 /* half a BOM */
		B("\xef\xbb\xbf\x80"),
		B("caf\xe9;\n"),               /* Latin-1 é */
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_malformed(bad[i].s, bad[i].n, NULL, 0);
		expect_malformed(bad[i].s, bad[i].n, NULL, 1);
		expect_malformed(bad[i].s, bad[i].n, "utf8", 2);
	}
}

static void test_valid_utf8_edges(void **state)
{
	static const char *const good[] = {
		"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
		"\xef\xbf\xbf", "\xef\xbf\xbe", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
		"\xe2\x80\xa8", "\xc2\x85", "\x7f\x01\x0c\x0b", "\xf0\x9f\x98\x80 smile",
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t n = strlen(good[i]);
		assert_int_equal(sum_ok(good[i], n, NULL, 0), plain_crc(good[i]));
		assert_int_equal(sum_ok(good[i], n, NULL, 1), plain_crc(good[i]));
	}
	/* NUL bytes are ordinary characters */
	assert_int_equal(sum_ok("a\0b", 3, NULL, 1), (int32_t)crc32(0, (const unsigned char *)"a\0b", 3));
}

/* ---- line terminators and BOM ------------------------------------------- */

static void test_terminators(void **state)
{
	int32_t ab = plain_crc("ab");
	struct fw_checksum c;
	struct fw_error err = FW_ERROR_INIT;
	int32_t got;
	(void)state;

	assert_int_equal(sum_str("a\r\nb"), ab);
	assert_int_equal(sum_str("a\rb"), ab);
	assert_int_equal(sum_str("a\nb"), ab);
	assert_int_equal(sum_str("a\n\r\r\n\nb\r\n"), ab);
	assert_int_equal(sum_str("\r\n\r\na\nb"), ab);
	assert_int_equal(sum_str(""), 0);
	assert_int_equal(sum_str("\r\n\r"), 0);

	/* CR at the end of one chunk, LF at the start of the next */
	assert_int_equal(fw_checksum_init(&c, NULL, &err), 0);
	fw_checksum_update(&c, "a\r", 2);
	fw_checksum_update(&c, "\nb", 2);
	assert_int_equal(fw_checksum_final(&c, "x.sql", &got, &err), 0);
	assert_int_equal(got, ab);

	/* other separators are text */
	assert_int_equal(sum_str("a\fb"), plain_crc("a\fb"));
	assert_int_equal(sum_str("a\vb"), plain_crc("a\vb"));
	assert_int_equal(sum_str("a\xc2\x85" "b"), plain_crc("a\xc2\x85" "b"));
	assert_int_equal(sum_str("a \t\n"), plain_crc("a \t"));
}

static void test_bom(void **state)
{
	static const char text[] = "\xef\xbb\xbfSELECT 1;\n";
	struct fw_checksum c;
	struct fw_error err = FW_ERROR_INIT;
	int32_t want = plain_crc("SELECT 1;"), got;
	size_t a, b, n = sizeof(text) - 1;
	(void)state;

	assert_int_equal(sum_str(text), want);
	/* the BOM cut anywhere, in up to three chunks */
	for (a = 0; a <= 3; a++)
		for (b = a; b <= 4; b++) {
			assert_int_equal(fw_checksum_init(&c, NULL, &err), 0);
			fw_checksum_update(&c, text, a);
			fw_checksum_update(&c, text + a, b - a);
			fw_checksum_update(&c, text + b, n - b);
			assert_int_equal(fw_checksum_final(&c, "x.sql", &got, &err), 0);
			assert_int_equal(got, want);
		}
	/* only the very first character is dropped */
	assert_int_equal(sum_str("\xef\xbb\xbf\xef\xbb\xbf" "a"), plain_crc("\xef\xbb\xbf" "a"));
	assert_int_equal(sum_str("\n\xef\xbb\xbf" "a"), plain_crc("\xef\xbb\xbf" "a"));
	assert_int_equal(sum_str(" \xef\xbb\xbf" "a"), plain_crc(" \xef\xbb\xbf" "a"));
	assert_int_equal(sum_str("\xef\xbb\xbf\n"), 0);
	assert_int_equal(sum_str("\xef\xbb\xbf"), 0);
	/* read as Latin-1 those bytes are three letters, not a BOM */
	assert_int_equal(sum_ok("\xef\xbb\xbf" "a", 4, "ISO-8859-1", 0),
			 plain_crc("\xc3\xaf\xc2\xbb\xc2\xbf" "a"));
	/* UTF-16LE: U+FEFF first is dropped */
	assert_int_equal(sum_ok("\xff\xfe" "a\0", 4, "UTF-16LE", 1), plain_crc("a"));
}

/* ---- errors -------------------------------------------------------------- */

static void test_error_position(void **state)
{
	static const char text[] = "SELECT 1;\r\nSELECT 'caf\xe9';\n";
	struct fw_error err = FW_ERROR_INIT;
	int32_t got;
	(void)state;

	assert_int_equal(fw_checksum_buf(text, sizeof(text) - 1, NULL, "V1__a.sql", &got, &err), -1);
	assert_string_equal(err.message.buf, "Unable to calculate checksum of V1__a.sql");
	assert_string_equal(err.detail.buf, "line 2: invalid UTF-8 byte sequence at byte offset 22");
	fw_error_clear(&err);

	assert_int_equal(fw_checksum_buf("ab\n\xe2\x82", 5, NULL, "V1__a.sql", &got, &err), -1);
	assert_string_equal(err.detail.buf,
			    "line 2: truncated UTF-8 byte sequence at end of input (byte offset 3)");
	fw_error_clear(&err);

	/* a lone UTF-16 surrogate, whole and byte by byte */
	assert_int_equal(fw_checksum_buf("a\0\x00\xdc" "b\0", 6, "UTF-16LE", "V1__a.sql", &got,
					 &err), -1);
	assert_non_null(strstr(err.detail.buf, "UTF-16LE"));
	fw_error_clear(&err);
	expect_malformed("a\0\x00\xdc" "b\0", 6, "UTF-16LE", 1);
	expect_malformed("a\0b", 3, "UTF-16LE", 1);  /* odd length */
}

static void test_unknown_encoding(void **state)
{
	struct fw_checksum c;
	struct fw_error err = FW_ERROR_INIT;
	int32_t got;
	(void)state;
	assert_int_equal(fw_checksum_init(&c, "NOPE-42", &err), -1);
	assert_string_equal(err.message.buf, "Unsupported encoding: NOPE-42");
	fw_error_clear(&err);
	assert_int_equal(fw_checksum_buf("a", 1, "NOPE-42", "x", &got, &err), -1);
	fw_error_clear(&err);
}

/* ---- files --------------------------------------------------------------- */

static char *write_temp(const void *data, size_t len)
{
	char *path = strdup("/tmp/fw_test_checksum_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_file(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf big = STRBUF_INIT;
	int32_t got;
	char *path;
	size_t i;
	(void)state;

	/* bigger than the read buffer, with a multi-byte character and CRLF on the seams */
	for (i = 0; i < 20000; i++)
		strbuf_addstr(&big, i % 3 ? "INSERT INTO t VALUES ('caf\xc3\xa9');\r\n" : "\xe2\x82\xac\r\n");
	path = write_temp(big.buf, big.len);
	assert_int_equal(fw_checksum_file(path, NULL, &got, &err), 0);
	assert_int_equal(got, sum_ok(big.buf, big.len, NULL, 0));
	unlink(path);
	free(path);

	path = write_temp("", 0);
	assert_int_equal(fw_checksum_file(path, NULL, &got, &err), 0);
	assert_int_equal(got, 0);
	unlink(path);
	free(path);
	strbuf_release(&big);
}

static void test_file_messages(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	int32_t got;
	char *path = write_temp("SELECT 'caf\xe9';\n", 15);
	const char *base = strrchr(path, '/') + 1;
	char want[256];
	(void)state;

	assert_int_equal(fw_checksum_file(path, NULL, &got, &err), -1);
	snprintf(want, sizeof(want), "Unable to calculate checksum of %s", base);
	assert_string_equal(err.message.buf, want);
	snprintf(want, sizeof(want), "%s:1: invalid UTF-8 byte sequence at byte offset 11", path);
	assert_string_equal(err.detail.buf, want);
	fw_error_clear(&err);
	assert_int_equal(fw_checksum_file(path, "ISO-8859-1", &got, &err), 0);
	assert_int_equal(got, plain_crc("SELECT 'caf\xc3\xa9';"));
	unlink(path);

	assert_int_equal(fw_checksum_file(path, NULL, &got, &err), -1);
	snprintf(want, sizeof(want), "Unable to calculate checksum of %s", base);
	assert_string_equal(err.message.buf, want);
	assert_non_null(strstr(err.detail.buf, path));
	assert_non_null(strstr(err.detail.buf, "No such file"));
	fw_error_clear(&err);
	free(path);
}

/* ---- decoding for execution ---------------------------------------------- */

static void test_decode_to_utf8(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	(void)state;

	assert_int_equal(fw_decode_to_utf8("caf\xe9\r\n", 6, "ISO-8859-1", &out, "x", &err), 0);
	assert_string_equal(out.buf, "caf\xc3\xa9\r\n");
	strbuf_reset(&out);

	/* UTF-8 is copied as it is: BOM and terminators stay */
	assert_int_equal(fw_decode_to_utf8("\xef\xbb\xbf" "a\r\nb", 7, NULL, &out, "x", &err), 0);
	assert_int_equal(out.len, 7);
	assert_memory_equal(out.buf, "\xef\xbb\xbf" "a\r\nb", 7);
	strbuf_reset(&out);

	assert_int_equal(fw_decode_to_utf8("\xff\xfe" "a\0\xe9\0", 6, "UTF-16", &out, "x", &err), 0);
	assert_string_equal(out.buf, "a\xc3\xa9");
	strbuf_reset(&out);

	strbuf_addstr(&out, "keep");
	assert_int_equal(fw_decode_to_utf8("ok\n\xed\xa0\x80", 6, "UTF-8", &out, "V1__x.sql", &err), -1);
	assert_string_equal(out.buf, "keep");  /* nothing appended on failure */
	assert_string_equal(err.message.buf, "Unable to decode V1__x.sql using encoding UTF-8");
	assert_string_equal(err.detail.buf, "invalid UTF-8 byte sequence at byte offset 3");
	fw_error_clear(&err);

	assert_int_equal(fw_decode_to_utf8("a\0b", 3, "UTF-16LE", &out, "V1__x.sql", &err), -1);
	assert_string_equal(out.buf, "keep");
	assert_non_null(strstr(err.detail.buf, "truncated"));
	fw_error_clear(&err);

	assert_int_equal(fw_decode_to_utf8("a", 1, "NOPE-42", &out, "x", &err), -1);
	fw_error_clear(&err);
	strbuf_release(&out);
}

/* ---- streaming on larger random text ------------------------------------- */

/* the definition, literally: drop CR and LF, and a BOM at the very start */
static int32_t reference_sum(const unsigned char *p, size_t n)
{
	uLong crc = crc32(0, Z_NULL, 0);
	size_t i = 0;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	for (; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			crc = crc32(crc, p + i, 1);
	return (int32_t)crc;
}

static void test_random_text_any_chunking(void **state)
{
	static const char *const pieces[] = {
		"SELECT", " ", "\r", "\n", "\r\n", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xef\xbb\xbf", "'x'", "\t", ";", "abcdefghijklmnop",
	};
	unsigned seed = 12345;
	int round;
	(void)state;

	for (round = 0; round < 200; round++) {
		struct strbuf text = STRBUF_INIT;
		struct fw_checksum c;
		struct fw_error err = FW_ERROR_INIT;
		int32_t want, got;
		size_t off = 0;
		int i, n = (int)(rand_r(&seed) % 300);

		for (i = 0; i < n; i++)
			strbuf_addstr(&text, pieces[rand_r(&seed) % (sizeof(pieces) / sizeof(pieces[0]))]);
		want = reference_sum((const unsigned char *)text.buf, text.len);
		assert_int_equal(sum_ok(text.buf, text.len, NULL, 0), want);
		assert_int_equal(fw_checksum_init(&c, NULL, &err), 0);
		while (off < text.len) {
			size_t step = (size_t)(rand_r(&seed) % 17);
			if (step > text.len - off)
				step = text.len - off;
			fw_checksum_update(&c, text.buf + off, step);
			off += step;
		}
		assert_int_equal(fw_checksum_final(&c, "x.sql", &got, &err), 0);
		assert_int_equal(got, want);
		strbuf_release(&text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_present),
		cmocka_unit_test(test_vectors_one_shot),
		cmocka_unit_test(test_vectors_byte_at_a_time),
		cmocka_unit_test(test_vectors_every_split),
		cmocka_unit_test(test_vectors_through_iconv),
		cmocka_unit_test(test_latin1_row_other_names),
		cmocka_unit_test(test_malformed_utf8),
		cmocka_unit_test(test_valid_utf8_edges),
		cmocka_unit_test(test_terminators),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_error_position),
		cmocka_unit_test(test_unknown_encoding),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_messages),
		cmocka_unit_test(test_decode_to_utf8),
		cmocka_unit_test(test_random_text_any_chunking),
	};
	return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
