#!/usr/bin/env bats
# diff, diffText, generate, model: migrations written from the schema model.
# The issue's series of model edits, each generated (and proved by generate on a scratch copy),
# reviewed here, applied with `fleetway migrate` to the database the migrations built, and then
# diffed against the model: empty every time.
# One file, several backends: 70-generate-{pg,mysql}.bats are links to this file.

load helpers
bats_require_minimum_version 1.5.0

setup() {
    fw_backend_setup
    # the artefact of each diff, for the verbs after it (as Flyway: diff.artifactFilename)
    printf '[flyway.diff]\nartifactFilename = "a.diff"\n' >flyway.toml
    M=schema-model/$SCHEMA
}
teardown() { fw_teardown; }

# the start: two tables, a foreign key, a view over one, a row
base() {
    write_migration sql V1__init.sql - <<'EOF'
CREATE TABLE customer (id INT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, amount INT);
CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, customer_id INT, total INT,
    CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id));
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
INSERT INTO customer (id, name, amount) VALUES (1, 'ann', 5);
INSERT INTO orders (id, customer_id, total) VALUES (1, 1, 50);
EOF
    run fw migrate
    assert_status 0
    # the schema model, written from the migrations
    run fw diff model -diff.source=migrations -diff.target=schemaModel
    assert_status 0
    assert_output_contains "Written: $T/$M/tables/customer.sql"
}

# model FILE: the file of the schema model, from stdin
model() {
    mkdir -p "$(dirname "$M/$1")"
    cat >"$M/$1"
}

# generate DESCRIPTION [more settings]: a proved migration from the model; the script in $SCRIPT
generate() {
    local desc=$1; shift
    run fw diff generate -diff.source=schemaModel -diff.target=migrations -generate.description="$desc" "$@"
    assert_status 0
    assert_output_contains "Proved on a scratch copy of migrations: the result is schemaModel"
    SCRIPT=$(ls sql/V*__"$desc".sql)
    [ -f "$SCRIPT" ]
}

# the generated migrations applied, and the model and the database the same
apply_and_compare() {
    run fw migrate
    assert_status 0
    run fw diff -diff.source=schemaModel -diff.target=default
    assert_status 0
    assert_output_contains "No differences found"
}

customer_table() { # customer's file with more columns / clauses in $1
    model tables/customer.sql <<EOF
CREATE TABLE customer (id INT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, amount INT$1);
EOF
}

@test "diff prints Flyway's table and writes the artefact; diffText shows before and after" {
    base
    customer_table ", note VARCHAR(20)"
    run fw diff -diff.source=schemaModel -diff.target=migrations
    assert_status 0
    assert_output_contains "diff artifact generated: $T/a.diff"
    assert_output_contains "| Id "
    assert_output_contains "| Change | Object Type | Schema"
    assert_output_contains "| Edit   | Table       | $SCHEMA"
    [ -f a.diff ]
    run fw diffText
    assert_status 0
    assert_output_contains "note"
    assert_output_contains "in the source"
    run fw -outputType=json diff -diff.source=schemaModel -diff.target=migrations
    assert_status 0
    echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
[c] = d["differences"]
assert c["differenceType"] == "Edit" and c["objectType"] == "Table", c
assert c["from"]["name"] == "customer" and "note" in c["from"]["definition"], c
assert "note" not in c["to"]["definition"], c
assert any("column note: added" in x for x in c["details"]), c
'
}

@test "a new table" {
    base
    model tables/note.sql <<'EOF'
CREATE TABLE note (id INT NOT NULL PRIMARY KEY, body VARCHAR(200));
EOF
    generate new_table
    grep -qi "CREATE TABLE.*note" "$SCRIPT"
    apply_and_compare
}

@test "a new column with a default" {
    base
    customer_table ", status VARCHAR(10) NOT NULL DEFAULT 'new'"
    generate new_column
    grep -q "ADD COLUMN" "$SCRIPT"
    apply_and_compare
    [ "$(sqlq "$URL" "SELECT status FROM customer WHERE id = 1")" = new ]
}

@test "NOT NULL on a table with rows: a hazard, and the row keeps its value" {
    base
    model tables/customer.sql <<'EOF'
CREATE TABLE customer (id INT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, amount INT NOT NULL);
EOF
    generate not_null
    case $KIND in
        pg) grep -q "SET NOT NULL" "$SCRIPT"; grep -q "HAZARD FW108" "$SCRIPT" ;;
        sqlite) grep -q "customer__fleetway_new" "$SCRIPT"; grep -q "HAZARD FW108" "$SCRIPT" ;;
        mysql) grep -q "MODIFY COLUMN" "$SCRIPT"; grep -q "HAZARD FW108" "$SCRIPT" ;;
    esac
    apply_and_compare
    [ "$(sqlq "$URL" "SELECT amount FROM customer WHERE id = 1")" = 5 ]
}

