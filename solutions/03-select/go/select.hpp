// go::select: Go's select statement. Waits on several channel operations and
// runs the one that can proceed.
//
//   std::size_t chosen = go::select(
//       go::recv_case(jobs, [&](std::optional<Job> job) { ... }),  // case job, ok := <-jobs:
//       go::send_case(results, r, [&] { ... }),                   // case results <- r:
//       go::recv_case(done),                                      // case <-done:
//       go::default_case([&] { ... }));                           // default:
//
// Semantics (Go's, each one tested): returns the index of the case it ran,
// after running its handler once. Ready cases: one chosen uniformly at random.
// None ready: the default case if any, else block (no polling, no CPU) until
// one is. A receive case on a closed channel is ready (handler gets nullopt);
// a send case on a closed channel throws go::panic("send on closed channel").
// Nil-channel cases are never ready. Exactly one case happens.
//
// Memory ordering: as for the channel operation of the chosen case.
//
// Implementation: Go's runtime/select.go, in C++.
//   1. Lock every distinct channel, in address order. One global order means
//      two selects (or a select and close()) can never deadlock on each
//      other's locks.
//   2. Poll the cases in a random order (the fairness Go promises). A ready
//      one is done on the spot through the channel's select protocol, which
//      unlocks everything before waking a peer.
//   3. Nothing ready and no default: put one waiter on every channel, all
//      sharing one detail::SelectGroup (a parker and a "winner" flag), unlock,
//      park. A peer that finds one of our waiters claims the group (only one
//      claim can succeed), completes that case under its channel's lock, and
//      unparks us.
//   4. Woken: lock everything again and take the losing waiters out of their
//      queues (a peer may meanwhile have dropped them as stale), unlock, run
//      the winner's handler.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "go/chan.hpp"
#include "go/detail/select_group.hpp"
#include "go/panic.hpp"
#include "go/select_cases.hpp"
#include "go/spin_mutex.hpp"

namespace go {
namespace detail {

// Releases every lock of a select once; a ready case calls it before waking
// its peer, and the select calls it again (harmlessly) afterwards.
class SelectLocks {
 public:
  explicit SelectLocks(std::vector<SpinMutex*> order) : order_(std::move(order)) {}
  SelectLocks(const SelectLocks&) = delete;
  SelectLocks& operator=(const SelectLocks&) = delete;
  ~SelectLocks() { unlock(); }

  void lock() {
    for (SpinMutex* mu : order_) mu->lock();
    held_ = true;
  }
  void unlock() {
    if (!held_) return;
    held_ = false;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) (*it)->unlock();
  }

 private:
  std::vector<SpinMutex*> order_;  // distinct, sorted by address
  bool held_ = false;
};

// The operations select needs from any case, whatever its channel's type.
struct SelectOp {
  virtual ~SelectOp() = default;
  virtual SpinMutex* mutex() const = 0;  // nullptr: the nil channel, never ready
  virtual bool poll(SelectLocks& locks) = 0;
  virtual void enqueue(SelectGroup& group, int index) = 0;
  virtual void dequeue() = 0;
  virtual void complete_after_wake() = 0;  // the winner: check how it ended
  virtual void run() = 0;                  // the handler
};

template <class T, class F>
class RecvOp final : public SelectOp {
 public:
  explicit RecvOp(RecvCase<T, F>& c) : case_(c) {}
  SpinMutex* mutex() const override { return case_.ch.select_mutex(); }
  bool poll(SelectLocks& locks) override {
    return case_.ch.select_recv_now(slot_, [&] { locks.unlock(); });
  }
  void enqueue(SelectGroup& group, int index) override {
    waiter_.group = &group;
    waiter_.parker = &group.parker;
    waiter_.case_index = index;
    waiter_.incoming = &slot_;
    case_.ch.select_enqueue_recv(&waiter_);
  }
  void dequeue() override { case_.ch.select_dequeue(&waiter_); }
  void complete_after_wake() override {}  // success: slot_ holds the value; closed: it stays empty
  void run() override { std::invoke(case_.handler, std::move(slot_)); }

