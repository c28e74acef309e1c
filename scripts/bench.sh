#!/usr/bin/env bash
# `make bench`: loads the leads pages of the largest benchmark tenant with oha, against
# the release server and against the ceiling (`revdesk bench-ceiling`: bare axum
# handlers running the same queries and writing the same rows), and prints per page:
# - p50/p99 latency at a fixed rate: the app's, then the ceiling's at the same rate, and
#   the time the hypervisor stole from this machine's CPUs during the app's run (a p99
#   both servers share, or one beside a large steal, is the machine's, not the page's);
# - req/s and p50/p99 at full speed, and the ratio to the ceiling; beside it the ratio of
#   one more app run per round that asks for no compression (oha --disable-compression),
#   the same wire format as the ceiling's, which leaves out what gzip costs the app;
# - server memory and HTML bytes;
# - each server's CPU per request at full speed (user + system time from /proc, steadier
#   than req/s when the machine's speed drifts between runs) and PostgreSQL's CPU per
#   request over the same runs (all its processes: on 2 cores the database's share of
#   each request is part of what the throughput ratio compares);
# then the release wasm size, raw and brotli-compressed.
#
# Expects DATABASE_URL to name the benchmark database (`make seed-scale` fills it) and
# the release build in target/ (both done by `make bench`).
# Knobs: BENCH_RATE (requests/s of the fixed-rate run, 200), BENCH_SECONDS (per run, 10),
# BENCH_CONNECTIONS (full-speed concurrency, 16), BENCH_ROUNDS (full-speed runs of the app
# and the ceiling, taken in turn, 3), BENCH_ONLY (a regular expression: only the pages whose
# name matches, e.g. 'first page|detail'). The machines this runs on change speed from one
# run to the next (the same build's ratio moved from 0.40 to 0.63 between two passes), so
# each page's full-speed figures are the medians of the rounds, the ratio is that of the
# medians, and the range of the rounds' own ratios is printed beside it.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bin="target/release/revdesk"
[ -x "$bin" ] || { echo "bench: $bin is missing; run 'make bench'" >&2; exit 1; }
rate="${BENCH_RATE:-200}"
seconds="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-16}"
rounds="${BENCH_ROUNDS:-3}"
slug="bench-largest"
email="bench@revdesk.example"
password="revdesk-demo-2026"

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
app_port=$(free_port 3700)
ceiling_port=$(free_port $((app_port + 1)))
app="http://127.0.0.1:$app_port"
ceiling="http://127.0.0.1:$ceiling_port"

pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

LEPTOS_SITE_ADDR="127.0.0.1:$app_port" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn \
  "$bin" serve >target/bench-app.log 2>&1 &
app_pid=$!
pids+=("$app_pid")
RUST_LOG=warn "$bin" bench-ceiling --email "$email" --addr "127.0.0.1:$ceiling_port" >target/bench-ceiling.log 2>&1 &
ceiling_pid=$!
pids+=("$ceiling_pid")
for _ in $(seq 1 150); do
  curl -fsS "$app/readyz" >/dev/null 2>&1 && curl -s -o /dev/null "$ceiling/" 2>/dev/null && break
  sleep 0.2
done
curl -fsS "$app/readyz" >/dev/null || { echo "bench: the server did not start:" >&2; cat target/bench-app.log >&2; exit 1; }

# Sign in as a real member of the largest tenant, through the sign-in form's endpoint.
jar="$(mktemp)"
curl -fsS -o /dev/null -c "$jar" -H "Origin: $app" -H "Accept: application/json" \
  --data-urlencode "email=$email" --data-urlencode "password=$password" "$app/api/sign_in"
cookie="revdesk_session=$(awk '$6 == "revdesk_session" { print $7 }' "$jar")"
rm -f "$jar"
[ "$cookie" != "revdesk_session=" ] || { echo "bench: signing in failed" >&2; exit 1; }

