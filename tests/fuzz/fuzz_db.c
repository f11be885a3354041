/* libFuzzer target for the driver layer: the db.h wrappers of src/db/db.c and
 * the SQLite driver behind them, on an in-memory database.
 *
 * Input: a program of records  <op byte> <length byte> <length bytes of text>.
 * Text fields are split at 0x1e into SQL and parameters (or schema and name).
 * The ops run statements (db_exec, db_query with parameters), batches
 * (db_batch_begin/add/end, with and without rows for the rows handler),
 * transactions, the lock, the history table, introspection, quoting, the
 * error helpers, db_java_hash and db_url_parse, in any order: the wrappers
 * must keep their state (batch open or not, lock depth) straight whatever
 * the order, and every call must return 0 or -1 with an error message.
 *
 * Checked besides the sanitizers: results are well formed (db_value inside
 * the bounds, NULL outside), quoted identifiers come back with their quotes
 * doubled, a failed call always says why. A watchdog cancels a statement
 * that runs too long (WITH RECURSIVE without end) through db_cancel, which
 * is itself part of what is fuzzed. Files a script might create (ATTACH,
 * VACUUM INTO) land in a temporary folder. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db-internal.h"   /* db.h and the error helpers the drivers share */
#include "util/strbuf.h"

#define MAX_FIELDS 4
#define WATCHDOG_MS 300

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_db: broken invariant: %s\n", what);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/fuzz_db.XXXXXX";
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir) || chdir(dir) < 0)
		abort();
	return 0;
}

/* ---- watchdog: db_cancel after WATCHDOG_MS ---- */

struct watchdog {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db *db;
	int done;
};

static void *watch(void *arg)
{
	struct watchdog *w = arg;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (WATCHDOG_MS % 1000) * 1000000L;
	until.tv_sec += WATCHDOG_MS / 1000 + until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&w->mu);
	while (!w->done)
		if (pthread_cond_timedwait(&w->cv, &w->mu, &until) != 0)
			break;
	if (!w->done)
		db_cancel(w->db);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void watchdog_start(struct watchdog *w, struct db *db)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->db = db;
	if (pthread_create(&w->th, NULL, watch, w) != 0)
		abort();
}

static void watchdog_stop(struct watchdog *w)
{
	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}

/* ---- checks ---- */

static void check_result(const struct db_result *r)
{
	check(r != NULL, "db_query returned 0 without a result");
	check(r->nrows >= 0 && r->ncols >= 0, "negative result size");
	for (int c = 0; c < r->ncols; c++)
		check(r->colnames[c] != NULL, "a column without a name");
	for (int i = 0; i < r->nrows; i++)
		for (int c = 0; c < r->ncols; c++) {
			const char *v = db_value(r, i, c);
			if (v)
				(void)strlen(v);
		}
	check(db_value(r, r->nrows, 0) == NULL && db_value(r, 0, r->ncols) == NULL &&
		      db_value(r, -1, 0) == NULL,
	      "db_value outside the result is not NULL");
}

static void on_rows(void *ctx, const struct db_result *r)
{
	(void)ctx;
	check_result(r);
}

/* a wrapper's return: 0, or -1 with a message; the error is cleared */
static void check_ret(int rc, struct fw_error *err, const char *what)
{
	check(rc == 0 || rc == -1, what);
	if (rc < 0)
		check(fw_error_is_set(err) && err->message.len > 0, "a failure without a message");
	fw_error_clear(err);
}

/* "x" with embedded quotes doubled: the name reads back unchanged */
static void check_quoted(const char *name, const struct strbuf *q)
{
	size_t n = strlen(name), j = 1;
	check(q->len >= 2 && q->buf[0] == '"' && q->buf[q->len - 1] == '"', "identifier not quoted");
	for (size_t i = 0; i < n; i++) {
		check(j < q->len - 1 && q->buf[j] == name[i], "quoted identifier differs");
		if (name[i] == '"') {
			check(q->buf[j + 1] == '"', "embedded quote not doubled");
			j++;
		}
		j++;
	}
	check(j == q->len - 1, "quoted identifier has extra text");
}

/* ---- the program ---- */

struct fields {
	char *v[MAX_FIELDS];
	int n;
};

static void split_fields(const uint8_t *p, size_t len, struct fields *f)
{
	size_t start = 0;
	f->n = 0;
	for (size_t i = 0; i <= len && f->n < MAX_FIELDS; i++)
		if (i == len || p[i] == 0x1e) {
			f->v[f->n] = malloc(i - start + 1);
			memcpy(f->v[f->n], p + start, i - start);
			f->v[f->n][i - start] = '\0';
			f->n++;
			start = i + 1;
		}
}

static void free_fields(struct fields *f)
{
	for (int i = 0; i < f->n; i++)
		free(f->v[i]);
}

