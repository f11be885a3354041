/* libFuzzer target for the TOML reader.
 *
 * Parses the input and frees the result; on top of the sanitizers' memory
 * checks it verifies what the API promises: an error message starts with
 * "<file>:<line>:<col>: ", a parsed tree has positions >= 1, stays within
 * TOML_MAX_DEPTH, has no duplicate keys in a table, and every key is found
 * again by toml_getn(). A broken promise aborts, which libFuzzer reports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/toml.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_toml: broken invariant: %s\n", what);
		abort();
	}
}

static void check_error(const struct fw_error *err)
{
	const char *m = err->message.buf;
	int line = 0, col = 0, n = 0;

	check(fw_error_is_set(err), "error set on failure");
	check(sscanf(m, "fuzz.toml:%d:%d: %n", &line, &col, &n) == 2 && n > 0,
	      "error message starts with file:line:col:");
	check(line >= 1 && col >= 1, "error position is 1-based");
	check(m[n] != '\0', "error message has a description");
}

static void walk(const struct toml_value *v, int depth)
{
	size_t i;

	check(depth <= TOML_MAX_DEPTH, "depth within TOML_MAX_DEPTH");
	check(v->line >= 1 && v->col >= 1, "value position is 1-based");
	if (v->type == TOML_TABLE) {
		for (i = 0; i < v->u.tab.nr; i++) {
			const struct toml_kv *kv = &v->u.tab.kv[i];
			size_t len = toml_key_len(v, i);
			check(kv->key[len] == '\0', "key is NUL-terminated");
			/* finds the first key of that name: no duplicates allowed */
			check(toml_getn(v, kv->key, len) == kv->value, "keys are unique");
			walk(kv->value, depth + 1);
		}
	} else if (v->type == TOML_ARRAY) {
		for (i = 0; i < v->u.arr.nr; i++)
			walk(v->u.arr.items[i], depth + 1);
	} else if (v->type == TOML_STRING || v->type == TOML_DATETIME ||
		   v->type == TOML_DATETIME_LOCAL || v->type == TOML_DATE_LOCAL ||
		   v->type == TOML_TIME_LOCAL) {
		check(v->u.str.s != NULL && v->u.str.s[v->u.str.len] == '\0',
		      "string is NUL-terminated");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_error err = FW_ERROR_INIT;
	struct toml_value *doc = NULL;

	/* libFuzzer's buffer is exactly `size` bytes, not NUL-terminated: ASan
	 * catches any read past the end */
	if (toml_parse((const char *)data, size, "fuzz.toml", &doc, &err) == 0) {
		check(doc != NULL && doc->type == TOML_TABLE, "root is a table");
		walk(doc, 0);
		toml_free(doc);
	} else {
		check(doc == NULL, "no tree on failure");
		check_error(&err);
	}
	fw_error_clear(&err);
	return 0;
}
