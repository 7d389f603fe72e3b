// Test helpers for phase 13: span builders and downstream consumers that
// record what they receive, fail on purpose, or block until released.
//
//   RecordingTraces traces;  RecordingMetrics metrics;
//   go::Connector c(config(clock));
//   c.set_traces_consumer(&traces);  c.set_metrics_consumer(&metrics);
//   c.consume(std::vector{job(1, "etl"), entity(10, 1, "customer/1")});
//   EXPECT_TRUE(go_test::eventually([&] { return traces.spans() == 1; }));
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "go/connector_config.hpp"
#include "go/connector_span.hpp"
#include "go/fake_clock.hpp"

namespace connector_test {

using namespace std::chrono_literals;

inline go::ConnectorSpan job(std::uint64_t id, std::string key) {
  go::ConnectorSpan s;
  s.trace_id = {1, id};
  s.span_id = id;
  s.role = go::SpanRole::job;
  s.job_key = std::move(key);
  return s;
}

inline go::ConnectorSpan entity(std::uint64_t id, std::uint64_t parent, std::string key,
                                go::SpanStatus status = go::SpanStatus::ok) {
  go::ConnectorSpan s;
  s.trace_id = {1, parent};
  s.span_id = id;
  s.parent_id = parent;
  s.role = go::SpanRole::entity;
  s.entity_key = std::move(key);
  s.status = status;
  s.start_unix_nano = static_cast<std::int64_t>(id) * 1000;
  s.end_unix_nano = static_cast<std::int64_t>(id) * 1000 + 500;
  return s;
}

// A config for fake-clock tests: no timer but the ones a test drives.
inline go::ConnectorConfig config(go::FakeClock& clock) {
  go::ConnectorConfig c;
  c.workers = 2;
  c.queue_capacity = 1024;
  c.flush_interval = 1h;  // only the flushes a test asks for
  c.initial_requeue_backoff = 100ms;
  c.max_requeue_backoff = 400ms;
  c.max_cache_duration = 1s;
  c.clock = &clock;
  c.log = [](const std::string&) {};
  return c;
}

class RecordingTraces : public go::TracesConsumer {
 public:
  std::error_code consume_traces(const go::TraceBatch& batch) override {
    std::lock_guard lock(mu_);
    batches_.push_back(batch);
    return fail_ ? std::make_error_code(std::errc::connection_refused) : std::error_code{};
  }
  void fail_always() {
    std::lock_guard lock(mu_);
    fail_ = true;
  }
  std::size_t calls() const {
    std::lock_guard lock(mu_);
    return batches_.size();
  }
  std::size_t spans() const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const go::TraceBatch& b : batches_) n += b.span_count();
    return n;
  }
  std::vector<go::TraceBatch> batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }
  // every span, with its entity key, in delivery order
  std::vector<std::pair<std::string, go::EntitySpan>> all() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<std::string, go::EntitySpan>> out;
    for (const go::TraceBatch& b : batches_)
      for (const go::EntityTrace& e : b.entities)
        for (const go::EntitySpan& s : e.spans) out.emplace_back(e.entity_key, s);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<go::TraceBatch> batches_;
  bool fail_ = false;
};

class RecordingMetrics : public go::MetricsConsumer {
 public:
  std::error_code consume_metrics(const go::MetricBatch& batch) override {
    std::lock_guard lock(mu_);
    batches_.push_back(batch);
    return {};
  }
  std::size_t calls() const {
    std::lock_guard lock(mu_);
    return batches_.size();
  }
  // the sum of the counts of (job, status) over every batch
  std::uint64_t count(const std::string& job_key, go::SpanStatus status) const {
    std::lock_guard lock(mu_);
    std::uint64_t n = 0;
    for (const go::MetricBatch& b : batches_)
      for (const go::MetricPoint& p : b.points)
        if (p.job_key == job_key && p.status == status) n += p.count;
    return n;
  }
  std::uint64_t total() const {
    std::lock_guard lock(mu_);
    std::uint64_t n = 0;
    for (const go::MetricBatch& b : batches_)
      for (const go::MetricPoint& p : b.points) n += p.count;
    return n;
  }
  std::vector<go::MetricBatch> batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<go::MetricBatch> batches_;
};

// GatedTraces: the first call blocks until open() (a slow downstream).
class GatedTraces : public go::TracesConsumer {
 public:
  std::error_code consume_traces(const go::TraceBatch& batch) override {
    std::unique_lock lock(mu_);
    ++entered_;
    spans_ += batch.span_count();
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    return {};
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }
  bool entered() const {
    std::lock_guard lock(mu_);
    return entered_ > 0;
  }
  std::size_t spans() const {
    std::lock_guard lock(mu_);
    return spans_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool open_ = false;
  int entered_ = 0;
  std::size_t spans_ = 0;
};

}  // namespace connector_test
