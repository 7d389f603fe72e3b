// go::co::select: Go's select statement for tasks. Waits on several channel
// operations, suspending the task, and completes exactly one.
// Lesson: phases/14-runtime/README.md, "Select that suspends".
//
//   std::size_t chosen = co_await go::co::select(
//       go::co::recv_case(jobs, [&](std::optional<Job> job) { ... }),  // case job, ok := <-jobs:
//       go::co::send_case(results, r, [&] { ... }),                  // case results <- r:
//       go::co::recv_case(done),                                     // case <-done:
//       go::co::default_case([&] { ... }));                          // default:
//
// Contract (phase 03's, the tests check each point):
//   - select returns the index (0-based, in argument order) of the case it
//     completed, after running that case's handler (if any) once, on the task.
//     A handler is a plain function: it cannot co_await; do that after select
//     returns.
//   - A receive case is ready when a value is buffered, a sender waits, or the
//     channel is closed (the handler gets nullopt). A send case is ready when
//     a receiver waits or there is room; on a closed channel it throws
//     go::panic("send on closed channel"), at once or when close wakes it.
//   - Several ready cases: one is chosen uniformly at random. None ready: the
//     default runs if there is one; otherwise the task suspends (its worker
//     runs others) until one becomes ready.
//   - One snapshot: select locks every channel of its cases, in address order
//     (one global order: two selects never deadlock), and only then looks. So
//     "none ready" held at one instant, and a default is never taken while a
//     case was ready.
//   - A case on the nil channel is never ready; a select with no case that can
//     ever be ready and no default suspends forever.
//
// Memory ordering: as for the channel operation of the chosen case.
//
// Implementation: Go's runtime/select.go. Lock all, poll in a random order;
// nothing ready: put one waiter per case, all in one detail::SelectGroup, and
// suspend. The peer that completes one of them first flips the group's `won`
// flag; the others are skipped as stale. Woken: lock all again and take the
// losing waiters out of their queues.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "go/co_chan.hpp"
#include "go/spin_mutex.hpp"
#include "go/thread_annotations.hpp"

namespace go::co {

namespace detail {

struct NoHandler {
  template <class... A>
  void operator()(A&&...) const noexcept {}
};

template <class T, class F>
struct RecvCase {
  static constexpr bool is_default = false;
  Chan<T> ch;
  F fn;
  std::optional<T> out{};
  Waiter<T> w{};

  go::SpinMutex* mutex() const noexcept { return ch.is_nil() ? nullptr : &ch.state()->mu; }
  bool try_now(PromiseBase*& peer) { return ch.state()->try_recv(out, peer); }
  void enqueue(SelectGroup* group, std::size_t index, PromiseBase* task) {
    w.task = task;
    w.out = &out;
    w.group = group;
    w.case_index = index;
    ch.state()->recvq.push(&w);
  }
  void dequeue() { ch.state()->recvq.remove(&w); }
  void finish() { fn(std::move(out)); }
};

template <class T, class F>
struct SendCase {
  static constexpr bool is_default = false;
  Chan<T> ch;
  T value;
  F fn;
  Waiter<T> w{};

  go::SpinMutex* mutex() const noexcept { return ch.is_nil() ? nullptr : &ch.state()->mu; }
  bool try_now(PromiseBase*& peer) { return ch.state()->try_send(value, peer); }
  void enqueue(SelectGroup* group, std::size_t index, PromiseBase* task) {
    w.task = task;
    w.value = &value;
    w.group = group;
    w.case_index = index;
    ch.state()->sendq.push(&w);
  }
  void dequeue() { ch.state()->sendq.remove(&w); }
  void finish() {
    if (w.closed) throw go::panic("send on closed channel");
    fn();
  }
};

template <class F>
struct DefaultCase {
  static constexpr bool is_default = true;
  F fn;
  go::SpinMutex* mutex() const noexcept { return nullptr; }
  bool try_now(PromiseBase*&) { return false; }
  void enqueue(SelectGroup*, std::size_t, PromiseBase*) {}
  void dequeue() {}
  void finish() { fn(); }
};

inline std::uint64_t select_random() noexcept {
  thread_local std::uint64_t s = 0x9e3779b97f4a7c15ull ^ reinterpret_cast<std::uintptr_t>(&s);
  s ^= s << 13;
  s ^= s >> 7;
  s ^= s << 17;
  return s;
}

// Locks: the distinct mutexes of a select, in address order.
template <std::size_t N>
struct Locks {
  std::array<go::SpinMutex*, N> mu{};
  std::size_t n = 0;
  void lock_all() GO_NO_THREAD_SAFETY_ANALYSIS {
    for (std::size_t i = 0; i < n; ++i) mu[i]->lock();
  }
  void unlock_all() noexcept GO_NO_THREAD_SAFETY_ANALYSIS {
    for (std::size_t i = n; i-- > 0;) mu[i]->unlock();
  }
};

template <class... Cases>
class SelectAwaiter {
  static constexpr std::size_t N = sizeof...(Cases);

