/* TOML 1.0.0 reader.
 *
 * A single-pass recursive-descent parser over a byte buffer. The document is
 * checked for valid UTF-8 once up front, so every later step may treat bytes
 * >= 0x80 as opaque parts of valid characters.
 *
 * The redefinition rules of TOML (a table defined twice, dotted keys reaching
 * into a [table], [[x]] on a static array, adding to an inline table, ...) are
 * enforced with a few private flags per value. They live in `struct node`,
 * which wraps the public struct toml_value as its first member, so a pointer
 * to one is a pointer to the other and toml_free() frees the whole node.
 *
 * Nesting depth (tables, arrays, inline tables) is capped at TOML_MAX_DEPTH so
 * that hostile input cannot exhaust the stack, neither here nor in callers
 * that walk the tree recursively. */
#include "config/toml.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	F_INLINE = 1,   /* written as an inline table / array literal: sealed */
	F_DEFINED = 2,  /* defined by a [header] or [[header]]: cannot be again */
	F_DOTTED = 4,   /* created or extended by dotted keys: no [header] for it */
	F_AOT = 8,      /* array created by [[header]]: may be appended to */
};

struct node {
	struct toml_value v;   /* must stay first: callers only see this part */
	unsigned flags;
	size_t *keylen;        /* TABLE: byte length of each key (keys may hold NUL) */
};

/* One segment of a (possibly dotted) key, with where it was written. */
struct keyseg {
	char *s;
	size_t len;
	const char *at;
};

struct key {
	struct keyseg *seg;
	size_t nr, alloc;
};

struct parser {
	const char *text, *p, *end;
	const char *filename;
	struct fw_error *err;
	/* cache for locate(): positions are mostly asked for in increasing order */
	const char *loc_ptr;
	int loc_line, loc_col;
	struct toml_value *root;
	struct toml_value *cur;  /* table that key/value lines go into */
	int cur_depth;
	struct strbuf scratch;   /* for key_display() */
};

/* ---------- values ---------- */

static struct node *node_of(const struct toml_value *v)
{
	return (struct node *)v;
}

static void locate(struct parser *P, const char *at, int *line, int *col);

static struct toml_value *new_value(struct parser *P, enum toml_type t, const char *at)
{
	struct node *n = xcalloc(1, sizeof(*n));
	n->v.type = t;
	locate(P, at, &n->v.line, &n->v.col);
	return &n->v;
}

void toml_free(struct toml_value *v)
{
	size_t i;

	if (!v)
		return;
	if (v->type == TOML_TABLE) {
		for (i = 0; i < v->u.tab.nr; i++) {
			free(v->u.tab.kv[i].key);
			toml_free(v->u.tab.kv[i].value);
		}
		free(v->u.tab.kv);
		free(node_of(v)->keylen);
	} else if (v->type == TOML_ARRAY) {
		for (i = 0; i < v->u.arr.nr; i++)
			toml_free(v->u.arr.items[i]);
		free(v->u.arr.items);
	} else if (v->type == TOML_STRING || v->type == TOML_DATETIME ||
		   v->type == TOML_DATETIME_LOCAL || v->type == TOML_DATE_LOCAL ||
		   v->type == TOML_TIME_LOCAL) {
		free(v->u.str.s);
	}
	free(v);
}

struct toml_value *toml_getn(const struct toml_value *t, const char *key, size_t len)
{
	size_t i;

	if (!t || t->type != TOML_TABLE)
		return NULL;
	for (i = 0; i < t->u.tab.nr; i++)
		if (node_of(t)->keylen[i] == len && !memcmp(t->u.tab.kv[i].key, key, len))
			return t->u.tab.kv[i].value;
	return NULL;
}

struct toml_value *toml_get(const struct toml_value *t, const char *key)
{
	return toml_getn(t, key, strlen(key));
}

struct toml_value *toml_get_path(const struct toml_value *table, const char *dotted)
{
	const char *s = dotted;

	for (;;) {
		const char *dot = strchr(s, '.');
		size_t len = dot ? (size_t)(dot - s) : strlen(s);
		struct toml_value *v = toml_getn(table, s, len);

		if (!v || !dot)
			return v;
		table = v;
		s = dot + 1;
	}
}

size_t toml_key_len(const struct toml_value *t, size_t i)
{
	if (!t || t->type != TOML_TABLE || i >= t->u.tab.nr)
		return 0;
	return node_of(t)->keylen[i];
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "boolean";
	case TOML_DATETIME: return "offset date-time";
	case TOML_DATETIME_LOCAL: return "local date-time";
	case TOML_DATE_LOCAL: return "local date";
	case TOML_TIME_LOCAL: return "local time";
	case TOML_ARRAY: return "array";
	case TOML_TABLE: return "table";
	}
	return "unknown";
}

/* Takes ownership of key. The caller has checked the key is not present. */
static void table_add(struct toml_value *t, char *key, size_t len, struct toml_value *v)
{
	struct node *n = node_of(t);
	size_t old_alloc = t->u.tab.alloc;

	ALLOC_GROW(t->u.tab.kv, t->u.tab.nr, t->u.tab.alloc);
	if (t->u.tab.alloc != old_alloc)
		n->keylen = xrealloc(n->keylen, t->u.tab.alloc * sizeof(*n->keylen));
	t->u.tab.kv[t->u.tab.nr].key = key;
	t->u.tab.kv[t->u.tab.nr].value = v;
	n->keylen[t->u.tab.nr] = len;
	t->u.tab.nr++;
}

static void array_add(struct toml_value *a, struct toml_value *v)
{
	ALLOC_GROW(a->u.arr.items, a->u.arr.nr, a->u.arr.alloc);
	a->u.arr.items[a->u.arr.nr++] = v;
}

/* table_add for a key segment, which is moved out of seg */
static void table_add_seg(struct toml_value *t, struct keyseg *seg, struct toml_value *v)
{
	table_add(t, seg->s, seg->len, v);
	seg->s = NULL;
}

/* ---------- positions and errors ---------- */

