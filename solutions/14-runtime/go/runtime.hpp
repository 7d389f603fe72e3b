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
#pragma once

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
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
#include "go/detail/futex.hpp"  // cpu_relax, futex_wait, futex_wake
#include "go/detail/work_deque.hpp"
#include "go/panic.hpp"
#include "go/task.hpp"

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
  // Tasks spawned from this worker and tasks that ended on it. Each is
  // written by this worker only (no cache line bounces between workers on
  // every task); shutdown compares their sums.
  alignas(64) std::atomic<std::uint64_t> spawned{0};
  alignas(64) std::atomic<std::uint64_t> finished{0};
};

inline thread_local Worker* tls_worker = nullptr;

}  // namespace detail

class Runtime final : private detail::Executor {
 public:
  explicit Runtime(std::size_t workers = default_workers(), Clock& clock = real_clock()) : clock_(clock) {
    if (workers == 0) throw std::invalid_argument("go::Runtime: zero workers (want at least 1)");
    for (std::size_t i = 0; i < workers; ++i) {
      auto w = std::make_unique<detail::Worker>();
      w->owner = this;
      w->index = i;
      w->rng = static_cast<std::uint32_t>(0x9e3779b9u * (i + 1));
      workers_.push_back(std::move(w));
    }
    for (auto& w : workers_) {
      detail::Worker* raw = w.get();
      raw->thread = std::thread([this, raw] { run_worker(*raw); });
    }
  }

  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime() { shutdown(); }

