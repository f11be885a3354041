/* generate (generate.h) */
#include "ops/generate.h"
#include "ops/op.h"
#include "schema/diff.h"
#include "schema/plan.h"
#include "sql/sqlsplit.h"
#include "util/report-file.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ftw.h>

struct gen {
	struct fw_target *t;
	struct fw_generate_result *r;
	const struct fw_side_state *start, *want;
	struct fw_side start_side;
	const char *dialect;
	struct strvec ids;            /* generate.changes; empty: all */
	int versioned, undo, baseline;
	struct strbuf version, version2, description;
	char *dir;                    /* the files before the proof */
	char *location;
	int in_tx;                    /* planning an undo: nothing outside a transaction */
	struct strvec undo_hazards;   /* the undo scripts' own hazards */
	struct fw_side_state empty;   /* a baseline's start */
};

static enum sql_dialect split_dialect(const char *dialect)
{
	if (dialect && !strcmp(dialect, "sqlite"))
		return SQL_DIALECT_SQLITE;
	if (dialect && !strcmp(dialect, "mysql"))
		return SQL_DIALECT_MYSQL;
	return SQL_DIALECT_POSTGRES;
}

/* ---- settings ---- */

static int read_types(struct gen *g, struct fw_error *err)
{
	struct strvec types = STRVEC_INIT;
	int ret = 0;
	fw_config_setting_list(g->t->cfg, "generate.types", &types);
	if (!types.nr)
		strvec_push(&types, "versioned");
	for (size_t i = 0; i < types.nr && !ret; i++) {
		if (!strcmp(types.v[i], "versioned"))
			g->versioned = 1;
		else if (!strcmp(types.v[i], "undo"))
			g->undo = 1;
		else if (!strcmp(types.v[i], "baseline"))
			g->baseline = 1;
		else
			ret = fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "generate.types: unknown type '%s'",
					     types.v[i]);
	}
	if (!ret && g->baseline && (g->versioned || g->undo) && types.nr > 1)
		ret = fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
				     "generate.types: baseline cannot be generated together with versioned or undo");
	if (!ret && g->baseline)
		g->versioned = 0;
	if (ret)
		fw_error_hint(err, "generate.types takes versioned, undo (with versioned or alone), or baseline");
	strvec_clear(&types);
	return ret;
}

/* "002" -> "003", "1.9" -> "1.10": the last number one up, its width kept */
static void next_version(const char *v, struct strbuf *out)
{
	size_t n = strlen(v), end = n, start;
	int carry = 1;
	while (end > 0 && !isdigit((unsigned char)v[end - 1]))
		end--;
	start = end;
	while (start > 0 && isdigit((unsigned char)v[start - 1]))
		start--;
	if (start == end) {
		strbuf_addf(out, "%s%s1", v, n ? "." : "");
		return;
	}
	{
		char *digits = xstrndup(v + start, end - start);
		for (size_t i = end - start; i-- > 0 && carry;) {
			digits[i] = digits[i] == '9' ? '0' : (char)(digits[i] + 1);
			carry = digits[i] == '0';
		}
		strbuf_add(out, v, start);
		if (carry)
			strbuf_addch(out, '1');
		strbuf_addstr(out, digits);
		strbuf_addstr(out, v + end);
		free(digits);
	}
}

/* the highest version among the files of the locations */
static int highest_version(struct gen *g, struct strbuf *out, struct fw_error *err)
{
	struct fw_target files;
	const struct fw_version *best = NULL;
	memset(&files, 0, sizeof(files));
	files.name = g->t->name;
	if (fw_target_offline(&files, g->t->cfg, g->t->obs, split_dialect(g->dialect), err) < 0) {
		fw_target_close(&files);
		return -1;
	}
	for (size_t i = 0; i < files.scan.nr_migrations; i++) {
		const struct fw_resolved *m = &files.scan.migrations[i];
		if (m->kind != FW_FILE_REPEATABLE && (!best || fw_version_cmp(&m->version, best) > 0))
			best = &m->version;
	}
	for (size_t i = 0; i < files.scan.nr_undos; i++)
		if (!best || fw_version_cmp(&files.scan.undos[i].version, best) > 0)
			best = &files.scan.undos[i].version;
	if (best)
		strbuf_addstr(out, fw_version_str(best));
	fw_target_close(&files);
	return 0;
}

