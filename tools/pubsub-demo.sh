#!/usr/bin/env bash
# make pubsub-demo: phase 11's broker over gRPC on loopback. Starts
# pubsub-server on an ephemeral port, a subscriber to 'orders.>' that asks
# for the history, publishes a few messages (one it must not get), prints
# what the subscriber received and the server's final counters.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build/default}
if ! cmake --build "$build" --target pubsub-server pubsub >/dev/null 2>&1; then
  echo "pubsub-demo: could not build pubsub-server and pubsub in $build."
  echo "  They need gRPC: sudo apt-get install -y libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc"
  echo "  then: cmake --preset default"
  exit 1
fi
log=$(mktemp)
"$build/pubsub-server" --address 127.0.0.1:0 --history 10 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  sleep 0.05
done
addr=$(sed -n 's/.*listening on //p' "$log")
[ -n "$addr" ] || { cat "$log"; echo "pubsub-demo: the server did not start"; exit 1; }
echo "== pubsub-server listening on $addr"
export PUBSUB_SERVER=$addr
"$build/pubsub" pub orders.created '{"id":1}'
"$build/pubsub" pub users.created '{"id":7}'
echo "== pubsub sub 'orders.>' --replay 10 --count 3   (the history first, then live)"
"$build/pubsub" sub 'orders.>' --replay 10 --count 3 &
sub=$!
"$build/pubsub" pub orders.eu.paid '{"id":1,"eur":20}' >/dev/null
"$build/pubsub" pub orders.shipped '{"id":1}' >/dev/null
wait $sub
echo "== an invalid topic is refused:"
"$build/pubsub" pub 'orders.*' 'x' || true
kill -TERM $server
wait $server || true
cat "$log"