/* Line and column (1-based, columns counted in characters) of `at`. */
static void locate(struct parser *P, const char *at, int *line, int *col)
{
	const char *s;
	int l, c;

	if (!P->loc_ptr || at < P->loc_ptr) {
		P->loc_ptr = P->text;
		P->loc_line = 1;
		P->loc_col = 1;
	}
	s = P->loc_ptr;
	l = P->loc_line;
	c = P->loc_col;
	for (; s < at; s++) {
		if (*s == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)*s & 0xC0) != 0x80) {
			c++;   /* count characters, not UTF-8 continuation bytes */
		}
	}
	P->loc_ptr = at;
	P->loc_line = *line = l;
	P->loc_col = *col = c;
}

static int perr(struct parser *P, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *P, const char *at, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	int line, col;
	va_list ap;

	locate(P, at, &line, &col);
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	fw_errorf(P->err, "CONFIGURATION", "%s:%d:%d: %s", P->filename, line, col, msg.buf);
	strbuf_release(&msg);
	return -1;
}

/* A short, printable description of the character at `at` for messages.
 * Never more than one character of the input: values may be secrets. */
static const char *describe(struct parser *P, const char *at, char buf[32])
{
	unsigned char c;

	if (at >= P->end)
		return "end of file";
	c = (unsigned char)*at;
	if (c == '\n' || (c == '\r' && at + 1 < P->end && at[1] == '\n'))
		return "end of line";
	if (c > 0x20 && c < 0x7F)
		snprintf(buf, 32, "'%c'", c);
	else if (c == ' ')
		return "a space";
	else if (c == '\t')
		return "a tab";
	else if (c < 0x80)
		snprintf(buf, 32, "control character U+%04X", c);
	else
		return "a non-ASCII character";
	return buf;
}

static int is_bare(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Append a key segment as it would be written in TOML (quoted if needed). */
static void add_key_display(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;
	int bare = len > 0;

	for (i = 0; i < len; i++)
		if (!is_bare((unsigned char)s[i]))
			bare = 0;
	if (bare) {
		strbuf_add(sb, s, len);
		return;
	}
	strbuf_addch(sb, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c < 0x20 || c == 0x7F)
			strbuf_addf(sb, "\\u%04X", c);
		else
			strbuf_addch(sb, c);
	}
	strbuf_addch(sb, '"');
}

/* The first n segments of k as written in TOML, for messages; with `wrap`
 * in double quotes when all segments are bare ("a.b", but a."x y" as is).
 * Valid until the next call. */
static const char *key_text(struct parser *P, struct key *k, size_t n, int wrap)
{
	size_t i;

	strbuf_reset(&P->scratch);
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&P->scratch, '.');
		add_key_display(&P->scratch, k->seg[i].s, k->seg[i].len);
	}
	if (wrap && !memchr(P->scratch.buf, '"', P->scratch.len)) {
		strbuf_addch(&P->scratch, '"');
		memmove(P->scratch.buf + 1, P->scratch.buf, P->scratch.len - 1);
		P->scratch.buf[0] = '"';
		strbuf_addch(&P->scratch, '"');
	}
	return P->scratch.buf;
}

static const char *key_display(struct parser *P, struct key *k, size_t n)
{
	return key_text(P, k, n, 1);
}

static const char *header_display(struct parser *P, struct key *k)
{
	return key_text(P, k, k->nr, 0);
}

/* what a value is, with an article, for messages: "an integer", "an inline table" */
static const char *what_is(const struct toml_value *v)
{
	unsigned f = node_of(v)->flags;

	switch (v->type) {
	case TOML_STRING: return "a string";
	case TOML_INTEGER: return "an integer";
	case TOML_FLOAT: return "a float";
	case TOML_BOOL: return "a boolean";
	case TOML_DATETIME: return "an offset date-time";
	case TOML_DATETIME_LOCAL: return "a local date-time";
	case TOML_DATE_LOCAL: return "a local date";
	case TOML_TIME_LOCAL: return "a local time";
	case TOML_ARRAY: return f & F_AOT ? "an array of tables" : "an array";
	case TOML_TABLE: return f & F_INLINE ? "an inline table" : "a table";
	}
	return "a value";
}

static void key_release(struct key *k)
{
	size_t i;

	for (i = 0; i < k->nr; i++)
		free(k->seg[i].s);
	free(k->seg);
	k->seg = NULL;
	k->nr = k->alloc = 0;
}

/* ---------- characters and whitespace ---------- */

static int at_end(struct parser *P)
{
	return P->p >= P->end;
}

static int peek(struct parser *P, size_t off)
{
	return P->p + off < P->end ? (unsigned char)P->p[off] : -1;
}

/* control characters TOML forbids in comments and strings (tab is allowed) */
static int is_bad_ctrl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7F;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_newline(struct parser *P)
{
	return peek(P, 0) == '\n' || (peek(P, 0) == '\r' && peek(P, 1) == '\n');
}

static void skip_ws(struct parser *P)
{
	while (!at_end(P) && (*P->p == ' ' || *P->p == '\t'))
		P->p++;
}

/* Consume one newline (LF or CRLF). A lone CR is not a newline in TOML. */
static int eat_newline(struct parser *P)
{
	if (peek(P, 0) == '\n') {
		P->p++;
		return 0;
	}
	if (peek(P, 0) == '\r' && peek(P, 1) == '\n') {
		P->p += 2;
		return 0;
	}
	return perr(P, P->p, "carriage return must be followed by a line feed");
}

/* Skip a comment up to (not including) the end of the line. */
static int skip_comment(struct parser *P)
{
	for (P->p++; !at_end(P) && *P->p != '\n'; P->p++) {
		unsigned char c = (unsigned char)*P->p;
		if (c == '\r' && peek(P, 1) == '\n')
			break;
		if (is_bad_ctrl(c))
			return perr(P, P->p, "control character U+%04X is not allowed in a comment", c);
	}
	return 0;
}

/* Whitespace, newlines and comments: what may separate array elements. */
static int skip_ws_nl_comments(struct parser *P)
{
	for (;;) {
		skip_ws(P);
		if (at_end(P))
			return 0;
		if (*P->p == '#') {
			if (skip_comment(P))
				return -1;
		} else if (*P->p == '\n' || *P->p == '\r') {
			if (eat_newline(P))
				return -1;
		} else {
			return 0;
		}
	}
}

