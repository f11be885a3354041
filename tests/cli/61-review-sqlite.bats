#!/usr/bin/env bats
# Code review with the live data in view: SQLFluff (the real one), Flyway's regex rule files, SARIF,
# check.scope, table sizes from the catalog, the rehearsal (check -rehearse), lockTimeout and
# statementTimeout at migrate, and a migration over check.maxMigrationSeconds.
# One file, several backends: 61-review-{pg,mysql}.bats are links to this file.

load helpers

setup() { fw_backend_setup; }
teardown() {
    # a lock holder started in the background is gone before the next test
    if [ -n "${HOLDER:-}" ]; then kill "$HOLDER" 2>/dev/null || true; wait "$HOLDER" 2>/dev/null || true; fi
    fw_teardown
}

SARIF_CHECK="$BATS_TEST_DIRNAME/../lib/sarif-check.py"

# the JSON document of the last `run` (warnings before it went to stderr, which `run` mixes in)
json_doc() { printf '%s\n' "$output" | sed -n '/^{/,$p'; }

# the JSON report's violations as "file:line:col:code:severity:engine", one per line
violations() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    for v in r["violations"]:
        print("%s:%d:%d:%s:%s:%s" % (r["filepath"], v["line_no"], v["line_pos"], v["code"],
                                     "warning" if v["warning"] else "error", v["engine"]))' "${1:-report.json}"
}

# rows: a table of N rows, made fast by the database itself
big_table() {
    local name=$1 n=$2
    case $KIND in
        pg) sqlq "$URL" "CREATE TABLE $name AS SELECT g AS id, g AS total FROM generate_series(1, $n) g; ANALYZE $name" ;;
        mysql) sqlq "$URL" "CREATE TABLE $name (id INT PRIMARY KEY, total INT);
                INSERT INTO $name SELECT seq, seq FROM seq_1_to_$n; ANALYZE TABLE $name" >/dev/null ;;
        *) sqlq "$URL" "CREATE TABLE $name AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $n)
                SELECT x AS id, x AS total FROM c" ;;
    esac
}

# ---- SQLFluff ---------------------------------------------------------------------------------

@test "SQLFluff runs on the pending migrations with the target's dialect; -- noqa in either spelling" {
    write_migration sql V1__base.sql 'create table orders (id int primary key, total int);'
    run fw -target=1 migrate
    assert_status 0
    # mixed keyword case: SQLFluff's CP01 (L010 in Debian's 1.4.5)
    write_migration sql V2__mixed.sql 'select id from orders;
SELECT total from orders;'
    run fw -outputType=json check -code
    assert_status 0
    run violations
    assert_output_contains "V2__mixed.sql:2:1:CP01:error:sqlfluff"
    assert_output_not_contains "V1__base.sql"
    # the old code and the new one both silence it on their line, and each noqa is reported
    write_migration sql V2__mixed.sql 'select id from orders;
SELECT total from orders; -- noqa: L010
SELECT id from orders; -- noqa: CP01'
    run fw -outputType=json check -code
    assert_status 0
    run violations
    assert_output_not_contains "CP01"
    assert_output_contains "V2__mixed.sql:2:0:noqa:warning:noqa"
    assert_output_contains "V2__mixed.sql:3:0:noqa:warning:noqa"
    run fw -outputType=json check -code -check.code.noqaSeverity=DISABLED
    run violations
    assert_output_not_contains "noqa"
    run fw check -code -check.code.noqaSeverity=sometimes
    assert_status 2
    assert_output_contains "check.code.noqaSeverity: unknown value 'sometimes'"
}

