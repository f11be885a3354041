/* Streaming SQL statement splitter (see sqlsplit.h for the rules).
 *
 * Layout: a reader layer (fill/peekc/adv) keeps a window of the script in
 * `buf` and tracks line/col of the next unread byte; a lexer (scan and the
 * scan_* helpers) walks the window one token at a time and keeps only the
 * little state that decides where a statement ends: parenthesis depth, block
 * depth, the keyword just seen and the first keywords of the statement.
 *
 * Statement text is not copied byte by byte: `mark` remembers where the
 * not-yet-copied part of the text starts in the window, and flush() appends
 * buf[mark..pos) to `sink` in one go, when the window is about to be shifted
 * and when the statement ends.  A NULL sink means "discard" (leading
 * whitespace, delimiters, the rest of a COPY line).
 */
#include "sql/sqlsplit.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64 * 1024)
/* longest dollar-quote tag or delimiter we look ahead for; a longer $tag$ is
 * not taken as a dollar quote (PostgreSQL caps identifiers at 63 bytes) */
#define LOOKAHEAD_MAX 256
#define DELIM_MAX 32
#define WORD_MAX 64
#define MAX_KEYWORDS 10
#define MAX_BLOCK_DEPTH 256
/* no real script nests expressions this deep; the cap keeps counters sane */
#define MAX_PAREN_DEPTH 100000

/* keywords the splitter reacts to; everything else is KW_OTHER */
enum kw {
	KW_NONE,  /* "the previous token was not a keyword" */
	KW_OTHER,
	KW_AGGREGATE, KW_ATOMIC, KW_BEGIN, KW_CASE, KW_COPY, KW_CREATE, KW_DEFINER,
	KW_DELIMITER, KW_END, KW_EVENT, KW_FROM, KW_FUNCTION, KW_IF, KW_LOOP, KW_NOT,
	KW_OR, KW_PACKAGE, KW_PROCEDURE, KW_REPEAT, KW_SELECT, KW_STDIN, KW_TABLE,
	KW_TEMP, KW_TEMPORARY, KW_TRIGGER, KW_VALUES, KW_WHILE, KW_WITH,
};

#define KW(name) { #name, sizeof(#name) - 1, KW_##name }
static const struct { const char *name; size_t len; enum kw id; } kw_table[] = {
	KW(AGGREGATE), KW(ATOMIC), KW(BEGIN), KW(CASE), KW(COPY), KW(CREATE), KW(DEFINER),
	KW(DELIMITER), KW(END), KW(EVENT), KW(FROM), KW(FUNCTION), KW(IF), KW(LOOP),
	KW(NOT), KW(OR), KW(PACKAGE), KW(PROCEDURE), KW(REPEAT), KW(SELECT), KW(STDIN),
	KW(TABLE), KW(TEMP), KW(TEMPORARY), KW(TRIGGER), KW(VALUES), KW(WHILE), KW(WITH),
};
#undef KW

/* lexer state of the statement being read; reset for every statement */
struct stmt_state {
	int started;        /* a non-blank byte was seen: text is being captured */
	int has_tok;        /* a token other than a comment was seen */
	int first_paren;    /* the first token was "(" */
	long paren;
	int paren_line, paren_col;   /* the outermost open "(" */
	int block;
	int block_line, block_col;   /* the outermost open block */
	int pending_end;    /* END seen; what it closes depends on the next token */
	enum kw prev_kw;    /* keyword right before the current token, any depth */
	int prev_line, prev_col;
	enum kw first_kw;   /* first keyword at any depth */
	enum kw kws[MAX_KEYWORDS];   /* first keywords at depth 0 */
	int nkw;
	int routine;        /* stored program / trigger: BEGIN opens a block */
	int is_copy;        /* COPY ... FROM STDIN */
	int last_tok_line;  /* line where the last non-comment token ended */
	/* the word being read */
	int in_word, walpha, wfirst, wline_start, wline, wcol;
	size_t wlen;
	char word[WORD_MAX];
	size_t slen;
	char simplified[sizeof(((struct sql_stmt *)0)->simplified)];
};

struct sqlsplit {
	enum sql_dialect dialect;
	sql_read_fn read;
	void *ctx;
	char *filename;
	char *own;            /* window storage when streaming; NULL in memory mode */
	const char *buf;      /* the window */
	size_t len, pos, cap; /* bytes in the window, next unread byte, window size */
	size_t mark;          /* start of text not yet flushed to sink */
	struct strbuf *sink;
	int eof, read_err, failed;
	int line, col;        /* position of buf[pos] */
	int nul_line, nul_col; /* first NUL byte read, 0 = none */
	char delim[DELIM_MAX + 1];
	size_t dlen;
	char tag[LOOKAHEAD_MAX];   /* current dollar-quote tag */
	size_t tlen;
	struct sql_stmt *out; /* statement being filled by sqlsplit_next */
	struct stmt_state st;
};

