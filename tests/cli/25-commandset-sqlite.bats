#!/usr/bin/env bats
# baseline, baselineOnMigrate, B migrations, sidecars (shouldExecute, encoding, placeholderReplacement),
# cherryPick, built-in placeholders, script migrations, target=next, skipExecutingMigrations.
# One file, several backends: 25-commandset-{pg,mysql}.bats are links to this file.

load helpers

setup() { fw_backend_setup; }
teardown() { fw_teardown; }

# history rows as rank|version|description|type|script|success (SCHEMA markers left out)
history() { history_of "installed_rank, version, description, type, script" "type <> 'SCHEMA'"; }

four() {
    local v
    for v in 1 2 3 4; do write_migration sql "V${v}__m$v.sql" "CREATE TABLE t$v (id INT);"; done
}

@test "baseline at a version: older migrations are Below Baseline, migrate applies the rest" {
    four
    run fw -baselineVersion=2 -baselineDescription=start baseline
    assert_status 0
    assert_output_contains "Successfully baselined schema with version: 2"
    run history
    [ "$output" = "1|2|start|BASELINE|start|1" ]
    run fw info
    assert_status 0
    assert_output_contains "Below Baseline"
    assert_output_contains "Baseline"
    run fw migrate
    assert_status 0
    assert_no_table t1
    assert_no_table t2
    table_exists t3
    table_exists t4
    run history
    [ "${lines[1]}" = "2|3|m3|SQL|V3__m3.sql|1" ]
    # a history with migrations cannot be baselined again
    run fw -baselineVersion=5 baseline
    [ "$status" -ne 0 ]
    assert_output_contains "Unable to baseline schema history table"
    run history
    [ "${#lines[@]}" -eq 3 ]
}

@test "baseline twice with the same version and description is a no-op" {
    run fw baseline
    assert_status 0
    run fw baseline
    assert_status 0
    assert_output_contains "Skipping"
    run history
    [ "$output" = "1|1|<< Flyway Baseline >>|BASELINE|<< Flyway Baseline >>|1" ]
}

@test "a non-empty schema without history: migrate refuses, baselineOnMigrate baselines" {
    sqlq "$URL" "CREATE TABLE legacy (id INT)"
    four
    run fw migrate
    [ "$status" -ne 0 ]
    assert_output_contains "Found non-empty schema(s) $Q$SCHEMA$Q but no schema history table"
    assert_no_table t1
    run fw -baselineOnMigrate=true -baselineVersion=2 migrate
    assert_status 0
    run history
    [ "${lines[0]}" = "1|2|<< Flyway Baseline >>|BASELINE|<< Flyway Baseline >>|1" ]
    [ "${lines[1]}" = "2|3|m3|SQL|V3__m3.sql|1" ]
    [ "${lines[2]}" = "3|4|m4|SQL|V4__m4.sql|1" ]
    assert_no_table t1
}

@test "B migration: a new database starts from the newest B script, an existing one ignores it" {
    four
    write_migration sql B2__snapshot.sql 'CREATE TABLE t1 (id INT); CREATE TABLE t2 (id INT); CREATE TABLE from_b (id INT);'
    write_migration sql B1__older.sql 'CREATE TABLE from_older_b (id INT);'
    run fw migrate
    assert_status 0
    run history
    [ "${lines[0]}" = "1|2|snapshot|SQL_BASELINE|B2__snapshot.sql|1" ]
    [ "${lines[1]}" = "2|3|m3|SQL|V3__m3.sql|1" ]
    [ "${#lines[@]}" -eq 3 ]
    table_exists from_b
    assert_no_table from_older_b
    run fw info
    assert_status 0
    assert_output_contains "Ignored (Baseline)"
    # a database that already has history never runs a B script
    local first=$URL
    case $KIND in
        sqlite) URL=jdbc:sqlite:$T/other.sqlite ;;
        pg) URL=$(pg_url other) ;;
        mysql) URL=$(mysql_url other) ;;
    esac
    mkdir "$T/early"; cp "$T/sql/V1__m1.sql" "$T/early/"
    run fw -url="$URL" -locations="filesystem:$T/early" migrate
    assert_status 0
    run fw -url="$URL" migrate
    assert_status 0
    assert_no_table from_b
    run sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE type = 'SQL_BASELINE'"
    [ "$output" = 0 ]
    run sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE type = 'SQL' AND success = $( [ "$KIND" = pg ] && echo true || echo 1 )"
    [ "$output" = 4 ]
    [ -n "$first" ]
}

