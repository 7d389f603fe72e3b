// go::Chan<T>: Go's chan T. A typed queue that goroutines share.
//
//   go::Chan<int> ch(16);            // make(chan int, 16); go::Chan<int> ch(0) is unbuffered
//   ch.send(42);                     // ch <- 42
//   std::optional<int> v = ch.recv();  // v, ok := <-ch   (nullopt: closed and drained)
//   ch.close();                      // close(ch)
//   for (int x : ch) use(x);         // for x := range ch
//
// Contract (the tests check each point):
//   - Chan is a handle: copies share one channel (operator== says "same
//     channel"). Chan() is the nil channel: send/recv block forever, try_send
//     says full, try_recv says empty, timed operations time out, len() and
//     cap() are 0, close() panics.
//   - Chan(capacity): capacity < 0 throws std::invalid_argument (the message
//     mentions the capacity). Capacity 0 is a rendezvous: send() returns only
//     after a receiver took the value. Capacity n: send() blocks only while n
//     values are buffered, and a blocked send() returns once one receive has
//     made room for it, whether or not more receives follow. FIFO order.
//   - recv() blocks until a value arrives; after close() it first drains the
//     buffer, then returns nullopt at once, every time.
//   - close() wakes every blocked receiver (nullopt) and every blocked sender,
//     which throws go::panic("send on closed channel"). Any send on a closed
//     channel throws that; close() of a closed channel throws
//     go::panic("close of closed channel"), of nil "close of nil channel".
//   - try_send/try_recv never block: ok, full/empty, or (try_recv) closed.
//     "full" means full: once a receiver has taken a value (even one still
//     busy copying it out), its room is free for a try_send.
//     try_send on a closed channel panics, like a send case in Go's select.
//   - send_for/send_until/recv_for/recv_until wait at most until the deadline
//     on the given clock (use Clock::at to be woken), then return timeout.
//     An operation that can complete at once does so even with no time left.
//     On the nil channel they sleep on the clock (clock.sleep_until) until the
//     deadline: nothing else can ever end them.
//   - A send that does not happen (full, timeout) leaves the caller's value
//     untouched: move from it only once the value really goes somewhere.
//
// Memory ordering: a send happens before the matching receive completes; a
// close happens before a receive that returns nullopt because of it.
//
// Implementation: two designs under one interface, one header each.
//   go/detail/unbuffered_path.hpp  capacity 0: Go's runtime design
//       (runtime/chan.go): the lock guards two FIFO queues of blocked
//       goroutines, and a send hands its value straight to a waiting receiver.
//   go/detail/buffered_path.hpp    capacity > 0: the values live in a
//       lock-free ring (go/detail/bounded_ring.hpp), so a send or receive that
//       need not wait takes no lock; the lock and the queues are for the slow
//       path only, and a receiver that completes a parked sender may defer
//       its wake-up.
//   go/detail/chan_state.hpp       what every handle shares: the lock, the
//       queues, the ring. go/detail/chan_waiter.hpp: a blocked goroutine.
//   go/detail/chan_select_port.hpp what go::select (phase 03) needs: the
//       only way in besides this interface.
// Both designs wake a thread only if it really waits, each on its own
// go::Parker (spin briefly, then a futex).
//
// Invariants (under the channel's lock, ChanState::mu):
//   - unbuffered: receivers waiting => no sender waiting, and vice versa;
//   - closed => nobody waits (close() releases every waiter, and no
//     operation on a closed channel starts waiting);
//   - a waiter's outcome is set, and the waiter out of its queue, before it is
//     woken (a select's waiter only by the peer that claimed its select).
//
// Why about 340 lines: the contract, the memory ordering and the invariants
// above are a quarter of it, and every public operation is here, each a few
// lines that hand the work to one of the two designs.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "go/chan_iterator.hpp"
#include "go/chan_status.hpp"
#include "go/chan_views.hpp"
#include "go/clock.hpp"
#include "go/dcheck.hpp"
#include "go/detail/buffered_path.hpp"
#include "go/detail/chan_state.hpp"
#include "go/detail/chan_waiter.hpp"
#include "go/detail/unbuffered_path.hpp"
#include "go/panic.hpp"
#include "go/spin_mutex.hpp"

namespace go {

namespace detail {
template <class T>
class ChanSelectPort;
}  // namespace detail

template <class T>
class Chan {
 public:
  using value_type = T;

  // The nil channel.
  Chan() = default;

  // make(chan T, capacity). Throws std::invalid_argument if capacity < 0.
  explicit Chan(std::ptrdiff_t capacity) {
    if (capacity < 0) {
      throw std::invalid_argument("go::Chan: negative capacity " + std::to_string(capacity));
    }
    state_ = std::make_shared<State>(static_cast<std::size_t>(capacity));
  }

