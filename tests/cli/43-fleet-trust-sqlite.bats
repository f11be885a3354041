#!/usr/bin/env bats
# A fleet rollout a release manager can trust: the Flyway fleet tutorial's regional variants pass
# pre-flight while hotfixes, pinned targets and differing pending sets still do not; the report says
# what was read from each target; verify validates every target; every artefact is named after its
# run's report; inventories that name one database twice or a file that is not there are found;
# a resumed rollout does not wait for nothing; parallelPerServer; one scan for many tenants.
# One file, two backends: 43-fleet-trust-pg.bats is a link to it.

load helpers

setup() {
    fw_setup
    case $BATS_TEST_FILENAME in
        *-pg.bats) KIND=pg ;;
        *) KIND=sqlite ;;
    esac
}
teardown() { fw_teardown; }

# target_url NAME: a fresh empty database for target NAME
target_url() {
    case $KIND in
        pg) pg_url "${1//-/_}" ;;
        *) echo "jdbc:sqlite:$T/$1.db" ;;
    esac
}

# versions URL: the successful versioned rows of the history, "1 2 3"
versions() {
    sqlq "$1" "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank" |
        paste -sd' ' -
}

# report FIELDS...: per target of fleet-report.json, its fields joined by |
report() {
    python3 - "$@" <<'PY'
import json, sys
doc = json.load(open("fleet-report.json"))
for t in doc["targets"]:
    print("|".join(str(t.get(k)) for k in [ "name" ] + sys.argv[1:]))
PY
}

REGIONS="us-east-1 eu-west-1 ap-south-1 sa-east-1 cn-north-1"

# The tutorial's layout: every region runs sql/common; eu-west-1 adds variants/eu, cn-north-1
# variants/cn. us-east-1 is the canary, then two waves. $1: more lines for [fleets.prod].
tutorial() {
    local r url
    for v in 1 2 3; do write_migration sql/common "V${v}__common_$v.sql" "CREATE TABLE common_$v (id INT);"; done
    write_migration sql/variants/eu V2.1__eu_consent.sql 'CREATE TABLE eu_consent (id INT);'
    mkdir -p sql/variants/cn
    {
        printf '[flyway]\nlocations = ["filesystem:sql/common"]\n'
        for r in $REGIONS; do
            url=$(target_url "$r")
            eval "URL_${r//-/_}=\$url"
            printf '\n[environments.%s]\nurl = "%s"\n' "$r" "$url"
        done
        printf '\n[environments.eu-west-1.flyway]\nlocations = ["filesystem:sql/common", "filesystem:sql/variants/eu"]\n'
        printf '\n[environments.cn-north-1.flyway]\nlocations = ["filesystem:sql/common", "filesystem:sql/variants/cn"]\n'
        printf '\n[fleets.prod]\ntargets = ["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1", "cn-north-1"]\n'
        printf 'canary = ["us-east-1"]\nwaves = ["50%%", "100%%"]\nparallel = 2\nnewDatabases = true\n%s\n' "${1:-}"
    } >flyway.toml
}

url_of() { local v="URL_${1//-/_}"; echo "${!v}"; }

