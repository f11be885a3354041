#!/usr/bin/env bats
# Fleet gates: after the canary and after each wave that changed something, commands and a SQL check
# decide whether the rollout goes on; a failing, erring or timed-out gate halts it like a failed
# migration; gateRetry polls a gate until it passes (the monitoring window); -skipGates is loud; the
# CI plans get a gate job between the waves. Targets are SQLite files and PostgreSQL databases.

load helpers

versions() {
    sqlq "$1" "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank" |
        paste -sd' ' -
}

# t1 the canary, t2 wave 1, t3 wave 2; V1 makes a table of orders, V2 fills it
project() { # [url of t1 t2 t3...]
    write_migration sql V1__orders.sql 'CREATE TABLE orders (id INT, status VARCHAR(20));'
    write_migration sql V2__seed.sql "INSERT INTO orders (id, status) VALUES (1, 'paid');"
    U1=${1:-jdbc:sqlite:$T/t1.db} U2=${2:-jdbc:sqlite:$T/t2.db} U3=${3:-jdbc:sqlite:$T/t3.db}
    cat >flyway.toml <<TOML
[flyway]
locations = ["filesystem:sql"]

[environments.t1]
url = "$U1"

[environments.t2]
url = "$U2"

[environments.t3]
url = "$U3"

[fleets.f]
targets = ["t1", "t2", "t3"]
canary = ["t1"]
waves = ["50%", "100%"]
newDatabases = true
TOML
}

gate() { printf '%s\n' "$@" >>flyway.toml; }

report() { # python expression over the report's JSON (d)
    python3 -c "import json; d = json.load(open('fleet-report.json')); print(repr(($1)))"
}

@test "a gate that fails after the canary halts the rollout: nothing else migrates" {
    project
    gate 'gate = "echo smoke test of $FLEETWAY_FLEET $FLEETWAY_WAVE on $FLEETWAY_TARGETS; exit 3"'
    run fw -fleet=f migrate
    assert_status 4
    assert_output_contains '[gate] smoke test of f canary on t1'
    assert_output_contains 'ERROR: fleet f halted: the gate after canary failed'
    assert_output_contains 'exited with 3'
    [ "$(versions "$U1")" = "1 2" ]
    [ ! -s "$T/t2.db" ] || [ -z "$(versions "$U2" 2>/dev/null)" ]
    [ ! -s "$T/t3.db" ] || [ -z "$(versions "$U3" 2>/dev/null)" ]
    run report '[(g["after"], g["outcome"], g["attempts"], g["checks"][0]["exitStatus"]) for g in d["gates"]], d["outcome"]'
    assert_output_contains "([('canary', 'failed', 1, 3)], 'halted')"
    run report '[t["status"] for t in d["targets"]]'
    assert_output_contains "['migrated', 'not started', 'not started']"
    grep -q 'class="gate gate-fail"' fleet-report.html
    grep -q 'smoke test of f canary on t1' fleet-report.html
}

@test "a rerun shows the gate again before the next wave, then goes on" {
    project
    gate 'gate = "test -f $FLEETWAY_FLEET-ok"'
    run fw -fleet=f migrate
    assert_status 4
    touch f-ok
    run fw -fleet=f migrate
    assert_status 0
    assert_output_contains 'Gate after canary passed (1 attempt)'
    assert_output_contains 'Gate after wave 1 (50%) passed'
    assert_output_contains 'Gate after wave 2 (100%) passed'
    for u in "$U1" "$U2" "$U3"; do [ "$(versions "$u")" = "1 2" ]; done
    # nothing changed: a third run has no gate to show
    run fw -fleet=f migrate
    assert_status 0
    assert_output_not_contains 'Gate after'
}

@test "a SQL gate that is false on one target of a wave halts before the next wave" {
    project "$(pg_url t1)" "$(pg_url t2)" "$(pg_url t3)"
    gate "gateSql = \"SELECT count(*) = 0 FROM orders WHERE status IS NULL\""
    # a callback leaves a bad row on t2 only: t2's own afterMigrate, in its environment's locations
    write_migration t2only afterMigrate.sql "INSERT INTO orders (id, status) VALUES (2, NULL);"
    printf '[environments.t2.flyway]\nlocations = ["filesystem:sql", "filesystem:t2only"]\n' >>flyway.toml
    run fw -fleet=f migrate
    assert_status 4
    assert_output_contains 'Gate after canary passed'
    assert_output_contains 'ERROR: fleet f halted: the gate after wave 1 (50%) failed: the query was not true on every target'
    [ "$(versions "$U2")" = "1 2" ]
    [ -z "$(versions "$U3" 2>/dev/null)" ]
    run report '[(t["name"], t["pass"], t["value"]) for t in d["gates"][1]["checks"][0]["targets"]]'
    assert_output_contains "('t2', False, 'f')"
}