@test "a type change under a view: the view goes before and comes back after" {
    base
    model tables/orders.sql <<'EOF'
CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, customer_id INT, total BIGINT,
    CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id));
EOF
    generate type_under_view
    # the view is dropped before the column changes and created after it
    drop=$(grep -n "DROP VIEW" "$SCRIPT" | head -1 | cut -d: -f1)
    create=$(grep -n "CREATE.*VIEW" "$SCRIPT" | head -1 | cut -d: -f1)
    [ -n "$drop" ] && [ -n "$create" ] && [ "$drop" -lt "$create" ]
    grep -q "HAZARD FW103" "$SCRIPT"
    apply_and_compare
}

@test "a renamed column with the annotation keeps its data; without it, a drop and an add" {
    base
    model tables/customer.sql <<'EOF'
CREATE TABLE customer (
    id INT NOT NULL PRIMARY KEY,
    -- fleetway:renamed_from name
    full_name VARCHAR(50) NOT NULL,
    amount INT
);
EOF
    run fw diff -diff.source=schemaModel -diff.target=migrations
    assert_output_contains "Rename declared at schema-model/$SCHEMA/tables/customer.sql:3: column customer.full_name was name"
    generate renamed
    grep -q "RENAME COLUMN" "$SCRIPT"
    run grep -c "DROP COLUMN" "$SCRIPT"
    [ "$output" = 0 ]
    apply_and_compare
    [ "$(sqlq "$URL" "SELECT full_name FROM customer WHERE id = 1")" = ann ]
    # never guessed: the same change without the annotation drops a column and adds one
    model tables/customer.sql <<'EOF'
CREATE TABLE customer (id INT NOT NULL PRIMARY KEY, amount INT, label VARCHAR(50));
EOF
    generate guessed_not
    run grep -c "RENAME COLUMN" "$SCRIPT"
    [ "$output" = 0 ]
    grep -q "HAZARD FW106" "$SCRIPT"
}

@test "sqldef's and Atlas's annotations are read too" {
    base
    model tables/customer.sql <<'EOF'
CREATE TABLE customer (
    id INT NOT NULL PRIMARY KEY,
    full_name VARCHAR(50) NOT NULL, -- @renamed from=name
    amount INT
);
EOF
    model tables/orders.sql <<'EOF'
-- atlas:renamed_from orders
CREATE TABLE purchase (id INT NOT NULL PRIMARY KEY, customer_id INT, total INT,
    CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id));
EOF
    model views/big_orders.sql <<'EOF'
CREATE VIEW big_orders AS SELECT id, total FROM purchase WHERE total > 100;
EOF
    generate renamed_table
    grep -q "RENAME COLUMN" "$SCRIPT"
    grep -Eq "RENAME TO .?purchase" "$SCRIPT"
    apply_and_compare
}

@test "a dropped column is a hazard: a comment in the script and a check -code finding" {
    base
    model tables/orders.sql <<'EOF'
CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, customer_id INT,
    CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id));
EOF
    model views/big_orders.sql <<'EOF'
CREATE VIEW big_orders AS SELECT id FROM orders;
EOF
    run fw diff generate -diff.source=schemaModel -diff.target=default -generate.description=drop_column
    assert_status 0
    SCRIPT=$(ls sql/V*__drop_column.sql)
    grep -q "HAZARD FW106: Table orders: column total is dropped: its values are lost" "$SCRIPT"
    assert_output_contains "hazard FW106 Table orders: column total is dropped"
    assert_output_contains "warning FW106"
    run --separate-stderr fw -outputType=json diff generate -diff.source=schemaModel -diff.target=default \
        -generate.description=again
    assert_status 0
    echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)["individualResults"][1]
assert d["operation"] == "generate", d
assert any("FW106" in h for h in d["hazards"]), d
codes = [v["code"] for r in d["results"] for v in r["violations"]]
assert "FW106" in codes, d
[s] = d["scripts"]
assert s["type"] == "versioned" and s["location"].endswith("__again.sql"), s
'
    rm sql/V*__again.sql
    apply_and_compare
    # check -code on the file says it too
    run fw check -code
    assert_status 0
}

