// go::co::WaitGroup: Go's sync.WaitGroup for tasks. wait() suspends the task,
// not the thread; a plain thread can wait too (wait_blocking).
// Lesson: phases/14-runtime/README.md, "A WaitGroup that suspends".
//
//   go::co::WaitGroup wg;
//   wg.add(n);                                     // wg.Add(n)
//   go::spawn(worker(wg));  ... wg.done();         // defer wg.Done()
//   co_await wg.wait();                            // wg.Wait()
//
// Contract (phase 01's, the tests check each point):
//   - add(n) adds n (may be negative) to the counter; done() is add(-1). A
//     counter that would go below zero throws
//     go::panic("sync: negative WaitGroup counter") and stays unchanged.
//   - wait() returns at once when the counter is zero; otherwise it suspends
//     the task until the add() that brings it to zero, which wakes every
//     waiter (tasks and threads).
//
// Memory ordering: every done() happens before the wait() it releases returns.
//
// Hints:
//   - An atomic counter (a compare-and-swap loop refuses to go below zero);
//     the add() that reaches zero takes the mutex and wakes the suspended
//     tasks after the unlock. A waiter reads the counter under the mutex.
//   - A plain thread waits on an atomic generation that the add() reaching
//     zero bumps and notifies (under the mutex, which the thread takes once
//     before it returns).
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <mutex>
#include <vector>

#include "go/panic.hpp"
#include "go/task.hpp"
#include "go/todo.hpp"

namespace go::co {

class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(std::int64_t delta) {
    (void)delta;
    // TODO: panic below zero; at zero, wake every waiting task and thread.
    throw go::todo("WaitGroup::add");
  }
  void done() { add(-1); }

  // wait: co_await wg.wait(). Woken by the add() that reaches zero.
  auto wait() { return Awaiter{this}; }

  // wait_blocking: wait() for a plain thread.
  void wait_blocking() {
    // TODO: return at zero; else wait for the generation to change.
    throw go::todo("WaitGroup::wait_blocking");
  }

 private:
  struct Awaiter {
    WaitGroup* wg;
    bool await_ready() const noexcept { return false; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      (void)h;
      // TODO: zero: do not suspend; else mark suspended and join the waiters.
      throw go::todo("WaitGroup::wait");
    }
    void await_resume() const noexcept {}
  };

  std::mutex mu_;
  std::atomic<std::int64_t> count_{0};
  std::vector<go::detail::PromiseBase*> tasks_;  // guarded by mu_
  int threads_ = 0;                              // guarded by mu_
  std::atomic<std::uint32_t> generation_{0};
};

}  // namespace go::co
