#!/usr/bin/env bats
# The schema itself: check -drift (a target against the state its history gives, built on a scratch
# database, a build environment or from a snapshot file), check -changes, the snapshot command, and
# on a fleet the drift pre-flight and the convergence of verify.
# One file, several backends: 18-drift-{pg,mysql}.bats are links to this file.

load helpers

setup() { fw_backend_setup; }
teardown() { fw_teardown; }

# V1: a table with a named check constraint, an index, a view, a trigger, and where the database
# has them a function
project() {
    case $KIND in
        pg)
            write_migration sql V1__orders.sql - <<'SQL'
CREATE TABLE orders (id INT PRIMARY KEY, total INT NOT NULL, CONSTRAINT total_pos CHECK (total >= 0));
CREATE INDEX orders_total ON orders (total);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
CREATE FUNCTION f_total(i INT) RETURNS INT LANGUAGE sql AS $$ SELECT i * 2 $$;
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_audit BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION audit();
SQL
            ;;
        mysql)
            write_migration sql V1__orders.sql - <<'SQL'
CREATE TABLE orders (id INT PRIMARY KEY, total INT NOT NULL, CONSTRAINT total_pos CHECK (total >= 0));
CREATE INDEX orders_total ON orders (total);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
CREATE FUNCTION f_total(i INT) RETURNS INT DETERMINISTIC RETURN i * 2;
CREATE TRIGGER orders_audit BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = NEW.total;
SQL
            ;;
        *)
            write_migration sql V1__orders.sql - <<'SQL'
CREATE TABLE orders (id INTEGER PRIMARY KEY, total INT NOT NULL, CONSTRAINT total_pos CHECK (total >= 0));
CREATE INDEX orders_total ON orders (total);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN SELECT 1; END;
SQL
            ;;
    esac
}

# by hand on the target, as a DBA would
by_hand() { sqlq "$URL" "$1" >/dev/null; }

# scratch databases left on the server (none may stay)
scratch_left() {
    case $KIND in
        pg) sqlq "$URL" "SELECT count(*) FROM pg_database WHERE datname LIKE 'fleetway_scratch_%'" ;;
        mysql) sqlq "$URL" "SELECT count(*) FROM information_schema.schemata WHERE schema_name LIKE 'fleetway_scratch_%'" ;;
        *) echo 0 ;;
    esac
}

# migrate, change one thing by hand, check -drift: exactly one object differs, named by $2
assert_one_drift() {
    project
    run fw migrate
    assert_status 0
    by_hand "$1"
    run fw check -drift
    assert_status 0
    assert_output_contains "Drift detected: 1 object differs from the expected state:"
    assert_output_contains "  $2"
    [ "$(scratch_left)" = 0 ]
}

@test "a clean target has no drift; nothing is left on the server; the target is untouched" {
    project
    run fw migrate
    assert_status 0
    run fw check -drift
    assert_status 0
    assert_output_contains "Drift: the schema compared with its 1 applied migration replayed on a scratch database"
    assert_output_contains "No drift: all"
    [ "$(scratch_left)" = 0 ]
    [ "$(sqlq "$URL" "SELECT count(*) FROM $H")" = 1 ]
}

@test "a column added by hand is drift, named" {
    assert_one_drift "ALTER TABLE orders ADD COLUMN note VARCHAR(20)" \
        "Table orders: differs (column note: only in target)"
}

@test "an index dropped by hand is drift, named" {
    if [ "$KIND" = mysql ]; then sql="DROP INDEX orders_total ON orders"; else sql="DROP INDEX orders_total"; fi
    assert_one_drift "$sql" "Index orders_total on orders: missing from the target"
}

@test "a view body changed by hand is drift, named" {
    if [ "$KIND" = sqlite ]; then
        sql="DROP VIEW big_orders; CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 200"
    else
        sql="CREATE OR REPLACE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 200"
    fi
    assert_one_drift "$sql" "View big_orders: differs"
}

@test "a function changed by hand is drift, named" {
    case $KIND in
        pg) assert_one_drift 'CREATE OR REPLACE FUNCTION f_total(i INT) RETURNS INT LANGUAGE sql AS $$ SELECT i * 3 $$' \
            "Function f_total(integer): differs" ;;
        mysql) assert_one_drift "DROP FUNCTION f_total; CREATE FUNCTION f_total(i INT) RETURNS INT DETERMINISTIC RETURN i * 3" \
            "Function f_total: differs" ;;
        *) skip "SQLite has no stored functions" ;;
    esac
}