/* After a key/value pair or a header only a comment may follow on the line. */
static int expect_eol(struct parser *P, const char *what)
{
	char buf[32];

	skip_ws(P);
	if (peek(P, 0) == '#' && skip_comment(P))
		return -1;
	if (at_end(P))
		return 0;
	if (*P->p == '\n' || *P->p == '\r')
		return eat_newline(P);
	return perr(P, P->p, "expected end of line after %s but found %s",
		    what, describe(P, P->p, buf));
}

/* ---------- UTF-8 ---------- */

/* Length of the valid UTF-8 sequence at s, or 0 if it is not valid
 * (overlong forms, surrogates and code points above U+10FFFF are not). */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	/* the second byte's range is narrower after a few lead bytes */
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if ((size_t)(end - s) < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

static int check_utf8(struct parser *P)
{
	const unsigned char *s = (const unsigned char *)P->text;
	const unsigned char *end = (const unsigned char *)P->end;

	while (s < end) {
		size_t n = utf8_len(s, end);
		if (!n) {
			perr(P, (const char *)s, "invalid UTF-8 byte sequence");
			fw_error_hint(P->err, "save the file with UTF-8 encoding");
			return -1;
		}
		s += n;
	}
	return 0;
}

static void add_utf8(struct strbuf *sb, uint32_t cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, 0xC0 | (cp >> 6));
		strbuf_addch(sb, 0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, 0xE0 | (cp >> 12));
		strbuf_addch(sb, 0x80 | ((cp >> 6) & 0x3F));
		strbuf_addch(sb, 0x80 | (cp & 0x3F));
	} else {
		strbuf_addch(sb, 0xF0 | (cp >> 18));
		strbuf_addch(sb, 0x80 | ((cp >> 12) & 0x3F));
		strbuf_addch(sb, 0x80 | ((cp >> 6) & 0x3F));
		strbuf_addch(sb, 0x80 | (cp & 0x3F));
	}
}

