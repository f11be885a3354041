/* libFuzzer target for placeholder replacement.
 *
 * Input: byte 0 picks a prefix/suffix pair, bytes 1-4 seed the chunking, the
 * rest is the script text. The text is replaced in one go, through the stream
 * in pseudo-random chunks, and one byte at a time: all three must agree on
 * success, output and error message (streaming may not change the result).
 * Also checked: text without the prefix's first byte comes out unchanged, and
 * an error message starts with "<file>:<line>: ". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/placeholder.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_placeholder: broken invariant: %s\n", what);
		abort();
	}
}

struct result {
	int rc;
	struct strbuf out;
	struct strbuf message;
};

static void result_release(struct result *r)
{
	strbuf_release(&r->out);
	strbuf_release(&r->message);
}

static void run_oneshot(const struct fw_placeholders *p, const char *text, size_t len,
			struct result *r)
{
	struct fw_error err = FW_ERROR_INIT;

	strbuf_init(&r->out, 0);
	strbuf_init(&r->message, 0);
	r->rc = fw_placeholders_replace(p, text, len, "f.sql", &r->out, &err);
	if (r->rc)
		strbuf_addbuf(&r->message, &err.message);
	fw_error_clear(&err);
}

/* chunk sizes from a small xorshift generator; step 0 means "random" */
static void run_stream(const struct fw_placeholders *p, const char *text, size_t len,
		       uint32_t seed, size_t step, struct result *r)
{
	struct fw_ph_stream *s = fw_ph_stream_new(p, "f.sql");
	struct fw_error err = FW_ERROR_INIT;
	size_t off = 0;

	strbuf_init(&r->out, 0);
	strbuf_init(&r->message, 0);
	r->rc = 0;
	seed |= 1;
	while (off < len && !r->rc) {
		size_t n = step;
		if (!n) {
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			n = seed % 9;  /* empty chunks included */
		}
		if (n > len - off)
			n = len - off;
		r->rc = fw_ph_stream_feed(s, text + off, n, &r->out, &err);
		off += n;
	}
	if (!r->rc)
		r->rc = fw_ph_stream_finish(s, &r->out, &err);
	if (r->rc)
		strbuf_addbuf(&r->message, &err.message);
	fw_error_clear(&err);
	fw_ph_stream_free(s);
}

static void check_same(const struct result *a, const struct result *b)
{
	check(a->rc == b->rc, "same success");
	if (a->rc) {
		check(!strcmp(a->message.buf, b->message.buf), "same error message");
		return;
	}
	check(a->out.len == b->out.len && !memcmp(a->out.buf, b->out.buf, a->out.len),
	      "same output");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const pairs[][2] = {
		{ "${", "}" }, { "@@", "@@" }, { "<<<", ">>>" }, { "${", "" }, { "#", "#" },
		{ "$", "}}" }, { "", "}" },
	};
	struct fw_placeholders p;
	struct result one, chunked, bytewise;
	const char *text;
	size_t len, npairs = sizeof(pairs) / sizeof(pairs[0]);
	uint32_t seed;

	if (size < 5)
		return 0;
	fw_placeholders_init(&p, pairs[data[0] % npairs][0], pairs[data[0] % npairs][1]);
	fw_placeholders_set(&p, "x", "abc");
	fw_placeholders_set(&p, "XY", "");
	fw_placeholders_set(&p, "v", "${x}");
	fw_placeholders_set(&p, "flyway:filename", "f.sql");
	fw_placeholders_set(&p, "a\nb", "multi\nline");
	memcpy(&seed, data + 1, 4);
	text = (const char *)data + 5;
	len = size - 5;

	run_oneshot(&p, text, len, &one);
	run_stream(&p, text, len, seed, 0, &chunked);
	run_stream(&p, text, len, 0, 1, &bytewise);
	check_same(&one, &chunked);
	check_same(&one, &bytewise);
	if (one.rc)
		check(!strncmp(one.message.buf, "f.sql:", 6), "error names the file");
	if (!*p.prefix || !memchr(text, p.prefix[0], len))
		check(!one.rc && one.out.len == len && !memcmp(one.out.buf, text, len),
		      "text without a prefix passes unchanged");

	result_release(&one);
	result_release(&chunked);
	result_release(&bytewise);
	fw_placeholders_release(&p);
	return 0;
}