/* ---- reader layer ---- */

static void flush(struct sqlsplit *s)
{
	if (s->sink && s->pos > s->mark)
		strbuf_add(s->sink, s->buf + s->mark, s->pos - s->mark);
	s->mark = s->pos;
}

/* make at least `need` unread bytes available unless the script ends first;
 * returns how many are available */
static size_t fill(struct sqlsplit *s, size_t need)
{
	if (s->len - s->pos >= need || s->eof)
		return s->len - s->pos;
	/* shift the unread tail to the front; pending text goes to the sink first */
	flush(s);
	memmove(s->own, s->own + s->pos, s->len - s->pos);
	s->len -= s->pos;
	s->pos = s->mark = 0;
	while (s->len < need && !s->eof) {
		size_t room = s->cap - s->len;
		long r = s->read(s->ctx, s->own + s->len, room);
		if (r < 0 || (size_t)r > room)
			s->read_err = s->eof = 1;
		else if (r == 0)
			s->eof = 1;
		else
			s->len += (size_t)r;
	}
	return s->len - s->pos;
}

/* byte k positions ahead, or -1 past the end */
static inline int peekc(struct sqlsplit *s, size_t k)
{
	if (s->pos + k < s->len || fill(s, k + 1) > k)
		return (unsigned char)s->buf[s->pos + k];
	return -1;
}

/* consume one byte; columns count characters, so UTF-8 continuation bytes
 * and the CR of CRLF do not advance them */
static inline void adv(struct sqlsplit *s)
{
	unsigned char c = (unsigned char)s->buf[s->pos++];
	if (c == '\n') {
		s->line++;
		s->col = 1;
	} else if ((c & 0xC0) != 0x80 && c != '\r') {
		if (c == '\0' && !s->nul_line) {
			s->nul_line = s->line;
			s->nul_col = s->col;
		}
		s->col++;
	}
}

static void adv_n(struct sqlsplit *s, size_t n)
{
	while (n--)
		adv(s);
}

/* ---- character classes ---- */

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* identifier, keyword or number character ('$' as in MySQL and PostgreSQL
 * identifiers and $1 parameters) */
static int is_word_char(int c)
{
	return c >= 0 && (is_alpha(c) || is_digit(c) || c == '$' || c >= 0x80);
}

static int is_tag_start(int c)
{
	return c >= 0 && (is_alpha(c) || c >= 0x80);
}

/* ---- errors ---- */

static int fail_at(struct sqlsplit *s, struct fw_error *err, int line, int col, const char *what)
{
	fw_errorf(err, "ERROR", "%s:%d:%d: %s", s->filename, line, col, what);
	err->line = line;
	return -1;
}

/* A NUL byte would end the statement for the database's C API, which would
 * run what comes before it (DELETE FROM a<NUL> WHERE id = 5 as DELETE FROM a):
 * the script is refused where the NUL is. Reported whatever the statement
 * around it, so the result does not depend on how the script was chunked. */
static int nul_error(struct sqlsplit *s, struct fw_error *err)
{
	fail_at(s, err, s->nul_line, s->nul_col, "the script contains a NUL byte");
	fw_error_hint(err, "remove the NUL (zero) byte; a script saved as UTF-16 needs its encoding set (encoding=UTF-16 in flyway.toml or the script's .conf)");
	return -1;
}

/* the first line of the statement text, shortened, for error details */
static void detail_statement(struct sqlsplit *s, struct fw_error *err)
{
	const struct strbuf *sql;
	size_t n = 0;

	flush(s);
	sql = &s->out->sql;
	while (n < sql->len && n < 80 && sql->buf[n] != '\n' && sql->buf[n] != '\r')
		n++;
	fw_error_detail(err, "statement: %.*s%s", (int)n, sql->buf, n < sql->len ? " ..." : "");
}

/* ---- statement state ---- */

static void st_reset(struct sqlsplit *s)
{
	memset(&s->st, 0, sizeof(s->st));
	s->sink = NULL;
	s->mark = s->pos;
}

