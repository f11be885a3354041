#!/usr/bin/env bats
# Fleets beyond one machine and the report people look at:
#   plan -format=github|gitlab|json  a pre-flight stage every wave needs, CI matrices split at the
#                                    CI system's limit, each job's target as its CI environment;
#                                    every plan and every ```yaml block of the docs read by PyYAML
#   the HTML report                  summary card, version distribution and a timeline as inline
#                                    SVG, rendered by headless Chromium and checked by what it shows

load helpers

YAML_CHECK="$BATS_TEST_DIRNAME/../lib/yaml-check.py"
PNG_COLORS="$BATS_TEST_DIRNAME/../lib/png-colors.py"

# Three SQLite regions: eu is the canary, us and ap follow in two waves.
three_regions() {
    write_migration sql V1__base.sql 'CREATE TABLE base (id INT);'
    write_migration sql V2__more.sql 'CREATE TABLE more (id INT);'
    cat >flyway.toml <<EOF
[flyway]
locations = ["filesystem:sql"]

[environments.eu]
url = "jdbc:sqlite:$T/eu.db"

[environments.us]
url = "jdbc:sqlite:$T/us.db"

[environments.ap]
url = "jdbc:sqlite:$T/ap.db"

[fleets.prod]
targets = ["eu", "us", "ap"]
canary = ["eu"]
waves = ["50%", "100%"]
parallel = 2
newDatabases = true
EOF
}

# An inventory of N SQLite tenants named tenant-0001... (databases in ./db); $2 = more lines for
# [fleets.tenants]
tenants() {
    local n=$1 dir=$PWD
    write_migration sql V1__one.sql 'CREATE TABLE one (id INT);'
    write_migration sql V2__two.sql 'CREATE TABLE two (id INT);'
    write_migration sql V3__three.sql 'CREATE TABLE three (id INT);'
    mkdir -p db
    seq -f 'tenant-%04g' 1 "$n" >tenants.csv
    cat >flyway.toml <<EOF
[flyway]
locations = ["filesystem:sql"]

[environments.tenant]
url = "jdbc:sqlite:$dir/db/\${target}.db"

[fleets.tenants]
inventory = "tenants.csv"
template = "tenant"
url = "jdbc:sqlite:$dir/db/\${target}.db"
canary = ["tenant-0001"]
newDatabases = true
$2
EOF
}

# the `run:` of a GitHub job's last step, or the script of a GitLab job
step_of() {
    python3 - "$1" "$2" "$3" <<'PY'
import sys, yaml
kind, path, job = sys.argv[1:]
doc = yaml.safe_load(open(path))
print(doc["jobs"][job]["steps"][-1]["run"] if kind == "github" else doc[job]["script"][0])
PY
}

# run a CI job's command line as the runner would: its shell, fleetway on the PATH, the job's variables
ci_job() {
    local fleet=$1 target=$2 line=$3
    mkdir -p "$T/bin"
    ln -sf "$FW" "$T/bin/fleetway"
    FLEET_NAME=$fleet FLEET_TARGET=$target PATH="$T/bin:$PATH" sh -c "$line"
}

require_chromium() {
    command -v chromium >/dev/null 2>&1 ||
        skip "chromium is not installed (an optional package of scripts/install-deps.sh)"
}

chromium_run() {
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
        --user-data-dir="$T/chromium" "$@" 2>/dev/null
}

# the page as Chromium built it (its DOM after parsing), into FILE.dom
render_dom() {
    chromium_run --dump-dom "file://$1" >"$1.dom"
    [ -s "$1.dom" ]
}

# ------------------------------------------------------------------------------------------ plan

