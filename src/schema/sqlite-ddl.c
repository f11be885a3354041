/* SQLite CREATE statements: tokenizer, canonical rendering, and a parser for
 * CREATE TABLE and CREATE INDEX (grammar of https://sqlite.org/lang_createtable.html).
 *
 * The canonical form is a fixpoint: parsing the canonical text of a table
 * gives the same text again (checked by the fuzz target). That holds because
 * rendering never glues two tokens into one: two operators always keep a
 * space between them, so "- -1" cannot become a "--" comment. */
#include "schema/sqlite-ddl.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tk { TK_WORD, TK_QUOTED, TK_STRING, TK_NUMBER, TK_BLOB, TK_VAR, TK_OP, TK_LP, TK_RP,
	  TK_COMMA, TK_DOT, TK_SEMI };

struct tok {
	enum tk k;
	const char *p;
	size_t n;
	int open;      /* a string or blob whose closing quote is missing */
};

struct toks {
	struct tok *v;
	size_t nr, alloc;
};

/* ---- keywords (https://sqlite.org/lang_keywords.html), sorted ---- */

static const char *const keywords[] = {
	"ABORT", "ACTION", "ADD", "AFTER", "ALL", "ALTER", "ALWAYS", "ANALYZE", "AND", "AS", "ASC",
	"ATTACH", "AUTOINCREMENT", "BEFORE", "BEGIN", "BETWEEN", "BY", "CASCADE", "CASE", "CAST",
	"CHECK", "COLLATE", "COLUMN", "COMMIT", "CONFLICT", "CONSTRAINT", "CREATE", "CROSS",
	"CURRENT", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DATABASE", "DEFAULT",
	"DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DETACH", "DISTINCT", "DO", "DROP", "EACH",
	"ELSE", "END", "ESCAPE", "EXCEPT", "EXCLUDE", "EXCLUSIVE", "EXISTS", "EXPLAIN", "FAIL",
	"FILTER", "FIRST", "FOLLOWING", "FOR", "FOREIGN", "FROM", "FULL", "GENERATED", "GLOB",
	"GROUP", "GROUPS", "HAVING", "IF", "IGNORE", "IMMEDIATE", "IN", "INDEX", "INDEXED",
	"INITIALLY", "INNER", "INSERT", "INSTEAD", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN",
	"KEY", "LAST", "LEFT", "LIKE", "LIMIT", "MATCH", "MATERIALIZED", "NATURAL", "NO", "NOT",
	"NOTHING", "NOTNULL", "NULL", "NULLS", "OF", "OFFSET", "ON", "OR", "ORDER", "OTHERS",
	"OUTER", "OVER", "PARTITION", "PLAN", "PRAGMA", "PRECEDING", "PRIMARY", "QUERY", "RAISE",
	"RANGE", "RECURSIVE", "REFERENCES", "REGEXP", "REINDEX", "RELEASE", "RENAME", "REPLACE",
	"RESTRICT", "RETURNING", "RIGHT", "ROLLBACK", "ROW", "ROWS", "SAVEPOINT", "SELECT", "SET",
	"TABLE", "TEMP", "TEMPORARY", "THEN", "TIES", "TO", "TRANSACTION", "TRIGGER", "UNBOUNDED",
	"UNION", "UNIQUE", "UPDATE", "USING", "VACUUM", "VALUES", "VIEW", "VIRTUAL", "WHEN",
	"WHERE", "WINDOW", "WITH", "WITHOUT",
};