@test "a trigger changed by hand is drift, named" {
    case $KIND in
        pg) sql="DROP TRIGGER orders_audit ON orders; CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION audit()" ;;
        mysql) sql="DROP TRIGGER orders_audit; CREATE TRIGGER orders_audit BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = NEW.total + 0" ;;
        *) sql="DROP TRIGGER orders_audit; CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN SELECT 2; END" ;;
    esac
    assert_one_drift "$sql" "Trigger orders_audit on orders: differs"
}

@test "a constraint changed by hand is drift, named" {
    case $KIND in
        pg) assert_one_drift "ALTER TABLE orders DROP CONSTRAINT total_pos; ALTER TABLE orders ADD CONSTRAINT total_pos CHECK (total >= 1)" \
            "Constraint total_pos on orders: differs" ;;
        mysql) assert_one_drift "ALTER TABLE orders DROP CONSTRAINT total_pos, ADD CONSTRAINT total_pos CHECK (total >= 1)" \
            "Constraint total_pos on orders: differs" ;;
        *)
            # SQLite keeps constraints in the table: rebuilt by hand, view, index and trigger made again
            assert_one_drift "DROP VIEW big_orders;
CREATE TABLE o2 (id INTEGER PRIMARY KEY, total INT NOT NULL, CONSTRAINT total_pos CHECK (total >= 1));
DROP TABLE orders; ALTER TABLE o2 RENAME TO orders;
CREATE INDEX orders_total ON orders (total);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
CREATE TRIGGER orders_audit AFTER INSERT ON orders BEGIN SELECT 1; END" "Table orders: differs (constraint total_pos:"
            ;;
    esac
}

@test "check.failOnDrift gates: CHECK_DRIFT_DETECTED and exit 1, in every spelling; without it drift only reports" {
    project
    run fw migrate
    by_hand "ALTER TABLE orders ADD COLUMN note VARCHAR(20)"
    run fw check -drift
    assert_status 0
    run fw check -drift -failOnDrift=true
    assert_status 1
    assert_output_contains "ERROR: Drift detected: 1 object differs from the expected state"
    run fw check -drift -failOnDrift
    assert_status 1
    run fw -check.failOnDrift=true check -drift
    assert_status 1
    run fw check -drift -failOnDrift=false
    assert_status 0
    fw -outputType=json check -drift -failOnDrift=true >out.json 2>/dev/null || st=$?
    [ "${st:-0}" = 1 ]
    run python3 -c 'import json; print(json.load(open("out.json"))["error"]["errorCode"])'
    [ "$output" = CHECK_DRIFT_DETECTED ]
    # a clean target passes the gate
    by_hand "ALTER TABLE orders DROP COLUMN note"
    run fw check -drift -failOnDrift=true
    assert_status 0
    assert_output_contains "No drift"
}

@test "the report keeps Flyway's entry shape, definitions side by side; check runs share it" {
    project
    write_migration sql V2__refunds.sql 'CREATE TABLE refunds (id INT);'
    run fw -target=1 migrate
    assert_status 0
    by_hand "ALTER TABLE orders ADD COLUMN note VARCHAR(20)"
    run fw check -drift
    assert_status 0
    run fw check -changes
    assert_status 0
    run fw check -drift
    assert_status 0
    run python3 - <<'PY'
import json
d = json.load(open("report.json"))
ops = [e["operation"] for e in d["individualResults"]]
assert sorted(ops) == ["changes", "drift"], ops          # a re-run replaces its own entry
drift = [e for e in d["individualResults"] if e["operation"] == "drift"][0]
assert drift["onlyInSource"] == [] and drift["onlyInTarget"] == [], drift
[diff] = drift["differences"]
for k in ("id", "name", "schema", "objectType", "definitionBefore", "definitionAfter"):
    assert k in diff, k
assert diff["name"] == "orders" and diff["objectType"] == "Table", diff
assert "note" in diff["definitionAfter"] and "note" not in diff["definitionBefore"], diff
changes = [e for e in d["individualResults"] if e["operation"] == "changes"][0]
assert [e["name"] for e in changes["onlyInTarget"]] == ["refunds"], changes
print("ok")
PY
    [ "$output" = ok ]
    run cat report.html
    assert_output_contains '<h2 id="drift">Drift</h2>'
    assert_output_contains '<h2 id="changes">Changes</h2>'
    assert_output_contains '<th>Expected (from the migrations)</th><th>In the database</th>'
    # before and after of the one object in one row
    run python3 -c '
import re
row = [r for r in open("report.html").read().split("<tr>") if "only in target" in r or "note" in r][0]
assert row.count("<pre>") == 2, row
print("ok")'
    [ "$output" = ok ]
}