# A page 10,000 rows deep (the default order) and a lead with a long timeline.
sql() { psql "$DATABASE_URL" -qtAX -c "set timezone to 'UTC'" -c "$1"; }
deep=$(sql "select l.created_at::text || '~' || l.id from leads l join organizations o on o.id = l.organization_id
            where o.slug = '$slug' and l.deleted_at is null order by l.created_at desc, l.id desc offset 10000 limit 1")
deep=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$deep")
lead=$(sql "select j.lead_id from journey_events j join organizations o on o.id = j.organization_id
            where o.slug = '$slug' group by j.lead_id order by count(*) desc, j.lead_id limit 1")
largest=$(sql "select count(*) from leads l join organizations o on o.id = l.organization_id where o.slug = '$slug'")
total=$(sql "select count(*) from leads")

pages=(
  "list, first page|/o/$slug/leads"
  "list, 10,000 rows deep|/o/$slug/leads?after=$deep"
  "list, filter|/o/$slug/leads?status=qualified&priority=hot"
  "full-text search|/o/$slug/leads?q=elena"
  "substring search|/o/$slug/leads?contains=granite"
  "lead detail|/o/$slug/leads/$lead"
)

# oha's JSON summary -> "req/s p50_ms p99_ms ok_share requests"
measure() {
  local url=$1 duration=$2; shift 2
  oha --no-tui --output-format json -z "$duration" "$@" -H "Cookie: $cookie" "$url" 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
s, p = r["summary"], r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
ok = codes.get("200", 0) / max(1, sum(codes.values()))
# No answer at all within the run leaves the percentiles empty: report them as 0.
ms = lambda v: (v or 0) * 1000
rps, p50, p99 = s["requestsPerSec"] or 0, ms(p["p50"]), ms(p["p99"])
print(f"{rps:.0f} {p50:.1f} {p99:.1f} {ok:.3f} {sum(codes.values())}")'
}
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
# cpu_ticks PID, db_ticks (all of PostgreSQL), per_request BEFORE AFTER REQUESTS.
source scripts/cpu.sh

printf '\nmake bench: tenant %s (%s of %s leads in the database), %s s per run, fixed rate %s/s, full speed %s connections, medians of %s rounds\n\n' \
  "$slug" "$largest" "$total" "$seconds" "$rate" "$connections" "$rounds"
printf '%-24s | %-28s | %-26s | %8s | %-28s | %-22s | %8s | %9s | %-16s | %-13s | %-19s | %-19s\n' "page" "app @${rate}/s p50 / p99 ms" \
  "ceiling @${rate}/s p50 / p99" "steal ms" "app full speed req/s p50 p99" "ceiling req/s p50 p99" "HTML KiB" "app RSS" "ratio (rounds)" "ratio no gzip" "CPU µs/req app ceil" \
  "DB CPU µs/req app ceil"
printf '%s\n' "$(printf -- '-%.0s' $(seq 1 250))"
failed=0
for entry in "${pages[@]}"; do
  name="${entry%%|*}"
  path="${entry#*|}"
  [[ "$name" =~ ${BENCH_ONLY:-.} ]] || continue
  bytes=$(curl -fsS -H "Cookie: $cookie" "$app$path" | wc -c)
  curl -fsS -o /dev/null "$ceiling$path" || { echo "bench: the ceiling failed on $path" >&2; failed=1; }
  measure "$app$path" 2s -c 4 >/dev/null # warm-up
  steal_before=$(steal_ticks)
  read -r _ fixed50 fixed99 fixed_ok _ < <(measure "$app$path" "${seconds}s" -q "$rate" -c "$connections")
  steal=$(ticks_ms "$steal_before" "$(steal_ticks)")
  # The ceiling at the same rate: what the machine's own stalls do to a p99 in this run.
  measure "$ceiling$path" 2s -c 4 >/dev/null
  read -r _ cfixed50 cfixed99 cfixed_ok _ < <(measure "$ceiling$path" "${seconds}s" -q "$rate" -c "$connections")
  # Rounds of app then ceiling at full speed: "req/s p50 p99 cpu" per line.
  app_runs=(); ceiling_runs=(); plain_runs=(); full_ok=1.000; c_ok=1.000
  for _ in $(seq 1 "$rounds"); do
    before=$(cpu_ticks "$app_pid") db_before=$(db_ticks)
    read -r rps full50 full99 ok n < <(measure "$app$path" "${seconds}s" -c "$connections")
    app_runs+=("$rps $full50 $full99 $(per_request "$before" "$(cpu_ticks "$app_pid")" "$n") $(per_request "$db_before" "$(db_ticks)" "$n")")
    [ "$ok" = "1.000" ] || full_ok=$ok
    measure "$ceiling$path" 2s -c 4 >/dev/null
    before=$(cpu_ticks "$ceiling_pid") db_before=$(db_ticks)
    read -r crps c50 c99 ok n < <(measure "$ceiling$path" "${seconds}s" -c "$connections")
    ceiling_runs+=("$crps $c50 $c99 $(per_request "$before" "$(cpu_ticks "$ceiling_pid")" "$n") $(per_request "$db_before" "$(db_ticks)" "$n")")
    [ "$ok" = "1.000" ] || c_ok=$ok
    # The app once more, asked for no compression: the same wire format as the ceiling's,
    # so the ratio of this run leaves out what gzip costs the app.
    read -r prps _ _ ok _ < <(measure "$app$path" "${seconds}s" -c "$connections" --disable-compression)
    plain_runs+=("$prps")
    [ "$ok" = "1.000" ] || full_ok=$ok
  done
  read -r rps full50 full99 app_cpu app_db crps c50 c99 ceiling_cpu ceiling_db low high < <(python3 -c '
import statistics, sys
app = [list(map(float, r.split())) for r in sys.argv[1].split("|")]
ceil = [list(map(float, r.split())) for r in sys.argv[2].split("|")]
med = lambda runs, i: statistics.median(r[i] for r in runs)
ratios = [a[0] / max(1, c[0]) for a, c in zip(app, ceil)]
print(*(f"{med(app, i):.0f}" if i in (0, 3, 4) else f"{med(app, i):.1f}" for i in range(5)),
      *(f"{med(ceil, i):.0f}" if i in (0, 3, 4) else f"{med(ceil, i):.1f}" for i in range(5)),
      f"{min(ratios):.2f}", f"{max(ratios):.2f}")' "$(IFS='|'; echo "${app_runs[*]}")" "$(IFS='|'; echo "${ceiling_runs[*]}")")
  for share in "$fixed_ok" "$cfixed_ok" "$full_ok" "$c_ok"; do
    [ "$share" = "1.000" ] || { echo "bench: $name answered non-200 (share of 200s: $share)" >&2; failed=1; }
  done
  ratio=$(python3 -c "print(f'{$rps / max(1, $crps):.2f} ({$low}-{$high})')")
  plain=$(python3 -c "import statistics; print(f'{statistics.median([$(IFS=,; echo "${plain_runs[*]}")]) / max(1, $crps):.2f}')")
  printf '%-24s | %12s / %-13s | %11s / %-12s | %8s | %8s %8s %9s | %7s %6s %7s | %8.1f | %5s MiB | %-16s | %-13s | %8s %8s | %8s %8s\n' \
    "$name" "$fixed50" "$fixed99" "$cfixed50" "$cfixed99" "$steal" "$rps" "$full50" "$full99" "$crps" "$c50" "$c99" \
    "$(python3 -c "print($bytes / 1024)")" "$(rss_mib "$app_pid")" "$ratio" "$plain" "$app_cpu" "$ceiling_cpu" \
    "$app_db" "$ceiling_db"
done
printf '\nceiling RSS after the runs: %s MiB\n' "$(rss_mib "$ceiling_pid")"

wasm=$(ls target/site/pkg/*.wasm | head -n 1)
# `make test` builds the site in debug into the same place; `make bench` rebuilds release.
[ "$(stat -c %s "$wasm")" -lt $((1024 * 1024)) ] ||
  echo "bench: $wasm is over 1 MiB, a debug build: run 'make bench' (it builds the release site) for its size" >&2
node -e '
const zlib = require("zlib"), fs = require("fs");
const raw = fs.readFileSync(process.argv[1]);
const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } });
const gz = zlib.gzipSync(raw, { level: 9 });
console.log(`release wasm ${process.argv[1].split("/").pop()}: ${(raw.length / 1024).toFixed(1)} KiB raw, ${(br.length / 1024).toFixed(1)} KiB brotli, ${(gz.length / 1024).toFixed(1)} KiB gzip`);
' "$wasm"
exit "$failed"
