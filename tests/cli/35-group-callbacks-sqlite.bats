#!/usr/bin/env bats
# group=true / mixed, and the order in which callbacks fire (reference 1.5).
# One file, several backends: 35-group-callbacks-{pg,mysql}.bats are links to this file,
# and setup() picks the database from the file name.

load helpers

setup() {
    fw_backend_setup
    export CB_LOG=$T/callbacks.log
}
teardown() { fw_teardown; }

history() { history_of "installed_rank, version, description, type"; }


# a script callback that appends its event name to $CB_LOG
log_callback() {
    write_migration sql "$1.sh" "#!/bin/sh
echo $1 >>\"\$CB_LOG\""
}

@test "group=true applies every pending migration in one transaction" {
    [ "$KIND" != mysql ] || skip "MariaDB refuses group=true (no transactional DDL): see the next test"
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT); INSERT INTO t2 VALUES (2);'
    write_migration sql R__r.sql 'CREATE VIEW v AS SELECT id FROM t2;'
    run fw -group=true migrate
    assert_status 0
    assert_output_contains "Successfully applied 3 migrations"
    run history
    [ "${lines[0]}" = "1|1|a|SQL|1" ]
    [ "${lines[1]}" = "2|2|b|SQL|1" ]
    [ "${lines[2]}" = "3|NULL|r|SQL|1" ]
    [ "${#lines[@]}" -eq 3 ]
    # execution_time is measured per migration, not since the group began
    run sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE execution_time < 0 OR execution_time > 60000"
    [ "$output" = 0 ]
    run fw -group=true migrate
    assert_status 0
    assert_output_contains "is up to date. No migration necessary."
}

@test "group=true rolls back the whole group when one migration fails" {
    [ "$KIND" != mysql ] || skip "MariaDB refuses group=true: tested below"
    write_migration sql V1__base.sql 'CREATE TABLE t0 (id INT);'
    run fw migrate
    assert_status 0
    write_migration sql V2__a.sql 'CREATE TABLE t1 (id INT); INSERT INTO t0 VALUES (1);'
    write_migration sql V3__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql V4__bad.sql 'CREATE TABLE t3 (id INT);
INSERT INTO no_such_table VALUES (1);'
    run fw -group=true migrate
    [ "$status" -eq 1 ]
    assert_output_contains "Migration V4__bad.sql failed"
    assert_output_contains "rolled back"
    # nothing of V2..V4 remains: no tables, no rows, no history rows
    assert_no_table t1
    assert_no_table t2
    assert_no_table t3
    run sqlq "$URL" "SELECT COUNT(*) FROM t0"
    [ "$output" = 0 ]
    run history
    [ "${#lines[@]}" -eq 1 ]
    [ "${lines[0]}" = "1|1|base|SQL|1" ]
    run fw info
    assert_output_contains "Pending"
    # fixed, the group goes through with ranks following the old history
    write_migration sql V4__bad.sql 'CREATE TABLE t3 (id INT);'
    run fw -group=true migrate
    assert_status 0
    run history
    [ "${lines[3]}" = "4|4|bad|SQL|1" ]
}

@test "group=true with a non-transactional migration: refused unless mixed=true" {
    [ "$KIND" != mysql ] || skip "MariaDB refuses group=true: tested below"
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql V2__b.sql.conf 'executeInTransaction=false'
    run fw -group=true migrate
    [ "$status" -eq 1 ]
    assert_output_contains "Detected both transactional and non-transactional migrations within the same migration group (even though mixed is false). First offending migration: 2 b [non-transactional]"
    assert_no_table t1
    run fw -group=true -mixed=true migrate
    assert_status 0
    assert_output_contains "the group runs without a transaction"
    table_exists t1
    table_exists t2
    run history
    [ "${#lines[@]}" -eq 2 ]
}

@test "group=true on MariaDB is refused before anything changes" {
    [ "$KIND" = mysql ] || skip "only MariaDB lacks transactional DDL"
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw -group=true migrate
    [ "$status" -eq 1 ]
    assert_output_contains "group=true needs transactional DDL"
    assert_no_table t1
    assert_no_table "$H"
}

