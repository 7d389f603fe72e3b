// The textbook log pipeline, the baseline of bench 09: the same stages
// (generate per source, filter, K enrich workers, one sink) connected by the
// queue every C++ textbook writes: a std::deque under a std::mutex with two
// std::condition_variables (not full / not empty) and a closed flag. One lock
// and, when a peer waits, one notify per entry per stage; no cancellation
// (it runs to the end of its input). It parses and formats with the track's
// go::parse_line and go::format_entry, so only the plumbing differs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "go/log_entry.hpp"

namespace textbook {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}

  void push(T v) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return q_.size() < capacity_; });
    q_.push_back(std::move(v));
    not_empty_.notify_one();
  }
  std::optional<T> pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return std::nullopt;
    T v = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return v;
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> q_;
  std::size_t capacity_;
  bool closed_ = false;
};

// run: every line of every source through the stages; returns the entries written.
inline std::uint64_t run(const std::vector<const std::vector<std::string>*>& sources, go::Level min,
                         std::size_t workers, std::size_t capacity,
                         const std::function<void(go::LogEntry&)>& enrich,
                         const std::function<void(const go::LogEntry&)>& write) {
  BoundedQueue<go::LogEntry> parsed(capacity), kept(capacity), rich(capacity);
  std::vector<std::thread> threads;
  std::mutex left_mu;
  std::size_t sources_left = sources.size(), workers_left = workers;
  for (const std::vector<std::string>* lines : sources) {
    threads.emplace_back([&, lines] {
      std::uint64_t n = 0;
      for (const std::string& line : *lines) {
        go::ParseResult r = go::parse_line(std::string(line), "bench", ++n);
        if (r.ok()) parsed.push(std::move(*r.entry));
      }
      std::lock_guard lock(left_mu);
      if (--sources_left == 0) parsed.close();
    });
  }
  threads.emplace_back([&] {
    while (std::optional<go::LogEntry> e = parsed.pop()) {
      if (e->level >= min) kept.push(std::move(*e));
    }
    kept.close();
  });
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      while (std::optional<go::LogEntry> e = kept.pop()) {
        enrich(*e);
        rich.push(std::move(*e));
      }
      std::lock_guard lock(left_mu);
      if (--workers_left == 0) rich.close();
    });
  }
  std::uint64_t written = 0;
  threads.emplace_back([&] {
    while (std::optional<go::LogEntry> e = rich.pop()) {
      write(*e);
      ++written;
    }
  });
  for (std::thread& t : threads) t.join();
  return written;
}

}  // namespace textbook
