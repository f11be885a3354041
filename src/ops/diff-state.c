/* Reading the sides of a comparison (diff-state.h). */
#include "ops/diff-state.h"
#include "ops/drift.h"
#include "ops/scratch.h"
#include "schema/diff.h"
#include "schema/plan.h"
#include "schema/snapshot.h"
#include "sql/sqlsplit.h"
#include "util/xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SHOWN_FAILURES 10

/* ---- sides ---- */

int fw_side_parse(const char *key, const char *spec, struct fw_side *out, struct fw_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!spec || !*spec) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "%s is not set", key);
		fw_error_hint(err, "give an environment's name, migrations, schemaModel, snapshot:FILE or empty "
			      "(-%s=...)", key);
		return -1;
	}
	out->spec = xstrdup(spec);
	if (!strcmp(spec, "empty")) {
		out->kind = FW_SIDE_EMPTY;
	} else if (!strcmp(spec, "migrations")) {
		out->kind = FW_SIDE_MIGRATIONS;
	} else if (!strcmp(spec, "schemaModel")) {
		out->kind = FW_SIDE_SCHEMA_MODEL;
	} else if (!strncmp(spec, "snapshot:", 9) && spec[9]) {
		out->kind = FW_SIDE_SNAPSHOT;
		out->arg = xstrdup(spec + 9);
	} else if (!strncmp(spec, "snapshotHistory:", 16)) {
		fw_errorf_exit(err, FW_EXIT_NOT_IMPLEMENTED, "ERROR", "%s=%s: fleetway keeps no snapshot history table",
			       key, spec);
		fw_error_hint(err, "save snapshots as files (snapshot -snapshot.filename=FILE) and compare snapshot:FILE");
		fw_side_release(out);
		return -1;
	} else {
		out->kind = FW_SIDE_ENVIRONMENT;
		out->arg = xstrdup(!strncmp(spec, "env:", 4) ? spec + 4 : spec);
	}
	return 0;
}

void fw_side_release(struct fw_side *s)
{
	free(s->spec);
	free(s->arg);
	memset(s, 0, sizeof(*s));
}

void fw_side_state_release(struct fw_side_state *s)
{
	fw_model_release(&s->model);
	fw_renames_release(&s->renames);
	strvec_clear(&s->with_rows);
	memset(s, 0, sizeof(*s));
}

/* ---- connections ---- */

static int conn_open(struct fw_compare *c, struct fw_conn *k, const char *env, struct fw_error *err)
{
	memset(k, 0, sizeof(*k));
	if (!env || (c->cfg->environment && !strcmp(env, c->cfg->environment))) {
		k->use = c->cfg;
	} else {
		if (fw_config_resolve(c->cfg->settings, env, &k->cfg, err) < 0)
			return -1;
		k->use = &k->cfg;
		for (size_t i = 0; i < k->cfg.warnings.nr; i++)
			fw_emit_warn(c->obs, "%s", k->cfg.warnings.v[i]);
	}
	if (!k->use->url || !*k->use->url) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "environment '%s' has no url",
			       env ? env : k->use->environment ? k->use->environment : "default");
		fw_error_hint(err, "set url in [environments.%s], or name another environment",
			      env ? env : k->use->environment ? k->use->environment : "default");
		if (k->use == &k->cfg)
			fw_config_release(&k->cfg);
		k->use = NULL;
		return -1;
	}
	fw_session_init(&k->session, k->use, c->obs, env);
	if (fw_session_connect(&k->session, err) < 0) {
		if (k->use == &k->cfg)
			fw_config_release(&k->cfg);
		k->use = NULL;
		return -1;
	}
	k->open = 1;
	return 0;
}

static void conn_close(struct fw_conn *k)
{
	if (k->open)
		fw_session_close(&k->session);
	if (k->use == &k->cfg)
		fw_config_release(&k->cfg);
	memset(k, 0, sizeof(*k));
}

static char *absolute(const struct fw_config *cfg, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	if (path[0] != '/' && cfg->working_directory)
		strbuf_addf(&sb, "%s/", cfg->working_directory);
	strbuf_addstr(&sb, path);
	return strbuf_detach(&sb, NULL);
}

