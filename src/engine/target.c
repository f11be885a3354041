#include "engine/target.h"
#include "util/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

long fw_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

long fw_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void fw_format_duration(long ms, struct strbuf *out)
{
	strbuf_addf(out, "%02ld:%02ld.%03lds", ms / 60000, (ms / 1000) % 60, ms % 1000);
}

static enum sql_dialect dialect_of(enum db_kind k)
{
	switch (k) {
	case DB_POSTGRES: return SQL_DIALECT_POSTGRES;
	case DB_MYSQL: return SQL_DIALECT_MYSQL;
	default: return SQL_DIALECT_SQLITE;
	}
}

static int open_db(struct fw_target *t, struct fw_error *err)
{
	const struct fw_config *c = t->cfg;
	struct db_params p;
	memset(&p, 0, sizeof(p));
	if (!c->url || !*c->url) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
			       "Unable to connect to the database. Configure the url, user and password!");
		if (t->name && strcmp(t->name, "default"))
			fw_error_detail(err, "environment '%s' has no url", t->name);
		fw_error_hint(err, "set url in [environments.%s] of flyway.toml, FLYWAY_URL, or -url=jdbc:sqlite:app.db",
			      t->name ? t->name : "default");
		return -1;
	}
	p.url = c->url;
	p.user = c->user;
	p.password = c->password;
	p.prop_keys = (const char *const *)c->jdbc_properties.keys.v;
	p.prop_values = (const char *const *)c->jdbc_properties.values.v;
	p.nprops = c->jdbc_properties.keys.nr;
	p.connect_retries = c->connect_retries;
	p.connect_retries_interval = c->connect_retries_interval;
	p.lock_retry_count = c->lock_retry_count;
	p.init_sql = c->init_sql;
	p.target_name = t->name;
	p.stand_in_if_missing = t->stand_in_if_missing;
	return db_open(&p, &t->db, err);
}

/* defaultSchema, else the first of schemas, else NULL (the connection's) */
static char *configured_schema(const struct fw_config *c)
{
	if (c->default_schema && *c->default_schema)
		return xstrdup(c->default_schema);
	return c->schemas.nr ? xstrdup(c->schemas.v[0]) : NULL;
}

static int pick_schemas(struct fw_target *t, struct fw_error *err)
{
	const struct fw_config *c = t->cfg;
	char *cur = NULL;
	t->schema = configured_schema(c);
	if (!t->schema) {
		if (db_current_schema(t->db, &cur, err) < 0)
			return -1;
		if (!cur) {
			fw_errorf(err, "CONFIGURATION",
				  "Unable to determine schema for the schema history table. Set a default schema for the connection or specify one using the 'defaultSchema' property");
			return -1;
		}
		t->schema = cur;
	}
	strvec_push(&t->schemas, t->schema);
	for (size_t i = 0; i < c->schemas.nr; i++)
		if (!strvec_contains(&t->schemas, c->schemas.v[i]))
			strvec_push(&t->schemas, c->schemas.v[i]);
	return 0;
}

static int build_placeholders(struct fw_target *t, struct fw_error *err)
{
	const struct fw_config *c = t->cfg;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	const char *sep = c->placeholder_separator ? c->placeholder_separator : ":";
	fw_placeholders_init(&t->ph, c->placeholder_prefix ? c->placeholder_prefix : "${",
			     c->placeholder_suffix ? c->placeholder_suffix : "}");
	t->ph.separator = sep;
	for (size_t i = 0; i < c->placeholders.keys.nr; i++) {
		const char *k = c->placeholders.keys.v[i];
		if (fw_placeholders_is_builtin(&t->ph, k, strlen(k)))
			return fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION",
					      "Invalid placeholder ('flyway%s' prefix is reserved): %s", sep, k);
		fw_placeholders_set(&t->ph, k, c->placeholders.values.v[i]);
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fw_placeholders_set_builtin(&t->ph, "defaultSchema", t->schema);
	fw_placeholders_set_builtin(&t->ph, "user", t->db_user);
	fw_placeholders_set_builtin(&t->ph, "database", t->database);
	fw_placeholders_set_builtin(&t->ph, "timestamp", stamp);
	fw_placeholders_set_builtin(&t->ph, "workingDirectory", c->working_directory);
	fw_placeholders_set_builtin(&t->ph, "table", c->table);
	fw_placeholders_set_builtin(&t->ph, "environment", c->environment);
	fw_placeholders_set_builtin(&t->ph, "filename", "");
	return 0;
}

