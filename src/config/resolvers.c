/* ${resolver.key} references in TOML configuration values (reference 8.3).
 *
 * Flyway matches references with the pattern \${1,2}\{[^.]+\.[^.]+?\} on the
 * value stripped of surrounding whitespace: "$${a.b}" is the escape for a
 * literal "${a.b}", "${x}" without a dot is left alone (so a placeholder
 * prefix "${" or a text "${name}" is not a reference). One deliberate
 * difference: the resolver name may not contain '{', '}' or '$' here, so
 * "${a}${env.B}" resolves ${env.B} instead of reporting a resolver called
 * "a}${env". */
#include "config/internal.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *fw_environ_get(const struct strvec *environ, const char *name)
{
	size_t n = strlen(name);
	if (!environ)
		return NULL;
	for (size_t i = 0; i < environ->nr; i++)
		if (!strncmp(environ->v[i], name, n) && environ->v[i][n] == '=')
			return environ->v[i] + n + 1;
	return NULL;
}

/* one reference: positions inside the value */
struct ref {
	size_t start, end;          /* [start, end) covers "$${...}" or "${...}" */
	int escaped;                /* started with "$$" */
	const char *name, *param;   /* name: after '{' up to '.'; param: after '.' up to '}' */
	size_t name_len, param_len;
};

/* Match a reference of `dollars` dollar signs at s[at]. */
static int match_ref(const char *s, size_t at, int dollars, struct ref *r)
{
	size_t p = at, q;
	for (int i = 0; i < dollars; i++)
		if (s[p++] != '$')
			return 0;
	if (s[p++] != '{')
		return 0;
	q = p;
	while (s[q] && s[q] != '.' && !strchr("{}$", s[q]))
		q++;
	if (q == p || s[q] != '.')
		return 0;
	r->name = s + p;
	r->name_len = q - p;
	p = ++q;
	while (s[q] && s[q] != '.' && s[q] != '}')
		q++;
	if (q == p || s[q] != '}')
		return 0;
	r->param = s + p;
	r->param_len = q - p;
	r->start = at;
	r->end = q + 1;
	r->escaped = dollars == 2;
	return 1;
}

/* Flyway's regex tries two dollars first, then one at the next position */
static int find_ref(const char *s, size_t at, struct ref *r)
{
	return (s[at + 1] == '$' && match_ref(s, at, 2, r)) || match_ref(s, at, 1, r);
}

/* "${a_${env.B}}": a reference written inside the braces of another one */
static int has_nested(const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		size_t j;
		struct ref r;
		if (s[i] != '$' || s[i + 1] != '{' || (i && s[i - 1] == '$'))
			continue;
		for (j = i + 2; s[j] && s[j] != '}'; j++)
			if (s[j] == '$' && s[j + 1] == '{' && match_ref(s, j, 1, &r) && strchr(s + r.end, '}'))
				return 1;
	}
	return 0;
}

static void strip(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s))
		(*s)++, (*len)--;
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* the character filter after ':' keeps A letters, a ASCII letters, D digits,
 * d ASCII digits. Bytes of multi-byte UTF-8 characters count as letters for
 * 'A' (a C tool without Unicode tables: non-ASCII digits are rare). */
static void add_filtered(struct strbuf *out, const char *v, const char *filter, size_t flen)
{
	int A = memchr(filter, 'A', flen) != NULL, a = memchr(filter, 'a', flen) != NULL;
	int D = memchr(filter, 'D', flen) != NULL, d = memchr(filter, 'd', flen) != NULL;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		int keep = ((A || a) && isalpha(*p)) || ((D || d) && isdigit(*p)) || (A && *p >= 0x80);
		if (keep)
			strbuf_addch(out, (char)*p);
	}
}

static int unsupported(const char *name)
{
	static const char *const redgate[] = {
		"localSecret", "git", "vault", "azureKeyVault", "googlesecrets", "gcsm", "dapr",
		"localdb", "entraId", "clone", "awsSecretsManager", NULL,
	};
	for (int i = 0; redgate[i]; i++)
		if (!strcasecmp(redgate[i], name))
			return 1;
	return 0;
}

static int resolve_one(const struct fw_resolver_ctx *rc, const char *name, const char *param,
		       const char *filter, size_t flen, struct strbuf *out, struct fw_error *err)
{
	const char *v = NULL;
	if (!strcasecmp(name, "env")) {
		v = fw_environ_get(rc->environ, param);
		if (!v) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				       "Unable to resolve environment variable: '%s'", param);
			fw_error_hint(err, "set %s in the environment, or write $${env.%s} for the literal text",
				      param, param);
			return -1;
		}
	} else if (!strcasecmp(name, "placeholder")) {
		if (!strcmp(param, "flyway"))
			return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
					      "Only user defined placeholders are supported, but detected attempt to use a default placeholder.");
		v = rc->placeholders ? fw_kv_get(rc->placeholders, param) : NULL;
		if (!v) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				       "Unable to resolve placeholder: '%s'", param);
			fw_error_hint(err, "define %s under [flyway.placeholders]", param);
			return -1;
		}
	} else if (unsupported(name)) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
			       "Resolver '%s' is not supported by fleetway", name);
		fw_error_hint(err, "pass the value through an environment variable and write ${env.NAME}");
		return -1;
	} else {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "Unknown resolver '%s' for environment %s",
			       name, rc->env_name ? rc->env_name : "default");
		fw_error_hint(err, "the resolvers fleetway knows are env and placeholder");
		return -1;
	}
	if (filter)
		add_filtered(out, v, filter, flen);
	else
		strbuf_addstr(out, v);
	return 0;
}

static int resolve_ref(const struct fw_resolver_ctx *rc, const struct ref *r, struct strbuf *out,
		       struct fw_error *err)
{
	const char *name = r->name, *param = r->param, *colon, *filter = NULL;
	size_t nlen = r->name_len, plen = r->param_len, flen = 0;
	char *n, *p;
	int rc_;
	colon = memchr(param, ':', plen);
	if (colon) {
		filter = colon + 1;
		flen = plen - (size_t)(filter - param);
		plen = (size_t)(colon - param);
		strip(&filter, &flen);
	}
	strip(&name, &nlen);
	strip(&param, &plen);
	n = xstrndup(name, nlen);
	p = xstrndup(param, plen);
	rc_ = resolve_one(rc, n, p, filter, flen, out, err);
	free(n);
	free(p);
	return rc_;
}

int fw_resolve_string(const struct fw_resolver_ctx *rc, const char *in, struct strbuf *out,
		      struct fw_error *err)
{
	const char *s = in;
	size_t len = strlen(in);
	char *v;
	int ret = 0;

	strip(&s, &len);
	/* !{...} on one line: the inside, untouched */
	if (len >= 3 && s[0] == '!' && s[1] == '{' && s[len - 1] == '}' && !memchr(s, '\n', len)) {
		strbuf_add(out, s + 2, len - 3);
		return 0;
	}
	v = xstrndup(s, len);
	if (has_nested(v)) {
		free(v);
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "Resolvers cannot be nested");
		fw_error_hint(err, "resolve the inner reference into an environment variable of its own");
		return -1;
	}
	for (size_t i = 0; v[i] && !ret;) {
		struct ref r;
		if (v[i] != '$' || !find_ref(v, i, &r)) {
			strbuf_addch(out, v[i++]);
			continue;
		}
		if (r.escaped)
			strbuf_add(out, v + r.start + 1, r.end - r.start - 1);
		else
			ret = resolve_ref(rc, &r, out, err);
		i = r.end;
	}
	free(v);
	return ret;
}