@test "shouldExecute: a false condition skips the migration without blocking later ones" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__prod_only.sql 'CREATE TABLE prod_only (id INT);'
    write_migration sql V2__prod_only.sql.conf 'shouldExecute=${env} == prod && ${region} != moon'
    write_migration sql V3__c.sql 'CREATE TABLE t3 (id INT);'
    run fw -placeholders.env=dev -placeholders.region=eu migrate
    assert_status 0
    table_exists t1
    table_exists t3
    assert_no_table prod_only
    run history
    [ "${#lines[@]}" -eq 2 ]
    run fw -placeholders.env=dev -placeholders.region=eu info
    assert_status 0
    assert_output_contains "Ignored"
    run fw -placeholders.env=dev -placeholders.region=eu validate
    assert_status 0
}

@test "shouldExecute: a true condition runs it; a malformed one is an error that changes nothing" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V1__a.sql.conf 'shouldExecute=(${env} == prod || ${env} == staging) && true'
    run fw -placeholders.env=staging migrate
    assert_status 0
    table_exists t1
    write_migration sql V2__b.sql 'CREATE TABLE t2 (id INT);'
    write_migration sql V2__b.sql.conf 'shouldExecute=${env} === prod &&'
    run fw -placeholders.env=prod migrate
    [ "$status" -ne 0 ]
    assert_output_contains "V2__b.sql"
    assert_output_contains "shouldExecute"
    assert_no_table t2
    run history
    [ "${#lines[@]}" -eq 1 ]
}

@test "an unknown sidecar key or a bad boolean is an error that changes nothing" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V1__a.sql.conf 'executeInTransactoin=false'
    run fw migrate
    [ "$status" -ne 0 ]
    assert_output_contains "Unknown configuration property: executeInTransactoin"
    assert_no_table t1
    write_migration sql V1__a.sql.conf 'executeInTransaction=maybe'
    run fw migrate
    [ "$status" -ne 0 ]
    assert_output_contains "Invalid value for executeInTransaction (should be either true or false): maybe"
    assert_no_table t1
}

@test "sidecar encoding and placeholderReplacement" {
    write_migration sql V1__a.sql "CREATE TABLE words (w VARCHAR(20), p VARCHAR(20));"
    printf "INSERT INTO words (w) VALUES ('caf\xe9');\n" >"$T/sql/V2__latin1.sql"
    write_migration sql V2__latin1.sql.conf 'encoding=ISO-8859-1'
    write_migration sql V3__raw.sql "INSERT INTO words (w, p) VALUES ('raw', '\${not_a_placeholder}');"
    write_migration sql V3__raw.sql.conf 'placeholderReplacement=false'
    run fw migrate
    assert_status 0
    run sqlq "$URL" "SELECT w FROM words WHERE p IS NULL"
    [ "$output" = "café" ]
    run sqlq "$URL" "SELECT p FROM words WHERE w = 'raw'"
    [ "$output" = '${not_a_placeholder}' ]
}

@test "cherryPick runs only the chosen migrations, in the order given" {
    four
    run fw -cherryPick=3,1 migrate
    assert_status 0
    run history
    [ "${lines[0]}" = "1|3|m3|SQL|V3__m3.sql|1" ]
    [ "${lines[1]}" = "2|1|m1|SQL|V1__m1.sql|1" ]
    [ "${#lines[@]}" -eq 2 ]
    assert_no_table t2
    # the saved config form works too
    printf '[flyway]\ncherryPick = ["4"]\n' >"$T/flyway.toml"
    run fw -outOfOrder=true migrate
    assert_status 0
    table_exists t4
    assert_no_table t2
}