static int pick_version(struct gen *g, struct fw_error *err)
{
	const char *v = fw_config_setting(g->t->cfg, "generate.version");
	const char *d = fw_config_setting(g->t->cfg, "generate.description");
	struct fw_version parsed;
	if (v && *v) {
		if (fw_version_parse(v, 0, &parsed, err) < 0) {
			fw_error_prefix(err, "generate.version");
			err->exit_code = FW_EXIT_USAGE;
			return -1;
		}
		fw_version_release(&parsed);
		strbuf_addstr(&g->version, v);
	} else {
		/* an undo alone is for the newest versioned migration there is */
		int undo_only = g->undo && !g->versioned && !g->baseline;
		struct strbuf high = STRBUF_INIT;
		if (highest_version(g, &high, err) < 0)
			return -1;
		if (undo_only && !high.len) {
			strbuf_release(&high);
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "generate.types=undo: there is no versioned "
				       "migration to undo, and generate.version is not set");
			fw_error_hint(err, "generate the versioned migration with it: -generate.types=versioned,undo");
			return -1;
		}
		if (undo_only)
			strbuf_addbuf(&g->version, &high);
		else if (high.len)
			next_version(high.buf, &g->version);
		else
			strbuf_addstr(&g->version, "1");
		strbuf_release(&high);
	}
	next_version(g->version.buf, &g->version2);
	for (const char *p = d ? d : ""; *p; p++)
		strbuf_addch(&g->description, *p == ' ' ? '_' : *p);
	return 0;
}

static int pick_location(struct gen *g, struct fw_error *err)
{
	const char *loc = fw_config_setting(g->t->cfg, "generate.location");
	struct strbuf path = STRBUF_INIT;
	if (!loc) {
		for (size_t i = 0; i < g->t->cfg->locations.nr && !loc; i++)
			if (!strncmp(g->t->cfg->locations.v[i], "filesystem:", 11))
				loc = g->t->cfg->locations.v[i] + 11;
			else if (!strchr(g->t->cfg->locations.v[i], ':'))
				loc = g->t->cfg->locations.v[i];
		if (!loc) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "generate has no location to write to");
			fw_error_hint(err, "set generate.location, or a filesystem: location in locations");
			return -1;
		}
	} else if (!strncmp(loc, "filesystem:", 11)) {
		loc += 11;
	}
	if (loc[0] != '/' && g->t->cfg->working_directory)
		strbuf_addf(&path, "%s/", g->t->cfg->working_directory);
	strbuf_addstr(&path, loc);
	g->location = strbuf_detach(&path, NULL);
	return 0;
}

/* ---- which way ---- */

static int direction(struct gen *g, struct fw_error *err)
{
	const char *target = fw_config_setting(g->t->cfg, "generate.target");
	const char *start = g->r->a.target;
	if (target && strcmp(target, g->r->a.target) && strcmp(target, g->r->a.source)) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
			       "generate.target=%s is neither the diff's source (%s) nor its target (%s)", target,
			       g->r->a.source, g->r->a.target);
		fw_error_hint(err, "generate writes the migration for one side of the diff: leave generate.target "
			      "out for the diff's target");
		return -1;
	}
	if (target && !strcmp(target, g->r->a.source) && strcmp(target, g->r->a.target)) {
		start = g->r->a.source;
		g->start = &g->r->a.src;
		g->want = &g->r->a.tgt;
	} else {
		g->start = &g->r->a.tgt;
		g->want = &g->r->a.src;
	}
	g->r->start = xstrdup(start);
	g->r->want = xstrdup(g->start == &g->r->a.tgt ? g->r->a.source : g->r->a.target);
	g->dialect = g->want->model.dialect ? g->want->model.dialect : g->start->model.dialect;
	return fw_side_parse("generate.target", start, &g->start_side, err);
}

/* ---- the states ---- */

static int id_selected(const struct gen *g, const struct fw_object *o, const char *schema)
{
	char id[17];
	if (!g->ids.nr)
		return 1;   /* every change */
	fw_diff_id(o->type, schema, o->parent, o->name, id);
	return strvec_contains(&g->ids, id);
}

