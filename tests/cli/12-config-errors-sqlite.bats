#!/usr/bin/env bats
# Bad configuration and command lines: one clear error (exit 2) before anything changes, warnings
# printed once, the JSON error document with -outputType=json, and locations that cannot be read said.
# One file, several backends: 12-config-errors-{pg,mysql}.bats are links to this file.

load helpers

bats_require_minimum_version 1.5.0

setup() { fw_backend_setup; }
teardown() { fw_teardown; }

one_migration() { write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'; }

# the history table was never made (nothing was written)
no_history() {
    run table_exists "$H"
    assert_status 1
}

# -- invalid baselineVersion used to crash (SIGSEGV) in baseline and baselineOnMigrate ---------------

@test "baseline with an invalid baselineVersion is a configuration error, not a crash" {
    one_migration
    for v in abc 1.x ' '; do
        run fw "-baselineVersion=$v" baseline
        assert_status 2
        w=${v// /}   # a blank value ends the line, where trailing blanks are not printed
        assert_output_contains "Version may only contain 0..9 and . (dot). Invalid version:${w:+ $w}"
        assert_output_contains "command line -baselineVersion"
        no_history
    done
    printf '[flyway]\nbaselineVersion = "2.a"\n' >flyway.toml
    run fw baseline
    assert_status 2
    assert_output_contains "Invalid version: 2.a"
    assert_output_contains "flyway.toml:2:"
    no_history
}

@test "migrate -baselineOnMigrate with an invalid baselineVersion changes nothing" {
    one_migration
    sqlq "$URL" "CREATE TABLE existing (id INT)"
    run fw -baselineOnMigrate=true -baselineVersion=abc migrate
    assert_status 2
    assert_output_contains "Invalid version: abc"
    no_history
    run table_exists a
    assert_status 1
    # a valid one still baselines and migrates above it
    run fw -baselineOnMigrate=true -baselineVersion=0 migrate
    assert_status 0
    run history_of "version, type" "type <> 'SCHEMA'"
    assert_output_contains "0|BASELINE|1"
    assert_output_contains "1|SQL|1"
}

# -- bad values are configuration errors (2), not database errors (1) --------------------------------

@test "a bad target or a misspelt URL scheme exits 2 and says where it was set" {
    one_migration
    run fw -target=abc migrate
    assert_status 2
    assert_output_contains "Invalid version: abc"
    assert_output_contains "command line -target"
    no_history
    run fw -url=jdbc:sqlit:/tmp/x.db info
    assert_status 2
    assert_output_contains "unsupported database URL 'jdbc:sqlit:/tmp/x.db'"
    assert_output_contains "command line -url"
    printf '[environments.default]\n\nurl = "jdbc:postgress://localhost/db"\n' >flyway.toml
    unset FLYWAY_URL
    run fw migrate
    assert_status 2
    assert_output_contains "flyway.toml:3:"
    rm flyway.toml
    export FLYWAY_URL=$URL
    no_history
}

# -- unknown keys: an error wherever they are written -------------------------------------------------

@test "an option after check is checked: a misspelt failOnError is an error, not a pass" {
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT PRIMARY KEY);'
    write_migration sql V2__col.sql 'ALTER TABLE orders ADD COLUMN status VARCHAR(10) NOT NULL;'
    run fw -target=1 migrate
    assert_status 0
    run fw check -code -check.code.failOnErorr=true
    assert_status 2
    assert_output_contains "Unknown configuration property: flyway.check.code.failOnErorr"
    assert_output_contains "Did you mean 'flyway.check.code.failOnError'?"
    run fw check -code -failOnErorr=true
    assert_status 2
    assert_output_contains "Did you mean 'flyway.check.code.failOnError'?"
    [ ! -e report.json ]
    # spelt right, Flyway's way after the command: it applies (to fleetway's rules: no SQLFluff here)
    run fw check -code -check.code.failOnError=true -sqlfluffEnabled=false
    if [ "$KIND" = mysql ]; then assert_status 0; else assert_status 1; fi
    run fw check -code -rulesDialect=klingon
    assert_status 2
    assert_output_contains "check.rulesDialect: unknown dialect 'klingon'"
}

@test "unknown keys after any command, in environments and in FLYWAY_* variables are errors" {
    one_migration
    run fw info -outOfOrdr=true
    assert_status 2
    assert_output_contains "Unknown configuration property: flyway.outOfOrdr"
    assert_output_contains "Did you mean 'flyway.outOfOrder'?"
    printf '[environments.default]\nusr = "me"\n' >flyway.toml
    run fw migrate
    assert_status 2
    assert_output_contains "Unknown configuration property: environments.default.usr"
    assert_output_contains "flyway.toml:2:"
    rm flyway.toml
    FLYWAY_LOCATOINS=elsewhere run fw migrate
    assert_status 2
    assert_output_contains "Did you mean FLYWAY_LOCATIONS?"
    no_history
}

# -- files and folders that are not there ---------------------------------------------------------------

@test "a -configFiles file that does not exist stops the run (FLYWAY_URL set: nothing migrates)" {
    one_migration
    printf '[flyway]\ntable = "other"\n' >real.toml
    run fw -configFiles=rael.toml migrate
    assert_status 2
    assert_output_contains "Unable to load config file: $T/rael.toml"
    assert_output_contains "command line -configFiles"
    no_history
    FLYWAY_CONFIG_FILES=rael.toml run fw migrate
    assert_status 2
    assert_output_contains "environment variable FLYWAY_CONFIG_FILES"
    no_history
    run fw -configFiles=real.toml migrate
    assert_status 0
    run table_exists other
    assert_status 0
}

@test "a missing -workingDirectory, an s3: location, an empty table name and negative retries are errors" {
    one_migration
    run fw -workingDirectory=nowhere migrate
    assert_status 2
    assert_output_contains "Invalid working directory: $T/nowhere"
    run fw -locations=s3:bucket/sql migrate
    assert_status 2
    assert_output_contains "Unknown prefix for location (should be one of filesystem:, classpath:): s3:bucket/sql"
    run fw -table= migrate
    assert_status 2
    assert_output_contains "Invalid value for flyway.table (should not be empty)"
    run fw -connectRetries=-1 migrate
    assert_status 2
    assert_output_contains "Invalid number of connectRetries (must be 0 or greater): -1"
    run fw -lockRetryCount=-7 migrate
    assert_status 2
    no_history
    run table_exists a
    assert_status 1
}

@test "cherryPick naming no migration is an error and applies nothing" {
    one_migration
    write_migration sql V2__b.sql 'CREATE TABLE b (id INT);'
    run fw -cherryPick=2,abc migrate
    assert_status 2
    assert_output_contains "cherryPick: no migration matches 'abc'"
    run table_exists b
    assert_status 1
    run fw -cherryPick=2 migrate
    assert_status 0
    run table_exists b
    assert_status 0
}

@test "a broken symbolic link and a folder path too long to open are said, not skipped in silence" {
    one_migration
    ln -s "$T/gone.sql" sql/V2__gone.sql
    ln -s "$T/gone.sql" sql/.#V1__a.sql      # an editor's lock file: hidden, not worth a word
    # nested folders whose full path is longer than PATH_MAX
    (cd sql && for i in $(seq 1 22); do n=$(printf 'd%0199d' "$i"); mkdir "$n" && cd "$n" || exit 1; done &&
        printf 'CREATE TABLE deep (id INT);\n' >V3__deep.sql)
    run fw migrate
    assert_status 0
    assert_output_contains "WARNING: Skipping $T/sql/V2__gone.sql: broken symbolic link"
    assert_output_not_contains ".#V1__a.sql"
    assert_output_contains "File name too long"
    [ "$(printf '%s\n' "$output" | grep -c '^WARNING: Skipping')" = 2 ]
}

# -- warnings the loader collects: printed once ---------------------------------------------------------

@test "configuration warnings are printed once as WARNING: lines" {
    unset FLYWAY_LOCATIONS
    mkdir proj
    run fw -workingDirectory=proj info validate
    assert_output_contains "WARNING: No locations configured and default location 'sql' not found."
    [ "$(printf '%s\n' "$output" | grep -c "No locations configured")" = 1 ]
    FLYWAY_TABLE=t1 flyway_table=t2 run fw -workingDirectory=proj info
    assert_status 0
    assert_output_contains "WARNING: Using both new Environment variable flyway_table and old Environment variable FLYWAY_TABLE. Please remove FLYWAY_TABLE."
    [ "$(printf '%s\n' "$output" | grep -c "Using both")" = 1 ]
    # in JSON mode stdout is the document alone; the warnings go to stderr
    run --separate-stderr fw -workingDirectory=proj -outputType=json info
    assert_status 0
    printf '%s' "$output" | python3 -c 'import json, sys; json.load(sys.stdin)'
    [[ "$stderr" == *"WARNING: No locations configured"* ]]
}

# -- -outputType=json: the error document also for configuration and command-line errors ---------------

@test "with -outputType=json configuration and command-line errors print Flyway's error document" {
    one_migration
    check_error_doc() {   # CODE MESSAGE-PART
        printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
e = d["error"]
assert e["errorCode"] == sys.argv[1], e
assert sys.argv[2] in e["message"], e
assert "cause" in e, e
' "$1" "$2"
    }
    run --separate-stderr fw -outputType=json -targt=5 migrate
    assert_status 2
    check_error_doc CONFIGURATION "Unknown configuration property: flyway.targt"
    run --separate-stderr fw -outputType=json -baselineVersion=abc baseline
    assert_status 2
    check_error_doc CONFIGURATION "Invalid version: abc"
    run --separate-stderr fw -outputType=json -configFiles=nope.toml info
    assert_status 2
    check_error_doc CONFIGURATION "Unable to load config file"
    run --separate-stderr fw -outputType=json -url jdbc:sqlite:x info
    assert_status 2
    check_error_doc CONFIGURATION "Invalid flag: -url"
    run --separate-stderr fw -outputType=json migrat
    assert_status 2
    check_error_doc ERROR "Invalid argument: migrat"
    no_history
}