@test "rulesConfig: warnings and exclude_rules in 2.x names work on Debian's SQLFluff; failOnError" {
    [ "$KIND" = sqlite ] || skip "SQLFluff's configuration, whatever the database"
    write_migration sql V1__mixed.sql 'select 1;
SELECT 2;'
    run fw -check.code.failOnError=true check -code
    assert_status 1
    assert_output_contains "V1__mixed.sql:2:1: error CP01: Keywords must be consistently"
    assert_output_contains "Code analysis found"
    printf '[sqlfluff]\nwarnings = CP01\n' >fluff.cfg
    run fw -check.code.failOnError=true -check.rulesConfig=fluff.cfg check -code
    assert_status 0
    assert_output_contains "V1__mixed.sql:2:1: warning CP01"
    printf '[sqlfluff]\nexclude_rules = capitalisation.keywords\n' >fluff.cfg
    run fw -check.rulesConfig=fluff.cfg -outputType=json check -code
    assert_status 0
    run violations
    assert_output_not_contains "CP01"
    run fw -check.rulesConfig=missing.cfg check -code
    assert_status 2
    assert_output_contains "check.rulesConfig: unable to read missing.cfg"
}

@test "without sqlfluff: a note, or an error naming the package when the settings ask for it" {
    write_migration sql V1__mixed.sql 'select 1;
SELECT 2;'
    mkdir nobin
    PATH=$T/nobin run "$FW" check -code
    assert_status 0
    assert_output_contains "SQLFluff is not installed: its rules were not run"
    rm -f report.*
    PATH=$T/nobin run "$FW" check -code -check.sqlfluffEnabled=true
    assert_status 1
    assert_output_contains "SQLFluff is not installed, but check.sqlfluffEnabled=true asks for it"
    assert_output_contains "apt-get install sqlfluff"
    [ ! -f report.json ]
    run fw check -code -check.sqlfluffEnabled=false
    assert_status 0
    assert_output_not_contains "CP01"
}

# ---- regex rules ------------------------------------------------------------------------------

regex_rules() {
    mkdir -p rules
    cat >rules/RX001__todo_left.toml <<'EOF'
code = "RX001"
dialects = ["TEXT"]
rules = ["(?i)(^|\\s)TO\\s*DO($|\\s|;)"]
description = "Phrase 'to do' remains in the code"
severity = "error"
EOF
    # code and description from the file name; a warning
    cat >rules/RX002__grant_to_public.toml <<'EOF'
dialects = ["text"]
rules = ["(?i)GRANT\\s+.*\\s+TO\\s+PUBLIC"]
severity = "warning"
EOF
    cat >rules/RX003__off.toml <<'EOF'
rules = ["."]
severity = "disabled"
EOF
    # only for another database
    cat >rules/RX004__oracle_only.toml <<'EOF'
dialects = ["oracle"]
rules = ["orders"]
EOF
}

@test "regex rule files: codes, severities, dialects and positions, beside fleetway's rules" {
    regex_rules
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT PRIMARY KEY);
-- todo an index
GRANT SELECT ON orders TO PUBLIC;'
    run fw -outputType=json -check.rulesLocation=rules -check.sqlfluffEnabled=false check -code
    assert_status 0
    run violations
    assert_output_contains "V1__orders.sql:2:3:RX001:error:regex"
    assert_output_contains "V1__orders.sql:3:1:RX002:warning:regex"
    assert_output_not_contains "RX003"
    assert_output_not_contains "RX004"
    run fw -check.rulesLocation=rules -check.sqlfluffEnabled=false check -code
    assert_output_contains "V1__orders.sql:2:3: error RX001: Phrase 'to do' remains in the code"
    assert_output_contains "V1__orders.sql:3:1: warning RX002: grant to public"
    run fw -check.rulesLocation=rules -check.regexEnabled=false -check.sqlfluffEnabled=false check -code
    assert_output_not_contains "RX001"
    run fw -check.rulesLocation=rules -check.sqlfluffEnabled=false -check.code.failOnError=true check -code
    assert_status 1
}

