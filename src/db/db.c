/* The thin wrappers of db.h: every call from the core reaches a driver
 * through here, so that defaults for optional operations, the connection
 * retry loop, secret-free messages and fault injection live in one place.
 *
 * Fault injection (for the end-to-end tests, which cannot make a real server
 * fail on cue): the environment variable
 *
 *     FLEETWAY_FAULT_INJECT="op:N[:text][,op:N[:text]...]"
 *
 * makes the Nth call (1-based, counted per connection) of the wrapper db_<op>
 * fail with an injected error instead of reaching the driver. With ":text",
 * only calls whose SQL contains that text are counted, e.g.
 * "batch_add:1:INSERT INTO" fails the first history insert sent through a
 * batch, "query:2:flyway_schema_history" the second query naming the table.
 * An op written with a trailing "+" ("batch_begin+:2") drops the connection
 * there: that call and every later one on the connection fail (SQLSTATE
 * 08006), as when the server goes away.
 * Ops: open (counts connection attempts within one db_open), exec, query,
 * begin, commit, rollback, batch_begin, batch_add, batch_end, lock, unlock,
 * create_schema, set_default_schema, create_history_table, clean_schema, drop_schema,
 * schema_exists, schema_is_empty, table_exists, current_schema, current_user,
 * database_name, read_schema, scratch_create, scratch_drop. The variable is read once per db_open; unset, it costs
 * nothing.
 *
 * The hook exists only in test builds: db.c compiled with -DFW_FAULT_INJECT
 * (the Makefile's build/<mode>/fleetway-faults and the unit tests). A release
 * ./fleetway has none of this code and ignores the variable. */
#include "db/db-internal.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* every driver, by kind */
static const struct db_ops *const drivers[] = {
	[DB_SQLITE] = &db_sqlite_ops,
	[DB_POSTGRES] = &db_pg_ops,
	[DB_MYSQL] = &db_mysql_ops,
};

void db_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- fault injection ---- */

static void free_faults(struct db_fault *f, int n)
{
	for (int i = 0; i < n; i++) {
		free(f[i].op);
		free(f[i].match);
	}
	free(f);
}

#ifdef FW_FAULT_INJECT
static struct db_fault *parse_faults(int *nr)
{
	const char *spec = getenv("FLEETWAY_FAULT_INJECT");
	struct strvec rules = STRVEC_INIT;
	struct db_fault *f = NULL;
	*nr = 0;
	if (!spec || !*spec)
		return NULL;
	strvec_split(&rules, spec, ',');
	f = xcalloc(rules.nr ? rules.nr : 1, sizeof(*f));
	for (size_t i = 0; i < rules.nr; i++) {
		char *rule = rules.v[i], *c1 = strchr(rule, ':'), *c2;
		if (!c1)
			continue;
		c2 = strchr(c1 + 1, ':');
		f[*nr].drop = c1 > rule && c1[-1] == '+';
		f[*nr].op = xstrndup(rule, (size_t)(c1 - rule) - (size_t)f[*nr].drop);
		f[*nr].nth = atoi(c1 + 1);
		f[*nr].match = c2 && c2[1] ? xstrdup(c2 + 1) : NULL;
		(*nr)++;
	}
	strvec_clear(&rules);
	return f;
}

/* 1 (after filling err) when this call of op is the one to fail; 2 when its
 * rule also drops the connection */
static int fault_hit(struct db_fault *f, int n, const char *op, const char *sql,
		     struct fw_error *err)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(f[i].op, op))
			continue;
		if (f[i].match && (!sql || !strstr(sql, f[i].match)))
			continue;
		if (++f[i].calls == f[i].nth) {
			if (f[i].drop) {
				fw_errorf(err, "ERROR", "injected fault: connection lost at db_%s call %d",
					  op, f[i].nth);
				strncpy(err->sqlstate, "08006", sizeof(err->sqlstate) - 1);
			} else {
				fw_errorf(err, "ERROR", "injected fault: db_%s call %d failed", op, f[i].nth);
			}
			fw_error_detail(err, "FLEETWAY_FAULT_INJECT is set in the environment");
			return f[i].drop ? 2 : 1;
		}
	}
	return 0;
}

static int fault(struct db *db, const char *op, const char *sql, struct fw_error *err)
{
	if (db->fault_dropped) {
		fw_errorf(err, "ERROR", "injected fault: db_%s on a lost connection", op);
		strncpy(err->sqlstate, "08006", sizeof(err->sqlstate) - 1);
		return 1;
	}
	if (!db->nfaults)
		return 0;
	switch (fault_hit(db->faults, db->nfaults, op, sql, err)) {
	case 2:
		db->fault_dropped = 1;
		return 1;
	case 1:
		return 1;
	default:
		return 0;
	}
}
#else
/* release build: no hook, nothing read from the environment */
static struct db_fault *parse_faults(int *nr)
{
	*nr = 0;
	return NULL;
}

