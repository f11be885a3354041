/* libFuzzer target for secret redaction (util/redact.c).
 *
 * Input: secrets and a text, separated by 0x01 bytes; the last piece is the
 * text (it may hold NUL bytes). The automaton's result is compared with a
 * plain reference: mark every byte inside any occurrence of any secret (of at
 * least 3 bytes), then write each run of marked bytes, adjacent runs joined,
 * as "***". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/redact.h"

static void reference(char **secrets, size_t n, const char *text, size_t len, struct strbuf *out)
{
	char *mark = calloc(len + 1, 1);
	for (size_t k = 0; k < n; k++) {
		size_t sl = strlen(secrets[k]);
		if (sl < 3)
			continue;
		for (size_t i = 0; i + sl <= len; i++)
			if (!memcmp(text + i, secrets[k], sl))
				memset(mark + i, 1, sl);
	}
	for (size_t i = 0; i < len;) {
		if (!mark[i]) {
			strbuf_addch(out, text[i++]);
			continue;
		}
		strbuf_addstr(out, "***");
		while (i < len && mark[i])
			i++;
	}
	free(mark);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_secrets set = FW_SECRETS_INIT;
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	char *secrets[64];
	size_t n = 0, start = 0;
	const char *text;
	size_t text_len;
	for (size_t i = 0; i < size && n < 64; i++)
		if (data[i] == 1) {
			secrets[n] = strndup((const char *)data + start, i - start);
			fw_secrets_add(&set, secrets[n]);
			n++;
			start = i + 1;
		}
	text = (const char *)data + start;
	text_len = size - start;
	strbuf_add(&got, text, text_len);
	fw_secrets_apply(&set, &got);
	reference(secrets, n, text, text_len, &want);
	if (got.len != want.len || memcmp(got.buf, want.buf, got.len)) {
		fprintf(stderr, "fuzz_redact: automaton and reference differ\n");
		abort();
	}
	for (size_t k = 0; k < n; k++)
		free(secrets[k]);
	strbuf_release(&got);
	strbuf_release(&want);
	fw_secrets_release(&set);
	return 0;
}
