/* check -code: rules over the tokens of one statement (see lint.h). */
#include "sql/lint.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const struct fw_lint_rule fw_lint_rules[] = {
	{ "FW101", 1, "ADD COLUMN ... NOT NULL without a DEFAULT on an existing table: fails once it has rows (PostgreSQL; SQLite always)" },
	{ "FW102", 0, "PostgreSQL CREATE INDEX without CONCURRENTLY on an existing table (blocks writes while it builds)" },
	{ "FW103", 0, "a column type change (PostgreSQL ALTER COLUMN ... TYPE, MySQL MODIFY/CHANGE): rewrites the table under a lock" },
	{ "FW104", 0, "PostgreSQL ADD CONSTRAINT that checks every row (FOREIGN KEY/CHECK without NOT VALID, PRIMARY KEY/UNIQUE without USING INDEX)" },
	{ "FW105", 0, "PostgreSQL LOCK TABLE, VACUUM FULL, CLUSTER, REINDEX without CONCURRENTLY: an exclusive lock for the whole run" },
	{ "FW106", 0, "DROP TABLE, DROP COLUMN, DROP SCHEMA/DATABASE, TRUNCATE: data is lost" },
	{ "FW107", 0, "UPDATE or DELETE without WHERE: every row changes" },
	{ "FW108", 0, "PostgreSQL ALTER COLUMN ... SET NOT NULL on an existing table: a full scan under an exclusive lock" },
	{ NULL, 0, NULL },
};

/* ---- tokens ------------------------------------------------------------- */

enum tok_kind { TK_WORD, TK_IDENT, TK_OTHER };

struct tok {
	enum tok_kind kind;
	char text[64];   /* WORD: upper-cased; IDENT: the name as written; OTHER: the character */
	char raw[64];    /* as written (for messages) */
	int depth;       /* parenthesis depth the token is at */
};

struct toks {
	struct tok *v;
	size_t n, alloc;
};

static void push(struct toks *t, enum tok_kind k, const char *s, size_t len, int depth)
{
	struct tok *x;
	ALLOC_GROW(t->v, t->n + 1, t->alloc);
	x = &t->v[t->n++];
	x->kind = k;
	x->depth = depth;
	if (len >= sizeof(x->text))
		len = sizeof(x->text) - 1;
	for (size_t i = 0; i < len; i++) {
		x->text[i] = k == TK_WORD ? (char)toupper((unsigned char)s[i]) : s[i];
		x->raw[i] = s[i];
	}
	x->text[len] = x->raw[len] = '\0';
}

/* end of a quoted run starting at p (p points at the opening quote q) */
static const char *skip_quoted(const char *p, const char *end, char q, int backslash)
{
	for (p++; p < end; p++) {
		if (backslash && *p == '\\' && p + 1 < end)
			p++;
		else if (*p == q && p + 1 < end && p[1] == q)
			p++;
		else if (*p == q)
			return p + 1;
	}
	return end;
}

/* PostgreSQL $tag$ ... $tag$ (p at the first '$'); NULL when it is not one */
static const char *skip_dollar(const char *p, const char *end)
{
	const char *t = p + 1;
	while (t < end && (isalnum((unsigned char)*t) || *t == '_'))
		t++;
	if (t >= end || *t != '$' || (t > p + 1 && isdigit((unsigned char)p[1])))
		return NULL;
	{
		size_t taglen = (size_t)(t - p) + 1;
		const char *q = t + 1;
		for (; q + taglen <= end; q++)
			if (*q == '$' && !memcmp(q, p, taglen))
				return q + taglen;
	}
	return end;
}

