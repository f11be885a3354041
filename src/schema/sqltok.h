/* Tokens of the SQL text a schema model holds (canonical definitions,
 * schema-model files), for the generator: which names a view mentions, where
 * the columns of a CREATE TABLE start and end, which comment annotates what.
 *
 * Not a parser: it knows strings, quoted identifiers, comments, dollar quotes
 * and punctuation, so that a name inside a string or a comment is never taken
 * for a reference. Every byte of the input belongs to exactly one token or to
 * the white space between them. Pure text: fuzzed through
 * tests/fuzz/fuzz_renames.c. */
#ifndef FW_SCHEMA_SQLTOK_H
#define FW_SCHEMA_SQLTOK_H
#include <stddef.h>
#include "util/strbuf.h"

enum fw_tok_kind {
	FW_TOK_WORD,      /* a bare word: keyword, name or number */
	FW_TOK_QUOTED,    /* "name", `name`, [name] */
	FW_TOK_STRING,    /* 'text' (E'..', N'..' prefixes are words before it) */
	FW_TOK_DOLLAR,    /* $tag$ ... $tag$ (PostgreSQL) */
	FW_TOK_COMMENT,   /* -- ... (to the end of the line), # ... (MySQL), block comments */
	FW_TOK_PUNCT,     /* one character: ( ) , ; . and any other */
};

/* what the dialect's lexer knows beyond standard SQL */
enum fw_tok_flags {
	FW_TOKF_BACKSLASH = 1 << 0,  /* backslash escapes in strings (MySQL) */
	FW_TOKF_DOLLAR = 1 << 1,     /* dollar quotes (PostgreSQL) */
	FW_TOKF_HASH = 1 << 2,       /* # comments (MySQL) */
	FW_TOKF_BRACKET = 1 << 3,    /* [name] identifiers (SQLite) */
	FW_TOKF_BACKTICK = 1 << 4,   /* `name` identifiers (MySQL, SQLite) */
};

struct fw_tok {
	enum fw_tok_kind kind;
	size_t off, len;   /* the token's bytes in the text */
	int line;          /* 1-based line of its first byte */
	int depth;         /* parenthesis depth it is at ("(" itself is at the outer depth) */
};

struct fw_toks {
	struct fw_tok *v;
	size_t nr, alloc;
	const char *text;  /* borrowed */
};

/* the flags of a model dialect ("postgresql", "mysql", "sqlite"; else standard SQL) */
unsigned fw_tok_flags_for(const char *dialect);
void fw_sql_tokenize(const char *text, size_t len, unsigned flags, struct fw_toks *out);
void fw_toks_release(struct fw_toks *t);

/* the token is the punctuation character c */
int fw_tok_is(const struct fw_toks *t, size_t i, char c);
/* the token is the bare word w (case-insensitive) */
int fw_tok_word(const struct fw_toks *t, size_t i, const char *w);
/* a name token (word or quoted): its value without quotes, doubled quotes
 * undone; returns 0 when the token is no name */
int fw_tok_name(const struct fw_toks *t, size_t i, struct strbuf *out);
/* the token names `name`: a quoted one exactly, a bare word ignoring case */
int fw_tok_names(const struct fw_toks *t, size_t i, const char *name);

#endif
