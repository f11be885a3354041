/* check -drift and the expected states it compares with (see drift.h) */
#include "ops/drift.h"
#include "config/toml.h"
#include "engine/target.h"
#include "ops/scratch.h"
#include "schema/snapshot.h"
#include "util/sha256.h"
#include "util/xalloc.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct fw_diff_words fw_drift_words = { "missing from the target", "only in the target", "differs", 0 };
const struct fw_diff_words fw_changes_words = { "dropped", "added", "changed", 1 };

static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

/* ---------------------------------------------------------------- settings */

static const char *setting(const struct fw_target *t, const char *key)
{
	const char *v = fw_config_setting(t->cfg, key);
	return v && *v ? v : NULL;
}

const char *fw_snapshot_setting(const struct fw_config *cfg, const char *key)
{
	const char *v = fw_config_setting(cfg, key);
	if (v && !strncmp(v, "filesystem:", 11))
		v += 11;
	return v && *v ? v : NULL;
}

char *fw_setting_path(const struct fw_config *cfg, const char *key)
{
	const char *v = fw_snapshot_setting(cfg, key);
	struct strbuf sb = STRBUF_INIT;
	if (!v)
		return NULL;
	if (*v != '/' && cfg->working_directory && *cfg->working_directory)
		strbuf_addf(&sb, "%s/", cfg->working_directory);
	strbuf_addstr(&sb, v);
	return strbuf_detach(&sb, NULL);
}

static int not_implemented(struct fw_error *err, const char *what, const char *hint)
{
	fw_errorf_exit(err, FW_EXIT_NOT_IMPLEMENTED, "ERROR", "%s is not implemented in fleetway %s", what, FW_VERSION);
	fw_error_hint(err, "nothing was changed; %s", hint);
	return -1;
}

static int needs_url(struct fw_error *err, const char *what)
{
	fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "%s", what);
	fw_error_hint(err, "set url (-url=..., FLYWAY_URL or [environments.NAME] url)");
	return -1;
}

int fw_drift_precheck(const struct fw_config *cfg, int drift, int changes, struct fw_error *err)
{
	const char *v, *deployed = fw_snapshot_setting(cfg, "check.deployedSnapshot");
	int no_url = !cfg->url || !*cfg->url;
	if (!drift && !changes)
		return 0;
	if (deployed && !strncmp(deployed, "snapshotHistory:", 16))
		return not_implemented(err, "a deployed snapshot kept in the database (snapshotHistory:)",
				       "give a snapshot file (fleetway snapshot -snapshot.filename=FILE), or none: the applied migrations are replayed");
	if ((v = fw_config_setting(cfg, "check.buildUrl")) && *v)
		return not_implemented(err, "check.buildUrl",
				       "name an environment with check.buildEnvironment, or leave both unset for an automatic scratch database");
	if (changes && (v = fw_config_setting(cfg, "check.changesSource")) && *v && strcasecmp(v, "schemaModel") &&
	    strcasecmp(v, "migrations")) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.changesSource: unknown source '%s'", v);
		fw_error_hint(err, "check.changesSource is migrations (the pending migrations, the default) or schemaModel");
		return -1;
	}
	if (changes && fw_snapshot_setting(cfg, "check.nextSnapshot") && !deployed) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.nextSnapshot needs check.deployedSnapshot (the state before)");
		fw_error_hint(err, "give both snapshots, or neither: the pending migrations are then applied on a scratch database");
		return -1;
	}
	if (drift && no_url)
		return needs_url(err, "check -drift needs a database to look at");
	if (changes && no_url && !fw_snapshot_setting(cfg, "check.nextSnapshot"))
		return needs_url(err, "check -changes needs a database to build on, or check.deployedSnapshot and check.nextSnapshot");
	return 0;
}

void fw_expected_applied(const struct fw_target *t, struct strvec *names, struct strvec *unreplayable)
{
	fw_config_setting_list(t->cfg, "check.appliedMigrations", names);
	if (!names->nr)
		fw_scratch_applied(t, names, unreplayable);
}

int fw_expected_open(struct fw_target *t, const char *build, struct fw_scratch *s, struct fw_error *err)
{
	if (build && *build)
		return fw_scratch_open_build(s, t, build, t->obs, err);
	return fw_scratch_open(s, t, t->obs, err);
}