@test "the tutorial's regional variants pass pre-flight, both ways, and end on their own versions" {
    tutorial
    run fw -fleet=prod migrate
    assert_status 0
    assert_output_contains 'Pre-flight passed on all 5 targets'
    [ "$(versions "$(url_of eu-west-1)")" = "1 2 2.1 3" ]
    [ "$(versions "$(url_of us-east-1)")" = "1 2 3" ]
    # a release: V4 for everyone, and V3.1 only China has
    write_migration sql/common V4__common_4.sql 'CREATE TABLE common_4 (id INT);'
    write_migration sql/variants/cn V3.1__cn_icp.sql 'CREATE TABLE cn_icp (id INT);'
    run fw -fleet=prod check
    assert_status 0
    assert_output_contains 'Pre-flight passed on all 5 targets'
    assert_output_not_contains 'pending set differs'
    # the other way: a variant most regions have (all but us-east-1) is no finding on us-east-1
    write_migration sql/variants/gdpr V3.2__retention.sql 'CREATE TABLE retention (id INT);'
    sed -i 's#"filesystem:sql/variants/\(eu\|cn\)"\]$#"filesystem:sql/variants/\1", "filesystem:sql/variants/gdpr"]#' flyway.toml
    for r in ap-south-1 sa-east-1; do
        printf '\n[environments.%s.flyway]\nlocations = ["filesystem:sql/common", "filesystem:sql/variants/gdpr"]\n' "$r" >>flyway.toml
    done
    [ "$(grep -c 'variants/gdpr' flyway.toml)" = 4 ]
    run fw -fleet=prod check
    assert_status 0
    assert_output_not_contains 'pending set differs'
    run fw -fleet=prod migrate
    assert_status 0
    [ "$(versions "$(url_of cn-north-1)")" = "1 2 3 3.1 3.2 4" ]
    [ "$(versions "$(url_of eu-west-1)")" = "1 2 2.1 3 3.2 4" ]
    [ "$(versions "$(url_of us-east-1)")" = "1 2 3 4" ]
    assert_output_contains 'Verification: all 5 targets on version 4, nothing pending or failed'
    run fw -fleet=prod verify
    assert_status 0
}

@test "what pre-flight still finds: a hotfix none of the target's locations has, a pinned target, pending sets that differ" {
    tutorial
    run fw -fleet=prod migrate
    assert_status 0
    write_migration sql/common V4__common_4.sql 'CREATE TABLE common_4 (id INT);'
    write_migration sql/common V5__common_5.sql 'CREATE TABLE common_5 (id INT);'
    # a hotfix applied by hand on ap-south-1, recorded as 3.5, in no location; the project lets
    # validate pass such rows (ignoreMigrationPatterns), the fleet's comparison does not
    sqlq "$(url_of ap-south-1)" "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (99, '3.5', 'hotfix', 'SQL', 'V3.5__hotfix.sql', 1, 'ops', 1, true)"
    sed -i 's/^locations = \["filesystem:sql\/common"\]$/&\nignoreMigrationPatterns = ["*:future", "*:missing"]/' flyway.toml
    # sa-east-1 pins its own target: it would stay behind the regions with the same locations
    printf '\n[environments.sa-east-1.flyway]\ntarget = "4"\n' >>flyway.toml
    run fw -fleet=prod check
    assert_status 1
    assert_output_contains '| ap-south-1 | history: version 3.5 is applied here but none of its locations has it (a hand-applied hotfix?)'
    assert_output_contains '| sa-east-1  | pinned: its target setting (4) holds it behind the targets with the same locations: 5 is pending there, not here'
    assert_output_not_contains '| us-east-1 '
    assert_output_not_contains '| cn-north-1'
    run fw -fleet=prod migrate
    assert_status 1
    assert_output_contains 'pre-flight found 2 problems on 2 targets; nothing was changed'
    [ "$(versions "$(url_of us-east-1)")" = "1 2 3" ]
    # the same locations, a migration that runs on some of them only (its shouldExecute): where most
    # have it pending, the one without it is flagged
    sed -i '/^target = "4"$/d' flyway.toml
    sqlq "$(url_of ap-south-1)" "DELETE FROM flyway_schema_history WHERE version = '3.5'"
    printf 'shouldExecute=${run_v5}==yes\n' >sql/common/V5__common_5.sql.conf
    printf '\n[flyway.placeholders]\nrun_v5 = "yes"\n[environments.ap-south-1.flyway.placeholders]\nrun_v5 = "no"\n' >>flyway.toml
    run fw -fleet=prod check
    assert_status 1
    assert_output_contains '| ap-south-1 | pending set differs: 5 is pending on 2 of the 3 targets with the same locations below it, but not here'
}

