// go::Runtime: an M:N scheduler for go::Task, in the shape of Go's G/M/P.
// Lesson: phases/14-runtime/README.md, "The scheduler".
//
//   go::Runtime rt(2);                                   // two workers (Go's GOMAXPROCS=2)
//   int v = rt.block_on(main_task());                    // spawn, then wait from this thread
//   ...inside a task...
//   go::JoinHandle<int> h = go::spawn(work());           // go work()
//   co_await go::yield();                                // runtime.Gosched()
//   co_await go::sleep_for(10ms);                        // time.Sleep (on the runtime's clock)
//   int n = co_await go::blocking([] { return read(fd, ...); });  // a syscall, off the worker
//
// Contract (the tests check each point):
//   - Runtime(n, clock) starts n worker threads (n == 0 throws
//     std::invalid_argument). Each worker (Go's M with its P) has a local run
//     queue (a bounded work-stealing deque) and a runnext slot; a shared
//     global queue takes what comes from outside the workers and what
//     overflows a local queue.
//   - Every spawned task runs exactly once, to its end, even when it is stolen.
//   - A task woken by another task goes to the waker's runnext slot: it runs
//     on this core as soon as the waker suspends (Go's runnext).
//   - An idle worker looks in its queues, then the global queue, then steals
//     from the others; it spins a little, then parks (a futex wait) until a
//     new task appears. A task made runnable while every worker parks is never
//     lost: some worker wakes for it.
//   - Scheduling is cooperative: a task keeps its worker until it suspends
//     (co_await on a channel, a join, a timer, yield(), blocking()). A loop
//     without a suspension point holds its worker; co_await go::yield() lets
//     the others run (to the global queue, behind everything waiting).
//   - blocking(fn) runs fn on a separate pool of threads the runtime owns, so
//     a blocking call does not stall a worker (Go's hand-off on a syscall).
//   - sleep_for(d) suspends the task until the runtime's clock reaches now+d
//     (a FakeClock in the tests: advance() wakes it).
//   - shutdown() (and the destructor) waits until every spawned task has
//     ended, then joins every worker and pool thread. A task that can never
//     end (blocked forever) makes it wait forever, as a Go program whose main
//     waits on a WaitGroup that never reaches zero. spawn from outside the
//     runtime after shutdown began throws go::panic("go: spawn after shutdown").
//
// Memory ordering: spawn() happens before the task starts; a task's end
// happens before its join returns; wake() happens before the woken task runs
// (the run queues are release/acquire hand-offs, which ThreadSanitizer sees).
//
// Hints (the lesson walks through each):
//   - One detail::Worker per thread: its WorkDeque, its runnext slot, and a
//     thread_local pointer (detail::tls_worker) so that schedule() knows
//     whether it runs on one of this runtime's workers.
//   - schedule(task, where): on our worker, `next` swaps the task into
//     runnext (the one it displaces goes to the deque), `local` pushes to the
//     deque (full: the global queue); anywhere else, the global queue. Then,
//     unless it only filled runnext, wake a parked worker if nobody spins.
//   - A worker's loop: runnext, its deque, the global queue (every 61st turn
//     first, for fairness), then steal; spin a few rounds; then park on an
//     atomic "epoch" (wait/notify). Before it sleeps: raise the idle count,
//     then look once more. The producer pushes, then reads the idle count:
//     one of the two sees the other, so no wake-up is lost.
//   - Count live (spawned, not yet ended) tasks: shutdown waits until none
//     is left, then joins the workers and the blocking pool.
//   - Awaiters: mark the task suspended *before* it becomes visible to a
//     waker (a queue, a timer, a pool thread), and touch nothing of the frame
//     after that.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "go/clock.hpp"
#include "go/detail/futex.hpp"  // cpu_relax
#include "go/detail/work_deque.hpp"
#include "go/panic.hpp"
#include "go/task.hpp"
#include "go/todo.hpp"

namespace go {

class Runtime;

namespace detail {

struct Worker {
  Runtime* owner = nullptr;
  std::size_t index = 0;
  WorkDeque<PromiseBase> deque;
  std::atomic<PromiseBase*> runnext{nullptr};
  std::uint32_t rng = 0;
  std::uint32_t tick = 0;
  std::thread thread;
};

inline thread_local Worker* tls_worker = nullptr;

}  // namespace detail

class Runtime final : private detail::Executor {
 public:
  explicit Runtime(std::size_t workers = default_workers(), Clock& clock = real_clock()) : clock_(clock) {
    (void)workers;
    // TODO: refuse zero workers (std::invalid_argument); start the workers.
    throw go::todo("Runtime::Runtime");
  }

  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  // TODO: shut down (wait for the tasks, join every thread). Must not throw.
  ~Runtime() {}

