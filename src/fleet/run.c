/* Running a fleet's targets on a pool of threads (see run.h). */
#include "fleet/run.h"
#include "engine/target.h"
#include "ops/op.h"
#include "ops/preflight.h"
#include "ops/probe.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static const char *const status_names[FW_TS_NR] = {
	[FW_TS_WAITING] = "waiting", [FW_TS_RUNNING] = "running", [FW_TS_OK] = "ok",
	[FW_TS_FAILED] = "failed", [FW_TS_NOT_STARTED] = "not started", [FW_TS_HALTED] = "halted",
	[FW_TS_INTERRUPTED] = "interrupted",
};

const char *fw_tstatus_name(enum fw_tstatus s)
{
	return s < FW_TS_NR ? status_names[s] : "?";
}

int fw_fleet_flag(volatile int *flag)
{
	return __atomic_load_n(flag, __ATOMIC_SEQ_CST);
}

static void flag_set(volatile int *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
}

/* ---------------------------------------------------------------- kept sessions */

/* A session opened for the pre-flight is kept for the migrate that follows:
 * a second backend per target costs the server about as much as a small
 * target's migrations (a cold catalog cache), and far away it costs round
 * trips. Only the first `keep_limit` targets in rollout order keep theirs, and
 * the pre-flight walks the fleet from its end, so those are opened last: the
 * connections open at once stay near `parallel` throughout. */
static int keep_session(struct fw_fleet_run *r, size_t idx, struct fw_session *s)
{
	int kept = 0;
	/* a target the next batch settles without a session, or one read from a
	 * stand-in for a database still to be made, has nothing to keep */
	if (r->res[idx].settled || !r->res[idx].where.exists)
		return 0;
	pthread_mutex_lock(&r->lock);
	if (idx < (size_t)r->keep_limit && s->connected && !fw_fleet_flag(&r->cancel)) {
		r->kept[idx] = s;
		r->nr_kept++;
		kept = 1;
	}
	pthread_mutex_unlock(&r->lock);
	return kept;
}

static struct fw_session *take_kept(struct fw_fleet_run *r, size_t idx)
{
	struct fw_session *s;
	pthread_mutex_lock(&r->lock);
	s = r->kept[idx];
	r->kept[idx] = NULL;
	if (s)
		r->nr_kept--;
	pthread_mutex_unlock(&r->lock);
	return s;
}

/* a kept connection may have been dropped while it waited (server timeout,
 * network): then the target connects anew, as if it had not been kept */
static void check_alive(struct fw_session *s)
{
	struct fw_error err = FW_ERROR_INIT;
	if (s->connected && db_exec(s->target.db, "SELECT 1", &err) < 0)
		fw_session_close(s);
	fw_error_clear(&err);
}

static void drop_kept(struct fw_fleet_run *r)
{
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct fw_session *s = take_kept(r, i);
		if (s) {
			fw_session_close(s);
			free(s);
		}
	}
}

/* ---------------------------------------------------------------- setup */

void fw_fleet_run_init(struct fw_fleet_run *r, const struct fw_settings *s, const struct fw_fleet *f)
{
	memset(r, 0, sizeof(*r));
	r->settings = s;
	r->fleet = f;
	r->cfg = xcalloc(f->nr + 1, sizeof(*r->cfg));
	r->res = xcalloc(f->nr + 1, sizeof(*r->res));
	r->dbs = xcalloc(f->nr + 1, sizeof(*r->dbs));
	r->kept = xcalloc(f->nr + 1, sizeof(*r->kept));
	r->scans = fw_scan_cache_new();
	for (size_t i = 0; i < f->nr; i++)
		strbuf_init(&r->res[i].log, 0);
	pthread_mutex_init(&r->lock, NULL);
}

/* what one batch found out about a target (its config, secrets and dry-run
 * script belong to the run, not to a batch) */