/* ---------------------------------------------------------------- the live side */

int fw_live_model(struct fw_target *t, struct fw_model *out, struct fw_error *err)
{
	struct fw_schema_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.history_table = t->cfg->table;
	fw_model_init(out, db_dialect(t->db), db_product(t->db));
	for (size_t i = 0; i < t->schemas.nr; i++) {
		struct fw_schema read;
		int exists = 0;
		if (fw_target_schema_exists(t, t->schemas.v[i], &exists, err) < 0)
			goto fail;
		if (!exists) {
			/* a managed schema dropped by hand: all it should hold is missing */
			fw_schema_finish(fw_model_add_schema(out, t->schemas.v[i]));
			continue;
		}
		if (db_read_schema(t->db, t->schemas.v[i], &opts, &read, err) < 0)
			goto fail;
		fw_model_adopt_schema(out, &read);
	}
	return 0;
fail:
	fw_model_release(out);
	return -1;
}

void fw_state_diff(const struct fw_model *source, const struct fw_model *target, struct fw_diff *out)
{
	/* one schema each: compare whatever their names (a tenant's database
	 * against a state built in another, a snapshot of another database) */
	if (source->nschemas == 1 && target->nschemas == 1)
		fw_diff_schemas(&source->schemas[0], &target->schemas[0], out);
	else
		fw_diff_models(source, target, out);
}

/* ---------------------------------------------------------------- the cache */

struct cache_entry {
	struct fw_expected exp;
	int state;                    /* 0 building, 1 ready, -1 failed */
	struct fw_error err;
	struct cache_entry *next;
};

struct fw_expected_cache {
	pthread_mutex_t lock;
	pthread_cond_t built;
	pthread_mutex_t build_env;    /* a build environment serves one build at a time */
	struct cache_entry *entries;
	size_t builds;
};

struct fw_expected_cache *fw_expected_cache_new(void)
{
	struct fw_expected_cache *c = xcalloc(1, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->built, NULL);
	pthread_mutex_init(&c->build_env, NULL);
	return c;
}

static void expected_release(struct fw_expected *e)
{
	fw_model_release(&e->model);
	free(e->source);
	strvec_clear(&e->unreplayable);
}

void fw_expected_cache_free(struct fw_expected_cache *c)
{
	if (!c)
		return;
	while (c->entries) {
		struct cache_entry *e = c->entries;
		c->entries = e->next;
		expected_release(&e->exp);
		fw_error_clear(&e->err);
		free(e);
	}
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->built);
	pthread_mutex_destroy(&c->build_env);
	free(c);
}

