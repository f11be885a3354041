/* Running a fleet's targets on a pool of threads (see fleet-run.h). */
#include "fleet/run.h"
#include "ops/check.h"
#include "engine/checksum.h"
#include "ops/migrate.h"
#include "engine/plan.h"
#include "engine/target.h"
#include "ops/validate.h"
#include "util/redact.h"
#include "util/xalloc.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* ---------------------------------------------------------------- kept connections */

/* A connection opened for the pre-flight is kept for the migrate that follows:
 * a second backend per target costs the server about as much as a small
 * target's migrations (a cold catalog cache), and far away it costs round
 * trips. Only the first `keep_limit` targets in rollout order keep theirs, and
 * the pre-flight walks the fleet from its end, so those are opened last: the
 * connections open at once stay near `parallel` throughout. */
static int keep_target(struct fw_fleet_run *r, size_t idx, struct fw_target *t)
{
	int kept = 0;
	pthread_mutex_lock(&r->lock);
	if (idx < (size_t)r->keep_limit && !fw_fleet_flag(&r->cancel)) {
		r->kept[idx] = t;
		r->nr_kept++;
		kept = 1;
	}
	pthread_mutex_unlock(&r->lock);
	return kept;
}

static struct fw_target *take_kept(struct fw_fleet_run *r, size_t idx)
{
	struct fw_target *t;
	pthread_mutex_lock(&r->lock);
	t = r->kept[idx];
	r->kept[idx] = NULL;
	if (t)
		r->nr_kept--;
	pthread_mutex_unlock(&r->lock);
	return t;
}

/* a kept connection may have been dropped while it waited (server timeout,
 * network): then the target connects anew, as if it had not been kept */
static int still_alive(struct fw_target *t)
{
	struct fw_error err = FW_ERROR_INIT;
	int ok = db_exec(t->db, "SELECT 1", &err) == 0;
	fw_error_clear(&err);
	if (!ok) {
		fw_target_close(t);
		memset(t, 0, sizeof(*t));
	}
	return ok;
}

static void drop_kept(struct fw_fleet_run *r)
{
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct fw_target *t = take_kept(r, i);
		if (t) {
			fw_target_close(t);
			free(t);
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
	for (size_t i = 0; i < f->nr; i++) {
		strbuf_init(&r->res[i].log, 0);
	}
	pthread_mutex_init(&r->lock, NULL);
}

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
	strvec_clear(&res->findings);
	free(res->error);
	free(res->dryrun_file);
	strbuf_release(&res->log);
	memset(res, 0, sizeof(*res));
	strbuf_init(&res->log, 0);
}

void fw_fleet_run_reset(struct fw_fleet_run *r)
{
	for (size_t i = 0; i < r->fleet->nr; i++) {
		/* a target whose config failed keeps that failure: nothing can run on it */
		char *dryrun;
		if (!r->cfg[i] && r->res[i].error)
			continue;
		/* the dry-run script stays part of the story the report tells */
		dryrun = r->res[i].dryrun_file;
		r->res[i].dryrun_file = NULL;
		result_clear(&r->res[i]);
		r->res[i].dryrun_file = dryrun;
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
		strbuf_release(&r->res[i].log);
	}
	free(r->cfg);
	free(r->res);
	free(r->dbs);
	free(r->kept);
	free(r->dryrun_dir);
	pthread_mutex_destroy(&r->lock);
	memset(r, 0, sizeof(*r));
}

static void set_error(struct fw_fleet_result *res, const struct fw_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	fw_error_format(err, &sb);
	strbuf_rtrim(&sb);
	redact_buf(&sb);
	free(res->error);
	res->error = strbuf_detach(&sb, NULL);
	res->exit_code = err->exit_code ? err->exit_code : FW_EXIT_ERROR;
}

/* first line of an error message, for a one-line finding */
static void add_finding(struct fw_fleet_result *res, const char *what, const char *msg)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s: ", what);
	for (const char *p = msg; *p; p++)
		strbuf_addstr(&sb, *p == '\n' ? " " : (char[2]){ *p, 0 });
	redact_buf(&sb);
	strvec_push_nodup(&res->findings, strbuf_detach(&sb, NULL));
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
			add_finding(&r->res[i], "config", err.message.buf);
			r->res[i].status = FW_TS_FAILED;
			fw_error_clear(&err);
			failed++;
			continue;
		}
		r->cfg[i] = c;
	}
	return failed;
}