@test "a bad rule file is one clear error naming it, and nothing is written" {
    mkdir rules
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT);'
    printf 'rules = ["(unclosed"]\n' >rules/RX009__broken.toml
    run fw -check.rulesLocation=rules check -code
    assert_status 2
    assert_output_contains "RX009__broken.toml: rule RX009: invalid regular expression"
    printf 'rules = ["x"]\nsevrity = "error"\n' >rules/RX009__broken.toml
    run fw -check.rulesLocation=rules check -code
    assert_status 2
    assert_output_contains "RX009__broken.toml:2:11: unknown key 'sevrity' in a regex rule file"
    printf 'rules = ["x"]\nseverity = "fatal"\n' >rules/RX009__broken.toml
    run fw -check.rulesLocation=rules check -code
    assert_status 2
    assert_output_contains "severity: expected \"error\", \"warning\" or \"disabled\""
    run fw -check.rulesLocation=nowhere check -code
    assert_status 2
    assert_output_contains "check.rulesLocation: unable to read nowhere"
    [ ! -f report.json ]
}

# ---- SARIF and the report ---------------------------------------------------------------------

@test "SARIF 2.1.0 beside the JSON and HTML, with Flyway's violation fields in the JSON" {
    regex_rules
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT PRIMARY KEY, total INT);'
    run fw -target=1 migrate
    assert_status 0
    write_migration sql V2__change.sql 'select id from orders;
SELECT total from orders; -- todo
UPDATE orders SET total = 0;'
    mkdir out
    run fw -outputType=json -check.rulesLocation=rules -reportFilename=out/review check -code
    assert_status 0
    echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["sarifReport"].endswith("/out/review.sarif"), d
for r in d["results"]:
    for v in r["violations"]:
        assert set(v) >= {"line_no", "line_pos", "line_no_end", "line_pos_end", "code", "description",
                          "warning", "engine", "help"}, v
'
    run python3 "$SARIF_CHECK" out/review.sarif RX001:error FW107:warning CP01:error
    assert_status 0
    run python3 -c '
import json
d = json.load(open("out/review.sarif"))
locs = [r["locations"][0]["physicalLocation"] for r in d["runs"][0]["results"]]
print(sorted({l["artifactLocation"]["uri"] for l in locs}))
print([l["region"]["startLine"] for l in locs if l["region"].get("startColumn")][:1])'
    assert_output_contains "['sql/V2__change.sql']"
    grep -q '<th>Engine</th>' out/review.html
    grep -q 'RX001' out/review.html
    grep -q 'sqlfluff' out/review.html
}

# ---- scope ------------------------------------------------------------------------------------

@test "check.scope: ALL, PENDING, SCRIPT; without a url every environment's locations" {
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT PRIMARY KEY, total INT);
UPDATE orders SET total = 1;'
    run fw -target=1 migrate
    write_migration sql V2__wipe.sql 'DELETE FROM orders;'
    run fw -check.sqlfluffEnabled=false check -code
    assert_output_not_contains "V1__orders.sql"
    assert_output_contains "V2__wipe.sql:1: warning FW107"
    run fw -check.sqlfluffEnabled=false -check.scope=ALL check -code
    assert_status 0
    assert_output_contains "Code analysis of 2 migrations (scope ALL)"
    printf 'TRUNCATE orders;\n' >deploy.sql
    run fw -check.sqlfluffEnabled=false -check.scope=SCRIPT -check.scriptFilename=deploy.sql check -code
    assert_status 0
    assert_output_contains "deploy.sql:1: warning FW106: TRUNCATE orders removes every row"
    assert_output_not_contains "V2__wipe.sql"
    run fw -check.scope=SCRIPT check -code
    assert_status 2
    assert_output_contains "check.scope=SCRIPT needs check.scriptFilename"
    run fw -check.scope=SOME check -code
    assert_status 2
    assert_output_contains "check.scope: unknown value 'SOME'"
    # the project without a database: the variant folder of another environment is reviewed too
    [ "$KIND" = sqlite ] || return 0
    unset FLYWAY_URL FLYWAY_LOCATIONS
    mkdir -p variant/eu
    write_migration variant/eu V3__eu_only.sql 'DELETE FROM orders;'
    cat >flyway.toml <<EOF