@test "plan -format=github: a workflow whose every wave needs the whole pre-flight, one job per target as its environment" {
    three_regions
    run fw -fleet=prod plan -format=github
    assert_status 0
    printf '%s\n' "$output" >fleet.yml
    run python3 "$YAML_CHECK" github fleet.yml 2
    assert_status 0
    [ "${lines[0]}" = "preflight 1 [3] 2" ]
    [ "${lines[1]}" = "canary 1 [1] 2" ]
    [ "${lines[2]}" = "wave-1 1 [1] 2" ]
    [ "${lines[3]}" = "wave-2 1 [1] 2" ]
    [ "${lines[4]}" = "verify: fleetway -fleet=prod verify" ]
    [ "${#lines[@]}" = 5 ]
    # the jobs' command lines work as the runner runs them: pre-flight, then migrate, of one target
    pre=$(step_of github fleet.yml preflight)
    mig=$(step_of github fleet.yml wave-2)
    run ci_job prod ap "$pre"
    assert_status 0
    assert_output_contains 'Pre-flight passed on all 1 target'
    run ci_job prod ap "$mig"
    assert_status 0
    [ "$(sqlq "jdbc:sqlite:$T/ap.db" "SELECT count(*) FROM flyway_schema_history WHERE success")" = 2 ]
    # planning and ap's jobs touched no other target
    [ ! -e eu.db ] && [ ! -e us.db ]
}

@test "plan -format=gitlab and -format=json: the same stages, each target its job's environment" {
    three_regions
    run fw -fleet=prod plan -format=gitlab
    assert_status 0
    printf '%s\n' "$output" >child.yml
    run python3 "$YAML_CHECK" gitlab child.yml
    assert_status 0
    [ "${lines[0]}" = "preflight 1 [3]" ]
    [ "${lines[1]}" = "canary 1 [1]" ]
    [ "${lines[2]}" = "wave-1 1 [1]" ]
    [ "${lines[3]}" = "wave-2 1 [1]" ]
    [ "${lines[4]}" = "verify: fleetway -fleet=prod verify" ]
    run ci_job prod us "$(step_of gitlab child.yml wave-1)"
    assert_status 0
    [ "$(sqlq "jdbc:sqlite:$T/us.db" "SELECT count(*) FROM flyway_schema_history WHERE success")" = 2 ]

    fw -fleet=prod plan -format=json >plan.json
    run python3 "$YAML_CHECK" json plan.json
    assert_status 0
    [ "${lines[0]}" = "preflight 3" ]
    [ "${lines[1]}" = "canary 1" ]
    [ "${lines[3]}" = "wave-2 1" ]
    # its commands are shell lines that work as printed
    cmd=$(python3 -c 'import json; print(json.load(open("plan.json"))["waves"][0]["jobs"][0]["command"])')
    [ "$cmd" = "fleetway -fleet=prod:eu migrate" ]
    run ci_job prod eu "$cmd"
    assert_status 0
    [ "$(sqlq "jdbc:sqlite:$T/eu.db" "SELECT count(*) FROM flyway_schema_history WHERE success")" = 2 ]
}

@test "plan for 500 tenants: GitHub matrices split at 256, GitLab's at 200, a pause between waves" {
    tenants 500 'waves = ["1%", "10%", "100%"]
parallel = 32
pause = "30s"'
    fw -fleet=tenants plan -format=github >fleet.yml
    run python3 "$YAML_CHECK" github fleet.yml 32
    assert_status 0
    # the last wave is 449 targets: two matrices side by side, sharing the fleet's parallel
    [ "${lines[0]}" = "preflight 2 [250+250] 16+16" ]
    [ "${lines[1]}" = "canary 1 [1] 32" ]
    [ "${lines[2]}" = "wave-1 1 [5] 32" ]
    [ "${lines[3]}" = "wave-2 1 [45] 32" ]
    [ "${lines[4]}" = "wave-3 2 [224+225] 16+16" ]
    [ "${lines[5]}" = "pause-before-wave-1: sleep 30" ]
    [ "${lines[7]}" = "pause-before-wave-3: sleep 30" ]
    [ "${lines[8]}" = "verify: fleetway -fleet=tenants verify" ]
    fw -fleet=tenants plan -format=gitlab >child.yml
    run python3 "$YAML_CHECK" gitlab child.yml
    assert_status 0
    [ "${lines[0]}" = "preflight 3 [166+167+167]" ]
    [ "${lines[1]}" = "canary 1 [1]" ]
    [ "${lines[2]}" = "wave-1 1 [5] delayed 30 seconds" ]
    [ "${lines[4]}" = "wave-3 3 [149+150+150] delayed 30 seconds" ]
    fw -fleet=tenants plan -format=json >plan.json
    run python3 "$YAML_CHECK" json plan.json
    assert_status 0
    [ "${lines[0]}" = "preflight 500" ]
    [ "${lines[4]}" = "wave-3 449 paused" ]
    # a fleet of 1 at a time runs the parts of a split stage one after another
    sed -i 's/^parallel = 32$/parallel = 1/' flyway.toml
    fw -fleet=tenants plan -format=github >narrow.yml
    run python3 "$YAML_CHECK" github narrow.yml 1
    assert_status 0
    [ "${lines[0]}" = "preflight 2 [250+250] 1+1 chained" ]
    [ "${lines[4]}" = "wave-3 2 [224+225] 1+1 chained" ]
    # planning connects nowhere
    [ -z "$(ls db)" ]
}

