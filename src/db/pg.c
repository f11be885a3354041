/* The PostgreSQL driver, on libpq.
 *
 * Round trips are the cost (DESIGN.md), so a batch is a libpq pipeline: every
 * command of a migration is sent without waiting, and results are read once
 * at the end. To bound memory on huge scripts the pipeline is synced and its
 * results read every PIPE_MAX_CMDS commands or PIPE_MAX_BYTES of SQL. Reading
 * results at each sync also means no command is sent after a failed one:
 * after an error the server skips the rest of the segment, but a later
 * segment would run, which matters for non-transactional migrations.
 *
 * Two kinds of statement cannot share a pipeline segment: COPY FROM STDIN
 * (libpq cannot pipeline it; it runs outside pipeline mode) and the ones that
 * refuse to run inside a transaction block or pipeline (CREATE INDEX
 * CONCURRENTLY, VACUUM, ...; they get a segment of their own).
 *
 * The migration lock is a session advisory lock with Flyway's key, held on
 * this connection without an open transaction, so that CREATE INDEX
 * CONCURRENTLY on the same connection does not wait for it (Flyway's
 * transactional lock makes it hang; reference 14, item 1). */
#include "db/db-internal.h"
#include "db/libload.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PIPE_MAX_CMDS 500
#define PIPE_MAX_BYTES (1024 * 1024)
#define PENDING_SQL_MAX 4096      /* statement text kept per command for error messages */
#define COPY_CHUNK (64 * 1024)
#define CLEAN_CHUNK 100           /* DROP statements per transaction of clean */
#define FLYWAY_LOCK_BASE 0x466C79776179LL   /* "Flyway" in ASCII (reference 12.1) */

/* a command sent in the pipeline, waiting for its result */
struct pending {
	int line;
	int want_rows;
	char *sql;                /* possibly shortened copy */
};

struct pg_db {
	struct db base;
	PGconn *conn;
	PGcancel *cancel;
	char *current_user;       /* cached: one query per connection */
	char *current_schema;     /* as first asked (pg_current_schema), or NULL */
	/* the search_path the session opened with (pg_session_read), what
	 * Flyway puts the default schema in front of before every script */
	char *original_path;
	/* pipeline state */
	int in_pipeline;
	int syncs;                /* syncs sent whose results are not read yet */
	struct pending *pend;
	size_t npend, alloc_pend;
	size_t sent_bytes;        /* SQL sent since the last sync */
	/* advisory locks held (a stack: lock calls may nest) */
	long long *locks;
	size_t nlocks, alloc_locks;
	/* the session's lock_timeout and statement_timeout before fleetway set
	 * them for a migration outside a transaction (restored after it) */
	char *saved_lock_timeout, *saved_statement_timeout;
};

static struct pg_db *pg(struct db *db)
{
	if (db->ops != &db_pg_ops)
		abort();   /* a programming error, like a failed assert */
	return (struct pg_db *)db;
}

static void quote(const char *name, struct strbuf *out)
{
	db_quote_with('"', name, out);
}

static void pg_quote_ident(const struct db *db, const char *name, struct strbuf *out)
{
	quote(name, out);
}

static void qualify(const char *schema, const char *name, struct strbuf *out)
{
	db_qualify_with('"', schema, name, out);
}

/* ---- errors ---- */

static int conn_fail(struct pg_db *p, const char *sql, int line, struct fw_error *err)
{
	struct strbuf m = STRBUF_INIT;
	strbuf_addstr(&m, PQerrorMessage(p->conn));
	strbuf_rtrim(&m);
	redact_buf(&m);
	db_sql_error(err, "08006", 0, m.len ? m.buf : "connection to the server was lost",
		     NULL, NULL, sql, line);
	strbuf_release(&m);
	return -1;
}

static int result_fail(struct pg_db *p, PGresult *res, const char *sql, int line,
		       struct fw_error *err)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!primary)
		primary = PQresultErrorMessage(res);
	db_sql_error(err, PQresultErrorField(res, PG_DIAG_SQLSTATE), 0, primary,
		     PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL),
		     PQresultErrorField(res, PG_DIAG_MESSAGE_HINT), sql, line);
	/* query_canceled after our own db_cancel: an interruption, not a failure */
	if (atomic_load(&p->base.cancelled) && !strcmp(err->sqlstate, "57014"))
		err->exit_code = FW_EXIT_INTERRUPTED;
	return -1;
}

static int result_ok(const PGresult *res)
{
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return 1;
	default:
		return 0;
	}
}

static struct db_result *to_db_result(const PGresult *res)
{
	int ncols = PQnfields(res), nrows = PQntuples(res);
	struct db_result *r = db_result_new(ncols);
	for (int c = 0; c < ncols; c++)
		r->colnames[c] = xstrdup(PQfname(res, c));
	for (int i = 0; i < nrows; i++) {
		char **row = db_result_add_row(r);
		for (int c = 0; c < ncols; c++)
			row[c] = PQgetisnull(res, i, c) ? NULL : xstrdup(PQgetvalue(res, i, c));
	}
	return r;
}

static void deliver_rows(struct pg_db *p, const PGresult *res)
{
	struct db_result *r;
	if (!p->base.rows_fn)
		return;
	r = to_db_result(res);
	p->base.rows_fn(p->base.rows_ctx, r);
	db_result_free(r);
}

/* ---- ? placeholders ---- */