static int is_keyword(const char *p, size_t n)
{
	char up[24];
	size_t lo = 0, hi = sizeof(keywords) / sizeof(keywords[0]);
	if (n == 0 || n >= sizeof(up))
		return 0;
	for (size_t i = 0; i < n; i++)
		up[i] = (char)toupper((unsigned char)p[i]);
	up[n] = '\0';
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(up, keywords[mid]);
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int tok_is_keyword(const struct tok *t)
{
	return t->k == TK_WORD && is_keyword(t->p, t->n);
}

/* ---- tokenizer ---- */

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int ident_start(int c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static int ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static void push(struct toks *t, enum tk k, const char *p, size_t n)
{
	ALLOC_GROW(t->v, t->nr + 1, t->alloc);
	t->v[t->nr].k = k;
	t->v[t->nr].p = p;
	t->v[t->nr].n = n;
	t->v[t->nr].open = 0;
	t->nr++;
}

/* end of a quoted run starting at s[i] (the quote), doubled quotes inside */
static size_t skip_quoted(const char *s, size_t len, size_t i)
{
	char q = s[i++];
	while (i < len) {
		if (s[i] == q) {
			if (i + 1 < len && s[i + 1] == q) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return len;
}

/* whether the quoted run p[0..n) (p[0] the quote) has its closing quote */
static int ends_quoted(const char *p, size_t n)
{
	for (size_t j = 1; j < n; j++) {
		if (p[j] == p[0]) {
			if (j + 1 < n && p[j + 1] == p[0]) {
				j++;
				continue;
			}
			return 1;
		}
	}
	return 0;
}

static size_t skip_number(const char *s, size_t len, size_t i)
{
	if (s[i] == '0' && i + 2 < len && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
	    isxdigit((unsigned char)s[i + 2])) {
		i += 2;
		while (i < len && isxdigit((unsigned char)s[i]))
			i++;
		return i;
	}
	while (i < len && isdigit((unsigned char)s[i]))
		i++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && isdigit((unsigned char)s[i]))
			i++;
	}
	if (i + 1 < len && (s[i] == 'e' || s[i] == 'E')) {
		size_t j = i + 1;
		if (j < len && (s[j] == '+' || s[j] == '-'))
			j++;
		if (j < len && isdigit((unsigned char)s[j])) {
			i = j;
			while (i < len && isdigit((unsigned char)s[i]))
				i++;
		}
	}
	return i;
}

/* length of the operator at s[i] (multi-character ones first) */
static size_t op_len(const char *s, size_t len, size_t i)
{
	static const char *const ops[] = { "->>", "->", "||", "<<", ">>", "<=", ">=", "==", "!=",
					   "<>", NULL };
	for (int k = 0; ops[k]; k++) {
		size_t n = strlen(ops[k]);
		if (i + n <= len && !memcmp(s + i, ops[k], n))
			return n;
	}
	return 1;
}

static void tokenize(const char *s, size_t len, struct toks *t)
{
	size_t i = 0;
	len = strnlen(s, len);   /* a NUL ends the text, as for SQLite */
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t st = i;
		if (is_space(c)) {
			i++;
		} else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
			i += 2;
			while (i + 1 < len && !(s[i] == '*' && s[i + 1] == '/'))
				i++;
			i = i + 1 < len ? i + 2 : len;
		} else if (c == '\'') {
			i = skip_quoted(s, len, i);
			push(t, TK_STRING, s + st, i - st);
			t->v[t->nr - 1].open = !ends_quoted(s + st, i - st);
		} else if (c == '"' || c == '`') {
			i = skip_quoted(s, len, i);
			push(t, TK_QUOTED, s + st, i - st);
		} else if (c == '[') {
			while (i < len && s[i] != ']')
				i++;
			i = i < len ? i + 1 : len;
			push(t, TK_QUOTED, s + st, i - st);
		} else if ((c == 'x' || c == 'X') && i + 1 < len && s[i + 1] == '\'') {
			i = skip_quoted(s, len, i + 1);
			push(t, TK_BLOB, s + st, i - st);
			t->v[t->nr - 1].open = !ends_quoted(s + st + 1, i - st - 1);
		} else if (isdigit(c) || (c == '.' && i + 1 < len && isdigit((unsigned char)s[i + 1]))) {
			i = skip_number(s, len, i);
			push(t, TK_NUMBER, s + st, i - st);
		} else if (ident_start(c)) {
			while (i < len && ident_char((unsigned char)s[i]))
				i++;
			push(t, TK_WORD, s + st, i - st);
		} else if (c == '?' || ((c == ':' || c == '@' || c == '$') && i + 1 < len &&
					ident_char((unsigned char)s[i + 1]))) {
			i++;
			while (i < len && (c == '?' ? isdigit((unsigned char)s[i])
						    : ident_char((unsigned char)s[i])))
				i++;
			push(t, TK_VAR, s + st, i - st);
		} else {
			enum tk k = c == '(' ? TK_LP : c == ')' ? TK_RP : c == ',' ? TK_COMMA
				  : c == '.' ? TK_DOT : c == ';' ? TK_SEMI : TK_OP;
			i += k == TK_OP ? op_len(s, len, i) : 1;
			push(t, k, s + st, i - st);
		}
	}
}

/* ---- values and identifiers ---- */

/* the text of a name token without its quotes */
static void tok_value(const struct tok *t, struct strbuf *out)
{
	const char *p = t->p;
	size_t n = t->n;
	if (t->k == TK_QUOTED && p[0] == '[') {
		size_t end = n >= 2 && p[n - 1] == ']' ? n - 1 : n;
		strbuf_add(out, p + 1, end - 1);
		return;
	}
	if (t->k != TK_QUOTED && t->k != TK_STRING) {
		strbuf_add(out, p, n);
		return;
	}
	for (size_t j = 1; j < n; j++) {
		if (p[j] == p[0]) {
			if (j + 1 < n && p[j + 1] == p[0]) {
				strbuf_addch(out, p[0]);
				j++;
				continue;
			}
			return;
		}
		strbuf_addch(out, p[j]);
	}
}