@test "a target's pre-flight job fails on its wrong password, before any wave changes anything" {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'
    T1=$(pg_url t1) T2=$(pg_url t2)
    for u in "$T1" "$T2"; do sqlq "$u" "ALTER DATABASE \"${u##*/}\" OWNER TO $FW_SECRET_USER"; done
    printf 'name,url,user,password\ntenant-1,%s,%s,${env.T1_PASSWORD}\ntenant-2,%s,%s,${env.T2_PASSWORD}\n' \
        "$T1" "$FW_SECRET_USER" "$T2" "$FW_SECRET_USER" >tenants.csv
    printf '[flyway]\nlocations = ["filesystem:sql"]\n[fleets.tenants]\ninventory = "tenants.csv"\ncanary = ["tenant-1"]\n' \
        >flyway.toml
    export T1_PASSWORD=$FW_SECRET_PASSWORD T2_PASSWORD=wrong-password-2
    fw -fleet=tenants plan -format=github >fleet.yml
    pre=$(step_of github fleet.yml preflight)
    run ci_job tenants tenant-1 "$pre"
    assert_status 0
    run ci_job tenants tenant-2 "$pre"
    assert_status 1
    assert_output_contains "| tenant-2 | connection: "
    # the canary's job needs every pre-flight job: nothing ran anywhere
    run python3 -c 'import yaml; print(yaml.safe_load(open("fleet.yml"))["jobs"]["canary"]["needs"])'
    [ "$output" = "['preflight']" ]
    for u in "$T1" "$T2"; do
        [ "$(sqlq "$u" "SELECT count(*) FROM pg_tables WHERE tablename = 'flyway_schema_history'")" = 0 ]
    done
    assert_no_secret "$FW_SECRET_PASSWORD"
}

@test "plan refuses a target its CI cannot name, and an unknown format" {
    three_regions
    printf '[environments."eu west"]\nurl = "jdbc:sqlite:%s/x.db"\n[fleets.odd]\ntargets = ["eu west"]\n' "$T" >>flyway.toml
    run fw -fleet=odd plan -format=github
    assert_status 2
    assert_output_contains "fleet 'odd': target 'eu west' cannot name a CI job and its environment"
    assert_output_contains "letters, digits"
    run fw -fleet=prod plan -format=yaml
    assert_status 2
    assert_output_contains "unknown plan format 'yaml'"
}

