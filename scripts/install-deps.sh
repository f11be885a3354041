#!/usr/bin/env bash
# Install the Debian packages fleetway's build and test suite need.
#
#   scripts/install-deps.sh               install everything (build, tests, benchmarks, report test)
#   scripts/install-deps.sh --check       same, but return at once when all is already installed
#                                         (this is what `make test` runs before every test run)
#   scripts/install-deps.sh --build-only  only what `make`, the demo and the README's commands need
#   scripts/install-deps.sh --list        print the packages (required ones, then optional), install nothing
#
# Options combine (`--check --build-only`, `--list --build-only`).  Safe to run again and again: apt-get
# only sees the packages that are missing, and `apt-get update` runs only when something has to be
# installed.
# Never prompts: debconf is non-interactive, and when not root we use `sudo -n` unless a terminal is there
# to type a password into.
set -euo pipefail

# What `make` (src + tools) and scripts/demo.sh need, and the README's other commands: `man fleetway`
# (a minimal Debian has no man-db) and `sudo make install` (a root shell there has no sudo).
BUILD_PKGS=(build-essential make pkg-config libsqlite3-dev sqlite3 libpq-dev libmariadb-dev zlib1g-dev
            libjansson-dev libpcre2-dev man-db sudo)
# What `make test`, `make SANITIZE=1 test`, the fuzzers (clang + its runtime) and the benchmarks add.
# python3-yaml: the tests read generated CI plans and the docs' YAML blocks with a real YAML parser;
# git: the fleet report's commit is checked against git's own answer.
# sqlfluff: check -code runs the real one; python3-jsonschema validates the SARIF report.
TEST_PKGS=(libcmocka-dev postgresql postgresql-client mariadb-server mariadb-client bats clang
           libclang-rt-14-dev jq python3 python3-yaml git iproute2 procps hyperfine time sqlfluff
           python3-jsonschema)
# Wanted, but the suite must still run without them: a warning, not a failure.
# chromium: only the HTML report rendering tests use it (they skip without it).
OPTIONAL_PKGS=(chromium)

check_only=0 build_only=0 list_only=0
for arg in "$@"; do
    case $arg in
        --check) check_only=1 ;;
        --build-only) build_only=1 ;;
        --list) list_only=1 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install-deps: unknown option '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

required=("${BUILD_PKGS[@]}")
optional=()
if [ "$build_only" = 0 ]; then
    required+=("${TEST_PKGS[@]}")
    optional=("${OPTIONAL_PKGS[@]}")
fi

# Prints the packages of "$@" that are not fully installed.  One dpkg-query for all of them keeps
# --check far below a second; unknown packages make dpkg-query complain on stderr, which we silence
# because "unknown" simply means "missing" here.
missing_of() {
    [ $# -gt 0 ] || return 0
    local installed
    installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null | awk '$NF == "installed" { print $1 }') || true
    local p
    for p in "$@"; do
        grep -qxF -- "$p" <<<"$installed" || echo "$p"
    done
}

if [ "$list_only" = 1 ]; then
    printf '%s\n' "${required[@]}" "${optional[@]+"${optional[@]}"}"
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: this script knows only Debian/Ubuntu (apt-get); install these by hand:" >&2
    echo "  ${required[*]} ${optional[*]}" >&2
    exit 1
fi

mapfile -t miss_req < <(missing_of "${required[@]}")
mapfile -t miss_opt < <(missing_of "${optional[@]+"${optional[@]}"}")

# An optional package that could not be installed once (e.g. no chromium for this architecture) would
# otherwise make every `make test` run apt-get update again.  Remember the failure for a day.
opt_marker=/var/tmp/fleetway-install-deps.optional-failed
if [ "${#miss_req[@]}" = 0 ] && [ "${#miss_opt[@]}" -gt 0 ] && [ "$check_only" = 1 ] &&
   [ -n "$(find "$opt_marker" -mmin -1440 2>/dev/null)" ]; then
    echo "install-deps: warning: optional package(s) missing: ${miss_opt[*]} (install failed earlier; see $opt_marker)" >&2
    miss_opt=()
fi

if [ "${#miss_req[@]}" = 0 ] && [ "${#miss_opt[@]}" = 0 ]; then
    [ "$check_only" = 1 ] || echo "install-deps: all packages already installed"
    exit 0
fi

# Root runs apt-get itself; anyone else goes through sudo.  With no terminal (CI, make with stdin closed)
# `sudo -n` fails instead of hanging on a password prompt.
if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    if [ -t 0 ]; then SUDO=(sudo); else SUDO=(sudo -n); fi
else
    echo "install-deps: not root and no sudo; as root run: apt-get install ${miss_req[*]} ${miss_opt[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg (a colleague's `make test`, unattended-upgrades) instead of failing.
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600
     -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --no-install-recommends)

# Installing postgresql / mariadb-server makes their postinst start the system services (default
# cluster on 5432, mysqld on 3306) where no policy-rc.d forbids it.  The tests never use those, they
# start their own servers on free ports, so keep the services down while installing: add a temporary
# "deny everything" policy-rc.d when the machine has none, and remove it afterwards.
policy=/usr/sbin/policy-rc.d
added_policy=0
cleanup() {
    if [ "$added_policy" = 1 ]; then "${SUDO[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# temporary, from fleetway scripts/install-deps.sh\nexit 101\n' |
        "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"
    added_policy=1
fi

echo "install-deps: installing: ${miss_req[*]} ${miss_opt[*]}"
"${APT[@]}" update

if [ "${#miss_req[@]}" -gt 0 ]; then
    "${APT[@]}" install "${miss_req[@]}"
fi

# Optional packages one at a time so that one that cannot be installed does not take the others along.
for p in "${miss_opt[@]+"${miss_opt[@]}"}"; do
    if "${APT[@]}" install "$p"; then
        "${SUDO[@]}" rm -f "$opt_marker" 2>/dev/null || true
    else
        echo "install-deps: warning: could not install optional package '$p'; the tests that need it will skip" >&2
        "${SUDO[@]}" touch "$opt_marker" 2>/dev/null || true
    fi
done

# Report anything still missing (a package that does not exist on this release, say).
mapfile -t still < <(missing_of "${required[@]}")
if [ "${#still[@]}" -gt 0 ]; then
    echo "install-deps: error: still missing after install: ${still[*]}" >&2
    exit 1
fi
echo "install-deps: done"
