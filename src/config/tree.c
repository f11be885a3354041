/* The settings tree: values from every source, merged, each remembering
 * where it came from. Exported once as a TOML tree for fw_settings_root(). */
#include "config/internal.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cnode *cnode_new(enum toml_type t, const char *origin, int line, int col, unsigned seq)
{
	struct cnode *n = xcalloc(1, sizeof(*n));
	n->type = t;
	n->origin = origin;
	n->line = line;
	n->col = col;
	n->seq = seq;
	return n;
}

struct cnode *cnode_new_text(const char *s, const char *origin, unsigned seq)
{
	struct cnode *n = cnode_new(TOML_STRING, origin, 0, 0, seq);
	n->text = 1;
	n->len = strlen(s);
	n->s = xstrndup(s, n->len);
	return n;
}

void cnode_free(struct cnode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nr; i++) {
		cnode_free(n->items[i]);
		if (n->keys)
			free(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->keylens);
	free(n->s);
	free(n);
}

static struct cnode *get_n(const struct cnode *tab, const char *key, size_t len)
{
	if (!tab || tab->type != TOML_TABLE)
		return NULL;
	for (size_t i = 0; i < tab->nr; i++)
		if (tab->keylens[i] == len && !memcmp(tab->keys[i], key, len))
			return tab->items[i];
	return NULL;
}

struct cnode *cnode_get(const struct cnode *tab, const char *key)
{
	return get_n(tab, key, strlen(key));
}

struct cnode *cnode_get_path(const struct cnode *tab, const char *dotted)
{
	while (tab) {
		const char *dot = strchr(dotted, '.');
		struct cnode *whole = cnode_get(tab, dotted);
		if (whole || !dot)
			return whole;
		tab = get_n(tab, dotted, (size_t)(dot - dotted));
		dotted = dot + 1;
	}
	return NULL;
}

static void table_append(struct cnode *tab, const char *key, size_t keylen, struct cnode *v)
{
	size_t old = tab->alloc;
	ALLOC_GROW(tab->items, tab->nr + 1, tab->alloc);
	if (tab->alloc != old) {
		tab->keys = xrealloc(tab->keys, tab->alloc * sizeof(*tab->keys));
		tab->keylens = xrealloc(tab->keylens, tab->alloc * sizeof(*tab->keylens));
	}
	tab->keys[tab->nr] = xstrndup(key, keylen);
	tab->keylens[tab->nr] = keylen;
	tab->items[tab->nr++] = v;
}

static void array_append(struct cnode *arr, struct cnode *v)
{
	ALLOC_GROW(arr->items, arr->nr + 1, arr->alloc);
	arr->items[arr->nr++] = v;
}

void cnode_set(struct cnode *tab, const char *key, size_t keylen, struct cnode *v)
{
	for (size_t i = 0; i < tab->nr; i++) {
		if (tab->keylens[i] == keylen && !memcmp(tab->keys[i], key, keylen)) {
			cnode_free(tab->items[i]);
			tab->items[i] = v;
			return;
		}
	}
	table_append(tab, key, keylen, v);
}

struct cnode *cnode_child_table(struct cnode *tab, const char *key, const char *origin, unsigned seq)
{
	struct cnode *c = cnode_get(tab, key);
	if (c && c->type == TOML_TABLE)
		return c;
	c = cnode_new(TOML_TABLE, origin, 0, 0, seq);
	cnode_set(tab, key, strlen(key), c);
	return c;
}

void cnode_merge(struct cnode *tab, const char *key, size_t keylen, struct cnode *src)
{
	struct cnode *old = get_n(tab, key, keylen);
	if (old && old->type == TOML_TABLE && src->type == TOML_TABLE) {
		for (size_t i = 0; i < src->nr; i++) {
			cnode_merge(old, src->keys[i], src->keylens[i], src->items[i]);
			free(src->keys[i]);
		}
		src->nr = 0;
		cnode_free(src);
		return;
	}
	/* Flyway's list rule: a later empty list does not wipe an earlier one */
	if (old && src->type == TOML_ARRAY && !src->nr) {
		cnode_free(src);
		return;
	}
	cnode_set(tab, key, keylen, src);
}

