#!/usr/bin/env bash
# Build libFuzzer targets: every tests/fuzz/fuzz_*.c (or only the NAMEs given,
# e.g. `build.sh toml`) becomes build/fuzz/fuzz_<name>, linked with the
# library sources compiled by clang with ASan + UBSan and coverage.
#
# Environment:
#   FUZZ_CC    compiler (default clang)
#   FUZZ_SRCS  library sources to build instead of every library folder,
#              e.g. when a file someone is editing does not compile right now:
#              FUZZ_SRCS="src/util/strbuf.c src/util/xalloc.c src/util/error.c
#                         src/util/redact.c src/config/toml.c" tests/fuzz/build.sh toml
#   JOBS       parallel compiles (default: number of CPUs)
set -euo pipefail

cd "$(dirname "$0")/../.."
cc=${FUZZ_CC:-clang}
pkgs=(sqlite3 libpq libmariadb zlib jansson libpcre2-8)
read -r -a pkg_cflags <<<"$(pkg-config --cflags "${pkgs[@]}")"
read -r -a pkg_libs <<<"$(pkg-config --libs "${pkgs[@]}")"
out=build/fuzz
obj=$out/obj
# shellcheck disable=SC2054  # the commas belong to one flag
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
version=$(cat VERSION 2>/dev/null || echo 0.0.0)
cflags=(-g -O1 -fno-omit-frame-pointer -Isrc -D_GNU_SOURCE "-DFW_VERSION=\"$version\"" -std=c11 -pthread "${pkg_cflags[@]}")
read -r -a srcs <<<"${FUZZ_SRCS:-$(echo src/util/*.c src/db/*.c src/config/*.c src/sql/*.c src/engine/*.c src/ops/*.c src/fleet/*.c src/schema/*.c)}"
jobs=${JOBS:-$(nproc 2>/dev/null || echo 4)}

if [ $# -gt 0 ]; then
	targets=()
	for name in "$@"; do
		name=${name#fuzz_}
		targets+=("tests/fuzz/fuzz_${name%.c}.c")
	done
else
	targets=(tests/fuzz/fuzz_*.c)
fi
for t in "${targets[@]}"; do
	[ -f "$t" ] || { echo "build.sh: no such target: $t" >&2; exit 2; }
done

# The library objects get coverage instrumentation but no libFuzzer main
# (fuzzer-no-link); they go into an archive so that each target pulls in only
# the objects it needs (a file that needs the database drivers does not break
# a target that never calls it).
compile() {
	local o
	o=$obj/$(echo "$1" | tr / _).o
	"$cc" "${cflags[@]}" -fsanitize=fuzzer-no-link "${san[@]}" -c -o "$o" "$1" ||
		{ echo "build.sh: failed to compile $1" >&2; touch "$obj/FAILED"; }
}

rm -rf "$obj"
mkdir -p "$obj"
for src in "${srcs[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
	done
	compile "$src" &
done
wait
if [ -e "$obj/FAILED" ]; then
	echo "build.sh: if that file is being edited, retry later or set FUZZ_SRCS to" \
	     "the files your target needs" >&2
	exit 1
fi
rm -f "$out/libfuzz.a"
ar rcs "$out/libfuzz.a" "$obj"/*.o

# one target failing to build does not stop the others
failed=0
for t in "${targets[@]}"; do
	name=$(basename "$t" .c)
	if "$cc" "${cflags[@]}" -fsanitize=fuzzer "${san[@]}" -o "$out/$name" "$t" \
		"$out/libfuzz.a" "${pkg_libs[@]}" -lm; then
		echo "build.sh: built $out/$name"
	else
		echo "build.sh: FAILED to build $out/$name" >&2
		failed=1
	fi
done
exit $failed