@test "after a failed pre-flight the report says what was read: pending 2, findings, unreachable" {
    tutorial
    run fw -fleet=prod migrate
    assert_status 0
    write_migration sql/common V4__common_4.sql 'CREATE TABLE common_4 (id INT);'
    write_migration sql/common V5__common_5.sql 'CREATE TABLE common_5 (id INT);'
    sqlq "$(url_of sa-east-1)" "UPDATE flyway_schema_history SET checksum = 7 WHERE version = '2'"
    # cn-north-1 cannot be reached
    case $KIND in
        pg) sed -i "s|^url = \"$(url_of cn-north-1)\"|url = \"jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=2\"|" flyway.toml ;;
        *) sed -i "s|^url = \"$(url_of cn-north-1)\"|url = \"jdbc:sqlite:$T/sql\"|" flyway.toml ;;   # a folder
    esac
    run fw -fleet=prod migrate
    assert_status 1
    run report status statusText versionBefore versionAfter versionKnown pending
    assert_status 0
    [ "${lines[0]}" = "us-east-1|pending|pending 2|3|3|True|2" ]
    [ "${lines[1]}" = "eu-west-1|pending|pending 2|3|3|True|2" ]
    [ "${lines[3]}" = "sa-east-1|findings|findings|3|3|True|2" ]
    [ "${lines[4]}" = "cn-north-1|unreachable|unreachable|None|None|False|None" ]
    run python3 -c 'import json; d=json.load(open("fleet-report.json")); print(d["outcome"], d["summary"], d["versions"])'
    assert_output_contains "preflight failed {'pending': 3, 'findings': 1, 'unreachable': 1} [{'label': '3', 'version': '3', 'before': 4, 'after': 4}, {'label': 'unknown', 'version': None, 'before': 1, 'after': 1}]"
    # the page: a version not read is not known, never << Empty Schema >>
    grep -q 'pending 2' fleet-report.html
    run grep -c 'Empty Schema' fleet-report.html
    [ "$output" = 0 ]
}

@test "a halted rollout: targets not started are reported at the version the pre-flight read" {
    tutorial
    run fw -fleet=prod migrate
    assert_status 0
    write_migration sql/common V4__common_4.sql 'CREATE TABLE common_4 (id INT); ${extra}'
    printf '\n[flyway.placeholders]\nextra = ""\n[environments.eu-west-1.flyway.placeholders]\nextra = "INSERT INTO no_such_table VALUES (1);"\n' >>flyway.toml
    sed -i 's/^parallel = 2$/parallel = 1/' flyway.toml
    run fw -fleet=prod migrate
    assert_status 4
    assert_output_contains 'fleet prod halted: 1 target failed'
    assert_output_contains '| sa-east-1  | wave 2 (100%) | not started at 3 | 3      | 3     |'
    run report status statusText versionBefore versionAfter
    [ "${lines[0]}" = "us-east-1|migrated|migrated|3|4" ]
    [ "${lines[1]}" = "eu-west-1|failed|failed|3|3" ]
    [ "${lines[3]}" = "sa-east-1|not started|not started at 3|3|3" ]
    [ "${lines[4]}" = "cn-north-1|not started|not started at 3|3|3" ]
    grep -q 'not started at 3' fleet-report.html
}

@test "verify validates every target: a hand-edited history row is found; all merely pending is said so" {
    tutorial
    run fw -fleet=prod migrate
    assert_status 0
    # someone edits us-east-1's history by hand: checksum and description
    sqlq "$(url_of us-east-1)" "UPDATE flyway_schema_history SET checksum = 12345, description = 'edited' WHERE version = '2'"
    run fw -fleet=prod verify
    assert_status 4
    assert_output_contains 'Verification: 1 target failed validation:'
    assert_output_contains '| us-east-1 | validate: Migration checksum mismatch for migration version 2'
    assert_output_contains 'fleet prod: 1 target failed validation'
    run fw -fleet=prod repair
    assert_status 0
    run fw -fleet=prod verify
    assert_status 0
    # a release not rolled out yet: every target merely has it pending
    write_migration sql/common V4__common_4.sql 'CREATE TABLE common_4 (id INT);'
    write_migration sql/common V5__common_5.sql 'CREATE TABLE common_5 (id INT);'
    run fw -fleet=prod verify
    assert_status 4
    assert_output_contains 'Verification: 5 targets have 2 pending:'
    assert_output_contains 'ERROR: fleet prod: 5 targets have 2 pending'
    assert_output_not_contains 'differ'
    run python3 -c 'import json; d=json.load(open("fleet-report.json")); print(d["verify"])'
    assert_output_contains "'summary': '5 targets have 2 pending'"
}

