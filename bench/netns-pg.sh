# shellcheck shell=bash
# bench/netns-pg.sh: sourced by the fleet benchmarks (bench/fleet.sh, bench/fleet-noop.sh).
#
# A network namespace of its own with a private PostgreSQL on its loopback (root needed), and the
# added latency of far-away targets: netem on that loopback where the kernel has it, a delaying
# relay inside the namespace (bench/relay.py) otherwise. Nothing here contacts any other address.
#
# The caller sets W (its work directory, mode 755) and REPO, then:
#   ns_start                 namespace + server; sets NS, PGPORT, B (the server's bin directory)
#   in_ns CMD...             run CMD inside the namespace
#   psql_ns ARGS...          psql as postgres to database postgres inside the namespace
#   durability on|off        fsync, synchronous_commit, full_page_writes (reloaded at once)
#   ns_add_latency MS        every round trip MS longer; sets LATENCY_HOW and CLIENT_PORT (the port
#                            clients use from then on: the server's, or the relay's)
#   ns_measure_rtt PORT      median of 5 "SELECT 1" round trips through PORT, in ms
# ns_cleanup (installed as the EXIT trap by ns_start) stops the server and the relay, deletes the
# namespace and the work directory (KEEP=1 keeps the work directory).

NS=fwbench-$$
RELAY_PID='' PG_STARTED=''

ns_die() { echo "bench: $*" >&2; exit 1; }

in_ns() { ip netns exec "$NS" "$@"; }

ns_cleanup() {
    trap - EXIT INT TERM
    [ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null
    # the server was started inside the namespace by servers.sh; stop it the same way
    [ -n "$PG_STARTED" ] && in_ns bash -c ". '$W/pg.env'; . '$REPO/tests/lib/servers.sh'; FW_PG_DIR=\$D; \
        FW_PG_BIN=\$B; FW_PG_USER=\$U; FW_TEST_PG_PORT=\$P; fw__pg_stop" >/dev/null 2>&1
    ip netns del "$NS" 2>/dev/null
    if [ "${KEEP:-0}" = 1 ]; then echo "bench: kept $W"; else rm -rf "$W"; fi
}

ns_start() {
    [ "$(id -u)" = 0 ] || ns_die "needs root: it creates a network namespace for the server and the latency"
    command -v ip >/dev/null || ns_die "needs ip (iproute2)"
    command -v python3 >/dev/null || ns_die "needs python3"
    trap ns_cleanup EXIT
    trap 'exit 130' INT TERM
    ip netns add "$NS" || ns_die "cannot create network namespace $NS"
    in_ns ip link set lo up || ns_die "cannot bring up loopback in $NS"
    # servers.sh prints its variables only to its own shell: hand them over through a file
    in_ns bash -c ". '$REPO/tests/lib/servers.sh' && fw_start_pg >&2 && \
        printf 'D=%s\nB=%s\nU=%s\nP=%s\n' \"\$FW_PG_DIR\" \"\$FW_PG_BIN\" \"\$FW_PG_USER\" \"\$FW_TEST_PG_PORT\" >'$W/pg.env'" \
        || ns_die "PostgreSQL did not start"
    PG_STARTED=1
    # shellcheck disable=SC1091
    . "$W/pg.env"
    PGPORT=$P
    CLIENT_PORT=$PGPORT
    export PGOPTIONS="-c client_min_messages=warning"
}

psql_ns() { in_ns "$B/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres "$@"; }

durability() {
    psql_ns -c "ALTER SYSTEM SET fsync = $1" -c "ALTER SYSTEM SET synchronous_commit = $1" \
        -c "ALTER SYSTEM SET full_page_writes = $1" -c "SELECT pg_reload_conf()" >/dev/null
}

# netem on the namespace's loopback: every packet waits half the round trip
ns_add_latency() {
    local half
    half=$(python3 -c "print($1 / 2)")
    if in_ns tc qdisc add dev lo root netem delay "${half}ms" 2>/dev/null; then
        LATENCY_HOW="netem delay ${half}ms each way on the namespace's loopback"
        CLIENT_PORT=$PGPORT
        return
    fi
    # No netem in this kernel: a relay inside the namespace holds every chunk half the round
    # trip in each direction (order kept), and the clients connect through it.
    CLIENT_PORT=$((PGPORT + 1))
    cp "$REPO/bench/relay.py" "$W/relay.py"
    # not through in_ns: a backgrounded function is a subshell, and $! would name it, not the relay
    ip netns exec "$NS" python3 "$W/relay.py" "$CLIENT_PORT" "$PGPORT" "$half" >"$W/relay.log" 2>&1 &
    RELAY_PID=$!
    for _ in $(seq 50); do
        in_ns bash -c "exec 3<>/dev/tcp/127.0.0.1/$CLIENT_PORT" 2>/dev/null && break
        sleep 0.1
    done
    LATENCY_HOW="no netem in this kernel: delaying relay, ${half}ms each way, inside the namespace"
}

ns_measure_rtt() {
    in_ns python3 - "$1" <<'PY'
import socket, struct, sys, time
# a raw PostgreSQL startup and five simple queries: the round trip as the clients see it
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
params = b"user\0postgres\0database\0postgres\0\0"
s.sendall(struct.pack("!II", 8 + len(params), 196608) + params)
def until_ready():
    buf = b""
    while True:
        buf += s.recv(65536)
        while len(buf) >= 5:
            t, n = buf[0:1], struct.unpack("!I", buf[1:5])[0]
            if len(buf) < 1 + n: break
            buf = buf[1 + n:]
            if t == b"Z": return
until_ready()
times = []
for _ in range(5):
    q = b"SELECT 1\0"
    t0 = time.perf_counter()
    s.sendall(b"Q" + struct.pack("!I", 4 + len(q)) + q)
    until_ready()
    times.append((time.perf_counter() - t0) * 1000)
print(f"{sorted(times)[2]:.1f}")
PY
}
