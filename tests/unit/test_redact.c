/* Secret redaction (util/redact.h): the per-target sets and the process-wide net. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "util/redact.h"

static void expect_redacted(struct fw_secrets *s, const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, in);
	fw_secrets_apply(s, &sb);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void test_set_basics(void **state)
{
	struct fw_secrets s = FW_SECRETS_INIT;
	(void)state;
	expect_redacted(&s, "nothing registered", "nothing registered");
	fw_secrets_add(&s, "hunter2");
	fw_secrets_add(&s, "ab");          /* too short: would redact common text */
	fw_secrets_add(&s, NULL);
	fw_secrets_add(&s, "hunter2");     /* once */
	assert_int_equal(s.nr, 1);
	expect_redacted(&s, "password=hunter2;x", "password=***;x");
	expect_redacted(&s, "hunter2hunter2", "***");   /* adjacent ones become one */
	expect_redacted(&s, "hunter", "hunter");
	expect_redacted(&s, "ab ab", "ab ab");
	expect_redacted(&s, "", "");
	fw_secrets_release(&s);
}

/* a secret that contains or overlaps another: every byte of both is hidden */
static void test_leftmost_longest(void **state)
{
	struct fw_secrets s = FW_SECRETS_INIT;
	(void)state;
	fw_secrets_add(&s, "abc");
	fw_secrets_add(&s, "abcdef");
	fw_secrets_add(&s, "cdefgh");
	expect_redacted(&s, "xabcdefy", "x***y");
	expect_redacted(&s, "xabcdefghy", "x***y");    /* overlapping: every covered byte hidden */
	expect_redacted(&s, "xxcdefghy", "xx***y");
	expect_redacted(&s, "abcab", "***ab");
	fw_secrets_release(&s);
}

/* thousands of secrets: every one of them found, nothing else touched */
static void test_many_secrets(void **state)
{
	struct fw_secrets s = FW_SECRETS_INIT;
	char buf[64], want[64];
	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "tenant-%04d-pw", i);
		fw_secrets_add(&s, buf);
	}
	assert_int_equal(s.nr, 5000);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(buf, sizeof(buf), "[t%d] pw tenant-%04d-pw!", i, i);
		snprintf(want, sizeof(want), "[t%d] pw ***!", i);
		expect_redacted(&s, buf, want);
	}
	expect_redacted(&s, "tenant-5000-pw tenant-12-pw", "tenant-5000-pw tenant-12-pw");
	fw_secrets_release(&s);
}

static void test_binary_and_embedded_nul(void **state)
{
	struct fw_secrets s = FW_SECRETS_INIT;
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	fw_secrets_add(&s, "\xff\xfe\x01pw");
	strbuf_add(&sb, "a\0\xff\xfe\x01pw\0b", 9);
	assert_int_equal(fw_secrets_apply(&s, &sb), 1);
	assert_int_equal(sb.len, 7);
	assert_memory_equal(sb.buf, "a\0***\0b", 7);
	strbuf_release(&sb);
	fw_secrets_release(&s);
}

static void test_process_net(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	(void)state;
	redact_reset();
	redact_register("s3cr3t");
	strbuf_addstr(&sb, "user:s3cr3t@host");
	redact_buf(&sb);
	assert_string_equal(sb.buf, "user:***@host");
	strbuf_release(&sb);
	redact_url("postgresql://u:other@h/db?password=s3cr3t&x=1", &sb);
	assert_string_equal(sb.buf, "postgresql://u:***@h/db?password=***&x=1");
	strbuf_release(&sb);
	redact_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_basics),
		cmocka_unit_test(test_leftmost_longest),
		cmocka_unit_test(test_many_secrets),
		cmocka_unit_test(test_binary_and_embedded_nul),
		cmocka_unit_test(test_process_net),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
