// The textbook asynchronous connector: what a first version written with one
// std::mutex and one std::condition_variable looks like. Same contract as
// go::Connector where the benchmark looks: a job index whose entries expire
// after max_cache and whose least recently used entry goes when it is full,
// pending dedupe, a bounded queue with drop, workers, requeue after a capped
// backoff, expiry, accumulators, flush by size and at shutdown, and the
// self-metrics the reference keeps per span (counters, and the work items'
// age as a histogram). But one lock guards everything:
// ingest, every worker's lookup and accumulation, and the flush, which
// delivers under it. The requeued items wait in a deadline-ordered multimap
// the workers watch with wait_until (no timer thread, no busy-wait).
//
// Not here: the periodic flush (the benchmark's ops are shorter than the
// reference's flush interval) and sampling (the benchmark keeps every span,
// where the reference's sampled_in() returns at once).
//
// The benchmark's baseline; not graded.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
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
  std::size_t job_index_capacity = 100'000;
};

// A fixed-bucket histogram (plain counts: the connector's lock guards it).
class Histogram {
 public:
  void observe(double v, std::uint64_t n = 1) {
    const auto i = static_cast<std::size_t>(std::lower_bound(kBounds.begin(), kBounds.end(), v) - kBounds.begin());
    counts_[i] += n;
    sum_ += v * static_cast<double>(n);
  }

 private:
  static constexpr std::array<double, 12> kBounds{1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.1, 1.0};
  std::array<std::uint64_t, kBounds.size() + 1> counts_{};
  double sum_ = 0;
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
        remember_job(s.span_id, s.job_key, now);
        ++job_spans_;
      } else if (s.role == go::SpanRole::entity) {
        ++received_;
        if (!pending_.insert(s.span_id).second) {
          ++duplicates_;
          continue;
        }
        if (queue_.size() >= cfg_.queue_capacity) {
          pending_.erase(s.span_id);
          ++dropped_;
          continue;
        }
        queue_.push_back({s, now, now + cfg_.max_cache, 0});
        ++accepted_;
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
    Clock::time_point arrived;
    Clock::time_point deadline;
    int attempts;
  };

  // The job index: span id -> job key, most recently used first; an entry
  // expires max_cache after it was put.
  struct Job {
    std::uint64_t span_id;
    std::string key;
    Clock::time_point expires;
  };

  void remember_job(std::uint64_t span_id, const std::string& key, Clock::time_point now) {
    if (auto it = job_index_.find(span_id); it != job_index_.end()) job_lru_.erase(it->second);
    job_lru_.push_front({span_id, key, now + cfg_.max_cache});
    job_index_[span_id] = job_lru_.begin();
    if (job_lru_.size() > cfg_.job_index_capacity) {
      job_index_.erase(job_lru_.back().span_id);
      job_lru_.pop_back();
    }
  }

  // The job key of span_id, or "" when unknown or expired.
  std::string find_job(std::uint64_t span_id, Clock::time_point now) {
    auto it = job_index_.find(span_id);
    if (it == job_index_.end()) return {};
    if (it->second->expires <= now) {
      job_lru_.erase(it->second);
      job_index_.erase(it);
      return {};
    }
    job_lru_.splice(job_lru_.begin(), job_lru_, it->second);
    return it->second->key;
  }

  static double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

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
      if (job.empty()) job = find_job(item.span.parent_id, now);
      if (job.empty()) {
        if (now < item.deadline && !stopping_) {
          const auto delay = std::min(cfg_.max_backoff, cfg_.initial_backoff * (1 << std::min(item.attempts, 20)));
          ++item.attempts;
          ++requeued_;
          delayed_.emplace(std::min(now + delay, item.deadline), std::move(item));
        } else {
          pending_.erase(item.span.span_id);
          ++expired_;
        }
        continue;
      }
      const go::ConnectorSpan& s = item.span;
      work_item_age_.observe(seconds(now - item.arrived));
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
  std::list<Job> job_lru_;
  std::unordered_map<std::uint64_t, std::list<Job>::iterator> job_index_;
  std::unordered_set<std::uint64_t> pending_;
  go::Accumulators acc_;
  // Self-metrics, as the reference keeps them.
  std::uint64_t job_spans_ = 0, received_ = 0, duplicates_ = 0, dropped_ = 0, accepted_ = 0;
  std::uint64_t requeued_ = 0, expired_ = 0, resolved_ = 0;
  Histogram work_item_age_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace textbook
