#!/usr/bin/env bats
# undo with U scripts, and migrate -dryRunOutput=FILE.
# One file, several backends: 30-undo-dryrun-pg.bats is a link to this file,
# and setup() picks the database from the file name.

load helpers

setup() { fw_backend_setup; }
teardown() { fw_teardown; }

# history rows as rank|version|description|type|script|success
history() { history_of "installed_rank, version, description, type, script"; }

three() {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql V3__c.sql 'CREATE TABLE t3 (id INT);'
    write_migration sql U2__undo_b.sql 'DROP TABLE t2;'
    write_migration sql U3__undo_c.sql 'DROP TABLE t3;'
}

@test "undo reverts the last migration, records UNDO_SQL, and migrate re-applies it" {
    three
    run fw migrate
    assert_status 0
    run fw undo
    assert_status 0
    assert_output_contains "Undoing migration of schema $Q$SCHEMA$Q to version \"3 - undo c\""
    assert_output_contains "Successfully undid 1 migration to schema $Q$SCHEMA$Q, now at version v2"
    run sqlq "$URL" "SELECT COUNT(*) FROM t3"
    [ "$status" -ne 0 ]
    run sqlq "$URL" "SELECT COUNT(*) FROM t2"
    assert_status 0
    run history
    [ "${lines[3]}" = "4|3|undo c|UNDO_SQL|U3__undo_c.sql|1" ]
    [ "${#lines[@]}" -eq 4 ]
    run fw info
    assert_status 0
    assert_output_contains "Undone"
    assert_output_contains "Pending"
    assert_output_contains "Schema version: 2"
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration to schema $Q$SCHEMA$Q, now at version v3"
    run sqlq "$URL" "SELECT COUNT(*) FROM t3"
    assert_status 0
    [ "$output" = 0 ]
}

@test "undo -target=1 undoes 3 then 2" {
    three
    run fw migrate
    assert_status 0
    run fw -target=1 undo
    assert_status 0
    assert_output_contains "Successfully undid 2 migrations to schema $Q$SCHEMA$Q, now at version v1"
    run history
    [ "${lines[3]}" = "4|3|undo c|UNDO_SQL|U3__undo_c.sql|1" ]
    [ "${lines[4]}" = "5|2|undo b|UNDO_SQL|U2__undo_b.sql|1" ]
    [ "${#lines[@]}" -eq 5 ]
    run sqlq "$URL" "SELECT COUNT(*) FROM t2"
    [ "$status" -ne 0 ]
    run sqlq "$URL" "SELECT COUNT(*) FROM t1"
    assert_status 0
}

@test "undo -json lists the undone migrations" {
    three
    run fw migrate
    assert_status 0
    run fw -outputType=json undo
    assert_status 0
    assert_output_contains '"operation"'
    assert_output_contains '"undo"'
    assert_output_contains '"undoneMigrations"'
    assert_output_contains '"targetSchemaVersion" : "2"'
}

@test "undo without a U script fails and changes nothing" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    run fw migrate
    assert_status 0
    run fw undo
    [ "$status" -ne 0 ]
    assert_output_contains "Unable to undo migration 2: no undo script U2__*.sql found"
    run history
    [ "${#lines[@]}" -eq 2 ]
    run sqlq "$URL" "SELECT COUNT(*) FROM t2"
    assert_status 0
}

@test "info shows the Undoable column" {
    three
    run fw migrate
    assert_status 0
    run fw info
    assert_status 0
    assert_output_contains "Undoable"
    [[ "$output" == *"| 1 "*"| No "* ]]
    [[ "$output" == *"| 3 "*"| Yes "* ]]
}

@test "migrate -dryRunOutput writes the statements and changes nothing" {
    write_migration sql V1__a.sql 'CREATE TABLE ${tbl} (id INT);
INSERT INTO ${tbl} (id) VALUES (7);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    # as a pipeline runs it: the chain does not take migrate's lock for a dry run
    run fw -placeholders.tbl=dry_t -dryRunOutput="$T/dry.sql" info migrate
    assert_status 0
    assert_output_contains "Dry run written to $T/dry.sql"
    if [ "$KIND" = sqlite ]; then [ ! -e "$T/db.sqlite-fleetway.lock" ]; fi
    run cat "$T/dry.sql"
    assert_output_contains "-- Migration V1__a.sql"
    assert_output_contains "CREATE TABLE dry_t (id INT);"
    assert_output_contains "INSERT INTO dry_t (id) VALUES (7);"
    assert_output_contains "-- Migration V2__b.sql"
    assert_output_contains "INSERT INTO "
    assert_output_contains "flyway_schema_history"
    assert_output_contains "'V2__b.sql'"
    assert_output_not_contains '${tbl}'
    run sqlq "$URL" "SELECT COUNT(*) FROM dry_t"
    [ "$status" -ne 0 ]
    run sqlq "$URL" "SELECT COUNT(*) FROM $H"
    [ "$status" -ne 0 ]
}

@test "migrate -dryRunOutput after a real migrate lists only pending ones and writes no rows" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate
    assert_status 0
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    run fw -dryRunOutput="$T/dry.sql" migrate
    assert_status 0
    run cat "$T/dry.sql"
    assert_output_contains "CREATE TABLE t2 (id INT);"
    assert_output_not_contains "CREATE TABLE t1"
    run history
    [ "${#lines[@]}" -eq 1 ]
    run sqlq "$URL" "SELECT COUNT(*) FROM t2"
    [ "$status" -ne 0 ]
}

@test "the dry-run script, run by the database's own client, writes the history migrate would write" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql "INSERT INTO t1 VALUES (2);"
    write_migration sql R__r.sql 'CREATE VIEW v1 AS SELECT id FROM t1;'
    run fw -dryRunOutput="$T/dry.sql" migrate
    assert_status 0
    # the dry run on an empty database includes the history table's DDL
    run cat "$T/dry.sql"
    assert_output_contains "CREATE TABLE"
    assert_output_not_contains "-- CREATE TABLE"
    run sqlq "$URL" "$(cat "$T/dry.sql")"
    assert_status 0
    run sqlq "$URL" "SELECT installed_rank, version, description, type, script, checksum, success FROM $H ORDER BY installed_rank"
    local by_dry_run=$output
    [ "${#lines[@]}" -eq 3 ]
    run sqlq "$URL" "SELECT id FROM t1"
    [ "$output" = 2 ]
    # fleetway itself sees a database it migrated
    run fw info
    assert_status 0
    assert_output_not_contains "Pending"
    run fw validate
    assert_status 0
    # and it is what a real migrate writes into a fresh database
    case $KIND in
        sqlite) URL=jdbc:sqlite:$T/other.sqlite ;;
        pg) URL=$(pg_url other) ;;
        mysql) URL=$(mysql_url other) ;;
    esac
    run fw -url="$URL" migrate
    assert_status 0
    run sqlq "$URL" "SELECT installed_rank, version, description, type, script, checksum, success FROM $H ORDER BY installed_rank"
    [ "$output" = "$by_dry_run" ]
}
