// What go::select (go/select.hpp) works with: the locks of its channels, held
// as one, and each case as a SelectOp, one interface over the three kinds of
// case (receive, send, default) whatever the channel's element type. A
// receive or send op reaches its channel through the channel's select port
// (go/detail/chan_select_port.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

#include "go/chan.hpp"
#include "go/chan_status.hpp"
#include "go/detail/chan_select_port.hpp"
#include "go/detail/select_group.hpp"
#include "go/panic.hpp"
#include "go/select_cases.hpp"
#include "go/spin_mutex.hpp"
#include "go/thread_annotations.hpp"

namespace go::detail {

// Releases every lock of a select once; a ready case calls it before waking
// its peer, and the select calls it again (harmlessly) afterwards.
class SelectLocks {
 public:
  explicit SelectLocks(std::span<SpinMutex* const> order) : order_(order) {}
  SelectLocks(const SelectLocks&) = delete;
  SelectLocks& operator=(const SelectLocks&) = delete;
  ~SelectLocks() { unlock(); }

  // A set of locks known only at run time is beyond clang's analysis: the
  // order rule is the sort, and the tests of phase 03 check the rest.
  void lock() GO_NO_THREAD_SAFETY_ANALYSIS {
    for (SpinMutex* mu : order_) mu->lock();
    held_ = true;
  }
  void unlock() GO_NO_THREAD_SAFETY_ANALYSIS {
    if (!held_) return;
    held_ = false;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) (*it)->unlock();
  }

 private:
  std::span<SpinMutex* const> order_;  // distinct, sorted by address
  bool held_ = false;
};

// The operations select needs from any case, whatever its channel's type.
struct SelectOp {
  enum class Attempt { done, not_ready, needs_locks };
  virtual ~SelectOp() = default;
  // Buffered channels move values without their lock: try the case that way
  // first. Unbuffered ones (needs_locks) can only be polled under the lock.
  virtual Attempt try_without_locks() = 0;
  virtual SpinMutex* mutex() const = 0;  // nullptr: the nil channel, never ready
  virtual std::uint64_t version() const = 0;  // the channel's ChanSelectPort::version()
  virtual bool poll(SelectLocks& locks) = 0;
  // false: not queued, the case may be ready after all (a buffered channel's
  // ring moved since the poll): poll again.
  virtual bool enqueue(SelectGroup& group, int index) = 0;
  virtual void dequeue() = 0;
  virtual bool complete_after_wake() = 0;  // the winner: done (true), or look again (false)
  virtual void run() = 0;                  // the handler
};

template <class T, class F>
class RecvOp final : public SelectOp {
 public:
  explicit RecvOp(RecvCase<T, F>& c) : case_(c), port_(c.ch) {}
  SpinMutex* mutex() const override { return port_.mutex(); }
  std::uint64_t version() const override { return port_.version(); }
  Attempt try_without_locks() override {
    if (case_.ch.cap() == 0) return Attempt::needs_locks;
    RecvResult<T> got = case_.ch.try_recv();
    if (got.status == ChanStatus::empty) return Attempt::not_ready;
    slot_ = std::move(got.value);  // a value, or nullopt: closed
    return Attempt::done;
  }
  bool poll(SelectLocks& locks) override {
    return port_.recv_now(slot_, [&] { locks.unlock(); });
  }
  bool enqueue(SelectGroup& group, int index) override {
    waiter_.group = &group;
    waiter_.parker = &group.parker;
    waiter_.case_index = index;
    waiter_.outcome = Port::Outcome::pending;
    return port_.enqueue_recv(&waiter_);
  }
  void dequeue() override { port_.dequeue(&waiter_); }
  bool complete_after_wake() override {  // done: the waiter holds the value; closed: nothing
    if (waiter_.outcome == Port::Outcome::retry) return false;
    slot_ = std::move(waiter_.value);
    return true;
  }
  void run() override { std::invoke(case_.handler, std::move(slot_)); }

 private:
  using Port = ChanSelectPort<T>;
  RecvCase<T, F>& case_;
  Port port_;
  std::optional<T> slot_;
  typename Port::Waiter waiter_;
};

template <class T, class F>
class SendOp final : public SelectOp {
 public:
  explicit SendOp(SendCase<T, F>& c) : case_(c), port_(c.ch) {}
  SpinMutex* mutex() const override { return port_.mutex(); }
  std::uint64_t version() const override { return port_.version(); }
  Attempt try_without_locks() override {
    if (case_.ch.cap() == 0) return Attempt::needs_locks;
    // Moves the value only if sent; panics on a closed channel.
    return case_.ch.try_send(std::move(case_.value)) == ChanStatus::ok ? Attempt::done : Attempt::not_ready;
  }
  bool poll(SelectLocks& locks) override {
    return port_.send_now(case_.value, [&] { locks.unlock(); });
  }
  bool enqueue(SelectGroup& group, int index) override {
    waiter_.group = &group;
    waiter_.parker = &group.parker;
    waiter_.case_index = index;
    waiter_.outgoing = &case_.value;
    waiter_.outcome = Port::Outcome::pending;
    return port_.enqueue_send(&waiter_);
  }
  void dequeue() override { port_.dequeue(&waiter_); }
  bool complete_after_wake() override {
    if (waiter_.outcome == Port::Outcome::closed) throw panic("send on closed channel");  // close() chose us
    return waiter_.outcome == Port::Outcome::done;
  }
  void run() override { std::invoke(case_.handler); }

 private:
  using Port = ChanSelectPort<T>;
  SendCase<T, F>& case_;
  Port port_;
  typename Port::Waiter waiter_;
};

template <class C>
struct is_default_case : std::false_type {};
template <class F>
struct is_default_case<DefaultCase<F>> : std::true_type {};

// The default case, as an operation that is never ready on a channel.
template <class F>
class DefaultOp final : public SelectOp {
 public:
  explicit DefaultOp(DefaultCase<F>& c) : case_(c) {}
  SpinMutex* mutex() const override { return nullptr; }
  std::uint64_t version() const override { return 0; }
  Attempt try_without_locks() override { return Attempt::not_ready; }
  bool poll(SelectLocks&) override { return false; }
  bool enqueue(SelectGroup&, int) override { return true; }
  void dequeue() override {}
  bool complete_after_wake() override { return true; }
  void run() override { std::invoke(case_.handler); }

 private:
  DefaultCase<F>& case_;
};

}  // namespace go::detail