/* what the start becomes with the chosen changes carried out (all: the
 * wanted state); its schemas keep the start's names */
static void expected_state(const struct gen *g, struct fw_model *out)
{
	struct fw_artifact view = { 0 };
	struct fw_pair *pairs;
	size_t n;
	view.src = *g->want;
	view.tgt = *g->start;
	n = fw_artifact_pairs(&view, &pairs);
	fw_model_init(out, g->start->model.dialect, g->start->model.product);
	for (size_t i = 0; i < n; i++) {
		const struct fw_schema *from = pairs[i].tgt, *to = pairs[i].src;
		struct fw_schema *s = fw_model_add_schema(out, from ? from->name : to->name);
		/* an object chosen takes its wanted form (or goes); the others stay */
		for (size_t k = 0; from && k < from->nobjects; k++)
			if (!id_selected(g, &from->objects[k], pairs[i].name))
				fw_schema_add_copy(s, &from->objects[k]);
		for (size_t k = 0; to && k < to->nobjects; k++)
			if (id_selected(g, &to->objects[k], pairs[i].name))
				fw_schema_add_copy(s, &to->objects[k]);
		fw_schema_finish(s);
	}
	free(pairs);
}

/* ---- planning ---- */

/* the renames the wanted side declares, or the start's turned round (an
 * undo, or a migration for the schema model's side) */
static void renames_for(const struct fw_side_state *start, const struct fw_side_state *want,
			struct fw_renames *out)
{
	for (size_t i = 0; i < want->renames.nr; i++) {
		const struct fw_rename *r = &want->renames.v[i];
		fw_renames_add(out, r->schema, r->table, r->column, r->from, r->origin);
	}
	for (size_t i = 0; i < start->renames.nr; i++) {
		const struct fw_rename *r = &start->renames.v[i];
		if (r->column)
			fw_renames_add(out, r->schema, r->table, r->from, r->column, r->origin);
		else
			fw_renames_add(out, r->schema, r->from, NULL, r->table, r->origin);
	}
}

/* plan from one model to another; schemas paired as the diff pairs them;
 * only one schema may change */
static int plan(struct gen *g, const struct fw_side_state *from, const struct fw_side_state *to,
		const struct strvec *only, struct fw_ddl_script *out, struct fw_error *err)
{
	struct fw_artifact view = { 0 };
	struct fw_renames renames = { 0 };
	struct fw_pair *pairs;
	size_t n;
	int ret = 0, planned = 0;
	view.src = *to;
	view.tgt = *from;
	n = fw_artifact_pairs(&view, &pairs);
	renames_for(from, to, &renames);
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n && !ret; i++) {
		struct fw_ddl_opts o;
		struct fw_ddl_script s;
		memset(&o, 0, sizeof(o));
		o.dialect = g->dialect;
		o.schema = pairs[i].name;
		o.renames = &renames;
		o.only = only && only->nr ? only : NULL;
		o.with_rows = &from->with_rows;
		o.rows_known = from->rows_known;
		o.in_transaction = g->in_tx;
		if (fw_plan_schema(pairs[i].tgt, pairs[i].src, &o, &s) < 0) {
			ret = fw_errorf(err, "ERROR", "generate does not know the dialect %s", g->dialect ? g->dialect : "(none)");
			break;
		}
		if (fw_ddl_script_empty(&s) && !s.unsupported.nr) {
			fw_ddl_script_release(&s);
			continue;
		}
		if (planned++) {
			fw_ddl_script_release(&s);
			fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "the differences span more than one schema (%s too)",
				       pairs[i].name);
			fw_error_hint(err, "generate writes one schema's migration: choose its changes with generate.changes");
			ret = -1;
			break;
		}
		fw_ddl_script_release(out);
		*out = s;
	}
	free(pairs);
	fw_renames_release(&renames);
	return ret;
}

