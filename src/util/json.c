#include "json.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static void indent(struct strbuf *out, int level)
{
	for (int i = 0; i < level; i++)
		strbuf_addstr(out, "  ");
}

static void dump_string(const char *s, size_t len, struct strbuf *out)
{
	strbuf_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': strbuf_addstr(out, "\\\""); break;
		case '\\': strbuf_addstr(out, "\\\\"); break;
		case '\n': strbuf_addstr(out, "\\n"); break;
		case '\r': strbuf_addstr(out, "\\r"); break;
		case '\t': strbuf_addstr(out, "\\t"); break;
		case '\b': strbuf_addstr(out, "\\b"); break;
		case '\f': strbuf_addstr(out, "\\f"); break;
		default:
			if (c < 0x20)
				strbuf_addf(out, "\\u%04X", c);
			else
				strbuf_addch(out, (char)c);
		}
	}
	strbuf_addch(out, '"');
}

static void dump(const json_t *v, struct strbuf *out, int level)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *val;
		int first = 1;
		if (!json_object_size(v)) {
			strbuf_addstr(out, "{ }");
			return;
		}
		strbuf_addstr(out, "{\n");
		json_object_foreach((json_t *)v, key, val) {
			if (!first)
				strbuf_addstr(out, ",\n");
			first = 0;
			indent(out, level + 1);
			dump_string(key, strlen(key), out);
			strbuf_addstr(out, " : ");
			dump(val, out, level + 1);
		}
		strbuf_addch(out, '\n');
		indent(out, level);
		strbuf_addch(out, '}');
		return;
	}
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);
		if (!n) {
			strbuf_addstr(out, "[ ]");
			return;
		}
		strbuf_addstr(out, "[ ");
		for (i = 0; i < n; i++) {
			if (i)
				strbuf_addstr(out, ", ");
			dump(json_array_get(v, i), out, level);
		}
		strbuf_addstr(out, " ]");
		return;
	}
	case JSON_STRING:
		dump_string(json_string_value(v), json_string_length(v), out);
		return;
	case JSON_INTEGER:
		strbuf_addf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	case JSON_REAL: {
		double d = json_real_value(v);
		if (isfinite(d))
			strbuf_addf(out, "%.17g", d);
		else
			strbuf_addstr(out, "null");
		return;
	}
	case JSON_TRUE: strbuf_addstr(out, "true"); return;
	case JSON_FALSE: strbuf_addstr(out, "false"); return;
	case JSON_NULL: strbuf_addstr(out, "null"); return;
	}
}

void fw_json_dump(const json_t *v, struct strbuf *out)
{
	dump(v, out, 0);
	strbuf_addch(out, '\n');
}

json_t *fw_json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}
