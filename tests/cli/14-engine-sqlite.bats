#!/usr/bin/env bats
# Engine correctness: what a failed migration leaves behind (reference 6.4, 14.17-18), clean of schemas
# with quotes and blanks in their names (7.3, 14.6), an SQLite file locked by another program (12.3),
# the history taken in installed_rank order whatever order its table keeps.
# 14-engine-pg.bats and 14-engine-mysql.bats are links to this file; setup() picks the database.

load helpers

setup() { fw_backend_setup; }

teardown() {
    # schemas (MySQL: databases, which outlive the test's own database) a failed test may leave
    if [ -n "${ODD:-}" ] && [ "$KIND" != sqlite ]; then
        local s
        while IFS= read -r s; do
            if [ "$KIND" = mysql ]; then
                sqlq "$URL" "DROP DATABASE IF EXISTS \`${s//\`/\`\`}\`" >/dev/null 2>&1 || true
            fi
        done <<<"$ODD"
    fi
    if [ -n "${HOLDER:-}" ]; then kill "$HOLDER" 2>/dev/null || true; wait "$HOLDER" 2>/dev/null || true; fi
    fw_teardown
}

# sql_str TEXT: TEXT as an SQL string literal
sql_str() { printf "'%s'" "${1//\'/\'\'}"; }

# how many of the schemas named on stdin (one a line) exist
count_schemas() {
    local list='' s
    while IFS= read -r s; do list+=${list:+,}$(sql_str "$s"); done
    case $KIND in
        pg) sqlq "$URL" "SELECT COUNT(*) FROM pg_namespace WHERE nspname IN ($list)" ;;
        mysql) sqlq "$URL" "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN ($list)" ;;
    esac
}

@test "a failed migration keeps what an implicit commit made permanent, rolls back the rest, and stops" {
    write_migration sql V1__base.sql 'CREATE TABLE base (id INT);'
    write_migration sql V3__make_a.sql - <<'SQL'
INSERT INTO base (id) VALUES (1);
CREATE TABLE a (id INT);
INSERT INTO a (id) VALUES (1);
INSERT INTO base (id) VALUES (2);
THIS IS NOT SQL;
SQL
    write_migration sql V4__later.sql 'CREATE TABLE later (id INT);'
    run fw migrate
    assert_status 1
    if [ "$KIND" = mysql ]; then
        # Flyway runs the migration with autocommit off: CREATE TABLE commits what came before it,
        # the INSERTs after it go with the failed transaction (reference 14.17-18)
        assert_output_contains "Migration of schema $Q$SCHEMA$Q to version \"3 - make a\" failed! Please restore backups and roll back database and code!"
        run sqlq "$URL" "SELECT COUNT(*) FROM a"
        [ "$output" = 0 ]
        run sqlq "$URL" "SELECT id FROM base ORDER BY id"
        [ "$output" = 1 ]
        run history_of version
        [ "$output" = $'1|1\n3|0' ]
        run fw info
        assert_output_contains "| Versioned | 3       | make a      | SQL  |"
        assert_output_contains "| Failed "
    else
        assert_output_contains "Migration of schema $Q$SCHEMA$Q to version \"3 - make a\" failed! Changes successfully rolled back."
        run table_exists a
        assert_status 1
        run sqlq "$URL" "SELECT COUNT(*) FROM base"
        [ "$output" = 0 ]
        run history_of version
        [ "$output" = '1|1' ]
    fi
    # the migration after the failed one is not tried
    run table_exists later
    assert_status 1
    # the session is back in autocommit mode: a later migration is not rolled back with anything
    if [ "$KIND" = mysql ]; then
        sqlq "$URL" "DROP TABLE a"
        run fw repair
        assert_status 0
    fi
    write_migration sql V3__make_a.sql 'CREATE TABLE a (id INT); INSERT INTO a (id) VALUES (3);'
    run fw migrate
    assert_status 0
    run sqlq "$URL" "SELECT id FROM a"
    [ "$output" = 3 ]
    run history_of version
    [ "$output" = $'1|1\n3|1\n4|1' ]
}