@test "from the migrations, a drop is a hazard even where they put no rows: production may hold some" {
    base
    write_migration sql V2__notes.sql 'CREATE TABLE notes (id INT NOT NULL PRIMARY KEY, body VARCHAR(80));'
    run fw migrate
    assert_status 0
    model tables/notes.sql <<'EOF'
CREATE TABLE notes (id INT NOT NULL PRIMARY KEY);
EOF
    generate drop_body
    grep -q "HAZARD FW106: Table notes: column body is dropped (if the table holds rows): its values are lost" "$SCRIPT"
}

@test "a new index: on PostgreSQL CONCURRENTLY, in a migration of its own outside a transaction" {
    base
    model tables/customer.sql <<'EOF'
CREATE TABLE customer (id INT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, amount INT);
CREATE INDEX customer_name ON customer (name);
EOF
    run fw diff generate -diff.source=schemaModel -diff.target=migrations -generate.description=index
    assert_status 0
    if [ "$KIND" = pg ]; then
        # nothing else changes: the one migration is the one outside a transaction
        [ "$(ls sql)" = "$(printf 'V1__init.sql\nV2__index_outside_transaction.sql\nV2__index_outside_transaction.sql.conf')" ]
        grep -q "CREATE INDEX CONCURRENTLY customer_name" sql/V2__index_outside_transaction.sql
        [ "$(cat sql/V2__index_outside_transaction.sql.conf)" = "executeInTransaction=false" ]
    else
        grep -q "CREATE INDEX" sql/V2__index.sql
    fi
    apply_and_compare
}

@test "a change SQLite's ALTER TABLE cannot make: the documented rebuild, foreign keys checked" {
    base
    model tables/customer.sql <<'EOF'
CREATE TABLE customer (id INT NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL, amount INT,
    CONSTRAINT amount_positive CHECK (amount >= 0));
EOF
    generate check_constraint
    if [ "$KIND" = sqlite ]; then
        # customer is referenced by orders: foreign keys off, outside the migration's transaction
        grep -q "PRAGMA foreign_keys = OFF" "$SCRIPT"
        grep -q "INSERT INTO customer__fleetway_new" "$SCRIPT"
        grep -q "pragma_foreign_key_check" "$SCRIPT"
        [ "$(cat "$SCRIPT.conf")" = "executeInTransaction=false" ]
    else
        grep -q "ADD CONSTRAINT" "$SCRIPT"
    fi
    apply_and_compare
    [ "$(sqlq "$URL" "SELECT name FROM customer WHERE id = 1")" = ann ]
    [ "$(sqlq "$URL" "SELECT customer_id FROM orders WHERE id = 1")" = 1 ]
}

@test "a foreign-key cycle between new tables" {
    base
    if [ "$KIND" = sqlite ]; then
        model tables/author.sql <<'EOF'
CREATE TABLE author (id INT NOT NULL PRIMARY KEY, best_book INT REFERENCES book (id));
EOF
        model tables/book.sql <<'EOF'
CREATE TABLE book (id INT NOT NULL PRIMARY KEY, author_id INT REFERENCES author (id));
EOF
    else
        model tables/author.sql <<'EOF'
CREATE TABLE author (id INT NOT NULL PRIMARY KEY, best_book INT);
ALTER TABLE author ADD CONSTRAINT author_best_book FOREIGN KEY (best_book) REFERENCES book (id);
EOF
        model tables/book.sql <<'EOF'
CREATE TABLE book (id INT NOT NULL PRIMARY KEY, author_id INT,
    CONSTRAINT book_author FOREIGN KEY (author_id) REFERENCES author (id));
EOF
    fi
    generate cycle
    if [ "$KIND" != sqlite ]; then
        # the tables first, the foreign keys after both exist
        table=$(grep -n "CREATE TABLE.*book" "$SCRIPT" | cut -d: -f1)
        fk=$(grep -n "ADD CONSTRAINT.*author_best_book" "$SCRIPT" | cut -d: -f1)
        [ "$table" -lt "$fk" ]
    fi
    apply_and_compare
    # and both taken away again: the cycle is broken first
    rm "$M/tables/author.sql" "$M/tables/book.sql"
    generate uncycle
    apply_and_compare
}

@test "a function's body changes (PostgreSQL)" {
    [ "$KIND" = pg ] || skip "functions: PostgreSQL"
    base
    write_migration sql V2__fn.sql "CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x + 1';"
    run fw migrate
    assert_status 0
    model "functions/add_one(integer).sql" <<'EOF'
CREATE OR REPLACE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x + 2';
EOF
    generate fn_body
    grep -q "CREATE OR REPLACE FUNCTION add_one" "$SCRIPT"
    apply_and_compare
    [ "$(sqlq "$URL" "SELECT add_one(1)")" = 3 ]
}

