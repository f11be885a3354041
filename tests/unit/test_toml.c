/* TOML reader: the tree, lookups, positions, and the errors for documents
 * that break TOML's rules. (Conformance over the whole toml-test suite is
 * tests/toml-test.sh; these pin down the API and the messages.) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/toml.h"
#include "util/strbuf.h"

static struct toml_value *parse_ok(const char *text)
{
	struct fw_error err = FW_ERROR_INIT;
	struct toml_value *doc = NULL;
	int rc = toml_parse(text, strlen(text), "t.toml", &doc, &err);

	if (rc)
		print_error("parse failed: %s\n", err.message.buf);
	assert_int_equal(rc, 0);
	assert_non_null(doc);
	assert_int_equal(doc->type, TOML_TABLE);
	fw_error_clear(&err);
	return doc;
}

/* parse text that must fail; the message must start with `prefix` */
static void expect_error(const char *text, const char *prefix)
{
	struct fw_error err = FW_ERROR_INIT;
	struct toml_value *doc = (struct toml_value *)&err;  /* must be reset to NULL */
	int rc = toml_parse(text, strlen(text), "t.toml", &doc, &err);

	assert_int_equal(rc, -1);
	assert_null(doc);
	assert_true(fw_error_is_set(&err));
	assert_string_equal(err.code, "CONFIGURATION");
	if (strncmp(err.message.buf, prefix, strlen(prefix)))
		print_error("got: %s\nwanted prefix: %s\n", err.message.buf, prefix);
	assert_memory_equal(err.message.buf, prefix, strlen(prefix));
	fw_error_clear(&err);
}

static const char *str_of(const struct toml_value *t, const char *path)
{
	struct toml_value *v = toml_get_path(t, path);

	assert_non_null(v);
	assert_int_equal(v->type, TOML_STRING);
	return v->u.str.s;
}

static int64_t int_of(const struct toml_value *t, const char *path)
{
	struct toml_value *v = toml_get_path(t, path);

	assert_non_null(v);
	assert_int_equal(v->type, TOML_INTEGER);
	return v->u.i;
}

static void test_scalars_and_lookup(void **state)
{
	struct toml_value *doc = parse_ok(
		"# flyway.toml\n"
		"[flyway]\n"
		"locations = [\"filesystem:sql\", \"classpath:db\"]\n"
		"cleanDisabled = false\n"
		"connectRetries = 10\n"
		"ratio = 0.5\n"
		"[environments.dev]\n"
		"url = \"jdbc:postgresql://localhost/db\"\n");
	struct toml_value *v;

	(void)state;
	assert_string_equal(str_of(doc, "environments.dev.url"), "jdbc:postgresql://localhost/db");
	assert_int_equal(int_of(doc, "flyway.connectRetries"), 10);
	v = toml_get_path(doc, "flyway.cleanDisabled");
	assert_non_null(v);
	assert_int_equal(v->type, TOML_BOOL);
	assert_int_equal(v->u.b, 0);
	v = toml_get_path(doc, "flyway.ratio");
	assert_non_null(v);
	assert_int_equal(v->type, TOML_FLOAT);
	assert_true(v->u.f == 0.5);
	v = toml_get(toml_get(doc, "flyway"), "locations");
	assert_non_null(v);
	assert_int_equal(v->type, TOML_ARRAY);
	assert_int_equal(v->u.arr.nr, 2);
	assert_string_equal(v->u.arr.items[1]->u.str.s, "classpath:db");
	/* absent keys, paths through scalars, lookups on non-tables */
	assert_null(toml_get(doc, "nope"));
	assert_null(toml_get_path(doc, "environments.prod.url"));
	assert_null(toml_get_path(doc, "flyway.connectRetries.x"));
	assert_null(toml_get(v, "x"));
	assert_null(toml_get(NULL, "x"));
	assert_null(toml_get_path(doc, "flyway."));
	toml_free(doc);
}

static void test_document_order(void **state)
{
	struct toml_value *doc = parse_ok("z = 1\na = 2\nm = 3\n[b]\n[a2]\n");

	(void)state;
	assert_int_equal(doc->u.tab.nr, 5);
	assert_string_equal(doc->u.tab.kv[0].key, "z");
	assert_string_equal(doc->u.tab.kv[1].key, "a");
	assert_string_equal(doc->u.tab.kv[2].key, "m");
	assert_string_equal(doc->u.tab.kv[3].key, "b");
	assert_string_equal(doc->u.tab.kv[4].key, "a2");
	toml_free(doc);
}

