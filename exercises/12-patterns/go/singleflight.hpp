// go::SingleFlight<K, V>: Go's golang.org/x/sync/singleflight.Group. Callers
// asking for the same key at the same time share one call of fn.
// Lesson: phases/12-patterns/README.md, "Singleflight".
//
//   go::SingleFlight<std::string, User> flight;
//   auto [user, shared] = flight.call(id, [&] { return db.load_user(id); });  // v, err, shared := g.Do(id, fn)
//   go::Chan<go::FlightResult<User>> c = flight.call_chan(id, load);         // ch := g.DoChan(id, fn)
//   flight.forget(id);                                                        // g.Forget(id)
//
// (Go's Do is `call` here: `do` is a C++ keyword.)
//
// Contract (Go's, the tests check each point):
//   - call(key, fn): if no call for key is in flight, runs fn on this thread
//     and returns its value; if one is in flight, waits for it (woken when it
//     finishes) and returns the same value. `shared` is true when the value
//     went to more than one caller, the one that ran fn included.
//   - An exception thrown by fn reaches every caller of that flight: the
//     leader and every waiter rethrow it. Nothing is remembered.
//   - A flight ends when fn returns: a call that starts afterwards runs fn
//     again. SingleFlight deduplicates concurrent calls; it is not a cache.
//   - call_chan(key, fn): the same, but returns at once a channel (buffered,
//     one slot) on which the FlightResult arrives; fn runs on a thread the
//     group owns (the destructor joins those threads).
//   - forget(key): later calls for key do not join the flight in progress;
//     they start a new one. The callers already waiting still get its result.
//   - waiting(key): how many callers (the leader included) the flight in
//     progress for key has; 0 when none is in flight. For tests and metrics.
//   - Bad input: an empty std::function or null function pointer throws
//     std::invalid_argument.
//
// Memory ordering: everything fn did happens before every caller of its
// flight returns (or receives on its channel).
//
// Hints:
//   - Go's Group is a mutex and a map from key to *call; a call holds the
//     result, a WaitGroup the waiters wait on, and a count of duplicates.
//     The whole trick: the lookup and the insertion of a new call happen in
//     one critical section, and fn runs outside it.
//   - Keep calls in std::shared_ptr: forget() may drop a call from the map
//     while its callers still wait on it.
//   - When fn returns, remove the key, but only if the map still holds *this*
//     call (forget() and a newer flight may have replaced it).
//   - call_chan's channel has one slot, so delivering never blocks. The
//     threads of call_chan belong to the group: join them in the destructor
//     (and join finished ones as you go, or they pile up).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "go/annotated_mutex.hpp"
#include "go/chan.hpp"
#include "go/errgroup.hpp"  // detail::is_nil_callable
#include "go/todo.hpp"

namespace go {

// FlightResult<V>: what call_chan delivers (Go's singleflight.Result).
template <class V>
struct FlightResult {
  std::optional<V> value;    // set when fn returned
  std::exception_ptr error;  // set when fn threw
  bool shared = false;
};

template <class K, class V, class Hash = std::hash<K>>
class SingleFlight {
 public:
  SingleFlight() = default;
  SingleFlight(const SingleFlight&) = delete;
  SingleFlight& operator=(const SingleFlight&) = delete;
  // TODO: join the threads call_chan started. Must not throw.
  ~SingleFlight() {}

  // call: fn's value for key, run once for all concurrent callers; shared:
  // the value went to more than one caller. fn's exception reaches them all.
  template <class F>
  std::pair<V, bool> call(const K& key, F fn) {
    (void)key;
    (void)fn;
    throw go::todo("SingleFlight::call");  // TODO: join the flight in progress, or lead a new one
  }

  // call_chan: call on a thread the group owns; the result arrives on the channel.
  template <class F>
  Chan<FlightResult<V>> call_chan(const K& key, F fn) {
    (void)key;
    (void)fn;
    throw go::todo("SingleFlight::call_chan");  // TODO: as call, delivering on a one-slot channel
  }

  // forget: later calls for key start a new flight.
  void forget(const K& key) {
    (void)key;
    throw go::todo("SingleFlight::forget");  // TODO: drop the key from the map
  }

  // waiting: callers of the flight in progress for key (leader included); 0 if none.
  std::size_t waiting(const K& key) const {
    (void)key;
    throw go::todo("SingleFlight::waiting");  // TODO: 1 + duplicates of the key's call
  }

 private:
  // TODO: your state: a mutex, the map of flights in progress, the threads.
};

}  // namespace go
