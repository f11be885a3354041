#!/usr/bin/env bats
# check -code: static analysis of the pending migrations, its report, and what it refuses.
# One file, several backends: 60-check-{pg,mysql}.bats are links to this file.

load helpers

# fleetway's own rules are what this file is about: SQLFluff (61-review-*.bats) stays out
setup() {
    fw_backend_setup
    printf '[flyway.check]\nsqlfluffEnabled = false\n' >flyway.toml
}
teardown() { fw_teardown; }

applied_count() { sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE version IS NOT NULL"; }

# V1 makes a table (applied first); V2 changes it the risky way; V3 makes and changes a new one
project() {
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT PRIMARY KEY, total INT);'
    write_migration sql V2__change.sql '-- DROP TABLE orders; (a comment is not code)
INSERT INTO orders (id, total) VALUES (1, 5);
UPDATE orders SET total = 0;
ALTER TABLE orders DROP COLUMN total;
DROP TABLE orders;'
    write_migration sql V3__fresh.sql 'CREATE TABLE fresh (id INT);
UPDATE fresh SET id = 1;
DROP TABLE fresh;'
}

@test "check -code reports the pending migrations' risky statements and changes nothing" {
    project
    run fw -target=1 migrate
    assert_status 0
    run fw check -code
    assert_status 0
    assert_output_contains "V2__change.sql:3: warning FW107: UPDATE orders without WHERE changes every row"
    assert_output_contains "V2__change.sql:4: warning FW106: ALTER TABLE orders drops column total"
    assert_output_contains "V2__change.sql:5: warning FW106: DROP TABLE orders: its data is lost"
    assert_output_contains "hint: "
    # the table V3 makes is new: nothing to lose or lock there; V1 is applied: not looked at
    assert_output_not_contains "fresh"
    assert_output_not_contains "V1__orders.sql"
    assert_output_contains "Code analysis of 2 pending migrations: 0 errors, 3 warnings"
    [ -f report.json ] && [ -f report.html ]
    run cat report.html
    assert_output_contains "UPDATE orders without WHERE changes every row"
    run applied_count
    [ "$output" = 1 ]
}

@test "check -code JSON lists violations per script; -reportFilename moves the report" {
    project
    run fw -target=1 migrate
    run fw -outputType=json -reportFilename="$T/chk" check -code
    assert_status 0
    echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["operation"] == "check", d
[r] = d["results"]
assert r["filepath"] == "V2__change.sql", r
codes = [(v["line_no"], v["code"], v["warning"]) for v in r["violations"]]
assert codes == [(3, "FW107", True), (4, "FW106", True), (5, "FW106", True)], codes
assert d["htmlReport"].endswith("/chk.html") and d["jsonReport"].endswith("/chk.json"), d
'
    [ -f "$T/chk.json" ] && [ -f "$T/chk.html" ]
}

@test "an error-level finding fails check only with check.code.failOnError" {
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT PRIMARY KEY);'
    write_migration sql V2__col.sql 'ALTER TABLE orders ADD COLUMN status VARCHAR(10) NOT NULL;'
    run fw -target=1 migrate
    assert_status 0
    run fw check -code
    assert_status 0
    run fw -check.code.failOnError=true check -code
    if [ "$KIND" = mysql ]; then
        # MySQL fills existing rows with the type's implicit default: not an error there
        assert_status 0
        assert_output_not_contains "FW101"
    else
        assert_status 1
        assert_output_contains "V2__col.sql:1: error FW101: ALTER TABLE orders adds column status NOT NULL without a DEFAULT"
        assert_output_contains "Code analysis found 1 error"
    fi
    run applied_count
    [ "$output" = 1 ]
}

@test "check without an analysis, or with one not built yet, says so and changes nothing" {
    project
    run fw check
    assert_status 2
    assert_output_contains "check needs one or more of -code, -drift, -changes, -dryrun"
    run fw check -changes -changesSource=nowhere
    assert_status 2
    assert_output_contains "check.changesSource: unknown source 'nowhere'"
    run fw check -drift -deployedSnapshot=snapshotHistory:main
    assert_status 3
    assert_output_contains "is not implemented"
    [ ! -f report.json ]
}