size_t fw_expected_cache_builds(struct fw_expected_cache *c)
{
	size_t n;
	pthread_mutex_lock(&c->lock);
	n = c->builds;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static void error_copy(struct fw_error *dst, const struct fw_error *src)
{
	fw_errorf_exit(dst, src->exit_code, src->code ? src->code : "ERROR", "%s", src->message.buf);
	if (src->detail.len)
		fw_error_detail(dst, "%s", src->detail.buf);
	if (src->hint.len)
		fw_error_hint(dst, "%s", src->hint.buf);
}

static void hash_list(struct fw_sha256 *h, const char *what, const struct strvec *v)
{
	fw_sha256_field(h, what);
	for (size_t i = 0; i < v->nr; i++)
		fw_sha256_field(h, v->v[i]);
}

/* everything the replayed state depends on; a single schema's name is left
 * out (models compare whatever it is called: tenants' databases share) */
static void replay_key(const struct fw_target *t, const char *build, const struct strvec *names, char out[65])
{
	const struct fw_config *c = t->cfg;
	struct fw_sha256 h;
	char num[32];
	fw_sha256_init(&h);
	fw_sha256_field(&h, build ? build : "");
	fw_sha256_field(&h, db_product(t->db));
	fw_sha256_field(&h, c->table);
	if (t->schemas.nr > 1)
		hash_list(&h, "schemas", &t->schemas);
	hash_list(&h, "replay", names);
	hash_list(&h, "locations", &c->locations);
	hash_list(&h, "placeholders", &c->placeholders.keys);
	hash_list(&h, "values", &c->placeholders.values);
	fw_sha256_field(&h, c->placeholder_replacement ? "replace" : "keep");
	fw_sha256_field(&h, c->placeholder_prefix);
	fw_sha256_field(&h, c->placeholder_suffix);
	for (size_t i = 0; i < t->scan.nr_migrations; i++) {
		const struct fw_resolved *r = &t->scan.migrations[i];
		fw_sha256_field(&h, r->script);
		snprintf(num, sizeof(num), "%ld", (long)r->checksum);
		fw_sha256_field(&h, num);
	}
	fw_sha256_hex(&h, out);
}

static void snapshot_key(const char *path, char out[65])
{
	struct fw_sha256 h;
	fw_sha256_init(&h);
	fw_sha256_field(&h, "snapshot");
	fw_sha256_field(&h, path);
	fw_sha256_hex(&h, out);
}

static int load_snapshot(struct fw_target *t, const char *path, struct fw_expected *e, struct fw_error *err)
{
	const char *dialect;
	if (fw_snapshot_load(path, &e->model, err) < 0)
		return -1;
	dialect = db_dialect(t->db);
	if (e->model.dialect && strcmp(e->model.dialect, dialect)) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "the snapshot %s is of a %s database, the target is %s",
			       path, e->model.dialect, dialect);
		fw_error_hint(err, "take the deployed snapshot from a database of the target's kind");
		return -1;
	}
	e->kind = "snapshot";
	e->source = strf("the snapshot %s", path);
	return 0;
}

/* replay names into a scratch (or the build environment) and read it */
static int replay(struct fw_expected_cache *c, struct fw_target *t, const char *build, const struct strvec *names,
		  struct fw_expected *e, struct fw_error *err)
{
	struct fw_scratch s;
	int rc;
	if (build)
		pthread_mutex_lock(&c->build_env);
	fw_emit_debug(t->obs, "building the expected state (%zu migration%s) on %s", names->nr,
		      names->nr == 1 ? "" : "s", build ? build : "a scratch database");
	rc = fw_expected_open(t, build, &s, err);
	if (!rc) {
		rc = fw_scratch_replay_list(&s, names, err);
		if (!rc)
			rc = fw_scratch_read(&s, t, &e->model, err);
		e->applied = s.replayed;
		fw_scratch_close(&s);
	}
	if (build)
		pthread_mutex_unlock(&c->build_env);
	if (rc < 0)
		return -1;
	e->kind = build ? "buildEnvironment" : "scratch";
	e->source = build ? strf("the build environment '%s'", build) : xstrdup("a scratch database");
	return 0;
}

/* the entry for key: found (after waiting for its builder when wait), or
 * new and ours to build */
static struct cache_entry *claim(struct fw_expected_cache *c, const char *key, int wait, int *ours)
{
	struct cache_entry *e;
	pthread_mutex_lock(&c->lock);
	for (e = c->entries; e; e = e->next)
		if (!strcmp(e->exp.key, key))
			break;
	*ours = !e;
	if (e) {
		while (wait && e->state == 0)
			pthread_cond_wait(&c->built, &c->lock);
	} else {
		e = xcalloc(1, sizeof(*e));
		e->err = (struct fw_error)FW_ERROR_INIT;
		memcpy(e->exp.key, key, sizeof(e->exp.key));
		e->next = c->entries;
		c->entries = e;
	}
	pthread_mutex_unlock(&c->lock);
	return e;
}

static void publish(struct fw_expected_cache *c, struct cache_entry *e, int rc, struct fw_error *err)
{
	pthread_mutex_lock(&c->lock);
	if (rc < 0)
		error_copy(&e->err, err);
	e->state = rc < 0 ? -1 : 1;
	c->builds++;
	pthread_cond_broadcast(&c->built);
	pthread_mutex_unlock(&c->lock);
}

/* what t's expected state is made of: its key, and the snapshot or the
 * migrations to replay; 1 when there is nothing (no snapshot, nothing applied) */
struct plan {
	char *snapshot;
	const char *build;
	struct strvec names, unreplayable;
	char key[65];
};