static void result_clear(struct fw_fleet_result *res)
{
	free(res->current);
	free(res->version);
	free(res->version_before);
	free(res->version_after);
	for (size_t i = 0; i < res->nr_migs; i++) {
		free(res->migs[i].version);
		free(res->migs[i].description);
		free(res->migs[i].script);
	}
	free(res->migs);
	strvec_clear(&res->pending_versions);
	strvec_clear(&res->above_target);
	strvec_clear(&res->applied_unknown);
	strvec_clear(&res->findings);
	strvec_clear(&res->changes);
	free(res->error);
	free(res->summary);
	if (res->result)
		json_decref(res->result);
	res->current = res->version = res->version_before = res->version_after = NULL;
	res->migs = NULL;
	res->nr_migs = res->alloc_migs = 0;
	res->error = res->summary = NULL;
	res->result = NULL;
	res->status = FW_TS_WAITING;
	res->current_since = res->started_ms = res->ms = 0;
	res->started_migrations = res->done_migrations = 0;
	res->reachable = res->known = res->pending = res->failed = res->exit_code = res->history = 0;
	res->before_known = res->after_known = 0;
	res->verdict = FW_VD_OK;
	strbuf_reset(&res->log);
}

void fw_fleet_run_reset(struct fw_fleet_run *r)
{
	for (size_t i = 0; i < r->fleet->nr; i++) {
		/* a target whose config failed keeps that failure: nothing can run on it */
		if (!r->cfg[i] && r->res[i].error)
			continue;
		result_clear(&r->res[i]);
	}
}

void fw_fleet_run_release(struct fw_fleet_run *r)
{
	drop_kept(r);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		if (r->cfg[i]) {
			fw_config_release(r->cfg[i]);
			free(r->cfg[i]);
		}
		result_clear(&r->res[i]);
		free(r->res[i].dryrun_file);
		free(r->res[i].pre.version);
		free(r->res[i].schema_shown);
		db_where_release(&r->res[i].where);
		strbuf_release(&r->res[i].log);
		if (r->res[i].secrets) {
			fw_secrets_release(r->res[i].secrets);
			free(r->res[i].secrets);
		}
	}
	fw_scan_cache_free(r->scans);
	free(r->cfg);
	free(r->res);
	free(r->dbs);
	free(r->kept);
	pthread_mutex_destroy(&r->lock);
	memset(r, 0, sizeof(*r));
}

static void set_error(struct fw_fleet_result *res, const struct fw_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	fw_error_format(err, &sb);
	strbuf_rtrim(&sb);
	if (res->secrets)
		fw_secrets_apply(res->secrets, &sb);
	redact_buf(&sb);
	free(res->error);
	res->error = strbuf_detach(&sb, NULL);
	res->exit_code = err->exit_code ? err->exit_code : FW_EXIT_ERROR;
}

static void add_secret(struct fw_fleet_result *res, const char *secret)
{
	if (!secret || !*secret)
		return;
	if (!res->secrets)
		res->secrets = xcalloc(1, sizeof(*res->secrets));
	fw_secrets_add(res->secrets, secret);
}

/* the target's own secrets: what its sink hides before the process-wide net */
static void collect_secrets(struct fw_fleet_result *res, const struct fw_config *c)
{
	struct db_url u;
	struct fw_error err = FW_ERROR_INIT;
	add_secret(res, c->password);
	if (c->url && db_url_parse(c->url, &u, &err) == 0) {
		add_secret(res, u.password);
		db_url_release(&u);
	}
	fw_error_clear(&err);
}

size_t fw_fleet_run_resolve(struct fw_fleet_run *r)
{
	size_t failed = 0;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct fw_error err = FW_ERROR_INIT;
		struct fw_config *c = xcalloc(1, sizeof(*c));
		if (fw_fleet_member_config(r->settings, r->fleet, &r->fleet->m[i], c, &err) < 0) {
			free(c);
			set_error(&r->res[i], &err);
			fw_finding_add(&r->res[i].findings, "config", err.message.buf);
			r->res[i].status = FW_TS_FAILED;
			fw_error_clear(&err);
			failed++;
			continue;
		}
		collect_secrets(&r->res[i], c);
		/* a url that does not parse fails when the target connects, in its words */
		if (c->url && db_url_where(c->url, c->user, &r->res[i].where, &err) < 0)
			fw_error_clear(&err);
		r->cfg[i] = c;
	}
	return failed;
}

