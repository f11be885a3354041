#!/usr/bin/env bats
# Failures in awkward places: a NUL byte inside a script, the history insert / COMMIT / unlock
# failing, the connection dropping between two migrations, Ctrl-C or SIGTERM in the middle of a
# statement. Each leaves the history and the schema consistent, with a clear message.
# One file, several backends: 16-faults-{pg,mysql}.bats are links to this file, and setup() picks
# the database from the file name.
#
# Failures a real server cannot produce on cue come from the fault-injection hook of src/db/db.c
# (FLEETWAY_FAULT_INJECT), which only the test binary build/<mode>/fleetway-faults has
# (FLEETWAY_FAULT_BIN; `make test` builds it).

load helpers

setup() {
    fw_backend_setup
    FWF=${FLEETWAY_FAULT_BIN:-$(dirname "$FW")/fleetway-faults}
}
teardown() { fw_teardown; }

history() { history_of "installed_rank, version, description, type"; }

# fwf ARGS...: the test binary with the fault-injection hook
fwf() {
    if [ ! -x "$FWF" ]; then
        echo "fault-injection binary not found at $FWF (make faults, or set FLEETWAY_FAULT_BIN)" >&2
        return 127
    fi
    "$FWF" "$@"
}

# rows of table a, ids joined by spaces
ids_of_a() { sqlq "$URL" "SELECT id FROM a ORDER BY id" | tr '\n' ' ' | sed 's/ $//'; }

five_rows() {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);
INSERT INTO a VALUES (1); INSERT INTO a VALUES (2); INSERT INTO a VALUES (3);
INSERT INTO a VALUES (4); INSERT INTO a VALUES (5);'
}

# ---------------------------------------------------------------- a NUL byte in a script

@test "NUL: a NUL byte in a migration is an error naming file and line; nothing of it or later ones runs" {
    five_rows
    # the database's C API would end the statement at the NUL: DELETE FROM a, every row gone
    printf 'INSERT INTO a VALUES (6);\nDELETE FROM a\0 WHERE id = 5;\n' >sql/V2__x.sql
    write_migration sql V3__c.sql 'CREATE TABLE c (id INT);'
    run fw migrate
    assert_status 1
    assert_output_contains "V2__x.sql:2:14: the script contains a NUL byte"
    assert_output_not_contains "Successfully applied"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
    run table_exists c
    [ "$status" -ne 0 ]
}

@test "NUL: a non-transactional migration with a NUL runs none of its statements" {
    five_rows
    printf 'INSERT INTO a VALUES (6);\nINSERT INTO a VALUES (7);\nDELETE FROM a\0 WHERE id = 5;\n' >sql/V2__x.sql
    printf 'executeInTransaction=false\n' >sql/V2__x.sql.conf
    run fw migrate
    assert_status 1
    assert_output_contains "V2__x.sql:3:14: the script contains a NUL byte"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
    # the same with executeInTransaction=false for every migration
    rm sql/V2__x.sql.conf
    run fw -executeInTransaction=false migrate
    assert_status 1
    assert_output_contains "V2__x.sql:3:14: the script contains a NUL byte"
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
}

@test "NUL: in a repeatable migration and in a callback" {
    five_rows
    printf 'DELETE FROM a\0 WHERE id = 5;\n' >sql/R__r.sql
    run fw migrate
    assert_status 1
    assert_output_contains "R__r.sql:1:14: the script contains a NUL byte"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
    rm sql/R__r.sql
    write_migration sql V2__b.sql 'INSERT INTO a VALUES (6);'
    printf -- '-- runs inside each migration\nDELETE FROM a\0 WHERE id = 5;\n' >sql/beforeEachMigrate.sql
    run fw migrate
    assert_status 1
    assert_output_contains "beforeEachMigrate.sql:2:14: the script contains a NUL byte"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
}

@test "NUL: a NUL byte in a script's .conf is an error naming the file and line" {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'
    # everything after the NUL used to be dropped unseen
    printf 'encoding=UTF-8\n\0executeInTransaction=maybe\n' >sql/V1__a.sql.conf
    run fw migrate
    assert_status 1
    assert_output_contains "V1__a.sql.conf:2: the file contains a NUL byte"
    run table_exists a
    [ "$status" -ne 0 ]
}

# ---------------------------------------------------------------- Ctrl-C and SIGTERM

# a statement that runs for half a minute on this backend
long_statement() {
    case $KIND in
        pg) echo 'SELECT pg_sleep(30)' ;;
        mysql) echo 'SELECT SLEEP(30)' ;;
        *) echo 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000000) SELECT count(*) FROM c' ;;
    esac
}