@test "every artefact of a run is named after its report; no dry-run script where nothing is pending" {
    tutorial
    run fw -fleet=prod migrate -reportFilename=reports/run1
    assert_status 0
    [ -f reports/run1.json ] && [ -f reports/run1.html ] && [ -f reports/run1-dryrun-cn-north-1.sql ]
    write_migration sql/variants/cn V3.1__cn_icp.sql 'CREATE TABLE cn_icp (id INT);'
    run fw -fleet=prod migrate -reportFilename=reports/run2
    assert_status 0
    assert_output_contains 'Dry-run scripts: '"$T"'/reports/run2-dryrun-<target>.sql (1 target with migrations pending)'
    # the earlier run's scripts are still what its report points to
    grep -q 'CREATE TABLE common_1' reports/run1-dryrun-cn-north-1.sql
    run python3 -c 'import json; print(json.load(open("reports/run1.json"))["targets"][4]["dryrunFile"])'
    [ "$output" = "$T/reports/run1-dryrun-cn-north-1.sql" ]
    grep -q 'CREATE TABLE cn_icp' reports/run2-dryrun-cn-north-1.sql
    [ ! -e reports/run2-dryrun-us-east-1.sql ]
    run python3 -c 'import json; print([t.get("dryrunFile") for t in json.load(open("reports/run2.json"))["targets"]])'
    [ "$output" = "[None, None, None, None, '$T/reports/run2-dryrun-cn-north-1.sql']" ]
}

@test "two targets that lead to the same database are a pre-flight finding; nothing runs" {
    tutorial
    case $KIND in
        pg) other="$(url_of us-east-1)?connectTimeout=5" ;;
        *) other="jdbc:sqlite:$T/./us-east-1.db" ;;
    esac
    sed -i "s|^url = \"$(url_of ap-south-1)\"|url = \"$other\"|" flyway.toml
    run fw -fleet=prod migrate
    assert_status 1
    assert_output_contains "| us-east-1  | database: the same database as target 'ap-south-1'"
    assert_output_contains "| ap-south-1 | database: the same database as target 'us-east-1'"
    assert_output_contains "they would wait on each other's lock"
    [ -z "$(versions "$(url_of us-east-1)" 2>/dev/null)" ]
}

@test "a SQLite file that is not there is a finding unless the fleet expects new databases; nothing makes it" {
    [ "$KIND" = sqlite ] || skip "SQLite files only"
    tutorial
    sed -i '/^newDatabases = true$/d' flyway.toml
    run fw -fleet=prod check
    assert_status 1
    assert_output_contains "| us-east-1  | database: database file $T/us-east-1.db does not exist"
    assert_output_contains 'set newDatabases = true in [fleets.prod]'
    run fw -fleet=prod info
    assert_status 4
    for r in $REGIONS; do [ ! -e "$T/$r.db" ]; done
    # onboarding new tenants: expected, and pre-flight still makes nothing
    run fw -fleet=prod -fleets.prod.newDatabases=true check
    assert_status 0
    assert_output_contains 'Pre-flight passed on all 5 targets'
    for r in $REGIONS; do [ ! -e "$T/$r.db" ]; done
    grep -q 'CREATE TABLE common_1' fleet-report-dryrun-us-east-1.sql
    run fw -fleet=prod -fleets.prod.newDatabases=true migrate
    assert_status 0
    # a typo among existing databases
    sed -i "s|^url = \"$(url_of sa-east-1)\"|url = \"jdbc:sqlite:$T/sa-eats-1.db\"|" flyway.toml
    run fw -fleet=prod migrate
    assert_status 1
    assert_output_contains "| sa-east-1 | database: database file $T/sa-eats-1.db does not exist"
    [ ! -e "$T/sa-eats-1.db" ]
}

