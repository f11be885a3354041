#!/usr/bin/env bats
# Fleet mode (-fleet=NAME): one set of migrations rolled out to many databases with
# pre-flight checks, a canary, waves, halt on failure, post-flight verification and an
# audit report.  Targets are SQLite files and PostgreSQL databases of the test server.

load helpers

# history of a target as version list "1 2 3" (successful rows only)
versions() {
    sqlq "$1" "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank" |
        paste -sd' ' -
}

# how many history tables the target has (0 or 1); nothing when the query fails
history_tables() {
    case $1 in
        jdbc:sqlite:*) sqlq "$1" "SELECT count(*) FROM sqlite_master WHERE name = 'flyway_schema_history'" ;;
        *) sqlq "$1" "SELECT count(*) FROM pg_tables WHERE tablename = 'flyway_schema_history'" ;;
    esac
}

# has the target a history table at all
has_history() { [ "$(history_tables "$1")" = 1 ]; }

# the target answers and has no history table (`! has_history` in a test could never fail it)
assert_no_history() {
    local n
    n=$(history_tables "$1")
    [ "$n" = 0 ] || { printf 'expected no history table in %s, found: %s\n' "$1" "${n:-nothing (the query failed)}" >&2; return 1; }
}

# A project of three SQLite regions: eu is the canary and a regional variant (its own V2 from
# sql/eu instead of sql/global), us and ap follow in two waves.
sqlite_project() {
    write_migration sql/common V1__base.sql 'CREATE TABLE base (id INT);'
    write_migration sql/common V3__seed.sql "INSERT INTO base (id) VALUES (\${seed});"
    write_migration sql/global V2__region.sql 'CREATE TABLE region_global (id INT);'
    write_migration sql/eu V2__region.sql 'CREATE TABLE region_eu (id INT);'
    EU="jdbc:sqlite:$T/eu.db" US="jdbc:sqlite:$T/us.db" AP="jdbc:sqlite:$T/ap.db"
    cat >flyway.toml <<EOF
[flyway]
locations = ["filesystem:sql/common", "filesystem:sql/global"]

[flyway.placeholders]
seed = "7"

[environments.eu]
url = "$EU"

[environments.eu.flyway]
locations = ["filesystem:sql/common", "filesystem:sql/eu"]

[environments.us]
url = "$US"

[environments.ap]
url = "$AP"

[fleets.prod]
targets = ["eu", "us", "ap"]
canary = ["eu"]
waves = ["50%", "100%"]
parallel = 2
newDatabases = true
EOF
}

# the JSON report as "name|status|before|after" lines, in report order
report_rows() {
    python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
for t in doc["targets"]:
    print("|".join(str(x) for x in (t["name"], t["status"], t.get("versionBefore"), t.get("versionAfter"))))
PY
}

@test "fleet migrate: canary, then waves; regional locations; verify; report" {
    sqlite_project
    run fw -fleet=prod migrate
    assert_status 0
    # not a terminal: plain lines, each target's prefixed with its name
    assert_output_contains 'Pre-flight passed on all 3 targets'
    assert_output_contains '[eu] Migrating schema "main" to version "2 - region"'
    assert_output_contains 'Verification: all 3 targets on version 3, nothing pending or failed'
    # the canary ran alone, before any wave started
    canary_line=$(grep -n 'Fleet prod: canary (1 of 3): eu' <<<"$output" | cut -d: -f1)
    wave1_line=$(grep -n 'Fleet prod: wave 1 (50%) (2 of 3): us' <<<"$output" | cut -d: -f1)
    eu_done=$(grep -n '^\[eu\] Successfully applied 3 migrations' <<<"$output" | cut -d: -f1)
    [ -n "$canary_line" ] && [ -n "$wave1_line" ] && [ -n "$eu_done" ]
    [ "$canary_line" -lt "$eu_done" ] && [ "$eu_done" -lt "$wave1_line" ]
    for url in "$EU" "$US" "$AP"; do [ "$(versions "$url")" = "1 2 3" ]; done
    # per-environment locations: eu got its own V2, the others the global one
    [ "$(sqlq "$EU" "SELECT count(*) FROM sqlite_master WHERE name = 'region_eu'")" = 1 ]
    [ "$(sqlq "$US" "SELECT count(*) FROM sqlite_master WHERE name = 'region_global'")" = 1 ]
    [ "$(sqlq "$AP" "SELECT id FROM base")" = 7 ]
    # the audit report: waves, before/after per target, migrations applied
    [ -f fleet-report.json ] && [ -f fleet-report.html ]
    run report_rows fleet-report.json
    assert_status 0
    [ "${lines[0]}" = "eu|migrated|None|3" ]
    [ "${lines[1]}" = "us|migrated|None|3" ]
    [ "${lines[2]}" = "ap|migrated|None|3" ]
    run python3 -c 'import json,sys; d=json.load(open("fleet-report.json")); print(d["outcome"], [w["name"] for w in d["waves"]], d["verify"]["ok"], len(d["targets"][0]["migrations"]))'
    assert_output_contains "success ['canary', 'wave 1 (50%)', 'wave 2 (100%)'] True 3"
    # the timeline: pre-flight, then each wave, each with its duration
    run python3 -c 'import json; d=json.load(open("fleet-report.json")); print([p["name"] for p in d["phases"]], all(p["durationMs"] >= 0 and p["startedAt"] for p in d["phases"]))'
    assert_output_contains "['pre-flight', 'canary', 'wave 1 (50%)', 'wave 2 (100%)'] True"
    # a second run is a no-op on every target
    run fw -fleet=prod migrate
    assert_status 0
    assert_output_contains '[us] Schema "main" is up to date. No migration necessary.'
    run report_rows fleet-report.json
    [ "${lines[1]}" = "us|up to date|3|3" ]
}