/* everything of a target but the connection, which t->db already is */
static int attach(struct fw_target *t, struct fw_config *cfg, const struct fw_observer *obs,
		  struct fw_error *err)
{
	char *schema = configured_schema(cfg);
	int looked;
	t->dialect = dialect_of(db_kind(t->db));
	/* one round trip answers what pick_schemas, db_current_user and the
	 * history's first probe ask next */
	looked = db_prefetch(t->db, schema, cfg->table, err);
	free(schema);
	if (looked < 0 || pick_schemas(t, err) < 0 || db_current_user(t->db, &t->db_user, err) < 0 ||
	    db_database_name(t->db, &t->database, err) < 0 ||
	    db_set_default_schema(t->db, t->schema, err) < 0)
		return -1;
	t->installed_by = xstrdup(cfg->installed_by && *cfg->installed_by ? cfg->installed_by
									 : (t->db_user ? t->db_user : ""));
	if (build_placeholders(t, err) < 0)
		return -1;
	fw_history_init(&t->hist, t->db, t->schema, cfg->table);
	fw_emit_debug(obs, "default schema %s, history table %s", t->schema, t->hist.qualified);
	return fw_target_scan(t, err);
}

static void reset(struct fw_target *t, struct fw_config *cfg, const struct fw_observer *obs)
{
	const char *name = t->name;
	volatile int *cancel = t->cancel;
	int stand_in = t->stand_in_if_missing;
	struct fw_scan_cache *cache = t->scan_cache;
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->cancel = cancel;
	t->stand_in_if_missing = stand_in;
	t->scan_cache = cache;
	t->cfg = cfg;
	t->obs = obs;
}

int fw_target_connect(struct fw_target *t, struct fw_config *cfg, const struct fw_observer *obs,
		      struct fw_error *err)
{
	reset(t, cfg, obs);
	if (open_db(t, err) < 0)
		return -1;
	{
		struct fw_event ev = { .kind = FW_EV_CONNECTED, .text = db_display_url(t->db),
				       .name = db_product(t->db) };
		fw_emit(obs, &ev);
	}
	return attach(t, cfg, obs, err);
}

int fw_target_attach(struct fw_target *t, struct db *db, struct fw_config *cfg, const struct fw_observer *obs,
		     struct fw_error *err)
{
	reset(t, cfg, obs);
	t->db = db;
	t->borrowed_db = 1;
	return attach(t, cfg, obs, err);
}

int fw_target_offline(struct fw_target *t, struct fw_config *cfg, const struct fw_observer *obs,
		      enum sql_dialect dialect, struct fw_error *err)
{
	const char *name = t->name;
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->cfg = cfg;
	t->obs = obs;
	t->dialect = dialect;
	t->schema = configured_schema(cfg);
	if (build_placeholders(t, err) < 0)
		return -1;
	return fw_target_scan(t, err);
}

/* Files with an SQL suffix whose names are not migrations (reference 1.3).
 * Flyway checks them before every command; a target is scanned once per run,
 * so the warning comes once however many commands are chained. It is a
 * warning, not an info line: -q must not hide files that silently do not run. */
static int check_names(struct fw_target *t, struct fw_error *err)
{
	const struct strvec *bad = &t->scan.invalid_names;
	if (!bad->nr)
		return 0;
	if (!t->cfg->validate_migration_naming) {
		fw_emit_warn(t->obs, "%zu SQL migrations were detected but not run because they did not follow the filename convention.\n"
			     "Set 'validateMigrationNaming' to true to fail fast and see a list of the invalid file names.",
			     bad->nr);
		return 0;
	}
	fw_errorf(err, "ERROR", "Invalid SQL filenames found:");
	for (size_t i = 0; i < bad->nr; i++)
		strbuf_addf(&err->message, "\n%s", bad->v[i]);
	fw_error_hint(err, "rename the files to V<version>__<description>.sql, R__<description>.sql or a callback name");
	return -1;
}