@test "a resumed rollout pauses only after a wave that changed something" {
    tutorial 'pause = "2s"'
    run fw -fleet=prod migrate -fleets.prod.pause=0s
    assert_status 0
    # a fresh release: each wave changes something, so the pauses are kept
    write_migration sql/common V4__common_4.sql 'CREATE TABLE common_4 (id INT); ${extra}'
    printf '\n[flyway.placeholders]\nextra = ""\n[environments.sa-east-1.flyway.placeholders]\nextra = "INSERT INTO no_such_table VALUES (1);"\n' >>flyway.toml
    run fw -fleet=prod migrate
    assert_status 4
    assert_output_contains 'pausing 2.000s before wave 1 (50%)'
    assert_output_contains 'pausing 2.000s before wave 2 (100%)'
    # after the fix the canary and wave 1 are up to date: no waiting before wave 2
    sed -i 's/^extra = "INSERT INTO no_such_table VALUES (1);"$/extra = ""/' flyway.toml
    sed -i 's/^pause = "2s"$/pause = "1h"/' flyway.toml
    run timeout 60 "$FW" -fleet=prod migrate
    assert_status 0
    assert_output_not_contains 'pausing'
    assert_output_contains '[us-east-1] Schema '
    assert_output_contains 'is up to date. No migration necessary.'
    [ "$(versions "$(url_of sa-east-1)")" = "1 2 3 4" ]
}

# the most targets whose migrate ran at once, from the report (a few ms of clock rounding allowed)
most_at_once() {
    python3 - <<'PY'
import json
ts = [(t["startOffsetMs"], t["startOffsetMs"] + t["durationMs"]) for t in json.load(open("fleet-report.json"))["targets"]]
print(max(sum(1 for s, e in ts if s <= a < e - 20) for a, _ in ts))
PY
}

@test "parallelPerServer caps the targets in flight on one server" {
    [ "$KIND" = pg ] || skip "a server's targets (SQLite files have none)"
    write_migration sql V1__slow.sql 'CREATE TABLE slow (id INT); SELECT pg_sleep(0.6);'
    {
        printf '[flyway]\nlocations = ["filesystem:sql"]\n'
        for i in 1 2 3 4; do printf '[environments.t%s]\nurl = "%s"\n' "$i" "$(target_url "t$i")"; done
        printf '[fleets.all]\ntargets = ["t*"]\nparallel = 4\nparallelPerServer = 1\n'
    } >flyway.toml
    run fw -fleet=all migrate
    assert_status 0
    run most_at_once
    [ "$output" = 1 ]
    # without the cap the four run side by side
    write_migration sql V2__slow.sql 'SELECT pg_sleep(0.6);'
    sed -i '/^parallelPerServer = 1$/d' flyway.toml
    run fw -fleet=all migrate
    assert_status 0
    run most_at_once
    [ "$output" -ge 3 ]
    run fw -fleet=all migrate -fleets.all.parallelPerServer=0
    assert_status 2
    assert_output_contains 'fleets.all.parallelPerServer must be between 1 and 10000, not 0'
}

@test "tenants with the same locations are scanned once; a repeatable with a tenant's own placeholder still gets its own checksum" {
    write_migration sql V1__base.sql 'CREATE TABLE base (id INT);'
    write_migration sql R__tenant_view.sql 'DROP VIEW IF EXISTS tenant_view; CREATE VIEW tenant_view AS SELECT ${tenant_id} AS tenant_id;'
    {
        echo 'name,url,placeholders.tenant_id'
        for i in 1 2 3 4; do echo "tenant-$i,$(target_url "tenant-$i"),10$i"; done
    } >tenants.csv
    printf '[flyway]\nlocations = ["filesystem:sql"]\n[fleets.t]\ninventory = "tenants.csv"\nnewDatabases = true\n' >flyway.toml
    run fw -fleet=t migrate -X
    assert_status 0
    # one scan per distinct value of what the files depend on: here the tenant_id
    assert_output_contains 'DEBUG: fleet t: the locations were scanned 4 times for'
    sums=$(for i in 1 2 3 4; do sqlq "$(sed -n "$((i + 1))p" tenants.csv | cut -d, -f2)" "SELECT checksum FROM flyway_schema_history WHERE version IS NULL"; done | sort -u | wc -l)
    [ "$sums" = 4 ]
    run fw -fleet=t verify
    assert_status 0
    # without the placeholder in the repeatable, the tenants share one scan
    write_migration sql R__tenant_view.sql 'DROP VIEW IF EXISTS tenant_view; CREATE VIEW tenant_view AS SELECT 1 AS tenant_id;'
    run fw -fleet=t migrate -X
    assert_status 0
    assert_output_contains 'DEBUG: fleet t: the locations were scanned 1 time for'
}
