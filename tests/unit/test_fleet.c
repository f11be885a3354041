/* Fleet model: waves, globs, durations, inventories, templates, and a fleet
 * loaded from a real flyway.toml. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config/config.h"
#include "fleet/fleet.h"
#include "util/redact.h"

/* ---------------------------------------------------------------- waves */

/* wave ends for n targets and the shares given as a NULL-terminated list */
static size_t ends_of(size_t n, size_t *out, const char *first, ...)
{
	struct strvec shares = STRVEC_INIT;
	struct fw_error err = FW_ERROR_INIT;
	size_t *ends = NULL, nr = 0;
	va_list ap;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *))
		strvec_push(&shares, s);
	va_end(ap);
	if (fw_fleet_wave_ends(n, &shares, &ends, &nr, NULL, &err) < 0) {
		print_error("waves: %s\n", err.message.buf);
		fail();
	}
	memcpy(out, ends, nr * sizeof(*ends));
	free(ends);
	strvec_clear(&shares);
	fw_error_clear(&err);
	return nr;
}

static void test_waves_usual_shares(void **state)
{
	size_t e[8];
	(void)state;
	/* one target: the first share already holds it, the rest would be empty */
	assert_int_equal(ends_of(1, e, "10%", "50%", "100%", NULL), 1);
	assert_int_equal(e[0], 1);
	/* two: 10% rounds up to one target, 50% adds nothing, 100% the second */
	assert_int_equal(ends_of(2, e, "10%", "50%", "100%", NULL), 2);
	assert_int_equal(e[0], 1);
	assert_int_equal(e[1], 2);
	assert_int_equal(ends_of(7, e, "10%", "50%", "100%", NULL), 3);
	assert_int_equal(e[0], 1);
	assert_int_equal(e[1], 4);
	assert_int_equal(e[2], 7);
	/* exact shares stay exact (no floating point creep to 11) */
	assert_int_equal(ends_of(100, e, "10%", "50%", "100%", NULL), 3);
	assert_int_equal(e[0], 10);
	assert_int_equal(e[1], 50);
	assert_int_equal(e[2], 100);
	assert_int_equal(ends_of(100, e, "1%", "5%", "25%", "100%", NULL), 4);
	assert_int_equal(e[0], 1);
	assert_int_equal(e[1], 5);
	assert_int_equal(e[2], 25);
	assert_int_equal(ends_of(3, e, "33.3%", "100%", NULL), 2);
	assert_int_equal(e[0], 1);
	assert_int_equal(e[1], 3);
}

static void test_waves_counts_rest_and_empty(void **state)
{
	size_t e[8];
	(void)state;
	assert_int_equal(ends_of(7, e, "1", "5", "100%", NULL), 3);
	assert_int_equal(e[0], 1);
	assert_int_equal(e[1], 5);
	assert_int_equal(e[2], 7);
	/* counts beyond the fleet are capped */
	assert_int_equal(ends_of(3, e, "2", "10", NULL), 2);
	assert_int_equal(e[1], 3);
	/* no shares: everything in one wave */
	assert_int_equal(ends_of(5, e, NULL), 1);
	assert_int_equal(e[0], 5);
	/* shares short of 100%: the rest forms a last wave */
	assert_int_equal(ends_of(10, e, "20%", "50%", NULL), 3);
	assert_int_equal(e[2], 10);
	/* nothing to place, no waves */
	assert_int_equal(ends_of(0, e, "10%", "100%", NULL), 0);
}

static void expect_bad_waves(const char *a, const char *b, const char *needle)
{
	struct strvec shares = STRVEC_INIT;
	struct fw_error err = FW_ERROR_INIT;
	size_t *ends = NULL, nr = 0;
	strvec_push(&shares, a);
	if (b)
		strvec_push(&shares, b);
	assert_int_equal(fw_fleet_wave_ends(10, &shares, &ends, &nr, NULL, &err), -1);
	assert_null(ends);
	assert_int_equal(err.exit_code, FW_EXIT_USAGE);
	if (!strstr(err.message.buf, needle)) {
		print_error("message '%s' lacks '%s'\n", err.message.buf, needle);
		fail();
	}
	strvec_clear(&shares);
	fw_error_clear(&err);
}

