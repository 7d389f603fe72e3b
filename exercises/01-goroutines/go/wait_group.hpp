// go::WaitGroup: Go's sync.WaitGroup. Waits for a collection of goroutines.
// Lesson: phases/01-goroutines/README.md, "Waiting with a WaitGroup".
//
//   go::WaitGroup wg;
//   wg.add(1);                                   // before starting the goroutine
//   auto g = go::go([&wg] { work(); wg.done(); });
//   wg.wait();                                   // returns once every done() happened
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
// Hints:
//   - The textbook version: a std::mutex, a counter, and a
//     std::condition_variable that add() notifies (notify_all: there may be
//     many waiters) when the counter reaches zero. wait() waits *in a loop*
//     on "counter == 0" (spurious wake-ups are real).
//   - Faster: a std::atomic<std::int64_t> counter with C++20's wait/notify_all.
//     Either passes the tests; the lesson compares them.
#pragma once

#include "go/panic.hpp"
#include "go/todo.hpp"

namespace go {

class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  // add(delta): changes the counter by delta (may be negative). A counter
  // that would drop below zero throws go::panic("sync: negative WaitGroup
  // counter") and stays unchanged. Reaching zero wakes every waiter.
  // Hint: notify_all, not notify_one: there may be many waiters.
  void add(int delta) {
    (void)delta;
    throw go::todo("WaitGroup::add");  // TODO: move the counter, refuse below zero, wake every waiter at zero
  }

  // done: add(-1).
  void done() {
    throw go::todo("WaitGroup::done");  // TODO: count one goroutine as finished
  }

  // wait: blocks until the counter is zero; returns at once if it is zero
  // already. Woken by the add() or done() that brings it to zero.
  // Hint: wait in a loop on "counter == 0" (spurious wake-ups are real).
  void wait() const {
    throw go::todo("WaitGroup::wait");  // TODO: sleep until the counter is zero, without busy-waiting
  }

 private:
  // TODO: keep the counter, and whatever wait() sleeps on
};

}  // namespace go