static int ident_char(int c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* length of a dollar-quote opener "$tag$" at p, 0 if none */
static size_t dollar_tag(const char *p)
{
	size_t n = 1;
	if (isdigit((unsigned char)p[1]))
		return 0;   /* $1 is a parameter */
	while (p[n] && p[n] != '$' && (isalnum((unsigned char)p[n]) || p[n] == '_' ||
				      (unsigned char)p[n] >= 0x80))
		n++;
	return p[n] == '$' ? n + 1 : 0;
}

/* end of the quoted text starting at p (p[0] is the quote character) */
static const char *skip_quoted(const char *p, int backslash_escapes)
{
	char q = *p++;
	while (*p) {
		if (backslash_escapes && *p == '\\' && p[1]) {
			p += 2;
		} else if (*p == q) {
			if (p[1] != q)
				return p + 1;
			p += 2;
		} else {
			p++;
		}
	}
	return p;
}

/* end of the comment, quoted text or dollar quote starting at p, or NULL
 * when none starts there */
static const char *skip_special(const char *start, const char *p, int std_strings)
{
	if (*p == '\'') {
		int e = p > start && (p[-1] == 'E' || p[-1] == 'e') &&
			(p - 1 == start || !ident_char((unsigned char)p[-2]));
		return skip_quoted(p, e || !std_strings);
	}
	if (*p == '"')
		return skip_quoted(p, 0);
	if (p[0] == '-' && p[1] == '-')
		return p + strcspn(p, "\n");
	if (p[0] == '/' && p[1] == '*') {
		int depth = 0;
		while (*p) {
			if (p[0] == '/' && p[1] == '*') {
				depth++;
				p += 2;
			} else if (p[0] == '*' && p[1] == '/') {
				p += 2;
				if (--depth == 0)
					return p;
			} else {
				p++;
			}
		}
		return p;
	}
	if (*p == '$' && (p == start || !ident_char((unsigned char)p[-1]))) {
		size_t n = dollar_tag(p);
		const char *close;
		if (!n)
			return NULL;
		{
			char *tag = xstrndup(p, n);
			close = strstr(p + n, tag);
			free(tag);
		}
		return close ? close + n : p + strlen(p);
	}
	return NULL;
}

/* JDBC style "?" to "$n" outside literals, identifiers, comments and dollar
 * quotes; "??" stands for a literal "?" (as in JDBC, for jsonb operators) */
static void rewrite_placeholders(const char *sql, int std_strings, struct strbuf *out)
{
	const char *p = sql;
	int n = 0;
	while (*p) {
		const char *end = skip_special(sql, p, std_strings);
		if (end) {
			strbuf_add(out, p, (size_t)(end - p));
			p = end;
		} else if (*p == '?') {
			if (p[1] == '?') {
				strbuf_addch(out, '?');
				p += 2;
			} else {
				strbuf_addf(out, "$%d", ++n);
				p++;
			}
		} else {
			strbuf_addch(out, *p++);
		}
	}
}

static int std_strings(struct pg_db *p)
{
	const char *v = PQparameterStatus(p->conn, "standard_conforming_strings");
	return !v || strcmp(v, "off");
}

/* ---- statement classification (for the pipeline) ---- */

/* the first max words of sql outside comments and literals, upper-cased
 * (truncated to 15 characters); *concurrently tells whether the keyword
 * CONCURRENTLY appears anywhere (it may come last, as in DETACH PARTITION) */
static int scan_words(const char *sql, int std, char words[][16], int max, int *concurrently)
{
	const char *p = sql;
	int n = 0;
	*concurrently = 0;
	while (*p) {
		const char *end = skip_special(sql, p, std);
		if (end) {
			p = end;
			continue;
		}
		if (isalpha((unsigned char)*p) || *p == '_') {
			char w[16];
			size_t len = 0;
			while (ident_char((unsigned char)*p)) {
				if (len < sizeof(w) - 1)
					w[len++] = (char)toupper((unsigned char)*p);
				p++;
			}
			w[len] = '\0';
			if (!strcmp(w, "CONCURRENTLY"))
				*concurrently = 1;
			if (n < max)
				memcpy(words[n++], w, len + 1);
			continue;
		}
		p++;
	}
	return n;
}

enum stmt_class { STMT_PLAIN, STMT_COPY, STMT_OWN_SEGMENT };

/* COPY cannot be pipelined; some statements PostgreSQL refuses inside a
 * transaction block or a pipeline and need a segment of their own */
static enum stmt_class classify(const char *sql, int std)
{
	char w[3][16];
	int conc, n = scan_words(sql, std, w, 3, &conc);
	if (n >= 1 && !strcmp(w[0], "COPY"))
		return STMT_COPY;
	if (conc || (n >= 1 && (!strcmp(w[0], "VACUUM") || !strcmp(w[0], "CLUSTER"))))
		return STMT_OWN_SEGMENT;
	if (n >= 2 && !strcmp(w[0], "ALTER") && !strcmp(w[1], "SYSTEM"))
		return STMT_OWN_SEGMENT;
	if (n >= 2 && (!strcmp(w[0], "CREATE") || !strcmp(w[0], "DROP") || !strcmp(w[0], "ALTER")) &&
	    (!strcmp(w[1], "DATABASE") || !strcmp(w[1], "TABLESPACE") ||
	     !strcmp(w[1], "SUBSCRIPTION")))
		return STMT_OWN_SEGMENT;
	if (n >= 2 && !strcmp(w[0], "REINDEX") && (!strcmp(w[1], "DATABASE") ||
						   !strcmp(w[1], "SYSTEM")))
		return STMT_OWN_SEGMENT;
	if (n >= 2 && (!strcmp(w[0], "COMMIT") || !strcmp(w[0], "ROLLBACK")) &&
	    !strcmp(w[1], "PREPARED"))
		return STMT_OWN_SEGMENT;
	return STMT_PLAIN;
}

/* ---- the pipeline ---- */

static void clear_pending(struct pg_db *p)
{
	for (size_t i = 0; i < p->npend; i++)
		free(p->pend[i].sql);
	p->npend = 0;
	p->sent_bytes = 0;
}

static int pipe_enter(struct pg_db *p, struct fw_error *err)
{
	if (p->in_pipeline)
		return 0;
	if (!PQenterPipelineMode(p->conn))
		return conn_fail(p, NULL, 0, err);
	p->in_pipeline = 1;
	return 0;
}

static void pipe_leave(struct pg_db *p)
{
	if (p->in_pipeline && PQexitPipelineMode(p->conn))
		p->in_pipeline = 0;
	else if (PQstatus(p->conn) == CONNECTION_BAD)
		p->in_pipeline = 0;   /* nothing more to read; the connection is lost */
}

/* attribute a failed result to the pending command it belongs to (none when
 * the error came at a sync, e.g. a deferred constraint at implicit commit) */
static void pipe_error(struct pg_db *p, size_t cur, PGresult *res, struct fw_error *err)
{
	if (cur < p->npend)
		result_fail(p, res, p->pend[cur].sql, p->pend[cur].line, err);
	else
		result_fail(p, res, NULL, 0, err);
}

/* read every result up to the last sync sent; the first error goes to err.
 * libpq returns NULL after each command's results, none after a sync. */
static int pipe_consume(struct pg_db *p, struct fw_error *err)
{
	size_t cur = 0;
	int got = 0, nulls = 0, failed = 0;
	while (p->syncs > 0) {
		PGresult *res = PQgetResult(p->conn);
		if (!res) {
			if (got) {
				cur++;
				got = 0;
			} else if (PQstatus(p->conn) == CONNECTION_BAD || ++nulls > 2) {
				if (!failed)
					conn_fail(p, cur < p->npend ? p->pend[cur].sql : NULL,
						  cur < p->npend ? p->pend[cur].line : 0, err);
				failed = 1;
				p->syncs = 0;
			}
			continue;
		}
		nulls = 0;
		switch (PQresultStatus(res)) {
		case PGRES_PIPELINE_SYNC:
			p->syncs--;
			break;
		case PGRES_FATAL_ERROR:
			got = 1;
			if (!failed)
				pipe_error(p, cur, res, err);
			failed = 1;
			break;
		case PGRES_TUPLES_OK:
			got = 1;
			if (!failed && cur < p->npend && p->pend[cur].want_rows)
				deliver_rows(p, res);
			break;
		default:
			got = 1;
			break;
		}
		PQclear(res);
	}
	clear_pending(p);
	return failed ? -1 : 0;
}

/* end the current segment and read its results */
static int pipe_sync(struct pg_db *p, struct fw_error *err)
{
	if (!p->npend && !p->syncs)
		return 0;
	if (!PQpipelineSync(p->conn)) {
		conn_fail(p, NULL, 0, err);
		clear_pending(p);
		return -1;
	}
	p->syncs++;
	return pipe_consume(p, err);
}

/* send one command without waiting for it */
static int pipe_send(struct pg_db *p, const struct db_cmd *cmd, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	const char *text = cmd->sql;
	struct pending *pd;
	int ok;
	if (cmd->nparams > 0) {
		rewrite_placeholders(cmd->sql, std_strings(p), &sql);
		text = sql.buf;
	}
	ok = PQsendQueryParams(p->conn, text, cmd->nparams, NULL, cmd->params, NULL, NULL, 0);
	strbuf_release(&sql);
	if (!ok)
		return conn_fail(p, cmd->sql, cmd->line, err);
	ALLOC_GROW(p->pend, p->npend + 1, p->alloc_pend);
	pd = &p->pend[p->npend++];
	pd->line = cmd->line;
	pd->want_rows = cmd->want_rows;
	{
		size_t n = strlen(cmd->sql);
		pd->sql = xstrndup(cmd->sql, n > PENDING_SQL_MAX ? PENDING_SQL_MAX : n);
		p->sent_bytes += n;
	}
	return 0;
}

/* COPY ... FROM STDIN cannot be pipelined: run it on its own, outside */
static int run_copy(struct pg_db *p, const struct db_cmd *cmd, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	PGresult *res;
	int ret = 0;
	if (cmd->nparams > 0)
		rewrite_placeholders(cmd->sql, std_strings(p), &sql);
	res = cmd->nparams > 0
		? PQexecParams(p->conn, sql.buf, cmd->nparams, NULL, cmd->params, NULL, NULL, 0)
		: PQexec(p->conn, cmd->sql);
	strbuf_release(&sql);
	if (PQresultStatus(res) == PGRES_COPY_IN) {
		const char *data = cmd->copy_data ? cmd->copy_data : "";
		size_t left = cmd->copy_data ? cmd->copy_len : 0;
		int ok = 1;
		while (ok && left) {
			size_t n = left > COPY_CHUNK ? COPY_CHUNK : left;
			ok = PQputCopyData(p->conn, data, (int)n) == 1;
			data += n;
			left -= n;
		}
		PQputCopyEnd(p->conn, ok ? NULL : "fleetway: sending COPY data failed");
		PQclear(res);
		res = PQgetResult(p->conn);
	} else if (PQresultStatus(res) == PGRES_COPY_OUT) {
		char *buf;
		while (PQgetCopyData(p->conn, &buf, 0) > 0)
			PQfreemem(buf);   /* COPY TO STDOUT output is not shown */
		PQclear(res);
		res = PQgetResult(p->conn);
	}
	if (!res)
		ret = conn_fail(p, cmd->sql, cmd->line, err);
	else if (!result_ok(res))
		ret = result_fail(p, res, cmd->sql, cmd->line, err);
	PQclear(res);
	while ((res = PQgetResult(p->conn)))   /* drain to idle */
		PQclear(res);
	return ret;
}

static int copy_in_batch(struct pg_db *p, const struct db_cmd *cmd, struct fw_error *err)
{
	if (pipe_sync(p, err) < 0)
		return -1;
	pipe_leave(p);
	if (run_copy(p, cmd, err) < 0)
		return -1;
	return pipe_enter(p, err);
}

static int pg_batch_begin(struct db *db, struct fw_error *err)
{
	return pipe_enter(pg(db), err);
}

static int pg_batch_end(struct db *db, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	int ret;
	if (!p->in_pipeline)
		return 0;
	ret = pipe_sync(p, err);
	pipe_leave(p);
	return ret;
}

/* after an error the batch is over: leave the pipeline so the caller can
 * roll back on a usable connection */
static int batch_failed(struct pg_db *p)
{
	clear_pending(p);
	pipe_leave(p);
	return -1;
}

static int pg_batch_add(struct db *db, const struct db_cmd *cmd, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	enum stmt_class cls = classify(cmd->sql, std_strings(p));
	if (pipe_enter(p, err) < 0)
		return -1;
	if (cmd->copy_data || cls == STMT_COPY)
		return copy_in_batch(p, cmd, err) < 0 ? batch_failed(p) : 0;
	if (cls == STMT_OWN_SEGMENT) {
		if (pipe_sync(p, err) < 0 || pipe_send(p, cmd, err) < 0 || pipe_sync(p, err) < 0)
			return batch_failed(p);
		return 0;
	}
	if (pipe_send(p, cmd, err) < 0)
		return batch_failed(p);
	if ((p->npend >= PIPE_MAX_CMDS || p->sent_bytes >= PIPE_MAX_BYTES) && pipe_sync(p, err) < 0)
		return batch_failed(p);
	return 0;
}

/* ---- statements outside the pipeline ---- */

/* exec and query run outside pipeline mode: a pipeline in progress is synced
 * (its error, if any, is reported) and resumed afterwards */
static int pause_pipeline(struct pg_db *p, int *was, struct fw_error *err)
{
	*was = p->in_pipeline;
	if (!*was)
		return 0;
	if (pipe_sync(p, err) < 0)
		return batch_failed(p);
	pipe_leave(p);
	return 0;
}

static int resume_pipeline(struct pg_db *p, int was, int ret, struct fw_error *err)
{
	struct fw_error ignored = FW_ERROR_INIT;
	if (was && pipe_enter(p, ret < 0 ? &ignored : err) < 0)
		ret = -1;
	fw_error_clear(&ignored);
	return ret;
}

/* a COPY started outside a batch: end it without data and drain to idle */
static void abandon_copy(struct pg_db *p, PGresult *res)
{
	char *buf;
	if (PQresultStatus(res) == PGRES_COPY_IN)
		PQputCopyEnd(p->conn, "fleetway: COPY data must come with the command");
	else
		while (PQgetCopyData(p->conn, &buf, 0) > 0)
			PQfreemem(buf);
	PQclear(res);
	while ((res = PQgetResult(p->conn)))
		PQclear(res);
}

/* run sql (with ? parameters when nparams > 0); *out gets the result */
static int run_sync(struct pg_db *p, const char *sql, int nparams, const char *const *params,
		    PGresult **out, struct fw_error *err)
{
	struct strbuf text = STRBUF_INIT;
	PGresult *res;
	int was, ret = 0;
	*out = NULL;
	if (pause_pipeline(p, &was, err) < 0)
		return -1;
	if (nparams > 0) {
		rewrite_placeholders(sql, std_strings(p), &text);
		res = PQexecParams(p->conn, text.buf, nparams, NULL, params, NULL, NULL, 0);
	} else {
		res = PQexec(p->conn, sql);
	}
	strbuf_release(&text);
	if (!res) {
		ret = conn_fail(p, sql, 0, err);
	} else if (PQresultStatus(res) == PGRES_COPY_IN || PQresultStatus(res) == PGRES_COPY_OUT) {
		abandon_copy(p, res);
		res = NULL;
		ret = fw_errorf(err, "ERROR", "COPY needs its data: run it as a batch command");
		db_error_add_statement(err, sql, 0);
	} else if (!result_ok(res)) {
		ret = result_fail(p, res, sql, 0, err);
	}
	if (ret < 0) {
		PQclear(res);
		res = NULL;
	}
	*out = res;
	return resume_pipeline(p, was, ret, err);
}

/* a command with parameters, outside the pipeline, its rows dropped */
static int run_sync_discard(struct pg_db *p, const struct db_cmd *cmd, struct fw_error *err)
{
	PGresult *res;
	int ret = run_sync(p, cmd->sql, cmd->nparams, cmd->params, &res, err);
	PQclear(res);
	return ret;
}

static int pg_exec(struct db *db, const char *sql, struct fw_error *err)
{
	PGresult *res;
	int ret = run_sync(pg(db), sql, 0, NULL, &res, err);
	PQclear(res);
	return ret;
}

static int pg_query(struct db *db, const char *sql, int nparams, const char *const *params,
		    struct db_result **out, struct fw_error *err)
{
	PGresult *res;
	*out = NULL;
	if (run_sync(pg(db), sql, nparams, params, &res, err) < 0)
		return -1;
	*out = to_db_result(res);
	PQclear(res);
	return 0;
}

/* first column of the first row, or NULL */
static int query_value(struct pg_db *p, const char *sql, int nparams, const char *const *params,
		       char **out, struct fw_error *err)
{
	PGresult *res;
	*out = NULL;
	if (run_sync(p, sql, nparams, params, &res, err) < 0)
		return -1;
	if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0))
		*out = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int query_bool(struct pg_db *p, const char *sql, int nparams, const char *const *params,
		      int *out, struct fw_error *err)
{
	char *v;
	if (query_value(p, sql, nparams, params, &v, err) < 0)
		return -1;
	*out = v && !strcmp(v, "t");
	free(v);
	return 0;
}