int fw_target_scan(struct fw_target *t, struct fw_error *err)
{
	struct fw_scan_opts o = { t->cfg, &t->ph, t->obs };
	if (t->scanned)
		return 0;
	if ((t->scan_cache ? fw_scan_cached(t->scan_cache, &o, &t->scan, err) : fw_scan_run(&o, &t->scan, err)) < 0)
		return -1;
	t->scanned = 1;
	return check_names(t, err);
}

int fw_target_load_history(struct fw_target *t, struct fw_error *err)
{
	if (t->hist.current && t->hist.exists)
		return 0;
	if (fw_history_probe(&t->hist, err) < 0)
		return -1;
	if (!t->hist.exists)
		return 0;
	return fw_history_load(&t->hist, err);
}

int fw_target_schema_exists(struct fw_target *t, const char *schema, int *exists,
			    struct fw_error *err)
{
	if (t->hist.current && t->hist.exists && !strcmp(schema, t->hist.schema)) {
		*exists = 1;
		return 0;
	}
	return db_schema_exists(t->db, schema, exists, err);
}

int fw_target_plan(struct fw_target *t, struct fw_plan *plan, struct fw_error *err)
{
	struct fw_target_spec spec;
	struct fw_plan_opts o;
	int ret;
	if (fw_target_parse(t->cfg->target, &spec, err) < 0)
		return -1;
	o.target = &spec;
	o.out_of_order = t->cfg->out_of_order;
	ret = fw_plan_build(&t->scan, &t->hist, &o, plan, err);
	fw_target_release(&spec);
	return ret;
}

int fw_target_lock(struct fw_target *t, struct fw_error *err)
{
	if (t->locked)
		return 0;
	if (db_lock(t->db, t->schema, t->cfg->table, t->cfg->lock_retry_count, err) < 0)
		return -1;
	t->locked = 1;
	fw_history_recheck(&t->hist);  /* others may have written before we held the lock */
	/* and may have created the schema or the history table: one round trip
	 * answers both again (instead of one each) */
	return db_prefetch(t->db, t->schema, t->cfg->table, err);
}

int fw_target_unlock(struct fw_target *t, struct fw_error *err)
{
	struct fw_error e = FW_ERROR_INIT;
	if (!t->locked)
		return 0;
	t->locked = 0;
	if (db_unlock(t->db, &e) == 0)
		return 0;
	if (!err) {
		fw_emit_warn(t->obs, "unable to release the migration lock: %s", e.message.buf);
		fw_error_clear(&e);
		return -1;
	}
	/* A lock left held would stall every later run until this connection
	 * ends: an error, so that the run stops and closes it, which releases
	 * the lock on the server (PostgreSQL and MySQL session locks, SQLite's
	 * file lock). What was done before is committed. */
	fw_error_move(err, &e);
	fw_error_prefix(err, "unable to release the migration lock");
	fw_error_hint(err, "what ran before is committed and recorded in the schema history; the lock goes when the connection closes, which this run does now; check with `fleetway info`");
	return -1;
}

void fw_target_close(struct fw_target *t)
{
	fw_target_unlock(t, NULL);
	fw_history_release(&t->hist);
	if (t->scanned)
		fw_scan_release(&t->scan);
	fw_placeholders_release(&t->ph);
	if (t->db && !t->borrowed_db)
		db_close(t->db);
	free(t->schema);
	free(t->db_user);
	free(t->installed_by);
	free(t->database);
	strvec_clear(&t->schemas);
	strvec_clear(&t->shown);
	t->db = NULL;
	t->scanned = 0;
}

const char *fw_target_shown(struct fw_target *t, const char *name)
{
	struct strbuf q = STRBUF_INIT;
	for (size_t i = 0; i + 1 < t->shown.nr; i += 2)
		if (!strcmp(t->shown.v[i], name))
			return t->shown.v[i + 1];
	if (t->db)
		db_quote_ident(t->db, name, &q);
	else
		strbuf_addf(&q, "\"%s\"", name);
	strvec_push(&t->shown, name);
	strvec_push_nodup(&t->shown, strbuf_detach(&q, NULL));
	return t->shown.v[t->shown.nr - 1];
}
