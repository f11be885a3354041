/* The diff artefact: what `diff` found, kept in a file (diff.artifactFilename,
 * as Flyway) for the commands after it, in the same chain or a later run:
 * diffText shows it, generate writes a migration from it, model writes it
 * into the schema-model folder.
 *
 * It holds both sides whole (their models as snapshot documents, the schema
 * model's rename annotations, which tables hold rows), so that a later
 * command needs no database to know what differs; the changes are worked out
 * again from the two models when it is read, so the file cannot disagree
 * with itself. JSON, written whole (a temporary file renamed over it). */
#ifndef FW_OPS_DIFF_ARTIFACT_H
#define FW_OPS_DIFF_ARTIFACT_H
#include "ops/diff-state.h"

#define FW_ARTIFACT_FORMAT "fleetway-diff"
#define FW_ARTIFACT_VERSION 1

/* one row of the diff: what the target needs to look like the source */
struct fw_change {
	char *id;
	const char *change;        /* "Add" (only in the source), "Edit", "Delete" (only in the target) */
	enum fw_obj_type type;
	char *schema, *name, *parent;
	char *source_def;          /* NULL where the source has no such object */
	char *target_def;
	struct strvec details;     /* inside a table: "column email: type text -> ..." (target -> source) */
};

struct fw_artifact {
	char *source, *target;     /* the sides as given (diff.source, diff.target) */
	char *build_env, *build_version;
	struct strvec build_cherry_pick;
	struct fw_side_state src, tgt;
	struct fw_change *v;       /* in the models' order */
	size_t nr, alloc;
};

/* the schemas compared: by name, or the only one of each side whatever its
 * name (either may be NULL: a schema on one side only) */
struct fw_pair {
	const struct fw_schema *src, *tgt;
	const char *name;          /* the name in ids and reports: the source's, else the target's */
};
/* *out is allocated (caller frees); returns the number of pairs */
size_t fw_artifact_pairs(const struct fw_artifact *a, struct fw_pair **out);
/* work out the changes from src and tgt (called by read; diff calls it after reading the sides) */
void fw_artifact_changes(struct fw_artifact *a);
int fw_artifact_write(const struct fw_artifact *a, const char *path, struct fw_error *err);
int fw_artifact_read(const char *path, struct fw_artifact *out, struct fw_error *err);
void fw_artifact_release(struct fw_artifact *a);
/* <ns>.artifactFilename, else diff.artifactFilename, else the default
 * $TMPDIR/fleetway-<uid>.artifact.diff; absolute (caller frees) */
char *fw_artifact_path(const struct fw_config *cfg, const char *ns);
/* a change is one of the ids (NULL: every change) */
int fw_change_selected(const struct fw_change *c, const struct strvec *ids);
/* every id of ids names a change of a (setting names it in errors) */
int fw_changes_known(const struct fw_artifact *a, const struct strvec *ids, const char *setting,
		     struct fw_error *err);
/* the ids of <ns>.changes ("-": read from stdin, as Flyway); empty when not set */
int fw_change_ids(const struct fw_config *cfg, const char *ns, struct strvec *out, struct fw_error *err);
/* Flyway's keys of these commands that fleetway reads but does not act on
 * (keys: NULL-terminated): a warning for each one set, so that nobody
 * expects, say, generate.versionedFilename to name the file */
void fw_warn_keys_without_effect(const struct fw_config *cfg, const struct fw_observer *obs,
				 const char *const *keys);

#endif
