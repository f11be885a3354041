/* The MySQL/MariaDB catalog reader against a real server: one shape built
 * with two spellings in two databases compares equal (integer display
 * widths, now() and CURRENT_TIMESTAMP, inline and added keys); the
 * AUTO_INCREMENT counter is no part of the model; each hand-made change (a
 * column, a default, an index, a view body, a function, a trigger, a check, a
 * foreign key, a table option, an event) shows as one named difference and
 * its undoing makes the databases equal again; a scratch database takes its
 * character set from the target's and, read as the target's schema, compares
 * equal to it.
 *
 * FW_TEST_MYSQL_URL (and FW_TEST_MYSQL_USER) name the test server of
 * tests/run-all.sh; without it these tests are skipped. */
#include "schema-test.h"
#include <unistd.h>

static const char *base_url;
static const char *user;
static char prefix[32];        /* fwt_<pid>: every database of this run */

#define NEED_SERVER() do { if (!base_url) skip(); } while (0)

static struct db *connect_to(const char *database)
{
	struct strbuf url = STRBUF_INIT;
	struct db_params p = { .user = user };
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	strbuf_addf(&url, "%s%s", base_url, database ? database : "");
	p.url = url.buf;
	if (db_open(&p, &db, &err) < 0)
		fail_msg("db_open %s: %s / %s", url.buf, err.message.buf, err.detail.buf);
	strbuf_release(&url);
	return db;
}

static char *db_name(const char *suffix)
{
	struct strbuf s = STRBUF_INIT;
	strbuf_addf(&s, "%s_%s", prefix, suffix);
	return strbuf_detach(&s, NULL);
}

/* database prefix_suffix, new, with sql run in it; a connection to it */
static struct db *fresh_db(const char *suffix, const char *options, const char *sql)
{
	struct db *admin = connect_to(NULL), *db;
	struct strbuf s = STRBUF_INIT;
	char *name = db_name(suffix);
	strbuf_addf(&s, "DROP DATABASE IF EXISTS %s; CREATE DATABASE %s %s", name, name,
		    options ? options : "");
	exec_sql(admin, s.buf);
	db_close(admin);
	db = connect_to(name);
	exec_sql(db, sql);
	strbuf_release(&s);
	free(name);
	return db;
}

