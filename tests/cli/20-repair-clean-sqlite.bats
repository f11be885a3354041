#!/usr/bin/env bats
# repair and clean end to end (reference 7.2, 7.3, 14.6, 14.10).
# 20-repair-clean-pg.bats is a link to this file; setup() picks the database from the file name.

load helpers

setup() { fw_backend_setup; }
teardown() { fw_teardown; }

# history rows as rank|version|description|type|script|checksum|success (booleans as 1/0)
history() { history_of "installed_rank, version, description, type, script, checksum"; }

@test "repair removes a failed row, and migrate then applies the fixed file" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__bad.sql 'CREATE TABLE t2 (id INT);
INSERT INTO no_such_table VALUES (1);'
    write_migration sql V2__bad.sql.conf 'executeInTransaction=false'
    run fw migrate
    [ "$status" -ne 0 ]
    # a non-transactional migration leaves a failed row behind, and migrate refuses it
    run sqlq "$URL" "SELECT version, CASE WHEN success THEN 1 ELSE 0 END FROM $H WHERE version = '2'"
    [ "$output" = "2|0" ]
    run fw migrate
    [ "$status" -ne 0 ]
    run fw repair
    assert_status 0
    assert_output_contains "Successfully repaired schema history table"
    run sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE version = '2'"
    [ "$output" = 0 ]
    write_migration sql V2__bad.sql 'CREATE TABLE IF NOT EXISTS t2 (id INT);'
    run fw migrate
    assert_status 0
    run sqlq "$URL" "SELECT CASE WHEN success THEN 1 ELSE 0 END FROM $H WHERE version = '2'"
    [ "$output" = 1 ]
}

@test "repair realigns the checksum of an edited applied file" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate
    assert_status 0
    run sqlq "$URL" "SELECT checksum FROM $H WHERE version = '1'"
    old=$output
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT, x INT);'
    run fw validate
    [ "$status" -ne 0 ]
    run fw repair
    assert_status 0
    assert_output_contains "Successfully repaired schema history table"
    run fw validate
    assert_status 0
    run sqlq "$URL" "SELECT checksum FROM $H WHERE version = '1'"
    [ "$output" != "$old" ]
    # the stored value is what the file now has: validate passes and a second repair changes nothing
    new=$output
    run fw repair
    assert_status 0
    run sqlq "$URL" "SELECT checksum FROM $H WHERE version = '1'"
    [ "$output" = "$new" ]
}

@test "repair realigns the description after a rename and keeps script" {
    write_migration sql V1__old_name.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate
    assert_status 0
    mv "$T/sql/V1__old_name.sql" "$T/sql/V1__new_name.sql"
    run fw validate
    [ "$status" -ne 0 ]
    run fw repair
    assert_status 0
    run sqlq "$URL" "SELECT description, script FROM $H WHERE version = '1'"
    [ "$output" = "new name|V1__old_name.sql" ]
    run fw validate
    assert_status 0
}

@test "repair marks a missing migration as deleted with a copy of its row" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql V3__c.sql 'CREATE TABLE t3 (id INT);'
    run fw migrate
    assert_status 0
    rm "$T/sql/V2__b.sql"
    run fw validate
    [ "$status" -ne 0 ]
    run fw repair
    assert_status 0
    run history
    [[ "${lines[1]}" == "2|2|b|SQL|V2__b.sql|"*"|1" ]]
    ck=$(echo "${lines[1]}" | cut -d'|' -f6)
    [ "${lines[3]}" = "4|2|b|DELETE|V2__b.sql|$ck|1" ]
    [ "${#lines[@]}" -eq 4 ]
    run sqlq "$URL" "SELECT execution_time FROM $H WHERE installed_rank = 4"
    [ "$output" = 0 ]
    run fw info
    assert_status 0
    assert_output_contains "Deleted"
    run fw validate
    assert_status 0
}

@test "repair in JSON mode reports repairActions" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql V3__c.sql 'CREATE TABLE t3 (id INT);'
    run fw migrate
    assert_status 0
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT, y INT);'
    rm "$T/sql/V2__b.sql"
    run fw -outputType=json repair
    assert_status 0
    echo "$output" | jq -e '.operation == "repair"'
    echo "$output" | jq -e '.repairActions | index("Aligned applied migration checksums")'
    echo "$output" | jq -e '.repairActions | index("Marked missing migrations as deleted")'
    echo "$output" | jq -e '.migrationsDeleted[0].version == "2"'
    echo "$output" | jq -e '.migrationsAligned[0].version == "1"'
    echo "$output" | jq -e '.migrationsRemoved == []'
}