@test "fleet info: one row per target and how many targets sit on each version" {
    sqlite_project
    run fw -environment=us migrate
    assert_status 0
    run fw -fleet=prod info
    assert_status 0
    assert_output_contains '| Target | Wave          | Version            | Pending | Failed | State      |'
    assert_output_contains '| eu     | canary        | << Empty Schema >> | 3       | 0      | pending    |'
    assert_output_contains '| us     | wave 1 (50%)  | 3                  | 0       | 0      | up to date |'
    assert_output_contains 'Versions: 2 targets on version << Empty Schema >>, 1 target on version 3'
    fw -fleet=prod info -outputType=json >info.json
    run python3 -c 'import json,sys; d=json.load(open("info.json")); print([(t["name"], t["version"], t["pending"]) for t in d["targets"]])'
    assert_output_contains "[('eu', None, 3), ('us', '3', 0), ('ap', None, 3)]"
}

@test "a target failing mid-rollout halts it: later waves never start, the rest is untouched or complete" {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'
    write_migration sql V2__b.sql 'INSERT INTO ${tbl} (id) VALUES (1);'
    write_migration sql V3__c.sql 'CREATE TABLE c (id INT);'
    {
        printf '[flyway]\nlocations = ["filesystem:sql"]\n[flyway.placeholders]\ntbl = "a"\n'
        for t in t1 t2 t3 t4 t5; do printf '[environments.%s]\nurl = "jdbc:sqlite:%s/%s.db"\n' "$t" "$T" "$t"; done
        # t3 points V2 at a table that does not exist: it fails there, on the server, mid-wave
        printf '[environments.t3.flyway.placeholders]\ntbl = "missing_table"\n'
        printf '[fleets.prod]\ntargets = ["t*"]\ncanary = ["t1"]\nwaves = ["2", "100%%"]\nparallel = 1\nnewDatabases = true\n'
    } >flyway.toml
    run fw -fleet=prod migrate
    assert_status 4
    assert_output_contains 'fleet prod halted: 1 target failed, 2 not started'
    assert_output_contains '[t3] ERROR: '
    assert_output_contains 'missing_table'
    assert_output_not_contains 'Fleet prod: wave 2'
    [ "$(versions "jdbc:sqlite:$T/t1.db")" = "1 2 3" ]
    [ "$(versions "jdbc:sqlite:$T/t2.db")" = "1 2 3" ]
    # the failed migration rolled back; what came before it stays
    [ "$(versions "jdbc:sqlite:$T/t3.db")" = "1" ]
    assert_no_history "jdbc:sqlite:$T/t4.db"
    assert_no_history "jdbc:sqlite:$T/t5.db"
    run report_rows fleet-report.json
    [ "${lines[2]}" = "t3|failed|None|1" ]
    [ "${lines[3]}" = "t4|not started|None|None" ]
    [ "${lines[4]}" = "t5|not started|None|None" ]
    run python3 -c 'import json; d=json.load(open("fleet-report.json")); print(d["outcome"]); print(d["targets"][2]["error"])'
    assert_output_contains 'halted'
    assert_output_contains 'missing_table'
    # after the fix the same command resumes: migrated targets are no-ops
    sed -i 's/missing_table/a/' flyway.toml
    run fw -fleet=prod migrate
    assert_status 0
    assert_output_contains '[t1] Schema "main" is up to date. No migration necessary.'
    for t in t1 t2 t3 t4 t5; do [ "$(versions "jdbc:sqlite:$T/$t.db")" = "1 2 3" ]; done
}