@test "a gate that runs past gateTimeout is ended and halts the rollout" {
    project
    gate 'gate = "sleep 30"' 'gateTimeout = "1s"'
    SECONDS=0
    run fw -fleet=f migrate
    assert_status 4
    [ "$SECONDS" -lt 20 ]
    assert_output_contains 'the gate after canary failed: ran out of time'
    run report 'd["gates"][0]["outcome"], d["gates"][0]["checks"][0]["timedOut"]'
    assert_output_contains "('timed out', True)"
    [ -z "$(versions "$U2" 2>/dev/null)" ]
}

@test "with gateRetry a failing gate is polled until it passes (the monitoring window)" {
    project
    # passes on its third run
    gate 'gate = "n=$(cat n 2>/dev/null || echo 0); echo $((n + 1)) > n; test $n -ge 2"' 'gateRetry = "1s"' 'gateTimeout = "30s"'
    run fw -fleet=f migrate -fleets.f.waves=100%
    assert_status 0
    assert_output_contains 'Gate after canary: not yet (attempt 1), trying again in 1.000s'
    assert_output_contains 'Gate after canary passed (3 attempts)'
    run report '[(g["after"], g["attempts"]) for g in d["gates"]]'
    assert_output_contains "('canary', 3)"
    for u in "$U1" "$U2" "$U3"; do [ "$(versions "$u")" = "1 2" ]; done
}

@test "a gate sees the fleet, the wave and its targets, never a password" {
    project
    gate 'gate = "env > gate-env-$FLEETWAY_WAVE_NUMBER"'
    export FLYWAY_PLACEHOLDERS_X=1 GATE_API_KEY=not-a-secret
    run fw -fleet=f migrate -placeholders.token=s3cr3t-Pa55-gate
    assert_status 0
    grep -qx 'FLEETWAY_FLEET=f' gate-env-1
    grep -qx 'FLEETWAY_WAVE=canary' gate-env-1
    grep -qx 'FLEETWAY_TARGETS=t2' gate-env-2
    grep -qx "FLEETWAY_REPORT=$T/fleet-report.json" gate-env-1
    grep -qx 'GATE_API_KEY=not-a-secret' gate-env-1
    run grep -c '^FLYWAY_' gate-env-1
    [ "$output" = 0 ]
}

@test "-skipGates is an emergency, said in the output and the report" {
    project
    gate 'gate = "exit 1"'
    run fw -fleet=f migrate -skipGates=true
    assert_status 0
    assert_output_contains 'WARNING: -skipGates: the gates of fleet f will NOT run'
    run report 'd["gatesSkipped"], d["gates"]'
    assert_output_contains "(True, [])"
    grep -q 'id="gates-skipped"' fleet-report.html
}

@test "the CI plans get a gate job between the waves; the gate command runs one wave's gates" {
    project
    gate 'gate = "test -f ok-$FLEETWAY_WAVE_NUMBER"'
    run fw -fleet=f plan -format=github
    assert_status 0
    printf '%s\n' "$output" >plan.yml
    run python3 -c '
import yaml
d = yaml.safe_load(open("plan.yml"))
j = d["jobs"]
print(j["wave-1"]["needs"], j["gate-after-canary"]["needs"], j["verify"]["needs"])
print(j["gate-after-canary"]["steps"][-1]["run"])'
    assert_status 0
    assert_output_contains "['gate-after-canary'] ['canary'] ['gate-after-wave-2']"
    assert_output_contains 'fleetway -fleet=f gate -gateWave=1'
    run fw -fleet=f plan -format=gitlab
    assert_status 0
    printf '%s\n' "$output" >plan.yml
    run python3 -c '
import yaml
d = yaml.safe_load(open("plan.yml"))
print(d["stages"])'
    assert_output_contains "'canary', 'gate-after-canary', 'wave-1', 'gate-after-wave-1'"
    run fw -fleet=f gate -gateWave=2
    assert_status 4
    touch ok-2
    run fw -fleet=f gate -gateWave=2
    assert_status 0
    assert_output_contains 'Gate after wave 1 (50%) passed'
    run fw -fleet=f gate -gateWave=9
    assert_status 2
}

@test "the live view on a terminal says the gate is running, after which wave" {
    project
    gate 'gate = "sleep 1"'
    # a real terminal (script(1) gives the command a pty); the view redraws in place
    run script -qfec "$FW -fleet=f migrate" "$T/screen.txt"
    assert_status 0
    screen=$(tr -d '\r' <"$T/screen.txt")
    [[ $screen == *'fleet f: gate running after canary'* ]]
    [[ $screen == *'fleet f: gate running after wave 1'* ]]
}
