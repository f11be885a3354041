/* Placeholder replacement (reference section 9.1). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "sql/placeholder.h"

static struct fw_placeholders ph;

static int setup(void **state)
{
	(void)state;
	fw_placeholders_init(&ph, NULL, NULL);
	fw_placeholders_set(&ph, "x", "abc");
	fw_placeholders_set(&ph, "Schema", "public");
	fw_placeholders_set(&ph, "empty", "");
	fw_placeholders_set(&ph, "v", "${x}");
	fw_placeholders_set(&ph, "xy", "XY");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fw_placeholders_release(&ph);
	return 0;
}

/* one-shot result, or the error message prefixed with "ERR:" */
static void run_oneshot(const struct fw_placeholders *p, const char *text, size_t len,
			const char *file, struct strbuf *out)
{
	struct fw_error err = FW_ERROR_INIT;
	if (fw_placeholders_replace(p, text, len, file, out, &err) < 0) {
		strbuf_reset(out);
		strbuf_addf(out, "ERR:%s", err.message.buf);
	}
	fw_error_clear(&err);
}

/* the same through the stream with chunks cut at `cuts` (sorted offsets) */
static void run_stream(const struct fw_placeholders *p, const char *text, size_t len,
		       const char *file, const size_t *cuts, size_t ncuts, struct strbuf *out)
{
	struct fw_ph_stream *s = fw_ph_stream_new(p, file);
	struct fw_error err = FW_ERROR_INIT;
	size_t i, off = 0;
	int rc = 0;

	for (i = 0; i <= ncuts && !rc; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		rc = fw_ph_stream_feed(s, text + off, end - off, out, &err);
		off = end;
	}
	if (!rc)
		rc = fw_ph_stream_finish(s, out, &err);
	if (rc) {
		strbuf_reset(out);
		strbuf_addf(out, "ERR:%s", err.message.buf);
	}
	fw_error_clear(&err);
	fw_ph_stream_free(s);
}

/* one-shot == every two-chunk split == one byte at a time; returns one-shot */
static void replace_all_ways(const struct fw_placeholders *p, const char *text, size_t len,
			     const char *file, struct strbuf *out)
{
	struct strbuf alt = STRBUF_INIT;
	size_t at, cuts[4096];

	run_oneshot(p, text, len, file, out);
	for (at = 0; at <= len; at++) {
		strbuf_reset(&alt);
		run_stream(p, text, len, file, &at, 1, &alt);
		if (strcmp(alt.buf, out->buf))
			print_error("split at %zu: '%s' vs '%s'\n", at, alt.buf, out->buf);
		assert_int_equal(alt.len, out->len);
		assert_memory_equal(alt.buf, out->buf, out->len);
	}
	assert_true(len <= 4096);
	for (at = 0; at < len; at++)
		cuts[at] = at + 1;
	strbuf_reset(&alt);
	run_stream(p, text, len, file, cuts, len ? len - 1 : 0, &alt);
	assert_int_equal(alt.len, out->len);
	assert_memory_equal(alt.buf, out->buf, out->len);
	strbuf_release(&alt);
}

static void expect(const struct fw_placeholders *p, const char *text, const char *want)
{
	struct strbuf out = STRBUF_INIT;
	replace_all_ways(p, text, strlen(text), "V1__x.sql", &out);
	if (strcmp(out.buf, want))
		print_error("input '%s'\n", text);
	assert_string_equal(out.buf, want);
	strbuf_release(&out);
}

/* ---- tests --------------------------------------------------------------- */

static void test_basic(void **state)
{
	(void)state;
	expect(&ph, "SELECT '${x}';\n", "SELECT 'abc';\n");
	expect(&ph, "${x}${x}", "abcabc");
	expect(&ph, "${x}", "abc");
	expect(&ph, "no placeholders at all", "no placeholders at all");
	expect(&ph, "", "");
	expect(&ph, "$ { } {x} $x", "$ { } {x} $x");
	expect(&ph, "a$", "a$");
	expect(&ph, "a}", "a}");
	expect(&ph, "${x}}", "abc}");
}