void fw_compare_init(struct fw_compare *c, struct fw_config *cfg, const struct fw_observer *obs,
		     const char *fallback_env)
{
	const char *loc = fw_config_setting(cfg, "schemaModelLocation");
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->obs = obs;
	c->model_location = absolute(cfg, loc && *loc ? loc : "schema-model");
	c->model_shown = xstrdup(loc && *loc ? loc : "schema-model");
	if (fallback_env)
		c->build_env = xstrdup(fallback_env);
}

void fw_compare_close(struct fw_compare *c)
{
	conn_close(&c->build);
	free(c->model_location);
	free(c->model_shown);
	free(c->build_env);
	free(c->build_version);
	strvec_clear(&c->build_cherry_pick);
	memset(c, 0, sizeof(*c));
}

int fw_compare_build(struct fw_compare *c, struct fw_target **out, struct fw_error *err)
{
	if (!c->build.open && conn_open(c, &c->build, c->build_env, err) < 0) {
		fw_error_prefix(err, "the build environment%s%s", c->build_env ? " " : "",
				c->build_env ? c->build_env : "");
		return -1;
	}
	*out = &c->build.session.target;
	return 0;
}

/* ---- rows ---- */

/* tables asked about in one statement: few round trips for a large schema,
 * a statement of bounded size */
#define ROWS_PER_QUERY 200

/* one branch of the UNION: the table's name if it holds a row (EXISTS stops
 * at the first row: exact, and cheap however large the table) */
static void add_row_probe(struct db *db, const char *in, const char *table, struct strbuf *sql)
{
	if (sql->len)
		strbuf_addstr(sql, " UNION ALL ");
	strbuf_addstr(sql, "SELECT ");
	db_quote_literal(db, table, sql);
	/* a FROM all three dialects take (MySQL wants one before WHERE) */
	strbuf_addstr(sql, " FROM (SELECT 1 AS one) fleetway_one WHERE EXISTS (SELECT 1 FROM ");
	db_qualify(db, in, table, sql);
	strbuf_addch(sql, ')');
}

static int run_row_probes(struct db *db, struct strbuf *sql, struct strvec *out, struct fw_error *err)
{
	struct db_result *res = NULL;
	int ret;
	if (!sql->len)
		return 0;
	ret = db_query(db, sql->buf, 0, NULL, &res, err);
	for (int i = 0; ret == 0 && i < res->nrows; i++)
		strvec_push(out, db_value(res, i, 0));
	db_result_free(res);
	strbuf_reset(sql);
	return ret;
}

/* the tables of s that hold rows, asked of db where they live in schema `in` */
static int tables_with_rows(struct db *db, const char *in, const struct fw_schema *s, struct strvec *out,
			    struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct strvec held = STRVEC_INIT;
	int asked = 0, ret = 0;
	for (size_t i = 0; ret == 0 && i < s->nobjects; i++) {
		if (s->objects[i].type != FW_OBJ_TABLE)
			continue;
		add_row_probe(db, in, s->objects[i].name, &sql);
		if (++asked % ROWS_PER_QUERY == 0)
			ret = run_row_probes(db, &sql, &held, err);
	}
	if (ret == 0)
		ret = run_row_probes(db, &sql, &held, err);
	/* in the schema's order, whatever order the UNION came back in */
	for (size_t i = 0; ret == 0 && i < s->nobjects; i++)
		if (s->objects[i].type == FW_OBJ_TABLE && strvec_contains(&held, s->objects[i].name))
			strvec_push(out, s->objects[i].name);
	strvec_clear(&held);
	strbuf_release(&sql);
	return ret;
}

/* ---- environments ---- */

