/* The MySQL / MariaDB driver, on libmariadb (MariaDB Connector/C).
 *
 * Schemas are databases. The connection speaks utf8mb4, always over TCP
 * unless the URL names a local socket (a JDBC URL with "localhost" must not
 * land on the system's /run/mysqld socket), and identifies itself with the
 * connection attribute program_name=fleetway.
 *
 * Round trips are the cost (DESIGN.md): inside a batch, commands are joined
 * into one multi-statement text and sent together at db_batch_end, or every
 * BATCH_MAX_CMDS commands / BATCH_MAX_BYTES of SQL. The server runs such a
 * text one statement at a time and stops at the first error, exactly as if
 * the statements had been sent one by one, so DDL before a failure stays
 * committed and nothing after it runs. Results come back in order, one per
 * statement, which is how an error or a result set is matched to its
 * command. A command that may give more than one result (CALL, EXECUTE, a
 * compound statement with ';' inside) or none of its own making (LOAD DATA
 * LOCAL) is sent on its own so the matching cannot slip.
 *
 * Parameters ('?') are replaced on the client by quoted literals made with
 * mysql_real_escape_string, which knows the connection's character set and
 * NO_BACKSLASH_ESCAPES; values are text, as everywhere in db.h.
 *
 * Migration SQL runs with the default schema as the current database
 * (db_set_default_schema), switched to with mysql_select_db only when the
 * connection is elsewhere.
 *
 * The migration lock is Flyway's named lock GET_LOCK('Flyway-<hash>', 10)
 * (reference 12.2), retried until it is granted; a server that refuses it
 * (Percona XtraDB Cluster in strict mode) is an error. db_cancel() stops a
 * statement (or that wait) with KILL QUERY from a second connection and
 * makes queued commands and lock waits give up. */
#include "db/db-internal.h"
#include "db/libload.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BATCH_MAX_CMDS 1000
#define BATCH_MAX_BYTES (512 * 1024)  /* well below any server's max_allowed_packet */
#define PENDING_SQL_MAX 4096          /* statement text kept per command for error messages */
#define CLEAN_CHUNK 100               /* DROP statements per round trip of clean */
#define LOCK_WAIT_S 10                /* GET_LOCK timeout, as Flyway */
#define LOCK_RETRY_MS 100
#define DEFAULT_CONNECT_TIMEOUT_S 10

enum tls_mode { TLS_OFF, TLS_PREFERRED, TLS_REQUIRED, TLS_VERIFY };

/* everything needed to connect, kept for the second connection of cancel */
struct my_conf {
	char *host, *socket, *user, *password, *database;
	unsigned int port;
	unsigned int connect_timeout, rw_timeout;   /* seconds, 0 = library default */
	unsigned int local_infile;
	char *init_command;                         /* sessionVariables */
	enum tls_mode tls;
	char *ssl_ca, *ssl_capath, *ssl_cert, *ssl_key, *ssl_crl, *ssl_cipher, *tls_version;
};

/* a command sent (or queued) whose result has not been read yet */
struct pending {
	const char *sql;     /* text shown in errors */
	char *copy;          /* owned copy behind sql, for queued commands */
	int line;
	int want_rows;
};

struct my_db {
	struct db base;
	MYSQL *conn;
	struct my_conf conf;
	unsigned long thread_id;   /* for KILL QUERY */
	int mariadb;               /* the server says MariaDB */
	char *current_user;        /* cached: one query per connection */
	char *database;            /* the URL's database, else DATABASE() at first use */
	char *default_schema;      /* db_set_default_schema; NULL = none */
	int default_exists;        /* it exists (or USE failed for another reason) */
	/* batch: queued commands as one multi-statement text */
	int batching;
	struct strbuf batch;
	struct pending *pend;
	size_t npend, alloc_pend;
	/* named locks held, innermost last (GET_LOCK nests per name) */
	char **locks;
	size_t nlocks, alloc_locks;
	/* the session's own lock and statement limits while a migration's are set */
	struct db_result *saved_limits;
	/* the session as it opened, put back before every script (db_session_read) */
	int session_read;
	char fk_checks[8], safe_updates[8];   /* @@foreign_key_checks, @@sql_safe_updates */
	int vars_listed;                      /* the server lists this session's user variables
					       * (MariaDB 10.2+, MySQL 5.7+, where the user may) */
};

static struct my_db *my(struct db *db)
{
	if (db->ops != &db_mysql_ops)
		abort();   /* a programming error, like a failed assert */
	return (struct my_db *)db;
}

/* ---- library ---- */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_ok;

static void lib_init(void)
{
	lib_ok = mysql_library_init(0, NULL, NULL) == 0;
}

/* mysql_library_init is not thread-safe, and mysql_init would call it on
 * first use: do it once for the process. mysql_thread_init is a no-op in
 * Connector/C 3 but needed by older client libraries in every thread that
 * opens a connection; it may be called repeatedly. */
static int lib_ready(void)
{
	pthread_once(&lib_once, lib_init);
	if (!lib_ok)
		return 0;
	mysql_thread_init();
	return 1;
}

/* a thread that opened connections gives back what mysql_thread_init took */
static void my_thread_end(void)
{
	if (__atomic_load_n(&lib_ok, __ATOMIC_SEQ_CST))
		mysql_thread_end();
}

/* ---- quoting ---- */

static void quote(const char *name, struct strbuf *out)
{
	db_quote_with('`', name, out);
}

static void my_quote_ident(const struct db *db, const char *name, struct strbuf *out)
{
	quote(name, out);
}

static void qualify(const char *schema, const char *name, struct strbuf *out)
{
	db_qualify_with('`', schema, name, out);
}

/* ---- lexing just enough of MySQL's SQL: strings, identifiers, comments ---- */

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

/* End of the string, quoted identifier or comment starting at p, or NULL
 * when none starts there. The server's rules: "-- " needs a blank after the
 * dashes; an executable comment (slash, star, '!' and version digits) is
 * SQL, so only its opener is skipped and its content is read as SQL;
 * backslashes escape in strings unless sql_mode has NO_BACKSLASH_ESCAPES. */
static const char *skip_special(const char *p, int backslash_escapes)
{
	switch (*p) {
	case '\'':
	case '"':
		return skip_quoted(p, backslash_escapes);
	case '`':
		return skip_quoted(p, 0);
	case '#':
		return p + strcspn(p, "\n");
	case '-':
		if (p[1] == '-' && (p[2] == '\0' || isspace((unsigned char)p[2]) ||
				    iscntrl((unsigned char)p[2])))
			return p + strcspn(p, "\n");
		return NULL;
	case '/':
		if (p[1] != '*')
			return NULL;
		if (p[2] == '!' || (p[2] == 'M' && p[3] == '!')) {
			p += p[2] == '!' ? 3 : 4;
			while (isdigit((unsigned char)*p))
				p++;
			return p;
		} else {
			const char *end = strstr(p + 2, "*/");
			return end ? end + 2 : p + strlen(p);
		}
	default:
		return NULL;
	}
}

static int word_is(const char *p, const char *w)
{
	size_t n = strlen(w);
	return !strncasecmp(p, w, n) && !isalnum((unsigned char)p[n]) && p[n] != '_';
}

/* Can the command share a multi-statement text, i.e. is it one statement
 * giving exactly one result? Not when it has a ';' of its own (compound
 * statements, several statements), calls a procedure (one result per result
 * set plus a status), runs a prepared statement (which may be a CALL) or
 * loads a local file (the server asks the client for it mid-way). A command
 * of nothing but comments goes alone too, so its "query was empty" error is
 * its own. */
static int batchable(const char *sql, int backslash_escapes)
{
	const char *p = sql, *first = NULL;
	while (*p) {
		const char *end = skip_special(p, backslash_escapes);
		if (end) {
			p = end;
			continue;
		}
		if (*p == ';')
			return 0;
		if (!first && isalpha((unsigned char)*p))
			first = p;
		p++;
	}
	return first && !word_is(first, "CALL") && !word_is(first, "EXECUTE") &&
	       !word_is(first, "LOAD");
}

/* as the server reported at its last answer */
static int backslash_escapes(const MYSQL *conn)
{
	return !(conn->server_status & SERVER_STATUS_NO_BACKSLASH_ESCAPES);
}

/* a text parameter as an SQL literal */
static int add_literal(MYSQL *conn, const char *value, struct strbuf *out)
{
	size_t n;
	unsigned long written;
	if (!value) {
		strbuf_addstr(out, "NULL");
		return 0;
	}
	n = strlen(value);
	strbuf_grow(out, 2 * n + 3);
	out->buf[out->len] = '\'';
	written = mysql_real_escape_string(conn, out->buf + out->len + 1, value, (unsigned long)n);
	if (written == (unsigned long)-1)
		return -1;
	strbuf_setlen(out, out->len + 1 + written);
	strbuf_addch(out, '\'');
	return 0;
}

