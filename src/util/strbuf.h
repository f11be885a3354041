/* strbuf: the one growable string type (after git's).
 *
 * Invariants: buf is never NULL and always NUL-terminated at buf[len];
 * alloc == 0 means buf points at a shared empty string and nothing is owned.
 * Embedded NUL bytes are allowed (len counts them). */
#ifndef FW_STRBUF_H
#define FW_STRBUF_H
#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* hand the buffer to the caller (always malloc'ed) and re-init sb */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* append s with every occurrence of ch doubled (SQL literal quoting helper) */
void strbuf_add_doubled(struct strbuf *sb, const char *s, char ch);
/* s as one POSIX shell word: as is when it holds only safe characters
 * (letters, digits, ._-:/=,+@%), else in single quotes ('\'' for a quote) */
void strbuf_add_shell_quoted(struct strbuf *sb, const char *s);

void strbuf_trim(struct strbuf *sb);
void strbuf_rtrim(struct strbuf *sb);
/* read a whole file; returns 0 or -1 with errno set */
int strbuf_read_file(struct strbuf *sb, const char *path);

#endif