 private:
  RecvCase<T, F>& case_;
  std::optional<T> slot_;
  typename Chan<T>::SelectWaiter waiter_;
};

template <class T, class F>
class SendOp final : public SelectOp {
 public:
  explicit SendOp(SendCase<T, F>& c) : case_(c) {}
  SpinMutex* mutex() const override { return case_.ch.select_mutex(); }
  bool poll(SelectLocks& locks) override {
    return case_.ch.select_send_now(case_.value, [&] { locks.unlock(); });
  }
  void enqueue(SelectGroup& group, int index) override {
    waiter_.group = &group;
    waiter_.parker = &group.parker;
    waiter_.case_index = index;
    waiter_.outgoing = &case_.value;
    case_.ch.select_enqueue_send(&waiter_);
  }
  void dequeue() override { case_.ch.select_dequeue(&waiter_); }
  void complete_after_wake() override {
    if (!waiter_.success) throw panic("send on closed channel");  // close() chose us
  }
  void run() override { std::invoke(case_.handler); }

 private:
  SendCase<T, F>& case_;
  typename Chan<T>::SelectWaiter waiter_;
};

template <class C>
struct is_default_case : std::false_type {};
template <class F>
struct is_default_case<DefaultCase<F>> : std::true_type {};

template <class T, class F>
std::unique_ptr<SelectOp> make_op(RecvCase<T, F>& c) {
  return std::make_unique<RecvOp<T, F>>(c);
}
template <class T, class F>
std::unique_ptr<SelectOp> make_op(SendCase<T, F>& c) {
  return std::make_unique<SendOp<T, F>>(c);
}
template <class F>
std::unique_ptr<SelectOp> make_op(DefaultCase<F>&) {
  return nullptr;  // not a channel operation
}

inline std::minstd_rand& select_random() {
  thread_local std::minstd_rand engine{std::random_device{}()};
  return engine;
}

// The algorithm, on type-erased operations. ops[i] is null for the default
// case (at most one). Returns the index of the case to run; its run() is
// still to be called (outside every lock).
inline std::size_t select_impl(std::vector<std::unique_ptr<SelectOp>>& ops, std::ptrdiff_t default_index) {
  std::vector<SpinMutex*> order;
  for (auto& op : ops) {
    if (op && op->mutex()) order.push_back(op->mutex());
  }
  std::sort(order.begin(), order.end());
  order.erase(std::unique(order.begin(), order.end()), order.end());

  std::vector<std::size_t> poll_order;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i] && ops[i]->mutex()) poll_order.push_back(i);
  }
  std::shuffle(poll_order.begin(), poll_order.end(), select_random());

  if (order.empty() && default_index < 0) {
    // Only nil channels: Go blocks this goroutine forever.
    for (;;) std::this_thread::sleep_for(std::chrono::hours(24));
  }

  SelectLocks locks(order);
  locks.lock();
  for (std::size_t i : poll_order) {
    if (ops[i]->poll(locks)) return i;  // done; locks released (now or by the destructor)
  }
  if (default_index >= 0) return static_cast<std::size_t>(default_index);

  SelectGroup group;
  for (std::size_t i : poll_order) ops[i]->enqueue(group, static_cast<int>(i));
  locks.unlock();
  group.parker.park();  // unparked by the peer that claimed the group

  const auto winner = static_cast<std::size_t>(group.winner.load(std::memory_order_acquire));
  locks.lock();
  for (std::size_t i : poll_order) {
    if (i != winner) ops[i]->dequeue();
  }
  locks.unlock();
  ops[winner]->complete_after_wake();
  return winner;
}

}  // namespace detail

template <class... Cases>
std::size_t select(Cases&&... cases) {
  static_assert(sizeof...(Cases) > 0, "go::select needs at least one case (Go's empty select is a deadlock)");
  static_assert((static_cast<int>(detail::is_default_case<std::decay_t<Cases>>::value) + ... + 0) <= 1,
                "go::select: at most one default case");
  std::vector<std::unique_ptr<detail::SelectOp>> ops;
  ops.reserve(sizeof...(Cases));
  std::ptrdiff_t default_index = -1;
  std::vector<std::function<void()>> defaults;
  (
      [&](auto& c) {
        if constexpr (detail::is_default_case<std::decay_t<decltype(c)>>::value) {
          default_index = static_cast<std::ptrdiff_t>(ops.size());
          defaults.emplace_back([&c] { std::invoke(c.handler); });
        }
        ops.push_back(detail::make_op(c));
      }(cases),
      ...);
  const std::size_t chosen = detail::select_impl(ops, default_index);
  if (static_cast<std::ptrdiff_t>(chosen) == default_index) {
    defaults.front()();
  } else {
    ops[chosen]->run();
  }
  return chosen;
}

}  // namespace go
