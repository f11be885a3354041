#!/usr/bin/env bats
# A new user on a fresh machine: the README's commands, what the Makefile builds and installs for
# whom, the data the tests read from the repository, and the test runner's own checks.
# The Makefile tests build a copy of the tree with a stand-in compiler (see fake_tree): quick, and
# enough to see which build a target picks up and who owns what it leaves.

load helpers

# make without what an outer `make test` passes down (MAKEFLAGS carries its SANITIZE=1 and -j)
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEFILES make --no-print-directory "$@"; }

# $T/tree: what the Makefile builds from; $T/fakecc: a compiler whose every output is a script that
# prints how it was built ("release" or "sanitizer").
fake_tree() {
    mkdir "$T/tree"
    cp -a "$REPO/Makefile" "$REPO/VERSION" "$REPO/src" "$REPO/tools" "$REPO/man" "$REPO/scripts" "$T/tree/"
    cat >"$T/fakecc" <<'EOF'
#!/bin/sh
out='' mode=release dep=0
while [ $# -gt 0 ]; do
    case $1 in
        -o) out=$2; shift ;;
        -fsanitize=*) mode=sanitizer ;;
        -MMD) dep=1 ;;
    esac
    shift
done
[ -n "$out" ] || exit 0
printf '#!/bin/sh\necho %s\n' "$mode" >"$out" && chmod +x "$out"
if [ "$dep" = 1 ]; then : >"${out%.o}.d"; fi
EOF
    chmod 755 "$T/fakecc"
}

# the README's deploy line: its code-block line `fleetway -environment=prod ... info validate migrate`
readme_deploy_line() {
    grep -E '^    fleetway -environment=prod .*info validate migrate$' "$REPO/README.md" | sed 's/^ *//'
}

# runs a documented `fleetway ...` command line with this build's binary
run_doc_line() { run eval "fw ${1#fleetway }"; }

@test "the README's deploy line applies what is pending; the plain chain stops at validate" {
    local line
    line=$(readme_deploy_line)
    [ -n "$line" ]
    [ "$(printf '%s\n' "$line" | wc -l)" = 1 ]
    write_migration sql V1__a.sql 'CREATE TABLE a (id INT);'
    printf '[environments.prod]\nurl = "jdbc:sqlite:%s/prod.db"\n\n[flyway]\nlocations = ["filesystem:sql"]\n' "$T" >flyway.toml
    run fw -environment=prod info validate migrate
    assert_status 1
    assert_output_contains 'Detected resolved migration not applied to database: 1.'
    run_doc_line "$line"
    assert_status 0
    assert_output_contains 'Successfully applied 1 migration'
    # and the next deploy, with nothing new, is a no-op
    run_doc_line "$line"
    assert_status 0
    assert_output_contains 'is up to date. No migration necessary.'
}