@test "check -dryrun writes what migrate would send, into a file and the report; nothing runs" {
    project
    run fw -target=1 migrate
    run fw -outputType=json check -dryrun
    assert_status 0
    echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert "results" not in d, d
assert d["dryrun"]["file"].endswith("report-dryrun.sql"), d
assert "UPDATE orders SET total = 0;" in d["dryrun"]["sql"], d["dryrun"]["sql"]
assert d["dryrun"]["truncated"] is False
'
    grep -q "DROP TABLE orders;" report-dryrun.sql
    grep -q "UPDATE orders SET total = 0;" report.html
    run applied_count
    [ "$output" = 1 ]
    # a second run starts the file again
    run fw check -dryrun
    [ "$(grep -c -- '-- Migration V2__change.sql' report-dryrun.sql)" = 1 ]
}

@test "without a url check -code looks at every file, with check.rulesDialect's rules" {
    [ "$KIND" = sqlite ] || skip "no database involved"
    unset FLYWAY_URL
    project
    write_migration sql V4__idx.sql 'CREATE INDEX fresh_id ON fresh (id);'
    run fw check -code
    assert_status 0
    assert_output_contains "Code analysis of 4 migrations (no database: every file): 0 errors, 4 warnings"
    # PostgreSQL rules by default: an index build on a table an earlier file made
    assert_output_contains "V4__idx.sql:1: warning FW102: CREATE INDEX on fresh without CONCURRENTLY"
    assert_output_contains "V2__change.sql:3: warning FW107"
    # V3 makes and changes its own table: nothing to say
    assert_output_not_contains "V3__fresh.sql"
    run fw -check.rulesDialect=sqlite check -code
    assert_status 0
    assert_output_not_contains "FW102"
    run fw -check.rulesDialect=db2 check -code
    assert_status 2
    assert_output_contains "check.rulesDialect: unknown dialect 'db2'"
    # a command after it in the chain still needs a database
    run fw check -code info
    assert_status 2
    assert_output_contains "Unable to connect to the database"
    [ ! -e db.sqlite ]
}

@test "PostgreSQL: index builds, type changes, constraints and SET NOT NULL that lock a table" {
    [ "$KIND" = pg ] || skip "PostgreSQL rules"
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT PRIMARY KEY, total INT, c INT);'
    write_migration sql V2__locks.sql 'CREATE INDEX orders_total ON orders (total);
CREATE INDEX CONCURRENTLY orders_c ON orders (c);
ALTER TABLE orders ALTER COLUMN total TYPE BIGINT;
ALTER TABLE orders ADD CONSTRAINT c_pos CHECK (c > 0);
ALTER TABLE orders ADD CONSTRAINT c_pos2 CHECK (c > 0) NOT VALID;
ALTER TABLE orders ALTER COLUMN c SET NOT NULL;'
    write_migration sql V2__locks.sql.conf 'executeInTransaction=false'
    run fw -target=1 migrate
    run fw check -code
    assert_status 0
    assert_output_contains "V2__locks.sql:1: warning FW102: CREATE INDEX on orders without CONCURRENTLY"
    assert_output_contains "V2__locks.sql:3: warning FW103: ALTER TABLE orders changes the type of column total"
    assert_output_contains "V2__locks.sql:4: warning FW104: ALTER TABLE orders adds a CHECK constraint"
    assert_output_contains "V2__locks.sql:6: warning FW108: ALTER TABLE orders sets column c NOT NULL"
    assert_output_not_contains "V2__locks.sql:2:"
    assert_output_not_contains "V2__locks.sql:5:"
}

@test "the password shows nowhere: output, JSON, report, dry-run script" {
    [ "$KIND" = pg ] || skip "the secret user is on the test servers"
    project
    run fw -target=1 migrate
    assert_status 0
    # check only reads: the secret user may look at the history
    sqlq "$URL" "GRANT SELECT ON ALL TABLES IN SCHEMA public TO $FW_SECRET_USER"
    run fw -user="$FW_SECRET_USER" -password="$FW_SECRET_PASSWORD" -X check -code -dryrun
    assert_status 0
    assert_output_contains "Report: "
    assert_no_secret "$FW_SECRET_PASSWORD"
    run fw -user="$FW_SECRET_USER" -password="$FW_SECRET_PASSWORD" -outputType=json check -code -dryrun
    assert_status 0
    assert_no_secret "$FW_SECRET_PASSWORD"
}
