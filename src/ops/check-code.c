/* check -code: the scripts in scope through every engine (see check.h):
 * fleetway's rules per statement, Flyway's regex rules over each script's
 * text, SQLFluff over all of them at once, -- noqa, and on a database the
 * sizes of the tables that would be locked or rewritten. */
#include "ops/check.h"
#include "engine/apply.h"
#include "ops/check-rules.h"
#include "ops/sqlfluff.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- fleetway's rules ---------------------------------------------------- */

struct lint_ctx {
	struct fw_lint *l;
	const char *script;
};

static int lint_one(void *ctx, const char *sql, int line, struct fw_error *err)
{
	struct lint_ctx *c = ctx;
	(void)err;
	fw_lint_statement(c->l, c->script, line, sql);
	return 0;
}

static int lint_script(struct fw_target *t, const struct fw_resolved *r, struct fw_lint *l, struct fw_error *err)
{
	struct lint_ctx ctx = { l, r->script };
	fw_lint_saw_script(l, r->script, r->path);
	return fw_script_statements(t, r, lint_one, &ctx, err);
}

/* what migrate would run: SQL (not .sh scripts), shouldExecute true */
static int runnable(const struct fw_resolved *r)
{
	return r && !r->is_script && r->should_execute;
}

int fw_check_code(struct fw_target *t, const struct fw_plan *plan, struct fw_lint *l,
		  size_t *scripts, struct fw_error *err)
{
	*scripts = 0;
	for (int repeatables = 0; repeatables < 2; repeatables++)
		for (size_t i = 0; i < plan->nr; i++) {
			const struct fw_entry *e = &plan->entries[i];
			if (!runnable(e->res) || (e->state != FW_ST_PENDING && e->state != FW_ST_OUTDATED) ||
			    (e->res->kind == FW_FILE_REPEATABLE) != repeatables)
				continue;
			if (lint_script(t, e->res, l, err) < 0)
				return -1;
			(*scripts)++;
		}
	if (t->db)
		return fw_check_table_sizes(t, l, err);
	return 0;
}

/* ---- the scripts in scope ------------------------------------------------ */

/* one script to review, with the target whose settings read it */
struct item {
	struct fw_target *t;
	const struct fw_resolved *r;
};

struct scope {
	struct item *v;
	size_t nr, alloc;
	struct strvec paths, scripts;   /* the same, for SQLFluff and noqa */
	struct fw_target *others;       /* other environments' files-only targets (offline) */
	struct fw_config *other_cfgs;
	size_t nr_others;
	struct fw_resolved single;      /* scope SCRIPT: the file */
	int have_single;
};

static void scope_add(struct scope *s, struct fw_target *t, const struct fw_resolved *r)
{
	if (!runnable(r) || strvec_contains(&s->paths, r->path))
		return;
	ALLOC_GROW(s->v, s->nr + 1, s->alloc);
	s->v[s->nr].t = t;
	s->v[s->nr++].r = r;
	strvec_push(&s->paths, r->path);
	strvec_push(&s->scripts, r->script);
}

static void scope_release(struct scope *s)
{
	for (size_t i = 0; i < s->nr_others; i++) {
		fw_target_close(&s->others[i]);
		fw_config_release(&s->other_cfgs[i]);
	}
	free(s->others);
	free(s->other_cfgs);
	free(s->v);
	strvec_clear(&s->paths);
	strvec_clear(&s->scripts);
	if (s->have_single) {
		free(s->single.script);
		free(s->single.path);
		free(s->single.filename);
		free(s->single.description);
	}
}

/* check.scope: DEFAULT (PENDING with a database, ALL without), ALL, PENDING, SCRIPT */
static int read_scope(const struct fw_target *t, const char **scope, struct fw_error *err)
{
	const char *s = fw_config_setting(t->cfg, "check.scope");
	if (!s || !strcasecmp(s, "DEFAULT"))
		*scope = t->db ? "PENDING" : "ALL";
	else if (!strcasecmp(s, "ALL"))
		*scope = "ALL";
	else if (!strcasecmp(s, "PENDING"))
		*scope = "PENDING";
	else if (!strcasecmp(s, "SCRIPT"))
		*scope = "SCRIPT";
	else {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.scope: unknown value '%s'", s);
		fw_error_hint(err, "one of DEFAULT, ALL, PENDING, SCRIPT");
		return -1;
	}
	if (!strcmp(*scope, "PENDING") && !t->db) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.scope=PENDING needs a database to tell what is pending");
		fw_error_hint(err, "set url, or check every file with check.scope=ALL");
		return -1;
	}
	return 0;
}

static void add_pending(struct scope *s, struct fw_target *t, const struct fw_plan *plan)
{
	for (int repeatables = 0; repeatables < 2; repeatables++)
		for (size_t i = 0; i < plan->nr; i++) {
			const struct fw_entry *e = &plan->entries[i];
			if (e->res && (e->state == FW_ST_PENDING || e->state == FW_ST_OUTDATED) &&
			    (e->res->kind == FW_FILE_REPEATABLE) == repeatables)
				scope_add(s, t, e->res);
		}
}

