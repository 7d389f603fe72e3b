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
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace go {

class Histogram {
 public:
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // cumulative[i]: observations <= bounds[i]
    double sum = 0;
    std::uint64_t count = 0;
  };

  explicit Histogram(std::vector<double> bounds)
      : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {  // + 1: above every bound
    if (bounds_.empty()) throw std::invalid_argument("go::Histogram: no bounds");
    for (std::size_t i = 1; i < bounds_.size(); ++i) {
      if (!(bounds_[i - 1] < bounds_[i])) throw std::invalid_argument("go::Histogram: bounds must increase");
    }
  }

  void observe(double v, std::uint64_t n = 1) {
    // The first bound >= v; bounds_.size() (the overflow slot) if none.
    const auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
    counts_[i].fetch_add(n, std::memory_order_relaxed);  // per bucket here; made cumulative by snapshot()
    sum_.fetch_add(v * static_cast<double>(n), std::memory_order_relaxed);
  }

  Snapshot snapshot() const {
    Snapshot s{bounds_, std::vector<std::uint64_t>(bounds_.size()), sum_.load(std::memory_order_relaxed), 0};
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      s.count += counts_[i].load(std::memory_order_relaxed);
      if (i < bounds_.size()) s.cumulative[i] = s.count;
    }
    return s;
  }

 private:
  const std::vector<double> bounds_;
  std::vector<std::atomic<std::uint64_t>> counts_;
  std::atomic<double> sum_{0};
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

  std::string prometheus_text(std::size_t queue_depth) const {
    const ConnectorStats s = stats();
    std::string out;
    out.reserve(4096);
    header(out, "connector_queue_depth", "gauge", "Work items waiting in the queue.");
    sample(out, "connector_queue_depth", "", static_cast<double>(queue_depth));
    counter(out, "connector_received_spans_total", "Entity spans offered to the connector.", s.received);
    counter(out, "connector_accepted_spans_total", "Entity spans queued for the workers.", s.accepted);
    counter(out, "connector_duplicate_spans_total", "Entity spans already pending, not queued again.", s.duplicates);
    counter(out, "connector_enqueue_dropped_total", "Entity spans dropped because the queue was full.",
            s.enqueue_dropped);
    counter(out, "connector_job_spans_total", "Job spans added to the job index.", s.job_spans);
    counter(out, "connector_requeue_total", "Work items requeued to wait for their job.", s.requeues);
    counter(out, "connector_expired_total", "Work items whose job did not arrive before the deadline.", s.expired);
    counter(out, "connector_resolved_spans_total", "Work items matched with their job.", s.resolved);
    counter(out, "connector_sampled_out_spans_total", "Non-error spans not kept by sampling.", s.sampled_out);
    counter(out, "connector_emitted_spans_total", "Spans delivered downstream in trace batches.", s.emitted_spans);
    counter(out, "connector_emitted_metric_points_total", "Metric points delivered downstream.", s.emitted_points);
    counter(out, "connector_flushes_total", "Flushes that handed something downstream.", s.flushes);
    counter(out, "connector_delivery_errors_total", "Batches a downstream consumer refused (dropped).",
            s.delivery_errors);
    histogram(out, "connector_work_item_age_seconds", "Time from arrival to resolution or expiry.",
              work_item_age_seconds);
    histogram(out, "connector_processing_latency_seconds", "Time a worker spent on one work item.",
              processing_latency_seconds);
    histogram(out, "connector_flush_spans", "Spans per flush.", flush_spans);
    histogram(out, "connector_flush_metric_points", "Metric points per flush.", flush_metric_points);
    return out;
  }

 private:
  static void header(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
  }
  static std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", v);  // 0.1 prints as 0.1, not 0.10000000000000001
    return buf;
  }
  static void sample(std::string& out, const std::string& name, const std::string& labels, double v) {
    out += name;
    out += labels;
    out += ' ';
    out += number(v);
    out += '\n';
  }
  static void counter(std::string& out, const char* name, const char* help, std::uint64_t v) {
    header(out, name, "counter", help);
    out += name;
    out += ' ';
    out += std::to_string(v);
    out += '\n';
  }
  static void histogram(std::string& out, const char* name, const char* help, const Histogram& h) {
    const Histogram::Snapshot s = h.snapshot();
    header(out, name, "histogram", help);
    const std::string base = name;
    for (std::size_t i = 0; i < s.bounds.size(); ++i) {
      out += base + "_bucket{le=\"" + number(s.bounds[i]) + "\"} " + std::to_string(s.cumulative[i]) + '\n';
    }
    out += base + "_bucket{le=\"+Inf\"} " + std::to_string(s.count) + '\n';
    sample(out, base + "_sum", "", s.sum);
    out += base + "_count " + std::to_string(s.count) + '\n';
  }
};

}  // namespace go