static char *tok_strdup(const struct tok *t)
{
	struct strbuf sb = STRBUF_INIT;
	tok_value(t, &sb);
	return strbuf_detach(&sb, NULL);
}

void fw_sqlite_ident(const char *name, size_t len, struct strbuf *out)
{
	int plain = len > 0 && (isalpha((unsigned char)name[0]) || name[0] == '_');
	for (size_t i = 1; plain && i < len; i++)
		plain = isalnum((unsigned char)name[i]) || name[i] == '_';
	if (plain && !is_keyword(name, len)) {
		strbuf_add(out, name, len);
		return;
	}
	strbuf_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '"')
			strbuf_addch(out, '"');
		strbuf_addch(out, name[i]);
	}
	strbuf_addch(out, '"');
}

static void render_name(const struct tok *t, struct strbuf *out)
{
	struct strbuf v = STRBUF_INIT;
	tok_value(t, &v);
	fw_sqlite_ident(v.buf, v.len, out);
	strbuf_release(&v);
}

/* ---- rendering token runs ---- */

struct rend {
	struct strbuf *out;
	const struct tok *prev;
	int unary;         /* prev was a unary sign: the next operand follows it directly */
};

static int is_name_tok(const struct tok *t)
{
	return t->k == TK_QUOTED || t->k == TK_WORD;
}

static int space_before(const struct rend *r, const struct tok *t)
{
	const struct tok *p = r->prev;
	if (!p)
		return 0;
	if (t->k == TK_RP || t->k == TK_COMMA || t->k == TK_SEMI || p->k == TK_LP)
		return 0;
	if (t->k == TK_DOT && is_name_tok(p))
		return 0;
	if (p->k == TK_DOT && (is_name_tok(t) || (t->k == TK_OP && t->n == 1 && *t->p == '*')))
		return 0;
	if (t->k == TK_LP && (p->k == TK_QUOTED || (p->k == TK_WORD && !tok_is_keyword(p))))
		return 0;
	return !(r->unary && t->k != TK_OP);
}

static void emit(struct rend *r, const struct tok *t)
{
	const struct tok *p = r->prev;
	if (space_before(r, t))
		strbuf_addch(r->out, ' ');
	if (t->k == TK_QUOTED) {
		render_name(t, r->out);
	} else if (tok_is_keyword(t)) {
		for (size_t i = 0; i < t->n; i++)
			strbuf_addch(r->out, toupper((unsigned char)t->p[i]));
	} else {
		strbuf_add(r->out, t->p, t->n);
		if (t->open)
			strbuf_addch(r->out, '\'');   /* closed, so that nothing after it joins it */
	}
	r->unary = t->k == TK_OP && t->n == 1 && strchr("-+~", *t->p) &&
		   (!p || p->k == TK_OP || p->k == TK_LP || p->k == TK_COMMA || tok_is_keyword(p));
	r->prev = t;
}

static void emit_range(struct rend *r, const struct tok *t, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		emit(r, &t[i]);
}

static void render_range(const struct tok *t, size_t from, size_t to, struct strbuf *out)
{
	struct rend r = { out, NULL, 0 };
	emit_range(&r, t, from, to);
}

static char *range_strdup(const struct tok *t, size_t from, size_t to)
{
	struct strbuf sb = STRBUF_INIT;
	render_range(t, from, to, &sb);
	return strbuf_detach(&sb, NULL);
}

/* ---- the parser ---- */

struct parser {
	const struct tok *t;
	size_t n, i;
};

static const struct tok *cur(const struct parser *p)
{
	return p->i < p->n ? &p->t[p->i] : NULL;
}

static int tok_word(const struct tok *t, const char *w)
{
	return t && t->k == TK_WORD && strlen(w) == t->n && !strncasecmp(t->p, w, t->n);
}

static int at_kw(const struct parser *p, const char *w)
{
	return tok_word(cur(p), w);
}

static int accept_kw(struct parser *p, const char *w)
{
	if (!at_kw(p, w))
		return 0;
	p->i++;
	return 1;
}

static int at_kind(const struct parser *p, enum tk k)
{
	return cur(p) && cur(p)->k == k;
}

static int at_name(const struct parser *p)
{
	const struct tok *t = cur(p);
	return t && (t->k == TK_WORD || t->k == TK_QUOTED || t->k == TK_STRING);
}

/* p at '(': the index of its ')' at depth 0, or (size_t)-1 */
static size_t match_paren(const struct parser *p)
{
	size_t depth = 0;
	for (size_t j = p->i; j < p->n; j++) {
		if (p->t[j].k == TK_LP)
			depth++;
		else if (p->t[j].k == TK_RP && --depth == 0)
			return j;
	}
	return (size_t)-1;
}