@test "a drifted history is a pre-flight finding and nothing changes anywhere" {
    sqlite_project
    run fw -fleet=prod migrate
    assert_status 0
    sqlq "$US" "UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '1'"
    write_migration sql/common V4__next.sql 'CREATE TABLE next_one (id INT);'
    run fw -fleet=prod migrate
    assert_status 1
    assert_output_contains 'pre-flight found 1 problem on 1 target; nothing was changed'
    assert_output_contains '| us     | validate: Migration checksum mismatch for migration version 1'
    for url in "$EU" "$US" "$AP"; do [ "$(versions "$url")" = "1 2 3" ]; done
    # check reports the same finding and writes a dry-run script per target
    run fw -fleet=prod check
    assert_status 1
    assert_output_contains 'Migration checksum mismatch'
    [ -f fleet-report-dryrun-eu.sql ] && [ -f fleet-report-dryrun-us.sql ] && [ -f fleet-report-dryrun-ap.sql ]
    grep -q 'CREATE TABLE next_one' fleet-report-dryrun-ap.sql
}

@test "a code pre-flight stops a rollout on an error-level finding; warnings are said per target" {
    sqlite_project
    run fw -fleet=prod migrate
    assert_status 0
    # base has rows on every target now: a NOT NULL column without a default would fail
    write_migration sql/common V4__status.sql 'ALTER TABLE base ADD COLUMN status TEXT NOT NULL;'
    write_migration sql/common V5__wipe.sql 'DELETE FROM base;'
    # not in the fleet's pre-flight list: only on request
    run fw -fleet=prod check
    assert_status 0
    run fw -fleet=prod check -code
    assert_status 1
    assert_output_contains 'connection, validate, pending, dryrun, code'
    sed -i 's/^parallel = 2$/parallel = 2\npreflight = ["validate", "code"]/' flyway.toml
    run fw -fleet=prod check
    assert_status 1
    assert_output_contains 'Pre-flight of fleet prod on 3 targets: connection, validate, code'
    assert_output_contains 'code: V4__status.sql:1: error FW101: ALTER TABLE base adds column status NOT NULL'
    assert_output_contains '[us] WARNING: V5__wipe.sql:1: warning FW107: DELETE base without WHERE changes every row'
    run fw -fleet=prod migrate
    assert_status 1
    assert_output_contains 'nothing was changed'
    for url in "$EU" "$US" "$AP"; do [ "$(versions "$url")" = "1 2 3" ]; done
    # fixed: the warning alone does not stop it
    write_migration sql/common V4__status.sql "ALTER TABLE base ADD COLUMN status TEXT NOT NULL DEFAULT 'new';"
    run fw -fleet=prod migrate
    assert_status 0
    for url in "$EU" "$US" "$AP"; do [ "$(versions "$url")" = "1 2 3 4 5" ]; done
}

@test "check writes the SQL that would run per target, placeholders replaced; nothing runs" {
    sqlite_project
    cat >>flyway.toml <<'EOF'
[environments.ap.flyway.placeholders]
seed = "42"
EOF
    run fw -fleet=prod check
    assert_status 0
    assert_output_contains 'Pre-flight passed on all 3 targets'
    grep -q 'INSERT INTO base (id) VALUES (42);' fleet-report-dryrun-ap.sql
    grep -q 'INSERT INTO base (id) VALUES (7);' fleet-report-dryrun-us.sql
    grep -q 'CREATE TABLE region_eu' fleet-report-dryrun-eu.sql
    run grep -q 'region_eu' fleet-report-dryrun-us.sql
    assert_status 1
    for url in "$EU" "$US" "$AP"; do assert_no_history "$url"; done
    run python3 -c 'import json; d=json.load(open("fleet-report.json")); print(d["command"], d["outcome"], d["targets"][2]["pendingVersions"])'
    assert_output_contains "check success ['1', '2', '3']"
}

