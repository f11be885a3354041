/* libFuzzer target for the SQL splitter.
 *
 * Input: byte 0 picks the dialect (b % 3) and the chunk size of the
 * streaming reader (1 + b / 3 % 8); the rest is the script.  The script is
 * split twice, from memory and through the tiny-chunk reader, and the two
 * results must be identical (statement text, COPY data, positions, flags,
 * simplified form, error message) — a differential check for chunk-boundary
 * bugs on top of the sanitizers' memory checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sql/sqlsplit.h"

struct tiny_reader {
	const char *p;
	size_t len, pos, step;
};

static long tiny_read(void *ctx, char *buf, size_t n)
{
	struct tiny_reader *r = ctx;
	size_t k = r->len - r->pos;
	if (k > r->step)
		k = r->step;
	if (k > n)
		k = n;
	memcpy(buf, r->p + r->pos, k);
	r->pos += k;
	return (long)k;
}

static void same(const struct sql_stmt *a, const struct sql_stmt *b)
{
	if (a->sql.len != b->sql.len || memcmp(a->sql.buf, b->sql.buf, a->sql.len) ||
	    a->copy_data.len != b->copy_data.len ||
	    memcmp(a->copy_data.buf, b->copy_data.buf, a->copy_data.len) ||
	    a->line != b->line || a->col != b->col || a->flags != b->flags ||
	    strcmp(a->simplified, b->simplified))
		abort();
	/* invariants every caller relies on */
	if (a->sql.buf[a->sql.len] != '\0' || a->line < 1 || a->col < 1 || a->sql.len == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sql_dialect d;
	struct tiny_reader r;
	struct sqlsplit *mem, *str;
	struct sql_stmt a = SQL_STMT_INIT, b = SQL_STMT_INIT;
	struct fw_error ea = FW_ERROR_INIT, eb = FW_ERROR_INIT;
	long n = 0;

	if (size < 1)
		return 0;
	d = (enum sql_dialect)(data[0] % 3);
	r.p = (const char *)data + 1;
	r.len = size - 1;
	r.pos = 0;
	r.step = 1 + (size_t)(data[0] / 3 % 8);
	mem = sqlsplit_new_mem(d, r.p, r.len, "fuzz.sql");
	str = sqlsplit_new(d, tiny_read, &r, "fuzz.sql");
	for (;;) {
		int ra = sqlsplit_next(mem, &a, &ea);
		int rb = sqlsplit_next(str, &b, &eb);
		if (ra != rb)
			abort();
		if (ra != 1)
			break;
		same(&a, &b);
		if (++n > (long)size)   /* every statement consumes input */
			abort();
	}
	if (fw_error_is_set(&ea) != fw_error_is_set(&eb) ||
	    strcmp(ea.message.buf, eb.message.buf))
		abort();
	/* once done, the splitter stays done */
	if (sqlsplit_next(mem, &a, &ea) == 1)
		abort();
	sql_stmt_release(&a);
	sql_stmt_release(&b);
	fw_error_clear(&ea);
	fw_error_clear(&eb);
	sqlsplit_free(mem);
	sqlsplit_free(str);
	return 0;
}
