#!/usr/bin/env bash
# bench/fleet-noop.sh: the no-op rollout at scale. 1,000 tenants already up to date: what does
# `fleetway -fleet=X migrate` cost, against the shell loop and against the floor of one new
# connection per target?
#
#   bench/fleet-noop.sh [PATH/TO/fleetway]          (default: ./fleetway)
#
# Made first: N PostgreSQL databases (default 1,000) on a private server, each with M migrations
# applied (default 20; copies of one migrated database), and N SQLite files likewise. Then, in one
# run, side by side:
#   pgbench -C    N new connections (PARALLEL clients, one SELECT 1 each): one connection per target
#   floor         N new connections, each to its own target's database, reading the history table
#                 (bench/connect-floor.c): what any tool must do at least per target. pgbench -C
#                 reconnects to one database whose catalogs every new backend finds warm; a fleet's
#                 targets are N databases, and the history read is a cold backend's catalog reads
#   loop          for each target: fleetway -url=... info validate migrate
#   fleet         fleetway -fleet=tenants migrate   (pre-flight, canary, waves, verification)
# for PostgreSQL and for the SQLite files, then the PostgreSQL fleet again with every round trip
# LATENCY_MS (default 50) longer, as when the tenants' server is in another region. Goals:
#   PostgreSQL fleet <= 1.3x pgbench -C;  SQLite fleet <= 0.5 s;  with +50 ms, fleet <= 15 s.
# The floor's ratio says what fleetway adds over the work itself.
#
# Everything runs inside a network namespace the script creates (root needed; bench/netns-pg.sh).
# Environment: N, M, PARALLEL (the fleet's parallel and pgbench's clients, default 16), REPEAT
# (rounds without latency, default 3, the order alternating; medians count), LATENCY_MS (0 skips
# the latency run), LATENCY_REPEAT (rounds with latency, default 1; medians count), SKIP_LOOP=1
# (no shell loops: they take most of the time), BENCH_FSYNC (on|off, default on), KEEP=1 keeps the
# work directory, COMPARE=PATH/TO/other/fleetway (a before/after comparison: that binary's fleet
# is timed too, right after this one's, in every round with and without latency).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
FW=${1:-$REPO/fleetway}
case $FW in /*) ;; *) FW=$PWD/$FW ;; esac
N=${N:-1000}
M=${M:-20}
PARALLEL=${PARALLEL:-16}
REPEAT=${REPEAT:-3}
LATENCY_MS=${LATENCY_MS:-50}
LATENCY_REPEAT=${LATENCY_REPEAT:-1}
COMPARE=${COMPARE:-}
SKIP_LOOP=${SKIP_LOOP:-0}
BENCH_FSYNC=${BENCH_FSYNC:-on}
W=$(mktemp -d "${TMPDIR:-/tmp}/fw-noop.XXXXXX")
chmod 755 "$W"

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$FW" ] || die "no fleetway binary at $FW (run make, or pass its path)"
[ -z "$COMPARE" ] || [ -x "$COMPARE" ] || die "COMPARE=$COMPARE is not an executable"
# shellcheck source=bench/netns-pg.sh
. "$REPO/bench/netns-pg.sh"
ns_start

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{$(now) - $1:.2f}')"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
names() { seq -f "t%04g" 1 "$N"; }

# ---------------------------------------------------------------- the project and its databases

mkdir -p "$W/sql" "$W/sqlite"
for i in $(seq 1 "$M"); do
    cat >"$W/sql/V${i}__table_$i.sql" <<SQL
CREATE TABLE t$i (id INT PRIMARY KEY, name TEXT NOT NULL);
CREATE INDEX t${i}_name ON t$i (name);
SQL
done
names >"$W/tenants.csv"

fleet_table() { # $1 = name, $2 = url template
    printf '\n[fleets.%s]\ninventory = "tenants.csv"\ntemplate = "tenant"\nurl = "%s"\n' "$1" "$2"
    printf 'canary = ["t0001"]\nwaves = ["10%%", "100%%"]\nparallel = %s\n' "$PARALLEL"
}

write_config() { # $1 = the port clients use
    {
        printf '[flyway]\nlocations = ["filesystem:%s/sql"]\n\n[environments.tenant]\nuser = "postgres"\n' "$W"
        fleet_table tenants "jdbc:postgresql://127.0.0.1:$1/\${target}"
        fleet_table files "jdbc:sqlite:$W/sqlite/\${target}.db"
    } >"$W/flyway.toml"
}
write_config "$PGPORT"

echo "bench: making $N PostgreSQL databases and $N SQLite files with $M migrations applied ..." >&2
durability off
psql_ns -c "CREATE DATABASE tmpl" >/dev/null || die "could not create the template database"
(cd "$W" && in_ns "$FW" -q -url="jdbc:postgresql://127.0.0.1:$PGPORT/tmpl" -user=postgres migrate) ||
    die "could not migrate the template database"
sql=''
for t in $(names); do sql+="CREATE DATABASE $t TEMPLATE tmpl;"$'\n'; done
psql_ns <<<"$sql" >/dev/null || die "could not create the databases"
durability "$BENCH_FSYNC"
psql_ns -c "CHECKPOINT" >/dev/null
(cd "$W" && "$FW" -q -url="jdbc:sqlite:$W/tmpl.db" migrate) || die "could not migrate the SQLite template"
for t in $(names); do cp "$W/tmpl.db" "$W/sqlite/$t.db"; done
sync

# ---------------------------------------------------------------- the sides

FLOOR=$W/connect-floor
cc -O2 -Wall -o "$FLOOR" "$REPO/bench/connect-floor.c" -I"$(pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)" \
    -lpq -pthread || die "could not build bench/connect-floor.c (needs libpq-dev)"
# unsorted: a new backend's planning of an ORDER BY costs more than the read (the client can sort)
HISTORY_READ='SELECT installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success FROM "public"."flyway_schema_history"'

# one new connection per target to its own database, reading its history
time_floor() {
    names | in_ns "$FLOOR" "$PARALLEL" "host=127.0.0.1 port=$CLIENT_PORT user=postgres dbname=%s" "$HISTORY_READ" ||
        die "connect-floor failed"
}

# one new connection per target, PARALLEL at a time, each with one SELECT 1
time_pgbench() {
    local t0
    echo 'SELECT 1;' >"$W/select1.sql"
    t0=$(now)
    in_ns "$B/pgbench" -n -C -c "$PARALLEL" -j "$PARALLEL" -t "$(( (N + PARALLEL - 1) / PARALLEL ))" -f "$W/select1.sql" \
        -h 127.0.0.1 -p "$CLIENT_PORT" -U postgres postgres >"$W/pgbench.log" 2>&1 ||
        { cat "$W/pgbench.log" >&2; die "pgbench failed"; }
    since "$t0"
}

time_fleet() { # $1 = fleet name, $2 = the binary (default: the one measured)
    local t0 fw=${2:-$FW}
    t0=$(now)
    (cd "$W" && in_ns "$fw" -fleet="$1" -reportFilename="$W/report-$1" migrate) >"$W/fleet-$1.log" 2>&1 ||
        { tail -30 "$W/fleet-$1.log" >&2; die "fleet $1 migrate failed"; }
    grep -q 'Verification: all' "$W/fleet-$1.log" || { tail -30 "$W/fleet-$1.log" >&2; die "fleet $1 did not verify"; }
    since "$t0"
}

time_loop() { # $1 = url template, %s = the target
    local t0
    t0=$(now)
    in_ns bash -c 'cd "$1" && fw=$2 && tmpl=$3 && shift 3 &&
        for t in "$@"; do
            # shellcheck disable=SC2059
            "$fw" -q -url="$(printf "$tmpl" "$t")" -user=postgres info validate migrate >/dev/null ||
                { echo "loop failed on $t" >&2; exit 1; }
        done' loop "$W" "$FW" "$1" $(names) 2>"$W/loop.log" || { tail -5 "$W/loop.log" >&2; die "the loop failed"; }
    since "$t0"
}

PG_URL="jdbc:postgresql://127.0.0.1:$PGPORT/%s"
SQLITE_URL="jdbc:sqlite:$W/sqlite/%s.db"

# a first pass of each so that no side meets a database's first connection alone
echo "bench: warm-up ..." >&2
time_fleet tenants >/dev/null
time_fleet files >/dev/null

# the other binary of a before/after comparison, timed next to ours
compared=()
time_compare() { [ -z "$COMPARE" ] || compared+=("$(time_fleet tenants "$COMPARE")"); }

pgb=() pgf=() pgl=() sqf=() sql_=() flo=()
for k in $(seq 1 "$REPEAT"); do
    echo "bench: round $k of $REPEAT ..." >&2
    if [ $((k % 2)) = 1 ]; then
        pgb+=("$(time_pgbench)") flo+=("$(time_floor)") pgf+=("$(time_fleet tenants)") sqf+=("$(time_fleet files)")
        time_compare
        [ "$SKIP_LOOP" = 1 ] || { pgl+=("$(time_loop "$PG_URL")") sql_+=("$(time_loop "$SQLITE_URL")"); }
    else
        [ "$SKIP_LOOP" = 1 ] || { sql_+=("$(time_loop "$SQLITE_URL")") pgl+=("$(time_loop "$PG_URL")"); }
        time_compare
        sqf+=("$(time_fleet files)") pgf+=("$(time_fleet tenants)") flo+=("$(time_floor)") pgb+=("$(time_pgbench)")
    fi
done
c0=''
[ -z "$COMPARE" ] || c0=$(median "${compared[@]}")
compared=()
b0=$(median "${pgb[@]}") f0=$(median "${pgf[@]}") s0=$(median "${sqf[@]}") fl0=$(median "${flo[@]}")
[ "$SKIP_LOOP" = 1 ] || { l0=$(median "${pgl[@]}") sl0=$(median "${sql_[@]}"); }
phases=$(python3 -c "import json; d=json.load(open('$W/report-tenants.json')); print(', '.join(f\"{p['name']} {p['durationMs']/1000:.2f} s\" for p in d['phases']))")

if [ "$LATENCY_MS" != 0 ]; then
    ns_add_latency "$LATENCY_MS"
    write_config "$CLIENT_PORT"
    rtt=$(ns_measure_rtt "$CLIENT_PORT")
    echo "bench: latency: $LATENCY_HOW (measured round trip $rtt ms) ..." >&2
    lb=() lfl=() lf=()
    for k in $(seq 1 "$LATENCY_REPEAT"); do
        echo "bench: latency round $k of $LATENCY_REPEAT ..." >&2
        lb+=("$(time_pgbench)") lfl+=("$(time_floor)") lf+=("$(time_fleet tenants)")
        time_compare
    done
    bf=$(median "${lb[@]}") flf=$(median "${lfl[@]}") ff=$(median "${lf[@]}")
    [ -z "$COMPARE" ] || cf=$(median "${compared[@]}")
fi

echo
echo "fleet no-op benchmark: $N targets x $M migrations, parallel $PARALLEL, fsync $BENCH_FSYNC (fleetway $("$FW" --version | awk '{print $2}'); medians of $REPEAT rounds)"
printf '  PostgreSQL   pgbench -C %7ss   fleet %7ss   fleet/pgbench %5sx (goal <= 1.3x)\n' "$b0" "$f0" "$(ratio "$f0" "$b0")"
printf '               floor      %7ss                      fleet/floor   %5sx (one connection per target database, reading its history)\n' "$fl0" "$(ratio "$f0" "$fl0")"
[ "$SKIP_LOOP" = 1 ] || printf '               loop       %7ss                      loop/fleet    %5sx\n' "$l0" "$(ratio "$l0" "$f0")"
echo "               (last fleet run: $phases)"
[ -z "$COMPARE" ] || printf '               compared   %7ss                      this/compared %5sx (COMPARE=%s)\n' "$c0" "$(ratio "$f0" "$c0")" "$COMPARE"
printf '  SQLite                             fleet %7ss                      (goal <= 0.5 s)\n' "$s0"
[ "$SKIP_LOOP" = 1 ] || printf '               loop       %7ss                      loop/fleet    %5sx\n' "$sl0" "$(ratio "$sl0" "$s0")"
if [ "$LATENCY_MS" != 0 ]; then
    printf '  +%s ms       pgbench -C %7ss   fleet %7ss   fleet/pgbench %5sx (goal: fleet <= 15 s)\n' "$LATENCY_MS" "$bf" "$ff" "$(ratio "$ff" "$bf")"
    printf '               floor      %7ss                      fleet/floor   %5sx\n' "$flf" "$(ratio "$ff" "$flf")"
    [ -z "$COMPARE" ] || printf '               compared   %7ss                      this/compared %5sx\n' "$cf" "$(ratio "$ff" "$cf")"
    echo "               ($LATENCY_HOW; measured $rtt ms per round trip; medians of $LATENCY_REPEAT rounds)"
fi
