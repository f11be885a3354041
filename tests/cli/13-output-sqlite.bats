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

