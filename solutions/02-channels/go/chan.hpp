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
// Implementation: two designs under one interface.
//
//   Unbuffered (capacity 0): the design of Go's runtime (runtime/chan.go). One
//   lock per channel (a go::SpinMutex: critical sections of a few dozen
//   nanoseconds, so a contended locker spins briefly instead of sleeping at
//   once) guards two FIFO queues of blocked goroutines (receivers, senders). A
//   send that finds a receiver waiting hands the value straight into that
//   receiver's slot and wakes it; only a thread that really waits is ever
//   woken, each on its own go::Parker (spin briefly, then a futex).
//
//   Buffered: the values live in a lock-free ring (go/detail/bounded_ring.hpp),
//   so a send into a channel with room and a receive from one with values take
//   no lock at all: senders and receivers touch different cache lines, and
//   one lock no longer serialises them. The lock and the waiter queues remain
//   for the slow path only. A thread that finds the ring full (or empty) spins
//   a little, then queues a waiter and "arms" the ring: a bit in the ring's
//   tail (head) word, set only if the ring is still empty (full) at that
//   instant. The next peer's claim reads the bit with the same CAS that claims
//   its position, so it knows, for free, that it must wake one waiter: a
//   receiver that frees a slot moves a parked sender's value into the ring for
//   it (Go's hand-off: that send has happened); a sender that publishes a
//   value tells one parked receiver to look again. A woken thread whose chance
//   was taken by a faster one simply waits again, so a new arrival may
//   overtake a parked sender (the spec promises FIFO for values, not for
//   blocked goroutines).
//
//   Deferred wake-ups. A producer faster than its consumers keeps the ring
//   full; if every receive then woke the parked sender it completed, the
//   sender would send one value, find the ring full, park again, and each
//   item would pay a hand-off and a wake-up on both sides (and with more
//   threads than cores the spinning waiters would take the consumer's CPU).
//   So a receiver that moves a plain send()'s value in (the send has
//   happened, as in Go) files that sender as "deferred" instead of waking it,
//   and the wake-up falls due once the receivers have taken another half
//   ring of values: the sender then comes back to a half-empty ring and
//   fills it in one run. That is only a scheduling delay of a thread whose
//   operation is complete, and it is bounded: a deferred sender sleeps with a
//   timeout and, when it runs out, finds its send done and returns by itself
//   (so a consumer that stops receiving cannot strand it), and close() wakes
//   every deferred sender. Selects and timed sends are never deferred.
//
// Invariants (under State::mu):
//   - unbuffered: receivers waiting => no sender waiting, and vice versa;
//   - closed => nobody waits (close() releases every waiter, and no
//     operation on a closed channel starts waiting);
//   - a waiter's outcome is set, and the waiter out of its queue, before it is
//     woken (a select's waiter only by the peer that claimed its select).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "go/chan_iterator.hpp"
#include "go/chan_status.hpp"
#include "go/chan_views.hpp"
#include "go/clock.hpp"
#include "go/dcheck.hpp"
#include "go/detail/bounded_ring.hpp"
#include "go/detail/select_group.hpp"
#include "go/panic.hpp"
#include "go/parker.hpp"
#include "go/spin_mutex.hpp"

namespace go {

template <class T>
class Chan {
 public:
  // How a parked waiter's operation ended; set by whoever woke it.
  enum class Outcome : std::uint8_t {
    pending,    // still waiting
    done,       // transferred: a value was handed to or taken from it
    closed,     // close() released it
    retry,      // buffered channel: the ring changed, look again
    timed_out,  // its deadline's timer released it
  };

 private:
  // A goroutine blocked on this channel (Go's sudog). Lives on the blocked
  // thread's stack, or on the heap when a timer may still refer to it. A
  // waiter of a select (group != nullptr) shares the group's parker, and must
  // be claimed before it is completed (see go/detail/select_group.hpp).
  //
  // One cache line for what a hand-off touches (for small T): the waker
  // writes the value, the outcome and the parker's state, and the parked
  // thread, spinning on that state, reads them all with one cache miss.
  struct alignas(64) Waiter {
    Parker own_parker;
    Outcome outcome = Outcome::pending;    // written before wake(), read after park()
    bool queued = false;                   // still in a queue (guarded by mu)
    int case_index = -1;                   // its case in its select
    Parker* parker = &own_parker;          // where the blocked thread sleeps
    detail::SelectGroup* group = nullptr;  // the select this waiter belongs to, if any
    T* outgoing = nullptr;                 // sender: the value to hand over
    bool may_defer = false;                // buffered send(): its wake-up may be deferred
    Waiter* next = nullptr;
    // The value handed over: where a receiver's value lands (unbuffered), or
    // where a parked unbuffered send() keeps its own (outgoing points at it).
    std::optional<T> value;