# is the long statement still running on the server (SQLite: always "no")
long_statement_running() {
    case $KIND in
        pg) sqlq "$FW_TEST_PG_URL" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND pid <> pg_backend_pid()" ;;
        mysql) sqlq "$URL" "SELECT count(*) FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(30)%'" ;;
        *) echo 0 ;;
    esac
}

# Flyway's MySQL lock name is Flyway-<Java hashCode of `db`.`flyway_schema_history`>
flyway_lock_hash() {
    python3 -c 'import sys
h = 0
for ch in sys.argv[1]: h = (31 * h + ord(ch)) & 0xFFFFFFFF
print(h - (1 << 32) if h >= 1 << 31 else h)' "\`$SCHEMA\`.\`$H\`"
}

# advisory / named locks still held in this test's database
locks_held() {
    case $KIND in
        pg) sqlq "$URL" "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()" ;;
        mysql) sqlq "$URL" "SELECT IS_USED_LOCK('Flyway-$(flyway_lock_hash)') IS NOT NULL" ;;
        *) echo 0 ;;
    esac
}

# interrupt_run SIGNAL: migrate, send SIGNAL while V2's long statement runs; sets $st and $secs
interrupt_run() {
    five_rows
    write_migration sql V2__slow.sql "INSERT INTO a VALUES (6);
$(long_statement);"
    "$FW" migrate >run.log 2>&1 &
    local pid=$! n=0
    # wait until the server runs the statement (SQLite: until V2 has begun, then a moment more)
    for _ in $(seq 150); do
        if [ "$KIND" = sqlite ]; then
            grep -q 'to version "2 - slow"' run.log && { sleep 1; n=1; break; }
        else
            n=$(long_statement_running)
            [ "$n" = 1 ] && break
        fi
        sleep 0.1
    done
    [ "$n" = 1 ] || { cat run.log; kill -9 "$pid"; return 1; }
    local t0=$SECONDS
    kill "-$1" "$pid"
    # no more than 15 s: a statement that was not cancelled would run on for half a minute
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    st=0
    wait "$pid" || st=$?
    secs=$((SECONDS - t0))
    cat run.log
}

@test "Ctrl-C cancels the running statement on the server, rolls the migration back and exits 130" {
    interrupt_run INT
    [ "$st" = 130 ]
    [ "$secs" -lt 10 ]
    # the statement is gone from the server right away, and so is the lock
    [ "$(long_statement_running)" = 0 ]
    [ "$(locks_held)" = 0 ]
    grep -q 'interrupted\|canceling statement\|Query execution was interrupted' run.log
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
    # the next run applies V2 (without the slow statement) as if nothing happened
    write_migration sql V2__slow.sql 'INSERT INTO a VALUES (6);'
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration"
    [ "$(ids_of_a)" = "1 2 3 4 5 6" ]
}

@test "SIGTERM does the same as Ctrl-C" {
    interrupt_run TERM
    [ "$st" = 130 ]
    [ "$secs" -lt 10 ]
    [ "$(long_statement_running)" = 0 ]
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
}

@test "Ctrl-C while waiting for the migration lock ends the wait and exits 130" {
    five_rows
    # another session holds the lock fleetway needs, for a few seconds
    case $KIND in
        sqlite) flock "$T/db.sqlite-fleetway.lock" sleep 6 >/dev/null 2>&1 3>&- &
                ;;
        pg)     local key
                key=$(python3 -c 'import sys
h = 0
for ch in sys.argv[1]: h = (31 * h + ord(ch)) & 0xFFFFFFFF
print(0x466C79776179 + (h - (1 << 32) if h >= 1 << 31 else h))' "\"$SCHEMA\".\"$H\"")
                sqlq "$URL" "SELECT pg_advisory_lock($key), pg_sleep(6)" >/dev/null 2>&1 3>&- &
                ;;
        mysql)  sqlq "$URL" "SELECT GET_LOCK('Flyway-$(flyway_lock_hash)', 0), SLEEP(6)" >/dev/null 2>&1 3>&- &
                ;;
    esac
    for _ in $(seq 50); do
        if [ "$KIND" = sqlite ]; then
            flock -n "$T/db.sqlite-fleetway.lock" true || break
        elif [ "$(locks_held)" = 1 ]; then
            break
        fi
        sleep 0.1
    done
    "$FW" -lockRetryCount=-1 migrate >run.log 2>&1 &
    local pid=$!
    sleep 2
    kill -0 "$pid" || { cat run.log; false; }   # still waiting for the lock
    local t0=$SECONDS
    kill -INT "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    st=0
    wait "$pid" || st=$?
    cat run.log
    [ "$st" = 130 ]
    [ $((SECONDS - t0)) -lt 8 ]
    grep -qi 'interrupted' run.log
    run history
    [ "$output" = "" ] || [ "$status" -ne 0 ]   # nothing applied (no history table at all)
}

