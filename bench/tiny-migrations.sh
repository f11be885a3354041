# shellcheck shell=bash
# Sourced by the benchmarks: the yardstick's N tiny migrations (a table and a row each, as
# ../shared/bench/vs-raw.sh writes them) in DIR/sql, and the same SQL for the raw client in
# DIR/all.sql, one BEGIN..COMMIT per migration.
tiny_migrations() { # DIR N
  local dir=$1 n=$2 i
  mkdir -p "$dir/sql"
  for i in $(seq 1 "$n"); do
    printf 'create table t%d(id int primary key, name text);\ninsert into t%d values (1, %s);\n' \
      "$i" "$i" "'x$i'" >"$dir/sql/V${i}__create_t$i.sql"
  done
  for i in $(seq 1 "$n"); do
    printf 'BEGIN;\n'; cat "$dir/sql/V${i}__create_t$i.sql"; printf 'COMMIT;\n'
  done >"$dir/all.sql"
}
