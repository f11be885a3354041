#!/usr/bin/env bats
# A statement's notices and warnings from the server, printed as Flyway prints them: a plain
# notice (SQL state 00000) as "DB: ...", anything else as "WARNING: DB: ... (SQL State: ... - Error
# Code: ...)". PostgreSQL sends them as NOTICE/WARNING messages.

load helpers

@test "PostgreSQL notices and warnings of a migration are printed as Flyway prints them" {
    URL=$(pg_url)
    write_migration sql V1__notices.sql - <<'SQL'
DROP TABLE IF EXISTS not_there;
DO $$ BEGIN RAISE WARNING 'careful: %', 42; END $$;
CREATE TABLE t (id INT);
SQL
    run fw -url="$URL" -locations=filesystem:sql migrate
    assert_status 0
    assert_output_contains 'DB: table "not_there" does not exist, skipping'
    assert_output_contains 'WARNING: DB: careful: 42 (SQL State: 01000 - Error Code: 0)'
    # the notice comes after the migration that caused it was announced
    [[ $output == *'to version "1 - notices"'*'DB: table "not_there"'* ]]
    # fleetway's own statements say nothing: a second run is quiet
    run fw -url="$URL" -locations=filesystem:sql migrate
    assert_status 0
    assert_output_not_contains 'DB:'
}
