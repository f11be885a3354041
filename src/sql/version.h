/* Migration versions, parsed and ordered as Flyway does (reference section 2).
 *
 * The display text keeps the file's spelling with '_' turned into '.'
 * ("002", "1.0"); comparison is numeric part by part with trailing zero parts
 * ignored, so "1.0" == "1" and "002" == "2", and "1.10" > "1.9". Parts have no
 * size limit (compared as digit strings). */
#ifndef FW_VERSION_H
#define FW_VERSION_H
#include "util/error.h"

enum fw_version_kind {
	FW_VERSION_EMPTY,    /* "<< Empty Schema >>": below everything */
	FW_VERSION_NUMBER,
	FW_VERSION_CURRENT,  /* target=current */
	FW_VERSION_NEXT,     /* target=next */
	FW_VERSION_LATEST,   /* target=latest: above everything */
};

struct fw_version {
	enum fw_version_kind kind;
	char *text;      /* display text ("1.2", "002"); NULL unless NUMBER */
	char **parts;    /* normalised parts: digits without leading zeros ("0" for zero), sign kept; trailing zero parts dropped */
	int nparts;
};
#define FW_VERSION_INIT { FW_VERSION_EMPTY, NULL, NULL, 0 }

/* Parse a version as written in a file name or the history table.
 * Accepts the special words current/next/latest (case-insensitive) only if
 * allow_special. Error text: "Version may only contain 0..9 and . (dot). Invalid version: <v>"
 * err is required (a literal NULL does not compile): every caller must be able to fail. */
int fw_version_parse(const char *s, int allow_special, struct fw_version *out, struct fw_error *err)
	__attribute__((nonnull(3, 4)));
void fw_version_release(struct fw_version *v);
void fw_version_copy(struct fw_version *dst, const struct fw_version *src);
/* <0, 0, >0 ; EMPTY < NUMBER < LATEST; CURRENT/NEXT compare as EMPTY (callers resolve them first) */
int fw_version_cmp(const struct fw_version *a, const struct fw_version *b);
/* the display text, or "" for non-numbers */
const char *fw_version_str(const struct fw_version *v);

#endif