    Waiter() = default;
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;

    // Only one waiter of a select may complete; a plain waiter always may.
    bool claim() { return group == nullptr || group->claim(case_index); }
    void wake() { parker->unpark(); }  // publishes outcome (and the value) to the parked thread
    void park() { parker->park(); }
  };

  // FIFO of waiters (intrusive; removal from the middle is for timeouts and
  // selects only).
  struct WaitQueue {
    Waiter* head = nullptr;
    Waiter* tail = nullptr;

    bool empty() const { return head == nullptr; }
    void push(Waiter* w) {
      GO_DCHECK(!w->queued);  // a waiter is in at most one queue, once
      w->queued = true;
      w->next = nullptr;
      (tail ? tail->next : head) = w;
      tail = w;
    }
    Waiter* pop() {
      Waiter* w = head;
      if (w) {
        head = w->next;
        if (!head) tail = nullptr;
        w->queued = false;
      }
      return w;
    }
    // Pops waiters until one can be claimed; stale select waiters (their
    // select already won elsewhere) are dropped on the way.
    Waiter* pop_claimed() {
      while (Waiter* w = pop()) {
        if (w->claim()) return w;
      }
      return nullptr;
    }
    void remove(Waiter* w) {
      Waiter* prev = nullptr;
      for (Waiter* it = head; it; prev = it, it = it->next) {
        if (it != w) continue;
        (prev ? prev->next : head) = w->next;
        if (tail == w) tail = prev;
        w->queued = false;
        return;
      }
    }
  };

  // Waiters to wake once the lock is released, linked through `next` (each is
  // out of its queue already).
  struct Wakeups {
    Waiter* head = nullptr;
    void add(Waiter* w, Outcome outcome) {
      w->outcome = outcome;
      w->next = head;
      head = w;
    }
    void wake() {
      while (Waiter* w = head) {
        head = w->next;  // read before wake(): the woken thread may return at once
        w->wake();
      }
    }
  };

  struct State {
    explicit State(std::size_t capacity) : cap(capacity) {
      if (capacity > 0) ring.emplace(capacity);
    }
    SpinMutex mu;
    const std::size_t cap;
    bool closed GO_GUARDED_BY(mu) = false;
    WaitQueue receivers GO_GUARDED_BY(mu);
    WaitQueue senders GO_GUARDED_BY(mu);
    WaitQueue deferred GO_GUARDED_BY(mu);  // senders done, their wake-up deferred (buffered only)
    std::optional<detail::BoundedRing<T>> ring;  // buffered channels only; lock-free

