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
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <mutex>
#include <vector>

#include "go/panic.hpp"
#include "go/task.hpp"

namespace go::co {

class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  void add(std::int64_t delta) {
    // The counter is an atomic, so that done() from many workers does not
    // queue on a lock; the mutex is taken only to wake at zero.
    std::int64_t v = count_.load(std::memory_order_relaxed);
    do {
      if (v + delta < 0) throw go::panic("sync: negative WaitGroup counter");
    } while (!count_.compare_exchange_weak(v, v + delta, std::memory_order_acq_rel, std::memory_order_relaxed));
    if (v + delta != 0) return;
    std::vector<go::detail::PromiseBase*> woken;
    {
      std::lock_guard lock(mu_);  // a waiter checks the counter under mu_: it is queued, or it saw zero
      woken.swap(tasks_);
      if (threads_ > 0) {
        generation_.fetch_add(1, std::memory_order_release);
        generation_.notify_all();  // under mu_: a thread takes mu_ before it returns
      }
    }
    for (go::detail::PromiseBase* t : woken) go::detail::wake(t, go::detail::Where::local);
  }
  void done() { add(-1); }

  // wait: co_await wg.wait(). Woken by the add() that reaches zero.
  auto wait() { return Awaiter{this}; }

  // wait_blocking: wait() for a plain thread.
  void wait_blocking() {
    std::uint32_t gen;
    {
      std::lock_guard lock(mu_);
      if (count_.load(std::memory_order_acquire) == 0) return;
      ++threads_;
      gen = generation_.load(std::memory_order_relaxed);
    }
    generation_.wait(gen, std::memory_order_acquire);
    std::lock_guard lock(mu_);  // the notifier is done with generation_
    --threads_;
  }

 private:
  struct Awaiter {
    WaitGroup* wg;
    bool await_ready() const noexcept { return false; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
      go::detail::PromiseBase& p = go::detail::promise_of(h);
      std::lock_guard lock(wg->mu_);
      if (wg->count_.load(std::memory_order_acquire) == 0) return false;
      p.mark_suspended();
      wg->tasks_.push_back(&p);
      return true;
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
