/* Regex rules: compiling and matching (see lint-regex.h) */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "sql/lint-regex.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* a rule that matches everywhere would flood the report */
#define MAX_MATCHES_PER_SCRIPT 1000

int fw_regex_rule_compile(struct fw_regex_rule *r, struct fw_error *err)
{
	r->compiled = xcalloc(r->patterns.nr + 1, sizeof(*r->compiled));
	for (size_t i = 0; i < r->patterns.nr; i++) {
		int code;
		PCRE2_SIZE at;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)r->patterns.v[i], PCRE2_ZERO_TERMINATED,
					       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &at, NULL);
		if (!re) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(code, msg, sizeof(msg));
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "%s: rule %s: invalid regular expression: %s",
				       r->file, r->code, (const char *)msg);
			fw_error_detail(err, "pattern %s, at offset %zu", r->patterns.v[i], (size_t)at);
			fw_error_hint(err, "fix the pattern (Java's regular expression syntax), or set severity = \"disabled\"");
			return -1;
		}
		r->compiled[i] = re;
	}
	return 0;
}

int fw_regex_rule_applies(const struct fw_regex_rule *r, const char *dialect)
{
	for (size_t i = 0; i < r->dialects.nr; i++) {
		const char *d = r->dialects.v[i];
		if (!strcasecmp(d, "text") || !strcasecmp(d, dialect) ||
		    (!strcasecmp(dialect, "mysql") && !strcasecmp(d, "mariadb")) ||
		    (!strcasecmp(dialect, "postgres") && !strcasecmp(d, "postgresql")))
			return 1;
	}
	return 0;
}

/* line and column of offsets that only grow (matches come in order) */
struct cursor {
	const char *text;
	size_t off, line_start;
	int line;
};

/* 1-based line and column (in bytes) of offset off */
static void position(struct cursor *c, size_t off, int *line, int *col)
{
	if (off < c->off) {   /* a later pattern starts again at the top */
		c->off = c->line_start = 0;
		c->line = 1;
	}
	for (; c->off < off; c->off++)
		if (c->text[c->off] == '\n') {
			c->line++;
			c->line_start = c->off + 1;
		}
	*line = c->line;
	*col = (int)(off - c->line_start) + 1;
}

static void add_match(const struct fw_regex_rule *r, const char *script, struct cursor *c, size_t from,
		      size_t to, struct fw_lint *l)
{
	const char *text = c->text;
	struct strbuf msg = STRBUF_INIT;
	struct fw_lint_finding *f;
	size_t shown;
	if (to < from)   /* \K in a lookbehind can end a match before its start */
		to = from;
	shown = to - from > 80 ? 80 : to - from;
	strbuf_addf(&msg, "%s", r->description && *r->description ? r->description : r->code);
	if (shown) {
		strbuf_addstr(&msg, " (matched '");
		for (size_t i = 0; i < shown; i++)
			strbuf_addch(&msg, text[from + i] == '\n' || text[from + i] == '\r' ? ' ' : text[from + i]);
		strbuf_addstr(&msg, to - from > shown ? "...')" : "')");
	}
	f = fw_lint_push(l, "regex", script, 1, r->code, r->severity == FW_RX_ERROR, msg.buf,
			 "see the rule file for why; change the code or the rule's severity");
	position(c, from, &f->line, &f->col);
	position(c, to, &f->end_line, &f->end_col);
	strbuf_release(&msg);
}

/* every match of one pattern; returns how many, or -1 when PCRE2 gave up */
static int search(const struct fw_regex_rule *r, pcre2_code *re, const char *script, const char *text,
		  size_t len, struct fw_lint *l, int report)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	struct cursor c = { text, 0, 0, 1 };
	PCRE2_SIZE at = 0;
	int n = 0, rc = 0;
	while (at <= len && n < MAX_MATCHES_PER_SCRIPT) {
		PCRE2_SIZE *ov;
		rc = pcre2_match(re, (PCRE2_SPTR)text, len, at, 0, md, NULL);
		if (rc < 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		if (report)
			add_match(r, script, &c, ov[0], ov[1], l);
		n++;
		/* an empty match moves on by one character (a UTF-8 one whole) */
		at = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
		while (at < len && ((unsigned char)text[at] & 0xC0) == 0x80)
			at++;
		if (!report)
			break;
	}
	pcre2_match_data_free(md);
	return rc < 0 && rc != PCRE2_ERROR_NOMATCH ? -1 : n;
}

void fw_regex_rule_check(const struct fw_regex_rule *r, const char *script, const char *text, size_t len,
			 struct fw_lint *l)
{
	int matched = 0;
	if (r->severity == FW_RX_DISABLED || !r->compiled)
		return;
	for (size_t i = 0; i < r->patterns.nr; i++) {
		int n = search(r, r->compiled[i], script, text, len, l, !r->pass_on_match);
		if (n < 0) {
			struct strbuf msg = STRBUF_INIT;
			strbuf_addf(&msg, "rule %s gave up on this script: the pattern %s needs too much backtracking",
				    r->code, r->patterns.v[i]);
			fw_lint_push(l, "regex", script, 1, r->code, 0, msg.buf,
				     "simplify the pattern (nested repeats such as (a+)+ explode)");
			strbuf_release(&msg);
			continue;
		}
		matched += n;
	}
	if (r->pass_on_match && !matched) {
		struct strbuf msg = STRBUF_INIT;
		strbuf_addf(&msg, "%s (required, not found)", r->description && *r->description ? r->description : r->code);
		fw_lint_push(l, "regex", script, 1, r->code, r->severity == FW_RX_ERROR, msg.buf,
			     "the rule asks for this pattern in every script");
		strbuf_release(&msg);
	}
}

void fw_regex_rule_release(struct fw_regex_rule *r)
{
	for (size_t i = 0; r->compiled && i < r->patterns.nr; i++)
		pcre2_code_free(r->compiled[i]);
	free(r->compiled);
	free(r->file);
	free(r->code);
	free(r->description);
	strvec_clear(&r->dialects);
	strvec_clear(&r->patterns);
	memset(r, 0, sizeof(*r));
}
