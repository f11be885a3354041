#!/usr/bin/env bash
# Run one fuzz target for a while:  tests/fuzz/run.sh NAME SECONDS [libFuzzer flags...]
#
# NAME is the part after fuzz_ (toml for tests/fuzz/fuzz_toml.c). The corpus
# lives in build/fuzz/corpus-NAME and is kept between runs; an empty one is
# seeded from tests/fuzz/seeds-NAME/ if that exists, and for toml from the
# toml-test files (TOML_TEST_DIR, default tests/data/toml-test). A dictionary
# tests/fuzz/NAME.dict is used when present. Crashes are written to
# build/fuzz/artifacts-NAME/ (absolute paths: a target may change directory). Builds the target
# first if it is missing.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 NAME SECONDS [libFuzzer flags...]" >&2
	exit 2
fi
name=${1#fuzz_}
secs=$2
shift 2
cd "$(dirname "$0")/../.."
repo=$(pwd)
bin=$repo/build/fuzz/fuzz_$name
corpus=$repo/build/fuzz/corpus-$name
artifacts=$repo/build/fuzz/artifacts-$name

[ -x "$bin" ] || tests/fuzz/build.sh "$name"
mkdir -p "$corpus" "$artifacts"

seed_toml() {
	local dir=${TOML_TEST_DIR:-$repo/tests/data/toml-test} f
	[ -d "$dir/tests" ] && dir=$dir/tests
	[ -d "$dir/valid" ] || { echo "run.sh: no toml-test files in $dir" >&2; return; }
	# valid documents for structure, invalid ones for the error paths
	find "$dir/valid" "$dir/invalid" -name '*.toml' | while read -r f; do
		cp "$f" "$corpus/$(echo "${f#"$dir"/}" | tr / _)"
	done
}

if [ -z "$(ls -A "$corpus")" ]; then
	if [ -d "tests/fuzz/seeds-$name" ]; then
		cp -R "tests/fuzz/seeds-$name/." "$corpus/"
	fi
	if [ "$name" = toml ]; then
		seed_toml
	fi
fi

flags=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048
	-artifact_prefix="$artifacts/" -print_final_stats=1)
[ -f "tests/fuzz/$name.dict" ] && flags+=(-dict="$repo/tests/fuzz/$name.dict")
exec "$bin" "${flags[@]}" "$@" "$corpus"
