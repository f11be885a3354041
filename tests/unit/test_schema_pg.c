/* The PostgreSQL catalog reader against a real server: one shape built with
 * two spellings in two schemas (and in a scratch database) compares equal;
 * each hand-made change (a column, a default, an index, a view body, a
 * function, a trigger, a constraint, a domain, an enum, a comment, identity
 * options, row level security) shows as one named difference and its undoing
 * makes the schemas equal again; INVALID indexes are flagged; the history
 * table, extension members and partition clones stay out; the search_path is
 * put back, also after a failure; scratch databases, and the clear error
 * when the user may not create one.
 *
 * FW_TEST_PG_URL names a jdbc:postgresql URL of a superuser (the test server
 * of tests/run-all.sh); without it these tests are skipped. */
#include "schema-test.h"
#include <unistd.h>

static const char *base_url;
static char prefix[32];        /* fwt_<pid>: every schema and role of this run */

#define NEED_SERVER() do { if (!base_url) skip(); } while (0)

static struct db *connect_url(const char *url, const char *user)
{
	struct db_params p = { .url = url, .user = user };
	struct fw_error err = FW_ERROR_INIT;
	struct db *db = NULL;
	if (db_open(&p, &db, &err) < 0)
		fail_msg("db_open: %s / %s", err.message.buf, err.detail.buf);
	return db;
}

static struct db *connect_db(void)
{
	return connect_url(base_url, NULL);
}

/* the schema prefix_suffix, made empty, with sql run in it */
static void fresh_schema(struct db *db, const char *suffix, const char *sql)
{
	struct strbuf s = STRBUF_INIT;
	strbuf_addf(&s, "DROP SCHEMA IF EXISTS %s_%s CASCADE; CREATE SCHEMA %s_%s;"
		    " SET search_path TO %s_%s; %s; RESET search_path", prefix, suffix, prefix,
		    suffix, prefix, suffix, sql);
	exec_sql(db, s.buf);
	strbuf_release(&s);
}

static char *schema_name(const char *suffix)
{
	struct strbuf s = STRBUF_INIT;
	strbuf_addf(&s, "%s_%s", prefix, suffix);
	return strbuf_detach(&s, NULL);
}

