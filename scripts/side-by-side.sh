#!/usr/bin/env bash
# Times two release builds on the same page in turn, so the machine's drift falls on both:
# for each round and each binary, starts the server, signs in as the benchmark user, warms
# up with 500 loads and prints the server's user + system CPU per request over 4,000 loads
# at 16 connections, PostgreSQL's over the same loads, and the req/s. Compare builds with
# this, not across `make bench` runs.
#
# Usage: DATABASE_URL=…/revdesk_bench scripts/side-by-side.sh OLD_BIN NEW_BIN PATH [ROUNDS]
# e.g.   scripts/side-by-side.sh /tmp/revdesk.old target/release/revdesk /o/bench-largest/leads 3
# Needs the benchmark data of `make bench` and oha (`make .tools/oha`). A binary without
# its site beside it needs a hash.txt there (cargo leptos writes one; any js:/wasm:/css:
# lines do for timing).
set -euo pipefail

old=${1:?the older binary} new=${2:?the newer binary} path=${3:?a path such as /o/bench-largest/leads}
rounds=${4:-3}
port=3791
base="http://127.0.0.1:$port"
cd "$(dirname "$0")/.."
source scripts/cpu.sh
for round in $(seq 1 "$rounds"); do
  for bin in "$old" "$new"; do
    LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site RUST_LOG=warn "$bin" serve >/dev/null 2>&1 &
    pid=$!
    trap 'kill "$pid" 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do curl -s -o /dev/null "$base/healthz" && break; sleep 0.2; done
    jar="$(mktemp)"
    curl -fsS -o /dev/null -c "$jar" -H "Origin: $base" -H "Accept: application/json" \
      --data-urlencode "email=bench@revdesk.example" --data-urlencode "password=revdesk-demo-2026" \
      "$base/api/sign_in"
    cookie="Cookie: revdesk_session=$(awk '$6 == "revdesk_session" { print $7 }' "$jar")"
    rm -f "$jar"
    load() { oha -n "$1" -c 16 --no-tui -H "$cookie" -H "Accept-Encoding: gzip" "$base$path"; }
    load 500 >/dev/null
    before=$(cpu_ticks "$pid") db_before=$(db_ticks)
    out="$(load 4000)"
    cpu=$(per_request "$before" "$(cpu_ticks "$pid")" 4000) db=$(per_request "$db_before" "$(db_ticks)" 4000)
    rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
    echo "round $round $bin: $cpu µs CPU/request, database $db µs/request, $rps req/s"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done
