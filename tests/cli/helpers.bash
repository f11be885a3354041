# shellcheck shell=bash
# Common helpers for the end-to-end tests; every tests/cli/*.bats file starts with `load helpers`.
#
# Per test you get:
#   $T        a fresh empty temp dir, also the current directory (removed after the test;
#             FW_KEEP_TMP=1 keeps it and prints where)
#   $FW       absolute path of the fleetway binary (FLEETWAY_BIN, default <repo>/fleetway)
#   $REPO     the repository root;  test data the repository ships lives in $REPO/tests/data
#   HOME=$T/home and no FLYWAY_* variables from the caller, so no user config leaks into a test.
#
#   fw ARGS...                  run fleetway (use as `run fw migrate ...`)
#   sqlite_url                  jdbc:sqlite:$T/db.sqlite
#   pg_url [SUFFIX]             fresh PostgreSQL database for this test, prints its jdbc url
#   mysql_url [SUFFIX]          same for MariaDB; both skip the test when that server is not available.
#                               SUFFIX gives a second/third database in the same test (fleet tests).
#   require_pg, require_mysql   skip the test unless that server is available
#   write_migration DIR NAME CONTENT|-   write DIR/NAME ("-" = content from stdin)
#   sqlq URL SQL|-              run SQL with the database's own client, print rows as a|b|c, NULL as NULL
#   assert_status N, assert_output_contains TEXT, assert_output_not_contains TEXT,
#   assert_no_secret TEXT [FILE...]   TEXT must not be in $output nor in any file under $T
#                                     (except the listed files, relative to $T: the config that holds it)
#   assert_no_table NAME        the database at $URL answers and has no table NAME (multi-backend files)
#
# Never `! cmd` in the middle of a test: errexit ignores it, so it cannot fail (run-all.sh refuses it).
#
# A .bats file that needs its own setup/teardown calls fw_setup / fw_teardown from them.
#
# Database servers come from tests/lib/servers.sh through tests/run-all.sh, which exports FW_TEST_PG_URL
# and FW_TEST_MYSQL_URL.  Run one file by hand with servers:   tests/run-all.sh build/rel tests/cli/x.bats

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# Relative FLEETWAY_BIN is taken from where bats was started (before setup moves into $T).
FW=${FLEETWAY_BIN:-$REPO/fleetway}
case $FW in /*) ;; *) FW=$PWD/$FW ;; esac

FW_SECRET_USER=fwsecret
FW_SECRET_PASSWORD='s3cr3t-Pa55'

fw_setup() {
    T=$(mktemp -d "${TMPDIR:-/tmp}/fwt.XXXXXX")
    mkdir "$T/home"
    export HOME=$T/home
    # Settings from the developer's shell must not change what a test sees.
    local v
    for v in $(compgen -e | grep '^FLYWAY_'); do unset "$v"; done
    cd "$T" || return 1
    # pg_url/mysql_url may run inside $(...), where `skip` would only end the subshell.  They then
    # signal the test's own shell, which skips once the substitution returns.
    FW__TEST_PID=$BASHPID
    trap 'skip "$(cat "$BATS_TEST_TMPDIR/.fw-skip" 2>/dev/null)"' USR1
}

fw_teardown() {
    trap - USR1
    # Databases made by pg_url/mysql_url go again, or a long suite fills the disk with copies of template1.
    local kind name
    if [ "${FW_KEEP_TMP:-0}" != 1 ] && [ -f "$BATS_TEST_TMPDIR/.fw-dbs" ]; then
        while read -r kind name; do
            case $kind in
                pg) psql -X -q -h 127.0.0.1 -p "$FW_TEST_PG_PORT" -U postgres -d postgres \
                        -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 ;;
                my) mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" --protocol=tcp -u fleetway \
                        -e "DROP DATABASE IF EXISTS \`$name\`" >/dev/null 2>&1 ;;
            esac
        done <"$BATS_TEST_TMPDIR/.fw-dbs"
    fi
    cd / || true
    if [ -n "${T:-}" ] && [ -d "$T" ]; then
        if [ "${FW_KEEP_TMP:-0}" = 1 ]; then echo "# kept $T" >&3; else rm -rf "$T"; fi
    fi
}

setup() { fw_setup; }
teardown() { fw_teardown; }

fw() {
    if [ ! -x "$FW" ]; then
        echo "fleetway binary not found at $FW (run make, or set FLEETWAY_BIN)" >&2
        return 127
    fi
    "$FW" "$@"
}

sqlite_url() { echo "jdbc:sqlite:$T/db.sqlite"; }

# Skip the current test with REASON, also when called inside $(...) (see fw_setup).
fw__skip() {
    if [ "$BASHPID" = "${FW__TEST_PID:-}" ]; then skip "$1"; fi
    echo "$1" >"$BATS_TEST_TMPDIR/.fw-skip"
    kill -USR1 "$FW__TEST_PID"
    exit 1
}

# Database name for this test: file, test number, optional suffix, then the description for whoever
# looks at the server; [a-z0-9_] only and cut to 63 (PostgreSQL's limit, MariaDB's is 64).
fw__dbname() {
    local f=${BATS_TEST_FILENAME##*/}
    local n="t_${f%.bats}_${BATS_TEST_NUMBER}${1:+_$1}_${BATS_TEST_DESCRIPTION:-}"
    n=$(printf '%s' "$n" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_' '_' | tr -s '_')
    printf '%s' "${n:0:63}"
}

