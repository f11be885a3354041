#!/usr/bin/env bash
# bench/fleet-mem.sh: the memory of a large inventory fleet. N SQLite tenants (default 10,000), each
# with M migrations applied (default 20), listed in an inventory file; `-fleet=X info` and a no-op
# `-fleet=X migrate` run on all of them, and on a tenth of them, under /usr/bin/time: the peak RSS,
# and what each added target costs (the difference over the 9N/10 targets more).
#
#   bench/fleet-mem.sh [PATH/TO/fleetway]          (default: ./fleetway)
#
# Environment: N, M, PARALLEL (default 16), LIMIT_MB (default 256: the peak RSS the N-target runs
# must stay under; exit status 1 above it), KEEP=1 keeps the work directory.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
FW=${1:-$REPO/fleetway}
case $FW in /*) ;; *) FW=$PWD/$FW ;; esac
N=${N:-10000}
M=${M:-20}
PARALLEL=${PARALLEL:-16}
LIMIT_MB=${LIMIT_MB:-256}
W=$(mktemp -d "${TMPDIR:-/tmp}/fw-mem.XXXXXX")

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$FW" ] || die "no fleetway binary at $FW (run make, or pass its path)"
[ -x /usr/bin/time ] || die "needs /usr/bin/time (Debian: apt-get install time)"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT

mkdir -p "$W/sql" "$W/db"
for i in $(seq 1 "$M"); do
    printf 'CREATE TABLE t%s (id INT PRIMARY KEY, name TEXT NOT NULL);\n' "$i" >"$W/sql/V${i}__table_$i.sql"
done
(cd "$W" && "$FW" -q -url="jdbc:sqlite:$W/tmpl.db" -locations="filesystem:$W/sql" migrate) ||
    die "could not migrate the template"
echo "bench: making $N SQLite files with $M migrations applied ..." >&2
seq -f "t%05g" 1 "$N" >"$W/all.csv"
head -n $((N / 10)) "$W/all.csv" >"$W/tenth.csv"
while read -r t; do cp "$W/tmpl.db" "$W/db/$t.db"; done <"$W/all.csv"

for f in all tenth; do
    cat >>"$W/flyway.toml" <<TOML
[fleets.$f]
inventory = "$f.csv"
template = "tenant"
url = "jdbc:sqlite:$W/db/\${target}.db"
waves = ["10%", "100%"]
parallel = $PARALLEL

TOML
done
cat >>"$W/flyway.toml" <<TOML
[flyway]
locations = ["filesystem:$W/sql"]

[environments.tenant]
TOML

peak() { # $1 = fleet, $2... = command: prints the peak RSS in KiB
    local fleet=$1
    shift
    (cd "$W" && /usr/bin/time -v "$FW" -q -fleet="$fleet" -reportFilename="$W/report-$fleet" "$@" \
        >"$W/out-$fleet.log" 2>"$W/time-$fleet.log") ||
        { tail -20 "$W/time-$fleet.log" >&2; die "fleet $fleet $* failed"; }
    sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time-$fleet.log"
}
wall() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$W/time-$1.log"; }

fail=0
echo
echo "fleet memory: SQLite inventory fleets, $M migrations each, parallel $PARALLEL (fleetway $("$FW" --version | awk '{print $2}'))"
for cmd in info migrate; do
    small=$(peak tenth "$cmd") ws=$(wall tenth)
    big=$(peak all "$cmd") wb=$(wall all)
    per=$(python3 -c "print(f'{($big - $small) * 1024 / ($N - $N // 10):.0f}')")
    printf '  %-8s %6s targets: peak RSS %6s KiB (%s)   %6s targets: %6s KiB (%s)   each added target: %s bytes\n' \
        "$cmd" "$((N / 10))" "$small" "$ws" "$N" "$big" "$wb" "$per"
    [ "$big" -lt $((LIMIT_MB * 1024)) ] || { echo "FAIL: $cmd on $N targets peaks at $big KiB >= $LIMIT_MB MiB" >&2; fail=1; }
done
exit $fail
