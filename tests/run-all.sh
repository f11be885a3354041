#!/usr/bin/env bash
# The whole test suite; `make test` runs it as  tests/run-all.sh build/<mode>.
#
#   tests/run-all.sh BUILD_DIR                     unit tests, TOML conformance, end-to-end (bats)
#   tests/run-all.sh BUILD_DIR tests/cli/x.bats…   only these bats files (servers still started)
#   tests/run-all.sh --lint tests/cli/x.bats…      only the check below, on these files
#
# Sections, in order; each one runs even when an earlier one failed:
#   1. every cmocka binary BUILD_DIR/tests/test_*
#   2. tests/toml-test.sh, when it exists
#   3. a private PostgreSQL and MariaDB (tests/lib/servers.sh), stopped again on any exit, Ctrl-C included
#   4. bats on tests/cli/*.bats
# The last line is always  "N passed, M failed"  (", K skipped" when any); exit status 1 when M > 0.
#
# Before all that, the bats files to run and their helpers are checked for `! cmd` lines in the middle
# of a test (tests/lib/bats-lint.awk): such a line can never fail, and each one counts as a failure.
#
# Everything runs with no locale set (LANG, LC_*), as on a fresh machine or in a CI container, so that
# the results do not depend on the caller's.  The data the tests read is in the repository (tests/data).
#
# Environment: FLEETWAY_BIN (default BUILD_DIR/fleetway, else ./fleetway), ASAN_OPTIONS/UBSAN_OPTIONS
# (defaults below), BATS_TEST_TIMEOUT (seconds).

# No `set -e`: a failing section must not stop the others.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)

# Arguments are relative to where we were called from; make them absolute before moving to the repo.
LINT_ONLY=0
if [ "${1:-}" = --lint ]; then
    LINT_ONLY=1 BUILD_DIR=$REPO
else
    BUILD_DIR=${1:-build/rel}
    [ -d "$BUILD_DIR" ] || { echo "run-all: no build dir '$BUILD_DIR' (run make first, or use make test)" >&2; exit 2; }
    BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