static void test_case_insensitive_names(void **state)
{
	(void)state;
	expect(&ph, "${schema}.${SCHEMA}.${Schema}.${X}", "public.public.public.abc");
	assert_string_equal(fw_placeholders_get(&ph, "SCHEMA"), "public");
	assert_null(fw_placeholders_get(&ph, "schem"));
}

static void test_set_replaces_any_case(void **state)
{
	struct fw_placeholders p;
	(void)state;
	fw_placeholders_init(&p, NULL, NULL);
	fw_placeholders_set(&p, "Name", "one");
	fw_placeholders_set(&p, "NAME", "two");
	fw_placeholders_set(&p, "nul", NULL);
	assert_int_equal(p.nr, 2);
	assert_string_equal(fw_placeholders_get(&p, "name"), "two");
	assert_string_equal(fw_placeholders_get(&p, "nul"), "");
	expect(&p, "${name}${NUL}.", "two.");
	fw_placeholders_release(&p);
}

static void test_empty_value(void **state)
{
	(void)state;
	expect(&ph, "a${empty}b", "ab");
	expect(&ph, "${empty}", "");
	expect(&ph, "${empty}${x}${empty}", "abc");
}

static void test_values_not_rescanned(void **state)
{
	(void)state;
	expect(&ph, "${v}", "${x}");
}

/* Flyway's reader emits a failed partial prefix without looking at it again */
static void test_dollar_quirk(void **state)
{
	(void)state;
	expect(&ph, "$${x}", "$${x}");
	expect(&ph, "$$${x}", "$$abc");
	expect(&ph, "$ ${x}", "$ abc");
	expect(&ph, "a$${x}b${x}", "a$${x}babc");
	/* dollar-quoted PostgreSQL bodies pass through */
	expect(&ph, "DO $$ BEGIN END $$;", "DO $$ BEGIN END $$;");
}

static void test_missing_value(void **state)
{
	(void)state;
	expect(&ph, "a\nb ${nope} c", "ERR:V1__x.sql:2: No value provided for placeholder: "
	       "${nope}.  Check your configuration!");
	expect(&ph, "a\r\nb\r\n\r\n${nope}", "ERR:V1__x.sql:4: No value provided for placeholder: "
	       "${nope}.  Check your configuration!");
	expect(&ph, "a\rb\r${nope}", "ERR:V1__x.sql:3: No value provided for placeholder: "
	       "${nope}.  Check your configuration!");
	expect(&ph, "${x} ${nope} ${x}", "ERR:V1__x.sql:1: No value provided for placeholder: "
	       "${nope}.  Check your configuration!");
	/* a name running over lines is reported where it starts */
	expect(&ph, "\n${a\nb}", "ERR:V1__x.sql:2: No value provided for placeholder: "
	       "${a\nb}.  Check your configuration!");
	expect(&ph, "x ${flyway:user}", "ERR:V1__x.sql:1: Failed to populate value for default "
	       "placeholder: ${flyway:user}");
}

/* Flyway's built-ins (reference 9.2) under any placeholderSeparator: set,
 * replaced in any case, kept by a copy, named for scripts, and an unknown
 * one is the default-placeholder error */