/* ---------------------------------------------------------------- a target's output */

struct target_io {
	struct fw_fleet_run *r;
	size_t idx;
	struct fw_out out;
	struct fw_observer obs;
};

/* every line the target prints: kept for the report, handed to the command layer */
static void sink(void *ctx, int is_err, const char *text, size_t len)
{
	struct target_io *io = ctx;
	struct fw_fleet_result *res = &io->r->res[io->idx];
	const char *name = io->r->fleet->m[io->idx].name;
	struct strbuf line = STRBUF_INIT;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		strbuf_reset(&line);
		/* raw output (query result tables) comes without the target's prefix */
		if (n < strlen(name) + 3 || p[0] != '[' || strncmp(p + 1, name, strlen(name)) ||
		    strncmp(p + 1 + strlen(name), "] ", 2))
			strbuf_addf(&line, "[%s] ", name);
		strbuf_add(&line, p, n);
		if (!nl)
			strbuf_addch(&line, '\n');
		strbuf_addbuf(&res->log, &line);
		if (io->r->on_line)
			io->r->on_line(io->r->ctx, io->r, io->idx, is_err, line.buf, line.len);
		p += n;
	}
	strbuf_release(&line);
}

/* "2 - add users", "R add view" as the progress view names a migration */
static char *migration_label(const struct fw_event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	if (ev->undo)
		strbuf_addstr(&sb, "undo ");
	if (ev->version)
		strbuf_addf(&sb, "%s%s%s", ev->version, *ev->description ? " - " : "", ev->description);
	else
		strbuf_addf(&sb, "R %s", ev->description);
	return strbuf_detach(&sb, NULL);
}

/* a target's events: its live progress, then its log */
static void on_event(void *ctx, const struct fw_event *ev)
{
	struct target_io *io = ctx;
	struct fw_fleet_result *res = &io->r->res[io->idx];
	if (ev->kind == FW_EV_MIGRATION_STARTED) {
		char *label = migration_label(ev);
		pthread_mutex_lock(&io->r->lock);
		free(res->current);
		res->current = label;
		res->current_since = fw_now_ms();
		res->started_migrations++;
		pthread_mutex_unlock(&io->r->lock);
	} else if (ev->kind == FW_EV_MIGRATION_FINISHED) {
		pthread_mutex_lock(&io->r->lock);
		free(res->current);
		res->current = NULL;
		res->done_migrations++;
		pthread_mutex_unlock(&io->r->lock);
	}
	if (io->r->render)
		io->r->render(&io->out, ev);
}

static void io_init(struct target_io *io, struct fw_fleet_run *r, size_t idx)
{
	io->r = r;
	io->idx = idx;
	fw_out_init(&io->out);
	io->out.prefix = r->fleet->m[idx].name;
	io->out.quiet = r->quiet;
	io->out.debug = r->debug;
	io->out.json = r->json;
	io->out.sink = sink;
	io->out.sink_ctx = io;
	io->out.secrets = r->res[idx].secrets;
	io->obs.event = on_event;
	io->obs.ctx = io;
	io->obs.debug = r->debug && !r->quiet;
}

/* ---------------------------------------------------------------- one target */

static void set_status(struct fw_fleet_run *r, size_t idx, enum fw_tstatus st)
{
	pthread_mutex_lock(&r->lock);
	r->res[idx].status = st;
	if (st == FW_TS_RUNNING)
		r->res[idx].started_ms = fw_wall_ms();
	if (st != FW_TS_RUNNING) {
		free(r->res[idx].current);
		r->res[idx].current = NULL;
	}
	pthread_mutex_unlock(&r->lock);
}

static void publish_db(struct fw_fleet_run *r, size_t idx, struct db *db)
{
	pthread_mutex_lock(&r->lock);
	r->dbs[idx] = db;
	pthread_mutex_unlock(&r->lock);
}

static int is_halted(const struct fw_error *err)
{
	return err->code && !strcmp(err->code, "FLEET_HALTED");
}

