/* Configuration as Flyway reads it (reference 8, 9.3, 14 item 4).
 *
 * Every test works in a fresh temporary directory that plays the process
 * working directory; files are written there, the environment and argv are
 * given explicitly, so nothing depends on the machine running the tests. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config/config.h"
#include "util/redact.h"

/* ---- fixture ----------------------------------------------------------- */

static char tmp[256];

static int setup(void **state)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/fw-config-XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(tmp));
	return 0;
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

static int teardown(void **state)
{
	rm_rf(tmp);
	return 0;
}

static const char *in_tmp(const char *name)
{
	static char buf[4][512];
	static int next;
	char *b = buf[next++ % 4];
	snprintf(b, 512, "%s/%s", tmp, name);
	return b;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(in_tmp(name), "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_dir(const char *name)
{
	assert_int_equal(mkdir(in_tmp(name), 0755), 0);
}

/* a loaded setup: argv (NULL-terminated) and environment (NULL-terminated) */
struct run {
	struct fw_args args;
	struct fw_settings *s;
	struct fw_error err;
};

static int try_load(struct run *r, const char *const *argv, const char *const *env)
{
	struct fw_settings_sources src = { 0 };
	int argc = 0;
	memset(r, 0, sizeof(*r));
	r->args = (struct fw_args)FW_ARGS_INIT;
	r->err = (struct fw_error)FW_ERROR_INIT;
	while (argv && argv[argc])
		argc++;
	if (fw_args_parse(argc, argv, &r->args, &r->err) < 0)
		return -1;
	src.args = &r->args;
	src.environ = env;
	src.cwd = tmp;
	src.home = NULL;
	src.install_dir = NULL;
	return fw_settings_load(&src, &r->s, &r->err);
}

static void load_ok(struct run *r, const char *const *argv, const char *const *env)
{
	if (try_load(r, argv, env) < 0)
		fail_msg("load failed: %s / %s", r->err.message.buf, r->err.detail.buf);
}

static void resolve_ok(struct run *r, const char *env_name, struct fw_config *c)
{
	if (fw_config_resolve(r->s, env_name, c, &r->err) < 0)
		fail_msg("resolve failed: %s / %s", r->err.message.buf, r->err.detail.buf);
}

static void run_release(struct run *r)
{
	fw_settings_free(r->s);
	fw_args_release(&r->args);
	fw_error_clear(&r->err);
}

/* load and resolve the selected environment in one go */
static void config_of(const char *const *argv, const char *const *env, struct fw_config *c)
{
	struct run r;
	load_ok(&r, argv, env);
	resolve_ok(&r, NULL, c);
	run_release(&r);
}

static void expect_load_error(const char *const *argv, const char *const *env, const char *msg,
			      const char *detail)
{
	struct run r;
	if (try_load(&r, argv, env) == 0) {
		run_release(&r);
		fail_msg("expected an error containing '%s'", msg);
	}
	if (!strstr(r.err.message.buf, msg))
		fail_msg("message '%s' lacks '%s'", r.err.message.buf, msg);
	if (detail && !strstr(r.err.detail.buf, detail))
		fail_msg("detail '%s' lacks '%s'", r.err.detail.buf, detail);
	assert_int_equal(r.err.exit_code, FW_EXIT_USAGE);
	run_release(&r);
}

static void expect_resolve_error(const char *const *argv, const char *const *env, const char *msg,
				 const char *detail, struct fw_error *keep)
{
	struct run r;
	struct fw_config c;
	load_ok(&r, argv, env);
	if (fw_config_resolve(r.s, NULL, &c, &r.err) == 0) {
		fw_config_release(&c);
		run_release(&r);
		fail_msg("expected a resolve error containing '%s'", msg);
	}
	if (!strstr(r.err.message.buf, msg))
		fail_msg("message '%s' lacks '%s'", r.err.message.buf, msg);
	if (detail && !strstr(r.err.detail.buf, detail))
		fail_msg("detail '%s' lacks '%s'", r.err.detail.buf, detail);
	if (keep)
		fw_error_move(keep, &r.err);
	run_release(&r);
}

static const char *const NOARGS[] = { NULL };
static const char *const NOENV[] = { NULL };

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void assert_list(const struct strvec *v, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	if (v->nr != n)
		fail_msg("list has %zu items, want %zu (first: %s)", v->nr, n, v->nr ? v->v[0] : "-");
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v->v[i], want[i]);
}

/* ---- defaults and precedence ------------------------------------------- */

static void test_defaults(void **state)
{
	struct fw_config c;
	char report[512];
	config_of(NOARGS, NOENV, &c);
	assert_string_equal(c.environment, "default");
	assert_null(c.url);
	assert_int_equal(c.clean_disabled, 1);
	assert_int_equal(c.validate_on_migrate, 1);
	assert_int_equal(c.lock_retry_count, 50);
	assert_int_equal(c.connect_retries, 0);
	assert_int_equal(c.connect_retries_interval, 120);
	assert_int_equal(c.create_schemas, 1);
	assert_int_equal(c.execute_in_transaction, 1);
	assert_int_equal(c.output_query_results, 1);
	assert_int_equal(c.placeholder_replacement, 1);
	assert_int_equal(c.pg_transactional_lock, 1);
	assert_int_equal(c.out_of_order, 0);
	assert_int_equal(c.baseline_on_migrate, 0);
	assert_int_equal(c.report_enabled, 0);
	assert_string_equal(c.table, "flyway_schema_history");
	assert_string_equal(c.encoding, "UTF-8");
	assert_string_equal(c.placeholder_prefix, "${");
	assert_string_equal(c.placeholder_suffix, "}");
	assert_string_equal(c.placeholder_separator, ":");
	assert_string_equal(c.script_placeholder_prefix, "FP__");
	assert_string_equal(c.script_placeholder_suffix, "__");
	assert_string_equal(c.sql_migration_prefix, "V");
	assert_string_equal(c.repeatable_sql_migration_prefix, "R");
	assert_string_equal(c.baseline_migration_prefix, "B");
	assert_string_equal(c.undo_sql_migration_prefix, "U");
	assert_string_equal(c.sql_migration_separator, "__");
	assert_list(&c.sql_migration_suffixes, ARGS(".sql"));
	assert_list(&c.ignore_migration_patterns, ARGS("*:future"));
	assert_string_equal(c.target, "latest");
	assert_string_equal(c.baseline_version, "1");
	assert_string_equal(c.baseline_description, "<< Flyway Baseline >>");
	assert_string_equal(c.color, "auto");
	assert_string_equal(c.working_directory, tmp);
	snprintf(report, sizeof(report), "%s/report", tmp);
	assert_string_equal(c.report_filename, report);
	assert_null(c.installed_by);
	/* no sql folder anywhere: no location, and a warning saying so */
	assert_int_equal(c.locations.nr, 0);
	assert_int_equal(c.warnings.nr, 1);
	assert_string_equal(c.warnings.v[0], "No locations configured and default location 'sql' not found.");
	fw_config_release(&c);
}

static void test_precedence(void **state)
{
	struct fw_config c;
	write_file("flyway.toml", "[flyway]\ntable = \"from_file\"\nlockRetryCount = 5\nmixed = true\n");
	config_of(NOARGS, NOENV, &c);
	assert_string_equal(c.table, "from_file");
	assert_int_equal(c.lock_retry_count, 5);
	fw_config_release(&c);

	config_of(NOARGS, ARGS("FLYWAY_TABLE=from_env", "FLYWAY_LOCK_RETRY_COUNT=7"), &c);
	assert_string_equal(c.table, "from_env");
	assert_int_equal(c.lock_retry_count, 7);
	assert_int_equal(c.mixed, 1);
	fw_config_release(&c);

	config_of(ARGS("-table=from_flag", "info"), ARGS("FLYWAY_TABLE=from_env"), &c);
	assert_string_equal(c.table, "from_flag");
	assert_int_equal(c.lock_retry_count, 5);
	fw_config_release(&c);
}

static void test_files_merge(void **state)
{
	struct fw_config c;
	write_file("flyway.toml",
		   "[flyway]\ntable = \"t1\"\nsqlMigrationSuffixes = [\".sql\", \".pgsql\"]\n"
		   "ignoreMigrationPatterns = [\"*:missing\"]\n"
		   "[flyway.placeholders]\na = \"1\"\nb = \"2\"\n");
	write_file("flyway.user.toml",
		   "[flyway]\ntable = \"t2\"\nsqlMigrationSuffixes = []\n"
		   "ignoreMigrationPatterns = [\"*:future\", \"*:ignored\"]\n"
		   "[flyway.placeholders]\nb = \"20\"\nc = \"30\"\n");
	config_of(NOARGS, NOENV, &c);
	assert_string_equal(c.table, "t2");
	/* a later empty list does not replace, a non-empty one does */
	assert_list(&c.sql_migration_suffixes, ARGS(".sql", ".pgsql"));
	assert_list(&c.ignore_migration_patterns, ARGS("*:future", "*:ignored"));
	/* placeholder maps merge key by key */
	assert_string_equal(fw_kv_get(&c.placeholders, "a"), "1");
	assert_string_equal(fw_kv_get(&c.placeholders, "b"), "20");
	assert_string_equal(fw_kv_get(&c.placeholders, "c"), "30");
	fw_config_release(&c);

	/* an empty list on the command line does clear (reference 14 item 10) */
	config_of(ARGS("-ignoreMigrationPatterns="), NOENV, &c);
	assert_int_equal(c.ignore_migration_patterns.nr, 0);
	fw_config_release(&c);
}

/* ---- TOML vs .conf ----------------------------------------------------- */

static void test_mode_selection(void **state)
{
	struct run r;
	struct fw_config c;

	write_file("flyway.conf", "flyway.table=from_conf\n");
	load_ok(&r, NOARGS, NOENV);
	assert_true(fw_settings_is_legacy(r.s));
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.table, "from_conf");
	fw_config_release(&c);
	run_release(&r);

	/* a TOML file among the defaults wins: the .conf is not read */
	write_file("flyway.toml", "[flyway]\ntable = \"from_toml\"\n");
	load_ok(&r, NOARGS, NOENV);
	assert_false(fw_settings_is_legacy(r.s));
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.table, "from_toml");
	fw_config_release(&c);
	run_release(&r);

	/* -configFiles decides: only .conf listed => legacy */
	write_file("other.conf", "flyway.table=other\n");
	load_ok(&r, ARGS("-configFiles=other.conf"), NOENV);
	assert_true(fw_settings_is_legacy(r.s));
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.table, "other");
	fw_config_release(&c);
	run_release(&r);

	expect_load_error(ARGS("-configFiles=flyway.toml,other.conf"), NOENV,
			  "Using both TOML configuration and CONF configuration is not supported", NULL);
	expect_load_error(NOARGS, ARGS("FLYWAY_CONFIG_FILES=flyway.toml,other.conf"),
			  "Using both TOML configuration and CONF configuration is not supported",
			  "FLYWAY_CONFIG_FILES");
}

