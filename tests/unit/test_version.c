/* Versions: parsing and ordering (reference section 2). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sql/version.h"

static struct fw_version parse_ok(const char *s, int special)
{
	struct fw_version v;
	struct fw_error err = FW_ERROR_INIT;
	int rc = fw_version_parse(s, special, &v, &err);
	if (rc)
		print_error("parse(%s): %s\n", s, err.message.buf);
	assert_int_equal(rc, 0);
	fw_error_clear(&err);
	return v;
}

static int cmp_str(const char *a, const char *b)
{
	struct fw_version va = parse_ok(a, 1), vb = parse_ok(b, 1);
	int c = fw_version_cmp(&va, &vb);
	int back = fw_version_cmp(&vb, &va);
	fw_version_release(&va);
	fw_version_release(&vb);
	/* antisymmetry holds for every pair */
	assert_int_equal(c > 0, back < 0);
	assert_int_equal(c == 0, back == 0);
	return c;
}

static void expect_invalid(const char *s)
{
	struct fw_version v;
	struct fw_error err = FW_ERROR_INIT;
	char want[256];

	assert_int_equal(fw_version_parse(s, 0, &v, &err), -1);
	assert_int_equal(v.kind, FW_VERSION_EMPTY);
	assert_null(v.text);
	assert_null(v.parts);
	snprintf(want, sizeof(want), "Version may only contain 0..9 and . (dot). Invalid version: %s", s);
	for (char *c = want; *c; c++)
		if (*c == '_')
			*c = '.';
	assert_string_equal(err.message.buf, want);
	fw_error_clear(&err);
}

static void test_display_text_keeps_spelling(void **state)
{
	struct fw_version v = parse_ok("1_2_0", 0);
	(void)state;
	assert_int_equal(v.kind, FW_VERSION_NUMBER);
	assert_string_equal(fw_version_str(&v), "1.2.0");
	assert_int_equal(v.nparts, 2);  /* trailing zero dropped */
	assert_string_equal(v.parts[0], "1");
	assert_string_equal(v.parts[1], "2");
	fw_version_release(&v);

	v = parse_ok("002", 0);
	assert_string_equal(fw_version_str(&v), "002");
	assert_int_equal(v.nparts, 1);
	assert_string_equal(v.parts[0], "2");
	fw_version_release(&v);

	v = parse_ok("0", 0);
	assert_int_equal(v.nparts, 1);
	assert_string_equal(v.parts[0], "0");
	fw_version_release(&v);

	v = parse_ok("0.0.0", 0);
	assert_int_equal(v.nparts, 1);
	assert_string_equal(v.parts[0], "0");
	fw_version_release(&v);
}

static void test_reference_table(void **state)
{
	(void)state;
	assert_true(cmp_str("1.10", "1.9") > 0);
	assert_true(cmp_str("7.1", "7") > 0);
	assert_int_equal(cmp_str("1.0", "1"), 0);
	assert_int_equal(cmp_str("002", "2"), 0);
	assert_int_equal(cmp_str("1_1", "1.1"), 0);
	assert_true(cmp_str("1.2.3.4.5", "1.2.3.4") > 0);
	assert_true(cmp_str("1.2.3.4.5", "1.2.3.4.6") < 0);
	assert_true(cmp_str("20240101120000", "20231231235959") > 0);
	assert_true(cmp_str("20240101120000", "9") > 0);
}

static void test_huge_parts(void **state)
{
	(void)state;
	/* beyond 64 bits: compared as digit strings */
	assert_true(cmp_str("123456789012345678901234567890", "123456789012345678901234567889") > 0);
	assert_true(cmp_str("1.99999999999999999999999", "2") < 0);
	assert_int_equal(cmp_str("000000000000000000000000001", "1.0.0.0"), 0);
}

static void test_signs(void **state)
{
	struct fw_version v;
	(void)state;
	/* BigInteger tolerates a sign; only the first part can carry one */
	v = parse_ok("-1", 0);
	assert_string_equal(v.parts[0], "-1");
	assert_string_equal(fw_version_str(&v), "-1");
	fw_version_release(&v);
	v = parse_ok("+1.5", 0);
	assert_string_equal(v.parts[0], "1");
	assert_string_equal(fw_version_str(&v), "+1.5");
	fw_version_release(&v);
	v = parse_ok("-0", 0);
	assert_string_equal(v.parts[0], "0");  /* no negative zero */
	fw_version_release(&v);

	assert_int_equal(cmp_str("+1", "1"), 0);
	assert_int_equal(cmp_str("-0", "0"), 0);
	assert_true(cmp_str("-1", "0") < 0);
	assert_true(cmp_str("-2", "-1") < 0);
	assert_true(cmp_str("-10", "-9") < 0);
	assert_true(cmp_str("-1.5", "-1") > 0);
}