static void test_value_positions(void **state)
{
	struct toml_value *doc = parse_ok(
		"a = 1\n"
		"  b   =   \"x\"\n"
		"\n"
		"[t]\n"
		"\"é\" = [ 1,\n"
		"  22 ]\n"
		"[[arr]]\n"
		"[[arr]]\n"
		"x.y = true\n");
	struct toml_value *v;

	(void)state;
	assert_int_equal(doc->line, 1);
	assert_int_equal(doc->col, 1);
	v = toml_get(doc, "a");
	assert_int_equal(v->line, 1);
	assert_int_equal(v->col, 5);
	v = toml_get(doc, "b");
	assert_int_equal(v->line, 2);
	assert_int_equal(v->col, 11);
	v = toml_get(doc, "t");
	assert_int_equal(v->line, 4);
	assert_int_equal(v->col, 1);
	/* columns count characters, not bytes: "é" is two bytes, one column */
	v = toml_get(toml_get(doc, "t"), "\xC3\xA9");
	assert_non_null(v);
	assert_int_equal(v->line, 5);
	assert_int_equal(v->col, 7);
	assert_int_equal(v->u.arr.items[1]->line, 6);
	assert_int_equal(v->u.arr.items[1]->col, 3);
	v = toml_get(doc, "arr");
	assert_int_equal(v->u.arr.nr, 2);
	assert_int_equal(v->u.arr.items[0]->line, 7);
	assert_int_equal(v->u.arr.items[1]->line, 8);
	/* a table made by dotted keys starts where its key does */
	v = toml_get(v->u.arr.items[1], "x");
	assert_int_equal(v->type, TOML_TABLE);
	assert_int_equal(v->line, 9);
	assert_int_equal(v->col, 1);
	assert_int_equal(toml_get(v, "y")->col, 7);
	toml_free(doc);
}

static void test_implicit_table_position_moves_to_header(void **state)
{
	struct toml_value *doc = parse_ok("[a.b]\nx = 1\n\n[a]\ny = 2\n");
	struct toml_value *a = toml_get(doc, "a");

	(void)state;
	assert_int_equal(a->line, 4);
	assert_int_equal(int_of(doc, "a.b.x"), 1);
	assert_int_equal(int_of(doc, "a.y"), 2);
	toml_free(doc);
}

static void test_error_positions(void **state)
{
	(void)state;
	expect_error("# config\n[flyway]\nurl \"jdbc:x\"\n",
		     "t.toml:3:5: expected '=' after key \"url\"");
	expect_error("a = 1\nb = \"unterminated\n", "t.toml:2:5: unterminated string");
	expect_error("a = [1,\n  2,,]\n", "t.toml:2:5: expected a value but found ','");
	/* the column counts the multi-byte character as one */
	expect_error("\"\xC3\xA9\" = 1 2\n", "t.toml:1:9: expected end of line after a value");
	expect_error("a = 1\r\nb = \"x\r\"\r\n", "t.toml:2:7: control character U+000D");
	expect_error("a = 1\nb = 2\rc = 3\n", "t.toml:2:6: carriage return must be followed");
	expect_error("x = \"\xC3\x28\"\n", "t.toml:1:6: invalid UTF-8 byte sequence");
	expect_error("x = \"\xED\xA0\x80\"\n", "t.toml:1:6: invalid UTF-8");      /* surrogate */
	expect_error("x = \"\xC0\xAF\"\n", "t.toml:1:6: invalid UTF-8");          /* overlong */
	expect_error("x = \"\xF4\x90\x80\x80\"\n", "t.toml:1:6: invalid UTF-8");  /* > U+10FFFF */
	expect_error("x = \"\xE2\x82\"", "t.toml:1:6: invalid UTF-8");            /* truncated */
}

