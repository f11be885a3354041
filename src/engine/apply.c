#include "engine/apply.h"
#include "engine/checksum.h"
#include "engine/script.h"
#include "engine/script-text.h"
#include "engine/target.h"
#include "util/duration.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- reading a script (engine/script-text.h) ---- */

static const char *script_encoding(const struct fw_target *t, const struct fw_resolved *r)
{
	return r->conf.encoding ? r->conf.encoding : t->cfg->encoding;
}

static int replaces_placeholders(const struct fw_target *t, const struct fw_resolved *r)
{
	if (r->conf.placeholder_replacement >= 0)
		return r->conf.placeholder_replacement;
	return t->cfg->placeholder_replacement;
}

/* the script's text as it is sent: ${flyway:filename} is its own name */
static int src_open(struct fw_target *t, const struct fw_resolved *r, struct fw_script_text *s,
		    struct fw_error *err)
{
	int replace = replaces_placeholders(t, r);
	if (replace)
		fw_placeholders_set_builtin(&t->ph, "filename", r->filename);
	return fw_script_text_open(s, r->path, script_encoding(t, r), replace ? &t->ph : NULL, r->script, err);
}

/* ---- transaction decision ---- */

static int check_inline_callbacks(struct fw_target *t, const struct fw_resolved *r,
				  struct fw_error *err);

/* the statements kept from the reading pass: a copy of st */
static void keep_statement(struct fw_script_prep *p, const struct sql_stmt *st)
{
	struct sql_stmt *k;
	p->bytes += st->sql.len + st->copy_data.len + sizeof(*k);
	if (p->bytes > FW_SCRIPT_KEEP_MAX) {
		/* too large to hold: the apply reads the file again, statement by statement */
		fw_script_prep_release(p);
		p->cached = 0;
		return;
	}
	ALLOC_GROW(p->stmts, p->nr + 1, p->alloc);
	k = &p->stmts[p->nr++];
	*k = (struct sql_stmt)SQL_STMT_INIT;
	strbuf_addbuf(&k->sql, &st->sql);
	strbuf_addbuf(&k->copy_data, &st->copy_data);
	k->line = st->line;
	k->col = st->col;
	k->flags = st->flags;
	memcpy(k->simplified, st->simplified, sizeof(k->simplified));
}

int fw_script_prepare(struct fw_target *t, const struct fw_resolved *r, struct fw_script_prep *p,
		      struct fw_error *err)
{
	struct fw_script_text src;
	struct sqlsplit *sp;
	struct sql_stmt st = SQL_STMT_INIT;
	int rc, nontx_line = 0, others = 0, ret = 0;
	struct strbuf nontx_sql = STRBUF_INIT;
	memset(p, 0, sizeof(*p));
	p->script = r;
	if (r->is_script)
		return 0;
	p->cached = 1;
	/* The whole script is split even when the configuration decides: this
	 * pass is what refuses a script that cannot be split (an unterminated
	 * string, a NUL byte) before any of its statements runs. What it split
	 * is kept, so the apply does not read and split the file again. */
	if (src_open(t, r, &src, err) < 0) {
		fw_script_text_close(&src);
		return -1;
	}
	sp = sqlsplit_new(t->dialect, fw_script_text_read, &src, r->script);
	while ((rc = sqlsplit_next(sp, &st, err)) > 0) {
		if (st.flags & SQL_STMT_NONTX) {
			if (!nontx_line) {
				nontx_line = st.line;
				strbuf_addbuf(&nontx_sql, &st.sql);
			}
		} else {
			others = 1;
		}
		if (p->cached)
			keep_statement(p, &st);
	}
	if (rc < 0) {
		fw_script_text_error(&src, err);
		ret = -1;
	} else if (check_inline_callbacks(t, r, err) < 0) {
		ret = -1;
	} else if (r->conf.execute_in_transaction >= 0) {
		p->tx = r->conf.execute_in_transaction;
	} else if (!t->cfg->execute_in_transaction) {
		p->tx = 0;
	} else if (nontx_line && others && !t->cfg->mixed) {
		ret = fw_errorf(err, "ERROR",
				"Detected both transactional and non-transactional statements within the same migration (even though mixed is false). Offending statement found at line %d: %s [non-transactional]",
				nontx_line, nontx_sql.buf);
		fw_error_detail(err, "in %s", r->path);
		fw_error_hint(err, "move the statement to a migration of its own, set mixed=true, or add executeInTransaction=false to %s.conf",
			      r->filename);
	} else {
		p->tx = !nontx_line;
	}
	sql_stmt_release(&st);
	sqlsplit_free(sp);
	fw_script_text_close(&src);
	strbuf_release(&nontx_sql);
	if (ret < 0)
		fw_script_prep_release(p);
	return ret;
}

