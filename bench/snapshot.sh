#!/bin/bash
# Snapshot speed (issue "See the schema itself", item 7): reading the model of a 1,000-table
# PostgreSQL schema must take at most 1 s, with a fixed number of catalog queries per schema
# whatever the number of tables.
#
#   bench/snapshot.sh [TABLES] [ROUNDS]      (defaults 1000 and 5)
#
# Starts a throw-away PostgreSQL (tests/lib/servers.sh), builds one schema of TABLES tables (each
# with an identity primary key, a unique constraint, a check, a foreign key to the previous table,
# a partial and a plain index, a default), TABLES/50 views, functions and triggers, then times
# db_read_schema through build/rel/schema-snapshot (tools/schema-snapshot.c), ROUNDS times on a
# fresh connection each. Prints every round, the medians of the wall time and of the CPU time the
# server and the client spent (the CPU figures do not depend on what else the machine runs), and
# the number of queries the read sent; exit status 1 when the median wall time is over 1 s or the
# query count grows with the tables.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
N=${1:-1000} ROUNDS=${2:-5}
tool=build/rel/schema-snapshot
make -s build/rel/libfleetway.a build/rel/tools/schema-snapshot.o
cc -o "$tool" build/rel/tools/schema-snapshot.o build/rel/libfleetway.a \
    $(pkg-config --libs sqlite3 zlib jansson) -lm -ldl -pthread
. "$top/tests/lib/servers.sh"
w=$(mktemp -d)
trap 'fw_stop_servers; rm -rf "$w"' EXIT
fw_start_pg >/dev/null || exit 1
P="psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $FW_TEST_PG_PORT -U postgres"

# the schema, one script
awk -v n="$N" 'BEGIN {
    print "CREATE SCHEMA bench; SET search_path TO bench;"
    print "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;"
    for (i = 1; i <= n; i++) {
        printf "CREATE TABLE t%d (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,", i
        printf " name text NOT NULL UNIQUE, amount numeric(10,2) CHECK (amount >= 0),"
        printf " created timestamptz NOT NULL DEFAULT now()"
        if (i > 1) printf ", prev_id bigint REFERENCES t%d(id) ON DELETE SET NULL", i - 1
        print ");"
        printf "CREATE INDEX t%d_created ON t%d (created);\n", i, i
        printf "CREATE INDEX t%d_big ON t%d (amount) WHERE amount > 100;\n", i, i
        printf "COMMENT ON TABLE t%d IS '\''table %d'\'';\n", i, i
        if (i % 50 == 0) {
            printf "CREATE VIEW v%d AS SELECT a.id, a.name, b.amount FROM t%d a JOIN t%d b ON b.id = a.id WHERE b.amount > 0;\n", i, i, i - 1
            printf "CREATE FUNCTION f%d(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ select x + %d $$;\n", i, i
            printf "CREATE TRIGGER t%d_touch BEFORE UPDATE ON t%d FOR EACH ROW EXECUTE FUNCTION touch();\n", i, i
        }
    }
}' >"$w/schema.sql"
$P -d postgres -c "CREATE DATABASE bench" >/dev/null
$P -d bench -1 -f "$w/schema.sql" >/dev/null
$P -d bench -c "VACUUM ANALYZE" >/dev/null
url="jdbc:postgresql://127.0.0.1:$FW_TEST_PG_PORT/bench"

# queries sent by one read, from the server's statement log
$P -d postgres -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
before=$(wc -l <"$FW_PG_DIR/server.log")
"$tool" -t -u postgres "$url" bench >/dev/null
$P -d postgres -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
queries=$(tail -n +"$((before + 1))" "$FW_PG_DIR/server.log" | grep -c 'LOG:  execute\|LOG:  statement' || true)

# CPU the server spent on one read: the backend's time, which its postmaster adds to its own
# children's total (fields 16 and 17 of /proc/PID/stat) when the backend exits
children_cpu() { awk '{ print ($16 + $17) * 10 }' "/proc/$(head -1 "$FW_PG_DIR/data/postmaster.pid")/stat"; }
times=() server=() client=()
for r in $(seq 1 "$ROUNDS"); do
    before=$(children_cpu)
    out=$(/usr/bin/time -f '%U %S' -o "$w/time" "$tool" -t -u postgres "$url" bench)
    sleep 0.3   # the backend is gone and counted
    s_ms=$(( $(children_cpu) - before ))
    c_ms=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$w/time")
    echo "round $r: $out (CPU: server $s_ms ms, client $c_ms ms)"
    times+=("${out%% ms*}") server+=("$s_ms") client+=("$c_ms")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
objects=$(echo "$out" | sed 's/.*, //; s/ objects.*//')
echo "snapshot  postgresql  $N tables, $objects objects, $queries queries: median wall $(median "${times[@]}") ms," \
     "CPU server $(median "${server[@]}") ms + client $(median "${client[@]}") ms over $ROUNDS rounds" \
     "(load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores; goal <= 1000 ms)"
awk -v m="$(median "${times[@]}")" 'BEGIN { exit !(m <= 1000) }' || { echo "FAIL: over 1 s" >&2; exit 1; }
[ "$queries" -le 20 ] || { echo "FAIL: $queries queries for one schema" >&2; exit 1; }
echo OK
