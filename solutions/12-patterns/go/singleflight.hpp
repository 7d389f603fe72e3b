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
// Invariants, under mu_: flights_ holds exactly the flights whose fn has not
// returned and that forget() did not remove; a flight's value and error are
// written once, before finished becomes true; dups counts the callers that
// joined it after its leader.
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
  ~SingleFlight() {
    std::list<Worker> workers;
    {
      annotated_lock lock(mu_);
      workers.swap(workers_);
    }
    for (Worker& w : workers) w.thread.join();
  }

  template <class F>
  std::pair<V, bool> call(const K& key, F fn) {
    if (detail::is_nil_callable(fn)) throw std::invalid_argument("go::SingleFlight::call: nil function");
    std::shared_ptr<Flight> f;
    {
      annotated_lock lock(mu_);
      auto it = flights_.find(key);
      if (it != flights_.end()) {  // join the flight in progress
        f = it->second;
        ++f->dups;
        // Woken by finish() of this flight.
        f->finished_cv.wait(lock.native(), [&]() GO_REQUIRES(mu_) { return f->finished; });
        if (f->error) std::rethrow_exception(f->error);
        return {*f->value, true};
      }
      // Registered before fn runs, in the same critical section as the
      // lookup: that is what makes the others wait instead of running fn too.
      f = std::make_shared<Flight>();
      flights_.emplace(key, f);
    }
    run(key, f, fn);
    annotated_lock lock(mu_);
    if (f->error) std::rethrow_exception(f->error);
    return {*f->value, f->dups > 0};
  }

  template <class F>
  Chan<FlightResult<V>> call_chan(const K& key, F fn) {
    if (detail::is_nil_callable(fn)) throw std::invalid_argument("go::SingleFlight::call_chan: nil function");
    Chan<FlightResult<V>> ch(1);  // one slot: finish() never blocks on a caller who left
    annotated_lock lock(mu_);
    reap_finished_workers();
    auto it = flights_.find(key);
    if (it != flights_.end()) {
      ++it->second->dups;
      it->second->chans.push_back(ch);
      return ch;
    }
    auto f = std::make_shared<Flight>();
    f->chans.push_back(ch);
    flights_.emplace(key, f);
    Worker& w = workers_.emplace_back();
    w.thread = std::thread([this, key, f, fn = std::move(fn), done = &w.done]() mutable {
      run(key, f, fn);
      annotated_lock worker_lock(mu_);
      *done = true;  // the last thing this thread does with the group
    });
    return ch;
  }

  void forget(const K& key) {
    annotated_lock lock(mu_);
    flights_.erase(key);
  }

  std::size_t waiting(const K& key) const {
    annotated_lock lock(mu_);
    auto it = flights_.find(key);
    return it == flights_.end() ? 0 : 1 + it->second->dups;
  }

 private:
  struct Flight {
    bool finished = false;
    std::optional<V> value;
    std::exception_ptr error;
    std::size_t dups = 0;                   // callers that joined after the leader
    std::vector<Chan<FlightResult<V>>> chans;  // call_chan callers
    std::condition_variable finished_cv;
  };
  struct Worker {
    std::thread thread;
    bool done = false;  // guarded by mu_
  };

  // run: the leader's part. Runs fn without the lock, then publishes.
  template <class F>
  void run(const K& key, const std::shared_ptr<Flight>& f, F& fn) {
    std::optional<V> value;
    std::exception_ptr error;
    try {
      value.emplace(fn());
    } catch (...) {
      error = std::current_exception();
    }
    annotated_lock lock(mu_);
    f->value = std::move(value);
    f->error = error;
    f->finished = true;
    // The flight is over: the next call runs fn again. Unless forget() already
    // removed it (and a newer flight may own the key now).
    auto it = flights_.find(key);
    if (it != flights_.end() && it->second == f) flights_.erase(it);
    f->finished_cv.notify_all();
    for (Chan<FlightResult<V>>& ch : f->chans) {
      (void)ch.try_send(FlightResult<V>{f->value, f->error, f->dups > 0});  // one slot, one result: never full
    }
  }

  // Joins the call_chan threads that are done with the group (they set done
  // under mu_, which we hold, so they have released it and are only exiting).
  void reap_finished_workers() GO_REQUIRES(mu_) {
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }

  mutable annotated_mutex mu_;
  std::unordered_map<K, std::shared_ptr<Flight>, Hash> flights_ GO_GUARDED_BY(mu_);
  std::list<Worker> workers_ GO_GUARDED_BY(mu_);
};

}  // namespace go