static int read_environment(struct fw_compare *c, const char *env, struct fw_side_state *out, struct fw_error *err)
{
	struct fw_conn k;
	struct fw_target *t;
	int ret;
	if (conn_open(c, &k, env, err) < 0)
		return -1;
	t = &k.session.target;
	/* the model as drift reads a target; then which of its tables hold rows */
	ret = fw_live_model(t, &out->model, err);
	for (size_t i = 0; ret == 0 && i < out->model.nschemas; i++)
		ret = tables_with_rows(t->db, out->model.schemas[i].name, &out->model.schemas[i], &out->with_rows, err);
	if (ret == 0)
		fw_attrs_set(&out->model.meta, "source", "database");
	out->rows_known = 1;
	if (ret < 0)
		fw_error_prefix(err, "environment %s", env);
	conn_close(&k);
	return ret;
}

/* ---- migrations ---- */

static int read_migrations(struct fw_compare *c, struct fw_side_state *out, struct fw_error *err)
{
	struct fw_scratch sc;
	struct fw_target *t;
	int ret;
	if (fw_compare_build(c, &t, err) < 0 || fw_scratch_open(&sc, t, c->obs, err) < 0)
		return -1;
	if (c->build_version)
		sc.cfg.target = c->build_version;
	for (size_t i = 0; i < c->build_cherry_pick.nr; i++)
		strvec_push(&sc.cfg.cherry_pick, c->build_cherry_pick.v[i]);
	ret = fw_scratch_replay(&sc, t, 1, err);
	if (ret == 0)
		ret = fw_scratch_read(&sc, t, &out->model, err);
	for (size_t i = 0; ret == 0 && i < out->model.nschemas; i++)
		ret = tables_with_rows(sc.db, sc.default_schema ? sc.default_schema : out->model.schemas[i].name,
				       &out->model.schemas[i], &out->with_rows, err);
	/* The rows of a database the migrations built are the migrations' own:
	 * the tables they fill hold rows, but any other may hold rows where the
	 * migrations ran for real, so dropping it or a column of it stays a
	 * hazard ("if it holds rows"). */
	if (ret == 0)
		fw_attrs_set(&out->model.meta, "source", "migrations");
	fw_scratch_close(&sc);
	return ret;
}

/* ---- scratch databases built from statements ---- */

struct item {
	char *sql;
	char *origin;      /* "file:line" */
	int schema;        /* index into the built's schemas */
	char *error;       /* the last attempt's error */
};

struct items {
	struct item *v;
	size_t nr, alloc;
};

static void items_add(struct items *l, const char *sql, const char *origin, int schema)
{
	struct item *it;
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	it = &l->v[l->nr++];
	it->sql = xstrdup(sql);
	it->origin = xstrdup(origin);
	it->schema = schema;
	it->error = NULL;
}