  static std::size_t default_workers() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
  }

  // spawn: Go's `go f()`. Schedules the task; returns at once.
  template <class T>
  JoinHandle<T> spawn(Task<T> task) {
    if (!task.valid()) throw std::invalid_argument("go::spawn: empty task (moved from, or already run)");
    detail::Worker* w = detail::tls_worker;
    if (w != nullptr && w->owner == this) {
      w->spawned.store(w->spawned.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    } else {
      // Counted first, then the check: shutdown either sees this spawn (and
      // waits for the task) or this spawn sees shutdown (and is refused).
      outside_spawned_.fetch_add(1, std::memory_order_seq_cst);
      if (stopping_.load(std::memory_order_seq_cst)) {
        outside_refused_.fetch_add(1, std::memory_order_seq_cst);
        if (stopping_.load(std::memory_order_seq_cst) && quiescent()) wake_all();
        throw go::panic("go: spawn after shutdown");
      }
    }
    auto h = task.release();
    detail::Promise<T>& p = h.promise();
    p.executor = this;
    p.spawned = true;
    p.mark_suspended();
    detail::wake(&p, detail::Where::local);
    return JoinHandle<T>(h);
  }

  // block_on: for a plain thread: spawns the task and waits for its result.
  template <class T>
  T block_on(Task<T> task) {
    return spawn(std::move(task)).get();
  }

  // shutdown: waits for every spawned task to end, then joins the workers
  // and the blocking pool. Idempotent. Must not be called from a task.
  void shutdown() {
    std::lock_guard once(shutdown_mu_);
    if (joined_) return;
    stopping_.store(true, std::memory_order_seq_cst);
    wake_all();
    for (auto& w : workers_) w->thread.join();
    {
      std::lock_guard lock(pool_mu_);
      pool_stop_ = true;
    }
    pool_cv_.notify_all();
    for (auto& t : pool_threads_) t.join();
    // A timer or a plain thread may still be inside schedule() on its way out.
    while (outside_calls_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    joined_ = true;
  }

  std::size_t workers() const noexcept { return workers_.size(); }
  Clock& clock() noexcept { return clock_; }

  // current: the runtime whose worker runs the calling thread, or nullptr.
  static Runtime* current() noexcept {
    detail::Worker* w = detail::tls_worker;
    return w != nullptr ? w->owner : nullptr;
  }

  // run_blocking: runs fn on the blocking pool (used by go::blocking).
  void run_blocking(std::function<void()> fn) {
    std::unique_lock lock(pool_mu_);
    pool_jobs_.push_back(std::move(fn));
    if (pool_idle_ == 0) {
      pool_threads_.emplace_back([this] { run_pool_thread(); });  // Go starts a new M
    } else {
      lock.unlock();
      pool_cv_.notify_one();
    }
  }

 private:
  static constexpr int kSpinRounds = 256;            // tens of microseconds of looking: a futex wake costs more
  static constexpr std::uint32_t kGlobalEvery = 61;  // Go's schedule(): the global queue every 61 ticks
  static constexpr std::size_t kGlobalBatch = 64;

  // ---- Executor ----

  void schedule(detail::PromiseBase* task, detail::Where where) override {
    detail::Worker* w = detail::tls_worker;
    if (w != nullptr && w->owner == this && where != detail::Where::global) {
      if (where == detail::Where::next) {
        detail::PromiseBase* old = w->runnext.exchange(task, std::memory_order_acq_rel);
        if (old == nullptr) return;  // the waker's core is about to be free: nobody to wake
        task = old;                  // the task it displaced goes to the queue
      }
      if (!w->deque.push(task)) push_global(task);
      notify_work();
      return;
    }
    const bool outside = w == nullptr || w->owner != this;
    if (outside) outside_calls_.fetch_add(1, std::memory_order_acq_rel);
    push_global(task);
    notify_work();
    if (outside) outside_calls_.fetch_sub(1, std::memory_order_acq_rel);  // last touch of *this
  }

  // task_finished: runs on the worker that ran the task's end. seq_cst store,
  // then seq_cst load of stopping_: against shutdown's store of stopping_ and
  // a parking worker's reads of the counters, one side sees the other.
  void task_finished() noexcept override {
    detail::Worker& w = *detail::tls_worker;
    w.finished.store(w.finished.load(std::memory_order_relaxed) + 1, std::memory_order_seq_cst);
    if (stopping_.load(std::memory_order_seq_cst) && quiescent()) wake_all();
  }

  // quiescent: every task spawned so far has ended. The ends are read first:
  // a task counted as ended was spawned before, so its spawn is counted too,
  // and equal sums leave no live task.
  bool quiescent() const noexcept {
    std::uint64_t ended = outside_refused_.load(std::memory_order_seq_cst);
    for (const auto& w : workers_) ended += w->finished.load(std::memory_order_seq_cst);
    std::uint64_t started = outside_spawned_.load(std::memory_order_seq_cst);
    for (const auto& w : workers_) started += w->spawned.load(std::memory_order_seq_cst);
    return ended == started;
  }

  // ---- queues ----

  void push_global(detail::PromiseBase* task) {
    std::lock_guard lock(global_mu_);
    global_.push_back(task);
    global_size_.store(global_.size(), std::memory_order_release);
  }

  // Takes up to a fair share of the global queue: one to run, the rest into
  // w's local queue.
  detail::PromiseBase* take_global(detail::Worker& w, std::size_t max) {
    if (global_size_.load(std::memory_order_acquire) == 0) return nullptr;
    std::lock_guard lock(global_mu_);
    if (global_.empty()) return nullptr;
    std::size_t n = std::min({global_.size() / workers_.size() + 1, max, global_.size()});
    detail::PromiseBase* first = global_.front();
    global_.pop_front();
    while (--n > 0) {
      if (!w.deque.push(global_.front())) break;
      global_.pop_front();
    }
    global_size_.store(global_.size(), std::memory_order_release);
    return first;
  }

  detail::PromiseBase* steal(detail::Worker& w, bool runnext_too) {
    const std::size_t n = workers_.size();
    w.rng ^= w.rng << 13;
    w.rng ^= w.rng >> 17;
    w.rng ^= w.rng << 5;
    const std::size_t start = w.rng % n;
    for (std::size_t i = 0; i < n; ++i) {
      detail::Worker& victim = *workers_[(start + i) % n];
      if (&victim == &w) continue;
      if (detail::PromiseBase* p = victim.deque.steal()) {
        // Take up to half of what is left too (Go's runqsteal): one hunt
        // for many tasks, not one per task.
        for (std::size_t more = victim.deque.size() / 2; more > 0; --more) {
          detail::PromiseBase* q = victim.deque.steal();
          if (q == nullptr) break;
          if (!w.deque.push(q)) {
            push_global(q);
            break;
          }
        }
        return p;
      }
      if (runnext_too && victim.runnext.load(std::memory_order_relaxed) != nullptr) {
        if (detail::PromiseBase* p = victim.runnext.exchange(nullptr, std::memory_order_acq_rel)) return p;
      }
    }
    return nullptr;
  }

  detail::PromiseBase* local_work(detail::Worker& w) {
    if (++w.tick % kGlobalEvery == 0) {  // fairness: the global queue is not starved by local work
      if (detail::PromiseBase* p = take_global(w, 1)) return p;
    }
    if (w.runnext.load(std::memory_order_relaxed) != nullptr) {
      if (detail::PromiseBase* p = w.runnext.exchange(nullptr, std::memory_order_acq_rel)) return p;
    }
    if (detail::PromiseBase* p = w.deque.pop()) return p;
    return take_global(w, kGlobalBatch);
  }

  bool exiting() const noexcept { return stopping_.load(std::memory_order_seq_cst) && quiescent(); }

  // find_work: the next task for w, or nullptr when the runtime is done.
  detail::PromiseBase* find_work(detail::Worker& w) {
    for (;;) {
      if (detail::PromiseBase* p = local_work(w)) return p;
      // Spin: look everywhere a few times before paying for a futex.
      spinning_.fetch_add(1, std::memory_order_seq_cst);
      for (int round = 0; round < kSpinRounds; ++round) {
        detail::PromiseBase* p = steal(w, false);
        if (p == nullptr) p = take_global(w, kGlobalBatch);
        if (p != nullptr) {
          // The last spinner found work: producers skipped waking anyone
          // while we spun, so hand the search on (Go's resetspinning).
          if (spinning_.fetch_sub(1, std::memory_order_seq_cst) == 1) notify_work();
          return p;
        }
        for (int i = 0; i < 16; ++i) detail::cpu_relax();
      }
      spinning_.fetch_sub(1, std::memory_order_seq_cst);
      // Park. The epoch read first: any notify after it makes wait() return.
      // idle_ up, then one more look: a producer either sees idle_ > 0 (and
      // wakes someone) or pushed before our look (and we find its task).
      const std::uint32_t epoch = epoch_.load(std::memory_order_acquire);
      idle_.fetch_add(1, std::memory_order_seq_cst);
      std::atomic_thread_fence(std::memory_order_seq_cst);  // pairs with notify_work's
      detail::PromiseBase* p = local_work(w);
      if (p == nullptr) p = steal(w, true);
      if (p != nullptr) {
        idle_.fetch_sub(1, std::memory_order_seq_cst);
        return p;
      }
      if (exiting()) {
        idle_.fetch_sub(1, std::memory_order_seq_cst);
        return nullptr;
      }
      while (epoch_.load(std::memory_order_acquire) == epoch) detail::futex_wait(epoch_, epoch);
      idle_.fetch_sub(1, std::memory_order_seq_cst);
    }
  }

  // notify_work: a task became runnable in a queue others can take from. Wake
  // a parked worker unless one is already spinning (it will find the task).
  void notify_work() {
    // Store-load order: we read idle_ after our push, a parking worker reads
    // the queues after raising idle_; one of us must see the other. The push
    // is a release store, which may pass a later load: hence the fence. (No
    // data travels through this edge, so ThreadSanitizer needs not see it.)
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (spinning_.load(std::memory_order_seq_cst) == 0 && idle_.load(std::memory_order_seq_cst) > 0) {
      epoch_.fetch_add(1, std::memory_order_seq_cst);
      detail::futex_wake(epoch_, 1);  // a private futex: no page-table walk
    }
  }

  void wake_all() {
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    detail::futex_wake(epoch_, INT_MAX);
  }

  void run_worker(detail::Worker& w) {
    name_this_thread("go-worker");
    detail::tls_worker = &w;
    while (detail::PromiseBase* p = find_work(w)) {
      p->state.store(detail::TaskState::running, std::memory_order_relaxed);
      p->self.resume();
    }
    detail::tls_worker = nullptr;
  }

  static void name_this_thread(const char* name) noexcept {
#if defined(__linux__)
    pthread_setname_np(pthread_self(), name);  // what a debugger and /proc show
#else
    (void)name;
#endif
  }

  void run_pool_thread() {
    name_this_thread("go-blocking");
    std::unique_lock lock(pool_mu_);
    for (;;) {
      if (!pool_jobs_.empty()) {
        std::function<void()> job = std::move(pool_jobs_.front());
        pool_jobs_.pop_front();
        lock.unlock();
        job();
        lock.lock();
        continue;
      }
      if (pool_stop_) return;
      ++pool_idle_;
      pool_cv_.wait(lock);
      --pool_idle_;
    }
  }

  Clock& clock_;
  std::vector<std::unique_ptr<detail::Worker>> workers_;

  std::mutex global_mu_;
  std::deque<detail::PromiseBase*> global_;  // guarded by global_mu_
  std::atomic<std::size_t> global_size_{0};

  alignas(64) std::atomic<std::uint64_t> outside_spawned_{0};  // spawns from outside the workers
  std::atomic<std::uint64_t> outside_refused_{0};              // ... refused by shutdown
  alignas(64) std::atomic<int> spinning_{0};
  alignas(64) std::atomic<int> idle_{0};
  alignas(64) std::atomic<std::uint32_t> epoch_{0};  // parked workers wait for it to change
  alignas(64) std::atomic<bool> stopping_{false};
  std::atomic<int> outside_calls_{0};

  std::mutex shutdown_mu_;
  bool joined_ = false;  // guarded by shutdown_mu_

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::deque<std::function<void()>> pool_jobs_;  // guarded by pool_mu_
  std::vector<std::thread> pool_threads_;        // guarded by pool_mu_
  std::size_t pool_idle_ = 0;                    // guarded by pool_mu_
  bool pool_stop_ = false;                       // guarded by pool_mu_
};

// spawn: `go f()` from inside a task: on the runtime running this worker.
template <class T>
JoinHandle<T> spawn(Task<T> task) {
  Runtime* rt = Runtime::current();
  if (rt == nullptr) throw std::logic_error("go::spawn: not on a runtime's worker (use Runtime::spawn)");
  return rt->spawn(std::move(task));
}

namespace detail {

struct YieldAwaiter {
  bool await_ready() const noexcept { return false; }
  template <class P>
  void await_suspend(std::coroutine_handle<P> h) {
    PromiseBase& p = promise_of(h);
    p.mark_suspended();
    wake(&p, Where::global);
  }
  void await_resume() const noexcept {}
};

struct SleepAwaiter {
  Duration d;
  bool await_ready() const noexcept { return d <= Duration::zero(); }
  template <class P>
  void await_suspend(std::coroutine_handle<P> h) {
    PromiseBase* p = &promise_of(h);
    Runtime* rt = Runtime::current();
    p->mark_suspended();
    Clock& clock = rt->clock();
    // The timer may fire before at() returns: touch nothing of ours after it.
    (void)clock.at(clock.deadline_after(d), [p] { wake(p, Where::local); });
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
    PromiseBase* p = &promise_of(h);
    Runtime* rt = Runtime::current();
    p->mark_suspended();
    rt->run_blocking([this, p] {
      try {
        result.run(fn);
      } catch (...) {
        error = std::current_exception();
      }
      wake(p, Where::local);  // back to a worker's queue (the global one, from here)
    });
  }
  R await_resume() {
    if (error) std::rethrow_exception(error);
    return result.take();
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