/* ---------- strings ---------- */

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX or \UXXXXXXXX; P->p is on the 'u' or 'U' */
static int parse_unicode_escape(struct parser *P, const char *esc, struct strbuf *out)
{
	int ndigits = *P->p == 'u' ? 4 : 8;
	uint32_t cp = 0;
	int i;

	P->p++;
	for (i = 0; i < ndigits; i++) {
		int h = hex_value(peek(P, 0));
		if (h < 0) {
			perr(P, esc, "\\%c escape needs %d hexadecimal digits",
			     ndigits == 4 ? 'u' : 'U', ndigits);
			return -1;
		}
		cp = cp << 4 | (uint32_t)h;
		P->p++;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return perr(P, esc, "escape \\%c%0*" PRIX32 " is not a Unicode scalar value",
			    ndigits == 4 ? 'u' : 'U', ndigits, cp);
	add_utf8(out, cp);
	return 0;
}

/* One escape sequence in a basic string; P->p is on the backslash. */
static int parse_escape(struct parser *P, struct strbuf *out)
{
	const char *esc = P->p;
	char buf[32];
	int c;

	P->p++;
	c = peek(P, 0);
	switch (c) {
	case 'b': strbuf_addch(out, '\b'); break;
	case 't': strbuf_addch(out, '\t'); break;
	case 'n': strbuf_addch(out, '\n'); break;
	case 'f': strbuf_addch(out, '\f'); break;
	case 'r': strbuf_addch(out, '\r'); break;
	case '"': strbuf_addch(out, '"'); break;
	case '\\': strbuf_addch(out, '\\'); break;
	case 'u':
	case 'U':
		return parse_unicode_escape(P, esc, out);
	default:
		perr(P, esc, "invalid escape sequence: backslash followed by %s",
		     describe(P, P->p, buf));
		fw_error_hint(P->err, "valid escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX "
			      "\\UXXXXXXXX; use a 'literal string' to keep backslashes as written");
		return -1;
	}
	P->p++;
	return 0;
}

static int bad_ctrl_in_string(struct parser *P)
{
	perr(P, P->p, "control character U+%04X is not allowed in a string",
	     (unsigned char)*P->p);
	fw_error_hint(P->err, "write it as an escape sequence such as \\u%04X in a \"basic string\"",
		      (unsigned char)*P->p);
	return -1;
}

static int unterminated(struct parser *P, const char *start, const char *kind)
{
	perr(P, start, "unterminated %s", kind);
	if (!strstr(kind, "multi-line"))
		fw_error_hint(P->err, "a string must end on the line where it starts; "
			      "use \"\"\" or ''' for multi-line strings");
	return -1;
}

/* "basic string" or 'literal string' on one line; P->p is on the quote */
static int parse_line_string(struct parser *P, struct strbuf *out)
{
	const char *start = P->p;
	char quote = *P->p;

	P->p++;
	for (;;) {
		unsigned char c;

		if (at_end(P) || is_newline(P))
			return unterminated(P, start, quote == '"' ? "string" : "literal string");
		c = (unsigned char)*P->p;
		if (c == (unsigned char)quote) {
			P->p++;
			return 0;
		}
		if (c == '\\' && quote == '"') {
			if (parse_escape(P, out))
				return -1;
			continue;
		}
		if (is_bad_ctrl(c))
			return bad_ctrl_in_string(P);
		strbuf_addch(out, c);
		P->p++;
	}
}

/* A backslash at the end of a line in a multi-line basic string removes it
 * and all whitespace and newlines that follow. Returns 1 when P->p was on
 * such a backslash (now consumed), 0 if it starts an ordinary escape. */
static int line_ending_backslash(struct parser *P)
{
	const char *q = P->p + 1;

	while (q < P->end && (*q == ' ' || *q == '\t'))
		q++;
	if (q >= P->end || !(*q == '\n' || (*q == '\r' && q + 1 < P->end && q[1] == '\n')))
		return 0;
	P->p = q;
	while (!at_end(P) && (*P->p == ' ' || *P->p == '\t' || is_newline(P)))
		P->p += *P->p == '\r' ? 2 : 1;
	return 1;
}

/* A run of quotes inside a multi-line string: fewer than three are content,
 * three to five close the string (the extra one or two being content). */
static int ml_quotes(struct parser *P, struct strbuf *out, char quote, int *closed)
{
	const char *run = P->p;
	size_t n = 0, i;

	while (peek(P, n) == quote)
		n++;
	*closed = n >= 3;
	if (n > 5)
		return perr(P, run + 5, "too many quotes at the end of a multi-line string");
	for (i = 0; i < (*closed ? n - 3 : n); i++)
		strbuf_addch(out, quote);
	P->p += n;
	return 0;
}

/* """multi-line basic""" or '''multi-line literal'''; P->p is on the first quote */
static int parse_ml_string(struct parser *P, struct strbuf *out)
{
	const char *start = P->p;
	char quote = *P->p;
	const char *kind = quote == '"' ? "multi-line string" : "multi-line literal string";

	P->p += 3;
	if (is_newline(P))  /* a newline right after the opening quotes is trimmed */
		P->p += *P->p == '\r' ? 2 : 1;
	for (;;) {
		unsigned char c;
		int closed;

		if (at_end(P))
			return unterminated(P, start, kind);
		c = (unsigned char)*P->p;
		if (c == (unsigned char)quote) {
			if (ml_quotes(P, out, quote, &closed))
				return -1;
			if (closed)
				return 0;
		} else if (c == '\\' && quote == '"') {
			if (!line_ending_backslash(P) && parse_escape(P, out))
				return -1;
		} else if (c == '\n' || c == '\r') {
			if (eat_newline(P))
				return -1;
			strbuf_addch(out, '\n');  /* CRLF is read as one newline */
		} else if (is_bad_ctrl(c)) {
			return bad_ctrl_in_string(P);
		} else {
			strbuf_addch(out, c);
			P->p++;
		}
	}
}

static int starts_ml(struct parser *P)
{
	return peek(P, 1) == peek(P, 0) && peek(P, 2) == peek(P, 0);
}

static int parse_string(struct parser *P, struct strbuf *out)
{
	return starts_ml(P) ? parse_ml_string(P, out) : parse_line_string(P, out);
}

/* ---------- keys ---------- */

static int parse_simple_key(struct parser *P, struct strbuf *out)
{
	char buf[32];
	int c = peek(P, 0);

	if (c == '"' || c == '\'') {
		if (starts_ml(P))
			return perr(P, P->p, "a multi-line string cannot be used as a key");
		return parse_line_string(P, out);
	}
	if (c < 0 || !is_bare((unsigned char)c)) {
		perr(P, P->p, "expected a key but found %s", describe(P, P->p, buf));
		if (c == '=')
			fw_error_hint(P->err, "a key cannot be empty; write \"\" for an empty key");
		else if (c >= 0x80 || c == ' ')
			fw_error_hint(P->err, "bare keys may contain only A-Z a-z 0-9 _ and -; "
				      "put other keys in quotes");
		return -1;
	}
	while (!at_end(P) && is_bare((unsigned char)*P->p))
		strbuf_addch(out, *P->p++);
	return 0;
}

/* key = simple-key *( ws "." ws simple-key ); also skips whitespace after */
static int parse_key(struct parser *P, struct key *k)
{
	struct strbuf sb = STRBUF_INIT;

	for (;;) {
		struct keyseg *seg;

		skip_ws(P);
		ALLOC_GROW(k->seg, k->nr, k->alloc);
		seg = &k->seg[k->nr];
		seg->at = P->p;
		if (parse_simple_key(P, &sb)) {
			strbuf_release(&sb);
			return -1;
		}
		seg->s = strbuf_detach(&sb, &seg->len);
		k->nr++;
		skip_ws(P);
		if (peek(P, 0) != '.')
			return 0;
		P->p++;
	}
}

/* ---------- numbers ---------- */

static int is_digit_of(int c, int radix)
{
	if (radix == 16)
		return hex_value(c) >= 0;
	return c >= '0' && c < '0' + radix;
}

/* Consume digits of `radix` at s[*i], where an underscore is allowed only
 * between two digits. Returns the number of digits, or -1 for a misplaced '_'. */
static long digit_run(const char *s, size_t len, size_t *i, int radix)
{
	long n = 0;

	while (*i < len) {
		if (is_digit_of((unsigned char)s[*i], radix)) {
			n++;
		} else if (s[*i] == '_') {
			if (!n || *i + 1 >= len || !is_digit_of((unsigned char)s[*i + 1], radix))
				return -1;
		} else {
			break;
		}
		(*i)++;
	}
	return n;
}

/* Accumulate the digits of s (underscores skipped) in `radix`, failing when
 * the magnitude exceeds `limit`. */
static int accumulate(const char *s, size_t len, int radix, uint64_t limit, uint64_t *out)
{
	uint64_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		uint64_t d;
		if (s[i] == '_')
			continue;
		d = (uint64_t)hex_value((unsigned char)s[i]);
		if (acc > (limit - d) / (uint64_t)radix)
			return -1;
		acc = acc * (uint64_t)radix + d;
	}
	*out = acc;
	return 0;
}

static int int_out_of_range(struct parser *P, const char *at)
{
	perr(P, at, "integer out of range");
	fw_error_hint(P->err, "integers must fit in 64 bits (-9223372036854775808 to "
		      "9223372036854775807)");
	return -1;
}

static int bad_number(struct parser *P, const char *at, const char *why)
{
	return perr(P, at, "invalid number: %s", why);
}