void fw_script_prep_release(struct fw_script_prep *p)
{
	for (size_t i = 0; i < p->nr; i++)
		sql_stmt_release(&p->stmts[i]);
	free(p->stmts);
	p->stmts = NULL;
	p->nr = p->alloc = 0;
	p->bytes = 0;
}

int fw_script_is_transactional(struct fw_target *t, const struct fw_resolved *r, int *tx,
			       struct fw_error *err)
{
	struct fw_script_prep p;
	if (fw_script_prepare(t, r, &p, err) < 0)
		return -1;
	*tx = p.tx;
	fw_script_prep_release(&p);
	return 0;
}

int fw_script_statements(struct fw_target *t, const struct fw_resolved *r,
			 int (*fn)(void *ctx, const char *sql, int line, struct fw_error *err),
			 void *ctx, struct fw_error *err)
{
	struct fw_script_text src;
	struct sqlsplit *sp;
	struct sql_stmt st = SQL_STMT_INIT;
	int rc, ret = 0;
	if (src_open(t, r, &src, err) < 0)
		return -1;
	sp = sqlsplit_new(t->dialect, fw_script_text_read, &src, r->script);
	while ((rc = sqlsplit_next(sp, &st, err)) > 0)
		if (fn(ctx, st.sql.buf, st.line, err) < 0) {
			ret = -1;
			break;
		}
	if (rc < 0) {
		fw_script_text_error(&src, err);
		ret = -1;
	}
	sql_stmt_release(&st);
	sqlsplit_free(sp);
	fw_script_text_close(&src);
	return ret;
}

/* ---- result rows (outputQueryResults) ---- */

static void print_rows(void *ctx, const struct db_result *r)
{
	struct fw_target *t = ctx;
	struct fw_event ev = { .kind = FW_EV_ROWS, .rows = r };
	fw_emit(t->obs, &ev);
}

static void print_notice(void *ctx, const char *sqlstate, int code, const char *message)
{
	struct fw_target *t = ctx;
	struct fw_event ev = { .kind = FW_EV_DB_WARNING, .text = message, .name = sqlstate,
			       .count = code < 0 ? 0 : (size_t)code };
	fw_emit(t->obs, &ev);
}

/* ---- sending statements ---- */

/* The per-script callback events: a migration fires the migrate ones, an
 * undo script the undo ones; callbacks themselves fire none. */
struct script_events {
	const char *before_each, *after_each, *after_each_error;
	const char *before_stmt, *after_stmt, *after_stmt_error;
};

static const struct script_events migrate_events = {
	"beforeEachMigrate", "afterEachMigrate", "afterEachMigrateError",
	"beforeEachMigrateStatement", "afterEachMigrateStatement", "afterEachMigrateStatementError",
};
static const struct script_events undo_events = {
	"beforeEachUndo", "afterEachUndo", "afterEachUndoError",
	"beforeEachUndoStatement", "afterEachUndoStatement", "afterEachUndoStatementError",
};

static const struct script_events *events_of(const struct fw_resolved *r)
{
	if (r->kind == FW_FILE_CALLBACK)
		return NULL;
	return r->kind == FW_FILE_UNDO ? &undo_events : &migrate_events;
}

struct runner {
	struct fw_target *t;
	const struct fw_script_prep *prep;   /* the script's statements, when kept (NULL: none) */
	int batch;                 /* commands go through db_batch_* */
	int statements;
	const struct script_events *ev;  /* per-statement callbacks to fire, or NULL */
};

static int send(struct runner *rn, const struct db_cmd *cmd, struct fw_error *err)
{
	if (rn->batch)
		return db_batch_add(rn->t->db, cmd, err);
	if (cmd->nparams || cmd->want_rows || cmd->copy_data) {
		/* outside a batch the driver's batch_add runs a command at once */
		return db_batch_add(rn->t->db, cmd, err);
	}
	return db_exec(rn->t->db, cmd->sql, err);
}