static int setup(void **state)
{
	base_url = getenv("FW_TEST_MYSQL_URL");
	if (base_url && !*base_url)
		base_url = NULL;
	user = getenv("FW_TEST_MYSQL_USER");
	if (!user || !*user)
		user = "fleetway";
	snprintf(prefix, sizeof(prefix), "fwt_%d", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	static const char *const suffixes[] = { "a", "b", "latin", NULL };
	struct db *db;
	if (!base_url)
		return 0;
	db = connect_to(NULL);
	for (int i = 0; suffixes[i]; i++) {
		struct strbuf s = STRBUF_INIT;
		char *name = db_name(suffixes[i]);
		strbuf_addf(&s, "DROP DATABASE IF EXISTS %s", name);
		exec_sql(db, s.buf);
		strbuf_release(&s);
		free(name);
	}
	db_close(db);
	return 0;
}

static const char shape_a[] =
	"CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY,"
	" email VARCHAR(100) NOT NULL COLLATE utf8mb4_bin,"
	" created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,"
	" note TEXT DEFAULT 'x', n INT DEFAULT 0, d DATETIME(3) DEFAULT NOW(3),"
	" g INT AS (n * 2) VIRTUAL, UNIQUE KEY uk_email (email), KEY k_n (n, note(10)),"
	" CONSTRAINT chk_n CHECK (n >= 0)) ENGINE=InnoDB COMMENT 'cust';"
	"CREATE TABLE orders (id BIGINT NOT NULL AUTO_INCREMENT, cid INT, total DECIMAL(10,2),"
	" PRIMARY KEY (id), CONSTRAINT fk_c FOREIGN KEY (cid) REFERENCES customers(id)"
	" ON DELETE CASCADE);"
	"CREATE VIEW v AS SELECT id, email FROM customers WHERE n > 1;"
	"CREATE FUNCTION f(a INT) RETURNS INT DETERMINISTIC RETURN a + 1;"
	"CREATE PROCEDURE p(IN a INT, OUT b VARCHAR(10)) BEGIN SELECT a INTO b; END;"
	"CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = COALESCE(NEW.total, 0);"
	"CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM orders WHERE id < 0;"
	"CREATE TABLE events (id INT NOT NULL, ts DATE NOT NULL, PRIMARY KEY (id, ts))"
	" PARTITION BY RANGE (YEAR(ts)) (PARTITION p2023 VALUES LESS THAN (2024),"
	" PARTITION pmax VALUES LESS THAN MAXVALUE);"
	"CREATE SEQUENCE s START WITH 10 INCREMENT BY 5;"
	"CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version TEXT)";

static const char shape_b[] =
	"create table customers (id int(11) not null auto_increment,"
	" email varchar(100) character set utf8mb4 collate utf8mb4_bin not null,"
	" created timestamp not null default now() on update now(),"
	" note text default 'x', n int(11) default 0, d datetime(3) default current_timestamp(3),"
	" g int(11) generated always as (n*2) virtual, primary key (id)) comment = 'cust';"
	"alter table customers add unique key uk_email (email);"
	"create index k_n on customers (n, note(10));"
	"alter table customers add constraint chk_n check (n>=0);"
	"create table orders (id bigint(20) not null auto_increment primary key, cid int(11),"
	" total decimal(10,2));"
	"alter table orders add constraint fk_c foreign key (cid) references customers (id)"
	" on delete cascade;"
	"create view v as select id, email from customers where n>1;"
	"create function f(a int(11)) returns int(11) deterministic RETURN a + 1;"
	"create procedure p(in a int, out b varchar(10)) BEGIN SELECT a INTO b; END;"
	"create trigger t before insert on orders for each row"
	" SET NEW.total = COALESCE(NEW.total, 0);"
	"create event e on schedule every 1 day DO DELETE FROM orders WHERE id < 0;"
	"create table events (id int(11) not null, ts date not null, primary key (id, ts))"
	" partition by range (year(ts)) (partition p2023 values less than (2024),"
	" partition pmax values less than maxvalue);"
	"create sequence s increment by 5 start with 10";

static void test_model_contents(void **state)
{
	struct db *db;
	struct fw_schema s;
	const struct fw_object *o;
	char *a;
	NEED_SERVER();
	db = fresh_db("a", NULL, shape_a);
	a = db_name("a");
	read_ok(db, a, NULL, &s);
	assert_null(fw_schema_find(&s, FW_OBJ_TABLE, NULL, "flyway_schema_history"));
	assert_null(fw_schema_find(&s, FW_OBJ_INDEX, "flyway_schema_history", "PRIMARY"));
	o = fw_schema_find(&s, FW_OBJ_TABLE, NULL, "customers");
	assert_non_null(o);
	assert_non_null(strstr(o->definition, "  `id` int NOT NULL AUTO_INCREMENT,\n"));
	assert_non_null(strstr(o->definition, "  `email` varchar(100) COLLATE utf8mb4_bin NOT NULL,"));
	assert_non_null(strstr(o->definition, "DEFAULT current_timestamp() ON UPDATE current_timestamp()"));
	assert_non_null(strstr(o->definition, "  `d` datetime(3) DEFAULT current_timestamp(3),"));
	assert_non_null(strstr(o->definition, "COMMENT='cust'"));
	assert_null(strstr(o->definition, "AUTO_INCREMENT="));
	assert_string_equal(o->columns[0].identity, "AUTO_INCREMENT");
	assert_string_equal(fw_attrs_get(&o->columns[2].attrs, "on_update"), "current_timestamp()");
	assert_string_equal(o->columns[6].generated, "`n` * 2");
	assert_false(o->columns[6].generated_stored);
	o = fw_schema_find(&s, FW_OBJ_INDEX, "customers", "k_n");
	assert_non_null(o);
	assert_string_equal(o->index->columns.v[1], "`note`(10)");
	assert_non_null(fw_schema_find(&s, FW_OBJ_INDEX, "customers", "PRIMARY"));
	o = fw_schema_find(&s, FW_OBJ_CONSTRAINT, "orders", "fk_c");
	assert_non_null(o);
	assert_string_equal(o->constraints[0].on_delete, "CASCADE");
	assert_null(o->constraints[0].on_update);
	assert_non_null(fw_schema_find(&s, FW_OBJ_CONSTRAINT, "customers", "chk_n"));
	o = fw_schema_find(&s, FW_OBJ_VIEW, NULL, "v");
	assert_non_null(o);
	assert_null(strstr(o->definition, a));   /* the view body names no schema */
	assert_non_null(fw_schema_find(&s, FW_OBJ_FUNCTION, NULL, "f"));
	o = fw_schema_find(&s, FW_OBJ_PROCEDURE, NULL, "p");
	assert_true(!strncmp(o->definition, "CREATE PROCEDURE `p`(IN `a` int, OUT `b` varchar(10))",
			     53));
	assert_non_null(fw_schema_find(&s, FW_OBJ_TRIGGER, "orders", "t"));
	o = fw_schema_find(&s, FW_OBJ_TABLE, NULL, "events");
	assert_non_null(strstr(o->definition, "\nPARTITION BY RANGE (year(`ts`))\n"
				    "(PARTITION `p2023` VALUES LESS THAN (2024),\n"
				    " PARTITION `pmax` VALUES LESS THAN MAXVALUE);"));
	o = fw_schema_find(&s, FW_OBJ_SEQUENCE, NULL, "s");
	assert_non_null(o);
	assert_non_null(strstr(o->definition, "increment by 5"));
	o = fw_schema_find(&s, FW_OBJ_EVENT, NULL, "e");
	assert_non_null(o);
	assert_null(strstr(o->definition, "STARTS"));
	expect_round_trip("mysql", &s);
	fw_schema_release(&s);
	free(a);
	db_close(db);
}

static void test_two_spellings_and_hand_changes(void **state)
{
	static const struct hand_change changes[] = {
		{ "a column's type", "ALTER TABLE customers MODIFY note VARCHAR(200) DEFAULT 'x'",
		  "ALTER TABLE customers MODIFY note TEXT DEFAULT 'x'", 'd', FW_OBJ_TABLE,
		  "customers", "column note: type text -> varchar(200)" },
		{ "a column's default", "ALTER TABLE customers ALTER n SET DEFAULT 1",
		  "ALTER TABLE customers ALTER n SET DEFAULT 0", 'd', FW_OBJ_TABLE, "customers",
		  "column n: default 0 -> 1" },
		{ "a column NOT NULL", "ALTER TABLE orders MODIFY total DECIMAL(10,2) NOT NULL",
		  "ALTER TABLE orders MODIFY total DECIMAL(10,2)", 'd', FW_OBJ_TABLE, "orders",
		  "column total: nullable -> NOT NULL" },
		{ "a table comment", "ALTER TABLE orders COMMENT 'all orders'",
		  "ALTER TABLE orders COMMENT ''", 'd', FW_OBJ_TABLE, "orders", NULL },
		{ "an index's columns", "DROP INDEX k_n ON customers; CREATE INDEX k_n ON customers (n)",
		  "DROP INDEX k_n ON customers; CREATE INDEX k_n ON customers (n, note(10))", 'd',
		  FW_OBJ_INDEX, "k_n", "index columns: (`n`, `note`(10)) -> (`n`)" },
		{ "a view's body", "CREATE OR REPLACE VIEW v AS SELECT id, email FROM customers"
		  " WHERE n > 2", "CREATE OR REPLACE VIEW v AS SELECT id, email FROM customers"
		  " WHERE n > 1", 'd', FW_OBJ_VIEW, "v", NULL },
		{ "a function's body", "DROP FUNCTION f; CREATE FUNCTION f(a INT) RETURNS INT"
		  " DETERMINISTIC RETURN a + 2", "DROP FUNCTION f; CREATE FUNCTION f(a INT)"
		  " RETURNS INT DETERMINISTIC RETURN a + 1", 'd', FW_OBJ_FUNCTION, "f", NULL },
		{ "a procedure's parameters", "DROP PROCEDURE p; CREATE PROCEDURE p(IN a INT,"
		  " OUT b VARCHAR(20)) BEGIN SELECT a INTO b; END", "DROP PROCEDURE p;"
		  " CREATE PROCEDURE p(IN a INT, OUT b VARCHAR(10)) BEGIN SELECT a INTO b; END",
		  'd', FW_OBJ_PROCEDURE, "p", NULL },
		{ "a trigger's event", "DROP TRIGGER t; CREATE TRIGGER t BEFORE UPDATE ON orders"
		  " FOR EACH ROW SET NEW.total = COALESCE(NEW.total, 0)", "DROP TRIGGER t;"
		  " CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW"
		  " SET NEW.total = COALESCE(NEW.total, 0)", 'd', FW_OBJ_TRIGGER, "t", NULL },
		{ "a check", "ALTER TABLE customers DROP CONSTRAINT chk_n,"
		  " ADD CONSTRAINT chk_n CHECK (n >= -1)", "ALTER TABLE customers DROP CONSTRAINT"
		  " chk_n, ADD CONSTRAINT chk_n CHECK (n >= 0)", 'd', FW_OBJ_CONSTRAINT, "chk_n",
		  NULL },
		{ "a foreign key's action", "ALTER TABLE orders DROP FOREIGN KEY fk_c;"
		  " ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (cid) REFERENCES customers(id)"
		  " ON DELETE SET NULL", "ALTER TABLE orders DROP FOREIGN KEY fk_c;"
		  " ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (cid) REFERENCES customers(id)"
		  " ON DELETE CASCADE", 'd', FW_OBJ_CONSTRAINT, "fk_c", NULL },
		{ "an event's schedule", "ALTER EVENT e ON SCHEDULE EVERY 2 DAY",
		  "ALTER EVENT e ON SCHEDULE EVERY 1 DAY", 'd', FW_OBJ_EVENT, "e", NULL },
		{ "a partition added", "ALTER TABLE events REORGANIZE PARTITION pmax INTO"
		  " (PARTITION p2024 VALUES LESS THAN (2025), PARTITION pmax VALUES LESS THAN"
		  " MAXVALUE)", "ALTER TABLE events DROP PARTITION p2024", 'd', FW_OBJ_TABLE,
		  "events", NULL },
		{ "a sequence's step", "ALTER SEQUENCE s INCREMENT BY 6",
		  "ALTER SEQUENCE s INCREMENT BY 5", 'd', FW_OBJ_SEQUENCE, "s", NULL },
		{ "an index added", "CREATE INDEX by_total ON orders (total)",
		  "DROP INDEX by_total ON orders", 't', FW_OBJ_INDEX, "by_total", NULL },
	};
	struct db *da, *db;
	struct fw_schema sa, sb;
	char *a, *b;
	NEED_SERVER();
	da = fresh_db("a", NULL, shape_a);
	db = fresh_db("b", NULL, shape_b);
	a = db_name("a");
	b = db_name("b");
	read_ok(da, a, NULL, &sa);
	read_ok(db, b, NULL, &sb);
	expect_same(&sa, &sb);
	fw_schema_release(&sb);
	/* rows, and the AUTO_INCREMENT counter they move, are no part of the model */
	exec_sql(db, "INSERT INTO customers (email) VALUES ('x'), ('y');"
		 " INSERT INTO orders (cid, total) VALUES (1, 5)");
	read_ok(db, b, NULL, &sb);
	expect_same(&sa, &sb);
	fw_schema_release(&sb);
	run_hand_changes(db, b, &sa, NULL, changes, sizeof(changes) / sizeof(changes[0]));
	fw_schema_release(&sa);
	free(a);
	free(b);
	db_close(da);
	db_close(db);
}

static int database_exists(struct db *db, const char *name)
{
	int exists = 0;
	struct fw_error err = FW_ERROR_INIT;
	if (db_schema_exists(db, name, &exists, &err) < 0)
		fail_msg("%s", err.message.buf);
	return exists;
}

static void test_scratch(void **state)
{
	struct db *target, *scratch = NULL;
	struct fw_error err = FW_ERROR_INIT;
	struct fw_schema t, built;
	struct fw_schema_opts as_target = { 0 };
	struct db_result *r;
	char *latin, *name;
	NEED_SERVER();
	/* tables created without a character set take the database's */
	target = fresh_db("latin", "CHARACTER SET latin1 COLLATE latin1_swedish_ci", shape_a);
	latin = db_name("latin");
	assert_int_equal(db_scratch_create(target, latin, &scratch, &err), 0);
	name = xstrdup(db_scratch_schema(scratch));
	assert_true(!strncmp(name, "fleetway_scratch_", 17));
	assert_true(database_exists(target, name));
	assert_int_equal(db_query(scratch, "SELECT DATABASE(), @@character_set_database", 0, NULL,
				  &r, &err), 0);
	assert_string_equal(db_value(r, 0, 0), name);   /* the connection is in it */
	assert_string_equal(db_value(r, 0, 1), "latin1");
	db_result_free(r);
	exec_sql(scratch, shape_b);
	as_target.record_as = latin;
	read_ok(target, latin, NULL, &t);
	read_ok(scratch, name, &as_target, &built);
	assert_string_equal(built.name, latin);
	assert_string_equal(fw_attrs_get(&fw_schema_find(&built, FW_OBJ_TABLE, NULL,
							  "orders")->attrs, "collation"),
			    "latin1_swedish_ci");
	expect_same(&t, &built);
	assert_int_equal(db_scratch_drop(target, scratch, &err), 0);
	assert_false(database_exists(target, name));
	fw_schema_release(&t);
	fw_schema_release(&built);
	free(name);
	free(latin);
	db_close(target);
}

/* mariadb-dump's spelling (SHOW CREATE text, versioned comments, definers),
 * restored into another database, reads as the same model */
static void test_dump_and_restore(void **state)
{
	struct db *a, *b;
	struct fw_error err = FW_ERROR_INIT;
	struct fw_schema orig, restored;
	struct fw_schema_opts as_a = { 0 };
	struct db_url u;
	struct strbuf cmd = STRBUF_INIT, conn = STRBUF_INIT;
	char *na, *nb;
	NEED_SERVER();
	if (system("mariadb-dump --version >/dev/null 2>&1 && mariadb --version >/dev/null 2>&1"))
		skip();
	a = fresh_db("a", NULL, shape_a);
	b = fresh_db("b", NULL, "DO 1");
	na = db_name("a");
	nb = db_name("b");
	assert_int_equal(db_url_parse(base_url, &u, &err), 0);
	strbuf_addf(&conn, "-h %s -P %d -u %s", u.host, u.port ? u.port : 3306, user);
	strbuf_addf(&cmd, "mariadb-dump %s --no-data --routines --events --triggers %s"
		    " | mariadb %s %s", conn.buf, na, conn.buf, nb);
	if (system(cmd.buf) != 0)
		fail_msg("%s failed", cmd.buf);
	as_a.record_as = na;
	read_ok(a, na, NULL, &orig);
	read_ok(b, nb, &as_a, &restored);
	if (orig.nobjects < 15)
		fail_msg("only %zu objects", orig.nobjects);
	expect_same(&orig, &restored);
	fw_schema_release(&orig);
	fw_schema_release(&restored);
	db_url_release(&u);
	strbuf_release(&cmd);
	strbuf_release(&conn);
	free(na);
	free(nb);
	db_close(a);
	db_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_contents),
		cmocka_unit_test(test_two_spellings_and_hand_changes),
		cmocka_unit_test(test_scratch),
		cmocka_unit_test(test_dump_and_restore),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