/* ---------------------------------------------------------------- per-target output */

/* A worker's stdout/stderr: a FILE whose bytes land here (fopencookie), so
 * every line a target prints is kept for the report and handed to the
 * command layer, without another thread ever touching the target's state. */
struct sink {
	struct fw_fleet_run *r;
	size_t idx;
	int is_err;
	struct strbuf partial;
};

/* "Migrating schema "s" to version "2 - x"" -> "2 - x" (the schema quoted "s" or `s`):
 * the live view shows what runs */
static void watch_line(struct fw_fleet_run *r, size_t idx, const char *line, size_t len)
{
	static const char *const marks[] = { " to version \"", " with repeatable migration \"" };
	const char *start = NULL, *end;
	char *cur;
	if (len < 17 || memcmp(line, "Migrating schema ", 17))
		return;
	for (size_t i = 0; i < 2 && !start; i++) {
		const char *m = memmem(line, len, marks[i], strlen(marks[i]));
		if (m)
			start = m + strlen(marks[i]);
	}
	if (!start)
		return;
	end = line + len;
	while (end > start && end[-1] != '"')
		end--;
	if (end <= start)
		return;
	cur = xstrndup(start, (size_t)(end - 1 - start));
	pthread_mutex_lock(&r->lock);
	free(r->res[idx].current);
	r->res[idx].current = cur;
	r->res[idx].started_migrations++;
	pthread_mutex_unlock(&r->lock);
}

static void sink_line(struct sink *s, const char *text, size_t len)
{
	struct fw_fleet_result *res = &s->r->res[s->idx];
	const char *name = s->r->fleet->m[s->idx].name;
	struct strbuf line = STRBUF_INIT;
	/* raw output (query result tables) comes without the target's prefix */
	if (len < strlen(name) + 3 || text[0] != '[' || strncmp(text + 1, name, strlen(name)) ||
	    strncmp(text + 1 + strlen(name), "] ", 2))
		strbuf_addf(&line, "[%s] ", name);
	strbuf_add(&line, text, len);
	strbuf_add(&res->log, line.buf, line.len);
	watch_line(s->r, s->idx, line.buf, line.len);
	if (s->r->on_line)
		s->r->on_line(s->r->ctx, s->r, s->idx, s->is_err, line.buf, line.len);
	strbuf_release(&line);
}

static ssize_t sink_write(void *cookie, const char *buf, size_t n)
{
	struct sink *s = cookie;
	char *nl;
	strbuf_add(&s->partial, buf, n);
	while ((nl = memchr(s->partial.buf, '\n', s->partial.len))) {
		size_t len = (size_t)(nl - s->partial.buf) + 1;
		sink_line(s, s->partial.buf, len);
		memmove(s->partial.buf, s->partial.buf + len, s->partial.len - len);
		strbuf_setlen(&s->partial, s->partial.len - len);
	}
	return (ssize_t)n;
}

static int sink_close(void *cookie)
{
	struct sink *s = cookie;
	if (s->partial.len) {
		strbuf_addch(&s->partial, '\n');
		sink_line(s, s->partial.buf, s->partial.len);
	}
	strbuf_release(&s->partial);
	return 0;
}

static FILE *sink_open(struct sink *s, struct fw_fleet_run *r, size_t idx, int is_err)
{
	cookie_io_functions_t fns = { NULL, sink_write, NULL, sink_close };
	FILE *f;
	s->r = r;
	s->idx = idx;
	s->is_err = is_err;
	strbuf_init(&s->partial, 0);
	f = fopencookie(s, "w", fns);
	if (!f)
		abort(); /* out of memory: the one failure we do not carry as a value */
	return f;
}

/* ---------------------------------------------------------------- the ops */

static int is_pending(const struct fw_entry *e)
{
	return e->state == FW_ST_PENDING && e->res && !e->app;
}

static void summarize(const struct fw_plan *plan, struct fw_fleet_result *res)
{
	free(res->version);
	res->version = plan->current ? xstrdup(fw_version_str(plan->current)) : NULL;
	res->pending = res->failed = 0;
	strvec_clear(&res->pending_versions);
	for (size_t i = 0; i < plan->nr; i++) {
		const struct fw_entry *e = &plan->entries[i];
		if (fw_state_is_failed(e->state))
			res->failed++;
		if (!is_pending(e))
			continue;
		res->pending++;
		if (fw_entry_is_versioned(e))
			strvec_push(&res->pending_versions, fw_entry_version(e));
	}
}

