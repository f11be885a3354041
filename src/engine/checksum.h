/* Flyway-compatible checksums (reference section 3.1): CRC-32 (zlib) of the
 * decoded text with every line terminator (CR, LF, CRLF) removed and a leading
 * BOM dropped, fed as UTF-8, stored as signed int32.
 *
 * Streaming: feed bytes in any chunking; the result does not depend on it. */
#ifndef FW_CHECKSUM_H
#define FW_CHECKSUM_H
#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

struct fw_checksum {
	uint32_t crc;
	int at_start;        /* nothing fed yet: a BOM here is dropped */
	int utf8;            /* input encoding is UTF-8 (validated strictly) */
	unsigned char pend[4]; /* incomplete UTF-8 sequence carried between chunks */
	int npend;
	int bad;             /* malformed input seen */
	void *iconv;         /* iconv_t for other encodings, or NULL */
	/* added by checksum.c's author: */
	int latin1;          /* ISO-8859-1, decoded by hand */
	int last_cr;         /* last byte was CR: a following LF starts no new line */
	unsigned long line;  /* line being read (1-based), for error positions */
	unsigned long long fed;    /* bytes fed so far */
	unsigned long long bad_at; /* byte offset of the first malformed sequence */
	unsigned long bad_line;
	int truncated;       /* the malformed sequence is an incomplete one at the end */
	char encoding[48];   /* the encoding as named by the caller, for messages */
	/* bytes waiting for the CRC: zlib's crc32 is ~5x slower on the short runs
	 * between line ends than on a few KiB at once */
	size_t nstage;
	unsigned char stage[8192];
};

/* encoding: NULL or "UTF-8" (any case, also "UTF8"), "ISO-8859-1"/"latin1", or any name iconv knows.
 * Error for an unknown encoding name. */
int fw_checksum_init(struct fw_checksum *c, const char *encoding, struct fw_error *err);
void fw_checksum_update(struct fw_checksum *c, const void *data, size_t len);
/* -1 with "Unable to calculate checksum of <what>" (+ hint about `encoding`) for malformed input.
 * Always releases the iconv state; the struct may be re-initialised afterwards. */
int fw_checksum_final(struct fw_checksum *c, const char *what, int32_t *out, struct fw_error *err);
/* release a checksum that will not be finalised (after an error elsewhere) */
void fw_checksum_release(struct fw_checksum *c);

/* one-shot helpers */
int fw_checksum_buf(const void *data, size_t len, const char *encoding, const char *what,
		    int32_t *out, struct fw_error *err);
/* the message names the bare file name, as Flyway does; the detail names the path and line */
int fw_checksum_file(const char *path, const char *encoding, int32_t *out, struct fw_error *err);

/* decode `data` from `encoding` to UTF-8 into out (dropping nothing); used when
 * a script in another encoding is sent to the database. -1 on malformed input. */
int fw_decode_to_utf8(const void *data, size_t len, const char *encoding, struct strbuf *out,
		      const char *what, struct fw_error *err);

#endif
