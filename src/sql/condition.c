#include "sql/condition.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <string.h>
#include <strings.h>

struct cparser {
	const char *s;      /* expression after placeholder replacement */
	size_t pos;
	const char *file;
	const char *raw;
	struct fw_error *err;
	int depth;
};

static void skip_ws(struct cparser *p)
{
	while (isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

static int fail(struct cparser *p, const char *what)
{
	fw_errorf(p->err, "CONFIGURATION", "invalid shouldExecute expression in %s: %s at column %zu",
		  p->file, what, p->pos + 1);
	fw_error_detail(p->err, "expression: %s", p->raw);
	fw_error_hint(p->err, "use true, false, A==B, A!=B, combined with &&, ||, ! and parentheses");
	return -1;
}

static int at_op(const struct cparser *p)
{
	const char *c = p->s + p->pos;
	return !*c || *c == '(' || *c == ')' || !strncmp(c, "==", 2) || !strncmp(c, "!=", 2) ||
	       !strncmp(c, "&&", 2) || !strncmp(c, "||", 2);
}

/* an operand: text up to the next operator, trimmed */
static int operand(struct cparser *p, char **out)
{
	size_t start, end;
	skip_ws(p);
	start = p->pos;
	while (!at_op(p))
		p->pos++;
	end = p->pos;
	while (end > start && isspace((unsigned char)p->s[end - 1]))
		end--;
	if (end == start)
		return fail(p, "expected a value");
	*out = xstrndup(p->s + start, end - start);
	return 0;
}

static int parse_or(struct cparser *p, int *v);

static int parse_primary(struct cparser *p, int *v)
{
	char *a = NULL, *b = NULL;
	int ret;
	skip_ws(p);
	if (p->s[p->pos] == '!' && p->s[p->pos + 1] != '=') {
		p->pos++;
		if (parse_primary(p, v) < 0)
			return -1;
		*v = !*v;
		return 0;
	}
	if (p->s[p->pos] == '(') {
		if (++p->depth > 64)
			return fail(p, "too deeply nested");
		p->pos++;
		if (parse_or(p, v) < 0)
			return -1;
		skip_ws(p);
		if (p->s[p->pos] != ')')
			return fail(p, "expected ')'");
		p->pos++;
		p->depth--;
		return 0;
	}
	if (operand(p, &a) < 0)
		return -1;
	skip_ws(p);
	if (!strncmp(p->s + p->pos, "==", 2) || !strncmp(p->s + p->pos, "!=", 2)) {
		int eq = p->s[p->pos] == '=';
		p->pos += 2;
		if (operand(p, &b) < 0) {
			free(a);
			return -1;
		}
		*v = (strcmp(a, b) == 0) == eq;
		ret = 0;
	} else if (!strcasecmp(a, "true")) {
		*v = 1;
		ret = 0;
	} else if (!strcasecmp(a, "false")) {
		*v = 0;
		ret = 0;
	} else {
		ret = fail(p, "a value must be true, false or compared with == / !=");
	}
	free(a);
	free(b);
	return ret;
}

static int parse_and(struct cparser *p, int *v)
{
	if (parse_primary(p, v) < 0)
		return -1;
	for (;;) {
		int r;
		skip_ws(p);
		if (strncmp(p->s + p->pos, "&&", 2))
			return 0;
		p->pos += 2;
		if (parse_primary(p, &r) < 0)
			return -1;
		*v = *v && r;
	}
}

static int parse_or(struct cparser *p, int *v)
{
	if (parse_and(p, v) < 0)
		return -1;
	for (;;) {
		int r;
		skip_ws(p);
		if (strncmp(p->s + p->pos, "||", 2))
			return 0;
		p->pos += 2;
		if (parse_and(p, &r) < 0)
			return -1;
		*v = *v || r;
	}
}

int fw_condition_eval(const char *expr, const struct fw_placeholders *ph, const char *file,
		      int *result, struct fw_error *err)
{
	struct strbuf text = STRBUF_INIT;
	struct cparser p;
	int ret;
	if (ph) {
		if (fw_placeholders_replace(ph, expr, strlen(expr), file, &text, err) < 0)
			return -1;
	} else {
		strbuf_addstr(&text, expr);
	}
	p.s = text.buf;
	p.pos = 0;
	p.file = file;
	p.raw = expr;
	p.err = err;
	p.depth = 0;
	ret = parse_or(&p, result);
	if (!ret) {
		skip_ws(&p);
		if (p.s[p.pos])
			ret = fail(&p, "unexpected text");
	}
	strbuf_release(&text);
	return ret;
}