/* every migration file (versioned and baseline by version, then repeatables) */
static void add_all(struct scope *s, struct fw_target *t)
{
	for (int repeatables = 0; repeatables < 2; repeatables++)
		for (size_t i = 0; i < t->scan.nr_migrations; i++) {
			const struct fw_resolved *r = &t->scan.migrations[i];
			if ((r->kind == FW_FILE_REPEATABLE) == repeatables)
				scope_add(s, t, r);
		}
}

/* Without a database the review is of the project: every environment's
 * locations (variant folders per region, say), each file once, read with
 * its environment's placeholders. An environment whose configuration cannot
 * be resolved here (a secret from a resolver) is said and left out. */
static void add_other_environments(struct scope *s, struct fw_target *t)
{
	struct strvec envs = STRVEC_INIT;
	if (!t->cfg->settings)
		return;
	fw_settings_environments(t->cfg->settings, &envs);
	s->others = xcalloc(envs.nr + 1, sizeof(*s->others));
	s->other_cfgs = xcalloc(envs.nr + 1, sizeof(*s->other_cfgs));
	for (size_t i = 0; i < envs.nr; i++) {
		struct fw_config *c = &s->other_cfgs[s->nr_others];
		struct fw_target *o = &s->others[s->nr_others];
		struct fw_error e = FW_ERROR_INIT;
		if (t->cfg->environment && !strcmp(envs.v[i], t->cfg->environment))
			continue;
		if (fw_config_resolve(t->cfg->settings, envs.v[i], c, &e) < 0) {
			fw_emit_warn(t->obs, "environment %s left out of the code review: %s", envs.v[i], e.message.buf);
			fw_error_clear(&e);
			fw_config_release(c);
			memset(c, 0, sizeof(*c));
			continue;
		}
		o->name = envs.v[i];
		if (fw_target_offline(o, c, t->obs, t->dialect, &e) < 0) {
			fw_emit_warn(t->obs, "environment %s left out of the code review: %s", envs.v[i], e.message.buf);
			fw_error_clear(&e);
			fw_target_close(o);
			fw_config_release(c);
			memset(c, 0, sizeof(*c));
			continue;
		}
		o->name = NULL;   /* envs is freed below; messages here do not need it */
		s->nr_others++;
		add_all(s, o);
	}
	strvec_clear(&envs);
}

/* check.scriptFilename: one file, relative to the working directory */
static int add_script_file(struct scope *s, struct fw_target *t, struct fw_error *err)
{
	const char *f = fw_config_setting(t->cfg, "check.scriptFilename");
	const char *wd = t->cfg->working_directory;
	struct strbuf path = STRBUF_INIT;
	if (!f || !*f) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.scope=SCRIPT needs check.scriptFilename");
		fw_error_hint(err, "name the script to review: -check.scriptFilename=deploy.sql");
		return -1;
	}
	if (*f != '/' && wd)
		strbuf_addf(&path, "%s/", wd);
	strbuf_addstr(&path, f);
	if (access(path.buf, R_OK) < 0) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.scriptFilename: unable to read %s: %s", path.buf,
			       strerror(errno));
		strbuf_release(&path);
		return -1;
	}
	memset(&s->single, 0, sizeof(s->single));
	s->single.kind = FW_FILE_VERSIONED;
	s->single.path = strbuf_detach(&path, NULL);
	s->single.script = xstrdup(f);
	s->single.filename = xstrdup(strrchr(f, '/') ? strrchr(f, '/') + 1 : f);
	s->single.description = xstrdup("");
	s->single.type = "SQL";
	s->single.conf.execute_in_transaction = -1;
	s->single.conf.placeholder_replacement = -1;
	s->single.conf.lock_timeout_ms = s->single.conf.statement_timeout_ms = -1;
	s->single.should_execute = 1;
	s->have_single = 1;
	scope_add(s, t, &s->single);
	return 0;
}

static int build_scope(struct fw_target *t, const struct fw_plan *plan, const char *scope, struct scope *s,
		       struct fw_error *err)
{
	if (!strcmp(scope, "SCRIPT"))
		return add_script_file(s, t, err);
	if (!strcmp(scope, "PENDING")) {
		add_pending(s, t, plan);
		return 0;
	}
	add_all(s, t);
	if (!t->db)
		add_other_environments(s, t);
	return 0;
}

/* ---- the engines --------------------------------------------------------- */

static const char *dialect_name(enum sql_dialect d)
{
	return d == SQL_DIALECT_POSTGRES ? "postgres" : d == SQL_DIALECT_MYSQL ? "mysql" : "sqlite";
}

