#!/bin/bash
# End to end, the memory goals of `fleetway migrate` on huge scripts:
#
#   many    one script of small INSERTs (default 1024 MiB) must stay under 64 MiB of resident
#           memory (issue 3), and apply every row;
#   single  one script holding ONE statement of MEGABYTES (default 100): an INSERT of a single
#           string value that size. fleetway holds the statement once (and hands it over where
#           the driver keeps a copy anyway); the limit is that copy plus what the client library
#           needs on top, plus 64 MiB: SQLite keeps the text and the literal compiled into its
#           program and builds the row from them (peak: 3 copies in all), libpq copies the text
#           into its send buffer and keeps it for error reports (3 in all), libmariadb sends
#           from our copy (1). Measured at 100 MiB: SQLite 313 MiB (was 415), PostgreSQL 316 MiB
#           (was 316: libpq's two copies are its own), MariaDB 109 MiB (was 212).
#
#   bench/migrate-mem.sh [MEGABYTES] [sqlite|pg|mysql] [many|single]     (default: 1024 sqlite many;
#                                                                           single defaults to 100 MiB)
#
# pg and mysql start a throw-away server (tests/lib/servers.sh) and stop it afterwards.
# Prints the script size, rows, peak RSS and wall time; exit status 1 when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${2:-sqlite}
shape=${3:-many}
if [ "$shape" = single ]; then mb=${1:-100}; else mb=${1:-1024}; fi
fw=$PWD/build/rel/fleetway
[ -x "$fw" ] || make -s
tmp=$(mktemp -d)
cleanup() { case $kind in pg|mysql) fw_stop_servers ;; esac; rm -rf "$tmp"; }
trap cleanup EXIT
mkdir "$tmp/sql"
case $shape in
    many)   bench/gen-big-insert.sh "$mb" >"$tmp/sql/V1__big.sql"
            rows=$(($(wc -l <"$tmp/sql/V1__big.sql") - 2))   # a comment and the CREATE
            # the statements are small: a fixed limit
            limit_kb=$((64 * 1024)) ;;
    single) text=TEXT; [ "$kind" = mysql ] && text=LONGTEXT   # MySQL's TEXT holds 64 KiB
            { echo "CREATE TABLE big (id INTEGER PRIMARY KEY, name $text, note TEXT, v REAL);"
              printf "INSERT INTO big (id, name) VALUES (1, '"
              head -c $((mb * 1024 * 1024)) /dev/zero | tr '\0' x
              echo "');"; } >"$tmp/sql/V1__big.sql"
            rows=1
            case $kind in mysql) copies=1 ;; *) copies=3 ;; esac
            limit_kb=$((copies * mb * 1024 + 64 * 1024)) ;;
    *)      echo "usage: $0 [MEGABYTES] [sqlite|pg|mysql] [many|single]" >&2; exit 2 ;;
esac
size=$(wc -c <"$tmp/sql/V1__big.sql")
case $kind in
    sqlite) url="jdbc:sqlite:$tmp/big.db"
            count() { sqlite3 "$tmp/big.db" "SELECT COUNT(*) FROM big"; } ;;
    pg)     . tests/lib/servers.sh
            FW_PG_DURABLE=1 fw_start_pg >/dev/null
            url=$FW_TEST_PG_URL
            count() { psql -X -At -h 127.0.0.1 -p "$FW_TEST_PG_PORT" -U postgres -c "SELECT COUNT(*) FROM big"; } ;;
    mysql)  . tests/lib/servers.sh
            fw_start_mariadb >/dev/null
            url=${FW_TEST_MYSQL_URL%/}/fwbench
            mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" --protocol=tcp -u fleetway -e "CREATE DATABASE fwbench"
            # a statement of MEGABYTES must fit in one packet
            mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" --protocol=tcp -u fleetway \
                -e "SET GLOBAL max_allowed_packet = 1073741824" 2>/dev/null || true
            count() { mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" --protocol=tcp -u fleetway \
                -N -B -D "${url##*/}" -e "SELECT COUNT(*) FROM big"; } ;;
    *)      echo "usage: $0 [MEGABYTES] [sqlite|pg|mysql] [many|single]" >&2; exit 2 ;;
esac
/usr/bin/time -v "$fw" -url="$url" -locations="filesystem:$tmp/sql" migrate >"$tmp/out" 2>"$tmp/time" ||
    { tail -n 5 "$tmp/out"; grep -v "^	" "$tmp/time"; exit 1; }
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")
got=$(count)
echo "$kind $shape: script $size bytes, rows $got (want $rows), peak RSS $rss KiB (limit $limit_kb), wall $secs"
[ "$got" = "$rows" ] || { echo "FAIL: wrong row count" >&2; exit 1; }
[ "$rss" -lt "$limit_kb" ] || { echo "FAIL: peak RSS $rss KiB >= $limit_kb KiB" >&2; exit 1; }
echo OK
