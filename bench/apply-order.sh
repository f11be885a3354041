#!/bin/bash
# Apply ratio on PostgreSQL with the order effect taken out (issue 3).
#
# ../shared/bench/vs-raw.sh (run by bench/vs-raw.sh) always runs psql first and fleetway second,
# each on a database created just before. On this VM the first writer after CREATE DATABASE can pay
# for the checkpoint's write-back, so one order can flatter either side. Here every round gets two
# fresh databases and a CHECKPOINT, and the rounds alternate who goes first; the median of the
# per-round ratios is the figure. The server is thrown away at the end, with its databases.
#   bench/apply-order.sh [N] [ROUNDS]      defaults 1000 and 6
# A throw-away PostgreSQL with normal durability (fsync on), on loopback.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-1000} ROUNDS=${2:-6}
. "$top/tests/lib/servers.sh"
w=$(mktemp -d)
trap 'fw_stop_servers; rm -rf "$w"' EXIT
FW_PG_DURABLE=1 fw_start_pg || exit 1
P="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $FW_TEST_PG_PORT -U postgres"
export PGOPTIONS="-c client_min_messages=warning"
. "$top/bench/tiny-migrations.sh"
tiny_migrations "$w" "$N"

now() { date +%s.%N; }
run_raw() { $P -d "ap_raw_$r" -f "$w/all.sql" >/dev/null; }
run_fw() {
  "$top/fleetway" -url="jdbc:postgresql://127.0.0.1:$FW_TEST_PG_PORT/ap_fw_$r" -user=postgres \
    -locations="filesystem:$w/sql" -q migrate
}
timed() { local t0 t1; t0=$(now); "$@" || exit 1; t1=$(now); python3 -c "print(f'{$t1-$t0:.3f}')"; }

ratios=()
echo "N=$N, $ROUNDS rounds, PostgreSQL $($P -At -c 'show server_version') with fsync=$($P -At -c 'show fsync')"
for r in $(seq 1 "$ROUNDS"); do
  # new names every round: dropping the last round's databases here would leave thousands of
  # just-deleted files, and the first writer's file creations would pay for them (ext4)
  $P -c "create database ap_fw_$r" -c "create database ap_raw_$r" -c "checkpoint" >/dev/null || exit 1
  if [ $((r % 2)) = 1 ]; then
    raw=$(timed run_raw); fw=$(timed run_fw); first=psql
  else
    fw=$(timed run_fw); raw=$(timed run_raw); first=fleetway
  fi
  ratio=$(python3 -c "print(f'{$fw/$raw:.2f}')")
  ratios+=("$ratio")
  echo "round $r ($first first): fleetway ${fw}s  psql ${raw}s  ratio $ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "apply  postgresql  median fleetway/psql $median over $ROUNDS rounds, order alternating  (goal <= 1.05)"