/* a "( ... )" group: from and to bound its contents; p moves past it */
static int take_group(struct parser *p, size_t *from, size_t *to)
{
	size_t end;
	if (!at_kind(p, TK_LP) || (end = match_paren(p)) == (size_t)-1)
		return -1;
	*from = p->i + 1;
	*to = end;
	p->i = end + 1;
	return 0;
}

/* split the contents of a group at its top-level commas, into names (a
 * lone name, maybe followed by COLLATE/ASC/DESC) or rendered expressions */
static void split_elements(const struct tok *t, size_t from, size_t to, struct strvec *out)
{
	size_t st = from, depth = 0;
	for (size_t j = from; j <= to; j++) {
		if (j < to && t[j].k == TK_LP) {
			depth++;
		} else if (j < to && t[j].k == TK_RP) {
			depth--;
		} else if (j == to || (t[j].k == TK_COMMA && depth == 0)) {
			int lone = j > st && (t[st].k == TK_WORD || t[st].k == TK_QUOTED ||
					      t[st].k == TK_STRING) &&
				   (j == st + 1 || tok_word(&t[st + 1], "COLLATE") ||
				    tok_word(&t[st + 1], "ASC") || tok_word(&t[st + 1], "DESC"));
			if (lone)
				strvec_push_nodup(out, tok_strdup(&t[st]));
			else if (j > st)
				strvec_push_nodup(out, range_strdup(t, st, j));
			st = j + 1;
		}
	}
}

static void add_kw(struct strbuf *out, const char *kw)
{
	if (out->len && out->buf[out->len - 1] != ' ')
		strbuf_addch(out, ' ');
	strbuf_addstr(out, kw);
}

static void add_name(struct strbuf *out, const struct tok *t)
{
	if (out->len && out->buf[out->len - 1] != ' ')
		strbuf_addch(out, ' ');
	render_name(t, out);
}

/* " (contents)" rendered */
static void add_group(struct strbuf *out, const struct tok *t, size_t from, size_t to, int space)
{
	if (space && out->len && out->buf[out->len - 1] != ' ')
		strbuf_addch(out, ' ');
	strbuf_addch(out, '(');
	render_range(t, from, to, out);
	strbuf_addch(out, ')');
}

/* [ON CONFLICT action] */
static int conflict_clause(struct parser *p, struct strbuf *out)
{
	static const char *const actions[] = { "ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE",
					       NULL };
	if (!at_kw(p, "ON") || !tok_word(p->i + 1 < p->n ? &p->t[p->i + 1] : NULL, "CONFLICT"))
		return 0;
	p->i += 2;
	for (int k = 0; actions[k]; k++) {
		if (accept_kw(p, actions[k])) {
			add_kw(out, "ON CONFLICT");
			add_kw(out, actions[k]);
			return 0;
		}
	}
	return -1;
}

static int fk_action(struct parser *p, char **field, struct strbuf *out)
{
	const char *a = NULL;
	if (accept_kw(p, "SET")) {
		a = accept_kw(p, "NULL") ? "SET NULL" : accept_kw(p, "DEFAULT") ? "SET DEFAULT" : NULL;
	} else if (accept_kw(p, "CASCADE")) {
		a = "CASCADE";
	} else if (accept_kw(p, "RESTRICT")) {
		a = "RESTRICT";
	} else if (accept_kw(p, "NO")) {
		a = accept_kw(p, "ACTION") ? "NO ACTION" : NULL;
	}
	if (!a)
		return -1;
	add_kw(out, a);
	fw_set_str(field, a);
	return 0;
}

/* after REFERENCES: table [(columns)] {ON DELETE|UPDATE action | MATCH name}
 * [[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]] */
static int fk_clause(struct parser *p, struct fw_constraint *c, struct strbuf *out)
{
	size_t from, to;
	add_kw(out, "REFERENCES");
	if (!at_name(p))
		return -1;
	add_name(out, cur(p));
	c->ref_table = tok_strdup(cur(p));
	p->i++;
	if (at_kind(p, TK_LP)) {
		if (take_group(p, &from, &to) < 0)
			return -1;
		add_group(out, p->t, from, to, 0);
		split_elements(p->t, from, to, &c->ref_columns);
	}
	for (;;) {
		if (accept_kw(p, "ON")) {
			int del = accept_kw(p, "DELETE");
			if (!del && !accept_kw(p, "UPDATE"))
				return -1;
			add_kw(out, del ? "ON DELETE" : "ON UPDATE");
			if (fk_action(p, del ? &c->on_delete : &c->on_update, out) < 0)
				return -1;
		} else if (accept_kw(p, "MATCH")) {
			if (!at_name(p))
				return -1;
			add_kw(out, "MATCH");
			add_name(out, cur(p));
			p->i++;
		} else {
			break;
		}
	}
	if (at_kw(p, "NOT") && tok_word(p->i + 1 < p->n ? &p->t[p->i + 1] : NULL, "DEFERRABLE")) {
		p->i += 2;
		add_kw(out, "NOT DEFERRABLE");
	} else if (accept_kw(p, "DEFERRABLE")) {
		add_kw(out, "DEFERRABLE");
	} else {
		return 0;
	}
	if (accept_kw(p, "INITIALLY")) {
		if (accept_kw(p, "DEFERRED"))
			add_kw(out, "INITIALLY DEFERRED");
		else if (accept_kw(p, "IMMEDIATE"))
			add_kw(out, "INITIALLY IMMEDIATE");
		else
			return -1;
	}
	return 0;
}

