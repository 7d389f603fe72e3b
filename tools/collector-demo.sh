#!/usr/bin/env bash
# make collector-demo: phase 08's collector behind gRPC, under load, on this
# machine. Builds collector-server and collector-load (release preset),
# starts the server on a free loopback port (port 0: the kernel picks),
# runs the load generator against it, stops the server with SIGTERM and
# shows its final counters (ingested = processed + rejected + dropped + failed).
#
#   make collector-demo                      # 2 clients, batches of 1000, 5 s
#   CLIENTS=4 BATCH=100 DURATION=10 make collector-demo
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-2}
BATCH=${BATCH:-1000}
DURATION=${DURATION:-5}
JOBS=${JOBS:-2}

cmake --preset release >/dev/null
if ! grep -q 'build collector-server:' build/release/build.ninja; then
  echo "collector-demo: the gRPC front end is not configured (gRPC/protobuf missing?). Install it with:"
  echo "collector-demo:   sudo apt-get install -y libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc"
  exit 1
fi
cmake --build --preset release --target collector-server collector-load -j"$JOBS"

log=$(mktemp)
build/release/collector-server 127.0.0.1:0 --stats-every 0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do  # up to 10 s for the "listening on" line
  grep -q 'listening on' "$log" && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
target=$(sed -n 's/.*listening on \([^ ]*\) .*/\1/p' "$log")
[ -n "$target" ] || { echo "collector-demo: the server did not start:"; cat "$log"; exit 1; }
cat "$log"
status=0
build/release/collector-load --target "$target" --clients "$CLIENTS" --batch "$BATCH" --duration "$DURATION" || status=$?
kill -TERM "$server"
wait "$server" || status=$?
sed -n '/SIGTERM/,$p' "$log"
exit "$status"
