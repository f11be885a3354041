/* Configuration exactly as Flyway reads it (reference section 8).
 *
 * Two steps, so that fleet mode can build one config per target from one load:
 *   fw_settings_load()   reads every source (default config files, -configFiles,
 *                        FLYWAY_* / flyway_* / environments_* variables, -key=value
 *                        flags) into one merged tree, validating keys against the
 *                        one table of known keys;
 *   fw_config_resolve()  produces the typed, resolved struct fw_config for one
 *                        environment (the selected one, or a named one), applying
 *                        [environments.X] connection keys, [environments.X.flyway]
 *                        overrides, ${env.X}/${placeholder.x} resolvers and defaults.
 * Precedence (highest wins): command line > environment variables > config files
 * (later files over earlier) > defaults. */
#ifndef FW_CONFIG_H
#define FW_CONFIG_H
#include "config/toml.h"
#include "util/error.h"
#include "util/strvec.h"

/* an ordered string map (placeholders, jdbcProperties) */
struct fw_kv {
	struct strvec keys;
	struct strvec values;
};
#define FW_KV_INIT { STRVEC_INIT, STRVEC_INIT }
void fw_kv_set(struct fw_kv *kv, const char *key, const char *value); /* replaces an existing key */
const char *fw_kv_get(const struct fw_kv *kv, const char *key);
void fw_kv_clear(struct fw_kv *kv);

/* The typed configuration of one target. Strings are owned (NULL = unset). */
struct fw_config {
	/* environment (connection) */
	char *environment;           /* selected environment name ("default" if none) */
	char *url;
	char *user;
	char *password;              /* registered with redact_register() when resolved */
	struct strvec schemas;
	int connect_retries;
	int connect_retries_interval;
	char *init_sql;
	struct fw_kv jdbc_properties;
	char *display_name;

	/* [flyway] keys */
	struct strvec locations;     /* as configured, e.g. "filesystem:sql" (already made absolute against workingDirectory) */
	struct strvec callback_locations;
	char *table;                 /* flyway_schema_history */
	char *tablespace;
	char *default_schema;
	int create_schemas;          /* true */
	char *encoding;              /* UTF-8 */
	int detect_encoding;
	int placeholder_replacement; /* true */
	char *placeholder_prefix;    /* ${ */
	char *placeholder_suffix;    /* } */
	char *placeholder_separator; /* : */
	char *script_placeholder_prefix; /* FP__ */
	char *script_placeholder_suffix; /* __ */
	struct fw_kv placeholders;
	char *sql_migration_prefix;            /* V */
	char *repeatable_sql_migration_prefix; /* R */
	char *baseline_migration_prefix;       /* B */
	char *undo_sql_migration_prefix;       /* U */
	char *sql_migration_separator;         /* __ */
	struct strvec sql_migration_suffixes;  /* .sql */
	int validate_migration_naming;
	int validate_on_migrate;     /* true */
	struct strvec ignore_migration_patterns; /* *:future */
	char *target;                /* latest */
	int out_of_order;
	int baseline_on_migrate;
	char *baseline_version;      /* 1 */
	char *baseline_description;  /* << Flyway Baseline >> */
	int clean_disabled;          /* true */
	int execute_in_transaction;  /* true */
	int mixed;
	int group;
	char *installed_by;
	int lock_retry_count;        /* 50 */
	int skip_executing_migrations;
	int output_query_results;    /* true */
	int fail_on_missing_locations;
	int skip_default_callbacks;
	char *dry_run_output;
	struct strvec cherry_pick;
	char *report_filename;
	int report_enabled;
	char *lock_timeout;          /* fleetway's lockTimeout, a duration ("5s"); NULL = none */
	char *statement_timeout;     /* statementTimeout */
	int pg_transactional_lock;   /* postgresql.transactional.lock, true */

	/* command line only */
	char *working_directory;     /* absolute; process cwd when not given */
	int output_json;             /* -outputType=json */
	char *output_file;
	char *color;                 /* auto|always|never */
	int debug;                   /* -X */
	int quiet;                   /* -q */
	char *info_since_date, *info_until_date, *info_since_version, *info_until_version, *info_of_state;
	int migration_ids;
	char *fleet;                 /* -fleet=NAME */
	char *confirm_clean;         /* -confirmClean=NAME: clean on fleet NAME is meant */
	int skip_gates;              /* -skipGates: a fleet's gates do not run (an emergency) */
	char *gate_wave;             /* -gateWave=N: the wave whose gates the gate command runs */
	char *plan_format;           /* -format= for fleet plan */
	/* switches given after a command that are scoped to it, without the dash:
	 * "check -code -drift" gives "code", "drift". Options with a value after it
	 * (check -rulesLocation=x) land in the settings tree as flyway.check.rulesLocation. */
	struct strvec command_flags;
	/* the merged settings this config was resolved from: keys without a field
	 * of their own (a verb's namespace, check.*) are read with fw_config_setting */
	const struct fw_settings *settings;

