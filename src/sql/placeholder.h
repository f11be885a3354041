/* Placeholder replacement (reference section 9.1), streaming-capable.
 * Names are case-insensitive; an unknown name is an error naming file and line:
 *   "No value provided for placeholder: ${name}.  Check your configuration!"
 * The scanning quirk of Flyway is kept: after a partial prefix match the
 * buffered characters are emitted without being re-examined. At end of input
 * inside a name, suffix-length bytes are cut off and the rest is looked up
 * (Flyway does so too); an empty prefix disables replacement. */
#ifndef FW_PLACEHOLDER_H
#define FW_PLACEHOLDER_H
#include <stddef.h>
#include "util/error.h"
#include "util/strbuf.h"
#include "util/strvec.h"

struct fw_placeholders {
	char **names;     /* as configured (compared case-insensitively) */
	char **values;
	size_t nr, alloc;
	const char *prefix;  /* "${" */
	const char *suffix;  /* "}" */
	const char *separator; /* placeholderSeparator: "flyway" SEP "user"; ":" by default */
	struct strvec *used;   /* when set, every name a replacement looks up is added once
	                          (what a scan depended on: engine/scan-cache.c); copied */
};

/* NULL prefix/suffix mean "${" and "}", the separator is ":"; the strings are
 * not copied (set p->separator after init for another one) */
void fw_placeholders_init(struct fw_placeholders *p, const char *prefix, const char *suffix);
/* set (replace if the name exists, case-insensitively) */
void fw_placeholders_set(struct fw_placeholders *p, const char *name, const char *value);
/* set Flyway's built-in `name` ("filename" is ${flyway:filename} with the default separator) */
void fw_placeholders_set_builtin(struct fw_placeholders *p, const char *name, const char *value);
/* does the name (len bytes) spell a built-in: "flyway" and the separator, case-insensitively */
int fw_placeholders_is_builtin(const struct fw_placeholders *p, const char *name, size_t len);
/* the name of placeholder i as script migrations see it between FP__ and __:
 * the built-ins' separator and any ':' become '_' (flyway_user) */
void fw_placeholders_script_name(const struct fw_placeholders *p, size_t i, struct strbuf *out);
const char *fw_placeholders_get(const struct fw_placeholders *p, const char *name);
void fw_placeholders_release(struct fw_placeholders *p);
/* deep copy (dst need not be initialised) */
void fw_placeholders_copy(struct fw_placeholders *dst, const struct fw_placeholders *src);

/* Replace in a whole buffer. `file` labels errors ("<file>:<line>: No value provided ...").
 * Appends the result to out. */
int fw_placeholders_replace(const struct fw_placeholders *p, const char *text, size_t len,
			    const char *file, struct strbuf *out, struct fw_error *err);

/* Streaming variant: a filter that can be fed chunks; output appended to out. */
struct fw_ph_stream;
struct fw_ph_stream *fw_ph_stream_new(const struct fw_placeholders *p, const char *file);
int fw_ph_stream_feed(struct fw_ph_stream *s, const char *data, size_t len, struct strbuf *out,
		      struct fw_error *err);
int fw_ph_stream_finish(struct fw_ph_stream *s, struct strbuf *out, struct fw_error *err);
void fw_ph_stream_free(struct fw_ph_stream *s);

#endif