static int fire_inline(struct runner *rn, const char *event, struct fw_error *err);

/* one statement, with the per-statement callbacks (rn->ev) around it; st
 * may lose its text to the driver (a huge statement is held once) */
static int send_statement(struct runner *rn, struct sql_stmt *st, struct fw_error *err)
{
	const struct script_events *ev = rn->ev;
	struct db_cmd c;
	if (rn->t->cancel && __atomic_load_n(rn->t->cancel, __ATOMIC_RELAXED))
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
	memset(&c, 0, sizeof(c));
	c.sql = st->sql.buf;
	c.release_sql = &st->sql;
	c.line = st->line;
	c.want_rows = (st->flags & SQL_STMT_SELECT_LIKE) && rn->t->cfg->output_query_results;
	if (st->flags & SQL_STMT_COPY) {
		c.copy_data = st->copy_data.buf;
		c.copy_len = st->copy_data.len;
	}
	if (ev && fire_inline(rn, ev->before_stmt, err) < 0)
		return -1;
	if (send(rn, &c, err) < 0) {
		if (!err->line)
			err->line = st->line;
		if (ev) {
			struct fw_error cberr = FW_ERROR_INIT;
			fire_inline(rn, ev->after_stmt_error, &cberr);
			fw_error_clear(&cberr);
		}
		return -1;
	}
	rn->statements++;
	return ev ? fire_inline(rn, ev->after_stmt, err) : 0;
}

/* every statement of one script: the ones its reading pass kept, or read
 * and split from the file now */
static int send_script(struct runner *rn, const struct fw_resolved *r, struct fw_error *err)
{
	struct fw_script_text src;
	struct sqlsplit *sp;
	struct sql_stmt st = SQL_STMT_INIT;
	int rc, ret = 0;
	if (rn->prep && rn->prep->script == r && rn->prep->cached) {
		for (size_t i = 0; i < rn->prep->nr; i++)
			if (send_statement(rn, &rn->prep->stmts[i], err) < 0)
				return -1;
		return 0;
	}
	if (src_open(rn->t, r, &src, err) < 0) {
		fw_script_text_close(&src);
		return -1;
	}
	sp = sqlsplit_new(rn->t->dialect, fw_script_text_read, &src, r->script);
	while ((rc = sqlsplit_next(sp, &st, err)) > 0)
		if (send_statement(rn, &st, err) < 0) {
			ret = -1;
			break;
		}
	if (rc < 0) {
		fw_script_text_error(&src, err);
		ret = -1;
	}
	sql_stmt_release(&st);
	sqlsplit_free(sp);
	fw_script_text_close(&src);
	return ret;
}

static int ignore_statement(void *ctx, const char *sql, int line, struct fw_error *err)
{
	return 0;
}

/* The SQL callbacks that run inside a migration (beforeEachMigrate, ...) are
 * split before it starts too: one that cannot be split (a NUL byte) would
 * otherwise fail the migration half-way. */
static int check_inline_callbacks(struct fw_target *t, const struct fw_resolved *r,
				  struct fw_error *err)
{
	const struct script_events *ev = events_of(r);
	if (!ev)
		return 0;
	for (size_t i = 0; i < t->scan.nr_callbacks; i++) {
		const struct fw_resolved *cb = &t->scan.callbacks[i];
		const char *e = cb->event;
		if (cb->is_script || (strcmp(e, ev->before_each) && strcmp(e, ev->after_each) &&
				      strcmp(e, ev->after_each_error) && strcmp(e, ev->before_stmt) &&
				      strcmp(e, ev->after_stmt) && strcmp(e, ev->after_stmt_error)))
			continue;
		if (fw_script_statements(t, cb, ignore_statement, NULL, err) < 0)
			return -1;
	}
	return 0;
}

/* is there a callback for `event` (only script ones: scripts_only) */
static int has_callback(const struct fw_target *t, const char *event, int scripts_only)
{
	for (size_t i = 0; i < t->scan.nr_callbacks; i++)
		if ((!scripts_only || t->scan.callbacks[i].is_script) &&
		    !strcmp(t->scan.callbacks[i].event, event))
			return 1;
	return 0;
}