static int refuse_unsupported(const struct fw_ddl_script *s, struct fw_error *err)
{
	if (!s->unsupported.nr)
		return 0;
	fw_errorf(err, "ERROR", "generate cannot express %zu of the changes; nothing was written", s->unsupported.nr);
	for (size_t i = 0; i < s->unsupported.nr; i++)
		fw_error_detail(err, "%s%s", i ? "\n" : "", s->unsupported.v[i]);
	fw_error_hint(err, "write a migration for these by hand, or leave them out (generate.changes)");
	return -1;
}

/* ---- files ---- */

static void file_name(struct gen *g, const char *prefix, const char *version, const char *suffix,
		      struct strbuf *out)
{
	strbuf_addf(out, "%s%s", prefix, version);
	if (g->description.len || suffix)
		strbuf_addf(out, "%s%s%s%s", g->t->cfg->sql_migration_separator, g->description.buf,
			    g->description.len && suffix ? "_" : "", suffix ? suffix : "");
	strbuf_addstr(out, ".sql");
}

static void header(struct gen *g, const char *what, const struct fw_ddl_script *s, struct strbuf *out)
{
	int back = !strcmp(what, "Undo migration");
	strbuf_addf(out, "-- %s generated by fleetway %s: %s -> %s\n", what, FW_VERSION,
		    back ? g->r->want : g->r->start, back ? g->r->start : g->r->want);
	strbuf_addstr(out, "-- Review it before you commit it. Before writing it, fleetway ran it on a scratch\n"
		      "-- copy of the start state and compared the result with the state wanted.\n");
	if (s && s->hazards.nr) {
		strbuf_addstr(out, "--\n-- Hazards (check -code reports them too):\n");
		for (size_t i = 0; i < s->hazards.nr; i++)
			strbuf_addf(out, "--   %s\n", s->hazards.v[i]);
	}
}

static void body(const struct fw_ddl_part *part, struct strbuf *out)
{
	for (size_t i = 0; i < part->nr; i++) {
		strbuf_addch(out, '\n');
		if (part->v[i].comment)
			strbuf_addf(out, "%s\n", part->v[i].comment);
		strbuf_addf(out, "%s\n", part->v[i].sql);
	}
}

/* the sidecar a file needs: outside a transaction, no placeholders in it */
static char *sidecar(struct gen *g, const char *text, int outside_tx)
{
	struct strbuf conf = STRBUF_INIT;
	const char *prefix = g->t->cfg->placeholder_prefix;
	if (outside_tx)
		strbuf_addstr(&conf, "executeInTransaction=false\n");
	if (g->t->cfg->placeholder_replacement && prefix && *prefix && strstr(text, prefix))
		strbuf_addstr(&conf, "placeholderReplacement=false\n");
	if (!conf.len) {
		strbuf_release(&conf);
		return NULL;
	}
	return strbuf_detach(&conf, NULL);
}

static void add_file(struct gen *g, const char *type, const char *name, struct strbuf *text, int outside_tx)
{
	struct fw_generated *f;
	ALLOC_GROW(g->r->files, g->r->nr + 1, g->r->alloc);
	f = &g->r->files[g->r->nr++];
	memset(f, 0, sizeof(*f));
	f->type = type;
	f->name = xstrdup(name);
	f->text = strbuf_detach(text, NULL);
	f->conf = sidecar(g, f->text, outside_tx);
	f->path = NULL;
}

static void script_files(struct gen *g, const char *type, const char *prefix, const struct fw_ddl_script *s)
{
	struct strbuf name = STRBUF_INIT, text = STRBUF_INIT;
	const char *what = !strcmp(type, "undo") ? "Undo migration" : !strcmp(type, "baseline") ? "Baseline migration"
											       : "Migration";
	if (s->main.nr || !s->notx.nr) {
		file_name(g, prefix, g->version.buf, NULL, &name);
		header(g, what, s, &text);
		body(&s->main, &text);
		add_file(g, type, name.buf, &text, s->main_outside_tx);
		strbuf_reset(&name);
	}
	if (s->notx.nr) {
		/* after the first: its own migration, outside a transaction */
		file_name(g, prefix, s->main.nr ? g->version2.buf : g->version.buf, "outside_transaction", &name);
		header(g, what, NULL, &text);
		strbuf_addstr(&text, "-- These statements cannot run inside a transaction (the sidecar .conf says so).\n");
		body(&s->notx, &text);
		add_file(g, type, name.buf, &text, 1);
	}
	strbuf_release(&name);
	strbuf_release(&text);
}

