/* The SQLite catalog reader against real database files: what is in the
 * model and what is left out, two databases built the same way with other
 * spellings compare equal, hand-made changes show as named differences,
 * snapshots round-trip, scratch databases. */
#include "schema-test.h"
#include <unistd.h>

static char dir[64];

static struct db *open_file(const char *name)
{
	struct strbuf url = STRBUF_INIT;
	struct db_params p = { 0 };
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	strbuf_addf(&url, "jdbc:sqlite:%s/%s", dir, name);
	p.url = url.buf;
	if (db_open(&p, &db, &err) < 0)
		fail_msg("open %s: %s", url.buf, err.message.buf);
	strbuf_release(&url);
	return db;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/fw-schema-sqlite-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	struct strbuf cmd = STRBUF_INIT;
	strbuf_addf(&cmd, "rm -rf '%s'", dir);
	int ret = system(cmd.buf);
	strbuf_release(&cmd);
	return ret;
}

/* one shape, two spellings: the second as a later migration history might
 * leave it (renames, ADD COLUMN, other quotes and case) */
static const char shape_a[] =
	"CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
	" email TEXT COLLATE NOCASE, created TEXT DEFAULT CURRENT_TIMESTAMP);"
	"CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INT REFERENCES users(id)"
	" ON DELETE CASCADE, total INT, doubled INT GENERATED ALWAYS AS (total * 2) STORED,"
	" CONSTRAINT total_positive CHECK (total > 0)) STRICT;"
	"CREATE INDEX users_name ON users(name) WHERE name <> '';"
	"CREATE VIEW active AS SELECT id, name FROM users WHERE id > 0;"
	"CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN"
	" UPDATE users SET created = CURRENT_TIMESTAMP WHERE id = new.id; END;"
	"CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;";

static const char shape_b[] =
	"create table \"users_old\" ( [id] integer primary key autoincrement ,"
	" `name` text not null unique, email text collate NOCASE );"
	"alter table users_old rename to users;"
	"alter table users add column created   TEXT   default current_timestamp;"
	"create table orders(id integer primary key, user_id int references \"users\"(id)"
	" on delete cascade, total int, doubled int generated always as (total*2) stored,"
	" constraint total_positive check(total>0)) strict;"
	"create index users_name on users ( name ) where name<>'';"
	"create view active as select id, name from users where id>0;"
	"create trigger users_touch after update on users begin"
	" update users set created = current_timestamp where id = new.id; end;"
	"create table kv(k text primary key, v blob) without rowid;";

/* what a migrated database holds besides the schema */
static const char housekeeping[] =
	"CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version TEXT);"
	"CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (version);"
	"CREATE TRIGGER fsh_guard BEFORE DELETE ON flyway_schema_history BEGIN SELECT 1; END;"
	"CREATE TABLE flyway_snapshot_history (id INT);"
	"INSERT INTO users (name) VALUES ('a');";

static struct db *build(const char *file, const char *shape)
{
	struct db *db = open_file(file);
	exec_sql(db, shape);
	exec_sql(db, housekeeping);
	return db;
}

static void test_read_and_exclusions(void **state)
{
	static const char *const want[] = {
		"Table kv", "Table orders", "Table search", "Table users", "View active",
		"Index users_name", "Trigger users_touch",
	};
	struct db *db = build("read.db", shape_a);
	struct fw_schema s;
	const struct fw_object *o;
	exec_sql(db, "CREATE VIRTUAL TABLE search USING fts5(body)");
	read_ok(db, NULL, NULL, &s);
	assert_string_equal(s.name, "main");
	/* no sqlite_sequence, no sqlite_autoindex_*, no fts5 shadow tables, no
	 * history table with its index and trigger, no snapshot history */
	assert_int_equal(s.nobjects, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < s.nobjects; i++) {
		struct strbuf id = STRBUF_INIT;
		strbuf_addf(&id, "%s %s", fw_obj_type_name(s.objects[i].type), s.objects[i].name);
		assert_string_equal(id.buf, want[i]);
		strbuf_release(&id);
	}
	o = fw_schema_find(&s, FW_OBJ_TABLE, NULL, "orders");
	assert_non_null(o);
	assert_string_equal(fw_attrs_get(&o->attrs, "strict"), "true");
	assert_string_equal(o->columns[3].generated, "total * 2");
	assert_int_equal(o->nconstraints, 3);
	assert_string_equal(o->constraints[2].name, "total_positive");
	assert_int_equal(o->constraints[2].kind, FW_CON_CHECK);
	assert_int_equal(o->constraints[1].kind, FW_CON_FOREIGN_KEY);
	o = fw_schema_find(&s, FW_OBJ_TABLE, NULL, "users");
	assert_string_equal(o->columns[2].collation, "NOCASE");
	assert_string_equal(o->columns[3].default_expr, "CURRENT_TIMESTAMP");
	o = fw_schema_find(&s, FW_OBJ_INDEX, "users", "users_name");
	assert_non_null(o);
	assert_string_equal(o->index->predicate, "name <> ''");
	assert_string_equal(fw_attrs_get(&fw_schema_find(&s, FW_OBJ_TABLE, NULL, "search")->attrs,
					 "virtual"), "fts5");
	expect_round_trip("sqlite", &s);
	fw_schema_release(&s);
	db_close(db);
}