# require_pg / require_mysql: skip this test unless that server is there (pg_url/mysql_url do it too).
require_pg() {
    [ -n "${FW_TEST_PG_URL:-}" ] ||
        fw__skip "PostgreSQL not available (FW_TEST_PG_URL unset; run the suite through tests/run-all.sh)"
}
require_mysql() {
    [ -n "${FW_TEST_MYSQL_URL:-}" ] ||
        fw__skip "MariaDB not available (FW_TEST_MYSQL_URL unset; run the suite through tests/run-all.sh)"
}

pg_url() {
    require_pg
    local db
    db=$(fw__dbname "${1:-}")
    local out
    out=$(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$FW_TEST_PG_PORT" -U postgres -d postgres \
        -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\"" 2>&1) ||
        { printf 'pg_url: could not create database %s:\n%s\n' "$db" "$out" >&2; return 1; }
    echo "pg $db" >>"$BATS_TEST_TMPDIR/.fw-dbs"
    echo "jdbc:postgresql://127.0.0.1:$FW_TEST_PG_PORT/$db"
}

mysql_url() {
    require_mysql
    local db
    db=$(fw__dbname "${1:-}")
    mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" --protocol=tcp -u fleetway \
        -e "DROP DATABASE IF EXISTS \`$db\`; CREATE DATABASE \`$db\`" ||
        { echo "mysql_url: could not create database $db" >&2; return 1; }
    echo "my $db" >>"$BATS_TEST_TMPDIR/.fw-dbs"
    echo "jdbc:mariadb://127.0.0.1:$FW_TEST_MYSQL_PORT/$db"
}

# write_migration DIR NAME CONTENT   (CONTENT "-" reads stdin, for heredocs; NAME may hold subdirs)
# The file ends with exactly one newline unless CONTENT already ends with one.
write_migration() {
    local dir=$1 name=$2 content
    if [ "$3" = - ]; then content=$(cat; echo x); content=${content%x}; else content=$3; fi
    mkdir -p "$(dirname "$dir/$name")"
    case $content in *$'\n') printf '%s' "$content" ;; *) printf '%s\n' "$content" ;; esac >"$dir/$name"
}

# jdbc url query parameter: fw__urlparam URL KEY
fw__urlparam() {
    local q=${1#*\?} kv
    [ "$q" != "$1" ] || return 0
    local IFS='&'
    for kv in $q; do
        if [ "${kv%%=*}" = "$2" ]; then printf '%s' "${kv#*=}"; return 0; fi
    done
    return 0
}

# sqlq URL SQL: print the result of SQL, one row a line, columns joined by |, NULL as NULL, no header.
# Fails (non-zero, message on stderr) when the SQL fails.
sqlq() {
    local url=$1 sql=$2 rest hostport host port db user pw
    [ "$sql" = - ] && sql=$(cat)
    case $url in
        jdbc:sqlite:*)
            rest=${url#jdbc:sqlite:}; rest=${rest%%\?*}
            # On stdin: SQL starting with "--" would be read as an option.
            printf '%s\n' "$sql" | sqlite3 -batch -bail -noheader -list -separator '|' -nullvalue NULL "$rest" ;;
        jdbc:postgresql://*)
            rest=${url#jdbc:postgresql://}; hostport=${rest%%/*}; db=${rest#*/}; db=${db%%\?*}
            [ "$hostport" != "$rest" ] || db=''
            host=${hostport%%:*}; port=${hostport#*:}; [ "$port" != "$hostport" ] || port=5432
            user=$(fw__urlparam "$url" user); pw=$(fw__urlparam "$url" password)
            PGPASSWORD=$pw psql -X -A -t -q -v ON_ERROR_STOP=1 -P null=NULL -F '|' -h "$host" -p "$port" \
                -U "${user:-${PGUSER:-postgres}}" -d "${db:-postgres}" -c "$sql" ;;
        jdbc:mariadb://*|jdbc:mysql://*)
            rest=${url#jdbc:*://}; hostport=${rest%%/*}; db=${rest#*/}; db=${db%%\?*}
            [ "$hostport" != "$rest" ] || db=''
            host=${hostport%%:*}; port=${hostport#*:}; [ "$port" != "$hostport" ] || port=3306
            user=$(fw__urlparam "$url" user); pw=$(fw__urlparam "$url" password)
            # utf8mb4 whatever the locale says: without LANG the client would pick latin1 and turn
            # every non-ASCII character it reads back into '?'.
            local args=(--no-defaults --default-character-set=utf8mb4 -h "$host" -P "$port" --protocol=tcp
                        -u "${user:-fleetway}" -N -B -r)
            [ -n "$pw" ] && args+=(--password="$pw")
            [ -n "$db" ] && args+=(-D "$db")
            # Tabs to | like the other two clients; `set -o pipefail` keeps a failing query visible.
            (set -o pipefail; mariadb "${args[@]}" -e "$sql" | tr '\t' '|') ;;
        *)
            echo "sqlq: unsupported url: $url" >&2; return 2 ;;
    esac
}

assert_status() {
    if [ "$status" != "$1" ]; then
        printf 'expected exit status %s, got %s; output:\n%s\n' "$1" "$status" "$output" >&2
        return 1
    fi
}

assert_output_contains() {
    if [[ "$output" != *"$1"* ]]; then
        printf 'expected output to contain:\n  %s\nactual output (status %s):\n%s\n' "$1" "${status:-?}" "$output" >&2
        return 1
    fi
}

assert_output_not_contains() {
    if [[ "$output" == *"$1"* ]]; then
        printf 'expected output NOT to contain:\n  %s\nactual output:\n%s\n' "$1" "$output" >&2
        return 1
    fi
}

# assert_no_secret TEXT [FILE...]: TEXT must appear neither in $output nor in any file under $T
# (binary files such as SQLite databases and reports included); FILEs (relative to $T) are exempt.
assert_no_secret() {
    local secret=$1; shift
    [ -n "$secret" ] || { echo "assert_no_secret: empty secret" >&2; return 2; }
    local bad=0 f rel ex skipf
    if [[ "${output:-}" == *"$secret"* ]]; then
        printf 'secret leaked into command output:\n%s\n' "$output" >&2
        bad=1
    fi
    while IFS= read -r -d '' f; do
        rel=${f#"$T"/}; skipf=0
        for ex in "$@"; do [ "$rel" = "$ex" ] && skipf=1; done
        [ "$skipf" = 1 ] && continue
        echo "secret leaked into file: $rel" >&2
        bad=1
    done < <(grep -rlZaF -- "$secret" "$T" 2>/dev/null)
    return "$bad"
}

# One .bats file, several backends: links named *-pg.bats / *-mysql.bats run the same tests on
# PostgreSQL / MariaDB. Sets URL, SCHEMA, KIND (sqlite|pg|mysql), H (history table name) and points
# FLYWAY_URL / FLYWAY_LOCATIONS at the database and $T/sql.
fw_backend_from_filename() {
    case $BATS_TEST_FILENAME in
        *-pg.bats) URL=$(pg_url); SCHEMA=public; KIND=pg ;;
        *-mysql.bats) URL=$(mysql_url); SCHEMA=${URL##*/}; KIND=mysql ;;
        *) URL=$(sqlite_url); SCHEMA=main; KIND=sqlite ;;
    esac
    # messages quote schema names the database's way, as Flyway does: "public", `db`
    Q='"'
    if [ "$KIND" = mysql ]; then Q='`'; fi
    export FLYWAY_URL=$URL
    export FLYWAY_LOCATIONS=filesystem:$T/sql
    H="flyway_schema_history"
}