/* 0x.., 0o.., 0b.. integers: no sign, no leading underscore */
static int parse_radix_int(struct parser *P, const char *s, size_t len, struct toml_value **out)
{
	int radix = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
	size_t i = 2;
	long nd = digit_run(s, len, &i, radix);
	uint64_t u;

	if (nd < 0)
		return bad_number(P, s + i, "'_' must be between two digits");
	if (nd == 0 || i != len)
		return bad_number(P, s + i, radix == 16 ? "expected a hexadecimal digit" :
				  radix == 8 ? "expected an octal digit" : "expected a binary digit");
	if (accumulate(s + 2, len - 2, radix, INT64_MAX, &u))
		return int_out_of_range(P, s);
	*out = new_value(P, TOML_INTEGER, s);
	(*out)->u.i = (int64_t)u;
	return 0;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* strtod that always reads '.' as the decimal point, whatever setlocale() said */
static double c_strtod(const char *s, char **end)
{
	pthread_once(&c_locale_once, make_c_locale);
	if (c_locale)
		return strtod_l(s, end, c_locale);
	return strtod(s, end);
}

static int make_float(struct parser *P, const char *s, size_t len, struct toml_value **out)
{
	struct strbuf digits = STRBUF_INIT;
	double d;
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != '_')
			strbuf_addch(&digits, s[i]);
	errno = 0;
	d = c_strtod(digits.buf, NULL);
	strbuf_release(&digits);
	if (errno == ERANGE && isinf(d))
		return perr(P, s, "float out of range");
	*out = new_value(P, TOML_FLOAT, s);
	(*out)->u.f = d;
	return 0;
}

static int make_int(struct parser *P, const char *s, size_t len, struct toml_value **out)
{
	int neg = s[0] == '-';
	size_t skip = (s[0] == '-' || s[0] == '+');
	uint64_t u;

	/* the magnitude of INT64_MIN is one more than INT64_MAX */
	if (accumulate(s + skip, len - skip, 10, neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX, &u))
		return int_out_of_range(P, s);
	*out = new_value(P, TOML_INTEGER, s);
	if (neg)
		(*out)->u.i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
	else
		(*out)->u.i = (int64_t)u;
	return 0;
}

/* an unquoted word that is not true, false, inf or nan */
static int bare_word(struct parser *P, const char *at)
{
	perr(P, at, "expected a value but found a bare word");
	fw_error_hint(P->err, "booleans are true and false, special floats inf and nan, all in "
		      "lower case; strings must be quoted, as in key = \"value\"");
	return -1;
}

static int parse_inf_nan(struct parser *P, const char *s, size_t len, struct toml_value **out)
{
	const char *word = s + (s[0] == '+' || s[0] == '-');
	double d;

	if ((size_t)(word - s) + 3 != len || (memcmp(word, "inf", 3) && memcmp(word, "nan", 3)))
		return bare_word(P, s);
	d = word[0] == 'i' ? INFINITY : NAN;
	*out = new_value(P, TOML_FLOAT, s);
	(*out)->u.f = s[0] == '-' ? -d : d;
	return 0;
}

/* decimal integer or float: [+-] int [. frac] [e [+-] exp] */
static int parse_decimal(struct parser *P, const char *s, size_t len, struct toml_value **out)
{
	size_t i = (s[0] == '+' || s[0] == '-');
	size_t int_start = i;
	int is_float = 0;
	long nd;

	if (i < len && (s[i] == 'i' || s[i] == 'n'))
		return parse_inf_nan(P, s, len, out);
	if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b'))
		return bad_number(P, s, "a hexadecimal, octal or binary integer cannot have a sign");
	nd = digit_run(s, len, &i, 10);
	if (nd < 0)
		return bad_number(P, s + i, "'_' must be between two digits");
	if (nd == 0)
		return bad_number(P, s + i, "expected a digit");
	if (s[int_start] == '0' && nd > 1)
		return bad_number(P, s + int_start, "leading zeros are not allowed");
	if (i < len && s[i] == '.') {
		i++;
		is_float = 1;
		nd = digit_run(s, len, &i, 10);
		if (nd <= 0)
			return bad_number(P, s + i, "expected a digit after the decimal point");
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		is_float = 1;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		nd = digit_run(s, len, &i, 10);
		if (nd <= 0)
			return bad_number(P, s + i, "expected a digit in the exponent");
	}
	if (i != len)
		return bad_number(P, s + i, "unexpected character");
	return is_float ? make_float(P, s, len, out) : make_int(P, s, len, out);
}

/* ---------- dates and times ---------- */