/* the events whose statement callbacks exist, or NULL: most runs have none,
 * and then statements are not interleaved with callback checks */
static const struct script_events *statement_events(const struct fw_target *t,
						    const struct fw_resolved *r)
{
	const struct script_events *ev = events_of(r);
	if (ev && (has_callback(t, ev->before_stmt, 0) || has_callback(t, ev->after_stmt, 0) ||
		   has_callback(t, ev->after_stmt_error, 0)))
		return ev;
	return NULL;
}

/* callbacks of per-migration events run inside the migration's transaction */
static int fire_inline(struct runner *rn, const char *event, struct fw_error *err)
{
	struct fw_target *t = rn->t;
	for (size_t i = 0; i < t->scan.nr_callbacks; i++) {
		const struct fw_resolved *cb = &t->scan.callbacks[i];
		if (strcmp(cb->event, event))
			continue;
		if (cb->is_script) {
			if (fw_run_script_process(t, cb, err) < 0)
				goto fail;
			continue;
		}
		const struct script_events *saved = rn->ev;
		int rc;
		rn->ev = NULL;  /* a callback's statements fire no statement callbacks */
		rc = send_script(rn, cb, err);
		rn->ev = saved;
		if (rc < 0)
			goto fail;
	}
	return 0;
fail:
	fw_error_prefix(err, "Error while executing %s callback", event);
	return -1;
}

/* "Migration V2__x.sql failed" with Flyway's SQL State / Message / Location / Line / Statement lines */
static void describe_failure(const struct fw_target *t, const struct fw_resolved *r,
			     struct fw_error *err)
{
	struct strbuf msg = STRBUF_INIT, det = STRBUF_INIT;
	if (err->exit_code == FW_EXIT_INTERRUPTED)
		return;
	strbuf_addf(&msg, "Migration %s failed", r->filename);
	if (t->name && strcmp(t->name, "default"))
		strbuf_addf(&msg, " against %s environment", t->name);
	if (err->sqlstate[0])
		strbuf_addf(&det, "SQL State  : %s\n", err->sqlstate);
	strbuf_addf(&det, "Error Code : %d\n", err->sql_errcode);
	strbuf_addf(&det, "Message    : %s\n", err->message.buf);
	strbuf_addf(&det, "Location   : %s (%s)\n", r->script, r->path);
	if (err->line)
		strbuf_addf(&det, "Line       : %d\n", err->line);
	strbuf_addbuf(&det, &err->detail);
	strbuf_rtrim(&det);
	strbuf_release(&err->message);
	strbuf_release(&err->detail);
	err->message = msg;
	err->detail = det;
	if (!err->path)
		err->path = xstrdup(r->path);
	if (!err->code || !strcmp(err->code, "ERROR"))
		err->code = "FAULT";
}

static void history_params8(const struct fw_history_row *row, char vals[9][32], const char *p8[8])
{
	const char *p9[9];
	fw_history_insert_params(row, vals, p9);
	/* execution_time (7th column) is computed by the server in the batched insert */
	for (int i = 0, k = 0; i < 9; i++)
		if (i != 7)
			p8[k++] = p9[i];
}

/* Inside a group the transaction's start is the group's: each migration
 * restarts the server's clock instead (db_clock_restart_sql). */
static int restart_server_clock(struct runner *rn, struct fw_error *err)
{
	struct db_cmd c;
	memset(&c, 0, sizeof(c));
	c.sql = db_clock_restart_sql(rn->t->db);
	return send(rn, &c, err);
}

/* INSERT whose execution_time the server measures (db_elapsed_ms_sql), so
 * the row can travel in the same round trip as the migration; 0 where the
 * database cannot measure it */
static int timed_insert_sql(const struct fw_target *t, struct strbuf *sql)
{
	struct strbuf base = STRBUF_INIT, elapsed = STRBUF_INIT;
	char *p;
	int n = 0;
	if (!db_elapsed_ms_sql(t->db, t->in_group, &elapsed))
		return 0;
	fw_history_insert_sql(&t->hist, &base);
	for (p = base.buf; *p; p++) {
		if (*p == '?' && ++n == 8) {
			strbuf_addbuf(sql, &elapsed);
			continue;
		}
		strbuf_addch(sql, *p);
	}
	strbuf_release(&base);
	strbuf_release(&elapsed);
	return 1;
}

