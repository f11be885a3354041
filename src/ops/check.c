/* check -code and -dryrun on one target (see check.h) */
#include "ops/check.h"
#include "engine/apply.h"
#include "ops/dryrun.h"
#include "ops/migrate.h"
#include "ops/op.h"
#include "util/report-file.h"
#include "util/xalloc.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DRYRUN_IN_REPORT (1024 * 1024)

static int asked(const struct fw_config *cfg, const char *flag)
{
	return strvec_contains(&cfg->command_flags, flag);
}

static int no_url(const struct fw_config *cfg)
{
	return !cfg->url || !*cfg->url;
}

/* Flyway's values of check.rulesDialect: only a check without a database
 * uses it here, but a value Flyway would not take is a mistake wherever it is
 * written */
static int check_rules_dialect(const struct fw_config *cfg, struct fw_error *err)
{
	static const char *const flyway_dialects[] = {
		"ansi", "bigquery", "clickhouse", "databricks", "db2", "duckdb", "mariadb", "mysql", "oracle",
		"postgres", "redshift", "snowflake", "sqlite", "tsql", "text", "postgresql", NULL,
	};
	const char *s = fw_config_setting(cfg, "check.rulesDialect");
	if (!s)
		return 0;
	for (int i = 0; flyway_dialects[i]; i++)
		if (!strcasecmp(s, flyway_dialects[i]))
			return 0;
	fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.rulesDialect: unknown dialect '%s'", s);
	fw_error_hint(err, "one of Flyway's dialects: ansi, bigquery, clickhouse, databricks, db2, duckdb, mariadb, mysql, oracle, postgres, redshift, snowflake, sqlite, tsql, text");
	return -1;
}

/* check.rehearseOnTarget: the live target itself, asked for explicitly */
static int rehearse_on_target(const struct fw_config *cfg)
{
	return fw_config_setting_bool(cfg, "check.rehearseOnTarget", 0);
}

static int refuse(const struct fw_config *cfg, struct fw_error *err)
{
	if (check_rules_dialect(cfg, err) < 0)
		return -1;
	if (fw_drift_precheck(cfg, asked(cfg, "drift"), asked(cfg, "changes"), err) < 0)
		return -1;
	if (!asked(cfg, "code") && !asked(cfg, "dryrun") && !asked(cfg, "drift") && !asked(cfg, "changes") &&
	    !asked(cfg, "rehearse")) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "ERROR", "check needs one or more of -code, -drift, -changes, -dryrun, -rehearse");
		fw_error_hint(err, "fleetway check -code analyses the pending migrations");
		return -1;
	}
	if (asked(cfg, "rehearse") && fw_rehearse_configured(cfg, rehearse_on_target(cfg), err) < 0)
		return -1;
	if (asked(cfg, "dryrun") && no_url(cfg)) {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check -dryrun needs a database to compare with");
		fw_error_hint(err, "set url (-url=..., FLYWAY_URL or [environments.NAME] url)");
		return -1;
	}
	return 0;
}

/* check.rulesDialect (Flyway's key): the rules of a check without a database */
static int rules_dialect(const struct fw_config *cfg, enum sql_dialect *d, struct fw_error *err)
{
	const char *s = fw_config_setting(cfg, "check.rulesDialect");
	if (!s)
		s = "postgres";
	if (!strcasecmp(s, "postgres") || !strcasecmp(s, "postgresql"))
		*d = SQL_DIALECT_POSTGRES;
	else if (!strcasecmp(s, "mysql") || !strcasecmp(s, "mariadb"))
		*d = SQL_DIALECT_MYSQL;
	else if (!strcasecmp(s, "sqlite"))
		*d = SQL_DIALECT_SQLITE;
	else {
		fw_errorf_exit(err, FW_EXIT_USAGE, "CONFIGURATION", "check.rulesDialect: unknown dialect '%s'", s);
		fw_error_hint(err, "fleetway's rules without a database are postgres, mysql, mariadb and sqlite; or give a url");
		return -1;
	}
	return 0;
}