/* exactly n digits at s[*i] */
static int take_digits(const char *s, size_t len, size_t *i, int n, int *out)
{
	int v = 0, k;

	for (k = 0; k < n; k++) {
		if (*i >= len || !is_digit((unsigned char)s[*i]))
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	*out = v;
	return 0;
}

static int take_char(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

static int bad_datetime(struct parser *P, const char *at, const char *why)
{
	perr(P, at, "invalid date-time: %s", why);
	fw_error_hint(P->err, "write dates as 1979-05-27, times as 07:32:00 and date-times "
		      "as 1979-05-27T07:32:00Z");
	return -1;
}

/* YYYY-MM-DD at s[*i], range checked; appended to canon */
static int parse_date_part(struct parser *P, const char *s, size_t len, size_t *i,
			   struct strbuf *canon)
{
	int y, m, d;
	size_t start = *i;

	if (take_digits(s, len, i, 4, &y) || take_char(s, len, i, '-') ||
	    take_digits(s, len, i, 2, &m) || take_char(s, len, i, '-') ||
	    take_digits(s, len, i, 2, &d))
		return bad_datetime(P, s + *i, "expected a date of the form YYYY-MM-DD");
	if (m < 1 || m > 12)
		return bad_datetime(P, s + start + 5, "month must be 01 to 12");
	if (d < 1 || d > days_in_month(y, m))
		return bad_datetime(P, s + start + 8, "day is out of range for the month");
	strbuf_addf(canon, "%04d-%02d-%02d", y, m, d);
	return 0;
}

/* HH:MM:SS[.fraction] at s[*i], range checked; appended to canon */
static int parse_time_part(struct parser *P, const char *s, size_t len, size_t *i,
			   struct strbuf *canon)
{
	int h, m, sec;
	size_t start = *i;

	if (take_digits(s, len, i, 2, &h) || take_char(s, len, i, ':') ||
	    take_digits(s, len, i, 2, &m) || take_char(s, len, i, ':') ||
	    take_digits(s, len, i, 2, &sec))
		return bad_datetime(P, s + *i, "expected a time of the form HH:MM:SS");
	if (h > 23)
		return bad_datetime(P, s + start, "hour must be 00 to 23");
	if (m > 59)
		return bad_datetime(P, s + start + 3, "minute must be 00 to 59");
	if (sec > 60)  /* 60 is a leap second */
		return bad_datetime(P, s + start + 6, "second must be 00 to 60");
	strbuf_addf(canon, "%02d:%02d:%02d", h, m, sec);
	if (*i < len && s[*i] == '.') {
		size_t frac = ++(*i);
		while (*i < len && is_digit((unsigned char)s[*i]))
			(*i)++;
		if (*i == frac)
			return bad_datetime(P, s + *i, "expected digits after the decimal point");
		strbuf_add(canon, s + frac - 1, *i - frac + 1);
	}
	return 0;
}

/* Z or +HH:MM / -HH:MM at s[*i] */
static int parse_offset_part(struct parser *P, const char *s, size_t len, size_t *i,
			     struct strbuf *canon)
{
	int h, m;
	size_t start = *i;
	char sign;

	if (s[*i] == 'Z' || s[*i] == 'z') {
		(*i)++;
		strbuf_addch(canon, 'Z');
		return 0;
	}
	sign = s[*i];
	if (sign != '+' && sign != '-')
		return bad_datetime(P, s + *i, "expected Z or a time zone offset like +01:00");
	(*i)++;
	if (take_digits(s, len, i, 2, &h) || take_char(s, len, i, ':') ||
	    take_digits(s, len, i, 2, &m))
		return bad_datetime(P, s + *i, "a time zone offset must be +HH:MM or -HH:MM");
	if (h > 23 || m > 59)
		return bad_datetime(P, s + start, "time zone offset out of range");
	strbuf_addf(canon, "%c%02d:%02d", sign, h, m);
	return 0;
}

static int parse_datetime(struct parser *P, const char *s, size_t len, struct toml_value **out)
{
	struct strbuf canon = STRBUF_INIT;
	enum toml_type t;
	size_t i = 0;
	int has_date = len >= 5 && s[4] == '-';

	if (has_date && parse_date_part(P, s, len, &i, &canon))
		goto fail;
	if (has_date && i == len) {
		t = TOML_DATE_LOCAL;
		goto done;
	}
	if (has_date) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') {
			bad_datetime(P, s + i, "expected T between date and time");
			goto fail;
		}
		i++;
		strbuf_addch(&canon, 'T');
	}
	if (parse_time_part(P, s, len, &i, &canon))
		goto fail;
	t = has_date ? TOML_DATETIME_LOCAL : TOML_TIME_LOCAL;
	if (i < len) {
		if (!has_date) {
			bad_datetime(P, s + i, "a time without a date cannot have a time zone");
			goto fail;
		}
		if (parse_offset_part(P, s, len, &i, &canon))
			goto fail;
		t = TOML_DATETIME;
	}
	if (i != len) {
		bad_datetime(P, s + i, "unexpected character");
		goto fail;
	}
done:
	*out = new_value(P, t, s);
	(*out)->u.str.s = strbuf_detach(&canon, &(*out)->u.str.len);
	return 0;
fail:
	strbuf_release(&canon);
	return -1;
}

static int is_token_char(int c)
{
	return c >= 0 && (is_bare((unsigned char)c) || c == '+' || c == '.' || c == ':');
}

/* A number or a date/time: read the whole token first, then decide. */
static int parse_number_or_datetime(struct parser *P, struct toml_value **out)
{
	const char *s = P->p;
	size_t len;

	while (is_token_char(peek(P, 0)))
		P->p++;
	len = (size_t)(P->p - s);
	/* "1979-05-27 07:32:00": a space may separate date and time */
	if (len == 10 && s[4] == '-' && peek(P, 0) == ' ' && is_digit(peek(P, 1)) &&
	    is_digit(peek(P, 2)) && peek(P, 3) == ':') {
		P->p++;
		while (is_token_char(peek(P, 0)))
			P->p++;
		len = (size_t)(P->p - s);
	}
	if ((len >= 5 && is_digit((unsigned char)s[0]) && s[4] == '-' &&
	     is_digit((unsigned char)s[1]) && is_digit((unsigned char)s[2]) &&
	     is_digit((unsigned char)s[3])) ||
	    (len >= 3 && is_digit((unsigned char)s[0]) && is_digit((unsigned char)s[1]) &&
	     s[2] == ':'))
		return parse_datetime(P, s, len, out);
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b'))
		return parse_radix_int(P, s, len, out);
	return parse_decimal(P, s, len, out);
}

/* ---------- values ---------- */

static int parse_value(struct parser *P, struct toml_value **out, int depth);
static int parse_keyval(struct parser *P, struct toml_value *table, int depth);

static int too_deep(struct parser *P, const char *at)
{
	perr(P, at, "nesting too deep (more than %d levels)", TOML_MAX_DEPTH);
	return -1;
}

static int parse_string_value(struct parser *P, struct toml_value **out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *at = P->p;

	if (parse_string(P, &sb)) {
		strbuf_release(&sb);
		return -1;
	}
	*out = new_value(P, TOML_STRING, at);
	(*out)->u.str.s = strbuf_detach(&sb, &(*out)->u.str.len);
	return 0;
}

static int parse_bool(struct parser *P, struct toml_value **out)
{
	const char *s = P->p;
	size_t len = 0;
	int b, c;

	while ((c = peek(P, len)) >= 0 && is_bare((unsigned char)c))
		len++;
	if (len == 4 && !memcmp(s, "true", 4))
		b = 1;
	else if (len == 5 && !memcmp(s, "false", 5))
		b = 0;
	else
		return bare_word(P, s);
	P->p += len;
	*out = new_value(P, TOML_BOOL, s);
	(*out)->u.b = b;
	return 0;
}

