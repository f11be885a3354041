#include "redact.h"
#include "xalloc.h"
#include <pthread.h>
#include <string.h>
#include <strings.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets;
static size_t nr_secrets, alloc_secrets;

void redact_register(const char *s)
{
	if (!s || strlen(s) < 3)
		return;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nr_secrets; i++)
		if (!strcmp(secrets[i], s))
			goto out;
	ALLOC_GROW(secrets, nr_secrets + 1, alloc_secrets);
	secrets[nr_secrets++] = xstrdup(s);
out:
	pthread_mutex_unlock(&lock);
}

static void replace_all(struct strbuf *sb, const char *needle)
{
	size_t nlen = strlen(needle);
	char *hit;
	size_t from = 0;
	while (from <= sb->len && (hit = memmem(sb->buf + from, sb->len - from, needle, nlen))) {
		struct strbuf out = STRBUF_INIT;
		size_t at = (size_t)(hit - sb->buf);
		strbuf_add(&out, sb->buf, at);
		strbuf_addstr(&out, "***");
		strbuf_add(&out, hit + nlen, sb->len - at - nlen);
		strbuf_release(sb);
		*sb = out;
		from = at + 3;
	}
}

void redact_buf(struct strbuf *sb)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nr_secrets; i++)
		replace_all(sb, secrets[i]);
	pthread_mutex_unlock(&lock);
}

void redact_reset(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nr_secrets; i++)
		free(secrets[i]);
	free(secrets);
	secrets = NULL;
	nr_secrets = alloc_secrets = 0;
	pthread_mutex_unlock(&lock);
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
