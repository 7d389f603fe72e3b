#!/usr/bin/env bash
# make scrape-demo: phase 10's scrape command against a local web of five
# "hosts" on loopback (scrape-demo-server: healthy, flaky with 503s and 429s,
# down, slow with some pages that never answer, and one that redirects).
# Builds both (default preset), starts the server, scrapes its URL list into
# build/scrape-demo/results.jsonl, shows the summary and a few lines, and
# stops the server.
#
#   make scrape-demo                       # 40 pages per host, rate 100/s, 8 workers
#   PAGES=100 RATE=50 WORKERS=4 make scrape-demo
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${PAGES:-40}
RATE=${RATE:-100}
WORKERS=${WORKERS:-8}
JOBS=${JOBS:-2}
dir=build/scrape-demo

cmake --preset default >/dev/null
if ! grep -q "^scrape:" build/default/build.ninja 2>/dev/null && ! grep -q "build scrape:" build/default/build.ninja; then
  echo "scrape-demo: the scrape command was not configured: cpp-httplib is missing."
  echo "scrape-demo: install it with  sudo apt-get install -y libcpp-httplib-dev pkg-config  (or make setup)"
  exit 1
fi
cmake --build --preset default --target scrape scrape-demo-server -j"$JOBS"
mkdir -p "$dir"
rm -f "$dir/urls.txt" "$dir/ready"
build/default/scrape-demo-server --urls-out "$dir/urls.txt" --pages "$PAGES" >"$dir/ready" 2>"$dir/server.log" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q ready "$dir/ready" 2>/dev/null && break
  sleep 0.1  # waiting for another process to start: no other handle on it
done
grep -q ready "$dir/ready" || { echo "scrape-demo: the server did not start:"; cat "$dir/server.log"; exit 1; }
cat "$dir/server.log"
echo "scrape-demo: scrape --urls $dir/urls.txt --rate $RATE --workers $WORKERS --timeout 1 --trip-after 3 --out $dir/results.jsonl"
status=0
build/default/scrape --urls "$dir/urls.txt" --rate "$RATE" --burst 10 --workers "$WORKERS" --timeout 1 \
  --trip-after 3 --out "$dir/results.jsonl" || status=$?
echo "scrape-demo: a few lines of $dir/results.jsonl:"
grep -m 2 '"status":200' "$dir/results.jsonl" || true
grep -m 1 'circuit breaker' "$dir/results.jsonl" || true
grep -m 1 'timed out' "$dir/results.jsonl" || true
# Exit status 1 is expected: the demo's hosts fail on purpose.
[ "$status" -le 1 ] || exit "$status"
