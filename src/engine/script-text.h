/* The one way a script's text is read: file -> decoded to UTF-8 (the
 * script's encoding) -> leading BOM dropped -> placeholders replaced, handed
 * out in pieces (a pull callback for the splitter, sql/sqlsplit.h), so a
 * 1 GiB script never sits in memory. Used by applying a migration, the dry
 * run, the code analysis (through apply.h's fw_script_statements) and the
 * scan's checksums of repeatable migrations. */
#ifndef FW_SCRIPT_TEXT_H
#define FW_SCRIPT_TEXT_H
#include <stdio.h>
#include "sql/placeholder.h"
#include "util/error.h"
#include "util/strbuf.h"

struct fw_script_text {
	FILE *f;
	struct strbuf decoded;      /* whole text, for encodings other than UTF-8 */
	size_t decoded_pos;
	int use_decoded;
	struct fw_ph_stream *ph;    /* NULL when placeholders are not replaced */
	struct strbuf pending;      /* text ready to hand out */
	size_t pos;
	int eof;
	int at_start;               /* a leading BOM is dropped */
	struct fw_error err;        /* an error met inside the read callback */
};

/* open path; encoding NULL means UTF-8; ph NULL means no replacement, else
 * placeholders as ph holds them (script names the file in their errors) */
int fw_script_text_open(struct fw_script_text *s, const char *path, const char *encoding,
			const struct fw_placeholders *ph, const char *script, struct fw_error *err);
/* the next piece into buf: bytes given, 0 at the end, -1 on an error (then
 * fw_script_text_error has it); a sql_read_fn */
long fw_script_text_read(void *ctx, char *buf, size_t n);
/* move the error met while reading into err, when there is one */
void fw_script_text_error(struct fw_script_text *s, struct fw_error *err);
/* also after a failed fw_script_text_open */
void fw_script_text_close(struct fw_script_text *s);

#endif