@test "migrate callbacks fire in Flyway's order" {
    local ev
    for ev in afterConnect beforeValidate afterValidate beforeMigrate beforeEachMigrate \
              beforeEachMigrateStatement afterEachMigrateStatement afterEachMigrate afterVersioned \
              beforeRepeatables afterMigrateApplied afterMigrate afterMigrateError; do
        log_callback "$ev"
    done
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);
INSERT INTO t1 VALUES (1);'
    write_migration sql R__r.sql 'CREATE VIEW v AS SELECT id FROM t1;'
    run fw migrate
    assert_status 0
    run cat "$CB_LOG"
    local want="afterConnect
beforeValidate
afterValidate
beforeMigrate
beforeEachMigrate
beforeEachMigrateStatement
afterEachMigrateStatement
beforeEachMigrateStatement
afterEachMigrateStatement
afterEachMigrate
afterVersioned
beforeRepeatables
beforeEachMigrate
beforeEachMigrateStatement
afterEachMigrateStatement
afterEachMigrate
afterMigrateApplied
afterMigrate"
    [ "$output" = "$want" ] || { printf 'got:\n%s\n' "$output" >&2; false; }
    # nothing pending: no per-migration events, afterVersioned still once, no afterMigrateApplied
    rm "$CB_LOG"
    run fw migrate
    assert_status 0
    run cat "$CB_LOG"
    [ "$output" = "afterConnect
beforeValidate
afterValidate
beforeMigrate
afterVersioned
afterMigrate" ] || { printf 'got:\n%s\n' "$output" >&2; false; }
}

@test "error callbacks fire on a failing migration" {
    local ev
    for ev in beforeEachMigrateStatement afterEachMigrateStatementError afterEachMigrateError \
              afterMigrateError afterMigrate; do
        log_callback "$ev"
    done
    write_migration sql V1__bad.sql 'SELECT * FROM no_such_table;'
    run fw migrate
    [ "$status" -eq 1 ]
    run cat "$CB_LOG"
    [ "$output" = "beforeEachMigrateStatement
afterEachMigrateStatementError
afterEachMigrateError
afterMigrateError" ] || { printf 'got:\n%s\n' "$output" >&2; false; }
}

@test "SQL callbacks run inside the migration's transaction and see placeholders" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql afterEachMigrate__log.sql 'INSERT INTO t1 VALUES (${n});'
    write_migration sql afterMigrate.sql 'INSERT INTO t1 VALUES (100);'
    run fw -placeholders.n=7 migrate
    assert_status 0
    run sqlq "$URL" "SELECT id FROM t1 ORDER BY id"
    [ "$output" = "7
100" ]
}

@test "undo fires the undo callbacks, not the migrate ones" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql U1__a.sql 'DROP TABLE t1;'
    run fw migrate
    assert_status 0
    local ev
    for ev in beforeUndo beforeEachUndo beforeEachUndoStatement afterEachUndoStatement afterEachUndo \
              afterUndo beforeEachMigrate afterEachMigrate beforeMigrate; do
        log_callback "$ev"
    done
    run fw undo
    assert_status 0
    run cat "$CB_LOG"
    [ "$output" = "beforeUndo
beforeEachUndo
beforeEachUndoStatement
afterEachUndoStatement
afterEachUndo
afterUndo" ] || { printf 'got:\n%s\n' "$output" >&2; false; }
}

@test "validate, info, repair and baseline callbacks" {
    local ev
    for ev in beforeValidate afterValidate afterValidateError beforeInfo afterInfo beforeRepair \
              afterRepair beforeBaseline afterBaseline; do
        log_callback "$ev"
    done
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw baseline
    assert_status 0
    run fw info
    assert_status 0
    run fw repair
    assert_status 0
    run fw validate
    run cat "$CB_LOG"
    [ "$output" = "beforeBaseline
afterBaseline
beforeInfo
afterInfo
beforeRepair
afterRepair
beforeValidate
afterValidate" ] || { printf 'got:\n%s\n' "$output" >&2; false; }
}

@test "skipDefaultCallbacks leaves callbacks in the locations alone" {
    log_callback beforeMigrate
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw -skipDefaultCallbacks=true migrate
    assert_status 0
    [ ! -e "$CB_LOG" ]
}