struct cnode *cnode_from_toml(const struct toml_value *v, const char *origin, unsigned seq)
{
	struct cnode *n = cnode_new(v->type, origin, v->line, v->col, seq);
	switch (v->type) {
	case TOML_STRING:
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		n->s = xmalloc(v->u.str.len + 1);
		memcpy(n->s, v->u.str.s, v->u.str.len);
		n->s[v->u.str.len] = '\0';
		n->len = v->u.str.len;
		break;
	case TOML_INTEGER:
		n->i = v->u.i;
		break;
	case TOML_FLOAT:
		n->f = v->u.f;
		break;
	case TOML_BOOL:
		n->b = v->u.b;
		break;
	case TOML_ARRAY:
		for (size_t i = 0; i < v->u.arr.nr; i++)
			array_append(n, cnode_from_toml(v->u.arr.items[i], origin, seq));
		break;
	case TOML_TABLE:
		for (size_t i = 0; i < v->u.tab.nr; i++)
			table_append(n, v->u.tab.kv[i].key, toml_key_len(v, i),
				     cnode_from_toml(v->u.tab.kv[i].value, origin, seq));
		break;
	}
	return n;
}

static void add_float(struct strbuf *out, double f)
{
	char buf[64];
	if (isnan(f)) {
		strbuf_addstr(out, "nan");
		return;
	}
	if (isinf(f)) {
		strbuf_addstr(out, f < 0 ? "-inf" : "inf");
		return;
	}
	/* the shortest text that reads back as the same double */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	strbuf_addstr(out, buf);
	if (!strpbrk(buf, ".eEn"))
		strbuf_addstr(out, ".0");
}

int cnode_scalar_text(const struct cnode *n, struct strbuf *out)
{
	switch (n->type) {
	case TOML_STRING:
	case TOML_DATETIME:
	case TOML_DATETIME_LOCAL:
	case TOML_DATE_LOCAL:
	case TOML_TIME_LOCAL:
		strbuf_add(out, n->s, n->len);
		return 0;
	case TOML_INTEGER:
		strbuf_addf(out, "%" PRId64, n->i);
		return 0;
	case TOML_FLOAT:
		add_float(out, n->f);
		return 0;
	case TOML_BOOL:
		strbuf_addstr(out, n->b ? "true" : "false");
		return 0;
	default:
		return -1;
	}
}

void cnode_where(const struct cnode *n, struct strbuf *out)
{
	if (!n->origin)
		strbuf_addstr(out, "(default)");
	else if (n->line > 0 && n->col > 0)
		strbuf_addf(out, "%s:%d:%d", n->origin, n->line, n->col);
	else if (n->line > 0)
		strbuf_addf(out, "%s:%d", n->origin, n->line);
	else
		strbuf_addstr(out, n->origin);
}

/* ---------- export to TOML ---------- */

/* length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0)
		len = 2, cp = s[0] & 0x1F;
	else if ((s[0] & 0xF0) == 0xE0)
		len = 3, cp = s[0] & 0x0F;
	else if ((s[0] & 0xF8) == 0xF0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* a TOML basic string; bytes that are not UTF-8 (possible in environment
 * variables and argv) become U+FFFD in the exported copy only */
static void add_quoted(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	strbuf_addch(out, '"');
	while (p < end) {
		size_t n = utf8_seq(p, (size_t)(end - p));
		if (!n) {
			strbuf_addstr(out, "\\uFFFD");
			p++;
			continue;
		}
		if (*p == '"' || *p == '\\')
			strbuf_addf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7F)
			strbuf_addf(out, "\\u%04X", *p);
		else
			strbuf_add(out, p, n);
		p += n;
	}
	strbuf_addch(out, '"');
}