@test "a target whose pending set differs from the others is flagged" {
    sqlite_project
    # us alone pins target=2: it would stay behind the fleet
    cat >>flyway.toml <<'EOF'
[environments.us.flyway]
target = "2"
EOF
    run fw -fleet=prod check
    assert_status 1
    assert_output_contains '| us     | pinned: its target setting (2) holds it behind the targets with the same locations: 3 is pending there, not here'
    assert_output_not_contains '| eu     | pending'
}

@test "a missing secret fails pre-flight by name and nothing changes anywhere" {
    sqlite_project
    PG=$(pg_url)
    sqlq "$PG" "ALTER DATABASE \"${PG##*/}\" OWNER TO $FW_SECRET_USER"
    cat >>flyway.toml <<EOF
[environments.pg]
url = "$PG"
user = "$FW_SECRET_USER"
password = "\${env.FW_FLEET_PG_PASSWORD}"
EOF
    sed -i 's/^targets = .*/targets = ["eu", "us", "ap", "pg"]/' flyway.toml
    unset FW_FLEET_PG_PASSWORD
    run fw -fleet=prod migrate
    assert_status 1
    assert_output_contains "| pg     | config: target 'pg': Unable to resolve environment variable: 'FW_FLEET_PG_PASSWORD'"
    assert_output_contains 'nothing was changed'
    for url in "$EU" "$US" "$AP" "$PG"; do assert_no_history "$url"; done
    # with the secret the same fleet goes through; the password shows nowhere
    export FW_FLEET_PG_PASSWORD=$FW_SECRET_PASSWORD
    run fw -fleet=prod migrate -X
    assert_status 0
    [ "$(versions "$PG")" = "1 2 3" ]
    [ "$(sqlq "$PG" "SELECT DISTINCT installed_by FROM flyway_schema_history")" = "$FW_SECRET_USER" ]
    assert_no_secret "$FW_SECRET_PASSWORD"
    run fw -fleet=prod info -outputType=json
    assert_status 0
    assert_output_contains '"name" : "pg"'
    assert_no_secret "$FW_SECRET_PASSWORD"
    grep -q '"name" : "pg"' fleet-report.json
}

@test "an unreachable target fails pre-flight by name" {
    sqlite_project
    cat >>flyway.toml <<EOF
[environments.down]
url = "jdbc:postgresql://127.0.0.1:1/nowhere"
user = "nobody"
EOF
    sed -i 's/^targets = .*/targets = ["eu", "us", "ap", "down"]/' flyway.toml
    run fw -fleet=prod migrate
    assert_status 1
    assert_output_contains '| down   | connection: '
    for url in "$EU" "$US" "$AP"; do assert_no_history "$url"; done
}

@test "PostgreSQL targets and an inventory of tenants with per-target credentials" {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'
    write_migration sql V2__b.sql "INSERT INTO a (id) VALUES (\${tenant_id});"
    T1=$(pg_url t1) T2=$(pg_url t2) T3=$(pg_url t3)
    for u in "$T1" "$T2" "$T3"; do sqlq "$u" "ALTER DATABASE \"${u##*/}\" OWNER TO $FW_SECRET_USER"; done
    cat >tenants.csv <<EOF
# tenants: name, url, then the placeholder each one gets
name,url,placeholders.tenant_id
tenant-1,$T1,101
tenant-2,$T2,102
tenant-3,$T3,103
EOF
    cat >flyway.toml <<EOF
[flyway]
locations = ["filesystem:sql"]

[environments.tenant]
user = "$FW_SECRET_USER"

[fleets.tenants]
inventory = "tenants.csv"
template = "tenant"
password = "\${env.TENANT_DB_PASSWORD}"
canary = ["tenant-1"]
EOF
    run fw -fleet=tenants check
    assert_status 1
    assert_output_contains "target 'tenant-2': unable to resolve environment variable 'TENANT_DB_PASSWORD' (password)"
    export TENANT_DB_PASSWORD=$FW_SECRET_PASSWORD
    run fw -fleet=tenants migrate
    assert_status 0
    [ "$(sqlq "$T2" "SELECT id FROM a")" = 102 ]
    [ "$(sqlq "$T3" "SELECT id FROM a")" = 103 ]
    assert_no_secret "$FW_SECRET_PASSWORD"
    # one tenant alone, as the CI plan's jobs do it
    write_migration sql V3__c.sql 'CREATE TABLE c (id INT);'
    run fw -fleet=tenants:tenant-2 migrate
    assert_status 0
    [ "$(versions "$T2")" = "1 2 3" ]
    [ "$(versions "$T1")" = "1 2" ]
}