static int plan_of(struct fw_target *t, int history_only, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->snapshot = history_only ? NULL : fw_setting_path(t->cfg, "check.deployedSnapshot");
	p->build = setting(t, "check.buildEnvironment");
	if (p->snapshot) {
		snapshot_key(p->snapshot, p->key);
		return 0;
	}
	if (history_only)
		fw_scratch_applied(t, &p->names, &p->unreplayable);
	else
		fw_expected_applied(t, &p->names, &p->unreplayable);
	if (!p->names.nr)
		return 1;
	replay_key(t, p->build, &p->names, p->key);
	return 0;
}

static void plan_release(struct plan *p)
{
	free(p->snapshot);
	strvec_clear(&p->names);
	strvec_clear(&p->unreplayable);
}

void fw_state_fingerprint(const struct fw_model *m, char out[65])
{
	struct fw_sha256 h;
	fw_sha256_init(&h);
	for (size_t i = 0; i < m->nschemas; i++)
		fw_sha256_field(&h, m->schemas[i].fingerprint);
	fw_sha256_hex(&h, out);
}

static void build(struct fw_expected_cache *c, struct fw_target *t, struct plan *p, struct cache_entry *e,
		  struct fw_error *err)
{
	int rc;
	strvec_copy(&e->exp.unreplayable, &p->unreplayable);
	rc = p->snapshot ? load_snapshot(t, p->snapshot, &e->exp, err) : replay(c, t, p->build, &p->names, &e->exp, err);
	if (!rc)
		fw_state_fingerprint(&e->exp.model, e->exp.fingerprint);
	publish(c, e, rc, err);
}

int fw_expected_get(struct fw_target *t, struct fw_expected_cache *c, const struct fw_expected **out,
		    struct fw_error *err)
{
	struct plan p;
	struct cache_entry *e;
	int ours;
	*out = NULL;
	if (plan_of(t, 0, &p) == 1) {
		plan_release(&p);
		return 1;
	}
	e = claim(c, p.key, 1, &ours);
	if (ours)
		build(c, t, &p, e, err);
	plan_release(&p);
	if (e->state < 0) {
		if (!ours)
			error_copy(err, &e->err);
		return -1;
	}
	*out = &e->exp;
	return 0;
}

static int baselined(const struct fw_target *t)
{
	for (size_t i = 0; i < t->hist.nr; i++)
		if (t->hist.rows[i].success && !strcmp(t->hist.rows[i].type, "BASELINE"))
			return 1;
	return 0;
}

int fw_expected_prepare(struct fw_target *t, struct fw_expected_cache *c, char key[65])
{
	struct plan p;
	struct cache_entry *e;
	int ours;
	if (plan_of(t, 1, &p) == 1) {
		plan_release(&p);
		key[0] = '\0';
		return 1;
	}
	memcpy(key, p.key, 65);
	if (baselined(t)) {
		/* what is below a baseline was not made by the migrations: such
		 * targets are compared with each other only */
		plan_release(&p);
		return 0;
	}
	e = claim(c, p.key, 0, &ours);
	if (ours) {
		struct fw_error err = FW_ERROR_INIT;
		build(c, t, &p, e, &err);
		fw_error_clear(&err);
	}
	plan_release(&p);
	return 0;
}