# ---------------------------------------------------------------- the fault-injection hook

@test "hook: a release build has no fault-injection hook and ignores FLEETWAY_FAULT_INJECT" {
    run grep -c "FLEETWAY_FAULT_INJECT" "$FW"
    [ "$output" = 0 ]
    run grep -c "injected fault" "$FW"
    [ "$output" = 0 ]
    five_rows
    FLEETWAY_FAULT_INJECT="batch_add:1,commit:1,unlock:1,query:1,exec:1" run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration"
    # while the test binary has it
    grep -q "FLEETWAY_FAULT_INJECT" "$FWF"
}

# V1, and V2 with DDL and DML (on MySQL/MariaDB DML only: there DDL commits at once, and what
# happens to DML after it is the subject of other tests)
two_migrations() {
    five_rows
    if [ "$KIND" = mysql ]; then
        write_migration sql V2__b.sql 'INSERT INTO a VALUES (6);'
    else
        write_migration sql V2__b.sql 'CREATE TABLE b (id INT);
INSERT INTO a VALUES (6);'
    fi
}

# after a failed V2 of two_migrations: its changes are rolled back and it has no row (MySQL:
# a success=0 row, as Flyway writes there, which migrate refuses until `repair`); the next
# migrate applies it
v2_failed_then_recovered() {
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
    run history
    if [ "$KIND" = mysql ]; then
        [ "${lines[0]}" = "1|1|a|SQL|1" ]
        [ "${lines[1]}" = "2|2|b|SQL|0" ]
        run fw migrate
        assert_status 1
        assert_output_contains "Detected failed migration to version 2"
        run fw repair   # nothing to undo by hand: V2 was DML only
        assert_status 0
    else
        [ "$output" = "1|1|a|SQL|1" ]
        run table_exists b
        [ "$status" -ne 0 ]
    fi
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration"
    run history
    [ "${lines[1]}" = "2|2|b|SQL|1" ]
    [ "$(ids_of_a)" = "1 2 3 4 5 6" ]
}

@test "fault: the history insert fails after the script ran" {
    two_migrations
    FLEETWAY_FAULT_INJECT="batch_add:2:$H" run fwf migrate
    assert_status 1
    assert_output_contains "Migration V2__b.sql failed"
    assert_output_contains "injected fault: db_batch_add call 2 failed"
    assert_output_contains "$H"      # the statement that failed: the history insert
    if [ "$KIND" = mysql ]; then
        assert_output_contains "Please restore backups and roll back database and code"
    else
        assert_output_contains "Changes successfully rolled back"
    fi
    v2_failed_then_recovered
}

@test "fault: the history insert fails after DDL on MySQL/MariaDB: the DDL stays, the row says failed" {
    [ "$KIND" = mysql ] || skip "DDL is transactional here (see the test above)"
    five_rows
    write_migration sql V2__b.sql 'CREATE TABLE b (id INT);'
    FLEETWAY_FAULT_INJECT="batch_add:2:$H" run fwf migrate
    assert_status 1
    assert_output_contains "Please restore backups and roll back database and code"
    run history
    [ "${lines[1]}" = "2|2|b|SQL|0" ]
    table_exists b
    # the way out, as for any failed migration there: undo by hand, repair, migrate
    sqlq "$URL" "DROP TABLE b"
    run fw repair
    assert_status 0
    run fw migrate
    assert_status 0
    run history
    [ "${lines[1]}" = "2|2|b|SQL|1" ]
}

@test "fault: COMMIT fails" {
    two_migrations
    FLEETWAY_FAULT_INJECT="commit:2" run fwf migrate
    assert_status 1
    assert_output_contains "Migration V2__b.sql failed"
    assert_output_contains "injected fault: db_commit call 2 failed"
    v2_failed_then_recovered
}