	/* warnings found while resolving, for the caller to print as WARNING: lines
	 * (e.g. "No locations configured and default location 'sql' not found.") */
	struct strvec warnings;
};

void fw_config_release(struct fw_config *c);

struct fw_settings; /* the merged, validated tree of every source */

/* Inputs: argv after the program name (flags and commands mixed, in Flyway's
 * syntax), the process environment, and the directories used for default files. */
struct fw_args {
	struct strvec commands;     /* migrate info validate ... in order */
	struct strvec flags;        /* "-key=value" as given, in order (without the leading '-') */
	int want_help;              /* -?, -h, --help, help */
	int want_version;           /* -v, --version */
};
#define FW_ARGS_INIT { STRVEC_INIT, STRVEC_INIT, 0, 0 }
/* split argv into commands and flags; "-key value" (no '=') is "Invalid flag" */
int fw_args_parse(int argc, const char *const *argv, struct fw_args *out, struct fw_error *err);
void fw_args_release(struct fw_args *a);

struct fw_settings_sources {
	const struct fw_args *args;
	const char *const *environ;  /* NULL-terminated "NAME=value" */
	const char *cwd;             /* process working directory */
	const char *home;            /* $HOME, may be NULL */
	const char *install_dir;     /* directory holding conf/ (may be NULL) */
};

int fw_settings_load(const struct fw_settings_sources *src, struct fw_settings **out,
		     struct fw_error *err);
void fw_settings_free(struct fw_settings *s);

/* Resolve the config for environment `env_name`, or for the selected one
 * (-environment=, [flyway] environment, "default") when env_name is NULL.
 * Errors: undefined environment ("Environment 'x' not found. Check that this
 * environment exists in your configuration."), unset ${env.X}, wrong types
 * (with file:line:col), ...
 * Connection settings given outside an environment (-url, FLYWAY_URL, flyway.url in
 * a .conf) are merged into the selected environment only, as Flyway does; resolving
 * another environment by name (fleet members) does not see them.
 * Read-only on s: may run in several threads at once. */
int fw_config_resolve(const struct fw_settings *s, const char *env_name, struct fw_config *out,
		      struct fw_error *err);
/* The same for one target of a fleet: connection settings given outside an
 * environment (-initSql, -schemas, FLYWAY_CONNECT_RETRIES, ...) apply to
 * every target, not only to the selected environment. */
int fw_config_resolve_member(const struct fw_settings *s, const char *env_name, struct fw_config *out,
			     struct fw_error *err);
/* A fleet refuses -url, -user, -password (and FLYWAY_URL, ...): they name
 * one database. The error says where it was given and the per-target form. */
int fw_settings_refuse_shared_credentials(const struct fw_settings *s, struct fw_error *err);

/* the merged document root (TOML shape: "flyway", "environments", and any other
 * root-level tables such as "fleets"), for code that reads its own sections.
 * Values from flags and environment variables are in it (as strings); the
 * -url style connection settings and command-line-only options are not. */
const struct toml_value *fw_settings_root(const struct fw_settings *s);
/* a [flyway] key without a field in struct fw_config ("check.rulesDialect"),
 * as the merged settings hold it: a string (flags and variables are text) or
 * a TOML value; NULL when not set. The key table has validated its type. */
const char *fw_config_setting(const struct fw_config *c, const char *key);
/* the same as a boolean: "true"/"false" or a TOML boolean, else dflt */
int fw_config_setting_bool(const struct fw_config *c, const char *key, int dflt);
/* the same as a list: a TOML array of strings or comma-separated text (empty items dropped) */
void fw_config_setting_list(const struct fw_config *c, const char *key, struct strvec *out);
/* names of all defined environments, in definition order */
void fw_settings_environments(const struct fw_settings *s, struct strvec *out);
/* where a merged value came from, e.g. "flyway.toml:12:8", "environment variable FLYWAY_URL",
 * "command line -url" (for error messages); NULL if unknown */
const char *fw_settings_source_of(const struct fw_settings *s, const struct toml_value *v);

/* warnings found while loading (FLYWAY_X and flyway_x both set), for the caller
 * to print once as WARNING: lines; the resolved config's own are in fw_config.warnings */
const struct strvec *fw_settings_warnings(const struct fw_settings *s);
/* true when legacy flyway.conf files were read instead of TOML */
int fw_settings_is_legacy(const struct fw_settings *s);
/* the selected environment: -environment=, flyway_environment, [flyway] environment, else "default" */
const char *fw_settings_selected_environment(const struct fw_settings *s);

/* debug dump of the effective config (-X): passwords and secrets shown as "***" */
void fw_config_dump(const struct fw_config *c, struct strbuf *out);

#endif