/* the first non-blank byte: from here on the text is captured */
static void start_text(struct sqlsplit *s)
{
	s->st.started = 1;
	flush(s);
	s->sink = &s->out->sql;
}

/* a token (not a comment) starts at the current position */
static void mark_tok(struct sqlsplit *s)
{
	if (!s->st.has_tok) {
		s->st.has_tok = 1;
		s->out->line = s->line;
		s->out->col = s->col;
	}
}

static int push_block(struct sqlsplit *s, int line, int col, struct fw_error *err)
{
	if (s->st.block == 0) {
		s->st.block_line = line;
		s->st.block_col = col;
	}
	if (++s->st.block > MAX_BLOCK_DEPTH) {
		fail_at(s, err, line, col, "blocks nested too deeply");
		fw_error_hint(err, "at most %d nested BEGIN/CASE ... END blocks are supported", MAX_BLOCK_DEPTH);
		return -1;
	}
	return 0;
}

static void pop_block(struct sqlsplit *s)
{
	if (s->st.block > 0)
		s->st.block--;
}

/* An END closes a block unless the next word makes it END IF/LOOP/REPEAT/WHILE
 * (MySQL control flow, which opens no block); END CASE closes the CASE.
 * Returns 1 when `next` was consumed as part of "END <next>". */
static int resolve_end(struct sqlsplit *s, enum kw next)
{
	if (!s->st.pending_end)
		return 0;
	s->st.pending_end = 0;
	if (next == KW_IF || next == KW_LOOP || next == KW_REPEAT || next == KW_WHILE)
		return 1;
	pop_block(s);
	return next == KW_CASE;
}

/* a token that is not a keyword (punctuation, literal, quoted name, number) */
static void other_token(struct sqlsplit *s)
{
	mark_tok(s);
	resolve_end(s, KW_NONE);
	s->st.prev_kw = KW_NONE;
}

/* ---- words and keywords ---- */

static enum kw kw_lookup(const char *w, size_t n)
{
	size_t i;
	for (i = 0; i < sizeof(kw_table) / sizeof(kw_table[0]); i++)
		if (kw_table[i].len == n && kw_table[i].name[0] == w[0] && !memcmp(kw_table[i].name, w, n))
			return kw_table[i].id;
	return KW_OTHER;
}

static void word_begin(struct sqlsplit *s)
{
	struct stmt_state *st = &s->st;
	st->in_word = 1;
	st->walpha = 1;
	st->wlen = 0;
	st->wfirst = !st->has_tok;
	st->wline_start = st->last_tok_line < s->line;
	st->wline = s->line;
	st->wcol = s->col;
	mark_tok(s);
}

static void word_add(struct sqlsplit *s, int c)
{
	struct stmt_state *st = &s->st;
	if (!is_alpha(c))
		st->walpha = 0;
	if (st->wlen < WORD_MAX)
		st->word[st->wlen] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	st->wlen++;
}

static void add_simplified(struct sqlsplit *s, enum kw kw)
{
	struct stmt_state *st = &s->st;
	size_t need = st->wlen + (st->slen ? 1 : 0);

	if (st->nkw >= MAX_KEYWORDS)
		return;
	st->kws[st->nkw++] = kw;
	if (st->slen + need >= sizeof(st->simplified))
		return;
	if (st->slen)
		st->simplified[st->slen++] = ' ';
	memcpy(st->simplified + st->slen, st->word, st->wlen);
	st->slen += st->wlen;
	st->simplified[st->slen] = '\0';
}

static int is_one_of(enum kw k, const enum kw *set, size_t n)
{
	while (n--)
		if (set[n] == k)
			return 1;
	return 0;
}

/* Does the statement define a stored program (MySQL) or trigger (SQLite),
 * whose BEGIN ... END body must not be split?  Checked as keywords arrive. */
static void detect_routine(struct sqlsplit *s, enum kw kw)
{
	static const enum kw my_lead[] = { KW_DEFINER, KW_OR, KW_AGGREGATE, KW_PROCEDURE,
					   KW_FUNCTION, KW_TRIGGER, KW_EVENT, KW_PACKAGE };
	static const enum kw my_kind[] = { KW_PROCEDURE, KW_FUNCTION, KW_TRIGGER, KW_EVENT, KW_PACKAGE };
	static const enum kw lite_lead[] = { KW_TRIGGER, KW_TEMP, KW_TEMPORARY };
	struct stmt_state *st = &s->st;

	if (st->routine || st->nkw < 2 || st->kws[0] != KW_CREATE)
		return;
	if (s->dialect == SQL_DIALECT_MYSQL)
		st->routine = is_one_of(st->kws[1], my_lead, 8) && is_one_of(kw, my_kind, 5);
	else if (s->dialect == SQL_DIALECT_SQLITE)
		st->routine = st->nkw <= 3 && is_one_of(st->kws[1], lite_lead, 3) && kw == KW_TRIGGER;
}