static void test_waves_invalid(void **state)
{
	(void)state;
	expect_bad_waves("0%", NULL, "invalid wave '0%'");
	expect_bad_waves("150%", NULL, "invalid wave");
	expect_bad_waves("half", NULL, "invalid wave");
	expect_bad_waves("2.5", NULL, "invalid wave");
	expect_bad_waves("50%", "10%", "cumulative");
	expect_bad_waves("5", "5", "cumulative");
}

static void test_wave_labels(void **state)
{
	struct strvec shares = STRVEC_INIT, labels = STRVEC_INIT;
	struct fw_error err = FW_ERROR_INIT;
	size_t *ends = NULL, nr = 0;
	(void)state;
	strvec_push(&shares, "10%");
	strvec_push(&shares, "50%");
	assert_int_equal(fw_fleet_wave_ends(2, &shares, &ends, &nr, &labels, &err), 0);
	/* 50% of 2 is the target 10% already took: dropped, and the rest is "100%" */
	assert_int_equal(nr, 2);
	assert_int_equal(labels.nr, 2);
	assert_string_equal(labels.v[0], "10%");
	assert_string_equal(labels.v[1], "100%");
	free(ends);
	strvec_clear(&shares);
	strvec_clear(&labels);
}

/* ---------------------------------------------------------------- globs, durations */

static void test_glob(void **state)
{
	(void)state;
	assert_true(fw_fleet_glob_match("tenant-*", "tenant-001"));
	assert_true(fw_fleet_glob_match("tenant-*", "tenant-"));
	assert_false(fw_fleet_glob_match("tenant-*", "tenantx"));
	assert_false(fw_fleet_glob_match("tenant-*", "my-tenant-1"));
	assert_true(fw_fleet_glob_match("eu-?", "eu-1"));
	assert_false(fw_fleet_glob_match("eu-?", "eu-12"));
	assert_true(fw_fleet_glob_match("[ab]*", "alpha"));
	assert_false(fw_fleet_glob_match("[ab]*", "gamma"));
	assert_true(fw_fleet_glob_match("eu-west-1", "eu-west-1"));
	assert_true(fw_fleet_is_glob("tenant-*"));
	assert_true(fw_fleet_is_glob("eu-?"));
	assert_false(fw_fleet_is_glob("eu-west-1"));
}

