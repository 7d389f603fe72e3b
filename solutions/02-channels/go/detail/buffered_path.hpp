// The reference go::Chan's buffered design (capacity > 0). The values live
// in a lock-free ring (go/detail/bounded_ring.hpp), so a send into a channel
// with room and a receive from one with values take no lock at all: senders
// and receivers touch different cache lines, and one lock no longer
// serialises them. The lock and the waiter queues remain for the slow path
// only.
//
// A thread that finds the ring full (or empty) spins a little, then queues a
// waiter and "arms" the ring: a bit in the ring's tail (head) word, set only
// if the ring is still empty (full) at that instant. The next peer's claim
// reads the bit with the same CAS that claims its position, so it knows, for
// free, that it must wake one waiter: a receiver that frees a slot moves a
// parked sender's value into the ring for it (Go's hand-off: that send has
// happened); a sender that publishes a value tells one parked receiver to
// look again. A woken thread whose chance was taken by a faster one simply
// waits again, so a new arrival may overtake a parked sender (the spec
// promises FIFO for values, not for blocked goroutines).
//
// Deferred wake-ups. A producer faster than its consumers keeps the ring
// full; if every receive then woke the parked sender it completed, the
// sender would send one value, find the ring full, park again, and each item
// would pay a hand-off and a wake-up on both sides (and with more threads
// than cores the spinning waiters would take the consumer's CPU). So a
// receiver that moves a plain send()'s value in (the send has happened, as
// in Go) files that sender as "deferred" instead of waking it, and the
// wake-up falls due once the receivers have taken another half ring of
// values: the sender then comes back to a half-empty ring and fills it in
// one run. That is only a scheduling delay of a thread whose operation is
// complete, and it is bounded: a deferred sender sleeps with a timeout and,
// when it runs out, finds its send done and returns by itself (so a consumer
// that stops receiving cannot strand it), and close() wakes every deferred
// sender. Selects and timed sends are never deferred.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>

#include "go/dcheck.hpp"
#include "go/detail/chan_state.hpp"
#include "go/detail/futex.hpp"  // cpu_relax
#include "go/panic.hpp"
#include "go/spin_mutex.hpp"
#include "go/thread_annotations.hpp"

namespace go::detail {

template <class T>
struct BufferedPath {
  using State = ChanState<T>;
  using Waiter = ChanWaiter<T>;
  using Outcome = WaitOutcome;
  using Ring = BoundedRing<T>;

  // The operations that answer "not now" to their caller (try_send, try_recv,
  // a select's poll) must not say full/empty because of a peer that is
  // half-way through its move: kWaitInProgress makes the ring wait for it.
  // The blocking ones look again anyway and skip the extra read (see
  // bounded_ring.hpp, wait_in_progress).
  static constexpr bool kWaitInProgress = true;

  // What a thread that finds the ring full (empty) does before it parks: a
  // few looks a short pause apart, since a running peer makes room (or sends)
  // within nanoseconds. Longer spins pay only when the peer is sure to be
  // running: with more threads than cores it may be queued behind us on this
  // very core, and a spinner burns the time it needs. sched_yield() is no
  // better: a yield can cost the yielder a whole time slice. The parker spins
  // a little more after that (go/parker.hpp). The measurements behind these
  // choices: bench/02-channels/RESULTS.md.
  static constexpr int kSpinLooks = 4;
  template <class TryOnce>
  static bool spin_until(TryOnce&& try_once) {
    for (int look = 0; look < kSpinLooks; ++look) {
      for (int i = 0, pauses = 1 << (look < 2 ? look : 2); i < pauses; ++i) cpu_relax();
      if (try_once()) return true;
    }
    return false;
  }

  static void send(State& s, T& value) {
    for (;;) {
      if (try_send(s, value)) return;
      if (spin_until([&] { return try_send(s, value); })) return;
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

  static void recv(State& s, std::optional<T>& out) {
    for (;;) {
      if (try_recv(s, out)) return;
      if (spin_until([&] { return try_recv(s, out); })) return;
      Waiter me;
      Wakeups<T> wakeups;
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

  // One attempt, without the lock. True when sent. Panics on a closed channel.
  static bool try_send(State& s, T& value, bool wait_in_progress = false) {
    switch (s.ring->try_push(value, wait_in_progress)) {
      case Ring::Status::ok: return true;
      case Ring::Status::ok_wake_peer: wake_one(s, &BufferedPath::after_push_locked); return true;
      case Ring::Status::closed: throw panic("send on closed channel");
      case Ring::Status::full_or_empty: return false;
    }
    return false;
  }
  // One attempt, without the lock. True when done: a value, or closed and drained.
  static bool try_recv(State& s, std::optional<T>& out, bool wait_in_progress = false) {
    switch (s.ring->try_pop(out, wait_in_progress)) {
      case Ring::Status::ok: return true;
      case Ring::Status::ok_wake_peer: wake_one(s, &BufferedPath::after_pop_locked); return true;
      case Ring::Status::closed: return true;
      case Ring::Status::full_or_empty: return false;
    }
    return false;
  }

  // A value entered the ring: one waiting receiver should look again.
  static void after_push_locked(State& s, Wakeups<T>& wakeups) GO_REQUIRES(s.mu) {
    if (Waiter* receiver = s.receivers.pop_claimed()) wakeups.add(receiver, Outcome::retry);
    if (s.receivers.empty()) s.disarm(s.receivers);
  }
  // A slot came free: complete a waiting sender by moving its value in (Go's
  // hand-off: its send has happened), and defer its wake-up if it allows. If
  // a faster sender took the slot, the waiter looks again. Also wakes the
  // deferred senders once their wake-up is due.
  static void after_pop_locked(State& s, Wakeups<T>& wakeups) GO_REQUIRES(s.mu) {
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

 private:
  static void wake_one(State& s, void (*after_locked)(State&, Wakeups<T>&)) {
    Wakeups<T> wakeups;
    {
      SpinLock lock(s.mu);
      after_locked(s, wakeups);
    }
    wakeups.wake();
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
};

}  // namespace go::detail