/* ---- limits: lockTimeout, statementTimeout, the time a migration may take ---- */

long fw_migration_budget_ms(const struct fw_config *cfg)
{
	const char *s = fw_config_setting(cfg, "check.maxMigrationSeconds");
	long secs = s ? atol(s) : 30;
	return (secs < 0 ? 0 : secs) * 1000L;
}

static long config_ms(const char *text)
{
	struct fw_error e = FW_ERROR_INIT;
	long ms = 0;
	if (text && fw_parse_duration(text, &ms, &e) < 0)
		ms = 0;   /* validated when the configuration was read */
	fw_error_clear(&e);
	return ms;
}

/* a migration's limits: its .conf's, else the configuration's (callbacks have none) */
static void migration_timeouts(const struct fw_target *t, const struct fw_resolved *r, struct db_timeouts *to)
{
	to->lock_ms = to->statement_ms = 0;
	if (r->kind == FW_FILE_CALLBACK)
		return;
	to->lock_ms = r->conf.lock_timeout_ms >= 0 ? r->conf.lock_timeout_ms : config_ms(t->cfg->lock_timeout);
	to->statement_ms = r->conf.statement_timeout_ms >= 0 ? r->conf.statement_timeout_ms
							      : config_ms(t->cfg->statement_timeout);
}

/* a migration cut by one of its limits: say which, and what to do */
static void timeout_hint(struct fw_target *t, const struct fw_resolved *r, int kind, struct fw_error *err)
{
	struct db_timeouts to;
	migration_timeouts(t, r, &to);
	if (kind)
		strbuf_reset(&err->hint);   /* the driver's general advice; this is the cause */
	if (kind == 1)
		fw_error_hint(err, "it waited longer than lockTimeout (%ld ms) for a lock another session holds: find that session, or migrate when the table is free; nothing of this migration was kept where the database can roll back",
			      to.lock_ms);
	else if (kind == 2)
		fw_error_hint(err, "a statement ran longer than statementTimeout (%ld ms): rehearse it on a copy (check -rehearse) and split the work, or raise the limit for this script in its .conf",
			      to.statement_ms);
}

static int run_transactional(struct fw_target *t, const struct fw_resolved *r,
			     const struct fw_script_prep *prep, struct fw_history_row *row, long t0,
			     struct fw_apply_result *res, struct fw_error *err)
{
	struct runner rn = { .t = t, .prep = prep, .ev = statement_events(t, r) };
	const struct script_events *ev = events_of(r);
	int server_timed = db_clock_restart_sql(t->db) != NULL;
	int own_tx = !t->in_group;
	struct strbuf ins = STRBUF_INIT;
	char vals[9][32];
	const char *params[9];
	struct db_cmd c;
	struct db_timeouts to;
	migration_timeouts(t, r, &to);
	/* Statement callbacks and script callbacks must see each statement done
	 * when they run, and a statement's error before the next callback: then
	 * statements go one by one instead of as one batch. */
	rn.batch = !rn.ev && !(ev && (has_callback(t, ev->before_each, 1) ||
				     has_callback(t, ev->after_each, 1)));
	if (db_session_read(t->db, err) < 0 || (rn.batch && db_batch_begin(t->db, err) < 0))
		return -1;
	/* db_begin joins the batch (BEGIN IMMEDIATE on SQLite, so a reader never has to upgrade);
	 * inside a group the migration's clock starts on the server instead. The
	 * limits go around it: SQLite's lock wait is BEGIN's, PostgreSQL's SET
	 * LOCAL needs the transaction */
	if (db_set_timeouts(t->db, &to, DB_TIMEOUTS_BEFORE_BEGIN, err) < 0 ||
	    (own_tx ? db_begin(t->db, err) : (server_timed ? restart_server_clock(&rn, err) : 0)) < 0 ||
	    db_set_timeouts(t->db, &to, DB_TIMEOUTS_IN_TX, err) < 0 ||
	    db_session_restore(t->db, t->schema, err) < 0 ||
	    (ev && fire_inline(&rn, ev->before_each, err) < 0))
		goto fail;
	if (r->is_script) {
		if (fw_run_script_process(t, r, err) < 0)
			goto fail;
	} else if (send_script(&rn, r, err) < 0) {
		goto fail;
	}
	if (ev && fire_inline(&rn, ev->after_each, err) < 0)
		goto fail;
	memset(&c, 0, sizeof(c));
	if (row) {
		row->execution_time = (int)(fw_now_ms() - t0);
		if (timed_insert_sql(t, &ins)) {
			history_params8(row, vals, params);
			c.nparams = 8;
		} else {
			fw_history_insert_sql(&t->hist, &ins);
			fw_history_insert_params(row, vals, params);
			c.nparams = 9;
		}
		c.sql = ins.buf;
		c.params = params;
		if (send(&rn, &c, err) < 0)
			goto fail;
	}
	if ((own_tx && db_commit(t->db, err) < 0) || db_batch_end(t->db, err) < 0)
		goto fail_ended;
	res->statements = rn.statements;
	strbuf_release(&ins);
	if (row)
		fw_history_remember(&t->hist, row);
	return 0;
fail:
	{
		struct fw_error e2 = FW_ERROR_INIT;
		db_batch_end(t->db, &e2); /* the first error is the one that matters */
		fw_error_clear(&e2);
	}
fail_ended:
	if (own_tx) { /* a group is rolled back as a whole by fw_group_end() */
		struct fw_error e2 = FW_ERROR_INIT;
		db_rollback(t->db, &e2);
		fw_error_clear(&e2);
	}
	strbuf_release(&ins);
	return -1;
}

