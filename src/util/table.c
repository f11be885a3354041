#include "table.h"
#include "xalloc.h"
#include <string.h>

void fw_table_init(struct fw_table *t, size_t ncols, const char *const *headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	fw_table_add_row(t, headers);
}

void fw_table_add_row(struct fw_table *t, const char *const *cells)
{
	for (size_t i = 0; i < t->ncols; i++)
		strvec_push(&t->cells, cells[i] ? cells[i] : "");
}

size_t fw_table_rows(const struct fw_table *t)
{
	return t->cells.nr / t->ncols - 1;
}

/* display width: count UTF-8 code points, not bytes */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void ruler(const size_t *w, size_t n, struct strbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		strbuf_addch(out, '+');
		for (size_t k = 0; k < w[i] + 2; k++)
			strbuf_addch(out, '-');
	}
	strbuf_addstr(out, "+\n");
}

static void row(const struct fw_table *t, size_t r, const size_t *w, struct strbuf *out)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const char *c = t->cells.v[r * t->ncols + i];
		strbuf_addstr(out, "| ");
		strbuf_addstr(out, c);
		for (size_t k = width(c); k < w[i]; k++)
			strbuf_addch(out, ' ');
		strbuf_addch(out, ' ');
	}
	strbuf_addstr(out, "|\n");
}

void fw_table_render(const struct fw_table *t, const char *empty_text, struct strbuf *out)
{
	size_t nrows = t->cells.nr / t->ncols;
	size_t *w = xcalloc(t->ncols, sizeof(*w));
	for (size_t r = 0; r < nrows; r++)
		for (size_t i = 0; i < t->ncols; i++) {
			size_t cw = width(t->cells.v[r * t->ncols + i]);
			if (cw > w[i])
				w[i] = cw;
		}
	ruler(w, t->ncols, out);
	row(t, 0, w, out);
	ruler(w, t->ncols, out);
	if (nrows == 1 && empty_text) {
		size_t total = 0;
		for (size_t i = 0; i < t->ncols; i++)
			total += w[i] + 3;
		total -= 3;
		strbuf_addf(out, "| %s", empty_text);
		for (size_t k = width(empty_text); k < total; k++)
			strbuf_addch(out, ' ');
		strbuf_addstr(out, " |\n");
		ruler(w, t->ncols, out);
	} else if (nrows > 1) {
		for (size_t r = 1; r < nrows; r++)
			row(t, r, w, out);
		ruler(w, t->ncols, out);
	}
	free(w);
}

void fw_table_release(struct fw_table *t)
{
	strvec_clear(&t->cells);
}
