// The textbook collector, for the benchmark: one std::mutex, two condition
// variables and a std::deque as the bounded queue, N std::threads, the block
// policy only. Correct, and what most people write first.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "go/metric_store.hpp"

namespace bench {

class TextbookCollector {
 public:
  TextbookCollector(go::MetricStore& store, std::size_t workers, std::size_t capacity)
      : store_(store), capacity_(capacity) {
    for (std::size_t i = 0; i < workers; ++i) workers_.emplace_back([this] { work(); });
  }
  ~TextbookCollector() { shutdown(); }

  bool submit(std::string key) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || queue_.size() < capacity_; });
    if (closed_) return false;
    queue_.push_back(std::move(key));
    not_empty_.notify_one();
    return true;
  }

  void shutdown() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
    for (std::thread& t : workers_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void work() {
    for (;;) {
      std::string key;
      {
        std::unique_lock lock(mu_);
        not_empty_.wait(lock, [&] { return closed_ || !queue_.empty(); });
        if (queue_.empty()) return;  // closed and drained
        key = std::move(queue_.front());
        queue_.pop_front();
        not_full_.notify_one();
      }
      store_.inc(key);
    }
  }

  go::MetricStore& store_;
  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::string> queue_;  // guarded by mu_
  bool closed_ = false;            // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace bench