static int run_nontransactional(struct fw_target *t, const struct fw_resolved *r,
				const struct fw_script_prep *prep, struct fw_apply_result *res,
				struct fw_error *err)
{
	struct runner rn = { .t = t, .prep = prep, .ev = statement_events(t, r) };
	const struct script_events *ev = events_of(r);
	struct db_timeouts to;
	migration_timeouts(t, r, &to);
	if (db_session_read(t->db, err) < 0 || db_session_restore(t->db, t->schema, err) < 0 ||
	    db_set_timeouts(t->db, &to, DB_TIMEOUTS_NO_TX, err) < 0)
		return -1;
	if (ev && fire_inline(&rn, ev->before_each, err) < 0)
		return -1;
	if (r->is_script) {
		if (fw_run_script_process(t, r, err) < 0)
			return -1;
	} else if (send_script(&rn, r, err) < 0) {
		return -1;
	}
	res->statements = rn.statements;
	return ev ? fire_inline(&rn, ev->after_each, err) : 0;
}

/* Flyway records a failed row wherever the failure could not be rolled back */
static void record_failure(struct fw_target *t, struct fw_history_row *row, long t0)
{
	struct fw_error e2 = FW_ERROR_INIT;
	row->success = 0;
	row->execution_time = (int)(fw_now_ms() - t0);
	if (fw_history_insert(&t->hist, row, &e2) < 0) {
		fw_emit_warn(t->obs, "unable to record the failed migration in the schema history: %s",
			     e2.message.buf);
		fw_error_clear(&e2);
	}
}

int fw_apply_migration(struct fw_target *t, const struct fw_resolved *r,
		       struct fw_history_row *row, struct fw_apply_result *res, struct fw_error *err)
{
	struct fw_script_prep prep;
	int rc;
	memset(res, 0, sizeof(*res));  /* filled even when the script cannot be read */
	if (fw_script_prepare(t, r, &prep, err) < 0)
		return -1;
	rc = fw_apply_prepared(t, r, &prep, row, res, err);
	fw_script_prep_release(&prep);
	return rc;
}

/* the connection's own limits again after a migration; after a failure
 * the failure is what matters */
static void restore_timeouts(struct fw_target *t, int failed)
{
	struct fw_error e = FW_ERROR_INIT;
	if (db_reset_timeouts(t->db, &e) < 0 && !failed)
		fw_emit_warn(t->obs, "unable to restore the session's lock and statement timeouts: %s", e.message.buf);
	fw_error_clear(&e);
}

