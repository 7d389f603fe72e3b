// The textbook connection pool the benchmarks compare go::ConnPool with: a
// std::mutex, a condition variable, a vector of idle connections and an open
// count. get() waits (notify_one on every return) while max_open are in use.
// No FIFO order, no context, no health check, no lifetime, no statistics.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace baseline {

template <class Conn>
class TextbookConnPool {
 public:
  TextbookConnPool(std::size_t max_open, std::function<std::unique_ptr<Conn>()> open)
      : max_open_(max_open), open_conn_(std::move(open)) {}

  std::unique_ptr<Conn> get() {
    std::unique_lock lock(mu_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < max_open_; });
    if (!idle_.empty()) {
      std::unique_ptr<Conn> c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    ++open_;
    lock.unlock();
    return open_conn_();
  }

  void put(std::unique_ptr<Conn> c) {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(c));
    returned_.notify_one();
  }

 private:
  const std::size_t max_open_;
  const std::function<std::unique_ptr<Conn>()> open_conn_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Conn>> idle_;
  std::size_t open_ = 0;
};

}  // namespace baseline
