/* Placeholder replacement (reference section 9.1).
 *
 * This mirrors Flyway's reader character for character, quirks included,
 * because the text after replacement is what a repeatable migration's
 * checksum is taken of:
 *  - while the bytes read are a proper start of the prefix, read on; if the
 *    next byte does not continue it, everything buffered (that byte too) is
 *    emitted without being looked at again, so "$${x}" stays as it is;
 *  - after a full prefix, everything up to the first occurrence of the suffix
 *    is the name (no nesting, newlines allowed); values are not re-scanned;
 *  - at end of input inside a name, Flyway still drops suffix-length bytes
 *    from the end and looks the rest up: we do the same.
 * Bytes are compared, not characters; for valid UTF-8 text and an ASCII or
 * UTF-8 prefix/suffix that gives the same result as Flyway's UTF-16 units.
 *
 * The stream keeps only the partial prefix (as a count: it equals the prefix's
 * first bytes) and the name being read, so chunk boundaries can fall anywhere. */
#include "sql/placeholder.h"
#include "util/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the placeholder set ------------------------------------------------ */

void fw_placeholders_init(struct fw_placeholders *p, const char *prefix, const char *suffix)
{
	memset(p, 0, sizeof(*p));
	p->prefix = prefix ? prefix : "${";
	p->suffix = suffix ? suffix : "}";
	p->separator = ":";
}

static const char *separator_of(const struct fw_placeholders *p)
{
	return p->separator ? p->separator : ":";
}

/* index of name (len bytes, case-insensitive) or -1 */
static long find_name(const struct fw_placeholders *p, const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < p->nr; i++)
		if (strlen(p->names[i]) == len && !strncasecmp(p->names[i], name, len))
			return (long)i;
	return -1;
}

void fw_placeholders_set(struct fw_placeholders *p, const char *name, const char *value)
{
	long i = find_name(p, name, strlen(name));

	if (i >= 0) {
		free(p->names[i]);
		free(p->values[i]);
	} else {
		if (p->nr == p->alloc) {
			p->alloc = p->alloc ? p->alloc * 2 : 8;
			p->names = xrealloc(p->names, p->alloc * sizeof(*p->names));
			p->values = xrealloc(p->values, p->alloc * sizeof(*p->values));
		}
		i = (long)p->nr++;
	}
	p->names[i] = xstrdup(name);
	p->values[i] = xstrdup(value ? value : "");  /* Flyway treats null as empty */
}

void fw_placeholders_set_builtin(struct fw_placeholders *p, const char *name, const char *value)
{
	struct strbuf key = STRBUF_INIT;
	strbuf_addf(&key, "flyway%s%s", separator_of(p), name);
	fw_placeholders_set(p, key.buf, value);
	strbuf_release(&key);
}

int fw_placeholders_is_builtin(const struct fw_placeholders *p, const char *name, size_t len)
{
	const char *sep = separator_of(p);
	size_t n = strlen(sep);
	return len >= 6 + n && !strncasecmp(name, "flyway", 6) && !strncasecmp(name + 6, sep, n);
}

void fw_placeholders_script_name(const struct fw_placeholders *p, size_t i, struct strbuf *out)
{
	const char *name = p->names[i];
	size_t n = strlen(separator_of(p));
	if (fw_placeholders_is_builtin(p, name, strlen(name))) {
		strbuf_add(out, name, 6);
		strbuf_addch(out, '_');
		name += 6 + n;
	}
	for (; *name; name++)
		strbuf_addch(out, *name == ':' ? '_' : *name);
}

const char *fw_placeholders_get(const struct fw_placeholders *p, const char *name)
{
	long i = find_name(p, name, strlen(name));
	return i >= 0 ? p->values[i] : NULL;
}

void fw_placeholders_release(struct fw_placeholders *p)
{
	size_t i;
	for (i = 0; i < p->nr; i++) {
		free(p->names[i]);
		free(p->values[i]);
	}
	free(p->names);
	free(p->values);
	{
		const char *sep = p->separator;
		struct strvec *used = p->used;
		fw_placeholders_init(p, p->prefix, p->suffix);
		p->separator = sep;
		p->used = used;
	}
}