static void items_release(struct items *l)
{
	for (size_t i = 0; i < l->nr; i++) {
		free(l->v[i].sql);
		free(l->v[i].origin);
		free(l->v[i].error);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static enum sql_dialect split_dialect(const struct fw_built *b)
{
	return b->origin->dialect;
}

/* the statements of text into l; origin names the text */
static int items_split(const struct fw_built *b, const char *text, size_t len, const char *origin, int schema,
		       struct items *l, struct fw_error *err)
{
	struct sqlsplit *sp = sqlsplit_new_mem(split_dialect(b), text, len, origin);
	struct sql_stmt st = SQL_STMT_INIT;
	int rc;
	while ((rc = sqlsplit_next(sp, &st, err)) > 0) {
		struct strbuf where = STRBUF_INIT;
		strbuf_addf(&where, "%s:%d", origin, st.line);
		items_add(l, st.sql.buf, where.buf, schema);
		strbuf_release(&where);
	}
	sql_stmt_release(&st);
	sqlsplit_free(sp);
	return rc < 0 ? -1 : 0;
}

/* Apply every statement, again and again while some succeed: the order of
 * files or objects need not follow their dependencies. What never succeeds
 * is an error listing each statement's place and the server's message. */
static int apply_items(struct fw_built *b, struct items *l, const char *what, struct fw_error *err)
{
	size_t left = l->nr;
	char *done = xcalloc(l->nr ? l->nr : 1, 1);
	int current = -1, progress = 1, ret = 0;
	while (left && progress) {
		progress = 0;
		for (size_t i = 0; i < l->nr; i++) {
			struct fw_error e = FW_ERROR_INIT;
			if (done[i])
				continue;
			if (l->v[i].schema != current) {
				if (db_set_default_schema(b->db, b->names.v[l->v[i].schema], err) < 0) {
					free(done);
					return -1;
				}
				current = l->v[i].schema;
			}
			if (db_exec(b->db, l->v[i].sql, &e) == 0) {
				done[i] = 1;
				left--;
				progress = 1;
			} else {
				free(l->v[i].error);
				l->v[i].error = xstrdup(e.message.buf);
			}
			fw_error_clear(&e);
		}
	}
	if (left) {
		size_t shown = 0;
		fw_errorf(err, "ERROR", "%zu statement%s of %s could not be applied to a scratch database", left,
			  left == 1 ? "" : "s", what);
		for (size_t i = 0; i < l->nr && shown < MAX_SHOWN_FAILURES; i++)
			if (!done[i]) {
				fw_error_detail(err, "%s%s: %s", shown++ ? "\n" : "", l->v[i].origin, l->v[i].error);
			}
		fw_error_hint(err, "each statement must run on %s as written (objects may come in any order)",
			      db_product(b->db));
		ret = -1;
	}
	free(done);
	return ret;
}

/* one schema a database: MySQL's scratch database, SQLite's main */
static int single_schema(struct db *scratch, struct fw_error *err, int *yes)
{
	char *name = NULL;
	if (db_database_name(scratch, &name, err) < 0)
		return -1;
	*yes = !name || !strcmp(name, db_scratch_schema(scratch));
	free(name);
	return 0;
}

/* a scratch with the schemas `as` (named inside it in b->names) */
static int built_open(struct fw_compare *c, const struct strvec *as, struct fw_built *b, struct fw_error *err)
{
	int single;
	memset(b, 0, sizeof(*b));
	if (fw_compare_build(c, &b->origin, err) < 0 ||
	    db_scratch_create(b->origin->db, b->origin->schema, &b->db, err) < 0)
		return -1;
	if (single_schema(b->db, err, &single) < 0)
		goto fail;
	if (single && as->nr > 1) {
		fw_errorf(err, "ERROR", "%zu schemas cannot be built in one scratch database on %s", as->nr,
			  db_product(b->db));
		fw_error_hint(err, "on %s a schema model holds one schema", db_product(b->db));
		goto fail;
	}
	for (size_t i = 0; i < as->nr; i++) {
		const char *inside = single ? db_scratch_schema(b->db) : as->v[i];
		int exists = 1;
		if (!single && (db_schema_exists(b->db, inside, &exists, err) < 0 ||
				(!exists && db_create_schema(b->db, inside, err) < 0)))
			goto fail;
		strvec_push(&b->names, inside);
		strvec_push(&b->as, as->v[i]);
	}
	return 0;
fail:
	fw_built_close(b, c->obs);
	return -1;
}

int fw_built_read(struct fw_built *b, const char *history_table, struct fw_model *out, struct fw_error *err)
{
	struct fw_schema_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.history_table = history_table;
	fw_model_init(out, db_dialect(b->db), db_product(b->db));
	for (size_t i = 0; i < b->names.nr; i++) {
		struct fw_schema s;
		opts.record_as = b->as.v[i];
		if (db_read_schema(b->db, b->names.v[i], &opts, &s, err) < 0) {
			fw_model_release(out);
			return -1;
		}
		fw_model_adopt_schema(out, &s);
	}
	return 0;
}

void fw_built_close(struct fw_built *b, const struct fw_observer *obs)
{
	struct fw_error e = FW_ERROR_INIT;
	if (b->db && db_scratch_drop(b->origin->db, b->db, &e) < 0 && obs)
		fw_emit_warn(obs, "the scratch database could not be dropped: %s", e.message.buf);
	fw_error_clear(&e);
	strvec_clear(&b->names);
	strvec_clear(&b->as);
	memset(b, 0, sizeof(*b));
}

static void schema_names(const struct fw_model *m, struct strvec *out)
{
	for (size_t i = 0; i < m->nschemas; i++)
		strvec_push(out, m->schemas[i].name);
}

int fw_built_empty(struct fw_compare *c, const struct fw_model *m, struct fw_built *out, struct fw_error *err)
{
	struct strvec names = STRVEC_INIT;
	int ret;
	schema_names(m, &names);
	ret = built_open(c, &names, out, err);
	strvec_clear(&names);
	return ret;
}

static int is_child(const struct fw_object *o)
{
	return o->parent != NULL;
}

int fw_built_from_model(struct fw_compare *c, const struct fw_model *m, struct fw_built *out,
			struct fw_error *err)
{
	struct items l = { 0 };
	struct fw_model back;
	struct fw_diff d = FW_DIFF_INIT;
	int ret = -1;
	if (fw_built_empty(c, m, out, err) < 0)
		return -1;
	for (size_t i = 0; i < m->nschemas; i++) {
		const struct fw_schema *s = &m->schemas[i];
		for (size_t k = 0; k < s->nobjects; k++) {
			struct strbuf text = STRBUF_INIT, where = STRBUF_INIT;
			int rc;
			if (is_child(&s->objects[k]))
				continue;
			fw_ddl_model_text(m->dialect, s, &s->objects[k], &text);
			strbuf_addf(&where, "%s %s.%s", fw_obj_type_name(s->objects[k].type), s->name,
				    s->objects[k].name);
			rc = items_split(out, text.buf, text.len, where.buf, (int)i, &l, err);
			strbuf_release(&text);
			strbuf_release(&where);
			if (rc < 0)
				goto out;
		}
	}
	if (apply_items(out, &l, "the start state", err) < 0 ||
	    fw_built_read(out, c->cfg->table, &back, err) < 0)
		goto out;
	fw_diff_models(m, &back, &d);
	if (!fw_diff_is_empty(&d)) {
		const struct fw_diff_list *lists[] = { &d.only_in_source, &d.only_in_target, &d.differences };
		fw_errorf(err, "ERROR", "the start state could not be rebuilt on a scratch database to prove the script");
		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < lists[k]->nr; i++)
				fw_error_detail(err, "%s %s.%s differs after rebuilding", fw_obj_type_name(lists[k]->v[i].type),
						lists[k]->v[i].schema, lists[k]->v[i].name);
		fw_error_hint(err, "compare against migrations (-diff.target=migrations), which replays them instead");
	} else {
		ret = 0;
	}
	fw_model_release(&back);
out:
	fw_diff_release(&d);
	items_release(&l);
	if (ret < 0)
		fw_built_close(out, c->obs);
	return ret;
}

/* ---- the schema-model folder ---- */

static const char *const type_folders[FW_OBJ_NTYPES] = {
	[FW_OBJ_EXTENSION] = "extensions", [FW_OBJ_TYPE] = "types", [FW_OBJ_DOMAIN] = "domains",
	[FW_OBJ_SEQUENCE] = "sequences", [FW_OBJ_TABLE] = "tables", [FW_OBJ_VIEW] = "views",
	[FW_OBJ_MATERIALIZED_VIEW] = "materialized-views", [FW_OBJ_INDEX] = "tables",
	[FW_OBJ_CONSTRAINT] = "tables", [FW_OBJ_FUNCTION] = "functions", [FW_OBJ_PROCEDURE] = "procedures",
	[FW_OBJ_AGGREGATE] = "aggregates", [FW_OBJ_TRIGGER] = "tables", [FW_OBJ_POLICY] = "tables",
	[FW_OBJ_EVENT] = "events",
};

/* a name as a file name: '/', '\', '%', control characters and a leading
 * '.' as %XX, all else as it is */
static void file_name(const char *name, struct strbuf *out)
{
	for (const char *p = name; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20 || ch == '/' || ch == '\\' || ch == '%' || ch == 0x7f || (p == name && ch == '.'))
			strbuf_addf(out, "%%%02X", ch);
		else
			strbuf_addch(out, *p);
	}
}