/* blocks: CASE ... END everywhere; BEGIN ... END in SQLite triggers and MySQL
 * stored programs; BEGIN ATOMIC (PostgreSQL) and BEGIN NOT ATOMIC (MariaDB) */
static int block_keyword(struct sqlsplit *s, enum kw kw, struct fw_error *err)
{
	struct stmt_state *st = &s->st;

	switch (kw) {
	case KW_CASE:
		return push_block(s, st->wline, st->wcol, err);
	case KW_END:
		st->pending_end = st->block > 0;
		return 0;
	case KW_BEGIN:
		if (st->routine && s->dialect != SQL_DIALECT_POSTGRES)
			return push_block(s, st->wline, st->wcol, err);
		return 0;
	case KW_ATOMIC:
		if (s->dialect == SQL_DIALECT_POSTGRES && st->prev_kw == KW_BEGIN)
			return push_block(s, st->prev_line, st->prev_col, err);
		if (s->dialect == SQL_DIALECT_MYSQL && st->paren == 0 && st->nkw == 3 &&
		    st->kws[0] == KW_BEGIN && st->kws[1] == KW_NOT && !st->routine)
			return push_block(s, s->out->line, s->out->col, err);
		return 0;
	default:
		return 0;
	}
}

/* MySQL "DELIMITER <text>": the trimmed rest of the line becomes the
 * delimiter; the command is not a statement, so the text read so far
 * (only comments) is dropped and the statement starts over */
static int delimiter_command(struct sqlsplit *s, struct fw_error *err)
{
	char d[DELIM_MAX + 1];
	size_t n = 0;
	int c, too_long = 0, line = s->st.wline, col = s->st.wcol;

	while ((c = peekc(s, 0)) >= 0 && c != '\n') {
		adv(s);
		if (n == 0 && is_blank(c))
			continue;
		if (n < DELIM_MAX)
			d[n++] = (char)c;
		else if (!is_blank(c))
			too_long = 1;
	}
	while (n && is_blank((unsigned char)d[n - 1]))
		n--;
	if (too_long || n == 0) {
		fail_at(s, err, line, col, too_long ? "delimiter too long" : "DELIMITER without a delimiter");
		fw_error_hint(err, "write e.g. \"DELIMITER $$\" (at most %d characters)", DELIM_MAX);
		return -1;
	}
	memcpy(s->delim, d, n);
	s->delim[n] = '\0';
	s->dlen = n;
	strbuf_reset(&s->out->sql);
	st_reset(s);
	return 2;
}

/* the word being read ended: classify it.  Returns 0, -1 on error, or 2 when
 * it was a DELIMITER command that restarted the statement */
static int end_word(struct sqlsplit *s, struct fw_error *err)
{
	struct stmt_state *st = &s->st;
	enum kw kw;

	st->in_word = 0;
	st->last_tok_line = s->line;
	if (!st->walpha || st->wlen > WORD_MAX) {
		resolve_end(s, KW_NONE);
		st->prev_kw = KW_NONE;
		return 0;
	}
	kw = kw_lookup(st->word, st->wlen);
	if (kw == KW_DELIMITER && s->dialect == SQL_DIALECT_MYSQL && st->paren == 0 && st->wline_start) {
		if (st->wfirst)
			return delimiter_command(s, err);
		fail_at(s, err, st->wline, st->wcol, "delimiter changed inside statement");
		fw_error_hint(err, "end the previous statement with \"%s\" before the DELIMITER line", s->delim);
		detail_statement(s, err);
		return -1;
	}
	if (!resolve_end(s, kw)) {
		if (st->paren == 0) {
			add_simplified(s, kw);
			detect_routine(s, kw);
			if (s->dialect == SQL_DIALECT_POSTGRES && kw == KW_STDIN &&
			    st->prev_kw == KW_FROM && st->kws[0] == KW_COPY)
				st->is_copy = 1;
		}
		if (st->first_kw == KW_NONE)
			st->first_kw = kw;
		if (block_keyword(s, kw, err) < 0)
			return -1;
	}
	st->prev_kw = kw;
	st->prev_line = st->wline;
	st->prev_col = st->wcol;
	return 0;
}

