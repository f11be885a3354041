#include "redact.h"
#include "xalloc.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct fw_secret_state {
	uint32_t fail;           /* longest proper suffix that is also a trie path */
	uint32_t depth;          /* bytes from the root */
	uint32_t out_len;        /* longest secret ending here (this state or along fail), 0 = none */
	uint32_t first_child, next_sibling;   /* the trie's shape, for building */
	unsigned char in_byte;   /* the byte of the edge into this state */
	unsigned char terminal;  /* a secret ends here */
};

static uint32_t edge_slot(const struct fw_secrets *s, uint32_t key)
{
	return (uint32_t)((key * 2654435761u) & s->edge_mask);
}

/* the child of `from` (not the root) over byte c, or 0 */
static uint32_t edge_get(const struct fw_secrets *s, uint32_t from, unsigned char c)
{
	uint32_t key = from << 8 | c;
	if (!s->edges)
		return 0;
	for (size_t i = edge_slot(s, key);; i = (i + 1) & s->edge_mask) {
		uint64_t e = s->edges[i];
		if (!e)
			return 0;
		if ((uint32_t)(e >> 32) == key)
			return (uint32_t)e;
	}
}

static void edge_put(struct fw_secrets *s, uint32_t key, uint32_t to)
{
	size_t i = edge_slot(s, key);
	while (s->edges[i])
		i = (i + 1) & s->edge_mask;
	s->edges[i] = (uint64_t)key << 32 | to;
}

/* keep the table at most half full */
static void edges_reserve(struct fw_secrets *s)
{
	uint64_t *old = s->edges;
	size_t old_size = old ? s->edge_mask + 1 : 0, size = old_size ? old_size : 64;
	if ((s->nr_edges + 1) * 2 <= old_size)
		return;
	while ((s->nr_edges + 1) * 2 > size)
		size *= 2;
	s->edges = xcalloc(size, sizeof(*s->edges));
	s->edge_mask = size - 1;
	for (size_t i = 0; i < old_size; i++)
		if (old[i])
			edge_put(s, (uint32_t)(old[i] >> 32), (uint32_t)old[i]);
	free(old);
}

static uint32_t new_state(struct fw_secrets *s, uint32_t parent, unsigned char c)
{
	uint32_t id;
	if (!s->nr_states) {
		ALLOC_GROW(s->st, 1, s->alloc_states);
		memset(&s->st[0], 0, sizeof(s->st[0]));
		s->nr_states = 1;
	}
	ALLOC_GROW(s->st, s->nr_states + 1, s->alloc_states);
	id = (uint32_t)s->nr_states++;
	memset(&s->st[id], 0, sizeof(s->st[id]));
	s->st[id].depth = parent ? s->st[parent].depth + 1 : 1;
	s->st[id].in_byte = c;
	s->st[id].next_sibling = s->st[parent].first_child;
	s->st[parent].first_child = id;
	if (!parent) {
		s->root[c] = id;
	} else {
		edges_reserve(s);
		edge_put(s, parent << 8 | c, id);
		s->nr_edges++;
	}
	return id;
}

static uint32_t child(const struct fw_secrets *s, uint32_t from, unsigned char c)
{
	return from ? edge_get(s, from, c) : s->root[c];
}

/* insert into the trie; returns 0 when the secret was there already */
static int trie_insert(struct fw_secrets *s, const unsigned char *p, size_t len)
{
	uint32_t at = 0;
	for (size_t i = 0; i < len; i++) {
		uint32_t next = s->nr_states ? child(s, at, p[i]) : 0;
		at = next ? next : new_state(s, at, p[i]);
	}
	if (s->st[at].terminal)
		return 0;
	s->st[at].terminal = 1;
	return 1;
}

/* failure links and output lengths, breadth first from the root */
static void build(struct fw_secrets *s)
{
	uint32_t *queue;
	size_t head = 0, tail = 0;
	if (!s->dirty || !s->nr_states)
		return;
	queue = xcalloc(s->nr_states, sizeof(*queue));
	for (int c = 0; c < 256; c++)
		if (s->root[c]) {
			uint32_t v = s->root[c];
			s->st[v].fail = 0;
			s->st[v].out_len = s->st[v].terminal ? s->st[v].depth : 0;
			queue[tail++] = v;
		}
	while (head < tail) {
		uint32_t u = queue[head++];
		for (uint32_t v = s->st[u].first_child; v; v = s->st[v].next_sibling) {
			unsigned char c = s->st[v].in_byte;
			uint32_t f = s->st[u].fail, to;
			while (f && !child(s, f, c))
				f = s->st[f].fail;
			to = child(s, f, c);
			s->st[v].fail = to != v ? to : 0;
			s->st[v].out_len = s->st[v].terminal ? s->st[v].depth : 0;
			if (s->st[s->st[v].fail].out_len > s->st[v].out_len)
				s->st[v].out_len = s->st[s->st[v].fail].out_len;
			queue[tail++] = v;
		}
	}
	free(queue);
	s->dirty = 0;
}