/* read history (unless the caller just did) and summarize the plan */
static int probe(struct fw_target *t, struct fw_fleet_result *res, int history_loaded,
		 struct fw_plan *plan, struct fw_error *err)
{
	int exists = 1;
	if (!history_loaded) {
		if (db_schema_exists(t->db, t->schema, &exists, err) < 0)
			return -1;
		if (exists && fw_target_load_history(t, err) < 0)
			return -1;
	}
	if (fw_target_plan(t, plan, err) < 0)
		return -1;
	summarize(plan, res);
	return 0;
}

static void safe_name(const char *name, struct strbuf *out)
{
	for (const char *p = name; *p; p++)
		strbuf_addch(out, (isalnum((unsigned char)*p) || strchr("._-", *p)) ? *p : '_');
}

/* the text of one script as it would be sent: decoded, placeholders replaced */
static int script_text(struct fw_target *t, const struct fw_resolved *m, struct strbuf *out,
		       struct fw_error *err)
{
	struct strbuf raw = STRBUF_INIT, utf8 = STRBUF_INIT;
	const char *enc = m->conf.encoding ? m->conf.encoding : t->cfg->encoding;
	int replace = m->conf.placeholder_replacement >= 0 ? m->conf.placeholder_replacement
							    : t->cfg->placeholder_replacement;
	const struct strbuf *text = &raw;
	size_t skip = 0;
	int ret = -1;
	if (strbuf_read_file(&raw, m->path) < 0) {
		fw_errorf(err, "ERROR", "unable to read %s: %s", m->path, strerror(errno));
		goto out;
	}
	if (enc && strcasecmp(enc, "UTF-8") && strcasecmp(enc, "UTF8")) {
		if (fw_decode_to_utf8(raw.buf, raw.len, enc, &utf8, m->path, err) < 0)
			goto out;
		text = &utf8;
	}
	if (text->len >= 3 && !memcmp(text->buf, "\xEF\xBB\xBF", 3))
		skip = 3;
	if (replace) {
		fw_placeholders_set_builtin(&t->ph, "filename", m->filename);
		if (fw_placeholders_replace(&t->ph, text->buf + skip, text->len - skip, m->script, out, err) < 0)
			goto out;
	} else {
		strbuf_add(out, text->buf + skip, text->len - skip);
	}
	ret = 0;
out:
	strbuf_release(&raw);
	strbuf_release(&utf8);
	return ret;
}

static int dryrun_body(struct fw_target *t, const struct fw_plan *plan, struct strbuf *sql,
		       struct fw_error *err)
{
	/* versioned first, then repeatables: the order migrate runs them in */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < plan->nr; i++) {
			const struct fw_entry *e = &plan->entries[i];
			const struct fw_resolved *m = e->res;
			if (!is_pending(e) || (m->kind == FW_FILE_REPEATABLE) != pass)
				continue;
			if (m->kind == FW_FILE_REPEATABLE)
				strbuf_addf(sql, "\n-- Repeatable \"%s\" (%s)\n", m->description, m->script);
			else
				strbuf_addf(sql, "\n-- Version %s - %s (%s)\n", fw_version_str(&m->version),
					    m->description, m->script);
			if (m->is_script) {
				strbuf_addf(sql, "-- a script migration, run as a process: %s\n", m->path);
				continue;
			}
			if (script_text(t, m, sql, err) < 0)
				return -1;
			if (sql->len && sql->buf[sql->len - 1] != '\n')
				strbuf_addch(sql, '\n');
		}
	return 0;
}

