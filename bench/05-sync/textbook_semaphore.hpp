// baseline::TextbookSemaphore: the weighted semaphore most people write
// first: a mutex, a count and one condition variable that release() notifies.
// No FIFO (whoever fits when it wakes goes first, so a large request can
// starve) and no cancellation: the yardstick, not a model.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace baseline {

class TextbookSemaphore {
 public:
  explicit TextbookSemaphore(std::int64_t size) : free_(size) {}

  void acquire(std::int64_t n = 1) {
    std::unique_lock lock(mu_);
    freed_.wait(lock, [&] { return free_ >= n; });
    free_ -= n;
  }

  void release(std::int64_t n = 1) {
    {
      std::lock_guard lock(mu_);
      free_ += n;
    }
    freed_.notify_all();  // weights differ: any waiter may fit now
  }

 private:
  std::mutex mu_;
  std::condition_variable freed_;
  std::int64_t free_;  // guarded by mu_
};

}  // namespace baseline
