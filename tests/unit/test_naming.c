/* File-name grammar (reference sections 1.2, 1.3, 1.5). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "engine/naming.h"

/* parse with nm; expect success with `kind` */
static struct fw_parsed_name parse_as(const char *file, const struct fw_naming *nm,
				      enum fw_file_kind kind)
{
	struct fw_parsed_name p;
	struct fw_error err = FW_ERROR_INIT;
	int rc = fw_parse_name(file, nm, &p, &err);

	if (rc)
		print_error("%s: %s\n", file, err.message.buf);
	assert_int_equal(rc, 0);
	if (p.kind != kind)
		print_error("%s: kind %d, want %d\n", file, p.kind, kind);
	assert_int_equal(p.kind, kind);
	fw_error_clear(&err);
	return p;
}

static void expect_versioned(const char *file, const char *version, const char *desc)
{
	struct fw_parsed_name p = parse_as(file, NULL, FW_FILE_VERSIONED);
	assert_string_equal(fw_version_str(&p.version), version);
	assert_string_equal(p.description, desc);
	assert_int_equal(p.is_script, 0);
	assert_null(p.callback_event);
	fw_parsed_name_release(&p);
}

static void expect_invalid(const char *file, const struct fw_naming *nm, const char *message)
{
	struct fw_parsed_name p;
	struct fw_error err = FW_ERROR_INIT;

	assert_int_equal(fw_parse_name(file, nm, &p, &err), -1);
	assert_int_equal(p.kind, FW_FILE_NONE);
	assert_null(p.description);
	assert_null(p.suffix);
	assert_string_equal(err.message.buf, message);
	fw_error_clear(&err);
}

static void expect_ignored(const char *file, const struct fw_naming *nm)
{
	struct fw_parsed_name p;
	struct fw_error err = FW_ERROR_INIT;

	assert_int_equal(fw_parse_name(file, nm, &p, &err), 0);
	if (p.kind != FW_FILE_NONE)
		print_error("%s: kind %d, want NONE\n", file, p.kind);
	assert_int_equal(p.kind, FW_FILE_NONE);
	assert_false(fw_error_is_set(&err));
	assert_null(p.description);
	fw_parsed_name_release(&p);
}

static void expect_callback(const char *file, const char *event, const char *desc, int script)
{
	struct fw_parsed_name p = parse_as(file, NULL, FW_FILE_CALLBACK);
	assert_string_equal(p.callback_event, event);
	assert_string_equal(p.description, desc);
	assert_int_equal(p.is_script, script);
	assert_int_equal(p.version.kind, FW_VERSION_EMPTY);
	fw_parsed_name_release(&p);
}

/* ---- the "Consequences worth testing" table of 1.2 ---------------------- */

static void test_table_versioned(void **state)
{
	struct fw_parsed_name a, b;
	(void)state;
	expect_versioned("V1__Init.sql", "1", "Init");
	expect_versioned("V1_1__x.sql", "1.1", "x");
	expect_versioned("V1.1__x.sql", "1.1", "x");
	expect_versioned("V002__x.sql", "002", "x");
	expect_versioned("V1__x.SQL", "1", "x");
	expect_versioned("V1.sql", "1", "");
	expect_versioned("V-1__x.sql", "-1", "x");
	expect_versioned("V+1__x.sql", "+1", "x");

	/* V1_1 and V1.1 are the same version (duplicate if both exist); V002 == V2 */
	a = parse_as("V1_1__x.sql", NULL, FW_FILE_VERSIONED);
	b = parse_as("V1.1__y.sql", NULL, FW_FILE_VERSIONED);
	assert_int_equal(fw_version_cmp(&a.version, &b.version), 0);
	fw_parsed_name_release(&a);
	fw_parsed_name_release(&b);
	a = parse_as("V002__x.sql", NULL, FW_FILE_VERSIONED);
	b = parse_as("V2__x.sql", NULL, FW_FILE_VERSIONED);
	assert_int_equal(fw_version_cmp(&a.version, &b.version), 0);
	fw_parsed_name_release(&a);
	fw_parsed_name_release(&b);
}

static void test_table_suffix_case(void **state)
{
	struct fw_parsed_name p = parse_as("V1__x.SQL", NULL, FW_FILE_VERSIONED);
	(void)state;
	assert_string_equal(p.suffix, ".SQL");  /* as written */
	fw_parsed_name_release(&p);
}