static void test_invalid(void **state)
{
	(void)state;
	expect_invalid("1..2");
	expect_invalid("1.");
	expect_invalid("1.a");
	expect_invalid("1 ");
	expect_invalid(" 1");
	expect_invalid("");
	expect_invalid(".1");
	expect_invalid("a");
	expect_invalid("1_init");
	expect_invalid("1.-1");
	expect_invalid("1.+1");
	expect_invalid("-");
	expect_invalid("+");
	expect_invalid("--1");
	expect_invalid("1-2");
	expect_invalid("1,2");
	expect_invalid("current");  /* special words only when allowed */
	expect_invalid("v1");
}

static void test_special_words(void **state)
{
	struct fw_version v;
	(void)state;
	v = parse_ok("LaTeSt", 1);
	assert_int_equal(v.kind, FW_VERSION_LATEST);
	assert_null(v.text);
	assert_string_equal(fw_version_str(&v), "");
	fw_version_release(&v);
	v = parse_ok("9223372036854775807", 1);
	assert_int_equal(v.kind, FW_VERSION_LATEST);
	fw_version_release(&v);
	v = parse_ok("9223372036854775807", 0);
	assert_int_equal(v.kind, FW_VERSION_NUMBER);
	fw_version_release(&v);
	v = parse_ok("Current", 1);
	assert_int_equal(v.kind, FW_VERSION_CURRENT);
	fw_version_release(&v);
	v = parse_ok("NEXT", 1);
	assert_int_equal(v.kind, FW_VERSION_NEXT);
	fw_version_release(&v);
	v = parse_ok(NULL, 1);
	assert_int_equal(v.kind, FW_VERSION_EMPTY);
	fw_version_release(&v);
}

static void test_special_ordering(void **state)
{
	struct fw_version empty = FW_VERSION_INIT, latest = FW_VERSION_INIT, one;
	(void)state;
	latest.kind = FW_VERSION_LATEST;
	one = parse_ok("1", 0);
	assert_true(fw_version_cmp(&empty, &one) < 0);
	assert_true(fw_version_cmp(&one, &latest) < 0);
	assert_true(fw_version_cmp(&empty, &latest) < 0);
	assert_int_equal(fw_version_cmp(&latest, &latest), 0);
	assert_int_equal(fw_version_cmp(&empty, &empty), 0);
	assert_true(cmp_str("0", "latest") < 0);
	assert_true(cmp_str("current", "0") < 0);
	assert_true(cmp_str("99999999999999999999999999", "latest") < 0);
	fw_version_release(&one);
}

static void test_copy(void **state)
{
	struct fw_version a = parse_ok("01.002.0", 0), b;
	(void)state;
	fw_version_copy(&b, &a);
	fw_version_release(&a);
	assert_string_equal(fw_version_str(&b), "01.002.0");
	assert_int_equal(b.nparts, 2);
	assert_string_equal(b.parts[0], "1");
	assert_string_equal(b.parts[1], "2");
	fw_version_release(&b);

	a.kind = FW_VERSION_LATEST;
	fw_version_copy(&b, &a);
	assert_int_equal(b.kind, FW_VERSION_LATEST);
	assert_null(b.parts);
	fw_version_release(&b);
}

static int cmp_qsort(const void *a, const void *b)
{
	return fw_version_cmp(a, b);
}

static void test_sort(void **state)
{
	const char *in[] = { "1.10", "2", "1.9", "1.0.1", "1", "010", "1.2.10", "1.2.9", "0.9" };
	const char *want[] = { "0.9", "1", "1.0.1", "1.2.9", "1.2.10", "1.9", "1.10", "2", "010" };
	struct fw_version v[9];
	size_t i;
	(void)state;
	for (i = 0; i < 9; i++)
		v[i] = parse_ok(in[i], 0);
	qsort(v, 9, sizeof(v[0]), cmp_qsort);
	for (i = 0; i < 9; i++) {
		assert_string_equal(fw_version_str(&v[i]), want[i]);
		fw_version_release(&v[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_display_text_keeps_spelling),
		cmocka_unit_test(test_reference_table),
		cmocka_unit_test(test_huge_parts),
		cmocka_unit_test(test_signs),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_special_words),
		cmocka_unit_test(test_special_ordering),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_sort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