@test "a failed repeatable migration is named as Flyway names it" {
    write_migration sql V1__base.sql 'CREATE TABLE base (id INT);'
    write_migration sql R__fill.sql 'INSERT INTO base (id) VALUES (1); THIS IS NOT SQL;'
    run fw migrate
    assert_status 1
    if [ "$KIND" = mysql ]; then
        assert_output_contains "Migration of schema $Q$SCHEMA$Q with repeatable migration \"fill\" failed! Please restore backups and roll back database and code!"
    else
        assert_output_contains "Migration of schema $Q$SCHEMA$Q with repeatable migration \"fill\" failed! Changes successfully rolled back."
    fi
    # the INSERT before the error is rolled back everywhere
    run sqlq "$URL" "SELECT COUNT(*) FROM base"
    [ "$output" = 0 ]
}

@test "a failed non-transactional migration says so in Flyway's words" {
    write_migration sql V1__bad.sql 'CREATE TABLE t1 (id INT); THIS IS NOT SQL;'
    write_migration sql V1__bad.sql.conf 'executeInTransaction=false'
    run fw migrate
    assert_status 1
    assert_output_contains "Migration of schema $Q$SCHEMA$Q to version \"1 - bad\" [non-transactional] failed! Please restore backups and roll back database and code!"
}

@test "a failed future migration only warns, in Flyway's words" {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'
    write_migration sql V2__bad.sql 'THIS IS NOT SQL;'
    write_migration sql V2__bad.sql.conf 'executeInTransaction=false'
    run fw migrate
    assert_status 1
    run history_of version
    [ "$output" = $'1|1\n2|0' ]
    rm sql/V2__bad.sql sql/V2__bad.sql.conf
    run fw migrate
    assert_status 0
    assert_output_contains "WARNING: Schema $Q$SCHEMA$Q contains a failed future migration to version 2 !"
}

@test "target=current on an empty schema applies no versioned migration, only repeatables" {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'
    write_migration sql R__r.sql 'CREATE TABLE IF NOT EXISTS r (id INT);'
    run fw -target=current info
    assert_status 0
    assert_output_contains "| Versioned  | 1       | a           | SQL  |              | Above Target |"
    run fw -target=current migrate
    assert_status 0
    run history_of description
    [ "$output" = 'r|1' ]
}

@test "clean drops the schemas it created whatever their names hold: quotes, backtick, blank" {
    [ "$KIND" != sqlite ] || skip "SQLite cannot create or drop schemas (the attached-schema case is the next test)"
    local n=$((RANDOM % 10000))
    ODD=$(printf '%s\n' "fw\"dq$n" "fw'sq$n" "fw\`bt$n" "fw sp$n")
    local list
    list=$(paste -sd, <<<"$ODD")
    run count_schemas <<<"$ODD"
    [ "$output" = 0 ]
    write_migration sql V1__t.sql 'CREATE TABLE t (id INT);'
    run fw "-schemas=$list" migrate
    assert_status 0
    run count_schemas <<<"$ODD"
    [ "$output" = 4 ]
    run fw "-schemas=$list" -cleanDisabled=false -outputType=json clean
    assert_status 0
    # every one is dropped (recorded in the SCHEMA marker row), none merely emptied
    echo "$output" | jq -e --arg l "$list" '(.schemasDropped | sort) == ($l | split(",") | sort) and .schemasCleaned == []'
    run count_schemas <<<"$ODD"
    [ "$output" = 0 ]
    # and the text output names them the way the database quotes them
    run fw "-schemas=$list" migrate
    assert_status 0
    run fw "-schemas=$list" -cleanDisabled=false clean
    assert_status 0
    if [ "$KIND" = pg ]; then
        assert_output_contains "Successfully dropped schema \"fw\"\"dq$n\""
    else
        assert_output_contains "Successfully dropped schema \`fw\`\`bt$n\`"
    fi
    run count_schemas <<<"$ODD"
    [ "$output" = 0 ]
}