# setup for the files that run on every backend (see fw_backend_from_filename)
fw_backend_setup() {
    fw_setup
    fw_backend_from_filename
}

# history_of COLUMNS [WHERE]: the history rows as COLUMNS|success (booleans as 1/0), by rank
history_of() {
    sqlq "$URL" "SELECT $1, CASE WHEN success THEN 1 ELSE 0 END FROM $H${2:+ WHERE $2} ORDER BY installed_rank"
}

# does the table exist (any backend)
table_exists() { sqlq "$URL" "SELECT COUNT(*) FROM $1" >/dev/null 2>&1; }

# assert_no_table NAME: the database at $URL answers, and has no table or view NAME in its schema.
# (Not `! table_exists`: a negated command in the middle of a test never fails it, and a query that
# fails for any other reason would look like a missing table.)
assert_no_table() {
    local n schema='current_schema()'
    if [ "$KIND" = mysql ]; then schema='DATABASE()'; fi
    if [ "$KIND" = sqlite ]; then
        n=$(sqlq "$URL" "SELECT COUNT(*) FROM sqlite_master WHERE name = '$1'")
    else
        n=$(sqlq "$URL" "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $schema AND table_name = '$1'")
    fi
    if [ "$n" != 0 ]; then
        printf 'expected no table %s in %s, found: %s\n' "$1" "$URL" "${n:-nothing (the query failed)}" >&2
        return 1
    fi
}