static void test_config_files_and_workdir(void **state)
{
	struct run r;
	struct fw_config c;
	make_dir("proj");
	make_dir("proj/sql");
	write_file("proj/flyway.toml", "[flyway]\nlocations = [\"filesystem:migrations\", \"more\", \"classpath:db/x\"]\n"
				       "callbackLocations = [\"filesystem:/abs/cb\"]\n"
				       "[flyway.placeholders]\nfrom_wd = \"1\"\n");
	write_file("flyway.toml", "[flyway.placeholders]\nfrom_cwd = \"2\"\n");
	write_file("proj/extra.toml", "[flyway]\ntable = \"extra\"\n");
	load_ok(&r, ARGS("-workingDirectory=proj", "-configFiles=extra.toml", "migrate"), NOENV);
	assert_int_equal(fw_settings_warnings(r.s)->nr, 0);
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.working_directory, in_tmp("proj"));
	assert_string_equal(c.table, "extra");
	{
		char a[512], b[512];
		snprintf(a, sizeof(a), "filesystem:%s/proj/migrations", tmp);
		snprintf(b, sizeof(b), "filesystem:%s/proj/more", tmp);
		assert_list(&c.locations, ARGS(a, b, "classpath:db/x"));
	}
	assert_list(&c.callback_locations, ARGS("filesystem:/abs/cb"));
	/* ./flyway.toml and <workingDirectory>/flyway.toml maps merge (14 item 4) */
	assert_string_equal(fw_kv_get(&c.placeholders, "from_wd"), "1");
	assert_string_equal(fw_kv_get(&c.placeholders, "from_cwd"), "2");
	fw_config_release(&c);
	run_release(&r);

	/* locations not set: <workingDirectory>/sql, because it exists */
	remove(in_tmp("proj/flyway.toml"));
	load_ok(&r, ARGS("-workingDirectory=proj", "-reportFilename=out/rep", "-dryRunOutput=dry.sql"), NOENV);
	resolve_ok(&r, NULL, &c);
	{
		char want[512];
		snprintf(want, sizeof(want), "filesystem:%s/proj/sql", tmp);
		assert_list(&c.locations, ARGS(want));
	}
	assert_int_equal(c.warnings.nr, 0);
	assert_string_equal(c.report_filename, in_tmp("proj/out/rep"));
	assert_string_equal(c.dry_run_output, in_tmp("proj/dry.sql"));
	fw_config_release(&c);
	run_release(&r);
}