static int write_dryrun(struct fw_fleet_run *r, size_t idx, struct fw_target *t,
			const struct fw_plan *plan, struct fw_error *err)
{
	struct fw_fleet_result *res = &r->res[idx];
	struct strbuf sql = STRBUF_INIT, path = STRBUF_INIT, tmp = STRBUF_INIT;
	FILE *f;
	int ret = -1, ok;
	strbuf_addf(&sql, "-- fleetway dry run: fleet '%s', target '%s'\n", r->fleet->name,
		    r->fleet->m[idx].name);
	strbuf_addf(&sql, "-- current version: %s; %d pending migration%s; nothing of this has run\n",
		    res->version ? res->version : "<< Empty Schema >>", res->pending,
		    res->pending == 1 ? "" : "s");
	if (dryrun_body(t, plan, &sql, err) < 0)
		goto out;
	redact_buf(&sql);
	strbuf_addf(&path, "%s/dryrun-", r->dryrun_dir ? r->dryrun_dir : ".");
	safe_name(r->fleet->m[idx].name, &path);
	strbuf_addstr(&path, ".sql");
	strbuf_addf(&tmp, "%s.tmp", path.buf);
	f = fopen(tmp.buf, "wb");
	ok = f && fwrite(sql.buf, 1, sql.len, f) == sql.len;
	if (f && fclose(f) != 0) /* closed also after a failed fwrite */
		ok = 0;
	if (!ok || rename(tmp.buf, path.buf) < 0) {
		fw_errorf(err, "ERROR", "unable to write %s: %s", path.buf, strerror(errno));
		if (f)
			remove(tmp.buf);
		goto out;
	}
	res->dryrun_file = strbuf_detach(&path, NULL);
	ret = 0;
out:
	strbuf_release(&sql);
	strbuf_release(&path);
	strbuf_release(&tmp);
	return ret;
}

/* migrate would stop with "Found non-empty schema(s) ... but no schema history table" */
static int check_unmanaged(struct fw_target *t, struct fw_fleet_result *res, struct fw_error *err)
{
	if (t->hist.exists || t->cfg->baseline_on_migrate || t->cfg->skip_executing_migrations)
		return 0;
	for (size_t i = 0; i < t->schemas.nr; i++) {
		int exists = 0, empty = 1;
		struct strbuf msg = STRBUF_INIT;
		if (db_schema_exists(t->db, t->schemas.v[i], &exists, err) < 0 ||
		    (exists && db_schema_is_empty(t->db, t->schemas.v[i], &empty, err) < 0))
			return -1;
		if (empty)
			continue;
		strbuf_addf(&msg, "schema %s is not empty but has no schema history table: baseline it, or set baselineOnMigrate=true",
			    fw_target_shown(t, t->schemas.v[i]));
		add_finding(res, "migrate", msg.buf);
		strbuf_release(&msg);
	}
	return 0;
}

/* check -code on what this target would run: an error stops the rollout
 * (a finding), a warning is said in the target's output */
static int code_findings(struct fw_target *t, struct fw_fleet_result *res,
			 const struct fw_plan *plan, struct fw_error *err)
{
	struct fw_lint l;
	size_t scripts;
	int ret;
	fw_lint_init(&l, t->dialect);
	ret = fw_check_code(t, plan, &l, &scripts, err);
	for (size_t i = 0; !ret && i < l.nr; i++) {
		const struct fw_lint_finding *f = &l.v[i];
		struct strbuf msg = STRBUF_INIT;
		strbuf_addf(&msg, "%s:%d: %s %s: %s", f->script, f->line, f->error ? "error" : "warning",
			    f->code, f->message);
		if (f->error)
			add_finding(res, "code", msg.buf);
		else
			fw_warn(t->out, "%s", msg.buf);
		strbuf_release(&msg);
	}
	fw_lint_release(&l);
	return ret;
}

static int op_preflight(struct fw_fleet_run *r, size_t idx, struct fw_target *t, struct fw_error *err)
{
	struct fw_fleet_result *res = &r->res[idx];
	unsigned pre = r->fleet->preflight;
	struct fw_plan plan;
	int validated = 0, ret = 0;
	if (pre & FW_PRE_VALIDATE) {
		struct fw_validate_result vr;
		if (fw_op_validate(t, 1, &vr, err) < 0)
			return -1;
		for (size_t i = 0; i < vr.nr; i++)
			add_finding(res, "validate", vr.v[i].message);
		fw_validate_result_release(&vr);
		validated = 1;
		if (check_unmanaged(t, res, err) < 0)
			return -1;
	}
	if (probe(t, res, validated, &plan, err) < 0)
		return -1;
	if (!(pre & FW_PRE_VALIDATE) && res->failed)
		add_finding(res, "history", "a failed migration is recorded; repair it before migrating");
	if ((pre & FW_PRE_DRYRUN) && write_dryrun(r, idx, t, &plan, err) < 0)
		ret = -1;
	if (!ret && (pre & FW_PRE_CODE) && code_findings(t, res, &plan, err) < 0)
		ret = -1;
	fw_plan_release(&plan);
	return ret;
}