fi
shift $(( $# > 0 ? 1 : 0 ))
ONLY_BATS=()
for f in "$@"; do
    [ -f "$f" ] || { echo "run-all: no such bats file: $f" >&2; exit 2; }
    ONLY_BATS+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done
cd "$REPO" || exit 2

export FW_BUILD_DIR=$BUILD_DIR
if [ -z "${FLEETWAY_BIN:-}" ]; then
    if [ -x "$BUILD_DIR/fleetway" ]; then FLEETWAY_BIN=$BUILD_DIR/fleetway; else FLEETWAY_BIN=$REPO/fleetway; fi
fi
export FLEETWAY_BIN
# No locale: what a minimal Debian or a CI container has.  A test that needs one sets it itself.
unset LANG LANGUAGE LC_ALL $(compgen -e | grep '^LC_')
# A hung test must not hang CI for its whole time budget.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fw-run.XXXXXX")
# shellcheck source=tests/lib/servers.sh
. "$REPO/tests/lib/servers.sh"

PASS=0 FAIL=0 SKIP=0
SECTIONS=()      # one summary line per section
FAILURES=()      # what failed, listed again at the end so it is not lost in the scroll-back

section() { printf '\n==== %s\n' "$*"; }

# ---------------------------------------------------------------- cleanup and signals

CHILD='' TAILPID=''

# Kill a process and everything below it (by pid, children first found through ps --ppid).
kill_tree() {
    local p
    for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$p"; done
    kill -TERM "$1" 2>/dev/null
}

cleanup() {
    trap - EXIT INT TERM HUP
    [ -n "$CHILD" ] && kill_tree "$CHILD"
    [ -n "$TAILPID" ] && kill "$TAILPID" 2>/dev/null
    fw_stop_servers
    rm -rf "$WORK"
}
trap cleanup EXIT
# Turn signals into an exit so that the EXIT trap runs.  Long steps run in the background and we
# `wait` for them, because bash only runs a trap once the foreground command has finished.
trap 'echo "run-all: interrupted" >&2; exit 130' INT
trap 'echo "run-all: terminated" >&2; exit 143' TERM
trap 'exit 129' HUP

# run_logged LOG CMD...: run CMD, its output both on our stdout and in LOG; returns CMD's status.
run_logged() {
    local log=$1; shift
    : >"$log"
    "$@" >"$log" 2>&1 </dev/null &
    CHILD=$!
    tail -n +1 -s 0.1 -f --pid="$CHILD" "$log" &
    TAILPID=$!
    wait "$CHILD"
    local rc=$?
    wait "$TAILPID" 2>/dev/null
    CHILD='' TAILPID=''
    return "$rc"
}

# Sum of the first number on lines matching the extended regex $2 in file $1.
sum_matches() {
    grep -aE "$2" "$1" 2>/dev/null | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }'
}

# ---------------------------------------------------------------- sanitizers

# Defaults unless the caller chose otherwise.  Harmless for binaries built without sanitizers.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ulimit -c 0   # abort_on_error must not leave core files around

# LeakSanitizer stops the process with ptrace to scan it; in some containers that is forbidden and
# every sanitized program would then fail at exit.  Check with a tiny leaking program once, and turn
# leak detection off (with a note) rather than fail everything.
if [ "$(basename "$BUILD_DIR")" = san ] && [[ $ASAN_OPTIONS == *detect_leaks=1* ]] && command -v "${CC:-cc}" >/dev/null; then
    printf '#include <stdlib.h>\nvoid *p;\nint main(void){ p = malloc(7); p = 0; return 0; }\n' >"$WORK/leak.c"
    if "${CC:-cc}" -fsanitize=address -g -o "$WORK/leak" "$WORK/leak.c" 2>/dev/null; then
        if [[ $(ASAN_OPTIONS=detect_leaks=1 "$WORK/leak" 2>&1) != *'detected memory leaks'* ]]; then
            echo "run-all: note: LeakSanitizer does not work here (ptrace denied?); running with detect_leaks=0" >&2
            ASAN_OPTIONS=${ASAN_OPTIONS//detect_leaks=1/detect_leaks=0}
        fi
    fi
fi

# ---------------------------------------------------------------- 0. bats lines that cannot fail

# Every `! cmd` in the middle of a test is one failure, named by file:line (see tests/lib/bats-lint.awk).
run_lint() {
    local f files=() seen=' ' bad=()
    for f in "$@" "$REPO"/tests/cli/*.bash; do
        [ -f "$f" ] || continue
        f=$(readlink -f "$f")          # the *-pg/*-mysql links are their target's lines
        [[ $seen == *" $f "* ]] && continue
        seen+="$f "; files+=("$f")
    done
    [ "${#files[@]}" -gt 0 ] || return 0
    mapfile -t bad < <(awk -f "$REPO/tests/lib/bats-lint.awk" "${files[@]}" | sed "s|^$REPO/||")
    if [ "${#bad[@]}" -eq 0 ]; then
        SECTIONS+=("bats lint:   no \`! cmd\` in the middle of a test")
        return
    fi
    section "bats lint"
    for f in "${bad[@]}"; do
        echo "run-all: $f"
        FAILURES+=("bats lint: ${f%%: *}: \`! cmd\` in the middle of a test")
    done
    echo "run-all: a \`! cmd\` line in the middle of a test never fails it (bash's errexit ignores negated"
    echo "         commands): write \`run cmd\` and check its status (assert_status N), or a [ ... ] test"
    FAIL=$((FAIL + ${#bad[@]}))
    SECTIONS+=("bats lint:   ${#bad[@]} \`! cmd\` line(s) in the middle of a test")
}

# The layers of src/ (tools/layers.py): no include cycle, no include of a layer above. One failure
# per problem, each named.
run_layers() {
    local bad=()
    command -v python3 >/dev/null || { SECTIONS+=("layers:      (python3 missing: not checked)"); return; }
    mapfile -t bad < <(python3 "$REPO/tools/layers.py" "$REPO/src")
    if [ "${#bad[@]}" -eq 0 ]; then
        PASS=$((PASS + 1))
        SECTIONS+=("layers:      no include cycle, every include points down")
        return
    fi
    section "layers"
    for f in "${bad[@]}"; do
        echo "run-all: $f"
        FAILURES+=("layers: $f")
    done
    FAIL=$((FAIL + ${#bad[@]}))
    SECTIONS+=("layers:      ${#bad[@]} problem(s), see tools/layers.py")
}

# ---------------------------------------------------------------- 1. unit tests (cmocka)

run_unit() {
    local t name log rc p f s up=0 uf=0 us=0 n=0
    for t in "$BUILD_DIR"/tests/test_*; do
        [ -f "$t" ] && [ -x "$t" ] || continue
        n=$((n + 1))
        name=${t#"$REPO"/}
        log=$WORK/unit.log
        section "unit: $name"
        # cmocka prints to stdout by default; a TAP/XML setting from outside would break the counting.
        run_logged "$log" env -u CMOCKA_MESSAGE_OUTPUT -u CMOCKA_XML_FILE timeout -k 10 600 "$t"
        rc=$?
        # cmocka's summary per group: "[  PASSED  ] n test(s)."  "[  FAILED  ] n test(s), listed below:"
        p=$(sum_matches "$log" '^\[  PASSED  \] [0-9]+ test\(s\)\.')
        f=$(sum_matches "$log" '^\[  FAILED  \] [0-9]+ test\(s\), listed below')
        s=$(sum_matches "$log" '^\[  SKIPPED \] [0-9]+ test\(s\), listed below')
        if [ "$f" -gt 0 ]; then
            FAILURES+=("$name: $(grep -aE '^\[  FAILED  \] ' "$log" | grep -avE 'test\(s\)' | sed 's/^\[  FAILED  \] //' | sort -u | paste -sd, -)")
        fi
        # Non-zero exit with no failed case counted: crashed, timed out, leaked (LSan reports at exit),
        # or a sanitizer stopped it.  Count the binary itself as one failure.
        if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
            f=1
            FAILURES+=("$name: exited with status $rc$([ "$rc" = 124 ] && echo ' (timeout)')")
        elif [ "$rc" = 0 ] && [ "$p" = 0 ] && [ "$s" = 0 ]; then
            p=1   # not a cmocka summary; the binary succeeding is one pass
        fi
        up=$((up + p)) uf=$((uf + f)) us=$((us + s))
    done
    PASS=$((PASS + up)) FAIL=$((FAIL + uf)) SKIP=$((SKIP + us))
    [ "$n" -gt 0 ] || { SECTIONS+=("unit tests:  (no binaries in ${BUILD_DIR#"$REPO"/}/tests)"); return; }
    SECTIONS+=("unit tests:  $up passed, $uf failed$([ "$us" -gt 0 ] && echo ", $us skipped")")
}

# ---------------------------------------------------------------- 2. TOML conformance

run_toml() {
    [ -f tests/toml-test.sh ] || { SECTIONS+=("toml-test:   (tests/toml-test.sh not there)"); return; }
    local log=$WORK/toml.log rc line p f s
    section "toml-test"
    run_logged "$log" bash tests/toml-test.sh
    rc=$?
    line=$(grep -aE '^toml-test: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        p=0 f=1 s=0
        FAILURES+=("tests/toml-test.sh: exited with status $rc without its summary line")
    else
        p=$(sed -E 's/^toml-test: ([0-9]+) passed.*/\1/' <<<"$line")
        f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
        s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line"); s=${s:-0}
        if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
            f=1; FAILURES+=("tests/toml-test.sh: exited with status $rc")
        fi
        [ "$f" -gt 0 ] && FAILURES+=("toml-test: $f failed (see its output above)")
    fi
    PASS=$((PASS + p)) FAIL=$((FAIL + f)) SKIP=$((SKIP + s))
    SECTIONS+=("toml-test:   $p passed, $f failed$([ "$s" -gt 0 ] && echo ", $s skipped")")
}

# ---------------------------------------------------------------- 3. servers

start_servers() {
    section "starting PostgreSQL and MariaDB"
    # A server that does not start is one failure; its tests then skip instead of failing one by one.
    if ! fw_start_pg; then FAIL=$((FAIL + 1)); FAILURES+=("PostgreSQL test server did not start"); fi
    if ! fw_start_mariadb; then FAIL=$((FAIL + 1)); FAILURES+=("MariaDB test server did not start"); fi
}

# ---------------------------------------------------------------- 4. end-to-end (bats)

run_bats() {
    local files=("$@")
    [ "${#files[@]}" -gt 0 ] || { SECTIONS+=("cli (bats):  (no tests/cli/*.bats)"); return; }
    if ! command -v bats >/dev/null; then
        FAIL=$((FAIL + 1)); FAILURES+=("bats is not installed (scripts/install-deps.sh)")
        SECTIONS+=("cli (bats):  not run"); return
    fi
    section "cli: bats ${files[*]#"$REPO"/}"
    # Readable output for a person at a terminal, TAP otherwise; the counting always reads the TAP
    # report that bats writes beside it.
    local fmt=tap log=$WORK/bats.log tap=$WORK/report.tap rc
    [ -t 1 ] && fmt=pretty
    mkdir -p "$WORK/bats"
    run_logged "$log" bats --formatter "$fmt" --report-formatter tap --output "$WORK/bats" \
        --print-output-on-failure --timing "${files[@]}"
    rc=$?
    tap=$(ls "$WORK"/bats/*.tap 2>/dev/null | head -n 1)
    [ -n "$tap" ] || tap=$log   # no report: fall back to the TAP on stdout (when fmt=tap)
    local planned p f s
    planned=$(grep -aoE '^1\.\.[0-9]+$' "$tap" | head -n 1 | cut -d. -f3)
    s=$(grep -acE '^ok [0-9]+ .*# skip' "$tap")
    p=$(( $(grep -acE '^ok [0-9]+ ' "$tap") - s ))
    f=$(grep -acE '^not ok [0-9]+ ' "$tap")
    while IFS= read -r line; do FAILURES+=("cli: ${line#not ok }"); done < <(grep -aE '^not ok [0-9]+ ' "$tap")
    # Tests planned but never reported (bats killed, a file that does not parse) are failures too.
    local missing=$(( ${planned:-0} - p - f - s ))
    if [ "$missing" -gt 0 ]; then
        f=$((f + missing)); FAILURES+=("cli: $missing planned test(s) did not report")
    fi
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1; FAILURES+=("cli: bats exited with status $rc")
    fi
    PASS=$((PASS + p)) FAIL=$((FAIL + f)) SKIP=$((SKIP + s))
    SECTIONS+=("cli (bats):  $p passed, $f failed$([ "$s" -gt 0 ] && echo ", $s skipped")")
}

# ---------------------------------------------------------------- main

# The last lines: what each section did, what failed, the count; the exit status.
summary() {
    section "summary"
    printf '  %s\n' "${SECTIONS[@]}"
    if [ "${#FAILURES[@]}" -gt 0 ]; then
        echo "  failed:"
        printf '    %s\n' "${FAILURES[@]}"
    fi
    [[ $ASAN_OPTIONS == *detect_leaks=0* ]] && [ "$(basename "$BUILD_DIR")" = san ] && echo "  (leak detection was off)"
    echo
    echo "$PASS passed, $FAIL failed$([ "$SKIP" -gt 0 ] && echo ", $SKIP skipped")"
    [ "$FAIL" = 0 ]
}

if [ "${#ONLY_BATS[@]}" -eq 0 ]; then
    BATS_FILES=("$REPO"/tests/cli/*.bats)
    [ -e "${BATS_FILES[0]}" ] || BATS_FILES=()
else
    BATS_FILES=("${ONLY_BATS[@]}")
fi
run_lint "${BATS_FILES[@]+"${BATS_FILES[@]}"}"
if [ "$LINT_ONLY" = 1 ]; then summary; exit; fi
# Servers first: the driver unit tests talk to them too (FW_TEST_PG_URL, FW_TEST_MYSQL_URL).
start_servers
if [ "${#ONLY_BATS[@]}" -eq 0 ]; then
    run_layers
    run_unit
    run_toml
fi
run_bats "${BATS_FILES[@]+"${BATS_FILES[@]}"}"
fw_stop_servers
summary