@test "every yaml block of the docs and README parses; the plans in docs/fleet.md are what plan prints" {
    run python3 "$YAML_CHECK" docs "$REPO"/README.md "$REPO"/docs/*.md
    assert_status 0
    assert_output_contains "docs/fleet.md: 3 yaml blocks"
    # the documented plans are excerpts of the three-region fleet's (comments aside)
    three_regions
    fw -fleet=prod plan -format=github >fleet.yml
    fw -fleet=prod plan -format=gitlab >child.yml
    run python3 "$YAML_CHECK" excerpt "$REPO/docs/fleet.md" 1 fleet.yml
    assert_status 0
    run python3 "$YAML_CHECK" excerpt "$REPO/docs/fleet.md" 3 child.yml
    assert_status 0
    # and the check can fail: a plan whose canary job came before its pre-flight is not the documented one
    python3 - <<'PY'
t = open("fleet.yml").read()
a, b, c = t.index("  preflight:\n"), t.index("  canary:\n"), t.index("  wave-1:\n")
open("shuffled.yml", "w").write(t[:a] + t[b:c] + t[a:b] + t[c:])
PY
    run python3 "$YAML_CHECK" excerpt "$REPO/docs/fleet.md" 1 shuffled.yml
    assert_status 1
}

# ---------------------------------------------------------------------------------------- report

# the report's JSON as "key=value" lines for the invocation
invocation() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["invocation"]
for k in ("user", "host", "commandLine", "gitCommit", "gitBranch"): print("%s=%s" % (k, d.get(k, "-")))' "$1"
}

@test "the summary card: who ran it where, the command line with secrets hidden, the commit" {
    command -v git >/dev/null || skip "git is not installed"
    mkdir proj && cd proj
    tenants 3 'password = "${env.TENANT_PW}"'
    export TENANT_PW=tenant-s3cret-pw
    git init -q -b main . && git add -A && git -c user.name=t -c user.email=t@example.com commit -qm one
    head=$(git rev-parse HEAD)
    run fw -fleet=tenants migrate -placeholders.api_token=cli-s3cret-pw '-placeholders.link=https://bob:url-s3cret-pw@example.com/x' \
        "-placeholders.note=$TENANT_PW"
    assert_status 0
    run invocation fleet-report.json
    [ "${lines[0]}" = "user=$(id -un)" ]
    [ "${lines[1]}" = "host=$(hostname)" ]
    [ "${lines[2]}" = "commandLine=fleetway -fleet=tenants migrate '-placeholders.api_token=***' '-placeholders.link=https://bob:***@example.com/x' '-placeholders.note=***'" ]
    [ "${lines[3]}" = "gitCommit=$head" ]
    [ "${lines[4]}" = "gitBranch=main" ]
    for s in cli-s3cret-pw url-s3cret-pw "$TENANT_PW"; do assert_no_secret "$s"; done
    # packed refs, then a detached HEAD: the same commit, read without running git
    git pack-refs --all
    [ ! -e .git/refs/heads/main ]
    fw -fleet=tenants verify >/dev/null
    run invocation fleet-report.json
    [ "${lines[3]}" = "gitCommit=$head" ] && [ "${lines[4]}" = "gitBranch=main" ]
    git checkout -q --detach
    fw -fleet=tenants verify >/dev/null
    run invocation fleet-report.json
    [ "${lines[3]}" = "gitCommit=$head" ] && [ "${lines[4]}" = "gitBranch=-" ]
    # a linked work tree (.git is a file there) on its own branch and commit
    git worktree add -q ../linked -b feature
    cd ../linked
    git -c user.name=t -c user.email=t@example.com commit -q --allow-empty -m two
    fw -fleet=tenants verify >/dev/null
    run invocation fleet-report.json
    [ "${lines[3]}" = "gitCommit=$(git rev-parse HEAD)" ] && [ "${lines[4]}" = "gitBranch=feature" ]
    [ "$(git rev-parse HEAD)" != "$head" ]
    # outside any work tree there is no commit to tell
    mkdir ../plain && cp -r flyway.toml tenants.csv sql ../plain/ && cd ../plain
    if ! git rev-parse --git-dir >/dev/null 2>&1; then
        fw -fleet=tenants verify >/dev/null
        run invocation fleet-report.json
        [ "${lines[3]}" = "gitCommit=-" ]
    fi
}

@test "the report's page shows the summary card, the versions and a timeline bar per target (Chromium)" {
    require_chromium
    command -v git >/dev/null || skip "git is not installed"
    three_regions
    git init -q -b main . && git add flyway.toml sql && git -c user.name=t -c user.email=t@example.com commit -qm one
    run fw -environment=us migrate -target=1
    assert_status 0
    run fw -fleet=prod migrate -placeholders.api_token=page-s3cret
    assert_status 0
    grep -q 'https\?://' fleet-report.html && { echo "the page names a network resource" >&2; false; }
    grep -qi '<script' fleet-report.html && { echo "the page has a script" >&2; false; }
    render_dom "$T/fleet-report.html"
    python3 - "$T/fleet-report.html.dom" "$(id -un)" "$(hostname)" "$(git rev-parse HEAD)" <<'PY'
import html, re, sys
dom, user, host, commit = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3], sys.argv[4]
def text(id_):
    m = re.search(r'id="%s"[^>]*>(.*?)</dd>' % id_, dom, re.S)
    assert m, "no #" + id_
    return re.sub(r"<[^>]+>", "", m.group(1))
# the card comes first and says what happened, to how many, by whom, how, from which commit
assert dom.index('id="summary"') < dom.index('id="versions"') < dom.index('id="timeline"')
assert 'id="outcome" class="outcome-success">success<' in dom
head = re.search(r'id="headline">(.*?)</p>', dom).group(1)
assert re.sub(r"<[^>]+>", "", head) == "All 3 targets on version 2.", head
assert text("ran-by") == "%s on %s" % (user, host), text("ran-by")
assert text("command-line") == "fleetway -fleet=prod migrate '-placeholders.api_token=***'", text("command-line")
assert 'title="%s"' % commit in dom and text("git-commit") == commit[:12] + " on branch main"
assert "every target is on version 2" in text("verify")
# versions before and after: us was on 1, the others empty; all on 2 after
rows = re.findall(r'<g class="dist" data-version="([^"]*)">(.*?)</g>', dom, re.S)
counts = {html.unescape(v): dict(re.findall(r'<rect class="(before|after)" data-count="(\d+)"', body)) for v, body in rows}
assert counts == {"<< Empty Schema >>": {"before": "2", "after": "0"},
                  "1": {"before": "1", "after": "0"},
                  "2": {"before": "0", "after": "3"}}, counts
# the timeline: one bar per target, in its wave's group, coloured by its outcome
svg = re.search(r'<svg id="timeline".*?</svg>', dom, re.S).group(0)
waves = re.findall(r'<g class="wave" data-wave="([^"]*)">(.*?)</g>', svg, re.S)
assert [w for w, _ in waves] == ["canary", "wave 1 (50%)", "wave 2 (100%)"], waves
for (w, body), name in zip(waves, ["eu", "us", "ap"]):
    bars = re.findall(r'<rect class="s-(\w[\w-]*)"[^>]*><title>([^<]*)</title>', body)
    assert len(bars) == 1 and bars[0][0] == "migrated" and bars[0][1].startswith(name + ": migrated"), bars
# successful targets folded, still each with its row
assert re.search(r'<details class="group" open=""><summary>.*?1 migrated: 1 \u2192 2', dom, re.S)
PY
    # what a person sees: the bars' green, the blue "after" bars, no red
    chromium_run --window-size=1200,1000 --screenshot="$T/page.png" "file://$T/fleet-report.html" >/dev/null
    run python3 "$PNG_COLORS" page.png '#2e7d32' '#1565c0' '#b0bec5' '#c62828'
    assert_status 0
    read -r w h colours <<<"${lines[0]}"
    [ "$w" = 1200 ] && [ "$h" = 1000 ] && [ "$colours" -gt 100 ]
    [ "${lines[1]#\#2e7d32 }" -gt 500 ]      # timeline bars and the card's success border
    [ "${lines[2]#\#1565c0 }" -gt 2000 ]     # the "after" bar of version 2
    [ "${lines[3]#\#b0bec5 }" -gt 1000 ]     # the "before" bars
    [ "${lines[4]}" = "#c62828 0" ]
    assert_no_secret page-s3cret
}

@test "a halted rollout's page: the failed target in full and red, targets not reached folded" {
    require_chromium
    tenants 8 'waves = ["100%"]
parallel = 1'
    # tenant-0005's second migration fails; one at a time, so 0006-0008 are never reached
    write_migration sql V2__two.sql 'CREATE TABLE two (id INT); ${extra}'
    sed -i 's/^locations = .*/&\n[flyway.placeholders]\nextra = ""/' flyway.toml
    { echo 'name,url,placeholders.extra'; for i in 1 2 3 4 5 6 7 8; do
          [ "$i" = 5 ] && echo "tenant-000$i,,INSERT INTO nope VALUES (1);" || echo "tenant-000$i,,"; done; } >tenants.csv
    run fw -fleet=tenants migrate
    assert_status 4
    run python3 -c 'import json; d=json.load(open("fleet-report.json")); print([t["status"] for t in d["targets"]]); print(d["versions"])'
    [ "${lines[0]}" = "['migrated', 'migrated', 'migrated', 'migrated', 'failed', 'not started', 'not started', 'not started']" ]
    # the targets not started were read by the pre-flight: empty, and nothing changed them
    [ "${lines[1]}" = "[{'label': '<< Empty Schema >>', 'version': None, 'before': 8, 'after': 3}, {'label': '1', 'version': '1', 'before': 0, 'after': 1}, {'label': '3', 'version': '3', 'before': 0, 'after': 4}]" ]
    render_dom "$T/fleet-report.html"
    python3 - "$T/fleet-report.html.dom" <<'PY'
import re, sys
dom = open(sys.argv[1]).read()
assert 'id="outcome" class="outcome-other">halted<' in dom
svg = re.search(r'<svg id="timeline".*?</svg>', dom, re.S).group(0)
bars = re.findall(r'<rect class="s-([\w-]+)"[^>]*><title>([\w-]+):', svg)
assert bars == [("migrated", "tenant-0001")] + [("migrated", "tenant-000%d" % i) for i in (2, 3, 4)] + \
    [("failed", "tenant-0005")], bars
assert "7 targets, 3 not started" in svg
# the failed target in full, with its error; those not reached folded, by name only
row = re.search(r'<tr class="failed" data-target="tenant-0005">(.*?)</tr>', dom, re.S).group(1)
assert "no such table: nope" in row, row
group = re.search(r'<details class="group"[^>]*><summary><span class="sw s-not-started"></span>3 not started at &lt;&lt; Empty Schema &gt;&gt;</summary>(.*?)</details>', dom, re.S)
assert group and re.findall(r'<span class="t">([\w-]+)</span>', group.group(1)) == ["tenant-0006", "tenant-0007", "tenant-0008"]
assert 'data-version="unknown"' not in dom
PY
    chromium_run --window-size=1200,1000 --screenshot="$T/page.png" "file://$T/fleet-report.html" >/dev/null
    run python3 "$PNG_COLORS" page.png '#c62828'
    assert_status 0
    [ "${lines[1]#\#c62828 }" -gt 200 ]       # the failed bar and the card's border
}