void fw_placeholders_copy(struct fw_placeholders *dst, const struct fw_placeholders *src)
{
	fw_placeholders_init(dst, src->prefix, src->suffix);
	dst->separator = src->separator;
	dst->used = src->used;
	for (size_t i = 0; i < src->nr; i++)
		fw_placeholders_set(dst, src->names[i], src->values[i]);
}

/* ---- the streaming filter ----------------------------------------------- */

struct fw_ph_stream {
	const struct fw_placeholders *p;
	char *file;             /* label for errors, or NULL */
	size_t plen, slen;
	size_t matched;         /* bytes of the prefix read so far (outside a name) */
	int in_name;            /* reading a name after a full prefix */
	struct strbuf name;
	unsigned long line;     /* line of the next byte (1-based) */
	unsigned long start_line; /* line where the pending prefix began */
	int last_cr;
	int failed;
};

struct fw_ph_stream *fw_ph_stream_new(const struct fw_placeholders *p, const char *file)
{
	struct fw_ph_stream *s = xcalloc(1, sizeof(*s));

	s->p = p;
	s->file = file ? xstrdup(file) : NULL;
	s->plen = strlen(p->prefix);
	s->slen = strlen(p->suffix);
	strbuf_init(&s->name, 0);
	s->line = 1;
	return s;
}

void fw_ph_stream_free(struct fw_ph_stream *s)
{
	if (!s)
		return;
	strbuf_release(&s->name);
	free(s->file);
	free(s);
}

/* CR, LF and CR LF each end one line (error positions only) */
static void count_lines(struct fw_ph_stream *s, const char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (!s->last_cr)
				s->line++;
			s->last_cr = 0;
		} else if (p[i] == '\r') {
			s->line++;
			s->last_cr = 1;
		} else {
			s->last_cr = 0;
		}
	}
}

static void emit(struct fw_ph_stream *s, const char *p, size_t n, struct strbuf *out)
{
	count_lines(s, p, n);
	strbuf_add(out, p, n);
}

static int fail(struct fw_ph_stream *s, struct fw_error *err, const struct strbuf *msg)
{
	s->failed = 1;
	if (s->file)
		fw_errorf(err, "ERROR", "%s:%lu: %s", s->file, s->start_line, msg->buf);
	else
		fw_errorf(err, "ERROR", "line %lu: %s", s->start_line, msg->buf);
	return -1;
}

/* Flyway's two texts for a name it has no value for */
static int missing_value(struct fw_ph_stream *s, int unterminated, struct fw_error *err)
{
	struct strbuf msg = STRBUF_INIT;
	const char *pre = s->p->prefix, *suf = s->p->suffix;
	int builtin = fw_placeholders_is_builtin(s->p, s->name.buf, s->name.len);

	if (builtin)
		strbuf_addf(&msg, "Failed to populate value for default placeholder: %s%s%s",
			    pre, s->name.buf, suf);
	else
		strbuf_addf(&msg, "No value provided for placeholder: %s%s%s.  Check your configuration!",
			    pre, s->name.buf, suf);
	fail(s, err, &msg);
	strbuf_release(&msg);
	if (unterminated)
		fw_error_hint(err, "the placeholder starting here has no closing \"%s\" before the end "
			      "of the file", suf);
	else if (!builtin)
		fw_error_hint(err, "give it a value: -placeholders.%s=... on the command line, or "
			      "%s = \"...\" under [flyway.placeholders] in flyway.toml", s->name.buf,
			      s->name.buf);
	return -1;
}

/* the name is complete (suffix already stripped): emit its value */
static int replace_name(struct fw_ph_stream *s, int unterminated, struct strbuf *out,
			struct fw_error *err)
{
	long i = find_name(s->p, s->name.buf, s->name.len);

	if (s->p->used && !strvec_contains(s->p->used, s->name.buf))
		strvec_push(s->p->used, s->name.buf);
	s->in_name = 0;
	if (i < 0)
		return missing_value(s, unterminated, err);
	strbuf_addstr(out, s->p->values[i]);
	strbuf_reset(&s->name);
	return 0;
}

/* plain text: copy up to the next byte that could start the prefix */
static const char *copy_plain(struct fw_ph_stream *s, const char *p, const char *end,
			      struct strbuf *out)
{
	const char *q = memchr(p, s->p->prefix[0], (size_t)(end - p));