static int setup(void **state)
{
	base_url = getenv("FW_TEST_PG_URL");
	if (base_url && !*base_url)
		base_url = NULL;
	snprintf(prefix, sizeof(prefix), "fwt_%d", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	struct db *db;
	struct strbuf s = STRBUF_INIT;
	if (!base_url)
		return 0;
	db = connect_db();
	strbuf_addf(&s, "DO $$ DECLARE n text; BEGIN"
		    " FOR n IN SELECT nspname FROM pg_namespace WHERE nspname LIKE '%s\\_%%' LOOP"
		    " EXECUTE format('DROP SCHEMA %%I CASCADE', n); END LOOP;"
		    " FOR n IN SELECT rolname FROM pg_roles WHERE rolname LIKE '%s\\_%%' LOOP"
		    " EXECUTE format('DROP ROLE %%I', n); END LOOP; END $$",
		    prefix, prefix);
	exec_sql(db, s.buf);
	strbuf_release(&s);
	db_close(db);
	return 0;
}

/* one shape; function bodies are the migrations' own text on both sides */
static const char shape_a[] =
	"CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');"
	"CREATE DOMAIN posint AS integer CHECK (VALUE > 0);"
	"CREATE TABLE customers ("
	" id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
	" email text NOT NULL UNIQUE,"
	" m mood DEFAULT 'ok',"
	" tags text[] DEFAULT '{}',"
	" created timestamptz DEFAULT now(),"
	" score numeric(10,2) CHECK (score >= 0),"
	" code text COLLATE \"C\","
	" fullname text GENERATED ALWAYS AS (email || '!') STORED);"
	"COMMENT ON TABLE customers IS 'who buys';"
	"CREATE TABLE orders (id serial PRIMARY KEY,"
	" customer_id bigint REFERENCES customers(id) ON DELETE CASCADE, total posint,"
	" CONSTRAINT total_chk CHECK (total < 1000000));"
	"CREATE INDEX orders_cust ON orders(customer_id) WHERE customer_id IS NOT NULL;"
	"CREATE INDEX orders_expr ON orders((total * 2) DESC);"
	"CREATE VIEW big_orders AS SELECT o.id, c.email FROM orders o"
	" JOIN customers c ON c.id = o.customer_id WHERE o.total > 100;"
	"CREATE MATERIALIZED VIEW order_count AS SELECT count(*) AS n FROM orders;"
	"CREATE FUNCTION add1(i integer) RETURNS integer LANGUAGE sql IMMUTABLE"
	" AS $$ select i + 1 $$;"
	"CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql"
	" AS $$ begin new.created := now(); return new; end $$;"
	"CREATE TRIGGER customers_touch BEFORE UPDATE ON customers"
	" FOR EACH ROW EXECUTE FUNCTION touch();"
	"CREATE TABLE measurements (ts date NOT NULL, v int) PARTITION BY RANGE (ts);"
	"CREATE TABLE m2024 PARTITION OF measurements"
	" FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
	"CREATE INDEX ON measurements(ts);"
	"CREATE TRIGGER measurements_touch BEFORE UPDATE ON measurements"
	" FOR EACH ROW EXECUTE FUNCTION touch();"
	"CREATE SEQUENCE counter START 10 INCREMENT 5;"
	"CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version text);"
	"CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (version);"
	"CREATE TABLE flyway_snapshot_history (id int)";

static const char shape_b[] =
	"create type mood as enum ('sad', 'ok');"
	"alter type mood add value 'happy';"
	"create domain posint integer constraint posint_check check (value>0);"
	"create table customers (ID INT8 generated always as identity,"
	" EMAIL TEXT not null, m mood default 'ok'::mood, tags TEXT[] default '{}'::text[],"
	" created timestamp with time zone default NOW(), score decimal(10, 2),"
	" code text collate \"C\", fullname text generated always as (email||'!') stored,"
	" primary key (id));"
	"alter table customers add constraint customers_email_key unique (email);"
	"alter table customers add check (score >= 0);"
	"comment on table customers is 'who buys';"
	"create sequence orders_id_seq as integer;"
	"create table orders (id integer not null default nextval('orders_id_seq'),"
	" customer_id int8, total posint);"
	"alter sequence orders_id_seq owned by orders.id;"
	"alter table orders add primary key (id);"
	"alter table orders add foreign key (customer_id) references customers"
	" on delete cascade;"
	"alter table orders add constraint total_chk check (total < 1000000);"
	"create index orders_cust on orders using btree (customer_id)"
	" where (customer_id is not null);"
	"create index orders_expr on orders ((total*2) desc);"
	"create view big_orders as select o.id, c.email from orders as o"
	" inner join customers as c on (c.id = o.customer_id) where o.total > 100;"
	"create materialized view order_count as select count(*) as n from orders;"
	"create function add1(i integer) returns integer language sql immutable"
	" AS $$ select i + 1 $$;"
	"create or replace function touch() returns trigger language plpgsql"
	" AS $$ begin new.created := now(); return new; end $$;"
	"create trigger customers_touch before update on customers"
	" for each row execute procedure touch();"
	"create table measurements (ts date not null, v integer) partition by range (ts);"
	"create index measurements_ts_idx on measurements (ts);"
	"create table m2024 (ts date not null, v integer);"
	"alter table measurements attach partition m2024"
	" for values from ('2024-01-01') to ('2025-01-01');"
	"create trigger measurements_touch before update on measurements"
	" for each row execute function touch();"
	"create sequence counter increment by 5 start with 10";

/* more of what real schemas hold, for the dump and restore round trip */
static const char shape_more[] =
	"CREATE TYPE color AS ENUM ('red', 'green');"
	"CREATE DOMAIN colors AS color[];"
	"CREATE TYPE span AS RANGE (subtype = float8, subtype_diff = float8mi);"
	"CREATE TYPE labeled AS (name text COLLATE \"C\", n int);"
	"CREATE TABLE parent_t (id int, note text);"
	"CREATE TABLE child_t (extra int) INHERITS (parent_t);"
	"CREATE UNLOGGED TABLE scratchpad (k text PRIMARY KEY, v jsonb);"
	"CREATE TABLE h (id int NOT NULL, v text) PARTITION BY HASH (id);"
	"CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (modulus 2, remainder 0);"
	"CREATE TABLE h1 PARTITION OF h FOR VALUES WITH (modulus 2, remainder 1);"
	"CREATE TABLE l (region text, ts date NOT NULL) PARTITION BY LIST (region);"
	"CREATE TABLE l_eu PARTITION OF l FOR VALUES IN ('eu', 'uk') PARTITION BY RANGE (ts);"
	"CREATE TABLE l_eu_2024 PARTITION OF l_eu FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
	"CREATE TABLE l_other PARTITION OF l DEFAULT;"
	"CREATE VIEW checked AS SELECT id, note FROM parent_t WHERE id > 0 WITH LOCAL CHECK OPTION;"
	"CREATE MATERIALIZED VIEW mv2 AS SELECT id FROM parent_t WITH NO DATA;"
	"CREATE INDEX mv2_id ON mv2 (id);"
	"CREATE FUNCTION pairs(OUT a int, OUT b text) RETURNS SETOF record LANGUAGE sql"
	" AS $$ select 1, 'x' $$;"
	"CREATE FUNCTION tab(n int) RETURNS TABLE (x int, y int) LANGUAGE sql STABLE"
	" AS $$ select n, n * 2 $$;"
	"CREATE PROCEDURE p2(INOUT x int) LANGUAGE plpgsql AS $$ begin x := x + 1; end $$;"
	"CREATE AGGREGATE mysum(int) (sfunc = int4pl, stype = int, initcond = '0');"
	"CREATE TABLE deferred_fk (id int PRIMARY KEY, parent int REFERENCES deferred_fk(id)"
	" DEFERRABLE INITIALLY DEFERRED, CHECK (id > 0) NOT VALID);"
	"CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ begin return null; end $$;"
	"CREATE TRIGGER stmt_trg AFTER INSERT ON deferred_fk REFERENCING NEW TABLE AS newrows"
	" FOR EACH STATEMENT EXECUTE FUNCTION audit();"
	"CREATE TRIGGER when_trg BEFORE UPDATE ON deferred_fk FOR EACH ROW"
	" WHEN (old.id IS DISTINCT FROM new.id) EXECUTE FUNCTION audit();"
	"CREATE CONSTRAINT TRIGGER ct AFTER INSERT ON deferred_fk DEFERRABLE INITIALLY DEFERRED"
	" FOR EACH ROW EXECUTE FUNCTION audit();"
	"CREATE TABLE idt (id int GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 10)"
	" PRIMARY KEY, t text);"
	"COMMENT ON TYPE color IS 'colours';"
	"COMMENT ON FUNCTION tab(int) IS 'a table function';"
	"COMMENT ON INDEX mv2_id IS 'ix';"
	"CREATE POLICY restrict_p ON idt AS RESTRICTIVE FOR UPDATE TO PUBLIC USING (id > 1)"
	" WITH CHECK (id < 1000000);"
	"CREATE TABLE expr_ix (a text, b text);"
	"CREATE INDEX expr_ix_lower ON expr_ix (lower(a) text_pattern_ops,"
	" b COLLATE \"C\" DESC NULLS LAST) INCLUDE (a);"
	"CREATE UNIQUE INDEX expr_ix_nnd ON expr_ix (a) NULLS NOT DISTINCT";

static void test_model_contents(void **state)
{
	struct db *db;
	struct fw_schema s;
	const struct fw_object *o;
	char *a;
	NEED_SERVER();
	db = connect_db();
	fresh_schema(db, "a", shape_a);
	a = schema_name("a");
	read_ok(db, a, NULL, &s);
	/* kept out: the history tables with their constraint and index, the
	 * identity sequence, the index behind a constraint, what partition
	 * m2024 inherits (its index and trigger clones) */
	assert_null(fw_schema_find(&s, FW_OBJ_TABLE, NULL, "flyway_schema_history"));
	assert_null(fw_schema_find(&s, FW_OBJ_TABLE, NULL, "flyway_snapshot_history"));
	assert_null(fw_schema_find(&s, FW_OBJ_INDEX, "flyway_schema_history",
				   "flyway_schema_history_s_idx"));
	assert_null(fw_schema_find(&s, FW_OBJ_CONSTRAINT, "flyway_schema_history",
				   "flyway_schema_history_pkey"));
	assert_null(fw_schema_find(&s, FW_OBJ_SEQUENCE, NULL, "customers_id_seq"));
	assert_null(fw_schema_find(&s, FW_OBJ_INDEX, "customers", "customers_pkey"));
	assert_null(fw_schema_find(&s, FW_OBJ_INDEX, "m2024", "m2024_ts_idx"));
	assert_null(fw_schema_find(&s, FW_OBJ_TRIGGER, "m2024", "measurements_touch"));
	/* kept in, spelt by the server */
	o = fw_schema_find(&s, FW_OBJ_TABLE, NULL, "customers");
	assert_non_null(o);
	assert_non_null(strstr(o->definition, "    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,"));
	assert_non_null(strstr(o->definition, "    code text COLLATE \"C\","));
	assert_non_null(strstr(o->definition, "COMMENT ON TABLE customers IS 'who buys';"));
	assert_string_equal(o->columns[0].identity, "ALWAYS");
	assert_string_equal(o->columns[4].default_expr, "now()");
	assert_string_equal(o->columns[7].generated, "email || '!'::text");
	o = fw_schema_find(&s, FW_OBJ_TABLE, NULL, "orders");
	assert_string_equal(o->columns[0].default_expr, "nextval('orders_id_seq'::regclass)");
	o = fw_schema_find(&s, FW_OBJ_SEQUENCE, NULL, "orders_id_seq");
	assert_non_null(o);
	assert_string_equal(fw_attrs_get(&o->attrs, "owned_by"), "orders.id");
	o = fw_schema_find(&s, FW_OBJ_TABLE, NULL, "m2024");
	assert_non_null(strstr(o->definition, "CREATE TABLE m2024 PARTITION OF measurements ("));
	assert_non_null(strstr(o->definition, "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"));
	o = fw_schema_find(&s, FW_OBJ_INDEX, "orders", "orders_cust");
	assert_string_equal(o->index->predicate, "customer_id IS NOT NULL");
	o = fw_schema_find(&s, FW_OBJ_INDEX, "orders", "orders_expr");
	assert_string_equal(o->index->columns.v[0], "(total::integer * 2) DESC");
	o = fw_schema_find(&s, FW_OBJ_CONSTRAINT, "orders", "orders_customer_id_fkey");
	assert_string_equal(o->constraints[0].ref_table, "customers");
	assert_string_equal(o->constraints[0].on_delete, "CASCADE");
	o = fw_schema_find(&s, FW_OBJ_TYPE, NULL, "mood");
	assert_string_equal(o->definition, "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');");
	o = fw_schema_find(&s, FW_OBJ_DOMAIN, NULL, "posint");
	assert_string_equal(o->definition, "CREATE DOMAIN posint AS integer\n"
			    "    CONSTRAINT posint_check CHECK (VALUE > 0);");
	o = fw_schema_find(&s, FW_OBJ_FUNCTION, NULL, "add1(integer)");
	assert_non_null(o);
	assert_true(!strncmp(o->definition, "CREATE OR REPLACE FUNCTION add1(i integer)", 42));
	assert_non_null(fw_schema_find(&s, FW_OBJ_MATERIALIZED_VIEW, NULL, "order_count"));
	assert_non_null(fw_schema_find(&s, FW_OBJ_TRIGGER, "measurements", "measurements_touch"));
	assert_non_null(fw_schema_find(&s, FW_OBJ_INDEX, "measurements", "measurements_ts_idx"));
	expect_round_trip("postgresql", &s);
	fw_schema_release(&s);
	free(a);
	db_close(db);
}

static void test_two_spellings_and_hand_changes(void **state)
{
	static const struct hand_change changes[] = {
		{ "a column's type", "ALTER TABLE customers ALTER COLUMN code TYPE varchar(20)",
		  "ALTER TABLE customers ALTER COLUMN code TYPE text COLLATE \"C\"", 'd',
		  FW_OBJ_TABLE, "customers", "column code: type text -> character varying(20)" },
		{ "a column's default", "ALTER TABLE customers ALTER created SET DEFAULT"
		  " CURRENT_TIMESTAMP", "ALTER TABLE customers ALTER created SET DEFAULT now()",
		  'd', FW_OBJ_TABLE, "customers", "column created: default now() -> CURRENT_TIMESTAMP" },
		{ "a column NOT NULL", "ALTER TABLE customers ALTER tags SET NOT NULL",
		  "ALTER TABLE customers ALTER tags DROP NOT NULL", 'd', FW_OBJ_TABLE, "customers",
		  "column tags: nullable -> NOT NULL" },
		{ "identity options", "ALTER TABLE customers ALTER id SET INCREMENT BY 2",
		  "ALTER TABLE customers ALTER id SET INCREMENT BY 1", 'd', FW_OBJ_TABLE,
		  "customers", "column id: identity ALWAYS -> ALWAYS (INCREMENT BY 2)" },
		{ "a column comment", "COMMENT ON COLUMN customers.email IS 'reach them'",
		  "COMMENT ON COLUMN customers.email IS NULL", 'd', FW_OBJ_TABLE, "customers",
		  "column email: comment none -> reach them" },
		{ "row level security", "ALTER TABLE customers ENABLE ROW LEVEL SECURITY",
		  "ALTER TABLE customers DISABLE ROW LEVEL SECURITY", 'd', FW_OBJ_TABLE,
		  "customers", NULL },
		{ "replica identity", "ALTER TABLE customers REPLICA IDENTITY FULL",
		  "ALTER TABLE customers REPLICA IDENTITY DEFAULT", 'd', FW_OBJ_TABLE, "customers",
		  NULL },
		{ "a table clustered", "ALTER TABLE orders CLUSTER ON orders_expr",
		  "ALTER TABLE orders SET WITHOUT CLUSTER", 'd', FW_OBJ_INDEX, "orders_expr", NULL },
		{ "an index made total", "DROP INDEX orders_cust;"
		  " CREATE INDEX orders_cust ON orders(customer_id)",
		  "DROP INDEX orders_cust; CREATE INDEX orders_cust ON orders(customer_id)"
		  " WHERE customer_id IS NOT NULL", 'd', FW_OBJ_INDEX, "orders_cust",
		  "index predicate: customer_id IS NOT NULL -> none" },
		{ "a view's body", "CREATE OR REPLACE VIEW big_orders AS SELECT o.id, c.email"
		  " FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 200",
		  "CREATE OR REPLACE VIEW big_orders AS SELECT o.id, c.email"
		  " FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.total > 100",
		  'd', FW_OBJ_VIEW, "big_orders", NULL },
		{ "a function's body", "CREATE OR REPLACE FUNCTION add1(i integer) RETURNS integer"
		  " LANGUAGE sql IMMUTABLE AS $$ select i + 2 $$",
		  "CREATE OR REPLACE FUNCTION add1(i integer) RETURNS integer"
		  " LANGUAGE sql IMMUTABLE AS $$ select i + 1 $$", 'd', FW_OBJ_FUNCTION,
		  "add1(integer)", NULL },
		{ "a function's volatility", "ALTER FUNCTION add1(integer) STABLE",
		  "ALTER FUNCTION add1(integer) IMMUTABLE", 'd', FW_OBJ_FUNCTION, "add1(integer)",
		  NULL },
		{ "a trigger's events", "DROP TRIGGER customers_touch ON customers;"
		  " CREATE TRIGGER customers_touch BEFORE INSERT OR UPDATE ON customers"
		  " FOR EACH ROW EXECUTE FUNCTION touch()",
		  "DROP TRIGGER customers_touch ON customers;"
		  " CREATE TRIGGER customers_touch BEFORE UPDATE ON customers"
		  " FOR EACH ROW EXECUTE FUNCTION touch()", 'd', FW_OBJ_TRIGGER, "customers_touch",
		  NULL },
		{ "a trigger disabled", "ALTER TABLE customers DISABLE TRIGGER customers_touch",
		  "ALTER TABLE customers ENABLE TRIGGER customers_touch", 'd', FW_OBJ_TRIGGER,
		  "customers_touch", NULL },
		{ "a constraint's check", "ALTER TABLE orders DROP CONSTRAINT total_chk,"
		  " ADD CONSTRAINT total_chk CHECK (total < 5000)",
		  "ALTER TABLE orders DROP CONSTRAINT total_chk,"
		  " ADD CONSTRAINT total_chk CHECK (total < 1000000)", 'd', FW_OBJ_CONSTRAINT,
		  "total_chk", NULL },
		{ "a foreign key's action", "ALTER TABLE orders DROP CONSTRAINT"
		  " orders_customer_id_fkey, ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY"
		  " (customer_id) REFERENCES customers(id)",
		  "ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey, ADD CONSTRAINT"
		  " orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id)"
		  " ON DELETE CASCADE", 'd', FW_OBJ_CONSTRAINT, "orders_customer_id_fkey", NULL },
		{ "a domain's check", "ALTER DOMAIN posint DROP CONSTRAINT posint_check;"
		  " ALTER DOMAIN posint ADD CONSTRAINT posint_check CHECK (VALUE > 1)",
		  "ALTER DOMAIN posint DROP CONSTRAINT posint_check;"
		  " ALTER DOMAIN posint ADD CONSTRAINT posint_check CHECK (VALUE > 0)", 'd',
		  FW_OBJ_DOMAIN, "posint", NULL },
		{ "a sequence's step", "ALTER SEQUENCE counter INCREMENT BY 6",
		  "ALTER SEQUENCE counter INCREMENT BY 5", 'd', FW_OBJ_SEQUENCE, "counter", NULL },
		{ "a constraint dropped", "ALTER TABLE customers DROP CONSTRAINT customers_score_check",
		  "ALTER TABLE customers ADD CONSTRAINT customers_score_check CHECK (score >= 0)",
		  's', FW_OBJ_CONSTRAINT, "customers_score_check", NULL },
		{ "an enum value added", "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'", NULL, 'd',
		  FW_OBJ_TYPE, "mood", NULL },
	};
	struct db *db;
	struct fw_schema sa, sb;
	char *a, *b;
	NEED_SERVER();
	db = connect_db();
	fresh_schema(db, "a", shape_a);
	fresh_schema(db, "b", shape_b);
	a = schema_name("a");
	b = schema_name("b");
	read_ok(db, a, NULL, &sa);
	read_ok(db, b, NULL, &sb);
	expect_same(&sa, &sb);
	fw_schema_release(&sb);
	/* rows and sequence positions are no part of the model */
	{
		struct strbuf sql = STRBUF_INIT;
		strbuf_addf(&sql, "SET search_path TO %s; INSERT INTO customers (email)"
			    " VALUES ('x'); SELECT nextval('counter'); RESET search_path", b);
		exec_sql(db, sql.buf);
		strbuf_release(&sql);
		read_ok(db, b, NULL, &sb);
		expect_same(&sa, &sb);
		fw_schema_release(&sb);
	}
	/* the changes are made with the schema first on the search_path, as a
	 * person at psql would */
	{
		struct strbuf sql = STRBUF_INIT;
		strbuf_addf(&sql, "SET search_path TO %s", b);
		exec_sql(db, sql.buf);
		strbuf_release(&sql);
	}
	run_hand_changes(db, b, &sa, NULL, changes, sizeof(changes) / sizeof(changes[0]));
	fw_schema_release(&sa);
	free(a);
	free(b);
	db_close(db);
}

static void test_invalid_index(void **state)
{
	struct db *db;
	struct fw_schema good, bad;
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf sql = STRBUF_INIT;
	const struct fw_object *o;
	char *g, *b;
	NEED_SERVER();
	db = connect_db();
	fresh_schema(db, "good", "CREATE TABLE dup (x int); CREATE UNIQUE INDEX dup_x ON dup (x)");
	fresh_schema(db, "bad", "CREATE TABLE dup (x int); INSERT INTO dup VALUES (1), (1)");
	g = schema_name("good");
	b = schema_name("bad");
	/* a failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind */
	strbuf_addf(&sql, "CREATE UNIQUE INDEX CONCURRENTLY dup_x ON %s.dup (x)", b);
	assert_int_equal(db_exec(db, sql.buf, &err), -1);
	fw_error_clear(&err);
	read_ok(db, g, NULL, &good);
	read_ok(db, b, NULL, &bad);
	o = fw_schema_find(&bad, FW_OBJ_INDEX, "dup", "dup_x");
	assert_non_null(o);
	assert_false(o->index->valid);
	assert_non_null(strstr(o->definition, "-- INVALID"));
	expect_one(&good, &bad, 'd', FW_OBJ_INDEX, "dup_x", "index: valid -> INVALID");
	fw_schema_release(&good);
	fw_schema_release(&bad);
	strbuf_release(&sql);
	free(g);
	free(b);
	db_close(db);
}

static void test_search_path_and_grants(void **state)
{
	struct db *db;
	struct fw_schema s;
	struct fw_error err = FW_ERROR_INIT;
	struct fw_schema_opts grants = { .grants = 1 };
	struct strbuf sql = STRBUF_INIT;
	struct db_result *r;
	const struct fw_object *o;
	char *a;
	NEED_SERVER();
	a = schema_name("g");
	strbuf_addf(&sql, "CREATE ROLE %s_reader; CREATE TABLE t (x int);"
		    " GRANT SELECT ON t TO %s_reader", prefix, prefix);
	db = connect_db();
	fresh_schema(db, "g", sql.buf);
	exec_sql(db, "SET search_path TO public, pg_temp");
	read_ok(db, a, &grants, &s);
	o = fw_schema_find(&s, FW_OBJ_TABLE, NULL, "t");
	strbuf_reset(&sql);
	strbuf_addf(&sql, "GRANT SELECT ON TABLE t TO %s_reader;", prefix);
	assert_non_null(strstr(o->definition, sql.buf));
	fw_schema_release(&s);
	read_ok(db, a, NULL, &s);   /* privileges are off by default */
	assert_null(strstr(fw_schema_find(&s, FW_OBJ_TABLE, NULL, "t")->definition, "GRANT"));
	fw_schema_release(&s);
	assert_int_equal(db_query(db, "SELECT current_setting('search_path')", 0, NULL, &r, &err),
			 0);
	assert_string_equal(db_value(r, 0, 0), "public, pg_temp");
	db_result_free(r);
	db_close(db);
	/* put back after a failed read too */
	setenv("FLEETWAY_FAULT_INJECT", "query:1:pg_trigger", 1);
	db = connect_db();
	unsetenv("FLEETWAY_FAULT_INJECT");
	exec_sql(db, "SET search_path TO public");
	assert_int_equal(db_read_schema(db, a, NULL, &s, &err), -1);
	assert_non_null(strstr(err.message.buf, "injected fault"));
	assert_non_null(strstr(err.message.buf, "unable to read schema"));
	fw_error_clear(&err);
	assert_int_equal(db_query(db, "SELECT current_setting('search_path')", 0, NULL, &r, &err),
			 0);
	assert_string_equal(db_value(r, 0, 0), "public");
	db_result_free(r);
	db_close(db);
	strbuf_release(&sql);
	free(a);
}

static int count_scratch(struct db *db, const char *name)
{
	struct fw_error err = FW_ERROR_INIT;
	struct db_result *r;
	const char *params[] = { name };
	int n;
	if (db_query(db, "SELECT count(*) FROM pg_database WHERE datname LIKE ?", 1, params, &r,
		     &err) < 0)
		fail_msg("%s", err.message.buf);
	n = atoi(db_value(r, 0, 0));
	db_result_free(r);
	return n;
}

static void test_scratch(void **state)
{
	struct db *db, *scratch = NULL;
	struct fw_error err = FW_ERROR_INIT;
	struct fw_schema target, built, ext;
	struct strbuf sql = STRBUF_INIT;
	char *a, *name;
	NEED_SERVER();
	db = connect_db();
	fresh_schema(db, "a", shape_a);
	a = schema_name("a");
	assert_int_equal(db_scratch_create(db, a, &scratch, &err), 0);
	assert_string_equal(db_scratch_schema(scratch), "public");
	assert_non_null(strstr(db_display_url(scratch), "(scratch database fleetway_scratch_"));
	name = xstrdup(strstr(db_display_url(scratch), "fleetway_scratch_"));
	name[strlen(name) - 1] = '\0';
	assert_int_equal(count_scratch(db, name), 1);
	/* the same migrations, replayed in the scratch database under the same schema */
	strbuf_addf(&sql, "CREATE SCHEMA %s; SET search_path TO %s; %s", a, a, shape_b);
	exec_sql(scratch, sql.buf);
	read_ok(db, a, NULL, &target);
	read_ok(scratch, a, NULL, &built);
	expect_same(&target, &built);
	/* an extension's own objects stay out of the model: only it is listed */
	exec_sql(scratch, "CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext");
	read_ok(scratch, "ext", NULL, &ext);
	assert_int_equal(ext.nobjects, 1);
	assert_int_equal(ext.objects[0].type, FW_OBJ_EXTENSION);
	assert_string_equal(ext.objects[0].name, "citext");
	fw_schema_release(&ext);
	assert_int_equal(db_scratch_drop(db, scratch, &err), 0);
	assert_int_equal(count_scratch(db, name), 0);
	fw_schema_release(&target);
	fw_schema_release(&built);
	strbuf_release(&sql);
	free(name);
	free(a);
	db_close(db);
}

static void test_scratch_needs_createdb(void **state)
{
	struct db *db, *weak, *scratch = NULL;
	struct fw_error err = FW_ERROR_INIT;
	struct strbuf sql = STRBUF_INIT, role = STRBUF_INIT;
	int before;
	NEED_SERVER();
	db = connect_db();
	strbuf_addf(&role, "%s_nocreate", prefix);
	strbuf_addf(&sql, "CREATE ROLE %s LOGIN NOCREATEDB", role.buf);
	exec_sql(db, sql.buf);
	before = count_scratch(db, "fleetway_scratch_%");
	weak = connect_url(base_url, role.buf);
	assert_int_equal(db_scratch_create(weak, NULL, &scratch, &err), -1);
	assert_null(scratch);
	assert_non_null(strstr(err.message.buf, "unable to create a scratch database on"));
	assert_non_null(strstr(err.message.buf, "permission denied to create database"));
	assert_non_null(strstr(err.hint.buf, "CREATEDB"));
	assert_int_equal(count_scratch(db, "fleetway_scratch_%"), before);
	fw_error_clear(&err);
	db_close(weak);
	strbuf_release(&sql);
	strbuf_release(&role);
	db_close(db);
}

/* pg_dump's spelling of a schema is nothing like the migrations': restored
 * in a scratch database it still reads as the same model */
static void test_dump_and_restore(void **state)
{
	struct db *db, *scratch = NULL;
	struct fw_error err = FW_ERROR_INIT;
	struct fw_schema orig, restored;
	struct db_url u;
	struct strbuf sql = STRBUF_INIT, cmd = STRBUF_INIT, conn = STRBUF_INIT;
	char *schema;
	const char *scratch_db;
	NEED_SERVER();
	if (system("pg_dump --version >/dev/null 2>&1 && psql --version >/dev/null 2>&1") != 0)
		skip();
	db = connect_db();
	strbuf_addf(&sql, "%s; %s", shape_a, shape_more);
	fresh_schema(db, "dump", sql.buf);
	schema = schema_name("dump");
	assert_int_equal(db_scratch_create(db, NULL, &scratch, &err), 0);
	scratch_db = strstr(db_display_url(scratch), "fleetway_scratch_");
	assert_int_equal(db_url_parse(base_url, &u, &err), 0);
	strbuf_addf(&conn, "-h %s -p %d -U %s", u.host, u.port ? u.port : 5432,
		    u.user ? u.user : "postgres");
	strbuf_addf(&cmd, "pg_dump %s -n %s %s | PGOPTIONS='-c client_min_messages=warning'"
		    " psql -X -q -v ON_ERROR_STOP=1 %s -d %.*s >/dev/null", conn.buf, schema,
		    u.database, conn.buf, (int)strlen("fleetway_scratch_") + 16, scratch_db);
	if (system(cmd.buf) != 0)
		fail_msg("%s failed", cmd.buf);
	read_ok(db, schema, NULL, &orig);
	read_ok(scratch, schema, NULL, &restored);
	if (orig.nobjects < 60)
		fail_msg("only %zu objects", orig.nobjects);
	expect_same(&orig, &restored);
	assert_int_equal(db_scratch_drop(db, scratch, &err), 0);
	fw_schema_release(&orig);
	fw_schema_release(&restored);
	db_url_release(&u);
	strbuf_release(&sql);
	strbuf_release(&cmd);
	strbuf_release(&conn);
	free(schema);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_contents),
		cmocka_unit_test(test_two_spellings_and_hand_changes),
		cmocka_unit_test(test_invalid_index),
		cmocka_unit_test(test_search_path_and_grants),
		cmocka_unit_test(test_scratch),
		cmocka_unit_test(test_scratch_needs_createdb),
		cmocka_unit_test(test_dump_and_restore),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