static void test_legacy_conf(void **state)
{
	struct fw_config c;
	write_file("flyway.conf",
		   "# comment\n"
		   "! also a comment\n"
		   "flyway.url=jdbc:sqlite:${FW_TEST_DIR}\\db.sqlite\n"
		   "flyway.user = alice\n"
		   "flyway.locations=filesystem:a,\\\n"
		   "   filesystem:b\n"
		   "flyway.placeholders.owner=${UNSET_VAR_XYZ}bob\n"
		   "flyway.schemas=s1,s2\n"
		   "flyway.cleanDisabled=FALSE\n"
		   "flyway.connectRetries=3\n"
		   "flyway.jdbcProperties.sslmode=require\n"
		   "flyway.installedBy=ci\\\n"
		   "flyway.table=t\n"
		   "other.key=ignored\n");
	config_of(NOARGS, ARGS("FW_TEST_DIR=C:"), &c);
	/* backslashes are literal; ${VAR} expands, unset ones to nothing */
	assert_string_equal(c.url, "jdbc:sqlite:C:\\db.sqlite");
	assert_string_equal(c.user, "alice");
	{
		char a[512], b[512];
		snprintf(a, sizeof(a), "filesystem:%s/a", tmp);
		snprintf(b, sizeof(b), "filesystem:%s/b", tmp);
		assert_list(&c.locations, ARGS(a, b));
	}
	assert_string_equal(fw_kv_get(&c.placeholders, "owner"), "bob");
	assert_list(&c.schemas, ARGS("s1", "s2"));
	assert_int_equal(c.clean_disabled, 0);
	assert_int_equal(c.connect_retries, 3);
	assert_string_equal(fw_kv_get(&c.jdbc_properties, "sslmode"), "require");
	/* a backslash before a flyway.x= line is not a continuation */
	assert_string_equal(c.installed_by, "ci\\");
	assert_string_equal(c.table, "t");
	fw_config_release(&c);
}

static void test_legacy_unknown(void **state)
{
	struct run r;
	write_file("flyway.conf", "flyway.url=jdbc:sqlite:x\n\nflyway.cleanDisabld=false\n");
	assert_int_equal(try_load(&r, NOARGS, NOENV), -1);
	assert_string_equal(r.err.message.buf, "Unknown configuration property: flyway.cleanDisabld");
	assert_non_null(strstr(r.err.detail.buf, "flyway.conf:3"));
	assert_non_null(strstr(r.err.hint.buf, "Did you mean 'flyway.cleanDisabled'?"));
	run_release(&r);
}

/* ---- environments -------------------------------------------------------- */

static const char *ENVS_TOML =
	"[environments.dev]\n"
	"url = \"jdbc:postgresql://localhost/dev\"\n"
	"user = \"dev_user\"\n"
	"schemas = [\"app\", \"audit\"]\n"
	"connectRetries = 2\n"
	"[environments.dev.jdbcProperties]\n"
	"sslmode = \"disable\"\n"
	"[environments.dev.flyway]\n"
	"locations = [\"filesystem:dev-sql\"]\n"
	"cleanDisabled = false\n"
	"[environments.dev.flyway.placeholders]\n"
	"env_only = \"d\"\n"
	"[environments.Prod]\n"
	"url = \"jdbc:postgresql://db/prod\"\n"
	"[flyway]\n"
	"environment = \"dev\"\n"
	"locations = [\"filesystem:sql\", \"filesystem:common\"]\n"
	"[flyway.placeholders]\n"
	"shared = \"s\"\n"
	"[fleets.all]\n"
	"environments = [\"dev\", \"Prod\"]\n";

static void test_environment_selection(void **state)
{
	struct run r;
	struct fw_config c;
	struct strvec names = STRVEC_INIT;
	write_file("flyway.toml", ENVS_TOML);
	load_ok(&r, NOARGS, NOENV);
	assert_string_equal(fw_settings_selected_environment(r.s), "dev");
	fw_settings_environments(r.s, &names);
	assert_list(&names, ARGS("dev", "Prod"));
	strvec_clear(&names);

	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.environment, "dev");
	assert_string_equal(c.url, "jdbc:postgresql://localhost/dev");
	assert_list(&c.schemas, ARGS("app", "audit"));
	assert_int_equal(c.connect_retries, 2);
	assert_string_equal(fw_kv_get(&c.jdbc_properties, "sslmode"), "disable");
	/* the environment's overrides replace lists and maps whole */
	{
		char want[512];
		snprintf(want, sizeof(want), "filesystem:%s/dev-sql", tmp);
		assert_list(&c.locations, ARGS(want));
	}
	assert_int_equal(c.clean_disabled, 0);
	assert_string_equal(fw_kv_get(&c.placeholders, "env_only"), "d");
	assert_null(fw_kv_get(&c.placeholders, "shared"));
	fw_config_release(&c);

	/* another environment: no overrides, [flyway] as is */
	resolve_ok(&r, "Prod", &c);
	assert_string_equal(c.environment, "Prod");
	assert_string_equal(c.url, "jdbc:postgresql://db/prod");
	assert_int_equal(c.clean_disabled, 1);
	assert_int_equal(c.locations.nr, 2);
	assert_string_equal(fw_kv_get(&c.placeholders, "shared"), "s");
	fw_config_release(&c);

	/* not found, with a case-insensitive suggestion */
	assert_int_equal(fw_config_resolve(r.s, "prod", &c, &r.err), -1);
	assert_string_equal(r.err.message.buf,
			    "Environment 'prod' not found. Check that this environment exists in your configuration.");
	assert_string_equal(r.err.hint.buf, "Did you mean 'Prod'?");
	assert_int_equal(r.err.exit_code, FW_EXIT_USAGE);
	run_release(&r);

	expect_resolve_error(ARGS("-environment=staging"), NOENV, "Environment 'staging' not found", NULL, NULL);
	/* lower-case flyway_environment selects too */
	load_ok(&r, NOARGS, ARGS("flyway_environment=Prod"));
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.url, "jdbc:postgresql://db/prod");
	fw_config_release(&c);
	run_release(&r);
}