	if (!q) {
		emit(s, p, (size_t)(end - p), out);
		return end;
	}
	emit(s, p, (size_t)(q - p), out);
	s->start_line = s->line;
	count_lines(s, q, 1);
	if (s->plen == 1)
		s->in_name = 1;
	else
		s->matched = 1;
	return q + 1;
}

/* inside a partial prefix: one more byte either continues it or ends it */
static const char *continue_prefix(struct fw_ph_stream *s, const char *p, struct strbuf *out)
{
	count_lines(s, p, 1);
	if (*p == s->p->prefix[s->matched]) {
		if (++s->matched == s->plen) {
			s->matched = 0;
			s->in_name = 1;
		}
		return p + 1;
	}
	/* Flyway's quirk: the buffered bytes, this one included, go out unexamined */
	strbuf_add(out, s->p->prefix, s->matched);
	strbuf_addch(out, *p);
	s->matched = 0;
	return p + 1;
}

static int name_has_suffix(const struct fw_ph_stream *s)
{
	return s->name.len >= s->slen &&
	       !memcmp(s->name.buf + s->name.len - s->slen, s->p->suffix, s->slen);
}

/* Read name bytes up to the first point where the name ends with the suffix.
 * Such a point always ends with the suffix's last byte, so only those are
 * checked. An empty suffix ends the name after one byte, as in Flyway. */
static const char *read_name(struct fw_ph_stream *s, const char *p, const char *end,
			     struct strbuf *out, struct fw_error *err, int *rc)
{
	while (p < end) {
		const char *q = s->slen ? memchr(p, s->p->suffix[s->slen - 1], (size_t)(end - p)) : p;
		size_t n = q ? (size_t)(q - p) + 1 : (size_t)(end - p);

		count_lines(s, p, n);
		strbuf_add(&s->name, p, n);
		p += n;
		if (q && name_has_suffix(s)) {
			strbuf_setlen(&s->name, s->name.len - s->slen);
			*rc = replace_name(s, 0, out, err);
			return p;
		}
	}
	return p;
}

int fw_ph_stream_feed(struct fw_ph_stream *s, const char *data, size_t len, struct strbuf *out,
		      struct fw_error *err)
{
	const char *p = data, *end = data + len;
	int rc = 0;

	if (s->failed)
		return fw_errorf(err, "ERROR", "placeholder replacement already failed");
	if (!s->plen) {
		/* no prefix, no placeholders (the configuration layer should refuse it) */
		strbuf_add(out, data, len);
		return 0;
	}
	while (p < end && !rc) {
		if (s->in_name)
			p = read_name(s, p, end, out, err, &rc);
		else if (s->matched)
			p = continue_prefix(s, p, out);
		else
			p = copy_plain(s, p, end, out);
	}
	return rc;
}

int fw_ph_stream_finish(struct fw_ph_stream *s, struct strbuf *out, struct fw_error *err)
{
	struct strbuf msg = STRBUF_INIT;

	if (s->failed)
		return fw_errorf(err, "ERROR", "placeholder replacement already failed");
	if (s->matched) {
		strbuf_add(out, s->p->prefix, s->matched);
		s->matched = 0;
	}
	if (!s->in_name)
		return 0;
	if (s->name.len >= s->slen) {
		/* Flyway cuts suffix-length bytes off a name the end of input cut short */
		strbuf_setlen(&s->name, s->name.len - s->slen);
		return replace_name(s, 1, out, err);
	}
	/* too short even for that (Flyway fails with an internal error here) */
	strbuf_addf(&msg, "Unterminated placeholder at end of file: %s%s", s->p->prefix, s->name.buf);
	fail(s, err, &msg);
	strbuf_release(&msg);
	fw_error_hint(err, "close it with \"%s\"", s->p->suffix);
	return -1;
}

int fw_placeholders_replace(const struct fw_placeholders *p, const char *text, size_t len,
			    const char *file, struct strbuf *out, struct fw_error *err)
{
	struct fw_ph_stream *s = fw_ph_stream_new(p, file);
	int rc = fw_ph_stream_feed(s, text, len, out, err);

	if (!rc)
		rc = fw_ph_stream_finish(s, out, err);
	fw_ph_stream_free(s);
	return rc;
}