    // Takes a waiter out of its queue (if still there). A buffered channel
    // whose queue runs empty disarms the ring's wake-up bit, so peers go back
    // to the fast path.
    void dequeue(Waiter* w) GO_REQUIRES(mu) {
      if (!w->queued) return;
      WaitQueue& queue = w->outgoing ? senders : receivers;
      queue.remove(w);
      if (ring && queue.empty()) disarm(queue);
    }
    // Queues a waiter of a buffered channel and arms the ring's wake-up bit.
    // false (and the waiter is not queued): the ring is no longer full
    // (empty), or is closed: look again instead of parking.
    bool enqueue_armed(Waiter* w) GO_REQUIRES(mu) {
      const bool sender = w->outgoing != nullptr;
      (sender ? senders : receivers).push(w);
      if (sender ? ring->arm_sender_wakeup() : ring->arm_receiver_wakeup()) return true;
      dequeue(w);
      return false;
    }
    void disarm(const WaitQueue& queue) GO_REQUIRES(mu) {
      if (&queue == &senders) {
        ring->disarm_sender_wakeup();
      } else {
        ring->disarm_receiver_wakeup();
      }
    }
  };

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
      buffered_send(s, value);
      return;
    }
    SpinLock lock(s.mu);
    if (send_now(s, value, [&] { lock.unlock_in_callee(); })) return;
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
      buffered_recv(s, out);
      return out;
    }
    SpinLock lock(s.mu);
    if (recv_now(s, out, [&] { lock.unlock_in_callee(); })) return out;
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
    if (s.ring) return buffered_try_send(s, value, kWaitInProgress) ? ChanStatus::ok : ChanStatus::full;
    SpinLock lock(s.mu);
    return send_now(s, value, [&] { lock.unlock_in_callee(); }) ? ChanStatus::ok : ChanStatus::full;
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
      finished = buffered_try_recv(s, result.value, kWaitInProgress);
    } else {
      SpinLock lock(s.mu);
      finished = recv_now(s, result.value, [&] { lock.unlock_in_callee(); });
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
      if (s.ring && buffered_try_send(s, value)) return ChanStatus::ok;  // (takes the lock only to wake)
      SpinLock lock(s.mu);
      if (!s.ring && send_now(s, value, [&] { lock.unlock_in_callee(); })) return ChanStatus::ok;
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
      bool finished = s.ring && buffered_try_recv(s, result.value);  // (takes the lock only to wake)
      SpinLock lock(s.mu);
      if (!finished && !s.ring) finished = recv_now(s, result.value, [&] { lock.unlock_in_callee(); });
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
    WaitQueue released;
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

  // --- The select protocol: what go::select (phase 03) needs, not for users.
  // Every call but select_mutex() and select_version() requires
  // select_mutex() to be held. go::select locks a set of channels only known
  // at run time, which clang's analysis cannot follow: these entry points
  // opt out of it (GO_NO_THREAD_SAFETY_ANALYSIS), and the rule is checked by
  // the select tests instead.
  using SelectWaiter = Waiter;
  SpinMutex* select_mutex() const { return state_ ? &state_->mu : nullptr; }
  template <class Unlock>
  bool select_send_now(T& value, Unlock&& unlock) GO_NO_THREAD_SAFETY_ANALYSIS {
    State& s = *state_;
    if (!s.ring) return send_now(s, value, std::forward<Unlock>(unlock));
    const auto status = s.ring->try_push(value, kWaitInProgress);
    if (status == Ring::Status::closed) throw panic("send on closed channel");
    if (status == Ring::Status::full_or_empty) return false;
    Wakeups wakeups;
    if (status == Ring::Status::ok_wake_peer) after_push_locked(s, wakeups);
    unlock();
    wakeups.wake();
    return true;
  }
  template <class Unlock>
  bool select_recv_now(std::optional<T>& out, Unlock&& unlock) GO_NO_THREAD_SAFETY_ANALYSIS {
    State& s = *state_;
    if (!s.ring) return recv_now(s, out, std::forward<Unlock>(unlock));
    const auto status = s.ring->try_pop(out, kWaitInProgress);
    if (status == Ring::Status::full_or_empty) return false;
    Wakeups wakeups;
    if (status == Ring::Status::ok_wake_peer) after_pop_locked(s, wakeups);
    unlock();
    wakeups.wake();
    return true;  // a value, or closed and drained
  }
  // Queue a select's waiter. false: a buffered channel's ring changed since
  // the poll (it moves without the lock) and the case may be ready now: the
  // waiter was not queued; poll again.
  bool select_enqueue_send(Waiter* w) GO_NO_THREAD_SAFETY_ANALYSIS {
    return enqueue_for_select(w, state_->senders);
  }
  bool select_enqueue_recv(Waiter* w) GO_NO_THREAD_SAFETY_ANALYSIS {
    return enqueue_for_select(w, state_->receivers);
  }
  void select_dequeue(Waiter* w) GO_NO_THREAD_SAFETY_ANALYSIS {  // no-op if a peer already took it out
    state_->dequeue(w);
  }
  // Changes whenever a buffered value moves or the channel closes (no lock
  // needed). A select that found no case ready reads every channel's version
  // before and after its poll: equal readings mean the poll saw one instant.
  // Unbuffered channels change only under their lock: always 0.
  std::uint64_t select_version() const { return state_ && state_->ring ? state_->ring->version() : 0; }

 private:
  using Ring = detail::BoundedRing<T>;

  // --- Buffered channels: the ring, and the waiters for when it is full or empty.

  // What a thread that finds the ring full (empty) does before it parks: a
  // few looks a short pause apart. A running peer makes room (or sends)
  // within nanoseconds; four looks with 1, 2, 4, 4 pauses take ~0.3 us here (a
  // pause is ~25 ns on these AMD cores). Longer spins pay only when the peer
  // is sure to be running: with more threads than cores it may be queued
  // behind us on this very core, and a spinner burns the time it needs
  // (measured: ~10 us of spinning made the 3-thread select fan-in of
  // bench/03-select ~2x slower). sched_yield() was tried too: under Linux's
  // EEVDF scheduler a yield can cost the yielder a whole time slice, and it
  // made the 2-producer/2-consumer benchmark erratic (30 to 250 ns per item).
  // The parker spins a little more after that (go/parker.hpp).
  static constexpr int kSpinLooks = 4;
  template <class TryOnce>
  static bool spin_until(TryOnce&& try_once) {
    for (int look = 0; look < kSpinLooks; ++look) {
      for (int i = 0, pauses = 1 << (look < 2 ? look : 2); i < pauses; ++i) detail::cpu_relax();
      if (try_once()) return true;
    }
    return false;
  }

  void buffered_send(State& s, T& value) {
    for (;;) {
      if (buffered_try_send(s, value)) return;
      if (spin_until([&] { return buffered_try_send(s, value); })) return;
      Waiter me;
      me.outgoing = &value;
      me.may_defer = true;
      {
        SpinLock lock(s.mu);
        if (!s.enqueue_armed(&me)) continue;  // room (or closed) after all
      }
      park_deferrable(s, me);
      if (me.outcome == Outcome::done) return;  // a receiver moved our value into the ring
      if (me.outcome == Outcome::closed) throw panic("send on closed channel");
    }
  }

  // How long a sender sleeps before it looks for itself among the deferred
  // (doubling while it is still blocked, so a send blocked for a second wakes
  // a dozen times in all). Long against the half ring a running receiver
  // takes (~1024 x 30 ns), short against anything a program would notice.
  static constexpr std::chrono::microseconds kFirstDeferredCheck{200};
  static constexpr std::size_t kSpinFreeCapacity = 64;

  // Parks a queued plain sender until it is woken, or until it finds, on a
  // timeout, that a receiver completed it and deferred its wake-up.
  static void park_deferrable(State& s, Waiter& me) {
    for (std::chrono::nanoseconds timeout = kFirstDeferredCheck;; timeout *= 2) {
      // A deferred wake-up comes after half a ring of receives: spinning for
      // it would only take CPU from the receivers (a small ring is the exception).
      if (me.parker->park_for(timeout, /*spin=*/s.cap < kSpinFreeCapacity)) return;  // woken: outcome is set
      SpinLock lock(s.mu);
      if (me.outcome == Outcome::pending) continue;  // still blocked
      if (me.queued) {  // in s.deferred: take ourselves out, our send is done
        s.deferred.remove(&me);
        if (s.deferred.empty()) s.ring->clear_deferred_wakeup();
        return;
      }
      lock.unlock();  // someone took us out of the queue and is about to wake us
      me.park();
      return;
    }
  }

  void buffered_recv(State& s, std::optional<T>& out) {
    for (;;) {
      if (buffered_try_recv(s, out)) return;
      if (spin_until([&] { return buffered_try_recv(s, out); })) return;
      Waiter me;
      Wakeups wakeups;
      {
        SpinLock lock(s.mu);
        if (!s.enqueue_armed(&me)) continue;  // a value (or close) after all
        // The ring is empty, so any deferred wake-up is due (the receiver whose
        // claim got there may have claimed before the wake-up was filed).
        if (!s.deferred.empty()) after_pop_locked(s, wakeups);
      }
      wakeups.wake();
      me.park();  // retry: a sender published, or close() came
      GO_DCHECK(me.outcome == Outcome::retry);
    }
  }

  // The operations that answer "not now" to their caller (try_send, try_recv,
  // a select's poll) must not say full/empty because of a peer that is
  // half-way through its move: kWaitInProgress makes the ring wait for it.
  // The blocking ones look again anyway and skip the extra read (see
  // bounded_ring.hpp, wait_in_progress).
  static constexpr bool kWaitInProgress = true;

  // One attempt, without the lock. True when sent. Panics on a closed channel.
  static bool buffered_try_send(State& s, T& value, bool wait_in_progress = false) {
    switch (s.ring->try_push(value, wait_in_progress)) {
      case Ring::Status::ok: return true;
      case Ring::Status::ok_wake_peer: wake_one(s, &Chan::after_push_locked); return true;
      case Ring::Status::closed: throw panic("send on closed channel");
      default: return false;
    }
  }
  // One attempt, without the lock. True when done: a value, or closed and drained.
  static bool buffered_try_recv(State& s, std::optional<T>& out, bool wait_in_progress = false) {
    switch (s.ring->try_pop(out, wait_in_progress)) {
      case Ring::Status::ok: return true;
      case Ring::Status::ok_wake_peer: wake_one(s, &Chan::after_pop_locked); return true;
      case Ring::Status::closed: return true;
      default: return false;
    }
  }

  static void wake_one(State& s, void (*after_locked)(State&, Wakeups&)) {
    Wakeups wakeups;
    {
      SpinLock lock(s.mu);
      after_locked(s, wakeups);
    }
    wakeups.wake();
  }
  // A value entered the ring: one waiting receiver should look again.
  static void after_push_locked(State& s, Wakeups& wakeups) GO_REQUIRES(s.mu) {
    if (Waiter* receiver = s.receivers.pop_claimed()) wakeups.add(receiver, Outcome::retry);
    if (s.receivers.empty()) s.disarm(s.receivers);
  }
  // A slot came free: complete a waiting sender by moving its value in (Go's
  // hand-off: its send has happened), and defer its wake-up if it allows. If
  // a faster sender took the slot, the waiter looks again. Also wakes the
  // deferred senders once their wake-up is due.
  static void after_pop_locked(State& s, Wakeups& wakeups) GO_REQUIRES(s.mu) {
    if (!s.deferred.empty() && s.ring->deferred_wakeup_due()) {
      while (Waiter* w = s.deferred.pop()) wakeups.add(w, Outcome::done);
      s.ring->clear_deferred_wakeup();
    }
    Waiter* sender = s.senders.pop_claimed();
    if (s.senders.empty()) s.disarm(s.senders);
    if (!sender) return;
    const auto pushed = s.ring->try_push(*sender->outgoing);
    if (pushed == Ring::Status::ok || pushed == Ring::Status::ok_wake_peer) {
      if (sender->may_defer) {
        sender->outcome = Outcome::done;
        s.deferred.push(sender);
        s.ring->defer_sender_wakeup(std::max<std::size_t>(1, s.cap / 2));
      } else {
        wakeups.add(sender, Outcome::done);
      }
      if (pushed == Ring::Status::ok_wake_peer) after_push_locked(s, wakeups);
    } else {
      wakeups.add(sender, Outcome::retry);  // a faster sender took the slot
    }
  }

  bool enqueue_for_select(Waiter* w, WaitQueue& queue) GO_NO_THREAD_SAFETY_ANALYSIS {  // (see the select protocol)
    if (!state_->ring) {
      queue.push(w);
      return true;
    }
    return state_->enqueue_armed(w);
  }

  // --- Unbuffered channels: Go's runtime design.

  // Sends without waiting if possible (a waiting receiver). True when sent;
  // moves from value only then. Called with the channel locked; releases it
  // by calling unlock() (a select passes one that releases all its channels).
  // Throws go::panic on a closed channel.
  //
  // The value and the outcome are written before wake(), which publishes them;
  // wake() comes before unlock() so that the receiver, spinning on its own
  // waiter, is released as early as possible: the waiter is already out of
  // the queue, so nothing else can reach it, and we never touch it again.
  template <class Unlock>
  static bool send_now(State& s, T& value, Unlock&& unlock) GO_REQUIRES(s.mu) {
    if (s.closed) throw panic("send on closed channel");
    if (Waiter* receiver = s.receivers.pop_claimed()) {
      receiver->value.emplace(std::move(value));  // straight into its waiter
      receiver->outcome = Outcome::done;
      receiver->wake();
      unlock();
      return true;
    }
    return false;
  }

  // Receives without waiting if possible (a waiting sender). True when done:
  // out holds the value, or stays empty because the channel is closed. Same
  // locking rules as send_now.
  template <class Unlock>
  static bool recv_now(State& s, std::optional<T>& out, Unlock&& unlock) GO_REQUIRES(s.mu) {
    if (Waiter* sender = s.senders.pop_claimed()) {  // take it from the sender's hands
      out.emplace(std::move(*sender->outgoing));
      sender->outcome = Outcome::done;
      sender->wake();
      unlock();
      return true;
    }
    return s.closed;  // closed: done, with nothing
  }

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