@test "versioned and undo: the undo is proved too, and undo takes the change back" {
    base
    customer_table ", note VARCHAR(20)"
    run fw diff generate -diff.source=schemaModel -diff.target=migrations -generate.types=versioned,undo \
        -generate.description=with_undo
    assert_status 0
    [ -f sql/V2__with_undo.sql ] && [ -f sql/U2__with_undo.sql ]
    grep -q "DROP COLUMN" sql/U2__with_undo.sql
    # the undo drops the new column: its own hazard, said as the undo's
    assert_output_contains "hazard FW106 Table customer: column note is dropped"
    assert_output_contains "(in the undo migration)"
    apply_and_compare
    run fw undo
    assert_status 0
    run fw diff -diff.source=migrations -diff.target=default -diff.buildVersion=1
    assert_status 0
    assert_output_contains "No differences found"
}

@test "nothing written that the proof refuses; nothing to do is no error" {
    base
    run fw diff generate -diff.source=schemaModel -diff.target=migrations
    assert_status 0
    assert_output_contains "No differences between schemaModel and migrations: no migration generated"
    [ "$(ls sql)" = V1__init.sql ]
    if [ "$KIND" = pg ]; then
        # PostgreSQL cannot put a column between others: said, and nothing is written
        model tables/customer.sql <<'EOF'
CREATE TABLE customer (id INT NOT NULL PRIMARY KEY, inserted VARCHAR(5), name VARCHAR(50) NOT NULL, amount INT);
EOF
        run fw diff generate -diff.source=schemaModel -diff.target=migrations
        assert_status 1
        assert_output_contains "generate cannot express 1 of the changes; nothing was written"
        assert_output_contains "column name would have to move"
        [ "$(ls sql)" = V1__init.sql ]
    fi
}

@test "generate.changes carries out the chosen differences only" {
    base
    customer_table ", note VARCHAR(20)"
    model tables/extra.sql <<'EOF'
CREATE TABLE extra (id INT NOT NULL PRIMARY KEY);
EOF
    run fw -outputType=json diff -diff.source=schemaModel -diff.target=migrations
    id=$(echo "$output" | python3 -c '
import json, sys
print([c["id"] for c in json.load(sys.stdin)["differences"] if c["from"] and c["from"]["name"] == "extra"][0])')
    run fw generate -generate.changes="$id" -generate.description=only_extra
    assert_status 0
    grep -qi "CREATE TABLE.*extra" sql/V2__only_extra.sql
    run grep -c "note" sql/V2__only_extra.sql
    [ "$output" = 0 ]
    run fw generate -generate.changes=0000000000000000
    assert_status 2
    assert_output_contains "generate.changes: no difference has the id 0000000000000000"
}

@test "bad settings and missing artefacts: one clear error, nothing written" {
    base
    run fw diff -diff.target=migrations
    assert_status 2
    assert_output_contains "diff.source is not set"
    run fw diff -diff.source=nowhere -diff.target=migrations
    assert_status 2
    assert_output_contains "Environment 'nowhere' not found"
    run fw -diff.artifactFilename=missing.diff generate
    assert_status 1
    assert_output_contains "no diff artifact at $T/missing.diff"
    run fw diff -diff.source=schemaModel -diff.target=migrations
    assert_status 0
    run fw generate -generate.types=versioned,sideways
    assert_status 2
    assert_output_contains "generate.types: unknown type 'sideways'"
    run fw generate -generate.target=prod
    assert_status 2
    assert_output_contains "generate.target=prod is neither the diff's source (schemaModel) nor its target (migrations)"
    run fw model -diff.artifactFilename=a.diff
    assert_status 0
    [ "$(ls sql)" = V1__init.sql ]
    # Flyway's keys fleetway does not act on are said to have no effect, not ignored in silence
    run fw generate -generate.versionedFilename=mine.sql -generate.force=true
    assert_output_contains "WARNING: generate.versionedFilename is set, but fleetway does not act on it: it has no effect"
    run fw diff -diff.source=schemaModel -diff.target=migrations -diff.rebuild=true
    assert_status 0
    assert_output_contains "WARNING: diff.rebuild is set, but fleetway does not act on it: it has no effect"
}

@test "a version that is taken already under another name is refused, for a migration and its undo" {
    base
    customer_table ", email VARCHAR(80)"
    run fw diff generate -diff.source=schemaModel -diff.target=migrations -generate.version=1 -generate.description=email
    assert_status 2
    assert_output_contains "ERROR: V1__email.sql would have the version of V1__init.sql, which is there already; nothing was written"
    write_migration sql U1__by_hand.sql 'SELECT 1;'
    run fw diff generate -diff.source=schemaModel -diff.target=migrations -generate.types=undo
    assert_status 2
    assert_output_contains "ERROR: U1.sql would have the version of U1__by_hand.sql, which is there already"
    [ "$(ls sql | paste -sd' ')" = "U1__by_hand.sql V1__init.sql" ]
}

@test "triggers whose bodies hold several statements: each generated whole, proved and applied" {
    [ "$KIND" = sqlite ] || skip "SQLite's trigger bodies are BEGIN ... END blocks in the model"
    base
    model tables/audit.sql <<'EOF'
CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);

CREATE TRIGGER orders_ins AFTER INSERT ON orders BEGIN
    INSERT INTO audit (what) VALUES ('insert');
    INSERT INTO audit (what) VALUES (CASE WHEN new.total > 100 THEN 'big' ELSE 'small' END);
END;

CREATE TRIGGER orders_del AFTER DELETE ON orders BEGIN
    INSERT INTO audit (what) VALUES ('delete');
    DELETE FROM audit WHERE id < 0;
END;
EOF
    generate audit_triggers
    apply_and_compare
    sqlq "$URL" "INSERT INTO orders (id, customer_id, total) VALUES (2, 1, 500)"
    [ "$(sqlq "$URL" "SELECT group_concat(what, ',') FROM audit")" = "insert,big" ]
}

