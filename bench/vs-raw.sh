#!/bin/bash
# fleetway against raw psql / sqlite3 on the same SQL (issue 3's yardstick), side by side in one run.
# Starts a throw-away PostgreSQL with normal durability (fsync on) on a free loopback port, runs
# ../shared/bench/vs-raw.sh against it, and stops it.
#   bench/vs-raw.sh [N]        (default N=1000)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${FW_SHARED_DIR:-$top/../shared}
. "$top/tests/lib/servers.sh"
trap fw_stop_servers EXIT
FW_PG_DURABLE=1 fw_start_pg || exit 1
PGHOST=127.0.0.1 PGPORT=$FW_TEST_PG_PORT PGUSER=postgres bash "$shared/bench/vs-raw.sh" "$top/fleetway" "${1:-1000}"