@test "check -changes lists what the pending migrations change, and changes nothing on the target" {
    project
    write_migration sql V2__more.sql - <<'SQL'
ALTER TABLE orders ADD COLUMN status VARCHAR(10);
CREATE TABLE refunds (id INT);
DROP VIEW big_orders;
SQL
    run fw -target=1 migrate
    assert_status 0
    run fw check -changes
    assert_status 0
    assert_output_contains "Changes of 1 pending migration (V2__more.sql), computed on a scratch database:"
    assert_output_contains "3 objects change:"
    assert_output_contains "View big_orders: dropped"
    assert_output_contains "Table refunds: added"
    assert_output_contains "Table orders: changed (column status: added)"
    # the target still has V2 pending and none of it
    [ "$(sqlq "$URL" "SELECT count(*) FROM $H WHERE version = '2'")" = 0 ]
    assert_no_table refunds
    [ "$(scratch_left)" = 0 ]
    # nothing pending: nothing changes
    run fw migrate
    run fw check -changes
    assert_status 0
    assert_output_contains "Changes: no pending migration"
    assert_output_contains "No object changes"
}

@test "snapshot round trip: the database, the migrations, a deployed snapshot for drift, two for changes" {
    project
    run fw migrate
    assert_status 0
    run fw snapshot -snapshot.filename=live.json
    assert_status 0
    assert_output_contains "Snapshot of database written to $T/live.json"
    run fw snapshot -source=migrations -filename=built.json
    assert_status 0
    run python3 - <<'PY'
import json
a, b = json.load(open("live.json")), json.load(open("built.json"))
assert a["format"] == "fleetway-snapshot" and a["version"] == 1, a
assert a["meta"]["source"] == "database" and b["meta"]["source"] == "migrations", (a["meta"], b["meta"])
# the same schema whatever it was read from: one fingerprint, object by object
assert [s["fingerprint"] for s in a["schemas"]] == [s["fingerprint"] for s in b["schemas"]], (a, b)
print(sum(len(s["objects"]) for s in a["schemas"]))
PY
    assert_status 0
    [ "$output" -ge 4 ]
    run fw -outputType=json snapshot -snapshot.filename=again.json
    assert_status 0
    echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["filename"].endswith("/again.json") and d["schemas"][0]["fingerprint"], d'
    # drift against the deployed snapshot
    run fw check -drift -deployedSnapshot=live.json
    assert_status 0
    assert_output_contains "Drift: the schema compared with the snapshot $T/live.json"
    assert_output_contains "No drift"
    by_hand "ALTER TABLE orders ADD COLUMN note VARCHAR(20)"
    run fw check -drift -deployedSnapshot=live.json -failOnDrift=true
    assert_status 1
    assert_output_contains "Table orders: differs (column note: only in target)"
    # changes between two snapshots need no database
    run fw snapshot -snapshot.filename=patched.json
    assert_status 0
    run env -u FLYWAY_URL "$FW" check -changes -deployedSnapshot=live.json -nextSnapshot=patched.json
    assert_status 0
    assert_output_contains "Table orders: changed (column note: added)"
    # an empty snapshot, and a snapshot without a file name
    run fw snapshot -source=empty -filename=empty.json
    assert_status 0
    run python3 -c 'import json; d=json.load(open("empty.json")); print([len(s["objects"]) for s in d["schemas"]])'
    [ "$output" = "[0]" ]
    run fw snapshot
    assert_status 2
    assert_output_contains "snapshot needs the file to write: -snapshot.filename=FILE"
}

