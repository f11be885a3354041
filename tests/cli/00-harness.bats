#!/usr/bin/env bats
# The test harness itself: temp dirs, the three database clients, the throw-away servers'
# users and passwords, and the helpers other tests build on.  Needs no fleetway binary.

load helpers

@test "setup gives a fresh private temp dir as cwd and HOME inside it" {
    [ -d "$T" ]
    [ "$PWD" = "$T" ]
    [ "$HOME" = "$T/home" ]
    [ -z "$(ls "$T/home")" ]
    [[ "$FW" = /* ]]
    [ -z "$(compgen -e | grep '^FLYWAY_' || true)" ]
}

@test "write_migration writes exact content, from an argument or stdin" {
    write_migration sql V1__a.sql 'create table a (id int);'
    [ "$(cat sql/V1__a.sql)" = 'create table a (id int);' ]
    [ "$(wc -c <sql/V1__a.sql)" -eq 25 ]
    write_migration sql/sub R__b.sql - <<'SQL'
-- two lines
select 1;
SQL
    [ "$(wc -l <sql/sub/R__b.sql)" -eq 2 ]
    [ "$(tail -n 1 sql/sub/R__b.sql)" = 'select 1;' ]
    write_migration sql deeper/still/V2__c.sql 'select 2;'
    [ "$(cat sql/deeper/still/V2__c.sql)" = 'select 2;' ]
}

@test "sqlq works on SQLite" {
    url=$(sqlite_url)
    [ "$url" = "jdbc:sqlite:$T/db.sqlite" ]
    sqlq "$url" "create table t (a int, b text); insert into t values (1, 'x'), (2, null);"
    [ "$(sqlq "$url" 'select a, b from t order by a')" = $'1|x\n2|NULL' ]
    run sqlq "$url" 'select * from missing_table'
    [ "$status" -ne 0 ]
}

@test "PostgreSQL is reachable with psql and sqlq" {
    require_pg
    [ "$(psql -XAtq -c 'select 1')" = 1 ]          # PGHOST/PGPORT/PGUSER from the runner
    url=$(pg_url)
    [[ "$url" = "jdbc:postgresql://127.0.0.1:$FW_TEST_PG_PORT/t_00_harness_"* ]]
    sqlq "$url" "create table t (a int, b text); insert into t values (1, 'x'), (2, null)"
    [ "$(sqlq "$url" 'select a, b from t order by a')" = $'1|x\n2|NULL' ]
    [ "$(sqlq "$url" 'select current_database()')" = "${url##*/}" ]
    [ "$(sqlq "$url" 'show server_encoding')" = UTF8 ]
    run sqlq "$url" 'select * from missing_table'
    [ "$status" -ne 0 ]
}

@test "pg_url gives a new empty database each call and another one per suffix" {
    url=$(pg_url)
    sqlq "$url" 'create table leftover (a int)'
    url2=$(pg_url)
    [ "$url" = "$url2" ]
    [ "$(sqlq "$url2" "select count(*) from pg_tables where tablename = 'leftover'")" = 0 ]
    other=$(pg_url b)
    [ "$other" != "$url" ]
    [ "$(sqlq "$other" 'select 1')" = 1 ]
}

@test "PostgreSQL fwsecret needs its password" {
    require_pg
    [ "$(PGPASSWORD="$FW_SECRET_PASSWORD" psql -XAtq -U fwsecret -d postgres -c 'select current_user')" = fwsecret ]
    [ "$(sqlq "jdbc:postgresql://127.0.0.1:$FW_TEST_PG_PORT/postgres?user=fwsecret&password=$FW_SECRET_PASSWORD" \
            'select current_user')" = fwsecret ]
    run env -u PGPASSWORD psql -XAtqw -U fwsecret -d postgres -c 'select 1'
    [ "$status" -ne 0 ]
    assert_output_contains 'no password supplied'
    run env PGPASSWORD=wrong psql -XAtqw -U fwsecret -d postgres -c 'select 1'
    [ "$status" -ne 0 ]
    assert_output_contains 'password authentication failed'
}

@test "MariaDB is reachable with the mariadb client and sqlq" {
    require_mysql
    [ "$(mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" -u fleetway -N -B -e 'select 1')" = 1 ]
    [ "$(mariadb --no-defaults -S "$FW_TEST_MYSQL_SOCKET" -u fleetway -N -B -e 'select 1')" = 1 ]
    [ "$FW_TEST_MYSQL_URL" = "jdbc:mariadb://127.0.0.1:$FW_TEST_MYSQL_PORT/" ]
    url=$(mysql_url)
    sqlq "$url" "create table t (a int, b text); insert into t values (1, 'x'), (2, null)"
    [ "$(sqlq "$url" 'select a, b from t order by a')" = $'1|x\n2|NULL' ]
    [ "$(sqlq "$url" 'select database()')" = "${url##*/}" ]
    [ "$(sqlq "$FW_TEST_MYSQL_URL" 'select database()')" = NULL ]
    [ "$(sqlq "$url" 'select @@character_set_server')" = utf8mb4 ]
    run sqlq "$url" 'select * from missing_table'
    [ "$status" -ne 0 ]
}

@test "the tests run with no locale set, as on a fresh machine" {
    # tests/run-all.sh clears it, so that a test that only passes with a UTF-8 locale fails everywhere
    [ -z "${LANG-}${LC_ALL-}${LC_CTYPE-}${LC_MESSAGES-}" ]
    [ "$(locale charmap 2>/dev/null)" = ANSI_X3.4-1968 ]
}

@test "sqlq reads non-ASCII text back as written, whatever the locale, on every database" {
    local url
    for url in "$(sqlite_url)" "$(pg_url)" "$(mysql_url)"; do
        [ "$(sqlq "$url" "SELECT 'café ☕'")" = 'café ☕' ]
    done
}

@test "MariaDB lets in a client that names no user, whoever runs the tests" {
    require_mysql
    # as the tests' URLs do (PostgreSQL's take PGUSER): the client's default, the login name or root
    run mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" --protocol=tcp -N -B -e 'select 1'
    assert_status 0
    [ "$output" = 1 ]
    run mariadb --no-defaults -S "$FW_TEST_MYSQL_SOCKET" -N -B -e 'select 1'
    assert_status 0
    [ "$output" = 1 ]
}

@test "MariaDB fleetway may grant, fwsecret needs its password" {
    require_mysql
    [ "$(sqlq "$FW_TEST_MYSQL_URL" 'show grants' | grep -c 'WITH GRANT OPTION')" -ge 1 ]
    [ "$(sqlq "${FW_TEST_MYSQL_URL}?user=fwsecret&password=$FW_SECRET_PASSWORD" 'select user()')" = 'fwsecret@127.0.0.1' ]
    run mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" -u fwsecret -N -B -e 'select 1'
    [ "$status" -ne 0 ]
    assert_output_contains 'Access denied'
    run mariadb --no-defaults -h 127.0.0.1 -P "$FW_TEST_MYSQL_PORT" -u fwsecret -pwrong -N -B -e 'select 1'
    [ "$status" -ne 0 ]
}

@test "assert_no_secret finds a secret in output and in files, but not in exempt files" {
    run echo "nothing here"
    assert_no_secret "$FW_SECRET_PASSWORD"
    echo "password=$FW_SECRET_PASSWORD" >flyway.conf
    run assert_no_secret "$FW_SECRET_PASSWORD"
    [ "$status" -ne 0 ]
    assert_output_contains 'flyway.conf'
    output=''
    assert_no_secret "$FW_SECRET_PASSWORD" flyway.conf
    output="leak: $FW_SECRET_PASSWORD"
    run assert_no_secret "$FW_SECRET_PASSWORD" flyway.conf
    [ "$status" -ne 0 ]
    assert_output_contains 'secret leaked into command output'
}

@test "tests needing a missing server are skipped, also from inside \$(...)" {
    cp "$BATS_TEST_DIRNAME/helpers.bash" "$T/"
    # Written with printf: a line starting with @test in this file, even inside a heredoc,
    # would be taken by bats as a test of this file.
    printf '%s\n' 'load helpers' \
        '@''test "direct" { pg_url; false; }' \
        '@''test "substituted" { u=$(mysql_url); false; }' >"$T/inner.bats"
    # A clean environment (the outer bats' BATS_* variables would confuse the inner one), and the
    # public `bats` rather than the internal one bats puts first on PATH.
    run env -i PATH="${PATH//$BATS_LIBEXEC:/}" TMPDIR="${TMPDIR:-/tmp}" bats --tap "$T/inner.bats" 3>&-
    [ "$status" -eq 0 ]
    assert_output_contains 'ok 1 direct # skip PostgreSQL not available'
    assert_output_contains 'ok 2 substituted # skip MariaDB not available'
}
