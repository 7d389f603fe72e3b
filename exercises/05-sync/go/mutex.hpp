// go::Mutex: Go's sync.Mutex. A mutual exclusion lock, built from one atomic
// word and the kernel's futex.
// Lesson: phases/05-sync/README.md, "Mutex: one atomic word and a futex".
//
//   go::Mutex mu;
//   {
//     go::MutexLock lock(mu);   // mu.Lock(); defer mu.Unlock()
//     ++hits;
//   }
//
// Contract (the tests check each point):
//   - lock() blocks until the mutex is free, then takes it; no two threads
//     are ever between lock() and unlock() at once. The unlock() that frees
//     it must wake a locker that is already asleep (not only one still
//     spinning). Not recursive: locking a mutex you hold deadlocks, as in Go.
//   - try_lock() takes a free mutex and returns true, or returns false at once,
//     also when the caller itself holds it. It never blocks.
//   - unlock() frees the mutex and wakes one sleeping locker, if any. Any
//     thread may unlock it, not only the one that locked it (Go ties a Mutex
//     to no goroutine). Unlocking a mutex that is not locked throws
//     go::panic("sync: unlock of unlocked mutex") and leaves it unlocked and
//     usable.
//   - Lockable: std::lock_guard, std::unique_lock, std::scoped_lock and
//     std::condition_variable_any work with it (they only need lock, unlock
//     and try_lock).
//   - go::MutexLock locks in its constructor and unlocks in its destructor,
//     on every path out of the scope, exceptions included.
//
// Memory ordering: everything done before unlock() happens before the
// return of the lock() (or successful try_lock()) that takes the mutex next.
//
// Hints:
//   - One std::atomic<std::uint32_t>: 0 unlocked, 1 locked, 2 locked with
//     (possibly) someone asleep. lock(): compare_exchange 0 -> 1; if that
//     fails, exchange(2) in a loop and sleep while the word is 2. unlock():
//     exchange(0); if the old value was 2, wake one sleeper. The lesson shows
//     why the third state is needed.
//   - Sleeping: go::detail::futex_wait(word, 2) / futex_wake(word, 1) from
//     support/go/detail/futex.hpp (or C++20's word.wait(2) / notify_one()).
//   - Spin a little (go::detail::cpu_relax) before sleeping: most holders let
//     go within a microsecond.
//   - Orders: acquire when taking the lock, release when giving it back.
#pragma once

#include <atomic>
#include <cstdint>

#include "go/annotated_mutex.hpp"
#include "go/detail/futex.hpp"
#include "go/panic.hpp"
#include "go/todo.hpp"

namespace go {

class GO_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // lock: blocks until the mutex is free, then takes it. Woken by the
  // unlock() that frees it, also when already asleep (not only spinning).
  // Not recursive.
  void lock() {
    throw go::todo("Mutex::lock");  // TODO: take the mutex, spinning briefly, then sleeping until an unlock wakes you
  }

  // try_lock: takes a free mutex and returns true, or returns false at once
  // (also when the caller itself holds it). Never blocks.
  bool try_lock() {
    throw go::todo("Mutex::try_lock");  // TODO: take the mutex only if it is free now
  }

  // unlock: frees the mutex and wakes one sleeping locker, if any; any thread
  // may call it. Not locked: throws go::panic("sync: unlock of unlocked
  // mutex") and leaves it unlocked and usable.
  void unlock() {
    throw go::todo("Mutex::unlock");  // TODO: free the mutex, wake a sleeper; panic if it was not locked
  }

 private:
  // TODO: keep the state word (free, locked, locked with sleepers)
};

// go::MutexLock: `mu.Lock(); defer mu.Unlock()` as a scope. Given: it works
// as soon as lock() and unlock() do.
class MutexLock {
 public:
  explicit MutexLock(Mutex& mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace go