  static std::size_t default_workers() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
  }

  // spawn: Go's `go f()`. Schedules the task; returns at once.
  template <class T>
  JoinHandle<T> spawn(Task<T> task) {
    (void)task;
    // TODO: refuse an empty task (std::invalid_argument) and a spawn from
    // outside after shutdown began (go::panic); take the frame, set its
    // executor, mark it spawned and suspended, count it live, wake it.
    throw go::todo("Runtime::spawn");
  }

  // block_on: for a plain thread: spawns the task and waits for its result.
  template <class T>
  T block_on(Task<T> task) {
    return spawn(std::move(task)).get();
  }

  // shutdown: waits for every spawned task to end, then joins the workers
  // and the blocking pool. Idempotent. Must not be called from a task.
  void shutdown() {
    // TODO: wait for the live tasks, stop and join the workers, then the pool.
    throw go::todo("Runtime::shutdown");
  }

  std::size_t workers() const { throw go::todo("Runtime::workers"); }
  Clock& clock() noexcept { return clock_; }

  // current: the runtime whose worker runs the calling thread, or nullptr.
  static Runtime* current() noexcept {
    detail::Worker* w = detail::tls_worker;
    return w != nullptr ? w->owner : nullptr;
  }

  // run_blocking: runs fn on the blocking pool (used by go::blocking).
  void run_blocking(std::function<void()> fn) {
    (void)fn;
    // TODO: queue fn for a pool thread; start one if none is idle.
    throw go::todo("Runtime::run_blocking");
  }

 private:
  void schedule(detail::PromiseBase* task, detail::Where where) override {
    (void)task;
    (void)where;
    // TODO: runnext, the local deque or the global queue (see the hints).
    throw go::todo("Runtime::schedule");
  }

  void task_finished() noexcept override {
    // TODO: one live task fewer; the last one during shutdown wakes the workers.
  }

  // TODO: the workers, the global queue, the counters, the blocking pool.
  Clock& clock_;
};

// spawn: `go f()` from inside a task: on the runtime running this worker.
template <class T>
JoinHandle<T> spawn(Task<T> task) {
  (void)task;
  // TODO: Runtime::current()'s spawn; not on a worker: std::logic_error.
  throw go::todo("go::spawn");
}

namespace detail {

struct YieldAwaiter {
  bool await_ready() const noexcept { return false; }
  template <class P>
  void await_suspend(std::coroutine_handle<P> h) {
    (void)h;
    // TODO: suspend, and go to the back of the global queue.
    throw go::todo("yield");
  }
  void await_resume() const noexcept {}
};

struct SleepAwaiter {
  Duration d;
  bool await_ready() const noexcept { return d <= Duration::zero(); }
  template <class P>
  void await_suspend(std::coroutine_handle<P> h) {
    (void)h;
    // TODO: a timer on the runtime's clock that wakes this task.
    throw go::todo("sleep_for");
  }
  void await_resume() const noexcept {}
};

template <class R>
struct BlockingResult {
  std::optional<R> value;
  template <class F>
  void run(F& fn) {
    value.emplace(fn());
  }
  R take() { return std::move(*value); }
};
template <>
struct BlockingResult<void> {
  template <class F>
  void run(F& fn) {
    fn();
  }
  void take() {}
};

template <class F>
struct BlockingAwaiter {
  using R = std::invoke_result_t<F&>;
  F fn;
  BlockingResult<R> result;
  std::exception_ptr error;

  bool await_ready() const noexcept { return false; }
  template <class P>
  void await_suspend(std::coroutine_handle<P> h) {
    (void)h;
    // TODO: run fn on the blocking pool; when it returns, wake this task.
    throw go::todo("blocking");
  }
  R await_resume() {
    // TODO: fn's value, or rethrow its exception.
    throw go::todo("blocking (await_resume)");
  }
};

}  // namespace detail

// yield: runtime.Gosched(). Suspends this task and puts it at the back of the
// global queue, so every task already waiting runs first.
inline detail::YieldAwaiter yield() noexcept { return {}; }

// sleep_for: time.Sleep(d) for a task: suspends it (its worker runs other
// tasks) until the runtime's clock passes now + d. d <= 0 returns at once.
inline detail::SleepAwaiter sleep_for(Duration d) noexcept { return {d}; }

// blocking: runs fn() on the runtime's blocking pool and suspends the task
// until it returns; returns fn's value or rethrows its exception. Use it for
// anything that blocks a thread (a syscall, a mutex held long, a plain
// go::Chan): the worker runs other tasks meanwhile.
template <class F>
detail::BlockingAwaiter<std::decay_t<F>> blocking(F&& fn) {
  return {std::forward<F>(fn), {}, {}};
}

}  // namespace go