@test "clean empties a schema it did not create whatever its name holds, and keeps it" {
    [ "$KIND" != sqlite ] || skip "SQLite's schemas are attached files (next test)"
    local n=$((RANDOM % 10000))
    ODD="pre\"q'b\`x y$n"
    local qs
    if [ "$KIND" = pg ]; then
        qs="\"${ODD//\"/\"\"}\""
        sqlq "$URL" "CREATE SCHEMA $qs; CREATE TABLE $qs.t (id INT); CREATE VIEW $qs.v AS SELECT id FROM $qs.t;
            CREATE FUNCTION $qs.f() RETURNS INT LANGUAGE sql AS 'SELECT 1'; CREATE SEQUENCE $qs.s;
            CREATE TYPE $qs.e AS ENUM ('a')"
    else
        qs="\`${ODD//\`/\`\`}\`"
        sqlq "$URL" "CREATE DATABASE $qs; CREATE TABLE $qs.t (id INT); CREATE VIEW $qs.v AS SELECT id FROM $qs.t;
            CREATE FUNCTION $qs.f() RETURNS INT RETURN 1"
    fi
    write_migration sql V1__t.sql 'CREATE TABLE t2 (id INT);'
    run fw "-schemas=$ODD" -baselineOnMigrate=true -baselineVersion=0 migrate
    assert_status 0
    run fw "-schemas=$ODD" -cleanDisabled=false -outputType=json clean
    assert_status 0
    echo "$output" | jq -e --arg n "$ODD" '.schemasCleaned == [$n] and .schemasDropped == []'
    run count_schemas <<<"$ODD"
    [ "$output" = 1 ]
    if [ "$KIND" = pg ]; then
        run sqlq "$URL" "SELECT (SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $(sql_str "$ODD")) + (SELECT COUNT(*) FROM pg_proc p JOIN pg_namespace n
            ON n.oid = p.pronamespace WHERE n.nspname = $(sql_str "$ODD")) + (SELECT COUNT(*) FROM pg_type t
            JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $(sql_str "$ODD"))"
    else
        run sqlq "$URL" "SELECT (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $(sql_str "$ODD"))
            + (SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = $(sql_str "$ODD"))"
    fi
    [ "$output" = 0 ]
    if [ "$KIND" = pg ]; then sqlq "$URL" "DROP SCHEMA $qs"; fi
}

@test "clean empties an attached SQLite schema whose name holds quotes and a blank" {
    [ "$KIND" = sqlite ] || skip "attached databases are SQLite's schemas"
    local name="a\"b'c d"
    local init="ATTACH DATABASE '$T/other.db' AS \"${name//\"/\"\"}\""
    write_migration sql V1__t.sql 'CREATE TABLE t (id INT);'
    run fw "-initSql=$init" "-schemas=$name" migrate
    assert_status 0
    # the history table is in the attached database, the migration's table in main
    sqlite3 "$T/other.db" 'CREATE TABLE o (id INT); CREATE VIEW ov AS SELECT id FROM o;
        CREATE TRIGGER ot AFTER INSERT ON o BEGIN SELECT 1; END;'
    run sqlite3 "$T/other.db" "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite%' ORDER BY name"
    [ "$output" = $'flyway_schema_history\nflyway_schema_history_s_idx\no\not\nov' ]
    run fw "-initSql=$init" "-schemas=$name" -cleanDisabled=false -outputType=json clean
    assert_status 0
    echo "$output" | jq -e --arg n "$name" '.schemasCleaned == [$n] and .schemasDropped == []'
    run sqlite3 "$T/other.db" "SELECT COUNT(*) FROM sqlite_master"
    [ "$output" = 0 ]
    # main is not one of the schemas: untouched
    run sqlite3 "$T/db.sqlite" "SELECT name FROM sqlite_master"
    [ "$output" = t ]
}

# hold_sqlite_lock SECONDS: another program holds an exclusive lock on the database file for SECONDS
hold_sqlite_lock() {
    python3 - "$T/db.sqlite" "$1" >"$T/holder.log" 2>&1 3>&- <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[1] + ".held", "w").close()
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
PY
    HOLDER=$!
    local i
    for i in $(seq 100); do [ -e "$T/db.sqlite.held" ] && return 0; sleep 0.1; done
    echo "the lock holder did not start: $(cat "$T/holder.log")" >&2
    return 1
}

@test "an SQLite file locked by another program: lockRetryCount bounds the wait, the error says why" {
    [ "$KIND" = sqlite ] || skip "a file held locked by another program is SQLite's case; servers have no file to lock"
    write_migration sql V1__t.sql 'CREATE TABLE t (id INT);'
    run fw migrate
    assert_status 0
    write_migration sql V2__u.sql 'CREATE TABLE u (id INT);'
    hold_sqlite_lock 90
    local start=$SECONDS
    run fw -lockRetryCount=2 migrate
    local took=$((SECONDS - start))
    assert_status 1
    assert_output_contains "locked by another process"
    assert_output_contains "lockRetryCount"
    assert_output_not_contains "host"
    # about 2 s (one per retry), not the old fixed 60 s
    [ "$took" -ge 1 ] && [ "$took" -le 8 ] || { echo "took $took s" >&2; return 1; }
    start=$SECONDS
    run fw -lockRetryCount=0 info
    took=$((SECONDS - start))
    assert_status 1
    assert_output_contains "locked by another process"
    [ "$took" -le 2 ] || { echo "took $took s" >&2; return 1; }
    # still locked all along: nothing can have been written
    run sqlite3 "$T/db.sqlite" "SELECT COUNT(*) FROM flyway_schema_history"
    [ "$status" -ne 0 ]
    assert_output_contains "database is locked"
}

