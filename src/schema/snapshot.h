/* Snapshots: a schema model as a JSON document (docs/schema-model.md).
 *
 *   { "format" : "fleetway-snapshot", "version" : 1, "dialect" : "postgresql",
 *     "product" : "PostgreSQL 15.4", "meta" : { ... },
 *     "schemas" : [ { "name", "fingerprint", "objects" : [ ... ] } ] }
 *
 * Writing a model and reading the text back gives the same model, and
 * writing that again the same bytes. A reader checks every field's type and
 * names the place of a fault ("schemas[0].objects[3].name: expected a
 * string"); fingerprints are computed again from the definitions read, so a
 * definition edited by hand is taken as written. Fuzzed by
 * tests/fuzz/fuzz_snapshot.c. */
#ifndef FW_SCHEMA_SNAPSHOT_H
#define FW_SCHEMA_SNAPSHOT_H
#include <jansson.h>
#include "schema/model.h"
#include "util/error.h"

#define FW_SNAPSHOT_FORMAT "fleetway-snapshot"
#define FW_SNAPSHOT_VERSION 1

/* the document of a model (new reference) */
json_t *fw_snapshot_to_json(const struct fw_model *m);
/* the document as text, in the layout of util/json.h, ending in a newline */
void fw_snapshot_write(const struct fw_model *m, struct strbuf *out);
/* Read a snapshot's text; origin names it in errors (a file name). out is
 * initialised here; on failure it is left empty. */
int fw_snapshot_read(const char *text, size_t len, const char *origin, struct fw_model *out,
		     struct fw_error *err);

/* a snapshot file: read, or written whole (a temporary file renamed over
 * path, so that a failed write leaves no half file) */
int fw_snapshot_load(const char *path, struct fw_model *out, struct fw_error *err);
int fw_snapshot_save(const struct fw_model *m, const char *path, struct fw_error *err);

/* the model of an empty database (snapshot -source=empty) */
void fw_snapshot_empty(struct fw_model *out, const char *dialect, const char *const *schemas);

#endif
