#!/usr/bin/env bash
# bench/fleet.sh: a fleet rollout against the shell loop teams write today, side by side in one run.
#
#   bench/fleet.sh [PATH/TO/fleetway]          (default: ./fleetway)
#
# N target databases (default 100) on one private PostgreSQL, M migrations each (default 20). Measured:
#   loop    for t in ...; do fleetway -environment=$t info validate migrate; done
#   fleet   fleetway -fleet=bench migrate   (pre-flight, canary, waves of 10% and the rest, verify)
# once on plain loopback and once with every round trip LATENCY_MS (default 50) longer, as when each
# target sits in another region. Prints both times and the ratio; goals on this 2-core machine:
# >= 2x without added latency, >= 10x with it.
#
# Everything happens inside a network namespace the script creates and deletes (root needed): the
# PostgreSQL server and the clients talk over that namespace's loopback only. The latency is netem
# on that loopback; where the kernel has no netem, a small delaying TCP relay inside the namespace
# adds it instead (said so in the output). Nothing here contacts any other address.
#
# Environment: N, M, LATENCY_MS (0: skip the latency run), PARALLEL (fleet's parallel, default 50), REPEAT (pairs without
# latency, default 4, alternating which side runs first: the median counts), BENCH_FSYNC (on|off, default on: normal durability),
# KEEP=1 keeps the work directory.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
FW=${1:-$REPO/fleetway}
case $FW in /*) ;; *) FW=$PWD/$FW ;; esac
N=${N:-100}
M=${M:-20}
LATENCY_MS=${LATENCY_MS:-50}
PARALLEL=${PARALLEL:-50}
REPEAT=${REPEAT:-4}
BENCH_FSYNC=${BENCH_FSYNC:-on}
W=$(mktemp -d "${TMPDIR:-/tmp}/fw-bench.XXXXXX")
chmod 755 "$W"

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$FW" ] || die "no fleetway binary at $FW (run make, or pass its path)"
# shellcheck source=bench/netns-pg.sh
. "$REPO/bench/netns-pg.sh"
ns_start

# ---------------------------------------------------------------- the project

mkdir -p "$W/sql"
for i in $(seq 1 "$M"); do
    cat >"$W/sql/V${i}__table_$i.sql" <<SQL
CREATE TABLE t$i (id INT PRIMARY KEY, name TEXT NOT NULL, created TIMESTAMPTZ DEFAULT now());
CREATE INDEX t${i}_name ON t$i (name);
INSERT INTO t$i (id, name) SELECT g, 'row ' || g FROM generate_series(1, 50) g;
SQL
done

# Every comparison gets its own databases (loop: sq<round>_NNN, fleet: fl<round>_NNN), all made
# before either side runs and none dropped until the server is thrown away: dropping thousands of
# files just before a run makes the first side's file creations slower (ext4 skips recently
# deleted inodes), which would flatter whichever side runs second.
ROUND=0
names() { seq -f "$1${ROUND}_%03g" 1 "$N"; }

PORT_USED=''
write_config() { # $1 = port the clients use
    PORT_USED=$1
    {
        printf '[flyway]\nlocations = ["filesystem:%s/sql"]\n\n' "$W"
        for t in $(names sq) $(names fl); do
            printf '[environments.%s]\nurl = "jdbc:postgresql://127.0.0.1:%s/%s"\nuser = "postgres"\n' "$t" "$1" "$t"
        done
        printf '\n[fleets.bench]\ntargets = ["fl%s_*"]\ncanary = ["fl%s_001"]\nwaves = ["10%%", "100%%"]\n' "$ROUND" "$ROUND"
        printf 'parallel = %s\npreflight = ["validate", "pending", "dryrun"]\n' "$PARALLEL"
    } >"$W/flyway.toml"
}

fresh_databases() {
    local t sql=''
    ROUND=$((ROUND + 1))
    write_config "$PORT_USED"
    durability off
    for t in $(names sq) $(names fl); do
        sql+="CREATE DATABASE $t;"$'\n'
    done
    psql_ns <<<"$sql" >/dev/null || die "could not create the databases"
    durability "$BENCH_FSYNC"
    # the databases were made with fsync off: write them out now (checkpoint, then the page
    # cache), or the first side measured shares the disk with that write-back
    psql_ns -c "CHECKPOINT" >/dev/null
    sync
}

now() { date +%s.%N; }

# The loop as a team writes it. It runs inside the namespace as one shell, so that entering the
# namespace is not paid per target. -ignoreMigrationPatterns: validate before migrate fails on
# pending migrations otherwise (Flyway's too).
run_loop() {
    in_ns bash -c 'cd "$1" && shift && fw=$1 && shift &&
        for t in "$@"; do
            "$fw" -environment="$t" "-ignoreMigrationPatterns=*:future,*:pending" info validate migrate ||
                { echo "loop failed on $t" >&2; exit 1; }
        done' loop "$W" "$FW" $(names sq) >"$W/loop.log" 2>&1 || { tail -20 "$W/loop.log"; die "the loop failed"; }
}

run_fleet() {
    (cd "$W" && in_ns "$FW" -fleet=bench migrate) >"$W/fleet.log" 2>&1 ||
        { tail -30 "$W/fleet.log"; die "fleet migrate failed"; }
}

# every target of both runs has all M migrations
check_done() {
    local t bad=0
    for t in $(names sq) $(names fl); do
        [ "$(psql_ns -At -d "$t" -c "SELECT count(*) FROM flyway_schema_history WHERE success AND version IS NOT NULL")" = "$M" ] ||
            { echo "bench: $t is not fully migrated" >&2; bad=1; }
    done
    return $bad
}

time_loop() {
    local t0 t1
    echo "bench: $1: sequential loop over $N targets ..." >&2
    t0=$(now); run_loop; t1=$(now); python3 -c "print(f'{$t1-$t0:.2f}')"
}

time_fleet() {
    local t0 t1
    echo "bench: $1: fleet migrate over $N targets ..." >&2
    t0=$(now); run_fleet; t1=$(now); python3 -c "print(f'{$t1-$t0:.2f}')"
}

# one comparison; prints "loop_s fleet_s". $2 = fleet: the fleet runs first (rounds alternate)
compare() { # $1 = label; call fresh_databases first (not in this subshell: it counts rounds)
    local loop fleet
    if [ "${2:-}" = fleet ]; then
        fleet=$(time_fleet "$1") || exit 1; loop=$(time_loop "$1") || exit 1
    else
        loop=$(time_loop "$1") || exit 1; fleet=$(time_fleet "$1") || exit 1
    fi
    check_done || die "$1: not every target was migrated"
    echo "$loop $fleet"
}

# ---------------------------------------------------------------- latency

add_latency() {
    ns_add_latency "$LATENCY_MS"
    write_config "$CLIENT_PORT"
}

# ---------------------------------------------------------------- main

echo "bench: $N targets x $M migrations, fleet parallel=$PARALLEL, fsync=$BENCH_FSYNC, PostgreSQL on the loopback of namespace $NS" >&2
write_config "$PGPORT"
# Without latency both sides are bound by the two cores the server shares with them, and a run
# varies by a tenth or so: take the median of REPEAT pairs (each pair run back to back, on its own
# databases, the order alternating: loop first, then fleet first, ...).
ratios=() loops=() fleets=()
for k in $(seq 1 "$REPEAT"); do
    first=loop; [ $((k % 2)) = 0 ] && first=fleet
    fresh_databases
    read -r l f <<<"$(compare "no added latency ($k of $REPEAT, $first first)" "$first")" || exit 1
    loops+=("$l") fleets+=("$f") ratios+=("$(python3 -c "print($l/$f)")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
loop0=$(median "${loops[@]}") fleet0=$(median "${fleets[@]}") ratio0=$(median "${ratios[@]}")
if [ "$LATENCY_MS" != 0 ]; then
    add_latency
    rtt=$(ns_measure_rtt "$CLIENT_PORT")
    echo "bench: latency: $LATENCY_HOW (measured round trip ${rtt} ms)" >&2
    fresh_databases
    read -r loop1 fleet1 <<<"$(compare "+${LATENCY_MS}ms round trip")" || exit 1
fi

ratio() { python3 -c "print(f'{$1/$2:.1f}')"; }
echo
echo "fleet benchmark: $N PostgreSQL targets x $M migrations (fleetway $("$FW" --version | awk '{print $2}'))"
printf '  %-26s loop %8ss   fleet %7ss   ratio %5sx  (goal >= 2x; medians of %s runs, ratios %s)\n' \
    "no added latency" "$loop0" "$fleet0" "$(python3 -c "print(f'{$ratio0:.1f}')")" "$REPEAT" \
    "$(printf '%s\n' "${ratios[@]}" | python3 -c "import sys; print(' '.join(f'{float(x):.2f}' for x in sys.stdin))")"
[ "$LATENCY_MS" != 0 ] || exit 0
printf '  %-26s loop %8ss   fleet %7ss   ratio %5sx  (goal >= 10x)\n' "+${LATENCY_MS} ms per round trip" "$loop1" "$fleet1" "$(ratio "$loop1" "$fleet1")"
echo "  (latency: $LATENCY_HOW; measured ${rtt} ms per round trip)"