/* ---- connecting ---- */

/* NOTICE and WARNING messages of statements go to the notice handler (a
 * migration's "DB: ..." lines); the driver prints nothing itself */
static void on_notice(void *arg, const PGresult *res)
{
	struct db *db = arg;
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (db->notice_fn && msg)
		db->notice_fn(db->notice_ctx, state ? state : "00000", 0, msg);
}

static void set_product(struct pg_db *p)
{
	struct strbuf sb = STRBUF_INIT;
	const char *v = PQparameterStatus(p->conn, "server_version");
	strbuf_addstr(&sb, "PostgreSQL ");
	if (v)
		strbuf_add(&sb, v, strcspn(v, " "));
	else
		strbuf_addf(&sb, "%d.%d", PQserverVersion(p->conn) / 10000,
			    PQserverVersion(p->conn) % 10000);
	p->base.product = strbuf_detach(&sb, NULL);
}

/* a connection by libpq keywords/values (NULL-terminated) */
static int connect_params(const char *const *keys, const char *const *values, struct db **out,
			  struct fw_error *err)
{
	struct pg_db *p = xcalloc(1, sizeof(*p));
	p->base.ops = &db_pg_ops;
	p->conn = PQconnectdbParams(keys, values, 0);
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		struct strbuf m = STRBUF_INIT;
		strbuf_addstr(&m, p->conn ? PQerrorMessage(p->conn) : "out of memory");
		strbuf_rtrim(&m);
		redact_buf(&m);
		fw_errorf(err, "DB_CONNECTION", "%s", m.buf);
		strbuf_release(&m);
		PQfinish(p->conn);
		free(p);
		return -1;
	}
	PQsetNoticeReceiver(p->conn, on_notice, &p->base);
	p->cancel = PQgetCancel(p->conn);
	set_product(p);
	*out = &p->base;
	return 0;
}