static void test_error_hint_and_default_filename(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct toml_value *doc;
	const char *text = "password = hunter2\n";

	(void)state;
	assert_int_equal(toml_parse(text, strlen(text), NULL, &doc, &err), -1);
	assert_string_equal(err.message.buf, "<input>:1:12: expected a value but found 'h'");
	/* an unquoted value may be a secret: only its first character is shown */
	assert_null(strstr(err.message.buf, "hunter2"));
	assert_non_null(strstr(err.hint.buf, "quoted"));
	fw_error_clear(&err);
	text = "mode = nothing\n";   /* starts like nan: still a bare word */
	assert_int_equal(toml_parse(text, strlen(text), "t.toml", &doc, &err), -1);
	assert_string_equal(err.message.buf, "t.toml:1:8: expected a value but found a bare word");
	assert_non_null(strstr(err.hint.buf, "quoted"));
	fw_error_clear(&err);
	expect_error("on = True\n", "t.toml:1:6: expected a value but found 'T'");
	expect_error("on = truely\n", "t.toml:1:6: expected a value but found a bare word");
}

static void test_duplicate_keys(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct toml_value *doc;
	const char *text = "name = 1\n\n  name = 2\n";

	(void)state;
	assert_int_equal(toml_parse(text, strlen(text), "f.toml", &doc, &err), -1);
	assert_string_equal(err.message.buf, "f.toml:3:3: duplicate key \"name\"");
	assert_string_equal(err.detail.buf, "first defined at line 1, column 8");
	fw_error_clear(&err);

	expect_error("\"a\" = 1\na = 2\n", "t.toml:2:1: duplicate key \"a\"");
	expect_error("'a b' = 1\n\"a b\" = 2\n", "t.toml:2:1: duplicate key \"a b\"");
	expect_error("a.b = 1\na.b = 2\n", "t.toml:2:3: duplicate key \"a.b\"");
	expect_error("x = {a = 1, a = 2}\n", "t.toml:1:13: duplicate key \"a\"");
	expect_error("[t]\na = 1\n[t]\n", "t.toml:3:1: table [t] is defined more than once");
	expect_error("a = 1\n[a]\n", "t.toml:2:1: cannot define table [a]: the key is "
		     "already an integer");
	/* keys differing only after an embedded NUL are different keys */
	doc = parse_ok("\"a\\u0000b\" = 1\n\"a\\u0000c\" = 2\n");
	assert_int_equal(doc->u.tab.nr, 2);
	toml_free(doc);
}

static void test_dotted_keys(void **state)
{
	struct toml_value *doc = parse_ok(
		"fruit.apple.color = \"red\"\n"
		"fruit.apple.taste.sweet = true\n"
		"fruit . \"orange\" . 'x y' = 3\n"
		"[fruit.apple.texture]\n"     /* a sub-table of a dotted table is fine */
		"smooth = true\n");
	struct toml_value *apple = toml_get_path(doc, "fruit.apple");

	(void)state;
	assert_non_null(apple);
	assert_int_equal(apple->type, TOML_TABLE);
	assert_string_equal(str_of(doc, "fruit.apple.color"), "red");
	assert_true(toml_get_path(doc, "fruit.apple.taste.sweet")->u.b);
	assert_true(toml_get_path(doc, "fruit.apple.texture.smooth")->u.b);
	assert_int_equal(toml_get(toml_get_path(doc, "fruit.orange"), "x y")->u.i, 3);
	toml_free(doc);

	expect_error("[fruit]\napple.color = \"red\"\n[fruit.apple]\n",
		     "t.toml:3:1: cannot define table [fruit.apple]: it was already "
		     "created with dotted keys");
	expect_error("a = 1\na.b = 2\n", "t.toml:2:1: cannot add keys to \"a\": it is "
		     "already an integer");
	expect_error("[a.b.c]\nz = 9\n[a]\nb.c.t = 1\n",
		     "t.toml:4:3: cannot add keys to table \"b.c\" with dotted keys");
	expect_error("[[a.b]]\n[a]\nb.y = 2\n",
		     "t.toml:3:1: cannot add keys to \"b\": it is already an array of tables");
}