@test "built-in placeholders" {
    write_migration sql V1__a.sql "CREATE TABLE facts (k VARCHAR(40), v VARCHAR(400));"
    write_migration sql V2__facts.sql - <<'EOF'
INSERT INTO facts VALUES ('schema', '${flyway:defaultSchema}');
INSERT INTO facts VALUES ('user', '${flyway:user}');
INSERT INTO facts VALUES ('filename', '${flyway:filename}');
INSERT INTO facts VALUES ('table', '${flyway:table}');
INSERT INTO facts VALUES ('environment', '${flyway:environment}');
INSERT INTO facts VALUES ('timestamp', '${flyway:timestamp}');
INSERT INTO facts VALUES ('workdir', '${flyway:workingDirectory}');
INSERT INTO facts VALUES ('database', '${flyway:database}');
EOF
    run fw migrate
    assert_status 0
    run sqlq "$URL" "SELECT v FROM facts WHERE k = 'schema'"
    [ "$output" = "$SCHEMA" ]
    run sqlq "$URL" "SELECT v FROM facts WHERE k = 'filename'"
    [ "$output" = "V2__facts.sql" ]
    run sqlq "$URL" "SELECT v FROM facts WHERE k = 'table'"
    [ "$output" = "$H" ]
    run sqlq "$URL" "SELECT v FROM facts WHERE k = 'environment'"
    [ "$output" = "default" ]
    run sqlq "$URL" "SELECT v FROM facts WHERE k = 'workdir'"
    [ "$output" = "$T" ]
    run sqlq "$URL" "SELECT v FROM facts WHERE k = 'timestamp'"
    [[ "$output" =~ ^20[0-9][0-9]-[01][0-9]-[0-3][0-9]\ [0-2][0-9]:[0-5][0-9]:[0-5][0-9]$ ]]
    # the user is the one fleetway connected as: the one it records as installed_by
    run sqlq "$URL" "SELECT COUNT(*) FROM facts f JOIN $H h ON h.installed_by = f.v WHERE f.k = 'user' AND h.version = '2'"
    [ "$output" = 1 ]
    case $KIND in
        pg) run sqlq "$URL" "SELECT v FROM facts WHERE k = 'database'"; [ "$output" = "${URL##*/}" ] ;;
        mysql) run sqlq "$URL" "SELECT v FROM facts WHERE k = 'database'"; [ "$output" = "$SCHEMA" ] ;;
    esac
}

@test "environment placeholder and per-environment locations" {
    mkdir -p "$T/common" "$T/eu"
    write_migration common V1__a.sql "CREATE TABLE env_t (v VARCHAR(20));"
    write_migration common V2__b.sql "INSERT INTO env_t VALUES ('\${flyway:environment}');"
    write_migration eu V3__eu_only.sql "INSERT INTO env_t VALUES ('eu-extra');"
    unset FLYWAY_LOCATIONS
    cat >"$T/flyway.toml" <<EOF
[flyway]
locations = ["filesystem:common"]

[environments.eu]
url = "$URL"

[environments.eu.flyway]
locations = ["filesystem:common", "filesystem:eu"]
EOF
    unset FLYWAY_URL
    run fw -environment=eu migrate
    assert_status 0
    run sqlq "$URL" "SELECT v FROM env_t ORDER BY v"
    [ "$output" = "eu
eu-extra" ]
}

@test "a script migration runs as a process with the connection in its environment" {
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    write_migration sql V2__hook.sh - <<'EOF'
#!/bin/sh
echo "url=$FLYWAY_URL greeting=$FP__greeting__" >"$OUT_FILE"
EOF
    write_migration sql V3__fails.sh - <<'EOF'
#!/bin/sh
echo "going wrong" >&2
exit 3
EOF
    export OUT_FILE=$T/hook.out
    run fw -placeholders.greeting=hello -target=2 migrate
    assert_status 0
    run cat "$T/hook.out"
    [ "$output" = "url=$URL greeting=hello" ]
    run sqlq "$URL" "SELECT type, CASE WHEN checksum IS NULL THEN 'none' ELSE 'sum' END FROM $H WHERE version = '2'"
    [ "$output" = "SCRIPT|sum" ]
    run fw migrate
    [ "$status" -ne 0 ]
    assert_output_contains "V3__fails.sh"
}

@test "target=next applies one migration; skipExecutingMigrations records without running" {
    four
    run fw -target=next migrate
    assert_status 0
    run history
    [ "${#lines[@]}" -eq 1 ]
    run fw -skipExecutingMigrations=true -target=3 migrate
    assert_status 0
    assert_no_table t2
    assert_no_table t3
    run history
    [ "${lines[1]}" = "2|2|m2|SQL|V2__m2.sql|1" ]
    [ "${lines[2]}" = "3|3|m3|SQL|V3__m3.sql|1" ]
    run fw migrate
    assert_status 0
    table_exists t4
}
