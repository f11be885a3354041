/* Secrets never show: every password or resolved secret is registered the
 * moment it is read, and every byte we print (logs, errors, JSON, reports)
 * passes through a redaction that replaces registered secrets with "***".
 * This is a safety net under the first rule: code never formats a secret.
 *
 * A secret set is an Aho-Corasick automaton over every secret's bytes, so
 * redacting a line costs a few steps per byte whatever the number of secrets
 * and however much they look alike: a fleet of 5,000 targets redacts a line
 * as fast as one target does. Every byte covered by some secret is hidden
 * (overlapping secrets become one "***").
 *
 * Two levels: each target's output sink has the set of that target's own
 * secrets (struct fw_secrets, owned by the sink, used by one thread at a
 * time), and one process-wide set holds every secret ever registered, as the
 * last net (redact_register / redact_buf; readers share a read lock). */
#ifndef FW_REDACT_H
#define FW_REDACT_H
#include <stddef.h>
#include <stdint.h>
#include "strbuf.h"

struct fw_secrets {
	/* the automaton (state 0 is the root), rebuilt after an add when next used */
	uint32_t root[256];          /* child of the root per byte, 0 = none */
	uint64_t *edges;             /* other edges: (from << 8 | byte) << 32 | to, open addressing */
	size_t edge_mask, nr_edges;
	struct fw_secret_state *st;
	size_t nr_states, alloc_states;
	int dirty;                   /* failure links not computed for the latest adds */
	char **all;                  /* every secret, as added */
	size_t nr, alloc;
};
#define FW_SECRETS_INIT { { 0 }, NULL, 0, 0, NULL, 0, 0, 0, NULL, 0, 0 }

/* add a secret (copied); shorter than 3 bytes or already known: ignored */
void fw_secrets_add(struct fw_secrets *s, const char *secret);
/* replace every secret of s in sb by "***"; returns how many runs were hidden */
size_t fw_secrets_apply(struct fw_secrets *s, struct strbuf *sb);
void fw_secrets_release(struct fw_secrets *s);

/* the process-wide net: remember s as secret (copied; strings shorter than 3
 * bytes are ignored to avoid redacting common text) */
void redact_register(const char *s);
/* replace every secret registered process-wide in sb by "***" */
void redact_buf(struct strbuf *sb);
/* replace the password in a URL (user:pass@, password=..., pass=...) by "***" */
void redact_url(const char *url, struct strbuf *out);
void redact_reset(void); /* tests only */

#endif
