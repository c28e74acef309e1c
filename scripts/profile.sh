#!/usr/bin/env bash
# Counts the instructions one page costs the server, with valgrind's callgrind: starts the
# release server (or the ceiling) under callgrind, signs in as the benchmark user, loads
# the page 20 times to warm up, zeroes the counters, loads it N more times (offering
# gzip, deflate and br, as browsers do) and dumps the profile. Instruction counts repeat
# from run to run whatever else the machine does, unlike req/s here.
#
# Usage: DATABASE_URL=…/revdesk_bench scripts/profile.sh app|ceiling PATH [N] [OUT]
# e.g.   scripts/profile.sh app /o/bench-largest/leads 50 target/callgrind.app
# Then:  callgrind_annotate --inclusive=yes OUT.1 | head -60
# Needs the release build and the benchmark data of `make bench`, and valgrind. BIN=path
# profiles another build (an older binary kept aside, to compare counts on the same data).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
kind=${1:?app or ceiling}
path=${2:?a path such as /o/bench-largest/leads}
n=${3:-50}
out=${4:-target/callgrind.$kind}
port=3790
bin=${BIN:-target/release/revdesk}
if [ "$kind" = app ]; then
  LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site RUST_LOG=warn \
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" serve >target/profile-server.log 2>&1 &
else
  RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$out" \
    "$bin" bench-ceiling --email bench@revdesk.example --addr 127.0.0.1:$port >target/profile-server.log 2>&1 &
fi
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do curl -s -o /dev/null "$base/" && break; sleep 0.5; done
jar="$(mktemp)"
curl -fsS -o /dev/null -c "$jar" -H "Origin: $base" -H "Accept: application/json" \
  --data-urlencode "email=bench@revdesk.example" --data-urlencode "password=revdesk-demo-2026" \
  "$base/api/sign_in" 2>/dev/null || true
cookie="revdesk_session=$(awk '$6 == "revdesk_session" { print $7 }' "$jar")"
rm -f "$jar"
load() { curl -s -o /dev/null -w '%{http_code} %{size_download}\n' -H "Accept-Encoding: gzip, deflate, br" -H "Cookie: $cookie" "$base$path"; }
for _ in $(seq 1 20); do load >/dev/null; done
callgrind_control -z "$pid" >/dev/null
echo "status, bytes sent (count):"
for _ in $(seq 1 "$n"); do load; done | sort | uniq -c
callgrind_control -d "$pid" >/dev/null
sleep 1
total=$(callgrind_annotate "$out.1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
echo "instructions per request: $((total / n)) (profile: $out.1)"