@test "verify exits non-zero while versions differ, zero once they agree" {
    sqlite_project
    run fw -environment=eu migrate
    assert_status 0
    run fw -environment=us migrate -target=2
    assert_status 0
    run fw -fleet=prod verify
    assert_status 4
    assert_output_contains '| us     | verify: 1 migration still pending'
    assert_output_contains '| ap     | verify: 3 migrations still pending'
    assert_output_not_contains '| eu     |'
    st=0
    fw -fleet=prod verify -outputType=json >verify.json 2>verify.err || st=$?
    [ "$st" = 4 ]
    # as every command's JSON: the report, and the error in it
    run python3 -c 'import json,sys; d=json.load(open("verify.json")); print(d["outcome"], d["verify"], d["success"], d["error"]["message"])'
    assert_output_contains "differs {'ok': False, 'version': '3', 'summary': '1 target has 1 pending, 1 target has 3 pending'} False fleet prod: 1 target has 1 pending, 1 target has 3 pending"
    run fw -fleet=prod migrate
    assert_status 0
    run fw -fleet=prod verify
    assert_status 0
    assert_output_contains 'Verification: all 3 targets on version 3'
}

@test "each target can still be migrated alone with -environment" {
    sqlite_project
    run fw -environment=ap migrate
    assert_status 0
    [ "$(versions "$AP")" = "1 2 3" ]
    assert_no_history "$EU"
    run fw -environment=ap info validate migrate
    assert_status 0
    assert_output_contains 'Schema "main" is up to date. No migration necessary.'
    run fw -fleet=prod info
    assert_output_contains '| ap     | wave 2 (100%) | 3                  | 0       | 0      | up to date |'
}

@test "configuration mistakes are usage errors that name the fleet" {
    sqlite_project
    run fw -fleet=nope info
    assert_status 2
    assert_output_contains "fleet 'nope' not found"
    printf '[fleets.bad]\ntargets = ["eu", "mars"]\n' >>flyway.toml
    run fw -fleet=bad info
    assert_status 2
    assert_output_contains "fleet 'bad': target 'mars' is not an environment"
    run fw -fleet=prod init
    assert_status 2
    assert_output_contains "'init' is not a fleet command"
}

@test "the HTML report renders in headless Chromium with each target's versions before and after" {
    command -v chromium >/dev/null 2>&1 || { apt-get install -y -q chromium >/dev/null 2>&1 || skip "chromium is not installed"; }
    sqlite_project
    run fw -environment=us migrate -target=1
    assert_status 0
    run fw -fleet=prod migrate
    assert_status 0
    grep -q 'https\?://' fleet-report.html && { echo "report loads network resources" >&2; false; }
    dom=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --user-data-dir="$T/chromium" --dump-dom "file://$T/fleet-report.html" 2>/dev/null)
    [ -n "$dom" ]
    python3 - "$dom" <<'PY'
import re, sys
dom = sys.argv[1]
def row(name):
    m = re.search(r'<tr[^>]*data-target="%s"[^>]*>(.*?)</tr>' % name, dom, re.S)
    assert m, "no row for " + name
    cells = dict(re.findall(r'<td class="(\w+)">(.*?)</td>', m.group(1), re.S))
    return cells
eu, us = row("eu"), row("us")
assert eu["status"] == "migrated", eu
assert eu["before"] == "&lt;&lt; Empty Schema &gt;&gt;" and eu["after"] == "3", eu
assert us["before"] == "1" and us["after"] == "3", us
assert "2 - region" in dom and "3 - seed" in dom
assert 'id="outcome" class="outcome-success">success<' in dom
assert "every target is on version 3" in dom
for wave in ("canary", "wave 1 (50%)", "wave 2 (100%)"):
    assert "<h2>" + wave in dom, wave
assert "<h2>Timeline</h2>" in dom and "<td>pre-flight</td>" in dom
PY
}