[flyway]
locations = ["filesystem:sql"]
[environments.eu]
url = "jdbc:sqlite:$T/eu.sqlite"
[environments.eu.flyway]
locations = ["filesystem:sql", "filesystem:variant/eu"]
EOF
    run fw -check.sqlfluffEnabled=false check -code
    assert_status 0
    assert_output_contains "V3__eu_only.sql:1: warning FW107"
    assert_output_contains "Code analysis of 3 migrations (no database: every file)"
    run fw -check.scope=PENDING check -code
    assert_status 2
    assert_output_contains "check.scope=PENDING needs a database"
}

# ---- the data in view -------------------------------------------------------------------------

@test "a table rewrite is an error on a large table, with its size; a warning on a small one" {
    write_migration sql V1__base.sql 'CREATE TABLE marker (id INT);'
    run fw migrate
    assert_status 0
    if [ "$KIND" = pg ]; then
        big_table big 3000000
        big_table small 10000
        limit=()
        alter='ALTER TABLE big ALTER COLUMN total TYPE BIGINT;
ALTER TABLE small ALTER COLUMN total TYPE BIGINT;'
        big_rows='about 3,000,000 rows' small_rows='about 10,000 rows' code=FW103
    elif [ "$KIND" = mysql ]; then
        big_table big 5000
        big_table small 100
        limit=(-check.largeTableRows=1000)
        alter='ALTER TABLE big MODIFY total BIGINT;
ALTER TABLE small MODIFY total BIGINT;'
        big_rows='rows (' small_rows='rows (' code=FW103
    else
        big_table big 5000
        big_table small 100
        limit=(-check.largeTableRows=1000)
        alter='ALTER TABLE big ADD COLUMN flag INT NOT NULL;
ALTER TABLE small ADD COLUMN flag INT NOT NULL;'
        big_rows='more than 1,000 rows' small_rows='has 100 rows' code=FW101
    fi
    write_migration sql V2__widen.sql "$alter"
    run fw "${limit[@]}" -check.sqlfluffEnabled=false -outputType=json check -code
    assert_status 0
    run violations
    assert_output_contains "V2__widen.sql:1:0:$code:error:fleetway"
    if [ "$KIND" != sqlite ]; then assert_output_contains "V2__widen.sql:2:0:$code:warning:fleetway"; fi
    run fw "${limit[@]}" -check.sqlfluffEnabled=false check -code
    assert_output_contains "$big_rows"
    assert_output_contains "over check.largeTableRows="
    assert_output_contains "$small_rows"
    run python3 -c '
import json
d = json.load(open("report.json"))
t = d["results"][0]["violations"][0]["table"]
print(t["name"], t["rows"] > 1000, t["rowsAre"])'
    assert_output_contains "big True"
    run python3 "$SARIF_CHECK" report.sarif "$code:error"
    assert_status 0
    grep -q 'over check.largeTableRows' report.html
    # failOnError stops a pipeline on it; nothing ran
    run fw "${limit[@]}" -check.sqlfluffEnabled=false -check.code.failOnError=true check -code
    assert_status 1
    run sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE version = '2'"
    [ "$output" = 0 ]
}

# ---- the rehearsal ----------------------------------------------------------------------------

# a migration that takes about 2 s on this backend (SQLite: a long recursive count)
slow_sql() {
    case $KIND in
        pg) echo 'SELECT pg_sleep(2);' ;;
        mysql) echo 'SELECT SLEEP(2);' ;;
        *) echo 'SELECT COUNT(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000) SELECT x FROM c);' ;;
    esac
}

@test "check -rehearse runs the pending migrations, times them, flags a slow one and leaves the database unchanged" {
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT PRIMARY KEY, total INT);'
    run fw migrate
    assert_status 0
    sqlq "$URL" "INSERT INTO orders VALUES (1, 10)"
    write_migration sql V2__column.sql 'ALTER TABLE orders ADD COLUMN note VARCHAR(20);
