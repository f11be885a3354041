/* model (model.h) */
#include "ops/model.h"
#include "ops/op.h"
#include "schema/plan.h"
#include "util/report-file.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p of the folder a file goes in */
static int make_parents(const char *path, struct fw_error *err)
{
	struct strbuf dir = STRBUF_INIT;
	int ret = 0;
	strbuf_addstr(&dir, path);
	for (size_t i = 1; i < dir.len && !ret; i++) {
		struct stat st;
		if (dir.buf[i] != '/')
			continue;
		dir.buf[i] = '\0';
		if (stat(dir.buf, &st) < 0 && mkdir(dir.buf, 0777) < 0 && errno != EEXIST)
			ret = fw_errorf(err, "ERROR", "unable to make the folder %s: %s", dir.buf, strerror(errno));
		dir.buf[i] = '/';
	}
	strbuf_release(&dir);
	return ret;
}

/* the object a change's file stands for: a table for what hangs on it */
static const struct fw_object *file_object(const struct fw_schema *s, const struct fw_change *c)
{
	if (!s)
		return NULL;
	if (c->parent)
		return fw_schema_find(s, FW_OBJ_TABLE, NULL, c->parent);
	return fw_schema_find(s, c->type, NULL, c->name);
}

struct model_job {
	struct fw_model_result *r;
	const struct fw_side_state *folder, *wanted;
	const char *dialect;
	struct strvec done;        /* relative paths dealt with */
};

static int one_change(struct model_job *j, const struct fw_pair *pair, const struct fw_schema *folder_schema,
		      const struct fw_schema *wanted_schema, const struct fw_change *c, struct fw_error *err)
{
	const struct fw_object *want = file_object(wanted_schema, c), *have = file_object(folder_schema, c);
	const struct fw_object *o = want ? want : have;
	struct fw_object stand_in;
	struct strbuf rel = STRBUF_INIT, path = STRBUF_INIT, text = STRBUF_INIT;
	int ret = 0;
	if (!o) {   /* a child whose table neither side has: its file is the table's anyway */
		memset(&stand_in, 0, sizeof(stand_in));
		stand_in.type = c->parent ? FW_OBJ_TABLE : c->type;
		stand_in.name = c->parent ? c->parent : c->name;
		o = &stand_in;
	}
	fw_model_file(folder_schema ? folder_schema->name : pair->name, o, &rel);
	if (strvec_contains(&j->done, rel.buf))
		goto out;
	strvec_push(&j->done, rel.buf);
	strbuf_addf(&path, "%s/%s", j->r->folder, rel.buf);
	if (want) {
		fw_ddl_model_text(j->dialect, wanted_schema, want, &text);
		if (make_parents(path.buf, err) < 0) {
			ret = -1;
		} else if (fw_write_whole(path.buf, text.buf, text.len) < 0) {
			ret = fw_errorf(err, "ERROR", "unable to write %s: %s", path.buf, strerror(errno));
		} else {
			strvec_push(&j->r->written, path.buf);
		}
	} else if (remove(path.buf) == 0) {
		strvec_push(&j->r->removed, path.buf);
	} else if (errno != ENOENT) {
		ret = fw_errorf(err, "ERROR", "unable to remove %s: %s", path.buf, strerror(errno));
	}
out:
	strbuf_release(&rel);
	strbuf_release(&path);
	strbuf_release(&text);
	return ret;
}

static int write_model(struct model_job *j, const struct strvec *ids, int folder_is_source, struct fw_error *err)
{
	struct fw_pair *pairs;
	size_t n = fw_artifact_pairs(&j->r->a, &pairs);
	int ret = 0;
	for (size_t i = 0; i < j->r->a.nr && !ret; i++) {
		const struct fw_change *c = &j->r->a.v[i];
		size_t k;
		if (!fw_change_selected(c, ids))
			continue;
		for (k = 0; k < n && strcmp(pairs[k].name, c->schema); k++)
			;
		if (k == n)
			continue;
		ret = one_change(j, &pairs[k], folder_is_source ? pairs[k].src : pairs[k].tgt,
				 folder_is_source ? pairs[k].tgt : pairs[k].src, c, err);
	}
	free(pairs);
	return ret;
}

static int model_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_model_result *r = result;
	struct model_job j;
	struct strvec ids = STRVEC_INIT;
	struct fw_compare c;
	int folder_is_source, ret = -1;
	(void)args;
	memset(&j, 0, sizeof(j));
	r->artifact_path = fw_artifact_path(t->cfg, "model");
	if (fw_artifact_read(r->artifact_path, &r->a, err) < 0 || fw_change_ids(t->cfg, "model", &ids, err) < 0 ||
	    fw_changes_known(&r->a, &ids, "model.changes", err) < 0)
		goto out;
	folder_is_source = !strcmp(r->a.source, "schemaModel");
	if (!folder_is_source && strcmp(r->a.target, "schemaModel")) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "model writes the schema model, and the diff "
			       "compared %s with %s", r->a.source, r->a.target);
		fw_error_hint(err, "diff with the schema model as one side: fleetway diff model "
			      "-diff.source=ENVIRONMENT -diff.target=schemaModel");
		goto out;
	}
	fw_compare_init(&c, t->cfg, t->obs, NULL);
	r->folder = xstrdup(c.model_location);
	fw_compare_close(&c);
	j.r = r;
	j.folder = folder_is_source ? &r->a.src : &r->a.tgt;
	j.wanted = folder_is_source ? &r->a.tgt : &r->a.src;
	j.dialect = j.wanted->model.dialect ? j.wanted->model.dialect : j.folder->model.dialect;
	ret = write_model(&j, &ids, folder_is_source, err);
out:
	strvec_clear(&ids);
	strvec_clear(&j.done);
	return ret;
}

static void model_release(void *result)
{
	struct fw_model_result *r = result;
	fw_artifact_release(&r->a);
	free(r->artifact_path);
	free(r->folder);
	strvec_clear(&r->written);
	strvec_clear(&r->removed);
}

const struct fw_op fw_op_model = {
	.name = "model",
	.result_size = sizeof(struct fw_model_result),
	.run = model_run,
	.release = model_release,
};