/* Without a url, as Flyway's check: every file (nothing is applied yet) */
static int open_offline(struct fw_target *t, struct fw_config *cfg, const struct fw_observer *obs,
			struct fw_error *err)
{
	enum sql_dialect d;
	if (rules_dialect(cfg, &d, err) < 0)
		return -1;
	return fw_target_offline(t, cfg, obs, d, err);
}

/* -dryrun: what migrate would send, in <report>-dryrun.sql, its start kept for the report */
static int dry_run(struct fw_target *t, const struct fw_plan *plan, struct fw_check_result *res,
		   struct fw_error *err)
{
	struct strbuf path = STRBUF_INIT;
	struct fw_migrate_result mr;
	FILE *f;
	int ret;
	fw_report_stem(t->cfg->report_filename ? t->cfg->report_filename : "report", &path);
	strbuf_addstr(&path, "-dryrun.sql");
	res->dryrun_path = strbuf_detach(&path, NULL);
	f = fopen(res->dryrun_path, "w");
	if (!f)
		return fw_errorf(err, "ERROR", "unable to write %s: %s", res->dryrun_path, strerror(errno));
	memset(&mr, 0, sizeof(mr));
	ret = fw_dryrun_write(t, plan, f, res->dryrun_path, &mr, err);
	fw_migrate_result_release(&mr);
	if (fclose(f) != 0 && !ret)
		ret = fw_errorf(err, "ERROR", "unable to write %s: %s", res->dryrun_path, strerror(errno));
	if (ret < 0)
		return -1;
	if (strbuf_read_file(&res->dryrun_sql, res->dryrun_path) < 0)
		return fw_errorf(err, "ERROR", "unable to read %s: %s", res->dryrun_path, strerror(errno));
	/* a huge script stays in its file; the report shows its start */
	if (res->dryrun_sql.len > DRYRUN_IN_REPORT) {
		strbuf_setlen(&res->dryrun_sql, DRYRUN_IN_REPORT);
		res->dryrun_truncated = 1;
	}
	return 0;
}

static int check_run(struct fw_target *t, const void *args, void *result, struct fw_error *err)
{
	struct fw_check_result *res = result;
	struct fw_plan plan;
	int exists = 0, ret = 0;
	res->offline = !t->db;
	res->code = asked(t->cfg, "code");
	res->dryrun = asked(t->cfg, "dryrun");
	res->rehearse = asked(t->cfg, "rehearse");
	if (!res->offline && (fw_target_schema_exists(t, t->schema, &exists, err) < 0 ||
			      (exists && fw_target_load_history(t, err) < 0)))
		return -1;
	if (!exists)
		fw_history_forget(&t->hist);
	if (fw_target_plan(t, &plan, err) < 0)
		return -1;
	if (res->code && fw_check_code_review(t, &plan, res, err) < 0)
		ret = -1;
	if (!ret && res->dryrun && dry_run(t, &plan, res, err) < 0)
		ret = -1;
	/* Flyway: with both, drift runs first */
	if (!ret && asked(t->cfg, "drift") && fw_drift_run(t, NULL, &res->drift, err) < 0)
		ret = -1;
	if (!ret && asked(t->cfg, "changes") && fw_changes_run(t, &res->changes, err) < 0)
		ret = -1;
	if (!ret && res->rehearse && fw_rehearse(t, rehearse_on_target(t->cfg), &res->rehearsal, err) < 0)
		ret = -1;
	fw_plan_release(&plan);
	return ret;
}

static void check_release(void *result)
{
	struct fw_check_result *res = result;
	if (res->code)
		fw_lint_release(&res->lint);
	free(res->dryrun_path);
	strbuf_release(&res->dryrun_sql);
	fw_drift_result_release(&res->drift);
	fw_changes_result_release(&res->changes);
	fw_rehearse_result_release(&res->rehearsal);
}

const struct fw_op fw_op_check = {
	.name = "check",
	.needs = FW_OP_DB | FW_OP_DB_OPTIONAL,
	.result_size = sizeof(struct fw_check_result),
	.open_offline = open_offline,
	.precheck = refuse,
	.run = check_run,
	.release = check_release,
};