/* ---- quoted things and comments ---- */

static int unterminated(struct sqlsplit *s, struct fw_error *err, int line, int col,
			const char *what, const char *hint)
{
	fail_at(s, err, line, col, what);
	fw_error_hint(err, "%s", hint);
	return -1;
}

/* '...', "..." or `...` with doubled-quote escapes, and backslash escapes if `bs` */
static int scan_quoted(struct sqlsplit *s, int q, int bs, struct fw_error *err)
{
	int line = s->line, col = s->col;

	other_token(s);
	adv(s);
	for (;;) {
		int c = peekc(s, 0);
		if (c < 0)
			break;
		adv(s);
		if (c == q) {
			if (peekc(s, 0) != q)
				return 0;
			adv(s);
		} else if (c == '\\' && bs) {
			if (peekc(s, 0) < 0)
				break;
			adv(s);
		}
	}
	return unterminated(s, err, line, col,
			    q == '\'' || (q == '"' && s->dialect == SQL_DIALECT_MYSQL) ?
			    "unterminated quoted string" : "unterminated quoted identifier",
			    "add the closing quote");
}

/* SQLite [identifier] */
static int scan_bracket(struct sqlsplit *s, struct fw_error *err)
{
	int line = s->line, col = s->col, c;

	other_token(s);
	adv(s);
	while ((c = peekc(s, 0)) >= 0) {
		adv(s);
		if (c == ']')
			return 0;
	}
	return unterminated(s, err, line, col, "unterminated [identifier]", "add the closing \"]\"");
}

static void skip_line_comment(struct sqlsplit *s)
{
	/* the newline is left for the caller; columns are reset by it */
	for (;;) {
		const char *p, *nl;
		size_t n = s->len - s->pos;
		if (!n && !(n = fill(s, 1)))
			return;
		p = s->buf + s->pos;
		nl = memchr(p, '\n', n);
		if (nl) {
			adv_n(s, (size_t)(nl - p));
			return;
		}
		adv_n(s, n);
	}
}

/* nested block comment; MySQL /\*! ... *\/ and MariaDB /\*M! ... *\/ hold SQL
 * for the server, so they count as a token (the statement is not empty) */
static int scan_block_comment(struct sqlsplit *s, struct fw_error *err)
{
	int line = s->line, col = s->col, c;
	size_t depth = 1;

	if (s->dialect == SQL_DIALECT_MYSQL &&
	    (peekc(s, 2) == '!' || (peekc(s, 2) == 'M' && peekc(s, 3) == '!')))
		other_token(s);
	adv_n(s, 2);
	while ((c = peekc(s, 0)) >= 0) {
		if (c == '*' && peekc(s, 1) == '/') {
			adv_n(s, 2);
			if (--depth == 0)
				return 0;
		} else if (c == '/' && peekc(s, 1) == '*') {
			adv_n(s, 2);
			depth++;
		} else {
			adv(s);
		}
	}
	return unterminated(s, err, line, col, "unterminated comment", "add the closing \"*/\"");
}

/* length of the $tag$ opener at pos (tag + 2), or 0 if '$' opens no dollar quote */
static size_t dollar_opener(struct sqlsplit *s)
{
	size_t n;
	int c = peekc(s, 1);

	if (c == '$')
		return 2;
	if (!is_tag_start(c))
		return 0;
	for (n = 2; n < LOOKAHEAD_MAX; n++) {
		c = peekc(s, n);
		if (c == '$')
			return n + 1;
		if (!is_tag_start(c) && !is_digit(c))
			return 0;
	}
	return 0;
}

static int closes_dollar(struct sqlsplit *s)
{
	return peekc(s, s->tlen + 1) == '$' && !memcmp(s->buf + s->pos + 1, s->tag, s->tlen);
}

/* PostgreSQL $tag$ ... $tag$; returns 1 if consumed, 0 if not a dollar quote */
static int scan_dollar(struct sqlsplit *s, struct fw_error *err)
{
	int line = s->line, col = s->col, c;
	size_t n = dollar_opener(s);

	if (!n)
		return 0;
	s->tlen = n - 2;
	memcpy(s->tag, s->buf + s->pos + 1, s->tlen);
	other_token(s);
	adv_n(s, n);
	while ((c = peekc(s, 0)) >= 0) {
		if (c == '$' && closes_dollar(s)) {
			adv_n(s, s->tlen + 2);
			return 1;
		}
		adv(s);
	}
	fail_at(s, err, line, col, "unterminated dollar-quoted string");
	fw_error_hint(err, "add the closing $%.*s$", (int)s->tlen, s->tag);
	return -1;
}

