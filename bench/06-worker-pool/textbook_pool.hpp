// baseline::TextbookPool: the worker pool most people write first, for the
// benchmarks. One mutex and two condition variables around a std::queue of
// std::function jobs (bounded: submit waits while it is full), and a second
// mutex + two condition variables around the results (bounded as go::WorkerPool's
// results() are, to queue + workers: a worker waits while it is full, so a
// slow reader cannot make the pool hold every result in memory). Every push
// and pop notifies, whether anyone waits or not. No priorities, no
// cancellation, no stats, no scaling: the yardstick, not a model.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>
#include <utility>
#include <vector>

namespace baseline {

class TextbookPool {
 public:
  struct Result {
    std::uint64_t id;
    int value;
  };

  TextbookPool(std::size_t workers, std::size_t capacity)
      : capacity_(capacity), results_capacity_(capacity + workers) {
    for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  }
  ~TextbookPool() { shutdown(); }

  void submit(std::uint64_t id, std::function<int()> job) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return jobs_.size() < capacity_; });
    jobs_.push({id, std::move(job)});
    not_empty_.notify_one();
  }

  // Blocks for the next result; nullopt once the pool is shut down and drained.
  std::optional<Result> next_result() {
    std::unique_lock lock(results_mu_);
    results_ready_.wait(lock, [&] { return !results_.empty() || results_closed_; });
    if (results_.empty()) return std::nullopt;
    Result r = results_.front();
    results_.pop();
    results_space_.notify_one();
    return r;
  }

  void shutdown() {
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
    }
    not_empty_.notify_all();
    for (std::thread& t : threads_) t.join();
    {
      std::lock_guard lock(results_mu_);
      results_closed_ = true;
    }
    results_ready_.notify_all();
  }

 private:
  void work() {
    for (;;) {
      std::pair<std::uint64_t, std::function<int()>> job;
      {
        std::unique_lock lock(mu_);
        not_empty_.wait(lock, [&] { return !jobs_.empty() || closed_; });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop();
        not_full_.notify_one();
      }
      const int value = job.second();
      {
        std::unique_lock lock(results_mu_);
        results_space_.wait(lock, [&] { return results_.size() < results_capacity_; });
        results_.push({job.first, value});
      }
      results_ready_.notify_one();
    }
  }

  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::queue<std::pair<std::uint64_t, std::function<int()>>> jobs_;
  bool closed_ = false;

  std::mutex results_mu_;
  const std::size_t results_capacity_;
  std::condition_variable results_ready_;
  std::condition_variable results_space_;
  std::queue<Result> results_;
  bool results_closed_ = false;

  std::vector<std::thread> threads_;
};

}  // namespace baseline