static int pg_open(const struct db_url *u, const struct db_params *prm, struct db **out,
		   struct fw_error *err)
{
	struct db_pg_conninfo ci = { STRVEC_INIT, STRVEC_INIT, NULL };
	int ret;

	if (fw_libpq_load(err) < 0)
		return -1;
	db_pg_conninfo_build(u, prm, &ci);
	ret = connect_params((const char *const *)ci.keys.v, (const char *const *)ci.values.v, out,
			     err);
	if (ret == 0)
		db_pg_conninfo_connected(&ci, pg(*out)->conn);
	db_pg_conninfo_release(&ci);
	return ret;
}

static void pg_close(struct db *db)
{
	struct pg_db *p = pg(db);
	clear_pending(p);
	free(p->pend);
	free(p->locks);
	free(p->current_user);
	free(p->current_schema);
	free(p->original_path);
	free(p->saved_lock_timeout);
	free(p->saved_statement_timeout);
	if (p->cancel)
		PQfreeCancel(p->cancel);
	PQfinish(p->conn);
	free(p);
}

/* ---- introspection ---- */

static int pg_current_schema(struct db *db, char **out, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	if (query_value(p, "SELECT current_schema()", 0, NULL, out, err) < 0)
		return -1;
	if (!p->current_schema && *out)
		p->current_schema = xstrdup(*out);
	return 0;
}

/* ---- the session as it opened (db_session_read, db_session_restore) ---- */

/* the user the session started as, once per connection (the first look
 * usually brought it): installed_by (reference 4.4) and the role that
 * pg_session_restore puts back */
static int cache_current_user(struct pg_db *p, struct fw_error *err)
{
	if (p->current_user)
		return 0;
	return query_value(p, "SELECT current_user", 0, NULL, &p->current_user, err);
}

/* the user the session started as and its search_path, read before any
 * script can change them */
static int pg_session_read(struct db *db, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	if (cache_current_user(p, err) < 0)
		return -1;
	if (p->original_path)   /* read before, or brought by the lock (pg_lock) */
		return 0;
	return query_value(p, "SELECT current_setting('search_path')", 0, NULL, &p->original_path, err);
}

/* Flyway's changeCurrentSchemaTo: the schema, quoted, before the path the
 * session opened with; nothing when that path is the schema or starts with
 * it. Built from the original path, so a path a script set is undone. */
static int schema_first_path(const struct pg_db *p, const char *schema, struct strbuf *out)
{
	size_t n = strlen(schema);
	const char *orig = p->original_path;
	if (!strcmp(orig, schema) || (!strncmp(orig, schema, n) && orig[n] == ','))
		return 0;
	quote(schema, out);
	if (*orig)
		strbuf_addf(out, ",%s", orig);
	return 1;
}

/* One statement, joining the batch when there is one: the role back to the
 * user the session started as (Flyway's SET ROLE), then the search_path
 * unless the schema does not exist (yet). */
static int pg_session_restore(struct db *db, const char *schema, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	struct strbuf path = STRBUF_INIT, name = STRBUF_INIT;
	const char *params[3];
	struct db_cmd cmd;
	int ret;
	if (!p->original_path || !p->current_user)
		return fw_errorf(err, "ERROR", "internal: the session was not read before a script");
	memset(&cmd, 0, sizeof(cmd));
	params[0] = p->current_user;
	cmd.sql = "SELECT set_config('role', ?, false)";
	cmd.nparams = 1;
	if (schema && schema_first_path(p, schema, &path)) {
		quote(schema, &name);
		params[1] = name.buf;
		params[2] = path.buf;
		cmd.sql = "SELECT set_config('role', ?, false), CASE WHEN to_regnamespace(?) IS NOT NULL"
			  " THEN set_config('search_path', ?, false) END";
		cmd.nparams = 3;
	}
	cmd.params = params;
	ret = p->in_pipeline ? pg_batch_add(db, &cmd, err) : run_sync_discard(p, &cmd, err);
	strbuf_release(&path);
	strbuf_release(&name);
	return ret;
}

/* Unqualified names resolve to schema from now on (a scratch database's
 * objects, schema by schema): as before a script. Nothing to do while no
 * script ran and the schema is already the current one. */