static void test_same_shape_same_model(void **state)
{
	struct db *a = build("a.db", shape_a), *b = build("b.db", shape_b);
	struct fw_schema sa, sb;
	read_ok(a, "main", NULL, &sa);
	read_ok(b, "main", NULL, &sb);
	expect_same(&sa, &sb);
	fw_schema_release(&sa);
	fw_schema_release(&sb);
	db_close(a);
	db_close(b);
}

static void test_hand_changes(void **state)
{
	static const struct hand_change changes[] = {
		{ "a column added", "ALTER TABLE users ADD COLUMN nick TEXT",
		  "ALTER TABLE users DROP COLUMN nick", 'd', FW_OBJ_TABLE, "users",
		  "column nick: only in target" },
		{ "an index's columns", "DROP INDEX users_name;"
		  " CREATE INDEX users_name ON users(name, email) WHERE name <> ''",
		  "DROP INDEX users_name; CREATE INDEX users_name ON users(name) WHERE name <> ''",
		  'd', FW_OBJ_INDEX, "users_name", "index columns: (name) -> (name, email)" },
		{ "a view's body", "DROP VIEW active;"
		  " CREATE VIEW active AS SELECT id, name FROM users WHERE id > 10",
		  "DROP VIEW active; CREATE VIEW active AS SELECT id, name FROM users WHERE id > 0",
		  'd', FW_OBJ_VIEW, "active", NULL },
		{ "a trigger's timing", "DROP TRIGGER users_touch; CREATE TRIGGER users_touch"
		  " BEFORE UPDATE ON users BEGIN UPDATE users SET created = CURRENT_TIMESTAMP"
		  " WHERE id = new.id; END",
		  "DROP TRIGGER users_touch; CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN"
		  " UPDATE users SET created = CURRENT_TIMESTAMP WHERE id = new.id; END",
		  'd', FW_OBJ_TRIGGER, "users_touch", NULL },
		{ "a constraint", "DROP TABLE orders; CREATE TABLE orders (id INTEGER PRIMARY KEY,"
		  " user_id INT REFERENCES users(id) ON DELETE CASCADE, total INT,"
		  " doubled INT GENERATED ALWAYS AS (total * 2) STORED,"
		  " CONSTRAINT total_positive CHECK (total > 10)) STRICT",
		  "DROP TABLE orders; CREATE TABLE orders (id INTEGER PRIMARY KEY,"
		  " user_id INT REFERENCES users(id) ON DELETE CASCADE, total INT,"
		  " doubled INT GENERATED ALWAYS AS (total * 2) STORED,"
		  " CONSTRAINT total_positive CHECK (total > 0)) STRICT",
		  'd', FW_OBJ_TABLE, "orders",
		  "constraint total_positive: CHECK (total > 0) -> CHECK (total > 10)" },
		{ "a column's type", "DROP TABLE kv; CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)"
		  " WITHOUT ROWID",
		  "DROP TABLE kv; CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID",
		  'd', FW_OBJ_TABLE, "kv", "column v: type BLOB -> TEXT" },
		{ "an index dropped", "DROP INDEX users_name",
		  "CREATE INDEX users_name ON users(name) WHERE name <> ''",
		  's', FW_OBJ_INDEX, "users_name", NULL },
		{ "a table added", "CREATE TABLE extra (x INT)", "DROP TABLE extra",
		  't', FW_OBJ_TABLE, "extra", NULL },
	};
	struct db *a = build("ha.db", shape_a), *b = build("hb.db", shape_b);
	struct fw_schema sa;
	read_ok(a, "main", NULL, &sa);
	run_hand_changes(b, "main", &sa, NULL, changes, sizeof(changes) / sizeof(changes[0]));
	/* rows are no part of the model */
	exec_sql(b, "INSERT INTO users (name) VALUES ('b'), ('c'); DELETE FROM users WHERE id = 1");
	{
		struct fw_schema sb;
		read_ok(b, "main", NULL, &sb);
		expect_same(&sa, &sb);
		fw_schema_release(&sb);
	}
	fw_schema_release(&sa);
	db_close(a);
	db_close(b);
}

