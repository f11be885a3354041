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

# ---------------------------------------------------------------- built-in placeholders

# V1__builtins.sql for separator $1 into table $2: one row per built-in
builtins_migration() {
    local s=$1 tab=$2 n
    echo "CREATE TABLE $tab (k VARCHAR(40), v VARCHAR(400));"
    for n in defaultSchema user database timestamp filename workingDirectory table environment; do
        echo "INSERT INTO $tab (k, v) VALUES ('$n', '\${flyway${s}${n}}');"
    done
}

@test "every built-in placeholder works with the separators : . _ and ::" {
    i=0
    for s in : . _ ::; do
        i=$((i + 1))
        mkdir -p "sql$i"
        builtins_migration "$s" "b$i" >"sql$i/V1__builtins.sql"
        printf "SELECT '\${flyway%sfilename}' AS f;\n" "$s" >"sql$i/R__named.sql"
        # each separator its own history table beside the others' tables
        run fw -placeholderSeparator="$s" -table="fh$i" -locations="filesystem:$T/sql$i" \
            -baselineOnMigrate=true -baselineVersion=0 migrate
        assert_status 0
        run sqlq "$URL" "SELECT k, v FROM b$i ORDER BY k"
        rows=$output
        v() { sed -n "s/^$1|//p" <<<"$rows"; }
        [ "$(v filename)" = V1__builtins.sql ]
        [ "$(v table)" = "fh$i" ]
        [ "$(v defaultSchema)" = "$SCHEMA" ]
        [ "$(v environment)" = default ]
        [ "$(v workingDirectory)" = "$PWD" ]
        [[ "$(v timestamp)" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]]
        # user and database: whatever the default separator gives (SQLite has neither)
        eval "ud$i=\$(v user)/\$(v database)"
        # the repeatable's checksum is taken of the text with its own name in it
        run sqlq "$URL" "SELECT checksum FROM fh$i WHERE script = 'R__named.sql'"
        eval "ck$i=\$output"
        run fw -placeholderSeparator="$s" -table="fh$i" -locations="filesystem:$T/sql$i" validate
        assert_status 0
    done
    [ "$ud1" = "$ud2" ] && [ "$ud1" = "$ud3" ] && [ "$ud1" = "$ud4" ]
    if [ "$KIND" != sqlite ]; then [[ "$ud1" != /* && "$ud1" != */ ]]; fi
    [ -n "$ck1" ] && [ "$ck1" = "$ck2" ] && [ "$ck1" = "$ck3" ] && [ "$ck1" = "$ck4" ]
}

@test "a script migration gets the built-ins as FP__flyway_name__ under any separator" {
    write_migration sql V1__env.sh 'echo "$FP__flyway_filename__|$FP__flyway_table__|$FP__flyway_environment__" >"$OUT"'
    OUT=$T/env.txt run fw -placeholderSeparator=. migrate
    assert_status 0
    [ "$(cat "$T/env.txt")" = "V1__env.sh|$H|default" ]
}

@test "an unknown built-in under another separator is the default-placeholder error" {
    write_migration sql V1__a.sql "SELECT '\${flyway.nosuch}' AS x;"
    run fw -placeholderSeparator=. migrate
    assert_status 1
    assert_output_contains 'Failed to populate value for default placeholder: ${flyway.nosuch}'
}

# ---------------------------------------------------------------- write errors

@test "info to a full stdout fails, in text and in JSON" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run_stdout_to /dev/full info
    assert_status 1
    assert_output_contains "ERROR: unable to write to standard output: No space left on device"
    run_stdout_to /dev/full -outputType=json info
    assert_status 1
    assert_output_contains "ERROR: unable to write to standard output: No space left on device"
    # -q prints nothing on stdout, so nothing failed
    run_stdout_to /dev/full -q info
    assert_status 0
    [ -z "$output" ]
    run_stdout_to /dev/full --help
    assert_status 1
    assert_output_contains "unable to write to standard output"
    run_stdout_to /dev/full --version
    assert_status 1
}