static int pg_set_default_schema(struct db *db, const char *schema, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	if (!p->original_path && p->current_schema && !strcmp(p->current_schema, schema))
		return 0;
	if (pg_session_read(db, err) < 0)
		return -1;
	return pg_session_restore(db, schema, err);
}

static void pg_default_schema_sql(struct db *db, const char *schema, struct strbuf *out)
{
	struct strbuf name = STRBUF_INIT;
	db_quote_ident(db, schema, &name);
	strbuf_addstr(out, "SELECT set_config('search_path', ");
	db_quote_literal(db, name.buf, out);
	strbuf_addstr(out, " || ', ' || current_setting('search_path'), false);");
	strbuf_release(&name);
}

/* reference 4.4: installed_by defaults to current_user */
static int pg_current_user(struct db *db, char **out, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	if (cache_current_user(p, err) < 0)
		return -1;
	*out = xstrdup(p->current_user ? p->current_user : "");
	return 0;
}

static int pg_database_name(struct db *db, char **out, struct fw_error *err)
{
	const char *name = PQdb(pg(db)->conn);
	*out = name ? xstrdup(name) : NULL;
	return 0;
}

static int pg_schema_exists(struct db *db, const char *schema, int *exists, struct fw_error *err)
{
	const char *params[] = { schema };
	return query_bool(pg(db), "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace"
			  " WHERE nspname = ?)", 1, params, exists, err);
}

static int pg_table_exists(struct db *db, const char *schema, const char *table, int *exists,
			   struct fw_error *err)
{
	const char *params[] = { schema, table };
	return query_bool(pg(db), "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
			  " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
			  " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p'))",
			  2, params, exists, err);
}

/* The four questions of a connection's first look in one statement. A fleet
 * of far-away targets pays its round trips per target, and a fleet on one
 * server pays each new backend's catalog reads: every function and operator a
 * statement names is looked up cold. So the names are quoted here, and the
 * statement calls only what it must (per backend, log_statement_stats: 4-5 ms
 * of CPU, against 8-9 ms with quote_ident, || and coalesce). to_regclass and
 * to_regnamespace go through the catalog caches that the history read uses
 * next, where a query on pg_class would be planned and run on its own. */
static int probe_sync(struct pg_db *p, const char *schema, const char *table, PGresult **res,
		      struct fw_error *err)
{
	struct strbuf nsp = STRBUF_INIT, rel = STRBUF_INIT;
	int ret;
	/* current_schema without parentheses is SQL syntax, not a function to
	 * look up by name (before PostgreSQL 16) */
	if (!schema)   /* the current schema's: it exists when there is one */
		return run_sync(p, "SELECT current_schema, current_user, current_schema IS NOT NULL,"
				   " CASE WHEN current_schema IS NOT NULL THEN"
				   " to_regclass(format('%I.%I', current_schema, ?::text)) IS NOT NULL END",
				1, (const char *const[]){ table }, res, err);
	quote(schema, &nsp);
	qualify(schema, table, &rel);
	ret = run_sync(p, "SELECT current_schema, current_user,"
			  " to_regnamespace(?::text) IS NOT NULL, to_regclass(?::text) IS NOT NULL",
		       2, (const char *const[]){ nsp.buf, rel.buf }, res, err);
	strbuf_release(&nsp);
	strbuf_release(&rel);
	return ret;
}

static int pg_probe(struct db *db, const char *schema, const char *table, struct db_probe *out,
		    struct fw_error *err)
{
	struct pg_db *p = pg(db);
	PGresult *res;
	if (PQserverVersion(p->conn) < 90600)   /* to_regclass(text) came in 9.6 */
		return 0;
	if (probe_sync(p, schema, table, &res, err) < 0)
		return -1;
	if (PQntuples(res) == 1) {
		if (!PQgetisnull(res, 0, 0)) {
			out->current_schema = xstrdup(PQgetvalue(res, 0, 0));
			if (!p->current_schema)
				p->current_schema = xstrdup(out->current_schema);
		}
		if (!p->current_user && !PQgetisnull(res, 0, 1))
			p->current_user = xstrdup(PQgetvalue(res, 0, 1));
		out->schema_exists = !strcmp(PQgetvalue(res, 0, 2), "t");
		out->table_exists = !strcmp(PQgetvalue(res, 0, 3), "t");
		out->answered = 1;
	}
	PQclear(res);
	return 0;
}

/* the planner's own estimate: reltuples scaled to the pages the table has
 * now; NULL before the first ANALYZE (reltuples -1, or no pages counted),
 * and db_table_size then counts */
static int pg_table_size(struct db *db, const char *schema, const char *table, long long limit,
			 struct db_table_size *out, struct fw_error *err)
{
	const char *params[] = { schema, table };
	struct db_result *r;
	(void)limit;
	if (pg_query(db, "SELECT CASE WHEN c.reltuples >= 0 AND c.relpages > 0 THEN"
		     " (c.reltuples / c.relpages * (pg_catalog.pg_relation_size(c.oid)"
		     " / current_setting('block_size')::int))::bigint END,"
		     " pg_catalog.pg_total_relation_size(c.oid)"
		     " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		     " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p', 'm')",
		     2, params, &r, err) < 0)
		return -1;
	if (r->nrows == 1) {
		out->bytes = db_value(r, 0, 1) ? atoll(db_value(r, 0, 1)) : -1;
		if (db_value(r, 0, 0)) {
			out->found = 1;
			out->rows = atoll(db_value(r, 0, 0));
			out->how = DB_ROWS_ESTIMATE;
		}
	}
	db_result_free(r);
	return 0;
}

/* one set_config() per limit given, in one statement: it joins a batch */
static void timeouts_sql(const struct db_timeouts *to, int local, struct strbuf *sql, const char **params,
			 char vals[2][32], int *n)
{
	const char *loc = local ? "true" : "false";
	*n = 0;
	strbuf_addstr(sql, "SELECT ");
	if (to->lock_ms) {
		snprintf(vals[*n], sizeof(vals[0]), "%ldms", to->lock_ms);
		params[*n] = vals[*n];
		strbuf_addf(sql, "set_config('lock_timeout', ?, %s)", loc);
		(*n)++;
	}
	if (to->statement_ms) {
		snprintf(vals[*n], sizeof(vals[0]), "%ldms", to->statement_ms);
		params[*n] = vals[*n];
		strbuf_addf(sql, "%sset_config('statement_timeout', ?, %s)", *n ? ", " : "", loc);
		(*n)++;
	}
}

static int save_session_timeouts(struct pg_db *p, struct fw_error *err)
{
	struct db_result *r;
	if (p->saved_lock_timeout)
		return 0;
	if (pg_query(&p->base, "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')", 0, NULL,
		     &r, err) < 0)
		return -1;
	p->saved_lock_timeout = xstrdup(db_value(r, 0, 0) ? db_value(r, 0, 0) : "0");
	p->saved_statement_timeout = xstrdup(db_value(r, 0, 1) ? db_value(r, 0, 1) : "0");
	db_result_free(r);
	return 0;
}

/* in a transaction: SET LOCAL (ends with it); outside one: for the session,
 * its own values kept to be restored */
