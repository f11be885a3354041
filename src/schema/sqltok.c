#include "schema/sqltok.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

unsigned fw_tok_flags_for(const char *dialect)
{
	if (dialect && !strcmp(dialect, "postgresql"))
		return FW_TOKF_DOLLAR;
	if (dialect && !strcmp(dialect, "mysql"))
		return FW_TOKF_BACKSLASH | FW_TOKF_HASH | FW_TOKF_BACKTICK;
	if (dialect && !strcmp(dialect, "sqlite"))
		return FW_TOKF_BRACKET | FW_TOKF_BACKTICK;
	return 0;
}

static int word_char(int c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* end of a quoted run opened at s[i] and closed by q (doubled q inside) */
static size_t quoted_end(const char *s, size_t len, size_t i, char q, int backslash)
{
	for (i++; i < len; i++) {
		if (backslash && s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == q && i + 1 < len && s[i + 1] == q)
			i++;
		else if (s[i] == q)
			return i + 1;
	}
	return len;
}

/* $tag$ ... $tag$ at s[i]; 0 when s[i] opens no dollar quote */
static size_t dollar_end(const char *s, size_t len, size_t i)
{
	size_t t = i + 1, taglen;
	if (i > 0 && word_char((unsigned char)s[i - 1]))
		return 0;
	while (t < len && (isalnum((unsigned char)s[t]) || s[t] == '_' || (unsigned char)s[t] >= 0x80))
		t++;
	if (t >= len || s[t] != '$' || (t > i + 1 && isdigit((unsigned char)s[i + 1])))
		return 0;
	taglen = t - i + 1;
	for (size_t q = t + 1; q + taglen <= len; q++)
		if (s[q] == '$' && !memcmp(s + q, s + i, taglen))
			return q + taglen;
	return len;
}

static size_t block_comment_end(const char *s, size_t len, size_t i)
{
	int nest = 0;
	while (i < len) {
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			nest++;
			i += 2;
		} else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
			i += 2;
			if (--nest == 0)
				return i;
		} else {
			i++;
		}
	}
	return len;
}

/* the end of the token starting at s[i] and its kind */
static size_t token_end(const char *s, size_t len, size_t i, unsigned flags, enum fw_tok_kind *kind)
{
	unsigned char c = (unsigned char)s[i];
	size_t e;
	if ((c == '-' && i + 1 < len && s[i + 1] == '-') || (c == '#' && (flags & FW_TOKF_HASH))) {
		*kind = FW_TOK_COMMENT;
		e = i;
		while (e < len && s[e] != '\n')
			e++;
		return e;
	}
	if (c == '/' && i + 1 < len && s[i + 1] == '*') {
		*kind = FW_TOK_COMMENT;
		return block_comment_end(s, len, i);
	}
	if (c == '\'') {
		*kind = FW_TOK_STRING;
		return quoted_end(s, len, i, '\'', (flags & FW_TOKF_BACKSLASH) != 0);
	}
	if (c == '"' || (c == '`' && (flags & FW_TOKF_BACKTICK))) {
		*kind = FW_TOK_QUOTED;
		return quoted_end(s, len, i, (char)c, 0);
	}
	if (c == '[' && (flags & FW_TOKF_BRACKET)) {
		*kind = FW_TOK_QUOTED;
		e = i + 1;
		while (e < len && s[e] != ']')
			e++;
		return e < len ? e + 1 : len;
	}
	if (c == '$' && (flags & FW_TOKF_DOLLAR) && (e = dollar_end(s, len, i))) {
		*kind = FW_TOK_DOLLAR;
		return e;
	}
	if (word_char(c)) {
		*kind = FW_TOK_WORD;
		e = i;
		while (e < len && word_char((unsigned char)s[e]))
			e++;
		return e;
	}
	*kind = FW_TOK_PUNCT;
	return i + 1;
}

void fw_sql_tokenize(const char *text, size_t len, unsigned flags, struct fw_toks *out)
{
	size_t i = 0;
	int line = 1, depth = 0;
	memset(out, 0, sizeof(*out));
	out->text = text;
	while (i < len) {
		enum fw_tok_kind kind;
		struct fw_tok *t;
		size_t e;
		if (isspace((unsigned char)text[i])) {
			line += text[i] == '\n';
			i++;
			continue;
		}
		e = token_end(text, len, i, flags, &kind);
		ALLOC_GROW(out->v, out->nr + 1, out->alloc);
		t = &out->v[out->nr++];
		t->kind = kind;
		t->off = i;
		t->len = e - i;
		t->line = line;
		if (kind == FW_TOK_PUNCT && text[i] == ')' && depth > 0)
			depth--;
		t->depth = depth;
		if (kind == FW_TOK_PUNCT && text[i] == '(')
			depth++;
		for (size_t k = i; k < e; k++)
			line += text[k] == '\n';
		i = e;
	}
}

void fw_toks_release(struct fw_toks *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

int fw_tok_is(const struct fw_toks *t, size_t i, char c)
{
	return i < t->nr && t->v[i].kind == FW_TOK_PUNCT && t->text[t->v[i].off] == c;
}

int fw_tok_word(const struct fw_toks *t, size_t i, const char *w)
{
	size_t n = strlen(w);
	return i < t->nr && t->v[i].kind == FW_TOK_WORD && t->v[i].len == n &&
	       !strncasecmp(t->text + t->v[i].off, w, n);
}

int fw_tok_name(const struct fw_toks *t, size_t i, struct strbuf *out)
{
	const struct fw_tok *k;
	const char *p;
	char close;
	if (i >= t->nr)
		return 0;
	k = &t->v[i];
	p = t->text + k->off;
	if (k->kind == FW_TOK_WORD) {
		strbuf_add(out, p, k->len);
		return 1;
	}
	if (k->kind != FW_TOK_QUOTED || k->len < 2)
		return 0;
	close = *p == '[' ? ']' : *p;
	for (size_t j = 1; j + 1 < k->len; j++) {
		strbuf_addch(out, p[j]);
		if (p[j] == close && close != ']' && j + 2 < k->len && p[j + 1] == close)
			j++;
	}
	return 1;
}

int fw_tok_names(const struct fw_toks *t, size_t i, const char *name)
{
	struct strbuf v = STRBUF_INIT;
	int same = 0;
	if (fw_tok_name(t, i, &v))
		same = t->v[i].kind == FW_TOK_QUOTED ? !strcmp(v.buf, name) : !strcasecmp(v.buf, name);
	strbuf_release(&v);
	return same;
}