/* append sql to out with its ? markers (outside strings, identifiers and
 * comments) replaced by the parameters */
static int substitute(MYSQL *conn, const char *sql, int nparams, const char *const *params,
		      int line, struct strbuf *out, struct fw_error *err)
{
	const char *p = sql, *run = sql;
	int used = 0;
	if (nparams <= 0) {
		strbuf_addstr(out, sql);
		return 0;
	}
	while (*p) {
		const char *end = skip_special(p, backslash_escapes(conn));
		if (end) {
			p = end;
			continue;
		}
		if (*p == '?') {
			strbuf_add(out, run, (size_t)(p - run));
			if (used < nparams && add_literal(conn, params[used], out) < 0) {
				fw_errorf(err, "FAULT", "unable to quote parameter %d", used + 1);
				db_error_add_statement(err, sql, line);
				return -1;
			}
			used++;
			run = ++p;
			continue;
		}
		p++;
	}
	strbuf_addstr(out, run);
	if (used != nparams) {
		fw_errorf(err, "FAULT", "internal error: statement has %d parameter markers, got %d values",
			  used, nparams);
		db_error_add_statement(err, sql, line);
		return -1;
	}
	return 0;
}

/* ---- errors ---- */

static int cancelled(struct my_db *m)
{
	return atomic_load(&m->base.cancelled);
}

/* Does the text after a ';' of a batch (len bytes, maybe fewer than the
 * command has) begin the next command? The separator may carry a newline;
 * only the part before a '?' marker is sent as written. */
static int starts_next(const char *rest, size_t len, const char *next)
{
	size_t same = strcspn(next, "?");
	if (len && *rest == '\n') {
		rest++;
		len--;
	}
	return same && !strncmp(rest, next, len < same ? len : same);
}

/* In a batch, a syntax error's "... near '<text>' at line N" quotes on past
 * the failed statement into the next command (a history insert, say): cut
 * the quote where the statement ended. */
static void cut_near(struct strbuf *msg, const char *next)
{
	char *q = strstr(msg->buf, "near '"), *end = NULL, *shown, *p;
	if (!q || !next)
		return;
	q += 6;
	for (p = q; (p = strstr(p, "' at line ")); p++)
		end = p;
	if (!end)
		return;
	/* MariaDB marks a quote it shortened with "..." */
	shown = end - q >= 3 && !strncmp(end - 3, "...", 3) ? end - 3 : end;
	for (p = q; p < shown; p++)
		if (*p == ';' && starts_next(p + 1, (size_t)(shown - p - 1), next)) {
			memmove(p, end, strlen(end) + 1);
			strbuf_setlen(msg, strlen(msg->buf));
			return;
		}
}

/* the error of the last call on the connection, attributed to sql/line (next:
 * the command sent after it in the same text, or NULL); a statement stopped
 * by db_cancel is an interruption, not a failure */
static int stmt_fail(struct my_db *m, const char *sql, int line, const char *next,
		     struct fw_error *err)
{
	struct strbuf msg = STRBUF_INIT;
	strbuf_addstr(&msg, mysql_error(m->conn));
	cut_near(&msg, next);
	redact_buf(&msg);
	db_sql_error(err, mysql_sqlstate(m->conn), (int)mysql_errno(m->conn), msg.buf, NULL, NULL,
		     sql, line);
	strbuf_release(&msg);
	if (cancelled(m))
		err->exit_code = FW_EXIT_INTERRUPTED;
	return -1;
}

static int interrupted(struct fw_error *err)
{
	return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
}

/* ---- results ---- */

static struct db_result *to_db_result(MYSQL_RES *res)
{
	unsigned int ncols = mysql_num_fields(res);
	MYSQL_FIELD *fields = mysql_fetch_fields(res);
	struct db_result *r = db_result_new((int)ncols);
	MYSQL_ROW row;
	for (unsigned int c = 0; c < ncols; c++)
		r->colnames[c] = xstrdup(fields[c].name ? fields[c].name : "");
	while ((row = mysql_fetch_row(res))) {
		unsigned long *lens = mysql_fetch_lengths(res);
		char **out = db_result_add_row(r);
		for (unsigned int c = 0; c < ncols; c++)
			out[c] = row[c] ? xstrndup(row[c], lens[c]) : NULL;
	}
	return r;
}

static void take_result(struct my_db *m, MYSQL_RES *res, int want_rows,
			struct db_result **first)
{
	if (first && !*first) {
		*first = to_db_result(res);
	} else if (want_rows && m->base.rows_fn) {
		struct db_result *r = to_db_result(res);
		m->base.rows_fn(m->base.rows_ctx, r);
		db_result_free(r);
	}
}

/* Read every result of the text just sent (qrc: what mysql_real_query
 * returned). Result k belongs to command pend[k]; past the last command
 * (only a miscounted command could get there) the last one takes them. The
 * first result set goes to *first when first is given, result sets of
 * commands with want_rows to the rows handler. The server runs nothing after
 * a failed statement, so there is nothing left to drain after an error. */
static int read_results(struct my_db *m, int qrc, const struct pending *pend, size_t n,
			struct db_result **first, struct fw_error *err)
{
	int rc = qrc ? 1 : 0;
	for (size_t k = 0;; k++) {
		const struct pending *pd = &pend[k < n ? k : n - 1];
		MYSQL_RES *res = NULL;
		if (rc == 0) {
			res = mysql_store_result(m->conn);
			if (!res && mysql_field_count(m->conn) != 0)
				rc = 1;   /* the rows could not be read */
		}
		if (rc > 0) {
			stmt_fail(m, pd->sql, pd->line, k + 1 < n ? pend[k + 1].sql : NULL, err);
			if (first) {
				db_result_free(*first);
				*first = NULL;
			}
			return -1;
		}
		if (res) {
			take_result(m, res, pd->want_rows, first);
			mysql_free_result(res);
		}
		rc = mysql_next_result(m->conn);
		if (rc < 0)
			break;
	}
	if (first && !*first)
		*first = db_result_new(0);
	return 0;
}

/* send one text and read its results; sql/line describe it in errors */
static int run_text(struct my_db *m, const char *text, size_t len, const char *sql, int line,
		    int want_rows, struct db_result **first, struct fw_error *err)
{
	struct pending pd = { sql, NULL, line, want_rows };
	int rc = mysql_real_query(m->conn, text, (unsigned long)len);
	return read_results(m, rc, &pd, 1, first, err);
}

/* ---- batches ---- */

static void clear_pending(struct my_db *m)
{
	for (size_t i = 0; i < m->npend; i++)
		free(m->pend[i].copy);
	m->npend = 0;
	strbuf_reset(&m->batch);
}

/* send the queued commands as one text and read their results */
static int flush(struct my_db *m, struct fw_error *err)
{
	int rc, ret;
	if (!m->npend)
		return 0;
	if (cancelled(m)) {
		clear_pending(m);
		return interrupted(err);
	}
	rc = mysql_real_query(m->conn, m->batch.buf, (unsigned long)m->batch.len);
	ret = read_results(m, rc, m->pend, m->npend, NULL, err);
	clear_pending(m);
	return ret;
}

/* does the last line of s hold a comment that would swallow a ';' after it? */
static int ends_in_comment(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	const char *last_nl = NULL;
	for (const char *c = s; c < end; c++)
		if (*c == '\n')
			last_nl = c;
	if (last_nl)
		p = last_nl + 1;
	for (; p < end; p++)
		if (*p == '#' || (p[0] == '-' && p + 1 < end && p[1] == '-') ||
		    (p[0] == '/' && p + 1 < end && p[1] == '*'))
			return 1;
	return 0;
}

/* queue one command; the separator keeps the server's line numbers as they
 * would be for the statement alone (no newline unless a comment needs it) */
static int enqueue(struct my_db *m, const struct db_cmd *cmd, struct fw_error *err)
{
	size_t start = m->batch.len, n;
	struct pending *pd;
	if (m->npend)
		strbuf_addch(&m->batch, ';');
	if (substitute(m->conn, cmd->sql, cmd->nparams, cmd->params, cmd->line, &m->batch,
		       err) < 0) {
		strbuf_setlen(&m->batch, start);
		return -1;
	}
	if (ends_in_comment(m->batch.buf + start, m->batch.len - start))
		strbuf_addch(&m->batch, '\n');
	ALLOC_GROW(m->pend, m->npend + 1, m->alloc_pend);
	pd = &m->pend[m->npend++];
	n = strlen(cmd->sql);
	pd->copy = xstrndup(cmd->sql, n > PENDING_SQL_MAX ? PENDING_SQL_MAX : n);
	pd->sql = pd->copy;
	pd->line = cmd->line;
	pd->want_rows = cmd->want_rows;
	return 0;
}