int fw_apply_prepared(struct fw_target *t, const struct fw_resolved *r, const struct fw_script_prep *prep,
		      struct fw_history_row *row, struct fw_apply_result *res, struct fw_error *err)
{
	long t0 = fw_now_ms();
	int tx = prep->tx, rc, cut;
	memset(res, 0, sizeof(*res));
	res->transactional = tx;
	row->rank = fw_history_next_rank(&t->hist, 0);
	if (tx)
		rc = run_transactional(t, r, prep, row, t0, res, err);
	else
		rc = run_nontransactional(t, r, prep, res, err);
	res->ms = fw_now_ms() - t0;
	cut = rc < 0 ? db_timeout_kind(t->db, err) : 0;   /* before the limits go */
	restore_timeouts(t, rc < 0);
	if (rc < 0) {
		struct runner rn = { .t = t };
		const struct script_events *ev = events_of(r);
		struct fw_error cberr = FW_ERROR_INIT;
		describe_failure(t, r, err);
		timeout_hint(t, r, cut, err);
		if (err->exit_code != FW_EXIT_INTERRUPTED && !t->in_group &&
		    (!tx || !db_supports_ddl_transactions(t->db)))
			record_failure(t, row, t0);
		if (ev && fire_inline(&rn, ev->after_each_error, &cberr) < 0)
			fw_emit_warn(t->obs, "%s", cberr.message.buf);
		fw_error_clear(&cberr);
		return -1;
	}
	if (!tx) {
		row->execution_time = (int)res->ms;
		row->success = 1;
		if (fw_history_insert(&t->hist, row, err) < 0)
			return -1;
	}
	return 0;
}

int fw_apply_rehearse(struct fw_target *t, const struct fw_resolved *r, struct fw_apply_result *res,
		      int *timeout, struct fw_error *err)
{
	int saved = t->in_group, rc;
	long t0;
	struct fw_script_prep prep;
	memset(res, 0, sizeof(*res));
	*timeout = 0;
	if (fw_script_prepare(t, r, &prep, err) < 0)
		return -1;
	t0 = fw_now_ms();
	res->transactional = 1;
	t->in_group = 1;   /* the caller's transaction: no BEGIN or COMMIT of its own */
	rc = run_transactional(t, r, &prep, NULL, t0, res, err);
	t->in_group = saved;
	fw_script_prep_release(&prep);
	res->ms = fw_now_ms() - t0;
	*timeout = rc < 0 ? db_timeout_kind(t->db, err) : 0;
	restore_timeouts(t, rc < 0);
	if (rc < 0) {
		describe_failure(t, r, err);
		timeout_hint(t, r, *timeout, err);
	}
	return rc;
}

int fw_apply_callback(struct fw_target *t, const struct fw_resolved *cb, struct fw_error *err)
{
	struct fw_apply_result res;
	struct fw_script_prep prep;
	int rc;
	if (cb->is_script)
		return fw_run_script_process(t, cb, err);
	if (fw_script_prepare(t, cb, &prep, err) < 0)
		return -1;
	memset(&res, 0, sizeof(res));
	db_set_rows_handler(t->db, print_rows, t);
	db_set_notice_handler(t->db, print_notice, t);
	if (prep.tx)
		rc = run_transactional(t, cb, &prep, NULL, fw_now_ms(), &res, err);
	else
		rc = run_nontransactional(t, cb, &prep, &res, err);
	fw_script_prep_release(&prep);
	return rc;
}

void fw_apply_install_rows_handler(struct fw_target *t)
{
	db_set_rows_handler(t->db, print_rows, t);
	db_set_notice_handler(t->db, print_notice, t);
}

int fw_group_begin(struct fw_target *t, struct fw_error *err)
{
	if (db_begin(t->db, err) < 0)
		return -1;
	t->in_group = 1;
	return 0;
}

int fw_group_end(struct fw_target *t, int ok, struct fw_error *err)
{
	struct fw_error e2 = FW_ERROR_INIT;
	t->in_group = 0;
	if (ok && db_commit(t->db, err) == 0)
		return 0;
	db_rollback(t->db, &e2);
	fw_error_clear(&e2);
	/* the rows remembered during the group were never committed */
	if (fw_history_load(&t->hist, &e2) < 0) {
		fw_emit_warn(t->obs, "unable to re-read the schema history after the rollback: %s",
			     e2.message.buf);
		fw_error_clear(&e2);
	}
	return -1;
}