static void test_arrays_of_tables(void **state)
{
	struct toml_value *doc = parse_ok(
		"[[fruit]]\n"
		"name = \"apple\"\n"
		"[fruit.physical]\n"
		"color = \"red\"\n"
		"[[fruit.variety]]\n"
		"name = \"red delicious\"\n"
		"[[fruit.variety]]\n"
		"name = \"granny smith\"\n"
		"[[fruit]]\n"
		"name = \"banana\"\n"
		"[[fruit.variety]]\n"
		"name = \"plantain\"\n");
	struct toml_value *fruit = toml_get(doc, "fruit");
	struct toml_value *v;

	(void)state;
	assert_int_equal(fruit->type, TOML_ARRAY);
	assert_int_equal(fruit->u.arr.nr, 2);
	v = fruit->u.arr.items[0];
	assert_string_equal(str_of(v, "name"), "apple");
	assert_string_equal(str_of(v, "physical.color"), "red");
	assert_int_equal(toml_get(v, "variety")->u.arr.nr, 2);
	assert_string_equal(str_of(toml_get(v, "variety")->u.arr.items[1], "name"),
			    "granny smith");
	v = fruit->u.arr.items[1];
	assert_string_equal(str_of(v, "name"), "banana");
	assert_int_equal(toml_get(v, "variety")->u.arr.nr, 1);
	assert_null(toml_get(v, "physical"));
	toml_free(doc);

	expect_error("fruits = []\n[[fruits]]\n", "t.toml:2:1: cannot define array of "
		     "tables [[fruits]]: the key is already an array");
	expect_error("[[a]]\n[a]\n", "t.toml:2:1: cannot define table [a]: the key is "
		     "already an array of tables");
	expect_error("[a]\n[[a]]\n", "t.toml:2:1: cannot define array of tables [[a]]: "
		     "the key is already a table");
	expect_error("a = [{b = 1}]\n[a.c]\n", "t.toml:2:2: cannot use \"a\" as a table: "
		     "it is already an array");
}

static void test_inline_tables_are_sealed(void **state)
{
	struct toml_value *doc = parse_ok("p = { name.first = \"Tom\", name.last = \"P\", "
					  "pt = {x = 1} }\n");

	(void)state;
	assert_string_equal(str_of(doc, "p.name.first"), "Tom");
	assert_string_equal(str_of(doc, "p.name.last"), "P");
	assert_int_equal(int_of(doc, "p.pt.x"), 1);
	toml_free(doc);

	expect_error("a = {x = 1}\na.y = 2\n", "t.toml:2:1: cannot add keys to inline table \"a\"");
	expect_error("a = {x = 1}\n[a.b]\n", "t.toml:2:2: cannot use \"a\" as a table: it is "
		     "already an inline table");
	expect_error("a = {x = 1}\n[a]\n", "t.toml:2:1: cannot define table [a]: it is "
		     "already an inline table");
	expect_error("a = {x = {y = 1}, x.z = 2}\n", "t.toml:1:19: cannot add keys to "
		     "inline table \"x\"");
	expect_error("a = {x = 1,}\n", "t.toml:1:12: trailing comma in an inline table");
	expect_error("a = {x = 1\n}\n", "t.toml:1:11: expected ',' or '}'");
}

static void test_integers(void **state)
{
	struct toml_value *doc = parse_ok(
		"max = 9223372036854775807\n"
		"min = -9223372036854775808\n"
		"hex = 0xDEAD_beef\n"
		"oct = 0o755\n"
		"bin = 0b1101\n"
		"us = 1_000_000\n"
		"plus = +17\n"
		"zero = -0\n"
		"hexmax = 0x7fffffffffffffff\n");

	(void)state;
	assert_true(int_of(doc, "max") == INT64_MAX);
	assert_true(int_of(doc, "min") == INT64_MIN);
	assert_int_equal(int_of(doc, "hex"), 0xDEADBEEF);
	assert_int_equal(int_of(doc, "oct"), 0755);
	assert_int_equal(int_of(doc, "bin"), 13);
	assert_int_equal(int_of(doc, "us"), 1000000);
	assert_int_equal(int_of(doc, "plus"), 17);
	assert_int_equal(int_of(doc, "zero"), 0);
	assert_true(int_of(doc, "hexmax") == INT64_MAX);
	toml_free(doc);

	expect_error("a = 9223372036854775808\n", "t.toml:1:5: integer out of range");
	expect_error("a = -9223372036854775809\n", "t.toml:1:5: integer out of range");
	expect_error("a = 0x8000000000000000\n", "t.toml:1:5: integer out of range");
	expect_error("a = 99999999999999999999999\n", "t.toml:1:5: integer out of range");
	expect_error("a = 012\n", "t.toml:1:5: invalid number: leading zeros");
	expect_error("a = 1__2\n", "t.toml:1:6: invalid number: '_' must be between");
	expect_error("a = 1_\n", "t.toml:1:6: invalid number: '_' must be between");
	expect_error("a = -0x1\n", "t.toml:1:5: invalid number: a hexadecimal");
	expect_error("a = 0x\n", "t.toml:1:5: invalid number: ");
	expect_error("a = 0b102\n", "t.toml:1:9: invalid number: expected a binary digit");
}