static void tokenize(enum sql_dialect d, const char *p, struct toks *t)
{
	const char *end = p + strlen(p);
	int depth = 0;
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (isspace(c)) {
			p++;
		} else if ((c == '-' && p + 1 < end && p[1] == '-') || (c == '#' && d == SQL_DIALECT_MYSQL)) {
			while (p < end && *p != '\n')
				p++;
		} else if (c == '/' && p + 1 < end && p[1] == '*') {
			int nest = 0;
			do {
				if (*p == '/' && p + 1 < end && p[1] == '*')
					nest++, p += 2;
				else if (*p == '*' && p + 1 < end && p[1] == '/')
					nest--, p += 2;
				else
					p++;
			} while (p < end && nest > 0);
		} else if (c == '\'') {
			p = skip_quoted(p, end, '\'', d == SQL_DIALECT_MYSQL);
			push(t, TK_OTHER, "'", 1, depth);
		} else if (c == '"' || c == '`' || (c == '[' && d == SQL_DIALECT_SQLITE)) {
			char q = c == '[' ? ']' : (char)c;
			const char *s = p + 1, *e = skip_quoted(p, end, q, 0);
			if (c == '"' && d == SQL_DIALECT_MYSQL) {
				push(t, TK_OTHER, "'", 1, depth);   /* a string there */
			} else {
				push(t, TK_IDENT, s, (size_t)(e - s) - (e > s && e[-1] == q ? 1 : 0), depth);
			}
			p = e;
		} else if (c == '$' && d == SQL_DIALECT_POSTGRES && skip_dollar(p, end)) {
			p = skip_dollar(p, end);
			push(t, TK_OTHER, "'", 1, depth);
		} else if (isalpha(c) || c == '_' || c >= 0x80) {
			const char *s = p;
			while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '$' ||
					   (unsigned char)*p >= 0x80))
				p++;
			push(t, TK_WORD, s, (size_t)(p - s), depth);
		} else {
			if (c == ')' && depth > 0)
				depth--;
			push(t, TK_OTHER, p, 1, depth);
			if (c == '(')
				depth++;
			p++;
		}
	}
}

static int is(const struct toks *t, size_t i, const char *word)
{
	return i < t->n && t->v[i].kind == TK_WORD && !strcmp(t->v[i].text, word);
}

/* index of `word` at depth `depth` in [from, to), or to */
static size_t find(const struct toks *t, size_t from, size_t to, const char *word, int depth)
{
	for (size_t i = from; i < to; i++)
		if (t->v[i].depth == depth && is(t, i, word))
			return i;
	return to;
}

static int has(const struct toks *t, size_t from, size_t to, const char *word)
{
	for (size_t i = from; i < to; i++)
		if (is(t, i, word))
			return 1;
	return 0;
}

/* "NOT NULL" at the action's own depth */
static int has_not_null(const struct toks *t, size_t from, size_t to, int depth)
{
	for (size_t i = from; i + 1 < to; i++)
		if (t->v[i].depth == depth && is(t, i, "NOT") && is(t, i + 1, "NULL"))
			return 1;
	return 0;
}

/* ---- names -------------------------------------------------------------- */

/* a possibly qualified name starting at *i: its last part, normalised the way
 * the database folds it (PostgreSQL: unquoted to lower case; MySQL and
 * SQLite compare case-insensitively), and in *schema (when not NULL) the
 * part before it, or nothing; *i moves past it */
static void fold_part(const struct fw_lint *l, const struct tok *x, struct strbuf *out)
{
	strbuf_reset(out);
	for (const char *s = x->text; *s; s++)
		strbuf_addch(out, x->kind == TK_IDENT && l->dialect == SQL_DIALECT_POSTGRES
				  ? *s : (char)tolower((unsigned char)*s));
}

static void read_qualified(const struct fw_lint *l, const struct toks *t, size_t *i, struct strbuf *out,
			   struct strbuf *schema)
{
	strbuf_reset(out);
	if (schema)
		strbuf_reset(schema);
	while (*i < t->n && (t->v[*i].kind == TK_WORD || t->v[*i].kind == TK_IDENT)) {
		if (schema && out->len) {
			strbuf_reset(schema);
			strbuf_addbuf(schema, out);
		}
		fold_part(l, &t->v[*i], out);
		(*i)++;
		if (*i < t->n && !strcmp(t->v[*i].text, ".") && t->v[*i].kind == TK_OTHER)
			(*i)++;
		else
			break;
	}
}

static void read_name(const struct fw_lint *l, const struct toks *t, size_t *i, struct strbuf *out)
{
	read_qualified(l, t, i, out, NULL);
}

static int created_here(const struct fw_lint *l, const char *name)
{
	for (size_t i = 0; i < l->nr_created; i++)
		if (!strcmp(l->created[i], name))
			return 1;
	return 0;
}

/* ---- findings ----------------------------------------------------------- */

struct stmt {
	struct fw_lint *l;
	const char *script;
	int line;
	struct toks t;
	struct strbuf table, schema;   /* the table the statement works on, when known */
};

static int rule_is_error(const char *code)
{
	for (int i = 0; fw_lint_rules[i].code; i++)
		if (!strcmp(fw_lint_rules[i].code, code))
			return fw_lint_rules[i].error;
	return 0;
}