static void emit_inline(struct strbuf *out, const struct cnode *n);

static void emit_inline_table(struct strbuf *out, const struct cnode *n)
{
	strbuf_addch(out, '{');
	for (size_t i = 0; i < n->nr; i++) {
		strbuf_addstr(out, i ? ", " : " ");
		add_quoted(out, n->keys[i], n->keylens[i]);
		strbuf_addstr(out, " = ");
		emit_inline(out, n->items[i]);
	}
	strbuf_addstr(out, n->nr ? " }" : "}");
}

static void emit_inline(struct strbuf *out, const struct cnode *n)
{
	switch (n->type) {
	case TOML_STRING:
		add_quoted(out, n->s, n->len);
		break;
	case TOML_ARRAY:
		strbuf_addch(out, '[');
		for (size_t i = 0; i < n->nr; i++) {
			if (i)
				strbuf_addstr(out, ", ");
			emit_inline(out, n->items[i]);
		}
		strbuf_addch(out, ']');
		break;
	case TOML_TABLE:
		emit_inline_table(out, n);
		break;
	default:
		cnode_scalar_text(n, out);
		break;
	}
}

/* one dotted-key line per leaf: "a"."b" = value; tables with content are
 * only implied by their leaves so that no table is defined twice */
static void emit_lines(struct strbuf *out, struct strbuf *path, const struct cnode *tab)
{
	for (size_t i = 0; i < tab->nr; i++) {
		size_t at = path->len;
		const struct cnode *v = tab->items[i];
		if (at)
			strbuf_addch(path, '.');
		add_quoted(path, tab->keys[i], tab->keylens[i]);
		if (v->type == TOML_TABLE && v->nr) {
			emit_lines(out, path, v);
		} else {
			strbuf_addbuf(out, path);
			strbuf_addstr(out, " = ");
			emit_inline(out, v);
			strbuf_addch(out, '\n');
		}
		strbuf_setlen(path, at);
	}
}

struct map_acc {
	struct fw_srcmap *v;
	size_t nr, alloc;
};

static void map_walk(struct map_acc *acc, const struct toml_value *t, const struct cnode *n)
{
	struct strbuf where = STRBUF_INIT;
	cnode_where(n, &where);
	ALLOC_GROW(acc->v, acc->nr + 1, acc->alloc);
	acc->v[acc->nr].v = t;
	acc->v[acc->nr++].where = strbuf_detach(&where, NULL);
	if (t->type == TOML_TABLE && n->type == TOML_TABLE)
		for (size_t i = 0; i < t->u.tab.nr && i < n->nr; i++)
			map_walk(acc, t->u.tab.kv[i].value, n->items[i]);
	else if (t->type == TOML_ARRAY && n->type == TOML_ARRAY)
		for (size_t i = 0; i < t->u.arr.nr && i < n->nr; i++)
			map_walk(acc, t->u.arr.items[i], n->items[i]);
}

static int cmp_map(const void *a, const void *b)
{
	const struct fw_srcmap *x = a, *y = b;
	return x->v < y->v ? -1 : x->v > y->v;
}

int cnode_export(const struct cnode *root, struct toml_value **out, struct fw_srcmap **map,
		 size_t *nmap, struct fw_error *err)
{
	struct strbuf text = STRBUF_INIT, path = STRBUF_INIT;
	struct map_acc acc = { NULL, 0, 0 };
	int rc;
	emit_lines(&text, &path, root);
	rc = toml_parse(text.buf, text.len, "(merged configuration)", out, err);
	strbuf_release(&text);
	strbuf_release(&path);
	if (rc < 0)
		return -1;
	map_walk(&acc, *out, root);
	if (acc.nr)
		qsort(acc.v, acc.nr, sizeof(*acc.v), cmp_map);
	*map = acc.v;
	*nmap = acc.nr;
	return 0;
}
