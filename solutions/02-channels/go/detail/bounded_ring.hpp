// go::detail::BoundedRing<T>: the buffer of the reference go::Chan. A
// fixed-capacity FIFO that many senders and receivers use at once without a
// lock (Dmitry Vyukov's bounded MPMC queue), extended with what a channel
// needs: a closed bit, and "somebody is parked" bits that tell the other side
// when, and only when, it has to wake someone.
// Prior art: the slot stamps are Vyukov's; keeping the closed bit in `tail`,
// so that the CAS which claims a position also sees the close, is the
// "mark bit" of crossbeam-channel's array flavour (Rust).
//
// Positions. Positions count up forever; a position is lap * lap_ + index,
// where index is the slot. Each slot carries a stamp that says whose turn it
// is:
//   stamp == p       the slot is free for the sender at position p;
//   stamp == p + 1   it holds the value sent at position p, for the receiver
//                    at p, who then sets stamp = p + lap_ (free for the sender
//                    one lap later).
// A sender claims position `tail` with a compare-and-swap, writes its value and
// publishes it with the stamp; a receiver does the same with `head`. Between a
// claim and its stamp the slot is "in progress". The claim is the moment the
// operation happens (it fixes the FIFO order), so an answer of "full" or
// "empty" must not be caused by a slot in progress: with wait_in_progress, a
// sender finding the next slot still held by a receiver that has claimed it,
// or a receiver finding the next slot claimed but not yet filled, waits for
// that peer to finish its move, as it would wait for a lock holder. Without
// the wait, a try_send could fail with len() < cap (two receivers, the first
// preempted mid-move, the second done), which Go's channel never does. The
// blocking operations do not need it (they look again anyway) and skip it:
// telling the two cases apart reads the other side's word, a cache miss on
// the hot path of a full (empty) ring.
//
// Flag bits, kept in the same words as the positions so that the CAS that
// claims a position also reads them, at no extra cost:
//   tail | kClosed    closed: every later send fails (and sees why), and a
//                     receiver that finds the ring empty knows it is drained;
//   tail | kWaiting   a receiver may be parked: the sender that claims the next
//                     position must wake one after publishing;
//   head | kWaiting   a sender may be parked: the receiver that frees the next
//                     slot must wake one;
//   head | kDeferred  senders whose values a receiver already moved in wait
//                     only for their wake-up, which is due once the receivers
//                     have taken deferred_wake_at_ values in all: the
//                     receiver whose claim gets there wakes them (Status
//                     ok_wake_peer). See "Deferred wake-ups" in go/chan.hpp.
// A thread about to park sets its bit with a CAS that succeeds only if the
// ring is still empty (full) at that instant: from then on the claim of every
// later peer sees the bit, so no wake-up can be lost, and the fast path needs
// no fence and no extra read. The channel clears a bit (under its lock) when
// its queue of parked waiters runs empty.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <thread>
#include <utility>

#include "go/chaos_point.hpp"
#include "go/detail/futex.hpp"  // cpu_relax

namespace go::detail {

template <class T>
class BoundedRing {
  // A send claims its position first and moves the value in second; a move
  // that threw in between would leave the position claimed and never
  // published, and every receiver after it stuck. Go has no such thing.
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "go::Chan<T> with a buffer needs a T whose move constructor is noexcept");

 public:
  enum class Status {
    ok,              // done, and nobody on the other side is parked
    ok_wake_peer,    // done, and the other side may have a parked waiter to wake
                     // (a pop: or deferred wake-ups are due)
    full_or_empty,   // nothing to do now (full for a push, empty for a pop)
    closed,          // push: the channel is closed; pop: closed and drained
  };

  explicit BoundedRing(std::size_t capacity)
      : capacity_(capacity), lap_(std::bit_ceil(capacity + 1)), slots_(new Slot[capacity]) {
    for (std::size_t i = 0; i < capacity; ++i) slots_[i].stamp.store(i, std::memory_order_relaxed);
  }
  BoundedRing(const BoundedRing&) = delete;
  BoundedRing& operator=(const BoundedRing&) = delete;
  ~BoundedRing() {
    // Destroy what was sent and never received (nobody else is left).
    std::uint64_t h = position(head_.load(std::memory_order_relaxed));
    const std::uint64_t t = position(tail_.load(std::memory_order_relaxed));
    for (; h != t; h = next(h)) slot_at(h).value()->~T();
  }

