/* ASCII tables in the layout Flyway prints (info, query results):
 * +-----+-----+ rulers, "| a | b |" rows, each column as wide as its widest cell. */
#ifndef FW_TABLE_H
#define FW_TABLE_H
#include "util/strbuf.h"
#include "util/strvec.h"

struct fw_table {
	size_t ncols;
	struct strvec cells;   /* header row first, then rows, row-major */
};

void fw_table_init(struct fw_table *t, size_t ncols, const char *const *headers);
void fw_table_add_row(struct fw_table *t, const char *const *cells);
size_t fw_table_rows(const struct fw_table *t);   /* data rows */
/* renders; with no data rows a single cell reading `empty_text` spans the table */
void fw_table_render(const struct fw_table *t, const char *empty_text, struct strbuf *out);
void fw_table_release(struct fw_table *t);

#endif
