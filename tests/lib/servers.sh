# shellcheck shell=bash
# Throw-away PostgreSQL and MariaDB servers for the test suite.  Source this file, then:
#
#   fw_start_pg          start a private PostgreSQL; exports PGHOST PGPORT PGUSER FW_TEST_PG_URL FW_TEST_PG_PORT
#   fw_start_mariadb     start a private MariaDB;    exports FW_TEST_MYSQL_URL FW_TEST_MYSQL_PORT FW_TEST_MYSQL_SOCKET
#   fw_pg_createdb NAME / fw_mysql_createdb NAME     (re)create an empty database
#   fw_stop_servers      stop whatever was started and delete its files (call it from an EXIT trap)
#
# Each server lives in its own temporary directory (data, socket, log) and listens on 127.0.0.1 on a
# port nobody uses, so several test runs can go on side by side on one machine and nothing touches the
# system's own clusters, services or ports 5432/3306.
#
# Users: PostgreSQL superuser `postgres` and MariaDB `fleetway` (all privileges) log in without a password;
# `fwsecret` / `s3cr3t-Pa55` exists on both and must give its password (for the secret-handling tests).
# A URL without a user works on both whoever runs the tests: PGUSER=postgres is exported, and MariaDB
# gets an account for the login name the client library sends by default (root has one already).
#
# Functions return non-zero and print the server log on failure; they never exit the caller.

FW_SECRET_USER=fwsecret
FW_SECRET_PASSWORD='s3cr3t-Pa55'

FW_PG_DIR=''       # temp dir of the running PostgreSQL, empty when none
FW_PG_BIN=''       # its bin directory (pg_ctl, psql of the same major)
FW_MY_DIR=''       # temp dir of the running MariaDB, empty when none

fw__log() { echo "servers: $*" >&2; }

# The OS user a server runs as.  PostgreSQL refuses to run as root and MariaDB wants --user, so when we
# are root we use the system users the Debian packages create (postgres / mysql); otherwise ourselves.
fw__server_user() { # $1 = preferred system user when root
    if [ "$(id -u)" != 0 ]; then id -un; return; fi
    if id -u "$1" >/dev/null 2>&1; then echo "$1"; return; fi
    # Package user missing (packages installed some unusual way): make a dedicated one.
    id -u fleetway-test >/dev/null 2>&1 ||
        useradd --system --no-create-home --shell /usr/sbin/nologin fleetway-test >/dev/null 2>&1 ||
        { fw__log "cannot create user fleetway-test"; return 1; }
    echo fleetway-test
}

# Runs "$@" as user $1 (no-op switch when that is us).
fw__as() {
    local u=$1; shift
    if [ "$u" = "$(id -un)" ]; then "$@"; else runuser -u "$u" -- "$@"; fi
}

# A temp dir the server user can own.  Always under /tmp: the unix socket path must stay short
# (~107 bytes) and a $TMPDIR under /root would not be reachable by the postgres/mysql user.
fw__mkdir() { # $1 = prefix, $2 = owner
    local d
    d=$(mktemp -d "/tmp/$1.XXXXXX") || return 1
    chmod 755 "$d"
    [ "$2" = "$(id -un)" ] || chown "$2" "$d" || return 1
    echo "$d"
}

# Prints a TCP port that is free on 127.0.0.1 right now.  Taken from 20000-32000, below Linux's
# ephemeral range (32768+), so an outgoing connection cannot grab it between our check and the server's
# bind; and far from 5432/3306.  The server start retries with a new port if it loses a race anyway.
fw_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    raise SystemExit("no free port found")
PY
    else
        local p i
        for i in $(seq 200); do
            p=$((20000 + RANDOM % 12000))
            [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ] && { echo "$p"; return 0; }
        done
        return 1
    fi
}

# ---------------------------------------------------------------- PostgreSQL

fw__pg_psql() { # psql as superuser on the test server's maintenance database
    "$FW_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$FW_TEST_PG_PORT" -U postgres -d postgres "$@"
}