static void test_table_invalid(void **state)
{
	(void)state;
	expect_invalid("v1__x.sql", NULL, "Unrecognised migration name format: v1__x.sql");
	expect_invalid("V1_init.sql", NULL, "Invalid versioned migration name format: V1_init.sql "
		       "(could not recognise version number 1_init)");
	expect_invalid("R1__x.sql", NULL, "Invalid repeatable migration / callback name format: "
		       "R1__x.sql (It cannot contain a version and should look like this: R__x.sql)");
	expect_invalid("Readme.sql", NULL, "Invalid repeatable migration / callback name format: "
		       "Readme.sql (It cannot contain a version and should look like this: "
		       "R__description.sql)");
	expect_invalid("afterMigrate_x.sql", NULL, "Invalid repeatable migration / callback name "
		       "format: afterMigrate_x.sql (It cannot contain a version and should look like "
		       "this: afterMigrate__description.sql)");
}

static void test_table_repeatable_baseline_callbacks(void **state)
{
	struct fw_parsed_name p;
	(void)state;
	p = parse_as("R__My_View.sql", NULL, FW_FILE_REPEATABLE);
	assert_string_equal(p.description, "My View");
	assert_int_equal(p.version.kind, FW_VERSION_EMPTY);
	assert_string_equal(p.suffix, ".sql");
	fw_parsed_name_release(&p);

	p = parse_as("B5__base.sql", NULL, FW_FILE_BASELINE);
	assert_string_equal(fw_version_str(&p.version), "5");
	assert_string_equal(p.description, "base");
	fw_parsed_name_release(&p);

	expect_callback("afterMigrate.sql", "afterMigrate", "", 0);
	expect_callback("afterMigrate__grants.sql", "afterMigrate", "grants", 0);
}

/* ---- more of the grammar ------------------------------------------------ */

static void test_descriptions(void **state)
{
	(void)state;
	expect_versioned("V5___x.sql", "5", " x");
	expect_versioned("V1__a__b.sql", "1", "a  b");
	expect_versioned("V3.sql", "3", "");
	expect_versioned("V1__Add-Col.v2_final.sql", "1", "Add-Col.v2 final");
	expect_versioned("V1__caf\xc3\xa9.sql", "1", "caf\xc3\xa9");
	expect_versioned("V1_2_3__x.sql", "1.2.3", "x");
	expect_versioned("V20240101120000__big.sql", "20240101120000", "big");
}

static void test_missing_version(void **state)
{
	(void)state;
	expect_invalid("V__x.sql", NULL, "Invalid versioned migration name format: V__x.sql "
		       "(It must contain a version and should look like this: V1.2__x.sql)");
	expect_invalid("V.sql", NULL, "Invalid versioned migration name format: V.sql "
		       "(It must contain a version and should look like this: V1.2__description.sql)");
	expect_invalid("B__x.sql", NULL, "Invalid versioned migration name format: B__x.sql "
		       "(It must contain a version and should look like this: B1.2__x.sql)");
	expect_invalid("V1..2__x.sql", NULL, "Invalid versioned migration name format: V1..2__x.sql "
		       "(could not recognise version number 1..2)");
	expect_invalid("Vcurrent__x.sql", NULL, "Invalid versioned migration name format: "
		       "Vcurrent__x.sql (could not recognise version number current)");
	expect_invalid(".sql", NULL, "Unrecognised migration name format: .sql");
	expect_invalid("1__x.sql", NULL, "Unrecognised migration name format: 1__x.sql");
}

static void test_undo(void **state)
{
	struct fw_parsed_name p = parse_as("U3__drop.sql", NULL, FW_FILE_UNDO);
	(void)state;
	assert_string_equal(fw_version_str(&p.version), "3");
	assert_string_equal(p.description, "drop");
	fw_parsed_name_release(&p);
}

static void test_not_migrations(void **state)
{
	(void)state;
	expect_ignored("V1__x.sql.conf", NULL);
	expect_ignored("afterMigrate.sql.conf", NULL);
	expect_ignored("notes.md", NULL);
	expect_ignored("V1__x.txt", NULL);
	expect_ignored("V1__x.sqlx", NULL);
	expect_ignored("V1.5__x", NULL);  /* "extension" 5__x is no script type */
}

/* ---- custom configuration ----------------------------------------------- */