/* ---- the statement loop ---- */

static int open_paren(struct sqlsplit *s, struct fw_error *err)
{
	struct stmt_state *st = &s->st;

	if (!st->has_tok)
		st->first_paren = 1;
	other_token(s);
	if (st->paren == 0) {
		st->paren_line = s->line;
		st->paren_col = s->col;
	}
	if (++st->paren > MAX_PAREN_DEPTH)
		return fail_at(s, err, s->line, s->col, "parentheses nested too deeply");
	adv(s);
	return 0;
}

static void close_paren(struct sqlsplit *s)
{
	other_token(s);
	if (s->st.paren > 0)   /* a stray ")" is left for the server to report */
		s->st.paren--;
	adv(s);
}

/* a comment starting with byte c: skip it.  Returns 1 if there was one,
 * 0 if c starts no comment, -1 on error */
static int skip_comment(struct sqlsplit *s, int c, struct fw_error *err)
{
	if ((c == '-' && peekc(s, 1) == '-') ||
	    (c == '#' && s->dialect == SQL_DIALECT_MYSQL && s->delim[0] != '#')) {
		skip_line_comment(s);
		return 1;
	}
	if (c == '/' && peekc(s, 1) == '*')
		return scan_block_comment(s, err) < 0 ? -1 : 1;
	return 0;
}

/* one token starting with byte c (not blank, not a comment) */
static int lex_token(struct sqlsplit *s, int c, struct fw_error *err)
{
	enum sql_dialect d = s->dialect;
	int r;

	switch (c) {
	case '\'':
	case '"':
		return scan_quoted(s, c, d == SQL_DIALECT_MYSQL, err);
	case '`':
		if (d != SQL_DIALECT_POSTGRES)
			return scan_quoted(s, c, 0, err);
		break;
	case '[':
		if (d == SQL_DIALECT_SQLITE)
			return scan_bracket(s, err);
		break;
	case '$':
		if (d == SQL_DIALECT_POSTGRES && (r = scan_dollar(s, err)) != 0)
			return r < 0 ? -1 : 0;
		break;
	case '(':
		return open_paren(s, err);
	case ')':
		close_paren(s);
		return 0;
	}
	if (is_word_char(c)) {
		word_begin(s);
		word_add(s, c);
	} else {
		other_token(s);
	}
	adv(s);
	return 0;
}

static int at_delimiter(struct sqlsplit *s)
{
	if (s->dlen == 1)
		return 1;
	return peekc(s, s->dlen - 1) >= 0 && !memcmp(s->buf + s->pos, s->delim, s->dlen);
}

/* the delimiter is at pos: 1 = it ends the statement (consumed), 0 = it is
 * inside parentheses or a block, 2 = a DELIMITER command restarted, -1 error */
static int on_delimiter(struct sqlsplit *s, struct fw_error *err)
{
	if (s->st.in_word) {
		int r = end_word(s, err);
		if (r)
			return r;
	}
	resolve_end(s, KW_NONE);
	if (s->st.paren || s->st.block)
		return 0;
	flush(s);
	s->sink = NULL;
	adv_n(s, s->dlen);
	s->mark = s->pos;
	return 1;
}

static int incomplete(struct sqlsplit *s, struct fw_error *err)
{
	struct stmt_state *st = &s->st;
	fail_at(s, err, s->out->line, s->out->col, "incomplete statement at end of script");
	if (st->block)
		fw_error_detail(err, "block (BEGIN/CASE) opened at line %d col %d has no END",
				st->block_line, st->block_col);
	else
		fw_error_detail(err, "parenthesis opened at line %d col %d is not closed",
				st->paren_line, st->paren_col);
	detail_statement(s, err);
	fw_error_hint(err, "check for a missing END, \")\" or closing quote");
	return -1;
}

static int at_end(struct sqlsplit *s, struct fw_error *err)
{
	if (s->st.in_word) {
		int r = end_word(s, err);
		if (r < 0)
			return -1;
	}
	resolve_end(s, KW_NONE);
	if (s->st.has_tok && (s->st.paren || s->st.block))
		return incomplete(s, err);
	flush(s);
	return 0;
}

/* read one statement: 1 = ended by the delimiter, 0 = ended by the end of
 * the script, -1 = error */
