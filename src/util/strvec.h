/* strvec: a NULL-terminated, growable vector of owned strings */
#ifndef FW_STRVEC_H
#define FW_STRVEC_H
#include <stddef.h>

struct strvec {
	char **v;
	size_t nr;
	size_t alloc;
};
#define STRVEC_INIT { NULL, 0, 0 }

void strvec_push(struct strvec *sv, const char *s);
void strvec_push_nodup(struct strvec *sv, char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strvec_clear(struct strvec *sv);
void strvec_copy(struct strvec *dst, const struct strvec *src);
/* split s at every sep, trimming spaces around items; empty items dropped */
void strvec_split(struct strvec *sv, const char *s, char sep);
int strvec_contains(const struct strvec *sv, const char *s);
/* the same strings in the same order */
int strvec_equal(const struct strvec *a, const struct strvec *b);

#endif