static void run_op(struct db *db, int op, struct fields *f, int line, int *locks)
{
	struct fw_error err = FW_ERROR_INIT;
	const char *sql = f->v[0];
	const char *arg = f->n > 1 ? f->v[1] : "";
	struct db_result *r = NULL;
	struct strbuf q = STRBUF_INIT;
	char *s = NULL;
	int yes;

	switch (op % 20) {
	case 0:
		check_ret(db_exec(db, sql, &err), &err, "db_exec");
		break;
	case 1: {
		int rc = db_query(db, sql, f->n - 1, (const char *const *)f->v + 1, &r, &err);
		if (rc == 0)
			check_result(r);
		else
			check(r == NULL, "a failed query left a result");
		check_ret(rc, &err, "db_query");
		db_result_free(r);
		break;
	}
	case 2:
		check_ret(db_batch_begin(db, &err), &err, "db_batch_begin");
		break;
	case 3:
	case 4: {
		struct db_cmd c = { .sql = sql, .nparams = f->n - 1,
				    .params = (const char *const *)f->v + 1, .line = line,
				    .want_rows = op % 20 == 4 };
		int rc = db_batch_add(db, &c, &err);
		if (rc < 0 && err.line)
			check(err.line == line, "a batch error names another line");
		check_ret(rc, &err, "db_batch_add");
		break;
	}
	case 5:
		check_ret(db_batch_end(db, &err), &err, "db_batch_end");
		break;
	case 6:
		check_ret(db_begin(db, &err), &err, "db_begin");
		break;
	case 7:
		check_ret(db_commit(db, &err), &err, "db_commit");
		break;
	case 8:
		check_ret(db_rollback(db, &err), &err, "db_rollback");
		break;
	case 9:
		db_quote_ident(db, sql, &q);
		check_quoted(sql, &q);
		strbuf_reset(&q);
		db_qualify(db, arg, sql, &q);
		break;
	case 10:
		check_ret(db_table_exists(db, arg, sql, &yes, &err), &err, "db_table_exists");
		check_ret(db_schema_exists(db, sql, &yes, &err), &err, "db_schema_exists");
		break;
	case 11:
		check_ret(db_schema_is_empty(db, sql, &yes, &err), &err, "db_schema_is_empty");
		break;
	case 12: {
		int rc = db_lock(db, "main", sql, 0, &err);
		if (rc == 0)
			(*locks)++;
		check_ret(rc, &err, "db_lock");
		break;
	}
	case 13:
		if (*locks > 0) {
			(*locks)--;
			check_ret(db_unlock(db, &err), &err, "db_unlock");
		}
		break;
	case 14:
		check_ret(db_create_history_table(db, "main", sql, NULL, &err), &err,
			  "db_create_history_table");
		db_history_table_sql(db, "main", sql, NULL, &q);
		break;
	case 15: {
		long long n;
		int known;
		check_ret(db_current_schema(db, &s, &err), &err, "db_current_schema");
		free(s);
		check_ret(db_current_user(db, &s, &err), &err, "db_current_user");
		free(s);
		check_ret(db_database_name(db, &s, &err), &err, "db_database_name");
		free(s);
		check_ret(db_change_counter(db, sql, &n, &known, &err), &err, "db_change_counter");
		break;
	}
	case 16:
		(void)db_java_hash(sql);
		db_error_add_statement(&err, sql, line);
		db_sql_error(&err, arg, line, sql, arg, sql, sql, line);
		check(fw_error_is_set(&err), "db_sql_error set no error");
		fw_error_clear(&err);
		break;
	case 17: {
		struct db_url u;
		if (db_url_parse(sql, &u, &err) == 0)
			db_url_release(&u);
		else
			check(fw_error_is_set(&err), "a bad URL without a message");
		fw_error_clear(&err);
		break;
	}
	case 18:
		db_set_rows_handler(db, line % 2 ? on_rows : NULL, NULL);
		break;
	case 19:
		check_ret(db_set_default_schema(db, sql, &err), &err, "db_set_default_schema");
		break;
	}
	strbuf_release(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct db_params p;
	struct db *db = NULL;
	struct fw_error err = FW_ERROR_INIT;
	struct watchdog w;
	size_t pos = 0;
	int line = 0, locks = 0;

	memset(&p, 0, sizeof(p));
	p.url = "jdbc:sqlite::memory:";
	if (db_open(&p, &db, &err) < 0)
		abort();
	db_set_rows_handler(db, on_rows, NULL);
	watchdog_start(&w, db);
	while (pos + 2 <= size) {
		int op = data[pos];
		size_t len = data[pos + 1];
		struct fields f;
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		split_fields(data + pos, len, &f);
		pos += len;
		run_op(db, op, &f, ++line, &locks);
		free_fields(&f);
	}
	/* whatever state the program left: the caller's way out */
	db_batch_end(db, &err);
	fw_error_clear(&err);
	db_rollback(db, &err);
	fw_error_clear(&err);
	while (locks-- > 0) {
		db_unlock(db, &err);
		fw_error_clear(&err);
	}
	watchdog_stop(&w);
	db_close(db);
	return 0;
}