int fw_expected_lookup(struct fw_expected_cache *c, const char *key, const struct fw_expected **out,
		       struct fw_error *err)
{
	struct cache_entry *e;
	int rc = 1;
	*out = NULL;
	pthread_mutex_lock(&c->lock);
	for (e = c->entries; e; e = e->next)
		if (!strcmp(e->exp.key, key))
			break;
	if (e && e->state == 1) {
		*out = &e->exp;
		rc = 0;
	} else if (e && e->state < 0) {
		error_copy(err, &e->err);
		rc = -1;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* ---------------------------------------------------------------- drift */

static void warn(struct fw_target *t, struct fw_drift_result *res, char *msg)
{
	fw_emit_warn(t->obs, "%s", msg);
	strvec_push_nodup(&res->warnings, msg);
}


static size_t count_objects(const struct fw_model *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nschemas; i++)
		n += m->schemas[i].nobjects;
	return n;
}

int fw_drift_run(struct fw_target *t, struct fw_expected_cache *cache, struct fw_drift_result *res,
		 struct fw_error *err)
{
	struct fw_expected_cache *own = cache ? NULL : fw_expected_cache_new();
	const struct fw_expected *exp;
	struct fw_model live;
	int rc;
	res->ran = 1;
	rc = fw_expected_get(t, cache ? cache : own, &exp, err);
	if (rc < 0)
		goto out;
	if (rc == 1) {
		res->first_deployment = 1;
		res->source = xstrdup("nothing: no migration is applied yet");
		warn(t, res, strf("no migration is applied on %s yet and no deployed snapshot is given: nothing to compare it with (first deployment), drift passes",
				     t->name ? t->name : "the target"));
		rc = 0;
		goto out;
	}
	res->source = xstrdup(exp->source);
	res->kind = exp->kind;
	res->applied = exp->applied;
	strvec_copy(&res->unreplayable, &exp->unreplayable);
	if (exp->unreplayable.nr) {
		struct strbuf list = STRBUF_INIT;
		for (size_t i = 0; i < exp->unreplayable.nr; i++)
			strbuf_addf(&list, "%s%s", i ? ", " : "", exp->unreplayable.v[i]);
		warn(t, res, strf("applied migration%s %s %s no file: the expected state lacks what %s did",
				     exp->unreplayable.nr == 1 ? "" : "s", list.buf,
				     exp->unreplayable.nr == 1 ? "has" : "have", exp->unreplayable.nr == 1 ? "it" : "they"));
		strbuf_release(&list);
	}
	rc = fw_live_model(t, &live, err);
	if (rc < 0)
		goto out;
	res->objects = count_objects(&live);
	fw_state_diff(&exp->model, &live, &res->diff);
	fw_model_release(&live);
out:
	fw_expected_cache_free(own);
	return rc;
}

void fw_drift_result_release(struct fw_drift_result *res)
{
	free(res->source);
	strvec_clear(&res->unreplayable);
	strvec_clear(&res->warnings);
	fw_diff_release(&res->diff);
}

/* ---------------------------------------------------------------- text */

static int several_schemas(const struct fw_diff *d)
{
	const struct fw_diff_list *lists[3] = { &d->only_in_source, &d->only_in_target, &d->differences };
	const char *first = NULL;
	for (int l = 0; l < 3; l++)
		for (size_t i = 0; i < lists[l]->nr; i++) {
			const char *s = lists[l]->v[i].schema ? lists[l]->v[i].schema : "";
			if (!first)
				first = s;
			else if (strcmp(first, s))
				return 1;
		}
	return 0;
}

static void entry_line(const struct fw_diff_entry *e, const char *what, int as_change, int schema,
		       struct strvec *out)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec changed = STRVEC_INIT;
	const struct strvec *details = &e->details;
	if (as_change) {
		fw_diff_details_as_change(&e->details, &changed);
		details = &changed;
	}
	strbuf_addf(&sb, "%s %s", fw_obj_type_name(e->type), e->name);
	if (e->parent)
		strbuf_addf(&sb, " on %s", e->parent);
	if (schema && e->schema)
		strbuf_addf(&sb, " in schema %s", e->schema);
	strbuf_addf(&sb, ": %s", what);
	for (size_t i = 0; i < details->nr; i++)
		strbuf_addf(&sb, "%s%s", i ? "; " : " (", details->v[i]);
	if (details->nr)
		strbuf_addch(&sb, ')');
	strvec_push_nodup(out, strbuf_detach(&sb, NULL));
	strvec_clear(&changed);
}

void fw_diff_lines(const struct fw_diff *d, const struct fw_diff_words *w, struct strvec *out)
{
	int schema = several_schemas(d);
	for (size_t i = 0; i < d->only_in_source.nr; i++)
		entry_line(&d->only_in_source.v[i], w->only_in_source, w->details_as_change, schema, out);
	for (size_t i = 0; i < d->only_in_target.nr; i++)
		entry_line(&d->only_in_target.v[i], w->only_in_target, w->details_as_change, schema, out);
	for (size_t i = 0; i < d->differences.nr; i++)
		entry_line(&d->differences.v[i], w->differs, w->details_as_change, schema, out);
}
