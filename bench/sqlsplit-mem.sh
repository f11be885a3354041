#!/bin/sh
# Check that the statement splitter streams: split a ~200 MB script of small
# INSERTs and require the peak RSS to stay under 64 MiB and the statement
# count to be right.  Usage: bench/sqlsplit-mem.sh [MEGABYTES]  (default 200)
# Builds build/rel/sqlsplit-count from tools/sqlsplit-count.c.
set -eu
cd "$(dirname "$0")/.."
mb=${1:-200}
limit_kb=$((64 * 1024))
tool=build/rel/sqlsplit-count

make -s build/rel/libfleetway.a build/rel/tools/sqlsplit-count.o
cc -o "$tool" build/rel/tools/sqlsplit-count.o build/rel/libfleetway.a -lm

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bench/gen-big-insert.sh "$mb" >"$tmp/big.sql"
want=$(($(wc -l <"$tmp/big.sql") - 1))   # the first line is a comment of the CREATE
size=$(wc -c <"$tmp/big.sql")

/usr/bin/time -v "$tool" sqlite "$tmp/big.sql" >"$tmp/out" 2>"$tmp/time"
got=$(cat "$tmp/out")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time")
secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$tmp/time")
echo "script: $size bytes, statements: $got (want $want), max RSS: $rss KiB, time: $secs"
[ "$got" = "$want" ] || { echo "FAIL: wrong statement count" >&2; exit 1; }
[ "$rss" -lt "$limit_kb" ] || { echo "FAIL: max RSS $rss KiB >= $limit_kb KiB" >&2; exit 1; }
echo "OK"