static void test_custom_naming(void **state)
{
	struct strvec suffixes = STRVEC_INIT;
	struct fw_naming nm = { "M", "RM", "BL", "UN", "-", &suffixes };
	struct fw_parsed_name p;
	(void)state;

	strvec_push(&suffixes, ".psql");
	strvec_push(&suffixes, ".ddl");

	p = parse_as("M1.2-add-col.PSQL", &nm, FW_FILE_VERSIONED);
	assert_string_equal(fw_version_str(&p.version), "1.2");
	assert_string_equal(p.description, "add-col");
	assert_string_equal(p.suffix, ".PSQL");
	fw_parsed_name_release(&p);

	p = parse_as("RM-views_all.ddl", &nm, FW_FILE_REPEATABLE);
	assert_string_equal(p.description, "views all");
	fw_parsed_name_release(&p);

	p = parse_as("BL7-base.ddl", &nm, FW_FILE_BASELINE);
	assert_string_equal(fw_version_str(&p.version), "7");
	fw_parsed_name_release(&p);

	p = parse_as("UN7-undo.ddl", &nm, FW_FILE_UNDO);
	fw_parsed_name_release(&p);

	p = parse_as("afterMigrate-grants.psql", &nm, FW_FILE_CALLBACK);
	assert_string_equal(p.callback_event, "afterMigrate");
	assert_string_equal(p.description, "grants");
	fw_parsed_name_release(&p);

	/* the default pieces mean nothing now */
	expect_ignored("V1__x.sql", &nm);
	expect_invalid("V1__x.psql", &nm, "Unrecognised migration name format: V1__x.psql");
	expect_invalid("M1__x.psql", &nm, "Invalid versioned migration name format: M1__x.psql "
		       "(could not recognise version number 1__x)");
	expect_invalid("M-x.ddl", &nm, "Invalid versioned migration name format: M-x.ddl "
		       "(It must contain a version and should look like this: M1.2-x.ddl)");
	expect_invalid("RM1-x.ddl", &nm, "Invalid repeatable migration / callback name format: "
		       "RM1-x.ddl (It cannot contain a version and should look like this: RM-x.ddl)");
	strvec_clear(&suffixes);
}

static void test_longest_prefix_wins(void **state)
{
	struct fw_naming nm = { "V", "VR", NULL, NULL, NULL, NULL };
	struct fw_parsed_name p;
	(void)state;

	p = parse_as("VR__x.sql", &nm, FW_FILE_REPEATABLE);
	assert_string_equal(p.description, "x");
	fw_parsed_name_release(&p);
	p = parse_as("V1__x.sql", &nm, FW_FILE_VERSIONED);
	fw_parsed_name_release(&p);

	/* event names are prefixes too, longest first */
	expect_callback("afterMigrateError.sql", "afterMigrateError", "", 0);
	expect_callback("afterMigrateApplied__x.sql", "afterMigrateApplied", "x", 0);
	expect_callback("afterEachMigrateStatementError.sql", "afterEachMigrateStatementError", "", 0);
	expect_callback("beforeEachMigrateStatement.sql", "beforeEachMigrateStatement", "", 0);
	expect_invalid("afterMigrateErrorx.sql", NULL, "Invalid repeatable migration / callback name "
		       "format: afterMigrateErrorx.sql (It cannot contain a version and should look "
		       "like this: afterMigrateError__description.sql)");
}

static void test_suffix_order(void **state)
{
	struct strvec suffixes = STRVEC_INIT;
	struct fw_naming nm = { NULL, NULL, NULL, NULL, NULL, &suffixes };
	struct fw_parsed_name p;
	(void)state;

	/* the first configured suffix that matches is stripped */
	strvec_push(&suffixes, ".sql");
	strvec_push(&suffixes, ".pg.sql");
	p = parse_as("V1__x.pg.sql", &nm, FW_FILE_VERSIONED);
	assert_string_equal(p.description, "x.pg");
	fw_parsed_name_release(&p);
	strvec_clear(&suffixes);

	strvec_push(&suffixes, ".pg.sql");
	strvec_push(&suffixes, ".sql");
	p = parse_as("V1__x.PG.Sql", &nm, FW_FILE_VERSIONED);
	assert_string_equal(p.description, "x");
	assert_string_equal(p.suffix, ".PG.Sql");
	fw_parsed_name_release(&p);
	strvec_clear(&suffixes);
}

/* ---- callbacks ----------------------------------------------------------- */

static void test_callbacks(void **state)
{
	(void)state;
	expect_callback("beforeMigrate.sql", "beforeMigrate", "", 0);
	expect_callback("afterMigrateError__notify_ops.sql", "afterMigrateError", "notify ops", 0);
	expect_callback("beforeEachMigrate__a__b.sql", "beforeEachMigrate", "a  b", 0);
	expect_callback("createSchema.sql", "createSchema", "", 0);
	expect_callback("beforeCreateSchema__x.sql", "beforeCreateSchema", "x", 0);
	expect_callback("afterConnect.SQL", "afterConnect", "", 0);
	expect_callback("afterInfoOperationFinish.sql", "afterInfoOperationFinish", "", 0);
	expect_callback("beforeUndo.sql", "beforeUndo", "", 0);
	expect_invalid("AfterMigrate.sql", NULL, "Unrecognised migration name format: AfterMigrate.sql");
	expect_invalid("aftermigrate.sql", NULL, "Unrecognised migration name format: aftermigrate.sql");
	/* not an event in the open-source engine */
	expect_invalid("beforeDeploy.sql", NULL, "Unrecognised migration name format: beforeDeploy.sql");
}

