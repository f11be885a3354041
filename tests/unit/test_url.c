/* Database URL parsing (reference 8.8), password redaction, Flyway's lock key
 * hash, and the messages of db_open that need no server. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "db/db.h"
#include "util/redact.h"

static void parse_ok(const char *url, struct db_url *u)
{
	struct fw_error err = FW_ERROR_INIT;
	int ret = db_url_parse(url, u, &err);
	if (ret < 0)
		fail_msg("%s: %s", url, err.message.buf);
	fw_error_clear(&err);
}

static const char *param(const struct db_url *u, const char *key)
{
	for (size_t i = 0; i < u->param_keys.nr; i++)
		if (!strcmp(u->param_keys.v[i], key))
			return u->param_values.v[i];
	return NULL;
}

/* the error message of a URL that must not parse */
static void parse_fails(const char *url, const char *code, const char *needle)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db_url u;
	assert_int_equal(db_url_parse(url, &u, &err), -1);
	assert_string_equal(err.code, code);
	if (!strstr(err.message.buf, needle))
		fail_msg("'%s' not in '%s'", needle, err.message.buf);
	fw_error_clear(&err);
}

static void test_sqlite(void **state)
{
	struct db_url u;
	parse_ok("jdbc:sqlite:db/app.db", &u);
	assert_int_equal(u.kind, DB_SQLITE);
	assert_string_equal(u.path, "db/app.db");   /* relative stays relative */
	assert_null(u.host);
	db_url_release(&u);

	parse_ok("jdbc:sqlite::memory:", &u);
	assert_string_equal(u.path, ":memory:");
	db_url_release(&u);

	parse_ok("jdbc:sqlite:", &u);
	assert_string_equal(u.path, ":memory:");
	db_url_release(&u);

	parse_ok("sqlite:/tmp/x.db?journal_mode=WAL&foreign_keys=true", &u);
	assert_string_equal(u.path, "/tmp/x.db");
	assert_string_equal(param(&u, "journal_mode"), "WAL");
	assert_string_equal(param(&u, "foreign_keys"), "true");
	db_url_release(&u);

	parse_ok("jdbc:sqlite:file:data.db?mode=rwc", &u);
	assert_string_equal(u.path, "file:data.db?mode=rwc");   /* SQLite URI, untouched */
	assert_int_equal(u.param_keys.nr, 0);
	db_url_release(&u);
}

static void test_jdbc_postgres(void **state)
{
	struct db_url u;
	struct strbuf sb = STRBUF_INIT;
	parse_ok("jdbc:postgresql://db.example.com:6432/app?user=alice&password=s3cr%26t"
		 "&sslmode=require&currentSchema=app", &u);
	assert_int_equal(u.kind, DB_POSTGRES);
	assert_string_equal(u.host, "db.example.com");
	assert_int_equal(u.port, 6432);
	assert_string_equal(u.database, "app");
	assert_string_equal(u.user, "alice");
	assert_string_equal(u.password, "s3cr&t");
	assert_string_equal(param(&u, "sslmode"), "require");
	assert_string_equal(param(&u, "currentSchema"), "app");
	assert_null(param(&u, "password"));
	/* the decoded password is now a registered secret */
	strbuf_addstr(&sb, "failed with s3cr&t");
	redact_buf(&sb);
	assert_string_equal(sb.buf, "failed with ***");
	strbuf_release(&sb);
	db_url_release(&u);

	parse_ok("jdbc:postgresql://localhost/postgres", &u);
	assert_int_equal(u.port, 0);
	assert_null(u.user);
	assert_null(u.password);
	db_url_release(&u);

	parse_ok("jdbc:postgresql:mydb", &u);   /* JDBC short form: localhost */
	assert_string_equal(u.host, "localhost");
	assert_string_equal(u.database, "mydb");
	db_url_release(&u);

	parse_ok("jdbc:postgresql://pghost", &u);
	assert_string_equal(u.host, "pghost");
	assert_null(u.database);
	db_url_release(&u);
}

