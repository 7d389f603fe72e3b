// go::Task<T>: a goroutine's body as a C++20 coroutine. Stackless: its frame
// (locals that live across a co_await) is one heap block, and suspending it
// saves nothing but the resume point.
// Lesson: phases/14-runtime/README.md, "A task is a coroutine".
//
//   go::Task<int> answer() { co_return 42; }
//   go::Task<> main_task() {
//     int a = co_await answer();                        // runs answer() inline, on this worker
//     go::JoinHandle<int> h = go::spawn(answer());      // go answer() (and keep a handle)
//     int b = co_await std::move(h);                    // wait for it (suspends, frees the worker)
//   }
//
// Contract (the tests check each point):
//   - A Task is lazy: calling the coroutine function runs nothing. It runs
//     when a task co_awaits it (inline, with symmetric transfer: no queue, no
//     other worker) or when a Runtime spawns it (go/runtime.hpp).
//   - A Task is move-only and runs at most once: co_await consumes it (only an
//     rvalue can be awaited), spawn consumes it. Awaiting or spawning an empty
//     (moved-from) Task throws std::invalid_argument.
//   - An exception that escapes the coroutine is rethrown by whoever awaits
//     it (co_await task, co_await handle, handle.get()).
//   - Dropping a Task that never ran frees its frame. Dropping a JoinHandle
//     detaches the task: it still runs, and frees its frame when it ends.
//   - A task is resumed by exactly one party at a time: detail::wake() moves it
//     from "suspended" to "scheduled" with one compare-and-swap, and a second
//     wake for the same suspension throws go::panic("go: task resumed twice")
//     instead of running one frame on two threads.
//
// Memory ordering: everything a task did before it ended happens before the
// co_await (or get()) on its handle returns; everything a waker did before
// wake() happens before the woken task runs again.
#pragma once

#include <array>
#include <atomic>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "go/panic.hpp"

namespace go {

template <class T = void>
class JoinHandle;

namespace detail {

class PromiseBase;
template <class T>
struct TaskAwaiter;
template <class T>
struct JoinAwaiter;

// Where a woken task goes: `next` is Go's runnext (the waker hands its core
// to the task it woke), `local` the waker's run queue, `global` the shared one.
enum class Where : std::uint8_t { next, local, global };

// Executor: what a task needs from the runtime that runs it (go/runtime.hpp).
class Executor {
 public:
  virtual void schedule(PromiseBase* task, Where where) = 0;
  virtual void task_finished() noexcept = 0;

 protected:
  ~Executor() = default;
};

enum class TaskState : std::uint8_t { running, suspended, scheduled };

inline void* const kJoinDone = reinterpret_cast<void*>(std::uintptr_t{1});
inline void* const kJoinThread = reinterpret_cast<void*>(std::uintptr_t{2});

// PromiseBase: the part of every task's promise the runtime and the awaiters
// of channels, timers and joins use.
class PromiseBase {
 public:
  std::coroutine_handle<> self;
  Executor* executor = nullptr;  // set by spawn; an awaited child inherits its parent's
  std::atomic<TaskState> state{TaskState::running};

  // Awaited inline (co_await task): the parent to transfer to at the end.
  std::coroutine_handle<> continuation;

  // Spawned: the join protocol. joiner is nullptr (nobody waits yet), the
  // waiting task's PromiseBase*, kJoinThread (a plain thread waits on
  // done_flag) or kJoinDone (finished). refs: the runner and the handle.
  bool spawned = false;
  std::atomic<void*> joiner{nullptr};
  std::atomic<std::uint32_t> done_flag{0};
  std::atomic<int> refs{2};
  std::exception_ptr error;

  // mark_suspended: called by an awaiter before it makes this task visible
  // to a waker (a queue, a timer, another thread).
  void mark_suspended() noexcept { state.store(TaskState::suspended, std::memory_order_relaxed); }
};

// wake: makes a suspended task runnable again. Exactly one wake per
// suspension: the compare-and-swap is what makes "resumed twice" impossible.
inline void wake(PromiseBase* task, Where where) {
  TaskState expected = TaskState::suspended;
  if (!task->state.compare_exchange_strong(expected, TaskState::scheduled, std::memory_order_acq_rel)) {
    throw go::panic("go: task resumed twice");
  }
  task->executor->schedule(task, where);
}

// The awaiters below take the suspended coroutine's handle; every task's
// promise derives from PromiseBase.
template <class P>
PromiseBase& promise_of(std::coroutine_handle<P> h) {
  static_assert(std::is_base_of_v<PromiseBase, P>, "go: only a go::Task can await this");
  return h.promise();
}

// FramePool: where task frames come from. Spawning is allocation-heavy, and
// the typical pattern (one worker spawns, another runs and frees) defeats a
// general allocator's per-thread caches: the spawner always misses. So, like
// Go's free lists of dead goroutines (gfput/gfget), each thread keeps freed
// frames per size class and trades them with a global stash in batches.
// Under the sanitizers frames come from plain new/delete: AddressSanitizer
// then still reports a use of a dead frame, and ThreadSanitizer sees each
// frame's allocation as a write (a recycled frame's first writes are made by
// compiler-generated code it does not instrument).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GO_FRAME_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GO_FRAME_POOL 0
#endif
#endif
#ifndef GO_FRAME_POOL
#define GO_FRAME_POOL 1
#endif

class FramePool {
 public:
  static constexpr std::size_t kGrain = 64;
  static constexpr std::size_t kClasses = 16;  // frames up to 1 KiB; bigger ones use new
  static constexpr std::size_t kBatch = 64;