# three PostgreSQL targets in one wave; $1 = the SQL of V2
pg_fleet() {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT); INSERT INTO a (id) VALUES (${v});'
    write_migration sql V2__b.sql "$1"
    write_migration sql V3__c.sql 'CREATE TABLE c (id INT);'
    P1=$(pg_url p1) P2=$(pg_url p2) P3=$(pg_url p3)
    {
        printf '[flyway]\nlocations = ["filesystem:sql"]\n[flyway.placeholders]\nv = "1"\n'
        printf '[environments.p1]\nurl = "%s"\n[environments.p2]\nurl = "%s"\n[environments.p3]\nurl = "%s"\n' \
            "$P1" "$P2" "$P3"
        printf '[fleets.prod]\ntargets = ["p1", "p2", "p3"]\nparallel = 3\n'
    } >flyway.toml
}

@test "a failure halts targets running beside it after their current migration" {
    pg_fleet 'CREATE TABLE b (id INT); SELECT pg_sleep(1.5);'
    # p2 fails in its first migration, while p1 and p3 are in V1 or V2
    printf '[environments.p2.flyway.placeholders]\nv = "no_such_column"\n' >>flyway.toml
    run fw -fleet=prod migrate
    assert_status 4
    assert_output_contains 'fleet prod halted: 1 target failed, 0 not started'
    assert_output_contains '2 targets stopped between two migrations'
    assert_output_contains '[p1] WARNING: halted before V'
    # p2 has no history table, or one without a successful row
    if has_history "$P2"; then [ "$(versions "$P2")" = "" ]; else assert_no_history "$P2"; fi
    # each stopped where it was when p2 failed: before V1, after V1, or after V2 (its sleep)
    for url in "$P1" "$P3"; do
        has_history "$url" || continue
        v=$(versions "$url")
        [ "$v" = "" ] || [ "$v" = "1" ] || [ "$v" = "1 2" ]
        [ "$(sqlq "$url" "SELECT count(*) FROM flyway_schema_history WHERE NOT success")" = 0 ]
    done
    run report_rows fleet-report.json
    [[ "${lines[0]}" == "p1|halted|None|"* ]]
    [ "${lines[1]}" = "p2|failed|None|None" ]
}

@test "Ctrl-C cancels running statements on the server and leaves each migration applied or not" {
    pg_fleet 'CREATE TABLE b (id INT); SELECT pg_sleep(30);'
    "$FW" -fleet=prod migrate >run.log 2>&1 &
    pid=$!
    # wait until every target sits in V2's sleep
    for _ in $(seq 100); do
        n=$(sqlq "$FW_TEST_PG_URL" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")
        [ "$n" = 3 ] && break
        sleep 0.1
    done
    [ "$n" = 3 ]
    t0=$SECONDS
    kill -INT "$pid"
    st=0
    wait "$pid" || st=$?
    cat run.log
    [ "$st" = 130 ]
    [ $((SECONDS - t0)) -lt 10 ]    # cancelled on the server, not slept out
    grep -q 'interrupted: 3 targets stopped, 0 not started' run.log
    for url in "$P1" "$P2" "$P3"; do
        [ "$(versions "$url")" = "1" ]
        [ "$(sqlq "$url" "SELECT count(*) FROM pg_tables WHERE tablename = 'b'")" = 0 ]
    done
    [ "$(sqlq "$FW_TEST_PG_URL" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")" = 0 ]
    run python3 -c 'import json; d=json.load(open("fleet-report.json")); print(d["outcome"], sorted(set(t["status"] for t in d["targets"])))'
    assert_output_contains "interrupted ['interrupted']"
}

@test "a pre-flight connection dropped while it waited for its wave is opened again" {
    pg_fleet 'CREATE TABLE b (id INT);'
    sed -i 's/^parallel = 3$/parallel = 3\ncanary = ["p1"]\npause = "3s"/' flyway.toml
    "$FW" -fleet=prod migrate >run.log 2>&1 &
    pid=$!
    # while the fleet pauses after the canary, the server drops the connections kept for p2 and p3
    for _ in $(seq 100); do grep -q 'pausing' run.log && break; sleep 0.1; done
    grep -q 'pausing' run.log
    sqlq "$FW_TEST_PG_URL" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname IN ('${P2##*/}', '${P3##*/}')" >/dev/null
    st=0
    wait "$pid" || st=$?
    cat run.log
    [ "$st" = 0 ]
    for url in "$P1" "$P2" "$P3"; do [ "$(versions "$url")" = "1 2 3" ]; done
}