static void test_connection_flags_merge(void **state)
{
	struct run r;
	struct fw_config c;
	write_file("flyway.toml", ENVS_TOML);
	load_ok(&r, ARGS("-url=jdbc:postgresql://override/db", "-jdbcProperties.ApplicationName=x", "info"),
		ARGS("FLYWAY_USER=env_user", "FLYWAY_PASSWORD=pw-from-env",
		     "FLYWAY_JDBC_PROPERTIES_SSLMODE=require"));
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.url, "jdbc:postgresql://override/db");
	assert_string_equal(c.user, "env_user");
	assert_string_equal(c.password, "pw-from-env");
	assert_list(&c.schemas, ARGS("app", "audit"));
	assert_string_equal(fw_kv_get(&c.jdbc_properties, "sslmode"), "require");
	assert_string_equal(fw_kv_get(&c.jdbc_properties, "ApplicationName"), "x");
	fw_config_release(&c);
	/* only the selected environment gets them */
	resolve_ok(&r, "Prod", &c);
	assert_string_equal(c.url, "jdbc:postgresql://db/prod");
	assert_null(c.user);
	fw_config_release(&c);
	run_release(&r);

	/* -environments.E.x beats -url; FLYWAY_URL beats environments_E_url */
	load_ok(&r, ARGS("-environments.dev.url=jdbc:sqlite:a", "-url=jdbc:sqlite:b"), NOENV);
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.url, "jdbc:sqlite:a");
	fw_config_release(&c);
	run_release(&r);
	load_ok(&r, NOARGS, ARGS("environments_dev_url=jdbc:sqlite:lower", "FLYWAY_URL=jdbc:sqlite:upper"));
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.url, "jdbc:sqlite:upper");
	fw_config_release(&c);
	run_release(&r);

	/* an environment defined only by flags */
	load_ok(&r, ARGS("-environment=adhoc", "-environments.adhoc.url=jdbc:sqlite:adhoc.db",
			 "-environments.adhoc.flyway.locations=filesystem:/x",
			 "-environments.adhoc.jdbcProperties.k=v"), NOENV);
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.url, "jdbc:sqlite:adhoc.db");
	assert_list(&c.locations, ARGS("filesystem:/x"));
	assert_string_equal(fw_kv_get(&c.jdbc_properties, "k"), "v");
	fw_config_release(&c);
	run_release(&r);

	/* the default environment need not be defined; -url creates it */
	remove(in_tmp("flyway.toml"));
	config_of(ARGS("-url=jdbc:sqlite:x.db", "-schemas=a,b"), NOENV, &c);
	assert_string_equal(c.environment, "default");
	assert_string_equal(c.url, "jdbc:sqlite:x.db");
	assert_list(&c.schemas, ARGS("a", "b"));
	fw_config_release(&c);
}

/* reference 14 item 4: command-line placeholders lose to an environment's table */
static void test_placeholders_vs_environment_table(void **state)
{
	struct fw_config c;
	write_file("flyway.toml", ENVS_TOML);
	config_of(ARGS("-placeholders.env_only=cli", "-placeholders.extra=e"), NOENV, &c);
	assert_string_equal(fw_kv_get(&c.placeholders, "env_only"), "d");
	assert_null(fw_kv_get(&c.placeholders, "extra"));
	fw_config_release(&c);

	config_of(ARGS("-environments.dev.flyway.placeholders.extra=e"), NOENV, &c);
	assert_string_equal(fw_kv_get(&c.placeholders, "extra"), "e");
	assert_string_equal(fw_kv_get(&c.placeholders, "env_only"), "d");
	fw_config_release(&c);

	/* without an environment table -placeholders.k wins over the file */
	config_of(ARGS("-environment=Prod", "-placeholders.shared=cli", "-placeholders.my.dotted=1"), NOENV, &c);
	assert_string_equal(fw_kv_get(&c.placeholders, "shared"), "cli");
	assert_string_equal(fw_kv_get(&c.placeholders, "my.dotted"), "1");
	fw_config_release(&c);

	/* environment variable forms */
	config_of(ARGS("-environment=Prod"),
		  ARGS("FLYWAY_PLACEHOLDERS_UPPER=1", "flyway_placeholders_lower=2"), &c);
	assert_string_equal(fw_kv_get(&c.placeholders, "upper"), "1");
	assert_string_equal(fw_kv_get(&c.placeholders, "lower"), "2");
	fw_config_release(&c);
}

static void test_env_vars(void **state)
{
	struct run r;
	struct fw_config c;
	load_ok(&r, NOARGS,
		ARGS("FLYWAY_CLEAN_DISABLED=false", "flyway_cleanDisabled=true", "FLYWAY_HOME=/opt/flyway",
		     "FLYWAY_DRYRUN_OUTPUT=dry.sql", "FLYWAY_POSTGRESQL_TRANSACTIONAL_LOCK=false",
		     "FLYWAY_CHERRY_PICK=1,2", "FLYWAY_JDBC_PROPERTIES_ACCESSTOKEN=tok123",
		     "FLYWAY_BASELINE_MIGRATION_PREFIX=BB", "FLYWAY_REPORT_FILENAME=/r/x",
		     "FLYWAY_CONNECT_RETRIES_INTERVAL=9", "environments_default_user=u1"));
	/* lower case wins, with a warning */
	assert_int_equal(fw_settings_warnings(r.s)->nr, 1);
	assert_string_equal(fw_settings_warnings(r.s)->v[0],
			    "Using both new Environment variable flyway_cleanDisabled and old Environment variable "
			    "FLYWAY_CLEAN_DISABLED. Please remove FLYWAY_CLEAN_DISABLED.");
	resolve_ok(&r, NULL, &c);
	assert_int_equal(c.clean_disabled, 1);
	assert_string_equal(c.dry_run_output, in_tmp("dry.sql"));
	assert_int_equal(c.pg_transactional_lock, 0);
	assert_list(&c.cherry_pick, ARGS("1", "2"));
	assert_string_equal(fw_kv_get(&c.jdbc_properties, "accessToken"), "tok123");
	assert_string_equal(c.baseline_migration_prefix, "BB");
	assert_string_equal(c.report_filename, "/r/x");
	assert_int_equal(c.connect_retries_interval, 9);
	assert_string_equal(c.user, "u1");
	fw_config_release(&c);
	run_release(&r);

	/* an unknown lower-case key is an error that names the variable */
	expect_load_error(NOARGS, ARGS("flyway_cleanDisabld=true"), "Unknown configuration property: flyway.cleanDisabld",
			  "environment variable flyway_cleanDisabld");
	expect_load_error(NOARGS, ARGS("FLYWAY_CONNECT_RETRIES=many"),
			  "Invalid value for environments.default.connectRetries (should be an integer): many", NULL);
}