@test "-outputFile on a full disk fails, in text and in JSON" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw -outputFile=/dev/full info
    assert_status 1
    assert_output_contains "ERROR: unable to write -outputFile /dev/full: No space left on device"
    run bash -c '"$@" 2>&1 >/dev/null' _ "$FW" -outputType=json -outputFile=/dev/full info
    assert_status 1
    assert_output_contains "ERROR: unable to write -outputFile /dev/full: No space left on device"
    # a failed command keeps its own status and still says the file is incomplete
    write_migration sql V2__bad.sql 'THIS IS NOT SQL;'
    run fw -outputFile=/dev/full migrate
    assert_status 1
    assert_output_contains "unable to write -outputFile /dev/full"
}

@test "-outputFile gets the text stdout gets, the info table too" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw -outputFile="$T/out.txt" info
    assert_status 0
    [ "$(cat "$T/out.txt")" = "$output" ]
    grep -q '| Versioned | 1 ' "$T/out.txt"
    run fw -outputType=json -outputFile="$T/out.json" info
    assert_status 0
    [ "$(cat "$T/out.json")" = "$output" ]
}

@test "migrate to a full stdout applies the migrations, then fails on the output" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run_stdout_to /dev/full migrate
    assert_status 1
    assert_output_contains "ERROR: unable to write to standard output: No space left on device"
    assert_output_contains "HINT: "
    run history_of version
    [ "$output" = "1|1" ]
}

@test "a reader that went away: quiet death by SIGPIPE once the work is done" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run_into_closed_pipe migrate
    assert_status 141
    [ -z "$output" ]
    # the migration was not cut short
    run history_of version
    [ "$output" = "1|1" ]
    run_into_closed_pipe -outputType=json info
    assert_status 141
    [ -z "$output" ]
    # an error of the command itself wins over the lost output
    write_migration sql V2__bad.sql 'THIS IS NOT SQL;'
    run_into_closed_pipe migrate
    assert_status 1
}

@test "-dryRunOutput on a full disk fails" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw -dryRunOutput=/dev/full migrate
    assert_status 1
    assert_output_contains "unable to write /dev/full: No space left on device"
    run table_exists t1
    [ "$status" -ne 0 ]
}

@test "fleet: a full stdout or -outputFile fails the run" {
    [ "$KIND" = sqlite ] || skip "the fleet's targets here are SQLite files"
    unset FLYWAY_URL
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    cat >flyway.toml <<EOF
[environments.one]
url = "jdbc:sqlite:$T/one.db"
[environments.two]
url = "jdbc:sqlite:$T/two.db"
[fleets.f]
targets = ["one", "two"]
newDatabases = true
EOF
    run fw -fleet=f info
    assert_status 0
    run_stdout_to /dev/full -fleet=f info
    assert_status 1
    assert_output_contains "ERROR: unable to write to standard output: No space left on device"
    run_stdout_to /dev/full -fleet=f -outputType=json info
    assert_status 1
    assert_output_contains "ERROR: unable to write to standard output: No space left on device"
    run fw -fleet=f -outputFile=/dev/full migrate
    assert_status 1
    assert_output_contains "ERROR: unable to write -outputFile /dev/full: No space left on device"
    # the JSON document goes to -outputFile as it does without a fleet
    run fw -fleet=f -outputType=json -outputFile="$T/fleet.json" info
    assert_status 0
    [ "$(cat "$T/fleet.json")" = "$output" ]
    # an audit report that cannot be written fails the run
    printf '[flyway]\nreportFilename = "/dev/full/report"\n' >>flyway.toml
    run fw -fleet=f verify
    assert_status 1
    assert_output_contains "Verification: all 2 targets on version 1"
    assert_output_contains "ERROR: unable to write the report /dev/full/report.json: Not a directory"
    # and so do the pre-flight's dry-run scripts beside it (written where something is pending),
    # with the command's own error
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    run fw -fleet=f check
    assert_status 1
    assert_output_contains "[one] ERROR: unable to write /dev/full/report-dryrun-one.sql: Not a directory"
    assert_output_contains "ERROR: unable to write the report /dev/full/report.json: Not a directory"
    assert_output_contains "ERROR: pre-flight found 2 problems on 2 targets"
}