static int regex_engine(const struct fw_config *cfg, const struct scope *s, enum sql_dialect d,
			struct fw_check_result *res, struct fw_error *err)
{
	const char *dir = fw_config_setting(cfg, "check.rulesLocation");
	struct fw_regex_rules rules;
	int ret = 0;
	if (!dir || !fw_config_setting_bool(cfg, "check.regexEnabled", 1))
		return 0;
	if (fw_regex_rules_load(dir, &rules, err) < 0)
		return -1;
	for (size_t i = 0; i < rules.nr; i++)
		res->regex_rules += fw_regex_rule_applies(&rules.v[i], dialect_name(d)) &&
				    rules.v[i].severity != FW_RX_DISABLED;
	for (size_t f = 0; f < s->nr && !ret; f++) {
		struct strbuf text = STRBUF_INIT;
		if (strbuf_read_file(&text, s->v[f].r->path) < 0) {
			ret = fw_errorf(err, "ERROR", "unable to read %s: %s", s->v[f].r->path, strerror(errno));
		} else {
			const char *p = text.buf ? text.buf : "";
			size_t len = text.len;
			if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
				p += 3, len -= 3;
			for (size_t i = 0; i < rules.nr; i++)
				if (fw_regex_rule_applies(&rules.v[i], dialect_name(d)))
					fw_regex_rule_check(&rules.v[i], s->v[f].r->script, p, len, &res->lint);
		}
		strbuf_release(&text);
	}
	fw_regex_rules_release(&rules);
	return ret;
}

/* SQLFluff runs where it is installed, unless check.sqlfluffEnabled=false;
 * when the settings ask for it (sqlfluffEnabled=true, a rulesConfig) and it
 * is not installed, that is an error */
static int sqlfluff_engine(const struct fw_target *t, const struct scope *s, struct fw_check_result *res,
			   struct fw_error *err)
{
	const struct fw_config *cfg = t->cfg;
	const char *config = fw_config_setting(cfg, "check.rulesConfig");
	const char *dialect = fw_config_setting(cfg, "check.rulesDialect");
	const char *enabled = fw_config_setting(cfg, "check.sqlfluffEnabled");
	struct fw_sqlfluff_opts o;
	char *program;
	int ret;
	if (!fw_config_setting_bool(cfg, "check.sqlfluffEnabled", 1)) {
		res->sqlfluff = "disabled";
		return 0;
	}
	program = fw_sqlfluff_find();
	if (!program) {
		res->sqlfluff = "not installed";
		if (!config && !enabled)
			return 0;
		fw_errorf(err, "CHECK_SQLFLUFF_MISSING", "SQLFluff is not installed, but %s asks for it",
			  enabled ? "check.sqlfluffEnabled=true" : "check.rulesConfig");
		fw_error_detail(err, "no sqlfluff program on PATH");
		fw_error_hint(err, "install it (Debian: apt-get install sqlfluff), or set check.sqlfluffEnabled=false to review without it");
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.program = program;
	o.dialect = fw_sqlfluff_dialect(dialect ? dialect : t->db ? dialect_name(t->dialect) : "ansi");
	o.config = config;
	o.workdir = cfg->working_directory;
	ret = fw_sqlfluff_lint(&o, &s->paths, &s->scripts, &res->lint, err);
	res->sqlfluff = "ran";
	free(program);
	return ret;
}

static int noqa_severity(const struct fw_config *cfg, enum fw_noqa_severity *sev, struct fw_error *err)
{
	const char *s = fw_config_setting(cfg, "check.code.noqaSeverity");
	if (!s || !strcasecmp(s, "WARNING"))
		*sev = FW_NOQA_WARNING;
	else if (!strcasecmp(s, "ERROR"))
		*sev = FW_NOQA_ERROR;
	else if (!strcasecmp(s, "DISABLED"))
		*sev = FW_NOQA_DISABLED;
	else {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.code.noqaSeverity: unknown value '%s'", s);
		fw_error_hint(err, "one of DISABLED, WARNING, ERROR");
		return -1;
	}
	return 0;
}

int fw_check_code_review(struct fw_target *t, const struct fw_plan *plan, struct fw_check_result *res,
			 struct fw_error *err)
{
	struct scope s;
	enum fw_noqa_severity sev;
	int ret = -1;
	memset(&s, 0, sizeof(s));
	fw_lint_init(&res->lint, t->dialect);
	res->lint.per_script = res->offline;
	res->sqlfluff = "disabled";
	if (read_scope(t, &res->scope, err) < 0 || noqa_severity(t->cfg, &sev, err) < 0 ||
	    build_scope(t, plan, res->scope, &s, err) < 0)
		goto out;
	for (size_t i = 0; i < s.nr; i++)
		if (lint_script(s.v[i].t, s.v[i].r, &res->lint, err) < 0)
			goto out;
	res->scripts = s.nr;
	if (regex_engine(t->cfg, &s, t->dialect, res, err) < 0 || sqlfluff_engine(t, &s, res, err) < 0 ||
	    fw_noqa_apply(&res->lint, &s.paths, &s.scripts, sev, err) < 0)
		goto out;
	if (t->db && fw_check_table_sizes(t, &res->lint, err) < 0)
		goto out;
	fw_lint_sort(&res->lint);
	res->errors = fw_lint_errors(&res->lint);
	ret = 0;
out:
	scope_release(&s);
	return ret;
}