static void test_namespaces_and_later_features(void **state)
{
	struct run r;
	struct fw_config c;
	const struct toml_value *root, *fleet;
	write_file("flyway.toml",
		   "id = \"project-id\"\n"
		   "[flyway]\ncherryPick = [\"2\"]\nreportEnabled = true\nreportFilename = \"/tmp/rep\"\n"
		   "dryRunOutput = \"/tmp/dry.sql\"\ncallbacks = [\"com.x.Y\"]\n"
		   "[flyway.postgresql]\ntransactional.lock = false\n"
		   "[flyway.check]\nbuildEnvironment = \"build\"\n"
		   "[fleets.prod]\nenvironments = [\"a\", \"b\"]\nwaves = [{ size = 1 }, { size = 2 }]\n"
		   "[redgateCompare]\nanything = 1\n");
	load_ok(&r, ARGS("check", "-code", "-rulesLocation=rules", "-X"), NOENV);
	root = fw_settings_root(r.s);
	assert_non_null(root);
	fleet = toml_get_path(root, "fleets.prod");
	assert_non_null(fleet);
	assert_int_equal(toml_get(fleet, "environments")->type, TOML_ARRAY);
	assert_int_equal(toml_get(fleet, "environments")->u.arr.nr, 2);
	assert_non_null(strstr(fw_settings_source_of(r.s, toml_get(fleet, "environments")), "flyway.toml:"));
	assert_string_equal(toml_get_path(root, "flyway.check.rulesLocation")->u.str.s, "rules");
	assert_string_equal(fw_settings_source_of(r.s, toml_get_path(root, "flyway.check.rulesLocation")),
			    "command line -check.rulesLocation");
	resolve_ok(&r, NULL, &c);
	assert_list(&c.cherry_pick, ARGS("2"));
	assert_int_equal(c.report_enabled, 1);
	assert_string_equal(c.report_filename, "/tmp/rep");
	assert_string_equal(c.dry_run_output, "/tmp/dry.sql");
	assert_int_equal(c.pg_transactional_lock, 0);
	assert_int_equal(c.debug, 1);
	assert_list(&c.command_flags, ARGS("code"));
	fw_config_release(&c);
	run_release(&r);

	config_of(ARGS("-postgresql.transactional.lock=TRUE", "-q", "-X", "-fleet=prod", "-format=json",
		       "-outputType=JSON", "-outputFile=o.json", "-color=never", "-infoSinceDate=01/01/2020 10:00",
		       "-infoOfState=success", "-migrationIds", "-infoSinceVersion=2", "-infoUntilVersion=5",
		       "-infoUntilDate=02/01/2020 10:00"),
		  NOENV, &c);
	assert_int_equal(c.pg_transactional_lock, 1);
	assert_int_equal(c.quiet, 1);
	assert_int_equal(c.debug, 0);
	assert_string_equal(c.fleet, "prod");
	assert_string_equal(c.plan_format, "json");
	assert_int_equal(c.output_json, 1);
	assert_string_equal(c.output_file, "o.json");
	assert_string_equal(c.color, "never");
	assert_string_equal(c.info_since_date, "01/01/2020 10:00");
	assert_string_equal(c.info_until_date, "02/01/2020 10:00");
	assert_string_equal(c.info_since_version, "2");
	assert_string_equal(c.info_until_version, "5");
	assert_string_equal(c.info_of_state, "success");
	assert_int_equal(c.migration_ids, 1);
	fw_config_release(&c);
}

static void test_env_config_files_and_encoding(void **state)
{
	struct run r;
	struct fw_config c;
	const struct toml_value *v;
	write_file("ci.toml", "[flyway]\ntable = \"from_ci\"\n");
	load_ok(&r, NOARGS, ARGS("FLYWAY_CONFIG_FILES=ci.toml", "FLYWAY_SCHEMAS=x,y"));
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.table, "from_ci");
	assert_list(&c.schemas, ARGS("x", "y"));
	fw_config_release(&c);
	v = toml_get_path(fw_settings_root(r.s), "flyway.table");
	assert_non_null(v);
	assert_non_null(strstr(fw_settings_source_of(r.s, v), "ci.toml:2:9"));
	assert_null(fw_settings_source_of(r.s, NULL));
	run_release(&r);

	/* ISO-8859-1 .conf: a latin-1 byte becomes UTF-8 */
	write_file("latin.conf", "flyway.baselineDescription=caf\xe9\n");
	load_ok(&r, ARGS("-configFiles=latin.conf", "-configFileEncoding=ISO-8859-1"), NOENV);
	resolve_ok(&r, NULL, &c);
	assert_string_equal(c.baseline_description, "caf\xc3\xa9");
	fw_config_release(&c);
	run_release(&r);
	expect_load_error(ARGS("-configFiles=latin.conf", "-configFileEncoding=EBCDIC"), NOENV,
			  "Unsupported config file encoding: EBCDIC", NULL);
}

/* ---- resolvers ------------------------------------------------------------ */

static void test_resolvers(void **state)
{
	struct fw_config c;
	write_file("flyway.toml",
		   "[environments.default]\n"
		   "url = \"jdbc:postgresql://${env.FW_HOST}/app\"\n"
		   "password = \"${env.FW_PASS}\"\n"
		   "user = \"${env.FW_USER:a}\"\n"
		   "[flyway]\n"
		   "installedBy = \"  $${literal.ref}  \"\n"
		   "table = \"!{${env.NOT_RESOLVED}}\"\n"
		   "target = \"${placeholder.ver}\"\n"
		   "placeholderPrefix = \"${\"\n"
		   "[flyway.placeholders]\n"
		   "ver = \"${env.FW_VER}\"\n");
	config_of(NOARGS, ARGS("FW_HOST=db.example", "FW_PASS=hunter2-secret", "FW_USER=u-1_x", "FW_VER=7"), &c);
	assert_string_equal(c.url, "jdbc:postgresql://db.example/app");
	assert_string_equal(c.password, "hunter2-secret");
	assert_string_equal(c.user, "ux");
	assert_string_equal(c.installed_by, "${literal.ref}");
	assert_string_equal(c.table, "${env.NOT_RESOLVED}");
	assert_string_equal(c.target, "7");
	assert_string_equal(c.placeholder_prefix, "${");
	fw_config_release(&c);
}

static void test_resolver_errors(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	write_file("flyway.toml",
		   "[environments.default]\n"
		   "url = \"jdbc:sqlite:x\"\n"
		   "\n"
		   "password = \"${env.FW_MISSING_VAR}\"\n");
	expect_resolve_error(NOARGS, NOENV, "Unable to resolve environment variable: 'FW_MISSING_VAR'",
			     "flyway.toml:4:", &err);
	assert_non_null(strstr(err.detail.buf, "environments.default.password"));
	fw_error_clear(&err);

	write_file("flyway.toml", "[flyway]\ntable = \"${env.A_${env.B}}\"\n");
	expect_resolve_error(NOARGS, ARGS("A_=1", "B=2"), "Resolvers cannot be nested", "flyway.toml:2:", NULL);

	write_file("flyway.toml", "[flyway]\ntable = \"${vault.key}\"\n");
	expect_resolve_error(NOARGS, NOENV, "Resolver 'vault' is not supported", NULL, NULL);
	write_file("flyway.toml", "[flyway]\ntable = \"${nope.key}\"\n");
	expect_resolve_error(NOARGS, NOENV, "Unknown resolver 'nope' for environment default", NULL, NULL);
	write_file("flyway.toml", "[flyway]\ntable = \"${placeholder.flyway:user}\"\n");
	expect_resolve_error(NOARGS, NOENV, "Only user defined placeholders are supported", NULL, NULL);
}