static void keep_migrations(struct fw_fleet_result *res, const struct fw_migrate_result *mr)
{
	res->version_before = mr->initial_version ? xstrdup(mr->initial_version) : NULL;
	res->version_after = mr->target_version ? xstrdup(mr->target_version)
			     : mr->initial_version ? xstrdup(mr->initial_version) : NULL;
	res->migs = xcalloc(mr->nr + 1, sizeof(*res->migs));
	res->alloc_migs = mr->nr + 1;
	for (size_t i = 0; i < mr->nr; i++) {
		struct fw_fleet_mig *g = &res->migs[res->nr_migs++];
		g->version = xstrdup(mr->items[i].version ? mr->items[i].version : "");
		g->description = xstrdup(mr->items[i].description ? mr->items[i].description : "");
		g->script = xstrdup(mr->items[i].script ? mr->items[i].script : "");
		g->ms = mr->items[i].ms;
		g->success = mr->items[i].success;
	}
}

static int op_migrate(struct fw_fleet_run *r, size_t idx, struct fw_target *t, struct fw_error *err)
{
	struct fw_fleet_result *res = &r->res[idx];
	struct fw_migrate_result mr;
	int ok = fw_op_migrate(t, &mr, err) == 0;
	keep_migrations(res, &mr);
	free(res->version);
	res->version = res->version_after ? xstrdup(res->version_after) : NULL;
	if (ok && !mr.nr)
		fw_info(t->out, "Schema %s is up to date. No migration necessary.", fw_target_shown(t, t->schema));
	else if (ok)
		fw_info(t->out, "Successfully applied %zu migration%s to schema %s%s%s", mr.nr,
			mr.nr == 1 ? "" : "s", fw_target_shown(t, t->schema), res->version ? ", now at version v" : "",
			res->version ? res->version : "");
	fw_migrate_result_release(&mr);
	return ok ? 0 : -1;
}

/* ---------------------------------------------------------------- one target */

