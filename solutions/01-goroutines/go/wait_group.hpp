// go::WaitGroup: Go's sync.WaitGroup. Waits for a collection of goroutines.
//
//   go::WaitGroup wg;
//   for (int i = 0; i < n; ++i) {
//     wg.add(1);                        // before starting the goroutine
//     workers.push_back(go::go([&wg] { work(); wg.done(); }));
//   }
//   wg.wait();                          // returns once every done() happened
//
// Contract (the tests check each point):
//   - add(delta) changes the counter by delta (which may be negative). A
//     counter that would drop below zero throws
//     go::panic("sync: negative WaitGroup counter") and stays unchanged.
//   - done() is add(-1).
//   - wait() blocks until the counter is zero; returns at once if it is zero
//     already. Every waiter wakes when the counter reaches zero.
//   - Reusable: after the counter reached zero, add() starts a new round.
//     Not copyable (Go's vet forbids copying one too).
//
// Memory ordering: everything a goroutine did before its done() happens
// before wait() returns in any waiter woken by that round.
//
// Implementation: one atomic counter, and a futex instead of a mutex and a
// condition variable: add/done never block, and only the add that brings the
// counter to zero while someone waits makes a system call (Go's WaitGroup
// keeps the same waiter count beside its counter). The futex word is a 32-bit
// generation, bumped at each return to zero that a waiter may be sleeping
// through (a futex is 32 bits; the counter is 64). C++20's
// count_.wait()/notify_all() would be simpler, but libstdc++ 12 implements
// wait on a 64-bit atomic through a shared table of proxy words, and under
// WaitGroup.NoLostWakeUpUnderStress that wait can hang (both threads cycling
// in its spin loop).
//
// Why no wake-up is lost: the waiter announces itself (waiters_, seq_cst)
// before it reads the counter; the add that reaches zero changes the counter
// (seq_cst) before it reads waiters_. In the one total order of those four
// operations, either the add sees the waiter and bumps the generation the
// waiter is about to sleep on (futex_wait then returns at once), or the
// waiter's read of the counter comes after the add and sees zero.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>

#include "go/detail/futex.hpp"
#include "go/panic.hpp"

namespace go {

class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(int delta) {
    // done() releases the goroutine's writes; the waiter that loads zero
    // (acquire, in wait) sees them. seq_cst: see "Why no wake-up is lost".
    const std::int64_t now = count_.fetch_add(delta, std::memory_order_seq_cst) + delta;
    if (now < 0) {
      count_.fetch_sub(delta, std::memory_order_acq_rel);  // undo, then report misuse
      throw panic("sync: negative WaitGroup counter");
    }
    if (now == 0 && delta != 0 && waiters_.load(std::memory_order_seq_cst) > 0) {
      generation_.fetch_add(1, std::memory_order_release);
      detail::futex_wake(generation_, std::numeric_limits<int>::max());
    }
  }

  void done() { add(-1); }

  void wait() const {
    // Invariant: wait() returns only after observing the counter at zero.
    if (count_.load(std::memory_order_acquire) == 0) return;  // no need to announce ourselves
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    // The generation is read before the counter: if the counter then reaches
    // zero, the generation has moved and futex_wait returns at once.
    for (;;) {
      const std::uint32_t generation = generation_.load(std::memory_order_acquire);
      if (count_.load(std::memory_order_seq_cst) == 0) break;
      detail::futex_wait(generation_, generation);
    }
    waiters_.fetch_sub(1, std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> count_{0};
  mutable std::atomic<std::uint32_t> generation_{0};  // the futex word waiters sleep on
  mutable std::atomic<std::uint32_t> waiters_{0};     // threads inside wait(): only then does add() wake
};

}  // namespace go