/* ---- errors ------------------------------------------------------------- */

static void test_unknown_and_wrong_type(void **state)
{
	struct run r;
	write_file("flyway.toml", "[flyway]\nlocations = [\"sql\"]\ncleanDisabld = false\n");
	assert_int_equal(try_load(&r, NOARGS, NOENV), -1);
	assert_string_equal(r.err.message.buf, "Unknown configuration property: flyway.cleanDisabld");
	assert_non_null(strstr(r.err.detail.buf, "flyway.toml:3:"));
	assert_non_null(strstr(r.err.hint.buf, "Did you mean 'flyway.cleanDisabled'?"));
	assert_int_equal(r.err.exit_code, FW_EXIT_USAGE);
	assert_string_equal(r.err.code, "CONFIGURATION");
	run_release(&r);

	write_file("flyway.toml", "[environments.dev]\nurl = \"jdbc:sqlite:x\"\nconnectRetries = \"x\"\n");
	assert_int_equal(try_load(&r, NOARGS, NOENV), -1);
	assert_string_equal(r.err.message.buf,
			    "Invalid value for environments.dev.connectRetries (should be an integer): x");
	assert_non_null(strstr(r.err.detail.buf, "flyway.toml:3:18"));
	run_release(&r);

	write_file("flyway.toml", "[flyway]\ncleanDisabled = \"maybe\"\n");
	expect_load_error(NOARGS, NOENV, "Invalid value for flyway.cleanDisabled (should be either true or false): maybe",
			  "flyway.toml:2:17");
	write_file("flyway.toml", "[flyway]\nlocations = 5\n");
	expect_load_error(NOARGS, NOENV, "Invalid value for flyway.locations (should be a list of strings)", NULL);
	write_file("flyway.toml", "[flyway]\nurl = \"jdbc:sqlite:x\"\n");
	expect_load_error(NOARGS, NOENV, "Unknown configuration property: flyway.url", NULL);
	write_file("flyway.toml", "[flyway]\ncleanOnValidationError = true\n");
	expect_load_error(NOARGS, NOENV, "Removed: flyway.cleanOnValidationError", NULL);
	write_file("flyway.toml", "[environments.dev.flyway]\nenvironment = \"x\"\n");
	expect_load_error(NOARGS, NOENV, "environments.dev.flyway.environment cannot be overridden per environment",
			  NULL);
	write_file("flyway.toml", "[flyway\n");
	expect_load_error(NOARGS, NOENV, "Error parsing config file", "flyway.toml:1:");
	write_file("flyway.toml", "[flyway]\n[flyway.placeholders]\n\"flyway:user\" = \"x\"\n");
	expect_resolve_error(NOARGS, NOENV, "Invalid placeholder ('flyway:' prefix is reserved): flyway:user", NULL,
			     NULL);

	/* unknown keys of an environment are an error too (Flyway only warns) */
	write_file("flyway.toml", "[environments.dev]\nurl = \"jdbc:sqlite:x\"\nusr = \"me\"\n");
	assert_int_equal(try_load(&r, NOARGS, NOENV), -1);
	assert_string_equal(r.err.message.buf, "Unknown configuration property: environments.dev.usr");
	assert_non_null(strstr(r.err.detail.buf, "flyway.toml:3:"));
	assert_non_null(strstr(r.err.hint.buf, "Did you mean 'environments.dev.user'?"));
	assert_int_equal(r.err.exit_code, FW_EXIT_USAGE);
	run_release(&r);

	/* unknown flag keys name the flag, not its value */
	expect_load_error(ARGS("-pasword=topsecret"), NOENV, "Unknown configuration property: flyway.pasword",
			  "command line -pasword");
}

/* what a value means beyond its type: versions, targets, counts, names, URLs,
 * location prefixes; each an error with where it was set, exit status 2 */
static void test_value_meaning(void **state)
{
	struct fw_config c;
	struct fw_error err = FW_ERROR_INIT;
	static const char *const bad_versions[] = { "abc", "1.x", " ", "", "1..2", "latest", NULL };
	for (int i = 0; bad_versions[i]; i++) {
		char flag[64];
		snprintf(flag, sizeof(flag), "-baselineVersion=%s", bad_versions[i]);
		expect_resolve_error(ARGS(flag), NOENV, "Version may only contain 0..9 and . (dot). Invalid version: ",
				     "command line -baselineVersion", &err);
		assert_int_equal(err.exit_code, FW_EXIT_USAGE);
		assert_string_equal(err.code, "CONFIGURATION");
		fw_error_clear(&err);
	}
	write_file("flyway.toml", "[flyway]\n\nbaselineVersion = \"1.x\"\n");
	expect_resolve_error(NOARGS, NOENV, "Invalid version: 1.x", "flyway.toml:3:", NULL);
	remove(in_tmp("flyway.toml"));
	config_of(ARGS("-baselineVersion=2_1", "-target=5?", "-infoSinceVersion=1.0"), NOENV, &c);
	assert_string_equal(c.baseline_version, "2_1");
	assert_string_equal(c.target, "5?");
	fw_config_release(&c);
	config_of(ARGS("-target=current"), NOENV, &c);
	fw_config_release(&c);
	config_of(ARGS("-target="), NOENV, &c);   /* empty: latest, as before */
	fw_config_release(&c);
	expect_resolve_error(ARGS("-target=abc"), NOENV, "Invalid version: abc", "command line -target", NULL);
	expect_resolve_error(ARGS("-target=1.x?"), NOENV, "Invalid version: 1.x", NULL, NULL);
	expect_resolve_error(ARGS("-infoUntilVersion=v2"), NOENV, "Invalid version: v2", "command line -infoUntilVersion",
			     NULL);

	expect_resolve_error(ARGS("-table="), NOENV, "Invalid value for flyway.table (should not be empty)",
			     "command line -table", NULL);
	expect_resolve_error(ARGS("-table= "), NOENV, "(should not be empty)", NULL, NULL);
	expect_resolve_error(ARGS("-connectRetries=-1"), NOENV,
			     "Invalid number of connectRetries (must be 0 or greater): -1", "command line -connectRetries",
			     NULL);
	expect_resolve_error(ARGS("-connectRetriesInterval=-5"), NOENV,
			     "Invalid number for connectRetriesInterval (must be 0 or greater): -5", NULL, NULL);
	expect_resolve_error(ARGS("-lockRetryCount=-2"), NOENV,
			     "Invalid number of lockRetryCount (must be -1 or greater): -2", NULL, NULL);
	config_of(ARGS("-lockRetryCount=-1", "-connectRetries=0"), NOENV, &c);
	assert_int_equal(c.lock_retry_count, -1);
	fw_config_release(&c);

	/* a URL no driver reads: a configuration error, found before connecting */
	write_file("flyway.toml", "[environments.default]\nurl = \"jdbc:sqlit:/tmp/x.db\"\n");
	expect_resolve_error(NOARGS, NOENV, "unsupported database URL 'jdbc:sqlit:/tmp/x.db'", "flyway.toml:2:", &err);
	assert_int_equal(err.exit_code, FW_EXIT_USAGE);
	fw_error_clear(&err);
	remove(in_tmp("flyway.toml"));
	expect_resolve_error(ARGS("-url=jdbc:mysql:db"), NOENV, "missing '//' after the scheme", "command line -url", &err);
	assert_int_equal(err.exit_code, FW_EXIT_USAGE);
	fw_error_clear(&err);

	/* locations: filesystem: and classpath: only */
	expect_resolve_error(ARGS("-locations=sql,s3:bucket/sql"), NOENV,
			     "Unknown prefix for location (should be one of filesystem:, classpath:): s3:bucket/sql",
			     "command line -locations", &err);
	assert_non_null(strstr(err.hint.buf, "s3: and gcs:"));
	fw_error_clear(&err);
	expect_resolve_error(ARGS("-callbackLocations=filesytem:cb"), NOENV, "Unknown prefix for location", NULL, NULL);
	config_of(ARGS("-locations=classpath:db/migration,sql"), NOENV, &c);
	assert_int_equal(c.locations.nr, 2);
	fw_config_release(&c);
}

