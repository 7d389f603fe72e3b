// go::Cond: Go's sync.Cond. A rendezvous point for goroutines waiting for, or
// announcing, that some state guarded by a lock has changed.
//
//   std::mutex mu;                     // or go::Mutex: any lock()/unlock() type
//   go::Cond ready(mu);                // sync.NewCond(&mu)
//   std::deque<Job> jobs;              // guarded by mu
//
//   mu.lock();                         // consumer
//   while (jobs.empty()) ready.wait(); // always in a loop: see the contract
//   Job j = pop(jobs);
//   mu.unlock();
//
//   { std::lock_guard g(mu); jobs.push_back(j); }   // producer
//   ready.signal();
//
// Contract (the tests check each point):
//   - wait() is called with the lock held. It releases the lock and sleeps;
//     once woken it takes the lock again *before* returning.
//   - A signal() or broadcast() made by a thread that took the lock after
//     wait() began is never lost: release and sleep are one step for it.
//   - wait() returns only when a signal() or broadcast() woke it (no spurious
//     wake-ups); callers still re-check their condition in a loop, because
//     another thread may have changed the state before they got the lock.
//   - signal() wakes exactly one waiting caller (if any); broadcast() wakes
//     every caller waiting at that moment. Neither is remembered: with nobody
//     waiting they do nothing, and a later wait() sleeps. Holding the lock
//     while calling them is allowed, not required.
//   - locker() is the lock given to the constructor (Go's c.L).
//
// Memory ordering: as for the lock. What the signaller wrote under the lock
// before unlocking it is visible to the woken waiter once wait() returns.
//
// Implementation: Go's notifyList (runtime/sema.go), simplified. Every
// waiter puts a record with its own go::Parker at the tail of a list *before*
// it unlocks the user's lock; signal() pops the head and unparks it,
// broadcast() takes the whole list. A signal can only miss a waiter that had
// not called wait() yet, which is what "atomically" promises. The list has
// its own small lock (a go::SpinMutex: a few pointer moves under it).
//
// Lock order: the user's lock, then mu_ (wait() enlists while holding both,
// and never takes the user's lock while holding mu_).
#pragma once

#include "go/parker.hpp"
#include "go/spin_mutex.hpp"

#include <mutex>

namespace go {

template <class Lockable>
class Cond {
 public:
  explicit Cond(Lockable& locker) : locker_(locker) {}
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;

  Lockable& locker() const { return locker_; }

  void wait() {
    Waiter me;
    {
      std::lock_guard guard(mu_);
      me.prev = tail_;
      (tail_ ? tail_->next : head_) = &me;
      tail_ = &me;
    }
    try {
      locker_.unlock();  // only now: a signal from whoever takes the lock next will find us
    } catch (...) {
      // Misuse (the lock was not held; go::Mutex panics): leave no dangling
      // record behind. If a signal already took us off the list, its
      // unpark() is on its way: wait for it before our record dies.
      if (!unlink(&me)) me.parker.park();
      throw;
    }
    me.parker.park();  // returns only after unpark(): no spurious wake-up
    locker_.lock();
  }

  void signal() {
    Waiter* w = nullptr;
    {
      std::lock_guard guard(mu_);
      w = head_;
      if (w) unlink_locked(w);
    }
    if (w) w->parker.unpark();  // w may be gone the moment this returns
  }

  void broadcast() {
    Waiter* w = nullptr;
    {
      std::lock_guard guard(mu_);
      w = head_;  // everyone waiting now; later arrivals wait for the next one
      head_ = tail_ = nullptr;
    }
    while (w) {
      Waiter* next = w->next;  // read before unpark(): after it, *w may be gone
      w->parker.unpark();
      w = next;
    }
  }

 private:
  struct Waiter {
    Parker parker;
    Waiter* prev = nullptr;
    Waiter* next = nullptr;
  };

  void unlink_locked(Waiter* w) {
    (w->prev ? w->prev->next : head_) = w->next;
    (w->next ? w->next->prev : tail_) = w->prev;
    w->prev = w->next = nullptr;
  }

  // Takes w off the list if it is still there; false if a signal took it.
  bool unlink(Waiter* w) {
    std::lock_guard guard(mu_);
    for (Waiter* it = head_; it; it = it->next) {
      if (it == w) {
        unlink_locked(w);
        return true;
      }
    }
    return false;
  }

  Lockable& locker_;
  SpinMutex mu_;            // guards the list: head_, tail_ and the records' links
  Waiter* head_ = nullptr;  // the longest waiting
  Waiter* tail_ = nullptr;
};

}  // namespace go