static void test_duration(void **state)
{
	struct fw_error err = FW_ERROR_INIT;
	long ms;
	(void)state;
	assert_int_equal(fw_fleet_parse_duration("0s", &ms, &err), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(fw_fleet_parse_duration("30s", &ms, &err), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(fw_fleet_parse_duration("1m30s", &ms, &err), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(fw_fleet_parse_duration("500ms", &ms, &err), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(fw_fleet_parse_duration("2h", &ms, &err), 0);
	assert_int_equal(ms, 7200000);
	assert_int_equal(fw_fleet_parse_duration("12", &ms, &err), 0);
	assert_int_equal(ms, 12000);
	assert_int_equal(fw_fleet_parse_duration("soon", &ms, &err), -1);
	assert_non_null(strstr(err.message.buf, "invalid duration 'soon'"));
	fw_error_clear(&err);
	assert_int_equal(fw_fleet_parse_duration("", &ms, &err), -1);
	fw_error_clear(&err);
}

/* ---------------------------------------------------------------- inventory */

static int parse_inv(struct fw_fleet *f, const char *text, struct fw_error *err)
{
	memset(f, 0, sizeof(*f));
	f->name = strdup("prod");
	return fw_fleet_inventory_parse(f, text, strlen(text), "tenants.csv", err);
}

static void test_inventory_positional(void **state)
{
	struct fw_fleet f;
	struct fw_error err = FW_ERROR_INIT;
	(void)state;
	assert_int_equal(parse_inv(&f,
				   "\xEF\xBB\xBF# tenants\n"
				   "\n"
				   "tenant-001,jdbc:postgresql://db1/t1,app,${env.T1_PW}\r\n"
				   "tenant-002, \"jdbc:postgresql://db2/t2?a=1,b=2\" ,\n"
				   "  # indented comment\n"
				   "tenant-003,jdbc:sqlite:t3.db\n", &err), 0);
	assert_int_equal(f.nr, 3);
	assert_string_equal(f.m[0].name, "tenant-001");
	assert_string_equal(f.m[0].url, "jdbc:postgresql://db1/t1");
	assert_string_equal(f.m[0].user, "app");
	assert_string_equal(f.m[0].password, "${env.T1_PW}");
	assert_int_equal(f.m[0].line, 3);
	assert_true(f.m[0].from_inventory);
	/* a quoted cell keeps its commas; an empty cell means "not given" */
	assert_string_equal(f.m[1].url, "jdbc:postgresql://db2/t2?a=1,b=2");
	assert_null(f.m[1].user);
	assert_null(f.m[2].password);
	assert_int_equal(f.m[2].line, 6);
	fw_fleet_release(&f);
}

static void test_inventory_header_and_tsv(void **state)
{
	struct fw_fleet f;
	struct fw_error err = FW_ERROR_INIT;
	(void)state;
	assert_int_equal(parse_inv(&f,
				   "url\tname\tplaceholders.region\tpassword\n"
				   "jdbc:sqlite:a.db\talpha\teu\t${env.A_PW}\n"
				   "jdbc:sqlite:b.db\tbeta\t\t\n", &err), 0);
	assert_int_equal(f.nr, 2);
	assert_string_equal(f.m[0].name, "alpha");
	assert_string_equal(f.m[0].url, "jdbc:sqlite:a.db");
	assert_int_equal(f.m[0].ph_names.nr, 1);
	assert_string_equal(f.m[0].ph_names.v[0], "region");
	assert_string_equal(f.m[0].ph_values.v[0], "eu");
	assert_string_equal(f.m[0].password, "${env.A_PW}");
	/* an empty placeholder cell is an empty value, not a missing one */
	assert_string_equal(f.m[1].ph_values.v[0], "");
	assert_null(f.m[1].password);
	fw_fleet_release(&f);
}

static void expect_bad_inventory(const char *text, const char *needle)
{
	struct fw_fleet f;
	struct fw_error err = FW_ERROR_INIT;
	assert_int_equal(parse_inv(&f, text, &err), -1);
	assert_int_equal(err.exit_code, FW_EXIT_USAGE);
	if (!strstr(err.message.buf, needle)) {
		print_error("message '%s' lacks '%s'\n", err.message.buf, needle);
		fail();
	}
	fw_error_clear(&err);
	fw_fleet_release(&f);
}

static void test_inventory_errors(void **state)
{
	(void)state;
	expect_bad_inventory("name,url,region\nx,jdbc:sqlite:x\n", "tenants.csv:1: unknown column 'region'");
	expect_bad_inventory("name,user\nx,app\n", "needs a name and a url column");
	expect_bad_inventory("a,jdbc:sqlite:a\nb c,jdbc:sqlite:b\n", "tenants.csv:2: invalid target name 'b c'");
	expect_bad_inventory("a,\"jdbc:sqlite:a\n", "tenants.csv:1: unterminated quoted cell");
	expect_bad_inventory("a,\"jdbc:sqlite:a\"x\n", "text after a quoted cell");
	expect_bad_inventory("a,u,us,pw,extra\n", "5 cells");
	expect_bad_inventory(",jdbc:sqlite:a\n", "the row has no name");
}

/* ---------------------------------------------------------------- templates */

static void test_expand(void **state)
{
	struct strbuf out = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	(void)state;
	setenv("FW_TEST_DB_HOST", "db.internal", 1);
	assert_int_equal(fw_fleet_expand("jdbc:postgresql://${env.FW_TEST_DB_HOST}/${target}", "tenant-7", "url",
					 &out, &err), 0);
	assert_string_equal(out.buf, "jdbc:postgresql://db.internal/tenant-7");
	strbuf_reset(&out);
	/* $${ is a literal ${; text without a reference stays as it is */
	assert_int_equal(fw_fleet_expand("a$${env.X}b ${ c", "t", "url", &out, &err), 0);
	assert_string_equal(out.buf, "a${env.X}b ${ c");
	strbuf_reset(&out);
	assert_int_equal(fw_fleet_expand("${vault.key}", "t", "url", &out, &err), -1);
	assert_non_null(strstr(err.message.buf, "unknown template '${vault.key}'"));
	fw_error_clear(&err);
	/* a password cell is never echoed, even in an error */
	assert_int_equal(fw_fleet_expand("p${xyzzy-secret}w", "t", "password", &out, &err), -1);
	assert_null(strstr(err.message.buf, "xyzzy-secret"));
	fw_error_clear(&err);
	unsetenv("FW_TEST_DB_HOST");
	strbuf_release(&out);
}

static void test_missing_secret_names_target(void **state)
{
	struct fw_fleet f;
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf out = STRBUF_INIT;
	(void)state;
	unsetenv("FW_TEST_TENANT_PW");
	assert_int_equal(parse_inv(&f, "tenant-042,jdbc:sqlite:t.db,app,${env.FW_TEST_TENANT_PW}\n", &err), 0);
	assert_int_equal(fw_fleet_expand(f.m[0].password, f.m[0].name, "password", &out, &err), -1);
	assert_string_equal(err.message.buf,
			    "target 'tenant-042': unable to resolve environment variable 'FW_TEST_TENANT_PW' (password)");
	assert_int_equal(err.exit_code, FW_EXIT_USAGE);
	fw_error_clear(&err);
	strbuf_release(&out);
	fw_fleet_release(&f);
}

/* ---------------------------------------------------------------- a fleet from flyway.toml */

struct project {
	char dir[64];
	struct fw_args args;
	struct fw_settings *s;
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void load_project(struct project *p, const char *toml)
{
	struct fw_settings_sources src;
	struct fw_error err = FW_ERROR_INIT;
	const char *argv[] = { "info" };
	extern char **environ;
	strcpy(p->dir, "/tmp/fw-fleet-test.XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	write_file(p->dir, "flyway.toml", toml);
	memset(&p->args, 0, sizeof(p->args));
	assert_int_equal(fw_args_parse(1, argv, &p->args, &err), 0);
	memset(&src, 0, sizeof(src));
	src.args = &p->args;
	src.environ = (const char *const *)environ;
	src.cwd = p->dir;
	if (fw_settings_load(&src, &p->s, &err) < 0) {
		print_error("settings: %s\n", err.message.buf);
		fail();
	}
}

static void unload_project(struct project *p)
{
	char cmd[128];
	fw_settings_free(p->s);
	fw_args_release(&p->args);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", p->dir);
	assert_int_equal(system(cmd), 0);
}

static const char fleet_toml[] =
	"[environments.eu-west-1]\nurl = \"jdbc:sqlite:eu.db\"\n"
	"[environments.us-east-1]\nurl = \"jdbc:sqlite:us.db\"\n"
	"[environments.tenant-a]\nurl = \"jdbc:sqlite:a.db\"\n"
	"[environments.tenant-b]\nurl = \"jdbc:sqlite:b.db\"\n"
	"[environments.tenant-template]\nuser = \"app\"\n"
	"[environments.tenant-template.flyway]\nlocations = [\"filesystem:tenant-sql\"]\n"
	"[fleets.prod]\n"
	"targets = [\"us-east-1\", \"eu-west-1\", \"tenant-*\"]\n"
	"canary = [\"eu-west-1\"]\n"
	"waves = [\"50%\", \"100%\"]\n"
	"parallel = 3\n"
	"pause = \"2s\"\n"
	"preflight = [\"validate\", \"dryrun\"]\n"
	"inventory = \"tenants.csv\"\n"
	"template = \"tenant-template\"\n"
	"password = \"${env.FW_TEST_FLEET_PW}\"\n"
	"[fleets.bad]\ntargets = [\"nowhere\"]\n"
	"[fleets.typo]\ntargets = [\"eu-west-1\"]\nparalel = 2\n";

static void test_load_fleet(void **state)
{
	struct project p;
	struct fw_fleet f;
	struct fw_error err = FW_ERROR_INIT;
	(void)state;
	load_project(&p, fleet_toml);
	write_file(p.dir, "tenants.csv", "tenant-x,jdbc:sqlite:x.db\ntenant-y,jdbc:sqlite:y.db,owner\n");
	if (fw_fleet_load(p.s, "prod", p.dir, &f, &err) < 0) {
		print_error("load: %s\n", err.message.buf);
		fail();
	}
	/* canary first, then as listed; the glob skips the template environment */
	assert_int_equal(f.nr, 6);
	assert_string_equal(f.m[0].name, "eu-west-1");
	assert_true(f.m[0].canary);
	assert_string_equal(f.m[1].name, "us-east-1");
	assert_string_equal(f.m[2].name, "tenant-a");
	assert_string_equal(f.m[3].name, "tenant-b");
	assert_string_equal(f.m[4].name, "tenant-x");
	assert_true(f.m[4].from_inventory);
	assert_string_equal(f.m[4].environment, "tenant-template");
	assert_int_equal(f.parallel, 3);
	assert_int_equal(f.pause_ms, 2000);
	assert_int_equal(f.preflight, FW_PRE_VALIDATE | FW_PRE_DRYRUN);
	/* canary, then 50% of the five others (3, rounded up), then the rest */
	assert_int_equal(f.nr_waves, 3);
	assert_string_equal(f.waves[0].name, "canary");
	assert_int_equal(f.waves[0].end, 1);
	assert_string_equal(f.waves[1].name, "wave 1 (50%)");
	assert_int_equal(f.waves[1].start, 1);
	assert_int_equal(f.waves[1].end, 4);
	assert_string_equal(f.waves[2].name, "wave 2 (100%)");
	assert_int_equal(f.waves[2].end, 6);
	assert_int_equal(f.m[5].wave, 2);

	/* each inventory target's secret resolves for it alone, or fails by name */
	{
		struct fw_config c;
		unsetenv("FW_TEST_FLEET_PW");
		assert_int_equal(fw_fleet_member_config(p.s, &f, &f.m[5], &c, &err), -1);
		assert_non_null(strstr(err.message.buf, "target 'tenant-y'"));
		assert_non_null(strstr(err.message.buf, "FW_TEST_FLEET_PW"));
		fw_error_clear(&err);
		setenv("FW_TEST_FLEET_PW", "pw-of-the-tenants", 1);
		assert_int_equal(fw_fleet_member_config(p.s, &f, &f.m[5], &c, &err), 0);
		assert_string_equal(c.url, "jdbc:sqlite:y.db");
		assert_string_equal(c.user, "owner");
		assert_string_equal(c.password, "pw-of-the-tenants");
		assert_string_equal(c.environment, "tenant-y");
		assert_true(c.locations.nr == 1 && strstr(c.locations.v[0], "tenant-sql"));
		fw_config_release(&c);
		assert_int_equal(fw_fleet_member_config(p.s, &f, &f.m[4], &c, &err), 0);
		assert_string_equal(c.user, "app"); /* from the template environment */
		fw_config_release(&c);
		unsetenv("FW_TEST_FLEET_PW");
	}

	/* -fleet=prod:tenant-* */
	assert_int_equal(fw_fleet_select(&f, "tenant-*", &err), 0);
	assert_int_equal(f.nr, 4);
	assert_int_equal(f.nr_waves, 2);
	assert_string_equal(f.waves[0].name, "wave 1 (50%)");
	fw_fleet_release(&f);

	assert_int_equal(fw_fleet_load(p.s, "bad", p.dir, &f, &err), -1);
	assert_string_equal(err.message.buf, "fleet 'bad': target 'nowhere' is not an environment");
	fw_error_clear(&err);
	assert_int_equal(fw_fleet_load(p.s, "typo", p.dir, &f, &err), -1);
	assert_string_equal(err.message.buf, "unknown key fleets.typo.paralel");
	fw_error_clear(&err);
	assert_int_equal(fw_fleet_load(p.s, "nope", p.dir, &f, &err), -1);
	assert_string_equal(err.message.buf, "fleet 'nope' not found");
	fw_error_clear(&err);
	unload_project(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waves_usual_shares),
		cmocka_unit_test(test_waves_counts_rest_and_empty),
		cmocka_unit_test(test_waves_invalid),
		cmocka_unit_test(test_wave_labels),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_inventory_positional),
		cmocka_unit_test(test_inventory_header_and_tsv),
		cmocka_unit_test(test_inventory_errors),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_missing_secret_names_target),
		cmocka_unit_test(test_load_fleet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