/* -configFiles / FLYWAY_CONFIG_FILES naming a missing file, and a missing
 * -workingDirectory, stop before anything runs (Flyway: "Unable to load config file") */
static void test_missing_files_and_workdir(void **state)
{
	char want[600];
	snprintf(want, sizeof(want), "Unable to load config file: %s/missing.toml", tmp);
	write_file("ok.toml", "[flyway]\ntable = \"t\"\n");
	expect_load_error(ARGS("-configFiles=ok.toml,missing.toml"), NOENV, want, "command line -configFiles");
	expect_load_error(NOARGS, ARGS("FLYWAY_CONFIG_FILES=missing.toml"), want,
			  "environment variable FLYWAY_CONFIG_FILES");
	snprintf(want, sizeof(want), "Unable to load config file: %s/missing.conf", tmp);
	expect_load_error(ARGS("-configFiles=missing.conf"), NOENV, want, NULL);
	expect_load_error(ARGS("-workingDirectory=nowhere"), NOENV, "Invalid working directory: ", "-workingDirectory");
	expect_load_error(ARGS("-workingDirectory=ok.toml"), NOENV, "Invalid working directory: ", "not a directory");
}

/* an unknown key is an error wherever it is written */
static void test_unknown_everywhere(void **state)
{
	struct run r;
	struct fw_error err = FW_ERROR_INIT;
	struct fw_config c;

	/* check's own keys are in the key table */
	expect_load_error(ARGS("check", "-code", "-check.code.failOnErorr=true"), NOENV,
			  "Unknown configuration property: flyway.check.code.failOnErorr", NULL);
	assert_int_equal(try_load(&r, ARGS("check", "-code", "-failOnErorr=true"), NOENV), -1);
	assert_string_equal(r.err.message.buf, "Unknown configuration property: flyway.check.failOnErorr");
	assert_non_null(strstr(r.err.hint.buf, "Did you mean 'flyway.check.code.failOnError'?"));
	run_release(&r);
	expect_load_error(ARGS("-check.code.failOnError=maybe"), NOENV,
			  "Invalid value for flyway.check.code.failOnError (should be either true or false): maybe", NULL);
	write_file("flyway.toml", "[flyway.check]\nrulesDialect = \"postgres\"\nrulesLocatoin = \"r\"\n");
	expect_load_error(NOARGS, NOENV, "Unknown configuration property: flyway.check.rulesLocatoin", "flyway.toml:3:");
	write_file("flyway.toml", "[flyway.check]\nmajorRules = \"x\"\n");
	expect_load_error(NOARGS, NOENV, "Removed: flyway.check.majorRules", NULL);
	write_file("flyway.toml", "[environments.e.flyway.check]\nrulesDialect = \"sqlite\"\n");
	expect_load_error(NOARGS, NOENV, "cannot be overridden per environment", NULL);
	write_file("flyway.toml", "[flyway.check.code]\nfailOnError = true\n[flyway.check]\nrulesDialect = \"sqlite\"\n");
	load_ok(&r, ARGS("check", "-code", "-rulesLocation=rules", "-scope=all"), NOENV);
	run_release(&r);
	remove(in_tmp("flyway.toml"));

	/* environments: every key checked, from files, flags and variables */
	expect_load_error(ARGS("-environments.dev.usr=me"), NOENV, "Unknown configuration property: environments.dev.usr",
			  "command line -environments.dev.usr");
	expect_load_error(NOARGS, ARGS("environments_dev_usr=me"), "environments.dev.usr",
			  "environment variable environments_dev_usr");
	write_file("flyway.toml", "[environments.dev]\nlocations = [\"sql\"]\n");
	assert_int_equal(try_load(&r, NOARGS, NOENV), -1);
	assert_non_null(strstr(r.err.hint.buf, "put it under [environments.dev.flyway]"));
	run_release(&r);

	/* a root table that misspells one read here; other tools' tables stay allowed */
	write_file("flyway.toml", "[flyawy]\ntable = \"t\"\n");
	expect_load_error(NOARGS, NOENV, "Unknown configuration section: flyawy", "flyway.toml:1:");
	write_file("flyway.toml", "[environment.dev]\nurl = \"jdbc:sqlite:x\"\n");
	expect_load_error(NOARGS, NOENV, "Unknown configuration section: environment", NULL);
	write_file("flyway.toml", "[redgateCompare]\nx = 1\n[flywayDesktop]\ny = 2\n");
	load_ok(&r, NOARGS, NOENV);
	run_release(&r);
	remove(in_tmp("flyway.toml"));

	/* FLYWAY_* variables: a near miss of one, or a key's name Flyway does not read */
	expect_load_error(NOARGS, ARGS("FLYWAY_LOCATOINS=sql"), "Unknown environment variable: FLYWAY_LOCATOINS",
			  "environment variable FLYWAY_LOCATOINS");
	write_file("ci.toml", "[flyway]\ntable = \"t\"\n");
	assert_int_equal(try_load(&r, NOARGS, ARGS("FLYWAY_CONFIG_FILE=ci.toml")), -1);
	assert_non_null(strstr(r.err.hint.buf, "Did you mean FLYWAY_CONFIG_FILES?"));
	run_release(&r);
	load_ok(&r, NOARGS, ARGS("FLYWAY_CONFIG_FILES=ci.toml", "FLYWAY_CONFIG_FILE_ENCODING=UTF-8"));
	run_release(&r);
	assert_int_equal(try_load(&r, NOARGS, ARGS("FLYWAY_ENVIRONMENT=prod")), -1);
	assert_non_null(strstr(r.err.message.buf, "FLYWAY_ENVIRONMENT"));
	assert_non_null(strstr(r.err.hint.buf, "flyway_environment"));
	run_release(&r);
	/* other variables are not configuration, as in Flyway */
	load_ok(&r, NOARGS, ARGS("FLYWAY_HOME=/opt/flyway", "FLYWAY_VERSION=10.1", "FLYWAY_EDITION=oss",
				 "FLYWAY_ORACLE_SQLPLUS=true", "FLYWAY_PLUGINS=x", "FLYWAY_TOKEN=tok"));
	resolve_ok(&r, NULL, &c);
	fw_config_release(&c);
	run_release(&r);
	fw_error_clear(&err);
}