static void test_builtins_any_separator(void **state)
{
	static const char *const seps[] = { ":", ".", "_", "::", "/", "" };
	static const char *const names[] = { "defaultSchema", "user", "database", "timestamp",
		"filename", "workingDirectory", "table", "environment" };
	(void)state;
	for (size_t i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		struct fw_placeholders p, q;
		struct strbuf text = STRBUF_INIT, want = STRBUF_INIT, sname = STRBUF_INIT;
		fw_placeholders_init(&p, NULL, NULL);
		p.separator = seps[i];
		fw_placeholders_set(&p, "plain", "P");
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			fw_placeholders_set_builtin(&p, names[j], names[j]);
			strbuf_addf(&text, "${flyway%s%s}|", seps[i], names[j]);
			strbuf_addf(&want, "%s|", names[j]);
		}
		expect(&p, text.buf, want.buf);
		/* names are case-insensitive: ${FLYWAY:USER} */
		for (char *c = text.buf; *c; c++)
			*c = (char)((*c >= 'a' && *c <= 'z') ? *c - 32 : *c);
		expect(&p, text.buf, want.buf);
		for (size_t j = 0; j < p.nr; j++) {
			strbuf_reset(&sname);
			fw_placeholders_script_name(&p, j, &sname);
			if (j == 0) {
				assert_string_equal(sname.buf, "plain");
				assert_false(fw_placeholders_is_builtin(&p, p.names[j], strlen(p.names[j])));
			} else {
				assert_true(fw_placeholders_is_builtin(&p, p.names[j], strlen(p.names[j])));
				assert_string_equal(sname.buf + 7, names[j - 1]);
				assert_memory_equal(sname.buf, "flyway_", 7);
			}
		}
		/* a copy keeps the separator: the per-script filename replaces the built-in */
		fw_placeholders_copy(&q, &p);
		fw_placeholders_set_builtin(&q, "filename", "V9__y.sql");
		assert_int_equal(q.nr, p.nr);
		strbuf_reset(&text);
		strbuf_addf(&text, "${flyway%sfilename} ${plain}", seps[i]);
		expect(&q, text.buf, "V9__y.sql P");
		strbuf_reset(&text);
		strbuf_reset(&want);
		strbuf_addf(&text, "${flyway%snosuch}", seps[i]);
		strbuf_addf(&want, "ERR:V1__x.sql:1: Failed to populate value for default placeholder: "
			    "${flyway%snosuch}", seps[i]);
		expect(&q, text.buf, want.buf);
		/* release keeps the separator too */
		fw_placeholders_release(&q);
		fw_placeholders_set_builtin(&q, "user", "u");
		strbuf_reset(&text);
		strbuf_addf(&text, "${flyway%suser}", seps[i]);
		expect(&q, text.buf, "u");
		fw_placeholders_release(&q);
		fw_placeholders_release(&p);
		strbuf_release(&text);
		strbuf_release(&want);
		strbuf_release(&sname);
	}
}

static void test_missing_value_hint_and_label(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	(void)state;

	assert_int_equal(fw_placeholders_replace(&ph, "${nope}", 7, "R__v.sql", &out, &err), -1);
	assert_non_null(strstr(err.hint.buf, "-placeholders.nope="));
	fw_error_clear(&err);

	/* without a file name the line still shows */
	assert_int_equal(fw_placeholders_replace(&ph, "\n${nope}", 8, NULL, &out, &err), -1);
	assert_string_equal(err.message.buf, "line 2: No value provided for placeholder: ${nope}.  "
			    "Check your configuration!");
	fw_error_clear(&err);
	strbuf_release(&out);
}

static void test_custom_prefix_suffix(void **state)
{
	struct fw_placeholders p;
	(void)state;

	fw_placeholders_init(&p, "#[", "]");
	fw_placeholders_set(&p, "x", "abc");
	expect(&p, "a #[x] b ${x} [x] #x]", "a abc b ${x} [x] #x]");
	expect(&p, "##[x]", "##[x]");
	fw_placeholders_release(&p);

	fw_placeholders_init(&p, "@@", "@@");
	fw_placeholders_set(&p, "x", "abc");
	expect(&p, "a @@x@@ b", "a abc b");
	/* the name ends at the first suffix: "@@@x@@" reads the name "@x" */
	expect(&p, "@@@x@@", "ERR:V1__x.sql:1: No value provided for placeholder: @@@x@@.  "
	       "Check your configuration!");
	expect(&p, "@x@@x@@", "@xabc");
	fw_placeholders_release(&p);

	/* long multi-byte prefix and suffix */
	fw_placeholders_init(&p, "<<<", ">>>");
	fw_placeholders_set(&p, "name", "N");
	expect(&p, "<<<name>>> <<name>>> <<x<<<name>>>", "N <<name>>> <<xN");
	/* the first three '<' are the prefix, so the name is "<name" */
	expect(&p, "<<<<name>>>", "ERR:V1__x.sql:1: No value provided for placeholder: "
	       "<<<<name>>>.  Check your configuration!");
	expect(&p, "<<<na>me>>>", "ERR:V1__x.sql:1: No value provided for placeholder: "
	       "<<<na>me>>>.  Check your configuration!");
	fw_placeholders_release(&p);
}

