#!/usr/bin/env bats
# The core engine end to end: migrate, info, validate as a user runs them.
# One file, three backends: 10-core-pg.bats and 10-core-mysql.bats are links to
# this file, and setup() picks the database from the file name.

load helpers

setup() { fw_backend_setup; }
teardown() { fw_teardown; }

# history rows as rank|version|description|type|script|checksum|success (booleans as 1/0)
history() { history_of "installed_rank, version, description, type, script, checksum"; }

@test "migrate applies versioned then repeatable migrations and writes Flyway's history rows" {
    write_migration sql V1__Init.sql 'CREATE TABLE t (id INT);'
    write_migration sql V1_1__seed.sql "INSERT INTO t (id) VALUES (1);"
    write_migration sql sub/V2__second_table.sql 'CREATE TABLE a (id INT);
CREATE TABLE b (id INT);'
    write_migration sql R__a_view.sql 'CREATE VIEW v AS SELECT id FROM t;'
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 4 migrations to schema $Q$SCHEMA$Q, now at version v2"
    assert_output_contains "Migrating schema $Q$SCHEMA$Q to version \"1.1 - seed\""
    assert_output_contains "Migrating schema $Q$SCHEMA$Q with repeatable migration \"a view\""
    run history
    assert_status 0
    # checksums are the reference vectors: "CREATE TABLE t (id INT);\n" and the two-table file
    [ "${lines[0]}" = "1|1|Init|SQL|V1__Init.sql|1556295178|1" ]
    [ "${lines[1]%%|*}" = 2 ]
    [[ "${lines[1]}" == "2|1.1|seed|SQL|V1_1__seed.sql|"*"|1" ]]
    [ "${lines[2]}" = "3|2|second table|SQL|sub/V2__second_table.sql|-1039437746|1" ]
    [[ "${lines[3]}" == "4|NULL|a view|SQL|R__a_view.sql|"*"|1" ]]
    [ "${#lines[@]}" -eq 4 ]
    run sqlq "$URL" "SELECT COUNT(*) FROM t"
    [ "$output" = 1 ]
}

@test "a second migrate is a no-op and info shows Success for every row" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    run fw migrate
    assert_status 0
    run fw migrate
    assert_status 0
    assert_output_contains "Schema $Q$SCHEMA$Q is up to date. No migration necessary."
    run fw info
    assert_status 0
    assert_output_contains "Schema version: 2"
    assert_output_contains "| Category  | Version | Description | Type | Installed On        | State   | Undoable |"
    [ "$(grep -c '| Versioned | ' <<<"$output")" -eq 2 ]
    [ "$(grep -c '| Success |' <<<"$output")" -eq 2 ]
    run fw info validate migrate
    assert_status 0
}

@test "info on an empty database lists pending migrations; validate fails as Flyway does" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw info
    assert_status 0
    assert_output_contains "Schema version: << Empty Schema >>"
    assert_output_contains "| Versioned | 1       | a           | SQL  |              | Pending |"
    run fw validate
    assert_status 1
    assert_output_contains "Validate failed: Migrations have failed validation"
    assert_output_contains "Detected resolved migration not applied to database: 1."
    # validate changed nothing
    run fw info
    assert_output_contains "Pending"
}

@test "versions order numerically and keep their spelling" {
    write_migration sql V1.10__ten.sql 'CREATE TABLE t10 (id INT);'
    write_migration sql V1.9__nine.sql 'CREATE TABLE t9 (id INT);'
    write_migration sql V002__two.sql 'CREATE TABLE t2 (id INT);'
    run fw migrate
    assert_status 0
    run sqlq "$URL" "SELECT version FROM $H ORDER BY installed_rank"
    [ "$output" = $'1.9\n1.10\n002' ]
}

@test "an edited migration fails validation with a checksum mismatch and migrate refuses" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate
    assert_status 0
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id BIGINT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    run fw validate
    assert_status 1
    assert_output_contains "Migration checksum mismatch for migration version 1"
    assert_output_contains "-> Applied to database : "
    run fw migrate
    assert_status 1
    assert_output_contains "Validate failed"
    run sqlq "$URL" "SELECT COUNT(*) FROM $H"
    [ "$output" = 1 ]
}