static void test_command_line_syntax(void **state)
{
	struct run r;
	expect_load_error(ARGS("-url", "jdbc:sqlite:x", "migrate"), NOENV, "Invalid flag: -url", NULL);
	expect_load_error(ARGS("-url", "=", "x"), NOENV, "Invalid configuration argument: -url", NULL);
	expect_load_error(ARGS("-outputType=xml", "info"), NOENV,
			  "'xml' is an invalid value for the -outputType option. Use 'json'.", NULL);
	expect_load_error(ARGS("-color=red"), NOENV,
			  "'red' is an invalid value for the -color option. Use 'always', 'never', or 'auto'.", NULL);

	load_ok(&r, ARGS("", "migrate", "-X", "info", "--help", "-v", "help", "validate"), NOENV);
	assert_list(&r.args.commands, ARGS("migrate", "info", "validate"));
	assert_list(&r.args.flags, ARGS("X"));
	assert_true(r.args.want_help);
	assert_true(r.args.want_version);
	run_release(&r);
}

static void test_connect_retries_flag_error(void **state)
{
	expect_load_error(ARGS("-connectRetries=x"), NOENV,
			  "Invalid value for environments.default.connectRetries (should be an integer): x",
			  "command line -connectRetries");
	/* a value that only a resolver makes wrong fails when resolved */
	expect_resolve_error(ARGS("-connectRetries=${env.N}"), ARGS("N=lots"),
			     "Invalid value for environments.default.connectRetries (should be an integer): lots",
			     "command line -connectRetries", NULL);
}

/* ---- secrets ------------------------------------------------------------- */

static void test_password_never_shown(void **state)
{
	struct run r;
	struct fw_config c;
	struct strbuf dump = STRBUF_INIT, text = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	redact_reset();
	write_file("flyway.toml",
		   "[environments.default]\n"
		   "url = \"jdbc:postgresql://bob:url-pass-123@h/db?password=q-pass-456&ssl=true\"\n"
		   "password = \"${env.PW}\"\n"
		   "[environments.default.jdbcProperties]\n"
		   "accessToken = \"tok-789\"\n");
	load_ok(&r, NOARGS, ARGS("PW=env-pass-000"));
	resolve_ok(&r, NULL, &c);
	fw_config_dump(&c, &dump);
	assert_null(strstr(dump.buf, "env-pass-000"));
	assert_null(strstr(dump.buf, "url-pass-123"));
	assert_null(strstr(dump.buf, "q-pass-456"));
	assert_null(strstr(dump.buf, "tok-789"));
	assert_non_null(strstr(dump.buf, "password = ***"));
	assert_non_null(strstr(dump.buf, "table = flyway_schema_history"));
	/* registered: any error text that carried them would be masked */
	fw_errorf(&err, "X", "failed with env-pass-000 and url-pass-123 and q-pass-456 and tok-789");
	fw_error_format(&err, &text);
	assert_null(strstr(text.buf, "pass-"));
	assert_null(strstr(text.buf, "tok-789"));
	fw_error_clear(&err);
	fw_config_release(&c);
	run_release(&r);
	strbuf_release(&dump);
	strbuf_release(&text);

	/* a password given as a flag that also breaks something else */
	redact_reset();
	assert_int_equal(try_load(&r, ARGS("-password=flag-pass-111", "-connectRetries=bad"), NOENV), -1);
	strbuf_reset(&text);
	fw_error_format(&r.err, &text);
	assert_non_null(strstr(text.buf, "connectRetries"));
	assert_null(strstr(text.buf, "flag-pass-111"));
	run_release(&r);
	/* a password that is the wrong kind of value is not echoed either */
	write_file("flyway.toml", "[environments.default]\npassword = [\"list-pass-222\"]\n");
	assert_int_equal(try_load(&r, NOARGS, NOENV), -1);
	strbuf_reset(&text);
	fw_error_format(&r.err, &text);
	assert_non_null(strstr(text.buf, "environments.default.password"));
	assert_null(strstr(text.buf, "list-pass-222"));
	run_release(&r);
	strbuf_release(&text);
}

/* ---- threads ------------------------------------------------------------- */

struct thread_arg {
	const struct fw_settings *s;
	const char *env;
	int ok;
};

static void *resolve_many(void *p)
{
	struct thread_arg *a = p;
	a->ok = 1;
	for (int i = 0; i < 200; i++) {
		struct fw_config c;
		struct fw_error err = FW_ERROR_INIT;
		if (fw_config_resolve(a->s, a->env, &c, &err) < 0) {
			a->ok = 0;
			fw_error_clear(&err);
			break;
		}
		if (strcmp(c.environment, a->env))
			a->ok = 0;
		fw_config_release(&c);
	}
	return NULL;
}

static void test_concurrent_resolve(void **state)
{
	struct run r;
	pthread_t t[4];
	struct thread_arg a[4];
	write_file("flyway.toml", ENVS_TOML);
	load_ok(&r, NOARGS, NOENV);
	for (int i = 0; i < 4; i++) {
		a[i].s = r.s;
		a[i].env = i % 2 ? "dev" : "Prod";
		assert_int_equal(pthread_create(&t[i], NULL, resolve_many, &a[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_true(a[i].ok);
	}
	run_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_files_and_workdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_conf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_flags_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_placeholders_vs_environment_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_vars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_namespaces_and_later_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_config_files_and_encoding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolvers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolver_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_wrong_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_meaning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_files_and_workdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_line_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_retries_flag_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_never_shown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_resolve, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
