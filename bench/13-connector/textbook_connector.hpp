// The textbook asynchronous connector: what a first version written with one
// std::mutex and one std::condition_variable looks like. Same semantics as
// go::Connector (job index, pending dedupe, bounded queue with drop, workers,
// requeue after a capped backoff, expiry, accumulators, flush by size and at
// shutdown), but one lock guards everything: ingest, every worker's lookup
// and accumulation, and the flush, which delivers under it. The requeued
// items wait in a deadline-ordered multimap the workers watch with
// wait_until (no timer thread, no busy-wait).
//
// The benchmark's baseline; not graded.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "go/connector_accumulators.hpp"
#include "go/connector_span.hpp"

namespace textbook {

struct Config {
  int workers = 2;
  std::size_t queue_capacity = 1024;
  std::size_t batch_size_threshold = 2048;
  std::chrono::nanoseconds initial_backoff = std::chrono::microseconds(200);
  std::chrono::nanoseconds max_backoff = std::chrono::milliseconds(5);
  std::chrono::nanoseconds max_cache = std::chrono::seconds(10);
};

class Connector {
 public:
  using Clock = std::chrono::steady_clock;

  Connector(Config cfg, go::TracesConsumer& traces, go::MetricsConsumer& metrics)
      : cfg_(cfg), traces_(traces), metrics_(metrics) {
    for (int i = 0; i < cfg_.workers; ++i) workers_.emplace_back([this] { work(); });
  }
  ~Connector() { shutdown(); }

  void consume(std::span<const go::ConnectorSpan> batch) {
    const auto now = Clock::now();
    std::lock_guard lock(mu_);
    for (const go::ConnectorSpan& s : batch) {
      if (s.role == go::SpanRole::job) {
        jobs_[s.span_id] = s.job_key;
      } else if (s.role == go::SpanRole::entity) {
        if (queue_.size() >= cfg_.queue_capacity || !pending_.insert(s.span_id).second) continue;
        queue_.push_back({s, now + cfg_.max_cache, 0});
        cv_.notify_one();
      }
    }
  }

  std::uint64_t resolved() {
    std::lock_guard lock(mu_);
    return resolved_;
  }

  void shutdown() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      for (auto& [due, item] : delayed_) queue_.push_back(std::move(item));
      delayed_.clear();
      cv_.notify_all();
    }
    for (std::thread& t : workers_) t.join();
    std::lock_guard lock(mu_);
    flush_locked();
  }

 private:
  struct Item {
    go::ConnectorSpan span;
    Clock::time_point deadline;
    int attempts;
  };

  void work() {
    std::unique_lock lock(mu_);
    for (;;) {
      const auto now = Clock::now();
      while (!delayed_.empty() && delayed_.begin()->first <= now) {
        queue_.push_back(std::move(delayed_.begin()->second));
        delayed_.erase(delayed_.begin());
      }
      if (queue_.empty()) {
        if (stopping_) return;
        if (delayed_.empty()) {
          cv_.wait(lock);
        } else {
          cv_.wait_until(lock, delayed_.begin()->first);
        }
        continue;
      }
      Item item = std::move(queue_.front());
      queue_.pop_front();
      std::string job = item.span.job_key;
      if (job.empty()) {
        auto it = jobs_.find(item.span.parent_id);
        if (it != jobs_.end()) job = it->second;
      }
      if (job.empty()) {
        if (now < item.deadline && !stopping_) {
          const auto delay = std::min(cfg_.max_backoff, cfg_.initial_backoff * (1 << std::min(item.attempts, 20)));
          ++item.attempts;
          delayed_.emplace(std::min(now + delay, item.deadline), std::move(item));
        } else {
          pending_.erase(item.span.span_id);
        }
        continue;
      }
      const go::ConnectorSpan& s = item.span;
      acc_.add(s.entity_key, {s.trace_id, s.span_id, s.parent_id, job, s.status, s.start_unix_nano, s.end_unix_nano}, true);
      pending_.erase(s.span_id);
      ++resolved_;
      if (acc_.span_count() >= cfg_.batch_size_threshold) flush_locked();  // delivers under the lock
    }
  }

  void flush_locked() {
    if (acc_.empty()) return;
    go::Accumulators taken = std::move(acc_);
    acc_ = go::Accumulators();
    (void)traces_.consume_traces(taken.build_traces());
    (void)metrics_.consume_metrics(taken.build_metrics());
  }

  const Config cfg_;
  go::TracesConsumer& traces_;
  go::MetricsConsumer& metrics_;
  std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  std::deque<Item> queue_;
  std::multimap<Clock::time_point, Item> delayed_;
  std::unordered_map<std::uint64_t, std::string> jobs_;
  std::unordered_set<std::uint64_t> pending_;
  go::Accumulators acc_;
  std::uint64_t resolved_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace textbook
