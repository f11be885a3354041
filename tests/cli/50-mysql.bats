#!/usr/bin/env bats
# MySQL / MariaDB only: the dialect (DELIMITER, backticks, # comments, version comments, backslash
# escapes), procedures that return result sets, recovery after a failed migration that DDL left
# half-applied, URLs without a database, and connection errors without secrets.
# The backend-independent scenarios run on MariaDB through the *-mysql.bats links.

load helpers

setup() {
    fw_setup
    URL=$(mysql_url)
    DB=${URL##*/}
    export FLYWAY_URL=$URL
    export FLYWAY_LOCATIONS=filesystem:$T/sql
}
teardown() { fw_teardown; }

H=flyway_schema_history

# history rows as rank|version|description|type|script|checksum|success
history() {
    sqlq "${1:-$URL}" "SELECT installed_rank, version, description, type, script, checksum, success FROM ${2:-$H} ORDER BY installed_rank"
}

# a database name for this test that teardown drops (for schemas fleetway creates itself)
extra_db() {
    local n
    n=$(fw__dbname "$1")
    sqlq "$FW_TEST_MYSQL_URL" "DROP DATABASE IF EXISTS \`$n\`"
    echo "my $n" >>"$BATS_TEST_TMPDIR/.fw-dbs"
    printf '%s' "$n"
}

@test "DELIMITER: a procedure and a trigger are created, called and fired" {
    write_migration sql V1__counter.sql - <<'SQL'
CREATE TABLE counter (n INT NOT NULL);
INSERT INTO counter VALUES (0);
CREATE TABLE audit (msg VARCHAR(100));

DELIMITER //
CREATE PROCEDURE bump(IN k INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  WHILE i < k DO
    UPDATE counter SET n = n + 1;  -- the trigger writes one audit row each time
    SET i = i + 1;
  END WHILE;
END //
CREATE TRIGGER counter_audit AFTER UPDATE ON counter
FOR EACH ROW
BEGIN
  IF NEW.n > OLD.n THEN
    INSERT INTO audit VALUES (CONCAT('n=', NEW.n));
  END IF;
END//
DELIMITER ;

CALL bump(3);
SQL
    write_migration sql V2__more.sql - <<'SQL'
delimiter $$
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC
BEGIN
  RETURN x * 2;
END$$
delimiter ;
CALL bump(twice(2));
SQL
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 2 migrations"
    [ "$(sqlq "$URL" "SELECT n FROM counter")" = 7 ]
    [ "$(sqlq "$URL" "SELECT GROUP_CONCAT(msg ORDER BY msg SEPARATOR ',') FROM audit")" = "n=1,n=2,n=3,n=4,n=5,n=6,n=7" ]
    [ "$(sqlq "$URL" "SELECT COUNT(*) FROM information_schema.routines WHERE routine_schema = '$DB'")" = 2 ]
    [ "$(sqlq "$URL" "SELECT action_timing, event_manipulation FROM information_schema.triggers WHERE trigger_schema = '$DB' AND trigger_name = 'counter_audit'")" = "AFTER|UPDATE" ]
    # the bodies reached the server whole: the procedure still works after migrate
    sqlq "$URL" "CALL bump(1)"
    [ "$(sqlq "$URL" "SELECT n FROM counter")" = 8 ]
}

@test "backticks, # and -- comments, version comments, backslash escapes and double-quoted strings" {
    write_migration sql V1__lexing.sql - <<'SQL'
# a hash comment; with a semicolon
-- a dash comment; with a semicolon
CREATE TABLE `we;ird` (`col;1` INT, `a``b` VARCHAR(50)) /*!40101 ENGINE=InnoDB */ /*!99999 NOT SQL; AT ALL */;
/* a block comment; with a semicolon */
INSERT INTO `we;ird` VALUES (1, 'it\'s; here'), (2, "dq \"x\"; y"), (3, 'back\\slash;'); # trailing ; comment
INSERT INTO `we;ird` VALUES (4, 'a -- b; # c'), (5, 'two''quotes;');
/*!50001 INSERT INTO `we;ird` VALUES (6, 'versioned;') */;
/*M!100100 INSERT INTO `we;ird` VALUES (7, 'mariadb only;') */;
SQL
    run fw migrate
    assert_status 0
    run sqlq "$URL" 'SELECT `col;1`, `a``b` FROM `we;ird` ORDER BY 1'
    assert_status 0
    [ "${lines[0]}" = "1|it's; here" ]
    [ "${lines[1]}" = '2|dq "x"; y' ]
    [ "${lines[2]}" = '3|back\slash;' ]
    [ "${lines[3]}" = '4|a -- b; # c' ]
    [ "${lines[4]}" = "5|two'quotes;" ]
    [ "${lines[5]}" = '6|versioned;' ]
    [ "${lines[6]}" = '7|mariadb only;' ]
    [ "${#lines[@]}" -eq 7 ]
    [ "$(sqlq "$URL" "SELECT engine FROM information_schema.tables WHERE table_schema = '$DB' AND table_name = 'we;ird'")" = InnoDB ]
}

@test "CALL returning result sets: results are drained and printed, later statements still run" {
    write_migration sql V1__proc.sql - <<'SQL'
CREATE TABLE t (id INT);
INSERT INTO t VALUES (1), (2);
DELIMITER //
CREATE PROCEDURE two_sets()
BEGIN
  SELECT COUNT(*) AS how_many FROM t;
  SELECT 'second set' AS label;
END//
DELIMITER ;
CALL two_sets();
INSERT INTO t VALUES (3);
CALL two_sets();
INSERT INTO t VALUES (4);
SQL
    write_migration sql V2__after.sql - <<'SQL'
CALL two_sets();
CREATE TABLE after_call (id INT);
INSERT INTO after_call SELECT MAX(id) FROM t;
SQL
    run fw migrate
    assert_status 0
    assert_output_not_contains "out of sync"
    assert_output_contains "Successfully applied 2 migrations"
    # Flyway prints every result set of a statement (outputQueryResults)
    assert_output_contains "| how_many |"
    [ "$(grep -c '| second set |' <<<"$output")" -eq 3 ]
    [[ "$output" == *"| 2        |"*"| 3        |"*"| 4        |"* ]]
    [ "$(sqlq "$URL" "SELECT GROUP_CONCAT(id ORDER BY id) FROM t")" = "1,2,3,4" ]
    [ "$(sqlq "$URL" "SELECT id FROM after_call")" = 4 ]
    run history
    [ "${#lines[@]}" -eq 2 ]
    [[ "${lines[1]}" == "2|2|after|SQL|V2__after.sql|"*"|1" ]]
    # -outputQueryResults=false: nothing printed, still drained
    write_migration sql V3__again.sql 'CALL two_sets();
INSERT INTO t VALUES (5);'
    run fw -outputQueryResults=false migrate
    assert_status 0
    assert_output_not_contains "second set"
    [ "$(sqlq "$URL" "SELECT MAX(id) FROM t")" = 5 ]
}

@test "a failed migration whose DDL stayed: recorded, migrate and validate refuse, repair after a manual fix" {
    write_migration sql V1__base.sql 'CREATE TABLE base (id INT);'
    write_migration sql V2__ab.sql - <<'SQL'
CREATE TABLE a (id INT);
CREATE TABLE b (id INT,, oops);
SQL
    run fw migrate
    assert_status 1
    assert_output_contains "Migration V2__ab.sql failed"
    assert_output_contains "Line       : 2"
    assert_output_contains "near ' oops)' at line 1"   # the server's quote ends with the statement
    assert_output_not_contains "INSERT INTO"
    # reference 4.4/14.17: a row with success=0 carrying the file's version, description, type, checksum
    run history
    [ "${lines[0]}" = "1|1|base|SQL|V1__base.sql|932056158|1" ]
    [[ "${lines[1]}" == "2|2|ab|SQL|V2__ab.sql|"*"|0" ]]
    [ "${#lines[@]}" -eq 2 ]
    failed_sum=$(sqlq "$URL" "SELECT checksum FROM $H WHERE version = '2'")
    [ -n "$failed_sum" ] && [ "$failed_sum" != NULL ]
    # DDL committed itself: a exists, b does not
    sqlq "$URL" "SELECT COUNT(*) FROM a"
    run sqlq "$URL" "SELECT COUNT(*) FROM b"
    [ "$status" -ne 0 ]
    run fw info
    assert_output_contains "| Versioned | 2       | ab          | SQL  |"
    assert_output_contains "Failed"
    assert_output_contains "Schema version: 2"

    # fixed file, history not repaired: both refuse with Flyway's message and hint
    write_migration sql V2__ab.sql - <<'SQL'
CREATE TABLE a (id INT);
CREATE TABLE b (id INT, note VARCHAR(20));
SQL
    for cmd in migrate validate; do
        run fw "$cmd"
        assert_status 1
        assert_output_contains "Validate failed: Migrations have failed validation"
        assert_output_contains "Detected failed migration to version 2 (ab)."
        assert_output_contains "Please remove any half-completed changes then run repair to fix the schema history."
    done
    [ "$(sqlq "$URL" "SELECT COUNT(*) FROM $H")" = 2 ]

    # the user's way out: undo the half-applied change, repair, migrate
    sqlq "$URL" "DROP TABLE a"
    run fw repair
    assert_status 0
    assert_output_contains "Successfully removed 1 failed migration"
    run history
    [ "${#lines[@]}" -eq 1 ]
    run fw migrate
    assert_status 0
    assert_output_contains "Successfully applied 1 migration to schema \`$DB\`, now at version v2"
    run history
    [ "${lines[0]}" = "1|1|base|SQL|V1__base.sql|932056158|1" ]
    [[ "${lines[1]}" == "2|2|ab|SQL|V2__ab.sql|"*"|1" ]]
    [ "${#lines[@]}" -eq 2 ]
    [ "$(sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE success = 0")" = 0 ]
    # the stored checksum is the fixed file's: the same file on SQLite gets the same value
    fixed_sum=$(sqlq "$URL" "SELECT checksum FROM $H WHERE version = '2'")
    [ "$fixed_sum" != "$failed_sum" ]
    run fw -url="$(sqlite_url)" migrate
    assert_status 0
    [ "$(sqlq "$(sqlite_url)" "SELECT checksum FROM $H WHERE version = '2'")" = "$fixed_sum" ]
    run fw info
    assert_output_not_contains "Failed"
    [ "$(grep -c '| Success |' <<<"$output")" -eq 2 ]
    run fw validate
    assert_status 0
    sqlq "$URL" "SELECT COUNT(*) FROM a"
    sqlq "$URL" "SELECT COUNT(note) FROM b"
}

@test "URL without a database: schemas=[app] is created, marked, and migrations run inside it" {
    app=$(extra_db app)
    write_migration sql V1__t.sql - <<'SQL'
CREATE TABLE t (id INT);
INSERT INTO t VALUES (DATABASE() IS NOT NULL);
CREATE TABLE where_am_i AS SELECT DATABASE() AS db;
SQL
    cat >flyway.toml <<EOF
[environments.default]
url = "jdbc:mysql://127.0.0.1:$FW_TEST_MYSQL_PORT/"
user = "fleetway"
schemas = ["$app"]
EOF
    unset FLYWAY_URL
    run fw migrate
    assert_status 0
    assert_output_contains "Creating schema \`$app\` ..."
    assert_output_contains "Successfully applied 1 migration to schema \`$app\`, now at version v1"
    appurl="jdbc:mariadb://127.0.0.1:$FW_TEST_MYSQL_PORT/$app"
    [ "$(sqlq "$appurl" "SELECT db FROM where_am_i")" = "$app" ]
    [ "$(sqlq "$appurl" "SELECT id FROM t")" = 1 ]
    run history "$appurl"
    [ "${lines[0]}" = "0|NULL|<< Flyway Schema Creation >>|SCHEMA|\`$app\`|NULL|1" ]
    [[ "${lines[1]}" == "1|1|t|SQL|V1__t.sql|"*"|1" ]]
    [ "${#lines[@]}" -eq 2 ]
    # the URL's (absent) database got nothing
    [ "$(sqlq "$FW_TEST_MYSQL_URL" "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'where_am_i'")" = 1 ]
    run fw info
    assert_status 0
    assert_output_contains "Schema version: 1"
}

@test "defaultSchema beats the URL's database; no path at all; createSchemas=false refuses" {
    other=$(extra_db other)
    write_migration sql V1__t.sql 'CREATE TABLE t (id INT);'
    # the URL names this test's database, defaultSchema another one: Flyway works in defaultSchema
    run fw -defaultSchema="$other" migrate
    assert_status 0
    otherurl="jdbc:mariadb://127.0.0.1:$FW_TEST_MYSQL_PORT/$other"
    sqlq "$otherurl" "SELECT COUNT(*) FROM t"
    sqlq "$otherurl" "SELECT COUNT(*) FROM $H"
    run sqlq "$URL" "SELECT COUNT(*) FROM t"
    [ "$status" -ne 0 ]
    # no path after host:port: the schema is used once it exists; a second migration lands there too
    write_migration sql V2__u.sql 'CREATE TABLE u (id INT);'
    run fw -url="jdbc:mysql://127.0.0.1:$FW_TEST_MYSQL_PORT" -defaultSchema="$other" migrate
    assert_status 0
    sqlq "$otherurl" "SELECT COUNT(*) FROM u"
    [ "$(sqlq "$otherurl" "SELECT COUNT(*) FROM $H")" = 3 ]
    # createSchemas=false and a schema that does not exist: nothing is created anywhere
    third=$(extra_db third)
    run fw -url="jdbc:mysql://127.0.0.1:$FW_TEST_MYSQL_PORT" -defaultSchema="$third" -createSchemas=false migrate
    [ "$status" -ne 0 ]
    assert_output_contains "The configuration option 'createSchemas' is false."
    assert_output_contains "Unknown database '$third'"
    [ "$(sqlq "$FW_TEST_MYSQL_URL" "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '$third'")" = 0 ]
}

@test "a migration that switches database with USE does not move the next migration" {
    other=$(extra_db other)
    write_migration sql V1__elsewhere.sql "CREATE DATABASE \`$other\`;
USE \`$other\`;
CREATE TABLE there (id INT);"
    write_migration sql V2__here.sql 'CREATE TABLE here (id INT);'
    run fw migrate
    assert_status 0
    sqlq "jdbc:mariadb://127.0.0.1:$FW_TEST_MYSQL_PORT/$other" "SELECT COUNT(*) FROM there"
    sqlq "$URL" "SELECT COUNT(*) FROM here"
    [ "$(sqlq "$URL" "SELECT COUNT(*) FROM $H WHERE success = 1")" = 2 ]
}

@test "the password in URL or config never shows, also with -X and on connection errors" {
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'
    pwurl="${URL}?user=$FW_SECRET_USER&password=$FW_SECRET_PASSWORD"
    run fw -X -url="$pwurl" migrate info
    assert_status 0
    assert_output_contains "Successfully applied 1 migration"
    assert_output_contains "password=***"
    assert_no_secret "$FW_SECRET_PASSWORD"
    [ "$(sqlq "$URL" "SELECT installed_by FROM $H")" = "$FW_SECRET_USER" ]
    # user:password@ form, unknown database: the server's error is shown, the password is not
    run fw -X -url="jdbc:mysql://$FW_SECRET_USER:$FW_SECRET_PASSWORD@127.0.0.1:$FW_TEST_MYSQL_PORT/no_such_db_here" info
    assert_status 1
    assert_output_contains "Unknown database 'no_such_db_here'"
    assert_no_secret "$FW_SECRET_PASSWORD"
    # the password in a config file; the JSON error too
    cat >flyway.toml <<EOF
[environments.default]
url = "jdbc:mariadb://127.0.0.1:$FW_TEST_MYSQL_PORT/no_such_db_here"
user = "$FW_SECRET_USER"
password = "$FW_SECRET_PASSWORD"
EOF
    unset FLYWAY_URL
    run fw -outputType=json info
    [ "$status" -ne 0 ]
    assert_output_contains "no_such_db_here"
    assert_no_secret "$FW_SECRET_PASSWORD" flyway.toml
    # a wrong password is a secret too
    run fw -url="$URL" -user="$FW_SECRET_USER" -password="Wr0ng-$FW_SECRET_PASSWORD" info
    assert_status 1
    assert_output_contains "Access denied"
    assert_no_secret "Wr0ng-$FW_SECRET_PASSWORD" flyway.toml
}

@test "connectRetries against a port nobody listens on: retries, then names host:port" {
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    start=$(date +%s%N)
    run fw -url="jdbc:mysql://127.0.0.1:$port/db?user=$FW_SECRET_USER&password=$FW_SECRET_PASSWORD" -connectRetries=2 info
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    assert_status 1
    assert_output_contains "unable to connect to jdbc:mysql://127.0.0.1:$port/db"
    assert_output_contains "is a server listening on 127.0.0.1:$port?"
    assert_no_secret "$FW_SECRET_PASSWORD"
    # two retries after waits of 1 s and 2 s, and not much more
    [ "$elapsed_ms" -ge 2900 ] && [ "$elapsed_ms" -lt 15000 ]
}

@test "clean drops the databases Flyway created and warns about an unknown one" {
    s1=$(extra_db s1)
    s2=$(extra_db s2)
    write_migration sql V1__a.sql "CREATE TABLE t1 (id INT);
CREATE TABLE \`$s2\`.t2 (id INT);
CREATE VIEW v1 AS SELECT id FROM t1;"
    run fw -schemas="$s1,$s2" migrate
    assert_status 0
    [ "$(sqlq "$FW_TEST_MYSQL_URL" "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$s1' AND table_name IN ('t1', 'v1')")" = 2 ]
    run history "jdbc:mariadb://127.0.0.1:$FW_TEST_MYSQL_PORT/$s1"
    [ "${lines[0]}" = "0|NULL|<< Flyway Schema Creation >>|SCHEMA|\`$s1\`,\`$s2\`|NULL|1" ]
    run fw -schemas="$s1,$s2" -cleanDisabled=false clean
    assert_status 0
    assert_output_contains "Successfully dropped schema \`$s1\`"
    assert_output_contains "Successfully dropped schema \`$s2\`"
    [ "$(sqlq "$FW_TEST_MYSQL_URL" "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name IN ('$s1', '$s2')")" = 0 ]
    # the URL's own database, not created by Flyway: emptied, kept; an unknown one only warned about
    write_migration sql V1__a.sql 'CREATE TABLE t1 (id INT);'
    run fw migrate
    assert_status 0
    run fw -schemas="$DB,no_such_schema_here" -cleanDisabled=false clean
    assert_status 0
    assert_output_contains "Unable to clean unknown schema"
    [ "$(sqlq "$FW_TEST_MYSQL_URL" "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$DB'")" = 0 ]
    [ "$(sqlq "$FW_TEST_MYSQL_URL" "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '$DB'")" = 1 ]
}