@test "first deployment: nothing applied and no snapshot, drift passes with a warning" {
    project
    run fw check -drift -failOnDrift=true
    assert_status 0
    assert_output_contains "WARNING: no migration is applied"
    assert_output_contains "(first deployment), drift passes"
    run python3 -c 'import json; e=json.load(open("report.json"))["individualResults"][0]; print(e["firstDeployment"], e["warnings"][0][:30])'
    assert_output_contains "True no migration is applied"
}

@test "a build environment is cleaned and replayed, and refused unless cleanDisabled=false" {
    project
    case $KIND in
        pg) B=$(pg_url build) ;;
        mysql) B=$(mysql_url build) ;;
        *) B="jdbc:sqlite:$T/build.db" ;;
    esac
    cat >flyway.toml <<TOML
[environments.build]
url = "$B"
TOML
    run fw migrate
    assert_status 0
    sqlq "$B" "CREATE TABLE leftover (id INT)"
    run fw check -drift -buildEnvironment=build
    assert_status 2
    assert_output_contains "No provisioner is configured for the build environment 'build' and clean is disabled"
    fw -outputType=json check -drift -buildEnvironment=build >out.json 2>/dev/null || true
    [ "$(python3 -c 'import json; print(json.load(open("out.json"))["error"]["errorCode"])')" = CHECK_BUILD_NO_PROVISIONER ]
    [ "$(sqlq "$B" "SELECT count(*) FROM leftover")" = 0 ]
    cat >>flyway.toml <<'TOML'
[environments.build.flyway]
cleanDisabled = false
TOML
    by_hand "ALTER TABLE orders ADD COLUMN note VARCHAR(20)"
    run fw check -drift -buildEnvironment=build
    assert_status 0
    assert_output_contains "replayed on the build environment 'build'"
    assert_output_contains "Table orders: differs (column note: only in target)"
    # the build database was cleaned, then built by the migrations
    run sqlq "$B" "SELECT count(*) FROM leftover"
    [ "$status" != 0 ]
    [ "$(sqlq "$B" "SELECT count(*) FROM orders")" = 0 ]
}

# ---------------------------------------------------------------- fleets

# three tenants of one history, each its own database
fleet_project() {
    project
    case $KIND in
        pg) U1=$(pg_url t1) U2=$(pg_url t2) U3=$(pg_url t3) ;;
        mysql) U1=$(mysql_url t1) U2=$(mysql_url t2) U3=$(mysql_url t3) ;;
        *) U1="jdbc:sqlite:$T/t1.db" U2="jdbc:sqlite:$T/t2.db" U3="jdbc:sqlite:$T/t3.db" ;;
    esac
    unset FLYWAY_URL
    cat >flyway.toml <<TOML
[environments.t1]
url = "$U1"
[environments.t2]
url = "$U2"
[environments.t3]
url = "$U3"
[fleets.f]
targets = ["t1", "t2", "t3"]
preflight = ["validate", "drift"]
newDatabases = true
TOML
}

@test "fleet: a hand-patched tenant fails verify, named with its object; the others pass; one replay" {
    fleet_project
    run fw -fleet=f migrate
    assert_status 0
    assert_output_contains "schemas as their migrations make them"
    run fw -fleet=f verify
    assert_status 0
    sqlq "$U2" "ALTER TABLE orders ADD COLUMN note VARCHAR(20)"
    run fw -fleet=f verify -X
    assert_status 4
    assert_output_contains "Verification: 1 target has a schema its migrations do not make:"
    assert_output_contains "| t2     | schema: Table orders: differs (column note: only in target) |"
    assert_output_not_contains "| t1     | schema"
    assert_output_not_contains "| t3     | schema"
    # three tenants of one history: the expected state was built once
    [ "$(grep -c 'building the expected state' <<<"$output")" = 1 ]
    run python3 -c '
import json
d = json.load(open("fleet-report.json"))
print([(t["name"], t["findings"]) for t in d["targets"] if t["findings"]])'
    assert_output_contains "('t2', ['schema: Table orders: differs (column note: only in target)'])"
}

