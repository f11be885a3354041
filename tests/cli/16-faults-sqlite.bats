#!/usr/bin/env bats
# Failures in awkward places: a NUL byte inside a script, the history insert / COMMIT / unlock
# failing, the connection dropping between two migrations, Ctrl-C or SIGTERM in the middle of a
# statement. Each leaves the history and the schema consistent, with a clear message.
# One file, several backends: 16-faults-{pg,mysql}.bats are links to this file, and setup() picks
# the database from the file name.
#
# Failures a real server cannot produce on cue come from the fault-injection hook of src/db/db.c
# (FLEETWAY_FAULT_INJECT), which only the test binary build/<mode>/fleetway-faults has
# (FLEETWAY_FAULT_BIN; `make test` builds it).

load helpers

setup() {
    fw_backend_setup
    FWF=${FLEETWAY_FAULT_BIN:-$(dirname "$FW")/fleetway-faults}
}
teardown() { fw_teardown; }

history() { history_of "installed_rank, version, description, type"; }

# fwf ARGS...: the test binary with the fault-injection hook
fwf() {
    if [ ! -x "$FWF" ]; then
        echo "fault-injection binary not found at $FWF (make faults, or set FLEETWAY_FAULT_BIN)" >&2
        return 127
    fi
    "$FWF" "$@"
}

# rows of table a, ids joined by spaces
ids_of_a() { sqlq "$URL" "SELECT id FROM a ORDER BY id" | tr '\n' ' ' | sed 's/ $//'; }

five_rows() {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);
INSERT INTO a VALUES (1); INSERT INTO a VALUES (2); INSERT INTO a VALUES (3);
INSERT INTO a VALUES (4); INSERT INTO a VALUES (5);'
}

# ---------------------------------------------------------------- a NUL byte in a script

@test "NUL: a NUL byte in a migration is an error naming file and line; nothing of it or later ones runs" {
    five_rows
    # the database's C API would end the statement at the NUL: DELETE FROM a, every row gone
    printf 'INSERT INTO a VALUES (6);\nDELETE FROM a\0 WHERE id = 5;\n' >sql/V2__x.sql
    write_migration sql V3__c.sql 'CREATE TABLE c (id INT);'
    run fw migrate
    assert_status 1
    assert_output_contains "V2__x.sql:2:14: the script contains a NUL byte"
    assert_output_not_contains "Successfully applied"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
    run table_exists c
    [ "$status" -ne 0 ]
}

@test "NUL: a non-transactional migration with a NUL runs none of its statements" {
    five_rows
    printf 'INSERT INTO a VALUES (6);\nINSERT INTO a VALUES (7);\nDELETE FROM a\0 WHERE id = 5;\n' >sql/V2__x.sql
    printf 'executeInTransaction=false\n' >sql/V2__x.sql.conf
    run fw migrate
    assert_status 1
    assert_output_contains "V2__x.sql:3:14: the script contains a NUL byte"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
    # the same with executeInTransaction=false for every migration
    rm sql/V2__x.sql.conf
    run fw -executeInTransaction=false migrate
    assert_status 1
    assert_output_contains "V2__x.sql:3:14: the script contains a NUL byte"
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
}

@test "NUL: in a repeatable migration and in a callback" {
    five_rows
    printf 'DELETE FROM a\0 WHERE id = 5;\n' >sql/R__r.sql
    run fw migrate
    assert_status 1
    assert_output_contains "R__r.sql:1:14: the script contains a NUL byte"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
    rm sql/R__r.sql
    write_migration sql V2__b.sql 'INSERT INTO a VALUES (6);'
    printf -- '-- runs inside each migration\nDELETE FROM a\0 WHERE id = 5;\n' >sql/beforeEachMigrate.sql
    run fw migrate
    assert_status 1
    assert_output_contains "beforeEachMigrate.sql:2:14: the script contains a NUL byte"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
}

@test "NUL: a NUL byte in a script's .conf is an error naming the file and line" {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'
    # everything after the NUL used to be dropped unseen
    printf 'encoding=UTF-8\n\0executeInTransaction=maybe\n' >sql/V1__a.sql.conf
    run fw migrate
    assert_status 1
    assert_output_contains "V1__a.sql.conf:2: the file contains a NUL byte"
    run table_exists a
    [ "$status" -ne 0 ]
}
