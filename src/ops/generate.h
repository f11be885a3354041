/* generate (reference: Flyway's generate): a migration from the diff
 * artefact, that makes generate.target (by default the diff's target) look
 * like the other side, and proves itself before anything is written.
 *
 *   generate.types        versioned (default), undo, baseline
 *   generate.version      default: the next after the locations' highest
 *   generate.description  default: none (V3.sql)
 *   generate.location     default: the first filesystem location
 *   generate.changes      the diff's ids to carry out (default: all)
 *   generate.force        overwrite files that exist
 *
 * The statements come from the planner (schema/plan.h); what must run
 * outside a transaction goes into a second migration with an
 * executeInTransaction=false sidecar. Before writing, the files are applied
 * by the migrate operation to a scratch copy of the start state (the
 * migrations replayed, or the start model built) and the result is compared
 * with the state wanted; an undo script is applied after them and compared
 * with the start. Anything left over is an error naming it; nothing is
 * written then. The hazards are comments in the script and the generated
 * files' check -code findings are part of the result. */
#ifndef FW_OPS_GENERATE_H
#define FW_OPS_GENERATE_H
#include "ops/diff-artifact.h"
#include "sql/lint.h"

struct fw_generated {
	const char *type;          /* "versioned", "undo", "baseline" */
	char *name;                /* file name */
	char *path;                /* where it is (written) */
	char *conf;                /* its sidecar's text, or NULL */
	char *text;
};

struct fw_generate_result {
	struct fw_artifact a;
	char *artifact_path;
	char *start, *want;        /* the sides: the script goes from start to want */
	size_t changes;            /* differences carried out */
	struct fw_generated *files;
	size_t nr, alloc;
	struct strvec hazards;
	struct fw_lint lint;       /* check -code findings of the files */
	int linted;
	int proved;                /* the scratch comparison came out empty */
};

/* the proof (generate-proof.c): the files in dir applied to a scratch copy
 * of the start side; the result compared with `want`, and, when undo is
 * there, undone and compared with the start */
struct fw_proof {
	struct fw_compare *c;
	const struct fw_side *start_side;
	const struct fw_model *start;      /* the start state read */
	const struct fw_model *want;       /* what the versioned files must give */
	const char *dir;                   /* the files, and nothing else */
	size_t undos;                      /* undo scripts to run after (newest first) */
	int undo_only;                     /* only undo scripts: run on the wanted state, they
	                                      must give the start */
	const char *const *files;          /* undo_only: the scripts' texts, in order */
	size_t nfiles;
};
int fw_generate_prove(const struct fw_proof *p, struct fw_error *err);

#endif