UPDATE orders SET note = '"'x'"';'
    write_migration sql V3__slow.sql "$(slow_sql)"
    write_migration sql V4__new.sql 'CREATE TABLE fresh (id INT);'
    # on the live target only when asked
    run fw check -rehearse
    assert_status 2
    assert_output_contains "check -rehearse needs a copy of production to rehearse on"
    if [ "$KIND" = mysql ]; then
        run fw -check.rehearseOnTarget=true check -rehearse
        assert_status 1
        assert_output_contains "a rehearsal cannot run on MariaDB"
        assert_output_contains "commits each DDL statement at once"
        return 0
    fi
    # a guard set above the time, so it is measured to the end and flagged
    run fw -check.rehearseOnTarget=true -check.maxMigrationSeconds=1 -statementTimeout=20s -outputType=json check -rehearse
    assert_status 1
    json_doc | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["rehearsal"]
m = {x["script"]: x for x in r["migrations"]}
assert r["rolledBack"] and r["problems"] == 1, r
assert m["V3__slow.sql"]["overBudget"] and m["V3__slow.sql"]["executionTime"] >= 1000, m
assert m["V2__column.sql"]["success"] and not m["V2__column.sql"]["overBudget"], m
assert m["V4__new.sql"]["success"], m
assert d["error"]["errorCode"] == "CHECK_REHEARSAL_FAILED", d["error"]
'
    run python3 "$SARIF_CHECK" report.sarif FWR02:error
    assert_status 0
    # nothing of it stayed
    run sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE version IN ('2', '3', '4')"
    [ "$output" = 0 ]
    assert_no_table fresh
    run sqlq "$URL" "SELECT COUNT(*) FROM orders WHERE total = 10"
    [ "$output" = 1 ]
    run fw migrate -target=2
    assert_status 0
    # without a guard of its own, the budget cuts the slow statement
    run fw -check.rehearseOnTarget=true -check.maxMigrationSeconds=1 check -rehearse
    assert_status 1
    assert_output_contains "V3__slow.sql: failed after"
    assert_output_contains "statement timeout"
    assert_output_contains "The rehearsal found 1 problem"
}

@test "check.rehearseEnvironment rehearses on a copy; the target is not touched" {
    [ "$KIND" != mysql ] || skip "MySQL/MariaDB cannot roll DDL back"
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT PRIMARY KEY);'
    run fw migrate
    assert_status 0
    if [ "$KIND" = pg ]; then COPY=$(pg_url copy); else COPY=jdbc:sqlite:$T/copy.sqlite; fi
    FLYWAY_URL=$COPY run fw migrate
    assert_status 0
    write_migration sql V2__more.sql 'ALTER TABLE orders ADD COLUMN total INT;'
    write_migration sql V3__broken.sql 'ALTER TABLE nowhere ADD COLUMN x INT;'
    cat >flyway.toml <<EOF
[environments.copy]
url = "$COPY"
EOF
    run fw -check.rehearseEnvironment=copy -outputType=json check -rehearse
    assert_status 1
    json_doc | python3 -c '
import json, sys
r = json.load(sys.stdin)["rehearsal"]
assert r["where"] == "environment copy", r
m = {x["script"]: x for x in r["migrations"]}
assert m["V2__more.sql"]["success"], m
assert not m["V3__broken.sql"]["success"] and "nowhere" in m["V3__broken.sql"]["error"], m
'
    for u in "$URL" "$COPY"; do
        run sqlq "$u" "SELECT COUNT(*) FROM $H"
        [ "$output" = 1 ]
    done
    run fw -check.rehearseEnvironment=nope check -rehearse
    assert_status 2
    assert_output_contains "Environment 'nope' not found"
}

