#!/usr/bin/env bats
# What fleetway prints and writes: misnamed files (reference 1.3), repair's JSON (7.2),
# built-in placeholders under any separator (9.2), write errors on stdout and output files.
# 13-output-pg.bats and 13-output-mysql.bats are links to this file; setup() picks the
# database from the file name.

load helpers

setup() { fw_backend_setup; }
teardown() { fw_teardown; }

NOT_RUN="SQL migrations were detected but not run because they did not follow the filename convention."

# run fleetway with stdout into FILE; $output is what it wrote on stderr
run_stdout_to() {
    local file=$1; shift
    run bash -c '"$@" 2>&1 >"$0"' "$file" "$FW" "$@"
}

# run fleetway with stdout into a pipe whose reader has already gone; $output is its stderr
# and $status its exit status (141 is death by SIGPIPE, as `git log | true` gives)
run_into_closed_pipe() {
    run bash -c '"$@" 2>"$0" | (exec 0<&-; sleep 1); s=${PIPESTATUS[0]}; cat "$0"; exit "$s"' \
        "$T/pipe.err" "$FW" "$@"
}

# ---------------------------------------------------------------- misnamed files

@test "misnamed files: the count is printed once, as a warning, and -q keeps it" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2_one_underscore.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql notamigration.sql 'CREATE TABLE t3 (id INT);'
    run fw migrate
    assert_status 0
    [ "$(grep -c "$NOT_RUN" <<<"$output")" = 1 ]
    assert_output_contains "WARNING: 2 $NOT_RUN"
    assert_output_contains "WARNING: Set 'validateMigrationNaming' to true to fail fast and see a list of the invalid file names."
    # a chain of commands on one connection says it once too
    run fw info validate migrate
    assert_status 0
    [ "$(grep -c "$NOT_RUN" <<<"$output")" = 1 ]
    run fw -q info
    assert_status 0
    [ "$output" = "WARNING: 2 $NOT_RUN
WARNING: Set 'validateMigrationNaming' to true to fail fast and see a list of the invalid file names." ]
    # JSON: stdout stays one document, the warning goes to stderr
    run bash -c '"$@" 2>/dev/null' _ "$FW" -outputType=json info
    assert_status 0
    jq -e '.operation == "info"' <<<"$output"
    run bash -c '"$@" 2>&1 >/dev/null' _ "$FW" -outputType=json info
    assert_output_contains "WARNING: 2 $NOT_RUN"
}

@test "validateMigrationNaming=true: info fails with validate's message and changes nothing" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2_one_underscore.sql 'CREATE TABLE t2 (id INT);'
    run fw -validateMigrationNaming=true validate
    assert_status 1
    assert_output_contains "ERROR: Invalid SQL filenames found:"
    assert_output_contains "V2_one_underscore.sql"
    want=$(sed -n '/^ERROR:/,$p' <<<"$output")
    run fw -validateMigrationNaming=true info
    assert_status 1
    [ "$(sed -n '/^ERROR:/,$p' <<<"$output")" = "$want" ]
    assert_output_not_contains "Schema version"
    # in a chain, info stops it before migrate
    run fw -validateMigrationNaming=true info migrate
    assert_status 1
    run table_exists "$H"
    [ "$status" -ne 0 ]
    run fw -validateMigrationNaming=true -outputType=json info
    assert_status 1
    jq -e '.error.message | startswith("Invalid SQL filenames found:")' <<<"$output"
    # without the setting info works and shows the good file
    run fw info
    assert_status 0
    assert_output_contains "Pending"
}

# ---------------------------------------------------------------- repair JSON

@test "repair -outputType=json: migrationsAligned carries the description the row had before" {
    write_migration sql V1__old_name.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    run fw migrate
    assert_status 0
    mv "$T/sql/V1__old_name.sql" "$T/sql/V1__new_name.sql"
    run fw -outputType=json repair
    assert_status 0
    jq -e '.migrationsAligned | length == 1' <<<"$output"
    jq -e '.migrationsAligned[0].version == "1"' <<<"$output"
    jq -e '.migrationsAligned[0].description == "old name"' <<<"$output"
    jq -e '.migrationsAligned[0].filepath | endswith("sql/V1__new_name.sql")' <<<"$output"
    # the row itself now has the new one
    run sqlq "$URL" "SELECT description FROM $H WHERE version = '1'"
    [ "$output" = "new name" ]
}