void fw_model_file(const char *schema, const struct fw_object *o, struct strbuf *out)
{
	file_name(schema, out);
	strbuf_addf(out, "/%s/", type_folders[o->type] ? type_folders[o->type] : "other");
	file_name(o->parent ? o->parent : o->name, out);
	strbuf_addstr(out, ".sql");
}

/* the order folders are applied in (any order works, this one needs the
 * fewest retries) */
static int folder_rank(const char *folder)
{
	static const char *const order[] = { "extensions", "types", "domains", "sequences", "functions",
					     "procedures", "aggregates", "tables", "views", "materialized-views",
					     "events", NULL };
	for (int i = 0; order[i]; i++)
		if (!strcmp(order[i], folder))
			return i;
	return 100;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the entries of a folder, sorted; dirs: only folders, else only *.sql files */
static int list_dir(const char *dir, int dirs, struct strvec *out, struct fw_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return fw_errorf(err, "ERROR", "unable to read folder %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		struct strbuf path = STRBUF_INIT;
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		strbuf_addf(&path, "%s/%s", dir, e->d_name);
		if (dirs ? is_dir(path.buf) : (!is_dir(path.buf) && n > 4 && !strcmp(e->d_name + n - 4, ".sql")))
			strvec_push(out, e->d_name);
		strbuf_release(&path);
	}
	closedir(d);
	if (out->nr > 1)
		qsort(out->v, out->nr, sizeof(char *), by_name);
	return 0;
}

static char *join_path(const char *a, const char *b, const char *c)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s/%s", a, b);
	if (c)
		strbuf_addf(&sb, "/%s", c);
	return strbuf_detach(&sb, NULL);
}

