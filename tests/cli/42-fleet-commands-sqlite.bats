#!/usr/bin/env bats
# Every command on a fleet, through the same operation and renderer as alone: validate, undo,
# repair (after a hand-edited history row), baseline (adopting existing databases), clean (only when
# every target allows it and the run confirms it); command-line settings in fleet mode; the pre-flight
# dry-run script run with the database's own client.
# One file, several backends: 42-fleet-commands-pg.bats and -mysql.bats are links to it.

load helpers

setup() {
    fw_setup
    case $BATS_TEST_FILENAME in
        *-pg.bats) KIND=pg ;;
        *-mysql.bats) KIND=mysql ;;
        *) KIND=sqlite ;;
    esac
}
teardown() { fw_teardown; }

# target_url N: a fresh empty database for target tN
target_url() {
    case $KIND in
        pg) pg_url "t$1" ;;
        mysql) mysql_url "t$1" ;;
        *) echo "jdbc:sqlite:$T/t$1.db" ;;
    esac
}

# versions URL: the successful versioned rows of the history, "1 2"
versions() {
    sqlq "$1" "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL AND type <> 'UNDO_SQL' ORDER BY installed_rank" |
        paste -sd' ' -
}

# three targets, t1 the canary, t2 and t3 one wave each; V1, V2 (with its undo U2)
project() {
    write_migration sql V1__base.sql 'CREATE TABLE base (id INT);'
    write_migration sql V2__more.sql 'CREATE TABLE more_rows (id INT);'
    write_migration sql U2__more.sql 'DROP TABLE more_rows;'
    U1=$(target_url 1) U2=$(target_url 2) U3=$(target_url 3)
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
parallel = 2
newDatabases = true
TOML
}

@test "validate, undo and repair run on every target; a hand-edited history row is found and realigned" {
    project
    run fw -fleet=f migrate
    assert_status 0
    for u in "$U1" "$U2" "$U3"; do [ "$(versions "$u")" = "1 2" ]; done
    run fw -fleet=f validate
    assert_status 0
    assert_output_contains '2 migrations valid'
    # someone edits t2's history by hand
    sqlq "$U2" "UPDATE flyway_schema_history SET checksum = 12345, description = 'hand edited' WHERE version = '1'"
    run fw -fleet=f validate
    assert_status 4
    assert_output_contains '[t2] ERROR: Validate failed'
    assert_output_contains 'validate failed on 1 of 3 targets'
    run fw -fleet=f repair
    assert_status 0
    assert_output_contains '[t2] Successfully repaired schema history table'
    assert_output_contains 'aligned 1'
    [ "$(sqlq "$U2" "SELECT description FROM flyway_schema_history WHERE version = '1'")" = base ]
    run fw -fleet=f validate
    assert_status 0
    # undo: the newest migration, canary first, on every target
    run fw -fleet=f undo
    assert_status 0
    assert_output_contains '[t1] Undoing migration of schema'
    assert_output_contains 'undid 1 migration, now at 1'
    for u in "$U1" "$U2" "$U3"; do
        [ "$(sqlq "$u" "SELECT count(*) FROM flyway_schema_history WHERE type = 'UNDO_SQL' AND version = '2'")" = 1 ]
    done
}

@test "a fleet write stops at the canary's failure: no other target starts" {
    project
    run fw -fleet=f migrate
    assert_status 0
    rm sql/U2__more.sql            # the undo script is gone: undo must fail on the canary
    run fw -fleet=f undo
    assert_status 4
    assert_output_contains '[t1] ERROR: Unable to undo migration 2'
    assert_output_contains 'not started'
    for u in "$U1" "$U2" "$U3"; do
        [ "$(sqlq "$u" "SELECT count(*) FROM flyway_schema_history WHERE type = 'UNDO_SQL'")" = 0 ]
    done
}

@test "baseline adopts a fleet of existing databases; JSON carries each target's own result" {
    project
    for u in "$U1" "$U2" "$U3"; do sqlq "$u" "CREATE TABLE legacy (id INT)"; done
    run fw -fleet=f baseline -baselineVersion=1 -outputType=json
    assert_status 0
    run python3 - <<'PY'
import json
d = json.load(open("fleet-report.json"))
for t in d["targets"]:
    r = t["result"]
    print(t["name"], t["status"], r["operation"], r["successfullyBaselined"], r["baselineVersion"])
PY
    assert_output_contains 't1 ok baseline True 1'
    assert_output_contains 't3 ok baseline True 1'
    run fw -fleet=f migrate
    assert_status 0
    for u in "$U1" "$U2" "$U3"; do [ "$(versions "$u")" = "1 2" ]; done
}