static int at_column_constraint(const struct parser *p)
{
	static const char *const starts[] = { "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE",
					      "CHECK", "DEFAULT", "COLLATE", "REFERENCES",
					      "GENERATED", "AS", NULL };
	for (int k = 0; starts[k]; k++)
		if (at_kw(p, starts[k]))
			return 1;
	return 0;
}

/* DEFAULT's value: (expr), a signed number, a literal or a name */
static int default_value(struct parser *p, struct fw_column *col, struct strbuf *out)
{
	size_t from = p->i, to, gf, gt;
	if (at_kind(p, TK_LP)) {
		if (take_group(p, &gf, &gt) < 0)
			return -1;
	} else {
		if (at_kind(p, TK_OP) && cur(p)->n == 1 && strchr("+-", *cur(p)->p))
			p->i++;
		if (!cur(p) || cur(p)->k == TK_LP || cur(p)->k == TK_RP || cur(p)->k == TK_COMMA ||
		    cur(p)->k == TK_OP || cur(p)->k == TK_DOT || cur(p)->k == TK_SEMI)
			return -1;
		p->i++;
	}
	to = p->i;
	strbuf_addch(out, ' ');
	render_range(p->t, from, to, out);
	free(col->default_expr);
	col->default_expr = range_strdup(p->t, from, to);
	return 0;
}

static int generated_clause(struct parser *p, struct fw_column *col, struct strbuf *out)
{
	size_t from, to;
	if (accept_kw(p, "GENERATED") && !accept_kw(p, "ALWAYS"))
		return -1;
	if (!accept_kw(p, "AS") || take_group(p, &from, &to) < 0)
		return -1;
	add_kw(out, "GENERATED ALWAYS AS");
	add_group(out, p->t, from, to, 1);
	free(col->generated);
	col->generated = range_strdup(p->t, from, to);
	col->generated_stored = 0;
	if (accept_kw(p, "STORED")) {
		add_kw(out, "STORED");
		col->generated_stored = 1;
	} else if (accept_kw(p, "VIRTUAL")) {
		add_kw(out, "VIRTUAL");
	}
	return 0;
}

static struct fw_constraint *column_constraint(struct fw_object *o, enum fw_con_kind kind,
					       const char *cname, const struct fw_column *col)
{
	struct fw_constraint *c = fw_object_add_constraint(o, kind, cname);
	strvec_push(&c->columns, col->name);
	return c;
}

/* the clause text of the constraint just parsed, from its start in out */
static void set_clause(struct fw_constraint *c, const struct strbuf *out, size_t start)
{
	const char *s = out->buf + start;
	while (*s == ' ')
		s++;
	fw_set_str(&c->definition, s);
}

/* [CONSTRAINT name]: *cname gets the name (caller frees) */
static int constraint_name(struct parser *p, struct strbuf *out, char **cname)
{
	if (!accept_kw(p, "CONSTRAINT"))
		return 0;
	if (!at_name(p))
		return -1;
	add_kw(out, "CONSTRAINT");
	add_name(out, cur(p));
	*cname = tok_strdup(cur(p));
	p->i++;
	return 0;
}

static int one_column_constraint(struct parser *p, struct fw_object *o, size_t colno,
				 struct strbuf *out)
{
	struct fw_column *col = &o->columns[colno];
	struct fw_constraint *c;
	char *cname = NULL;
	size_t start, from, to;
	int ret = 0;