static int parse_array(struct parser *P, struct toml_value **out, int depth)
{
	struct toml_value *a = new_value(P, TOML_ARRAY, P->p);
	char buf[32];

	node_of(a)->flags = F_INLINE;
	P->p++;
	for (;;) {
		struct toml_value *item;

		if (skip_ws_nl_comments(P))
			goto fail;
		if (peek(P, 0) == ']')
			break;
		if (parse_value(P, &item, depth + 1))
			goto fail;
		array_add(a, item);
		if (skip_ws_nl_comments(P))
			goto fail;
		if (peek(P, 0) == ',') {
			P->p++;
			continue;
		}
		if (peek(P, 0) == ']')
			break;
		perr(P, P->p, "expected ',' or ']' after an array element but found %s",
		     describe(P, P->p, buf));
		goto fail;
	}
	P->p++;
	*out = a;
	return 0;
fail:
	toml_free(a);
	return -1;
}

static int parse_inline_table(struct parser *P, struct toml_value **out, int depth)
{
	struct toml_value *t = new_value(P, TOML_TABLE, P->p);
	char buf[32];

	P->p++;
	skip_ws(P);
	if (peek(P, 0) == '}')
		goto done;
	for (;;) {
		skip_ws(P);
		if (peek(P, 0) == '}') {
			perr(P, P->p, "trailing comma in an inline table");
			goto fail;
		}
		if (parse_keyval(P, t, depth))
			goto fail;
		skip_ws(P);
		if (peek(P, 0) == ',') {
			P->p++;
			continue;
		}
		if (peek(P, 0) == '}')
			break;
		perr(P, P->p, "expected ',' or '}' after a key/value pair in an inline table "
		     "but found %s", describe(P, P->p, buf));
		if (at_end(P) || is_newline(P) || peek(P, 0) == '#')
			fw_error_hint(P->err, "an inline table must be written on one line; "
				      "use a [table] section for longer tables");
		goto fail;
	}
done:
	P->p++;
	node_of(t)->flags |= F_INLINE;
	*out = t;
	return 0;
fail:
	toml_free(t);
	return -1;
}

static int parse_value(struct parser *P, struct toml_value **out, int depth)
{
	char buf[32];
	int c = peek(P, 0);

	if (depth > TOML_MAX_DEPTH)
		return too_deep(P, P->p);
	if (c == '"' || c == '\'')
		return parse_string_value(P, out);
	if (c == '[')
		return parse_array(P, out, depth);
	if (c == '{')
		return parse_inline_table(P, out, depth);
	if (c == 't' || c == 'f')
		return parse_bool(P, out);
	if (is_digit(c) || c == '+' || c == '-' || c == 'i' || c == 'n')
		return parse_number_or_datetime(P, out);
	perr(P, P->p, "expected a value but found %s", describe(P, P->p, buf));
	if (c >= 0 && (is_bare((unsigned char)c) || c >= 0x80))
		fw_error_hint(P->err, "strings must be quoted, as in key = \"value\"");
	return -1;
}

/* ---------- tables ---------- */

/* The dotted part of a key in a key/value pair: find or create the table
 * for segment seg inside t. */
static struct toml_value *descend_dotted(struct parser *P, struct toml_value *t,
					 struct key *k, size_t seg)
{
	struct keyseg *ks = &k->seg[seg];
	struct toml_value *v = toml_getn(t, ks->s, ks->len);
	unsigned *flags;

	if (!v) {
		v = new_value(P, TOML_TABLE, ks->at);
		node_of(v)->flags = F_DOTTED;
		table_add_seg(t, ks, v);
		return v;
	}
	flags = &node_of(v)->flags;
	if (v->type != TOML_TABLE) {
		perr(P, ks->at, "cannot add keys to %s: it is already %s (line %d)",
		     key_display(P, k, seg + 1), what_is(v), v->line);
		return NULL;
	}
	if (*flags & F_INLINE) {
		perr(P, ks->at, "cannot add keys to inline table %s (line %d)",
		     key_display(P, k, seg + 1), v->line);
		fw_error_hint(P->err, "an inline table is complete where it is written; "
			      "put all its keys inside the braces");
		return NULL;
	}
	if (*flags & F_DEFINED) {
		perr(P, ks->at, "cannot add keys to table %s with dotted keys: it is "
		     "defined by a [table] header (line %d)", key_display(P, k, seg + 1), v->line);
		fw_error_hint(P->err, "put the keys under that [table] header instead");
		return NULL;
	}
	*flags |= F_DOTTED;
	return v;
}

static int parse_keyval(struct parser *P, struct toml_value *table, int depth)
{
	struct key k = { NULL, 0, 0 };
	struct toml_value *t = table, *v, *old;
	struct keyseg *last;
	char buf[32];
	size_t i;

	if (parse_key(P, &k))
		goto fail;
	last = &k.seg[k.nr - 1];
	if (peek(P, 0) != '=') {
		perr(P, P->p, "expected '=' after key %s but found %s",
		     key_display(P, &k, k.nr), describe(P, P->p, buf));
		goto fail;
	}
	P->p++;
	skip_ws(P);
	for (i = 0; i + 1 < k.nr; i++) {
		if (++depth > TOML_MAX_DEPTH) {
			too_deep(P, k.seg[i].at);
			goto fail;
		}
		if (!(t = descend_dotted(P, t, &k, i)))
			goto fail;
	}
	old = toml_getn(t, last->s, last->len);
	if (old) {
		perr(P, last->at, "duplicate key %s", key_display(P, &k, k.nr));
		fw_error_detail(P->err, "first defined at line %d, column %d", old->line, old->col);
		goto fail;
	}
	if (parse_value(P, &v, depth + 1))
		goto fail;
	table_add_seg(t, last, v);
	key_release(&k);
	return 0;
fail:
	key_release(&k);
	return -1;
}

/* An intermediate segment of a [header]: may pass through any table that is
 * not inline, creating missing ones, and into the last element of an array of
 * tables. Updates *depth by the number of tree levels stepped down. */
static struct toml_value *descend_header(struct parser *P, struct toml_value *t,
					 struct key *k, size_t seg, const char *hdr, int *depth)
{
	struct keyseg *ks = &k->seg[seg];
	struct toml_value *v = toml_getn(t, ks->s, ks->len);