static void test_floats(void **state)
{
	struct toml_value *doc = parse_ok(
		"a = 3.1415\nb = -1e-3\nc = 6.626e-34\nd = 224_617.445_991\n"
		"e = inf\nf = -inf\ng = nan\nh = -0.0\ni = 1E+2\nj = 0e0\nk = 1e007\n");

	(void)state;
	assert_true(toml_get(doc, "a")->u.f == 3.1415);
	assert_true(toml_get(doc, "b")->u.f == -1e-3);
	assert_true(toml_get(doc, "c")->u.f == 6.626e-34);
	assert_true(toml_get(doc, "d")->u.f == 224617.445991);
	assert_true(isinf(toml_get(doc, "e")->u.f) && toml_get(doc, "e")->u.f > 0);
	assert_true(isinf(toml_get(doc, "f")->u.f) && toml_get(doc, "f")->u.f < 0);
	assert_true(isnan(toml_get(doc, "g")->u.f));
	assert_true(toml_get(doc, "h")->u.f == 0.0 && signbit(toml_get(doc, "h")->u.f));
	assert_true(toml_get(doc, "i")->u.f == 100.0);
	assert_int_equal(toml_get(doc, "j")->type, TOML_FLOAT);
	assert_true(toml_get(doc, "k")->u.f == 1e7);
	toml_free(doc);

	expect_error("a = 1.\n", "t.toml:1:7: invalid number: expected a digit after the "
		     "decimal point");
	expect_error("a = .5\n", "t.toml:1:5: expected a value but found '.'");
	expect_error("a = 1e\n", "t.toml:1:7: invalid number: expected a digit in the exponent");
	expect_error("a = 1._5\n", "t.toml:1:7: invalid number: ");
	expect_error("a = Inf\n", "t.toml:1:5: expected a value but found 'I'");
	expect_error("a = 1e99999\n", "t.toml:1:5: float out of range");
}

/* Switch LC_NUMERIC to a locale whose decimal point is ','. If none is
 * installed, build de_DE with localedef into a temporary LOCPATH (removed by
 * the caller through *tmpdir). Returns 0 when no such locale can be had. */
static int set_comma_locale(char *tmpdir, size_t size)
{
	const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "ru_RU.UTF-8" };
	char cmd[512];
	size_t i;

	tmpdir[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (setlocale(LC_NUMERIC, names[i]))
			return localeconv()->decimal_point[0] == ',';
	snprintf(tmpdir, size, "/tmp/fw-test-locale-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		tmpdir[0] = '\0';
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1",
		 tmpdir);
	if (system(cmd) == -1)
		return 0;
	setenv("LOCPATH", tmpdir, 1);
	return setlocale(LC_NUMERIC, "de_DE.UTF-8") && localeconv()->decimal_point[0] == ',';
}

/* '.' is the decimal point whatever the process locale says */
static void test_floats_ignore_locale(void **state)
{
	char tmpdir[64], cmd[128];
	struct toml_value *doc;
	int have = set_comma_locale(tmpdir, sizeof(tmpdir));

	(void)state;
	if (have) {
		/* the locale really changes what plain strtod() reads... */
		assert_true(strtod("1.5", NULL) == 1.0);
		/* ...but not what the TOML reader reads */
		doc = parse_ok("a = 1.5\nb = 2.5e1\n");
		assert_true(toml_get(doc, "a")->u.f == 1.5);
		assert_true(toml_get(doc, "b")->u.f == 25.0);
		toml_free(doc);
	}
	setlocale(LC_NUMERIC, "C");
	if (tmpdir[0]) {
		unsetenv("LOCPATH");
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) == -1)
			print_error("could not remove %s\n", tmpdir);
	}
	if (!have)
		skip();
}

