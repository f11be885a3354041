/* Comparing two schema models, in the shape of Flyway's drift and changes
 * reports: onlyInSource[], onlyInTarget[], differences[] with {id, name,
 * schema, objectType, definitionBefore, definitionAfter}.
 *
 * "Source" is the state compared against (a snapshot, a scratch database
 * built from migrations), "target" the database looked at. Before is the
 * source's definition, after the target's: a drift entry reads "was X, is
 * now Y". Objects match by type, parent table and name within schemas of the
 * same name (fw_diff_models) or within two given schemas (fw_diff_schemas);
 * they differ when their canonical definitions differ. Entries come in the
 * order of the models (schema, type, parent, name), so equal inputs give
 * equal reports. */
#ifndef FW_SCHEMA_DIFF_H
#define FW_SCHEMA_DIFF_H
#include <jansson.h>
#include "schema/model.h"

struct fw_diff_entry {
	char *id;              /* 16 hex digits from type, schema, parent and name: stable */
	enum fw_obj_type type;
	char *schema;
	char *name;
	char *parent;          /* table of an index, constraint, trigger; NULL otherwise */
	char *before;          /* source's definition; NULL when only in the target */
	char *after;           /* target's definition; NULL when only in the source */
	/* what differs inside, by name: "column email: type text -> character
	 * varying(200)", "constraint u: only in target" (source -> target) */
	struct strvec details;
};

struct fw_diff_list {
	struct fw_diff_entry *v;
	size_t nr, alloc;
};

struct fw_diff {
	struct fw_diff_list only_in_source;
	struct fw_diff_list only_in_target;
	struct fw_diff_list differences;
};
#define FW_DIFF_INIT { { NULL, 0, 0 }, { NULL, 0, 0 }, { NULL, 0, 0 } }

/* compare schemas matched by name; a schema in one model only contributes
 * all its objects to one list */
void fw_diff_models(const struct fw_model *source, const struct fw_model *target,
		    struct fw_diff *out);
/* compare two schemas (names may differ: a scratch copy against the target);
 * entries carry the target's schema name, onlyInSource ones the source's */
void fw_diff_schemas(const struct fw_schema *source, const struct fw_schema *target,
		     struct fw_diff *out);
int fw_diff_is_empty(const struct fw_diff *d);
/* an entry's details, of a comparison from the state before to the state
 * after, worded as a change: "column x: only in source" becomes "column x:
 * dropped", "only in target" "added"; the others ("type a -> b") read so already */
void fw_diff_details_as_change(const struct strvec *details, struct strvec *out);
/* the id an entry for that object gets: 16 hex digits and a NUL */
void fw_diff_id(enum fw_obj_type type, const char *schema, const char *parent, const char *name,
		char out[17]);
void fw_diff_release(struct fw_diff *d);

/* {"onlyInSource": [...], "onlyInTarget": [...], "differences": [...]}, each
 * entry {id, name, schema, objectType, definitionBefore, definitionAfter}
 * plus "parent" and "details" when set (new reference) */
json_t *fw_diff_to_json(const struct fw_diff *d);

#endif