struct folder_file {
	char *rel;     /* relative to the model folder */
	int rank;
};

static int file_cmp(const void *a, const void *b)
{
	const struct folder_file *x = a, *y = b;
	return x->rank != y->rank ? (x->rank < y->rank ? -1 : 1) : strcmp(x->rel, y->rel);
}

/* every .sql file under <location>/<schema>, in folder order */
static int schema_files(const char *location, const char *schema, struct folder_file **files, size_t *nr,
			struct fw_error *err)
{
	struct strbuf dir = STRBUF_INIT;
	struct strvec sub = STRVEC_INIT, top = STRVEC_INIT;
	size_t alloc = 0;
	int ret = 0;
	*files = NULL;
	*nr = 0;
	strbuf_addf(&dir, "%s/%s", location, schema);
	if (!is_dir(dir.buf))
		goto out;   /* an empty model: no folder for the schema yet */
	if (list_dir(dir.buf, 0, &top, err) < 0 || list_dir(dir.buf, 1, &sub, err) < 0) {
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < top.nr; i++) {
		ALLOC_GROW(*files, *nr + 1, alloc);
		(*files)[*nr].rank = 50;
		(*files)[(*nr)++].rel = join_path(schema, top.v[i], NULL);
	}
	for (size_t i = 0; i < sub.nr && !ret; i++) {
		struct strvec in = STRVEC_INIT;
		struct strbuf d = STRBUF_INIT;
		strbuf_addf(&d, "%s/%s", dir.buf, sub.v[i]);
		ret = list_dir(d.buf, 0, &in, err);
		for (size_t k = 0; k < in.nr; k++) {
			ALLOC_GROW(*files, *nr + 1, alloc);
			(*files)[*nr].rank = folder_rank(sub.v[i]);
			(*files)[(*nr)++].rel = join_path(schema, sub.v[i], in.v[k]);
		}
		strvec_clear(&in);
		strbuf_release(&d);
	}
	if (*nr > 1)
		qsort(*files, *nr, sizeof(**files), file_cmp);
out:
	strbuf_release(&dir);
	strvec_clear(&sub);
	strvec_clear(&top);
	return ret;
}