@test "init's flyway.toml and the man page show the README's deploy line, and init's works as it is" {
    local line init_line man_line
    line=$(readme_deploy_line)
    man_line=$(grep -E 'ignoreMigrationPatterns.* info validate migrate' "$REPO/man/fleetway.1" | sed -e 's/\\f[BRI]//g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g")
    [ "$man_line" = "$line" ]
    mkdir "$T/proj"
    run fw -workingDirectory="$T/proj" init
    assert_status 0
    init_line=$(sed -n 's/^# A deploy: //p' "$T/proj/flyway.toml")
    [ "$init_line" = "${line/ -environment=prod/}" ]
    cd "$T/proj"
    write_migration migrations V2__more.sql 'CREATE TABLE more_t (id INT);'
    run_doc_line "$init_line"
    assert_status 0
    assert_output_contains 'Successfully applied 2 migrations'
}

@test "every command in the README's code blocks comes with a package that scripts/install-deps.sh installs" {
    local pkgs cmd path pkg missing=()
    pkgs=" $("$REPO/scripts/install-deps.sh" --list | tr '\n' ' ') "
    # the first word of each command in the indented blocks, but fleetway's own; the layout block's
    # lines start with a path and are no commands
    for cmd in $(grep -E '^    [^ /]+( |$)' "$REPO/README.md" | sed 's/#.*//' | tr '&|;' '\n' |
                 awk '{ print $1 }' | grep -E '^[a-z][a-z0-9.+-]*$' | grep -vx fleetway | sort -u); do
        path=$(command -v "$cmd") || { missing+=("$cmd: not on this machine"); continue; }
        pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path" 2>/dev/null) || pkg=''
        pkg=${pkg%%:*}
        [[ -n $pkg && $pkgs == *" $pkg "* ]] || missing+=("$cmd: from package '${pkg:-?}', which install-deps.sh does not install")
    done
    if [ "${#missing[@]}" -gt 0 ]; then printf '%s\n' "${missing[@]}" >&2; false; fi
    # the README's code blocks do use these
    [[ $pkgs == *" man-db "* && $pkgs == *" sudo "* && $pkgs == *" make "* ]]
}

@test "make install after a sanitizer build installs a release build" {
    fake_tree
    cd "$T/tree"
    # `make test`, then `make SANITIZE=1 test`: ./fleetway is the newer, sanitizer build
    mk CC="$T/fakecc" fleetway >/dev/null
    mk CC="$T/fakecc" SANITIZE=1 fleetway >/dev/null
    [ "$(./fleetway)" = sanitizer ]
    run mk CC="$T/fakecc" install DESTDIR="$T/dest" PREFIX=/usr
    assert_status 0
    [ "$("$T/dest/usr/bin/fleetway")" = release ]
    cmp "$REPO/man/fleetway.1" "$T/dest/usr/share/man/man1/fleetway.1"
    # also when asked for in the same breath
    run mk CC="$T/fakecc" SANITIZE=1 install DESTDIR="$T/dest2" PREFIX=/usr
    assert_status 0
    [ "$("$T/dest2/usr/bin/fleetway")" = release ]
}

@test "root building in a tree that a user owns leaves nothing there that the user cannot replace" {
    [ "$(id -u)" = 0 ] || skip "only root builds in a tree that another user owns"
    id -u nobody >/dev/null 2>&1 || skip "no user 'nobody' to own the tree"
    fake_tree
    chmod 755 "$T"
    chown -R nobody: "$T/tree" "$T/fakecc"
    cd "$T/tree"
    # what `sudo make demo|test|install` build as root, in both modes
    mk CC="$T/fakecc" all >/dev/null
    mk CC="$T/fakecc" SANITIZE=1 all >/dev/null
    mk CC="$T/fakecc" install DESTDIR="$T/dest" PREFIX=/usr >/dev/null
    run find "$T/tree" -user root
    assert_status 0
    [ -z "$output" ]
    # and the user carries on: an edit, then both builds again
    touch src/main.c src/util/strbuf.c
    run runuser -u nobody -- env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make CC="$T/fakecc" all
    assert_status 0
    run runuser -u nobody -- env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make CC="$T/fakecc" SANITIZE=1 all
    assert_status 0
    [ "$(./fleetway)" = sanitizer ]
}

@test "a clone reads the TOML cases and the checksum vectors from its own tests/data, not ../shared" {
    local decoder=$FW_BUILD_DIR/toml-test-decoder checksum=$FW_BUILD_DIR/tests/test_checksum
    [ -x "$decoder" ] && [ -x "$checksum" ] || skip "needs the decoder and unit tests of a full build (make test)"
    mkdir -p "$T/clone/tests"
    cp -a "$REPO/tests/toml-test.sh" "$REPO/tests/toml-compare.py" "$REPO/tests/data" "$T/clone/tests/"
    [ ! -e "$T/shared" ]
    # the licence of the cases travels with them
    grep -q 'MIT License' "$T/clone/tests/data/toml-test/LICENSE"
    # 40 of the cases are enough here (the toml section of the run takes them all)
    list=$T/clone/tests/data/toml-test/files-toml-1.0.0
    { grep -m 20 '^valid/.*\.toml$' "$list"; grep -m 20 '^invalid/' "$list"; } >"$list.short"
    mv "$list.short" "$list"
    run env -u TOML_TEST_DIR TOML_DECODER="$decoder" bash "$T/clone/tests/toml-test.sh"
    assert_status 0
    assert_output_contains 'toml-test: 40 passed, 0 failed'
    cd "$T/clone"
    run "$checksum"
    assert_status 0
    assert_output_not_contains 'cannot read'
}

@test "the test runner refuses a \`! cmd\` in the middle of a test, by file and line" {
    local lint=$REPO/tests/lib/bats-lint.awk
    # (printf: a line starting with @test in this file, even in a here-document, would be a test of it)
    printf '%s\n' 'load helpers' 'f() {' '    ! grep -q x y' '}' \
        '@''test "conditions, run, [ ! ] and a last line are fine" {' \
        '    if ! true; then :; fi' '    while ! true; do break; done' '    run ! false' \
        '    [ ! -e nothing ]' '    cat <<EOF' '! text' 'EOF' '    ! false' '}' >"$T/fine.bats"
    run awk -f "$lint" "$T/fine.bats"
    assert_status 0
    [ -z "$output" ]
    printf '%s\n' 'load helpers' '@''test "x" {' '    ! false' '    for f in a; do ! false; done' \
        '    true && ! false' '    true' '}' >"$T/mid.bats"
    run awk -f "$lint" "$T/mid.bats"
    local bang='!'
    [ "$output" = "$T/mid.bats:3: $bang false
$T/mid.bats:4: for f in a; do $bang false; done
$T/mid.bats:5: true && $bang false" ]
    # the runner's own check (which a whole run does first): fails, and says where
    run "$REPO/tests/run-all.sh" --lint "$T/fine.bats" "$T/mid.bats"
    assert_status 1
    assert_output_contains "run-all: $T/mid.bats:3: $bang false"
    assert_output_contains "run-all: $T/mid.bats:5: true && $bang false"
    assert_output_contains 'bats lint:   3 `! cmd` line(s) in the middle of a test'
    assert_output_contains '0 passed, 3 failed'
    assert_output_not_contains 'fine.bats'
    run "$REPO/tests/run-all.sh" --lint "$T/fine.bats"
    assert_status 0
}