@test "an SQLite file locked by another program: lockRetryCount=-1 waits until it is free" {
    [ "$KIND" = sqlite ] || skip "file locks are SQLite's"
    write_migration sql V1__t.sql 'CREATE TABLE t (id INT);'
    run fw migrate
    assert_status 0
    write_migration sql V2__u.sql 'CREATE TABLE u (id INT);'
    hold_sqlite_lock 3
    local start=$SECONDS
    run fw -lockRetryCount=-1 migrate
    assert_status 0
    [ $((SECONDS - start)) -ge 2 ]
    run history_of version
    [ "$output" = $'1|1\n2|1' ]
}

@test "the history is taken in installed_rank order whatever order the table keeps its rows in" {
    write_migration sql V1__one.sql 'CREATE TABLE one (id INT);'
    write_migration sql V2__two.sql 'CREATE TABLE two (id INT);'
    write_migration sql V3__three.sql 'CREATE TABLE three (id INT);'
    run fw migrate
    assert_status 0
    # Written back highest rank first: a plain scan now meets them in that order on PostgreSQL
    # (the heap) and SQLite (rowids). InnoDB keeps rows in primary key order, so MySQL reads them
    # sorted anyway.
    run sqlq "$URL" "CREATE TABLE hist_copy AS SELECT * FROM $H"
    assert_status 0
    run sqlq "$URL" "DELETE FROM $H"
    assert_status 0
    run sqlq "$URL" "INSERT INTO $H SELECT * FROM hist_copy ORDER BY installed_rank DESC"
    assert_status 0
    run sqlq "$URL" "DROP TABLE hist_copy"
    assert_status 0
    if [ "$KIND" != mysql ]; then
        run sqlq "$URL" "SELECT version FROM $H"
        [ "$output" = $'3\n2\n1' ]
    fi
    write_migration sql V4__four.sql 'CREATE TABLE four (id INT);'
    run fw info
    assert_status 0
    [[ "$output" == *"| 1       | one"*"| 2       | two"*"| 3       | three"*"| 4       | four"*"Pending"* ]] ||
        { echo "$output" >&2; return 1; }
    run fw validate -ignoreMigrationPatterns='*:pending'
    assert_status 0
    run fw migrate
    assert_status 0
    assert_output_contains 'Successfully applied 1 migration to schema'
    run sqlq "$URL" "SELECT installed_rank FROM $H WHERE version = '4'"
    [ "$output" = 4 ]
}