	if (constraint_name(p, out, &cname) < 0)
		return -1;
	start = out->len;
	if (accept_kw(p, "PRIMARY")) {
		if (!accept_kw(p, "KEY"))
			ret = -1;
		add_kw(out, "PRIMARY KEY");
		c = column_constraint(o, FW_CON_PRIMARY_KEY, cname, col);
		if (accept_kw(p, "ASC"))
			add_kw(out, "ASC");
		else if (accept_kw(p, "DESC"))
			add_kw(out, "DESC");
		if (ret == 0)
			ret = conflict_clause(p, out);
		if (accept_kw(p, "AUTOINCREMENT")) {
			add_kw(out, "AUTOINCREMENT");
			fw_set_str(&col->identity, "AUTOINCREMENT");
		}
		set_clause(c, out, start);
	} else if (accept_kw(p, "NOT")) {
		if (!accept_kw(p, "NULL"))
			ret = -1;
		add_kw(out, "NOT NULL");
		col->not_null = 1;
		if (ret == 0)
			ret = conflict_clause(p, out);
	} else if (accept_kw(p, "NULL")) {
		add_kw(out, "NULL");
		ret = conflict_clause(p, out);
	} else if (accept_kw(p, "UNIQUE")) {
		add_kw(out, "UNIQUE");
		c = column_constraint(o, FW_CON_UNIQUE, cname, col);
		ret = conflict_clause(p, out);
		set_clause(c, out, start);
	} else if (accept_kw(p, "CHECK")) {
		if (take_group(p, &from, &to) < 0) {
			ret = -1;
		} else {
			add_kw(out, "CHECK");
			add_group(out, p->t, from, to, 1);
			c = column_constraint(o, FW_CON_CHECK, cname, col);
			c->expression = range_strdup(p->t, from, to);
			set_clause(c, out, start);
		}
	} else if (accept_kw(p, "DEFAULT")) {
		add_kw(out, "DEFAULT");
		ret = default_value(p, col, out);
	} else if (accept_kw(p, "COLLATE")) {
		if (!at_name(p)) {
			ret = -1;
		} else {
			add_kw(out, "COLLATE");
			add_name(out, cur(p));
			free(col->collation);
			col->collation = tok_strdup(cur(p));
			p->i++;
		}
	} else if (accept_kw(p, "REFERENCES")) {
		c = column_constraint(o, FW_CON_FOREIGN_KEY, cname, col);
		ret = fk_clause(p, c, out);
		set_clause(c, out, start);
	} else if (at_kw(p, "GENERATED") || at_kw(p, "AS")) {
		ret = generated_clause(p, col, out);
	} else {
		ret = -1;
	}
	free(cname);
	return ret;
}

/* a word of a type name in upper case (type names ignore case), quoted
 * only when it must be */
static void type_word(const struct tok *t, struct strbuf *out)
{
	struct strbuf v = STRBUF_INIT, probe = STRBUF_INIT;
	tok_value(t, &v);
	fw_sqlite_ident(v.buf, v.len, &probe);
	if (probe.len == v.len)   /* a plain word: no quotes needed */
		for (size_t k = 0; k < v.len; k++)
			strbuf_addch(out, toupper((unsigned char)v.buf[k]));
	else
		strbuf_addbuf(out, &probe);
	strbuf_release(&v);
	strbuf_release(&probe);
}

/* name [type] [constraint...] */
static int column_def(struct parser *p, struct fw_object *o, struct strbuf *out)
{
	struct strbuf type = STRBUF_INIT, name = STRBUF_INIT;
	struct fw_column *col;
	size_t colno, from, to;

	tok_value(cur(p), &name);
	strbuf_addstr(out, "    ");
	render_name(cur(p), out);
	p->i++;
	while (at_name(p) && cur(p)->k != TK_STRING && !at_column_constraint(p)) {
		if (type.len)
			strbuf_addch(&type, ' ');
		type_word(cur(p), &type);
		p->i++;
	}
	if (type.len && at_kind(p, TK_LP)) {
		if (take_group(p, &from, &to) < 0) {
			strbuf_release(&type);
			strbuf_release(&name);
			return -1;
		}
		add_group(&type, p->t, from, to, 0);
	}
	if (type.len) {
		strbuf_addch(out, ' ');
		strbuf_addbuf(out, &type);
	}
	col = fw_object_add_column(o, name.buf, type.buf);
	colno = (size_t)(col - o->columns);
	strbuf_release(&type);
	strbuf_release(&name);
	while (cur(p) && !at_kind(p, TK_COMMA) && !at_kind(p, TK_RP))
		if (one_column_constraint(p, o, colno, out) < 0)
			return -1;
	return 0;
}

static int at_table_constraint(const struct parser *p)
{
	return at_kw(p, "CONSTRAINT") || at_kw(p, "PRIMARY") || at_kw(p, "UNIQUE") ||
	       at_kw(p, "CHECK") || at_kw(p, "FOREIGN");
}