  // send: blocks until a receiver takes the value (capacity 0) or there is
  // room in the buffer. Throws go::panic("send on closed channel").
  void send(T value) {
    if (!state_) block_forever();
    State& s = *state_;
    if (s.ring) {
      Buffered::send(s, value);
      return;
    }
    SpinLock lock(s.mu);
    if (Unbuffered::send_now(s, value, [&] { lock.unlock_in_callee(); })) return;
    Waiter me;
    // The value waits in our waiter, on the line the receiver reads anyway
    // (for a small T), not in our stack frame, one cache miss further.
    me.value.emplace(std::move(value));
    me.outgoing = &*me.value;
    s.senders.push(&me);
    lock.unlock();
    me.park();
    GO_DCHECK(me.outcome == Outcome::done || me.outcome == Outcome::closed);  // Go: "chansend: spurious wakeup"
    if (me.outcome != Outcome::done) throw panic("send on closed channel");  // close() released us
  }

  // recv: blocks until a value arrives or the channel is closed and drained
  // (then nullopt, at once).
  std::optional<T> recv() {
    if (!state_) block_forever();
    State& s = *state_;
    std::optional<T> out;
    if (s.ring) {
      Buffered::recv(s, out);
      return out;
    }
    SpinLock lock(s.mu);
    if (Unbuffered::recv_now(s, out, [&] { lock.unlock_in_callee(); })) return out;
    Waiter me;
    s.receivers.push(&me);
    lock.unlock();
    me.park();
    GO_DCHECK(me.outcome == Outcome::done || me.outcome == Outcome::closed);  // woken with an outcome
    return std::move(me.value);  // empty when close() released us
  }

  // try_send: sends only if that needs no waiting. full (and value untouched)
  // otherwise; the nil channel is always full. Panics on a closed channel.
  ChanStatus try_send(T&& value) {
    if (!state_) return ChanStatus::full;
    State& s = *state_;
    if (s.ring) return Buffered::try_send(s, value, Buffered::kWaitInProgress) ? ChanStatus::ok : ChanStatus::full;
    SpinLock lock(s.mu);
    return Unbuffered::send_now(s, value, [&] { lock.unlock_in_callee(); }) ? ChanStatus::ok : ChanStatus::full;
  }
  ChanStatus try_send(const T& value) {
    T copy(value);
    return try_send(std::move(copy));
  }

  // try_recv: receives only if that needs no waiting: ok, empty, or closed
  // (closed and drained).
  RecvResult<T> try_recv() {
    RecvResult<T> result{ChanStatus::empty, std::nullopt};
    if (!state_) return result;
    State& s = *state_;
    bool finished = false;
    if (s.ring) {
      finished = Buffered::try_recv(s, result.value, Buffered::kWaitInProgress);
    } else {
      SpinLock lock(s.mu);
      finished = Unbuffered::recv_now(s, result.value, [&] { lock.unlock_in_callee(); });
    }
    if (finished) result.status = result.value ? ChanStatus::ok : ChanStatus::closed;
    return result;
  }

  // send_until / send_for: send, giving up at the deadline (on `clock`) with
  // timeout; the value is then untouched. Panics on a closed channel.
  ChanStatus send_until(T&& value, TimePoint deadline, Clock& clock = real_clock()) {
    if (!state_) {
      clock.sleep_until(deadline);  // nil: nothing can ever happen
      return ChanStatus::timeout;
    }
    State& s = *state_;
    for (;;) {
      if (s.ring && Buffered::try_send(s, value)) return ChanStatus::ok;  // (takes the lock only to wake)
      SpinLock lock(s.mu);
      if (!s.ring && Unbuffered::send_now(s, value, [&] { lock.unlock_in_callee(); })) return ChanStatus::ok;
      if (clock.now() >= deadline) return ChanStatus::timeout;
      auto me = std::make_shared<Waiter>();
      me->outgoing = &value;
      if (!s.ring) {
        s.senders.push(me.get());
      } else if (!s.enqueue_armed(me.get())) {
        continue;  // the ring changed meanwhile: look again
      }
      lock.unlock();
      park_until(me, deadline, clock);
      switch (me->outcome) {
        case Outcome::done: return ChanStatus::ok;
        case Outcome::timed_out: return ChanStatus::timeout;
        case Outcome::closed: throw panic("send on closed channel");
        case Outcome::retry: continue;
        case Outcome::pending: GO_DCHECK(!"woken without an outcome"); continue;
      }
    }
  }
  ChanStatus send_for(T&& value, Duration timeout, Clock& clock = real_clock()) {
    return send_until(std::move(value), clock.deadline_after(timeout), clock);
  }
  ChanStatus send_until(const T& value, TimePoint deadline, Clock& clock = real_clock()) {
    T copy(value);
    return send_until(std::move(copy), deadline, clock);
  }
  ChanStatus send_for(const T& value, Duration timeout, Clock& clock = real_clock()) {
    T copy(value);
    return send_for(std::move(copy), timeout, clock);
  }

