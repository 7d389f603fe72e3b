// go::Accumulators: what the workers collect between two flushes: entity
// spans grouped by entity key (the traces output) and counters keyed by
// (job key, status) over a time range (the metrics output).
// Lesson: phases/13-connector/README.md, "Shared accumulators".
//
//   go::Accumulators acc;
//   acc.add("customer/42", span, /*keep_trace=*/true);   // a worker, under the connector's lock
//   go::Accumulators taken = std::move(acc);  acc = {};   // a flush: O(1) under the lock
//   go::TraceBatch traces = taken.build_traces();         // ...the work, outside it
//   go::MetricBatch metrics = taken.build_metrics();
//
// Contract (the tests check each point through the connector):
//   - add(entity, span, keep_trace): counts the span in the metric point of
//     (span.job_key, span.status), widening its range to [min start, max
//     end]; if keep_trace, appends the span to the entity's trace. Every
//     resolved span counts in the metrics, kept for traces or not.
//   - span_count(): spans added since construction (kept or not): what the
//     size-based flush compares with batch_size_threshold.
//   - build_traces(): entities by key, each entity's spans by (start, span
//     id); build_metrics(): points by (job key, status). So the output does
//     not depend on which worker handled which span.
//   - Not thread-safe: the connector guards it with its accumulator lock.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "go/connector_span.hpp"

namespace go {

class Accumulators {
 public:
  void add(const std::string& entity_key, EntitySpan span, bool keep_trace) {
    ++span_count_;
    MetricPoint& p = points_[{span.job_key, span.status}];
    if (p.count == 0) {
      p.job_key = span.job_key;
      p.status = span.status;
      p.start_unix_nano = span.start_unix_nano;
      p.end_unix_nano = span.end_unix_nano;
    } else {
      p.start_unix_nano = std::min(p.start_unix_nano, span.start_unix_nano);
      p.end_unix_nano = std::max(p.end_unix_nano, span.end_unix_nano);
    }
    ++p.count;
    if (keep_trace) {
      traces_[entity_key].push_back(std::move(span));
      ++kept_;
    }
  }

  std::size_t span_count() const { return span_count_; }
  std::size_t kept_spans() const { return kept_; }
  bool empty() const { return span_count_ == 0; }

  TraceBatch build_traces() {
    TraceBatch batch;
    batch.entities.reserve(traces_.size());
    for (auto& [key, spans] : traces_) {  // std::map: already by key
      std::sort(spans.begin(), spans.end(), [](const EntitySpan& a, const EntitySpan& b) {
        return std::tie(a.start_unix_nano, a.span_id) < std::tie(b.start_unix_nano, b.span_id);
      });
      batch.entities.push_back({key, std::move(spans)});
    }
    traces_.clear();
    return batch;
  }

  MetricBatch build_metrics() {
    MetricBatch batch;
    batch.points.reserve(points_.size());
    for (auto& [key, point] : points_) batch.points.push_back(std::move(point));
    points_.clear();
    return batch;
  }

 private:
  std::map<std::string, std::vector<EntitySpan>> traces_;
  std::map<std::pair<std::string, SpanStatus>, MetricPoint> points_;
  std::size_t span_count_ = 0;
  std::size_t kept_ = 0;
};

}  // namespace go
