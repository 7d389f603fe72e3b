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
//
// Hints:
//   - Given: PromiseBase (what the runtime and every awaiter share), Task's
//     ownership of its frame, ResultSlot. Yours: wake(), the end of a spawned
//     task (FinalAwaiter), co_await on a Task and on a JoinHandle, get().
//   - co_await task: await_suspend stores the parent as the child's
//     continuation and returns the child's handle (symmetric transfer: no
//     stack grows however deep the chain). The child's final_suspend returns
//     the continuation.
//   - A spawned task and its joiner race: the joiner publishes itself in
//     `joiner` with a compare-and-swap from nullptr; the task's end swaps in
//     kJoinDone. Whoever comes second knows the other is there.
//   - The frame has two owners, the runner and the JoinHandle (refs == 2):
//     the last one to let go destroys it.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "go/panic.hpp"
#include "go/todo.hpp"

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
  (void)task;
  (void)where;
  // TODO: move task from suspended to scheduled with one compare-and-swap
  // (fail: throw go::panic("go: task resumed twice")), then hand it to its
  // executor's schedule().
  throw go::todo("detail::wake");
}

// The awaiters below take the suspended coroutine's handle; every task's
// promise derives from PromiseBase.
template <class P>
PromiseBase& promise_of(std::coroutine_handle<P> h) {
  static_assert(std::is_base_of_v<PromiseBase, P>, "go: only a go::Task can await this");
  return h.promise();
}

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

  std::coroutine_handle<Promise> handle() noexcept { return std::coroutine_handle<Promise>::from_promise(*this); }

  auto get_return_object() noexcept;
  std::suspend_always initial_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
      Promise& p = h.promise();
      if (!p.spawned) return p.continuation ? p.continuation : std::noop_coroutine();
      // TODO: a spawned task ended: publish kJoinDone in joiner, wake the
      // joiner (a task: wake(), Where::next; a thread: done_flag), drop the
      // runner's reference, then tell the executor (task_finished()).
      std::fputs("not implemented yet: Promise::FinalAwaiter (the end of a spawned task)\n", stderr);
      std::abort();  // no exception can leave final_suspend
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
  std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) {
    (void)parent;
    // TODO: the child inherits the parent's executor and remembers the
    // parent as its continuation; return the child to run it now.
    throw go::todo("Task: co_await (await_suspend)");
  }
  T await_resume() {
    // TODO: destroy the child's frame and return its result (or rethrow).
    throw go::todo("Task: co_await (await_resume)");
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
    // TODO: publish kJoinThread in joiner (unless the task already ended),
    // wait on done_flag, then return the result and let go of the frame.
    throw go::todo("JoinHandle::get");
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
  bool await_suspend(std::coroutine_handle<P> waiter) {
    (void)waiter;
    // TODO: mark the waiter suspended and publish it in joiner with a
    // compare-and-swap from nullptr; lost the race (the task ended): resume.
    throw go::todo("JoinHandle: co_await (await_suspend)");
  }
  T await_resume() {
    // TODO: the task's result (or rethrow its exception).
    throw go::todo("JoinHandle: co_await (await_resume)");
  }
};

}  // namespace detail
}  // namespace go
