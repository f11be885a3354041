#!/usr/bin/env bash
# What redacting one output line costs with 1 to 10,000 registered secrets: a target's own set, the
# process-wide net, and the one-by-one list scan fleetway used before (tools/bench-redact.c).
#   bench/redact.sh [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/rel/libfleetway.a build/rel/tools/bench-redact.o
cc -o build/rel/bench-redact build/rel/tools/bench-redact.o build/rel/libfleetway.a -pthread -lm
build/rel/bench-redact "${1:-20000}"