static int table_constraint(struct parser *p, struct fw_object *o, struct strbuf *out)
{
	struct fw_constraint *c;
	char *cname = NULL;
	size_t start, from, to;
	int ret = 0;
	enum fw_con_kind kind;

	strbuf_addstr(out, "    ");
	if (constraint_name(p, out, &cname) < 0)
		return -1;
	start = out->len;
	if (accept_kw(p, "PRIMARY"))
		kind = accept_kw(p, "KEY") ? FW_CON_PRIMARY_KEY : FW_CON_NKINDS;
	else if (accept_kw(p, "UNIQUE"))
		kind = FW_CON_UNIQUE;
	else if (accept_kw(p, "CHECK"))
		kind = FW_CON_CHECK;
	else if (accept_kw(p, "FOREIGN"))
		kind = accept_kw(p, "KEY") ? FW_CON_FOREIGN_KEY : FW_CON_NKINDS;
	else
		kind = FW_CON_NKINDS;
	if (kind == FW_CON_NKINDS || take_group(p, &from, &to) < 0) {
		free(cname);
		return -1;
	}
	c = fw_object_add_constraint(o, kind, cname);
	free(cname);
	add_kw(out, fw_con_kind_name(kind));
	add_group(out, p->t, from, to, 1);
	if (kind == FW_CON_CHECK)
		c->expression = range_strdup(p->t, from, to);
	else
		split_elements(p->t, from, to, &c->columns);
	if (kind == FW_CON_FOREIGN_KEY)
		ret = accept_kw(p, "REFERENCES") ? fk_clause(p, c, out) : -1;
	else if (kind != FW_CON_CHECK)
		ret = conflict_clause(p, out);
	set_clause(c, out, start);
	return ret;
}

/* CREATE [TEMP] [UNIQUE] [VIRTUAL] KIND [IF NOT EXISTS] [schema.]name: p ends
 * at the name's token; unique and is_virtual say what was seen */
static int create_head(struct parser *p, const char *kind, int *unique, int *is_virtual)
{
	*unique = *is_virtual = 0;
	if (!accept_kw(p, "CREATE"))
		return -1;
	if (!accept_kw(p, "TEMP"))
		accept_kw(p, "TEMPORARY");
	*unique = accept_kw(p, "UNIQUE");
	*is_virtual = accept_kw(p, "VIRTUAL");
	if (!accept_kw(p, kind))
		return -1;
	if (at_kw(p, "IF")) {
		p->i++;
		if (!accept_kw(p, "NOT") || !accept_kw(p, "EXISTS"))
			return -1;
	}
	if (!at_name(p))
		return -1;
	if (p->i + 2 < p->n && p->t[p->i + 1].k == TK_DOT &&
	    (p->t[p->i + 2].k == TK_WORD || p->t[p->i + 2].k == TK_QUOTED ||
	     p->t[p->i + 2].k == TK_STRING))
		p->i += 2;
	return 0;
}

static int at_end(struct parser *p)
{
	while (at_kind(p, TK_SEMI))
		p->i++;
	return p->i == p->n;
}

static int table_body(struct parser *p, struct fw_object *o, struct strbuf *out)
{
	int constraints = 0;
	if (!at_kind(p, TK_LP))
		return -1;
	p->i++;
	strbuf_addstr(out, " (\n");
	for (;;) {
		if (!cur(p))
			return -1;
		if (at_table_constraint(p))
			constraints = 1;
		if (constraints ? table_constraint(p, o, out) < 0
				: (!at_name(p) || column_def(p, o, out) < 0))
			return -1;
		if (at_kind(p, TK_RP))
			break;
		if (at_kind(p, TK_COMMA)) {
			p->i++;
			strbuf_addstr(out, ",\n");
		} else if (!constraints || !at_table_constraint(p)) {
			return -1;   /* only table constraints may follow one another without a comma */
		} else {
			strbuf_addstr(out, ",\n");
		}
	}
	p->i++;
	strbuf_addstr(out, "\n)");
	return o->ncolumns ? 0 : -1;
}

static int table_options(struct parser *p, struct fw_object *o, struct strbuf *out)
{
	int first = 1;
	while (cur(p) && !at_kind(p, TK_SEMI)) {
		if (!first && !at_kind(p, TK_COMMA))
			return -1;
		if (!first)
			p->i++;
		strbuf_addstr(out, first ? " " : ", ");
		if (accept_kw(p, "WITHOUT")) {
			if (!accept_kw(p, "ROWID"))
				return -1;
			strbuf_addstr(out, "WITHOUT ROWID");
			fw_attrs_set(&o->attrs, "without_rowid", "true");
		} else if (accept_kw(p, "STRICT")) {
			strbuf_addstr(out, "STRICT");
			fw_attrs_set(&o->attrs, "strict", "true");
		} else {
			return -1;
		}
		first = 0;
	}
	return at_end(p) ? 0 : -1;
}