@test "a 1,000-target report stays under 300 KB and readable: a bar per target, rows shared as the workers did" {
    require_chromium
    tenants 1000 'waves = ["1%", "10%", "100%"]
parallel = 32'
    run fw -fleet=tenants migrate
    assert_status 0
    size=$(wc -c <fleet-report.html)
    echo "# 1,000-target report: $size bytes of HTML" >&3
    [ "$size" -lt $((300 * 1024)) ]
    render_dom "$T/fleet-report.html"
    python3 - "$T/fleet-report.html.dom" <<'PY'
import re, sys
dom = open(sys.argv[1]).read()
assert re.sub(r"<[^>]+>", "", re.search(r'id="headline">(.*?)</p>', dom).group(1)) == "All 1000 targets on version 3."
svg = re.search(r'<svg id="timeline".*?</svg>', dom, re.S).group(0)
names = re.findall(r'<rect class="s-migrated"[^>]*><title>(tenant-\d+):', svg)
assert sorted(names) == ["tenant-%04d" % i for i in range(1, 1001)], len(names)
# the big waves take as many rows as ran at once (32, give or take a rounding), not one per target
rows = [int(n) for n in re.findall(r"targets on (\d+) rows", svg)]
assert len(rows) == 2 and all(30 <= n <= 36 for n in rows), rows
# successful targets folded and listed compactly; their logs only while the budget lasts
assert len(re.findall(r'<span class="t">tenant-\d+ <small>', dom)) == 989
assert re.search(r'id="logs-left-out">The logs of \d+ more successful targets are in the JSON report', dom)
PY
    chromium_run --window-size=1200,1000 --screenshot="$T/page.png" "file://$T/fleet-report.html" >/dev/null
    run python3 "$PNG_COLORS" page.png '#2e7d32'
    assert_status 0
    [ "${lines[1]#\#2e7d32 }" -gt 5000 ]      # the bars of 1,000 targets
}