static int scan(struct sqlsplit *s, struct fw_error *err)
{
	for (;;) {
		int c = peekc(s, 0), r;

		if (c < 0)
			return at_end(s, err);
		if (c == (unsigned char)s->delim[0] && at_delimiter(s)) {
			r = on_delimiter(s, err);
			if (r == 2)
				continue;
			if (r)
				return r;
		}
		if (s->st.in_word) {
			if (is_word_char(c)) {
				word_add(s, c);
				adv(s);
				continue;
			}
			/* E'..', B'..', X'..': a string with backslash escapes */
			if (c == '\'' && s->st.wlen == 1 && strchr("EBX", s->st.word[0])) {
				s->st.in_word = 0;
				if (scan_quoted(s, c, 1, err) < 0)
					return -1;
				s->st.last_tok_line = s->line;
				continue;
			}
			r = end_word(s, err);
			if (r < 0)
				return -1;
			continue;
		}
		if (is_blank(c)) {
			adv(s);
			continue;
		}
		if (!s->st.started)
			start_text(s);
		r = skip_comment(s, c, err);
		if (r == 0) {
			r = lex_token(s, c, err);
			/* after word_begin() has looked at it: DELIMITER must start a line */
			s->st.last_tok_line = s->line;
		}
		if (r < 0)
			return -1;
	}
}

/* ---- COPY ... FROM STDIN data ---- */

/* is copy_data[start..] a line whose trimmed text is "\." */
static int is_copy_end(const struct strbuf *sb, size_t start)
{
	size_t a = start, b = sb->len;
	while (a < b && is_blank((unsigned char)sb->buf[a]))
		a++;
	while (b > a && is_blank((unsigned char)sb->buf[b - 1]))
		b--;
	return b - a == 2 && sb->buf[a] == '\\' && sb->buf[a + 1] == '.';
}

/* after "COPY ... FROM STDIN;" the rest of the line is skipped, then lines
 * up to "\." (or the end of the script) are the data */
static void read_copy_data(struct sqlsplit *s, struct strbuf *data)
{
	size_t start = 0;

	skip_line_comment(s);
	if (peekc(s, 0) < 0)
		return;
	adv(s);
	for (;;) {
		const char *p, *nl;
		size_t n = s->len - s->pos, take;
		if (!n && !(n = fill(s, 1)))
			break;
		p = s->buf + s->pos;
		nl = memchr(p, '\n', n);
		take = nl ? (size_t)(nl - p) + 1 : n;
		strbuf_add(data, p, take);
		adv_n(s, take);
		if (!nl)
			continue;
		if (is_copy_end(data, start)) {
			strbuf_setlen(data, start);
			break;
		}
		start = data->len;
	}
	if (data->len > start) {
		/* the script ended inside a line */
		if (is_copy_end(data, start))
			strbuf_setlen(data, start);
		else
			strbuf_addch(data, '\n');
	}
	s->mark = s->pos;
}

/* ---- flags ---- */

/* does `simp` start with the words of `pat` */
static int starts_with_words(const char *simp, const char *pat)
{
	size_t n = strlen(pat);
	return !strncmp(simp, pat, n) && (simp[n] == ' ' || simp[n] == '\0');
}