/* A SQLite file that is not there: a typo in an inventory must not become a
 * new, empty database, so no job opens it (the file would be made), unless
 * the fleet says new databases are expected (newDatabases = true). */
static int missing_database(struct fw_fleet_run *r, size_t idx, struct fw_error *err)
{
	const struct db_where *w = &r->res[idx].where;
	if (w->exists || !w->database || r->fleet->new_databases)
		return 0;
	fw_errorf(err, "DB_CONNECTION", "database file %s does not exist", w->database);
	fw_error_hint(err, "fix the target's url; if the fleet makes new databases (onboarding tenants), set newDatabases = true in [fleets.%s]",
		      r->fleet->name);
	fw_finding_add(&r->res[idx].findings, "database", err->message.buf);
	return 1;
}

/* the session of target idx for this batch: the kept one (still alive), else a new one */
static struct fw_session *session_for(struct fw_fleet_run *r, size_t idx, const struct fw_fleet_job *job,
				      const struct fw_observer *obs)
{
	struct fw_session *s = take_kept(r, idx);
	if (s) {
		check_alive(s);
	} else {
		s = xcalloc(1, sizeof(*s));
		fw_session_init(s, r->cfg[idx], obs, r->fleet->m[idx].name);
		s->cancel = &r->cancel;
		s->scan_cache = r->scans;
		s->stand_in_if_missing = !job->writes;
	}
	/* a kept session still points at the observer of its earlier batch */
	s->obs = obs;
	s->target.obs = obs;
	s->halt = job->halting ? &r->halt : NULL;
	s->target.halt = s->halt;
	return s;
}

static int run_job(struct fw_fleet_run *r, const struct fw_fleet_job *job, size_t idx, struct fw_session *s,
		   struct fw_out *out, struct fw_error *err)
{
	const struct fw_op *op = job->op_for(r->cfg[idx]);
	const void *args = job->args_for ? job->args_for(job->ctx, r, idx) : NULL;
	void *result = xcalloc(1, op->result_size ? op->result_size : 1);
	int rc;
	if (fw_fleet_flag(&r->cancel)) {
		rc = fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
	} else if ((op->needs & FW_OP_DB) && fw_session_connect(s, err) < 0) {
		fw_finding_add(&r->res[idx].findings, "connection", err->message.buf);
		rc = -1;
	} else {
		if (s->connected) {
			r->res[idx].reachable = 1;
			publish_db(r, idx, s->target.db);
		}
		rc = fw_run(s, op, args, result, err);
	}
	rc = job->done(job->ctx, r, idx, s, out, result, rc, err);
	fw_op_result_release(op, result);
	free(result);
	return rc;
}

static void run_one(struct fw_fleet_run *r, const struct fw_fleet_job *job, size_t idx)
{
	struct fw_fleet_result *res = &r->res[idx];
	struct target_io io;
	struct fw_session *s;
	struct fw_error err = FW_ERROR_INIT;
	long t0 = fw_now_ms();
	int ok;
	if (!r->cfg[idx])
		return; /* its config failed: already reported as failed */
	set_status(r, idx, FW_TS_RUNNING);
	io_init(&io, r, idx);
	if (missing_database(r, idx, &err)) {
		res->ms = fw_now_ms() - t0;
		set_error(res, &err);
		fw_out_error(&io.out, &err);
		fw_error_clear(&err);
		set_status(r, idx, FW_TS_FAILED);
		return;
	}
	if (job->settle && job->settle(job->ctx, r, idx, &io.out)) {
		res->ms = fw_now_ms() - t0;
		set_status(r, idx, FW_TS_OK);
		return;
	}
	s = session_for(r, idx, job, &io.obs);
	ok = run_job(r, job, idx, s, &io.out, &err) == 0;
	publish_db(r, idx, NULL);
	if (!(ok && job->keep && keep_session(r, idx, s))) {
		fw_session_close(s);
		free(s);
	}
	res->ms = fw_now_ms() - t0;
	if (!ok) {
		set_error(res, &err);
		/* a halted target did nothing wrong: say why it stopped, not that it failed */
		if (is_halted(&err))
			fw_warn(&io.out, "%s", err.message.buf);
		else
			fw_out_error(&io.out, &err);
		if (job->halting && !is_halted(&err))
			flag_set(&r->halt);
	}
	set_status(r, idx, ok ? FW_TS_OK
			  : is_halted(&err) ? FW_TS_HALTED
			  : fw_fleet_flag(&r->cancel) ? FW_TS_INTERRUPTED : FW_TS_FAILED);
	fw_error_clear(&err);
}