static int fault_hit(struct db_fault *f, int n, const char *op, const char *sql,
		     struct fw_error *err)
{
	return 0;
}

static int fault(struct db *db, const char *op, const char *sql, struct fw_error *err)
{
	return 0;
}
#endif

/* ---- cancellation ---- */

/* every open connection, for db_cancel_all (Ctrl-C of a single-target run,
 * whose watcher thread does not know which connection is in use) */
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db *open_list;
static atomic_int all_cancelled;

static int interrupted(struct fw_error *err)
{
	return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
}

static void register_open(struct db *db)
{
	pthread_mutex_lock(&open_lock);
	db->next_open = open_list;
	open_list = db;
	if (atomic_load(&all_cancelled))
		atomic_store(&db->cancelled, 1);
	pthread_mutex_unlock(&open_lock);
}

static void unregister_open(struct db *db)
{
	pthread_mutex_lock(&open_lock);
	for (struct db **p = &open_list; *p; p = &(*p)->next_open)
		if (*p == db) {
			*p = db->next_open;
			break;
		}
	pthread_mutex_unlock(&open_lock);
}

void db_cancel_all(void)
{
	atomic_store(&all_cancelled, 1);
	pthread_mutex_lock(&open_lock);
	for (struct db *db = open_list; db; db = db->next_open)
		db_cancel(db);
	pthread_mutex_unlock(&open_lock);
}

/* A wrapper that starts new work: refused once the connection is cancelled
 * (so an interrupted run winds down instead of going on with the next
 * statement), else subject to fault injection. */
static int refuse(struct db *db, const char *op, const char *sql, struct fw_error *err)
{
	if (atomic_load(&db->cancelled)) {
		interrupted(err);
		return 1;
	}
	return fault(db, op, sql, err);
}

/* refuse() for a wrapper whose SQL may create or drop something: what
 * db_prefetch saw is stale from here on */
static int refuse_change(struct db *db, const char *op, const char *sql, struct fw_error *err)
{
	db->statements++;
	return refuse(db, op, sql, err);
}

/* drop what db_prefetch saw */
static void forget_seen(struct db *db)
{
	free(db->seen.current_schema);
	free(db->seen.schema);
	free(db->seen.table);
	memset(&db->seen, 0, sizeof(db->seen));
}

/* ---- opening ---- */

static int is_password_param(const char *k, size_t n)
{
	static const char *const keys[] = { "password", "pass", "pwd", "sslpassword" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == n && !strncasecmp(k, keys[i], n))
			return 1;
	return 0;
}

/* the URL with the password taken out ("user:pw@" -> "user@", password
 * parameters dropped), for "Database: <url>" lines */
static void url_without_password(const char *url, struct strbuf *out)
{
	const char *p = url, *auth = strstr(url, "://");
	if (auth) {
		const char *a = auth + 3, *aend = a + strcspn(a, "/?#"), *at = NULL;
		for (const char *c = a; c < aend; c++)
			if (*c == '@')
				at = c;
		if (at) {
			const char *colon = memchr(a, ':', (size_t)(at - a));
			if (colon) {
				strbuf_add(out, url, (size_t)(colon - url));
				p = at;
			}
		}
	}
	while (*p) {
		size_t n = strcspn(p, "?&;");
		strbuf_add(out, p, n);
		p += n;
		if (!*p)
			break;
		{
			const char *param = p + 1;
			size_t plen = strcspn(param, "&;#"), klen = strcspn(param, "=&;#");
			if (param[klen] == '=' && is_password_param(param, klen)) {
				/* keep a '?' so the next parameter still starts the query */
				if (*p == '?' && (param[plen] == '&' || param[plen] == ';')) {
					strbuf_addch(out, '?');
					p = param + plen + 1;
				} else {
					p = param + plen;
				}
				continue;
			}
			strbuf_addch(out, *p);
			p++;
		}
	}
	redact_buf(out);
}

static void connect_error(struct fw_error *err, const struct db_params *p,
			  struct fw_error *cause)
{
	struct strbuf shown = STRBUF_INIT, why = STRBUF_INIT;
	redact_url(p->url, &shown);
	strbuf_addbuf(&why, &cause->message);
	if (cause->detail.len) {
		strbuf_addch(&why, '\n');
		strbuf_addbuf(&why, &cause->detail);
	}
	strbuf_rtrim(&why);
	redact_buf(&why);
	fw_errorf(err, "DB_CONNECTION", "unable to connect to %s", shown.buf);
	if (why.len)
		fw_error_detail(err, "%s", why.buf);
	if (cause->hint.len)   /* the driver knows better (a locked SQLite file) */
		fw_error_hint(err, "%s", cause->hint.buf);
	else
		fw_error_hint(err, "check the host, port, database name, user and password; "
			      "if the database is still starting, set connectRetries");
	strbuf_release(&shown);
	strbuf_release(&why);
}

static void apply_overrides(struct db_url *u, const struct db_params *p)
{
	if (p->user && *p->user) {
		free(u->user);
		u->user = xstrdup(p->user);
	}
	if (p->password && *p->password) {
		free(u->password);
		u->password = xstrdup(p->password);
	}
	redact_register(u->password);
}

