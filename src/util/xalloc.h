/* Allocation helpers: out of memory is the one failure we do not turn into an
 * error value (DESIGN.md), so these abort instead of returning NULL. */
#ifndef FW_XALLOC_H
#define FW_XALLOC_H
#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* free(*pp) and set *pp to NULL */
void xfree(void *pp);

#define ALLOC_GROW(arr, nr, alloc) \
	do { \
		if ((nr) >= (alloc)) { \
			(alloc) = (alloc) ? (alloc) * 2 : 8; \
			if ((alloc) <= (nr)) (alloc) = (nr) + 1; \
			(arr) = xrealloc((arr), (alloc) * sizeof(*(arr))); \
		} \
	} while (0)

#endif