  // recv_until / recv_for: receive, giving up at the deadline with timeout.
  RecvResult<T> recv_until(TimePoint deadline, Clock& clock = real_clock()) {
    RecvResult<T> result{ChanStatus::timeout, std::nullopt};
    if (!state_) {
      clock.sleep_until(deadline);  // nil: nothing can ever happen
      return result;
    }
    State& s = *state_;
    for (;;) {
      bool finished = s.ring && Buffered::try_recv(s, result.value);  // (takes the lock only to wake)
      SpinLock lock(s.mu);
      if (!finished && !s.ring) finished = Unbuffered::recv_now(s, result.value, [&] { lock.unlock_in_callee(); });
      if (finished) {
        result.status = result.value ? ChanStatus::ok : ChanStatus::closed;
        return result;
      }
      if (clock.now() >= deadline) return result;
      auto me = std::make_shared<Waiter>();
      if (!s.ring) {
        s.receivers.push(me.get());
      } else if (!s.enqueue_armed(me.get())) {
        continue;
      }
      lock.unlock();
      park_until(me, deadline, clock);
      switch (me->outcome) {
        case Outcome::done:
          result.status = ChanStatus::ok;
          result.value = std::move(me->value);
          return result;
        case Outcome::timed_out: return result;
        case Outcome::closed: result.status = ChanStatus::closed; return result;
        case Outcome::retry: continue;
        case Outcome::pending: GO_DCHECK(!"woken without an outcome"); continue;
      }
    }
  }
  RecvResult<T> recv_for(Duration timeout, Clock& clock = real_clock()) {
    return recv_until(clock.deadline_after(timeout), clock);
  }

  // close: no more sends. Wakes every blocked receiver (they get nullopt once
  // the buffer is drained) and every blocked sender (they throw). Panics on a
  // closed or nil channel.
  void close() {
    if (!state_) throw panic("close of nil channel");
    State& s = *state_;
    detail::WaitQueue<T> released;
    {
      SpinLock lock(s.mu);
      if (s.closed) throw panic("close of closed channel");
      s.closed = true;
      if (s.ring) s.ring->close();  // from now on no value can enter the ring
      // Buffered receivers look again: the ring may still hold values for them.
      const Outcome for_receivers = s.ring ? Outcome::retry : Outcome::closed;
      while (Waiter* w = s.receivers.pop_claimed()) {
        w->outcome = for_receivers;
        released.push(w);
      }
      while (Waiter* w = s.senders.pop_claimed()) {
        w->outcome = Outcome::closed;
        released.push(w);
      }
      while (Waiter* w = s.deferred.pop()) released.push(w);  // done before the close: they return normally
      GO_DCHECK(s.receivers.empty() && s.senders.empty());  // closed => nobody waits
    }
    while (Waiter* w = released.pop()) w->wake();  // outside the lock
  }

  // len: values buffered now; cap: the buffer's size. Both 0 for nil.
  std::size_t len() const { return state_ && state_->ring ? state_->ring->size() : 0; }
  std::size_t cap() const { return state_ ? state_->cap : 0; }

  bool is_nil() const { return state_ == nullptr; }
  friend bool operator==(const Chan& a, const Chan& b) { return a.state_ == b.state_; }

  // Range-for (go/chan_iterator.hpp): receives until closed and drained.
  ChanIterator<Chan> begin() { return ChanIterator<Chan>(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  friend class detail::ChanSelectPort<T>;  // go::select's way in (go/detail/chan_select_port.hpp)

  using State = detail::ChanState<T>;
  using Waiter = detail::ChanWaiter<T>;
  using Outcome = detail::WaitOutcome;
  using Buffered = detail::BufferedPath<T>;
  using Unbuffered = detail::UnbufferedPath<T>;

  // Parks a queued waiter until a peer or close() wakes it, or the deadline's
  // timer takes it out of its queue (timed_out). The waiter is on the heap
  // because the timer's function may still hold it after we return.
  void park_until(const std::shared_ptr<Waiter>& me, TimePoint deadline, Clock& clock) {
    std::weak_ptr<State> weak = state_;
    Timer timer = clock.at(deadline, [weak, me] {
      auto s = weak.lock();
      if (!s) return;
      {
        SpinLock lock(s->mu);
        if (!me->queued) return;  // a peer or close() got there first
        s->dequeue(me.get());
        me->outcome = Outcome::timed_out;
      }
      me->wake();
    });
    me->park();  // the wake-up publishes the outcome
    timer.stop();
  }

  [[noreturn]] static void block_forever() {
    // Go: a nil channel blocks its goroutine forever. We sleep in long steps.
    for (;;) std::this_thread::sleep_for(std::chrono::hours(24));
  }

  std::shared_ptr<State> state_;
};

}  // namespace go
