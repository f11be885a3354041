#!/bin/bash
# Fleet drift speed (issue "See the schema itself", item 7): the drift check of TARGETS databases
# that share one history must take at most 3x the time of reading their TARGETS live models: the
# expected state is built once (one replay on one scratch database), not once per target.
#
#   bench/drift.sh [TARGETS] [TABLES] [ROUNDS]     (defaults 100, 50 and 3)
#
# Starts a throw-away PostgreSQL (tests/lib/servers.sh); writes 5 migrations that make TABLES tables
# (identity keys, unique and check constraints, foreign keys, two indexes each, comments) with views,
# functions and triggers; migrates one database and copies it TARGETS times (CREATE DATABASE ...
# TEMPLATE: each copy has the schema and the history). A fleet of the copies with
# preflight = ["drift"], parallel 8. Then, ROUNDS times, alternating which runs first:
#   live    fleetway -fleet=bench check -drift -deployedSnapshot=snap.json
#           every target connects, reads its history and its live model, and compares it with a
#           snapshot file loaded once: the cost of reading the TARGETS live models
#   drift   fleetway -fleet=bench check -drift
#           the same, but the expected state is the targets' applied migrations replayed on a
#           scratch database
# Prints every round, the medians and their ratio, and how many replays one drift run made (from
# its -X output); exit status 1 when the ratio is over 3 or the run replayed more than once.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
N=${1:-100} TABLES=${2:-50} ROUNDS=${3:-3}
FW=$top/build/rel/fleetway
make -s build/rel/fleetway
. "$top/tests/lib/servers.sh"
w=$(mktemp -d)
trap 'fw_stop_servers; rm -rf "$w"' EXIT
fw_start_pg >/dev/null || exit 1
P="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $FW_TEST_PG_PORT -U postgres"
url() { echo "jdbc:postgresql://127.0.0.1:$FW_TEST_PG_PORT/$1"; }

# the migrations: TABLES tables over 5 files, then views, functions and triggers
mkdir "$w/sql"
awk -v n="$TABLES" -v dir="$w/sql" 'BEGIN {
    per = int((n + 4) / 5)
    for (i = 1; i <= n; i++) {
        f = sprintf("%s/V%d__tables.sql", dir, int((i - 1) / per) + 1)
        printf "CREATE TABLE t%d (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,", i >> f
        printf " name text NOT NULL UNIQUE, amount numeric(10,2) CHECK (amount >= 0),", i >> f
        printf " created timestamptz NOT NULL DEFAULT now()" >> f
        if (i > 1) printf ", prev_id bigint REFERENCES t%d(id) ON DELETE SET NULL", i - 1 >> f
        print ");" >> f
        printf "CREATE INDEX t%d_created ON t%d (created);\n", i, i >> f
        printf "CREATE INDEX t%d_big ON t%d (amount) WHERE amount > 100;\n", i, i >> f
        printf "COMMENT ON TABLE t%d IS '\''table %d'\'';\n", i, i >> f
    }
    f = dir "/V6__code.sql"
    print "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;" >> f
    for (i = 10; i <= n; i += 10) {
        printf "CREATE VIEW v%d AS SELECT a.id, a.name, b.amount FROM t%d a JOIN t%d b ON b.id = a.id WHERE b.amount > 0;\n", i, i, i - 1 >> f
        printf "CREATE FUNCTION f%d(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ select x + %d $$;\n", i, i >> f
        printf "CREATE TRIGGER t%d_touch BEFORE UPDATE ON t%d FOR EACH ROW EXECUTE FUNCTION touch();\n", i, i >> f
    }
}'

# one database migrated, copied N times (a copy keeps the schema and the history)
$P -d postgres -c "CREATE DATABASE seed" >/dev/null
"$FW" -url="$(url seed)" -user=postgres -locations="filesystem:$w/sql" migrate >/dev/null
{
    echo '[flyway]'
    echo "locations = [\"filesystem:$w/sql\"]"
    for i in $(seq 1 "$N"); do
        $P -d postgres -c "CREATE DATABASE t$i TEMPLATE seed" >/dev/null
        printf '[environments.t%d]\nurl = "%s"\nuser = "postgres"\n' "$i" "$(url "t$i")"
    done
    echo '[fleets.bench]'
    echo 'targets = ["t*"]'
    echo 'preflight = ["drift"]'
    echo 'parallel = 8'
} >"$w/flyway.toml"
cd "$w"
"$FW" -url="$(url seed)" -user=postgres snapshot -snapshot.filename="$w/snap.json" >/dev/null
objects=$(python3 -c 'import json; print(sum(len(s["objects"]) for s in json.load(open("snap.json"))["schemas"]))')

# one drift run with -X: how many expected states were built
replays=$("$FW" -fleet=bench check -drift -X 2>&1 | grep -c 'building the expected state' || true)

ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
live=() drift=()
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
        l=$(ms "$FW" -fleet=bench check -drift -deployedSnapshot="$w/snap.json")
        d=$(ms "$FW" -fleet=bench check -drift)
    else
        d=$(ms "$FW" -fleet=bench check -drift)
        l=$(ms "$FW" -fleet=bench check -drift -deployedSnapshot="$w/snap.json")
    fi
    echo "round $r: live models $l ms, drift $d ms"
    live+=("$l") drift+=("$d")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ml=$(median "${live[@]}") md=$(median "${drift[@]}")
ratio=$(awk -v a="$md" -v b="$ml" 'BEGIN { printf "%.2f", a / b }')
echo "drift  postgresql  $N targets of one history, $TABLES tables ($objects objects) each: reading the live" \
     "models $ml ms, drift $md ms (median of $ROUNDS), ratio ${ratio}x, $replays replay(s)" \
     "(load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores; goal <= 3x, 1 replay)"
[ "$replays" = 1 ] || { echo "FAIL: $replays replays for one history" >&2; exit 1; }
awk -v r="$ratio" 'BEGIN { exit !(r <= 3) }' || { echo "FAIL: over 3x" >&2; exit 1; }
echo OK
