// The tempting half-fix of the legacy aggregator, for the benchmark: a mutex
// on the map (the race is gone) but still one thread per request, and no
// queue, no bound, no shutdown beyond "wait until the count says done". The
// racy original cannot be benchmarked: its behaviour is undefined.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "go/metric_store.hpp"

namespace bench {

class HalfFixAggregator {
 public:
  explicit HalfFixAggregator(go::MetricStore& store) : store_(store) {}

  void handle_request(std::string metric) {
    const int now = live_.fetch_add(1, std::memory_order_relaxed) + 1;
    int peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
    std::thread([this, m = std::move(metric)] {
      store_.inc(m);  // the store has the lock now: no race
      live_.fetch_sub(1, std::memory_order_relaxed);
      handled_.fetch_add(1, std::memory_order_release);
      handled_.notify_all();
    }).detach();
  }

  // The only way to know the work is done: count. (The threads may still be
  // exiting; the legacy design gives nothing to join.)
  void wait_for(std::int64_t n) {
    for (std::int64_t seen = handled_.load(std::memory_order_acquire); seen < n;
         seen = handled_.load(std::memory_order_acquire)) {
      handled_.wait(seen, std::memory_order_acquire);
    }
  }

  int peak_threads() const { return peak_.load(std::memory_order_relaxed); }

 private:
  go::MetricStore& store_;
  std::atomic<int> live_{0};
  std::atomic<int> peak_{0};
  std::atomic<std::int64_t> handled_{0};
};

}  // namespace bench