static void test_strings(void **state)
{
	struct toml_value *doc = parse_ok(
		"basic = \"tab\\there \\\"q\\\" \\\\ \\u00e9 \\U0001F600\"\n"
		"lit = 'C:\\Users\\nodes'\n"
		"ml = \"\"\"\nline1\nline2\"\"\"\n"
		"fold = \"\"\"\\\n   The quick \\\n\n   fox.\"\"\"\n"
		"mll = '''\n raw \\n '''\n"
		"quotes = \"\"\"two \"\" and end \"\"\"\"\"\n"
		"crlf = \"\"\"a\r\nb\"\"\"\n"
		"nul = \"a\\u0000b\"\n");
	struct toml_value *v;

	(void)state;
	assert_string_equal(str_of(doc, "basic"),
			    "tab\there \"q\" \\ \xC3\xA9 \xF0\x9F\x98\x80");
	assert_string_equal(str_of(doc, "lit"), "C:\\Users\\nodes");
	assert_string_equal(str_of(doc, "ml"), "line1\nline2");
	assert_string_equal(str_of(doc, "fold"), "The quick fox.");
	assert_string_equal(str_of(doc, "mll"), " raw \\n ");
	assert_string_equal(str_of(doc, "quotes"), "two \"\" and end \"\"");
	assert_string_equal(str_of(doc, "crlf"), "a\nb");
	v = toml_get(doc, "nul");
	assert_int_equal(v->u.str.len, 3);
	assert_memory_equal(v->u.str.s, "a\0b", 4);   /* still NUL-terminated */
	toml_free(doc);

	expect_error("a = \"\\x41\"\n", "t.toml:1:6: invalid escape sequence: backslash "
		     "followed by 'x'");
	expect_error("a = \"\\uD800\"\n", "t.toml:1:6: escape \\uD800 is not a Unicode scalar");
	expect_error("a = \"\\U00110000\"\n", "t.toml:1:6: escape \\U00110000 is not a Unicode");
	expect_error("a = \"\\u12\"\n", "t.toml:1:6: \\u escape needs 4 hexadecimal digits");
	expect_error("a = \"x\x01\"\n", "t.toml:1:7: control character U+0001 is not allowed "
		     "in a string");
	expect_error("a = 'x\x7f'\n", "t.toml:1:7: control character U+007F");
	expect_error("a = \"\"\"x\"\"\"\"\"\"\n", "t.toml:1:14: too many quotes");
	expect_error("a = '''x\n", "t.toml:1:5: unterminated multi-line literal string");
	expect_error("a = \"\"\"x \\ y\"\"\"\n", "t.toml:1:10: invalid escape sequence");
	expect_error("\"\"\"k\"\"\" = 1\n", "t.toml:1:1: a multi-line string cannot be used");
	expect_error("# ok\n# bad \x01\n", "t.toml:2:7: control character U+0001 is not "
		     "allowed in a comment");
}

static void test_keys_with_nul(void **state)
{
	struct toml_value *doc = parse_ok("\"a\\u0000b\" = 1\n'a\\u0000b' = 2\n\"\" = 3\n");

	(void)state;
	assert_int_equal(doc->u.tab.nr, 3);
	assert_int_equal(toml_key_len(doc, 0), 3);
	assert_int_equal(toml_key_len(doc, 1), 8);
	assert_int_equal(toml_key_len(doc, 2), 0);
	assert_int_equal(toml_key_len(doc, 3), 0);   /* out of range */
	assert_int_equal(toml_getn(doc, "a\0b", 3)->u.i, 1);
	assert_int_equal(toml_get(doc, "a\\u0000b")->u.i, 2);
	assert_null(toml_get(doc, "a"));   /* "a" is a prefix, not the key */
	assert_int_equal(toml_get(doc, "")->u.i, 3);
	toml_free(doc);
}

