/* The one table of configuration keys (reference 8.4, 8.5, 8.7).
 *
 * Everything about a key lives in its row: where it may be written, its type,
 * its default (as text, so defaults go through the same parser as user input),
 * where its value lands in struct fw_config, whether it is a secret. TOML
 * [flyway] and [environments.X] validation, legacy flyway.x keys, FLYWAY_X
 * variables, -x flags and the debug dump are all driven from here. */
#include "config/internal.h"
#include "util/strbuf.h"
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#define F(field) offsetof(struct fw_config, field)
#define NF KEY_NO_FIELD

/* common flag sets */
#define FLY (KF_FLYWAY | KF_ENVVAR)          /* a [flyway] key with a FLYWAY_X variable */
#define CONN (KF_CONN | KF_ENVVAR)           /* a connection key with a FLYWAY_X variable */
#define CLI KF_CLI

const struct fw_key fw_keys[] = {
	/* environment (connection) keys: [environments.X], or merged into the selected environment */
	{ "url", KT_STRING, NULL, F(url), CONN | KF_URL, NULL, NULL },
	{ "user", KT_STRING, NULL, F(user), CONN, NULL, NULL },
	{ "password", KT_STRING, NULL, F(password), CONN | KF_SECRET, NULL, NULL },
	{ "driver", KT_STRING, NULL, NF, CONN, NULL, NULL },
	{ "schemas", KT_LIST, NULL, F(schemas), CONN, NULL, NULL },
	{ "connectRetries", KT_INT, "0", F(connect_retries), CONN | KF_NOT_NEGATIVE, NULL, NULL },
	{ "connectRetriesInterval", KT_INT, "120", F(connect_retries_interval), CONN | KF_NOT_NEGATIVE, NULL, NULL },
	{ "initSql", KT_STRING, NULL, F(init_sql), CONN, NULL, NULL },
	/* FLYWAY_JDBC_PROPERTIES_<NAME> is handled by name, not through the table */
	{ "jdbcProperties", KT_MAP, NULL, F(jdbc_properties), KF_CONN, NULL, NULL },
	{ "displayName", KT_STRING, NULL, F(display_name), KF_CONN, NULL, NULL },
	{ "provisioner", KT_STRING, NULL, NF, KF_CONN, NULL, NULL },
	{ "resolvers", KT_TABLE, NULL, NF, KF_CONN, NULL, NULL },
	{ "jarDirs", KT_LIST, NULL, NF, CONN | KF_FLYWAY, NULL, NULL },

	/* [flyway] keys used by fleetway */
	{ "environment", KT_STRING, "default", NF, KF_FLYWAY | KF_NO_OVERRIDE, NULL, NULL },
	{ "locations", KT_LIST, NULL, F(locations), FLY | KF_LOCATIONS, NULL, NULL },
	{ "callbackLocations", KT_LIST, NULL, F(callback_locations), FLY | KF_LOCATIONS, NULL, NULL },
	{ "table", KT_STRING, "flyway_schema_history", F(table), FLY | KF_NOT_EMPTY, NULL, NULL },
	{ "tablespace", KT_STRING, NULL, F(tablespace), FLY, NULL, NULL },
	{ "defaultSchema", KT_STRING, NULL, F(default_schema), FLY, NULL, NULL },
	{ "createSchemas", KT_BOOL, "true", F(create_schemas), FLY, NULL, NULL },
	{ "encoding", KT_STRING, "UTF-8", F(encoding), FLY, NULL, NULL },
	{ "detectEncoding", KT_BOOL, "false", F(detect_encoding), FLY, NULL, NULL },
	{ "placeholderReplacement", KT_BOOL, "true", F(placeholder_replacement), FLY, NULL, NULL },
	{ "placeholderPrefix", KT_STRING, "${", F(placeholder_prefix), FLY, NULL, NULL },
	{ "placeholderSuffix", KT_STRING, "}", F(placeholder_suffix), FLY, NULL, NULL },
	{ "placeholderSeparator", KT_STRING, ":", F(placeholder_separator), FLY, NULL, NULL },
	{ "scriptPlaceholderPrefix", KT_STRING, "FP__", F(script_placeholder_prefix), FLY, NULL, NULL },
	{ "scriptPlaceholderSuffix", KT_STRING, "__", F(script_placeholder_suffix), FLY, NULL, NULL },
	/* FLYWAY_PLACEHOLDERS_<NAME> is handled by name */
	{ "placeholders", KT_MAP, NULL, F(placeholders), KF_FLYWAY, NULL, NULL },
	{ "sqlMigrationPrefix", KT_STRING, "V", F(sql_migration_prefix), FLY, NULL, NULL },
	{ "repeatableSqlMigrationPrefix", KT_STRING, "R", F(repeatable_sql_migration_prefix), FLY, NULL, NULL },
	{ "baselineMigrationPrefix", KT_STRING, "B", F(baseline_migration_prefix), FLY, NULL, NULL },
	{ "undoSqlMigrationPrefix", KT_STRING, "U", F(undo_sql_migration_prefix), FLY | KF_NO_OVERRIDE, NULL, NULL },
	{ "sqlMigrationSeparator", KT_STRING, "__", F(sql_migration_separator), FLY, NULL, NULL },
	{ "sqlMigrationSuffixes", KT_LIST, ".sql", F(sql_migration_suffixes), FLY, NULL, NULL },
	{ "validateMigrationNaming", KT_BOOL, "false", F(validate_migration_naming), FLY, NULL, NULL },
	{ "validateOnMigrate", KT_BOOL, "true", F(validate_on_migrate), FLY, NULL, NULL },
	{ "ignoreMigrationPatterns", KT_LIST, "*:future", F(ignore_migration_patterns), FLY, NULL, NULL },
	{ "target", KT_STRING, "latest", F(target), FLY | KF_TARGET, NULL, NULL },
	{ "outOfOrder", KT_BOOL, "false", F(out_of_order), FLY, NULL, NULL },
	{ "baselineOnMigrate", KT_BOOL, "false", F(baseline_on_migrate), FLY, NULL, NULL },
	{ "baselineVersion", KT_STRING, "1", F(baseline_version), FLY | KF_VERSION, NULL, NULL },
	{ "baselineDescription", KT_STRING, "<< Flyway Baseline >>", F(baseline_description), FLY, NULL, NULL },
	{ "cleanDisabled", KT_BOOL, "true", F(clean_disabled), FLY, NULL, NULL },
	{ "executeInTransaction", KT_BOOL, "true", F(execute_in_transaction), FLY, NULL, NULL },
	{ "mixed", KT_BOOL, "false", F(mixed), FLY, NULL, NULL },
	{ "group", KT_BOOL, "false", F(group), FLY, NULL, NULL },
	{ "installedBy", KT_STRING, NULL, F(installed_by), FLY, NULL, NULL },
	{ "lockRetryCount", KT_INT, "50", F(lock_retry_count), FLY | KF_RETRY_COUNT, NULL, NULL },
	{ "skipExecutingMigrations", KT_BOOL, "false", F(skip_executing_migrations), FLY, NULL, NULL },
	{ "outputQueryResults", KT_BOOL, "true", F(output_query_results), FLY, NULL, NULL },
	{ "failOnMissingLocations", KT_BOOL, "false", F(fail_on_missing_locations), FLY, NULL, NULL },
	{ "skipDefaultCallbacks", KT_BOOL, "false", F(skip_default_callbacks), FLY, NULL, NULL },
	{ "dryRunOutput", KT_STRING, NULL, F(dry_run_output), FLY | KF_PATH, "FLYWAY_DRYRUN_OUTPUT", NULL },
	{ "cherryPick", KT_LIST, NULL, F(cherry_pick), FLY | KF_NO_OVERRIDE, NULL, NULL },
	{ "reportFilename", KT_STRING, "report", F(report_filename), FLY | KF_PATH, NULL, NULL },
	/* fleetway's: limits for each migration (also per script in its .conf) */
	{ "lockTimeout", KT_STRING, NULL, F(lock_timeout), FLY | KF_DURATION, NULL, NULL },
	{ "statementTimeout", KT_STRING, NULL, F(statement_timeout), FLY | KF_DURATION, NULL, NULL },
	{ "reportEnabled", KT_BOOL, "false", F(report_enabled), FLY, NULL, NULL },
	{ "postgresql.transactional.lock", KT_BOOL, "true", F(pg_transactional_lock), FLY | KF_NO_OVERRIDE, NULL, NULL },
	/* outputType is a [flyway] key in Flyway too; only "json" is valid */
	{ "outputType", KT_STRING, NULL, NF, KF_FLYWAY | KF_NO_OVERRIDE, NULL, NULL },

	/* [flyway] keys accepted so that existing projects load, but without effect here
	 * (Java class names, Teams/Enterprise features, licensing) */
	{ "callbacks", KT_LIST, NULL, NF, FLY, NULL, NULL },
	{ "migrationResolvers", KT_LIST, NULL, NF, KF_FLYWAY, NULL, NULL },
	{ "resolvers", KT_LIST, NULL, NF, FLY, NULL, NULL },  /* old name of migrationResolvers */
	{ "skipDefaultResolvers", KT_BOOL, "false", NF, FLY, NULL, NULL },
	{ "batch", KT_BOOL, "false", NF, FLY, NULL, NULL },
	{ "stream", KT_BOOL, "false", NF, FLY, NULL, NULL },
	{ "errorOverrides", KT_LIST, NULL, NF, FLY, NULL, NULL },
	{ "communityDBSupportEnabled", KT_BOOL, "true", NF, FLY, "FLYWAY_COMMUNITY_DB_SUPPORT_DISABLED", NULL },
	{ "kerberosConfigFile", KT_STRING, NULL, NF, FLY, NULL, NULL },
	{ "loggers", KT_LIST, NULL, NF, FLY, NULL, NULL },
	{ "powershellExecutable", KT_STRING, NULL, NF, FLY, NULL, NULL },
	{ "provisionMode", KT_STRING, NULL, NF, KF_FLYWAY, NULL, NULL },
	{ "environmentProvisionMode", KT_STRING, NULL, NF, KF_FLYWAY, NULL, NULL },
	{ "failOnMissingTarget", KT_BOOL, "false", NF, KF_FLYWAY, NULL, NULL },
	{ "outputProgress", KT_BOOL, "false", NF, KF_FLYWAY | KF_NO_OVERRIDE, NULL, NULL },
	{ "email", KT_STRING, NULL, NF, FLY | KF_NO_OVERRIDE, NULL, NULL },
	{ "token", KT_STRING, NULL, NF, FLY | KF_NO_OVERRIDE | KF_SECRET, NULL, NULL },
	{ "licenseKey", KT_STRING, NULL, NF, FLY | KF_NO_OVERRIDE | KF_SECRET, NULL, NULL },
	/* [flyway.check] (Flyway's check namespace, reference 10): read by `check` from the
	 * settings tree. fleetway uses the code review's keys (code.*, rules*, regexEnabled,
	 * sqlfluffEnabled, scope, scriptFilename), rulesDialect, buildEnvironment,
	 * deployedSnapshot, nextSnapshot, appliedMigrations, failOnDrift and changesSource;
	 * the others belong to features it does not have (drift resolution scripts,
	 * filters) and are accepted so that existing projects load. Not per environment,
	 * as in Flyway. largeTableRows, maxMigrationSeconds and the rehearse* keys are
	 * fleetway's own. */
#define CHK (KF_FLYWAY | KF_NO_OVERRIDE)
	{ "check.code.failOnError", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "check.code.noqaSeverity", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.code.generateDriftResolutionScripts", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "check.rulesDialect", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.rulesLocation", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.rulesConfig", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.regexEnabled", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "check.sqlfluffEnabled", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "check.sqlfluffCustomRulesLocation", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.scope", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.buildEnvironment", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.buildUrl", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.buildUser", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.buildPassword", KT_STRING, NULL, NF, CHK | KF_SECRET, NULL, NULL },
	{ "check.changesSource", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.appliedMigrations", KT_LIST, NULL, NF, CHK, NULL, NULL },
	{ "check.deployedSnapshot", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.nextSnapshot", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.driftResolutionFolder", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.failOnDrift", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "check.filterFile", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.scriptFilename", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.largeTableRows", KT_INT, NULL, NF, CHK, NULL, NULL },
	{ "check.maxMigrationSeconds", KT_INT, NULL, NF, CHK, NULL, NULL },
	{ "check.rehearseEnvironment", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "check.rehearseOnTarget", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "check.majorTolerance", KT_STRING, NULL, NF, CHK | KF_REMOVED, NULL,
	  "removed from Flyway: code analysis rules are now configured in your SQLFluff configuration" },
	{ "check.minorTolerance", KT_STRING, NULL, NF, CHK | KF_REMOVED, NULL,
	  "removed from Flyway: code analysis rules are now configured in your SQLFluff configuration" },
	{ "check.majorRules", KT_STRING, NULL, NF, CHK | KF_REMOVED, NULL,
	  "removed from Flyway: code analysis rules are now configured in your SQLFluff configuration" },
	{ "check.minorRules", KT_STRING, NULL, NF, CHK | KF_REMOVED, NULL,
	  "removed from Flyway: code analysis rules are now configured in your SQLFluff configuration" },
	/* [flyway.snapshot] (Flyway's snapshot namespace): read by `snapshot` */
	{ "snapshot.filename", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "snapshot.source", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "snapshot.buildEnvironment", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "snapshot.buildVersion", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "snapshot.buildCherryPick", KT_LIST, NULL, NF, CHK, NULL, NULL },
	{ "snapshot.rebuild", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	/* diff, diffText, generate, model (Flyway's state-based commands, reference
	 * flyway-check-and-state.md): read by those operations from the settings tree */
	{ "schemaModelLocation", KT_STRING, NULL, NF, FLY, NULL, NULL },
	{ "schemaModelSchemas", KT_LIST, NULL, NF, FLY, NULL, NULL },
	{ "diff.source", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "diff.target", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "diff.buildEnvironment", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "diff.buildVersion", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "diff.buildCherryPick", KT_LIST, NULL, NF, CHK, NULL, NULL },
	{ "diff.rebuild", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "diff.artifactFilename", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "diff.snapshotSchemas", KT_LIST, NULL, NF, CHK, NULL, NULL },
	{ "diff.includeFlywayObjects", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "diffText.artifactFilename", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "diffText.changes", KT_LIST, NULL, NF, CHK, NULL, NULL },
	{ "generate.artifactFilename", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "generate.changes", KT_LIST, NULL, NF, CHK, NULL, NULL },
	{ "generate.types", KT_LIST, NULL, NF, CHK, NULL, NULL },
	{ "generate.location", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "generate.target", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "generate.version", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "generate.description", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "generate.timestamp", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "generate.force", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "generate.baselineFilename", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "generate.versionedFilename", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "generate.undoFilename", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "generate.usePlaceholders", KT_BOOL, NULL, NF, CHK, NULL, NULL },
	{ "model.artifactFilename", KT_STRING, NULL, NF, CHK, NULL, NULL },
	{ "model.changes", KT_LIST, NULL, NF, CHK, NULL, NULL },
#undef CHK
	{ "plugins", KT_TABLE, NULL, NF, KF_FLYWAY, NULL, NULL },
	{ "oracle", KT_TABLE, NULL, NF, KF_FLYWAY | KF_NO_OVERRIDE, NULL, NULL },
	{ "sqlserver", KT_TABLE, NULL, NF, KF_FLYWAY | KF_NO_OVERRIDE, NULL, NULL },
	{ "cleanOnValidationError", KT_BOOL, NULL, NF, KF_FLYWAY | KF_REMOVED, NULL,
	  "cleanOnValidationError was removed in Flyway 12: remove it, and run clean explicitly where wanted" },

	/* command line only (Flyway's CLI options and fleetway's own) */
	{ "workingDirectory", KT_STRING, NULL, F(working_directory), CLI, NULL, NULL },
	{ "configFiles", KT_LIST, NULL, NF, CLI | KF_ENVVAR, NULL, NULL },
	{ "configFileEncoding", KT_STRING, NULL, NF, CLI | KF_ENVVAR, NULL, NULL },
	{ "outputFile", KT_STRING, NULL, F(output_file), CLI, NULL, NULL },
	{ "color", KT_STRING, "auto", F(color), CLI, NULL, NULL },
	{ "confirmClean", KT_STRING, NULL, F(confirm_clean), CLI, NULL, NULL },
	{ "skipGates", KT_BOOL, "false", F(skip_gates), CLI, NULL, NULL },
	{ "gateWave", KT_STRING, NULL, F(gate_wave), CLI, NULL, NULL },
	{ "outputLogsInJson", KT_BOOL, "false", NF, CLI, NULL, NULL },
	{ "infoSinceDate", KT_STRING, NULL, F(info_since_date), CLI, NULL, NULL },
	{ "infoUntilDate", KT_STRING, NULL, F(info_until_date), CLI, NULL, NULL },
	{ "infoSinceVersion", KT_STRING, NULL, F(info_since_version), CLI | KF_VERSION, NULL, NULL },
	{ "infoUntilVersion", KT_STRING, NULL, F(info_until_version), CLI | KF_VERSION, NULL, NULL },
	{ "infoOfState", KT_STRING, NULL, F(info_of_state), CLI, NULL, NULL },
	{ "fleet", KT_STRING, NULL, F(fleet), CLI, NULL, NULL },
	{ "format", KT_STRING, NULL, F(plan_format), CLI, NULL, NULL },
	{ "X", KT_BOOL, "false", F(debug), CLI | KF_SWITCH, NULL, NULL },
	{ "q", KT_BOOL, "false", F(quiet), CLI | KF_SWITCH, NULL, NULL },
	{ "migrationIds", KT_BOOL, "false", F(migration_ids), CLI | KF_SWITCH, NULL, NULL },
	{ "skipCheckForUpdate", KT_BOOL, "false", NF, CLI | KF_SWITCH, NULL, NULL },
	{ "communityFallback", KT_BOOL, "false", NF, CLI | KF_SWITCH, NULL, NULL },
	{ "n", KT_BOOL, "false", NF, CLI | KF_SWITCH, NULL, NULL },
};
const size_t fw_nr_keys = sizeof(fw_keys) / sizeof(fw_keys[0]);

const struct fw_key *fw_key_find(const char *name, unsigned any_of)
{
	for (size_t i = 0; i < fw_nr_keys; i++)
		if ((fw_keys[i].flags & any_of) && !strcmp(fw_keys[i].name, name))
			return &fw_keys[i];
	return NULL;
}

int fw_key_is_namespace(const char *prefix, unsigned any_of)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < fw_nr_keys; i++)
		if ((fw_keys[i].flags & any_of) && !strncmp(fw_keys[i].name, prefix, n) &&
		    fw_keys[i].name[n] == '.')
			return 1;
	return 0;
}

/* how many edits a misspelling of an n-character name may have */
static size_t third_of(size_t n)
{
	return n / 3 ? n / 3 : 1;
}

/* camelCase and dots to SCREAMING_SNAKE: an underscore before each capital
 * that follows a lower-case letter or digit, and for each dot */
void fw_key_envvar(const struct fw_key *k, struct strbuf *out)
{
	if (k->envvar) {
		strbuf_addstr(out, k->envvar);
		return;
	}
	strbuf_addstr(out, "FLYWAY_");
	for (const char *p = k->name; *p; p++) {
		if (*p == '.') {
			strbuf_addch(out, '_');
			continue;
		}
		if (isupper((unsigned char)*p) && p > k->name &&
		    (islower((unsigned char)p[-1]) || isdigit((unsigned char)p[-1])))
			strbuf_addch(out, '_');
		strbuf_addch(out, toupper((unsigned char)*p));
	}
}

const struct fw_key *fw_key_by_envvar(const char *var)
{
	struct strbuf sb = STRBUF_INIT;
	const struct fw_key *found = NULL;
	for (size_t i = 0; i < fw_nr_keys && !found; i++) {
		if (!(fw_keys[i].flags & KF_ENVVAR))
			continue;
		strbuf_reset(&sb);
		fw_key_envvar(&fw_keys[i], &sb);
		if (!strcmp(sb.buf, var))
			found = &fw_keys[i];
	}
	strbuf_release(&sb);
	return found;
}

/* Variables Flyway reads for features fleetway does not have (licensing,
 * telemetry, Oracle and SQL Server, ...): ignored without a word, like Flyway
 * ignores every variable it does not know. */
static const char *const flyway_only_vars[] = {
	"FLYWAY_CALLER", "FLYWAY_CHECK_DRIFT_ON_MIGRATE", "FLYWAY_CONFIGURATIONS", "FLYWAY_DO_NOT_REDACT_URL",
	"FLYWAY_LOG_DEBUG_CONFIGURATION_MAP", "FLYWAY_NATIVE_CONNECTORS", "FLYWAY_NEW_REPORTS",
	"FLYWAY_NEXT_MAJOR_VERSION", "FLYWAY_OFFLINE_PERMIT_PATH", "FLYWAY_PLUGINS", "FLYWAY_PUBLISH_RESULT",
	"FLYWAY_SSL_AUTOCONFIGURATION", NULL,
};

static int flyway_only_var(const char *var)
{
	if (!strncmp(var, "FLYWAY_ORACLE_", 14) || !strncmp(var, "FLYWAY_SQL_SERVER_", 18))
		return 1;
	for (int i = 0; flyway_only_vars[i]; i++)
		if (!strcmp(flyway_only_vars[i], var))
			return 1;
	return 0;
}

/* An upper-case variable that is not one of Flyway's, but is meant as one:
 * the derived name of a key that has no such variable (FLYWAY_ENVIRONMENT:
 * *not_read is set), or a near miss of a variable (FLYWAY_LOCATOINS). */
const struct fw_key *fw_key_envvar_meant(const char *var, int *not_read)
{
	struct strbuf sb = STRBUF_INIT;
	const struct fw_key *best = NULL;
	size_t best_d = (size_t)-1, limit;
	*not_read = 0;
	if (strncmp(var, "FLYWAY_", 7) || flyway_only_var(var))
		return NULL;
	limit = third_of(strlen(var + 7));
	for (size_t i = 0; i < fw_nr_keys; i++) {
		const struct fw_key *k = &fw_keys[i];
		size_t d;
		if (!(k->flags & (KF_FLYWAY | KF_CONN | KF_ENVVAR)) || (k->flags & (KF_SWITCH | KF_REMOVED)))
			continue;
		strbuf_reset(&sb);
		fw_key_envvar(k, &sb);
		if (!(k->flags & KF_ENVVAR)) {
			if (!strcmp(sb.buf, var)) {
				*not_read = 1;
				best = k;
				break;
			}
			continue;
		}
		d = fw_edit_distance(sb.buf + 7, var + 7);
		if (d <= limit && d < best_d) {
			best = k;
			best_d = d;
		}
	}
	strbuf_release(&sb);
	return best;
}

size_t fw_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64 + 1];
	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static size_t first_part_len(const char *s)
{
	return strcspn(s, ".");
}

static const char *last_part(const char *s)
{
	const char *dot = strrchr(s, '.');
	return dot ? dot + 1 : s;
}

/* How far a misspelt name is from a key, or (size_t)-1 when not near: the
 * whole names within a third of the name's length (so "url" does not suggest
 * "user" for "xyz"), or, inside the same namespace, the last parts, so that
 * "check.failOnErorr" finds "check.code.failOnError". */
static size_t key_distance(const char *key, const char *name)
{
	size_t d = fw_edit_distance(key, name), best = (size_t)-1;
	size_t n = first_part_len(name);
	if (d <= third_of(strlen(name)))
		best = d;
	if (name[n] == '.' && first_part_len(key) == n && !strncasecmp(key, name, n)) {
		d = fw_edit_distance(last_part(key), last_part(name));
		if (d <= third_of(strlen(last_part(name))) && d < best)
			best = d;
	}
	return best;
}

/* A case-insensitive match wins; else the nearest key (see key_distance). */
const struct fw_key *fw_key_suggest(const char *name, unsigned any_of)
{
	const struct fw_key *best = NULL;
	size_t best_d = (size_t)-1;
	for (size_t i = 0; i < fw_nr_keys; i++) {
		size_t d;
		if (!(fw_keys[i].flags & any_of) || (fw_keys[i].flags & (KF_SWITCH | KF_REMOVED)))
			continue;
		if (!strcasecmp(fw_keys[i].name, name))
			return &fw_keys[i];
		d = key_distance(fw_keys[i].name, name);
		if (d < best_d) {
			best = &fw_keys[i];
			best_d = d;
		}
	}
	return best;
}

const char *fw_key_type_text(enum key_type t)
{
	switch (t) {
	case KT_BOOL: return "either true or false";
	case KT_INT: return "an integer";
	case KT_STRING: return "a string";
	case KT_LIST: return "a list of strings";
	case KT_MAP: return "a table of strings";
	case KT_TABLE: return "a table";
	}
	return "?";
}