/* connect, retrying connect_retries times; waits start at 1 s and double up
 * to connect_retries_interval (reference 6.1) */
static int connect_with_retries(const struct db_ops *ops, const struct db_url *u,
				const struct db_params *p, struct db_fault *faults, int nfaults,
				struct db **out, struct fw_error *err)
{
	struct fw_error last = FW_ERROR_INIT;
	long wait = 1, cap = p->connect_retries_interval > 0 ? p->connect_retries_interval : 120;
	int retries = p->connect_retries > 0 ? p->connect_retries : 0;

	for (int attempt = 0;; attempt++) {
		fw_error_clear(&last);
		if (!fault_hit(faults, nfaults, "open", NULL, &last) &&
		    ops->open(u, p, out, &last) == 0) {
			fw_error_clear(&last);
			return 0;
		}
		if (attempt >= retries)
			break;
		db_sleep_ms(wait * 1000);
		wait = wait * 2 > cap ? cap : wait * 2;
	}
	connect_error(err, p, &last);
	fw_error_clear(&last);
	return -1;
}

int db_open(const struct db_params *p, struct db **out, struct fw_error *err)
{
	struct db_url u;
	const struct db_ops *ops;
	struct db_fault *faults;
	struct strbuf disp = STRBUF_INIT;
	struct db *db = NULL;
	int nfaults;

	*out = NULL;
	if (atomic_load(&all_cancelled))
		return interrupted(err);
	if (db_url_parse(p->url, &u, err) < 0)
		return -1;
	apply_overrides(&u, p);
	ops = drivers[u.kind];
	faults = parse_faults(&nfaults);
	if (connect_with_retries(ops, &u, p, faults, nfaults, &db, err) < 0) {
		free_faults(faults, nfaults);
		db_url_release(&u);
		return -1;
	}
	db_url_release(&u);
	db->ops = ops;
	url_without_password(p->url, &disp);
	db->display_url = strbuf_detach(&disp, NULL);
	db->target_name = p->target_name ? xstrdup(p->target_name) : NULL;
	db->faults = faults;
	db->nfaults = nfaults;
	register_open(db);
	db->init_sql = p->init_sql && *p->init_sql ? xstrdup(p->init_sql) : NULL;
	if (p->init_sql && *p->init_sql && db_exec(db, p->init_sql, err) < 0) {
		fw_error_prefix(err, "initSql failed");
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void db_close(struct db *db)
{
	struct db_fault *faults;
	int nfaults;
	char *display_url, *target_name, *product, *init_sql, *scratch_name, *scratch_schema;
	if (!db)
		return;
	unregister_open(db);   /* no db_cancel_all reaches it from now on */
	faults = db->faults;
	nfaults = db->nfaults;
	display_url = db->display_url;
	target_name = db->target_name;
	product = db->product;
	init_sql = db->init_sql;
	scratch_name = db->scratch_name;
	scratch_schema = db->scratch_schema;
	forget_seen(db);
	db->ops->close(db);   /* frees the driver struct, db included */
	free_faults(faults, nfaults);
	free(display_url);
	free(target_name);
	free(product);
	free(init_sql);
	free(scratch_name);
	free(scratch_schema);
}

/* ---- simple accessors ---- */

enum db_kind db_kind(const struct db *db)
{
	return db->ops->kind;
}

const char *db_dialect(const struct db *db)
{
	switch (db->ops->kind) {
	case DB_SQLITE: return "sqlite";
	case DB_POSTGRES: return "postgresql";
	case DB_MYSQL: return "mysql";
	default: return "unknown";
	}
}

const char *db_product(const struct db *db)
{
	return db->product ? db->product : db->ops->name;
}

const char *db_display_url(const struct db *db)
{
	return db->display_url ? db->display_url : "";
}

int db_supports_ddl_transactions(const struct db *db)
{
	return db->ops->supports_ddl_transactions;
}


void db_quote_with(char q, const char *name, struct strbuf *out)
{
	strbuf_addch(out, q);
	strbuf_add_doubled(out, name, q);
	strbuf_addch(out, q);
}

void db_qualify_with(char q, const char *schema, const char *name, struct strbuf *out)
{
	if (schema && *schema) {
		db_quote_with(q, schema, out);
		strbuf_addch(out, '.');
	}
	db_quote_with(q, name, out);
}

static void quote_double(const char *name, struct strbuf *out)
{
	db_quote_with('"', name, out);
}

void db_quote_ident(const struct db *db, const char *name, struct strbuf *out)
{
	if (db->ops->quote_ident)
		db->ops->quote_ident(db, name, out);
	else
		quote_double(name, out);
}

void db_qualify(const struct db *db, const char *schema, const char *table, struct strbuf *out)
{
	if (schema && *schema) {
		db_quote_ident(db, schema, out);
		strbuf_addch(out, '.');
	}
	db_quote_ident(db, table, out);
}

const char *db_bool_literal(const struct db *db, int b)
{
	if (b)
		return db->ops->bool_true ? db->ops->bool_true : "1";
	return db->ops->bool_false ? db->ops->bool_false : "0";
}

void db_set_rows_handler(struct db *db, db_rows_fn fn, void *ctx)
{
	db->rows_fn = fn;
	db->rows_ctx = ctx;
}

void db_set_notice_handler(struct db *db, db_notice_fn fn, void *ctx)
{
	db->notice_fn = fn;
	db->notice_ctx = ctx;
}

/* ---- statements ---- */

int db_exec(struct db *db, const char *sql, struct fw_error *err)
{
	if (refuse_change(db, "exec", sql, err))
		return -1;
	return db->ops->exec(db, sql, err);
}

int db_query(struct db *db, const char *sql, int nparams, const char *const *params,
	     struct db_result **out, struct fw_error *err)
{
	*out = NULL;
	if (refuse_change(db, "query", sql, err))
		return -1;
	return db->ops->query(db, sql, nparams, params, out, err);
}

/* leave a batch after an error; the driver's batch_end is harmless when the
 * driver already left it, and its own error is not the one to report */
static void abort_batch(struct db *db)
{
	struct fw_error ignored = FW_ERROR_INIT;
	if (!db->in_batch)
		return;
	db->in_batch = 0;
	if (db->ops->batch_end)
		db->ops->batch_end(db, &ignored);
	fw_error_clear(&ignored);
}

int db_batch_begin(struct db *db, struct fw_error *err)
{
	if (db->in_batch)
		return fw_errorf(err, "FAULT", "internal error: a database batch is already open");
	if (refuse(db, "batch_begin", NULL, err))
		return -1;
	if (db->ops->batch_begin && db->ops->batch_begin(db, err) < 0)
		return -1;
	db->in_batch = 1;
	return 0;
}

/* a command outside any batch runs as a batch of one */
static int run_single(struct db *db, const struct db_cmd *cmd, struct fw_error *err)
{
	if (db->ops->batch_begin && db->ops->batch_begin(db, err) < 0)
		return -1;
	if (db->ops->batch_add(db, cmd, err) < 0) {
		struct fw_error ignored = FW_ERROR_INIT;
		if (db->ops->batch_end)
			db->ops->batch_end(db, &ignored);
		fw_error_clear(&ignored);
		return -1;
	}
	return db->ops->batch_end ? db->ops->batch_end(db, err) : 0;
}

int db_batch_add(struct db *db, const struct db_cmd *cmd, struct fw_error *err)
{
	if (refuse_change(db, "batch_add", cmd->sql, err)) {
		err->line = cmd->line;
		db_error_add_statement(err, cmd->sql, cmd->line);
		abort_batch(db);
		return -1;
	}
	if (!db->in_batch)
		return run_single(db, cmd, err);
	if (db->ops->batch_add(db, cmd, err) < 0) {
		abort_batch(db);
		return -1;
	}
	return 0;
}

int db_batch_end(struct db *db, struct fw_error *err)
{
	if (!db->in_batch)
		return 0;
	if (fault(db, "batch_end", NULL, err)) {
		abort_batch(db);
		return -1;
	}
	db->in_batch = 0;
	return db->ops->batch_end ? db->ops->batch_end(db, err) : 0;
}

/* BEGIN and COMMIT inside a batch join the batch (no round trip of their
 * own; an error shows at db_batch_end). ROLLBACK abandons the batch first. */
static int tx_statement(struct db *db, const char *op, const char *sql, struct fw_error *err)
{
	if (refuse_change(db, op, sql, err)) {
		if (db->in_batch)
			abort_batch(db);
		return -1;
	}
	if (db->in_batch) {
		struct db_cmd cmd = { .sql = sql };
		if (db->ops->batch_add(db, &cmd, err) < 0) {
			abort_batch(db);
			return -1;
		}
		return 0;
	}
	return db->ops->exec(db, sql, err);
}

int db_begin(struct db *db, struct fw_error *err)
{
	return tx_statement(db, "begin", db->ops->begin_sql ? db->ops->begin_sql : "BEGIN", err);
}

int db_commit(struct db *db, struct fw_error *err)
{
	return tx_statement(db, "commit", db->ops->commit_sql ? db->ops->commit_sql : "COMMIT", err);
}

int db_rollback(struct db *db, struct fw_error *err)
{
	const char *sql = db->ops->rollback_sql ? db->ops->rollback_sql : "ROLLBACK";
	abort_batch(db);
	db->statements++;
	if (fault(db, "rollback", sql, err))
		return -1;
	return db->ops->exec(db, sql, err);
}

/* ---- introspection and schema operations ---- */

static const struct db_seen *seen(const struct db *db, const char *schema, const char *table);

int db_current_schema(struct db *db, char **out, struct fw_error *err)
{
	*out = NULL;
	if (fault(db, "current_schema", NULL, err))
		return -1;
	if (seen(db, NULL, NULL) && db->seen.current_known) {
		*out = db->seen.current_schema ? xstrdup(db->seen.current_schema) : NULL;
		return 0;
	}
	return db->ops->current_schema(db, out, err);
}

int db_current_user(struct db *db, char **out, struct fw_error *err)
{
	*out = NULL;
	if (fault(db, "current_user", NULL, err))
		return -1;
	if (!db->ops->current_user) {
		*out = xstrdup("");
		return 0;
	}
	return db->ops->current_user(db, out, err);
}

int db_database_name(struct db *db, char **out, struct fw_error *err)
{
	*out = NULL;
	if (fault(db, "database_name", NULL, err))
		return -1;
	return db->ops->database_name ? db->ops->database_name(db, out, err) : 0;
}

int db_prefetch(struct db *db, const char *schema, const char *table, struct fw_error *err)
{
	struct db_probe pr = { 0 };
	forget_seen(db);
	if (!db->ops->probe)
		return 0;
	if (refuse(db, "probe", table, err) || db->ops->probe(db, schema, table, &pr, err) < 0) {
		free(pr.current_schema);
		return -1;
	}
	if (pr.answered && (schema || pr.current_schema)) {
		db->seen.schema = xstrdup(schema ? schema : pr.current_schema);
		db->seen.table = xstrdup(table);
		db->seen.schema_exists = pr.schema_exists;
		db->seen.table_exists = pr.table_exists;
		db->seen.at = db->statements;
		db->seen.current_schema = pr.current_schema;
		db->seen.current_known = 1;
		return 0;
	}
	free(pr.current_schema);
	return 0;
}

/* db_prefetch's answer for schema (any: NULL) and table (any: NULL), if
 * nothing that could change it ran since */
static const struct db_seen *seen(const struct db *db, const char *schema, const char *table)
{
	if (!db->seen.schema || db->seen.at != db->statements ||
	    (schema && strcmp(db->seen.schema, schema)))
		return NULL;
	return !table || !strcmp(db->seen.table, table) ? &db->seen : NULL;
}

int db_schema_exists(struct db *db, const char *schema, int *exists, struct fw_error *err)
{
	const struct db_seen *s;
	*exists = 0;
	if (fault(db, "schema_exists", schema, err))
		return -1;
	if ((s = seen(db, schema, NULL))) {
		*exists = s->schema_exists;
		return 0;
	}
	return db->ops->schema_exists(db, schema, exists, err);
}

int db_schema_is_empty(struct db *db, const char *schema, int *empty, struct fw_error *err)
{
	*empty = 0;
	if (fault(db, "schema_is_empty", schema, err))
		return -1;
	return db->ops->schema_is_empty(db, schema, empty, err);
}

int db_table_exists(struct db *db, const char *schema, const char *table, int *exists,
		    struct fw_error *err)
{
	const struct db_seen *s;
	*exists = 0;
	if (fault(db, "table_exists", table, err))
		return -1;
	if ((s = seen(db, schema, table))) {
		*exists = s->table_exists;
		return 0;
	}
	return db->ops->table_exists(db, schema, table, exists, err);
}

/* the fallback of db_table_size: count, but no further than limit + 1 */
static int count_rows(struct db *db, const char *schema, const char *table, long long limit,
		      struct db_table_size *out, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT, name = STRBUF_INIT;
	struct db_result *r = NULL;
	int exists = 0, ret;
	if (db->ops->table_exists(db, schema, table, &exists, err) < 0)
		return -1;
	if (!exists)
		return 0;
	db_qualify(db, schema, table, &name);
	strbuf_addf(&sql, "SELECT COUNT(*) FROM (SELECT 1 FROM %s LIMIT %lld) fleetway_rows", name.buf, limit + 1);
	ret = db->ops->query(db, sql.buf, 0, NULL, &r, err);
	if (!ret && r->nrows == 1 && db_value(r, 0, 0)) {
		out->found = 1;
		out->rows = atoll(db_value(r, 0, 0));
		out->how = out->rows > limit ? DB_ROWS_AT_LEAST : DB_ROWS_EXACT;
	}
	db_result_free(r);
	strbuf_release(&sql);
	strbuf_release(&name);
	return ret;
}

int db_table_size(struct db *db, const char *schema, const char *table, long long limit,
		  struct db_table_size *out, struct fw_error *err)
{
	memset(out, 0, sizeof(*out));
	out->bytes = -1;
	if (refuse(db, "table_size", table, err))
		return -1;
	if (db->ops->table_size) {
		if (db->ops->table_size(db, schema, table, limit, out, err) < 0)
			return -1;
		if (out->found)
			return 0;
	}
	return count_rows(db, schema, table, limit, out, err);
}

int db_set_timeouts(struct db *db, const struct db_timeouts *to, enum db_timeouts_when when,
		    struct fw_error *err)
{
	if (!db->ops->set_timeouts || (!to->lock_ms && !to->statement_ms))
		return 0;
	if (refuse(db, "set_timeouts", NULL, err))
		return -1;
	return db->ops->set_timeouts(db, to, when, err);
}

int db_reset_timeouts(struct db *db, struct fw_error *err)
{
	if (!db->ops->reset_timeouts)
		return 0;
	return db->ops->reset_timeouts(db, err);
}

int db_locks_held(struct db *db, struct strvec *out, struct fw_error *err)
{
	if (!db->ops->locks_held)
		return 0;
	if (refuse(db, "locks_held", NULL, err))
		return -1;
	return db->ops->locks_held(db, out, err);
}

int db_timeout_kind(const struct db *db, const struct fw_error *err)
{
	return db->ops->timeout_kind ? db->ops->timeout_kind(db, err) : 0;
}

int db_change_counter(struct db *db, const char *schema, long long *out, int *known,
		      struct fw_error *err)
{
	*out = 0;
	*known = 0;
	if (!db->ops->change_counter)
		return 0;
	if (fault(db, "change_counter", schema, err) || db->ops->change_counter(db, schema, out, err) < 0)
		return -1;
	*known = 1;
	return 0;
}

int db_create_schema(struct db *db, const char *schema, struct fw_error *err)
{
	if (refuse_change(db, "create_schema", schema, err))
		return -1;
	return db->ops->create_schema(db, schema, err);
}

void db_history_table_sql(struct db *db, const char *schema, const char *table,
			  const char *tablespace, struct strbuf *out)
{
	if (db->ops->history_table_sql)
		db->ops->history_table_sql(db, schema, table, tablespace, out);
	else
		strbuf_addf(out, "-- CREATE TABLE %s.%s: the history table (%s)", schema, table,
			    db->ops->name);
}

int db_elapsed_ms_sql(const struct db *db, int in_group, struct strbuf *out)
{
	const struct db_ops *o = db->ops;
	if (!o->elapsed_ms_sql)
		return 0;
	strbuf_addf(out, o->elapsed_ms_sql, in_group ? o->restart_expr : o->tx_start_expr);
	return 1;
}

const char *db_clock_restart_sql(const struct db *db)
{
	return db->ops->clock_restart_sql;
}

void db_quote_literal(const struct db *db, const char *value, struct strbuf *out)
{
	if (!value) {
		strbuf_addstr(out, "NULL");
		return;
	}
	strbuf_addch(out, '\'');
	for (const char *p = value; *p; p++) {
		if (*p == '\'' || (*p == '\\' && db->ops->backslash_escapes))
			strbuf_addch(out, *p);
		strbuf_addch(out, *p);
	}
	strbuf_addch(out, '\'');
}

void db_default_schema_sql(struct db *db, const char *schema, struct strbuf *out)
{
	if (db->ops->default_schema_sql)
		db->ops->default_schema_sql(db, schema, out);
}

/* every driver creates a schema with plain CREATE SCHEMA <quoted name> */
void db_create_schema_sql(struct db *db, const char *schema, struct strbuf *out)
{
	strbuf_addstr(out, "CREATE SCHEMA ");
	db_quote_ident(db, schema, out);
	strbuf_addch(out, ';');
}

int db_set_default_schema(struct db *db, const char *schema, struct fw_error *err)
{
	if (refuse(db, "set_default_schema", schema, err))
		return -1;
	db->seen.current_known = 0;   /* the search path moves: current_schema() may too */
	return db->ops->set_default_schema ? db->ops->set_default_schema(db, schema, err) : 0;
}

int db_session_read(struct db *db, struct fw_error *err)
{
	if (!db->ops->session_read)
		return 0;
	if (refuse(db, "session_read", NULL, err))
		return -1;
	return db->ops->session_read(db, err);
}

int db_session_restore(struct db *db, const char *schema, struct fw_error *err)
{
	if (!db->ops->session_restore)
		return 0;
	if (refuse(db, "session_restore", schema, err))
		return -1;
	db->seen.current_known = 0;   /* the search path may move: current_schema() too */
	return db->ops->session_restore(db, schema, err);
}

int db_create_history_table(struct db *db, const char *schema, const char *table,
			    const char *tablespace, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;
	if (refuse_change(db, "create_history_table", table, err))
		return -1;
	db->ops->history_table_sql(db, schema, table, tablespace, &sql);
	ret = db->ops->exec_atomic(db, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

int db_lock(struct db *db, const char *schema, const char *table, int retry_count,
	    struct fw_error *err)
{
	/* whoever held the lock before may have created what db_prefetch saw
	 * missing: after the wait, ask the server again */
	if (refuse_change(db, "lock", table, err))
		return -1;
	return db->ops->lock ? db->ops->lock(db, schema, table, retry_count, err) : 0;
}

int db_unlock(struct db *db, struct fw_error *err)
{
	if (fault(db, "unlock", NULL, err))
		return -1;
	return db->ops->unlock ? db->ops->unlock(db, err) : 0;
}

int db_clean_schema(struct db *db, const char *schema, struct fw_error *err)
{
	if (refuse_change(db, "clean_schema", schema, err))
		return -1;
	return db->ops->clean_schema(db, schema, err);
}

int db_drop_schema(struct db *db, const char *schema, struct fw_error *err)
{
	if (refuse_change(db, "drop_schema", schema, err))
		return -1;
	return db->ops->drop_schema(db, schema, err);
}

void db_thread_end(void)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (drivers[i]->thread_end)
			drivers[i]->thread_end();
}

/* ---- schema models and scratch databases ---- */

int db_read_schema(struct db *db, const char *schema, const struct fw_schema_opts *opts,
		   struct fw_schema *out, struct fw_error *err)
{
	static const struct fw_schema_opts defaults;
	char *current = NULL;
	int exists = 0;

	if (!opts)
		opts = &defaults;
	if (!schema || !*schema) {
		fw_schema_init(out, "");
		if (db_current_schema(db, &current, err) < 0)
			goto fail;
		schema = current ? current : "";
		fw_schema_release(out);
	}
	fw_schema_init(out, opts->record_as ? opts->record_as : schema);
	if (fault(db, "read_schema", schema, err))
		goto fail;
	if (!db->ops->read_schema) {
		fw_errorf_exit(err, FW_EXIT_NOT_IMPLEMENTED, "ERROR",
			       "reading the schema is not implemented for %s", db_product(db));
		goto fail;
	}
	if (db->ops->schema_exists(db, schema, &exists, err) < 0)
		goto fail;
	if (!exists) {
		fw_errorf(err, "ERROR", "schema %s does not exist in %s", schema, db_display_url(db));
		fw_error_hint(err, "check the schemas setting, or migrate the database first");
		goto fail;
	}
	if (db->ops->read_schema(db, schema, opts, out, err) < 0) {
		fw_error_prefix(err, "unable to read schema %s", schema);
		goto fail;
	}
	fw_schema_finish(out);
	free(current);
	return 0;
fail:
	fw_schema_release(out);
	free(current);
	return -1;
}

/* fleetway_scratch_<16 hex digits>: random, so that concurrent runs (a
 * fleet, two pipelines) on one server never meet */
static void scratch_name(struct strbuf *out)
{
	static atomic_uint counter;
	unsigned char r[8];
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		unsigned long long x = (unsigned long long)time(NULL) * 2654435761u ^
				       (unsigned long long)getpid() << 20 ^
				       atomic_fetch_add(&counter, 1) * 40503u;
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(x >> (8 * i));
	}
	strbuf_addstr(out, "fleetway_scratch_");
	for (size_t i = 0; i < sizeof(r); i++)
		strbuf_addf(out, "%02x", r[i]);
}

int db_scratch_create(struct db *db, const char *like_schema, struct db **scratch,
		      struct fw_error *err)
{
	struct strbuf name = STRBUF_INIT, disp = STRBUF_INIT;
	struct fw_error ignored = FW_ERROR_INIT;
	struct db *s = NULL;

	*scratch = NULL;
	if (fault(db, "scratch_create", like_schema, err))
		return -1;
	if (!db->ops->scratch_create)
		return fw_errorf_exit(err, FW_EXIT_NOT_IMPLEMENTED, "ERROR",
				      "scratch databases are not implemented for %s", db_product(db));
	scratch_name(&name);
	if (db->ops->scratch_create(db, name.buf, like_schema, &s, err) < 0) {
		strbuf_release(&name);
		return -1;
	}
	s->ops = db->ops;
	s->scratch_name = strbuf_detach(&name, NULL);
	if (!s->scratch_schema)
		s->scratch_schema = xstrdup(s->scratch_name);
	strbuf_addf(&disp, "%s (scratch database %s)", db_display_url(db), s->scratch_name);
	s->display_url = strbuf_detach(&disp, NULL);
	s->target_name = db->target_name ? xstrdup(db->target_name) : NULL;
	s->faults = parse_faults(&s->nfaults);
	s->init_sql = db->init_sql ? xstrdup(db->init_sql) : NULL;
	if (s->init_sql && db_exec(s, s->init_sql, err) < 0) {
		fw_error_prefix(err, "initSql failed on the scratch database");
		db_scratch_drop(db, s, &ignored);
		fw_error_clear(&ignored);
		return -1;
	}
	*scratch = s;
	return 0;
}

int db_scratch_drop(struct db *db, struct db *scratch, struct fw_error *err)
{
	char *name;
	int ret = 0;
	if (!scratch)
		return 0;
	name = scratch->scratch_name ? xstrdup(scratch->scratch_name) : NULL;
	db_close(scratch);
	if (name && fault(db, "scratch_drop", name, err))
		ret = -1;
	else if (name && db->ops->scratch_drop)
		ret = db->ops->scratch_drop(db, name, err);
	free(name);
	return ret;
}

const char *db_scratch_schema(const struct db *scratch)
{
	return scratch ? scratch->scratch_schema : NULL;
}

void db_cancel(struct db *db)
{
	if (!db)
		return;
	atomic_store(&db->cancelled, 1);
	if (db->ops->cancel)
		db->ops->cancel(db);
}

/* ---- results ---- */

const char *db_value(const struct db_result *r, int row, int col)
{
	if (!r || row < 0 || col < 0 || row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->values[(size_t)row * (size_t)r->ncols + (size_t)col];
}

void db_result_free(struct db_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < (size_t)r->nrows * (size_t)r->ncols; i++)
		free(r->values[i]);
	for (int c = 0; c < r->ncols; c++)
		free(r->colnames[c]);
	free(r->values);
	free(r->colnames);
	free(r);
}

struct db_result *db_result_new(int ncols)
{
	struct db_result *r = xcalloc(1, sizeof(*r));
	r->ncols = ncols;
	r->colnames = xcalloc(ncols ? (size_t)ncols : 1, sizeof(char *));
	return r;
}

char **db_result_add_row(struct db_result *r)
{
	size_t n = (size_t)r->nrows, w = r->ncols ? (size_t)r->ncols : 1;
	/* capacity is the next power of two: grow exactly when nrows reaches one */
	if (n == 0 || (n & (n - 1)) == 0)
		r->values = xrealloc(r->values, (n ? 2 * n : 1) * w * sizeof(char *));
	memset(r->values + n * w, 0, w * sizeof(char *));
	r->nrows++;
	return r->values + n * w;
}

/* ---- errors ---- */

#define STATEMENT_SHOWN_MAX 4000

void db_error_add_statement(struct fw_error *err, const char *sql, int line)
{
	size_t n;
	if (!sql)
		return;
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r')
		sql++;
	n = strlen(sql);
	while (n && (sql[n - 1] == ' ' || sql[n - 1] == '\t' || sql[n - 1] == '\n' ||
		     sql[n - 1] == '\r'))
		n--;
	if (n > STATEMENT_SHOWN_MAX) {
		n = STATEMENT_SHOWN_MAX;
		while (n && ((unsigned char)sql[n] & 0xC0) == 0x80)
			n--;   /* do not cut a UTF-8 sequence */
		if (line > 0)
			fw_error_detail(err, "statement at line %d: %.*s ...", line, (int)n, sql);
		else
			fw_error_detail(err, "statement: %.*s ...", (int)n, sql);
		return;
	}
	if (line > 0)
		fw_error_detail(err, "statement at line %d: %.*s", line, (int)n, sql);
	else
		fw_error_detail(err, "statement: %.*s", (int)n, sql);
}

void db_sql_error(struct fw_error *err, const char *sqlstate, int errcode, const char *msg,
		  const char *server_detail, const char *server_hint, const char *sql, int line)
{
	struct strbuf m = STRBUF_INIT;
	strbuf_addstr(&m, msg && *msg ? msg : "unknown database error");
	strbuf_rtrim(&m);
	fw_errorf(err, "ERROR", "%s", m.buf);
	strbuf_release(&m);
	if (server_detail && *server_detail)
		fw_error_detail(err, "%s", server_detail);
	if (server_hint && *server_hint)
		fw_error_detail(err, "server hint: %s", server_hint);
	db_error_add_statement(err, sql, line);
	if (sqlstate) {
		strncpy(err->sqlstate, sqlstate, sizeof(err->sqlstate) - 1);
		err->sqlstate[sizeof(err->sqlstate) - 1] = '\0';
	}
	err->sql_errcode = errcode;
	err->line = line;
}

/* ---- lock keys ---- */

/* next code point of UTF-8 text; malformed bytes read as U+FFFD, as Java's
 * decoder does */
static unsigned long next_codepoint(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	unsigned long cp;
	int extra;
	if (p[0] < 0x80) {
		*pp = p + 1;
		return p[0];
	}
	if ((p[0] & 0xE0) == 0xC0) {
		cp = p[0] & 0x1F;
		extra = 1;
	} else if ((p[0] & 0xF0) == 0xE0) {
		cp = p[0] & 0x0F;
		extra = 2;
	} else if ((p[0] & 0xF8) == 0xF0) {
		cp = p[0] & 0x07;
		extra = 3;
	} else {
		*pp = p + 1;
		return 0xFFFD;
	}
	for (int i = 1; i <= extra; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*pp = p + i;
			return 0xFFFD;
		}
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	*pp = p + extra + 1;
	return cp > 0x10FFFF ? 0xFFFD : cp;
}

int32_t db_java_hash(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t h = 0;   /* unsigned: Java's overflow wraps, C's signed one is undefined */
	while (*p) {
		unsigned long cp = next_codepoint(&p);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			h = 31 * h + (uint32_t)(0xD800 + (cp >> 10));
			h = 31 * h + (uint32_t)(0xDC00 + (cp & 0x3FF));
		} else {
			h = 31 * h + (uint32_t)cp;
		}
	}
	return (int32_t)h;
}