static void test_datetimes(void **state)
{
	struct toml_value *doc = parse_ok(
		"odt1 = 1979-05-27T07:32:00Z\n"
		"odt2 = 1979-05-27 00:32:00.999999-07:00\n"
		"odt3 = 1979-05-27t07:32:00z\n"
		"ldt = 1979-05-27T07:32:00\n"
		"ld = 1979-05-27\n"
		"lt = 00:32:00.5\n"
		"leap = 2024-02-29\n"
		"leapsec = 1990-12-31T23:59:60Z\n");
	struct {
		const char *key;
		enum toml_type type;
		const char *text;
	} want[] = {
		{ "odt1", TOML_DATETIME, "1979-05-27T07:32:00Z" },
		{ "odt2", TOML_DATETIME, "1979-05-27T00:32:00.999999-07:00" },
		{ "odt3", TOML_DATETIME, "1979-05-27T07:32:00Z" },
		{ "ldt", TOML_DATETIME_LOCAL, "1979-05-27T07:32:00" },
		{ "ld", TOML_DATE_LOCAL, "1979-05-27" },
		{ "lt", TOML_TIME_LOCAL, "00:32:00.5" },
		{ "leap", TOML_DATE_LOCAL, "2024-02-29" },
		{ "leapsec", TOML_DATETIME, "1990-12-31T23:59:60Z" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(*want); i++) {
		struct toml_value *v = toml_get(doc, want[i].key);
		assert_non_null(v);
		assert_int_equal(v->type, want[i].type);
		assert_string_equal(v->u.str.s, want[i].text);
		assert_int_equal(v->u.str.len, strlen(want[i].text));
	}
	toml_free(doc);

	expect_error("d = 2023-02-29\n", "t.toml:1:13: invalid date-time: day is out of range");
	expect_error("d = 1900-02-29\n", "t.toml:1:13: invalid date-time: day is out of range");
	expect_error("d = 2000-13-01\n", "t.toml:1:10: invalid date-time: month must be");
	expect_error("d = 2000-04-31\n", "t.toml:1:13: invalid date-time: day is out of range");
	expect_error("d = 2000-01-01T24:00:00\n", "t.toml:1:16: invalid date-time: hour");
	expect_error("d = 2000-01-01T07:32Z\n", "t.toml:1:21: invalid date-time: expected a time");
	expect_error("d = 2000-01-01T00:00:00+24:00\n", "t.toml:1:24: invalid date-time: "
		     "time zone offset out of range");
	expect_error("d = 07:32:00Z\n", "t.toml:1:13: invalid date-time: a time without a date");
}

static void test_mixed_arrays_and_comments(void **state)
{
	struct toml_value *doc = parse_ok(
		"a = [ # comment\n"
		"  1, 'two', [3.0], {four = 4},  # trailing comma next\n"
		"]\n");
	struct toml_value *a = toml_get(doc, "a");

	(void)state;
	assert_int_equal(a->u.arr.nr, 4);
	assert_int_equal(a->u.arr.items[0]->type, TOML_INTEGER);
	assert_int_equal(a->u.arr.items[1]->type, TOML_STRING);
	assert_int_equal(a->u.arr.items[2]->type, TOML_ARRAY);
	assert_int_equal(a->u.arr.items[3]->type, TOML_TABLE);
	assert_int_equal(int_of(a->u.arr.items[3], "four"), 4);
	toml_free(doc);
	expect_error("a = [1 2]\n", "t.toml:1:8: expected ',' or ']' after an array element");
	expect_error("a = [1,\n", "t.toml:2:1: expected a value but found end of file");
}

static void test_bom_crlf_and_unterminated_input(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct toml_value *doc;
	const char text[] = "a = 1\nb = 2\n";

	(void)state;
	doc = parse_ok("\xEF\xBB\xBF" "a = 1\r\n[t]\r\nb = 'x'\r\n");
	assert_int_equal(int_of(doc, "a"), 1);
	assert_int_equal(toml_get(doc, "a")->col, 5);   /* the BOM takes no column */
	assert_string_equal(str_of(doc, "t.b"), "x");
	toml_free(doc);
	/* the text need not be NUL-terminated: only len bytes are read */
	assert_int_equal(toml_parse(text, 5, "t.toml", &doc, &err), 0);
	assert_int_equal(doc->u.tab.nr, 1);
	assert_int_equal(int_of(doc, "a"), 1);
	toml_free(doc);
	/* an empty document is an empty table */
	assert_int_equal(toml_parse("", 0, "t.toml", &doc, &err), 0);
	assert_int_equal(doc->u.tab.nr, 0);
	toml_free(doc);
	toml_free(NULL);
	expect_error("a = 1\n\xEF\xBB\xBF" "b = 2\n", "t.toml:2:1: expected a key");
}

static void nested(struct strbuf *sb, int depth, const char *open, const char *close)
{
	int i;

	strbuf_reset(sb);
	strbuf_addstr(sb, "a = ");
	for (i = 0; i < depth; i++)
		strbuf_addstr(sb, open);
	strbuf_addstr(sb, "1");
	for (i = 0; i < depth; i++)
		strbuf_addstr(sb, close);
	strbuf_addch(sb, '\n');
}

static void test_depth_limit(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	struct toml_value *doc;
	int i;

	(void)state;
	/* "a" is level 1, so TOML_MAX_DEPTH - 1 arrays fill the limit exactly */
	nested(&sb, TOML_MAX_DEPTH - 1, "[", "]");
	assert_int_equal(toml_parse(sb.buf, sb.len, "t.toml", &doc, &err), 0);
	toml_free(doc);
	nested(&sb, TOML_MAX_DEPTH, "[", "]");
	assert_int_equal(toml_parse(sb.buf, sb.len, "t.toml", &doc, &err), -1);
	assert_non_null(strstr(err.message.buf, "nesting too deep"));
	fw_error_clear(&err);
	nested(&sb, 100000, "{x=", "}");
	assert_int_equal(toml_parse(sb.buf, sb.len, "t.toml", &doc, &err), -1);
	assert_non_null(strstr(err.message.buf, "nesting too deep"));
	fw_error_clear(&err);
	/* dotted keys and headers count too */
	strbuf_reset(&sb);
	for (i = 0; i < 1000; i++)
		strbuf_addstr(&sb, "k.");
	strbuf_addstr(&sb, "k = 1\n");
	assert_int_equal(toml_parse(sb.buf, sb.len, "t.toml", &doc, &err), -1);
	assert_non_null(strstr(err.message.buf, "nesting too deep"));
	fw_error_clear(&err);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "[[k");
	for (i = 0; i < 200; i++)
		strbuf_addstr(&sb, ".k");
	strbuf_addstr(&sb, "]]\n");
	assert_int_equal(toml_parse(sb.buf, sb.len, "t.toml", &doc, &err), 0);
	toml_free(doc);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "[[k]]\n");
	for (i = 0; i < 200; i++)
		strbuf_addstr(&sb, "[[k.k]]\n");  /* stays shallow: each goes into k[0] */
	assert_int_equal(toml_parse(sb.buf, sb.len, "t.toml", &doc, &err), 0);
	assert_int_equal(toml_get_path(doc, "k")->u.arr.items[0]->u.tab.nr, 1);
	toml_free(doc);
	strbuf_release(&sb);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(toml_type_name(TOML_STRING), "string");
	assert_string_equal(toml_type_name(TOML_INTEGER), "integer");
	assert_string_equal(toml_type_name(TOML_BOOL), "boolean");
	assert_string_equal(toml_type_name(TOML_DATETIME), "offset date-time");
	assert_string_equal(toml_type_name(TOML_TIME_LOCAL), "local time");
	assert_string_equal(toml_type_name(TOML_TABLE), "table");
	assert_string_equal(toml_type_name(TOML_ARRAY), "array");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars_and_lookup),
		cmocka_unit_test(test_document_order),
		cmocka_unit_test(test_value_positions),
		cmocka_unit_test(test_implicit_table_position_moves_to_header),
		cmocka_unit_test(test_error_positions),
		cmocka_unit_test(test_error_hint_and_default_filename),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_dotted_keys),
		cmocka_unit_test(test_arrays_of_tables),
		cmocka_unit_test(test_inline_tables_are_sealed),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_floats_ignore_locale),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_keys_with_nul),
		cmocka_unit_test(test_datetimes),
		cmocka_unit_test(test_mixed_arrays_and_comments),
		cmocka_unit_test(test_bom_crlf_and_unterminated_input),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_type_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
