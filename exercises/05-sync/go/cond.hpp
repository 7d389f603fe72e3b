// go::Cond: Go's sync.Cond. A rendezvous point for goroutines waiting for, or
// announcing, that some state guarded by a lock has changed.
// Lesson: phases/05-sync/README.md, "Cond: waiting for a condition".
//
//   std::mutex mu;                     // or go::Mutex: any lock()/unlock() type
//   go::Cond ready(mu);                // sync.NewCond(&mu)
//   mu.lock();
//   while (jobs.empty()) ready.wait(); // always in a loop
//   ...
//   mu.unlock();
//   ready.signal();                    // after changing the state
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
// Hints:
//   - Go's design: a FIFO list of waiters, each with its own way to be woken
//     (a go::Parker, support/go/parker.hpp, is exactly that). wait() puts its
//     record on the list *before* it unlocks the user's lock; signal() pops
//     one record and unparks it; broadcast() takes the whole list. The list
//     needs a small lock of its own (go::SpinMutex, or a std::mutex).
//   - Records can live on the waiting thread's stack: it does not return
//     before it was unparked. Read a record's `next` before you unpark it.
//   - std::condition_variable alone cannot keep the "no spurious wake-up,
//     signal wakes exactly one" rules; a ticket counter under a mutex can.
#pragma once

#include <mutex>

#include "go/parker.hpp"
#include "go/spin_mutex.hpp"
#include "go/todo.hpp"

namespace go {

template <class Lockable>
class Cond {
 public:
  explicit Cond(Lockable& locker) : locker_(locker) {}
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;

  Lockable& locker() const { return locker_; }

  // wait: called with the lock held. Releases it and sleeps, as one step for
  // any signal() or broadcast() made after it began; takes the lock again
  // before returning. Woken only by signal() or broadcast() (no spurious
  // wake-ups).
  // Hint: enlist on the waiter list *before* unlocking the user's lock.
  void wait() {
    throw go::todo("Cond::wait");  // TODO: enlist, unlock, sleep until signalled, lock again
  }

  // signal: wakes exactly one waiting caller, if any; not remembered.
  void signal() {
    throw go::todo("Cond::signal");  // TODO: wake one enlisted waiter; nobody waiting means nothing happens
  }

  // broadcast: wakes every caller waiting at that moment; not remembered.
  void broadcast() {
    throw go::todo("Cond::broadcast");  // TODO: wake every waiter enlisted now, and only those
  }

 private:
  Lockable& locker_;
  // TODO: keep the list of waiters and its lock
};

}  // namespace go