@test "fleet: the drift pre-flight finds the hand-patched tenant and stops migrate; check -drift too" {
    fleet_project
    write_migration sql V2__more.sql 'CREATE TABLE refunds (id INT);'
    run fw -fleet=f -target=1 migrate
    assert_status 0
    if [ "$KIND" = mysql ]; then sql="DROP INDEX orders_total ON orders"; else sql="DROP INDEX orders_total"; fi
    sqlq "$U3" "$sql"
    run fw -fleet=f migrate
    assert_status 1
    assert_output_contains "| t3     | drift: Index orders_total on orders: missing from the target |"
    assert_output_contains "nothing was changed"
    for u in "$U1" "$U2" "$U3"; do
        [ "$(sqlq "$u" "SELECT count(*) FROM flyway_schema_history WHERE version = '2'")" = 0 ]
    done
    # -fleet=X check -drift adds the item to a fleet that does not list it
    sed -i 's/preflight = \["validate", "drift"\]/preflight = ["validate"]/' flyway.toml
    run fw -fleet=f check -drift
    assert_status 1
    assert_output_contains "connection, validate, drift"
    assert_output_contains "| t3     | drift: Index orders_total on orders: missing from the target |"
    assert_output_not_contains "| t1     | drift"
}

@test "the password shows nowhere: drift and changes output, JSON, report, snapshot" {
    [ "$KIND" = pg ] || skip "the secret user is on the PostgreSQL test server, with CREATEDB"
    project
    write_migration sql V2__refunds.sql 'CREATE TABLE refunds (id INT);'
    run fw -target=1 migrate
    assert_status 0
    by_hand "ALTER TABLE orders ADD COLUMN note VARCHAR(20)"
    # check only reads the target: the secret user may look at the history
    sqlq "$URL" "GRANT SELECT ON ALL TABLES IN SCHEMA public TO $FW_SECRET_USER"
    run fw -user="$FW_SECRET_USER" -password="$FW_SECRET_PASSWORD" -X check -drift -changes
    assert_status 0
    assert_output_contains "Table orders: differs (column note: only in target)"
    assert_output_contains "Table refunds: added"
    assert_no_secret "$FW_SECRET_PASSWORD"
    run fw -user="$FW_SECRET_USER" -password="$FW_SECRET_PASSWORD" -outputType=json check -drift -failOnDrift=true
    assert_status 1
    assert_no_secret "$FW_SECRET_PASSWORD"
    run fw -user="$FW_SECRET_USER" -password="$FW_SECRET_PASSWORD" snapshot -source=migrations -filename=s.json
    assert_status 0
    assert_no_secret "$FW_SECRET_PASSWORD"
}

@test "fleet: baselined tenants are compared with each other, the odd one named" {
    fleet_project
    for u in "$U1" "$U2" "$U3"; do sqlq "$u" "CREATE TABLE legacy (id INT)"; done
    sqlq "$U3" "ALTER TABLE legacy ADD COLUMN note VARCHAR(20)"
    run fw -fleet=f baseline -baselineVersion=1
    assert_status 0
    # what is below a baseline was not made by the migrations: the norm is what most tenants have
    run fw -fleet=f verify
    assert_status 4
    assert_output_contains "| t3     | schema: Table legacy: differs from the other targets (column note: only in target) |"
    assert_output_not_contains "| t1     | schema"
    assert_output_not_contains "| t2     | schema"
}

@test "fleet: check -changes says what the pending migrations change, the targets grouped alike" {
    fleet_project
    run fw -fleet=f migrate
    assert_status 0
    write_migration sql V2__refunds.sql 'CREATE TABLE refunds (id INT); ALTER TABLE orders ADD COLUMN note VARCHAR(20);'
    run fw -url="$U3" migrate
    assert_status 0
    run fw -fleet=f check -changes
    assert_status 0
    assert_output_contains ", changes"
    assert_output_contains "Changes on 2 targets (t1, t2): 2 objects change:"
    assert_output_contains "  Table refunds: added"
    assert_output_contains "  Table orders: changed (column note: added)"
    assert_output_contains "Nothing pending on 1 target (t3)"
    # computed on scratch databases: nothing of t1 and t2 changed
    for u in "$U1" "$U2"; do
        [ "$(sqlq "$u" "SELECT count(*) FROM flyway_schema_history WHERE version = '2'")" = 0 ]
    done
    run python3 -c '
import json
d = json.load(open("fleet-report.json"))
print(sorted((t["name"], len(t.get("changes", []))) for t in d["targets"]))'
    assert_output_contains "[('t1', 2), ('t2', 2), ('t3', 0)]"
}