static int contains_words(const char *simp, const char *pat)
{
	size_t n = strlen(pat);
	const char *p = simp;
	while ((p = strstr(p, pat)) != NULL) {
		if ((p == simp || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

static int matches_any(const char *simp, const char *const *pats, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (pats[i][0] == simp[0] && starts_with_words(simp, pats[i]))
			return 1;
	return 0;
}

static unsigned pg_nontx_flags(const char *simp)
{
	static const char *const pats[] = {
		"CREATE DATABASE", "DROP DATABASE", "CREATE TABLESPACE", "DROP TABLESPACE",
		"CREATE SUBSCRIPTION", "DROP SUBSCRIPTION", "ALTER SYSTEM",
		"CREATE INDEX CONCURRENTLY", "CREATE UNIQUE INDEX CONCURRENTLY",
		"DROP INDEX CONCURRENTLY", "DROP UNIQUE INDEX CONCURRENTLY",
		"REINDEX SCHEMA", "REINDEX DATABASE", "REINDEX SYSTEM",
		"REINDEX VERBOSE SCHEMA", "REINDEX VERBOSE DATABASE", "REINDEX VERBOSE SYSTEM",
		"VACUUM", "DISCARD ALL",
	};
	if (matches_any(simp, pats, sizeof(pats) / sizeof(pats[0])))
		return SQL_STMT_NONTX;
	if (starts_with_words(simp, "ALTER TYPE") && contains_words(simp, "ADD VALUE"))
		return SQL_STMT_NONTX_BEFORE_PG12;
	return 0;
}

static unsigned stmt_flags(const struct sqlsplit *s)
{
	static const char *const rows[] = { "SELECT", "WITH", "SHOW", "VALUES", "EXPLAIN",
					    "PRAGMA", "TABLE", "DESCRIBE", "DESC" };
	const struct stmt_state *st = &s->st;
	unsigned f = 0;

	if (matches_any(st->simplified, rows, sizeof(rows) / sizeof(rows[0])) ||
	    (st->first_paren && (st->first_kw == KW_SELECT || st->first_kw == KW_WITH ||
				 st->first_kw == KW_VALUES || st->first_kw == KW_TABLE)))
		f |= SQL_STMT_SELECT_LIKE;
	/* a MySQL procedure (or prepared statement) may return result sets */
	if (s->dialect == SQL_DIALECT_MYSQL &&
	    (starts_with_words(st->simplified, "CALL") || starts_with_words(st->simplified, "EXECUTE")))
		f |= SQL_STMT_SELECT_LIKE;
	if (s->dialect == SQL_DIALECT_POSTGRES)
		f |= pg_nontx_flags(st->simplified);
	if (s->dialect == SQL_DIALECT_SQLITE && starts_with_words(st->simplified, "PRAGMA FOREIGN_KEYS"))
		f |= SQL_STMT_NONTX;
	if (st->is_copy)
		f |= SQL_STMT_COPY;
	return f;
}

/* ---- API ---- */

static struct sqlsplit *new_common(enum sql_dialect d, const char *filename)
{
	struct sqlsplit *s = xcalloc(1, sizeof(*s));
	s->dialect = d;
	s->filename = xstrdup(filename ? filename : "<script>");
	s->line = s->col = 1;
	s->delim[0] = ';';
	s->dlen = 1;
	return s;
}

struct sqlsplit *sqlsplit_new(enum sql_dialect d, sql_read_fn read, void *ctx, const char *filename)
{
	struct sqlsplit *s = new_common(d, filename);
	s->read = read;
	s->ctx = ctx;
	s->cap = CHUNK_SIZE + LOOKAHEAD_MAX;
	s->own = xmalloc(s->cap);
	s->buf = s->own;
	return s;
}

struct sqlsplit *sqlsplit_new_mem(enum sql_dialect d, const char *buf, size_t len, const char *filename)
{
	struct sqlsplit *s = new_common(d, filename);
	s->buf = buf ? buf : "";
	s->len = buf ? len : 0;
	s->eof = 1;
	return s;
}

static void stmt_clear(struct sql_stmt *out)
{
	strbuf_reset(&out->sql);
	strbuf_reset(&out->copy_data);
	out->line = out->col = 0;
	out->flags = 0;
	out->simplified[0] = '\0';
}

int sqlsplit_next(struct sqlsplit *s, struct sql_stmt *out, struct fw_error *err)
{
	int r;

	stmt_clear(out);
	if (s->failed)
		return fw_errorf(err, "ERROR", "%s: splitting stopped at an earlier error", s->filename);
	s->out = out;
	for (;;) {
		st_reset(s);
		r = scan(s, err);
		if (s->read_err)
			r = fw_errorf(err, "ERROR", "%s: error reading script", s->filename);
		else if (s->nul_line)
			r = nul_error(s, err);
		if (r < 0) {
			s->failed = 1;
			s->sink = NULL;
			stmt_clear(out);
			return -1;
		}
		if (s->st.has_tok)
			break;
		strbuf_reset(&out->sql);   /* only comments: dropped */
		if (r == 0)
			return 0;
	}
	strbuf_rtrim(&out->sql);
	memcpy(out->simplified, s->st.simplified, sizeof(out->simplified));
	out->flags = stmt_flags(s);
	if (s->st.is_copy && r == 1) {
		read_copy_data(s, &out->copy_data);
		if (s->read_err || s->nul_line) {
			s->failed = 1;
			stmt_clear(out);
			if (s->nul_line)
				return nul_error(s, err);
			return fw_errorf(err, "ERROR", "%s: error reading script", s->filename);
		}
	}
	s->sink = NULL;
	return 1;
}

void sqlsplit_free(struct sqlsplit *s)
{
	if (!s)
		return;
	free(s->own);
	free(s->filename);
	free(s);
}

void sql_stmt_release(struct sql_stmt *st)
{
	strbuf_release(&st->sql);
	strbuf_release(&st->copy_data);
}
