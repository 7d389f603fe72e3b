// The state one go::Chan's handles share: the lock, the closed flag, the
// queues of blocked goroutines and, for a buffered channel, the lock-free
// ring. The rules for what the lock guards are in go/chan.hpp ("Invariants");
// clang's -Wthread-safety checks them through the annotations here.
#pragma once

#include <cstddef>
#include <optional>

#include "go/detail/bounded_ring.hpp"
#include "go/detail/chan_waiter.hpp"
#include "go/spin_mutex.hpp"
#include "go/thread_annotations.hpp"

namespace go::detail {

template <class T>
struct ChanState {
  using Waiter = ChanWaiter<T>;

  explicit ChanState(std::size_t capacity) : cap(capacity) {
    if (capacity > 0) ring.emplace(capacity);
  }
  // A go::SpinMutex: critical sections of a few dozen nanoseconds, so a
  // contended locker spins briefly instead of sleeping at once.
  SpinMutex mu;
  const std::size_t cap;
  bool closed GO_GUARDED_BY(mu) = false;
  WaitQueue<T> receivers GO_GUARDED_BY(mu);
  WaitQueue<T> senders GO_GUARDED_BY(mu);
  WaitQueue<T> deferred GO_GUARDED_BY(mu);  // senders done, their wake-up deferred (buffered only)
  std::optional<BoundedRing<T>> ring;       // buffered channels only; lock-free

  // Takes a waiter out of its queue (if still there). A buffered channel
  // whose queue runs empty disarms the ring's wake-up bit, so peers go back
  // to the fast path.
  void dequeue(Waiter* w) GO_REQUIRES(mu) {
    if (!w->queued) return;
    WaitQueue<T>& queue = w->outgoing ? senders : receivers;
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
  void disarm(const WaitQueue<T>& queue) GO_REQUIRES(mu) {
    if (&queue == &senders) {
      ring->disarm_sender_wakeup();
    } else {
      ring->disarm_receiver_wakeup();
    }
  }
};

}  // namespace go::detail