 public:
  explicit SelectAwaiter(Cases... cases) : cases_(std::move(cases)...) {}

  bool await_ready() const noexcept { return false; }

  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    PromiseBase& p = go::detail::promise_of(h);
    Locks<N> locks = collect_locks();  // on our stack: we touch it after others may resume us
    locks.lock_all();
    struct Unlock {
      Locks<N>& l;
      bool armed = true;
      ~Unlock() {
        if (armed) l.unlock_all();
      }
    } unlock{locks};

    std::array<std::size_t, N> order{};
    for (std::size_t i = 0; i < N; ++i) order[i] = i;
    for (std::size_t i = N; i > 1; --i) std::swap(order[i - 1], order[select_random() % i]);  // Fisher-Yates
    PromiseBase* peer = nullptr;
    for (std::size_t i : order) {
      bool done = false;
      visit(i, [&](auto& c) {
        if (!std::decay_t<decltype(c)>::is_default && c.mutex() != nullptr) done = c.try_now(peer);
      });
      if (done) {
        chosen_ = i;
        unlock.armed = false;
        locks.unlock_all();
        if (peer != nullptr) go::detail::wake(peer, Where::next);
        return false;
      }
    }
    if (constexpr std::size_t d = default_index(); d < N) {
      chosen_ = d;
      return false;
    }
    p.mark_suspended();
    for (std::size_t i = 0; i < N; ++i) {
      visit(i, [&](auto& c) {
        if (c.mutex() != nullptr) c.enqueue(&group_, i, &p);
      });
    }
    enqueued_ = true;
    return true;  // unlock's destructor: from here on a peer may resume us
  }

  std::size_t await_resume() {
    if (enqueued_) {
      Locks<N> locks = collect_locks();
      locks.lock_all();
      for (std::size_t i = 0; i < N; ++i) visit(i, [](auto& c) { c.dequeue(); });
      chosen_ = group_.winner;
      locks.unlock_all();
    }
    visit(chosen_, [](auto& c) { c.finish(); });
    return chosen_;
  }

 private:
  static constexpr std::size_t default_index() {
    constexpr std::array<bool, N> flags{Cases::is_default...};
    for (std::size_t i = 0; i < N; ++i) {
      if (flags[i]) return i;
    }
    return N;
  }

  Locks<N> collect_locks() const {
    Locks<N> l;
    std::apply([&](const auto&... c) { ((c.mutex() ? (void)(l.mu[l.n++] = c.mutex()) : void()), ...); }, cases_);
    std::sort(l.mu.begin(), l.mu.begin() + l.n, std::less<go::SpinMutex*>());
    l.n = static_cast<std::size_t>(std::unique(l.mu.begin(), l.mu.begin() + l.n) - l.mu.begin());
    return l;
  }

  template <class F>
  void visit(std::size_t i, F&& f) {
    visit_impl(i, f, std::index_sequence_for<Cases...>{});
  }
  template <class F, std::size_t... I>
  void visit_impl(std::size_t i, F& f, std::index_sequence<I...>) {
    ((i == I ? f(std::get<I>(cases_)) : void()), ...);
  }

  std::tuple<Cases...> cases_;
  SelectGroup group_;
  std::size_t chosen_ = N;
  bool enqueued_ = false;
};

}  // namespace detail

// recv_case(ch, fn): `case v, ok := <-ch:`; fn(std::optional<T>) runs if chosen.
template <class T, class F>
detail::RecvCase<T, std::decay_t<F>> recv_case(const Chan<T>& ch, F&& fn) {
  return {ch, std::forward<F>(fn)};
}
template <class T>
detail::RecvCase<T, detail::NoHandler> recv_case(const Chan<T>& ch) {
  return {ch, {}};
}

// send_case(ch, v, fn): `case ch <- v:`; fn() runs if chosen.
template <class T, class U, class F>
detail::SendCase<T, std::decay_t<F>> send_case(const Chan<T>& ch, U&& value, F&& fn) {
  return {ch, T(std::forward<U>(value)), std::forward<F>(fn)};
}
template <class T, class U>
detail::SendCase<T, detail::NoHandler> send_case(const Chan<T>& ch, U&& value) {
  return {ch, T(std::forward<U>(value)), {}};
}

// default_case(fn): `default:`; at most one per select.
template <class F>
detail::DefaultCase<std::decay_t<F>> default_case(F&& fn) {
  return {std::forward<F>(fn)};
}
inline detail::DefaultCase<detail::NoHandler> default_case() { return {{}}; }

// select: co_await go::co::select(cases...): the index of the case completed.
template <class... Cases>
detail::SelectAwaiter<std::decay_t<Cases>...> select(Cases&&... cases) {
  static_assert(sizeof...(Cases) > 0, "go::co::select: no cases (use a nil channel case to block forever)");
  static_assert((std::size_t{0} + ... + (std::decay_t<Cases>::is_default ? 1 : 0)) <= 1,
                "go::co::select: more than one default case");
  return detail::SelectAwaiter<std::decay_t<Cases>...>(std::forward<Cases>(cases)...);
}

}  // namespace go::co