/* check -code's rules over the files */
static int lint_files(struct gen *g, struct fw_error *err)
{
	enum sql_dialect d = split_dialect(g->dialect);
	fw_lint_init(&g->r->lint, d);
	g->r->lint.per_script = 1;
	g->r->linted = 1;
	for (size_t i = 0; i < g->r->nr; i++) {
		const struct fw_generated *f = &g->r->files[i];
		struct sqlsplit *sp = sqlsplit_new_mem(d, f->text, strlen(f->text), f->name);
		struct sql_stmt st = SQL_STMT_INIT;
		int rc;
		while ((rc = sqlsplit_next(sp, &st, err)) > 0)
			fw_lint_statement(&g->r->lint, f->name, st.line, st.sql.buf);
		sql_stmt_release(&st);
		sqlsplit_free(sp);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int write_to(const char *dir, const struct fw_generated *f, char **path_out, struct fw_error *err)
{
	struct strbuf path = STRBUF_INIT, conf = STRBUF_INIT;
	int ret = 0;
	strbuf_addf(&path, "%s/%s", dir, f->name);
	if (fw_write_whole(path.buf, f->text, strlen(f->text)) < 0)
		ret = fw_errorf(err, "ERROR", "unable to write %s: %s", path.buf, strerror(errno));
	strbuf_addf(&conf, "%s.conf", path.buf);
	if (!ret && f->conf && fw_write_whole(conf.buf, f->conf, strlen(f->conf)) < 0)
		ret = fw_errorf(err, "ERROR", "unable to write %s: %s", conf.buf, strerror(errno));
	if (path_out)
		*path_out = strbuf_detach(&path, NULL);
	strbuf_release(&path);
	strbuf_release(&conf);
	return ret;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_dir(const char *dir)
{
	if (dir)
		nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int stage(struct gen *g, struct fw_error *err)
{
	const char *tmp = getenv("TMPDIR");
	struct strbuf d = STRBUF_INIT;
	strbuf_addf(&d, "%s/fleetway-generate.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(d.buf)) {
		fw_errorf(err, "ERROR", "unable to make a temporary folder %s: %s", d.buf, strerror(errno));
		strbuf_release(&d);
		return -1;
	}
	g->dir = strbuf_detach(&d, NULL);
	for (size_t i = 0; i < g->r->nr; i++)
		if (write_to(g->dir, &g->r->files[i], NULL, err) < 0)
			return -1;
	return 0;
}

/* the migration of the same kind and version that the locations hold
 * already under another name (V3__a.sql beside a new V3__b.sql, U3.sql
 * beside U3__body.sql), or NULL */
static const char *same_version(const struct fw_target *files, const char *name)
{
	const char *sep = strstr(name, "__");
	char *ver = xstrndup(name + 1, sep ? (size_t)(sep - name - 1) : strcspn(name + 1, "."));
	struct fw_version v;
	struct fw_error e = FW_ERROR_INIT;
	const char *found = NULL;
	if (fw_version_parse(ver, 0, &v, &e) == 0) {
		for (size_t i = 0; *name == 'V' && i < files->scan.nr_migrations && !found; i++) {
			const struct fw_resolved *m = &files->scan.migrations[i];
			if (m->kind == FW_FILE_VERSIONED && !fw_version_cmp(&m->version, &v))
				found = m->filename;
		}
		for (size_t i = 0; *name == 'U' && i < files->scan.nr_undos && !found; i++)
			if (!fw_version_cmp(&files->scan.undos[i].version, &v))
				found = files->scan.undos[i].filename;
		fw_version_release(&v);
	}
	fw_error_clear(&e);
	free(ver);
	return found && strcmp(found, name) ? found : NULL;
}

static int refuse_same_version(struct gen *g, struct fw_error *err)
{
	struct fw_target files;
	int ret = 0;
	memset(&files, 0, sizeof(files));
	files.name = g->t->name;
	if (fw_target_offline(&files, g->t->cfg, g->t->obs, split_dialect(g->dialect), err) < 0) {
		fw_target_close(&files);
		return -1;
	}
	for (size_t i = 0; i < g->r->nr && !ret; i++) {
		const char *other = same_version(&files, g->r->files[i].name);
		if (other) {
			ret = fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "%s would have the version of %s, which is there "
					     "already; nothing was written", g->r->files[i].name, other);
			fw_error_hint(err, "give another version (generate.version), or remove %s first", other);
		}
	}
	fw_target_close(&files);
	return ret;
}

static int refuse_existing(struct gen *g, struct fw_error *err)
{
	int force = fw_config_setting_bool(g->t->cfg, "generate.force", 0);
	if (!force && refuse_same_version(g, err) < 0)
		return -1;
	for (size_t i = 0; i < g->r->nr && !force; i++) {
		struct strbuf path = STRBUF_INIT;
		struct stat st;
		int exists;
		strbuf_addf(&path, "%s/%s", g->location, g->r->files[i].name);
		exists = stat(path.buf, &st) == 0;
		if (exists) {
			fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "%s exists already; nothing was written", path.buf);
			fw_error_hint(err, "give another version (generate.version) or overwrite it with generate.force=true");
		}
		strbuf_release(&path);
		if (exists)
			return -1;
	}
	return 0;
}

static int write_files(struct gen *g, struct fw_error *err)
{
	struct stat st;
	if (stat(g->location, &st) < 0 && mkdir(g->location, 0777) < 0)
		return fw_errorf(err, "ERROR", "unable to make the folder %s: %s", g->location, strerror(errno));
	for (size_t i = 0; i < g->r->nr; i++)
		if (write_to(g->location, &g->r->files[i], &g->r->files[i].path, err) < 0)
			return -1;
	return 0;
}

/* ---- the operation ---- */

/* a table chosen brings what the dialect creates with it */
static void implied_changes(struct gen *g)
{
	struct fw_pair *pairs;
	size_t n, before = g->ids.nr;
	if (!g->ids.nr)
		return;
	n = fw_artifact_pairs(&g->r->a, &pairs);
	for (size_t i = 0; i < g->r->a.nr; i++) {
		const struct fw_change *c = &g->r->a.v[i];
		for (size_t k = 0; k < n && c->parent; k++) {
			const struct fw_schema *want = g->want == &g->r->a.src ? pairs[k].src : pairs[k].tgt;
			const struct fw_object *o = want ? fw_schema_find(want, c->type, c->parent, c->name) : NULL;
			char table_id[17];
			if (!o || strcmp(pairs[k].name, c->schema) || !fw_ddl_created_with_table(g->dialect, o))
				continue;
			fw_diff_id(FW_OBJ_TABLE, c->schema, NULL, c->parent, table_id);
			for (size_t j = 0; j < before; j++)
				if (!strcmp(g->ids.v[j], table_id) && !strvec_contains(&g->ids, c->id))
					strvec_push(&g->ids, c->id);
		}
	}
	free(pairs);
}

static size_t count_selected(const struct gen *g)
{
	size_t n = 0;
	for (size_t i = 0; i < g->r->a.nr; i++)
		n += fw_change_selected(&g->r->a.v[i], &g->ids);
	return n;
}

/* the wanted state without the indexes the second migration makes: what undoing it leaves */
static void without_indexes(const struct fw_side_state *want, const struct strvec *indexes, struct fw_side_state *out)
{
	memset(out, 0, sizeof(*out));
	fw_model_init(&out->model, want->model.dialect, want->model.product);
	for (size_t i = 0; i < want->model.nschemas; i++) {
		const struct fw_schema *from = &want->model.schemas[i];
		struct fw_schema *s = fw_model_add_schema(&out->model, from->name);
		for (size_t k = 0; k < from->nobjects; k++)
			if (!(from->objects[k].type == FW_OBJ_INDEX && strvec_contains(indexes, from->objects[k].name)))
				fw_schema_add_copy(s, &from->objects[k]);
		fw_schema_finish(s);
	}
	strvec_copy(&out->with_rows, &want->with_rows);
	out->rows_known = want->rows_known;
	for (size_t i = 0; i < want->renames.nr; i++) {
		const struct fw_rename *r = &want->renames.v[i];
		fw_renames_add(&out->renames, r->schema, r->table, r->column, r->from, r->origin);
	}
}

static void undo_file(struct gen *g, const char *version, const char *suffix, const struct fw_ddl_script *s)
{
	struct strbuf name = STRBUF_INIT, text = STRBUF_INIT;
	file_name(g, g->t->cfg->undo_sql_migration_prefix, version, suffix, &name);
	header(g, "Undo migration", s, &text);
	body(&s->main, &text);
	add_file(g, "undo", name.buf, &text, s->main_outside_tx);
	strbuf_release(&name);
	strbuf_release(&text);
}

/* Undo: a second migration (outside a transaction) is undone first, its
 * indexes dropped; then the first, back to the start. */
static int plan_undo(struct gen *g, const struct fw_ddl_script *fwd, struct fw_error *err)
{
	struct fw_ddl_script back, back2;
	struct fw_side_state mid;
	int ret = 0;
	without_indexes(g->want, &fwd->notx_indexes, &mid);
	memset(&back, 0, sizeof(back));
	memset(&back2, 0, sizeof(back2));
	g->in_tx = 1;
	if (fwd->notx.nr && fwd->main.nr)
		ret = plan(g, g->want, &mid, &g->ids, &back2, err);
	if (ret == 0)
		ret = plan(g, &mid, g->start, &g->ids, &back, err);
	g->in_tx = 0;
	if (ret == 0)
		ret = refuse_unsupported(&back, err);
	if (ret == 0) {
		undo_file(g, g->version.buf, NULL, &back);
		if (back2.main.nr)
			undo_file(g, g->version2.buf, "outside_transaction", &back2);
		for (size_t i = 0; i < back2.hazards.nr; i++)
			strvec_push(&g->undo_hazards, back2.hazards.v[i]);
		for (size_t i = 0; i < back.hazards.nr; i++)
			strvec_push(&g->undo_hazards, back.hazards.v[i]);
	}
	fw_ddl_script_release(&back);
	fw_ddl_script_release(&back2);
	fw_side_state_release(&mid);
	return ret;
}

static int plan_files(struct gen *g, struct fw_ddl_script *fwd, struct fw_error *err)
{
	if (plan(g, g->start, g->want, &g->ids, fwd, err) < 0 || refuse_unsupported(fwd, err) < 0)
		return -1;
	if (g->baseline)
		script_files(g, "baseline", g->t->cfg->baseline_migration_prefix, fwd);
	if (g->versioned)
		script_files(g, "versioned", g->t->cfg->sql_migration_prefix, fwd);
	return g->undo ? plan_undo(g, fwd, err) : 0;
}

/* the build server: the diff's, else an environment side's, else the selected */
static void build_server(const struct gen *g, struct fw_compare *c)
{
	const char *specs[] = { g->r->a.source, g->r->a.target };
	if (g->r->a.build_env)
		return;
	for (int i = 0; i < 2; i++) {
		struct fw_side s;
		struct fw_error ignored = FW_ERROR_INIT;
		if (fw_side_parse("diff", specs[i], &s, &ignored) == 0 && s.kind == FW_SIDE_ENVIRONMENT &&
		    !c->build_env)
			c->build_env = xstrdup(s.arg);
		fw_side_release(&s);
		fw_error_clear(&ignored);
	}
}

static int prove(struct gen *g, struct fw_error *err)
{
	struct fw_compare c;
	struct fw_proof p;
	struct fw_model expected;
	const char **texts;
	int ret;
	fw_compare_init(&c, g->t->cfg, g->t->obs, g->r->a.build_env);
	build_server(g, &c);
	if (g->r->a.build_version)
		c.build_version = xstrdup(g->r->a.build_version);
	strvec_copy(&c.build_cherry_pick, &g->r->a.build_cherry_pick);
	expected_state(g, &expected);
	memset(&p, 0, sizeof(p));
	p.c = &c;
	p.start_side = &g->start_side;
	p.start = &g->start->model;
	p.want = &expected;
	p.dir = g->dir;
	for (size_t i = 0; i < g->r->nr; i++)
		p.undos += !strcmp(g->r->files[i].type, "undo");
	p.undo_only = !g->versioned && !g->baseline;
	texts = xcalloc(g->r->nr + 1, sizeof(*texts));
	for (size_t i = 0; i < g->r->nr; i++)
		texts[i] = g->r->files[i].text;
	p.files = texts;
	p.nfiles = g->r->nr;
	ret = fw_generate_prove(&p, err);
	free(texts);
	g->r->proved = ret == 0;
	fw_model_release(&expected);
	fw_compare_close(&c);
	return ret;
}

/* a baseline starts from nothing: the wanted state's schemas, empty */
static void baseline_start(struct gen *g)
{
	fw_model_init(&g->empty.model, g->dialect, NULL);
	for (size_t i = 0; i < g->want->model.nschemas; i++)
		fw_schema_finish(fw_model_add_schema(&g->empty.model, g->want->model.schemas[i].name));
	g->empty.rows_known = 1;
	g->start = &g->empty;
	fw_side_release(&g->start_side);
	fw_side_parse("generate", "empty", &g->start_side, NULL);
	free(g->r->start);
	g->r->start = xstrdup("empty");
	strvec_clear(&g->ids);
}

static int generate_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_generate_result *r = result;
	struct gen g;
	struct fw_ddl_script fwd;
	static const char *const without_effect[] = { "generate.timestamp", "generate.baselineFilename",
						      "generate.versionedFilename", "generate.undoFilename",
						      "generate.usePlaceholders", NULL };
	int ret = -1;
	(void)args;
	fw_warn_keys_without_effect(t->cfg, t->obs, without_effect);
	memset(&g, 0, sizeof(g));
	memset(&fwd, 0, sizeof(fwd));
	g.t = t;
	g.r = r;
	r->artifact_path = fw_artifact_path(t->cfg, "generate");
	if (read_types(&g, err) < 0 || fw_artifact_read(r->artifact_path, &r->a, err) < 0 ||
	    fw_change_ids(t->cfg, "generate", &g.ids, err) < 0 ||
	    fw_changes_known(&r->a, &g.ids, "generate.changes", err) < 0 || direction(&g, err) < 0)
		goto out;
	if (g.baseline)
		baseline_start(&g);
	implied_changes(&g);
	r->changes = g.baseline ? 1 : count_selected(&g);
	if (!r->changes) {
		ret = 0;   /* nothing differs: nothing to write */
		goto out;
	}
	if (pick_version(&g, err) < 0 || pick_location(&g, err) < 0 || plan_files(&g, &fwd, err) < 0 ||
	    refuse_existing(&g, err) < 0 || lint_files(&g, err) < 0 || stage(&g, err) < 0 || prove(&g, err) < 0 ||
	    write_files(&g, err) < 0)
		goto out;
	/* the hazards of the scripts written: an undo alone has only its own */
	if (g.versioned || g.baseline)
		strvec_copy(&r->hazards, &fwd.hazards);
	for (size_t i = 0; i < g.undo_hazards.nr; i++)
		strvec_pushf(&r->hazards, "%s (in the undo migration)", g.undo_hazards.v[i]);
	ret = 0;
out:
	fw_ddl_script_release(&fwd);
	remove_dir(g.dir);
	free(g.dir);
	free(g.location);
	strvec_clear(&g.ids);
	strvec_clear(&g.undo_hazards);
	fw_side_release(&g.start_side);
	fw_side_state_release(&g.empty);
	strbuf_release(&g.version);
	strbuf_release(&g.version2);
	strbuf_release(&g.description);
	return ret;
}

static void generate_release(void *result)
{
	struct fw_generate_result *r = result;
	fw_artifact_release(&r->a);
	free(r->artifact_path);
	free(r->start);
	free(r->want);
	for (size_t i = 0; i < r->nr; i++) {
		free(r->files[i].name);
		free(r->files[i].path);
		free(r->files[i].conf);
		free(r->files[i].text);
	}
	free(r->files);
	strvec_clear(&r->hazards);
	if (r->linted)
		fw_lint_release(&r->lint);
}

const struct fw_op fw_op_generate = {
	.name = "generate",
	.result_size = sizeof(struct fw_generate_result),
	.run = generate_run,
	.release = generate_release,
};
