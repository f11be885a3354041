#!/bin/bash
# End to end, the memory goal of issue 3: `fleetway migrate` of one huge script of small INSERTs
# (default 1024 MiB) must stay under 64 MiB of resident memory, and apply every row.
#
#   bench/migrate-mem.sh [MEGABYTES] [sqlite|pg]      (default: 1024 sqlite)
#
# pg starts a throw-away PostgreSQL (tests/lib/servers.sh) and stops it afterwards.
# Prints the script size, rows, peak RSS and wall time; exit status 1 when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-1024}
kind=${2:-sqlite}
limit_kb=$((64 * 1024))
fw=$PWD/build/rel/fleetway
[ -x "$fw" ] || make -s
tmp=$(mktemp -d)
cleanup() { [ "$kind" = pg ] && fw_stop_servers; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir "$tmp/sql"
bench/gen-big-insert.sh "$mb" >"$tmp/sql/V1__big.sql"
rows=$(($(wc -l <"$tmp/sql/V1__big.sql") - 2))   # a comment and the CREATE
size=$(wc -c <"$tmp/sql/V1__big.sql")
case $kind in
    sqlite) url="jdbc:sqlite:$tmp/big.db"
            count() { sqlite3 "$tmp/big.db" "SELECT COUNT(*) FROM big"; } ;;
    pg)     . tests/lib/servers.sh
            FW_PG_DURABLE=1 fw_start_pg >/dev/null
            url=$FW_TEST_PG_URL
            count() { psql -X -At -h 127.0.0.1 -p "$FW_TEST_PG_PORT" -U postgres -c "SELECT COUNT(*) FROM big"; } ;;
    *)      echo "usage: $0 [MEGABYTES] [sqlite|pg]" >&2; exit 2 ;;
esac
/usr/bin/time -v "$fw" -url="$url" -locations="filesystem:$tmp/sql" migrate >"$tmp/out" 2>"$tmp/time" ||
    { tail -5 "$tmp/out" "$tmp/time"; exit 1; }
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")
got=$(count)
echo "$kind: script $size bytes, rows $got (want $rows), peak RSS $rss KiB (limit $limit_kb), wall $secs"
[ "$got" = "$rows" ] || { echo "FAIL: wrong row count" >&2; exit 1; }
[ "$rss" -lt "$limit_kb" ] || { echo "FAIL: peak RSS $rss KiB >= $limit_kb KiB" >&2; exit 1; }
echo OK