static void test_libpq_uri(void **state)
{
	struct db_url u;
	parse_ok("postgresql://bob:p%40ss%3Aword@[::1]:5433/my%20db?application_name=x", &u);
	assert_int_equal(u.kind, DB_POSTGRES);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 5433);
	assert_string_equal(u.user, "bob");
	assert_string_equal(u.password, "p@ss:word");
	assert_string_equal(u.database, "my db");
	assert_string_equal(param(&u, "application_name"), "x");
	db_url_release(&u);

	parse_ok("postgres://[fe80::1]/db", &u);
	assert_string_equal(u.host, "fe80::1");
	assert_int_equal(u.port, 0);
	db_url_release(&u);

	parse_ok("postgres:///db", &u);   /* libpq default host (socket) */
	assert_null(u.host);
	assert_string_equal(u.database, "db");
	db_url_release(&u);

	parse_ok("postgresql://u@h", &u);
	assert_string_equal(u.user, "u");
	assert_null(u.password);
	db_url_release(&u);
}

static void test_mysql(void **state)
{
	struct db_url u;
	parse_ok("jdbc:mysql://h:3307/shop?useSsl=true", &u);
	assert_int_equal(u.kind, DB_MYSQL);
	assert_int_equal(u.mariadb, 0);
	assert_string_equal(u.host, "h");
	assert_int_equal(u.port, 3307);
	assert_string_equal(u.database, "shop");
	assert_string_equal(param(&u, "useSsl"), "true");
	db_url_release(&u);

	parse_ok("jdbc:mariadb://root:pw123@127.0.0.1/shop", &u);
	assert_int_equal(u.kind, DB_MYSQL);
	assert_int_equal(u.mariadb, 1);
	assert_string_equal(u.password, "pw123");
	db_url_release(&u);
}

static void test_errors(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db_url u;

	assert_int_equal(db_url_parse("jdbc:oracle://scott:tiger99@h/db", &u, &err), -1);
	assert_string_equal(err.message.buf,
			    "unsupported database URL 'jdbc:oracle://scott:***@h/db'");
	assert_non_null(strstr(err.hint.buf, "jdbc:postgresql://"));
	assert_non_null(strstr(err.hint.buf, "jdbc:sqlite:"));
	fw_error_clear(&err);

	assert_int_equal(db_url_parse("jdbc:h2:mem?password=hunter22", &u, &err), -1);
	assert_null(strstr(err.message.buf, "hunter22"));
	fw_error_clear(&err);

	assert_int_equal(db_url_parse("", &u, &err), -1);
	assert_non_null(strstr(err.message.buf, "Configure the url"));
	fw_error_clear(&err);

	parse_fails("jdbc:postgresql://h:99999/db", "CONFIGURATION", "invalid port");
	parse_fails("jdbc:postgresql://h:x1/db", "CONFIGURATION", "invalid port");
	parse_fails("jdbc:postgresql://[::1/db", "CONFIGURATION", "IPv6");
	parse_fails("jdbc:postgresql://h/db%2", "CONFIGURATION", "percent-encoding");
	parse_fails("jdbc:mysql:h/db", "CONFIGURATION", "'//'");
	parse_fails("jdbc:postgresql://a:1,b:2/db", "CONFIGURATION", "several hosts");
}

/* a malformed password is still kept out of messages */
static void test_bad_password_redacted(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct db_url u;
	assert_int_equal(db_url_parse("postgresql://u:bad%zzpass@h/db", &u, &err), -1);
	fw_error_format(&err, &sb);
	assert_null(strstr(sb.buf, "bad%zzpass"));
	strbuf_release(&sb);
	fw_error_clear(&err);
}

static void test_java_hash(void **state)
{
	int32_t h = db_java_hash("\"public\".\"flyway_schema_history\"");
	assert_int_equal(h, 2125624436);
	assert_true(0x466C79776179LL + h == 77433833903597LL);   /* reference 12.1 */
	assert_int_equal(db_java_hash(""), 0);
	assert_int_equal(db_java_hash("a"), 97);
	assert_int_equal(db_java_hash("\xc3\xa9"), 233);            /* é: one UTF-16 unit */
	/* U+1F600: surrogate pair D83D DE00 */
	assert_int_equal(db_java_hash("\xf0\x9f\x98\x80"), (int32_t)(31u * 0xD83D + 0xDE00));
	/* MySQL lock name example of reference 12.2 */
	assert_int_equal(db_java_hash("`mydb`.`flyway_schema_history`"), 278632207);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_jdbc_postgres),
		cmocka_unit_test(test_libpq_uri),
		cmocka_unit_test(test_mysql),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bad_password_redacted),
		cmocka_unit_test(test_java_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