  // Moves from value only when it returns ok or ok_wake_peer.
  Status try_push(T& value, bool wait_in_progress = false) {
    // Tests only: values move without a lock, so widen the window around each
    // move, even under a select's locks (which do not stop it).
    GO_CHAOS_POINT_UNDER_LOCKS();
    std::uint64_t t = tail_.load(std::memory_order_relaxed);
    for (;;) {
      if (t & kClosed) return Status::closed;
      const std::uint64_t p = position(t);
      Slot& slot = slot_at(p);
      const std::uint64_t stamp = slot.stamp.load(std::memory_order_acquire);
      if (stamp == p) {  // free for position p: claim it, keeping the flag bits
        // acquire: if we see a receiver's waiting bit, we also see it queued.
        if (tail_.compare_exchange_weak(t, next(p) | (t & kFlags), std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
          ::new (static_cast<void*>(slot.storage)) T(std::move(value));
          slot.stamp.store(p + 1, std::memory_order_release);  // publish
          return (t & kWaiting) ? Status::ok_wake_peer : Status::ok;
        }
        continue;  // lost the race (t was reloaded)
      }
      if (stamp + lap_ == p + 1) {  // last lap's value is still here
        // Its receiver has not claimed it: full. Claimed: it is being moved out.
        if (!wait_in_progress || position(head_.load(std::memory_order_acquire)) + lap_ == p) {
          return Status::full_or_empty;
        }
        wait_while_stamp_is(slot, stamp);
      }
      t = tail_.load(std::memory_order_relaxed);  // look again
    }
  }

  // On ok/ok_wake_peer, out (an optional) holds the value.
  template <class Optional>
  Status try_pop(Optional& out, bool wait_in_progress = false) {
    GO_CHAOS_POINT_UNDER_LOCKS();
    std::uint64_t h = head_.load(std::memory_order_relaxed);
    for (;;) {
      const std::uint64_t p = position(h);
      Slot& slot = slot_at(p);
      const std::uint64_t stamp = slot.stamp.load(std::memory_order_acquire);
      if (stamp == p + 1) {  // holds the value sent at position p: claim it
        if (head_.compare_exchange_weak(h, next(p) | (h & kFlags), std::memory_order_acquire,
                                        std::memory_order_relaxed)) {
          T* value = slot.value();
          out.emplace(std::move(*value));
          value->~T();
          slot.stamp.store(p + lap_, std::memory_order_release);  // free for the next lap's sender
          if (h & kWaiting) return Status::ok_wake_peer;
          // The bit was set (release) after deferred_wake_at_, and our claim read it (acquire).
          if ((h & kDeferred) && linear(next(p)) >= deferred_wake_at_.load(std::memory_order_relaxed)) {
            return Status::ok_wake_peer;
          }
          return Status::ok;
        }
        continue;
      }
      if (stamp == p) {  // nothing published at p: empty, or a sender is mid-way
        const std::uint64_t t = tail_.load(std::memory_order_acquire);
        if (position(t) == p) return (t & kClosed) ? Status::closed : Status::full_or_empty;
        if (!wait_in_progress) return Status::full_or_empty;
        wait_while_stamp_is(slot, stamp);  // claimed by a sender that is moving its value in
      }
      h = head_.load(std::memory_order_relaxed);  // look again
    }
  }

  // A receiver is about to park: sets tail's waiting bit if the ring is empty
  // and open right now, and says whether it may park (true). false: a value
  // is there or on its way, or the ring is closed: look again instead.
  bool arm_receiver_wakeup() {
    const std::uint64_t h = position(head_.load(std::memory_order_acquire));
    std::uint64_t t = tail_.load(std::memory_order_acquire);
    if ((t & kClosed) || position(t) != h) return false;
    if (t & kWaiting) return true;  // already armed by another waiter
    return tail_.compare_exchange_strong(t, t | kWaiting, std::memory_order_acq_rel);
  }
  // A sender is about to park: sets head's waiting bit if the ring is full
  // right now. false: there is room (or soon will be), or the ring is closed.
  bool arm_sender_wakeup() {
    std::uint64_t h = head_.load(std::memory_order_acquire);
    const std::uint64_t t = tail_.load(std::memory_order_acquire);
    if ((t & kClosed) || position(t) != position(h) + lap_) return false;
    if (h & kWaiting) return true;
    return head_.compare_exchange_strong(h, h | kWaiting, std::memory_order_acq_rel);
  }
  // The channel's queue of parked receivers (senders) ran empty.
  void disarm_receiver_wakeup() { tail_.fetch_and(~kWaiting, std::memory_order_relaxed); }
  void disarm_sender_wakeup() { head_.fetch_and(~kWaiting, std::memory_order_relaxed); }

  // Deferred wake-ups (the channel calls these under its lock). defer_sender_wakeup:
  // a sender's value went in, and it is to be woken once the receivers have
  // taken `more` further values (if no wake-up is pending yet; else the earlier
  // due point stands). deferred_wakeup_due: that point is reached.
  // clear_deferred_wakeup: the channel woke them all.
  void defer_sender_wakeup(std::uint64_t more) {
    if (head_.load(std::memory_order_relaxed) & kDeferred) return;
    deferred_wake_at_.store(linear(position(head_.load(std::memory_order_relaxed))) + more, std::memory_order_relaxed);
    head_.fetch_or(kDeferred, std::memory_order_release);
  }
  bool deferred_wakeup_due() const {
    return linear(position(head_.load(std::memory_order_acquire))) >= deferred_wake_at_.load(std::memory_order_relaxed);
  }
  void clear_deferred_wakeup() { head_.fetch_and(~kDeferred, std::memory_order_relaxed); }

  // Sets the closed bit (the channel makes sure it happens once).
  void close() { tail_.fetch_or(kClosed, std::memory_order_acq_rel); }

  // A number that grows with every claimed position on either side and with
  // close(), and changes at no other time: a select reads it before and after
  // it polls, and equal readings prove that the ring stood still in between
  // (each word only grows, so equal sums mean equal words). seq_cst: the
  // readings and the poll between them must not be reordered.
  std::uint64_t version() const {
    const std::uint64_t h = head_.load(std::memory_order_seq_cst);
    const std::uint64_t t = tail_.load(std::memory_order_seq_cst);
    return position(h) + position(t) + ((t & kClosed) ? 1 : 0);
  }

  // Values buffered now (a snapshot: it may be stale by the time it returns).
  std::size_t size() const {
    for (;;) {
      const std::uint64_t t = position(tail_.load(std::memory_order_acquire));
      const std::uint64_t h = position(head_.load(std::memory_order_acquire));
      if (position(tail_.load(std::memory_order_acquire)) != t) continue;  // moved: read again
      const std::uint64_t items = linear(t) - linear(h);
      return items > capacity_ ? capacity_ : static_cast<std::size_t>(items);
    }
  }

 private:
  static constexpr std::uint64_t kClosed = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kWaiting = std::uint64_t{1} << 62;
  static constexpr std::uint64_t kDeferred = std::uint64_t{1} << 61;  // head only
  static constexpr std::uint64_t kFlags = kClosed | kWaiting | kDeferred;

  struct Slot {
    std::atomic<std::uint64_t> stamp;
    alignas(T) unsigned char storage[sizeof(T)];
    T* value() { return std::launder(reinterpret_cast<T*>(storage)); }
  };

  static std::uint64_t position(std::uint64_t word) { return word & ~kFlags; }

  // A peer claimed this slot and is moving a value in or out (a T move, which
  // cannot throw): wait for its stamp, spinning first, then yielding in case
  // the peer was preempted.
  static void wait_while_stamp_is(const Slot& slot, std::uint64_t stamp) {
    for (int spins = 0; slot.stamp.load(std::memory_order_acquire) == stamp; ++spins) {
      if (spins < 64) {
        cpu_relax();
      } else {
        std::this_thread::yield();
      }
    }
  }
  Slot& slot_at(std::uint64_t p) const { return slots_[p & (lap_ - 1)]; }
  // The position after p: the next index, or index 0 of the next lap.
  std::uint64_t next(std::uint64_t p) const {
    const std::uint64_t index = p & (lap_ - 1);
    return index + 1 < capacity_ ? p + 1 : (p - index) + lap_;
  }
  // How many positions come before p.
  std::uint64_t linear(std::uint64_t p) const { return (p / lap_) * capacity_ + (p & (lap_ - 1)); }

  const std::size_t capacity_;
  // A power of two > capacity. Strictly greater, so the stamp p + 1 of a
  // published value is never the position next(p) of the following send
  // (with lap_ == capacity == 1 it would be).
  const std::uint64_t lap_;
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<std::uint64_t> tail_{0};  // senders' word
  alignas(64) std::atomic<std::uint64_t> head_{0};  // receivers' word
  // Written under the channel's lock before kDeferred is set; read by the
  // receivers that see the bit. Beside head_: they have that line anyway.
  std::atomic<std::uint64_t> deferred_wake_at_{0};
  char pad_[64 - 2 * sizeof(std::atomic<std::uint64_t>)]{};
};

}  // namespace go::detail