fw_start_pg() {
    if [ -n "$FW_PG_DIR" ]; then fw__log "PostgreSQL already started ($FW_PG_DIR)"; return 0; fi
    # Newest installed major, unless FW_PG_BIN_DIR names another bin directory.
    FW_PG_BIN=${FW_PG_BIN_DIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
    if [ ! -x "$FW_PG_BIN/initdb" ]; then
        fw__log "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin); run scripts/install-deps.sh"
        return 1
    fi
    local user dir port try
    user=$(fw__server_user postgres) || return 1
    dir=$(fw__mkdir fw-pg "$user") || return 1
    FW_PG_DIR=$dir
    FW_PG_USER=$user

    # -U postgres: the superuser is `postgres` whatever OS user runs the server.
    # --no-sync/fsync=off: a test server's data is thrown away, durability only costs time.
    if ! fw__as "$user" "$FW_PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale \
            --no-sync >"$dir/initdb.log" 2>&1; then
        fw__log "initdb failed:"; cat "$dir/initdb.log" >&2
        fw__pg_cleanup; return 1
    fi

    # Who may log in how.  First match wins, so fwsecret's password lines come before the trust lines.
    # Only loopback: the server does not listen anywhere else.
    cat >"$dir/data/pg_hba.conf" <<EOF
# TYPE  DATABASE  USER       ADDRESS        METHOD
local   all       $FW_SECRET_USER                  scram-sha-256
host    all       $FW_SECRET_USER   127.0.0.1/32   scram-sha-256
local   all       all                       trust
host    all       all        127.0.0.1/32   trust
EOF

    for try in 1 2 3; do
        port=$(fw_free_port) || { fw__log "no free port"; fw__pg_cleanup; return 1; }
        # Settings go in a file we rewrite per try (postgresql.auto.conf is read after postgresql.conf).
        cat >"$dir/data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
$(if [ "${FW_PG_DURABLE:-0}" = 1 ]; then echo "# benchmarks: normal durability"; else printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'; fi)
password_encryption = 'scram-sha-256'
EOF
        chown "$user" "$dir/data/postgresql.auto.conf" 2>/dev/null || true
        rm -f "$dir/server.log"
        # setsid: the postmaster gets its own session, so a Ctrl-C in the terminal reaches the test
        # runner (whose EXIT trap then shuts the server down cleanly) and not the server directly.
        if fw__as "$user" setsid -w "$FW_PG_BIN/pg_ctl" start -w -t 60 -D "$dir/data" -l "$dir/server.log" \
                >"$dir/pg_ctl.log" 2>&1; then
            break
        fi
        # A port taken between the check and the bind shows in the log; anything else is fatal.
        if ! grep -q 'could not bind\|Address already in use' "$dir/server.log" 2>/dev/null || [ "$try" = 3 ]; then
            fw__log "PostgreSQL failed to start:"; cat "$dir/pg_ctl.log" "$dir/server.log" >&2 2>/dev/null
            fw__pg_cleanup; return 1
        fi
    done

    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
    export FW_TEST_PG_PORT=$port
    export FW_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$port/postgres"
    export FW_TEST_PG_USER=postgres
    unset PGPASSWORD PGDATABASE PGSERVICE PGSSLMODE PGOPTIONS

    if ! fw__pg_psql -c "CREATE ROLE $FW_SECRET_USER LOGIN CREATEDB PASSWORD '$FW_SECRET_PASSWORD'" >&2; then
        fw__log "could not create role $FW_SECRET_USER"; fw__pg_stop; return 1
    fi
    fw__log "PostgreSQL $("$FW_PG_BIN/postgres" -V | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
}

# Forget a half-made PostgreSQL: kill anything left, delete the dir.
fw__pg_cleanup() {
    [ -n "$FW_PG_DIR" ] || return 0
    local pid
    if [ -f "$FW_PG_DIR/data/postmaster.pid" ]; then
        pid=$(head -n 1 "$FW_PG_DIR/data/postmaster.pid")
        [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null
    fi
    rm -rf "$FW_PG_DIR"
    FW_PG_DIR=''
    unset FW_TEST_PG_URL FW_TEST_PG_PORT FW_TEST_PG_USER
}

fw__pg_stop() {
    [ -n "$FW_PG_DIR" ] || return 0
    if [ -f "$FW_PG_DIR/data/postmaster.pid" ]; then
        # -m fast: roll back open transactions and disconnect clients; what a leftover test would need.
        if ! fw__as "$FW_PG_USER" "$FW_PG_BIN/pg_ctl" stop -w -t 30 -m fast -D "$FW_PG_DIR/data" >/dev/null 2>&1; then
            fw__log "pg_ctl stop failed, killing the postmaster"
            local pid
            pid=$(head -n 1 "$FW_PG_DIR/data/postmaster.pid" 2>/dev/null)
            # SIGQUIT = immediate shutdown; the postmaster takes its children down with it.
            [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null && sleep 1
            [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
        fi
    fi
    fw__pg_cleanup
}

# fw_pg_createdb NAME: drop NAME (kicking out leftover sessions) and create it empty.
fw_pg_createdb() {
    [ -n "${FW_TEST_PG_PORT:-}" ] || { fw__log "PostgreSQL not started"; return 1; }
    local q=${1//\"/\"\"}
    "${FW_PG_BIN:-/usr/bin}/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$FW_TEST_PG_PORT" -U postgres -d postgres \
        -c "DROP DATABASE IF EXISTS \"$q\" WITH (FORCE)" -c "CREATE DATABASE \"$q\"" 2>&1 |
        grep -v '^NOTICE:.*does not exist, skipping' >&2
    return "${PIPESTATUS[0]}"
}

# ---------------------------------------------------------------- MariaDB

# The MariaDB client as root over the socket.  --no-defaults: the system's /etc/mysql config must not
# send us to /run/mysqld or port 3306.
fw__my_root() {
    mariadb --no-defaults --socket="$FW_TEST_MYSQL_SOCKET" -u root "$@"
}

fw_start_mariadb() {
    if [ -n "$FW_MY_DIR" ]; then fw__log "MariaDB already started ($FW_MY_DIR)"; return 0; fi
    local mysqld
    mysqld=$(command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd 2>/dev/null) || true
    if [ -z "$mysqld" ] || ! command -v mariadb-install-db >/dev/null 2>&1; then
        fw__log "MariaDB server not found (mariadbd, mariadb-install-db); run scripts/install-deps.sh"
        return 1
    fi
    local user dir port try i userarg=()
    user=$(fw__server_user mysql) || return 1
    [ "$(id -u)" = 0 ] && userarg=(--user="$user")   # as root, mariadbd switches to this user itself
    dir=$(fw__mkdir fw-my "$user") || return 1
    FW_MY_DIR=$dir
    mkdir -p "$dir/tmp" && chown "$user" "$dir/tmp"
    export FW_TEST_MYSQL_SOCKET="$dir/mysqld.sock"

    # root@localhost without password ("normal" auth) so that any OS user running the tests can
    # administer it; no test database, no name resolution (slow and pointless on loopback).
    if ! mariadb-install-db --no-defaults "${userarg[@]}" --datadir="$dir/data" \
            --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
            >"$dir/install-db.log" 2>&1; then
        fw__log "mariadb-install-db failed:"; cat "$dir/install-db.log" >&2
        fw__my_cleanup; return 1
    fi

    for try in 1 2 3; do
        port=$(fw_free_port) || { fw__log "no free port"; fw__my_cleanup; return 1; }
        : >"$dir/error.log"; chown "$user" "$dir/error.log"
        # utf8mb4 like Debian's packaged config (which --no-defaults skips); the flush/doublewrite/aio
        # settings trade durability we do not need for speed and for working inside containers
        # (fast-shutdown=3: no flush at shutdown, the data is deleted right after).
        # setsid -f: own session (see fw_start_pg) and no wait; we poll for readiness below.
        setsid -f "$mysqld" --no-defaults "${userarg[@]}" \
            --datadir="$dir/data" --tmpdir="$dir/tmp" --socket="$dir/mysqld.sock" \
            --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
            --bind-address=127.0.0.1 --port="$port" --skip-networking=0 --skip-name-resolve \
            --max-connections=200 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
            --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --innodb-use-native-aio=0 \
            --innodb-buffer-pool-size=64M --innodb-fast-shutdown=3 --skip-log-bin </dev/null >/dev/null 2>&1
        # Ready when it answers on TCP (what the tests use), not just the socket.
        for i in $(seq 1 600); do
            if mariadb-admin --no-defaults -h 127.0.0.1 -P "$port" --protocol=tcp -u root \
                    --connect-timeout=2 ping >/dev/null 2>&1; then
                break 2
            fi
            # Gave up already?  (pid file gone and process not there)
            if [ "$i" -gt 10 ] && [ -f "$dir/mariadbd.pid" ] && ! kill -0 "$(cat "$dir/mariadbd.pid")" 2>/dev/null; then
                break
            fi
            if [ "$i" -gt 20 ] && grep -q '\[ERROR\] Aborting' "$dir/error.log" 2>/dev/null; then
                break
            fi
            sleep 0.1
        done
        local bindfail=0
        grep -q 'Do you already have another server running\|Address already in use' "$dir/error.log" && bindfail=1
        fw__my_kill
        if [ "$bindfail" = 0 ] || [ "$try" = 3 ]; then
            fw__log "MariaDB failed to start:"; tail -n 30 "$dir/error.log" >&2
            fw__my_cleanup; return 1
        fi
    done

    # Users the tests log in as.  'fleetway' must match from every host form a client may use: '%'
    # covers TCP, 'localhost' the socket, and an explicit '127.0.0.1' guards against future
    # host-specific accounts shadowing '%'.  Anonymous accounts would shadow them too: drop them.
    # A URL that names no user (the tests' URLs) connects as the client library's default user, the
    # login name, which gets the rights of 'fleetway' too: the tests run under any OS user.
    local h u me admins=(fleetway) sql="DELETE FROM mysql.global_priv WHERE User=''; FLUSH PRIVILEGES;"
    me=$(fw__mysql_default_user)
    case $me in
        root|fleetway) ;;   # root@localhost and root@127.0.0.1 come with the data directory
        "$FW_SECRET_USER") fw__log "warning: the OS user is $me, the test user that must give a password" ;;
        *) admins+=("$me") ;;
    esac
    for h in '%' 'localhost' '127.0.0.1'; do
        for u in "${admins[@]}"; do
            sql+="CREATE USER '$u'@'$h';"
            sql+="GRANT ALL PRIVILEGES ON *.* TO '$u'@'$h' WITH GRANT OPTION;"
        done
        sql+="CREATE USER '$FW_SECRET_USER'@'$h' IDENTIFIED BY '$FW_SECRET_PASSWORD';"
        sql+="GRANT ALL PRIVILEGES ON *.* TO '$FW_SECRET_USER'@'$h';"
    done
    if ! fw__my_root -e "$sql"; then
        fw__log "could not create MariaDB users"; fw__my_stop; return 1
    fi

    export FW_TEST_MYSQL_PORT=$port
    export FW_TEST_MYSQL_URL="jdbc:mariadb://127.0.0.1:$port/"
    export FW_TEST_MYSQL_USER=fleetway
    fw__log "MariaDB $("$mysqld" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
}

# The user a MariaDB client connects as when none is given: what Connector/C picks, "root" for root,
# else the login name (getlogin(), which `logname` prints), else the name of the effective user.
fw__mysql_default_user() {
    if [ "$(id -u)" = 0 ]; then echo root; else logname 2>/dev/null || id -un; fi
}

# Kill a mariadbd that is not (or no longer) wanted, and wait for it to go.
fw__my_kill() {
    local pid
    pid=$(cat "$FW_MY_DIR/mariadbd.pid" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
}

fw__my_cleanup() {
    [ -n "$FW_MY_DIR" ] || return 0
    rm -rf "$FW_MY_DIR"
    FW_MY_DIR=''
    unset FW_TEST_MYSQL_URL FW_TEST_MYSQL_PORT FW_TEST_MYSQL_SOCKET FW_TEST_MYSQL_USER
}

fw__my_stop() {
    [ -n "$FW_MY_DIR" ] || return 0
    # A clean shutdown first (quick with our settings); SIGTERM/SIGKILL by pid if that fails.
    fw__my_root --connect-timeout=5 -e 'SHUTDOWN' >/dev/null 2>&1 || true
    fw__my_kill
    fw__my_cleanup
}

# fw_mysql_createdb NAME: drop NAME and create it empty.
fw_mysql_createdb() {
    [ -n "${FW_TEST_MYSQL_PORT:-}" ] || { fw__log "MariaDB not started"; return 1; }
    local q=${1//\`/\`\`}
    mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" --protocol=tcp -u fleetway \
        -e "DROP DATABASE IF EXISTS \`$q\`; CREATE DATABASE \`$q\`"
}

# ---------------------------------------------------------------- both

fw_stop_servers() {
    fw__pg_stop
    fw__my_stop
}
