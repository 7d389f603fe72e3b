// The reference go::Chan's waiters: a goroutine blocked on a channel (Go's
// sudog), the FIFO queue it waits in, and the list of waiters to wake once
// the channel's lock is released. Shared by both designs (go/chan.hpp) and by
// go::select, whose waiters are these too (go/detail/chan_select_port.hpp).
#pragma once

#include <cstdint>
#include <optional>

#include "go/dcheck.hpp"
#include "go/detail/select_group.hpp"
#include "go/parker.hpp"

namespace go::detail {

// How a parked waiter's operation ended; set by whoever woke it.
enum class WaitOutcome : std::uint8_t {
  pending,    // still waiting
  done,       // transferred: a value was handed to or taken from it
  closed,     // close() released it
  retry,      // buffered channel: the ring changed, look again
  timed_out,  // its deadline's timer released it
};

// A goroutine blocked on a channel. Lives on the blocked thread's stack, or
// on the heap when a timer may still refer to it. A waiter of a select
// (group != nullptr) shares the group's parker, and must be claimed before it
// is completed (see go/detail/select_group.hpp).
//
// One cache line for what a hand-off touches (for small T): the waker
// writes the value, the outcome and the parker's state, and the parked
// thread, spinning on that state, reads them all with one cache miss.
template <class T>
struct alignas(64) ChanWaiter {
  using Outcome = WaitOutcome;

  Parker own_parker;
  Outcome outcome = Outcome::pending;  // written before wake(), read after park()
  bool queued = false;                 // still in a queue (guarded by the channel's lock)
  int case_index = -1;                 // its case in its select
  Parker* parker = &own_parker;        // where the blocked thread sleeps
  SelectGroup* group = nullptr;        // the select this waiter belongs to, if any
  T* outgoing = nullptr;               // sender: the value to hand over
  bool may_defer = false;              // buffered send(): its wake-up may be deferred
  ChanWaiter* next = nullptr;
  // The value handed over: where a receiver's value lands (unbuffered), or
  // where a parked unbuffered send() keeps its own (outgoing points at it).
  std::optional<T> value;

  ChanWaiter() = default;
  ChanWaiter(const ChanWaiter&) = delete;
  ChanWaiter& operator=(const ChanWaiter&) = delete;

  // Only one waiter of a select may complete; a plain waiter always may.
  bool claim() { return group == nullptr || group->claim(case_index); }
  void wake() { parker->unpark(); }  // publishes outcome (and the value) to the parked thread
  void park() { parker->park(); }
};

// FIFO of waiters (intrusive; removal from the middle is for timeouts and
// selects only). Guarded by the channel's lock.
template <class T>
struct WaitQueue {
  using Waiter = ChanWaiter<T>;

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
template <class T>
struct Wakeups {
  using Waiter = ChanWaiter<T>;

  Waiter* head = nullptr;
  void add(Waiter* w, WaitOutcome outcome) {
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

}  // namespace go::detail
