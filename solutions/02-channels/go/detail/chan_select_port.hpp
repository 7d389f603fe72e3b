// go::detail::ChanSelectPort<T>: the one door through which go::select
// (phase 03) works on a channel, kept off go::Chan's public interface: a
// program that only sends and receives never sees it. go::Chan befriends
// this class and nothing else; only code that names go::detail reaches it.
//
//   detail::ChanSelectPort<int> port(ch);
//   SpinMutex* mu = port.mutex();  // nullptr for the nil channel
//   ... lock every case's mutex, in address order ...
//   if (port.recv_now(slot, unlock_all)) ...    // ready now: done, unlocked
//   if (!port.enqueue_recv(&waiter)) ...        // the ring moved: poll again
//   ... park; relock; port.dequeue(&waiter) ...
//
// Every call but mutex() and version() requires mutex() to be held.
// go::select locks a set of channels only known at run time, which clang's
// analysis cannot follow: these calls opt out of it
// (GO_NO_THREAD_SAFETY_ANALYSIS), and the rule is checked by the select
// tests instead.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "go/chan.hpp"
#include "go/detail/buffered_path.hpp"
#include "go/detail/chan_state.hpp"
#include "go/detail/unbuffered_path.hpp"
#include "go/panic.hpp"
#include "go/spin_mutex.hpp"
#include "go/thread_annotations.hpp"

namespace go::detail {

template <class T>
class ChanSelectPort {
 public:
  using Waiter = ChanWaiter<T>;  // one per case: group, parker, case_index, outgoing
  using Outcome = WaitOutcome;

  explicit ChanSelectPort(const Chan<T>& ch) : state_(ch.state_.get()) {}

  SpinMutex* mutex() const { return state_ ? &state_->mu : nullptr; }

  // Changes whenever a buffered value moves or the channel closes (no lock
  // needed). A select that found no case ready reads every channel's version
  // before and after its poll: equal readings mean the poll saw one instant.
  // Unbuffered channels change only under their lock: always 0.
  std::uint64_t version() const { return state_ && state_->ring ? state_->ring->version() : 0; }

  // Ready now? Then do it, call unlock() (which releases every lock the
  // select holds) and return true. A send on a closed channel panics.
  template <class Unlock>
  bool send_now(T& value, Unlock&& unlock) GO_NO_THREAD_SAFETY_ANALYSIS {
    State& s = *state_;
    if (!s.ring) return UnbufferedPath<T>::send_now(s, value, std::forward<Unlock>(unlock));
    const auto status = s.ring->try_push(value, Buffered::kWaitInProgress);
    if (status == Ring::Status::closed) throw panic("send on closed channel");
    if (status == Ring::Status::full_or_empty) return false;
    Wakeups<T> wakeups;
    if (status == Ring::Status::ok_wake_peer) Buffered::after_push_locked(s, wakeups);
    unlock();
    wakeups.wake();
    return true;
  }
  template <class Unlock>
  bool recv_now(std::optional<T>& out, Unlock&& unlock) GO_NO_THREAD_SAFETY_ANALYSIS {
    State& s = *state_;
    if (!s.ring) return UnbufferedPath<T>::recv_now(s, out, std::forward<Unlock>(unlock));
    const auto status = s.ring->try_pop(out, Buffered::kWaitInProgress);
    if (status == Ring::Status::full_or_empty) return false;
    Wakeups<T> wakeups;
    if (status == Ring::Status::ok_wake_peer) Buffered::after_pop_locked(s, wakeups);
    unlock();
    wakeups.wake();
    return true;  // a value, or closed and drained
  }

  // Queue a select's waiter. false: a buffered channel's ring changed since
  // the poll (it moves without the lock) and the case may be ready now: the
  // waiter was not queued; poll again.
  bool enqueue_send(Waiter* w) GO_NO_THREAD_SAFETY_ANALYSIS { return enqueue(w, state_->senders); }
  bool enqueue_recv(Waiter* w) GO_NO_THREAD_SAFETY_ANALYSIS { return enqueue(w, state_->receivers); }
  // Takes a waiter out of its queue; a no-op if a peer already took it out.
  void dequeue(Waiter* w) GO_NO_THREAD_SAFETY_ANALYSIS { state_->dequeue(w); }

 private:
  using State = ChanState<T>;
  using Buffered = BufferedPath<T>;
  using Ring = BoundedRing<T>;

  bool enqueue(Waiter* w, WaitQueue<T>& queue) GO_NO_THREAD_SAFETY_ANALYSIS {
    if (!state_->ring) {
      queue.push(w);
      return true;
    }
    return state_->enqueue_armed(w);
  }

  State* state_;  // the case's Chan handle keeps it alive
};

}  // namespace go::detail
