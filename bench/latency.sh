#!/bin/bash
# Round trips under latency (issue 3): N migrations through a 50 ms round-trip relay,
# fleetway migrate (one round trip per migration, pipeline mode) against `psql -f` on the
# same SQL with the same per-migration transactions (psql waits for every statement).
#   bench/latency.sh [N] [RTT_MS]     defaults 100 and 50
# Everything stays on 127.0.0.1: a throw-away PostgreSQL and bench/relay.py in front of it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-100} RTT=${2:-50}
. "$top/tests/lib/servers.sh"
w=$(mktemp -d)
cleanup() { [ -n "${relay:-}" ] && kill "$relay" 2>/dev/null; fw_stop_servers; rm -rf "$w"; }
trap cleanup EXIT
FW_PG_DURABLE=1 fw_start_pg || exit 1
rport=$(fw_free_port)
python3 "$top/bench/relay.py" "$rport" "$FW_TEST_PG_PORT" "$(python3 -c "print($RTT/2)")" &
relay=$!
sleep 1
. "$top/bench/tiny-migrations.sh"
tiny_migrations "$w" "$N"
P="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres"
$P -p "$FW_TEST_PG_PORT" -c "create database lat_fw" -c "create database lat_raw" >/dev/null || exit 1
now() { date +%s.%N; }
t0=$(now); $P -p "$rport" -d lat_raw -f "$w/all.sql" >/dev/null || exit 1; t1=$(now)
raw=$(python3 -c "print(f'{$t1-$t0:.2f}')")
t0=$(now); "$top/fleetway" -url="jdbc:postgresql://127.0.0.1:$rport/lat_fw" -user=postgres \
  -locations="filesystem:$w/sql" -q migrate || exit 1; t1=$(now)
fw=$(python3 -c "print(f'{$t1-$t0:.2f}')")
echo "N=$N, ${RTT} ms round trip (delaying relay on loopback)"
echo "apply  postgresql  fleetway ${fw}s  psql -f ${raw}s  fleetway/psql $(python3 -c "print(f'{$fw/$raw:.2f}')")  (goal: well under 0.5)"
