/* libFuzzer target for the snapshot reader (schema/snapshot.c).
 *
 * Reads the input as a snapshot; beyond the sanitizers' memory checks it
 * verifies what the reader promises: a failure leaves an empty model and an
 * error naming the snapshot; a success writes text that reads back to a
 * model that writes the very same text (a round trip is exact), every
 * schema's fingerprint is 64 hex digits and objects are sorted and unique. A
 * broken promise aborts, which libFuzzer reports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/snapshot.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_snapshot: broken invariant: %s\n", what);
		abort();
	}
}

static void check_model(const struct fw_model *m)
{
	for (size_t i = 0; i < m->nschemas; i++) {
		const struct fw_schema *s = &m->schemas[i];
		check(strlen(s->fingerprint) == 64, "schema fingerprint is 64 hex digits");
		for (size_t j = 1; j < s->nobjects; j++)
			check(fw_object_cmp(&s->objects[j - 1], &s->objects[j]) < 0,
			      "objects sorted and unique");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fw_model m, again;
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf one = STRBUF_INIT, two = STRBUF_INIT;

	if (fw_snapshot_read((const char *)data, size, "fuzz.json", &m, &err) < 0) {
		check(m.nschemas == 0 && !m.dialect, "an empty model after a failure");
		check(!strncmp(err.message.buf, "snapshot fuzz.json", 18),
		      "the error names the snapshot");
		fw_model_release(&m);
		fw_error_clear(&err);
		return 0;
	}
	check_model(&m);
	fw_snapshot_write(&m, &one);
	check(fw_snapshot_read(one.buf, one.len, "again", &again, &err) == 0,
	      "written text reads back");
	fw_snapshot_write(&again, &two);
	check(one.len == two.len && !memcmp(one.buf, two.buf, one.len), "round trip is exact");
	check(again.nschemas == m.nschemas, "same schemas");
	for (size_t i = 0; i < m.nschemas; i++)
		check(!strcmp(m.schemas[i].fingerprint, again.schemas[i].fingerprint),
		      "same fingerprints");
	fw_model_release(&m);
	fw_model_release(&again);
	strbuf_release(&one);
	strbuf_release(&two);
	fw_error_clear(&err);
	return 0;
}