@test "a removed newest file is Future: repair leaves it unless ignoreMigrationPatterns=*:missing" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    run fw migrate
    assert_status 0
    rm "$T/sql/V2__b.sql"
    run fw repair
    assert_status 0
    run sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE type = 'DELETE'"
    [ "$output" = 0 ]
    run fw -ignoreMigrationPatterns='*:missing' repair
    assert_status 0
    run sqlq "$URL" "SELECT version, type FROM $H WHERE type = 'DELETE'"
    [ "$output" = "2|DELETE" ]
}

@test "repair without a history table succeeds and creates nothing" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw repair
    assert_status 0
    run sqlq "$URL" "SELECT COUNT(*) FROM $H"
    [ "$status" -ne 0 ]
}

@test "clean is refused by default and changes nothing" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate
    assert_status 0
    run fw clean
    assert_status 1
    assert_output_contains "Unable to execute clean as it has been disabled with the 'flyway.cleanDisabled' property."
    assert_output_contains "cleanDisabled=false"
    run sqlq "$URL" "SELECT COUNT(*) FROM t1"
    assert_status 0
    run sqlq "$URL" "SELECT COUNT(*) FROM $H"
    [ "$output" = 1 ]
}

@test "clean with cleanDisabled=false drops every table, view and the history table" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql R__v.sql 'CREATE VIEW v1 AS SELECT id FROM t1;'
    run fw migrate
    assert_status 0
    run fw -cleanDisabled=false clean
    assert_status 0
    assert_output_contains "Successfully cleaned schema $Q$SCHEMA$Q"
    for o in t1 t2 v1 "$H"; do
        run sqlq "$URL" "SELECT COUNT(*) FROM $o"
        [ "$status" -ne 0 ]
    done
    # migrate starts afresh after clean
    run fw migrate
    assert_status 0
    run sqlq "$URL" "SELECT COUNT(*) FROM $H"
    [ "$output" = 3 ]
}

@test "clean then migrate in one chain" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate
    assert_status 0
    run fw -cleanDisabled=false clean migrate
    assert_status 0
    run sqlq "$URL" "SELECT COUNT(*) FROM $H"
    [ "$output" = 1 ]
}

@test "clean in JSON mode lists the cleaned schemas" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate
    assert_status 0
    run fw -cleanDisabled=false -outputType=json clean
    assert_status 0
    echo "$output" | jq -e --arg s "$SCHEMA" '.schemasCleaned == [$s] and .schemasDropped == []'
}

@test "clean drops the schemas Flyway created (PostgreSQL)" {
    [ "$KIND" = pg ] || skip "schemas are PostgreSQL only here (MySQL databases: 50-mysql.bats; SQLite has none)"
    write_migration sql V1__a.sql 'CREATE TABLE app.t1 (id INT);
CREATE TABLE audit.t2 (id INT);'
    run fw -schemas=app,audit migrate
    assert_status 0
    run sqlq "$URL" "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN ('app','audit')"
    [ "$output" = 2 ]
    run fw -schemas=app,audit -cleanDisabled=false clean
    assert_status 0
    assert_output_contains "Successfully dropped schema ${Q}app$Q"
    assert_output_contains "Successfully dropped schema ${Q}audit$Q"
    run sqlq "$URL" "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN ('app','audit')"
    [ "$output" = 0 ]
}

@test "unqualified names land in the default schema, which goes first on the search_path (PostgreSQL)" {
    [ "$KIND" = pg ] || skip "search_path is PostgreSQL's (MySQL: 50-mysql.bats)"
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);
INSERT INTO t1 VALUES (1);'
    write_migration sql R__v.sql 'CREATE OR REPLACE VIEW v1 AS SELECT id FROM t1;'
    run fw -schemas=app,audit migrate
    assert_status 0
    run sqlq "$URL" "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_name IN ('t1', 'v1', '$H') ORDER BY 1"
    [ "$output" = "app.$H
app.t1
app.v1" ]
    # a second run sees the same: nothing pending, nothing created in public
    run fw -schemas=app,audit info validate migrate
    assert_status 0
    assert_output_contains "is up to date"
    run sqlq "$URL" "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
    [ "$output" = 0 ]
}

@test "clean warns about an unknown schema and cleans the others (PostgreSQL)" {
    [ "$KIND" = pg ] || skip "schemas are PostgreSQL only here (MySQL databases: 50-mysql.bats; SQLite has none)"
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate
    assert_status 0
    run fw -schemas=public,nosuch -cleanDisabled=false clean
    assert_status 0
    assert_output_contains "Unable to clean unknown schema"
    run sqlq "$URL" "SELECT COUNT(*) FROM t1"
    [ "$status" -ne 0 ]
}
