// The reference go::Chan's unbuffered design (capacity 0), Go's runtime
// design (runtime/chan.go): one lock per channel guards two FIFO queues of
// blocked goroutines. A send that finds a receiver waiting hands the value
// straight into that receiver's waiter and wakes it; a receive that finds a
// sender waiting takes the value from the sender's hands. Only a thread that
// really waits is ever woken, each on its own go::Parker.
#pragma once

#include <optional>
#include <utility>

#include "go/detail/chan_state.hpp"
#include "go/panic.hpp"
#include "go/thread_annotations.hpp"

namespace go::detail {

template <class T>
struct UnbufferedPath {
  using State = ChanState<T>;
  using Waiter = ChanWaiter<T>;
  using Outcome = WaitOutcome;

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
};

}  // namespace go::detail
