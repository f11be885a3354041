/* Legacy flyway.conf reader (reference 8.6).
 *
 * Flyway reads these files with java.util.Properties after two rewrites of the
 * text: every backslash is doubled (so Windows paths stay literal and no
 * Java escape sequence applies), except that a line ending in a backslash
 * keeps one real continuation backslash when the next line is neither blank
 * nor itself a flyway.* property; then ${NAME} is replaced from the
 * environment (unset: empty). The steps below give the same result without
 * a Properties parser: trimmed physical lines, comments skipped, continuation
 * joined, variables expanded, then key and value split at the first '=', ':'
 * or blank. (One difference: Java would interpret escapes in the text of an
 * expanded variable; here that text stays literal.) */
#include "config/internal.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct line {
	const char *p;
	size_t len;
};

/* Java's String.trim(): every char <= ' ' at both ends */
static struct line trim(struct line l)
{
	while (l.len && (unsigned char)l.p[0] <= ' ')
		l.p++, l.len--;
	while (l.len && (unsigned char)l.p[l.len - 1] <= ' ')
		l.len--;
	return l;
}

/* next physical line at *pos (CR LF, LF or a lone CR end it); 0 at the end */
static int next_line(const char *text, size_t len, size_t *pos, struct line *out)
{
	size_t i = *pos;
	if (i >= len)
		return 0;
	out->p = text + i;
	while (i < len && text[i] != '\n' && text[i] != '\r')
		i++;
	out->len = (size_t)(text + i - out->p);
	if (i < len && text[i] == '\r') {
		i++;
		if (i < len && text[i] == '\n')
			i++;
	} else if (i < len) {
		i++;
	}
	*pos = i;
	return 1;
}

static int starts_with(struct line l, const char *prefix)
{
	size_t n = strlen(prefix);
	return l.len >= n && !memcmp(l.p, prefix, n);
}

/* Flyway's look-ahead: a trailing backslash continues the line unless the
 * next line is blank (empty, not even spaces) or a flyway.x=... property */
static int continues(struct line cur, const char *text, size_t len, size_t pos)
{
	struct line next, t;
	if (!cur.len || cur.p[cur.len - 1] != '\\')
		return 0;
	if (!next_line(text, len, &pos, &next) || !next.len)
		return 0;
	t = trim(next);
	if (starts_with(t, "flyway.") && memchr(t.p, '=', t.len))
		return 0;
	return 1;
}

static int is_var_char(int c)
{
	return isalnum(c) || c == '_';
}

/* replace ${NAME} (letters, digits, underscore) from the environment */
static void expand_vars(const char *s, const struct strvec *environ, struct strbuf *out)
{
	while (*s) {
		const char *end;
		if (s[0] == '$' && s[1] == '{') {
			end = s + 2;
			while (is_var_char((unsigned char)*end))
				end++;
			if (*end == '}' && end > s + 2) {
				char *name = xstrndup(s + 2, (size_t)(end - s - 2));
				const char *v = fw_environ_get(environ, name);
				free(name);
				if (v)
					strbuf_addstr(out, v);
				s = end + 1;
				continue;
			}
		}
		strbuf_addch(out, *s++);
	}
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

static void add_entry(struct fw_conf_entries *out, const char *logical, int line)
{
	const char *k = logical, *v;
	size_t klen = 0;
	while (k[klen] && k[klen] != '=' && k[klen] != ':' && !is_blank((unsigned char)k[klen]))
		klen++;
	v = k + klen;
	while (is_blank((unsigned char)*v))
		v++;
	if (*v == '=' || *v == ':')
		v++;
	while (is_blank((unsigned char)*v))
		v++;
	for (size_t i = 0; i < out->nr; i++) {
		if (strlen(out->v[i].key) == klen && !memcmp(out->v[i].key, k, klen)) {
			free(out->v[i].value);
			out->v[i].value = xstrdup(v);
			out->v[i].line = line;
			return;
		}
	}
	ALLOC_GROW(out->v, out->nr + 1, out->alloc);
	out->v[out->nr].key = xstrndup(k, klen);
	out->v[out->nr].value = xstrdup(v);
	out->v[out->nr++].line = line;
}

void fw_conf_parse(const char *text, size_t len, const struct strvec *environ,
		   struct fw_conf_entries *out)
{
	struct strbuf logical = STRBUF_INIT, expanded = STRBUF_INIT;
	struct line raw;
	size_t pos = 0;
	int lineno = 0;

	while (next_line(text, len, &pos, &raw)) {
		struct line t = trim(raw);
		int first = ++lineno;
		if (!t.len || t.p[0] == '#' || t.p[0] == '!')
			continue;
		strbuf_reset(&logical);
		while (continues(t, text, len, pos)) {
			strbuf_add(&logical, t.p, t.len - 1);
			next_line(text, len, &pos, &raw);
			lineno++;
			t = trim(raw);
		}
		strbuf_add(&logical, t.p, t.len);
		/* a NUL inside a line ends it, as C strings do; Java would keep it */
		strbuf_reset(&expanded);
		expand_vars(logical.buf, environ, &expanded);
		if (expanded.len && expanded.buf[0])
			add_entry(out, expanded.buf, first);
	}
	strbuf_release(&logical);
	strbuf_release(&expanded);
}

void fw_conf_entries_release(struct fw_conf_entries *e)
{
	for (size_t i = 0; i < e->nr; i++) {
		free(e->v[i].key);
		free(e->v[i].value);
	}
	free(e->v);
	memset(e, 0, sizeof(*e));
}