void fw_fleet_take_probe(struct fw_fleet_result *res, const struct fw_probe_result *p)
{
	free(res->version);
	res->version = p->version ? xstrdup(p->version) : NULL;
	res->pending = p->pending;
	res->failed = p->failed;
	res->history = p->history;
	strvec_clear(&res->pending_versions);
	strvec_clear(&res->above_target);
	strvec_clear(&res->applied_unknown);
	for (size_t i = 0; i < p->pending_versions.nr; i++)
		strvec_push(&res->pending_versions, p->pending_versions.v[i]);
	for (size_t i = 0; i < p->above_target.nr; i++)
		strvec_push(&res->above_target, p->above_target.v[i]);
	for (size_t i = 0; i < p->applied_unknown.nr; i++)
		strvec_push(&res->applied_unknown, p->applied_unknown.v[i]);
	res->known = 1;
}

void fw_fleet_keep_reading(struct fw_fleet_result *res)
{
	free(res->pre.version);
	res->pre.known = res->known;
	res->pre.version = res->version ? xstrdup(res->version) : NULL;
	res->pre.pending = res->pending;
	res->pre.failed = res->failed;
}

/* ---------------------------------------------------------------- the pool */

/* Targets start in `order`; with the fleet's parallelPerServer, a target
 * whose server has that many targets in flight waits, and the next one on
 * another server starts in its place (each server's targets still start in
 * order). Servers are numbered by their host:port; SQLite files have none. */