@test "a failing statement names migration, line and server error, and leaves no half-written history" {
    write_migration sql V1__ok.sql 'CREATE TABLE ok1 (id INT);'
    write_migration sql V2__bad.sql - <<'SQL'
CREATE TABLE half (id INT);
INSERT INTO half (id) VALUES (1);
INSERT INTO no_such_table VALUES (1);
SQL
    run fw migrate
    assert_status 1
    assert_output_contains "Migration V2__bad.sql failed"
    assert_output_contains "Line       : 3"
    assert_output_contains "no_such_table"
    if [ "$KIND" = mysql ]; then
        # MySQL commits DDL: Flyway records the failure (reference 14.17)
        assert_output_contains "Migration of schema $Q$SCHEMA$Q to version \"2 - bad\" failed! Please restore backups and roll back database and code!"
        run sqlq "$URL" "SELECT version, CASE WHEN success THEN 1 ELSE 0 END FROM $H ORDER BY installed_rank"
        [ "$output" = $'1|1\n2|0' ]
    else
        assert_output_contains "Migration of schema $Q$SCHEMA$Q to version \"2 - bad\" failed! Changes successfully rolled back."
        run sqlq "$URL" "SELECT version FROM $H ORDER BY installed_rank"
        [ "$output" = 1 ]
        # rolled back: the table created before the error is gone
        run sqlq "$URL" "SELECT COUNT(*) FROM half"
        [ "$status" -ne 0 ]
        run fw info
        assert_output_contains "| Versioned | 2       | bad         | SQL  |                     | Pending |"
    fi
}

@test "two files with the same version are an error before anything runs" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V1.0__b.sql 'CREATE TABLE t2 (id INT);'
    run fw migrate
    assert_status 1
    assert_output_contains "Found more than one migration with version 1"
    run sqlq "$URL" "SELECT COUNT(*) FROM $H"
    [ "$status" -ne 0 ] || [ "$output" = 0 ]
}

@test "placeholders are replaced; an undefined one is an error naming file and line" {
    write_migration sql V1__a.sql - <<'SQL'
CREATE TABLE ${table_name} (id INT);
SQL
    run fw -placeholders.table_name=things migrate
    assert_status 0
    run sqlq "$URL" "SELECT COUNT(*) FROM things"
    assert_status 0
    write_migration sql V2__b.sql - <<'SQL'
-- line 1
CREATE TABLE ${other} (id INT);
SQL
    run fw -placeholders.table_name=things migrate
    assert_status 1
    assert_output_contains 'No value provided for placeholder: ${other}'
    assert_output_contains "V2__b.sql:2"
}

@test "outOfOrder: a late lower version is Ignored, then applied and shown Out of Order" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V3__c.sql 'CREATE TABLE t3 (id INT);'
    run fw migrate
    assert_status 0
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    run fw info
    assert_output_contains "| 2       | b           | SQL  |                     | Ignored"
    run fw validate
    assert_status 1
    assert_output_contains "To allow executing this migration, set -outOfOrder=true."
    run fw -outOfOrder=true migrate
    assert_status 0
    assert_output_contains "[out of order]"
    run fw info
    assert_output_contains "Out of Order"
}

@test "target: stop at a version; the rest is Above Target; a missing target is an error" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql V3__c.sql 'CREATE TABLE t3 (id INT);'
    run fw -target=2 migrate
    assert_status 0
    run fw -target=2 info
    assert_output_contains "Above Target"
    run fw -target=2.5 migrate
    assert_status 1
    assert_output_contains "No migration with a target version 2.5 could be found"
    run fw -target='2.5?' migrate
    assert_status 0
    run sqlq "$URL" "SELECT COUNT(*) FROM $H"
    [ "$output" = 2 ]
}

@test "a changed repeatable is Outdated, then re-applied after the versioned ones" {
    write_migration sql V1__t.sql 'CREATE TABLE t (id INT);'
    write_migration sql R__v.sql 'CREATE VIEW v AS SELECT id FROM t;'
    run fw migrate
    assert_status 0
    write_migration sql R__v.sql - <<'SQL'
DROP VIEW v;
CREATE VIEW v AS SELECT id, id + 1 AS next FROM t;
SQL
    run fw info
    assert_output_contains "Outdated"
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration"
    run sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE version IS NULL"
    [ "$output" = 2 ]
    run fw info
    assert_output_contains "Superseded"
}

@test "info -outputType=json carries Flyway's field names" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    run fw -target=1 migrate
    assert_status 0
    run fw info -outputType=json
    assert_status 0
    [ "$(jq -r '.schemaVersion' <<<"$output")" = 1 ]
    [ "$(jq -r '.migrations[0].state' <<<"$output")" = Success ]
    [ "$(jq -r '.migrations[1].state' <<<"$output")" = Pending ]
    [ "$(jq -r '.migrations[1].version' <<<"$output")" = 2 ]
    [ "$(jq -r '.migrations[0].category' <<<"$output")" = Versioned ]
    [[ "$(jq -r '.migrations[0].installedOnUTC' <<<"$output")" == *Z ]]
    [ "$(jq -r '.operation' <<<"$output")" = info ]
}