static int pg_set_timeouts(struct db *db, const struct db_timeouts *to, enum db_timeouts_when when,
			   struct fw_error *err)
{
	struct pg_db *p = pg(db);
	struct strbuf sql = STRBUF_INIT;
	const char *params[2];
	char vals[2][32];
	struct db_cmd cmd;
	int n, ret;
	if (when == DB_TIMEOUTS_BEFORE_BEGIN)
		return 0;
	if (when == DB_TIMEOUTS_NO_TX && save_session_timeouts(p, err) < 0)
		return -1;
	timeouts_sql(to, when == DB_TIMEOUTS_IN_TX, &sql, params, vals, &n);
	memset(&cmd, 0, sizeof(cmd));
	cmd.sql = sql.buf;
	cmd.nparams = n;
	cmd.params = params;
	ret = p->in_pipeline ? pg_batch_add(db, &cmd, err) : run_sync_discard(p, &cmd, err);
	strbuf_release(&sql);
	return ret;
}

static int pg_reset_timeouts(struct db *db, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	const char *params[] = { p->saved_lock_timeout, p->saved_statement_timeout };
	struct db_cmd cmd;
	int ret;
	if (!p->saved_lock_timeout)
		return 0;
	memset(&cmd, 0, sizeof(cmd));
	cmd.sql = "SELECT set_config('lock_timeout', ?, false), set_config('statement_timeout', ?, false)";
	cmd.nparams = 2;
	cmd.params = params;
	ret = run_sync_discard(p, &cmd, err);
	free(p->saved_lock_timeout);
	free(p->saved_statement_timeout);
	p->saved_lock_timeout = p->saved_statement_timeout = NULL;
	return ret;
}

/* ShareLock and stronger block writers; ShareUpdateExclusive (CREATE INDEX
 * CONCURRENTLY, VALIDATE) and weaker do not */
static int pg_locks_held(struct db *db, struct strvec *out, struct fw_error *err)
{
	struct db_result *r;
	if (pg_query(db, "SELECT l.mode || ' on ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
		     " FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c ON c.oid = l.relation"
		     " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		     " WHERE l.pid = pg_backend_pid() AND l.granted AND l.locktype = 'relation'"
		     " AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')"
		     " AND c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
		     " AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1", 0, NULL, &r, err) < 0)
		return -1;
	for (int i = 0; i < r->nrows; i++)
		if (db_value(r, i, 0))
			strvec_push(out, db_value(r, i, 0));
	db_result_free(r);
	return 0;
}

/* 55P03 lock_not_available is lock_timeout's; 57014 query_canceled is also a
 * cancel request's, so the message tells */
static int pg_timeout_kind(const struct db *db, const struct fw_error *err)
{
	(void)db;
	if (!strcmp(err->sqlstate, "55P03"))
		return 1;
	if (!strcmp(err->sqlstate, "57014") && strstr(err->message.buf ? err->message.buf : "", "statement timeout"))
		return 2;
	return 0;
}

/* object oid not owned by an extension (deptype 'e') */
#define NOT_EXT(oid, catalog) \
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = " oid \
	" AND d.classid = '" catalog "'::regclass AND d.deptype = 'e')"

/* reference 6.1: no table, view, sequence, type or function that an
 * extension does not own (array types come with their element type) */
static const char empty_sql[] =
	"SELECT NOT EXISTS ("
	" SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid"
	"  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')" NOT_EXT("c.oid", "pg_catalog.pg_class")
	" UNION ALL"
	" SELECT 1 FROM pg_catalog.pg_type t WHERE t.typnamespace = n.oid"
	"  AND t.typtype IN ('b', 'd', 'e', 'r') AND t.typcategory <> 'A'"
	NOT_EXT("t.oid", "pg_catalog.pg_type")
	" UNION ALL"
	" SELECT 1 FROM pg_catalog.pg_proc f WHERE f.pronamespace = n.oid"
	NOT_EXT("f.oid", "pg_catalog.pg_proc")
	") FROM pg_catalog.pg_namespace n WHERE n.nspname = ?";

static int pg_schema_is_empty(struct db *db, const char *schema, int *empty,
			      struct fw_error *err)
{
	const char *params[] = { schema };
	char *v;
	if (query_value(pg(db), empty_sql, 1, params, &v, err) < 0)
		return -1;
	*empty = !v || !strcmp(v, "t");   /* a missing schema is empty */
	free(v);
	return 0;
}