static void set_status(struct fw_fleet_run *r, size_t idx, enum fw_tstatus st)
{
	pthread_mutex_lock(&r->lock);
	r->res[idx].status = st;
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

static int run_op(struct fw_fleet_run *r, enum fw_fleet_op op, size_t idx, struct fw_target *t,
		  struct fw_out *out, struct fw_error *err)
{
	struct fw_fleet_result *res = &r->res[idx];
	struct fw_plan plan;
	if (t->db)
		t->out = out; /* a kept target still points at its pre-flight's sink */
	if (!t->db || !still_alive(t)) {
		t->name = r->fleet->m[idx].name;
		t->cancel = &r->cancel;
		if (fw_target_connect(t, r->cfg[idx], out, err) < 0) {
			add_finding(res, "connection", err->message.buf);
			return -1;
		}
	}
#ifdef FW_TARGET_HAS_HALT
	/* migrate checks it between two migrations: a running target finishes the
	 * migration it is in when another target fails, and starts no other */
	if (op == FW_FOP_MIGRATE)
		t->halt = &r->halt;
#endif
	publish_db(r, idx, t->db);
	res->reachable = 1;
	if (fw_fleet_flag(&r->cancel))
		return fw_errorf_exit(err, FW_EXIT_INTERRUPTED, "ERROR", "interrupted");
	switch (op) {
	case FW_FOP_PROBE:
		if (probe(t, res, 0, &plan, err) < 0)
			return -1;
		fw_plan_release(&plan);
		return 0;
	case FW_FOP_PREFLIGHT:
		if (op_preflight(r, idx, t, err) < 0) {
			add_finding(res, "error", err->message.buf);
			return -1;
		}
		return 0;
	case FW_FOP_MIGRATE:
		if (op_migrate(r, idx, t, err) < 0)
			return -1;
		/* the post-flight reading, taken from the server on the connection we
		 * have: a second connection per target costs more than the migration
		 * of a small target (nothing else of the fleet changes this target) */
		if (probe(t, res, 0, &plan, err) < 0)
			return -1;
		fw_plan_release(&plan);
		return 0;
	}
	return 0;
}

static void run_one(struct fw_fleet_run *r, enum fw_fleet_op op, size_t idx)
{
	struct fw_fleet_result *res = &r->res[idx];
	struct sink so, se;
	struct fw_out out;
	struct fw_target *t;
	struct fw_error err = FW_ERROR_INIT;
	long t0 = fw_now_ms();
	int ok;
	if (!r->cfg[idx])
		return; /* its config failed: already reported as failed */
	set_status(r, idx, FW_TS_RUNNING);
	res->started_ms = fw_wall_ms();
	fw_out_init(&out);
	out.prefix = r->fleet->m[idx].name;
	out.quiet = r->quiet;
	out.debug = r->debug;
	out.json = r->json;
	out.out = sink_open(&so, r, idx, 0);
	out.err = sink_open(&se, r, idx, 1);
	t = take_kept(r, idx);
	if (!t)
		t = xcalloc(1, sizeof(*t));
	ok = run_op(r, op, idx, t, &out, &err) == 0;
	publish_db(r, idx, NULL);
	if (!(ok && op == FW_FOP_PREFLIGHT && keep_target(r, idx, t))) {
		fw_target_close(t);
		free(t);
	}
	res->ms = fw_now_ms() - t0;
	if (!ok) {
		set_error(res, &err);
		/* a halted target did nothing wrong: say why it stopped, not that it failed */
		if (err.code && !strcmp(err.code, "FLEET_HALTED"))
			fw_warn(&out, "%s", err.message.buf);
		else
			fw_out_error(&out, &err);
	}
	fclose(out.out);
	fclose(out.err);
	if (!ok && op == FW_FOP_MIGRATE && !(err.code && !strcmp(err.code, "FLEET_HALTED")))
		flag_set(&r->halt);
	set_status(r, idx, ok ? FW_TS_OK
			  : err.code && !strcmp(err.code, "FLEET_HALTED") ? FW_TS_HALTED
			  : fw_fleet_flag(&r->cancel) ? FW_TS_INTERRUPTED : FW_TS_FAILED);
	fw_error_clear(&err);
}

/* ---------------------------------------------------------------- the pool */

struct fw_fleet_batch {
	struct fw_fleet_run *r;
	enum fw_fleet_op op;
	size_t start, next, end;
	pthread_t *threads;
	int nthreads, created, running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* probes and pre-flights visit every target; only migrate stops at a failure */
static int may_start(struct fw_fleet_batch *b)
{
	if (fw_fleet_flag(&b->r->cancel))
		return 0;
	return b->op != FW_FOP_MIGRATE || !fw_fleet_flag(&b->r->halt);
}

static void *worker(void *arg)
{
	struct fw_fleet_batch *b = arg;
	for (;;) {
		size_t idx;
		pthread_mutex_lock(&b->mu);
		if (b->next >= b->end || !may_start(b)) {
			pthread_mutex_unlock(&b->mu);
			break;
		}
		idx = b->next++;
		if (b->op == FW_FOP_PREFLIGHT && b->r->keep_limit > 0)
			idx = b->start + (b->end - 1 - idx); /* see keep_target() */
		pthread_mutex_unlock(&b->mu);
		run_one(b->r, b->op, idx);
	}
	pthread_mutex_lock(&b->mu);
	b->running--;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

struct fw_fleet_batch *fw_fleet_batch_start(struct fw_fleet_run *r, enum fw_fleet_op op, size_t start,
					    size_t end, int parallel)
{
	struct fw_fleet_batch *b = xcalloc(1, sizeof(*b));
	size_t n = end - start;
	b->r = r;
	b->op = op;
	b->start = b->next = start;
	b->end = end;
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
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
	free(b->threads);
	free(b);
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

/* ---------------------------------------------------------------- comparing targets */

/* version text -> parsed (NULL or unparsable -> EMPTY) */
static void parse_version(const char *s, struct fw_version *v)
{
	struct fw_error err = FW_ERROR_INIT;
	*v = (struct fw_version)FW_VERSION_INIT;
	if (s && fw_version_parse(s, 0, v, &err) < 0)
		*v = (struct fw_version)FW_VERSION_INIT;
	fw_error_clear(&err);
}

static int has_version(const struct strvec *list, const struct fw_version *v)
{
	for (size_t i = 0; i < list->nr; i++) {
		struct fw_version x;
		int eq;
		parse_version(list->v[i], &x);
		eq = !fw_version_cmp(&x, v);
		fw_version_release(&x);
		if (eq)
			return 1;
	}
	return 0;
}

/* every pending version of reachable targets, once */
static void pending_union(struct fw_fleet_run *r, struct strvec *out)
{
	for (size_t i = 0; i < r->fleet->nr; i++) {
		if (r->res[i].status != FW_TS_OK)
			continue;
		for (size_t j = 0; j < r->res[i].pending_versions.nr; j++) {
			struct fw_version v;
			parse_version(r->res[i].pending_versions.v[j], &v);
			if (!has_version(out, &v))
				strvec_push(out, r->res[i].pending_versions.v[j]);
			fw_version_release(&v);
		}
	}
}

static void judge_version(struct fw_fleet_run *r, const char *text)
{
	struct fw_version v;
	size_t expecting = 0, having = 0;
	char *expects = xcalloc(r->fleet->nr + 1, 1), *has = xcalloc(r->fleet->nr + 1, 1);
	parse_version(text, &v);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct fw_version cur;
		if (r->res[i].status != FW_TS_OK)
			continue;
		parse_version(r->res[i].version, &cur);
		has[i] = (char)has_version(&r->res[i].pending_versions, &v);
		expects[i] = (char)(has[i] || fw_version_cmp(&cur, &v) < 0);
		fw_version_release(&cur);
		expecting += (size_t)expects[i];
		having += (size_t)has[i];
	}
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct strbuf msg = STRBUF_INIT;
		if (!expects[i])
			continue;
		if (having * 2 > expecting && !has[i])
			strbuf_addf(&msg, "%s is pending on %zu of the %zu targets below it, but not here", text,
				    having, expecting);
		else if (having * 2 <= expecting && has[i] && expecting > 1)
			strbuf_addf(&msg, "%s is pending here but on only %zu of the %zu targets below it", text,
				    having, expecting);
		if (msg.len)
			add_finding(&r->res[i], "pending set differs", msg.buf);
		strbuf_release(&msg);
	}
	fw_version_release(&v);
	free(expects);
	free(has);
}

void fw_fleet_compare_pending(struct fw_fleet_run *r)
{
	struct strvec all = STRVEC_INIT;
	pending_union(r, &all);
	for (size_t i = 0; i < all.nr; i++)
		judge_version(r, all.v[i]);
	strvec_clear(&all);
}

/* the version most reachable targets are on (ties: the highest) */
static char *fleet_version(struct fw_fleet_run *r)
{
	const char *best = NULL;
	size_t best_n = 0;
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct fw_version a, b;
		size_t n = 0;
		if (r->res[i].status != FW_TS_OK)
			continue;
		parse_version(r->res[i].version, &a);
		for (size_t j = 0; j < r->fleet->nr; j++) {
			if (r->res[j].status != FW_TS_OK)
				continue;
			parse_version(r->res[j].version, &b);
			n += !fw_version_cmp(&a, &b);
			fw_version_release(&b);
		}
		parse_version(best, &b);
		if (n > best_n || (n == best_n && fw_version_cmp(&a, &b) > 0)) {
			best = r->res[i].version ? r->res[i].version : "";
			best_n = n;
		}
		fw_version_release(&a);
		fw_version_release(&b);
	}
	return best_n ? xstrdup(best) : NULL;
}

size_t fw_fleet_verify(struct fw_fleet_run *r, char **version)
{
	size_t differ = 0;
	struct fw_version want;
	*version = fleet_version(r);
	parse_version(*version && **version ? *version : NULL, &want);
	for (size_t i = 0; i < r->fleet->nr; i++) {
		struct fw_fleet_result *res = &r->res[i];
		struct fw_version v;
		struct strbuf msg = STRBUF_INIT;
		if (res->status != FW_TS_OK) {
			if (!res->findings.nr)
				add_finding(res, "verify", "the target did not answer");
			differ++;
			continue;
		}
		parse_version(res->version, &v);
		if (res->failed)
			strbuf_addf(&msg, "%d failed migration%s recorded", res->failed, res->failed == 1 ? "" : "s");
		else if (res->pending)
			strbuf_addf(&msg, "%d migration%s still pending", res->pending, res->pending == 1 ? "" : "s");
		else if (fw_version_cmp(&v, &want))
			strbuf_addf(&msg, "on version %s, the fleet is on %s",
				    res->version ? res->version : "<< Empty Schema >>",
				    *version && **version ? *version : "<< Empty Schema >>");
		if (msg.len) {
			add_finding(res, "verify", msg.buf);
			differ++;
		}
		strbuf_release(&msg);
		fw_version_release(&v);
	}
	fw_version_release(&want);
	return differ;
}