static void add(struct stmt *s, const char *code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(struct stmt *s, const char *code, const char *hint, const char *fmt, ...)
{
	struct fw_lint_finding *f;
	struct strbuf msg = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	f = fw_lint_push(s->l, "fleetway", s->script, s->line, code, rule_is_error(code), msg.buf, hint);
	if (s->table.len && fw_lint_rule_locks_table(code)) {
		f->table = xstrdup(s->table.buf);
		f->table_schema = s->schema.len ? xstrdup(s->schema.buf) : NULL;
	}
	strbuf_release(&msg);
}

/* the statement works on this table (read at *i, which moves past it) */
static void on_table(struct stmt *s, size_t *i, struct strbuf *name)
{
	read_qualified(s->l, &s->t, i, name, &s->schema);
	strbuf_reset(&s->table);
	strbuf_addbuf(&s->table, name);
}

/* ---- rules -------------------------------------------------------------- */

static int is_pg(const struct stmt *s)
{
	return s->l->dialect == SQL_DIALECT_POSTGRES;
}

/* ADD [COLUMN] [IF NOT EXISTS] name type ... */
static void add_column(struct stmt *s, size_t a, size_t b, const char *table)
{
	const struct toks *t = &s->t;
	int depth = t->v[a].depth;
	size_t i = a + 1;
	if (is(t, i, "COLUMN"))
		i++;
	if (is(t, i, "IF"))
		i += 3;
	/* MySQL fills existing rows with the type's implicit default instead */
	if (s->l->dialect == SQL_DIALECT_MYSQL || i + 1 >= b || !has_not_null(t, i, b, depth))
		return;
	/* a value for every existing row: a default, a generated or identity
	 * column, MySQL's AUTO_INCREMENT, PostgreSQL's serial types */
	if (has(t, i, b, "DEFAULT") || has(t, i, b, "GENERATED") || has(t, i, b, "AUTO_INCREMENT") ||
	    has(t, i, b, "SERIAL") || has(t, i, b, "BIGSERIAL") || has(t, i, b, "SMALLSERIAL") ||
	    has(t, i, b, "AS"))
		return;
	add(s, "FW101", "give it a DEFAULT, or add it nullable, fill it, then make it NOT NULL",
	    "ALTER TABLE %s adds column %s NOT NULL without a DEFAULT: fails on a table that has rows",
	    table, t->v[i].raw);
}

static void add_constraint(struct stmt *s, size_t a, size_t b, const char *table)
{
	const struct toks *t = &s->t;
	if (!is_pg(s))
		return;
	if ((has(t, a, b, "FOREIGN") || has(t, a, b, "CHECK")) && !(has(t, a, b, "NOT") && has(t, a, b, "VALID")))
		add(s, "FW104", "add it NOT VALID, then VALIDATE CONSTRAINT in a later migration (a weaker lock)",
		    "ALTER TABLE %s adds a %s constraint that checks every row while holding a lock",
		    table, has(t, a, b, "FOREIGN") ? "FOREIGN KEY" : "CHECK");
	else if ((has(t, a, b, "PRIMARY") || has(t, a, b, "UNIQUE")) && !has(t, a, b, "USING"))
		add(s, "FW104", "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX",
		    "ALTER TABLE %s adds a %s constraint: builds its index under an ACCESS EXCLUSIVE lock",
		    table, has(t, a, b, "PRIMARY") ? "PRIMARY KEY" : "UNIQUE");
}

static void alter_action(struct stmt *s, size_t a, size_t b, const char *table)
{
	const struct toks *t = &s->t;
	if (is(t, a, "ADD")) {
		static const char *const not_column[] = { "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN",
			"CHECK", "INDEX", "KEY", "EXCLUDE", "FULLTEXT", "SPATIAL", "PARTITION", NULL };
		for (int k = 0; not_column[k]; k++)
			if (is(t, a + 1, not_column[k])) {
				add_constraint(s, a, b, table);
				return;
			}
		add_column(s, a, b, table);
	} else if (is(t, a, "ALTER") && is_pg(s)) {
		size_t i = a + 1 + is(t, a + 1, "COLUMN");
		if (find(t, i, b, "TYPE", t->v[a].depth) < b)
			add(s, "FW103", "add a new column, fill it in batches, then switch over",
			    "ALTER TABLE %s changes the type of column %s: rewrites the table under an ACCESS EXCLUSIVE lock unless the types are binary-compatible (a longer varchar)",
			    table, i < b ? t->v[i].raw : "?");
		else if (is(t, i + 1, "SET") && is(t, i + 2, "NOT") && is(t, i + 3, "NULL"))
			add(s, "FW108", "PostgreSQL 12+: ADD CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL",
			    "ALTER TABLE %s sets column %s NOT NULL: scans the whole table under an ACCESS EXCLUSIVE lock",
			    table, i < b ? t->v[i].raw : "?");
	} else if ((is(t, a, "MODIFY") || is(t, a, "CHANGE")) && s->l->dialect == SQL_DIALECT_MYSQL) {
		if (!has(&s->t, 0, s->t.n, "INSTANT") && !has(&s->t, 0, s->t.n, "INPLACE"))
			add(s, "FW103", "ask for ALGORITHM=INSTANT or INPLACE, so MySQL refuses instead of copying",
			    "ALTER TABLE %s %s a column: MySQL may copy the whole table while it blocks writes",
			    table, is(t, a, "MODIFY") ? "modifies" : "changes");
	} else if (is(t, a, "DROP") && !is(t, a + 1, "CONSTRAINT") && !is(t, a + 1, "DEFAULT") &&
		   !is(t, a + 1, "NOT") && !is(t, a + 1, "INDEX") && !is(t, a + 1, "KEY") &&
		   !is(t, a + 1, "PRIMARY") && !is(t, a + 1, "FOREIGN") && !is(t, a + 1, "CHECK") &&
		   !is(t, a + 1, "IDENTITY") && !is(t, a + 1, "EXPRESSION") && !is(t, a + 1, "PARTITION") &&
		   !is(t, a + 1, "TRIGGER")) {
		size_t i = a + 1 + is(t, a + 1, "COLUMN");
		if (is(t, i, "IF"))
			i += 2;
		add(s, "FW106", "make sure nothing reads it any more, and that its data is kept elsewhere if needed",
		    "ALTER TABLE %s drops column %s: its data is lost", table, i < b ? t->v[i].raw : "?");
	}
}

static void alter_table(struct stmt *s)
{
	const struct toks *t = &s->t;
	struct strbuf name = STRBUF_INIT;
	size_t i = 2;
	if (is(t, i, "IF") && is(t, i + 1, "EXISTS"))
		i += 2;
	if (is(t, i, "ONLY"))
		i++;
	on_table(s, &i, &name);
	if (i < t->n && !strcmp(t->v[i].text, "*"))
		i++;
	if (name.len && !created_here(s->l, name.buf)) {
		int depth = i < t->n ? t->v[i].depth : 0;
		while (i < t->n) {
			size_t j = i;
			while (j < t->n && !(t->v[j].kind == TK_OTHER && !strcmp(t->v[j].text, ",") &&
					     t->v[j].depth == depth))
				j++;
			alter_action(s, i, j, name.buf);
			i = j + 1;
		}
	}
	strbuf_release(&name);
}

static void create(struct stmt *s)
{
	const struct toks *t = &s->t;
	struct strbuf name = STRBUF_INIT;
	size_t i = 1;
	while (is(t, i, "OR") || is(t, i, "REPLACE") || is(t, i, "TEMP") || is(t, i, "TEMPORARY") ||
	       is(t, i, "UNLOGGED") || is(t, i, "GLOBAL") || is(t, i, "LOCAL"))
		i++;
	if (is(t, i, "TABLE")) {
		i++;
		if (is(t, i, "IF"))
			i += 3;
		read_name(s->l, t, &i, &name);
		if (name.len) {
			struct fw_lint *l = s->l;
			ALLOC_GROW(l->created, l->nr_created + 1, l->alloc_created);
			l->created[l->nr_created++] = strbuf_detach(&name, NULL);
		}
	} else if (is_pg(s) && (is(t, i, "INDEX") || (is(t, i, "UNIQUE") && is(t, i + 1, "INDEX")))) {
		size_t on = find(t, i, t->n, "ON", 0);
		if (!has(t, i, on, "CONCURRENTLY") && on < t->n) {
			size_t j = on + 1 + is(t, on + 1, "ONLY");
			on_table(s, &j, &name);
			if (name.len && !created_here(s->l, name.buf))
				add(s, "FW102", "CREATE INDEX CONCURRENTLY (fleetway runs such a migration outside a transaction)",
				    "CREATE INDEX on %s without CONCURRENTLY blocks writes to the table while the index builds",
				    name.buf);
		}
	}
	strbuf_release(&name);
}

static void drop(struct stmt *s)
{
	const struct toks *t = &s->t;
	struct strbuf name = STRBUF_INIT;
	const char *what = t->n > 1 ? t->v[1].text : "";
	size_t i = 2;
	if (strcmp(what, "TABLE") && strcmp(what, "SCHEMA") && strcmp(what, "DATABASE"))
		return;
	if (is(t, i, "IF") && is(t, i + 1, "EXISTS"))
		i += 2;
	read_name(s->l, t, &i, &name);
	if (!(name.len && !strcmp(what, "TABLE") && created_here(s->l, name.buf)))
		add(s, "FW106", "make sure nothing reads it any more, and that its data is kept elsewhere if needed",
		    "DROP %s %s: its data is lost", what, name.len ? name.buf : "?");
	strbuf_release(&name);
}

static void whole_table(struct stmt *s, const char *verb)
{
	const struct toks *t = &s->t;
	struct strbuf name = STRBUF_INIT;
	size_t i = 1;
	if (!strcmp(verb, "DELETE") && is(t, i, "FROM"))
		i++;
	if (is(t, i, "ONLY"))
		i++;
	read_name(s->l, t, &i, &name);
	if (find(t, i, t->n, "WHERE", 0) == t->n && name.len && !created_here(s->l, name.buf))
		add(s, "FW107", "add a WHERE clause, or, to empty a table on purpose, say so in a comment and ignore this",
		    "%s %s without WHERE changes every row", verb, name.buf);
	strbuf_release(&name);
}

static void truncate(struct stmt *s)
{
	const struct toks *t = &s->t;
	struct strbuf name = STRBUF_INIT;
	size_t i = 1 + is(t, 1, "TABLE");
	if (is(t, i, "ONLY"))
		i++;
	read_name(s->l, t, &i, &name);
	if (!name.len || !created_here(s->l, name.buf))
		add(s, "FW106", "make sure the rows are not needed, or kept elsewhere",
		    "TRUNCATE %s removes every row", name.len ? name.buf : "?");
	strbuf_release(&name);
}

/* the table LOCK [TABLE], VACUUM FULL, CLUSTER, REINDEX TABLE work on, if named */
static void locked_table(struct stmt *s, const char *w)
{
	const struct toks *t = &s->t;
	struct strbuf name = STRBUF_INIT;
	size_t i = 1;
	if (!strcmp(w, "REINDEX")) {
		if (!is(t, 1, "TABLE"))
			return;
		i = 2;
	}
	while (i < t->n && t->v[i].kind == TK_WORD &&
	       (is(t, i, "TABLE") || is(t, i, "ONLY") || is(t, i, "FULL") || is(t, i, "VERBOSE") ||
		is(t, i, "ANALYZE") || is(t, i, "FREEZE") || is(t, i, "CONCURRENTLY")))
		i++;
	if (i < t->n && t->v[i].kind != TK_OTHER)
		on_table(s, &i, &name);
	strbuf_release(&name);
}

static void locking(struct stmt *s)
{
	const struct toks *t = &s->t;
	const char *w = t->v[0].text;
	if (!is_pg(s))
		return;
	if ((!strcmp(w, "VACUUM") && has(t, 1, t->n, "FULL")) || !strcmp(w, "CLUSTER") ||
	    (!strcmp(w, "REINDEX") && !has(t, 1, t->n, "CONCURRENTLY")) || !strcmp(w, "LOCK")) {
		locked_table(s, w);
		add(s, "FW105", "run it outside the deploy, in a maintenance window, or use an online alternative",
		    "%s takes an exclusive lock for as long as it runs", w);
	}
}

static void forget_created(struct fw_lint *l)
{
	for (size_t i = 0; i < l->nr_created; i++)
		free(l->created[i]);
	l->nr_created = 0;
}

void fw_lint_statement(struct fw_lint *l, const char *script, int line, const char *sql)
{
	struct stmt s = { l, script, line, { NULL, 0, 0 }, STRBUF_INIT, STRBUF_INIT };
	const char *w;
	if (!l->last_script || strcmp(l->last_script, script)) {
		if (l->per_script)
			forget_created(l);
		free(l->last_script);
		l->last_script = xstrdup(script);
		fw_lint_saw_script(l, script, NULL);
	}
	tokenize(l->dialect, sql, &s.t);
	if (!s.t.n || s.t.v[0].kind != TK_WORD)
		goto out;
	w = s.t.v[0].text;
	if (!strcmp(w, "ALTER") && is(&s.t, 1, "TABLE"))
		alter_table(&s);
	else if (!strcmp(w, "CREATE"))
		create(&s);
	else if (!strcmp(w, "DROP"))
		drop(&s);
	else if (!strcmp(w, "TRUNCATE"))
		truncate(&s);
	else if (!strcmp(w, "UPDATE") || !strcmp(w, "DELETE"))
		whole_table(&s, w);
	else
		locking(&s);
out:
	free(s.t.v);
	strbuf_release(&s.table);
	strbuf_release(&s.schema);
}

void fw_lint_init(struct fw_lint *l, enum sql_dialect d)
{
	memset(l, 0, sizeof(*l));
	l->dialect = d;
}

void fw_lint_finding_release(struct fw_lint_finding *f)
{
	free(f->script);
	free(f->code);
	free(f->message);
	free(f->hint);
	free(f->table);
	free(f->table_schema);
}

void fw_lint_release(struct fw_lint *l)
{
	forget_created(l);
	free(l->created);
	free(l->last_script);
	for (size_t i = 0; i < l->nr; i++)
		fw_lint_finding_release(&l->v[i]);
	free(l->v);
	strvec_clear(&l->scripts);
	strvec_clear(&l->paths);
	memset(l, 0, sizeof(*l));
}

struct fw_lint_finding *fw_lint_push(struct fw_lint *l, const char *engine, const char *script, int line,
				     const char *code, int error, const char *message, const char *hint)
{
	struct fw_lint_finding *f;
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	f = &l->v[l->nr++];
	memset(f, 0, sizeof(*f));
	f->engine = engine;
	f->script = xstrdup(script);
	f->line = line;
	f->code = xstrdup(code);
	f->error = error;
	f->message = xstrdup(message);
	f->hint = hint ? xstrdup(hint) : NULL;
	f->rows = -1;
	f->bytes = -1;
	return f;
}

void fw_lint_saw_script(struct fw_lint *l, const char *script, const char *path)
{
	for (size_t i = 0; i < l->scripts.nr; i++)
		if (!strcmp(l->scripts.v[i], script)) {
			if (path && !*l->paths.v[i]) {
				free(l->paths.v[i]);
				l->paths.v[i] = xstrdup(path);
			}
			return;
		}
	strvec_push(&l->scripts, script);
	strvec_push(&l->paths, path ? path : "");
}

const char *fw_lint_path_of(const struct fw_lint *l, const char *script)
{
	for (size_t i = 0; i < l->scripts.nr; i++)
		if (!strcmp(l->scripts.v[i], script))
			return *l->paths.v[i] ? l->paths.v[i] : NULL;
	return NULL;
}

static size_t script_rank(const struct fw_lint *l, const char *script)
{
	for (size_t i = 0; i < l->scripts.nr; i++)
		if (!strcmp(l->scripts.v[i], script))
			return i;
	return l->scripts.nr;
}

static int before(const struct fw_lint *l, const struct fw_lint_finding *a, const struct fw_lint_finding *b)
{
	size_t ra = script_rank(l, a->script), rb = script_rank(l, b->script);
	if (ra != rb)
		return ra < rb;
	if (a->line != b->line)
		return a->line < b->line;
	return a->col < b->col;
}

void fw_lint_sort(struct fw_lint *l)
{
	/* insertion sort: stable, and the engines' lists come nearly in order */
	for (size_t i = 1; i < l->nr; i++) {
		struct fw_lint_finding x = l->v[i];
		size_t j = i;
		for (; j > 0 && before(l, &x, &l->v[j - 1]); j--)
			l->v[j] = l->v[j - 1];
		l->v[j] = x;
	}
}

size_t fw_lint_errors(const struct fw_lint *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->nr; i++)
		n += (size_t)l->v[i].error;
	return n;
}

int fw_lint_rule_locks_table(const char *code)
{
	static const char *const codes[] = { "FW101", "FW102", "FW103", "FW104", "FW105", "FW108", NULL };
	for (int i = 0; codes[i]; i++)
		if (!strcmp(codes[i], code))
			return 1;
	return 0;
}
