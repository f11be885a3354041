/* Migration versions (reference section 2).
 *
 * A parsed version owns two allocations: `text` (the display text) and one
 * block holding the `parts` pointer array followed by the part strings, so
 * that parsing a thousand file names costs two mallocs each and comparing
 * (the sort hot path) costs none. */
#include "sql/version.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Flyway spells "latest" also as Long.MAX_VALUE in decimal */
#define LATEST_AS_NUMBER "9223372036854775807"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Flyway splits at every '.' that is immediately followed by a digit. */
static int is_split_point(const char *s)
{
	return s[0] == '.' && is_digit(s[1]);
}

/* One part must read as a Java BigInteger: an optional sign, then at least
 * one digit and nothing else. */
static int part_is_valid(const char *p, size_t n)
{
	size_t i = 0;
	if (n && (p[0] == '+' || p[0] == '-'))
		i = 1;
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (!is_digit(p[i]))
			return 0;
	return 1;
}

/* Normal form of a part: no '+', no leading zeros, "0" for any zero
 * (BigInteger has no negative zero), '-' kept otherwise. Writes into dst
 * (room for n + 1 bytes) and returns the length written. */
static size_t normalise_part(const char *p, size_t n, char *dst)
{
	int neg = 0;
	size_t len = 0;

	if (p[0] == '+' || p[0] == '-') {
		neg = p[0] == '-';
		p++;
		n--;
	}
	while (n > 1 && p[0] == '0') {
		p++;
		n--;
	}
	if (n == 1 && p[0] == '0')
		neg = 0;
	if (neg)
		dst[len++] = '-';
	memcpy(dst + len, p, n);
	len += n;
	dst[len] = '\0';
	return len;
}

static int is_zero_part(const char *s)
{
	return s[0] == '0' && s[1] == '\0';
}

/* one block: nparts pointers followed by string_bytes bytes of part text */
static char **alloc_parts_block(int nparts, size_t string_bytes)
{
	return xmalloc(sizeof(char *) * (size_t)nparts + string_bytes);
}

static int invalid_version(struct fw_error *err, const char *text)
{
	return fw_errorf(err, "ERROR",
			 "Version may only contain 0..9 and . (dot). Invalid version: %s", text);
}

static int parse_special(const char *s, struct fw_version *out)
{
	if (!strcasecmp(s, "current"))
		out->kind = FW_VERSION_CURRENT;
	else if (!strcasecmp(s, "next"))
		out->kind = FW_VERSION_NEXT;
	else if (!strcasecmp(s, "latest") || !strcmp(s, LATEST_AS_NUMBER))
		out->kind = FW_VERSION_LATEST;
	else
		return 0;
	return 1;
}

/* Split text (already '_'-normalised) into validated, normalised parts. */
static int split_parts(const char *text, struct fw_version *out, struct fw_error *err)
{
	size_t len = strlen(text);
	int nparts = 1;
	const char *p, *start;
	char *dst;
	int i = 0;

	for (p = text; *p; p++)
		if (is_split_point(p))
			nparts++;

	/* every normalised part is at most as long as its source */
	out->parts = alloc_parts_block(nparts, len + (size_t)nparts);
	dst = (char *)(out->parts + nparts);
	for (start = p = text;; p++) {
		if (*p && !is_split_point(p))
			continue;
		if (!part_is_valid(start, (size_t)(p - start)))
			return invalid_version(err, text);
		out->parts[i++] = dst;
		dst += normalise_part(start, (size_t)(p - start), dst) + 1;
		if (!*p)
			break;
		start = p + 1;
	}
	/* trailing zero parts do not count: "1.0" == "1" (keep at least one) */
	while (nparts > 1 && is_zero_part(out->parts[nparts - 1]))
		nparts--;
	out->nparts = nparts;
	return 0;
}

int fw_version_parse(const char *s, int allow_special, struct fw_version *out, struct fw_error *err)
{
	struct fw_version empty = FW_VERSION_INIT;
	char *c;

	*out = empty;
	if (!s)
		return 0;
	if (allow_special && parse_special(s, out))
		return 0;

	out->kind = FW_VERSION_NUMBER;
	out->text = xstrdup(s);
	for (c = out->text; *c; c++)
		if (*c == '_')
			*c = '.';
	if (split_parts(out->text, out, err) < 0) {
		fw_version_release(out);
		return -1;
	}
	return 0;
}

void fw_version_release(struct fw_version *v)
{
	struct fw_version empty = FW_VERSION_INIT;
	free(v->text);
	free(v->parts);
	*v = empty;
}

void fw_version_copy(struct fw_version *dst, const struct fw_version *src)
{
	size_t bytes = 0;
	char *p;
	int i;

	dst->kind = src->kind;
	dst->text = src->text ? xstrdup(src->text) : NULL;
	dst->nparts = src->nparts;
	dst->parts = NULL;
	if (!src->parts)
		return;
	for (i = 0; i < src->nparts; i++)
		bytes += strlen(src->parts[i]) + 1;
	dst->parts = alloc_parts_block(src->nparts, bytes);
	p = (char *)(dst->parts + src->nparts);
	for (i = 0; i < src->nparts; i++) {
		size_t n = strlen(src->parts[i]) + 1;
		memcpy(p, src->parts[i], n);
		dst->parts[i] = p;
		p += n;
	}
}

/* EMPTY (and the unresolved CURRENT/NEXT) < NUMBER < LATEST */
static int kind_rank(enum fw_version_kind k)
{
	switch (k) {
	case FW_VERSION_NUMBER:
		return 1;
	case FW_VERSION_LATEST:
		return 2;
	default:
		return 0;
	}
}

/* Compare two normalised non-negative digit strings numerically in one pass:
 * the longer one is larger; at equal length the first differing digit decides. */
static int cmp_magnitude(const char *a, const char *b)
{
	int first_diff = 0;

	for (; *a && *b; a++, b++)
		if (!first_diff && *a != *b)
			first_diff = *a < *b ? -1 : 1;
	if (*a)
		return 1;
	if (*b)
		return -1;
	return first_diff;
}

static int cmp_part(const char *a, const char *b)
{
	int na = a[0] == '-', nb = b[0] == '-';

	if (na != nb)
		return na ? -1 : 1;
	return na ? -cmp_magnitude(a + 1, b + 1) : cmp_magnitude(a, b);
}

int fw_version_cmp(const struct fw_version *a, const struct fw_version *b)
{
	int ra = kind_rank(a->kind), rb = kind_rank(b->kind);
	int n, i;

	if (ra != rb || ra != 1)
		return (ra > rb) - (ra < rb);
	n = a->nparts > b->nparts ? a->nparts : b->nparts;
	for (i = 0; i < n; i++) {
		/* a missing part counts as zero */
		const char *pa = i < a->nparts ? a->parts[i] : "0";
		const char *pb = i < b->nparts ? b->parts[i] : "0";
		int c = cmp_part(pa, pb);
		if (c)
			return c;
	}
	return 0;
}

const char *fw_version_str(const struct fw_version *v)
{
	return v->kind == FW_VERSION_NUMBER && v->text ? v->text : "";
}
