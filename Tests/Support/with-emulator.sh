#!/usr/bin/env bash
# Runs a command against a real emulator serving the real template on a throw-away PostgreSQL,
# then stops both, whatever the command did:
#   Tests/Support/with-emulator.sh BUILD_DIR COMMAND [ARGS…]
# The command finds the emulator in VERDICT_BASE (http://127.0.0.1:PORT) and an all-scopes
# development key in VERDICT_KEY.
set -euo pipefail
build=${1:?usage: with-emulator.sh BUILD_DIR COMMAND [ARGS…]}
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/verdict-system.XXXXXX)
chmod 755 "$dir"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  "$root/emulator/scripts/local-postgres.sh" stop "$dir/pg" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=$("$root/emulator/scripts/local-postgres.sh" start "$dir/pg" "$port" --throwaway)
"$root/$build/verdict-emulator" --port 0 --state-dir "$dir/state" --project-root "$root" --build-dir "$build" \
  --ignore-bootstraps --parameter DatabaseUrl="$url" >"$dir/emulator.log" 2>&1 &
pid=$!
for _ in $(seq 240); do
  grep -q 'listening on http' "$dir/emulator.log" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
base=$(grep -o 'listening on http://[0-9.:]*' "$dir/emulator.log" | sed 's/^listening on //' || true)
if [ -z "$base" ]; then
  echo "the emulator did not start:"
  cat "$dir/emulator.log"
  exit 1
fi
key=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["key"])' "$dir/state/SeedFunction.json")
status=0
VERDICT_BASE="$base" VERDICT_KEY="$key" "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "emulator log: the last 40 lines"
  tail -n 40 "$dir/emulator.log"
fi
exit "$status"