@test "a fleet pre-flight item rehearse runs on the canary and stops the rollout on a slow migration" {
    [ "$KIND" = sqlite ] || skip "fleet rehearsal on SQLite"
    unset FLYWAY_URL
    write_migration sql V1__base.sql 'CREATE TABLE base (id INT);'
    write_migration sql V2__slow.sql "$(slow_sql)"
    cat >flyway.toml <<EOF
[environments.eu]
url = "jdbc:sqlite:$T/eu.sqlite"
[environments.us]
url = "jdbc:sqlite:$T/us.sqlite"
[fleets.prod]
targets = ["eu", "us"]
canary = ["eu"]
preflight = ["validate", "rehearse"]
newDatabases = true
EOF
    run fw -fleet=prod -check.maxMigrationSeconds=1 migrate
    assert_status 1
    assert_output_contains "rehearse: V2__slow.sql"
    assert_output_contains "nothing was changed"
    for db in eu us; do
        run sqlq "jdbc:sqlite:$T/$db.sqlite" "SELECT COUNT(*) FROM sqlite_master WHERE name = 'base'"
        [ "$output" = 0 ]
    done
    run fw -fleet=prod -check.maxMigrationSeconds=30 migrate
    assert_status 0
}

# ---- limits at migrate ------------------------------------------------------------------------

# hold a lock on table t from another session for a few seconds, in the background
hold_lock() {
    case $KIND in
        pg) sqlq "$URL" "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT;" >/dev/null 2>&1 3>&- &
            HOLDER=$!
            for _ in $(seq 100); do
                [ "$(sqlq "$URL" "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                                  WHERE c.relname = 't' AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && break
                sleep 0.1
            done ;;
        mysql) sqlq "$URL" "LOCK TABLES t WRITE; SELECT SLEEP(6); UNLOCK TABLES;" >/dev/null 2>&1 3>&- &
            HOLDER=$!
            for _ in $(seq 100); do
                [ "$(sqlq "$URL" "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(6)%'")" = 1 ] && break
                sleep 0.1
            done ;;
        *) printf 'BEGIN IMMEDIATE;\nINSERT INTO t VALUES (1);\n.shell sleep 6\nCOMMIT;\n' |
                sqlite3 "$T/db.sqlite" >/dev/null 2>&1 3>&- &
            HOLDER=$!
            sleep 1 ;;
    esac
}

@test "lockTimeout cuts a migration blocked on a lock, and says so; nothing is recorded" {
    write_migration sql V1__t.sql 'CREATE TABLE t (id INT);'
    run fw migrate
    assert_status 0
    write_migration sql V2__alter.sql 'ALTER TABLE t ADD COLUMN x INT;'
    hold_lock
    start=$(date +%s)
    run fw -lockTimeout=1s migrate
    took=$(( $(date +%s) - start ))
    assert_status 1
    assert_output_contains "Migration V2__alter.sql failed"
    assert_output_contains "waited longer than lockTimeout (1000 ms)"
    [ "$took" -lt 5 ]
    run sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE version = '2' AND success = $( [ "$KIND" = pg ] && echo true || echo 1 )"
    [ "$output" = 0 ]
    wait "$HOLDER" 2>/dev/null || true
    HOLDER=
}

@test "statementTimeout (flag, sidecar) cuts a long statement; a slow migration warns" {
    write_migration sql V1__slow.sql "$(slow_sql)"
    run fw -statementTimeout=500ms migrate
    assert_status 1
    assert_output_contains "statementTimeout (500 ms)"
    if [ "$KIND" = mysql ]; then
        # no DDL transactions there: the failure was recorded, as Flyway does
        run fw repair
        assert_status 0
    fi
    # per script: its .conf wins over the configuration
    write_migration sql V1__slow.sql.conf 'statementTimeout=20s'
    run fw -statementTimeout=500ms -check.maxMigrationSeconds=1 -outputType=json migrate
    assert_status 0
    json_doc | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert any("V1__slow.sql took" in w and "check.maxMigrationSeconds (1 s)" in w for w in d["warnings"]), d["warnings"]
'
    write_migration sql V2__bad.sql.conf 'statementTimeout=soon'
    write_migration sql V2__bad.sql 'SELECT 1;'
    run fw migrate
    assert_status 2
    assert_output_contains "invalid duration 'soon'"
    run fw -lockTimeout=later info
    assert_status 2
    assert_output_contains "invalid duration 'later'"
}