static int model_statements(struct fw_compare *c, struct fw_built *b, const struct strvec *schemas,
			    struct items *l, struct fw_renames *renames, struct fw_error *err)
{
	for (size_t s = 0; s < schemas->nr; s++) {
		struct folder_file *files;
		size_t nr;
		int ret = schema_files(c->model_location, schemas->v[s], &files, &nr, err);
		for (size_t i = 0; i < nr; i++) {
			struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, shown = STRBUF_INIT;
			strbuf_addf(&path, "%s/%s", c->model_location, files[i].rel);
			strbuf_addf(&shown, "%s/%s", c->model_shown, files[i].rel);
			if (!ret && strbuf_read_file(&text, path.buf) < 0)
				ret = fw_errorf(err, "ERROR", "unable to read %s: %s", path.buf, strerror(errno));
			if (!ret)
				ret = fw_renames_scan(text.buf, text.len, db_dialect(b->db), schemas->v[s], shown.buf,
						      renames, err);
			if (!ret)
				ret = items_split(b, text.buf, text.len, shown.buf, (int)s, l, err);
			strbuf_release(&path);
			strbuf_release(&text);
			strbuf_release(&shown);
			free(files[i].rel);
		}
		free(files);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static int read_schema_model(struct fw_compare *c, struct fw_side_state *out, struct fw_error *err)
{
	struct strvec schemas = STRVEC_INIT;
	struct items l = { 0 };
	struct fw_built b;
	struct fw_target *t;
	int ret = -1;
	if (!is_dir(c->model_location) && !c->model_may_be_missing) {
		fw_errorf(err, "ERROR", "no schema model folder at %s", c->model_location);
		fw_error_hint(err, "fleetway init makes it; `fleetway diff model -diff.source=ENV -diff.target=schemaModel` "
			      "fills it from a database (schemaModelLocation names another folder)");
		return -1;
	}
	if ((is_dir(c->model_location) && list_dir(c->model_location, 1, &schemas, err) < 0) ||
	    fw_compare_build(c, &t, err) < 0)
		goto out;
	if (!schemas.nr)   /* an empty model: the build environment's schemas, with nothing in them */
		for (size_t i = 0; i < t->schemas.nr; i++)
			strvec_push(&schemas, t->schemas.v[i]);
	if (built_open(c, &schemas, &b, err) < 0)
		goto out;
	if (model_statements(c, &b, &schemas, &l, &out->renames, err) == 0 &&
	    apply_items(&b, &l, "the schema model", err) == 0 &&
	    fw_built_read(&b, c->cfg->table, &out->model, err) == 0) {
		fw_attrs_set(&out->model.meta, "source", "schemaModel");
		ret = 0;
	}
	fw_built_close(&b, c->obs);
out:
	items_release(&l);
	strvec_clear(&schemas);
	return ret;
}

/* ---- one side ---- */

int fw_side_read(struct fw_compare *c, const struct fw_side *side, const struct fw_side_state *like,
		  struct fw_side_state *out, struct fw_error *err)
{
	memset(out, 0, sizeof(*out));
	switch (side->kind) {
	case FW_SIDE_ENVIRONMENT:
		return read_environment(c, side->arg, out, err);
	case FW_SIDE_MIGRATIONS:
		return read_migrations(c, out, err);
	case FW_SIDE_SCHEMA_MODEL:
		return read_schema_model(c, out, err);
	case FW_SIDE_SNAPSHOT: {
		char *path = absolute(c->cfg, side->arg);
		int ret = fw_snapshot_load(path, &out->model, err);
		free(path);
		return ret;
	}
	case FW_SIDE_EMPTY: {
		struct strvec names = STRVEC_INIT;
		const char *dialect = like ? like->model.dialect : NULL;
		struct fw_target *t = NULL;
		if (like) {
			schema_names(&like->model, &names);
		} else if (fw_compare_build(c, &t, err) < 0) {
			return -1;
		} else {
			dialect = db_dialect(t->db);
			for (size_t i = 0; i < t->schemas.nr; i++)
				strvec_push(&names, t->schemas.v[i]);
		}
		fw_snapshot_empty(&out->model, dialect, (const char *const *)names.v);
		strvec_clear(&names);
		out->rows_known = 1;   /* nothing holds rows */
		return 0;
	}
	}
	return fw_errorf(err, "ERROR", "unknown comparison side");
}
