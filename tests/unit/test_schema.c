/* The schema model without a database: SHA-256, the SQLite CREATE statement
 * reader (spellings that mean the same compare equal, real changes show),
 * fingerprints, snapshot JSON (round trip, every error names its place) and
 * the diff (Flyway's report shape, details naming columns, stable ids). */
#include "schema-test.h"
#include "schema/sqlite-ddl.h"
#include "util/sha256.h"
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- SHA-256 (FIPS 180-4 examples) ---- */

static void sha_hex(const char *const *parts, char out[FW_SHA256_HEX_LEN + 1])
{
	struct fw_sha256 h;
	fw_sha256_init(&h);
	for (size_t i = 0; parts[i]; i++)
		fw_sha256_update(&h, parts[i], strlen(parts[i]));
	fw_sha256_hex(&h, out);
}

static void test_sha256_vectors(void **state)
{
	static const char *const empty[] = { NULL };
	static const char *const abc[] = { "a", "bc", NULL };
	static const char *const two_blocks[] = {
		"abcdbcdecdefdefgefghfghighijhijki", "jkljklmklmnlmnomnopnopq", NULL
	};
	char hex[FW_SHA256_HEX_LEN + 1];
	char chunk[1000];
	struct fw_sha256 h;

	sha_hex(empty, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha_hex(abc, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha_hex(two_blocks, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* a million 'a', in pieces of odd sizes across block boundaries */
	memset(chunk, 'a', sizeof(chunk));
	fw_sha256_init(&h);
	for (size_t done = 0, step = 1; done < 1000000; step = step % 997 + 1) {
		size_t n = step < 1000000 - done ? step : 1000000 - done;
		fw_sha256_update(&h, chunk, n);
		done += n;
	}
	fw_sha256_hex(&h, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- the SQLite CREATE reader ---- */

/* the canonical definition of sql read as an object of type t (caller frees) */
static char *canonical(enum fw_obj_type t, const char *sql, int expect_ret)
{
	struct fw_schema s;
	struct fw_object *o;
	char *def;
	fw_schema_init(&s, "main");
	o = fw_schema_add(&s, t, "x", NULL);
	if (fw_sqlite_ddl_parse(sql, strlen(sql), o) != expect_ret)
		fail_msg("parse of '%s' did not return %d", sql, expect_ret);
	def = xstrdup(o->definition);
	fw_schema_release(&s);
	return def;
}

static void expect_same_text(enum fw_obj_type t, const char *a, const char *b)
{
	char *ca = canonical(t, a, 0), *cb = canonical(t, b, 0);
	if (strcmp(ca, cb))
		fail_msg("'%s' and '%s' should read the same:\n%s\n%s", a, b, ca, cb);
	free(ca);
	free(cb);
}

static void expect_other_text(enum fw_obj_type t, const char *a, const char *b)
{
	char *ca = canonical(t, a, 0), *cb = canonical(t, b, 0);
	if (!strcmp(ca, cb))
		fail_msg("'%s' and '%s' should read differently, both gave\n%s", a, b, ca);
	free(ca);
	free(cb);
}

static void test_sqlite_spellings_equal(void **state)
{
	static const char *const tables[] = {
		"CREATE TABLE a(x INTEGER, y TEXT DEFAULT 'q')",
		"create table \"a\" (x integer, y text default 'q')",
		"CREATE TABLE [a] ( `x` integer /* the key */ , \"y\"   TEXT   DEFAULT 'q' ) -- end",
		"CREATE TEMP TABLE IF NOT EXISTS main.a (x Integer,\n\ty text DEFAULT 'q');",
	};
	char *want = canonical(FW_OBJ_TABLE, tables[0], 0);
	assert_string_equal(want, "CREATE TABLE a (\n    x INTEGER,\n    y TEXT DEFAULT 'q'\n);");
	for (size_t i = 1; i < sizeof(tables) / sizeof(tables[0]); i++)
		expect_same_text(FW_OBJ_TABLE, tables[0], tables[i]);
	free(want);
	/* what ALTER TABLE ... RENAME leaves behind, against a fresh CREATE */
	expect_same_text(FW_OBJ_TABLE, "CREATE TABLE \"bb\"([c] int, `d` text, CHECK(c>0))",
			 "CREATE TABLE bb (c INT, d TEXT, CHECK (c > 0))");
	expect_same_text(FW_OBJ_INDEX, "create unique index i on a(x, lower(y) desc) where x>0",
			 "CREATE UNIQUE INDEX \"i\" ON \"a\" (\"x\", lower(\"y\") DESC) WHERE \"x\" > 0");
	expect_same_text(FW_OBJ_VIEW, "CREATE VIEW v as select xx from a",
			 "CREATE VIEW \"v\" AS SELECT \"xx\" FROM \"a\"");
	expect_same_text(FW_OBJ_TRIGGER,
			 "CREATE TRIGGER tr after insert on a begin select 1; end",
			 "create trigger \"tr\" AFTER INSERT ON a BEGIN SELECT 1 ; END");
	/* a keyword used as a name keeps its quotes, whichever quotes they were */
	expect_same_text(FW_OBJ_TABLE, "CREATE TABLE t([order] int)", "CREATE TABLE t(`order` int)");
}

static void test_sqlite_changes_differ(void **state)
{
	static const char base[] = "CREATE TABLE t (id INTEGER PRIMARY KEY, "
				   "n TEXT NOT NULL DEFAULT 'x' CHECK (length(n) > 0), "
				   "p INT REFERENCES p(id) ON DELETE CASCADE)";
	static const char *const changed[] = {
		"CREATE TABLE t (id INTEGER PRIMARY KEY, n VARCHAR NOT NULL DEFAULT 'x' "
		"CHECK (length(n) > 0), p INT REFERENCES p(id) ON DELETE CASCADE)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT DEFAULT 'x' "
		"CHECK (length(n) > 0), p INT REFERENCES p(id) ON DELETE CASCADE)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT NOT NULL DEFAULT 'y' "
		"CHECK (length(n) > 0), p INT REFERENCES p(id) ON DELETE CASCADE)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT NOT NULL DEFAULT 'x' "
		"CHECK (length(n) > 1), p INT REFERENCES p(id) ON DELETE CASCADE)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT NOT NULL DEFAULT 'x' "
		"COLLATE NOCASE CHECK (length(n) > 0), p INT REFERENCES p(id) ON DELETE CASCADE)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT NOT NULL DEFAULT 'x' "
		"CHECK (length(n) > 0), p INT REFERENCES p(id) ON DELETE SET NULL)",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT NOT NULL DEFAULT 'x' "
		"CHECK (length(n) > 0), p INT REFERENCES p(id) ON DELETE CASCADE) WITHOUT ROWID",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT NOT NULL DEFAULT 'x' "
		"CHECK (length(n) > 0), p INT REFERENCES p(id) ON DELETE CASCADE) STRICT",
		"CREATE TABLE t (id INTEGER PRIMARY KEY, p INT REFERENCES p(id) ON DELETE CASCADE, "
		"n TEXT NOT NULL DEFAULT 'x' CHECK (length(n) > 0))",
		"CREATE TABLE T (id INTEGER PRIMARY KEY, n TEXT NOT NULL DEFAULT 'x' "
		"CHECK (length(n) > 0), p INT REFERENCES p(id) ON DELETE CASCADE)",
	};
	for (size_t i = 0; i < sizeof(changed) / sizeof(changed[0]); i++)
		expect_other_text(FW_OBJ_TABLE, base, changed[i]);
	expect_other_text(FW_OBJ_TABLE, "CREATE TABLE g (a INT, b INT AS (a * 2) STORED)",
			  "CREATE TABLE g (a INT, b INT AS (a * 2) VIRTUAL)");
	expect_other_text(FW_OBJ_TABLE, "CREATE TABLE s (a TEXT DEFAULT 'a b')",
			  "CREATE TABLE s (a TEXT DEFAULT 'a  b')");
	expect_other_text(FW_OBJ_VIEW, "CREATE VIEW v AS SELECT a FROM t WHERE a > 1",
			  "CREATE VIEW v AS SELECT a FROM t WHERE a > 2");
	expect_other_text(FW_OBJ_INDEX, "CREATE INDEX i ON t(a)", "CREATE INDEX i ON t(a) WHERE a");
}

static void test_sqlite_structure(void **state)
{
	static const char sql[] =
		"create table t(id integer primary key autoincrement, "
		"name varchar(10) not null collate nocase unique, "
		"total real generated always as (price*qty) stored, price real default -1.5, "
		"qty int, pid int references p(id) on delete cascade, "
		"constraint u unique(name, qty), foreign key(pid, qty) references p(id, q) "
		"check (qty > 0)) without rowid, strict";
	struct fw_schema s;
	struct fw_object *o;
	const struct fw_constraint *c;
	fw_schema_init(&s, "main");
	o = fw_schema_add(&s, FW_OBJ_TABLE, "t", NULL);
	assert_int_equal(fw_sqlite_ddl_parse(sql, strlen(sql), o), 0);
	assert_int_equal(o->ncolumns, 6);
	assert_string_equal(o->columns[0].identity, "AUTOINCREMENT");
	assert_string_equal(o->columns[1].type, "VARCHAR(10)");
	assert_true(o->columns[1].not_null);
	assert_string_equal(o->columns[1].collation, "nocase");
	assert_string_equal(o->columns[2].generated, "price * qty");
	assert_true(o->columns[2].generated_stored);
	assert_string_equal(o->columns[3].default_expr, "-1.5");
	assert_null(o->columns[4].default_expr);
	assert_int_equal(o->nconstraints, 6);
	c = &o->constraints[0];
	assert_int_equal(c->kind, FW_CON_PRIMARY_KEY);
	assert_string_equal(c->columns.v[0], "id");
	c = &o->constraints[2];
	assert_int_equal(c->kind, FW_CON_FOREIGN_KEY);
	assert_string_equal(c->ref_table, "p");
	assert_string_equal(c->on_delete, "CASCADE");
	c = &o->constraints[3];
	assert_string_equal(c->name, "u");
	assert_int_equal(c->columns.nr, 2);
	assert_string_equal(c->definition, "UNIQUE (name, qty)");
	c = &o->constraints[4];
	assert_int_equal(c->ref_columns.nr, 2);
	assert_string_equal(c->ref_columns.v[1], "q");
	c = &o->constraints[5];
	assert_int_equal(c->kind, FW_CON_CHECK);
	assert_string_equal(c->expression, "qty > 0");
	assert_string_equal(fw_attrs_get(&o->attrs, "without_rowid"), "true");
	assert_string_equal(fw_attrs_get(&o->attrs, "strict"), "true");

	o = fw_schema_add(&s, FW_OBJ_INDEX, "i", "t");
	assert_int_equal(fw_sqlite_ddl_parse("CREATE UNIQUE INDEX i ON t (a, lower(b) DESC) WHERE a",
					     56, o), 0);
	assert_true(o->index->unique);
	assert_int_equal(o->index->columns.nr, 2);
	assert_string_equal(o->index->columns.v[0], "a");
	assert_string_equal(o->index->columns.v[1], "lower(b) DESC");
	assert_string_equal(o->index->predicate, "a");
	fw_schema_release(&s);
}

static void test_sqlite_unparsed(void **state)
{
	char *def = canonical(FW_OBJ_TABLE, "create table x as select 1 -- comment", -1);
	struct fw_schema s;
	struct fw_object *o;
	assert_string_equal(def, "CREATE TABLE x AS SELECT 1;");
	free(def);
	/* a half-read table keeps nothing of what the parser saw before failing */
	fw_schema_init(&s, "main");
	o = fw_schema_add(&s, FW_OBJ_TABLE, "y", NULL);
	assert_int_equal(fw_sqlite_ddl_parse("CREATE TABLE y (a INT, b INT NOT WHATEVER)", 42, o),
			 -1);
	assert_int_equal(o->ncolumns, 0);
	assert_int_equal(o->nconstraints, 0);
	assert_string_equal(o->definition, "CREATE TABLE y(a INT, b INT NOT WHATEVER);");
	o = fw_schema_add(&s, FW_OBJ_TABLE, "f", NULL);
	assert_int_equal(fw_sqlite_ddl_parse("CREATE VIRTUAL TABLE f USING fts5(a, b)", 39, o), 0);
	assert_string_equal(fw_attrs_get(&o->attrs, "virtual"), "fts5");
	assert_string_equal(o->definition, "CREATE VIRTUAL TABLE f USING fts5(a, b);");
	fw_schema_release(&s);
}

/* ---- fingerprints ---- */

static void add_obj(struct fw_schema *s, enum fw_obj_type t, const char *name, const char *parent,
		    const char *def)
{
	fw_object_set_definition(fw_schema_add(s, t, name, parent), def);
}

static void test_fingerprints(void **state)
{
	struct fw_schema a, b, c;
	fw_schema_init(&a, "one");
	fw_schema_init(&b, "two");
	fw_schema_init(&c, "one");
	add_obj(&a, FW_OBJ_TABLE, "t", NULL, "CREATE TABLE t (a int);");
	add_obj(&a, FW_OBJ_INDEX, "i", "t", "CREATE INDEX i ON t (a);");
	/* the same objects added the other way round, in a schema of another name */
	add_obj(&b, FW_OBJ_INDEX, "i", "t", "CREATE INDEX i ON t (a);");
	add_obj(&b, FW_OBJ_TABLE, "t", NULL, "CREATE TABLE t (a int);");
	/* one character apart */
	add_obj(&c, FW_OBJ_TABLE, "t", NULL, "CREATE TABLE t (a int) ;");
	add_obj(&c, FW_OBJ_INDEX, "i", "t", "CREATE INDEX i ON t (a);");
	fw_schema_finish(&a);
	fw_schema_finish(&b);
	fw_schema_finish(&c);
	assert_int_equal(strlen(a.fingerprint), 64);
	assert_string_equal(a.fingerprint, b.fingerprint);
	assert_string_not_equal(a.fingerprint, c.fingerprint);
	assert_int_equal(a.objects[0].type, FW_OBJ_TABLE);   /* sorted: tables before indexes */
	assert_string_equal(a.objects[1].fingerprint, c.objects[1].fingerprint);
	assert_string_not_equal(a.objects[0].fingerprint, c.objects[0].fingerprint);
	/* the parent is part of an object's identity */
	fw_schema_release(&c);
	fw_schema_init(&c, "one");
	add_obj(&c, FW_OBJ_TABLE, "t", NULL, "CREATE TABLE t (a int);");
	add_obj(&c, FW_OBJ_INDEX, "i", "u", "CREATE INDEX i ON t (a);");
	fw_schema_finish(&c);
	assert_string_not_equal(a.objects[1].fingerprint, c.objects[1].fingerprint);
	fw_schema_release(&a);
	fw_schema_release(&b);
	fw_schema_release(&c);
}

static void test_exclusions(void **state)
{
	struct strvec more = STRVEC_INIT;
	struct fw_schema_opts opts = { .history_table = "my_history", .exclude = &more };
	strvec_push(&more, "audit_log");
	assert_true(fw_schema_excluded(NULL, "flyway_schema_history"));
	assert_true(fw_schema_excluded(NULL, "flyway_snapshot_history"));
	assert_false(fw_schema_excluded(NULL, "users"));
	assert_true(fw_schema_excluded(&opts, "my_history"));
	assert_false(fw_schema_excluded(&opts, "flyway_schema_history"));
	assert_true(fw_schema_excluded(&opts, "flyway_snapshot_history"));
	assert_true(fw_schema_excluded(&opts, "audit_log"));
	assert_false(fw_schema_excluded(&opts, "Audit_log"));
	strvec_clear(&more);
}

/* ---- snapshots ---- */

/* a model with every kind of field set */
static void rich_model(struct fw_model *m)
{
	struct fw_schema *s;
	struct fw_object *o;
	struct fw_column *c;
	struct fw_constraint *k;
	struct fw_index *ix;
	fw_model_init(m, "postgresql", "PostgreSQL 15.4");
	fw_attrs_set(&m->meta, "source", "database");
	s = fw_model_add_schema(m, "app");
	o = fw_schema_add(s, FW_OBJ_TABLE, "t\"quote", NULL);
	fw_object_set_definition(o, "CREATE TABLE \"t\"\"quote\" (\n    id bigint\n);\n"
			      "COMMENT ON TABLE \"t\"\"quote\" IS 'tab\there, é, \\\\';");
	c = fw_object_add_column(o, "id", "bigint");
	c->not_null = 1;
	c->identity = xstrdup("ALWAYS");
	c->comment = xstrdup("the key");
	c = fw_object_add_column(o, "g", "integer");
	c->generated = xstrdup("id * 2");
	c->generated_stored = 1;
	c->collation = xstrdup("\"C\"");
	c->default_expr = xstrdup("0");
	fw_attrs_set(&c->attrs, "on_update", "current_timestamp()");
	k = fw_object_add_constraint(o, FW_CON_FOREIGN_KEY, "fk");
	strvec_push(&k->columns, "id");
	k->ref_table = xstrdup("other.t");
	strvec_push(&k->ref_columns, "x");
	k->on_delete = xstrdup("CASCADE");
	k->on_update = xstrdup("SET NULL");
	k->definition = xstrdup("FOREIGN KEY (id) REFERENCES other.t(x)");
	k = fw_object_add_constraint(o, FW_CON_CHECK, NULL);
	k->expression = xstrdup("id > 0");
	k->definition = xstrdup("CHECK (id > 0)");
	fw_attrs_set(&o->attrs, "engine", "InnoDB");
	o = fw_schema_add(s, FW_OBJ_INDEX, "i", "t\"quote");
	fw_object_set_definition(o, "CREATE INDEX i ON t (id) INCLUDE (g) WHERE id > 0;");
	ix = fw_object_set_index(o);
	ix->valid = 0;
	ix->method = xstrdup("btree");
	strvec_push(&ix->columns, "id DESC");
	strvec_push(&ix->include, "g");
	ix->predicate = xstrdup("id > 0");
	fw_schema_finish(s);
	fw_schema_finish(fw_model_add_schema(m, "empty"));
}

static void test_snapshot_round_trip(void **state)
{
	struct fw_model m, back;
	struct strbuf one = STRBUF_INIT, two = STRBUF_INIT;
	struct fw_error err = FW_ERROR_INIT;
	const struct fw_object *o;
	rich_model(&m);
	fw_snapshot_write(&m, &one);
	assert_non_null(strstr(one.buf, "\"format\" : \"fleetway-snapshot\""));
	assert_non_null(strstr(one.buf, "\"version\" : 1"));
	assert_int_equal(fw_snapshot_read(one.buf, one.len, "x.json", &back, &err), 0);
	fw_snapshot_write(&back, &two);
	assert_string_equal(one.buf, two.buf);
	assert_string_equal(back.dialect, "postgresql");
	assert_string_equal(back.product, "PostgreSQL 15.4");
	assert_string_equal(fw_attrs_get(&back.meta, "source"), "database");
	assert_int_equal(back.nschemas, 2);
	assert_string_equal(back.schemas[0].fingerprint, m.schemas[0].fingerprint);
	assert_string_equal(back.schemas[1].name, "empty");
	assert_int_equal(back.schemas[1].nobjects, 0);
	o = &back.schemas[0].objects[0];
	assert_string_equal(o->name, "t\"quote");
	assert_int_equal(o->ncolumns, 2);
	assert_true(o->columns[0].not_null);
	assert_string_equal(o->columns[0].comment, "the key");
	assert_true(o->columns[1].generated_stored);
	assert_string_equal(fw_attrs_get(&o->columns[1].attrs, "on_update"), "current_timestamp()");
	assert_null(o->constraints[1].name);
	assert_string_equal(o->constraints[0].on_update, "SET NULL");
	o = &back.schemas[0].objects[1];
	assert_string_equal(o->parent, "t\"quote");
	assert_false(o->index->valid);
	assert_string_equal(o->index->include.v[0], "g");
	fw_model_release(&m);
	fw_model_release(&back);
	strbuf_release(&one);
	strbuf_release(&two);
}

static void expect_read_error(const char *text, const char *message)
{
	struct fw_model m;
	struct fw_error err = FW_ERROR_INIT;
	if (fw_snapshot_read(text, strlen(text), "s.json", &m, &err) == 0)
		fail_msg("'%s' was read", text);
	if (!strstr(err.message.buf, message))
		fail_msg("'%s': message '%s' lacks '%s'", text, err.message.buf, message);
	assert_int_equal(m.nschemas, 0);
	fw_model_release(&m);
	fw_error_clear(&err);
}

#define HEAD "{\"format\":\"fleetway-snapshot\",\"version\":1,"
#define OBJ(x) HEAD "\"schemas\":[{\"name\":\"s\",\"objects\":[" x "]}]}"

static void test_snapshot_errors(void **state)
{
	expect_read_error("not json", "snapshot s.json:1:");
	expect_read_error("{\"format\":\"other\",\"version\":1}", "format: not \"fleetway-snapshot\"");
	expect_read_error("{\"version\":1}", "snapshot s.json: format: missing");
	expect_read_error("{\"format\":\"fleetway-snapshot\",\"version\":2}",
			  "snapshot s.json has format version 2; this fleetway reads version 1");
	expect_read_error("{\"format\":\"fleetway-snapshot\",\"version\":\"1\"}",
			  "version: missing or not a positive integer");
	expect_read_error(HEAD "\"schemas\":{}}", "schemas: expected an array");
	expect_read_error(HEAD "\"schemas\":[7]}", "schemas[0]: expected an object");
	expect_read_error(OBJ("{\"type\":\"Table\",\"definition\":\"x\"}"),
			  "schemas[0].objects[0].name: missing");
	expect_read_error(OBJ("{\"type\":\"Tabel\",\"name\":\"t\",\"definition\":\"x\"}"),
			  "schemas[0].objects[0].type: not an object type");
	expect_read_error(OBJ("{\"type\":\"Table\",\"name\":\"t\",\"definition\":\"x\","
			      "\"columns\":[{\"name\":\"a\",\"type\":\"int\",\"notNull\":\"yes\"}]}"),
			  "schemas[0].objects[0].columns[0].notNull: expected true or false");
	expect_read_error(OBJ("{\"type\":\"Index\",\"name\":\"i\",\"definition\":\"x\","
			      "\"index\":{\"columns\":[\"a\",3]}}"),
			  "schemas[0].objects[0].index.columns[1]: expected a string");
	expect_read_error(OBJ("{\"type\":\"Table\",\"name\":\"t\",\"definition\":\"x\","
			      "\"attributes\":{\"k\":1}}"),
			  "schemas[0].objects[0].attributes.k: expected a string");
	expect_read_error(OBJ("{\"type\":\"Table\",\"name\":\"t\",\"definition\":\"x\","
			      "\"constraints\":[{\"kind\":\"KEY\"}]}"),
			  "constraints[0].kind: not a constraint kind");
	expect_read_error(OBJ("{\"type\":\"Table\",\"name\":\"t\",\"definition\":\"x\"},"
			      "{\"type\":\"Table\",\"name\":\"t\",\"definition\":\"y\"}"),
			  "Table t appears twice");
	expect_read_error(HEAD "\"schemas\":[{\"name\":\"s\"},{\"name\":\"s\"}]}",
			  "schemas[1].name: a schema of this name appears twice");
	expect_read_error(HEAD "\"version\":1}", "duplicate object key");
}

static void test_snapshot_files(void **state)
{
	char dir[] = "/tmp/fw-snap-XXXXXX", path[256], bad[300];
	struct fw_model m, back;
	struct fw_error err = FW_ERROR_INIT;
	const char *const schemas[] = { "main", NULL };
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/snap.json", dir);
	rich_model(&m);
	assert_int_equal(fw_snapshot_save(&m, path, &err), 0);
	assert_int_equal(fw_snapshot_load(path, &back, &err), 0);
	assert_string_equal(back.schemas[0].fingerprint, m.schemas[0].fingerprint);
	fw_model_release(&back);
	/* a failed write is an error and leaves no half file */
	snprintf(bad, sizeof(bad), "%s/missing/snap.json", dir);
	assert_int_equal(fw_snapshot_save(&m, bad, &err), -1);
	assert_non_null(strstr(err.message.buf, "unable to write snapshot"));
	assert_non_null(strstr(err.message.buf, "No such file or directory"));
	fw_error_clear(&err);
	assert_int_equal(fw_snapshot_load(bad, &back, &err), -1);
	assert_non_null(strstr(err.message.buf, "unable to read snapshot"));
	fw_error_clear(&err);
	fw_model_release(&back);
	fw_model_release(&m);
	/* the empty database */
	fw_snapshot_empty(&m, "sqlite", schemas);
	assert_int_equal(fw_snapshot_save(&m, path, &err), 0);
	assert_int_equal(fw_snapshot_load(path, &back, &err), 0);
	assert_int_equal(back.nschemas, 1);
	assert_int_equal(back.schemas[0].nobjects, 0);
	assert_string_equal(fw_attrs_get(&back.meta, "source"), "empty");
	assert_string_equal(back.schemas[0].fingerprint, m.schemas[0].fingerprint);
	fw_model_release(&back);
	fw_model_release(&m);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);   /* nothing else was left there */
}

/* ---- the diff ---- */

static void table(struct fw_schema *s, const char *name, const char *def, const char *const *cols)
{
	struct fw_object *o = fw_schema_add(s, FW_OBJ_TABLE, name, NULL);
	fw_object_set_definition(o, def);
	for (size_t i = 0; cols[i]; i += 2)
		fw_object_add_column(o, cols[i], cols[i + 1]);
}

static void test_diff(void **state)
{
	static const char *const cols_a[] = { "id", "int", "email", "varchar(100)", "old", "text",
					      NULL };
	static const char *const cols_b[] = { "id", "int", "email", "varchar(200)", "new", "text",
					      NULL };
	struct fw_model a, b;
	struct fw_schema *sa, *sb;
	struct fw_diff d = FW_DIFF_INIT, again = FW_DIFF_INIT;
	json_t *j, *e;
	const char *key;
	json_t *v;
	size_t nkeys = 0;

	fw_model_init(&a, "postgresql", NULL);
	fw_model_init(&b, "postgresql", NULL);
	sa = fw_model_add_schema(&a, "app");
	sb = fw_model_add_schema(&b, "app");
	table(sa, "users", "CREATE TABLE users (a);", cols_a);
	table(sb, "users", "CREATE TABLE users (b);", cols_b);
	add_obj(sa, FW_OBJ_VIEW, "v", NULL, "CREATE VIEW v AS SELECT 1;");
	add_obj(sb, FW_OBJ_INDEX, "users_email", "users", "CREATE INDEX users_email ON users (email);");
	add_obj(sa, FW_OBJ_FUNCTION, "f()", NULL, "CREATE FUNCTION f() ...;");
	add_obj(sb, FW_OBJ_FUNCTION, "f()", NULL, "CREATE FUNCTION f() ...;");
	fw_schema_finish(sa);
	fw_schema_finish(sb);
	fw_diff_models(&a, &b, &d);
	assert_int_equal(d.only_in_source.nr, 1);
	assert_string_equal(d.only_in_source.v[0].name, "v");
	assert_string_equal(d.only_in_source.v[0].before, "CREATE VIEW v AS SELECT 1;");
	assert_null(d.only_in_source.v[0].after);
	assert_int_equal(d.only_in_target.nr, 1);
	assert_string_equal(d.only_in_target.v[0].name, "users_email");
	assert_string_equal(d.only_in_target.v[0].parent, "users");
	assert_int_equal(d.differences.nr, 1);
	e = NULL;
	assert_string_equal(d.differences.v[0].name, "users");
	assert_string_equal(d.differences.v[0].before, "CREATE TABLE users (a);");
	assert_string_equal(d.differences.v[0].after, "CREATE TABLE users (b);");
	assert_true(has_detail(&d.differences.v[0],
			       "column email: type varchar(100) -> varchar(200)"));
	assert_true(has_detail(&d.differences.v[0], "column old: only in source"));
	assert_true(has_detail(&d.differences.v[0], "column new: only in target"));
	assert_int_equal(d.differences.v[0].details.nr, 3);
	/* ids: stable, and told apart by type, parent and name */
	fw_diff_models(&a, &b, &again);
	assert_string_equal(d.differences.v[0].id, again.differences.v[0].id);
	assert_string_not_equal(d.differences.v[0].id, d.only_in_source.v[0].id);
	/* Flyway's field names */
	j = fw_diff_to_json(&d);
	assert_int_equal(json_array_size(json_object_get(j, "onlyInSource")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "onlyInTarget")), 1);
	e = json_array_get(json_object_get(j, "differences"), 0);
	json_object_foreach(e, key, v)
		nkeys++;
	assert_int_equal(nkeys, 7);   /* the six of Flyway, and details */
	assert_string_equal(json_string_value(json_object_get(e, "objectType")), "Table");
	assert_string_equal(json_string_value(json_object_get(e, "schema")), "app");
	assert_non_null(json_object_get(e, "definitionBefore"));
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(j, "onlyInSource"),
								   0), "definitionAfter")));
	json_decref(j);
	fw_diff_release(&d);
	fw_diff_release(&again);
	/* a schema on one side only: all its objects are listed, by their schema */
	fw_model_add_schema(&a, "extra");
	add_obj(&a.schemas[1], FW_OBJ_TABLE, "x", NULL, "CREATE TABLE x;");
	fw_schema_finish(&a.schemas[1]);
	fw_diff_models(&a, &b, &d);
	assert_int_equal(d.only_in_source.nr, 2);
	assert_string_equal(d.only_in_source.v[1].schema, "extra");
	fw_diff_release(&d);
	fw_diff_models(&b, &b, &d);
	assert_true(fw_diff_is_empty(&d));
	fw_diff_release(&d);
	fw_model_release(&a);
	fw_model_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sqlite_spellings_equal),
		cmocka_unit_test(test_sqlite_changes_differ),
		cmocka_unit_test(test_sqlite_structure),
		cmocka_unit_test(test_sqlite_unparsed),
		cmocka_unit_test(test_fingerprints),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_snapshot_round_trip),
		cmocka_unit_test(test_snapshot_errors),
		cmocka_unit_test(test_snapshot_files),
		cmocka_unit_test(test_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