  static void* allocate(std::size_t size) {
    const std::size_t c = (size + kGrain - 1) / kGrain;
    if (!GO_FRAME_POOL || c >= kClasses) return ::operator new(size);
    List& l = local().lists[c];
    if (l.head == nullptr) refill(c, l);
    if (l.head == nullptr) return ::operator new(c* kGrain);
    Node* n = l.head;
    l.head = n->next;
    --l.count;
    return n;
  }

  static void release(void* p, std::size_t size) noexcept {
    const std::size_t c = (size + kGrain - 1) / kGrain;
    if (!GO_FRAME_POOL || c >= kClasses) {
      ::operator delete(p);
      return;
    }
    List& l = local().lists[c];
    Node* n = static_cast<Node*>(p);
    n->next = l.head;
    l.head = n;
    if (++l.count >= 2 * kBatch) spill(c, l);
  }

 private:
  struct Node {
    Node* next;
  };
  struct List {
    Node* head = nullptr;
    std::size_t count = 0;
  };
  struct Local {
    std::array<List, kClasses> lists{};
    ~Local() {  // a thread that ends gives its frames back to the stash
      for (std::size_t c = 0; c < kClasses; ++c) {
        while (lists[c].count > 0) spill(c, lists[c]);
      }
    }
  };
  struct Stash {  // batches of kBatch frames (or fewer), chained through their first frame
    std::mutex mu;
    std::vector<std::pair<Node*, std::size_t>> batches;  // guarded by mu
    ~Stash() {
      for (auto& [head, n] : batches) {
        while (head != nullptr) {
          Node* next = head->next;
          ::operator delete(head);
          head = next;
        }
        (void)n;
      }
    }
  };

  static Local& local() noexcept {
    thread_local Local l;
    return l;
  }
  static std::array<Stash, kClasses>& stash() noexcept {
    static std::array<Stash, kClasses> s;
    return s;
  }

  static void refill(std::size_t c, List& l) {
    Stash& st = stash()[c];
    std::lock_guard lock(st.mu);  // the hand-off of the frames' memory between threads
    if (st.batches.empty()) return;
    l.head = st.batches.back().first;
    l.count = st.batches.back().second;
    st.batches.pop_back();
  }

  static void spill(std::size_t c, List& l) noexcept {
    Node* head = l.head;
    Node* tail = head;
    std::size_t n = 1;
    while (n < kBatch && tail->next != nullptr) {
      tail = tail->next;
      ++n;
    }
    l.head = tail->next;
    l.count -= n;
    tail->next = nullptr;
    Stash& st = stash()[c];
    std::lock_guard lock(st.mu);
    try {
      st.batches.emplace_back(head, n);
    } catch (...) {  // no memory for the stash's vector: free the batch instead
      while (head != nullptr) {
        Node* next = head->next;
        ::operator delete(head);
        head = next;
      }
    }
  }
};

template <class T>
class Promise;

template <class T>
struct ResultSlot {
  std::optional<T> value;
  template <class U>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
  T take() { return std::move(*value); }
};
template <>
struct ResultSlot<void> {
  void return_void() noexcept {}
  void take() noexcept {}
};

template <class T>
class Promise final : public PromiseBase, public ResultSlot<T> {
 public:
  Promise() noexcept = default;

  static void* operator new(std::size_t size) { return FramePool::allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { FramePool::release(p, size); }

  std::coroutine_handle<Promise> handle() noexcept { return std::coroutine_handle<Promise>::from_promise(*this); }

  auto get_return_object() noexcept;
  std::suspend_always initial_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
      Promise& p = h.promise();
      if (!p.spawned) return p.continuation ? p.continuation : std::noop_coroutine();
      Executor* executor = p.executor;
      void* old = p.joiner.exchange(kJoinDone, std::memory_order_acq_rel);  // release: our result
      if (old == kJoinThread) {
        p.done_flag.store(1, std::memory_order_release);
        p.done_flag.notify_one();
      } else if (old != nullptr) {
        wake(static_cast<PromiseBase*>(old), Where::next);  // the joiner gets this core
      }
      if (p.refs.fetch_sub(1, std::memory_order_acq_rel) == 1) h.destroy();  // the handle is gone too
      executor->task_finished();  // last: the runtime may end once every task has
      return std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }

  T result() {
    if (error) std::rethrow_exception(error);
    return this->take();
  }
};

}  // namespace detail

// Task<T>: a lazy coroutine that yields one T (or nothing, for Task<>).
template <class T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using handle_type = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(handle_type h) noexcept : h_(h) {}
  Task(Task&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (h_) h_.destroy();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (h_) h_.destroy();  // never ran (or ran inline and ended): the frame is ours
  }

  // valid: false once the task was moved from, awaited or spawned.
  bool valid() const noexcept { return static_cast<bool>(h_); }

  // co_await std::move(task): runs the task inline on this worker (symmetric
  // transfer, no queue) and returns its value or rethrows its exception.
  auto operator co_await() && { return detail::TaskAwaiter<T>{std::exchange(h_, {})}; }

  // release: hands the frame to the caller (the runtime's spawn).
  handle_type release() noexcept { return std::exchange(h_, {}); }

 private:
  handle_type h_;
};

namespace detail {

template <class T>
struct TaskAwaiter {
  std::coroutine_handle<Promise<T>> child;
  bool await_ready() const {
    if (!child) throw std::invalid_argument("go::Task: co_await on an empty task");
    return false;
  }
  template <class P>
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
    PromiseBase& pp = promise_of(parent);
    child.promise().executor = pp.executor;
    child.promise().continuation = parent;
    return child;  // symmetric transfer: the child runs now, on this thread
  }
  T await_resume() {
    struct Destroy {
      std::coroutine_handle<Promise<T>> h;
      ~Destroy() { h.destroy(); }
    } destroy{std::exchange(child, {})};
    return destroy.h.promise().result();
  }
};

}  // namespace detail

template <class T>
auto detail::Promise<T>::get_return_object() noexcept {
  self = handle();
  return Task<T>(handle());
}

// JoinHandle<T>: the result of a spawned task, awaited once. Dropping it
// detaches the task (it still runs to the end and frees itself).
template <class T>
class [[nodiscard]] JoinHandle {
 public:
  using handle_type = std::coroutine_handle<detail::Promise<T>>;

  JoinHandle() noexcept = default;
  explicit JoinHandle(handle_type h) noexcept : h_(h) {}
  JoinHandle(JoinHandle&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      release_ref();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  JoinHandle(const JoinHandle&) = delete;
  JoinHandle& operator=(const JoinHandle&) = delete;
  ~JoinHandle() { release_ref(); }

  bool valid() const noexcept { return static_cast<bool>(h_); }

  // promise: for the awaiters.
  detail::Promise<T>& promise() const noexcept { return h_.promise(); }

  // done: the task has ended (its result is ready).
  bool done() const noexcept { return h_ && h_.promise().joiner.load(std::memory_order_acquire) == detail::kJoinDone; }

  // co_await std::move(handle): suspends this task until the spawned one
  // ends (woken by its final step, which hands it this core), then returns
  // its value or rethrows its exception. Already ended: returns at once.
  auto operator co_await() && { return detail::JoinAwaiter<T>{std::move(*this)}; }

  // get: for a plain thread (not a task): blocks until the task ends, then
  // returns its value or rethrows its exception. Woken by the task's end.
  T get() {
    if (!h_) throw std::invalid_argument("go::JoinHandle: get on an empty handle");
    detail::Promise<T>& p = h_.promise();
    void* expected = nullptr;
    if (p.joiner.compare_exchange_strong(expected, detail::kJoinThread, std::memory_order_acq_rel)) {
      p.done_flag.wait(0, std::memory_order_acquire);
    }
    JoinHandle consumed = std::move(*this);  // frees the frame on the way out
    return consumed.h_.promise().result();
  }

 private:
  void release_ref() noexcept {
    if (h_ && h_.promise().refs.fetch_sub(1, std::memory_order_acq_rel) == 1) h_.destroy();
    h_ = {};
  }
  handle_type h_;
};

namespace detail {

template <class T>
struct JoinAwaiter {
  JoinHandle<T> self;
  bool await_ready() const {
    if (!self.valid()) throw std::invalid_argument("go::JoinHandle: co_await on an empty handle");
    return self.done();
  }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> waiter) noexcept {
    PromiseBase& w = promise_of(waiter);
    w.mark_suspended();
    void* expected = nullptr;
    if (self.promise().joiner.compare_exchange_strong(expected, &w, std::memory_order_acq_rel)) return true;
    w.state.store(TaskState::running, std::memory_order_relaxed);  // it ended meanwhile
    return false;
  }
  T await_resume() { return self.promise().result(); }
};

}  // namespace detail
}  // namespace go
