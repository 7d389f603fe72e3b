#!/usr/bin/env bash
# make connector-demo: phase 13's connector as three processes on this
# machine. Builds collector-server (phase 08), connector-server and
# connector-load (release preset); starts the collector and the connector on
# free loopback ports (port 0), the connector forwarding its entity traces to
# the collector; drives the connector with connector-load (job and entity
# spans, LATE percent of the jobs sent one batch late); scrapes /metrics;
# stops the connector (drain, final flush), then the collector; prints both
# servers' final counters and checks that they add up: every span the
# connector emitted is one the collector ingested.
#
#   make connector-demo                          # 50 batches of 1000, 20% late jobs
#   BATCHES=200 BATCH=500 LATE=40 make connector-demo
set -euo pipefail
cd "$(dirname "$0")/.."
BATCHES=${BATCHES:-50}
BATCH=${BATCH:-1000}
LATE=${LATE:-20}
JOBS=${JOBS:-2}

cmake --preset release >/dev/null
if ! grep -q 'build connector-server:' build/release/build.ninja; then
  echo "connector-demo: connector-server is not configured (gRPC/protobuf missing?). Install them with:"
  echo "connector-demo:   sudo apt-get install -y libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc"
  exit 1
fi
cmake --build --preset release --target collector-server connector-server connector-load -j"$JOBS"

dir=$(mktemp -d)
collector=""
connector=""
trap 'kill $collector $connector 2>/dev/null || true; rm -rf "$dir"' EXIT

wait_for() {  # wait_for LOG PATTERN PID: up to 10 s for PATTERN in LOG
  for _ in $(seq 100); do
    grep -q "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || { cat "$1"; return 1; }
    sleep 0.1
  done
  echo "connector-demo: no '$2' in $1 after 10 s:"; cat "$1"; return 1
}

build/release/collector-server 127.0.0.1:0 --stats-every 0 >"$dir/collector.log" 2>&1 &
collector=$!
wait_for "$dir/collector.log" 'listening on' "$collector"
collector_target=$(sed -n 's/.*listening on \([^ ]*\) .*/\1/p' "$dir/collector.log")

build/release/connector-server 127.0.0.1:0 --forward "$collector_target" --stats-every 0 >"$dir/connector.log" 2>&1 &
connector=$!
wait_for "$dir/connector.log" 'metrics on' "$connector"
connector_target=$(sed -n 's/.*listening on \([^ ]*\) .*/\1/p' "$dir/connector.log")
metrics_url=$(sed -n 's/.*metrics on \(http[^ ]*\)$/\1/p' "$dir/connector.log")
cat "$dir/collector.log" "$dir/connector.log"

build/release/connector-load --target "$connector_target" --batches "$BATCHES" --batch "$BATCH" --late "$LATE"

# Scrape /metrics until every accepted span is resolved or expired (the last
# late jobs need a requeue or two), then show the plan's metrics.
python3 - "$metrics_url" <<'PY'
import sys, time, urllib.request
url = sys.argv[1]
for _ in range(100):
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    v = {l.split()[0]: float(l.split()[1]) for l in text.splitlines() if l and not l.startswith("#")}
    if v["connector_accepted_spans_total"] == v["connector_resolved_spans_total"] + v["connector_expired_total"]:
        break
    time.sleep(0.1)
print(f"connector-demo: scraped {url}:")
for name in ("connector_queue_depth", "connector_received_spans_total", "connector_enqueue_dropped_total",
             "connector_requeue_total", "connector_expired_total", "connector_resolved_spans_total",
             "connector_work_item_age_seconds_count", "connector_work_item_age_seconds_sum",
             "connector_flushes_total", "connector_delivery_errors_total"):
    print(f"  {name} {v[name]:g}")
PY

kill -TERM "$connector"
wait "$connector"
connector=""
kill -TERM "$collector"
wait "$collector"
collector=""
sed -n '/SIGTERM/,$p' "$dir/connector.log"
sed -n '/SIGTERM/,$p' "$dir/collector.log"

emitted=$(sed -n 's/.*final: resolved [0-9]* = emitted \([0-9]*\) .*/\1/p' "$dir/connector.log")
ingested=$(sed -n 's/.*final: ingested \([0-9]*\) .*/\1/p' "$dir/collector.log")
if [ -n "$emitted" ] && [ "$emitted" = "$ingested" ]; then
  echo "connector-demo: the counters add up: the connector emitted $emitted entity spans, the collector ingested $ingested"
else
  echo "connector-demo: the counters do not add up: connector emitted '${emitted}', collector ingested '${ingested}'"
  exit 1
fi