/* a command that goes alone: all its results are its own */
static int run_alone(struct my_db *m, const struct db_cmd *cmd, struct fw_error *err)
{
	struct strbuf text = STRBUF_INIT;
	int ret;
	if (cmd->nparams <= 0)   /* no copy: a huge statement is held once */
		return run_text(m, cmd->sql, strlen(cmd->sql), cmd->sql, cmd->line, cmd->want_rows,
				NULL, err);
	if (substitute(m->conn, cmd->sql, cmd->nparams, cmd->params, cmd->line, &text, err) < 0) {
		strbuf_release(&text);
		return -1;
	}
	ret = run_text(m, text.buf, text.len, cmd->sql, cmd->line, cmd->want_rows, NULL, err);
	strbuf_release(&text);
	return ret;
}

/* after an error the batch is over: nothing queued may run later */
static int batch_failed(struct my_db *m)
{
	clear_pending(m);
	return -1;
}

static int use_default_schema(struct my_db *m, struct fw_error *err);

/* a batch is a migration, a callback or one command of either: each runs in
 * the default schema, whatever a script before it switched to */
static int my_batch_begin(struct db *db, struct fw_error *err)
{
	struct my_db *m = my(db);
	if (flush(m, err) < 0 || use_default_schema(m, err) < 0)
		return batch_failed(m);
	m->batching = 1;
	return 0;
}

static int my_batch_add(struct db *db, const struct db_cmd *cmd, struct fw_error *err)
{
	struct my_db *m = my(db);
	/* a command larger than a whole batch goes on its own, not copied into one */
	if (!m->batching || strlen(cmd->sql) > BATCH_MAX_BYTES ||
	    !batchable(cmd->sql, backslash_escapes(m->conn))) {
		if (flush(m, err) < 0 || run_alone(m, cmd, err) < 0)
			return batch_failed(m);
		return 0;
	}
	if (m->npend && m->batch.len + strlen(cmd->sql) > BATCH_MAX_BYTES && flush(m, err) < 0)
		return batch_failed(m);
	if (enqueue(m, cmd, err) < 0)
		return batch_failed(m);
	if ((m->npend >= BATCH_MAX_CMDS || m->batch.len >= BATCH_MAX_BYTES) && flush(m, err) < 0)
		return batch_failed(m);
	return 0;
}

static int my_batch_end(struct db *db, struct fw_error *err)
{
	struct my_db *m = my(db);
	m->batching = 0;
	return flush(m, err) < 0 ? batch_failed(m) : 0;
}

/* ---- statements outside batches ---- */

/* exec and query see the effects of every command queued before them */
static int my_exec(struct db *db, const char *sql, struct fw_error *err)
{
	struct my_db *m = my(db);
	if (flush(m, err) < 0 || use_default_schema(m, err) < 0)
		return batch_failed(m);
	return run_text(m, sql, strlen(sql), sql, 0, 0, NULL, err);
}

static int my_query(struct db *db, const char *sql, int nparams, const char *const *params,
		    struct db_result **out, struct fw_error *err)
{
	struct my_db *m = my(db);
	struct strbuf text = STRBUF_INIT;
	int ret;
	*out = NULL;
	if (flush(m, err) < 0)
		return batch_failed(m);
	if (substitute(m->conn, sql, nparams, params, 0, &text, err) < 0) {
		strbuf_release(&text);
		return -1;
	}
	ret = run_text(m, text.buf, text.len, sql, 0, 0, out, err);
	strbuf_release(&text);
	return ret;
}

/* first column of the first row, or NULL */
static int query_value(struct my_db *m, const char *sql, int nparams, const char *const *params,
		       char **out, struct fw_error *err)
{
	struct db_result *r;
	const char *v;
	*out = NULL;
	if (my_query(&m->base, sql, nparams, params, &r, err) < 0)
		return -1;
	v = db_value(r, 0, 0);
	*out = v ? xstrdup(v) : NULL;
	db_result_free(r);
	return 0;
}

static int query_count(struct my_db *m, const char *sql, int nparams, const char *const *params,
		       long *out, struct fw_error *err)
{
	char *v;
	if (query_value(m, sql, nparams, params, &v, err) < 0)
		return -1;
	*out = v ? strtol(v, NULL, 10) : 0;
	free(v);
	return 0;
}

/* ---- connecting ---- */

/* what the JDBC properties say about TLS, before it is decided */
struct tls_props {
	const char *mode;     /* sslMode */
	int use;              /* useSSL / useSsl; -1 = not given */
	int require;          /* requireSSL (Connector/J 5) */
	int verify;           /* verifyServerCertificate (Connector/J) */
	int trust;            /* trustServerCertificate (MariaDB Connector/J) */
};

static int is_true(const char *v)
{
	return !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes");
}

static int key_is(const char *k, const char *const *names)
{
	for (; *names; names++)
		if (!strcasecmp(k, *names))
			return 1;
	return 0;
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = *v ? xstrdup(v) : NULL;
}

/* JDBC timeouts are milliseconds, the library's whole seconds */
static unsigned int ms_to_s(const char *v)
{
	long ms = strtol(v, NULL, 10);
	return ms > 0 ? (unsigned int)((ms + 999) / 1000) : 0;
}

static const char *const K_CA[] = { "serverSslCert", "sslCa", "ssl-ca", NULL };
static const char *const K_CAPATH[] = { "sslCaPath", "ssl-capath", NULL };
static const char *const K_CERT[] = { "sslCert", "ssl-cert", NULL };
static const char *const K_KEY[] = { "sslKey", "ssl-key", NULL };
static const char *const K_CRL[] = { "sslCrl", "ssl-crl", NULL };
static const char *const K_TLSVER[] = { "enabledSslProtocolSuites", "enabledTLSProtocols",
					"tlsVersion", "tls-version", NULL };
static const char *const K_CIPHER[] = { "enabledSslCipherSuites", "enabledTLSCipherSuites",
					"sslCipher", "ssl-cipher", NULL };
static const char *const K_SOCKET[] = { "localSocket", "socket", NULL };
static const char *const K_INFILE[] = { "allowLoadLocalInfile", "allowLocalInfile", NULL };

/* the TLS settings that are file names or lists */
static int tls_file_property(struct my_conf *c, const char *k, const char *v)
{
	if (key_is(k, K_CA))
		set_str(&c->ssl_ca, strncmp(v, "file:", 5) ? v : v + 5);
	else if (key_is(k, K_CAPATH))
		set_str(&c->ssl_capath, v);
	else if (key_is(k, K_CERT))
		set_str(&c->ssl_cert, v);
	else if (key_is(k, K_KEY))
		set_str(&c->ssl_key, v);
	else if (key_is(k, K_CRL))
		set_str(&c->ssl_crl, v);
	else if (key_is(k, K_TLSVER))
		set_str(&c->tls_version, v);
	else if (key_is(k, K_CIPHER))
		set_str(&c->ssl_cipher, v);
	else
		return 0;
	return 1;
}

/* One driver property (URL parameter or jdbcProperties entry), by the names
 * of MySQL Connector/J and MariaDB Connector/J; the rest (serverTimezone,
 * useUnicode, ...) mean nothing here and are ignored. */
static void conf_property(struct my_conf *c, struct tls_props *t, char **user, char **password,
			  const char *k, const char *v)
{
	if (!strcasecmp(k, "sslMode") || !strcasecmp(k, "ssl-mode"))
		t->mode = v;
	else if (!strcasecmp(k, "useSSL") || !strcasecmp(k, "ssl"))
		t->use = is_true(v);
	else if (!strcasecmp(k, "requireSSL"))
		t->require = is_true(v);
	else if (!strcasecmp(k, "verifyServerCertificate"))
		t->verify = is_true(v);
	else if (!strcasecmp(k, "trustServerCertificate"))
		t->trust = is_true(v);
	else if (tls_file_property(c, k, v))
		;
	else if (!strcasecmp(k, "connectTimeout"))
		c->connect_timeout = ms_to_s(v);
	else if (!strcasecmp(k, "socketTimeout"))
		c->rw_timeout = ms_to_s(v);
	else if (key_is(k, K_SOCKET))
		set_str(&c->socket, v);
	else if (key_is(k, K_INFILE))
		c->local_infile = (unsigned int)is_true(v);
	else if (!strcasecmp(k, "sessionVariables") && *v) {
		free(c->init_command);
		c->init_command = xmalloc(strlen(v) + sizeof("SET SESSION "));
		strcpy(c->init_command, "SET SESSION ");
		strcat(c->init_command, v);
	} else if (!strcasecmp(k, "user"))
		set_str(user, v);
	else if (!strcasecmp(k, "password")) {
		redact_register(v);
		set_str(password, v);
	}
}

