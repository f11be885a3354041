/* toml-test decoder: TOML on stdin, the suite's tagged JSON on stdout.
 *
 * Tables become JSON objects, arrays JSON arrays, and every scalar an object
 * {"type": ..., "value": ...} with the value as a string. Exit status 0 on
 * success; on invalid TOML the error goes to stderr and the status is 1. */
#include "config/toml.h"
#include "util/strbuf.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_string(struct strbuf *out, const char *s, size_t len)
{
	size_t i;

	strbuf_addch(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			strbuf_addf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7F)
			strbuf_addf(out, "\\u%04x", c);
		else
			strbuf_addch(out, c);  /* the parser guarantees valid UTF-8 */
	}
	strbuf_addch(out, '"');
}

/* the shortest %g text that reads back as the same double */
static void format_float(struct strbuf *out, double d)
{
	char buf[64];
	int prec;

	if (isnan(d)) {
		strbuf_addstr(out, "nan");
		return;
	}
	if (isinf(d)) {
		strbuf_addstr(out, d < 0 ? "-inf" : "inf");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	strbuf_addstr(out, buf);
}

static void scalar(struct strbuf *out, const char *type, const char *value, size_t len)
{
	strbuf_addstr(out, "{\"type\": ");
	json_string(out, type, strlen(type));
	strbuf_addstr(out, ", \"value\": ");
	json_string(out, value, len);
	strbuf_addch(out, '}');
}

static void emit(struct strbuf *out, const struct toml_value *v)
{
	struct strbuf tmp = STRBUF_INIT;
	size_t i;

	switch (v->type) {
	case TOML_TABLE:
		strbuf_addch(out, '{');
		for (i = 0; i < v->u.tab.nr; i++) {
			if (i)
				strbuf_addstr(out, ", ");
			json_string(out, v->u.tab.kv[i].key, toml_key_len(v, i));
			strbuf_addstr(out, ": ");
			emit(out, v->u.tab.kv[i].value);
		}
		strbuf_addch(out, '}');
		break;
	case TOML_ARRAY:
		strbuf_addch(out, '[');
		for (i = 0; i < v->u.arr.nr; i++) {
			if (i)
				strbuf_addstr(out, ", ");
			emit(out, v->u.arr.items[i]);
		}
		strbuf_addch(out, ']');
		break;
	case TOML_STRING:
		scalar(out, "string", v->u.str.s, v->u.str.len);
		break;
	case TOML_INTEGER:
		strbuf_addf(&tmp, "%" PRId64, v->u.i);
		scalar(out, "integer", tmp.buf, tmp.len);
		break;
	case TOML_FLOAT:
		format_float(&tmp, v->u.f);
		scalar(out, "float", tmp.buf, tmp.len);
		break;
	case TOML_BOOL:
		scalar(out, "bool", v->u.b ? "true" : "false", v->u.b ? 4 : 5);
		break;
	case TOML_DATETIME:
		scalar(out, "datetime", v->u.str.s, v->u.str.len);
		break;
	case TOML_DATETIME_LOCAL:
		scalar(out, "datetime-local", v->u.str.s, v->u.str.len);
		break;
	case TOML_DATE_LOCAL:
		scalar(out, "date-local", v->u.str.s, v->u.str.len);
		break;
	case TOML_TIME_LOCAL:
		scalar(out, "time-local", v->u.str.s, v->u.str.len);
		break;
	}
	strbuf_release(&tmp);
}

static int read_all(FILE *f, struct strbuf *sb)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	return ferror(f) ? -1 : 0;
}

int main(void)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	struct toml_value *doc;
	int rc = 0;

	if (read_all(stdin, &in)) {
		perror("toml-test-decoder: reading stdin");
		return 2;
	}
	if (toml_parse(in.buf, in.len, "<stdin>", &doc, &err)) {
		fprintf(stderr, "%s\n", err.message.buf);
		if (err.hint.len)
			fprintf(stderr, "hint: %s\n", err.hint.buf);
		fw_error_clear(&err);
		strbuf_release(&in);
		return 1;
	}
	emit(&out, doc);
	strbuf_addch(&out, '\n');
	if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout)) {
		perror("toml-test-decoder: writing stdout");
		rc = 2;
	}
	toml_free(doc);
	strbuf_release(&in);
	strbuf_release(&out);
	return rc;
}