@test "several commands in one call give individualResults in JSON; an error stops the chain" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate info -outputType=json
    assert_status 0
    [ "$(jq -r '.individualResults | length' <<<"$output")" = 2 ]
    [ "$(jq -r '.individualResults[0].migrationsExecuted' <<<"$output")" = 1 ]
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id BIGINT);'
    run fw validate migrate
    assert_status 1
    run sqlq "$URL" "SELECT COUNT(*) FROM $H"
    [ "$output" = 1 ]
}

@test "a deleted applied file is Missing and validate says so; a newer one is Future" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql V3__c.sql 'CREATE TABLE t3 (id INT);'
    run fw migrate
    assert_status 0
    rm sql/V2__b.sql sql/V3__c.sql
    run fw info
    assert_output_contains "| 2       | b           | SQL  |"
    assert_output_contains "Future"
    write_migration sql V3__c.sql 'CREATE TABLE t3 (id INT);'
    run fw info
    assert_output_contains "Missing"
    run fw validate
    assert_status 1
    assert_output_contains "Detected applied migration not resolved locally: 2."
}

@test "the same file in two locations is one migration (reference 14.5)" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration more V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw "-locations=filesystem:$T/sql,filesystem:$T/more" migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration"
}

@test "concurrent migrate runs (alone and in info validate migrate chains) apply each migration exactly once" {
    for i in $(seq 1 20); do
        write_migration sql "V${i}__t$i.sql" "CREATE TABLE c$i (id INT);"
    done
    pids=()
    for i in 1 2 3 4 5 6; do
        # half of them as a pipeline runs it: the chain reads the history once, under the lock
        if [ $((i % 2)) = 0 ]; then
            fw "-ignoreMigrationPatterns=*:pending" info validate migrate >"$T/out$i.log" 2>&1 &
        else
            fw migrate >"$T/out$i.log" 2>&1 &
        fi
        pids+=($!)
    done
    fails=0
    for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
    if [ "$fails" -ne 0 ]; then cat "$T"/out*.log >&2; fi
    [ "$fails" -eq 0 ]
    run sqlq "$URL" "SELECT COUNT(*), COUNT(DISTINCT version) FROM $H WHERE success = $( [ "$KIND" = pg ] && echo true || echo 1 )"
    [ "$output" = "20|20" ]
}

@test "init scaffolds a project that migrate runs at once" {
    unset FLYWAY_URL FLYWAY_LOCATIONS
    mkdir proj
    run fw -workingDirectory="$T/proj" init
    assert_status 0
    [ -f proj/flyway.toml ] && [ -d proj/migrations ] && [ -d proj/schema-model ]
    cd proj
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration"
    run fw info
    assert_output_contains "Success"
}

@test "a run killed in the middle of a migration leaves it unapplied, and a rerun finishes the job" {
    write_migration sql V1__a.sql 'CREATE TABLE k1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE k2 (id INT);
CREATE TABLE k3 (id INT);'
    write_migration sql V3__c.sql 'CREATE TABLE k4 (id INT);'
    # after V2's first statement the callback signals and sleeps: the run is killed right there,
    # with V2's transaction open (the statements go one by one when statement callbacks exist)
    export KILL_DIR=$T
    write_migration sql afterEachMigrateStatement.sh - <<'SH'
#!/bin/sh
n=$(( $(cat "$KILL_DIR/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$KILL_DIR/count"
if [ "$n" = 2 ]; then echo $$ >"$KILL_DIR/sleeping"; exec sleep 60; fi
SH
    # the binary itself, not the fw function: $! must be fleetway's own pid
    "$FW" migrate >"$T/killed.log" 2>&1 &
    local pid=$!
    for _ in $(seq 300); do [ -s "$T/sleeping" ] && break; sleep 0.05; done
    [ -s "$T/sleeping" ]
    kill -9 "$pid"
    kill "$(cat "$T/sleeping")" 2>/dev/null || true
    wait "$pid" || true
    run sqlq "$URL" "SELECT version FROM $H WHERE version IS NOT NULL ORDER BY installed_rank"
    [ "$output" = 1 ]
    if [ "$KIND" != mysql ]; then
        # the transaction died with the process: nothing of V2 remains
        run sqlq "$URL" "SELECT COUNT(*) FROM k2"
        [ "$status" -ne 0 ]
    else
        # MySQL/MariaDB commit DDL at once: the user drops the half-applied change by hand
        sqlq "$URL" "DROP TABLE k2"
    fi
    rm "$T/sql/afterEachMigrateStatement.sh"
    run fw info
    assert_output_contains "Pending"
    # the lock went with the process: a new run does not wait, and applies V2 and V3 once each
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 2 migrations"
    run sqlq "$URL" "SELECT version FROM $H WHERE version IS NOT NULL ORDER BY installed_rank"
    [ "$output" = "1
2
3" ]
}