/* sslMode wins; else useSSL decides, verifying the certificate by the
 * defaults of the connector the URL names (MariaDB's verifies unless told
 * to trust, MySQL's does not unless told to verify). Libmariadb cannot check
 * the CA without the host name, so VERIFY_CA checks both. */
static int tls_decide(const struct tls_props *t, int mariadb_url, enum tls_mode *out,
		      struct fw_error *err)
{
	static const struct { const char *name; enum tls_mode mode; } modes[] = {
		{ "DISABLED", TLS_OFF }, { "disable", TLS_OFF },
		{ "PREFERRED", TLS_PREFERRED }, { "prefer", TLS_PREFERRED },
		{ "REQUIRED", TLS_REQUIRED }, { "require", TLS_REQUIRED }, { "trust", TLS_REQUIRED },
		{ "VERIFY_CA", TLS_VERIFY }, { "verify-ca", TLS_VERIFY },
		{ "VERIFY_IDENTITY", TLS_VERIFY }, { "verify-full", TLS_VERIFY },
	};
	if (t->mode) {
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcasecmp(t->mode, modes[i].name)) {
				*out = modes[i].mode;
				return 0;
			}
		fw_errorf(err, "CONFIGURATION", "invalid sslMode '%s'", t->mode);
		fw_error_hint(err, "use DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY");
		return -1;
	}
	if (t->use == 1 || t->require == 1) {
		if (t->verify == 1)
			*out = TLS_VERIFY;
		else if (t->trust == 1 || t->verify == 0)
			*out = TLS_REQUIRED;
		else
			*out = mariadb_url ? TLS_VERIFY : TLS_REQUIRED;
	} else {
		*out = TLS_OFF;
	}
	return 0;
}

static void conf_release(struct my_conf *c)
{
	free(c->host);
	free(c->socket);
	free(c->user);
	free(c->password);
	free(c->database);
	free(c->init_command);
	free(c->ssl_ca);
	free(c->ssl_capath);
	free(c->ssl_cert);
	free(c->ssl_key);
	free(c->ssl_crl);
	free(c->ssl_cipher);
	free(c->tls_version);
	memset(c, 0, sizeof(*c));
}

/* jdbcProperties first, then the URL's parameters (which win, as in the
 * JDBC drivers); user and password of the URL (or of the configuration,
 * already merged by db.c) beat those of jdbcProperties */
static int build_conf(struct my_conf *c, const struct db_url *u, const struct db_params *prm,
		      struct fw_error *err)
{
	struct tls_props t = { NULL, -1, -1, -1, -1 };
	char *user = NULL, *password = NULL;
	memset(c, 0, sizeof(*c));
	c->connect_timeout = DEFAULT_CONNECT_TIMEOUT_S;
	for (size_t i = 0; i < prm->nprops; i++)
		conf_property(c, &t, &user, &password, prm->prop_keys[i], prm->prop_values[i]);
	for (size_t i = 0; i < u->param_keys.nr; i++)
		conf_property(c, &t, &user, &password, u->param_keys.v[i], u->param_values.v[i]);
	c->host = xstrdup(u->host && *u->host ? u->host : "localhost");
	c->port = u->port ? (unsigned int)u->port : 3306;
	c->database = u->database && *u->database ? xstrdup(u->database) : NULL;
	c->user = u->user ? xstrdup(u->user) : user;
	c->password = u->password ? xstrdup(u->password) : password;
	if (u->user)
		free(user);
	if (u->password)
		free(password);
	redact_register(c->password);
	if (tls_decide(&t, u->mariadb, &c->tls, err) < 0) {
		conf_release(c);
		return -1;
	}
	return 0;
}

static void set_opt_str(MYSQL *h, enum mysql_option opt, const char *v)
{
	if (v)
		mysql_options(h, opt, v);
}

/* Connector/C 3.3 treats "use TLS" as a wish: only with certificate
 * verification does it refuse a server without TLS before authenticating.
 * REQUIRED is therefore checked right after connecting (connect_conn), and
 * until then only authentication plugins that never send the password in
 * clear may answer the server (PAM's "dialog" would): users of those need a
 * VERIFY mode. */
#define AUTH_WITHOUT_CLEAR_PASSWORD \
	"mysql_native_password,client_ed25519,caching_sha2_password,sha256_password," \
	"auth_gssapi_client"

