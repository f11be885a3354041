/* libFuzzer target for the legacy flyway.conf reader (src/config/conf.c),
 * and for the ${resolver.key} expansion the values would meet in TOML mode.
 *
 * Input: the whole file text. Checked: parsing is deterministic; every key is
 * free of the separators that end a key ('=', ':', blanks) and unique; values
 * start with no blank; line numbers lie within the text; without a backslash
 * or a '$' in the text no value spans lines; a resolver either succeeds or
 * fails with a message, and never echoes an environment value into an error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_conf: broken invariant: %s\n", what);
		abort();
	}
}

static int count_lines(const char *text, size_t len)
{
	int n = 1;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')))
			n++;
	return n;
}

static void check_entries(const struct fw_conf_entries *e, const char *text, size_t len)
{
	int lines = count_lines(text, len);
	int plain = !memchr(text, '\\', len) && !memchr(text, '$', len);
	for (size_t i = 0; i < e->nr; i++) {
		const char *k = e->v[i].key, *v = e->v[i].value;
		check(strcspn(k, "=: \t\f") == strlen(k), "key holds a separator");
		check(v[0] != ' ' && v[0] != '\t' && v[0] != '\f', "value starts with a blank");
		check(e->v[i].line >= 1 && e->v[i].line <= lines, "line number out of range");
		if (plain)
			check(!strpbrk(v, "\r\n"), "value spans lines without a continuation");
		for (size_t j = 0; j < i; j++)
			check(strcmp(k, e->v[j].key) != 0, "duplicate key kept");
	}
}

static void check_same(const struct fw_conf_entries *a, const struct fw_conf_entries *b)
{
	check(a->nr == b->nr, "not deterministic (count)");
	for (size_t i = 0; i < a->nr; i++) {
		check(!strcmp(a->v[i].key, b->v[i].key), "not deterministic (key)");
		check(!strcmp(a->v[i].value, b->v[i].value), "not deterministic (value)");
		check(a->v[i].line == b->v[i].line, "not deterministic (line)");
	}
}

/* a resolver error may quote the reference it could not resolve, never what
 * a variable holds: only values that already spell the secret may show it */
static void resolve_values(const struct fw_conf_entries *e, const struct strvec *environ)
{
	struct fw_kv ph = FW_KV_INIT;
	struct fw_resolver_ctx rc = { environ, &ph, "fuzz" };
	fw_kv_set(&ph, "p", "placeholder-value");
	for (size_t i = 0; i < e->nr; i++) {
		struct strbuf out = STRBUF_INIT;
		struct fw_error err = FW_ERROR_INIT;
		if (fw_resolve_string(&rc, e->v[i].value, &out, &err) < 0) {
			check(err.message.len > 0, "resolver failed without a message");
			check(strstr(e->v[i].value, "SECRET-VALUE") || !strstr(err.message.buf, "SECRET-VALUE"),
			      "resolver error shows a value");
		}
		fw_error_clear(&err);
		strbuf_release(&out);
	}
	fw_kv_clear(&ph);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strvec environ = STRVEC_INIT;
	struct fw_conf_entries a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	const char *text = (const char *)data;

	strvec_push(&environ, "HOME=/home/fuzz");
	strvec_push(&environ, "A=SECRET-VALUE");
	strvec_push(&environ, "B=with:colon=and-equals");
	strvec_push(&environ, "E=");
	fw_conf_parse(text, size, &environ, &a);
	fw_conf_parse(text, size, &environ, &b);
	check_entries(&a, text, size);
	check_same(&a, &b);
	resolve_values(&a, &environ);
	fw_conf_entries_release(&a);
	fw_conf_entries_release(&b);
	strvec_clear(&environ);
	return 0;
}