	if (++*depth > TOML_MAX_DEPTH) {
		too_deep(P, ks->at);
		return NULL;
	}
	if (!v) {
		v = new_value(P, TOML_TABLE, hdr);
		table_add_seg(t, ks, v);
		return v;
	}
	if (v->type == TOML_TABLE && !(node_of(v)->flags & F_INLINE))
		return v;
	if (v->type == TOML_ARRAY && (node_of(v)->flags & F_AOT)) {
		++*depth;  /* the array, then its element */
		return v->u.arr.items[v->u.arr.nr - 1];
	}
	perr(P, ks->at, "cannot use %s as a table: it is already %s (line %d)",
	     key_display(P, k, seg + 1), what_is(v), v->line);
	if (v->type == TOML_ARRAY)
		fw_error_hint(P->err, "only arrays created with [[...]] headers can be "
			      "extended by later headers");
	return NULL;
}

/* the last segment of a [table] header */
static struct toml_value *define_table(struct parser *P, struct toml_value *t,
				       struct key *k, const char *hdr)
{
	struct keyseg *ks = &k->seg[k->nr - 1];
	struct toml_value *v = toml_getn(t, ks->s, ks->len);
	unsigned f;

	if (!v) {
		v = new_value(P, TOML_TABLE, hdr);
		node_of(v)->flags = F_DEFINED;
		table_add_seg(t, ks, v);
		return v;
	}
	f = node_of(v)->flags;
	if (v->type == TOML_TABLE && !(f & (F_DEFINED | F_DOTTED | F_INLINE))) {
		/* created implicitly by an earlier [a.b.c]: defining it now is fine */
		node_of(v)->flags |= F_DEFINED;
		locate(P, hdr, &v->line, &v->col);
		return v;
	}
	if (v->type != TOML_TABLE)
		perr(P, hdr, "cannot define table [%s]: the key is already %s (line %d)",
		     header_display(P, k), what_is(v), v->line);
	else if (f & F_INLINE)
		perr(P, hdr, "cannot define table [%s]: it is already an inline table (line %d)",
		     header_display(P, k), v->line);
	else if (f & F_DOTTED)
		perr(P, hdr, "cannot define table [%s]: it was already created with dotted "
		     "keys (line %d)", header_display(P, k), v->line);
	else
		perr(P, hdr, "table [%s] is defined more than once (first at line %d)",
		     header_display(P, k), v->line);
	return NULL;
}

/* the last segment of an [[array of tables]] header: append a new element */
static struct toml_value *append_aot(struct parser *P, struct toml_value *t,
				     struct key *k, const char *hdr, int *depth)
{
	struct keyseg *ks = &k->seg[k->nr - 1];
	struct toml_value *arr = toml_getn(t, ks->s, ks->len);
	struct toml_value *elem;

	if (!arr) {
		arr = new_value(P, TOML_ARRAY, hdr);
		node_of(arr)->flags = F_AOT;
		table_add_seg(t, ks, arr);
	} else if (arr->type != TOML_ARRAY || !(node_of(arr)->flags & F_AOT)) {
		perr(P, hdr, "cannot define array of tables [[%s]]: the key is already %s "
		     "(line %d)", header_display(P, k), what_is(arr), arr->line);
		if (arr->type == TOML_ARRAY)
			fw_error_hint(P->err, "[[...]] can only add to arrays created by [[...]]");
		return NULL;
	}
	elem = new_value(P, TOML_TABLE, hdr);
	node_of(elem)->flags = F_DEFINED;
	array_add(arr, elem);
	*depth += 2;
	return elem;
}

static int parse_header(struct parser *P)
{
	const char *hdr = P->p;
	int aot = peek(P, 1) == '[';
	struct key k = { NULL, 0, 0 };
	struct toml_value *t = P->root;
	int depth = 0;
	char buf[32];
	size_t i;

	P->p += aot ? 2 : 1;
	if (parse_key(P, &k))
		goto fail;
	if (peek(P, 0) != ']' || (aot && peek(P, 1) != ']')) {
		perr(P, P->p, "expected '%s' to close the table header but found %s",
		     aot ? "]]" : "]", describe(P, P->p, buf));
		goto fail;
	}
	P->p += aot ? 2 : 1;
	for (i = 0; t && i + 1 < k.nr; i++)
		t = descend_header(P, t, &k, i, hdr, &depth);
	if (t && aot) {
		t = append_aot(P, t, &k, hdr, &depth);
	} else if (t) {
		t = define_table(P, t, &k, hdr);
		depth++;
	}
	if (!t)
		goto fail;
	if (depth > TOML_MAX_DEPTH) {
		too_deep(P, hdr);
		goto fail;
	}
	key_release(&k);
	P->cur = t;
	P->cur_depth = depth;
	return 0;
fail:
	key_release(&k);
	return -1;
}

/* ---------- document ---------- */

static int parse_document(struct parser *P)
{
	for (;;) {
		skip_ws(P);
		if (at_end(P))
			return 0;
		if (*P->p == '#') {
			if (skip_comment(P))
				return -1;
		} else if (*P->p == '\n' || *P->p == '\r') {
			if (eat_newline(P))
				return -1;
		} else if (*P->p == '[') {
			if (parse_header(P) || expect_eol(P, "a table header"))
				return -1;
		} else {
			if (parse_keyval(P, P->cur, P->cur_depth) || expect_eol(P, "a value"))
				return -1;
		}
	}
}

int toml_parse(const char *text, size_t len, const char *filename,
	       struct toml_value **out, struct fw_error *err)
{
	struct parser P;

	memset(&P, 0, sizeof(P));
	/* a UTF-8 byte order mark is not part of the document */
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		len -= 3;
	}
	P.text = P.p = text;
	P.end = text + len;
	P.filename = filename ? filename : "<input>";
	P.err = err;
	strbuf_init(&P.scratch, 0);
	*out = NULL;
	if (check_utf8(&P))
		return -1;
	P.root = P.cur = new_value(&P, TOML_TABLE, text);
	if (parse_document(&P)) {
		toml_free(P.root);
		strbuf_release(&P.scratch);
		return -1;
	}
	strbuf_release(&P.scratch);
	*out = P.root;
	return 0;
}