@test "clean on a fleet: refused unless every target allows it and the run is confirmed" {
    project
    run fw -fleet=f migrate
    assert_status 0
    run fw -fleet=f clean
    assert_status 2
    assert_output_contains 'cleanDisabled is not false on 3 targets: t1, t2, t3'
    # two targets allow it, one does not: nothing happens anywhere
    printf '[environments.t1.flyway]\ncleanDisabled = false\n[environments.t2.flyway]\ncleanDisabled = false\n' >>flyway.toml
    run fw -fleet=f clean
    assert_status 2
    assert_output_contains 'cleanDisabled is not false on 1 target: t3'
    for u in "$U1" "$U2" "$U3"; do [ "$(versions "$u")" = "1 2" ]; done
    printf '[environments.t3.flyway]\ncleanDisabled = false\n' >>flyway.toml
    run fw -fleet=f clean
    assert_status 2
    assert_output_contains 'confirm with -confirmClean=f'
    for u in "$U1" "$U2" "$U3"; do [ "$(versions "$u")" = "1 2" ]; done
    run fw -fleet=f clean -confirmClean=f
    assert_status 0
    for u in "$U1" "$U2" "$U3"; do
        run sqlq "$u" "SELECT count(*) FROM base"
        [ "$status" != 0 ]
    done
}

@test "command-line settings apply to every target; a shared url, user or password is refused" {
    project
    run fw -fleet=f migrate -table=fleet_history
    assert_status 0
    for u in "$U1" "$U2" "$U3"; do
        [ "$(sqlq "$u" "SELECT count(*) FROM fleet_history WHERE success")" = 2 ]
    done
    run fw -fleet=f info -password=s3cr3t-Pa55
    assert_status 2
    assert_output_contains 'password from command line -password applies to one database'
    assert_output_contains '[environments.<target>]'
    assert_output_not_contains 's3cr3t-Pa55'
    FLYWAY_URL=$U1 run fw -fleet=f info
    assert_status 2
    assert_output_contains 'url from environment variable FLYWAY_URL applies to one database'
}

@test "the pre-flight dry-run script, run with the database's own client, leaves what migrate leaves" {
    project
    run fw -fleet=f check -dryrun
    assert_status 0
    [ -f fleet-report-dryrun-t1.sql ]
    sqlq "$U2" - <fleet-report-dryrun-t2.sql >/dev/null
    [ "$(versions "$U2")" = "1 2" ]
    sqlq "$U2" "SELECT count(*) FROM more_rows" >/dev/null
    # fleetway sees t2 as migrated
    run fw -environment=t2 info
    assert_status 0
    assert_output_contains 'Schema version: 2'
}

@test "the live view on a terminal shows each running target's migration, for how long, and the time left" {
    [ "$KIND" = pg ] || skip "pg_sleep makes a migration slow on cue"
    write_migration sql V1__slow_start.sql 'SELECT pg_sleep(2);'
    U1=$(target_url 1) U2=$(target_url 2)
    cat >flyway.toml <<TOML
[flyway]
locations = ["filesystem:sql"]
[environments.t1]
url = "$U1"
[environments.t2]
url = "$U2"
[fleets.f]
targets = ["t1", "t2"]
canary = ["t1"]
newDatabases = true
TOML
    # a real terminal (script(1) gives the command a pty); the view redraws in place
    run script -qfec "$FW -fleet=f migrate" "$T/screen.txt"
    assert_status 0
    screen=$(tr -d '\r' <"$T/screen.txt")
    [[ $screen == *'t1                   1 - slow start  0m0'* ]]
    [[ $screen == *'canary'*'running 1'* ]]
    # once the canary is done, the time left is estimated from it
    [[ $screen == *'left'* ]]
    [[ $screen == *'Verification: all 2 targets on version 1'* ]]
}

@test "a large fleet's outcome lists the targets that failed by name and counts the others" {
    [ "$KIND" = sqlite ] || skip "thirty SQLite files make the fleet"
    write_migration sql V1__base.sql 'CREATE TABLE base (id INT);'
    : >tenants.csv
    for i in $(seq -w 1 30); do echo "tenant-$i,jdbc:sqlite:$T/tenant-$i.db" >>tenants.csv; done
    cat >flyway.toml <<TOML
[flyway]
locations = ["filesystem:sql"]
[fleets.all]
inventory = "tenants.csv"
parallel = 4
newDatabases = true
TOML
    run fw -fleet=all migrate
    assert_status 0
    run fw -fleet=all validate
    assert_status 0
    assert_output_contains '30 of 30 targets ok'
    assert_output_not_contains '| tenant-03 '
    sqlq "jdbc:sqlite:$T/tenant-17.db" "UPDATE flyway_schema_history SET checksum = 1 WHERE version = '1'"
    run fw -fleet=all validate
    assert_status 4
    assert_output_contains '| tenant-17 '
    assert_output_contains '29 of 30 targets ok; the others are listed above'
    assert_output_not_contains '| tenant-03 '
}

@test "a fleet's own settings can be changed for one run from the command line" {
    [ "$KIND" = sqlite ] || skip "the fleet's settings do not depend on the database"
    project
    sed -i 's/^parallel = 2$/parallel = 2\npause = "1h"/' flyway.toml
    run timeout 60 "$FW" -fleet=f migrate -fleets.f.pause=0s -fleets.f.waves=100%
    assert_status 0
    assert_output_contains 'Fleet f: wave 1 (100%) (2 of 2): t2, t3'
    assert_output_not_contains 'pausing'
    run fw -fleet=f info -fleets.f.paralel=2
    assert_status 2
    assert_output_contains 'unknown key fleets.f.paralel'
}