static int parse_table(struct parser *p, struct fw_object *o, struct strbuf *out)
{
	int unique, is_virtual;
	if (create_head(p, "TABLE", &unique, &is_virtual) < 0 || unique)
		return -1;
	if (is_virtual) {
		/* module arguments are the module's business: kept as normalised text */
		p->i++;
		if (!accept_kw(p, "USING") || !at_name(p))
			return -1;
		{
			char *module = tok_strdup(cur(p));
			fw_attrs_set(&o->attrs, "virtual", module);
			free(module);
		}
		return 1;
	}
	strbuf_addstr(out, "CREATE TABLE ");
	render_name(cur(p), out);
	p->i++;
	if (table_body(p, o, out) < 0 || table_options(p, o, out) < 0)
		return -1;
	strbuf_addch(out, ';');
	return 0;
}

static int parse_index(struct parser *p, struct fw_object *o, struct strbuf *out)
{
	struct fw_index *ix;
	int unique, is_virtual;
	size_t from, to;
	if (create_head(p, "INDEX", &unique, &is_virtual) < 0 || is_virtual)
		return -1;
	strbuf_addstr(out, unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
	render_name(cur(p), out);
	p->i++;
	if (!accept_kw(p, "ON") || !at_name(p))
		return -1;
	strbuf_addstr(out, " ON ");
	render_name(cur(p), out);
	p->i++;
	if (take_group(p, &from, &to) < 0 || from == to)
		return -1;
	add_group(out, p->t, from, to, 0);
	ix = fw_object_set_index(o);
	ix->unique = unique;
	split_elements(p->t, from, to, &ix->columns);
	if (accept_kw(p, "WHERE")) {
		size_t wf = p->i;
		while (cur(p) && !at_kind(p, TK_SEMI))
			p->i++;
		if (wf == p->i)
			return -1;
		strbuf_addstr(out, " WHERE ");
		render_range(p->t, wf, p->i, out);
		ix->predicate = range_strdup(p->t, wf, p->i);
	}
	if (!at_end(p))
		return -1;
	strbuf_addch(out, ';');
	return 0;
}

/* ---- entry points ---- */

static void normalize_tokens(const struct toks *tk, struct strbuf *out)
{
	struct parser p = { tk->v, tk->nr, 0 };
	struct rend r = { out, NULL, 0 };
	static const char *const kinds[] = { "TABLE", "INDEX", "VIEW", "TRIGGER", NULL };
	static const struct tok name_tok = { TK_QUOTED, "\"\"", 2, 0 };
	size_t n = tk->nr;

	while (n && tk->v[n - 1].k == TK_SEMI)
		n--;
	p.n = n;
	for (int k = 0; kinds[k]; k++) {
		int unique, is_virtual;
		p.i = 0;
		if (create_head(&p, kinds[k], &unique, &is_virtual) < 0 ||
		    (p.i + 1 < n && tk->v[p.i + 1].k == TK_DOT))
			continue;   /* not a head this rewrite can keep stable: text as it is */
		strbuf_addstr(out, "CREATE ");
		if (unique)
			strbuf_addstr(out, "UNIQUE ");
		if (is_virtual)
			strbuf_addstr(out, "VIRTUAL ");
		strbuf_addstr(out, kinds[k]);
		strbuf_addch(out, ' ');
		render_name(cur(&p), out);
		r.prev = &name_tok;   /* spaced as a name whatever its spelling */
		p.i++;
		break;
	}
	if (!r.prev)
		p.i = 0;
	emit_range(&r, tk->v, p.i, n);
	strbuf_addch(out, ';');
}

void fw_sqlite_ddl_normalize(const char *sql, size_t len, struct strbuf *out)
{
	struct toks tk = { NULL, 0, 0 };
	tokenize(sql, len, &tk);
	normalize_tokens(&tk, out);
	free(tk.v);
}

int fw_sqlite_ddl_parse(const char *sql, size_t len, struct fw_object *o)
{
	struct toks tk = { NULL, 0, 0 };
	struct strbuf out = STRBUF_INIT;
	struct parser p;
	int ret = -1;

	tokenize(sql, len, &tk);
	p.t = tk.v;
	p.n = tk.nr;
	p.i = 0;
	if (o->type == FW_OBJ_TABLE)
		ret = parse_table(&p, o, &out);
	else if (o->type == FW_OBJ_INDEX)
		ret = parse_index(&p, o, &out);
	else
		ret = 1;   /* views, triggers: normalised text is their whole model */
	if (ret != 0) {
		if (ret < 0)
			fw_object_clear_details(o);   /* what a failed parse may have added */
		strbuf_reset(&out);
		normalize_tokens(&tk, &out);
		ret = ret < 0 ? -1 : 0;
	}
	fw_object_set_definition(o, out.buf);
	strbuf_release(&out);
	free(tk.v);
	return ret;
}
