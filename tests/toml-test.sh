#!/usr/bin/env bash
# Run every file of the TOML 1.0.0 conformance list through build/toml-test-decoder.
#
#   valid/*.toml    must decode (exit 0) to a document equal to the .json beside it
#                   (compared semantically by tests/toml-compare.py)
#   invalid/*.toml  must be rejected with exit status exactly 1 (not a crash, not a
#                   hang) and an error message containing ":<line>:<col>:"
#
# Environment:
#   TOML_TEST_DIR   the toml-test data (the folder holding files-toml-1.0.0, or its
#                   parent); default: <repo>/tests/data/toml-test, the cases of the
#                   1.0.0 list as the repository ships them (see tests/data/README.md)
#   TOML_DECODER    the decoder to run; default: <repo>/build/toml-test-decoder
#   TOML_TEST_LIST  the list to run; default: files-toml-1.0.0
#
# Prints one FAIL line per failure and then "toml-test: N passed, M failed".
set -u

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${TOML_TEST_DIR:-$repo/tests/data/toml-test}
[ -f "$dir/tests/${TOML_TEST_LIST:-files-toml-1.0.0}" ] && dir=$dir/tests
list=$dir/${TOML_TEST_LIST:-files-toml-1.0.0}
decoder=${TOML_DECODER:-$repo/build/toml-test-decoder}
compare=$repo/tests/toml-compare.py

if [ ! -f "$list" ]; then
	echo "toml-test: no test list at $list (set TOML_TEST_DIR)" >&2
	exit 2
fi
if [ ! -x "$decoder" ]; then
	echo "toml-test: no decoder at $decoder (run: make build/toml-test-decoder)" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

# run the decoder on one file; sets rc, output in $tmp/out and $tmp/err
decode() {
	timeout 10 "$decoder" <"$dir/$1" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# decoded documents are compared afterwards in one python run (see below)
nvalid=0
check_valid() {
	local f=$1
	decode "$f"
	if [ "$rc" -ne 0 ]; then
		fail "$f" "exit status $rc: $(head -c 300 "$tmp/err")"
		return
	fi
	nvalid=$((nvalid + 1))
	mv "$tmp/out" "$tmp/decoded-$nvalid.json"
	printf '%s\t%s\t%s\n' "$dir/${f%.toml}.json" "$tmp/decoded-$nvalid.json" "$f" \
		>>"$tmp/manifest"
}

check_invalid() {
	local f=$1
	decode "$f"
	if [ "$rc" -ne 1 ]; then
		fail "$f" "exit status $rc, expected 1 (124 is a timeout, >128 a signal)"
		return
	fi
	if ! grep -Eq ':[0-9]+:[0-9]+:' "$tmp/err"; then
		fail "$f" "error message has no :line:col: position: $(head -c 200 "$tmp/err")"
		return
	fi
	passed=$((passed + 1))
}

while IFS= read -r f; do
	case $f in
	valid/*.toml) check_valid "$f" ;;
	invalid/*.toml) check_invalid "$f" ;;
	esac
done <"$list"

if [ "$nvalid" -gt 0 ]; then
	python3 "$compare" --batch "$tmp/manifest" >"$tmp/diffs"
	case $? in
	0 | 1) ;;
	*) echo "toml-test: $compare failed" >&2; exit 2 ;;
	esac
	cat "$tmp/diffs"
	ndiff=$(grep -c '^FAIL ' "$tmp/diffs")
	failed=$((failed + ndiff))
	passed=$((passed + nvalid - ndiff))
fi
echo "toml-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
