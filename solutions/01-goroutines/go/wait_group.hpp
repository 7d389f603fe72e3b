// go::WaitGroup: Go's sync.WaitGroup. Waits for a collection of goroutines.
//
//   go::WaitGroup wg;
//   for (int i = 0; i < n; ++i) {
//     wg.add(1);                        // before starting the goroutine
//     workers.push_back(go::go([&wg] { work(); wg.done(); }));
//   }
//   wg.wait();                          // returns once every done() happened
//
// Contract:
//   - add(delta) changes the counter by delta (which may be negative); a counter
//     that would drop below zero throws go::panic("sync: negative WaitGroup
//     counter") and leaves the counter unchanged.
//   - done() is add(-1).
//   - wait() blocks until the counter is zero; if it is zero already, wait()
//     returns at once. Every waiter wakes when the counter reaches zero.
//   - A WaitGroup is reusable: after the counter reached zero, add() starts a
//     new round. Not copyable (Go's vet forbids copying one too).
//
// Memory ordering: everything a goroutine did before its done() happens
// before wait() returns in any waiter woken by that round.
//
// Implementation: one atomic counter, and C++20's atomic wait/notify (a futex
// on Linux) instead of a mutex and a condition variable: add/done never block,
// and only the add that brings the counter to zero wakes anyone.
#pragma once

#include <atomic>
#include <cstdint>

#include "go/panic.hpp"

namespace go {

class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(int delta) {
    // acq_rel: done() releases the goroutine's writes; the waiter that loads
    // zero (acquire, in wait) sees them.
    const std::int64_t now = count_.fetch_add(delta, std::memory_order_acq_rel) + delta;
    if (now < 0) {
      count_.fetch_sub(delta, std::memory_order_acq_rel);  // undo, then report misuse
      throw panic("sync: negative WaitGroup counter");
    }
    if (now == 0 && delta != 0) count_.notify_all();
  }

  void done() { add(-1); }

  void wait() const {
    // Invariant: wait() returns only after observing the counter at zero.
    for (std::int64_t seen = count_.load(std::memory_order_acquire); seen != 0;
         seen = count_.load(std::memory_order_acquire)) {
      count_.wait(seen, std::memory_order_acquire);  // sleeps until the value changes
    }
  }

 private:
  mutable std::atomic<std::int64_t> count_{0};
};

}  // namespace go
