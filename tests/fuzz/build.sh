#!/usr/bin/env bash
# Build libFuzzer targets: every tests/fuzz/fuzz_*.c (or only the NAMEs given,
# e.g. `build.sh toml`) becomes build/fuzz/fuzz_<name>, linked with the
# library sources compiled by clang with ASan + UBSan and coverage.
#
# Environment:
#   FUZZ_CC    compiler (default clang)
#   FUZZ_SRCS  library sources to build instead of src/util/*.c src/core/*.c,
#              e.g. when a file someone is editing does not compile right now:
#              FUZZ_SRCS="src/util/strbuf.c src/util/xalloc.c src/util/error.c
#                         src/util/redact.c src/core/toml.c" tests/fuzz/build.sh toml
#   JOBS       parallel compiles (default: number of CPUs)
set -euo pipefail

cd "$(dirname "$0")/../.."
cc=${FUZZ_CC:-clang}
pkgs="sqlite3 libpq libmariadb zlib jansson"
out=build/fuzz
obj=$out/obj
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
# shellcheck disable=SC2207
cflags=(-g -O1 -fno-omit-frame-pointer -Isrc -D_GNU_SOURCE -std=c11 -pthread
	$(pkg-config --cflags $pkgs))
read -r -a srcs <<<"${FUZZ_SRCS:-$(echo src/util/*.c src/core/*.c)}"
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
rm -rf "$obj"
mkdir -p "$obj"
export cc obj
export FUZZ_CFLAGS="${cflags[*]} -fsanitize=fuzzer-no-link $san"
if ! printf '%s\n' "${srcs[@]}" | xargs -P "$jobs" -I{} sh -c \
	'o="$obj/$(echo "{}" | tr / _).o"; $cc $FUZZ_CFLAGS -c -o "$o" "{}" || { echo "build.sh: failed: {}" >&2; exit 255; }'
then
	echo "build.sh: a library source failed to compile; if it is being edited," \
	     "retry later or set FUZZ_SRCS to the files your target needs" >&2
	exit 1
fi
rm -f "$out/libfuzz.a"
ar rcs "$out/libfuzz.a" "$obj"/*.o

for t in "${targets[@]}"; do
	name=$(basename "$t" .c)
	echo "build.sh: $out/$name"
	# shellcheck disable=SC2046
	$cc "${cflags[@]}" -fsanitize=fuzzer $san -o "$out/$name" "$t" "$out/libfuzz.a" \
		$(pkg-config --libs $pkgs) -lm
done
