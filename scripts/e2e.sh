#!/usr/bin/env bash
# Runs the Playwright suite against the built server: a fresh database (seeded), the
# server on a free port, each Playwright project (hydrated, no-js), then cleans up.
# Extra arguments go to Playwright (e.g. -g "theme").
# Expects DATABASE_URL to point at a database whose role may create databases.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="target/debug/revdesk"
[ -x "$bin" ] || { echo "e2e: $bin is missing; run 'cargo leptos build' first" >&2; exit 1; }

# A database of its own, so the suite never shares state with another run.
base="${DATABASE_URL%/*}"
name="revdesk_e2e_$(date +%s)_$$"
admin_url="$base/postgres"
psql "$admin_url" -qc "create database $name" >/dev/null
export DATABASE_URL="$base/$name"

port=3400
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export BASE_URL="http://127.0.0.1:$port"

log="target/e2e-server.log"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  psql "$admin_url" -qc "drop database if exists $name with (force)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$bin" seed >/dev/null
"$bin" serve >"$log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
  if curl -fsS "$BASE_URL/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then echo "e2e: the server exited; its log:" >&2; cat "$log" >&2; exit 1; fi
  sleep 0.2
done
curl -fsS "$BASE_URL/readyz" >/dev/null || { echo "e2e: the server did not become ready; its log:" >&2; cat "$log" >&2; exit 1; }

# One run per project, so each prints its own summary: hydrated, then JavaScript off.
status=0
for project in hydrated no-js; do
  echo "== Playwright: $project =="
  npx --no-install playwright test -c end2end/playwright.config.ts "$@" --project "$project" || status=1
done
exit "$status"