void fw_secrets_add(struct fw_secrets *s, const char *secret)
{
	size_t len = secret ? strlen(secret) : 0;
	if (len < 3 || !trie_insert(s, (const unsigned char *)secret, len))
		return;
	ALLOC_GROW(s->all, s->nr + 1, s->alloc);
	s->all[s->nr++] = xstrdup(secret);
	s->dirty = 1;
}

/* covered byte ranges, merged as they come (matches arrive by end position) */
struct runs {
	size_t (*v)[2];
	size_t nr, alloc;
};

static void runs_add(struct runs *r, size_t start, size_t end)
{
	while (r->nr && start <= r->v[r->nr - 1][1] + 1) {
		if (r->v[r->nr - 1][0] < start)
			start = r->v[r->nr - 1][0];
		r->nr--;
	}
	ALLOC_GROW(r->v, r->nr + 1, r->alloc);
	r->v[r->nr][0] = start;
	r->v[r->nr][1] = end;
	r->nr++;
}

size_t fw_secrets_apply(struct fw_secrets *s, struct strbuf *sb)
{
	struct runs runs = { NULL, 0, 0 };
	struct strbuf out = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)sb->buf;
	uint32_t at = 0;
	size_t copied = 0, n;
	if (!s->nr || sb->len < 3)
		return 0;
	build(s);
	for (size_t i = 0; i < sb->len; i++) {
		uint32_t next;
		while (!(next = child(s, at, p[i])) && at)
			at = s->st[at].fail;
		at = next;
		if (at && s->st[at].out_len)
			runs_add(&runs, i + 1 - s->st[at].out_len, i);
	}
	n = runs.nr;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		strbuf_add(&out, sb->buf + copied, runs.v[i][0] - copied);
		strbuf_addstr(&out, "***");
		copied = runs.v[i][1] + 1;
	}
	strbuf_add(&out, sb->buf + copied, sb->len - copied);
	free(runs.v);
	strbuf_release(sb);
	*sb = out;
	return n;
}

void fw_secrets_release(struct fw_secrets *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free(s->all[i]);
	free(s->all);
	free(s->edges);
	free(s->st);
	memset(s, 0, sizeof(*s));
}

/* ---- the process-wide net ---- */

static pthread_rwlock_t net_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct fw_secrets net;

void redact_register(const char *s)
{
	if (!s || strlen(s) < 3)
		return;
	pthread_rwlock_wrlock(&net_lock);
	fw_secrets_add(&net, s);
	pthread_rwlock_unlock(&net_lock);
}

void redact_buf(struct strbuf *sb)
{
	/* the automaton is completed by the first reader after a registration,
	 * alone; then readers share it */
	pthread_rwlock_rdlock(&net_lock);
	if (net.dirty) {
		pthread_rwlock_unlock(&net_lock);
		pthread_rwlock_wrlock(&net_lock);
		build(&net);
		pthread_rwlock_unlock(&net_lock);
		pthread_rwlock_rdlock(&net_lock);
	}
	fw_secrets_apply(&net, sb);
	pthread_rwlock_unlock(&net_lock);
}

void redact_reset(void)
{
	pthread_rwlock_wrlock(&net_lock);
	fw_secrets_release(&net);
	pthread_rwlock_unlock(&net_lock);
}

/* true if the query-parameter name at p (length n) names a password */
static int is_password_key(const char *p, size_t n)
{
	static const char *keys[] = { "password", "pass", "pwd", "sslpassword", NULL };
	for (int i = 0; keys[i]; i++)
		if (strlen(keys[i]) == n && !strncasecmp(p, keys[i], n))
			return 1;
	return 0;
}

void redact_url(const char *url, struct strbuf *out)
{
	const char *scheme = strstr(url, "://");
	const char *p = url;
	if (scheme) {
		const char *auth = scheme + 3;
		const char *end = auth + strcspn(auth, "/?#");
		const char *at = NULL;
		for (const char *q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		if (at) {
			const char *colon = memchr(auth, ':', (size_t)(at - auth));
			if (colon) {
				strbuf_add(out, url, (size_t)(colon + 1 - url));
				strbuf_addstr(out, "***");
				p = at;
			}
		}
	}
	/* query parameters: key=value separated by & or ; */
	while (*p) {
		const char *q = strpbrk(p, "?&;");
		if (!q) {
			strbuf_addstr(out, p);
			break;
		}
		strbuf_add(out, p, (size_t)(q + 1 - p));
		p = q + 1;
		{
			size_t klen = strcspn(p, "=&;#");
			if (p[klen] == '=' && is_password_key(p, klen)) {
				strbuf_add(out, p, klen + 1);
				strbuf_addstr(out, "***");
				p += klen + 1;
				p += strcspn(p, "&;#");
			}
		}
	}
	redact_buf(out);
}