@test "the model folder as a snapshot and as check -changes: what it would change on the database" {
    base
    customer_table ", note VARCHAR(20)"
    run fw check -changes -changesSource=schemaModel
    assert_status 0
    assert_output_contains "Changes the schema model makes to the target's schema, as it is now:"
    assert_output_contains "Table customer: changed"
    generate note
    apply_and_compare
    # once migrated, the folder and the migrations make the same schema: one fingerprint
    run fw snapshot -snapshot.source=schemaModel -snapshot.filename=model.json
    assert_status 0
    run fw snapshot -snapshot.source=migrations -snapshot.filename=migrations.json
    assert_status 0
    python3 -c '
import json
a, b = (json.load(open(f)) for f in ("model.json", "migrations.json"))
assert [s["fingerprint"] for s in a["schemas"]] == [s["fingerprint"] for s in b["schemas"]], (a["schemas"], b["schemas"])
'
    run fw check -changes -changesSource=schemaModel
    assert_status 0
    assert_output_contains "No object changes"
}

@test "a rename annotation that annotates nothing is an error naming its place" {
    base
    model views/big_orders.sql <<'EOF'
-- fleetway:renamed_from old_view
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
EOF
    run fw diff -diff.source=schemaModel -diff.target=migrations
    assert_status 1
    assert_output_contains "schema-model/$SCHEMA/views/big_orders.sql:1: a rename annotation must annotate a table or a column"
}

@test "the model folder's statements are checked by the server: a broken one names its file and line" {
    base
    model tables/broken.sql <<'EOF'
CREATE TABLE broken (id INT NOT NULL PRIMARY KEY);

CREATE TABLE broken2 (id INT REFERENCES nowhere_at_all (id) CHECK (id > ));
EOF
    run fw diff -diff.source=schemaModel -diff.target=migrations
    assert_status 1
    assert_output_contains "1 statement of the schema model could not be applied to a scratch database"
    assert_output_contains "schema-model/$SCHEMA/tables/broken.sql:3:"
}

@test "model writes the folder from an environment: one file per object, unchanged ones untouched" {
    base
    sqlq "$URL" "CREATE TABLE by_hand (id INT NOT NULL PRIMARY KEY)"
    touch -d '2001-01-01' "$M/tables/customer.sql"
    run fw diff model -diff.source=default -diff.target=schemaModel
    assert_status 0
    assert_output_contains "Written: $T/$M/tables/by_hand.sql"
    [ "$(stat -c %Y "$M/tables/customer.sql")" = "$(date -d 2001-01-01 +%s)" ]
    sqlq "$URL" "DROP TABLE by_hand"
    run fw -outputType=json diff model -diff.source=default -diff.target=schemaModel
    assert_status 0
    echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)["individualResults"][1]
assert d["filesChanged"] and d["filesChanged"][0].endswith("/tables/by_hand.sql"), d
'
    [ ! -e "$M/tables/by_hand.sql" ]
}
