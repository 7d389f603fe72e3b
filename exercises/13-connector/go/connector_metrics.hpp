// go::ConnectorMetrics: the connector's self-metrics (the plan's list: queue
// depth, enqueue drops, requeues, expirations, work item age, processing
// latency, flush sizes, delivery errors) and their Prometheus text format.
// Lesson: phases/13-connector/README.md, "Instrumentation".
//
//   go::ConnectorMetrics m;
//   m.requeues.fetch_add(1, std::memory_order_relaxed);
//   m.work_item_age_seconds.observe(0.012);
//   std::string text = m.prometheus_text(queue_depth);  // what /metrics serves
//
// Contract (the tests check each point):
//   - Histogram(bounds): bounds strictly increasing and non-empty, else
//     std::invalid_argument. observe(v) counts v in every bucket whose bound
//     is >= v (Prometheus buckets are cumulative), adds v to the sum and 1 to
//     the count; observe(v, n) does that n times at once. observe() takes no lock (one atomic per bucket, an atomic
//     sum); snapshot() reads each bucket once, and its count is the sum of
//     the buckets, so the +Inf bucket always equals _count.
//   - prometheus_text(queue_depth): the text exposition format, version
//     0.0.4: for every metric a "# HELP" and a "# TYPE" line, then its
//     samples; names start with "connector_"; counters end in "_total";
//     histograms have their _bucket{le="..."} lines in increasing order with
//     le="+Inf" last and equal to _count, then _sum and _count. The output
//     passes `promtool check metrics`.
//   - The counters only grow. Reading them while workers run is safe.
//
// Memory ordering: the counters are relaxed atomics: a scrape sees some
// recent value of each, not one instant across all of them (Prometheus
// clients promise no more).
//
// Hints: a histogram is an atomic counter per bucket (one more for values
// above every bound) and an atomic<double> sum; Prometheus buckets are
// cumulative, so count per bucket and add them up in snapshot().
// std::snprintf("%.15g") prints a double the way Prometheus reads it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "go/todo.hpp"

namespace go {

class Histogram {
 public:
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // cumulative[i]: observations <= bounds[i]
    double sum = 0;
    std::uint64_t count = 0;
  };

  explicit Histogram(std::vector<double> bounds) {
    (void)bounds;
    throw go::todo("Histogram::Histogram");  // TODO: keep the bounds; reject empty or non-increasing ones
  }

  // observe: counts v (n times) in its bucket, adds it to the sum and the count.
  void observe(double v, std::uint64_t n = 1) {
    (void)v;
    (void)n;
    throw go::todo("Histogram::observe");  // TODO: count v in its bucket (the first bound >= v), add it to the sum
  }

  // snapshot: a consistent copy, with cumulative bucket counts.
  Snapshot snapshot() const {
    throw go::todo("Histogram::snapshot");  // TODO: read each bucket once, make the counts cumulative
  }

 private:
  // TODO: the bounds, an atomic count per bucket (and one above them all), an atomic sum
};

// ConnectorStats: the counters at one moment, for tests and for the demo.
struct ConnectorStats {
  std::uint64_t received = 0;                // entity spans offered to consume()
  std::uint64_t accepted = 0;                // entity spans queued (each ends in one of the four below)
  std::uint64_t duplicates = 0;              // already pending: not queued again
  std::uint64_t enqueue_dropped = 0;         // queue full (or closed): not accepted
  std::uint64_t job_spans = 0;               // job spans indexed
  std::uint64_t requeues = 0;                // an item put back to wait for its job
  std::uint64_t expired = 0;                 // accepted, but its job never came in time
  std::uint64_t resolved = 0;                // accepted and matched with a job
  std::uint64_t sampled_out = 0;             // resolved, non-error, not kept for traces
  std::uint64_t emitted_spans = 0;           // delivered in a trace batch
  std::uint64_t emitted_points = 0;          // delivered in a metric batch
  std::uint64_t flushes = 0;                 // flushes that had something to hand on
  std::uint64_t delivery_errors = 0;         // batches a consumer refused (dropped, not retried)
  std::uint64_t delivery_dropped_spans = 0;  // spans in refused trace batches
};

class ConnectorMetrics {
 public:
  std::atomic<std::uint64_t> received{0}, accepted{0}, duplicates{0}, enqueue_dropped{0}, job_spans{0},
      requeues{0}, expired{0}, resolved{0}, sampled_out{0}, emitted_spans{0}, emitted_points{0}, flushes{0},
      delivery_errors{0}, delivery_dropped_spans{0};
  Histogram work_item_age_seconds{{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60}};
  Histogram processing_latency_seconds{{0.00001, 0.0001, 0.001, 0.01, 0.1, 1}};
  Histogram flush_spans{{1, 10, 100, 1000, 10000, 100000}};
  Histogram flush_metric_points{{1, 10, 100, 1000, 10000}};

  ConnectorStats stats() const {
    auto r = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    return {r(received), r(accepted),  r(duplicates),     r(enqueue_dropped), r(job_spans),
            r(requeues), r(expired),   r(resolved),       r(sampled_out),     r(emitted_spans),
            r(emitted_points), r(flushes), r(delivery_errors), r(delivery_dropped_spans)};
  }

  // prometheus_text: the text exposition format of every metric (see the contract).
  std::string prometheus_text(std::size_t queue_depth) const {
    (void)queue_depth;
    // TODO: for each metric a "# HELP name text" and a "# TYPE name kind"
    // line, then its samples: the gauge, the counters (names end in _total),
    // and for each histogram its _bucket{le="..."} lines in order, le="+Inf"
    // last (= the count), then _sum and _count. Check with promtool.
    throw go::todo("ConnectorMetrics::prometheus_text");
  }
};

}  // namespace go