static void test_attached_and_options(void **state)
{
	struct db *db = open_file("main.db");
	struct strbuf sql = STRBUF_INIT;
	struct fw_schema s;
	struct fw_error err = FW_ERROR_INIT;
	struct strvec more = STRVEC_INIT;
	struct fw_schema_opts opts = { .history_table = "changelog", .exclude = &more,
				       .record_as = "app" };
	strbuf_addf(&sql, "ATTACH DATABASE '%s/other.db' AS other;"
		    "CREATE TABLE other.changelog (x INT); CREATE TABLE other.audit (x INT);"
		    "CREATE TABLE other.flyway_schema_history (x INT); CREATE TABLE other.t (x INT)",
		    dir);
	exec_sql(db, sql.buf);
	strvec_push(&more, "audit");
	read_ok(db, "other", &opts, &s);
	assert_string_equal(s.name, "app");   /* record_as */
	/* the configured history table and the extra exclusion are left out,
	 * a table merely named like Flyway's default one is not */
	assert_int_equal(s.nobjects, 2);
	assert_string_equal(s.objects[0].name, "flyway_schema_history");
	assert_string_equal(s.objects[1].name, "t");
	fw_schema_release(&s);
	/* a schema that is not there */
	assert_int_equal(db_read_schema(db, "nowhere", NULL, &s, &err), -1);
	assert_true(!strncmp(err.message.buf, "schema nowhere does not exist in jdbc:sqlite:/", 46));
	fw_error_clear(&err);
	fw_schema_release(&s);   /* released already: a second release is harmless */
	strvec_clear(&more);
	strbuf_release(&sql);
	db_close(db);
}

static void test_scratch(void **state)
{
	struct db *db = build("target.db", shape_a), *scratch = NULL;
	struct fw_error err = FW_ERROR_INIT;
	struct fw_schema target, built;
	assert_int_equal(db_scratch_create(db, NULL, &scratch, &err), 0);
	assert_string_equal(db_scratch_schema(scratch), "main");
	assert_null(db_scratch_schema(db));
	/* replaying the migrations into the scratch gives the target's model */
	exec_sql(scratch, shape_b);
	read_ok(db, "main", NULL, &target);
	read_ok(scratch, db_scratch_schema(scratch), NULL, &built);
	expect_same(&target, &built);
	fw_schema_release(&built);
	assert_int_equal(db_scratch_drop(db, scratch, &err), 0);
	/* the target was not touched */
	read_ok(db, "main", NULL, &built);
	expect_same(&target, &built);
	fw_schema_release(&built);
	fw_schema_release(&target);
	assert_int_equal(db_scratch_drop(db, NULL, &err), 0);
	db_close(db);
}

static void test_fault_leaves_nothing(void **state)
{
	struct db *db;
	struct fw_schema s;
	struct fw_error err = FW_ERROR_INIT;
	setenv("FLEETWAY_FAULT_INJECT", "read_schema:1", 1);
	db = open_file("fault.db");
	unsetenv("FLEETWAY_FAULT_INJECT");
	assert_int_equal(db_read_schema(db, "main", NULL, &s, &err), -1);
	assert_non_null(strstr(err.message.buf, "injected fault: db_read_schema"));
	assert_int_equal(s.nobjects, 0);
	assert_null(s.objects);
	fw_error_clear(&err);
	read_ok(db, "main", NULL, &s);   /* the second call goes through */
	fw_schema_release(&s);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_and_exclusions),
		cmocka_unit_test(test_same_shape_same_model),
		cmocka_unit_test(test_hand_changes),
		cmocka_unit_test(test_attached_and_options),
		cmocka_unit_test(test_scratch),
		cmocka_unit_test(test_fault_leaves_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
