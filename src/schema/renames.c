#include "schema/renames.h"
#include "schema/sqltok.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const markers[] = { "fleetway:renamed_from", "atlas:renamed_from", "@renamed",
				       "@rename", NULL };

static int str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "") && !a == !b;
}

void fw_renames_add(struct fw_renames *r, const char *schema, const char *table, const char *column,
		    const char *from, const char *origin)
{
	struct fw_rename *x;
	ALLOC_GROW(r->v, r->nr + 1, r->alloc);
	x = &r->v[r->nr++];
	x->schema = schema ? xstrdup(schema) : NULL;
	x->table = xstrdup(table);
	x->column = column ? xstrdup(column) : NULL;
	x->from = xstrdup(from);
	x->origin = xstrdup(origin ? origin : "");
}

const struct fw_rename *fw_renames_find(const struct fw_renames *r, const char *table, const char *column)
{
	for (size_t i = 0; r && i < r->nr; i++)
		if (!strcmp(r->v[i].table, table) && str_eq(r->v[i].column, column))
			return &r->v[i];
	return NULL;
}

void fw_renames_release(struct fw_renames *r)
{
	for (size_t i = 0; i < r->nr; i++) {
		free(r->v[i].schema);
		free(r->v[i].table);
		free(r->v[i].column);
		free(r->v[i].from);
		free(r->v[i].origin);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* ---- one comment ---- */

/* the marker the comment text holds, where it ends in *end; NULL: none */
static const char *find_marker(const char *s, size_t n, size_t *end)
{
	for (size_t i = 0; i < n; i++)
		for (int k = 0; markers[k]; k++) {
			size_t m = strlen(markers[k]);
			if (i + m <= n && !strncasecmp(s + i, markers[k], m) &&
			    (i + m == n || !(isalnum((unsigned char)s[i + m]) || s[i + m] == '_'))) {
				*end = i + m;
				return markers[k];
			}
		}
	return NULL;
}

/* the old name after the marker: a quoted name or a run of name characters */
static int old_name(const char *s, size_t n, size_t at, int sqldef, struct strbuf *out)
{
	while (at < n && isspace((unsigned char)s[at]))
		at++;
	if (sqldef) {
		if (at + 5 > n || strncasecmp(s + at, "from=", 5))
			return 0;
		at += 5;
	}
	if (at < n && (s[at] == '"' || s[at] == '`' || s[at] == '[')) {
		char close = s[at] == '[' ? ']' : s[at];
		for (at++; at < n; at++) {
			if (s[at] == close && at + 1 < n && s[at + 1] == close && close != ']') {
				strbuf_addch(out, close);
				at++;
			} else if (s[at] == close) {
				return out->len > 0;
			} else {
				strbuf_addch(out, s[at]);
			}
		}
		return 0;
	}
	while (at < n && (isalnum((unsigned char)s[at]) || s[at] == '_' || s[at] == '$' ||
			  (unsigned char)s[at] >= 0x80))
		strbuf_addch(out, s[at++]);
	return out->len > 0;
}

struct scan {
	const struct fw_toks *t;
	const char *schema, *origin;
	struct fw_renames *out;
	struct fw_error *err;
};

static int fail(struct scan *s, size_t tok, const char *what)
{
	fw_errorf(s->err, "ERROR", "%s:%d: %s", s->origin, s->t->v[tok].line, what);
	fw_error_hint(s->err, "write -- fleetway:renamed_from OLD_NAME on the line above the table's CREATE TABLE, or after the column (on its line or the line above it)");
	return -1;
}

/* tok is a comment: 1 with *from set when it is an annotation, 0 when not, -1 on error */
static int annotation(struct scan *s, size_t tok, struct strbuf *from)
{
	const struct fw_tok *k = &s->t->v[tok];
	const char *p = s->t->text + k->off;
	size_t end;
	const char *m = find_marker(p, k->len, &end);
	if (!m)
		return 0;
	if (!old_name(p, k->len, end, *m == '@', from))
		return fail(s, tok, "a rename annotation names no old name");
	return 1;
}

static int record(struct scan *s, size_t tok, const char *table, const char *column, const char *from)
{
	struct strbuf where = STRBUF_INIT;
	for (size_t i = 0; i < s->out->nr; i++) {
		const struct fw_rename *r = &s->out->v[i];
		if (!str_eq(r->schema, s->schema) || strcmp(r->table, table))
			continue;
		if (str_eq(r->column, column) && strcmp(r->from, from))
			return fail(s, tok, "two rename annotations with different old names for one object");
		if (!str_eq(r->column, column) && !!r->column == !!column && !strcmp(r->from, from))
			return fail(s, tok, "two objects renamed from the same old name");
	}
	if (column ? !strcmp(column, from) : !strcmp(table, from))
		return fail(s, tok, "a rename annotation names the object's own name");
	strbuf_addf(&where, "%s:%d", s->origin, s->t->v[tok].line);
	if (!fw_renames_find(s->out, table, column))
		fw_renames_add(s->out, s->schema, table, column, from, where.buf);
	strbuf_release(&where);
	return 0;
}

/* ---- statements ---- */

static size_t skip_comments(const struct fw_toks *t, size_t i, size_t end)
{
	while (i < end && t->v[i].kind == FW_TOK_COMMENT)
		i++;
	return i;
}

/* CREATE [OR REPLACE] [TEMP...] TABLE [IF NOT EXISTS] [schema.]name: the index
 * of the name's last part, or end */
static size_t table_name(const struct fw_toks *t, size_t i, size_t end)
{
	static const char *const mods[] = { "OR", "REPLACE", "TEMP", "TEMPORARY", "UNLOGGED", "GLOBAL",
					    "LOCAL", "FOREIGN", NULL };
	if (!fw_tok_word(t, i, "CREATE"))
		return end;
	for (i++; i < end; i++) {
		int mod = 0;
		for (int k = 0; mods[k]; k++)
			mod |= fw_tok_word(t, i, mods[k]);
		if (!mod)
			break;
	}
	if (!fw_tok_word(t, i, "TABLE"))
		return end;
	i++;
	if (fw_tok_word(t, i, "IF") && fw_tok_word(t, i + 1, "NOT") && fw_tok_word(t, i + 2, "EXISTS"))
		i += 3;
	while (i + 2 < end && fw_tok_is(t, i + 1, '.'))
		i += 2;
	return i < end && (t->v[i].kind == FW_TOK_WORD || t->v[i].kind == FW_TOK_QUOTED) ? i : end;
}

static int constraint_word(const struct fw_toks *t, size_t i)
{
	static const char *const words[] = { "CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN",
					     "EXCLUDE", "KEY", "INDEX", "FULLTEXT", "SPATIAL", "PERIOD",
					     "LIKE", NULL };
	for (int k = 0; words[k]; k++)
		if (fw_tok_word(t, i, words[k]))
			return 1;
	return 0;
}

/* the first token of the element (column or constraint) holding token i of
 * the list between open and close (commas at depth of open + 1) */
static size_t element_start(const struct fw_toks *t, size_t open, size_t i)
{
	int d = t->v[open].depth + 1;
	while (i > open + 1 && !(fw_tok_is(t, i - 1, ',') && t->v[i - 1].depth == d))
		i--;
	return i;
}

/* the column a comment inside the list annotates, as a token index; close
 * when it annotates nothing */
static size_t annotated_element(const struct fw_toks *t, size_t open, size_t close, size_t c)
{
	size_t prev = c, next;
	while (prev > open + 1 && t->v[prev - 1].kind == FW_TOK_COMMENT)
		prev--;
	prev = prev > open + 1 ? prev - 1 : open;
	if (prev > open && t->v[prev].line == t->v[c].line) {
		/* a trailing comment: the element the line ends with */
		if (fw_tok_is(t, prev, ',') && t->v[prev].depth == t->v[open].depth + 1)
			prev--;
		return skip_comments(t, element_start(t, open, prev), close);
	}
	next = skip_comments(t, c + 1, close);
	return next < close && !fw_tok_is(t, next, ',') ? next : close;
}

static int column_annotation(struct scan *s, const char *table, size_t open, size_t close, size_t c,
			     const char *from)
{
	const struct fw_toks *t = s->t;
	struct strbuf col = STRBUF_INIT;
	size_t el = annotated_element(t, open, close, c);
	int ret;
	if (el >= close || constraint_word(t, el) || !fw_tok_name(t, el, &col)) {
		strbuf_release(&col);
		return fail(s, c, "a rename annotation inside a table annotates no column");
	}
	ret = record(s, c, table, col.buf, from);
	strbuf_release(&col);
	return ret;
}

/* sqldef's place for a table's annotation: after the "(" on its line,
 * before any column */
static int opens_list(const struct fw_toks *t, size_t open, size_t c)
{
	if (open >= t->nr || t->v[open].line != t->v[c].line)
		return 0;
	for (size_t i = open + 1; i < c; i++)
		if (t->v[i].kind != FW_TOK_COMMENT)
			return 0;
	return 1;
}

/* the annotations of one statement [from, end) */
static int statement(struct scan *s, size_t from, size_t end)
{
	const struct fw_toks *t = s->t;
	struct strbuf table = STRBUF_INIT, old = STRBUF_INIT;
	size_t first = skip_comments(t, from, end), name = table_name(t, first, end);
	size_t open = end, close = end;
	int ret = 0;
	if (name < end) {
		fw_tok_name(t, name, &table);
		for (open = name + 1; open < end && !fw_tok_is(t, open, '('); open++)
			;
		for (close = open + 1; close < end; close++)
			if (fw_tok_is(t, close, ')') && t->v[close].depth == t->v[open].depth)
				break;
	}
	for (size_t i = from; i < end && !ret; i++) {
		int a;
		if (t->v[i].kind != FW_TOK_COMMENT)
			continue;
		strbuf_reset(&old);
		if ((a = annotation(s, i, &old)) <= 0) {
			ret = a;
			continue;
		}
		if (name < end && (i < open || opens_list(t, open, i)) &&
		    !(from > 0 && t->v[from - 1].line == t->v[i].line))
			ret = record(s, i, table.buf, NULL, old.buf);
		else if (name < end && i < close && t->v[i].depth == t->v[open].depth + 1)
			ret = column_annotation(s, table.buf, open, close, i, old.buf);
		else
			ret = fail(s, i, "a rename annotation must annotate a table or a column of a CREATE TABLE");
	}
	strbuf_release(&table);
	strbuf_release(&old);
	return ret;
}

int fw_renames_scan(const char *text, size_t len, const char *dialect, const char *schema,
		    const char *origin, struct fw_renames *out, struct fw_error *err)
{
	struct fw_toks t;
	struct scan s;
	size_t from = 0;
	int ret = 0;
	fw_sql_tokenize(text, len, fw_tok_flags_for(dialect), &t);
	s.t = &t;
	s.schema = schema;
	s.origin = origin ? origin : "";
	s.out = out;
	s.err = err;
	for (size_t i = 0; i <= t.nr && !ret; i++) {
		if (i < t.nr && !(fw_tok_is(&t, i, ';') && t.v[i].depth == 0))
			continue;
		ret = statement(&s, from, i);
		from = i + 1;
	}
	fw_toks_release(&t);
	return ret;
}