# Flyway puts the session back before every migration (restoreOriginalState, changeCurrentSchemaTo):
# a dump's empty search_path, a SET ROLE, a user variable or foreign_key_checks = 0 in one migration
# does not reach the next, in a transaction or outside one.
@test "what a migration changes in the session does not reach the next one (PostgreSQL, MySQL)" {
    [ "$KIND" != sqlite ] || skip "SQLite has no session state that Flyway puts back"
    local executed_before
    if [ "$KIND" = pg ]; then
        # the first lines of a pg_dump file, then a table named in full
        write_migration sql V1__dump.sql - <<'SQL'
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.dumped (id INT);
SQL
        write_migration sql V2__plain.sql 'CREATE TABLE plain (id INT);'
        write_migration sql V3__outside.sql - <<'SQL'
SELECT pg_catalog.set_config('search_path', '', false);
SQL
        write_migration sql V3__outside.sql.conf 'executeInTransaction=false'
        # V4 empties the path again: the callback after it starts as a migration would
        write_migration sql V4__after.sql - <<'SQL'
CREATE TABLE seen AS SELECT current_setting('search_path') AS path;
SELECT pg_catalog.set_config('search_path', '', false);
SQL
        write_migration sql afterMigrate.sql 'CREATE TABLE from_callback (id INT);'
    else
        mysql_session_leftovers
        executed_before=$(mariadb_executed)
    fi
    run fw migrate
    assert_status 0
    assert_output_contains "now at version v4"
    if [ "$KIND" = pg ]; then
        # V2 and V4 ran in the default schema, first on the path the session opened with
        run sqlq "$URL" "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('dumped', 'plain', 'seen', 'from_callback') ORDER BY 1"
        [ "$output" = "dumped
from_callback
plain
seen" ]
        run sqlq "$URL" "SELECT path FROM seen"
        [ "$output" = '"public","$user", public' ]
    else
        assert_mysql_session_restored
        # the server found and cleared them itself, inside each migration's batch
        [ "$(mariadb_executed)" -gt "$executed_before" ]
    fi
}

# The MySQL half of the test above: V1 leaves user variables (one with a blank and a backtick in its
# name) and two settings changed, V3 runs outside a transaction and sets one more, V4 records what it
# finds.
mysql_session_leftovers() {
    write_migration sql V1__set.sql - <<'SQL'
SET @leftover = 5;
SET @`odd ``name` = 6;
SET FOREIGN_KEY_CHECKS = 0;
SET SQL_SAFE_UPDATES = 1;
SQL
    write_migration sql V2__plain.sql 'CREATE TABLE plain (id INT);'
    write_migration sql V3__outside.sql 'SET @outside = 7;'
    write_migration sql V3__outside.sql.conf 'executeInTransaction=false'
    write_migration sql V4__after.sql 'CREATE TABLE seen AS SELECT @leftover AS a, @outside AS b, @`odd ``name` AS c, @@foreign_key_checks AS fk, @@sql_safe_updates AS su;'
}

assert_mysql_session_restored() {
    run sqlq "$URL" "SELECT CONCAT_WS(',', COALESCE(a, 'null'), COALESCE(b, 'null'), COALESCE(c, 'null'), fk, su) FROM seen"
    [ "$output" = "null,null,null,1,0" ]
}

# how many prepared statements the server ran with EXECUTE, all sessions together (the suite's files
# run one after the other)
mariadb_executed() {
    sqlq "$URL" "SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'COM_EXECUTE_SQL'"
}

# The server lists the variables with GROUP_CONCAT, which cuts its result at group_concat_max_len
# (MySQL's default is 1,024 bytes): a longer list must still be whole, and the setting the session had
# must be the one the next migration sees.
@test "with a short group_concat_max_len a long list of user variables is still cleared whole" {
    [ "$KIND" = mysql ] || skip "user variables are MySQL's"
    local sep='?' before i sets=''
    case $URL in *\?*) sep='&' ;; esac
    for i in $(seq 1 60); do sets+="SET @a_rather_long_variable_name_number_$i = $i;"$'\n'; done
    write_migration sql V1__set.sql "$sets"
    write_migration sql V2__after.sql "CREATE TABLE seen AS SELECT (SELECT COUNT(*) FROM information_schema.user_variables WHERE variable_name LIKE 'a\_rather%' AND variable_value IS NOT NULL) AS n, @@group_concat_max_len AS len;"
    before=$(mariadb_executed)
    FLYWAY_URL="$URL${sep}sessionVariables=group_concat_max_len=1024" run fw migrate
    assert_status 0
    assert_output_contains "now at version v2"
    run sqlq "$URL" "SELECT CONCAT(n, ',', len) FROM seen"
    [ "$output" = "0,1024" ]
    [ "$(mariadb_executed)" -gt "$before" ]
}

@test "a SET ROLE in one migration does not reach the next (PostgreSQL)" {
    [ "$KIND" = pg ] || skip "roles are PostgreSQL's"
    local role="fw_role_$$_${BATS_TEST_NUMBER}"
    run sqlq "$URL" "CREATE ROLE $role NOLOGIN"
    assert_status 0
    write_migration sql V1__as_role.sql - <<SQL
GRANT CREATE ON SCHEMA public TO $role;
GRANT ALL ON $H TO $role;
SET ROLE $role;
CREATE TABLE by_role (id INT);
SQL
    write_migration sql V2__after.sql 'CREATE TABLE after_role (id INT);'
    run fw migrate
    assert_status 0
    run sqlq "$URL" "SELECT tablename || ':' || (tableowner = '$role')::text FROM pg_tables WHERE tablename IN ('by_role', 'after_role') ORDER BY 1"
    [ "$output" = "after_role:false
by_role:true" ]
    run sqlq "$URL" "DROP OWNED BY $role; DROP ROLE $role"
    assert_status 0
}