@test "fault: COMMIT refused by the server (a deferred constraint on PostgreSQL)" {
    [ "$KIND" = pg ] || skip "only PostgreSQL checks constraints at COMMIT"
    write_migration sql V1__a.sql 'CREATE TABLE p (id INT PRIMARY KEY);
CREATE TABLE c (p INT REFERENCES p DEFERRABLE INITIALLY DEFERRED);'
    write_migration sql V2__b.sql 'CREATE TABLE b (id INT);
INSERT INTO c VALUES (42);'
    run fw migrate
    assert_status 1
    assert_output_contains "Migration V2__b.sql failed"
    assert_output_contains "violates foreign key constraint"
    assert_output_contains "Changes successfully rolled back"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    run table_exists b
    [ "$status" -ne 0 ]
    [ "$(sqlq "$URL" "SELECT count(*) FROM c")" = 0 ]
}

@test "fault: the lock cannot be released after the migrations are done" {
    two_migrations
    FLEETWAY_FAULT_INJECT="unlock:1" run fwf migrate
    # the work is committed, but a lock left held is not passed over in silence
    assert_status 1
    assert_output_contains "unable to release the migration lock"
    assert_output_contains "2 migrations were applied and recorded in the schema history"
    run history
    [ "${lines[0]}" = "1|1|a|SQL|1" ]
    [ "${lines[1]}" = "2|2|b|SQL|1" ]
    [ "${#lines[@]}" -eq 2 ]
    [ "$(locks_held)" = 0 ]
    # the lock went with the connection: the next run takes it at once
    run fw -lockRetryCount=0 migrate
    assert_status 0
    assert_output_contains "is up to date"
}

@test "fault: the connection drops between two migrations" {
    two_migrations
    # the first call of V2 (its batch) finds the connection gone; so does everything after it
    FLEETWAY_FAULT_INJECT="batch_begin+:2" run fwf migrate
    assert_status 1
    assert_output_contains "connection lost"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    run table_exists b
    [ "$status" -ne 0 ]
    [ "$(ids_of_a)" = "1 2 3 4 5" ]
    [ "$(locks_held)" = 0 ]
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration"
    [ "$(ids_of_a)" = "1 2 3 4 5 6" ]
}

@test "fault: the server ends the session between two migrations" {
    [ "$KIND" != sqlite ] || skip "an SQLite connection cannot be dropped by a server"
    five_rows
    # V2 ends its own session before doing anything else
    if [ "$KIND" = pg ]; then
        write_migration sql V2__b.sql 'SELECT pg_terminate_backend(pg_backend_pid());
CREATE TABLE b (id INT);'
    else
        write_migration sql V2__b.sql 'KILL CONNECTION_ID();
CREATE TABLE b (id INT);'
    fi
    run fw migrate
    assert_status 1
    assert_output_contains "Migration V2__b.sql failed"
    run history
    [ "$output" = "1|1|a|SQL|1" ]
    run table_exists b
    [ "$status" -ne 0 ]
    [ "$(locks_held)" = 0 ]
    # the network is back (V2 without the kill): the next run continues
    write_migration sql V2__b.sql 'CREATE TABLE b (id INT);'
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration"
}

# ---------------------------------------------------------------- one huge statement

@test "memory: a statement of 12-20 MiB is held once by fleetway" {
    if grep -q __asan_init "$FW"; then skip "a sanitizer build measures its own memory"; fi
    [ -x /usr/bin/time ] || skip "/usr/bin/time is not installed (scripts/install-deps.sh)"
    local text=TEXT mb=20
    # MySQL's TEXT holds 64 KiB, and its default max_allowed_packet is 16 MiB
    if [ "$KIND" = mysql ]; then text=LONGTEXT mb=12; fi
    mkdir -p sql
    { echo "CREATE TABLE big (id INT, v $text);"
      printf "INSERT INTO big VALUES (1, '"
      head -c $((mb * 1024 * 1024)) /dev/zero | tr '\0' x
      echo "');"; } >sql/V1__big.sql
    /usr/bin/time -f %M "$FW" migrate >out.log 2>rss.log || { cat out.log rss.log; false; }
    local kib
    kib=$(tail -n 1 rss.log)
    echo "peak RSS $kib KiB"
    [ "$(sqlq "$URL" "SELECT length(v) FROM big")" = $((mb * 1024 * 1024)) ]
    # fleetway's one copy, the client library's own (SQLite: two, libpq: two, libmariadb: none)
    # and 16 MiB for the program; it was one copy more on SQLite and MariaDB
    case $KIND in mysql) copies=1 ;; *) copies=3 ;; esac
    [ "$kib" -lt $(( (copies * mb + 16) * 1024 )) ]
}