static int pg_create_schema(struct db *db, const char *schema, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;
	db_create_schema_sql(db, schema, &sql);   /* the text a dry run writes */
	ret = pg_exec(db, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

static int pg_drop_schema(struct db *db, const char *schema, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;
	strbuf_addstr(&sql, "DROP SCHEMA ");
	quote(schema, &sql);
	strbuf_addstr(&sql, " CASCADE");
	ret = pg_exec(db, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

/* run a multi-statement script in a transaction of its own unless one is open
 * (one round trip: BEGIN and COMMIT travel with the script) */
static int exec_in_tx(struct pg_db *p, const char *script, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	int own = PQtransactionStatus(p->conn) == PQTRANS_IDLE && !p->in_pipeline, ret;
	if (own)
		strbuf_addstr(&sql, "BEGIN;\n");
	strbuf_addstr(&sql, script);
	if (own)
		strbuf_addstr(&sql, "\nCOMMIT;");
	ret = pg_exec(&p->base, sql.buf, err);
	if (ret < 0 && own && PQtransactionStatus(p->conn) == PQTRANS_INERROR) {
		struct fw_error ignored = FW_ERROR_INIT;
		pg_exec(&p->base, "ROLLBACK", &ignored);
		fw_error_clear(&ignored);
	}
	strbuf_release(&sql);
	return ret;
}

/* reference 4.2, PostgreSQL: exactly this text, in one transaction */
static void pg_history_table_sql(struct db *db, const char *schema, const char *table,
				 const char *tablespace, struct strbuf *out)
{
	struct strbuf q = STRBUF_INIT, name = STRBUF_INIT, ts = STRBUF_INIT;
	qualify(schema, table, &q);
	if (tablespace && *tablespace)
		quote(tablespace, &ts);
	strbuf_addf(out, "CREATE TABLE %s (\n"
		"    \"installed_rank\" INT NOT NULL,\n"
		"    \"version\" VARCHAR(50),\n"
		"    \"description\" VARCHAR(200) NOT NULL,\n"
		"    \"type\" VARCHAR(20) NOT NULL,\n"
		"    \"script\" VARCHAR(1000) NOT NULL,\n"
		"    \"checksum\" INTEGER,\n"
		"    \"installed_by\" VARCHAR(100) NOT NULL,\n"
		"    \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),\n"
		"    \"execution_time\" INTEGER NOT NULL,\n"
		"    \"success\" BOOLEAN NOT NULL\n"
		")", q.buf);
	if (ts.len)
		strbuf_addf(out, " TABLESPACE %s", ts.buf);
	strbuf_addf(out, ";\nALTER TABLE %s ADD CONSTRAINT ", q.buf);
	strbuf_addf(&name, "%s_pk", table);
	quote(name.buf, out);
	strbuf_addstr(out, " PRIMARY KEY (\"installed_rank\")");
	if (ts.len)
		strbuf_addf(out, " USING INDEX TABLESPACE %s", ts.buf);
	strbuf_addstr(out, ";\nCREATE INDEX ");
	strbuf_reset(&name);
	strbuf_addf(&name, "%s_s_idx", table);
	quote(name.buf, out);
	strbuf_addf(out, " ON %s (\"success\")", q.buf);
	if (ts.len)
		strbuf_addf(out, " TABLESPACE %s", ts.buf);
	strbuf_addch(out, ';');
	strbuf_release(&q);
	strbuf_release(&name);
	strbuf_release(&ts);
}

static int pg_exec_atomic(struct db *db, const char *script, struct fw_error *err)
{
	return exec_in_tx(pg(db), script, err);
}

/* ---- clean (reference 7.3) ---- */

#define REL(ord, what, kinds) \
	" SELECT " ord ", format('DROP " what " IF EXISTS %I.%I CASCADE', n.nspname, c.relname)" \
	" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace" \
	" WHERE n.nspname = $1 AND c.relkind IN (" kinds ")" NOT_EXT("c.oid", "pg_catalog.pg_class")

/* every DROP that clean needs, in dependency-safe order; CASCADE and IF
 * EXISTS make objects already dropped along with others harmless. Objects an
 * extension owns are left to the extension, which is dropped last when it
 * lives in the schema. Triggers, indexes and constraints go with tables.
 * routine_ord/routine_kind tell aggregates and procedures apart (prokind
 * since PostgreSQL 11, proisagg before). */
#define CLEAN_SQL(routine_ord, routine_kind) \
	"SELECT stmt FROM (" \
	REL("1", "MATERIALIZED VIEW", "'m'") " UNION ALL" \
	REL("2", "VIEW", "'v'") " UNION ALL" \
	REL("3", "TABLE", "'r', 'p'") " UNION ALL" \
	REL("4", "FOREIGN TABLE", "'f'") " UNION ALL" \
	REL("5", "SEQUENCE", "'S'") " UNION ALL" \
	" SELECT " routine_ord ", format('DROP %s IF EXISTS %I.%I(%s) CASCADE', " routine_kind "," \
	"  n.nspname, f.proname, pg_catalog.pg_get_function_identity_arguments(f.oid))" \
	" FROM pg_catalog.pg_proc f JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace" \
	" WHERE n.nspname = $1" NOT_EXT("f.oid", "pg_catalog.pg_proc") \
	/* range and multirange constructors go with their type */ \
	" AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = f.oid" \
	"  AND d.classid = 'pg_catalog.pg_proc'::regclass AND d.deptype = 'i') UNION ALL" \
	" SELECT CASE t.typtype WHEN 'd' THEN 8 ELSE 9 END," \
	"  format('DROP %s IF EXISTS %I.%I CASCADE'," \
	"   CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname)" \
	" FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace" \
	" WHERE n.nspname = $1 AND t.typcategory <> 'A' AND (t.typtype IN ('b', 'd', 'e', 'r')" \
	"  OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c" \
	"      WHERE c.oid = t.typrelid) = 'c'))" NOT_EXT("t.oid", "pg_catalog.pg_type") " UNION ALL" \
	" SELECT 10, format('DROP EXTENSION IF EXISTS %I CASCADE', e.extname)" \
	" FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace" \
	" WHERE n.nspname = $1" \
	") s (ord, stmt) ORDER BY ord"

static const char clean_sql[] = CLEAN_SQL(
	"CASE f.prokind WHEN 'a' THEN 6 ELSE 7 END",
	"CASE f.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END");
static const char clean_sql_pre11[] = CLEAN_SQL(
	"CASE WHEN f.proisagg THEN 6 ELSE 7 END",
	"CASE WHEN f.proisagg THEN 'AGGREGATE' ELSE 'FUNCTION' END");

/* the DROPs run CLEAN_CHUNK at a time, each chunk one round trip and one
 * transaction (a single one could run out of lock table space) */
static int pg_clean_schema(struct db *db, const char *schema, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	struct strbuf chunk = STRBUF_INIT;
	const char *params[] = { schema };
	PGresult *res;
	int ret;

	ret = run_sync(p, PQserverVersion(p->conn) >= 110000 ? clean_sql : clean_sql_pre11, 1,
		       params, &res, err);
	for (int i = 0, n = 0; ret == 0 && i < PQntuples(res); i++) {
		strbuf_addstr(&chunk, PQgetvalue(res, i, 0));
		strbuf_addstr(&chunk, ";\n");
		if (++n == CLEAN_CHUNK || i == PQntuples(res) - 1) {
			ret = exec_in_tx(p, chunk.buf, err);
			strbuf_reset(&chunk);
			n = 0;
		}
	}
	PQclear(res);
	strbuf_release(&chunk);
	return ret;
}

/* ---- the lock (reference 12.1, session mode) ---- */

static void lock_key_sql(const char *fn, long long key, struct strbuf *sql)
{
	strbuf_addf(sql, "SELECT %s(%lld)", fn, key);
}

/* Flyway's retry loop, except that retry_count counts retries after the
 * first attempt with 1 s between them and no wait after the last: 0 fails at
 * once, N gives up after about N seconds, -1 never gives up */
static int pg_lock(struct db *db, const char *schema, const char *table, int retry_count,
		   struct fw_error *err)
{
	struct pg_db *p = pg(db);
	struct strbuf q = STRBUF_INIT, sql = STRBUF_INIT;
	long long key;
	size_t bare;
	int got = 0;

	qualify(schema, table, &q);
	key = FLYWAY_LOCK_BASE + db_java_hash(q.buf);
	lock_key_sql("pg_try_advisory_lock", key, &sql);
	strbuf_release(&q);
	/* No script ran yet (pg_session_read would have read it): the path is
	 * still the one the session opened with, and the lock's round trip
	 * brings it along for the first migration's db_session_restore. The
	 * retries ask for the lock alone. */
	bare = sql.len;
	if (!p->original_path)
		strbuf_addstr(&sql, ", current_setting('search_path')");
	for (int attempt = 0;; attempt++) {
		PGresult *res;
		if (run_sync(p, sql.buf, 0, NULL, &res, err) < 0) {
			strbuf_release(&sql);
			return -1;
		}
		got = PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) && !strcmp(PQgetvalue(res, 0, 0), "t");
		if (!p->original_path && PQnfields(res) > 1 && PQntuples(res) > 0 && !PQgetisnull(res, 0, 1))
			p->original_path = xstrdup(PQgetvalue(res, 0, 1));
		PQclear(res);
		strbuf_setlen(&sql, bare);
		if (got || (retry_count >= 0 && attempt >= retry_count))
			break;
		for (int slice = 0; slice < 10 && !atomic_load(&p->base.cancelled); slice++)
			db_sleep_ms(100);
		if (atomic_load(&p->base.cancelled))
			break;
	}
	strbuf_release(&sql);
	if (!got && atomic_load(&p->base.cancelled))
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR",
				      "Interrupted while attempting to acquire PostgreSQL advisory lock");
	if (!got)
		return fw_errorf(err, "ERROR", "Number of retries exceeded while attempting to acquire "
				 "PostgreSQL advisory lock. Configure the number of retries with the "
				 "'lockRetryCount' configuration option: https://rd.gt/3A57jfk");
	ALLOC_GROW(p->locks, p->nlocks + 1, p->alloc_locks);
	p->locks[p->nlocks++] = key;
	return 0;
}

static int pg_unlock(struct db *db, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	struct strbuf sql = STRBUF_INIT;
	int released = 0;
	if (!p->nlocks)
		return 0;
	lock_key_sql("pg_advisory_unlock", p->locks[p->nlocks - 1], &sql);
	if (query_bool(p, sql.buf, 0, NULL, &released, err) < 0) {
		fw_error_prefix(err, "unable to release the PostgreSQL advisory lock");
		strbuf_release(&sql);
		return -1;
	}
	strbuf_release(&sql);
	p->nlocks--;
	return 0;
}

/* ---- scratch databases ---- */

/* CREATE DATABASE with the encoding and locale of this one: from template1
 * when they match (it may carry extensions the database got too), else from
 * template0 with them spelt out */
static void scratch_create_sql(struct pg_db *p, const char *name, struct strbuf *sql)
{
	struct fw_error ignored = FW_ERROR_INIT;
	PGresult *res;
	strbuf_addstr(sql, "CREATE DATABASE ");
	quote(name, sql);
	if (run_sync(p, "SELECT pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,"
		     " d.encoding = t.encoding AND d.datcollate = t.datcollate"
		     " AND d.datctype = t.datctype"
		     " FROM pg_catalog.pg_database d, pg_catalog.pg_database t"
		     " WHERE d.datname = current_database() AND t.datname = 'template1'",
		     0, NULL, &res, &ignored) == 0 && PQntuples(res) == 1 &&
	    strcmp(PQgetvalue(res, 0, 3), "t")) {
		strbuf_addstr(sql, " TEMPLATE template0 ENCODING '");
		strbuf_add_doubled(sql, PQgetvalue(res, 0, 0), '\'');
		strbuf_addstr(sql, "' LC_COLLATE '");
		strbuf_add_doubled(sql, PQgetvalue(res, 0, 1), '\'');
		strbuf_addstr(sql, "' LC_CTYPE '");
		strbuf_add_doubled(sql, PQgetvalue(res, 0, 2), '\'');
		strbuf_addch(sql, '\'');
	}
	PQclear(res);
	fw_error_clear(&ignored);
}

static int pg_scratch_drop(struct db *db, const char *name, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	struct strbuf sql = STRBUF_INIT;
	int ret;
	strbuf_addstr(&sql, "DROP DATABASE IF EXISTS ");
	quote(name, &sql);
	/* a closed session's backend may still be on its way out */
	if (PQserverVersion(p->conn) >= 130000)
		strbuf_addstr(&sql, " WITH (FORCE)");
	for (int tries = 0;; tries++) {
		ret = pg_exec(db, sql.buf, err);
		if (ret == 0 || strcmp(err->sqlstate, "55006") || tries == 50)
			break;
		fw_error_clear(err);
		db_sleep_ms(100);
	}
	strbuf_release(&sql);
	return ret;
}

/* a new connection like this one's (libpq's own record of its settings,
 * password included) to database name */
static int connect_like(struct pg_db *p, const char *name, struct db **out, struct fw_error *err)
{
	PQconninfoOption *opts = PQconninfo(p->conn);
	struct strvec keys = STRVEC_INIT, values = STRVEC_INIT;
	int ret;
	for (PQconninfoOption *o = opts; o && o->keyword; o++) {
		if (!o->val || !strcmp(o->keyword, "dbname"))
			continue;
		strvec_push(&keys, o->keyword);
		strvec_push(&values, o->val);
	}
	strvec_push(&keys, "dbname");
	strvec_push(&values, name);
	PQconninfoFree(opts);
	ret = connect_params((const char *const *)keys.v, (const char *const *)values.v, out, err);
	strvec_clear(&keys);
	strvec_clear(&values);
	return ret;
}

static int pg_scratch_create(struct db *db, const char *name, const char *like_schema,
			     struct db **out, struct fw_error *err)
{
	struct pg_db *p = pg(db);
	struct strbuf sql = STRBUF_INIT;
	struct fw_error ignored = FW_ERROR_INIT;
	int ret;
	(void)like_schema;   /* a new database has every schema to itself */
	scratch_create_sql(p, name, &sql);
	ret = pg_exec(db, sql.buf, err);
	strbuf_release(&sql);
	if (ret < 0) {
		if (!strcmp(err->sqlstate, "42501")) {
			fw_error_prefix(err, "unable to create a scratch database on %s",
					db_display_url(db));
			fw_error_hint(err, "the user needs the CREATEDB privilege (ALTER ROLE ... "
				      "CREATEDB), or name a build database the user may use");
		} else {
			fw_error_prefix(err, "unable to create a scratch database");
		}
		return -1;
	}
	if (connect_like(p, name, out, err) < 0) {
		fw_error_prefix(err, "unable to connect to scratch database %s", name);
		pg_scratch_drop(db, name, &ignored);
		fw_error_clear(&ignored);
		return -1;
	}
	(*out)->scratch_schema = xstrdup("public");
	return 0;
}

static void pg_cancel(struct db *db)
{
	struct pg_db *p = pg(db);
	char buf[256];
	if (p->cancel)
		PQcancel(p->cancel, buf, sizeof(buf));
}

void *db_pg_native(struct db *db)
{
	return db && db->ops == &db_pg_ops ? pg(db)->conn : NULL;
}

const struct db_ops db_pg_ops = {
	.name = "PostgreSQL",
	.kind = DB_POSTGRES,
	.open = pg_open,
	.close = pg_close,
	.quote_ident = pg_quote_ident,
	.exec = pg_exec,
	.query = pg_query,
	.batch_begin = pg_batch_begin,
	.batch_add = pg_batch_add,
	.batch_end = pg_batch_end,
	.current_schema = pg_current_schema,
	.current_user = pg_current_user,
	.database_name = pg_database_name,
	.schema_exists = pg_schema_exists,
	.schema_is_empty = pg_schema_is_empty,
	.table_exists = pg_table_exists,
	.create_schema = pg_create_schema,
	.probe = pg_probe,
	.exec_atomic = pg_exec_atomic,
	.set_default_schema = pg_set_default_schema,
	.session_read = pg_session_read,
	.session_restore = pg_session_restore,
	.default_schema_sql = pg_default_schema_sql,
	/* now() is the transaction's start; inside a group each migration stamps
	 * its own start in a transaction-local setting */
	.clock_restart_sql = "SELECT set_config('fleetway.migration_start', clock_timestamp()::text, true)",
	.elapsed_ms_sql = "CAST(EXTRACT(EPOCH FROM (clock_timestamp() - %s)) * 1000 AS INTEGER)",
	.tx_start_expr = "now()",
	.restart_expr = "current_setting('fleetway.migration_start')::timestamptz",
	.history_table_sql = pg_history_table_sql,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.clean_schema = pg_clean_schema,
	.drop_schema = pg_drop_schema,
	.read_schema = db_pg_read_schema,
	.scratch_create = pg_scratch_create,
	.scratch_drop = pg_scratch_drop,
	.table_size = pg_table_size,
	.set_timeouts = pg_set_timeouts,
	.reset_timeouts = pg_reset_timeouts,
	.timeout_kind = pg_timeout_kind,
	.locks_held = pg_locks_held,
	.cancel = pg_cancel,
	.supports_ddl_transactions = 1,
	.bool_true = "TRUE",
	.bool_false = "FALSE",
};