struct fw_fleet_batch {
	struct fw_fleet_run *r;
	const struct fw_fleet_job *job;
	size_t start, end;
	size_t *order;          /* members, in the order they start */
	size_t n, next;         /* positions of order[]; before next every one is taken */
	char *taken;            /* per position */
	int cap;                /* targets in flight per server; 0 = no limit */
	int *sid;               /* per position: its server's number */
	size_t *after;          /* per position: the next position on the same server, or n */
	size_t *head;           /* per server: its first position not taken, or n */
	int *inflight;          /* per server */
	int nservers;
	int unlimited;          /* the number standing for "no server" (files), or -1 */
	pthread_t *threads;
	int nthreads, created, running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* read-only batches visit every target; a halting one stops at a failure */
static int may_start(struct fw_fleet_batch *b)
{
	if (fw_fleet_flag(&b->r->cancel))
		return 0;
	return !b->job->halting || !fw_fleet_flag(&b->r->halt);
}

static int server_has_room(const struct fw_fleet_batch *b, int s)
{
	return s == b->unlimited || b->inflight[s] < b->cap;
}

static int has_room(const struct fw_fleet_batch *b, size_t pos)
{
	return !b->cap || server_has_room(b, b->sid[pos]);
}

static void take(struct fw_fleet_batch *b, size_t pos)
{
	b->taken[pos] = 1;
	if (b->cap) {
		b->inflight[b->sid[pos]]++;
		b->head[b->sid[pos]] = b->after[pos];
	}
	while (b->next < b->n && b->taken[b->next])
		b->next++;
}

/* the next position that may start now: the first not taken, else the
 * earliest head of a server with room; 0 when none may (yet) */
static int pick(struct fw_fleet_batch *b, size_t *pos)
{
	size_t best = b->n;
	if (b->next >= b->n)
		return 0;
	if (has_room(b, b->next)) {
		best = b->next;
	} else {
		for (int s = 0; s < b->nservers; s++)
			if (b->head[s] < best && server_has_room(b, s))
				best = b->head[s];
	}
	if (best >= b->n)
		return 0;
	take(b, best);
	*pos = best;
	return 1;
}

static void finished(struct fw_fleet_batch *b, size_t pos)
{
	pthread_mutex_lock(&b->mu);
	if (b->cap)
		b->inflight[b->sid[pos]]--;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static void *worker(void *arg)
{
	struct fw_fleet_batch *b = arg;
	for (;;) {
		size_t pos = 0;
		int got = 0;
		pthread_mutex_lock(&b->mu);
		while (b->next < b->n && may_start(b) && !(got = pick(b, &pos)))
			pthread_cond_wait(&b->cv, &b->mu);
		pthread_mutex_unlock(&b->mu);
		if (!got)
			break;
		run_one(b->r, b->job, b->order[pos]);
		finished(b, pos);
	}
	db_thread_end();
	pthread_mutex_lock(&b->mu);
	b->running--;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* number the servers of the batch's targets and chain each server's positions */
static void plan_servers(struct fw_fleet_batch *b)
{
	struct strvec names = STRVEC_INIT;
	size_t *tail;
	b->sid = xcalloc(b->n + 1, sizeof(*b->sid));
	b->after = xcalloc(b->n + 1, sizeof(*b->after));
	b->unlimited = -1;
	for (size_t k = 0; k < b->n; k++) {
		const char *server = b->r->res[b->order[k]].where.server;
		size_t s = 0;
		if (!server)
			server = "";
		while (s < names.nr && strcmp(names.v[s], server))
			s++;
		if (s == names.nr)
			strvec_push(&names, server);
		b->sid[k] = (int)s;
		b->after[k] = b->n;
		if (!*server)
			b->unlimited = (int)s;
	}
	b->nservers = (int)names.nr;
	b->head = xcalloc(names.nr + 1, sizeof(*b->head));
	b->inflight = xcalloc(names.nr + 1, sizeof(*b->inflight));
	tail = xcalloc(names.nr + 1, sizeof(*tail));
	for (size_t s = 0; s < names.nr; s++)
		b->head[s] = tail[s] = b->n;
	for (size_t k = 0; k < b->n; k++) {
		int s = b->sid[k];
		if (b->head[s] == b->n)
			b->head[s] = k;
		else
			b->after[tail[s]] = k;
		tail[s] = k;
	}
	free(tail);
	strvec_clear(&names);
}

struct fw_fleet_batch *fw_fleet_batch_start(struct fw_fleet_run *r, const struct fw_fleet_job *job,
					    size_t start, size_t end, int parallel)
{
	struct fw_fleet_batch *b = xcalloc(1, sizeof(*b));
	size_t n = end - start;
	b->r = r;
	b->job = job;
	b->start = start;
	b->end = end;
	b->n = n;
	b->order = xcalloc(n + 1, sizeof(*b->order));
	b->taken = xcalloc(n + 1, 1);
	for (size_t k = 0; k < n; k++)
		/* kept sessions: the batch walks backwards, see keep_session() */
		b->order[k] = job->keep && r->keep_limit > 0 ? end - 1 - k : start + k;
	b->cap = r->fleet->parallel_per_server;
	if (b->cap)
		plan_servers(b);
	b->nthreads = (int)(n < (size_t)parallel ? n : (size_t)parallel);
	b->threads = xcalloc((size_t)b->nthreads + 1, sizeof(*b->threads));
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	pthread_mutex_lock(&b->mu);
	for (int i = 0; i < b->nthreads; i++) {
		if (pthread_create(&b->threads[b->created], NULL, worker, b) != 0)
			break; /* fewer threads than asked: the ones started share the work */
		b->created++;
		b->running++;
	}
	pthread_mutex_unlock(&b->mu);
	/* `created` is this thread's alone (workers change `running`) */
	if (!b->created)
		worker(b); /* no thread at all: do it here rather than not at all */
	return b;
}

static void batch_free(struct fw_fleet_batch *b)
{
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b->threads);
	free(b->order);
	free(b->taken);
	free(b->sid);
	free(b->after);
	free(b->head);
	free(b->inflight);
	free(b);
}

int fw_fleet_batch_wait(struct fw_fleet_batch *b, long timeout_ms)
{
	struct timespec ts;
	int done;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&b->mu);
	while (b->running > 0)
		if (pthread_cond_timedwait(&b->cv, &b->mu, &ts) == ETIMEDOUT)
			break;
	done = b->running <= 0;
	pthread_mutex_unlock(&b->mu);
	if (!done)
		return 0;
	for (int i = 0; i < b->created; i++)
		pthread_join(b->threads[i], NULL);
	pthread_mutex_lock(&b->r->lock);
	for (size_t i = b->start; i < b->end; i++)
		if (b->r->res[i].status == FW_TS_WAITING)
			b->r->res[i].status = FW_TS_NOT_STARTED;
	pthread_mutex_unlock(&b->r->lock);
	batch_free(b);
	return 1;
}

void fw_fleet_run_cancel(struct fw_fleet_run *r)
{
	flag_set(&r->halt);
	flag_set(&r->cancel);
	pthread_mutex_lock(&r->lock);
	for (size_t i = 0; i < r->fleet->nr; i++)
		if (r->dbs[i])
			db_cancel(r->dbs[i]);
	pthread_mutex_unlock(&r->lock);
}

void fw_fleet_count(struct fw_fleet_run *r, size_t start, size_t end, size_t counts[FW_TS_NR])
{
	memset(counts, 0, sizeof(size_t) * FW_TS_NR);
	pthread_mutex_lock(&r->lock);
	for (size_t i = start; i < end; i++)
		counts[r->res[i].status]++;
	pthread_mutex_unlock(&r->lock);
}

/* ---------------------------------------------------------------- targets sharing a database */

/* where a target's history lives: its database, and there the schema and table */
static void history_place(const struct fw_fleet_run *r, size_t i, struct strbuf *out)
{
	const struct fw_config *c = r->cfg[i];
	const char *schema = c->default_schema && *c->default_schema ? c->default_schema
			     : c->schemas.nr ? c->schemas.v[0] : "";
	strbuf_addf(out, "%s/%s", r->res[i].where.server, r->res[i].where.database);
	if (*schema)
		strbuf_addf(out, ", schema %s", schema);
	if (c->table && strcmp(c->table, "flyway_schema_history"))
		strbuf_addf(out, ", table %s", c->table);
}

struct place {
	char *text;
	size_t idx;
};

static int cmp_place(const void *a, const void *b)
{
	const struct place *x = a, *y = b;
	int c = strcmp(x->text, y->text);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* target p[k].idx shares its place with the others of p[from, to) */
static void shared_finding(struct fw_fleet_run *r, const struct place *p, size_t from, size_t to, size_t k)
{
	struct strbuf others = STRBUF_INIT, msg = STRBUF_INIT;
	size_t n = 0;
	for (size_t j = from; j < to; j++)
		if (j != k && n++ < 5)
			strbuf_addf(&others, "%s'%s'", n > 1 ? ", " : "", r->fleet->m[p[j].idx].name);
	if (n > 5)
		strbuf_addf(&others, " and %zu more", n - 5);
	strbuf_addf(&msg, "the same database as target%s %s (%s): they would wait on each other's lock",
		    n == 1 ? "" : "s", others.buf, p[k].text);
	fw_finding_add(&r->res[p[k].idx].findings, "database", msg.buf);
	strbuf_release(&others);
	strbuf_release(&msg);
}

void fw_fleet_find_shared_databases(struct fw_fleet_run *r)
{
	struct place *p = xcalloc(r->fleet->nr + 1, sizeof(*p));
	size_t n = 0;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct strbuf sb = STRBUF_INIT;
		if (!r->cfg[i] || !r->res[i].where.database)
			continue;
		history_place(r, i, &sb);
		p[n].text = strbuf_detach(&sb, NULL);
		p[n++].idx = i;
	}
	if (n)
		qsort(p, n, sizeof(*p), cmp_place);
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n && !strcmp(p[a].text, p[b].text); b++)
			;
		for (size_t k = a; b - a > 1 && k < b; k++)
			shared_finding(r, p, a, b, k);
	}
	for (size_t k = 0; k < n; k++)
		free(p[k].text);
	free(p);
}