static void set_tls_options(MYSQL *h, const struct my_conf *c)
{
	my_bool on = 1, verify = c->tls == TLS_VERIFY;
	if (c->tls == TLS_OFF)
		return;
	mysql_options(h, MYSQL_OPT_SSL_ENFORCE, &on);
	mysql_options(h, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
	if (c->tls == TLS_REQUIRED)
		mysql_options(h, MARIADB_OPT_RESTRICTED_AUTH, AUTH_WITHOUT_CLEAR_PASSWORD);
	set_opt_str(h, MYSQL_OPT_SSL_CA, c->ssl_ca);
	set_opt_str(h, MYSQL_OPT_SSL_CAPATH, c->ssl_capath);
	set_opt_str(h, MYSQL_OPT_SSL_CERT, c->ssl_cert);
	set_opt_str(h, MYSQL_OPT_SSL_KEY, c->ssl_key);
	set_opt_str(h, MYSQL_OPT_SSL_CRL, c->ssl_crl);
	set_opt_str(h, MYSQL_OPT_SSL_CIPHER, c->ssl_cipher);
	set_opt_str(h, MARIADB_OPT_TLS_VERSION, c->tls_version);
}

static void set_options(MYSQL *h, const struct my_conf *c)
{
	unsigned int proto = c->socket ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
	mysql_options(h, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(h, MYSQL_OPT_PROTOCOL, &proto);
	mysql_options4(h, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "fleetway");
	mysql_options(h, MYSQL_OPT_LOCAL_INFILE, &c->local_infile);
	if (c->connect_timeout)
		mysql_options(h, MYSQL_OPT_CONNECT_TIMEOUT, &c->connect_timeout);
	if (c->rw_timeout) {
		mysql_options(h, MYSQL_OPT_READ_TIMEOUT, &c->rw_timeout);
		mysql_options(h, MYSQL_OPT_WRITE_TIMEOUT, &c->rw_timeout);
	}
	set_opt_str(h, MYSQL_INIT_COMMAND, c->init_command);
	set_tls_options(h, c);
}

/* the server's or the library's message; when nothing answered, which
 * address was tried (the library names the host but not the port) */
static int connect_fail(MYSQL *h, const struct my_conf *c, struct fw_error *err)
{
	struct strbuf m = STRBUF_INIT;
	unsigned int code = mysql_errno(h);
	strbuf_addstr(&m, mysql_error(h));
	strbuf_rtrim(&m);
	if (code == CR_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR || code == CR_UNKNOWN_HOST) {
		if (c->socket)
			strbuf_addf(&m, "; is a server listening on the socket %s?", c->socket);
		else
			strbuf_addf(&m, "; is a server listening on %s:%u?", c->host, c->port);
	}
	redact_buf(&m);
	fw_errorf(err, "DB_CONNECTION", "%s", m.len ? m.buf : "connection failed");
	strncpy(err->sqlstate, mysql_sqlstate(h), sizeof(err->sqlstate) - 1);
	err->sql_errcode = (int)mysql_errno(h);
	strbuf_release(&m);
	mysql_close(h);
	return -1;
}

/* a new connection by c; with_db: open the URL's database */
static int connect_conn(const struct my_conf *c, int with_db, MYSQL **out, struct fw_error *err)
{
	MYSQL *h = mysql_init(NULL);
	*out = NULL;
	if (!h)
		return fw_errorf(err, "DB_CONNECTION", "out of memory");
	set_options(h, c);
	if (!mysql_real_connect(h, c->socket ? "localhost" : c->host, c->user, c->password,
				with_db ? c->database : NULL, c->port, c->socket,
				CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS))
		return connect_fail(h, c, err);
	if (c->tls >= TLS_REQUIRED && !mysql_get_ssl_cipher(h)) {
		mysql_close(h);
		fw_errorf(err, "DB_CONNECTION", "the server did not accept a TLS connection");
		fw_error_hint(err, "the URL asks for TLS (useSSL or sslMode); enable TLS on the server "
			      "or use sslMode=DISABLED");
		return -1;
	}
	*out = h;
	return 0;
}

/* "MariaDB 10.11.6" / "MySQL 8.0.36" from the server's version string
 * (MariaDB before 11 may prefix it with "5.5.5-" for old replicas) */
static void set_product(struct my_db *m)
{
	struct strbuf sb = STRBUF_INIT;
	const char *v = mysql_get_server_info(m->conn);
	if (!v)
		v = "";
	if (!strncmp(v, "5.5.5-", 6) && strstr(v, "MariaDB"))
		v += 6;
	m->mariadb = strstr(v, "MariaDB") != NULL;
	strbuf_addf(&sb, "%s %.*s", m->mariadb ? "MariaDB" : "MySQL", (int)strspn(v, "0123456789."),
		    v);
	m->base.product = strbuf_detach(&sb, NULL);
}

static int my_open(const struct db_url *u, const struct db_params *prm, struct db **out,
		   struct fw_error *err)
{
	struct my_db *m;
	*out = NULL;
	if (fw_libmariadb_load(err) < 0)
		return -1;
	if (!lib_ready())
		return fw_errorf(err, "DB_CONNECTION", "unable to initialise the MariaDB client library");
	m = xcalloc(1, sizeof(*m));
	m->base.ops = &db_mysql_ops;
	strbuf_init(&m->batch, 0);
	if (build_conf(&m->conf, u, prm, err) < 0 || connect_conn(&m->conf, 1, &m->conn, err) < 0) {
		conf_release(&m->conf);
		free(m);
		return -1;
	}
	m->thread_id = mysql_thread_id(m->conn);
	m->database = m->conf.database ? xstrdup(m->conf.database) : NULL;
	set_product(m);
	*out = &m->base;
	return 0;
}

static void my_close(struct db *db)
{
	struct my_db *m = my(db);
	clear_pending(m);
	strbuf_release(&m->batch);
	free(m->pend);
	for (size_t i = 0; i < m->nlocks; i++)
		free(m->locks[i]);
	free(m->locks);
	free(m->current_user);
	free(m->database);
	free(m->default_schema);
	db_result_free(m->saved_limits);
	mysql_close(m->conn);
	conf_release(&m->conf);
	free(m);
}

/* ---- introspection ---- */

static int my_current_schema(struct db *db, char **out, struct fw_error *err)
{
	return query_value(my(db), "SELECT DATABASE()", 0, NULL, out, err);
}

/* reference 4.4: installed_by defaults to the user name without the host */
static int my_current_user(struct db *db, char **out, struct fw_error *err)
{
	struct my_db *m = my(db);
	if (!m->current_user && query_value(m, "SELECT SUBSTRING_INDEX(USER(),'@',1)", 0, NULL,
					    &m->current_user, err) < 0)
		return -1;
	*out = xstrdup(m->current_user ? m->current_user : "");
	return 0;
}

/* the database the connection started in (${flyway:database}) */
static int my_database_name(struct db *db, char **out, struct fw_error *err)
{
	struct my_db *m = my(db);
	if (!m->database && query_value(m, "SELECT DATABASE()", 0, NULL, &m->database, err) < 0)
		return -1;
	*out = m->database ? xstrdup(m->database) : NULL;
	return 0;
}

static int my_schema_exists(struct db *db, const char *schema, int *exists, struct fw_error *err)
{
	const char *params[] = { schema };
	long n;
	if (query_count(my(db), "SELECT COUNT(*) FROM information_schema.schemata"
			" WHERE schema_name = ?", 1, params, &n, err) < 0)
		return -1;
	*exists = n > 0;
	return 0;
}

static int my_table_exists(struct db *db, const char *schema, const char *table, int *exists,
			   struct fw_error *err)
{
	const char *params[] = { schema && *schema ? schema : NULL, table };
	long n;
	if (query_count(my(db), "SELECT COUNT(*) FROM information_schema.tables"
			" WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?"
			" AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED')", 2, params, &n,
			err) < 0)
		return -1;
	*exists = n > 0;
	return 0;
}

/* what current_schema, current_user, schema_exists and table_exists would
 * ask, in one round trip (db_prefetch) */
static int my_probe(struct db *db, const char *schema, const char *table, struct db_probe *out,
		    struct fw_error *err)
{
	struct my_db *m = my(db);
	const char *in = schema && *schema ? schema : NULL;
	const char *params[] = { in, in, table };
	struct db_result *r;
	if (my_query(db, "SELECT DATABASE(), SUBSTRING_INDEX(USER(),'@',1),"
			 " (SELECT COUNT(*) FROM information_schema.schemata"
			 " WHERE schema_name = COALESCE(?, DATABASE())),"
			 " (SELECT COUNT(*) FROM information_schema.tables"
			 " WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?"
			 " AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED'))",
		     3, params, &r, err) < 0)
		return -1;
	if (r->nrows == 1) {
		if (db_value(r, 0, 0))
			out->current_schema = xstrdup(db_value(r, 0, 0));
		if (!m->current_user && db_value(r, 0, 1))
			m->current_user = xstrdup(db_value(r, 0, 1));
		out->schema_exists = db_value(r, 0, 2) && atol(db_value(r, 0, 2)) > 0;
		out->table_exists = db_value(r, 0, 3) && atol(db_value(r, 0, 3)) > 0;
		out->answered = 1;
	}
	db_result_free(r);
	return 0;
}

/* InnoDB's estimate of the rows; 0 or none (a new table, stale statistics)
 * and db_table_size counts */
static int my_table_size(struct db *db, const char *schema, const char *table, long long limit,
			 struct db_table_size *out, struct fw_error *err)
{
	const char *params[] = { schema && *schema ? schema : NULL, table };
	struct db_result *r;
	(void)limit;
	if (my_query(db, "SELECT table_rows, data_length + index_length FROM information_schema.tables"
		     " WHERE table_schema = COALESCE(?, DATABASE()) AND LOWER(table_name) = LOWER(?)"
		     " AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED')", 2, params, &r, err) < 0)
		return -1;
	if (r->nrows >= 1) {
		out->bytes = db_value(r, 0, 1) ? atoll(db_value(r, 0, 1)) : -1;
		if (db_value(r, 0, 0) && atoll(db_value(r, 0, 0)) > 0) {
			out->found = 1;
			out->rows = atoll(db_value(r, 0, 0));
			out->how = DB_ROWS_ESTIMATE;
		}
	}
	db_result_free(r);
	return 0;
}

/* MariaDB limits statements with max_statement_time (seconds), MySQL with
 * max_execution_time (ms, its SELECTs only) */
static const char *statement_limit_var(const struct my_db *m)
{
	return m->mariadb ? "max_statement_time" : "max_execution_time";
}

/* for the session (DDL commits anyway): before BEGIN, or before a migration
 * outside a transaction; the session's own values are kept for the reset */
static int my_set_timeouts(struct db *db, const struct db_timeouts *to, enum db_timeouts_when when,
			   struct fw_error *err)
{
	struct my_db *m = my(db);
	struct strbuf sql = STRBUF_INIT;
	int ret;
	if (when == DB_TIMEOUTS_IN_TX)
		return 0;
	if (!m->saved_limits) {
		strbuf_addf(&sql, "SELECT @@session.lock_wait_timeout, @@session.innodb_lock_wait_timeout, @@session.%s",
			    statement_limit_var(m));
		ret = my_query(db, sql.buf, 0, NULL, &m->saved_limits, err);
		strbuf_reset(&sql);
		if (ret < 0)
			return -1;
	}
	strbuf_addstr(&sql, "SET SESSION ");
	if (to->lock_ms) {
		long secs = (to->lock_ms + 999) / 1000;   /* whole seconds, at least one */
		strbuf_addf(&sql, "lock_wait_timeout = %ld, innodb_lock_wait_timeout = %ld", secs, secs);
	}
	if (to->statement_ms) {
		strbuf_addstr(&sql, to->lock_ms ? ", " : "");
		if (m->mariadb)
			strbuf_addf(&sql, "max_statement_time = %ld.%03ld", to->statement_ms / 1000, to->statement_ms % 1000);
		else
			strbuf_addf(&sql, "max_execution_time = %ld", to->statement_ms);
	}
	ret = my_exec(db, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

static int my_reset_timeouts(struct db *db, struct fw_error *err)
{
	struct my_db *m = my(db);
	struct strbuf sql = STRBUF_INIT;
	const struct db_result *r = m->saved_limits;
	int ret;
	if (!r)
		return 0;
	if (r->nrows < 1 || !db_value(r, 0, 0) || !db_value(r, 0, 1) || !db_value(r, 0, 2))
		ret = fw_errorf(err, "ERROR", "the session's lock and statement limits could not be read back");
	else {
		strbuf_addf(&sql, "SET SESSION lock_wait_timeout = %lld, innodb_lock_wait_timeout = %lld, %s = %s",
			    atoll(db_value(r, 0, 0)), atoll(db_value(r, 0, 1)), statement_limit_var(m),
			    db_value(r, 0, 2));
		ret = my_exec(db, sql.buf, err);
	}
	strbuf_release(&sql);
	db_result_free(m->saved_limits);
	m->saved_limits = NULL;
	return ret;
}

/* 1205 ER_LOCK_WAIT_TIMEOUT (row and metadata locks); 1969 MariaDB's
 * max_statement_time, 3024 MySQL's max_execution_time */
static int my_timeout_kind(const struct db *db, const struct fw_error *err)
{
	(void)db;
	if (err->sql_errcode == 1205)
		return 1;
	return err->sql_errcode == 1969 || err->sql_errcode == 3024 ? 2 : 0;
}

/* Reference 6.1: empty means no table, view, routine, trigger or event
 * (constraints and indexes belong to tables). information_schema.events
 * cannot be read on some MariaDB servers whose event scheduler is disabled,
 * as Flyway found: then the events are left out. */
#define EMPTY_SQL(events) \
	"SELECT (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?)" \
	" + (SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = ?)" \
	" + (SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = ?)" events

static int my_schema_is_empty(struct db *db, const char *schema, int *empty,
			      struct fw_error *err)
{
	const char *params[] = { schema, schema, schema, schema };
	struct fw_error first = FW_ERROR_INIT;
	long n;
	if (query_count(my(db), EMPTY_SQL(" + (SELECT COUNT(*) FROM information_schema.events"
					  " WHERE event_schema = ?)"), 4, params, &n, &first) < 0 &&
	    query_count(my(db), EMPTY_SQL(""), 3, params, &n, err) < 0) {
		fw_error_clear(&first);
		return -1;
	}
	fw_error_clear(&first);
	*empty = n == 0;
	return 0;
}

static int schema_statement(struct db *db, const char *verb, const char *schema,
			    struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret;
	strbuf_addstr(&sql, verb);
	quote(schema, &sql);
	ret = my_exec(db, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

static int is_default_schema(const struct my_db *m, const char *schema)
{
	return m->default_schema && !strcmp(m->default_schema, schema);
}

static int my_create_schema(struct db *db, const char *schema, struct fw_error *err)
{
	struct my_db *m = my(db);
	if (schema_statement(db, "CREATE DATABASE ", schema, err) < 0)
		return -1;
	if (is_default_schema(m, schema))
		m->default_exists = 1;   /* the next statement runs in it */
	return 0;
}

static int my_drop_schema(struct db *db, const char *schema, struct fw_error *err)
{
	struct my_db *m = my(db);
	if (schema_statement(db, "DROP DATABASE ", schema, err) < 0)
		return -1;
	if (is_default_schema(m, schema))
		m->default_exists = 0;
	return 0;
}

/* ---- the default schema (reference 6.1: Flyway's current database) ---- */

/* The connection's current database as the client library knows it: set by
 * connect and mysql_select_db, and kept up to date by the server's session
 * tracking when a script runs USE or drops it (MySQL 5.7+, MariaDB 10.2+). */
static int in_default_schema(const struct my_db *m)
{
	return m->conn->db && !strcmp(m->conn->db, m->default_schema);
}

/* Before migration SQL: USE the default schema unless already there. Costs
 * a round trip only when the database changes (once per connection, or
 * after a script's own USE). */
static int use_default_schema(struct my_db *m, struct fw_error *err)
{
	struct strbuf sql = STRBUF_INIT;
	if (!m->default_schema || !m->default_exists || in_default_schema(m))
		return 0;
	if (mysql_select_db(m->conn, m->default_schema) == 0)
		return 0;
	if (mysql_errno(m->conn) == ER_BAD_DB_ERROR) {
		m->default_exists = 0;   /* dropped by a script: the statement decides */
		return 0;
	}
	strbuf_addstr(&sql, "USE ");
	quote(m->default_schema, &sql);
	stmt_fail(m, sql.buf, 0, NULL, err);
	strbuf_release(&sql);
	return -1;
}

/* A schema that does not exist yet is used once my_create_schema made it;
 * any other refusal (no privilege) shows when migration SQL would run. */
static int my_set_default_schema(struct db *db, const char *schema, struct fw_error *err)
{
	struct my_db *m = my(db);
	free(m->default_schema);
	m->default_schema = xstrdup(schema);
	m->default_exists = 1;
	if (flush(m, err) < 0)
		return batch_failed(m);
	if (in_default_schema(m) || mysql_select_db(m->conn, schema) == 0)
		return 0;
	if (mysql_errno(m->conn) == ER_BAD_DB_ERROR)
		m->default_exists = 0;
	return 0;
}

static void my_default_schema_sql(struct db *db, const char *schema, struct strbuf *out)
{
	strbuf_addstr(out, "USE ");
	db_quote_ident(db, schema, out);
	strbuf_addch(out, ';');
}

/* ---- the session as it opened (db_session_read, db_session_restore) ---- */

/* the server's version (set_product's "MariaDB 10.11.6") is major.minor or later */
static int version_at_least(const struct my_db *m, int major, int minor)
{
	const char *v = strchr(m->base.product, ' ');
	int have_major = 0, have_minor = 0;
	if (!v || sscanf(v + 1, "%d.%d", &have_major, &have_minor) < 1)
		return 0;
	return have_major > major || (have_major == major && have_minor >= minor);
}

/* Where this session's user variables that hold a value are listed (Flyway
 * reads them from MariaDB 10.2 and MySQL 5.7 on). MySQL's table lists every
 * thread's: only this connection's are asked for. */
static const char *user_variables_from(const struct my_db *m)
{
	return m->mariadb ? " FROM information_schema.user_variables WHERE variable_value IS NOT NULL"
			  : " FROM performance_schema.user_variables_by_thread v"
			    " JOIN performance_schema.threads t ON t.thread_id = v.thread_id"
			    " WHERE t.processlist_id = CONNECTION_ID() AND v.variable_value IS NOT NULL";
}

/* Once per connection, before any script, in one round trip: the two
 * settings Flyway puts back, and whether this session's user variables can
 * be listed (a server without the table, or a user without the grant,
 * leaves them alone, as Flyway does). */
static int my_session_read(struct db *db, struct fw_error *err)
{
	struct my_db *m = my(db);
	struct strbuf sql = STRBUF_INIT;
	struct db_result *r = NULL;
	struct fw_error ignored = FW_ERROR_INIT;
	size_t settings_only;
	int listed;
	if (m->session_read)
		return 0;
	strbuf_addstr(&sql, "SELECT @@foreign_key_checks, @@sql_safe_updates");
	settings_only = sql.len;
	listed = m->mariadb ? version_at_least(m, 10, 2) : version_at_least(m, 5, 7);
	if (listed) {
		strbuf_addf(&sql, ", (SELECT COUNT(*)%s)", user_variables_from(m));
		listed = my_query(db, sql.buf, 0, NULL, &r, &ignored) == 0;
		fw_error_clear(&ignored);
	}
	strbuf_setlen(&sql, settings_only);
	if (!listed && my_query(db, sql.buf, 0, NULL, &r, err) < 0) {
		strbuf_release(&sql);
		return -1;
	}
	strbuf_release(&sql);
	snprintf(m->fk_checks, sizeof(m->fk_checks), "%d", db_value(r, 0, 0) ? atoi(db_value(r, 0, 0)) : 1);
	snprintf(m->safe_updates, sizeof(m->safe_updates), "%d", db_value(r, 0, 1) ? atoi(db_value(r, 0, 1)) : 0);
	db_result_free(r);
	m->vars_listed = listed;
	m->session_read = 1;
	return 0;
}

/* Flyway's restoreOriginalState as statements the server runs in the batch,
 * so that it costs no round trip: the server lists the user variables set
 * and NULLs them itself (a prepared SET built from the list), with
 * foreign_key_checks and sql_safe_updates as the session opened. The list
 * is built with GROUP_CONCAT, which group_concat_max_len would cut short
 * (MySQL's default is 1,024 bytes): it is raised for that one statement and
 * put back. The helper variables are NULL before and after. */
static void restore_sql(const struct my_db *m, struct strvec *out)
{
	struct strbuf sb = STRBUF_INIT;
	if (m->vars_listed) {
		strvec_push(out, "SET @fleetway_gcl = @@SESSION.group_concat_max_len,"
				 " SESSION group_concat_max_len = 4294967295");
		strbuf_addf(&sb, "SELECT GROUP_CONCAT(CONCAT('@`', REPLACE(variable_name, '`', '``'), '`=NULL')"
				 " SEPARATOR ', ')%s INTO @fleetway_reset", user_variables_from(m));
		strvec_push(out, sb.buf);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "SET SESSION group_concat_max_len = @fleetway_gcl, @fleetway_reset = CONCAT('SET ',"
				 " COALESCE(CONCAT(@fleetway_reset, ', '), ''), '@fleetway_reset=NULL, @fleetway_gcl=NULL,"
				 " foreign_key_checks=%s, sql_safe_updates=%s')", m->fk_checks, m->safe_updates);
		strvec_push(out, sb.buf);
		strvec_push(out, "PREPARE fleetway_reset FROM @fleetway_reset");
		strvec_push(out, "EXECUTE fleetway_reset");
		strvec_push(out, "DEALLOCATE PREPARE fleetway_reset");
	} else {
		strbuf_addf(&sb, "SET foreign_key_checks=%s, sql_safe_updates=%s", m->fk_checks, m->safe_updates);
		strvec_push(out, sb.buf);
	}
	strbuf_release(&sb);
}

/* The restore joins the batch when one is open, else goes as one text; the
 * default schema comes back by itself (use_default_schema). Its statements
 * are queued directly, not through my_batch_add: batchable() sends any
 * EXECUTE alone (it could run a CALL), and this one runs a SET, which gives
 * exactly one result. Six short statements right after BEGIN stay far
 * below the batch's limits. */
static int my_session_restore(struct db *db, const char *schema, struct fw_error *err)
{
	struct my_db *m = my(db);
	struct strvec stmts = STRVEC_INIT;
	struct strbuf text = STRBUF_INIT;
	int ret = 0;
	if (!m->session_read)
		return fw_errorf(err, "ERROR", "internal: the session was not read before a script");
	restore_sql(m, &stmts);
	for (size_t i = 0; i < stmts.nr && ret == 0; i++) {
		struct db_cmd cmd;
		memset(&cmd, 0, sizeof(cmd));
		cmd.sql = stmts.v[i];
		if (!m->batching)
			strbuf_addf(&text, "%s;", stmts.v[i]);
		else if (enqueue(m, &cmd, err) < 0)
			ret = batch_failed(m);
	}
	if (ret == 0 && !m->batching)
		ret = my_exec(db, text.buf, err);
	strvec_clear(&stmts);
	strbuf_release(&text);
	return ret;
}

/* Reference 4.2, MySQL: exactly this text, sent as one round trip. MariaDB
 * gets Flyway's empty constraint name ("CONSTRAINT  PRIMARY KEY"). The
 * tablespace is quoted with backticks: Flyway's "ts" is a string, not a
 * name, to a server without ANSI_QUOTES, and a syntax error there. */
static void my_history_table_sql(struct db *db, const char *schema, const char *table,
				 const char *tablespace, struct strbuf *out)
{
	struct my_db *m = my(db);
	struct strbuf q = STRBUF_INIT, name = STRBUF_INIT;
	qualify(schema, table, &q);
	strbuf_addf(out, "CREATE TABLE %s (\n"
		"    `installed_rank` INT NOT NULL,\n"
		"    `version` VARCHAR(50),\n"
		"    `description` VARCHAR(200) NOT NULL,\n"
		"    `type` VARCHAR(20) NOT NULL,\n"
		"    `script` VARCHAR(1000) NOT NULL,\n"
		"    `checksum` INT,\n"
		"    `installed_by` VARCHAR(100) NOT NULL,\n"
		"    `installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
		"    `execution_time` INT NOT NULL,\n"
		"    `success` BOOL NOT NULL,\n"
		"    CONSTRAINT ", q.buf);
	if (!m->mariadb) {
		strbuf_addf(&name, "%s_pk", table);
		quote(name.buf, out);
	}
	strbuf_addstr(out, " PRIMARY KEY (`installed_rank`)\n)");
	if (tablespace && *tablespace) {
		strbuf_addstr(out, " TABLESPACE ");
		quote(tablespace, out);
	}
	strbuf_addstr(out, ";\nCREATE INDEX ");
	strbuf_reset(&name);
	strbuf_addf(&name, "%s_s_idx", table);
	quote(name.buf, out);
	strbuf_addf(out, " ON %s (`success`);", q.buf);
	strbuf_release(&q);
	strbuf_release(&name);
}

/* DDL commits implicitly on MySQL: the script runs as it is */
static int my_exec_atomic(struct db *db, const char *script, struct fw_error *err)
{
	return my_exec(db, script, err);
}

/* ---- clean (reference 7.3) ---- */

/* Everything to drop, in Flyway's order: events, routines, views, tables
 * (their triggers go with them), sequences. The first row carries the
 * session's foreign_key_checks, to be restored afterwards. */
#define CLEAN_SQL(events) \
	"SELECT 0, '', @@SESSION.foreign_key_checks" \
	events \
	" UNION ALL SELECT 2, routine_type, routine_name FROM information_schema.routines" \
	"  WHERE routine_schema = ?" \
	" UNION ALL SELECT 3, 'VIEW', table_name FROM information_schema.tables" \
	"  WHERE table_schema = ? AND table_type = 'VIEW'" \
	" UNION ALL SELECT 4, 'TABLE', table_name FROM information_schema.tables" \
	"  WHERE table_schema = ? AND table_type NOT IN ('VIEW', 'SEQUENCE')" \
	" UNION ALL SELECT 5, 'SEQUENCE', table_name FROM information_schema.tables" \
	"  WHERE table_schema = ? AND table_type = 'SEQUENCE'" \
	" ORDER BY 1"

static int clean_list(struct my_db *m, const char *schema, struct db_result **out,
		      struct fw_error *err)
{
	const char *params[] = { schema, schema, schema, schema, schema };
	struct fw_error first = FW_ERROR_INIT;
	int ret = my_query(&m->base, CLEAN_SQL(" UNION ALL SELECT 1, 'EVENT', event_name"
					       " FROM information_schema.events WHERE event_schema = ?"),
			   5, params, out, &first);
	if (ret < 0)   /* events unreadable (see my_schema_is_empty) */
		ret = my_query(&m->base, CLEAN_SQL(""), 4, params + 1, out, err);
	fw_error_clear(&first);
	return ret;
}

static void add_statement(struct strbuf *text, const char *stmt)
{
	if (text->len)
		strbuf_addstr(text, ";\n");
	strbuf_addstr(text, stmt);
}

/* The DROPs go CLEAN_CHUNK to a round trip with foreign key checks off, so
 * that tables drop in any order; the checks are restored even on failure. */
static int my_clean_schema(struct db *db, const char *schema, struct fw_error *err)
{
	struct my_db *m = my(db);
	struct strbuf chunk = STRBUF_INIT, restore = STRBUF_INIT, drop = STRBUF_INIT;
	struct db_result *r;
	int ret = 0, n = 0;
	if (clean_list(m, schema, &r, err) < 0)
		return -1;
	strbuf_addf(&restore, "SET SESSION foreign_key_checks = %s",
		    db_value(r, 0, 2) && !strcmp(db_value(r, 0, 2), "0") ? "0" : "1");
	add_statement(&chunk, "SET SESSION foreign_key_checks = 0");
	for (int i = 1; ret == 0 && i < r->nrows; i++) {
		strbuf_reset(&drop);
		strbuf_addf(&drop, "DROP %s IF EXISTS ", db_value(r, i, 1));
		qualify(schema, db_value(r, i, 2), &drop);
		add_statement(&chunk, drop.buf);
		if (++n == CLEAN_CHUNK) {
			ret = my_exec(db, chunk.buf, err);
			strbuf_reset(&chunk);
			n = 0;
		}
	}
	if (ret == 0) {
		add_statement(&chunk, restore.buf);
		ret = my_exec(db, chunk.buf, err);
	} else {
		struct fw_error ignored = FW_ERROR_INIT;
		my_exec(db, restore.buf, &ignored);
		fw_error_clear(&ignored);
	}
	db_result_free(r);
	strbuf_release(&chunk);
	strbuf_release(&restore);
	strbuf_release(&drop);
	return ret;
}

/* ---- the lock (reference 12.2) ---- */

static void lock_name(const char *schema, const char *table, struct strbuf *out)
{
	struct strbuf q = STRBUF_INIT;
	qualify(schema, table, &q);
	strbuf_addf(out, "Flyway-%d", (int)db_java_hash(q.buf));
	strbuf_release(&q);
}

/* GET_LOCK refused (Percona XtraDB Cluster with pxc_strict_mode=ENFORCING
 * refuses it, some Galera versions too) or gave NULL (an error on the
 * server): there is no safe fallback, as Flyway's (SELECT ... FOR UPDATE on
 * the history table) holds only until the next DDL commits implicitly. */
static int lock_refused(struct my_db *m, struct fw_error *err, const char *name)
{
	int server_said = mysql_errno(m->conn) < CR_MIN_ERROR;   /* not a lost connection */
	if (!err->message.len)
		fw_errorf(err, "ERROR", "GET_LOCK returned NULL");
	fw_error_prefix(err, "unable to take the migration lock '%s'", name);
	if (server_said)
		fw_error_hint(err, "on Galera or Percona XtraDB Cluster named locks are refused or "
			      "only node-local: set pxc_strict_mode=PERMISSIVE (or allow GET_LOCK) "
			      "and run one migration at a time against one node");
	return -1;
}

/* Flyway's loop: GET_LOCK waits up to 10 s on the server and is repeated
 * 100 ms later until granted, with no limit (lockRetryCount does not apply
 * to MySQL). Only db_cancel() ends the wait. */
static int my_lock(struct db *db, const char *schema, const char *table, int retry_count,
		   struct fw_error *err)
{
	struct my_db *m = my(db);
	struct strbuf name = STRBUF_INIT, sql = STRBUF_INIT;
	const char *params[1];
	int got = 0, ret = 0;
	lock_name(schema, table, &name);
	strbuf_addf(&sql, "SELECT GET_LOCK(?, %d)", LOCK_WAIT_S);
	params[0] = name.buf;
	while (!got && ret == 0) {
		char *v;
		if (cancelled(m)) {
			ret = interrupted(err);
		} else if (query_value(m, sql.buf, 1, params, &v, err) < 0) {
			ret = cancelled(m) ? interrupted(err) : lock_refused(m, err, name.buf);
		} else if (!v) {
			ret = cancelled(m) ? interrupted(err) : lock_refused(m, err, name.buf);
		} else {
			got = !strcmp(v, "1");
			free(v);
			if (!got)
				db_sleep_ms(LOCK_RETRY_MS);
		}
	}
	if (got) {
		ALLOC_GROW(m->locks, m->nlocks + 1, m->alloc_locks);
		m->locks[m->nlocks++] = strbuf_detach(&name, NULL);
	}
	strbuf_release(&name);
	strbuf_release(&sql);
	return ret;
}

static int my_unlock(struct db *db, struct fw_error *err)
{
	struct my_db *m = my(db);
	const char *params[1];
	char *name, *v = NULL;
	int ret;
	if (!m->nlocks)
		return 0;
	name = m->locks[--m->nlocks];
	params[0] = name;
	ret = query_value(m, "SELECT RELEASE_LOCK(?)", 1, params, &v, err);
	if (ret < 0)
		fw_error_prefix(err, "unable to release the named lock '%s'", name);
	free(v);
	free(name);
	return ret;
}

/* ---- cancel ---- */

/* From another thread: queued commands and lock waits give up, and the
 * statement running now is stopped by KILL QUERY from a connection of its
 * own (the server refuses nothing to the same user). */
/* ---- scratch databases ---- */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void conf_copy(struct my_conf *dst, const struct my_conf *src)
{
	*dst = *src;
	dst->host = dup_or_null(src->host);
	dst->socket = dup_or_null(src->socket);
	dst->user = dup_or_null(src->user);
	dst->password = dup_or_null(src->password);
	dst->database = dup_or_null(src->database);
	dst->init_command = dup_or_null(src->init_command);
	dst->ssl_ca = dup_or_null(src->ssl_ca);
	dst->ssl_capath = dup_or_null(src->ssl_capath);
	dst->ssl_cert = dup_or_null(src->ssl_cert);
	dst->ssl_key = dup_or_null(src->ssl_key);
	dst->ssl_crl = dup_or_null(src->ssl_crl);
	dst->ssl_cipher = dup_or_null(src->ssl_cipher);
	dst->tls_version = dup_or_null(src->tls_version);
}

/* CREATE DATABASE with like_schema's character set and collation, which
 * tables created without their own take */
static void scratch_create_sql(struct my_db *m, const char *name, const char *like_schema,
			       struct strbuf *sql)
{
	const char *params[] = { like_schema };
	struct fw_error ignored = FW_ERROR_INIT;
	struct db_result *r = NULL;
	strbuf_addstr(sql, "CREATE DATABASE ");
	quote(name, sql);
	if (like_schema &&
	    my_query(&m->base, "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME"
		     " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", 1, params, &r,
		     &ignored) == 0 && db_value(r, 0, 0) && db_value(r, 0, 1)) {
		strbuf_addstr(sql, " CHARACTER SET ");
		quote(db_value(r, 0, 0), sql);
		strbuf_addstr(sql, " COLLATE ");
		quote(db_value(r, 0, 1), sql);
	}
	db_result_free(r);
	fw_error_clear(&ignored);
}

static int my_scratch_drop(struct db *db, const char *name, struct fw_error *err)
{
	return schema_statement(db, "DROP DATABASE IF EXISTS ", name, err);
}

static int my_scratch_create(struct db *db, const char *name, const char *like_schema,
			     struct db **out, struct fw_error *err)
{
	struct my_db *m = my(db), *s;
	struct strbuf sql = STRBUF_INIT;
	struct fw_error ignored = FW_ERROR_INIT;
	int ret;
	scratch_create_sql(m, name, like_schema, &sql);
	ret = my_exec(db, sql.buf, err);
	strbuf_release(&sql);
	if (ret < 0) {
		fw_error_prefix(err, "unable to create a scratch database on %s", db_display_url(db));
		if (err->sql_errcode == ER_DBACCESS_DENIED_ERROR)
			fw_error_hint(err, "the user needs the CREATE and DROP privileges on "
				      "databases named fleetway_scratch_%%, or name a build database "
				      "the user may use");
		return -1;
	}
	s = xcalloc(1, sizeof(*s));
	s->base.ops = &db_mysql_ops;
	strbuf_init(&s->batch, 0);
	conf_copy(&s->conf, &m->conf);
	free(s->conf.database);
	s->conf.database = xstrdup(name);
	if (connect_conn(&s->conf, 1, &s->conn, err) < 0) {
		fw_error_prefix(err, "unable to connect to scratch database %s", name);
		conf_release(&s->conf);
		strbuf_release(&s->batch);
		free(s);
		my_scratch_drop(db, name, &ignored);
		fw_error_clear(&ignored);
		return -1;
	}
	s->thread_id = mysql_thread_id(s->conn);
	s->database = xstrdup(name);
	set_product(s);
	s->base.scratch_schema = xstrdup(name);
	*out = &s->base;
	return 0;
}

static void my_cancel(struct db *db)
{
	struct my_db *m = my(db);
	struct fw_error ignored = FW_ERROR_INIT;
	char sql[64];
	MYSQL *k;
	atomic_store(&m->base.cancelled, 1);   /* db_cancel did too; harmless */
	if (!lib_ready() || connect_conn(&m->conf, 0, &k, &ignored) < 0) {
		fw_error_clear(&ignored);
		return;
	}
	snprintf(sql, sizeof(sql), "KILL QUERY %lu", m->thread_id);
	mysql_real_query(k, sql, (unsigned long)strlen(sql));
	mysql_close(k);
}

const struct db_ops db_mysql_ops = {
	.name = "MySQL",
	.kind = DB_MYSQL,
	.open = my_open,
	.close = my_close,
	.quote_ident = my_quote_ident,
	.exec = my_exec,
	.query = my_query,
	.batch_begin = my_batch_begin,
	.batch_add = my_batch_add,
	.batch_end = my_batch_end,
	.current_schema = my_current_schema,
	.current_user = my_current_user,
	.database_name = my_database_name,
	.schema_exists = my_schema_exists,
	.schema_is_empty = my_schema_is_empty,
	.table_exists = my_table_exists,
	.probe = my_probe,
	.create_schema = my_create_schema,
	.set_default_schema = my_set_default_schema,
	.session_read = my_session_read,
	.session_restore = my_session_restore,
	.default_schema_sql = my_default_schema_sql,
	.thread_end = my_thread_end,
	.backslash_escapes = 1,
	.exec_atomic = my_exec_atomic,
	.history_table_sql = my_history_table_sql,
	.lock = my_lock,
	.unlock = my_unlock,
	.clean_schema = my_clean_schema,
	.drop_schema = my_drop_schema,
	.read_schema = db_mysql_read_schema,
	.scratch_create = my_scratch_create,
	.scratch_drop = my_scratch_drop,
	.table_size = my_table_size,
	.set_timeouts = my_set_timeouts,
	.reset_timeouts = my_reset_timeouts,
	.timeout_kind = my_timeout_kind,
	.cancel = my_cancel,
	.supports_ddl_transactions = 0,
	.bool_true = "1",
	.bool_false = "0",
	/* Flyway's transaction on MySQL is autocommit off, not BEGIN: DDL
	 * commits implicitly either way, but after BEGIN the session is back in
	 * autocommit mode from the first DDL on, so the DML that follows it
	 * could not be rolled back (reference 14.18). Setting autocommit back
	 * to 1 commits; one statement, so the commit still joins the batch. */
	.begin_sql = "SET autocommit = 0",
	.commit_sql = "SET autocommit = 1",
	.rollback_sql = "ROLLBACK; SET autocommit = 1",
};
