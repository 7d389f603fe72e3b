#!/usr/bin/env bash
# make pipeline-demo: phase 09's log-pipeline on a generated multi-million-line
# log, on this machine. Builds log-pipeline (release preset), writes LINES
# lines split over two files in build/pipeline-demo/ (one line in 5 WARN or
# ERROR, one in 100 000 malformed), runs the pipeline with --level WARN and
# WORKERS enrichment workers into build/pipeline-demo/out.log, and shows its
# summary (read = malformed + filtered + written + ...).
#
#   make pipeline-demo                      # 2 000 000 lines, 4 workers
#   LINES=10000000 WORKERS=2 make pipeline-demo
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-2000000}
WORKERS=${WORKERS:-4}
JOBS=${JOBS:-2}
dir=build/pipeline-demo

cmake --preset release >/dev/null
cmake --build --preset release --target log-pipeline -j"$JOBS"
mkdir -p "$dir"
for part in a b; do
  file="$dir/$part.log"
  if [ ! -f "$file" ] || [ "$(wc -l <"$file")" -ne $((LINES / 2)) ]; then
    echo "pipeline-demo: writing $((LINES / 2)) lines to $file"
    awk -v n=$((LINES / 2)) -v part="$part" 'BEGIN {
      split("DEBUG INFO INFO INFO WARN INFO DEBUG INFO ERROR INFO", level, " ");
      for (i = 0; i < n; i++) {
        if (i % 100000 == 99999) { print "not a log line " i; continue }
        s = i % 86400;
        printf "2026-12-07T%02d:%02d:%02d.%03dZ %s %s request %d handled in %d ms\n",
               int(s / 3600), int(s / 60) % 60, s % 60, i % 1000, level[i % 10 + 1], part, i, i % 250
      }
    }' >"$file"
  fi
done
echo "pipeline-demo: log-pipeline --src $dir/a.log --src $dir/b.log --level WARN --workers $WORKERS --out $dir/out.log"
status=0
build/release/log-pipeline --src "$dir/a.log" --src "$dir/b.log" --level WARN --workers "$WORKERS" \
  --out "$dir/out.log" 2>&1 | tail -n 8 || status=$?
echo "pipeline-demo: first lines of $dir/out.log:"
head -n 3 "$dir/out.log"
# Exit status 1 is expected here: the generated log has malformed lines on purpose.
[ "$status" -le 1 ] || exit "$status"
