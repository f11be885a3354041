/* Secrets never show: every password or resolved secret is registered here the
 * moment it is read, and every byte we print (logs, errors, JSON, reports)
 * passes through redact_buf(), which replaces registered secrets with "***".
 * This is a safety net under the first rule: code never formats a secret. */
#ifndef FW_REDACT_H
#define FW_REDACT_H
#include "strbuf.h"

/* remember s as secret (copied; strings shorter than 3 bytes are ignored to
 * avoid redacting common text) */
void redact_register(const char *s);
/* replace every registered secret in sb by "***" */
void redact_buf(struct strbuf *sb);
/* replace the password in a URL (user:pass@, password=..., pass=...) by "***" */
void redact_url(const char *url, struct strbuf *out);
void redact_reset(void); /* tests only */

#endif