static void test_event_list(void **state)
{
	int n = 0;
	(void)state;
	while (fw_callback_events[n])
		n++;
	assert_int_equal(n, 42);
	assert_true(fw_is_callback_event("afterMigrate"));
	assert_true(fw_is_callback_event("afterEachUndoStatementError"));
	assert_true(fw_is_callback_event("beforeConnect"));
	assert_true(fw_is_callback_event("afterMigrateOperationFinish"));
	assert_false(fw_is_callback_event("AfterMigrate"));
	assert_false(fw_is_callback_event("afterMigrate__x"));
	assert_false(fw_is_callback_event(""));
}

/* ---- script migrations --------------------------------------------------- */

static void test_scripts(void **state)
{
	struct fw_parsed_name p;
	(void)state;

	p = parse_as("V1__run.sh", NULL, FW_FILE_VERSIONED);
	assert_int_equal(p.is_script, 1);
	assert_string_equal(p.suffix, ".sh");
	assert_string_equal(p.description, "run");
	assert_string_equal(fw_version_str(&p.version), "1");
	fw_parsed_name_release(&p);

	p = parse_as("R__refresh_views.py", NULL, FW_FILE_REPEATABLE);
	assert_int_equal(p.is_script, 1);
	assert_string_equal(p.suffix, ".py");
	assert_string_equal(p.description, "refresh views");
	fw_parsed_name_release(&p);

	p = parse_as("V2__Upper.SH", NULL, FW_FILE_VERSIONED);
	assert_int_equal(p.is_script, 1);
	assert_string_equal(p.suffix, ".SH");
	assert_string_equal(p.description, "Upper");
	fw_parsed_name_release(&p);

	p = parse_as("V3__no_extension", NULL, FW_FILE_VERSIONED);
	assert_int_equal(p.is_script, 1);
	assert_string_equal(p.suffix, "");
	assert_string_equal(p.description, "no extension");
	fw_parsed_name_release(&p);

	p = parse_as("V4__x.bash", NULL, FW_FILE_VERSIONED);
	assert_string_equal(p.suffix, ".bash");
	fw_parsed_name_release(&p);
	p = parse_as("V5__x.cmd", NULL, FW_FILE_VERSIONED);
	fw_parsed_name_release(&p);
	p = parse_as("V6__x.bat", NULL, FW_FILE_VERSIONED);
	fw_parsed_name_release(&p);
	p = parse_as("V7__x.Ps1", NULL, FW_FILE_VERSIONED);
	assert_int_equal(p.is_script, 1);
	fw_parsed_name_release(&p);

	expect_callback("beforeMigrate.bash", "beforeMigrate", "", 1);
	expect_callback("afterMigrate__notify.py", "afterMigrate", "notify", 1);
	expect_callback("beforeConnect", "beforeConnect", "", 1);
}

static void test_scripts_ignored_not_errors(void **state)
{
	(void)state;
	/* bad script names and other prefixes are silently not scripts */
	expect_ignored("Vfoo.sh", NULL);
	expect_ignored("V__x.sh", NULL);
	expect_ignored("R1__x.py", NULL);
	expect_ignored("B1__x.sh", NULL);
	expect_ignored("U1__x.ps1", NULL);
	expect_ignored("README", NULL);
	expect_ignored("Makefile", NULL);
	expect_ignored("run.sh", NULL);
	expect_ignored("V1__x.sh.conf", NULL);
	expect_ignored("", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_versioned),
		cmocka_unit_test(test_table_suffix_case),
		cmocka_unit_test(test_table_invalid),
		cmocka_unit_test(test_table_repeatable_baseline_callbacks),
		cmocka_unit_test(test_descriptions),
		cmocka_unit_test(test_missing_version),
		cmocka_unit_test(test_undo),
		cmocka_unit_test(test_not_migrations),
		cmocka_unit_test(test_custom_naming),
		cmocka_unit_test(test_longest_prefix_wins),
		cmocka_unit_test(test_suffix_order),
		cmocka_unit_test(test_callbacks),
		cmocka_unit_test(test_event_list),
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_scripts_ignored_not_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
