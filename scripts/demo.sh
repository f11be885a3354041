#!/bin/sh
# The main job on the embedded default: migrate the demo project in
# examples/demo into a fresh SQLite file, then show `info`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
fw="$top/fleetway"
work=$(mktemp -d "${TMPDIR:-/tmp}/fleetway-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -R "$top/examples/demo/." "$work/"
cd "$work"
echo "== fleetway migrate   (project copied to $work)"
"$fw" migrate
echo
echo "== fleetway info"
"$fw" info
echo
echo "== a no-op deploy run: info validate migrate"
"$fw" -q info validate migrate && echo "(nothing pending: exit status $?)"
echo
echo "== the data, through the view a repeatable migration created"
sqlite3 -header -column demo.db 'SELECT * FROM menu;'