static void test_unterminated_at_eof(void **state)
{
	(void)state;
	/* Flyway drops suffix-length bytes from the cut-off name: "${xyz" looks up "xy" */
	expect(&ph, "abc ${xyz", "abc XY");
	expect(&ph, "abc\n${nop", "ERR:V1__x.sql:2: No value provided for placeholder: ${no}.  "
	       "Check your configuration!");
	expect(&ph, "abc ${", "ERR:V1__x.sql:1: Unterminated placeholder at end of file: ${");
	expect(&ph, "abc $", "abc $");
}

static void test_unterminated_hint(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	(void)state;
	assert_int_equal(fw_placeholders_replace(&ph, "${nope", 6, "f.sql", &out, &err), -1);
	assert_non_null(strstr(err.hint.buf, "closing \"}\""));
	fw_error_clear(&err);
	strbuf_release(&out);
}

static void test_odd_configurations(void **state)
{
	struct fw_placeholders p;
	(void)state;

	/* an empty suffix ends the name after one byte, as in Flyway */
	fw_placeholders_init(&p, "${", "");
	fw_placeholders_set(&p, "x", "abc");
	expect(&p, "${xy", "abcy");
	fw_placeholders_release(&p);

	/* an empty prefix disables replacement */
	fw_placeholders_init(&p, "", "}");
	fw_placeholders_set(&p, "x", "abc");
	expect(&p, "${x} x}", "${x} x}");
	fw_placeholders_release(&p);
}

static void test_binary_bytes_pass(void **state)
{
	static const char text[] = "a\0b${x}\xff\xfe\0";
	struct strbuf out = STRBUF_INIT;
	(void)state;
	replace_all_ways(&ph, text, sizeof(text) - 1, "f", &out);
	assert_int_equal(out.len, 9);
	assert_memory_equal(out.buf, "a\0babc\xff\xfe\0", 9);
	strbuf_release(&out);
}

static void test_stream_after_error(void **state)
{
	struct fw_ph_stream *s = fw_ph_stream_new(&ph, "f.sql");
	struct strbuf out = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	(void)state;

	assert_int_equal(fw_ph_stream_feed(s, "ok ${nope} more", 15, &out, &err), -1);
	assert_string_equal(out.buf, "ok ");
	fw_error_clear(&err);
	assert_int_equal(fw_ph_stream_feed(s, "x", 1, &out, &err), -1);
	fw_error_clear(&err);
	assert_int_equal(fw_ph_stream_finish(s, &out, &err), -1);
	fw_error_clear(&err);
	fw_ph_stream_free(s);
	strbuf_release(&out);
}

static void test_long_text_chunked(void **state)
{
	struct strbuf text = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	struct fw_ph_stream *s;
	struct fw_error err = FW_ERROR_INIT;
	size_t off = 0, step = 1;
	int i;
	(void)state;

	for (i = 0; i < 2000; i++) {
		strbuf_addf(&text, "INSERT INTO ${Schema}.t VALUES (%d, '$${x}', '${x}');\n", i);
		strbuf_addf(&want, "INSERT INTO public.t VALUES (%d, '$${x}', 'abc');\n", i);
	}
	s = fw_ph_stream_new(&ph, "big.sql");
	while (off < text.len) {
		size_t n = step < text.len - off ? step : text.len - off;
		assert_int_equal(fw_ph_stream_feed(s, text.buf + off, n, &got, &err), 0);
		off += n;
		step = step % 23 + 1;
	}
	assert_int_equal(fw_ph_stream_finish(s, &got, &err), 0);
	assert_string_equal(got.buf, want.buf);
	fw_ph_stream_free(s);
	strbuf_release(&text);
	strbuf_release(&want);
	strbuf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_case_insensitive_names),
		cmocka_unit_test(test_set_replaces_any_case),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_values_not_rescanned),
		cmocka_unit_test(test_dollar_quirk),
		cmocka_unit_test(test_missing_value),
		cmocka_unit_test(test_missing_value_hint_and_label),
		cmocka_unit_test(test_builtins_any_separator),
		cmocka_unit_test(test_custom_prefix_suffix),
		cmocka_unit_test(test_unterminated_at_eof),
		cmocka_unit_test(test_unterminated_hint),
		cmocka_unit_test(test_odd_configurations),
		cmocka_unit_test(test_binary_bytes_pass),
		cmocka_unit_test(test_stream_after_error),
		cmocka_unit_test(test_long_text_chunked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
