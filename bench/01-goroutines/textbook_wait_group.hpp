// The textbook WaitGroup: a mutex, a counter and a condition variable. The
// baseline the reference (an atomic counter with C++20 wait/notify) is
// measured against in spawn_bench.cpp.
#pragma once

#include <condition_variable>
#include <mutex>

#include "go/panic.hpp"

namespace baseline {

class TextbookWaitGroup {
 public:
  void add(int delta) {
    std::lock_guard lock(mu_);
    if (count_ + delta < 0) throw go::panic("sync: negative WaitGroup counter");
    count_ += delta;
    if (count_ == 0) zero_.notify_all();
  }
  void done() { add(-1); }
  void wait() {
    std::unique_lock lock(mu_);
    zero_.wait(lock, [this] { return count_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable zero_;
  long count_ = 0;
};

}  // namespace baseline
